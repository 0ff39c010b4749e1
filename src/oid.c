/*
 * oid.c — OIDs as text: numeric ("1.3.6.1.2.1.1.5.0", leading dot
 * optional) or names ("sysName.0", "SNMPv2-MIB::sysName.0", "ifDescr.3"),
 * resolved by the built-in table first and net-snmp's MIBs second; and
 * starting net-snmp.  OIDs as numbers are oid-num.c's, which names.c
 * uses too.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* Longer OID text than this is refused before any lookup: 128 arcs of
 * 10 digits take 1,408 characters. */
#define OID_TEXT_MAX	1536

/*
 * Is text a well-formed OID or name, before anything looks it up?
 * net-snmp's parser can take gigabytes and seconds on odd text (40 '+'
 * after a letter), so only this much reaches it: [MODULE::]NAME[.SUFFIX]
 * or dotted numbers, an optional leading dot, letters, digits and
 * "_ . : -", no empty component, at most one "::", and OID_TEXT_MAX
 * characters.  On error *cause says what is wrong.
 */
static int
oid_check_text(const char *text, char **cause)
{
	const char	*s = text, *colons;
	size_t		 len = strlen(text), i;

	if (len == 0) {
		*cause = xstrdup("empty OID");
		return -1;
	}
	if (len > OID_TEXT_MAX) {
		*cause = xasprintf("bad OID '%.40s...': longer than %d "
		    "characters", text, OID_TEXT_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)text[i]) &&
		    strchr("_.:-", text[i]) == NULL) {
			*cause = xasprintf("bad OID '%s': only letters, digits "
			    "and _ . : - may appear in an OID or name", text);
			return -1;
		}
	}
	if ((colons = strstr(text, "::")) != NULL) {
		if (colons == text || strchr(colons + 2, ':') != NULL ||
		    memchr(text, '.', (size_t)(colons - text)) != NULL) {
			*cause = xasprintf("bad OID '%s': expected "
			    "MODULE::NAME", text);
			return -1;
		}
		s = colons + 2;
	} else if (strchr(text, ':') != NULL) {
		*cause = xasprintf("bad OID '%s': a lone ':' (MODULE::NAME "
		    "takes two)", text);
		return -1;
	}
	if (*s == '.' && s == text)
		s++;		/* ".1.3.6" */
	for (;;) {
		if (*s == '\0' || *s == '.') {
			*cause = xasprintf("bad OID '%s': empty component",
			    text);
			return -1;
		}
		s += strcspn(s, ".");
		if (*s == '\0')
			return 0;
		s++;
	}
}


/*
 * Is text fit for net-snmp's name parser: printable ASCII, each kind of
 * quote (string indices: name."abc") closed?  read_objid once read a
 * byte past the end of a name with an unclosed quote under fuzz-oid (in
 * libnetsnmp, not reproducible alone), and no MIB name needs more.
 */
static bool
oid_mib_text_ok(const char *text)
{
	size_t	dq = 0, sq = 0;

	for (; *text != '\0'; text++) {
		if (*text <= ' ' || *text > '~')
			return false;
		dq += *text == '"';
		sq += *text == '\'';
	}
	return dq % 2 == 0 && sq % 2 == 0;
}

/*
 * Ask net-snmp (which knows whatever MIB files it loaded): a full name
 * (read_objid) or a label found anywhere in the tree, with its suffix
 * (get_node, "MODULE::name" too).  Not snmp_parse_oid(): when those
 * fail it goes on "wildly parsing", compiling the text as a regular
 * expression and taking any node that matches, so "s" or "is" meant iso
 * and "K+++..." took gigabytes (found by fuzz-oid).  Fewer than two
 * sub-identifiers is no object, as in the numeric form.
 */
static int
oid_parse_mib(const char *text, struct oid_text *o)
{
	size_t	len = MAX_OID_LEN;

	if (get_tree_head() == NULL || !oid_mib_text_ok(text))
		return -1;
	if (read_objid(text, o->v, &len) == 0) {
		len = MAX_OID_LEN;
		if (get_node(text, o->v, &len) == 0)
			return -1;
	}
	if (len < 2)
		return -1;
	/* net-snmp lets "ccitt.333333333333333303295" overflow to 2^64-1;
	 * a sub-identifier is 32 bits, as in the numeric form (fuzz-oid) */
	for (size_t i = 0; i < len; i++) {
		if (o->v[i] > 0xffffffffUL)
			return -1;
	}
	o->len = len;
	return 0;
}

/*
 * Parse text into o.  Names: "name[.suffix]" where name is built in or
 * known to net-snmp's MIBs; a built-in scalar with no suffix gets ".0".
 */
int
oid_parse(const char *text, struct oid_text *o, char **cause)
{
	const char	*name = text, *colons, *dot;
	char		*base;
	bool		 scalar;
	int		 rc;

	o->len = 0;
	if (oid_check_text(text, cause) != 0)
		return -1;
	/* one number is a subtree, as in "snmpwalk .1"; the first is 0, 1
	 * or 2 (BER cannot encode more: "127.0.0.2" is no OID) */
	if (*text == '.' || isdigit((unsigned char)*text)) {
		if (oid_parse_numeric(text, o) != 0 || o->len < 1) {
			*cause = xasprintf("bad OID '%s'", text);
			return -1;
		}
		if (o->v[0] > 2) {
			*cause = xasprintf("bad OID '%s': an OID starts with "
			    "0, 1 or 2", text);
			return -1;
		}
		return 0;
	}
	if ((colons = strstr(text, "::")) != NULL)
		name = colons + 2;
	dot = strchr(name, '.');
	base = dot ? xstrndup(name, (size_t)(dot - name)) : xstrdup(name);
	rc = names_lookup(base, o, &scalar);
	free(base);
	if (rc == 0) {
		if (dot != NULL)
			rc = oid_parse_numeric(dot, o);
		else if (scalar)
			o->v[o->len++] = 0;
		if (rc != 0) {
			*cause = xasprintf("bad index in '%s'", text);
			return -1;
		}
		return 0;
	}
	if (oid_parse_mib(text, o) == 0)
		return 0;
	*cause = xasprintf("unknown object '%s' (give it numerically, or "
	    "install its MIB file: see MIBS in snmpfleet(1))", text);
	return -1;
}

/*
 * Start net-snmp as the codec and MIB library: read its usual config
 * (snmp.conf: MIBs, output options) the way snmpget does, and keep quiet
 * about MIB files it cannot parse.  Values print (-F text) as snmpget
 * prints them given outopts (-O, checked by options.c: net-snmp's own
 * letters, toggled before init_snmp as snmpget does), or, without,
 * with OIDs numeric as -On.  Call once, before any fork (MIB parsing is
 * not thread-safe); mib_prepare before it says which modules to read.
 */
void
oid_init_netsnmp(const char *outopts)
{
	char	*copy;

	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIB_ERRORS, 0);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	if (outopts != NULL) {
		copy = xstrdup(outopts);
		(void)snmp_out_toggle_options(copy);
		free(copy);
	}
	init_snmp("snmpapp");
	if (outopts == NULL)
		netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
		    NETSNMP_OID_OUTPUT_NUMERIC);
}
