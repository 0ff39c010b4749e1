#!/usr/bin/env bash
# text-matches-snmpget.sh — for a handful of targets, "snmpfleet -F text"
# prints, after the leading "HOST " field, exactly what "snmpget -On" prints
# for the same OIDs, for every value type snmpd gives us, in v2c and v1.
#
# Values that change between two requests (sysUpTime, snmpInPkts,
# ifHCInOctets) are compared with their number masked, and the number is
# checked to lie between what snmpget saw just before and just after.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpget
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
HOSTS=(127.0.0.5 127.0.1.9 127.3.2.1 127.200.100.50 127.0.0.1)

# In request order, deliberately not sorted.
OIDS_V2=(
	1.3.6.1.2.1.1.5.0		# sysName.0		STRING
	1.3.6.1.2.1.1.1.0		# sysDescr.0		STRING
	1.3.6.1.2.1.1.6.0		# sysLocation.0		STRING with a comma
	1.3.6.1.2.1.1.2.0		# sysObjectID.0		OID
	1.3.6.1.2.1.1.3.0		# sysUpTime.0		Timeticks (changes)
	1.3.6.1.2.1.1.7.0		# sysServices.0		INTEGER
	1.3.6.1.2.1.11.1.0		# snmpInPkts.0		Counter32 (changes)
	1.3.6.1.2.1.11.3.0		# snmpInBadVersions.0	Counter32
	1.3.6.1.2.1.2.2.1.5.1		# ifSpeed.1		Gauge32
	1.3.6.1.2.1.4.20.1.1.127.0.0.1	# ipAdEntAddr		IpAddress
	1.3.6.1.6.3.10.2.1.1.0		# snmpEngineID.0	Hex-STRING, 2 lines
	1.3.6.1.2.1.2.2.1.6.1		# ifPhysAddress.1	empty string
	1.3.6.1.2.1.31.1.1.1.6.1	# ifHCInOctets.1	Counter64 (changes)
	1.3.6.1.2.1.1.99.0		# (none)		No Such Object
	1.3.6.1.2.1.1.5.1		# sysName.1		No Such Instance
)
# v1 has no Counter64 and no exceptions (snmpget -v1 fails the whole PDU).
OIDS_V1=(
	1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.6.0
	1.3.6.1.2.1.1.2.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.7.0
	1.3.6.1.2.1.11.1.0 1.3.6.1.2.1.11.3.0 1.3.6.1.2.1.2.2.1.5.1
	1.3.6.1.2.1.4.20.1.1.127.0.0.1 1.3.6.1.6.3.10.2.1.1.0
	1.3.6.1.2.1.2.2.1.6.1
)
VOLATILE='^\.(1\.3\.6\.1\.2\.1\.1\.3\.0|1\.3\.6\.1\.2\.1\.11\.1\.0|1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.1) = '

# mask FILE — the volatile numbers replaced by N.
mask() {
	sed -E \
	    -e 's/^(\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: )\([0-9]+\) .*/\1(N) T/' \
	    -e 's/^(\.1\.3\.6\.1\.2\.1\.11\.1\.0 = Counter32: )[0-9]+$/\1N/' \
	    -e 's/^(\.1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.1 = Counter64: )[0-9]+$/\1N/' \
	    "$1"
}

# volatile FILE — "OID NUMBER" for each volatile line.
volatile() {
	grep -E "$VOLATILE" "$1" |
	    sed -E 's/^([.0-9]+) = [A-Za-z0-9]+: \(?([0-9]+).*/\1 \2/'
}

# ticks_text N — how net-snmp prints N timeticks after "(N) ".
ticks_text() {
	awk -v t="$1" 'BEGIN {
		cs = t % 100; t = int(t / 100)
		d = int(t / 86400); t %= 86400
		h = int(t / 3600); t %= 3600
		m = int(t / 60); s = t % 60
		if (d == 0)
			printf "%d:%02d:%02d.%02d\n", h, m, s, cs
		else
			printf "%d day%s, %d:%02d:%02d.%02d\n", d, d == 1 ? "" : "s", h, m, s, cs
	}'
}

# split_by_host FILE DIR — DIR/HOST gets that host's lines without "HOST ";
# a line that does not start with a known host continues the line before
# it (net-snmp wraps long Hex-STRINGs).  Lines of unknown hosts go to
# DIR/_unknown.
split_by_host() {
	local file=$1 dir=$2
	mkdir -p "$dir"
	printf '%s\n' "${HOSTS[@]}" >"$dir/_hosts"
	awk -v dir="$dir" '
		NR == FNR { known[$0] = 1; next }
		{
			sp = index($0, " ")
			h = sp ? substr($0, 1, sp - 1) : ""
			if (h in known) {
				cur = dir "/" h
				print substr($0, sp + 1) > cur
			} else if (cur != "" && $0 !~ /^127\./) {
				print > cur
			} else {
				print > (dir "/_unknown")
			}
		}' "$dir/_hosts" "$file"
}

