/*
 * mib-index.c — a table cell's instance (the OID arcs after its column)
 * read back into the values of its entry's INDEX objects, as RFC 2578
 * section 7.7 codes them: an integer is one arc, an IpAddress four, a
 * fixed-size OCTET STRING its size in arcs, any other OCTET STRING or
 * OBJECT IDENTIFIER its length and then its arcs (unless IMPLIED: the
 * rest), an InetAddress as an OCTET STRING read by the InetAddressType
 * before it (RFC 4001).  And a value as its textual convention shows it
 * to people: a PhysAddress or MacAddress as 00:1A:2B:..., an address as
 * an address, text as text, other octets as 0x and hex.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "snmpfleet.h"

/* The INDEX objects of the entry of column col, into *s: 0, or -1 if
 * col is no known table's column (or its entry's index is unknown). */
int
mib_index_spec(const struct mib_obj *col, struct mib_index_spec *s)
{
	struct mib_obj	 e, base;
	const struct mib_obj *ix = &e;
	size_t		 i;

	memset(s, 0, sizeof *s);
	if (mib_entry_of(col, &e) != 0)
		return -1;
	if (e.row->augments != 0 && e.row->nindex == 0) {
		if (mib_find_name(mib_str(&e, e.row->augments), NULL,
		    &base) != 0)
			return -1;
		ix = &base;
	}
	if (ix->row->nindex == 0 || ix->row->nindex > MIB_INDEX_MAX)
		return -1;
	for (i = 0; i < ix->row->nindex; i++) {
		if (mib_index_obj(ix, i, &s->part[i].obj) != 0)
			return -1;
		s->part[i].name = mib_str(&s->part[i].obj,
		    s->part[i].obj.row->name);
		s->part[i].kind = mib_index_kind(&s->part[i].obj,
		    ix->row->implied && i + 1 == ix->row->nindex);
		s->part[i].mac = mib_is_mac(&s->part[i].obj);
		if (s->part[i].kind == MIB_IX_UNKNOWN)
			return -1;
	}
	s->n = ix->row->nindex;
	return 0;
}

/* Is o's textual convention a hardware address? */
bool
mib_is_mac(const struct mib_obj *o)
{
	const char	*tc = mib_str(o, o->row->tc);

	return strcmp(tc, "PhysAddress") == 0 ||
	    strcmp(tc, "MacAddress") == 0;
}

/*
 * Octets as people read them, into b: a hardware address (mac: its
 * convention says so, mib_is_mac) as colon-separated upper-case hex
 * pairs (as snmp_exporter's PhysAddress48), printable text as it is,
 * anything else as 0x and upper-case hex.
 */
void
mib_format_octets(bool mac, const u_char *p, size_t n, struct buf *b)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;

	if (!mac && value_printable(p, n)) {
		buf_add(b, p, n);
		return;
	}
	if (!mac)
		buf_add(b, "0x", 2);
	for (i = 0; i < n; i++) {
		if (mac && i != 0)
			buf_addc(b, ':');
		buf_addc(b, hex[p[i] >> 4]);
		buf_addc(b, hex[p[i] & 15]);
	}
}

/* An address of InetAddressType type (RFC 4001: 1 ipv4, 2 ipv6, 3 and
 * 4 with a zone index, 16 dns), into b; false if it is not one. */
static bool
mib_format_inet(long type, const u_char *p, size_t n, struct buf *b)
{
	char		text[INET6_ADDRSTRLEN];
	uint32_t	zone;

	if ((type == 1 && n == 4) || (type == 3 && n == 8)) {
		inet_ntop(AF_INET, p, text, sizeof text);
		buf_adds(b, text);
	} else if ((type == 2 && n == 16) || (type == 4 && n == 20)) {
		inet_ntop(AF_INET6, p, text, sizeof text);
		buf_adds(b, text);
	} else if (type == 16 && value_printable(p, n)) {
		buf_add(b, p, n);
		return true;
	} else
		return false;
	if (type == 3 || type == 4) {
		memcpy(&zone, p + n - 4, 4);
		buf_printf(b, "%%%u", (unsigned)ntohl(zone));
	}
	return true;
}

/* n arcs at sfx as octets (each must be 0-255) into o: false if not. */
static bool
mib_arcs_octets(const oid *sfx, size_t n, u_char *o)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (sfx[i] > 255)
			return false;
		o[i] = (u_char)sfx[i];
	}
	return true;
}

/* Octets of INDEX object p as a value of a jsonl row shows them (the
 * way mib-value.c's "display" does): an address of its InetAddressType,
 * text as text, through the object's hint or convention (a MacAddress
 * 00:1a:2b:...), else hex pairs. */
