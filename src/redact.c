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

/* Names under which a secret is given: inventory and [credentials] keys,
 * config keys and long options.  A dashed spelling is matched by its
 * undashed prefix ("auth" "-pass"), so both are listed. */
static const char *const redact_keys[] = {
	"community", "authpass", "privpass", "auth-pass", "priv-pass",
	"authpassphrase", "privpassphrase",
};

/* Is name the name of a secret (a key or option whose value is one)? */
bool
redact_is_secret_key(const char *name)
{
	size_t	i;

	while (*name == '-')
		name++;
	for (i = 0; i < sizeof redact_keys / sizeof *redact_keys; i++) {
		if (strcasecmp(name, redact_keys[i]) == 0)
			return true;
	}
	return false;
}

/* Where the text to hide starts: just after the first secret key name
 * in s (and one '=' or ':' after it), or NULL if s names none. */
static const char *
redact_cut(const char *s)
{
	const char	*start = NULL, *end = NULL, *p, *q;
	size_t		 i, n;

	for (i = 0; i < sizeof redact_keys / sizeof *redact_keys; i++) {
		n = strlen(redact_keys[i]);
		for (q = s; *q != '\0'; q++) {
			if (strncasecmp(q, redact_keys[i], n) == 0)
				break;
		}
		if (*q == '\0')
			continue;
		p = q + n;
		if (*p == '=' || *p == ':')
			p++;
		/* the first name in s; of two starting there, the longer */
		if (start == NULL || q < start || (q == start && p > end)) {
			start = q;
			end = p;
		}
	}
	return end;
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
