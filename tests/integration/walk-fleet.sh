#!/usr/bin/env bash
# walk-fleet.sh — the same two walks (system, 1.3.6.1.2.1.1, and ifTable,
# 1.3.6.1.2.1.2.2) on 500 distinct loopback targets at once, all served
# by one real snmpd: exactly one record per target, each complete (the
# same OID list as a single reference walk by snmpbulkwalk) with status
# ok and the same values as a single-target walk; then again with
# --per-target 4 (each target's GET list and two walks in parallel): the
# same values, in plan order.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_python

plan 17

start_snmpd
T=$LIB_TMP
P=$SNMPD_PORT
N=500
SYS=1.3.6.1.2.1.1
IFT=1.3.6.1.2.1.2.2

make_hosts "$N" >"$T/hosts"

# The reference: net-snmp's walk of one target (OIDs), and snmpfleet's
# walk of one target (values to compare with).
{
	snmpbulkwalk -On -v2c -c public -t 2 -r 2 "127.0.0.1:$P" "$SYS"
	snmpbulkwalk -On -v2c -c public -t 2 -r 2 "127.0.0.1:$P" "$IFT"
} | sed -n 's/^\.\([0-9.]*\) = .*/\1/p' >"$T/ref.oids"
nref=$(wc -l <"$T/ref.oids")
ok "$([ "$nref" -gt 20 ] && echo 0 || echo 1)" \
    "reference: snmpbulkwalk finds $nref OIDs in system + ifTable"
"$SNMPFLEET" -q -H "127.0.0.1:$P" -F jsonl -w "$SYS" -w "$IFT" \
    >"$T/single.jsonl" 2>"$T/single.err"
is "$?" 0 "a single-target walk: exit 0"

# facts.py RECORDS HOSTS REF-OIDS SINGLE [GET-OIDS] — "key value" lines.
# Stable values (types whose values do not tick) must equal the single
# walk's; every type must equal its type.
cat >"$T/facts.py" <<'PY'
import json, sys

path, hosts_file, ref_file, single_file = sys.argv[1:5]
get_oids = sys.argv[5].split() if len(sys.argv) > 5 else []
hosts = [l.strip() for l in open(hosts_file) if l.strip()]
ref = [l.strip() for l in open(ref_file) if l.strip()]
single = json.loads(open(single_file).read())
STABLE = {"STRING", "OID", "INTEGER", "IpAddress"}
want_types = {v["oid"]: v["type"] for v in single["values"]}
want_stable = {v["oid"]: (v["value"], v.get("encoding"))
               for v in single["values"] if v["type"] in STABLE}
facts = dict(records=0, bad_json=0, dup=0, ok=0, not_ok=0, wrong_oids=0,
             wrong_types=0, wrong_values=0, missing=0, extra=0)
why = []
seen = set()
by_host = {}
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    try:
        r = json.loads(line)
    except ValueError:
        facts["bad_json"] += 1
        continue
    facts["records"] += 1
    h = r.get("host")
    if h in seen:
        facts["dup"] += 1
    seen.add(h)
    facts["ok" if r.get("status") == "ok" else "not_ok"] += 1
    if r.get("status") != "ok" and len(why) < 5:
        why.append("%s: status %s %s" % (h, r.get("status"), r.get("error")))
    vals = r.get("values", [])
    by_host[h] = vals
    got = [v["oid"] for v in vals]
    if got != get_oids + ref:
        facts["wrong_oids"] += 1
        if len(why) < 5:
            why.append("%s: %d OIDs, expected %d; first difference at %r"
                       % (h, len(got), len(get_oids) + len(ref),
                          next((a for a, b in zip(got, get_oids + ref)
                                if a != b), None)))
        continue
    for v in vals[len(get_oids):]:
        if v["type"] != want_types.get(v["oid"]):
            facts["wrong_types"] += 1
            if len(why) < 5:
                why.append("%s: %s type %s" % (h, v["oid"], v["type"]))
        elif v["oid"] in want_stable and \
                (v["value"], v.get("encoding")) != want_stable[v["oid"]]:
            facts["wrong_values"] += 1
            if len(why) < 5:
                why.append("%s: %s = %r, single walk: %r"
                           % (h, v["oid"], v["value"], want_stable[v["oid"]]))
facts["missing"] = len(set(hosts) - seen)
facts["extra"] = len(seen - set(hosts))
for k in sorted(facts):
    print(k, facts[k])
for w in why:
    print("why", w)
json.dump(by_host, open(path + ".byhost", "w"))
PY
fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts"; }
why() { grep '^why ' "$T/facts" | sed 's/^why //' | while IFS= read -r l; do diag "$l"; done; }

