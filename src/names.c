/*
 * names.c — built-in names for common MIB objects, so that "sysName.0"
 * and "ifHCInOctets" work on machines without MIB files (Debian ships
 * none of the IETF MIBs).  Used both ways: name to OID for input, OID to
 * "name.index" for the jsonl/csv name field.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/*
 * The table, in OID order.  scalar is true for scalar objects only (they
 * take the ".0" instance); groups, tables, entries and columns are false.
 * Groups are listed only where every object under them is listed too, so
 * that names_describe's longest-prefix match never hides a better name
 * from net-snmp's MIBs behind "group.N.M".  Names and OIDs are unique
 * (names_init checks).  Sources: RFC 3418 (SNMPv2-MIB; the deprecated
 * snmp counters from RFC 1213), RFC 2863 (IF-MIB), RFC 4293 (IP-MIB),
 * RFC 2790 (HOST-RESOURCES-MIB), RFC 4188 (BRIDGE-MIB), RFC 6933
 * (ENTITY-MIB v4), IEEE 802.1AB (LLDP-MIB).
 */
#define SYS	"1.3.6.1.2.1.1."
#define SYSOR	"1.3.6.1.2.1.1.9.1."
#define IFS	"1.3.6.1.2.1.2."
#define IF	"1.3.6.1.2.1.2.2.1."
#define IPS	"1.3.6.1.2.1.4."
#define IPAD	"1.3.6.1.2.1.4.20.1."
#define IPADDR	"1.3.6.1.2.1.4.34.1."
#define SNMP	"1.3.6.1.2.1.11."
#define DOT1D	"1.3.6.1.2.1.17.1."
#define DOT1DP	"1.3.6.1.2.1.17.1.4.1."
#define HRSYS	"1.3.6.1.2.1.25.1."
#define HRSTO	"1.3.6.1.2.1.25.2."
#define HRST	"1.3.6.1.2.1.25.2.3.1."
#define HRDEV	"1.3.6.1.2.1.25.3."
#define HRDV	"1.3.6.1.2.1.25.3.2.1."
#define HRPR	"1.3.6.1.2.1.25.3.3.1."
#define IFMIB	"1.3.6.1.2.1.31.1."
#define IFX	"1.3.6.1.2.1.31.1.1.1."
#define IFST	"1.3.6.1.2.1.31.1.2.1."
#define ENTP	"1.3.6.1.2.1.47.1.1.1.1."
#define LLDPL	"1.0.8802.1.1.2.1.3."
#define LLDPR	"1.0.8802.1.1.2.1.4.1.1."

