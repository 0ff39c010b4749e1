#!/usr/bin/env bash
# dump.sh — -d/--dump: every datagram sent and received, once and whole,
# as a hex block with its time, direction and peer, beside whole records.
#
# A 3-target run (GETs and walks, small max-repetitions so there are many
# datagrams), -F jsonl -o FILE, with -P 1 and -P 2, the dump on stderr;
# the hex blocks are read back into bytes: each is one whole BER SEQUENCE
# whose length is the block's, v2c, its community shown as '*'; sent
# blocks = the run's requests (--stats-file), received = its responses;
# every request-id is sent once to a peer, and every reply is dumped once
# and answers one of them.  --dump-file FILE takes the dump instead of stderr.  A v3
# target's datagrams (net-snmp's session sockets) are in the dump too.
# Then on a terminal (a pty from script(1)) with the progress line forced
# on and a run made to last (--rate): replayed as a terminal shows it,
# whatever the progress line erased was a progress line, never a piece of
# a dump block, and every line left on the screen is a dump line or the
# summary.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpber

T=$LIB_TMP
start_snmpd_conf 'createUser dumpuser' 'rouser dumpuser noauth'
P=$SNMPD_PORT
HOSTS=(-H 127.0.0.1 -H 127.0.0.2 -H 127.0.0.3)
WORK=(sysName.0 sysDescr.0 -w 1.3.6.1.2.1.1 --max-repetitions 2)

# dump_facts DUMP STATS — what the dump holds, as "key value" lines.
dump_facts() {
	python3 - "$1" "$2" "$P" <<'PY'
import json, re, sys
from snmpber import dec_tlv
dump, stats, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
head = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
                  r"(Sending|Received) (\d+) bytes (to|from) "
                  r"UDP: \[([0-9.]+)\]:(\d+)$")
hexl = re.compile(r"^([0-9A-F]{4}):((?:  (?:[0-9A-F]{2}| {2})(?: (?:[0-9A-F]{2}| {2})){3}){4})    (.*)$")
summ = re.compile(r"^snmpfleet: \d+ targets: ")
blocks, cur, bad = [], None, []
other = 0
for n, line in enumerate(open(dump, encoding="utf-8", errors="replace"), 1):
    line = line.rstrip("\n")
    m = head.match(line)
    if m:
        cur = {"sent": m.group(1) == "Sending", "n": int(m.group(2)),
               "peer": (m.group(4), int(m.group(5))), "b": bytearray()}
        blocks.append(cur)
        continue
    m = hexl.match(line)
    if m and cur is not None:
        if int(m.group(1), 16) != len(cur["b"]):
            bad.append("line %d: offset %s" % (n, m.group(1)))
        cur["b"] += bytes.fromhex(m.group(2).replace(" ", ""))
        continue
    if line == "":
        cur = None
        continue
    if summ.match(line):
        continue
    other += 1
    bad.append("line %d: %r" % (n, line[:120]))
sent_ids, got_ids = {}, []
whole = v2c = v3 = masked = 0
for b in blocks:
    data = bytes(b["b"])
    try:
        tag, msg, end = dec_tlv(data, 0)
        ok = tag == 0x30 and end == len(data) == b["n"]
    except (IndexError, ValueError):
        ok = False
    if not ok:
        bad.append("not one whole SEQUENCE of %d bytes: %s" % (b["n"], data[:16].hex()))
        continue
    whole += 1
    _, ver, i = dec_tlv(msg, 0)
    if ver == b"\x03":
        v3 += 1
        continue
    v2c += ver == b"\x01"
    _, comm, i = dec_tlv(msg, i)
    masked += comm == b"*" * len(comm) and len(comm) == 6
    _, pdu, _ = dec_tlv(msg, i)
    _, rid, _ = dec_tlv(pdu, 0)
    # request-ids are unique per worker's socket, so per peer (a target
    # is polled by one worker)
    if b["sent"]:
        if (rid, b["peer"]) in sent_ids:
            bad.append("request-id %s sent twice" % rid.hex())
        sent_ids[rid, b["peer"]] = 1
    else:
        got_ids.append((rid, b["peer"]))
