#!/usr/bin/env bash
# ops-deadline.sh — --deadline SECONDS bounds the whole run and
# --target-deadline SECONDS one target's total work (all its GETs and
# walks).  When a deadline passes, work in flight is abandoned, every
# unfinished target gets one record with status "deadline" (text
# "HOST # deadline", jsonl "status":"deadline", values so far kept), the
# summary says "N deadline" and the exit status is 4.  A worker that is
# still running 2 s after the run's deadline is SIGKILLed by the parent,
# which writes the deadline records itself.
#
# No wall-clock limits: how long a run took is read from what the program
# reports (the --stats-file duration_s and start, record timestamps).
# Loopback only: a real snmpd, snmpfleet-sim for slow agents.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd
start_sim --slow 50:200

plan 66

T=$LIB_TMP
P=$SNMPD_PORT
SP=$SIM_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
DL=2		# --deadline
NLIVE=20
NDEAD=20

# Long runs are started in a session of their own (setsid), with SIGINT
# and SIGTERM at their defaults, so that session_no_leftovers (lib.sh)
# can check that nothing of them is left.
launch_init --default-signals

# Live targets first (so that they are polled before any slot waits on a
# silent one), then as many on a port where nothing listens.
live_dead_inventory "$NLIVE" $((NLIVE + NDEAD)) "$P" "$DEAD" >"$T/inventory"

# facts JSONL STATS [LIVEPORT] — what the records and the stats file say,
# as "key value" lines (see fact).
facts() {
	python3 - "$@" <<'PY'
import json, sys
from datetime import datetime, timezone

recs = [json.loads(l) for l in open(sys.argv[1])]
st = json.load(open(sys.argv[2]))
live = int(sys.argv[3]) if len(sys.argv) > 3 else None

def ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()

start = ts(st["start"])
by = {}
for r in recs:
    by.setdefault(r["status"], []).append(r)
print("records", len(recs))
print("unique", len({(r["host"], r["port"]) for r in recs}))
for s in ("ok", "timeout", "error", "deadline"):
    print("n_" + s, len(by.get(s, [])))
if live is not None:
    print("live_ok", sum(1 for r in by.get("ok", []) if r["port"] == live
                         and r["values"]))
    print("dead_deadline", sum(1 for r in by.get("deadline", [])
                               if r["port"] != live))
print("deadline_no_values", sum(1 for r in by.get("deadline", [])
                                if r["values"] == []))
print("deadline_rtt_null", sum(1 for r in by.get("deadline", [])
                               if r["rtt_ms"] is None))
for k in ("ok", "timeout", "error", "deadline", "not_finished"):
    print("st_" + k, st["status"][k])
print("st_targets", st["targets"])
print("st_exit", st["exit_status"])
print("st_interrupted", str(st["interrupted"]).lower())
print("duration", st["duration_s"])
print("workers", st["workers"])
# record times, relative to the run's start (ms resolution)
dl = [ts(r["time"]) - start for r in by.get("deadline", [])]
okt = [ts(r["time"]) - start for r in by.get("ok", [])]
print("deadline_first", "%.3f" % min(dl) if dl else "none")
print("deadline_last", "%.3f" % max(dl) if dl else "none")
print("ok_last", "%.3f" % max(okt) if okt else "none")
PY
}

fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts"; }

