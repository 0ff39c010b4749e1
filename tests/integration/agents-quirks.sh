#!/usr/bin/env bash
# agents-quirks.sh — agents as they are in the wild, and the per-target
# keys that make them work, while the default behaviour stays as it was:
#
#   - walks that go back (hostile.py out-of-order): an error by default;
#     allow-non-increasing=yes completes them; an agent whose walk cycles
#     for ever (cycle, nonincreasing) is still ended by the loop guard;
#   - replies from another address (hostile.py wrong-source, and relay in
#     front of the real snmpd, SNMPv2c and SNMPv3 authPriv): ignored by
#     default (timeout); any-source=yes takes them, if the community is
#     the target's;
#   - agents that mishandle GETBULK (no-getbulk: never answered;
#     bulk-generr: genErr): no-bulk=yes walks them with GETNEXT;
#   - max-repetitions= and max-oids= per target (and from the command
#     line and a [credentials] set) are what the agent sees (hostile.py
#     --log);
#   - on the real snmpd, a --no-bulk walk of the system group equals the
#     GETBULK walk and net-snmp's snmpwalk, one GETNEXT per value; -w .1
#     walks everything, starting as snmpwalk .1 does.
#
# Every run is guarded by "timeout 120" only to turn a hang into a failure
# (exit 124 is asserted against); nothing bounds how long a run takes.
# shellcheck disable=SC2154 # PORT_* are set by start_hostile (printf -v)
# shellcheck source=lib.sh
. "${top_srcdir:-.}/tests/integration/lib.sh"
need_snmpfleet
need_snmpget
need_snmpber
command -v snmpwalk >/dev/null 2>&1 || bail_out "snmpwalk not found (apt-get install snmp)"

plan 60

T=$LIB_TMP
R=1.3.6.1.4.1.99999
V3=(-v 3 -u quirk -l authPriv -a SHA -A quirk-auth-pass1 -x AES -X quirk-priv-pass1)

start_snmpd_conf 'createUser quirk SHA "quirk-auth-pass1" AES "quirk-priv-pass1"' \
    'rouser quirk priv'
SP=$SNMPD_PORT

run() { guarded_run "$@"; }

# oids_of NAME — the OIDs of a one-target jsonl run's values.
oids_of() {
	rec "$T/$1.out" '[o for o, t, v in vals]'
}

# inv NAME LINE... — an inventory file $T/NAME.inv.
inv() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$T/$name.inv"
}

for m in out-of-order cycle nonincreasing no-getbulk bulk-generr \
    wrong-source; do
	start_hostile "$m" "$m"
done
start_hostile wrong-source2 wrong-source
start_hostile other-community wrong-source --reply-community private
start_hostile relay relay --upstream "$SP"
for n in a b c; do
	start_hostile "log-$n" good --log "$T/log-$n.txt"
done

ALL5="['$R.1.1', '$R.1.3', '$R.1.2', '$R.1.4', '$R.1.5', '$R.1.5']"

# ------------------------------------------------- walks that go back
H=127.0.0.1:$PORT_out_of_order
run ooo-default -H "$H" -t 0.5 -r 1 -F jsonl -q -w "$R"
is "$(status_of ooo-default)" 1/error "out of order, by default: exit 1, status error (as before)"
is "$(rec "$T/ooo-default.out" 'r["error"]')" "OID not increasing: $R.1.3 >= $R.1.2" \
    "out of order, by default: the walk ends at the step back"
is "$(oids_of ooo-default)" "['$R.1.1', '$R.1.3']" "out of order, by default: the values before it"

inv ooo "$H allow-non-increasing=yes"
run ooo-key -i "$T/ooo.inv" -t 0.5 -r 1 -F jsonl -q -w "$R"
is "$(status_of ooo-key)" 0/ok "allow-non-increasing=yes: exit 0, status ok"
is "$(oids_of ooo-key)" "$ALL5" "allow-non-increasing=yes: every value, in the agent's order, then endOfMibView"

