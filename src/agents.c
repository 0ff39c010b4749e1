/*
 * agents.c — the agent addresses a worker is polling now, each with its
 * own window (window.c) and count of requests in flight.  An agent is
 * an address and port: targets that share one (contexts of one device,
 * devices behind one proxy, a simulator) share its window, so together
 * they never overrun it.  An entry lives while targets of it are being
 * polled; the table never holds more entries than it was made for.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"

static size_t
agents_addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static bool
agents_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	}
	a4 = (const struct sockaddr_in *)a;
	b4 = (const struct sockaddr_in *)b;
	return a4->sin_port == b4->sin_port &&
	    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

static unsigned
agents_bucket(const struct agents *t, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;
	uint64_t			 h;

	if (ss->ss_family == AF_INET6)
		h = parse_hash_bytes(&s6->sin6_addr, 16) ^ s6->sin6_port;
	else
		h = parse_hash_bytes(&s4->sin_addr, 4) ^ s4->sin_port;
	return (unsigned)(h * 0x9e3779b97f4a7c15ull >> 32) &
	    (t->nbuckets - 1);
}

/*
 * Make t for up to n agents at once, each with a window of at most
 * ceiling requests (adaptive, or fixed at the ceiling).
 */
void
agents_init(struct agents *t, unsigned n, unsigned ceiling, bool adapt)
{
	memset(t, 0, sizeof *t);
	t->ceiling = ceiling;
	t->adapt = adapt;
	t->nbuckets = 1;
	while (t->nbuckets < 2 * n)
		t->nbuckets <<= 1;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	/* untouched until used (agents_get): a ceiling of thousands costs
	 * no page faults at start */
	t->pool = xcalloc(n, sizeof *t->pool);
	t->n = n;
}

void
agents_free(struct agents *t)
{
	free(t->buckets);
	free(t->pool);
	memset(t, 0, sizeof *t);
}

/* The agent at addr, made if new; one more reference to it.  NULL only
 * when more agents are asked for than t was made for. */
struct agent *
agents_get(struct agents *t, const struct sockaddr_storage *addr)
{
	unsigned	 b = agents_bucket(t, addr);
	struct agent	*a;

	for (a = t->buckets[b]; a != NULL; a = a->next) {
		if (agents_same(&a->addr, addr)) {
			a->refs++;
			return a;
		}
	}
	if ((a = t->free) != NULL)
		t->free = a->next;
	else if (t->made < t->n)
		a = &t->pool[t->made++];
	else
		return NULL;
	memset(a, 0, sizeof *a);
	memcpy(&a->addr, addr, agents_addr_len(addr));
	window_init(&a->win, 1, t->ceiling, t->adapt);
	a->refs = 1;
	a->next = t->buckets[b];
	t->buckets[b] = a;
	t->live++;
	return a;
}

/* One reference to a less; the agent is forgotten with its last. */
void
agents_put(struct agents *t, struct agent *a)
{
	struct agent	**pp;

	if (--a->refs > 0)
		return;
	pp = &t->buckets[agents_bucket(t, &a->addr)];
	while (*pp != a)
		pp = &(*pp)->next;
	*pp = a->next;
	a->next = t->free;
	t->free = a;
	t->live--;
}
