#!/usr/bin/env bash
# value-types.sh — every SNMP value type comes out exact and valid: a
# small agent of our own (python3, BER encoded by hand, loopback only)
# serves INTEGER extremes, printable / binary / invalid-UTF-8 / quoted /
# multi-line OCTET STRINGs, OIDs, IpAddress, Counter32, Gauge32,
# TimeTicks, Opaque (raw bytes, Float, Double, Integer64, Unsigned64),
# Counter64 (2^64-1 and 2^53+1), NULL, noSuchInstance and noSuchObject,
# and a small table.  jsonl values are compared exactly with the intended
# Python values (Python ints are exact), text with snmpget -On and
# snmpbulkwalk -On of the same agent, and csv is read back with python's
# csv module.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_snmpber

plan 32

T=$LIB_TMP
AGENT=$T/agent.py

cat >"$AGENT" <<'PY'
# ---- an agent answering GET, GETNEXT and GETBULK with any value bytes we
# choose (the codec: snmpber.py).
import bisect, struct, sys
from snmpber import (END_OF_MIB, GET, GETBULK, GETNEXT, NO_SUCH_INSTANCE,
                     NO_SUCH_OBJECT, NULL, answer, bind, enc_int, enc_len,
                     enc_oid_body, mark_ready, oid, response, serve, tlv)

# ---- the values: (OID, encoded value, type name, Python value, hex?)
def opaque(tag2, body):
    return tlv(0x44, bytes([0x9f, tag2]) + enc_len(len(body)) + body)

def opaque_int(tag2, v, signed):
    n = 1
    while not (-(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)) if signed
               else v < (1 << (8 * n - 1))):
        n += 1
    return opaque(tag2, v.to_bytes(n, "big", signed=True))

def hexof(b):
    return ":".join("%02x" % x for x in b)

