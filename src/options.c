/*
 * options.c — the one option table.  Every option lives here once: the
 * command line (main.c builds getopt_long's tables from it), the config
 * file (same names as the long options), --echo-config and --help all
 * read this table, and a test checks that the man pages and the sample
 * config list the same names.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "snmpfleet.h"

static int	opt_set_uint(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_seconds(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_rate(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_string(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_list(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_flag(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_version(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_format(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_progress(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_noprogress(struct config *,
		    const struct option_def *, const char *, char **);
static void	opt_echo_progress(const struct config *,
		    const struct option_def *, struct buf *);
static int	opt_set_none(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_size(struct config *, const struct option_def *,
		    const char *, char **);
static void	opt_echo_u64(const struct config *,
		    const struct option_def *, struct buf *);

static void	opt_echo_uint(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_double(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_string(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_list(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_flag(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_version(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_format(const struct config *,
		    const struct option_def *, struct buf *);

#define F(field) offsetof(struct config, field)

/* Sorted by long name.  Defaults are text so that --help, the man page
 * test and options_init all read the same thing. */
const struct option_def options_table[] = {
	{ "auth", 'a', "PROTO", NULL, 0,
	  "SNMPv3 authentication: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512",
	  opt_set_string, F(auth), opt_echo_string },
	{ "auth-pass", 'A', "PASSPHRASE", NULL, OPT_SECRET,
	  "SNMPv3 authentication passphrase (or SNMPFLEET_AUTHPASS)",
	  opt_set_string, F(auth_pass), opt_echo_string },
	{ "community", 'c', "STRING", "public", OPT_SECRET,
	  "v1/v2c community (or SNMPFLEET_COMMUNITY from the environment)",
	  opt_set_string, F(community), opt_echo_string },
	{ "concurrency", 'j', "N", "256", 0,
	  "requests in flight at once",
	  opt_set_uint, F(concurrency), opt_echo_uint },
	{ "config", 0, "FILE", NULL, OPT_CLI_ONLY | OPT_LIST,
	  "read options from FILE (name = value lines)",
	  opt_set_list, F(config_files), NULL },
	{ "context", 'n', "NAME", NULL, 0,
	  "SNMPv3 context name",
	  opt_set_string, F(context), opt_echo_string },
	{ "deadline", 0, "SECONDS", "0", 0,
	  "end the whole run after SECONDS; unfinished targets get status "
	  "deadline (0: none)",
	  opt_set_seconds, F(deadline), opt_echo_double },
	{ "echo-config", 0, NULL, NULL, OPT_CLI_ONLY | OPT_NOARG,
	  "print the effective configuration as a config file and exit",
	  opt_set_flag, F(echo_config), NULL },
	{ "engine-id", 'e', "HEX", NULL, 0,
	  "SNMPv3 engineID of the agents, skipping discovery",
	  opt_set_string, F(engine_id), opt_echo_string },
	{ "format", 'F', "FMT", "text", 0,
	  "record format: text, jsonl, csv, influx or prom",
	  opt_set_format, F(format), opt_echo_format },
	{ "help", 'h', NULL, NULL, OPT_CLI_ONLY | OPT_NOARG,
	  "show this help and exit",
	  opt_set_none, 0, NULL },
	{ "host", 'H', "SPEC", NULL, OPT_LIST,
	  "target: host[:port], [v6addr]:port, CIDR or a-b range",
	  opt_set_list, F(hosts), opt_echo_list },
	{ "inventory", 'i', "FILE", NULL, OPT_LIST,
	  "read targets from FILE, one per line ('-' is stdin)",
	  opt_set_list, F(inventories), opt_echo_list },
	{ "level", 'l', "LEVEL", NULL, 0,
	  "SNMPv3 security level: noAuthNoPriv, authNoPriv or authPriv",
	  opt_set_string, F(level), opt_echo_string },
	{ "lock", 0, "FILE", NULL, 0,
	  "exit 3 at once if another run holds FILE (flock)",
	  opt_set_string, F(lock), opt_echo_string },
	{ "max-oids", 0, "N", "32", 0,
	  "OIDs packed into one GET request",
	  opt_set_uint, F(max_oids), opt_echo_uint },
	{ "max-repetitions", 0, "N", "25", 0,
	  "GETBULK max-repetitions for walks and tables (v2c)",
	  opt_set_uint, F(max_repetitions), opt_echo_uint },
	{ "max-walk-bytes", 0, "N", "268435456", 0,
	  "memory the walked values of one target may take (k, M, G "
	  "suffixes); past it the walk ends with an error",
	  opt_set_size, F(max_walk_bytes), opt_echo_u64 },
	{ "max-walk-values", 0, "N", "1000000", 0,
	  "values the walks of one target may return; past it the walk "
	  "ends with an error",
	  opt_set_uint, F(max_walk_values), opt_echo_uint },
	{ "no-progress", 0, NULL, NULL, OPT_CLI_ONLY | OPT_NOARG,
	  "never show the progress line",
	  opt_set_noprogress, 0, NULL },
	{ "oid", 0, "OID", NULL, OPT_LIST,
	  "an object to GET (also given as arguments after the options)",
	  opt_set_list, F(oids), opt_echo_list },
	{ "output", 'o', "FILE", "-", 0,
	  "append records to FILE ('-' is standard output)",
	  opt_set_string, F(output), opt_echo_string },
	{ "per-target", 0, "N", "1", 0,
	  "requests in flight to one target at once",
	  opt_set_uint, F(per_target), opt_echo_uint },
	{ "port", 0, "N", "161", 0,
	  "UDP port of targets that name none",
	  opt_set_uint, F(port), opt_echo_uint },
	{ "priv", 'x', "PROTO", NULL, 0,
	  "SNMPv3 privacy: DES, AES, AES-192, AES-256",
	  opt_set_string, F(priv), opt_echo_string },
	{ "priv-pass", 'X', "PASSPHRASE", NULL, OPT_SECRET,
	  "SNMPv3 privacy passphrase (or SNMPFLEET_PRIVPASS)",
	  opt_set_string, F(priv_pass), opt_echo_string },
	{ "procs", 'P', "N", "1", 0,
	  "worker processes (0: one per CPU)",
	  opt_set_uint, F(procs), opt_echo_uint },
	{ "profile", 0, "NAME", NULL, OPT_LIST,
	  "poll the OIDs, walks and tables of profile NAME",
	  opt_set_list, F(profiles), opt_echo_list },
	{ "progress", 0, NULL, "auto", OPT_NOARG,
	  "show a live progress line (auto: when stderr is a terminal)",
	  opt_set_progress, F(progress), opt_echo_progress },
	{ "quiet", 'q', NULL, "no", OPT_NOARG,
	  "print no summary, only errors",
	  opt_set_flag, F(quiet), opt_echo_flag },
	{ "rate", 0, "N", "0", 0,
	  "requests per second for the whole run (0: no limit)",
	  opt_set_rate, F(rate), opt_echo_double },
	{ "retries", 'r', "N", "2", 0,
	  "retransmissions of an unanswered request",
	  opt_set_uint, F(retries), opt_echo_uint },
	{ "shard", 0, "K/N", NULL, 0,
	  "poll only shard K of N (a hash of host:port); auto/N takes K from "
	  "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID",
	  opt_set_string, F(shard), opt_echo_string },
	{ "snmp-version", 'v', "1|2c|3", "2c", 0,
	  "SNMP version: 1, 2c or 3",
	  opt_set_version, F(snmp_version), opt_echo_version },
	{ "stats-file", 0, "FILE", NULL, 0,
	  "write a JSON summary of the run to FILE (atomically)",
	  opt_set_string, F(stats_file), opt_echo_string },
	{ "sweep", 0, "LEVELS", NULL, 0,
	  "load test: poll everything once per concurrency level "
	  "(e.g. 1,4,16,64) and compare",
	  opt_set_string, F(sweep), opt_echo_string },
	{ "sweep-csv", 0, "FILE", NULL, 0,
	  "write the sweep's table as CSV",
	  opt_set_string, F(sweep_csv), opt_echo_string },
	{ "sweep-rate", 0, "LEVELS", NULL, 0,
	  "load test over --rate levels instead (requests/s)",
	  opt_set_string, F(sweep_rate), opt_echo_string },
	{ "sweep-svg", 0, "FILE", NULL, 0,
	  "write the sweep as an SVG chart",
	  opt_set_string, F(sweep_svg), opt_echo_string },
	{ "syslog", 0, NULL, "no", OPT_NOARG,
	  "send errors and the summary to syslog too",
	  opt_set_flag, F(syslog), opt_echo_flag },
	{ "table", 'T', "OID", NULL, OPT_LIST,
	  "walk a table and show it as rows (repeatable)",
	  opt_set_list, F(tables), opt_echo_list },
	{ "target-deadline", 0, "SECONDS", "0", 0,
	  "end one target's work after SECONDS (status deadline; 0: none)",
	  opt_set_seconds, F(target_deadline), opt_echo_double },
	{ "timeout", 't', "SECONDS", "1", 0,
	  "seconds to wait for each reply",
	  opt_set_seconds, F(timeout), opt_echo_double },
	{ "user", 'u', "NAME", NULL, 0,
	  "SNMPv3 security name",
	  opt_set_string, F(user), opt_echo_string },
	{ "version", 'V', NULL, NULL, OPT_CLI_ONLY | OPT_NOARG,
	  "print the program's version and exit",
	  opt_set_none, 0, NULL },
	{ "walk", 'w', "OID", NULL, OPT_LIST,
	  "walk a subtree (repeatable)",
	  opt_set_list, F(walks), opt_echo_list },
};
const size_t options_count = sizeof options_table / sizeof options_table[0];

