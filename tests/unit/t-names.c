/*
 * t-names.c — names from the generated built-in MIB table: known OIDs
 * both ways for each table it covers, and a walk over the whole table
 * (every name parses, and describes back to itself; names and OIDs
 * unique; tables, entries and columns nested as they should be).
 */
#include "config.h"

#include "snmpfleet.h"
#include "tap.h"
#include "oid-helpers.h"

/* name <-> oid, both ways. */
static void
both(const char *name, const char *oid)
{
	is_str(parsed(name), oid, "%s -> %s", name, oid);
	is_str(described(oid), name, "%s -> %s", oid, name);
}

static void
diag_fail(const char *what, const char *name, const char *got,
    const char *want)
{
	printf("# %s %s: got '%s', want '%s'\n", what, name, got, want);
}

/* The kind of the built-in object at o minus its last arc, or -1. */
static int
parent_kind(const struct oid_text *o)
{
	struct mib_obj	m;
	size_t		matched;

	if (mib_find_oid(o->v, o->len - 1, &m, &matched) != 0 ||
	    matched != o->len - 1)
		return -1;
	return m.row->kind;
}

/*
 * Every row of the generated table: its name parses to its OID (+ .0
 * for scalars) and describes back; rows in strict OID order; names
 * unique; tables hold entries, entries hold columns, scalars are in no
 * entry.
 */
static void
walk(void)
{
	const struct mib_set	*s = &mib_builtin;
	struct mib_obj		 m = { s, NULL };
	struct oid_text		 o, prev;
	struct buf		 want = { 0 }, text = { 0 };
	const char		*name;
	size_t			 i;
	int			 bad_parse = 0, bad_describe = 0;
	int			 bad_order = 0, bad_dup = 0, bad_nest = 0;
	int			 kids;

	ok(s->nrows >= 1000, "table has %zu objects", s->nrows);
	prev.len = 0;
	for (i = 0; i < s->nrows; i++) {
		m.row = &s->rows[i];
		name = mib_str(&m, m.row->name);
		mib_oid(&m, &o);
		want.len = text.len = 0;
		oid_format(o.v, o.len, &want);
		if (m.row->kind == MIB_K_SCALAR)
			buf_adds(&want, ".0");
		if (strcmp(parsed(name), buf_cstr(&want)) != 0) {
			bad_parse++;
			diag_fail("parse", name, parsed(name), buf_cstr(&want));
		}
		buf_adds(&text, name);
		if (m.row->kind == MIB_K_SCALAR)
			buf_adds(&text, ".0");
		if (strcmp(described(name), buf_cstr(&text)) != 0) {
			bad_describe++;
			diag_fail("describe", name, described(name),
			    buf_cstr(&text));
		}
		if (i > 0 && oid_compare(prev.v, prev.len, o.v, o.len) >= 0) {
			bad_order++;
			printf("# out of order or duplicate OID: %s\n", name);
		}
		prev = o;
		if (i > 0 && strcmp(mib_str(&m, s->rows[s->by_name[i - 1]].name),
		    mib_str(&m, s->rows[s->by_name[i]].name)) >= 0) {
			bad_dup++;
			printf("# by_name out of order or duplicate at %s\n",
			    mib_str(&m, s->rows[s->by_name[i]].name));
		}
		kids = parent_kind(&o);
		if ((m.row->kind == MIB_K_ENTRY && kids != MIB_K_TABLE) ||
		    (m.row->kind == MIB_K_COLUMN && kids != MIB_K_ENTRY) ||
		    (m.row->kind == MIB_K_SCALAR && kids == MIB_K_ENTRY)) {
			bad_nest++;
			printf("# %s (kind %d) is under kind %d\n", name,
			    m.row->kind, kids);
		}
	}
	buf_free(&want);
	buf_free(&text);
	is_int(bad_parse, 0, "every name parses to its OID");
	is_int(bad_describe, 0, "every OID describes back to its name");
	is_int(bad_order, 0, "table is in strict OID order (OIDs unique)");
	is_int(bad_dup, 0, "names are unique and sorted");
	is_int(bad_nest, 0, "tables, entries, columns and scalars nest");
}

