#!/usr/bin/env bash
# hostile-agents.sh — every request ends by its own timer and every record
# stays whole and valid, whatever an agent sends.  The agents are
# tests/integration/hostile.py, one per --mode (loopback only): wrong
# request-id, wrong source address, truncated, garbage, a BER length past
# the datagram, duplicate and late replies, an error-index out of range,
# a walk that goes backwards, a walk that never ends, SNMPv3 Reports with
# an odd request-id, NaN/Inf floats, a 60 KB string, GET replies for OIDs
# never asked, and values nested 2,000 deep.
#
# For each: the run ends (it is guarded by "timeout 120" only to turn a
# hang into a failure: exit 124 is asserted against, nothing bounds how
# long a run may take), with the right exit status and per-target status,
# and its output is valid.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpber

plan 87

T=$LIB_TMP
R=1.3.6.1.4.1.99999

run() { guarded_run "$@"; }

# ends NAME — one test: the last run ended by itself.
ends() {
	ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "$1: the run ends (not killed by the guard)"
}


for m in good wrong-reqid wrong-source truncated garbage oversized-length \
    duplicate errindex nonincreasing endless opaque-float \
    huge-octet-string unasked-oids deep-nesting v3-report; do
	start_hostile "$m" "$m"
done
start_hostile late late --delay 2
start_hostile endless2 endless

# ------------------------------------------------------- the reference
run good -H "127.0.0.1:$PORT_good" -t 0.5 -r 1 -F jsonl -q sysName.0 -w "$R"
is "$(status_of good)" 0/ok "good agent: exit 0, status ok"
is "$(rec "$T/good.out" 'len(vals)')" 7 "good agent: the GET and 5 walked values + endOfMibView"

