/*
 * scheduler.c — one worker's request engine.
 *
 * A job is one target being polled: one stream per plan item (the GET
 * list, each walk, each table).  A slot is one request in flight, with
 * its request id, encoded packet (kept for retransmits) and libuv timer.
 * At most --concurrency requests are in flight, and at most --per-target
 * of them for one target (default 1: a target's streams run one after
 * another).  A token bucket paces sends for --rate.  Targets are claimed
 * in batches from a counter in shared memory, so workers share a run.
 * Timeouts and SNMP errors are results to record, never reasons to stop.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "snmpfleet.h"

#define SCHED_FLUSH_MS	50


static void	sched_pump(struct scheduler *);
static void	sched_finish(struct scheduler *);

static bool
sched_job_can_start(const struct scheduler *s, const struct job *j)
{
	return !j->skip_rest && j->next_item < s->opts.plan->nitems &&
	    j->active < s->opts.plan->per_target;
}

static void
sched_wait_push(struct scheduler *s, struct job *j)
{
	if (j->waiting)
		return;
	j->waiting = true;
	j->next_waiting = NULL;
	if (s->wait_tail != NULL)
		s->wait_tail->next_waiting = j;
	else
		s->wait_head = j;
	s->wait_tail = j;
}

static struct job *
sched_wait_pop(struct scheduler *s)
{
	struct job	*j = s->wait_head;

	if (j == NULL)
		return NULL;
	s->wait_head = j->next_waiting;
	if (s->wait_head == NULL)
		s->wait_tail = NULL;
	j->waiting = false;
	return j;
}

/* The target's record goes to the writer; the job is free again. */
static void
sched_job_complete(struct job *j)
{
	struct scheduler	*s = j->s;
	struct timespec		 ts;

	uv_timer_stop(&j->deadline_timer);
	sess_close(j->sess);
	j->sess = NULL;
	j->v3 = V3_NONE;
	j->nparked = 0;
	result_finish(&j->result);
	clock_gettime(CLOCK_REALTIME, &ts);
	j->result.done_ns = (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec;
	writer_record(s->w, s->fmt, &j->target, &j->result);
	result_free(&j->result);
	j->busy = false;
	j->next_free = s->free_jobs;
	s->free_jobs = j;
	s->jobs_busy--;
	if (writer_failed(s->w))
		scheduler_stop(s);
}

static void
sched_slot_release(struct slot *sl)
{
	struct scheduler	*s = sl->s;

	struct job		*j = sl->job;
	unsigned		 i;

	uv_timer_stop(&sl->timer);
	if (sl->v3_pdu != NULL)
		snmp_free_pdu(sl->v3_pdu);
	sl->v3_pdu = NULL;
	sl->v3_reqid = 0;
	sl->probe = false;
	sl->tw_retry = false;
	for (i = 0; j != NULL && i < s->opts.plan->per_target; i++) {
		if (j->slots[i] == sl)
			j->slots[i] = NULL;
	}
	sl->busy = false;
	sl->queued = false;
	sl->reqid = 0;
	sl->job = NULL;
	sl->next_free = s->free_slots;
	s->free_slots = sl;
	s->slots_busy--;
}

/* A stream ended: its values and status go into the job's result part. */
void
sched_stream_done(struct slot *sl, enum result_status status, char *error)
{
	struct job		*j = sl->job;
	struct scheduler	*s = sl->s;
	struct result_part	*part = &j->result.parts[sl->item];

	part->vars = fetch_take(&sl->fetch);
	part->status = status;
	part->error = error;
	fetch_free(&sl->fetch);
	sched_slot_release(sl);
	j->active--;
	j->done_items++;
	if (status == RES_TIMEOUT && !j->skip_rest) {
		/* a silent device: do not wait out every other stream too */
		j->skip_rest = true;
		for (; j->next_item < s->opts.plan->nitems; j->next_item++) {
			j->result.parts[j->next_item].status = RES_TIMEOUT;
			j->done_items++;
		}
	}
	if (j->done_items == s->opts.plan->nitems && j->active == 0)
		sched_job_complete(j);
	else if (sched_job_can_start(s, j))
		sched_wait_push(s, j);
	sched_pump(s);
}

/*
 * A deadline passed for job j: what is in flight is abandoned (values so
 * far are kept), every stream not finished ends as "deadline", and the
 * record is written now.
 */
static void
sched_job_deadline(struct job *j)
{
	struct scheduler	*s = j->s;
	struct slot		*sl;
	struct result_part	*part;
	unsigned		 i;

	for (i = 0; i < s->nslots && j->active > 0; i++) {
		sl = &s->slots[i];
		if (!sl->busy || sl->job != j)
			continue;
		part = &j->result.parts[sl->item];
		part->vars = fetch_take(&sl->fetch);
		part->status = RES_DEADLINE;
		fetch_free(&sl->fetch);
		sched_slot_release(sl);	/* the rate queue skips it now */
		j->active--;
		j->done_items++;
	}
	for (; j->next_item < s->opts.plan->nitems; j->next_item++) {
		j->result.parts[j->next_item].status = RES_DEADLINE;
		j->done_items++;
	}
	if (j->waiting) {	/* unlink from the start queue */
		struct job **pp = &s->wait_head;

		while (*pp != j)
			pp = &(*pp)->next_waiting;
		*pp = j->next_waiting;
		if (s->wait_tail == j) {
			s->wait_tail = NULL;
			for (struct job *q = s->wait_head; q != NULL;
			    q = q->next_waiting)
				s->wait_tail = q;
		}
		j->waiting = false;
	}
	sched_job_complete(j);
}

static void
sched_job_deadline_cb(uv_timer_t *t)
{
	struct job	*j = t->data;

	sched_job_deadline(j);
	sched_pump(j->s);
}

/* The run's deadline: every target in progress ends as "deadline", and
 * from now on every target claimed does too, without a packet. */
static void
sched_run_deadline_cb(uv_timer_t *t)
{
	struct scheduler	*s = t->data;
	unsigned		 i;

	s->deadline = true;
	claim_deadline_set(s->claim);
	for (i = 0; i < s->njobs; i++) {
		if (s->jobs[i].busy)
			sched_job_deadline(&s->jobs[i]);
	}
	sched_pump(s);
}

/* A fresh request id for the slot (for the shared UDP socket). */
void
sched_new_reqid(struct slot *sl)
{
	sl->seq = (sl->seq + 1) & (0x7fffffffu >> sl->s->shift);
	if (sl->seq == 0)
		sl->seq = 1;
	sl->reqid = (int32_t)(sl->seq << sl->s->shift | sl->index);
}

/*
 * Encode and send the stream's next request.  When the stream has no
 * more to ask, or cannot send, it ends here (and the slot is freed).
 */
void
sched_request(struct slot *sl)
{
	netsnmp_pdu	*pdu;
	char		*cause;
	int		 rc;

	if ((pdu = fetch_next_pdu(&sl->fetch)) == NULL) {
		sched_stream_done(sl, RES_OK, NULL);
		return;
	}
	if (sl->job->target.params->snmp_version == SNMP_VERSION_3) {
		sched_v3_request(sl, pdu);
		return;
	}
	sched_new_reqid(sl);
	pdu->reqid = sl->reqid;
	pdu->msgid = sl->reqid;
	rc = transport_encode(sl->job->target.params, pdu, &sl->pkt, &cause);
	snmp_free_pdu(pdu);
	if (rc != 0) {
		sched_stream_done(sl, RES_ERROR, cause);
		return;
	}
	sl->tries = 0;
	sched_transmit(sl);
}

/* Start the job's next stream on a free slot. */
static void
sched_stream_start(struct scheduler *s, struct job *j)
{
	struct slot	*sl = s->free_slots;
	size_t		 item = j->next_item++;

	s->free_slots = sl->next_free;
	s->slots_busy++;
	sl->busy = true;
	sl->job = j;
	sl->item = item;
	for (unsigned k = 0; k < s->opts.plan->per_target; k++) {
		if (j->slots[k] == NULL) {
			j->slots[k] = sl;
			break;
		}
	}
	j->active++;
	fetch_start(&sl->fetch, s->opts.plan, &s->opts.plan->items[item],
	    j->target.params->snmp_version, &j->budget);
	if (sched_job_can_start(s, j))
		sched_wait_push(s, j);
	sched_request(sl);
}

static struct job *
sched_job_new(struct scheduler *s)
{
	struct job	*j;
	uint64_t	 index;

	if (s->free_jobs == NULL || s->stopping ||
	    !claim_take(s->claim, &index))
		return NULL;
	j = s->free_jobs;
	s->free_jobs = j->next_free;
	j->busy = true;
	j->skip_rest = false;
	j->next_item = 0;
	j->active = 0;
	j->done_items = 0;
	s->jobs_busy++;
	inventory_get(s->inv, index, &j->target);
	memset(&j->budget, 0, sizeof j->budget);
	j->budget.max_values = j->target.params->max_walk_values;
	j->budget.max_bytes = j->target.params->max_walk_bytes;
	result_init(&j->result, s->opts.plan);
	if (s->opts.target_deadline_ms != 0)
		uv_timer_start(&j->deadline_timer, sched_job_deadline_cb,
		    s->opts.target_deadline_ms, 0);
	return j;
}

/*
 * Fill free slots: first with streams of targets already being polled,
 * then with new targets.  Runs as a loop, never recursively, so that
 * thousands of targets failing at once cannot exhaust the stack.
 */
static void
sched_pump(struct scheduler *s)
{
	struct job	*j;

	if (s->pumping || s->finished)
		return;
	s->pumping = true;
	while (s->deadline && !s->stopping &&
	    (j = sched_job_new(s)) != NULL)
		sched_job_deadline(j);
	while (s->free_slots != NULL && !s->stopping) {
		if ((j = sched_wait_pop(s)) == NULL &&
		    (j = sched_job_new(s)) == NULL)
			break;
		if (sched_job_can_start(s, j))
			sched_stream_start(s, j);
	}
	s->pumping = false;
	if (s->jobs_busy == 0 && (s->stopping || claim_over(s->claim)))
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
		s->qhead = (s->qhead + 1) % (2 * s->nslots);
		s->qlen--;
		if (!sl->queued)
			continue;	/* released while it waited */
		sl->queued = false;
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
	struct slot	*sl = t->data;

	if (sl->tries <= sl->job->target.params->retries) {
		sl->job->result.retries++;
		writer_count_event(sl->s->w, COUNT_RETRY, 0);
		sched_transmit(sl);
		return;
	}
	sched_stream_done(sl, RES_TIMEOUT, NULL);
}

/* Send (or resend) the slot's encoded request, or queue it for a token. */
void
sched_transmit(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	int			 rc;

	if (s->opts.rate > 0) {
		sched_refill(s);
		if (s->tokens < 1) {
			if (!sl->queued) {
				s->queue[(s->qhead + s->qlen) %
				    (2 * s->nslots)] = sl->index;
				s->qlen++;
				sl->queued = true;
			}
			if (!uv_is_active((uv_handle_t *)&s->rate_timer))
				sched_rate_cb(&s->rate_timer);
			return;
		}
		s->tokens -= 1;
	}
	if (sl->v3_pdu != NULL && !sl->probe) {
		sched_v3_send(sl);
		return;
	}
	rc = transport_udp_send(s->tr,
	    (struct sockaddr *)&sl->job->target.addr, (u_char *)sl->pkt.data,
	    sl->pkt.len, sl);
	if (rc != 0) {
		sched_stream_done(sl, RES_ERROR,
		    xasprintf("send: %s", uv_strerror(rc)));
		return;
	}
	sl->tries++;
	sl->sent_ns = clock_now_ns();
	writer_count_event(s->w, COUNT_REQUEST, 0);
	uv_timer_start(&sl->timer, sched_timeout_cb,
	    sl->job->target.params->timeout_ms, 0);
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
	char			*error = NULL;

	if (pdu->reqid <= 0)
		goto drop;
	sl = &s->slots[(uint32_t)pdu->reqid & (s->nslots - 1)];
	if (!sl->busy || sl->reqid != pdu->reqid || sl->queued ||
	    !sched_same_addr(from, &sl->job->target.addr))
		goto drop;
	if (sl->probe != (pdu->command == SNMP_MSG_REPORT))
		goto drop;
	uv_timer_stop(&sl->timer);
	rtt = clock_now_ns() - sl->sent_ns;
	sl->job->result.rtt_ns = rtt ? rtt : 1;
	sl->reqid = 0;
	writer_count_event(s->w, COUNT_RESPONSE, rtt);
	if (sl->probe) {
		sched_v3_discovered(sl, pdu);
		snmp_free_pdu(pdu);
		return;
	}
	step = fetch_response(&sl->fetch, pdu, &error);
	snmp_free_pdu(pdu);
	if (step == FETCH_FAILED)
		sched_stream_done(sl, RES_ERROR, error);
	else if (step == FETCH_DONE)
		sched_stream_done(sl, RES_OK, NULL);
	else
		sched_request(sl);
	return;
drop:
	snmp_free_pdu(pdu);
}

/* The kernel refused a queued datagram (no route, ...): that request's
 * stream ends with the reason, rather than waiting out its timeout. */
static void
sched_send_err_cb(void *ctx, void *req, int rc)
{
	struct slot	*sl = req;

	if (!sl->busy || sl->reqid == 0)
		return;
	sched_stream_done(sl, RES_ERROR, xasprintf("send: %s",
	    uv_strerror(rc)));
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
	    sched_pdu_cb, sched_send_err_cb, s, cause);
	if (s->tr == NULL) {
		free(s);
		return NULL;
	}
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	/* twice the slots: a slot released while queued leaves a stale
	 * entry behind, skipped when it comes up */
	s->queue = xcalloc(2 * s->nslots, sizeof *s->queue);
	for (i = s->nslots; i-- > 0;) {
		s->slots[i].s = s;
		s->slots[i].index = i;
		uv_timer_init(loop, &s->slots[i].timer);
		s->slots[i].timer.data = &s->slots[i];
		buf_init(&s->slots[i].pkt);
		if (i < opts->concurrency) {
			s->slots[i].next_free = s->free_slots;
			s->free_slots = &s->slots[i];
		}
	}
	s->njobs = opts->concurrency;
	s->jobs = xcalloc(s->njobs, sizeof *s->jobs);
	for (i = s->njobs; i-- > 0;) {
		s->jobs[i].s = s;
		uv_timer_init(loop, &s->jobs[i].deadline_timer);
		s->jobs[i].deadline_timer.data = &s->jobs[i];
		s->jobs[i].next_free = s->free_jobs;
		s->free_jobs = &s->jobs[i];
	}
	uv_timer_init(loop, &s->flush_timer);
	s->flush_timer.data = s;
	uv_timer_init(loop, &s->rate_timer);
	s->rate_timer.data = s;
	uv_timer_init(loop, &s->deadline_timer);
	s->deadline_timer.data = s;
	s->refill_ns = clock_now_ns();
	s->tokens = 1;
	return s;
}

