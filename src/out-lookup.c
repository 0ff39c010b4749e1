/*
 * out-lookup.c — what formats share to show rows with meaning: the
 * lookups of a record (--label, a profile's label key: a column of
 * another table with the same index, such as ifName), found by index,
 * and a string, address or OID value as label or tag text the way
 * snmp_exporter writes it.  Used by out-prom.c, out-influx.c and
 * rows.c (jsonl and csv rows).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* Order of lookups: by index, then label. */
static int
out_lookup_cmp(const void *a, const void *b)
{
	const struct out_lookup	*x = a, *y = b;
	int			 c;

	c = snmp_oid_compare(x->index, x->len, y->index, y->len);
	if (c != 0)
		return c;
	return x->li < y->li ? -1 : (x->li > y->li);
}

/* Which of plan's lookup columns v is a cell of: its number, or
 * plan->nlabels if none. */
size_t
out_lookup_column(const struct fetch_plan *plan,
    const netsnmp_variable_list *v)
{
	const struct oid_text	*o;
	size_t			 k;

	for (k = 0; k < plan->nlabels; k++) {
		o = &plan->labels[k].oid;
		if (v->name_length > o->len && oid_is_prefix(o->v, o->len,
		    v->name, v->name_length))
			break;
	}
	return k;
}

/* The record's lookup values (vars under a plan label's column), sorted
 * by index: *n of them, to free. */
struct out_lookup *
out_lookups(const struct fetch_plan *plan, const struct result *r,
    size_t *n)
{
	const netsnmp_variable_list	*v;
	struct out_lookup		*l = NULL;
	size_t				 i, k, cap = 0;

	*n = 0;
	if (plan == NULL || plan->nlabels == 0)
		return NULL;
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			k = out_lookup_column(plan, v);
			if (k == plan->nlabels || value_is_exception(v->type))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				l = xreallocarray(l, cap, sizeof *l);
			}
			l[*n].li = k;
			l[*n].index = v->name + plan->labels[k].oid.len;
			l[*n].len = v->name_length - plan->labels[k].oid.len;
			l[(*n)++].v = v;
		}
	}
	if (*n > 1)
		qsort(l, *n, sizeof *l, out_lookup_cmp);
	return l;
}

/* The first of l (n, sorted) whose index is index, or l + n.  Not
 * with n 0 (l may be NULL then, and l + 0 undefined). */
const struct out_lookup *
out_lookup_find(const struct out_lookup *l, size_t n, const oid *index,
    size_t len)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (snmp_oid_compare(l[mid].index, l[mid].len, index, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return l + lo;
}

/* Lookup column i of plan: the name its MIB gives it (else as given)
 * and whether it holds hardware addresses. */
const char *
out_lookup_name(const struct fetch_plan *plan, size_t i, bool *mac)
{
	struct mib_obj	o;
	size_t		matched;

	*mac = false;
	if (mib_find_oid(plan->labels[i].oid.v, plan->labels[i].oid.len, &o,
	    &matched) != 0 || matched != plan->labels[i].oid.len)
		return plan->labels[i].name;
	*mac = mib_is_mac(&o);
	return mib_str(&o, o.row->name);
}

/* A string, address or OID value as a label value, as snmp_exporter
 * writes them: a hardware address (is_mac: its convention says so) as
 * 00:1A:..., text as is, other octets as 0x and hex; an OID
 * dotted without the leading dot, an IpAddress dotted.  False for
 * numbers. */
bool
out_lookup_text(const netsnmp_variable_list *v, bool is_mac, struct buf *b)
{
	u_char	mac[6] = { 0 };

	switch (v->type) {
	case ASN_OCTET_STR:
		/* snmp_exporter shows a shorter hardware address (an
		 * interface without one: empty) as six bytes, zeros after */
		if (is_mac && v->val_len < sizeof mac) {
			if (v->val_len != 0)
				memcpy(mac, v->val.string, v->val_len);
			mib_format_octets(true, mac, sizeof mac, b);
		} else
			mib_format_octets(is_mac, v->val.string, v->val_len,
			    b);
		return true;
	case ASN_OBJECT_ID:
		oid_format(v->val.objid, v->val_len / sizeof(oid), b);
		return true;
	case ASN_IPADDRESS:
		if (v->val_len != 4)
			return false;
		buf_printf(b, "%u.%u.%u.%u", v->val.string[0],
		    v->val.string[1], v->val.string[2], v->val.string[3]);
		return true;
	default:
		return false;
	}
}
