/*
 * sim-reply.c — the Response to one parsed request, as an agent would
 * send it: GET, GETNEXT and GETBULK (v2c) with v1's noSuchName and v2c's
 * exceptions, SET refused, and a cap on the response's size.
 *
 * Varbinds are encoded forward after a headroom; the message header (whose
 * lengths are known only then) is written last, just before them.  The
 * size rule follows RFC 1157 / RFC 3416: a GET or GETNEXT response that
 * would exceed --max-size becomes tooBig (v1: the request's varbinds
 * echoed; v2c: none), a GETBULK response is truncated to the varbinds
 * that fit.  The request-id and community are copied byte for byte.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

/* GETBULK: where each repeater stands. */
struct sim_cursor {
	const struct sim_obj	*obj;	/* NULL: still at the request's OID */
	uint32_t		 idx;
	bool			 ended;
};

/* A response being built. */
struct sim_out {
	const struct sim_request	*req;
	uint8_t				*vb;	/* first varbind */
	uint8_t				*p;	/* where the next one goes */
	size_t				 max_size;
};

/* An OID to put in a varbind: raw content octets, or an object's
 * content octets followed by its instance's sub-ids. */
struct sim_name {
	const uint8_t	*enc;
	size_t		 enclen;
	size_t		 nsub;
	uint32_t	 sub[SIM_INDEX_MAX];
};

void
sim_reply_init(struct sim_reply_ctx *ctx, size_t max_size)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->max_size = max_size;
	ctx->cursors = xcalloc(SIM_MAX_VARS, sizeof *ctx->cursors);
}

void
sim_reply_free(struct sim_reply_ctx *ctx)
{
	free(ctx->cursors);
	ctx->cursors = NULL;
}

/* Room the header may need before the varbinds. */
size_t
sim_reply_headroom(size_t communitylen)
{
	return 64 + communitylen;
}

/* The whole message's size, for varbinds of vbl octets. */
static size_t
sim_reply_size(const struct sim_request *r, size_t vbl, long errindex)
{
	size_t	 pdu, msg;

	pdu = r->reqidlen + 3 + 2 + sim_ber_int_size(errindex) +
	    1 + sim_ber_len_size(vbl) + vbl;
	msg = 3 + 1 + sim_ber_len_size(r->communitylen) + r->communitylen +
	    1 + sim_ber_len_size(pdu) + pdu;
	return 1 + sim_ber_len_size(msg) + msg;
}

/* Write the header just before the varbinds; returns the message start. */
static uint8_t *
sim_reply_header(struct sim_out *o, int errstat, long errindex)
{
	const struct sim_request	*r = o->req;
	size_t				 vbl = (size_t)(o->p - o->vb), pdu, msg;
	uint8_t				*start, *p;

	pdu = r->reqidlen + 3 + 2 + sim_ber_int_size(errindex) +
	    1 + sim_ber_len_size(vbl) + vbl;
	msg = 3 + 1 + sim_ber_len_size(r->communitylen) + r->communitylen +
	    1 + sim_ber_len_size(pdu) + pdu;
	start = p = o->vb - (sim_reply_size(r, vbl, errindex) - vbl);
	*p++ = SIM_SEQUENCE;
	p = sim_ber_put_len(p, msg);
	p = sim_ber_put_int(p, SIM_INTEGER, r->version);
	*p++ = SIM_OCTETS;
	p = sim_ber_put_len(p, r->communitylen);
	memcpy(p, r->community, r->communitylen);
	p += r->communitylen;
	*p++ = SIM_PDU_RESPONSE;
	p = sim_ber_put_len(p, pdu);
	memcpy(p, r->reqid, r->reqidlen);
	p += r->reqidlen;
	p = sim_ber_put_int(p, SIM_INTEGER, errstat);
	p = sim_ber_put_int(p, SIM_INTEGER, errindex);
	*p++ = SIM_SEQUENCE;
	sim_ber_put_len(p, vbl);
	return start;
}

static size_t
sim_value_size(const struct sim_value *v)
{
	size_t	 n;

	switch (v->type) {
	case SIM_INTEGER:
		return 2 + sim_ber_int_size(v->i);
	case SIM_OCTETS:
	case SIM_IPADDRESS:
		return 1 + sim_ber_len_size(v->slen) + v->slen;
	case SIM_OID:
		n = sim_ber_oid_size(v->oid, v->oidlen);
		return 1 + sim_ber_len_size(n) + n;
	case SIM_COUNTER32:
	case SIM_GAUGE32:
	case SIM_TIMETICKS:
	case SIM_COUNTER64:
		return 2 + sim_ber_uint_size(v->u);
	default:	/* NULL and the exceptions */
		return 2;
	}
}

