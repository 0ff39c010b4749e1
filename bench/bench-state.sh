#!/usr/bin/env bash
# bench/bench-state.sh — benchmark (not a test) of --state.  First
# src/state.c and state-build.c alone: build a state file of N targets ×
# C counters with the builder (streamed to a run file, then merged;
# timed), in a fresh process open it (checksum and checks by pread,
# then mmap) and look up every target and counter, and merge it with a
# run file that polls every target again (the second run's merge); each
# step under /usr/bin/time -v for its peak RSS.  Then a whole run, twice
# (first run, then with the state present): snmpfleet-sim --interfaces
# 4 and snmpfleet -H 127.0.0.0/12 (1,048,574 targets, loopback) -P 2
# polling 4 interface counters and sysUpTime.0, the peak RSS of every
# process of the run (VmHWM from /proc, sampled every 50 ms, and
# /usr/bin/time -v's maximum over them).  Prints markdown tables; exit 1
# when a lookup misses or a run fails.
#
# usage: bench/bench-state.sh [-n TARGETS] [-c COUNTERS] [-d DIR] [-R]
#        [-H RANGE] [-P N]
#   -n  targets (default 1000000)
#   -c  counters per target (default 4)
#   -d  where the state files go (default a temporary directory)
#   -R  skip the whole runs
#   -H  the whole runs' targets (default 127.0.0.0/12; loopback only)
#   -P  the whole runs' worker processes (default 2)
#
# Run from a built tree (it links a small driver against libsnmpfleet.a).

set -u

N=1000000
C=4
DIR=
RUNS=1
RANGE=127.0.0.0/12
PROCS=2
while getopts 'n:c:d:RH:P:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	c) C=$OPTARG ;;
	d) DIR=$OPTARG ;;
	R) RUNS=0 ;;
	H) RANGE=$OPTARG ;;
	P) PROCS=$OPTARG ;;
	*) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${top_builddir:-$TOP}
[ -f "$BUILD/libsnmpfleet.a" ] || { echo "build first (no libsnmpfleet.a)" >&2; exit 2; }
case $RANGE in 127.*) ;; *) echo "-H: loopback (127.0.0.0/8) only" >&2; exit 2 ;; esac
TMP=$(mktemp -d)
SIM=
trap '[ -n "$SIM" ] && kill "$SIM" 2>/dev/null; rm -rf "$TMP"' EXIT
DIR=${DIR:-$TMP}

# The driver: "build PATH N C", "read PATH N C" or "merge PATH N C".
cat >"$TMP/drv.c" <<'C'
#include "config.h"
#include <time.h>
#include "snmpfleet.h"

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
key_of(uint64_t i, struct state_key *k)
{
	memset(k, 0, sizeof *k);
	k->family = 4;
	k->addr[0] = 10;
	k->addr[1] = (uint8_t)(i >> 16);
	k->addr[2] = (uint8_t)(i >> 8);
	k->addr[3] = (uint8_t)i;
	k->port = 161 + (uint16_t)(i >> 24);
	k->ident = 0x1234;
}

/* Target i with c counters and two fingerprint fields, polled at
 * poll_ns, into b. */
static void
add_one(struct state_builder *b, uint64_t i, uint64_t c, uint64_t poll_ns)
{
	struct state_key	 k;
	struct state_target	 t = { .flags = STATE_ANSWERED };
	struct state_counter	 v = { .type = STATE_COUNTER64 };
	uint64_t		 j;

	key_of(i, &k);
	t.poll_ns = poll_ns;
	t.uptime = (uint32_t)i;
	state_builder_add_target(b, &k, &t);
	for (j = 0; j < c; j++) {
		v.oid_hash = j * 0x9e3779b97f4a7c15ull;
		v.value = i * 1000 + j;
		state_builder_add_counter(b, &v);
	}
	state_builder_add_fingerprint(b, 1, "1.3.6.1.4.1.9.1.1", 17);
	state_builder_add_fingerprint(b, 2, "core-sw-000000", 14);
}

