/*
 * sim-worker.c — one sim thread: read a batch of requests, decide each
 * one's fate (dropped as malformed, wrong community, dead device, lost;
 * answered now or later), build the replies, send them as a batch, send
 * the delayed replies that are due, and sleep in ppoll only when the
 * socket is empty — until the main thread says stop.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "sim.h"

struct sim_loop {
	struct sim_worker	*w;
	const struct sim_config	*cfg;
	struct sim_batch	*batch;
	struct sim_delay	 delay;
	struct sim_reply_ctx	 ctx;
	struct sim_request	 req;
	uint8_t			*out;		/* a reply is built here */
	size_t			 outsize;
	uint64_t		 rng;
	uint64_t		 c[SIM_C_COUNT];
};

static void
sim_loop_queue(struct sim_loop *l, const struct sim_dgram *to,
    const uint8_t *data, size_t len)
{
	if (sim_batch_pending(l->batch) == SIM_BATCH)
		l->c[SIM_C_ANSWERED] += (uint64_t)sim_net_flush(l->w->fd,
		    l->batch, &l->c[SIM_C_SEND_ERRORS]);
	sim_net_queue(l->batch, to, data, len);
}

/* Is this request for us: well-formed, v1/v2c, the right community? */
static bool
sim_loop_accept(struct sim_loop *l, const struct sim_dgram *d)
{
	enum sim_parse	 p;

	p = d->len == 0 ? SIM_PARSE_ERROR :
	    sim_ber_parse(d->data, d->len, &l->req, SIM_MAX_VARS);
	if (p == SIM_PARSE_VERSION) {
		l->c[SIM_C_BAD_VERSION]++;
		return false;
	}
	if (p != SIM_PARSE_OK) {
		l->c[SIM_C_PARSE_ERRORS]++;
		return false;
	}
	if (l->req.communitylen != l->cfg->communitylen ||
	    memcmp(l->req.community, l->cfg->community,
	    l->cfg->communitylen) != 0) {
		l->c[SIM_C_BAD_COMMUNITY]++;
		return false;
	}
	return true;
}

static void
sim_loop_one(struct sim_loop *l, struct sim_dgram *d, uint64_t now)
{
	const struct sim_faults	*f = &l->cfg->faults;
	struct sim_device	 dev;
	uint8_t			*msg;
	size_t			 len;
	uint64_t		 delay;

	l->c[SIM_C_RECEIVED]++;
	if (d->local.family == 0) {	/* no pktinfo: the bound address */
		const struct sim_listen *ls = &l->cfg->listen;

		if (ls->family == AF_INET)
			sim_addr_set(&d->local, AF_INET,
			    &((const struct sockaddr_in *)&ls->ss)->sin_addr);
		else
			sim_addr_set(&d->local, AF_INET6,
			    &((const struct sockaddr_in6 *)&ls->ss)->sin6_addr);
	}
	if (sim_fault_dead(f, &d->local)) {
		l->c[SIM_C_DEAD]++;
		return;
	}
	if (sim_fault_lost(f, &l->rng)) {
		l->c[SIM_C_LOST]++;
		return;
	}
	if (!sim_loop_accept(l, d))
		return;
	sim_device_init(&dev, &d->local);
	l->ctx.now_ns = now;
	len = sim_reply_build(&l->ctx, &l->req, &dev, l->out, l->outsize, &msg);
	delay = sim_fault_delay(f, &d->local, &l->rng);
	if (delay > 0 && l->delay.n >= SIM_MAX_DELAYED)
		l->c[SIM_C_DELAY_FULL]++;	/* memory is not endless */
	else if (delay > 0) {
		sim_delay_push(&l->delay, now + delay, d, msg, len);
		l->c[SIM_C_DELAYED]++;
	} else
		sim_loop_queue(l, d, msg, len);
}

/* Queue the delayed replies that are due; returns ns until the next one
 * (UINT64_MAX: none waits). */
static uint64_t
sim_loop_due(struct sim_loop *l, uint64_t now)
{
	const struct sim_delayed	*e;

	while ((e = sim_delay_peek(&l->delay)) != NULL && e->due_ns <= now) {
		sim_loop_queue(l, &e->to, e->data, e->len);
		sim_delay_pop(&l->delay);
	}
	return e == NULL ? UINT64_MAX : e->due_ns - now;
}

/* Wait for requests, the next due reply or the stop pipe; false: stop. */
static bool
sim_loop_wait(struct sim_loop *l, uint64_t wait_ns)
{
	struct pollfd	 pfd[2];
	struct timespec	 ts;

	pfd[0].fd = l->w->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = l->w->stop_fd;
	pfd[1].events = POLLIN;
	ts.tv_sec = (time_t)(wait_ns / 1000000000);
	ts.tv_nsec = (long)(wait_ns % 1000000000);
	if (ppoll(pfd, 2, wait_ns == UINT64_MAX ? NULL : &ts, NULL) == -1 &&
	    errno != EINTR)
		return false;
	return (pfd[1].revents & POLLIN) == 0;
}

static void
sim_loop_init(struct sim_loop *l, struct sim_worker *w)
{
	memset(l, 0, sizeof *l);
	l->w = w;
	l->cfg = w->cfg;
	l->outsize = sim_reply_headroom(l->cfg->communitylen) +
	    l->cfg->max_size;
	l->batch = sim_batch_new(l->cfg->max_size);
	l->out = xmalloc(l->outsize);
	l->req.vars = xcalloc(SIM_MAX_VARS, sizeof *l->req.vars);
	sim_reply_init(&l->ctx, l->cfg->max_size);
	l->rng = sim_mix64(l->cfg->faults.seed * 0x9e3779b97f4a7c15ULL +
	    w->index + 1);
	if (l->rng == 0)
		l->rng = 1;
}

static void
sim_loop_free(struct sim_loop *l)
{
	sim_batch_free(l->batch);
	sim_delay_free(&l->delay);
	sim_reply_free(&l->ctx);
	free(l->req.vars);
	free(l->out);
}

/* The thread: w->fd is its socket; returns when told to stop or, with
 * w->error set (and SIGTERM sent to the process), when the socket fails. */
void *
sim_worker_run(void *arg)
{
	struct sim_worker	*w = arg;
	struct sim_loop		 l;
	struct sim_dgram	*d;
	uint64_t		 now, wait;
	int			 n, i;

	sim_loop_init(&l, w);
	for (;;) {
		n = sim_net_recv(w->fd, l.batch, &d);
		if (n == -1) {
			/* say so, and have the main thread stop everything */
			w->error = xasprintf("receive: %s", strerror(errno));
			kill(getpid(), SIGTERM);
			break;
		}
		now = clock_now_ns();
		for (i = 0; i < n; i++)
			sim_loop_one(&l, &d[i], now);
		wait = sim_loop_due(&l, now);
		l.c[SIM_C_ANSWERED] += (uint64_t)sim_net_flush(w->fd, l.batch,
		    &l.c[SIM_C_SEND_ERRORS]);
		l.c[SIM_C_OVERFLOWS] = sim_batch_overflows(l.batch);
		l.c[SIM_C_MAX_INFLIGHT] = l.delay.max_held;
		sim_counters_add(&w->counters, l.c);
		if (atomic_load_explicit(w->stop, memory_order_relaxed))
			break;
		if (n < SIM_BATCH && !sim_loop_wait(&l, wait))
			break;
	}
	sim_counters_add(&w->counters, l.c);
	sim_loop_free(&l);
	return NULL;
}
