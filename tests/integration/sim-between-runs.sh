#!/usr/bin/env bash
# sim-between-runs.sh — what snmpfleet-sim offers tests that compare runs:
# --counter-rate (octet deltas are exactly R*i/100 per sysUpTime tick,
# in one sim and across two), --counter-start (Counter32 wraps a known
# clock time after 0), --clock-start (a later sim continues an earlier
# one), --restarted (small sysUpTime, counters from 0), --swapped
# (another model and serial, others unchanged) and --dead-list (silent,
# then back).  Never a wall-clock speed limit: times come from sysUpTime.
# Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpget
need_snmpfleet
need_python

T=$LIB_TMP
R=1000			# --counter-rate: ifHCInOctets.i grows 10*i per tick
N=4294867296		# --counter-start: 2^32 - 100000
SYS=1.3.6.1.2.1.1
HCIN=1.3.6.1.2.1.31.1.1.1.6
HCOUT=1.3.6.1.2.1.31.1.1.1.10
IN32=1.3.6.1.2.1.2.2.1.10
OUT32=1.3.6.1.2.1.2.2.1.16
SERIAL=1.3.6.1.2.1.47.1.1.1.1.11.1
MODEL=1.3.6.1.2.1.47.1.1.1.1.13.1
A=127.0.0.4		# left alone
B=127.0.0.5		# restarted in the second sim
C=127.0.0.6		# swapped in the second sim

# counters ADDR — sysUpTime.0, ifHCInOctets.1, .2, ifHCOutOctets.1,
# ifInOctets.1, ifOutOctets.1 of ADDR, in one request, as numbers on a line.
counters() {
	snmpget -v2c -c public -On -Oqv -Ot -t 1 -r 2 "$1:$SIM_PORT" $SYS.3.0 \
	    $HCIN.1 $HCIN.2 $HCOUT.1 $IN32.1 $OUT32.1 | tr '\n' ' '
}

# identity ADDR — sysName, sysDescr, sysObjectID, serial, chassis model.
identity() {
	snmpget -v2c -c public -On -Oqv -t 1 -r 2 "$1:$SIM_PORT" $SYS.5.0 \
	    $SYS.1.0 $SYS.2.0 $SERIAL $MODEL
}

# calc EXPR — a python expression on whole numbers; prints its value.
calc() { python3 -c "print($1)"; }

# answers ADDR — exit 0 when ADDR answers a GET of sysName.0.
answers() {
	snmpget -v2c -c public -Oqv -t 0.5 -r 1 "$1:$SIM_PORT" $SYS.5.0 \
	    >/dev/null 2>&1
}

# ------------------------------------------------- first sim: clock from 0
start_sim --counter-rate $R --counter-start $N
read -r u1 i1 j1 o1 c1 d1 <<<"$(counters $A)"
read -r bu1 bi1 _ <<<"$(counters $B)"
identity $A >"$T/idA1"
identity $C >"$T/idC1"
# the first poll is well within the first 50 s of clock, before any wrap
is "$(calc "($i1 - $N) % 10")" 0 "ifHCInOctets.1 - start is a multiple of 10 (R=$R, 1/100 s ticks)"
is "$(calc "$c1 == $i1 % 2**32 and $d1 == $o1 % 2**32")" True \
    "ifInOctets.1/ifOutOctets.1 are the HC counters mod 2^32 ($c1, $d1)"
is "$(calc "$i1 < 2**32 and $o1 < 2**32")" True \
    "before the wrap: both HC counters below 2^32 ($i1, $o1)"
sleep 1.5
read -r u2 i2 j2 o2 c2 d2 <<<"$(counters $A)"
DU=$((u2 - u1))
ok "$([ "$DU" -ge 100 ]; echo $?)" "sysUpTime advanced at least 1 s of ticks ($DU)"
is "$((i2 - i1))" "$((10 * DU))" "ifHCInOctets.1 grew R*1 per second of sysUpTime, exactly"
is "$((j2 - j1))" "$((20 * DU))" "ifHCInOctets.2 grew R*2 per second of sysUpTime, exactly"
is "$((o2 - o1))" "$((20 * DU))" "ifHCOutOctets.1 grew 2*R*1 per second of sysUpTime, exactly"
is "$(calc "abs(($i2 - $i1) / ($DU / 100) - $R) <= $R / 100")" True \
    "the in rate from the deltas is $R within 1%"
stop_sim

# --------------------------- second sim: 200 s of clock later, with changes
start_sim --counter-rate $R --counter-start $N --clock-start 200 \
    --restarted $B --swapped $C,127.0.9.0/24 --dead-list 127.0.0.7,127.0.2.0/24
read -r u3 i3 _ o3 c3 d3 <<<"$(counters $A)"
ok "$([ "$u3" -gt "$u2" ]; echo $?)" "--clock-start 200: sysUpTime of $A goes on ($u2 -> $u3)"
is "$((i3 - i2))" "$((10 * (u3 - u2)))" \
    "--clock-start 200: ifHCInOctets.1 goes on at the same rate across sims"
