/*
 * fetch.c — what to ask one target, request by request, for one item of
 * the plan (a stream):
 *   - the GET list: OIDs packed into GETs of at most --max-oids, halved
 *     and asked again on tooBig; a v1 noSuchName drops that one OID
 *     (recorded as noSuchObject) and asks again for the rest;
 *   - a walk (or table): GETBULK on v2c/v3 (max-repetitions halved on
 *     tooBig), GETNEXT on v1 or for a no-bulk target, until the subtree
 *     ends or endOfMibView; an OID that does not increase ends the walk
 *     with an error, never a loop.  A target with allow-non-increasing
 *     may go back (net-snmp's -Cc), but an OID that comes a second time
 *     still ends the walk with an error.  A walk of an empty subtree
 *     GETs the root itself, as snmpwalk does.
 * The target's params say how (max-oids, max-repetitions, no-bulk,
 * allow-non-increasing: broken agents, one by one).
 * A GET's answer must name the OIDs asked, in order; a walk's must be
 * past the OID asked after; and one target's walks together hold at most
 * --max-walk-values values and --max-walk-bytes bytes (struct
 * walk_budget), so an agent that never ends its MIB cannot eat memory.
 * Values are kept in the order they were asked for / returned.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* allow-non-increasing: the OIDs a walk took, as hashes (open
 * addressing; 0 is an empty slot).  A hit is checked against the values
 * themselves, so a hash collision never ends a walk. */
struct oid_seen {
	uint64_t	*h;
	size_t		 cap;		/* a power of two */
	size_t		 n;
};

/* "OID not increasing: ASKED >= GOT" */
static char *
fetch_not_increasing(const struct fetch *f, const netsnmp_variable_list *v)
{
	struct buf	b;

	buf_init(&b);
	buf_adds(&b, "OID not increasing: ");
	oid_format(f->cur.v, f->cur.len, &b);
	buf_adds(&b, " >= ");
	oid_format(v->name, v->name_length, &b);
	return b.data;
}

/* "reply OIDs do not match the request: asked A, got B" */
static char *
fetch_unasked(const struct oid_text *asked, const netsnmp_variable_list *v)
{
	struct buf	b;

	buf_init(&b);
	buf_adds(&b, "reply OIDs do not match the request: asked ");
	oid_format(asked->v, asked->len, &b);
	buf_adds(&b, ", got ");
	oid_format(v->name, v->name_length, &b);
	return b.data;
}

/* "walk loops: OID X came again (allow-non-increasing)" */
static char *
fetch_loops(const netsnmp_variable_list *v)
{
	struct buf	b;

	buf_init(&b);
	buf_adds(&b, "walk loops: OID ");
	oid_format(v->name, v->name_length, &b);
	buf_adds(&b, " came again (allow-non-increasing)");
	return b.data;
}

/* An OID's hash for struct oid_seen: never 0 (the empty slot). */
static uint64_t
fetch_oid_hash(const oid *v, size_t len)
{
	uint64_t	h = parse_hash_bytes(v, len * sizeof *v);

	return h != 0 ? h : 1;
}

/* Add hash h to s (once), doubling the table at half full. */
static void
fetch_seen_add(struct oid_seen *s, uint64_t h)
{
	uint64_t	*old = s->h;
	size_t		 i, oldcap = s->cap;

	if (2 * (s->n + 1) > s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->h = xcalloc(s->cap, sizeof *s->h);
		s->n = 0;
		for (i = 0; i < oldcap; i++) {
			if (old[i] != 0)
				fetch_seen_add(s, old[i]);
		}
		free(old);
	}
	for (i = h & (s->cap - 1); s->h[i] != 0; i = (i + 1) & (s->cap - 1)) {
		if (s->h[i] == h)
			return;
	}
	s->h[i] = h;
	s->n++;
}

/* Is hash h in s? */
static bool
fetch_seen_has(const struct oid_seen *s, uint64_t h)
{
	size_t	i;

	if (s->cap == 0)	/* a walk that stepped back before any value */
		return false;
	for (i = h & (s->cap - 1); s->h[i] != 0; i = (i + 1) & (s->cap - 1)) {
		if (s->h[i] == h)
			return true;
	}
	return false;
}

/* The first step back: from now on every OID taken is remembered,
 * those taken so far first. */
static void
fetch_seen_start(struct fetch *f)
{
	const netsnmp_variable_list	*v;

	f->seen = xcalloc(1, sizeof *f->seen);
	for (v = f->vars; v != NULL; v = v->next_variable)
		fetch_seen_add(f->seen, fetch_oid_hash(v->name,
		    v->name_length));
}

