#!/usr/bin/env bash
# walk-matches-snmpbulkwalk.sh — a walk of the real agent's whole
# 1.3.6.1.2.1 subtree in text format equals net-snmp's own walk, line for
# line after the "HOST " prefix: snmpbulkwalk -On -v2c for GETBULK (with
# the default --max-repetitions, with 1 and with 100), snmpwalk -On -v1
# for GETNEXT.
#
# The agent's data moves while we look: counters and clocks tick, and
# tables of processes and sockets (hrSWRun, udp/tcp endpoints) change when
# anything else on the machine starts or stops.  So each attempt brackets
# snmpfleet's walk between two walks by net-snmp (before, after), and
# counts only when the agent held still: the OID lists of before and
# after are equal.  Then snmpfleet's OID list must be the same list, in
# the same order, each line's type the same, and each value either equal
# to before's or after's, or — where the agent itself reported two
# different values — a number between them (counters, clocks, gauges) or
# any value of that type (strings such as hrSystemDate).  An attempt in
# which the agent moved is repeated (up to 10 times).
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_python
command -v snmpbulkwalk >/dev/null 2>&1 || bail_out "snmpbulkwalk not found (apt-get install snmp)"

plan 11

start_snmpd
T=$LIB_TMP
H=127.0.0.1:$SNMPD_PORT
ROOT=1.3.6.1.2.1
ATTEMPTS=10

cat >"$T/compare.py" <<'PY'
import re, sys

def records(path, prefix=None):
    """[(oid, type, value)] of a walk's output; lines that do not start
    a varbind continue the previous value (multi-line strings)."""
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f.read().split("\n")[:-1]:
            if prefix is not None:
                if line.startswith(prefix):
                    line = line[len(prefix):]
                    if line.startswith("# "):
                        raise SystemExit("snmpfleet says: %s" % line)
                elif not out:
                    raise SystemExit("first line lacks the host: %r" % line)
            m = re.match(r"^(\.[0-9.]+) = (.*)$", line, re.S)
            if m:
                rest = m.group(2)
                t = re.match(r"^([A-Za-z0-9-]+): (.*)$", rest, re.S)
                if t:
                    out.append([m.group(1), t.group(1), t.group(2)])
                else:
                    out.append([m.group(1), rest, ""])
            elif out:
                out[-1][2] += "\n" + line
            else:
                raise SystemExit("unparsable first line %r" % line)
    return out

def number(typ, val):
    if typ == "Timeticks":
        m = re.match(r"^\((\d+)\)", val)
    else:
        m = re.match(r"^(-?\d+)", val)
    return int(m.group(1)) if m else None

before = records(sys.argv[1])
got = records(sys.argv[2], sys.argv[4] + " ")
after = records(sys.argv[3])
ob, og, oa = ([r[0] for r in x] for x in (before, got, after))
if ob != oa:
    print("moved: the agent's OID list changed between before and after "
          "(%d, %d OIDs)" % (len(ob), len(oa)))
    sys.exit(0)
if og != ob:
    import difflib
    d = list(difflib.unified_diff(ob, og, "net-snmp", "snmpfleet", n=1,
                                  lineterm=""))
    print("oids: snmpfleet's OID list differs (%d vs %d OIDs)\n%s"
          % (len(og), len(ob), "\n".join(d[:30])))
    sys.exit(0)
problems = []
for b, g, a in zip(before, got, after):
    o = b[0]
    if b[1] != a[1]:
        print("moved: %s changed type %s -> %s" % (o, b[1], a[1]))
        sys.exit(0)
    if g[1] != b[1]:
        problems.append("%s: type %s, net-snmp says %s" % (o, g[1], b[1]))
        continue
    if g[2] in (b[2], a[2]):
        continue
    if b[2] == a[2]:
        problems.append("%s: %s %r, net-snmp says %r before and after"
                        % (o, g[1], g[2], b[2]))
        continue
    nb, ng, na = (number(b[1], x[2]) for x in (b, g, a))
    if None not in (nb, na):
        if ng is None or not min(nb, na) <= ng <= max(nb, na):
            problems.append("%s: %s %r not between %r and %r"
                            % (o, g[1], g[2], b[2], a[2]))
    # a value of another kind (e.g. hrSystemDate) that the agent itself
    # changed between before and after: any value of that type will do.
