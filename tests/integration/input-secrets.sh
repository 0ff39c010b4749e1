#!/usr/bin/env bash
# input-secrets.sh — secrets given on the command line or written by
# mistake into inventories and config files never show:
#   - in /proc/PID/cmdline while start-up is slow: the config file is a
#     FIFO that we hold shut, so the run waits inside config parsing for
#     as long as we look, and -A, -X and -c must already read '*';
#   - in a core dump: while the run waits, /proc/PID/limits says "Max
#     core file size 0" and the process is not dumpable (its /proc/PID/*
#     belong to root, not to the user it runs as: checked by running it
#     as nobody when the test runs as root); SNMPFLEET_CORE_DUMPS=1 keeps
#     both for debugging;
#   - in error messages: wrapped or mistyped inventory lines
#     ("authpass=..." where a host should be, "authpass:..."), mistyped
#     config lines, unknown options such as --authpass=..., bad -H specs.
# Every secret contains "S3cr3t", so one pattern finds them all.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd_conf 'rocommunity comm-S3cr3t-1 default'

T=$LIB_TMP
P=$SNMPD_PORT
SECRET='S3cr3t'

# no_secret DESC FILE... — none of the files contains a secret.
no_secret() {
	local desc=$1 hits
	shift
	hits=$(grep -a -H -n -- "$SECRET" "$@" 2>/dev/null | tr '\0' ' ' | head -5)
	if [ -z "$hits" ]; then
		pass "$desc"
	else
		fail "$desc"
		diag "found:" "$hits"
	fi
}

