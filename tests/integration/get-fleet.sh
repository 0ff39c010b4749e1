#!/usr/bin/env bash
# get-fleet.sh — 1,000 loopback targets served by one real snmpd: every
# target's record is present exactly once and correct in text, jsonl and
# csv; CIDR and range specs reach the right hosts; per-target inventory
# keys (community, tag.NAME) apply to exactly their lines.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
NAMES=(sysDescr.0 sysUpTime.0 sysName.0)
NUMS=(1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.5.0)

# summarize FORMAT FILE EXPECTED-HOSTS [TIMEOUT-HOSTS [TAGGED-HOSTS]] —
# print "key value" facts about a record file, for the assertions below.
cat >"$T/summarize.py" <<'EOF'
import csv, json, re, sys

fmt, path, hosts_file = sys.argv[1:4]
timeout_file, tagged_file, sysname, sysdescr, port = sys.argv[4:9]
port = int(port)

def load(p):
    if not p:
        return set()
    with open(p) as f:
        return {l.strip() for l in f if l.strip()}

hosts = load(hosts_file)
dead = load(timeout_file)
tagged = load(tagged_file)
OIDS = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"]
facts = {"records": 0, "bad_records": 0, "dup": 0, "ok": 0, "timeout": 0,
         "other_status": 0, "wrong_status": 0, "bad_tags": 0, "header": 0}
seen = {}
first_bad = []

def bad(why):
    facts["bad_records"] += 1
    if len(first_bad) < 5:
        first_bad.append(why)

def note_host(h, status):
    facts["records"] += 1
    if h in seen:
        facts["dup"] += 1
    seen[h] = status
    if status in ("ok", "timeout"):
        facts[status] += 1
    else:
        facts["other_status"] += 1
    want = "timeout" if h in dead else "ok"
    if status != want:
        facts["wrong_status"] += 1
        if len(first_bad) < 5:
            first_bad.append("%s: status %s, expected %s" % (h, status, want))

with open(path, encoding="utf-8", newline="") as f:
    data = f.read()

if fmt == "text":
    by_host = {}
    order = []
    for line in data.splitlines():
        m = re.match(r"^(\S+) (.*)$", line)
        if not m:
            bad("unparsable line %r" % line)
            continue
        h, rest = m.groups()
        if h not in by_host:
            by_host[h] = []
            order.append(h)
        by_host[h].append(rest)
    for h in order:
        lines = by_host[h]
        if lines == ["# timeout"]:
            note_host(h, "timeout")
            continue
        note_host(h, "ok")
        if len(lines) != 3:
            bad("%s: %d lines" % (h, len(lines)))
            continue
        want = [
            r'^\.1\.3\.6\.1\.2\.1\.1\.1\.0 = STRING: "%s"$' % re.escape(sysdescr),
            r"^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: \(\d+\) \d+(?: days?,)? ?\d*:\d\d:\d\d\.\d\d$",
            r'^\.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING: "%s"$' % re.escape(sysname),
        ]
        for w, l in zip(want, lines):
            if not re.match(w, l):
                bad("%s: %r does not match %s" % (h, l, w))
                break
elif fmt == "jsonl":
    for n, line in enumerate(data.splitlines(), 1):
        try:
            r = json.loads(line)
        except ValueError as e:
            bad("line %d: not JSON: %s" % (n, e))
            continue
        h = r.get("host")
        st = r.get("status")
        note_host(h, st)
        if r.get("port") != port:
            bad("%s: port %r" % (h, r.get("port")))
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", str(r.get("time"))):
            bad("%s: time %r" % (h, r.get("time")))
        want_tags = {"site": "lab"} if h in tagged else None
        if (r.get("tags") or None) != want_tags:
            facts["bad_tags"] += 1
            if len(first_bad) < 5:
                first_bad.append("%s: tags %r, expected %r" % (h, r.get("tags"), want_tags))
        if st != "ok":
            continue
        if not isinstance(r.get("rtt_ms"), (int, float)) or r["rtt_ms"] < 0:
            bad("%s: rtt_ms %r" % (h, r.get("rtt_ms")))
        if not isinstance(r.get("retries"), int):
            bad("%s: retries %r" % (h, r.get("retries")))
        vals = r.get("values") or []
        if [v.get("oid") for v in vals] != OIDS:
            bad("%s: oids %r" % (h, [v.get("oid") for v in vals]))
            continue
        d, u, s = vals
        if (s.get("name"), s.get("type"), s.get("value")) != ("sysName.0", "STRING", sysname):
            bad("%s: sysName %r" % (h, s))
        if (d.get("name"), d.get("type"), d.get("value")) != ("sysDescr.0", "STRING", sysdescr):
            bad("%s: sysDescr %r" % (h, d))
        if u.get("name") != "sysUpTime.0" or u.get("value") in (None, ""):
            bad("%s: sysUpTime %r" % (h, u))
