/*
 * resolve.c — host names looked up while the run polls: through libuv's
 * uv_getaddrinfo (its thread pool), at most a fixed number at once, the
 * rest queued in order, and each name once per process (the answer, or
 * the failure, is kept for the run).  A lookup of a name already known
 * answers at once; callers waiting for the same name share one lookup.
 * A failure is a reason in the resolver's own words, for that target's
 * record: the run goes on.
 */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

struct resolve_waiter {
	resolve_cb		 cb;
	void			*arg;
	uint64_t		 tag;
	struct resolve_waiter	*next;
};

struct resolve_name {
	char			*name;
	bool			 done;
	bool			 started;
	struct sockaddr_storage	 addr;		/* done: the address ... */
	socklen_t		 addrlen;
	char			*error;		/* ... or why there is none */
	struct resolve_waiter	*waiters;
	struct resolve_name	*next_queued;
	uv_getaddrinfo_t	 req;
	struct resolver		*r;
};

struct resolver {
	uv_loop_t		*loop;
	int			 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	unsigned		 max;		/* lookups at once */
	unsigned		 running;
	uint64_t		 lookups;	/* started, over the run */
	struct resolve_name	**slots;	/* open addressing by name */
	size_t			 cap;
	size_t			 used;
	struct resolve_name	*queue_head;
	struct resolve_name	*queue_tail;
};

/* libuv's UV_EAI_* back to getaddrinfo's codes, for gai_strerror's
 * words ("Name or service not known"). */
static const struct {
	int	uv;
	int	eai;
} resolve_codes[] = {
	{ UV_EAI_NONAME, EAI_NONAME },
	{ UV_EAI_AGAIN, EAI_AGAIN },
	{ UV_EAI_FAIL, EAI_FAIL },
	{ UV_EAI_FAMILY, EAI_FAMILY },
	{ UV_EAI_MEMORY, EAI_MEMORY },
	{ UV_EAI_SERVICE, EAI_SERVICE },
	{ UV_EAI_SOCKTYPE, EAI_SOCKTYPE },
	{ UV_EAI_BADFLAGS, EAI_BADFLAGS },
#ifdef EAI_NODATA
	{ UV_EAI_NODATA, EAI_NODATA },
#endif
#ifdef EAI_ADDRFAMILY
	{ UV_EAI_ADDRFAMILY, EAI_ADDRFAMILY },
#endif
};

/* Why a lookup of name failed (status: a libuv error), allocated. */
static char *
resolve_reason(const char *name, int status)
{
	const char	*why = NULL;
	size_t		 i;

	for (i = 0; i < sizeof resolve_codes / sizeof *resolve_codes; i++) {
		if (resolve_codes[i].uv == status)
			why = gai_strerror(resolve_codes[i].eai);
	}
	return xasprintf("cannot resolve '%s': %s", name,
	    why != NULL ? why : uv_strerror(status));
}

/* A resolver on loop for names of family (AF_UNSPEC: the first address
 * the system gives, of either family), max lookups at once. */
struct resolver *
resolve_new(uv_loop_t *loop, int family, unsigned max)
{
	struct resolver	*r = xcalloc(1, sizeof *r);

	r->loop = loop;
	r->family = family;
	r->max = max ? max : 1;
	r->cap = 64;
	r->slots = xcalloc(r->cap, sizeof *r->slots);
	return r;
}

/* Free the resolver: after its loop has run dry (no lookup running). */
void
resolve_free(struct resolver *r)
{
	struct resolve_waiter	*w, *next;
	size_t			 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->cap; i++) {
		if (r->slots[i] == NULL)
			continue;
		for (w = r->slots[i]->waiters; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
		free(r->slots[i]->name);
		free(r->slots[i]->error);
		free(r->slots[i]);
	}
	free(r->slots);
	free(r);
}

static struct resolve_name **
resolve_find(struct resolver *r, const char *name)
{
	size_t	i;

	i = parse_hash_bytes(name, strlen(name)) & (r->cap - 1);
	while (r->slots[i] != NULL && strcmp(r->slots[i]->name, name) != 0)
		i = (i + 1) & (r->cap - 1);
	return &r->slots[i];
}

static void
resolve_grow(struct resolver *r)
{
	struct resolve_name	**old = r->slots;
	size_t			  i, oldcap = r->cap;

	r->cap *= 2;
	r->slots = xcalloc(r->cap, sizeof *r->slots);
	for (i = 0; i < oldcap; i++) {
		if (old[i] != NULL)
			*resolve_find(r, old[i]->name) = old[i];
	}
	free(old);
}

