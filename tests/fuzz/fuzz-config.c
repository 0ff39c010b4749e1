/*
 * fuzz-config.c — libFuzzer harness for the config file parser
 * (options_load_file, the same option code as the command line): the
 * input is a config file.  When it loads, --echo-config's text must be
 * a config file that loads again and echoes the same (the promise
 * options_echo makes), and options_finish must cope with what was set.
 *
 * The file lives in a memfd, read back through /proc/self/fd, so the
 * harness writes nothing to disk.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snmpfleet.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	memfd = -1;
static char	path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsetenv("SNMPFLEET_COMMUNITY");
	unsetenv("SNMPFLEET_AUTHPASS");
	unsetenv("SNMPFLEET_PRIVPASS");
	if ((memfd = memfd_create("fuzz-config", 0)) < 0)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	return 0;
}

/* Put n bytes in the file. */
static void
file_set(const void *p, size_t n)
{
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, p, n, 0) != (ssize_t)n)
		abort();
}

/* Drop the lines that stand for secrets in a [credentials] section:
 * they are commented out, so they cannot read back. */
static void
drop_secret_lines(struct buf *b)
{
	char	*line = b->data, *nl, *end = b->data + b->len, *out = b->data;
	size_t	 n;

	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end - 1;
		n = (size_t)(nl - line) + 1;
		if (line[0] == '#' && n > 22 &&
		    memcmp(nl - 21, "= (secret, not shown)", 21) == 0)
			continue;
		memmove(out, line, n);
		out += n;
	}
	b->len = (size_t)(out - b->data);
}

/* Load the file into a fresh config; its echo into b (on success). */
static int
load_echo(struct config *cfg, struct buf *b, char **cause)
{
	options_init(cfg);
	if (options_load_file(cfg, path, cause) != 0)
		return -1;
	options_echo(cfg, b);
	drop_secret_lines(b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg, again;
	struct buf	 echo1, echo2;
	char		*cause = NULL;

	buf_init(&echo1);
	buf_init(&echo2);
	file_set(data, size);
	if (load_echo(&cfg, &echo1, &cause) != 0) {
		/* an error names the file and line */
		if (cause == NULL || strncmp(cause, path, strlen(path)) != 0)
			abort();
		free(cause);
		options_free(&cfg);
		return 0;
	}
	file_set(echo1.data, echo1.len);
	if (load_echo(&again, &echo2, &cause) != 0) {
		fprintf(stderr, "fuzz-config: the echo does not load: %s\n"
		    "--- echo ---\n%s--- end ---\n", cause, buf_cstr(&echo1));
		abort();
	}
	if (echo1.len != echo2.len ||
	    memcmp(echo1.data, echo2.data, echo1.len) != 0) {
		fprintf(stderr, "fuzz-config: the echo loads differently\n"
		    "--- first ---\n%s--- second ---\n%s--- end ---\n",
		    buf_cstr(&echo1), buf_cstr(&echo2));
		abort();
	}
	if (options_finish(&cfg, &cause) != 0)
		free(cause);
	options_free(&cfg);
	options_free(&again);
	buf_free(&echo1);
	buf_free(&echo2);
	return 0;
}