elif fmt == "csv":
    rows = list(csv.reader(data.splitlines()))
    header = ["host", "port", "oid", "name", "type", "value", "status", "rtt_ms",
              "display"]
    facts["header"] = sum(1 for r in rows if r == header)
    if not rows or rows[0] != header:
        bad("first row is not the header: %r" % (rows[:1],))
    by_host = {}
    order = []
    for r in rows:
        if r == header:
            continue
        if len(r) != 9:
            bad("row with %d fields: %r" % (len(r), r))
            continue
        if r[0] not in by_host:
            by_host[r[0]] = []
            order.append(r[0])
        by_host[r[0]].append(r)
    for h in order:
        rs = by_host[h]
        st = rs[0][6]
        if any(r[6] != st for r in rs):
            bad("%s: mixed statuses" % h)
        note_host(h, st)
        if any(r[1] != str(port) for r in rs):
            bad("%s: port %r" % (h, rs[0][1]))
        if st != "ok":
            if len(rs) != 1 or any(rs[0][2:6]):
                bad("%s: failed target rows %r" % (h, rs))
            continue
        if [r[2] for r in rs] != OIDS:
            bad("%s: oids %r" % (h, [r[2] for r in rs]))
            continue
        if rs[2][3:6] != ["sysName.0", "STRING", sysname]:
            bad("%s: sysName row %r" % (h, rs[2]))
        if rs[0][3:6] != ["sysDescr.0", "STRING", sysdescr]:
            bad("%s: sysDescr row %r" % (h, rs[0]))
        try:
            if float(rs[0][7]) < 0:
                raise ValueError
        except ValueError:
            bad("%s: rtt_ms %r" % (h, rs[0][7]))

got = set(seen)
facts["hosts"] = len(got)
facts["missing"] = len(hosts - got)
facts["extra"] = len(got - hosts)
for k in sorted(facts):
    print(k, facts[k])
for why in first_bad:
    print("why", why)
for h in sorted(hosts - got)[:3]:
    print("why missing", h)
for h in sorted(got - hosts)[:3]:
    print("why extra", h)
EOF

# summarize FORMAT FILE HOSTS [DEAD [TAGGED]] > facts file
summarize() {
	python3 "$T/summarize.py" "$1" "$2" "$3" "${4:-}" "${5:-}" \
	    "$SNMPD_SYSNAME" "$SNMPD_SYSDESCR" "$P" >"$T/facts"
}
fact() {
	awk -v k="$1" '$1 == k { print $2 }' "$T/facts"
}
show_why() {
	grep '^why' "$T/facts" | head -8 | sed 's/^why //' | while IFS= read -r l; do diag "$l"; done
}

# expect_fleet DESC RECORDS HOSTS COUNT [DEAD [TAGGED]] — the standard
# assertions for one run's record file.
expect_fleet() {
	local desc=$1 n=$3
	is "$(fact missing)/$(fact extra)" "0/0" "$desc: host set equals the inventory's" ||
	    show_why
	is "$(fact dup)" 0 "$desc: no host has two records"
	is "$(fact records)" "$n" "$desc: $n records"
	is "$(fact bad_records)" 0 "$desc: every record is correct" || show_why
	is "$(fact wrong_status)" 0 "$desc: every status is the expected one" ||
	    show_why
}

make_hosts 1000 >"$T/hosts"
cp "$T/hosts" "$T/inventory"

