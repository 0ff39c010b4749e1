/*
 * mib-value.c — what a value means, from its object's MIB facts, as
 * extra members of a jsonl varbind: "enum" (the label of an enumerated
 * INTEGER), "bits" (the labels of the bits set in a BITS value),
 * "display" (an OCTET STRING through its DISPLAY-HINT: a PhysAddress as
 * 00:1a:2b:3c:4d:5e; a DateAndTime as ISO 8601; an InetAddress by its
 * length; an OBJECT IDENTIFIER value by its name), "seconds" (TimeTicks / 100) and "units" (the object's UNITS).
 * The members that are there already ("type", "value") never change.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* A DateAndTime (RFC 2579: 8 or 11 octets) as ISO 8601, or -1. */
static int
mib_value_date(const u_char *p, size_t n, struct buf *out)
{
	if (n != 8 && n != 11)
		return -1;
	if (p[2] < 1 || p[2] > 12 || p[3] < 1 || p[3] > 31 || p[4] > 23 ||
	    p[5] > 59 || p[6] > 60 || p[7] > 9)
		return -1;
	buf_printf(out, "%04u-%02u-%02uT%02u:%02u:%02u.%u",
	    (unsigned)(p[0] << 8 | p[1]), p[2], p[3], p[4], p[5], p[6], p[7]);
	if (n == 8)
		return 0;
	if ((p[8] != '+' && p[8] != '-') || p[9] > 14 || p[10] > 59)
		return -1;
	buf_printf(out, "%c%02u:%02u", p[8], p[9], p[10]);
	return 0;
}

/* An InetAddress by its length (IPv4, IPv6, each with a zone), or -1. */
static int
mib_value_inet(const u_char *p, size_t n, struct buf *out)
{
	char	text[INET6_ADDRSTRLEN];

	if (n == 4 || n == 8)
		inet_ntop(AF_INET, p, text, sizeof text);
	else if (n == 16 || n == 20)
		inet_ntop(AF_INET6, p, text, sizeof text);
	else
		return -1;
	buf_adds(out, text);
	if (n == 8 || n == 20)
		buf_printf(out, "%%%u", (unsigned)(p[n - 4] << 24 |
		    p[n - 3] << 16 | p[n - 2] << 8 | p[n - 1]));
	return 0;
}

/* One application of an octet-format: len octets of p as fmt. */
static void
mib_value_octets(char fmt, const u_char *p, size_t len, struct buf *out)
{
	uint64_t	v = 0;
	size_t		i;

	switch (fmt) {
	case 'a':
	case 't':
		buf_add(out, p, len);
		return;
	case 'x':
		for (i = 0; i < len; i++)
			buf_printf(out, "%02x", p[i]);
		return;
	}
	for (i = 0; i < len && i < 8; i++)
		v = v << 8 | p[i];
	buf_printf(out, fmt == 'o' ? "%llo" : "%llu", (unsigned long long)v);
}

/*
 * p through an RFC 2579 octet-format DISPLAY-HINT ("1x:", "255a",
 * "1d.1d.1d.1d", "*1x:/"): each specification in turn, the last one
 * again until the octets run out.  Returns -1 for a hint it cannot
 * read.
 */
static int
mib_value_hint(const char *hint, const u_char *p, size_t n, struct buf *out)
{
	const char	*h = hint, *spec;
	char		*end, fmt, sep, term;
	unsigned long	 len, count, i;
	bool		 star;

	while (n > 0) {
		spec = h;
		if ((star = *h == '*'))
			h++;
		len = strtoul(h, &end, 10);
		if (end == h || len == 0 || strchr("axdot", *end) == NULL ||
		    *end == '\0')
			return -1;
		fmt = *end;
		h = end + 1;
		sep = term = '\0';
		if (*h != '\0' && !isdigit((unsigned char)*h) && *h != '*')
			sep = *h++;
		if (star && *h != '\0' && !isdigit((unsigned char)*h) &&
		    *h != '*')
			term = *h++;
		count = 1;
		if (star) {
			count = *p++;
			n--;
		}
		for (i = 0; i < count && n > 0; i++) {
			mib_value_octets(fmt, p, len < n ? len : n, out);
			p += len < n ? len : n;
			n -= len < n ? len : n;
			if (sep != '\0' && n > 0 && !(term != '\0' &&
			    i + 1 == count))
				buf_addc(out, sep);
		}
		if (term != '\0' && n > 0)
			buf_addc(out, term);
		if (*h == '\0')
			h = spec;
	}
	return 0;
}

