/*
 * out-influx.c — InfluxDB line protocol: one line per target per poll in
 * measurement "snmp" (tags host, port and the inventory's tag.NAME keys;
 * fields status, rtt_ms, retries and one per value, named like
 * "sysUpTime.0"), one line per table row in "snmp_<table>" with an index
 * tag.  Integers carry "i" ("u" above 2^63-1), strings are quoted,
 * timestamps are nanoseconds.  Line protocol has no NaN or Inf: such a
 * Float or Double is left out (the target's line always keeps status).
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* Append s escaped for a measurement (spaces, commas), or for a tag key,
 * tag value or field key (also '='); control characters become spaces,
 * which line protocol cannot carry. */
static void
out_influx_escape(struct buf *b, const char *s, size_t n, bool key)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == ',' || s[i] == ' ' || (key && (s[i] == '=' ||
		    s[i] == '\\')))
			buf_addc(b, '\\');
		buf_addc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	}
}

/* A string field value: quotes and backslashes escaped. */
static void
out_influx_string(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(b, '\\');
		buf_addc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	}
	buf_addc(b, '"');
}

static void
out_influx_tags(struct buf *b, const struct target *t)
{
	const struct target_params	*p = t->params;
	size_t				 i;

	buf_adds(b, ",host=");
	out_influx_escape(b, t->host, strlen(t->host), true);
	buf_printf(b, ",port=%u", t->port);
	for (i = 0; i < p->ntags; i++) {
		if (*p->tags[2 * i] == '\0' || *p->tags[2 * i + 1] == '\0')
			continue;	/* empty tags are not allowed */
		buf_addc(b, ',');
		out_influx_escape(b, p->tags[2 * i], strlen(p->tags[2 * i]),
		    true);
		buf_addc(b, '=');
		out_influx_escape(b, p->tags[2 * i + 1],
		    strlen(p->tags[2 * i + 1]), true);
	}
}

/* Append "key=value" for v (nothing for NULL, exceptions, and floats
 * that are NaN or infinite), after a comma unless it is the line's first
 * field; counts it in *nfields. */
static void
out_influx_field(struct buf *b, const char *key, size_t keylen,
    const netsnmp_variable_list *v, struct buf *tmp, size_t *nfields)
{
	bool	is_string = false, is_unsigned = false, is_float = false;

	if (value_nonfinite(v) != NULL)
		return;		/* line protocol has no NaN or Inf */
	tmp->len = 0;
	value_plain(v, tmp);
	switch (v->type) {
	case ASN_INTEGER:
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		break;
	case ASN_COUNTER64:
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_COUNTER64:
	case ASN_OPAQUE_U64:
#endif
		/* above 2^63-1 only an unsigned field can hold it */
		is_unsigned = v->val.counter64->high >= 0x80000000u;
		break;
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_FLOAT:
	case ASN_OPAQUE_DOUBLE:
		is_float = true;	/* never an i: always a float field */
		break;
#endif
	case ASN_OCTET_STR:
	case ASN_IPADDRESS:
	case ASN_OBJECT_ID:
	case ASN_OPAQUE:
	case ASN_BIT_STR:
		is_string = true;
		break;
	default:
		if (value_is_exception(v->type) || v->type == ASN_NULL ||
		    tmp->len == 0)
			return;
		is_string = strspn(buf_cstr(tmp), "0123456789-.e+") !=
		    tmp->len;
		break;
	}
	if ((*nfields)++ != 0)
		buf_addc(b, ',');
	out_influx_escape(b, key, keylen, true);
	buf_addc(b, '=');
	if (is_string)
		out_influx_string(b, tmp->data, tmp->len);
	else {
		buf_add(b, tmp->data, tmp->len);
		if (!is_float)
			buf_addc(b, is_unsigned ? 'u' : 'i');
	}
}

/* With --state, after a counter's field: KEY_delta=Ni,KEY_rate=R, or
 * KEY_reset="why" when there is no rate (rates.c's note). */
