/*
 * t-scheduler.c — the scheduler's logic on a fake transport, with no
 * socket: the request window and the per-target cap, timeouts and
 * retries, a late answer on a retry, tooBig splitting, walk termination,
 * parked requests (as v3 discovery does them), transport errors and the
 * per-target deadline; the adaptive window (window.c on its own, then
 * the scheduler's: it shrinks when requests are lost and grows back) and
 * the per-agent cap.  The fake plays one agent per target, chosen by the
 * target address's last octet (AG_MAX and above: answers everything).
 */
#include "config.h"

#include <unistd.h>

#include "snmpfleet.h"
#include "tap.h"

enum fake_agent {
	AG_OK = 1,	/* answers everything */
	AG_SILENT,	/* never answers */
	AG_LATE,	/* answers only a retry */
	AG_TOOBIG,	/* tooBig for more than 2 varbinds */
	AG_REFUSE,	/* the transport fails the request */
	AG_PARK,	/* a first answer that asks for a resend (as v3
			 * discovery), other requests parked until then */
	AG_PARK_DEAD,	/* parks other requests behind a first one that
			 * is never answered (a dead v3 agent) */
	AG_MAX
};

#define WALK_LEN	5	/* values under the walked subtree */
#define FAKE_QUEUE	4096

static const oid walk_root[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 2 };
#define WALK_ROOT_LEN	(sizeof walk_root / sizeof walk_root[0])

struct pending {
	struct tr_req	*req;
	enum tr_event	 ev;
	unsigned	 gen;		/* req's generation when queued */
};

struct fake {
	const struct tr_host	*host;
	uv_timer_t		 timer;
	struct pending		 q[FAKE_QUEUE];
	size_t			 nq;
	unsigned		 gen[256];	/* by request index */
	bool			 inflight[256];
	unsigned		 ninflight;
	unsigned		 max_inflight;
	unsigned		 per_target[256];	/* by agent_of */
	unsigned		 max_per_target[256];
	unsigned		 sends[256];	/* send + resend calls */
	unsigned		 parked[AG_MAX];
	bool			 probing[AG_MAX];
	bool			 discovered[AG_MAX];
	unsigned		 first_sends;	/* fake_send calls */
	unsigned		 win_before;	/* largest window before the
						 * losses */
	unsigned		 win_after;	/* least after them */
	unsigned		 lost;
	struct tr_req		*waiting[PER_TARGET_MAX];	/* parked */
	struct tr_req		*prober_dead;	/* AG_PARK_DEAD's first */
	unsigned		 nwaiting;
};

static struct fake	*fk;
static struct scheduler	*cur_sched;
static unsigned		 lose_from, lose_count;	/* first sends dropped */

static enum fake_agent
agent_of(const struct tr_req *req)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)
	    &req->tt->target->addr;

	return (enum fake_agent)(ntohl(sin->sin_addr.s_addr) & 0xff);
}

static void fake_timer_cb(uv_timer_t *);

static void
fake_queue(struct tr_req *req, enum tr_event ev)
{
	if (fk->nq == FAKE_QUEUE)
		abort();
	fk->q[fk->nq].req = req;
	fk->q[fk->nq].ev = ev;
	fk->q[fk->nq].gen = fk->gen[req->index];
	fk->nq++;
	uv_timer_start(&fk->timer, fake_timer_cb, 1, 0);
}

static bool
fake_carries(const struct target_params *p)
{
	return true;
}

static void *
fake_open(const struct tr_host *host, char **cause)
{
	fk = xcalloc(1, sizeof *fk);
	fk->host = host;
	uv_timer_init(host->loop, &fk->timer);
	return fk;
}

/* One value per varbind of a GET; WALK_LEN values under walk_root, then
 * the next column, for GETNEXT/GETBULK. */
