/*
 * state.c — the --state file: what the last run saw of each target, so
 * the next run can compute counter deltas and rates and notice changes
 * (reboots, new fingerprints, targets that stopped answering).
 *
 * The file, in host byte order (an endian mark refuses a foreign one):
 *
 *	header		128 bytes: magic, version, record sizes, counts,
 *			file size, checksum (xxh64-style, four lanes, over
 *			every byte with the checksum field read as 0)
 *	targets		ntargets × struct state_target (56 bytes), sorted
 *			by key, one per key
 *	counters	ncounters × struct state_counter (16 bytes: a
 *			60-bit OID hash with type and flags in the top
 *			bits, and the value; no poll time of its own: the
 *			target's); a target's own are [first, first +
 *			ncounters), sorted by OID hash (binary search)
 *	discs		ndisc × (uint32 counter, uint32 discontinuity
 *			time), one per counter with STATE_HAS_DISC, by
 *			counter (binary search): rare, so kept apart
 *	index		nslots × uint32 (> ntargets, about 1.5 times):
 *			open addressing, linear probing from the hash's
 *			place, 0 empty, else target + 1
 *	strings		fingerprints: first the entries, (uint16 field,
 *			uint16 len, len bytes) each, every distinct one
 *			once (a fleet's sysObjectIDs and sysDescrs
 *			repeat); then per target fp_len bytes of uint32
 *			offsets of its entries; padded to 8 bytes
 *
 * Reading checks everything a lookup will trust (sizes, checksum, every
 * range) before handing it out, so a truncated, corrupt or foreign file
 * is an error with a cause, never a crash.  The checks read the file
 * with pread(2) in chunks, not through the mapping, so opening does not
 * fault the whole file in: the mapping (MADV_RANDOM) holds only the
 * pages lookups touch.  Version 1 files (64- and 32-byte records) are
 * refused with their version.  For 1,000,000 targets of 4 counters and
 * two shared fingerprint fields the file is about 128 MiB: 56 + 4 × 16
 * bytes of records, 6 of index and 8 of fingerprint offsets a target.
 *
 * Writing goes to a temporary file in the same directory, which is
 * fsynced and renamed over the old one (then the directory is fsynced):
 * killed at any point, the old file or the new one is there, whole.
 * The file is only ever replaced, never changed in place, so a mapping
 * stays valid.
 *
 * Intended use: workers never write the file.  The parent opens the old
 * state (workers inherit the read-only mapping across fork), collects
 * every target's results into one builder (state_builder_add_*), and
 * writes once at the end of the run.  Where workers must hand over
 * through files instead, each writes a partial file with its own builder
 * and the parent merges them with state_builder_add_file; so does a run
 * that wants to keep the targets it did not poll (add the old state
 * first).  Duplicate keys keep the newest poll (on a tie, the one added
 * last); a counter given twice for one target keeps the one added last
 * (counters have no poll time of their own).
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

#define STATE_MAGIC	"SFSTATE"
#define STATE_VERSION	2
#define STATE_ENDIAN	0x01020304u
#define STATE_TICK_NS	10000000ull	/* one TimeTick: 1/100 s */
#define STATE_MAX_TARGETS	0x7fffffffull

struct state_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 endian;
	uint32_t	 header_size;
	uint32_t	 target_size;
	uint32_t	 counter_size;
	uint32_t	 pad0;
	uint64_t	 ntargets;
	uint64_t	 ncounters;
	uint64_t	 nslots;
	uint64_t	 strings_len;
	uint64_t	 file_size;
	uint64_t	 created_ns;
	uint64_t	 checksum;
	uint64_t	 ndisc;
	uint8_t		 reserved[32];
};

_Static_assert(sizeof(struct state_header) == 128, "state header size");
_Static_assert(sizeof(struct state_target) == 56, "state target size");
_Static_assert(sizeof(struct state_counter) == 16, "state counter size");

/* A discontinuity time, in the file (at: the counter) and the builder
 * (at: its place in b->c). */
struct state_disc {
	uint32_t	 at;
	uint32_t	 disc;
};

#define STATE_OID_MASK	((1ull << STATE_OID_BITS) - 1)
#define STATE_CHUNK	(56 * 4 * 4096)	/* pread size: whole records */