/* Did the walk take v's OID already? */
static bool
fetch_seen_again(const struct fetch *f, const netsnmp_variable_list *v)
{
	const netsnmp_variable_list	*w;

	if (!fetch_seen_has(f->seen, fetch_oid_hash(v->name, v->name_length)))
		return false;
	for (w = f->vars; w != NULL; w = w->next_variable) {
		if (oid_compare(w->name, w->name_length, v->name,
		    v->name_length) == 0)
			return true;
	}
	return false;
}

/* One part per plan item, all OK and empty to begin with. */
void
result_init(struct result *r, const struct fetch_plan *plan)
{
	memset(r, 0, sizeof *r);
	r->nparts = plan->nitems;
	r->parts = xcalloc(plan->nitems, sizeof *r->parts);
	for (size_t i = 0; i < plan->nitems; i++)
		r->parts[i].item = &plan->items[i];
}

/* The record's status and error: those of the first part that failed. */
void
result_finish(struct result *r)
{
	size_t	i;

	r->status = RES_OK;
	r->error = NULL;
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].status != RES_OK) {
			r->status = r->parts[i].status;
			r->error = r->parts[i].error;
			return;
		}
	}
}

/* Free r's values and errors, keeping its parts array for
 * result_reset (a job's result is reused target after target). */
void
result_empty(struct result *r)
{
	size_t	i;

	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].vars != NULL)
			snmp_free_varbind(r->parts[i].vars);
		r->parts[i].vars = NULL;
		free(r->parts[i].error);
		r->parts[i].error = NULL;
	}
}

/* result_init for r (zeroed, or from result_init, result_reset or
 * result_empty), its parts array kept when plan has as many items. */
void
result_reset(struct result *r, const struct fetch_plan *plan)
{
	struct result_part	*parts = r->parts;
	size_t			 i, n = r->nparts;

	if (parts == NULL || n != plan->nitems) {
		result_free(r);
		result_init(r, plan);
		return;
	}
	result_empty(r);
	memset(r, 0, sizeof *r);
	memset(parts, 0, n * sizeof *parts);
	for (i = 0; i < n; i++)
		parts[i].item = &plan->items[i];
	r->parts = parts;
	r->nparts = n;
}

void
result_free(struct result *r)
{
	result_empty(r);
	free(r->parts);
	memset(r, 0, sizeof *r);
}

static void
fetch_append(struct fetch *f, netsnmp_variable_list *v)
{
	v->next_variable = NULL;
	if (f->last != NULL)
		f->last->next_variable = v;
	else
		f->vars = v;
	f->last = v;
}

/*
 * Start a stream for item, to a target with params p (its version, and
 * its quirks: max-oids and max-repetitions when not 0 beat the plan's).
 * budget (NULL: none) holds the caps and counts of the target's walked
 * values, shared by its streams.
 */
void
fetch_start(struct fetch *f, const struct fetch_plan *plan,
    const struct plan_item *item, const struct target_params *p,
    struct walk_budget *budget)
{
	memset(f, 0, sizeof *f);
	f->plan = plan;
	f->budget = budget;
	f->item = item;
	f->params = p;
	f->bulk = p->snmp_version != SNMP_VERSION_1 && !p->no_bulk;
	f->chunk = p->max_oids != 0 ? p->max_oids : plan->max_oids;
	f->hole = SIZE_MAX;
	f->cur = item->oid;
	f->reps = p->max_repetitions != 0 ? p->max_repetitions :
	    plan->max_repetitions;
}

/* The values gathered so far; the caller owns them now. */
netsnmp_variable_list *
fetch_take(struct fetch *f)
{
	netsnmp_variable_list	*v = f->vars;

	f->vars = f->last = NULL;
	return v;
}

void
fetch_free(struct fetch *f)
{
	if (f->vars != NULL)
		snmp_free_varbind(f->vars);
	if (f->seen != NULL)
		free(f->seen->h);
	free(f->seen);
	memset(f, 0, sizeof *f);
}

static netsnmp_pdu *
fetch_get_pdu(struct fetch *f)
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

static netsnmp_pdu *
fetch_walk_pdu(struct fetch *f)
{
	netsnmp_pdu	*pdu;

	if (f->final_get)
		pdu = snmp_pdu_create(SNMP_MSG_GET);
	else if (!f->bulk)
		pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
	else {
		pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
		pdu->non_repeaters = 0;
		pdu->max_repetitions = (long)f->reps;
	}
	snmp_add_null_var(pdu, f->cur.v, f->cur.len);
	return pdu;
}

