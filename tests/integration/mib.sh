#!/usr/bin/env bash
# mib.sh — MIB knowledge from both sources through one interface:
#  - a MIB file written for the tests (tests/data/SNMPFLEET-TEST-MIB.txt)
#    loaded with -M/-m (and MIBS/MIBDIRS, and mibs/mibdirs in a config
#    file): --describe shows its enums, DISPLAY-HINT, UNITS and INDEX
#    exactly as net-snmp's own snmptranslate -Td reads the same file;
#  - the built-in objects: --describe ifOperStatus, ifPhysAddress,
#    ipAddressAddr... give the facts of the MIB modules Debian packages
#    (compared with pysnmp's compiled modules where installed);
#  - a vendor MIB's names work in OIDs polled from a real snmpd, in the
#    jsonl name field, while -F text stays byte-identical to snmpget -On.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpget
need_python

T=$LIB_TMP
D=$(cd "${top_srcdir:-.}/tests/data" && pwd)
MIB=$D/SNMPFLEET-TEST-MIB.txt
export HOME=$T		# net-snmp keeps its MIB index cache under ~/.snmp

# field KEY — the value of "KEY:" lines in $OUT (joined by newlines).
field() {
	printf '%s\n' "$OUT" | sed -n "s/^$1: *//p"
}

# xlate OBJECT — snmptranslate -Td of the test MIB's OBJECT.
xlate() {
	snmptranslate -M "$D" -m SNMPFLEET-TEST-MIB -Td \
	    "SNMPFLEET-TEST-MIB::$1" 2>/dev/null
}

# ---------------------------------------------------- the test MIB, -M/-m
run -M "$D" -m SNMPFLEET-TEST-MIB --describe testPortState
is "$RC" 0 "--describe testPortState with -M/-m exits 0"
is "$(field source)" "$MIB" "its source is the MIB file"
is "$(field module)" "SNMPFLEET-TEST-MIB" "its module"
is "$(field oid)" "1.3.6.1.4.1.32473.7.1.2.1.3" "its OID"
is "$(field tc)" "TestPortState" "its textual convention"
# snmptranslate: SYNTAX	INTEGER {idle(1), busy(2), broken(3), retired(7)}
want=$(xlate testPortState | sed -n 's/^ *SYNTAX[[:space:]]*INTEGER {\(.*\)}.*/\1/p' |
    sed 's/, / /g')
like "$want" 'idle\(1\)' "snmptranslate reads the enums of the test MIB"
is "$(field enums)" "$want" "enums equal snmptranslate -Td's"
is "$(field index)" "testPortAddr (IpAddress (4 arcs))
testPortName (IMPLIED OCTET STRING (the rest))" \
    "the INDEX: an IpAddress, then an IMPLIED OCTET STRING"
is "$(field table)" "testPortTable" "the column's table"
is "$(field entry)" "testPortEntry" "the column's entry"

run -M "$D" -m SNMPFLEET-TEST-MIB --describe testPortEntry
want=$(xlate testPortEntry | sed -n 's/^ *INDEX[[:space:]]*{ *\(.*[^ ]\) *}.*/\1/p')
is "$want" "testPortAddr, IMPLIED testPortName" "snmptranslate's INDEX"
is "$(field index | sed -E 's/^([^ ]*) \(IMPLIED .*/IMPLIED \1/; s/ \(.*//' |
    paste -sd, | sed 's/,/, /g')" "$want" \
    "the entry's INDEX objects (and IMPLIED) equal it"
is "$(field kind)" "table entry" "testPortEntry is a table entry"

run -M "$D" -m SNMPFLEET-TEST-MIB --describe SNMPFLEET-TEST-MIB::testPortSerial
want=$(xlate testPortSerial | sed -n 's/^ *DISPLAY-HINT[[:space:]]*"\(.*\)"/\1/p')
is "$want" "1x:" "snmptranslate's DISPLAY-HINT of testPortSerial"
is "$(field hint)" "$want" "MODULE::name: the DISPLAY-HINT equals it"
is "$(field size)" "6" "a fixed-size OCTET STRING (SIZE (6))"

run -M "$D" -m SNMPFLEET-TEST-MIB --describe testPortLoad.10.0.0.1.112.49
want=$(xlate testPortLoad | sed -n 's/^ *UNITS[[:space:]]*"\(.*\)"/\1/p')
is "$(field units)" "$want" "UNITS equal snmptranslate's ($want)"
is "$(field instance)" "10.0.0.1.112.49" "name.index: the instance"

run -M "$D" -m SNMPFLEET-TEST-MIB --describe 1.3.6.1.4.1.32473.7.1.1.0
is "$(field name)" "testSiteName" "by OID: the longest known prefix"
is "$(field hint)" "255a" "... with its hint"

# The same through MIBS/MIBDIRS, and through mibs/mibdirs in a config file.
MIBS=SNMPFLEET-TEST-MIB MIBDIRS=$D run --describe testPortState
is "$(field enums)" "idle(1) busy(2) broken(3) retired(7)" \
    "MIBS and MIBDIRS from the environment load it"
