#!/usr/bin/env bash
# influx-real.sh — -F influx is accepted by a real InfluxDB 1.x (Debian's
# influxdb package, started here on loopback with a config of our own in
# the test directory: no usage reporting, no UDP, no self-monitoring) and
# reads back with InfluxQL: table rows of snmpfleet-sim as snmp_ifTable
# and snmp_ifXTable with the index decoded into an ifIndex tag and a
# lookup (--label ifName) as an ifName tag, fields typed (integer,
# string), values equal to what was written; a GET of Debian's snmpd as
# measurement snmp.  --influx-unsigned writes "u", which 1.x refuses.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
INFLUXD=$(command -v influxd) ||
    bail_out "influxd not installed (Debian package influxdb; ./quickstart installs it)"
T=$LIB_TMP

# ------------------------------------------------------------- influxd
start_influxd() {
	local try hp bp i
	for ((try = 1; try <= 5; try++)); do
		hp=$(free_tcp_port) && bp=$(free_tcp_port) || continue
		[ "$hp" = "$bp" ] && continue
		mkdir -p "$T/influx.$hp"
		cat >"$T/influx.$hp/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$bp"
[meta]
  dir = "$T/influx.$hp/meta"
[data]
  dir = "$T/influx.$hp/data"
  wal-dir = "$T/influx.$hp/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$hp"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[[udp]]
  enabled = false
CONF
		"$INFLUXD" run -config "$T/influx.$hp/influxdb.conf" \
		    </dev/null >"$T/influx.$hp/log" 2>&1 &
		INFLUXD_PID=$!
		track_pid "$INFLUXD_PID"
		for ((i = 0; i < 600; i++)); do
			kill -0 "$INFLUXD_PID" 2>/dev/null || break
			if python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/ping" % sys.argv[1], timeout=1)' \
			    "$hp" 2>/dev/null; then
				INFLUX_PORT=$hp
				return 0
			fi
			sleep 0.1
		done
		lib_stop_pid "$INFLUXD_PID"
		tail -5 "$T/influx.$hp/log" | sed 's/^/# /' >&2
	done
	bail_out "influxd did not start"
}
start_influxd

