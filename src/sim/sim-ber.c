/*
 * sim-ber.c — the sim's own BER codec: a parser for the one shape a v1 or
 * v2c request has (SEQUENCE { version, community, PDU { request-id, two
 * integers, SEQUENCE OF { OID, value } } }) and the encoders responses are
 * written with.
 *
 * Why not net-snmp's codec, as snmpfleet itself uses: the sim must answer
 * well over 150,000 requests/s on one core, and net-snmp's decode
 * (snmp_comstr_parse + snmp_pdu_parse, which mallocs every varbind) plus
 * encode (snmp_build) cost several times this codec's CPU per request;
 * `snmpfleet-sim --bench-codec N` (sim-bench.c) measures both on this
 * machine, and the README/man page quote the numbers.  This parser never
 * allocates: varbinds point into the datagram, and the request-id and
 * community are echoed byte for byte.
 */
#include "config.h"

#include <string.h>

#include "sim.h"

/* The TLV at p: its tag, and its content (returned) and length; NULL if
 * it does not fit before end or uses a form SNMP never does. */
static const uint8_t *
sim_ber_tlv(const uint8_t *p, const uint8_t *end, uint8_t *tag, size_t *len)
{
	size_t	 l, n;

	if (end - p < 2)
		return NULL;
	*tag = *p++;
	l = *p++;
	if (l & 0x80) {
		n = l & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - p) < n)
			return NULL;	/* indefinite, or absurdly long */
		for (l = 0; n > 0; n--)
			l = l << 8 | *p++;
	}
	if (l > (size_t)(end - p))
		return NULL;
	*len = l;
	return p;
}

