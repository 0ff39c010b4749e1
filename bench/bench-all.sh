#!/usr/bin/env bash
# bench/bench-all.sh — benchmark (not a test): every poller, every load,
# in one run on one machine, for the design's targets.
#
#   A  one real snmpd on a free loopback port; NA targets (127.0.0.1, ...),
#      GET sysDescr.0 sysUpTime.0 sysName.0: snmpfleet -P 1 and -P 2, braa,
#      a Python multiprocessing pool with easysnmp (bench/peer-python-
#      pool.py), and "xargs -P 64 snmpget" on NX targets only.
#   B  snmpfleet-sim pinned to one CPU; NB targets, the same three OIDs:
#      snmpfleet -P 1 and -P 2 at -j 1024 and -j JB, -P 2 with sysName.0
#      only, braa, the Python pool (NPY targets), xargs+snmpget (NX).
#   C  the sim again; snmpfleet -P 2 -j 1024 sysName.0 -o /dev/null over
#      -H 127.0.0.0/12 (1,048,574 targets) and over a 1,000,000-line
#      inventory file: wall, targets/s and peak RSS.
#   D  the machine's bare UDP round trips per second (bench/udp-echo.c,
#      an echo server pinned like the sim, WINDOW datagrams in flight)
#      and bench/sim-load.c against the pinned sim, next to snmpfleet's
#      best rates of B and C.
#
# Each phase prints one markdown table: wall s, targets/s, requests the
# agent received and per second, the tool's CPU per target (user+sys of
# it and every process it waited for, GNU time), its peak RSS (the
# largest single process), the agent's CPU share, and how many targets
# really answered (counted in each tool's output).  The exact commands
# follow each table.  Every tool run is capped with timeout(1).
#
# usage: bench/bench-all.sh [-p PHASES] [-a NA] [-b NB] [-y NPY] [-x NX]
#                           [-J JB] [-d SECONDS] [-C CAP]
#   -p  phases to run (default ABCD)
#   -a  targets of phase A (default 10000)
#   -b  targets of phase B (default 100000)
#   -y  targets of the Python pool in phase B (default NB)
#   -x  targets of xargs+snmpget in A and B (default 1000)
#   -J  the second --concurrency of phase B (default 256)
#   -d  seconds of each udp-echo and sim-load run (default 3)
#   -C  seconds any one tool run may take (default 300; phase C: 2 x CAP)
#
# As root it installs what is missing with apt-get (time, braa,
# python3-easysnmp).  Loopback only: every packet goes to 127.0.0.0/8.

set -u

PHASES=ABCD
NA=10000
NB=100000
NPY=
NX=1000
JB=256
DUR=3
CAP=300
while getopts 'p:a:b:y:x:J:d:C:h' opt; do
	case $opt in
	p) PHASES=$OPTARG ;;
	a) NA=$OPTARG ;;
	b) NB=$OPTARG ;;
	y) NPY=$OPTARG ;;
	x) NX=$OPTARG ;;
	J) JB=$OPTARG ;;
	d) DUR=$OPTARG ;;
	C) CAP=$OPTARG ;;
	*) sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -n "$NPY" ] || NPY=$NB
case $NA$NB$NPY$NX$JB$DUR$CAP in
*[!0-9]*) echo "bench-all: -a -b -y -x -J -d -C take whole numbers" >&2; exit 2 ;;
esac
case $PHASES in *[!ABCD]*|'') echo "bench-all: -p takes letters of ABCD" >&2; exit 2 ;; esac

# shellcheck source=bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
need_snmpfleet
need_snmpget
need_sim

T=$LIB_TMP
OIDS=(1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.5.0)
TCK=$(getconf CLK_TCK)
NCPU=$(nproc)

say() { echo "bench-all: $*" >&2; }

