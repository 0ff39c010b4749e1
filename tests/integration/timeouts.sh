#!/usr/bin/env bash
# timeouts.sh — targets on a port where nothing listens end as timeouts
# after timeout x (retries+1), next to answering targets that end ok; the
# run exits 1.  Only a lower bound on time is asserted, never an upper one.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"

# at_least SECONDS STARTED — exit 0 when at least SECONDS passed since STARTED.
at_least() {
	awk -v min="$1" -v a="$2" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= min) }'
}

# ------------------------------------------------------ inventory, jsonl
{
	echo "# 20 answering, 20 dead, interleaved"
	for ((i = 1; i <= 20; i++)); do
		echo "127.0.0.$i:$P"
		echo "127.0.1.$i:$DEAD"
	done
} >"$T/inventory"

START=$EPOCHREALTIME
"$SNMPFLEET" -i "$T/inventory" -t 0.3 -r 1 -F jsonl -o "$T/r.jsonl" \
    sysName.0 sysUpTime.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
EL=$(elapsed_since "$START")
is "$RC" 1 "jsonl: exit status 1 when some targets time out"
at_least 0.6 "$START"
ok $? "jsonl: the run took at least timeout x (retries+1) = 0.6 s ($EL s)"
check "jsonl: every line parses" jsonl_check "$T/r.jsonl"
python3 - "$T/r.jsonl" "$P" "$DEAD" "$SNMPD_SYSNAME" >"$T/facts" <<'PY'
import json, sys
path, live_port, dead_port, sysname = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
recs = [json.loads(l) for l in open(path)]
live = {("127.0.0.%d" % i, live_port) for i in range(1, 21)}
dead = {("127.0.1.%d" % i, dead_port) for i in range(1, 21)}
got = [(r.get("host"), r.get("port")) for r in recs]
print("records", len(recs))
print("hostset", int(set(got) == live | dead and len(got) == len(set(got))))
print("live_ok", sum(1 for r in recs if (r["host"], r["port"]) in live and r.get("status") == "ok"
                     and [v.get("value") for v in r.get("values", [])][:1] == [sysname]))
print("dead_timeout", sum(1 for r in recs if (r["host"], r["port"]) in dead and r.get("status") == "timeout"))
print("dead_retries", sum(1 for r in recs if (r["host"], r["port"]) in dead and r.get("retries") == 1))
print("dead_novalues", sum(1 for r in recs if (r["host"], r["port"]) in dead and not r.get("values")))
PY
fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts"; }
is "$(fact records)" 40 "jsonl: 40 records"
is "$(fact hostset)" 1 "jsonl: each host:port once, exactly the inventory's"
is "$(fact live_ok)" 20 "jsonl: the 20 answering targets are ok with their value"
is "$(fact dead_timeout)" 20 'jsonl: the 20 dead targets have status "timeout"'
is "$(fact dead_retries)" 20 'jsonl: the dead targets report "retries":1'
is "$(fact dead_novalues)" 20 "jsonl: the dead targets carry no values"
like "$(cat "$T/stderr")" "^snmpfleet: " "jsonl: a summary line on stderr"
like "$(cat "$T/stderr")" "20[^0-9]*timeout|timeout[^0-9]*20" \
    "jsonl: the summary counts 20 timeouts"

# ------------------------------------------------------------ -H, text
START=$EPOCHREALTIME
"$SNMPFLEET" -H "127.0.2.1-20:$P" -H "127.0.3.1-20:$DEAD" -t 0.3 -r 1 \
    -F text sysName.0 </dev/null >"$T/r.txt" 2>"$T/stderr"
RC=$?
EL=$(elapsed_since "$START")
is "$RC" 1 "text: exit status 1 when some targets time out"
at_least 0.6 "$START"
ok $? "text: the run took at least 0.6 s ($EL s)"
for ((i = 1; i <= 20; i++)); do
	echo "127.0.2.$i:$P .1.3.6.1.2.1.1.5.0 = STRING: \"$SNMPD_SYSNAME\""
	echo "127.0.3.$i:$DEAD # timeout"
done | sort >"$T/expected.txt"
sort "$T/r.txt" >"$T/sorted.txt"
is_file "$T/sorted.txt" "$T/expected.txt" \
    "text: live targets print their value, dead ones 'HOST # timeout'"

# ------------------------------------------- a dead --port, a live override
# --port names the dead port; inventory lines that name the live one win.
printf '%s\n' "127.0.4.1" "127.0.4.2 port=$P" "127.0.4.3:$P" >"$T/inv2"
"$SNMPFLEET" -i "$T/inv2" --port "$DEAD" -t 0.3 -r 0 -F text sysName.0 \
    </dev/null >"$T/r2.txt" 2>/dev/null
is "$?" 1 "--port dead with per-line live ports: exit status 1"
is "$(sort "$T/r2.txt")" "$(printf '%s\n' \
    "127.0.4.1 # timeout" \
    "127.0.4.2:$P .1.3.6.1.2.1.1.5.0 = STRING: \"$SNMPD_SYSNAME\"" \
    "127.0.4.3:$P .1.3.6.1.2.1.1.5.0 = STRING: \"$SNMPD_SYSNAME\"" | sort)" \
    "port=N and host:N in the inventory beat --port"

# Every target dead: still exit 1, and csv has one row per failed target.
"$SNMPFLEET" -H "127.0.5.1-3" --port "$DEAD" -t 0.2 -r 0 -F csv sysName.0 \
    sysDescr.0 </dev/null >"$T/r.csv" 2>/dev/null
is "$?" 1 "all targets dead: exit status 1"
is "$(tail -n +2 "$T/r.csv" | sort)" "$(for i in 1 2 3; do
	echo "127.0.5.$i,$DEAD,,,,,timeout,,"; done)" \
    "csv: one row per timed-out target, oid..value, rtt_ms and display empty"

done_testing
