#!/usr/bin/env bash
# pool-sigint.sh — SIGINT / SIGTERM to the parent of a -P 4 pool reach every
# worker: they stop claiming, write the records they finished, and the run
# exits 130 / 143 with a partial summary ("interrupted", "N not finished",
# records written + not finished = targets), only whole records in the
# file, and no worker left behind.  Also SIGINT to the whole process group,
# as Ctrl-C on a terminal sends it.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
NLIVE=100
NTOTAL=4000
PROCS=4

# 100 answering targets first, then 3,900 on a port where nothing listens:
# with -t 5 -r 0 and 4 x 256 in flight the dead ones would take ~20 s.
live_dead_inventory "$NLIVE" "$NTOTAL" "$P" "$DEAD" >"$T/inventory"

# As a shell with job control starts programs: SIGINT and SIGTERM at their
# defaults, in a session (and process group) of their own.
launch_init --default-signals

# interrupt NAME SIGNAL TARGET EXPECTED-STATUS — TARGET is "parent" (kill
# the parent's pid) or "group" (kill its whole process group).
interrupt() {
	local name=$1 sig=$2 to=$3 want=$4 out=$T/r-$1.jsonl err=$T/err-$1
	local pid rc n workers start
	start=$EPOCHREALTIME
	"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/inventory" -P "$PROCS" -t 5 -r 0 -F jsonl \
	    -o "$out" sysName.0 sysUpTime.0 </dev/null >"$T/out-$name" 2>"$err" &
	pid=$!
	track_pid "$pid"
	# Wait for the live records (bounded by the run itself, which ends
	# by its own timeouts if it never writes them).
	wait_lines "$out" "$NLIVE" "$pid"
	n=$(file_lines "$out")
	ok $((n >= NLIVE ? 0 : 1)) "$name: the $NLIVE live records were written before the signal ($n lines)"
	workers=$(pgrep -P "$pid" 2>/dev/null | wc -l)
	is "$workers" "$PROCS" "$name: $PROCS workers are running when the signal is sent"
	kill -0 "$pid" 2>/dev/null
	ok $? "$name: the run is still going when the signal is sent"
	if [ "$to" = group ] && [ "${LAUNCH[0]:-}" = setsid ]; then
		kill -s "$sig" -- "-$pid" 2>/dev/null
	else
		kill -s "$sig" "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	diag "$name: $(elapsed_since "$start") s; stderr:" "$(cat "$err")"
	is "$rc" "$want" "$name: exit status $want"
	check_interrupted "$name" "$out" "$err" "$P" "$NLIVE" "$NTOTAL"
	unlike "$(cat "$err")" "was killed by signal|exited with status|polling [0-9]+ unfinished" \
	    "$name: the workers' ends are not reported as crashes, nothing is polled again"
	is "$(cat "$T/out-$name")" "" "$name: nothing on stdout with -o"
	# Nothing of the run is left: not the parent, not a worker.
	if [ "${LAUNCH[0]:-}" = setsid ]; then
		sleep 0.2
		is "$(pgrep -s "$pid" 2>/dev/null)" "" "$name: no process is left in the run's session"
	else
		is "$(pgrep -P "$pid" 2>/dev/null)" "" "$name: no worker is left"
	fi
}

interrupt INT INT parent 130
interrupt TERM TERM parent 143
interrupt INT-group INT group 130

done_testing
