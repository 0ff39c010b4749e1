/*
 * writer.c — the one shared output: its robust mutex, flock, write
 * intents and commits, per-worker written counts, and the terminal that
 * records and the progress line may share.
 *
 * Records are formatted outside the lock into a local batch of whole
 * records; a flush takes the robust, process-shared mutex (in shared
 * memory, so every worker of the pool uses the same one), then flock(2)
 * on the output file (so separate runs appending to one file stay apart),
 * and writes the batch with one write(2).
 *
 * A target counts as done only once its record is written: the batch's
 * target indices are marked in the done bitmap (the pool's, handed over
 * at open) in the same critical section.  To make that exactly-once even when a worker dies inside the
 * critical section, the batch is first announced as an "intent" (indices,
 * counters, the file offsets it spans); the next process to take the
 * mutex sees EOWNERDEAD, checks the file size, and either completes the
 * dead worker's batch (it was written) or cuts the file back to where
 * the batch began and drops it (those targets are polled again).
 *
 * Whole records, whatever is killed: Linux may cut a write(2) short when
 * a fatal signal arrives, so a file can end in a fragment.  Under the
 * flock, a writer that finds the file not ending in a newline cuts the
 * fragment off before appending (the dead writer of another run, or of
 * this one, never counted it).  On a pipe or terminal a batch is at most
 * PIPE_BUF bytes of whole records, which the kernel writes atomically;
 * only a single larger record is written in pieces, and if its writer is
 * killed on the way the next writer ends the torn line with a newline,
 * counts it as torn and the target is polled again.
 *
 * A failed write (ENOSPC, EPIPE, EIO) is cut back out of a file, not
 * counted, and stops the run: no batch is written after it (the owner
 * of the run hears of it through the writer's failure callback).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "snmpfleet.h"

#define WRITER_FLUSH_BYTES	(64 * 1024)
#define WRITER_FLUSH_NS		(100 * 1000 * 1000)

/* One worker's slot: its batch being written, and its written counts. */
struct worker_shared {
	struct stats	 stats[2];	/* written records: [commit & 1] */
	_Atomic uint64_t commit;	/* last committed batch << 1 | index */
	uint64_t	 intent_seq;	/* the batch being written */
	bool		 intent;	/* a batch is being written */
	bool		 intent_out;	/* its write(2) returned (pipes) */
	bool		 intent_big;	/* one record > PIPE_BUF, in pieces */
	uint64_t	 intent_start;	/* file size before it */
	uint64_t	 intent_end;	/* file size once it is written */
	struct stats	 intent_stats;
	uint32_t	 nintent;
	uint64_t	 intent_idx[WRITER_MAX_BATCH];
};

/* The output's state, in memory shared by every process of the run. */
struct writer_shared {
	pthread_mutex_t		 lock;
	bool			 progress_shown; /* a line is on the terminal */
	bool			 same_tty;	/* records share that terminal */
	_Atomic int		 out_errno;	/* the output failed: stop */
	_Atomic uint64_t	 torn;		/* records cut by a kill (pipe) */
	_Atomic uint64_t	 repaired;	/* bytes of dead writers' tails cut */
	_Atomic unsigned	 nused;		/* workers[0..nused) ever used */
	struct worker_shared	 workers[POOL_MAX_WORKERS];
};

static int	writer_emit(struct writer *, size_t);

/* Worker slot i is about to be written (under the mutex): the loops
 * over every worker's slot stop at the highest one ever written. */
static void
writer_slot_used(struct writer_shared *s, unsigned i)
{
	unsigned	n = atomic_load(&s->nused);

	while (n < i + 1 &&
	    !atomic_compare_exchange_weak(&s->nused, &n, i + 1))
		;
}

/*
 * Map the output's shared state (before any fork): the robust
 * process-shared mutex, the write intents and per-worker counters.
 */
struct writer_shared *
writer_shared_create(char **cause)
{
	struct writer_shared	*s;
	pthread_mutexattr_t	 attr;
	int			 rc;

	s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		return NULL;
	}
	/* an anonymous mapping starts zeroed: the workers' slots (2.5 MB
	 * for POOL_MAX_WORKERS) are touched only by the workers that run */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&s->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		*cause = xasprintf("pthread_mutex_init: %s", strerror(rc));
		writer_shared_destroy(s);
		return NULL;
	}
	return s;
}