#define FIELD(cfg, o, type) ((type *)(void *)((char *)(cfg) + (o)->offset))

/* The valid range of each numeric option. */
static int
opt_range(const struct option_def *o, double *lo, double *hi)
{
	static const struct { const char *name; double lo, hi; } r[] = {
		{ "concurrency", 1, 65536 },
		{ "max-oids", 1, 1000 },
		{ "max-repetitions", 1, 1000 },
		{ "max-walk-values", 1, 4294967295.0 },
		{ "max-walk-bytes", 1024, 1099511627776.0 },
		{ "per-target", 1, 64 },
		{ "port", 1, 65535 },
		{ "procs", 0, 256 },
		{ "retries", 0, 100 },
		{ "rate", 0, 1e9 },
		{ "timeout", 0.001, 3600 },
		{ "deadline", 0, 1e7 },
		{ "target-deadline", 0, 1e7 },
	};
	size_t	i;

	for (i = 0; i < sizeof r / sizeof r[0]; i++) {
		if (strcmp(r[i].name, o->name) == 0) {
			*lo = r[i].lo;
			*hi = r[i].hi;
			return 0;
		}
	}
	return -1;
}

static int
opt_number(const struct option_def *o, const char *v, double *out,
    char **cause)
{
	char	*end, sb[REDACT_MAX];
	double	 d, lo = 0, hi = 1e18;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d)) {
		*cause = xasprintf("%s: not a number: '%s'", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	opt_range(o, &lo, &hi);
	if (d < lo || d > hi) {
		*cause = xasprintf("%s: %s is out of range (%g to %g)",
		    o->name, redact_text(v, sb, sizeof sb), lo, hi);
		return -1;
	}
	*out = d;
	return 0;
}

static int
opt_set_uint(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	double	d;
	char	sb[REDACT_MAX];

	if (opt_number(o, v, &d, cause) != 0)
		return -1;
	if (d != floor(d)) {
		*cause = xasprintf("%s: not a whole number: '%s'", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	*FIELD(cfg, o, unsigned) = (unsigned)d;
	return 0;
}

/*
 * A byte count: a whole number, optionally followed by k, M or G (KiB,
 * MiB, GiB).  -1 if s is not one or does not fit 64 bits.
 */
int
options_parse_size(const char *s, uint64_t *out)
{
	unsigned long long	 v;
	uint64_t		 mult = 1;
	char			*end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		break;
	case 'M':
		mult = 1024 * 1024;
		break;
	case 'G':
		mult = 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (v > UINT64_MAX / mult)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

static int
opt_set_size(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	double		lo = 0, hi = 1e18;
	uint64_t	n;

	if (options_parse_size(v, &n) != 0) {
		*cause = xasprintf("%s: not a size: '%s' (a number, with k, M "
		    "or G for KiB, MiB or GiB)", o->name, v);
		return -1;
	}
	opt_range(o, &lo, &hi);
	if ((double)n < lo || (double)n > hi) {
		*cause = xasprintf("%s: %s is out of range (%.0f to %.0f)",
		    o->name, v, lo, hi);
		return -1;
	}
	*FIELD(cfg, o, uint64_t) = n;
	return 0;
}

static int
opt_set_seconds(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	return opt_number(o, v, FIELD(cfg, o, double), cause);
}

static int
opt_set_rate(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	return opt_number(o, v, FIELD(cfg, o, double), cause);
}

static int
opt_set_string(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	char	**field = FIELD(cfg, o, char *);

	if (*v == '\0') {
		*cause = xasprintf("%s: empty value", o->name);
		return -1;
	}
	free(*field);
	*field = xstrdup(v);
	return 0;
}

static int
opt_set_list(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	if (*v == '\0') {
		*cause = xasprintf("%s: empty value", o->name);
		return -1;
	}
	strlist_add(FIELD(cfg, o, struct strlist), v);
	return 0;
}

static int
opt_set_flag(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	bool	*field = FIELD(cfg, o, bool);
	char	 sb[REDACT_MAX];

	if (v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		*field = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		*field = false;
	else {
		*cause = xasprintf("%s: expected yes or no, not '%s'",
		    o->name, redact_text(v, sb, sizeof sb));
		return -1;
	}
	return 0;
}

static int
opt_set_version(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	char	sb[REDACT_MAX];

	if (inventory_parse_version(v, FIELD(cfg, o, long)) != 0) {
		*cause = xasprintf("%s: unsupported SNMP version '%s' "
		    "(use 1, 2c or 3)", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	return 0;
}

static const char *const format_names[] = {
	"text", "jsonl", "csv", "influx", "prom"
};

static int
opt_set_format(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	size_t	i;
	char	sb[REDACT_MAX];

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
		if (strcmp(v, format_names[i]) == 0) {
			*FIELD(cfg, o, enum format_id) = (enum format_id)i;
			return 0;
		}
	}
	*cause = xasprintf("%s: unknown format '%s' (text, jsonl, csv, "
	    "influx or prom)", o->name, redact_text(v, sb, sizeof sb));
	return -1;
}

/* --progress (yes), or progress = auto|yes|no in a config file */
static int
opt_set_progress(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	bool	on = false;
	char	sb[REDACT_MAX];

	if (v != NULL && strcmp(v, "auto") == 0) {
		cfg->progress = -1;
		return 0;
	}
	if (v != NULL && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0 &&
	    strcmp(v, "true") != 0 && strcmp(v, "false") != 0 &&
	    strcmp(v, "1") != 0 && strcmp(v, "0") != 0 &&
	    strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
		*cause = xasprintf("%s: expected auto, yes or no, not '%s'",
		    o->name, redact_text(v, sb, sizeof sb));
		return -1;
	}
	on = v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0;
	cfg->progress = on ? 1 : 0;
	return 0;
}

static int
opt_set_noprogress(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	cfg->progress = 0;
	return 0;
}

static void
opt_echo_progress(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name, cfg->progress < 0 ? "auto" :
	    cfg->progress ? "yes" : "no");
}

static int
opt_set_none(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	return 0;
}

/*
 * "name = value" as options_load_file reads it back: the value goes in
 * double quotes when the loader would otherwise change it, i.e. when it
 * starts or ends with white space (trimmed) or with a quote at both ends
 * (one pair stripped).  Found by tests/fuzz/fuzz-config.c.
 */
static void
opt_echo_kv(struct buf *b, const char *name, size_t namelen, const char *v)
{
	size_t	len = strlen(v);
	bool	quote;

	quote = len > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[len - 1]) ||
	    (len >= 2 && v[0] == '"' && v[len - 1] == '"'));
	buf_printf(b, quote ? "%.*s = \"%s\"\n" : "%.*s = %s\n", (int)namelen,
	    name, v);
}

static void
opt_echo_uint(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %u\n", o->name, *FIELD(cfg, o, unsigned));
}

static void
opt_echo_u64(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %llu\n", o->name,
	    (unsigned long long)*FIELD(cfg, o, uint64_t));
}

static void
opt_echo_double(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %g\n", o->name, *FIELD(cfg, o, double));
}

static void
opt_echo_string(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	const char	*v = *FIELD(cfg, o, char *);

	if (o->flags & OPT_SECRET)
		buf_printf(b, "# %s = (secret, not shown)\n", o->name);
	else if (v == NULL)
		buf_printf(b, "# %s = (none)\n", o->name);
	else
		opt_echo_kv(b, o->name, strlen(o->name), v);
}

static void
opt_echo_list(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	const struct strlist	*l = FIELD(cfg, o, struct strlist);
	size_t			 i;

	if (l->n == 0)
		buf_printf(b, "# %s = (none)\n", o->name);
	for (i = 0; i < l->n; i++)
		opt_echo_kv(b, o->name, strlen(o->name), l->v[i]);
}

static void
opt_echo_flag(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name,
	    *FIELD(cfg, o, bool) ? "yes" : "no");
}

static void
opt_echo_version(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	long	v = *FIELD(cfg, o, long);

	buf_printf(b, "%s = %s\n", o->name, v == SNMP_VERSION_1 ? "1" :
	    v == SNMP_VERSION_3 ? "3" : "2c");
}

static void
opt_echo_format(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name,
	    format_names[*FIELD(cfg, o, enum format_id)]);
}

