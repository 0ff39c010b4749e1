/*
 * oid-helpers.h — what the OID and name unit tests both ask: an OID
 * text parsed and printed back, and the name it is shown with.
 */
#ifndef OID_HELPERS_H
#define OID_HELPERS_H

#include "snmpfleet.h"

/* text parsed and printed numerically, or "(error)". */
static const char *
parsed(const char *text)
{
	static struct buf	b;
	struct oid_text		o;
	char			*cause;

	b.len = 0;
	if (oid_parse(text, &o, &cause) != 0) {
		free(cause);
		return "(error)";
	}
	oid_format(o.v, o.len, &b);
	return buf_cstr(&b);
}

/* The name records show for text, "(none)", or "(error)". */
static const char *
described(const char *text)
{
	static struct buf	b;
	struct oid_text		o;
	char			*cause;

	b.len = 0;
	if (oid_parse(text, &o, &cause) != 0) {
		free(cause);
		return "(error)";
	}
	if (names_describe(o.v, o.len, &b) != 0)
		return "(none)";
	return buf_cstr(&b);
}

#endif
