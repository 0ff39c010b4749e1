#!/usr/bin/env bash
# tcp.sh — SNMP over TCP (RFC 3430) against Debian's snmpd listening on a
# UDP port and, on another port, TCP only (so a target at the TCP port
# can only have been answered over TCP):
#   - walks (system, ifTable, hrStorage) and GETs over TCP give the same
#     varbinds as over UDP, target for target (values that move between
#     two runs, counters, ticks and gauges, compared by type only), for
#     v2c, v1 and v3 authPriv;
#   - the prefixes (tcp:, udp:, tcp6:), the transport= key and
#     --transport choose the transport, the prefix beating the rest;
#   - a TCP target with nothing listening is an error record naming the
#     refused connection, beside good targets, and the run ends (exit 1);
#   - a wrong v3 passphrase over TCP is the agent's Report, as on UDP;
#     noAuthNoPriv and authNoPriv users work, an unknown user is named;
#   - -d dumps the messages of a TCP connection as TCP blocks;
#   - agents of our own: a reply dribbled out a byte at a time is read
#     whole; a silent agent is a timeout, one that hangs up or sends
#     something that is not SNMP an error record saying so;
#   - 2,000 TCP targets with -j 2000 (and again with -P 2) all answer,
#     with no descriptor errors; against an agent of ours that answers
#     late, hundreds of connections are open at once; under a low
#     open-files limit the run says so, holds no more connections than
#     the limit allows and still polls every target (they wait).
#
# One snmpd stands in for every target here, and it listens with a
# backlog of 5 (net-snmp's NETSNMP_STREAM_QUEUE_LEN): a burst of hundreds
# of connects at once overflows it, and the kernel's SYN retries (1 s,
# 3 s, 7 s, ...) make them time out.  Runs of many targets are paced with
# --rate, as they would be against a proxy; separate devices each have
# their own backlog.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
need_snmpber

T=$LIB_TMP
SNMPD_TCP=1 start_snmpd_conf \
    'createUser tcpuser SHA "tcp-auth-pass1" AES "tcp-priv-pass1"' \
    'rouser tcpuser priv' \
    'createUser tcpauth SHA "tcp-auth-pass2"' 'rouser tcpauth auth' \
    'createUser tcpnone' 'rouser tcpnone noauth'
P=$SNMPD_PORT
TP=$SNMPD_TCP_PORT
diag "snmpd: UDP port $P, TCP port $TP"

# canon FILE — text records without the host's port, volatile values
# (Counter32/64, Timeticks, Gauge32, hrStorageUsed) reduced to their type.
canon() {
	sed -E -e 's/^([0-9.]+):[0-9]+ /\1 /' \
	    -e 's/= (Counter32|Counter64|Timeticks|Gauge32): .*/= \1/' \
	    -e 's/^([0-9.]+ \.1\.3\.6\.1\.2\.1\.25\.2\.3\.1\.6\.[0-9]+ = INTEGER): .*/\1/' \
	    "$1" | sort
}

make_hosts 20 >"$T/hosts20"
WALKS=(-w system -w .1.3.6.1.2.1.2.2 -w .1.3.6.1.2.1.25.2)

# ------------------------------------------------- walks, v2c and v1
for v in 2c 1; do
	"$SNMPFLEET" -v "$v" -i "$T/hosts20" --port "$P" -F text -t 3 \
	    "${WALKS[@]}" -o "$T/udp$v.txt" 2>"$T/udp$v.err"
	rc_udp=$?
	"$SNMPFLEET" -v "$v" -i "$T/hosts20" --port "$TP" --transport tcp \
	    -F text -t 3 "${WALKS[@]}" -o "$T/tcp$v.txt" 2>"$T/tcp$v.err"
	rc_tcp=$?
	is "$rc_udp/$rc_tcp" 0/0 "v$v walk: exit 0 over UDP and over TCP"
	canon "$T/udp$v.txt" >"$T/udp$v.canon"
	canon "$T/tcp$v.txt" >"$T/tcp$v.canon"
	n=$(wc -l <"$T/tcp$v.canon")
	ok "$([ "$n" -gt 200 ] && echo 0 || echo 1)" \
	    "v$v walk over TCP: $n varbinds for 20 targets" ||
	    diag "$(head -5 "$T/tcp$v.err")"
	is_file "$T/tcp$v.canon" "$T/udp$v.canon" \
	    "v$v walk over TCP equals the walk over UDP, varbind for varbind"
