# tests/integration/lib.sh — sourced by every integration test (and by
# quickstart and bench/): TAP helpers, a private temp dir, a real snmpd on a
# free loopback port, and cleanup of every process the script started.
#
# Everything here sends packets only to 127.0.0.0/8 or ::1.
# shellcheck shell=bash

# ---------------------------------------------------------------- temp dir
LIB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/snmpfleet-test.XXXXXX") || {
	echo "Bail out! cannot create a temp dir"
	exit 1
}
export LIB_TMP

# --------------------------------------------------- processes and cleanup
LIB_PIDS=()		# every background process we started
LIB_AT_EXIT=()		# extra cleanup commands (eval'd, last first)
SNMPD_PID=

# Remember a background process so that cleanup stops it.
track_pid() {
	LIB_PIDS+=("$1")
}

# Run a command (a string, eval'd) at exit, before processes are stopped.
at_exit() {
	LIB_AT_EXIT+=("$1")
}

# Stop one process we started: TERM, then KILL if it lingers.
lib_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

lib_cleanup() {
	local i
	trap - EXIT INT TERM HUP
	for ((i = ${#LIB_AT_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${LIB_AT_EXIT[i]}" || true
	done
	for ((i = ${#LIB_PIDS[@]} - 1; i >= 0; i--)); do
		lib_stop_pid "${LIB_PIDS[i]}"
	done
	if [ -n "${SNMPFLEET_KEEP_TMP:-}" ]; then
		echo "# kept temp dir $LIB_TMP" >&2
	else
		rm -rf "$LIB_TMP"
	fi
}
trap 'lib_cleanup' EXIT
trap 'lib_cleanup; exit 130' INT
trap 'lib_cleanup; exit 143' TERM
trap 'lib_cleanup; exit 129' HUP

# ------------------------------------------------------------------- TAP
LIB_NTEST=0
LIB_NFAIL=0
LIB_PLAN=

plan() {
	LIB_PLAN=$1
	echo "1..$1"
}

diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

pass() {
	LIB_NTEST=$((LIB_NTEST + 1))
	echo "ok $LIB_NTEST - $*"
}

fail() {
	LIB_NTEST=$((LIB_NTEST + 1))
	LIB_NFAIL=$((LIB_NFAIL + 1))
	echo "not ok $LIB_NTEST - $*"
}

# ok STATUS DESC — passes when STATUS is 0:  [ "$a" = b ]; ok $? "a is b"
ok() {
	if [ "$1" -eq 0 ] 2>/dev/null; then
		shift
		pass "$@"
		return 0
	fi
	shift
	fail "$@"
	return 1
}

# check DESC CMD ARG... — passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
		diag "command failed: $*"
		return 1
	fi
}

# is GOT EXPECTED DESC — string equality, with a diff on failure.
is() {
	if [ "$1" == "$2" ]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	printf '%s\n' "$2" >"$LIB_TMP/.is-expected"
	printf '%s\n' "$1" >"$LIB_TMP/.is-got"
	diag "--- expected +++ got" \
	    "$(diff -u "$LIB_TMP/.is-expected" "$LIB_TMP/.is-got" |
	    sed 1,2d | head -40)"
	return 1
}

# is_file GOTFILE EXPECTEDFILE DESC — file equality, with a diff on failure.
is_file() {
	if cmp -s "$1" "$2"; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "--- expected ($2) +++ got ($1)" \
	    "$(diff -u "$2" "$1" | sed 1,2d | head -40)"
	return 1
}

# like GOT ERE DESC — extended-regexp match (grep -E) anywhere in GOT.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "expected to match: $2" "got: $(printf '%s' "$1" | head -c 2000)"
	return 1
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"
		diag "expected not to match: $2" \
		    "got: $(printf '%s' "$1" | head -c 2000)"
		return 1
	fi
	pass "$3"
	return 0
}

# done_testing — print the plan if none was given; exit 1 on any failure
# or a count that differs from the plan.
done_testing() {
	if [ -z "$LIB_PLAN" ]; then
		echo "1..$LIB_NTEST"
	elif [ "$LIB_PLAN" -ne "$LIB_NTEST" ]; then
		diag "planned $LIB_PLAN tests but ran $LIB_NTEST"
		exit 1
	fi
	[ "$LIB_NFAIL" -eq 0 ] || exit 1
	exit 0
}

# --------------------------------------------------------- the programs
# need_snmpfleet — set SNMPFLEET to the binary under test (absolute path).
need_snmpfleet() {
	local f=${SNMPFLEET:-}
	if [ -z "$f" ]; then
		if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/snmpfleet" ]; then
			f=$top_builddir/snmpfleet
		else
			f=./snmpfleet
		fi
	fi
	case $f in /*) ;; *) f=$PWD/$f ;; esac
	[ -x "$f" ] || bail_out "snmpfleet binary not found at $f (build it, or set SNMPFLEET)"
	SNMPFLEET=$f
	export SNMPFLEET
}

# need_fault_injection — the test makes workers die on purpose through
# SNMPFLEET_TEST_FAULT, which only a build configured with
# --enable-fault-injection has (its --version says so).  Built without it
# on purpose (make check says SNMPFLEET_FAULT_INJECTION=no): the whole
# test is skipped, and says why.  Otherwise a binary without the hook is
# an error, never a silent pass.
need_fault_injection() {
	need_snmpfleet
	"$SNMPFLEET" --version | grep -q '^fault injection: on' && return 0
	if [ "${SNMPFLEET_FAULT_INJECTION:-}" = no ]; then
		echo "1..0 # SKIP snmpfleet was configured without --enable-fault-injection (SNMPFLEET_TEST_FAULT)"
		exit 0
	fi
	bail_out "$SNMPFLEET has no fault hook: configure with --enable-fault-injection"
}

need_snmpget() {
	command -v snmpget >/dev/null 2>&1 ||
	    bail_out "snmpget not found (apt-get install snmp)"
}

# need_python — JSON checks and the datagram counter use python3.
need_python() {
	command -v python3 >/dev/null 2>&1 ||
	    bail_out "python3 not found (apt-get install python3)"
}

# ----------------------------------------------------------------- ports
# Local ports in use in the /proc/net tables named (udp, udp6, tcp,
# tcp6), one per line, decimal.
lib_ports_in_use() {
	local f sl local_addr rest
	for f in "$@"; do
		[ -r "/proc/net/$f" ] || continue
		while read -r sl local_addr rest; do
			[ "$sl" = sl ] && continue
			echo $((16#${local_addr##*:}))
		done <"/proc/net/$f"
	done
}

# Local UDP ports in use (IPv4 and IPv6), one per line, decimal.
lib_udp_ports_in_use() {
	lib_ports_in_use udp udp6
}

lib_port_free() {
	! lib_udp_ports_in_use | grep -qx "$1"
}

lib_tcp_port_free() {
	! lib_ports_in_use tcp tcp6 | grep -qx "$1"
}

# random_port LO HI [tcp] — a random port in [LO, HI] that nothing is
# bound to (UDP; with tcp, that no TCP socket uses).
random_port() {
	local lo=$1 hi=$2 free=lib_port_free p i
	[ "${3:-}" = tcp ] && free=lib_tcp_port_free
	for ((i = 0; i < 200; i++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		if "$free" "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# free_udp_port — a port nothing listens on, for timeout tests.  Taken from
# 61000-64999: outside Linux's default ephemeral range (32768-60999) and the
# range start_snmpd uses, so no concurrent test's agent can take it.
free_udp_port() {
	random_port 61000 64999
}

# free_tcp_port — a TCP port nothing listens on (connections to it are
# refused), from the same range as free_udp_port.
free_tcp_port() {
	random_port 61000 64999 tcp
}

# ----------------------------------------------------------------- hosts
# make_hosts N — N distinct loopback addresses 127.x.y.z, one per line,
# z in 1..254 (so never a .0 or .255), starting at 127.0.0.1.
make_hosts() {
	local n=$1 i x y z
	for ((i = 0; i < n; i++)); do
		z=$((i % 254 + 1))
		y=$((i / 254 % 256))
		x=$((i / 254 / 256))
		echo "127.$x.$y.$z"
	done
}

# ---------------------------------------------------------------- snmpd
# Fixed, known strings the agent reports.
SNMPD_SYSNAME='snmpfleet-test-agent'
SNMPD_SYSLOCATION='Lab 42, rack 7'
SNMPD_SYSCONTACT='ops@example.invalid'
SNMPD_SYSDESCR='snmpfleet integration test agent'
SNMPD_SYSSERVICES=72

lib_find_snmpd() {
	local d=${SNMPD:-}
	if [ -z "$d" ]; then
		d=$(command -v snmpd 2>/dev/null) || d=
		[ -n "$d" ] || d=/usr/sbin/snmpd
	fi
	if [ ! -x "$d" ]; then
		echo "Bail out! snmpd not found (apt-get install snmpd)"
		exit 1
	fi
	SNMPD=$d
}

lib_have_ipv6_lo() {
	[ -r /proc/net/if_inet6 ] &&
	    grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

# start_snmpd — start Debian's snmpd in the foreground on a free port of
# 20000-60000 (another port is tried if it cannot bind), wait until it
# answers, and export SNMPD_PORT, SNMPD_PID, SNMPD_DIR and SNMPD_V6 (1 when
# it also listens on [::1]).  Call it directly, not in $(...): it must be a
# child of this shell so that cleanup can stop it.  With SNMPD_TCP=1 set
# beforehand, it listens on TCP too, on another free port (tcp:0.0.0.0
# and tcp6:[::1]), exported as SNMPD_TCP_PORT: a target there answers
# over TCP only.
start_snmpd() {
	local try port dir v6 addr i answered tport
	lib_find_snmpd
	need_snmpget
	v6=0
	lib_have_ipv6_lo && v6=1
	for ((try = 1; try <= 10; try++)); do
		port=$(random_port 20000 60000) || continue
		dir=$LIB_TMP/snmpd.$port
		mkdir -p "$dir/persist"
		addr="udp:0.0.0.0:$port"
		[ "$v6" = 1 ] && addr="$addr,udp6:[::1]:$port"
		tport=
		if [ "${SNMPD_TCP:-0}" = 1 ]; then
			tport=$(random_port 20000 60000 tcp) || continue
			addr="$addr,tcp:0.0.0.0:$tport"
			[ "$v6" = 1 ] && addr="$addr,tcp6:[::1]:$tport"
		fi
		cat >"$dir/snmpd.conf" <<EOF
# generated by tests/integration/lib.sh
agentaddress $addr
rocommunity public default
rocommunity6 public default
sysname $SNMPD_SYSNAME
syslocation $SNMPD_SYSLOCATION
syscontact $SNMPD_SYSCONTACT
sysdescr $SNMPD_SYSDESCR
sysservices $SNMPD_SYSSERVICES
dontLogTCPWrappersConnects yes
# Room for bursts from many workers (capped by net.core.rmem_max/wmem_max):
# with the default ~200 kB a burst of a few hundred requests is dropped.
# (SNMPD_RECVBUF, if set, instead: bench/bench-window.sh sets the
# kernel's default to show that case.)
[snmp] serverRecvBuf ${SNMPD_RECVBUF:-4194304}
[snmp] serverSendBuf ${SNMPD_RECVBUF:-4194304}
EOF
		# -C: no config but ours; -I -smux: no SMUX listener on TCP 199
		# (a system snmpd may hold it); MIBDIRS/MIBS: skip MIB parsing
		# (faster, quieter); its state goes to our dir, not /var/lib/snmp.
		SNMP_PERSISTENT_DIR=$dir/persist MIBDIRS=$dir/nomibs MIBS='' \
		    SNMPCONFPATH=$dir \
		    "$SNMPD" -f -C -c "$dir/snmpd.conf" -I -smux -Lf "$dir/snmpd.log" \
		    -p "$dir/snmpd.pid" </dev/null >"$dir/stdout" 2>&1 &
		SNMPD_PID=$!
		track_pid "$SNMPD_PID"
		answered=0
		for ((i = 0; i < 100; i++)); do
			if ! kill -0 "$SNMPD_PID" 2>/dev/null; then
				break
			fi
			if [ "$(snmpget -v2c -c public -t 0.2 -r 0 -Oqv \
			    "127.0.0.1:$port" 1.3.6.1.2.1.1.5.0 2>/dev/null)" \
			    = "\"$SNMPD_SYSNAME\"" ]; then
				answered=1
				break
			fi
			sleep 0.1
		done
		if [ "$answered" = 1 ]; then
			SNMPD_PORT=$port
			SNMPD_DIR=$dir
			SNMPD_V6=$v6
			SNMPD_TCP_PORT=$tport
			export SNMPD_PORT SNMPD_PID SNMPD_DIR SNMPD_V6 SNMPD_TCP_PORT
			return 0
		fi
		lib_stop_pid "$SNMPD_PID"
		# An IPv6 endpoint that cannot be opened: go on with IPv4 only.
		if [ "$v6" = 1 ] && grep -q 'udp6:' "$dir/snmpd.log" 2>/dev/null &&
		    grep -q 'Error opening specified endpoint "udp6' "$dir/snmpd.log"; then
			v6=0
		fi
		echo "# snmpd on port $port did not answer (try $try):" >&2
		grep -v -e '^Cannot' -e '^Did not' -e '^Unlinked' -e '^Undefined' \
		    "$dir/snmpd.log" 2>/dev/null | tail -5 | sed 's/^/#   /' >&2
	done
	echo "Bail out! snmpd did not start (see logs above)"
	exit 1
}

stop_snmpd() {
	[ -n "$SNMPD_PID" ] && lib_stop_pid "$SNMPD_PID"
	SNMPD_PID=
}

# ---------------------------------------------------------------- helpers
# jsonl_check FILE — every line of FILE is a JSON object; prints nothing,
# returns 1 (with the first bad line on stderr) otherwise.
jsonl_check() {
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$1" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            sys.stderr.write("line %d: %s: %r\n" % (n, e, line[:200]))
            sys.exit(1)
        if not isinstance(obj, dict) or not line.endswith("\n"):
            sys.stderr.write("line %d: not a whole JSON object\n" % n)
            sys.exit(1)
EOF
	elif command -v jq >/dev/null 2>&1; then
		jq -e -c 'type == "object"' "$1" >/dev/null
	else
		bail_out "neither python3 nor jq found to check JSON"
	fi
}

# run ARGS... — run snmpfleet with no input; sets RC, and OUT and ERR to
# what it printed (also in $LIB_TMP/out and $LIB_TMP/err).  A script may
# define its own run instead.
run() {
	"$SNMPFLEET" "$@" </dev/null >"$LIB_TMP/out" 2>"$LIB_TMP/err"
	RC=$?
	OUT=$(cat "$LIB_TMP/out")
	ERR=$(cat "$LIB_TMP/err")
}

# rec FILE EXPR — a python expression on the single jsonl record r; vals
# is [(oid, type, value)].
rec() {
	python3 - "$1" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
if len(lines) != 1:
    print("%d records" % len(lines))
    sys.exit(0)
r = json.loads(lines[0])
vals = [(v["oid"], v["type"], v["value"]) for v in r.get("values", [])]
print(eval(sys.argv[2]))
PY
}

# jsonl_whole_counts FILE — "WHOLE TORN": lines of FILE that are a whole
# JSON object ending in a newline, and lines that are not (read as bytes,
# so a torn UTF-8 sequence counts as torn, not as an error).
jsonl_whole_counts() {
	python3 - "$1" <<'EOF'
import json, sys
good = bad = 0
for line in open(sys.argv[1], "rb"):
    try:
        whole = isinstance(json.loads(line), dict) and line.endswith(b"\n")
    except ValueError:
        whole = False
    good += whole
    bad += not whole
print(good, bad)
EOF
}

# elapsed_since START — seconds (with fractions) since START ($EPOCHREALTIME).
elapsed_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

# ------------------------------------------------------------ snmpfleet-sim
SIM_PID=

# need_sim — set SNMPFLEET_SIM to the simulator binary (absolute path).
need_sim() {
	local f=${SNMPFLEET_SIM:-}
	if [ -z "$f" ]; then
		if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/snmpfleet-sim" ]; then
			f=$top_builddir/snmpfleet-sim
		else
			f=./snmpfleet-sim
		fi
	fi
	case $f in /*) ;; *) f=$PWD/$f ;; esac
	[ -x "$f" ] || bail_out "snmpfleet-sim not found at $f (build it, or set SNMPFLEET_SIM)"
	SNMPFLEET_SIM=$f
	export SNMPFLEET_SIM
}

# start_sim [SIM OPTION...] — start snmpfleet-sim on a free port of
# 20000-60000 (another is tried if it cannot bind), with the options given
# (--listen, --dead, --latency, ...; not --port, and not --quiet: the
# start-up line says it is ready).  It stops by itself after 900 s unless
# a --duration is given.  Exports SIM_PORT, SIM_PID and SIM_LOG (its
# stderr: the start-up line and counter lines).  Call it directly, not in
# $(...), so that cleanup can stop it; it may be called again for a
# second sim (save the first one's SIM_* first).  With SIM_SAME_PORT
# set, that port is used (a second sim where the first one was, for
# tests whose targets must keep their address:port).
start_sim() {
	local try port log i
	need_sim
	for ((try = 1; try <= 10; try++)); do
		port=${SIM_SAME_PORT:-$(random_port 20000 60000)} || continue
		log=$LIB_TMP/sim.$port.log
		"$SNMPFLEET_SIM" --duration 900 "$@" --port "$port" \
		    </dev/null >"$log.out" 2>"$log" &
		SIM_PID=$!
		track_pid "$SIM_PID"
		# up to 60 s while it lives: a loaded machine starts it slowly
		for ((i = 0; i < 1200; i++)); do
			grep -q ' listening on ' "$log" 2>/dev/null && break
			kill -0 "$SIM_PID" 2>/dev/null || break
			sleep 0.05
		done
		if grep -q ' listening on ' "$log" 2>/dev/null; then
			SIM_PORT=$port
			SIM_LOG=$log
			export SIM_PORT SIM_PID SIM_LOG
			return 0
		fi
		lib_stop_pid "$SIM_PID"
		if ! grep -q 'cannot bind' "$log" 2>/dev/null; then
			sed 's/^/# /' "$log" >&2
			bail_out "snmpfleet-sim did not start"
		fi
		# the same port again: give whoever holds it a moment
		[ -n "${SIM_SAME_PORT:-}" ] && sleep 0.5
	done
	bail_out "snmpfleet-sim found no free port"
}

stop_sim() {
	[ -n "$SIM_PID" ] && lib_stop_pid "$SIM_PID"
	SIM_PID=
}

# sim_counters — ask the running sim (SIM_PID) for its counters (SIGUSR1)
# and print its newest counter line.
sim_counters() {
	local before i
	before=$(grep -c ' received=' "$SIM_LOG" 2>/dev/null)
	kill -USR1 "$SIM_PID" 2>/dev/null || return 1
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c ' received=' "$SIM_LOG")" -gt "$before" ] && break
		sleep 0.05
	done
	grep ' received=' "$SIM_LOG" | tail -1
}

# sim_counter NAME [LINE] — one counter's value from a counter line (by
# default a fresh one from sim_counters).
sim_counter() {
	local line=${2-}
	[ -n "$line" ] || line=$(sim_counters)
	printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# ------------------------------------------------------- snmpd with extras
# start_snmpd_conf LINE... — start_snmpd with extra lines appended to the
# agent's snmpd.conf (createUser, rouser, com2sec/group/view/access ...),
# e.g.
#   start_snmpd_conf 'createUser alice SHA "alicepass1" AES "alicepriv1"' \
#       'rouser alice priv'
# Each agent started has its own persistent dir, hence its own random
# engineID.  Save SNMPD_PORT/SNMPD_PID/SNMPD_DIR before starting a second
# agent.  (start_snmpd writes its config with an unquoted here-document;
# the lines ride on its last expanded line, and are checked to be there.)
start_snmpd_conf() {
	local saved=$SNMPD_SYSSERVICES line
	SNMPD_SYSSERVICES=$saved$'\n# extra lines (start_snmpd_conf)'
	for line in "$@"; do
		SNMPD_SYSSERVICES+=$'\n'$line
	done
	start_snmpd
	SNMPD_SYSSERVICES=$saved
	for line in "$@"; do
		grep -qxF -- "$line" "$SNMPD_DIR/snmpd.conf" ||
		    bail_out "start_snmpd_conf: '$line' is not in $SNMPD_DIR/snmpd.conf"
	done
}

# snmpd_engine_id — the engineID (hex, 0x...) the agent of SNMPD_DIR
# stored in its persistent file, once it has started.
snmpd_engine_id() {
	sed -n 's/^oldEngineID //p' "$SNMPD_DIR/persist/snmpd.conf" 2>/dev/null |
	    tail -1
}

# ------------------------------------------- agents of our own (python3)
# need_snmpber — python3, with tests/integration/snmpber.py (the BER and
# SNMP codec of the tests' own agents) importable: its directory goes on
# PYTHONPATH (and no __pycache__ is written next to it).
need_snmpber() {
	local d
	need_python
	d=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || d=
	if [ -z "$d" ] || [ ! -r "$d/snmpber.py" ]; then
		bail_out "snmpber.py not found next to lib.sh"
	fi
	PYTHONPATH=$d${PYTHONPATH:+:$PYTHONPATH}
	PYTHONDONTWRITEBYTECODE=1
	export PYTHONPATH PYTHONDONTWRITEBYTECODE
}

# wait_ready FILE WHAT [ERRFILE] — wait (up to 5 s) until a helper started
# in the background has written FILE (non-empty) to say it is ready; bail
# out with "WHAT did not start" (and ERRFILE's text) otherwise.
wait_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	bail_out "$2 did not start${3:+: $(cat "$3" 2>/dev/null)}"
}

# ------------------------------------------------- pool and signal runs
# launch_init [--default-signals] — set LAUNCH, the prefix that starts a
# run in a session (and process group) of its own when setsid is there;
# with --default-signals also with SIGINT and SIGTERM at their defaults,
# as a shell with job control starts programs (a non-interactive bash
# makes background jobs ignore SIGINT).
# shellcheck disable=SC2120 # its one argument is optional
launch_init() {
	LAUNCH=()
	command -v setsid >/dev/null 2>&1 && LAUNCH+=(setsid)
	if [ "${1:-}" = --default-signals ]; then
		env --default-signal=INT true 2>/dev/null &&
		    LAUNCH+=(env "--default-signal=INT,TERM")
	fi
	return 0
}

# launched_no_leftovers PID DESC [DESC-NO-SETSID] — one test: nothing is
# left in the session of PID, a run started with "${LAUNCH[@]}" (without
# setsid: PID itself is gone, and the test is DESC-NO-SETSID if given).
launched_no_leftovers() {
	if [ "${LAUNCH[0]:-}" = setsid ]; then
		sleep 0.2
		is "$(pgrep -s "$1" 2>/dev/null)" "" "$2"
	else
		kill -0 "$1" 2>/dev/null
		ok $((! $?)) "${3:-$2}"
	fi
}

# session_no_leftovers SID DESC — one test: no process is left in the
# session SID (the pid of a run started with "${LAUNCH[@]}"), waiting up
# to 5 s for it to empty; skipped (a pass marked SKIP) without setsid.
session_no_leftovers() {
	local i left=
	if [ "${LAUNCH[0]:-}" != setsid ]; then
		pass "# SKIP $2 (no setsid)"
		return 0
	fi
	for ((i = 0; i < 100; i++)); do
		left=$(pgrep -s "$1" | tr '\n' ' ')
		[ -z "$left" ] && break
		sleep 0.05
	done
	is "$left" "" "$2"
}

# file_lines FILE — how many complete lines FILE has (0 if none yet).
file_lines() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# wait_lines FILE N PID — wait until FILE has N lines or more, or PID has
# ended (bounded by the run itself, which ends by its own timeouts), for
# at most 60 s.
wait_lines() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(file_lines "$1")" -ge "$2" ] && break
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
}

# fact KEY — the value of "KEY value" in $LIB_TMP/facts.
fact() { awk -v k="$1" '$1 == k { print $2 }' "$LIB_TMP/facts"; }

# show_why — the "why ..." lines of $LIB_TMP/facts as diagnostics.
show_why() { sed -n 's/^why //p' "$LIB_TMP/facts" | while IFS= read -r l; do diag "$l"; done; }

# records_facts FILE HOSTS PORT — "key value" facts about a jsonl record
# file against the inventory HOSTS (one host a line): lines, bad (not
# JSON), dup (hosts with two records), notok (not ok, or not from PORT),
# missing, extra; and up to three "why twice HOST" / "why missing HOST".
records_facts() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, hosts_path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = set(l.strip() for l in open(hosts_path) if l.strip())
seen, dup, bad, notok, n = set(), 0, 0, 0, 0
with open(path, encoding="utf-8") as f:
    for line in f:
        n += 1
        try:
            r = json.loads(line)
        except ValueError:
            bad += 1
            continue
        h = r.get("host")
        if h in seen:
            dup += 1
            if dup <= 3:
                print("why twice", h)
        seen.add(h)
        if r.get("status") != "ok" or r.get("port") != port:
            notok += 1
print("lines", n)
print("bad", bad)
print("dup", dup)
print("notok", notok)
print("missing", len(want - seen))
print("extra", len(seen - want))
for h in sorted(want - seen)[:3]:
    print("why missing", h)
PY
}

# live_dead_inventory NLIVE NTOTAL LIVEPORT DEADPORT — an inventory of
# NTOTAL loopback hosts: the first NLIVE on LIVEPORT (an agent), the rest
# on DEADPORT (where nothing listens).
live_dead_inventory() {
	make_hosts "$1" | sed "s/\$/:$3/"
	make_hosts "$2" | tail -n +$(($1 + 1)) | sed "s/\$/:$4/"
}

# check_interrupted NAME OUT ERR LIVEPORT NLIVE NTOTAL — the tests on a
# run over a live_dead_inventory that a signal stopped: only whole records
# in OUT, one ok record per live target, none twice, and a summary on ERR
# that says interrupted and accounts for every target.
check_interrupted() {
	local name=$1 out=$2 err=$3 port=$4 nlive=$5 ntotal=$6 n
	check "$name: every line of the output is a whole JSON record" jsonl_check "$out"
	python3 - "$out" "$port" >"$LIB_TMP/facts" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
live_port = int(sys.argv[2])
print("records", len(recs))
print("unique", len({(r.get("host"), r.get("port")) for r in recs}))
print("live_ok", sum(1 for r in recs if r.get("port") == live_port and r.get("status") == "ok"))
print("bad_status", sum(1 for r in recs if r.get("status") not in ("ok", "timeout", "error")))
PY
	is "$(fact live_ok)" "$nlive" "$name: all $nlive live targets have an ok record"
	is "$(fact unique)" "$(fact records)" "$name: no target has two records"
	is "$(fact bad_status)" 0 "$name: every record has status ok, timeout or error"
	like "$(cat "$err")" "^snmpfleet: .*interrupted" "$name: the summary says interrupted"
	like "$(cat "$err")" "[0-9]+ not finished" "$name: the summary says how many were not finished"
	n=$(sed -nE 's/.*[^0-9]([0-9]+) not finished.*/\1/p' "$err" | head -n 1)
	is "$(( ${n:-0} + $(fact records) ))" "$ntotal" \
	    "$name: records written + not finished = $ntotal targets (${n:-?} not finished)"
}

# ---------------------------------------------- hostile.py agents
# start_hostile NAME MODE [OPTION...] — tests/integration/hostile.py
# --mode MODE on 127.0.0.1 (needs need_snmpber); sets PORT_<NAME> (dashes
# as _).  Its files are $LIB_TMP/NAME.port and NAME.agent.err.
start_hostile() {
	local name=$1 mode=$2 var
	shift 2
	python3 "$(dirname "${BASH_SOURCE[0]}")/hostile.py" --mode "$mode" \
	    --ready "$LIB_TMP/$name.port" "$@" \
	    >/dev/null 2>"$LIB_TMP/$name.agent.err" &
	track_pid $!
	wait_ready "$LIB_TMP/$name.port" "hostile.py --mode $mode" \
	    "$LIB_TMP/$name.agent.err"
	var=PORT_${name//-/_}
	printf -v "$var" '%s' "$(cat "$LIB_TMP/$name.port")"
}

# guarded_run NAME ARGS... — snmpfleet under a hang guard ("timeout 120",
# only to turn a hang into a failure: exit 124); sets RC, writes
# $LIB_TMP/NAME.out and NAME.err.
guarded_run() {
	local name=$1
	shift
	timeout 120 "$SNMPFLEET" "$@" >"$LIB_TMP/$name.out" 2>"$LIB_TMP/$name.err"
	RC=$?
}

# status_of NAME — "exit/status" of the one-target jsonl run NAME.
status_of() {
	echo "$RC/$(rec "$LIB_TMP/$1.out" 'r["status"]')"
}
