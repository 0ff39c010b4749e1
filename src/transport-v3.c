/*
 * transport-v3.c — SNMPv3.  A target's first request sends an engineID
 * discovery probe over the shared UDP socket (never net-snmp's
 * synchronous probe) while the target's other requests wait (parked);
 * the probe's Report opens the target's net-snmp session
 * (transport-sess.c), and every request then goes out on it.  The
 * scheduler times and retries requests as for any transport: a retry is
 * a fresh copy of the request, and a late answer to any copy counts.
 * Also: engineIDs that several targets share, noted for the run.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

#define V3_PARKED	0x100	/* tr_req flags: waiting for the engineID */
#define V3_TW		0x200	/* resent once after "not in time window" */
#define V3_ONSESS	0x400	/* sent on the session, unanswered so far */
#define V3_ENGINES_MAX	4096	/* enough to spot cloned configurations */

enum v3_state { V3_NONE, V3_DISCOVER, V3_READY };

/* A target asked in a context (-n) or for a contextEngineID (-E) that
 * goes unanswered: is the scope the trouble (agents drop requests for an
 * unknown context without a word, RFC 3413 3.2), or the keys?  One GET
 * in the default scope tells. */
enum v3_scope { SCOPE_UNTESTED, SCOPE_ASKED, SCOPE_DEFAULT_ANSWERS };

struct v3_id {				/* a copy of a request, on the session */
	int		 id;		/* net-snmp's request id */
	struct tr_req	*req;
};

struct v3_peer {			/* one target being polled */
	struct v3		*v3;
	struct tr_target	*tt;
	enum v3_state		 state;
	struct sess		*sess;
	u_char			 engine[32];
	size_t			 engine_len;
	bool			 answered;	/* the agent answered something */
	unsigned		 holds;		/* callbacks running */
	bool			 done;		/* free once holds is 0 */
	struct tr_req		*prober;	/* its probe is out */
	enum v3_scope		 scope;
	int			 scope_id;	/* the scope check's request */
	struct tr_req		*reqs[PER_TARGET_MAX];	/* in flight/parked */
	unsigned		 nreqs;
	struct v3_id		*ids;
	size_t			 nids;
	size_t			 idcap;
};

struct v3 {
	const struct tr_host	*host;
	struct udp		*udp;
	struct tr_notes		*engines;	/* every engineID seen */
	size_t			 nengines;
	size_t			 engines_cap;
};

static void	v3_sess_cb(void *, int, int, netsnmp_pdu *);

static bool
v3_carries(const struct target_params *p)
{
	return p->snmp_version == SNMP_VERSION_3;
}

/* Complete req: the scheduler hears of it (pdu only borrowed). */
static void
v3_complete(struct v3 *v3, struct tr_req *req, enum tr_event ev,
    netsnmp_pdu *pdu, char *cause)
{
	v3->host->done(v3->host->ctx, req, ev, pdu, cause);
}

static void
v3_peer_free(struct v3_peer *p)
{
	sess_close(p->sess);
	free(p->ids);
	free(p);
}

/* Keep p alive while callbacks that may end its target run. */
static void
v3_hold(struct v3_peer *p)
{
	p->holds++;
}

static void
v3_release(struct v3_peer *p)
{
	if (--p->holds == 0 && p->done)
		v3_peer_free(p);
}

/* Forget every session copy of req. */
static void
v3_drop_ids(struct v3_peer *p, const struct tr_req *req)
{
	size_t	i, k = 0;

	for (i = 0; i < p->nids; i++) {
		if (p->ids[i].req != req)
			p->ids[k++] = p->ids[i];
	}
	p->nids = k;
}

static struct tr_req *
v3_find_id(struct v3_peer *p, int id)
{
	size_t	i;

	for (i = 0; i < p->nids; i++) {
		if (p->ids[i].id == id)
			return p->ids[i].req;
	}
	return NULL;
}

/* The target's requests, as they are now (callbacks change the list). */
static unsigned
v3_snapshot(const struct v3_peer *p, struct tr_req **out)
{
	memcpy(out, p->reqs, p->nreqs * sizeof *out);
	return p->nreqs;
}

static bool
v3_has(const struct v3_peer *p, const struct tr_req *req)
{
	unsigned	i;

	for (i = 0; i < p->nreqs; i++) {
		if (p->reqs[i] == req)
			return true;
	}
	return false;
}