# compare VERSION OID... — the whole check for one SNMP version.
compare() {
	local ver=$1 h a f oid n lo hi fleet hargs=()
	shift
	mkdir -p "$T/$ver"
	for h in "${HOSTS[@]}"; do
		snmpget -On -v"$ver" -c public "$h:$P" "$@" \
		    >"$T/$ver/before.$h" 2>"$T/$ver/snmpget.err" ||
		    bail_out "snmpget -v$ver $h failed: $(cat "$T/$ver/snmpget.err")"
	done
	for h in "${HOSTS[@]}"; do hargs+=(-H "$h"); done
	"$SNMPFLEET" -v "$ver" --port "$P" -F text -q "${hargs[@]}" "$@" \
	    </dev/null >"$T/$ver/fleet.txt" 2>"$T/$ver/fleet.err"
	is "$?" 0 "v$ver: snmpfleet exit status 0"
	for h in "${HOSTS[@]}"; do
		snmpget -On -v"$ver" -c public "$h:$P" "$@" \
		    >"$T/$ver/after.$h" 2>/dev/null
	done
	split_by_host "$T/$ver/fleet.txt" "$T/$ver/split"
	is "$(cat "$T/$ver/split/_unknown" 2>/dev/null)" "" \
	    "v$ver: every line belongs to a requested host"
	for h in "${HOSTS[@]}"; do
		fleet=$T/$ver/split/$h
		[ -f "$fleet" ] || : >"$fleet"
		mask "$fleet" >"$T/$ver/m.fleet.$h"
		mask "$T/$ver/before.$h" >"$T/$ver/m.snmpget.$h"
		is_file "$T/$ver/m.fleet.$h" "$T/$ver/m.snmpget.$h" \
		    "v$ver $h: text after 'HOST ' equals snmpget -On (volatile numbers masked)"
		# The volatile numbers lie between snmpget's before and after.
		volatile "$fleet" >"$T/$ver/vol.$h"
		n=0
		while read -r oid f; do
			lo=$(volatile "$T/$ver/before.$h" | awk -v o="$oid" '$1 == o { print $2 }')
			hi=$(volatile "$T/$ver/after.$h" | awk -v o="$oid" '$1 == o { print $2 }')
			if [ -z "$lo" ] || [ -z "$hi" ] || [ "$f" -lt "$lo" ] || [ "$f" -gt "$hi" ]; then
				diag "$oid: snmpfleet $f, snmpget before ${lo:-?} after ${hi:-?}"
				n=$((n + 1))
			fi
		done <"$T/$ver/vol.$h"
		is "$n/$(wc -l <"$T/$ver/vol.$h")" "0/$(volatile "$T/$ver/before.$h" | wc -l)" \
		    "v$ver $h: changing values lie between snmpget's before and after"
		# Timeticks text is net-snmp's rendering of the tick count.
		a=$(grep -E '^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: ' "$fleet")
		n=$(printf '%s\n' "$a" | sed -E 's/.*\(([0-9]+)\).*/\1/')
		is "$a" ".1.3.6.1.2.1.1.3.0 = Timeticks: ($n) $(ticks_text "${n:-0}")" \
		    "v$ver $h: Timeticks rendered as snmpget renders them"
	done
}

compare 2c "${OIDS_V2[@]}"
compare 1 "${OIDS_V1[@]}"

# The exceptions are really there (so the comparison covered them).
like "$(cat "$T/2c/split/127.0.0.5")" \
    '^\.1\.3\.6\.1\.2\.1\.1\.99\.0 = No Such Object available on this agent at this OID$' \
    "v2c: a missing object prints as No Such Object"
like "$(cat "$T/2c/split/127.0.0.5")" \
    '^\.1\.3\.6\.1\.2\.1\.1\.5\.1 = No Such Instance currently exists at this OID$' \
    "v2c: a missing instance prints as No Such Instance"

# HOST carries ":port" when the port is not --port's.
"$SNMPFLEET" -H "127.0.0.7:$P" -F text -q 1.3.6.1.2.1.1.5.0 \
    </dev/null >"$T/port.txt" 2>/dev/null
is "$(cat "$T/port.txt")" "127.0.0.7:$P .1.3.6.1.2.1.1.5.0 = STRING: \"$SNMPD_SYSNAME\"" \
    "HOST is address:port when the port differs from --port"
"$SNMPFLEET" -H "127.0.0.7:$P" --port "$P" -F text -q 1.3.6.1.2.1.1.5.0 \
    </dev/null >"$T/port.txt" 2>/dev/null
is "$(cat "$T/port.txt")" "127.0.0.7 .1.3.6.1.2.1.1.5.0 = STRING: \"$SNMPD_SYSNAME\"" \
    "HOST is the bare address when the port is --port's"

# IPv6 loopback, when snmpd listens there.
if [ "$SNMPD_V6" = 1 ]; then
	"$SNMPFLEET" -H "[::1]:$P" --port "$P" -F text -q 1.3.6.1.2.1.1.5.0 \
	    1.3.6.1.2.1.1.4.0 </dev/null >"$T/v6.txt" 2>"$T/v6.err"
	is "$?" 0 "[::1]: exit status 0"
	snmpget -On -v2c -c public "udp6:[::1]:$P" 1.3.6.1.2.1.1.5.0 \
	    1.3.6.1.2.1.1.4.0 >"$T/v6.snmpget" 2>/dev/null
	is "$(sed -E 's/^[^ ]+ //' "$T/v6.txt")" "$(cat "$T/v6.snmpget")" \
	    "[::1]: text after 'HOST ' equals snmpget -On"
else
	pass "# SKIP snmpd has no [::1] endpoint"
	pass "# SKIP snmpd has no [::1] endpoint"
fi

done_testing
