/*
 * scheduler-v3.c — the scheduler's SNMPv3 side: a target's first request
 * sends an engineID discovery probe over the shared UDP socket (never
 * net-snmp's synchronous probe); its answer opens the target's net-snmp
 * session (transport-sess.c), and the session's events (responses, USM
 * reports, retransmissions, timeouts) come back into the target's
 * streams.  Every request also runs a timer of its own, so that it ends
 * whatever the agent sends and whatever net-snmp does with it.  Also:
 * engineIDs that several targets share, reported once.
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include "snmpfleet.h"

static void	sched_v3_cb(void *, int, int, netsnmp_pdu *);

/* The job's v3 session, once its engineID is known. */
static int
sched_v3_open(struct job *j, char **cause)
{
	struct scheduler	*s = j->s;

	j->sess = sess_open(s->loop, &j->target, j->engine, j->engine_len,
	    sched_v3_cb, j, cause);
	if (j->sess == NULL)
		return -1;
	j->v3 = V3_READY;
	return 0;
}

/*
 * A v3 request: sent on the job's session once the engineID is known;
 * the first one first sends an engineID probe over the shared socket
 * (asynchronously, unlike net-snmp's own probe), and other streams of
 * the target wait for its answer.
 */
void
sched_v3_request(struct slot *sl, netsnmp_pdu *pdu)
{
	struct job		*j = sl->job;
	const struct target_params *p = j->target.params;
	char			*cause;
	u_char			 probe[128];
	size_t			 len;

	sl->v3_pdu = pdu;
	if (j->v3 == V3_NONE && p->engine_id_len != 0) {
		memcpy(j->engine, p->engine_id, p->engine_id_len);
		j->engine_len = p->engine_id_len;
		if (sched_v3_open(j, &cause) != 0) {
			sched_stream_done(sl, RES_ERROR, cause);
			return;
		}
	}
	switch (j->v3) {
	case V3_READY:
		sched_transmit(sl);
		return;
	case V3_DISCOVER:
		j->parked[j->nparked++] = sl;
		return;
	case V3_NONE:
		j->v3 = V3_DISCOVER;
		sched_new_reqid(sl);
		len = usm_probe(probe, sizeof probe, sl->reqid);
		sl->pkt.len = 0;
		buf_add(&sl->pkt, probe, len);
		sl->probe = true;
		sl->tries = 0;
		sched_transmit(sl);
		return;
	}
}

/* Note the engineID j reported; warn about clones once, at the end. */
static void
sched_v3_engine_seen(struct scheduler *s, const struct job *j)
{
	struct engine_seen	*e;
	size_t			 i;

	for (i = 0; i < s->nengines; i++) {
		e = &s->engines[i];
		if (e->len == j->engine_len &&
		    memcmp(e->id, j->engine, e->len) == 0) {
			e->count++;
			return;
		}
	}
	if (s->nengines == 4096)
		return;		/* enough to spot cloned configurations */
	if (s->nengines == s->engines_cap) {
		s->engines_cap = s->engines_cap ? s->engines_cap * 2 : 16;
		s->engines = xreallocarray(s->engines, s->engines_cap,
		    sizeof *s->engines);
	}
	e = &s->engines[s->nengines++];
	memcpy(e->id, j->engine, j->engine_len);
	e->len = j->engine_len;
	e->count = 1;
	snprintf(e->first, sizeof e->first, "%s", j->target.host);
}

/* The engineID probe was answered: open the session, send what waits. */
void
sched_v3_discovered(struct slot *sl, netsnmp_pdu *pdu)
{
	struct job	*j = sl->job;
	struct slot	*waiting[65];
	char		*cause;
	unsigned	 i, n = 0;

	j->engine_len = pdu->securityEngineIDLen < sizeof j->engine ?
	    pdu->securityEngineIDLen : sizeof j->engine;
	memcpy(j->engine, pdu->securityEngineID, j->engine_len);
	sched_v3_engine_seen(sl->s, j);
	sl->probe = false;
	sl->reqid = 0;
	waiting[n++] = sl;
	for (i = 0; i < j->nparked; i++)
		waiting[n++] = j->parked[i];
	j->nparked = 0;
	if (sched_v3_open(j, &cause) != 0) {
		for (i = 0; i < n; i++)
			sched_stream_done(waiting[i], RES_ERROR,
			    i ? xstrdup(cause) : cause);
		return;
	}
	for (i = 0; i < n; i++)
		sched_transmit(waiting[i]);
}

/* A v3 request got no answer it could take: with authPriv, after the
 * agent answered discovery, the likely cause is the privacy passphrase. */
static void
sched_v3_timed_out(struct slot *sl)
{
	struct job	*j = sl->job;

	sl->v3_reqid = 0;
	if (j->target.params->level == SNMP_SEC_LEVEL_AUTHPRIV &&
	    j->result.rtt_ns != 0)
		sched_stream_done(sl, RES_ERROR, xstrdup("no answer "
		    "to authPriv requests although the agent answered "
		    "engineID discovery (wrong privacy passphrase?)"));
	else
		sched_stream_done(sl, RES_TIMEOUT, NULL);
}

/*
 * The request's own end: net-snmp times and retries a session's
 * requests, but it forgets one whose answer it handed to the callback
 * (say, a Report with the right msgID and a request-id matching no
 * request), and then nothing would ever end the stream.  So every v3
 * request also runs the slot's timer, set a little past the time
 * net-snmp's own timeout and retries take.
 */
