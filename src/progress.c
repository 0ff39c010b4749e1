/*
 * progress.c — the live progress line.  On a terminal it is redrawn in
 * place a few times a second, through the writer, under its mutex: a
 * worker writing records to the same terminal clears it first (writer.c),
 * so a record and the line never tear each other.  Elsewhere (--progress
 * into a log) it is a plain line every few seconds, without escape codes.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"

#define PROGRESS_PLAIN_NS	(5ull * 1000000000u)

/* Decide whether to draw a line for total targets written through w
 * (want: -1 on a terminal, 0 never, 1 always), and tell the writer
 * whether records share its terminal. */
void
progress_setup(struct progress *pr, struct writer *w, int want,
    uint64_t total)
{
	bool	tty = isatty(STDERR_FILENO);

	memset(pr, 0, sizeof *pr);
	pr->w = w;
	pr->total = total;
	pr->on = want > 0 || (want < 0 && tty);
	pr->tty = tty;
	writer_terminal_setup(w, pr->on && tty);
}

bool
progress_on(const struct progress *pr)
{
	return pr->on;
}

/* The run started at now (monotonic ns): rate and ETA count from it. */
void
progress_start(struct progress *pr, uint64_t now)
{
	pr->start_ns = now;
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

/* Draw the line from the writer's shared counts; with final, take it off
 * the terminal (the summary follows).  A failed write turns it off. */
void
progress_draw(struct progress *pr, bool final)
{
	struct stats	st;
	struct buf	b;
	uint64_t	now = clock_now_ns(), total = pr->total;
	double		elapsed = (double)(now - pr->start_ns) / 1e9, rate;

	if (!pr->on)
		return;
	if (final) {
		if (writer_terminal_clear(pr->w) != 0)
			pr->on = false;
		return;
	}
	if (!pr->tty && now - pr->last_plain_ns < PROGRESS_PLAIN_NS)
		return;
	pr->last_plain_ns = now;
	writer_stats(pr->w, &st);
	rate = elapsed > 0 ? (double)st.targets_done / elapsed : 0;
	buf_init(&b);
	if (pr->tty)
		buf_adds(&b, "\r\033[K");
	buf_printf(&b, "snmpfleet: %llu/%llu targets (%.0f%%)  %.0f/s  ok %llu"
	    "  timeout %llu  error %llu  ",
	    (unsigned long long)st.targets_done, (unsigned long long)total,
	    total ? 100.0 * (double)st.targets_done / (double)total : 100.0,
	    rate, (unsigned long long)st.ok, (unsigned long long)st.timeout,
	    (unsigned long long)st.error);
	if (st.window > 0)	/* once a worker has told its window */
		buf_printf(&b, "window %lld  ", (long long)st.window);
	progress_clock(&b, elapsed);
	if (rate > 0 && st.targets_done < total) {
		buf_adds(&b, "  ETA ");
		progress_clock(&b, (double)(total - st.targets_done) / rate);
	}
	if (!pr->tty)
		buf_addc(&b, '\n');
	if (writer_terminal_line(pr->w, b.data, b.len, pr->tty) != 0)
		pr->on = false;
	buf_free(&b);
}