printf 'mibs = SNMPFLEET-TEST-MIB\nmibdirs = %s\n' "$D" >"$T/conf"
run --config "$T/conf" --describe testPortState
is "$(field enums)" "idle(1) busy(2) broken(3) retired(7)" \
    "mibs and mibdirs in the config file load it"
run -M "+$D" -m +SNMPFLEET-TEST-MIB --describe testPortState
is "$(field source)" "$MIB" "+DIRS and +MIBS add to net-snmp's defaults"
run -M "$D" -m ALL --describe testPortState
is "$(field source)" "$MIB" "-m ALL reads every module in -M's directories"

# Without -m/-M no MIB file is read at all.
run --describe testPortState
is "$RC" 2 "without -m/-M the test MIB is unknown: exit 2"
like "$ERR" "unknown object 'testPortState'" "... saying so"
run -M "$D" -m NO-SUCH-MIB --describe ifDescr
is "$RC" 2 "-m with a module that is nowhere: exit 2"
like "$ERR" "MIB module NO-SUCH-MIB not found" "... naming the module"
run -M "$D" -m IF-MIB:SNMPFLEET-TEST-MIB --describe testPortState
is "$RC" 0 "-m may name a built-in module whose file is not installed"

# ------------------------------------------------------------ built in
run --describe ifOperStatus
is "$RC" 0 "--describe ifOperStatus exits 0"
is "$(field source)" "built in" "ifOperStatus is built in"
is "$(field enums)" \
    "up(1) down(2) testing(3) unknown(4) dormant(5) notPresent(6) lowerLayerDown(7)" \
    "ifOperStatus's enums (RFC 2863)"
is "$(field index)" "ifIndex (InterfaceIndex: integer)" "indexed by ifIndex"
run --describe ifPhysAddress
is "$(field tc)/$(field hint)/$(field syntax)" "PhysAddress/1x:/OCTET STRING" \
    "ifPhysAddress: PhysAddress, hint 1x:, OCTET STRING"
run --describe ipAddressAddr
is "$(field index)" "ipAddressAddrType (InetAddressType (integer))
ipAddressAddr (InetAddress (length first, by the InetAddressType before it))" \
    "ipAddressTable: INDEX an InetAddressType + InetAddress pair"
run --describe IF-MIB::ifXEntry
is "$(field augments)" "ifEntry" "ifXEntry AUGMENTS ifEntry"
run --describe dot1qTpFdbAddress
is "$(field size)/$(field tc)" "6/MacAddress" \
    "Q-BRIDGE-MIB dot1qTpFdbAddress: a 6-byte MacAddress"
run --describe noSuchObjectAnywhere
is "$RC" 2 "an unknown object: exit 2"
like "$ERR" "unknown object 'noSuchObjectAnywhere'" "... with a clear message"