# ------------------------------------------------------------ tools
apt_install() {	# PACKAGE — as root only; quiet; returns apt's status
	[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
	say "installing $1"
	if [ -z "${APT_UPDATED:-}" ]; then
		apt-get update >/dev/null 2>&1
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    --no-install-recommends "$1" >/dev/null 2>&1
}

need_gnu_time bench-all --install

command -v braa >/dev/null 2>&1 || apt_install braa
HAVE_BRAA=0
command -v braa >/dev/null 2>&1 && HAVE_BRAA=1
[ "$HAVE_BRAA" = 1 ] || say "braa not installed (apt-get install braa): its rows are skipped"

PY=
py_has_easysnmp() { "$1" -c 'import easysnmp' >/dev/null 2>&1; }
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && py_has_easysnmp "$py"; then
		PY=$(command -v "$py")
		break
	fi
done
if [ -z "$PY" ] && apt_install python3-easysnmp && py_has_easysnmp /usr/bin/python3; then
	PY=/usr/bin/python3
fi
[ -n "$PY" ] || say "no python3 with easysnmp (apt-get install python3-easysnmp): the Python rows are skipped"

# The sim (and udp-echo's server) on CPU 1, when there are two CPUs.
PIN_CPU=
if command -v taskset >/dev/null 2>&1 && [ "$NCPU" -ge 2 ]; then
	PIN_CPU=1
fi

# ------------------------------------------------------------ inventories
# gen_hosts N — the same lines as make_hosts (lib.sh): 127.x.y.z from
# 127.0.0.1, z in 1..254, but with awk: a million lines in a second.
gen_hosts() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "127.%d.%d.%d\n", int(i / 65024), int(i / 254) % 256, i % 254 + 1
	}'
}

# braa_queries PORT OID,OID... <HOSTS — braa query lines, one per run of
# consecutive addresses in one /24 (127.0.0.1-127.0.0.254:PORT:OIDS).
# One line per host would measure braa's query-file parser instead of its
# polling: it merges queries with a linear search, quadratic in the
# number of lines (100,000 hosts x 3 OIDs did not finish parsing in 300 s).
braa_queries() {
	awk -F. -v p="$1" -v o="$2" '
	function flush() { if (pre != "") print "public@" pre "." lo "-" pre "." hi ":" p ":" o }
	{
		cur = $1 "." $2 "." $3
		if (cur == pre && $4 == hi + 1) { hi = $4; next }
		flush(); pre = cur; lo = $4; hi = $4
	}
	END { flush() }'
}

# ------------------------------------------------------------ measuring
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# The agent of the current phase: AGENT_PID, and agent_requests prints how
# many requests it has received so far.
AGENT_PID=
PORT=
agent_requests_snmpd() {
	# snmpInPkts.0; our own GET is one more packet, taken off below.
	snmpget -v2c -c public -Oqv -t 1 -r 2 "127.0.0.1:$SNMPD_PORT" \
	    1.3.6.1.2.1.11.1.0 2>/dev/null || echo 0
}
agent_requests_sim() { sim_counter received; }
AGENT_REQ=agent_requests_sim
AGENT_REQ_SELF=0	# packets agent_requests itself sends

