/*
 * inventory.c — the target table.  A host, a CIDR block or an a-b range
 * is one entry with a count and a running total; target i is found by
 * binary search, so a /8 costs one entry and nothing is ever expanded.
 * Per-target settings (community, version, timeout, tags, ...) are
 * interned: lines with the same keys share one target_params.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snmpfleet.h"

#define INV_MAX_BLOCK	((uint64_t)1 << 32)
#define INV_MAX_ERRORS	20

struct intern_slot {
	char		*key;
	uint32_t	 index;
};

struct intern {
	struct intern_slot	*slots;
	size_t			 cap;
	size_t			 used;
};

static uint64_t
inventory_hash(const char *s)
{
	return parse_hash_bytes(s, strlen(s));
}

static struct intern_slot *
intern_find(struct intern *t, const char *key)
{
	size_t	i;

	i = inventory_hash(key) & (t->cap - 1);
	while (t->slots[i].key != NULL && strcmp(t->slots[i].key, key) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void
intern_grow(struct intern *t)
{
	struct intern	 old = *t;
	size_t		 i;

	t->cap = old.cap ? old.cap * 2 : 64;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key != NULL)
			*intern_find(t, old.slots[i].key) = old.slots[i];
	}
	free(old.slots);
}

static struct target_params *
params_copy(const struct target_params *p)
{
	struct target_params	*c = xcalloc(1, sizeof *c);
	size_t			 i;

	*c = *p;
	c->community = xstrdup(p->community);
	c->user = p->user ? xstrdup(p->user) : NULL;
	c->authpass = p->authpass ? xstrdup(p->authpass) : NULL;
	c->privpass = p->privpass ? xstrdup(p->privpass) : NULL;
	c->context = p->context ? xstrdup(p->context) : NULL;
	c->keys = NULL;
	c->tags = NULL;
	if (p->ntags != 0) {
		c->tags = xcalloc(p->ntags * 2, sizeof *c->tags);
		for (i = 0; i < p->ntags * 2; i++)
			c->tags[i] = xstrdup(p->tags[i]);
	}
	return c;
}

void
inventory_init(struct inventory *inv, const struct target_params *defaults,
    unsigned default_port)
{
	memset(inv, 0, sizeof *inv);
	inv->params = xcalloc(1, sizeof *inv->params);
	inv->params[0] = params_copy(defaults);
	inv->nparams = 1;
	inv->default_port = default_port;
	inv->intern = xcalloc(1, sizeof(struct intern));
	buf_init(&inv->names);
}

void
inventory_free(struct inventory *inv)
{
	struct intern	*t = inv->intern;
	size_t		 i;

	for (i = 0; i < inv->nparams; i++)
		target_params_free(inv->params[i]);
	free(inv->params);
	if (t != NULL) {
		for (i = 0; i < t->cap; i++)
			free(t->slots[i].key);
		free(t->slots);
		free(t);
	}
	free(inv->entries);
	buf_free(&inv->names);
	memset(inv, 0, sizeof *inv);
}

static void	inventory_addr_add(uint8_t *, size_t, uint64_t);

/*
 * Does an address block (not a name) continue the last entry: the same
 * family, port and parameters, its first address the one after the
 * entry's last (no wrap)?  Then the entry grows instead (100,000 hosts
 * one per line in order are one entry: inventory_get and dedup look at
 * one entry, not 100,000).
 */
static bool
inventory_extends(const struct inventory *inv, int family,
    const uint8_t *addr, uint64_t count, uint16_t port, uint32_t params)
{
	const struct inv_entry	*e;
	uint8_t			 next[16];
	size_t			 len = family == AF_INET ? 4 : 16;

	if (inv->nentries == 0)
		return false;
	e = &inv->entries[inv->nentries - 1];
	if (e->name != INV_NO_NAME || e->family != family ||
	    e->port != port || e->params != params ||
	    e->count + count > INV_MAX_BLOCK)
		return false;
	memcpy(next, e->addr, len);
	inventory_addr_add(next, len, e->count);
	return memcmp(next, addr, len) == 0 && memcmp(next, e->addr, len) > 0;
}

