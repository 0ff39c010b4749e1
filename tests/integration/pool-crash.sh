#!/usr/bin/env bash
# pool-crash.sh — a worker that dies never costs or doubles a record:
#
#  a) SNMPFLEET_TEST_FAULT=lock:500 — worker 0 SIGKILLs itself holding the
#     writer's mutex and flock, its batch announced but not written;
#  b) write:500 — the same just after its write(2), before the batch is
#     marked done;  exit:500 — it _exit(70)s after a flush;
#  c) workers SIGKILLed from outside in the middle of a run, wherever they
#     happen to be (maybe inside the lock).
#
# Each time: the run ends with exit 0, the death is reported on stderr, and
# the file holds exactly one ok record per target (host set equal to the
# inventory, none twice).  See tests/README for the fault hook.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_fault_injection
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT

launch_init

# expect_exactly_once NAME OUT HOSTS N — the standard record assertions.
expect_exactly_once() {
	local name=$1 out=$2 hosts=$3 n=$4
	check "$name: every line is a whole JSON object" jsonl_check "$out"
	records_facts "$out" "$hosts" "$P" >"$T/facts"
	is "$(fact lines)" "$n" "$name: exactly $n records" || show_why
	is "$(fact dup)" 0 "$name: no target has two records" || show_why
	is "$(fact missing)/$(fact extra)" "0/0" "$name: the host set is the inventory's" ||
	    show_why
	is "$(fact notok)" 0 "$name: every record is ok"
}

# ------------------------------------------------- a, b: the fault hook
N=10000
make_hosts "$N" >"$T/hosts-fault"

# fault SPEC REPORT-ERE
fault() {
	local spec=$1 report=$2 name=${1%%:*} out=$T/fault-${1%%:*}.jsonl err pid rc
	err=$T/err-$name
	START=$EPOCHREALTIME
	SNMPFLEET_TEST_FAULT=$spec "${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-fault" \
	    --port "$P" -P 4 -j 64 -t 2 -r 3 -F jsonl -o "$out" sysName.0 \
	    </dev/null >"$T/out-$name" 2>"$err" &
	pid=$!
	track_pid "$pid"
	wait "$pid"
	rc=$?
	diag "$spec: $(elapsed_since "$START") s; stderr:" "$(cat "$err")"
	is "$rc" 0 "$spec: exit status 0"
	like "$(cat "$err")" "^snmpfleet: worker 0 \(pid [0-9]+\) $report" \
	    "$spec: the death of worker 0 is reported"
	like "$(cat "$err")" "^snmpfleet: polling [1-9][0-9]* unfinished targets again" \
	    "$spec: its unfinished targets are polled again"
	like "$(cat "$err")" "^snmpfleet: $N targets: $N ok, 0 timeout, 0 error" \
	    "$spec: the summary counts every target once"
	expect_exactly_once "$spec" "$out" "$T/hosts-fault" "$N"
	launched_no_leftovers "$pid" "$spec: no process left behind"
}

fault lock:500 "was killed by signal 9"
fault write:500 "was killed by signal 9"
fault exit:500 "exited with status 70"

# -------------------------------------- c: SIGKILL from outside, twice
# --rate only makes the run last a few seconds, so that there is a run
# to kill workers in.
N=20000
make_hosts "$N" >"$T/hosts-kill"
OUT=$T/kill.jsonl
START=$EPOCHREALTIME
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-kill" --port "$P" -P 4 -j 16 -t 2 -r 3 \
    --rate 8000 -F jsonl -o "$OUT" sysName.0 </dev/null >"$T/out-kill" 2>"$T/err-kill" &
PID=$!
track_pid "$PID"
KILLED=()
for at in 1000 8000; do
	for ((i = 0; i < 1200; i++)); do
		[ "$(file_lines "$OUT")" -gt "$at" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	# a worker not killed before (a dead one may not be reaped yet)
	W=$(pgrep -P "$PID" 2>/dev/null | grep -vxF -f <(printf '%s\n' none "${KILLED[@]}") | head -n 1)
	if [ -n "$W" ] && kill -KILL "$W" 2>/dev/null; then
		KILLED+=("$W")
		diag "killed worker pid $W after $(file_lines "$OUT") records"
	fi
done
wait "$PID"
RC=$?
diag "20000 targets, 2 workers killed: $(elapsed_since "$START") s; stderr:" "$(cat "$T/err-kill")"
is "${#KILLED[@]}" 2 "kill: two workers were killed mid-run"
is "$RC" 0 "kill: exit status 0"
for W in "${KILLED[@]}"; do
	like "$(cat "$T/err-kill")" "^snmpfleet: worker [0-9]+ \(pid $W\) was killed by signal 9" \
	    "kill: the death of pid $W is reported"
done
like "$(cat "$T/err-kill")" "^snmpfleet: $N targets: $N ok, 0 timeout, 0 error" \
    "kill: the summary counts every target once"
expect_exactly_once kill "$OUT" "$T/hosts-kill" "$N"
launched_no_leftovers "$PID" "kill: no process left behind"

done_testing
