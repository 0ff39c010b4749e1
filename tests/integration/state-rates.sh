#!/usr/bin/env bash
# state-rates.sh — --state across two runs against snmpfleet-sim: the
# first run marks every counter "first"; a second sim started with
# --clock-start (200 s of clock later) gives rates within 1% of
# --counter-rate and deltas exact against sysUpTime, a Counter32 that
# wrapped gives the right delta, --restarted devices give no rate
# ("reboot"), gauges get nothing, -P 2 gives the rates of -P 1.  A
# corrupt state is exit 2 with its reason (and --state-reset recovers),
# an unwritable one is refused, no partial file is left, and a run
# stopped by SIGTERM leaves the state as it was.  Never a wall-clock
# limit: times come from sysUpTime.  Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpfleet
need_python

T=$LIB_TMP
R=1000			# --counter-rate: ifHCInOctets.i grows R*i per second
N=4294867296		# --counter-start: 2^32 - 100000, ifInOctets.1 wraps
			# 100 s of clock after 0
A=127.0.0.4		# runs on
B=127.0.0.5		# restarted in the second sim
E=127.0.0.6		# its counters cleared in the second sim
OIDS="sysUpTime.0 ifHCInOctets.1 ifHCInOctets.2 ifInOctets.1 ifSpeed.1 ifCounterDiscontinuityTime.1"

# poll STATE OUT [OPTION...] — one run over A..127.0.0.6 with --state.
poll() {
	local st=$1 out=$2
	shift 2
	"$SNMPFLEET" -q -H $A-127.0.0.6 --port "$SIM_PORT" -t 1 -r 2 -F jsonl \
	    --state "$st" -o "$out" "$@" $OIDS </dev/null 2>"$out.err"
}

# field FILE HOST NAME KEY — a value object's KEY of HOST's record
# (JSON text; "absent" if the object has no such key).
field() {
	python3 - "$@" <<'PY'
import json, sys
f, host, name, key = sys.argv[1:]
for l in open(f):
    r = json.loads(l)
    if r["host"] != host:
        continue
    for v in r["values"]:
        if v["name"] == name:
            print(json.dumps(v[key]) if key in v else "absent")
PY
}

# partials — partial or temporary state files left in $T
partials() { (cd "$T" && ls -1 | grep -E '\.part\.|\.tmp\.' || true); }

# ------------------------------------------------------ run 1: first run
start_sim --counter-rate $R --counter-start $N
poll "$T/st" "$T/r1"
is "$?" 0 "run 1 with --state exits 0"
ok "$([ -s "$T/st" ]; echo $?)" "run 1 wrote the state file"
is "$(partials)" "" "run 1 left no partial files"
is "$(field "$T/r1" $A ifHCInOctets.1 reset) $(field "$T/r1" $A ifHCInOctets.1 rate)" \
    '"first" null' "first run: rate null, reset \"first\""
is "$(field "$T/r1" $A ifSpeed.1 rate)" absent "a Gauge32 gets no rate"
u1=$(field "$T/r1" $A sysUpTime.0 value)
i1=$(field "$T/r1" $A ifHCInOctets.1 value)
c1=$(field "$T/r1" $A ifInOctets.1 value)
stop_sim
SIM_SAME_PORT=$SIM_PORT		# the targets keep their address:port
cp "$T/st" "$T/st.p2"
cp "$T/st" "$T/st.inf"
cp "$T/st" "$T/st.csv"
cp "$T/st" "$T/st.tab"
cp "$T/st" "$T/st.bad"
cp "$T/st" "$T/st.term"

# ---------------------------------- run 2: 200 s of sim clock later
start_sim --counter-rate $R --counter-start $N --clock-start 200 --restarted $B \
    --counter-reset $E
poll "$T/st" "$T/r2"
is "$?" 0 "run 2 exits 0"
is "$(partials)" "" "run 2 left no partial files"
u2=$(field "$T/r2" $A sysUpTime.0 value)
is "$(field "$T/r2" $A ifHCInOctets.1 delta)" "$(( (u2 - u1) * R / 100 ))" \
    "ifHCInOctets.1 delta is exactly R per second of sysUpTime"
is "$(python3 -c "print(abs($(field "$T/r2" $A ifHCInOctets.1 rate) - $R) <= $R / 100)")" \
    True "ifHCInOctets.1 rate is $R within 1%"
is "$(python3 -c "print(abs($(field "$T/r2" $A ifHCInOctets.2 rate) - 2 * $R) <= 2 * $R / 100)")" \
    True "ifHCInOctets.2 rate is 2*$R within 1%"
c2=$(field "$T/r2" $A ifInOctets.1 value)
ok "$([ "$c2" -lt "$c1" ]; echo $?)" "ifInOctets.1 wrapped between the runs ($c1 -> $c2)"
is "$(field "$T/r2" $A ifInOctets.1 delta)" "$(( (u2 - u1) * R / 100 ))" \
    "the wrapped Counter32's delta is right"
