#!/usr/bin/env bash
# ops-lock.sh — --lock FILE: one run at a time.  While a run holds the
# lock, a second run with the same --lock exits 3 without polling
# anything, naming the holder ("another run holds FILE (pid N, started
# TIME)"), and does so while the holder is still running (it never waits).
# However the holder ends — even SIGKILL, with -P 1 or with a -P 2 pool
# whose workers then go too — the next run starts normally.  Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
start_snmpd

plan 28

T=$LIB_TMP
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
LOCK=$T/poll.lock

# Long runs are started in a session of their own (setsid), with SIGINT
# and SIGTERM at their defaults, so that session_no_leftovers (lib.sh)
# can check that nothing of them is left.
launch_init --default-signals

# A run that holds the lock for as long as we let it: one live target and
# targets on a port where nothing listens, waited for 60 s each (-j 4, so
# that with -P 2 both workers get some).
{
	echo "127.0.0.1:$P"
	make_hosts 8 | sed "s/\$/:$DEAD/"
} >"$T/slow-inventory"

# holder NAME PROCS — start a long run holding $LOCK in the background;
# sets HOLDER to its pid once the lock file names it.
holder() {
	local name=$1 procs=$2 i
	"${LAUNCH[@]}" "$SNMPFLEET" --lock "$LOCK" -i "$T/slow-inventory" -t 60 -r 0 \
	    -P "$procs" -j 4 -F jsonl -o "$T/$name.jsonl" sysName.0 \
	    </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	HOLDER=$!
	track_pid "$HOLDER"
	for ((i = 0; i < 300; i++)); do
		grep -q "^pid $HOLDER, " "$LOCK" 2>/dev/null && break
		kill -0 "$HOLDER" 2>/dev/null || break
		sleep 0.05
	done
	# and until the live target's record is out: it is polling by then
	for ((i = 0; i < 300; i++)); do
		[ -s "$T/$name.jsonl" ] && break
		kill -0 "$HOLDER" 2>/dev/null || break
		sleep 0.05
	done
}

# second NAME — a normal run against the live agent with the same lock;
# sets RC, and OUT/ERR to its stdout/stderr.
second() {
	local name=$1
	"$SNMPFLEET" --lock "$LOCK" -H "127.0.0.1:$P" -H "127.0.0.2:$P" \
	    -t 2 -F jsonl sysName.0 </dev/null >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	OUT=$(cat "$T/$name.out")
	ERR=$(cat "$T/$name.err")
}

ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z'

# ------------------------------------------------- -P 1 holder, SIGKILL
holder first 1
kill -0 "$HOLDER" 2>/dev/null
ok $? "the first run is running and holds the lock"
like "$(cat "$LOCK")" "^pid $HOLDER, started $ISO\$" \
    "the lock file names the holder: pid $HOLDER and its start time"

second blocked
is "$RC" 3 "a second run with the same --lock exits 3"
like "$ERR" "^snmpfleet: another run holds $LOCK \\(pid $HOLDER, started $ISO\\)\$" \
    "it names the lock file, the holder's pid and start time"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "that is its only message (no summary: nothing was polled)"
is "$OUT" "" "it writes no records"
kill -0 "$HOLDER" 2>/dev/null
ok $? "it exited while the holder is still running (it does not wait for the lock)"
like "$(cat "$LOCK")" "^pid $HOLDER, " "the refused run left the holder's lock file alone"

kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null
RC=$?
is "$RC" 137 "the holder was SIGKILLed"
session_no_leftovers "$HOLDER" "nothing of the killed run is left"

second after-kill
ok $((RC == 0 || RC == 1 ? 0 : 1)) "after the holder's SIGKILL the next run starts normally (exit $RC)"
is "$RC" 0 "and polls both live targets (exit 0)"
is "$(printf '%s\n' "$OUT" | grep -c '"status":"ok"')" 2 "it wrote both records"
unlike "$ERR" "another run holds" "it does not complain about the lock"

# The lock is released at the end of a normal run too.
second after-normal
is "$RC" 0 "a run after a normal run that held the lock starts normally"

# --------------------------------------- -P 2 pool holder, SIGKILL parent
holder pool 2
WORKERS=$(pgrep -P "$HOLDER" | tr '\n' ' ')
is "$(echo "$WORKERS" | wc -w)" 2 "a -P 2 holder runs 2 workers ($WORKERS)"
second blocked-pool
is "$RC" 3 "while a pool holds the lock a second run exits 3"
like "$ERR" "another run holds $LOCK \\(pid $HOLDER, started $ISO\\)" \
    "naming the pool's parent pid $HOLDER"

kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null
# The workers share the lock's open file; they follow their parent (they
# are told when it dies).  Wait until they are gone.
for ((i = 0; i < 200; i++)); do
	alive=0
	for w in $WORKERS; do
		kill -0 "$w" 2>/dev/null && alive=1
	done
	[ "$alive" = 0 ] && break
	sleep 0.05
done
is "$alive" 0 "the workers of the SIGKILLed parent are gone"
session_no_leftovers "$HOLDER" "nothing of the killed pool is left"
second after-pool-kill
is "$RC" 0 "after the pool's SIGKILL the next run starts normally (exit 0)"
unlike "$ERR" "another run holds" "it does not complain about the lock"

# ------------------------------------------------------ a run refused
# The refused run leaves a lock nobody holds; the next run takes it.
second free-again
is "$RC" 0 "the lock file left behind by earlier runs does not block a run"

# ------------------------------------------- unusable lock file: usage
"$SNMPFLEET" --lock "$T/no/such/dir/lock" -H "127.0.0.1:$P" sysName.0 \
    </dev/null >"$T/bad.out" 2>"$T/bad.err"
RC=$?
is "$RC" 2 "a lock file that cannot be created is a usage error (exit 2)"
like "$(cat "$T/bad.err")" "--lock $T/no/such/dir/lock: No such file or directory" \
    "the message names the lock file and why"
is "$(cat "$T/bad.out")" "" "and nothing is polled"

# -------------------------------------- --lock in a config file as well
printf 'lock = %s\n' "$LOCK" >"$T/locked.conf"
holder cfgholder 1
"$SNMPFLEET" --config "$T/locked.conf" -H "127.0.0.1:$P" sysName.0 \
    </dev/null >"$T/cfg.out" 2>"$T/cfg.err"
is "$?" 3 "lock = FILE in a config file has the same effect (exit 3)"
kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null
session_no_leftovers "$HOLDER" "nothing of the last holder is left"

done_testing
