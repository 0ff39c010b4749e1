#!/usr/bin/env bash
# bench/bench-meaning.sh — benchmark (not a test): what the meaning layer
# costs.  The CPU per target of a GET of the interfaces profile (ifNumber.0,
# ifTable, ifXTable) on NT snmpfleet-sim devices (4 interfaces each):
#   base   the OLD binary (before the MIB layer) into -F jsonl, no lookups;
#   jsonl  the NEW binary, the same run;
#   prom   the NEW binary into -F prom (a family per object, ifIndex labels);
#   if_mib the NEW binary, --profile if_mib -F prom (ifAlias, ifDescr and
#          ifName as lookup labels on every series, ifType as info).
# Alternating runs (base, jsonl, prom, if_mib, base, ...), ROUNDS each; the
# median and range of user+sys CPU per target (getrusage of the children)
# and the ratio to base.  -P 1 -j 256; records go to a file in the temp dir
# (prom must stage and group them).  Loopback only.
#
# usage: bench/bench-meaning.sh [-t NT] [-n ROUNDS] OLD NEW

set -u
NT=10000
ROUNDS=5
while getopts 't:n:h' opt; do
	case $opt in
	t) NT=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	*) sed -n '2,17p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,17p' "$0"; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")

. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
SNMPFLEET=$NEW
need_snmpfleet
need_sim
need_python

# cpu_us BIN ARGS... — one run's CPU per target, in µs.
cpu_us() { cpu_per_target "$NT" "$@"; }

SIM_PIN=
command -v taskset >/dev/null 2>&1 && SIM_PIN=1
start_sim
[ -n "$SIM_PIN" ] && taskset -a -cp "$(($(nproc) - 1))" "$SIM_PID" >/dev/null 2>&1
make_hosts "$NT" >"$LIB_TMP/hosts"
COMMON=(-q -i "$LIB_TMP/hosts" --port "$SIM_PORT" -P 1 -j 256 -t 2 -r 1)
for k in base jsonl prom if_mib; do : >"$LIB_TMP/$k"; done
for ((i = 0; i < ROUNDS; i++)); do
	cpu_us "$OLD" "${COMMON[@]}" --profile interfaces -F jsonl \
	    -o "$LIB_TMP/o.base" >>"$LIB_TMP/base"
	cpu_us "$NEW" "${COMMON[@]}" --profile interfaces -F jsonl \
	    -o "$LIB_TMP/o.jsonl" >>"$LIB_TMP/jsonl"
	cpu_us "$NEW" "${COMMON[@]}" --profile interfaces -F prom \
	    -o "$LIB_TMP/o.prom" >>"$LIB_TMP/prom"
	cpu_us "$NEW" "${COMMON[@]}" --profile if_mib -F prom \
	    -o "$LIB_TMP/o.if_mib" >>"$LIB_TMP/if_mib"
	rm -f "$LIB_TMP"/o.*
done
read -r bm _ _ < <(stats "$LIB_TMP/base")
echo "| run | µs CPU per target, median (range) | / base |"
echo "|---|---|---|"
for k in base jsonl prom if_mib; do
	read -r m lo hi < <(stats "$LIB_TMP/$k")
	printf '| %s | %s (%s-%s) | %s |\n' "$k" "$m" "$lo" "$hi" \
	    "$(awk -v a="$bm" -v b="$m" 'BEGIN { printf "%.3f", b / a }')"
done
echo
echo "$NT sim devices, --profile interfaces (if_mib: its own walks), -P 1 -j 256; $ROUNDS alternating runs each"
echo "old: $OLD"
echo "new: $NEW"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
