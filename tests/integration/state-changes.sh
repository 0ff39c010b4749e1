#!/usr/bin/env bash
# state-changes.sh — --changes across runs against snmpfleet-sim: the
# first run makes every answering target "appeared"; a second sim (with
# --clock-start past the first) with --restarted A, --swapped B and
# --dead-list C gives exactly rebooted A, changed B (old and new
# sysDescr, sysObjectID), vanished C and nothing for the others; a third
# without --dead-list gives recovered C.  --vanish-after 2 delays
# vanished to the second silent run.  Every line of the events file is
# one whole JSON object; the summary and --stats-file count the events.
# --changes without --state is exit 2.  Loopback only; never a
# wall-clock limit.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpfleet
need_python

T=$LIB_TMP
A=127.0.0.4		# restarted in run 2
B=127.0.0.5		# swapped in run 2
C=127.0.0.6		# dead in run 2
D=127.0.0.3		# nothing happens to it
OIDS="sysUpTime.0 sysObjectID.0 sysName.0 sysDescr.0 ifHCInOctets.1"

# poll STATE EVENTS OUT [OPTION...] — one run over D..C with --changes.
poll() {
	local st=$1 ev=$2 out=$3
	shift 3
	"$SNMPFLEET" -H $D-$C --port "$SIM_PORT" -t 0.5 -r 1 -F jsonl \
	    --state "$st" --changes "$ev" --stats-file "$out.stats" \
	    -o "$out" "$@" $OIDS </dev/null 2>"$out.err"
}

# events FILE [FROM] — "event host" per line from line FROM on, sorted
events() {
	tail -n +"${2:-1}" "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["event"], e["host"])' | sort
}

# whole FILE — every line is one JSON object with time/event/host/port
whole() {
	python3 - "$1" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
ok = data.endswith(b"\n")
for l in data.decode().splitlines():
    e = json.loads(l)
    ok = ok and isinstance(e, dict) and {"time", "event", "host", "port"} <= e.keys()
print("yes" if ok else "no")
PY
}

# key FILE HOST EVENT KEY — a key of HOST's EVENT (JSON text)
key() {
	python3 - "$@" <<'PY'
import json, sys
f, host, ev, k = sys.argv[1:]
for l in open(f):
    e = json.loads(l)
    if e["host"] == host and e["event"] == ev and (k != "field" or True):
        print(json.dumps(e.get(k, "absent")))
PY
}

# stat_events FILE — the stats file's events object, "k=v ..." sorted
stat_events() {
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1])).get("events")
print("absent" if e is None else " ".join("%s=%d" % kv for kv in sorted(e.items())))' "$1"
}

# --------------------------------------------- --changes needs --state
"$SNMPFLEET" -H $A --changes "$T/nostate.ev" sysUpTime.0 </dev/null 2>"$T/nostate.err"
is "$?" 2 "--changes without --state: exit 2"
like "$(cat "$T/nostate.err")" "--changes needs --state" "the message says why"

# ------------------------------------------- run 1: every one appeared
start_sim
poll "$T/st" "$T/ev" "$T/r1"
is "$?" 0 "run 1 exits 0"
is "$(events "$T/ev")" "$(printf 'appeared %s\n' $D $A $B $C | sort)" \
    "run 1: every answering target appeared"
is "$(whole "$T/ev")" yes "the events are whole JSON lines"
like "$(cat "$T/r1.err")" "; 4 appeared\$" "the summary counts them"
is "$(stat_events "$T/r1.stats")" \
    "appeared=4 changed=0 rebooted=0 recovered=0 vanished=0" \
    "the stats file counts them"
cp "$T/st" "$T/st.v2"
stop_sim
SIM_SAME_PORT=$SIM_PORT		# the targets keep their address:port

# -------------- run 2: A restarted, B swapped, C dead, D as it was
start_sim --clock-start 200 --restarted $A --swapped $B --dead-list $C
n1=$(wc -l <"$T/ev")
poll "$T/st" "$T/ev" "$T/r2"
is "$?" 1 "run 2 exits 1 (a target timed out)"
is "$(events "$T/ev" $((n1 + 1)) | sort -u)" \
    "$(printf '%s\n' "changed $B" "rebooted $A" "vanished $C")" \
    "run 2: rebooted A, changed B, vanished C, nothing for D"
is "$(key "$T/ev" $B changed field | sort | tr '\n' ' ')" \
    '"sysDescr.0" "sysObjectID.0" ' "B changed sysDescr.0 and sysObjectID.0, not sysName.0"