# ------------------------------------- replies that must never be taken
for m in wrong-reqid wrong-source truncated garbage oversized-length; do
	var=PORT_${m//-/_}
	run "$m" -H "127.0.0.1:${!var}" -t 0.3 -r 1 -F jsonl -q sysName.0
	ends "$m"
	is "$(status_of "$m")" 1/timeout "$m: exit 1, the target times out"
	is "$(rec "$T/$m.out" 'r["retries"]')" 1 "$m: after its one retry"
	check "$m: the output is valid JSON" jsonl_check "$T/$m.out"
done

# ---------------------------------------------------------- duplicates
run dup -H "127.0.0.1:$PORT_duplicate" -t 0.5 -r 1 -F jsonl -q \
    --max-repetitions 1 sysName.0 -w "$R"
ends duplicate
is "$(status_of dup)" 0/ok "duplicate replies: exit 0, status ok"
is "$(rec "$T/dup.out" '[o for o, t, v in vals]')" \
    "['1.3.6.1.2.1.1.5.0', '$R.1.1', '$R.1.2', '$R.1.3', '$R.1.4', '$R.1.5', '$R.1.5']" \
    "duplicate replies: each value once, in order"
is "$(rec "$T/dup.out" 'r["retries"]')" 0 "duplicate replies: no retries"

# ---------------------------------------------------------------- late
# The late agent answers 2 s after each request, long after -t 0.3 -r 1;
# the good agent in the same run (one slot: -j 1) is not disturbed by the
# late answers arriving meanwhile.
run late -H "127.0.0.1:$PORT_late" -H "127.0.0.1:$PORT_good" -j 1 \
    -t 0.3 -r 1 -F jsonl -q sysName.0
ends late
is "$RC" 1 "late replies: exit 1"
is "$(python3 -c '
import json, sys
print(sorted((r["port"], r["status"]) for r in map(json.loads, open(sys.argv[1]))))' "$T/late.out")" \
    "$(python3 -c 'import sys; print(sorted([(int(sys.argv[1]), "timeout"), (int(sys.argv[2]), "ok")]))' \
    "$PORT_late" "$PORT_good")" "late replies: that target times out, the other is ok"

# ---------------------------------------------- error-index out of range
run errget -H "127.0.0.1:$PORT_errindex" -t 0.5 -r 1 -F jsonl -q sysName.0
ends "errindex GET"
is "$(status_of errget)" 1/error "errindex 99, GET: exit 1, status error"
is "$(rec "$T/errget.out" 'r["error"]')" "(genError) A general failure occured" \
    "errindex 99, GET: the error, with no OID (none was named)"
run errwalk -H "127.0.0.1:$PORT_errindex" -t 0.5 -r 1 -F jsonl -q -w "$R"
is "$(status_of errwalk)" 1/error "errindex 99, walk: exit 1, status error"
like "$(rec "$T/errwalk.out" 'r["error"]')" "^\(genError\)" "errindex 99, walk: genError"
run errv1 -H "127.0.0.1:$PORT_errindex" -v 1 -t 0.5 -r 1 -F jsonl -q \
    sysName.0 sysDescr.0
ends "errindex v1"
is "$(status_of errv1)" 1/error "errindex 99, v1 noSuchName: exit 1, status error"
like "$(rec "$T/errv1.out" 'r["error"]')" "^\(noSuchName\)" \
    "errindex 99, v1: noSuchName, not a value dropped at random"

# ------------------------------------------------------ non-increasing
run noninc -H "127.0.0.1:$PORT_nonincreasing" -t 0.5 -r 1 -F jsonl -q -w "$R"
ends nonincreasing
is "$(status_of noninc)" 1/error "walk going backwards: exit 1, status error"
is "$(rec "$T/noninc.out" '(r["error"], [o for o, t, v in vals])')" \
    "('OID not increasing: $R.1.2 >= $R.1.1', ['$R.1.2'])" \
    "walk going backwards: the error names both OIDs, the value before is kept"
run nonincv1 -H "127.0.0.1:$PORT_nonincreasing" -v 1 -t 0.5 -r 1 -F jsonl -q \
    -w "$R.1.5"
ends "nonincreasing v1"
is "$(status_of nonincv1)" 1/error \
    "GETNEXT answered below the OID asked (outside the subtree): status error"
is "$(rec "$T/nonincv1.out" 'r["error"]')" \
    "OID not increasing: $R.1.5 >= $R.1.2" "... and says not increasing"

# -------------------------------------------------------- endless walk
rss_kb() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"; }
run endless -H "127.0.0.1:$PORT_endless" -t 1 -r 1 -F jsonl -q -w "$R" \
    --max-walk-values 20000
ends "endless walk"
is "$(status_of endless)" 1/error "endless walk: exit 1, status error"
is "$(rec "$T/endless.out" '(r["error"], len(vals))')" \
    "('walk stopped: more than 20000 values (--max-walk-values)', 20000)" \
    "endless walk: stopped at --max-walk-values, the 20000 values kept"
check "endless walk: the record is valid JSON" jsonl_check "$T/endless.out"
/usr/bin/time -v timeout 120 "$SNMPFLEET" -H "127.0.0.1:$PORT_endless" \
    -t 1 -r 1 -F jsonl -q -w "$R" --max-walk-values 20000 \
    >/dev/null 2>"$T/endless.time"
rss=$(rss_kb "$T/endless.time")
diag "endless walk, 20000 values: max RSS ${rss:-?} kB"
ok "$([ -n "$rss" ] && [ "$rss" -lt 524288 ] && echo 0 || echo 1)" \
    "endless walk: max RSS under 512 MB (${rss:-?} kB)"

run endlessb -H "127.0.0.1:$PORT_endless" -t 1 -r 1 -F jsonl -q -w "$R" \
    --max-walk-bytes 2M
ends "endless walk, bytes"
is "$(status_of endlessb)" 1/error "endless walk, --max-walk-bytes 2M: status error"
is "$(rec "$T/endlessb.out" 'r["error"]')" \
    "walk stopped: more than 2097152 bytes (--max-walk-bytes)" \
    "endless walk: stopped at --max-walk-bytes"
is "$(rec "$T/endlessb.out" '0 < len(vals) < 2097152 // 1000')" True \
    "endless walk, bytes: some values kept, fewer than 2M / 1000"

printf '127.0.0.1:%s max-walk-values=300\n127.0.0.1:%s max-walk-bytes=64k\n' \
    "$PORT_endless" "$PORT_good" >"$T/endless.inv"
printf '127.0.0.1:%s\n' "$PORT_endless2" >>"$T/endless.inv"
run endlessinv -i "$T/endless.inv" -t 1 -r 1 -F jsonl -q -w "$R" \
    --max-walk-values 700
ends "endless walk, inventory keys"
is "$RC" 1 "inventory keys: exit 1"
is "$(python3 -c '
import json, sys
out = []
names = {int(sys.argv[2]): "endless", int(sys.argv[3]): "good",
         int(sys.argv[4]): "endless2"}
for r in map(json.loads, open(sys.argv[1])):
    out.append((names[r["port"]], r["status"], len(r["values"])))
print(sorted(out))' "$T/endlessinv.out" "$PORT_endless" "$PORT_good" "$PORT_endless2")" \
    "[('endless', 'error', 300), ('endless2', 'error', 700), ('good', 'ok', 6)]" \
    "max-walk-values= caps its line's target; others keep --max-walk-values; a small walk is untouched"

run endlesstable -H "127.0.0.1:$PORT_endless" -t 1 -r 1 -F jsonl -q -T "$R" \
    --max-walk-values 1000
ends "endless table"
is "$(status_of endlesstable)" 1/error "endless table: status error"
like "$(rec "$T/endlesstable.out" 'r["error"]')" "more than 1000 values" \
    "endless table: stopped at the cap"
check "endless table: valid JSON" jsonl_check "$T/endlesstable.out"

# ------------------------------------------------------- NaN and Inf
F="$R.2.1 $R.2.2 $R.2.3 $R.2.4 $R.2.5 $R.2.6 $R.2.7"
# shellcheck disable=SC2086
run flinflux -H "127.0.0.1:$PORT_opaque_float" -t 0.5 -r 1 -F influx -q $F
ends "opaque-float influx"
is "$RC" 0 "NaN/Inf floats, influx: exit 0"
influx_valid() {
	python3 - "$1" <<'PY'
import re, sys
num = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
val = r'(%s[iu]?|"([^"\\]|\\.)*"|t|f|true|false)' % num
key = r"([^ ,=\\]|\\.)+"
field = "%s=%s" % (key, val)
pat = re.compile(r"^([^ ,\\]|\\.)+(,%s=%s)* %s(,%s)* [0-9]+$" %
                 (key, key, field, field))
bad = [l for l in open(sys.argv[1]).read().splitlines() if not pat.match(l)]
for l in bad:
    sys.stderr.write("bad line: %s\n" % l)
sys.exit(1 if bad else 0)
PY
}
check "NaN/Inf floats, influx: every line is valid line protocol" \
    influx_valid "$T/flinflux.out"
unlike "$(cat "$T/flinflux.out")" "$R\.2\.[1-6]=" \
    "NaN/Inf floats, influx: those fields are left out"
like "$(cat "$T/flinflux.out")" "$R\.2\.7=1\.5 " \
    "NaN/Inf floats, influx: the finite one is there"
# shellcheck disable=SC2086
run fljson -H "127.0.0.1:$PORT_opaque_float" -t 0.5 -r 1 -F jsonl -q $F
check "NaN/Inf floats, jsonl: valid JSON" jsonl_check "$T/fljson.out"
is "$(rec "$T/fljson.out" '[v for o, t, v in vals]')" \
    "[None, None, None, None, None, None, 1.5]" \
    "NaN/Inf floats, jsonl: null for each, 1.5 for the finite one"
# shellcheck disable=SC2086
run flcsv -H "127.0.0.1:$PORT_opaque_float" -t 0.5 -r 1 -F csv -q $F
is "$(cut -d, -f5,6 "$T/flcsv.out" | tail -n +2 | tr '\n' ' ')" \
    "Float,NaN Float,+Inf Float,-Inf Double,NaN Double,+Inf Double,-Inf Float,1.5 " \
    "NaN/Inf floats, csv: NaN, +Inf, -Inf"
# shellcheck disable=SC2086
run flprom -H "127.0.0.1:$PORT_opaque_float" -t 0.5 -r 1 -F prom -q \
    -o "$T/fl.prom" $F
is "$(sed -n 's/^snmpfleet_value{.*oid="[0-9.]*\.\([0-9]\)"} /\1 /p' "$T/fl.prom" | tr '\n' ' ')" \
    "1 NaN 2 +Inf 3 -Inf 4 NaN 5 +Inf 6 -Inf 7 1.5 " \
    "NaN/Inf floats, prom: spelled NaN, +Inf, -Inf"
run flwalk -H "127.0.0.1:$PORT_opaque_float" -t 0.5 -r 1 -F influx -q -w "$R.2"
check "NaN/Inf floats walked, influx: valid line protocol" \
    influx_valid "$T/flwalk.out"

# -------------------------------------------------------- a 60 KB value
run huge -H "127.0.0.1:$PORT_huge_octet_string" -t 0.5 -r 1 -F jsonl -q sysName.0
ends "huge-octet-string"
is "$(status_of huge)" 0/ok "60 KB string: exit 0, status ok"
is "$(rec "$T/huge.out" 'len(vals[0][2])')" 60000 "60 KB string: all of it"
run hugetext -H "127.0.0.1:$PORT_huge_octet_string" -t 0.5 -r 1 -F text -q sysName.0
is "$RC/$(wc -l <"$T/hugetext.out")" 0/1 "60 KB string, text: one line"

# --------------------------------------------------- OIDs never asked
run unasked -H "127.0.0.1:$PORT_unasked_oids" -t 0.5 -r 1 -F jsonl -q \
    sysName.0 sysDescr.0
ends "unasked-oids"
is "$(status_of unasked)" 1/error "GET answered for other OIDs: exit 1, status error"
is "$(rec "$T/unasked.out" 'r["error"]')" \
    "reply OIDs do not match the request: asked 1.3.6.1.2.1.1.5.0, got 1.3.6.1.2.1.1.5.1" \
    "GET answered for other OIDs: the error names both"
is "$(rec "$T/unasked.out" 'vals')" "[]" "GET answered for other OIDs: no value taken"
run unaskedv1 -H "127.0.0.1:$PORT_unasked_oids" -v 1 -t 0.5 -r 1 -F jsonl -q \
    sysName.0
is "$(status_of unaskedv1)" 1/error "v1 GET answered for another OID: status error"

# ---------------------------------------------------- deep nesting, -q
run deep -H "127.0.0.1:$PORT_deep_nesting" -t 0.3 -r 1 -F jsonl -q sysName.0
ends "deep-nesting"
is "$(status_of deep)" 1/timeout "values nested 2000 deep: undecodable, the target times out"
is "$(cat "$T/deep.err")" "" "values nested 2000 deep, -q: nothing on stderr"
run deeploud -H "127.0.0.1:$PORT_deep_nesting" -t 0.3 -r 1 -F jsonl sysName.0
like "$(cat "$T/deeploud.err")" "^snmpfleet: net-snmp: bad type returned" \
    "without -q: net-snmp's message comes through our log, prefixed"

# ------------------------------------ SNMPv3 Reports with odd request-ids
run v3 -H "127.0.0.1:$PORT_v3_report" -v 3 -u bob -l noAuthNoPriv \
    -t 0.5 -r 1 -F jsonl -q sysName.0
ends "v3-report"
is "$(status_of v3)" 1/timeout "v3 Report with request-id = msgID: exit 1, status timeout"
check "v3-report: valid JSON" jsonl_check "$T/v3.out"
run v3walk -H "127.0.0.1:$PORT_v3_report" -v 3 -u bob -l noAuthNoPriv \
    -t 0.3 -r 2 -F jsonl -q --per-target 2 sysName.0 -w "$R"
ends "v3-report, a GET and a walk at once"
is "$(status_of v3walk)" 1/timeout "v3-report, two streams at once: status timeout"

done_testing
