#!/usr/bin/env bash
# v3-failures.sh — SNMPv3 failures are per-target statuses with a clear
# reason, in one run next to targets that succeed: a wrong authentication
# passphrase, an unknown user, a security level the user may not use and
# a wrong privacy passphrase; the run exits 1.
#
# A second snmpd (its own persistent dir, so its own engineID) has the
# same user name "uSHA" with another passphrase — as a device whose
# password differs.  And on one agent (one engineID), two targets with
# the same user name but different passphrases each get their own
# answer, in either order: net-snmp keeps one USM user entry per
# (engineID, user name) in a process, and its first keys used to serve
# both (a wrong passphrase came back ok, or a right one failed).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

T=$LIB_TMP

# Agent A: the passphrases we use are right.
start_snmpd_conf \
    'createUser uSHA SHA "sha-auth-pass1" AES "aes-priv-pass1"' \
    'rouser uSHA priv' \
    'createUser uAuth SHA "auth-only-pass1"' 'rouser uAuth auth'
PA=$SNMPD_PORT
EA=$(snmpd_engine_id)
# Agent B: uSHA has another authentication passphrase; uPriv another
# privacy passphrase than the one we send; uNone works.
start_snmpd_conf \
    'createUser uSHA SHA "not-our-pass1" AES "aes-priv-pass1"' \
    'rouser uSHA priv' \
    'createUser uPriv SHA "priv-user-auth1" AES "real-priv-pass1"' \
    'rouser uPriv priv' \
    'createUser uNone' 'rouser uNone noauth'
PB=$SNMPD_PORT
EB=$(snmpd_engine_id)
diag "agent A: port $PA engineID $EA" "agent B: port $PB engineID $EB"
if [ -z "$EA" ] || [ -z "$EB" ] || [ "$EA" = "$EB" ]; then
	bail_out "the two agents do not have distinct engineIDs"
fi

GOOD='version=3 user=uSHA level=authPriv auth=SHA authpass=sha-auth-pass1 priv=AES privpass=aes-priv-pass1'
cat >"$T/inventory" <<EOF
# good v3 targets on agent A (the first ones, so their keys exist first)
127.0.0.1-20 port=$PA $GOOD
# the same user name and passphrases, on agent B where uSHA's differ
127.0.1.1 port=$PB $GOOD
# a user agent A does not know
127.0.0.50 port=$PA version=3 user=nobody level=authPriv auth=SHA authpass=sha-auth-pass1 priv=AES privpass=aes-priv-pass1
# a user agent A allows authNoPriv only, asked with authPriv
127.0.0.51 port=$PA version=3 user=uAuth level=authPriv auth=SHA authpass=auth-only-pass1 priv=AES privpass=aes-priv-pass1
# the right authentication passphrase, a wrong privacy one (agent B drops it)
127.0.1.2 port=$PB version=3 user=uPriv level=authPriv auth=SHA authpass=priv-user-auth1 priv=AES privpass=wrong-priv-pass1 timeout=0.5 retries=1
# good targets on agent B, and v2c ones on A
127.0.1.3-5 port=$PB version=3 user=uNone level=noAuthNoPriv
127.0.0.60-64 port=$PA version=2c
EOF
chmod 600 "$T/inventory"
NGOOD=28

WRONG_AUTH='wrong authentication passphrase (wrong digest)'
UNKNOWN='unknown user name'
LEVEL='unsupported security level for this user'
WRONG_PRIV='no answer to authPriv requests although the agent answered engineID discovery (wrong privacy passphrase?)'

# ---------------------------------------------------------------- jsonl
START=$EPOCHREALTIME
"$SNMPFLEET" -i "$T/inventory" -t 1 -r 1 -F jsonl -o "$T/r.jsonl" \
    sysName.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
EL=$(elapsed_since "$START")
diag "jsonl run: $EL s"
is "$RC" 1 "jsonl: exit status 1"
check "jsonl: every line parses" jsonl_check "$T/r.jsonl"
python3 - "$T/r.jsonl" "$SNMPD_SYSNAME" >"$T/facts" <<'PY'
import json, sys
recs = {r["host"]: r for r in map(json.loads, open(sys.argv[1]))}
good = ["127.0.0.%d" % i for i in range(1, 21)] + \
    ["127.0.1.%d" % i for i in (3, 4, 5)] + \
    ["127.0.0.%d" % i for i in range(60, 65)]
print("records\t%d" % len(recs))
print("good_ok\t%d" % sum(1 for h in good if h in recs and
      recs[h]["status"] == "ok" and recs[h]["values"][0]["value"] == sys.argv[2]))
