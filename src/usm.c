/*
 * usm.c — SNMPv3 user-based security for the v3 transport: net-snmp's
 * spellings of levels and protocols, master keys (Ku) computed once per
 * credential set (generate_Ku costs ~2 ms: never per target or request),
 * the engineID discovery probe, and what a USM Report means.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "snmpfleet.h"

struct usm_proto {
	const char	*name;
	const oid	*oid;
	size_t		 len;
};

/* index 0: none */
static const struct usm_proto usm_auths[] = {
	{ "none", NULL, 0 },
#ifndef NETSNMP_DISABLE_MD5
	{ "MD5", usmHMACMD5AuthProtocol, 10 },
#endif
	{ "SHA", usmHMACSHA1AuthProtocol, 10 },
#ifdef HAVE_EVP_SHA224
	{ "SHA-224", usmHMAC128SHA224AuthProtocol, 10 },
	{ "SHA-256", usmHMAC192SHA256AuthProtocol, 10 },
#endif
#ifdef HAVE_EVP_SHA384
	{ "SHA-384", usmHMAC256SHA384AuthProtocol, 10 },
	{ "SHA-512", usmHMAC384SHA512AuthProtocol, 10 },
#endif
};

static const struct usm_proto usm_privs[] = {
	{ "none", NULL, 0 },
#ifndef NETSNMP_DISABLE_DES
	{ "DES", usmDESPrivProtocol, 10 },
#endif
	{ "AES", usmAESPrivProtocol, 10 },
#ifdef NETSNMP_DRAFT_BLUMENTHAL_AES_04
	{ "AES-192", usmAES192PrivProtocol, 9 },
	{ "AES-256", usmAES256PrivProtocol, 9 },
	/* Cisco's: the same ciphers, but the key is extended to 24/32 bytes
	 * the Reeder (3DES draft) way, not Blumenthal's; net-snmp knows the
	 * OIDs and extends the localized key by them */
	{ "AES-192-C", usmAES192CiscoPrivProtocol, 11 },
	{ "AES-256-C", usmAES256CiscoPrivProtocol, 11 },
#endif
};

#define NAUTH	(sizeof usm_auths / sizeof usm_auths[0])
#define NPRIV	(sizeof usm_privs / sizeof usm_privs[0])

static unsigned long	usm_ku_count;

/* Do a and b name the same protocol, dashes aside ("AES256C" is
 * "AES-256-C", "SHA256" is "SHA-256")? */
static bool
usm_same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (toupper((u_char)*a++) != toupper((u_char)*b++))
			return false;
	}
}

/* The index of protocol name in table t (of n), in net-snmp's
 * spellings too (SHA1, AES128, AES256C, ...); -1 if none. */
static int
usm_find(const struct usm_proto *t, size_t n, const char *name)
{
	size_t	i;

	if (usm_same_name(name, "SHA1"))
		name = "SHA";
	else if (usm_same_name(name, "AES128"))
		name = "AES";
	for (i = 1; i < n; i++) {
		if (usm_same_name(t[i].name, name))
			return (int)i;
	}
	return -1;
}

static char *
usm_supported(const struct usm_proto *t, size_t n)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 1; i < n; i++)
		buf_printf(&b, "%s%s", i > 1 ? ", " : "", t[i].name);
	return b.data;
}

/* level=: noAuthNoPriv, authNoPriv or authPriv (any case). */
int
usm_set_level(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	char	sb[REDACT_MAX];

	if (strcasecmp(value, "noAuthNoPriv") == 0)
		p->level = SNMP_SEC_LEVEL_NOAUTH;
	else if (strcasecmp(value, "authNoPriv") == 0)
		p->level = SNMP_SEC_LEVEL_AUTHNOPRIV;
	else if (strcasecmp(value, "authPriv") == 0)
		p->level = SNMP_SEC_LEVEL_AUTHPRIV;
	else {
		*cause = xasprintf("bad security level '%s' "
		    "(noAuthNoPriv, authNoPriv or authPriv)",
		    redact_text(value, sb, sizeof sb));
		return -1;
	}
	p->level_set = true;
	return 0;
}

/* The protocol called value in table t (of n) into *out; what names the
 * kind in *cause ("authentication", "privacy"). */
static int
usm_set_proto(const struct usm_proto *t, size_t n, const char *what,
    const char *value, int *out, char **cause)
{
	char	*list, sb[REDACT_MAX];
	int	 i;

	if ((i = usm_find(t, n, value)) < 0) {
		list = usm_supported(t, n);
		*cause = xasprintf("%s protocol '%s' is not supported by this "
		    "net-snmp (it has: %s)", what,
		    redact_text(value, sb, sizeof sb), list);
		free(list);
		return -1;
	}
	*out = i;
	return 0;
}