/* The next request of this stream, or NULL when it has nothing to ask. */
netsnmp_pdu *
fetch_next_pdu(struct fetch *f)
{
	if (f->item->kind == ITEM_GET)
		return fetch_get_pdu(f);
	return fetch_walk_pdu(f);
}

/* Record plan OID i as noSuchObject (v1 noSuchName). */
static void
fetch_missing(struct fetch *f, size_t i)
{
	netsnmp_variable_list	*v = NULL;

	snmp_varlist_add_variable(&v, f->plan->oids[i].v, f->plan->oids[i].len,
	    SNMP_NOSUCHOBJECT, NULL, 0);
	fetch_append(f, v);
}

static enum fetch_step
fetch_advance(struct fetch *f)
{
	if (f->next == f->hole) {
		fetch_missing(f, f->hole);
		f->next++;
		f->hole = SIZE_MAX;
	}
	return f->next >= f->plan->noids ? FETCH_DONE : FETCH_MORE;
}

/* "genErr at 1.3.6..." for the PDU's error status and index. */
static char *
fetch_pdu_error(const netsnmp_pdu *pdu, const oid *v, size_t len)
{
	struct buf	b;

	buf_init(&b);
	buf_adds(&b, snmp_errstring((int)pdu->errstat));
	if (v != NULL) {
		buf_adds(&b, " at ");
		oid_format(v, len, &b);
	}
	return b.data;
}

static enum fetch_step
fetch_get_response(struct fetch *f, netsnmp_pdu *pdu, char **error)
{
	const struct oid_text	*o;
	netsnmp_variable_list	*v, *next;
	size_t			 n = 0, k;

	switch (pdu->errstat) {
	case SNMP_ERR_NOERROR:
		for (v = pdu->variables; v != NULL; v = v->next_variable)
			n++;
		if (n != f->inflight_count) {
			*error = xasprintf("agent answered %zu values for %zu "
			    "OIDs", n, f->inflight_count);
			return FETCH_FAILED;
		}
		k = 0;
		for (v = pdu->variables; v != NULL; v = v->next_variable) {
			o = &f->plan->oids[f->inflight_first + k++];
			if (oid_compare(v->name, v->name_length, o->v,
			    o->len) != 0) {
				*error = fetch_unasked(o, v);
				return FETCH_FAILED;
			}
		}
		for (v = pdu->variables; v != NULL; v = next) {
			next = v->next_variable;
			fetch_append(f, v);
		}
		pdu->variables = NULL;
		f->next = f->inflight_first + f->inflight_count;
		return fetch_advance(f);
	case SNMP_ERR_TOOBIG:
		if (f->inflight_count == 1) {
			*error = xstrdup("tooBig: a single value does not fit "
			    "in one message");
			return FETCH_FAILED;
		}
		f->chunk = f->inflight_count / 2;
		f->next = f->inflight_first;
		return FETCH_MORE;
	case SNMP_ERR_NOSUCHNAME:
		k = (size_t)pdu->errindex;
		if (f->params->snmp_version == SNMP_VERSION_1 && k >= 1 &&
		    k <= f->inflight_count) {
			f->next = f->inflight_first;
			f->hole = f->inflight_first + k - 1;
			return fetch_advance(f);
		}
		/* FALLTHROUGH */
	default:
		k = (size_t)pdu->errindex;
		o = k >= 1 && k <= f->inflight_count ?
		    &f->plan->oids[f->inflight_first + k - 1] : NULL;
		*error = fetch_pdu_error(pdu, o ? o->v : NULL, o ? o->len : 0);
		return FETCH_FAILED;
	}
}

/* The memory value v holds: net-snmp's varbind (about 1.1 kB, with room
 * for an OID of MAX_OID_LEN arcs and 40 bytes of data inline), plus its
 * OID and data when they did not fit inline. */
uint64_t
fetch_value_bytes(const netsnmp_variable_list *v)
{
	uint64_t	n = sizeof *v;

	if (v->name != v->name_loc)
		n += v->name_length * sizeof(oid);
	if (v->val.string != v->buf)
		n += v->val_len;
	return n;
}

/* Count v into the target's walk budget; when it would go past a cap,
 * *error says which, and v is not taken. */
