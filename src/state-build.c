/*
 * state-build.c — writing --state files (the format is in state.c), in
 * memory bounded by the index, not by the targets.
 *
 * A builder streams what it is given to a run file: per target, its
 * record (struct state_target; in a run, first is how many
 * discontinuity times follow and fp_off how many bytes of fingerprint
 * entries), its counters sorted by OID hash (of a hash given twice, the
 * last), the discontinuity times (uint32) of those with STATE_HAS_DISC
 * in counter order, then its fingerprint entries (uint16 field, uint16
 * len, len bytes).  Only the target being given is in memory, and a
 * buffer.  The run file starts with a header like the state's (magic
 * SFRUN, counts, checksum of the body), written last; until then its
 * name ends in ".tmp".
 *
 * state_merge_temp makes a new state file from an old state (or none)
 * and run files, the newest poll winning for a key given more than once
 * (on a tie, the run given last; the old state counts as given first),
 * in passes:
 *   1. the runs, in order: their checksums, and which of their targets
 *      a later one of the same key supersedes (a table of the runs'
 *      keys, 4 bytes a slot and 16 a target, freed after the pass);
 *   2. the runs' targets left: each looked up in the old state (which
 *      wins with a newer poll), counted, its fingerprint entries
 *      interned (each distinct one kept once, in memory);
 *   3. the old state's targets that no run superseded (a bit each),
 *      counted and interned the same way;
 *   4. both again, each section written at its offset (known from the
 *      counts) through its own buffer and checksum; the index is built
 *      in memory and written last.
 * Runs are read with read(2), the old state through its mapping, given
 * back every STATE_RELEASE targets, so neither stays resident.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"

#define RUN_MAGIC	"SFRUN"
#define RUN_BUF		(256 * 1024)	/* a builder's and a section's buffer */
#define RUN_LOC_BITS	48		/* a target's place: run, offset */
#define STATE_RELEASE_TARGETS	65536	/* old targets between releases */

struct state_cd {		/* a counter of the target being given */
	struct state_counter	 c;
	uint32_t		 disc;
	uint32_t		 order;	/* as given: the last of a hash wins */
};

struct state_builder {
	char			*prefix;	/* NULL: an unnamed file */
	char			*name, *tmp;	/* once made (named) */
	pid_t			 pid;		/* the process that made it */
	int			 fd;		/* -1 until made */
	int			 err;		/* the first errno */
	bool			 done;		/* finished: renamed */
	struct buf		 out;		/* not yet written */
	uint64_t		 off;		/* written after the header */
	struct state_sum	 sum;		/* of the body */
	uint64_t		 nt, nc, nd, nfp;	/* in the body */
	bool			 open;		/* a target being given */
	struct state_target	 t;
	struct state_cd		*c;
	size_t			 ncur, capc;
	struct buf		 fp;		/* its entries */
};

struct state_run {		/* a run file being read */
	char			*name;
	int			 fd;
	bool			 own;		/* fd is ours to close */
	bool			 check;		/* h.checksum holds */
	struct state_header	 h;		/* counts, file_size */
};

struct state_rd {		/* a run, record by record */
	const struct state_run	*run;
	uint64_t		 off;		/* of buf[0] in the file */
	uint8_t			*buf;
	size_t			 cap, pos, len;
	struct state_sum	 sum;
	uint64_t		 i;		/* records read */
	uint64_t		 at;		/* where the current one is */
	struct state_target	 t;		/* the current record */
	const uint8_t		*counters, *discs, *fp;
};

struct state_intern {		/* fingerprint entries, each once */
	struct buf		 s;
	uint32_t		*ht;		/* offset in s + 1 */
	size_t			 nht, n;
};

struct state_sec {		/* one section of the file being written */
	int			 fd;
	int			*err;
	uint64_t		 off;
	struct buf		 b;
	struct state_sum	 sum;
};

struct state_merge {
	const struct state	*old;
	struct state_run	*runs;
	size_t			 nruns;
	uint64_t		 nu;		/* the runs' targets */
	uint8_t			*dead;		/* a bit a run target */
	uint8_t			*sup;		/* a bit an old target */
	struct state_intern	 in;
	uint64_t		 nt, nc, nd, nfp; /* of the new file */
	uint64_t		 kill_at;	/* fault injection: 0 none */
};

#define BIT_SET(v, i)	((v)[(i) / 8] |= (uint8_t)(1u << ((i) % 8)))
#define BIT_GET(v, i)	(((v)[(i) / 8] >> ((i) % 8)) & 1)

/* All n bytes of p to fd at off: 0, or an errno. */
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

/* A header of the state format with its constant fields. */
static void
state_header_init(struct state_header *h, const char *magic)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, magic, strlen(magic) + 1);
	h->version = STATE_VERSION;
	h->endian = STATE_ENDIAN;
	h->header_size = sizeof *h;
	h->target_size = sizeof(struct state_target);
	h->counter_size = sizeof(struct state_counter);
}

/*
 * A builder streaming to a run file: prefix.PID (PID: the process that
 * first writes to it, so a builder made before fork(2) and given
 * targets in the children makes one file in each), named prefix.PID.tmp
 * until state_builder_finish; with prefix NULL, an unnamed temporary
 * file (for state_builder_write).  No file until something is written
 * (its buffer fills, or the end): a builder given targets before a fork
 * is the parent's alone.
 */
