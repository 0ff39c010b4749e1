#!/usr/bin/env bash
# ops-prom.sh — -F prom writes a node_exporter textfile: families
# snmpfleet_up, snmpfleet_poll_seconds, one family per polled object
# (sysUpTime{target,tag_*}, ifInOctets{target,ifIndex,tag_*}, a string as
# sysName{sysName="..."} 1) and the run's snmpfleet_last_run_timestamp_seconds,
# snmpfleet_run_duration_seconds, snmpfleet_targets{status},
# snmpfleet_requests_total; HELP and TYPE once per family, before its
# samples, each family's samples together, no timestamps.  The file is
# replaced atomically: a reader polling it while ~20 runs rewrite it only
# ever sees whole files, and an interrupted run (SIGINT, SIGTERM) leaves
# the previous file as it was.  The format is checked by a parser of our
# own (and by promtool when it is installed).  Loopback only (the sim).
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_sim

plan 44

T=$LIB_TMP
SP=$SIM_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
PROM=$T/textfile/snmp.prom
mkdir -p "$T/textfile"
NLIVE=60
NDEAD=4

# Long runs are started in a session of their own (setsid), with SIGINT
# and SIGTERM at their defaults, so that session_no_leftovers (lib.sh)
# can check that nothing of them is left.
launch_init --default-signals

# Inventory tags, with characters that label values must escape, and a
# tag name that is not a valid label name as it is.
{
	make_hosts "$NLIVE" | awk -v p="$SP" '{
		printf "%s:%s tag.site=par\"is\\%d tag.rack-row=r%d\n", $1, p, NR % 3, NR % 7 }'
	make_hosts $((NLIVE + NDEAD)) | tail -n +$((NLIVE + 1)) | sed "s/\$/:$DEAD tag.site=gone/"
} >"$T/inventory"

# promcheck.py FILE [TARGETS LIVE] — the text format, checked strictly;
# prints "ok" and facts, or the first problem.  With --loop STOPFILE
# OUTFILE, reads FILE again and again until STOPFILE exists, and writes
# how many reads, how many distinct files and the first problem seen.
cat >"$T/promcheck.py" <<'PY'
import os, re, sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]Inf|NaN")
FAMILIES = ["snmpfleet_up", "snmpfleet_poll_seconds",
            "snmpfleet_last_run_timestamp_seconds",
            "snmpfleet_run_duration_seconds", "snmpfleet_targets",
            "snmpfleet_requests_total"]

class Bad(Exception):
    pass

def labels(s, i, n):
    """Parse {a="x",b="y"} from s[i] == '{'; returns (dict, next index)."""
    out = {}
    i += 1
    if s[i] == "}":
        return out, i + 1
    while True:
        m = LABEL.match(s, i)
        if not m:
            raise Bad("line %d: bad label name at %r" % (n, s[i:i + 20]))
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad("line %d: expected =\" after label %s" % (n, name))
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise Bad("line %d: unterminated label value" % n)
            c = s[i]
            if c == "\\":
                e = s[i + 1:i + 2]
                if e not in ("\\", '"', "n"):
                    raise Bad("line %d: bad escape \\%s in label %s" % (n, e, name))
                val.append("\n" if e == "n" else e)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise Bad("line %d: raw newline in label value" % n)
            else:
                val.append(c)
                i += 1
        if name in out:
            raise Bad("line %d: label %s twice" % (n, name))
        out[name] = "".join(val)
        if s[i] == ",":
            i += 1
            if s[i] == "}":
                return out, i + 1
            continue
        if s[i] == "}":
            return out, i + 1
        raise Bad("line %d: expected , or } after label %s" % (n, name))