/* Octets of object o through its DateAndTime, InetAddress or DISPLAY-HINT
 * into out: 0, or -1 if o has none of them (or the octets do not fit). */
int
mib_value_shown(const struct mib_obj *o, const u_char *p, size_t n,
    struct buf *out)
{
	const char	*tc = mib_str(o, o->row->tc);
	const char	*hint = mib_str(o, o->row->hint);

	if (strcmp(tc, "DateAndTime") == 0)
		return mib_value_date(p, n, out);
	if (strcmp(tc, "InetAddress") == 0)
		return mib_value_inet(p, n, out);
	if (*hint == '\0')
		return -1;
	return mib_value_hint(hint, p, n, out);
}

/* Is o's hint a text one ("255a") that printable octets show as they
 * are? */
bool
mib_value_text_hint(const struct mib_obj *o)
{
	const char	*hint = mib_str(o, o->row->hint);

	return strchr(hint, 'a') != NULL && strchr(hint, 'x') == NULL;
}

/* ,"display":"..." for an OCTET STRING with a hint or a known TC. */
static void
mib_value_display(const struct mib_obj *o, const netsnmp_variable_list *v,
    struct buf *b)
{
	struct buf	 d;

	if (v->val_len == 0)
		return;
	/* Text hints ("255a") say what "value" already shows, unless the
	 * value was not printable (then "value" is hex). */
	if (mib_value_text_hint(o) &&
	    value_printable(v->val.string, v->val_len))
		return;
	buf_init(&d);
	if (mib_value_shown(o, v->val.string, v->val_len, &d) == 0) {
		buf_adds(b, ",\"display\":");
		json_string(b, d.data, d.len);
	}
	buf_free(&d);
}

/* ,"bits":["a","b"] for a BITS value: the labels of the bits set. */
static void
mib_value_bits(const struct mib_obj *o, const netsnmp_variable_list *v,
    struct buf *b)
{
	const struct mib_enum	*e = o->set->enums + o->row->enums;
	const char		*label;
	size_t			 i, byte;
	bool			 first = true;

	buf_adds(b, ",\"bits\":[");
	for (i = 0; i < o->row->nenums; i++) {
		if (e[i].value < 0 || (byte = (size_t)e[i].value / 8) >=
		    v->val_len || !(v->val.string[byte] &
		    (0x80 >> (e[i].value % 8))))
			continue;
		label = mib_str(o, e[i].label);
		if (!first)
			buf_addc(b, ',');
		first = false;
		json_string(b, label, strlen(label));
	}
	buf_addc(b, ']');
}

/* ,"display":"hrStorageRam" for an OID value that has a known name. */
static void
mib_value_oid_name(const netsnmp_variable_list *v, struct buf *b)
{
	struct buf	name;

	buf_init(&name);
	if (names_describe(v->val.objid, v->val_len / sizeof(oid),
	    &name) == 0) {
		buf_adds(b, ",\"display\":");
		json_string(b, name.data, name.len);
	}
	buf_free(&name);
}

/*
 * Append the meaning of v's value to b as JSON members (each starting
 * with a comma), when v is an instance of a known scalar or column;
 * nothing for exceptions or unknown objects.
 */