static netsnmp_pdu *
fake_answer(const netsnmp_pdu *req)
{
	netsnmp_pdu		*r = snmp_pdu_create(SNMP_MSG_RESPONSE);
	netsnmp_variable_list	*v;
	oid			 o[MAX_OID_LEN];
	long			 val;
	long			 reps, k;

	r->reqid = req->reqid;
	r->version = req->version;
	r->errstat = SNMP_ERR_NOERROR;
	r->errindex = 0;
	for (v = req->variables; v != NULL; v = v->next_variable) {
		if (req->command == SNMP_MSG_GET) {
			val = (long)v->name[v->name_length - 1];
			snmp_pdu_add_variable(r, v->name, v->name_length,
			    ASN_INTEGER, &val, sizeof val);
			continue;
		}
		/* next after v->name within the subtree */
		k = 1;
		if (v->name_length == WALK_ROOT_LEN + 1 &&
		    memcmp(v->name, walk_root, sizeof walk_root) == 0)
			k = (long)v->name[WALK_ROOT_LEN] + 1;
		reps = req->command == SNMP_MSG_GETBULK ? req->errindex : 1;
		for (; reps-- > 0; k++) {
			memcpy(o, walk_root, sizeof walk_root);
			if (k > WALK_LEN) {
				o[WALK_ROOT_LEN - 1]++;	/* next column */
				o[WALK_ROOT_LEN] = 1;
			} else
				o[WALK_ROOT_LEN] = (oid)k;
			val = k;
			snmp_pdu_add_variable(r, o, WALK_ROOT_LEN + 1,
			    ASN_INTEGER, &val, sizeof val);
			if (k > WALK_LEN)
				break;
		}
	}
	return r;
}

static netsnmp_pdu *
fake_toobig(const netsnmp_pdu *req)
{
	netsnmp_pdu	*r = snmp_pdu_create(SNMP_MSG_RESPONSE);

	r->reqid = req->reqid;
	r->version = req->version;
	r->errstat = SNMP_ERR_TOOBIG;
	r->errindex = 0;
	return r;
}

static unsigned
count_vars(const netsnmp_pdu *pdu)
{
	unsigned			n = 0;
	const netsnmp_variable_list	*v;

	for (v = pdu->variables; v != NULL; v = v->next_variable)
		n++;
	return n;
}

/* Deliver what is due, as a transport would from its socket. */
static void
fake_timer_cb(uv_timer_t *t)
{
	struct pending	 q[FAKE_QUEUE];
	size_t		 n = fk->nq, i;
	struct tr_req	*req;
	netsnmp_pdu	*pdu;

	memcpy(q, fk->q, n * sizeof *q);
	fk->nq = 0;
	for (i = 0; i < n; i++) {
		req = q[i].req;
		if (q[i].gen != fk->gen[req->index] ||
		    !fk->inflight[req->index])
			continue;	/* cancelled since */
		if (q[i].ev != TR_REPLY) {
			fk->host->done(fk->host->ctx, req, q[i].ev, NULL,
			    q[i].ev == TR_ERROR ? xstrdup("fake refused") :
			    NULL);
			continue;
		}
		if (agent_of(req) == AG_TOOBIG && count_vars(req->pdu) > 2)
			pdu = fake_toobig(req->pdu);
		else
			pdu = fake_answer(req->pdu);
		fk->host->done(fk->host->ctx, req, TR_REPLY, pdu, NULL);
		snmp_free_pdu(pdu);
	}
}

static void
fake_track(struct tr_req *req)
{
	enum fake_agent	a = agent_of(req);

	if (fk->inflight[req->index])
		return;
	fk->inflight[req->index] = true;
	if (++fk->ninflight > fk->max_inflight)
		fk->max_inflight = fk->ninflight;
	if (++fk->per_target[a] > fk->max_per_target[a])
		fk->max_per_target[a] = fk->per_target[a];
}

/* What each agent does with a request sent (or sent again). */
static int
fake_act(struct tr_req *req, bool again)
{
	enum fake_agent	a = agent_of(req);

	switch (a) {
	case AG_SILENT:
		return 0;
	case AG_LATE:
		if (again)
			fake_queue(req, TR_REPLY);
		return 0;
	case AG_REFUSE:
		fake_queue(req, TR_ERROR);
		return 0;
	case AG_PARK_DEAD:
		if (fk->prober_dead != NULL && fk->prober_dead != req) {
			fk->parked[a]++;
			return 1;
		}
		fk->prober_dead = req;
		return 0;
	case AG_PARK:
		if (fk->discovered[a]) {
			fake_queue(req, TR_REPLY);
			return 0;
		}
		if (fk->probing[a]) {
			fk->parked[a]++;
			fk->waiting[fk->nwaiting++] = req;
			return 1;
		}
		fk->probing[a] = true;
		fake_queue(req, TR_RESEND);
		return 0;
	default:
		fake_queue(req, TR_REPLY);
		return 0;
	}
}

