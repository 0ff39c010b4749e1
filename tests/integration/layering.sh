#!/usr/bin/env bash
# layering.sh — the shape of src/: no two files call each other, directly
# or around a loop (read from the objects' symbols in libsnmpfleet.a),
# and the scheduler knows no SNMP version (that is the transports' job).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_python
SRC=${top_srcdir:-.}/src
LIB=${top_builddir:-.}/libsnmpfleet.a
[ -f "$LIB" ] || bail_out "no $LIB (build first)"
command -v nm >/dev/null || bail_out "nm is needed (binutils)"

python3 "$(dirname "${BASH_SOURCE[0]}")/layering.py" "$LIB" >"$LIB_TMP/cycles"
is "$(tail -1 "$LIB_TMP/cycles")" "cycles 0" \
    "no import cycles between the files of src/" ||
    diag "$(cat "$LIB_TMP/cycles")"

# A mutant of the check itself: two objects that call each other are a
# cycle (so the check above can fail).
cat >"$LIB_TMP/a.c" <<'C'
int b(void);
int a(void) { return b(); }
C
cat >"$LIB_TMP/b.c" <<'C'
int a(void);
int b(void) { return a() + 1; }
C
cc -c -o "$LIB_TMP/a.o" "$LIB_TMP/a.c" && cc -c -o "$LIB_TMP/b.o" "$LIB_TMP/b.c" &&
    ar cr "$LIB_TMP/ab.a" "$LIB_TMP/a.o" "$LIB_TMP/b.o"
like "$(python3 "$(dirname "${BASH_SOURCE[0]}")/layering.py" "$LIB_TMP/ab.a")" \
    "cycle: a.o b.o" "the check finds a cycle of two objects"

# code lines only: comments may name what the transports do
hits=$(grep -nE 'SNMP_VERSION|SNMP_SEC|usm_|sess_|v3|community|engine' \
    "$SRC/scheduler.c" | grep -vE '^[0-9]+:[[:space:]]*(/\*|\*)')
is "$hits" "" "scheduler.c has no SNMP-version-specific code" ||
    diag "$hits"
hits=$(grep -nE '\b(pool|writer)_[a-z_]+\(' "$SRC/scheduler.c" |
    grep -vE 'writer_(record|flush|due|count_event|failed)\(')
is "$hits" "" "scheduler.c calls the writer only through its record, flush and count functions, and nothing of pool.c" ||
    diag "$hits"
hits=$(grep -nE '\blog_(msg|raw)\(|fprintf\(stderr' "$SRC"/*.c |
    grep -vE '^[^:]*/(main|log)\.c:')
is "$hits" "" "only main.c (and log.c, its printer) print messages" ||
    diag "$hits"

done_testing
