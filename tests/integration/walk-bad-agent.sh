#!/usr/bin/env bash
# walk-bad-agent.sh — walks against agents that misbehave, played by a
# small responder of our own (python3, loopback only):
#   loop      answers GETNEXT/GETBULK with R.1.1, R.1.2, R.1.3 and then
#             wraps around to R.1.1 (an OID lower than asked): the walk
#             ends in "OID not increasing: R.1.3 >= R.1.1", keeping the
#             three values, instead of looping for ever;
#   same      answers with the very OID it was asked for;
#   silent    answers the first request of a run (one socket), then
#             nothing: the walk ends as a timeout with its partial values,
#             and the target's walks not yet started are never asked;
#   eom       answers endOfMibView (with the OID asked) at once;
#   eomafter  R.1.1, R.1.2, then endOfMibView, as an agent at the end of
#             its MIB does;
#   slow      answers everything 0.2 s late and logs how many requests of
#             the run were waiting then: one request in flight per target
#             by default, N streams at once with --per-target N.
# Each run is guarded by "timeout 60" only to turn a hang into a failure
# (exit 124); nothing here bounds how long a run may take.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_snmpber

plan 47

T=$LIB_TMP
R=1.3.6.1.4.1.99999

cat >"$T/responder.py" <<'PY'
import bisect, sys
from snmpber import (END_OF_MIB, GET, GETBULK, GETNEXT, answer, bind,
                     enc_int, mark_ready, parse, response, serve)

mode, port, ready, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
R = (1, 3, 6, 1, 4, 1, 99999)
if mode == "loop":
    mib = {R + (1, i): enc_int(0x02, i) for i in (1, 2, 3)}
elif mode == "silent":
    mib = {R + (t, i): enc_int(0x02, 10 * t + i)
           for t in (1, 2) for i in range(1, 11)}
elif mode == "eomafter":
    mib = {R + (1, i): enc_int(0x02, i) for i in (1, 2)}
elif mode == "slow":
    mib = {R + (t, i): enc_int(0x02, 10 * t + i)
           for t in (1, 2, 3) for i in range(1, 7)}
else:
    mib = {}
keys = sorted(mib)

def nxt(o):
    if mode == "same":
        return o, enc_int(0x02, 7)
    if mode == "eom":
        return o, END_OF_MIB
    i = bisect.bisect_right(keys, o)
    if i < len(keys):
        return keys[i], mib[keys[i]]
    if mode == "loop":
        return keys[0], mib[keys[0]]   # wraps around: lower than asked
    return o, END_OF_MIB

s = bind(port)
logf = open(log, "a")
mark_ready(ready)
answered = set()

def slow():
    """Answer each request 0.2 s late, logging how many requests of that
    peer were waiting for an answer when it arrived."""
    import heapq, select, time
    pending, inflight, seq = [], {}, 0
    while True:
        wait = max(0.0, pending[0][0] - time.monotonic()) if pending else None
        readable, _, _ = select.select([s], [], [], wait)
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, peer, pkt = heapq.heappop(pending)
            s.sendto(pkt, peer)
            inflight[peer] -= 1
        if not readable:
            continue
        data, peer = s.recvfrom(65535)
        try:
            ver, comm, ptag, rid, a, b, oids = parse(data)
        except (IndexError, ValueError):
            continue
        inflight[peer] = inflight.get(peer, 0) + 1
        logf.write("inflight %d\n" % inflight[peer])
        logf.flush()
        heapq.heappush(pending, (now + 0.2, seq, peer, response(
            ver, comm, rid, answer(ptag, a, b, oids, mib, nxt))))
        seq += 1

def handle(req, peer):
    ver, comm, ptag, rid, a, b, oids = req
    logf.write("%s %s\n" % ({GET: "get", GETNEXT: "getnext",
                             GETBULK: "getbulk"}.get(ptag, hex(ptag)),
                            ".".join(map(str, oids[0])) if oids else "-"))
    logf.flush()
    if ptag not in (GET, GETNEXT, GETBULK):
        return None
    if mode == "silent":
        if peer in answered:
            return None
        answered.add(peer)
    return response(ver, comm, rid, answer(ptag, a, b, oids, mib, nxt))

