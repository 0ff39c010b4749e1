/*
 * clock.c — the monotonic clock for timing and the wall clock for record
 * timestamps.
 */
#include "config.h"

#include <time.h>

#include "snmpfleet.h"

uint64_t
clock_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Write the wall-clock time as "2026-11-27T01:02:03.123Z" into out.  If
 * *ns is 0 the current time is taken and stored there; otherwise *ns
 * (nanoseconds since the epoch) is used.
 */
void
clock_iso8601(char *out, size_t size, uint64_t *ns)
{
	struct timespec	ts;
	struct tm	tm;
	time_t		sec;

	if (*ns == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	sec = (time_t)(*ns / 1000000000u);
	gmtime_r(&sec, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)(*ns % 1000000000u / 1000000u));
}