/* Add the entry, checking that the table's total stays countable. */
static int
inventory_push(struct inventory *inv, int family, const uint8_t *addr,
    uint64_t count, uint16_t port, uint32_t params, uint32_t name,
    char **cause)
{
	struct inv_entry	*e;

	if (count == 0) {
		*cause = xstrdup("empty range");
		return -1;
	}
	if (count > INV_MAX_BLOCK) {
		*cause = xstrdup("block too large (at most 2^32 addresses)");
		return -1;
	}
	if (inv->total + count < inv->total) {
		*cause = xstrdup("too many targets");
		return -1;
	}
	if (name == INV_NO_NAME &&
	    inventory_extends(inv, family, addr, count, port, params)) {
		inv->entries[inv->nentries - 1].count += count;
		inv->total += count;
		return 0;
	}
	if (inv->nentries == inv->cap) {
		inv->cap = inv->cap ? inv->cap * 2 : 64;
		inv->entries = xreallocarray(inv->entries, inv->cap,
		    sizeof *inv->entries);
	}
	e = &inv->entries[inv->nentries++];
	memset(e, 0, sizeof *e);
	e->first = inv->total;
	e->count = count;
	e->family = (uint8_t)family;
	memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
	e->port = port;
	e->params = params;
	e->name = name;
	inv->total += count;
	if (name != INV_NO_NAME)
		return 0;	/* looked up while polling (resolve.c) */
	if (family == AF_INET)
		inv->has_v4 = true;
	else
		inv->has_v6 = true;
	return 0;
}

static int
inventory_addr(const char *s, int *family, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

/* Add n to a big-endian address of len bytes (wrapping is the caller's
 * concern: ranges are checked before). */
static void
inventory_addr_add(uint8_t *addr, size_t len, uint64_t n)
{
	size_t		i = len;
	unsigned	carry;

	while (i-- > 0 && n != 0) {
		carry = addr[i] + (unsigned)(n & 0xff);
		addr[i] = (uint8_t)carry;
		n = (n >> 8) + (carry >> 8);
	}
}

/* b - a for addresses that differ only in their last 8 bytes; -1 if b <
 * a or the difference does not fit 2^32. */
static int64_t
inventory_addr_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint64_t	x = 0, y = 0;
	size_t		i, start = len > 8 ? len - 8 : 0;

	if (memcmp(a, b, start) != 0)
		return -1;
	for (i = start; i < len; i++) {
		x = x << 8 | a[i];
		y = y << 8 | b[i];
	}
	if (y < x || y - x >= INV_MAX_BLOCK)
		return -1;
	return (int64_t)(y - x);
}

static int
inventory_cidr(struct inventory *inv, const char *host, const char *plen,
    uint16_t port, uint32_t params, char **cause)
{
	uint8_t		addr[16];
	unsigned long	bits;
	uint64_t	count;
	size_t		len, i;
	int		family;
	char		sb[REDACT_MAX];

	if (inventory_addr(host, &family, addr) != 0) {
		*cause = xasprintf("bad address in CIDR block '%s'",
		    redact_text(host, sb, sizeof sb));
		return -1;
	}
	len = family == AF_INET ? 4 : 16;
	if (parse_ulong(plen, len * 8, &bits) != 0) {
		*cause = xasprintf("bad prefix length '/%s'",
		    redact_text(plen, sb, sizeof sb));
		return -1;
	}
	if (len * 8 - bits > 32) {
		*cause = xasprintf("block /%lu too large (at most 2^32 "
		    "addresses)", bits);
		return -1;
	}
	for (i = 0; i < len * 8; i++) {		/* clear the host bits */
		if (i >= bits)
			addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	}
	count = (uint64_t)1 << (len * 8 - bits);
	if (family == AF_INET && bits <= 30) {	/* skip network, broadcast */
		inventory_addr_add(addr, len, 1);
		count -= 2;
	}
	return inventory_push(inv, family, addr, count, port, params,
	    INV_NO_NAME, cause);
}

static int
inventory_range(struct inventory *inv, const char *host, const char *end,
    uint16_t port, uint32_t params, char **cause)
{
	uint8_t		a[16], b[16];
	unsigned long	last;
	int64_t		diff;
	int		fa, fb;
	size_t		len;
	char		sb[REDACT_MAX];

	/* host is an address (inventory_is_range); end is unchecked */
	if (inventory_addr(host, &fa, a) != 0) {
		*cause = xasprintf("bad address '%s'", host);
		return -1;
	}
	len = fa == AF_INET ? 4 : 16;
	if (inventory_addr(end, &fb, b) == 0) {
		if (fb != fa) {
			*cause = xasprintf("range '%s-%s' mixes IPv4 and IPv6",
			    host, end);
			return -1;
		}
	} else if (fa == AF_INET &&
	    parse_ulong(end, 255, &last) == 0) {
		memcpy(b, a, len);
		b[3] = (uint8_t)last;
	} else {
		*cause = xasprintf("bad range end '%s'",
		    redact_text(end, sb, sizeof sb));
		return -1;
	}
	if ((diff = inventory_addr_diff(a, b, len)) < 0) {
		*cause = xasprintf("bad range '%s-%s' (end before start, or "
		    "more than 2^32 addresses)", host, end);
		return -1;
	}
	return inventory_push(inv, fa, a, (uint64_t)diff + 1, port, params,
	    INV_NO_NAME, cause);
}

