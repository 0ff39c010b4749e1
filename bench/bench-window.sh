#!/usr/bin/env bash
# bench/bench-window.sh — benchmark (not a test): the adaptive window
# against fixed ones.  GET sysDescr.0, sysUpTime.0 and sysName.0 from N
# loopback hosts all served by one real snmpd, whose socket buffer is the
# kernel's default (as a distribution's snmpd has it: a burst of a few
# hundred requests overflows it), with snmpfleet's default options
# (-j auto), with fixed windows, and with braa (when installed, one run).
# Each snmpfleet row is the median wall of K runs; retries, the window
# the run settled on and CPU per host are from that run.
#
# usage: bench/bench-window.sh [-n HOSTS] [-k RUNS] [-b SNMPD_RECVBUF] [-l "LEVELS"]
#   -n  hosts (default 10000)
#   -k  runs per row (default 3)
#   -b  snmpd's serverRecvBuf/serverSendBuf (default 106496: the kernel
#       doubles it, so the socket gets 212992 bytes, net.core.rmem_default
#       here, what it has unless set; lib.sh alone uses 4194304)
#   -l  fixed levels (default "16 32 64 128 256")
#
# Loopback only: every packet goes to 127.0.0.0/8.

set -u

N=10000
K=3
BUF=106496
LEVELS="16 32 64 128 256"
while getopts 'n:k:b:l:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	k) K=$OPTARG ;;
	b) BUF=$OPTARG ;;
	l) LEVELS=$OPTARG ;;
	*) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_snmpfleet
need_gnu_time bench-window --install

T=$LIB_TMP
OIDS=(1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.5.0)
SNMPD_RECVBUF=$BUF start_snmpd
P=$SNMPD_PORT
make_hosts "$N" >"$T/hosts"
echo "bench-window: snmpd on udp:0.0.0.0:$P (serverRecvBuf $BUF); $N hosts; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

ROWS=()
# one_run NAME ARGS... — one snmpfleet run; prints "wall retries window cpu_us ok".
one_run() {
	local e u s sum
	rm -f "$T/out.jsonl"
	"$GTIME" -f '%e %U %S' -o "$T/time" "$SNMPFLEET" -i "$T/hosts" --port "$P" -P 1 \
	    "$@" -F jsonl -o "$T/out.jsonl" "${OIDS[@]}" </dev/null 2>"$T/err"
	read -r e u s <"$T/time"
	sum=$(grep ' targets: ' "$T/err" | tail -1)
	echo "$e $(sed -n 's/.* \([0-9]*\) retries.*/\1/p' <<<"$sum") \
$(sed -n 's/.*; window \([0-9]*\).*/\1/p' <<<"$sum") \
$(awk -v u="$u" -v s="$s" -v n="$N" 'BEGIN { printf "%.1f", (u + s) * 1e6 / n }') \
$(grep -c '"status":"ok"' "$T/out.jsonl")"
}

# row NAME ARGS... — K runs, the median by wall.
row() {
	local name=$1 i
	shift
	echo "bench-window: snmpfleet $name" >&2
	for ((i = 0; i < K; i++)); do one_run "$@"; done | sort -n >"$T/runs"
	ROWS+=("| snmpfleet $name | $(sed -n "$(((K + 1) / 2))p" "$T/runs" |
	    awk '{ printf "%s | %s | %s | %s | %s", $1, $2, $3, $4, $5 }') | $(cut -d' ' -f1 "$T/runs" | tr '\n' ' ')| $(awk '{ n += $2 } END { print n + 0 }' "$T/runs") |")
}

row "default (-j auto)"
for l in $LEVELS; do row "-j fixed:$l" -j "fixed:$l"; done
row "-j 4096 (auto, ceiling 4096)" -j 4096

if command -v braa >/dev/null 2>&1; then
	echo "bench-window: braa" >&2
	# one query line per /24 (braa's parser is quadratic in lines)
	awk -F. -v p="$P" '{ k = $1 "." $2 "." $3; if (!(k in lo)) { lo[k] = $4; ord[n++] = k } hi[k] = $4 }
	    END { for (i = 0; i < n; i++) print "public@" ord[i] "." lo[ord[i]] "-" ord[i] "." hi[ord[i]] ":" p \
	    ":.1.3.6.1.2.1.1.1.0,.1.3.6.1.2.1.1.3.0,.1.3.6.1.2.1.1.5.0" }' "$T/hosts" >"$T/braa.q"
	"$GTIME" -f '%e %U %S' -o "$T/time" braa -2 -f "$T/braa.q" </dev/null >"$T/braa.out" 2>/dev/null
	read -r e u s <"$T/time"
	ROWS+=("| braa | $e | - | - | $(awk -v u="$u" -v s="$s" -v n="$N" 'BEGIN { printf "%.1f", (u + s) * 1e6 / n }') | $(awk -F: '{ n[$1]++ } END { for (h in n) if (n[h] >= 3) a++; print a + 0 }' "$T/braa.out") | $e  - |")
fi

echo "| tool | wall s (median) | retries | window | CPU µs/host | answered | walls | retries, all runs |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
stop_snmpd