/* auth=: an authentication protocol this net-snmp has. */
int
usm_set_auth(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	return usm_set_proto(usm_auths, NAUTH, "authentication", value,
	    &p->auth, cause);
}

/* priv=: a privacy protocol this net-snmp has. */
int
usm_set_priv(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	return usm_set_proto(usm_privs, NPRIV, "privacy", value, &p->priv,
	    cause);
}

/* An engineID in hex ("0x" allowed), 5 to 32 bytes, into out (32
 * bytes) and *len; what names it in *cause. */
static int
usm_hex_engine(const char *what, const char *value, u_char *out, size_t *len,
    char **cause)
{
	size_t	 n = 0, cap = 32;
	char	 sb[REDACT_MAX];

	if (strncmp(value, "0x", 2) == 0 || strncmp(value, "0X", 2) == 0)
		value += 2;
	if (!snmp_hex_to_binary(&out, &cap, &n, 0, value) || n < 5 ||
	    n > 32) {
		*cause = xasprintf("bad %s '%s' (5 to 32 bytes in hex)", what,
		    redact_text(value, sb, sizeof sb));
		return -1;
	}
	*len = n;
	return 0;
}

/* engineid=: the agent's (security) engineID, skipping discovery. */
int
usm_set_engineid(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	return usm_hex_engine("engineID", value, p->engine_id,
	    &p->engine_id_len, cause);
}

/* contextengineid=: the contextEngineID of requests (a proxy's target,
 * say); without it, the agent's own engineID. */
int
usm_set_context_engineid(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	return usm_hex_engine("contextEngineID", value, p->context_engine_id,
	    &p->context_engine_id_len, cause);
}

/* Without an explicit level, the passphrases given say which (as
 * net-snmp does): never send a credential set below what it can do. */
void
usm_imply_level(struct target_params *p)
{
	if (p->level_set)
		return;
	p->level = p->privpass ? SNMP_SEC_LEVEL_AUTHPRIV :
	    p->authpass ? SNMP_SEC_LEVEL_AUTHNOPRIV : SNMP_SEC_LEVEL_NOAUTH;
}

/* Is p a usable v3 credential set?  (Only for version 3 targets.) */
int
usm_check(const struct target_params *p, char **cause)
{
	if (p->snmp_version != SNMP_VERSION_3)
		return 0;
	if (p->user == NULL || *p->user == '\0') {
		*cause = xstrdup("SNMPv3 needs a user (-u, user=)");
		return -1;
	}
	if (p->level >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
		if (p->auth == 0) {
			*cause = xstrdup("this security level needs an "
			    "authentication protocol (-a, auth=)");
			return -1;
		}
		if (p->authpass == NULL || strlen(p->authpass) < 8) {
			*cause = xstrdup("this security level needs an "
			    "authentication passphrase of 8 characters or "
			    "more (-A, authpass=, SNMPFLEET_AUTHPASS)");
			return -1;
		}
	}
	if (p->level == SNMP_SEC_LEVEL_AUTHPRIV) {
		if (p->priv == 0) {
			*cause = xstrdup("authPriv needs a privacy protocol "
			    "(-x, priv=)");
			return -1;
		}
		if (p->privpass == NULL || strlen(p->privpass) < 8) {
			*cause = xstrdup("authPriv needs a privacy passphrase "
			    "of 8 characters or more (-X, privpass=, "
			    "SNMPFLEET_PRIVPASS)");
			return -1;
		}
	}
	return 0;
}

/*
 * Compute p's master keys.  Credential sets with the same protocol and
 * passphrase share one computation (a small cache), so the cost is one
 * generate_Ku per distinct passphrase, whatever the number of targets.
 * Call in the parent, before fork.
 */
