#!/usr/bin/env bash
# torn-records.sh — every record in a file is whole under any kill; on a
# pipe every record up to PIPE_BUF is whole, and a larger one torn by a
# kill is ended with a newline, counted, and polled again:
#
#  a) a file ending in a fragment (a writer killed inside write(2), as
#     Linux may cut a write short on SIGKILL) is repaired by the next run
#     under the flock before it appends;
#  b) SNMPFLEET_TEST_FAULT=tear:N — worker 0 writes half a batch and dies:
#     the file is cut back to where the batch began, its targets polled
#     again, each record exactly once;  -P 1: the whole run dies mid-write,
#     and the next run repairs the file;
#  c) a kill storm: whole runs (big walk records, 4 workers) SIGKILLed to
#     the process group at random moments, each appending to one file,
#     then a clean run: not one torn line;
#  d) on a pipe: records of one big walk (> PIPE_BUF) torn by tear:N end
#     with a newline, are counted as torn in the summary and polled again;
#     small records through a slow pipe with workers SIGKILLed from
#     outside: every line is a whole record;
#  e) each write(2) to the file ends on a record boundary (strace), and a
#     run waits for a flock held by another process before it writes;
#  f) SIGTERM sent to one worker alone is a lost worker: reported, its
#     targets polled again, the run goes on to exit 0.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_fault_injection
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
launch_init

# lines_not_whole FILE — how many lines of FILE are not a whole record.
lines_not_whole() {
	local good bad
	read -r good bad < <(jsonl_whole_counts "$1")
	echo "$bad"
}

N=10000	# enough that worker 0 of 4 writes several batches (tear:300)
make_hosts "$N" >"$T/hosts"

# expect_once NAME OUT N — whole lines, one ok record per target.
expect_once() {
	local name=$1 out=$2 n=$3
	is "$(lines_not_whole "$out")" 0 "$name: every line is a whole record"
	records_facts "$out" "$T/hosts" "$P" >"$T/facts"
	is "$(fact lines)/$(fact dup)/$(fact missing)" "$n/0/0" \
	    "$name: exactly one record per target" || show_why
}

# ------------------------------------------- a) a fragment at the end
OUT=$T/a.jsonl
FRAG='{"time":"2026-01-01T00:00:00Z","host":"127.9.9.9","sta'
printf '%s' "$FRAG" >"$OUT"
"$SNMPFLEET" -i "$T/hosts" --port "$P" -P 2 -F jsonl -o "$OUT" sysName.0 \
    2>"$T/err-a"
is "$?" 0 "fragment: exit status 0"
like "$(cat "$T/err-a")" "cut ${#FRAG} bytes of a record torn by a killed writer" \
    "fragment: the repair is reported with its size"
expect_once fragment "$OUT" "$N"

# the same through standard output opened by the shell (">>": write-only)
printf '{"torn' >>"$OUT"
"$SNMPFLEET" -i "$T/hosts" --port "$P" -F jsonl sysName.0 >>"$OUT" 2>"$T/err-a2"
is "$(lines_not_whole "$OUT")" 0 "fragment, stdout >> FILE: repaired too"
is "$(wc -l <"$OUT")" $((2 * N)) "fragment, stdout >> FILE: both runs' records"

# ------------------------------------------------- b) tear:N, in a run
OUT=$T/b.jsonl
SNMPFLEET_TEST_FAULT=tear:300 "$SNMPFLEET" -i "$T/hosts" --port "$P" -P 4 \
    -F jsonl -o "$OUT" sysName.0 2>"$T/err-b"
is "$?" 0 "tear -P 4: exit status 0"
like "$(cat "$T/err-b")" "worker 0 \(pid [0-9]+\) was killed by signal 9" \
    "tear -P 4: the death is reported"
like "$(cat "$T/err-b")" "cut [0-9]+ bytes of a record torn" \
    "tear -P 4: the half-written batch is cut from the file"
like "$(cat "$T/err-b")" "^snmpfleet: $N targets: $N ok" \
    "tear -P 4: the summary counts every target once"
expect_once "tear -P 4" "$OUT" "$N"

OUT=$T/b1.jsonl
SNMPFLEET_TEST_FAULT=tear:300 "${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts" \
    --port "$P" -P 1 -F jsonl -o "$OUT" sysName.0 2>"$T/err-b1"
is "$?" 137 "tear -P 1: the run dies mid-write (SIGKILL)"
isnt_whole=$(lines_not_whole "$OUT")
check "tear -P 1: it left a fragment at the end" test "$isnt_whole" -ge 1
"$SNMPFLEET" -i "$T/hosts" --port "$P" -P 1 -F jsonl -o "$OUT" sysName.0 \
    2>"$T/err-b2"
