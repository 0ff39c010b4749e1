#!/usr/bin/env bash
# sim-faults.sh — snmpfleet-sim's faults: --dead (the same hash-chosen set
# on every run, exactly what --print-dead names, and exactly the targets
# snmpfleet reports as timeouts), --loss (the share of single GETs that
# time out), --latency and --slow (lower bounds on round trips only, never
# an upper wall-clock limit), and --seed (the same losses again).
# Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpfleet
need_python

T=$LIB_TMP
CLIENT=(python3 "$(dirname "${BASH_SOURCE[0]}")/sim-client.py")

# in_range N LO HI — exit 0 when LO <= N <= HI.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# jsonl_hosts FILE STATUS — the hosts with that status, sorted.
jsonl_hosts() {
	python3 - "$1" "$2" <<'PY' | sort
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["status"] == sys.argv[2]:
        print(r["host"])
PY
}

# ------------------------------------------------------------- --dead
make_hosts 1000 >"$T/hosts"
"$SNMPFLEET_SIM" --dead 10 --print-dead <"$T/hosts" | sort >"$T/dead"
ok $? "--print-dead exits 0"
ND=$(wc -l <"$T/dead")
check "--dead 10 makes $ND of 1000 addresses dead (60 to 140)" in_range "$ND" 60 140
"$SNMPFLEET_SIM" --dead 10 --print-dead <"$T/hosts" | sort >"$T/dead.again"
is_file "$T/dead.again" "$T/dead" "--print-dead names the same set twice"
"$SNMPFLEET_SIM" --dead 5 --print-dead <"$T/hosts" | sort >"$T/dead5"
is "$(comm -23 "$T/dead5" "$T/dead" | wc -l)" 0 "the --dead 5 set is part of the --dead 10 set"
"$SNMPFLEET_SIM" --dead 10 --seed 99 --print-dead <"$T/hosts" | sort >"$T/dead.seed"
is_file "$T/dead.seed" "$T/dead" "--seed does not change the dead set"

for run in 1 2; do
	start_sim --dead 10
	"${CLIENT[@]}" probe "$SIM_PORT" "$T/hosts" -r 3 -t 1 >"$T/probe$run"
	DEADCOUNT=$(sim_counter dead)
	stop_sim
	sed -n 's/^silent //p' "$T/probe$run" | sort >"$T/silent$run"
	is "$(grep -c -v -e '^silent ' -e '^answered ' "$T/probe$run")" 0 \
	    "run $run: every answer comes from the address asked, with its sysName"
	is_file "$T/silent$run" "$T/dead" "run $run: the silent addresses are exactly --print-dead's"
	check "run $run: the sim counted requests to dead addresses ($DEADCOUNT)" \
	    in_range "$DEADCOUNT" "$ND" "$((3 * ND))"
done
is_file "$T/silent2" "$T/silent1" "two runs: the same addresses never answer"

# snmpfleet against the dead fleet: its timeouts are exactly the dead set
start_sim --dead 10
"$SNMPFLEET" -i "$T/hosts" --port "$SIM_PORT" -t 1 -r 2 -F jsonl \
    -o "$T/fleet.jsonl" sysName.0 sysUpTime.0 </dev/null 2>"$T/fleet.err"
is "$?" 1 "snmpfleet: exit 1 (some targets failed)"
jsonl_hosts "$T/fleet.jsonl" timeout >"$T/fleet.timeout"
is_file "$T/fleet.timeout" "$T/dead" "snmpfleet: the timeouts are exactly the sim's dead set"
is "$(jsonl_hosts "$T/fleet.jsonl" ok | wc -l)" "$((1000 - ND))" \
    "snmpfleet: every other target is ok"
is "$(python3 - "$T/fleet.jsonl" <<'PY'
import json, sys
bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["status"] == "ok" and r["values"][0]["value"] != r["host"]:
        bad += 1
print(bad)
PY
)" 0 "snmpfleet: each ok target's sysName.0 is its own address"
stop_sim