static enum mib_show
mib_index_shown(const struct mib_index_part *p, long inet_type,
    const u_char *o, size_t n, struct buf *t)
{
	bool	printable = value_printable(o, n);

	if (p->kind == MIB_IX_INETADDR && mib_format_inet(inet_type, o, n, t))
		return MIB_SHOW_TEXT;
	if (printable && !p->mac && (mib_value_text_hint(&p->obj) ||
	    mib_str(&p->obj, p->obj.row->hint)[0] == '\0'))
		buf_add(t, o, n);
	else if (mib_value_shown(&p->obj, o, n, t) != 0) {
		t->len = 0;
		if (!printable || p->mac) {
			value_hex(o, n, t);
			return MIB_SHOW_HEX;
		}
		buf_add(t, o, n);
	}
	return MIB_SHOW_TEXT;
}

/*
 * Read instance sfx (len arcs) by spec s: fn(arg, part, show, text, n)
 * once per INDEX object, in order, the value shown as labels show it
 * (values: false, mib_format_octets) or as row values do (true,
 * mib_index_shown).  0, or -1 (fn may have been called for some) if
 * the arcs do not fit the spec, or are left over.
 */
static int
mib_index_read(const struct mib_index_spec *s, const oid *sfx, size_t len,
    bool values, void (*fn)(void *, const struct mib_index_part *,
    enum mib_show, const char *, size_t), void *arg)
{
	const struct mib_index_part	*p;
	struct buf			 t;
	u_char				 o[MAX_OID_LEN];
	size_t				 i, at = 0, n;
	long				 inet_type = 0;
	enum mib_show			 show;
	int				 rc = 0;

	buf_init(&t);
	for (i = 0; i < s->n && rc == 0; i++) {
		p = &s->part[i];
		t.len = 0;
		show = MIB_SHOW_TEXT;
		switch (p->kind) {
		case MIB_IX_INTEGER:
		case MIB_IX_INETTYPE:
			if (at >= len) {
				rc = -1;
				break;
			}
			inet_type = (long)sfx[at];
			buf_add_u64(&t, sfx[at++]);
			show = MIB_SHOW_NUMBER;
			break;
		case MIB_IX_IPADDR:
			if (len - at < 4 || !mib_arcs_octets(sfx + at, 4, o)) {
				rc = -1;
				break;
			}
			oid_format(sfx + at, 4, &t);
			at += 4;
			break;
		case MIB_IX_OID:
		case MIB_IX_IMPLIED_OID:
			n = p->kind == MIB_IX_OID ? (at < len ? sfx[at++] :
			    SIZE_MAX) : len - at;
			if (n > len - at) {
				rc = -1;
				break;
			}
			oid_format(sfx + at, n, &t);
			at += n;
			break;
		default:	/* octets: fixed, length first, implied, inet */
			if (p->kind == MIB_IX_FIXED)
				n = p->obj.row->fixed;
			else if (p->kind == MIB_IX_IMPLIED)
				n = len - at;
			else
				n = at < len ? sfx[at++] : SIZE_MAX;
			if (n > len - at || !mib_arcs_octets(sfx + at, n, o)) {
				rc = -1;
				break;
			}
			if (values)
				show = mib_index_shown(p, inet_type, o, n, &t);
			else if (p->kind != MIB_IX_INETADDR ||
			    !mib_format_inet(inet_type, o, n, &t))
				mib_format_octets(p->mac, o, n, &t);
			at += n;
			break;
		}
		if (rc == 0)
			fn(arg, p, show, t.data != NULL ? t.data : "", t.len);
	}
	buf_free(&t);
	return rc == 0 && at == len ? 0 : -1;
}

/* mib_index_decode's callback, through mib_index_read's. */
struct mib_index_label {
	void	(*fn)(void *, const struct mib_index_part *, const char *,
		    size_t);
	void	*arg;
};

static void
mib_index_label_cb(void *arg, const struct mib_index_part *p,
    enum mib_show show, const char *text, size_t n)
{
	struct mib_index_label	*l = arg;

	(void)show;
	l->fn(l->arg, p, text, n);
}

/*
 * Read instance sfx (len arcs) by spec s: fn(arg, part, text, n) once
 * per INDEX object, in order, shown as labels are (a hardware address
 * 00:1A:2B:..., mib_format_octets).  0, or -1 (fn may have been called
 * for some) if the arcs do not fit the spec, or are left over.
 */
int
mib_index_decode(const struct mib_index_spec *s, const oid *sfx, size_t len,
    void (*fn)(void *, const struct mib_index_part *, const char *, size_t),
    void *arg)
{
	struct mib_index_label	l = { fn, arg };

	return mib_index_read(s, sfx, len, false, mib_index_label_cb, &l);
}

/*
 * As mib_index_decode, the values shown as jsonl and csv rows show
 * values (an integer as a number, a MacAddress as 00:1a:2b:...,
 * octets with no hint that are not text as hex pairs), with how.
 */
int
mib_index_values(const struct mib_index_spec *s, const oid *sfx, size_t len,
    void (*fn)(void *, const struct mib_index_part *, enum mib_show,
    const char *, size_t), void *arg)
{
	return mib_index_read(s, sfx, len, true, fn, arg);
}
