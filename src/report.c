/*
 * report.c — how a run went: the summary line (for main.c to print) and the
 * --stats-file JSON for alerting, replaced atomically so a reader never
 * sees half of it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"

/* The word for a change event, as --changes, the summary and the
 * stats file show it. */
const char *
report_event_name(enum rates_event e)
{
	static const char *const names[RATES_NEVENTS] = {
		"appeared", "vanished", "recovered", "rebooted", "changed"
	};

	return (unsigned)e < RATES_NEVENTS ? names[e] : "unknown";
}

/* The one-line summary, into b (main.c prints it). */
void
report_summary(const struct report *r, struct buf *b)
{
	const struct stats	*st = &r->st;
	uint64_t		 left = r->targets - st->targets_done;
	const char		*sep;
	unsigned		 i;

	buf_printf(b, "%s%llu targets: %llu ok, %llu timeout, %llu error",
	    r->signo ? "interrupted: " : "", (unsigned long long)r->targets,
	    (unsigned long long)st->ok, (unsigned long long)st->timeout,
	    (unsigned long long)st->error);
	if (st->deadline != 0)
		buf_printf(b, ", %llu deadline",
		    (unsigned long long)st->deadline);
	if (left != 0)
		buf_printf(b, ", %llu not finished", (unsigned long long)left);
	buf_printf(b, " in %.3f s; %llu requests (%.0f/s), %llu retries",
	    r->wall, (unsigned long long)st->requests,
	    r->wall > 0 ? (double)st->requests / r->wall : 0,
	    (unsigned long long)st->retries);
	if (st->responses != 0)
		buf_printf(b, "; rtt p50 %.3f ms, p95 %.3f ms, p99 %.3f ms",
		    stats_percentile(st, 50), stats_percentile(st, 95),
		    stats_percentile(st, 99));
	if (st->window > 0)
		buf_printf(b, "; window %lld", (long long)st->window);
	if (st->kernel_drops != 0)
		buf_printf(b, "; %llu kernel drops",
		    (unsigned long long)st->kernel_drops);
	if (r->procs > 1)
		buf_printf(b, "; %u workers", r->procs);
	if (r->duplicates != 0)
		buf_printf(b, "; %llu duplicate target%s dropped",
		    (unsigned long long)r->duplicates,
		    r->duplicates == 1 ? "" : "s");
	for (i = 0, sep = "; "; i < RATES_NEVENTS; i++) {
		if (r->events[i] == 0)
			continue;
		buf_printf(b, "%s%llu %s", sep,
		    (unsigned long long)r->events[i], report_event_name(i));
		sep = ", ";
	}
}

/*
 * Replace path with data: write a temporary file in the same directory,
 * then rename(2) it into place.
 */
int
report_replace_file(const char *path, const char *data, size_t len,
    char **cause)
{
	char	*tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int	 fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	if (rc == 0 && rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* The run as JSON, for --stats-file. */
int
report_stats_file(const struct report *r, const char *path, char **cause)
{
	const struct stats	*st = &r->st;
	struct buf		 b;
	char			 when[40];
	uint64_t		 start = r->start_wall_ns;
	unsigned		 i;
	int			 rc;

	clock_iso8601(when, sizeof when, &start);
	buf_init(&b);
	buf_printf(&b, "{\"start\":\"%s\",\"duration_s\":%.3f,"
	    "\"targets\":%llu,\"duplicates\":%llu,\"status\":{\"ok\":%llu,\"timeout\":%llu,"
	    "\"error\":%llu,\"deadline\":%llu,\"not_finished\":%llu},"
	    "\"requests\":%llu,\"responses\":%llu,\"retries\":%llu,"
	    "\"window\":%lld,\"kernel_drops\":%llu,"
	    "\"rtt_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p95\":%.3f,\"p99\":%.3f},"
	    "\"interrupted\":%s,\"workers\":%u,\"torn\":%llu,"
	    "\"output_error\":%s%s%s,\"exit_status\":%d}\n",
	    when, r->wall, (unsigned long long)r->targets,
	    (unsigned long long)r->duplicates,
	    (unsigned long long)st->ok, (unsigned long long)st->timeout,
	    (unsigned long long)st->error, (unsigned long long)st->deadline,
	    (unsigned long long)(r->targets - st->targets_done),
	    (unsigned long long)st->requests,
	    (unsigned long long)st->responses,
	    (unsigned long long)st->retries, (long long)st->window,
	    (unsigned long long)st->kernel_drops, stats_percentile(st, 50),
	    stats_percentile(st, 90), stats_percentile(st, 95),
	    stats_percentile(st, 99), r->signo ? "true" : "false", r->procs,
	    (unsigned long long)r->torn, r->out_errno ? "\"" : "",
	    r->out_errno ? strerror(r->out_errno) : "null",
	    r->out_errno ? "\"" : "", r->exit_status);
	if (r->changes) {	/* ,"events":{...} before the closing brace */
		b.len -= 2;
		for (i = 0; i < RATES_NEVENTS; i++)
			buf_printf(&b, "%s\"%s\":%llu", i ? "," : ",\"events\":{",
			    report_event_name(i),
			    (unsigned long long)r->events[i]);
		buf_adds(&b, "}}\n");
	}
	rc = report_replace_file(path, b.data, b.len, cause);
	buf_free(&b);
	return rc;
}