int
main(void)
{
	struct oid_text	o;
	bool		scalar = true;

	/* SNMPv2-MIB system group and sysORTable */
	both("sysDescr.0", "1.3.6.1.2.1.1.1.0");
	both("sysORLastChange.0", "1.3.6.1.2.1.1.8.0");
	both("sysOREntry", "1.3.6.1.2.1.1.9.1");
	both("sysORIndex.2", "1.3.6.1.2.1.1.9.1.1.2");
	both("sysORUpTime.7", "1.3.6.1.2.1.1.9.1.4.7");

	/* SNMPv2-MIB snmp group */
	both("snmpInPkts.0", "1.3.6.1.2.1.11.1.0");
	both("snmpInBadCommunityNames.0", "1.3.6.1.2.1.11.4.0");
	both("snmpInTooBigs.0", "1.3.6.1.2.1.11.8.0");
	both("snmpInTraps.0", "1.3.6.1.2.1.11.19.0");
	both("snmpOutGenErrs.0", "1.3.6.1.2.1.11.24.0");
	both("snmpProxyDrops.0", "1.3.6.1.2.1.11.32.0");
	is_str(parsed("snmpOutTraps"), "1.3.6.1.2.1.11.29.0",
	    "snmp counter is a scalar");
	is_str(described("1.3.6.1.2.1.11.7.0"), "snmp.7.0",
	    "snmp.7 was never assigned");

	/* IF-MIB */
	both("ifNumber.0", "1.3.6.1.2.1.2.1.0");
	both("ifSpecific.3", "1.3.6.1.2.1.2.2.1.22.3");
	both("ifCounterDiscontinuityTime.1001",
	    "1.3.6.1.2.1.31.1.1.1.19.1001");
	both("ifStackStatus.0.5", "1.3.6.1.2.1.31.1.2.1.3.0.5");
	both("ifStackHigherLayer", "1.3.6.1.2.1.31.1.2.1.1");
	both("ifTableLastChange.0", "1.3.6.1.2.1.31.1.5.0");
	both("ifStackLastChange.0", "1.3.6.1.2.1.31.1.6.0");

	/* ENTITY-MIB */
	both("entPhysicalSerialNum.1", "1.3.6.1.2.1.47.1.1.1.1.11.1");
	both("entPhysicalIndex.1", "1.3.6.1.2.1.47.1.1.1.1.1.1");
	both("entPhysicalUris.1", "1.3.6.1.2.1.47.1.1.1.1.18.1");
	both("entPhysicalUUID.1", "1.3.6.1.2.1.47.1.1.1.1.19.1");

	/* HOST-RESOURCES-MIB */
	both("hrStorageUsed", "1.3.6.1.2.1.25.2.3.1.6");
	both("hrStorageAllocationFailures.31", "1.3.6.1.2.1.25.2.3.1.7.31");
	both("hrSystemMaxProcesses.0", "1.3.6.1.2.1.25.1.7.0");
	both("hrMemorySize.0", "1.3.6.1.2.1.25.2.2.0");
	both("hrDeviceErrors.196608", "1.3.6.1.2.1.25.3.2.1.6.196608");
	both("hrProcessorLoad.196608", "1.3.6.1.2.1.25.3.3.1.2.196608");
	both("hrStorageFixedDisk", "1.3.6.1.2.1.25.2.1.4");

	/* IP-MIB */
	both("ipForwarding.0", "1.3.6.1.2.1.4.1.0");
	both("ipDefaultTTL.0", "1.3.6.1.2.1.4.2.0");
	both("ipAdEntNetMask.10.0.0.1", "1.3.6.1.2.1.4.20.1.3.10.0.0.1");
	both("ipAddressIfIndex", "1.3.6.1.2.1.4.34.1.3");
	both("ipAddressStorageType.1.4.192.0.2.1",
	    "1.3.6.1.2.1.4.34.1.11.1.4.192.0.2.1");
	is_str(described("1.3.6.1.2.1.4.21.1.1.0.0.0.0"), "ip.21.1.1.0.0.0.0",
	    "ipRouteTable (RFC1213-MIB) is not built in: the ip group names it");
	is_str(described("1.3.6.1.4.1.2021.10.1.3.1"), "laLoad.1",
	    "UCD-SNMP-MIB is built in");
	is_str(described("1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.26.43.60.77.94"),
	    "dot1qTpFdbPort.1.0.26.43.60.77.94", "Q-BRIDGE-MIB is built in");

	/* BRIDGE-MIB */
	both("dot1dBaseBridgeAddress.0", "1.3.6.1.2.1.17.1.1.0");
	both("dot1dBaseType.0", "1.3.6.1.2.1.17.1.3.0");
	both("dot1dBasePortIfIndex.5", "1.3.6.1.2.1.17.1.4.1.2.5");
	both("dot1dBasePortMtuExceededDiscards.5",
	    "1.3.6.1.2.1.17.1.4.1.5.5");

	/* LLDP-MIB */
	both("lldpRemSysName", "1.0.8802.1.1.2.1.4.1.1.9");
	both("lldpRemPortId.0.3.1", "1.0.8802.1.1.2.1.4.1.1.7.0.3.1");
	both("lldpRemSysCapEnabled.0.3.1", "1.0.8802.1.1.2.1.4.1.1.12.0.3.1");
	both("lldpLocSysName.0", "1.0.8802.1.1.2.1.3.3.0");
	both("lldpLocChassisId.0", "1.0.8802.1.1.2.1.3.2.0");

	/* names_lookup itself */
	ok(names_lookup("hrStorageUsed", &o, &scalar) == 0 && !scalar &&
	    o.len == 11, "lookup column");
	ok(names_lookup("sysUpTime", &o, &scalar) == 0 && scalar &&
	    o.len == 8, "lookup scalar (no .0 added by lookup)");
	ok(names_lookup("sysuptime", &o, &scalar) != 0, "names are case "
	    "sensitive");
	ok(names_lookup("noSuchName", &o, &scalar) != 0, "unknown name");

	walk();
	return tap_done();
}