# iq ACTION ARG — talk to influxd: "create DB", "write DB FILE" (prints
# the HTTP status and error), "query DB INFLUXQL" (prints the JSON).
cat >"$T/iq.py" <<'PY'
import json, sys, urllib.error, urllib.parse, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
act, db = sys.argv[2], sys.argv[3]
def call(path, data=None):
    req = urllib.request.Request(base + path, data=data,
                                 method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
if act == "create":
    print(call("/query?" + urllib.parse.urlencode({"q": "CREATE DATABASE " + db}), b"")[0])
elif act == "write":
    st, body = call("/write?" + urllib.parse.urlencode({"db": db, "precision": "ns"}),
                    open(sys.argv[4], "rb").read())
    print(("%d %s" % (st, body.strip())).strip())
else:
    st, body = call("/query?" + urllib.parse.urlencode({"db": db, "q": sys.argv[4]}))
    print(body.strip())
PY
iq() { python3 "$T/iq.py" "$INFLUX_PORT" "$@"; }

# field_types DB MEASUREMENT — "key:type" of SHOW FIELD KEYS, sorted.
field_types() {
	iq query "$1" "SHOW FIELD KEYS FROM \"$2\"" | python3 -c 'import json, sys
r = json.load(sys.stdin)["results"][0]
print(" ".join(sorted("%s:%s" % (k, t) for s in r.get("series", []) for k, t in s["values"])))'
}
# tag_keys DB MEASUREMENT — SHOW TAG KEYS, sorted.
tag_keys() {
	iq query "$1" "SHOW TAG KEYS FROM \"$2\"" | python3 -c 'import json, sys
r = json.load(sys.stdin)["results"][0]
print(" ".join(sorted(v[0] for s in r.get("series", []) for v in s["values"])))'
}
# values DB INFLUXQL — the rows of the first series, as Python lists.
values() {
	iq query "$1" "$2" | python3 -c 'import json, sys
r = json.load(sys.stdin)["results"][0]
print(r.get("series", [{}])[0].get("values"))'
}

# ------------------------------------------------- tables from the sim
start_sim --tables full
is "$(iq create fleet)" 200 "CREATE DATABASE fleet"
"$SNMPFLEET" -q -F influx -H "127.0.0.1:$SIM_PORT" -H "127.0.0.2:$SIM_PORT" \
    -T ifTable -T ifXTable --label ifName sysUpTime.0 sysName.0 \
    </dev/null >"$T/sim.lp" 2>"$T/sim.err"
is "$?" 0 "-T ifTable -T ifXTable --label ifName against the sim: exit 0"
is "$(iq write fleet "$T/sim.lp")" 204 "InfluxDB 1.x takes every line (HTTP 204)"
is "$(iq query fleet 'SHOW MEASUREMENTS' | python3 -c 'import json, sys
print(sorted(v[0] for v in json.load(sys.stdin)["results"][0]["series"][0]["values"]))')" \
    "['snmp', 'snmp_ifTable', 'snmp_ifXTable']" "a measurement per table, and snmp"
is "$(tag_keys fleet snmp_ifTable)" "host ifIndex ifName index port" \
    "ifTable rows: tags host, port, index, ifIndex (decoded INDEX) and ifName (the lookup)"
is "$(tag_keys fleet snmp_ifXTable)" "host ifIndex ifName index port" \
    "ifXTable rows: the same tags"
FT=$(field_types fleet snmp_ifTable)
for want in ifInOctets:integer ifOperStatus:integer ifType:integer \
    ifSpeed:integer ifLastChange:integer ifDescr:string ifPhysAddress:string; do
	like " $FT " " $want " "ifTable field $want"
done
unlike " $FT " " ifIndex:" "ifIndex is a tag only, not also a field"
FX=$(field_types fleet snmp_ifXTable)
like " $FX " " ifHCInOctets:integer " "ifXTable field ifHCInOctets:integer"
like " $FX " " ifAlias:string " "ifXTable field ifAlias:string"
unlike " $FX " " ifName:" "the lookup column ifName is a tag, not a field"
is "$(field_types fleet snmp)" \
    "retries:integer rtt_ms:float status:string sysName.0:string sysUpTime.0:integer" \
    "snmp: status, rtt_ms, retries and the GET values, typed"

# What the query reads back equals what was written (from the file).
want=$(grep '^snmp_ifXTable,host=127\.0\.0\.2,' "$T/sim.lp" | grep ',ifIndex=3,' |
    sed -E 's/.*[ ,]ifHCInOctets=([0-9]+)i.*/\1/')
name=$(grep '^snmp_ifXTable,host=127\.0\.0\.2,' "$T/sim.lp" | grep ',ifIndex=3,' |
    sed -E 's/.*,ifName=([^ ,]+).*/\1/')
[ -n "$want" ] && [ -n "$name" ] || diag "no ifIndex=3 row in $(head -c 600 "$T/sim.lp")"
is "$(values fleet "SELECT ifHCInOctets FROM snmp_ifXTable WHERE host = '127.0.0.2' AND \"ifName\" = '$name'" |
    python3 -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read())[0][1])')" \
    "$want" "ifHCInOctets of the row tagged ifName=$name reads back as written"
is "$(values fleet "SELECT count(ifInOctets) FROM snmp_ifTable GROUP BY host" |
    python3 -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read())[0][1])')" \
    "$(grep -c '^snmp_ifTable,host=127\.0\.0\.1,' "$T/sim.lp")" \
    "one ifTable point per row of a target"
is "$(values fleet "SELECT \"sysName.0\" FROM snmp WHERE host = '127.0.0.2'" |
    python3 -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read())[0][1])')" \
    "$(sed -nE 's/^snmp,host=127\.0\.0\.2,.*sysName\.0="([^"]*)".*/\1/p' "$T/sim.lp")" \
    "sysName.0 of a target reads back as written"

