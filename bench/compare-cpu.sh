#!/usr/bin/env bash
# bench/compare-cpu.sh — benchmark (not a test): the CPU per target of two
# snmpfleet binaries, side by side, in alternating runs so that whatever
# else the machine does weighs on both alike.  For a change that must not
# cost speed (a refactor): build the old tree somewhere, then
#
#   bench/compare-cpu.sh /path/to/old/snmpfleet ./snmpfleet
#
# Loads, as in bench-all.sh's phases A and B:
#   A  one Debian snmpd on a free loopback port, NA targets, GET sysDescr.0
#      sysUpTime.0 sysName.0, -P 1 -j 32 (no burst loss at the agent);
#   B  snmpfleet-sim (pinned to the last CPU when taskset is there), NB
#      targets, the same three OIDs, -P 1 -j 1024.
# Each load runs ROUNDS times per binary (old, new, old, new, ...); the
# table gives the median and the spread of user+sys CPU per target (GNU
# getrusage) and new/old.  Loopback only.
#
# usage: bench/compare-cpu.sh [-a NA] [-b NB] [-n ROUNDS] OLD NEW

set -u
NA=10000
NB=100000
ROUNDS=7
while getopts 'a:b:n:h' opt; do
	case $opt in
	a) NA=$OPTARG ;;
	b) NB=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,20p' "$0"; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")

. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
SNMPFLEET=$NEW
need_snmpfleet
need_sim
need_python

# cpu_us BIN NTARGETS ARGS... — one run's CPU per target, in µs.
cpu_us() {
	cpu_per_target "$2" "$1" "${@:3}" -q -F jsonl -o /dev/null
}

# compare NAME NTARGETS ARGS... — ROUNDS alternating runs; one table row.
compare() {
	local name=$1 n=$2 i om nm
	shift 2
	: >"$LIB_TMP/old" && : >"$LIB_TMP/new"
	for ((i = 0; i < ROUNDS; i++)); do
		cpu_us "$OLD" "$n" "$@" >>"$LIB_TMP/old"
		cpu_us "$NEW" "$n" "$@" >>"$LIB_TMP/new"
	done
	read -r om omin omax < <(stats "$LIB_TMP/old")
	read -r nm nmin nmax < <(stats "$LIB_TMP/new")
	printf '| %s | %s (%s-%s) | %s (%s-%s) | %s |\n' "$name" "$om" "$omin" \
	    "$omax" "$nm" "$nmin" "$nmax" \
	    "$(awk -v a="$om" -v b="$nm" 'BEGIN { printf "%.3f", b / a }')"
}

echo "| load | old µs CPU/target, median (range) | new | new/old |"
echo "|---|---|---|---|"
start_snmpd
make_hosts "$NA" >"$LIB_TMP/hosts-a"
compare "A: snmpd, $NA targets, 3 OIDs, -P 1 -j 32" "$NA" -i "$LIB_TMP/hosts-a" \
    --port "$SNMPD_PORT" -P 1 -j 32 -t 2 -r 1 sysDescr.0 sysUpTime.0 sysName.0
stop_snmpd
SIM_PIN=
command -v taskset >/dev/null 2>&1 && SIM_PIN=1
start_sim
[ -n "$SIM_PIN" ] && taskset -a -cp "$(($(nproc) - 1))" "$SIM_PID" >/dev/null 2>&1
make_hosts "$NB" >"$LIB_TMP/hosts-b"
compare "B: sim, $NB targets, 3 OIDs, -P 1 -j 1024" "$NB" -i "$LIB_TMP/hosts-b" \
    --port "$SIM_PORT" -P 1 -j 1024 -t 2 -r 1 sysDescr.0 sysUpTime.0 sysName.0
echo
echo "old: $OLD"
echo "new: $NEW"
echo "$ROUNDS alternating runs each; $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
