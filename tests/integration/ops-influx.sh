#!/usr/bin/env bash
# ops-influx.sh — -F influx writes InfluxDB line protocol, read back here
# by a strict parser of our own (the rules of the line-protocol reference):
# measurement snmp with tags host, port and the inventory's tag.NAME
# (commas, equals signs and spaces escaped in tag keys and values), fields
# status and error (strings), rtt_ms (float), retries (integer, "i"), one
# field per value named like sysUpTime.0 (integers with "i", Counter64
# above 2^63-1 with "u", strings quoted with quotes and backslashes
# escaped, control characters as spaces); tables as snmp_<table> lines
# with an index tag and the INDEX objects' tags (ifIndex=); nanosecond
# timestamps within the run (a real InfluxDB: influx-real.sh).
# Values come from a small agent of our own (python3, loopback only) and
# snmpfleet-sim (tables, many hosts).
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpber
start_sim

plan 38

T=$LIB_TMP
SP=$SIM_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"

# Long runs are started in a session of their own (setsid), with SIGINT
# and SIGTERM at their defaults, so that session_no_leftovers (lib.sh)
# can check that nothing of them is left.
launch_init --default-signals

# ------------------------------------------------------------ the agent
cat >"$T/agent.py" <<'PY'
# GET only, v1/v2c; fixed values (the codec: snmpber.py); genErr for one OID.
import os, struct, sys
from snmpber import (GET, NO_SUCH_OBJECT, NULL, bind, enc_int, enc_len,
                     enc_oid_body, oid, response, serve, tlv)

def opaque(tag2, body):
    return tlv(0x44, bytes([0x9f, tag2]) + enc_len(len(body)) + body)

QUOTED = 'say "hi", \\ back\\slash\nnext\tline a=b,c d'
ENDS_BS = 'ends with a backslash\\'
P = "1.3.6.1.4.1.99999.1.%d.0"
VALUES = {
    "1.3.6.1.2.1.1.1.0": tlv(0x04, QUOTED.encode()),
    "1.3.6.1.2.1.1.4.0": tlv(0x04, ENDS_BS.encode()),
    "1.3.6.1.2.1.1.3.0": enc_int(0x43, 12345),
    "1.3.6.1.2.1.1.7.0": enc_int(0x02, -2147483648),
    "1.3.6.1.2.1.1.2.0": tlv(0x06, enc_oid_body(oid("1.3.6.1.4.1.8072.3.2.10"))),
    P % 1: enc_int(0x46, (1 << 64) - 1),
    P % 2: enc_int(0x46, (1 << 63) - 1),
    P % 3: enc_int(0x46, 1 << 63),
    P % 4: enc_int(0x41, 4294967295),
    P % 5: enc_int(0x42, 7),
    P % 6: tlv(0x40, bytes([192, 0, 2, 1])),
    P % 7: opaque(0x78, struct.pack(">f", 1.5)),
    P % 8: opaque(0x78, struct.pack(">f", 2.0)),
    P % 9: opaque(0x7b, ((1 << 64) - 1).to_bytes(9, "big")),
    P % 10: opaque(0x7a, (-5).to_bytes(1, "big", signed=True)),
    P % 11: tlv(0x04, b""),
    P % 12: enc_int(0x46, 0),
    P % 13: opaque(0x79, struct.pack(">d", 1e20)),
}
VALUES = {oid(k): v for k, v in VALUES.items()}
GENERR = oid("1.3.6.1.4.1.99999.9.0")

def handle(req, peer):
    ver, comm, ptag, rid, _, _, oids = req
    if ptag != GET:
        return None
    if GENERR in oids:
        return response(ver, comm, rid, [(o, NULL) for o in oids], 5,
                        oids.index(GENERR) + 1)
    return response(ver, comm, rid,
                    [(o, VALUES.get(o, NO_SUCH_OBJECT)) for o in oids])

if __name__ == "__main__":
    s = bind(0)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    serve(s, handle)