int
usm_prepare(struct target_params *p, char **cause)
{
	static struct {
		int		 auth;
		char		*pass;
		u_char		 ku[USM_AUTH_KU_LEN];
		size_t		 len;
	}			 cache[64];
	static size_t		 ncache;
	const struct usm_proto	*a = &usm_auths[p->auth];
	const char		*pass[2] = { p->authpass, p->privpass };
	u_char			*out[2];
	size_t			*outlen[2], i, k;

	if (p->snmp_version != SNMP_VERSION_3 || p->keys != NULL ||
	    p->level < SNMP_SEC_LEVEL_AUTHNOPRIV)
		return 0;
	p->keys = xcalloc(1, sizeof *p->keys);
	out[0] = p->keys->auth_ku;
	out[1] = p->keys->priv_ku;
	outlen[0] = &p->keys->auth_ku_len;
	outlen[1] = &p->keys->priv_ku_len;
	for (k = 0; k < 2; k++) {
		if (pass[k] == NULL || (k == 1 &&
		    p->level != SNMP_SEC_LEVEL_AUTHPRIV))
			continue;
		for (i = 0; i < ncache; i++) {
			if (cache[i].auth == p->auth &&
			    strcmp(cache[i].pass, pass[k]) == 0)
				break;
		}
		if (i == ncache) {
			cache[i].len = USM_AUTH_KU_LEN;
			if (generate_Ku(a->oid, (u_int)a->len,
			    (const u_char *)pass[k], strlen(pass[k]),
			    cache[i].ku, &cache[i].len) != SNMPERR_SUCCESS) {
				*cause = xstrdup("cannot compute the SNMPv3 "
				    "key from the passphrase");
				return -1;
			}
			usm_ku_count++;
			cache[i].auth = p->auth;
			cache[i].pass = xstrdup(pass[k]);
			if (ncache < sizeof cache / sizeof cache[0] - 1)
				ncache++;
		}
		memcpy(out[k], cache[i].ku, cache[i].len);
		*outlen[k] = cache[i].len;
	}
	return 0;
}

/* How many times a passphrase was turned into a key (for benchmarks). */
unsigned long
usm_ku_computed(void)
{
	return usm_ku_count;
}

const char *
usm_level_name(int level)
{
	switch (level) {
	case SNMP_SEC_LEVEL_AUTHPRIV:
		return "authPriv";
	case SNMP_SEC_LEVEL_AUTHNOPRIV:
		return "authNoPriv";
	default:
		return "noAuthNoPriv";
	}
}

const char *
usm_auth_name(int i)
{
	return usm_auths[i].name;
}

const char *
usm_priv_name(int i)
{
	return usm_privs[i].name;
}

/* Fill a (not yet opened) session with p's user and keys. */
void
usm_session(const struct target_params *p, netsnmp_session *s)
{
	s->version = SNMP_VERSION_3;
	s->securityModel = SNMP_SEC_MODEL_USM;
	s->securityName = p->user;
	s->securityNameLen = strlen(p->user);
	s->securityLevel = p->level ? p->level : SNMP_SEC_LEVEL_NOAUTH;
	if (p->context != NULL) {
		s->contextName = p->context;
		s->contextNameLen = strlen(p->context);
	}
	if (p->level >= SNMP_SEC_LEVEL_AUTHNOPRIV && p->keys != NULL) {
		s->securityAuthProto = (oid *)usm_auths[p->auth].oid;
		s->securityAuthProtoLen = usm_auths[p->auth].len;
		memcpy(s->securityAuthKey, p->keys->auth_ku,
		    p->keys->auth_ku_len);
		s->securityAuthKeyLen = p->keys->auth_ku_len;
	}
	if (p->level == SNMP_SEC_LEVEL_AUTHPRIV && p->keys != NULL) {
		s->securityPrivProto = (oid *)usm_privs[p->priv].oid;
		s->securityPrivProtoLen = usm_privs[p->priv].len;
		memcpy(s->securityPrivKey, p->keys->priv_ku,
		    p->keys->priv_ku_len);
		s->securityPrivKeyLen = p->keys->priv_ku_len;
	}
}

/*
 * What a Report says, from its first varbind's counter: RFC 3414's
 * usmStats, RFC 3412's snmpMPDStats, RFC 3413's snmpUnknownContexts and
 * snmpUnavailableContexts (those two name the context asked for).
 */
struct usm_report {
	oid		 prefix[9];	/* the counters' parent */
	size_t		 len;
	const char	*why[7];	/* by the counter's number */
};

static const struct usm_report usm_reports[] = {
	{ { 1, 3, 6, 1, 6, 3, 15, 1, 1 }, 9, { NULL,
	    "unsupported security level for this user",
	    "not in time window",
	    "unknown user name",
	    "unknown engine ID",
	    "wrong authentication passphrase (wrong digest)",
	    "decryption error (wrong privacy passphrase?)" } },
	{ { 1, 3, 6, 1, 6, 3, 11, 2, 1 }, 9, { NULL,
	    "unknown security model",
	    "invalid message (the agent could not parse it)",
	    "unknown PDU handler (the agent takes no such request in "
	    "this context)" } },
	{ { 1, 3, 6, 1, 6, 3, 12, 1 }, 8, { NULL, NULL, NULL, NULL,
	    "unavailable context",
	    "unknown context" } },
};