struct state_builder *
state_builder_new(const char *prefix)
{
	struct state_builder	*b = xcalloc(1, sizeof *b);

	b->prefix = prefix != NULL ? xstrdup(prefix) : NULL;
	b->fd = -1;
	buf_init(&b->out);
	buf_init(&b->fp);
	state_sum_init(&b->sum);
	return b;
}

/* Close b; a file it made and did not finish goes (in the process that
 * made it only: a forked copy leaves its parent's file alone). */
void
state_builder_free(struct state_builder *b)
{
	if (b == NULL)
		return;
	if (b->fd >= 0)
		close(b->fd);
	if (b->tmp != NULL && !b->done && b->pid == getpid())
		unlink(b->tmp);
	free(b->prefix);
	free(b->name);
	free(b->tmp);
	free(b->c);
	buf_free(&b->out);
	buf_free(&b->fp);
	free(b);
}

/* Make b's file, past its header. */
static void
state_builder_make(struct state_builder *b)
{
	const char	*dir = getenv("TMPDIR");
	char		*name;

	b->pid = getpid();
	if (b->prefix != NULL) {
		b->name = xasprintf("%s.%ld", b->prefix, (long)b->pid);
		b->tmp = xasprintf("%s.tmp", b->name);
		b->fd = open(b->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	} else {
		name = xasprintf("%s/snmpfleet-run.XXXXXX",
		    dir != NULL && *dir != '\0' ? dir : "/tmp");
		if ((b->fd = mkstemp(name)) >= 0)
			unlink(name);
		free(name);
	}
	if (b->fd < 0)
		b->err = errno;
	else if (lseek(b->fd, sizeof(struct state_header), SEEK_SET) < 0)
		b->err = errno;
}

/* b's buffer to its file (made now if need be). */
static void
state_builder_flush(struct state_builder *b)
{
	size_t	done = 0;
	ssize_t	k;

	if (b->out.len == 0)
		return;
	if (b->fd < 0 && b->err == 0)
		state_builder_make(b);
	while (b->err == 0 && done < b->out.len) {
		k = write(b->fd, b->out.data + done, b->out.len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			b->err = k < 0 ? errno : EIO;
		else
			done += (size_t)k;
	}
	b->off += b->out.len;
	b->out.len = 0;
}

static void
state_builder_put(struct state_builder *b, const void *p, size_t n)
{
	state_sum_add(&b->sum, p, n);
	buf_add(&b->out, p, n);
	if (b->out.len >= RUN_BUF)
		state_builder_flush(b);
}

/* By OID hash, then as given. */
static int
state_cd_cmp(const void *a, const void *b)
{
	const struct state_cd	*x = a, *y = b;

	if (x->c.oid_hash != y->c.oid_hash)
		return x->c.oid_hash < y->c.oid_hash ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* The target being given into the stream: its counters sorted, the
 * last given of a hash kept. */
static void
state_builder_emit(struct state_builder *b)
{
	struct state_target	 t = b->t;
	size_t			 i, k = 0;
	uint32_t		 nd = 0;

	if (!b->open)
		return;
	b->open = false;
	if (b->ncur > 1)	/* b->c may be NULL with none */
		qsort(b->c, b->ncur, sizeof *b->c, state_cd_cmp);
	for (i = 0; i < b->ncur; i++) {
		if (i + 1 < b->ncur &&
		    b->c[i].c.oid_hash == b->c[i + 1].c.oid_hash)
			continue;
		b->c[k++] = b->c[i];
		if (b->c[i].c.flags & STATE_HAS_DISC)
			nd++;
	}
	t.ncounters = (uint32_t)k;
	t.first = nd;
	t.fp_off = (uint32_t)b->fp.len;
	state_builder_put(b, &t, sizeof t);
	for (i = 0; i < k; i++)
		state_builder_put(b, &b->c[i].c, sizeof b->c[i].c);
	for (i = 0; i < k; i++)
		if (b->c[i].c.flags & STATE_HAS_DISC)
			state_builder_put(b, &b->c[i].disc, 4);
	state_builder_put(b, b->fp.data, b->fp.len);
	b->nt++;
	b->nc += k;
	b->nd += nd;
	b->nfp += b->fp.len;
}

/*
 * Start a target: its key and what rec says of the poll (flags, missed,
 * poll_ns, uptime; the rest is the builder's).  Counters and fingerprint
 * fields added next belong to it; the one before goes to the file.
 */
void
state_builder_add_target(struct state_builder *b, const struct state_key *k,
    const struct state_target *rec)
{
	state_builder_emit(b);
	b->t = *rec;
	memcpy(b->t.addr, k->addr, 16);
	b->t.family = k->family;
	b->t.port = k->port;
	b->t.ident = k->ident;
	b->t.first = b->t.ncounters = b->t.fp_off = 0;
	b->t.fp_len = 0;
	b->ncur = 0;
	b->fp.len = 0;
	b->open = true;
}

/* A counter of the last target added (its OID hash kept to
 * STATE_OID_BITS bits) with the discontinuity time disc, kept if
 * c->flags has STATE_HAS_DISC: 0, or -1 if there is no target (or too
 * many counters for the format). */
int
state_builder_add_counter_disc(struct state_builder *b,
    const struct state_counter *c, uint32_t disc)
{
	if (!b->open || b->nc + b->ncur >= UINT32_MAX)
		return -1;
	if (b->ncur == b->capc) {
		b->capc = b->capc == 0 ? 16 : 2 * b->capc;
		b->c = xreallocarray(b->c, b->capc, sizeof *b->c);
	}
	b->c[b->ncur].c = *c;
	b->c[b->ncur].disc = (c->flags & STATE_HAS_DISC) ? disc : 0;
	b->c[b->ncur].order = (uint32_t)b->ncur;
	b->ncur++;
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

/* A fingerprint field of the last target (sysObjectID, sysName, ...;
 * field numbers are the caller's): 0, or -1 if no target or too long
 * for the target (STATE_FIELD_MAX bytes with 4 a field).  The merge
 * keeps each distinct entry once. */
int
state_builder_add_fingerprint(struct state_builder *b, unsigned field,
    const char *s, size_t len)
{
	uint16_t	h[2] = { (uint16_t)field, (uint16_t)len };

	if (field > UINT16_MAX || !b->open ||
	    len + 4 > STATE_FIELD_MAX - b->fp.len ||
	    b->t.fp_len + 4u > STATE_FIELD_MAX)
		return -1;
	buf_add(&b->fp, h, 4);
	buf_add(&b->fp, s, len);
	b->t.fp_len += 4;
	return 0;
}

/* b's header, for its file or as a run to read. */
static void
state_builder_header(struct state_builder *b, struct state_header *h)
{
	struct state_sum	sum = b->sum;

	state_header_init(h, RUN_MAGIC);
	h->ntargets = b->nt;
	h->ncounters = b->nc;
	h->ndisc = b->nd;
	h->strings_len = b->nfp;
	h->file_size = sizeof *h + b->off;
	h->checksum = state_checksum(h, state_sum_end(&sum));
}

/*
 * The end of a named builder's run file: the last target and the header
 * written, the file renamed to prefix.PID.  0 (nothing given: no file),
 * or -1 with *cause (the file removed).
 */
int
state_builder_finish(struct state_builder *b, char **cause)
{
	struct state_header	h;

	state_builder_emit(b);
	if (b->nt == 0 && b->fd < 0)
		return 0;
	if (b->prefix == NULL) {
		*cause = xstrdup("an unnamed builder has no file to finish");
		return -1;
	}
	state_builder_flush(b);
	state_builder_header(b, &h);
	if (b->err == 0)
		b->err = state_pwrite(b->fd, &h, sizeof h, 0);
	if (b->err == 0 && rename(b->tmp, b->name) != 0)
		b->err = errno;
	if (b->err != 0) {
		*cause = xasprintf("%s: %s", b->tmp != NULL ? b->tmp :
		    b->prefix, strerror(b->err));
		return -1;
	}
	b->done = true;
	return 0;
}

/* Open run file name and check its header against its size: 0, or -1
 * with *cause (its body is checked as it is read). */
static int
state_run_open(struct state_run *r, const char *name, char **cause)
{
	const struct state_header	*h = &r->h;
	struct stat			 sb;
	uint64_t			 want;
	int				 err;

	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	r->own = r->check = true;
	if ((r->fd = open(name, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(r->fd, &sb) != 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		return -1;
	}
	if ((uint64_t)sb.st_size < sizeof *h ||
	    (err = state_pread(r->fd, &r->h, sizeof r->h, 0)) != 0) {
		*cause = xasprintf("%s: too short for a run file", name);
		return -1;
	}
	want = sizeof *h + h->ntargets * sizeof(struct state_target) +
	    h->ncounters * sizeof(struct state_counter) + h->ndisc * 4 +
	    h->strings_len;
	if (memcmp(h->magic, RUN_MAGIC, sizeof RUN_MAGIC) != 0 ||
	    h->version != STATE_VERSION || h->endian != STATE_ENDIAN ||
	    h->header_size != sizeof *h ||
	    h->target_size != sizeof(struct state_target) ||
	    h->counter_size != sizeof(struct state_counter) ||
	    h->ntargets > STATE_MAX_TARGETS || h->ncounters > UINT32_MAX ||
	    h->ndisc > h->ncounters || h->strings_len > (uint64_t)sb.st_size ||
	    h->file_size != (uint64_t)sb.st_size || want != h->file_size) {
		*cause = xasprintf("%s: not a run file of this snmpfleet, or "
		    "truncated", name);
		return -1;
	}
	return 0;
}

static void
state_run_close(struct state_run *r)
{
	if (r->own && r->fd >= 0)
		close(r->fd);
	free(r->name);
}

static void
state_rd_init(struct state_rd *rd, const struct state_run *r)
{
	memset(rd, 0, sizeof *rd);
	rd->run = r;
	rd->off = sizeof(struct state_header);
	state_sum_init(&rd->sum);
}

static void
state_rd_free(struct state_rd *rd)
{
	free(rd->buf);
}

/* n bytes at the reader's place in its buffer (not consumed): NULL at
 * the file's end or on a read error (*err). */
static const uint8_t *
state_rd_need(struct state_rd *rd, uint64_t n, int *err)
{
	uint64_t	end = rd->run->h.file_size;
	ssize_t		k;

	if (rd->len - rd->pos >= n)
		return rd->buf + rd->pos;
	if (rd->off + rd->pos + n > end) {
		*err = EIO;
		return NULL;
	}
	if (rd->len > rd->pos)	/* rd->buf is NULL before the first read */
		memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
	rd->off += rd->pos;
	rd->len -= rd->pos;
	rd->pos = 0;
	if (n > rd->cap) {
		rd->cap = n > RUN_BUF ? (size_t)n : RUN_BUF;
		rd->buf = xrealloc(rd->buf, rd->cap);
	}
	while (rd->len < n) {
		k = pread(rd->run->fd, rd->buf + rd->len, rd->cap - rd->len,
		    (off_t)(rd->off + rd->len));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*err = k < 0 ? errno : EIO;
			return NULL;
		}
		rd->len += (size_t)k;
	}
	return rd->buf;
}

/* Does a run record hold what its target says: counters strictly by
 * OID hash, as many discontinuity times as flagged counters, entries
 * that fill fp_off bytes exactly? */
static bool
state_rd_ok(const struct state_rd *rd)
{
	const struct state_target	*t = &rd->t;
	struct state_counter		 c;
	uint64_t			 prev = 0, nd = 0, off = 0;
	uint32_t			 j;
	uint16_t			 n;

	for (j = 0; j < t->ncounters; j++) {
		memcpy(&c, rd->counters + 16 * (size_t)j, sizeof c);
		if (j > 0 && c.oid_hash <= prev)
			return false;
		prev = c.oid_hash;
		nd += (c.flags & STATE_HAS_DISC) != 0;
	}
	if (nd != t->first)
		return false;
	for (j = 0; j < t->fp_len / 4u; j++) {
		if (t->fp_off - off < 4)
			return false;
		memcpy(&n, rd->fp + off + 2, 2);
		off += 4;
		if (t->fp_off - off < n)
			return false;
		off += n;
	}
	return off == t->fp_off;
}

/* The next record of a run: 1, 0 at its end, or -1 with *cause (the
 * file is shorter or other than its header says). */
static int
state_rd_next(struct state_rd *rd, char **cause)
{
	const struct state_run	*r = rd->run;
	const uint8_t		*p;
	uint64_t		 size;
	int			 err = 0;

	if (rd->i == r->h.ntargets) {
		if (rd->off + rd->pos == r->h.file_size)
			return 0;
		*cause = xasprintf("%s: longer than its header says", r->name);
		return -1;
	}
	rd->at = rd->off + rd->pos;
	if ((p = state_rd_need(rd, sizeof rd->t, &err)) == NULL)
		goto fail;
	memcpy(&rd->t, p, sizeof rd->t);
	size = sizeof rd->t + 16ull * rd->t.ncounters + 4ull * rd->t.first +
	    rd->t.fp_off;
	if ((rd->t.family != 4 && rd->t.family != 6) || rd->t.fp_len % 4 ||
	    rd->t.first > rd->t.ncounters ||
	    size > r->h.file_size - rd->at) {
		*cause = xasprintf("%s: record %llu is out of range", r->name,
		    (unsigned long long)rd->i);
		return -1;
	}
	if ((p = state_rd_need(rd, size, &err)) == NULL)
		goto fail;
	rd->counters = p + sizeof rd->t;
	rd->discs = rd->counters + 16 * (size_t)rd->t.ncounters;
	rd->fp = rd->discs + 4 * (size_t)rd->t.first;
	if (!state_rd_ok(rd)) {
		*cause = xasprintf("%s: record %llu is inconsistent", r->name,
		    (unsigned long long)rd->i);
		return -1;
	}
	state_sum_add(&rd->sum, p, (size_t)size);
	rd->pos += (size_t)size;
	rd->i++;
	return 1;
fail:
	*cause = xasprintf("%s: %s", r->name, err == EIO ?
	    "shorter than its header says" : strerror(err));
	return -1;
}

/* At a run's end: does its body have its header's checksum? */
static int
state_rd_check_sum(struct state_rd *rd, char **cause)
{
	if (!rd->run->check ||
	    state_checksum(&rd->run->h, state_sum_end(&rd->sum)) ==
	    rd->run->h.checksum)
		return 0;
	*cause = xasprintf("%s: checksum mismatch (corrupt run file)",
	    rd->run->name);
	return -1;
}

/* The hash of a fingerprint entry (field, len, bytes). */
static uint64_t
state_fp_hash(const uint8_t *e)
{
	uint16_t	n;

	memcpy(&n, e + 2, 2);
	return state_mix(parse_hash_bytes(e, 4 + (size_t)n));
}

/* The slot of entry e in the table: where it is, or the empty slot
 * where it would go. */
static size_t
state_intern_slot(const struct state_intern *in, const uint8_t *e)
{
	size_t		mask = in->nht - 1, slot = state_fp_hash(e) & mask;
	uint16_t	n;

	memcpy(&n, e + 2, 2);
	while (in->ht[slot] != 0 &&
	    memcmp(in->s.data + in->ht[slot] - 1, e, 4 + (size_t)n) != 0)
		slot = (slot + 1) & mask;
	return slot;
}

/* Room for one more entry, the table at most half full. */
static void
state_intern_grow(struct state_intern *in)
{
	size_t		off, slot;
	uint16_t	n;

	free(in->ht);
	if (in->nht < 1024)
		in->nht = 1024;
	while (2 * (in->n + 1) > in->nht)
		in->nht *= 2;
	in->ht = xcalloc(in->nht, sizeof *in->ht);
	for (off = 0; off < in->s.len; off += 4 + (size_t)n) {
		memcpy(&n, in->s.data + off + 2, 2);
		slot = state_intern_slot(in, (const uint8_t *)in->s.data + off);
		in->ht[slot] = (uint32_t)off + 1;
	}
}

/* Entry e kept once: its offset among the entries.  Past 4 GiB of
 * entries, offsets would not fit: *full, and e is not kept. */
static uint32_t
state_intern(struct state_intern *in, const uint8_t *e, bool *full)
{
	uint16_t	n;
	size_t		slot;

	memcpy(&n, e + 2, 2);
	if (2 * (in->n + 1) > in->nht)
		state_intern_grow(in);
	slot = state_intern_slot(in, e);
	if (in->ht[slot] == 0) {
		if (in->s.len + 4 + n >= UINT32_MAX) {
			*full = true;
			return 0;
		}
		in->ht[slot] = (uint32_t)in->s.len + 1;
		buf_add(&in->s, e, 4 + (size_t)n);
		in->n++;
	}
	return in->ht[slot] - 1;
}

/* Pass 1: which run targets a later one of the same key (a newer poll,
 * or as new and later) supersedes.  0, or -1 with *cause. */
static int
state_merge_dedup(struct state_merge *m, char **cause)
{
	uint64_t		 ns = m->nu + m->nu / 2 + 1, j = 0, h, slot;
	uint32_t		*slots = xcalloc(ns, sizeof *slots);
	uint64_t		*hash = xreallocarray(NULL, m->nu + 1, 8);
	uint64_t		*loc = xreallocarray(NULL, m->nu + 1, 8);
	struct state_target	 u;
	struct state_rd		 rd;
	const struct state_run	*r;
	size_t			 i;
	uint32_t		 e;
	int			 rc = 0;

	for (i = 0; i < m->nruns && rc == 0; i++) {
		state_rd_init(&rd, &m->runs[i]);
		while ((rc = state_rd_next(&rd, cause)) == 1) {
			h = state_key_hash(rd.t.addr, rd.t.family, rd.t.port,
			    rd.t.ident);
			hash[j] = h;
			loc[j] = ((uint64_t)i << RUN_LOC_BITS) | rd.at;
			for (slot = state_slot(h, ns); (e = slots[slot]) != 0;
			    slot = slot + 1 == ns ? 0 : slot + 1) {
				if (hash[e - 1] != h)
					continue;
				r = &m->runs[loc[e - 1] >> RUN_LOC_BITS];
				if (state_pread(r->fd, &u, sizeof u, (off_t)
				    (loc[e - 1] & ((1ull << RUN_LOC_BITS) - 1)))
				    != 0 || memcmp(u.addr, rd.t.addr, 16) != 0 ||
				    u.family != rd.t.family ||
				    u.port != rd.t.port || u.ident != rd.t.ident)
					continue;
				break;
			}
			if (e == 0)
				slots[slot] = (uint32_t)j + 1;
			else if (rd.t.poll_ns >= u.poll_ns) {
				BIT_SET(m->dead, e - 1);
				slots[slot] = (uint32_t)j + 1;
			} else
				BIT_SET(m->dead, j);
			j++;
		}
		if (rc == 0)
			rc = state_rd_check_sum(&rd, cause);
		state_rd_free(&rd);
	}
	free(slots);
	free(hash);
	free(loc);
	return rc;
}

/* One target as the passes see it, from a run or the old state: its
 * counters (aligned), each one's discontinuity time (0 if none), its
 * fingerprint entries (NULL: one that would leave the strings,
 * skipped).  The arrays are reused from target to target. */
struct state_item {
	struct state_target		 t;
	const struct state_counter	*c;
	uint32_t			*disc;
	const uint8_t			**ent;
	size_t				 nent;
	uint64_t			 nd;
	struct state_counter		*cv;
	size_t				 capc, cape;
};

static void
state_item_room(struct state_item *it, size_t nc, size_t ne)
{
	if (nc > it->capc) {
		it->capc = nc;
		it->cv = xreallocarray(it->cv, nc, sizeof *it->cv);
		it->disc = xreallocarray(it->disc, nc, sizeof *it->disc);
	}
	if (ne > it->cape) {
		it->cape = ne;
		it->ent = xreallocarray(it->ent, ne, sizeof *it->ent);
	}
}

static void
state_item_free(struct state_item *it)
{
	free(it->cv);
	free(it->disc);
	free(it->ent);
}

/* The reader's current record as an item. */
static void
state_item_rd(struct state_item *it, const struct state_rd *rd)
{
	const uint8_t	*e = rd->fp;
	uint32_t	 j, q = 0;
	uint16_t	 n;
	size_t		 k;

	it->t = rd->t;
	it->nent = rd->t.fp_len / 4u;
	state_item_room(it, rd->t.ncounters, it->nent);
	if (rd->t.ncounters != 0)
		memcpy(it->cv, rd->counters, 16 * (size_t)rd->t.ncounters);
	it->c = it->cv;
	it->nd = rd->t.first;
	for (j = 0; j < rd->t.ncounters; j++) {
		it->disc[j] = 0;
		if (it->cv[j].flags & STATE_HAS_DISC)
			memcpy(&it->disc[j], rd->discs + 4 * (size_t)q++, 4);
	}
	for (k = 0; k < it->nent; k++) {
		it->ent[k] = e;
		memcpy(&n, e + 2, 2);
		e += 4 + (size_t)n;
	}
}

/* An old target as an item. */
static void
state_item_old(struct state_item *it, const struct state *st,
    const struct state_target *t)
{
	uint32_t	j;
	size_t		k;

	it->t = *t;
	it->nent = t->fp_len / 4u;
	state_item_room(it, t->ncounters, it->nent);
	it->c = &st->counters[t->first];
	it->nd = 0;
	for (j = 0; j < t->ncounters; j++) {
		it->disc[j] = state_counter_disc(st, &it->c[j]);
		it->nd += (it->c[j].flags & STATE_HAS_DISC) != 0;
	}
	for (k = 0; k < it->nent; k++)
		it->ent[k] = state_fp_entry(st, t, k);
}

/* The next old target no run superseded, from *i on, as an item (the
 * mapping's pages given back every STATE_RELEASE_TARGETS targets):
 * false at the end. */
static bool
state_old_next(const struct state_merge *m, uint64_t *i,
    struct state_item *it)
{
	for (; m->old != NULL && *i < state_targets(m->old); (*i)++) {
		if (*i % STATE_RELEASE_TARGETS == 0)
			state_release(m->old);
		if (BIT_GET(m->sup, *i))
			continue;
		state_item_old(it, m->old, &m->old->targets[*i]);
		(*i)++;
		return true;
	}
	return false;
}

/* A target of the new file counted, its entries interned. */
static void
state_merge_count(struct state_merge *m, const struct state_item *it,
    bool *full)
{
	size_t	k;

	m->nt++;
	m->nc += it->t.ncounters;
	m->nd += it->nd;
	for (k = 0; k < it->nent; k++)
		if (it->ent[k] != NULL) {
			state_intern(&m->in, it->ent[k], full);
			m->nfp += 4;
		}
}

/* Passes 2 and 3: the runs' targets left, each against the old state,
 * then the old targets left, counted and their entries interned.  0, or
 * -1 with *cause. */
static int
state_merge_plan(struct state_merge *m, char **cause)
{
	const struct state_target	*ot;
	struct state_item		 it;
	struct state_key		 k;
	struct state_rd			 rd;
	uint64_t			 j = 0, i;
	size_t				 r;
	bool				 full = false;
	int				 rc = 0;

	memset(&it, 0, sizeof it);
	for (r = 0; r < m->nruns && rc == 0; r++) {
		state_rd_init(&rd, &m->runs[r]);
		for (; (rc = state_rd_next(&rd, cause)) == 1; j++) {
			if (BIT_GET(m->dead, j))
				continue;
			memcpy(k.addr, rd.t.addr, 16);
			k.family = rd.t.family;
			k.port = rd.t.port;
			k.ident = rd.t.ident;
			if (m->old != NULL &&
			    (ot = state_find_target(m->old, &k)) != NULL) {
				if (ot->poll_ns > rd.t.poll_ns) {
					BIT_SET(m->dead, j);
					continue;
				}
				BIT_SET(m->sup, ot - m->old->targets);
			}
			state_item_rd(&it, &rd);
			state_merge_count(m, &it, &full);
		}
		state_rd_free(&rd);
	}
	for (i = 0; rc == 0 && state_old_next(m, &i, &it);)
		state_merge_count(m, &it, &full);
	state_item_free(&it);
	if (rc == 0 && (m->nt > STATE_MAX_TARGETS || m->nc > UINT32_MAX)) {
		*cause = xstrdup("more targets or counters than a state file "
		    "holds");
		rc = -1;
	}
	if (rc == 0 && (full || m->in.s.len + m->nfp > UINT32_MAX)) {
		*cause = xstrdup("the fingerprints take more than 4 GiB");
		rc = -1;
	}
	return rc;
}

static void
state_sec_init(struct state_sec *s, int fd, int *err, uint64_t off)
{
	s->fd = fd;
	s->err = err;
	s->off = off;
	buf_init(&s->b);
	state_sum_init(&s->sum);
}

static void
state_sec_flush(struct state_sec *s)
{
	if (s->b.len != 0 && *s->err == 0)
		*s->err = state_pwrite(s->fd, s->b.data, s->b.len,
		    (off_t)s->off);
	s->off += s->b.len;
	s->b.len = 0;
}

/* Bytes into a section and its sum: small ones through its buffer,
 * large ones (the index, the entries) straight. */
static void
state_sec_add(struct state_sec *s, const void *p, size_t n)
{
	state_sum_add(&s->sum, p, n);
	if (n >= RUN_BUF) {
		state_sec_flush(s);
		if (*s->err == 0)
			*s->err = state_pwrite(s->fd, p, n, (off_t)s->off);
		s->off += n;
		return;
	}
	buf_add(&s->b, p, n);
	if (s->b.len >= RUN_BUF)
		state_sec_flush(s);
}

/* The new file being written: its six sections and index. */
struct state_out {
	struct state_merge	*m;
	struct state_sec	 sec[6];	/* targets counters discs
						   index entries offsets */
	uint32_t		*idx;		/* (target + 1, tag) a slot */
	uint64_t		 nslots, k, c;	/* targets, counters out */
	uint64_t		 f;		/* bytes of offsets out */
	int			 err;
};

/* One target into the new file: renumbered, its counters, their
 * discontinuity times, its entries' offsets, its place in the index.
 * -1 if more targets come than were counted. */
static int
state_out_target(struct state_out *o, const struct state_item *it)
{
	struct state_target	 t = it->t;
	struct state_disc	 d;
	uint64_t		 slot, h;
	uint32_t		 j, off;
	size_t			 k;
	bool			 full = false;

	if (o->k >= o->m->nt)
		return -1;
	t.first = (uint32_t)o->c;
	t.fp_off = (uint32_t)(o->m->in.s.len + o->f);
	t.fp_len = 0;
	for (k = 0; k < it->nent; k++)
		t.fp_len += it->ent[k] != NULL ? 4 : 0;
	state_sec_add(&o->sec[0], &t, sizeof t);
	state_sec_add(&o->sec[1], it->c, 16 * (size_t)t.ncounters);
	for (j = 0; j < t.ncounters; j++) {
		if (!(it->c[j].flags & STATE_HAS_DISC))
			continue;
		d.at = (uint32_t)o->c + j;
		d.disc = it->disc[j];
		state_sec_add(&o->sec[2], &d, sizeof d);
	}
	for (k = 0; k < it->nent; k++) {
		if (it->ent[k] == NULL)
			continue;
		off = state_intern(&o->m->in, it->ent[k], &full);
		state_sec_add(&o->sec[5], &off, 4);
	}
	h = state_key_hash(t.addr, t.family, t.port, t.ident);
	slot = state_slot(h, o->nslots);
	while (o->idx[2 * slot] != 0)
		slot = slot + 1 == o->nslots ? 0 : slot + 1;
	o->idx[2 * slot] = (uint32_t)++o->k;
	o->idx[2 * slot + 1] = (uint32_t)(h >> 32);	/* the tag */
	o->c += t.ncounters;
	o->f += t.fp_len;
	if (o->m->kill_at != 0 && o->k == o->m->kill_at)
		raise(SIGKILL);		/* fault injection: tests only */
	return full ? -1 : 0;
}

/* Pass 4: the old targets left, then the runs' (read again), into o.
 * 0, or -1 with *cause. */
static int
state_out_targets(struct state_out *o, char **cause)
{
	struct state_merge	*m = o->m;
	struct state_item	 it;
	struct state_rd		 rd;
	uint64_t		 i, j = 0;
	size_t			 r;
	int			 rc = 0, got = 0;

	memset(&it, 0, sizeof it);
	for (i = 0; rc == 0 && state_old_next(m, &i, &it);)
		rc = state_out_target(o, &it);
	for (r = 0; r < m->nruns && rc == 0; r++) {
		state_rd_init(&rd, &m->runs[r]);
		for (; rc == 0 && (got = state_rd_next(&rd, cause)) == 1; j++) {
			if (BIT_GET(m->dead, j))
				continue;
			state_item_rd(&it, &rd);
			rc = state_out_target(o, &it);
		}
		if (got < 0)
			rc = -1;
		state_rd_free(&rd);
	}
	state_item_free(&it);
	if (rc != 0 && *cause == NULL)
		*cause = xstrdup("the inputs changed while being merged");
	return rc;
}

/* The fault-injection hook: SNMPFLEET_TEST_FAULT=state-write:N kills
 * the process (SIGKILL) once N targets of a new state are written. */
static uint64_t
state_fault_at(void)
{
#ifdef SNMPFLEET_FAULT_INJECTION
	const char	*env = getenv("SNMPFLEET_TEST_FAULT");

	if (env != NULL && strncmp(env, "state-write:", 12) == 0)
		return strtoull(env + 12, NULL, 10);
#endif
	return 0;
}

/* Pass 4 and the header: the whole new file into fd.  0, or -1 with
 * *cause. */
static int
state_merge_out(struct state_merge *m, int fd, char **cause)
{
	static const uint8_t	 zero[8];
	struct state_header	 h;
	struct state_out	 o;
	struct timespec		 ts;
	uint64_t		 off[7], body = 0;
	int			 s, rc;

	memset(&o, 0, sizeof o);
	o.m = m;
	o.nslots = m->nt + m->nt / 2 + 1;
	off[0] = sizeof h;
	off[1] = off[0] + m->nt * sizeof(struct state_target);
	off[2] = off[1] + m->nc * sizeof(struct state_counter);
	off[3] = off[2] + m->nd * sizeof(struct state_disc);
	off[4] = off[3] + o.nslots * 8;
	off[5] = off[4] + m->in.s.len;
	off[6] = off[5] + ((m->in.s.len + m->nfp + 7) & ~7ull) - m->in.s.len;
	for (s = 0; s < 6; s++)
		state_sec_init(&o.sec[s], fd, &o.err, off[s]);
	o.idx = xcalloc(2 * o.nslots, sizeof *o.idx);
	m->kill_at = state_fault_at();
	*cause = NULL;
	rc = state_out_targets(&o, cause);
	if (rc == 0) {
		state_sec_add(&o.sec[3], o.idx, 2 * o.nslots * sizeof *o.idx);
		state_sec_add(&o.sec[4], m->in.s.data, m->in.s.len);
		state_sec_add(&o.sec[5], zero, (8 - (m->in.s.len + m->nfp) %
		    8) % 8);
	}
	free(o.idx);
	for (s = 0; s < 6; s++) {
		state_sec_flush(&o.sec[s]);
		buf_free(&o.sec[s].b);
		body = state_sum_fold(body, state_sum_end(&o.sec[s].sum));
		if (rc == 0 && o.sec[s].off != off[s + 1]) {
			*cause = xstrdup("the inputs changed while being "
			    "merged");
			rc = -1;
		}
	}
	if (rc != 0)
		return -1;
	if (o.err != 0) {
		*cause = xstrdup(strerror(o.err));
		return -1;
	}
	state_header_init(&h, STATE_MAGIC);
	h.ntargets = m->nt;
	h.ncounters = m->nc;
	h.ndisc = m->nd;
	h.nslots = o.nslots;
	h.entries_len = m->in.s.len;
	h.strings_len = m->in.s.len + m->nfp;
	h.file_size = off[6];
	clock_gettime(CLOCK_REALTIME, &ts);
	h.created_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	h.checksum = state_checksum(&h, body);
	if ((o.err = state_pwrite(fd, &h, sizeof h, 0)) != 0) {
		*cause = xstrdup(strerror(o.err));
		return -1;
	}
	return 0;
}

/* Passes 1 to 4 over m's inputs into fd.  0, or -1 with *cause. */
static int
state_merge_run(struct state_merge *m, int fd, char **cause)
{
	uint64_t	nold = m->old != NULL ? state_targets(m->old) : 0;
	size_t		i;
	int		rc;

	for (i = 0; i < m->nruns; i++)
		m->nu += m->runs[i].h.ntargets;
	m->dead = xcalloc(m->nu / 8 + 1, 1);
	m->sup = xcalloc(nold / 8 + 1, 1);
	buf_init(&m->in.s);
	rc = state_merge_dedup(m, cause);
	if (rc == 0)
		rc = state_merge_plan(m, cause);
	if (rc == 0)
		rc = state_merge_out(m, fd, cause);
	state_release(m->old);
	free(m->dead);
	free(m->sup);
	free(m->in.ht);
	buf_free(&m->in.s);
	return rc;
}

/*
 * A new state file beside path, from old (NULL: none) and the runs
 * (n of them), fsynced, not yet in place: *tmp is its name
 * (path.tmp.PID.XXXXXX; the caller frees it) for state_commit.  0, or
 * -1 with *cause (and no temporary file left).
 */
static int
state_merge_runs(const char *path, const struct state *old,
    struct state_run *runs, size_t n, char **tmp, char **cause)
{
	struct state_merge	 m;
	char			*name, *why = NULL;
	int			 fd, err = 0;

	memset(&m, 0, sizeof m);
	m.old = old;
	m.runs = runs;
	m.nruns = n;
	name = xasprintf("%s.tmp.%ld.XXXXXX", path, (long)getpid());
	if ((fd = mkstemp(name)) < 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		free(name);
		return -1;
	}
	if (state_merge_run(&m, fd, &why) != 0)
		err = -1;
	else if (fchmod(fd, 0600) != 0 || fsync(fd) != 0)
		why = xstrdup(strerror(errno));
	if (close(fd) != 0 && why == NULL && err == 0)
		why = xstrdup(strerror(errno));
	if (why != NULL || err != 0) {
		*cause = xasprintf("%s: %s", name, why != NULL ? why :
		    "merge failed");
		free(why);
		unlink(name);
		free(name);
		return -1;
	}
	*tmp = name;
	return 0;
}

/*
 * A new state beside path from old (NULL: none) and the run files
 * names[0 .. n) (state_builder_finish's), as state_merge_runs.  0 with
 * *tmp, or -1 with *cause.
 */
int
state_merge_temp(const char *path, const struct state *old,
    char *const *names, size_t n, char **tmp, char **cause)
{
	struct state_run	*runs = xcalloc(n + 1, sizeof *runs);
	size_t			 i, k;
	int			 rc = 0;

	for (k = 0; k < n; k++)
		if (state_run_open(&runs[k], names[k], cause) != 0) {
			rc = -1;
			k++;
			break;
		}
	if (rc == 0)
		rc = state_merge_runs(path, old, runs, n, tmp, cause);
	for (i = 0; i < k; i++)
		state_run_close(&runs[i]);
	free(runs);
	return rc;
}

/*
 * b's targets so far alone as a new state beside path (*tmp, for
 * state_commit).  b may be given more and written again.  0, or -1 with
 * *cause.
 */
int
state_builder_write_temp(struct state_builder *b, const char *path,
    char **tmp, char **cause)
{
	struct state_run	run;

	state_builder_emit(b);
	state_builder_flush(b);
	if (b->err != 0) {
		*cause = xasprintf("%s: %s", path, strerror(b->err));
		return -1;
	}
	memset(&run, 0, sizeof run);
	run.name = b->name != NULL ? b->name : "(builder)";
	run.fd = b->fd;
	state_builder_header(b, &run.h);
	return state_merge_runs(path, NULL, &run, b->nt != 0 ? 1 : 0, tmp,
	    cause);
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

/* b's targets so far written to path atomically: state_builder_write_temp,
 * state_commit. */
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