# ------------------------------------------------------------------ text
"$SNMPFLEET" -i "$T/inventory" --port "$P" -F text -o "$T/r.txt" \
    "${NAMES[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "text: exit status 0"
is "$(cat "$T/stdout")" "" "text: nothing on stdout with -o"
like "$(cat "$T/stderr")" "^snmpfleet: " "text: a summary line on stderr"
summarize text "$T/r.txt" "$T/hosts"
expect_fleet "text, OIDs by name" "$T/r.txt" 1000
is "$(wc -l <"$T/r.txt")" 3000 "text: 3 lines per host"

# ----------------------------------------------------------------- jsonl
"$SNMPFLEET" -i "$T/inventory" --port "$P" -F jsonl -o "$T/r.jsonl" \
    "${NUMS[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "jsonl: exit status 0"
check "jsonl: every line parses as a JSON object" jsonl_check "$T/r.jsonl"
summarize jsonl "$T/r.jsonl" "$T/hosts"
expect_fleet "jsonl, numeric OIDs" "$T/r.jsonl" 1000
is "$(fact ok)" 1000 "jsonl: 1000 records with status ok"
is "$(fact bad_tags)" 0 "jsonl: untagged targets carry no tags"

# -o appends: a second run adds another 1000 whole records.
"$SNMPFLEET" -i "$T/inventory" --port "$P" -F jsonl -o "$T/r.jsonl" \
    -q "${NAMES[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "jsonl by name, appended: exit status 0"
is "$(wc -l <"$T/r.jsonl")" 2000 "-o appends: 2000 lines after two runs"
check "jsonl: the appended file still parses line by line" jsonl_check "$T/r.jsonl"
tail -n 1000 "$T/r.jsonl" >"$T/r2.jsonl"
summarize jsonl "$T/r2.jsonl" "$T/hosts"
expect_fleet "jsonl, OIDs by name" "$T/r2.jsonl" 1000

# ------------------------------------------------------------------- csv
"$SNMPFLEET" -i "$T/inventory" --port "$P" -F csv -o "$T/r.csv" \
    "${NAMES[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "csv: exit status 0"
summarize csv "$T/r.csv" "$T/hosts"
is "$(fact header)" 1 "csv: the header appears once"
is "$(head -n 1 "$T/r.csv")" "host,port,oid,name,type,value,status,rtt_ms,display" \
    "csv: the header is the first line"
is "$(wc -l <"$T/r.csv")" 3001 "csv: header plus 3 rows per host"
expect_fleet "csv" "$T/r.csv" 1000

# Appending to a csv file does not repeat the header.
"$SNMPFLEET" -H 127.0.0.1 --port "$P" -F csv -o "$T/r.csv" -q \
    "${NAMES[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "csv, appended: exit status 0"
is "$(grep -c '^host,port,' "$T/r.csv")" 1 "csv, appended: still one header"
is "$(wc -l <"$T/r.csv")" 3004 "csv, appended: 3 more rows"

# ------------------------------------------------------- stdin inventory
head -n 50 "$T/hosts" >"$T/hosts50"
"$SNMPFLEET" -i - --port "$P" -F jsonl -q "${NAMES[@]}" \
    <"$T/hosts50" >"$T/r-stdin.jsonl" 2>"$T/stderr"
is "$?" 0 "-i - (stdin): exit status 0"
summarize jsonl "$T/r-stdin.jsonl" "$T/hosts50"
expect_fleet "-i - (stdin) to stdout" "$T/r-stdin.jsonl" 50

# ------------------------------------------------------ CIDR and ranges
for ((i = 1; i <= 254; i++)); do echo "127.1.0.$i"; done >"$T/hosts-cidr"
"$SNMPFLEET" -H 127.1.0.0/24 --port "$P" -F jsonl -o "$T/r-cidr.jsonl" \
    -q "${NAMES[@]}" </dev/null 2>"$T/stderr"
is "$?" 0 "-H 127.1.0.0/24: exit status 0"
summarize jsonl "$T/r-cidr.jsonl" "$T/hosts-cidr"
expect_fleet "-H 127.1.0.0/24 (254 hosts, no .0 or .255)" "$T/r-cidr.jsonl" 254

