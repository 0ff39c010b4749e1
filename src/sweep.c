/*
 * sweep.c — load-testing concurrency settings: the levels to try, the
 * table of what each level gave (throughput, latency percentiles,
 * timeouts, CPU), the best level, and the same as CSV and as a
 * self-contained SVG chart (throughput and p95 against level, log x).
 * --sweep auto chooses its levels as it goes: geometric steps while
 * throughput grows and the level stays within the tolerances, then
 * halving the gap between the best level and the next one tried.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* "1,4,16,64" -> levels (positive, increasing).  rate: fractions ok. */
int
sweep_parse_levels(const char *text, double **out, size_t *n, char **cause)
{
	char	*copy = xstrdup(text), *w, *save = NULL, *end;
	double	 v, *levels = NULL;
	size_t	 count = 0;

	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtod(w, &end);
		if (*w == '\0' || *end != '\0' || errno != 0 || !(v >= 1) ||
		    v > 1e9 || (count > 0 && v <= levels[count - 1])) {
			*cause = xasprintf("bad level '%s' in '%s' (positive "
			    "numbers, increasing, comma-separated)", w, text);
			free(copy);
			free(levels);
			return -1;
		}
		levels = xreallocarray(levels, count + 1, sizeof *levels);
		levels[count++] = v;
	}
	free(copy);
	if (count == 0) {
		*cause = xasprintf("no levels in '%s'", text);
		return -1;
	}
	*out = levels;
	*n = count;
	return 0;
}

/* One level's figures from its run. */
void
sweep_row_fill(struct sweep_row *row, double level, const struct report *r,
    double cpu_s)
{
	const struct stats	*st = &r->st;

	memset(row, 0, sizeof *row);
	row->level = level;
	row->targets = r->targets;
	row->ok = st->ok;
	row->timeout = st->timeout;
	row->error = st->error + st->deadline;
	row->retries = st->retries;
	row->wall = r->wall;
	row->tps = r->wall > 0 ? (double)st->targets_done / r->wall : 0;
	row->rps = r->wall > 0 ? (double)st->requests / r->wall : 0;
	row->p50 = stats_percentile(st, 50);
	row->p95 = stats_percentile(st, 95);
	row->p99 = stats_percentile(st, 99);
	row->timeout_pct = r->targets ? 100.0 * (double)st->timeout /
	    (double)r->targets : 0;
	row->cpu_pct = r->wall > 0 ? 100.0 * cpu_s / r->wall : 0;
}

/* Does rows[i] keep within the tolerances (sweep_best's)? */
static bool
sweep_within(const struct sweep_row *rows, size_t i)
{
	double	base = rows[0].p95 > 1.0 ? rows[0].p95 : 1.0;

	return rows[i].timeout_pct <= rows[0].timeout_pct + 0.1 &&
	    rows[i].p95 <= 2 * base;
}

/*
 * The best level: the highest throughput among levels whose timeouts
 * stay within 0.1% of the targets above the first level's (devices that
 * never answer time out at every level) and whose p95 stays within
 * twice the first level's.  Below 1 ms a doubling is noise, not load
 * (loopback answers in microseconds), so the base is at least 1 ms.
 * Returns its index, or SIZE_MAX if none.
 */
size_t
sweep_best(const struct sweep_row *rows, size_t n)
{
	size_t	i, best = SIZE_MAX;

	for (i = 0; i < n; i++) {
		if (!sweep_within(rows, i))
			continue;
		if (best == SIZE_MAX || rows[i].tps > rows[best].tps)
			best = i;
	}
	return best;
}

/* Is level v among rows[0..n)? */
static bool
sweep_tried(const struct sweep_row *rows, size_t n, double v)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rows[i].level == v)
			return true;
	}
	return false;
}