matched = sum(1 for k in got_ids if k in sent_ids)
if len(set(got_ids)) != len(got_ids):
    bad.append("a reply dumped twice")
    matched = -1
st = json.load(open(stats)) if stats != "-" else {}
print("blocks", len(blocks))
print("whole", whole)
print("v2c", v2c)
print("v3", v3)
print("masked", masked)
print("sent", sum(1 for b in blocks if b["sent"]))
print("received", sum(1 for b in blocks if not b["sent"]))
print("requests", st.get("requests"))
print("responses", st.get("responses"))
print("matched", matched)
print("peers", " ".join(sorted({"%s:%d" % b["peer"] for b in blocks})))
print("ports", int(all(b["peer"][1] == port for b in blocks)))
print("other", other)
for w in bad[:5]:
    print("why", w)
PY
}

fact() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$T/facts"; }
show_why() { diag "$(grep '^why' "$T/facts")"; }

# check_dump NAME DUMP STATS — the dump of a 3-target v2c run.
check_dump() {
	local name=$1
	dump_facts "$2" "$3" >"$T/facts"
	ok $(($(fact blocks) > 6 ? 0 : 1)) "$name: the dump has blocks ($(fact blocks))"
	is "$(fact whole)" "$(fact blocks)" \
	    "$name: every block is one whole BER SEQUENCE of its stated size" || show_why
	is "$(fact v2c)" "$(fact blocks)" "$name: every block is a v2c message"
	is "$(fact masked)" "$(fact blocks)" "$name: every community is shown as ******"
	is "$(fact sent)/$(fact received)" "$(fact requests)/$(fact responses)" \
	    "$name: sent blocks = requests, received blocks = responses (--stats-file)"
	is "$(fact matched)" "$(fact received)" \
	    "$name: every received block is there once and answers a request-id sent once to that peer" || show_why
	is "$(fact peers)/$(fact ports)" "127.0.0.1:$P 127.0.0.2:$P 127.0.0.3:$P/1" \
	    "$name: the blocks name the 3 targets (address and port)"
	is "$(fact other)" 0 "$name: nothing else on it but the summary" || show_why
}

# check_records NAME FILE — 3 whole jsonl records, all ok.
check_records() {
	check "$1: the records are whole JSON objects" jsonl_check "$2"
	is "$(python3 -c 'import json,sys; print(sorted((r["host"], r["status"]) for r in map(json.loads, open(sys.argv[1]))))' "$2")" \
	    "[('127.0.0.1', 'ok'), ('127.0.0.2', 'ok'), ('127.0.0.3', 'ok')]" \
	    "$1: one ok record per target"
}

for procs in 1 2; do
	"$SNMPFLEET" -c public "${HOSTS[@]}" --port "$P" -t 2 -r 0 -P "$procs" \
	    -F jsonl -o "$T/p$procs.jsonl" --stats-file "$T/p$procs.stats" -d \
	    "${WORK[@]}" </dev/null 2>"$T/p$procs.dump"
	is "$?" 0 "-d -P $procs: exit 0"
	check_records "-d -P $procs" "$T/p$procs.jsonl"
	check_dump "-d -P $procs" "$T/p$procs.dump" "$T/p$procs.stats"
done
unlike "$(cat "$T/p1.dump" "$T/p2.dump")" public "-d: the community never shows"

# --dump-file: the dump there, stderr keeps only the summary
"$SNMPFLEET" -c public "${HOSTS[@]}" --port "$P" -t 2 -r 0 -P 2 -F jsonl \
    -o "$T/f.jsonl" --stats-file "$T/f.stats" --dump-file "$T/f.dump" \
    "${WORK[@]}" </dev/null 2>"$T/f.err"
