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
	return tap_done();
}
