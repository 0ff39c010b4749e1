/*
 * mib-describe.c — --describe OBJECT: everything mib.c knows about one
 * object, as "key: value" lines (name, module, source, OID, kind,
 * syntax, textual convention, enums, DISPLAY-HINT, UNITS, access, and
 * for tables their entry, INDEX objects with how each is coded in the
 * instance, AUGMENTS).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

static const char *
mib_kind_name(int k)
{
	static const char *const names[] = {
		"node", "scalar", "table", "table entry", "column",
		"notification"
	};

	return k >= 0 && k <= MIB_K_NOTIFY ? names[k] : "?";
}

static const char *
mib_syntax_name(int s)
{
	static const char *const names[] = {
		"", "INTEGER", "OCTET STRING", "OBJECT IDENTIFIER",
		"IpAddress", "Counter32", "Gauge32", "TimeTicks", "Opaque",
		"Counter64", "Unsigned32", "BITS"
	};

	return s >= 0 && s <= MIB_SYN_BITS ? names[s] : "?";
}

static const char *
mib_access_name(int a)
{
	static const char *const names[] = {
		"", "not-accessible", "accessible-for-notify", "read-only",
		"read-write", "read-create"
	};

	return a >= 0 && a <= MIB_ACC_READCREATE ? names[a] : "?";
}

static void
mib_line(struct buf *b, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_printf(b, "%-10s%s\n", key, value);
}

/* Resolve text (a name with optional MODULE:: and .index, or an OID)
 * into *o and the instance arcs after it (into suffix). */
static int
mib_describe_find(const char *text, struct mib_obj *o, struct oid_text *sfx,
    char **cause)
{
	struct oid_text	 t;
	const char	*name = text, *colons, *dot;
	char		*module = NULL, *base;
	size_t		 matched, i;
	int		 rc;

	sfx->len = 0;
	t.len = 0;
	if (*text == '.' || isdigit((unsigned char)*text)) {
		if (oid_parse_numeric(text, &t) != 0 || t.len < 2) {
			*cause = xasprintf("bad OID '%s'", text);
			return -1;
		}
		if (mib_find_oid(t.v, t.len, o, &matched) != 0)
			goto unknown;
		for (i = matched; i < t.len; i++)
			sfx->v[sfx->len++] = t.v[i];
		return 0;
	}
	if ((colons = strstr(text, "::")) != NULL) {
		module = xstrndup(text, (size_t)(colons - text));
		name = colons + 2;
	}
	dot = strchr(name, '.');
	base = dot ? xstrndup(name, (size_t)(dot - name)) : xstrdup(name);
	rc = mib_find_name(base, module, o);
	free(base);
	free(module);
	if (rc != 0)
		goto unknown;
	if (dot != NULL && oid_parse_numeric(dot, sfx) != 0) {
		*cause = xasprintf("bad index in '%s'", text);
		return -1;
	}
	return 0;
unknown:
	*cause = xasprintf("unknown object '%s' (not built in; load its MIB "
	    "with -m MODULE and -M DIR)", text);
	return -1;
}

static void
mib_describe_enums(const struct mib_obj *o, struct buf *b)
{
	const struct mib_enum	*e = o->set->enums + o->row->enums;
	size_t			 i;

	if (o->row->nenums == 0)
		return;
	buf_printf(b, "%-10s", "enums:");
	for (i = 0; i < o->row->nenums; i++)
		buf_printf(b, "%s%s(%ld)", i ? " " : "", mib_str(o, e[i].label),
		    (long)e[i].value);
	buf_addc(b, '\n');
}

/* The INDEX lines of entry e: each object and how it is coded. */
static void
mib_describe_index(const struct mib_obj *e, struct buf *b)
{
	struct mib_obj	ix, base;
	size_t		i, n;
	const char	*tc;

	if (e->row->augments != 0) {
		mib_line(b, "augments:", mib_str(e, e->row->augments));
		if (mib_find_name(mib_str(e, e->row->augments), NULL,
		    &base) != 0)
			return;
		e = &base;
	}
	n = e->row->nindex;
	for (i = 0; i < n; i++) {
		buf_printf(b, "%-10s%s", "index:",
		    mib_str(e, e->set->index[e->row->index + i]));
		if (mib_index_obj(e, i, &ix) != 0) {
			buf_adds(b, " (unknown object)\n");
			continue;
		}
		tc = mib_str(&ix, ix.row->tc);
		buf_printf(b, " (%s%s%s)\n", *tc ? tc : "", *tc ? ": " : "",
		    mib_index_kind_name(mib_index_kind(&ix,
		    e->row->implied && i == n - 1)));
	}
}

/*
 * Describe text (a name, MODULE::name, name.index or an OID) into b.
 * Returns -1 with *cause for an unknown object.
 */
int
mib_describe(const char *text, struct buf *b, char **cause)
{
	struct mib_obj	 o, e, table;
	struct oid_text	 t, sfx;
	size_t		 matched;

	if (mib_describe_find(text, &o, &sfx, cause) != 0)
		return -1;
	mib_oid(&o, &t);
	mib_line(b, "name:", mib_str(&o, o.row->name));
	mib_line(b, "module:", mib_str(&o, o.row->module));
	mib_line(b, "source:", mib_source(&o));
	buf_printf(b, "%-10s", "oid:");
	oid_format(t.v, t.len, b);
	buf_addc(b, '\n');
	if (sfx.len > 0) {
		buf_printf(b, "%-10s", "instance:");
		oid_format(sfx.v, sfx.len, b);
		buf_addc(b, '\n');
	}
	mib_line(b, "kind:", mib_kind_name(o.row->kind));
	mib_line(b, "syntax:", mib_syntax_name(o.row->syntax));
	mib_line(b, "tc:", mib_str(&o, o.row->tc));
	if (o.row->fixed != 0)
		buf_printf(b, "%-10s%u\n", "size:", o.row->fixed);
	mib_describe_enums(&o, b);
	mib_line(b, "hint:", mib_str(&o, o.row->hint));
	mib_line(b, "units:", mib_str(&o, o.row->units));
	mib_line(b, "access:", mib_access_name(o.row->access));
	e = o;
	if (o.row->kind == MIB_K_COLUMN && mib_entry_of(&o, &e) != 0)
		return 0;
	if (o.row->kind == MIB_K_TABLE) {
		t.v[t.len++] = 1;
		if (mib_find_oid(t.v, t.len, &e, &matched) != 0 ||
		    matched != t.len || e.row->kind != MIB_K_ENTRY)
			return 0;
	}
	if (e.row->kind != MIB_K_ENTRY)
		return 0;
	mib_oid(&e, &t);
	if (mib_find_oid(t.v, t.len - 1, &table, &matched) == 0 &&
	    matched == t.len - 1 && o.row->kind != MIB_K_TABLE)
		mib_line(b, "table:", mib_str(&table, table.row->name));
	if (o.row->kind != MIB_K_ENTRY)
		mib_line(b, "entry:", mib_str(&e, e.row->name));
	mib_describe_index(&e, b);
	return 0;
}
