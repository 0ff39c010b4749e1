#!/usr/bin/env bash
# mib-generated.sh — src/mib-builtin.c is what tools/gen-mib.py makes of
# the MIB modules Debian packages (python3-pysnmp4-mibs, net-snmp's
# UCD-SNMP-MIB) and tools/mibs/: regenerating it gives the same file, byte
# for byte.  So the built-in MIB facts are never edited by hand, and a
# change to the generator shows in the checked-in table.
#
# Needs Debian's /usr/bin/python3 with python3-pysnmp4 and
# python3-pysnmp4-mibs (./quickstart installs them); without them the
# test is skipped and says so.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
SRC=${top_srcdir:-.}
if ! [ -x "$PY" ] || ! "$PY" -c 'import pysnmp.smi.builder, pysnmp_mibs' \
    2>/dev/null; then
	echo "1..0 # SKIP python3-pysnmp4 and python3-pysnmp4-mibs are not installed (apt-get install python3-pysnmp4 python3-pysnmp4-mibs)"
	exit 0
fi

plan 3
if "$PY" "$SRC/tools/gen-mib.py" >"$LIB_TMP/mib-builtin.c" \
    2>"$LIB_TMP/err"; then
	pass "tools/gen-mib.py runs"
else
	fail "tools/gen-mib.py runs"
	diag "$(cat "$LIB_TMP/err")"
fi
if cmp -s "$LIB_TMP/mib-builtin.c" "$SRC/src/mib-builtin.c"; then
	pass "regenerated src/mib-builtin.c is the checked-in one"
else
	fail "regenerated src/mib-builtin.c is the checked-in one"
	diag "$(diff "$SRC/src/mib-builtin.c" "$LIB_TMP/mib-builtin.c" | head -20)"
fi
# The generator's output is not empty by accident: it holds the objects
# of every source (a compiled module, the text module, the hand subset).
for name in ifOperStatus dot1qTpFdbPort memTotalReal lldpRemSysName; do
	grep -q "\"$name\\\\0\"" "$LIB_TMP/mib-builtin.c" || missing="$missing $name"
done
is "${missing:-}" "" "the table has IF-MIB, Q-BRIDGE-MIB, UCD-SNMP-MIB and LLDP-MIB objects"
done_testing