/* Forget a finished run's counts: a sweep polls the inventory again from
 * scratch at the next level. */
void
writer_shared_reset(struct writer_shared *s)
{
	memset(s->workers, 0, atomic_load(&s->nused) * sizeof s->workers[0]);
	atomic_store(&s->torn, 0);
	atomic_store(&s->repaired, 0);
	s->progress_shown = false;
}

void
writer_shared_destroy(struct writer_shared *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	munmap(s, sizeof *s);
}

/* The errno of the write that failed the output, or 0. */
int
writer_out_errno(const struct writer *w)
{
	return atomic_load(&w->shm->out_errno);
}

/* Records torn by a killed writer on a pipe or terminal (re-polled). */
uint64_t
writer_torn(const struct writer_shared *s)
{
	return atomic_load(&s->torn);
}

/* Bytes of killed writers' fragments cut from the end of the file. */
uint64_t
writer_repaired(const struct writer_shared *s)
{
	return atomic_load(&s->repaired);
}

/* write(2) all of p, retrying on EINTR and short writes. */
static int
writer_write_all(int fd, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Complete worker ws's announced batch: mark its targets done and count
 * its records.  Under the lock.  Safe to repeat after its writer died
 * anywhere in here: marking is idempotent, and the counters switch to
 * the new copy with one store, which names the batch it completes.
 */
static void
writer_commit(struct writer *w, struct worker_shared *ws)
{
	uint64_t	commit = atomic_load(&ws->commit);
	unsigned	cur = (unsigned)(commit & 1), next = 1 - cur;
	uint32_t	i;

	for (i = 0; i < ws->nintent; i++)
		bitmap_set(w->done, ws->intent_idx[i]);
	if (commit >> 1 != ws->intent_seq) {
		ws->stats[next] = ws->stats[cur];
		stats_merge(&ws->stats[next], &ws->intent_stats);
		atomic_store(&ws->commit, ws->intent_seq << 1 | next);
	}
	ws->intent = false;
}

/* The batch announced and then given up: its requests still count. */
static void
writer_discard(struct worker_shared *ws)
{
	uint64_t	commit = atomic_load(&ws->commit);
	unsigned	cur = (unsigned)(commit & 1), next = 1 - cur;

	if (commit >> 1 != ws->intent_seq) {
		ws->stats[next] = ws->stats[cur];
		ws->stats[next].requests += ws->intent_stats.requests;
		ws->stats[next].responses += ws->intent_stats.responses;
		ws->stats[next].retries += ws->intent_stats.retries;
		atomic_store(&ws->commit, ws->intent_seq << 1 | next);
	}
	ws->intent = false;
}

/*
 * Settle worker ws's batch, left half done by its dead writer, on a
 * regular file: the file size says how far the write got.  All of it:
 * complete the batch.  Part of it: cut the file back to where the batch
 * began, so no fragment stays, and poll those targets again.
 */
static void
writer_recover_file(struct writer *w, struct worker_shared *ws)
{
	struct stat	st;
	uint64_t	size;

	if (fstat(w->fd, &st) != 0) {
		writer_discard(ws);
		return;
	}
	size = (uint64_t)st.st_size;
	if (size >= ws->intent_end) {
		writer_commit(w, ws);
		return;
	}
	if (size > ws->intent_start &&
	    ftruncate(w->fd, (off_t)ws->intent_start) == 0)
		atomic_fetch_add(&w->shm->repaired, size - ws->intent_start);
	writer_discard(ws);
}

/*
 * The same on a pipe or terminal, which cannot be read back.  A write of
 * at most PIPE_BUF bytes is all or nothing: if it returned, complete the
 * batch, else poll its targets again.  A larger record cut short gets
 * the newline that ends its torn line, and is counted as torn.
 */
static void
writer_recover_stream(struct writer *w, struct worker_shared *ws)
{
	if (ws->intent_out) {
		writer_commit(w, ws);
		return;
	}
	if (ws->intent_big) {
		if (writer_write_all(w->fd, "\n", 1) == 0)
			atomic_fetch_add(&w->shm->torn, 1);
		ws->intent_big = false;
	}
	writer_discard(ws);
}

/* The mutex's last holder died: settle any batch it left half done. */
static void
writer_recover(struct writer *w)
{
	struct writer_shared	*s = w->shm;
	struct worker_shared	*ws;
	unsigned		 i;

	for (i = 0; i < atomic_load(&s->nused); i++) {
		ws = &s->workers[i];
		if (!ws->intent)
			continue;
		if (atomic_load(&ws->commit) >> 1 == ws->intent_seq)
			ws->intent = false;	/* it died after its commit */
		else if (w->is_file)
			writer_recover_file(w, ws);
		else
			writer_recover_stream(w, ws);
	}
	if (w->is_file)
		flock(w->fd, LOCK_UN);	/* the dead holder's lock went with it */
}

/* Take the shared mutex, recovering it if its holder died. */
void
writer_lock(struct writer *w)
{
	if (pthread_mutex_lock(&w->shm->lock) == EOWNERDEAD) {
		writer_recover(w);
		pthread_mutex_consistent(&w->shm->lock);
	}
}

void
writer_unlock(struct writer *w)
{
	pthread_mutex_unlock(&w->shm->lock);
}

static void
writer_init(struct writer *w, struct writer_shared *shm, struct bitmap *done)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->rfd = -1;
	w->dump_fd = -1;
	w->shm = shm;
	w->done = done;
	w->flush_bytes = WRITER_FLUSH_BYTES;
	buf_init(&w->pending);
	w->pending_idx = xcalloc(WRITER_MAX_BATCH, sizeof *w->pending_idx);
}

