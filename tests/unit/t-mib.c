/*
 * t-mib.c — lookups in mib.c's built-in objects: by OID (longest
 * prefix, the rest is the instance), by name (plain and
 * module-qualified), unknown ones; what a found object says (kind,
 * syntax, textual convention, enums, hint, table entry, INDEX objects
 * and how each is coded, AUGMENTS); the columns of a table; and the
 * --describe text.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"
#include "tap.h"

static struct oid_text
num(const char *text)
{
	struct oid_text	o = { .len = 0 };

	if (oid_parse_numeric(text, &o) != 0)
		o.len = 0;
	return o;
}

/* The name of the object at text and how many arcs it took, as
 * "name/arcs", or "(none)". */
static const char *
by_oid(const char *text)
{
	static char	s[256];
	struct oid_text	o = num(text);
	struct mib_obj	m;
	size_t		matched;

	if (mib_find_oid(o.v, o.len, &m, &matched) != 0)
		return "(none)";
	snprintf(s, sizeof s, "%s/%zu", mib_str(&m, m.row->name), matched);
	return s;
}

static void
lookups(void)
{
	struct mib_obj	m, e, ix;
	struct oid_text	o;

	is_str(by_oid("1.3.6.1.2.1.2.2.1.8.5"), "ifOperStatus/10",
	    "by OID with an index: the column, the index is the rest");
	is_str(by_oid("1.3.6.1.2.1.1.5.0"), "sysName/8", "a scalar's .0");
	is_str(by_oid("1.3.6.1.2.1.2.2.1.8"), "ifOperStatus/10", "exactly");
	is_str(by_oid("1.3.6.1.2.1.4.34.1.3.1.4.127.0.0.1"),
	    "ipAddressIfIndex/10", "ipAddressTable column, address index");
	is_str(by_oid("1.3.6.1.2.1.2.2.1.99.1"), "ifEntry/9",
	    "an unknown column: the entry is the longest known prefix");
	is_str(by_oid("1.3.6.1.2.1.2.2.1.8.3"), "ifOperStatus/10",
	    "right after the entry was the answer: a column under it");
	is_str(by_oid("1.3.6.1.2.1.2.2.1.8.4"), "ifOperStatus/10",
	    "the same column again (the last answer)");
	is_str(by_oid("1.3.6.1.2.1.2.2.1.7.4"), "ifAdminStatus/10",
	    "then the column before it");
	is_str(by_oid("1.3.6.1.2.1.2.2.1"), "ifEntry/9",
	    "then a prefix of the last answer");
	is_str(by_oid("1.3.6.1.4.1.32473.1"), "(none)", "unknown OID");
	is_str(by_oid("1"), "(none)", "one arc is no object");
	is_str(by_oid("1.0.8802.1.1.2.1.4.1.1.9.0.3.1"), "lldpRemSysName/11",
	    "LLDP-MIB (hand-written subset) is built in");

	ok(mib_find_name("ifDescr", NULL, &m) == 0 &&
	    m.row->kind == MIB_K_COLUMN && m.row->syntax == MIB_SYN_OCTETS &&
	    strcmp(mib_str(&m, m.row->tc), "DisplayString") == 0 &&
	    strcmp(mib_str(&m, m.row->hint), "255a") == 0,
	    "ifDescr: column, OCTET STRING, DisplayString, hint 255a");
	mib_oid(&m, &o);
	is_int(o.len, 10, "ifDescr's OID has 10 arcs");
	ok(mib_find_name("ifDescr", "IF-MIB", &m) == 0,
	    "IF-MIB::ifDescr found");
	ok(mib_find_name("ifDescr", "IP-MIB", &m) != 0,
	    "IP-MIB::ifDescr is not");
	ok(mib_find_name("ifdescr", NULL, &m) != 0, "names are case "
	    "sensitive");
	ok(mib_find_name("noSuchObject", NULL, &m) != 0, "unknown name");
	is_str(mib_source(&(struct mib_obj){ &mib_builtin,
	    &mib_builtin.rows[0] }), "built in", "source of a built-in");

	ok(mib_find_name("ifOperStatus", NULL, &m) == 0, "ifOperStatus");
	is_str(mib_enum_label(&m, 1), "up", "enum 1 is up");
	is_str(mib_enum_label(&m, 7), "lowerLayerDown", "enum 7");
	ok(mib_enum_label(&m, 8) == NULL, "no enum 8");
	ok(mib_entry_of(&m, &e) == 0 &&
	    strcmp(mib_str(&e, e.row->name), "ifEntry") == 0,
	    "ifOperStatus is in ifEntry");
	ok(mib_index_obj(&e, 0, &ix) == 0 &&
	    strcmp(mib_str(&ix, ix.row->name), "ifIndex") == 0 &&
	    mib_index_kind(&ix, false) == MIB_IX_INTEGER,
	    "ifEntry INDEX { ifIndex }, an integer");
	ok(mib_index_obj(&e, 1, &ix) != 0, "ifEntry has one index");

	ok(mib_find_name("ifXEntry", NULL, &e) == 0 &&
	    strcmp(mib_str(&e, e.row->augments), "ifEntry") == 0 &&
	    mib_index_obj(&e, 0, &ix) == 0 &&
	    strcmp(mib_str(&ix, ix.row->name), "ifIndex") == 0,
	    "ifXEntry AUGMENTS ifEntry, so its index is ifIndex");

	ok(mib_find_name("ipNetToPhysicalEntry", NULL, &e) == 0 &&
	    e.row->nindex == 3, "ipNetToPhysicalEntry has three indexes");
	ok(mib_index_obj(&e, 1, &ix) == 0 &&
	    mib_index_kind(&ix, false) == MIB_IX_INETTYPE,
	    "... an InetAddressType");
	ok(mib_index_obj(&e, 2, &ix) == 0 &&
	    mib_index_kind(&ix, false) == MIB_IX_INETADDR,
	    "... and its InetAddress");
	ok(mib_find_name("ipAdEntAddr", NULL, &ix) == 0 &&
	    mib_index_kind(&ix, false) == MIB_IX_IPADDR,
	    "ipAdEntAddr indexes as an IpAddress");
	ok(mib_find_name("dot1dTpFdbAddress", NULL, &ix) == 0 &&
	    ix.row->fixed == 6 && mib_index_kind(&ix, false) == MIB_IX_FIXED,
	    "dot1dTpFdbAddress is a fixed 6-byte string (a MacAddress)");
	ok(mib_find_name("ifPhysAddress", NULL, &ix) == 0 &&
	    mib_index_kind(&ix, false) == MIB_IX_STRING &&
	    mib_index_kind(&ix, true) == MIB_IX_IMPLIED,
	    "a PhysAddress: length first, or IMPLIED");
	ok(mib_find_name("dot1qTpFdbEntry", NULL, &e) == 0 &&
	    e.row->nindex == 2, "Q-BRIDGE-MIB dot1qTpFdbEntry: 2 indexes");
	ok(mib_find_name("hrStorageAllocationUnits", NULL, &m) == 0 &&
	    m.row->syntax == MIB_SYN_INTEGER, "HOST-RESOURCES-MIB");
	ok(mib_find_name("memTotalReal", NULL, &m) == 0 &&
	    strcmp(mib_str(&m, m.row->units), "kB") == 0 &&
	    m.row->kind == MIB_K_SCALAR,
	    "UCD-SNMP-MIB memTotalReal: scalar, UNITS kB");
}

