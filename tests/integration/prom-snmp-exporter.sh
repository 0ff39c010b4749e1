#!/usr/bin/env bash
# prom-snmp-exporter.sh — "snmpfleet --profile if_mib -F prom" against
# Prometheus' own snmp_exporter (Debian's prometheus-snmp-exporter) with
# the if_mib module of tests/data/snmp_exporter-if_mib.yml, side by side
# on the same device: the same families, the same TYPEs, the same label
# names and values per series, the same values (sysUpTime, which moves
# between the two polls, within 1%).  snmpfleet's own target label and
# its snmpfleet_* families, and snmp_exporter's snmp_scrape_* families,
# are left out (prom_compare.py).  Devices: snmpfleet-sim (counters
# still: --counter-rate 0, so every value compares exactly) and Debian's
# snmpd (its counters move: counters within 1%).  promtool parses the
# file.  Loopback only: snmp_exporter listens on 127.0.0.1 and polls
# 127.0.0.1.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python

EXPORTER=$(command -v prometheus-snmp-exporter || true)
[ -n "$EXPORTER" ] || bail_out "prometheus-snmp-exporter not found (apt-get install prometheus-snmp-exporter)"
T=$LIB_TMP
MODULE=$top_srcdir/tests/data/snmp_exporter-if_mib.yml
COMPARE=$top_srcdir/tests/integration/prom_compare.py

# start_exporter — snmp_exporter on a free TCP port of 127.0.0.1:
# EXPORTER_PORT.
start_exporter() {
	local i try
	for ((try = 1; try <= 10; try++)); do
		EXPORTER_PORT=$(random_port 20000 60000) || continue
		"$EXPORTER" --config.file="$MODULE" \
		    --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
		    >"$T/exporter.log" 2>&1 </dev/null &
		EXPORTER_PID=$!
		track_pid "$EXPORTER_PID"
		for ((i = 0; i < 100; i++)); do
			grep -q 'Listening on' "$T/exporter.log" && return 0
			kill -0 "$EXPORTER_PID" 2>/dev/null || break
			sleep 0.05
		done
		lib_stop_pid "$EXPORTER_PID"
	done
	sed 's/^/# /' "$T/exporter.log" >&2
	bail_out "snmp_exporter did not start"
}

# scrape HOST:PORT OUT — snmp_exporter's if_mib scrape of the device.
scrape() {
	python3 - "$EXPORTER_PORT" "$1" "$2" <<'PY'
import sys, urllib.request
port, target, out = sys.argv[1:]
url = "http://127.0.0.1:%s/snmp?module=if_mib&target=%s" % (port, target)
with urllib.request.urlopen(url, timeout=60) as r, open(out, "wb") as f:
    f.write(r.read())
PY
}

# side_by_side NAME PORT [COMPARE OPTION...] — both tools on 127.0.0.1:PORT.
side_by_side() {
	local name=$1 port=$2
	shift 2
	scrape "127.0.0.1:$port" "$T/$name.exporter"
	ok $? "$name: snmp_exporter scraped the device"
	"$SNMPFLEET" -q -H "127.0.0.1:$port" -t 2 -r 2 --profile if_mib \
	    -F prom -o "$T/$name.prom" </dev/null 2>"$T/$name.err"
	is "$?" 0 "$name: snmpfleet --profile if_mib -F prom exits 0"
	python3 "$COMPARE" "$T/$name.exporter" "$T/$name.prom" \
	    --drop-label target --ignore snmp_scrape_ --ignore snmpfleet_ \
	    --close sysUpTime "$@" >"$T/$name.cmp"
	ok $? "$name: the same families, TYPEs, labels and values as snmp_exporter ($(tail -1 "$T/$name.cmp"))"
	[ "$(tail -1 "$T/$name.cmp" | cut -c1-4)" = same ] || diag "$(head -20 "$T/$name.cmp")"
	is "$(grep -c '^ifHCInOctets{' "$T/$name.prom")" \
	    "$(grep -c '^ifHCInOctets{' "$T/$name.exporter")" \
	    "$name: one ifHCInOctets series per interface, as snmp_exporter"
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$T/$name.prom" >"$T/$name.promtool" 2>&1
		rc=$?
		ok "$([ $rc = 0 ] || { [ $rc = 3 ] && ! grep -q snmpfleet_ "$T/$name.promtool"; }; echo $?)" \
		    "$name: promtool parses the file (advice, if any, only on MIB names)"
	else
		pass "# SKIP promtool is not installed"
	fi
}

start_exporter
start_sim --counter-rate 0
side_by_side sim "$SIM_PORT"
stop_sim
start_snmpd
side_by_side snmpd "$SNMPD_PORT" --close-counters

# a label value with the lookups: ifName on a counter, as dashboards use it
like "$(grep '^ifHCInOctets{' "$T/sim.prom" | head -1)" 'ifName="[^"]+"' \
    "ifHCInOctets carries ifName as a label"
like "$(grep '^ifType_info{' "$T/sim.prom" | head -1)" 'ifType="[a-zA-Z]+' \
    "ifType is an info metric with the enum's label"
unlike "$(cat "$T/sim.prom")" '^ifName\{' "ifName is a label, not a metric"
done_testing