void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

void
strlist_free(struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Profiles every run knows; a [profile NAME] section of the same name in
 * a config file replaces one. */
static const struct {
	const char	*name;
	const char	*oids;
	const char	*walks;
	const char	*tables;
} builtin_profiles[] = {
	{ "system", "sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 "
	  "sysName.0 sysLocation.0", "", "" },
	{ "interfaces", "ifNumber.0", "", "ifTable ifXTable" },
	{ "inventory", "sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 "
	  "sysName.0 sysLocation.0", "", "entPhysicalTable ifTable ifXTable" },
	{ "storage", "hrMemorySize.0", "", "hrStorageTable" },
	{ "lldp", "", "", "lldpRemTable" },
};

static struct profile *
options_profile(struct config *cfg, const char *name, bool create)
{
	struct profile	*p;
	size_t		 i;

	for (i = 0; i < cfg->ndefined; i++) {
		if (strcmp(cfg->defined[i].name, name) == 0)
			return &cfg->defined[i];
	}
	if (!create)
		return NULL;
	cfg->defined = xreallocarray(cfg->defined, cfg->ndefined + 1,
	    sizeof *cfg->defined);
	p = &cfg->defined[cfg->ndefined++];
	memset(p, 0, sizeof *p);
	p->name = xstrdup(name);
	return p;
}

static struct cred_set *
options_creds(struct config *cfg, const char *name)
{
	struct cred_set	*c;
	size_t		 i;

	for (i = 0; i < cfg->ncreds; i++) {
		if (strcmp(cfg->creds[i].name, name) == 0)
			return &cfg->creds[i];
	}
	cfg->creds = xreallocarray(cfg->creds, cfg->ncreds + 1,
	    sizeof *cfg->creds);
	c = &cfg->creds[cfg->ncreds++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	return c;
}

/* A key of a [credentials NAME] section: the inventory's per-target
 * keys (checked when an inventory line uses the set). */
static int
options_cred_key(struct cred_set *c, const char *name, const char *value,
    char **cause)
{
	static const char *const keys[] = {
		"version", "community", "user", "level", "auth", "authpass",
		"priv", "privpass", "context", "engineid", "timeout",
		"retries", "port",
	};
	size_t	i;
	char	sb[REDACT_MAX];

	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (strcmp(keys[i], name) == 0) {
			char	*kv = xasprintf("%s=%s", name, value);

			strlist_add(&c->kv, kv);
			free(kv);
			return 0;
		}
	}
	*cause = xasprintf("'%s' is not a credentials key",
	    redact_text(name, sb, sizeof sb));
	return -1;
}

static void
options_split_add(struct strlist *l, const char *words)
{
	char	*copy = xstrdup(words), *w, *save = NULL;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		strlist_add(l, w);
	free(copy);
}

/* The profile called name: a config file's, else a built-in one. */
static struct profile *
options_find_profile(struct config *cfg, const char *name)
{
	struct profile	*p;
	size_t		 i;

	if ((p = options_profile(cfg, name, false)) != NULL)
		return p;
	for (i = 0; i < sizeof builtin_profiles / sizeof *builtin_profiles;
	    i++) {
		if (strcmp(builtin_profiles[i].name, name) != 0)
			continue;
		p = options_profile(cfg, name, true);
		options_split_add(&p->oids, builtin_profiles[i].oids);
		options_split_add(&p->walks, builtin_profiles[i].walks);
		options_split_add(&p->tables, builtin_profiles[i].tables);
		return p;
	}
	return NULL;
}

static void
options_append(struct strlist *to, const struct strlist *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++)
		strlist_add(to, from->v[i]);
}