S = "1.3.6.1.4.1.99999.1.%d.0"
QUOTED = 'say "hi", \\ back\\slash\nnext line\ttab'
BINARY = bytes([0, 1, 0xff, 0xfe])
BADUTF8 = b"abc\xc3\x28"
ALLBYTES = bytes(range(256))
U64MAX = 18446744073709551615
BIG53 = 9007199254740993          # 2^53 + 1: a double cannot hold it
SCALARS = [
    (S % 1, enc_int(0x02, 0), "INTEGER", 0, False),
    (S % 2, enc_int(0x02, -2147483648), "INTEGER", -2147483648, False),
    (S % 3, enc_int(0x02, 2147483647), "INTEGER", 2147483647, False),
    (S % 4, enc_int(0x02, -1), "INTEGER", -1, False),
    (S % 5, tlv(0x04, b"hello world"), "STRING", "hello world", False),
    (S % 6, tlv(0x04, QUOTED.encode()), "STRING", QUOTED, False),
    (S % 7, tlv(0x04, BINARY), "STRING", hexof(BINARY), True),
    (S % 8, tlv(0x04, BADUTF8), "STRING", hexof(BADUTF8), True),
    (S % 9, tlv(0x04, "grüße ✓".encode()), "STRING", "grüße ✓", False),
    (S % 10, tlv(0x04, b""), "STRING", "", False),
    (S % 11, tlv(0x04, b"\x00"), "STRING", "00", True),
    (S % 12, tlv(0x04, ALLBYTES), "STRING", hexof(ALLBYTES), True),
    (S % 13, tlv(0x04, b"x" * 1000), "STRING", "x" * 1000, False),
    (S % 14, tlv(0x04, b"del\x7f"), "STRING", hexof(b"del\x7f"), True),
    (S % 15, tlv(0x06, enc_oid_body(oid("1.3.6.1.4.1.8072.3.2.10"))),
     "OID", "1.3.6.1.4.1.8072.3.2.10", False),
    (S % 16, tlv(0x06, enc_oid_body((1, 3, 6, 1, 4294967295, 0))),
     "OID", "1.3.6.1.4294967295.0", False),
    (S % 17, tlv(0x40, bytes([192, 0, 2, 254])), "IpAddress",
     "192.0.2.254", False),
    (S % 18, enc_int(0x41, 4294967295), "Counter32", 4294967295, False),
    (S % 19, enc_int(0x41, 0), "Counter32", 0, False),
    (S % 20, enc_int(0x42, 4294967295), "Gauge32", 4294967295, False),
    (S % 21, enc_int(0x43, 4294967295), "TimeTicks", 4294967295, False),
    (S % 22, enc_int(0x43, 12345), "TimeTicks", 12345, False),
    (S % 23, tlv(0x44, b"\x01\x02\xff"), "Opaque", "01:02:ff", True),
    (S % 24, enc_int(0x46, U64MAX), "Counter64", U64MAX, False),
    (S % 25, enc_int(0x46, BIG53), "Counter64", BIG53, False),
    (S % 26, enc_int(0x46, 0), "Counter64", 0, False),
    (S % 27, NULL, "NULL", None, False),
    (S % 28, opaque(0x78, struct.pack(">f", 1.5)), "Float", 1.5, False),
    (S % 29, opaque(0x79, struct.pack(">d", -0.25)), "Double", -0.25, False),
    (S % 30, opaque_int(0x7a, -5, True), "Integer64", -5, False),
    (S % 31, opaque_int(0x7b, U64MAX, False), "Unsigned64", U64MAX, False),
]
# Only for GET (an agent never walks into these):
EXCEPTIONS = [
    (S % 40, NO_SUCH_INSTANCE, "noSuchInstance", None, False),
    (S % 41, NO_SUCH_OBJECT, "noSuchObject", None, False),
]
# Not finite: no JSON number can say them.
NONFINITE = [
    (S % 50, opaque(0x78, struct.pack(">f", float("nan"))), "Float"),
    (S % 51, opaque(0x79, struct.pack(">d", float("inf"))), "Double"),
    (S % 52, opaque(0x79, struct.pack(">d", float("-inf"))), "Double"),
]
# A table 1.3.6.1.4.1.99999.2.1.COL.INDEX (no names known for it):
# column 2 bytes, 3 Counter64, 4 text; indexes 1, 2 and 10.0.0.1.
TB = "1.3.6.1.4.1.99999.2.1.%d.%s"
TABLE_ROWS = [
    ("1", [(2, tlv(0x04, BINARY), {"hex": hexof(BINARY)}),
           (3, enc_int(0x46, U64MAX), U64MAX),
           (4, tlv(0x04, QUOTED.encode()), QUOTED)]),
    ("2", [(2, tlv(0x04, b"eth0"), "eth0"),
           (3, enc_int(0x46, BIG53), BIG53),
           (4, tlv(0x04, b""), "")]),
    ("10.0.0.1", [(2, tlv(0x04, BADUTF8), {"hex": hexof(BADUTF8)}),
                  (3, enc_int(0x46, 0), 0),
                  (4, tlv(0x04, "grüße".encode()), "grüße")]),
]
TABLE = [(TB % (c, idx), enc, val) for idx, cells in TABLE_ROWS
         for c, enc, val in cells]
# Something after our subtrees, so that walks end by leaving them.
AFTER = [("1.3.6.1.4.1.100000.1.0", enc_int(0x02, 1))]

WALKABLE = {oid(o): e for o, e, *_ in SCALARS + TABLE + AFTER}
GETTABLE = dict(WALKABLE)
GETTABLE.update({oid(o): e for o, e, *_ in EXCEPTIONS + NONFINITE})
KEYS = sorted(WALKABLE)

def nxt(o):
    i = bisect.bisect_right(KEYS, o)
    if i < len(KEYS):
        return KEYS[i], WALKABLE[KEYS[i]]
    return o, END_OF_MIB

