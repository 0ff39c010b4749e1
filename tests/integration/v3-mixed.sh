#!/usr/bin/env bash
# v3-mixed.sh — one run (-P 2) over a mixed inventory: SNMPv1 and SNMPv2c
# targets, and SNMPv3 ones with several credential sets, some from
# [credentials NAME] sections of a config file (cred=NAME), some given
# inline on the inventory line.  Every target gets its own answer.
#
# Each target must be polled with its own version and credentials, and
# the agent proves it: community "v1only" is accepted only in SNMPv1
# messages and "v2only" only in SNMPv2c ones (snmpd's VACM), Counter64
# values exist only above SNMPv1, and each USM user has its own
# protocols and passphrases.  Ports come from the credential sets and the
# lines, not from --port, so a lost port shows as timeouts.
#
# Then --engine-id: with the agent's engineID given, noAuthNoPriv targets
# need no discovery (one request per target).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

T=$LIB_TMP
start_snmpd_conf \
    'com2sec v1sec default v1only' 'com2sec v2sec default v2only' \
    'group v1grp v1 v1sec' 'group v2grp v2c v2sec' \
    'view all included .1' \
    'access v1grp "" v1 noauth exact all none none' \
    'access v2grp "" v2c noauth exact all none none' \
    'createUser uSHA SHA "sha-auth-pass1" AES "aes-priv-pass1"' 'rouser uSHA priv' \
    'createUser uMD5 MD5 "md5-auth-pass1" DES "des-priv-pass1"' 'rouser uMD5 priv' \
    'createUser u256 SHA-256 "sha256-auth-p1" AES-256 "aes256-priv-p1"' 'rouser u256 priv' \
    'createUser uAuth SHA "auth-only-pass1"' 'rouser uAuth auth' \
    'createUser uNone' 'rouser uNone noauth'
P=$SNMPD_PORT
ENGINE=$(snmpd_engine_id)

cat >"$T/snmpfleet.conf" <<EOF
# defaults: v2c, community public
timeout = 2
retries = 2

[credentials core]
version = 3
user = uSHA
level = authPriv
auth = SHA
authpass = sha-auth-pass1
priv = AES
privpass = aes-priv-pass1
port = $P

[credentials edge]
version = 3
user = uMD5
level = authPriv
auth = MD5
authpass = md5-auth-pass1
priv = DES
privpass = des-priv-pass1
port = $P

[credentials legacy]
version = 1
community = v1only
port = $P

[credentials lab]
version = 2c
community = v2only
port = $P
EOF
chmod 600 "$T/snmpfleet.conf"

cat >"$T/inventory" <<EOF
# group "v1cred": SNMPv1 from a credential set
127.0.1.1-30 cred=legacy tag.group=v1cred
# group "v1": SNMPv1 inline
127.0.2.1-30 port=$P version=1 community=v1only tag.group=v1
# group "v2cred": SNMPv2c from a credential set
127.0.3.1-30 cred=lab tag.group=v2cred
# group "v2": the defaults (v2c, public)
127.0.4.1-30 port=$P tag.group=v2
# group "core": v3 SHA/AES from a set, over two lines with the same keys
127.0.5.1-30 cred=core tag.group=core
127.0.5.31-60 cred=core tag.group=core
# group "edge": v3 MD5/DES from a set
127.0.6.1-30 cred=edge tag.group=edge
# group "core2": a set with a key overridden inline
127.0.7.1-30 cred=core timeout=3 tag.group=core2
# group "i256": v3 SHA-256/AES-256 inline
127.0.8.1-30 port=$P version=3 user=u256 level=authPriv auth=SHA-256 authpass=sha256-auth-p1 priv=AES-256 privpass=aes256-priv-p1 tag.group=i256
# group "iauth": v3 authNoPriv inline
127.0.9.1-30 port=$P version=3 user=uAuth level=authNoPriv auth=SHA authpass=auth-only-pass1 tag.group=iauth
# group "inone": v3 noAuthNoPriv inline
127.0.10.1-30 port=$P version=3 user=uNone level=noAuthNoPriv tag.group=inone
EOF
chmod 600 "$T/inventory"
TOTAL=330

START=$EPOCHREALTIME
"$SNMPFLEET" --config "$T/snmpfleet.conf" -i "$T/inventory" -P 2 -F jsonl \
    -o "$T/r.jsonl" sysName.0 ifHCInOctets.1 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
diag "mixed run: $(elapsed_since "$START") s" "$(grep -v engineID "$T/stderr")"
is "$RC" 0 "exit status 0: every target answered"
check "every line parses" jsonl_check "$T/r.jsonl"
python3 - "$T/r.jsonl" "$SNMPD_SYSNAME" "$P" >"$T/facts" <<'PY'
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
name, port = sys.argv[2], int(sys.argv[3])
print("records", len(recs))
print("hosts", len({r["host"] for r in recs}))
print("ports", " ".join(sorted({str(r["port"]) for r in recs})))
by = collections.defaultdict(list)
for r in recs:
    by[r.get("tags", {}).get("group")].append(r)
