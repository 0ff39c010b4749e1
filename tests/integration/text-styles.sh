#!/usr/bin/env bash
# text-styles.sh — "snmpfleet -F text -O FLAGS" prints, after "HOST ",
# what snmpget/snmpwalk print with the same -O FLAGS and the same MIB
# files: short (-Os), full (-Of), module (-OS) names, numeric enums
# (-Oe), quick (-Oq, -OQ), values only (-Ov), and combinations, byte for
# byte, against Debian's snmpd.  The objects of the test MIB
# (tests/data/SNMPFLEET-TEST-MIB.txt: an enum, a DISPLAY-HINT, UNITS, an
# IpAddress + IMPLIED string index) are served by snmpd itself through a
# "pass" script, so names, enums, hints and index breakdown all show.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpget

T=$LIB_TMP
D=$(cd "$(dirname "${BASH_SOURCE[0]}")/../data" && pwd)

# The pass script: a sorted table "OID TYPE VALUE"; -g OID gets, -n OID
# gets the next (arc by arc).
cat >"$T/objects" <<'OBJ'
.1.3.6.1.4.1.32473.7.1.1.0 string Test site, room 1
.1.3.6.1.4.1.32473.7.1.2.1.3.10.0.0.9.101.116.104.48 integer 2
.1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.49 integer 1
.1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.50 integer 7
.1.3.6.1.4.1.32473.7.1.2.1.4.10.0.0.9.101.116.104.48 octet 00 1a 2b 3c 4d 5e
.1.3.6.1.4.1.32473.7.1.2.1.4.127.0.0.1.112.49 octet 02 00 00 00 00 01
.1.3.6.1.4.1.32473.7.1.2.1.4.127.0.0.1.112.50 octet de ad be ef 00 02
.1.3.6.1.4.1.32473.7.1.2.1.5.10.0.0.9.101.116.104.48 integer 42
.1.3.6.1.4.1.32473.7.1.2.1.5.127.0.0.1.112.49 integer 0
.1.3.6.1.4.1.32473.7.1.2.1.5.127.0.0.1.112.50 integer 100
OBJ
cat >"$T/pass.sh" <<PASS
#!/bin/sh
exec awk -v mode="\$1" -v want="\$2" '
function cmp(a, b,   x, y, n, m, i) {
	n = split(substr(a, 2), x, "."); m = split(substr(b, 2), y, ".")
	for (i = 1; i <= n && i <= m; i++)
		if (x[i] + 0 != y[i] + 0)
			return x[i] + 0 < y[i] + 0 ? -1 : 1
	return n < m ? -1 : n > m
}
{
	o = \$1; t = \$2; v = \$0; sub(/^[^ ]+ [^ ]+ /, "", v)
	if ((mode == "-g" && cmp(o, want) == 0) ||
	    (mode == "-n" && cmp(o, want) > 0)) {
		print o; print t; print v; exit
	}
}' "$T/objects"
PASS
chmod +x "$T/pass.sh"
start_snmpd_conf "pass .1.3.6.1.4.1.32473.7 /bin/sh $T/pass.sh"
P=$SNMPD_PORT
A=127.0.0.1:$P

GETS=(
	1.3.6.1.2.1.1.5.0			# sysName.0
	1.3.6.1.2.1.1.2.0			# sysObjectID.0 (an OID value)
	1.3.6.1.2.1.2.2.1.8.1			# ifOperStatus.1 (no MIB file)
	1.3.6.1.4.1.2021.4.5.0			# memTotalReal.0
	1.3.6.1.4.1.32473.7.1.1.0		# testSiteName.0
	1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.50	# testPortState: enum
	1.3.6.1.4.1.32473.7.1.2.1.4.127.0.0.1.112.49	# testPortSerial: hint
	1.3.6.1.4.1.32473.7.1.2.1.5.10.0.0.9.101.116.104.48	# testPortLoad: units
	1.3.6.1.4.1.32473.7.1.99.0		# No Such Object
)
STYLES=(s f S n e q Q v sq se fe qe Qs sU b Se)

