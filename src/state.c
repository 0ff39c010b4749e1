/*
 * state.c — the --state file: what the last run saw of each target, so
 * the next run can compute counter deltas and rates and notice changes
 * (reboots, new fingerprints, targets that stopped answering).  This
 * file reads it; state-build.c writes it.
 *
 * The file, version 3, in host byte order (an endian mark refuses a
 * foreign one):
 *
 *	header		128 bytes: magic, version, record sizes, counts,
 *			file size, checksum (xxh64-style, four lanes, per
 *			section below, folded with the header read with
 *			its checksum field as 0)
 *	targets		ntargets × struct state_target (56 bytes), one per
 *			key, in no particular order: every lookup goes
 *			through the index
 *	counters	ncounters × struct state_counter (16 bytes: a
 *			60-bit OID hash with type and flags in the top
 *			bits, and the value; no poll time of its own: the
 *			target's); a target's own are [first, first +
 *			ncounters), sorted by OID hash (binary search)
 *	discs		ndisc × (uint32 counter, uint32 discontinuity
 *			time), one per counter with STATE_HAS_DISC, by
 *			counter (binary search): rare, so kept apart
 *	index		nslots (> ntargets, about 1.5 times) × (uint32
 *			target + 1, 0 empty; uint32 tag: the key hash's
 *			top bits): open addressing, linear probing from
 *			the hash's place; a probe that meets another key
 *			reads its tag, not its target (a random page of
 *			the targets touched, and mapped, for nothing)
 *	strings		fingerprints: first the entries (entries_len
 *			bytes), (uint16 field, uint16 len, len bytes)
 *			each, every distinct one once (a fleet's
 *			sysObjectIDs and sysDescrs repeat); then per
 *			target fp_len bytes of uint32 offsets of its
 *			entries; padded to 8 bytes
 *
 * The sections are checksummed apart so that a writer can fill them at
 * once, each at its own offset, in one pass (state-build.c).  Reading
 * checks everything a lookup will trust (sizes, checksum, every range)
 * before handing it out, so a truncated, corrupt or foreign file is an
 * error with a cause, never a crash.  The checks read the file with
 * pread(2) in chunks, not through the mapping, so opening does not
 * fault the whole file in: the mapping (MADV_RANDOM) holds only the
 * pages lookups touch, and every STATE_RELEASE lookups they are given
 * back (MADV_DONTNEED: the next lookups fault in what they need again,
 * from the page cache), so a process that looks up a million targets
 * does not end up with the whole file in its resident set.  Versions 1
 * and 2 are refused with their version.  For 1,000,000 targets of 4
 * counters and two shared fingerprint fields the file is about 128 MiB:
 * 56 + 4 × 16 bytes of records, 12 of index and 8 of fingerprint
 * offsets a target.
 *
 * The file is only ever replaced (rename(2) of a whole new file), never
 * changed in place, so a mapping stays valid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"

#define STATE_TICK_NS	10000000ull	/* one TimeTick: 1/100 s */
#define STATE_RELEASE	16384	/* lookups between giving pages back */

_Static_assert(sizeof(struct state_header) == 128, "state header size");
_Static_assert(sizeof(struct state_target) == 56, "state target size");
_Static_assert(sizeof(struct state_counter) == 16, "state counter size");

#define STATE_OID_MASK	((1ull << STATE_OID_BITS) - 1)
#define STATE_CHUNK	(56 * 4 * 4096)	/* pread size: whole records */

#define SUM_P1	0x9e3779b185ebca87ull
#define SUM_P2	0xc2b2ae3d27d4eb4full

static uint64_t
state_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Murmur3's finalizer: every input bit reaches every output bit. */
uint64_t
state_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

void
state_sum_init(struct state_sum *s)
{
	memset(s, 0, sizeof *s);
	s->lane[0] = SUM_P1 + SUM_P2;
	s->lane[1] = SUM_P2;
	s->lane[3] = -SUM_P1;
}

/* One 32-byte stripe into the four lanes. */
static void
state_sum_stripe(struct state_sum *s, const uint8_t *p)
{
	uint64_t	w;
	int		i;

	for (i = 0; i < 4; i++) {
		memcpy(&w, p + 8 * i, 8);
		s->lane[i] = state_rotl(s->lane[i] + w * SUM_P2, 31) * SUM_P1;
	}
}

