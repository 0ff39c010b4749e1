#!/usr/bin/env bash
# tables.sh — -T: a walked table as rows.  jsonl rows match the real
# agent's ifTable/ifXTable as snmpbulkwalk sees them (one row per ifIndex,
# ifDescr/ifName per index, bytes as {"hex":...}); the ifTable, ifEntry,
# IF-MIB::ifXTable and numeric forms; names resolve with no MIB files
# (MIBS unset, MIBS= , MIBDIRS=/nonexistent); csv rows under a header of
# the tables' built-in columns, and the csv refusals (exit 2); text is the
# walk's varbind lines; ifTable and ifXTable joined (one row per
# ifIndex, jsonl and csv); --profile interfaces, a [profile NAME] section of
# a --config file (oid, walk, table keys), and an unknown profile (exit 2).
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_python

plan 44

start_snmpd
T=$LIB_TMP
H=127.0.0.1:$SNMPD_PORT
SF=("$SNMPFLEET" -q -H "$H" -t 2 -r 2)
IFT=1.3.6.1.2.1.2.2
IFX=1.3.6.1.2.1.31.1.1

# Debian ships no IETF MIBs; make sure no MIB a user set up is used here.
unset MIBS MIBDIRS

snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" "$IFT" >"$T/ift.ref" 2>&1
snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" "$IFX" >"$T/ifx.ref" 2>&1
snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" 1.3.6.1.2.1.1.9.1.2 >"$T/sysor.ref" 2>&1
NIF=$(grep -c "^\.$IFT\.1\.1\." "$T/ift.ref")
ok "$([ "$NIF" -ge 1 ] && echo 0 || echo 1)" "the agent has $NIF interfaces (snmpbulkwalk)"

# rows.py — checks of -T output against snmpbulkwalk's walk.
cat >"$T/rows.py" <<'PY'
import csv, io, json, re, sys

IFTABLE = ("ifIndex ifDescr ifType ifMtu ifSpeed ifPhysAddress ifAdminStatus "
           "ifOperStatus ifLastChange ifInOctets ifInUcastPkts ifInNUcastPkts "
           "ifInDiscards ifInErrors ifInUnknownProtos ifOutOctets "
           "ifOutUcastPkts ifOutNUcastPkts ifOutDiscards ifOutErrors "
           "ifOutQLen ifSpecific").split()
IFXTABLE = ("ifName ifInMulticastPkts ifInBroadcastPkts ifOutMulticastPkts "
            "ifOutBroadcastPkts ifHCInOctets ifHCInUcastPkts "
            "ifHCInMulticastPkts ifHCInBroadcastPkts ifHCOutOctets "
            "ifHCOutUcastPkts ifHCOutMulticastPkts ifHCOutBroadcastPkts "
            "ifLinkUpDownTrapEnable ifHighSpeed ifPromiscuousMode "
            "ifConnectorPresent ifAlias ifCounterDiscontinuityTime").split()
COLS = {"1.3.6.1.2.1.2.2": IFTABLE, "1.3.6.1.2.1.31.1.1": IFXTABLE}
TICKING = {"Counter32", "Counter64", "Gauge32", "Timeticks"}

def ref(path, table):
    """{index: [(column name, snmpbulkwalk type, JSON value or None)]}
    in walk order, and the index order."""
    rows, order = {}, []
    pat = re.compile(r"^\.%s\.1\.(\d+)\.([0-9.]+) = (.*)$" % re.escape(table))
    for line in open(path):
        m = pat.match(line.rstrip("\n"))
        if not m:
            continue
        col, idx, rest = int(m.group(1)), m.group(2), m.group(3)
        t = re.match(r"^([A-Za-z0-9-]+): (.*)$", rest)
        typ, val = (t.group(1), t.group(2)) if t else ("", rest)
        if typ == "STRING":
            val = val[1:-1]
        elif typ == "" and val == '""':
            typ, val = "STRING", ""
        elif typ == "Hex-STRING":
            val = {"hex": ":".join(val.split()).lower()}
        elif typ == "INTEGER":
            val = int(val)
        elif typ == "OID":
            val = val.lstrip(".")
        elif typ in TICKING:
            val = None
        if idx not in rows:
            rows[idx] = []
            order.append(idx)
        rows[idx].append((COLS[table][col - 1], typ, val))
    return rows, order

