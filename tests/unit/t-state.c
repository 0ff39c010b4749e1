/*
 * t-state.c — state.c and state-build.c: a round trip of many targets
 * and counters, the merge of an old state and run files (newest poll
 * wins, a tie to the run given last), corrupt run files refused, an
 * unfinished run file removed, every case of state_delta
 * with exact numbers, atomic replacement (a written but uncommitted file
 * leaves the old one whole; a writer killed at random times never
 * leaves a bad file), and corrupt files: truncated, every byte flipped,
 * wrong version, impossible counts — each an error with a cause.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "tap.h"

#define S	1000000000ull	/* ns */
#define FP_NAME	1
#define FP_OBJ	2

static char	dir[] = "/tmp/t-state.XXXXXX";

static long long which(const char *);
static void	 put_file(const char *, const uint8_t *, size_t);
static uint8_t	*get_file(const char *, size_t *);

/* Target i's key: IPv4 for even i, IPv6 for odd, ident from i. */
static void
key_of(uint64_t i, struct state_key *k)
{
	memset(k, 0, sizeof *k);
	k->family = i % 2 == 0 ? 4 : 6;
	memcpy(k->addr, &i, sizeof i);
	if (k->family == 6)
		k->addr[15] = 0xfe;
	k->port = 161 + (uint16_t)(i % 3);
	k->ident = i * 0x9e3779b97f4a7c15ull;
}

/* Targets lo .. hi - 1 into b, target i with i % 5 counters and a
 * fingerprint; poll time base + i. */
static void
add_range(struct state_builder *b, uint64_t lo, uint64_t hi, uint64_t base)
{
	struct state_key	 k;
	struct state_target	 t;
	struct state_counter	 c;
	char			 name[32];
	uint64_t		 i, j;

	for (i = lo; i < hi; i++) {
		key_of(i, &k);
		memset(&t, 0, sizeof t);
		t.flags = STATE_ANSWERED | (i % 4 ? STATE_HAS_UPTIME : 0);
		t.missed = (uint32_t)(i % 7);
		t.poll_ns = base + i;
		t.uptime = (uint32_t)(i * 100);
		state_builder_add_target(b, &k, &t);
		for (j = 0; j < i % 5; j++) {
			memset(&c, 0, sizeof c);
			c.oid_hash = j * 1000 + 7;
			c.value = i * 10 + j;
			c.type = j % 2 ? STATE_COUNTER64 : STATE_COUNTER32;
			c.flags = j == 3 ? STATE_HAS_DISC : 0;
			state_builder_add_counter_disc(b, &c, (uint32_t)(j + i));
		}
		snprintf(name, sizeof name, "sw-%llu", (unsigned long long)i);
		state_builder_add_fingerprint(b, FP_NAME, name, strlen(name));
		if (i % 3 == 0)
			state_builder_add_fingerprint(b, FP_OBJ, "1.3.6.1.4.1.9",
			    13);
	}
}

