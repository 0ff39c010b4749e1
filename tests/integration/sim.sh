#!/usr/bin/env bash
# sim.sh — snmpfleet-sim answers like an agent: net-snmp's snmpget,
# snmpgetnext, snmpbulkwalk and snmpwalk (v1 and v2c) against it, and
# sim-client.py (our own codec, which also shows the reply's source
# address, size and error fields) for what the tools do not show.
# Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpget
need_python

K=6
start_sim --interfaces "$K" --max-size 1000
P=$SIM_PORT
T=$LIB_TMP
CLIENT=(python3 "$(dirname "${BASH_SOURCE[0]}")/sim-client.py")
SYS=1.3.6.1.2.1.1
A=127.0.3.7

# snmp VERSION TOOL ARGS... — a net-snmp tool against the sim, numeric.
snmp() {
	local v=$1 tool=$2
	shift 2
	"$tool" -v "$v" -c public -On -t 1 -r 1 "$@"
}

# jq_py EXPR < JSON — evaluate a python expression on the JSON object r.
jq_py() {
	python3 -c 'import json, sys; r = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# --------------------------------------------------------------- GET
for v in 1 2c; do
	is "$(snmp "$v" snmpget -Oqv "$A:$P" $SYS.5.0)" "\"$A\"" \
	    "v$v GET: sysName.0 of $A is \"$A\""
done
OUT=$(snmp 2c snmpget "$A:$P" $SYS.1.0 $SYS.2.0 $SYS.3.0 $SYS.7.0 2>&1)
like "$OUT" "^\.$SYS\.1\.0 = STRING: \"[^\"]{10,}\"" "v2c GET: sysDescr.0 is a string"
like "$OUT" "\.$SYS\.2\.0 = OID: \.1\.3\.6\.1\.4\.1\.[0-9]+\." \
    "v2c GET: sysObjectID.0 is an enterprise OID"
like "$OUT" "\.$SYS\.3\.0 = Timeticks: \([0-9]+\)" "v2c GET: sysUpTime.0 is TimeTicks"
like "$OUT" "\.$SYS\.7\.0 = INTEGER: [0-9]+" "v2c GET: sysServices.0 is an INTEGER"

OUT=$(snmp 2c snmpget "$A:$P" $SYS.99.0 $SYS.5.1 $SYS.5 2>&1)
like "$OUT" "\.$SYS\.99\.0 = No Such Object" "v2c GET: an unknown object is noSuchObject"
like "$OUT" "\.$SYS\.5\.1 = No Such Instance" "v2c GET: a bad instance is noSuchInstance"
like "$OUT" "\.$SYS\.5 = No Such Instance" "v2c GET: an object type without instance is noSuchInstance"

"${CLIENT[@]}" get "$P" "$A" $SYS.5.0 $SYS.99.0 -v 1 >"$T/v1miss"
is "$(jq_py '(r["errstat"], r["errindex"], len(r["vars"]))' <"$T/v1miss")" \
    "(2, 2, 2)" "v1 GET: a missing object is noSuchName, error-index 2, varbinds echoed"
OUT=$(snmp 1 snmpget "$A:$P" $SYS.5.0 $SYS.99.0 2>&1)
like "$OUT" "noSuchName" "v1 GET: snmpget reports noSuchName"

# ----------------------------------------------------------- GETNEXT
for v in 1 2c; do
	like "$(snmp "$v" snmpgetnext "$A:$P" $SYS.5.0 2>&1)" \
	    "^\.$SYS\.6\.0 = STRING: " "v$v GETNEXT: after sysName.0 comes sysLocation.0"
	like "$(snmp "$v" snmpgetnext "$A:$P" 1.3.6.1.2.1.2.2.1.2 2>&1)" \
	    "^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.1 = STRING: " \
	    "v$v GETNEXT: from a column to its first row"
done
like "$(snmp 2c snmpgetnext "$A:$P" 1.3.6.1.2.1.31.1.1.1.5.$K 2>&1)" \
    "^\.1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.1 = Counter64: " \
    "v2c GETNEXT: after ifOutBroadcastPkts.$K comes ifHCInOctets.1"
like "$(snmp 1 snmpgetnext "$A:$P" 1.3.6.1.2.1.31.1.1.1.5.$K 2>&1)" \
    "^\.1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.14\.1 = INTEGER: " \
    "v1 GETNEXT: skips the Counter64 columns"
like "$(snmp 2c snmpgetnext "$A:$P" 1.3.6.1.4 2>&1)" \
    "No more variables left in this MIB View" "v2c GETNEXT: past the end is endOfMibView"
"${CLIENT[@]}" get "$P" "$A" 1.3.6.1.4 -v 1 --pdu getnext >"$T/v1end"
is "$(jq_py '(r["errstat"], r["errindex"])' <"$T/v1end")" "(2, 1)" \
    "v1 GETNEXT: past the end is noSuchName, error-index 1"

# ----------------------------------------------------------- walks
# check_walk FILE — numeric OIDs strictly increasing; prints the count.
check_walk() {
	python3 - "$1" <<'PY'
import sys
oids = [tuple(int(x) for x in l.split(" = ")[0].strip(".").split("."))
        for l in open(sys.argv[1]) if l.startswith(".")]
bad = [i for i in range(1, len(oids)) if oids[i] <= oids[i - 1]]
print(len(oids) if not bad else "not increasing at %d" % bad[0])
PY
}
count_prefix() { grep -c "^\.$2\." "$1"; }

for v in 2c 1; do
	tool=snmpbulkwalk
	[ "$v" = 1 ] && tool=snmpwalk
	snmp "$v" "$tool" "$A:$P" 1.3.6.1.2.1 >"$T/walk$v.out" 2>"$T/walk$v.err"
	ok $? "v$v $tool of 1.3.6.1.2.1 terminates with status 0"
	# the walk runs off the end of the MIB: v2c's last varbind is
	# endOfMibView, v1's snmpwalk says "End of MIB"
	like "$(tail -1 "$T/walk$v.out")" "No more variables left|^End of MIB" \
	    "v$v $tool: ends at the end of the MIB"
	grep '^\.' "$T/walk$v.out" | grep -v 'No more variables' >"$T/walk$v"
	N=$(check_walk "$T/walk$v")
	like "$N" '^[0-9]+$' "v$v $tool: OIDs strictly increasing ($N varbinds)"
	is "$(count_prefix "$T/walk$v" 1.3.6.1.2.1.2.2.1.1)" "$K" "v$v $tool: ifTable has $K rows"
	is "$(count_prefix "$T/walk$v" 1.3.6.1.2.1.31.1.1.1.1)" "$K" "v$v $tool: ifXTable has $K rows"
	# chassis, module, power supply, fan, and a port per Ethernet
	# interface: of $K, the last two are a tunnel and a loopback
	is "$(count_prefix "$T/walk$v" 1.3.6.1.2.1.47.1.1.1.1.2)" "$((K + 2))" \
	    "v$v $tool: entPhysicalTable has $((K + 2)) rows"
	is "$(grep -c "^\.$SYS\.5\.0 = STRING: \"$A\"" "$T/walk$v")" 1 "v$v $tool: sysName.0 is in it"
