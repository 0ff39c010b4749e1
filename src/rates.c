/*
 * rates.c — --state as a run uses it.  The parent opens the last run's
 * state read-only before the fork (workers inherit the mapping).  For
 * each record, every Counter32/Counter64 varbind gets a note: its delta
 * and rate against the last run's value (state_delta), or why there is
 * none; formats show the notes with rates_json, so the arithmetic lives
 * here once.  The same record's sample (poll time, answered, sysUpTime,
 * counters) goes into this process's builder, which streams it to a
 * partial file next to the state (STATE.part.PPID.PID, ".tmp" until the
 * worker's end); the parent merges the state and the partials into the
 * new state, written atomically (state-build.c, in bounded memory).
 *
 * The merge holds an exclusive lock on STATE.lock, and merges the
 * state as it is on disk then (opened again if another run replaced it
 * since this one began), so runs that share a state file (--shard K/N
 * at the same time) never drop each other's targets; under the lock it
 * also removes the partials and temporary files of runs whose process
 * is gone (a parent killed with SIGKILL).
 * Nothing here runs unless --state was given.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include "snmpfleet.h"


struct rates_note {			/* one counter varbind of the record */
	const netsnmp_variable_list	*v;
	struct state_delta		 d;
};

#define RATES_FP_MAX	16	/* --fingerprint objects */
#define RATES_FP_BYTES	1024	/* of one fingerprint value, kept */
#define RATES_EV_FLUSH	(64 * 1024)	/* events kept in memory */

struct rates_fp {			/* one --fingerprint object */
	struct oid_text	 o;
	char		*name;		/* as given */
	unsigned	 field;		/* its number in the state */
	bool		 chassis;	/* an entPhysicalTable column: the
					   chassis row's value */
};

struct rates_disc {			/* ifCounterDiscontinuityTime.N */
	oid		 ifindex;
	uint32_t	 ticks;
};

struct rates {
	char			*path;
	struct state		*old;		/* NULL: first run or reset */
	bool			 reset;
	bool			 existed;	/* path was there at the start: */
	dev_t			 dev;		/* which file it was */
	ino_t			 ino;
	uint64_t		 max_ns;	/* 0: no limit */
	pid_t			 parent;	/* names the run's partials */
	struct state_builder	*b;		/* this process's samples */
	struct rates_note	*notes;		/* the current record's */
	size_t			 nnotes, capnotes, cursor;
	struct rates_disc	*discs;		/* the current record's */
	size_t			 ndiscs, capdiscs;
	uint64_t		 nrecords;	/* records sampled here */
	struct rates_fp		 fp[RATES_FP_MAX];
	size_t			 nfp;
	int			 changes_fd;	/* --changes, or -1 */
	char			*changes;
	unsigned		 vanish_after;
	struct buf		 ev;		/* this process's events */
	int			 ev_fd;		/* where they go: -1 none yet */
	pid_t			 ev_pid;	/* the process that made it */
	int			 ev_err;
	uint64_t		 nev[RATES_NEVENTS];
};

static const oid rates_uptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
/* IF-MIB: ifCounterDiscontinuityTime, and the two tables whose counters
 * it covers (RFC 2863: a change of it means the row's counters may have
 * jumped, whatever sysUpTime says) */
static const oid rates_disc_col[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 19 };
static const oid rates_if_entry[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1 };
static const oid rates_ifx_entry[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1 };
/* ENTITY-MIB: entPhysicalEntry and its entPhysicalClass column; class
 * chassis(3) marks the row a chassis fingerprint field is taken from */
static const oid rates_ent_entry[] = { 1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1 };
#define RATES_ENT_CLASS		5
#define RATES_ENT_CHASSIS	3

/* Can a file be made next to path (the state's temporary files and
 * partials go there)?  0, or -1 with *cause. */
static int
rates_check_dir(const char *path, char **cause)
{
	char		*name;
	struct stat	 sb;
	int		 fd;

	/* the new state is renamed over path: never over a device, a
	 * directory or a FIFO (as root, --state /dev/null would replace
	 * the device node) */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		return -1;
	}
	name = xasprintf("%s.tmp.%ld.XXXXXX", path, (long)getpid());
	if ((fd = mkstemp(name)) < 0) {
		*cause = xasprintf("%s: cannot write there: %s", path,
		    strerror(errno));
		free(name);
		return -1;
	}
	close(fd);
	unlink(name);
	free(name);
	return 0;
}

/*
 * Open --state path for a run: the last state (a missing file is a
 * first run; reset ignores it), and a check that the new one can be
 * written.  Before the fork.  0 with *out, or -1 with *cause.
 */
int
rates_open(const char *path, bool reset, double max_interval,
    struct rates **out, char **cause)
{
	struct rates	*rt;
	struct stat	 sb;
	char		*why, *prefix;

