/*
 * t-options.c — the option table: defaults, setters and their checks,
 * the config file (FILE:LINE errors), and --echo-config reading back the
 * same with secrets left out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "tap.h"

static char *
write_temp(const char *text)
{
	char	*path = xstrdup("/tmp/t-options-XXXXXX");
	int	 fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

/*
 * A value for option o unlike its default, made from the table row
 * alone (its argument name and default), so that a new option is
 * covered without touching this test.
 */
static const char *
non_default(const struct option_def *o, char *tmp, size_t len)
{
	if (o->argname == NULL)		/* a flag: yes unless yes already */
		return o->defval != NULL && strcmp(o->defval, "yes") == 0 ?
		    "no" : "yes";
	if (strcmp(o->argname, "N") == 0 ||
	    strcmp(o->argname, "SECONDS") == 0) {
		snprintf(tmp, len, "%.15g",
		    (o->defval ? strtod(o->defval, NULL) : 0) + 3);
		return tmp;
	}
	if (strcmp(o->argname, "FMT") == 0)
		return "csv";
	if (strcmp(o->argname, "WINDOW") == 0)	/* -j: default auto */
		return "fixed:7";
	if (strcmp(o->argname, "BYTES") == 0)
		return "4096";
	if (strcmp(o->argname, "1|2c|3") == 0)
		return "1";
	if (strcmp(o->argname, "FLAGS") == 0)	/* -O: net-snmp's letters */
		return "sq";
	snprintf(tmp, len, "v-%s", o->name);
	return tmp;
}

/*
 * Every config key of the table, set in a file to a value unlike its
 * default, is applied: --echo-config shows "name = value" for each (a
 * secret, which it never shows, is read from its field instead).
 */
static void
test_every_key(void)
{
	const struct option_def	*o;
	struct config		 cfg;
	struct buf		 file, echo;
	char			 tmp[64], line[160], *path, *cause = NULL;
	const char		*v;
	size_t			 i, nkeys = 0;
	int			 rc;

	buf_init(&file);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->flags & OPT_CLI_ONLY)
			continue;
		buf_printf(&file, "%s = %s\n", o->name,
		    non_default(o, tmp, sizeof tmp));
		nkeys++;
	}
	path = write_temp(buf_cstr(&file));
	options_init(&cfg);
	rc = options_load_file(&cfg, path, &cause);
	ok(rc == 0, "a file setting all %zu config keys loads: %s", nkeys,
	    cause ? cause : "");
	free(cause);
	buf_init(&echo);
	options_echo(&cfg, &echo);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->flags & OPT_CLI_ONLY)
			continue;
		v = non_default(o, tmp, sizeof tmp);
		if (o->flags & OPT_SECRET) {
			v = *(char **)(void *)((char *)&cfg + o->offset);
			is_str(v ? v : "(null)", non_default(o, tmp,
			    sizeof tmp), "config key %s applied (secret)",
			    o->name);
			continue;
		}
		snprintf(line, sizeof line, "\n%s = %s\n", o->name, v);
		ok(strstr(buf_cstr(&echo), line) != NULL,
		    "config key %s applied: %s = %s", o->name, o->name, v);
		if (o->defval != NULL) {
			snprintf(line, sizeof line, "\n%s = %s\n", o->name,
			    o->defval);
			ok(strstr(buf_cstr(&echo), line) == NULL,
			    "config key %s: its default is gone", o->name);
		}
	}
	unlink(path);
	free(path);
	buf_free(&file);
	buf_free(&echo);
	options_free(&cfg);
}