/*
 * A regular file needs a read-only descriptor too (to find a torn tail:
 * the output may be write-only, as a shell's ">>" opens it), and append
 * mode, so that cutting a tail never leaves the write offset past the
 * end ("snmpfleet > FILE").  Without them repairs are skipped, nothing
 * more.
 */
static void
writer_open_file_extras(struct writer *w, const char *path)
{
	char	proc[64];
	int	fl;

	if (w->own_fd)
		w->rfd = open(path, O_RDONLY | O_CLOEXEC);
	else {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", w->fd);
		w->rfd = open(proc, O_RDONLY | O_CLOEXEC);
	}
	fl = fcntl(w->fd, F_GETFL);
	if (fl != -1 && (fl & O_APPEND) == 0)
		(void)fcntl(w->fd, F_SETFL, fl | O_APPEND);
}

/*
 * Open the output: path NULL or "-" is standard output; anything else is
 * opened for append (created 0644).  This runs before the first packet,
 * so an unwritable output stops the run before it starts.  The format's
 * header (csv) is written only into an empty file.  A written batch's
 * targets are marked in done.
 */
int
writer_open(struct writer *w, struct writer_shared *shm, struct bitmap *done,
    const char *path, const struct out_format *fmt, char **cause)
{
	struct buf	hdr;
	struct stat	st;
	int		rc = 0;

	writer_init(w, shm, done);
	if (path == NULL || strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0644);
		if (w->fd < 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			writer_close(w);
			return -1;
		}
		w->own_fd = true;
	}
	if (fstat(w->fd, &st) != 0) {
		*cause = xasprintf("%s: %s", path ? path : "stdout",
		    strerror(errno));
		writer_close(w);
		return -1;
	}
	w->is_file = S_ISREG(st.st_mode);
	if (w->is_file)
		writer_open_file_extras(w, path);
	w->own_rfd = w->rfd >= 0;
	if (fmt->header == NULL)
		return 0;
	buf_init(&hdr);
	fmt->header(fmt, &hdr);
	if (w->is_file)
		flock(w->fd, LOCK_EX);
	if (!w->is_file || (fstat(w->fd, &st) == 0 && st.st_size == 0))
		rc = writer_write_all(w->fd, hdr.data, hdr.len);
	if (w->is_file)
		flock(w->fd, LOCK_UN);
	buf_free(&hdr);
	if (rc != 0) {
		*cause = xasprintf("%s: %s", path ? path : "stdout",
		    strerror(errno));
		writer_close(w);
		return -1;
	}
	return 0;
}

/*
 * -d: one dump block (dump.c's sink), written whole under the mutex, so
 * that it never lands inside a record, the progress line or another
 * worker's block.  On standard error it first takes the progress line
 * off the terminal (the next tick draws it again).  A failed write is
 * not the output's failure: the dump only goes quiet.
 */
