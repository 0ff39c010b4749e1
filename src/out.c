/*
 * out.c — what the record formats share: the format table, how a host is
 * shown, status names.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* The record formats, indexed by enum format_id: the one list of their
 * names (--format reads it through out_find_name). */
static const struct out_format *const out_formats[] = {
	[FMT_TEXT] = &out_text,
	[FMT_JSONL] = &out_jsonl,
	[FMT_CSV] = &out_csv,
	[FMT_INFLUX] = &out_influx,
	[FMT_PROM] = &out_prom,
};
#define OUT_NFORMATS	(sizeof out_formats / sizeof out_formats[0])

/* The format f (text for a value out of range). */
const struct out_format *
out_find(enum format_id f)
{
	if ((size_t)f >= OUT_NFORMATS)
		return &out_text;
	return out_formats[f];
}

/* The format called name into *f: 0, or -1 if there is none. */
int
out_find_name(const char *name, enum format_id *f)
{
	size_t	i;

	for (i = 0; i < OUT_NFORMATS; i++) {
		if (strcmp(out_formats[i]->name, name) == 0) {
			*f = (enum format_id)i;
			return 0;
		}
	}
	return -1;
}

/* The formats' names as a message lists them: "text, jsonl, ... or prom". */
void
out_names(struct buf *b)
{
	size_t	i;

	for (i = 0; i < OUT_NFORMATS; i++) {
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == OUT_NFORMATS ?
		    " or " : ", ", out_formats[i]->name);
	}
}

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
