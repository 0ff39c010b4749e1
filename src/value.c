/*
 * value.c — varbind values: type names, the snmpget-identical text form,
 * exact JSON values (Counter64 as a 64-bit integer, never via a double)
 * and always-valid JSON strings whatever bytes an agent sends.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "snmpfleet.h"

const char *
value_type_name(u_char type)
{
	switch (type) {
	case ASN_INTEGER:		return "INTEGER";
	case ASN_OCTET_STR:		return "STRING";
	case ASN_OBJECT_ID:		return "OID";
	case ASN_IPADDRESS:		return "IpAddress";
	case ASN_COUNTER:		return "Counter32";
	case ASN_GAUGE:			return "Gauge32";
	case ASN_TIMETICKS:		return "TimeTicks";
	case ASN_OPAQUE:		return "Opaque";
	case ASN_COUNTER64:		return "Counter64";
	case ASN_NULL:			return "NULL";
	case ASN_BIT_STR:		return "BITS";
	case ASN_UINTEGER:		return "UInteger32";
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_FLOAT:		return "Float";
	case ASN_OPAQUE_DOUBLE:		return "Double";
	case ASN_OPAQUE_COUNTER64:	return "Counter64";
	case ASN_OPAQUE_I64:		return "Integer64";
	case ASN_OPAQUE_U64:		return "Unsigned64";
#endif
	case SNMP_NOSUCHOBJECT:		return "noSuchObject";
	case SNMP_NOSUCHINSTANCE:	return "noSuchInstance";
	case SNMP_ENDOFMIBVIEW:		return "endOfMibView";
	default:			return "unknown";
	}
}

bool
value_is_exception(u_char type)
{
	return type == SNMP_NOSUCHOBJECT || type == SNMP_NOSUCHINSTANCE ||
	    type == SNMP_ENDOFMIBVIEW;
}

/* "OID = TYPE: VALUE" exactly as snmpget -On prints it (the caller has
 * set numeric OID output). */
void
value_text(const netsnmp_variable_list *v, struct buf *b)
{
	buf_reserve(b, 256);
	if (sprint_realloc_variable((u_char **)&b->data, &b->cap, &b->len, 1,
	    v->name, v->name_length, v) == 0)
		buf_adds(b, " [value too long]");
	buf_reserve(b, 0);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
value_utf8_len(const unsigned char *s, size_t n)
{
	size_t		len, i;
	uint32_t	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Is s printable text: valid UTF-8 with no control characters other
 * than tab, CR and LF? */
bool
value_printable(const unsigned char *s, size_t n)
{
	size_t	i = 0, len;

	while (i < n) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return false;
		if (s[i] == 0x7f || (len = value_utf8_len(s + i, n - i)) == 0)
			return false;
		i += len;
	}
	return true;
}

/* Append s as a JSON string; bytes that are not valid UTF-8 become
 * \u00XX, so the output is valid JSON whatever s holds. */
void
json_string(struct buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len, start;

	buf_reserve(b, n + 2);
	buf_addc(b, '"');
	while (i < n) {
		start = i;
		while (i < n && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' &&
		    u[i] != '\\')
			i++;
		if (i > start)
			buf_add(b, s + start, i - start);
		if (i == n)
			break;
		if (u[i] == '"' || u[i] == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)u[i++]);
		} else if (u[i] == '\n') {
			buf_add(b, "\\n", 2);
			i++;
		} else if (u[i] == '\t') {
			buf_add(b, "\\t", 2);
			i++;
		} else if (u[i] == '\r') {
			buf_add(b, "\\r", 2);
			i++;
		} else if (u[i] >= 0x80 &&
		    (len = value_utf8_len(u + i, n - i)) != 0) {
			buf_add(b, s + i, len);
			i += len;
		} else {
			buf_add(b, "\\u00", 4);
			buf_addc(b, hex[u[i] >> 4]);
			buf_addc(b, hex[u[i] & 15]);
			i++;
		}
	}
	buf_addc(b, '"');
}

/* Append ,"tags":{"NAME":"VALUE",...} of a target's tags (nothing if
 * it has none): records and --changes events alike. */
void
json_tags(struct buf *b, const struct target_params *p)
{
	size_t	i;

	if (p->ntags == 0)
		return;
	buf_adds(b, ",\"tags\":{");
	for (i = 0; i < p->ntags; i++) {
		if (i != 0)
			buf_addc(b, ',');
		json_string(b, p->tags[2 * i], strlen(p->tags[2 * i]));
		buf_addc(b, ':');
		json_string(b, p->tags[2 * i + 1], strlen(p->tags[2 * i + 1]));
	}
	buf_addc(b, '}');
}

/* n octets as lower-case hex pairs joined by colons (00:1a:2b). */
void
value_hex(const unsigned char *s, size_t n, struct buf *b)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	buf_reserve(b, n * 3);
	for (i = 0; i < n; i++) {
		if (i != 0)
			buf_addc(b, ':');
		buf_addc(b, hex[s[i] >> 4]);
		buf_addc(b, hex[s[i] & 15]);
	}
}

static uint64_t
value_u64(const struct counter64 *c)
{
	return (uint64_t)(c->high & 0xffffffffu) << 32 |
	    (c->low & 0xffffffffu);
}

/*
 * The value of v without quoting, for CSV and for JSON numbers.  Sets
 * *quoted when the value is text (a JSON string) and *hexed when it is
 * bytes shown as hex.  Returns false when there is no value (NULL or an
 * exception).
 */