void
state_sum_add(struct state_sum *s, const void *data, size_t n)
{
	const uint8_t	*p = data;
	size_t		 k;

	if (n == 0)
		return;		/* data may be NULL then (no memcpy from it) */
	s->total += n;
	if (s->ntail != 0) {
		k = 32 - s->ntail < n ? 32 - s->ntail : n;
		memcpy(s->tail + s->ntail, p, k);
		s->ntail += k;
		p += k;
		n -= k;
		if (s->ntail < 32)
			return;
		state_sum_stripe(s, s->tail);
		s->ntail = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		state_sum_stripe(s, p);
	memcpy(s->tail, p, n);
	s->ntail = n;
}

uint64_t
state_sum_end(struct state_sum *s)
{
	uint64_t	h = s->total;
	int		i;

	memset(s->tail + s->ntail, 0, 32 - s->ntail);
	state_sum_stripe(s, s->tail);
	for (i = 0; i < 4; i++)
		h = state_mix(h ^ s->lane[i]);
	return h;
}

/* The sum of n bytes at p. */
static uint64_t
state_sum_bytes(const void *p, size_t n)
{
	struct state_sum	s;

	state_sum_init(&s);
	state_sum_add(&s, p, n);
	return state_sum_end(&s);
}

/* A section's sum folded into the body's (acc starts at 0): the order
 * of the sections counts. */
uint64_t
state_sum_fold(uint64_t acc, uint64_t section)
{
	return state_mix(state_rotl(acc, 17) ^ section ^ SUM_P2);
}

/* The file's checksum: its header (the checksum field as 0) and the
 * folded sums of its sections. */
uint64_t
state_checksum(const struct state_header *h, uint64_t body)
{
	struct state_header	copy = *h;

	copy.checksum = 0;
	return state_mix(state_sum_bytes(&copy, sizeof copy) ^
	    state_rotl(body, 17));
}

/* The hash of an OID's numbers (counter instances): STATE_OID_BITS bits,
 * as the file keeps it. */
uint64_t
state_oid_hash(const oid *o, size_t len)
{
	uint32_t	v[MAX_OID_LEN];
	size_t		i;

	if (len > MAX_OID_LEN)
		len = MAX_OID_LEN;
	for (i = 0; i < len; i++)
		v[i] = (uint32_t)o[i];
	return parse_hash_bytes(v, len * sizeof v[0]) & STATE_OID_MASK;
}

/* A key from a target's address and the caller's identity hash. */
void
state_key_from_sockaddr(struct state_key *k, const struct sockaddr *sa,
    uint64_t ident)
{
	const struct sockaddr_in	*s4 = (const void *)sa;
	const struct sockaddr_in6	*s6 = (const void *)sa;

	memset(k, 0, sizeof *k);
	k->ident = ident;
	if (sa->sa_family == AF_INET6) {
		k->family = 6;
		memcpy(k->addr, &s6->sin6_addr, 16);
		k->port = ntohs(s6->sin6_port);
	} else {
		k->family = 4;
		memcpy(k->addr, &s4->sin_addr, 4);
		k->port = ntohs(s4->sin_port);
	}
}

/* Where a key's hash starts probing the index. */
uint64_t
state_key_hash(const uint8_t *addr, uint8_t family, uint16_t port,
    uint64_t ident)
{
	uint8_t	b[27];

	memcpy(b, addr, 16);
	b[16] = family;
	memcpy(b + 17, &port, 2);
	memcpy(b + 19, &ident, 8);
	return state_mix(parse_hash_bytes(b, sizeof b));
}

static bool
state_key_is(const struct state_target *t, const struct state_key *k)
{
	return t->family == k->family && t->port == k->port &&
	    t->ident == k->ident && memcmp(t->addr, k->addr, 16) == 0;
}

/* Where hash h (mixed: every bit counts) falls among nslots (any number
 * of them; a division, the same on every platform). */
uint64_t
state_slot(uint64_t h, uint64_t nslots)
{
	return h % nslots;
}

/*
 * Did the agent restart between two samples?  Both need sysUpTime.  It
 * went back (unless it wrapped at 2^32 ticks, which the wall clock
 * confirms), or it is younger than the time since the last poll.
 */
static bool
state_rebooted(const struct state_sample *p, const struct state_sample *c)
{
	uint64_t	wall, up_ns, slack;

	if (!p->has_uptime || !c->has_uptime)
		return false;
	wall = c->time_ns > p->time_ns ? c->time_ns - p->time_ns : 0;
	slack = 1000000000ull + wall / 64;
	if (c->uptime < p->uptime) {
		up_ns = (uint64_t)(uint32_t)(c->uptime - p->uptime) *
		    STATE_TICK_NS;
		return wall == 0 || up_ns > wall + slack ||
		    up_ns + slack < wall;
	}
	return (uint64_t)c->uptime * STATE_TICK_NS + slack < wall;
}

/* The interval between two samples: on the agent's clock when both
 * have it, else on ours; 0 if it did not advance. */
static uint64_t
state_interval(const struct state_sample *p, const struct state_sample *c)
{
	if (p->has_uptime && c->has_uptime)
		return (uint64_t)(uint32_t)(c->uptime - p->uptime) *
		    STATE_TICK_NS;
	return c->time_ns > p->time_ns ? c->time_ns - p->time_ns : 0;
}

/*
 * The delta and rate of a counter from its previous sample (NULL: none)
 * to cur.  A Counter32 (values taken mod 2^32) may have wrapped once; a
 * Counter64 never wraps.  max_interval_ns (0: no limit) bounds how far
 * apart the samples may be.  When there is no rate, out->reason says why
 * and delta and rate are 0: never a negative, infinite or made-up rate.
 */
void
state_delta(const struct state_sample *prev, const struct state_sample *cur,
    enum state_type type, uint64_t max_interval_ns, struct state_delta *out)
{
	uint64_t	d;

	memset(out, 0, sizeof *out);
	if (prev == NULL) {
		out->reason = STATE_FIRST;
		return;
	}
	/* RFC 2863: the row's counters may have jumped if its
	 * discontinuity time changed; known only from the last sample's
	 * time too, if it after sysUpTime then */
	if (cur->has_disc && ((prev->has_disc && prev->disc != cur->disc) ||
	    (!prev->has_disc && prev->has_uptime && cur->has_uptime &&
	    cur->disc > prev->uptime))) {
		out->reason = STATE_DISCONTINUITY;
		return;
	}
	if (state_rebooted(prev, cur)) {
		out->reason = STATE_REBOOT;
		return;
	}
	out->dt_ns = state_interval(prev, cur);
	if (out->dt_ns == 0)
		out->reason = STATE_CLOCK;
	else if (max_interval_ns != 0 && out->dt_ns > max_interval_ns)
		out->reason = STATE_INTERVAL;
	else if (type == STATE_COUNTER64 && cur->value < prev->value)
		out->reason = STATE_BACKWARDS;
	if (out->reason != STATE_RATE)
		return;
	if (type == STATE_COUNTER32)
		d = (uint32_t)((uint32_t)cur->value - (uint32_t)prev->value);
	else
		d = cur->value - prev->value;
	out->delta = d;
	out->rate = (double)d * 1e9 / (double)out->dt_ns;
}

/* The word for a reason, as records and events will show it. */
const char *
state_reason_name(enum state_reason r)
{
	switch (r) {
	case STATE_RATE:
		return "rate";
	case STATE_FIRST:
		return "first";
	case STATE_REBOOT:
		return "reboot";
	case STATE_DISCONTINUITY:
		return "discontinuity";
	case STATE_INTERVAL:
		return "interval";
	case STATE_BACKWARDS:
		return "backwards";
	case STATE_CLOCK:
		return "clock";
	}
	return "unknown";
}

/* The header's promises about itself: 0, or -1 with *cause. */
static int
state_check_header(const struct state_header *h, size_t size, char **cause)
{
	uint64_t	want;

	if (memcmp(h->magic, STATE_MAGIC, sizeof STATE_MAGIC) != 0) {
		*cause = xstrdup("not a snmpfleet state file");
		return -1;
	}
	if (h->endian != STATE_ENDIAN) {
		*cause = xstrdup("written on a machine of another byte order");
		return -1;
	}
	if (h->version != STATE_VERSION) {
		*cause = xasprintf("version %u (this snmpfleet reads %u)",
		    h->version, STATE_VERSION);
		return -1;
	}
	if (h->header_size != sizeof *h ||
	    h->target_size != sizeof(struct state_target) ||
	    h->counter_size != sizeof(struct state_counter)) {
		*cause = xstrdup("record sizes differ from this snmpfleet's");
		return -1;
	}
	if (h->ntargets > STATE_MAX_TARGETS || h->ncounters > UINT32_MAX ||
	    h->nslots <= h->ntargets || h->nslots > (1ull << 32) ||
	    h->ndisc > h->ncounters || h->entries_len > h->strings_len) {
		*cause = xstrdup("impossible counts in the header");
		return -1;
	}
	if (h->strings_len > size) {
		*cause = xasprintf("%zu bytes, but the header says more "
		    "(truncated?)", size);
		return -1;
	}
	want = sizeof *h + h->ntargets * sizeof(struct state_target) +
	    h->ncounters * sizeof(struct state_counter) +
	    h->ndisc * sizeof(struct state_disc) + h->nslots * 8 +
	    ((h->strings_len + 7) & ~7ull);
	if (want != size || h->file_size != size) {
		*cause = xasprintf("%zu bytes, but the header says %llu "
		    "(truncated?)", size, (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* Read all n bytes at off: 0, or an errno (EIO when the file is
 * shorter). */
int
state_pread(int fd, void *p, size_t n, off_t off)
{
	ssize_t	k;

	while (n > 0) {
		k = pread(fd, p, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		p = (uint8_t *)p + k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/* Does a target's every range stay inside the file? */
static bool
state_target_ok(const struct state_header *h, const struct state_target *t)
{
	return (uint64_t)t->first + t->ncounters <= h->ncounters &&
	    t->fp_off >= h->entries_len && t->fp_off <= h->strings_len &&
	    t->fp_len <= h->strings_len - t->fp_off && t->fp_len % 4 == 0 &&
	    (t->family == 4 || t->family == 6);
}

/* Check what one chunk of a section holds (whole records, the first
 * numbered i; *last: the discs' previous counter): 0, or -1 with
 * *cause. */
static int
state_check_chunk(const struct state_header *h, int section,
    const uint8_t *p, size_t n, uint64_t i, uint32_t *last, char **cause)
{
	struct state_target	t;
	struct state_disc	d;
	uint32_t		e;
	size_t			k;

	for (k = 0; section == 0 && k < n; k += sizeof t, i++) {
		memcpy(&t, p + k, sizeof t);
		if (!state_target_ok(h, &t)) {
			*cause = xasprintf("target %llu is out of range",
			    (unsigned long long)i);
			return -1;
		}
	}
	for (k = 0; section == 2 && k < n; k += sizeof d, i++) {
		memcpy(&d, p + k, sizeof d);
		if (d.at >= h->ncounters || (i > 0 && d.at <= *last)) {
			*cause = xasprintf("discontinuity %llu is out of "
			    "range or order", (unsigned long long)i);
			return -1;
		}
		*last = d.at;
	}
	for (k = 0; section == 3 && k < n; k += 2 * sizeof e, i++) {
		memcpy(&e, p + k, sizeof e);
		if (e > h->ntargets) {
			*cause = xasprintf("index slot %llu is out of range",
			    (unsigned long long)i);
			return -1;
		}
	}
	return 0;
}

/*
 * Read the body of the file whose header is h with pread, in chunks:
 * its checksum (section by section), and every range a lookup will
 * follow (targets' counters and fingerprints, discontinuities, index
 * slots).  Not through the mapping, so no page of it stays resident.
 * 0, or -1 with *cause; a bad checksum is reported before a bad range.
 */
static int
state_check_body(int fd, const struct state_header *h, char **cause)
{
	uint64_t		 len[6], left, i, body = 0;
	size_t			 rec[6] = { sizeof(struct state_target),
				     sizeof(struct state_counter),
				     sizeof(struct state_disc), 8, 1, 1 };
	struct state_sum	 sum;
	uint8_t			*buf = xmalloc(STATE_CHUNK);
	char			*why = NULL;
	off_t			 off = sizeof *h;
	size_t			 n;
	uint32_t		 last = 0;
	int			 sec, err = 0;

	len[0] = h->ntargets * sizeof(struct state_target);
	len[1] = h->ncounters * sizeof(struct state_counter);
	len[2] = h->ndisc * sizeof(struct state_disc);
	len[3] = h->nslots * 8;
	len[4] = h->entries_len;
	len[5] = h->file_size - sizeof *h - len[0] - len[1] - len[2] -
	    len[3] - len[4];
	for (sec = 0; sec < 6 && err == 0; sec++) {
		state_sum_init(&sum);
		for (left = len[sec], i = 0; left > 0 && err == 0; left -= n) {
			n = left < STATE_CHUNK ? left : STATE_CHUNK;
			n -= n % rec[sec] == 0 ? 0 : n % rec[sec];
			if (n == 0)
				n = (size_t)left;
			err = state_pread(fd, buf, n, off);
			if (err != 0)
				break;
			state_sum_add(&sum, buf, n);
			if (why == NULL)
				state_check_chunk(h, sec, buf, n, i, &last,
				    &why);
			off += n;
			i += n / rec[sec];
		}
		body = state_sum_fold(body, state_sum_end(&sum));
	}
	free(buf);
	if (err != 0) {
		*cause = xasprintf("read: %s", strerror(err));
		free(why);
		return -1;
	}
	if (state_checksum(h, body) != h->checksum) {
		*cause = xstrdup("checksum mismatch (corrupt file)");
		free(why);
		return -1;
	}
	if (why != NULL) {
		*cause = why;
		return -1;
	}
	return 0;
}

/* Point st's sections into its mapping (the header is checked). */
static void
state_point(struct state *st)
{
	const struct state_header	*h = st->h;
	const uint8_t			*p = st->map + sizeof *h;

	st->targets = (const void *)p;
	p += h->ntargets * sizeof(struct state_target);
	st->counters = (const void *)p;
	p += h->ncounters * sizeof(struct state_counter);
	st->discs = (const void *)p;
	p += h->ndisc * sizeof(struct state_disc);
	st->index = (const void *)p;
	st->strings = p + h->nslots * 8;
}

/* Check all of the file fd of size bytes, then map it. */
static int
state_map(struct state *st, int fd, size_t size, char **cause)
{
	struct state_header	 h;
	void			*m;
	int			 err;

	if (size < sizeof h) {
		*cause = xasprintf("%zu bytes: too short for a state file "
		    "(truncated?)", size);
		return -1;
	}
	if ((err = state_pread(fd, &h, sizeof h, 0)) != 0) {
		*cause = xasprintf("read: %s", strerror(err));
		return -1;
	}
	if (state_check_header(&h, size, cause) != 0 ||
	    state_check_body(fd, &h, cause) != 0)
		return -1;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		return -1;
	}
	st->map = m;
	st->size = size;
	st->h = m;
	if (memcmp(st->h, &h, sizeof h) != 0) {
		*cause = xstrdup("changed while being read");
		return -1;
	}
	(void)madvise(m, size, MADV_RANDOM);
	state_point(st);
	return 0;
}

/*
 * Open a state file read-only and check it whole (magic, version, sizes,
 * checksum, every range).  Returns 0 with *out, or -1 with *cause
 * ("path: why").
 */
int
state_open_read(const char *path, struct state **out, char **cause)
{
	struct state	*st = xcalloc(1, sizeof *st);
	struct stat	 sb;
	char		*why = NULL;
	int		 fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0)
		why = xstrdup(strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		why = xstrdup("not a regular file");
	else
		rc = state_map(st, fd, (size_t)sb.st_size, &why);
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		*cause = xasprintf("%s: %s", path, why);
		free(why);
		state_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	if (st->map != NULL)
		munmap((void *)st->map, st->size);
	free(st);
}

uint64_t
state_targets(const struct state *st)
{
	return st->h->ntargets;
}

/* Target i in file order (i < state_targets()). */
const struct state_target *
state_target_at(const struct state *st, uint64_t i)
{
	return i < st->h->ntargets ? &st->targets[i] : NULL;
}

/*
 * Give back the pages of st's mapping that lookups faulted in (they
 * stay in the page cache; the next lookups fault in what they need
 * again).  Pointers into st stay valid.
 */
void
state_release(const struct state *st)
{
	if (st != NULL && st->map != NULL)
		(void)madvise((void *)st->map, st->size, MADV_DONTNEED);
}

/* A target by its key, or NULL: one probe on average.  Every
 * STATE_RELEASE lookups, the mapping's pages are given back first (a
 * pointer returned before stays valid). */
const struct state_target *
state_find_target(const struct state *st, const struct state_key *k)
{
	struct state	*mut = (struct state *)st;	/* the count only */
	uint64_t	 nslots = st->h->nslots, slot, n, h;
	uint32_t	 e;

	if (++mut->lookups >= STATE_RELEASE) {
		mut->lookups = 0;
		state_release(st);
	}
	h = state_key_hash(k->addr, k->family, k->port, k->ident);
	slot = state_slot(h, nslots);
	for (n = 0; n < nslots; n++, slot = slot + 1 == nslots ? 0 : slot + 1) {
		e = st->index[2 * slot];
		if (e == 0)
			return NULL;
		if (st->index[2 * slot + 1] == (uint32_t)(h >> 32) &&
		    state_key_is(&st->targets[e - 1], k))
			return &st->targets[e - 1];
	}
	return NULL;
}

/* One of a target's counters by OID hash (its low STATE_OID_BITS bits
 * count), or NULL (binary search). */
const struct state_counter *
state_find_counter(const struct state *st, const struct state_target *t,
    uint64_t oid_hash)
{
	const struct state_counter	*c = st->counters + t->first;
	size_t				 lo = 0, hi = t->ncounters, mid;

	oid_hash &= STATE_OID_MASK;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c[mid].oid_hash == oid_hash)
			return &c[mid];
		if (c[mid].oid_hash < oid_hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A target's j-th counter (j < t->ncounters), in OID hash order. */
const struct state_counter *
state_target_counter(const struct state *st, const struct state_target *t,
    uint32_t j)
{
	return &st->counters[t->first + j];
}

/* The discontinuity time kept with a counter of st (STATE_HAS_DISC),
 * else 0 (binary search of the discs). */
uint32_t
state_counter_disc(const struct state *st, const struct state_counter *c)
{
	uint64_t	lo = 0, hi = st->h->ndisc, mid;
	uint32_t	at = (uint32_t)(c - st->counters);

	if (!(c->flags & STATE_HAS_DISC))
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->discs[mid].at == at)
			return st->discs[mid].disc;
		if (st->discs[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* A target's i-th fingerprint entry (field, len, bytes), or NULL if it
 * would leave the strings. */
const uint8_t *
state_fp_entry(const struct state *st, const struct state_target *t,
    size_t i)
{
	uint64_t	slen = st->h->strings_len;
	uint32_t	off;
	uint16_t	n;

	memcpy(&off, st->strings + t->fp_off + 4 * i, 4);
	if (off > slen || slen - off < 4)
		return NULL;
	memcpy(&n, st->strings + off + 2, 2);
	return n > slen - off - 4 ? NULL : st->strings + off;
}

/*
 * A target's fingerprint field (not NUL-terminated: *len bytes), or
 * NULL.  Each entry's offset and length are checked against the
 * strings.
 */
const char *
state_fingerprint(const struct state *st, const struct state_target *t,
    unsigned field, size_t *len)
{
	size_t	i;

	for (i = 0; i + 4 <= t->fp_len; i += 4) {
		const uint8_t	*e = state_fp_entry(st, t, i / 4);
		uint16_t	 f, n;

		if (e == NULL)
			return NULL;
		memcpy(&f, e, 2);
		memcpy(&n, e + 2, 2);
		if (f == field) {
			*len = n;
			return (const char *)e + 4;
		}
	}
	return NULL;
}