struct state {
	const uint8_t			*map;
	size_t				 size;
	const struct state_header	*h;
	const struct state_target	*targets;
	const struct state_counter	*counters;
	const struct state_disc		*discs;
	const uint32_t			*index;
	const uint8_t			*strings;
};

struct state_builder {
	struct state_target	*t;
	size_t			 nt, capt;
	struct state_counter	*c;
	size_t			 nc, capc;
	struct buf		 s;
	struct state_counter	*tmp;	/* room for a merge sort */
	size_t			 ntmp;
	struct state_disc	*d;	/* by at; one per STATE_HAS_DISC */
	size_t			 nd, capd;
	uint32_t		*r;	/* targets' entries: offsets in s */
	size_t			 nr, capr;
	uint32_t		*ht;	/* s's entries by hash: offset + 1 */
	size_t			 nht, nent;
	size_t			 fp_bytes;	/* the last target's */
};

/* The checksum: four xxh64 lanes over 32-byte stripes, then the tail. */
struct state_sum {
	uint64_t	 lane[4];
	uint8_t		 tail[32];
	size_t		 ntail;
	uint64_t	 total;
};

#define SUM_P1	0x9e3779b185ebca87ull
#define SUM_P2	0xc2b2ae3d27d4eb4full

static uint64_t
state_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Murmur3's finalizer: every input bit reaches every output bit. */
static uint64_t
state_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static void
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

static void
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

static uint64_t
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

/* The sum of everything after the header, from start to end. */
static uint64_t
state_sum_bytes(const void *p, size_t n)
{
	struct state_sum	s;

	state_sum_init(&s);
	state_sum_add(&s, p, n);
	return state_sum_end(&s);
}

/* The file's checksum: its header (the checksum field as 0) and the
 * sum of its body. */
static uint64_t
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
static uint64_t
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
static uint64_t
state_slot(uint64_t h, uint64_t nslots)
{
	return h % nslots;
}