	if (rates_check_dir(path, cause) != 0)
		return -1;
	rt = xcalloc(1, sizeof *rt);
	rt->path = xstrdup(path);
	rt->reset = reset;
	rt->max_ns = (uint64_t)(max_interval * 1e9);
	rt->parent = getpid();
	rt->changes_fd = -1;
	rt->ev_fd = -1;
	rt->vanish_after = 1;
	buf_init(&rt->ev);
	if (stat(path, &sb) == 0) {
		rt->existed = true;
		rt->dev = sb.st_dev;
		rt->ino = sb.st_ino;
	}
	if (!reset && rt->existed &&
	    state_open_read(path, &rt->old, &why) != 0) {
		*cause = xasprintf("%s (--state-reset starts a new state)",
		    why);
		free(why);
		rates_close(rt);
		return -1;
	}
	prefix = xasprintf("%s.part.%ld", path, (long)rt->parent);
	rt->b = state_builder_new(prefix);
	free(prefix);
	*out = rt;
	return 0;
}

/*
 * The rest of --state's options, before the fork: the fingerprint's
 * objects (list: names or OIDs of scalars, comma-separated), and with
 * changes (--changes FILE, or NULL) the events file opened for
 * appending and --vanish-after.  0, or -1 with *cause.
 */
int
rates_events(struct rates *rt, const char *changes, unsigned vanish_after,
    const char *list, char **cause)
{
	struct rates_fp	*f;
	char		*copy = xstrdup(list != NULL ? list : ""), *p, *tok;
	char		*why;
	size_t		 i;

	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		if (*tok == '\0')
			continue;
		if (rt->nfp == RATES_FP_MAX) {
			*cause = xasprintf("--fingerprint: at most %d objects",
			    RATES_FP_MAX);
			goto fail;
		}
		f = &rt->fp[rt->nfp];
		if (oid_parse(tok, &f->o, &why) != 0) {
			*cause = xasprintf("--fingerprint: %s", why);
			free(why);
			goto fail;
		}
		f->chassis = f->o.len == OID_LENGTH(rates_ent_entry) + 1 &&
		    snmp_oid_compare(f->o.v, OID_LENGTH(rates_ent_entry),
		    rates_ent_entry, OID_LENGTH(rates_ent_entry)) == 0;
		/* a field number from the OID, so a changed list keeps the
		 * numbers of the objects it still has */
		f->field = 1 + (unsigned)(state_oid_hash(f->o.v, f->o.len) %
		    UINT16_MAX);
		for (i = 0; i < rt->nfp; i++)
			if (rt->fp[i].field == f->field) {
				*cause = xasprintf("--fingerprint: %s and %s "
				    "are one object (or their hashes meet; "
				    "give one of them)", rt->fp[i].name, tok);
				goto fail;
			}
		f->name = xstrdup(tok);
		rt->nfp++;
	}
	free(copy);
	rt->vanish_after = vanish_after != 0 ? vanish_after : 1;
	if (changes == NULL)
		return 0;
	rt->changes_fd = open(changes, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644);
	if (rt->changes_fd < 0) {
		*cause = xasprintf("--changes %s: %s", changes, strerror(errno));
		return -1;
	}
	rt->changes = xstrdup(changes);
	return 0;
fail:
	free(copy);
	return -1;
}

/* Who a target is between runs: its credentials and tags, hashed. */
static uint64_t
rates_ident(const struct target_params *p)
{
	struct buf	b;
	uint64_t	h;
	size_t		i;

	buf_init(&b);
	buf_printf(&b, "%ld", p->snmp_version);
	buf_addc(&b, '\0');
	buf_adds(&b, p->community ? p->community : "");
	buf_addc(&b, '\0');
	buf_adds(&b, p->user ? p->user : "");
	buf_addc(&b, '\0');
	buf_adds(&b, p->context ? p->context : "");
	for (i = 0; i < 2 * p->ntags; i++) {
		buf_addc(&b, '\0');
		buf_adds(&b, p->tags[i]);
	}
	h = parse_hash_bytes(b.data, b.len);
	buf_free(&b);
	return h;
}

static bool
rates_is_counter(const netsnmp_variable_list *v)
{
	return v->type == ASN_COUNTER || v->type == ASN_COUNTER64;
}

static uint64_t
rates_value(const netsnmp_variable_list *v)
{
	if (v->type == ASN_COUNTER64)
		return ((uint64_t)v->val.counter64->high << 32) |
		    (uint64_t)(uint32_t)v->val.counter64->low;
	return (uint32_t)*v->val.integer;
}

/* The record's sysUpTime.0, if it polled it: true with *up. */
static bool
rates_uptime(const struct result *r, uint32_t *up)
{
	const netsnmp_variable_list	*v;
	size_t				 i;

	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			if (v->type == ASN_TIMETICKS && snmp_oid_compare(v->name,
			    v->name_length, rates_uptime_oid,
			    OID_LENGTH(rates_uptime_oid)) == 0) {
				*up = (uint32_t)*v->val.integer;
				return true;
			}
		}
	}
	return false;
}