static void
writer_dump_cb(void *arg, const char *text, size_t len)
{
	struct writer	*w = arg;

	writer_lock(w);
	if (w->dump_fd == STDERR_FILENO && w->shm->progress_shown) {
		(void)writer_write_all(STDERR_FILENO, "\r\033[K", 4);
		w->shm->progress_shown = false;
	}
	if (writer_write_all(w->dump_fd, text, len) != 0)
		w->dump_fd = -1;
	writer_unlock(w);
	if (w->dump_fd < 0)
		dump_to(NULL, NULL);
}

/*
 * -d: dump the datagrams to path (appended, created 0644), or to standard
 * error if path is NULL.  The workers' writers (writer_attach) take the
 * descriptor and become the dump's sink in their process.
 */
int
writer_dump_open(struct writer *w, const char *path, char **cause)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		w->dump_fd = STDERR_FILENO;
		return 0;
	}
	w->dump_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (w->dump_fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	w->own_dump_fd = true;
	return 0;
}

/* A worker's writer on the output that parent opened (inherited fd). */
void
writer_attach(struct writer *w, const struct writer *parent, unsigned worker)
{
	writer_init(w, parent->shm, parent->done);
	w->fd = parent->fd;
	w->rfd = parent->rfd;
	w->is_file = parent->is_file;
	w->failed_cb = parent->failed_cb;
	w->failed_arg = parent->failed_arg;
	w->worker = worker;
	w->dump_fd = parent->dump_fd;
	if (w->dump_fd >= 0)
		dump_to(writer_dump_cb, w);	/* this process's packets */
}

/* Have cb(arg) called, once, when this writer's output fails: whoever
 * runs the polling stops it there. */
void
writer_on_failure(struct writer *w, void (*cb)(void *), void *arg)
{
	w->failed_cb = cb;
	w->failed_arg = arg;
}

/* Count one record's status into the batch's counters. */
static void
writer_count(struct stats *st, enum result_status status)
{
	st->targets_done++;
	switch (status) {
	case RES_OK:
		st->ok++;
		break;
	case RES_TIMEOUT:
		st->timeout++;
		break;
	case RES_ERROR:
		st->error++;
		break;
	case RES_DEADLINE:
		st->deadline++;
		break;
	}
}

/* A request sent, a retransmission, a response after rtt ns, a change
 * of the window by (int64_t)rtt, or rtt datagrams dropped by the kernel:
 * counted with the records of the batch now pending. */
void
writer_count_event(struct writer *w, enum count_event ev, uint64_t rtt)
{
	switch (ev) {
	case COUNT_REQUEST:
		w->pending_stats.requests++;
		break;
	case COUNT_RETRY:
		w->pending_stats.retries++;
		break;
	case COUNT_RESPONSE:
		w->pending_stats.responses++;
		stats_record_rtt(&w->pending_stats, rtt);
		break;
	case COUNT_WINDOW:
		w->pending_stats.window += (int64_t)rtt;
		break;
	case COUNT_DROPS:
		w->pending_stats.kernel_drops += rtt;
		break;
	}
}

/* Has the output failed (so polling should stop)? */
bool
writer_failed(const struct writer *w)
{
	return w->error != 0;
}

/*
 * Format one target's record into the batch; flush when it is large.  On
 * a pipe or terminal a batch stays within PIPE_BUF (so one write(2) is
 * atomic): the records before one that would overflow it go out first.
 */
void
writer_record(struct writer *w, const struct out_format *fmt,
    const struct target *t, const struct result *r)
{
	size_t	before = w->pending.len;

	if (w->pending_since == 0)
		w->pending_since = clock_now_ns();
	if (fmt->rates != NULL)
		rates_record(fmt->rates, t, r);
	fmt->record(fmt, &w->pending, t, r);
	if (!w->is_file && before != 0 && w->pending.len > PIPE_BUF)
		writer_emit(w, before);
	w->pending_idx[w->npending++] = t->index;
	writer_count(&w->pending_stats, r->status);
	if (w->pending.len >= w->flush_bytes ||
	    w->npending == WRITER_MAX_BATCH ||
	    (!w->is_file && w->pending.len > PIPE_BUF))
		writer_flush(w);
}

/* Has the batch waited long enough to be written? */
bool
writer_due(const struct writer *w, uint64_t now)
{
	return w->pending_since != 0 &&
	    now - w->pending_since >= WRITER_FLUSH_NS;
}

