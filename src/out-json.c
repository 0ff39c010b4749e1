/*
 * out-json.c — jsonl: one JSON object per target per poll, values typed
 * (numbers as numbers, Counter64 exact), always valid JSON.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* {"oid":"1.3...","name":"sysName.0","type":"STRING","value":"x"} */
static void
out_json_varbind(struct buf *b, const netsnmp_variable_list *v)
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
	buf_addc(b, '}');
}

/* "values": every GET and walk value, in plan order. */
static void
out_json_values(struct buf *b, const struct result *r)
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
			out_json_varbind(b, v);
		}
	}
	buf_addc(b, ']');
}

struct out_row {
	struct buf	index;
	struct buf	fields;
};

/* The rows of one walked table, in the order their indexes first
 * appear; an index -> row hash keeps it linear in the table's size. */
static void
out_json_table(struct buf *b, const struct result_part *part)
{
	const struct plan_item		*item = part->item;
	const netsnmp_variable_list	*v;
	struct out_row			*rows = NULL;
	size_t				*hash = NULL, nrows = 0, cap = 0, hcap = 0;
	size_t				 i, h, col, skip, mark;
	struct buf			 idx;

	buf_init(&idx);
	skip = item->oid.len + (item->entry ? 0 : 1);
	for (v = part->vars; v != NULL; v = v->next_variable) {
		if (value_is_exception(v->type) || v->name_length <= skip + 1)
			continue;
		col = skip;
		idx.len = 0;
		oid_format(v->name + col + 1, v->name_length - col - 1, &idx);
		if (nrows * 2 >= hcap) {	/* grow and rehash */
			hcap = hcap ? hcap * 2 : 64;
			free(hash);
			hash = xcalloc(hcap, sizeof *hash);
			for (i = 0; i < nrows; i++) {
				h = inventory_hash_bytes(rows[i].index.data,
				    rows[i].index.len) & (hcap - 1);
				while (hash[h] != 0)
					h = (h + 1) & (hcap - 1);
				hash[h] = i + 1;
			}
		}
		h = inventory_hash_bytes(idx.data, idx.len) & (hcap - 1);
		while (hash[h] != 0 && (rows[hash[h] - 1].index.len != idx.len ||
		    memcmp(rows[hash[h] - 1].index.data, idx.data, idx.len) != 0))
			h = (h + 1) & (hcap - 1);
		if (hash[h] == 0) {
			if (nrows == cap) {
				cap = cap ? cap * 2 : 16;
				rows = xreallocarray(rows, cap, sizeof *rows);
			}
			buf_init(&rows[nrows].index);
			buf_add(&rows[nrows].index, idx.data, idx.len);
			buf_init(&rows[nrows].fields);
			hash[h] = ++nrows;
		}
		i = hash[h] - 1;
		buf_addc(&rows[i].fields, ',');
		buf_addc(&rows[i].fields, '"');
		mark = rows[i].fields.len;
		if (names_describe(v->name, col + 1, &rows[i].fields) != 0 ||
		    strchr(rows[i].fields.data + mark, '.') != NULL) {
			rows[i].fields.len = mark;
			buf_add_u64(&rows[i].fields, v->name[col]);
		}
		buf_adds(&rows[i].fields, "\":");
		value_json_bare(v, &rows[i].fields);
	}
	buf_addc(b, '[');
	for (i = 0; i < nrows; i++) {
		if (i != 0)
			buf_addc(b, ',');
		buf_adds(b, "{\"index\":");
		json_string(b, rows[i].index.data, rows[i].index.len);
		buf_add(b, rows[i].fields.data, rows[i].fields.len);
		buf_addc(b, '}');
		buf_free(&rows[i].index);
		buf_free(&rows[i].fields);
	}
	buf_addc(b, ']');
	free(rows);
	free(hash);
	buf_free(&idx);
}

/* "tables": {"ifTable": [rows], ...} when the plan has tables. */
static void
out_json_tables(struct buf *b, const struct result *r)
{
	const struct plan_item	*item;
	size_t			 i, mark;
	bool			 first = true;

	for (i = 0; i < r->nparts; i++) {
		item = r->parts[i].item;
		if (item->kind != ITEM_TABLE)
			continue;
		buf_adds(b, first ? ",\"tables\":{\"" : ",\"");
		first = false;
		mark = b->len;
		if (names_describe(item->oid.v, item->oid.len, b) != 0 ||
		    strchr(b->data + mark, '.') != NULL) {
			b->len = mark - 1;
			json_string(b, item->text, strlen(item->text));
		} else
			buf_addc(b, '"');
		buf_addc(b, ':');
		out_json_table(b, &r->parts[i]);
	}
	if (!first)
		buf_addc(b, '}');
}

static void
out_json_tags(struct buf *b, const struct target_params *p)
{
	size_t	i;

	if (p->ntags == 0)
		return;
	buf_adds(b, ",\"tags\":{");
	for (i = 0; i < p->ntags; i++) {
		if (i != 0)
			buf_addc(b, ',');
		json_string(b, p->tags[2 * i], strlen(p->tags[2 * i]));
		buf_addc(b, ':');
		json_string(b, p->tags[2 * i + 1], strlen(p->tags[2 * i + 1]));
	}
	buf_addc(b, '}');
}

static void
out_json_record(struct buf *b, const struct target *t, const struct result *r)
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
	out_json_values(b, r);
	out_json_tables(b, r);
	out_json_tags(b, t->params);
	buf_adds(b, "}\n");
}

const struct out_format out_jsonl = { "jsonl", NULL, out_json_record };
