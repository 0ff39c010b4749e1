/*
 * out-json.c — jsonl: one JSON object per target per poll, values typed
 * (numbers as numbers, Counter64 exact), always valid JSON.
 */
#include "config.h"

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

/* "values": every GET and walk value, in plan order. */
static void
out_json_values(const struct out_format *fmt, struct buf *b,
    const struct result *r)
{
	const netsnmp_variable_list	*v;
	size_t				 i;
	bool				 first = true;

	buf_adds(b, ",\"values\":[");
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE)
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

/* A table's rows: [{"index":"1","ifDescr":"eth0",...}, ...]; with
 * --state a counter column's delta and rate follow it
 * ("ifHCInOctets_rate"). */
static void
out_json_table(const struct out_format *fmt, struct buf *b,
    const struct result_part *part)
{
	struct table_rows	 t;
	struct table_row	*row;
	struct buf		 name;
	size_t			 i, k;

	buf_init(&name);
	table_rows_build(&t, part);
	buf_addc(b, '[');
	for (i = 0; i < t.nrows; i++) {
		row = &t.rows[i];
		buf_adds(b, i ? ",{\"index\":" : "{\"index\":");
		json_string(b, row->index.data, row->index.len);
		for (k = 0; k < row->ncells; k++) {
			name.len = 0;
			table_column_name(part->item, row->cells[k].col,
			    &name);
			buf_addc(b, ',');
			json_string(b, name.data, name.len);
			buf_addc(b, ':');
			value_json_bare(row->cells[k].v, b);
			if (fmt->rates != NULL)
				rates_json(fmt->rates, row->cells[k].v, b,
				    name.data, name.len);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	table_rows_free(&t);
	buf_free(&name);
}

/* "tables": {"ifTable": [rows], ...} when the plan has tables. */
static void
out_json_tables(const struct out_format *fmt, struct buf *b,
    const struct result *r)
{
	const struct plan_item	*item;
	struct buf		 name;
	size_t			 i;
	bool			 first = true;

	buf_init(&name);
	for (i = 0; i < r->nparts; i++) {
		item = r->parts[i].item;
		if (item->kind != ITEM_TABLE)
			continue;
		buf_adds(b, first ? ",\"tables\":{" : ",");
		first = false;
		name.len = 0;
		table_name(item, &name);
		json_string(b, name.data, name.len);
		buf_addc(b, ':');
		out_json_table(fmt, b, &r->parts[i]);
	}
	if (!first)
		buf_addc(b, '}');
	buf_free(&name);
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
	.record = out_json_record,
};
