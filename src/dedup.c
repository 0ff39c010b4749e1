/*
 * dedup.c — each target once.  Two targets are the same when they have
 * the same address (or, before it is looked up, the same host name), the
 * same port and the same credentials; the first one given is kept, with
 * its settings (tags, timeouts), and the later ones are dropped.
 *
 * Nothing is expanded: entries (a host, a CIDR block, a range) are
 * intervals of addresses.  Entries of one family, port and credentials
 * form a group; the group's interval ends cut the address line into
 * elementary segments, and the entries, taken in the order given, each
 * keep the segments that no earlier entry covered (a union-find "next
 * uncovered segment" skips covered ones, so every segment is visited
 * once).  What an entry keeps becomes one entry per run of segments.  So
 * a /8 stays one entry, and a million single hosts cost a sort.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

struct dedup_piece {			/* what an entry keeps */
	uint64_t	 lo;		/* its first address's lower 64 bits */
	uint32_t	 entry;
	uint32_t	 count_1;	/* its count less 1 (up to 2^32) */
};

struct dedup_set {			/* strings seen (open addressing) */
	char		**slots;
	uint32_t	 *values;
	size_t		  cap;
	size_t		  used;
};

struct dedup {
	struct inventory	*inv;
	struct dedup_piece	*pieces;
	size_t			 npieces;
	size_t			 cap;
	uint32_t		*cred;		/* per params index */
	uint64_t		 kept;		/* targets in the pieces */
};

/* Add s (taken over) with value v unless present; the value kept. */
static uint32_t
dedup_set_add(struct dedup_set *set, char *s, size_t len, uint32_t v)
{
	size_t		 i, oldcap = set->cap;
	char		**old = set->slots;
	uint32_t	*oldv = set->values;

	if (set->used * 2 >= set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->slots = xcalloc(set->cap, sizeof *set->slots);
		set->values = xcalloc(set->cap, sizeof *set->values);
		set->used = 0;
		for (i = 0; i < oldcap; i++) {
			if (old[i] != NULL)
				dedup_set_add(set, old[i], strlen(old[i]),
				    oldv[i]);
		}
		free(old);
		free(oldv);
	}
	i = parse_hash_bytes(s, len) & (set->cap - 1);
	while (set->slots[i] != NULL) {
		if (strcmp(set->slots[i], s) == 0) {
			free(s);
			return set->values[i];
		}
		i = (i + 1) & (set->cap - 1);
	}
	set->slots[i] = s;
	set->values[i] = v;
	set->used++;
	return v;
}

static void
dedup_set_free(struct dedup_set *set)
{
	size_t	i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	free(set->values);
}

/* What a target is polled with, as text: two params with the same text
 * poll an agent the same way. */
static char *
dedup_cred_text(const struct target_params *p)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	/* udp: and tcp: to one address:port are two targets */
	buf_printf(&b, "%d\n%ld\n", p->transport, p->snmp_version);
	if (p->snmp_version != SNMP_VERSION_3)
		buf_adds(&b, p->community ? p->community : "");
	else {
		buf_printf(&b, "%s\n%d\n%d\n%s\n%d\n%s\n%s\n",
		    p->user ? p->user : "", p->level, p->auth,
		    p->authpass ? p->authpass : "", p->priv,
		    p->privpass ? p->privpass : "",
		    p->context ? p->context : "");
		for (i = 0; i < p->engine_id_len; i++)
			buf_printf(&b, "%02x", p->engine_id[i]);
	}
	buf_cstr(&b);
	return b.data;
}

/* A number per params: equal for equal credentials. */
static uint32_t *
dedup_creds(const struct inventory *inv)
{
	struct dedup_set	 set;
	uint32_t		*cred;
	char			*s;
	size_t			 i;

	memset(&set, 0, sizeof set);
	cred = xcalloc(inv->nparams, sizeof *cred);
	for (i = 0; i < inv->nparams; i++) {
		s = dedup_cred_text(inv->params[i]);
		cred[i] = dedup_set_add(&set, s, strlen(s), (uint32_t)i);
	}
	dedup_set_free(&set);
	return cred;
}

static uint16_t
dedup_port(const struct inventory *inv, const struct inv_entry *e)
{
	const struct target_params	*p = inv->params[e->params];

	return e->port ? e->port : p->port ? p->port :
	    (uint16_t)inv->default_port;
}

/* An address as numbers: the upper and lower 64 bits (IPv4: lower). */
static void
dedup_split(const struct inv_entry *e, uint64_t *hi, uint64_t *lo)
{
	size_t	i;

	*hi = *lo = 0;
	if (e->family == AF_INET) {
		for (i = 0; i < 4; i++)
			*lo = *lo << 8 | e->addr[i];
		return;
	}
	for (i = 0; i < 8; i++) {
		*hi = *hi << 8 | e->addr[i];
		*lo = *lo << 8 | e->addr[8 + i];
	}
}