/* n targets (add_range 0 .. n) in an unnamed builder. */
static struct state_builder *
build(uint64_t n, uint64_t base)
{
	struct state_builder	*b = state_builder_new(NULL);

	add_range(b, 0, n, base);
	return b;
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Write n targets to path (0 or -1). */
static int
write_n(const char *path, uint64_t n, uint64_t base)
{
	struct state_builder	*b = build(n, base);
	char			*cause = NULL;
	int			 rc;

	rc = state_builder_write(b, path, &cause);
	if (rc != 0)
		printf("# %s\n", cause);
	free(cause);
	state_builder_free(b);
	return rc;
}

/* Does target i of a built state read back exactly? */
static bool
target_ok(const struct state *st, uint64_t i, uint64_t base)
{
	const struct state_target	*t;
	const struct state_counter	*c;
	struct state_key		 k;
	char				 name[32];
	const char			*fp;
	size_t				 len;
	uint64_t			 j;

	key_of(i, &k);
	if ((t = state_find_target(st, &k)) == NULL)
		return false;
	if (t->poll_ns != base + i || t->missed != i % 7 ||
	    t->uptime != i * 100 || t->ncounters != i % 5 ||
	    t->flags != (STATE_ANSWERED | (i % 4 ? STATE_HAS_UPTIME : 0)))
		return false;
	for (j = 0; j < i % 5; j++) {
		c = state_find_counter(st, t, j * 1000 + 7);
		if (c == NULL || c->value != i * 10 + j ||
		    state_counter_disc(st, c) != (j == 3 ? j + i : 0) ||
		    c->type != (j % 2 ? STATE_COUNTER64 : STATE_COUNTER32) ||
		    (c->flags == STATE_HAS_DISC) != (j == 3))
			return false;
	}
	snprintf(name, sizeof name, "sw-%llu", (unsigned long long)i);
	fp = state_fingerprint(st, t, FP_NAME, &len);
	if (fp == NULL || len != strlen(name) || memcmp(fp, name, len) != 0)
		return false;
	fp = state_fingerprint(st, t, FP_OBJ, &len);
	if ((fp != NULL) != (i % 3 == 0))
		return false;
	return fp == NULL || (len == 13 && memcmp(fp, "1.3.6.1.4.1.9", 13) == 0);
}

static void
test_round_trip(void)
{
	char			*path = path_in("rt.state"), *cause = NULL;
	struct state		*st = NULL;
	struct state_key	 k;
	uint64_t		 i, good = 0;

	is_int(write_n(path, 20000, 5 * S), 0, "20000 targets written");
	is_int(state_open_read(path, &st, &cause), 0, "and opened (%s)",
	    cause ? cause : "no cause");
	if (st == NULL) {
		tap_skip(5, "no state");
		return;
	}
	is_int(state_targets(st), 20000, "20000 targets in the file");
	for (i = 0; i < 20000; i++)
		good += target_ok(st, i, 5 * S);
	is_int(good, 20000, "every target, counter and fingerprint reads back");
	key_of(3, &k);
	k.ident++;
	ok(state_find_target(st, &k) == NULL, "another identity: not found");
	key_of(3, &k);
	k.port = 9;
	ok(state_find_target(st, &k) == NULL, "another port: not found");
	ok(state_find_counter(st, state_find_target(st, (key_of(4, &k), &k)),
	    999) == NULL, "an OID hash the target lacks: not found");
	ok(state_find_counter(st, state_find_target(st, (key_of(4, &k), &k)),
	    (1ull << 63) | 1007) != NULL, "an OID hash counts by its low %d "
	    "bits (the file keeps those)", STATE_OID_BITS);
	state_close(st);
	free(path);
}

/* A run file of prefix (a named builder's, finished): its name. */
static char *
run_file(struct state_builder *b, const char *prefix)
{
	char	*cause = NULL;

	if (state_builder_finish(b, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
	}
	state_builder_free(b);
	return xasprintf("%s.%ld", prefix, (long)getpid());
}

/* Merge old (a path, or NULL) and runs into out: 0, or -1 with the
 * cause printed and returned in *why (if why). */
static int
merge(const char *out, const char *old, char **runs, size_t n, char **why)
{
	struct state	*st = NULL;
	char		*tmp = NULL, *cause = NULL;
	int		 rc;

	if (old != NULL && state_open_read(old, &st, &cause) != 0)
		rc = -1;
	else if ((rc = state_merge_temp(out, st, runs, n, &tmp,
	    &cause)) == 0)
		rc = state_commit(tmp, out, &cause);
	if (rc != 0 && why != NULL)
		*why = xstrdup(cause ? cause : "");
	else if (rc != 0)
		printf("# %s\n", cause ? cause : "");
	free(cause);
	free(tmp);
	state_close(st);
	return rc;
}

/* An old state of targets 0..109 (poll S + i) and two run files: r1
 * has 0..99 newer (2S + i) and target 600 (poll 7, missed 1); r2 has
 * 50..99 older than both (S/2 + i), target 100 older than the old
 * state's, target 600 again (poll 7, missed 2: a tie, r2 given last
 * wins), and target 500 with a counter given three times. */
static void
test_merge(void)
{
	char			*old = path_in("old"), *out = path_in("merged");
	char			*pre = path_in("run"), *runs[2], *cause = NULL;
	struct state_builder	*b;
	struct state		*m = NULL;
	struct state_key	 k;
	struct state_counter	 c;
	const struct state_target *t;
	char			 pre1[256], pre2[256];
	uint64_t		 i, good = 0;

	write_n(old, 110, 1 * S);
	snprintf(pre1, sizeof pre1, "%s1", pre);
	snprintf(pre2, sizeof pre2, "%s2", pre);
	b = state_builder_new(pre1);
	add_range(b, 0, 100, 2 * S);
	key_of(600, &k);
	state_builder_add_target(b, &k, &(struct state_target){ .poll_ns = 7,
	    .missed = 1 });
	runs[0] = run_file(b, pre1);
	b = state_builder_new(pre2);
	add_range(b, 50, 101, S / 2);
	key_of(600, &k);
	state_builder_add_target(b, &k, &(struct state_target){ .poll_ns = 7,
	    .missed = 2 });
	key_of(500, &k);
	state_builder_add_target(b, &k, &(struct state_target){ .poll_ns = 1 });
	for (i = 0; i < 40; i++) {
		/* hash 42 three times among others, out of order; every
		 * even one with a discontinuity time */
		c = (struct state_counter){ .oid_hash = i % 13 == 3 ? 42 :
		    1000 - i, .value = i,
		    .flags = i % 2 == 0 ? STATE_HAS_DISC : 0 };
		state_builder_add_counter_disc(b, &c, (uint32_t)(100 + i));
	}
	runs[1] = run_file(b, pre2);
	ok(access(runs[0], F_OK) == 0 && access(runs[1], F_OK) == 0,
	    "two run files, named PREFIX.PID");
	is_int(merge(out, old, runs, 2, NULL), 0, "old state and runs merged");
	is_int(state_open_read(out, &m, &cause), 0, "merged opened");
	if (m == NULL) {
		tap_skip(5, "no merged state");
		return;
	}
	is_int(state_targets(m), 112, "110 + 2 targets, duplicates once");
	for (i = 0; i < 100; i++)
		good += target_ok(m, i, 2 * S);
	for (; i < 110; i++)
		good += target_ok(m, i, 1 * S);
	is_int(good, 110, "each target from the newest poll: the runs' or "
	    "the old state's (not polled, or polled older)");
	key_of(600, &k);
	t = state_find_target(m, &k);
	ok(t != NULL && t->missed == 2, "a tie of poll times: the run given "
	    "last wins");
	key_of(500, &k);
	t = state_find_target(m, &k);
	ok(t != NULL && t->ncounters == 38 &&
	    state_find_counter(m, t, 42) != NULL &&
	    state_find_counter(m, t, 42)->value == 29,
	    "a counter given three times: the last added kept");
	for (i = 0, good = 0; t != NULL && i < 40; i++) {
		const struct state_counter *v = state_find_counter(m, t,
		    i % 13 == 3 ? 42 : 1000 - i);

		if (i % 13 == 3 && i != 29)
			good++;
		else
			good += v != NULL && v->value == i &&
			    state_counter_disc(m, v) == (i % 2 ? 0 : 100 + i);
	}
	is_int(good, 40, "and the other 37 counters each found, each with its "
	    "discontinuity time or none");
	state_close(m);
	free(runs[0]);
	free(runs[1]);
	free(pre);
	free(old);
	free(out);
}

/* Run files: a corrupt or truncated one makes the merge fail with a
 * cause (the old state stays); an unfinished builder's file is removed
 * when it is freed. */
static void
test_runs(void)
{
	char			*pre = path_in("bad"), *out = path_in("rs");
	char			*run, *why = NULL, *tmp;
	struct state_builder	*b;
	uint8_t			*good, *p;
	size_t			 n = 0, i, refused = 0;

	b = state_builder_new(pre);
	add_range(b, 0, 30, S);
	run = run_file(b, pre);
	good = get_file(run, &n);
	is_int(merge(out, NULL, &run, 1, NULL), 0, "a run file alone merged");
	is_int(which(out), 30, "its 30 targets in the state");
	p = xmalloc(n);
	for (i = 0; good != NULL && i < n; i += 7) {
		memcpy(p, good, n);
		p[i] ^= 0x10;
		put_file(run, p, n);
		if (merge(out, NULL, &run, 1, &why) != 0)
			refused++;
		free(why);
		why = NULL;
	}
	is_int(refused, (n + 6) / 7, "a bit flipped at every 7th byte of a "
	    "run file: each merge refused");
	put_file(run, good, n - 5);
	ok(merge(out, NULL, &run, 1, &why) != 0 && why != NULL &&
	    strstr(why, "truncated") != NULL, "a truncated run file: refused "
	    "(%s)", why ? why : "no cause");
	free(why);
	is_int(which(out), 30, "the state merged before is still whole");
	b = state_builder_new(pre);
	add_range(b, 0, 20000, S);	/* more than a buffer: a file */
	tmp = xasprintf("%s.%ld.tmp", pre, (long)getpid());
	ok(access(tmp, F_OK) == 0, "a builder streams to PREFIX.PID.tmp");
	state_builder_free(b);
	ok(access(tmp, F_OK) != 0, "unfinished and freed: the file is gone");
	free(tmp);
	free(p);
	free(good);
	free(run);
	free(pre);
	free(out);
}

/* The delta of prev -> cur as "reason delta rate dt_ms". */
static const char *
dl(const struct state_sample *p, const struct state_sample *c,
    enum state_type type, uint64_t max)
{
	static char		s[128];
	struct state_delta	d;

	state_delta(p, c, type, max, &d);
	snprintf(s, sizeof s, "%s %llu %.3f %llu", state_reason_name(d.reason),
	    (unsigned long long)d.delta, d.rate,
	    (unsigned long long)(d.dt_ns / 1000000));
	return s;
}

#define UP(v, t, u)	{ .value = (v), .time_ns = (t), .has_uptime = true, \
			    .uptime = (u) }
#define WALL(v, t)	{ .value = (v), .time_ns = (t) }

static void
test_delta(void)
{
	struct state_sample	p = UP(1000, 100 * S, 10000);
	struct state_sample	c = UP(3000, 110 * S, 11000);
	struct state_sample	p2, c2;

	is_str(dl(NULL, &c, STATE_COUNTER32, 0), "first 0 0.000 0",
	    "no previous value: first, nothing else");
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 2000 200.000 10000",
	    "2000 in 10 s of sysUpTime: 200/s");
	p.value = 4294967000u;
	c.value = 1000;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 1296 129.600 10000",
	    "Counter32 wrapped once: 1296 in 10 s");
	p.value = 0x100000010ull;
	c.value = 0x20;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 16 1.600 10000",
	    "Counter32 values are taken mod 2^32");
	is_str(dl(&p, &c, STATE_COUNTER64, 0), "backwards 0 0.000 10000",
	    "a Counter64 that went down: no wrap, no rate");
	p2 = (struct state_sample)WALL(1ull << 63, 10 * S);
	c2 = (struct state_sample)WALL((1ull << 63) + 5000000000ull, 15 * S);
	is_str(dl(&p2, &c2, STATE_COUNTER64, 0),
	    "rate 5000000000 1000000000.000 5000",
	    "Counter64 near 2^63, no sysUpTime: the wall clock's 5 s");
	c2.time_ns = 10 * S;
	is_str(dl(&p2, &c2, STATE_COUNTER64, 0), "clock 0 0.000 0",
	    "the wall clock did not advance: no rate (never infinite)");
	c2.time_ns = 9 * S;
	is_str(dl(&p2, &c2, STATE_COUNTER64, 0), "clock 0 0.000 0",
	    "the wall clock went back: no rate (never negative)");

	p = (struct state_sample)UP(5, 100 * S, 100000);
	c = (struct state_sample)UP(50, 400 * S, 500);
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "reboot 0 0.000 0",
	    "sysUpTime went back: reboot");
	p.uptime = 10000;		/* 100 s */
	c.uptime = 20000;		/* 200 s, but 300 s have passed */
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "reboot 0 0.000 0",
	    "sysUpTime younger than the interval: restarted in between");
	c.uptime = 40000 - 500;		/* 295 s: within the slack */
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 45 0.153 295000",
	    "sysUpTime a little short of the wall clock: a rate on 295 s");
	p = (struct state_sample)UP(0, 100 * S, 4294967000u);
	c = (struct state_sample)UP(496, 105 * S, 200);
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 496 100.000 4960",
	    "sysUpTime wrapped at 2^32 ticks (the wall clock agrees)");
	c.time_ns = 100 * S + 86400 * S;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "reboot 0 0.000 0",
	    "sysUpTime went back and the wall clock disagrees: reboot");

	p = (struct state_sample)UP(100, 100 * S, 10000);
	c = (struct state_sample)UP(300, 120 * S, 11000);
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 200 20.000 10000",
	    "both sysUpTimes known: the agent's 10 s, not our 20 s");
	c.has_uptime = false;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 200 10.000 20000",
	    "one sysUpTime missing: the wall clock's 20 s");
	p.has_disc = c.has_disc = true;
	p.disc = c.disc = 77;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 200 10.000 20000",
	    "the same discontinuity time: a rate");
	c.disc = 78;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "discontinuity 0 0.000 0",
	    "the row's discontinuity time changed");
	c.has_disc = false;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 200 10.000 20000",
	    "a discontinuity time no longer polled: no sign of one, a rate");
	p.has_disc = false;
	c.has_disc = true;
	c.has_uptime = true;
	c.disc = 10000;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "rate 200 20.000 10000",
	    "a discontinuity time polled now, not after the last sample: a rate");
	c.disc = 10001;
	is_str(dl(&p, &c, STATE_COUNTER32, 0), "discontinuity 0 0.000 0",
	    "polled now, and after the last sample's sysUpTime: discontinuity");
	c.has_disc = false;
	c.has_uptime = false;
	is_str(dl(&p, &c, STATE_COUNTER32, 20 * S), "rate 200 10.000 20000",
	    "20 s apart, max 20 s: a rate");
	is_str(dl(&p, &c, STATE_COUNTER32, 20 * S - 1),
	    "interval 0 0.000 20000", "20 s apart, max a hair less: interval");
}