done
is "$(grep -c 'Counter64' "$T/walk1")" 0 "v1 walk: no Counter64 values"
is "$(count_prefix "$T/walk2c" 1.3.6.1.2.1.31.1.1.1.6)" "$K" "v2c walk: ifHCInOctets has $K rows"
is "$(grep -v Counter64 "$T/walk2c" | cut -d' ' -f1)" "$(cut -d' ' -f1 "$T/walk1")" \
    "v1 and v2c walks name the same objects but the Counter64 ones"

# ----------------------------------------------------------- GETBULK
"${CLIENT[@]}" get "$P" "$A" 1.3.6.1.2.1.2.2 --pdu getbulk --maxrep 500 >"$T/bulk"
is "$(jq_py '(r["errstat"], r["size"] <= 1000, 10 < len(r["vars"]) < 500)' <"$T/bulk")" \
    "(0, True, True)" "GETBULK: cut to the varbinds that fit --max-size 1000"
"${CLIENT[@]}" get "$P" "$A" $SYS.4.0 $SYS.5.0 1.3.6.1.2.1.2.2.1.2 --pdu getbulk \
    --nonrep 2 --maxrep 3 >"$T/bulk2"
is "$(jq_py '[v[0] for v in r["vars"]]' <"$T/bulk2")" \
    "['$SYS.5.0', '$SYS.6.0', '1.3.6.1.2.1.2.2.1.2.1', '1.3.6.1.2.1.2.2.1.2.2', '1.3.6.1.2.1.2.2.1.2.3']" \
    "GETBULK: non-repeaters once, then max-repetitions of the rest"