PY
python3 "$T/agent.py" "$T/agent.port" </dev/null >"$T/agent.log" 2>&1 &
track_pid $!
wait_ready "$T/agent.port" "the test agent" "$T/agent.log"
AP=$(cat "$T/agent.port")

# ----------------------------------------------------------- the parser
# lp.py FILE [START_ISO DURATION_S] — parse every line of FILE strictly;
# print one JSON object per line: {"m":..,"tags":[[k,v]..],"fields":
# {k:[type,value]},"ts":N}, or "BAD line N: why" and exit 1.  With the
# run's start and duration (from --stats-file), also check that every
# timestamp is in nanoseconds and within the run.
cat >"$T/lp.py" <<'PY'
import json, re, sys
from datetime import datetime, timezone

class Bad(Exception):
    pass

def unescape_until(s, i, specials, stops):
    """Read an element up to an unescaped char of stops.  A backslash
    before one of specials or before a backslash escapes it; before
    anything else it is a literal backslash (the reference's rule)."""
    out = []
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and (s[i + 1] in specials or s[i + 1] == "\\"):
            out.append(s[i + 1])
            i += 2
            continue
        if c in stops:
            break
        if c in specials:
            raise Bad("unescaped %r at %d" % (c, i))
        out.append(c)
        i += 1
    return "".join(out), i

INT = re.compile(r"-?[0-9]+i")
UINT = re.compile(r"[0-9]+u")
FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BOOL = re.compile(r"t|T|true|True|TRUE|f|F|false|False|FALSE")

def field_value(s, i):
    if s[i] == '"':
        out, i = [], i + 1
        while True:
            if i >= len(s):
                raise Bad("unterminated string field")
            c = s[i]
            if c == "\\" and i + 1 < len(s) and s[i + 1] in '"\\':
                out.append(s[i + 1])
                i += 2
            elif c == "\\":
                raise Bad("lone backslash in a string field at %d" % i)
            elif c == '"':
                return ["str", "".join(out)], i + 1
            else:
                out.append(c)
                i += 1
    j = i
    while j < len(s) and s[j] not in ", ":
        j += 1
    tok = s[i:j]
    if INT.fullmatch(tok):
        v = int(tok[:-1])
        if not -(1 << 63) <= v < (1 << 63):
            raise Bad("integer out of range: %s" % tok)
        return ["int", v], j
    if UINT.fullmatch(tok):
        v = int(tok[:-1])
        if not 0 <= v < (1 << 64):
            raise Bad("unsigned out of range: %s" % tok)
        return ["uint", v], j
    if FLOAT.fullmatch(tok):
        return ["float", float(tok)], j
    if BOOL.fullmatch(tok):
        return ["bool", tok[0] in "tT"], j
    raise Bad("bad field value %r" % tok)

def parse(line):
    if any(ord(c) < 0x20 or c == "\x7f" for c in line):
        raise Bad("control character in the line")
    if line.startswith("#") or line.strip() == "":
        raise Bad("not a point")
    m, i = unescape_until(line, 0, ", ", ", ")
    if m == "" or m.startswith("_"):
        raise Bad("bad measurement %r" % m)
    tags = []
    while line[i] == ",":
        k, i = unescape_until(line, i + 1, ",= ", "=, ")
        if line[i:i + 1] != "=" or k == "":
            raise Bad("bad tag key %r" % k)
        v, i = unescape_until(line, i + 1, ",= ", ", ")
        if v == "":
            raise Bad("empty tag value for %r" % k)
        tags.append([k, v])
    if len({k for k, _ in tags}) != len(tags):
        raise Bad("a tag key twice")
    if line[i:i + 1] != " ":
        raise Bad("expected a space before the fields at %d" % i)
    i += 1
    fields = {}
    while True:
        k, i = unescape_until(line, i, ",= ", "=, ")
        if line[i:i + 1] != "=" or k == "":
            raise Bad("bad field key %r at %d" % (k, i))
        v, i = field_value(line, i + 1)
        if k in fields:
            raise Bad("field %r twice" % k)
        fields[k] = v
        if line[i:i + 1] == ",":
            i += 1
            continue
        break
    if line[i:i + 1] != " ":
        raise Bad("expected a space before the timestamp at %d" % i)
    ts = line[i + 1:]
    if not re.fullmatch(r"-?[0-9]+", ts):
        raise Bad("bad timestamp %r" % ts)
    return {"m": m, "tags": tags, "fields": fields, "ts": int(ts)}

