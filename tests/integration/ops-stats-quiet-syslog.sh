#!/usr/bin/env bash
# ops-stats-quiet-syslog.sh — how a run reports itself:
#  - --stats-file FILE: one JSON object {"start","duration_s","targets","duplicates",
#    "status":{ok,timeout,error,deadline,not_finished},"requests",
#    "responses","retries","window","kernel_drops",
#    "rtt_ms":{p50,p90,p95,p99},"interrupted",
#    "workers","torn","output_error","exit_status"}, consistent with the
#    records, replaced
#    atomically (a new file renamed over the old one);
#  - --quiet: no summary (errors still);
#  - no progress line and no escape codes when stderr is not a terminal
#    (progress auto), plain lines with --progress;
#  - --syslog: errors and the summary reach syslog, tagged "snmpfleet".
#    Checked with a datagram socket of our own standing in for /dev/log,
#    inside a private mount namespace (unshare -m, as root): the host's
#    /dev is never touched.  Skipped where that cannot be done.
# Loopback only: a real snmpd.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

plan 49

T=$LIB_TMP
P=$SNMPD_PORT
DEAD=$(free_udp_port) || bail_out "no free UDP port"
NLIVE=30
NDEAD=10

# Long runs are started in a session of their own (setsid), with SIGINT
# and SIGTERM at their defaults, so that session_no_leftovers (lib.sh)
# can check that nothing of them is left.
launch_init --default-signals
live_dead_inventory "$NLIVE" $((NLIVE + NDEAD)) "$P" "$DEAD" >"$T/inventory"

# stats.py STATS JSONL RC PROCS NOIDS — the stats file against the records
# of a run that exited RC with PROCS workers; prints "ok" or the problems.
cat >"$T/stats.py" <<'PY'
import json, sys
from datetime import datetime, timezone
st = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])] if sys.argv[2] != "-" else []
rc, procs, ngets = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
bad = []
want = {"start", "duration_s", "targets", "duplicates", "status",
        "requests", "responses", "retries", "window", "kernel_drops",
        "rtt_ms", "interrupted", "workers", "torn",
        "output_error", "exit_status"}
if set(st) != want:
    bad.append("keys %s" % sorted(set(st) ^ want))
if set(st.get("status", {})) != {"ok", "timeout", "error", "deadline", "not_finished"}:
    bad.append("status keys %s" % sorted(st.get("status", {})))
if set(st.get("rtt_ms", {})) != {"p50", "p90", "p95", "p99"}:
    bad.append("rtt_ms keys %s" % sorted(st.get("rtt_ms", {})))
def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)
if st.get("torn") != 0 or st.get("output_error") is not None:
    bad.append("torn %r, output_error %r" % (st.get("torn"), st.get("output_error")))
for k in ("targets", "duplicates", "requests", "responses", "retries",
          "window", "kernel_drops", "workers", "exit_status"):
    if not isinstance(st.get(k), int) or isinstance(st.get(k), bool):
        bad.append("%s is not an integer: %r" % (k, st.get(k)))
if isinstance(st.get("window"), int) and not procs <= st["window"] <= procs * 4096:
    bad.append("window %r, not 1 to 4096 a worker" % st["window"])
if not num(st.get("duration_s")) or st["duration_s"] < 0:
    bad.append("duration_s %r" % st.get("duration_s"))
if not isinstance(st.get("interrupted"), bool):
    bad.append("interrupted is not a boolean")
try:
    datetime.strptime(st["start"], "%Y-%m-%dT%H:%M:%S.%fZ")
except (KeyError, ValueError, TypeError):
    bad.append("start is not an ISO 8601 UTC time: %r" % st.get("start"))
by = {}
for r in recs:
    by[r["status"]] = by.get(r["status"], 0) + 1
s = st["status"]
for k in ("ok", "timeout", "error", "deadline"):
    if s[k] != by.get(k, 0):
        bad.append("status.%s is %d, the records say %d" % (k, s[k], by.get(k, 0)))
if st["targets"] != len(recs) + s["not_finished"]:
    bad.append("targets %d != records %d + not_finished %d"
               % (st["targets"], len(recs), s["not_finished"]))
if st["exit_status"] != rc:
    bad.append("exit_status %d, the process exited %d" % (st["exit_status"], rc))