/*
 * Is host, which is no address, a host name as RFC 1123 spells one:
 * labels of 1 to 63 letters, digits and hyphens, not starting or ending
 * with a hyphen, joined by dots (a final dot allowed), 253 bytes at
 * most?  Checked before any resolver call, so that text which cannot be
 * a name never becomes a DNS query.
 */
static int
inventory_check_name(const char *host, char **cause)
{
	const char	*p, *label = host;
	char		 sb[REDACT_MAX];
	size_t		 len = strlen(host);

	if (strspn(host, "0123456789.") == len) {
		*cause = xasprintf("bad IPv4 address '%s'",
		    redact_text(host, sb, sizeof sb));
		return -1;
	}
	if (strchr(host, ':') != NULL) {
		*cause = xasprintf("bad address '%s' (a port goes after the "
		    "host as HOST:PORT, an IPv6 address with a port as "
		    "[ADDR]:PORT)", redact_text(host, sb, sizeof sb));
		return -1;
	}
	for (p = host; *p != '\0'; p++) {
		if (!isascii((unsigned char)*p) ||
		    (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')) {
			*cause = xasprintf("bad host name '%s' (letters, "
			    "digits, hyphens and dots only)",
			    redact_text(host, sb, sizeof sb));
			return -1;
		}
	}
	if (host[len - 1] == '.')
		len--;
	for (p = host; p <= host + len; p++) {
		if (p != host + len && *p != '.')
			continue;
		if (p == label || p - label > 63 || *label == '-' ||
		    p[-1] == '-' || len > 253) {
			*cause = xasprintf("bad host name '%s' (dot-separated "
			    "labels of 1 to 63 characters, not starting or "
			    "ending with a hyphen)",
			    redact_text(host, sb, sizeof sb));
			return -1;
		}
		label = p + 1;
	}
	return 0;
}

/*
 * A host name: checked now, looked up while polling (resolve.c, in the
 * worker that claims it), so that no resolver call is made for an
 * inventory with a bad line and a name that does not resolve fails only
 * its own target.  The entry has family 0 until then.
 */
static int
inventory_name(struct inventory *inv, const char *host, uint16_t port,
    uint32_t params, char **cause)
{
	uint8_t		 addr[16];
	uint32_t	 name;
	int		 family;

	if (inventory_addr(host, &family, addr) == 0)
		return inventory_push(inv, family, addr, 1, port, params,
		    INV_NO_NAME, cause);
	if (inventory_check_name(host, cause) != 0)
		return -1;
	if (inv->names.len >= INV_NO_NAME - 512) {
		*cause = xstrdup("too many host names");
		return -1;
	}
	name = (uint32_t)inv->names.len;
	buf_add(&inv->names, host, strlen(host) + 1);
	memset(addr, 0, sizeof addr);
	if (inventory_push(inv, AF_INET, addr, 1, port, params, name,
	    cause) != 0)
		return -1;
	inv->entries[inv->nentries - 1].family = 0;
	inv->nnames++;
	return 0;
}

/* Is host (with a '-' at dash) an address range rather than a name? */
static bool
inventory_is_range(char *host, char *dash)
{
	uint8_t	addr[16];
	int	family, rc;

	*dash = '\0';
	rc = inventory_addr(host, &family, addr);
	*dash = '-';
	return rc == 0;
}

/* net-snmp's transport prefixes (snmpcmd(1)), and what each means */
static const struct inv_prefix {
	const char	*name;
	int		 transport;
	bool		 v6;		/* an address must be IPv6 */
} inventory_prefixes[] = {
	{ "udp:", TARGET_UDP, false },
	{ "tcp:", TARGET_TCP, false },
	{ "udp6:", TARGET_UDP, true },
	{ "tcp6:", TARGET_TCP, true },
	{ "udpv6:", TARGET_UDP, true },
	{ "tcpv6:", TARGET_TCP, true },
	{ "udpipv6:", TARGET_UDP, true },
	{ "tcpipv6:", TARGET_TCP, true },
	{ "ipv6:", TARGET_UDP, true },
};

/* The prefix spec starts with (its length in *len), or NULL. */
static const struct inv_prefix *
inventory_prefix(const char *spec, size_t *len)
{
	size_t	i;

	for (i = 0; i < sizeof inventory_prefixes /
	    sizeof inventory_prefixes[0]; i++) {
		*len = strlen(inventory_prefixes[i].name);
		if (strncasecmp(spec, inventory_prefixes[i].name, *len) == 0)
			return &inventory_prefixes[i];
	}
	return NULL;
}

/*
 * The params index of params carried by transport instead (a spec's
 * prefix): params itself if it is, else a copy made once (interned under
 * a key no line can have: lines' keys end in a newline).
 */
static uint32_t
inventory_params_transport(struct inventory *inv, uint32_t params,
    int transport)
{
	struct intern		*t = inv->intern;
	struct intern_slot	*slot;
	struct target_params	*p;
	char			*key;

	if (inv->params[params]->transport == transport)
		return params;
	key = xasprintf("%u transport %d", params, transport);
	if (t->used * 2 >= t->cap)
		intern_grow(t);
	slot = intern_find(t, key);
	if (slot->key != NULL) {
		free(key);
		return slot->index;
	}
	p = params_copy(inv->params[params]);
	p->transport = transport;
	inv->params = xreallocarray(inv->params, inv->nparams + 1,
	    sizeof *inv->params);
	inv->params[inv->nparams] = p;
	slot->key = key;
	slot->index = (uint32_t)inv->nparams++;
	t->used++;
	return slot->index;
}

/*
 * Add one target spec: host, host:port, [v6]:port, bare v6, CIDR block
 * (v4 or v6) or range a-b / a-N, with the given params index, after an
 * optional transport prefix (tcp:, udp6:, ...: net-snmp's spellings).
 * A port or prefix in the spec beats the params' port or transport.
 */
int
inventory_add_spec(struct inventory *inv, const char *spec, uint32_t params,
    char **cause)
{
	const struct inv_prefix	*pre;
	char			*s, *host, *colon, *slash, *dash, *close;
	char			 sb[REDACT_MAX];
	unsigned long		 port = 0;
	size_t			 first = inv->nentries, plen;
	int			 rc;

	if ((pre = inventory_prefix(spec, &plen)) != NULL) {
		params = inventory_params_transport(inv, params,
		    pre->transport);
		spec += plen;
	}
	s = xstrdup(spec);
	host = s;
	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL) {
			*cause = xasprintf("missing ']' in '%s'",
			    redact_text(spec, sb, sizeof sb));
			free(s);
			return -1;
		}
		*close = '\0';
		host = s + 1;
		colon = close + 1;
		if (*colon == ':')
			colon++;
		else if (*colon != '\0')
			colon = NULL;
		if (colon == NULL || (*colon != '\0' &&
		    parse_ulong(colon, 65535, &port) != 0) ||
		    (*colon != '\0' && port == 0)) {
			*cause = xasprintf("bad port in '%s'",
			    redact_text(spec, sb, sizeof sb));
			free(s);
			return -1;
		}
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		*colon++ = '\0';
		if (parse_ulong(colon, 65535, &port) != 0 ||
		    port == 0) {
			*cause = xasprintf("bad port '%s'",
			    redact_text(colon, sb, sizeof sb));
			free(s);
			return -1;
		}
	}
	if (*host == '\0') {
		*cause = xasprintf("no host in '%s'",
		    redact_text(spec, sb, sizeof sb));
		rc = -1;
	} else if ((slash = strchr(host, '/')) != NULL) {
		*slash = '\0';
		rc = inventory_cidr(inv, host, slash + 1, (uint16_t)port,
		    params, cause);
	} else if ((dash = strrchr(host, '-')) != NULL &&
	    inventory_is_range(host, dash)) {
		*dash = '\0';
		rc = inventory_range(inv, host, dash + 1, (uint16_t)port,
		    params, cause);
	} else {
		rc = inventory_name(inv, host, (uint16_t)port, params,
		    cause);
	}
	free(s);
	if (rc == 0 && pre != NULL && pre->v6 && inv->nentries > first &&
	    inv->entries[first].family == AF_INET) {
		*cause = xasprintf("%.*s needs an IPv6 address, not '%s'",
		    (int)plen - 1, pre->name, redact_text(spec, sb, sizeof sb));
		inv->total -= inv->entries[first].count;
		inv->nentries = first;
		rc = -1;
	}
	return rc;
}