static void
out_influx_rate(const struct out_format *fmt, struct buf *b,
    const struct buf *key, const netsnmp_variable_list *v, struct buf *tmp)
{
	const struct state_delta	*d = rates_note(fmt->rates, v);

	if (d == NULL)
		return;
	tmp->len = 0;
	buf_add(tmp, key->data, key->len);
	buf_adds(tmp, d->reason == STATE_RATE ? "_delta" : "_reset");
	buf_addc(b, ',');
	out_influx_escape(b, tmp->data, tmp->len, true);
	if (d->reason != STATE_RATE) {
		buf_addc(b, '=');
		out_influx_string(b, state_reason_name(d->reason),
		    strlen(state_reason_name(d->reason)));
		return;
	}
	buf_printf(b, "=%llu%c,", (unsigned long long)d->delta,
	    d->delta > INT64_MAX ? 'u' : 'i');
	tmp->len = key->len;
	buf_adds(tmp, "_rate");
	out_influx_escape(b, tmp->data, tmp->len, true);
	buf_printf(b, "=%.12g", d->rate);
}

/* The line for one table row (fields after "snmp_TABLE,tags index=..") */
static void
out_influx_rows(struct buf *b, const struct target *t,
    const struct result *r, const struct result_part *part, struct buf *tmp)
{
	struct table_rows	 rows;
	struct table_row	*row;
	struct buf		 name, key;
	size_t			 k, c, mark, nfields;

	buf_init(&name);
	buf_init(&key);
	table_name(part->item, &name);
	table_rows_build(&rows, part);
	for (k = 0; k < rows.nrows; k++) {
		row = &rows.rows[k];
		mark = b->len;
		buf_adds(b, "snmp_");
		out_influx_escape(b, name.data, name.len, false);
		out_influx_tags(b, t);
		buf_adds(b, ",index=");
		out_influx_escape(b, row->index.data, row->index.len, true);
		buf_addc(b, ' ');
		nfields = 0;
		for (c = 0; c < row->ncells; c++) {
			key.len = 0;
			table_column_name(part->item, row->cells[c].col, &key);
			out_influx_field(b, key.data, key.len, row->cells[c].v,
			    tmp, &nfields);
		}
		if (nfields == 0) {	/* a line needs a field */
			b->len = mark;
			continue;
		}
		buf_addc(b, ' ');
		buf_add_u64(b, r->done_ns);
		buf_addc(b, '\n');
	}
	table_rows_free(&rows);
	buf_free(&name);
	buf_free(&key);
}

static void
out_influx_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	const netsnmp_variable_list	*v;
	struct buf			 tmp, key;
	size_t				 i, nfields = 1;	/* status */

	buf_init(&tmp);
	buf_init(&key);
	buf_adds(b, "snmp");
	out_influx_tags(b, t);
	buf_adds(b, " status=\"");
	buf_adds(b, out_status_name(r->status));
	buf_addc(b, '"');
	if (r->error != NULL) {
		buf_adds(b, ",error=");
		out_influx_string(b, r->error, strlen(r->error));
	}
	if (r->rtt_ns != 0) {
		buf_adds(b, ",rtt_ms=");
		buf_add_ms(b, r->rtt_ns);
	}
	buf_printf(b, ",retries=%ui", r->retries);
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE)
			continue;
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			key.len = 0;
			if (names_describe(v->name, v->name_length, &key) != 0)
				oid_format(v->name, v->name_length, &key);
			out_influx_field(b, key.data, key.len, v, &tmp,
			    &nfields);
			if (fmt->rates != NULL)
				out_influx_rate(fmt, b, &key, v, &tmp);
		}
	}
	buf_addc(b, ' ');
	buf_add_u64(b, r->done_ns);
	buf_addc(b, '\n');
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE)
			out_influx_rows(b, t, r, &r->parts[i], &tmp);
	}
	buf_free(&tmp);
	buf_free(&key);
}

const struct out_format out_influx = {
	.name = "influx",
	.record = out_influx_record,
};