# same NAME -- MIBARGS... — for every style, a GET and a walk by snmpfleet
# equal snmpget's and snmpwalk's, with MIBARGS given to both.
same() {
	local name=$1 o n=0 bad=
	shift 2
	for o in "${STYLES[@]}"; do
		snmpget "$@" -O"$o" -v2c -c public "$A" "${GETS[@]}" \
		    >"$T/want" 2>/dev/null
		"$SNMPFLEET" "$@" -O"$o" -q -F text -H "$A" "${GETS[@]}" \
		    </dev/null 2>"$T/err" | sed 's/^[^ ]* //' >"$T/got"
		cmp -s "$T/want" "$T/got" || { bad="$bad -O$o(get)"; diff "$T/want" "$T/got" | head -6 | sed 's/^/# /'; }
		snmpwalk "$@" -O"$o" -v2c -c public "$A" \
		    1.3.6.1.4.1.32473.7.1.2 >"$T/want" 2>/dev/null
		"$SNMPFLEET" "$@" -O"$o" -q -F text -H "$A" \
		    -w 1.3.6.1.4.1.32473.7.1.2 </dev/null 2>"$T/err" |
		    sed 's/^[^ ]* //' >"$T/got"
		cmp -s "$T/want" "$T/got" || { bad="$bad -O$o(walk)"; diff "$T/want" "$T/got" | head -6 | sed 's/^/# /'; }
		[ "$(wc -l <"$T/got")" = 9 ] || bad="$bad -O$o(walk:$(wc -l <"$T/got")lines)"
		n=$((n + 1))
	done
	is "${bad:-none}" none "$name: $n styles, GET and walk, equal snmpget/snmpwalk"
}

# The test MIB alone, then with Debian's own MIB files too (-m ALL).
same "-M tests/data -m SNMPFLEET-TEST-MIB" -- -M "$D" -m SNMPFLEET-TEST-MIB
cp "$T/got" "$T/walk.Se"
same "-M /usr/share/snmp/mibs:tests/data -m ALL" -- \
    -M "/usr/share/snmp/mibs:$D" -m ALL
# Without -m/-M both read net-snmp's default MIBs (snmp.conf's).
same "no -m/-M (net-snmp's defaults)" --

# The comparisons saw what the MIB gives: names, enum labels, hints and
# the index broken down (so equality was not of two numeric dumps).
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -Os -q -F text -H "$A" \
    -w 1.3.6.1.4.1.32473.7.1.2 1.3.6.1.4.1.32473.7.1.1.0 </dev/null \
    >"$T/s" 2>"$T/err"
like "$(cat "$T/s")" \
    "^$A testSiteName.0 = STRING: Test site, room 1\$" \
    "-Os: a scalar by its short name"
like "$(cat "$T/s")" \
    "$A testPortState.127.0.0.1.'p2' = INTEGER: retired\\(7\\)" \
    "-Os: an enum by its label, the IMPLIED string index as text"
like "$(cat "$T/s")" "$A testPortSerial.10.0.0.9.'eth0' = STRING: 0:1a:2b:3c:4d:5e" \
    "-Os: the DISPLAY-HINT applied"
like "$(cat "$T/s")" "$A testPortLoad.127.0.0.1.'p2' = INTEGER: 100 percent" \
    "-Os: UNITS after the value"
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -Oqe -q -F text -H "$A" \
    1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.50 </dev/null >"$T/qe" 2>&1
is "$(cat "$T/qe")" \
    "$A SNMPFLEET-TEST-MIB::testPortState.127.0.0.1.'p2' 7" \
    "-Oqe: module::name, quick, the enum's number"
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -Of -q -F text -H "$A" \
    1.3.6.1.4.1.32473.7.1.1.0 </dev/null >"$T/f" 2>&1
is "$(cat "$T/f")" \
    "$A .iso.3.6.1.4.1.32473.snmpfleetTest.testObjects.testSiteName.0 = STRING: Test site, room 1" \
    "-Of: the full path of names"

# Without -O: still -On, MIB files or not.
"$SNMPFLEET" -M "$D" -m SNMPFLEET-TEST-MIB -q -F text -H "$A" \
    1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.50 </dev/null >"$T/n" 2>&1
is "$(cat "$T/n")" "$A .1.3.6.1.4.1.32473.7.1.2.1.3.127.0.0.1.112.50 = INTEGER: retired(7)" \
    "no -O: numeric OIDs as snmpget -On (with the MIB, enum labels too)"

# A letter net-snmp does not know: exit 2 before polling, with the letter.
"$SNMPFLEET" -Oz -q -F text -H "$A" 1.3.6.1.2.1.1.5.0 </dev/null \
    >"$T/out" 2>"$T/err"
is "$?" 2 "-Oz: exit 2"
like "$(cat "$T/err")" "unknown output option 'z'" "-Oz: names the letter"
is "$(cat "$T/out")" "" "-Oz: nothing polled"

done_testing