static void
read_header(const char *path, uint8_t *h)
{
	int	fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, h, 128) != 128)
		memset(h, 0, 128);
	if (fd >= 0)
		close(fd);
}

/* The ntargets and poll time of target 0 of a state file, or -1. */
static long long
which(const char *path)
{
	struct state	*st;
	char		*cause = NULL;
	long long	 n;

	if (state_open_read(path, &st, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		return -1;
	}
	n = (long long)state_targets(st);
	state_close(st);
	return n;
}

static void
test_atomic(void)
{
	char			*path = path_in("at.state"), *tmp = NULL;
	char			*cause = NULL, *d1, *d2;
	struct state_builder	*b;
	int			 rc;

	write_n(path, 10, S);
	b = build(20, S);
	is_int(state_builder_write_temp(b, path, &tmp, &cause), 0,
	    "a new state written beside the old one");
	ok(tmp != NULL && strcmp(tmp, path) != 0, "to another name (%s)",
	    tmp ? tmp : "none");
	d1 = xstrdup(path);
	d2 = xstrdup(tmp ? tmp : "/");
	is_str(dirname(d2), dirname(d1), "in the same directory (rename works)");
	is_int(which(path), 10, "before the rename (a crash here), the old "
	    "file is whole");
	is_int(which(tmp), 20, "and the new one complete beside it");
	is_int(state_commit(tmp, path, &cause), 0, "renamed into place");
	free(cause);
	cause = NULL;
	is_int(which(path), 20, "now the new state is there");
	ok(access(tmp, F_OK) != 0, "and the temporary name is gone");
	rc = state_builder_write(b, "/nonexistent/dir/x", &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "/nonexistent/dir/x.tmp") != NULL,
	    "an unwritable directory: an error with a cause (%s)",
	    cause ? cause : "none");
	free(cause);
	state_builder_free(b);
	free(tmp);
	free(d1);
	free(d2);
	free(path);
}

