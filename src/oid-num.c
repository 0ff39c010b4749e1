/*
 * oid-num.c — OIDs as numbers: dotted decimal in and out, order, prefix.
 * Below oid.c (text and names), names.c and mib.c (the MIB objects),
 * so that none of them needs another for these.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "snmpfleet.h"

/* Parse dotted decimal components from s into o (appending). */
int
oid_parse_numeric(const char *s, struct oid_text *o)
{
	char		*end;
	unsigned long	 v;

	if (*s == '.')
		s++;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) || o->len == MAX_OID_LEN)
			return -1;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || v > 0xffffffffUL)
			return -1;
		o->v[o->len++] = (oid)v;
		s = end;
		if (*s == '.') {
			if (*++s == '\0')
				return -1;
		} else if (*s != '\0')
			return -1;
	}
	return 0;
}

/* Append "1.3.6.1..." (no leading dot) to b. */
void
oid_format(const oid *v, size_t len, struct buf *b)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (i != 0)
			buf_addc(b, '.');
		buf_add_u64(b, v[i]);
	}
}

int
oid_compare(const oid *a, size_t alen, const oid *b, size_t blen)
{
	size_t	i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* Is p a prefix of (or equal to) o? */
bool
oid_is_prefix(const oid *p, size_t plen, const oid *o, size_t olen)
{
	return plen <= olen && oid_compare(p, plen, o, plen) == 0;
}