/* Tell everyone waiting for n what it is now. */
static void
resolve_answer(struct resolve_name *n)
{
	struct resolve_waiter	*w;

	while ((w = n->waiters) != NULL) {
		n->waiters = w->next;
		w->cb(w->arg, w->tag, n->error == NULL ?
		    (struct sockaddr *)&n->addr : NULL, n->error);
		free(w);
	}
}

static void	resolve_start_queued(struct resolver *);

static void
resolve_done_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct resolve_name	*n = req->data;
	struct resolver		*r = n->r;

	r->running--;
	n->done = true;
	if (status == UV_ECANCELED)
		n->error = xasprintf("cannot resolve '%s': the run ended "
		    "first", n->name);
	else if (status != 0)
		n->error = resolve_reason(n->name, status);
	else if (res == NULL || res->ai_addrlen > sizeof n->addr)
		n->error = xasprintf("cannot resolve '%s': no address",
		    n->name);
	else {
		memcpy(&n->addr, res->ai_addr, res->ai_addrlen);
		n->addrlen = res->ai_addrlen;
	}
	uv_freeaddrinfo(res);
	resolve_answer(n);
	resolve_start_queued(r);
}

/* Start queued lookups while there is room. */
static void
resolve_start_queued(struct resolver *r)
{
	struct resolve_name	*n;
	struct addrinfo		 hints;
	int			 rc;

	while (r->running < r->max && (n = r->queue_head) != NULL) {
		r->queue_head = n->next_queued;
		if (r->queue_head == NULL)
			r->queue_tail = NULL;
		memset(&hints, 0, sizeof hints);
		hints.ai_family = r->family;
		hints.ai_socktype = SOCK_DGRAM;
		n->req.data = n;
		n->started = true;
		r->lookups++;
		rc = uv_getaddrinfo(r->loop, &n->req, resolve_done_cb, n->name,
		    NULL, &hints);
		if (rc != 0) {
			n->done = true;
			n->error = resolve_reason(n->name, rc);
			resolve_answer(n);
			continue;
		}
		r->running++;
	}
}

/*
 * The address of name, for cb(arg, tag, addr, error): at once (before
 * returning) when the name is known already, else when its lookup ends.
 * addr (port 0) and error are the resolver's, valid during the call;
 * exactly one of them is NULL.
 */
void
resolve_lookup(struct resolver *r, const char *name, resolve_cb cb,
    void *arg, uint64_t tag)
{
	struct resolve_name	**slot, *n;
	struct resolve_waiter	 *w;

	if (r->used * 2 >= r->cap)
		resolve_grow(r);
	slot = resolve_find(r, name);
	if ((n = *slot) == NULL) {
		n = *slot = xcalloc(1, sizeof *n);
		n->name = xstrdup(name);
		n->r = r;
		r->used++;
		if (r->queue_tail != NULL)
			r->queue_tail->next_queued = n;
		else
			r->queue_head = n;
		r->queue_tail = n;
	}
	w = xcalloc(1, sizeof *w);
	w->cb = cb;
	w->arg = arg;
	w->tag = tag;
	w->next = n->waiters;
	n->waiters = w;
	if (n->done)
		resolve_answer(n);
	else
		resolve_start_queued(r);
}

/*
 * Give up on every lookup not started yet: their waiters hear "the run
 * ended first" now (the run's deadline passed, or it is stopping).
 * Lookups already running end by themselves.
 */
void
resolve_cancel_queued(struct resolver *r)
{
	struct resolve_name	*n;

	while ((n = r->queue_head) != NULL) {
		r->queue_head = n->next_queued;
		n->done = true;
		n->error = xasprintf("cannot resolve '%s': the run ended "
		    "first", n->name);
		resolve_answer(n);
	}
	r->queue_tail = NULL;
}

/* How many lookups were started (each name once), for tests. */
uint64_t
resolve_lookups(const struct resolver *r)
{
	return r->lookups;
}

/* Fill t's address from addr, with t's port. */
void
resolve_fill(struct target *t, const struct sockaddr *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&t->addr;

	memset(&t->addr, 0, sizeof t->addr);
	if (addr->sa_family == AF_INET) {
		memcpy(sin, addr, sizeof *sin);
		sin->sin_port = htons(t->port);
		t->addrlen = sizeof *sin;
	} else {
		memcpy(sin6, addr, sizeof *sin6);
		sin6->sin6_port = htons(t->port);
		t->addrlen = sizeof *sin6;
	}
}
