/*
 * table.c — a walked table's values gathered into rows: the index (the
 * OID after the column) picks the row, the column number the cell, rows
 * in the order their indexes first appear.  An index hash keeps it
 * linear in the table's size.  Shared by the jsonl and csv formats.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

static size_t *
table_slot(const struct table_rows *t, const char *index, size_t len)
{
	size_t	h = parse_hash_bytes(index, len) & (t->hcap - 1), r;

	while ((r = t->hash[h]) != 0 && (t->rows[r - 1].index.len != len ||
	    memcmp(t->rows[r - 1].index.data, index, len) != 0))
		h = (h + 1) & (t->hcap - 1);
	return &t->hash[h];
}

static void
table_grow(struct table_rows *t)
{
	size_t	i;

	t->hcap = t->hcap ? t->hcap * 2 : 64;
	free(t->hash);
	t->hash = xcalloc(t->hcap, sizeof *t->hash);
	for (i = 0; i < t->nrows; i++)
		*table_slot(t, t->rows[i].index.data, t->rows[i].index.len) =
		    i + 1;
}

/* Gather part's values (the walk of a table or of its entry) into t.
 * Exceptions (endOfMibView, an empty table's noSuchObject) are left out. */
void
table_rows_build(struct table_rows *t, const struct result_part *part)
{
	const struct plan_item		*item = part->item;
	const netsnmp_variable_list	*v;
	struct table_row		*row;
	struct buf			 idx;
	size_t				 col = item->oid.len + (item->entry ? 0 : 1);
	size_t				*slot;

	memset(t, 0, sizeof *t);
	buf_init(&idx);
	for (v = part->vars; v != NULL; v = v->next_variable) {
		if (value_is_exception(v->type) || v->name_length <= col + 1)
			continue;
		idx.len = 0;
		oid_format(v->name + col + 1, v->name_length - col - 1, &idx);
		if (t->nrows * 2 >= t->hcap)
			table_grow(t);
		slot = table_slot(t, idx.data, idx.len);
		if (*slot == 0) {
			if (t->nrows == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 16;
				t->rows = xreallocarray(t->rows, t->cap,
				    sizeof *t->rows);
			}
			row = &t->rows[t->nrows];
			memset(row, 0, sizeof *row);
			buf_add(&row->index, idx.data, idx.len);
			*slot = ++t->nrows;
		}
		row = &t->rows[*slot - 1];
		if (row->ncells == row->cap) {
			row->cap = row->cap ? row->cap * 2 : 8;
			row->cells = xreallocarray(row->cells, row->cap,
			    sizeof *row->cells);
		}
		row->cells[row->ncells].col = (unsigned)v->name[col];
		row->cells[row->ncells++].v = v;
	}
	buf_free(&idx);
}

/* The row of t whose index is index (len bytes of text), or NULL. */
const struct table_row *
table_row_find(const struct table_rows *t, const char *index, size_t len)
{
	size_t	r;

	if (t->hcap == 0)
		return NULL;
	r = *table_slot(t, index, len);
	return r != 0 ? &t->rows[r - 1] : NULL;
}

/* Row's instance: the arcs after the column in its cells' OIDs (*len of
 * them), as the walk of item returned them. */
const oid *
table_row_arcs(const struct plan_item *item, const struct table_row *row,
    size_t *len)
{
	size_t	col = item->oid.len + (item->entry ? 0 : 1) + 1;

	*len = row->cells[0].v->name_length - col;
	return row->cells[0].v->name + col;
}

void
table_rows_free(struct table_rows *t)
{
	size_t	i;

	for (i = 0; i < t->nrows; i++) {
		buf_free(&t->rows[i].index);
		free(t->rows[i].cells);
	}
	free(t->rows);
	free(t->hash);
	memset(t, 0, sizeof *t);
}

/* The table's name for records: its built-in/MIB name ("ifTable"), else
 * the text it was given as. */
void
table_name(const struct plan_item *item, struct buf *b)
{
	size_t	mark = b->len;

	if (names_describe(item->oid.v, item->oid.len, b) == 0 &&
	    strchr(b->data + mark, '.') == NULL)
		return;
	b->len = mark;
	buf_adds(b, item->text);
}

/* A column's name ("ifDescr"), else its number. */
void
table_column_name(const struct plan_item *item, unsigned col, struct buf *b)
{
	oid	v[MAX_OID_LEN];
	size_t	len = item->oid.len, mark = b->len;

	memcpy(v, item->oid.v, len * sizeof *v);
	if (!item->entry)
		v[len++] = 1;
	v[len++] = col;
	if (names_describe(v, len, b) == 0 && strchr(b->data + mark, '.') ==
	    NULL)
		return;
	b->len = mark;
	buf_add_u64(b, col);
}