if st["workers"] != procs:
    bad.append("workers %d, not %d" % (st["workers"], procs))
if recs and not st["interrupted"]:
    retries = sum(r["retries"] for r in recs)
    if st["retries"] != retries:
        bad.append("retries %d, the records say %d" % (st["retries"], retries))
    # one GET request per target (ngets OIDs fit in one), plus retries
    if st["requests"] != len(recs) + retries:
        bad.append("requests %d, not records + retries = %d"
                   % (st["requests"], len(recs) + retries))
    answered = by.get("ok", 0) + by.get("error", 0)
    if st["responses"] != answered:
        bad.append("responses %d, answered targets %d" % (st["responses"], answered))
p = st["rtt_ms"]
if not all(num(p[k]) for k in p):
    bad.append("rtt_ms values are not numbers")
elif not 0 <= p["p50"] <= p["p90"] <= p["p95"] <= p["p99"]:
    bad.append("percentiles out of order: %r" % p)
rtts = [r["rtt_ms"] for r in recs if r.get("rtt_ms") is not None]
if rtts and not (p["p99"] > 0 and p["p50"] <= 2 * max(rtts) + 0.1):
    bad.append("percentiles %r do not fit the records' rtt (max %.3f)" % (p, max(rtts)))
print("ok" if not bad else "\n".join(bad))
PY

# ------------------------------------------------------- --stats-file
for procs in 1 2; do
	echo "stale" >"$T/stats-$procs.json"
	ino=$(stat -c %i "$T/stats-$procs.json")
	"$SNMPFLEET" -i "$T/inventory" -P "$procs" -t 0.3 -r 1 -F jsonl \
	    -o "$T/run-$procs.jsonl" --stats-file "$T/stats-$procs.json" \
	    sysName.0 sysUpTime.0 </dev/null >/dev/null 2>"$T/run-$procs.err"
	RC=$?
	is "$RC" 1 "-P $procs: a run with silent targets exits 1"
	check "-P $procs: the stats file is one JSON object" jsonl_check "$T/stats-$procs.json"
	is "$(wc -l <"$T/stats-$procs.json")" 1 "-P $procs: on one line"
	is "$(python3 "$T/stats.py" "$T/stats-$procs.json" "$T/run-$procs.jsonl" "$RC" "$procs" 2)" ok \
	    "-P $procs: it has the documented fields, and its counts agree with the records and the exit status"
	is "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["targets"], s["status"]["ok"], s["status"]["timeout"], s["retries"], s["interrupted"])' "$T/stats-$procs.json")" \
	    "$((NLIVE + NDEAD)) $NLIVE $NDEAD $NDEAD False" \
	    "-P $procs: $((NLIVE + NDEAD)) targets, $NLIVE ok, $NDEAD timeout, $NDEAD retries, not interrupted"
	ok "$([ "$(stat -c %i "$T/stats-$procs.json")" != "$ino" ]; echo $?)" \
	    "-P $procs: the old stats file was replaced by a new one (renamed into place, not rewritten)"
	is "$(find "$T" -maxdepth 1 -name 'stats-*.tmp*' | wc -l)" 0 "-P $procs: no temporary file is left"
done
D=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["duration_s"])' "$T/stats-1.json")
like "$(cat "$T/run-1.err")" " in $D s;" "the summary line and the stats file give the same duration ($D s)"

# all ok: exit_status 0 and responses = targets
make_hosts 20 | sed "s/\$/:$P/" >"$T/live-inventory"
"$SNMPFLEET" -i "$T/live-inventory" -F jsonl -o "$T/live.jsonl" --stats-file "$T/live.json" \
    sysName.0 </dev/null >/dev/null 2>&1
RC=$?
is "$(python3 "$T/stats.py" "$T/live.json" "$T/live.jsonl" "$RC" 1 1)" ok "an all-ok run: the stats file agrees (exit_status $RC)"

# interrupted: interrupted true, exit_status 130, not_finished counted
make_hosts 200 | sed "s/\$/:$DEAD/" >"$T/dead-inventory"
{
	echo "127.0.0.1:$P"
	cat "$T/dead-inventory"
} >"$T/int-inventory"
"${LAUNCH[@]}" "$SNMPFLEET" -i "$T/int-inventory" -j 8 -t 30 -r 0 -F jsonl -o "$T/int.jsonl" \
    --stats-file "$T/int.json" sysName.0 </dev/null >/dev/null 2>"$T/int.err" &