done
like "$(grep -c ' \.1\.3\.6\.1\.2\.1\.25\.2\.3\.1\.3\.' "$T/tcp2c.txt")" \
    '^[1-9][0-9]*$' "the TCP walk holds hrStorageDescr rows"

# --------------------------------------------------------- GETs, jsonl
make_hosts 300 >"$T/hosts300"
PACE=(--rate 500)	# 2 ms between connects; backlog 5: 10 ms of slack
GETS=(sysDescr.0 sysObjectID.0 sysContact.0 sysName.0 sysLocation.0
    sysServices.0 ifNumber.0)
"$SNMPFLEET" -i "$T/hosts300" --port "$P" -F jsonl "${GETS[@]}" \
    -o "$T/get-udp.jsonl" 2>"$T/get-udp.err"
rc_udp=$?
"$SNMPFLEET" -i "$T/hosts300" --port "$TP" --transport tcp -F jsonl -t 5 \
    "${PACE[@]}" "${GETS[@]}" -o "$T/get-tcp.jsonl" 2>"$T/get-tcp.err"
rc_tcp=$?
is "$rc_udp/$rc_tcp" 0/0 "GETs of 300 targets: exit 0 over UDP and TCP"
cmp_gets() {
	python3 - "$1" "$2" <<'PY'
import json, sys
def load(p):
    out = {}
    for l in open(p):
        r = json.loads(l)
        out[r["host"]] = (r["status"], [(v["oid"], v["type"], v["value"])
                                        for v in r.get("values", [])])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
ok = sum(1 for h in a if a[h][0] == "ok" and len(a[h][1]) == 7)
print(len(a), ok, int(a == b))
PY
}
is "$(cmp_gets "$T/get-tcp.jsonl" "$T/get-udp.jsonl")" "300 300 1" \
    "GETs over TCP: 300 ok records, the same values as over UDP" ||
    diag "$(head -3 "$T/get-tcp.err")"

# ----------------------------------------------------- v3 authPriv
V3=(-v 3 -u tcpuser -l authPriv -a SHA -A tcp-auth-pass1 -x AES
    -X tcp-priv-pass1)
make_hosts 10 >"$T/hosts10"
"$SNMPFLEET" "${V3[@]}" -i "$T/hosts10" --port "$P" -F text -t 3 \
    -w system -o "$T/v3udp.txt" 2>"$T/v3udp.err"
rc_udp=$?
"$SNMPFLEET" "${V3[@]}" -i "$T/hosts10" --port "$TP" --transport tcp \
    -F text -t 3 -w system -o "$T/v3tcp.txt" 2>"$T/v3tcp.err"
rc_tcp=$?
is "$rc_udp/$rc_tcp" 0/0 "v3 authPriv walk: exit 0 over UDP and TCP" ||
    diag "$(head -3 "$T/v3tcp.err")"
canon "$T/v3udp.txt" >"$T/v3udp.canon"
canon "$T/v3tcp.txt" >"$T/v3tcp.canon"
like "$(grep -c 'sysName\|\.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING: "'"$SNMPD_SYSNAME" \
    "$T/v3tcp.txt")" '^10$' "v3 authPriv over TCP: sysName of all 10 targets"
is_file "$T/v3tcp.canon" "$T/v3udp.canon" \
    "v3 authPriv walk over TCP equals the walk over UDP"

"$SNMPFLEET" -v 3 -u tcpuser -l authPriv -a SHA -A wrong-auth-pass -x AES \
    -X tcp-priv-pass1 -H "tcp:127.0.0.1:$TP" -F jsonl -t 3 sysName.0 \
    -o "$T/v3bad.jsonl" 2>/dev/null
rc=$?
is "$rc $(rec "$T/v3bad.jsonl" 'r["status"], r.get("error")')" \
    "1 ('error', 'wrong authentication passphrase (wrong digest)')" \
    "v3 over TCP, wrong passphrase: the agent's Report, as an error record"

for lv in "tcpauth authNoPriv -a SHA -A tcp-auth-pass2" \
    "tcpnone noAuthNoPriv"; do
	set -- $lv
	u=$1 l=$2
	shift 2
	"$SNMPFLEET" -v 3 -u "$u" -l "$l" "$@" -H "tcp:127.0.0.1:$TP" \
	    -F jsonl -t 3 sysName.0 -o "$T/lv$l.jsonl" 2>/dev/null
	rc=$?
	is "$rc $(rec "$T/lv$l.jsonl" 'r["status"], vals[0][2]')" \
	    "0 ('ok', '$SNMPD_SYSNAME')" "v3 $l over TCP: ok"
