#!/usr/bin/env bash
# reply-checks.sh — a reply counts only when it comes from the address and
# port the request went to and carries the request's id.  A small
# responder of our own (python3) answers each GET by echoing it back as a
# GetResponse (values NULL): correctly from one port, from the wrong port
# on another, with a wrong request id on a third, and from the wrong
# source address on a fourth; a fifth answers with a stale request id:
# one that names the same slot (same low bits) but an earlier or later
# request of it, as a late answer to a retransmitted request would (a
# reply must match the whole id, not only its slot).  Loopback only.
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpber

plan 16

responder=$LIB_TMP/responder.py
cat >"$responder" <<'PY'
import sys
from snmpber import bind, dec_header as header, mark_ready

# mode: good | wrongport | wrongid | wrongaddr | staleid | toobig (tooBig
# when a request holds more than 2 OIDs)
mode, port, portfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = bind(port)
other = bind(0, "127.0.0.2" if mode == "wrongaddr" else "127.0.0.1")
mark_ready(portfile)

while True:
    data, peer = s.recvfrom(65535)
    b = bytearray(data)
    _, body, _ = header(b, 0)                 # message SEQUENCE
    _, vstart, vlen = header(b, body)         # version
    _, cstart, clen = header(b, vstart + vlen)  # community
    pdu = cstart + clen
    if b[pdu] != 0xa0:
        continue
    b[pdu] = 0xa2                             # GetRequest -> GetResponse
    _, rstart, rlen = header(b, pdu)          # into the PDU: request-id
    _, idstart, idlen = header(b, rstart)
    if mode == "wrongid":
        b[idstart + idlen - 1] ^= 0x01
    if mode == "staleid" and idlen >= 2:      # bit 8*(idlen-1)+1: above
        b[idstart] ^= 0x02                    # the slot bits of -j 256
    if mode == "toobig":
        _, estart, elen = header(b, idstart + idlen)   # error-status
        _, istart, ilen = header(b, estart + elen)     # error-index
        _, lstart, llen = header(b, istart + ilen)     # varbind list
        count, i = 0, lstart
        while i < lstart + llen:
            _, cs, cl = header(b, i)
            i, count = cs + cl, count + 1
        if count > 2:
            b[estart] = 1
    sender = s if mode in ("good", "wrongid", "staleid", "toobig") else other
    sender.sendto(bytes(b), peer)
PY

start_responder() {
	local mode=$1 port=$2
	python3 "$responder" "$mode" "$port" "$LIB_TMP/$mode.ready" &
	track_pid $!
	wait_ready "$LIB_TMP/$mode.ready" "responder $mode"
}

good=$(free_udp_port)
start_responder good "$good"
wrongport=$(free_udp_port)
start_responder wrongport "$wrongport"
wrongid=$(free_udp_port)
start_responder wrongid "$wrongid"
wrongaddr=$(free_udp_port)
start_responder wrongaddr "$wrongaddr"
staleid=$(free_udp_port)
start_responder staleid "$staleid"
toobig=$(free_udp_port)
start_responder toobig "$toobig"

run() {
	"$SNMPFLEET" -H "127.0.0.1:$1" -t 0.2 -r 1 -F jsonl -q sysName.0 \
	    >"$LIB_TMP/out.$1" 2>"$LIB_TMP/err.$1"
}

run "$good"
is "$?" 0 "a reply from the right address, port and id is taken"
like "$(cat "$LIB_TMP/out.$good")" '"status":"ok"' "record is ok"
like "$(cat "$LIB_TMP/out.$good")" '"type":"NULL"' "with the echoed NULL value"

run "$wrongport"
is "$?" 1 "a reply from another port is ignored (exit 1)"
like "$(cat "$LIB_TMP/out.$wrongport")" '"status":"timeout"' \
    "the target times out"

run "$wrongid"
is "$?" 1 "a reply with another request id is ignored"
like "$(cat "$LIB_TMP/out.$wrongid")" '"status":"timeout"' \
    "the target times out"

# -j 256 (the default): 256 slots, so the slot is the id's low 8 bits
run "$staleid"
is "$?" 1 "a reply with the slot's bits right but a stale request id is ignored"
like "$(cat "$LIB_TMP/out.$staleid")" '"status":"timeout"' \
    "the target times out"

run "$wrongaddr"
is "$?" 1 "a reply from another address is ignored"
like "$(cat "$LIB_TMP/out.$wrongaddr")" '"status":"timeout"' \
    "the target times out"
like "$(cat "$LIB_TMP/out.$wrongaddr")" '"retries":1' \
    "after its retry"

# tooBig: 5 OIDs asked at once, the agent takes at most 2 per request
"$SNMPFLEET" -H "127.0.0.1:$toobig" -t 0.5 -r 1 -F jsonl --max-oids 32 \
    sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 sysName.0 \
    >"$LIB_TMP/out.toobig" 2>"$LIB_TMP/err.toobig"
is "$?" 0 "tooBig answers are split until they fit"
python3 - "$LIB_TMP/out.toobig" >"$LIB_TMP/oids.toobig" <<'PY'
import json, sys
rec = json.loads(open(sys.argv[1]).read())
print(rec["status"], " ".join(v["oid"] for v in rec["values"]))
PY
is "$(cat "$LIB_TMP/oids.toobig")" \
    "ok 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.2.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.4.0 1.3.6.1.2.1.1.5.0" \
    "every value arrives, in the order asked"
like "$(cat "$LIB_TMP/err.toobig")" " 4 requests" \
    "5 OIDs: tooBig, then halves of 2, 2 and 1: 4 requests"
"$SNMPFLEET" -H "127.0.0.1:$toobig" -t 0.5 -r 1 -F jsonl --max-oids 2 \
    sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 sysName.0 \
    >/dev/null 2>"$LIB_TMP/err.toobig2"
like "$(cat "$LIB_TMP/err.toobig2")" " 3 requests" \
    "--max-oids 2 packs 5 OIDs into 3 requests"

done_testing
