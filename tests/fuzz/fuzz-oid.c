/*
 * fuzz-oid.c — libFuzzer harness for OID text (oid.c) and the built-in
 * names (names.c): the input is what a user gives as an OID, a walk or a
 * table ("sysName.0", "1.3.6.1.2.1.1", "IF-MIB::ifDescr.3").  When it
 * parses, the OID must read back: its numeric form parses to the same
 * OID, and so does its name (names_describe), give or take the ".0" a
 * scalar's bare name gets.  The table-column lookup and the ordering
 * helpers must agree with each other too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	oid_init_netsnmp(NULL);
	snmp_disable_log();
	return 0;
}

static void
fail(const char *why, const char *text, const struct oid_text *o)
{
	struct buf	b;

	buf_init(&b);
	oid_format(o->v, o->len, &b);
	fprintf(stderr, "fuzz-oid: %s: '%s' -> %s\n", why, text,
	    buf_cstr(&b));
	abort();
}

static bool
same(const struct oid_text *a, const struct oid_text *b)
{
	return oid_compare(a->v, a->len, b->v, b->len) == 0;
}

static void
check_oid(const char *text, const struct oid_text *o)
{
	struct oid_text	 back;
	struct buf	 b;
	unsigned	 cols[64];
	const char	*names[64];
	char		*cause;
	size_t		 n, i;

	if (o->len == 0 || o->len > MAX_OID_LEN)
		fail("length out of range", text, o);
	buf_init(&b);
	oid_format(o->v, o->len, &b);
	if (oid_parse(buf_cstr(&b), &back, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		fail("its numeric form does not parse", text, o);
	}
	if (!same(o, &back))
		fail("its numeric form reads back differently", text, o);

	b.len = 0;
	if (names_describe(o->v, o->len, &b) == 0) {
		if (oid_parse(buf_cstr(&b), &back, &cause) != 0) {
			fprintf(stderr, "name '%s': %s\n", buf_cstr(&b), cause);
			fail("its name does not parse", text, o);
		}
		/* a scalar's bare name means its instance, name.0 */
		if (!same(o, &back) && !(back.len == o->len + 1 &&
		    back.v[o->len] == 0 && oid_is_prefix(o->v, o->len,
		    back.v, back.len)))
			fail("its name reads back differently", text, o);
	}
	buf_free(&b);

	n = names_columns(o->v, o->len, false, cols, names, 64);
	for (i = 0; i < n; i++) {
		if (names_lookup(names[i], &back, &(bool){ false }) != 0 ||
		    back.len != o->len + 2 || back.v[o->len + 1] != cols[i])
			fail("a table column that does not look up", text, o);
	}
	if (!oid_is_prefix(o->v, o->len, o->v, o->len) ||
	    (o->len > 1 && (!oid_is_prefix(o->v, o->len - 1, o->v, o->len) ||
	    oid_compare(o->v, o->len - 1, o->v, o->len) >= 0 ||
	    oid_compare(o->v, o->len, o->v, o->len - 1) <= 0)))
		fail("prefix and order disagree", text, o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oid_text	 o;
	char		*text, *cause = NULL;

	if (size > 4096)
		return 0;
	text = xstrndup((const char *)data, size);
	if (oid_parse(text, &o, &cause) == 0)
		check_oid(text, &o);
	else if (cause == NULL || *cause == '\0')
		fail("an error without a cause", text, &o);
	free(cause);
	free(text);
	return 0;
}
