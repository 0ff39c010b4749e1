/*
 * writer.c — the one shared output and the run's shared state.
 *
 * Records are formatted outside the lock into a local batch of whole
 * records; a flush takes the robust, process-shared mutex (in shared
 * memory, so every worker of the pool uses the same one), then flock(2)
 * on the output file (so separate runs appending to one file stay apart),
 * and writes the batch with one write(2).
 *
 * A target counts as done only once its record is written: the batch's
 * target indices are marked in a shared bitmap in the same critical
 * section.  To make that exactly-once even when a worker dies inside the
 * critical section, the batch is first announced as an "intent" (indices,
 * counters, the file size it will leave); the next process to take the
 * mutex sees EOWNERDEAD, checks the file size, and either completes the
 * dead worker's batch (it was written) or drops it (it was not, so those
 * targets are polled again).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

/*
 * Map the shared state for a run of total targets (before any fork): the
 * robust process-shared mutex, the claim counter, per-worker counters and
 * the done bitmap (reserved, not committed: a /8 costs pages only as
 * they are touched).
 */
struct writer_shared *
writer_shared_create(uint64_t total, char **cause)
{
	struct writer_shared	*s;
	pthread_mutexattr_t	 attr;
	size_t			 bytes;
	void			*done;
	int			 rc;

	s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		return NULL;
	}
	memset(s, 0, sizeof *s);
	bytes = (size_t)((total + 63) / 64 * 8);
	done = mmap(NULL, bytes ? bytes : 8, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (done == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		munmap(s, sizeof *s);
		return NULL;
	}
	s->done = done;
	s->done_bytes = bytes ? bytes : 8;
	s->total = total;
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

/* Forget a finished run (counters, claims, the done bitmap): a sweep
 * polls the inventory again from scratch at the next level. */
void
writer_shared_reset(struct writer_shared *s)
{
	memset(s->workers, 0, sizeof s->workers);
	memset((void *)s->done, 0, s->done_bytes);
	atomic_store(&s->claim_next, 0);
	atomic_store(&s->stop, 0);
	atomic_store(&s->sweep, 0);
	atomic_store(&s->deadline, 0);
	s->progress_shown = false;
}

void
writer_shared_destroy(struct writer_shared *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	munmap((void *)s->done, s->done_bytes);
	munmap(s, sizeof *s);
}

bool
writer_is_done(const struct writer_shared *s, uint64_t i)
{
	return (atomic_load(&s->done[i / 64]) >> (i % 64)) & 1;
}

uint64_t
writer_count_done(const struct writer_shared *s)
{
	uint64_t	n = 0, i;

	for (i = 0; i < (s->total + 63) / 64; i++)
		n += (uint64_t)__builtin_popcountll(atomic_load(&s->done[i]));
	return n;
}

/*
 * Complete worker ws's announced batch: mark its targets done and count
 * its records.  Under the lock.  Safe to repeat after its writer died
 * anywhere in here: marking is idempotent, and the counters switch to
 * the new copy with one store, which names the batch it completes.
 */
static void
writer_commit(struct writer_shared *s, struct worker_shared *ws)
{
	uint64_t	commit = atomic_load(&ws->commit), idx;
	unsigned	cur = (unsigned)(commit & 1), next = 1 - cur;
	uint32_t	i;

	for (i = 0; i < ws->nintent; i++) {
		idx = ws->intent_idx[i];
		atomic_fetch_or(&s->done[idx / 64], (uint64_t)1 << (idx % 64));
	}
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

/* The mutex's last holder died: settle any batch it left half done. */
static void
writer_recover(struct writer *w)
{
	struct writer_shared	*s = w->shm;
	struct worker_shared	*ws;
	struct stat		 st;
	unsigned		 i;
	bool			 written;

	for (i = 0; i < POOL_MAX_WORKERS; i++) {
		ws = &s->workers[i];
		if (!ws->intent)
			continue;
		if (atomic_load(&ws->commit) >> 1 == ws->intent_seq) {
			ws->intent = false;	/* it died after its commit */
			continue;
		}
		/* A file's size tells whether the batch got out.  A pipe or
		 * a terminal cannot tell: poll those targets again, so a
		 * record may appear twice but none is lost. */
		written = false;
		if (w->is_file && fstat(w->fd, &st) == 0)
			written = (uint64_t)st.st_size >= ws->intent_end;
		else
			log_msg(LOG_WARNING, "a worker died while writing to a "
			    "pipe or terminal: up to %u records may appear "
			    "twice", ws->nintent);
		if (written)
			writer_commit(s, ws);
		else
			writer_discard(ws);
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

static void
writer_init(struct writer *w, struct writer_shared *shm)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->shm = shm;
	w->flush_bytes = WRITER_FLUSH_BYTES;
	buf_init(&w->pending);
	w->pending_idx = xcalloc(WRITER_MAX_BATCH, sizeof *w->pending_idx);
}

/*
 * Open the output: path NULL or "-" is standard output; anything else is
 * opened for append (created 0644).  This runs before the first packet,
 * so an unwritable output stops the run before it starts.  The format's
 * header (csv) is written only into an empty file.
 */
int
writer_open(struct writer *w, struct writer_shared *shm, const char *path,
    const struct out_format *fmt, char **cause)
{
	struct buf	hdr;
	struct stat	st;
	int		rc = 0;

	writer_init(w, shm);
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
	if (fmt->header == NULL)
		return 0;
	buf_init(&hdr);
	fmt->header(&hdr);
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

/* A worker's writer on the output that parent opened (inherited fd). */
void
writer_attach(struct writer *w, const struct writer *parent, unsigned worker)
{
	writer_init(w, parent->shm);
	w->fd = parent->fd;
	w->is_file = parent->is_file;
	w->worker = worker;
}

/* Format one target's record into the batch; flush when it is large. */
void
writer_record(struct writer *w, const struct out_format *fmt,
    const struct target *t, const struct result *r)
{
	if (w->pending_since == 0)
		w->pending_since = clock_now_ns();
	fmt->record(&w->pending, t, r);
	w->pending_idx[w->npending++] = t->index;
	w->pending_stats.targets_done++;
	switch (r->status) {
	case RES_OK:
		w->pending_stats.ok++;
		break;
	case RES_TIMEOUT:
		w->pending_stats.timeout++;
		break;
	case RES_ERROR:
		w->pending_stats.error++;
		break;
	case RES_DEADLINE:
		w->pending_stats.deadline++;
		break;
	}
	if (w->pending.len >= w->flush_bytes ||
	    w->npending == WRITER_MAX_BATCH)
		writer_flush(w);
}

/* Has the batch waited long enough to be written? */
bool
writer_due(const struct writer *w, uint64_t now)
{
	return w->pending_since != 0 &&
	    now - w->pending_since >= WRITER_FLUSH_NS;
}

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

/*
 * Write the batch (whole records only) with one write(2) under the
 * shared mutex and flock, and in the same critical section mark its
 * targets done and add its counters to the worker's shared counters.
 * Returns -1 (errno in w->error) if the write failed.
 */
int
writer_flush(struct writer *w)
{
	struct writer_shared	*s = w->shm;
	struct worker_shared	*ws = &s->workers[w->worker];
	struct stat		 st;
	int			 rc = 0;

	writer_lock(w);
	ws->intent_seq = (atomic_load(&ws->commit) >> 1) + 1;
	ws->intent_stats = w->pending_stats;
	memcpy(ws->intent_idx, w->pending_idx,
	    w->npending * sizeof *w->pending_idx);
	ws->nintent = (uint32_t)w->npending;
	ws->intent_end = 0;
	if (w->pending.len != 0 && w->error == 0) {
		if (w->is_file) {
			flock(w->fd, LOCK_EX);
			if (fstat(w->fd, &st) == 0)
				ws->intent_end = (uint64_t)st.st_size +
				    w->pending.len;
		}
		ws->intent = true;
		writer_fault(w, FAULT_LOCK);
		if (s->progress_shown && s->same_tty) {
			writer_write_all(STDERR_FILENO, "\r\033[K", 4);
			s->progress_shown = false;
		}
		if (writer_write_all(w->fd, w->pending.data,
		    w->pending.len) != 0) {
			w->error = errno;
			rc = -1;
		}
		w->written += w->npending;
		writer_fault(w, FAULT_WRITE);
		if (w->is_file)
			flock(w->fd, LOCK_UN);
	}
	writer_commit(s, ws);
	writer_unlock(w);
	writer_fault(w, FAULT_EXIT);
	memset(&w->pending_stats, 0, sizeof w->pending_stats);
	w->pending.len = 0;
	w->npending = 0;
	w->pending_since = 0;
	return w->error ? -1 : rc;
}

/* The run's totals so far: every worker's written counts, plus this
 * writer's unflushed ones. */
void
writer_stats(struct writer *w, struct stats *out)
{
	unsigned	i;

	memset(out, 0, sizeof *out);
	writer_lock(w);
	for (i = 0; i < POOL_MAX_WORKERS; i++)
		stats_merge(out, &w->shm->workers[i].stats[
		    atomic_load(&w->shm->workers[i].commit) & 1]);
	writer_unlock(w);
	stats_merge(out, &w->pending_stats);
}

void
writer_close(struct writer *w)
{
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->own_fd = false;
	buf_free(&w->pending);
	free(w->pending_idx);
	w->pending_idx = NULL;
}