/* Is v under prefix (len subidentifiers) with skip more subidentifiers
 * (0: prefix is a column; 1: an entry, any column) and then a
 * one-number index?  true with *idx. */
static bool
rates_index_of(const netsnmp_variable_list *v, const oid *prefix, size_t len,
    size_t skip, oid *idx)
{
	if (v->name_length != len + skip + 1 ||
	    snmp_oid_compare(v->name, len, prefix, len) != 0)
		return false;
	*idx = v->name[len + skip];
	return true;
}

/* The record's ifCounterDiscontinuityTime values, into rt->discs. */
static void
rates_collect_discs(struct rates *rt, const struct result *r)
{
	const netsnmp_variable_list	*v;
	size_t				 i;
	oid				 idx;

	rt->ndiscs = 0;
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			if (v->type != ASN_TIMETICKS || !rates_index_of(v,
			    rates_disc_col, OID_LENGTH(rates_disc_col), 0, &idx))
				continue;
			if (rt->ndiscs == rt->capdiscs) {
				rt->capdiscs = rt->capdiscs ?
				    2 * rt->capdiscs : 16;
				rt->discs = xreallocarray(rt->discs,
				    rt->capdiscs, sizeof *rt->discs);
			}
			rt->discs[rt->ndiscs].ifindex = idx;
			rt->discs[rt->ndiscs++].ticks =
			    (uint32_t)*v->val.integer;
		}
	}
}

/* The discontinuity time that covers counter v (an ifTable or ifXTable
 * column of a row whose ifCounterDiscontinuityTime the record holds):
 * true with *ticks. */
static bool
rates_disc_of(const struct rates *rt, const netsnmp_variable_list *v,
    uint32_t *ticks)
{
	size_t	i;
	oid	idx;

	if (rt->ndiscs == 0 || (!rates_index_of(v, rates_if_entry,
	    OID_LENGTH(rates_if_entry), 1, &idx) && !rates_index_of(v,
	    rates_ifx_entry, OID_LENGTH(rates_ifx_entry), 1, &idx)))
		return false;
	for (i = 0; i < rt->ndiscs; i++)
		if (rt->discs[i].ifindex == idx) {
			*ticks = rt->discs[i].ticks;
			return true;
		}
	return false;
}

/* The last run's target of key k, or NULL. */
static const struct state_target *
rates_prev(const struct rates *rt, const struct state_key *k)
{
	return rt->old != NULL ? state_find_target(rt->old, k) : NULL;
}

static void
rates_add_note(struct rates *rt, const netsnmp_variable_list *v,
    const struct state_delta *d)
{
	if (rt->nnotes == rt->capnotes) {
		rt->capnotes = rt->capnotes ? 2 * rt->capnotes : 16;
		rt->notes = xreallocarray(rt->notes, rt->capnotes,
		    sizeof *rt->notes);
	}
	rt->notes[rt->nnotes].v = v;
	rt->notes[rt->nnotes++].d = *d;
}

/* One counter varbind: its note against the last run's value, and its
 * sample into the builder. */
static void
rates_counter(struct rates *rt, const struct state_target *prev,
    const struct state_sample *cur0, const netsnmp_variable_list *v)
{
	struct state_sample		 cur = *cur0, was;
	struct state_counter		 c;
	const struct state_counter	*pc = NULL;
	struct state_delta		 d;
	uint64_t			 h = state_oid_hash(v->name,
					     v->name_length);
	enum state_type			 type = v->type == ASN_COUNTER64 ?
					     STATE_COUNTER64 : STATE_COUNTER32;

	cur.value = rates_value(v);
	cur.has_disc = rates_disc_of(rt, v, &cur.disc);
	if (prev != NULL)	/* answered then, or carried since */
		pc = state_find_counter(rt->old, prev, h);
	if (pc != NULL && pc->type == type) {
		memset(&was, 0, sizeof was);
		was.value = pc->value;
		was.time_ns = prev->poll_ns;
		was.has_uptime = (prev->flags & STATE_HAS_UPTIME) != 0;
		was.uptime = prev->uptime;
		was.has_disc = (pc->flags & STATE_HAS_DISC) != 0;
		if (was.has_disc)
			was.disc = state_counter_disc(rt->old, pc);
		state_delta(&was, &cur, type, rt->max_ns, &d);
	} else
		state_delta(NULL, &cur, type, rt->max_ns, &d);
	rates_add_note(rt, v, &d);
	memset(&c, 0, sizeof c);
	c.oid_hash = h;
	c.type = type;
	c.value = cur.value;
	c.flags = cur.has_disc ? STATE_HAS_DISC : 0;
	state_builder_add_counter_disc(rt->b, &c, cur.disc);
}

/* All of p to fd: 0, or an errno. */
static int
rates_write_all(int fd, const char *p, size_t n)
{
	ssize_t	k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The name of this process's events file (PART.ev; ".tmp" while it
 * is written). */