def jsonl_rows(path, name):
    lines = open(path, encoding="utf-8").read().splitlines()
    if len(lines) != 1:
        raise SystemExit("%d records, expected 1" % len(lines))
    r = json.loads(lines[0])
    if r.get("status") != "ok":
        raise SystemExit("status %r %r" % (r.get("status"), r.get("error")))
    tables = r.get("tables") or {}
    if name not in tables:
        raise SystemExit("no table %r in %r" % (name, list(tables)))
    return tables[name], r

def join(*refs):
    """Rows of tables with the same index as one (-T ifTable -T ifXTable)."""
    want, order = {}, []
    for w, o in refs:
        for idx in o:
            if idx not in want:
                want[idx] = []
                order.append(idx)
            want[idx] += w[idx]
    return want, order

def compare(rows, table_ref):
    want, order = table_ref
    problems = []
    if [row.get("index") for row in rows] != order:
        problems.append("indexes %r, snmpbulkwalk %r"
                        % ([row.get("index") for row in rows], order))
    for row in rows:
        idx = row.get("index")
        cells = want.get(idx, [])
        if "ifIndex" not in [c for c, _, _ in cells]:
            # the INDEX decoded (ifXTable AUGMENTS ifEntry): ifIndex
            if row.get("ifIndex") != int(idx):
                problems.append("row %s: ifIndex %r" % (idx, row.get("ifIndex")))
            cells = [("ifIndex", "INTEGER", int(idx))] + cells
        if list(row) != ["index"] + [c for c, _, _ in cells]:
            problems.append("row %s: columns %r, expected %r"
                            % (idx, list(row), [c for c, _, _ in cells]))
            continue
        for c, typ, val in cells:
            if val is None:
                if not isinstance(row[c], int):
                    problems.append("row %s: %s = %r, not a number"
                                    % (idx, c, row[c]))
            elif row[c] != val or type(row[c]) is not type(val):
                problems.append("row %s: %s = %r, snmpbulkwalk %r"
                                % (idx, c, row[c], val))
    return problems

def main():
    what = sys.argv[1]
    if what == "jsonl":
        # jsonl FILE TABLE-NAME TABLE-OID REF
        rows, _ = jsonl_rows(sys.argv[2], sys.argv[3])
        p = compare(rows, ref(sys.argv[5], sys.argv[4]))
        print("ok %d" % len(rows) if not p else "\n".join(p[:10]))
    elif what == "joined":
        # joined FILE IFT-REF IFX-REF — ifTable rows with ifXTable's columns
        rows, _ = jsonl_rows(sys.argv[2], "ifTable")
        p = compare(rows, join(ref(sys.argv[3], "1.3.6.1.2.1.2.2"),
                               ref(sys.argv[4], "1.3.6.1.2.1.31.1.1")))
        print("ok %d" % len(rows) if not p else "\n".join(p[:10]))
    elif what == "names":
        # names FILE TABLE-NAME — the column names of the first row
        rows, _ = jsonl_rows(sys.argv[2], sys.argv[3])
        print(" ".join(rows[0]) if rows else "")
    elif what == "summary":
        # summary FILE — table names, rows per table, values' OIDs
        r = json.loads(open(sys.argv[2]).read())
        print(r["status"], sorted((k, len(v)) for k, v in
                                  (r.get("tables") or {}).items()),
              [v["oid"] for v in r["values"]])
    elif what == "csv":
        # csv FILE IFT-REF IFX-REF TABLES... — header and rows
        data = open(sys.argv[2], encoding="utf-8", newline="").read()
        rows = list(csv.reader(io.StringIO(data, newline="")))
        tables = sys.argv[5:]
        header = ["host", "port", "table", "index"]
        for t in tables:
            header += COLS[{"ifTable": "1.3.6.1.2.1.2.2",
                            "ifXTable": "1.3.6.1.2.1.31.1.1"}[t]]
        header += ["status", "rtt_ms"]
        p = []
        if not rows or rows[0] != header:
            p.append("header %r\nexpected %r" % (rows[:1], header))
            print("\n".join(p))
            return
        refs = {"ifTable": ref(sys.argv[3], "1.3.6.1.2.1.2.2"),
                "ifXTable": ref(sys.argv[4], "1.3.6.1.2.1.31.1.1")}
        # tables with the same INDEX are joined under the first one
        refs[tables[0]] = join(*[refs[t] for t in tables])
        tables = tables[:1]
        want_lines = sum(len(refs[t][1]) for t in tables)
        body = rows[1:]
        if len(body) != want_lines:
            p.append("%d rows, expected %d" % (len(body), want_lines))
        seen = {t: [] for t in tables}
        for row in body:
            if len(row) != len(header):
                p.append("row with %d fields: %r" % (len(row), row))
                continue
            d = dict(zip(header, row))
            if d["table"] not in seen or d["status"] != "ok":
                p.append("row %r" % row)
                continue
            seen[d["table"]].append(d["index"])
            cells = dict((c, v) for c, _, v in refs[d["table"]][0].get(d["index"], []))
            for c in header[4:-2]:
                if c not in cells:
                    if d[c] != "":
                        p.append("%s %s: %s = %r, expected empty"
                                 % (d["table"], d["index"], c, d[c]))
                    continue
                v = cells[c]
                if v is None:
                    ok = d[c].isdigit()
                elif isinstance(v, dict):
                    ok = d[c] == v["hex"]
                else:
                    ok = d[c] == str(v)
                if not ok:
                    p.append("%s %s: %s = %r, snmpbulkwalk %r"
                             % (d["table"], d["index"], c, d[c], v))
        for t in tables:
            if seen[t] != refs[t][1]:
                p.append("%s indexes %r, expected %r" % (t, seen[t], refs[t][1]))
        print("ok %d" % len(body) if not p else "\n".join(p[:10]))