static void
columns(void)
{
	struct oid_text	 o = num("1.3.6.1.2.1.2.2");
	unsigned	 cols[64];
	const char	*names[64];
	size_t		 n;

	n = names_columns(o.v, o.len, false, cols, names, 64);
	ok(n == 22 && cols[0] == 1 && strcmp(names[0], "ifIndex") == 0 &&
	    cols[21] == 22 && strcmp(names[21], "ifSpecific") == 0,
	    "ifTable has 22 columns, ifIndex to ifSpecific (%zu)", n);
	o = num("1.3.6.1.4.1.2021.10.1");
	n = names_columns(o.v, o.len, true, cols, names, 64);
	ok(n >= 8 && cols[n - 1] == 101 &&
	    strcmp(names[n - 1], "laErrMessage") == 0,
	    "laEntry's columns reach laErrMessage (101) past a gap (%zu)", n);
	o = num("1.3.6.1.4.1.32473");
	ok(names_columns(o.v, o.len, false, cols, names, 64) == 0,
	    "an unknown table has no columns");
}

static void
describe(void)
{
	struct buf	 b = { 0 };
	char		*cause = NULL;

	ok(mib_describe("IF-MIB::ifOperStatus.3", &b, &cause) == 0,
	    "describe IF-MIB::ifOperStatus.3");
	ok(strstr(buf_cstr(&b), "enums:    up(1) down(2) testing(3) "
	    "unknown(4) dormant(5) notPresent(6) lowerLayerDown(7)\n") != NULL,
	    "... its enums");
	ok(strstr(buf_cstr(&b), "instance: 3\n") != NULL, "... the instance");
	ok(strstr(buf_cstr(&b), "index:    ifIndex (InterfaceIndex: "
	    "integer)\n") != NULL, "... its index");
	b.len = 0;
	ok(mib_describe("noSuchThing", &b, &cause) != 0 && cause != NULL &&
	    strstr(cause, "unknown object 'noSuchThing'") != NULL,
	    "unknown object: an error that names it");
	free(cause);
	cause = NULL;
	ok(mib_describe("1.3.6.1.4.1.32473.1", &b, &cause) != 0,
	    "unknown OID");
	free(cause);
	buf_free(&b);
}

