/*
 * names.c — OID names for records and the command line, from the MIB
 * objects mib.c knows (built in, and MIB files given with -m/-M):
 * name to OID for input ("sysName", "ifDescr"), OID to "name.index"
 * for the jsonl/csv/prom name fields, and the columns of a table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* The OID of a name (no module, no index); scalar tells whether it is
 * a scalar object that takes the ".0" instance. */
int
names_lookup(const char *name, struct oid_text *o, bool *scalar)
{
	struct mib_obj	m;

	if (mib_find_name(name, NULL, &m) != 0)
		return -1;
	mib_oid(&m, o);
	*scalar = m.row->kind == MIB_K_SCALAR;
	return 0;
}

/*
 * Append the name of v ("ifDescr.3", "sysName.0") to b: the known
 * object with the longest OID that prefixes v, and the rest as the
 * instance.  Returns -1 (appending nothing) when no name is known.
 */
int
names_describe(const oid *v, size_t len, struct buf *b)
{
	struct mib_obj	m;
	size_t		n, i;

	if (mib_find_oid(v, len, &m, &n) != 0)
		return -1;
	buf_adds(b, mib_str(&m, m.row->name));
	for (i = n; i < len; i++) {
		buf_addc(b, '.');
		buf_add_u64(b, v[i]);
	}
	return 0;
}

/*
 * The columns of a table (or of its entry, with entry): their column
 * numbers and names, in column order, into cols/names (at most max).
 * Returns how many; 0 when the table is not known.
 */
size_t
names_columns(const oid *root, size_t len, bool entry, unsigned *cols,
    const char **names, size_t max)
{
	oid	v[MAX_OID_LEN];

	if (entry)
		return mib_columns(root, len, cols, names, max);
	if (len + 1 > MAX_OID_LEN)
		return 0;
	memcpy(v, root, len * sizeof *v);
	v[len] = 1;
	return mib_columns(v, len + 1, cols, names, max);
}
