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
{
	make_hosts "$NLIVE" | sed "s/\$/:$P/"
	make_hosts "$NTOTAL" | tail -n +$((NLIVE + 1)) | sed "s/\$/:$DEAD/"
} >"$T/inventory"

# Start programs the way a shell with job control would: SIGINT and
# SIGTERM at their defaults (a non-interactive bash makes background jobs
# ignore SIGINT), in a session of their own so that we can look for
# leftovers afterwards.
LAUNCH=()
command -v setsid >/dev/null 2>&1 && LAUNCH+=(setsid)
env --default-signal=INT true 2>/dev/null && LAUNCH+=(env "--default-signal=INT,TERM")

# live_records FILE — how many complete lines FILE has.
lines() {
	[ -f "$1" ] || { echo 0; return; }
	wc -l <"$1"
}

# interrupt SIGNAL EXPECTED-STATUS
interrupt() {
	local sig=$1 want=$2 out=$T/r-$1.jsonl err=$T/err-$1 pid rc i n
	"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/inventory" -t 5 -r 0 -F jsonl \
	    -o "$out" sysName.0 sysUpTime.0 </dev/null >"$T/out-$sig" 2>"$err" &
	pid=$!
	track_pid "$pid"
	# Wait for the live records (bounded by the run itself, which ends
	# by its own timeouts if it never writes them).
	for ((i = 0; i < 600; i++)); do
		[ "$(lines "$out")" -ge "$NLIVE" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	n=$(lines "$out")
	ok $((n >= NLIVE ? 0 : 1)) "$sig: the $NLIVE live records were written before the signal ($n lines)"
	kill -0 "$pid" 2>/dev/null
	ok $? "$sig: the run is still going when the signal is sent"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	is "$rc" "$want" "$sig: exit status $want"
	check "$sig: every line of the output is a whole JSON record" jsonl_check "$out"
	python3 - "$out" "$P" >"$T/facts" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
live_port = int(sys.argv[2])
print("records", len(recs))
print("unique", len({(r.get("host"), r.get("port")) for r in recs}))
print("live_ok", sum(1 for r in recs if r.get("port") == live_port and r.get("status") == "ok"))
print("bad_status", sum(1 for r in recs if r.get("status") not in ("ok", "timeout", "error")))
PY
	fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts"; }
	is "$(fact live_ok)" "$NLIVE" "$sig: all $NLIVE live targets have an ok record"
	is "$(fact unique)" "$(fact records)" "$sig: no target has two records"
	is "$(fact bad_status)" 0 "$sig: every record has status ok, timeout or error"
	like "$(cat "$err")" "^snmpfleet: .*interrupted" "$sig: the summary says interrupted"
	like "$(cat "$err")" "[0-9]+ not finished" "$sig: the summary says how many were not finished"
	n=$(sed -nE 's/.*[^0-9]([0-9]+) not finished.*/\1/p' "$err" | head -n 1)
	is "$(( ${n:-0} + $(fact records) ))" "$NTOTAL" \
	    "$sig: records written + not finished = $NTOTAL targets (${n:-?} not finished)"
	is "$(cat "$T/out-$sig")" "" "$sig: nothing on stdout with -o"
	# Nothing of the run is left: not the process, not a child of it.
	if [ "${LAUNCH[0]:-}" = setsid ]; then
		sleep 0.2
		is "$(pgrep -s "$pid" 2>/dev/null)" "" "$sig: no process is left in the run's session"
	else
		kill -0 "$pid" 2>/dev/null
		ok $((! $?)) "$sig: the process is gone"
	fi
}

interrupt INT 130
interrupt TERM 143

done_testing
