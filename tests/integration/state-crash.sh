#!/usr/bin/env bash
# state-crash.sh — --state when runs crash or meet, against
# snmpfleet-sim: the parent SIGKILLed while it writes the new state
# (the fault hook SNMPFLEET_TEST_FAULT=state-write:N) leaves the old
# state whole, and the next run uses it (rates, not "first") and removes
# the killed run's partial and temporary files; partials of a live run
# stay; two runs at once with --lock: the second exits 3 and the state
# stays whole; two --shard runs at once on one state file both keep
# their targets (a run of all targets after them has a rate for every
# counter).  Never a
# wall-clock limit: runs wait for each other through their files.
# Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_fault_injection
need_python

T=$LIB_TMP
H=127.0.9.0/26			# 62 targets
OIDS="sysUpTime.0 ifHCInOctets.1 ifHCInOctets.2"

# poll STATE OUT [OPTION...] — one run over H with --state.
poll() {
	local st=$1 out=$2
	shift 2
	"$SNMPFLEET" -q -H $H --port "$SIM_PORT" -t 2 -r 2 -F jsonl \
	    --state "$st" -o "$out" "$@" $OIDS </dev/null 2>"$out.err"
}

# resets FILE — "N_first N_rate": counter values of FILE marked first,
# and with a rate.
resets() {
	python3 - "$1" <<'PY'
import json, sys
first = rate = 0
for l in open(sys.argv[1]):
    for v in json.loads(l)["values"]:
        if v.get("reset") == "first":
            first += 1
        elif v.get("rate") is not None:
            rate += 1
print(first, rate)
PY
}

# leftovers — partial and temporary files of the state st in $T
leftovers() { (cd "$T" && ls -1 | grep -E '^st\.(part|tmp)\.' || true); }

# replies 300 ms late: a run lasts long enough for another to meet it
start_sim --counter-rate 1000 --latency 300
poll "$T/st" "$T/r1" -P 2
is "$?" 0 "run 1 wrote the state"
is "$(resets "$T/r1")" "124 0" "run 1: every counter first (62 targets x 2)"
cp "$T/st" "$T/st.before"

# ------------------------------------- SIGKILL while writing the state
SNMPFLEET_TEST_FAULT=state-write:30 poll "$T/st" "$T/r2" -P 2
is "$?" 137 "run 2: the parent killed (SIGKILL) half way through the new state"
is_file "$T/st" "$T/st.before" "the old state is there, byte for byte"
like "$(leftovers)" "st\.tmp\." "the killed run left its temporary file"
like "$(leftovers)" "st\.part\." "and its workers' partial files"
# a live process's partial: not stale, stays
touch "$T/st.part.$$.1"
poll "$T/st" "$T/r3" -P 2
is "$?" 0 "run 3 after the crash exits 0"
is "$(resets "$T/r3")" "0 124" "run 3 has a rate for every counter: the state of run 1 was used"
is "$(leftovers)" "st.part.$$.1" "the killed run's files are gone; a live run's partial stays"
rm -f "$T/st.part.$$.1"

# ------------------------------------------ two runs at once, --lock
cp "$T/st" "$T/st.before"
# -j fixed:8: 8 rounds of 300 ms, so run 4 lasts; whether it holds the
# lock is read from /proc/locks (a probe with flock(1) would take the
# lock itself for an instant, and could make run 4 exit 3)
poll "$T/st" "$T/r4" -P 1 -j fixed:8 --lock "$T/run.lock" &
held=
for ((i = 0; i < 600; i++)); do
	ino=$(stat -c %i "$T/run.lock" 2>/dev/null)
	if [ -n "$ino" ] && grep -q ":$ino " /proc/locks; then
		held=1
		break
	fi
	sleep 0.05
done
ok "$([ -n "$held" ]; echo $?)" "run 4 holds --lock"
poll "$T/st" "$T/r5" -P 1 --lock "$T/run.lock"
is "$?" 3 "run 5 at the same time with the same --lock: exit 3"
is_file "$T/st" "$T/st.before" "run 5 left the state as it was"
wait $!
is "$?" 0 "run 4 finishes and exits 0"
is "$(resets "$T/r4")" "0 124" "run 4 has a rate for every counter"
poll "$T/st" "$T/r6"
is "$(resets "$T/r6")" "0 124" "run 6 has a rate for every counter"

# ----------------------------- two shards at once on one state file
rm -f "$T/st"
poll "$T/st" "$T/s1" --shard 0/2 -P 2 &
p1=$!
poll "$T/st" "$T/s2" --shard 1/2 -P 2 &
p2=$!
wait $p1
r1=$?
wait $p2
is "$r1 $?" "0 0" "shards 0/2 and 1/2 run at once, both exit 0"
n1=$(wc -l <"$T/s1")
n2=$(wc -l <"$T/s2")
is "$((n1 + n2))" 62 "between them they poll the 62 targets ($n1 + $n2)"
poll "$T/st" "$T/r7"
is "$(resets "$T/r7")" "0 124" "a run of all targets after them has a rate for every counter: neither shard dropped the other's targets"
is "$(leftovers)" "" "no partial or temporary file left"
stop_sim

done_testing