/* A writer killed at random times: the file is always the old or the
 * new state, whole. */
static void
test_killed_writer(void)
{
	char		*path = path_in("kill.state");
	struct timespec	 ts;
	glob_t		 g;
	char		*pat;
	pid_t		 pid;
	int		 i, good = 0, status;
	long long	 n;

	write_n(path, 2000, S);
	for (i = 0; i < 40; i++) {
		if ((pid = fork()) == 0) {
			for (;;)
				write_n(path, 2000 + 1000 * (i % 2), S);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(i * 613) % 20 * 1000000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		n = which(path);
		good += n == 2000 || n == 3000;
	}
	is_int(good, 40, "a writer SIGKILLed 40 times: the file opens every "
	    "time, old or new");
	pat = xasprintf("%s.tmp.*", path);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t j = 0; j < g.gl_pathc; j++)
			unlink(g.gl_pathv[j]);
		globfree(&g);
	}
	free(pat);
	free(path);
}

/* Open a file expected to be refused: true if it was, with a cause
 * containing want. */
static bool
refused(const char *path, const char *want)
{
	struct state	*st = NULL;
	char		*cause = NULL;
	bool		 r;

	if (state_open_read(path, &st, &cause) == 0) {
		state_close(st);
		return false;
	}
	r = cause != NULL && strstr(cause, want) != NULL;
	if (!r)
		printf("# cause: %s\n", cause ? cause : "(none)");
	free(cause);
	return r;
}

