#!/usr/bin/env bash
# v3-levels.sh — SNMPv3 against a real snmpd with USM users: authPriv with
# SHA/AES, MD5/DES, SHA-256/AES-256 and SHA-512/AES-192, authNoPriv with
# SHA-224, and noAuthNoPriv; 500 targets each.  Every jsonl record is ok
# with the agent's own values, and -F text prints, after "HOST ", exactly
# what "snmpget -On -v3 ..." prints with the same user.
#
# Then every authentication protocol with every privacy protocol (MD5,
# SHA, SHA-224, SHA-256, SHA-384, SHA-512 x DES, AES, AES-192, AES-256),
# on 3 targets each.
#
# A combination that this net-snmp's snmpget cannot do against snmpd is
# skipped (and said so); with Debian's net-snmp 5.9 all of them work.
#
# One snmpd answers every 127.x address, so all targets report one
# engineID: the run warns about it (they share its boots and time, as
# clones would), and that warning is checked too.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_snmpget
need_python

T=$LIB_TMP
N=500

# name|user|level|auth|authpass|priv|privpass
COMBOS=(
	'authPriv SHA/AES|uSHA|authPriv|SHA|sha-auth-pass1|AES|aes-priv-pass1'
	'authPriv MD5/DES|uMD5|authPriv|MD5|md5-auth-pass1|DES|des-priv-pass1'
	'authPriv SHA-256/AES-256|u256|authPriv|SHA-256|sha256-auth-p1|AES-256|aes256-priv-p1'
	'authPriv SHA-512/AES-192|u512|authPriv|SHA-512|sha512-auth-p1|AES-192|aes192-priv-p1'
	'authNoPriv SHA-224|uAuth|authNoPriv|SHA-224|sha224-auth-p1||'
	'noAuthNoPriv|uNone|noAuthNoPriv||||'
)

AUTHS=(MD5 SHA SHA-224 SHA-256 SHA-384 SHA-512)
PRIVS=(DES AES AES-192 AES-256)

AGENT_CONF=()
for a in "${AUTHS[@]}"; do
	for x in "${PRIVS[@]}"; do
		AGENT_CONF+=("createUser m-$a-$x $a \"auth-$a-pass\" $x \"priv-$x-pass\""
		    "rouser m-$a-$x priv")
	done
done
for c in "${COMBOS[@]}"; do
	IFS='|' read -r name user level auth apass priv ppass <<<"$c"
	case $level in
	authPriv)
		AGENT_CONF+=("createUser $user $auth \"$apass\" $priv \"$ppass\""
		    "rouser $user priv") ;;
	authNoPriv)
		AGENT_CONF+=("createUser $user $auth \"$apass\"" "rouser $user auth") ;;
	*)
		AGENT_CONF+=("createUser $user" "rouser $user noauth") ;;
	esac
done
start_snmpd_conf "${AGENT_CONF[@]}"
P=$SNMPD_PORT
ENGINE=$(snmpd_engine_id)
diag "snmpd on port $P, engineID $ENGINE"

make_hosts "$N" >"$T/hosts"
# In request order; values that never change.
OIDS=(1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.6.0
    1.3.6.1.2.1.1.4.0 1.3.6.1.2.1.1.2.0 1.3.6.1.2.1.1.7.0)
# Hosts compared with their own snmpget, one per /24 or so.
SAMPLES=(127.0.0.1 127.0.0.77 127.0.1.1 127.0.1.200 "$(tail -1 "$T/hosts")")

# snmpget's and snmpfleet's v3 options for one combination
v3_args() {
	ARGS=(-v 3 -u "$user" -l "$level")
	[ -n "$auth" ] && ARGS+=(-a "$auth" -A "$apass")
	[ -n "$priv" ] && ARGS+=(-x "$priv" -X "$ppass")
	return 0
}

n=0
for c in "${COMBOS[@]}"; do
	IFS='|' read -r name user level auth apass priv ppass <<<"$c"
	n=$((n + 1))
	v3_args
	# Can this net-snmp do it at all?
	if ! snmpget -On -t 2 -r 1 "${ARGS[@]}" "127.0.0.1:$P" \
	    1.3.6.1.2.1.1.5.0 >"$T/probe.$n" 2>&1 ||
	    ! grep -q "STRING: \"$SNMPD_SYSNAME\"" "$T/probe.$n"; then
		for d in "jsonl" "text"; do
			pass "# SKIP $name ($d): snmpget cannot do it here: $(head -1 "$T/probe.$n")"
		done
		continue
	fi

	# ------------------------------------------------------------ jsonl
	START=$EPOCHREALTIME
	"$SNMPFLEET" "${ARGS[@]}" -i "$T/hosts" --port "$P" -t 2 -F jsonl \
	    -o "$T/r$n.jsonl" "${OIDS[@]}" </dev/null 2>"$T/err$n.jsonl"
	RC=$?
	diag "$name, jsonl: $N targets in $(elapsed_since "$START") s"
	is "$RC" 0 "$name, jsonl: exit status 0"
	python3 - "$T/r$n.jsonl" "$T/hosts" "$P" "$SNMPD_SYSNAME" \
	    "$SNMPD_SYSDESCR" "$SNMPD_SYSLOCATION" "$SNMPD_SYSCONTACT" \
	    >"$T/facts$n" 2>&1 <<'PY'