static char *
rates_events_name(const struct rates *rt, bool tmp)
{
	return xasprintf("%s.part.%ld.%ld.ev%s", rt->path, (long)rt->parent,
	    (long)getpid(), tmp ? ".tmp" : "");
}

/* This process's events so far (whole lines) to its events file, so
 * they do not pile up in memory; an error is kept for the end. */
static void
rates_flush_events(struct rates *rt)
{
	char	*name;

	if (rt->ev_fd >= 0 && rt->ev_pid != getpid()) {
		close(rt->ev_fd);	/* a forked copy of the parent's */
		rt->ev_fd = -1;
	}
	if (rt->ev_fd < 0 && rt->ev_err == 0) {
		name = rates_events_name(rt, true);
		rt->ev_fd = open(name, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600);
		if (rt->ev_fd < 0)
			rt->ev_err = errno;
		rt->ev_pid = getpid();
		free(name);
	}
	if (rt->ev_err == 0)
		rt->ev_err = rates_write_all(rt->ev_fd, rt->ev.data,
		    rt->ev.len);
	rt->ev.len = 0;
}

/* Start an event line of target t at wall-clock ns (the caller adds
 * its own fields and rates_event_end). */
static struct buf *
rates_event(struct rates *rt, enum rates_event e, const struct target *t,
    uint64_t ns)
{
	struct buf	*b = &rt->ev;
	char		 when[40];

	if (b->len >= RATES_EV_FLUSH)
		rates_flush_events(rt);

	clock_iso8601(when, sizeof when, &ns);
	buf_printf(b, "{\"time\":\"%s\",\"event\":\"%s\",\"host\":", when,
	    report_event_name(e));
	json_string(b, t->host, strlen(t->host));
	buf_printf(b, ",\"port\":%u", (unsigned)t->port);
	json_tags(b, t->params);
	rt->nev[e]++;
	return b;
}

static void
rates_event_end(struct buf *b)
{
	buf_adds(b, "}\n");
}

/* The entPhysicalIndex of the record's chassis: the lowest row whose
 * entPhysicalClass is chassis(3), else 1 (where agents put it when the
 * class was not polled). */
static oid
rates_chassis(const struct result *r)
{
	const netsnmp_variable_list	*v;
	size_t				 i, len = OID_LENGTH(rates_ent_entry);
	oid				 idx, best = 0;

	for (i = 0; i < r->nparts; i++)
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable)
			if (v->type == ASN_INTEGER && rates_index_of(v,
			    rates_ent_entry, len, 1, &idx) &&
			    v->name[len] == RATES_ENT_CLASS &&
			    *v->val.integer == RATES_ENT_CHASSIS &&
			    (best == 0 || idx < best))
				best = idx;
	return best != 0 ? best : 1;
}

/* The --fingerprint object that varbind v is (a scalar's instance, or
 * a chassis column in the chassis row), or NULL. */
static const struct rates_fp *
rates_fp_of(const struct rates *rt, const netsnmp_variable_list *v,
    oid chassis)
{
	const struct rates_fp	*f;
	size_t			 j;

	for (j = 0; j < rt->nfp; j++) {
		f = &rt->fp[j];
		if (!f->chassis) {
			if (snmp_oid_compare(v->name, v->name_length, f->o.v,
			    f->o.len) == 0)
				return f;
		} else if (v->name_length == f->o.len + 1 &&
		    v->name[f->o.len] == chassis &&
		    snmp_oid_compare(v->name, f->o.len, f->o.v,
		    f->o.len) == 0)
			return f;
	}
	return NULL;
}

/* The record's fingerprint objects into the builder; with --changes, a
 * changed event for each that the last run had with another value. */
static void
rates_fingerprint(struct rates *rt, const struct target *t,
    const struct result *r, const struct state_target *prev)
{
	const netsnmp_variable_list	*v;
	const struct rates_fp		*f;
	const char			*old;
	struct buf			 val, *b;
	size_t				 i, olen, len;
	oid				 chassis = rates_chassis(r);

	buf_init(&val);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			if (value_is_exception(v->type) || v->type == ASN_NULL ||
			    (f = rates_fp_of(rt, v, chassis)) == NULL)
				continue;
			val.len = 0;
			value_plain(v, &val);
			len = val.len < RATES_FP_BYTES ? val.len :
			    RATES_FP_BYTES;
			state_builder_add_fingerprint(rt->b, f->field,
			    val.data != NULL ? val.data : "", len);
			if (rt->changes_fd < 0 || prev == NULL ||
			    (old = state_fingerprint(rt->old, prev, f->field,
			    &olen)) == NULL || (olen == len &&
			    memcmp(old, val.data, len) == 0))
				continue;
			b = rates_event(rt, RATES_CHANGED, t, r->done_ns);
			buf_adds(b, ",\"field\":");
			json_string(b, f->name, strlen(f->name));
			buf_adds(b, ",\"old\":");
			json_string(b, old, olen);
			buf_adds(b, ",\"new\":");
			json_string(b, val.data != NULL ? val.data : "", len);
			rates_event_end(b);
		}
	}
	buf_free(&val);
}