# The enums of several built-in objects equal pysnmp's compiled modules
# (the generator's input; a check on the C table and its lookups).
if /usr/bin/python3 -c 'import pysnmp_mibs' 2>/dev/null; then
	for spec in IF-MIB:ifAdminStatus IF-MIB:ifType ENTITY-MIB:entPhysicalClass \
	    HOST-RESOURCES-MIB:hrDeviceStatus IP-MIB:ipAddressOrigin; do
		mod=${spec%%:*} obj=${spec#*:}
		want=$(/usr/bin/python3 - "$mod" "$obj" <<'PY'
import sys
from pysnmp.smi import builder
b = builder.MibBuilder()
b.addMibSources(builder.DirMibSource('/usr/lib/python3/dist-packages/pysnmp_mibs'))
b.loadModules(sys.argv[1])
nv = b.mibSymbols[sys.argv[1]][sys.argv[2]].getSyntax().namedValues
print(' '.join('%s(%d)' % (k, v) for k, v in sorted(nv.items(), key=lambda e: e[1])))
PY
)
		run --describe "$mod::$obj"
		is "$(field enums)" "$want" "$mod::$obj enums equal pysnmp-mibs'"
	done
else
	for i in 1 2 3 4 5; do
		pass "# SKIP python3-pysnmp4-mibs not installed"
	done
fi

# ------------------------------------------- a vendor MIB's names in use
start_snmpd
P=$SNMPD_PORT
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -H "127.0.0.1:$P" -F jsonl \
    testSiteName 1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.101 sysName \
    >"$T/j" 2>"$T/err"
is "$?" 0 "polling vendor names from snmpd exits 0"
got=$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(" ".join("%s=%s" % (v["oid"], v["name"]) for v in r["values"]))' "$T/j")
is "$got" "1.3.6.1.4.1.32473.7.1.1.0=testSiteName.0 1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.101=testPortState.127.0.0.1.101 1.3.6.1.2.1.1.5.0=sysName.0" \
    "a vendor scalar name gets .0; vendor names in the jsonl name field"
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -H "127.0.0.1:$P" -F text \
    testSiteName sysName.0 2>"$T/err" | sed 's/^[^ ]* //' >"$T/ours"
snmpget -On -v2c -c public "127.0.0.1:$P" 1.3.6.1.4.1.32473.7.1.1.0 \
    1.3.6.1.2.1.1.5.0 >"$T/theirs" 2>&1
is_file "$T/ours" "$T/theirs" "-F text with -m is still byte-identical to snmpget -On"
"$SNMPFLEET" -H "127.0.0.1:$P" testSiteName >/dev/null 2>"$T/err"
is "$?" 2 "without -m the vendor name is unknown: exit 2"

# ------------------------------------------- values with meaning (jsonl)
VALS=(ifOperStatus.1 ifType.1 sysUpTime.0 memTotalReal.0 hrSystemDate.0
    hrStorageType.1 sysName.0)
"$SNMPFLEET" -H "127.0.0.1:$P" -F jsonl "${VALS[@]}" >"$T/v" 2>"$T/err"
is "$?" 0 "a GET of objects with meaning exits 0"
meaning() {
	python3 - "$T/v" "$1" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
v = {x["name"]: x for x in r["values"]}
print(eval(sys.argv[2]))
PY
}
is "$(meaning 'v["ifOperStatus.1"]["value"], v["ifOperStatus.1"]["enum"]')" \
    "(1, 'up')" "ifOperStatus of lo: value 1 and enum up"
is "$(meaning 'v["ifType.1"]["enum"]')" "softwareLoopback" \
    "ifType of lo: the IANAifType label"
is "$(meaning 'round(v["sysUpTime.0"]["value"] / 100, 2) == v["sysUpTime.0"]["seconds"]')" \
    "True" "TimeTicks also in seconds"
is "$(meaning 'v["memTotalReal.0"]["units"]')" "kB" "UCD-SNMP-MIB UNITS"
# hrSystemDate: the hex value decoded here equals the ISO 8601 display.
is "$(meaning '"display" in v["hrSystemDate.0"] and v["hrSystemDate.0"]["display"] == (lambda b: "%04d-%02d-%02dT%02d:%02d:%02d.%d" % ((b[0] << 8 | b[1],) + tuple(b[2:8])) + ("%c%02d:%02d" % (b[8], b[9], b[10]) if len(b) == 11 else ""))(bytes.fromhex(v["hrSystemDate.0"]["value"].replace(":", "")))')" \
    "True" "a DateAndTime as ISO 8601"
like "$(meaning 'v["hrStorageType.1"]["display"]')" '^hrStorage[A-Z]' \
    "an OID value by its name (hrStorageType)"
is "$(meaning 'sorted(v["sysName.0"])')" \
    "['name', 'oid', 'type', 'value']" "a DisplayString gets nothing more"
"$SNMPFLEET" -H "127.0.0.1:$P" -F text "${VALS[@]}" 2>"$T/err" |
    sed 's/^[^ ]* //' | sed -E 's/^(\.1\.3\.6\.1\.2\.1\.(1\.3\.0|25\.1\.2\.0) = [A-Za-z-]+: ).*/\1N/' \
    >"$T/ours"
NUMS=(1.3.6.1.2.1.2.2.1.8.1 1.3.6.1.2.1.2.2.1.3.1 1.3.6.1.2.1.1.3.0
    1.3.6.1.4.1.2021.4.5.0 1.3.6.1.2.1.25.1.2.0 1.3.6.1.2.1.25.2.3.1.2.1
    1.3.6.1.2.1.1.5.0)	# VALS, numerically (snmpget has no MIB files)
snmpget -On -v2c -c public "127.0.0.1:$P" "${NUMS[@]}" 2>&1 |
    sed -E 's/^(\.1\.3\.6\.1\.2\.1\.(1\.3\.0|25\.1\.2\.0) = [A-Za-z-]+: ).*/\1N/' \
    >"$T/theirs" 2>&1
is_file "$T/ours" "$T/theirs" "-F text of the same objects is snmpget -On's (clock values masked)"

# ------------------------------------------- values with meaning (csv)
"$SNMPFLEET" -H "127.0.0.1:$P" -F csv "${VALS[@]}" >"$T/v.csv" 2>"$T/err"
is "$?" 0 "a csv GET of the same objects exits 0"
display() {
	python3 - "$T/v.csv" "$1" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["name"] == sys.argv[2]:
        print(r["display"])
PY
}
is "$(display ifOperStatus.1)" up "csv display: the enum's label"
is "$(display ifType.1)" softwareLoopback "csv display: the IANAifType label"
like "$(display hrSystemDate.0)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "csv display: a DateAndTime as ISO 8601"
like "$(display hrStorageType.1)" '^hrStorage[A-Z]' "csv display: an OID value's name"
is "$(display sysName.0)" "" "csv display: empty for a DisplayString"
done_testing
