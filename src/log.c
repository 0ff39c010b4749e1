/*
 * log.c — messages for people: standard error always, syslog too with
 * --syslog (for cron and systemd timers, where stderr may go nowhere).
 */
#include "config.h"

#include <syslog.h>

#include "snmpfleet.h"

static bool	log_syslog;

void
log_open(bool use_syslog)
{
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("snmpfleet", LOG_PID, LOG_DAEMON);
}

/* "snmpfleet: <message>" on stderr, and at priority prio in syslog. */
void
log_msg(int prio, const char *fmt, ...)
{
	va_list	ap;

	fputs("snmpfleet: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (log_syslog) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
	}
}

/* A message that already carries its own prefix (FILE:LINE: ...). */
void
log_raw(int prio, const char *text)
{
	fprintf(stderr, "%s\n", text);
	if (log_syslog)
		syslog(prio, "%s", text);
}