/* Apply the named credential set (a config file's [credentials NAME]). */
static int
inventory_cred(struct inventory *inv, struct target_params *p,
    const char *name, char **cause)
{
	const struct cred_set	*c = NULL;
	char			*kv, *eq, sb[REDACT_MAX];
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < inv->ncreds; i++) {
		if (strcmp(inv->creds[i].name, name) == 0)
			c = &inv->creds[i];
	}
	if (c == NULL) {
		*cause = xasprintf("unknown credential set '%s'",
		    redact_text(name, sb, sizeof sb));
		return -1;
	}
	for (i = 0; i < c->kv.n && rc == 0; i++) {
		kv = xstrdup(c->kv.v[i]);
		eq = strchr(kv, '=');
		*eq = '\0';
		if ((rc = target_key_set(p, kv, eq + 1, cause)) != 0) {
			eq = *cause;
			*cause = xasprintf("credential set '%s': %s", name, eq);
			free(eq);
		}
		free(kv);
	}
	return rc;
}

/* Find or make the params for a line's keys (tokens after the spec). */
static int
inventory_params(struct inventory *inv, char **tok, size_t ntok,
    uint32_t *index, char **cause)
{
	struct intern		*t = inv->intern;
	struct intern_slot	*slot;
	struct target_params	*p;
	const struct target_key	*k;
	struct buf		 key;
	char			*eq, sb[REDACT_MAX];
	size_t			 i;
	int			 rc;

	*index = 0;
	if (ntok == 0)
		return 0;
	buf_init(&key);
	for (i = 0; i < ntok; i++) {
		buf_adds(&key, tok[i]);
		buf_addc(&key, '\n');
	}
	if (t->used * 2 >= t->cap)
		intern_grow(t);
	slot = intern_find(t, buf_cstr(&key));
	if (slot->key != NULL) {
		buf_free(&key);
		*index = slot->index & 0x7fffffff;
		return 0;
	}
	p = params_copy(inv->params[0]);
	for (i = 0; i < ntok; i++) {
		if ((eq = strchr(tok[i], '=')) == NULL || eq == tok[i]) {
			*cause = xasprintf("expected key=value, not '%s'",
			    redact_text(tok[i], sb, sizeof sb));
			goto fail;
		}
		*eq = '\0';
		k = target_key_find(tok[i]);
		if (k != NULL && (k->flags & TK_SET_REF))
			rc = inventory_cred(inv, p, eq + 1, cause);
		else
			rc = target_key_set(p, tok[i], eq + 1, cause);
		if (rc != 0)
			goto fail;
		inv->has_secrets |= (k->flags & TK_SECRET) != 0;
		*eq = '=';
	}
	usm_imply_level(p);
	if (usm_check(p, cause) != 0)
		goto fail;
	inv->has_v3 |= p->snmp_version == SNMP_VERSION_3;
	inv->params = xreallocarray(inv->params, inv->nparams + 1,
	    sizeof *inv->params);
	inv->params[inv->nparams] = p;
	*index = (uint32_t)inv->nparams++;
	slot->key = key.data;
	slot->index = *index;
	t->used++;
	return 0;
fail:
	target_params_free(p);
	buf_free(&key);
	return -1;
}

