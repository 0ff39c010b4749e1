/*
 * t-table.c — table.c: a walked table's values into rows (the index
 * after the column, rows in the order indexes first appear, cells by
 * column), a table given as its Entry, exceptions left out, many rows
 * through the index hash; table and column names.
 */
#include "config.h"

#include "snmpfleet.h"
#include "tap.h"

/* A table item for text (a name or an OID). */
static struct plan_item
table_item(const char *text, bool entry)
{
	struct plan_item	 item = { .kind = ITEM_TABLE, .entry = entry };
	char			*cause;

	item.text = (char *)text;
	if (oid_parse(text, &item.oid, &cause) != 0)
		abort();
	return item;
}

/* Append OID text to part's values, an INTEGER n (or an exception). */
static void
add(struct result_part *part, const char *text, u_char type, long n)
{
	struct oid_text	 o;
	char		*cause;

	if (oid_parse(text, &o, &cause) != 0)
		abort();
	if (type == ASN_INTEGER)
		snmp_varlist_add_variable(&part->vars, o.v, o.len, type, &n,
		    sizeof n);
	else
		snmp_varlist_add_variable(&part->vars, o.v, o.len, type, NULL,
		    0);
}

/* The row's cells as "col=value col=value". */
static const char *
cells(const struct table_row *row)
{
	static struct buf	b;
	size_t			i;

	b.len = 0;
	for (i = 0; i < row->ncells; i++) {
		buf_printf(&b, "%s%u=", i ? " " : "", row->cells[i].col);
		value_plain(row->cells[i].v, &b);
	}
	return buf_cstr(&b);
}

static const char *
index_of(const struct table_row *row)
{
	return buf_cstr((struct buf *)&row->index);
}

/* ifTable walked column by column: two rows, cells by column. */
static void
test_rows(void)
{
	struct plan_item	item = table_item("ifTable", false);
	struct result_part	part = { .item = &item };
	struct table_rows	t;

	add(&part, "ifDescr.1", ASN_INTEGER, 11);
	add(&part, "ifDescr.10", ASN_INTEGER, 12);
	add(&part, "ifType.1", ASN_INTEGER, 6);
	add(&part, "ifType.10", ASN_INTEGER, 24);
	add(&part, "ifSpeed.10", ASN_INTEGER, 1000);
	add(&part, "ifSpeed.10", SNMP_ENDOFMIBVIEW, 0);
	table_rows_build(&t, &part);
	is_int(t.nrows, 2, "two rows");
	is_str(index_of(&t.rows[0]), "1", "first row: index 1");
	is_str(index_of(&t.rows[1]), "10", "second row: index 10");
	is_str(cells(&t.rows[0]), "2=11 3=6", "row 1: ifDescr and ifType");
	is_str(cells(&t.rows[1]), "2=12 3=24 5=1000",
	    "row 10: ifDescr, ifType, ifSpeed; endOfMibView left out");
	table_rows_free(&t);
	ok(t.rows == NULL && t.nrows == 0, "freed");
	snmp_free_varbind(part.vars);
}

/* Indexes of several arcs (ipAddrTable: an address), rows in the order
 * they first appear, and a table given as its Entry. */