static uint8_t *
sim_value_put(uint8_t *p, const struct sim_value *v)
{
	switch (v->type) {
	case SIM_INTEGER:
		return sim_ber_put_int(p, SIM_INTEGER, v->i);
	case SIM_OCTETS:
	case SIM_IPADDRESS:
		*p++ = v->type;
		p = sim_ber_put_len(p, v->slen);
		memcpy(p, v->s, v->slen);
		return p + v->slen;
	case SIM_OID:
		*p++ = SIM_OID;
		p = sim_ber_put_len(p, sim_ber_oid_size(v->oid, v->oidlen));
		return sim_ber_put_oid(p, v->oid, v->oidlen);
	case SIM_COUNTER32:
	case SIM_GAUGE32:
	case SIM_TIMETICKS:
	case SIM_COUNTER64:
		return sim_ber_put_uint(p, v->type, v->u);
	default:
		*p++ = v->type;
		*p++ = 0;
		return p;
	}
}

/* Append one varbind; false (and nothing written) if the message would
 * then exceed the size limit. */
static bool
sim_out_add(struct sim_out *o, const struct sim_name *n,
    const struct sim_value *v)
{
	size_t	 olen = n->enclen, content, tlv, i;

	for (i = 0; i < n->nsub; i++)
		olen += sim_ber_subid_size(n->sub[i]);
	content = 1 + sim_ber_len_size(olen) + olen + sim_value_size(v);
	tlv = 1 + sim_ber_len_size(content) + content;
	if (sim_reply_size(o->req, (size_t)(o->p - o->vb) + tlv, 0) >
	    o->max_size)
		return false;
	*o->p++ = SIM_SEQUENCE;
	o->p = sim_ber_put_len(o->p, content);
	*o->p++ = SIM_OID;
	o->p = sim_ber_put_len(o->p, olen);
	memcpy(o->p, n->enc, n->enclen);
	o->p += n->enclen;
	for (i = 0; i < n->nsub; i++)
		o->p = sim_ber_put_subid(o->p, n->sub[i]);
	o->p = sim_value_put(o->p, v);
	return true;
}

static void
sim_name_raw(struct sim_name *n, const struct sim_varbind *vb)
{
	n->enc = vb->oidraw;
	n->enclen = vb->oidrawlen;
	n->nsub = 0;
}

/* obj's instance at row on device d. */
static void
sim_name_obj(struct sim_name *n, const struct sim_device *d,
    const struct sim_obj *obj, uint32_t row)
{
	n->enc = obj->enc;
	n->enclen = obj->enclen;
	n->nsub = sim_mib_instance(d, obj, row, n->sub);
}

/* An error response: the request's varbinds echoed (when echo is set and
 * they fit), else none. */
static uint8_t *
sim_out_error(struct sim_out *o, int errstat, long errindex, bool echo)
{
	const struct sim_request	*r = o->req;
	size_t				 i, total = 0;

	o->p = o->vb;
	if (echo) {
		for (i = 0; i < r->nvars; i++)
			total += r->vars[i].rawlen;
		if (sim_reply_size(r, total, errindex) > o->max_size)
			echo = false;
	}
	for (i = 0; echo && i < r->nvars; i++) {
		memcpy(o->p, r->vars[i].raw, r->vars[i].rawlen);
		o->p += r->vars[i].rawlen;
	}
	return sim_reply_header(o, errstat, errindex);
}

static uint8_t *
sim_out_toobig(struct sim_out *o)
{
	return sim_out_error(o, SIM_ERR_TOOBIG, 0, o->req->version == SIM_V1);
}

static uint8_t *
sim_reply_get(const struct sim_reply_ctx *ctx, struct sim_out *o,
    const struct sim_device *d)
{
	const struct sim_request	*r = o->req;
	const struct sim_obj		*obj;
	struct sim_value		 v;
	struct sim_name			 n;
	uint32_t			 idx;
	enum sim_get			 g;
	size_t				 i;

	for (i = 0; i < r->nvars; i++) {
		g = sim_mib_get(d, r->vars[i].oid, r->vars[i].oidlen,
		    r->version == SIM_V1, &obj, &idx);
		if (g == SIM_GET_FOUND)
			sim_device_value(d, obj, idx, ctx->now_ns, &v);
		else if (r->version == SIM_V1)
			return sim_out_error(o, SIM_ERR_NOSUCHNAME,
			    (long)i + 1, true);
		else
			v.type = g == SIM_GET_NOOBJECT ? SIM_NOSUCHOBJECT :
			    SIM_NOSUCHINSTANCE;
		sim_name_raw(&n, &r->vars[i]);
		if (!sim_out_add(o, &n, &v))
			return sim_out_toobig(o);
	}
	return sim_reply_header(o, 0, 0);
}

/* The value after q for one GETNEXT varbind (or, when from is set, after
 * from's instance idx): into n and v, and where it stands into *objp and
 * *idxp; false at the end of the MIB. */
