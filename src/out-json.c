/*
 * out-json.c — jsonl: one JSON object per target per poll, values typed
 * (numbers as numbers, Counter64 exact), always valid JSON; table rows
 * with meaning (rows.c: decoded indexes, joined tables, lookups).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* {"oid":"1.3...","name":"sysName.0","type":"STRING","value":"x"}, with
 * what the value means (mib-value.c's "enum", "display", "seconds",
 * "units"...), and with --state a counter's delta and rate (rates.c's) */
static void
out_json_varbind(const struct out_format *fmt, struct buf *b,
    const netsnmp_variable_list *v)
{
	size_t	mark;

	buf_adds(b, "{\"oid\":\"");
	oid_format(v->name, v->name_length, b);
	buf_adds(b, "\",\"name\":\"");
	mark = b->len;
	if (names_describe(v->name, v->name_length, b) != 0) {
		b->len = mark - 1;
		buf_adds(b, "null");
	} else
		buf_addc(b, '"');
	buf_addc(b, ',');
	value_json(v, b);
	mib_value_json(v, b);
	if (fmt->rates != NULL)
		rates_json(fmt->rates, v, b, NULL, 0);
	buf_addc(b, '}');
}

/* "values": every GET and walk value, in plan order (a walk there only
 * for a lookup shows in the rows instead). */
static void
out_json_values(const struct out_format *fmt, struct buf *b,
    const struct result *r)
{
	const struct rows_plan		*rp = fmt->state;
	const netsnmp_variable_list	*v;
	size_t				 i;
	bool				 first = true;

	buf_adds(b, ",\"values\":[");
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE ||
		    (rp != NULL && rp->label_only[i]))
			continue;
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			if (!first)
				buf_addc(b, ',');
			first = false;
			out_json_varbind(fmt, b, v);
		}
	}
	buf_addc(b, ']');
}

/* A row being written (rows_each's and rows_index's callbacks). */
struct json_row {
	const struct out_format		*fmt;
	const struct rows_record	*rr;
	struct buf			*b;
	struct buf			 name;
	bool				 first;
};

/* ,"NAME":VALUE: one INDEX object's value. */
static void
out_json_index_cb(void *arg, const struct mib_index_part *p,
    enum mib_show show, const char *text, size_t n)
{
	struct buf	*b = ((struct json_row *)arg)->b;

	buf_addc(b, ',');
	json_string(b, p->name, strlen(p->name));
	buf_addc(b, ':');
	if (show == MIB_SHOW_NUMBER)
		buf_add(b, text, n);
	else if (show == MIB_SHOW_TEXT)
		json_string(b, text, n);
	else {
		buf_adds(b, "{\"hex\":");
		json_string(b, text, n);
		buf_addc(b, '}');
	}
}

/* One table row's cells, but those the index showed (decoded, columns
 * of g's INDEX); with --state a counter column's delta and rate after
 * it ("ifHCInOctets_rate"). */
static void
out_json_cells(struct json_row *jr, const struct rows_group *g,
    const struct plan_item *item, const struct table_row *row, bool decoded)
{
	struct buf	*b = jr->b, *name = &jr->name;
	size_t		 k;

	for (k = 0; k < row->ncells; k++) {
		name->len = 0;
		table_column_name(item, row->cells[k].col, name);
		if (decoded && rows_index_column(g, name->data, name->len))
			continue;
		buf_addc(b, ',');
		json_string(b, name->data, name->len);
		buf_addc(b, ':');
		value_json_bare(row->cells[k].v, b);
		if (jr->fmt->rates != NULL)
			rates_json(jr->fmt->rates, row->cells[k].v, b,
			    name->data, name->len);
	}
}

/* {"index":"1","ifIndex":1,"ifDescr":"eth0",...,"ifName":"eth0"}: the
 * raw index, its INDEX objects' values, each joined table's cells, the
 * lookups the row does not have already. */