# le A B — A <= B (decimals)
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# ------------------------------------------- --deadline, -P 1 and -P 2
for procs in 1 2; do
	name="-P $procs"
	"$SNMPFLEET" -i "$T/inventory" -P "$procs" -t 30 -r 0 --deadline "$DL" \
	    -F jsonl -o "$T/run$procs.jsonl" --stats-file "$T/run$procs.json" \
	    sysName.0 sysDescr.0 </dev/null >"$T/run$procs.out" 2>"$T/run$procs.err"
	RC=$?
	diag "$name: $(cat "$T/run$procs.err")"
	is "$RC" 4 "$name: --deadline $DL with silent targets (-t 30) exits 4"
	check "$name: every line is a whole JSON record" jsonl_check "$T/run$procs.jsonl"
	facts "$T/run$procs.jsonl" "$T/run$procs.json" "$P" >"$T/facts"
	is "$(fact records)/$(fact unique)" "$((NLIVE + NDEAD))/$((NLIVE + NDEAD))" \
	    "$name: one record per target"
	is "$(fact live_ok)" "$NLIVE" "$name: the $NLIVE live targets are ok, with values"
	is "$(fact dead_deadline)" "$NDEAD" "$name: the $NDEAD silent targets have status deadline"
	is "$(fact deadline_no_values)/$(fact deadline_rtt_null)" "$NDEAD/$NDEAD" \
	    "$name: deadline records have no values and rtt_ms null"
	like "$(cat "$T/run$procs.err")" \
	    "^snmpfleet: $((NLIVE + NDEAD)) targets: $NLIVE ok, 0 timeout, 0 error, $NDEAD deadline in " \
	    "$name: the summary says \"$NDEAD deadline\""
	is "$(fact st_ok)/$(fact st_deadline)/$(fact st_timeout)/$(fact st_not_finished)/$(fact st_exit)" \
	    "$NLIVE/$NDEAD/0/0/4" "$name: the stats file agrees (ok/deadline/timeout/not_finished/exit)"
	D=$(fact duration)
	check "$name: the run's reported duration ${D}s is at most the deadline + 1 s" \
	    le "$D" $((DL + 1))
	check "$name: ... and it did wait for the deadline (${D}s >= $DL - 0.5 s)" \
	    le "$(awk -v d="$DL" 'BEGIN { print d - 0.5 }')" "$D"
	le "$(fact deadline_last)" $((DL + 1)) && le $((DL - 1)) "$(fact deadline_first)"
	ok $? "$name: deadline records are stamped at the deadline ($(fact deadline_first)..$(fact deadline_last) s after the start)"
	is "$(cat "$T/run$procs.out")" "" "$name: nothing on stdout with -o"
done

# ----------------------------------------- the same, as text records
"$SNMPFLEET" -i "$T/inventory" -P 2 -t 30 -r 0 --deadline "$DL" \
    sysName.0 </dev/null >"$T/text.out" 2>"$T/text.err"
RC=$?
is "$RC" 4 "text: exit 4"
is "$(grep -c " # deadline\$" "$T/text.out")" "$NDEAD" "text: $NDEAD lines 'HOST # deadline'"
is "$(grep " # deadline\$" "$T/text.out" | grep -cv "^127\.[0-9.]*:$DEAD # deadline\$")" 0 \
    "text: they are the silent targets, as HOST:PORT # deadline"
is "$(grep -c " = STRING: " "$T/text.out")" "$NLIVE" "text: the live targets' values are there"

# ---------------- a worker that overruns the deadline: the parent steps in
# A stopped worker (SIGSTOP) cannot end its targets itself: 2 s after the
# deadline the parent SIGKILLs it and writes their deadline records.
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/inventory" -P 2 -j 4 -t 30 -r 0 --deadline "$DL" \
    -F jsonl -o "$T/stop.jsonl" --stats-file "$T/stop.json" sysName.0 \
    </dev/null >"$T/stop.out" 2>"$T/stop.err" &