is "$?" 0 "tear -P 1, next run: exit status 0"
is "$(lines_not_whole "$OUT")" 0 "tear -P 1, next run: every line is whole"

# ------------------------------------------------------- c) kill storm
# Big records (a walk of the agent's whole MIB, hundreds of KB each),
# 4 workers, 2 walks each at a time: writes are large and frequent, so
# many kills land inside one.
make_hosts 200 >"$T/hosts-walk"
OUT=$T/storm.jsonl
RUNS=${TORN_STORM_RUNS:-25}
for ((i = 1; i <= RUNS; i++)); do
	"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-walk" --port "$P" -P 4 -j 2 \
	    -w 1.3.6.1 -F jsonl -o "$OUT" -q </dev/null >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	# until it has written something, then a random moment later
	before=$(file_lines "$OUT")
	wait_lines "$OUT" $((before + 1)) "$pid"
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
diag "$RUNS runs killed: $(file_lines "$OUT") lines, $(lines_not_whole "$OUT") not whole before the clean run"
"$SNMPFLEET" -i "$T/hosts-walk" --port "$P" -P 4 -w 1.3.6.1.2.1.1 -F jsonl \
    -o "$OUT" -q </dev/null
is "$?" 0 "storm: the clean run after $RUNS killed runs exits 0"
check "storm: the file holds records of the killed runs" \
    test "$(file_lines "$OUT")" -gt 200
is "$(lines_not_whole "$OUT")" 0 "storm: not one torn line in $(file_lines "$OUT")"

# --------------------------------------------------------- d) on a pipe
# One big record per target (the interfaces subtree, ~8 KB > PIPE_BUF).
BIG=1.3.6.1.2.1.2
make_hosts 40 >"$T/hosts-big"
SNMPFLEET_TEST_FAULT=tear:5 "$SNMPFLEET" -i "$T/hosts-big" --port "$P" -P 2 \
    -j 4 -w "$BIG" -F jsonl 2>"$T/err-d" | cat >"$T/d.jsonl"
is "${PIPESTATUS[0]}" 0 "pipe tear: exit status 0"
like "$(cat "$T/err-d")" "1 records larger than [0-9]+ bytes were torn" \
    "pipe tear: the summary counts the torn record"
python3 - "$T/d.jsonl" >"$T/facts" <<'PY'
import json, sys
whole, torn, hosts = 0, 0, set()
for line in open(sys.argv[1], "rb"):
    try:
        r = json.loads(line)
        whole += 1
        hosts.add(r["host"])
    except ValueError:
        torn += 1
print("whole", whole)
print("torn", torn)
print("hosts", len(hosts))
PY
is "$(fact torn)" 1 "pipe tear: one torn line, ended by a newline"
check "pipe tear: the torn line is the start of a record" \
    grep -q '^{"time":"[^"]*","host":"127' <(grep -av '}$' "$T/d.jsonl")
is "$(fact hosts)" 40 "pipe tear: every target has a whole record (the torn one polled again)"

# Small records through a slow pipe, two workers SIGKILLed from outside
# while they block in write(2).
# in_write PID — a child of PID inside write(2) now (/proc/W/syscall: the
# syscall number first; 1 is write on x86-64, 64 on arm64).
in_write() {
	local w nr
	case $(uname -m) in x86_64) nr=1 ;; aarch64) nr=64 ;; *) return 0 ;; esac
	for w in $(pgrep -P "$1"); do
		read -r n _ <"/proc/$w/syscall" 2>/dev/null || continue
		[ "$n" = "$nr" ] && { echo "$w"; return 0; }
	done
	return 0
}
make_hosts 20000 >"$T/hosts-pipe"
mkfifo "$T/fifo"
python3 -c '
import sys, time
out = open(sys.argv[1], "wb")
src = open(sys.argv[2], "rb", buffering=0)
while True:
    b = src.read(1024)
    if not b:
        break
    out.write(b)
    out.flush()
    time.sleep(0.001)
' "$T/d2.jsonl" "$T/fifo" &
PIPE_PID=$!
track_pid "$PIPE_PID"
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-pipe" --port "$P" -P 4 -j 64 \
    -F jsonl sysName.0 sysDescr.0 2>"$T/err-d2" </dev/null >"$T/fifo" &
PID=$!
track_pid "$PID"
KILLED=0
INWRITE=0
for at in 2000 6000 10000; do
	for ((i = 0; i < 1200; i++)); do
		[ "$(file_lines "$T/d2.jsonl")" -gt "$at" ] && break
		sleep 0.05
	done
	# the worker blocked in write(2) on the full pipe, if one is seen
	W=
	for ((i = 0; i < 200; i++)); do
		W=$(in_write "$PID")
		[ -n "$W" ] && break
	done
	[ -n "$W" ] && INWRITE=$((INWRITE + 1))
	[ -z "$W" ] && W=$(pgrep -P "$PID" | head -n 1)
	[ -n "$W" ] && kill -KILL "$W" 2>/dev/null && KILLED=$((KILLED + 1))
	sleep 0.2
