#!/usr/bin/env bash
# pool-two-runs.sh — two separate runs (each -P 4, 20,000 targets, disjoint
# address sets) append to the same output file at the same time, as two
# overlapping cron runs would: each run's mutex covers only its own
# workers, flock(2) on the file keeps the two runs apart.  Every line of
# the file is a whole JSON record, 40,000 in all, each run's set complete
# and nothing twice.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
N=20000

make_hosts $((2 * N)) >"$T/hosts"
head -n "$N" "$T/hosts" >"$T/hosts-a"
tail -n +$((N + 1)) "$T/hosts" >"$T/hosts-b"

launch_init

START=$EPOCHREALTIME
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-a" --port "$P" -P 4 -j 32 -t 2 -r 3 \
    -F jsonl -o "$T/both.jsonl" sysName.0 sysDescr.0 \
    </dev/null >"$T/out-a" 2>"$T/err-a" &
PID_A=$!
track_pid "$PID_A"
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-b" --port "$P" -P 4 -j 32 -t 2 -r 3 \
    -F jsonl -o "$T/both.jsonl" sysName.0 sysDescr.0 \
    </dev/null >"$T/out-b" 2>"$T/err-b" &
PID_B=$!
track_pid "$PID_B"
wait "$PID_A"
RC_A=$?
wait "$PID_B"
RC_B=$?
diag "two runs of $N targets, -P 4 each: $(elapsed_since "$START") s"

is "$RC_A/$RC_B" "0/0" "both runs exit 0"
like "$(cat "$T/err-a")" "snmpfleet: $N targets: $N ok, 0 timeout, 0 error.*; 4 workers" \
    "run A: its summary counts its $N targets, 4 workers"
like "$(cat "$T/err-b")" "snmpfleet: $N targets: $N ok, 0 timeout, 0 error.*; 4 workers" \
    "run B: its summary counts its $N targets, 4 workers"
is "$(cat "$T/out-a" "$T/out-b")" "" "nothing on stdout with -o"
check "every line of the shared file is a whole JSON object" jsonl_check "$T/both.jsonl"

python3 - "$T/both.jsonl" "$T/hosts-a" "$T/hosts-b" "$P" "$SNMPD_SYSNAME" >"$T/facts" <<'PY'
import json, sys
path, ha, hb, port, sysname = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
a = set(l.strip() for l in open(ha) if l.strip())
b = set(l.strip() for l in open(hb) if l.strip())
seen, dup, bad, n, switches, last = set(), 0, 0, 0, 0, None
for line in open(path, encoding="utf-8"):
    n += 1
    try:
        r = json.loads(line)
    except ValueError:
        bad += 1
        continue
    h = r.get("host")
    if h in seen:
        dup += 1
    seen.add(h)
    vals = [v.get("value") for v in r.get("values") or []]
    if r.get("status") != "ok" or r.get("port") != port or vals[:1] != [sysname]:
        bad += 1
    run = "a" if h in a else "b" if h in b else None
    if last is not None and run != last:
        switches += 1
    last = run
print("lines", n)
print("bad", bad)
print("dup", dup)
print("a_missing", len(a - seen))
print("b_missing", len(b - seen))
print("extra", len(seen - a - b))
print("switches", switches)
PY
is "$(fact lines)" $((2 * N)) "the file holds $((2 * N)) records"
is "$(fact dup)" 0 "no host has two records"
is "$(fact a_missing)" 0 "run A's $N targets are all there"
is "$(fact b_missing)" 0 "run B's $N targets are all there"
is "$(fact extra)" 0 "no record for a host neither run polled"
is "$(fact bad)" 0 "every record is ok, with the agent's port and sysName"
# The point of the test is that the runs overlapped: their batches must
# alternate in the file.  If the machine ran them one after the other,
# say so rather than pretend.
if [ "$(fact switches)" -ge 2 ]; then
	pass "the two runs' batches interleave in the file ($(fact switches) switches)"
else
	echo "ok $((LIB_NTEST += 1)) - the two runs' batches interleave in the file # SKIP the runs did not overlap"
fi

done_testing