/* A NUL inside a config line, and a directory for a config file. */
static void
test_bad_files(void)
{
	struct config	 cfg;
	char		*path, *cause = NULL;
	char		 dir[] = "/tmp/t-options-dir-XXXXXX";
	int		 fd, rc;

	path = xstrdup("/tmp/t-options-XXXXXX");
	if ((fd = mkstemp(path)) < 0 ||
	    write(fd, "port = 1161\0 x\n", 15) != 15)
		abort();
	close(fd);
	options_init(&cfg);
	rc = options_load_file(&cfg, path, &cause);
	ok(rc != 0 && cause != NULL &&
	    strstr(cause, ":1: NUL byte in the line") != NULL,
	    "a NUL inside a line: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	unlink(path);
	free(path);
	if (mkdtemp(dir) == NULL)
		abort();
	rc = options_load_file(&cfg, dir, &cause);
	ok(rc != 0 && cause != NULL && strstr(cause, "Is a directory"),
	    "a directory is no config file: %s", cause ? cause : "");
	free(cause);
	rmdir(dir);
	options_free(&cfg);
}

/* Is the row a number with a range (argument N or SECONDS)? */
static bool
is_numeric(const struct option_def *o)
{
	return o->argname != NULL && (strcmp(o->argname, "N") == 0 ||
	    strcmp(o->argname, "SECONDS") == 0);
}

/* Setting option o to v is refused with "is out of range". */
static bool
out_of_range(const struct option_def *o, double v)
{
	struct config	 cfg;
	char		 text[64], *cause = NULL;
	bool		 refused;

	snprintf(text, sizeof text, "%.15g", v);
	options_init(&cfg);
	refused = options_set(&cfg, o, text, &cause) != 0 && cause != NULL &&
	    strstr(cause, "is out of range") != NULL;
	free(cause);
	options_free(&cfg);
	return refused;
}

/* Setting option o to v is taken. */
static bool
in_range(const struct option_def *o, double v)
{
	struct config	 cfg;
	char		 text[64], *cause = NULL;
	int		 rc;

	snprintf(text, sizeof text, "%.15g", v);
	options_init(&cfg);
	rc = options_set(&cfg, o, text, &cause);
	free(cause);
	options_free(&cfg);
	return rc == 0;
}

/*
 * Every numeric row carries its own range, and the setters hold it:
 * minimum and maximum taken, one below and one above refused.  A row
 * that loses its range (or a setter that ignores it) fails here.
 */
static void
test_ranges(void)
{
	const struct option_def	*o;
	size_t			 i;

	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (!is_numeric(o))
			continue;
		ok(o->maximum > o->minimum, "--%s has a range (%g to %g)",
		    o->name, o->minimum, o->maximum);
		ok(in_range(o, o->minimum) && in_range(o, o->maximum),
		    "--%s takes %g and %g", o->name, o->minimum, o->maximum);
		ok(out_of_range(o, o->minimum - 1) &&
		    out_of_range(o, o->maximum + 1),
		    "--%s refuses %g and %g", o->name, o->minimum - 1,
		    o->maximum + 1);
	}
	o = options_find("per-target");
	ok(o != NULL && o->maximum == PER_TARGET_MAX,
	    "--per-target's maximum is PER_TARGET_MAX (%d)", PER_TARGET_MAX);
}

/* Each row's environment variable sets it, and its help names it. */
static void
test_env(void)
{
	const struct option_def	*o;
	struct config		 cfg;
	const char		*v;
	size_t			 i, n = 0;

	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->env == NULL)
			continue;
		n++;
		ok(strstr(o->help, o->env) != NULL, "--%s's help names %s",
		    o->name, o->env);
		setenv(o->env, "v-from-env", 1);
		options_init(&cfg);
		v = *(char **)(void *)((char *)&cfg + o->offset);
		is_str(v ? v : "(null)", "v-from-env", "%s sets --%s", o->env,
		    o->name);
		options_free(&cfg);
		setenv(o->env, "", 1);
		options_init(&cfg);
		v = *(char **)(void *)((char *)&cfg + o->offset);
		ok(v == NULL || strcmp(v, "v-from-env") != 0,
		    "an empty %s sets nothing", o->env);
		options_free(&cfg);
		unsetenv(o->env);
	}
	ok(n == 5, "five options come from the environment (%zu)", n);
}

/* --format: the help lists the formats out.c has, and each one parses
 * and echoes back as itself. */
static void
test_formats(void)
{
	const struct option_def	*o = options_find("format");
	struct config		 cfg;
	struct buf		 names, echo;
	char			 line[64], *cause = NULL;
	enum format_id		 f;

	buf_init(&names);
	out_names(&names);
	ok(strstr(o->help, buf_cstr(&names)) != NULL,
	    "--format's help lists %s", names.data);
	buf_free(&names);
	for (f = FMT_TEXT; f <= FMT_PROM; f++) {
		options_init(&cfg);
		buf_init(&echo);
		ok(options_set(&cfg, o, out_name(f), &cause) == 0 &&
		    cfg.format == f, "format %s parses", out_name(f));
		options_echo(&cfg, &echo);
		snprintf(line, sizeof line, "\nformat = %s\n",
		    out_name(f));
		ok(strstr(buf_cstr(&echo), line) != NULL, "and echoes as %s",
		    out_name(f));
		buf_free(&echo);
		options_free(&cfg);
	}
}

