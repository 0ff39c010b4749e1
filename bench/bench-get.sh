#!/usr/bin/env bash
# bench/bench-get.sh — benchmark (not a test): GET sysDescr.0, sysUpTime.0
# and sysName.0 from N distinct loopback hosts, all served by one real
# snmpd on a free loopback port, with snmpfleet (-P 1 and -P 2), "xargs -P 64
# snmpget", a Python multiprocessing.Pool + Lock poller (bench/peer-python-
# pool.py, easysnmp) and braa (when installed); print a markdown table of
# wall time, throughput, CPU per host and peak RSS, and how many hosts
# answered each tool.
#
# usage: bench/bench-get.sh [-n HOSTS] [-x XARGS_HOSTS] [-y PY_HOSTS] [-j CONCURRENCY]
#   -n  hosts for snmpfleet and braa (default 10000)
#   -x  hosts for xargs+snmpget, which forks one process per host
#       (default 1000, or HOSTS if smaller)
#   -y  hosts for the Python pool (default HOSTS; 0 skips it)
#   -j  snmpfleet's --concurrency (default: its own default)
#
# Loopback only: every packet goes to 127.0.0.0/8.

set -u

N=10000
NX=
NPY=
CONC=
while getopts 'n:x:y:j:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	x) NX=$OPTARG ;;
	y) NPY=$OPTARG ;;
	j) CONC=$OPTARG ;;
	*) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -n "$NX" ] || NX=$((N < 1000 ? N : 1000))
[ -n "$NPY" ] || NPY=$N
case $N$NX$NPY in *[!0-9]*) echo "bench-get: -n, -x and -y take numbers" >&2; exit 2 ;; esac

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_snmpfleet
need_snmpget

need_gnu_time bench-get --install