run ooo-cli -H "$H" --allow-non-increasing -t 0.5 -r 1 -F jsonl -q -w "$R"
is "$(status_of ooo-cli)" 0/ok "--allow-non-increasing: the same from the command line"
run ooo-getnext -H "$H" --allow-non-increasing --no-bulk -t 0.5 -r 1 -F jsonl -q -w "$R"
is "$(oids_of ooo-getnext)" "$ALL5" "--allow-non-increasing with GETNEXT: the same values"

# A walk that cycles for ever: R.1.1 R.1.3 R.1.2 R.1.4 R.1.5 R.1.1 ...
inv cycle "127.0.0.1:$PORT_cycle allow-non-increasing=yes"
for how in bulk getnext; do
	extra=()
	[ "$how" = getnext ] && extra=(--no-bulk)
	run "cycle-$how" -i "$T/cycle.inv" "${extra[@]}" -t 0.5 -r 1 -F jsonl -q -w "$R"
	ok "$([ "$RC" != 124 ] && echo 0 || echo 1)" "cycle ($how): the run ends by itself"
	is "$(status_of "cycle-$how")" 1/error "cycle ($how): exit 1, status error"
	is "$(rec "$T/cycle-$how.out" 'r["error"]')" \
	    "walk loops: OID $R.1.1 came again (allow-non-increasing)" \
	    "cycle ($how): ended by the loop guard, saying where"
	is "$(oids_of "cycle-$how")" "${ALL5%, *}]" "cycle ($how): each value once"
done
run cycle-default -H "127.0.0.1:$PORT_cycle" -t 0.5 -r 1 -F jsonl -q -w "$R"
like "$(rec "$T/cycle-default.out" 'r["error"]')" "^OID not increasing" \
    "cycle, by default: the first step back ends it"

# nonincreasing answers R.1.2, R.1.1 to every request
run nonincr -H "127.0.0.1:$PORT_nonincreasing" --allow-non-increasing -t 0.5 -r 1 \
    -F jsonl -q -w "$R"
is "$(status_of nonincr)" 1/error "the same answer to every request: exit 1, status error"
is "$(rec "$T/nonincr.out" 'r["error"]')" \
    "walk loops: OID $R.1.2 came again (allow-non-increasing)" \
    "the same answer to every request: the loop guard ends it"

# ------------------------------------------- replies from another address
H=127.0.0.1:$PORT_wrong_source
H2=127.0.0.1:$PORT_wrong_source2
run ws-default -H "$H" -t 0.3 -r 1 -F jsonl -q sysName.0
is "$(status_of ws-default)" 1/timeout "reply from 127.0.0.2, by default: ignored, timeout (as before)"
inv ws "$H any-source=yes" "$H2"
run ws-key -i "$T/ws.inv" -t 0.3 -r 1 -F jsonl -q sysName.0
is "$RC" 1 "any-source=yes on one of two such agents: exit 1"
is "$(python3 -c '
import json, sys
print(sorted((r["port"], r["status"]) for r in map(json.loads, open(sys.argv[1]))))' "$T/ws-key.out")" \
    "$(python3 -c 'import sys; print(sorted([(int(sys.argv[1]), "ok"), (int(sys.argv[2]), "timeout")]))' \
    "$PORT_wrong_source" "$PORT_wrong_source2")" \
    "any-source=yes: that target answered, the other (no key) timed out"
is "$(python3 -c '
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    if r["status"] == "ok":
        print(r["values"][0]["value"], r["retries"])' "$T/ws-key.out")" "hostile 0" \
    "any-source=yes: the agent's value, at the first try"
run ws-cli -H "$H" --any-source -t 0.3 -r 1 -F jsonl -q sysName.0
is "$(status_of ws-cli)" 0/ok "--any-source: the same from the command line"
run ws-comm -H "127.0.0.1:$PORT_other_community" --any-source -t 0.3 -r 1 -F jsonl -q sysName.0
is "$(status_of ws-comm)" 1/timeout "--any-source, but the reply's community is not ours: still ignored"

# The real snmpd behind a relay that answers from 127.0.0.2.
H=127.0.0.1:$PORT_relay
want=$(snmpget -v2c -c public -On "127.0.0.1:$SP" 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0 | sed "s/^/$H /")
run relay-default -H "$H" -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-default.out")" "1:$H # timeout" \
    "snmpd answering from 127.0.0.2, v2c, by default: timeout"
