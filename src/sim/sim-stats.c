/*
 * sim-stats.c — the sim's counters: each thread counts locally and
 * publishes its totals once per batch (relaxed atomic stores, no shared
 * cache line between threads); the main thread sums them for the report
 * printed on SIGUSR1 and at exit.
 */
#include "config.h"

#include <inttypes.h>

#include "sim.h"

static const char *const sim_counter_names[SIM_C_COUNT] = {
	"received", "answered", "lost", "dead", "bad_community",
	"bad_version", "parse_errors", "send_errors", "overflows", "delayed",
	"delay_full", "max_inflight_per_addr",
};

/* Publish a thread's running totals. */
void
sim_counters_add(struct sim_counters *c, const uint64_t *totals)
{
	int	 i;

	for (i = 0; i < SIM_C_COUNT; i++)
		atomic_store_explicit(&c->c[i], totals[i],
		    memory_order_relaxed);
}

/* Add one thread's counters to out. */
void
sim_counters_sum(const struct sim_counters *c, uint64_t *out)
{
	int	 i;

	for (i = 0; i < SIM_C_COUNT; i++)
		out[i] += atomic_load_explicit(&c->c[i], memory_order_relaxed);
}

/*
 * One line: every counter as name=value, the run's length, its average
 * responses/s, and the responses/s over the recent interval (since the
 * previous report: recent_answered responses in recent_s seconds).
 */
void
sim_stats_report(FILE *f, const uint64_t *c, double elapsed,
    uint64_t recent_answered, double recent_s)
{
	int	 i;

	fprintf(f, "%s:", SIM_PROGRAM);
	for (i = 0; i < SIM_C_COUNT; i++)
		fprintf(f, " %s=%" PRIu64, sim_counter_names[i], c[i]);
	fprintf(f, " elapsed=%.3f responses_per_s=%.0f recent_per_s=%.0f\n",
	    elapsed, elapsed > 0 ? (double)c[SIM_C_ANSWERED] / elapsed : 0.0,
	    recent_s > 0 ? (double)recent_answered / recent_s : 0.0);
	fflush(f);
}