def handle(req, peer):
    ver, comm, ptag, rid, a, b, oids = req
    if ptag in (GET, GETNEXT, GETBULK):
        return response(ver, comm, rid,
                        answer(ptag, a, b, oids, GETTABLE, nxt))
    return None

if __name__ == "__main__":
    s = bind(int(sys.argv[1]))
    mark_ready(sys.argv[2])
    serve(s, handle)
PY

# check.py MODE FILE — compare snmpfleet's output with the agent's values;
# prints "ok" or what differs.
cat >"$T/check.py" <<'PY'
import csv, importlib.util, io, json, sys

spec = importlib.util.spec_from_file_location("agent", sys.argv[3])
agent = importlib.util.module_from_spec(spec)
spec.loader.exec_module(agent)
mode, path = sys.argv[1], sys.argv[2]

def strict(s):
    # No NaN/Infinity extensions: what any JSON parser accepts.
    def bad(c):
        raise ValueError("not JSON: %s" % c)
    return json.loads(s, parse_constant=bad)

def same(got, want):
    """Equal, and of the same JSON type (1 is not 1.0, nor True)."""
    return type(got) is type(want) and got == want

problems = []
def expect_values(values, rows):
    if len(values) != len(rows):
        problems.append("%d values, expected %d" % (len(values), len(rows)))
    for v, (o, _, typ, val, hexed) in zip(values, rows):
        want = {"oid": o, "type": typ, "value": val}
        if hexed:
            want["encoding"] = "hex"
        got = {k: v.get(k) for k in ("oid", "type", "value", "encoding")
               if k in v}
        if set(got) != set(want) or not all(same(got[k], want[k])
                                             for k in want):
            problems.append("%s: got %r, expected %r" % (o, got, want))
        if "name" not in v:
            problems.append("%s: no name member" % o)

with open(path, encoding="utf-8", newline="") as f:
    data = f.read()

if mode in ("get", "walk", "nonfinite", "table"):
    lines = data.splitlines()
    if len(lines) != 1 or not data.endswith("\n"):
        problems.append("%d lines, expected one record" % len(lines))
    try:
        rec = strict(lines[0])
    except (ValueError, IndexError) as e:
        print("invalid JSON: %s: %r" % (e, data[:300]))
        sys.exit(0)
    if rec.get("status") != "ok":
        problems.append("status %r" % rec.get("status"))
    if mode == "get":
        expect_values(rec["values"], agent.SCALARS + agent.EXCEPTIONS)
    elif mode == "walk":
        expect_values(rec["values"], agent.SCALARS)
    elif mode == "nonfinite":
        for v, (o, _, typ) in zip(rec["values"], agent.NONFINITE):
            if v.get("oid") != o or v.get("type") != typ:
                problems.append("%s: got %r" % (o, v))
            if v.get("value") is not None and not isinstance(v["value"], str):
                problems.append("%s: value %r is neither null nor a string"
                                % (o, v["value"]))
    elif mode == "table":
        tables = rec.get("tables") or {}
        if list(tables) != ["1.3.6.1.4.1.99999.2"]:
            problems.append("table names %r" % list(tables))
        rows = next(iter(tables.values()), [])
        want = [dict([("index", idx)] + [(str(c), val) for c, _, val in cells])
                for idx, cells in agent.TABLE_ROWS]
        if len(rows) != len(want):
            problems.append("%d rows, expected %d" % (len(rows), len(want)))
        for g, w in zip(rows, want):
            if list(g) != list(w) or not all(same(g[k], w[k]) for k in w):
                problems.append("row %r, expected %r" % (g, w))
elif mode == "csv":
    rows = list(csv.reader(io.StringIO(data, newline="")))
    header = ["host", "port", "oid", "name", "type", "value", "status",
              "rtt_ms", "display"]
    if not rows or rows[0] != header:
        problems.append("header %r" % (rows[:1],))
    body = rows[1:]
    want = agent.SCALARS + agent.EXCEPTIONS
    if len(body) != len(want):
        problems.append("%d rows, expected %d" % (len(body), len(want)))
    for r, (o, _, typ, val, hexed) in zip(body, want):
        wv = "" if val is None else str(val)
        if len(r) != 9 or r[2] != o or r[4] != typ or r[5] != wv or \
                r[6] != "ok":
            problems.append("row %r, expected oid %s type %s value %r"
                            % (r, o, typ, wv))
