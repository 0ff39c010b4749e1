#!/usr/bin/env bash
# cli-errors.sh — bad input is reported precisely (FILE:LINE:), exits 2 and
# sends no packet; --help, --version and --echo-config behave.
#
# Every target named here is 127.0.0.1 on the port of a datagram counter we
# start, so "no packet was sent" is measured, not assumed.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

T=$LIB_TMP

# ------------------------------------------------------ datagram counter
# Binds 127.0.0.1 on a port the kernel picks, writes the port to a file,
# then rewrites the count file after every datagram it receives.
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
d = sys.argv[1]
def put(name, text):
    with open(d + "/" + name + ".tmp", "w") as f:
        f.write(text)
    os.rename(d + "/" + name + ".tmp", d + "/" + name)
put("count", "0\n")
put("port", "%d\n" % s.getsockname()[1])
n = 0
while True:
    s.recv(65535)
    n += 1
    put("count", "%d\n" % n)
' "$T" &
track_pid $!
for ((i = 0; i < 100; i++)); do
	[ -s "$T/port" ] && break
	sleep 0.05
done
[ -s "$T/port" ] || bail_out "the datagram counter did not start"
LPORT=$(cat "$T/port")
TARGET=127.0.0.1:$LPORT
count() { cat "$T/count"; }

# --------------------------------------------------- bad inventory lines
# bad_inventory DESC LINE — LINE sits on line 4 of an inventory whose other
# lines are fine; expect exit 2, "FILE:4:" on stderr, nothing on stdout.
bad_inventory() {
	local desc=$1 line=$2 f=$T/inv-$LIB_NTEST.txt
	{
		echo "# inventory with one bad line"
		echo "$TARGET"
		echo ""
		echo "$line"
		echo "$TARGET tag.site=lab"
	} >"$f"
	run -i "$f" -t 0.2 -r 0 sysName.0
	is "$RC" 2 "$desc: exit status 2"
	like "$ERR" "$(printf '%s' "$f" | sed 's/[].[^$*+?(){}|\\]/\\&/g'):4:" \
	    "$desc: stderr names $f:4:"
	is "$OUT" "" "$desc: nothing on stdout"
}

bad_inventory "bad address in a CIDR block" "127.0.0.300/24"
bad_inventory "bad CIDR prefix" "127.0.0.0/33"
bad_inventory "bad range end" "127.0.0.1-127.0.0.999"
bad_inventory "unknown key" "127.0.0.2 colour=blue"
bad_inventory "bad version" "127.0.0.2 version=7"
bad_inventory "bad port in the spec" "127.0.0.2:70000"
bad_inventory "bad port key" "127.0.0.2 port=0"
bad_inventory "key without a value" "127.0.0.2 community"
bad_inventory "bad no-bulk" "127.0.0.2 no-bulk=maybe"
bad_inventory "bad any-source" "127.0.0.2 any-source=2"
bad_inventory "max-repetitions 0" "127.0.0.2 max-repetitions=0"
bad_inventory "max-oids past 1000" "127.0.0.2 max-oids=1001"

# A malformed dotted quad must be rejected, not looked up in the DNS.  Run
# it without a network (unshare -n) where we can, so that a binary that does
# resolve it still sends no packet off this machine.
if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	f=$T/inv-dotted.txt
	printf '%s\n' "127.0.0.1" "127.0.0.300" >"$f"
	unshare -n "$SNMPFLEET" -i "$f" -t 0.2 -r 0 sysName.0 \
	    </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	is "$RC" 2 "malformed dotted quad: exit status 2"
	like "$(cat "$T/err")" ":2:" "malformed dotted quad: stderr names line 2"
	unlike "$(cat "$T/err")" "resolve" \
	    "malformed dotted quad: reported as a bad address, not resolved"
else
	pass "# SKIP unshare -n not available"
	pass "# SKIP unshare -n not available"
	pass "# SKIP unshare -n not available"
fi

# Every bad line is reported, not just the first.
f=$T/inv-two-bad.txt
printf '%s\n' "$TARGET" "127.0.0.0/40" "$TARGET" "127.0.0.3 bogus=1" >"$f"
run -i "$f" sysName.0
is "$RC" 2 "two bad lines: exit status 2"
like "$ERR" "inv-two-bad.txt:2:" "two bad lines: line 2 reported"
like "$ERR" "inv-two-bad.txt:4:" "two bad lines: line 4 reported"

# A missing inventory file.
run -i "$T/no-such-inventory" sysName.0
is "$RC" 2 "missing inventory file: exit status 2"
like "$ERR" "no-such-inventory" "missing inventory file: named on stderr"

# A bad -H spec, and no target at all.
run -H 127.0.0.0/99 sysName.0
is "$RC" 2 "bad -H CIDR prefix: exit status 2"
run sysName.0
is "$RC" 2 "no targets: exit status 2"