text = open(sys.argv[1], encoding="utf-8").read()
if text and not text.endswith("\n"):
    print("BAD the last line is not whole")
    sys.exit(1)
lo = hi = None
if len(sys.argv) > 3:
    st = datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc)
    lo = int(st.timestamp() * 1000) * 1000000          # ms resolution
    hi = lo + int((float(sys.argv[3]) + 0.005) * 1e9)
out = []
for n, line in enumerate(text.split("\n")[:-1], 1):
    try:
        p = parse(line)
        if lo is not None and not lo <= p["ts"] <= hi:
            raise Bad("timestamp %d is not within the run [%d, %d]" % (p["ts"], lo, hi))
    except (Bad, IndexError) as e:
        print("BAD line %d: %s: %r" % (n, e, line[:300]))
        sys.exit(1)
    out.append(json.dumps(p))
print("\n".join(out))
PY

# lp FILE STATS — parse FILE into $T/parsed (one JSON object per line),
# checking timestamps against the run in STATS; prints the first problem.
lp() {
	local start dur
	start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start"])' "$2")
	dur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_s"])' "$2")
	python3 "$T/lp.py" "$1" "$start" "$dur" >"$T/parsed" || {
		cat "$T/parsed"
		return 1
	}
}

# q EXPR — evaluate a python expression over L (the parsed lines).
q() {
	python3 -c 'import json, sys
L = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def tags(p): return dict(p["tags"])
def f(p, k): return p["fields"].get(k)
print(eval(sys.argv[2]))' "$T/parsed" "$1"
}

# --------------------------------------------- values, exact and typed
OIDS=(sysDescr.0 sysContact.0 sysUpTime.0 sysServices.0 sysObjectID.0)
for i in 1 2 3 4 5 6 7 10 11 12 99; do
	OIDS+=("1.3.6.1.4.1.99999.1.$i.0")
done
echo "127.0.0.1:$AP tag.site=par,is=1 tag.a,b=c=d tag.note=back\\slash tag.empty=" \
    >"$T/agent-inventory"
"$SNMPFLEET" -i "$T/agent-inventory" -F influx -o "$T/values.lp" \
    --stats-file "$T/values.json" "${OIDS[@]}" </dev/null >"$T/values.out" 2>"$T/values.err"
is "$?" 0 "a run against the agent exits 0"
diag "$(cat "$T/values.lp")"
R=$(lp "$T/values.lp" "$T/values.json")
is "$R" "" "the line parses by the line-protocol rules, with a timestamp (ns) within the run"
is "$(q 'len(L), L[0]["m"]')" "(1, 'snmp')" "one line, measurement snmp"
is "$(q 'L[0]["tags"]')" \
    "[['host', '127.0.0.1'], ['port', '$AP'], ['site', 'par,is=1'], ['a,b', 'c=d'], ['note', 'back\\\\slash']]" \
    "tags host, port and the inventory's tags read back exactly (commas and equals signs escaped; the empty one left out)"
like "$(head -n 1 "$T/values.lp")" "^snmp,host=127\\.0\\.0\\.1,port=$AP,site=par\\\\,is\\\\=1,a\\\\,b=c\\\\=d,note=back\\\\\\\\slash " \
    "as written: site=par\\,is\\=1,a\\,b=c\\=d,note=back\\\\slash"
