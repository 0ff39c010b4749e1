#!/usr/bin/env bash
# sim-tables.sh — snmpfleet-sim's tables with computed INDEXes (ipAddrTable,
# ipAddressTable, ipNetToMediaTable, ipNetToPhysicalTable, the BRIDGE-MIB
# and Q-BRIDGE-MIB forwarding tables, lldpRemTable, hrStorageTable) as
# net-snmp's snmpbulkwalk, snmpwalk, snmpget and snmpgetnext see them:
# every row and value exactly what snmpfleet-sim(1), TABLES, says
# (sim-tables.py computes it from the man page's formulas), INDEX
# suffixes of the right shape, walks increasing and ending at the end of
# the MIB, GETNEXT across table boundaries and from partial indexes,
# hrSystemDate, the loopback and tunnel interfaces, --swapped, --tables
# none and full, and an IPv6 device.  Loopback only.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_sim
need_snmpget
need_python

T=$LIB_TMP
MODEL=(python3 "$(dirname "${BASH_SOURCE[0]}")/sim-tables.py")
K=6
M2=1.3.6.1.2.1
LLDP=1.0.8802.1.1.2.1.4.1.1
# name and subtree of every table (and scalar) the model knows
TABLES="ipAddrTable:$M2.4.20 ipNetToMediaTable:$M2.4.22
ipAddressTable:$M2.4.34 ipNetToPhysicalTable:$M2.4.35
dot1dBasePortTable:$M2.17.1.4 dot1dTpFdbTable:$M2.17.4.3
dot1qTpFdbTable:$M2.17.7.1.2.2 lldpRemTable:$LLDP
hrMemorySize:$M2.25.2.2 hrStorageTable:$M2.25.2.3 hrSystemNumUsers:$M2.25.1.5"

# snmp VERSION TOOL ARGS... — a net-snmp tool against the sim, numeric.
snmp() {
	local v=$1 tool=$2
	shift 2
	"$tool" -v "$v" -c public -On -t 2 -r 1 "$@"
}