static bool
value_raw(const netsnmp_variable_list *v, struct buf *b, bool *quoted,
    bool *hexed)
{
	const unsigned char	*ip;
	unsigned		 i;

	*quoted = false;
	*hexed = false;
	switch (v->type) {
	case ASN_INTEGER:
		buf_add_i64(b, *v->val.integer);
		return true;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		buf_add_u64(b, (unsigned long)*v->val.integer & 0xffffffffu);
		return true;
	case ASN_COUNTER64:
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_COUNTER64:
	case ASN_OPAQUE_U64:
#endif
		buf_add_u64(b, value_u64(v->val.counter64));
		return true;
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_I64:
		buf_add_i64(b, (int64_t)value_u64(v->val.counter64));
		return true;
	case ASN_OPAQUE_FLOAT:
		if (!isfinite(*v->val.floatVal))
			return false;	/* JSON has no NaN or Infinity */
		buf_printf(b, "%.9g", (double)*v->val.floatVal);
		return true;
	case ASN_OPAQUE_DOUBLE:
		if (!isfinite(*v->val.doubleVal))
			return false;
		buf_printf(b, "%.17g", *v->val.doubleVal);
		return true;
#endif
	case ASN_IPADDRESS:
		*quoted = true;
		if (v->val_len != 4) {
			*hexed = true;
			value_hex(v->val.string, v->val_len, b);
			return true;
		}
		ip = v->val.string;
		for (i = 0; i < 4; i++) {
			if (i != 0)
				buf_addc(b, '.');
			buf_add_u64(b, ip[i]);
		}
		return true;
	case ASN_OBJECT_ID:
		*quoted = true;
		oid_format(v->val.objid, v->val_len / sizeof(oid), b);
		return true;
	case ASN_OCTET_STR:
		*quoted = true;
		if (value_printable(v->val.string, v->val_len)) {
			buf_add(b, v->val.string, v->val_len);
			return true;
		}
		/* FALLTHROUGH */
	case ASN_OPAQUE:
	case ASN_BIT_STR:
		*quoted = true;
		*hexed = true;
		value_hex(v->val.string, v->val_len, b);
		return true;
	default:
		return false;
	}
}

/* Append `"type":"T","value":V` (and `,"encoding":"hex"` for bytes). */
void
value_json(const netsnmp_variable_list *v, struct buf *b)
{
	struct buf	raw;
	size_t		mark;
	bool		quoted, hexed;

	buf_adds(b, "\"type\":\"");
	buf_adds(b, value_type_name(v->type));
	buf_adds(b, "\",\"value\":");
	if (v->type == ASN_OCTET_STR &&
	    value_printable(v->val.string, v->val_len)) {
		/* the usual string: no copy to quote it from */
		json_string(b, (const char *)v->val.string, v->val_len);
		return;
	}
	if (v->type != ASN_OCTET_STR && v->type != ASN_IPADDRESS &&
	    v->type != ASN_OBJECT_ID && v->type != ASN_OPAQUE &&
	    v->type != ASN_BIT_STR) {
		/* a number (or no value): value_raw quotes only the
		 * types above */
		mark = b->len;
		if (!value_raw(v, b, &quoted, &hexed)) {
			b->len = mark;
			buf_adds(b, "null");
		}
		return;
	}
	buf_init(&raw);
	if (!value_raw(v, &raw, &quoted, &hexed))
		buf_adds(b, "null");
	else if (quoted)
		json_string(b, raw.data, raw.len);
	else
		buf_add(b, raw.data, raw.len);
	if (hexed)
		buf_adds(b, ",\"encoding\":\"hex\"");
	buf_free(&raw);
}

/*
 * "NaN", "+Inf" or "-Inf" (the Prometheus spellings) for an Opaque Float
 * or Double that is not finite; NULL for any other value.  JSON and
 * InfluxDB have no such numbers, so value_raw() gives them no value.
 */
const char *
value_nonfinite(const netsnmp_variable_list *v)
{
	double	d;

	switch (v->type) {
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_FLOAT:
		d = *v->val.floatVal;
		break;
	case ASN_OPAQUE_DOUBLE:
		d = *v->val.doubleVal;
		break;
#endif
	default:
		return NULL;
	}
	if (isnan(d))
		return "NaN";
	if (isinf(d))
		return d > 0 ? "+Inf" : "-Inf";
	return NULL;
}

/* Append the bare value (empty for NULL and exceptions; NaN, +Inf or
 * -Inf for floats that are not finite), e.g. for CSV. */
void
value_plain(const netsnmp_variable_list *v, struct buf *b)
{
	const char	*nf;
	bool		 quoted, hexed;

	if (!value_raw(v, b, &quoted, &hexed) &&
	    (nf = value_nonfinite(v)) != NULL)
		buf_adds(b, nf);
}

/* Append just the JSON value of v: a number, a string, null, or
 * {"hex":"00:1a:.."} for bytes that are not text (table rows use it). */
void
value_json_bare(const netsnmp_variable_list *v, struct buf *b)
{
	struct buf	raw;
	bool		quoted, hexed;

	buf_init(&raw);
	if (!value_raw(v, &raw, &quoted, &hexed))
		buf_adds(b, "null");
	else if (hexed) {
		buf_adds(b, "{\"hex\":");
		json_string(b, raw.data, raw.len);
		buf_addc(b, '}');
	} else if (quoted)
		json_string(b, raw.data, raw.len);
	else
		buf_add(b, raw.data, raw.len);
	buf_free(&raw);
}

/* Append v as a plain number if it is one (integers, counters, gauges,
 * TimeTicks, floats); false, appending nothing, otherwise. */
bool
value_number(const netsnmp_variable_list *v, struct buf *b)
{
	size_t	mark = b->len;
	bool	quoted, hexed;

	if (value_raw(v, b, &quoted, &hexed) && !quoted)
		return true;
	b->len = mark;
	return false;
}