main()
PY
rows() { python3 "$T/rows.py" "$@" 2>&1; }

# --------------------------------------------------------------- jsonl
"${SF[@]}" -F jsonl -T ifTable >"$T/ift.jsonl" 2>"$T/ift.err"
is "$?" 0 "-T ifTable: exit 0"
check "-T ifTable: valid JSON" jsonl_check "$T/ift.jsonl"
is "$(rows jsonl "$T/ift.jsonl" ifTable "$IFT" "$T/ift.ref")" "ok $NIF" \
    "-T ifTable: one row per ifIndex, named columns, values as snmpbulkwalk (bytes as {\"hex\":...})"
is "$(python3 -c '
import json, re, sys
r = json.loads(open(sys.argv[1]).read())
descr = {row["index"]: row["ifDescr"] for row in r["tables"]["ifTable"]}
ref = dict(re.findall(r"^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.(\d+) = STRING: \"(.*)\"$",
                      open(sys.argv[2]).read(), re.M))
print(descr == ref and len(ref) > 0)' "$T/ift.jsonl" "$T/ift.ref")" True \
    "-T ifTable: ifDescr per index equals snmpbulkwalk's"
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print(r["values"], list(r["tables"]))' "$T/ift.jsonl")" "[] ['ifTable']" \
    '-T ifTable: the rows are under "tables":{"ifTable":...}, no loose values'

"${SF[@]}" -F jsonl -T IF-MIB::ifXTable >"$T/ifx.jsonl" 2>"$T/ifx.err"
is "$?" 0 "-T IF-MIB::ifXTable: exit 0"
is "$(rows jsonl "$T/ifx.jsonl" ifXTable "$IFX" "$T/ifx.ref")" "ok $NIF" \
    "-T IF-MIB::ifXTable: rows match snmpbulkwalk (ifName per index, Counter64 numbers)"

"${SF[@]}" -F jsonl -T ifEntry >"$T/ife.jsonl" 2>"$T/ife.err"
is "$?" 0 "-T ifEntry: exit 0"
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
t = r.get("tables") or {}
print(len(t), [[row["index"], row["ifDescr"]] for rows in t.values() for row in rows])' "$T/ife.jsonl")" \
    "1 $(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print([[row["index"], row["ifDescr"]] for row in r["tables"]["ifTable"]])' "$T/ift.jsonl")" \
    "-T ifEntry: one table, the same rows as -T ifTable"
"${SF[@]}" -F jsonl -T "$IFT" >"$T/ifnum.jsonl" 2>"$T/ifnum.err"
is "$(rows jsonl "$T/ifnum.jsonl" ifTable "$IFT" "$T/ift.ref")" "ok $NIF" \
    "-T $IFT (numeric): named ifTable, the same rows"
"${SF[@]}" -F jsonl -T ifTable -T ifXTable >"$T/both.jsonl" 2>"$T/both.err"
is "$(rows summary "$T/both.jsonl")" "ok [('ifTable', $NIF)] []" \
    "-T ifTable -T ifXTable: both tables joined in one record, under ifTable"
is "$(rows joined "$T/both.jsonl" "$T/ift.ref" "$T/ifx.ref")" "ok $NIF" \
    "-T ifTable -T ifXTable: one row per ifIndex with both tables' columns"