static void
dedup_join(struct inv_entry *e, uint64_t hi, uint64_t lo)
{
	size_t	i;

	if (e->family == AF_INET) {
		for (i = 0; i < 4; i++)
			e->addr[i] = (uint8_t)(lo >> (24 - 8 * i));
		return;
	}
	for (i = 0; i < 8; i++) {
		e->addr[i] = (uint8_t)(hi >> (56 - 8 * i));
		e->addr[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

struct dedup_group {			/* entries that can be the same */
	uint64_t	 hi;		/* IPv6: the upper 64 bits */
	uint32_t	 cred;
	uint16_t	 port;
	uint8_t		 family;	/* 0: names */
	uint32_t	 n;		/* its entries */
};

struct dedup_groups {			/* open addressing, by key */
	struct dedup_group	*v;
	uint32_t		*slots;		/* group index + 1, or 0 */
	size_t			 n;
	size_t			 cap;
};

/* The group of entry i (a new one if it has none yet). */
static uint32_t
dedup_group_of(const struct dedup *d, struct dedup_groups *g, size_t i)
{
	const struct inv_entry	*e = &d->inv->entries[i];
	struct dedup_group	 k;
	uint64_t		 lo;
	size_t			 h, j;

	memset(&k, 0, sizeof k);
	k.family = e->family;
	k.port = dedup_port(d->inv, e);
	k.cred = d->cred[e->params];
	if (e->family == AF_INET6)
		dedup_split(e, &k.hi, &lo);
	if (g->n * 2 >= g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		free(g->slots);
		g->slots = xcalloc(g->cap, sizeof *g->slots);
		g->v = xreallocarray(g->v, g->cap, sizeof *g->v);
		for (j = 0; j < g->n; j++) {
			h = parse_hash_bytes(&g->v[j], offsetof(struct
			    dedup_group, n)) & (g->cap - 1);
			while (g->slots[h] != 0)
				h = (h + 1) & (g->cap - 1);
			g->slots[h] = (uint32_t)j + 1;
		}
	}
	h = parse_hash_bytes(&k, offsetof(struct dedup_group, n)) &
	    (g->cap - 1);
	while (g->slots[h] != 0) {
		if (memcmp(&g->v[g->slots[h] - 1], &k,
		    offsetof(struct dedup_group, n)) == 0)
			return g->slots[h] - 1;
		h = (h + 1) & (g->cap - 1);
	}
	g->v[g->n] = k;
	g->slots[h] = (uint32_t)++g->n;
	return (uint32_t)g->n - 1;
}

static int
dedup_u64_cmp(const void *a, const void *b)
{
	const uint64_t	*x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void
dedup_keep(struct dedup *d, uint32_t entry, uint64_t lo, uint64_t count)
{
	if (d->npieces == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->pieces = xreallocarray(d->pieces, d->cap,
		    sizeof *d->pieces);
	}
	d->pieces[d->npieces].entry = entry;
	d->pieces[d->npieces].lo = lo;
	d->pieces[d->npieces++].count_1 = (uint32_t)(count - 1);
	d->kept += count;
}

/* An entry kept whole. */
static void
dedup_keep_whole(struct dedup *d, uint32_t entry)
{
	uint64_t	hi, lo;

	dedup_split(&d->inv->entries[entry], &hi, &lo);
	dedup_keep(d, entry, lo, d->inv->entries[entry].count);
}

/* The index of v among the n sorted coordinates c (v is one of them). */
static size_t
dedup_index(const uint64_t *c, size_t n, uint64_t v)
{
	size_t	lo = 0, hi = n;

	while (lo < hi) {
		if (c[lo + (hi - lo) / 2] < v)
			lo = lo + (hi - lo) / 2 + 1;
		else
			hi = lo + (hi - lo) / 2;
	}
	return lo;
}

/* The first uncovered segment at or after k (path halving). */
static size_t
dedup_next(uint32_t *next, size_t k)
{
	while (next[k] != k) {
		next[k] = next[next[k]];
		k = next[k];
	}
	return k;
}

/*
 * One group's entries (k[0..n), in the order given): each keeps the
 * segments of its interval that no earlier one covered.
 */
static void
dedup_group(struct dedup *d, const uint32_t *k, size_t n)
{
	const struct inv_entry	*e;
	uint64_t		*c, hi, lo, last;
	uint32_t		*next;
	size_t			 nc = 0, i, m, s, end, start;

	c = xreallocarray(NULL, 2 * n, sizeof *c);
	for (i = 0; i < n; i++) {
		e = &d->inv->entries[k[i]];
		dedup_split(e, &hi, &lo);
		c[nc++] = lo;
		if ((last = lo + e->count - 1) != UINT64_MAX)
			c[nc++] = last + 1;
	}
	/* an inventory in address order (the usual one) is sorted already */
	for (i = 1; i < nc && c[i - 1] <= c[i]; i++)
		continue;
	if (i < nc)
		qsort(c, nc, sizeof *c, dedup_u64_cmp);
	for (m = 0, i = 0; i < nc; i++) {
		if (m == 0 || c[m - 1] != c[i])
			c[m++] = c[i];
	}
	next = xreallocarray(NULL, m + 1, sizeof *next);
	for (i = 0; i <= m; i++)
		next[i] = (uint32_t)i;
	for (i = 0; i < n; i++) {
		e = &d->inv->entries[k[i]];
		dedup_split(e, &hi, &lo);
		last = lo + e->count - 1;
		end = last == UINT64_MAX ? m : dedup_index(c, m, last + 1);
		s = dedup_next(next, dedup_index(c, m, lo));
		while (s < end) {
			start = s;
			do {
				next[s] = (uint32_t)(s + 1);
				s++;
			} while (s < end && next[s] == s);
			/* segments start..s-1 were uncovered, now covered */
			dedup_keep(d, k[i], c[start], (s < m ? c[s] :
			    last + 1) - c[start]);
			s = dedup_next(next, s);
		}
	}
	free(next);
	free(c);
}

/* Names of one group (one port and credentials): the first of each name
 * is kept. */
static void
dedup_names(struct dedup *d, const uint32_t *k, size_t n)
{
	const struct inventory	*inv = d->inv;
	const char		*name;
	uint32_t		*slots;		/* entry + 1, or 0 */
	size_t			 cap = 64, i, h;

	while (cap < 2 * n)
		cap *= 2;
	slots = xcalloc(cap, sizeof *slots);
	for (i = 0; i < n; i++) {
		name = inv->names.data + inv->entries[k[i]].name;
		h = parse_hash_bytes(name, strlen(name)) & (cap - 1);
		while (slots[h] != 0 && strcmp(inv->names.data +
		    inv->entries[slots[h] - 1].name, name) != 0)
			h = (h + 1) & (cap - 1);
		if (slots[h] == 0) {
			slots[h] = k[i] + 1;
			dedup_keep(d, k[i], 0, 1);
		}
	}
	free(slots);
}

/* The table again, from what each entry keeps, in the order given. */
static void
dedup_rebuild(struct dedup *d)
{
	struct inventory	*inv = d->inv;
	struct inv_entry	*old = inv->entries, *e;
	struct dedup_piece	*p;
	uint32_t		*at;
	size_t			 i, n = inv->nentries;
	uint64_t		 hi, lo;

	/* counting sort by entry, straight into the new table: an entry's
	 * pieces came in address order, and keep it */
	at = xcalloc(n + 1, sizeof *at);
	for (i = 0; i < d->npieces; i++)
		at[d->pieces[i].entry + 1]++;
	for (i = 0; i < n; i++)
		at[i + 1] += at[i];
	inv->entries = xreallocarray(NULL, d->npieces, sizeof *inv->entries);
	for (i = 0; i < d->npieces; i++) {
		p = &d->pieces[i];
		e = &inv->entries[at[p->entry]++];
		*e = old[p->entry];
		if (e->family != 0) {
			dedup_split(e, &hi, &lo);
			dedup_join(e, hi, p->lo);
		}
		e->count = (uint64_t)p->count_1 + 1;
	}
	free(at);
	free(old);
	inv->nentries = inv->cap = d->npieces;
	inv->total = 0;
	for (i = 0; i < inv->nentries; i++) {
		inv->entries[i].first = inv->total;
		inv->total += inv->entries[i].count;
	}
}

/*
 * Drop the targets given more than once from inv (the first stays);
 * *dropped is how many went.  Returns 0, or -1 if the table is too big
 * to be deduplicated (then it is left as it is).
 */
int
dedup_inventory(struct inventory *inv, uint64_t *dropped)
{
	struct dedup		 d;
	struct dedup_groups	 g;
	uint32_t		*gi, *k, *at;
	size_t			 i, n = inv->nentries;

	*dropped = 0;
	if (n >= UINT32_MAX / 2)	/* 2n interval ends fit 32 bits */
		return -1;
	if (n < 2)
		return 0;
	memset(&d, 0, sizeof d);
	memset(&g, 0, sizeof g);
	d.inv = inv;
	d.cred = dedup_creds(inv);
	/* each entry's group, then the entries by group in the order
	 * given (a counting sort: stable, one pass) */
	gi = xreallocarray(NULL, n, sizeof *gi);
	for (i = 0; i < n; i++) {
		gi[i] = dedup_group_of(&d, &g, i);
		g.v[gi[i]].n++;
	}
	at = xcalloc(g.n + 1, sizeof *at);
	for (i = 0; i < g.n; i++)
		at[i + 1] = at[i] + g.v[i].n;
	k = xreallocarray(NULL, n, sizeof *k);
	for (i = 0; i < n; i++)
		k[at[gi[i]]++] = (uint32_t)i;
	free(gi);
	for (i = 0; i < g.n; i++) {
		size_t first = at[i] - g.v[i].n;

		if (g.v[i].family == 0)
			dedup_names(&d, k + first, g.v[i].n);
		else if (g.v[i].n == 1)
			dedup_keep_whole(&d, k[first]);
		else
			dedup_group(&d, k + first, g.v[i].n);
	}
	free(at);
	free(k);
	free(g.v);
	free(g.slots);
	free(d.cred);
	*dropped = inv->total - d.kept;
	if (*dropped != 0)	/* else every entry is kept whole */
		dedup_rebuild(&d);
	free(d.pieces);
	return 0;
}