static void
put_file(const char *path, const uint8_t *p, size_t n)
{
	int	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		printf("# cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
}

static uint8_t *
get_file(const char *path, size_t *n)
{
	struct stat	sb;
	uint8_t		*p;
	int		fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) != 0)
		return NULL;
	p = xmalloc((size_t)sb.st_size);
	*n = (size_t)read(fd, p, (size_t)sb.st_size);
	close(fd);
	return p;
}

/* The good file with 8 bytes at off replaced by v. */
static bool
patched(const char *bad, const uint8_t *good, size_t n, size_t off,
    uint64_t v, size_t w, const char *want)
{
	uint8_t	*p = xmalloc(n);
	bool	 r;

	memcpy(p, good, n);
	memcpy(p + off, &v, w);
	put_file(bad, p, n);
	r = refused(bad, want);
	free(p);
	return r;
}

static void
test_corrupt(void)
{
	char	*path = path_in("good.state"), *bad = path_in("bad.state");
	uint8_t	*good, *p, h[128];
	size_t	 n = 0, i, flips = 0, cuts = 0;

	write_n(path, 60, S);
	good = get_file(path, &n);
	read_header(path, h);
	ok(n > 2000 && memcmp(h, "SFSTATE", 8) == 0, "a small good file (%zu "
	    "bytes)", n);
	ok(refused(dir, "not a regular file"), "a directory: refused");
	ok(refused(bad, "No such file"), "no file: refused with errno's text");
	for (i = 0; i < n; i += 37) {
		put_file(bad, good, i);
		cuts += refused(bad, "truncated");
	}
	is_int(cuts, (n + 36) / 37, "truncated at every 37th byte: each "
	    "refused as truncated");
	p = xmalloc(n);
	for (i = 0; i < n; i++) {
		memcpy(p, good, n);
		p[i] ^= (uint8_t)(1u << (i % 8));
		put_file(bad, p, n);
		flips += refused(bad, "");
	}
	is_int(flips, n, "one bit flipped, at each of the %zu bytes: every "
	    "file refused", n);
	put_file(bad, good, n);
	ok(!refused(bad, ""), "the same bytes unchanged: accepted (the check "
	    "can pass)");
	for (i = 0, cuts = 0; i + 13 <= n; i++)
		cuts += memcmp(good + i, "1.3.6.1.4.1.9", 13) == 0;
	is_int(cuts, 1, "a fingerprint entry 20 targets share: stored once");
	ok(patched(bad, good, n, 0, 0x41, 1, "not a snmpfleet state file"),
	    "another magic");
	ok(patched(bad, good, n, 8, 4, 4, "version 4 (this snmpfleet reads 3)"),
	    "a newer version: refused as such");
	ok(patched(bad, good, n, 8, 2, 4, "version 2 (this snmpfleet reads 3)"),
	    "a version 2 file (sorted targets, one checksum): refused as such");
	ok(patched(bad, good, n, 12, 0x04030201, 4, "byte order"),
	    "the other byte order");
	ok(patched(bad, good, n, 20, 48, 4, "record sizes"),
	    "another record size");
	ok(patched(bad, good, n, 32, 1ull << 60, 8, "impossible counts"),
	    "2^60 targets in the header");
	ok(patched(bad, good, n, 40, 1ull << 40, 8, "impossible counts"),
	    "2^40 counters in the header");
	ok(patched(bad, good, n, 48, 60, 8, "impossible counts"),
	    "an index no larger than the targets");
	ok(patched(bad, good, n, 40, 1000000, 8, "truncated"),
	    "a million counters in a small file: truncated");
	ok(patched(bad, good, n, 56, n - 1, 8, "truncated"),
	    "strings longer than the file leaves");
	ok(patched(bad, good, n, 96, n, 8, "impossible counts"),
	    "entries longer than the strings");
	ok(patched(bad, good, n, 110, 1, 1, "checksum"),
	    "a reserved header byte changed: the checksum");
	free(p);
	free(good);
	free(path);
	free(bad);
}