/* Parse one inventory line in place (comments and blank lines are fine). */
int
inventory_add_line(struct inventory *inv, char *line, char **cause)
{
	char		*tok[64], *s, *save = NULL, sb[REDACT_MAX];
	size_t		 ntok = 0;
	uint32_t	 params;

	for (s = strtok_r(line, " \t\r\n", &save); s != NULL;
	    s = strtok_r(NULL, " \t\r\n", &save)) {
		if (*s == '#')
			break;
		if (ntok == sizeof tok / sizeof tok[0]) {
			*cause = xstrdup("too many keys on one line");
			return -1;
		}
		tok[ntok++] = s;
	}
	if (ntok == 0)
		return 0;
	if (strchr(tok[0], '=') != NULL) {
		*cause = xasprintf("line starts with '%s', not a host",
		    redact_text(tok[0], sb, sizeof sb));
		return -1;
	}
	if (inventory_params(inv, tok + 1, ntok - 1, &params, cause) != 0)
		return -1;
	if (inventory_add_spec(inv, tok[0], params, cause) != 0)
		return -1;
	return 0;
}

/*
 * Read an inventory from f (named path in messages), streaming it line
 * by line.  Every bad line is reported in *cause as "FILE:LINE: reason"
 * (up to INV_MAX_ERRORS of them); any bad line makes it return -1.
 */