done
wait "$PID"
is "$?" 0 "slow pipe: exit status 0 after the lost workers"
wait "$PIPE_PID"
diag "slow pipe: $KILLED workers killed ($INWRITE inside write(2)); $(file_lines "$T/d2.jsonl") lines"
check "slow pipe: workers were killed mid-run" test "$KILLED" -ge 2
is "$(lines_not_whole "$T/d2.jsonl")" 0 \
    "slow pipe: every record (each < PIPE_BUF) is whole"
is "$(python3 -c 'import json,sys; print(len({json.loads(l)["host"] for l in open(sys.argv[1])}))' "$T/d2.jsonl")" \
    20000 "slow pipe: every target has a record"

# ------------------------------------------- e) strace and an outside flock
if command -v strace >/dev/null 2>&1; then
	OUT=$T/e.jsonl
	# -P 1: one process, so strace never splits a write(2) in two lines
	strace -f -qq -y -e trace=write -e signal=none -o "$T/strace" \
	    "$SNMPFLEET" -i "$T/hosts" --port "$P" -P 1 -F jsonl -o "$OUT" \
	    sysName.0 sysDescr.0 2>/dev/null
	python3 - "$T/strace" "$OUT" >"$T/facts" <<'PY'
import re, sys
trace, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
sizes = []
for line in open(trace, errors="replace"):
    m = re.search(r'write\(\d+<([^>]*)>, .*\) = (\d+)$', line.strip())
    if m and m.group(1) == path:
        sizes.append(int(m.group(2)))
off, bad = 0, 0
for n in sizes:
    off += n
    if data[off - 1:off] != b"\n" or (off < len(data) and data[off:off + 1] != b"{"):
        bad += 1
print("writes", len(sizes))
print("total", off)
print("size", len(data))
print("bad", bad)
PY
	check "strace: the run wrote the file in several write(2) calls" \
	    test "$(fact writes)" -ge 2
	is "$(fact total)" "$(fact size)" "strace: the writes add up to the file"
	is "$(fact bad)" 0 "strace: every write(2) ends on a record boundary"
else
	pass "# SKIP strace: not installed"
	pass "# SKIP strace: not installed"
	pass "# SKIP strace: not installed"
fi

if command -v flock >/dev/null 2>&1; then
	OUT=$T/f.jsonl
	: >"$OUT"
	flock "$OUT" sleep 3 &
	HOLDER=$!
	track_pid "$HOLDER"
	sleep 0.5	# the holder has the lock
	"$SNMPFLEET" -H 127.0.0.1-127.0.0.3 --port "$P" -F jsonl -o "$OUT" -q \
	    sysName.0 &
	RUN=$!
	track_pid "$RUN"
	sleep 1.5	# the run has its 3 answers long before this
	is "$(wc -c <"$OUT")" 0 "flock: nothing is written while another process holds the lock"
	check "flock: the run waits for the lock" kill -0 "$RUN"
	wait "$RUN"
	is "$?" 0 "flock: the run ends once the lock is free"
	is "$(wc -l <"$OUT")" 3 "flock: then its records are written"
else
	for i in 1 2 3 4; do pass "# SKIP flock(1) not installed"; done
fi

# --------------------------------------- f) SIGTERM to one worker alone
N2=20000
make_hosts "$N2" >"$T/hosts-term"
OUT=$T/term.jsonl
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/hosts-term" --port "$P" -P 4 -j 16 -t 2 \
    -r 3 --rate 8000 -F jsonl -o "$OUT" sysName.0 </dev/null 2>"$T/err-f" &
PID=$!
track_pid "$PID"
wait_lines "$OUT" 2000 "$PID"
W=$(pgrep -P "$PID" | head -n 1)
[ -n "$W" ] && kill -TERM "$W"
wait "$PID"
RC=$?
is "$RC" 0 "worker SIGTERM: the run goes on and exits 0"
like "$(cat "$T/err-f")" "worker [0-9]+ \(pid $W\) was stopped by a signal sent to it alone" \
    "worker SIGTERM: the lost worker is reported"
like "$(cat "$T/err-f")" "^snmpfleet: $N2 targets: $N2 ok" \
    "worker SIGTERM: every target is polled"
records_facts "$OUT" "$T/hosts-term" "$P" >"$T/facts"
is "$(fact lines)/$(fact dup)/$(fact missing)" "$N2/0/0" \
    "worker SIGTERM: exactly one record per target" || show_why

done_testing