# ----------------------------------------------- names without MIB files
COLNAMES=$(rows names "$T/ift.jsonl" ifTable)
like "$COLNAMES" "^index ifIndex ifDescr ifType " "column names from the built-in table"
BOTHNAMES=$(rows names "$T/both.jsonl" ifTable)
for env in "MIBS=" "MIBDIRS=/nonexistent" "MIBS=ALL MIBDIRS=/nonexistent"; do
	# shellcheck disable=SC2086
	env $env "${SF[@]}" -F jsonl -T ifTable -T IF-MIB::ifXTable \
	    >"$T/env.jsonl" 2>"$T/env.err"
	rc=$?
	is "$rc/$(rows names "$T/env.jsonl" ifTable)/$(rows summary "$T/env.jsonl")" \
	    "0/$BOTHNAMES/ok [('ifTable', $NIF)] []" \
	    "$env: ifTable and IF-MIB::ifXTable by name, columns named"
done
# shellcheck disable=SC2086
env MIBDIRS=/nonexistent "${SF[@]}" -F jsonl -w ifDescr sysName.0 \
    >"$T/env-walk.jsonl" 2>"$T/env-walk.err"
is "$?/$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print([v["name"] for v in r["values"]][:2], len(r["values"]))' "$T/env-walk.jsonl" 2>&1)" \
    "0/['sysName.0', 'ifDescr.1'] $((NIF + 1))" \
    "MIBDIRS=/nonexistent: -w ifDescr and sysName.0 by name, named values"

# ----------------------------------------------------------------- text
"${SF[@]}" -F text -T ifTable >"$T/ift.txt" 2>"$T/ift-text.err"
is "$?" 0 "-T ifTable -F text: exit 0"
is "$(sed -e "s/^$H //" -e 's/ = .*//' "$T/ift.txt")" \
    "$(sed 's/ = .*//' "$T/ift.ref")" \
    "-T ifTable -F text: the walk's varbind lines (the same OIDs as snmpbulkwalk, in order)"
is "$(grep -c "^$H \.$IFT\.1\.2\." "$T/ift.txt")" "$NIF" \
    "-T ifTable -F text: every line has the host prefix"
is "$(sed "s/^$H //" "$T/ift.txt" | grep -E ' = (STRING|INTEGER|OID|Hex-STRING): |= ""$')" \
    "$(grep -E ' = (STRING|INTEGER|OID|Hex-STRING): |= ""$' "$T/ift.ref")" \
    "-T ifTable -F text: lines of values that do not tick equal snmpbulkwalk -On's"

# ------------------------------------------------------------------ csv
"${SF[@]}" -F csv -T ifTable >"$T/ift.csv" 2>"$T/ift-csv.err"
is "$?" 0 "-T ifTable -F csv: exit 0"
is "$(head -n 1 "$T/ift.csv")" \
    "host,port,table,index,ifIndex,ifDescr,ifType,ifMtu,ifSpeed,ifPhysAddress,ifAdminStatus,ifOperStatus,ifLastChange,ifInOctets,ifInUcastPkts,ifInNUcastPkts,ifInDiscards,ifInErrors,ifInUnknownProtos,ifOutOctets,ifOutUcastPkts,ifOutNUcastPkts,ifOutDiscards,ifOutErrors,ifOutQLen,ifSpecific,status,rtt_ms" \
    "-T ifTable -F csv: header host,port,table,index, every ifTable column, status,rtt_ms"
is "$(rows csv "$T/ift.csv" "$T/ift.ref" "$T/ifx.ref" ifTable)" "ok $NIF" \
    "-T ifTable -F csv: one line per row, fields as snmpbulkwalk (ifDescr per index)"

"${SF[@]}" -F csv -T ifTable -T ifXTable >"$T/both.csv" 2>"$T/both-csv.err"
is "$?" 0 "-T ifTable -T ifXTable -F csv: exit 0"
is "$(rows csv "$T/both.csv" "$T/ift.ref" "$T/ifx.ref" ifTable ifXTable)" \
    "ok $NIF" \
    "two joined tables in csv: the columns of both, a line per ifIndex"

# Appending csv to a file does not repeat the header.
"${SF[@]}" -F csv -T ifTable -o "$T/app.csv" 2>/dev/null
"${SF[@]}" -F csv -T ifTable -o "$T/app.csv" 2>/dev/null
is "$(grep -c '^host,port,table,index,' "$T/app.csv")/$(wc -l <"$T/app.csv")" \
    "1/$((1 + 2 * NIF))" "csv tables appended to a file: one header"