/* Fill cfg with every option's default (and the environment's secrets). */
void
options_init(struct config *cfg)
{
	const struct option_def	*o;
	const char		*env;
	char			*cause;
	size_t			 i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->defval == NULL || (o->flags & OPT_LIST))
			continue;
		if (o->set(cfg, o, o->defval, &cause) != 0)
			abort();	/* a bad default is a bug in the table */
	}
	env = getenv("SNMPFLEET_COMMUNITY");
	if (env != NULL && *env != '\0') {
		free(cfg->community);
		cfg->community = xstrdup(env);
	}
	if ((env = getenv("SNMPFLEET_AUTHPASS")) != NULL && *env != '\0')
		cfg->auth_pass = xstrdup(env);
	if ((env = getenv("SNMPFLEET_PRIVPASS")) != NULL && *env != '\0')
		cfg->priv_pass = xstrdup(env);
}

void
options_free(struct config *cfg)
{
	strlist_free(&cfg->inventories);
	strlist_free(&cfg->hosts);
	strlist_free(&cfg->oids);
	strlist_free(&cfg->config_files);
	strlist_free(&cfg->walks);
	strlist_free(&cfg->tables);
	strlist_free(&cfg->profiles);
	for (size_t i = 0; i < cfg->ndefined; i++) {
		free(cfg->defined[i].name);
		strlist_free(&cfg->defined[i].oids);
		strlist_free(&cfg->defined[i].walks);
		strlist_free(&cfg->defined[i].tables);
	}
	free(cfg->defined);
	free(cfg->community);
	free(cfg->output);
	free(cfg->lock);
	free(cfg->stats_file);
	free(cfg->shard);
	free(cfg->sweep);
	free(cfg->sweep_rate);
	free(cfg->sweep_csv);
	free(cfg->sweep_svg);
	free(cfg->user);
	free(cfg->level);
	free(cfg->auth);
	free(cfg->priv);
	free(cfg->context);
	free(cfg->engine_id);
	if (cfg->auth_pass != NULL)
		explicit_bzero(cfg->auth_pass, strlen(cfg->auth_pass));
	if (cfg->priv_pass != NULL)
		explicit_bzero(cfg->priv_pass, strlen(cfg->priv_pass));
	free(cfg->auth_pass);
	free(cfg->priv_pass);
	for (size_t i = 0; i < cfg->ncreds; i++) {
		free(cfg->creds[i].name);
		strlist_free(&cfg->creds[i].kv);
	}
	free(cfg->creds);
	strlist_free(&cfg->secret_files);
	memset(cfg, 0, sizeof *cfg);
}

