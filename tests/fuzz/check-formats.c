/*
 * check-formats.c — strict decoders for jsonl, CSV, InfluxDB line
 * protocol and the Prometheus text format, written for the fuzz
 * harnesses (tests/fuzz/fuzz-reply.c): what snmpfleet writes must read
 * back under the format's own rules, whatever an agent sent.  Each
 * checker walks the text once with a cursor and stops at the first
 * fault, saying where.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-formats.h"

struct cur {
	const unsigned char	*s;
	size_t			 n;
	size_t			 i;
	unsigned		 line;		/* 1-based */
	size_t			 bol;		/* offset of the line's start */
	const char		*why;
};

static char	check_msg[256];

static void
cur_init(struct cur *c, const char *s, size_t n)
{
	c->s = (const unsigned char *)s;
	c->n = n;
	c->i = 0;
	c->line = 1;
	c->bol = 0;
	c->why = NULL;
}

/* Record the first fault; always false, so callers can return it. */
static bool
fail(struct cur *c, const char *why)
{
	if (c->why == NULL) {
		snprintf(check_msg, sizeof check_msg, "line %u, byte %zu: %s",
		    c->line, c->i - c->bol + 1, why);
		c->why = check_msg;
	}
	return false;
}

static int
peek(const struct cur *c)
{
	return c->i < c->n ? c->s[c->i] : -1;
}

static void
newline(struct cur *c)
{
	c->i++;
	c->line++;
	c->bol = c->i;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t		len, k;
	uint32_t	cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Step over one UTF-8 character (which the caller has looked at). */
static bool
utf8_step(struct cur *c)
{
	size_t	len = utf8_len(c->s + c->i, c->n - c->i);

	if (len == 0)
		return fail(c, "not UTF-8");
	c->i += len;
	return true;
}

/* ------------------------------------------------------------ JSON */

static bool	json_value(struct cur *, unsigned);

static void
json_ws(struct cur *c)
{
	while (peek(c) == ' ' || peek(c) == '\t' || peek(c) == '\r')
		c->i++;
}

static bool
json_string(struct cur *c)
{
	int	ch;
	size_t	k;

	if (peek(c) != '"')
		return fail(c, "expected a string");
	c->i++;
	for (;;) {
		if ((ch = peek(c)) < 0)
			return fail(c, "unterminated string");
		if (ch == '"') {
			c->i++;
			return true;
		}
		if (ch < 0x20)
			return fail(c, "control character in a string");
		if (ch != '\\') {
			if (!utf8_step(c))
				return false;
			continue;
		}
		c->i++;
		switch (peek(c)) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			c->i++;
			break;
		case 'u':
			c->i++;
			for (k = 0; k < 4; k++) {
				if (!isxdigit(peek(c)))
					return fail(c, "bad \\u escape");
				c->i++;
			}
			break;
		default:
			return fail(c, "bad escape in a string");
		}
	}
}