done
"$SNMPFLEET" -v 3 -u nosuchuser -l noAuthNoPriv -H "tcp:127.0.0.1:$TP" \
    -F jsonl -t 3 sysName.0 -o "$T/nouser.jsonl" 2>/dev/null
is "$(rec "$T/nouser.jsonl" 'r["status"], r.get("error")')" \
    "('error', 'unknown user name')" "v3 over TCP, unknown user: named"

# ------------------------------------------------- agents of our own
python3 - "$T/agents" >"$T/agents.log" 2>&1 <<'PY' &
import socket, sys, threading, time
from snmpber import parse, response, tlv, mark_ready

def frames(conn):
    buf = b""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while len(buf) >= 2:
            n = buf[1]
            hdr = 2
            if n & 0x80:
                k = n & 0x7f
                n = int.from_bytes(buf[2:2 + k], "big")
                hdr += k
            if len(buf) < hdr + n:
                break
            yield buf[:hdr + n]
            buf = buf[hdr + n:]

def split(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for msg in frames(conn):
        ver, comm, ptag, rid, a, b, oids = parse(msg)
        out = response(ver, comm, rid,
                       [(o, tlv(0x04, b"split-agent")) for o in oids])
        for i in range(len(out)):
            conn.send(out[i:i + 1])
            time.sleep(0.001)

def silent(conn):
    for _ in frames(conn):
        pass

def hangup(conn):
    conn.recv(65536)

def garbage(conn):
    conn.recv(65536)
    conn.send(b"HTTP/1.0 400 Bad Request\r\n\r\n")
    time.sleep(1)

def listen(handler):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    def loop():
        while True:
            c, _ = s.accept()
            def run(c=c):
                try:
                    handler(c)
                finally:
                    c.close()
            threading.Thread(target=run, daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]

ports = {h.__name__: listen(h) for h in (split, silent, hangup, garbage)}
with open(sys.argv[1] + ".ports", "w") as f:
    for k, v in ports.items():
        f.write("%s %d\n" % (k, v))
mark_ready(sys.argv[1])
threading.Event().wait(600)
PY
track_pid $!
wait_ready "$T/agents" "the TCP agents" "$T/agents.log"
aport() { awk -v k="$1" '$1 == k { print $2 }' "$T/agents.ports"; }
for a in split silent hangup garbage; do
	echo "tcp:127.0.0.1:$(aport $a)"
done >"$T/agents.inv"
"$SNMPFLEET" -i "$T/agents.inv" -F jsonl -t 0.5 -r 1 sysName.0 sysDescr.0 \
    -o "$T/agents.jsonl" 2>"$T/agents.err"
rc=$?
is "$rc" 1 "our own agents: exit 1"
python3 - "$T/agents.jsonl" "$T/agents.ports" >"$T/agents.facts" <<'PY'
import json, sys
name = {int(l.split()[1]): l.split()[0] for l in open(sys.argv[2])}
for l in open(sys.argv[1]):
    r = json.loads(l)
    v = [x["value"] for x in r.get("values", [])]
    print(name[r["port"]], r["status"], r.get("error") or v)
PY
is "$(sort "$T/agents.facts")" "garbage error the agent sent something that is not an SNMP message
hangup error connection closed by the agent
silent timeout []
split ok ['split-agent', 'split-agent']" \
    "a reply a byte at a time is read whole; silent: timeout; hang-up and non-SNMP: errors saying so"

# ----------------------------------- prefixes, transport=, --transport
REFUSED=$(free_tcp_port) || bail_out "no free TCP port"
cat >"$T/inv" <<EOF
tcp:127.0.0.1:$TP
127.0.0.2:$TP transport=tcp
127.0.0.3 transport=tcp port=$TP
udp:127.0.0.4:$P transport=tcp
127.0.0.5:$REFUSED transport=tcp
TCP:127.0.0.6:$TP
EOF
"$SNMPFLEET" -i "$T/inv" -F jsonl -t 2 -r 1 sysName.0 -o "$T/inv.jsonl" \
    2>"$T/inv.err"
rc=$?
is "$rc" 1 "inventory with a refused TCP target: exit 1"
python3 - "$T/inv.jsonl" >"$T/inv.facts" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    v = r["values"][0]["value"] if r.get("values") else None
    print(r["host"], r["status"], v or r.get("error"))
PY
is "$(sort "$T/inv.facts")" "127.0.0.1 ok $SNMPD_SYSNAME
127.0.0.2 ok $SNMPD_SYSNAME
127.0.0.3 ok $SNMPD_SYSNAME
127.0.0.4 ok $SNMPD_SYSNAME
127.0.0.5 error connect: connection refused
127.0.0.6 ok $SNMPD_SYSNAME" \
    "tcp: prefix, transport=tcp, udp: beating transport=tcp; the refused one an error record"

out=$("$SNMPFLEET" -H "127.0.0.1:$TP" --transport tcp -F text sysName.0 2>&1)
like "$out" "^127\.0\.0\.1:$TP \.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING: \"$SNMPD_SYSNAME\"" \
    "--transport tcp: a host without prefix goes over TCP"
out=$("$SNMPFLEET" -d -H "tcp:127.0.0.1:$TP" -F text sysName.0 2>&1)
is "$(grep -cE '^[0-9T:.-]+Z (Sending [0-9]+ bytes to|Received [0-9]+ bytes from) TCP: \[127\.0\.0\.1\]:'"$TP"'$' <<<"$out")" 2 \
    "-d over TCP: the request and the response, each once, as TCP blocks"
out=$("$SNMPFLEET" -H "udp:127.0.0.1:$P" --transport tcp -F text sysName.0 2>&1)
like "$out" "^127\.0\.0\.1:$P \.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING:" \
    "--transport tcp: a udp: prefix still goes over UDP"
out=$("$SNMPFLEET" -H "127.0.0.1:$TP" -F jsonl -t 0.3 -r 0 sysName.0 2>&1)
like "$out" '"status":"timeout"' \
    "without a prefix or --transport, the TCP-only port is not answered (UDP)"

if [ "$SNMPD_V6" = 1 ]; then
	out=$("$SNMPFLEET" -H "tcp6:[::1]:$TP" -F text sysName.0 2>&1)
	like "$out" "^\\[::1\\]:$TP .* = STRING: \"$SNMPD_SYSNAME\"" \
	    "tcp6:[::1]:PORT answers over TCP"
	out=$("$SNMPFLEET" -H "udp6:::1" --port "$P" -F text sysName.0 2>&1)
	like "$out" "^::1 .* = STRING: \"$SNMPD_SYSNAME\"" \
	    "udp6:::1 (net-snmp's bare form) with --port"
else
	pass "# SKIP no IPv6 loopback: tcp6:"
	pass "# SKIP no IPv6 loopback: udp6:"
fi
out=$("$SNMPFLEET" -H "tcp6:127.0.0.1:$TP" sysName.0 2>&1)
rc=$?
is "$rc" 2 "tcp6: with an IPv4 address: exit 2"
like "$out" "tcp6 needs an IPv6 address" "... and says why"
printf '127.0.0.1 transport=sctp\n' >"$T/badinv"
out=$("$SNMPFLEET" -i "$T/badinv" sysName.0 2>&1)
rc=$?
is "$rc" 2 "transport=sctp: exit 2 before polling"
like "$out" "badinv:1: unknown transport 'sctp' \(use udp or tcp\)" \
    "... as FILE:LINE: reason"

# ------------------------------------------------------------- refused
START=$EPOCHREALTIME
"$SNMPFLEET" -H "tcp:127.0.0.1:$REFUSED" -H "tcp:127.0.0.1:$TP" -w system \
    -t 2 -r 2 -F jsonl -o "$T/refused.jsonl" 2>"$T/refused.err"
rc=$?
diag "refused + good target: $(elapsed_since "$START") s"
is "$rc" 1 "a refused TCP target: the run ends, exit 1"
like "$(grep "\"port\":$REFUSED," "$T/refused.jsonl")" \
    '"status":"error","error":"connect: connection refused"' \
    "... its record is an error naming the refused connection"
