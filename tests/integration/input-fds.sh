#!/usr/bin/env bash
# input-fds.sh — started with standard input, output or error closed,
# snmpfleet puts /dev/null there before it opens anything:
#   - `--lock L >&-`: the lock file does not become standard output (the
#     records would be written into it); the run exits 0;
#   - `1>&- 2>&-`: libuv does not abort (it would get fd 1 or 2 for its
#     own descriptors and assert); the run exits 0 and -o gets the records;
#   - `<&-`, and all three closed at once, with -o FILE: exit 0, records
#     whole; an input error with everything closed still exits 2.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
HOSTS=(-H "127.0.0.1:$P" -H "127.0.0.2:$P" -H "127.0.0.3:$P")

# --lock with standard output closed
"$SNMPFLEET" --lock "$T/lock" "${HOSTS[@]}" -F jsonl sysName.0 \
    </dev/null >&- 2>"$T/err1"
is "$?" 0 "--lock L >&-: exit status 0"
unlike "$(cat "$T/lock" 2>/dev/null)" '"host"|sysName|127\.0\.0\.' \
    "--lock L >&-: no record was written into the lock file"
ok "$([ "$(wc -c <"$T/lock")" -lt 200 ]; echo $?)" \
    "--lock L >&-: the lock file holds only the holder's note ($(wc -c <"$T/lock") bytes)"
is "$(grep -v ' targets: ' "$T/err1")" "" "--lock L >&-: nothing but the summary on stderr"

# standard output and error closed
"$SNMPFLEET" "${HOSTS[@]}" -F jsonl -o "$T/out2" sysName.0 </dev/null 1>&- 2>&-
RC=$?
is "$RC" 0 "1>&- 2>&-: exit status 0 (not 134, SIGABRT)"
is "$(file_lines "$T/out2")" 3 "1>&- 2>&-: three records in -o FILE"
check "1>&- 2>&-: the records are whole JSON" jsonl_check "$T/out2"

# the same with the lock file too, and -P 2 (workers inherit the fds)
"$SNMPFLEET" --lock "$T/lock3" -P 2 "${HOSTS[@]}" -F jsonl -o "$T/out3" \
    sysName.0 </dev/null 1>&- 2>&-
is "$?" 0 "--lock, -P 2, 1>&- 2>&-: exit status 0"
is "$(file_lines "$T/out3")" 3 "--lock, -P 2, 1>&- 2>&-: three records in -o FILE"
unlike "$(cat "$T/lock3")" '"host"' "--lock, -P 2, 1>&- 2>&-: no record in the lock file"

# standard input closed; then all three
"$SNMPFLEET" "${HOSTS[@]}" -F jsonl sysName.0 <&- >"$T/out4" 2>"$T/err4"
is "$?" 0 "<&-: exit status 0"
is "$(file_lines "$T/out4")" 3 "<&-: three records on standard output"
"$SNMPFLEET" --lock "$T/lock5" "${HOSTS[@]}" -F jsonl -o "$T/out5" \
    sysName.0 <&- >&- 2>&-
is "$?" 0 "<&- >&- 2>&-: exit status 0"
is "$(file_lines "$T/out5")" 3 "<&- >&- 2>&-: three records in -o FILE"

# -i - with standard input closed reads nothing: no targets, exit 2
"$SNMPFLEET" -i - sysName.0 <&- >"$T/out6" 2>"$T/err6"
is "$?" 2 "-i - <&-: exit status 2 (an empty inventory)"
like "$(cat "$T/err6")" "no targets" "-i - <&-: says there are no targets"

# an input error with everything closed: exit 2, nothing written anywhere
"$SNMPFLEET" --lock "$T/lock7" -H 127.0.0.0/99 sysName.0 <&- >&- 2>&-
is "$?" 2 "a bad -H with every standard descriptor closed: exit status 2"

done_testing