/* With --changes, the events of a target that answered: appeared or
 * recovered, and rebooted (its sysUpTime went back, or is younger than
 * the time since the last poll: state_delta's reboot). */
static void
rates_answer_events(struct rates *rt, const struct target *t,
    const struct result *r, const struct state_target *prev,
    const struct state_target *rec)
{
	struct state_sample	 was, cur;
	struct state_delta	 d;
	struct buf		*b;

	if (prev == NULL || !(prev->flags & STATE_ANSWERED)) {
		rates_event_end(rates_event(rt, RATES_APPEARED, t, r->done_ns));
		return;
	}
	if (prev->missed >= rt->vanish_after)
		rates_event_end(rates_event(rt, RATES_RECOVERED, t,
		    r->done_ns));
	if (!(prev->flags & STATE_HAS_UPTIME) ||
	    !(rec->flags & STATE_HAS_UPTIME))
		return;
	memset(&was, 0, sizeof was);
	memset(&cur, 0, sizeof cur);
	was.time_ns = prev->poll_ns;
	was.has_uptime = cur.has_uptime = true;
	was.uptime = prev->uptime;
	cur.time_ns = rec->poll_ns;
	cur.uptime = rec->uptime;
	state_delta(&was, &cur, STATE_COUNTER64, 0, &d);
	if (d.reason != STATE_REBOOT)
		return;
	b = rates_event(rt, RATES_REBOOTED, t, r->done_ns);
	buf_printf(b, ",\"uptime_before\":%lu,\"uptime_now\":%lu",
	    (unsigned long)prev->uptime, (unsigned long)rec->uptime);
	rates_event_end(b);
}

/* A target that did not answer: what the last run knew of it stays
 * (so the next answer still has a previous value), one more missed. */
static void
rates_carry(struct rates *rt, const struct state_key *k,
    const struct state_target *prev, uint64_t now)
{
	const struct state_counter	*c;
	const char			*fp;
	struct state_target		 t;
	size_t				 len;
	uint32_t			 j;

	if (prev == NULL) {
		memset(&t, 0, sizeof t);
		t.poll_ns = now;
		t.missed = 1;
		state_builder_add_target(rt->b, k, &t);
		return;
	}
	t = *prev;
	if (t.missed < UINT16_MAX)
		t.missed++;
	state_builder_add_target(rt->b, k, &t);
	for (j = 0; j < prev->ncounters; j++) {
		c = state_target_counter(rt->old, prev, j);
		state_builder_add_counter_disc(rt->b, c,
		    state_counter_disc(rt->old, c));
	}
	for (j = 0; j < rt->nfp; j++)
		if ((fp = state_fingerprint(rt->old, prev, rt->fp[j].field,
		    &len)) != NULL)
			state_builder_add_fingerprint(rt->b, rt->fp[j].field,
			    fp, len);
}

/*
 * A record about to be formatted: a note for each of its counters (for
 * rates_json) and its sample into this process's builder.  A target
 * that did not answer (timeout, deadline) keeps its last sample.
 */
void
rates_record(struct rates *rt, const struct target *t,
    const struct result *r)
{
	const netsnmp_variable_list	*v;
	const struct state_target	*prev;
	struct state_target		 rec;
	struct state_sample		 cur;
	struct state_key		 k;
	size_t				 i;

	rt->nnotes = rt->cursor = 0;
	rt->nrecords++;
	if (t->addrlen == 0)
		return;		/* a name that did not resolve: no address */
	state_key_from_sockaddr(&k, (const struct sockaddr *)&t->addr,
	    rates_ident(t->params));
	prev = rates_prev(rt, &k);
	if (r->status == RES_TIMEOUT || r->status == RES_DEADLINE) {
		/* vanished: answered before, and now the Nth silent run */
		if (rt->changes_fd >= 0 && prev != NULL &&
		    (prev->flags & STATE_ANSWERED) &&
		    prev->missed + 1u == rt->vanish_after)
			rates_event_end(rates_event(rt, RATES_VANISHED, t,
			    r->done_ns));
		rates_carry(rt, &k, prev, r->done_ns);
		return;
	}
	memset(&rec, 0, sizeof rec);
	memset(&cur, 0, sizeof cur);
	rec.poll_ns = cur.time_ns = r->done_ns;
	rec.flags = STATE_ANSWERED;
	if (rates_uptime(r, &rec.uptime)) {
		rec.flags |= STATE_HAS_UPTIME;
		cur.has_uptime = true;
		cur.uptime = rec.uptime;
	}
	state_builder_add_target(rt->b, &k, &rec);
	if (rt->changes_fd >= 0)
		rates_answer_events(rt, t, r, prev, &rec);
	if (rt->nfp != 0)
		rates_fingerprint(rt, t, r, prev);
	rates_collect_discs(rt, r);
	for (i = 0; i < r->nparts; i++)
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable)
			if (rates_is_counter(v))
				rates_counter(rt, prev, &cur, v);
}