print("ok" if not problems else "\n".join(problems[:12]))
PY

check() {
	python3 "$T/check.py" "$1" "$2" "$AGENT"
}

PORT=$(free_udp_port) || bail_out "no free UDP port"
python3 "$AGENT" "$PORT" "$T/agent.ready" 2>"$T/agent.err" &
track_pid $!
wait_ready "$T/agent.ready" "the test agent" "$T/agent.err"
H=127.0.0.1:$PORT

oids() {
	python3 - "$AGENT" "$1" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("agent", sys.argv[1])
agent = importlib.util.module_from_spec(spec)
spec.loader.exec_module(agent)
rows = {"get": agent.SCALARS + agent.EXCEPTIONS,
        "nonfinite": agent.NONFINITE}[sys.argv[2]]
print(" ".join(r[0] for r in rows))
PY
}
read -r -a GET_OIDS <<<"$(oids get)"
read -r -a NONFINITE_OIDS <<<"$(oids nonfinite)"
[ "${#GET_OIDS[@]}" -gt 30 ] || bail_out "cannot list the agent's OIDs"

SF=("$SNMPFLEET" -H "$H" -t 2 -r 1 -q)

# ------------------------------------------------------------- jsonl GET
"${SF[@]}" -F jsonl "${GET_OIDS[@]}" >"$T/get.jsonl" 2>"$T/get.err"
is "$?" 0 "jsonl GET of every type: exit 0"
check_json() { jsonl_check "$1" 2>"$T/jsonl-check.err"; }
check_json "$T/get.jsonl"
ok $? "jsonl GET: valid JSON" || diag "$(cat "$T/jsonl-check.err")"
is "$(check get "$T/get.jsonl")" ok \
    "jsonl GET: every value exact, typed, hex only for bytes that are not text"

# A few of those, spelled out, so that a failure above says which.
field() {	# field FILE OID -> the value member's JSON text for OID
	python3 -c '
import json, sys
for v in json.loads(open(sys.argv[1]).readline())["values"]:
    if v["oid"] == sys.argv[2]:
        print(json.dumps([v["type"], v["value"], v.get("encoding")]))' "$1" "$2"
}
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.24.0)" \
    '["Counter64", 18446744073709551615, null]' "Counter64 2^64-1 exact"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.25.0)" \
    '["Counter64", 9007199254740993, null]' "Counter64 2^53+1 exact (no double rounding)"
is "$(grep -c '"value":9007199254740993[,}]' "$T/get.jsonl")" 1 \
    "Counter64 2^53+1 written as the exact digits"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.7.0)" \
    '["STRING", "00:01:ff:fe", "hex"]' "binary OCTET STRING with NUL and 0xff as hex"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.8.0)" \
    '["STRING", "61:62:63:c3:28", "hex"]' "invalid UTF-8 as hex"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.6.0)" \
    '["STRING", "say \"hi\", \\ back\\slash\nnext line\ttab", null]' \
    "quotes, backslashes, newline and tab survive as a JSON string"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.9.0)" \
    '["STRING", "gr\u00fc\u00dfe \u2713", null]' "UTF-8 text stays text"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.21.0)" \
    '["TimeTicks", 4294967295, null]' "TimeTicks as hundredths"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.17.0)" \
    '["IpAddress", "192.0.2.254", null]' "IpAddress dotted"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.15.0)" \
    '["OID", "1.3.6.1.4.1.8072.3.2.10", null]' "OID value as a string"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.27.0)" \
    '["NULL", null, null]' "NULL is null"
is "$(field "$T/get.jsonl" 1.3.6.1.4.1.99999.1.40.0)" \
    '["noSuchInstance", null, null]' "noSuchInstance: its type, value null"