ROWS=()
CMDS=()
# show_cmd ARG... — the command as it can be pasted, with the temp dir
# as $T and the agent's port as $PORT.
show_cmd() {
	local s
	s=$(printf '%q ' "$@")
	s=${s% }
	s=${s//$T/\$T}
	s=${s//$SNMPFLEET_SIM/.\/snmpfleet-sim}
	s=${s//$SNMPFLEET/.\/snmpfleet}
	s=${s//$HERE/bench}
	if [ -n "$PORT" ]; then
		printf '%s\n' "$s" | sed -E "s/(^|[^0-9])$PORT([^0-9]|\$)/\1\$PORT\2/g"
	else
		printf '%s\n' "$s"
	fi
}

# run_tool LABEL TARGETS COUNTER -- COMMAND... — run COMMAND under GNU time
# and timeout(CAP), stdout to $T/out.N, stderr to $T/err.N; COUNTER (a
# function, given the output file) prints how many targets answered.
# Adds one row to ROWS and the command to CMDS.  Sets LAST_* for callers.
TOOLN=0
run_tool() {
	local label=$1 n=$2 counter=$3 cap=${RUN_CAP:-$CAP} r0 r1 c0 c1 st e u s m
	local answered req note=""
	shift 4
	TOOLN=$((TOOLN + 1))
	say "$label: $n targets (cap ${cap} s)"
	CMDS+=("$label: \`$(show_cmd "$@")\`")
	r0=$($AGENT_REQ)
	c0=$(cpu_ticks "$AGENT_PID")
	"$GTIME" -f '%e %U %S %M' -o "$T/time.$TOOLN" \
	    timeout -k 5 "$cap" "$@" </dev/null >"$T/out.$TOOLN" 2>"$T/err.$TOOLN"
	st=$?
	c1=$(cpu_ticks "$AGENT_PID")
	r1=$($AGENT_REQ)
	req=$((r1 - r0 - AGENT_REQ_SELF))
	[ "$req" -ge 0 ] || req=0
	# GNU time's line is the last one (it adds "Command exited ..." first).
	read -r e u s m < <(tail -1 "$T/time.$TOOLN")
	LAST_WALL=$e LAST_REQ=$req LAST_ERR=$T/err.$TOOLN
	answered=$("$counter" "$T/out.$TOOLN")
	case $st in
	124|137) note=" (TIMED OUT at ${cap} s)" ;;
	0|1) ;;
	*) note=" (exit $st)" ;;
	esac
	grep -v '^\s*$' "$T/err.$TOOLN" | tail -3 | sed 's/^/    /' >&2
	ROWS+=("$(awk -v t="$label" -v h="$n" -v e="$e" -v u="$u" -v s="$s" \
	    -v m="$m" -v a="$answered" -v q="$req" -v c0="$c0" -v c1="$c1" \
	    -v tck="$TCK" -v note="$note" 'BEGIN {
		w = e > 0 ? e : 0.01
		printf "| %s | %d | %.2f | %.0f | %d | %.0f | %.1f | %.1f | %.0f%% | %d of %d%s |",
		    t, h, e, h / w, q, q / w, (u + s) * 1e6 / h, m / 1024,
		    100 * (c1 - c0) / tck / w, a, h, note
	}')")
}

table() {	# TITLE
	echo
	echo "$1"
	echo
	echo "| tool | targets | wall s | targets/s | requests | requests/s | CPU µs per target | peak RSS MB | agent CPU | answered |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Commands (\$T: the temp dir, \$PORT: the agent's port):"
	echo
	printf -- '- %s\n' "${CMDS[@]}"
	ROWS=()
	CMDS=()
}

# Answer counters, one per output format.
count_sf_jsonl() { grep -c '"status":"ok"' "$SF_OUT"; }
count_sf_summary() {	# "snmpfleet: N targets: K ok, ..." on stderr
	sed -n 's/^snmpfleet: [0-9]* targets: \([0-9]*\) ok,.*/\1/p' "$LAST_ERR" | tail -1
}
count_py() { grep -c '"status": "ok"' "$PY_OUT"; }
count_xargs() { grep -c '^\.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING' "$1"; }
# braa prints host:rtt:oid:value; a host answered when all its OIDs did.
count_braa() {
	awk -F: -v k="$BRAA_K" '{ n[$1]++ } END { for (h in n) if (n[h] >= k) a++; print a + 0 }' "$1"
}

# ------------------------------------------------------ the tool runs
# poll_all HOSTS N NX NPY — every tool against $PORT, 3 OIDs.
sf_run() {	# LABEL HOSTS N PROCS CONC OID...
	local label=$1 hosts=$2 n=$3 procs=$4 conc=$5
	shift 5
	SF_OUT=$T/sf.$((TOOLN + 1)).jsonl
	run_tool "$label" "$n" count_sf_jsonl -- \
	    "$SNMPFLEET" -i "$hosts" --port "$PORT" -P "$procs" ${conc:+-j "$conc"} \
	    -F jsonl -o "$SF_OUT" "$@"
	rm -f "$SF_OUT"
}
braa_run() {	# HOSTS N
	[ "$HAVE_BRAA" = 1 ] || return 0
	braa_queries "$PORT" "$(printf '.%s,' "${OIDS[@]}" | sed 's/,$//')" \
	    <"$1" >"$T/braa.queries"
	BRAA_K=${#OIDS[@]}
	run_tool "braa (queries by /24 range)" "$2" count_braa -- \
	    braa -2 -f "$T/braa.queries"
	CMDS[-1]+=", \$T/braa.queries holding lines like \`$(head -1 "$T/braa.queries" | sed "s/:$PORT:/:\$PORT:/")\`"
}
py_run() {	# HOSTS N
	[ -n "$PY" ] && [ "$2" -gt 0 ] || return 0
	PY_OUT=$T/py.$((TOOLN + 1)).jsonl
	run_tool "Python Pool(64)+Lock, easysnmp" "$2" count_py -- \
	    "$PY" "$HERE/peer-python-pool.py" -p 64 -t 1 -r 2 "$1" "$PORT" \
	    "$PY_OUT" "${OIDS[@]}"
}
xargs_run() {	# HOSTS N
	[ "$2" -gt 0 ] || return 0
	run_tool "xargs -P 64 snmpget" "$2" count_xargs -- \
	    xargs -a "$1" -P 64 -I '{}' snmpget -On -v2c -c public -t 1 -r 2 \
	    "{}:$PORT" "${OIDS[@]}"
}

# sim_pinned — start a sim and pin it (all its threads) to CPU PIN_CPU.
sim_pinned() {
	# shellcheck disable=SC2119 # no sim options
	start_sim
	PORT=$SIM_PORT
	AGENT_PID=$SIM_PID
	AGENT_REQ=agent_requests_sim
	AGENT_REQ_SELF=0
	if [ -n "$PIN_CPU" ]; then
		taskset -a -cp "$PIN_CPU" "$SIM_PID" >/dev/null ||
		    say "cannot pin the sim to CPU $PIN_CPU"
	fi
}

SIM_WHERE="not pinned (taskset missing or one CPU)"
[ -n "$PIN_CPU" ] && SIM_WHERE="pinned to CPU $PIN_CPU of $NCPU (taskset -a -cp $PIN_CPU), one thread"

echo "# bench/bench-all.sh on $(uname -sr), $NCPU CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# $("$SNMPFLEET" --version 2>/dev/null | head -1)$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null | sed 's/^/, commit /')"

BEST_SIM_RATE=0 BEST_SIM_LABEL=
note_best() {	# LABEL — remember the best snmpfleet requests/s against the sim
	local r
	r=$(awk -v q="$LAST_REQ" -v w="$LAST_WALL" 'BEGIN { printf "%.0f", (w > 0 ? q / w : 0) }')
	if [ "$r" -gt "$BEST_SIM_RATE" ]; then
		BEST_SIM_RATE=$r
		BEST_SIM_LABEL=$1
	fi
}

# ============================================================ phase A
if [[ $PHASES == *A* ]]; then
	LA=$(loadavg)
	say "phase A: snmpd, $NA targets (load average $LA)"
	start_snmpd
	PORT=$SNMPD_PORT
	AGENT_PID=$SNMPD_PID
	AGENT_REQ=agent_requests_snmpd
	AGENT_REQ_SELF=1
	gen_hosts "$NA" >"$T/hosts-a"
	nxa=$((NX < NA ? NX : NA))
	head -n "$nxa" "$T/hosts-a" >"$T/hosts-a-x"
	sf_run "snmpfleet -P 1" "$T/hosts-a" "$NA" 1 "" "${OIDS[@]}"
	sf_run "snmpfleet -P 2" "$T/hosts-a" "$NA" 2 "" "${OIDS[@]}"
	braa_run "$T/hosts-a" "$NA"
	py_run "$T/hosts-a" "$NA"
	xargs_run "$T/hosts-a-x" "$nxa"
	stop_snmpd
	table "### Phase A — one snmpd (Debian's, on one free loopback port), $NA targets 127.0.0.1 ..., GET sysDescr.0 sysUpTime.0 sysName.0 (load average at start: $LA)"
	echo
	echo "xargs+snmpget polls only the first $nxa targets (one snmpget process per target).  requests: snmpd's snmpInPkts counter; agent CPU: snmpd's share of one CPU."
fi

# ============================================================ phase B
if [[ $PHASES == *B* ]]; then
	LA=$(loadavg)
	say "phase B: snmpfleet-sim, $NB targets (load average $LA)"
	sim_pinned
	gen_hosts "$NB" >"$T/hosts-b"
	nxb=$((NX < NB ? NX : NB))
	npy=$((NPY < NB ? NPY : NB))
	head -n "$nxb" "$T/hosts-b" >"$T/hosts-b-x"
	head -n "$npy" "$T/hosts-b" >"$T/hosts-b-py"
	for procs in 1 2; do
		for conc in 1024 "$JB"; do
			sf_run "snmpfleet -P $procs -j $conc" "$T/hosts-b" "$NB" "$procs" "$conc" "${OIDS[@]}"
			note_best "snmpfleet -P $procs -j $conc, 3 OIDs, $NB targets"
		done
	done
	sf_run "snmpfleet -P 2 -j 1024, sysName.0 only" "$T/hosts-b" "$NB" 2 1024 1.3.6.1.2.1.1.5.0
	note_best "snmpfleet -P 2 -j 1024, sysName.0, $NB targets"
	braa_run "$T/hosts-b" "$NB"
	py_run "$T/hosts-b-py" "$npy"
	xargs_run "$T/hosts-b-x" "$nxb"
	stop_sim
	table "### Phase B — snmpfleet-sim ($SIM_WHERE), $NB targets 127.0.0.1 ..., GET sysDescr.0 sysUpTime.0 sysName.0 in one request (load average at start: $LA)"
	echo
	echo "xargs+snmpget polls only the first $nxb targets and the Python pool the first $npy.  requests: datagrams the sim received (its counters, SIGUSR1); agent CPU: the sim's share of its one CPU."
fi

# ============================================================ phase C
if [[ $PHASES == *C* ]]; then
	LA=$(loadavg)
	say "phase C: snmpfleet-sim, 1,048,574 and 1,000,000 targets (load average $LA)"
	sim_pinned
	gen_hosts 1000000 >"$T/hosts-1m"
	RUN_CAP=$((2 * CAP))
	run_tool "snmpfleet -H 127.0.0.0/12 -P 2 -j 1024" 1048574 count_sf_summary -- \
	    "$SNMPFLEET" -H 127.0.0.0/12 --port "$PORT" -P 2 -j 1024 \
	    -o /dev/null 1.3.6.1.2.1.1.5.0
	note_best "snmpfleet -H 127.0.0.0/12 -P 2 -j 1024, sysName.0"
	run_tool "snmpfleet -i (1,000,000 lines) -P 2 -j 1024" 1000000 count_sf_summary -- \
	    "$SNMPFLEET" -i "$T/hosts-1m" --port "$PORT" -P 2 -j 1024 \
	    -o /dev/null 1.3.6.1.2.1.1.5.0
	note_best "snmpfleet -i 1,000,000 lines -P 2 -j 1024, sysName.0"
	unset RUN_CAP
	stop_sim
	table "### Phase C — a million targets against snmpfleet-sim ($SIM_WHERE), GET sysName.0, records to /dev/null (load average at start: $LA)"
	echo
	echo "answered: from snmpfleet's summary line (records go to /dev/null).  peak RSS: the largest single process (GNU time %M) — with -P 2, the parent or one worker."
fi

# ============================================================ phase D
if [[ $PHASES == *D* ]]; then
	LA=$(loadavg)
	say "phase D: bare UDP round trips (load average $LA)"
	${CC:-cc} -O2 -pthread -o "$T/udp-echo" "$HERE/udp-echo.c" ||
	    bail_out "cannot build bench/udp-echo.c"
	${CC:-cc} -O2 -o "$T/sim-load" "$HERE/sim-load.c" ||
	    bail_out "cannot build bench/sim-load.c"
	DROWS=()
	DCMDS=()
	BARE=0
	drow() {	# LABEL RATE CPU_US LOST
		DROWS+=("$(awk -v l="$1" -v r="$2" -v c="$3" -v x="$4" 'BEGIN {
			printf "| %s | %.0f | %s | %s |", l, r, c, x }')")
	}
	for b in 64 1; do
		for c in 1 2; do
			args=(-d "$DUR" -w 256 -s 64 -b "$b" -c "$c" ${PIN_CPU:+-S "$PIN_CPU"})
			say "udp-echo ${args[*]}"
			out=$(timeout -k 5 "$((DUR + 30))" "$T/udp-echo" "${args[@]}")
			say "    $out"
			rate=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^rate=//p')
			cpu=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^cpu_us_per_rt=//p')
			lost=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^lost=//p')
			[ -n "$rate" ] || { rate=0; cpu=-; lost=-; }
			[ "$b" = 64 ] && lbl="recvmmsg/sendmmsg, 64 per call" ||
			    lbl="recv/send, one datagram per call"
			drow "udp-echo: $c client thread(s), $lbl" "$rate" "$cpu" "$lost"
			DCMDS+=("\`$(show_cmd "$T/udp-echo" "${args[@]}")\`")
			[ "${rate%.*}" -gt "$BARE" ] && BARE=${rate%.*} BARE_LABEL="$c client thread(s), $lbl"
		done
	done
	# sim-load, open loop (it sends flat out and never reads), against the
	# pinned sim: how many GETs the sim itself answers per second, by its
	# own counters, with an almost free client (as bench-sim.sh does).
	sim_pinned
	SIMCAP=0
	for k in 1 3; do
		args=(-p "$PORT" -d "$DUR" -n 262144 -w 0 -k "$k")
		say "sim-load ${args[*]}"
		a0=$(sim_counter answered)
		c0=$(cpu_ticks "$SIM_PID")
		t0=$EPOCHREALTIME
		timeout -k 5 "$((DUR + 30))" "$T/sim-load" "${args[@]}" >/dev/null
		t1=$EPOCHREALTIME
		c1=$(cpu_ticks "$SIM_PID")
		a1=$(sim_counter answered)
		read -r rate cpu < <(awk -v a="$((a1 - a0))" -v c="$((c1 - c0))" \
		    -v tck="$TCK" -v t0="$t0" -v t1="$t1" 'BEGIN {
			printf "%.0f %.2f\n", a / (t1 - t0), (a > 0 ? 1e6 * c / tck / a : 0) }')
		say "    the sim answered $((a1 - a0)) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
		drow "sim-load open loop, $k OID(s): snmpfleet-sim's answers/s" "$rate" "$cpu (sim only)" -
		DCMDS+=("\`$(show_cmd "$T/sim-load" "${args[@]}")\`")
		[ "$k" = 1 ] && SIMCAP=$rate
	done
	stop_sim
	echo
	echo "### Phase D — bare UDP round trips on loopback (64-byte datagrams, 256 in flight, ${DUR} s; echo server $([ -n "$PIN_CPU" ] && echo "pinned to CPU $PIN_CPU" || echo "not pinned"); load average at start: $LA)"
	echo
	echo "| load | round trips/s | CPU µs per round trip (both ends) | datagrams lost |"
	echo "|---|---:|---:|---:|"
	printf '%s\n' "${DROWS[@]}"
	echo
	echo "Commands (\$T: the temp dir, \$PORT: the sim's port):"
	echo
	printf -- '- %s\n' "${DCMDS[@]}"
	echo
	if [ "$BEST_SIM_RATE" -gt 0 ] && [ "$BARE" -gt 0 ]; then
		awk -v s="$BEST_SIM_RATE" -v b="$BARE" -v sl="$BEST_SIM_LABEL" -v bl="$BARE_LABEL" 'BEGIN {
			printf "snmpfleet reaches %.0f%% of the bare UDP round-trip rate: its best against the sim, %.0f requests/s (%s), against %.0f round trips/s (udp-echo, %s).\n", 100 * s / b, s, sl, b, bl }'
		[ "${SIMCAP:-0}" -gt 0 ] && awk -v s="$BEST_SIM_RATE" -v c="$SIMCAP" 'BEGIN {
			printf "The pinned sim alone answers %.0f GETs/s (one OID, open-loop sim-load): snmpfleet drives it at %.0f%% of that.\n", c, 100 * s / c }'
	fi
fi
echo
echo "Command: bash bench/bench-all.sh${*:+ $*}"