is "$(q 'sorted(L[0]["fields"])')" \
    "['1.3.6.1.4.1.99999.1.1.0', '1.3.6.1.4.1.99999.1.10.0', '1.3.6.1.4.1.99999.1.11.0', '1.3.6.1.4.1.99999.1.12.0', '1.3.6.1.4.1.99999.1.2.0', '1.3.6.1.4.1.99999.1.3.0', '1.3.6.1.4.1.99999.1.4.0', '1.3.6.1.4.1.99999.1.5.0', '1.3.6.1.4.1.99999.1.6.0', '1.3.6.1.4.1.99999.1.7.0', 'retries', 'rtt_ms', 'status', 'sysContact.0', 'sysDescr.0', 'sysObjectID.0', 'sysServices.0', 'sysUpTime.0']" \
    "one field per value (named like sysUpTime.0, or the numeric OID), noSuchObject left out, plus status, rtt_ms, retries"
is "$(q 'f(L[0], "status"), f(L[0], "retries"), f(L[0], "rtt_ms")[0]')" \
    "(['str', 'ok'], ['int', 0], 'float')" "status is a string, retries an integer (i), rtt_ms a float"
is "$(q 'f(L[0], "sysDescr.0")[1] == "say \"hi\", \\ back\\slash next line a=b,c d"')" True \
    "a string with quotes, backslashes, a newline and a tab: quotes and backslashes escaped, control characters as spaces"
is "$(q 'f(L[0], "sysContact.0")')" "['str', 'ends with a backslash\\\\']" \
    "a string ending in a backslash reads back exactly"
is "$(q 'f(L[0], "sysUpTime.0"), f(L[0], "sysServices.0"), f(L[0], "1.3.6.1.4.1.99999.1.4.0"), f(L[0], "1.3.6.1.4.1.99999.1.5.0"), f(L[0], "1.3.6.1.4.1.99999.1.10.0")')" \
    "(['int', 12345], ['int', -2147483648], ['int', 4294967295], ['int', 7], ['int', -5])" \
    "TimeTicks, INTEGER, Counter32, Gauge32, Integer64: integers with i"
is "$(q 'f(L[0], "1.3.6.1.4.1.99999.1.2.0"), f(L[0], "1.3.6.1.4.1.99999.1.3.0"), f(L[0], "1.3.6.1.4.1.99999.1.1.0"), f(L[0], "1.3.6.1.4.1.99999.1.12.0")')" \
    "(['int', 9223372036854775807], ['uint', 9223372036854775808], ['uint', 18446744073709551615], ['int', 0])" \
    "Counter64: up to 2^63-1 with i, above it with u"
is "$(q 'f(L[0], "sysObjectID.0"), f(L[0], "1.3.6.1.4.1.99999.1.6.0"), f(L[0], "1.3.6.1.4.1.99999.1.11.0")')" \
    "(['str', '1.3.6.1.4.1.8072.3.2.10'], ['str', '192.0.2.1'], ['str', ''])" \
    "OID, IpAddress and the empty string are quoted strings"
is "$(q 'f(L[0], "1.3.6.1.4.1.99999.1.7.0")')" "['float', 1.5]" "Opaque Float 1.5 is a float"

# Values once gotten wrong: one record each, so that the rest above is
# checked whatever happens to them.
"$SNMPFLEET" -H "127.0.0.1:$AP" -F influx -o "$T/float.lp" --stats-file "$T/float.json" \
    1.3.6.1.4.1.99999.1.7.0 1.3.6.1.4.1.99999.1.8.0 1.3.6.1.4.1.99999.1.13.0 \
    </dev/null >/dev/null 2>&1
R=$(lp "$T/float.lp" "$T/float.json") &&
    R=$(q 'f(L[0], "1.3.6.1.4.1.99999.1.8.0"), f(L[0], "1.3.6.1.4.1.99999.1.13.0")')