/* The reason of a Report (allocated): its counter's meaning; a context
 * report names p's context. */
char *
usm_report_reason(const netsnmp_pdu *pdu, const struct target_params *p)
{
	const netsnmp_variable_list	*v = pdu->variables;
	const struct usm_report		*r;
	const char			*why;
	char				 sb[REDACT_MAX];
	size_t				 i;

	for (i = 0; v != NULL && i < sizeof usm_reports / sizeof
	    usm_reports[0]; i++) {
		r = &usm_reports[i];
		if (v->name_length <= r->len ||
		    !oid_is_prefix(r->prefix, r->len, v->name,
		    v->name_length) || v->name[r->len] >= 7 ||
		    (why = r->why[v->name[r->len]]) == NULL)
			continue;
		if (r->len == 8)	/* the context reports */
			return xasprintf("%s '%s'", why, redact_text(
			    p->context ? p->context : "", sb, sizeof sb));
		return xstrdup(why);
	}
	return xstrdup("report from the agent");
}

/* Is the Report "not in time window" (resend once: net-snmp has now
 * learned the agent's time)? */
bool
usm_report_time_window(const netsnmp_pdu *pdu)
{
	static const oid	tw[] = { 1, 3, 6, 1, 6, 3, 15, 1, 1, 2 };
	const netsnmp_variable_list	*v = pdu->variables;

	return v != NULL && oid_is_prefix(tw, 10, v->name, v->name_length);
}

/* Append tag, a short length, and n bytes of v; returns the new end. */
static u_char *
usm_tlv(u_char *at, u_char tag, const void *v, size_t n)
{
	*at++ = tag;
	*at++ = (u_char)n;
	memcpy(at, v, n);
	return at + n;
}

static u_char *
usm_int(u_char *at, int32_t v)
{
	u_char	b[4] = { (u_char)(v >> 24), (u_char)(v >> 16), (u_char)(v >> 8),
		    (u_char)v };
	size_t	s = 0;

	while (s < 3 && ((b[s] == 0 && !(b[s + 1] & 0x80)) ||
	    (b[s] == 0xff && (b[s + 1] & 0x80))))
		s++;
	return usm_tlv(at, 0x02, b + s, 4 - s);
}

/*
 * An engineID discovery message (RFC 3414 4): v3, reportable,
 * noAuthNoPriv, empty engineID and user, an empty GET with request and
 * message id id.  The agent answers with a Report carrying its engineID,
 * boots and time; net-snmp's parser then knows the engine's time.
 * Returns its length (out must hold 128 bytes).
 */
size_t
usm_probe(u_char *out, size_t size, int32_t id)
{
	u_char	global[32], usm[32], secparams[40], pdu[32], scoped[48];
	u_char	body[128], *e;
	size_t	gl, ul, sl, pl, cl, bl;

	e = usm_int(global, id);				/* msgID */
	e = usm_int(e, 65507);					/* msgMaxSize */
	e = usm_tlv(e, 0x04, "\x04", 1);			/* reportable */
	e = usm_int(e, 3);					/* USM */
	gl = (size_t)(e - global);
	e = usm_tlv(usm, 0x04, "", 0);				/* engineID */
	e = usm_int(e, 0);					/* boots */
	e = usm_int(e, 0);					/* time */
	e = usm_tlv(e, 0x04, "", 0);				/* user */
	e = usm_tlv(e, 0x04, "", 0);				/* auth */
	e = usm_tlv(e, 0x04, "", 0);				/* priv */
	ul = (size_t)(e - usm);
	secparams[0] = 0x04;		/* an OCTET STRING holding the sequence */
	secparams[1] = (u_char)(ul + 2);
	e = usm_tlv(secparams + 2, 0x30, usm, ul);
	sl = (size_t)(e - secparams);
	e = usm_int(pdu, id);					/* request-id */
	e = usm_int(e, 0);
	e = usm_int(e, 0);
	e = usm_tlv(e, 0x30, "", 0);				/* no varbinds */
	pl = (size_t)(e - pdu);
	e = usm_tlv(scoped, 0x04, "", 0);			/* contextEngineID */
	e = usm_tlv(e, 0x04, "", 0);				/* contextName */
	e = usm_tlv(e, SNMP_MSG_GET, pdu, pl);
	cl = (size_t)(e - scoped);
	e = usm_int(body, 3);					/* msgVersion */
	e = usm_tlv(e, 0x30, global, gl);
	memcpy(e, secparams, sl);
	e += sl;
	e = usm_tlv(e, 0x30, scoped, cl);
	bl = (size_t)(e - body);
	if (bl + 2 > size)
		return 0;
	usm_tlv(out, 0x30, body, bl);
	return bl + 2;
}

