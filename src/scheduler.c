/*
 * scheduler.c — one worker's request engine.
 *
 * A job is one target being polled: one stream per plan item (the GET
 * list, each walk, each table).  A slot is one request in flight, with
 * its request id, encoded packet (kept for retransmits) and deadline.
 * The slots' deadlines share one libuv timer through a timer wheel
 * (SCHED_WHEEL buckets of a millisecond, as masscan and the kernel keep
 * theirs): arming and disarming is a list link, not a heap operation.
 * At most a window of requests are in flight (window.c: adaptive up to
 * --concurrency, or fixed at it), at most the window of the target's
 * agent address (agents.c; capped by --per-agent) for the targets that
 * share one, and at most --per-target for one target (default 1: a
 * target's streams run one after another).  Answers to first sends
 * grow the windows; an answer only to a retransmission, or a timeout of
 * an agent that has answered, shrinks them (a target that never
 * answered is taken for down, not for congested).  A token bucket paces
 * sends for --rate.  Targets are claimed
 * in batches from a counter in shared memory, so workers share a run.
 * Timeouts and SNMP errors are results to record, never reasons to stop.
 *
 * A target given by host name is looked up first (resolve.c, bounded,
 * once per name): it waits without a job, while other targets are
 * polled, and a name that does not resolve is that target's error record.
 *
 * Requests go out through the transports (transports.c): the scheduler
 * knows no SNMP version.  It times every attempt, retries, and hears of
 * answers, errors and parked requests through one callback.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "snmpfleet.h"

#define SCHED_FLUSH_MS	50
#define SCHED_RESOLVE_AT_ONCE	64	/* lookups running at once */
#define SCHED_RESOLVE_BACKLOG	1024	/* names taken, not looked up yet */

struct resolved {			/* a name's target, looked up */
	uint64_t		 index;
	struct sockaddr_storage	 addr;
	char			*error;		/* or why there is no addr */
};
#define SCHED_WHEEL	1024	/* buckets of 1 ms; later deadlines wrap */
#define SCHED_NAP_MS	1	/* answers read up to this late (sched_nap_note) */
#define SCHED_NAP_LAG_NS 2000000u /* a nap's wait, at most (libuv's timers
				   * count whole ms: 1 ms is up to 2) */
#define SCHED_OVERDUE_MS 100	/* a request unanswered for this long, */
#define SCHED_OVERDUE_RTTS 4	/* and this many RTTs, is presumed lost */
#define SCHED_OVERDUE_LONE_MS 250 /* with no later answer: twice the
				   wait, and this long at least */

struct job {				/* one target being polled */
	struct scheduler	*s;
	bool			 busy;
	bool			 waiting;	/* in the start queue */
	bool			 skip_rest;	/* a stream timed out */
	bool			 ending;	/* its deadline is being applied */
	bool			 parked;	/* waiting for room at its agent */
	struct agent		*agent;
	struct job		*next_parked;
	struct job		*next_waiting;
	struct job		*next_free;
	uv_timer_t		 deadline_timer;	/* --target-deadline */
	struct target		 target;
	struct tr_target	 tt;		/* the target, for transports */
	struct walk_budget	 budget;
	struct result		 result;
	size_t			 next_item;	/* next stream to start */
	unsigned		 active;	/* streams running */
	size_t			 done_items;
};

struct slot {				/* one stream's request in flight */
	struct scheduler	*s;
	struct slot		*wnext;		/* its wheel bucket, if armed */
	struct slot		**wprev;
	uint64_t		 due_ms;	/* uv_now() time */
	void			(*due_cb)(struct slot *);
	struct tr_req		 req;		/* req.index: the slot's */
	bool			 busy;
	bool			 queued;	/* waiting for a rate token */
	bool			 overdue;	/* presumed lost: no longer
						 * counted in the window */
	netsnmp_pdu		*pdu;		/* the request, until sent */
	unsigned		 tries;		/* sends of this request */
	uint64_t		 sent_ns;
	struct job		*job;
	size_t			 item;
	struct fetch		 fetch;
	struct slot		*next_free;
};

