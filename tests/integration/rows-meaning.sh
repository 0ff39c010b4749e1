#!/usr/bin/env bash
# rows-meaning.sh — -T rows with meaning, against snmpfleet-sim --tables
# small and a real snmpd: each row's index decoded into its INDEX objects
# (ipAdEntAddr, dot1dTpFdbAddress as 00:1a:..., ipNetToPhysicalNetAddress
# as IPv4 or IPv6 text by its type, lldpRemTimeMark/LocalPortNum/Index),
# equal to the walked value columns and to snmpfleet-sim(1)'s TABLES;
# ifTable and ifXTable joined into one row per ifIndex (as many rows as
# ifNumber), or apart with --no-join; --label ifName on ifTable rows;
# csv's index columns after index.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_python
plan 22

T=$LIB_TMP
start_sim --interfaces 6 --tables small
A=127.0.3.7
SF=("$SNMPFLEET" -q -H "$A:$SIM_PORT" -t 2 -r 2)

# check.py WHAT FILE... — prints "ok" or what is wrong.
cat >"$T/check.py" <<'PY'
import csv, ipaddress, json, sys

def rec(path):
    return json.loads(open(path).read().splitlines()[0])

def rows(path, name):
    return rec(path)["tables"][name]

def walk(path):
    """{instance suffix after the column: value} of a -w's jsonl values"""
    out = {}
    for v in rec(path)["values"]:
        out[v["name"].split(".", 1)[1]] = v
    return out

def say(problems):
    print("ok" if not problems else "\n".join(problems[:5]))

what, args = sys.argv[1], sys.argv[2:]
p = []
if what == "ipaddr":            # FILE B C  — ipAddrTable
    b, c = args[1], args[2]
    r = rows(args[0], "ipAddrTable")
    for i, x in enumerate(r, 1):
        if not (x["ipAdEntAddr"] == x["index"] == "127.%s.%d.%s" % (c, i, b)):
            p.append("row %r" % x)
    if not r:
        p.append("no rows")
elif what == "fdb":             # FILE WALK — dot1dTpFdbTable, -w dot1dTpFdbAddress
    w = walk(args[1])
    r = rows(args[0], "dot1dTpFdbTable")
    for x in r:
        v = w.get(x["index"])
        shown = v and (v.get("display") or v["value"])
        want = ":".join("%02x" % int(a) for a in x["index"].split("."))
        if x["dot1dTpFdbAddress"] != want or shown != want:
            p.append("row %r, walked %r" % (x, v))
    if len(r) != len(w) or not r:
        p.append("%d rows, %d walked" % (len(r), len(w)))
elif what == "arp":             # FILE — ipNetToPhysicalTable
    r = rows(args[0], "ipNetToPhysicalTable")
    kinds = set()
    for x in r:
        arcs = [int(a) for a in x["index"].split(".")]
        t, n = arcs[1], arcs[2]
        addr = ipaddress.ip_address(bytes(arcs[3:3 + n]))
        kinds.add((t, addr.version))
        if (x["ipNetToPhysicalIfIndex"], x["ipNetToPhysicalNetAddressType"],
                x["ipNetToPhysicalNetAddress"]) != (arcs[0], t, str(addr)):
            p.append("row %r" % x)
    if kinds != {(1, 4), (2, 6)}:
        p.append("types and versions %r" % kinds)
elif what == "ipaddress":       # FILE — ipAddressTable
    r = rows(args[0], "ipAddressTable")
    for x in r:
        arcs = [int(a) for a in x["index"].split(".")]
        addr = ipaddress.ip_address(bytes(arcs[2:]))
        if (x["ipAddressAddrType"], x["ipAddressAddr"]) != (arcs[0], str(addr)):
            p.append("row %r" % x)
    if {x["ipAddressAddrType"] for x in r} != {1, 2}:
        p.append("types %r" % {x["ipAddressAddrType"] for x in r})
elif what == "lldp":            # FILE — lldpRemTable
    r = rows(args[0], "lldpRemTable")
    for x in r:
        arcs = [int(a) for a in x["index"].split(".")]
        if [x["lldpRemTimeMark"], x["lldpRemLocalPortNum"],
                x["lldpRemIndex"]] != arcs:
            p.append("row %r" % x)
    if not r:
        p.append("no rows")
elif what == "hr":              # FILE — hrStorageTable
    r = rows(args[0], "hrStorageTable")
    for x in r:
        if x["hrStorageIndex"] != int(x["index"]) or "hrStorageDescr" not in x:
            p.append("row %r" % x)
    if not r:
        p.append("no rows")
