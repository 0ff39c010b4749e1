/*
 * sim-delay.c — replies held back by --latency or --slow: a binary
 * min-heap on (due time, arrival order), one per thread, so that the loop
 * never sleeps and a reply leaves as soon as it is due.  Each entry owns
 * a copy of its reply.  It also counts the replies held for each address
 * (requests received and not yet answered: in flight at the device), and
 * the most one address had at once, so a test can see whether a poller
 * kept to its per-agent cap.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

static bool
sim_delay_before(const struct sim_delayed *a, const struct sim_delayed *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns &&
	    a->seq < b->seq);
}

static void
sim_delay_swap(struct sim_delayed *a, struct sim_delayed *b)
{
	struct sim_delayed	 t = *a;

	*a = *b;
	*b = t;
}

/* The held count of address id (made, at 0, if new). */
static struct sim_held *
sim_delay_held(struct sim_delay *h, uint64_t id)
{
	struct sim_held	*old = h->held;
	size_t		 i, n = h->heldcap;

	id = id ? id : 1;	/* 0 marks a free slot */
	if (2 * (h->nheld + 1) > h->heldcap) {
		h->heldcap = n ? 2 * n : 64;
		h->held = xcalloc(h->heldcap, sizeof *h->held);
		h->nheld = 0;
		for (i = 0; i < n; i++) {
			if (old[i].id != 0)
				*sim_delay_held(h, old[i].id) = old[i];
		}
		free(old);
	}
	i = (size_t)(id * 0x9e3779b97f4a7c15ull) & (h->heldcap - 1);
	while (h->held[i].id != 0 && h->held[i].id != id)
		i = (i + 1) & (h->heldcap - 1);
	if (h->held[i].id == 0) {
		h->held[i].id = id;
		h->nheld++;
	}
	return &h->held[i];
}

/* Hold a copy of the reply data (len octets) to to until due_ns. */
void
sim_delay_push(struct sim_delay *h, uint64_t due_ns, const struct sim_dgram *to,
    const uint8_t *data, size_t len)
{
	struct sim_delayed	*e;
	size_t			 i, parent;

	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 1024 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	e = &h->v[h->n];
	e->due_ns = due_ns;
	e->seq = h->seq++;
	e->to = *to;
	e->data = xmalloc(len);
	memcpy(e->data, data, len);
	e->len = len;
	e->to.data = e->data;
	e->to.len = len;
	if (++sim_delay_held(h, to->local.id)->n > h->max_held)
		h->max_held = sim_delay_held(h, to->local.id)->n;
	for (i = h->n++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!sim_delay_before(&h->v[i], &h->v[parent]))
			break;
		sim_delay_swap(&h->v[i], &h->v[parent]);
	}
}

/* The reply due first, or NULL if none waits. */
const struct sim_delayed *
sim_delay_peek(const struct sim_delay *h)
{
	return h->n == 0 ? NULL : &h->v[0];
}

/* Drop the reply due first (after it was sent); frees its data. */
void
sim_delay_pop(struct sim_delay *h)
{
	size_t	 i = 0, l, r, m;

	if (h->n == 0)
		return;
	sim_delay_held(h, h->v[0].to.local.id)->n--;
	free(h->v[0].data);
	h->v[0] = h->v[--h->n];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < h->n && sim_delay_before(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && sim_delay_before(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		sim_delay_swap(&h->v[i], &h->v[m]);
		i = m;
	}
}

void
sim_delay_free(struct sim_delay *h)
{
	size_t	 i;

	for (i = 0; i < h->n; i++)
		free(h->v[i].data);
	free(h->v);
	free(h->held);
	memset(h, 0, sizeof *h);
}
