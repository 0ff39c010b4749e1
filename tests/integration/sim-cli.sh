#!/usr/bin/env bash
# sim-cli.sh — snmpfleet-sim as a program: --help and the man page name
# the same options; bad options exit 2 naming the option; a port in use
# exits 1; SIGUSR1 prints the counters; SIGINT, SIGTERM and --duration end
# it with status 0; --quiet; --threads; and snmpfleet's tables and v1
# walks against it.  Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpfleet
need_python

T=$LIB_TMP
SIM=$SNMPFLEET_SIM
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MAN=$top_srcdir/man/snmpfleet-sim.1

# ------------------------------------------------------------ --help
HELP=$("$SIM" --help)
ok $? "--help exits 0"
like "$HELP" '^usage: snmpfleet-sim --port N' "--help starts with a usage line"
grep -o -- '--[a-z][a-z-]*' <<<"$HELP" | sort -u | grep -v -e '^--help$' >"$T/help.opts"
sed -n 's/^\.It Fl [a-zA-Z] , Fl -\([a-z-]*\).*/--\1/p; s/^\.It Fl -\([a-z-]*\).*/--\1/p' \
    "$MAN" | sort -u | grep -v -e '^--help$' >"$T/man.opts"
is_file "$T/man.opts" "$T/help.opts" "--help and snmpfleet-sim(1) list the same options"
like "$("$SIM" --version)" '^snmpfleet-sim [0-9]+\.[0-9]+' "--version prints the version"

# -------------------------------------------------------- bad options
# bad EXPECTED-RE ARGS... — exit 2 and a message matching EXPECTED-RE.
bad() {
	local re=$1 out rc
	shift
	out=$("$SIM" "$@" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" = 2 ] && grep -Eq -- "$re" <<<"$out"; then
		pass "exit 2 for: $*"
	else
		fail "exit 2 for: $*"
		diag "status $rc, output: $out"
	fi
}
bad '--port is required' --dead 10
bad "unknown option '--bogus'" --port 1 --bogus
bad '--loss: .101. is not a number from 0 to 100' --port 1 --loss 101
bad '--dead: .ten.' --port 1 --dead ten
bad '--latency: .abc.' --port 1 --latency abc
bad '--latency: .x.' --port 1 --latency 5:x
bad '--slow: .10. is not PCT:MS' --port 1 --slow 10
bad '--threads: .0.' --port 1 --threads 0
bad '--port: .70000.' --port 70000
bad '--max-size: .100.' --port 1 --max-size 100
bad '--interfaces: .-1.' --port 1 --interfaces -1
bad '--tables: .huge. is not none, small or full' --port 1 --tables huge
bad '--listen: bad listen address .nowhere.' --port 1 --listen nowhere
bad "--port needs a value" --port
bad "unexpected argument 'extra'" --port 1 extra
OUT=$(printf '127.0.0.1\nnot-an-address\n' | "$SIM" --dead 50 --print-dead 2>&1)
is "$?" 2 "--print-dead: a line that is not an address exits 2"
like "$OUT" 'stdin:2: not an address' "--print-dead: ... naming the line"

# -------------------------------------------------------- port in use
start_sim
OUT=$("$SIM" --port "$SIM_PORT" --duration 5 2>&1)
is "$?" 1 "a second sim on the same port exits 1"
like "$OUT" "cannot bind 0\.0\.0\.0:$SIM_PORT" "... saying it cannot bind"
OUT=$("$SIM" --port "$SIM_PORT" --threads 2 --duration 5 2>&1)
is "$?" 1 "a second sim with --threads 2 (SO_REUSEPORT) does not share the port either"

# --------------------------------------------------- signals, duration
LINE=$(sim_counters)
like "$LINE" '^snmpfleet-sim: received=0 answered=0 .* responses_per_s=' "SIGUSR1 prints the counters"
kill -TERM "$SIM_PID"
wait "$SIM_PID"
is "$?" 0 "SIGTERM: exit 0"
like "$(tail -1 "$SIM_LOG")" '^snmpfleet-sim: received=0 ' "SIGTERM: the counters are printed at exit"
SIM_PID=

start_sim
kill -INT "$SIM_PID"
wait "$SIM_PID"
is "$?" 0 "SIGINT (to a background job, where the shell ignores it): exit 0"
SIM_PID=

START=$EPOCHREALTIME
P=$(random_port 20000 60000)
"$SIM" --port "$P" --duration 1 2>"$T/dur.err"
is "$?" 0 "--duration 1: exits by itself with status 0"
check "--duration 1: ran at least 1 s ($(elapsed_since "$START") s)" \
    awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= 1) }'
like "$(cat "$T/dur.err")" 'elapsed=1\.' "--duration 1: counters at exit"

P=$(random_port 20000 60000)
"$SIM" --port "$P" --duration 0.3 --quiet 2>"$T/quiet.err"
is "$?:$(wc -c <"$T/quiet.err")" "0:0" "--quiet: nothing printed"

# ----------------------------------------------------------- threads
start_sim --threads 2 --interfaces 3
make_hosts 1000 >"$T/hosts"
"$SNMPFLEET" -i "$T/hosts" --port "$SIM_PORT" -t 1 -r 2 -F jsonl -o "$T/t.jsonl" \
    sysName.0 </dev/null 2>/dev/null
is "$?" 0 "--threads 2: snmpfleet gets all 1000 targets"
is "$(python3 - "$T/t.jsonl" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1])
          if json.loads(l)["values"][0]["value"] == json.loads(l)["host"]))
PY
)" 1000 "--threads 2: each with its own sysName"

# --------------------------------------------- tables and v1 walks
"$SNMPFLEET" -H 127.0.5.1-127.0.5.10 --port "$SIM_PORT" -T ifTable -T ifXTable \
    -F jsonl -o "$T/tables.jsonl" </dev/null 2>/dev/null
is "$?" 0 "snmpfleet -T ifTable -T ifXTable: exit 0"
is "$(python3 - "$T/tables.jsonl" <<'PY'
import json, sys
rows = set()
for line in open(sys.argv[1]):
    t = json.loads(line)["tables"]
    rows.add((tuple(t), len(t["ifTable"]),
              all("ifName" in x and "ifDescr" in x for x in t["ifTable"])))
print(sorted(rows))
PY
)" "[(('ifTable',), 3, True)]" "every device has 3 ifTable rows, joined with ifXTable's"
"$SNMPFLEET" -v1 -H 127.0.5.1 --port "$SIM_PORT" -w 1.3.6.1.2.1.31.1.1 \
    </dev/null >"$T/v1walk" 2>/dev/null
is "$?" 0 "snmpfleet -v1 -w ifXTable: exit 0"
is "$(grep -c Counter64 "$T/v1walk"):$(grep -c '31\.1\.1\.1\.1\.' "$T/v1walk")" "0:3" \
    "snmpfleet -v1 -w ifXTable: 3 ifName rows, no Counter64"
stop_sim

done_testing