/*
 * Per-target keys in net-snmp's one user entry per (engineID, user
 * name).  net-snmp (5.9) fills an entry's keys from the first session
 * that creates it and never again, so a second target of the same
 * engine and user (the same agent at another address, devices with a
 * cloned engineID) silently used the first one's keys: a wrong
 * passphrase could come back ok and a right one fail.  Now each
 * session's open makes its own entry (the one there is set aside
 * meanwhile), keeps a copy of the keys net-snmp localized into it, and
 * puts them back into the entry before every use of the session
 * (usm_local_apply): sending, reading, timeouts all run on one thread.
 */

/* Before a session's snmp_sess_open(): set aside the entry of (engine,
 * user), if any, so that the open makes one with this target's keys.
 * Returns it, for usm_local_end(). */
struct usmUser *
usm_local_begin(const u_char *engine, size_t len, const char *user)
{
	struct usmUser	*u = usm_get_user(engine, len, user);

	if (u != NULL)
		usm_remove_user(u);
	return u;
}

static void *
usm_dup(const void *p, size_t n)
{
	return p != NULL && n != 0 ? netsnmp_memdup(p, n) : NULL;
}

/* Free *p of n bytes, zeroed first (a key). */
static void
usm_wipe(u_char **p, size_t *n)
{
	if (*p != NULL) {
		memset(*p, 0, *n);
		free(*p);
	}
	*p = NULL;
	*n = 0;
}

/* Free u's protocols and keys (the keys zeroed first). */
static void
usm_clear_keys(struct usmUser *u)
{
	usm_wipe(&u->authKey, &u->authKeyLen);
	usm_wipe(&u->privKey, &u->privKeyLen);
	free(u->authProtocol);
	free(u->privProtocol);
	u->authProtocol = u->privProtocol = NULL;
	u->authProtocolLen = u->privProtocolLen = 0;
}

/* dst's protocols and keys become copies of src's. */
static void
usm_copy_keys(struct usmUser *dst, const struct usmUser *src)
{
	usm_clear_keys(dst);
	dst->authProtocol = usm_dup(src->authProtocol,
	    src->authProtocolLen * sizeof(oid));
	dst->authProtocolLen = dst->authProtocol ? src->authProtocolLen : 0;
	dst->privProtocol = usm_dup(src->privProtocol,
	    src->privProtocolLen * sizeof(oid));
	dst->privProtocolLen = dst->privProtocol ? src->privProtocolLen : 0;
	dst->authKey = usm_dup(src->authKey, src->authKeyLen);
	dst->authKeyLen = dst->authKey ? src->authKeyLen : 0;
	dst->privKey = usm_dup(src->privKey, src->privKeyLen);
	dst->privKeyLen = dst->privKey ? src->privKeyLen : 0;
}

static bool
usm_same(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Have a and b the same protocols and keys? */
static bool
usm_same_keys(const struct usmUser *a, const struct usmUser *b)
{
	return usm_same(a->authKey, a->authKeyLen, b->authKey,
	    b->authKeyLen) && usm_same(a->privKey, a->privKeyLen, b->privKey,
	    b->privKeyLen) && usm_same(a->authProtocol, a->authProtocolLen *
	    sizeof(oid), b->authProtocol, b->authProtocolLen * sizeof(oid)) &&
	    usm_same(a->privProtocol, a->privProtocolLen * sizeof(oid),
	    b->privProtocol, b->privProtocolLen * sizeof(oid));
}

/* After the open (whether it worked or not): copy the keys of the entry
 * it made into k, and put the set-aside one (if any) back in its place. */
void
usm_local_end(struct usm_local *k, struct usmUser *saved,
    const u_char *engine, size_t len, const char *user)
{
	struct usmUser	*u = usm_get_user(engine, len, user);

	memset(k, 0, sizeof *k);
	if (u != NULL && u != saved) {
		usm_copy_keys(&k->keys, u);
		if (saved != NULL) {
			usm_remove_user(u);
			usm_free_user(u);
			u = NULL;
		}
	}
	if (saved != NULL) {
		usm_add_user(saved);
		u = saved;
	}
	k->entry = u;
}

/* Put k's keys into its entry, if another target's are there. */
void
usm_local_apply(const struct usm_local *k)
{
	if (k->entry != NULL && !usm_same_keys(k->entry, &k->keys))
		usm_copy_keys(k->entry, &k->keys);
}

void
usm_local_free(struct usm_local *k)
{
	usm_clear_keys(&k->keys);
	k->entry = NULL;
}