/* Act, and count what really went out (not what was parked). */
static int
fake_go(struct tr_req *req, bool again)
{
	int	rc = fake_act(req, again);

	if (rc == 0)
		fk->sends[agent_of(req)]++;
	return rc;
}

/* The scheduler's window, before and after the losses. */
static void
fake_watch_window(void)
{
	unsigned	w = scheduler_window(cur_sched);

	if (fk->first_sends < lose_from || lose_count == 0) {
		if (w > fk->win_before)
			fk->win_before = w;
	} else if (fk->win_after == 0 || w < fk->win_after)
		fk->win_after = w;
}

static int
fake_send(void *arg, struct tr_req *req, netsnmp_pdu *pdu, char **cause)
{
	unsigned	n = fk->first_sends++;

	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = pdu;
	fk->gen[req->index]++;
	fake_track(req);
	fake_watch_window();
	if (lose_count != 0 && n >= lose_from && n < lose_from + lose_count) {
		fk->lost++;	/* lost on the way: a retry gets answered */
		fk->sends[agent_of(req)]++;
		return 0;
	}
	return fake_go(req, false);
}

static int
fake_resend(void *arg, struct tr_req *req, char **cause)
{
	enum fake_agent	a = agent_of(req);
	unsigned	i;

	if (a == AG_PARK && fk->probing[a] && !fk->discovered[a]) {
		/* the "probe" was answered: the parked ones may go */
		fk->discovered[a] = true;
		for (i = 0; i < fk->nwaiting; i++)
			fake_queue(fk->waiting[i], TR_READY);
		fk->nwaiting = 0;
	}
	fake_track(req);
	return fake_go(req, true);
}

static void
fake_cancel(void *arg, struct tr_req *req)
{
	enum fake_agent	a;

	if (!fk->inflight[req->index])
		return;
	a = agent_of(req);
	fk->inflight[req->index] = false;
	fk->ninflight--;
	fk->per_target[a]--;
	fk->gen[req->index]++;
	if (req == fk->prober_dead)
		fk->prober_dead = NULL;
	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = NULL;
}

static void
fake_close(void *arg)
{
	uv_close((uv_handle_t *)&fk->timer, NULL);
}

static const struct transport_ops fake_ops = {
	.name = "fake",
	.carries = fake_carries,
	.open = fake_open,
	.send = fake_send,
	.resend = fake_resend,
	.cancel = fake_cancel,
	.close = fake_close,
};
static const struct transport_ops *const fake_table[] = { &fake_ops };

/* ---------------------------------------------------------------- */

struct seen {
	bool			 got;
	unsigned		 records;
	enum result_status	 status;
	char			 error[128];
	unsigned		 retries;
	unsigned		 values[4];	/* per part */
	enum result_status	 part_status[4];
};
static struct seen	seen[AG_MAX];

static void
rec_capture(const struct out_format *fmt, struct buf *b, const struct target *t,
    const struct result *r)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
	unsigned		 a = ntohl(sin->sin_addr.s_addr) & 0xff;
	struct seen		*s;
	netsnmp_variable_list	*v;
	size_t			 i;

	if (a >= AG_MAX)
		return;
	s = &seen[a];
	s->got = true;
	s->records++;
	s->status = r->status;
	snprintf(s->error, sizeof s->error, "%s", r->error ? r->error : "");
	s->retries = r->retries;
	for (i = 0; i < r->nparts && i < 4; i++) {
		s->values[i] = 0;
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable)
			s->values[i]++;
		s->part_status[i] = r->parts[i].status;
	}
	buf_printf(b, "%s\n", t->host);
}
static const struct out_format capture_fmt = {
	.name = "capture", .record = rec_capture,
};

/* The test's targets: every index once, in order. */
struct source {
	uint64_t	 next;
	uint64_t	 total;
	bool		 deadline;
};

static bool
src_take(void *arg, uint64_t *index)
{
	struct source	*sr = arg;

	if (sr->next == sr->total)
		return false;
	*index = sr->next++;
	return true;
}

static bool
src_over(void *arg)
{
	struct source	*sr = arg;

	return sr->next == sr->total;
}