/* The target's session, once its engineID is known. */
static int
v3_open_sess(struct v3_peer *p, char **cause)
{
	p->sess = sess_open(p->v3->host->loop, p->tt->target, p->engine,
	    p->engine_len, v3_sess_cb, p, cause);
	if (p->sess == NULL)
		return -1;
	p->state = V3_READY;
	return 0;
}

/* A fresh copy of req's request on the session. */
static int
v3_transmit(struct v3_peer *p, struct tr_req *req, char **cause)
{
	netsnmp_pdu	*copy = snmp_clone_pdu(req->pdu);
	int		 id;

	if (copy == NULL) {
		*cause = xstrdup("SNMPv3 send: out of memory");
		return -1;
	}
	if ((id = sess_send(p->sess, copy, cause)) == 0)
		return -1;
	req->flags |= V3_ONSESS;
	if (p->nids == p->idcap) {
		p->idcap = p->idcap ? p->idcap * 2 : 8;
		p->ids = xreallocarray(p->ids, p->idcap, sizeof *p->ids);
	}
	p->ids[p->nids].id = id;
	p->ids[p->nids].req = req;
	p->nids++;
	return 0;
}

/* Does the target ask outside the agent's default scope (-n, -E)? */
static bool
v3_scoped(const struct target_params *pp)
{
	return (pp->context != NULL && *pp->context != '\0') ||
	    pp->context_engine_id_len != 0;
}

/*
 * A request of p's went unanswered (it is being retried): once per
 * target in a non-default scope, GET sysUpTime.0 in the default scope
 * (context "", the agent's own engineID) with the same credentials.  An
 * answer proves the keys right, so the scope is what the agent ignores.
 */
static void
v3_check_scope(struct v3_peer *p)
{
	static const oid	 uptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
	netsnmp_pdu		*pdu;
	char			*cause = NULL;

	if (p->scope != SCOPE_UNTESTED || !v3_scoped(p->tt->target->params))
		return;
	p->scope = SCOPE_ASKED;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	pdu->contextName = xstrdup("");
	pdu->contextNameLen = 0;
	pdu->contextEngineID = xmalloc(p->engine_len);
	memcpy(pdu->contextEngineID, p->engine, p->engine_len);
	pdu->contextEngineIDLen = p->engine_len;
	snmp_add_null_var(pdu, uptime, sizeof uptime / sizeof uptime[0]);
	p->scope_id = sess_send(p->sess, pdu, &cause);
	free(cause);	/* no check, no diagnosis: nothing more */
}