/*
 * The note of varbind v of the record being formatted: its delta and
 * rate, or why there is none; NULL for anything but a counter.  Formats
 * show varbinds in record order, so the search starts where the last
 * one ended.
 */
const struct state_delta *
rates_note(struct rates *rt, const netsnmp_variable_list *v)
{
	size_t	i;

	if (!rates_is_counter(v))
		return NULL;
	for (i = rt->cursor; i < rt->nnotes && rt->notes[i].v != v; i++)
		continue;
	if (i == rt->nnotes) {
		for (i = 0; i < rt->cursor && rt->notes[i].v != v; i++)
			continue;
		if (i == rt->cursor)
			return NULL;
	}
	rt->cursor = i + 1;
	return &rt->notes[i].d;
}

/* After a varbind's value in jsonl: ,"delta":N,"rate":R for a counter
 * with a rate, ,"rate":null,"reset":"why" for one without, nothing for
 * anything else.  With a prefix (a table row's column name), the keys
 * are PREFIX_delta, PREFIX_rate and PREFIX_reset. */
void
rates_json(struct rates *rt, const netsnmp_variable_list *v, struct buf *b,
    const char *prefix, size_t plen)
{
	const struct state_delta	*d = rates_note(rt, v);
	const char			*sep = plen != 0 ? "_" : "";
	int				 n = (int)plen;

	if (d == NULL)
		return;
	if (d->reason == STATE_RATE)
		buf_printf(b, ",\"%.*s%sdelta\":%llu,\"%.*s%srate\":%.12g",
		    n, prefix, sep, (unsigned long long)d->delta, n, prefix,
		    sep, d->rate);
	else
		buf_printf(b, ",\"%.*s%srate\":null,\"%.*s%sreset\":\"%s\"",
		    n, prefix, sep, n, prefix, sep,
		    state_reason_name(d->reason));
}

/* A varbind's CSV columns delta,rate,reset (after a leading comma each):
 * empty for anything but a counter, the reason alone when no rate. */
void
rates_csv(struct rates *rt, const netsnmp_variable_list *v, struct buf *b)
{
	const struct state_delta	*d = v != NULL ? rates_note(rt, v) :
					    NULL;

	if (d == NULL)
		buf_adds(b, ",,,");
	else if (d->reason == STATE_RATE)
		buf_printf(b, ",%llu,%.12g,", (unsigned long long)d->delta,
		    d->rate);
	else
		buf_printf(b, ",,,%s", state_reason_name(d->reason));
}

/* This process's samples to a partial file of the run, next to the
 * state (the builder streamed them to NAME.tmp; now renamed NAME), and
 * with --changes its events to NAME.ev first (streamed to NAME.ev.tmp:
 * the parent takes a partial's events only with its samples, so a
 * worker killed between the two leaves neither): 0, or -1 with
 * *cause. */
static int
rates_write_partial(struct rates *rt, char **cause)
{
	char	*tmp, *ev;
	int	 rc = 0;

	if (rt->nrecords == 0)
		return 0;
	if (rt->ev_fd >= 0 && rt->ev_pid != getpid()) {
		close(rt->ev_fd);	/* a forked copy of the parent's */
		rt->ev_fd = -1;
	}
	if (rt->ev.len != 0)
		rates_flush_events(rt);
	if (rt->ev_fd >= 0) {
		tmp = rates_events_name(rt, true);
		ev = rates_events_name(rt, false);
		if (close(rt->ev_fd) != 0 && rt->ev_err == 0)
			rt->ev_err = errno;
		rt->ev_fd = -1;
		if (rt->ev_err == 0 && rename(tmp, ev) != 0)
			rt->ev_err = errno;
		if (rt->ev_err != 0) {
			*cause = xasprintf("%s: %s", tmp, strerror(rt->ev_err));
			rc = -1;
		}
		free(tmp);
		free(ev);
	}
	if (rc == 0)
		rc = state_builder_finish(rt->b, cause);
	return rc;
}

/* A worker's end (a forked one; not when stopped by a signal): its
 * samples to its partial file.  0, or -1 with *cause. */
int
rates_worker_end(struct rates *rt, char **cause)
{
	return rates_write_partial(rt, cause);
}

/* The run's partial files (and temporary files of partials), as paths. */
static size_t
rates_partials(const struct rates *rt, char ***out)
{
	char		*copy = xstrdup(rt->path), *copy2 = xstrdup(rt->path);
	char		*dir = dirname(copy), *prefix, **v = NULL;
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0, plen;

	prefix = xasprintf("%s.part.%ld.", basename(copy2), (long)rt->parent);
	plen = strlen(prefix);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, plen) != 0)
				continue;
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
		closedir(d);
	}
	free(prefix);
	free(copy);
	free(copy2);
	*out = v;
	return n;
}