static void
sched_v3_timeout_cb(uv_timer_t *t)
{
	struct slot	*sl = t->data;

	if (sl->busy && sl->job != NULL && sl->job->busy)
		sched_v3_timed_out(sl);
}

/* Send the slot's v3 request on the job's session, under its own timer. */
void
sched_v3_send(struct slot *sl)
{
	struct scheduler		*s = sl->s;
	const struct target_params	*p = sl->job->target.params;
	netsnmp_pdu			*pdu = sl->v3_pdu;
	char				*cause;
	uint64_t			 ms;

	sl->v3_pdu = NULL;
	sl->sent_ns = clock_now_ns();
	writer_count_event(s->w, COUNT_REQUEST, 0);
	if ((sl->v3_reqid = sess_send(sl->job->sess, pdu, &cause)) == 0) {
		sched_stream_done(sl, RES_ERROR, cause);
		return;
	}
	ms = (uint64_t)p->timeout_ms * (p->retries + 1) + p->timeout_ms / 2 +
	    100;
	uv_timer_start(&sl->timer, sched_v3_timeout_cb, ms, 0);
}

/* Find the job's slot whose v3 request has net-snmp id reqid. */
static struct slot *
sched_v3_slot(struct job *j, int reqid)
{
	unsigned	i;

	for (i = 0; i < j->s->opts.plan->per_target; i++) {
		if (j->slots[i] != NULL && j->slots[i]->v3_reqid == reqid)
			return j->slots[i];
	}
	return NULL;
}

/* A Report for the session as a whole: each request in flight ends with
 * its reason (net-snmp frees the pdu afterwards). */
static void
sched_v3_report_all(struct job *j, netsnmp_pdu *pdu)
{
	struct slot	*sl;
	unsigned	 i;

	for (i = 0; i < j->s->opts.plan->per_target && j->busy; i++) {
		sl = j->slots[i];
		if (sl == NULL || sl->v3_reqid == 0)
			continue;
		sl->v3_reqid = 0;
		sched_stream_done(sl, RES_ERROR,
		    xstrdup(usm_report_reason(pdu)));
	}
}

/* What the job's v3 session says about a request. */
static void
sched_v3_cb(void *arg, int op, int reqid, netsnmp_pdu *pdu)
{
	struct job		*j = arg;
	struct scheduler	*s = j->s;
	struct slot		*sl;
	enum fetch_step		 step;
	char			*error = NULL;
	uint64_t		 rtt;

	if (!j->busy)
		return;
	if (reqid == 0 && pdu != NULL && pdu->command == SNMP_MSG_REPORT) {
		/* a Report net-snmp could not match (it failed to
		 * authenticate): it concerns every request of this session */
		sched_v3_report_all(j, pdu);
		return;
	}
	if (reqid == 0 || (sl = sched_v3_slot(j, reqid)) == NULL)
		return;		/* a second event for a finished request */
	switch (op) {
	case NETSNMP_CALLBACK_OP_RESEND:
		j->result.retries++;
		writer_count_event(s->w, COUNT_RETRY, 0);
		writer_count_event(s->w, COUNT_REQUEST, 0);
		return;
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		/* a USM Report; net-snmp may call again with it as a message,
		 * which finds no request any more and is ignored */
		if (pdu == NULL) {
			sl->v3_reqid = 0;
			sched_stream_done(sl, RES_ERROR,
			    xstrdup("SNMPv3 security error"));
			return;
		}
		break;
	case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
		break;
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		sched_v3_timed_out(sl);
		return;
	default:
		sl->v3_reqid = 0;
		sched_stream_done(sl, RES_ERROR, xstrdup("SNMPv3 send failed"));
		return;
	}
	sl->v3_reqid = 0;
	uv_timer_stop(&sl->timer);
	rtt = clock_now_ns() - sl->sent_ns;
	j->result.rtt_ns = rtt ? rtt : 1;
	writer_count_event(s->w, COUNT_RESPONSE, rtt);
	if (pdu->command == SNMP_MSG_REPORT) {
		if (strcmp(usm_report_reason(pdu), "not in time window") == 0 &&
		    !sl->tw_retry) {
			sl->tw_retry = true;	/* net-snmp learned the time */
			sl->v3_pdu = fetch_next_pdu(&sl->fetch);
			sched_transmit(sl);
			return;
		}
		sched_stream_done(sl, RES_ERROR,
		    xstrdup(usm_report_reason(pdu)));
		return;
	}
	step = fetch_response(&sl->fetch, pdu, &error);
	if (step == FETCH_FAILED)
		sched_stream_done(sl, RES_ERROR, error);
	else if (step == FETCH_DONE)
		sched_stream_done(sl, RES_OK, NULL);
	else
		sched_request(sl);
}

/* engineIDs that more than one target reported: USM keys and engine
 * time are per engineID, so clones can answer for each other. */
void
sched_v3_warnings(struct scheduler *s)
{
	struct engine_seen	*e;
	struct buf		 hex;
	size_t			 i, k;

	buf_init(&hex);
	for (i = 0; i < s->nengines; i++) {
		e = &s->engines[i];
		if (e->count < 2)
			continue;
		hex.len = 0;
		for (k = 0; k < e->len; k++)
			buf_printf(&hex, "%02x", e->id[k]);
		log_msg(LOG_WARNING, "engineID 0x%s was reported by %llu "
		    "targets (first %s): they share USM keys and time, as "
		    "with a cloned configuration", buf_cstr(&hex),
		    (unsigned long long)e->count, e->first);
	}
	buf_free(&hex);
}

