/*
 * scheduler.c — one worker's request engine: a window of C slots, each
 * working through one target at a time (one request in flight per
 * target), a token bucket for --rate, a libuv timer per slot for timeouts
 * and retransmissions.  Targets are claimed in batches from a counter
 * that may live in shared memory, so several workers can share a run.
 * Timeouts and SNMP errors are results to record, never reasons to stop.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "snmpfleet.h"

#define SCHED_FLUSH_MS	50

struct slot {
	struct scheduler	*s;
	uv_timer_t		 timer;
	unsigned		 index;
	bool			 busy;
	bool			 queued;	/* waiting for a rate token */
	uint32_t		 seq;
	int32_t			 reqid;		/* in flight; 0 = none */
	unsigned		 tries;		/* sends of this request */
	uint64_t		 sent_ns;
	struct target		 target;
	struct fetch		 fetch;
	struct result		 result;
	struct buf		 pkt;		/* encoded, for retransmits */
};

struct scheduler {
	uv_loop_t		*loop;
	const struct inventory	*inv;
	struct sched_opts	 opts;
	struct claim		*claim;
	uint64_t		 batch_next;
	uint64_t		 batch_end;
	struct writer		*w;
	const struct out_format	*fmt;
	struct transport	*tr;
	struct slot		*slots;
	unsigned		 nslots;	/* a power of two >= concurrency */
	unsigned		 shift;		/* log2(nslots) */
	unsigned		 active;
	bool			 exhausted;
	bool			 stopping;
	bool			 finished;
	uv_timer_t		 flush_timer;
	uv_timer_t		 rate_timer;
	double			 tokens;
	uint64_t		 refill_ns;
	unsigned		*queue;		/* slots waiting for tokens */
	unsigned		 qhead;
	unsigned		 qlen;
	unsigned		 closing;
};

static void	sched_run(struct slot *);
static void	sched_transmit(struct slot *);
static void	sched_finish(struct scheduler *);

/* Take the next target index; false when the run has none left. */
static bool
sched_claim(struct scheduler *s, uint64_t *index)
{
	struct claim	*c = s->claim;
	uint64_t	 first;

	for (;;) {
		if (s->stopping || s->exhausted || atomic_load(&c->shm->stop))
			return false;
		if (s->batch_next == s->batch_end) {
			first = atomic_fetch_add(&c->shm->claim_next, c->batch);
			if (first >= c->total) {
				s->exhausted = true;
				return false;
			}
			s->batch_next = first;
			s->batch_end = first + c->batch < c->total ?
			    first + c->batch : c->total;
		}
		*index = s->batch_next++;
		/* a re-poll round only takes what no record covers yet */
		if (!atomic_load(&c->shm->sweep) ||
		    !writer_is_done(c->shm, *index))
			return true;
	}
}

