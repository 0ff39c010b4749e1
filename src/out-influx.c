/*
 * out-influx.c — InfluxDB line protocol: one line per target per poll in
 * measurement "snmp" (tags host, port and the inventory's tag.NAME keys;
 * fields status, rtt_ms, retries and one per value, named like
 * "sysUpTime.0"), one line per table row in "snmp_<table>" (snmp_ifTable)
 * tagged with the row's index (index=, and decoded by the MIB's INDEX
 * into tags named after its objects: ifIndex=3) and the lookups
 * (--label ifName: ifName=eth0), with one field per other column (an
 * INDEX object readable as a column, such as ifIndex, is a tag only).
 * Integers carry "i" ("u" above 2^63-1; with --influx-unsigned, "u" for
 * every unsigned SNMP type), Opaque floats are floats, strings are
 * quoted, timestamps are nanoseconds.  Line protocol has no NaN or Inf:
 * such a Float or Double is left out (the target's line always keeps
 * status).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* A run's own: the plan (lookups) and the lookups' tag keys. */
struct influx_state {
	const struct fetch_plan	 *plan;
	const char		**label_names;	/* the MIB's names */
	bool			 *label_mac;
	bool			  unsig;	/* --influx-unsigned */
};

/* A row's index tags being written (mib_index_decode's callback). */
struct influx_row {
	struct buf	*b;
};

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
 * field; counts it in *nfields.  Unsigned SNMP types take "u" if unsig,
 * else "i" (InfluxDB 1.x knows no "u"), past 2^63-1 "u" either way. */
static void
out_influx_field(struct buf *b, const char *key, size_t keylen,
    const netsnmp_variable_list *v, struct buf *tmp, size_t *nfields,
    bool unsig)
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
		is_unsigned = unsig;
		break;
	case ASN_COUNTER64:
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_COUNTER64:
	case ASN_OPAQUE_U64:
#endif
		/* above 2^63-1 only an unsigned field can hold it */
		is_unsigned = unsig || v->val.counter64->high >= 0x80000000u;
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

/* One INDEX value as a tag named after its object (none if empty:
 * line protocol has no empty tag value). */
static void
out_influx_index_tag(void *arg, const struct mib_index_part *p,
    const char *text, size_t n)
{
	struct influx_row	*row = arg;

	if (n == 0)
		return;
	buf_addc(row->b, ',');
	out_influx_escape(row->b, p->name, strlen(p->name), true);
	buf_addc(row->b, '=');
	out_influx_escape(row->b, text, n, true);
}

/* The tags of the row whose cells' instance is index (len arcs): the
 * index decoded by spec (if known), and its lookups (l, nl).  True if
 * the index tags are there. */
static bool
out_influx_row_tags(const struct influx_state *st, struct buf *b,
    const struct mib_index_spec *spec, const oid *index, size_t len,
    const struct out_lookup *l, size_t nl, struct buf *tmp)
{
	const struct out_lookup	*hit;
	struct influx_row	 row;
	size_t			 mark = b->len;
	bool			 decoded = false;

	row.b = b;
	if (spec != NULL && !(decoded = mib_index_decode(spec, index, len,
	    out_influx_index_tag, &row) == 0))
		b->len = mark;	/* not what the INDEX says: index= only */
	for (hit = nl != 0 ? out_lookup_find(l, nl, index, len) : NULL;
	    hit != NULL && hit < l + nl &&
	    snmp_oid_compare(hit->index, hit->len, index, len) == 0; hit++) {
		tmp->len = 0;
		if ((!out_lookup_text(hit->v, st->label_mac[hit->li], tmp) &&
		    !value_number(hit->v, tmp)) || tmp->len == 0)
			continue;
		buf_addc(b, ',');
		out_influx_escape(b, st->label_names[hit->li],
		    strlen(st->label_names[hit->li]), true);
		buf_addc(b, '=');
		out_influx_escape(b, tmp->data, tmp->len, true);
	}
	return decoded;
}

/* Is key (n bytes) the name of one of spec's INDEX objects? */
static bool
out_influx_is_index(const struct mib_index_spec *spec, const char *key,
    size_t n)
{
	size_t	i;

	for (i = 0; i < spec->n; i++)
		if (strncmp(spec->part[i].name, key, n) == 0 &&
		    spec->part[i].name[n] == '\0')
			return true;
	return false;
}

/* The INDEX of the table whose column v is a cell of (into *spec, with
 * *collen the column's OID length): false if no MIB knows it. */
