/*
 * out-field.c — what every record format shows alike: the host, status
 * names.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* The host as records show it: the address (or name), with ":port" when
 * the port is not the run's default ("[v6]:port" for IPv6). */
void
out_host(const struct target *t, struct buf *b)
{
	if (t->default_port) {
		buf_adds(b, t->host);
		return;
	}
	if (t->addr.ss_family == AF_INET6 && strchr(t->host, ':') != NULL)
		buf_printf(b, "[%s]:%u", t->host, t->port);
	else
		buf_printf(b, "%s:%u", t->host, t->port);
}

const char *
out_status_name(enum result_status s)
{
	switch (s) {
	case RES_OK:
		return "ok";
	case RES_TIMEOUT:
		return "timeout";
	case RES_DEADLINE:
		return "deadline";
	case RES_ERROR:
	default:
		return "error";
	}
}
