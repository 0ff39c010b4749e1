/*
 * progress.c — the live progress line.  On a terminal it is redrawn in
 * place a few times a second, under the writer's mutex: a worker writing
 * records to the same terminal clears it first (writer.c), so a record
 * and the line never tear each other.  Elsewhere (--progress into a log)
 * it is a plain line every few seconds, without escape codes.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmpfleet.h"

#define PROGRESS_PLAIN_NS	(5ull * 1000000000u)

/* Decide whether to draw, and whether records share the terminal. */
void
progress_setup(struct pool *p, int want)
{
	struct stat	out, err;
	bool		tty = isatty(STDERR_FILENO);

	p->progress = want > 0 || (want < 0 && tty);
	p->progress_tty = tty;
	p->shm->same_tty = p->progress && tty && isatty(p->out->fd) &&
	    fstat(p->out->fd, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
	    out.st_rdev == err.st_rdev;
}

static void
progress_clock(struct buf *b, double s)
{
	unsigned long	t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		buf_printf(b, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		buf_printf(b, "%lu:%02lu", t / 60, t % 60);
}

/* Draw the line from the shared counters; with final, take it off the
 * terminal (the summary follows). */
void
progress_draw(struct pool *p, bool final)
{
	struct stats	st;
	struct buf	b;
	uint64_t	now = clock_now_ns(), total = p->targets;
	double		elapsed = (double)(now - p->start_ns) / 1e9, rate;

	if (final) {
		writer_lock(p->out);
		if (p->shm->progress_shown &&
		    write(STDERR_FILENO, "\r\033[K", 4) < 0)
			p->progress = false;
		p->shm->progress_shown = false;
		writer_unlock(p->out);
		return;
	}
	if (!p->progress_tty && now - p->last_plain_ns < PROGRESS_PLAIN_NS)
		return;
	p->last_plain_ns = now;
	writer_stats(p->out, &st);
	rate = elapsed > 0 ? (double)st.targets_done / elapsed : 0;
	buf_init(&b);
	if (p->progress_tty)
		buf_adds(&b, "\r\033[K");
	buf_printf(&b, "snmpfleet: %llu/%llu targets (%.0f%%)  %.0f/s  ok %llu"
	    "  timeout %llu  error %llu  ",
	    (unsigned long long)st.targets_done, (unsigned long long)total,
	    total ? 100.0 * (double)st.targets_done / (double)total : 100.0,
	    rate, (unsigned long long)st.ok, (unsigned long long)st.timeout,
	    (unsigned long long)st.error);
	progress_clock(&b, elapsed);
	if (rate > 0 && st.targets_done < total) {
		buf_adds(&b, "  ETA ");
		progress_clock(&b, (double)(total - st.targets_done) / rate);
	}
	if (!p->progress_tty)
		buf_addc(&b, '\n');
	writer_lock(p->out);
	if (write(STDERR_FILENO, b.data, b.len) < 0)
		p->progress = false;
	p->shm->progress_shown = p->progress_tty;
	writer_unlock(p->out);
	buf_free(&b);
}