/*
 * The option rows and the per-target keys point at each other, and
 * agree on what is a secret; redaction knows every secret name.
 */
static void
test_key_links(void)
{
	const struct target_key	*k;
	const struct option_def	*o;
	size_t			 i;

	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		ok(target_key_find(k->flags & TK_PREFIX ? "tag.x" : k->name) ==
		    k, "key %s finds its row", k->name);
		ok(options_is_secret_key(k->name) == ((k->flags & TK_SECRET) !=
		    0), "key %s: redaction agrees it is%s a secret", k->name,
		    k->flags & TK_SECRET ? "" : " not");
		if (k->option == NULL)
			continue;
		o = options_find(k->option);
		ok(o != NULL && o->target_key != NULL &&
		    strcmp(o->target_key, k->name) == 0,
		    "key %s overrides --%s, whose row names it", k->name,
		    k->option);
		ok(o != NULL && ((o->flags & OPT_SECRET) != 0) ==
		    ((k->flags & TK_SECRET) != 0),
		    "key %s and --%s agree on secrecy", k->name, k->option);
	}
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		ok(options_is_secret_key(o->name) == ((o->flags & OPT_SECRET) !=
		    0), "--%s: redaction agrees it is%s a secret", o->name,
		    o->flags & OPT_SECRET ? "" : " not");
		if (o->target_key == NULL)
			continue;
		k = target_key_find(o->target_key);
		ok(k != NULL && k->option != NULL &&
		    strcmp(k->option, o->name) == 0,
		    "--%s is overridden by key %s, whose row names it",
		    o->name, o->target_key);
	}
	ok(target_key_find("tag.") == NULL, "'tag.' alone is no key");
	ok(target_key_find("auth-pass") == NULL,
	    "the option's spelling auth-pass is no per-target key");
}

/* A valid value for key k (a passphrase long enough for usm_check). */
static const char *
key_value(const struct target_key *k)
{
	static const struct {
		const char	*key;
		const char	*value;
	} v[] = {
		{ "version", "1" }, { "level", "authPriv" }, { "auth", "SHA" },
		{ "priv", "AES" }, { "engineid", "0x8000000001" },
		{ "contextengineid", "0x8000000002" },
		{ "port", "1161" }, { "timeout", "2.5" }, { "retries", "7" },
		{ "transport", "tcp" },
		{ "max-walk-values", "5000" }, { "max-walk-bytes", "64M" },
		{ "max-oids", "8" }, { "max-repetitions", "5" },
		{ "no-bulk", "yes" }, { "allow-non-increasing", "yes" },
		{ "any-source", "yes" },
	};
	size_t	i;

	for (i = 0; i < sizeof v / sizeof *v; i++) {
		if (strcmp(v[i].key, k->name) == 0)
			return v[i].value;
	}
	return "v-12345678";
}

/* Load text as a config file. */
static int
load_text(struct config *cfg, const char *text, char **cause)
{
	char	*path = write_temp(text);
	int	 rc;

	*cause = NULL;
	rc = options_load_file(cfg, path, cause);
	unlink(path);
	free(path);
	return rc;
}

/* An inventory line, with cfg's credential sets. */
static int
add_line(struct config *cfg, const char *text, char **cause)
{
	struct inventory	 inv;
	struct target_params	*defaults;
	char			*line = xstrdup(text);
	int			 rc;

	*cause = NULL;
	if (options_target_params(cfg, &defaults, cause) != 0)
		abort();
	inventory_init(&inv, defaults, cfg->port);
	target_params_free(defaults);
	inv.creds = cfg->creds;
	inv.ncreds = cfg->ncreds;
	rc = inventory_add_line(&inv, line, cause);
	inventory_free(&inv);
	free(line);
	return rc;
}

/*
 * Every per-target key works on an inventory line; each one marked
 * TK_CRED works in a [credentials NAME] section too (and is echoed,
 * a secret as "(secret, not shown)"), each other one is refused there.
 */
