#!/usr/bin/env bash
# bench/bench-state.sh — benchmark (not a test) of src/state.c: build a
# state file of N targets × C counters with the builder (timed), then in
# a fresh process open it (checksum and checks by pread, then mmap) and
# look up every target and every counter (timed apart), under
# /usr/bin/time -v for the peak RSS of each step.  Prints a markdown
# table; exit 1 when a lookup misses.
#
# usage: bench/bench-state.sh [-n TARGETS] [-c COUNTERS] [-d DIR]
#   -n  targets (default 1000000)
#   -c  counters per target (default 4)
#   -d  where the state file goes (default a temporary directory)
#
# Run from a built tree (it links a small driver against libsnmpfleet.a).

set -u

N=1000000
C=4
DIR=
while getopts 'n:c:d:h' opt; do
	case $opt in
	n) N=$OPTARG ;;
	c) C=$OPTARG ;;
	d) DIR=$OPTARG ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${top_builddir:-$TOP}
[ -f "$BUILD/libsnmpfleet.a" ] || { echo "build first (no libsnmpfleet.a)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DIR=${DIR:-$TMP}

# The driver: "build PATH N C" or "read PATH N C".
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

static int
build(const char *path, uint64_t n, uint64_t c)
{
	struct state_builder	*b = state_builder_new();
	struct state_key	 k;
	struct state_target	 t = { .flags = STATE_ANSWERED };
	struct state_counter	 v = { .type = STATE_COUNTER64 };
	char			*cause = NULL;
	double			 t0 = now(), t1;
	uint64_t		 i, j;

	for (i = 0; i < n; i++) {
		key_of(i, &k);
		t.poll_ns = t.uptime = (uint32_t)i;
		state_builder_add_target(b, &k, &t);
		for (j = 0; j < c; j++) {
			v.oid_hash = j * 0x9e3779b97f4a7c15ull;
			v.value = i * 1000 + j;
			state_builder_add_counter(b, &v);
		}
		state_builder_add_fingerprint(b, 1, "1.3.6.1.4.1.9.1.1", 17);
		state_builder_add_fingerprint(b, 2, "core-sw-000000", 14);
	}
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
read -r _ build _ write <"$TMP/b.out"
read -r _ open _ look _ miss <"$TMP/r.out"
size=$(stat -c %s "$F")
echo "| step | seconds | peak RSS (MB) |"
echo "|---|---|---|"
echo "| build $N targets × $C counters (in memory) | $build | $(( $(rss "$TMP/b.time") / 1024 )) |"
echo "| write (sort, index, temp + fsync + rename), $(( size / 1048576 )) MB | $write | (same process) |"
echo "| open (header, checksum, every range by pread; mmap) | $open | $(( $(rss "$TMP/r.time") / 1024 )) |"
echo "| look up all $N targets and $(( N * C )) counters | $look | (same process) |"
echo "misses: $miss"
exit $rc