if mode == "slow":
    slow()
serve(s, handle)
PY

# start_responder MODE — sets PORT_<MODE>.
start_responder() {
	local mode=$1 port
	port=$(free_udp_port) || bail_out "no free UDP port"
	python3 "$T/responder.py" "$mode" "$port" "$T/$mode.ready" \
	    "$T/$mode.log" 2>"$T/$mode.err" &
	track_pid $!
	wait_ready "$T/$mode.ready" "responder $mode" "$T/$mode.err"
	printf -v "PORT_$mode" '%s' "$port"
}
PORT_loop='' PORT_same='' PORT_silent='' PORT_eom='' PORT_eomafter='' PORT_slow=''
for m in loop same silent eom eomafter slow; do
	start_responder "$m"
done

# run NAME ARGS... — snmpfleet under a hang guard; RC and $T/NAME.{out,err}.
run() {
	local name=$1
	shift
	timeout 60 "$SNMPFLEET" -q "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
}
LOOPVALS="[('$R.1.1', 'INTEGER', 1), ('$R.1.2', 'INTEGER', 2), ('$R.1.3', 'INTEGER', 3)]"
LOOPERR="OID not increasing: $R.1.3 >= $R.1.1"

# ------------------------------------------------------------- loop
H=127.0.0.1:$PORT_loop
: >"$T/loop.log"
run loop -H "$H" -t 2 -r 1 -F jsonl -w "$R"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "loop (GETBULK): the run ends"
is "$RC" 1 "loop (GETBULK): exit 1"
is "$(rec "$T/loop.out" 'r["status"]')" error "loop (GETBULK): status error"
is "$(rec "$T/loop.out" 'r.get("error")')" "$LOOPERR" \
    "loop (GETBULK): error names the two OIDs"
is "$(rec "$T/loop.out" vals)" "$LOOPVALS" \
    "loop (GETBULK): the three values before the loop are kept"

is "$(uniq "$T/loop.log")" "getbulk $R" "v2c: one GETBULK request (its answer holds the loop)"
: >"$T/loop.log"
run loop1 -H "$H" -t 2 -r 1 -F jsonl --max-repetitions 1 -w "$R"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "loop, --max-repetitions 1: the run ends"
is "$RC" 1 "loop, --max-repetitions 1: exit 1"
is "$(rec "$T/loop1.out" '(r["status"], r.get("error"))')" \
    "('error', '$LOOPERR')" "loop, --max-repetitions 1 (wrap across requests): status error"
is "$(rec "$T/loop1.out" vals)" "$LOOPVALS" \
    "loop, --max-repetitions 1: the three values are kept"

is "$(uniq "$T/loop.log")" "getbulk $R
getbulk $R.1.1
getbulk $R.1.2
getbulk $R.1.3" "--max-repetitions 1: one GETBULK per value, the last answered with R.1.1"
: >"$T/loop.log"
run loopv1 -H "$H" -v 1 -t 2 -r 1 -F jsonl -w "$R"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "loop, v1 (GETNEXT): the run ends"
is "$RC" 1 "loop, v1 (GETNEXT): exit 1"
is "$(rec "$T/loopv1.out" '(r["status"], r.get("error"))')" \
    "('error', '$LOOPERR')" "loop, v1 (GETNEXT): status error"
is "$(rec "$T/loopv1.out" vals)" "$LOOPVALS" "loop, v1: the three values are kept"
is "$(uniq "$T/loop.log")" "getnext $R
getnext $R.1.1
getnext $R.1.2
getnext $R.1.3" "v1: GETNEXT, one per value"

run looptext -H "$H" -t 1 -r 1 -F text -w "$R"
is "$(cat "$T/looptext.out")" "$H .$R.1.1 = INTEGER: 1
$H .$R.1.2 = INTEGER: 2
$H .$R.1.3 = INTEGER: 3
$H # error: $LOOPERR" "loop, text: the values, then '# error: OID not increasing ...'"