"${CLIENT[@]}" get "$P" "$A" 1.3.6.1.2.1.47.1.1.1.1.17.$((K + 1)) --pdu getbulk --maxrep 5 >"$T/bulk3"
is "$(jq_py '[v[1] for v in r["vars"]]' <"$T/bulk3")" "[4, 130]" \
    "GETBULK: stops after the repeaters reach endOfMibView"

# ----------------------------------------------------------- tooBig
mapfile -t MANY < <(for ((i = 0; i < 40; i++)); do echo $SYS.1.0; done)
"${CLIENT[@]}" get "$P" "$A" "${MANY[@]}" -v 1 >"$T/big1"
is "$(jq_py '(r["errstat"], r["errindex"], len(r["vars"]))' <"$T/big1")" "(1, 0, 40)" \
    "v1 GET too big: tooBig, error-index 0, the request's varbinds echoed"
"${CLIENT[@]}" get "$P" "$A" "${MANY[@]}" >"$T/big2"
is "$(jq_py '(r["errstat"], r["errindex"], len(r["vars"]))' <"$T/big2")" "(1, 0, 0)" \
    "v2c GET too big: tooBig, no varbinds"
"${CLIENT[@]}" get "$P" "$A" $SYS.5.0 --pdu set >"$T/set"
is "$(jq_py '(r["errstat"], r["errindex"])' <"$T/set")" "(17, 1)" "v2c SET: notWritable"

# ------------------------------------------------------ reply source
make_hosts 20 | awk 'NR % 2 { print } !(NR % 2) { sub(/^127\.0/, "127.3"); print }' >"$T/hosts20"
"${CLIENT[@]}" probe "$P" "$T/hosts20" >"$T/probe20"
is "$(cat "$T/probe20")" "answered 20 silent 0" \
    "each of 20 addresses answers from the address asked, with its own sysName"
like "$(snmp 2c snmpget -Oqv 127.0.0.9:"$P" $SYS.5.0)" '^"127\.0\.0\.9"$' \
    "snmpget to 127.0.0.9 gets 127.0.0.9's sysName"

# ------------------------------------------------------ device data
snmp 2c snmpget "$A:$P" $SYS.1.0 $SYS.2.0 $SYS.4.0 $SYS.6.0 \
    1.3.6.1.2.1.2.2.1.6.1 1.3.6.1.2.1.47.1.1.1.1.11.1 >"$T/data1"
like "$(cat "$T/data1")" '47\.1\.1\.1\.1\.11\.1 = STRING: "[A-Z0-9]{6,}"' \
    "entPhysicalSerialNum.1 is a serial number"
