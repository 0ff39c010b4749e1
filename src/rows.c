/*
 * rows.c — a record's tables as rows with meaning, for the jsonl and
 * csv formats: each row's index read back into its INDEX objects' values
 * (mib-index.c), tables that share an index (ifXTable AUGMENTS ifEntry,
 * or entries with the same INDEX list) joined into one row per index
 * under the first one's name, and lookups: a --label column (ifName)
 * found at the row's index (out-lookup.c), as snmp_exporter's lookups.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

#define ROWS_MAX_COLUMNS	256

/* The INDEX of table item's entry into *s (through its first column):
 * 0, or -1 if no MIB knows it. */
static int
rows_spec(const struct plan_item *item, struct mib_index_spec *s)
{
	unsigned	 cols[ROWS_MAX_COLUMNS];
	const char	*names[ROWS_MAX_COLUMNS];
	oid		 v[MAX_OID_LEN];
	struct mib_obj	 o;
	size_t		 len = item->oid.len, matched;

	if (len + 2 > MAX_OID_LEN || names_columns(item->oid.v, len,
	    item->entry, cols, names, ROWS_MAX_COLUMNS) == 0)
		return -1;
	memcpy(v, item->oid.v, len * sizeof *v);
	if (!item->entry)
		v[len++] = 1;
	v[len++] = cols[0];
	if (mib_find_oid(v, len, &o, &matched) != 0 || matched != len)
		return -1;
	return mib_index_spec(&o, s);
}

/* Do two known INDEX lists read the same objects? */
static bool
rows_spec_same(const struct mib_index_spec *a, const struct mib_index_spec *b)
{
	size_t	i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		if (a->part[i].kind != b->part[i].kind ||
		    strcmp(a->part[i].name, b->part[i].name) != 0)
			return false;
	}
	return true;
}

/* The entry's OID of a table item (the table's, and 1). */
static void
rows_entry_oid(const struct plan_item *item, struct oid_text *e)
{
	memcpy(e->v, item->oid.v, item->oid.len * sizeof *e->v);
	e->len = item->oid.len;
	if (!item->entry && e->len < MAX_OID_LEN)
		e->v[e->len++] = 1;
}

/* May table item i join group g (the same INDEX, not the same table)? */
static bool
rows_joins(const struct rows_plan *rp, const struct rows_group *g,
    const struct mib_index_spec *s, size_t i)
{
	struct oid_text	a, b;
	size_t		k;

	if (!g->known || !rows_spec_same(&g->spec, s))
		return false;
	rows_entry_oid(&rp->plan->items[i], &a);
	for (k = 0; k < g->n; k++) {
		rows_entry_oid(&rp->plan->items[g->items[k]], &b);
		if (snmp_oid_compare(a.v, a.len, b.v, b.len) == 0)
			return false;
	}
	return true;
}

/* Put table item i into its group: one it joins, else a new one. */
static void
rows_plan_table(struct rows_plan *rp, size_t i)
{
	struct mib_index_spec	 s;
	struct rows_group	*g;
	bool			 known;
	size_t			 k;

	known = rows_spec(&rp->plan->items[i], &s) == 0;
	for (k = 0; known && !rp->plan->no_join && k < rp->ngroups; k++) {
		if (rows_joins(rp, &rp->groups[k], &s, i))
			break;
	}
	if (!known || rp->plan->no_join || k == rp->ngroups) {
		rp->groups = xreallocarray(rp->groups, rp->ngroups + 1,
		    sizeof *rp->groups);
		g = &rp->groups[rp->ngroups++];
		memset(g, 0, sizeof *g);
		g->known = known;
		if (known)
			g->spec = s;
	} else
		g = &rp->groups[k];
	g->items = xreallocarray(g->items, g->n + 1, sizeof *g->items);
	g->items[g->n++] = i;
}

/*
 * What rows the plan's tables make: their groups (joined tables), the
 * lookups' names, and which walks are there only for a lookup (a walk
 * of exactly a --label column, in a plan with tables: shown as a
 * lookup, not as values).
 */
void
rows_plan_init(struct rows_plan *rp, const struct fetch_plan *plan)
{
	const struct plan_item	*it;
	size_t			 i, k;
	bool			 mac;

	memset(rp, 0, sizeof *rp);
	rp->plan = plan;
	rp->label_only = xcalloc(plan->nitems + 1, sizeof *rp->label_only);
	rp->label_names = xcalloc(plan->nlabels + 1,
	    sizeof *rp->label_names);
	for (i = 0; i < plan->nitems; i++) {
		if (plan->items[i].kind == ITEM_TABLE)
			rows_plan_table(rp, i);
	}
	for (k = 0; k < plan->nlabels; k++)
		rp->label_names[k] = xstrdup(out_lookup_name(plan, k, &mac));
	for (i = 0; i < plan->nitems && rp->ngroups != 0; i++) {
		it = &plan->items[i];
		for (k = 0; it->kind == ITEM_WALK && k < plan->nlabels; k++)
			if (snmp_oid_compare(it->oid.v, it->oid.len,
			    plan->labels[k].oid.v, plan->labels[k].oid.len) ==
			    0)
				rp->label_only[i] = true;
	}
}