# ------------------------------------------------------------- --loss
make_hosts 2000 >"$T/hosts2000"
start_sim --loss 20
"$SNMPFLEET" -i "$T/hosts2000" --port "$SIM_PORT" -t 1.5 -r 0 -j 512 -F jsonl \
    -o "$T/loss.jsonl" sysName.0 </dev/null 2>"$T/loss.err"
NT=$(jsonl_hosts "$T/loss.jsonl" timeout | wc -l)
LINE=$(sim_counters)
LOST=$(sim_counter lost "$LINE")
stop_sim
check "--loss 20: $NT of 2000 single GETs (-r 0) time out (310 to 490)" in_range "$NT" 310 490
is "$LOST" "$NT" "--loss 20: the sim's lost counter equals the timeouts"
is "$(sim_counter received "$LINE")" 2000 "--loss 20: the sim received the 2000 requests"

# ------------------------------------------------------------- --seed
seq_run() {
	start_sim --loss 30 "$@"
	"${CLIENT[@]}" seq "$SIM_PORT" 127.0.0.1 60 -t 0.1
	stop_sim
}
S1=$(seq_run --seed 7)
S2=$(seq_run --seed 7)
S3=$(seq_run --seed 8)
like "$S1" '^[01]{60}$' "--seed 7: 60 sequential GETs, some lost ($S1)"
is "$S2" "$S1" "--seed 7 again: the same requests are lost"
unlike "$S3" "^$S1\$" "--seed 8: other requests are lost ($S3)"

# ----------------------------------------------------------- --latency
at_least_ms() {	# FILE MS — every ok record's rtt_ms is at least MS
	python3 - "$1" "$2" <<'PY'
import json, sys
rtts = [json.loads(l)["rtt_ms"] for l in open(sys.argv[1])]
low = [r for r in rtts if r < float(sys.argv[2])]
print("%d records, min rtt %.1f ms%s" % (len(rtts), min(rtts),
      ", %d below" % len(low) if low else ""))
sys.exit(1 if low or not rtts else 0)
PY
}
make_hosts 20 >"$T/hosts20"
start_sim --latency 50
START=$EPOCHREALTIME
"$SNMPFLEET" -i "$T/hosts20" --port "$SIM_PORT" -t 2 -r 0 -F jsonl \
    -o "$T/lat.jsonl" sysName.0 </dev/null 2>/dev/null
is "$?" 0 "--latency 50: every target answers"
OUT=$(at_least_ms "$T/lat.jsonl" 50)
ok $? "--latency 50: every round trip is at least 50 ms ($OUT)"
"${CLIENT[@]}" get "$SIM_PORT" 127.0.0.1 1.3.6.1.2.1.1.5.0 >"$T/lat1"
like "$(cat "$T/lat1")" '"rtt": 0\.(0[5-9]|[1-9])' "--latency 50: sim-client's round trip is at least 50 ms too"
is "$(sim_counter delayed)" 21 "--latency 50: 21 replies were delayed"
stop_sim

start_sim --latency 40:20
"$SNMPFLEET" -i "$T/hosts20" --port "$SIM_PORT" -t 2 -r 0 -F jsonl \
    -o "$T/jit.jsonl" sysName.0 </dev/null 2>/dev/null
OUT=$(at_least_ms "$T/jit.jsonl" 20)
ok $? "--latency 40:20: every round trip is at least 20 ms ($OUT)"
stop_sim

# -------------------------------------------------------------- --slow
make_hosts 100 >"$T/hosts100"
start_sim --slow 30:300
"$SNMPFLEET" -i "$T/hosts100" --port "$SIM_PORT" -t 2 -r 0 -F jsonl \
    -o "$T/slow.jsonl" sysName.0 </dev/null 2>/dev/null
is "$?" 0 "--slow 30:300: every target answers"
DELAYED=$(sim_counter delayed)
stop_sim
check "--slow 30:300: $DELAYED of 100 devices are slow (10 to 55)" in_range "$DELAYED" 10 55
NSLOW=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["rtt_ms"] >= 300))' "$T/slow.jsonl")
check "--slow 30:300: at least those $DELAYED take 300 ms or more ($NSLOW do)" \
    in_range "$NSLOW" "$DELAYED" 100

done_testing
