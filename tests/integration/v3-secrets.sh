#!/usr/bin/env bash
# v3-secrets.sh — secrets (SNMPv3 passphrases, communities) never show:
#   - not in --echo-config (commented "(secret, not shown)"), whether they
#     come from a config file, a [credentials NAME] section, the command
#     line or the environment;
#   - not in any record format (text, jsonl, csv, influx, prom), nor in
#     --stats-file, the summary, the progress line or error messages, for
#     targets that succeed, time out or fail;
#   - not in ps(1): absent when they come from a config file, and
#     overwritten with '*' when given with -A, -X or -c;
#   - a config file or inventory holding secrets that group or others can
#     read gets a warning; the same file with mode 0600 does not.
# Every secret contains "S3cr3t", so one pattern finds them all.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

T=$LIB_TMP
SECRET='S3cr3t'
start_snmpd_conf \
    'rocommunity comm-S3cr3t-1 default' 'rocommunity comm-S3cr3t-2 default' \
    'createUser uA SHA "auth-S3cr3t-1" AES "priv-S3cr3t-1"' 'rouser uA priv' \
    'createUser uB SHA "auth-S3cr3t-2" AES "priv-S3cr3t-2"' 'rouser uB priv' \
    'createUser uC SHA "auth-S3cr3t-3" AES "priv-S3cr3t-3"' 'rouser uC priv' \
    'createUser uD SHA "auth-S3cr3t-4" AES "priv-S3cr3t-4"' 'rouser uD priv'
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"

cat >"$T/secrets.conf" <<EOF
# defaults: SNMPv3 user uA, and a community for v1/v2c lines
snmp-version = 3
user = uA
level = authPriv
auth = SHA
auth-pass = auth-S3cr3t-1
priv = AES
priv-pass = "priv-S3cr3t-1"
community = comm-S3cr3t-1
port = $P

[credentials b]
version = 3
user = uB
level = authPriv
auth = SHA
authpass = auth-S3cr3t-2
priv = AES
privpass = priv-S3cr3t-2

[credentials v2]
version = 2c
community = comm-S3cr3t-2
EOF
chmod 600 "$T/secrets.conf"

cat >"$T/inventory" <<EOF
# the config file's defaults (v3, uA)
127.0.0.1-5
# a credential set
127.0.1.1-5 cred=b tag.site=b
# inline passphrases
127.0.2.1-5 version=3 user=uC level=authPriv auth=SHA authpass=auth-S3cr3t-3 priv=AES privpass=priv-S3cr3t-3
# v2c with the config file's community, and with a credential set's
127.0.3.1-5 version=2c
127.0.4.1-5 cred=v2
# failures: timeouts (v2c and v3), an unknown user, a wrong privacy passphrase
127.0.5.1 port=$DEAD version=2c timeout=0.3 retries=0
127.0.5.2 port=$DEAD timeout=0.3 retries=0
127.0.6.1 version=3 user=nobody level=authPriv auth=SHA authpass=auth-S3cr3t-1 priv=AES privpass=priv-S3cr3t-1
127.0.6.2 version=3 user=uD level=authPriv auth=SHA authpass=auth-S3cr3t-4 priv=AES privpass=priv-S3cr3t-5 timeout=0.3 retries=0
EOF
chmod 600 "$T/inventory"

# no_secret DESC FILE... — none of the files contains a secret.
no_secret() {
	local desc=$1 hits
	shift
	hits=$(grep -a -H -n -- "$SECRET" "$@" 2>/dev/null | head -5)
	if [ -z "$hits" ]; then
		pass "$desc"
	else
		fail "$desc"
		diag "found:" "$hits"
	fi
}

# ------------------------------------------------------------ echo-config
"$SNMPFLEET" --config "$T/secrets.conf" --echo-config >"$T/echo1" 2>&1
is "$?" 0 "--echo-config exits 0"
no_secret "--echo-config: no secret from the config file or its credential sets" "$T/echo1"
for k in auth-pass priv-pass community; do
	like "$(cat "$T/echo1")" "^# $k = \(secret, not shown\)\$" \
	    "--echo-config: '# $k = (secret, not shown)'"
done
is "$(sed -n '/^\[credentials /,$p' "$T/echo1" |
    grep -c '^# \(authpass\|privpass\|community\) = (secret, not shown)$')" 3 \
    "--echo-config: the credential sets' authpass, privpass (b) and community (v2) are shown as secrets"