# The Python peer needs easysnmp (net-snmp's bindings; Debian:
# python3-easysnmp, for Debian's /usr/bin/python3).  PY is the interpreter
# that has it, or empty (the row is skipped).
PY=
py_has_easysnmp() { "$1" -c 'import easysnmp' >/dev/null 2>&1; }
if [ "$NPY" -gt 0 ]; then
	for py in python3 /usr/bin/python3; do
		if command -v "$py" >/dev/null 2>&1 && py_has_easysnmp "$py"; then
			PY=$(command -v "$py")
			break
		fi
	done
	if [ -z "$PY" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench-get: installing python3-easysnmp" >&2
		{ apt-get update && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y --no-install-recommends python3-easysnmp; } >/dev/null 2>&1 &&
		    py_has_easysnmp /usr/bin/python3 && PY=/usr/bin/python3
	fi
	[ -n "$PY" ] || echo "bench-get: no python3 with easysnmp (apt-get install python3-easysnmp): the Python pool is skipped" >&2
fi

start_snmpd
P=$SNMPD_PORT
T=$LIB_TMP
OIDS=(1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.5.0)

make_hosts "$((N > NPY ? N : NPY))" >"$T/hosts-all"
head -n "$N" "$T/hosts-all" >"$T/hosts"
head -n "$NX" "$T/hosts" >"$T/hosts-xargs"
head -n "$NPY" "$T/hosts-all" >"$T/hosts-py"

ROWS=()
# row TOOL HOSTS TIMEFILE ANSWERED — one table row from GNU time's
# "%e %U %S %M" line.
row() {
	local tool=$1 hosts=$2 answered=$4 e u s m
	read -r e u s m <"$3"
	ROWS+=("$(awk -v t="$tool" -v h="$hosts" -v e="$e" -v u="$u" -v s="$s" \
	    -v m="$m" -v a="$answered" 'BEGIN {
		w = e > 0 ? e : 0.01
		printf "| %s | %d | %.2f | %.0f | %.0f | %.1f | %d of %d |",
		    t, h, e, h / w, (u + s) * 1e6 / h, m / 1024, a, h
	}')")
}

echo "bench-get: snmpd on udp:0.0.0.0:$P; $N hosts (127.0.0.1 ...); OIDs ${OIDS[*]}" >&2

# ------------------------------------------------------------ snmpfleet
# -P 1 polls in-process; -P 2 forks two workers that share the claim
# counter and the writer (GNU time counts the workers' CPU too).
for procs in 1 2; do
	echo "bench-get: snmpfleet -P $procs, $N hosts" >&2
	"$GTIME" -f '%e %U %S %M' -o "$T/time.sf$procs" \
	    "$SNMPFLEET" -i "$T/hosts" --port "$P" -P "$procs" ${CONC:+-j "$CONC"} \
	    -F jsonl -o "$T/sf$procs.jsonl" "${OIDS[@]}" </dev/null 2>"$T/sf$procs.err"
	sed 's/^/    /' "$T/sf$procs.err" >&2
	row "snmpfleet -P $procs" "$N" "$T/time.sf$procs" \
	    "$(grep -c '"status":"ok"' "$T/sf$procs.jsonl")"
done

# ------------------------------------- Python multiprocessing.Pool + Lock
if [ -n "$PY" ]; then
	echo "bench-get: Python multiprocessing.Pool(64) + Lock, easysnmp, $NPY hosts" >&2
	"$GTIME" -f '%e %U %S %M' -o "$T/time.py" \
	    "$PY" "$HERE/peer-python-pool.py" -p 64 -t 1 -r 2 "$T/hosts-py" "$P" \
	    "$T/py.jsonl" "${OIDS[@]}" </dev/null >"$T/py.out" 2>"$T/py.err"
	sed 's/^/    /' "$T/py.err" >&2
	row "Python Pool(64)+Lock, easysnmp" "$NPY" "$T/time.py" \
	    "$(grep -c '"status": "ok"' "$T/py.jsonl")"
fi

# --------------------------------------------------- xargs -P 64 snmpget
echo "bench-get: xargs -P 64 snmpget, $NX hosts (one process per host: slow, so fewer hosts)" >&2
"$GTIME" -f '%e %U %S %M' -o "$T/time.xargs" \
    xargs -P 64 -I '{}' snmpget -On -v2c -c public -t 1 -r 2 "{}:$P" "${OIDS[@]}" \
    <"$T/hosts-xargs" >"$T/xargs.out" 2>"$T/xargs.err"
row "xargs -P 64 snmpget" "$NX" "$T/time.xargs" \
    "$(grep -c '^\.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING' "$T/xargs.out")"

# ----------------------------------------------------------------- braa
if command -v braa >/dev/null 2>&1; then
	echo "bench-get: braa, $N hosts (3 queries per host, packed into one request)" >&2
	awk -v p="$P" '{
		print "public@" $1 ":" p ":.1.3.6.1.2.1.1.1.0"
		print "public@" $1 ":" p ":.1.3.6.1.2.1.1.3.0"
		print "public@" $1 ":" p ":.1.3.6.1.2.1.1.5.0"
	}' "$T/hosts" >"$T/braa.queries"
	"$GTIME" -f '%e %U %S %M' -o "$T/time.braa" \
	    braa -2 -f "$T/braa.queries" </dev/null >"$T/braa.out" 2>"$T/braa.err"
	# braa prints host:rtt:oid:value; a host answered when all 3 came back.
	row "braa" "$N" "$T/time.braa" "$(awk -F: '{ n[$1]++ }
	    END { for (h in n) if (n[h] >= 3) a++; print a + 0 }' "$T/braa.out")"
else
	echo "bench-get: braa not installed (apt-get install braa), skipped" >&2
fi

# ---------------------------------------------------------------- table
echo
echo "GET ${OIDS[*]} from loopback hosts served by one snmpd ($(nproc) cores; snmpd's own CPU not counted)"
echo
echo "| tool | hosts | wall s | hosts/s | CPU µs per host | peak RSS MB | answered |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "xargs+snmpget polls only the first $NX hosts: it forks one snmpget per host."