const struct option_def *
options_find(const char *name)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (strcmp(options_table[i].name, name) == 0)
			return &options_table[i];
	}
	return NULL;
}

const struct option_def *
options_find_short(int c)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (options_table[i].short_name == c)
			return &options_table[i];
	}
	return NULL;
}

/* Set option o from text v (NULL for a flag given with no value). */
int
options_set(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	if (v == NULL && !(o->flags & OPT_NOARG)) {
		*cause = xasprintf("%s: needs a value", o->name);
		return -1;
	}
	return o->set(cfg, o, v, cause);
}

static char *
options_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Read a config file of "name = value" lines ('#' starts a comment line;
 * a value may be wrapped in double quotes).  On error *cause is
 * "FILE:LINE: reason" and nothing after the bad line is applied.
 */
int
options_load_file(struct config *cfg, const char *path, char **cause)
{
	const struct option_def	*o;
	FILE			*f;
	struct stat		 st;
	struct profile		*section = NULL;
	struct cred_set		*creds = NULL;
	bool			 secrets = false;
	char			*line = NULL, *s, *eq, *name, *value, *why;
	char			 sb[REDACT_MAX];
	size_t			 cap = 0, vlen;
	ssize_t			 n;
	unsigned		 lineno = 0;
	int			 rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* a directory opens, then reads as nothing: an empty config */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: %s", path, strerror(EISDIR));
		fclose(f);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		/* a NUL would end the line early: the rest would be lost */
		if (memchr(line, '\0', (size_t)n) != NULL) {
			*cause = xasprintf("%s:%u: NUL byte in the line", path,
			    lineno);
			rc = -1;
			break;
		}
		s = options_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			section = NULL;
			creds = NULL;
			if (s[strlen(s) - 1] == ']' &&
			    strncmp(s, "[profile ", 9) == 0 && strlen(s) > 10) {
				s[strlen(s) - 1] = '\0';
				section = options_profile(cfg,
				    options_trim(s + 9), true);
				continue;
			}
			if (s[strlen(s) - 1] == ']' &&
			    strncmp(s, "[credentials ", 13) == 0 &&
			    strlen(s) > 14) {
				s[strlen(s) - 1] = '\0';
				creds = options_creds(cfg, options_trim(s + 13));
				continue;
			}
			*cause = xasprintf("%s:%u: expected '[profile NAME]' "
			    "or '[credentials NAME]'", path, lineno);
			rc = -1;
			break;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			*cause = xasprintf("%s:%u: expected 'name = value'",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = options_trim(s);
		value = options_trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		if (creds != NULL) {
			if (options_cred_key(creds, name, value, &why) != 0) {
				*cause = xasprintf("%s:%u: %s", path, lineno,
				    why);
				free(why);
				rc = -1;
				break;
			}
			secrets |= redact_is_secret_key(name);
			continue;
		}
		if (section != NULL) {
			if (strcmp(name, "oid") == 0)
				strlist_add(&section->oids, value);
			else if (strcmp(name, "walk") == 0)
				strlist_add(&section->walks, value);
			else if (strcmp(name, "table") == 0)
				strlist_add(&section->tables, value);
			else {
				*cause = xasprintf("%s:%u: a profile takes oid, "
				    "walk and table, not '%s'", path, lineno,
				    redact_text(name, sb, sizeof sb));
				rc = -1;
				break;
			}
			continue;
		}
		o = options_find(name);
		if (o == NULL || (o->flags & OPT_CLI_ONLY)) {
			*cause = xasprintf("%s:%u: unknown option '%s'", path,
			    lineno, redact_text(name, sb, sizeof sb));
			rc = -1;
			break;
		}
		if (o->set(cfg, o, value, &why) != 0) {
			*cause = xasprintf("%s:%u: %s", path, lineno, why);
			free(why);
			rc = -1;
			break;
		}
		secrets |= (o->flags & OPT_SECRET) != 0;
	}
	if (rc == 0 && ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc == 0 && secrets)
		strlist_add(&cfg->secret_files, path);
	return rc;
}