/* Fill the window and go. */
void
scheduler_start(struct scheduler *s)
{
	uint64_t	now = clock_now_ns();

	uv_timer_start(&s->flush_timer, sched_flush_cb, SCHED_FLUSH_MS,
	    SCHED_FLUSH_MS);
	if (s->opts.deadline_ns != 0)
		uv_timer_start(&s->deadline_timer, sched_run_deadline_cb,
		    s->opts.deadline_ns > now ?
		    (s->opts.deadline_ns - now + 999999) / 1000000 : 0, 0);
	if (claim_deadline_passed(s->claim))
		s->deadline = true;	/* a replacement after the deadline */
	sched_pump(s);
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
	for (i = 0; i < s->njobs; i++)
		uv_close((uv_handle_t *)&s->jobs[i].deadline_timer,
		    sched_closed_cb);
	uv_close((uv_handle_t *)&s->flush_timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->rate_timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->deadline_timer, sched_closed_cb);
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
		fetch_free(&s->slots[i].fetch);
		uv_timer_stop(&s->slots[i].timer);
		if (s->slots[i].v3_pdu != NULL)
			snmp_free_pdu(s->slots[i].v3_pdu);
		s->slots[i].v3_pdu = NULL;
		s->slots[i].v3_reqid = 0;
		s->slots[i].busy = false;
	}
	for (i = 0; i < s->njobs; i++) {
		uv_timer_stop(&s->jobs[i].deadline_timer);
		sess_close(s->jobs[i].sess);
		s->jobs[i].sess = NULL;
		if (s->jobs[i].busy) {
			result_free(&s->jobs[i].result);
			s->jobs[i].busy = false;
		}
	}
	s->jobs_busy = 0;
	s->wait_head = s->wait_tail = NULL;
	if (!s->pumping)
		sched_finish(s);
}

void
scheduler_free(struct scheduler *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	sched_v3_warnings(s);
	free(s->engines);
	for (i = 0; i < s->nslots; i++)
		buf_free(&s->slots[i].pkt);
	free(s->slots);
	free(s->jobs);
	free(s->queue);
	free(s);
}