# Index kinds beyond an integer: an IpAddress (ipAddrTable) and an
# InetAddressType + InetAddress pair (ipNetToPhysicalTable, IPv4 and IPv6).
"$SNMPFLEET" -q -F influx -H "127.0.0.3:$SIM_PORT" -T ipAddrTable \
    -T ipNetToPhysicalTable </dev/null >"$T/ip.lp" 2>"$T/ip.err"
is "$(iq write fleet "$T/ip.lp")" 204 "ipAddrTable and ipNetToPhysicalTable lines are taken"
is "$(tag_keys fleet snmp_ipNetToPhysicalTable)" \
    "host index ipNetToPhysicalIfIndex ipNetToPhysicalNetAddress ipNetToPhysicalNetAddressType port" \
    "ipNetToPhysicalTable: its three INDEX objects as tags"
tag_values() {
	iq query fleet "SHOW TAG VALUES FROM \"$1\" WITH KEY = \"$2\"" | python3 -c 'import json, sys
r = json.load(sys.stdin)["results"][0]
print(" ".join(sorted(v[1] for s in r.get("series", []) for v in s["values"])))'
}
is "$(tag_values snmp_ipAddrTable ipAdEntAddr)" "$(tag_values snmp_ipAddrTable index)" \
    "ipAddrTable: the ipAdEntAddr tag is the IpAddress of the index"
like " $(tag_values snmp_ipNetToPhysicalTable ipNetToPhysicalNetAddress) " \
    ' 127\.[0-9.]+ ' "ipNetToPhysicalNetAddress: an IPv4 address as text"
like " $(tag_values snmp_ipNetToPhysicalTable ipNetToPhysicalNetAddress) " \
    ' [0-9a-f]*:[0-9a-f:]+ ' "ipNetToPhysicalNetAddress: an IPv6 address as text"

# -------------------------------------------------- a GET of snmpd
start_snmpd
is "$(iq create get)" 200 "CREATE DATABASE get"
"$SNMPFLEET" -q -F influx -H "127.0.0.1:$SNMPD_PORT" sysName.0 sysUpTime.0 \
    sysServices.0 sysObjectID.0 ifSpeed.1 </dev/null >"$T/get.lp" 2>"$T/get.err"
is "$?" 0 "a GET of snmpd: exit 0"
is "$(iq write get "$T/get.lp")" 204 "InfluxDB 1.x takes the line"
is "$(field_types get snmp)" \
    "ifSpeed.1:integer retries:integer rtt_ms:float status:string sysName.0:string sysObjectID.0:string sysServices.0:integer sysUpTime.0:integer" \
    "GET values typed: Gauge32, TimeTicks, INTEGER as integer; strings and OIDs as string"
is "$(values get 'SELECT "sysName.0", "sysServices.0", status FROM snmp' |
    python3 -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read())[0][1:])')" \
    "['$SNMPD_SYSNAME', $SNMPD_SYSSERVICES, 'ok']" "sysName.0, sysServices.0 and status read back"

# ------------------------------------------------- --influx-unsigned
"$SNMPFLEET" -q -F influx --influx-unsigned -H "127.0.0.1:$SIM_PORT" -T ifTable \
    sysUpTime.0 </dev/null >"$T/u.lp" 2>/dev/null
like "$(cat "$T/u.lp")" ',ifInOctets=[0-9]+u,' "--influx-unsigned: Counter32 with u"
like "$(cat "$T/u.lp")" ',sysUpTime\.0=[0-9]+u ' "--influx-unsigned: TimeTicks with u"
like "$(cat "$T/u.lp")" ',ifOperStatus=[0-9]+i,' "--influx-unsigned: an enum (INTEGER) keeps i"
iq create u >/dev/null
like "$(iq write u "$T/u.lp")" '^400 .*invalid number' \
    "InfluxDB 1.x refuses u (so it is not the default)"

done_testing