for h in ("127.0.1.1", "127.0.0.50", "127.0.0.51", "127.0.1.2"):
    r = recs.get(h, {})
    print("%s\t%s|%s|%s|%s" % (h, r.get("status"), r.get("error"),
          r.get("retries"), len(r.get("values", []))))
PY
fact() { awk -F '\t' -v k="$1" '$1 == k { print $2 }' "$T/facts"; }
is "$(fact records)" 32 "jsonl: 32 records, one per target"
is "$(fact good_ok)" "$NGOOD" "jsonl: the $NGOOD good targets (v3 on both agents, v2c) are ok with sysName"
is "$(fact 127.0.1.1)" "error|$WRONG_AUTH|0|0" \
    "jsonl: wrong authentication passphrase (same user name as the good targets, other agent): error '$WRONG_AUTH'"
is "$(fact 127.0.0.50)" "error|$UNKNOWN|0|0" \
    "jsonl: unknown user: error '$UNKNOWN'"
is "$(fact 127.0.0.51)" "error|$LEVEL|0|0" \
    "jsonl: authPriv for an authNoPriv user: error '$LEVEL'"
is "$(fact 127.0.1.2)" "error|$WRONG_PRIV|1|0" \
    "jsonl: wrong privacy passphrase: error after its retry, saying so"
like "$(cat "$T/stderr")" "^snmpfleet: 32 targets: $NGOOD ok, 0 timeout, 4 error" \
    "jsonl: the summary counts $NGOOD ok and 4 errors"
awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= 1.0) }'
ok $? "jsonl: the run lasted at least the wrong-privacy target's 0.5 s x 2 ($EL s)"
unlike "$(cat "$T/stderr" "$T/r.jsonl")" 'sha-auth-pass1|aes-priv-pass1|wrong-priv-pass1|priv-user-auth1' \
    "jsonl: no passphrase in the records or on stderr"

# ----------------------------- one engine, one user, two passphrases
# 127.0.0.1 and 127.0.0.2 are the same agent A (one engineID) with the
# same user; one inventory line has its right passphrases, the other a
# wrong authentication (or privacy) passphrase; both orders
WRONG_A="version=3 user=uSHA level=authPriv auth=SHA authpass=wrong-auth-pass1 priv=AES privpass=aes-priv-pass1"
WRONG_P="version=3 user=uSHA level=authPriv auth=SHA authpass=sha-auth-pass1 priv=AES privpass=wrong-priv-pass1 timeout=0.5 retries=1"
for order in "GOOD WRONG_A" "WRONG_A GOOD" "GOOD WRONG_P" "WRONG_P GOOD"; do
	read -r first second <<<"$order"
	printf '127.0.0.1 port=%s %s\n127.0.0.2 port=%s %s\n' \
	    "$PA" "${!first}" "$PA" "${!second}" >"$T/twins.inv"
	chmod 600 "$T/twins.inv"
	"$SNMPFLEET" -i "$T/twins.inv" -P 1 -F jsonl -o "$T/twins.jsonl" \
	    sysName.0 </dev/null 2>/dev/null
	GOT=$(python3 - "$T/twins.jsonl" <<'PY'
import json, sys
recs = {r["host"]: r for r in map(json.loads, open(sys.argv[1]))}
print(" ".join("%s:%s" % (h, recs.get(h, {}).get("status"))
               for h in ("127.0.0.1", "127.0.0.2")))
PY
)
	if [ "$first" = GOOD ]; then WANT="127.0.0.1:ok 127.0.0.2:error"
	else WANT="127.0.0.1:error 127.0.0.2:ok"; fi
	is "$GOT" "$WANT" "one engineID, one user, $first then $second: each target gets its own keys"
	rm -f "$T/twins.jsonl"
done

# ----------------------------------------------------------------- text
"$SNMPFLEET" -i "$T/inventory" -t 1 -r 1 -F text -o "$T/r.txt" \
    sysName.0 </dev/null >"$T/stdout" 2>"$T/stderr"
RC=$?
is "$RC" 1 "text: exit status 1"
is "$(grep -c " = STRING: \"$SNMPD_SYSNAME\"\$" "$T/r.txt")" "$NGOOD" \
    "text: $NGOOD sysName lines"
for pair in "127.0.1.1:$PB|$WRONG_AUTH" "127.0.0.50:$PA|$UNKNOWN" \
    "127.0.0.51:$PA|$LEVEL" "127.0.1.2:$PB|$WRONG_PRIV"; do
	hp=${pair%%|*}
	why=${pair#*|}
	is "$(grep "^$hp " "$T/r.txt")" "$hp # error: $why" "text: $hp # error: $why"
done

done_testing