# ------------------------------------------------- not finite Float/Double
"${SF[@]}" -F jsonl "${NONFINITE_OIDS[@]}" >"$T/nonfinite.jsonl" 2>"$T/nonfinite.err"
is "$?" 0 "jsonl GET of NaN/Inf Float and Double: exit 0"
check_json "$T/nonfinite.jsonl"
ok $? "NaN and Infinity still give valid JSON" ||
    diag "$(cat "$T/jsonl-check.err")" "$(head -c 600 "$T/nonfinite.jsonl")"
is "$(check nonfinite "$T/nonfinite.jsonl")" ok \
    "NaN/Inf values are null or strings, with their types"

# ----------------------------------------------------------- text GET
"${SF[@]}" -F text "${GET_OIDS[@]}" >"$T/get.txt" 2>"$T/get-text.err"
is "$?" 0 "text GET: exit 0"
snmpget -On -v2c -c public -t 2 -r 1 "$H" "${GET_OIDS[@]}" >"$T/snmpget.txt" 2>&1
# Only the first line of a value carries the host (multi-line values
# continue as snmpget prints them).
sed "s/^$H //" "$T/get.txt" >"$T/get-nohost.txt"
is_file "$T/get-nohost.txt" "$T/snmpget.txt" \
    "text GET equals snmpget -On (multi-line strings, hex, Opaque, exceptions)"
is "$(grep -c "^$H " "$T/get.txt")" "${#GET_OIDS[@]}" \
    "text GET: one host-prefixed line per OID"

# ------------------------------------------------------------ csv GET
"${SF[@]}" -F csv "${GET_OIDS[@]}" >"$T/get.csv" 2>"$T/get-csv.err"
is "$?" 0 "csv GET: exit 0"
is "$(check csv "$T/get.csv")" ok \
    "csv parses with python's csv module; every value exact"

# ----------------------------------------------------------------- walks
"${SF[@]}" -F jsonl -w 1.3.6.1.4.1.99999.1 >"$T/walk.jsonl" 2>"$T/walk.err"
is "$?" 0 "jsonl walk of every type: exit 0"
check_json "$T/walk.jsonl"
ok $? "jsonl walk: valid JSON" || diag "$(cat "$T/jsonl-check.err")"
is "$(check walk "$T/walk.jsonl")" ok "jsonl walk: every value exact"
"${SF[@]}" -F jsonl --max-repetitions 1 -w 1.3.6.1.4.1.99999.1 \
    >"$T/walk1.jsonl" 2>"$T/walk1.err"
is "$(check walk "$T/walk1.jsonl")" ok \
    "jsonl walk with --max-repetitions 1: every value exact"

"${SF[@]}" -F text -w 1.3.6.1.4.1.99999.1 >"$T/walk.txt" 2>"$T/walk-text.err"
is "$?" 0 "text walk: exit 0"
snmpbulkwalk -On -v2c -c public -t 2 -r 1 "$H" 1.3.6.1.4.1.99999.1 \
    >"$T/snmpbulkwalk.txt" 2>&1
sed "s/^$H //" "$T/walk.txt" >"$T/walk-nohost.txt"
is_file "$T/walk-nohost.txt" "$T/snmpbulkwalk.txt" \
    "text walk equals snmpbulkwalk -On"

# ----------------------------------------------------------------- table
"${SF[@]}" -F jsonl -T 1.3.6.1.4.1.99999.2 >"$T/table.jsonl" 2>"$T/table.err"
is "$?" 0 "jsonl -T of a table of bytes, Counter64 and text: exit 0"
check_json "$T/table.jsonl"
ok $? "table: valid JSON" || diag "$(cat "$T/jsonl-check.err")"
is "$(check table "$T/table.jsonl")" ok \
    'table rows: {"hex":...} for bytes, exact Counter64, index 10.0.0.1, columns by number'

done_testing
