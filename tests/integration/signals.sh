#!/usr/bin/env bash
# signals.sh — SIGINT and SIGTERM stop a long run cleanly: exit 130 / 143,
# the output holds only whole records (those finished before the signal),
# the summary says the run was interrupted and how many targets were not
# finished, and no process is left behind.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
NLIVE=100
NTOTAL=2000

# 100 answering targets first, then 1,900 on a port where nothing listens.
# With -t 5 -r 0 and 256 in flight the dead ones would take about 40 s.
live_dead_inventory "$NLIVE" "$NTOTAL" "$P" "$DEAD" >"$T/inventory"

# Start programs the way a shell with job control would: SIGINT and
# SIGTERM at their defaults, in a session of their own so that we can look
# for leftovers afterwards.
launch_init --default-signals

# interrupt SIGNAL EXPECTED-STATUS
interrupt() {
	local sig=$1 want=$2 out=$T/r-$1.jsonl err=$T/err-$1 pid rc n
	"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/inventory" -t 5 -r 0 -F jsonl \
	    -o "$out" sysName.0 sysUpTime.0 </dev/null >"$T/out-$sig" 2>"$err" &
	pid=$!
	track_pid "$pid"
	# Wait for the live records (bounded by the run itself, which ends
	# by its own timeouts if it never writes them).
	wait_lines "$out" "$NLIVE" "$pid"
	n=$(file_lines "$out")
	ok $((n >= NLIVE ? 0 : 1)) "$sig: the $NLIVE live records were written before the signal ($n lines)"
	kill -0 "$pid" 2>/dev/null
	ok $? "$sig: the run is still going when the signal is sent"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	is "$rc" "$want" "$sig: exit status $want"
	check_interrupted "$sig" "$out" "$err" "$P" "$NLIVE" "$NTOTAL"
	is "$(cat "$T/out-$sig")" "" "$sig: nothing on stdout with -o"
	# Nothing of the run is left: not the process, not a child of it.
	launched_no_leftovers "$pid" "$sig: no process is left in the run's session" \
	    "$sig: the process is gone"
}

interrupt INT 130
interrupt TERM 143

done_testing
