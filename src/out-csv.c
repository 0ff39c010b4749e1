/*
 * out-csv.c — CSV (RFC 4180): a header, then one line per varbind; a
 * target with no values is one line with the value columns empty.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* Append s as one CSV field, quoted when it needs to be. */
static void
out_csv_field(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	if (strcspn(s, ",\"\r\n") >= n) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

static void
out_csv_header(struct buf *b)
{
	buf_adds(b, "host,port,oid,name,type,value,status,rtt_ms\n");
}

static void
out_csv_line(struct buf *b, const struct target *t, const struct result *r,
    const netsnmp_variable_list *v, struct buf *tmp)
{
	out_csv_field(b, t->host, strlen(t->host));
	buf_addc(b, ',');
	buf_add_u64(b, t->port);
	buf_addc(b, ',');
	if (v != NULL) {
		oid_format(v->name, v->name_length, b);
		buf_addc(b, ',');
		names_describe(v->name, v->name_length, b);
		buf_addc(b, ',');
		buf_adds(b, value_type_name(v->type));
		buf_addc(b, ',');
		tmp->len = 0;
		value_plain(v, tmp);
		out_csv_field(b, buf_cstr(tmp), tmp->len);
	} else
		buf_adds(b, ",,,");
	buf_addc(b, ',');
	buf_adds(b, out_status_name(r->status));
	buf_addc(b, ',');
	if (r->rtt_ns != 0)
		buf_add_ms(b, r->rtt_ns);
	buf_addc(b, '\n');
}

static void
out_csv_record(struct buf *b, const struct target *t, const struct result *r)
{
	const netsnmp_variable_list	*v;
	struct buf			 tmp;
	size_t				 i, lines = 0;

	buf_init(&tmp);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			out_csv_line(b, t, r, v, &tmp);
			lines++;
		}
	}
	if (lines == 0 || r->status != RES_OK)
		out_csv_line(b, t, r, NULL, &tmp);
	buf_free(&tmp);
}

const struct out_format out_csv = { "csv", out_csv_header, out_csv_record };