# ------------------------------------------------------------ bad OIDs
run -H "$TARGET" -t 0.2 -r 0 noSuchObjectName.0
is "$RC" 2 "unknown OID name: exit status 2"
like "$ERR" "noSuchObjectName" "unknown OID name: named on stderr"
is "$OUT" "" "unknown OID name: nothing on stdout"
run -H "$TARGET" -t 0.2 -r 0 1.3.6.x.1
is "$RC" 2 "malformed numeric OID: exit status 2"
# Text net-snmp's name parser would spend gigabytes and seconds on (a
# letter and 40 '+') is refused before any lookup; so is a walk root with
# an empty component.  (timeout only turns a hang into a failure.)
plus=a$(printf '+%.0s' $(seq 40))
RC=0
timeout 120 "$SNMPFLEET" -H "$TARGET" -t 0.2 -r 0 "$plus" \
    </dev/null >"$T/out" 2>"$T/err" || RC=$?
ERR=$(cat "$T/err")
is "$RC" 2 "OID text with '+': exit status 2 (not 124: no hang)"
like "$ERR" "bad OID 'a\+{40}': only letters, digits and _ \. : - may appear" \
    "OID text with '+': a usage error saying what may appear"
run -H "$TARGET" -t 0.2 -r 0 -w 'sysName..0'
is "$RC" 2 "walk root with an empty component: exit status 2"
like "$ERR" "bad OID 'sysName\.\.0': empty component" \
    "walk root with an empty component: says so"

# ---------------------------------------------------- unwritable output
run -H "$TARGET" -t 0.2 -r 0 -o "$T/no-such-dir/records.txt" sysName.0
is "$RC" 2 "-o under a missing directory: exit status 2"
like "$ERR" "no-such-dir" "-o under a missing directory: path on stderr"
is "$OUT" "" "-o under a missing directory: nothing on stdout"
mkdir -p "$T/a-directory"
run -H "$TARGET" -t 0.2 -r 0 -o "$T/a-directory" sysName.0
is "$RC" 2 "-o naming a directory: exit status 2"

# --------------------------------------------------- bad option values
run --no-such-option -H "$TARGET" sysName.0
is "$RC" 2 "unknown option: exit status 2"
run -H "$TARGET" -t abc sysName.0
is "$RC" 2 "-t abc: exit status 2"
run -H "$TARGET" -F xml sysName.0
is "$RC" 2 "-F xml: exit status 2"
run -H "$TARGET" -v 9 sysName.0
is "$RC" 2 "-v 9: exit status 2"
run -H "$TARGET" --port 0 sysName.0
is "$RC" 2 "--port 0: exit status 2"

# Unknown options are named as given: getopt's optopt, not argv[0] (with
# "-Cr10", net-snmp's walk option, argv[optind - 1] was the program).
run -Cr10 -H "$TARGET" sysName.0
is "$RC" 2 "-Cr10: exit status 2"
is "$ERR" "snmpfleet: unknown option '-C' (see --help)" "-Cr10: names -C"
run -H "$TARGET" --no-such-option=1 sysName.0
like "$ERR" "unknown option '--no-such-option' \(see --help\)" \
    "an unknown long option is named without its value"
run -H "$TARGET" --quiet=yes sysName.0
is "$RC" 2 "--quiet=yes: exit status 2"
is "$ERR" "snmpfleet: option '--quiet' takes no value" \
    "--quiet=yes: a flag takes no value, said so"
run -H "$TARGET" sysName.0 -c
is "$ERR" "snmpfleet: option '-c' needs a value" "-c at the end: needs a value"

# A host among the OID arguments: said so, before anything is sent.
run -H "$TARGET" 127.0.0.2 sysDescr.0
is "$RC" 2 "a host next to -H: exit status 2"
is "$ERR" "snmpfleet: '127.0.0.2' looks like a host; give hosts with -H or -i (arguments after the options are OIDs)" \
    "a host next to -H: said so (not 'cannot encode request')"
run 127.0.0.1
is "$RC" 2 "a host and no -H: exit status 2"
like "$ERR" "'127\.0\.0\.1' looks like a host; give hosts with -H or -i" \
    "a host and no -H: said so"
for h in "127.0.0.3:161" "[::1]:161" "::1" "10.0.0.0/8"; do
	run -H "$TARGET" sysName.0 "$h"
	like "$RC:$ERR" "^2:.*'$(printf '%s' "$h" | sed 's/[].[^$*+?(){}|\/]/\\&/g')' looks like a host" \
	    "'$h' among the OIDs: looks like a host, exit 2"
done
run -H "$TARGET" -t 0.2 -r 0 --oid .1
is "$RC" 2 "--oid .1: exit status 2"
is "$ERR" "snmpfleet: '.1' is a subtree, not an object to GET: walk it with -w" \
    "--oid .1: a subtree, walk it"
run -H "$TARGET" -t 0.2 -r 0 -w 3.1
like "$RC:$ERR" "^2:.*bad OID '3\.1': an OID starts with 0, 1 or 2" \
    "-w 3.1: no OID starts with 3"

# ------------------------------------------------ no packet was sent
sleep 0.3	# let the counter read anything that is queued
is "$(count)" 0 "none of the failed runs above sent a datagram"