inv relay "$H any-source=yes"
run relay-key -i "$T/relay.inv" -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-key.out")" "0:$want" \
    "snmpd answering from 127.0.0.2, v2c, any-source=yes: what snmpget prints"
run relay-v3 -H "$H" "${V3[@]}" -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-v3.out")" "1:$H # timeout" \
    "the same, SNMPv3 authPriv, by default: timeout (engineID discovery)"
ENGINE=$(snmpd_engine_id)
run relay-v3e -H "$H" "${V3[@]}" -e "$ENGINE" -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-v3e.out")" "1:$H # timeout" \
    "the same, SNMPv3 with -e (no discovery), by default: timeout (the session's socket takes only its target)"
run relay-v3-any -H "$H" "${V3[@]}" --any-source -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-v3-any.out")" "0:$want" \
    "SNMPv3 authPriv, --any-source: answered, what snmpget prints"
run relay-v3e-any -i "$T/relay.inv" "${V3[@]}" -e "$ENGINE" -t 0.3 -r 1 sysName.0 sysDescr.0
is "$RC:$(cat "$T/relay-v3e-any.out")" "0:$want" \
    "SNMPv3 with -e, any-source=yes: answered"

# ------------------------------------------------ agents and GETBULK
H=127.0.0.1:$PORT_no_getbulk
run nobulk-default -H "$H" -t 0.3 -r 1 -F jsonl -q -w "$R"
is "$(status_of nobulk-default)" 1/timeout "GETBULK never answered, by default: timeout"
inv nobulk "$H no-bulk=yes"
run nobulk-key -i "$T/nobulk.inv" -t 0.3 -r 1 -F jsonl -q -w "$R"
is "$(status_of nobulk-key)" 0/ok "no-bulk=yes: the walk works"
is "$(oids_of nobulk-key)" \
    "['$R.1.1', '$R.1.2', '$R.1.3', '$R.1.4', '$R.1.5', '$R.1.5']" \
    "no-bulk=yes: every value, then endOfMibView"
is "$(rec "$T/nobulk-key.out" 'r["retries"]')" 0 "no-bulk=yes: no retries (nothing was left unanswered)"

H=127.0.0.1:$PORT_bulk_generr
run generr-default -H "$H" -t 0.3 -r 1 -F jsonl -q -w "$R"
is "$(status_of generr-default)" 1/error "GETBULK answered with genErr, by default: error"
like "$(rec "$T/generr-default.out" 'r["error"]')" "^\(genError\)" "... saying genError"
run generr-cli -H "$H" --no-bulk -t 0.3 -r 1 -F jsonl -q -w "$R"
is "$(status_of generr-cli)" 0/ok "--no-bulk: the walk works"
run generr-v1 -H "$H" -v 1 -t 0.3 -r 1 -F jsonl -q -w "$R"
is "$(status_of generr-v1)" 0/ok "(SNMPv1 walks by GETNEXT anyway)"

# ----------------------------------- what the agents see, per target
cat >"$T/quirks.conf" <<EOF
[credentials slow]
max-repetitions = 4
no-bulk = yes
max-oids = 2
EOF
inv sizes "127.0.0.1:$PORT_log_a max-repetitions=7 max-oids=3" \
    "127.0.0.1:$PORT_log_b" "127.0.0.1:$PORT_log_c cred=slow"
GETS=()
for i in 1 2 3 4 5 6 7; do
	GETS+=("$R.3.$i")
done
run sizes --config "$T/quirks.conf" -i "$T/sizes.inv" --max-repetitions 2 \
    --max-oids 5 -t 0.5 -r 1 -F jsonl -q "${GETS[@]}" -w "$R"
is "$RC" 0 "three agents, three sizes: exit 0"
is "$(python3 -c '
import json, sys
print(sorted(len(r["values"]) for r in map(json.loads, open(sys.argv[1]))))' "$T/sizes.out")" \
    "[13, 13, 13]" "each record: the 7 GET values, 5 walked and endOfMibView"
is "$(sort -u "$T/log-a.txt" | tr '\n' ' ')" "GET 1 0 GET 3 0 GETBULK 1 7 " \
    "max-repetitions=7 max-oids=3: GETs of 3 (and 1), GETBULK max-repetitions 7"
