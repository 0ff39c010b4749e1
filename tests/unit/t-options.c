/*
 * t-options.c — the option table: defaults, setters and their checks,
 * the config file (FILE:LINE errors), and --echo-config reading back the
 * same with secrets left out.
 */
#include "config.h"

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
	if (strcmp(o->argname, "1|2c|3") == 0)
		return "1";
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

int
main(void)
{
	struct config	 cfg, again;
	struct buf	 echo1, echo2;
	char		*cause = NULL, *path;
	size_t		 i;

	options_init(&cfg);
	is_int(cfg.port, 161, "default port");
	is_int(cfg.concurrency, 256, "default concurrency");
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

		ok(options_parse_size("256M", &n) == 0 && n == 268435456,
		    "256M is 268435456");
		ok(options_parse_size("1k", &n) == 0 && n == 1024, "1k");
		ok(options_parse_size("2G", &n) == 0 && n == 2147483648u,
		    "2G");
		ok(options_parse_size("10x", &n) != 0, "10x refused");
		ok(options_parse_size("10MB", &n) != 0, "10MB refused");
		ok(options_parse_size("", &n) != 0, "empty refused");
		ok(options_parse_size("-1", &n) != 0, "negative refused");
		ok(options_parse_size("99999999999999999999", &n) != 0,
		    "too large refused");
		ok(options_parse_size("17179869184G", &n) != 0,
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
	return tap_done();
}