static bool
fetch_budget_take(struct fetch *f, const netsnmp_variable_list *v,
    char **error)
{
	struct walk_budget	*b = f->budget;
	uint64_t		 n = fetch_value_bytes(v);

	if (b == NULL)
		return true;
	if (b->max_values != 0 && b->values >= b->max_values) {
		*error = xasprintf("walk stopped: more than %llu values "
		    "(--max-walk-values)", (unsigned long long)b->max_values);
		return false;
	}
	if (b->max_bytes != 0 && b->bytes + n > b->max_bytes) {
		*error = xasprintf("walk stopped: more than %llu bytes "
		    "(--max-walk-bytes)", (unsigned long long)b->max_bytes);
		return false;
	}
	b->values++;
	b->bytes += n;
	return true;
}

/*
 * Is v where a walk may go next: past the OID asked after, or (with
 * allow-non-increasing) anywhere it has not been yet?  If not, *error
 * says why.
 */
static bool
fetch_walk_order(struct fetch *f, const netsnmp_variable_list *v,
    char **error)
{
	bool	back;

	if (v->type == SNMP_ENDOFMIBVIEW)
		return true;
	back = oid_compare(v->name, v->name_length, f->cur.v,
	    f->cur.len) <= 0;
	if (back && !f->params->allow_non_increasing) {
		*error = fetch_not_increasing(f, v);
		return false;
	}
	if (back && f->seen == NULL)
		fetch_seen_start(f);
	if (f->seen != NULL && fetch_seen_again(f, v)) {
		*error = fetch_loops(v);
		return false;
	}
	return true;
}

static enum fetch_step
fetch_walk_response(struct fetch *f, netsnmp_pdu *pdu, char **error)
{
	const struct oid_text	*root = &f->item->oid;
	netsnmp_variable_list	*v, *next;
	enum fetch_step		 step = FETCH_MORE;
	size_t			 taken = 0;

	if (pdu->errstat == SNMP_ERR_TOOBIG && !f->final_get && f->bulk &&
	    f->reps > 1) {
		f->reps /= 2;
		return FETCH_MORE;
	}
	if (pdu->errstat == SNMP_ERR_NOSUCHNAME &&
	    f->params->snmp_version == SNMP_VERSION_1)
		step = FETCH_DONE;	/* v1's way of saying end of MIB */
	else if (pdu->errstat != SNMP_ERR_NOERROR) {
		*error = fetch_pdu_error(pdu, f->cur.v, f->cur.len);
		return FETCH_FAILED;
	}
	if (f->final_get) {
		if (pdu->variables != NULL) {
			v = pdu->variables;
			if (oid_compare(v->name, v->name_length, root->v,
			    root->len) != 0) {
				*error = fetch_unasked(root, v);
				return FETCH_FAILED;
			}
			pdu->variables = v->next_variable;
			fetch_append(f, v);
		}
		return FETCH_DONE;
	}
	for (v = step == FETCH_MORE ? pdu->variables : NULL; v != NULL;
	    v = next) {
		next = v->next_variable;
		if (!fetch_walk_order(f, v, error))
			return FETCH_FAILED;
		if (!oid_is_prefix(root->v, root->len, v->name,
		    v->name_length)) {
			step = FETCH_DONE;
			break;
		}
		if (v->type == SNMP_ENDOFMIBVIEW) {
			/* it repeats the OID asked after: shown, as
			 * snmpbulkwalk does, and the walk ends */
			pdu->variables = next;
			fetch_append(f, v);
			taken++;
			step = FETCH_DONE;
			break;
		}
		if (!fetch_budget_take(f, v, error))
			return FETCH_FAILED;
		pdu->variables = next;
		fetch_append(f, v);
		if (f->seen != NULL)
			fetch_seen_add(f->seen, fetch_oid_hash(v->name,
			    v->name_length));
		taken++;
		f->got_any = true;
		memcpy(f->cur.v, v->name, v->name_length * sizeof(oid));
		f->cur.len = v->name_length;
	}
	if (step == FETCH_MORE && taken == 0)
		step = FETCH_DONE;	/* an empty answer: nothing more to ask */
	/* (a one-number root, ".1", has no object to GET) */
	if (step == FETCH_DONE && !f->got_any && f->vars == NULL &&
	    root->len >= 2) {
		f->final_get = true;	/* empty subtree: GET the root */
		f->cur = *root;
		return FETCH_MORE;
	}
	return step;
}

/*
 * Take the response to the stream's last request; its varbinds move into
 * the stream's values (the pdu stays the caller's to free).  FETCH_MORE:
 * call fetch_next_pdu() again; FETCH_FAILED: *error says why (the values
 * so far are kept).
 */
enum fetch_step
fetch_response(struct fetch *f, netsnmp_pdu *pdu, char **error)
{
	if (f->item->kind == ITEM_GET)
		return fetch_get_response(f, pdu, error);
	return fetch_walk_response(f, pdu, error);
}
