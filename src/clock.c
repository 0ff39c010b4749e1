/*
 * clock.c — the monotonic clock for timing and the wall clock for record
 * timestamps.
 */
#include "config.h"

#include <string.h>
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
	static time_t	cached_sec = -1;
	static char	cached[24];	/* "2026-11-27T01:02:03" */
	struct timespec	ts;
	struct tm	tm;
	time_t		sec;
	unsigned	ms;

	if (*ns == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	sec = (time_t)(*ns / 1000000000u);
	if (sec != cached_sec) {	/* one gmtime per second, not per record */
		gmtime_r(&sec, &tm);
		strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	ms = (unsigned)(*ns % 1000000000u / 1000000u);
	if (size < 25)
		return;
	memcpy(out, cached, 19);
	out[19] = '.';
	out[20] = (char)('0' + ms / 100);
	out[21] = (char)('0' + ms / 10 % 10);
	out[22] = (char)('0' + ms % 10);
	out[23] = 'Z';
	out[24] = '\0';
}