static const struct name_entry names_table[] = {
	/* LLDP-MIB: local system data (scalars) and lldpRemTable */
	{ "lldpLocChassisId", LLDPL "2", true },
	{ "lldpLocSysName", LLDPL "3", true },
	{ "lldpRemTable", "1.0.8802.1.1.2.1.4.1", false },
	{ "lldpRemEntry", "1.0.8802.1.1.2.1.4.1.1", false },
	{ "lldpRemTimeMark", LLDPR "1", false },
	{ "lldpRemLocalPortNum", LLDPR "2", false },
	{ "lldpRemIndex", LLDPR "3", false },
	{ "lldpRemChassisIdSubtype", LLDPR "4", false },
	{ "lldpRemChassisId", LLDPR "5", false },
	{ "lldpRemPortIdSubtype", LLDPR "6", false },
	{ "lldpRemPortId", LLDPR "7", false },
	{ "lldpRemPortDesc", LLDPR "8", false },
	{ "lldpRemSysName", LLDPR "9", false },
	{ "lldpRemSysDesc", LLDPR "10", false },
	{ "lldpRemSysCapSupported", LLDPR "11", false },
	{ "lldpRemSysCapEnabled", LLDPR "12", false },

	/* SNMPv2-MIB: system group, sysORTable */
	{ "system", "1.3.6.1.2.1.1", false },
	{ "sysDescr", SYS "1", true },
	{ "sysObjectID", SYS "2", true },
	{ "sysUpTime", SYS "3", true },
	{ "sysContact", SYS "4", true },
	{ "sysName", SYS "5", true },
	{ "sysLocation", SYS "6", true },
	{ "sysServices", SYS "7", true },
	{ "sysORLastChange", SYS "8", true },
	{ "sysORTable", SYS "9", false },
	{ "sysOREntry", SYS "9.1", false },
	{ "sysORIndex", SYSOR "1", false },
	{ "sysORID", SYSOR "2", false },
	{ "sysORDescr", SYSOR "3", false },
	{ "sysORUpTime", SYSOR "4", false },

	/* IF-MIB: interfaces group, ifTable */
	{ "interfaces", "1.3.6.1.2.1.2", false },
	{ "ifNumber", IFS "1", true },
	{ "ifTable", IFS "2", false },
	{ "ifEntry", IFS "2.1", false },
	{ "ifIndex", IF "1", false },
	{ "ifDescr", IF "2", false },
	{ "ifType", IF "3", false },
	{ "ifMtu", IF "4", false },
	{ "ifSpeed", IF "5", false },
	{ "ifPhysAddress", IF "6", false },
	{ "ifAdminStatus", IF "7", false },
	{ "ifOperStatus", IF "8", false },
	{ "ifLastChange", IF "9", false },
	{ "ifInOctets", IF "10", false },
	{ "ifInUcastPkts", IF "11", false },
	{ "ifInNUcastPkts", IF "12", false },
	{ "ifInDiscards", IF "13", false },
	{ "ifInErrors", IF "14", false },
	{ "ifInUnknownProtos", IF "15", false },
	{ "ifOutOctets", IF "16", false },
	{ "ifOutUcastPkts", IF "17", false },
	{ "ifOutNUcastPkts", IF "18", false },
	{ "ifOutDiscards", IF "19", false },
	{ "ifOutErrors", IF "20", false },
	{ "ifOutQLen", IF "21", false },
	{ "ifSpecific", IF "22", false },

	/* IP-MIB: scalars, ipAddrTable, ipAddressTable */
	{ "ipForwarding", IPS "1", true },
	{ "ipDefaultTTL", IPS "2", true },
	{ "ipAddrTable", IPS "20", false },
	{ "ipAddrEntry", IPS "20.1", false },
	{ "ipAdEntAddr", IPAD "1", false },
	{ "ipAdEntIfIndex", IPAD "2", false },
	{ "ipAdEntNetMask", IPAD "3", false },
	{ "ipAdEntBcastAddr", IPAD "4", false },
	{ "ipAdEntReasmMaxSize", IPAD "5", false },
	{ "ipAddressTable", IPS "34", false },
	{ "ipAddressEntry", IPS "34.1", false },
	{ "ipAddressAddrType", IPADDR "1", false },
	{ "ipAddressAddr", IPADDR "2", false },
	{ "ipAddressIfIndex", IPADDR "3", false },
	{ "ipAddressType", IPADDR "4", false },
	{ "ipAddressPrefix", IPADDR "5", false },
	{ "ipAddressOrigin", IPADDR "6", false },
	{ "ipAddressStatus", IPADDR "7", false },
	{ "ipAddressCreated", IPADDR "8", false },
	{ "ipAddressLastChanged", IPADDR "9", false },
	{ "ipAddressRowStatus", IPADDR "10", false },
	{ "ipAddressStorageType", IPADDR "11", false },

	/* SNMPv2-MIB: snmp group (7 and 23 were never assigned) */
	{ "snmp", "1.3.6.1.2.1.11", false },
	{ "snmpInPkts", SNMP "1", true },
	{ "snmpOutPkts", SNMP "2", true },
	{ "snmpInBadVersions", SNMP "3", true },
	{ "snmpInBadCommunityNames", SNMP "4", true },
	{ "snmpInBadCommunityUses", SNMP "5", true },
	{ "snmpInASNParseErrs", SNMP "6", true },
	{ "snmpInTooBigs", SNMP "8", true },
	{ "snmpInNoSuchNames", SNMP "9", true },
	{ "snmpInBadValues", SNMP "10", true },
	{ "snmpInReadOnlys", SNMP "11", true },
	{ "snmpInGenErrs", SNMP "12", true },
	{ "snmpInTotalReqVars", SNMP "13", true },
	{ "snmpInTotalSetVars", SNMP "14", true },
	{ "snmpInGetRequests", SNMP "15", true },
	{ "snmpInGetNexts", SNMP "16", true },
	{ "snmpInSetRequests", SNMP "17", true },
	{ "snmpInGetResponses", SNMP "18", true },
	{ "snmpInTraps", SNMP "19", true },
	{ "snmpOutTooBigs", SNMP "20", true },
	{ "snmpOutNoSuchNames", SNMP "21", true },
	{ "snmpOutBadValues", SNMP "22", true },
	{ "snmpOutGenErrs", SNMP "24", true },
	{ "snmpOutGetRequests", SNMP "25", true },
	{ "snmpOutGetNexts", SNMP "26", true },
	{ "snmpOutSetRequests", SNMP "27", true },
	{ "snmpOutGetResponses", SNMP "28", true },
	{ "snmpOutTraps", SNMP "29", true },
	{ "snmpEnableAuthenTraps", SNMP "30", true },
	{ "snmpSilentDrops", SNMP "31", true },
	{ "snmpProxyDrops", SNMP "32", true },

	/* BRIDGE-MIB: dot1dBase scalars, dot1dBasePortTable */
	{ "dot1dBaseBridgeAddress", DOT1D "1", true },
	{ "dot1dBaseNumPorts", DOT1D "2", true },
	{ "dot1dBaseType", DOT1D "3", true },
	{ "dot1dBasePortTable", DOT1D "4", false },
	{ "dot1dBasePortEntry", DOT1D "4.1", false },
	{ "dot1dBasePort", DOT1DP "1", false },
	{ "dot1dBasePortIfIndex", DOT1DP "2", false },
	{ "dot1dBasePortCircuit", DOT1DP "3", false },
	{ "dot1dBasePortDelayExceededDiscards", DOT1DP "4", false },
	{ "dot1dBasePortMtuExceededDiscards", DOT1DP "5", false },

	/* HOST-RESOURCES-MIB: hrSystem, hrMemorySize, hrStorageTable,
	 * hrDeviceTable, hrProcessorTable */
	{ "hrSystemUptime", HRSYS "1", true },
	{ "hrSystemDate", HRSYS "2", true },
	{ "hrSystemInitialLoadDevice", HRSYS "3", true },
	{ "hrSystemInitialLoadParameters", HRSYS "4", true },
	{ "hrSystemNumUsers", HRSYS "5", true },
	{ "hrSystemProcesses", HRSYS "6", true },
	{ "hrSystemMaxProcesses", HRSYS "7", true },
	{ "hrMemorySize", HRSTO "2", true },
	{ "hrStorageTable", HRSTO "3", false },
	{ "hrStorageEntry", HRSTO "3.1", false },
	{ "hrStorageIndex", HRST "1", false },
	{ "hrStorageType", HRST "2", false },
	{ "hrStorageDescr", HRST "3", false },
	{ "hrStorageAllocationUnits", HRST "4", false },
	{ "hrStorageSize", HRST "5", false },
	{ "hrStorageUsed", HRST "6", false },
	{ "hrStorageAllocationFailures", HRST "7", false },
	{ "hrDeviceTable", HRDEV "2", false },
	{ "hrDeviceEntry", HRDEV "2.1", false },
	{ "hrDeviceIndex", HRDV "1", false },
	{ "hrDeviceType", HRDV "2", false },
	{ "hrDeviceDescr", HRDV "3", false },
	{ "hrDeviceID", HRDV "4", false },
	{ "hrDeviceStatus", HRDV "5", false },
	{ "hrDeviceErrors", HRDV "6", false },
	{ "hrProcessorTable", HRDEV "3", false },
	{ "hrProcessorEntry", HRDEV "3.1", false },
	{ "hrProcessorFrwID", HRPR "1", false },
	{ "hrProcessorLoad", HRPR "2", false },

	/* IF-MIB: ifXTable, ifStackTable, last-change scalars */
	{ "ifXTable", IFMIB "1", false },
	{ "ifXEntry", IFMIB "1.1", false },
	{ "ifName", IFX "1", false },
	{ "ifInMulticastPkts", IFX "2", false },
	{ "ifInBroadcastPkts", IFX "3", false },
	{ "ifOutMulticastPkts", IFX "4", false },
	{ "ifOutBroadcastPkts", IFX "5", false },
	{ "ifHCInOctets", IFX "6", false },
	{ "ifHCInUcastPkts", IFX "7", false },
	{ "ifHCInMulticastPkts", IFX "8", false },
	{ "ifHCInBroadcastPkts", IFX "9", false },
	{ "ifHCOutOctets", IFX "10", false },
	{ "ifHCOutUcastPkts", IFX "11", false },
	{ "ifHCOutMulticastPkts", IFX "12", false },
	{ "ifHCOutBroadcastPkts", IFX "13", false },
	{ "ifLinkUpDownTrapEnable", IFX "14", false },
	{ "ifHighSpeed", IFX "15", false },
	{ "ifPromiscuousMode", IFX "16", false },
	{ "ifConnectorPresent", IFX "17", false },
	{ "ifAlias", IFX "18", false },
	{ "ifCounterDiscontinuityTime", IFX "19", false },
	{ "ifStackTable", IFMIB "2", false },
	{ "ifStackEntry", IFMIB "2.1", false },
	{ "ifStackHigherLayer", IFST "1", false },
	{ "ifStackLowerLayer", IFST "2", false },
	{ "ifStackStatus", IFST "3", false },
	{ "ifTableLastChange", IFMIB "5", true },
	{ "ifStackLastChange", IFMIB "6", true },

	/* ENTITY-MIB: entPhysicalTable */
	{ "entPhysicalTable", "1.3.6.1.2.1.47.1.1.1", false },
	{ "entPhysicalEntry", "1.3.6.1.2.1.47.1.1.1.1", false },
	{ "entPhysicalIndex", ENTP "1", false },
	{ "entPhysicalDescr", ENTP "2", false },
	{ "entPhysicalVendorType", ENTP "3", false },
	{ "entPhysicalContainedIn", ENTP "4", false },
	{ "entPhysicalClass", ENTP "5", false },
	{ "entPhysicalParentRelPos", ENTP "6", false },
	{ "entPhysicalName", ENTP "7", false },
	{ "entPhysicalHardwareRev", ENTP "8", false },
	{ "entPhysicalFirmwareRev", ENTP "9", false },
	{ "entPhysicalSoftwareRev", ENTP "10", false },
	{ "entPhysicalSerialNum", ENTP "11", false },
	{ "entPhysicalMfgName", ENTP "12", false },
	{ "entPhysicalModelName", ENTP "13", false },
	{ "entPhysicalAlias", ENTP "14", false },
	{ "entPhysicalAssetID", ENTP "15", false },
	{ "entPhysicalIsFRU", ENTP "16", false },
	{ "entPhysicalMfgDate", ENTP "17", false },
	{ "entPhysicalUris", ENTP "18", false },
	{ "entPhysicalUUID", ENTP "19", false },
};
#define NAMES_COUNT (sizeof names_table / sizeof names_table[0])