/* An INTEGER's value; false if p is not an INTEGER of 1 to 8 octets. */
static bool
sim_ber_int(const uint8_t **pp, const uint8_t *end, int64_t *v)
{
	const uint8_t	*c;
	uint8_t		 tag;
	size_t		 len, i;
	uint64_t	 u;

	if ((c = sim_ber_tlv(*pp, end, &tag, &len)) == NULL ||
	    tag != SIM_INTEGER || len == 0 || len > 8)
		return false;
	u = (c[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < len; i++)
		u = u << 8 | c[i];
	*v = (int64_t)u;
	*pp = c + len;
	return true;
}

/* An OID's content octets into sub-identifiers. */
static bool
sim_ber_oid(const uint8_t *c, size_t len, uint32_t *oid, size_t *oidlen)
{
	size_t		 n = 0, i;
	uint64_t	 v = 0;
	bool		 first = true;

	for (i = 0; i < len; i++) {
		v = v << 7 | (c[i] & 0x7f);
		if (v > UINT32_MAX)
			return false;
		if (c[i] & 0x80)
			continue;
		if (n + (first ? 2 : 1) > SIM_MAX_OID)
			return false;
		if (first) {
			oid[n++] = v < 40 ? 0 : v < 80 ? 1 : 2;
			oid[n] = (uint32_t)(v - 40 * oid[n - 1]);
			n++;
			first = false;
		} else
			oid[n++] = (uint32_t)v;
		v = 0;
	}
	if (len > 0 && (c[len - 1] & 0x80))
		return false;		/* a sub-identifier never ends */
	*oidlen = n;
	return true;
}

static enum sim_parse
sim_ber_varbinds(const uint8_t *p, const uint8_t *end, struct sim_request *r,
    size_t maxvars)
{
	const uint8_t		*c, *o, *v;
	uint8_t			 tag;
	size_t			 len, olen, vlen;
	struct sim_varbind	*vb;

	r->nvars = 0;
	while (p < end) {
		if (r->nvars == maxvars)
			return SIM_PARSE_ERROR;
		if ((c = sim_ber_tlv(p, end, &tag, &len)) == NULL ||
		    tag != SIM_SEQUENCE)
			return SIM_PARSE_ERROR;
		vb = &r->vars[r->nvars++];
		vb->raw = p;
		vb->rawlen = (size_t)(c + len - p);
		/* { OID, value } and nothing more: net-snmp reads bytes
		 * after the value as the next varbind, so answering them as
		 * one would answer a different request (fuzz-simber) */
		if ((o = sim_ber_tlv(c, c + len, &tag, &olen)) == NULL ||
		    tag != SIM_OID || (v = sim_ber_tlv(o + olen, c + len,
		    &tag, &vlen)) == NULL || v + vlen != c + len)
			return SIM_PARSE_ERROR;
		vb->oidraw = o;
		vb->oidrawlen = olen;
		if (!sim_ber_oid(o, olen, vb->oid, &vb->oidlen))
			return SIM_PARSE_ERROR;
		p = c + len;
	}
	return SIM_PARSE_OK;
}

/* Parse one datagram into r, whose vars has room for maxvars varbinds. */
enum sim_parse
sim_ber_parse(const uint8_t *data, size_t size, struct sim_request *r,
    size_t maxvars)
{
	const uint8_t	*p, *end, *c;
	uint8_t		 tag;
	size_t		 len;
	int64_t		 v;

	if ((p = sim_ber_tlv(data, data + size, &tag, &len)) == NULL ||
	    tag != SIM_SEQUENCE)
		return SIM_PARSE_ERROR;
	end = p + len;
	if (!sim_ber_int(&p, end, &v))
		return SIM_PARSE_ERROR;
	if (v != SIM_V1 && v != SIM_V2C)
		return SIM_PARSE_VERSION;
	r->version = (int)v;
	if ((c = sim_ber_tlv(p, end, &tag, &len)) == NULL || tag != SIM_OCTETS)
		return SIM_PARSE_ERROR;
	r->community = c;
	r->communitylen = len;
	if ((p = sim_ber_tlv(c + len, end, &tag, &len)) == NULL)
		return SIM_PARSE_ERROR;
	end = p + len;
	r->pdu = tag;
	r->reqid = p;
	if (!sim_ber_int(&p, end, &v) || v < INT32_MIN || v > INT32_MAX ||
	    (size_t)(p - r->reqid) > 16)
		return SIM_PARSE_ERROR;
	r->reqidlen = (size_t)(p - r->reqid);
	if (!sim_ber_int(&p, end, &v))
		return SIM_PARSE_ERROR;
	r->nonrep = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (long)v;
	if (!sim_ber_int(&p, end, &v))
		return SIM_PARSE_ERROR;
	r->maxrep = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (long)v;
	if ((c = sim_ber_tlv(p, end, &tag, &len)) == NULL ||
	    tag != SIM_SEQUENCE)
		return SIM_PARSE_ERROR;
	if (sim_ber_varbinds(c, c + len, r, maxvars) != SIM_PARSE_OK)
		return SIM_PARSE_ERROR;
	switch (r->pdu) {
	case SIM_PDU_GET:
	case SIM_PDU_GETNEXT:
	case SIM_PDU_SET:
		return SIM_PARSE_OK;
	case SIM_PDU_GETBULK:
		return r->version == SIM_V2C ? SIM_PARSE_OK : SIM_PARSE_PDU;
	default:
		return SIM_PARSE_PDU;
	}
}

/* Octets a definite length of n takes. */
size_t
sim_ber_len_size(size_t n)
{
	if (n < 0x80)
		return 1;
	if (n < 0x100)
		return 2;
	if (n < 0x10000)
		return 3;
	return n < 0x1000000 ? 4 : 5;
}

uint8_t *
sim_ber_put_len(uint8_t *p, size_t n)
{
	size_t	 k = sim_ber_len_size(n) - 1;

	if (k == 0) {
		*p++ = (uint8_t)n;
		return p;
	}
	*p++ = (uint8_t)(0x80 | k);
	while (k-- > 0)
		*p++ = (uint8_t)(n >> (8 * k));
	return p;
}

/* Content octets of a two's complement integer. */
size_t
sim_ber_int_size(int64_t v)
{
	size_t	 n = 1;

	while (n < 8 && (v < -(INT64_C(1) << (8 * n - 1)) ||
	    v >= (INT64_C(1) << (8 * n - 1))))
		n++;
	return n;
}

/* Content octets of an unsigned value (a leading zero when the top bit
 * is set, as Counter32, Gauge32, TimeTicks and Counter64 need). */
size_t
sim_ber_uint_size(uint64_t u)
{
	size_t	 n = 1;

	while (n < 9 && (u >> (8 * n - 1)) != 0)
		n++;
	return n;
}

uint8_t *
sim_ber_put_int(uint8_t *p, uint8_t tag, int64_t v)
{
	size_t	 n = sim_ber_int_size(v);

	*p++ = tag;
	*p++ = (uint8_t)n;
	while (n-- > 0)
		*p++ = (uint8_t)((uint64_t)v >> (8 * n));
	return p;
}

uint8_t *
sim_ber_put_uint(uint8_t *p, uint8_t tag, uint64_t u)
{
	size_t	 n = sim_ber_uint_size(u);

	*p++ = tag;
	*p++ = (uint8_t)n;
	if (n == 9) {
		*p++ = 0;
		n--;
	}
	while (n-- > 0)
		*p++ = (uint8_t)(u >> (8 * n));
	return p;
}

size_t
sim_ber_subid_size(uint32_t v)
{
	size_t	 n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

uint8_t *
sim_ber_put_subid(uint8_t *p, uint32_t v)
{
	size_t	 n = sim_ber_subid_size(v);

	while (n-- > 1)
		*p++ = (uint8_t)(0x80 | (v >> (7 * n)));
	*p++ = v & 0x7f;
	return p;
}

/* Content octets of an OID (the first two sub-ids share one). */
size_t
sim_ber_oid_size(const uint32_t *oid, size_t len)
{
	size_t	 n, i;

	if (len < 2)
		return len == 0 ? 0 : sim_ber_subid_size(oid[0] * 40);
	n = sim_ber_subid_size(oid[0] * 40 + oid[1]);
	for (i = 2; i < len; i++)
		n += sim_ber_subid_size(oid[i]);
	return n;
}

/* The content octets only (no tag, no length). */
uint8_t *
sim_ber_put_oid(uint8_t *p, const uint32_t *oid, size_t len)
{
	size_t	 i;

	if (len < 2)
		return len == 0 ? p : sim_ber_put_subid(p, oid[0] * 40);
	p = sim_ber_put_subid(p, oid[0] * 40 + oid[1]);
	for (i = 2; i < len; i++)
		p = sim_ber_put_subid(p, oid[i]);
	return p;
}
