/*
 * out-csv.c — CSV (RFC 4180).  For GETs and walks: a header, then one
 * line per varbind; a target with no values is one line with the value
 * columns empty.  For tables (-T, and then only tables): one line per
 * row with a column per field, the columns being the tables' INDEX
 * objects (decoded, rows.c), their built-in columns and the --label
 * lookups, known before the first record; tables with the same INDEX
 * joined, a line per index.  With --state, GET and walk
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

/* What a tables-mode column holds. */
enum csv_kind {
	CSV_INDEX,	/* an INDEX object, decoded from the row's index
			 * (else the column of item, if one is) */
	CSV_VALUE,	/* a column of a table */
	CSV_LABEL	/* a lookup (--label) */
};

/* A run's columns, known before the first record. */
struct csv_state {
	struct {
		enum csv_kind		 kind;
		const struct plan_item	*item;	/* CSV_VALUE (INDEX) */
		unsigned		 col;	/* CSV_VALUE (INDEX) */
		size_t			 li;	/* CSV_LABEL */
		const char		*name;
	}		 cols[CSV_MAX_COLUMNS];
	size_t		 ncols;
	bool		 tables;	/* one line per table row */
	struct rows_plan rp;
};

/* The format not opened (out_csv itself): as for GETs and walks. */
static const struct csv_state csv_plain;

static const struct csv_state *
out_csv_state(const struct out_format *fmt)
{
	return fmt->state != NULL ? fmt->state : &csv_plain;
}

/* Is a column named name there already? */
static bool
out_csv_has(const struct csv_state *st, const char *name)
{
	size_t	i;

	for (i = 0; i < st->ncols; i++)
		if (strcmp(st->cols[i].name, name) == 0)
			return true;
	return false;
}

/* A column more; -1 if there are too many. */
static int
out_csv_add(struct csv_state *st, enum csv_kind kind,
    const struct plan_item *item, unsigned col, size_t li, const char *name)
{
	if (st->ncols == CSV_MAX_COLUMNS)
		return -1;
	st->cols[st->ncols].kind = kind;
	st->cols[st->ncols].item = item;
	st->cols[st->ncols].col = col;
	st->cols[st->ncols].li = li;
	st->cols[st->ncols++].name = name;
	return 0;
}

/* The INDEX column name is also column col of item: where its value is
 * when a row's index cannot be read back (out_csv_cell). */
static void
out_csv_index_of(struct csv_state *st, const struct plan_item *item,
    unsigned col, const char *name)
{
	size_t	i;

	for (i = 0; i < st->ncols; i++) {
		if (st->cols[i].kind == CSV_INDEX && st->cols[i].item == NULL &&
		    strcmp(st->cols[i].name, name) == 0) {
			st->cols[i].item = item;
			st->cols[i].col = col;
		}
	}
}

/* Table item's columns but its INDEX objects (g's), after the others;
 * -1 with *cause if no MIB knows them. */
static int
out_csv_table(struct csv_state *st, const struct rows_group *g,
    const struct plan_item *item, char **cause)
{
	unsigned	 cols[CSV_MAX_COLUMNS];
	const char	*names[CSV_MAX_COLUMNS];
	size_t		 k, n;

	n = names_columns(item->oid.v, item->oid.len, item->entry, cols,
	    names, CSV_MAX_COLUMNS);
	if (n == 0) {
		*cause = xasprintf("-F csv needs the columns of table "
		    "'%s' before polling: use a built-in table "
		    "(see snmpfleet(1)) or -F jsonl", item->text);
		return -1;
	}
	for (k = 0; k < n; k++) {
		if (rows_index_column(g, names[k], strlen(names[k]))) {
			out_csv_index_of(st, item, cols[k], names[k]);
			continue;
		}
		if (out_csv_add(st, CSV_VALUE, item, cols[k], 0, names[k]) != 0)
			goto many;
	}
	return 0;
many:
	*cause = xasprintf("-F csv: more than %d columns", CSV_MAX_COLUMNS);
	return -1;
}