PID=$!
track_pid "$PID"
for ((i = 0; i < 200; i++)); do
	[ -f "$T/stop.jsonl" ] && [ "$(wc -l <"$T/stop.jsonl")" -ge "$NLIVE" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
WORKER=$(pgrep -P "$PID" | head -n 1)
if [ -n "$WORKER" ] && kill -STOP "$WORKER" 2>/dev/null; then
	pass "a worker ($WORKER) is stopped before the deadline"
else
	fail "a worker is stopped before the deadline"
fi
wait "$PID"
RC=$?
diag "stopped worker: $(cat "$T/stop.err")"
is "$RC" 4 "stopped worker: the run still ends, exit 4"
kill -0 "$WORKER" 2>/dev/null
ok $((! $?)) "stopped worker: the parent killed the overdue worker"
session_no_leftovers "$PID" "stopped worker: nothing of the run is left"
check "stopped worker: every line is a whole JSON record" jsonl_check "$T/stop.jsonl"
facts "$T/stop.jsonl" "$T/stop.json" "$P" >"$T/facts"
is "$(fact records)/$(fact unique)" "$((NLIVE + NDEAD))/$((NLIVE + NDEAD))" \
    "stopped worker: one record per target (the parent wrote the stopped worker's)"
is "$(fact live_ok)/$(fact dead_deadline)" "$NLIVE/$NDEAD" \
    "stopped worker: live ones ok, silent ones deadline"
is "$(fact st_deadline)/$(fact st_not_finished)/$(fact st_exit)" "$NDEAD/0/4" \
    "stopped worker: the stats file counts them as deadline, none not finished"
D=$(fact duration)
check "stopped worker: reported duration ${D}s is at most deadline + 2 s grace + 1 s" \
    le "$D" $((DL + 3))
check "stopped worker: every deadline record is stamped within deadline + 3 s ($(fact deadline_last) s)" \
    le "$(fact deadline_last)" $((DL + 3))
unlike "$(cat "$T/stop.err")" "polling [0-9]+ unfinished targets again" \
    "stopped worker: nothing is polled again after the deadline"
# The parent's own SIGKILL of an overdue worker is not a crash, and its
# targets are not "polled again" (they get deadline records).
unlike "$(cat "$T/stop.err")" "will be polled again" \
    "stopped worker: the overdue worker's SIGKILL is not reported as a crash to be re-polled"

# -------------------------------------------------- --target-deadline
# The sim makes half the addresses (a fixed set) answer 200 ms late.  A
# walk of the interfaces group with one row per request takes ~90 requests:
# instant for a fast address, ~18 s for a slow one.  With
# --target-deadline 1 every request of a slow target is well within -t,
# but all of them together are not.
make_hosts 40 | sed "s/\$/:$SP/" >"$T/sim-inventory"
"$SNMPFLEET" -i "$T/sim-inventory" -t 5 -r 0 --target-deadline 1 \
    -w 1.3.6.1.2.1.2 --max-repetitions 1 -F jsonl -o "$T/td.jsonl" \
    --stats-file "$T/td.json" sysName.0 </dev/null >"$T/td.out" 2>"$T/td.err"
RC=$?
diag "target deadline: $(cat "$T/td.err")"
is "$RC" 4 "--target-deadline: exit 4"
check "--target-deadline: every line is a whole JSON record" jsonl_check "$T/td.jsonl"
# the full walk of one fast target (one that was ok), for comparison
FAST=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["status"] == "ok":
        print(r["host"]); break' "$T/td.jsonl")
"$SNMPFLEET" -H "${FAST:-127.0.0.1}:$SP" -t 5 -w 1.3.6.1.2.1.2 --max-repetitions 1 -F jsonl \
    -o "$T/full.jsonl" sysName.0 </dev/null 2>/dev/null
python3 - "$T/td.jsonl" "$T/full.jsonl" "$T/td.json" >"$T/facts" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
full = [v["oid"] for v in json.loads(open(sys.argv[2]).readline())["values"]]
st = json.load(open(sys.argv[3]))
ok = [r for r in recs if r["status"] == "ok"]
dl = [r for r in recs if r["status"] == "deadline"]
print("records", len(recs))
print("other", len(recs) - len(ok) - len(dl))
print("n_ok", len(ok))
print("n_deadline", len(dl))
print("full_len", len(full))
print("ok_full", sum(1 for r in ok if len(r["values"]) == len(full)))
# partial values: more than sysName.0 alone, fewer than a full walk
print("dl_partial", sum(1 for r in dl if 1 < len(r["values"]) < len(full)))
# and they are the start of the walk, in order
print("dl_prefix", sum(1 for r in dl if [v["oid"] for v in r["values"]]
                       == full[:len(r["values"])]))
print("st_deadline", st["status"]["deadline"])
print("st_ok", st["status"]["ok"])
print("duration", st["duration_s"])
PY
diag "$(cat "$T/facts")"
is "$(fact records)/$(fact other)" "40/0" "--target-deadline: 40 records, each ok or deadline"
ok $(( $(fact n_ok) > 0 && $(fact n_deadline) > 0 ? 0 : 1 )) \
    "--target-deadline: fast targets finish ($(fact n_ok) ok), slow ones do not ($(fact n_deadline) deadline)"
is "$(fact ok_full)" "$(fact n_ok)" "--target-deadline: ok targets have the whole walk ($(fact full_len) values)"
is "$(fact dl_partial)" "$(fact n_deadline)" \
    "--target-deadline: deadline records keep the values so far (partial walk)"
is "$(fact dl_prefix)" "$(fact n_deadline)" "--target-deadline: ... the start of the walk, in order"
is "$(fact st_deadline)/$(fact st_ok)" "$(fact n_deadline)/$(fact n_ok)" \
    "--target-deadline: the stats file agrees"
like "$(cat "$T/td.err")" " $(fact n_deadline) deadline in " \
    "--target-deadline: the summary says \"$(fact n_deadline) deadline\""
D=$(fact duration)
# Every target starts at once (-j 256 > 40): the run takes about one
# target deadline, not one per slow target.
check "--target-deadline: reported duration ${D}s is at most the target deadline + 1 s" \
    le "$D" 2

# Text: the partial values, then "HOST # deadline".
"$SNMPFLEET" -H "127.0.0.1:$SP" -H "127.0.0.2:$SP" -H "127.0.0.3:$SP" -H "127.0.0.4:$SP" \
    -t 5 -r 0 --target-deadline 1 -w 1.3.6.1.2.1.2 --max-repetitions 1 \
    </dev/null >"$T/td.txt" 2>"$T/td-txt.err"
RC=$?
SLOWH=$(grep ' # deadline$' "$T/td.txt" | head -n 1 | cut -d' ' -f1)
if [ -n "$SLOWH" ]; then
	is "$RC" 4 "--target-deadline, text: exit 4"
	is "$(grep -c "^$SLOWH # deadline\$" "$T/td.txt")" 1 \
	    "--target-deadline, text: one '$SLOWH # deadline' line"
	is "$(grep "^$SLOWH " "$T/td.txt" | tail -n 1)" "$SLOWH # deadline" \
	    "--target-deadline, text: it ends the target's lines"
	ok $(( $(grep -c "^$SLOWH \.1\.3\.6\.1\.2\.1\.2\." "$T/td.txt") > 0 ? 0 : 1 )) \
	    "--target-deadline, text: the partial walk is printed before it"
else
	fail "--target-deadline, text: one of 4 sim addresses is slow"
	fail "--target-deadline, text: one 'HOST # deadline' line"
	fail "--target-deadline, text: it ends the target's lines"
	fail "--target-deadline, text: the partial walk is printed before it"
fi

# A GET-only target whose requests each fit in -t, under a target deadline
# longer than its work: unaffected.
"$SNMPFLEET" -i "$T/sim-inventory" -t 5 -r 0 --target-deadline 3 -F jsonl \
    sysName.0 </dev/null >"$T/td-get.jsonl" 2>"$T/td-get.err"
is "$?" 0 "--target-deadline 3 on one 200 ms GET per target: every target ok (exit 0)"
is "$(grep -c '"status":"ok"' "$T/td-get.jsonl")" 40 "... 40 ok records"

# --target-deadline and --deadline together: the earlier one wins.
"$SNMPFLEET" -i "$T/inventory" -t 30 -r 0 --deadline 1 --target-deadline 20 \
    -F jsonl --stats-file "$T/both.json" sysName.0 </dev/null >"$T/both.jsonl" 2>"$T/both.err"
is "$?" 4 "--deadline 1 with --target-deadline 20: exit 4"
facts "$T/both.jsonl" "$T/both.json" "$P" >"$T/facts"
is "$(fact dead_deadline)/$(fact live_ok)" "$NDEAD/$NLIVE" \
    "--deadline 1 with --target-deadline 20: silent targets end at the run's deadline"
check "--deadline 1 with --target-deadline 20: reported duration $(fact duration)s <= 2 s" \
    le "$(fact duration)" 2

# Exit status: a deadline outranks timeouts (4, not 1).
"$SNMPFLEET" -H "127.0.0.1:$DEAD" -H "127.0.0.2:$DEAD" -t 0.2 -r 0 \
    --target-deadline 0 --deadline 0 sysName.0 </dev/null >/dev/null 2>&1
is "$?" 1 "without deadlines, silent targets time out (exit 1)"
{
	echo "127.0.0.1:$DEAD timeout=0.2 retries=0"
	echo "127.0.0.2:$DEAD timeout=30 retries=0"
} >"$T/mixed-inventory"
"$SNMPFLEET" -i "$T/mixed-inventory" --deadline 1.5 -F jsonl sysName.0 \
    </dev/null >"$T/mixed.jsonl" 2>"$T/mixed.err"
is "$?" 4 "one timeout and one deadline: exit 4"
is "$(python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["status"] for l in open(sys.argv[1]))))' "$T/mixed.jsonl")" \
    "deadline timeout" "... the records say timeout and deadline"

# Bad values are usage errors.
for bad in -1 abc; do
	"$SNMPFLEET" -H "127.0.0.1:$P" --deadline "$bad" sysName.0 </dev/null >/dev/null 2>&1
	is "$?" 2 "--deadline $bad is a usage error (exit 2)"
	"$SNMPFLEET" -H "127.0.0.1:$P" --target-deadline "$bad" sysName.0 </dev/null >/dev/null 2>&1
	is "$?" 2 "--target-deadline $bad is a usage error (exit 2)"
done

done_testing