# ------------------------------------------------ 500 targets, 2 walks
"$SNMPFLEET" -i "$T/hosts" --port "$P" -F jsonl -o "$T/fleet.jsonl" \
    -w "$SYS" -w "$IFT" </dev/null >"$T/fleet.stdout" 2>"$T/fleet.err"
is "$?" 0 "$N targets, two walks each: exit 0" || diag "$(cat "$T/fleet.err")"
check "$N targets: every line is a JSON object" jsonl_check "$T/fleet.jsonl"
python3 "$T/facts.py" "$T/fleet.jsonl" "$T/hosts" "$T/ref.oids" \
    "$T/single.jsonl" >"$T/facts"
is "$(fact records)/$(fact dup)/$(fact missing)/$(fact extra)" "$N/0/0/0" \
    "$N targets: exactly one record per target, no other hosts" || why
is "$(fact ok)" "$N" "$N targets: every status ok" || why
is "$(fact wrong_oids)" 0 \
    "$N targets: every walk complete (the reference's OID list, in order)" || why
is "$(fact wrong_types)/$(fact wrong_values)" 0/0 \
    "$N targets: types, and values that do not tick, equal the single walk's" || why

# --------------------------- --per-target 4: a GET list and two walks
GETS="1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0"
# shellcheck disable=SC2086
"$SNMPFLEET" -i "$T/hosts" --port "$P" -F jsonl -o "$T/pt4.jsonl" \
    --per-target 4 -w "$SYS" -w "$IFT" $GETS \
    </dev/null >"$T/pt4.stdout" 2>"$T/pt4.err"
is "$?" 0 "--per-target 4, a GET and two walks on $N targets: exit 0" ||
    diag "$(cat "$T/pt4.err")"
check "--per-target 4: every line is a JSON object" jsonl_check "$T/pt4.jsonl"
python3 "$T/facts.py" "$T/pt4.jsonl" "$T/hosts" "$T/ref.oids" \
    "$T/single.jsonl" "$GETS" >"$T/facts"
is "$(fact records)/$(fact dup)/$(fact missing)/$(fact extra)" "$N/0/0/0" \
    "--per-target 4: exactly one record per target" || why
is "$(fact ok)" "$N" "--per-target 4: every status ok" || why
is "$(fact wrong_oids)" 0 \
    "--per-target 4: values in plan order (GETs, then each walk complete)" || why
is "$(fact wrong_types)/$(fact wrong_values)" 0/0 \
    "--per-target 4: the same types and stable values as the single walk" || why
is "$(python3 - "$T/pt4.jsonl.byhost" "$SNMPD_SYSNAME" "$SNMPD_SYSDESCR" <<'PY'
import json, sys
by = json.load(open(sys.argv[1]))
bad = [h for h, vals in by.items()
       if [(v["oid"], v["value"]) for v in vals[:2]] !=
       [("1.3.6.1.2.1.1.5.0", sys.argv[2]), ("1.3.6.1.2.1.1.1.0", sys.argv[3])]]
print(len(bad), bad[:3])
PY
)" "0 []" "--per-target 4: the GET values are right for every target"
is "$(python3 - "$T/fleet.jsonl.byhost" "$T/pt4.jsonl.byhost" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
STABLE = {"STRING", "OID", "INTEGER", "IpAddress"}
diff = 0
for h in a:
    va = [(v["oid"], v["type"], v["value"] if v["type"] in STABLE else None)
          for v in a[h]]
    vb = [(v["oid"], v["type"], v["value"] if v["type"] in STABLE else None)
          for v in b.get(h, [])[2:]]
    diff += va != vb
print(diff)
PY
)" 0 "--per-target 4: each target's walks equal its walks with --per-target 1"

# --per-target 4 on one target in text: the same lines as --per-target 1
# (values that tick aside).
strip_ticking() {
	sed -E -e 's/= (Counter32|Counter64|Gauge32): [0-9]+$/= \1: N/' \
	    -e 's/= Timeticks: \([0-9]+\) .*/= Timeticks: N/' "$1"
}
"$SNMPFLEET" -q -H "127.0.0.1:$P" -F text -w "$SYS" -w "$IFT" sysName.0 \
    >"$T/one-pt1.txt" 2>&1
"$SNMPFLEET" -q -H "127.0.0.1:$P" -F text --per-target 4 -w "$SYS" -w "$IFT" \
    sysName.0 >"$T/one-pt4.txt" 2>&1
strip_ticking "$T/one-pt1.txt" >"$T/one-pt1.norm"
strip_ticking "$T/one-pt4.txt" >"$T/one-pt4.norm"
is_file "$T/one-pt4.norm" "$T/one-pt1.norm" \
    "text, one target: --per-target 4 prints what --per-target 1 prints, in the same order"

done_testing