#ifdef SNMPFLEET_FAULT_INJECTION
/* The test hook: die at the chosen point once enough records are out. */
static void
writer_fault(struct writer *w, enum writer_fault where)
{
	if (w->fault != where || w->written < w->fault_after)
		return;
	if (where == FAULT_EXIT)
		_exit(70);
	raise(SIGKILL);
}

/* The test hook: write half the batch and die, as when the kernel cuts
 * a write short on SIGKILL. */
static void
writer_fault_tear(struct writer *w, size_t len)
{
	if (w->fault != FAULT_TEAR || w->written < w->fault_after)
		return;
	writer_write_all(w->fd, w->pending.data, len / 2);
	raise(SIGKILL);
}
#else
#define writer_fault(w, where)		do { } while (0)
#define writer_fault_tear(w, len)	do { } while (0)
#endif

/*
 * Cut off a fragment at the end of the file (no final newline): a writer
 * killed inside its write(2) left it, and never counted it.  Under the
 * flock.  Returns the file's size after the repair.
 */
static uint64_t
writer_repair_tail(struct writer *w, uint64_t size)
{
	char		 chunk[4096];
	uint64_t	 pos = size, keep = 0;
	size_t		 n, i;
	ssize_t		 got;

	if (size == 0 || pread(w->rfd, chunk, 1, (off_t)size - 1) != 1 ||
	    chunk[0] == '\n')
		return size;
	while (pos > 0 && keep == 0) {
		n = pos < sizeof chunk ? (size_t)pos : sizeof chunk;
		got = pread(w->rfd, chunk, n, (off_t)(pos - n));
		if (got != (ssize_t)n)
			return size;	/* unreadable (O_APPEND on a FIFO?) */
		for (i = n; i > 0; i--) {
			if (chunk[i - 1] == '\n') {
				keep = pos - n + i;
				break;
			}
		}
		pos -= n;
	}
	if (ftruncate(w->fd, (off_t)keep) != 0)
		return size;
	atomic_fetch_add(&w->shm->repaired, size - keep);
	return keep;
}

/*
 * Write one batch: len bytes of whole records.  On a regular file, the
 * file's tail is repaired first and the batch spans [start, end).  A
 * record larger than PIPE_BUF on a pipe or terminal is flagged while it
 * is written, so a recovery knows it may be torn.  Under the mutex (and
 * the flock for a file).  Returns 0, or -1 with errno set.
 */
static int
writer_put(struct writer *w, struct worker_shared *ws, size_t len)
{
	struct stat	st;
	int		rc;

	if (w->is_file) {
		if (fstat(w->fd, &st) != 0)
			return -1;
		ws->intent_start = writer_repair_tail(w, (uint64_t)st.st_size);
		ws->intent_end = ws->intent_start + len;
	}
	ws->intent_out = false;
	ws->intent_big = !w->is_file && len > PIPE_BUF;
	ws->intent = true;
	writer_fault(w, FAULT_LOCK);
	if (w->shm->progress_shown && w->shm->same_tty) {
		writer_write_all(STDERR_FILENO, "\r\033[K", 4);
		w->shm->progress_shown = false;
	}
	writer_fault_tear(w, len);
	rc = writer_write_all(w->fd, w->pending.data, len);
	ws->intent_out = rc == 0;
	ws->intent_big = false;
	return rc;
}

/* The write failed: cut whatever part of the batch got into the file,
 * and stop the run's output (first error wins). */
static void
writer_fail_batch(struct writer *w, struct worker_shared *ws, int error)
{
	int	none = 0;

	if (w->is_file)
		(void)ftruncate(w->fd, (off_t)ws->intent_start);
	atomic_compare_exchange_strong(&w->shm->out_errno, &none, error);
	w->error = error;
	if (w->failed_cb != NULL)
		w->failed_cb(w->failed_arg);
}

/*
 * Write the first len bytes of the batch (its first npending records)
 * under the shared mutex and flock, and in the same critical section mark
 * their targets done and add the batch's counters to the worker's shared
 * counters.  Whatever was formatted after them stays pending.  After an
 * output failure (here or in any worker) nothing more is written: the
 * batch is dropped, its targets not done, its records not counted.
 */