/*
 * Tables in CSV need their columns up front: only known tables, and no
 * GETs or walks in the same run (but the walks of --label columns).
 * The columns: each table's INDEX objects, then the tables' columns
 * (joined tables one after the other), then the lookups.
 */
static int
out_csv_open(struct out_format *fmt, const struct fetch_plan *plan,
    char **cause)
{
	struct csv_state	*st;
	const struct rows_group	*g;
	size_t			 i, k;

	st = fmt->state = xcalloc(1, sizeof *st);
	for (i = 0; i < plan->nitems; i++)
		st->tables |= plan->items[i].kind == ITEM_TABLE;
	if (!st->tables)
		return 0;
	rows_plan_init(&st->rp, plan);
	for (i = 0; i < plan->nitems; i++) {
		if (plan->items[i].kind != ITEM_TABLE &&
		    !st->rp.label_only[i]) {
			*cause = xstrdup("-F csv with -T takes only tables: "
			    "poll OIDs and walks in another run, or use "
			    "-F jsonl");
			return -1;
		}
	}
	for (i = 0; i < st->rp.ngroups; i++) {
		g = &st->rp.groups[i];
		for (k = 0; g->known && k < g->spec.n; k++)
			if (!out_csv_has(st, g->spec.part[k].name))
				out_csv_add(st, CSV_INDEX, NULL, 0, 0,
				    g->spec.part[k].name);
	}
	for (i = 0; i < st->rp.ngroups; i++) {
		g = &st->rp.groups[i];
		for (k = 0; k < g->n; k++)
			if (out_csv_table(st, g, &plan->items[g->items[k]],
			    cause) != 0)
				return -1;
	}
	for (k = 0; k < plan->nlabels; k++) {
		if (!out_csv_has(st, st->rp.label_names[k]) &&
		    out_csv_add(st, CSV_LABEL, NULL, 0, k,
		    st->rp.label_names[k]) != 0) {
			*cause = xasprintf("-F csv: more than %d columns",
			    CSV_MAX_COLUMNS);
			return -1;
		}
	}
	return 0;
}

static void
out_csv_close(struct out_format *fmt)
{
	struct csv_state	*st = fmt->state;

	if (st != NULL && st->tables)
		rows_plan_free(&st->rp);
	free(fmt->state);
	fmt->state = NULL;
}

