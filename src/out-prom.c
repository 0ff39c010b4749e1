/*
 * out-prom.c — Prometheus text format for node_exporter's textfile
 * collector.  Per target: snmpfleet_up, snmpfleet_poll_seconds and every
 * numeric value as snmpfleet_value{oid=,name=} (a gauge); per run:
 * snmpfleet_last_run_timestamp_seconds and friends.  No timestamps.
 *
 * The format wants each metric family's samples together under its HELP
 * and TYPE lines, but records arrive target by target from any worker.
 * So records go to a temporary file first (out_open stages them, as for
 * any format with a finish step), and finish() writes the file
 * again family by family into a second temporary file in the output's
 * directory and renames it into place: a reader never sees a partial
 * file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"

static const struct {
	const char	*name;
	const char	*help;
} prom_families[] = {
	{ "snmpfleet_up", "1 if the target answered every request, else 0." },
	{ "snmpfleet_poll_seconds",
	  "Round trip of the target's last answered request." },
	{ "snmpfleet_value", "Numeric SNMP values, by OID and name." },
};

/* A label value: backslash, double quote and newline escaped. */
static void
out_prom_label(struct buf *b, const char *name, const char *v, size_t n)
{
	size_t	i;

	buf_printf(b, "%s=\"", name);
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' || v[i] == '"')
			buf_addc(b, '\\');
		if (v[i] == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, v[i]);
	}
	buf_addc(b, '"');
}

/* The label name of tag i: "tag_" and its name, made valid. */
static void
out_prom_tag_name(const struct target_params *p, size_t i, struct buf *key)
{
	size_t	k;
	char	c;

	key->len = 0;
	buf_adds(key, "tag_");
	for (k = 0; (c = p->tags[2 * i][k]) != '\0'; k++)
		buf_addc(key, isalnum((unsigned char)c) ? c : '_');
	buf_cstr(key);
}

/* Does an earlier tag than i get the same label name (tag.a-b, tag.a.b)?
 * A label given twice makes the whole file invalid (fuzz-reply). */
static bool
out_prom_tag_taken(const struct target_params *p, size_t i,
    const struct buf *key)
{
	struct buf	other;
	size_t		j;
	bool		taken = false;

	buf_init(&other);
	for (j = 0; j < i && !taken; j++) {
		out_prom_tag_name(p, j, &other);
		taken = other.len == key->len &&
		    memcmp(other.data, key->data, key->len) == 0;
	}
	buf_free(&other);
	return taken;
}

/* {target="h:p",<inventory tags, names made valid>} without the brace;
 * of tags whose names come out the same, the first one. */
static void
out_prom_target(struct buf *b, const struct target *t)
{
	const struct target_params	*p = t->params;
	struct buf			 key;
	size_t				 i;

	buf_addc(b, '{');
	buf_init(&key);
	out_host(t, &key);
	if (t->default_port)
		buf_printf(&key, ":%u", t->port);
	out_prom_label(b, "target", key.data, key.len);
	for (i = 0; i < p->ntags; i++) {
		out_prom_tag_name(p, i, &key);
		if (out_prom_tag_taken(p, i, &key))
			continue;
		buf_addc(b, ',');
		out_prom_label(b, buf_cstr(&key), p->tags[2 * i + 1],
		    strlen(p->tags[2 * i + 1]));
	}
	buf_free(&key);
}

/* The text format spells floats that are not finite NaN, +Inf, -Inf. */
static bool
out_prom_nonfinite(const netsnmp_variable_list *v, struct buf *b)
{
	const char	*nf = value_nonfinite(v);

	if (nf == NULL)
		return false;
	buf_adds(b, nf);
	return true;
}

static void
out_prom_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	const netsnmp_variable_list	*v;
	struct buf			 labels, tmp, name;
	size_t				 i;

	buf_init(&labels);
	buf_init(&tmp);
	buf_init(&name);
	out_prom_target(&labels, t);
	buf_printf(b, "snmpfleet_up%s} %d\n", buf_cstr(&labels),
	    r->status == RES_OK);
	if (r->rtt_ns != 0)
		buf_printf(b, "snmpfleet_poll_seconds%s} %.6f\n",
		    labels.data, (double)r->rtt_ns / 1e9);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			tmp.len = 0;
			if (!value_number(v, &tmp) &&
			    !out_prom_nonfinite(v, &tmp))
				continue;
			buf_add(b, "snmpfleet_value", 15);
			buf_add(b, labels.data, labels.len);
			buf_addc(b, ',');
			name.len = 0;
			oid_format(v->name, v->name_length, &name);
			out_prom_label(b, "oid", name.data, name.len);
			name.len = 0;
			if (names_describe(v->name, v->name_length, &name) ==
			    0) {
				buf_addc(b, ',');
				out_prom_label(b, "name", name.data, name.len);
			}
			buf_adds(b, "} ");
			buf_add(b, tmp.data, tmp.len);
			buf_addc(b, '\n');
		}
	}
	buf_free(&labels);
	buf_free(&tmp);
	buf_free(&name);
}