PID=$!
track_pid "$PID"
# until the live target's record is written: the run is under way
for ((i = 0; i < 200; i++)); do
	[ -s "$T/int.jsonl" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
kill -INT "$PID"
wait "$PID"
RC=$?
is "$RC" 130 "an interrupted run exits 130"
session_no_leftovers "$PID" "nothing of the interrupted run is left"
is "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["interrupted"], s["exit_status"], s["status"]["ok"], s["status"]["not_finished"], s["targets"])' "$T/int.json")" \
    "True 130 1 200 201" "its stats file says interrupted, exit_status 130, 1 ok and 200 not finished of 201"
is "$(python3 "$T/stats.py" "$T/int.json" "$T/int.jsonl" "$RC" 1 1)" ok "... and agrees with its records"

# an unwritable stats file is an error message, not a silent loss
"$SNMPFLEET" -H "127.0.0.1:$P" --stats-file "$T/no/such/dir/stats.json" sysName.0 \
    </dev/null >/dev/null 2>"$T/unwritable.err"
like "$(cat "$T/unwritable.err")" "stats.json.*No such file or directory" \
    "a stats file that cannot be written: an error message naming it"

# ------------------------------------------------------------ --quiet
"$SNMPFLEET" -i "$T/live-inventory" -q -o "$T/q.txt" sysName.0 </dev/null >"$T/q.out" 2>"$T/q.err"
is "$?" 0 "--quiet, all ok: exit 0"
is "$(cat "$T/q.err")" "" "--quiet, all ok: nothing on stderr (no summary)"
is "$(grep -c ' = STRING: ' "$T/q.txt")" 20 "--quiet: the records are written as usual"
"$SNMPFLEET" -i "$T/inventory" --quiet -t 0.2 -r 0 sysName.0 </dev/null >"$T/q2.out" 2>"$T/q2.err"
is "$?" 1 "--quiet with silent targets: exit 1"
is "$(cat "$T/q2.err")" "" "--quiet with silent targets: no summary (the records say timeout)"
is "$(grep -c ' # timeout$' "$T/q2.out")" "$NDEAD" "--quiet: the timeout records are there"
"$SNMPFLEET" -i "$T/inventory" -P 2 -q -t 0.2 -r 0 sysName.0 </dev/null >/dev/null 2>"$T/q3.err"
is "$(cat "$T/q3.err")" "" "--quiet with -P 2: nothing on stderr"
printf '127.0.0.1:%s bogus=1\n' "$P" >"$T/bad-inventory"
"$SNMPFLEET" -i "$T/bad-inventory" -q sysName.0 </dev/null >/dev/null 2>"$T/q4.err"
is "$?" 2 "--quiet with a bad inventory line: exit 2"
like "$(cat "$T/q4.err")" "bad-inventory:1: .*bogus" "--quiet: errors are still printed"
"$SNMPFLEET" -H "127.0.0.1:$P" -q --stats-file "$T/no/such/dir/s.json" sysName.0 \
    </dev/null >/dev/null 2>"$T/q5.err"
like "$(cat "$T/q5.err")" "s.json.*No such file or directory" "--quiet: a stats file error is still printed"
"$SNMPFLEET" -i "$T/dead-inventory" -q -t 30 -r 0 --deadline 0.5 sysName.0 </dev/null >/dev/null 2>"$T/q6.err"
is "$?" 4 "--quiet with a deadline: exit 4"
is "$(cat "$T/q6.err")" "" "--quiet with a deadline: no summary"

# ------------------------------------ no escape codes off a terminal
has_esc() { LC_ALL=C grep -q "$(printf '[\033\r]')" "$1"; }
"$SNMPFLEET" -i "$T/inventory" -P 2 -t 0.5 -r 1 -o "$T/p.txt" sysName.0 </dev/null >/dev/null 2>"$T/auto.err"
has_esc "$T/auto.err"
ok $((! $?)) "progress auto, stderr a file: no escape codes or carriage returns"
is "$(grep -c '' "$T/auto.err")" 1 "progress auto, stderr a file: only the summary line, no progress line"
"$SNMPFLEET" -i "$T/inventory" -P 2 -t 0.5 -r 1 --progress -o "$T/p.txt" sysName.0 </dev/null >/dev/null 2>"$T/forced.err"
has_esc "$T/forced.err"
ok $((! $?)) "--progress, stderr a file: no escape codes or carriage returns"
like "$(cat "$T/forced.err")" "^snmpfleet: [0-9]+/$((NLIVE + NDEAD)) targets \\([0-9]+%\\)" \
    "--progress, stderr a file: plain progress lines"
"$SNMPFLEET" -i "$T/inventory" -t 0.5 -r 1 --progress sysName.0 </dev/null 2>&1 >/dev/null | cat >"$T/pipe.err"
has_esc "$T/pipe.err"
ok $((! $?)) "--progress, stderr a pipe: no escape codes or carriage returns"
# The same check sees them on a terminal (so it would see them elsewhere).
if command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	printf -v cmd '%q ' "$SNMPFLEET" -i "$T/inventory" -t 0.5 -r 1 -o "$T/tty.txt" sysName.0
	SHELL=/bin/sh script -qefc "exec $cmd" /dev/null </dev/null >"$T/tty.cap" 2>&1
	has_esc "$T/tty.cap"
	ok $? "on a terminal (script(1)) the progress line does use escape codes"
else
	pass "# SKIP script(1) cannot give a pty here"
fi

# ------------------------------------------------------------ --syslog
# snmpfleet logs through syslog(3), which writes datagrams to /dev/log.
# In a private mount namespace /dev is replaced by a tmpfs of symlinks to
# the real entries, plus /dev/log -> our socket.
SOCK=$T/devlog.sock
cat >"$T/listen.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.1)
open(sys.argv[3], "w").close()
with open(sys.argv[2], "ab", buffering=0) as f:
    while not os.path.exists(sys.argv[4]):
        try:
            f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
        except socket.timeout:
            pass
PY
# in_ns PIDFILE CMD... — run CMD with /dev/log going to $SOCK; its pid
# (kept by exec) in PIDFILE.
in_ns() {
	local pidfile=$1
	shift
	# shellcheck disable=SC2016  # expanded by the inner bash
	unshare -m bash -c '
		x=$1 sock=$2 pidfile=$3
		shift 3
		mkdir -p "$x/olddev" &&
		mount --bind /dev "$x/olddev" &&
		mount -t tmpfs -o mode=755 tmpfs /dev || exit 99
		for e in "$x"/olddev/* "$x"/olddev/.[!.]*; do
			[ -e "$e" ] || [ -L "$e" ] || continue
			ln -s "$e" "/dev/${e##*/}"
		done
		ln -sfn "$sock" /dev/log
		echo $$ >"$pidfile"
		exec "$@"' ns "$T/ns" "$SOCK" "$pidfile" "$@"
}
DEV_BEFORE=$(stat -c '%d %i' /dev; stat -c '%F %i' /dev/log 2>&1)
can_ns=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m true 2>/dev/null; then
	python3 "$T/listen.py" "$SOCK" "$T/syslog" "$T/listening" "$T/stop-listen" &
	track_pid $!
	for ((i = 0; i < 100; i++)); do
		[ -e "$T/listening" ] && break
		sleep 0.05
	done
	in_ns "$T/ns-probe.pid" sh -c 'logger -u /dev/log "snmpfleet-probe" 2>/dev/null ||
	    python3 -c "import syslog; syslog.syslog(\"snmpfleet-probe\")"'
	for ((i = 0; i < 40; i++)); do
		grep -q snmpfleet-probe "$T/syslog" 2>/dev/null && break
		sleep 0.05
	done
	grep -q snmpfleet-probe "$T/syslog" 2>/dev/null && can_ns=1
