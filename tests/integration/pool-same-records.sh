#!/usr/bin/env bash
# pool-same-records.sh — the pool changes who polls, never what is written:
# -P 1 (in-process) and -P 4 over the same 3,000 targets give the same set
# of records (host, port, status and every varbind; time, rtt and retries
# aside) in jsonl, and the same sorted lines in text and csv (csv: one
# header, first); -P 0 (one worker per CPU) gives them too.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
N=3000
OIDS=(sysDescr.0 sysObjectID.0 sysName.0)

make_hosts "$N" >"$T/inventory"

# normalise FILE — the records of a jsonl file without what changes from
# one poll to the next, one canonical JSON line per record, sorted.
normalise() {
	python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    for k in ("time", "rtt_ms", "retries"):
        r.pop(k, None)
    out.append(json.dumps(r, sort_keys=True, separators=(",", ":")))
out.sort()
sys.stdout.write("".join(l + "\n" for l in out))
PY
}

# poll PROCS FORMAT — one run into $T/r-PROCS.FORMAT; stderr into
# $T/err-PROCS.FORMAT; returns the exit status.
poll() {
	local procs=$1 fmt=$2 start rc
	start=$EPOCHREALTIME
	"$SNMPFLEET" -i "$T/inventory" --port "$P" -P "$procs" -j 64 -t 2 -r 3 \
	    -F "$fmt" -o "$T/r-$procs.$fmt" "${OIDS[@]}" \
	    </dev/null >"$T/out-$procs.$fmt" 2>"$T/err-$procs.$fmt"
	rc=$?
	diag "-P $procs -F $fmt: $(elapsed_since "$start") s"
	return "$rc"
}

# ----------------------------------------------------------------- jsonl
poll 1 jsonl
is "$?" 0 "-P 1 jsonl: exit status 0"
poll 4 jsonl
is "$?" 0 "-P 4 jsonl: exit status 0"
unlike "$(cat "$T/err-1.jsonl")" "workers" "-P 1: the summary names no workers (in-process)"
like "$(cat "$T/err-4.jsonl")" "^snmpfleet: $N targets: $N ok.*; 4 workers" \
    "-P 4: the summary counts $N ok with 4 workers"
for procs in 1 4; do
	check "-P $procs jsonl: every line is a whole JSON object" jsonl_check "$T/r-$procs.jsonl"
done
normalise "$T/r-1.jsonl" >"$T/n-1"
normalise "$T/r-4.jsonl" >"$T/n-4"
is "$(wc -l <"$T/n-1")" "$N" "-P 1 jsonl: $N records"
is "$(cut -d, -f1-3 "$T/n-1" | sort -u | wc -l)" "$N" "-P 1 jsonl: $N distinct hosts"
# A sanity check on what is compared: the records carry the agent's values.
python3 - "$T/n-1" "$SNMPD_SYSDESCR" "$SNMPD_SYSNAME" >"$T/facts" <<'PY'
import json, sys
want_d, want_n = sys.argv[2], sys.argv[3]
good = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    v = [x.get("value") for x in r.get("values") or []]
    o = [x.get("oid") for x in r.get("values") or []]
    if (r.get("status") == "ok" and len(v) == 3 and v[0] == want_d and v[2] == want_n
            and o == ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0"]
            and str(v[1]).startswith("1.3.6.1.4.1.")):
        good += 1
print(good)
PY
is "$(cat "$T/facts")" "$N" "-P 1 jsonl: every record holds sysDescr, an enterprise sysObjectID and sysName"
is_file "$T/n-4" "$T/n-1" "-P 4 jsonl: the same records as -P 1"

# --------------------------------------------------------- text and csv
for fmt in text csv; do
	poll 1 "$fmt"
	is "$?" 0 "-P 1 $fmt: exit status 0"
	poll 4 "$fmt"
	is "$?" 0 "-P 4 $fmt: exit status 0"
done
is "$(wc -l <"$T/r-1.text")" $((3 * N)) "-P 1 text: 3 lines per target"
is_file <(sort "$T/r-4.text") <(sort "$T/r-1.text") "-P 4 text: the same lines as -P 1"
is "$(head -n 1 "$T/r-4.csv")" "$(head -n 1 "$T/r-1.csv")" "-P 4 csv: the same header line first"
is "$(grep -c '^host,' "$T/r-4.csv")" 1 "-P 4 csv: the header only once"
# rtt_ms (the last field) changes from poll to poll.
# strip_rtt FILE — the csv rows without the header and the rtt_ms column
strip_rtt() {
	tail -n +2 "$1" | python3 -c '
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for r in csv.reader(sys.stdin):
    w.writerow(r[:7] + r[8:])' | sort
}
is "$(strip_rtt "$T/r-1.csv" | wc -l)" $((3 * N)) "-P 1 csv: 3 rows per target"
is_file <(strip_rtt "$T/r-4.csv") <(strip_rtt "$T/r-1.csv") \
    "-P 4 csv: the same rows as -P 1 (rtt aside)"

# ---------------------------------------------------------------- -P 0
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
poll 0 jsonl
is "$?" 0 "-P 0 jsonl: exit status 0"
if [ "$NCPU" -gt 1 ]; then
	like "$(cat "$T/err-0.jsonl")" "^snmpfleet: $N targets: $N ok.*; $NCPU workers" \
	    "-P 0: one worker per CPU ($NCPU workers)"
else
	like "$(cat "$T/err-0.jsonl")" "^snmpfleet: $N targets: $N ok" \
	    "-P 0 on one CPU: every target ok"
fi
check "-P 0 jsonl: every line is a whole JSON object" jsonl_check "$T/r-0.jsonl"
normalise "$T/r-0.jsonl" >"$T/n-0"
is_file "$T/n-0" "$T/n-1" "-P 0 jsonl: the same records as -P 1"

done_testing