static void
out_json_row(void *arg, const struct rows_row *row)
{
	struct json_row			*jr = arg;
	const struct rows_plan		*rp = jr->rr->rp;
	const struct rows_group		*g = row->group;
	const netsnmp_variable_list	*v;
	struct buf			*b = jr->b;
	size_t				 k, mark;
	bool				 decoded;

	buf_adds(b, jr->first ? "{\"index\":" : ",{\"index\":");
	jr->first = false;
	json_string(b, row->index->data, row->index->len);
	mark = b->len;
	if (!(decoded = rows_index(row, out_json_index_cb, jr) == 0))
		b->len = mark;
	for (k = 0; k < g->n; k++) {
		if (row->cells[k] != NULL)
			out_json_cells(jr, g, &rp->plan->items[g->items[k]],
			    row->cells[k], decoded);
	}
	for (k = 0; k < rp->plan->nlabels; k++) {
		if (rows_label_own(rp, g, k) || rows_index_column(g,
		    rp->label_names[k], strlen(rp->label_names[k])) ||
		    (v = rows_lookup(jr->rr, row, k)) == NULL)
			continue;
		buf_addc(b, ',');
		json_string(b, rp->label_names[k], strlen(rp->label_names[k]));
		buf_addc(b, ':');
		value_json_bare(v, b);
	}
	buf_addc(b, '}');
}

/* "tables": {"ifTable": [rows], ...} when the plan has tables; tables
 * joined (the same INDEX) under the first one's name. */
static void
out_json_tables(const struct out_format *fmt, struct buf *b,
    const struct result *r)
{
	const struct rows_plan	*rp = fmt->state;
	struct rows_record	 rr;
	struct json_row		 jr;
	size_t			 g;

	if (rp == NULL || rp->ngroups == 0)
		return;
	rows_record_init(&rr, rp, r);
	jr.fmt = fmt;
	jr.rr = &rr;
	jr.b = b;
	buf_init(&jr.name);
	for (g = 0; g < rp->ngroups; g++) {
		buf_adds(b, g == 0 ? ",\"tables\":{" : ",");
		jr.name.len = 0;
		table_name(&rp->plan->items[rp->groups[g].items[0]], &jr.name);
		json_string(b, jr.name.data, jr.name.len);
		buf_adds(b, ":[");
		jr.first = true;
		rows_each(&rr, g, out_json_row, &jr);
		buf_addc(b, ']');
	}
	buf_addc(b, '}');
	buf_free(&jr.name);
	rows_record_free(&rr);
}

static int
out_json_open(struct out_format *fmt, const struct fetch_plan *plan,
    char **cause)
{
	struct rows_plan	*rp = xcalloc(1, sizeof *rp);

	(void)cause;
	rows_plan_init(rp, plan);
	fmt->state = rp;
	return 0;
}

static void
out_json_close(struct out_format *fmt)
{
	if (fmt->state != NULL)
		rows_plan_free(fmt->state);
	free(fmt->state);
	fmt->state = NULL;
}

static void
out_json_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	char		when[40];
	uint64_t	ns = r->done_ns;

	clock_iso8601(when, sizeof when, &ns);
	buf_adds(b, "{\"time\":\"");
	buf_adds(b, when);
	buf_adds(b, "\",\"host\":");
	json_string(b, t->host, strlen(t->host));
	buf_adds(b, ",\"port\":");
	buf_add_u64(b, t->port);
	buf_adds(b, ",\"status\":\"");
	buf_adds(b, out_status_name(r->status));
	buf_addc(b, '"');
	if (r->status == RES_ERROR) {
		buf_adds(b, ",\"error\":");
		json_string(b, r->error ? r->error : "unknown",
		    strlen(r->error ? r->error : "unknown"));
	}
	buf_adds(b, ",\"rtt_ms\":");
	if (r->rtt_ns != 0)
		buf_add_ms(b, r->rtt_ns);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"retries\":");
	buf_add_u64(b, r->retries);
	out_json_values(fmt, b, r);
	out_json_tables(fmt, b, r);
	json_tags(b, t->params);
	buf_adds(b, "}\n");
}

const struct out_format out_jsonl = {
	.name = "jsonl",
	.open = out_json_open,
	.close = out_json_close,
	.record = out_json_record,
};