is "$(field "$T/r2" $A ifSpeed.1 rate)" absent "a Gauge32 still gets no rate"
is "$(field "$T/r2" $B ifHCInOctets.1 rate) $(field "$T/r2" $B ifHCInOctets.1 reset)" \
    'null "reboot"' "--restarted device: rate null, reset \"reboot\""
is "$(field "$T/r2" $B ifInOctets.1 reset)" '"reboot"' \
    "--restarted device: its Counter32 too"
is "$(field "$T/r2" $E ifHCInOctets.1 rate) $(field "$T/r2" $E ifHCInOctets.1 reset)" \
    'null "discontinuity"' \
    "--counter-reset device: ifCounterDiscontinuityTime.1 changed, ifHCInOctets.1 has no rate (discontinuity)"
is "$(field "$T/r2" $E ifInOctets.1 reset)" '"discontinuity"' \
    "... its Counter32 of that row too (a clear looks like no wrap)"
is "$(field "$T/r2" $E ifHCInOctets.2 reset)" '"backwards"' \
    "... row 2 (its discontinuity time not polled): the Counter64 went back, no rate"
is "$(field "$T/r2" $A ifCounterDiscontinuityTime.1 value)" 0 \
    "the other devices' discontinuity time stays 0 ..."
is "$(python3 -c "print(abs($(field "$T/r2" $A ifHCInOctets.1 rate) - $R) <= $R / 100)")" True \
    "... and their rates are unchanged by polling it"

# -P 2 from the same first state: the same rates (sysUpTime-based: exact)
poll "$T/st.p2" "$T/r2p" -P 2
is "$?" 0 "run 2 with -P 2 exits 0"
is "$(partials)" "" "-P 2 left no partial files"
for h in $A 127.0.0.6; do
	for o in ifHCInOctets.1 ifHCInOctets.2 ifInOctets.1; do
		is "$(field "$T/r2p" $h $o rate)" "$(field "$T/r2" $h $o rate)" \
		    "-P 2 gives the rate of -P 1 ($h $o)"
	done
done
is "$(field "$T/r2p" $B ifHCInOctets.1 reset)" '"reboot"' "-P 2: the reboot too"

# influx: the same notes as fields
poll "$T/st.inf" "$T/r2i" -F influx
is "$?" 0 "run 2 with -F influx exits 0"
ui=$(sed -n "s/.*host=$A.*sysUpTime\.0=\([0-9]*\)i.*/\1/p" "$T/r2i")
like "$(grep "host=$A" "$T/r2i")" \
    "ifHCInOctets\.1_delta=$(( (ui - u1) * R / 100 ))i,ifHCInOctets\.1_rate=1000[ ,]" \
    "influx: KEY_delta (exact) and KEY_rate fields after the counter"
like "$(grep "host=$B" "$T/r2i")" 'ifHCInOctets\.1_reset="reboot"' \
    "influx: KEY_reset=\"reboot\" for the restarted device"
unlike "$(cat "$T/r2i")" 'ifSpeed\.1_' "influx: a gauge gets no extra field"

# csv: delta,rate,reset columns at the end of each line
poll "$T/st.csv" "$T/r2c" -F csv
is "$?" 0 "run 2 with -F csv exits 0"
is "$(head -1 "$T/r2c")" "host,port,oid,name,type,value,status,rtt_ms,display,delta,rate,reset" \
    "csv: the header ends with display, then delta,rate,reset"
csvcol() {	# csvcol HOST NAME COLUMN — one cell of the csv run
	python3 - "$T/r2c" "$@" <<'PY'
import csv, sys
f, host, name, col = sys.argv[1:]
for r in csv.DictReader(open(f)):
    if r["host"] == host and r["name"] == name:
        print(r[col])
PY
}
uc=$(csvcol $A sysUpTime.0 value)
is "$(csvcol $A ifHCInOctets.1 delta)" "$(( (uc - u1) * R / 100 ))" \
    "csv: the delta is exact against sysUpTime"
is "$(python3 -c "print(abs($(csvcol $A ifHCInOctets.1 rate) - $R) <= $R / 100)")" \
    True "csv: the rate is $R within 1%"
is "$(csvcol $A ifHCInOctets.1 reset)" "" "csv: a counter with a rate has no reset"
is "$(csvcol $A ifSpeed.1 delta)|$(csvcol $A ifSpeed.1 rate)|$(csvcol $A ifSpeed.1 reset)" \
    "||" "csv: a gauge's three columns are empty"
is "$(csvcol $B ifHCInOctets.1 rate)|$(csvcol $B ifHCInOctets.1 reset)" "|reboot" \
    "csv: the restarted device's counter: no rate, reset reboot"