/* Count the event of each whole line of p (n bytes) in rt->nev. */
static void
rates_count_events(struct rates *rt, const char *p, size_t n)
{
	static const char	 key[] = ",\"event\":\"";
	const char		*nl, *e, *end = p + n;
	size_t			 i, k;

	for (; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		e = memmem(p, (size_t)(nl - p), key, sizeof key - 1);
		if (e == NULL)
			continue;
		e += sizeof key - 1;
		for (i = 0; i < RATES_NEVENTS; i++) {
			k = strlen(report_event_name(i));
			if ((size_t)(nl - e) > k &&
			    memcmp(e, report_event_name(i), k) == 0 &&
			    e[k] == '"')
				rt->nev[i]++;
		}
	}
}

/* A partial's events file, whole lines, streamed onto fd and counted in
 * rt->nev (a missing file has none): 0, or an errno of the write. */
static int
rates_copy_events(struct rates *rt, const char *name, int fd)
{
	struct buf	 b;
	const char	*nl;
	size_t		 whole;
	ssize_t		 got;
	int		 in, err = 0;

	if ((in = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	buf_init(&b);
	for (;;) {
		buf_reserve(&b, RATES_EV_FLUSH);
		got = read(in, b.data + b.len, RATES_EV_FLUSH);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		b.len += (size_t)got;
		if ((nl = memrchr(b.data, '\n', b.len)) == NULL)
			continue;
		whole = (size_t)(nl - b.data) + 1;
		rates_count_events(rt, b.data, whole);
		if ((err = rates_write_all(fd, b.data, whole)) != 0)
			break;
		memmove(b.data, b.data + whole, b.len - whole);
		b.len -= whole;
	}
	close(in);
	buf_free(&b);
	return err;
}

/* Cut a fragment (a killed writer's) off the end of the events file, so
 * what is appended starts a line.  Under the flock. */
static void
rates_repair_tail(int fd)
{
	char	chunk[4096];
	off_t	end = lseek(fd, 0, SEEK_END), at = end;
	size_t	n, i;

	if (end <= 0 || pread(fd, chunk, 1, end - 1) != 1 ||
	    chunk[0] == '\n')
		return;
	while (at > 0) {
		n = at < (off_t)sizeof chunk ? (size_t)at : sizeof chunk;
		at -= (off_t)n;
		if (pread(fd, chunk, n, at) != (ssize_t)n)
			return;
		for (i = n; i > 0; i--)
			if (chunk[i - 1] == '\n') {
				(void)ftruncate(fd, at + (off_t)i);
				return;
			}
	}
	(void)ftruncate(fd, 0);
}

/* The events of the partials names[0 .. n) appended to --changes, under
 * flock (runs sharing the file stay apart, and see only whole lines),
 * streamed; a failed append is cut back out.  0, or -1 with *cause. */
static int
rates_append_events(struct rates *rt, char **names, size_t n, char **cause)
{
	char	*ev;
	off_t	 start;
	size_t	 i;
	int	 err = 0;

	if (flock(rt->changes_fd, LOCK_EX) != 0) {
		*cause = xasprintf("--changes %s: %s", rt->changes,
		    strerror(errno));
		return -1;
	}
	rates_repair_tail(rt->changes_fd);
	start = lseek(rt->changes_fd, 0, SEEK_END);
	for (i = 0; i < n && err == 0; i++) {
		ev = xasprintf("%s.ev", names[i]);
		err = rates_copy_events(rt, ev, rt->changes_fd);
		free(ev);
	}
	if (err != 0) {
		*cause = xasprintf("--changes %s: %s", rt->changes,
		    strerror(err));
		if (start >= 0)
			(void)ftruncate(rt->changes_fd, start);
	}
	flock(rt->changes_fd, LOCK_UN);
	return err != 0 ? -1 : 0;
}

/* Is pid's process gone (not merely another user's)? */
static bool
rates_pid_gone(const char *p)
{
	char	*end;
	long	 pid;

	errno = 0;
	pid = strtol(p, &end, 10);
	if (end == p || *end != '.' || pid <= 0 || errno != 0)
		return false;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Under the lock: the partials (STATE.part.PPID.*) and temporary files
 * (STATE.tmp.PID.*) of runs whose process is gone, removed. */
static void
rates_clean_stale(const struct rates *rt)
{
	char		*copy = xstrdup(rt->path), *copy2 = xstrdup(rt->path);
	char		*dir = dirname(copy), *base = basename(copy2), *name;
	struct dirent	*de;
	size_t		 blen = strlen(base);
	const char	*rest;
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		rest = de->d_name + blen;
		if (strncmp(rest, ".part.", 6) == 0)
			rest += 6;
		else if (strncmp(rest, ".tmp.", 5) == 0)
			rest += 5;
		else
			continue;
		if (!rates_pid_gone(rest))
			continue;
		name = xasprintf("%s/%s", dir, de->d_name);
		unlink(name);
		free(name);
	}
	closedir(d);
out:
	free(copy);
	free(copy2);
}

/*
 * The exclusive lock of path's merges: a write lock (fcntl(2), open file
 * description lock: a --lock on the same file, a flock(2), does not
 * meet it) on path.lock, made if need be and never removed, waited for.
 * Its fd, or -1 with *cause.
 */
static int
rates_lock(const char *path, char **cause)
{
	struct flock	 fl;
	char		*name = xasprintf("%s.lock", path);
	int		 fd, rc;

	fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		free(name);
		return -1;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while ((rc = fcntl(fd, F_OFD_SETLKW, &fl)) != 0 && errno == EINTR)
		continue;
	if (rc != 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(name);
	return fd;
}

/*
 * Under the lock: the state to merge into, as it is on disk now.  The
 * one this run opened, unless another run replaced it since (then that
 * one, opened into *fresh, which the caller closes); with --state-reset,
 * none, unless it was replaced.  0, or -1 with *cause.
 */
static int
rates_base(struct rates *rt, const struct state **base, struct state **fresh,
    char **cause)
{
	struct stat	 sb;
	char		*why;

	*fresh = NULL;
	*base = rt->old;
	if (stat(rt->path, &sb) != 0)
		return 0;	/* removed meanwhile: what this run read */
	if (rt->existed && sb.st_dev == rt->dev && sb.st_ino == rt->ino)
		return 0;
	if (state_open_read(rt->path, fresh, &why) != 0) {
		*cause = xasprintf("%s (written by another run during this "
		    "one; --state-reset starts a new state)", why);
		free(why);
		return -1;
	}
	*base = *fresh;
	return 0;
}

/* Does name (a partial of this run) hold samples: not NAME.tmp (a
 * killed worker's, unfinished) nor NAME.ev (events: with their
 * samples)? */
static bool
rates_is_samples(const char *name)
{
	size_t	n = strlen(name);

	return !(n > 4 && strcmp(name + n - 4, ".tmp") == 0) &&
	    !(n > 3 && strcmp(name + n - 3, ".ev") == 0);
}

/*
 * Under the lock of path.lock: the state on disk now (unless reset and
 * not replaced since the start) and every partial into a new state; with
 * --changes, the partials' events are appended between writing the new
 * state and renaming it into place (a failed append keeps the old
 * state, so the next run finds the same events again): 0, or -1 with
 * *cause.
 */
static int
rates_merge(struct rates *rt, char **names, size_t n, char **cause)
{
	const struct state	*base;
	struct state		*fresh = NULL;
	char			*tmp = NULL, **runs;
	size_t			 i, nruns = 0;
	int			 rc, lfd;

	if ((lfd = rates_lock(rt->path, cause)) < 0)
		return -1;
	rates_clean_stale(rt);
	if (rates_base(rt, &base, &fresh, cause) != 0) {
		close(lfd);
		return -1;
	}
	memset(rt->nev, 0, sizeof rt->nev);
	runs = xreallocarray(NULL, n + 1, sizeof *runs);
	for (i = 0; i < n; i++)
		if (rates_is_samples(names[i]))
			runs[nruns++] = names[i];
	rc = state_merge_temp(rt->path, base, runs, nruns, &tmp, cause);
	if (rc == 0 && rt->changes_fd >= 0 &&
	    (rc = rates_append_events(rt, runs, nruns, cause)) != 0)
		unlink(tmp);
	if (rc == 0)
		rc = state_commit(tmp, rt->path, cause);
	free(tmp);
	state_close(fresh);
	free(runs);
	close(lfd);
	return rc;
}

/* The run's events of each kind (after rates_finish: the whole run's;
 * all 0 without --changes), in enum rates_event order. */
void
rates_event_counts(const struct rates *rt, uint64_t *out)
{
	memcpy(out, rt->nev, sizeof rt->nev);
}


/*
 * The parent's end of the run: unless it was interrupted, the new state
 * (the old one's targets not polled now, then every sample of this run;
 * the newest poll of a target wins) replaces the old, atomically.  The
 * run's partial files go either way.  0, or -1 with *cause.
 */
int
rates_finish(struct rates *rt, bool interrupted, char **cause)
{
	char	**names;
	size_t	  n, i;
	int	  rc = 0;

	if (!interrupted)
		rc = rates_write_partial(rt, cause);
	n = rates_partials(rt, &names);
	if (!interrupted && rc == 0)
		rc = rates_merge(rt, names, n, cause);
	for (i = 0; i < n; i++) {
		unlink(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

void
rates_close(struct rates *rt)
{
	if (rt == NULL)
		return;
	state_close(rt->old);
	state_builder_free(rt->b);
	if (rt->changes_fd >= 0)
		close(rt->changes_fd);
	if (rt->ev_fd >= 0)
		close(rt->ev_fd);
	free(rt->changes);
	for (size_t i = 0; i < rt->nfp; i++)
		free(rt->fp[i].name);
	buf_free(&rt->ev);
	free(rt->notes);
	free(rt->discs);
	free(rt->path);
	free(rt);
}