static void
test_keys_everywhere(void)
{
	const struct target_key	*k;
	struct config		 cfg;
	struct buf		 echo;
	char			 text[256], *cause;
	const char		*name;
	size_t			 i;
	int			 rc;

	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		if (k->flags & TK_SET_REF)
			continue;
		name = k->flags & TK_PREFIX ? "tag.site" : k->name;
		options_init(&cfg);
		snprintf(text, sizeof text, "127.0.0.1 %s=%s", name,
		    key_value(k));
		rc = add_line(&cfg, text, &cause);
		ok(rc == 0, "inventory line takes %s=%s: %s", name,
		    key_value(k), cause ? cause : "");
		free(cause);
		snprintf(text, sizeof text, "[credentials s]\n%s = %s\n",
		    name, key_value(k));
		rc = load_text(&cfg, text, &cause);
		if (!(k->flags & TK_CRED)) {
			ok(rc != 0 && strstr(cause, "is not a credentials key"),
			    "[credentials] refuses %s: %s", name,
			    cause ? cause : "");
			free(cause);
			options_free(&cfg);
			continue;
		}
		ok(rc == 0, "[credentials] takes %s", name);
		free(cause);
		ok(add_line(&cfg, "127.0.0.1 cred=s", &cause) == 0,
		    "and a line using the set gets %s: %s", name,
		    cause ? cause : "");
		free(cause);
		buf_init(&echo);
		options_echo(&cfg, &echo);
		snprintf(text, sizeof text, k->flags & TK_SECRET ?
		    "\n# %s = (secret, not shown)\n" : "\n%s = %s\n", name,
		    key_value(k));
		ok(strstr(buf_cstr(&echo), text) != NULL,
		    "--echo-config shows %s as %s", name,
		    k->flags & TK_SECRET ? "a secret" : "itself");
		buf_free(&echo);
		options_free(&cfg);
	}
}

/*
 * A per-target key that overrides a ranged option holds the option's
 * range on an inventory line: minimum and maximum taken, one below and
 * one above refused.
 */
static void
test_key_ranges(void)
{
	const struct target_key	*k;
	const struct option_def	*o;
	struct config		 cfg;
	char			 text[128], *cause;
	double			 v[4];
	size_t			 i, j;
	int			 rc;

	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		if (k->option == NULL || (o = options_find(k->option)) == NULL ||
		    !is_numeric(o))
			continue;
		v[0] = o->minimum;
		v[1] = o->maximum;
		v[2] = o->minimum - 1;
		v[3] = o->maximum + 1;
		options_init(&cfg);
		for (j = 0; j < 4; j++) {
			snprintf(text, sizeof text, "127.0.0.1 %s=%.15g",
			    k->name, v[j]);
			rc = add_line(&cfg, text, &cause);
			ok((rc == 0) == (j < 2),
			    "%s=%.15g %s: %s", k->name, v[j], j < 2 ?
			    "taken" : "refused", cause ? cause : "");
			free(cause);
		}
		options_free(&cfg);
	}
}

/* The text of file top_srcdir/rel, or NULL. */
static char *
read_doc(const char *rel)
{
	const char	*top = getenv("top_srcdir");
	char		*path, *text = NULL;
	size_t		 len = 0;
	FILE		*f;

	path = xasprintf("%s/%s", top ? top : "..", rel);
	if ((f = fopen(path, "r")) != NULL) {
		text = xcalloc(1, 1 << 20);
		len = fread(text, 1, (1 << 20) - 1, f);
		text[len] = '\0';
		fclose(f);
	}
	free(path);
	return text;
}

/*
 * The man pages list the per-target keys of the table: snmpfleet(1)'s
 * inventory format each key (".It Cm KEY Ns = Ns"), snmpfleet.conf(5)'s
 * credential sets each TK_CRED key; and list no key the table lacks.
 */