/* A builder written, given more, written again: the targets added
 * between found, fingerprint entries still shared. */
static void
test_fp_after_write(void)
{
	static const char	 obj[] = "1.3.6.1.4.1.99999";
	struct state_builder	*b = state_builder_new(NULL);
	struct state		*st = NULL;
	struct state_key	 k;
	char			*path = path_in("fp.state"), *cause = NULL;
	const char		*fp;
	uint8_t			*data;
	size_t			 n = 0, len, i, seen = 0, good = 0;

	for (i = 0; i < 3; i++) {
		if (i == 2)
			state_builder_write(b, path, &cause);
		key_of(i, &k);
		state_builder_add_target(b, &k,
		    &(struct state_target){ .poll_ns = 1 });
		state_builder_add_fingerprint(b, FP_OBJ, obj, strlen(obj));
		state_builder_add_fingerprint(b, FP_NAME, i == 2 ? "c" : "ab",
		    i == 2 ? 1 : 2);
	}
	is_int(state_builder_write(b, path, &cause), 0, "written twice, a "
	    "target added between");
	data = get_file(path, &n);
	for (i = 0; data != NULL && i + strlen(obj) <= n; i++)
		seen += memcmp(data + i, obj, strlen(obj)) == 0;
	is_int(seen, 1, "the entry the three share: stored once");
	if (state_open_read(path, &st, &cause) == 0) {
		for (i = 0; i < 3; i++) {
			key_of(i, &k);
			fp = state_fingerprint(st, state_find_target(st, &k),
			    FP_NAME, &len);
			good += fp != NULL && len == (i == 2 ? 1 : 2) &&
			    memcmp(fp, i == 2 ? "c" : "ab", len) == 0;
		}
		state_close(st);
	}
	is_int(good, 3, "each target's own name read back");
	free(data);
	free(cause);
	free(path);
	state_builder_free(b);
}