# ------------------------------------------------- a slow start, held open
# As root, the run is started as nobody, so that "not dumpable" shows as
# /proc/PID owned by root instead of by the run's own user.
RUNAS=()
RUN_UID=$(id -u)
if [ "$RUN_UID" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	RUN_UID=65534
	chmod 711 "$T"
fi

# held_run NAME ENV... — start a run whose --config is a FIFO, wait until
# it has opened it (it is then inside config parsing, and blocks reading
# it), record its cmdline, limits and /proc owner in $T/NAME.*, then feed
# it a config and let it finish.  Sets HELD_RC.
held_run() {
	local name=$1 pid
	shift
	rm -f "$T/$name.fifo"
	mkfifo -m 666 "$T/$name.fifo"
	env "$@" "${RUNAS[@]}" "$SNMPFLEET" --config "$T/$name.fifo" \
	    -A "auth-$SECRET-1" -X "priv-$SECRET-1" -c "comm-$SECRET-1" \
	    -H "127.0.0.1:$P" -o /dev/null -q sysName.0 \
	    </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	track_pid "$pid"
	python3 - "$T/$name.fifo" "$pid" "$T/$name" "community = comm-$SECRET-1" <<'PY'
import errno, os, sys, time
fifo, pid, base, config = sys.argv[1:5]
fd = None
for _ in range(1000):		# up to 10 s for the run to open the FIFO
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError as e:
        if e.errno != errno.ENXIO:
            raise
        time.sleep(0.01)
def save(what, data):
    with open(base + "." + what, "wb") as f:
        f.write(data)
save("opened", b"yes\n" if fd is not None else b"")
for what in ("cmdline", "limits"):
    try:
        with open("/proc/%s/%s" % (pid, what), "rb") as f:
            save(what, f.read())
    except OSError as e:
        save(what, b"")
try:
    save("owner", b"%d\n" % os.stat("/proc/%s/status" % pid).st_uid)
except OSError:
    save("owner", b"")
if fd is not None:
    os.set_blocking(fd, True)
    os.write(fd, (config + "\n").encode())
    os.close(fd)
PY
	wait "$pid"
	HELD_RC=$?
}

held_run held
is "$(cat "$T/held.opened")" yes "slow start: the run opened its FIFO config file"
is "$HELD_RC" 0 "slow start: the run then finished, exit status 0"
like "$(tr '\0' ' ' <"$T/held.cmdline")" "snmpfleet --config .*held\.fifo" \
    "slow start: /proc/PID/cmdline was read while it waited in config parsing"
no_secret "slow start: no secret in /proc/PID/cmdline during config parsing" \
    "$T/held.cmdline"
like "$(tr '\0' ' ' <"$T/held.cmdline")" " -A \*{13} -X \*{13} -c \*{13} " \
    "slow start: -A, -X and -c already read as '*'"
like "$(cat "$T/held.limits")" '^Max core file size +0 +0 +bytes' \
    "/proc/PID/limits: Max core file size 0 (soft and hard)"
is "$(cat "$T/held.owner")" 0 \
    "not dumpable: /proc/PID/status belongs to root, not to uid $RUN_UID"
no_secret "slow start: no secret on stdout or stderr" "$T/held.out" "$T/held.err"

held_run keep SNMPFLEET_CORE_DUMPS=1
is "$HELD_RC" 0 "SNMPFLEET_CORE_DUMPS=1: exit status 0"
unlike "$(cat "$T/keep.limits")" '^Max core file size +0 +0 ' \
    "SNMPFLEET_CORE_DUMPS=1: the core size limit is left alone"
is "$(cat "$T/keep.owner")" "$RUN_UID" \
    "SNMPFLEET_CORE_DUMPS=1: dumpable (/proc/PID/status belongs to uid $RUN_UID)"

# ------------------------------------------------------ error messages
# bad_input DESC ARG... — a run that must fail with exit 2, quoting no
# secret on stdout or stderr.
bad_input() {
	local desc=$1
	shift
	"$SNMPFLEET" "$@" </dev/null >"$T/bad.out" 2>"$T/bad.err"
	is "$?" 2 "$desc: exit status 2"
	no_secret "$desc: no secret in the message ($(head -n 1 "$T/bad.err" | cut -c 1-140))" \
	    "$T/bad.out" "$T/bad.err"
}

printf '%s\n' "127.0.0.1:$P version=3 user=uA level=authPriv auth=SHA" \
    "  authpass=auth-$SECRET-2 priv=AES privpass=priv-$SECRET-2" >"$T/wrapped.inv"
bad_input "a wrapped inventory line (line 2 starts with authpass=)" -i "$T/wrapped.inv"
like "$(cat "$T/bad.err")" "wrapped.inv:2: line starts with 'authpass=\.\.\.', not a host" \
    "a wrapped inventory line: the key is named, its value is not"
printf '%s\n' "127.0.0.1:$P authpass:auth-$SECRET-3" >"$T/colon.inv"
bad_input "key:value instead of key=value" -i "$T/colon.inv"
like "$(cat "$T/bad.err")" "colon.inv:1: expected key=value, not 'authpass:\.\.\.'" \
    "key:value: the key is named, its value is not"
printf '%s\n' "127.0.0.1:$P community:comm-$SECRET-3=x" >"$T/unknown.inv"
bad_input "an unknown key holding a secret" -i "$T/unknown.inv"
printf '%s\n' "127.0.0.1:$P cred=privpass:priv-$SECRET-3" >"$T/cred.inv"
bad_input "a credential set name holding a secret" -i "$T/cred.inv"
printf '%s\n' "authpass=auth-$SECRET-4:$P" >"$T/spec.inv"
bad_input "an inventory line that is only a secret" -i "$T/spec.inv"

printf '%s\n' "port = $P" "auth-pass auth-$SECRET-5 = x" >"$T/c1.conf"
bad_input "a config line missing its '=' after auth-pass" --config "$T/c1.conf" -H 127.0.0.1
printf '%s\n' "port = $P" "[credentials x]" "authpass: auth-$SECRET-6 = x" >"$T/c2.conf"
bad_input "a [credentials] line with ':' for '='" --config "$T/c2.conf" -H 127.0.0.1
printf '%s\n' "[profile p]" "community:comm-$SECRET-6 = x" >"$T/c3.conf"
bad_input "a [profile] line holding a secret" --config "$T/c3.conf" -H 127.0.0.1

printf '%s\n' "127.0.0.1:$P max-walk-bytes=authpass=auth-$SECRET-9" >"$T/mwb.inv"
bad_input "a max-walk-bytes value holding a secret" -i "$T/mwb.inv"
printf '%s\n' "127.0.0.1:$P max-walk-values=privpass:priv-$SECRET-9" >"$T/mwv.inv"
bad_input "a max-walk-values value holding a secret" -i "$T/mwv.inv"

bad_input "--authpass=SECRET (an unknown option)" "--authpass=auth-$SECRET-7" -H 127.0.0.1
bad_input "--privpass=SECRET (an unknown option)" "--privpass=priv-$SECRET-7" -H 127.0.0.1
bad_input "-H 'HOST community=SECRET' (spaces in a spec)" -H "127.0.0.1 community=comm-$SECRET-8"
bad_input "-H 'authpass=SECRET'" -H "authpass=auth-$SECRET-8"
bad_input "-H 'HOST:authpass=SECRET'" -H "127.0.0.1:authpass=auth-$SECRET-8"

done_testing
