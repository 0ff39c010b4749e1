#!/usr/bin/env bash
# bench/bench-sim.sh — benchmark (not a test): how many GET responses per
# second snmpfleet-sim gives on one core.  The sim runs pinned to one CPU;
# the load comes from the other CPU, from bench/sim-load.c (a minimal
# sendmmsg client, open loop: it sends as fast as it can and never reads,
# so the sim, not the client, saturates) and from snmpfleet itself.  For
# each run it prints the sim's responses per second of wall time, its CPU
# use, and responses per second of the sim's own CPU time (what one
# dedicated core would give).  Also prints --bench-codec's comparison of
# the sim's codec with net-snmp's.
#
# usage: bench/bench-sim.sh [-d SECONDS] [-n ADDRESSES]
#   -d  seconds of load per run (default 5)
#   -n  distinct loopback addresses (default 262144, i.e. 127.0.0.0/14)
#
# Loopback only: every packet goes to 127.0.0.0/8.

set -u

D=5
N=262144
while getopts 'd:n:h' opt; do
	case $opt in
	d) D=$OPTARG ;;
	n) N=$OPTARG ;;
	*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
case $D$N in *[!0-9]*) echo "bench-sim: -d and -n take whole numbers" >&2; exit 2 ;; esac

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_sim
need_snmpfleet

LOAD=$LIB_TMP/sim-load
${CC:-cc} -O2 -o "$LOAD" "$HERE/sim-load.c" || bail_out "cannot build sim-load"
TCK=$(getconf CLK_TCK)
PIN_SIM=() PIN_LOAD=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_SIM=(taskset -a -cp 1)
	PIN_LOAD=(taskset -c 0)
fi

# cpu_ticks PID — user+system clock ticks of the process (all threads).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

row() {	# LABEL ANSWERED WALL-SECONDS CPU-SECONDS
	awk -v l="$1" -v a="$2" -v w="$3" -v c="$4" 'BEGIN {
		printf "| %s | %d | %.0f | %.0f%% | %.0f | %.2f |\n", l, a,
		    a / w, 100 * c / w, (c > 0 ? a / c : 0),
		    (a > 0 ? 1e6 * c / a : 0) }'
}

# The loads; each sends to the sim on $SIM_PORT.
load_blast() {	# OIDS
	"${PIN_LOAD[@]}" "$LOAD" -p "$SIM_PORT" -d "$D" -n "$N" -k "$1" -w 0
}
load_snmpfleet() {	# OID...
	"${PIN_LOAD[@]}" "$SNMPFLEET" -H "127.0.0.1-127.$((N / 65536)).$((N / 256 % 256)).$((N % 256))" \
	    --port "$SIM_PORT" -j 1024 -P 1 -o /dev/null "$@"
}

# run LABEL LOAD ARG... — a fresh sim (pinned) under that load; one row.
run() {
	local label=$1 c0 c1 a0 a1 t0 t1
	shift
	start_sim
	[ "${#PIN_SIM[@]}" -gt 0 ] && "${PIN_SIM[@]}" "$SIM_PID" >/dev/null
	a0=$(sim_counter answered)
	c0=$(cpu_ticks "$SIM_PID")
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 </dev/null
	t1=$EPOCHREALTIME
	c1=$(cpu_ticks "$SIM_PID")
	a1=$(sim_counter answered)
	stop_sim
	row "$label" "$((a1 - a0))" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	    "$(awk -v a="$c0" -v b="$c1" -v t="$TCK" 'BEGIN { print (b - a) / t }')"
}

echo "snmpfleet-sim pinned to one CPU; load from another ($(nproc) CPUs, $(uname -sr))"
echo
echo "| load | responses | responses/s (wall) | sim CPU | responses per sim CPU-second | sim µs CPU per response |"
echo "|---|---|---|---|---|---|"
run "sim-load, GET sysName.0, open loop, $D s" load_blast 1
run "sim-load, GET 3 system scalars, open loop, $D s" load_blast 3
run "snmpfleet -j 1024 -P 1, sysName.0, $N hosts" load_snmpfleet sysName.0
run "snmpfleet -j 1024 -P 1, 3 system scalars, $N hosts" load_snmpfleet \
    sysName.0 sysDescr.0 sysUpTime.0
echo
"$SNMPFLEET_SIM" --bench-codec 1000000 | sed 's/^/    /'
