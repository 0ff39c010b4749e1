#!/usr/bin/env bash
# bench/bench-walk.sh — benchmark (not a test): walk ifTable and ifXTable
# of N distinct loopback targets, all served by one real snmpd on a free
# loopback port, with snmpfleet (-w walks in text, -T tables in jsonl)
# and with "xargs -P 64 snmpbulkwalk" (one process per target and table),
# in the same run; print a markdown table of wall time, targets/s, CPU
# per target and peak RSS, and check that every tool got every value
# (N times what one snmpbulkwalk of each table returns).
#
# usage: bench/bench-walk.sh [-n TARGETS] [-x XARGS_TARGETS] [-j CONCURRENCY]
#   -n  targets for snmpfleet (default 1000)
#   -x  targets for xargs+snmpbulkwalk (default: TARGETS)
#   -j  snmpfleet's --concurrency (default: its own default)
#
# Exit 1 when a tool's count of values differs from the expected one.
# Loopback only: every packet goes to 127.0.0.0/8.

set -u

N=1000
NX=
CONC=
while getopts 'n:x:j:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	x) NX=$OPTARG ;;
	j) CONC=$OPTARG ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -n "$NX" ] || NX=$N
case $N$NX$CONC in *[!0-9]*) echo "bench-walk: -n, -x and -j take numbers" >&2; exit 2 ;; esac

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_snmpfleet
need_snmpget
need_python
command -v snmpbulkwalk >/dev/null 2>&1 || bail_out "snmpbulkwalk not found (apt-get install snmp)"

need_gnu_time bench-walk

start_snmpd
P=$SNMPD_PORT
T=$LIB_TMP
IFT=1.3.6.1.2.1.2.2
IFX=1.3.6.1.2.1.31.1.1
REPS=25		# max-repetitions for every tool (snmpfleet's default)

make_hosts "$N" >"$T/hosts"
head -n "$NX" "$T/hosts" >"$T/hosts-xargs"

# Values per target: what one snmpbulkwalk of each table returns.
nift=$(snmpbulkwalk -On -v2c -c public -Cr"$REPS" "127.0.0.1:$P" "$IFT" | grep -c '^\.')
nifx=$(snmpbulkwalk -On -v2c -c public -Cr"$REPS" "127.0.0.1:$P" "$IFX" | grep -c '^\.')
PER=$((nift + nifx))
[ "$PER" -gt 0 ] || bail_out "snmpd has no ifTable/ifXTable values"

ROWS=()
MISMATCH=0
# row TOOL TARGETS TIMEFILE VALUES — one table row from GNU time's
# "%e %U %S %M" line.
row() {
	local tool=$1 n=$2 values=$4 e u s m want
	read -r e u s m <"$3"
	want=$((n * PER))
	[ "$values" = "$want" ] || MISMATCH=1
	ROWS+=("$(awk -v t="$tool" -v h="$n" -v e="$e" -v u="$u" -v s="$s" \
	    -v m="$m" -v a="$values" -v w="$want" 'BEGIN {
		x = e > 0 ? e : 0.01
		printf "| %s | %d | %.2f | %.0f | %.0f | %.1f | %d of %d%s |",
		    t, h, e, h / x, (u + s) * 1e6 / h, m / 1024, a, w,
		    a == w ? "" : " MISMATCH"
	}')")
}

echo "bench-walk: snmpd on udp:0.0.0.0:$P; $N targets; ifTable ($nift values) + ifXTable ($nifx values) each" >&2

# ------------------------------------------------------ snmpfleet -w, text
echo "bench-walk: snmpfleet -w $IFT -w $IFX -F text, $N targets" >&2
"$GTIME" -f '%e %U %S %M' -o "$T/time.sfw" \
    "$SNMPFLEET" -i "$T/hosts" --port "$P" ${CONC:+-j "$CONC"} -F text \
    -o "$T/sfw.txt" -w "$IFT" -w "$IFX" </dev/null 2>"$T/sfw.err"
sed 's/^/    /' "$T/sfw.err" >&2
row "snmpfleet -w (text)" "$N" "$T/time.sfw" \
    "$(grep -Ec '^127\.[0-9.]+(:[0-9]+)? \.' "$T/sfw.txt")"

# ----------------------------------------------------- snmpfleet -T, jsonl
count_cells() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    for rows in (r.get("tables") or {}).values():
        n += sum(len(row) - 1 for row in rows)
print(n)' "$1"
}
echo "bench-walk: snmpfleet -T ifTable -T ifXTable -F jsonl, $N targets" >&2
"$GTIME" -f '%e %U %S %M' -o "$T/time.sft" \
    "$SNMPFLEET" -i "$T/hosts" --port "$P" ${CONC:+-j "$CONC"} -F jsonl \
    -o "$T/sft.jsonl" -T ifTable -T ifXTable </dev/null 2>"$T/sft.err"
sed 's/^/    /' "$T/sft.err" >&2
row "snmpfleet -T (jsonl rows)" "$N" "$T/time.sft" "$(count_cells "$T/sft.jsonl")"

echo "bench-walk: snmpfleet -T ifTable -T ifXTable -F jsonl --per-target 2, $N targets" >&2
"$GTIME" -f '%e %U %S %M' -o "$T/time.sft2" \
    "$SNMPFLEET" -i "$T/hosts" --port "$P" ${CONC:+-j "$CONC"} -F jsonl \
    --per-target 2 -o "$T/sft2.jsonl" -T ifTable -T ifXTable </dev/null 2>"$T/sft2.err"
sed 's/^/    /' "$T/sft2.err" >&2
row "snmpfleet -T --per-target 2" "$N" "$T/time.sft2" "$(count_cells "$T/sft2.jsonl")"

# ---------------------------------------------- xargs -P 64 snmpbulkwalk
echo "bench-walk: xargs -P 64 snmpbulkwalk, $NX targets x 2 tables (one process each)" >&2
awk -v p="$P" -v a="$IFT" -v b="$IFX" '{ print $1 ":" p, a; print $1 ":" p, b }' \
    "$T/hosts-xargs" >"$T/xargs.jobs"
"$GTIME" -f '%e %U %S %M' -o "$T/time.xargs" \
    xargs -P 64 -L 1 snmpbulkwalk -On -v2c -c public -t 1 -r 2 -Cr"$REPS" \
    <"$T/xargs.jobs" >"$T/xargs.out" 2>"$T/xargs.err"
# Concurrent writers may split lines across each other's buffers, but
# every varbind line still ends in exactly one newline.
row "xargs -P 64 snmpbulkwalk" "$NX" "$T/time.xargs" "$(wc -l <"$T/xargs.out")"
[ -s "$T/xargs.err" ] && sed 's/^/    /' "$T/xargs.err" | head -5 >&2

# ---------------------------------------------------------------- table
echo
echo "Walk ifTable + ifXTable ($PER values per target) of loopback targets served by one snmpd ($(nproc) cores; max-repetitions $REPS; snmpd's own CPU not counted)"
echo
echo "| tool | targets | wall s | targets/s | CPU µs per target | peak RSS MB | values |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
if [ "$MISMATCH" = 0 ]; then
	echo "Every tool got every value (targets x $PER)."
else
	echo "MISMATCH: a tool did not get every value; see above."
fi
exit "$MISMATCH"