static void
test_keys(void)
{
	struct sockaddr_in6	s6;
	struct sockaddr_in	s4;
	struct state_key	k;
	oid			a[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1 };
	oid			b[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2 };

	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	s4.sin_port = htons(1161);
	s4.sin_addr.s_addr = htonl(0x7f000102);
	state_key_from_sockaddr(&k, (struct sockaddr *)&s4, 5);
	ok(k.family == 4 && k.port == 1161 && k.addr[0] == 127 &&
	    k.addr[3] == 2 && k.addr[4] == 0 && k.ident == 5,
	    "an IPv4 key: 127.0.1.2:1161, ident 5");
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(161);
	s6.sin6_addr.s6_addr[15] = 1;
	state_key_from_sockaddr(&k, (struct sockaddr *)&s6, 0);
	ok(k.family == 6 && k.port == 161 && k.addr[15] == 1,
	    "an IPv6 key: [::1]:161");
	ok(state_oid_hash(a, 11) != state_oid_hash(b, 11) &&
	    state_oid_hash(a, 11) != state_oid_hash(a, 10) &&
	    state_oid_hash(a, 11) == state_oid_hash(a, 11),
	    "OID hashes: equal OIDs alike, others apart");
	ok(state_oid_hash(a, 11) >> STATE_OID_BITS == 0 &&
	    state_oid_hash(b, 11) >> STATE_OID_BITS == 0,
	    "OID hashes have %d bits, as the file keeps them", STATE_OID_BITS);
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_keys();
	test_round_trip();
	test_merge();
	test_runs();
	test_delta();
	test_atomic();
	test_killed_writer();
	test_corrupt();
	test_fp_after_write();
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return tap_done();
}