static bool
sim_reply_next1(const struct sim_reply_ctx *ctx, const struct sim_device *d,
    const struct sim_varbind *q, const struct sim_obj *from, bool v1,
    struct sim_name *n, struct sim_value *v, const struct sim_obj **objp,
    uint32_t *idxp)
{
	const struct sim_obj	*obj;
	uint32_t		 idx;

	if (from != NULL ? !sim_mib_next_after(from, *idxp, v1, &obj, &idx) :
	    !sim_mib_next(d, q->oid, q->oidlen, v1, &obj, &idx))
		return false;
	sim_device_value(d, obj, idx, ctx->now_ns, v);
	sim_name_obj(n, d, obj, idx);
	*objp = obj;
	*idxp = idx;
	return true;
}

static uint8_t *
sim_reply_getnext(const struct sim_reply_ctx *ctx, struct sim_out *o,
    const struct sim_device *d)
{
	const struct sim_request	*r = o->req;
	const struct sim_obj		*obj;
	struct sim_value		 v;
	struct sim_name			 n;
	uint32_t			 idx;
	size_t				 i;

	for (i = 0; i < r->nvars; i++) {
		if (!sim_reply_next1(ctx, d, &r->vars[i], NULL,
		    r->version == SIM_V1, &n, &v, &obj, &idx)) {
			if (r->version == SIM_V1)
				return sim_out_error(o, SIM_ERR_NOSUCHNAME,
				    (long)i + 1, true);
			sim_name_raw(&n, &r->vars[i]);
			v.type = SIM_ENDOFMIBVIEW;
		}
		if (!sim_out_add(o, &n, &v))
			return sim_out_toobig(o);
	}
	return sim_reply_header(o, 0, 0);
}

/* One repetition of one GETBULK repeater; false when it did not fit. */
static bool
sim_reply_repeat(const struct sim_reply_ctx *ctx, struct sim_out *o,
    const struct sim_device *d, const struct sim_varbind *vb,
    struct sim_cursor *c)
{
	struct sim_value	 v;
	struct sim_name		 n;

	if (c->ended || !sim_reply_next1(ctx, d, vb, c->obj, false, &n, &v,
	    &c->obj, &c->idx)) {
		c->ended = true;
		if (c->obj != NULL)
			sim_name_obj(&n, d, c->obj, c->idx);
		else
			sim_name_raw(&n, vb);
		v.type = SIM_ENDOFMIBVIEW;
	}
	return sim_out_add(o, &n, &v);
}

static uint8_t *
sim_reply_getbulk(const struct sim_reply_ctx *ctx, struct sim_out *o,
    const struct sim_device *d)
{
	const struct sim_request	*r = o->req;
	struct sim_cursor		*c = ctx->cursors;
	const struct sim_obj		*obj;
	struct sim_value		 v;
	struct sim_name			 n;
	uint32_t			 idx;
	size_t				 nonrep, nrep, i;
	long				 rep;
	bool				 all_ended;

	nonrep = (size_t)r->nonrep < r->nvars ? (size_t)r->nonrep : r->nvars;
	nrep = r->nvars - nonrep;
	for (i = 0; i < nonrep; i++) {
		if (!sim_reply_next1(ctx, d, &r->vars[i], NULL, false, &n, &v,
		    &obj, &idx)) {
			sim_name_raw(&n, &r->vars[i]);
			v.type = SIM_ENDOFMIBVIEW;
		}
		if (!sim_out_add(o, &n, &v))
			return sim_reply_header(o, 0, 0);
	}
	memset(c, 0, nrep * sizeof *c);
	for (rep = 0; nrep > 0 && rep < r->maxrep; rep++) {
		all_ended = true;
		for (i = 0; i < nrep; i++) {
			if (!sim_reply_repeat(ctx, o, d, &r->vars[nonrep + i],
			    &c[i]))
				return sim_reply_header(o, 0, 0);
			all_ended = all_ended && c[i].ended;
		}
		if (all_ended)
			break;
	}
	return sim_reply_header(o, 0, 0);
}

/*
 * Build the response to r from device d into buf (bufsize octets, at least
 * sim_reply_headroom(r->communitylen) + ctx->max_size); *start is set to
 * the message, whose length is returned.
 */
size_t
sim_reply_build(const struct sim_reply_ctx *ctx, const struct sim_request *r,
    const struct sim_device *d, uint8_t *buf, size_t bufsize, uint8_t **start)
{
	struct sim_out	 o;
	uint8_t		*s;

	o.req = r;
	o.vb = o.p = buf + sim_reply_headroom(r->communitylen);
	o.max_size = ctx->max_size;
	switch (r->pdu) {
	case SIM_PDU_GET:
		s = sim_reply_get(ctx, &o, d);
		break;
	case SIM_PDU_GETNEXT:
		s = sim_reply_getnext(ctx, &o, d);
		break;
	case SIM_PDU_GETBULK:
		s = sim_reply_getbulk(ctx, &o, d);
		break;
	default:	/* SET: every object is read-only */
		s = sim_out_error(&o, r->version == SIM_V1 ?
		    SIM_ERR_NOSUCHNAME : SIM_ERR_NOTWRITABLE,
		    r->nvars > 0 ? 1 : 0, true);
		break;
	}
	*start = s;
	return (size_t)(o.p - s);
}