is "$(calc "$i3 > 2**32 and $o3 > 2**32")" True "after 100 s of clock the HC counters are past 2^32"
is "$(calc "$c3 == $i3 % 2**32 and $c3 < $c1")" True \
    "ifInOctets.1 wrapped: $c1 -> $c3 (= ifHCInOctets.1 mod 2^32)"
is "$(calc "$d3 == $o3 % 2**32 and $d3 < $d1")" True \
    "ifOutOctets.1 wrapped: $d1 -> $d3 (= ifHCOutOctets.1 mod 2^32)"
is "$(calc "($c3 - $c1) % 2**32")" "$((i3 - i1))" \
    "the Counter32 delta mod 2^32 equals the Counter64 delta"

read -r bu3 bi3 bj3 _ <<<"$(counters $B)"
ok "$([ "$bu3" -lt 3000 ] && [ "$bu3" -lt "$bu1" ]; echo $?)" \
    "--restarted: $B's sysUpTime is small ($bu1 -> $bu3)"
is "$bi3 $bj3" "$((10 * bu3)) $((20 * bu3))" \
    "--restarted: $B's octets count from 0 at boot (R*i per second of uptime)"
ok "$([ "$bi3" -lt "$bi1" ]; echo $?)" "--restarted: $B's ifHCInOctets.1 went down ($bi1 -> $bi3)"

identity $A >"$T/idA2"
identity $C >"$T/idC2"
is_file "$T/idA2" "$T/idA1" "$A (not swapped): same sysDescr, sysObjectID, serial, model"
is "$(sed -n 1p "$T/idC2")" "$(sed -n 1p "$T/idC1")" "--swapped: $C keeps its sysName"
for k in 2:sysDescr 3:sysObjectID 4:entPhysicalSerialNum.1 5:entPhysicalModelName.1; do
	a=$(sed -n "${k%%:*}p" "$T/idC1") b=$(sed -n "${k%%:*}p" "$T/idC2")
	ok "$([ -n "$b" ] && [ "$a" != "$b" ]; echo $?)" "--swapped: $C has another ${k#*:} ($a -> $b)"
done
S1=$(snmpget -v2c -c public -Oqv -t 1 -r 2 127.0.9.3:"$SIM_PORT" $SERIAL)
stop_sim
start_sim --counter-rate $R
S0=$(snmpget -v2c -c public -Oqv -t 1 -r 2 127.0.9.3:"$SIM_PORT" $SERIAL)
ok "$([ -n "$S0" ] && [ "$S0" != "$S1" ]; echo $?)" \
    "--swapped 127.0.9.0/24: 127.0.9.3 has another serial ($S0 -> $S1)"
stop_sim

# ----------------------------------------------------------- --dead-list
DL=127.0.0.7,127.0.2.0/24
printf '%s\n' 127.0.0.6 127.0.0.7 127.0.0.8 127.0.1.255 127.0.2.0 127.0.2.77 \
    127.0.3.1 | "$SNMPFLEET_SIM" --dead-list $DL --print-dead >"$T/dead"
is "$(tr '\n' ' ' <"$T/dead")" "127.0.0.7 127.0.2.0 127.0.2.77 " \
    "--print-dead names exactly the --dead-list addresses and networks"
start_sim --dead-list $DL
printf '%s\n' 127.0.0.6 127.0.0.7 127.0.0.8 127.0.2.77 >"$T/hosts"
"$SNMPFLEET" -i "$T/hosts" --port "$SIM_PORT" -t 0.5 -r 1 -F jsonl \
    -o "$T/fleet.jsonl" sysName.0 </dev/null 2>"$T/fleet.err"
is "$(python3 - "$T/fleet.jsonl" <<'PY'
import json, sys
rs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["host"])
print(" ".join("%s=%s" % (r["host"], r["status"]) for r in rs))
PY
)" "127.0.0.6=ok 127.0.0.7=timeout 127.0.0.8=ok 127.0.2.77=timeout" \
    "snmpfleet: the --dead-list devices time out, the others answer"
answers 127.0.2.1
ok "$([ $? -ne 0 ]; echo $?)" "snmpget to 127.0.2.1 (in 127.0.2.0/24) gets no answer"
stop_sim
start_sim
answers 127.0.0.7
ok $? "without --dead-list, 127.0.0.7 answers again"
stop_sim

# --------------------------------------------------------- bad lists
for bad in 127.0.0.1/33 foo 127.0.0.1,, , 127.0.0.0/x ""; do
	"$SNMPFLEET_SIM" --port 0 --duration 1 --restarted "$bad" >/dev/null 2>"$T/bad"
	is "$?" 2 "--restarted '$bad' is a usage error (exit 2)"
done

done_testing
