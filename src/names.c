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

#define SYS	"1.3.6.1.2.1.1."
#define IF	"1.3.6.1.2.1.2.2.1."
#define IFX	"1.3.6.1.2.1.31.1.1.1."
#define SNMP	"1.3.6.1.2.1.11."

static const struct name_entry names_table[] = {
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
	{ "sysORID", SYS "9.1.2", false },
	{ "sysORDescr", SYS "9.1.3", false },
	{ "sysORUpTime", SYS "9.1.4", false },
	{ "interfaces", "1.3.6.1.2.1.2", false },
	{ "ifNumber", "1.3.6.1.2.1.2.1", true },
	{ "ifTable", "1.3.6.1.2.1.2.2", false },
	{ "ifEntry", "1.3.6.1.2.1.2.2.1", false },
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
	{ "ifXTable", "1.3.6.1.2.1.31.1.1", false },
	{ "ifXEntry", "1.3.6.1.2.1.31.1.1.1", false },
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
	{ "snmp", "1.3.6.1.2.1.11", false },
	{ "snmpInPkts", SNMP "1", true },
	{ "snmpOutPkts", SNMP "2", true },
	{ "snmpInBadVersions", SNMP "3", true },
	{ "snmpInBadCommunityNames", SNMP "4", true },
	{ "snmpInBadCommunityUses", SNMP "5", true },
	{ "snmpInASNParseErrs", SNMP "6", true },
	{ "snmpInTotalReqVars", SNMP "13", true },
	{ "snmpInGetRequests", SNMP "15", true },
	{ "snmpInGetNexts", SNMP "16", true },
	{ "snmpOutGetResponses", SNMP "28", true },
	{ "snmpEnableAuthenTraps", SNMP "30", true },
	{ "snmpSilentDrops", SNMP "31", true },
	{ "snmpProxyDrops", SNMP "32", true },
	{ "hrSystemUptime", "1.3.6.1.2.1.25.1.1", true },
	{ "hrSystemDate", "1.3.6.1.2.1.25.1.2", true },
	{ "hrSystemNumUsers", "1.3.6.1.2.1.25.1.5", true },
	{ "hrSystemProcesses", "1.3.6.1.2.1.25.1.6", true },
	{ "hrMemorySize", "1.3.6.1.2.1.25.2.2", true },
	{ "entPhysicalDescr", "1.3.6.1.2.1.47.1.1.1.1.2", false },
	{ "entPhysicalName", "1.3.6.1.2.1.47.1.1.1.1.7", false },
	{ "entPhysicalSerialNum", "1.3.6.1.2.1.47.1.1.1.1.11", false },
	{ "entPhysicalModelName", "1.3.6.1.2.1.47.1.1.1.1.13", false },
};
#define NAMES_COUNT (sizeof names_table / sizeof names_table[0])

struct names_parsed {
	const struct name_entry	*entry;
	struct oid_text		 o;
};

static struct names_parsed	*names_by_oid;
static bool			 names_mibs;

static int
names_cmp_oid(const void *a, const void *b)
{
	const struct names_parsed	*x = a, *y = b;

	return oid_compare(x->o.v, x->o.len, y->o.v, y->o.len);
}

static void
names_init(void)
{
	char	*cause;
	size_t	 i;

	if (names_by_oid != NULL)
		return;
	names_by_oid = xcalloc(NAMES_COUNT, sizeof *names_by_oid);
	for (i = 0; i < NAMES_COUNT; i++) {
		names_by_oid[i].entry = &names_table[i];
		if (oid_parse(names_table[i].oid, &names_by_oid[i].o,
		    &cause) != 0)
			abort();	/* a bad table entry is a bug */
	}
	qsort(names_by_oid, NAMES_COUNT, sizeof *names_by_oid, names_cmp_oid);
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
	size_t	i;

	names_init();
	for (i = 0; i < NAMES_COUNT; i++) {
		if (strcmp(names_by_oid[i].entry->name, name) == 0) {
			*o = names_by_oid[i].o;
			*scalar = names_by_oid[i].entry->scalar;
			return 0;
		}
	}
	return -1;
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