like "$(cat "$T/echo1")" "^\[credentials b\]\$" "--echo-config: the credential sets are there"
like "$(cat "$T/echo1")" "^user = uA\$" "--echo-config: non-secret v3 keys are shown"

"$SNMPFLEET" -v 3 -u uA -l authPriv -a SHA -A auth-S3cr3t-7 -x AES \
    -X priv-S3cr3t-7 -c comm-S3cr3t-7 -H 127.0.0.1 --echo-config >"$T/echo2" 2>&1
is "$?" 0 "--echo-config with -A, -X, -c: exits 0"
no_secret "--echo-config: no secret from the command line" "$T/echo2"
SNMPFLEET_AUTHPASS=auth-S3cr3t-8 SNMPFLEET_PRIVPASS=priv-S3cr3t-8 \
    SNMPFLEET_COMMUNITY=comm-S3cr3t-8 "$SNMPFLEET" -v 3 -u uA -l authPriv \
    -a SHA -x AES -H 127.0.0.1 --echo-config >"$T/echo3" 2>&1
is "$?" 0 "--echo-config with secrets from the environment: exits 0"
no_secret "--echo-config: no secret from the environment" "$T/echo3"

# ------------------------------------------------------- every format
for fmt in text jsonl csv influx prom; do
	"$SNMPFLEET" --config "$T/secrets.conf" -i "$T/inventory" -F "$fmt" \
	    -o "$T/out.$fmt" --stats-file "$T/stats.$fmt" --progress \
	    sysName.0 sysUpTime.0 </dev/null >"$T/stdout.$fmt" 2>"$T/stderr.$fmt"
	RC=$?
	is "$RC" 1 "-F $fmt: exit status 1 (some targets fail)"
	[ -s "$T/out.$fmt" ] && [ -s "$T/stats.$fmt" ]
	ok $? "-F $fmt: records and stats written"
	no_secret "-F $fmt: no secret in the records, --stats-file, stdout or stderr" \
	    "$T/out.$fmt" "$T/stats.$fmt" "$T/stdout.$fmt" "$T/stderr.$fmt"
done
# The run really used every secret: the good targets are ok, and the
# failures are there with their reasons.
like "$(cat "$T/stderr.jsonl")" "29 targets: 25 ok, 2 timeout, 2 error" \
    "the runs polled with every credential: 25 ok, 2 timeouts, 2 errors"
like "$(cat "$T/out.jsonl")" '"host":"127.0.6.1".*"error":"unknown user name"' \
    "jsonl: the unknown user's error is there"
like "$(cat "$T/out.jsonl")" '"host":"127.0.6.2".*"error":"no answer to authPriv requests[^"]*wrong privacy passphrase' \
    "jsonl: the wrong privacy passphrase's error is there"

# Error messages about credentials name no secret either.
printf '127.0.0.1 version=3 user=uA level=authPriv auth=SHA authpass=short-S3cr3t\n' \
    >"$T/bad-inventory"
chmod 600 "$T/bad-inventory"
"$SNMPFLEET" -i "$T/bad-inventory" --port "$P" >"$T/bad.out" 2>"$T/bad.err"
is "$?" 2 "an inventory line without its privacy passphrase: exit status 2"
no_secret "... and the message names no secret" "$T/bad.out" "$T/bad.err"
"$SNMPFLEET" -v 3 -u uA -l authPriv -a MD9 -A auth-S3cr3t-1 -x AES \
    -X priv-S3cr3t-1 -H 127.0.0.1 >"$T/bad2.out" 2>"$T/bad2.err"
is "$?" 2 "an unknown authentication protocol: exit status 2"
no_secret "... and the message names no secret" "$T/bad2.out" "$T/bad2.err"

# ------------------------------------------------------------------- ps
# start_long OUTFILE ARG... — a run that lasts (a v3 target on a dead port,
# -t 3): sets LONG_PID.
start_long() {
	local out=$1
	shift
	"$SNMPFLEET" "$@" -H "127.0.7.1:$DEAD" -t 3 -r 0 sysName.0 \
	    </dev/null >"$out" 2>&1 &
	LONG_PID=$!
	track_pid "$LONG_PID"
}

# Secrets from the config file: nothing secret on the command line at all.
start_long "$T/long1" --config "$T/secrets.conf"
while kill -0 "$LONG_PID" 2>/dev/null &&
    ! grep -qa -- 'secrets.conf' "/proc/$LONG_PID/cmdline" 2>/dev/null; do
	sleep 0.05