is "$R" "(['float', 2.0], ['float', 1e+20])" \
    "Opaque Float 2.0 and Double 1e20 stay floats (no i), the same field type as 1.5"
"$SNMPFLEET" -H "127.0.0.1:$AP" -F influx -o "$T/u64.lp" --stats-file "$T/u64.json" \
    1.3.6.1.4.1.99999.1.9.0 </dev/null >/dev/null 2>&1
R=$(lp "$T/u64.lp" "$T/u64.json") && R=$(q 'f(L[0], "1.3.6.1.4.1.99999.1.9.0")')
is "$R" "['uint', 18446744073709551615]" "Opaque Unsigned64 2^64-1 is written with u"
printf '%s\n' "127.0.0.1:$AP tag.path=C:\\dir\\ tag.two=a\\\\b" >"$T/bs-inventory"
"$SNMPFLEET" -i "$T/bs-inventory" -F influx -o "$T/bs.lp" --stats-file "$T/bs.json" \
    sysUpTime.0 </dev/null >/dev/null 2>&1
R=$(lp "$T/bs.lp" "$T/bs.json") && R=$(q 'tags(L[0])["path"], tags(L[0])["two"]')
is "$R" "('C:\\\\dir\\\\', 'a\\\\\\\\b')" \
    "tag values with backslashes (one at the end, two in a row) read back exactly"

# ------------------------------------------------ error and timeout
"$SNMPFLEET" -H "127.0.0.1:$AP" -H "127.0.0.1:$DEAD" -t 0.2 -r 1 -F influx \
    -o "$T/fail.lp" --stats-file "$T/fail.json" sysName.0 1.3.6.1.4.1.99999.9.0 \
    </dev/null >/dev/null 2>"$T/fail.err"
is "$?" 1 "a run with an error and a timeout exits 1"
R=$(lp "$T/fail.lp" "$T/fail.json")
is "$R" "" "the error and timeout lines parse, timestamps within the run"
is "$(q 'sorted((tags(p)["port"], f(p, "status")[1]) for p in L)')" \
    "[('$AP', 'error'), ('$DEAD', 'timeout')]" "statuses error and timeout"
like "$(q '[f(p, "error") for p in L if f(p, "status")[1] == "error"][0]')" \
    "^\\['str', '.*genErr.*'\\]\$" "the error line has an error string field naming the failure"
is "$(q '[(f(p, "retries"), "rtt_ms" in p["fields"], "error" in p["fields"]) for p in L if f(p, "status")[1] == "timeout"][0]')" \
    "(['int', 1], False, False)" "the timeout line: retries=1i, no rtt_ms, no error"

# ---------------------------------------------- tables and many hosts
make_hosts 200 | awk -v p="$SP" '{ printf "%s:%s tag.rack=r%d,x tag.dc=lab\n", $1, p, NR % 5 }' \
    >"$T/sim-inventory"
"$SNMPFLEET" -i "$T/sim-inventory" -P 2 -F influx -o "$T/sim.lp" \
    --stats-file "$T/sim.json" -T ifTable sysUpTime.0 sysName.0 </dev/null >/dev/null 2>"$T/sim.err"
is "$?" 0 "-P 2, 200 sim targets with a table: exit 0"
R=$(lp "$T/sim.lp" "$T/sim.json")
is "$R" "" "every line parses, timestamps (ns) within the run"
is "$(q 'sum(1 for p in L if p["m"] == "snmp"), len({tags(p)["host"] for p in L if p["m"] == "snmp"})')" \
    "(200, 200)" "one snmp line per target"
is "$(q 'sum(1 for p in L if p["m"] == "snmp_ifTable")')" 800 "one snmp_ifTable line per row (4 rows x 200)"
is "$(q 'sorted({tags(p)["index"] for p in L if p["m"] == "snmp_ifTable"})')" "['1', '2', '3', '4']" \
    "table lines have an index tag"