/*
 * --sweep auto: the level to try after rows[0..n) (sorted by level, the
 * last run's at index last), or 0 when the knee is found.  First
 * SWEEP_AUTO_STEP times the highest level, from SWEEP_AUTO_FIRST, while
 * that level was the best yet, kept within the tolerances and gained
 * SWEEP_AUTO_GAIN over the one below (and max is not passed); then the
 * geometric middle between the best level and the next higher one tried,
 * until they are within SWEEP_AUTO_CLOSE of each other.
 */
double
sweep_auto_next(const struct sweep_row *rows, size_t n, double max)
{
	size_t	best, top = n - 1;
	double	next, hi;

	if (n == 0)
		return SWEEP_AUTO_FIRST < max ? SWEEP_AUTO_FIRST : max;
	best = sweep_best(rows, n);
	if (best == top && rows[top].level < max && (n == 1 ||
	    rows[top].tps >= rows[top - 1].tps * SWEEP_AUTO_GAIN)) {
		next = rows[top].level * SWEEP_AUTO_STEP;
		return next < max ? next : max;
	}
	if (best == SIZE_MAX || best == top)
		return 0;
	hi = rows[best + 1].level;
	next = floor(sqrt(rows[best].level * hi) + 0.5);
	if (hi < rows[best].level * SWEEP_AUTO_CLOSE ||
	    sweep_tried(rows, n, next))
		return 0;
	return next;
}

/* Put row into rows[0..n) (n + 1 places), in order of level. */
void
sweep_insert(struct sweep_row *rows, size_t n, const struct sweep_row *row)
{
	size_t	i = n;

	while (i > 0 && rows[i - 1].level > row->level) {
		rows[i] = rows[i - 1];
		i--;
	}
	rows[i] = *row;
}

/* Why the best level is recommended, for --sweep auto. */
void
sweep_advice(struct buf *b, const struct sweep_row *rows, size_t n,
    size_t best)
{
	size_t	i;

	if (best == SIZE_MAX) {
		buf_adds(b, "recommended: none (no level kept within the "
		    "tolerances); try -j auto\n");
		return;
	}
	buf_printf(b, "recommended: -j fixed:%g (or -j %g: adaptive, with it "
	    "as the ceiling): %.0f targets/s, p95 %.3f ms, %.2f%% timeouts",
	    rows[best].level, rows[best].level, rows[best].tps,
	    rows[best].p95, rows[best].timeout_pct);
	for (i = best + 1; i < n; i++) {
		if (sweep_within(rows, i))
			continue;
		buf_printf(b, "; at %g: %.0f targets/s, p95 %.3f ms, %.2f%% "
		    "timeouts (past the tolerances)", rows[i].level,
		    rows[i].tps, rows[i].p95, rows[i].timeout_pct);
		break;
	}
	if (i == n && best + 1 < n)
		buf_printf(b, "; %g gained no more (%.0f targets/s)",
		    rows[best + 1].level, rows[best + 1].tps);
	buf_addc(b, '\n');
}

void
sweep_table(struct buf *b, const struct sweep_row *rows, size_t n,
    const char *what, size_t best)
{
	size_t	i;

	buf_printf(b, "%12s %9s %10s %10s %9s %9s %9s %9s %8s %6s\n", what,
	    "targets", "targets/s", "req/s", "p50 ms", "p95 ms", "p99 ms",
	    "timeout%", "retries", "cpu%");
	for (i = 0; i < n; i++)
		buf_printf(b, "%12g %9llu %10.0f %10.0f %9.3f %9.3f %9.3f "
		    "%9.3f %8llu %6.0f%s\n", rows[i].level,
		    (unsigned long long)rows[i].targets, rows[i].tps,
		    rows[i].rps, rows[i].p50, rows[i].p95, rows[i].p99,
		    rows[i].timeout_pct, (unsigned long long)rows[i].retries,
		    rows[i].cpu_pct, i == best ? "  <- best" : "");
	if (best == SIZE_MAX)
		buf_adds(b, "best: none (every level had 0.1% more timeouts "
		    "than the first, or twice its p95)\n");
	else
		buf_printf(b, "best: %s %g (%.0f targets/s; timeouts within "
		    "0.1%% and p95 within twice those of the first level)\n",
		    what, rows[best].level, rows[best].tps);
}