/* Checks that need every option: run once all sources are applied. */
int
options_finish(struct config *cfg, char **cause)
{
	struct profile	*p;
	size_t		 i;
	char		 sb[REDACT_MAX];

	if (cfg->hosts.n == 0 && cfg->inventories.n == 0) {
		*cause = xstrdup("no targets: give -H SPEC or -i FILE");
		return -1;
	}
	for (i = 0; i < cfg->profiles.n; i++) {
		if ((p = options_find_profile(cfg, cfg->profiles.v[i])) ==
		    NULL) {
			*cause = xasprintf("unknown profile '%s'",
			    redact_text(cfg->profiles.v[i], sb, sizeof sb));
			return -1;
		}
		options_append(&cfg->oids, &p->oids);
		options_append(&cfg->walks, &p->walks);
		options_append(&cfg->tables, &p->tables);
	}
	return 0;
}

/* The effective configuration as a config file that reads back the same
 * (secrets excepted: they are commented out). */
void
options_echo(const struct config *cfg, struct buf *b)
{
	const struct option_def	*o;
	size_t			 i;

	buf_printf(b, "# snmpfleet %s effective configuration\n",
	    PACKAGE_VERSION);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->echo != NULL && !(o->flags & OPT_CLI_ONLY))
			o->echo(cfg, o, b);
	}
	for (i = 0; i < cfg->ncreds; i++) {
		const struct cred_set	*c = &cfg->creds[i];
		size_t			 k, n;

		buf_printf(b, "\n[credentials %s]\n", c->name);
		for (k = 0; k < c->kv.n; k++) {
			n = strcspn(c->kv.v[k], "=");
			if (strncmp(c->kv.v[k], "community=", 10) == 0 ||
			    strncmp(c->kv.v[k], "authpass=", 9) == 0 ||
			    strncmp(c->kv.v[k], "privpass=", 9) == 0)
				buf_printf(b, "# %.*s = (secret, not shown)\n",
				    (int)n, c->kv.v[k]);
			else
				opt_echo_kv(b, c->kv.v[k], n,
				    c->kv.v[k] + n + 1);
		}
	}
	for (i = 0; i < cfg->ndefined; i++) {
		const struct profile	*p = &cfg->defined[i];
		size_t			 k;

		buf_printf(b, "\n[profile %s]\n", p->name);
		for (k = 0; k < p->oids.n; k++)
			opt_echo_kv(b, "oid", 3, p->oids.v[k]);
		for (k = 0; k < p->walks.n; k++)
			opt_echo_kv(b, "walk", 4, p->walks.v[k]);
		for (k = 0; k < p->tables.n; k++)
			opt_echo_kv(b, "table", 5, p->tables.v[k]);
	}
}