# check_tables ADDR AGENT K SIZE — walk every table of ADDR (reached as
# AGENT) and compare it with the model; then the INDEX shapes.
check_tables() {
	local addr=$1 agent=$2 k=$3 size=$4 t name root
	: >"$T/all.$addr"
	for t in $TABLES; do
		name=${t%%:*} root=${t#*:}
		snmp 2c snmpbulkwalk "$agent" "$root" >"$T/w" 2>"$T/w.err"
		ok $? "$addr: snmpbulkwalk $name exits 0" || diag "$(cat "$T/w.err")"
		like "$("${MODEL[@]}" check "$T/w" "$addr" "$k" "$size" "$root")" \
		    '^ok [1-9]' "$addr ($size, $k interfaces): $name is every row and value TABLES gives, in order"
		cat "$T/w" >>"$T/all.$addr"
	done
	like "$("${MODEL[@]}" shapes "$T/all.$addr")" '^ok [1-9]' \
	    "$addr: every INDEX has its syntax's shape (address, type.length.octets, MAC), and holds its row's address or MAC"
}

start_sim --interfaces "$K"
P=$SIM_PORT
A=127.0.3.7	# b, c, d = 0, 3, 7

# ------------------------------------------------ every table, 4 devices
# d = 7, d = 0 and c = 255, d = 255, d = 2: the neighbours skip the device's
# own host (hosts 1 and 3 when d = 2)
for addr in $A 127.1.255.0 127.0.2.255 127.0.9.2; do
	check_tables "$addr" "$addr:$P" "$K" small
done

# the INDEX shapes, spelled out for 127.0.3.7 (4 ports, 2 neighbours each)
snmp 2c snmpbulkwalk "$A:$P" $M2.4.35.1.4 >"$T/np"
is "$(grep -cE "^\.$M2\.4\.35\.1\.4\.[1-4]\.1\.4\.127\.3\.[1-4]\.[12] = Hex-STRING: 02 00 7F 03 0[1-4] 0[12] $" "$T/np")" 8 \
    "ipNetToPhysicalTable: 8 IPv4 rows ifIndex.1.4.127.3.i.h with MAC 02:00:7f:3:i:h"
is "$(grep -cE "^\.$M2\.4\.35\.1\.4\.[1-4]\.2\.16\.254\.128(\.0){8}\.127\.255\.254\.3\.[1-4]\.[12] = " "$T/np")" 8 \
    "ipNetToPhysicalTable: 8 IPv6 rows ifIndex.2.16.<fe80::7fff:fe03:ihh>"
snmp 2c snmpbulkwalk "$A:$P" $M2.4.34.1.3 >"$T/ia"
is "$(cut -d' ' -f1 "$T/ia" | sed "s/^\.$M2\.4\.34\.1\.3\.//" | head -5 | tr '\n' ' ')" \
    "1.4.127.3.1.7 1.4.127.3.2.7 1.4.127.3.3.7 1.4.127.3.4.7 2.16.253.0.0.0.0.3.0.1.0.0.0.0.0.0.0.7 " \
    "ipAddressTable: 1.4.a.b.c.d rows, then 2.16.<16 octets> (fd00:0:3:1::7 first)"
is "$(grep -c "^\.$M2\.4\.34\.1\.3\.2\.16\.254\.128\." "$T/ia")" 4 "ipAddressTable: a link-local address per port"
snmp 2c snmpbulkwalk "$A:$P" $M2.17.4.3.1.1 >"$T/fdb"
is "$(head -1 "$T/fdb")" ".$M2.17.4.3.1.1.2.0.127.3.1.1 = Hex-STRING: 02 00 7F 03 01 01 " \
    "dot1dTpFdbAddress: the INDEX is the 6 octets of the MAC"
is "$(snmp 2c snmpget -Oqv "$A:$P" $LLDP.9.100.1.2 $LLDP.9.400.4.8)" \
    "$(printf '"127.3.1.1"\n"127.3.4.1"')" \
    "lldpRemSysName.TimeMark.LocalPortNum.Index: the neighbour is the sim device 127.3.i.1"
is "$(snmp 2c snmpget -Oqv 127.3.1.1:"$P" $M2.1.5.0)" '"127.3.1.1"' \
    "... which answers with that sysName"

# ------------------------------------------------------- whole device
for v in 2c 1; do
	tool=snmpbulkwalk
	[ "$v" = 1 ] && tool=snmpwalk
	snmp "$v" "$tool" "$A:$P" .1 >"$T/walk$v" 2>"$T/walk$v.err"
	ok $? "v$v $tool of .1 exits 0" || diag "$(cat "$T/walk$v.err")"
	like "$(tail -1 "$T/walk$v")" "No more variables left|^End of MIB" \
	    "v$v $tool of .1: runs to the end of the MIB"
	like "$("${MODEL[@]}" increasing "$T/walk$v")" '^ok [0-9]{3,}' \
	    "v$v $tool of .1: OIDs strictly increasing"
	like "$(head -1 "$T/walk$v")" "^\.$LLDP\.4\.100\.1\.2 = INTEGER: 4" \
	    "v$v $tool of .1: starts with lldpRemTable (1.0.8802 sorts before 1.3.6)"
done
is "$(grep -v Counter64 "$T/walk2c" | grep '^\.' | grep -v 'No more' | cut -d' ' -f1)" \
    "$(grep '^\.' "$T/walk1" | cut -d' ' -f1)" \
    "v1 and v2c walks of .1 name the same instances but the Counter64 ones"
for t in $TABLES; do
	root=${t#*:}
	grep "^\.$root\." "$T/walk2c" >"$T/part"
	cmp -s "$T/part" <(grep "^\.$root\." "$T/all.$A") ||
	    { fail "the walk of .1 holds ${t%%:*} as walked alone"; continue; }
	pass "the walk of .1 holds ${t%%:*} as walked alone"
done

# ----------------------------------------------------------- GETNEXT
# next FROM EXPECTED-OID DESC — v2c GETNEXT from FROM gives EXPECTED-OID.
next() {
	is "$(snmp 2c snmpgetnext "$A:$P" "$1" | cut -d' ' -f1)" ".$2" "GETNEXT: $3"
}
next $M2.2.2.1.22.$K $M2.4.20.1.1.127.3.1.7 "ifSpecific.$K -> ipAdEntAddr.127.3.1.7"
next $M2.4.20.1.5.127.3.4.7 $M2.4.22.1.1.1.127.3.1.1 \
    "ipAddrTable's last -> ipNetToMediaIfIndex.1.127.3.1.1"
next $M2.4.22.1.4.4.127.3.4.2 $M2.4.34.1.3.1.4.127.3.1.7 \
    "ipNetToMediaTable's last -> ipAddressIfIndex.1.4.127.3.1.7"
next $M2.4.35.1.8.4.2.16.254.128.0.0.0.0.0.0.0.0.127.255.254.3.4.2 $M2.11.1.0 \
    "ipNetToPhysicalTable's last -> snmpInPkts.0"
next $M2.11.30.0 $M2.17.1.4.1.1.1 "snmpEnableAuthenTraps.0 -> dot1dBasePort.1"
next $M2.17.7.1.2.2.1.3.40.2.0.127.3.4.2 $M2.25.1.1.0 \
    "dot1qTpFdbTable's last -> hrSystemUptime.0"
next $M2.25.2.3.1.7.40 $M2.31.1.1.1.1.1 "hrStorageTable's last -> ifName.1"
next $LLDP.12.400.4.8 $M2.1.1.0 "lldpRemTable's last -> sysDescr.0"
next 1.0 $LLDP.4.100.1.2 "1.0 -> lldpRemChassisIdSubtype.100.1.2"
next $M2.4.35.1.4.2 $M2.4.35.1.4.2.1.4.127.3.2.1 "from a partial INDEX (ifIndex only)"
next $M2.4.35.1.4.2.1.4.127.3.2.200 $M2.4.35.1.4.2.2.16.254.128.0.0.0.0.0.0.0.0.127.255.254.3.2.1 \
    "from between rows: past port 2's IPv4 neighbours to its first IPv6 one"
next $M2.17.4.3.1.1.2.0.127.3.1.1.0 $M2.17.4.3.1.1.2.0.127.3.1.2 \
    "from below a row (an INDEX one sub-id longer) to the next row"
next $M2.4.34.1.3.4294967295 $M2.4.34.1.4.1.4.127.3.1.7 \
    "from past every row (sub-id 2^32-1) to the next column"
next $M2.25.2.3.1.3.8 $M2.25.2.3.1.3.31 "hrStorageDescr.8 -> hrStorageDescr.31 (indexes 1 3 6 7 31 40)"
like "$(snmp 1 snmpgetnext "$A:$P" $M2.4.22.1.4.4.127.3.4.2)" \
    "^\.$M2\.4\.34\.1\.3\.1\.4\.127\.3\.1\.7 = INTEGER: 1" "v1 GETNEXT across a table boundary"

# --------------------------------------------------------------- GET
OUT=$(snmp 2c snmpget "$A:$P" $M2.17.7.1.2.2.1.2.20.2.0.127.3.2.2 \
    $M2.4.34.1.3.2.16.254.128.0.0.0.0.0.0.0.3.0.0.0.3.0.7 $M2.25.2.3.1.3.31 \
    $M2.4.22.1.3.4.127.3.4.2 $LLDP.5.300.3.6 2>&1)
is "$OUT" ".$M2.17.7.1.2.2.1.2.20.2.0.127.3.2.2 = INTEGER: 2
.$M2.4.34.1.3.2.16.254.128.0.0.0.0.0.0.0.3.0.0.0.3.0.7 = INTEGER: 3
.$M2.25.2.3.1.3.31 = STRING: \"/\"
.$M2.4.22.1.3.4.127.3.4.2 = IpAddress: 127.3.4.2
.$LLDP.5.300.3.6 = Hex-STRING: 02 00 7F 03 03 01 " \
    "GET of rows by their whole INDEX (Q-BRIDGE, link-local ipAddressTable, hrStorage, ARP, LLDP)"
OUT=$(snmp 2c snmpget "$A:$P" $M2.4.34.1.3.1.4.127.3.1.8 $LLDP.9.300.3 \
    $M2.25.2.3.1.3.2 $M2.4.35.1.4.1.1.4.127.3.1.1.9 2>&1)
is "$(grep -c 'No Such Instance' <<<"$OUT")" 4 \
    "GET of a wrong, short, missing or too long INDEX is noSuchInstance"
like "$(snmp 1 snmpget "$A:$P" $M2.4.34.1.3.1.4.127.3.1.8 2>&1)" noSuchName \
    "v1 GET of a wrong INDEX is noSuchName"

# ---------------------------------------------- interfaces and entity
OUT=$(snmp 2c snmpget -Oqv "$A:$P" $M2.2.2.1.3.4 $M2.2.2.1.3.5 $M2.2.2.1.3.6 \
    $M2.2.2.1.6.6 $M2.31.1.1.1.15.6 $M2.2.2.1.8.6 | tr '\n' ' ')
is "$OUT" '6 131 24 "" 0 1 ' \
    "of $K interfaces, the 5th is a tunnel (131), the 6th a loopback (24): no MAC, speed 0, up"
OUT=$(snmp 2c snmpget -Oqv "$A:$P" $M2.47.1.1.1.1.5.1 $M2.47.1.1.1.1.4.1 \
    $M2.47.1.1.1.1.4.2 $M2.47.1.1.1.1.4.5 $M2.47.1.1.1.1.5.8 $M2.47.1.1.1.1.17.1 | tr '\n' ' ')
# c = 3, d = 7: 2018 + 3 = 2021 (07 E5), month 8, day 11
is "$OUT" '3 0 1 2 10 "07 E5 08 0B 00 00 00 00 " ' \
    "entPhysicalTable: chassis(3) in nothing, module in it, ports in the module; entPhysicalMfgDate 2021-08-11"

# ------------------------------------------------------- hrSystemDate
# On a device --restarted names, sysUpTime is T - 100 x clock-start: the
# clock T of the same request, from which hrSystemDate follows exactly.
stop_sim
start_sim --interfaces "$K" --clock-start 86399 --restarted 127.0.0.0/24
for dev in 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7; do
	OUT=$(snmp 2c snmpget -Oqv -Ox -Ot "$dev:$SIM_PORT" $M2.1.3.0 $M2.25.1.2.0 $M2.25.1.1.0 | tr '\n' '|')
	is "$(python3 - "$OUT" "${dev##*.}" <<'PY'
import calendar, sys, time
up, date, hrup = sys.argv[1].split("|")[:3]
d = int(sys.argv[2])
t = int(up) + 100 * 86399
zone = (0, 0, 330, -240)[d % 4]
tm = time.gmtime(1767225600 + t // 100 + zone * 60)
want = [tm.tm_year >> 8, tm.tm_year & 255, tm.tm_mon, tm.tm_mday, tm.tm_hour,
        tm.tm_min, tm.tm_sec, t % 100 // 10]
if d % 4:
    want += [ord("-" if zone < 0 else "+"), abs(zone) // 60, abs(zone) % 60]
print(bytes.fromhex(date.strip('" ')) == bytes(want) and up == hrup)
PY
)" True "hrSystemDate of $dev ($((${dev##*.} % 4 ? 11 : 8)) octets) is the clock from 2026-01-01 in its zone; hrSystemUptime = sysUpTime"
done

# ----------------------------------------------------------- --swapped
stop_sim
start_sim --interfaces "$K"
snmp 2c snmpget -Oqv "$A:$SIM_PORT" $M2.47.1.1.1.1.11.1 $M2.47.1.1.1.1.13.1 >"$T/ent1"
stop_sim
start_sim --interfaces "$K" --swapped $A
snmp 2c snmpget -Oqv "$A:$SIM_PORT" $M2.47.1.1.1.1.11.1 $M2.47.1.1.1.1.13.1 \
    $M2.47.1.1.1.1.5.1 >"$T/ent2"
is "$(diff "$T/ent1" <(head -2 "$T/ent2") | grep -c '^[<>]')" 4 \
    "--swapped: the chassis' entPhysicalSerialNum and entPhysicalModelName both change"
is "$(tail -1 "$T/ent2")" 3 "--swapped: row 1 is still the chassis(3)"
snmp 2c snmpbulkwalk "$A:$SIM_PORT" $M2.4.22 >"$T/w"
like "$("${MODEL[@]}" check "$T/w" $A "$K" small $M2.4.22)" '^ok [1-9]' \
    "--swapped: the neighbours stay the same"

# ------------------------------------------------------- --tables none
stop_sim
start_sim --interfaces "$K" --tables none
OUT=$(snmp 2c snmpget "$A:$SIM_PORT" $M2.4.20.1.1.127.3.1.7 $M2.25.1.2.0 \
    $M2.47.1.1.1.1.17.1 $LLDP.9.100.1.2 2>&1)
is "$(grep -c 'No Such Object' <<<"$OUT")" 4 "--tables none: the tables, hrSystemDate and entPhysicalMfgDate are noSuchObject"
is "$(snmp 2c snmpget -Oqv "$A:$SIM_PORT" $M2.2.2.1.3.6 $M2.2.2.1.2.6 | head -1)" 6 \
    "--tables none: interface $K is Ethernet again"
snmp 2c snmpbulkwalk "$A:$SIM_PORT" .1 >"$T/none"
is "$(grep -c "^\.$M2\.47\.1\.1\.1\.1\.2\." "$T/none")" "$((K + 4))" \
    "--tables none: entPhysicalTable has a port per interface"
like "$("${MODEL[@]}" increasing "$T/none")" '^ok' "--tables none: the walk of .1 increases"

# ------------------------------------------------------- --tables full
stop_sim
start_sim --interfaces 48 --tables full
for t in ipNetToPhysicalTable:$M2.4.35 dot1qTpFdbTable:$M2.17.7.1.2.2 lldpRemTable:$LLDP; do
	snmp 2c snmpbulkwalk "$A:$SIM_PORT" "${t#*:}" >"$T/w"
	like "$("${MODEL[@]}" check "$T/w" $A 48 full "${t#*:}")" '^ok [1-9]' \
	    "--tables full, 48 interfaces: ${t%%:*} is every row TABLES gives (46 ports, 20 neighbours)"
done
is "$(snmp 2c snmpbulkwalk "$A:$SIM_PORT" $M2.4.35.1.4 | grep -c "^\.$M2\.4\.35\.1\.4\.")" \
    "$((46 * 40))" "--tables full: 46 ports x 40 neighbour rows (IPv4 and IPv6)"

# ------------------------------------------------------------- IPv6
if lib_have_ipv6_lo; then
	stop_sim
	start_sim --interfaces "$K" --listen ::1
	check_tables ::1 "udp6:[::1]:$SIM_PORT" "$K" small
else
	pass "# SKIP no IPv6 loopback"
fi

done_testing