static bool
out_influx_spec(const netsnmp_variable_list *v, struct mib_index_spec *spec,
    size_t *collen)
{
	struct mib_obj	o;

	return mib_find_oid(v->name, v->name_length, &o, collen) == 0 &&
	    o.row->kind == MIB_K_COLUMN && *collen < v->name_length &&
	    mib_index_spec(&o, spec) == 0;
}

/* The lines of one table's rows: "snmp_TABLE,tags,index=..,INDEX tags,
 * lookup tags fields", lookup columns left out of the fields. */
static void
out_influx_rows(const struct influx_state *st, struct buf *b,
    const struct target *t, const struct result *r,
    const struct result_part *part, const struct out_lookup *l, size_t nl,
    struct buf *tmp)
{
	struct table_rows	 rows;
	struct table_row	*row;
	struct mib_index_spec	 spec;
	struct buf		 name, key;
	const netsnmp_variable_list *v;
	size_t			 k, c, mark, nfields, collen = 0;
	bool			 known = false, decoded = false;

	buf_init(&name);
	buf_init(&key);
	table_name(part->item, &name);
	table_rows_build(&rows, part);
	for (k = 0; k < rows.nrows; k++) {
		row = &rows.rows[k];
		if (row->ncells == 0)
			continue;
		v = row->cells[0].v;
		if (k == 0 && !(known = out_influx_spec(v, &spec, &collen)))
			collen = part->item->oid.len + 2;	/* entry.col */
		mark = b->len;
		buf_adds(b, "snmp_");
		out_influx_escape(b, name.data, name.len, false);
		out_influx_tags(b, t);
		buf_adds(b, ",index=");
		out_influx_escape(b, row->index.data, row->index.len, true);
		decoded = collen != 0 && collen < v->name_length &&
		    out_influx_row_tags(st, b, known ? &spec : NULL,
		    v->name + collen, v->name_length - collen, l, nl, tmp);
		buf_addc(b, ' ');
		nfields = 0;
		for (c = 0; c < row->ncells; c++) {
			v = row->cells[c].v;
			if (out_lookup_column(st->plan, v) < st->plan->nlabels)
				continue;	/* a lookup is a tag only */
			key.len = 0;
			table_column_name(part->item, row->cells[c].col, &key);
			if (decoded && out_influx_is_index(&spec, key.data,
			    key.len))
				continue;	/* a tag already (ifIndex) */
			out_influx_field(b, key.data, key.len, v, tmp,
			    &nfields, st->unsig);
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
	const struct influx_state	*st = fmt->state;
	const netsnmp_variable_list	*v;
	struct out_lookup		*l;
	struct buf			 tmp, key;
	size_t				 i, nl, nfields = 1;	/* status */

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
			if (out_lookup_column(st->plan, v) < st->plan->nlabels)
				continue;	/* walked for row tags only */
			key.len = 0;
			if (names_describe(v->name, v->name_length, &key) != 0)
				oid_format(v->name, v->name_length, &key);
			out_influx_field(b, key.data, key.len, v, &tmp,
			    &nfields, st->unsig);
			if (fmt->rates != NULL)
				out_influx_rate(fmt, b, &key, v, &tmp);
		}
	}
	buf_addc(b, ' ');
	buf_add_u64(b, r->done_ns);
	buf_addc(b, '\n');
	l = out_lookups(st->plan, r, &nl);
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE)
			out_influx_rows(st, b, t, r, &r->parts[i], l, nl,
			    &tmp);
	}
	free(l);
	buf_free(&tmp);
	buf_free(&key);
}

static int
out_influx_open(struct out_format *fmt, const struct fetch_plan *plan,
    char **cause)
{
	struct influx_state	*st = xcalloc(1, sizeof *st);
	size_t			 i;

	(void)cause;
	st->plan = plan;
	st->unsig = plan->influx_unsigned;
	st->label_names = xcalloc(plan->nlabels + 1, sizeof *st->label_names);
	st->label_mac = xcalloc(plan->nlabels + 1, sizeof *st->label_mac);
	for (i = 0; i < plan->nlabels; i++)
		st->label_names[i] = out_lookup_name(plan, i,
		    &st->label_mac[i]);
	fmt->state = st;
	return 0;
}

static void
out_influx_close(struct out_format *fmt)
{
	struct influx_state	*st = fmt->state;

	if (st == NULL)
		return;
	free(st->label_names);
	free(st->label_mac);
	free(st);
	fmt->state = NULL;
}

const struct out_format out_influx = {
	.name = "influx",
	.open = out_influx_open,
	.close = out_influx_close,
	.record = out_influx_record,
};