fi
if [ "$can_ns" = 1 ]; then
	# wait_log PATTERN — until a line of the log matches (or ~5 s)
	wait_log() {
		for ((i = 0; i < 100; i++)); do
			grep -Eq -- "$1" "$T/syslog" && return 0
			sleep 0.05
		done
		return 1
	}
	in_ns "$T/s1.pid" "$SNMPFLEET" -i "$T/inventory" -t 0.2 -r 0 --syslog -o "$T/s1.txt" \
	    sysName.0 </dev/null >/dev/null 2>"$T/s1.err"
	RC=$?
	is "$RC" 1 "--syslog (in a private mount namespace): the run itself is as usual (exit 1)"
	S1=$(cat "$T/s1.pid")
	SUMMARY=$(sed -n 's/^snmpfleet: //p' "$T/s1.err")
	wait_log "snmpfleet\\[$S1\\]: $((NLIVE + NDEAD)) targets: "
	like "$(cat "$T/syslog")" "^<30>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} snmpfleet\\[$S1\\]: $((NLIVE + NDEAD)) targets: $NLIVE ok, $NDEAD timeout" \
	    "--syslog: the summary reaches syslog, tagged snmpfleet[PID], facility daemon, priority info"
	is "$(grep -F "snmpfleet[$S1]: " "$T/syslog" | sed 's/^[^]]*\]: //')" "$SUMMARY" \
	    "--syslog: the same summary text as on stderr, and nothing else"
	like "$(cat "$T/s1.err")" "^snmpfleet: $((NLIVE + NDEAD)) targets: " "--syslog: stderr still has the summary"

	in_ns "$T/s2.pid" "$SNMPFLEET" -H "127.0.0.1:$P" --syslog \
	    --stats-file "$T/no/such/dir/s.json" sysName.0 </dev/null >/dev/null 2>&1
	S2=$(cat "$T/s2.pid")
	wait_log "snmpfleet\\[$S2\\]: .*s\\.json"
	like "$(cat "$T/syslog")" "^<27>.* snmpfleet\\[$S2\\]: .*s\\.json.*No such file or directory" \
	    "--syslog: an error reaches syslog at priority err"

	in_ns "$T/s3.pid" "$SNMPFLEET" -i "$T/bad-inventory" --syslog sysName.0 </dev/null >/dev/null 2>&1
	S3=$(cat "$T/s3.pid")
	wait_log "snmpfleet\\[$S3\\]: "
	like "$(cat "$T/syslog")" "^<27>.* snmpfleet\\[$S3\\]: .*bad-inventory:1: .*bogus" \
	    "--syslog: an inventory error (exit 2) reaches syslog"

	in_ns "$T/s4.pid" "$SNMPFLEET" -i "$T/dead-inventory" -t 30 -r 0 --deadline 0.5 --syslog \
	    sysName.0 </dev/null >/dev/null 2>&1
	S4=$(cat "$T/s4.pid")
	wait_log "snmpfleet\\[$S4\\]: "
	like "$(cat "$T/syslog")" "^<28>.* snmpfleet\\[$S4\\]: 200 targets: .*200 deadline" \
	    "--syslog: a run that hit its deadline logs its summary as a warning"

	in_ns "$T/s5.pid" "$SNMPFLEET" -H "127.0.0.1:$P" -o "$T/s5.txt" sysName.0 </dev/null >/dev/null 2>&1
	S5=$(cat "$T/s5.pid")
	# the socket keeps order: once a later message is in, so is any of S5's
	in_ns "$T/s6.pid" python3 -c 'import syslog; syslog.syslog("snmpfleet-probe-2")'
	wait_log "snmpfleet-probe-2"
	is "$(grep -c "snmpfleet\\[$S5\\]" "$T/syslog")" 0 "without --syslog nothing goes to syslog"
	touch "$T/stop-listen"
else
	for d in "the run itself is as usual" "the summary reaches syslog" "the same summary text" \
	    "stderr still has the summary" "an error reaches syslog" "an inventory error reaches syslog" \
	    "a deadline summary is a warning" "without --syslog nothing goes to syslog"; do
		pass "# SKIP --syslog: $d (needs root and unshare -m to give the run a /dev/log of our own)"
	done
fi
# The host's /dev is as it was, and none of the namespace's mounts is left.
is "$(stat -c '%d %i' /dev; stat -c '%F %i' /dev/log 2>&1)" "$DEV_BEFORE" \
    "the host's /dev and /dev/log are as they were"
is "$(grep -c " $T/ns/" /proc/self/mounts)" 0 "no mount of the namespace is visible outside it"

done_testing