import json, sys
path, hosts, port, name, descr, loc, contact = sys.argv[1:8]
want_hosts = [h.strip() for h in open(hosts)]
recs = [json.loads(l) for l in open(path)]
bad = []
for r in recs:
    vals = {v["oid"]: v for v in r.get("values", [])}
    good = (r.get("status") == "ok" and r.get("port") == int(port)
            and [v["oid"] for v in r["values"]] == [
                "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.6.0",
                "1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.7.0"]
            and vals["1.3.6.1.2.1.1.5.0"]["value"] == name
            and vals["1.3.6.1.2.1.1.5.0"]["type"] == "STRING"
            and vals["1.3.6.1.2.1.1.1.0"]["value"] == descr
            and vals["1.3.6.1.2.1.1.6.0"]["value"] == loc
            and vals["1.3.6.1.2.1.1.4.0"]["value"] == contact
            and vals["1.3.6.1.2.1.1.7.0"]["value"] == 72
            and isinstance(r.get("rtt_ms"), (int, float)))
    if not good:
        bad.append(r)
print("records", len(recs))
print("hosts", int(sorted(r["host"] for r in recs) == sorted(want_hosts)))
print("good", len(recs) - len(bad))
for r in bad[:3]:
    print("bad", json.dumps(r)[:300])
PY
	fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts$n"; }
	is "$(fact records)" "$N" "$name, jsonl: $N records"
	is "$(fact hosts)" 1 "$name, jsonl: one record per host, exactly the inventory's"
	is "$(fact good)" "$N" "$name, jsonl: every record ok, with the agent's sysName, sysDescr, sysLocation, sysContact, sysServices" ||
	    diag "$(grep -e '^bad' -e Error "$T/facts$n")" "$(cat "$T/err$n.jsonl")"
	like "$(cat "$T/err$n.jsonl")" "^snmpfleet: $N targets: $N ok, 0 timeout, 0 error" \
	    "$name, jsonl: the summary counts $N ok"
	like "$(cat "$T/err$n.jsonl")" "engineID $ENGINE was reported by $N targets" \
	    "$name, jsonl: warns that all $N targets reported snmpd's engineID $ENGINE"

	# ------------------------------------------------------------- text
	"$SNMPFLEET" "${ARGS[@]}" -i "$T/hosts" --port "$P" -t 2 -F text \
	    -o "$T/r$n.txt" "${OIDS[@]}" </dev/null 2>"$T/err$n.txt"
	RC=$?
	is "$RC" 0 "$name, text: exit status 0"
	# What snmpget -On prints, per sample host, in request order.
	same=0
	for h in "${SAMPLES[@]}"; do
		snmpget -On -t 2 -r 2 "${ARGS[@]}" "$h:$P" "${OIDS[@]}" \
		    >"$T/sg.$n.$h" 2>"$T/sg.$n.$h.err"
		grep "^$h " "$T/r$n.txt" | sed "s/^$h //" >"$T/sf.$n.$h"
		if cmp -s "$T/sf.$n.$h" "$T/sg.$n.$h" && [ -s "$T/sg.$n.$h" ]; then
			same=$((same + 1))
		else
			diag "$h: snmpfleet vs snmpget -On:" \
			    "$(diff "$T/sf.$n.$h" "$T/sg.$n.$h" | head -10)" \
			    "$(cat "$T/sg.$n.$h.err")"
		fi
	done
	is "$same" "${#SAMPLES[@]}" \
	    "$name, text: for ${#SAMPLES[@]} hosts, the lines after 'HOST ' equal snmpget -On's, in order"
	# Every host: the same lines as host 127.0.0.1's snmpget.
	awk 'NR == FNR { line[++n] = $0; next }
	    { for (i = 1; i <= n; i++) print $1 " " line[i] }' \
	    "$T/sg.$n.127.0.0.1" "$T/hosts" | sort >"$T/expected$n.txt"
	sort "$T/r$n.txt" >"$T/sorted$n.txt"
	is_file "$T/sorted$n.txt" "$T/expected$n.txt" \
	    "$name, text: all $N hosts print the ${#OIDS[@]} values snmpget prints"
done

# --------------------------------------------- every auth x priv protocol
for a in "${AUTHS[@]}"; do
	for x in "${PRIVS[@]}"; do
		ARGS=(-v 3 -u "m-$a-$x" -l authPriv -a "$a" -A "auth-$a-pass"
		    -x "$x" -X "priv-$x-pass")
		if ! snmpget -Oqv -t 2 -r 1 "${ARGS[@]}" "127.0.0.1:$P" \
		    1.3.6.1.2.1.1.5.0 2>&1 | grep -qx "\"$SNMPD_SYSNAME\""; then
			pass "# SKIP authPriv $a/$x: snmpget cannot do it here"
			continue
		fi
		got=$("$SNMPFLEET" "${ARGS[@]}" -H 127.0.9.1-3 --port "$P" -t 2 \
		    -F text sysName.0 </dev/null 2>/dev/null | sort)
		is "$got" "$(printf '127.0.9.%d .1.3.6.1.2.1.1.5.0 = STRING: "%s"\n' \
		    1 "$SNMPD_SYSNAME" 2 "$SNMPD_SYSNAME" 3 "$SNMPD_SYSNAME")" \
		    "authPriv $a/$x: 3 targets answer"
	done
done

done_testing