/* Copy the lines of family fam (its name, then '{' or ' ') from in. */
static int
out_prom_copy(FILE *in, FILE *out, const char *fam)
{
	char	*line = NULL;
	size_t	 cap = 0, n = strlen(fam);

	rewind(in);
	while (getline(&line, &cap, in) != -1) {
		if (strncmp(line, fam, n) == 0 &&
		    (line[n] == '{' || line[n] == ' '))
			fputs(line, out);
	}
	free(line);
	return ferror(in) ? -1 : 0;
}

/*
 * Group the records in tmp by family, add the run's metrics, and put the
 * result at dest (NULL or "-": standard output) in one rename.
 */
static int
out_prom_finish(const struct out_format *fmt, const char *tmp,
    const char *dest, const struct report *rep, char **cause)
{
	FILE		*in, *out;
	char		*staged = NULL;
	size_t		 i;
	int		 fd, rc = 0;
	bool		 to_stdout = dest == NULL || strcmp(dest, "-") == 0;

	if ((in = fopen(tmp, "r")) == NULL) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (to_stdout)
		out = stdout;
	else {
		staged = xasprintf("%s.tmp.%ld", dest, (long)getpid());
		fd = open(staged, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			*cause = xasprintf("%s: %s", staged, strerror(errno));
			fclose(in);
			free(staged);
			return -1;
		}
	}
	for (i = 0; i < sizeof prom_families / sizeof *prom_families; i++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n",
		    prom_families[i].name, prom_families[i].help,
		    prom_families[i].name);
		if (out_prom_copy(in, out, prom_families[i].name) != 0)
			rc = -1;
	}
	/* requests_total counts up through the run: a counter (each run
	 * starts it again at 0, which Prometheus reads as a reset) */
	fprintf(out, "# HELP snmpfleet_last_run_timestamp_seconds When the "
	    "last run started.\n"
	    "# TYPE snmpfleet_last_run_timestamp_seconds gauge\n"
	    "snmpfleet_last_run_timestamp_seconds %.3f\n"
	    "# HELP snmpfleet_run_duration_seconds How long the last run "
	    "took.\n"
	    "# TYPE snmpfleet_run_duration_seconds gauge\n"
	    "snmpfleet_run_duration_seconds %.3f\n"
	    "# HELP snmpfleet_targets Targets of the last run, by status.\n"
	    "# TYPE snmpfleet_targets gauge\n"
	    "snmpfleet_targets{status=\"ok\"} %llu\n"
	    "snmpfleet_targets{status=\"timeout\"} %llu\n"
	    "snmpfleet_targets{status=\"error\"} %llu\n"
	    "snmpfleet_targets{status=\"deadline\"} %llu\n"
	    "snmpfleet_targets{status=\"not_finished\"} %llu\n"
	    "# HELP snmpfleet_requests_total Requests sent in the last run.\n"
	    "# TYPE snmpfleet_requests_total counter\n"
	    "snmpfleet_requests_total %llu\n",
	    (double)rep->start_wall_ns / 1e9, rep->wall,
	    (unsigned long long)rep->st.ok, (unsigned long long)rep->st.timeout,
	    (unsigned long long)rep->st.error,
	    (unsigned long long)rep->st.deadline,
	    (unsigned long long)(rep->targets - rep->st.targets_done),
	    (unsigned long long)rep->st.requests);
	fclose(in);
	if (to_stdout)
		return fflush(stdout) == 0 && rc == 0 ? 0 : -1;
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = -1;
	if (fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(staged, dest) != 0)
		rc = -1;
	if (rc != 0) {
		*cause = xasprintf("%s: %s", dest, strerror(errno));
		unlink(staged);
	}
	free(staged);
	return rc;
}

const struct out_format out_prom = {
	.name = "prom",
	.record = out_prom_record,
	.finish = out_prom_finish,
};