if problems:
    print("values: %d differ\n%s" % (len(problems), "\n".join(problems[:20])))
else:
    print("ok %d" % len(og))
PY

# attempt NAME NETSNMP-CMD -- SNMPFLEET-ARGS — bracket one snmpfleet walk
# between two net-snmp walks until the agent held still; prints the
# verdict of the last attempt ("ok N" when equal).
attempt() {
	local name=$1 i verdict=
	shift
	local -a ref=() sf=()
	while [ "$1" != -- ]; do ref+=("$1"); shift; done
	shift
	sf=("$@")
	for ((i = 1; i <= ATTEMPTS; i++)); do
		"${ref[@]}" >"$T/$name.before" 2>"$T/$name.before.err"
		"$SNMPFLEET" -q -H "$H" -F text -t 2 -r 2 "${sf[@]}" \
		    >"$T/$name.sf" 2>"$T/$name.sf.err"
		RC=$?
		"${ref[@]}" >"$T/$name.after" 2>"$T/$name.after.err"
		verdict=$(python3 "$T/compare.py" "$T/$name.before" "$T/$name.sf" \
		    "$T/$name.after" "$H" 2>&1)
		case $verdict in
		"ok "*) break ;;
		esac
		echo "# $name: attempt $i: ${verdict%%$'\n'*}" >&2
	done
	ATTEMPT=$i
	VERDICT=$verdict
}

# ------------------------------------------------------------ v2c GETBULK
attempt v2c snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" "$ROOT" -- \
    -w "$ROOT"
is "$RC" 0 "v2c walk of $ROOT: exit 0"
like "$VERDICT" "^ok [0-9]+$" \
    "v2c: the same OIDs in the same order as snmpbulkwalk -On, same types and values (attempt $ATTEMPT)" ||
    diag "$VERDICT"
n=${VERDICT#ok }
ok "$([ "${n:-0}" -gt 1000 ] 2>/dev/null && echo 0 || echo 1)" \
    "v2c: a real walk ($n varbinds, more than 1000)"

# The jsonl of the same walk has as many values, and parses.
"$SNMPFLEET" -q -H "$H" -F jsonl -t 2 -r 2 -w "$ROOT" >"$T/v2c.jsonl" 2>"$T/v2c.jsonl.err"
is "$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
print(r["status"], len(r["values"]) > 1000)' "$T/v2c.jsonl" 2>&1)" "ok True" \
    "jsonl of the same walk: one valid record, status ok, all its values"

# ------------------------------------------------------------- v1 GETNEXT
attempt v1 snmpwalk -On -v1 -c public -t 2 -r 2 "$H" "$ROOT" -- \
    -v 1 -w "$ROOT"
is "$RC" 0 "v1 walk of $ROOT: exit 0"
like "$VERDICT" "^ok [0-9]+$" \
    "v1: the same as snmpwalk -On -v1 (GETNEXT; no Counter64) (attempt $ATTEMPT)" ||
    diag "$VERDICT"
ok "$([ -s "$T/v1.sf" ] && ! grep -q ' = Counter64: ' "$T/v1.sf" && echo 0 || echo 1)" \
    "v1: no Counter64 values (they cannot travel in SNMPv1)"

# ------------------------------------------------ --max-repetitions 1, 100
attempt rep1 snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" "$ROOT" -- \
    --max-repetitions 1 -w "$ROOT"
is "$RC" 0 "--max-repetitions 1: exit 0"
like "$VERDICT" "^ok [0-9]+$" \
    "--max-repetitions 1: the same as snmpbulkwalk -On (attempt $ATTEMPT)" ||
    diag "$VERDICT"
attempt rep100 snmpbulkwalk -On -v2c -c public -t 2 -r 2 "$H" "$ROOT" -- \
    --max-repetitions 100 -w "$ROOT"
is "$RC" 0 "--max-repetitions 100: exit 0"
like "$VERDICT" "^ok [0-9]+$" \
    "--max-repetitions 100: the same as snmpbulkwalk -On (attempt $ATTEMPT)" ||
    diag "$VERDICT"
done_testing
