/*
 * transports.c — the transports of one worker, behind one interface.
 *
 * The table below lists every transport; a target goes to the first one
 * that carries its parameters.  The set opens those the inventory needs,
 * routes the scheduler's calls to a request's transport, and hands
 * completions back through the one callback.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

/* TCP first: it carries every target whose transport is TCP (any
 * version); then v3 the SNMPv3 targets, UDP all the others. */
const struct transport_ops *const transports_table[] = {
	&transport_tcp_ops,
	&transport_v3_ops,
	&transport_udp_ops,
};
const size_t transports_count =
    sizeof transports_table / sizeof transports_table[0];

struct transports {
	struct tr_host	 host;
};

/*
 * Open the transports ops[0..n) (NULL: the table) for a worker on loop:
 * at most capacity requests in flight, indices 0..capacity-1; sockets
 * with recv_buffer bytes to receive into (0: sized for capacity); cb(ctx,
 * ...) hears every completion.  Each transport opens what it needs
 * (sockets) on first use or here, as it chooses.
 */
struct transports *
transports_open(uv_loop_t *loop, const struct inventory *inv,
    unsigned capacity, uint64_t recv_buffer,
    const struct transport_ops *const *ops, size_t n, tr_done_cb cb,
    void *ctx, char **cause)
{
	struct transports	*t = xcalloc(1, sizeof *t);
	struct tr_host		*h = &t->host;
	size_t			 i;

	if (ops == NULL) {
		ops = transports_table;
		n = transports_count;
	}
	h->loop = loop;
	h->inv = inv;
	h->capacity = capacity;
	h->recv_buffer = recv_buffer;
	h->done = cb;
	h->ctx = ctx;
	for (i = 0; i < n && i < TRANSPORTS_MAX; i++)
		h->ops[i] = ops[i];
	h->n = i;
	/* in reverse: a transport may use one later in the table (v3 sends
	 * its probes over UDP's socket) */
	for (i = h->n; i-- > 0;) {
		if ((h->inst[i] = h->ops[i]->open(h, cause)) == NULL) {
			transports_close(t);
			return NULL;
		}
	}
	return t;
}

/* Which transport carries target (remembered in tt). */
void
transports_bind(struct transports *t, struct tr_target *tt,
    const struct target *target)
{
	size_t	i;

	tt->target = target;
	tt->state = NULL;
	for (i = 0; i + 1 < t->host.n; i++) {
		if (t->host.ops[i]->carries(target->params))
			break;
	}
	tt->tr = (unsigned)i;
}

int
transports_send(struct transports *t, struct tr_req *req, netsnmp_pdu *pdu,
    char **cause)
{
	unsigned	i = req->tt->tr;

	return t->host.ops[i]->send(t->host.inst[i], req, pdu, cause);
}

int
transports_resend(struct transports *t, struct tr_req *req, char **cause)
{
	unsigned	i = req->tt->tr;

	return t->host.ops[i]->resend(t->host.inst[i], req, cause);
}

void
transports_cancel(struct transports *t, struct tr_req *req)
{
	unsigned	i = req->tt->tr;

	t->host.ops[i]->cancel(t->host.inst[i], req);
}

char *
transports_timeout_cause(struct transports *t, struct tr_req *req)
{
	unsigned	i = req->tt->tr;

	if (t->host.ops[i]->timeout_cause == NULL)
		return NULL;
	return t->host.ops[i]->timeout_cause(t->host.inst[i], req);
}

/* The target is finished: its transport lets go of what it kept. */
void
transports_target_done(struct transports *t, struct tr_target *tt)
{
	unsigned	i = tt->tr;

	if (t->host.ops[i]->target_done != NULL)
		t->host.ops[i]->target_done(t->host.inst[i], tt);
	tt->state = NULL;
}

/* Close every transport (in table order: users before what they use). */
void
transports_close(struct transports *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->host.n; i++) {
		if (t->host.inst[i] != NULL)
			t->host.ops[i]->close(t->host.inst[i]);
	}
	free(t);
}

/* What the transports noticed over the run (*n entries, kept by them
 * until transports_close()); only the first transport with notes. */
void
transports_notes(struct transports *t, struct tr_notes **notes, size_t *n)
{
	size_t	i;

	*notes = NULL;
	*n = 0;
	for (i = 0; i < t->host.n && *n == 0; i++) {
		if (t->host.ops[i]->notes != NULL && t->host.inst[i] != NULL)
			t->host.ops[i]->notes(t->host.inst[i], notes, n);
	}
}

/* Datagrams the kernel dropped on the transports' sockets so far (their
 * receive buffers overflowed). */
uint64_t
transports_drops(struct transports *t)
{
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < t->host.n; i++) {
		if (t->host.ops[i]->drops != NULL && t->host.inst[i] != NULL)
			n += t->host.ops[i]->drops(t->host.inst[i]);
	}
	return n;
}

/* Answers may be read up to ms late (0: at once): see transport_ops. */
void
transports_nap(struct transports *t, unsigned ms)
{
	size_t	i;

	for (i = 0; i < t->host.n; i++) {
		if (t->host.ops[i]->nap != NULL && t->host.inst[i] != NULL)
			t->host.ops[i]->nap(t->host.inst[i], ms);
	}
}
