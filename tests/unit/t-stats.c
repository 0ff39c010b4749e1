/*
 * t-stats.c — stats.c: percentiles of known distributions within the
 * histogram's 12.5%, small values exact, the last bucket catching the
 * rest, and merging workers' stats by addition.
 */
#include "config.h"

#include <math.h>

#include "snmpfleet.h"
#include "tap.h"

#define MS	1000000ull	/* ns */

/* got within 12.5% of want (one bucket's width). */
static int
near(double got, double want)
{
	return fabs(got - want) <= want * 0.125;
}

static void
test_empty_and_small(void)
{
	struct stats	s;

	memset(&s, 0, sizeof s);
	is_int(stats_percentile(&s, 50) == 0, 1, "nothing recorded: 0");
	stats_record_rtt(&s, 3000);
	ok(stats_percentile(&s, 50) == 0.0035,
	    "3 us: its bucket's middle, 0.0035 ms (%g)",
	    stats_percentile(&s, 50));
	memset(&s, 0, sizeof s);
	stats_record_rtt(&s, 1 * MS);
	ok(near(stats_percentile(&s, 50), 1.0), "one 1 ms sample: p50 %g",
	    stats_percentile(&s, 50));
	ok(stats_percentile(&s, 50) == 0.992, "1 ms is in bucket "
	    "[960, 1024) us, shown as its middle, 0.992 ms (%g)",
	    stats_percentile(&s, 50));
	ok(stats_percentile(&s, 1) == stats_percentile(&s, 100),
	    "one sample: every percentile is it");
	memset(&s, 0, sizeof s);
	stats_record_rtt(&s, 3600000 * MS);
	ok(stats_percentile(&s, 50) > 1000,
	    "an hour lands in the last bucket (%g ms)",
	    stats_percentile(&s, 50));
}

/* 1..1000 ms, 10 samples each: pN is near N% of a second. */
static void
test_uniform(void)
{
	struct stats	s;
	static const double ps[] = { 10, 50, 90, 95, 99, 100 };
	uint64_t	ms;
	size_t		i;
	int		k;
	double		prev = 0, got;

	memset(&s, 0, sizeof s);
	for (ms = 1; ms <= 1000; ms++) {
		for (k = 0; k < 10; k++)
			stats_record_rtt(&s, ms * MS + (uint64_t)k * 1000);
	}
	for (i = 0; i < sizeof ps / sizeof *ps; i++) {
		got = stats_percentile(&s, ps[i]);
		ok(near(got, ps[i] * 10), "uniform 1..1000 ms: p%g = %g ms "
		    "(want %g +- 12.5%%)", ps[i], got, ps[i] * 10);
		ok(got >= prev, "p%g >= the percentile before", ps[i]);
		prev = got;
	}
}

/* 90% at 1 ms, 10% at 200 ms: p90 is fast, p91 and up slow. */
static void
test_bimodal(void)
{
	struct stats	s;
	int		i;

	memset(&s, 0, sizeof s);
	for (i = 0; i < 900; i++)
		stats_record_rtt(&s, 1 * MS);
	for (i = 0; i < 100; i++)
		stats_record_rtt(&s, 200 * MS);
	ok(near(stats_percentile(&s, 50), 1), "bimodal: p50 is 1 ms (%g)",
	    stats_percentile(&s, 50));
	ok(near(stats_percentile(&s, 90), 1), "p90 is 1 ms (%g)",
	    stats_percentile(&s, 90));
	ok(near(stats_percentile(&s, 90.1), 200), "p90.1 is 200 ms (%g)",
	    stats_percentile(&s, 90.1));
	ok(near(stats_percentile(&s, 99), 200), "p99 is 200 ms (%g)",
	    stats_percentile(&s, 99));
}

/* Two workers' stats merged equal one worker that saw everything. */
static void
test_merge(void)
{
	struct stats	a, b, all;
	uint64_t	i, ns;
	unsigned	k, same = 1;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&all, 0, sizeof all);
	for (i = 0; i < 2000; i++) {
		ns = (i * i % 997 + 1) * 37000;
		stats_record_rtt(i % 3 ? &a : &b, ns);
		stats_record_rtt(&all, ns);
	}
	a.targets_done = 5, a.ok = 4, a.timeout = 1, a.requests = 9;
	a.responses = 8, a.retries = 1;
	b.targets_done = 3, b.ok = 1, b.error = 1, b.deadline = 1;
	b.requests = 4, b.responses = 2, b.retries = 2;
	stats_merge(&a, &b);
	for (k = 0; k < HIST_BUCKETS; k++)
		same &= a.hist[k] == all.hist[k];
	ok(same, "merged histogram is the sum");
	ok(stats_percentile(&a, 95) == stats_percentile(&all, 95),
	    "merged p95 is the whole run's (%g)", stats_percentile(&a, 95));
	is_int(a.targets_done, 8, "targets_done added");
	is_int(a.ok, 5, "ok added");
	is_int(a.timeout, 1, "timeout added");
	is_int(a.error, 1, "error added");
	is_int(a.deadline, 1, "deadline added");
	is_int(a.requests, 13, "requests added");
	is_int(a.responses, 10, "responses added");
	is_int(a.retries, 3, "retries added");
}

int
main(void)
{
	test_empty_and_small();
	test_uniform();
	test_bimodal();
	test_merge();
	return tap_done();
}