static void
test_key_docs(void)
{
	const struct target_key	*k;
	char			*man1, *man5, *sets, *end, *p, *q;
	char			 want[128], name[64];
	size_t			 i, n;

	man1 = read_doc("man/snmpfleet.1");
	man5 = read_doc("man/snmpfleet.conf.5");
	ok(man1 != NULL && man5 != NULL, "man pages found (top_srcdir)");
	if (man1 == NULL || man5 == NULL)
		return;
	sets = strstr(man5, "\n.Ss Credential sets\n");
	end = sets ? strstr(sets + 1, "\n.Ss ") : NULL;
	ok(sets != NULL && end != NULL, "snmpfleet.conf.5 has its "
	    "credential sets section");
	if (sets == NULL || end == NULL)
		goto out;
	*end = '\0';
	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		n = strcspn(k->name, ".");
		snprintf(want, sizeof want, k->flags & TK_PREFIX ?
		    "\n.It Cm %.*s . Ns Ar " : "\n.It Cm %.*s Ns = Ns ", (int)n,
		    k->name);
		ok(strstr(man1, want) != NULL, "snmpfleet.1 lists key %s",
		    k->name);
		snprintf(want, sizeof want, "Cm %s", k->name);
		for (p = sets; (p = strstr(p, "\n.It Cm ")) != NULL; p++) {
			q = strstr(p + 1, want);
			if (q != NULL && q < p + 1 + strcspn(p + 1, "\n") &&
			    strchr(" ,\n", q[strlen(want)]) != NULL)
				break;
		}
		ok((p != NULL) == ((k->flags & TK_CRED) != 0),
		    "snmpfleet.conf.5's credential sets %s key %s",
		    k->flags & TK_CRED ? "list" : "do not list", k->name);
	}
	for (p = man1; (p = strstr(p, "\n.It Cm ")) != NULL; p++) {
		if (sscanf(p, "\n.It Cm %60[a-z-]", name) != 1 ||
		    strstr(p, " Ns = Ns ") > p + 1 + strcspn(p + 1, "\n"))
			continue;
		if (strncmp(p + 8 + strlen(name), " . Ns ", 6) == 0)
			strcat(name, ".x");	/* tag.NAME: a prefix */
		ok(target_key_find(name) != NULL, "snmpfleet.1's inventory "
		    "key %s is in the table", name);
	}
out:
	free(man1);
	free(man5);
}

/* net-snmp's spellings of the privacy protocols, Cisco's among them,
 * and the Reports usm.c names. */