int
sweep_csv(const char *path, const struct sweep_row *rows, size_t n,
    const char *what, char **cause)
{
	struct buf	b;
	size_t		i;
	int		rc;

	buf_init(&b);
	buf_printf(&b, "%s,targets,ok,timeout,error,wall_s,targets_per_s,"
	    "requests_per_s,p50_ms,p95_ms,p99_ms,timeout_pct,retries,"
	    "cpu_pct\n", what);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%g,%llu,%llu,%llu,%llu,%.3f,%.1f,%.1f,%.3f,"
		    "%.3f,%.3f,%.3f,%llu,%.1f\n", rows[i].level,
		    (unsigned long long)rows[i].targets,
		    (unsigned long long)rows[i].ok,
		    (unsigned long long)rows[i].timeout,
		    (unsigned long long)rows[i].error, rows[i].wall,
		    rows[i].tps, rows[i].rps, rows[i].p50, rows[i].p95,
		    rows[i].p99, rows[i].timeout_pct,
		    (unsigned long long)rows[i].retries, rows[i].cpu_pct);
	rc = report_replace_file(path, b.data, b.len, cause);
	buf_free(&b);
	return rc;
}

/* A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten. */
static double
sweep_nice(double v)
{
	double	p;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

#define SVG_W	860.0
#define SVG_H	480.0
#define SVG_L	90.0	/* plot area margins */
#define SVG_R	90.0
#define SVG_T	50.0
#define SVG_B	70.0

static double
sweep_x(double level, double lo, double hi)
{
	double	span = log10(hi) - log10(lo);

	if (span <= 0)
		return SVG_L + (SVG_W - SVG_L - SVG_R) / 2;
	return SVG_L + (log10(level) - log10(lo)) / span *
	    (SVG_W - SVG_L - SVG_R);
}

static double
sweep_y(double v, double top)
{
	return SVG_H - SVG_B - v / top * (SVG_H - SVG_T - SVG_B);
}

static void
sweep_series(struct buf *b, const struct sweep_row *rows, size_t n,
    bool p95, double top, const char *color)
{
	size_t	i;
	double	x, y;

	buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\" points=\"", color);
	for (i = 0; i < n; i++) {
		x = sweep_x(rows[i].level, rows[0].level, rows[n - 1].level);
		y = sweep_y(p95 ? rows[i].p95 : rows[i].tps, top);
		buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	buf_adds(b, "\"/>\n");
	for (i = 0; i < n; i++) {
		x = sweep_x(rows[i].level, rows[0].level, rows[n - 1].level);
		y = sweep_y(p95 ? rows[i].p95 : rows[i].tps, top);
		buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
		    "fill=\"%s\"><title>%g: %.3f %s</title></circle>\n", x, y,
		    color, rows[i].level, p95 ? rows[i].p95 : rows[i].tps,
		    p95 ? "ms p95" : "targets/s");
	}
}