/* The --help text, built from the table. */
void
options_usage(struct buf *b)
{
	const struct option_def	*o;
	struct buf		 left;
	size_t			 i;

	buf_adds(b, "usage: snmpfleet [options] [OID ...]\n"
	    "Poll many SNMP agents at once; one whole record per target.\n\n");
	buf_init(&left);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		left.len = 0;
		if (o->short_name != 0)
			buf_printf(&left, "-%c, ", o->short_name);
		else
			buf_adds(&left, "    ");
		buf_printf(&left, "--%s", o->name);
		if (o->argname != NULL)
			buf_printf(&left, " %s", o->argname);
		buf_printf(b, "  %-26s %s", buf_cstr(&left), o->help);
		if (o->defval != NULL && !(o->flags & OPT_NOARG))
			buf_printf(b, " [%s]", o->defval);
		buf_addc(b, '\n');
	}
	buf_free(&left);
	buf_adds(b, "\nWithout OIDs, sysDescr.0 sysObjectID.0 sysUpTime.0 and "
	    "sysName.0 are polled.\nExit: 0 all answered, 1 some failed, "
	    "2 usage or input error, 3 --lock held, 4 deadline,\n"
	    "5 the output failed (disk full, reader gone), 130/143 interrupted.\n"
	    "See snmpfleet(1) and snmpfleet.conf(5).\n");
}