# The counter does count: a run that polls sends to it (and times out).
run -H "$TARGET" -t 0.2 -r 0 sysName.0
is "$RC" 1 "a run against the silent counter: exit status 1"
for ((i = 0; i < 20; i++)); do
	[ "$(count)" -gt 0 ] && break
	sleep 0.05
done
ok $(($(count) >= 1 ? 0 : 1)) "the counter saw the datagram of a real run"
is "$OUT" "$TARGET # timeout" "the silent counter's record says timeout"

# -w .1 and -w 1 (walk everything, as snmpwalk .1) are taken, and polled.
before=$(count)
run -H "$TARGET" -t 0.2 -r 0 -w .1
is "$RC:$OUT" "1:$TARGET # timeout" "-w .1: polled (a timeout here), not a bad OID"
run -H "$TARGET" -t 0.2 -r 0 -w 1
is "$RC:$OUT" "1:$TARGET # timeout" "-w 1: polled too"
for ((i = 0; i < 20; i++)); do
	[ "$(count)" -ge $((before + 2)) ] && break
	sleep 0.05
done
is "$(count)" $((before + 2)) "-w .1 and -w 1: one datagram each"

# ------------------------------------------------- help and version
run --help
is "$RC" 0 "--help: exit status 0"
like "$OUT" "--inventory" "--help lists --inventory"
like "$OUT" "--echo-config" "--help lists --echo-config"
run -h
is "$RC" 0 "-h: exit status 0"
run --version
is "$RC" 0 "--version: exit status 0"
like "$OUT" "[0-9]+\.[0-9]+(\.[0-9]+)?" "--version prints a version number"
run -V
like "$OUT" "[0-9]+\.[0-9]+" "-V prints a version number"

# ------------------------------------------------------ --echo-config
run -H 127.0.0.1 -c 's3cret-from-cli' -t 0.5 -j 17 -F jsonl --echo-config
is "$RC" 0 "--echo-config: exit status 0"
printf '%s\n' "$OUT" >"$T/echo1.conf"
unlike "$OUT" "s3cret-from-cli" "--echo-config does not print the -c value"
unlike "$OUT" "^[[:space:]]*community[[:space:]]*=" \
    "--echo-config: community only commented out"
like "$OUT" "^[[:space:]]*concurrency[[:space:]]*=[[:space:]]*17[[:space:]]*$" \
    "--echo-config shows -j 17"
like "$OUT" "^[[:space:]]*format[[:space:]]*=[[:space:]]*jsonl[[:space:]]*$" \
    "--echo-config shows -F jsonl"
like "$OUT" "^[[:space:]]*host[[:space:]]*=[[:space:]]*127\.0\.0\.1[[:space:]]*$" \
    "--echo-config shows the host"

run --config "$T/echo1.conf" --echo-config
is "$RC" 0 "--config of the echoed config: exit status 0"
if [ -z "$OUT" ]; then
	fail "the echoed config reads back to the same echo"
	diag "--config ... --echo-config printed nothing"
else
	is "$OUT" "$(cat "$T/echo1.conf")" "the echoed config reads back to the same echo"
fi

cat >"$T/secret.conf" <<'EOF'
# a config file with a secret
community = s3cret-from-file
host = 127.0.0.1
timeout = 0.25
EOF
run --config "$T/secret.conf" --echo-config
is "$RC" 0 "--config with a community: exit status 0"
unlike "$OUT" "s3cret-from-file" "--echo-config does not print a config file's community"
like "$OUT" "^[[:space:]]*timeout[[:space:]]*=[[:space:]]*0\.25[[:space:]]*$" \
    "--echo-config shows the config file's timeout"

SNMPFLEET_COMMUNITY=s3cret-from-env run -H 127.0.0.1 --echo-config
unlike "$OUT" "s3cret-from-env" "--echo-config does not print SNMPFLEET_COMMUNITY"

# ------------------------------------------------- config file errors
cat >"$T/bad1.conf" <<'EOF'
# line 1
timeout = 0.5
this-is-not-an-option = 1
EOF
run --config "$T/bad1.conf" -H "$TARGET" sysName.0
is "$RC" 2 "config: unknown option: exit status 2"
like "$ERR" "bad1\.conf:3:" "config: unknown option reported as FILE:3:"

cat >"$T/bad2.conf" <<'EOF'
host = 127.0.0.1
timeout = soon
EOF
run --config "$T/bad2.conf" sysName.0
is "$RC" 2 "config: bad value: exit status 2"
like "$ERR" "bad2\.conf:2:" "config: bad value reported as FILE:2:"

printf '%s\n' "# ok" "" "just some words" >"$T/bad3.conf"
run --config "$T/bad3.conf" -H "$TARGET" sysName.0
is "$RC" 2 "config: line without '=': exit status 2"
like "$ERR" "bad3\.conf:3:" "config: line without '=' reported as FILE:3:"

run --config "$T/no-such.conf" -H "$TARGET" sysName.0
is "$RC" 2 "config: missing file: exit status 2"

sleep 0.2
is "$(count)" 3 "the error runs after the real ones sent nothing either"

done_testing