static void
out_csv_header(const struct out_format *fmt, struct buf *b)
{
	const struct csv_state	*st = out_csv_state(fmt);
	size_t			 i;

	if (!st->tables) {
		buf_adds(b, "host,port,oid,name,type,value,status,rtt_ms,"
		    "display");
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

/* A record's table rows being written (rows_each's callback). */
struct csv_rows {
	const struct csv_state		*st;
	const struct rows_record	*rr;
	const struct rows_group		*g;	/* the row's */
	const struct target		*t;
	const struct result		*r;
	struct buf			*b;
	struct buf			 tmp;
	struct buf			 ix[MIB_INDEX_MAX];	/* decoded */
	size_t				 lines;
};

/* One INDEX object's value, kept for its column. */
static void
out_csv_index_cb(void *arg, const struct mib_index_part *p,
    enum mib_show show, const char *text, size_t n)
{
	struct csv_rows	*cr = arg;
	struct buf	*ix = &cr->ix[p - cr->g->spec.part];

	(void)show;
	ix->len = 0;
	buf_add(ix, text, n);
}

/* The row's cell of column c (of its item, if the row joins it) into
 * cr->tmp. */
static void
out_csv_value(struct csv_rows *cr, const struct rows_row *row, size_t c)
{
	const struct rows_group	*g = row->group;
	const struct table_row	*tr;
	size_t			 k, j;

	for (k = 0; k < g->n; k++) {
		if (&cr->rr->rp->plan->items[g->items[k]] !=
		    cr->st->cols[c].item || (tr = row->cells[k]) == NULL)
			continue;
		for (j = 0; j < tr->ncells; j++)
			if (tr->cells[j].col == cr->st->cols[c].col)
				value_plain(tr->cells[j].v, &cr->tmp);
	}
}

/* Field c of the row (empty when the row has none). */
static void
out_csv_cell(struct csv_rows *cr, const struct rows_row *row, size_t c,
    bool decoded)
{
	const struct csv_state		*st = cr->st;
	const struct rows_group		*g = row->group;
	const netsnmp_variable_list	*v;
	size_t				 k;

	cr->tmp.len = 0;
	switch (st->cols[c].kind) {
	case CSV_INDEX:
		for (k = 0; decoded && k < g->spec.n; k++)
			if (strcmp(g->spec.part[k].name, st->cols[c].name) == 0)
				buf_add(&cr->tmp, cr->ix[k].data,
				    cr->ix[k].len);
		if (!decoded && st->cols[c].item != NULL)
			out_csv_value(cr, row, c);
		break;
	case CSV_VALUE:
		out_csv_value(cr, row, c);
		break;
	case CSV_LABEL:
		if (!rows_label_own(cr->rr->rp, g, st->cols[c].li) &&
		    (v = rows_lookup(cr->rr, row, st->cols[c].li)) != NULL)
			value_plain(v, &cr->tmp);
		break;
	}
	out_csv_field(cr->b, buf_cstr(&cr->tmp), cr->tmp.len);
}

/* One line: host,port,table,index, the columns, status,rtt_ms. */
static void
out_csv_row(void *arg, const struct rows_row *row)
{
	struct csv_rows	*cr = arg;
	struct buf	*b = cr->b;
	size_t		 c;
	bool		 decoded;

	cr->g = row->group;
	decoded = rows_index(row, out_csv_index_cb, cr) == 0;
	out_csv_field(b, cr->t->host, strlen(cr->t->host));
	buf_printf(b, ",%u,", cr->t->port);
	cr->tmp.len = 0;
	table_name(&cr->rr->rp->plan->items[row->group->items[0]], &cr->tmp);
	out_csv_field(b, buf_cstr(&cr->tmp), cr->tmp.len);
	buf_addc(b, ',');
	buf_add(b, row->index->data, row->index->len);
	for (c = 0; c < cr->st->ncols; c++) {
		buf_addc(b, ',');
		out_csv_cell(cr, row, c, decoded);
	}
	out_csv_tail(b, cr->r);
	cr->lines++;
}

/* One line per table row (joined tables: one per index); a target
 * without rows still gets a line. */
static void
out_csv_tables(const struct csv_state *st, struct buf *b,
    const struct target *t, const struct result *r)
{
	struct rows_record	 rr;
	struct csv_rows		 cr;
	size_t			 i, c;

	rows_record_init(&rr, &st->rp, r);
	memset(&cr, 0, sizeof cr);
	cr.st = st;
	cr.rr = &rr;
	cr.t = t;
	cr.r = r;
	cr.b = b;
	buf_init(&cr.tmp);
	for (i = 0; i < MIB_INDEX_MAX; i++)
		buf_init(&cr.ix[i]);
	for (i = 0; i < st->rp.ngroups; i++)
		rows_each(&rr, i, out_csv_row, &cr);
	if (cr.lines == 0) {
		out_csv_field(b, t->host, strlen(t->host));
		buf_printf(b, ",%u,,", t->port);
		for (c = 0; c < st->ncols; c++)
			buf_addc(b, ',');
		out_csv_tail(b, r);
	}
	for (i = 0; i < MIB_INDEX_MAX; i++)
		buf_free(&cr.ix[i]);
	buf_free(&cr.tmp);
	rows_record_free(&rr);
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
	buf_addc(b, ',');
	tmp->len = 0;
	if (v != NULL && mib_value_text(v, tmp))
		out_csv_field(b, buf_cstr(tmp), tmp->len);
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