# ------------------------------------------------------------- same
H=127.0.0.1:$PORT_same
run same -H "$H" -t 1 -r 1 -F jsonl -w "$R.5"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "same OID back: the run ends"
is "$RC" 1 "same OID back: exit 1"
like "$(rec "$T/same.out" '(r["status"], r.get("error"))')" \
    "^\('error', 'OID not increasing: $R\.5 >= $R\.5'\)$" \
    "same OID back: status error 'OID not increasing: A >= A'"
run samev1 -H "$H" -v 1 -t 1 -r 1 -F jsonl -w "$R.5"
is "$RC/$(rec "$T/samev1.out" 'r["status"]')" 1/error \
    "same OID back, v1: exit 1, status error"
like "$(rec "$T/samev1.out" 'r.get("error")')" "not increasing" \
    "same OID back, v1: the error says not increasing"

# A bad agent fails only its own target: snmpd next to it is fine.
start_snmpd
run mixed -H "127.0.0.1:$PORT_loop" -H "127.0.0.1:$SNMPD_PORT" -t 1 -r 1 \
    -F jsonl -w "$R" -w 1.3.6.1.2.1.1.9.1.2
is "$RC" 1 "loop agent and snmpd in one run: exit 1"
is "$(python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted((r["port"], r["status"]) for r in recs))' "$T/mixed.out")" \
    "$(python3 -c 'import sys; print(sorted([(int(sys.argv[1]), "error"), (int(sys.argv[2]), "ok")]))' \
    "$PORT_loop" "$SNMPD_PORT")" \
    "one record each: the loop agent error, snmpd ok"
n_ref=$(snmpbulkwalk -On -v2c -c public "127.0.0.1:$SNMPD_PORT" 1.3.6.1.2.1.1.9.1.2 | wc -l)
is "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["port"] == int(sys.argv[2]):
        print(len([v for v in r["values"] if v["oid"].startswith("1.3.6.1.2.1.1.9.1.2.")]))' \
    "$T/mixed.out" "$SNMPD_PORT")" "$n_ref" "snmpd's walk in the same run is complete"

# ------------------------------------------------------------- silent
H=127.0.0.1:$PORT_silent
: >"$T/silent.log"
run silent -H "$H" -t 0.5 -r 1 -F jsonl --max-repetitions 3 -w "$R.1"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "silent after the first answer: the run ends"
is "$RC" 1 "silent after the first answer: exit 1"
is "$(rec "$T/silent.out" 'r["status"]')" timeout "status timeout"
is "$(rec "$T/silent.out" vals)" \
    "[('$R.1.1', 'INTEGER', 11), ('$R.1.2', 'INTEGER', 12), ('$R.1.3', 'INTEGER', 13)]" \
    "the values of the first answer are recorded"
is "$(uniq "$T/silent.log")" "getbulk $R.1
getbulk $R.1.3" "the walk went on from the last OID, then gave up"
is "$(grep -c "^getbulk $R\.1\.3\$" "$T/silent.log")" 2 \
    "the unanswered request was sent twice (-r 1)"

: >"$T/silent.log"
run silent2 -H "$H" -t 0.5 -r 1 -F jsonl --max-repetitions 3 -w "$R.1" -w "$R.2"
is "$RC/$(rec "$T/silent2.out" 'r["status"]')" 1/timeout \
    "two walks, the first times out: exit 1, status timeout"
is "$(rec "$T/silent2.out" '[o for o, t, v in vals]')" \
    "['$R.1.1', '$R.1.2', '$R.1.3']" "the partial values of the first walk are kept"
is "$(grep -c " $R\.2" "$T/silent.log")" 0 \
    "the second walk of the timed-out target is never started" ||
    diag "$(cat "$T/silent.log")"

