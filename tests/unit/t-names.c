/*
 * t-names.c — the built-in name table: known OIDs both ways for each
 * table it covers, and a walk over the whole table (every name parses,
 * and describes back to itself; names and OIDs unique; tables, entries
 * and columns nested as they should be).
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

static bool
ends_with(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The table entry whose OID is o minus its last arc, or NULL. */
static const struct name_entry *
parent_of(const struct oid_text *o)
{
	const struct name_entry	*e;
	struct oid_text		 p;
	char			*cause;
	size_t			 i;

	for (i = 0; i < names_count(); i++) {
		e = names_at(i);
		if (oid_parse(e->oid, &p, &cause) != 0) {
			free(cause);
			continue;
		}
		if (oid_compare(p.v, p.len, o->v, o->len - 1) == 0)
			return e;
	}
	return NULL;
}

static void
walk(void)
{
	const struct name_entry	*e, *f, *parent;
	struct oid_text		 o, prev;
	struct buf		 want = { 0 };
	char			*cause;
	size_t			 i, j, n = names_count();
	int			 bad_parse = 0, bad_describe = 0;
	int			 bad_order = 0, bad_dup = 0, bad_nest = 0;
	int			 groups = 0;

	ok(n >= 190, "table has %zu names", n);
	ok(names_at(n) == NULL, "names_at past the end is NULL");
	prev.len = 0;
	for (i = 0; i < n; i++) {
		e = names_at(i);

		/* The name parses to its OID (+ .0 for scalars). */
		want.len = 0;
		buf_adds(&want, e->oid);
		if (e->scalar)
			buf_adds(&want, ".0");
		if (strcmp(parsed(e->name), buf_cstr(&want)) != 0) {
			bad_parse++;
			diag_fail("parse", e->name, parsed(e->name),
			    buf_cstr(&want));
		}

		/* ... and that OID describes back to the name. */
		want.len = 0;
		buf_adds(&want, e->name);
		if (e->scalar)
			buf_adds(&want, ".0");
		if (strcmp(described(e->name), buf_cstr(&want)) != 0) {
			bad_describe++;
			diag_fail("describe", e->name, described(e->name),
			    buf_cstr(&want));
		}

		/* Table order is OID order, strictly (so OIDs are unique). */
		if (oid_parse(e->oid, &o, &cause) != 0) {
			free(cause);
			bad_order++;
			continue;
		}
		if (i > 0 && oid_compare(prev.v, prev.len, o.v, o.len) >= 0) {
			bad_order++;
			printf("# out of order or duplicate OID: %s %s\n",
			    e->name, e->oid);
		}
		prev = o;

		for (j = i + 1; j < n; j++) {
			f = names_at(j);
			if (strcmp(e->name, f->name) == 0) {
				bad_dup++;
				printf("# duplicate name %s\n", e->name);
			}
		}

		/*
		 * Nesting: xTable's child is xEntry; xEntry's parent is
		 * xTable; every other non-scalar (a column) sits in an
		 * entry, except the few groups; a scalar never does.
		 */
		parent = parent_of(&o);
		if (ends_with(e->name, "Entry")) {
			if (parent == NULL || parent->scalar ||
			    !ends_with(parent->name, "Table") ||
			    strncmp(parent->name, e->name,
			    strlen(e->name) - 5) != 0) {
				bad_nest++;
				printf("# %s is not in its table\n", e->name);
			}
		} else if (ends_with(e->name, "Table")) {
			if (e->scalar) {
				bad_nest++;
				printf("# table %s is a scalar\n", e->name);
			}
		} else if (e->scalar) {
			if (parent != NULL &&
			    ends_with(parent->name, "Entry")) {
				bad_nest++;
				printf("# scalar %s is in %s\n", e->name,
				    parent->name);
			}
		} else if (parent == NULL ||
		    !ends_with(parent->name, "Entry")) {
			if (strcmp(e->name, "system") == 0 ||
			    strcmp(e->name, "interfaces") == 0 ||
			    strcmp(e->name, "snmp") == 0)
				groups++;
			else {
				bad_nest++;
				printf("# column %s is in no entry\n", e->name);
			}
		}
	}
	buf_free(&want);
	is_int(bad_parse, 0, "every name parses to its OID");
	is_int(bad_describe, 0, "every OID describes back to its name");
	is_int(bad_order, 0, "table is in strict OID order (OIDs unique)");
	is_int(bad_dup, 0, "names are unique");
	is_int(bad_nest, 0, "tables, entries, columns and scalars nest");
	is_int(groups, 3, "groups: system, interfaces, snmp");
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
	is_str(described("1.3.6.1.2.1.25.2.1.4"), "(none)",
	    "hrStorageTypes not hidden behind a group name");

	/* IP-MIB */
	both("ipForwarding.0", "1.3.6.1.2.1.4.1.0");
	both("ipDefaultTTL.0", "1.3.6.1.2.1.4.2.0");
	both("ipAdEntNetMask.10.0.0.1", "1.3.6.1.2.1.4.20.1.3.10.0.0.1");
	both("ipAddressIfIndex", "1.3.6.1.2.1.4.34.1.3");
	both("ipAddressStorageType.1.4.192.0.2.1",
	    "1.3.6.1.2.1.4.34.1.11.1.4.192.0.2.1");
	is_str(described("1.3.6.1.2.1.4.21.1.1.0.0.0.0"), "(none)",
	    "ipRouteTable not hidden behind a group name");

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