like "$(grep "\"port\":$TP," "$T/refused.jsonl")" '"status":"ok"' \
    "... and the good target beside it is ok"

# ------------------------------------------- many targets, descriptors
make_hosts 2000 >"$T/hosts2000"
for procs in 1 2; do
	START=$EPOCHREALTIME
	"$SNMPFLEET" -i "$T/hosts2000" --port "$TP" --transport tcp \
	    -j 2000 -P "$procs" "${PACE[@]}" -t 5 -r 3 -F jsonl sysName.0 \
	    -o "$T/many$procs.jsonl" 2>"$T/many$procs.err"
	rc=$?
	diag "2000 TCP targets, -j 2000 -P $procs: $(elapsed_since "$START") s"
	is "$rc" 0 "2000 TCP targets, -j 2000 -P $procs: exit 0" ||
	    diag "$(tail -3 "$T/many$procs.err")"
	like "$(tail -1 "$T/many$procs.err")" \
	    "^snmpfleet: 2000 targets: 2000 ok, 0 timeout, 0 error" \
	    "... every target ok"
	unlike "$(cat "$T/many$procs.jsonl" "$T/many$procs.err")" \
	    "too many open files|EMFILE" "... no descriptor errors"
done

# Connections held open at once: an agent of our own that answers every
# request 1 s late, listening with a long backlog, counts the
# connections it holds (the most at once, in a file).
python3 - "$T/slow" >"$T/slow.log" 2>&1 <<'PY' &
import heapq, os, selectors, socket, sys, time
from snmpber import parse, response, tlv, mark_ready

