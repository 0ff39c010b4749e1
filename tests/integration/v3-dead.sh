#!/usr/bin/env bash
# v3-dead.sh — 300 SNMPv3 (authPriv) targets, 100 of which never answer
# (a port where nothing listens), polled at once (-j 300 -t 1 -r 1).
#
# Nothing blocks: the engineID discovery of a v3 target is asynchronous,
# so a dead target costs its own timeout x (retries + 1) and nothing more.
# Were discovery synchronous (net-snmp's built-in probe), each dead target
# would stall the loop for 2 s, the run would take 100 x 2 s, and targets
# behind the dead ones would finish after them.  No wall-clock upper limit
# is asserted; instead, from the records and the summary:
#   - every dead target is a timeout with one retry, every live one ok;
#   - the request count is exact: 2 per live target (discovery + GET) and
#     2 per dead one (discovery, sent twice) = 600, with 100 retries;
#   - every live record's "time" is earlier than every dead one's, although
#     the dead targets come first in the inventory (interleaved, 1 in 3);
#   - live records are written before the first dead target's first
#     timeout (run start + 1 s, the run start read from --stats-file), and
#     dead ones no earlier than about run start + 2 s (a lower bound);
#   - a dead target polled with --per-target 2 ends (its second stream,
#     parked behind the discovery, times out with it).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

T=$LIB_TMP
start_snmpd_conf 'createUser uSHA SHA "sha-auth-pass1" AES "aes-priv-pass1"' \
    'rouser uSHA priv'
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"

# 1 dead, 2 live, 1 dead, 2 live ...: the dead ones are claimed first.
{
	for ((i = 1; i <= 100; i++)); do
		echo "127.0.1.$i port=$DEAD"
		echo "127.0.0.$i port=$P"
		echo "127.0.0.$((i + 100)) port=$P"
	done
} >"$T/inventory"

export SNMPFLEET_AUTHPASS=sha-auth-pass1 SNMPFLEET_PRIVPASS=aes-priv-pass1
START=$EPOCHREALTIME
"$SNMPFLEET" -v 3 -u uSHA -l authPriv -a SHA -x AES -i "$T/inventory" \
    -j 300 -t 1 -r 1 -F jsonl -o "$T/r.jsonl" --stats-file "$T/stats.json" \
    sysName.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
EL=$(elapsed_since "$START")
unset SNMPFLEET_AUTHPASS SNMPFLEET_PRIVPASS
diag "run: $EL s" "$(grep -v engineID "$T/stderr")"
is "$RC" 1 "exit status 1 (some targets timed out)"
check "every line parses" jsonl_check "$T/r.jsonl"
awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= 2.0) }'
ok $? "the run took at least timeout x (retries+1) = 2 s ($EL s)"

python3 - "$T/r.jsonl" "$T/stats.json" "$P" "$DEAD" "$SNMPD_SYSNAME" \
    >"$T/facts" <<'PY'
import datetime, json, sys
path, stats, live_port, dead_port, sysname = sys.argv[1:6]
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
recs = [json.loads(l) for l in open(path)]
st = json.load(open(stats))
start = t(st["start"])
live = [r for r in recs if r["port"] == int(live_port)]
dead = [r for r in recs if r["port"] == int(dead_port)]
print("records", len(recs))
print("live", len(live))
print("dead", len(dead))
print("live_ok", sum(1 for r in live if r["status"] == "ok" and
      r["values"][0]["value"] == sysname))
print("dead_timeout", sum(1 for r in dead if r["status"] == "timeout" and
      r["retries"] == 1 and r["values"] == [] and r["rtt_ms"] is None))
print("hosts", len({r["host"] for r in recs}))
print("live_before_dead", int(max(t(r["time"]) for r in live) <
      min(t(r["time"]) for r in dead)))
print("live_within_first_timeout", int(max(t(r["time"]) for r in live) <
      start + 1.0))
# libuv times from its cached loop time, which can lag the wall clock a
# little: allow 0.1 s.
print("dead_after_2s", int(min(t(r["time"]) for r in dead) >= start + 1.9))
print("first_dead_line", min(i for i, r in enumerate(recs) if r["port"] == int(dead_port)))
print("stats", st["requests"], st["retries"], st["status"]["ok"],
      st["status"]["timeout"], st["status"]["error"])
PY
fact() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$T/facts"; }
is "$(fact records)" 300 "300 records"
is "$(fact hosts)" 300 "one record per target"
is "$(fact live)/$(fact dead)" 200/100 "200 live, 100 dead records"
is "$(fact live_ok)" 200 "every live target ok with its sysName"
is "$(fact dead_timeout)" 100 "every dead target: timeout, retries 1, no values, rtt null"
like "$(cat "$T/stderr")" "^snmpfleet: 300 targets: 200 ok, 100 timeout, 0 error in [0-9.]+ s; 600 requests \([0-9]+/s\), 100 retries" \
    "summary: 200 ok, 100 timeout; 600 requests (2 per target), 100 retries"
is "$(fact stats)" "600 100 200 100 0" \
    "--stats-file: 600 requests, 100 retries, 200 ok, 100 timeout, 0 error"
is "$(fact live_before_dead)" 1 \
    "every live record is earlier than every dead one (dead ones are first in the inventory)"
is "$(fact first_dead_line)" 200 "the first 200 lines of the output are the live targets"
is "$(fact live_within_first_timeout)" 1 \
    "every live record is written before run start + 1 s, the dead targets' first timeout"
is "$(fact dead_after_2s)" 1 "no dead target ended before run start + 2 s (less 0.1 s)"

# A dead target with --per-target 2: its second stream waits (parked) for
# the first one's engineID discovery; when discovery times out, the
# parked stream ends as a timeout too.  (It used to wait for ever; the
# timeout command only stops a hang, it asserts no speed.)
SNMPFLEET_AUTHPASS=sha-auth-pass1 SNMPFLEET_PRIVPASS=aes-priv-pass1 \
    timeout 120 "$SNMPFLEET" -v3 -u uSHA -l authPriv -a SHA -x AES \
    -H "127.0.1.1:$DEAD" -t 0.5 -r 1 --per-target 2 -F jsonl \
    -w system -w ifTable sysName.0 >"$T/pt2.jsonl" 2>"$T/pt2.err"
RC=$?
is "$RC" 1 "dead target, --per-target 2: the run ends, exit 1 (timeout)"
is "$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); print(r["status"], len(r["values"]))' "$T/pt2.jsonl")" \
    "timeout 0" "dead target, --per-target 2: one record, status timeout, no values"
like "$(cat "$T/pt2.err")" "1 timeout, 0 error in [0-9.]+ s; 2 requests \([0-9]+/s\), 1 retries" \
    "dead target, --per-target 2: one discovery (sent twice), not one per stream"

done_testing