elif what == "joined":          # FILE — -T ifTable -T ifXTable with ifNumber.0
    r = rec(args[0])
    n = r["values"][0]["value"]
    t = r["tables"]
    if list(t) != ["ifTable"]:
        p.append("tables %r" % list(t))
    rs = t.get("ifTable", [])
    if len(rs) != n or len({x["ifIndex"] for x in rs}) != n:
        p.append("%d rows, ifNumber %d" % (len(rs), n))
    for x in rs:
        if not {"ifDescr", "ifOperStatus", "ifName", "ifHCInOctets"} <= set(x):
            p.append("row %r" % sorted(x))
elif what == "label":           # FILE WALK — -T ifTable --label ifName, -w ifName
    w = walk(args[1])
    r = rec(args[0])
    if r["values"]:
        p.append("values %r" % r["values"][:2])
    for x in r["tables"]["ifTable"]:
        if x.get("ifName") != w[x["index"]]["value"]:
            p.append("row %s: ifName %r" % (x["index"], x.get("ifName")))
elif what == "csv":             # CSV JSONL TABLE INDEX-COLUMNS...
    lines = list(csv.reader(open(args[0], newline="")))
    cols = args[3:]
    if lines[0][4:4 + len(cols)] != cols:
        p.append("header %r" % lines[0])
    js = rows(args[1], args[2])
    body = [dict(zip(lines[0], l)) for l in lines[1:]]
    if len(body) != len(js):
        p.append("%d lines, %d rows" % (len(body), len(js)))
    for l, x in zip(body, js):
        for c in cols:
            if l[c] != str(x[c]):
                p.append("%s: %s = %r, jsonl %r" % (l["index"], c, l[c], x[c]))
say(p)
PY
check_() { python3 "$T/check.py" "$@" 2>&1; }

# ------------------------------------------------- snmpfleet-sim tables
for t in ipAddrTable ipAddressTable ipNetToPhysicalTable dot1dTpFdbTable \
    lldpRemTable hrStorageTable; do
	"${SF[@]}" -F jsonl -T "$t" >"$T/$t.jsonl" 2>"$T/$t.err" ||
	    diag "$(cat "$T/$t.err")"
done
is "$(check_ ipaddr "$T/ipAddrTable.jsonl" 7 3)" ok \
    "sim ipAddrTable: ipAdEntAddr decoded = index = 127.c.i.d"
"${SF[@]}" -F jsonl -w dot1dTpFdbAddress >"$T/fdbwalk.jsonl" 2>/dev/null
is "$(check_ fdb "$T/dot1dTpFdbTable.jsonl" "$T/fdbwalk.jsonl")" ok \
    "sim dot1dTpFdbTable: dot1dTpFdbAddress decoded as 02:00:7f:.. = the walked value"
is "$(check_ arp "$T/ipNetToPhysicalTable.jsonl")" ok \
    "sim ipNetToPhysicalTable: ifIndex, type 1 rows IPv4 text, type 2 rows IPv6 text"
is "$(check_ ipaddress "$T/ipAddressTable.jsonl")" ok \
    "sim ipAddressTable: ipAddressAddrType number and ipAddressAddr text"
is "$(check_ lldp "$T/lldpRemTable.jsonl")" ok \
    "sim lldpRemTable: lldpRemTimeMark, lldpRemLocalPortNum, lldpRemIndex"
is "$(check_ hr "$T/hrStorageTable.jsonl")" ok \
    "sim hrStorageTable: hrStorageIndex once, equal to the index"
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())["tables"]["ipNetToPhysicalTable"][0]
print(list(r)[:5])' "$T/ipNetToPhysicalTable.jsonl")" \
    "['index', 'ipNetToPhysicalIfIndex', 'ipNetToPhysicalNetAddressType', 'ipNetToPhysicalNetAddress', 'ipNetToPhysicalPhysAddress']" \
    "sim ipNetToPhysicalTable: the INDEX objects right after index, then the columns"

"${SF[@]}" -F jsonl -T ifTable -T ifXTable ifNumber.0 >"$T/joined.jsonl" 2>/dev/null
is "$(check_ joined "$T/joined.jsonl")" ok \
    "sim -T ifTable -T ifXTable: one row per ifIndex (ifNumber rows) with both tables' columns"
"${SF[@]}" -F jsonl -T ifTable -T ifXTable --no-join >"$T/apart.jsonl" 2>/dev/null
"${SF[@]}" -F jsonl -T ifXTable >"$T/ifx.jsonl" 2>/dev/null
is "$(python3 -c '
import json, sys
a = json.loads(open(sys.argv[1]).read())["tables"]
x = json.loads(open(sys.argv[2]).read())["tables"]
print(list(a), len(a["ifTable"]), [list(r) for r in a["ifXTable"]] ==
      [list(r) for r in x["ifXTable"]], "ifName" in a["ifTable"][0])' \
    "$T/apart.jsonl" "$T/ifx.jsonl")" "['ifTable', 'ifXTable'] 6 True False" \
    "sim --no-join: ifTable and ifXTable apart, ifXTable rows as polled alone"
