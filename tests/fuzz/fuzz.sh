#!/bin/sh
# fuzz.sh — build the libFuzzer harnesses with clang, straight from the
# sources (apart from the normal gcc build), and run them for a bounded
# time.  `make fuzz` and `make fuzz-build` call it with the source lists
# and flags configure found; see tests/README for running it by hand.
#
#   fuzz.sh build HARNESS...   compile tests/fuzz/build/fuzz-HARNESS
#   fuzz.sh run HARNESS...     build, then run each for FUZZ_SECONDS,
#                              FUZZ_JOBS at a time, on a copy of its
#                              seed corpus; exit 1 if any of them fails
#
# Environment (the Makefile sets all but the last three):
#   top_srcdir top_builddir   the trees (config.h is in top_builddir)
#   FUZZ_CC                   clang
#   FUZZ_CPPFLAGS FUZZ_LIBS   libuv's and net-snmp's flags, from configure
#   FUZZ_LIB_SOURCES          libsnmpfleet.a's sources (Makefile.am)
#   FUZZ_SIM_SOURCES          snmpfleet-sim's sources (Makefile.am)
#   FUZZ_SECONDS              seconds per harness (default 60)
#   FUZZ_JOBS                 harnesses run at once (default 2)
#   FUZZ_ARGS                 more libFuzzer flags, e.g. -jobs=2 or -dict=F
set -u

srcdir=${top_srcdir:?top_srcdir is not set}
blddir=${top_builddir:?top_builddir is not set}
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
OUT=$blddir/tests/fuzz/build

SAN='-fsanitize=address,undefined -fno-sanitize-recover=all'
CFLAGS="-g -O1 -fno-omit-frame-pointer -std=gnu11 $SAN -DSNMPFLEET_FUZZING"
CPPFLAGS="-I$blddir -I$srcdir/src -I$srcdir/src/sim -I$srcdir/tests/fuzz ${FUZZ_CPPFLAGS:-}"

die() { echo "fuzz.sh: $*" >&2; exit 1; }

# The fuzzer runtime is a separate Debian package from clang: say so
# rather than fail on a link error.
check_cc() {
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$OUT/probe.c"
	"$CC" -fsanitize=fuzzer,address,undefined "$OUT/probe.c" \
	    -o "$OUT/probe" >"$OUT/probe.log" 2>&1 ||
	    die "$CC cannot build a libFuzzer program (Debian: apt-get install clang libclang-rt-dev); see $OUT/probe.log"
}

# compile SRC OBJ [FLAGS] — only when SRC or a header is newer than OBJ
compile() {
	src=$1 obj=$2
	shift 2
	if [ -f "$obj" ] && [ "$obj" -nt "$src" ] &&
	    [ "$obj" -nt "$srcdir/src/snmpfleet.h" ] &&
	    [ "$obj" -nt "$srcdir/src/sim/sim.h" ] &&
	    [ "$obj" -nt "$srcdir/tests/fuzz/check-formats.h" ] &&
	    [ "$obj" -nt "$blddir/config.h" ]; then
		return 0
	fi
	echo "  CLANG    ${src#"$srcdir"/}"
	# shellcheck disable=SC2086
	"$CC" $CFLAGS $CPPFLAGS "$@" -c "$src" -o "$obj"
}

# The library objects every harness links, and the simulator's (its
# main() left out).
build_objects() {
	mkdir -p "$OUT/obj"
	LIB_OBJS= SIM_OBJS=
	for s in ${FUZZ_LIB_SOURCES:?}; do
		case $s in *.c) ;; *) continue ;; esac
		o=$OUT/obj/$(basename "$s" .c).o
		compile "$srcdir/$s" "$o" -fsanitize=fuzzer-no-link || exit 1
		LIB_OBJS="$LIB_OBJS $o"
	done
	for s in ${FUZZ_SIM_SOURCES:?}; do
		case $s in *.c) ;; *) continue ;; esac
		case $s in */sim-main.c) continue ;; esac
		o=$OUT/obj/$(basename "$s" .c).o
		compile "$srcdir/$s" "$o" -fsanitize=fuzzer-no-link || exit 1
		SIM_OBJS="$SIM_OBJS $o"
	done
	o=$OUT/obj/check-formats.o
	compile "$srcdir/tests/fuzz/check-formats.c" "$o" \
	    -fsanitize=fuzzer-no-link || exit 1
	LIB_OBJS="$LIB_OBJS $o"
}

build_harness() {
	h=$1
	src=$srcdir/tests/fuzz/fuzz-$h.c
	[ -f "$src" ] || die "no harness $src"
	compile "$src" "$OUT/obj/fuzz-$h.o" -fsanitize=fuzzer-no-link ||
	    exit 1
	objs=$LIB_OBJS
	[ "$h" = simber ] && objs="$SIM_OBJS $LIB_OBJS"
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -fsanitize=fuzzer "$OUT/obj/fuzz-$h.o" $objs \
	    ${FUZZ_LIBS:-} -lpthread -lm -o "$OUT/fuzz-$h" ||
	    die "cannot link fuzz-$h"
}

build() {
	mkdir -p "$OUT"
	check_cc
	build_objects
	for h in "$@"; do
		build_harness "$h"
	done
}

# run_one HARNESS — fuzz it on a fresh copy of its seeds (new inputs go
# into the copy, never into the source tree); its log is kept.
run_one() {
	h=$1
	work=$OUT/run/$h
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ -d "$srcdir/tests/fuzz/corpus/$h" ]; then
		cp "$srcdir/tests/fuzz/corpus/$h"/* "$work/corpus/" 2>/dev/null
	fi
	# shellcheck disable=SC2086
	"$OUT/fuzz-$h" -max_total_time="$SECONDS_EACH" -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
	    "$work/corpus" >"$work/log" 2>&1
	echo $? >"$work/status"
}

report_one() {
	h=$1
	work=$OUT/run/$h
	st=$(cat "$work/status" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	if [ "$st" -eq 0 ]; then
		echo "fuzz-$h: ok — ${runs:-?} runs, ${speed:-?} exec/s, corpus $(ls "$work/corpus" | wc -l) inputs"
		return 0
	fi
	echo "fuzz-$h: FAILED (exit status $st) — log: $work/log"
	for a in "$work"/artifacts/*; do
		[ -f "$a" ] || continue
		echo "  reproduce: $OUT/fuzz-$h $a"
	done
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|check-formats)' \
	    "$work/log" | head -n 5 | sed 's/^/  /'
	return 1
}

run() {
	build "$@"
	echo "fuzzing $*: $SECONDS_EACH s each, $JOBS at a time"
	set -- "$@"
	while [ $# -gt 0 ]; do
		batch= n=0
		while [ $# -gt 0 ] && [ "$n" -lt "$JOBS" ]; do
			batch="$batch $1"
			run_one "$1" &
			n=$((n + 1))
			shift
		done
		wait
		echo "  done:$batch"
	done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || die "usage: fuzz.sh build|run HARNESS..."
case $cmd in
build)	build "$@" ;;
run)
	run "$@"
	failed=0
	for h in "$@"; do
		report_one "$h" || failed=1
	done
	exit $failed
	;;
*)	die "usage: fuzz.sh build|run HARNESS..." ;;
esac