/* The target's record goes to the writer; the slot is free again. */
static void
sched_complete(struct slot *sl, enum result_status status)
{
	struct scheduler	*s = sl->s;
	struct timespec		 ts;

	uv_timer_stop(&sl->timer);
	if (status != RES_OK || sl->result.status == RES_OK)
		sl->result.status = status;
	clock_gettime(CLOCK_REALTIME, &ts);
	sl->result.done_ns = (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec;
	writer_record(s->w, s->fmt, &sl->target, &sl->result);
	if (s->w->error != 0)
		scheduler_stop(s);
	result_free(&sl->result);
	fetch_free(&sl->fetch);
	sl->busy = false;
	sl->reqid = 0;
	s->active--;
}

static void
sched_fail(struct slot *sl, char *why)
{
	free(sl->result.error);
	sl->result.error = why;
	sched_complete(sl, RES_ERROR);
}

/*
 * Encode and send the target's next request.  Returns true when a request
 * is on its way (or queued for a token), false when the target finished
 * here and then (all answered, or an error) and the slot is free.
 */
static bool
sched_request(struct slot *sl)
{
	netsnmp_pdu	*pdu;
	char		*cause;
	int		 rc;

	if ((pdu = fetch_next_pdu(&sl->fetch)) == NULL) {
		sched_complete(sl, RES_OK);
		return false;
	}
	sl->seq = (sl->seq + 1) & (0x7fffffffu >> sl->s->shift);
	if (sl->seq == 0)
		sl->seq = 1;
	sl->reqid = (int32_t)(sl->seq << sl->s->shift | sl->index);
	pdu->reqid = sl->reqid;
	pdu->msgid = sl->reqid;
	rc = transport_encode(sl->target.params, pdu, &sl->pkt, &cause);
	snmp_free_pdu(pdu);
	if (rc != 0) {
		sched_fail(sl, cause);
		return false;
	}
	sl->tries = 0;
	sched_transmit(sl);
	return sl->busy;
}

/* Keep the slot working until it has a request in flight or the run has
 * no targets left for it. */
static void
sched_run(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	uint64_t		 index;

	for (;;) {
		if (!sl->busy) {
			if (!sched_claim(s, &index))
				break;
			inventory_get(s->inv, index, &sl->target);
			result_init(&sl->result);
			fetch_start(&sl->fetch, s->opts.plan,
			    sl->target.params->snmp_version);
			sl->busy = true;
			s->active++;
		}
		if (sched_request(sl))
			return;
	}
	if (s->active == 0)
		sched_finish(s);
}

static void
sched_refill(struct scheduler *s)
{
	uint64_t	now = clock_now_ns();
	double		burst = s->opts.rate / 100 > 1 ? s->opts.rate / 100 : 1;

	s->tokens += (double)(now - s->refill_ns) * 1e-9 * s->opts.rate;
	if (s->tokens > burst)
		s->tokens = burst;
	s->refill_ns = now;
}

static void
sched_rate_cb(uv_timer_t *t)
{
	struct scheduler	*s = t->data;
	struct slot		*sl;
	uint64_t		 wait_ms;

	sched_refill(s);
	while (s->qlen > 0 && s->tokens >= 1) {
		sl = &s->slots[s->queue[s->qhead]];
		s->qhead = (s->qhead + 1) % s->nslots;
		s->qlen--;
		sl->queued = false;
		if (sl->busy)
			sched_transmit(sl);
	}
	if (s->qlen > 0 && !s->stopping) {
		wait_ms = (uint64_t)((1 - s->tokens) * 1000 / s->opts.rate);
		uv_timer_start(&s->rate_timer, sched_rate_cb,
		    wait_ms ? wait_ms : 1, 0);
	}
}

static void
sched_timeout_cb(uv_timer_t *t)
{
	struct slot		*sl = t->data;
	struct scheduler	*s = sl->s;

	if (sl->tries <= sl->target.params->retries) {
		sl->result.retries++;
		s->w->pending_stats.retries++;
		sched_transmit(sl);
		if (!sl->busy)
			sched_run(sl);
		return;
	}
	sched_complete(sl, RES_TIMEOUT);
	sched_run(sl);
}

/* Send (or resend) the slot's encoded request, or queue it for a token. */
static void
sched_transmit(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	int			 rc;

	if (s->opts.rate > 0) {
		sched_refill(s);
		if (s->tokens < 1) {
			if (!sl->queued) {
				s->queue[(s->qhead + s->qlen) % s->nslots] =
				    sl->index;
				s->qlen++;
				sl->queued = true;
			}
			if (!uv_is_active((uv_handle_t *)&s->rate_timer))
				sched_rate_cb(&s->rate_timer);
			return;
		}
		s->tokens -= 1;
	}
	rc = transport_udp_send(s->tr, (struct sockaddr *)&sl->target.addr,
	    (u_char *)sl->pkt.data, sl->pkt.len);
	if (rc != 0) {
		sched_fail(sl, xasprintf("send: %s", uv_strerror(rc)));
		return;
	}
	sl->tries++;
	sl->sent_ns = clock_now_ns();
	s->w->pending_stats.requests++;
	uv_timer_start(&sl->timer, sched_timeout_cb,
	    sl->target.params->timeout_ms, 0);
}

static bool
sched_same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	a6 = (const struct sockaddr_in6 *)a;
	b6 = (const struct sockaddr_in6 *)b;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/* A decoded Response: accept it only for the request id in flight on
 * its slot, and only from the address and port that request went to. */
static void
sched_pdu_cb(void *ctx, netsnmp_pdu *pdu, const struct sockaddr *from)
{
	struct scheduler	*s = ctx;
	struct slot		*sl;
	uint64_t		 rtt;
	enum fetch_step		 step;

	if (pdu->reqid <= 0)
		goto drop;
	sl = &s->slots[(uint32_t)pdu->reqid & (s->nslots - 1)];
	if (!sl->busy || sl->reqid != pdu->reqid || sl->queued ||
	    !sched_same_addr(from, &sl->target.addr))
		goto drop;
	uv_timer_stop(&sl->timer);
	rtt = clock_now_ns() - sl->sent_ns;
	sl->result.rtt_ns = rtt ? rtt : 1;
	sl->reqid = 0;
	s->w->pending_stats.responses++;
	stats_record_rtt(&s->w->pending_stats, rtt);
	step = fetch_response(&sl->fetch, pdu, &sl->result);
	snmp_free_pdu(pdu);
	if (step == FETCH_FAILED)
		sched_complete(sl, RES_ERROR);
	else if (step == FETCH_DONE)
		sched_complete(sl, RES_OK);
	else if (sched_request(sl))
		return;
	sched_run(sl);
	return;
drop:
	snmp_free_pdu(pdu);
}

static void
sched_flush_cb(uv_timer_t *t)
{
	struct scheduler	*s = t->data;

	if (writer_due(s->w, clock_now_ns()) && writer_flush(s->w) != 0)
		scheduler_stop(s);
}

/*
 * Set up a worker's scheduler on loop: the UDP transport for the
 * families the inventory uses, the slots and their timers.  Nothing is
 * sent until scheduler_start().
 */
struct scheduler *
scheduler_new(uv_loop_t *loop, const struct inventory *inv,
    const struct sched_opts *opts, struct claim *claim, struct writer *w,
    const struct out_format *fmt, char **cause)
{
	struct scheduler	*s = xcalloc(1, sizeof *s);
	unsigned		 i;

	s->loop = loop;
	s->inv = inv;
	s->opts = *opts;
	s->claim = claim;
	s->w = w;
	s->fmt = fmt;
	s->nslots = 1;
	while (s->nslots < opts->concurrency) {
		s->nslots <<= 1;
		s->shift++;
	}
	s->tr = transport_udp_new(loop, inv->has_v4, inv->has_v6,
	    sched_pdu_cb, s, cause);
	if (s->tr == NULL) {
		free(s);
		return NULL;
	}
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	s->queue = xcalloc(s->nslots, sizeof *s->queue);
	for (i = 0; i < s->nslots; i++) {
		s->slots[i].s = s;
		s->slots[i].index = i;
		uv_timer_init(loop, &s->slots[i].timer);
		s->slots[i].timer.data = &s->slots[i];
		buf_init(&s->slots[i].pkt);
	}
	uv_timer_init(loop, &s->flush_timer);
	s->flush_timer.data = s;
	uv_timer_init(loop, &s->rate_timer);
	s->rate_timer.data = s;
	s->refill_ns = clock_now_ns();
	s->tokens = 1;
	return s;
}

/* Fill the window: every slot (up to --concurrency) takes a target. */
void
scheduler_start(struct scheduler *s)
{
	unsigned	i;

	uv_timer_start(&s->flush_timer, sched_flush_cb, SCHED_FLUSH_MS,
	    SCHED_FLUSH_MS);
	for (i = 0; i < s->opts.concurrency && !s->finished; i++)
		sched_run(&s->slots[i]);
	if (s->active == 0)
		sched_finish(s);
}

static void
sched_closed_cb(uv_handle_t *h)
{
}

/* Everything is done (or abandoned): write what is pending and close
 * every handle so that uv_run() returns. */
static void
sched_finish(struct scheduler *s)
{
	unsigned	i;

	if (s->finished)
		return;
	s->finished = true;
	writer_flush(s->w);
	for (i = 0; i < s->nslots; i++)
		uv_close((uv_handle_t *)&s->slots[i].timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->flush_timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->rate_timer, sched_closed_cb);
	transport_close(s->tr, NULL, NULL);
	s->tr = NULL;
}

/* Stop claiming and abandon what is in flight (those targets get no
 * record); finished records are flushed. */
void
scheduler_stop(struct scheduler *s)
{
	unsigned	i;

	if (s->stopping)
		return;
	s->stopping = true;
	for (i = 0; i < s->nslots; i++) {
		if (!s->slots[i].busy)
			continue;
		uv_timer_stop(&s->slots[i].timer);
		result_free(&s->slots[i].result);
		fetch_free(&s->slots[i].fetch);
		s->slots[i].busy = false;
		s->slots[i].reqid = 0;
		s->active--;
	}
	sched_finish(s);
}

void
scheduler_free(struct scheduler *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nslots; i++)
		buf_free(&s->slots[i].pkt);
	free(s->slots);
	free(s->queue);
	free(s);
}