def check(text):
    if text == "":
        raise Bad("empty file")
    if not text.endswith("\n"):
        raise Bad("the last line is not whole: %r" % text[-80:])
    lines = text[:-1].split("\n")
    help_, type_, done, series = {}, {}, set(), set()
    samples = {f: [] for f in FAMILIES}
    current = None
    for n, line in enumerate(lines, 1):
        if line == "":
            raise Bad("line %d: empty line" % n)
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
                continue          # a plain comment
            kind, fam = parts[1], parts[2]
            if not NAME.fullmatch(fam):
                raise Bad("line %d: bad family name %r" % (n, fam))
            seen = help_ if kind == "HELP" else type_
            if fam in seen:
                raise Bad("line %d: second %s for %s" % (n, kind, fam))
            if fam in done or fam == current:
                raise Bad("line %d: %s for %s after its samples" % (n, kind, fam))
            if kind == "TYPE" and (len(parts) != 4 or parts[3] not in
                    ("gauge", "counter", "untyped", "summary", "histogram")):
                raise Bad("line %d: bad TYPE line %r" % (n, line))
            if kind == "HELP" and len(parts) != 4:
                raise Bad("line %d: HELP without text" % n)
            seen[fam] = parts[3] if len(parts) > 3 else ""
            continue
        m = NAME.match(line)
        if not m:
            raise Bad("line %d: bad metric name: %r" % (n, line[:60]))
        name, i = m.group(0), m.end()
        lab = {}
        if i < len(line) and line[i] == "{":
            lab, i = labels(line, i, n)
        rest = line[i:]
        if not rest.startswith(" "):
            raise Bad("line %d: no space before the value: %r" % (n, line[:80]))
        fields = rest[1:].split(" ")
        if len(fields) != 1:
            raise Bad("line %d: a timestamp (or junk) after the value: %r" % (n, rest))
        if not FLOAT.fullmatch(fields[0]):
            raise Bad("line %d: bad value %r" % (n, fields[0]))
        if name not in type_ or name not in help_:
            raise Bad("line %d: %s has no HELP/TYPE before it" % (n, name))
        if name != current:
            if name in done:
                raise Bad("line %d: family %s is not contiguous" % (n, name))
            if current is not None:
                done.add(current)
            current = name
        key = (name, tuple(sorted(lab.items())))
        if key in series:
            raise Bad("line %d: series repeated: %r" % (n, key))
        series.add(key)
        samples.setdefault(name, []).append((lab, float(fields[0])))
    for f in FAMILIES:
        if f not in help_ or f not in type_:
            raise Bad("family %s missing" % f)
    for f, t in type_.items():       # what promtool holds us to
        if f.startswith("snmpfleet_") and f.endswith("_total") != (t == "counter"):
            raise Bad("family %s is TYPE %s: _total goes with counter, "
                      "and only with it" % (f, t))
    if not lines[-1].startswith("snmpfleet_requests_total "):
        raise Bad("the last line is not snmpfleet_requests_total: %r" % lines[-1])
    return samples

def facts(samples, targets, live):
    up = samples["snmpfleet_up"]
    print("up", len(up))
    print("up1", sum(1 for l, v in up if v == 1))
    print("up_labels", " ".join(sorted({k for l, _ in up for k in l})))
    print("poll", len(samples["snmpfleet_poll_seconds"]))
    vals = [x for f in ("sysUpTime", "ifInOctets", "ifOutOctets")
            for x in samples.get(f, [])]
    print("values", len(vals))
    print("value_labels", " ".join(sorted({k for l, _ in samples.get("ifInOctets", [])
                                           for k in l})))
    print("sysuptime", len(samples.get("sysUpTime", [])))
    names = samples.get("sysName", [])
    print("sysname", sum(1 for l, v in names if v == 1 and l.get("sysName")))
    print("sites", "|".join(sorted({l.get("tag_site", "") for l, _ in up})))
    st = {l["status"]: v for l, v in samples["snmpfleet_targets"]}
    print("targets", ",".join("%s=%d" % (k, st[k]) for k in
          ("ok", "timeout", "error", "deadline", "not_finished")))
    print("requests", int(samples["snmpfleet_requests_total"][0][1]))
    print("duration", samples["snmpfleet_run_duration_seconds"][0][1])
    print("started", samples["snmpfleet_last_run_timestamp_seconds"][0][1])

if sys.argv[1] == "--loop":
    stop, path, out = sys.argv[2], sys.argv[3], sys.argv[4]
    reads, versions, problem, missing = 0, set(), None, 0
    while not os.path.exists(stop):
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            missing += 1
            continue
        reads += 1
        try:
            check(text)
            versions.add(text)
        except Bad as e:
            if problem is None:
                problem = "%s\n--- the file read:\n%s" % (e, text[-2000:])
    with open(out, "w") as f:
        f.write("reads %d\nversions %d\nmissing %d\n" % (reads, len(versions), missing))
        f.write("problem %s\n" % ("none" if problem is None else problem))
    sys.exit(0)

try:
    s = check(open(sys.argv[1]).read())
except Bad as e:
    print("bad", e)
    sys.exit(1)