static int
writer_emit(struct writer *w, size_t len)
{
	struct writer_shared	*s = w->shm;
	struct worker_shared	*ws = &s->workers[w->worker];
	int			 error;

	writer_lock(w);
	writer_slot_used(s, w->worker);	/* before its intent is set */
	ws->intent_seq = (atomic_load(&ws->commit) >> 1) + 1;
	ws->intent_stats = w->pending_stats;
	memcpy(ws->intent_idx, w->pending_idx,
	    w->npending * sizeof *w->pending_idx);
	ws->nintent = (uint32_t)w->npending;
	ws->intent_start = ws->intent_end = 0;
	if ((error = atomic_load(&s->out_errno)) != 0) {
		w->error = error;
		writer_discard(ws);
	} else if (len != 0) {
		if (w->is_file)
			flock(w->fd, LOCK_EX);
		if (writer_put(w, ws, len) != 0) {
			writer_fail_batch(w, ws, errno);
			writer_discard(ws);
		} else {
#ifdef SNMPFLEET_FAULT_INJECTION
			w->written += w->npending;
#endif
			writer_fault(w, FAULT_WRITE);
			writer_commit(w, ws);
		}
		if (w->is_file)
			flock(w->fd, LOCK_UN);
	} else
		writer_commit(w, ws);
	writer_unlock(w);
	writer_fault(w, FAULT_EXIT);
	memset(&w->pending_stats, 0, sizeof w->pending_stats);
	if (w->pending.len > len)	/* a record formatted after them */
		memmove(w->pending.data, w->pending.data + len,
		    w->pending.len - len);
	w->pending.len -= len;
	w->npending = 0;
	w->pending_since = w->pending.len ? clock_now_ns() : 0;
	return w->error ? -1 : 0;
}

/*
 * Write the whole batch.  Returns -1 (errno in w->error) once the output
 * has failed.
 */
int
writer_flush(struct writer *w)
{
	return writer_emit(w, w->pending.len);
}

/* The run's totals so far: every worker's written counts, plus this
 * writer's unflushed ones. */
void
writer_stats(struct writer *w, struct stats *out)
{
	unsigned	i;

	memset(out, 0, sizeof *out);
	writer_lock(w);
	for (i = 0; i < atomic_load(&w->shm->nused); i++)
		stats_merge(out, &w->shm->workers[i].stats[
		    atomic_load(&w->shm->workers[i].commit) & 1]);
	writer_unlock(w);
	stats_merge(out, &w->pending_stats);
}

/*
 * A progress line will be drawn on standard error's terminal (on_tty), or
 * not: do records go to that same terminal?  Then a flush clears the line
 * before it writes, so a record and the line never tear each other.
 */
void
writer_terminal_setup(struct writer *w, bool on_tty)
{
	struct stat	out, err;

	w->shm->same_tty = on_tty && isatty(w->fd) &&
	    fstat(w->fd, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
	    out.st_rdev == err.st_rdev;
}

/* Write a progress line to standard error under the mutex; stays: it is
 * left on the terminal (a flush must clear it first).  Returns 0 or -1. */
int
writer_terminal_line(struct writer *w, const char *line, size_t len,
    bool stays)
{
	int	rc = 0;

	writer_lock(w);
	if (write(STDERR_FILENO, line, len) < 0)
		rc = -1;
	w->shm->progress_shown = stays;
	writer_unlock(w);
	return rc;
}

/* Take the progress line off the terminal, if one is there. */
int
writer_terminal_clear(struct writer *w)
{
	int	rc = 0;

	writer_lock(w);
	if (w->shm->progress_shown &&
	    write(STDERR_FILENO, "\r\033[K", 4) < 0)
		rc = -1;
	w->shm->progress_shown = false;
	writer_unlock(w);
	return rc;
}

void
writer_close(struct writer *w)
{
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	if (w->own_rfd && w->rfd >= 0)
		close(w->rfd);
	if (w->dump_fd >= 0)
		dump_to(NULL, NULL);
	if (w->own_dump_fd && w->dump_fd >= 0)
		close(w->dump_fd);
	w->dump_fd = -1;
	w->own_dump_fd = false;
	w->fd = w->rfd = -1;
	w->own_rfd = false;
	w->own_fd = false;
	buf_free(&w->pending);
	free(w->pending_idx);
	w->pending_idx = NULL;
}
