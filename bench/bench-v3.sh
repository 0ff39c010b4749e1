#!/usr/bin/env bash
# bench/bench-v3.sh — benchmark (not a test): what SNMPv3 costs next to
# SNMPv2c.  GET sysDescr.0, sysUpTime.0 and sysName.0 from N loopback
# hosts served by one real snmpd, as v2c and as v3 (authPriv SHA/AES,
# authNoPriv, noAuthNoPriv, and authPriv with -P 2), in the same bench run
# against the same agent; print a markdown table of wall time, targets per
# second, snmpfleet's CPU per target, snmpd's CPU per target, requests
# and answers (the median run of R by wall time).
#
# Then count how often a passphrase is turned into a key (net-snmp's
# generate_Ku, ~2 ms each) and how often a key is localized to an
# engineID (generate_kul), with gdb breakpoints that count and continue:
# with one credential set, and with an inventory of three credential sets
# (two with distinct authPriv passphrases, one authNoPriv), over N targets.
# The expected count is one generate_Ku per distinct (protocol,
# passphrase): 2 per authPriv set (authentication and privacy), 1 per
# authNoPriv set — never one per target.
#
# usage: bench/bench-v3.sh [-n HOSTS] [-j CONCURRENCY] [-R RUNS]
#   -n  hosts (default 1000)
#   -j  snmpfleet's --concurrency (default: its own, 256)
#   -R  runs of each mode; the median by wall time is shown (default 3)
#
# Loopback only: every packet goes to 127.0.0.0/8.

set -u

N=1000
CONC=
RUNS=3
while getopts 'n:j:R:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	j) CONC=$OPTARG ;;
	R) RUNS=$OPTARG ;;
	*) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
case $N$RUNS$CONC in *[!0-9]*) echo "bench-v3: -n, -j and -R take numbers" >&2; exit 2 ;; esac

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_snmpfleet
need_snmpget

# bash's time: wall, and the user and system CPU of snmpfleet and its
# workers, to the millisecond.
TIMEFORMAT='%3R %3U %3S'
GDB=$(command -v gdb 2>/dev/null) || GDB=
[ -n "$GDB" ] || echo "bench-v3: gdb not found (apt-get install gdb): the key counts are skipped" >&2

start_snmpd_conf \
    'createUser uSHA SHA "bench-auth-pass1" AES "bench-priv-pass1"' 'rouser uSHA priv' \
    'createUser uSHA2 SHA "bench-auth-pass2" AES "bench-priv-pass2"' 'rouser uSHA2 priv' \
    'createUser uAuth SHA "bench-auth-only1"' 'rouser uAuth auth' \
    'createUser uNone' 'rouser uNone noauth'
P=$SNMPD_PORT
T=$LIB_TMP
OIDS=(1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.5.0)
make_hosts "$N" >"$T/hosts"

V2=(-v 2c -c public)
V3AP=(-v 3 -u uSHA -l authPriv -a SHA -A bench-auth-pass1 -x AES -X bench-priv-pass1)
V3AN=(-v 3 -u uAuth -l authNoPriv -a SHA -A bench-auth-only1)
V3NN=(-v 3 -u uNone -l noAuthNoPriv)

# snmpd's CPU so far, in clock ticks (utime + stime).
snmpd_ticks() {
	awk '{ print $14 + $15 }' "/proc/$SNMPD_PID/stat"
}
HZ=$(getconf CLK_TCK)

ROWS=()
# run_mode LABEL PROCS ARGS... — RUNS runs; one table row for the median.
run_mode() {
	local label=$1 procs=$2 r t0 t1 e u s ok req
	shift 2
	: >"$T/runs"
	for ((r = 1; r <= RUNS; r++)); do
		echo "bench-v3: $label, $N targets, run $r" >&2
		t0=$(snmpd_ticks)
		{ time "$SNMPFLEET" "$@" -i "$T/hosts" --port "$P" -P "$procs" \
		    ${CONC:+-j "$CONC"} -F jsonl -o "$T/out.jsonl" \
		    --stats-file "$T/stats.json" "${OIDS[@]}" \
		    </dev/null 2>"$T/err"; } 2>"$T/time"
		t1=$(snmpd_ticks)
		grep -v 'was reported by' "$T/err" | sed 's/^/    /' >&2
		read -r e u s <"$T/time"
		ok=$(grep -c '"status":"ok"' "$T/out.jsonl")
		req=$(sed -E 's/.*"requests":([0-9]+).*/\1/' "$T/stats.json")
		echo "$e $u $s $((t1 - t0)) $ok $req" >>"$T/runs"
		rm -f "$T/out.jsonl"
	done
	read -r e u s t ok req < <(sort -n "$T/runs" | sed -n "$(((RUNS + 1) / 2))p")
	ROWS+=("$(awk -v l="$label" -v n="$N" -v e="$e" -v u="$u" -v s="$s" \
	    -v t="$t" -v hz="$HZ" -v ok="$ok" -v req="$req" 'BEGIN {
		w = e > 0 ? e : 0.01
		printf "| %s | %d | %.3f | %.0f | %.0f | %.0f | %d | %d of %d |",
		    l, n, e, n / w, (u + s) * 1e6 / n, t / hz * 1e6 / n, req, ok, n
	}')")
}