struct scheduler {
	uv_loop_t		*loop;
	const struct inventory	*inv;
	struct sched_opts	 opts;
	struct sched_source	 src;		/* targets to poll */
	struct writer		*w;
	const struct out_format	*fmt;
	struct transports	*tr;
	struct window		 win;		/* the worker's */
	unsigned		 win_shown;	/* last counted to the writer */
	struct agents		 agents;
	uint64_t		 drops;		/* our sockets', last seen */
	struct slot		*slots;
	unsigned		 nslots;	/* a power of two >= concurrency */
	struct slot		*free_slots;
	unsigned		 slots_made;	/* slots[0..slots_made) set up */
	unsigned		 nap;		/* ms, as the transports have it */
	unsigned		 slots_busy;
	unsigned		 overdue;	/* slots presumed lost */
	uint64_t		 acked_sent_ns;	/* latest send answered */
	struct job		*jobs;
	struct job		*free_jobs;
	unsigned		 jobs_made;	/* jobs[0..jobs_made) set up */
	unsigned		 njobs;
	unsigned		 jobs_busy;
	struct job		*wait_head;	/* jobs that can start a stream */
	struct job		*wait_tail;
	bool			 pumping;
	bool			 deadline;	/* the run's deadline passed */
	bool			 stopping;
	bool			 finished;
	struct slot		*wheel[SCHED_WHEEL];
	uint64_t		 wheel_ms;	/* buckets up to it are done */
	unsigned		 armed;
	uv_timer_t		 wheel_timer;
	uv_timer_t		 flush_timer;
	uv_timer_t		 rate_timer;
	uv_timer_t		 deadline_timer;
	struct tr_notes		*notes;		/* the transports', at the end */
	size_t			 nnotes;
	double			 tokens;
	uint64_t		 refill_ns;
	unsigned		*queue;		/* slots waiting for tokens */
	unsigned		 qhead;
	unsigned		 qlen;
	struct resolver		*res;		/* names, or NULL */
	unsigned		 resolving;	/* names being looked up */
	struct resolved		*ready;		/* looked up, job to come */
	size_t			 ready_head;
	size_t			 ready_len;
	size_t			 ready_cap;
};


static void	sched_pump(struct scheduler *);
static void	sched_timeout_cb(struct slot *);
static void	sched_finish(struct scheduler *);
static void	sched_transmit(struct slot *);
static void	sched_stream_done(struct slot *, enum result_status, char *);

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

/* Has j's agent room for one more request? */
static bool
sched_agent_room(const struct job *j)
{
	return j->agent->inflight < window_limit(&j->agent->win);
}

/* j waits at its agent until a request of the agent ends. */
static void
sched_park(struct job *j)
{
	struct agent	*a = j->agent;

	if (j->parked)
		return;
	j->parked = true;
	j->next_parked = NULL;
	if (a->park_tail != NULL)
		a->park_tail->next_parked = j;
	else
		a->park_head = j;
	a->park_tail = j;
}

/* Take j off its agent's parked list. */
static void
sched_unpark(struct job *j)
{
	struct agent	*a = j->agent;
	struct job	**pp = &a->park_head, *prev = NULL;

	if (!j->parked)
		return;
	while (*pp != j) {
		prev = *pp;
		pp = &(*pp)->next_parked;
	}
	*pp = j->next_parked;
	if (a->park_tail == j)
		a->park_tail = prev;
	j->parked = false;
}

/* j can start a stream: queue it, or park it while its agent is full. */
static void
sched_ready(struct scheduler *s, struct job *j)
{
	if (sched_agent_room(j))
		sched_wait_push(s, j);
	else
		sched_park(j);
}

/* Room at agent a: its parked targets go to the start queue (as many as
 * there is room for). */
static void
sched_agent_wake(struct scheduler *s, struct agent *a)
{
	unsigned	room, limit = window_limit(&a->win);
	struct job	*j;

	room = a->inflight < limit ? limit - a->inflight : 0;
	while (room-- > 0 && (j = a->park_head) != NULL) {
		sched_unpark(j);
		sched_wait_push(s, j);
	}
}

/* Tell the writer how the worker's window moved (the progress line and
 * the summary show the run's). */
