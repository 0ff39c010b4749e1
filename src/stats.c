/*
 * stats.c — run counters and the latency histogram behind every
 * percentile: log-bucketed (8 buckets per power of two of microseconds,
 * so within 12.5%), fixed size, mergeable across workers by addition.
 */
#include "config.h"

#include "snmpfleet.h"

static unsigned
stats_bucket(uint64_t us)
{
	unsigned	msb, idx;

	if (us < 8)
		return (unsigned)us;
	msb = 63u - (unsigned)__builtin_clzll(us);
	idx = (msb - 2) * 8 + (unsigned)((us >> (msb - 3)) & 7);
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* The middle of bucket idx, in microseconds. */
static double
stats_bucket_mid(unsigned idx)
{
	unsigned	msb;
	uint64_t	low, width;

	if (idx < 8)
		return idx + 0.5;
	msb = idx / 8 + 2;
	width = (uint64_t)1 << (msb - 3);
	low = (uint64_t)(8 + idx % 8) * width;
	return (double)low + (double)width / 2;
}

void
stats_record_rtt(struct stats *s, uint64_t ns)
{
	s->hist[stats_bucket(ns / 1000)]++;
}

/* The p-th percentile (0 < p <= 100) of recorded round trips, in
 * milliseconds; 0 when nothing was recorded. */
double
stats_percentile(const struct stats *s, double p)
{
	uint64_t	total = 0, rank, seen = 0;
	unsigned	i;

	for (i = 0; i < HIST_BUCKETS; i++)
		total += s->hist[i];
	if (total == 0)
		return 0;
	rank = (uint64_t)(p / 100.0 * (double)total + 0.999999);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += s->hist[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	return stats_bucket_mid(i) / 1000.0;
}

void
stats_merge(struct stats *into, const struct stats *from)
{
	unsigned	i;

	into->targets_done += from->targets_done;
	into->ok += from->ok;
	into->timeout += from->timeout;
	into->error += from->error;
	into->deadline += from->deadline;
	into->requests += from->requests;
	into->responses += from->responses;
	into->retries += from->retries;
	into->window += from->window;
	into->kernel_drops += from->kernel_drops;
	for (i = 0; i < HIST_BUCKETS; i++)
		into->hist[i] += from->hist[i];
}