struct names_parsed {
	const struct name_entry	*entry;
	struct oid_text		 o;
};

static struct names_parsed	*names_by_oid;
static const struct names_parsed **names_by_name;
static bool			 names_mibs;

static int
names_cmp_oid(const void *a, const void *b)
{
	const struct names_parsed	*x = a, *y = b;

	return oid_compare(x->o.v, x->o.len, y->o.v, y->o.len);
}

static int
names_cmp_name(const void *a, const void *b)
{
	const struct names_parsed	*const *x = a, *const *y = b;

	return strcmp((*x)->entry->name, (*y)->entry->name);
}

static int
names_cmp_key(const void *key, const void *elem)
{
	const struct names_parsed	*const *y = elem;

	return strcmp(key, (*y)->entry->name);
}

static void
names_init(void)
{
	size_t	 i;

	if (names_by_oid != NULL)
		return;
	names_by_oid = xcalloc(NAMES_COUNT, sizeof *names_by_oid);
	names_by_name = xcalloc(NAMES_COUNT, sizeof *names_by_name);
	for (i = 0; i < NAMES_COUNT; i++) {
		names_by_oid[i].entry = &names_table[i];
		if (oid_parse_numeric(names_table[i].oid,
		    &names_by_oid[i].o) != 0 || names_by_oid[i].o.len < 2)
			abort();	/* a bad table entry is a bug */
	}
	qsort(names_by_oid, NAMES_COUNT, sizeof *names_by_oid, names_cmp_oid);
	for (i = 0; i < NAMES_COUNT; i++)
		names_by_name[i] = &names_by_oid[i];
	qsort(names_by_name, NAMES_COUNT, sizeof *names_by_name,
	    names_cmp_name);
	/* A duplicate name or OID is a bug in the table, too. */
	for (i = 1; i < NAMES_COUNT; i++) {
		if (names_cmp_oid(&names_by_oid[i - 1],
		    &names_by_oid[i]) == 0 ||
		    names_cmp_name(&names_by_name[i - 1],
		    &names_by_name[i]) == 0)
			abort();
	}
}