run silenttext -H "$H" -t 0.5 -r 1 -F text --max-repetitions 3 -w "$R.1"
is "$(cat "$T/silenttext.out")" "$H .$R.1.1 = INTEGER: 11
$H .$R.1.2 = INTEGER: 12
$H .$R.1.3 = INTEGER: 13
$H # timeout" "text: the partial values, then '# timeout'"

# ------------------------------------------------- endOfMibView at once
H=127.0.0.1:$PORT_eom
run eom -H "$H" -t 1 -r 1 -F jsonl -w "$R"
ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "endOfMibView at once: the run ends"
is "$RC" 0 "endOfMibView at once: exit 0"
is "$(rec "$T/eom.out" '(r["status"], vals)')" \
    "('ok', [('$R', 'endOfMibView', None)])" \
    "endOfMibView at once: status ok, the endOfMibView varbind shown"
run eomtext -H "$H" -t 1 -r 1 -F text -w "$R"
snmpbulkwalk -On -v2c -c public -t 1 -r 1 "$H" "$R" >"$T/eom.snmpbulkwalk" 2>&1
sed "s/^$H //" "$T/eomtext.out" >"$T/eomtext.nohost"
is_file "$T/eomtext.nohost" "$T/eom.snmpbulkwalk" \
    "endOfMibView at once, text: equals snmpbulkwalk -On"

# ------------------------------------- endOfMibView after the last value
H=127.0.0.1:$PORT_eomafter
run eomafter -H "$H" -t 1 -r 1 -F jsonl -w "$R"
is "$RC" 0 "endOfMibView after two values: exit 0"
is "$(rec "$T/eomafter.out" '(r["status"], vals)')" \
    "('ok', [('$R.1.1', 'INTEGER', 1), ('$R.1.2', 'INTEGER', 2), ('$R.1.2', 'endOfMibView', None)])" \
    "endOfMibView after two values: both values and the endOfMibView varbind"
run eomaftertext -H "$H" -t 1 -r 1 -F text -w "$R"
snmpbulkwalk -On -v2c -c public -t 1 -r 1 "$H" "$R" >"$T/eomafter.snmpbulkwalk" 2>&1
sed "s/^$H //" "$T/eomaftertext.out" >"$T/eomaftertext.nohost"
is_file "$T/eomaftertext.nohost" "$T/eomafter.snmpbulkwalk" \
    "endOfMibView after two values, text: equals snmpbulkwalk -On"
run eomafter1 -H "$H" -t 1 -r 1 -F jsonl --max-repetitions 1 -w "$R"
is "$(rec "$T/eomafter1.out" '(r["status"], [o for o, t, v in vals])')" \
    "('ok', ['$R.1.1', '$R.1.2', '$R.1.2'])" \
    "endOfMibView after two values, --max-repetitions 1: same result"

# ------------------------------------------- requests in flight per target
H=127.0.0.1:$PORT_slow
maxinflight() { awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$T/slow.log"; }
: >"$T/slow.log"
run slow1 -H "$H" -t 5 -r 0 -F jsonl --max-repetitions 2 \
    -w "$R.1" -w "$R.2" "$R.3.1"
is "$RC/$(rec "$T/slow1.out" '(r["status"], len(vals))')" "0/('ok', 13)" \
    "slow agent, a GET and two walks: all 13 values" || diag "$(cat "$T/slow1.err")"
is "$(maxinflight)" 1 "by default one request in flight per target"
: >"$T/slow.log"
run slow3 -H "$H" -t 5 -r 0 -F jsonl --max-repetitions 2 --per-target 3 \
    -w "$R.1" -w "$R.2" "$R.3.1"
is "$(rec "$T/slow3.out" '(r["status"], [o for o, t, v in vals] == sorted([o for o, t, v in vals], key=lambda o: (o != "'"$R"'.3.1", [int(x) for x in o.split(".")])), len(vals))')" \
    "('ok', True, 13)" "--per-target 3: the same 13 values, in plan order"
is "$(maxinflight)" 3 "--per-target 3: the GET list and both walks in flight at once"

done_testing
