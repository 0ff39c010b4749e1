/*
 * out-csv.c — CSV (RFC 4180).  For GETs and walks: a header, then one
 * line per varbind; a target with no values is one line with the value
 * columns empty.  For tables (-T, and then only tables): one line per
 * row with a column per field, the columns being the tables' built-in
 * columns, known before the first record.  With --state, GET and walk
 * lines end with delta,rate,reset (rates.c's note of a counter).
 */
#include "config.h"

#include <stdlib.h>
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

#define CSV_MAX_COLUMNS	256

/* A run's columns, known before the first record. */
struct csv_state {
	struct {
		const struct plan_item	*item;
		unsigned		 col;
		const char		*name;
	}		 cols[CSV_MAX_COLUMNS];
	size_t		 ncols;
	bool		 tables;	/* one line per table row */
};

/* The format not opened (out_csv itself): as for GETs and walks. */
static const struct csv_state csv_plain;

static const struct csv_state *
out_csv_state(const struct out_format *fmt)
{
	return fmt->state != NULL ? fmt->state : &csv_plain;
}

/* Tables in CSV need their columns up front: only built-in tables, and
 * no GETs or walks in the same run. */
static int
out_csv_open(struct out_format *fmt, const struct fetch_plan *plan,
    char **cause)
{
	struct csv_state	*st;
	const struct plan_item	*item;
	unsigned		 cols[CSV_MAX_COLUMNS];
	const char		*names[CSV_MAX_COLUMNS];
	size_t			 i, k, n;

	st = fmt->state = xcalloc(1, sizeof *st);
	for (i = 0; i < plan->nitems; i++)
		st->tables |= plan->items[i].kind == ITEM_TABLE;
	if (!st->tables)
		return 0;
	for (i = 0; i < plan->nitems; i++) {
		item = &plan->items[i];
		if (item->kind != ITEM_TABLE) {
			*cause = xstrdup("-F csv with -T takes only tables: "
			    "poll OIDs and walks in another run, or use "
			    "-F jsonl");
			return -1;
		}
		n = names_columns(item->oid.v, item->oid.len, item->entry,
		    cols, names, CSV_MAX_COLUMNS - st->ncols);
		if (n == 0) {
			*cause = xasprintf("-F csv needs the columns of table "
			    "'%s' before polling: use a built-in table "
			    "(see snmpfleet(1)) or -F jsonl", item->text);
			return -1;
		}
		for (k = 0; k < n; k++) {
			st->cols[st->ncols].item = item;
			st->cols[st->ncols].col = cols[k];
			st->cols[st->ncols++].name = names[k];
		}
	}
	return 0;
}

static void
out_csv_close(struct out_format *fmt)
{
	free(fmt->state);
	fmt->state = NULL;
}

static void
out_csv_header(const struct out_format *fmt, struct buf *b)
{
	const struct csv_state	*st = out_csv_state(fmt);
	size_t			 i;

	if (!st->tables) {
		buf_adds(b, "host,port,oid,name,type,value,status,rtt_ms");
		buf_adds(b, fmt->rates != NULL ? ",delta,rate,reset\n" : "\n");
		return;
	}
	buf_adds(b, "host,port,table,index");
	for (i = 0; i < st->ncols; i++) {
		buf_addc(b, ',');
		buf_adds(b, st->cols[i].name);
	}
	buf_adds(b, ",status,rtt_ms\n");
}

/* ,status,rtt_ms and the end of the line. */
static void
out_csv_status(struct buf *b, const struct result *r)
{
	buf_addc(b, ',');
	buf_adds(b, out_status_name(r->status));
	buf_addc(b, ',');
	if (r->rtt_ns != 0)
		buf_add_ms(b, r->rtt_ns);
}

static void
out_csv_tail(struct buf *b, const struct result *r)
{
	out_csv_status(b, r);
	buf_addc(b, '\n');
}

/* One line per table row; a target without rows still gets a line. */
static void
out_csv_tables(const struct csv_state *st, struct buf *b,
    const struct target *t, const struct result *r)
{
	struct table_rows	 rows;
	struct table_row	*row;
	struct buf		 tmp;
	size_t			 i, k, c, lines = 0;

	buf_init(&tmp);
	for (i = 0; i < r->nparts; i++) {
		table_rows_build(&rows, &r->parts[i]);
		for (k = 0; k < rows.nrows; k++) {
			row = &rows.rows[k];
			out_csv_field(b, t->host, strlen(t->host));
			buf_printf(b, ",%u,", t->port);
			tmp.len = 0;
			table_name(r->parts[i].item, &tmp);
			out_csv_field(b, buf_cstr(&tmp), tmp.len);
			buf_addc(b, ',');
			buf_add(b, row->index.data, row->index.len);
			for (c = 0; c < st->ncols; c++) {
				buf_addc(b, ',');
				if (st->cols[c].item != r->parts[i].item)
					continue;
				tmp.len = 0;
				for (size_t j = 0; j < row->ncells; j++) {
					if (row->cells[j].col == st->cols[c].col)
						value_plain(row->cells[j].v, &tmp);
				}
				out_csv_field(b, buf_cstr(&tmp), tmp.len);
			}
			out_csv_tail(b, r);
			lines++;
		}
		table_rows_free(&rows);
	}
	if (lines == 0) {
		out_csv_field(b, t->host, strlen(t->host));
		buf_printf(b, ",%u,,", t->port);
		for (c = 0; c < st->ncols; c++)
			buf_addc(b, ',');
		out_csv_tail(b, r);
	}
	buf_free(&tmp);
}

/* One varbind's line (v NULL: the target's line without a value);
 * with --state, its delta, rate and reset columns at the end. */
static void
out_csv_line(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r,
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
	out_csv_status(b, r);
	if (fmt->rates != NULL)
		rates_csv(fmt->rates, v, b);
	buf_addc(b, '\n');
}

static void
out_csv_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	const struct csv_state		*st = out_csv_state(fmt);
	const netsnmp_variable_list	*v;
	struct buf			 tmp;
	size_t				 i, lines = 0;

	if (st->tables) {
		out_csv_tables(st, b, t, r);
		return;
	}
	buf_init(&tmp);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			out_csv_line(fmt, b, t, r, v, &tmp);
			lines++;
		}
	}
	if (lines == 0 || r->status != RES_OK)
		out_csv_line(fmt, b, t, r, NULL, &tmp);
	buf_free(&tmp);
}

const struct out_format out_csv = {
	.name = "csv",
	.open = out_csv_open,
	.close = out_csv_close,
	.header = out_csv_header,
	.record = out_csv_record,
};