void
rows_plan_free(struct rows_plan *rp)
{
	size_t	i;

	for (i = 0; i < rp->ngroups; i++)
		free(rp->groups[i].items);
	free(rp->groups);
	for (i = 0; rp->plan != NULL && i < rp->plan->nlabels; i++)
		free(rp->label_names[i]);
	free(rp->label_names);
	free(rp->label_only);
	memset(rp, 0, sizeof *rp);
}

/* One record's rows: each table's built (table.c), and its lookups. */
void
rows_record_init(struct rows_record *rr, const struct rows_plan *rp,
    const struct result *r)
{
	size_t	i;

	rr->rp = rp;
	rr->t = xcalloc(r->nparts + 1, sizeof *rr->t);
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].item->kind == ITEM_TABLE)
			table_rows_build(&rr->t[i], &r->parts[i]);
	}
	rr->nparts = r->nparts;
	rr->l = out_lookups(rp->plan, r, &rr->nl);
}

void
rows_record_free(struct rows_record *rr)
{
	size_t	i;

	for (i = 0; i < rr->nparts; i++)
		table_rows_free(&rr->t[i]);
	free(rr->t);
	free(rr->l);
}

/* Is index idx a row of a member of g before member m? */
static bool
rows_seen(const struct rows_record *rr, const struct rows_group *g, size_t m,
    const struct buf *idx)
{
	size_t	k;

	for (k = 0; k < m; k++) {
		if (table_row_find(&rr->t[g->items[k]], idx->data, idx->len) !=
		    NULL)
			return true;
	}
	return false;
}

/* One joined row at index idx (a row of member m): each member's row. */
static void
rows_one(const struct rows_record *rr, const struct rows_group *g, size_t m,
    const struct table_row *row, struct rows_row *out)
{
	size_t	k;

	out->index = &row->index;
	out->arcs = table_row_arcs(rr->rp->plan->items + g->items[m], row,
	    &out->narcs);
	for (k = 0; k < g->n; k++)
		out->cells[k] = k == m ? row : table_row_find(&rr->t[g->items[k]],
		    row->index.data, row->index.len);
}

/*
 * Group gi's rows in record rr, fn(arg, row) for each: the first
 * table's rows in their order, then those only a later table has; each
 * with every member table's row at that index (or NULL).
 */
void
rows_each(const struct rows_record *rr, size_t gi,
    void (*fn)(void *, const struct rows_row *), void *arg)
{
	const struct rows_group	*g = &rr->rp->groups[gi];
	const struct table_rows	*t;
	struct rows_row		 row;
	size_t			 m, i;

	row.group = g;
	row.cells = xcalloc(g->n, sizeof *row.cells);
	for (m = 0; m < g->n; m++) {
		t = &rr->t[g->items[m]];
		for (i = 0; i < t->nrows; i++) {
			if (m != 0 && rows_seen(rr, g, m, &t->rows[i].index))
				continue;
			rows_one(rr, g, m, &t->rows[i], &row);
			fn(arg, &row);
		}
	}
	free(row.cells);
}

/* The row's index as its INDEX objects' values (mib_index_values): 0, or
 * -1 if the group's INDEX is unknown or the arcs do not fit it. */
int
rows_index(const struct rows_row *row, void (*fn)(void *,
    const struct mib_index_part *, enum mib_show, const char *, size_t),
    void *arg)
{
	if (!row->group->known)
		return -1;
	return mib_index_values(&row->group->spec, row->arcs, row->narcs, fn,
	    arg);
}

/* Is the column named name (n bytes) one of the row's INDEX objects? */
bool
rows_index_column(const struct rows_group *g, const char *name, size_t n)
{
	size_t	i;

	for (i = 0; g->known && i < g->spec.n; i++) {
		if (strncmp(g->spec.part[i].name, name, n) == 0 &&
		    g->spec.part[i].name[n] == '\0')
			return true;
	}
	return false;
}

/* Is lookup li one of group g's own columns (then the row has it)? */
bool
rows_label_own(const struct rows_plan *rp, const struct rows_group *g,
    size_t li)
{
	const struct oid_text	*o = &rp->plan->labels[li].oid;
	const struct plan_item	*it;
	size_t			 k;

	for (k = 0; k < g->n; k++) {
		it = &rp->plan->items[g->items[k]];
		if (oid_is_prefix(it->oid.v, it->oid.len, o->v, o->len))
			return true;
	}
	return false;
}

/* Lookup li's value at the row's index, or NULL. */
const netsnmp_variable_list *
rows_lookup(const struct rows_record *rr, const struct rows_row *row,
    size_t li)
{
	const struct out_lookup	*hit;

	if (rr->nl == 0)	/* rr->l may be NULL: no arithmetic on it */
		return NULL;
	for (hit = out_lookup_find(rr->l, rr->nl, row->arcs, row->narcs);
	    hit < rr->l + rr->nl && snmp_oid_compare(hit->index, hit->len,
	    row->arcs, row->narcs) == 0; hit++) {
		if (hit->li == li)
			return hit->v;
	}
	return NULL;
}
