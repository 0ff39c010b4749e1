#!/usr/bin/env bash
# input-bytes.sh — bad bytes and malformed text in the input are refused
# with FILE:LINE: reason and exit status 2, before anything is polled:
#   - a NUL inside an inventory line (it used to end the line there, so
#     "127.0.0.2\0 community=..." polled 127.0.0.2 with "public"), a NUL
#     inside a config line, on stdin too;
#   - --config DIR (it used to read as an empty config) and -i DIR;
#   - host text that is no address and no RFC 1123 host name (stray
#     colons such as 127.0.0.1:161:5, spaces, control bytes, '_', empty
#     labels...) is reported without any resolver call: under strace, no
#     /etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf is opened and
#     nothing connects to port 53 or to nscd.  Names on good lines wait
#     until every line is read, so a bad line anywhere means no lookup at
#     all.  strace injects ENETUNREACH into connect/send* (and the run is
#     in its own network namespace when unshare -n works), so even a
#     regressed binary sends nothing; a control run with a name under
#     .invalid shows that the check does see the resolver.
# Messages quote bad bytes as \xHH, never raw.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT

# refused DESC WHERE — the last run exited 2, said WHERE (a regex), and
# wrote no record.
refused() {
	is "$RC" 2 "$1: exit status 2"
	like "$ERR" "$2" "$1: says $2"
	is "$OUT" "" "$1: nothing polled, no record"
}

# ------------------------------------------------------------- NUL bytes
printf '127.0.0.1:%s\n127.0.0.2:%s\0 community=S3cr3t\n' "$P" "$P" >"$T/nul.inv"
run -i "$T/nul.inv" -t 0.3 -r 0 sysName.0
refused "a NUL inside an inventory line" "nul\.inv:2: NUL byte in the line"
"$SNMPFLEET" -i - -t 0.3 -r 0 sysName.0 <"$T/nul.inv" >"$T/out" 2>"$T/err"
RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
refused "a NUL inside an inventory line on stdin" "\(stdin\):2: NUL byte in the line"
printf 'port = %s\0 junk\ncommunity = public\n' "$P" >"$T/nul.conf"
run --config "$T/nul.conf" -H 127.0.0.1 -t 0.3 -r 0 sysName.0
refused "a NUL inside a config line" "nul\.conf:1: NUL byte in the line"
printf 'port = %s\n[credentials c]\ncommunity = pub\0lic\n' "$P" >"$T/nul2.conf"
run --config "$T/nul2.conf" -H 127.0.0.1 -t 0.3 -r 0 sysName.0
refused "a NUL inside a [credentials] line" "nul2\.conf:3: NUL byte in the line"

# ------------------------------------------------------------ directories
mkdir -p "$T/adir"
run --config "$T/adir" -H "127.0.0.1:$P" -t 0.3 -r 0 sysName.0
refused "--config DIR" "adir: Is a directory"
run -i "$T/adir" -t 0.3 -r 0 sysName.0
refused "-i DIR" "adir: Is a directory"

# ---------------------------------------------- malformed host text
# resolver_calls FILE — how many resolver actions an strace log shows.
resolver_calls() {
	grep -cE 'open(at)?\(.*"/etc/(resolv\.conf|hosts|nsswitch\.conf|gai\.conf|host\.conf)"|connect\(.*(htons\(53\)|nscd)' "$1"
}

STRACE=()
if command -v strace >/dev/null 2>&1 &&
    strace -f -qq -e trace=connect -e inject=connect:error=ENETUNREACH true 2>/dev/null; then
	STRACE=(strace -f -qq -o "$T/strace.log" -e trace=network,openat,open
	    -e inject=connect,sendto,sendmsg,sendmmsg:error=ENETUNREACH)
	if unshare -n true 2>/dev/null; then
		STRACE=(unshare -n "${STRACE[@]}")
	fi
fi

# traced DESC ARG... — run snmpfleet under strace (when there is one).
traced() {
	local desc=$1
	shift
	rm -f "$T/strace.log"
	# LeakSanitizer cannot run under ptrace (it exits 1): off under strace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    "${STRACE[@]}" "$SNMPFLEET" "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
	if [ ${#STRACE[@]} -eq 0 ]; then
		pass "# SKIP $desc: no resolver call (no strace)"
	else
		is "$(resolver_calls "$T/strace.log")" 0 "$desc: no resolver call"
	fi
}

{
	echo "core-sw-1.example.invalid:$P"	# a good name, line 1
	echo "127.0.0.1:161:5"			# 2
	printf 'bad\001host.example.invalid\n'	# 3
	echo "under_score.example.invalid"	# 4
	echo "-lead.example.invalid"		# 5
	echo "a..b.example.invalid"		# 6
	echo "fe80::1%lo"			# 7
	echo "[127.0.0.1]x"			# 8
	echo "127.0.0.1:$P"			# 9, fine
} >"$T/hosts.inv"
traced "malformed host text in an inventory" -i "$T/hosts.inv" -t 0.3 -r 0 sysName.0
refused "malformed host text in an inventory" "hosts\.inv:2: bad address '127\.0\.0\.1:161:5'"
for n in 3 4 5 6 7 8; do
	like "$ERR" "hosts\.inv:$n: " "malformed host text: line $n reported"
done
unlike "$ERR" "hosts\.inv:(1|9):" "malformed host text: the good lines are not reported"
like "$ERR" 'bad\\x01host' "malformed host text: a control byte is quoted as \\x01"
ok "$(printf '%s' "$ERR" | LC_ALL=C grep -q '[[:cntrl:]]'; echo $((! $?)))" \
    "malformed host text: no raw control byte in the messages"

traced "-H with a space" -H "127.0.0.1 127.0.0.2" -t 0.3 -r 0 sysName.0
refused "-H with a space" "--host 127\.0\.0\.1 127\.0\.0\.2: bad host name"
traced "-H with a stray colon" -H "127.0.0.1:$P:5" -t 0.3 -r 0 sysName.0
refused "-H with a stray colon" "bad address"
printf 'host = ex\033[2Jample.invalid\n' >"$T/esc.conf"
traced "host = with an escape sequence in a config file" --config "$T/esc.conf" \
    -t 0.3 -r 0 sysName.0
refused "host = with an escape sequence" 'ex\\x1b\[2Jample'

# The control: a good name alone is looked up (under .invalid: it fails),
# and the check sees it.
if [ ${#STRACE[@]} -ne 0 ]; then
	echo "nothing-here.example.invalid:$P" >"$T/name.inv"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    "${STRACE[@]}" "$SNMPFLEET" -i "$T/name.inv" -t 0.3 -r 0 \
	    sysName.0 </dev/null >"$T/out" 2>"$T/err"
	RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
	refused "a name that does not resolve" "name\.inv:1: cannot resolve 'nothing-here\.example\.invalid'"
	ok "$([ "$(resolver_calls "$T/strace.log")" -gt 0 ]; echo $?)" \
	    "a name that does not resolve: the strace check sees the resolver"
else
	for i in 1 2 3 4; do pass "# SKIP no strace"; done
fi

done_testing