for g, rs in sorted(by.items(), key=lambda x: str(x[0])):
    ok = sum(1 for r in rs if r["status"] == "ok" and r["values"]
             and r["values"][0]["value"] == name)
    # SNMPv1 has no Counter64: snmpd says noSuchName, recorded as noSuchObject
    c64 = sum(1 for r in rs if len(r["values"]) == 2 and r["values"][1]["type"] == "Counter64")
    nso = sum(1 for r in rs if len(r["values"]) == 2 and r["values"][1]["type"] == "noSuchObject")
    st = collections.Counter(r["status"] for r in rs)
    print("group_%s %d %d %d %d %s" % (g, len(rs), ok, c64, nso,
          ",".join("%s:%d" % kv for kv in sorted(st.items()))))
PY
fact() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$T/facts"; }
is "$(fact records)" "$TOTAL" "$TOTAL records"
is "$(fact hosts)" "$TOTAL" "one record per target"
is "$(fact ports)" "$P" \
    "every record is for the agent's port $P (a credential set's port holds on every line using it)"
# group: records ok Counter64 noSuchObject statuses
for g in v1cred v1; do
	is "$(fact "group_$g")" "30 30 0 30 ok:30" \
	    "group $g (SNMPv1, community v1only): 30 ok, Counter64 is noSuchObject"
done
for g in v2cred v2; do
	is "$(fact "group_$g")" "30 30 30 0 ok:30" \
	    "group $g (SNMPv2c): 30 ok with sysName and a Counter64"
done
is "$(fact group_core)" "60 60 60 0 ok:60" \
    "group core (cred=core, on two lines with the same keys): 60 ok"
is "$(fact group_edge)" "30 30 30 0 ok:30" "group edge (cred=edge, MD5/DES): 30 ok"
is "$(fact group_core2)" "30 30 30 0 ok:30" "group core2 (cred=core timeout=3): 30 ok"
is "$(fact group_i256)" "30 30 30 0 ok:30" "group i256 (inline SHA-256/AES-256): 30 ok"
is "$(fact group_iauth)" "30 30 30 0 ok:30" "group iauth (inline authNoPriv): 30 ok"
is "$(fact group_inone)" "30 30 30 0 ok:30" "group inone (inline noAuthNoPriv): 30 ok"
like "$(cat "$T/stderr")" "^snmpfleet: $TOTAL targets: $TOTAL ok, 0 timeout, 0 error.*; 2 workers" \
    "the summary counts $TOTAL ok with 2 workers"

# The same inventory in text: one line per value, no '#' failure lines.
"$SNMPFLEET" --config "$T/snmpfleet.conf" -i "$T/inventory" -P 2 -F text \
    -o "$T/r.txt" sysName.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
is "$RC" 0 "text: exit status 0"
is "$(grep -c "^127\.[0-9.]*:$P \.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING: \"$SNMPD_SYSNAME\"\$" "$T/r.txt")" \
    "$TOTAL" "text: $TOTAL sysName lines, each for HOST:$P"

# ----------------------------------------------------------- --engine-id
# noAuthNoPriv needs neither discovery nor the engine's time: with -e, one
# request per target.
"$SNMPFLEET" -v 3 -u uNone -l noAuthNoPriv -e "$ENGINE" -H 127.0.20.1-50 \
    --port "$P" -P 2 -F jsonl -o "$T/e.jsonl" sysName.0 </dev/null \
    >"$T/stdout" 2>"$T/stderr"
RC=$?
is "$RC" 0 "--engine-id, noAuthNoPriv: exit status 0"
is "$(grep -c "\"status\":\"ok\".*\"value\":\"$SNMPD_SYSNAME\"" "$T/e.jsonl")" 50 \
    "--engine-id, noAuthNoPriv: 50 records ok"
like "$(cat "$T/stderr")" "50 targets: 50 ok.*; 50 requests " \
    "--engine-id, noAuthNoPriv: 50 requests for 50 targets (no discovery)"
# authPriv with -e: the agent first says "not in time window" (it tells
# the engine's boots and time), and the request is sent again.
"$SNMPFLEET" -v 3 -u uSHA -l authPriv -a SHA -A sha-auth-pass1 -x AES \
    -X aes-priv-pass1 -e "$ENGINE" -H 127.0.21.1-50 --port "$P" -F jsonl \
    -o "$T/e2.jsonl" sysName.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
is "$RC" 0 "--engine-id, authPriv: exit status 0"
is "$(grep -c "\"status\":\"ok\".*\"value\":\"$SNMPD_SYSNAME\"" "$T/e2.jsonl")" 50 \
    "--engine-id, authPriv: 50 records ok"

done_testing
