/*
 * sim-delay.c — replies held back by --latency or --slow: a binary
 * min-heap on (due time, arrival order), one per thread, so that the loop
 * never sleeps and a reply leaves as soon as it is due.  Each entry owns
 * a copy of its reply.
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
	memset(h, 0, sizeof *h);
}