static bool
json_digits(struct cur *c)
{
	if (!isdigit(peek(c)))
		return fail(c, "expected a digit");
	while (isdigit(peek(c)))
		c->i++;
	return true;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
json_number(struct cur *c)
{
	if (peek(c) == '-')
		c->i++;
	if (peek(c) == '0')
		c->i++;
	else if (!json_digits(c))
		return false;
	if (peek(c) == '.') {
		c->i++;
		if (!json_digits(c))
			return false;
	}
	if (peek(c) == 'e' || peek(c) == 'E') {
		c->i++;
		if (peek(c) == '+' || peek(c) == '-')
			c->i++;
		if (!json_digits(c))
			return false;
	}
	return true;
}

static bool
json_word(struct cur *c, const char *w)
{
	size_t	len = strlen(w);

	if (c->n - c->i < len || memcmp(c->s + c->i, w, len) != 0)
		return fail(c, "expected a value");
	c->i += len;
	return true;
}

/* {"k":v,...} or [v,...] (open is the brace or bracket). */
static bool
json_container(struct cur *c, unsigned depth, int open)
{
	int	close = open == '{' ? '}' : ']';

	c->i++;
	json_ws(c);
	if (peek(c) == close) {
		c->i++;
		return true;
	}
	for (;;) {
		json_ws(c);
		if (open == '{') {
			if (!json_string(c))
				return false;
			json_ws(c);
			if (peek(c) != ':')
				return fail(c, "expected ':'");
			c->i++;
		}
		if (!json_value(c, depth + 1))
			return false;
		json_ws(c);
		if (peek(c) == close) {
			c->i++;
			return true;
		}
		if (peek(c) != ',')
			return fail(c, open == '{' ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		c->i++;
	}
}

static bool
json_value(struct cur *c, unsigned depth)
{
	int	ch;

	if (depth > 64)
		return fail(c, "nested too deep");
	json_ws(c);
	ch = peek(c);
	if (ch == '{' || ch == '[')
		return json_container(c, depth, ch);
	if (ch == '"')
		return json_string(c);
	if (ch == '-' || isdigit(ch))
		return json_number(c);
	if (ch == 't')
		return json_word(c, "true");
	if (ch == 'f')
		return json_word(c, "false");
	return json_word(c, "null");
}

const char *
check_jsonl(const char *s, size_t n)
{
	struct cur	c;

	cur_init(&c, s, n);
	while (c.i < c.n) {
		json_ws(&c);
		if (peek(&c) != '{') {
			fail(&c, "a line that is not a JSON object");
			break;
		}
		if (!json_value(&c, 0))
			break;
		json_ws(&c);
		if (peek(&c) != '\n') {
			fail(&c, "more after the object, or no newline");
			break;
		}
		newline(&c);
	}
	return c.why;
}

/* ------------------------------------------------------------- CSV */

/* One field; *end is set at the end of the row (or of the text). */
static bool
csv_field(struct cur *c, bool *end)
{
	int	ch;

	if (peek(c) == '"') {
		c->i++;
		for (;;) {
			if ((ch = peek(c)) < 0)
				return fail(c, "unbalanced quote");
			c->i++;
			if (ch == '\n') {
				c->line++;
				c->bol = c->i;
			}
			if (ch != '"')
				continue;
			if (peek(c) != '"')
				break;
			c->i++;		/* "" */
		}
	} else {
		while ((ch = peek(c)) >= 0 && ch != ',' && ch != '\n' &&
		    ch != '\r') {
			if (ch == '"')
				return fail(c, "quote inside an unquoted field");
			c->i++;
		}
	}
	ch = peek(c);
	if (ch == '\r') {
		c->i++;
		if (peek(c) != '\n')
			return fail(c, "CR without LF");
		ch = '\n';
	}
	if (ch == ',') {
		c->i++;
		*end = false;
		return true;
	}
	if (ch == '\n' || ch < 0) {
		if (ch == '\n')
			newline(c);
		*end = true;
		return true;
	}
	return fail(c, "text after a quoted field");
}

const char *
check_csv(const char *s, size_t n)
{
	struct cur	c;
	size_t		fields, want = 0;
	bool		end;

	cur_init(&c, s, n);
	if (n > 0 && s[n - 1] != '\n')
		return "the last row has no newline";
	while (c.i < c.n) {
		fields = 0;
		do {
			if (!csv_field(&c, &end))
				return c.why;
			fields++;
		} while (!end);
		if (want == 0)
			want = fields;
		else if (fields != want) {
			c.line--;
			c.bol = c.i;
			fail(&c, "a row with the wrong number of fields");
			snprintf(check_msg + strlen(check_msg),
			    sizeof check_msg - strlen(check_msg),
			    " (%zu, the header has %zu)", fields, want);
			return c.why;
		}
	}
	return NULL;
}

/* ---------------------------------------------------------- influx */

/* Up to an unescaped delimiter; a backslash escapes the next character.
 * Not empty.  (InfluxDB reserves names starting with '_'; only the
 * measurement is held to that here: tag and field keys come from the
 * inventory and the MIB, and a tag value may start with anything.) */
static bool
influx_text(struct cur *c, const char *delims, const char *what,
    bool no_underscore)
{
	size_t	start = c->i;
	int	ch;

	while ((ch = peek(c)) >= 0 && strchr(delims, ch) == NULL) {
		if (ch < 0x20 || ch == 0x7f)
			return fail(c, "control character");
		if (ch == '\\') {
			c->i++;
			if ((ch = peek(c)) < 0 || ch == '\n')
				return fail(c, "backslash at the end");
			if (ch < 0x20)
				return fail(c, "control character");
		}
		if (!utf8_step(c))
			return false;
	}
	if (c->i == start)
		return fail(c, what);
	if (no_underscore && c->s[start] == '_')
		return fail(c, "a measurement starting with '_' (reserved)");
	return true;
}

/* A tag key, tag value or field key. */
static bool
influx_name(struct cur *c, const char *delims, const char *what)
{
	return influx_text(c, delims, what, false);
}

/* The same for a measurement, which may not start with '_'. */
static bool
influx_measurement(struct cur *c)
{
	return influx_text(c, ", \n", "no measurement", true);
}

/* [+-]digits[.digits][e[+-]digits] or .digits...; finite. */
static bool
influx_float(struct cur *c, const char *p, size_t len)
{
	char	 tmp[64], *end;
	size_t	 k = 0;
	double	 d;
	bool	 digits = false;

	if (len == 0 || len >= sizeof tmp)
		return fail(c, "a field with no value, or a bad one");
	if (p[k] == '-' || p[k] == '+')
		k++;
	while (k < len && isdigit((unsigned char)p[k]))
		k++, digits = true;
	if (k < len && p[k] == '.') {
		k++;
		while (k < len && isdigit((unsigned char)p[k]))
			k++, digits = true;
	}
	if (!digits)
		return fail(c, "a field value that is not a number");
	if (k < len && (p[k] == 'e' || p[k] == 'E')) {
		k++;
		if (k < len && (p[k] == '+' || p[k] == '-'))
			k++;
		if (k == len || !isdigit((unsigned char)p[k]))
			return fail(c, "bad exponent");
		while (k < len && isdigit((unsigned char)p[k]))
			k++;
	}
	if (k != len)
		return fail(c, "a field value that is not a number");
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (!isfinite(d))
		return fail(c, "a float out of range");
	return true;
}

/* digits followed by i (signed 64 bits) or u (unsigned 64 bits). */
static bool
influx_integer(struct cur *c, const char *p, size_t len, bool is_unsigned)
{
	char	tmp[32], *end;

	if (len == 0 || len >= sizeof tmp)
		return fail(c, "a bad integer");
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	errno = 0;
	if (is_unsigned) {
		if (!isdigit((unsigned char)tmp[0]))
			return fail(c, "a bad unsigned integer");
		(void)strtoull(tmp, &end, 10);
	} else {
		if (!isdigit((unsigned char)tmp[tmp[0] == '-']))
			return fail(c, "a bad integer");
		(void)strtoll(tmp, &end, 10);
	}
	if (*end != '\0' || errno != 0)
		return fail(c, "a bad or out of range integer");
	return true;
}

static bool
influx_field_value(struct cur *c)
{
	static const char *const bools[] = { "t", "T", "true", "True",
	    "TRUE", "f", "F", "false", "False", "FALSE" };
	const char	*p;
	size_t		 start, len, k;
	int		 ch;

	if (peek(c) == '"') {
		c->i++;
		while ((ch = peek(c)) != '"') {
			if (ch < 0)
				return fail(c, "unterminated string field");
			if (ch < 0x20 || ch == 0x7f)
				return fail(c, "control character in a string");
			if (ch == '\\') {
				c->i++;
				if (peek(c) != '"' && peek(c) != '\\')
					return fail(c, "a backslash escaping "
					    "neither '\"' nor '\\'");
			}
			if (!utf8_step(c))
				return false;
		}
		c->i++;
		return true;
	}
	start = c->i;
	while ((ch = peek(c)) >= 0 && ch != ',' && ch != ' ' && ch != '\n')
		c->i++;
	p = (const char *)c->s + start;
	len = c->i - start;
	if (len == 0)
		return fail(c, "a field with no value");
	for (k = 0; k < sizeof bools / sizeof *bools; k++) {
		if (strlen(bools[k]) == len && memcmp(p, bools[k], len) == 0)
			return true;
	}
	if (p[len - 1] == 'i')
		return influx_integer(c, p, len - 1, false);
	if (p[len - 1] == 'u')
		return influx_integer(c, p, len - 1, true);
	return influx_float(c, p, len);
}

static bool
influx_line(struct cur *c)
{
	size_t	start;
	int	ch;

	if (peek(c) == '#')
		return fail(c, "a measurement starting with '#'");
	if (!influx_measurement(c))
		return false;
	while (peek(c) == ',') {		/* tags */
		c->i++;
		if (!influx_name(c, "=, \n", "an empty tag key"))
			return false;
		if (peek(c) != '=')
			return fail(c, "a tag without '='");
		c->i++;
		if (!influx_name(c, "=, \n", "an empty tag value"))
			return false;
	}
	if (peek(c) != ' ')
		return fail(c, "expected a space before the fields");
	c->i++;
	do {					/* fields */
		if (peek(c) == ',')
			c->i++;
		if (!influx_name(c, "=, \n", "an empty field key"))
			return false;
		if (peek(c) != '=')
			return fail(c, "a field without '='");
		c->i++;
		if (!influx_field_value(c))
			return false;
	} while (peek(c) == ',');
	if (peek(c) == ' ') {			/* timestamp */
		c->i++;
		start = c->i;
		if (peek(c) == '-')
			c->i++;
		while (isdigit(peek(c)))
			c->i++;
		if (!influx_integer(c, (const char *)c->s + start,
		    c->i - start, false))
			return false;
	}
	if ((ch = peek(c)) != '\n')
		return fail(c, ch < 0 ? "no newline at the end" :
		    "more after the fields and timestamp");
	newline(c);
	return true;
}

const char *
check_influx(const char *s, size_t n)
{
	struct cur	c;

	cur_init(&c, s, n);
	while (c.i < c.n && influx_line(&c))
		;
	return c.why;
}

/* ------------------------------------------------------------ prom */

static bool
prom_name(struct cur *c, bool metric)
{
	size_t	start = c->i;
	int	ch;

	while ((ch = peek(c)) >= 0 && (isalpha(ch) || ch == '_' ||
	    (metric && ch == ':') || (c->i > start && isdigit(ch))))
		c->i++;
	if (c->i == start)
		return fail(c, metric ? "bad metric name" : "bad label name");
	return true;
}

/* A sample value or timestamp: a Go float (decimal, or NaN, +Inf, -Inf). */
static bool
prom_value(struct cur *c)
{
	size_t	start = c->i;
	int	ch;

	while ((ch = peek(c)) >= 0 && ch != ' ' && ch != '\n')
		c->i++;
	if (c->i - start == 3 && memcmp(c->s + start, "NaN", 3) == 0)
		return true;
	if (c->i - start == 4 && (memcmp(c->s + start, "+Inf", 4) == 0 ||
	    memcmp(c->s + start, "-Inf", 4) == 0))
		return true;
	return influx_float(c, (const char *)c->s + start, c->i - start);
}

/* {name="value",...} */
static bool
prom_labels(struct cur *c)
{
	char	seen[16][64];
	size_t	nseen = 0, start, len, k;
	int	ch;

	c->i++;
	while (peek(c) != '}') {
		start = c->i;
		if (!prom_name(c, false))
			return false;
		len = c->i - start;
		if (len >= 2 && c->s[start] == '_' && c->s[start + 1] == '_')
			return fail(c, "a label name starting with '__'");
		for (k = 0; k < nseen; k++) {
			if (strlen(seen[k]) == len &&
			    memcmp(seen[k], c->s + start, len) == 0)
				return fail(c, "a label given twice");
		}
		if (nseen < 16 && len < 64) {
			memcpy(seen[nseen], c->s + start, len);
			seen[nseen++][len] = '\0';
		}
		if (peek(c) != '=')
			return fail(c, "expected '='");
		c->i++;
		if (peek(c) != '"')
			return fail(c, "expected '\"'");
		c->i++;
		while ((ch = peek(c)) != '"') {
			if (ch < 0 || ch == '\n')
				return fail(c, "unterminated label value");
			if (ch == '\\') {
				c->i++;
				ch = peek(c);
				if (ch != '\\' && ch != '"' && ch != 'n')
					return fail(c, "bad escape in a label "
					    "value");
			}
			if (!utf8_step(c))
				return false;
		}
		c->i++;
		if (peek(c) == ',')
			c->i++;
		else if (peek(c) != '}')
			return fail(c, "expected ',' or '}'");
	}
	c->i++;
	return true;
}

static bool
prom_line(struct cur *c)
{
	int	ch;

	if (peek(c) == '#') {		/* HELP, TYPE or a comment */
		while ((ch = peek(c)) >= 0 && ch != '\n') {
			if (!utf8_step(c))
				return false;
		}
	} else if (peek(c) != '\n') {
		if (!prom_name(c, true))
			return false;
		if (peek(c) == '{' && !prom_labels(c))
			return false;
		if (peek(c) != ' ')
			return fail(c, "expected a space before the value");
		while (peek(c) == ' ')
			c->i++;
		if (!prom_value(c))
			return false;
		if (peek(c) == ' ') {
			c->i++;
			if (!prom_value(c))
				return false;
		}
	}
	if (peek(c) != '\n')
		return fail(c, "expected the end of the line");
	newline(c);
	return true;
}

const char *
check_prom(const char *s, size_t n)
{
	struct cur	c;

	cur_init(&c, s, n);
	while (c.i < c.n && prom_line(&c))
		;
	return c.why;
}

void
check_or_abort(const char *format, const char *why, const char *s, size_t n)
{
	if (why == NULL)
		return;
	fprintf(stderr, "check-formats: %s: %s\n--- output (%zu bytes) ---\n",
	    format, why, n);
	fwrite(s, 1, n, stderr);
	fprintf(stderr, "\n--- end ---\n");
	abort();
}
