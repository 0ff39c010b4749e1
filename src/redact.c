/*
 * redact.c — what input text may appear in a message.  Error messages
 * quote what the user wrote, and what they wrote may hold a secret (a
 * wrapped inventory line starting "authpass=...", a typo such as
 * "authpass:..." or "--authpass=...") or bytes that a terminal would
 * obey.  Every message that quotes input goes through redact_text.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "snmpfleet.h"

/* Spellings of secrets that are no name of ours: net-snmp's snmp.conf
 * keys, which users carry over.  Ours come from the tables that define
 * them (options.c registers them: OPT_SECRET, TK_SECRET). */
static const char *const redact_foreign[] = {
	"authpassphrase", "privpassphrase",
};

static redact_each_fn	redact_names;

/* Where our own names of secrets come from: fn calls its argument with
 * each until that returns true. */
void
redact_use_names(redact_each_fn fn)
{
	redact_names = fn;
}

/*
 * Call fn with each name under which a secret is given (ours, then the
 * foreign spellings) until it returns true; returns whether one did.
 */
static bool
redact_each(bool (*fn)(const char *, void *), void *arg)
{
	size_t	i;

	if (redact_names != NULL && redact_names(fn, arg))
		return true;
	for (i = 0; i < sizeof redact_foreign / sizeof *redact_foreign; i++) {
		if (fn(redact_foreign[i], arg))
			return true;
	}
	return false;
}

struct redact_cut_state {
	const char	*s;
	const char	*start;		/* the first key name found in s */
	const char	*end;		/* just after it (and its '=' or ':') */
};

/* Note where key first stands in the text, if before the best so far. */
static bool
redact_cut_cb(const char *key, void *arg)
{
	struct redact_cut_state	*st = arg;
	const char		*p, *q;
	size_t			 n = strlen(key);

	for (q = st->s; *q != '\0'; q++) {
		if (strncasecmp(q, key, n) == 0)
			break;
	}
	if (*q == '\0')
		return false;
	p = q + n;
	if (*p == '=' || *p == ':')
		p++;
	/* the first name in s; of two starting there, the longer */
	if (st->start == NULL || q < st->start ||
	    (q == st->start && p > st->end)) {
		st->start = q;
		st->end = p;
	}
	return false;
}

/* Where the text to hide starts: just after the first secret key name
 * in s (and one '=' or ':' after it), or NULL if s names none. */
static const char *
redact_cut(const char *s)
{
	struct redact_cut_state	st = { s, NULL, NULL };

	redact_each(redact_cut_cb, &st);
	return st.end;
}

/*
 * The text s as a message may quote it, in out (of len bytes, at least
 * 8): everything after a secret key name becomes "...", bytes that are
 * not printable ASCII become \xHH, and a long text is cut with "...".
 * Returns out.
 */
const char *
redact_text(const char *s, char *out, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*cut = redact_cut(s);
	unsigned char		 c;
	size_t			 o = 0;

	for (; *s != '\0' && s != cut; s++) {
		if (o + 8 >= len) {
			cut = s;
			break;
		}
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	if (cut != NULL && *s != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