int
inventory_load(struct inventory *inv, const char *path, FILE *f,
    char **cause)
{
	struct buf	 errors;
	char		*line = NULL, *why;
	size_t		 cap = 0;
	ssize_t		 n;
	unsigned	 lineno = 0, nerr = 0;

	buf_init(&errors);
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		/* a NUL would end the line early and drop its keys */
		if (memchr(line, '\0', (size_t)n) != NULL)
			why = xstrdup("NUL byte in the line");
		else if (inventory_add_line(inv, line, &why) == 0)
			continue;
		if (nerr++ < INV_MAX_ERRORS)
			buf_printf(&errors, "%s%s:%u: %s",
			    errors.len ? "\n" : "", path, lineno, why);
		free(why);
	}
	if (ferror(f) && nerr++ == 0)
		buf_printf(&errors, "%s: %s", path, strerror(errno));
	free(line);
	if (nerr == 0) {
		buf_free(&errors);
		return 0;
	}
	if (nerr > INV_MAX_ERRORS)
		buf_printf(&errors, "\n%s: %u more bad lines", path,
		    nerr - INV_MAX_ERRORS);
	*cause = errors.data;
	return -1;
}

/* Write the IPv4 address a as "a.b.c.d" and a NUL to out (16 bytes at
 * most): what inet_ntop writes, without its sprintf (once per target). */
static void
inventory_ntop4(const uint8_t *a, char *out)
{
	unsigned	i, v;

	for (i = 0; i < 4; i++) {
		v = a[i];
		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

/* Fill t with target i (0 <= i < inv->total).  A host name not looked
 * up yet has addrlen 0 (resolve_fill gives it its address). */
void
inventory_get(const struct inventory *inv, uint64_t i, struct target *t)
{
	const struct inv_entry	*e;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	uint8_t			 addr[16];
	size_t			 lo = 0, hi = inv->nentries, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (inv->entries[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	e = &inv->entries[lo];
	memset(t, 0, sizeof *t);
	t->index = i;
	t->params = inv->params[e->params];
	t->port = e->port ? e->port : t->params->port ? t->params->port :
	    (uint16_t)inv->default_port;
	t->default_port = t->port == inv->default_port;
	if (e->family == 0) {
		snprintf(t->host, sizeof t->host, "%s",
		    inv->names.data + e->name);
		return;
	}
	if (e->family == AF_INET) {
		memcpy(addr, e->addr, 4);
		inventory_addr_add(addr, 4, i - e->first);
		sin = (struct sockaddr_in *)&t->addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(t->port);
		memcpy(&sin->sin_addr, addr, 4);
		t->addrlen = sizeof *sin;
	} else {
		memcpy(addr, e->addr, 16);
		inventory_addr_add(addr, 16, i - e->first);
		sin6 = (struct sockaddr_in6 *)&t->addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->port);
		memcpy(&sin6->sin6_addr, addr, 16);
		t->addrlen = sizeof *sin6;
	}
	if (e->name != INV_NO_NAME)
		snprintf(t->host, sizeof t->host, "%s",
		    inv->names.data + e->name);
	else if (e->family == AF_INET)
		inventory_ntop4(addr, t->host);
	else
		inet_ntop(e->family, addr, t->host, sizeof t->host);
}

/*
 * The shard (0..n-1) of a target: a jump consistent hash (Lamping and
 * Veach) of "host:port" as records show it.  It depends on nothing but
 * the target itself, so adding targets moves none of the others, and
 * going from n to n+1 shards moves only about 1/(n+1) of them.
 */
unsigned
inventory_shard(const struct target *t, unsigned n)
{
	char		key[300];
	uint64_t	h;
	int64_t		b = -1, j = 0;
	int		len;

	len = snprintf(key, sizeof key, "%s:%u", t->host, t->port);
	h = parse_hash_bytes(key, (size_t)len);
	while (j < (int64_t)n) {
		b = j;
		h = h * 2862933555777941757ull + 1;
		j = (int64_t)((double)(b + 1) *
		    ((double)(1ll << 31) / (double)((h >> 33) + 1)));
	}
	return (unsigned)b;
}