sel = selectors.DefaultSelector()
ls = socket.socket()
ls.bind(("0.0.0.0", 0))		# as snmpd: it answers as every 127.x.y.z
ls.listen(4096)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
bufs, due, most = {}, [], 0
with open(sys.argv[1] + ".port", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
mark_ready(sys.argv[1])
def note():
    with open(sys.argv[1] + ".most", "w") as f:
        f.write("%d\n" % most)
while True:
    wait = max(0, due[0][0] - time.monotonic()) if due else 1
    for key, _ in sel.select(wait):
        if key.fileobj is ls:
            try:
                c, _ = ls.accept()
            except BlockingIOError:
                continue
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ)
            bufs[c] = b""
            if not os.path.exists(sys.argv[1] + ".most"):
                most = 0	# the test removed it: count anew
            if len(bufs) > most:
                most = len(bufs)
                note()
            continue
        c = key.fileobj
        try:
            data = c.recv(65536)
        except ConnectionError:
            data = b""
        if not data:
            sel.unregister(c)
            del bufs[c]
            c.close()
            continue
        bufs[c] += data
        b = bufs[c]
        if len(b) >= 2 and len(b) >= 2 + b[1]:	# short requests only
            ver, comm, ptag, rid, _, _, oids = parse(b[:2 + b[1]])
            bufs[c] = b[2 + b[1]:]
            out = response(ver, comm, rid,
                           [(o, tlv(0x04, b"slow-agent")) for o in oids])
            heapq.heappush(due, (time.monotonic() + 1, id(out), c, out))
    while due and due[0][0] <= time.monotonic():
        _, _, c, out = heapq.heappop(due)
        if c in bufs:
            c.send(out)
PY
track_pid $!
wait_ready "$T/slow" "the slow TCP agent" "$T/slow.log"
SLOW=$(cat "$T/slow.port")

"$SNMPFLEET" -i "$T/hosts2000" --port "$SLOW" --transport tcp -j fixed:2000 \
    -t 10 -F jsonl sysName.0 -o "$T/slow2000.jsonl" 2>"$T/slow2000.err"
rc=$?
is "$rc" 0 "2000 TCP targets answering 1 s late, -j fixed:2000: exit 0" ||
    diag "$(tail -3 "$T/slow2000.err")"
like "$(tail -1 "$T/slow2000.err")" "2000 targets: 2000 ok, 0 timeout, 0 error" \
    "... every target ok"
most=$(cat "$T/slow.most")
ok "$([ "$most" -gt 500 ] && echo 0 || echo 1)" \
    "... with $most connections open at once (more than 500)"

# A low open-files limit: the connections wait for one another.
rm -f "$T/slow.most"
(ulimit -n 160 && "$SNMPFLEET" -i "$T/hosts300" --port "$SLOW" \
    --transport tcp -j fixed:300 -t 10 -F jsonl sysName.0 -o "$T/low.jsonl") \
    2>"$T/low.err"
rc=$?
is "$rc" 0 "300 TCP targets, -j fixed:300, ulimit -n 160: exit 0" ||
    diag "$(tail -3 "$T/low.err")"
like "$(cat "$T/low.err")" \
    "open files are limited to 160 .*at most 96 TCP connections at once" \
    "... says how many connections the limit allows"
like "$(tail -1 "$T/low.err")" "300 targets: 300 ok, 0 timeout, 0 error" \
    "... and every target answers"
most=$(cat "$T/slow.most")
# (the agent counts a connection until it reads our close: a few more)
ok "$([ "$most" -le 106 ] && [ "$most" -gt 48 ] && echo 0 || echo 1)" \
    "... with about 96 connections open at once, not 300 ($most)"
unlike "$(cat "$T/low.jsonl" "$T/low.err")" "too many open files|EMFILE" \
    "... and no descriptor errors"

done_testing