print("ok")
facts(s, None, None)
PY

fact() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$T/facts"; }

# run [OPTION...] — one run into $PROM.
run() {
	"$SNMPFLEET" -i "$T/inventory" -t 0.3 -r 0 -F prom -o "$PROM" "$@" \
	    sysUpTime.0 sysName.0 ifInOctets.1 ifOutOctets.2 </dev/null
}

# ------------------------------------------------------------ one run
run --stats-file "$T/stats.json" >"$T/one.out" 2>"$T/one.err"
RC=$?
is "$RC" 1 "a run with $NDEAD silent targets exits 1"
is "$(cat "$T/one.out")" "" "nothing on stdout with -o"
python3 "$T/promcheck.py" "$PROM" >"$T/facts"
is "$(head -n 1 "$T/facts")" ok "the file passes the format check (HELP/TYPE once and first, families contiguous, labels, values, no timestamps)"
is "$(fact up)" $((NLIVE + NDEAD)) "snmpfleet_up: one sample per target"
is "$(fact up1)" "$NLIVE" "snmpfleet_up: 1 for the $NLIVE live targets, 0 for the silent ones"
is "$(fact up_labels)" "tag_rack_row tag_site target" "snmpfleet_up labels: target and the inventory tags as tag_NAME"
is "$(fact poll)" "$NLIVE" "snmpfleet_poll_seconds: one sample per answering target"
is "$(fact values)" $((NLIVE * 3)) "a family per numeric object: sysUpTime, ifInOctets, ifOutOctets, a sample per live target each"
is "$(fact value_labels)" "ifIndex tag_rack_row tag_site target" "ifInOctets labels: target, the row's index by its INDEX object (ifIndex) and the tags"
is "$(fact sysuptime)" "$NLIVE" "sysUpTime{target=...} for every live target"
is "$(fact sysname)" "$NLIVE" "a string is a label of its own on a value-1 series: sysName{sysName=\"...\"} 1"
is "$(grep -c '^# TYPE ifInOctets counter$' "$PROM")" 1 "a Counter32 object's family is TYPE counter"
is "$(fact sites)" 'gone|par"is\0|par"is\1|par"is\2' "label values with quotes and backslashes read back exactly"
is "$(fact targets)" "ok=$NLIVE,timeout=$NDEAD,error=0,deadline=0,not_finished=0" \
    "snmpfleet_targets by status"
REQ=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$T/stats.json")
is "$(fact requests)" "$REQ" "snmpfleet_requests_total is the run's request count ($REQ)"
like "$(grep '^snmpfleet_up{' "$PROM" | head -n 1)" "^snmpfleet_up\\{target=\"127\\.0\\.0\\.[0-9]+:$SP\",tag_site=\"par\\\\\"is\\\\\\\\[0-9]\",tag_rack_row=\"r[0-9]\"\\} 1\$" \
    "a sample looks like snmpfleet_up{target=\"HOST:PORT\",tag_site=\"par\\\"is\\\\N\",tag_rack_row=\"rN\"} 1"
like "$(sed -n 1,2p "$PROM")" "^# HELP snmpfleet_up .+
# TYPE snmpfleet_up gauge\$" "the file starts with snmpfleet_up's HELP and TYPE"
is "$(ls "$T/textfile")" "snmp.prom" "nothing but the file is left in its directory (no .tmp or records file)"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$PROM" >"$T/promtool.out" 2>&1
	rc=$?
	# 3 is lint advice (camelCase names, counters without _total: what
	# snmp_exporter's own output draws); never about our own metrics
	ok "$([ $rc = 0 ] || { [ $rc = 3 ] && ! grep -q snmpfleet_ "$T/promtool.out"; }; echo $?)" \
	    "promtool check metrics parses the file (advice only on MIB-named families)"
	diag "$(head -5 "$T/promtool.out")"
else
	pass "# SKIP promtool is not installed (our own check above)"
fi

# ------------------------------------- a reader while ~20 runs rewrite it
python3 "$T/promcheck.py" --loop "$T/stop-reader" "$PROM" "$T/reader.out" &
READER=$!
track_pid "$READER"
fails=0
for ((i = 1; i <= 20; i++)); do
	run -P $((i % 2 + 1)) >/dev/null 2>"$T/loop.err"
	rc=$?
	[ "$rc" = 1 ] || { fails=$((fails + 1)); diag "run $i: exit $rc: $(cat "$T/loop.err")"; }