is "$(q 'all([k for k, _ in p["tags"]][:2] == ["host", "port"] and tags(p)["dc"] == "lab" and tags(p)["rack"].endswith(",x") for p in L)')" \
    True "table lines carry the target's tags too (host, port, inventory tags)"
is "$(q 'sorted({(k, v[0]) for p in L if p["m"] == "snmp_ifTable" for k, v in p["fields"].items() if k in ("ifIndex", "ifDescr", "ifInOctets", "ifPhysAddress", "ifSpeed")})')" \
    "[('ifDescr', 'str'), ('ifInOctets', 'int'), ('ifPhysAddress', 'str'), ('ifSpeed', 'int')]" \
    "table columns are fields named by column, typed (integers with i, strings quoted); ifIndex, the INDEX, is a tag"
is "$(q 'all(tags(p)["ifIndex"] == tags(p)["index"] for p in L if p["m"] == "snmp_ifTable")')" True \
    "table lines have the index decoded by the MIB's INDEX as a tag named after it (ifIndex)"
is "$(q 'all(any(r["ts"] == p["ts"] and tags(r)["host"] == tags(p)["host"] for r in L if r["m"] == "snmp") for p in L if p["m"] != "snmp")')" \
    True "a table line has its target's snmp line's timestamp"
is "$(q 'sorted({tuple(sorted(p["fields"])) for p in L if p["m"] == "snmp"})')" \
    "[('retries', 'rtt_ms', 'status', 'sysName.0', 'sysUpTime.0')]" "snmp lines: status, rtt_ms, retries and the GET values"

# ------------------------------------------------------ deadline lines
printf '%s\n' "127.0.0.1:$AP" "127.0.0.2:$DEAD" "127.0.0.3:$DEAD" >"$T/dl-inventory"
"$SNMPFLEET" -i "$T/dl-inventory" -t 30 -r 0 --deadline 1 -F influx -o "$T/dl.lp" \
    --stats-file "$T/dl.json" sysUpTime.0 </dev/null >/dev/null 2>&1
is "$?" 4 "--deadline: exit 4"
R=$(lp "$T/dl.lp" "$T/dl.json")
is "$R" "" "deadline lines parse, timestamps within the run"
is "$(q 'sorted(f(p, "status")[1] for p in L)')" "['deadline', 'deadline', 'ok']" 'status="deadline" for the unfinished targets'

# The parent writes the deadline lines of a worker it had to kill (a
# stopped worker overruns the deadline by the 2 s grace).
make_hosts 30 | sed "s/\$/:$DEAD/" >"$T/stop-inventory"
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/stop-inventory" -P 2 -j 4 -t 30 -r 0 --deadline 1 -F influx \
    -o "$T/stop.lp" --stats-file "$T/stop.json" sysUpTime.0 </dev/null >/dev/null 2>"$T/stop.err" &
PID=$!
track_pid "$PID"
for ((i = 0; i < 100; i++)); do
	[ "$(pgrep -P "$PID" | wc -l)" -ge 2 ] && break
	sleep 0.05
done
W=$(pgrep -P "$PID" | head -n 1)
[ -n "$W" ] && kill -STOP "$W"
wait "$PID"
is "$?" 4 "a stopped worker past the deadline: exit 4"
session_no_leftovers "$PID" "a stopped worker past the deadline: nothing of the run is left"
R=$(lp "$T/stop.lp" "$T/stop.json") && R=$(q 'len(L), sorted({f(p, "status")[1] for p in L})')
is "$R" "(30, ['deadline'])" \
    "the deadline lines the parent writes for a killed worker parse, with timestamps within the run"

# ------------------------------------------------- -F influx to stdout
"$SNMPFLEET" -H "127.0.0.1:$AP" -F influx sysUpTime.0 </dev/null >"$T/stdout.lp" 2>/dev/null
# (no stats file: check the format only)
python3 "$T/lp.py" "$T/stdout.lp" >"$T/parsed"
is "$?" 0 "to standard output: the same format"

done_testing