/* Order of keys (the file's target order): address, family, port, ident. */
static int
state_key_cmp(const struct state_target *a, const struct state_target *b)
{
	int	c = memcmp(a->addr, b->addr, 16);

	if (c != 0)
		return c;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->ident != b->ident)
		return a->ident < b->ident ? -1 : 1;
	return 0;
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
	    h->ndisc > h->ncounters) {
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
	    h->ndisc * sizeof(struct state_disc) + h->nslots * 4 +
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
static int
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
	    t->fp_off <= h->strings_len &&
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
	for (k = 0; section == 3 && k < n; k += sizeof e, i++) {
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
 * its checksum, and every range a lookup will follow (targets' counters
 * and fingerprints, discontinuities, index slots).  Not through the
 * mapping, so no page of it stays resident.  0, or -1 with *cause; a
 * bad checksum is reported before a bad range.
 */
static int
state_check_body(int fd, const struct state_header *h, char **cause)
{
	uint64_t		 len[5], left, i;
	size_t			 rec[5] = { sizeof(struct state_target),
				     sizeof(struct state_counter),
				     sizeof(struct state_disc), 4, 1 };
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
	len[3] = h->nslots * 4;
	len[4] = h->file_size - sizeof *h - len[0] - len[1] - len[2] - len[3];
	state_sum_init(&sum);
	for (sec = 0; sec < 5 && err == 0; sec++) {
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
	}
	free(buf);
	if (err != 0) {
		*cause = xasprintf("read: %s", strerror(err));
		free(why);
		return -1;
	}
	if (state_checksum(h, state_sum_end(&sum)) != h->checksum) {
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
	st->strings = p + h->nslots * 4;
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

/* Target i in key order (i < state_targets()). */
const struct state_target *
state_target_at(const struct state *st, uint64_t i)
{
	return i < st->h->ntargets ? &st->targets[i] : NULL;
}

/* A target by its key, or NULL: one probe on average. */
const struct state_target *
state_find_target(const struct state *st, const struct state_key *k)
{
	uint64_t	nslots = st->h->nslots, slot, n;
	uint32_t	e;

	slot = state_slot(state_key_hash(k->addr, k->family, k->port,
	    k->ident), nslots);
	for (n = 0; n < nslots; n++, slot = slot + 1 == nslots ? 0 : slot + 1) {
		e = st->index[slot];
		if (e == 0)
			return NULL;
		if (state_key_is(&st->targets[e - 1], k))
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
static const uint8_t *
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

struct state_builder *
state_builder_new(void)
{
	struct state_builder	*b = xcalloc(1, sizeof *b);

	buf_init(&b->s);
	return b;
}

void
state_builder_free(struct state_builder *b)
{
	if (b == NULL)
		return;
	free(b->t);
	free(b->c);
	free(b->tmp);
	free(b->d);
	free(b->r);
	free(b->ht);
	buf_free(&b->s);
	free(b);
}

/*
 * Start a target: its key and what rec says of the poll (flags, missed,
 * poll_ns, uptime; the rest is the builder's).  Counters and fingerprint
 * fields added next belong to it.  Arrays grow by half (no doubling
 * overshoot on a million targets).
 */
void
state_builder_add_target(struct state_builder *b, const struct state_key *k,
    const struct state_target *rec)
{
	struct state_target	*t;

	if (b->nt == b->capt) {
		b->capt = b->capt == 0 ? 1024 : b->capt + b->capt / 2;
		b->t = xreallocarray(b->t, b->capt, sizeof *b->t);
	}
	t = &b->t[b->nt++];
	*t = *rec;
	memcpy(t->addr, k->addr, 16);
	t->family = k->family;
	t->port = k->port;
	t->ident = k->ident;
	t->first = (uint32_t)b->nc;
	t->ncounters = 0;
	t->fp_off = (uint32_t)b->nr;	/* in b->r until written */
	t->fp_len = 0;
	b->fp_bytes = 0;
}

/* A counter of the last target added (its OID hash kept to
 * STATE_OID_BITS bits) with the discontinuity time disc, kept if
 * c->flags has STATE_HAS_DISC: 0, or -1 if there is no target (or too
 * many counters for the format). */
int
state_builder_add_counter_disc(struct state_builder *b,
    const struct state_counter *c, uint32_t disc)
{
	if (b->nt == 0 || b->nc >= UINT32_MAX)
		return -1;
	if (b->nc == b->capc) {
		b->capc = b->capc == 0 ? 4096 : b->capc + b->capc / 2;
		b->c = xreallocarray(b->c, b->capc, sizeof *b->c);
	}
	if (c->flags & STATE_HAS_DISC) {
		if (b->nd == b->capd) {
			b->capd = b->capd == 0 ? 256 : b->capd + b->capd / 2;
			b->d = xreallocarray(b->d, b->capd, sizeof *b->d);
		}
		b->d[b->nd].at = (uint32_t)b->nc;
		b->d[b->nd++].disc = disc;
	}
	b->c[b->nc++] = *c;
	b->t[b->nt - 1].ncounters++;
	return 0;
}

/* A counter as state_builder_add_counter_disc, its discontinuity time
 * (if STATE_HAS_DISC) 0. */
int
state_builder_add_counter(struct state_builder *b,
    const struct state_counter *c)
{
	return state_builder_add_counter_disc(b, c, 0);
}

/* The hash of a fingerprint entry (field, len, bytes). */
static uint64_t
state_fp_hash(const void *e)
{
	uint16_t	n;

	memcpy(&n, (const uint8_t *)e + 2, 2);
	return state_mix(parse_hash_bytes(e, 4 + (size_t)n));
}

/* The slot of entry e in b's table: where it is, or the empty slot
 * where it would go. */
static size_t
state_fp_slot(const struct state_builder *b, const uint8_t *e)
{
	size_t		 mask = b->nht - 1, slot = state_fp_hash(e) & mask;
	uint16_t	 n;

	memcpy(&n, e + 2, 2);
	while (b->ht[slot] != 0 &&
	    memcmp(b->s.data + b->ht[slot] - 1, e, 4 + (size_t)n) != 0)
		slot = (slot + 1) & mask;
	return slot;
}

/* Room in b's entry table for one more entry, at most half full
 * (rehashing every entry in s; after a write dropped the table, it is
 * made again here). */
static void
state_fp_grow(struct state_builder *b)
{
	size_t	off, slot;
	uint16_t n;

	free(b->ht);
	if (b->nht < 1024)
		b->nht = 1024;
	while (2 * (b->nent + 1) > b->nht)
		b->nht *= 2;
	b->ht = xcalloc(b->nht, sizeof *b->ht);
	for (off = 0; off < b->s.len; off += 4 + (size_t)n) {
		memcpy(&n, b->s.data + off + 2, 2);
		slot = state_fp_slot(b, (const uint8_t *)b->s.data + off);
		b->ht[slot] = (uint32_t)off + 1;
	}
}

/* A fingerprint field of the last target (sysObjectID, sysName, ...;
 * field numbers are the caller's): 0, or -1 if no target or too long
 * (for the target: STATE_FIELD_MAX bytes with 4 a field; or for all
 * the strings: 4 GiB).  An entry seen before is kept once. */
int
state_builder_add_fingerprint(struct state_builder *b, unsigned field,
    const char *s, size_t len)
{
	uint16_t	 h[2] = { (uint16_t)field, (uint16_t)len };
	uint8_t		*e;
	size_t		 slot;

	if (field > UINT16_MAX || b->nt == 0 ||
	    len + 4 > STATE_FIELD_MAX - b->fp_bytes ||
	    b->t[b->nt - 1].fp_len + 4 > STATE_FIELD_MAX ||
	    b->s.len + len + 4 + 4 * (b->nr + 1) > UINT32_MAX)
		return -1;
	if (2 * (b->nent + 1) > b->nht)
		state_fp_grow(b);
	buf_reserve(&b->s, 4 + len);
	e = (uint8_t *)b->s.data + b->s.len;	/* a candidate, past the end */
	memcpy(e, h, 4);
	memcpy(e + 4, s, len);
	slot = state_fp_slot(b, e);
	if (b->ht[slot] == 0) {
		b->ht[slot] = (uint32_t)b->s.len + 1;
		b->s.len += 4 + len;
		b->nent++;
	}
	if (b->nr == b->capr) {
		b->capr = b->capr == 0 ? 1024 : b->capr + b->capr / 2;
		b->r = xreallocarray(b->r, b->capr, sizeof *b->r);
	}
	b->r[b->nr++] = b->ht[slot] - 1;
	b->t[b->nt - 1].fp_len += 4;
	b->fp_bytes += 4 + len;
	return 0;
}

/* Every target of an open state into b (a worker's partial file, or
 * the last run's targets to keep).  Newer polls win at write time. */
void
state_builder_add_file(struct state_builder *b, const struct state *st)
{
	const struct state_target	*t;
	const struct state_counter	*c;
	const uint8_t			*e;
	struct state_key		 k;
	uint64_t			 i;
	uint32_t			 j;
	uint16_t			 f, n;

	for (i = 0; i < st->h->ntargets; i++) {
		t = &st->targets[i];
		memcpy(k.addr, t->addr, 16);
		k.family = t->family;
		k.port = t->port;
		k.ident = t->ident;
		state_builder_add_target(b, &k, t);
		for (j = 0; j < t->ncounters; j++) {
			c = &st->counters[t->first + j];
			state_builder_add_counter_disc(b, c,
			    state_counter_disc(st, c));
		}
		for (j = 0; j < t->fp_len / 4u; j++) {
			if ((e = state_fp_entry(st, t, j)) == NULL)
				continue;
			memcpy(&f, e, 2);
			memcpy(&n, e + 2, 2);
			state_builder_add_fingerprint(b, f, (const char *)e + 4,
			    n);
		}
	}
}

static const struct state_target *state_sort_t;

/* Targets by key, then poll time, then order added (the last wins). */
static int
state_order_cmp(const void *a, const void *b)
{
	uint32_t			 i = *(const uint32_t *)a;
	uint32_t			 j = *(const uint32_t *)b;
	const struct state_target	*x = &state_sort_t[i], *y = &state_sort_t[j];
	int				 c = state_key_cmp(x, y);

	if (c != 0)
		return c;
	if (x->poll_ns != y->poll_ns)
		return x->poll_ns < y->poll_ns ? -1 : 1;
	return i < j ? -1 : (i > j);
}

/*
 * The targets to write, in key order, one per key: indexes into b->t
 * (*n of them).  Sorting is not stable, hence the index tie-break.
 */
static uint32_t *
state_builder_order(struct state_builder *b, size_t *n)
{
	uint32_t	*o = xreallocarray(NULL, b->nt + 1, sizeof *o);
	size_t		 i, k = 0;

	for (i = 0; i < b->nt; i++)
		o[i] = (uint32_t)i;
	state_sort_t = b->t;
	qsort(o, b->nt, sizeof *o, state_order_cmp);
	for (i = 0; i < b->nt; i++) {
		if (i + 1 < b->nt &&
		    state_key_cmp(&b->t[o[i]], &b->t[o[i + 1]]) == 0)
			continue;
		o[k++] = o[i];
	}
	*n = k;
	return o;
}

/* Counters in [lo, mid) and [mid, hi) of c, each sorted by OID hash,
 * merged into one run through tmp; equal hashes keep their order. */
static void
state_merge(struct state_counter *c, struct state_counter *tmp, size_t lo,
    size_t mid, size_t hi)
{
	size_t	i = lo, j = mid, k = 0;

	while (i < mid && j < hi) {
		if (c[j].oid_hash < c[i].oid_hash)
			tmp[k++] = c[j++];
		else
			tmp[k++] = c[i++];
	}
	while (i < mid)
		tmp[k++] = c[i++];
	memcpy(c + lo, tmp, k * sizeof *c);
}

/* The first of b's discontinuities at or after place at. */
static size_t
state_builder_disc_at(const struct state_builder *b, uint64_t at)
{
	size_t	lo = 0, hi = b->nd, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->d[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A counter with its place and discontinuity time, for sorting the
 * (rare) targets that have discontinuity times. */
struct state_cd {
	struct state_counter	 c;
	uint32_t		 at;
	uint32_t		 disc;
};

/* By OID hash, then place. */
static int
state_cd_cmp(const void *a, const void *b)
{
	const struct state_cd	*x = a, *y = b;

	if (x->c.oid_hash != y->c.oid_hash)
		return x->c.oid_hash < y->c.oid_hash ? -1 : 1;
	return x->at < y->at ? -1 : (x->at > y->at);
}

/*
 * Sort the counters of a target that has discontinuity times, keep the
 * last added of each hash, and put the times of those kept back at
 * their new places (in order; those of dropped ones move past the
 * target's new end, where no lookup of it goes).
 */
static void
state_builder_sort_discs(struct state_builder *b, struct state_target *t,
    size_t d0, size_t d1)
{
	struct state_counter	*c = b->c + t->first;
	struct state_cd		*v = xreallocarray(NULL, t->ncounters,
				    sizeof *v);
	size_t			 n = t->ncounters, i, k = 0, d = d0, j = d0;

	for (i = 0; i < n; i++) {
		v[i].c = c[i];
		v[i].at = t->first + (uint32_t)i;
		v[i].disc = 0;
		if (d < d1 && b->d[d].at == v[i].at)
			v[i].disc = b->d[d++].disc;
	}
	qsort(v, n, sizeof *v, state_cd_cmp);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && v[i].c.oid_hash == v[i + 1].c.oid_hash)
			continue;
		c[k] = v[i].c;
		if (c[k].flags & STATE_HAS_DISC) {
			b->d[j].at = t->first + (uint32_t)k;
			b->d[j++].disc = v[i].disc;
		}
		k++;
	}
	for (; j < d1; j++)
		b->d[j].at = t->first + (uint32_t)n - 1;
	t->ncounters = (uint32_t)k;
	free(v);
}

/*
 * Sort a target's counters by OID hash, stably (bottom-up merge sort, in
 * place but for one run's room), and keep the last added of each hash.
 */
static void
state_builder_sort_counters(struct state_builder *b, struct state_target *t)
{
	struct state_counter	*c = b->c + t->first;
	size_t			 n = t->ncounters, w, lo, d0, d1;
	uint32_t		 i, k = 0;

	d0 = state_builder_disc_at(b, t->first);
	d1 = state_builder_disc_at(b, (uint64_t)t->first + n);
	if (d0 != d1) {
		state_builder_sort_discs(b, t, d0, d1);
		return;
	}

	if (n > b->ntmp) {
		b->ntmp = n;
		b->tmp = xreallocarray(b->tmp, n, sizeof *b->tmp);
	}
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo + w < n; lo += 2 * w)
			state_merge(c, b->tmp, lo, lo + w,
			    lo + 2 * w < n ? lo + 2 * w : n);
	}
	for (i = 0; i < t->ncounters; i++) {
		if (i + 1 < t->ncounters && c[i].oid_hash == c[i + 1].oid_hash)
			continue;
		c[k++] = c[i];
	}
	t->ncounters = k;
}

/* The hash index of the ordered targets: nslots entries. */
static uint32_t *
state_build_index(const struct state_builder *b, const uint32_t *o, size_t n,
    uint64_t nslots)
{
	uint32_t		*idx = xcalloc(nslots, sizeof *idx);
	const struct state_target *t;
	uint64_t		 slot;
	size_t			 i;

	for (i = 0; i < n; i++) {
		t = &b->t[o[i]];
		slot = state_slot(state_key_hash(t->addr, t->family, t->port,
		    t->ident), nslots);
		while (idx[slot] != 0)
			slot = slot + 1 == nslots ? 0 : slot + 1;
		idx[slot] = (uint32_t)i + 1;
	}
	return idx;
}

/* A buffered writer that checksums what it writes. */
struct state_out {
	int		 fd;
	int		 err;
	struct state_sum sum;
	struct buf	 b;
};

/* All n bytes of p to w's file, unless it already failed. */
static void
state_out_write(struct state_out *w, const void *p, size_t n)
{
	size_t	off = 0;
	ssize_t	k;

	while (w->err == 0 && off < n) {
		k = write(w->fd, (const uint8_t *)p + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			w->err = k < 0 ? errno : EIO;
		else
			off += (size_t)k;
	}
}

static void
state_out_flush(struct state_out *w)
{
	state_out_write(w, w->b.data, w->b.len);
	w->b.len = 0;
}

/* Bytes into the file and its sum: small ones through a 1 MiB buffer,
 * large ones (the index, the strings) straight, never copied. */
static void
state_out_add(struct state_out *w, const void *p, size_t n)
{
	state_sum_add(&w->sum, p, n);
	if (n >= (1 << 20)) {
		state_out_flush(w);
		state_out_write(w, p, n);
		return;
	}
	buf_add(&w->b, p, n);
	if (w->b.len >= (1 << 20))
		state_out_flush(w);
}

/* The ordered targets (their counters and fingerprints renumbered: the
 * entries come first in the strings, then each target's offsets) and
 * their counters. */
static void
state_out_records(struct state_out *w, const struct state_builder *b,
    const uint32_t *o, size_t n)
{
	struct state_target	 t;
	uint64_t		 first = 0, fp = b->s.len;
	size_t			 i;

	for (i = 0; i < n; i++) {
		t = b->t[o[i]];
		t.first = (uint32_t)first;
		t.fp_off = (uint32_t)fp;
		first += t.ncounters;
		fp += t.fp_len;
		state_out_add(w, &t, sizeof t);
	}
	for (i = 0; i < n; i++)
		state_out_add(w, b->c + b->t[o[i]].first,
		    b->t[o[i]].ncounters * sizeof *b->c);
}

/* The discontinuity times of the ordered targets' counters, renumbered;
 * returns how many. */
static uint64_t
state_out_discs(struct state_out *w, const struct state_builder *b,
    const uint32_t *o, size_t n)
{
	const struct state_target	*t;
	struct state_disc		 d;
	uint64_t			 first = 0, nd = 0;
	size_t				 i, j;

	for (i = 0; i < n; i++, first += t->ncounters) {
		t = &b->t[o[i]];
		if (b->nd == 0)
			continue;
		j = state_builder_disc_at(b, t->first);
		for (; j < b->nd && b->d[j].at < t->first + t->ncounters; j++) {
			d.at = (uint32_t)(first + b->d[j].at - t->first);
			d.disc = b->d[j].disc;
			state_out_add(w, &d, sizeof d);
			nd++;
		}
	}
	return nd;
}

/* Everything after the header, into w; fills h's counts. */
static void
state_out_body(struct state_out *w, struct state_builder *b,
    struct state_header *h)
{
	static const uint8_t	 zero[8];
	uint32_t		*o, *idx;
	size_t			 n, i;

	free(b->ht);		/* made again if fields are added later */
	b->ht = NULL;
	b->nht = 0;
	o = state_builder_order(b, &n);
	h->ntargets = n;
	h->nslots = n + n / 2 + 1;
	h->strings_len = b->s.len;
	for (i = 0; i < n; i++) {
		state_builder_sort_counters(b, &b->t[o[i]]);
		h->ncounters += b->t[o[i]].ncounters;
		h->strings_len += b->t[o[i]].fp_len;
	}
	state_out_records(w, b, o, n);
	h->ndisc = state_out_discs(w, b, o, n);
	idx = state_build_index(b, o, n, h->nslots);
	state_out_add(w, idx, h->nslots * sizeof *idx);
	state_out_add(w, b->s.data, b->s.len);
	for (i = 0; i < n; i++)
		state_out_add(w, b->r + b->t[o[i]].fp_off,
		    b->t[o[i]].fp_len);
	state_out_add(w, zero, (8 - h->strings_len % 8) % 8);
	state_out_flush(w);
	free(idx);
	free(o);
}

/* Write all of p at off: 0, or an errno. */
static int
state_pwrite(int fd, const void *p, size_t n, off_t off)
{
	ssize_t	k;

	while (n > 0) {
		k = pwrite(fd, p, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		p = (const uint8_t *)p + k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/* The whole file into fd (the body, then the header that sums it): 0,
 * or an errno. */
static int
state_out_file(int fd, struct state_builder *b)
{
	struct state_header	h;
	struct state_out	w;
	struct timespec		ts;

	memset(&h, 0, sizeof h);
	memcpy(h.magic, STATE_MAGIC, sizeof STATE_MAGIC);
	h.version = STATE_VERSION;
	h.endian = STATE_ENDIAN;
	h.header_size = sizeof h;
	h.target_size = sizeof(struct state_target);
	h.counter_size = sizeof(struct state_counter);
	clock_gettime(CLOCK_REALTIME, &ts);
	h.created_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	memset(&w, 0, sizeof w);
	w.fd = fd;
	buf_init(&w.b);
	state_sum_init(&w.sum);
	if (lseek(fd, sizeof h, SEEK_SET) < 0)
		w.err = errno;
	state_out_body(&w, b, &h);
	buf_free(&w.b);
	if (w.err != 0)
		return w.err;
	h.file_size = sizeof h + w.sum.total;
	h.checksum = state_checksum(&h, state_sum_end(&w.sum));
	return state_pwrite(fd, &h, sizeof h, 0);
}

/*
 * Write b as a new state file beside path, fsynced, not yet in place:
 * *tmp is its name (the caller frees it), for state_commit.  The
 * builder is sorted and deduplicated on the way (it may be written
 * again).  0, or -1 with *cause (and no temporary file left).
 */
int
state_builder_write_temp(struct state_builder *b, const char *path,
    char **tmp, char **cause)
{
	char	*name = xasprintf("%s.tmp.XXXXXX", path);
	int	 fd, err;

	fd = mkstemp(name);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		free(name);
		return -1;
	}
	err = state_out_file(fd, b);
	if (err == 0 && fchmod(fd, 0600) != 0)
		err = errno;
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		*cause = xasprintf("%s: %s", name, strerror(err));
		unlink(name);
		free(name);
		return -1;
	}
	*tmp = name;
	return 0;
}

/*
 * Put a written temporary file in place of path (rename(2), then fsync
 * of the directory so the rename survives a power cut).  0, or -1 with
 * *cause (the temporary file is removed).
 */
int
state_commit(const char *tmp, const char *path, char **cause)
{
	char	*copy = xstrdup(path);
	int	 dfd;

	if (rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(copy);
		return -1;
	}
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(copy);
	return 0;
}

/* Write b to path atomically: state_builder_write_temp, state_commit. */
int
state_builder_write(struct state_builder *b, const char *path, char **cause)
{
	char	*tmp;
	int	 rc;

	if (state_builder_write_temp(b, path, &tmp, cause) != 0)
		return -1;
	rc = state_commit(tmp, path, cause);
	free(tmp);
	return rc;
}