/* Send req's engineID probe (again: the same datagram). */
static int
v3_probe(struct v3 *v3, struct v3_peer *p, struct tr_req *req, bool again,
    char **cause)
{
	u_char	probe[128];
	size_t	len;
	int	rc;

	if (!again) {
		len = usm_probe(probe, sizeof probe, udp_raw_id(v3->udp, req));
		req->pkt.len = 0;
		buf_add(&req->pkt, probe, len);
	}
	p->state = V3_DISCOVER;
	p->prober = req;
	if ((rc = udp_queue(v3->udp, req)) != 0) {
		udp_forget(v3->udp, req);
		*cause = xasprintf("send: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

/* The target's state, made on its first request (with -e, its session
 * opens at once). */
static struct v3_peer *
v3_peer(struct v3 *v3, struct tr_target *tt, char **cause)
{
	const struct target_params	*pp = tt->target->params;
	struct v3_peer			*p = tt->state;

	if (p != NULL)
		return p;
	p = xcalloc(1, sizeof *p);
	p->v3 = v3;
	p->tt = tt;
	tt->state = p;
	if (pp->engine_id_len != 0) {
		memcpy(p->engine, pp->engine_id, pp->engine_id_len);
		p->engine_len = pp->engine_id_len;
		if (v3_open_sess(p, cause) != 0)
			return NULL;
	}
	return p;
}

/*
 * A request: on the session once the engineID is known; the target's
 * first request first sends a probe, and the others park until its
 * answer.
 */
static int
v3_send(void *arg, struct tr_req *req, netsnmp_pdu *pdu, char **cause)
{
	struct v3	*v3 = arg;
	struct v3_peer	*p;

	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = pdu;
	req->flags &= ~(V3_PARKED | V3_TW | V3_ONSESS);
	pdu->version = SNMP_VERSION_3;
	if ((p = v3_peer(v3, req->tt, cause)) == NULL)
		return -1;
	if (!v3_has(p, req))
		p->reqs[p->nreqs++] = req;
	switch (p->state) {
	case V3_READY:
		return v3_transmit(p, req, cause);
	case V3_DISCOVER:
		req->flags |= V3_PARKED;
		return 1;
	case V3_NONE:
	default:
		return v3_probe(v3, p, req, false, cause);
	}
}

/* Again (a retry, or after discovery): what the target's state allows. */
static int
v3_resend(void *arg, struct tr_req *req, char **cause)
{
	struct v3	*v3 = arg;
	struct v3_peer	*p = req->tt->state;

	switch (p->state) {
	case V3_READY:
		req->flags &= ~V3_PARKED;
		if (req->flags & V3_ONSESS)	/* a retry */
			v3_check_scope(p);
		return v3_transmit(p, req, cause);
	case V3_DISCOVER:
		if (p->prober == req)
			return v3_probe(v3, p, req, true, cause);
		req->flags |= V3_PARKED;
		return 1;
	case V3_NONE:
	default:
		req->flags &= ~V3_PARKED;
		return v3_probe(v3, p, req, false, cause);
	}
}

/*
 * The scheduler gave up on req (answered, timed out, deadline).  If it
 * was the target's prober, discovery starts over with the next parked
 * request, which is told it may go.
 */
static void
v3_cancel(void *arg, struct tr_req *req)
{
	struct v3	*v3 = arg;
	struct v3_peer	*p = req->tt->state;
	unsigned	 i, k = 0;

	udp_forget(v3->udp, req);
	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = NULL;
	req->flags = 0;
	if (p == NULL)
		return;
	v3_drop_ids(p, req);
	for (i = 0; i < p->nreqs; i++) {
		if (p->reqs[i] != req)
			p->reqs[k++] = p->reqs[i];
	}
	p->nreqs = k;
	if (p->prober != req)
		return;
	p->prober = NULL;
	p->state = V3_NONE;
	for (i = 0; i < p->nreqs; i++) {
		if (p->reqs[i]->flags & V3_PARKED) {
			p->reqs[i]->flags &= ~V3_PARKED;
			v3_complete(v3, p->reqs[i], TR_READY, NULL, NULL);
			return;
		}
	}
}

/* "unknown context 'NAME'", "contextEngineID HEX" or both, for the
 * causes below (allocated). */
static char *
v3_scope_name(const struct target_params *pp)
{
	struct buf	 b;
	char		 sb[REDACT_MAX];
	size_t		 i;

	buf_init(&b);
	if (pp->context != NULL && *pp->context != '\0')
		buf_printf(&b, "unknown context '%s'",
		    redact_text(pp->context, sb, sizeof sb));
	if (pp->context_engine_id_len != 0) {
		buf_adds(&b, b.len ? " or contextEngineID " :
		    "unknown contextEngineID ");
		for (i = 0; i < pp->context_engine_id_len; i++)
			buf_printf(&b, "%02x", pp->context_engine_id[i]);
	}
	return b.data;
}

/*
 * Why req went unanswered, when more is known than "timeout".  In a
 * non-default scope whose check was answered: the scope.  Else, with
 * authPriv, after the agent answered discovery: most likely a wrong
 * privacy passphrase (or, in a scope, that).
 */
static char *
v3_timeout_cause(void *arg, struct tr_req *req)
{
	const struct target_params	*pp = req->tt->target->params;
	struct v3_peer			*p = req->tt->state;
	char				*scope, *cause;

	if (p == NULL || !p->answered)
		return NULL;
	if (!v3_scoped(pp)) {
		if (pp->level != SNMP_SEC_LEVEL_AUTHPRIV)
			return NULL;
		return xstrdup("no answer to authPriv requests although the "
		    "agent answered engineID discovery (wrong privacy "
		    "passphrase?)");
	}
	scope = v3_scope_name(pp);
	if (p->scope == SCOPE_DEFAULT_ANSWERS)
		cause = xasprintf("%s: no answer there, although the agent "
		    "answers these credentials in its default context", scope);
	else if (pp->level == SNMP_SEC_LEVEL_AUTHPRIV)
		cause = xasprintf("no answer to authPriv requests although "
		    "the agent answered engineID discovery (%s, or a wrong "
		    "privacy passphrase?)", scope);
	else
		cause = xasprintf("no answer although the agent answered "
		    "engineID discovery (%s?)", scope);
	free(scope);
	return cause;
}

static void
v3_target_done(void *arg, struct tr_target *tt)
{
	struct v3_peer	*p = tt->state;

	if (p == NULL)
		return;
	p->tt = NULL;
	if (p->holds > 0) {
		p->done = true;
		sess_close(p->sess);
		p->sess = NULL;
	} else
		v3_peer_free(p);
}

/* Note the engineID a target reported; clones show up in the notes. */
static void
v3_engine_seen(struct v3 *v3, const struct v3_peer *p)
{
	struct tr_notes	*e;
	size_t		 i;

	for (i = 0; i < v3->nengines; i++) {
		e = &v3->engines[i];
		if (e->engine_len == p->engine_len &&
		    memcmp(e->engine, p->engine, e->engine_len) == 0) {
			e->engine_count++;
			return;
		}
	}
	if (v3->nengines == V3_ENGINES_MAX)
		return;
	if (v3->nengines == v3->engines_cap) {
		v3->engines_cap = v3->engines_cap ? v3->engines_cap * 2 : 16;
		v3->engines = xreallocarray(v3->engines, v3->engines_cap,
		    sizeof *v3->engines);
	}
	e = &v3->engines[v3->nengines++];
	memset(e, 0, sizeof *e);
	memcpy(e->engine, p->engine, p->engine_len);
	e->engine_len = p->engine_len;
	e->engine_count = 1;
	snprintf(e->engine_first, sizeof e->engine_first, "%s",
	    p->tt->target->host);
}

/*
 * The answer to a probe (pdu borrowed): open the session; the prober is
 * answered (TR_RESEND: it goes again, on the session) and the parked
 * requests may go (TR_READY).  If the session cannot open, they all
 * fail with the reason.
 */
static void
v3_discovered(void *arg, struct tr_req *req, netsnmp_pdu *pdu)
{
	struct v3	*v3 = arg;
	struct v3_peer	*p = req->tt->state;
	struct tr_req	*list[PER_TARGET_MAX];
	char		*cause = NULL;
	unsigned	 i, n;

	if (p == NULL || p->prober != req)
		return;
	p->prober = NULL;
	p->answered = true;
	p->engine_len = pdu->securityEngineIDLen < sizeof p->engine ?
	    pdu->securityEngineIDLen : sizeof p->engine;
	memcpy(p->engine, pdu->securityEngineID, p->engine_len);
	v3_engine_seen(v3, p);
	n = v3_snapshot(p, list);
	v3_hold(p);
	if (v3_open_sess(p, &cause) != 0)
		p->state = V3_NONE;
	for (i = 0; i < n && !p->done; i++) {
		if (!v3_has(p, list[i]))
			continue;
		if (cause != NULL)
			v3_complete(v3, list[i], TR_ERROR, NULL,
			    xstrdup(cause));
		else if (list[i] == req)
			v3_complete(v3, req, TR_RESEND, NULL, NULL);
		else if (list[i]->flags & V3_PARKED) {
			list[i]->flags &= ~V3_PARKED;
			v3_complete(v3, list[i], TR_READY, NULL, NULL);
		}
	}
	free(cause);
	v3_release(p);
}

/* A Report for the session as a whole (one net-snmp could not match:
 * it failed to authenticate): every request on it fails with its reason. */
static void
v3_report_all(struct v3_peer *p, netsnmp_pdu *pdu)
{
	struct tr_req	*list[PER_TARGET_MAX];
	unsigned	 i, n = v3_snapshot(p, list);

	v3_hold(p);
	for (i = 0; i < n && !p->done; i++) {
		if (!v3_has(p, list[i]) || (list[i]->flags & V3_PARKED))
			continue;
		v3_drop_ids(p, list[i]);
		v3_complete(p->v3, list[i], TR_ERROR, NULL,
		    usm_report_reason(pdu, p->tt->target->params));
	}
	v3_release(p);
}

/* A message for req: a Response, or a Report (its reason; "not in time
 * window" once means resend, as net-snmp has now learned the time). */
static void
v3_message(struct v3_peer *p, struct tr_req *req, netsnmp_pdu *pdu)
{
	p->answered = true;
	if (pdu->command != SNMP_MSG_REPORT) {
		v3_complete(p->v3, req, TR_REPLY, pdu, NULL);
		return;
	}
	if (usm_report_time_window(pdu) && !(req->flags & V3_TW)) {
		req->flags |= V3_TW;
		req->flags &= ~V3_ONSESS;	/* answered, if by a Report */
		v3_complete(p->v3, req, TR_RESEND, NULL, NULL);
		return;
	}
	v3_complete(p->v3, req, TR_ERROR, NULL,
	    usm_report_reason(pdu, p->tt->target->params));
}

/* What the scope check heard: a Response proves the credentials. */
static void
v3_scope_answer(struct v3_peer *p, int op, netsnmp_pdu *pdu)
{
	p->scope_id = 0;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu != NULL &&
	    pdu->command == SNMP_MSG_RESPONSE) {
		p->scope = SCOPE_DEFAULT_ANSWERS;
		p->answered = true;
	}
}

/* What the target's session says about request id reqid (net-snmp
 * frees pdu afterwards). */
static void
v3_sess_cb(void *arg, int op, int reqid, netsnmp_pdu *pdu)
{
	struct v3_peer	*p = arg;
	struct tr_req	*req;

	if (p->done || p->tt == NULL)
		return;
	if (reqid == 0 && pdu != NULL && pdu->command == SNMP_MSG_REPORT) {
		v3_report_all(p, pdu);
		return;
	}
	if (reqid != 0 && reqid == p->scope_id) {
		v3_scope_answer(p, op, pdu);
		return;
	}
	if (reqid == 0 || (req = v3_find_id(p, reqid)) == NULL)
		return;		/* a second event for a finished request */
	switch (op) {
	case NETSNMP_CALLBACK_OP_RESEND:
		return;		/* net-snmp does not retry (retries 0) */
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		v3_drop_ids(p, req);	/* only this copy; the scheduler */
		return;			/* times the request */
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		/* a USM Report; net-snmp may call again with it as a
		 * message, which finds no request any more */
		v3_drop_ids(p, req);
		if (pdu == NULL)
			v3_complete(p->v3, req, TR_ERROR, NULL,
			    xstrdup("SNMPv3 security error"));
		else
			v3_message(p, req, pdu);
		return;
	case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
		v3_drop_ids(p, req);
		v3_message(p, req, pdu);
		return;
	default:
		v3_drop_ids(p, req);
		v3_complete(p->v3, req, TR_ERROR, NULL,
		    xstrdup("SNMPv3 send failed"));
		return;
	}
}

static void *
v3_open(const struct tr_host *host, char **cause)
{
	struct v3	*v3 = xcalloc(1, sizeof *v3);
	size_t		 i;

	v3->host = host;
	for (i = 0; i < host->n; i++) {
		if (host->ops[i] == &transport_udp_ops)
			v3->udp = host->inst[i];
	}
	if (v3->udp == NULL) {
		*cause = xstrdup("SNMPv3 needs the UDP transport");
		free(v3);
		return NULL;
	}
	udp_on_raw(v3->udp, v3_discovered, v3);
	return v3;
}

/* Every engineID the run's targets reported, with counts: USM keys and
 * engine time are per engineID, so clones can answer for each other. */
static void
v3_notes(void *arg, struct tr_notes **notes, size_t *n)
{
	struct v3	*v3 = arg;

	*notes = v3->engines;
	*n = v3->nengines;
}

static void
v3_close(void *arg)
{
	struct v3	*v3 = arg;

	free(v3->engines);
	free(v3);
}

const struct transport_ops transport_v3_ops = {
	.name = "snmpv3",
	.carries = v3_carries,
	.open = v3_open,
	.send = v3_send,
	.resend = v3_resend,
	.cancel = v3_cancel,
	.timeout_cause = v3_timeout_cause,
	.target_done = v3_target_done,
	.notes = v3_notes,
	.close = v3_close,
};