old=$(python3 - "$T/ev" "$T/r1" $B <<'PY'
import json, sys
ev, r1, host = sys.argv[1:]
before = {}
for l in open(r1):
    r = json.loads(l)
    if r["host"] == host:
        before = {v["name"]: v["value"] for v in r["values"]}
ok = False
for l in open(ev):
    e = json.loads(l)
    if e["host"] == host and e["event"] == "changed" and e["field"] == "sysDescr.0":
        ok = e["old"] == before["sysDescr.0"] and e["new"] != e["old"]
print(ok)
PY
)
is "$old" True "changed: old is run 1's sysDescr.0, new another"
up=$(key "$T/ev" $A rebooted uptime_before)
now=$(key "$T/ev" $A rebooted uptime_now)
ok "$([ "$now" -lt "$up" ]; echo $?)" "rebooted: uptime_now ($now) < uptime_before ($up)"
is "$(whole "$T/ev")" yes "the events are still whole JSON lines"
like "$(cat "$T/r2.err")" "; 1 vanished, 1 rebooted, 2 changed\$" \
    "the summary counts run 2's events" ||
    diag "$(cat "$T/r2.err")"
is "$(stat_events "$T/r2.stats")" \
    "appeared=0 changed=2 rebooted=1 recovered=0 vanished=1" \
    "the stats file counts them (two changed fields)"

# --vanish-after 2: the first silent run is not yet vanished
poll "$T/st.v2" "$T/ev.v2" "$T/v2a" --vanish-after 2
is "$(events "$T/ev.v2" | grep -c vanished)" 0 "--vanish-after 2: no vanished after one silent run"
poll "$T/st.v2" "$T/ev.v2" "$T/v2b" --vanish-after 2
is "$(events "$T/ev.v2" | grep vanished)" "vanished $C" \
    "--vanish-after 2: vanished after the second"
poll "$T/st.v2" "$T/ev.v2" "$T/v2c" --vanish-after 2
is "$(events "$T/ev.v2" | grep -c vanished)" 1 "and only once"
stop_sim

# ---------------------------------------- run 3: C answers again
start_sim --clock-start 400 --swapped $B
n2=$(wc -l <"$T/ev")
poll "$T/st" "$T/ev" "$T/r3"
is "$?" 0 "run 3 exits 0"
is "$(events "$T/ev" $((n2 + 1)))" "recovered $C" "run 3: recovered C, nothing else"
like "$(cat "$T/r3.err")" "; 1 recovered\$" "the summary counts it"

# a run with no event: the summary is as without --changes
poll "$T/st" "$T/ev" "$T/r4"
is "$(wc -l <"$T/ev")" "$((n2 + 1))" "run 4: no event"
like "$(cat "$T/r4.err")" "p99 [0-9.]* ms; window [0-9]+\$" \
    "no event: the summary ends as it does without --changes (rtt, window)"
poll "$T/st" "$T/ev.p2" "$T/r5" -P 2 --state-reset
is "$(events "$T/ev.p2")" "$(printf 'appeared %s\n' $D $A $B $C | sort)" \
    "-P 2 with --state-reset: each target appeared once"
is "$(whole "$T/ev.p2")" yes "-P 2: whole JSON lines"
stop_sim

# ------- the chassis: entPhysicalSerialNum/ModelName of the class-3 row
start_sim --clock-start 600
poll "$T/st.ent" "$T/ev.ent" "$T/e1" -T entPhysicalTable
is "$?" 0 "a run with -T entPhysicalTable exits 0"
stop_sim
start_sim --clock-start 800 --swapped $B
n3=$(wc -l <"$T/ev.ent")
poll "$T/st.ent" "$T/ev.ent" "$T/e2" -T entPhysicalTable
is "$(tail -n +$((n3 + 1)) "$T/ev.ent" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["event"], e["host"], e.get("field", ""))' | sort | tr '\n' ';')" \
    "changed $B entPhysicalModelName;changed $B entPhysicalSerialNum;changed $B sysDescr.0;changed $B sysObjectID.0;" \
    "a swapped chassis: changed entPhysicalSerialNum and entPhysicalModelName (the default --fingerprint), nothing for the others"
serial_now=$(python3 - "$T/e2" $B <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["host"] == sys.argv[2]:
        rows = [x for x in r["tables"]["entPhysicalTable"] if x.get("entPhysicalClass") == 3]
        print(rows[0]["entPhysicalSerialNum"] if rows else "none")
PY
)
is "$(key "$T/ev.ent" $B changed new | grep -c "\"$serial_now\"")" 1 \
    "the serial's new value is the chassis row's (entPhysicalClass 3) now"
stop_sim

done_testing
