# bench/bench-lib.sh — sourced by the bench scripts (bench/bench-*.sh):
# sets HERE (bench/), ROOT (the source tree) and top_builddir (ROOT unless
# set), and sources tests/integration/lib.sh (temp dir, snmpd, cleanup,
# need_*).
# shellcheck shell=bash

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
top_builddir=${top_builddir:-$ROOT}
# shellcheck source=../tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"

# need_gnu_time NAME [--install] — set GTIME to GNU time, which gives the
# user+sys CPU of a command and all it waited for, and peak RSS (%M: the
# largest single process).  Missing: with --install (and root and
# apt-get) it is installed, else bail out.  NAME: the bench, for messages.
need_gnu_time() {
	GTIME=/usr/bin/time
	"$GTIME" -f %e true >/dev/null 2>&1 && return 0
	if [ "${2:-}" = --install ] && [ "$(id -u)" -eq 0 ] &&
	    command -v apt-get >/dev/null 2>&1; then
		echo "$1: installing GNU time" >&2
		{ apt-get update && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y --no-install-recommends time; } >/dev/null ||
		    bail_out "cannot install GNU time"
	else
		bail_out "GNU time (/usr/bin/time) is needed: apt-get install time"
	fi
}

# cpu_per_target N CMD... — user+sys CPU of one run of CMD per target
# (N of them), in µs (getrusage of the children: microseconds, where GNU
# time rounds to 10 ms).
cpu_per_target() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
n = int(sys.argv[1])
subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f" % ((ru.ru_utime + ru.ru_stime) * 1e6 / n))
PY
}

# stats FILE — "median min max" of the numbers in FILE.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