static int
build(const char *path, uint64_t n, uint64_t c)
{
	struct state_builder	*b = state_builder_new(NULL);
	char			*cause = NULL;
	double			 t0 = now(), t1;
	uint64_t		 i;

	for (i = 0; i < n; i++)
		add_one(b, i, c, i);
	t1 = now();
	if (state_builder_write(b, path, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	printf("build %.3f write %.3f\n", t1 - t0, now() - t1);
	state_builder_free(b);
	return 0;
}

static int
lookup(const char *path, uint64_t n, uint64_t c)
{
	struct state			*st;
	const struct state_target	*t;
	const struct state_counter	*v;
	struct state_key		 k;
	char				*cause = NULL;
	double				 t0 = now(), t1, t2;
	uint64_t			 i, j, miss = 0;

	if (state_open_read(path, &st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	t1 = now();
	for (i = 0; i < n; i++) {
		key_of(i, &k);
		t = state_find_target(st, &k);
		if (t == NULL || t->uptime != (uint32_t)i) {
			miss++;
			continue;
		}
		for (j = 0; j < c; j++) {
			v = state_find_counter(st, t, j * 0x9e3779b97f4a7c15ull);
			miss += v == NULL || v->value != i * 1000 + j;
		}
	}
	t2 = now();
	printf("open %.3f lookup %.3f misses %llu\n", t1 - t0, t2 - t1,
	    (unsigned long long)miss);
	state_close(st);
	return miss != 0;
}

/* The second run's merge: the state at path and a run file in which
 * every target was polled again (newer), into path. */
static int
merge(const char *path, uint64_t n, uint64_t c)
{
	struct state		*st;
	struct state_builder	*b;
	char			*cause = NULL, *prefix, *run, *tmp;
	double			 t0 = now(), t1, t2;
	uint64_t		 i;

	if (state_open_read(path, &st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	prefix = xasprintf("%s.part", path);
	b = state_builder_new(prefix);
	for (i = 0; i < n; i++)
		add_one(b, i, c, n + i);	/* newer than every old one */
	if (state_builder_finish(b, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	state_builder_free(b);
	run = xasprintf("%s.%ld", prefix, (long)getpid());
	t1 = now();
	if (state_merge_temp(path, st, &run, 1, &tmp, &cause) != 0 ||
	    state_commit(tmp, path, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	t2 = now();
	printf("stream %.3f merge %.3f\n", t1 - t0, t2 - t1);
	unlink(run);
	state_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t	n, c;

	if (argc != 5)
		return 2;
	n = strtoull(argv[3], NULL, 10);
	c = strtoull(argv[4], NULL, 10);
	if (strcmp(argv[1], "build") == 0)
		return build(argv[2], n, c);
	if (strcmp(argv[1], "merge") == 0)
		return merge(argv[2], n, c);
	return lookup(argv[2], n, c);
}
C
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -I"$BUILD" -I"$TOP/src" -o "$TMP/drv" "$TMP/drv.c" \
    "$BUILD/libsnmpfleet.a" $(net-snmp-config --libs 2>/dev/null || echo -lnetsnmp) \
    -luv -lpthread -lm || exit 2

F="$DIR/bench.state"
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
/usr/bin/time -v "$TMP/drv" build "$F" "$N" "$C" >"$TMP/b.out" 2>"$TMP/b.time" ||
    { cat "$TMP/b.out" "$TMP/b.time"; exit 1; }
sync
# warm (page cache) and cold-ish runs are the same process shape; take the second
"$TMP/drv" read "$F" "$N" "$C" >/dev/null
/usr/bin/time -v "$TMP/drv" read "$F" "$N" "$C" >"$TMP/r.out" 2>"$TMP/r.time"
rc=$?
/usr/bin/time -v "$TMP/drv" merge "$F" "$N" "$C" >"$TMP/m.out" 2>"$TMP/m.time" ||
    { cat "$TMP/m.out" "$TMP/m.time"; exit 1; }
read -r _ build _ write <"$TMP/b.out"
read -r _ open _ look _ miss <"$TMP/r.out"
read -r _ stream _ merge <"$TMP/m.out"
size=$(stat -c %s "$F")
echo "| step | seconds | peak RSS (MB) |"
echo "|---|---|---|"
echo "| build $N targets × $C counters (streamed to a run file) | $build | $(( $(rss "$TMP/b.time") / 1024 )) |"
echo "| write (merge the run: index, sections, temp + fsync + rename), $(( size / 1048576 )) MB | $write | (same process) |"
echo "| open (header, checksum, every range by pread; mmap) | $open | $(( $(rss "$TMP/r.time") / 1024 )) |"
echo "| look up all $N targets and $(( N * C )) counters | $look | (same process) |"
echo "| open, and stream a run polling all $N again | $stream | $(( $(rss "$TMP/m.time") / 1024 )) |"
echo "| merge the state and that run into a new state | $merge | (same process) |"
echo "misses: $miss"
[ "$rc" = 0 ] || exit "$rc"
[ "$RUNS" = 1 ] || exit 0

# ---- whole runs: every process's peak RSS
[ -x "$BUILD/snmpfleet" ] && [ -x "$BUILD/snmpfleet-sim" ] ||
    { echo "no snmpfleet or snmpfleet-sim built: no whole runs" >&2; exit 0; }
"$BUILD/snmpfleet-sim" --port 0 --interfaces 4 >"$TMP/sim.out" 2>&1 &
SIM=$!
for ((i = 0; i < 100; i++)); do
	PORT=$(sed -n 's/.* listening on [^ ]*:\([0-9]*\) .*/\1/p' "$TMP/sim.out")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { echo "snmpfleet-sim did not start" >&2; exit 1; }

# whole_run TAG: one run under /usr/bin/time -v, every process of it
# sampled (VmHWM: each one's own peak) until it ends; prints
# "parent_kb workers_max_kb sum_kb nprocs time_max_kb seconds".
whole_run() {
	local tag=$1 pid k hwm top
	declare -A peak=()
	/usr/bin/time -v "$BUILD/snmpfleet" -q -H "$RANGE" --port "$PORT" \
	    -P "$PROCS" -j 1024 -o /dev/null --state "$DIR/run.state" \
	    ifHCInOctets.1 ifHCInOctets.2 ifHCOutOctets.1 ifHCOutOctets.2 \
	    sysUpTime.0 >"$TMP/$tag.out" 2>"$TMP/$tag.time" &
	pid=$!
	top=
	while kill -0 "$pid" 2>/dev/null; do
		[ -n "$top" ] || top=$(pgrep -P "$pid" | head -1)
		for k in $top $(pgrep -P "${top:-0}" 2>/dev/null); do
			hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' \
			    "/proc/$k/status" 2>/dev/null)
			[ -n "$hwm" ] && [ "${peak[$k]:-0}" -lt "$hwm" ] &&
			    peak[$k]=$hwm
		done
		sleep 0.05
	done
	wait "$pid" || { cat "$TMP/$tag.time" >&2; return 1; }
	local sum=0 n=0 parent=0 worker=0
	for k in "${!peak[@]}"; do
		sum=$((sum + peak[$k]))
		n=$((n + 1))
		if [ "$k" = "$top" ]; then
			parent=${peak[$k]}
		elif [ "${peak[$k]}" -gt "$worker" ]; then
			worker=${peak[$k]}
		fi
	done
	echo "$sum $n $(rss "$TMP/$tag.time") $(sed -n \
	    's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
	    "$TMP/$tag.time") $parent $worker"
}
rm -f "$DIR/run.state"
first=$(whole_run first) || exit 1
second=$(whole_run second) || exit 1
echo
echo "| whole run, -H $RANGE -P $PROCS, 4 counters + sysUpTime.0 | wall | parent's peak RSS (MB) | largest worker's (MB) | sum of every process's peak (MB, processes) | /usr/bin/time -v (MB) |"
echo "|---|---|---|---|---|---|"
for r in "first (no state):$first" "second (state present):$second"; do
	set -- ${r#*:}
	echo "| ${r%%:*} | $4 | $(( $5 / 1024 )) | $(( $6 / 1024 )) | $(( $1 / 1024 )) ($2) | $(( $3 / 1024 )) |"
done
