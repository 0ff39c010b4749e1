/*
 * log.c — messages for people: standard error always, syslog too with
 * --syslog (for cron and systemd timers, where stderr may go nowhere).
 * net-snmp's own messages (say "bad type returned" for a reply it cannot
 * decode) come here too, never straight to stderr.
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include "snmpfleet.h"

/* net-snmp messages shown per process at most: a hostile agent (or a
 * fleet of them) must not flood the terminal or syslog. */
#define LOG_NETSNMP_MAX		20

static bool		log_syslog;
static bool		log_netsnmp_quiet;
static unsigned		log_netsnmp_count;
static struct buf	log_netsnmp_line;	/* a message not yet ended */

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

/* One whole line from net-snmp, as "snmpfleet: net-snmp: ..." */
static void
log_netsnmp_emit(int prio, const char *line)
{
	if (prio >= LOG_DEBUG || *line == '\0')
		return;
	if (log_netsnmp_quiet && prio > LOG_CRIT)
		return;		/* -q: only what cannot wait */
	if (log_netsnmp_count == LOG_NETSNMP_MAX) {
		log_netsnmp_count++;
		log_msg(LOG_WARNING, "net-snmp: more messages; not shown");
	}
	if (log_netsnmp_count++ >= LOG_NETSNMP_MAX)
		return;
	log_msg(prio, "net-snmp: %s", line);
}

/* net-snmp's logging callback: messages may come in pieces, so a line is
 * shown once its newline arrives. */
static int
log_netsnmp_cb(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message	*m = server_arg;
	struct buf			*b = &log_netsnmp_line;
	const char			*s, *nl;

	if (m == NULL || m->msg == NULL)
		return 0;
	for (s = m->msg; *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL) {
			if (b->len < 1024)
				buf_add(b, s, strlen(s));
			break;
		}
		buf_add(b, s, (size_t)(nl - s));
		log_netsnmp_emit(m->priority, buf_cstr(b));
		b->len = 0;
	}
	return 0;
}

/*
 * Route net-snmp's logging through log_msg(): shown as "snmpfleet:
 * net-snmp: ...", to syslog too with --syslog, not at all with quiet
 * (-q) unless critical, debugging never, and at most LOG_NETSNMP_MAX
 * messages per process.  Call once, before net-snmp starts
 * (oid_init_netsnmp) and after log_open().
 */
void
log_netsnmp(bool quiet)
{
	log_netsnmp_quiet = quiet;
	buf_init(&log_netsnmp_line);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    log_netsnmp_cb, NULL);
	snmp_enable_calllog();
}