/* The number of built-in names, and the i'th of them (table order). */
size_t
names_count(void)
{
	return NAMES_COUNT;
}

const struct name_entry *
names_at(size_t i)
{
	return i < NAMES_COUNT ? &names_table[i] : NULL;
}

/* Let names_describe fall back on net-snmp's MIB tree (when it has one). */
void
names_use_mibs(bool on)
{
	names_mibs = on;
}

/* The OID of a built-in name (no module, no index); scalar tells whether
 * it is a scalar object that takes the ".0" instance. */
int
names_lookup(const char *name, struct oid_text *o, bool *scalar)
{
	const struct names_parsed	*const *p;

	names_init();
	p = bsearch(name, names_by_name, NAMES_COUNT, sizeof *names_by_name,
	    names_cmp_key);
	if (p == NULL)
		return -1;
	*o = (*p)->o;
	*scalar = (*p)->entry->scalar;
	return 0;
}

static const struct names_parsed *
names_find(const oid *v, size_t len)
{
	size_t	lo = 0, hi = NAMES_COUNT, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = oid_compare(names_by_oid[mid].o.v, names_by_oid[mid].o.len,
		    v, len);
		if (c == 0)
			return &names_by_oid[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Append the name of v ("ifDescr.3", "sysName.0") to b: the longest
 * built-in prefix, else net-snmp's MIB label when it has a real one.
 * Returns -1 (appending nothing) when no name is known.
 */
int
names_describe(const oid *v, size_t len, struct buf *b)
{
	const struct names_parsed	*p;
	char				 tmp[512];
	size_t				 n, i;
	int				 fmt, rc;

	names_init();
	for (n = len; n >= 2; n--) {
		if ((p = names_find(v, n)) == NULL)
			continue;
		buf_adds(b, p->entry->name);
		for (i = n; i < len; i++) {
			buf_addc(b, '.');
			buf_add_u64(b, v[i]);
		}
		return 0;
	}
	if (!names_mibs)
		return -1;
	fmt = netsnmp_ds_get_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, NETSNMP_OID_OUTPUT_SUFFIX);
	rc = snprint_objid(tmp, sizeof tmp, v, len);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, fmt);
	if (rc <= 0)
		return -1;
	if (strncmp(tmp, "iso", 3) == 0 || tmp[0] == '.' ||
	    (tmp[0] >= '0' && tmp[0] <= '9'))
		return -1;
	buf_adds(b, tmp);
	return 0;
}

/*
 * The built-in columns of a table (or of its entry, with entry): their
 * column numbers and names, in column order, into cols/names (at most
 * max).  Returns how many; 0 when the table is not built in.
 */
size_t
names_columns(const oid *root, size_t len, bool entry, unsigned *cols,
    const char **names, size_t max)
{
	const struct names_parsed	*p;
	size_t				 i, n = 0, depth = len + (entry ? 1 : 2);

	names_init();
	for (i = 0; i < NAMES_COUNT && n < max; i++) {
		p = &names_by_oid[i];
		if (p->o.len != depth || !oid_is_prefix(root, len, p->o.v,
		    p->o.len) || (!entry && p->o.v[len] != 1))
			continue;
		cols[n] = (unsigned)p->o.v[depth - 1];
		names[n++] = p->entry->name;
	}
	return n;
}