static void
test_index(void)
{
	struct plan_item	item = table_item("1.3.6.1.2.1.4.20.1", true);
	struct result_part	part = { .item = &item };
	struct table_rows	t;

	add(&part, "1.3.6.1.2.1.4.20.1.2.192.168.1.1", ASN_INTEGER, 3);
	add(&part, "1.3.6.1.2.1.4.20.1.2.10.0.0.1", ASN_INTEGER, 1);
	add(&part, "1.3.6.1.2.1.4.20.1.3.192.168.1.1", ASN_INTEGER, 24);
	add(&part, "1.3.6.1.2.1.4.20.1.3.10.0.0.1", ASN_INTEGER, 8);
	add(&part, "1.3.6.1.2.1.4.20.1", SNMP_NOSUCHOBJECT, 0);
	add(&part, "1.3.6.1.2.1.4.20.1.4", ASN_INTEGER, 0);
	table_rows_build(&t, &part);
	is_int(t.nrows, 2, "two rows (the OIDs without an index left out)");
	is_str(index_of(&t.rows[0]), "192.168.1.1",
	    "an address index, the first to appear first");
	is_str(index_of(&t.rows[1]), "10.0.0.1", "then the second");
	is_str(cells(&t.rows[0]), "2=3 3=24", "its cells, by column");
	is_str(cells(&t.rows[1]), "2=1 3=8", "the second's");
	table_rows_free(&t);
	snmp_free_varbind(part.vars);

	part.vars = NULL;
	table_rows_build(&t, &part);
	is_int(t.nrows, 0, "no values, no rows");
	table_rows_free(&t);
}

/* 5,000 rows of 3 columns: every row once, in order, with its cells. */
static void
test_many_rows(void)
{
	struct plan_item	item = table_item("ifTable", false);
	struct result_part	part = { .item = &item };
	struct table_rows	t;
	char			text[64], want[64];
	size_t			i, bad = 0, col, n = 5000;

	/* longest index first: "500" must not be taken for row "5000" */
	for (col = 2; col <= 4; col++) {
		for (i = 0; i < n; i++) {
			snprintf(text, sizeof text, "1.3.6.1.2.1.2.2.1.%zu.%zu",
			    col, n - i);
			add(&part, text, ASN_INTEGER, (long)(i * 10 + col));
		}
	}
	table_rows_build(&t, &part);
	is_int(t.nrows, n, "5000 rows");
	for (i = 0; i < t.nrows; i++) {
		snprintf(text, sizeof text, "%zu", n - i);
		snprintf(want, sizeof want, "2=%zu 3=%zu 4=%zu", i * 10 + 2,
		    i * 10 + 3, i * 10 + 4);
		if (strcmp(index_of(&t.rows[i]), text) != 0 ||
		    strcmp(cells(&t.rows[i]), want) != 0)
			bad++;
	}
	is_int(bad, 0, "each in order, with its 3 cells");
	ok(t.hcap >= 2 * t.nrows, "the hash grew with the rows (%zu slots)",
	    t.hcap);
	table_rows_free(&t);
	snmp_free_varbind(part.vars);
}

/* Names for records: built-in, else as given; columns by name or number. */
static void
test_names(void)
{
	struct plan_item	tab = table_item("ifTable", false);
	struct plan_item	ent = table_item("ifEntry", true);
	struct plan_item	num = table_item("1.3.6.1.2.1.2.2", false);
	struct plan_item	odd = table_item("1.3.6.1.4.1.99999.1", false);
	struct buf		b;

	buf_init(&b);
	table_name(&tab, &b);
	is_str(buf_cstr(&b), "ifTable", "table name");
	b.len = 0;
	table_name(&num, &b);
	is_str(buf_cstr(&b), "ifTable", "a table given by number: its name");
	b.len = 0;
	table_name(&odd, &b);
	is_str(buf_cstr(&b), "1.3.6.1.4.1.99999.1",
	    "an unknown table: as given");
	b.len = 0;
	table_column_name(&tab, 2, &b);
	is_str(buf_cstr(&b), "ifDescr", "column 2 of ifTable");
	b.len = 0;
	table_column_name(&ent, 3, &b);
	is_str(buf_cstr(&b), "ifType", "column 3 of ifEntry");
	b.len = 0;
	table_column_name(&tab, 99, &b);
	is_str(buf_cstr(&b), "99", "an unknown column: its number");
	buf_free(&b);
}

int
main(void)
{
	oid_init_netsnmp(NULL);
	test_rows();
	test_index();
	test_many_rows();
	test_names();
	return tap_done();
}
