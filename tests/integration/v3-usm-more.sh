#!/usr/bin/env bash
# v3-usm-more.sh — the rest of USM, against Debian's snmpd and the
# hostile.py v3-context agent:
#
#  - Cisco's AES-192-C and AES-256-C (net-snmp's spellings; the key is
#    extended the Reeder way, not Blumenthal's as for AES-192/AES-256):
#    snmpd's users created with them answer snmpfleet, and -F text equals
#    snmpget -x AES-256-C's; asked with the Blumenthal AES-256 instead,
#    the same user fails (so the extension really differs, and -C is not
#    an alias of it); the per-target priv= key and net-snmp's AES256C.
#  - -E / contextengineid=: snmpd's own engineID as contextEngineID works;
#    -E goes on the wire (read in the --dump of an authNoPriv request);
#    a bad one is exit 2; an agent that drops requests for a foreign
#    contextEngineID gives a record naming it.
#  - an unknown context: snmpd drops such requests without a word (RFC
#    3413 3.2), which at authPriv looked like a wrong privacy passphrase;
#    the record now says "unknown context 'NAME'" (and without retries, to
#    check with, names both).  An agent that sends the Report
#    (snmpUnknownContexts) gets the same words at once.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpget
need_snmpber

T=$LIB_TMP
HOSTILE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hostile.py

start_snmpd_conf \
    'createUser uc256 SHA "sha-auth-pass1" AES-256-C "aes256c-priv-p1"' \
    'rouser uc256 priv' \
    'createUser uc192 SHA-256 "sha256-auth-p1" AES-192-C "aes192c-priv-p1"' \
    'rouser uc192 priv' \
    'createUser ub256 SHA "sha-auth-pass1" AES-256 "aes256c-priv-p1"' \
    'rouser ub256 priv' \
    'createUser uauth SHA "auth-only-pass1"' 'rouser uauth auth'
P=$SNMPD_PORT
ENGINE=$(snmpd_engine_id)
diag "snmpd on port $P, engineID $ENGINE"

C256=(-v 3 -u uc256 -l authPriv -a SHA -A sha-auth-pass1 -x AES-256-C
    -X aes256c-priv-p1)
C192=(-v 3 -u uc192 -l authPriv -a SHA-256 -A sha256-auth-p1 -x AES-192-C
    -X aes192c-priv-p1)
OIDS=(1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.6.0)

# expect_text HOSTS... — what snmpget -On prints, after "HOST ", per host
expect_text() {
	local h
	for h in "$@"; do
		sed "s/^/$h /" "$T/sg"
	done | sort
}

# ---------------------------------------------------- Cisco AES-256-C
if ! snmpget -On -t 2 -r 1 "${C256[@]}" "127.0.0.1:$P" "${OIDS[@]}" \
    >"$T/sg" 2>"$T/sg.err" || ! grep -q "$SNMPD_SYSNAME" "$T/sg"; then
	bail_out "snmpget -x AES-256-C does not work against this snmpd: $(cat "$T/sg.err")"
fi
"$SNMPFLEET" "${C256[@]}" -H 127.0.3.1-20 --port "$P" -t 2 -F text -q \
    "${OIDS[@]}" >"$T/c256.txt" 2>"$T/c256.err"
is "$?" 0 "AES-256-C: exit 0"
sort "$T/c256.txt" >"$T/c256.sorted"
expect_text $(printf '127.0.3.%d ' $(seq 1 20)) >"$T/c256.want"
is_file "$T/c256.sorted" "$T/c256.want" \
    "AES-256-C: 20 targets print exactly what snmpget -x AES-256-C prints"

# the same user asked with Blumenthal's AES-256: another key, no answer
"$SNMPFLEET" -v 3 -u uc256 -l authPriv -a SHA -A sha-auth-pass1 -x AES-256 \
    -X aes256c-priv-p1 -H 127.0.0.1 --port "$P" -t 0.5 -r 0 -F jsonl -q \
    sysName.0 >"$T/wrongext.jsonl" 2>/dev/null
is "$?" 1 "AES-256 (Blumenthal) for an AES-256-C user: exit 1"
is "$(rec "$T/wrongext.jsonl" 'r["status"]')" error \
    "AES-256 (Blumenthal) for an AES-256-C user: not answered (the keys differ)"
# and the other way round
"$SNMPFLEET" -v 3 -u ub256 -l authPriv -a SHA -A sha-auth-pass1 \
    -x AES-256-C -X aes256c-priv-p1 -H 127.0.0.1 --port "$P" -t 0.5 -r 0 \
    -F jsonl -q sysName.0 >"$T/wrongext2.jsonl" 2>/dev/null
is "$(rec "$T/wrongext2.jsonl" 'r["status"]')" error \
    "AES-256-C for an AES-256 (Blumenthal) user: not answered"
