/*
 * out.c — the format table, and the format object a run opens: its
 * state, and where its records go (the output, or a staging file for
 * formats that finish after polling).  What the formats show alike is
 * out-field.c's, so that formats never call back into this file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"

/* The record formats, indexed by enum format_id: the one list of their
 * names (--format reads it through out_find_name). */
static const struct out_format *const out_formats[] = {
	[FMT_TEXT] = &out_text,
	[FMT_JSONL] = &out_jsonl,
	[FMT_CSV] = &out_csv,
	[FMT_INFLUX] = &out_influx,
	[FMT_PROM] = &out_prom,
};
#define OUT_NFORMATS	(sizeof out_formats / sizeof out_formats[0])

/* The template of format f (text for a value out of range). */
static const struct out_format *
out_template(enum format_id f)
{
	if ((size_t)f >= OUT_NFORMATS)
		return &out_text;
	return out_formats[f];
}

/* The name of format f. */
const char *
out_name(enum format_id f)
{
	return out_template(f)->name;
}

/* The format called name into *f: 0, or -1 if there is none. */
int
out_find_name(const char *name, enum format_id *f)
{
	size_t	i;

	for (i = 0; i < OUT_NFORMATS; i++) {
		if (strcmp(out_formats[i]->name, name) == 0) {
			*f = (enum format_id)i;
			return 0;
		}
	}
	return -1;
}

/* The formats' names as a message lists them: "text, jsonl, ... or prom". */
void
out_names(struct buf *b)
{
	size_t	i;

	for (i = 0; i < OUT_NFORMATS; i++) {
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == OUT_NFORMATS ?
		    " or " : ", ", out_formats[i]->name);
	}
}

/* Formats that finish (prom) write records to a file of their own first:
 * next to the output, or in TMPDIR for standard output. */
static char *
out_stage_path(const char *output)
{
	const char	*tmpdir = getenv("TMPDIR");

	if (output == NULL || strcmp(output, "-") == 0)
		return xasprintf("%s/snmpfleet-records.%ld",
		    tmpdir ? tmpdir : "/tmp", (long)getpid());
	return xasprintf("%s.records.%ld", output, (long)getpid());
}

/*
 * Open format f for one run writing to output (NULL or "-": standard
 * output): NULL with a cause if the format cannot show the plan.  Run
 * before the fork; out_close() it in the process that opened it.
 */
struct out_format *
out_open(enum format_id f, const struct fetch_plan *plan, const char *output,
    char **cause)
{
	struct out_format	*fmt;

	fmt = xmalloc(sizeof *fmt);
	*fmt = *out_template(f);
	fmt->state = NULL;
	fmt->rates = NULL;
	fmt->output = output != NULL ? xstrdup(output) : NULL;
	fmt->records = NULL;
	if (fmt->open != NULL && fmt->open(fmt, plan, cause) != 0) {
		out_close(fmt);
		return NULL;
	}
	if (fmt->finish != NULL) {
		fmt->records = out_stage_path(output);
		unlink(fmt->records);
	} else if (output != NULL)
		fmt->records = xstrdup(output);
	return fmt;
}

/* Does the format stage its records and finish them after the run? */
bool
out_stages(const struct out_format *fmt)
{
	return fmt->finish != NULL;
}

/* Where the writer puts records: NULL is standard output. */
const char *
out_records_path(const struct out_format *fmt)
{
	return fmt->records;
}

/*
 * After polling: a format that stages turns its records into the output,
 * unless the run was interrupted (the last complete output stays), and
 * the staging file goes.  Others have nothing to do.
 */
int
out_finish(const struct out_format *fmt, const struct report *rep,
    char **cause)
{
	int	rc = 0;

	if (fmt->finish == NULL)
		return 0;
	if (rep->signo == 0)
		rc = fmt->finish(fmt, fmt->records, fmt->output, rep, cause);
	unlink(fmt->records);
	return rc;
}

void
out_close(struct out_format *fmt)
{
	if (fmt == NULL)
		return;
	if (fmt->close != NULL)
		fmt->close(fmt);
	free(fmt->output);
	free(fmt->records);
	free(fmt);
}