# jsonl table rows: COLUMN_delta and COLUMN_rate after a counter column
poll "$T/st.tab" "$T/r2t" -T ifXTable
is "$?" 0 "run 2 with -T ifXTable exits 0"
tabcell() {	# tabcell HOST INDEX KEY — a cell of HOST's ifXTable row
	python3 - "$T/r2t" "$@" <<'PY'
import json, sys
f, host, idx, key = sys.argv[1:]
for l in open(f):
    r = json.loads(l)
    if r["host"] != host:
        continue
    for row in r["tables"]["ifXTable"]:
        if row["index"] == idx:
            print(json.dumps(row[key]) if key in row else "absent")
PY
}
ut=$(field "$T/r2t" $A sysUpTime.0 value)
is "$(tabcell $A 1 ifHCInOctets_delta)" "$(( (ut - u1) * R / 100 ))" \
    "table row: ifHCInOctets_delta exact"
is "$(python3 -c "print(abs($(tabcell $A 2 ifHCInOctets_rate) - 2 * $R) <= 2 * $R / 100)")" \
    True "table row 2: ifHCInOctets_rate is 2*$R within 1%"
is "$(tabcell $A 3 ifHCInOctets_rate) $(tabcell $A 3 ifHCInOctets_reset)" \
    'null "first"' "table row 3 (not polled before): first"
is "$(tabcell $A 1 ifName_rate)" absent "a text column gets no rate"
is "$(tabcell $B 1 ifHCInOctets_reset)" '"reboot"' \
    "table row of the restarted device: reboot"

# run 3 on the state run 2 wrote: rates again (it was merged and kept)
poll "$T/st" "$T/r3"
ok "$(python3 -c "import sys; sys.exit(not abs($(field "$T/r3" $A ifHCInOctets.1 rate) - $R) <= $R / 100)"; echo $?)" \
    "run 3 on run 2's state: a rate again"
ok "$(python3 -c "import sys; sys.exit(not abs($(field "$T/r3" $B ifHCInOctets.1 rate) - $R) <= $R / 100)"; echo $?)" \
    "run 3: the restarted device has a rate again"

# ---------------------------------------------- a corrupt state file
printf 'garbage' | dd of="$T/st.bad" bs=1 seek=200 conv=notrunc 2>/dev/null
before=$(sim_counter received)
poll "$T/st.bad" "$T/rbad"
is "$?" 2 "a corrupt state file: exit 2"
like "$(cat "$T/rbad.err")" "$T/st.bad: .*--state-reset" \
    "the message names the file, the reason and --state-reset"
is "$(sim_counter received)" "$before" "and no packet was sent"
poll "$T/st.bad" "$T/rreset" --state-reset
is "$?" 0 "--state-reset recovers"
is "$(field "$T/rreset" $A ifHCInOctets.1 reset)" '"first"' \
    "--state-reset: every counter is first"
poll "$T/st.bad" "$T/rafter"
is "$?" 0 "the state --state-reset wrote reads back"
is "$(stat -c %a "$T/st.bad")" 600 \
    "the state file is mode 0600 (it holds a hash of the credentials)"

# --------------------------------------- an unwritable state location
poll "$T/no/such/dir/st" "$T/rnodir"
is "$?" 2 "a state in a missing directory: exit 2"
like "$(cat "$T/rnodir.err")" "no/such/dir/st" "the message names it"
# the new state is renamed over the path: never over a device node
poll /dev/null "$T/rdevnull" --state-reset
is "$?" 2 "--state /dev/null --state-reset: exit 2"
like "$(cat "$T/rdevnull.err")" "/dev/null: not a regular file" \
    "the message says it is not a regular file"
ok "$([ -c /dev/null ]; echo $?)" "/dev/null is still a character device"
poll "$T" "$T/rdir"
is "$?" 2 "--state DIRECTORY: exit 2"
stop_sim

# ------------------------------- SIGTERM: the state stays as it was
start_sim --counter-rate $R --dead-list 127.0.0.6
cp "$T/st.term" "$T/st.term.orig"
"$SNMPFLEET" -q -H $A-127.0.0.6 --port "$SIM_PORT" -t 30 -r 0 -F jsonl -P 2 \
    --state "$T/st.term" -o "$T/rterm" $OIDS </dev/null 2>"$T/rterm.err" &
pid=$!
for ((i = 0; i < 100; i++)); do
	[ -s "$T/rterm" ] && break
	sleep 0.05
done
kill -TERM $pid
wait $pid
is "$?" 143 "the SIGTERM'd run exits 128+15"
is_file "$T/st.term" "$T/st.term.orig" "the state file is unchanged"
is "$(partials)" "" "and no partial file is left"
stop_sim

done_testing