void
mib_value_json(const netsnmp_variable_list *v, struct buf *b)
{
	struct mib_obj	 o;
	const char	*label, *units;
	size_t		 matched;

	if (value_is_exception(v->type) ||
	    mib_find_oid(v->name, v->name_length, &o, &matched) != 0 ||
	    matched == v->name_length || (o.row->kind != MIB_K_COLUMN &&
	    o.row->kind != MIB_K_SCALAR))
		return;
	if (v->type == ASN_INTEGER && o.row->syntax == MIB_SYN_INTEGER &&
	    (label = mib_enum_label(&o, *v->val.integer)) != NULL) {
		buf_adds(b, ",\"enum\":");
		json_string(b, label, strlen(label));
	}
	if (v->type == ASN_OCTET_STR && o.row->syntax == MIB_SYN_BITS)
		mib_value_bits(&o, v, b);
	else if (v->type == ASN_OCTET_STR)
		mib_value_display(&o, v, b);
	if (v->type == ASN_OBJECT_ID)
		mib_value_oid_name(v, b);
	if (v->type == ASN_TIMETICKS) {
		buf_adds(b, ",\"seconds\":");
		buf_add_u64(b, (u_long)*v->val.integer / 100);
		buf_addc(b, '.');
		buf_addc(b, (char)('0' + (u_long)*v->val.integer / 10 % 10));
		buf_addc(b, (char)('0' + (u_long)*v->val.integer % 10));
	}
	units = mib_str(&o, o.row->units);
	if (*units != '\0') {
		buf_adds(b, ",\"units\":");
		json_string(b, units, strlen(units));
	}
}

/*
 * What v's value means, as one text into b (csv's display column): an
 * enum's label, the labels of the BITS set (space-separated), octets by
 * their DISPLAY-HINT or convention (a MAC, a DateAndTime, an address),
 * an OID value's name, TimeTicks as seconds.  Nothing (false) when the
 * value says it all or no MIB knows the object.
 */
bool
mib_value_text(const netsnmp_variable_list *v, struct buf *b)
{
	struct mib_obj	 o;
	struct buf	 j;
	const char	*label;
	size_t		 matched, mark = b->len, i, byte;
	const struct mib_enum *e;

	if (value_is_exception(v->type) ||
	    mib_find_oid(v->name, v->name_length, &o, &matched) != 0 ||
	    matched == v->name_length || (o.row->kind != MIB_K_COLUMN &&
	    o.row->kind != MIB_K_SCALAR))
		return false;
	switch (v->type) {
	case ASN_INTEGER:
		if (o.row->syntax == MIB_SYN_INTEGER &&
		    (label = mib_enum_label(&o, *v->val.integer)) != NULL)
			buf_adds(b, label);
		break;
	case ASN_OCTET_STR:
		if (o.row->syntax == MIB_SYN_BITS) {
			e = o.set->enums + o.row->enums;
			for (i = 0; i < o.row->nenums; i++) {
				if (e[i].value < 0 || (byte = (size_t)e[i].value /
				    8) >= v->val_len || !(v->val.string[byte] &
				    (0x80 >> (e[i].value % 8))))
					continue;
				if (b->len != mark)
					buf_addc(b, ' ');
				buf_adds(b, mib_str(&o, e[i].label));
			}
		} else if (v->val_len != 0 && !(mib_value_text_hint(&o) &&
		    value_printable(v->val.string, v->val_len)))
			(void)mib_value_shown(&o, v->val.string, v->val_len, b);
		break;
	case ASN_OBJECT_ID:
		buf_init(&j);
		if (names_describe(v->val.objid, v->val_len / sizeof(oid),
		    &j) == 0)
			buf_add(b, j.data, j.len);
		buf_free(&j);
		break;
	case ASN_TIMETICKS:
		buf_add_u64(b, (u_long)*v->val.integer / 100);
		buf_printf(b, ".%02lu", (u_long)*v->val.integer % 100);
		break;
	default:
		break;
	}
	return b->len != mark;
}