static void
test_usm_names(void)
{
	static const char *const spell[][2] = {
		{ "AES-256-C", "AES-256-C" }, { "AES256C", "AES-256-C" },
		{ "aes-256-c", "AES-256-C" }, { "AES-192-C", "AES-192-C" },
		{ "AES192C", "AES-192-C" }, { "AES-256", "AES-256" },
		{ "AES256", "AES-256" }, { "AES128", "AES" }, { "AES", "AES" },
	};
	static const oid ctx[] = { 1, 3, 6, 1, 6, 3, 12, 1, 5, 0 };
	static const oid pdu_h[] = { 1, 3, 6, 1, 6, 3, 11, 2, 1, 3, 0 };
	static const oid tw[] = { 1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0 };
	static const oid other[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
	struct target_params	 p;
	netsnmp_pdu		*pdu;
	char			*cause = NULL, *why;
	size_t			 i;

	memset(&p, 0, sizeof p);
	for (i = 0; i < sizeof spell / sizeof spell[0]; i++) {
		ok(target_key_set(&p, "priv", spell[i][0], &cause) == 0 &&
		    strcmp(usm_priv_name(p.priv), spell[i][1]) == 0,
		    "priv=%s is %s", spell[i][0], spell[i][1]);
	}
	ok(target_key_set(&p, "priv", "AES-256-CC", &cause) != 0,
	    "priv=AES-256-CC is refused");
	free(cause);
	ok(target_key_set(&p, "auth", "SHA-1", &cause) == 0 &&
	    strcmp(usm_auth_name(p.auth), "SHA") == 0, "auth=SHA-1 is SHA");

	p.context = (char *)"vlan-7";
	pdu = snmp_pdu_create(SNMP_MSG_REPORT);
	snmp_add_null_var(pdu, ctx, sizeof ctx / sizeof ctx[0]);
	why = usm_report_reason(pdu, &p);
	is_str(why, "unknown context 'vlan-7'", "snmpUnknownContexts names "
	    "the context");
	free(why);
	ok(!usm_report_time_window(pdu), "and is no time window report");
	snmp_free_pdu(pdu);
	pdu = snmp_pdu_create(SNMP_MSG_REPORT);
	snmp_add_null_var(pdu, pdu_h, sizeof pdu_h / sizeof pdu_h[0]);
	why = usm_report_reason(pdu, &p);
	ok(strncmp(why, "unknown PDU handler", 19) == 0,
	    "snmpUnknownPDUHandlers: %s", why);
	free(why);
	snmp_free_pdu(pdu);
	pdu = snmp_pdu_create(SNMP_MSG_REPORT);
	snmp_add_null_var(pdu, tw, sizeof tw / sizeof tw[0]);
	ok(usm_report_time_window(pdu), "usmStatsNotInTimeWindows is one");
	snmp_free_pdu(pdu);
	pdu = snmp_pdu_create(SNMP_MSG_REPORT);
	snmp_add_null_var(pdu, other, sizeof other / sizeof other[0]);
	why = usm_report_reason(pdu, &p);
	is_str(why, "report from the agent", "any other Report");
	free(why);
	snmp_free_pdu(pdu);
}

int
main(void)
{
	struct config	 cfg, again;
	struct buf	 echo1, echo2;
	char		*cause = NULL, *path;
	size_t		 i;

	options_init(&cfg);
	is_int(cfg.port, 161, "default port");
	is_int(cfg.concurrency, CONCURRENCY_AUTO, "default concurrency: "
	    "auto, up to 4096");
	ok(cfg.adapt, "default concurrency: adaptive");
	is_int(cfg.max_oids, 32, "default max-oids");
	is_int(cfg.retries, 2, "default retries");
	ok(cfg.timeout == 1.0, "default timeout");
	is_str(cfg.community, "public", "default community");
	is_int(cfg.snmp_version, SNMP_VERSION_2c, "default version");
	is_int(cfg.format, FMT_TEXT, "default format");

	for (i = 1; i < options_count; i++)
		ok(strcmp(options_table[i - 1].name, options_table[i].name) < 0,
		    "table sorted: %s < %s", options_table[i - 1].name,
		    options_table[i].name);

	ok(options_set(&cfg, options_find("port"), "0", &cause) != 0,
	    "port 0 refused: %s", cause ? cause : "");
	free(cause);
	ok(options_set(&cfg, options_find("concurrency"), "1.5", &cause) != 0,
	    "fraction refused for a count");
	free(cause);
	cause = NULL;
	ok(options_set(&cfg, options_find("concurrency"), "fixed:64",
	    &cause) == 0 && cfg.concurrency == 64 && !cfg.adapt,
	    "-j fixed:64: a fixed window of 64");
	ok(options_set(&cfg, options_find("concurrency"), "512", &cause) == 0 &&
	    cfg.concurrency == 512 && cfg.adapt, "-j 512: adaptive up to 512");
	ok(options_set(&cfg, options_find("concurrency"), "fixed:0", &cause) !=
	    0, "-j fixed:0 refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	ok(options_set(&cfg, options_find("timeout"), "0.25", &cause) == 0 &&
	    cfg.timeout == 0.25, "fractional seconds");
	ok(options_set(&cfg, options_find("format"), "xml", &cause) != 0,
	    "unknown format refused");
	free(cause);
	ok(options_set(&cfg, options_find("snmp-version"), "4", &cause) != 0,
	    "version 4 refused");
	free(cause);
	ok(options_set(&cfg, options_find("snmp-version"), "3", &cause) == 0 &&
	    cfg.snmp_version == SNMP_VERSION_3, "version 3 taken");
	ok(options_find_short('A') == options_find("auth-pass") &&
	    (options_find("auth-pass")->flags & OPT_SECRET) &&
	    (options_find("priv-pass")->flags & OPT_SECRET),
	    "-A and -X are secrets");
	ok(options_find_short('v') == options_find("snmp-version"),
	    "-v is the SNMP version");
	ok(options_find_short('V') == options_find("version"),
	    "-V is the program version");

	path = write_temp("# comment\n\nport = 1161\ncommunity = \"s3cret\"\n"
	    "host = 127.0.0.1\nhost = 127.0.0.2\nformat=jsonl\nquiet = yes\n");
	ok(options_load_file(&cfg, path, &cause) == 0, "config file loads");
	is_int(cfg.port, 1161, "port from file");
	is_str(cfg.community, "s3cret", "quoted value unquoted");
	is_int(cfg.hosts.n, 2, "list key repeats");
	ok(cfg.quiet, "flag from file");

	buf_init(&echo1);
	options_echo(&cfg, &echo1);
	ok(strstr(buf_cstr(&echo1), "s3cret") == NULL,
	    "echo never shows the community");
	ok(strstr(echo1.data, "# community = ") != NULL,
	    "echo mentions the redacted key");
	unlink(path);
	free(path);

	path = write_temp(echo1.data);
	options_init(&again);
	ok(options_load_file(&again, path, &cause) == 0,
	    "echo output reads back as a config file");
	buf_init(&echo2);
	options_echo(&again, &echo2);
	is_str(buf_cstr(&echo2), echo1.data, "and echoes the same");
	unlink(path);
	free(path);

	path = write_temp("port = 1\n\nbogus = 3\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) != 0 &&
	    strstr(cause, ":3: unknown option 'bogus'") != NULL,
	    "unknown key reported with its line: %s", cause ? cause : "");
	free(cause);
	unlink(path);
	free(path);
	path = write_temp("port = 99999\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) != 0 &&
	    strstr(cause, ":1: port: 99999 is out of range") != NULL,
	    "bad value reported with its line: %s", cause ? cause : "");
	free(cause);
	unlink(path);
	free(path);
	path = write_temp("max-walk-bytes = 64M\nmax-walk-values = 5000\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) == 0 &&
	    again.max_walk_bytes == 67108864 && again.max_walk_values == 5000,
	    "walk caps from a config file, with a size suffix");
	free(cause);
	unlink(path);
	free(path);
	path = write_temp("max-walk-bytes = 12\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) != 0 &&
	    strstr(cause, ":1: max-walk-bytes: 12 is out of range") != NULL,
	    "max-walk-bytes below 1024 refused: %s", cause ? cause : "");
	free(cause);
	unlink(path);
	free(path);
	{
		uint64_t	n = 0;

		ok(parse_size("256M", &n) == 0 && n == 268435456,
		    "256M is 268435456");
		ok(parse_size("1k", &n) == 0 && n == 1024, "1k");
		ok(parse_size("2G", &n) == 0 && n == 2147483648u,
		    "2G");
		ok(parse_size("10x", &n) != 0, "10x refused");
		ok(parse_size("10MB", &n) != 0, "10MB refused");
		ok(parse_size("", &n) != 0, "empty refused");
		ok(parse_size("-1", &n) != 0, "negative refused");
		ok(parse_size("99999999999999999999", &n) != 0,
		    "too large refused");
		ok(parse_size("17179869184G", &n) != 0,
		    "overflow by the suffix refused");
	}
	path = write_temp("just words\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) != 0 &&
	    strstr(cause, ":1: expected 'name = value'") != NULL,
	    "syntax error reported: %s", cause ? cause : "");
	free(cause);
	unlink(path);
	free(path);
	path = write_temp("help = yes\n");
	cause = NULL;
	ok(options_load_file(&again, path, &cause) != 0,
	    "command-line-only options are not config keys");
	free(cause);
	unlink(path);
	free(path);

	/* values the loader would trim or unquote are echoed in quotes
	 * (found by tests/fuzz/fuzz-config.c) */
	options_free(&cfg);
	options_free(&again);
	options_init(&cfg);
	options_init(&again);
	path = write_temp("lock = \" /tmp/padded \"\noid = \"\"sysName.0\"\"\n"
	    "[profile p]\nwalk = \"ifTable \"\n");
	ok(options_load_file(&cfg, path, &cause) == 0 &&
	    strcmp(cfg.lock, " /tmp/padded ") == 0 &&
	    strcmp(cfg.oids.v[0], "\"sysName.0\"") == 0,
	    "quoted values keep their spaces and inner quotes");
	unlink(path);
	free(path);
	echo1.len = echo2.len = 0;
	options_echo(&cfg, &echo1);
	ok(strstr(buf_cstr(&echo1), "lock = \" /tmp/padded \"\n") != NULL &&
	    strstr(echo1.data, "oid = \"\"sysName.0\"\"\n") != NULL &&
	    strstr(echo1.data, "walk = \"ifTable \"\n") != NULL,
	    "echo quotes them");
	path = write_temp(echo1.data);
	ok(options_load_file(&again, path, &cause) == 0, "echo reads back");
	options_echo(&again, &echo2);
	is_str(buf_cstr(&echo2), echo1.data, "and echoes the same");
	unlink(path);
	free(path);

	buf_free(&echo1);
	buf_free(&echo2);
	options_free(&cfg);
	options_free(&again);
	test_every_key();
	test_bad_files();
	test_ranges();
	test_env();
	test_formats();
	test_key_links();
	test_keys_everywhere();
	test_key_ranges();
	test_key_docs();
	test_usm_names();
	return tap_done();
}