is "$(grep -c '^GET 3 0' "$T/log-a.txt")" 2 "max-oids=3: 7 OIDs in GETs of 3, 3, 1"
is "$(sort -u "$T/log-b.txt" | tr '\n' ' ')" "GET 2 0 GET 5 0 GETBULK 1 2 " \
    "no keys: --max-oids 5 and --max-repetitions 2 from the command line"
is "$(sort -u "$T/log-c.txt" | tr '\n' ' ')" "GET 1 0 GET 2 0 GETNEXT 1 0 " \
    "a [credentials] set with max-oids = 2, no-bulk = yes: GETs of 2, walked by GETNEXT"
is "$(grep -c '^GETNEXT' "$T/log-c.txt")" 6 "no-bulk: one GETNEXT per value, and one past the end"

# ------------------------------------------- the real snmpd, GETNEXT
H=127.0.0.1:$SNMPD_PORT
SYS=1.3.6.1.2.1.1
run sys-bulk -H "$H" -t 1 -r 1 -w "$SYS"
is "$RC" 0 "snmpd, the system group by GETBULK: exit 0"
run sys-next -H "$H" --no-bulk -t 1 -r 1 -w "$SYS"
is "$RC" 0 "snmpd, the system group by GETNEXT (--no-bulk): exit 0"
# sysUpTime ticks between the walks; everything else must be equal
grep -v "^$H \.$SYS\.3\.0 = " "$T/sys-bulk.out" >"$T/sys-bulk.cmp"
grep -v "^$H \.$SYS\.3\.0 = " "$T/sys-next.out" >"$T/sys-next.cmp"
check "snmpd: the GETNEXT walk equals the GETBULK walk (sysUpTime aside)" \
    cmp -s "$T/sys-bulk.cmp" "$T/sys-next.cmp"
snmpwalk -v2c -c public -On "$H" "$SYS" | grep -v "^\.$SYS\.3\.0 = " |
    sed "s/^/$H /" >"$T/sys-snmpwalk.cmp"
check "snmpd: and net-snmp's snmpwalk's" cmp -s "$T/sys-snmpwalk.cmp" "$T/sys-next.cmp"
n=$(wc -l <"$T/sys-next.out")
ok "$([ "$n" -gt 10 ] && echo 0 || echo 1)" "snmpd: the system group has values ($n)"
like "$(cat "$T/sys-next.err")" "; $((n + 1)) requests " \
    "snmpd, --no-bulk: one GETNEXT per value and one past the group ($((n + 1)))"
like "$(cat "$T/sys-bulk.err")" "; [1-3] requests " "snmpd, GETBULK: a few requests"

# -w .1 and -w 1: everything, as snmpwalk .1
snmpwalk -v2c -c public -On "$H" .1 2>/dev/null | head -n 12 | sed "s/^/$H /" |
    grep -v "^$H \.$SYS\.3\.0 = " >"$T/dot1-snmpwalk.cmp"
for root in .1 1; do
	run "dot1-$root" -H "$H" -t 1 -r 1 -w "$root"
	is "$RC" 0 "-w $root on snmpd: exit 0"
	head -n 12 "$T/dot1-$root.out" | grep -v "^$H \.$SYS\.3\.0 = " >"$T/dot1-$root.cmp"
	check "-w $root: starts as snmpwalk .1 does" cmp -s "$T/dot1-snmpwalk.cmp" "$T/dot1-$root.cmp"
	n=$(wc -l <"$T/dot1-$root.out")
	ok "$([ "$n" -gt 100 ] && echo 0 || echo 1)" "-w $root: the whole MIB, past the system group ($n values)"
done
grep -q "^$H \.1\.3\.6\.1\.6\.3\." "$T/dot1-1.out"
ok $? "-w 1: on to snmpModules (1.3.6.1.6.3), past mib-2"
for f in "$T"/*.err; do
	if grep -q "cannot encode\|bad OID" "$f"; then
		fail "no run said 'cannot encode' or 'bad OID' ($f)"
		diag "$(cat "$f")"
		done_testing
	fi
done
pass "no run said 'cannot encode' or 'bad OID'"

done_testing