static void
sched_window_note(struct scheduler *s)
{
	unsigned	now = window_limit(&s->win);

	if (now == s->win_shown)
		return;
	writer_count_event(s->w, COUNT_WINDOW,
	    (uint64_t)((int64_t)now - (int64_t)s->win_shown));
	s->win_shown = now;
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

/* The slot's deadline is gone (answered, released). */
static void
sched_disarm(struct slot *sl)
{
	if (sl->wprev == NULL)
		return;
	*sl->wprev = sl->wnext;
	if (sl->wnext != NULL)
		sl->wnext->wprev = sl->wprev;
	sl->wprev = NULL;
	sl->wnext = NULL;
	sl->s->armed--;
}

/* The wheel's one timer: every slot whose deadline has come, in the
 * buckets from the last tick to now, gets its callback.  A callback may
 * disarm others, so each bucket is scanned again from its head. */
static void
sched_wheel_cb(uv_timer_t *t)
{
	struct scheduler	*s = t->data;
	struct slot		*sl;
	uint64_t		 now = uv_now(s->loop), ms;

	ms = now - s->wheel_ms > SCHED_WHEEL ? now - SCHED_WHEEL : s->wheel_ms;
	for (; ms <= now; ms++) {
		for (;;) {
			for (sl = s->wheel[ms % SCHED_WHEEL]; sl != NULL &&
			    sl->due_ms > now; sl = sl->wnext)
				;
			if (sl == NULL)
				break;
			sched_disarm(sl);
			sl->due_cb(sl);
		}
	}
	s->wheel_ms = now;
	if (s->armed == 0)
		uv_timer_stop(t);
}

/* cb(sl) in ms milliseconds (replacing what was due). */
static void
sched_arm(struct slot *sl, uint64_t ms, void (*cb)(struct slot *))
{
	struct scheduler	*s = sl->s;
	struct slot		**b;

	sched_disarm(sl);
	sl->due_ms = uv_now(s->loop) + ms;
	sl->due_cb = cb;
	b = &s->wheel[sl->due_ms % SCHED_WHEEL];
	sl->wnext = *b;
	if (*b != NULL)
		(*b)->wprev = &sl->wnext;
	sl->wprev = b;
	*b = sl;
	if (s->armed++ == 0) {
		s->wheel_ms = uv_now(s->loop);
		uv_timer_start(&s->wheel_timer, sched_wheel_cb, 1, 1);
	}
}

/* Requests in flight that count against the worker's window: not the
 * ones presumed lost (a dead target's wait for its timeout must not
 * hold the window of the live ones). */
static unsigned
sched_in_window(const struct scheduler *s)
{
	return s->slots_busy - s->overdue;
}

static void
sched_not_overdue(struct slot *sl)
{
	if (!sl->overdue)
		return;
	sl->overdue = false;
	sl->s->overdue--;
}

static uint64_t	sched_overdue_ms(const struct scheduler *, unsigned);

/*
 * The request has gone unanswered for SCHED_OVERDUE_RTTS of the least
 * recent RTTs (SCHED_OVERDUE_MS at least) while a request sent after it
 * was answered: presumed lost, as TCP's RACK (RFC 8985) marks a segment
 * lost before its retransmission timer.  It leaves the window (not its
 * agent's) and waits out its timeout.  With no later answer (dead
 * targets first in the list, a block of unused addresses, or a stalled
 * host) it is presumed lost after twice that wait, SCHED_OVERDUE_LONE_MS
 * at least: dead targets must not hold the window of the live ones for
 * their whole timeout (a /16 of mostly unused addresses would crawl at
 * the initial window per timeout), and a stalled agent is still held by
 * its own window, which overdue requests do not leave.
 */
static void
sched_overdue_cb(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	uint64_t		 left, waited, lone;

	waited = (clock_now_ns() - sl->sent_ns) / 1000000;
	left = sl->job->target.params->timeout_ms > waited ?
	    sl->job->target.params->timeout_ms - waited : 0;
	lone = 2 * sched_overdue_ms(s, UINT_MAX);
	if (lone < SCHED_OVERDUE_LONE_MS)
		lone = SCHED_OVERDUE_LONE_MS;
	if (s->acked_sent_ns <= sl->sent_ns && left > SCHED_OVERDUE_MS &&
	    waited < lone) {
		sched_arm(sl, SCHED_OVERDUE_MS, sched_overdue_cb);
		return;
	}
	if (s->acked_sent_ns > sl->sent_ns || waited >= lone) {
		sl->overdue = true;
		s->overdue++;
		if (!sl->job->agent->answered) {
			window_probe(&s->win);
			sched_window_note(s);
		}
	}
	sched_arm(sl, left, sched_timeout_cb);
	sched_pump(s);
}

/* When a request sent now is presumed lost, in ms (0: only at its
 * timeout). */
static uint64_t
sched_overdue_ms(const struct scheduler *s, unsigned timeout_ms)
{
	uint64_t	ms = window_base(&s->win) * SCHED_OVERDUE_RTTS / 1000000;

	if (!s->opts.adapt)
		return 0;
	if (ms < SCHED_OVERDUE_MS)
		ms = SCHED_OVERDUE_MS;
	return ms < timeout_ms ? ms : 0;
}

/* The target's record goes to the writer; the job is free again. */
static void
sched_job_complete(struct job *j)
{
	struct scheduler	*s = j->s;
	struct timespec		 ts;

	uv_timer_stop(&j->deadline_timer);
	transports_target_done(s->tr, &j->tt);
	sched_unpark(j);
	agents_put(&s->agents, j->agent);
	j->agent = NULL;
	result_finish(&j->result);
	clock_gettime(CLOCK_REALTIME, &ts);
	j->result.done_ns = (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec;
	writer_record(s->w, s->fmt, &j->target, &j->result);
	result_empty(&j->result);	/* its parts serve the next target */
	j->busy = false;
	j->next_free = s->free_jobs;
	s->free_jobs = j;
	s->jobs_busy--;
	if (writer_failed(s->w))
		scheduler_stop(s);
}

/* The slot is free again; its transport forgets the request (last: a
 * v3 transport may then let another request of the target go). */
static void
sched_slot_release(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	struct agent		*a = sl->job->agent;

	sched_disarm(sl);
	sched_not_overdue(sl);
	a->inflight--;
	if (a->park_head != NULL)
		sched_agent_wake(s, a);
	if (sl->pdu != NULL)
		snmp_free_pdu(sl->pdu);
	sl->pdu = NULL;
	sl->busy = false;
	sl->queued = false;
	sl->job = NULL;
	sl->next_free = s->free_slots;
	s->free_slots = sl;
	s->slots_busy--;
	transports_cancel(s->tr, &sl->req);
}

/* A stream ended: its values and status go into the job's result part. */
static void
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
		sched_ready(s, j);
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

	j->ending = true;
	for (i = 0; i < s->slots_made && j->active > 0; i++) {
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
	sched_job_complete(j);	/* unparks it too */
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
	s->src.deadline_set(s->src.arg);
	for (i = 0; i < s->jobs_made; i++) {
		if (s->jobs[i].busy)
			sched_job_deadline(&s->jobs[i]);
	}
	if (s->res != NULL)	/* names not looked up yet: deadline too */
		resolve_cancel_queued(s->res);
	sched_pump(s);
}

/*
 * Send the stream's next request.  When the stream has no more to ask,
 * it ends here (and the slot is freed).
 */
static void
sched_request(struct slot *sl)
{
	if ((sl->pdu = fetch_next_pdu(&sl->fetch)) == NULL) {
		sched_stream_done(sl, RES_OK, NULL);
		return;
	}
	sl->tries = 0;
	sched_transmit(sl);
}

/*
 * The next free slot, or NULL when the window's ceiling is in use.
 * Slots and jobs are set up as the window first reaches them, not all
 * at start: with -j auto's ceiling of 4,096 that was 28 ms of page
 * faults before the first packet (and 10 MB) for a window that may
 * settle at a few dozen.
 */
static struct slot *
sched_slot_peek(struct scheduler *s)
{
	struct slot	*sl;

	if (s->free_slots == NULL && s->slots_made < s->opts.concurrency) {
		sl = &s->slots[s->slots_made];
		sl->s = s;
		sl->req.index = s->slots_made++;
		buf_init(&sl->req.pkt);
		sl->next_free = NULL;
		s->free_slots = sl;
	}
	return s->free_slots;
}

/* The next free job, or NULL when all njobs are busy (see above). */
static struct job *
sched_job_peek(struct scheduler *s)
{
	struct job	*j;

	if (s->free_jobs == NULL && s->jobs_made < s->njobs) {
		j = &s->jobs[s->jobs_made++];
		j->s = s;
		uv_timer_init(s->loop, &j->deadline_timer);
		j->deadline_timer.data = j;
		j->next_free = NULL;
		s->free_jobs = j;
	}
	return s->free_jobs;
}

/* Start the job's next stream on a free slot. */
static void
sched_stream_start(struct scheduler *s, struct job *j)
{
	struct slot	*sl = sched_slot_peek(s);
	size_t		 item = j->next_item++;

	s->free_slots = sl->next_free;
	s->slots_busy++;
	sl->busy = true;
	sl->job = j;
	sl->item = item;
	sl->req.tt = &j->tt;
	j->active++;
	j->agent->inflight++;
	fetch_start(&sl->fetch, s->opts.plan, &s->opts.plan->items[item],
	    j->target.params, &j->budget);
	if (sched_job_can_start(s, j))
		sched_ready(s, j);
	sched_request(sl);
}

/* A name was looked up (tag: its target's index): its target can be
 * polled, or written with the reason it cannot. */
static void
sched_resolved_cb(void *arg, uint64_t index, const struct sockaddr *addr,
    const char *error)
{
	struct scheduler	*s = arg;
	struct resolved		*r;

	s->resolving--;
	if (s->stopping || s->finished)
		return;
	if (s->ready_len == s->ready_cap) {	/* a ring: grow unrolled */
		struct resolved *n = xcalloc(s->ready_cap ? 2 * s->ready_cap :
		    64, sizeof *n);
		for (size_t i = 0; i < s->ready_len; i++)
			n[i] = s->ready[(s->ready_head + i) % s->ready_cap];
		free(s->ready);
		s->ready = n;
		s->ready_head = 0;
		s->ready_cap = s->ready_cap ? 2 * s->ready_cap : 64;
	}
	r = &s->ready[(s->ready_head + s->ready_len++) % s->ready_cap];
	r->index = index;
	r->error = error != NULL ? xstrdup(error) : NULL;
	if (addr != NULL)
		memcpy(&r->addr, addr, addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	sched_pump(s);
}

/*
 * The next target to poll, into t: a looked-up name first, else the
 * next claimed one; a name is handed to the resolver and the next one
 * claimed meanwhile (a name known already comes back at once).  *error
 * is set (allocated) for a name that did not resolve.  After the run's
 * deadline names are not looked up: their record says deadline.
 */
static bool
sched_next_target(struct scheduler *s, struct target *t, char **error)
{
	struct resolved	*r;
	uint64_t	 index;

	*error = NULL;
	for (;;) {
		if (s->ready_len > 0) {
			r = &s->ready[s->ready_head];
			s->ready_head = (s->ready_head + 1) % s->ready_cap;
			s->ready_len--;
			inventory_get(s->inv, r->index, t);
			if ((*error = r->error) == NULL)
				resolve_fill(t, (struct sockaddr *)&r->addr);
			return true;
		}
		if (s->resolving >= SCHED_RESOLVE_BACKLOG ||
		    !s->src.take(s->src.arg, &index))
			return false;
		inventory_get(s->inv, index, t);
		if (t->addrlen != 0 || s->deadline)
			return true;
		if (s->res == NULL)
			s->res = resolve_new(s->loop, s->inv->family,
			    SCHED_RESOLVE_AT_ONCE);
		s->resolving++;
		resolve_lookup(s->res, t->host, sched_resolved_cb, s, index);
	}
}

static struct job *
sched_job_new(struct scheduler *s)
{
	struct job	*j;
	char		*error;
	size_t		 i;

	for (;;) {
		if (s->stopping || (j = sched_job_peek(s)) == NULL)
			return NULL;
		if (!sched_next_target(s, &j->target, &error))
			return NULL;
		s->free_jobs = j->next_free;
		j->busy = true;
		j->skip_rest = false;
		j->ending = false;
		j->next_item = 0;
		j->active = 0;
		j->done_items = 0;
		s->jobs_busy++;
		result_reset(&j->result, s->opts.plan);
		/* never NULL: there are as many agents as jobs */
		j->agent = agents_get(&s->agents, &j->target.addr);
		j->parked = false;
		if (error == NULL)
			break;
		/* a name that does not resolve: its record, no packet */
		for (i = 0; i < j->result.nparts; i++)
			j->result.parts[i].status = RES_ERROR;
		j->result.parts[0].error = error;
		transports_bind(s->tr, &j->tt, &j->target);
		sched_job_complete(j);
	}
	transports_bind(s->tr, &j->tt, &j->target);
	memset(&j->budget, 0, sizeof j->budget);
	j->budget.max_values = j->target.params->max_walk_values;
	j->budget.max_bytes = j->target.params->max_walk_bytes;
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
	while (!s->stopping && sched_slot_peek(s) != NULL &&
	    sched_in_window(s) < window_limit(&s->win)) {
		if ((j = sched_wait_pop(s)) == NULL &&
		    (j = sched_job_new(s)) == NULL)
			break;
		if (!sched_job_can_start(s, j))
			continue;
		if (sched_agent_room(j))
			sched_stream_start(s, j);
		else
			sched_park(j);
	}
	s->pumping = false;
	if (s->jobs_busy == 0 && (s->stopping || (s->resolving == 0 &&
	    s->ready_len == 0 && s->src.over(s->src.arg))))
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

/*
 * The target is silent (sl timed out): its streams whose requests the
 * transport parked, never sent, waiting on this one (v3: for the
 * engineID), end as timeouts too, rather than start over.
 */
static void
sched_end_parked(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	struct slot		*o;
	unsigned		 i;

	for (i = 0; i < s->slots_made; i++) {
		o = &s->slots[i];
		if (o != sl && o->busy && o->job == sl->job && !o->queued &&
		    o->tries == 0 && o->pdu == NULL)
			sched_stream_done(o, RES_TIMEOUT, NULL);
	}
}

/* No answer in time: retry, or end the stream (with the transport's
 * better reason, if it has one). */
static void
sched_timeout_cb(struct slot *sl)
{
	char		*cause;

	if (sl->job->agent->answered) {	/* it answers: congestion */
		window_loss(&sl->job->agent->win);
		window_loss(&sl->s->win);
		sched_window_note(sl->s);
	}
	if (sl->tries <= sl->job->target.params->retries) {
		sl->job->result.retries++;
		writer_count_event(sl->s->w, COUNT_RETRY, 0);
		sched_transmit(sl);
		return;
	}
	cause = transports_timeout_cause(sl->s->tr, &sl->req);
	if (cause == NULL)
		sched_end_parked(sl);
	sched_stream_done(sl, cause != NULL ? RES_ERROR : RES_TIMEOUT, cause);
}

/* Send the slot's request (or again), or queue it for a token.  A
 * parked request is neither timed nor counted until it goes. */
static void
sched_transmit(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	netsnmp_pdu		*pdu = sl->pdu;
	char			*cause;
	uint64_t		 overdue;
	int			 rc;

	if (s->opts.rate > 0) {
		sched_refill(s);
		if (s->tokens < 1) {
			if (!sl->queued) {
				s->queue[(s->qhead + s->qlen) %
				    (2 * s->nslots)] = sl->req.index;
				s->qlen++;
				sl->queued = true;
			}
			if (!uv_is_active((uv_handle_t *)&s->rate_timer))
				sched_rate_cb(&s->rate_timer);
			return;
		}
		s->tokens -= 1;
	}
	sl->pdu = NULL;
	sl->req.rx_ns = 0;
	sched_not_overdue(sl);	/* a retry is in flight again */
	if (pdu != NULL)
		rc = transports_send(s->tr, &sl->req, pdu, &cause);
	else
		rc = transports_resend(s->tr, &sl->req, &cause);
	if (rc < 0) {
		sched_stream_done(sl, RES_ERROR, cause);
		return;
	}
	if (rc > 0)
		return;		/* parked: TR_READY comes later */
	sl->tries++;
	sl->sent_ns = clock_now_ns();
	writer_count_event(s->w, COUNT_REQUEST, 0);
	overdue = sched_overdue_ms(s, sl->job->target.params->timeout_ms);
	if (overdue != 0)
		sched_arm(sl, overdue, sched_overdue_cb);
	else
		sched_arm(sl, sl->job->target.params->timeout_ms,
		    sched_timeout_cb);
}

/*
 * May the transports read answers late?  While every answer of the last
 * round waited in a queue at the agents for SCHED_NAP_MS or more, a nap
 * of SCHED_NAP_MS between reads costs little throughput (the agents
 * still have work queued when it ends, and if they ran dry the RTTs fall
 * and the window grows until they have again) and saves a wakeup per
 * answer.  RTTs are the kernel's receive times, not the reads'.
 * (Against one Debian snmpd, 100k targets: 98k context switches and
 * 19-23 us of CPU a target without; 12k and 6-7 us with.)
 */
static void
sched_nap_note(struct scheduler *s)
{
	unsigned	nap = window_queue(&s->win) >=
			    SCHED_NAP_MS * 1000000ull ? SCHED_NAP_MS : 0;

	if (nap != s->nap) {
		s->nap = nap;
		transports_nap(s->tr, nap);
	}
}

/*
 * An answer came for the slot's request: time it and count it.  An
 * answer to a request sent once grows the windows; one that came only
 * after a retransmission says a datagram was lost (Karn: no RTT
 * sample), and shrinks them.  The RTT recorded is the agent's: until
 * the answer reached our socket.  The windows' RTT runs until it is
 * handled, so that a backlog on our side (this process is the
 * bottleneck) slows their growth as a queue at the agents does; only a
 * nap's own wait (SCHED_NAP_LAG_NS at most) is left out of it.
 */
static void
sched_answered(struct slot *sl)
{
	struct scheduler	*s = sl->s;
	struct agent		*a = sl->job->agent;
	uint64_t		 now = clock_now_ns(), lag, rtt, ctl;
	uint64_t		 at = sl->req.rx_ns != 0 &&
				    sl->req.rx_ns <= now ? sl->req.rx_ns : now;

	rtt = at > sl->sent_ns ? at - sl->sent_ns : 1;
	lag = now - at;
	ctl = rtt + (s->nap == 0 ? lag : lag > SCHED_NAP_LAG_NS ?
	    lag - SCHED_NAP_LAG_NS : 0);
	sched_disarm(sl);
	sl->job->result.rtt_ns = rtt;
	writer_count_event(s->w, COUNT_RESPONSE, rtt);
	a->answered = true;
	if (sl->sent_ns > s->acked_sent_ns)
		s->acked_sent_ns = sl->sent_ns;
	if (sl->tries == 1) {
		window_ack(&a->win, ctl, a->inflight);
		window_ack(&s->win, ctl, sched_in_window(s));
		sched_nap_note(s);
	} else {
		window_loss(&a->win);
		window_loss(&s->win);
	}
	sched_window_note(s);
	if (a->park_head != NULL)
		sched_agent_wake(s, a);
}

/*
 * What a transport says about a request: the answer (the stream goes
 * on), an answer asking for the request anew, leave to send a parked
 * one, or an error.  A reply is refused while the slot waits for a
 * rate token (its retransmission is due).
 */
static bool
sched_done_cb(void *ctx, struct tr_req *req, enum tr_event ev,
    netsnmp_pdu *pdu, char *cause)
{
	struct slot	*sl = (struct slot *)(void *)((char *)req -
			    offsetof(struct slot, req));
	enum fetch_step	 step;
	char		*error = NULL;

	if (!sl->busy || sl->job == NULL || sl->job->ending ||
	    sl->s->stopping) {
		free(cause);
		return true;
	}
	switch (ev) {
	case TR_REPLY:
		if (sl->queued)
			return false;
		sched_answered(sl);
		step = fetch_response(&sl->fetch, pdu, &error);
		if (step == FETCH_FAILED)
			sched_stream_done(sl, RES_ERROR, error);
		else if (step == FETCH_DONE)
			sched_stream_done(sl, RES_OK, NULL);
		else
			sched_request(sl);
		sched_pump(sl->s);	/* the window may have grown */
		break;
	case TR_RESEND:
		sched_answered(sl);
		sl->tries = 0;
		sched_transmit(sl);
		break;
	case TR_READY:
		sched_transmit(sl);
		break;
	case TR_ERROR:
		sched_disarm(sl);
		sched_stream_done(sl, RES_ERROR, cause);
		break;
	}
	return true;
}

/* Every SCHED_FLUSH_MS: pending records go out; answers the kernel
 * dropped on our own sockets since the last time (the window outran
 * the receive buffer) shrink the window like any loss. */
static void
sched_flush_cb(uv_timer_t *t)
{
	struct scheduler	*s = t->data;
	uint64_t		 drops = transports_drops(s->tr);

	if (drops > s->drops) {
		window_loss(&s->win);
		sched_window_note(s);
	}
	s->drops = drops;

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
    const struct sched_opts *opts, const struct sched_source *src,
    struct writer *w,
    const struct out_format *fmt, char **cause)
{
	struct scheduler	*s = xcalloc(1, sizeof *s);

	s->loop = loop;
	s->inv = inv;
	s->opts = *opts;
	s->src = *src;
	s->w = w;
	s->fmt = fmt;
	s->nslots = 1;
	while (s->nslots < opts->concurrency)
		s->nslots <<= 1;
	s->tr = transports_open(loop, inv, s->nslots, opts->recv_buffer,
	    opts->transports,
	    opts->ntransports, sched_done_cb, s, cause);
	if (s->tr == NULL) {
		free(s);
		return NULL;
	}
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	/* twice the slots: a slot released while queued leaves a stale
	 * entry behind, skipped when it comes up */
	s->queue = xcalloc(2 * s->nslots, sizeof *s->queue);
	s->njobs = opts->concurrency;
	s->jobs = xcalloc(s->njobs, sizeof *s->jobs);
	/* the worker's window spans many agents: losses (a lossy link,
	 * not only a queue) never take it below where it starts */
	window_init(&s->win, WINDOW_INITIAL, opts->concurrency, opts->adapt);
	agents_init(&s->agents, s->njobs, opts->per_agent != 0 &&
	    opts->per_agent < opts->concurrency ? opts->per_agent :
	    opts->concurrency, opts->adapt);
	uv_timer_init(loop, &s->wheel_timer);
	s->wheel_timer.data = s;
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
	sched_window_note(s);
	if (s->opts.deadline_ns != 0)
		uv_timer_start(&s->deadline_timer, sched_run_deadline_cb,
		    s->opts.deadline_ns > now ?
		    (s->opts.deadline_ns - now + 999999) / 1000000 : 0, 0);
	if (s->src.deadline_passed(s->src.arg))
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
	struct tr_notes	*notes;
	unsigned	 i;

	if (s->finished)
		return;
	s->finished = true;
	if (s->tr != NULL)
		writer_count_event(s->w, COUNT_DROPS, transports_drops(s->tr));
	/* (counted once, at the end: the sockets' counters are totals) */
	writer_flush(s->w);
	uv_close((uv_handle_t *)&s->wheel_timer, sched_closed_cb);
	for (i = 0; i < s->jobs_made; i++)
		uv_close((uv_handle_t *)&s->jobs[i].deadline_timer,
		    sched_closed_cb);
	uv_close((uv_handle_t *)&s->flush_timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->rate_timer, sched_closed_cb);
	uv_close((uv_handle_t *)&s->deadline_timer, sched_closed_cb);
	transports_notes(s->tr, &notes, &s->nnotes);
	if (s->nnotes != 0) {
		s->notes = xreallocarray(NULL, s->nnotes, sizeof *s->notes);
		memcpy(s->notes, notes, s->nnotes * sizeof *notes);
	}
	transports_close(s->tr);
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
	for (i = 0; i < s->slots_made; i++) {
		if (!s->slots[i].busy)
			continue;
		fetch_free(&s->slots[i].fetch);
		sched_slot_release(&s->slots[i]);
	}
	for (i = 0; i < s->jobs_made; i++) {
		uv_timer_stop(&s->jobs[i].deadline_timer);
		if (s->jobs[i].busy) {
			transports_target_done(s->tr, &s->jobs[i].tt);
			result_free(&s->jobs[i].result);
			s->jobs[i].busy = false;
		}
	}
	s->jobs_busy = 0;
	s->wait_head = s->wait_tail = NULL;
	if (s->res != NULL)
		resolve_cancel_queued(s->res);	/* heard, and ignored */
	agents_free(&s->agents);	/* every job let go of its agent */
	agents_init(&s->agents, s->njobs, s->agents.ceiling, s->agents.adapt);
	if (!s->pumping)
		sched_finish(s);
}

void
scheduler_free(struct scheduler *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	free(s->notes);
	for (; s->ready_len > 0; s->ready_len--) {
		free(s->ready[s->ready_head].error);
		s->ready_head = (s->ready_head + 1) % s->ready_cap;
	}
	free(s->ready);
	resolve_free(s->res);
	for (i = 0; i < s->slots_made; i++)
		buf_free(&s->slots[i].req.pkt);
	free(s->slots);
	for (i = 0; i < s->jobs_made; i++)
		result_free(&s->jobs[i].result);	/* the kept parts */
	free(s->jobs);
	agents_free(&s->agents);
	free(s->queue);
	free(s);
}

/* What the transports noticed over the run (engineIDs), once finished;
 * kept until scheduler_free(). */
void
scheduler_notes(const struct scheduler *s, const struct tr_notes **notes,
    size_t *n)
{
	*notes = s->notes;
	*n = s->nnotes;
}

/* The worker's window now: requests it may have in flight. */
unsigned
scheduler_window(const struct scheduler *s)
{
	return window_limit(&s->win);
}