echo "bench-v3: snmpd on udp:0.0.0.0:$P; $N hosts; OIDs ${OIDS[*]}; $RUNS runs each" >&2
run_mode "v2c" 1 "${V2[@]}"
run_mode "v3 authPriv SHA/AES" 1 "${V3AP[@]}"
run_mode "v3 authNoPriv SHA" 1 "${V3AN[@]}"
run_mode "v3 noAuthNoPriv" 1 "${V3NN[@]}"
run_mode "v2c, -P 2" 2 "${V2[@]}"
run_mode "v3 authPriv SHA/AES, -P 2" 2 "${V3AP[@]}"

# ------------------------------------------------------------- key counts
# count_keys LABEL ARGS... — run once under gdb (-P 1: no fork), counting
# generate_Ku and generate_kul calls.
KROWS=()
# hits FUNCTION — from gdb's "info breakpoints": the count in
# "breakpoint already hit N times" under FUNCTION's breakpoint (0 if none).
hits() {
	awk -v fn="$1" '
		/^[0-9]/ { f = index($0, "<" fn ">") || index($0, "<" fn "+") ||
		    index($0, " in " fn " "); next }
		f && /already hit/ { n = $4 }
		END { print n + 0 }' "$T/gdb.out"
}
count_keys() {
	local label=$1 ku kul ok
	shift
	cat >"$T/gdb.cmds" <<'EOF'
set pagination off
set confirm off
set breakpoint pending on
break generate_Ku
commands
silent
continue
end
break generate_kul
commands
silent
continue
end
run
info breakpoints
EOF
	echo "bench-v3: counting key computations: $label" >&2
	"$GDB" -q -batch -x "$T/gdb.cmds" --args "$SNMPFLEET" "$@" --port "$P" \
	    -P 1 -F jsonl -o "$T/keys.jsonl" "${OIDS[@]}" </dev/null \
	    >"$T/gdb.out" 2>&1
	ku=$(hits generate_Ku)
	kul=$(hits generate_kul)
	ok=$(grep -c '"status":"ok"' "$T/keys.jsonl" 2>/dev/null)
	if ! grep -q 'generate_Ku' "$T/gdb.out"; then
		sed 's/^/    /' "$T/gdb.out" | tail -20 >&2
		ku='?' kul='?'
	fi
	KROWS+=("| $label | $N | ${ku:-0} | ${kul:-0} | ${ok:-0} of $N |")
	rm -f "$T/keys.jsonl"
}

if [ -n "$GDB" ]; then
	count_keys "1 set: authPriv SHA/AES (uSHA)" -i "$T/hosts" "${V3AP[@]}"
	# three credential sets over the same hosts, a third of them each
	cat >"$T/creds.conf" <<EOF
[credentials one]
version = 3
user = uSHA
level = authPriv
auth = SHA
authpass = bench-auth-pass1
priv = AES
privpass = bench-priv-pass1

[credentials two]
version = 3
user = uSHA2
level = authPriv
auth = SHA
authpass = bench-auth-pass2
priv = AES
privpass = bench-priv-pass2

[credentials three]
version = 3
user = uAuth
level = authNoPriv
auth = SHA
authpass = bench-auth-only1
EOF
	chmod 600 "$T/creds.conf"
	awk '{ print $1, "cred=" (NR % 3 == 1 ? "one" : NR % 3 == 2 ? "two" : "three") }' \
	    "$T/hosts" >"$T/creds.inv"
	count_keys "3 sets: 2 authPriv + 1 authNoPriv" --config "$T/creds.conf" \
	    -i "$T/creds.inv"
fi

# ---------------------------------------------------------------- tables
echo
echo "GET ${OIDS[*]} from $N loopback hosts served by one snmpd ($(nproc) cores; median of $RUNS runs)"
echo
echo "| mode | targets | wall s | targets/s | snmpfleet CPU µs/target | snmpd CPU µs/target | requests | ok |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
if [ "${#KROWS[@]}" -gt 0 ]; then
	echo
	echo "Passphrase-to-key computations (gdb breakpoints on net-snmp's functions, -P 1)"
	echo
	echo "| credentials | targets | generate_Ku calls | generate_kul calls | ok |"
	echo "|---|---:|---:|---:|---:|"
	printf '%s\n' "${KROWS[@]}"
fi
