#!/usr/bin/env bash
# names-dedup.sh — host names are looked up while polling, and one that
# does not resolve is that target's error record (with the resolver's
# reason), not the end of the run; a bad inventory line still stops the
# run before any packet; -4/-6; each target (address, port, credentials)
# is polled once however often it is given, and --allow-duplicates polls
# it as often as given.
#
# Names that must not resolve are under .invalid (RFC 6761: never
# resolve); the only other name is localhost (/etc/hosts).  For names of
# IPv6 and of both families, a private /etc/hosts is mounted in a mount
# namespace (unshare -m; skipped where that is not allowed) naming
# dual.invalid (127.0.0.7 and ::1) and v6only.invalid (::1).  Every packet
# goes to the snmpd lib.sh starts on 127.0.0.0/8; its own snmpInPkts
# counts what it received, so "no packet" and "polled once" are measured.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd_conf 'createUser uSHA SHA "sha-auth-pass1" AES "aes-priv-pass1"' \
    'rouser uSHA priv'

T=$LIB_TMP
P=$SNMPD_PORT

# run ARGS... — snmpfleet with jsonl records; sets RC, OUT, ERR.
run() {
	"$SNMPFLEET" -F jsonl -t 1 -r 1 "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# in_pkts — the agent's snmpInPkts.0 (the GET itself is one of them).
in_pkts() {
	snmpget -v2c -c public -t 1 -r 2 -Oqv "127.0.0.1:$P" \
	    1.3.6.1.2.1.11.1.0
}

# facts FILE — "host status|error|sysName" per record, sorted.
facts() {
	python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    vals = [v["value"] for v in r.get("values", [])]
    out.append("%s %s %s" % (r["host"], r["status"],
        r.get("error") or ",".join(str(v) for v in vals)))
print("\n".join(sorted(out)))
PY
}

# ------------------------------------------- names that do not resolve
cat >"$T/names.inv" <<EOF
# good targets around names under .invalid, which never resolve
127.0.0.1:$P
no-such-host.invalid:$P
127.0.0.2:$P tag.site=lab
stale-entry.example.invalid:$P
127.0.0.3:$P
EOF
for procs in 1 2; do
	run -P $procs -i "$T/names.inv" sysName.0
	is "$RC" 1 "-P $procs: names that do not resolve: exit 1"
	is "$(echo "$OUT" | wc -l)" 5 "-P $procs: one record per target"
	jsonl_check "$T/out" && pass "-P $procs: every record is whole JSON" ||
	    fail "-P $procs: every record is whole JSON"
	facts "$T/out" >"$T/facts"
	for h in 1 2 3; do
		like "$(cat "$T/facts")" "127\.0\.0\.$h ok $SNMPD_SYSNAME" \
		    "-P $procs: 127.0.0.$h answered"
	done
	like "$(cat "$T/facts")" \
	    "no-such-host\.invalid error cannot resolve 'no-such-host\.invalid': [A-Za-z]" \
	    "-P $procs: an unresolvable name's record: error, with the reason"
	like "$(cat "$T/facts")" \
	    "stale-entry\.example\.invalid error cannot resolve 'stale-entry\.example\.invalid': " \
	    "-P $procs: the second name's record too"
	like "$ERR" "5 targets: 3 ok, 0 timeout, 2 error" \
	    "-P $procs: the summary counts them as errors"
	unlike "$ERR" "names\.inv:" "-P $procs: no FILE:LINE error for a name"
done
grep "no-such-host" "$T/out" | head -1 | sed 's/^/# /'

# The same, as text: the reason on the record's line.
"$SNMPFLEET" -t 1 -r 1 -H "a.invalid:$P" -H "127.0.0.1:$P" sysName.0 \
    </dev/null >"$T/text" 2>/dev/null
is "$?" 1 "text: exit 1"
like "$(cat "$T/text")" "a\.invalid:$P # error: cannot resolve 'a\.invalid'" \
    "text: the record gives the reason"
like "$(cat "$T/text")" "127\.0\.0\.1:$P \.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING" \
    "text: the good target is polled"

# ----------------------------- a bad line stops the run before any packet
cp "$T/names.inv" "$T/bad.inv"
echo "127.0.0.4:$P community" >>"$T/bad.inv"	# line 7: no '='
before=$(in_pkts)
run -i "$T/bad.inv" sysName.0
after=$(in_pkts)
is "$RC" 2 "a bad last line: exit 2"
like "$ERR" "bad\.inv:7: " "a bad last line: FILE:LINE"
is "$OUT" "" "a bad last line: no record"
is "$((after - before))" 1 \
    "a bad last line: the agent got no packet (snmpInPkts $before -> $after, the second GET only)"

# -------------------------------------------------- localhost, -4 and -6
run -H "localhost:$P" sysName.0
is "$RC" 0 "localhost resolves: exit 0"
like "$OUT" "\"host\":\"localhost\",\"port\":$P,\"status\":\"ok\"" \
    "localhost: polled, named as given"
run -4 -H "localhost:$P" sysName.0
is "$RC/$(echo "$OUT" | grep -c '"status":"ok"')" 0/1 "-4 localhost: IPv4, ok"
# What -6 gives depends on /etc/hosts: ask the same C library.
v6=$(python3 -c '
import socket, sys
try:
    a = socket.getaddrinfo("localhost", None, socket.AF_INET6,
        socket.SOCK_DGRAM)
    print(a[0][4][0])
except socket.gaierror:
    print("none")')
run -6 -H "localhost:$P" sysName.0
if [ "$v6" = none ]; then
	is "$RC" 1 "-6 localhost without an IPv6 address for it: exit 1"
	like "$OUT" "\"status\":\"error\",.*cannot resolve 'localhost'" \
	    "-6: IPv6 only, so localhost (IPv4 only in /etc/hosts) does not resolve"
elif [ "$v6" = ::1 ] && [ "$SNMPD_V6" = 1 ]; then
	is "$RC" 0 "-6 localhost: ::1 answered"
	pass "-6 localhost: polled over IPv6"
else
	pass "# SKIP -6 localhost resolves to $v6, snmpd IPv6 $SNMPD_V6"
	pass "# SKIP -6 localhost"
fi
# A private /etc/hosts (a mount namespace; names under .invalid only) for
# names of IPv6 and of both families.
printf '%s\n' "127.0.0.1 localhost" "127.0.0.7 dual.invalid" \
    "::1 dual.invalid" "::1 v6only.invalid" >"$T/hosts"
# in_hosts ARGS... — run snmpfleet (as run does) with that /etc/hosts.
in_hosts() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
	    "$T/hosts" "$SNMPFLEET" -F jsonl "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
}
if [ "$SNMPD_V6" = 1 ] && unshare -m sh -c \
    'mount --bind "$0" /etc/hosts && grep -q v6only /etc/hosts' "$T/hosts" \
    2>/dev/null; then
	in_hosts -t 1 -r 1 -H "v6only.invalid:$P" sysName.0
	is "$RC/$(echo "$OUT" | grep -c '"status":"ok"')" 0/1 \
	    "a name with only ::1: polled over IPv6 (a socket opened for names)"
	# (-4 of a name with only ::1 gives 127.0.0.1: glibc's files
	# backend maps the IPv6 loopback so, whatever -4 does)
	in_hosts -6 -t 1 -r 1 -H "v6only.invalid:$P" sysName.0
	is "$RC/$(echo "$OUT" | grep -c '"status":"ok"')" 0/1 \
	    "-6: the same name, over IPv6"
	# which address -4 and -6 choose, seen by a silent listener on ::1
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
n = 0
while True:
    s.recv(65535)
    n += 1
    open(sys.argv[2] + ".tmp", "w").write("%d\n" % n)
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
' "$T/v6port" "$T/v6count" &
	track_pid $!
	for ((i = 0; i < 100; i++)); do [ -s "$T/v6port" ] && break; sleep 0.05; done
	Q=$(cat "$T/v6port")
	in_hosts -4 -t 0.3 -r 0 -H "dual.invalid:$Q" sysName.0
	sleep 0.2
	is "$(cat "$T/v6count" 2>/dev/null || echo 0)" 0 \
	    "-4 dual.invalid: not sent to ::1 (to 127.0.0.7)"
	in_hosts -6 -t 0.3 -r 0 -H "dual.invalid:$Q" sysName.0
	for ((i = 0; i < 20; i++)); do [ -s "$T/v6count" ] && break; sleep 0.05; done
	is "$(cat "$T/v6count" 2>/dev/null || echo 0)" 1 "-6 dual.invalid: sent to ::1"
else
	for i in 1 2 3 4; do
		pass "# SKIP no IPv6 loopback for snmpd, or no unshare -m"
	done
fi

run -4 -6 -H "localhost:$P" sysName.0
is "$RC" 2 "-4 with -6: exit 2"
like "$ERR" "one at a time" "-4 with -6: said why"

# SNMPv3 to a name: the session is opened at the address looked up.
V3=(-v 3 -u uSHA -l authPriv -a SHA -A sha-auth-pass1 -x AES -X aes-priv-pass1)
run "${V3[@]}" -H "localhost:$P" -H "gone.invalid:$P" -H "127.0.0.1:$P" \
    -H "127.0.0.1:$P" sysName.0
is "$RC" 1 "SNMPv3: a name that does not resolve among good ones: exit 1"
is "$(facts "$T/out" | sed "s/'gone.invalid': .*/.../" | tr '\n' ' ')" \
    "127.0.0.1 ok $SNMPD_SYSNAME gone.invalid error cannot resolve ... localhost ok $SNMPD_SYSNAME " \
    "SNMPv3: localhost answered, the .invalid name is an error, 127.0.0.1 once"
like "$ERR" "1 duplicate target dropped" "SNMPv3: the same user twice is one target"
printf '%s\n' "127.0.0.1:$P" "127.0.0.1:$P user=nobody-here" \
    "127.0.0.1:$P tag.again=yes" >"$T/v3.inv"
run "${V3[@]}" -i "$T/v3.inv" sysName.0
is "$(facts "$T/out" | cut -d' ' -f1-2 | tr '\n' ' ')" \
    "127.0.0.1 error 127.0.0.1 ok " \
    "SNMPv3: another user is another target (which fails), the same one is not"
like "$ERR" "1 duplicate target dropped" "SNMPv3: the third line was dropped"

# -------------------------------------------------- each target once
before=$(in_pkts)
run -H "127.0.0.1:$P" -H "127.0.0.1:$P" -H "127.0.0.0/30" --port "$P" \
    --stats-file "$T/stats.json" sysName.0
after=$(in_pkts)
is "$RC" 0 "-H twice and a /30 around it: exit 0"
is "$(facts "$T/out" | tr '\n' ' ')" \
    "127.0.0.1 ok $SNMPD_SYSNAME 127.0.0.2 ok $SNMPD_SYSNAME " \
    "-H 127.0.0.1 twice and 127.0.0.0/30: 127.0.0.1 and .2 once each"
is "$((after - before))" 3 "the agent got 2 requests (and our second GET)"
like "$ERR" "2 targets: 2 ok.*; 2 duplicate targets dropped" \
    "the summary names the 2 duplicates"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duplicates"])' "$T/stats.json")" 2 \
    "--stats-file: duplicates 2"

before=$(in_pkts)
run --allow-duplicates -H "127.0.0.1:$P" -H "127.0.0.1:$P" \
    -H "127.0.0.0/30" --port "$P" sysName.0
after=$(in_pkts)
is "$(echo "$OUT" | grep -c '"host":"127.0.0.1"')" 3 \
    "--allow-duplicates: 127.0.0.1 polled three times"
is "$(echo "$OUT" | wc -l)" 4 "--allow-duplicates: 4 records, as before"
is "$((after - before))" 5 "--allow-duplicates: the agent got 4 requests"
unlike "$ERR" "duplicate" "--allow-duplicates: no duplicates in the summary"

# Overlapping ranges and blocks in an inventory; other credentials (v1)
# or another port are other targets; the same name twice is one.
cat >"$T/overlap.inv" <<EOF
127.0.1.1-20
127.0.1.10-127.0.1.30
127.0.1.0/27
127.0.1.25
127.0.1.5 version=1
127.0.1.6 tag.dup=yes
localhost
localhost tag.dup=yes
127.0.0.1
127.0.0.1:$P
EOF
run --port "$P" -i "$T/overlap.inv" sysName.0
is "$RC" 0 "overlapping ranges: exit 0"
facts "$T/out" >"$T/facts"
is "$(wc -l <"$T/facts")" 33 \
    "overlapping ranges: 30 addresses, the v1 one, localhost, 127.0.0.1"
is "$(cut -d' ' -f1 "$T/facts" | sort | uniq -d | tr '\n' ' ')" "127.0.1.5 " \
    "only 127.0.1.5 twice (v2c and v1)"
is "$(grep -c "^127\.0\.1\.[0-9]* ok $SNMPD_SYSNAME" "$T/facts")" 31 \
    "every address of the ranges answered"
unlike "$OUT" '"dup":"yes"' "the first line given wins (its tags)"
like "$ERR" "33 targets: 33 ok.*; 45 duplicate targets dropped" \
    "the summary: 78 given, 45 dropped"

done_testing