done
touch "$T/stop-reader"
wait "$READER"
is "$fails" 0 "20 runs (-P 1 and -P 2) rewrote the file"
diag "reader: $(tr '\n' ' ' <"$T/reader.out" | head -c 300)"
R=$(sed -n 's/^reads //p' "$T/reader.out")
V=$(sed -n 's/^versions //p' "$T/reader.out")
ok $(( ${R:-0} > 20 ? 0 : 1 )) "the reader read the file $R times meanwhile"
ok $(( ${V:-0} >= 2 ? 0 : 1 )) "it saw $V different versions of the file (the rewrites happened under it)"
is "$(sed -n 's/^missing //p' "$T/reader.out")" 0 "the file was never missing"
is "$(sed -n '/^problem /,$p' "$T/reader.out")" "problem none" \
    "every read was a whole, valid file (never a partial one)"
python3 "$T/promcheck.py" "$PROM" >"$T/facts"
is "$(head -n 1 "$T/facts")" ok "the last -P 2 run's file passes the format check"
is "$(fact up)/$(fact values)" "$((NLIVE + NDEAD))/$((NLIVE * 3))" "... with every target's samples"
is "$(ls "$T/textfile")" "snmp.prom" "no temporary file is left behind"

# ------------------------------------ interrupted runs leave it alone
cp "$PROM" "$T/previous.prom"
# silent targets waited for 30 s: the run is still going when signalled
make_hosts 40 | sed "s/\$/:$DEAD/" >"$T/slow-inventory"
echo "127.0.0.1:$SP" >>"$T/slow-inventory"
for sig in INT TERM; do
	"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/slow-inventory" -t 30 -r 0 -F prom -o "$PROM" \
	    sysUpTime.0 </dev/null >/dev/null 2>"$T/sig.err" &
	PID=$!
	track_pid "$PID"
	# until its records file holds the live target's sample
	for ((i = 0; i < 200; i++)); do
		grep -qs '^snmpfleet_up' "$PROM.records.$PID" && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	ok "$(grep -qs '^snmpfleet_up' "$PROM.records.$PID"; echo $?)" \
	    "SIG$sig: the run is collecting records (in $(basename "$PROM").records.PID)"
	kill -s "$sig" "$PID"
	wait "$PID"
	RC=$?
	want=143
	[ "$sig" = INT ] && want=130
	is "$RC" "$want" "SIG$sig: the run exits $want"
	session_no_leftovers "$PID" "SIG$sig: nothing of the run is left"
	is_file "$PROM" "$T/previous.prom" "SIG$sig: the previous file is unchanged"
	is "$(ls "$T/textfile")" "snmp.prom" "SIG$sig: its records and temporary files are removed"
done

# --------------------------------------------- a deadline run writes one
# the live target first: the window starts small (-j auto), and the
# silent ones ahead of it would hold it for a while
{ tail -1 "$T/slow-inventory"; head -n -1 "$T/slow-inventory"; } >"$T/dl-inventory"
"$SNMPFLEET" -i "$T/dl-inventory" -t 30 -r 0 --deadline 1 -F prom -o "$PROM" \
    sysUpTime.0 </dev/null >/dev/null 2>"$T/dl.err"
is "$?" 4 "a --deadline run exits 4"
python3 "$T/promcheck.py" "$PROM" >"$T/facts"
is "$(head -n 1 "$T/facts")" ok "... and replaces the file with a valid one"
is "$(fact targets)" "ok=1,timeout=0,error=0,deadline=40,not_finished=0" \
    "... whose snmpfleet_targets{status=\"deadline\"} counts the unfinished targets"
is "$(fact up1)/$(fact up)" "1/41" "... and snmpfleet_up is 0 for them"

# ------------------------------------ a sweep has no one run to turn into it
mkdir "$T/sweepdir"
"$SNMPFLEET" --sweep 1,2 -F prom -o "$T/sweepdir/s.prom" -H 127.0.0.1 \
    --port "$SP" sysUpTime.0 </dev/null >/dev/null 2>"$T/sweep.err"
is "$?" 2 "--sweep with -F prom: exit 2, before polling"
like "$(cat "$T/sweep.err")" "-F prom .*a sweep writes every level's records" \
    "... the message says why"
is "$(ls -A "$T/sweepdir")" "" "... and no file is left behind (no staging file)"