static void
src_deadline_set(void *arg)
{
	((struct source *)arg)->deadline = true;
}

static bool
src_deadline_passed(void *arg)
{
	return ((struct source *)arg)->deadline;
}

struct run_opts {
	unsigned	 concurrency;
	bool		 adapt;
	unsigned	 per_agent;
	const char	*spec;		/* targets instead of one per agent */
	unsigned	 copies;	/* of spec */
	unsigned	 per_target;
	unsigned	 target_deadline_ms;
	unsigned	 timeout_ms;
	unsigned	 retries;
	unsigned	 noids;
	bool		 walk;
};

static bool	 hung;

/* A run that would wait for ever fails instead (a guard against a hang,
 * not a speed limit: unref'd, it never keeps the loop alive). */
static void
watchdog_cb(uv_timer_t *t)
{
	hung = true;
	scheduler_stop(t->data);
}

/* Poll 127.0.0.1-127.0.0.(AG_MAX-1) on the fake, one agent each. */
static int
run(const struct run_opts *ro, struct stats *st)
{
	static struct target_params defaults;
	struct inventory	 inv;
	struct fetch_plan	 plan;
	struct plan_item	 items[2];
	struct oid_text		 oids[8];
	struct sched_opts	 so;
	struct source		 sr;
	struct sched_source	 src;
	struct bitmap		 done;
	struct writer_shared	*wshm;
	struct writer		 w;
	struct scheduler	*s;
	uv_loop_t		 loop;
	uv_timer_t		 watchdog;
	char			 path[] = "/tmp/t-scheduler-XXXXXX", *cause;
	char			 spec[64];
	unsigned		 i;
	int			 fd;

	memset(seen, 0, sizeof seen);
	memset(&defaults, 0, sizeof defaults);
	defaults.snmp_version = SNMP_VERSION_2c;
	defaults.community = (char *)"public";
	defaults.timeout_ms = ro->timeout_ms;
	defaults.retries = ro->retries;
	inventory_init(&inv, &defaults, 161);
	snprintf(spec, sizeof spec, "127.0.0.1-127.0.0.%d", AG_MAX - 1);
	if (ro->spec == NULL &&
	    inventory_add_spec(&inv, spec, 0, &cause) != 0)
		return -1;
	for (i = 0; ro->spec != NULL && i < ro->copies; i++) {
		if (inventory_add_spec(&inv, ro->spec, 0, &cause) != 0)
			return -1;
	}

	memset(&plan, 0, sizeof plan);
	memset(items, 0, sizeof items);
	for (i = 0; i < ro->noids; i++) {
		oids[i].len = 9;
		memcpy(oids[i].v, (oid[]){ 1, 3, 6, 1, 2, 1, 1, i + 1, 0 },
		    9 * sizeof(oid));
	}
	plan.oids = oids;
	plan.noids = ro->noids;
	plan.max_oids = 10;
	plan.max_repetitions = 2;
	plan.per_target = ro->per_target;
	plan.items = items;
	items[plan.nitems++].kind = ITEM_GET;
	if (ro->walk) {
		items[plan.nitems].kind = ITEM_WALK;
		items[plan.nitems].text = (char *)"walk";
		memcpy(items[plan.nitems].oid.v, walk_root, sizeof walk_root);
		items[plan.nitems].oid.len = WALK_ROOT_LEN;
		plan.nitems++;
	}

	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	if (bitmap_init(&done, inv.total, &cause) != 0 ||
	    (wshm = writer_shared_create(&cause)) == NULL ||
	    writer_open(&w, wshm, &done, path, &capture_fmt,
	    &cause) != 0)
		return -1;
	memset(&sr, 0, sizeof sr);
	sr.total = inv.total;
	src.take = src_take;
	src.over = src_over;
	src.deadline_set = src_deadline_set;
	src.deadline_passed = src_deadline_passed;
	src.arg = &sr;

	memset(&so, 0, sizeof so);
	so.concurrency = ro->concurrency;
	so.adapt = ro->adapt;
	so.per_agent = ro->per_agent;
	so.plan = &plan;
	so.target_deadline_ms = ro->target_deadline_ms;
	so.transports = fake_table;
	so.ntransports = 1;
	uv_loop_init(&loop);
	if ((s = scheduler_new(&loop, &inv, &so, &src, &w, &capture_fmt,
	    &cause)) == NULL)
		return -1;
	cur_sched = s;
	hung = false;
	uv_timer_init(&loop, &watchdog);
	watchdog.data = s;
	uv_timer_start(&watchdog, watchdog_cb, 60000, 0);
	uv_unref((uv_handle_t *)&watchdog);
	scheduler_start(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&watchdog, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	scheduler_free(s);
	memset(st, 0, sizeof *st);
	writer_stats(&w, st);
	writer_close(&w);
	writer_shared_destroy(wshm);
	bitmap_free(&done);
	if (hung)
		return -1;
	inventory_free(&inv);
	unlink(path);
	return 0;
}

/* 4. window.c by itself: slow start, halving once a round on loss,
 * additive growth back, shrinking on RTT inflation, a fixed window. */
static void
test_window(void)
{
	struct window	w;
	unsigned	i, before, rounds;

	window_init(&w, 1, 100, true);
	is_int(window_limit(&w), WINDOW_INITIAL, "window starts at 10");
	for (i = 0; i < 10; i++)
		window_ack(&w, 100000, window_limit(&w));
	is_int(window_limit(&w), 20, "slow start: +1 per answer (20)");
	window_ack(&w, 100000, 1);
	is_int(window_limit(&w), 20, "no growth while the window is not used");
	window_loss(&w);
	is_int(window_limit(&w), 10, "a loss halves it");
	window_loss(&w);
	is_int(window_limit(&w), 10, "a second loss in the round does not");
	for (i = 0; i < 200; i++)
		window_ack(&w, 100000, window_limit(&w));
	ok(window_limit(&w) > 10 && window_limit(&w) < 40,
	    "after it, additive growth: about one per round (%u)",
	    window_limit(&w));
	for (i = 0; i < 5000; i++)
		window_ack(&w, 100000, window_limit(&w));
	is_int(window_limit(&w), 100, "never above the ceiling");
	before = window_limit(&w);
	for (i = 0; i < 100; i++)
		window_ack(&w, 20000000, window_limit(&w));
	ok(window_limit(&w) < before, "RTT inflated from 0.1 to 20 ms: "
	    "it shrinks (%u)", window_limit(&w));
	for (i = 0; i < 20 * 100; i++) {	/* a loss every round */
		if (i % 100 == 0)
			window_loss(&w);
		window_ack(&w, 100000, 0);
	}
	is_int(window_limit(&w), 1, "never below 1");
	window_init(&w, 5, 100, true);
	for (i = 0; i < 20 * 100; i++) {
		if (i % 100 == 0)
			window_loss(&w);
		window_ack(&w, 100000, 0);
	}
	is_int(window_limit(&w), 5, "never below its floor (5)");

	/* a fleet with no queue anywhere: how many rounds to the ceiling */
	window_init(&w, WINDOW_INITIAL, 4096, true);
	for (rounds = 0; rounds < 200 && window_limit(&w) < 4096; rounds++) {
		before = window_limit(&w);
		for (i = 0; i < before; i++)
			window_ack(&w, 20000000, before);
	}
	ok(rounds <= 16, "no queue: from 10 to 4,096 in %u rounds (a "
	    "fixed 50 a round past 100 took over 80)", rounds);

	/* past a loss, rounds with no queue at all grow it an eighth a
	 * round (not one): slow agents holding many requests in flight
	 * need a wide window */
	window_init(&w, WINDOW_INITIAL, 4096, true);
	for (i = 0; i < 200; i++)		/* slow start to 100 or so */
		window_ack(&w, 1000000, window_limit(&w));
	window_loss(&w);
	before = window_limit(&w);
	for (rounds = 0; rounds < 1000 && window_limit(&w) < 10 * before;
	    rounds++) {
		i = window_limit(&w);
		while (i-- > 0)
			window_ack(&w, 1000000, window_limit(&w));
	}
	ok(rounds <= 40, "no queue after a loss: from %u to ten times that "
	    "in %u rounds (one a round: about %u)", before, rounds,
	    9 * before);

	window_init(&w, 1, 32, false);
	window_loss(&w);
	window_ack(&w, 20000000, 32);
	is_int(window_limit(&w), 32, "fixed: stays at its size");
}

/*
 * A single agent, simulated: a FIFO server taking service_ns a request,
 * one-way delay oneway_ns, room for at most room requests queued (more
 * are dropped, as a full socket buffer drops them).  The window decides
 * how many are in flight; an answer to a request sent after a dropped
 * one reports that loss (as the scheduler's presumed-lost rule does).
 * Runs n requests; says the losses in the second half, the largest
 * window then, the p95 RTT then, and the drains.
 */
struct qsim {
	unsigned	 late_losses;
	unsigned	 late_max_window;
	uint64_t	 late_p95_ns;
	uint64_t	 drains;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
queue_sim(struct window *w, uint64_t service_ns, uint64_t oneway_ns,
    unsigned room, unsigned n, struct qsim *q)
{
	uint64_t	*sent = calloc(n, sizeof *sent);	/* send time */
	uint64_t	*back = calloc(n, sizeof *back);	/* 0: dropped */
	uint64_t	*rtts = calloc(n, sizeof *rtts);
	bool		*told = calloc(n, sizeof *told);	/* loss said */
	uint64_t	 now = 0, free_at = 0, arrive, t;
	unsigned	 next = 0, head = 0, inflight = 0, nrtt = 0, k, c;

	memset(q, 0, sizeof *q);
	for (;;) {
		while (next < n && inflight < window_limit(w)) {
			sent[next] = now;
			arrive = now + oneway_ns;
			/* requests still at the agent when this one arrives */
			for (c = 0, k = next; k-- > head;) {
				if (back[k] == 0)
					continue;
				if (back[k] - oneway_ns <= arrive)
					break;
				c++;
			}
			if (c >= room)
				back[next] = 0;
			else {
				free_at = (free_at > arrive ? free_at : arrive) +
				    service_ns;
				back[next] = free_at + oneway_ns;
			}
			next++;
			inflight++;
		}
		while (head < next && back[head] == 0)
			head++;		/* a drop, reported below */
		if (head == next)
			break;
		now = back[head];
		/* every drop sent before this answer is a loss now */
		for (k = head; k-- > 0 && back[k] == 0 && !told[k];) {
			told[k] = true;
			inflight--;
			window_loss(w);
			if (k >= n / 2)
				q->late_losses++;
		}
		t = now - sent[head];
		window_ack(w, t, inflight);
		inflight--;
		if (head >= n / 2) {
			rtts[nrtt++] = t;
			if (window_limit(w) > q->late_max_window)
				q->late_max_window = window_limit(w);
		}
		head++;
	}
	if (nrtt > 0)
		qsort(rtts, nrtt, sizeof *rtts, cmp_u64);
	q->late_p95_ns = nrtt ? rtts[nrtt * 95 / 100] : 0;
	q->drains = w->drains;
	free(sent);
	free(back);
	free(rtts);
	free(told);
}

/* 5. A standing queue does not hide itself: against one agent that is
 * the bottleneck (37 us a request, room for 100 queued, as Debian's
 * snmpd with its default socket buffer), the window drains now and
 * then to see the real RTT, and settles under the overflow. */
static void
test_window_queue(void)
{
	struct window	w;
	struct qsim	q;

	window_init(&w, WINDOW_INITIAL, 4096, true);
	queue_sim(&w, 37000, 50000, 100, 20000, &q);
	is_int(q.late_losses, 0, "one saturated agent: no losses once "
	    "settled (largest window %u, p95 %.2f ms, %llu drains)",
	    q.late_max_window, q.late_p95_ns / 1e6,
	    (unsigned long long)q.drains);
	ok(q.drains > 0, "the base was refreshed by drains (%llu)",
	    (unsigned long long)q.drains);
	ok(q.late_p95_ns < 100 * 37000ull, "its queue stays shorter than "
	    "the agent's room (p95 %.2f ms)", q.late_p95_ns / 1e6);
	ok(q.late_max_window >= 8, "and the window stays wide enough to "
	    "keep it busy (%u)", q.late_max_window);

	/* many agents, no queue (service 0): the RTT is the path; no
	 * drain is needed and the window reaches its ceiling */
	window_init(&w, WINDOW_INITIAL, 512, true);
	queue_sim(&w, 0, 100000, 100000, 20000, &q);
	is_int(q.late_max_window, 512, "no queue: the window reaches its "
	    "ceiling");
	is_int(q.late_losses, 0, "and loses nothing");
}

int
main(void)
{
	struct run_opts	 ro;
	struct stats	 st;
	struct fake	 f;
	unsigned	 a, total;

	init_snmp("t-scheduler");

	/* 1. one stream per target at a time, window of 3 */
	memset(&ro, 0, sizeof ro);
	ro.concurrency = 3;
	ro.per_target = 1;
	ro.timeout_ms = 20;
	ro.retries = 2;
	ro.noids = 5;
	ro.walk = true;
	ok(run(&ro, &st) == 0, "run 1 (window 3, per-target 1) completes");
	f = *fk;
	free(fk);
	for (a = AG_OK; a < AG_MAX; a++)
		ok(seen[a].records == 1, "agent %u: one record", a);
	ok(f.max_inflight <= 3 && f.max_inflight >= 2,
	    "never more than --concurrency requests in flight (max %u)",
	    f.max_inflight);
	for (a = AG_OK; a < AG_MAX; a++)
		ok(f.max_per_target[a] <= 1, "agent %u: at most 1 request in "
		    "flight (max %u)", a, f.max_per_target[a]);
	ok(seen[AG_OK].status == RES_OK && seen[AG_OK].values[0] == 5 &&
	    seen[AG_OK].values[1] == WALK_LEN,
	    "answering agent: ok, 5 GET values, the walk ends after its %d "
	    "values (got %u, %u)", WALK_LEN, seen[AG_OK].values[0],
	    seen[AG_OK].values[1]);
	ok(seen[AG_SILENT].status == RES_TIMEOUT,
	    "silent agent: timeout");
	is_int(f.sends[AG_SILENT], 3, "silent agent: sent 1 + 2 retries, "
	    "then no more (its walk is skipped)");
	is_int(seen[AG_SILENT].retries, 2, "silent agent: 2 retries counted");
	ok(seen[AG_SILENT].part_status[1] == RES_TIMEOUT,
	    "silent agent: the walk after the timed-out GET is timeout too");
	ok(seen[AG_LATE].status == RES_OK && seen[AG_LATE].values[0] == 5 &&
	    seen[AG_LATE].values[1] == WALK_LEN,
	    "agent answering only retries: ok with every value");
	ok(seen[AG_LATE].retries >= 2, "... after retries (%u)",
	    seen[AG_LATE].retries);
	ok(seen[AG_TOOBIG].status == RES_OK &&
	    seen[AG_TOOBIG].values[0] == 5,
	    "tooBig agent: the GET is split until it fits, 5 values (%u)",
	    seen[AG_TOOBIG].values[0]);
	ok(seen[AG_REFUSE].status == RES_ERROR &&
	    strcmp(seen[AG_REFUSE].error, "fake refused") == 0,
	    "transport error: status error with the transport's cause "
	    "('%s')", seen[AG_REFUSE].error);
	is_int(f.sends[AG_REFUSE], 2, "transport error: each of its 2 "
	    "streams sent once, not retried");
	ok(seen[AG_PARK].status == RES_OK && seen[AG_PARK].values[0] == 5 &&
	    seen[AG_PARK].values[1] == WALK_LEN,
	    "resend-after-answer agent: ok with every value");
	for (total = 0, a = AG_OK; a < AG_MAX; a++)
		total += f.sends[a];
	is_int(st.requests, total, "every send counted as a request");
	is_int(st.targets_done, AG_MAX - 1, "every target counted once");

	/* 2. two streams per target: the cap holds, parked requests go */
	ro.per_target = 2;
	ro.concurrency = 16;
	ok(run(&ro, &st) == 0, "run 2 (window 16, per-target 2) completes");
	f = *fk;
	free(fk);
	for (a = AG_OK; a < AG_MAX; a++)
		ok(f.max_per_target[a] <= 2, "agent %u: at most 2 requests in "
		    "flight (max %u)", a, f.max_per_target[a]);
	ok(f.max_per_target[AG_OK] == 2, "answering agent: its two streams "
	    "ran at once");
	ok(f.parked[AG_PARK] >= 1, "parking agent: its second stream was "
	    "parked (%u)", f.parked[AG_PARK]);
	ok(seen[AG_PARK].status == RES_OK && seen[AG_PARK].values[0] == 5 &&
	    seen[AG_PARK].values[1] == WALK_LEN,
	    "parking agent: the parked stream went on, ok with every value");
	ok(f.parked[AG_PARK_DEAD] == 1 &&
	    seen[AG_PARK_DEAD].status == RES_TIMEOUT &&
	    seen[AG_PARK_DEAD].part_status[1] == RES_TIMEOUT,
	    "dead parking agent: the parked stream ends as a timeout with the "
	    "one it waited on");
	is_int(f.sends[AG_PARK_DEAD], 3, "dead parking agent: 1 + 2 retries "
	    "of the first request, the parked one never sent");
	ok(seen[AG_SILENT].status == RES_TIMEOUT &&
	    f.sends[AG_SILENT] == 6,
	    "silent agent, two streams: both time out after 3 sends each "
	    "(%u)", f.sends[AG_SILENT]);

	/* 3. --target-deadline ends a silent target as "deadline" */
	ro.per_target = 1;
	ro.concurrency = 8;
	ro.timeout_ms = 5000;
	ro.retries = 0;
	ro.target_deadline_ms = 50;
	ok(run(&ro, &st) == 0, "run 3 (target deadline 50 ms) completes");
	f = *fk;
	free(fk);
	ok(seen[AG_SILENT].status == RES_DEADLINE,
	    "silent agent with a 5 s timeout: status deadline");
	ok(seen[AG_LATE].status == RES_DEADLINE,
	    "late agent (answers only retries, none left): deadline");
	ok(seen[AG_OK].status == RES_OK, "answering agent: still ok");
	is_int(f.ninflight, 0, "nothing left in flight at the fake");
	ok(seen[AG_PARK_DEAD].status == RES_DEADLINE,
	    "dead parking agent: deadline");
	is_int(st.deadline, 3, "three deadline records counted");

	test_window();
	test_window_queue();

	/* 5. adaptive: the window shrinks when requests are lost, grows back */
	memset(&ro, 0, sizeof ro);
	ro.concurrency = 64;
	ro.adapt = true;
	ro.per_target = 1;
	ro.timeout_ms = 20;
	ro.retries = 2;
	ro.noids = 1;
	ro.spec = "127.0.1.10-127.0.1.250";	/* answering agents */
	ro.copies = 12;
	lose_from = 1000;
	lose_count = 60;
	ok(run(&ro, &st) == 0, "run 5 (adaptive up to 64, 60 requests lost) "
	    "completes");
	f = *fk;
	free(fk);
	lose_count = 0;
	is_int(st.ok, 12 * 241, "every target answered (after retries)");
	ok(f.lost == 60 && st.retries >= 60, "60 requests lost, each retried "
	    "(%u lost, %llu retries)", f.lost, (unsigned long long)st.retries);
	ok(f.win_before >= 2 * WINDOW_INITIAL, "the window grew from %d "
	    "before the losses (to %u)", WINDOW_INITIAL, f.win_before);
	ok(f.win_after * 2 <= f.win_before, "the losses shrank it to half "
	    "or less (%u, from %u)", f.win_after, f.win_before);
	ok(st.window > f.win_after, "it grew back after them (settled at "
	    "%lld)", (long long)st.window);
	ok(f.max_inflight <= 64, "never above the ceiling (max %u)",
	    f.max_inflight);

	/* 6. --per-agent: targets sharing an address never exceed it */
	ro.spec = "127.0.0.1";
	ro.copies = 40;
	ro.per_agent = 3;
	ro.concurrency = 16;
	ok(run(&ro, &st) == 0, "run 6 (40 targets of one agent, per-agent 3) "
	    "completes");
	f = *fk;
	free(fk);
	is_int(st.ok, 40, "all 40 answered");
	ok(f.max_per_target[AG_OK] <= 3 && f.max_per_target[AG_OK] >= 2,
	    "at most 3 requests in flight to the agent (max %u)",
	    f.max_per_target[AG_OK]);
	ro.adapt = false;
	ok(run(&ro, &st) == 0, "run 6b (fixed window 16, per-agent 3) "
	    "completes");
	f = *fk;
	free(fk);
	ok(f.max_per_target[AG_OK] == 3, "fixed window: the agent got "
	    "exactly its cap of 3 (max %u)", f.max_per_target[AG_OK]);
	is_int(st.window, 16, "fixed window: the summary's window is -j");
	return tap_done();
}