/* The chart, standalone SVG 1.1 (opens in any browser). */
int
sweep_svg(const char *path, const struct sweep_row *rows, size_t n,
    const char *what, size_t best, char **cause)
{
	struct buf	b;
	double		tmax = 0, pmax = 0, x, y, v;
	size_t		i;
	int		k, rc;

	for (i = 0; i < n; i++) {
		tmax = rows[i].tps > tmax ? rows[i].tps : tmax;
		pmax = rows[i].p95 > pmax ? rows[i].p95 : pmax;
	}
	tmax = sweep_nice(tmax);
	pmax = sweep_nice(pmax);
	buf_init(&b);
	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<title>snmpfleet sweep: throughput and p95 latency by %s"
	    "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%.0f\" y=\"28\" text-anchor=\"middle\" "
	    "font-size=\"16\">snmpfleet sweep: throughput and p95 latency by "
	    "%s</text>\n", SVG_W, SVG_H, SVG_W, SVG_H, what, SVG_W / 2, what);
	/* axes and grid */
	buf_printf(&b, "<g stroke=\"#444\"><line x1=\"%.0f\" y1=\"%.0f\" "
	    "x2=\"%.0f\" y2=\"%.0f\"/><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/></g>\n", SVG_L, SVG_H - SVG_B, SVG_W - SVG_R,
	    SVG_H - SVG_B, SVG_L, SVG_T, SVG_L, SVG_H - SVG_B, SVG_W - SVG_R,
	    SVG_T, SVG_W - SVG_R, SVG_H - SVG_B);
	for (k = 0; k <= 5; k++) {
		y = sweep_y(tmax * k / 5, tmax);
		buf_printf(&b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" "
		    "y2=\"%.1f\" stroke=\"#ddd\"/>\n<text x=\"%.0f\" "
		    "y=\"%.1f\" text-anchor=\"end\" fill=\"#1f77b4\">%g</text>\n"
		    "<text x=\"%.0f\" y=\"%.1f\" fill=\"#d62728\">%g</text>\n",
		    SVG_L, y, SVG_W - SVG_R, y, SVG_L - 6, y + 4, tmax * k / 5,
		    SVG_W - SVG_R + 6, y + 4, pmax * k / 5);
	}
	for (i = 0; i < n; i++) {
		x = sweep_x(rows[i].level, rows[0].level, rows[n - 1].level);
		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" "
		    "y2=\"%.0f\" stroke=\"#444\"/>\n<text x=\"%.1f\" y=\"%.0f\" "
		    "text-anchor=\"middle\">%g</text>\n", x, SVG_H - SVG_B, x,
		    SVG_H - SVG_B + 5, x, SVG_H - SVG_B + 20, rows[i].level);
	}
	buf_printf(&b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">"
	    "%s (log scale)</text>\n", SVG_L + (SVG_W - SVG_L - SVG_R) / 2,
	    SVG_H - SVG_B + 45, what);
	buf_printf(&b, "<text transform=\"translate(22 %.0f) rotate(-90)\" "
	    "text-anchor=\"middle\" fill=\"#1f77b4\">throughput (targets/s)"
	    "</text>\n<text transform=\"translate(%.0f %.0f) rotate(90)\" "
	    "text-anchor=\"middle\" fill=\"#d62728\">p95 latency (ms)"
	    "</text>\n", SVG_T + (SVG_H - SVG_T - SVG_B) / 2, SVG_W - 22,
	    SVG_T + (SVG_H - SVG_T - SVG_B) / 2);
	if (best != SIZE_MAX) {
		x = sweep_x(rows[best].level, rows[0].level, rows[n - 1].level);
		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" "
		    "y2=\"%.0f\" stroke=\"#2ca02c\" stroke-dasharray=\"4 4\"/>\n"
		    "<text x=\"%.1f\" y=\"%.0f\" fill=\"#2ca02c\" "
		    "text-anchor=\"middle\">best: %g</text>\n", x, SVG_T, x,
		    SVG_H - SVG_B, x, SVG_T - 6, rows[best].level);
	}
	sweep_series(&b, rows, n, false, tmax, "#1f77b4");
	sweep_series(&b, rows, n, true, pmax, "#d62728");
	v = SVG_L + 12;
	buf_printf(&b, "<g id=\"legend\"><rect x=\"%.0f\" y=\"%.0f\" "
	    "width=\"12\" height=\"12\" fill=\"#1f77b4\"/><text x=\"%.0f\" "
	    "y=\"%.0f\">throughput (targets/s)</text><rect x=\"%.0f\" "
	    "y=\"%.0f\" width=\"12\" height=\"12\" fill=\"#d62728\"/>"
	    "<text x=\"%.0f\" y=\"%.0f\">p95 latency (ms)</text></g>\n</svg>\n",
	    v, SVG_T + 8, v + 18, SVG_T + 18, v + 200, SVG_T + 8, v + 218,
	    SVG_T + 18);
	rc = report_replace_file(path, b.data, b.len, cause);
	buf_free(&b);
	return rc;
}
