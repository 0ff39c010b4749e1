#!/usr/bin/env bash
# pool-hammer.sh — eight worker processes hammer the one shared writer:
#
#  1. 200,000 targets (distinct 127.x.y.z addresses, one real snmpd) with
#     -P 8 into one jsonl file while stderr is a terminal, so the parent
#     redraws the progress line on it under the same mutex: every line of
#     the file is a whole JSON record, one per target, none twice; the
#     terminal shows the progress line and no record.
#  2. 5,000 targets with -P 8 whose records go to the same terminal as the
#     progress line: replaying the terminal byte stream, the progress line
#     is only ever erased when it is alone on its line (never a piece of a
#     record), and every line left on the screen is a whole JSON record
#     (or the summary).
#
# The terminal is a pty from util-linux script(1).  No upper time limit.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
if ! command -v script >/dev/null 2>&1 ||
    ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	echo "1..0 # SKIP script(1) from util-linux cannot give a pty here"
	exit 0
fi
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
NBIG=${POOL_HAMMER_TARGETS:-200000}
NTTY=5000

# hosts N — like make_hosts (127.x.y.z, z in 1..254), fast for 200,000.
hosts() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "127.%d.%d.%d\n", int(i / 254 / 256), int(i / 254) % 256, i % 254 + 1
	}'
}

# in_tty CAPTURE CMD... — run CMD with stdin, stdout and stderr on a fresh
# pty (its own session); the pty's output goes to CAPTURE.  The first
# line there is "PID n": the program's pid, which is also its session id.
# Returns the program's exit status.
in_tty() {
	local cap=$1 cmd pid rc
	shift
	printf -v cmd '%q ' "$@"
	SHELL=/bin/sh script -qefc "echo PID \$\$; exec $cmd" /dev/null \
	    </dev/null >"$cap" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait "$pid"
	rc=$?
	TTY_SID=$(sed -n '1s/^PID \([0-9][0-9]*\).*/\1/p' "$cap")
	return "$rc"
}

# no_leftovers SID DESC — no process is left in the run's session.
no_leftovers() {
	local left='' st=1
	if [ -n "$1" ]; then
		sleep 0.2
		left=$(pgrep -s "$1" 2>/dev/null)
		[ -z "$left" ] && st=0
	fi
	ok "$st" "$2" || diag "session '${1:-?}' still has: ${left:-?}"
}

# ------------------------------------ 1: 200,000 records into one file
hosts "$NBIG" >"$T/hosts-big"
START=$EPOCHREALTIME
in_tty "$T/tty-big" "$SNMPFLEET" -i "$T/hosts-big" --port "$P" -P 8 -j 32 \
    -t 2 -r 3 -F jsonl -o "$T/big.jsonl" sysName.0
RC=$?
diag "$NBIG targets, -P 8 -j 32: $(elapsed_since "$START") s"
is "$RC" 0 "file: exit status 0"
check "file: every line is a whole JSON object" jsonl_check "$T/big.jsonl"
records_facts "$T/big.jsonl" "$T/hosts-big" "$P" >"$T/facts"
is "$(fact lines)" "$NBIG" "file: exactly $NBIG records"
is "$(fact dup)" 0 "file: no host has two records"
is "$(fact missing)/$(fact extra)" "0/0" "file: the host set is the inventory's"
is "$(fact notok)" 0 "file: every record is ok, with the agent's port"
TTY=$(tr -d '\000' <"$T/tty-big")
like "$TTY" "snmpfleet: [0-9]+/$NBIG targets \([0-9]+%\)" \
    "terminal: the progress line was drawn"
unlike "$TTY" '\{"time"' "terminal: no record on the terminal (they go to the file)"
like "$TTY" "snmpfleet: $NBIG targets: $NBIG ok, 0 timeout, 0 error.*; 8 workers" \
    "terminal: the summary counts every target, 8 workers"
no_leftovers "$TTY_SID" "file: no process left in the run's session"

# --------------------------- 2: records and progress on one terminal
# --rate keeps the run going for a few seconds, so that the progress
# line is redrawn many times between the workers' batches.
hosts "$NTTY" >"$T/hosts-tty"
START=$EPOCHREALTIME
in_tty "$T/tty-rec" "$SNMPFLEET" -i "$T/hosts-tty" --port "$P" -P 8 -j 32 \
    -t 2 -r 3 --rate 1000 -F jsonl sysName.0
RC=$?
diag "$NTTY targets to the terminal: $(elapsed_since "$START") s"
is "$RC" 0 "tty records: exit status 0"

# Replay the terminal: "\r\033[K" erases the current line; a line ends
# at "\n" (the pty turns it into "\r\n").  Whatever is erased must be a
# progress line (or nothing): never a piece of a record.  What stays on
# the screen must be records, the "PID" line and the summary.
python3 - "$T/tty-rec" "$T/screen" >"$T/facts" <<'PY'
import json, re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
data = data.replace("\r\n", "\n")
prog = re.compile(r"^snmpfleet: \d+/\d+ targets \(\d+%\).*$")
summ = re.compile(r"^snmpfleet: \d+ targets: ")
ERASE = "\r\033[K"
erased_progress = erased_empty = torn = 0
why = []
lines = []
cur = ""
i = 0
while i < len(data):
    if data.startswith(ERASE, i):
        if cur == "":
            erased_empty += 1
        elif prog.match(cur):
            erased_progress += 1
        else:
            torn += 1
            if len(why) < 3:
                why.append("erased %r" % cur[:160])
        cur = ""
        i += len(ERASE)
        continue
    j = data.find("\n", i)
    k = data.find(ERASE, i)
    if j < 0 and k < 0:
        cur += data[i:]
        break
    if j >= 0 and (k < 0 or j < k):
        lines.append(cur + data[i:j])
        cur = ""
        i = j + 1
    else:
        cur += data[i:k]
        i = k
records, other, summaries = 0, 0, 0
with open(sys.argv[2], "w") as screen:
    for l in lines:
        screen.write(l + "\n")
        if l.startswith("{"):
            try:
                if isinstance(json.loads(l), dict):
                    records += 1
                    continue
            except ValueError:
                pass
        elif summ.match(l):
            summaries += 1
            continue
        elif re.match(r"^PID \d+$", l):
            continue
        other += 1
        if len(why) < 6:
            why.append("line on screen: %r" % l[:160])
print("erased_progress", erased_progress)
print("torn", torn)
print("records", records)
print("other", other)
print("summaries", summaries)
print("trailing", len(cur))
for w in why:
    print("why", w)
PY
ok $(($(fact erased_progress) > 0 ? 0 : 1)) \
    "tty records: the progress line was drawn and cleared ($(fact erased_progress) times)"
is "$(fact torn)" 0 "tty records: nothing but a progress line is ever erased" || show_why
is "$(fact other)" 0 "tty records: every line on the screen is a whole record or the summary" ||
    show_why
is "$(fact records)" "$NTTY" "tty records: $NTTY records on the screen"
is "$(fact summaries)/$(fact trailing)" "1/0" \
    "tty records: one summary line, and the progress line is gone at the end"
grep '^{' "$T/screen" >"$T/tty.jsonl"
records_facts "$T/tty.jsonl" "$T/hosts-tty" "$P" >"$T/facts"
is "$(fact dup)/$(fact missing)/$(fact extra)/$(fact notok)" "0/0/0/0" \
    "tty records: one ok record per target (dup/missing/extra/not ok)"
no_leftovers "$TTY_SID" "tty records: no process left in the run's session"

done_testing
