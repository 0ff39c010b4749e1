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

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

struct dedup_key {			/* one entry, for grouping */
	uint64_t	 hi;		/* IPv6: the upper 64 bits */
	uint32_t	 entry;
	uint32_t	 cred;		/* same credentials, same number */
	uint16_t	 port;		/* the port it is polled on */
	uint8_t		 family;	/* AF_INET, AF_INET6; 0: a name */
};

struct dedup_piece {			/* what an entry keeps */
	uint32_t	 entry;
	uint64_t	 lo;
	uint64_t	 count;
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
	buf_printf(&b, "%ld\n%s\n", p->snmp_version,
	    p->community ? p->community : "");
	if (p->snmp_version == SNMP_VERSION_3) {
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

static int
dedup_key_cmp(const void *a, const void *b)
{
	const struct dedup_key	*x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->cred != y->cred)
		return x->cred < y->cred ? -1 : 1;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return 0;
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
	d->pieces[d->npieces++].count = count;
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
dedup_next(size_t *next, size_t k)
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
dedup_group(struct dedup *d, const struct dedup_key *k, size_t n)
{
	const struct inv_entry	*e;
	uint64_t		*c, hi, lo, last;
	size_t			*next, nc = 0, i, m, s, end, start;

	c = xreallocarray(NULL, 2 * n, sizeof *c);
	for (i = 0; i < n; i++) {
		e = &d->inv->entries[k[i].entry];
		dedup_split(e, &hi, &lo);
		c[nc++] = lo;
		if ((last = lo + e->count - 1) != UINT64_MAX)
			c[nc++] = last + 1;
	}
	qsort(c, nc, sizeof *c, dedup_u64_cmp);
	for (m = 0, i = 0; i < nc; i++) {
		if (m == 0 || c[m - 1] != c[i])
			c[m++] = c[i];
	}
	next = xreallocarray(NULL, m + 1, sizeof *next);
	for (i = 0; i <= m; i++)
		next[i] = i;
	for (i = 0; i < n; i++) {
		e = &d->inv->entries[k[i].entry];
		dedup_split(e, &hi, &lo);
		last = lo + e->count - 1;
		end = last == UINT64_MAX ? m : dedup_index(c, m, last + 1);
		s = dedup_next(next, dedup_index(c, m, lo));
		while (s < end) {
			start = s;
			do {
				next[s] = s + 1;
				s++;
			} while (s < end && next[s] == s);
			/* segments start..s-1 were uncovered, now covered */
			dedup_keep(d, k[i].entry, c[start], (s < m ? c[s] :
			    last + 1) - c[start]);
			s = dedup_next(next, s);
		}
	}
	free(next);
	free(c);
}

/* Names: the first of each name, port and credentials is kept. */
static void
dedup_names(struct dedup *d, const struct dedup_key *k, size_t n)
{
	struct dedup_set	 set;
	const struct inv_entry	*e;
	size_t			 i;
	char			*s;

	memset(&set, 0, sizeof set);
	for (i = 0; i < n; i++) {
		e = &d->inv->entries[k[i].entry];
		s = xasprintf("%s\n%u\n%u", d->inv->names.data + e->name,
		    k[i].port, k[i].cred);
		if (dedup_set_add(&set, s, strlen(s), k[i].entry) ==
		    k[i].entry)
			dedup_keep(d, k[i].entry, 0, 1);
	}
	dedup_set_free(&set);
}

/* The table again, from what each entry keeps, in the order given. */
static void
dedup_rebuild(struct dedup *d)
{
	struct inventory	*inv = d->inv;
	struct inv_entry	*old = inv->entries, *e;
	struct dedup_piece	*sorted, *p;
	size_t			*at, i, n = inv->nentries;
	uint64_t		 hi, lo;

	/* counting sort by entry: an entry's pieces came in address order */
	at = xcalloc(n + 1, sizeof *at);
	for (i = 0; i < d->npieces; i++)
		at[d->pieces[i].entry + 1]++;
	for (i = 0; i < n; i++)
		at[i + 1] += at[i];
	sorted = xreallocarray(NULL, d->npieces ? d->npieces : 1,
	    sizeof *sorted);
	for (i = 0; i < d->npieces; i++)
		sorted[at[d->pieces[i].entry]++] = d->pieces[i];
	inv->entries = xreallocarray(NULL, d->npieces ? d->npieces : 1,
	    sizeof *inv->entries);
	inv->nentries = inv->cap = d->npieces;
	inv->total = 0;
	for (i = 0; i < d->npieces; i++) {
		p = &sorted[i];
		e = &inv->entries[i];
		*e = old[p->entry];
		if (e->family != 0) {
			dedup_split(e, &hi, &lo);
			dedup_join(e, hi, p->lo);
		}
		e->count = p->count;
		e->first = inv->total;
		inv->total += p->count;
	}
	free(sorted);
	free(at);
	free(old);
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
	struct dedup_key	*k;
	uint64_t		 before = inv->total, lo;
	size_t			 i, j, n = inv->nentries;

	*dropped = 0;
	if (n > UINT32_MAX)
		return -1;
	if (n < 2)
		return 0;
	memset(&d, 0, sizeof d);
	d.inv = inv;
	d.cred = dedup_creds(inv);
	k = xreallocarray(NULL, n, sizeof *k);
	for (i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof k[i]);
		k[i].entry = (uint32_t)i;
		k[i].family = inv->entries[i].family;
		k[i].port = dedup_port(inv, &inv->entries[i]);
		k[i].cred = d.cred[inv->entries[i].params];
		if (k[i].family != 0)
			dedup_split(&inv->entries[i], &k[i].hi, &lo);
	}
	qsort(k, n, sizeof *k, dedup_key_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && k[j].family == k[i].family &&
		    k[j].hi == k[i].hi && k[j].port == k[i].port &&
		    k[j].cred == k[i].cred; j++)
			;
		if (k[i].family == 0)
			dedup_names(&d, k + i, j - i);
		else if (j - i == 1)
			dedup_keep(&d, k[i].entry, 0, 0);	/* whole */
		else
			dedup_group(&d, k + i, j - i);
	}
	free(k);
	free(d.cred);
	/* a lone entry kept whole: its own address and count */
	for (i = 0; i < d.npieces; i++) {
		if (d.pieces[i].count == 0) {
			dedup_split(&inv->entries[d.pieces[i].entry], &lo,
			    &d.pieces[i].lo);
			d.pieces[i].count =
			    inv->entries[d.pieces[i].entry].count;
		}
	}
	dedup_rebuild(&d);
	free(d.pieces);
	*dropped = before - inv->total;
	return 0;
}