"$SNMPFLEET" -v 3 -u ub256 -l authPriv -a SHA -A sha-auth-pass1 \
    -x AES-256 -X aes256c-priv-p1 -H 127.0.0.1 --port "$P" -t 2 \
    -F jsonl -q sysName.0 >"$T/rightext2.jsonl" 2>/dev/null
is "$(rec "$T/rightext2.jsonl" 'r["status"], vals[0][2]')" \
    "('ok', '$SNMPD_SYSNAME')" "AES-256 for the AES-256 user: answered"

# ---------------------------------------------------- Cisco AES-192-C
snmpget -On -t 2 -r 1 "${C192[@]}" "127.0.0.1:$P" "${OIDS[@]}" >"$T/sg" \
    2>"$T/sg.err"
"$SNMPFLEET" "${C192[@]}" -H 127.0.4.1-3 --port "$P" -t 2 -F text -q \
    "${OIDS[@]}" >"$T/c192.txt" 2>"$T/c192.err"
is "$?" 0 "AES-192-C with SHA-256: exit 0"
sort "$T/c192.txt" >"$T/c192.sorted"
expect_text 127.0.4.1 127.0.4.2 127.0.4.3 >"$T/c192.want"
is_file "$T/c192.sorted" "$T/c192.want" \
    "AES-192-C with SHA-256: 3 targets print what snmpget -x AES-192-C prints"

# per-target keys, net-snmp's other spelling, in one inventory
cat >"$T/inv" <<EOF
127.0.5.1 port=$P version=3 user=uc256 level=authPriv auth=SHA authpass=sha-auth-pass1 priv=AES256C privpass=aes256c-priv-p1
127.0.5.2 port=$P version=3 user=uc192 level=authPriv auth=SHA-256 authpass=sha256-auth-p1 priv=aes-192-c privpass=aes192c-priv-p1
127.0.5.3 port=$P version=2c
EOF
chmod 600 "$T/inv"
"$SNMPFLEET" -i "$T/inv" -t 2 -F jsonl -q sysName.0 >"$T/inv.jsonl" \
    2>"$T/inv.err"
is "$?" 0 "inventory priv=AES256C / priv=aes-192-c: exit 0"
is "$(python3 -c '
import json, sys
print(sorted((r["host"], r["status"], r["values"][0]["value"])
      for r in map(json.loads, open(sys.argv[1]))))' "$T/inv.jsonl")" \
    "[('127.0.5.1', 'ok', '$SNMPD_SYSNAME'), ('127.0.5.2', 'ok', '$SNMPD_SYSNAME'), ('127.0.5.3', 'ok', '$SNMPD_SYSNAME')]" \
    "inventory priv=AES256C / priv=aes-192-c: every target answers"
"$SNMPFLEET" "${C256[@]/AES-256-C/AES-512-C}" -H 127.0.0.1 --port "$P" \
    sysName.0 >/dev/null 2>"$T/bad.err"
is "$?" 2 "-x AES-512-C: exit 2"
like "$(cat "$T/bad.err")" "privacy protocol 'AES-512-C' is not supported.*AES-192-C, AES-256-C" \
    "-x AES-512-C: refused, listing AES-192-C and AES-256-C"

# ------------------------------------------------- -E contextEngineID
"$SNMPFLEET" "${C256[@]}" -E "$ENGINE" -H 127.0.0.1 --port "$P" -t 2 \
    -F jsonl -q sysName.0 >"$T/e.jsonl" 2>"$T/e.err"
is "$(rec "$T/e.jsonl" 'r["status"], vals[0][2]')" "('ok', '$SNMPD_SYSNAME')" \
    "-E snmpd's own engineID: answered"
# on the wire: an authNoPriv request (its scopedPDU is in clear) carries it
CE=8000aabbccddeeff01
"$SNMPFLEET" -v 3 -u uauth -l authNoPriv -a SHA -A auth-only-pass1 -E "0x$CE" \
    -H 127.0.0.1 --port "$P" -t 2 -F jsonl -q -d sysName.0 \
    >"$T/ed.jsonl" 2>"$T/ed.dump"
got=$(python3 - "$T/ed.dump" <<'PY'
import re, sys
from snmpber import dec_tlv
blocks, cur, sent = [], None, False
for line in open(sys.argv[1]):
    if re.match(r"\S+ (Sending|Received) \d+ bytes", line):
        cur = bytearray(); sent = " Sending " in line
        blocks.append((sent, cur))
    elif cur is not None and re.match(r"[0-9A-F]{4}:", line):
        cur += bytes.fromhex(line[5:5 + 3 * 16 + 4].replace(" ", ""))
engines = set()
for sent, b in blocks:
    _, msg, _ = dec_tlv(bytes(b), 0)
    i = 0
    for _ in range(3):                     # version, header, security
        _, _, i = dec_tlv(msg, i)
    _, scoped, _ = dec_tlv(msg, i)
    _, ce, _ = dec_tlv(scoped, 0)
    if sent and ce:
        engines.add(ce.hex())
print(" ".join(sorted(engines)))
PY
)
is "$got" "$CE" "-E: the requests' contextEngineID (read back from --dump) is -E's"
"$SNMPFLEET" "${C256[@]}" -E 80zz -H 127.0.0.1 --port "$P" sysName.0 \
    >/dev/null 2>"$T/ebad.err"