OTHER=$(snmp 2c snmpget 127.0.3.8:"$P" 1.3.6.1.2.1.47.1.1.1.1.11.1 | sed 's/.* = //')
unlike "$(cat "$T/data1")" "11\.1 = $OTHER\$" "another address has another serial number"
U1=$(snmp 2c snmpget -Oqvt "$A:$P" $SYS.3.0 1.3.6.1.2.1.31.1.1.1.6.1 | tr -d '()' | awk '{ print $1 }')
sleep 1.1
U2=$(snmp 2c snmpget -Oqvt "$A:$P" $SYS.3.0 1.3.6.1.2.1.31.1.1.1.6.1 | tr -d '()' | awk '{ print $1 }')
read -r t1 o1 <<<"$(echo $U1)"
read -r t2 o2 <<<"$(echo $U2)"
ok "$([ "$((t2 - t1))" -ge 100 ]; echo $?)" "sysUpTime advances with time ($t1 -> $t2)"
ok "$(python3 -c "import sys; sys.exit(not int('$o2') > int('$o1'))"; echo $?)" \
    "ifHCInOctets.1 grows with time ($o1 -> $o2)"

# the same data from another sim started later
SAVE_PID=$SIM_PID SAVE_LOG=$SIM_LOG
start_sim --interfaces "$K" --max-size 1000
snmp 2c snmpget "$A:$SIM_PORT" $SYS.1.0 $SYS.2.0 $SYS.4.0 $SYS.6.0 \
    1.3.6.1.2.1.2.2.1.6.1 1.3.6.1.2.1.47.1.1.1.1.11.1 >"$T/data2"
is_file "$T/data2" "$T/data1" "a second sim gives the address the same descr, objectID, contact, location, MAC and serial"
stop_sim
SIM_PID=$SAVE_PID SIM_LOG=$SAVE_LOG

# ------------------------------------------------------ dropped requests
OUT=$(snmpget -v2c -c wrong -t 0.3 -r 0 "$A:$P" $SYS.5.0 2>&1)
like "$OUT" "Timeout" "a wrong community gets no answer"
"${CLIENT[@]}" raw "$P" "$A" 300a020101040670756231 >"$T/garbage"
is "$(cat "$T/garbage")" '{"timeout": true}' "a malformed request gets no answer"
"${CLIENT[@]}" raw "$P" "$A" 300b02010304067075626c6963 >"$T/v3"
LINE=$(sim_counters)
is "$(sim_counter bad_community "$LINE")" 1 "SIGUSR1: bad_community counts the wrong community"
is "$(sim_counter parse_errors "$LINE")" 1 "SIGUSR1: parse_errors counts the malformed request"
is "$(sim_counter bad_version "$LINE")" 1 "SIGUSR1: bad_version counts the v3 message"
like "$(sim_counter answered "$LINE")" '^[1-9][0-9]*$' "SIGUSR1: answered is counted"

# ------------------------------------------------------------- fuzz
"${CLIENT[@]}" fuzz "$P" 5000 >"$T/fuzz"
is "$(cat "$T/fuzz")" 5000 "5000 mangled requests sent"
is "$(snmp 2c snmpget -Oqv "$A:$P" $SYS.5.0)" "\"$A\"" "the sim still answers after them"
LINE=$(sim_counters)
like "$(sim_counter parse_errors "$LINE")" '^[0-9]{3,}$' "... and counted the malformed ones as parse errors"

# ------------------------------------------------------------- IPv6
if lib_have_ipv6_lo; then
	stop_sim
	start_sim --listen ::1
	is "$(snmpget -v2c -c public -Oqv -t 1 -r 1 "udp6:[::1]:$SIM_PORT" $SYS.5.0)" \
	    '"::1"' "--listen ::1: sysName.0 of ::1 is \"::1\""
else
	pass "# SKIP no IPv6 loopback"
fi

# ------------------------------------------------------ the codecs agree
OUT=$("$SNMPFLEET_SIM" --bench-codec 2000)
ok $? "--bench-codec: both codecs' responses decode ($(echo "$OUT" | tr -s ' \n' ' '))"

done_testing