done
ARGS1=$(ps -ww -o args= -p "$LONG_PID")
like "$ARGS1" 'snmpfleet --config ' "ps: the run with secrets from a config file is running"
no_secret "ps: no secret in its arguments" <(printf '%s\n' "$ARGS1") \
    "/proc/$LONG_PID/cmdline"
lib_stop_pid "$LONG_PID"

# Secrets with -A, -X and -c: overwritten with '*' once parsed.
start_long "$T/long2" -v 3 -u uA -l authPriv -a SHA -A auth-S3cr3t-1 -x AES \
    -X priv-S3cr3t-1 -c comm-S3cr3t-1
# Wait (for as long as it runs) until it has exec'd snmpfleet and its
# arguments are scrubbed.
while kill -0 "$LONG_PID" 2>/dev/null &&
    { ! grep -qa -- '127\.0\.7\.1' "/proc/$LONG_PID/cmdline" ||
    grep -qa -- "$SECRET" "/proc/$LONG_PID/cmdline"; } 2>/dev/null; do
	sleep 0.02
done
ARGS2=$(ps -ww -o args= -p "$LONG_PID")
kill -0 "$LONG_PID" 2>/dev/null
ok $? "ps: the run with -A, -X and -c is still running when checked"
no_secret "ps: no secret in its arguments" <(printf '%s\n' "$ARGS2") \
    "/proc/$LONG_PID/cmdline"
like "$ARGS2" ' -A \*{13} (.* )?-X \*{13} (.* )?-c \*{13} ' \
    "ps: -A, -X and -c show as *** (as long as the secret)"
lib_stop_pid "$LONG_PID"
no_secret "no secret in the output of the interrupted runs" "$T/long1" "$T/long2"

# ------------------------------------------------- readable secret files
warn_re='holds secrets but is readable by group or others'
cp "$T/secrets.conf" "$T/open.conf"
chmod 640 "$T/open.conf"
"$SNMPFLEET" --config "$T/open.conf" -H 127.0.0.1 sysName.0 \
    </dev/null >"$T/w1.out" 2>"$T/w1.err"
is "$?" 0 "a group-readable config file with secrets: the run goes on (exit 0)"
like "$(cat "$T/w1.err")" "$T/open.conf $warn_re \(chmod 600 $T/open.conf\)" \
    "a group-readable config file with secrets: warned, naming the file"
"$SNMPFLEET" --config "$T/secrets.conf" -H 127.0.0.1 sysName.0 \
    </dev/null >"$T/w2.out" 2>"$T/w2.err"
is "$?" 0 "the same file with mode 0600: exit 0"
unlike "$(cat "$T/w2.err")" "$warn_re" "the same file with mode 0600: no warning"

# A world-readable config file without secrets: no warning.
grep -v -e pass -e community "$T/secrets.conf" | sed '/^\[/,$d' >"$T/plain.conf"
chmod 644 "$T/plain.conf"
"$SNMPFLEET" --config "$T/plain.conf" -A auth-S3cr3t-1 -X priv-S3cr3t-1 \
    -H 127.0.0.1 sysName.0 </dev/null >"$T/w3.out" 2>"$T/w3.err"
is "$?" 0 "a readable config file without secrets: exit 0"
unlike "$(cat "$T/w3.err")" "$warn_re" "a readable config file without secrets: no warning"

# An inventory with passphrases on its lines.
cp "$T/inventory" "$T/open-inventory"
chmod 644 "$T/open-inventory"
head -5 "$T/inventory" | grep -v '^#' >"$T/small-inventory"
grep 'user=uC' "$T/inventory" >>"$T/small-inventory"
chmod 644 "$T/small-inventory"
"$SNMPFLEET" --config "$T/secrets.conf" -i "$T/small-inventory" sysName.0 \
    </dev/null >"$T/w4.out" 2>"$T/w4.err"
is "$?" 0 "a world-readable inventory with passphrases: the run goes on (exit 0)"
like "$(cat "$T/w4.err")" "$T/small-inventory $warn_re" \
    "a world-readable inventory with passphrases: warned"
chmod 600 "$T/small-inventory"
"$SNMPFLEET" --config "$T/secrets.conf" -i "$T/small-inventory" sysName.0 \
    </dev/null >"$T/w5.out" 2>"$T/w5.err"
unlike "$(cat "$T/w5.err")" "$warn_re" "the same inventory with mode 0600: no warning"
no_secret "no secret in any warning or summary" "$T"/w?.out "$T"/w?.err

done_testing
