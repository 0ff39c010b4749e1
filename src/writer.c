/*
 * writer.c — the one shared output.  Records are formatted outside the
 * lock into a local batch of whole records; a flush takes the robust,
 * process-shared mutex (it lives in shared memory so every worker of the
 * pool uses the same one), then flock(2) on the output file (so separate
 * runs appending to one file stay apart), and writes the batch with one
 * write(2).  A worker that died holding the mutex leaves it EOWNERDEAD;
 * the next locker makes it consistent and carries on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmpfleet.h"

#define WRITER_FLUSH_BYTES	(64 * 1024)
#define WRITER_FLUSH_NS		(100 * 1000 * 1000)

/* Map the shared state (before fork) and make its mutex robust and
 * process-shared. */
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
	memset(s, 0, sizeof *s);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&s->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		*cause = xasprintf("pthread_mutex_init: %s", strerror(rc));
		munmap(s, sizeof *s);
		return NULL;
	}
	return s;
}

void
writer_shared_destroy(struct writer_shared *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	munmap(s, sizeof *s);
}

/* Take the shared mutex, recovering it if its holder died. */
static void
writer_lock(struct writer_shared *s)
{
	if (pthread_mutex_lock(&s->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&s->lock);
}

static void
writer_unlock(struct writer_shared *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* write(2) all of p, retrying on EINTR and short writes. */
static int
writer_write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
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

	memset(w, 0, sizeof *w);
	w->shm = shm;
	w->flush_bytes = WRITER_FLUSH_BYTES;
	buf_init(&w->pending);
	if (path == NULL || strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0644);
		if (w->fd < 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
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

/* Format one target's record into the batch; flush when it is large. */
void
writer_record(struct writer *w, const struct out_format *fmt,
    const struct target *t, const struct result *r)
{
	if (w->pending_since == 0)
		w->pending_since = clock_now_ns();
	fmt->record(&w->pending, t, r);
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
	}
	if (w->pending.len >= w->flush_bytes)
		writer_flush(w);
}

/* Has the batch waited long enough to be written? */
bool
writer_due(const struct writer *w, uint64_t now)
{
	return w->pending_since != 0 &&
	    now - w->pending_since >= WRITER_FLUSH_NS;
}

/*
 * Write the batch (whole records only) with one write(2) under the
 * shared mutex and flock, and add its counters to the shared totals in
 * the same critical section, so a record counts as done exactly when it
 * is in the output.  Returns -1 (errno in w->error) if the write failed.
 */
int
writer_flush(struct writer *w)
{
	int	rc = 0;

	writer_lock(w->shm);
	if (w->pending.len != 0 && w->error == 0) {
		if (w->is_file)
			flock(w->fd, LOCK_EX);
		if (writer_write_all(w->fd, w->pending.data,
		    w->pending.len) != 0) {
			w->error = errno;
			rc = -1;
		}
		if (w->is_file)
			flock(w->fd, LOCK_UN);
	}
	stats_merge(&w->shm->stats, &w->pending_stats);
	writer_unlock(w->shm);
	memset(&w->pending_stats, 0, sizeof w->pending_stats);
	w->pending.len = 0;
	w->pending_since = 0;
	return w->error ? -1 : rc;
}

/* The shared totals so far (this writer's unflushed counts included). */
void
writer_stats(struct writer *w, struct stats *out)
{
	writer_lock(w->shm);
	*out = w->shm->stats;
	writer_unlock(w->shm);
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
}