is "$?" 0 "--dump-file: exit 0"
check_dump "--dump-file" "$T/f.dump" "$T/f.stats"
like "$(cat "$T/f.err")" "^snmpfleet: 3 targets: 3 ok" "--dump-file: stderr has the summary"
unlike "$(cat "$T/f.err")" "Sending" "--dump-file: and no dump"
"$SNMPFLEET" "${HOSTS[@]}" --port "$P" --dump-file "$T/no/such/dir" \
    sysName.0 </dev/null >/dev/null 2>"$T/fbad.err"
is "$?" 2 "--dump-file in a missing directory: exit 2 before polling"

# without -d: no dump at all
"$SNMPFLEET" -c public "${HOSTS[@]}" --port "$P" -t 2 -F jsonl -o "$T/n.jsonl" \
    "${WORK[@]}" </dev/null 2>"$T/n.err"
unlike "$(cat "$T/n.err")" "Sending|Received" "without -d: no dump"

# a v3 target (net-snmp's session socket) with -P 2
"$SNMPFLEET" -v 3 -u dumpuser -l noAuthNoPriv -H 127.0.0.4 --port "$P" -t 2 \
    -P 2 -F jsonl -o "$T/v3.jsonl" -d sysName.0 </dev/null 2>"$T/v3.dump"
is "$?" 0 "-d, v3: exit 0"
dump_facts "$T/v3.dump" - >"$T/facts"
is "$(fact whole)/$(fact v3)/$(fact blocks)" "4/4/4" \
    "-d, v3: discovery and the GET, each way: 4 whole v3 messages"
is "$(fact sent)/$(fact received)/$(fact peers)" "2/2/127.0.0.4:$P" \
    "-d, v3: 2 sent to and 2 received from the target"

# ------------------------------------------------ on a terminal, -P 2
if ! command -v script >/dev/null 2>&1 ||
    ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	pass "# SKIP terminal: no working script(1)"
	done_testing
fi
SHELL=/bin/sh script -qefc "$(printf '%q ' "$SNMPFLEET" -c public \
    "${HOSTS[@]}" --port "$P" -t 2 -r 0 -P 2 -F jsonl -o "$T/tty.jsonl" \
    --stats-file "$T/tty.stats" -d --progress --rate 25 sysName.0 \
    -w 1.3.6.1.2.1.1 --max-repetitions 1)" /dev/null </dev/null \
    >"$T/tty.cap" 2>&1 &
track_pid $!
wait $!
is "$?" 0 "terminal: exit 0"
check_records "terminal" "$T/tty.jsonl"
python3 - "$T/tty.cap" "$T/tty.screen" >"$T/facts" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
data = data.replace("\r\n", "\n")
prog = re.compile(r"^snmpfleet: \d+/\d+ targets \(\d+%\).*$")
ERASE = "\r\033[K"
erased = torn = 0
why, lines, cur, i = [], [], "", 0
while i < len(data):
    if data.startswith(ERASE, i):
        if prog.match(cur):
            erased += 1
        elif cur != "":
            torn += 1
            why.append("erased %r" % cur[:120])
        cur, i = "", i + len(ERASE)
        continue
    j, k = data.find("\n", i), data.find(ERASE, i)
    if j < 0 and k < 0:
        cur += data[i:]
        break
    if j >= 0 and (k < 0 or j < k):
        lines.append(cur + data[i:j])
        cur, i = "", j + 1
    else:
        cur, i = cur + data[i:k], k
open(sys.argv[2], "w").write("".join(l + "\n" for l in lines))
print("erased", erased)
print("torn", torn)
print("trailing", len(cur))
for w in why[:3]:
    print("why", w)
PY
ok $(($(fact erased) > 0 ? 0 : 1)) "terminal: the progress line was drawn and cleared ($(fact erased) times)"
is "$(fact torn)/$(fact trailing)" 0/0 \
    "terminal: nothing but the progress line was ever erased, none left at the end" || show_why
check_dump "terminal" "$T/tty.screen" "$T/tty.stats"

done_testing