/* The members mib_value_json adds for a varbind (OID text, type, value). */
static const char *
meaning(const char *oidtext, u_char type, const void *val, size_t len)
{
	static struct buf		 b;
	netsnmp_variable_list		*list = NULL;
	struct oid_text			 o = num(oidtext);

	snmp_varlist_add_variable(&list, o.v, o.len, type, val, len);
	b.len = 0;
	buf_addc(&b, '{');
	mib_value_json(list, &b);
	buf_addc(&b, '}');
	snmp_free_varbind(list);
	return buf_cstr(&b);
}

static void
values(void)
{
	long		 i2 = 2, kb = 1024;
	u_long		 ticks = 12345;
	const u_char	 mac[] = { 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e };
	const u_char	 date[] = { 0x07, 0xea, 11, 30, 13, 5, 9, 7, '+', 1, 0 };
	const u_char	 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const u_char	 caps[] = { 0x28 };
	const u_char	 text[] = "eth0";
	struct oid_text	 ram = num("1.3.6.1.2.1.25.2.1.2");

	is_str(meaning("1.3.6.1.2.1.2.2.1.8.3", ASN_INTEGER, &i2, sizeof i2),
	    "{,\"enum\":\"down\"}", "an enum's label");
	is_str(meaning("1.3.6.1.2.1.2.2.1.6.3", ASN_OCTET_STR, mac, sizeof mac),
	    "{,\"display\":\"00:1a:2b:3c:4d:5e\"}",
	    "a PhysAddress through its hint 1x:");
	is_str(meaning("1.3.6.1.2.1.25.1.2.0", ASN_OCTET_STR, date,
	    sizeof date), "{,\"display\":\"2026-11-30T13:05:09.7+01:00\"}",
	    "a DateAndTime as ISO 8601");
	is_str(meaning("1.3.6.1.2.1.4.24.7.1.6.2.16.32.1.13.184.0.0.0.0.0.0.0."
	    "0.0.0.0.0.64.1.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
	    ASN_OCTET_STR, v6, sizeof v6), "{,\"display\":\"2001:db8::1\"}",
	    "an InetAddress of 16 octets as IPv6");
	is_str(meaning("1.0.8802.1.1.2.1.4.1.1.12.0.3.1", ASN_OCTET_STR, caps,
	    sizeof caps), "{,\"bits\":[\"bridge\",\"router\"]}",
	    "BITS: the labels of the bits set");
	is_str(meaning("1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR, text, 4), "{}",
	    "a DisplayString adds nothing to its text");
	is_str(meaning("1.3.6.1.2.1.1.3.0", ASN_TIMETICKS, &ticks,
	    sizeof ticks), "{,\"seconds\":123.45}", "TimeTicks in seconds");
	is_str(meaning("1.3.6.1.4.1.2021.4.5.0", ASN_INTEGER, &kb, sizeof kb),
	    "{,\"units\":\"kB\"}", "UNITS");
	is_str(meaning("1.3.6.1.2.1.25.2.3.1.2.1", ASN_OBJECT_ID, ram.v,
	    ram.len * sizeof(oid)), "{,\"display\":\"hrStorageRam\"}",
	    "an OID value by its name");
	is_str(meaning("1.3.6.1.2.1.2.2.1.99.1", ASN_INTEGER, &i2, sizeof i2),
	    "{}", "an unknown column: nothing");
	is_str(meaning("1.3.6.1.2.1.2.2.1.8", ASN_INTEGER, &i2, sizeof i2),
	    "{}", "the object itself, no instance: nothing");
}

/* mib_index_values' callback: "name=text" and how (#: a number, ~: hex). */
static void
ixval_cb(void *arg, const struct mib_index_part *p, enum mib_show show,
    const char *text, size_t n)
{
	struct buf	*b = arg;

	if (b->len != 0)
		buf_addc(b, ' ');
	buf_printf(b, "%s=%.*s%s", p->name, (int)n, text,
	    show == MIB_SHOW_NUMBER ? "#" : show == MIB_SHOW_HEX ? "~" : "");
}

/* Instance sfx of column col through mib_index_values, as ixval_cb
 * writes it; "-1" after what it gave if it failed. */
static const char *
ixvals(const char *col, const char *sfx)
{
	static struct buf	 b;
	struct mib_index_spec	 s;
	struct mib_obj		 o;
	struct oid_text		 c = num(col), x = num(sfx);
	size_t			 matched;

	b.len = 0;
	if (mib_find_oid(c.v, c.len, &o, &matched) != 0 ||
	    mib_index_spec(&o, &s) != 0)
		return "no spec";
	if (mib_index_values(&s, x.v, x.len, ixval_cb, &b) != 0)
		buf_adds(&b, " -1");
	return buf_cstr(&b);
}

static void
index_values(void)
{
	is_str(ixvals("1.3.6.1.2.1.17.4.3.1.2", "0.26.43.60.77.94"),
	    "dot1dTpFdbAddress=00:1a:2b:3c:4d:5e",
	    "a MacAddress INDEX as its hint shows it, lower-case");
	is_str(ixvals("1.3.6.1.2.1.4.35.1.4",
	    "3.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1"),
	    "ipNetToPhysicalIfIndex=3# ipNetToPhysicalNetAddressType=2# "
	    "ipNetToPhysicalNetAddress=fe80::1",
	    "integers as numbers, an InetAddress by its type (IPv6)");
	is_str(ixvals("1.3.6.1.2.1.4.34.1.3", "1.4.127.0.0.1"),
	    "ipAddressAddrType=1# ipAddressAddr=127.0.0.1",
	    "an InetAddress of type 1 as IPv4");
	is_str(ixvals("1.3.6.1.2.1.4.20.1.2", "127.0.0.1"),
	    "ipAdEntAddr=127.0.0.1", "an IpAddress INDEX");
	is_str(ixvals("1.0.8802.1.1.2.1.4.1.1.9", "100.1.2"),
	    "lldpRemTimeMark=100# lldpRemLocalPortNum=1# lldpRemIndex=2#",
	    "lldpRemTable's three integers");
	is_str(ixvals("1.3.6.1.2.1.4.20.1.2", "127.0.1"), " -1",
	    "too few arcs: -1");
	is_str(ixvals("1.3.6.1.2.1.2.2.1.2", "1.2"), "ifIndex=1# -1",
	    "arcs left over: -1");
}

int
main(void)
{
	index_values();
	lookups();
	columns();
	describe();
	values();
	return tap_done();
}