is "$?" 2 "-E 80zz: exit 2"
like "$(cat "$T/ebad.err")" "bad contextEngineID '80zz'" "-E 80zz: says why"
printf '127.0.0.1 port=%s contextengineid=0102\n' "$P" >"$T/inv-e"
"$SNMPFLEET" -i "$T/inv-e" sysName.0 >/dev/null 2>"$T/inv-e.err"
is "$?" 2 "contextengineid=0102 (too short): exit 2"
like "$(cat "$T/inv-e.err")" "inv-e:1: bad contextEngineID '0102'" \
    "contextengineid=0102: FILE:LINE and why"

# ------------------------------------------- unknown context, snmpd
"$SNMPFLEET" "${C256[@]}" -n nosuchcontext -H 127.0.0.1 --port "$P" \
    -t 0.5 -r 1 -F jsonl -q sysName.0 >"$T/ctx.jsonl" 2>/dev/null
is "$?" 1 "authPriv -n nosuchcontext: exit 1"
is "$(rec "$T/ctx.jsonl" 'r["status"]')" error "authPriv -n nosuchcontext: status error"
like "$(rec "$T/ctx.jsonl" 'r["error"]')" "^unknown context 'nosuchcontext': " \
    "authPriv -n nosuchcontext: the record says unknown context"
unlike "$(cat "$T/ctx.jsonl")" "privacy passphrase" \
    "authPriv -n nosuchcontext: no word of a privacy passphrase"
# without a retry there is no time to check: both are named
"$SNMPFLEET" "${C256[@]}" -n nosuchcontext -H 127.0.0.1 --port "$P" \
    -t 0.5 -r 0 -F jsonl -q sysName.0 >"$T/ctx0.jsonl" 2>/dev/null
like "$(rec "$T/ctx0.jsonl" 'r["error"]')" \
    "unknown context 'nosuchcontext', or a wrong privacy passphrase" \
    "authPriv -n nosuchcontext -r 0: names both causes"
# a wrong privacy passphrase in a context: the check fails too, so the
# context is not blamed alone
"$SNMPFLEET" "${C256[@]/aes256c-priv-p1/wrong-priv-pass1}" -n nosuchcontext \
    -H 127.0.0.1 --port "$P" -t 0.5 -r 1 -F jsonl -q sysName.0 \
    >"$T/ctxw.jsonl" 2>/dev/null
like "$(rec "$T/ctxw.jsonl" 'r["error"]')" "or a wrong privacy passphrase" \
    "wrong privacy passphrase and -n: still suspected"

# ------------------------------------- the v3-context agent (hostile.py)
python3 "$HOSTILE" --mode v3-context --ready "$T/h.port" >/dev/null \
    2>"$T/h.err" &
track_pid $!
wait_ready "$T/h.port" "hostile.py --mode v3-context" "$T/h.err"
HP=$(cat "$T/h.port")
V3N=(-v 3 -u anyone -l noAuthNoPriv -H "127.0.0.1:$HP" -t 0.5 -F jsonl -q)
"$SNMPFLEET" "${V3N[@]}" sysName.0 >"$T/h0.jsonl" 2>/dev/null
is "$(rec "$T/h0.jsonl" 'r["status"], vals[0][2]')" "('ok', 'hostile')" \
    "v3-context agent, default scope: answered"
"$SNMPFLEET" "${V3N[@]}" -n nosuch -r 0 sysName.0 >"$T/h1.jsonl" 2>/dev/null
is "$(rec "$T/h1.jsonl" 'r["status"], r["error"]')" \
    "('error', \"unknown context 'nosuch'\")" \
    "v3-context agent, -n nosuch: its snmpUnknownContexts Report is named"
"$SNMPFLEET" "${V3N[@]}" -E 8000000001020304 -r 1 sysName.0 \
    >"$T/h2.jsonl" 2>/dev/null
like "$(rec "$T/h2.jsonl" 'r["error"]')" \
    "^unknown contextEngineID 8000000001020304: no answer there, although the agent answers" \
    "v3-context agent, a foreign -E (dropped): the record names the contextEngineID"
"$SNMPFLEET" "${V3N[@]}" -E 0x80001f8804686f7374696c65 sysName.0 \
    >"$T/h3.jsonl" 2>/dev/null
is "$(rec "$T/h3.jsonl" 'r["status"]')" ok \
    "v3-context agent, -E its own engineID: answered"

done_testing
