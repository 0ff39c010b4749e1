/*
 * fetch.c — what to ask one target, request by request: the run's OIDs
 * packed into GETs of at most --max-oids, halved and asked again when the
 * agent answers tooBig; a v1 noSuchName drops that one OID (recorded as
 * noSuchObject) and asks again for the rest.  Values land in the result
 * in the order they were asked for.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

void
result_init(struct result *r)
{
	memset(r, 0, sizeof *r);
}

void
result_free(struct result *r)
{
	if (r->vars != NULL)
		snmp_free_varbind(r->vars);
	free(r->error);
	result_init(r);
}

/* Take ownership of the list vars and append it. */
void
result_append(struct result *r, netsnmp_variable_list *vars)
{
	if (vars == NULL)
		return;
	if (r->last != NULL)
		r->last->next_variable = vars;
	else
		r->vars = vars;
	while (vars->next_variable != NULL)
		vars = vars->next_variable;
	r->last = vars;
}

void
fetch_start(struct fetch *f, const struct fetch_plan *plan, long version)
{
	memset(f, 0, sizeof *f);
	f->plan = plan;
	f->version = version;
	f->chunk = plan->max_oids;
	f->hole = SIZE_MAX;
}

void
fetch_free(struct fetch *f)
{
	memset(f, 0, sizeof *f);
}

/* The next request, or NULL when every OID has been answered. */
netsnmp_pdu *
fetch_next_pdu(struct fetch *f)
{
	const struct fetch_plan	*plan = f->plan;
	netsnmp_pdu		*pdu;
	size_t			 n, i, end;

	if (f->next >= plan->noids)
		return NULL;
	end = plan->noids;
	if (f->hole != SIZE_MAX && f->hole < end)
		end = f->hole;
	n = end - f->next;
	if (n > f->chunk)
		n = f->chunk;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	for (i = 0; i < n; i++)
		snmp_add_null_var(pdu, plan->oids[f->next + i].v,
		    plan->oids[f->next + i].len);
	f->inflight_first = f->next;
	f->inflight_count = n;
	return pdu;
}

/* Record plan OID i as noSuchObject (v1 noSuchName). */
static void
fetch_missing(struct fetch *f, size_t i, struct result *r)
{
	netsnmp_variable_list	*v = NULL;

	snmp_varlist_add_variable(&v, f->plan->oids[i].v, f->plan->oids[i].len,
	    SNMP_NOSUCHOBJECT, NULL, 0);
	result_append(r, v);
}

static enum fetch_step
fetch_advance(struct fetch *f, struct result *r)
{
	if (f->next == f->hole) {
		fetch_missing(f, f->hole, r);
		f->next++;
		f->hole = SIZE_MAX;
	}
	return f->next >= f->plan->noids ? FETCH_DONE : FETCH_MORE;
}

static enum fetch_step
fetch_fail(struct result *r, char *why)
{
	free(r->error);
	r->error = why;
	r->status = RES_ERROR;
	return FETCH_FAILED;
}

/*
 * Take the response to the last request.  The pdu's varbinds move into
 * r; the pdu itself stays the caller's to free.  FETCH_MORE means call
 * fetch_next_pdu() again.
 */
enum fetch_step
fetch_response(struct fetch *f, netsnmp_pdu *pdu, struct result *r)
{
	const struct oid_text	*o;
	netsnmp_variable_list	*v;
	size_t			 n = 0, k;
	struct buf		 b;

	switch (pdu->errstat) {
	case SNMP_ERR_NOERROR:
		for (v = pdu->variables; v != NULL; v = v->next_variable)
			n++;
		if (n != f->inflight_count)
			return fetch_fail(r, xasprintf("agent answered %zu "
			    "values for %zu OIDs", n, f->inflight_count));
		result_append(r, pdu->variables);
		pdu->variables = NULL;
		f->next = f->inflight_first + f->inflight_count;
		return fetch_advance(f, r);
	case SNMP_ERR_TOOBIG:
		if (f->inflight_count == 1)
			return fetch_fail(r, xstrdup("tooBig: a single value "
			    "does not fit in one message"));
		f->chunk = f->inflight_count / 2;
		f->next = f->inflight_first;
		return FETCH_MORE;
	case SNMP_ERR_NOSUCHNAME:
		k = (size_t)pdu->errindex;
		if (f->version == SNMP_VERSION_1 && k >= 1 &&
		    k <= f->inflight_count) {
			f->next = f->inflight_first;
			f->hole = f->inflight_first + k - 1;
			return fetch_advance(f, r);
		}
		/* FALLTHROUGH */
	default:
		buf_init(&b);
		buf_adds(&b, snmp_errstring((int)pdu->errstat));
		k = (size_t)pdu->errindex;
		if (k >= 1 && k <= f->inflight_count) {
			o = &f->plan->oids[f->inflight_first + k - 1];
			buf_adds(&b, " at ");
			oid_format(o->v, o->len, &b);
		}
		return fetch_fail(r, b.data);
	}
}
