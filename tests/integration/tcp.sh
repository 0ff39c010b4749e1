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
#   - 2,000 TCP targets with -j 2000 (and again with -P 2) all answer,
#     with no descriptor errors; under a low open-files limit the run
#     says so and still polls every target (connections wait for one).
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

T=$LIB_TMP
SNMPD_TCP=1 start_snmpd_conf \
    'createUser tcpuser SHA "tcp-auth-pass1" AES "tcp-priv-pass1"' \
    'rouser tcpuser priv'
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
PACE=(--rate 2000)
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
	    -j 2000 -P "$procs" "${PACE[@]}" -t 5 -r 2 -F jsonl sysName.0 \
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

# A low open-files limit: the connections wait for one another.
START=$EPOCHREALTIME
(ulimit -n 160 && "$SNMPFLEET" -i "$T/hosts300" --port "$TP" \
    --transport tcp -j 300 "${PACE[@]}" -t 5 -F jsonl sysName.0 -o "$T/low.jsonl") \
    2>"$T/low.err"
rc=$?
diag "300 TCP targets under ulimit -n 160: $(elapsed_since "$START") s"
is "$rc" 0 "300 TCP targets, -j 300, ulimit -n 160: exit 0"
like "$(cat "$T/low.err")" \
    "open files are limited to 160 .*at most 96 TCP connections at once" \
    "... says how many connections the limit allows"
like "$(tail -1 "$T/low.err")" "300 targets: 300 ok, 0 timeout, 0 error" \
    "... and every target answers"

done_testing
