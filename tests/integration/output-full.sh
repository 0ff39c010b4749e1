#!/usr/bin/env bash
# output-full.sh — when the output fails mid-run (a full filesystem, a
# closed pipe), the run stops polling, the file holds only whole records,
# the summary and the stats file count exactly what is in it, the message
# gives the real reason, and the exit status is 5.
#
# A full filesystem is a 1 MB tmpfs mounted for the test (root only; the
# tests are skipped with a notice where mount(8) is not allowed).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_snmpd

T=$LIB_TMP
P=$SNMPD_PORT
N=10000
make_hosts "$N" >"$T/hosts"

# full_disk NAME PROCS — one run into the full filesystem.
full_disk() {
	local name=$1 procs=$2 out=$T/mnt/$1.jsonl rc good bad written ok
	rm -f "$T/mnt"/*
	"$SNMPFLEET" -i "$T/hosts" --port "$P" -P "$procs" -F jsonl -o "$out" \
	    --stats-file "$T/stats-$name.json" sysName.0 sysDescr.0 \
	    2>"$T/err-$name"
	rc=$?
	diag "$name: $(cat "$T/err-$name")"
	is "$rc" 5 "$name: exit status 5 (the output failed)"
	like "$(cat "$T/err-$name")" "output failed: .*: No space left on device" \
	    "$name: the message gives the real reason"
	unlike "$(cat "$T/err-$name")" "Input/output error" \
	    "$name: not a made-up EIO"
	read -r good bad < <(jsonl_whole_counts "$out")
	is "$bad" 0 "$name: no torn record in the file ($good whole)"
	check "$name: the file is not empty (the disk filled up mid-run)" \
	    test "$good" -gt 0
	written=$(sed -nE 's/.*stopped after ([0-9]+) whole records.*/\1/p' "$T/err-$name")
	is "$written" "$good" "$name: the message says exactly how many records were written"
	ok=$(sed -nE 's/^snmpfleet: [0-9]+ targets: ([0-9]+) ok.*/\1/p' "$T/err-$name")
	is "$ok" "$good" "$name: the summary counts what is in the file"
	ok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"]["ok"])' \
	    "$T/stats-$name.json")
	is "$ok" "$good" "$name: the stats file counts what is in the file"
	like "$(cat "$T/err-$name")" "[0-9]+ not finished" \
	    "$name: polling stopped (targets left not finished)"
}

mkdir -p "$T/mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m snmpfleet-test "$T/mnt" 2>/dev/null; then
	at_exit "umount '$T/mnt'"
	full_disk "full -P 4" 4
	full_disk "full -P 1" 1
else
	for i in $(seq 1 16); do
		pass "# SKIP a full filesystem needs mount(8) as root"
	done
fi

# A character device that is always full: not a regular file.
"$SNMPFLEET" -H 127.0.0.1-127.0.0.20 --port "$P" -F jsonl -o /dev/full \
    sysName.0 2>"$T/err-devfull"
is "$?" 5 "/dev/full: exit status 5"
like "$(cat "$T/err-devfull")" "output failed: /dev/full: No space left on device; the run stopped after 0 whole records" \
    "/dev/full: the reason, and no record counted"

# A reader that goes away: -P 2 | head -n 1.
"$SNMPFLEET" -i "$T/hosts" --port "$P" -P 2 -F jsonl sysName.0 \
    2>"$T/err-pipe" | head -n 1 >"$T/pipe-first"
rc=${PIPESTATUS[0]}
is "$rc" 5 "| head -1: exit status 5"
is "$(jsonl_whole_counts "$T/pipe-first")" "1 0" "| head -1: head got a whole record"
unlike "$(cat "$T/err-pipe")" "Input/output error" "| head -1: no made-up EIO"
unlike "$(cat "$T/err-pipe")" "worker .* (exited|killed)" \
    "| head -1: the workers' stop is not reported as a crash"

done_testing