# csv refusals: exit 2, nothing polled.
DEAD=$(free_udp_port)
refuse() {
	local desc=$1 out err rc
	shift
	"$SNMPFLEET" -q -H "127.0.0.1:$DEAD" -t 5 -F csv "$@" \
	    >"$T/refuse.out" 2>"$T/refuse.err"
	rc=$?
	out=$(cat "$T/refuse.out")
	err=$(cat "$T/refuse.err")
	is "$rc/${out:0:200}" "2/" "$desc: exit 2, no records" ||
	    diag "stderr: $err"
	like "$err" "snmpfleet: .*csv" "$desc: stderr says why"
}
refuse "-F csv -T ifTable with a GET OID" -T ifTable sysName.0
refuse "-F csv -T ifTable with a walk" -T ifTable -w 1.3.6.1.2.1.1
refuse "-F csv -T of a table with no built-in columns" -T 1.3.6.1.4.1.99999.1

# -------------------------------------------------------------- profiles
"${SF[@]}" -F jsonl --profile interfaces >"$T/prof.jsonl" 2>"$T/prof.err"
is "$?" 0 "--profile interfaces: exit 0"
is "$(rows summary "$T/prof.jsonl")" \
    "ok [('ifTable', $NIF)] ['1.3.6.1.2.1.2.1.0']" \
    "--profile interfaces: ifNumber.0, ifTable and ifXTable joined"
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print(r["values"][0]["name"], r["values"][0]["value"])' "$T/prof.jsonl")" \
    "ifNumber.0 $NIF" "--profile interfaces: ifNumber.0 = the number of rows"
is "$(rows joined "$T/prof.jsonl" "$T/ift.ref" "$T/ifx.ref")" "ok $NIF" \
    "--profile interfaces: rows as -T ifTable -T ifXTable"

cat >"$T/mine.conf" <<CONF
# a profile of our own
timeout = 2
[profile mine]
oid = sysName.0
oid = 1.3.6.1.2.1.1.6.0
walk = 1.3.6.1.2.1.1.9.1.2
table = ifTable
CONF
"$SNMPFLEET" -q -H "$H" --config "$T/mine.conf" -F jsonl --profile mine \
    >"$T/mine.jsonl" 2>"$T/mine.err"
is "$?" 0 "[profile mine] in --config, --profile mine: exit 0" ||
    diag "$(cat "$T/mine.err")"
NOR=$(wc -l <"$T/sysor.ref")
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print(r["status"], [(v["name"], v["value"]) for v in r["values"][:2]],
      [v["oid"] for v in r["values"][2:]] ==
      [l.split(" = ")[0].lstrip(".") for l in open(sys.argv[2])],
      {k: len(v) for k, v in r["tables"].items()})' "$T/mine.jsonl" "$T/sysor.ref" 2>&1)" \
    "ok [('sysName.0', '$SNMPD_SYSNAME'), ('sysLocation.0', '$SNMPD_SYSLOCATION')] True {'ifTable': $NIF}" \
    "--profile mine: its oid keys (GET), its walk ($NOR values as snmpbulkwalk) and its table"

# profile = NAME in the config file itself, and a section that replaces
# a built-in profile of the same name.
cat >"$T/own.conf" <<CONF
profile = interfaces
[profile interfaces]
table = ifXTable
CONF
"$SNMPFLEET" -q -H "$H" --config "$T/own.conf" -F jsonl \
    >"$T/own.jsonl" 2>"$T/own.err"
is "$?/$(rows summary "$T/own.jsonl")" "0/ok [('ifXTable', $NIF)] []" \
    "profile = interfaces in the file, with a [profile interfaces] section replacing the built-in one"

"$SNMPFLEET" -q -H "127.0.0.1:$DEAD" -t 5 --profile nosuchprofile \
    >"$T/unknown.out" 2>"$T/unknown.err"
is "$?/$(cat "$T/unknown.out")" "2/" "--profile nosuchprofile: exit 2, nothing polled"
like "$(cat "$T/unknown.err")" "unknown profile 'nosuchprofile'" \
    "--profile nosuchprofile: stderr names it"
"$SNMPFLEET" -q -H "127.0.0.1:$DEAD" -t 5 --config "$T/mine.conf" \
    --profile nosuchprofile >"$T/unknown2.out" 2>"$T/unknown2.err"
is "$?" 2 "an unknown profile with a --config that defines others: exit 2"

done_testing