"${SF[@]}" -F jsonl --profile interfaces >"$T/prof.jsonl" 2>/dev/null
is "$(check_ joined "$T/prof.jsonl")" ok "sim --profile interfaces: joined rows"
"${SF[@]}" -F jsonl -T ifTable --label ifName >"$T/label.jsonl" 2>/dev/null
"${SF[@]}" -F jsonl -w ifName >"$T/ifname.jsonl" 2>/dev/null
is "$(check_ label "$T/label.jsonl" "$T/ifname.jsonl")" ok \
    "sim -T ifTable --label ifName: each row has its ifName, no loose values"

"${SF[@]}" -F csv -T ipNetToPhysicalTable >"$T/arp.csv" 2>"$T/arp.err"
is "$?" 0 "sim -F csv -T ipNetToPhysicalTable: exit 0"
is "$(check_ csv "$T/arp.csv" "$T/ipNetToPhysicalTable.jsonl" ipNetToPhysicalTable \
    ipNetToPhysicalIfIndex ipNetToPhysicalNetAddressType ipNetToPhysicalNetAddress)" ok \
    "sim csv ipNetToPhysicalTable: index columns after index, as jsonl's"
"${SF[@]}" -F csv -T dot1dTpFdbTable >"$T/fdb.csv" 2>/dev/null
is "$(check_ csv "$T/fdb.csv" "$T/dot1dTpFdbTable.jsonl" dot1dTpFdbTable dot1dTpFdbAddress)" ok \
    "sim csv dot1dTpFdbTable: dot1dTpFdbAddress once, after index"
"${SF[@]}" -F csv -T ifTable --label ifName >"$T/label.csv" 2>"$T/label-csv.err"
is "$?/$(head -n 1 "$T/label.csv" | tr , '\n' | grep -c '^ifName$')" "0/1" \
    "sim csv -T ifTable --label ifName: accepted, one ifName column"
is "$(python3 -c '
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
print(all(x["ifName"] for x in r), len(r))' "$T/label.csv")" "True 6" \
    "sim csv --label ifName: every ifTable line has its ifName"
"${SF[@]}" -F csv -T ifTable -T ifXTable >"$T/joined.csv" 2>/dev/null
is "$(($(wc -l <"$T/joined.csv") - 1))" 6 "sim csv -T ifTable -T ifXTable: a line per ifIndex"

# ------------------------------------------------------------- snmpd
start_snmpd
SD=("$SNMPFLEET" -q -H "127.0.0.1:$SNMPD_PORT" -t 2 -r 2)
"${SD[@]}" -F jsonl -T ipAddrTable >"$T/d-ip.jsonl" 2>/dev/null
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())["tables"]["ipAddrTable"]
print(bool(r) and all(x["ipAdEntAddr"] == x["index"] and
                      x["ipAdEntIfIndex"] >= 1 for x in r),
      any(x["ipAdEntAddr"] == "127.0.0.1" for x in r))' "$T/d-ip.jsonl")" "True True" \
    "snmpd ipAddrTable: ipAdEntAddr decoded = the agent's value (127.0.0.1 there)"
"${SD[@]}" -F jsonl -T hrStorageTable >"$T/d-hr.jsonl" 2>/dev/null
is "$(check_ hr "$T/d-hr.jsonl")" ok "snmpd hrStorageTable: hrStorageIndex = the index"
"${SD[@]}" -F jsonl -T ifTable -T ifXTable ifNumber.0 >"$T/d-joined.jsonl" 2>/dev/null
is "$(check_ joined "$T/d-joined.jsonl")" ok \
    "snmpd -T ifTable -T ifXTable: one row per ifIndex with both tables' columns"
"${SD[@]}" -F jsonl -T ifTable --label ifName >"$T/d-label.jsonl" 2>/dev/null
"${SD[@]}" -F jsonl -w ifName >"$T/d-ifname.jsonl" 2>/dev/null
is "$(check_ label "$T/d-label.jsonl" "$T/d-ifname.jsonl")" ok \
    "snmpd -T ifTable --label ifName: each row has the agent's ifName"
# the single-table shape: ifTable alone as before (ifIndex once)
"${SD[@]}" -F jsonl -T ifTable >"$T/d-ift.jsonl" 2>/dev/null
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())["tables"]
print(list(r), list(r["ifTable"][0])[:3])' "$T/d-ift.jsonl")" \
    "['ifTable'] ['index', 'ifIndex', 'ifDescr']" "snmpd -T ifTable alone: its own rows, ifIndex once"

done_testing