{
	for ((i = 10; i <= 20; i++)); do echo "127.2.0.$i"; done
	for ((i = 5; i <= 9; i++)); do echo "127.2.1.$i"; done
	echo "127.2.2.7"
} >"$T/hosts-ranges"
"$SNMPFLEET" -H 127.2.0.10-127.2.0.20 -H 127.2.1.5-9 -H "127.2.2.7/32" \
    --port "$P" -F jsonl -o "$T/r-range.jsonl" -q "${NAMES[@]}" \
    </dev/null 2>"$T/stderr"
is "$?" 0 "ranges a-b, a-N and a /32: exit status 0"
summarize jsonl "$T/r-range.jsonl" "$T/hosts-ranges"
expect_fleet "ranges a-b, a-N and a /32" "$T/r-range.jsonl" 17

# A spec's own port beats --port (which here points nowhere).
DEAD=$(free_udp_port)
"$SNMPFLEET" -H "127.2.3.0/28:$P" --port "$DEAD" -t 0.5 -r 0 -F jsonl \
    -o "$T/r-cidrport.jsonl" -q "${NAMES[@]}" </dev/null 2>"$T/stderr"
is "$?" 0 "-H CIDR:port beats --port: exit status 0"
is "$(python3 -c '
import json, sys
print(sorted({(r["host"], r["port"], r["status"]) for r in map(json.loads, open(sys.argv[1]))}) ==
      sorted(("127.2.3.%d" % i, int(sys.argv[2]), "ok") for i in range(1, 15)))' \
    "$T/r-cidrport.jsonl" "$P")" True "-H 127.2.3.0/28:PORT reaches .1-.14 on PORT"

# ------------------------------------------------- per-target inventory keys
# community=wrong on a few lines: snmpd drops those requests, so exactly
# those targets time out.  tag.site=lab shows up in jsonl "tags".
awk 'NR % 200 == 7' "$T/hosts" >"$T/hosts-wrong"
awk 'NR % 100 == 3' "$T/hosts" >"$T/hosts-tagged"
awk 'NR % 250 == 11' "$T/hosts" >"$T/hosts-v1"
awk -v wrong="$T/hosts-wrong" -v tagged="$T/hosts-tagged" -v v1="$T/hosts-v1" '
	BEGIN {
		while ((getline h < wrong) > 0) w[h] = 1
		while ((getline h < tagged) > 0) t[h] = 1
		while ((getline h < v1) > 0) v[h] = 1
		print "# per-target keys"
	}
	{
		line = $0
		if ($0 in w) line = line " community=wrong timeout=0.3 retries=1"
		if ($0 in t) line = line " tag.site=lab"
		if ($0 in v) line = line " version=1"
		print line
	}' "$T/hosts" >"$T/inventory-keys"
START=$EPOCHREALTIME
"$SNMPFLEET" -i "$T/inventory-keys" --port "$P" -F jsonl -o "$T/r-keys.jsonl" \
    "${NAMES[@]}" </dev/null >"$T/stdout" 2>"$T/stderr"
is "$?" 1 "community=wrong on 5 lines: exit status 1"
like "$(cat "$T/stderr")" "^snmpfleet: " "per-target keys: a summary line on stderr"
check "per-target keys: every line parses as a JSON object" jsonl_check "$T/r-keys.jsonl"
summarize jsonl "$T/r-keys.jsonl" "$T/hosts" "$T/hosts-wrong" "$T/hosts-tagged"
expect_fleet "per-target keys" "$T/r-keys.jsonl" 1000
is "$(fact timeout)" "$(wc -l <"$T/hosts-wrong")" "exactly the community=wrong targets time out"
is "$(fact bad_tags)" 0 'exactly the tag.site=lab targets carry "tags":{"site":"lab"}'
el=$(elapsed_since "$START")
ok "$(awk -v e="$el" 'BEGIN { print (e >= 0.6) ? 0 : 1 }')" \
    "per-target timeout=0.3 retries=1 waits at least 0.6 s (took $el s)"

done_testing
