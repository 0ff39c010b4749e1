/*
 * sim-mib.c — the simulated MIB: which objects every device has, in OID
 * order, and GET/GETNEXT over them.
 *
 * Every device has the same objects (only their values differ), so the
 * MIB is one sorted array of object types, each a scalar (instance .0) or
 * a table column.  An instance is a row number: .1 to .rows for tables
 * indexed by it (ifTable), or the row's INDEX sub-identifiers, computed
 * per device in row order, for the others (sim-table.c).  GET and
 * GETNEXT are a binary search in that array plus arithmetic or a binary
 * search on the rows, whatever the table sizes: nothing is built per
 * device and nothing is allocated per request.  v1 has no Counter64, so
 * v1 requests never see those columns (RFC 3584 section 4.2.1: GETNEXT
 * skips them, GET gets noSuchName).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

#define LLDPR	"1.0.8802.1.1.2.1.4.1.1."
#define SYS	"1.3.6.1.2.1.1."
#define IF	"1.3.6.1.2.1.2.2.1."
#define IPAD	"1.3.6.1.2.1.4.20.1."
#define IPNM	"1.3.6.1.2.1.4.22.1."
#define IPADR	"1.3.6.1.2.1.4.34.1."
#define IPNP	"1.3.6.1.2.1.4.35.1."
#define SNMPG	"1.3.6.1.2.1.11."
#define BPORT	"1.3.6.1.2.1.17.1.4.1."
#define FDB	"1.3.6.1.2.1.17.4.3.1."
#define QFDB	"1.3.6.1.2.1.17.7.1.2.2.1."
#define HRSYS	"1.3.6.1.2.1.25.1."
#define HRST	"1.3.6.1.2.1.25.2.3.1."
#define IFX	"1.3.6.1.2.1.31.1.1.1."
#define ENTP	"1.3.6.1.2.1.47.1.1.1.1."

struct sim_obj_def {
	const char	*name;
	const char	*oid;
	enum sim_table	 table;
	unsigned	 col;
	uint8_t		 type;
};

/* In OID order (sim_mib_init checks). */
static const struct sim_obj_def sim_obj_defs[] = {
	/* lldpRemTimeMark, LocalPortNum, Index (1-3) are not-accessible */
	{ "lldpRemChassisIdSubtype", LLDPR "4", SIM_T_LLDP, 4, SIM_INTEGER },
	{ "lldpRemChassisId", LLDPR "5", SIM_T_LLDP, 5, SIM_OCTETS },
	{ "lldpRemPortIdSubtype", LLDPR "6", SIM_T_LLDP, 6, SIM_INTEGER },
	{ "lldpRemPortId", LLDPR "7", SIM_T_LLDP, 7, SIM_OCTETS },
	{ "lldpRemPortDesc", LLDPR "8", SIM_T_LLDP, 8, SIM_OCTETS },
	{ "lldpRemSysName", LLDPR "9", SIM_T_LLDP, 9, SIM_OCTETS },
	{ "lldpRemSysDesc", LLDPR "10", SIM_T_LLDP, 10, SIM_OCTETS },
	{ "lldpRemSysCapSupported", LLDPR "11", SIM_T_LLDP, 11, SIM_OCTETS },
	{ "lldpRemSysCapEnabled", LLDPR "12", SIM_T_LLDP, 12, SIM_OCTETS },
	{ "sysDescr", SYS "1", SIM_T_SCALAR, SIM_SYSDESCR, SIM_OCTETS },
	{ "sysObjectID", SYS "2", SIM_T_SCALAR, SIM_SYSOBJECTID, SIM_OID },
	{ "sysUpTime", SYS "3", SIM_T_SCALAR, SIM_SYSUPTIME, SIM_TIMETICKS },
	{ "sysContact", SYS "4", SIM_T_SCALAR, SIM_SYSCONTACT, SIM_OCTETS },
	{ "sysName", SYS "5", SIM_T_SCALAR, SIM_SYSNAME, SIM_OCTETS },
	{ "sysLocation", SYS "6", SIM_T_SCALAR, SIM_SYSLOCATION, SIM_OCTETS },
	{ "sysServices", SYS "7", SIM_T_SCALAR, SIM_SYSSERVICES, SIM_INTEGER },
	{ "sysORLastChange", SYS "8", SIM_T_SCALAR, SIM_SYSORLASTCHANGE,
	  SIM_TIMETICKS },
	{ "ifNumber", "1.3.6.1.2.1.2.1", SIM_T_SCALAR, SIM_IFNUMBER,
	  SIM_INTEGER },
	{ "ifIndex", IF "1", SIM_T_IF, 1, SIM_INTEGER },
	{ "ifDescr", IF "2", SIM_T_IF, 2, SIM_OCTETS },
	{ "ifType", IF "3", SIM_T_IF, 3, SIM_INTEGER },
	{ "ifMtu", IF "4", SIM_T_IF, 4, SIM_INTEGER },
	{ "ifSpeed", IF "5", SIM_T_IF, 5, SIM_GAUGE32 },
	{ "ifPhysAddress", IF "6", SIM_T_IF, 6, SIM_OCTETS },
	{ "ifAdminStatus", IF "7", SIM_T_IF, 7, SIM_INTEGER },
	{ "ifOperStatus", IF "8", SIM_T_IF, 8, SIM_INTEGER },
	{ "ifLastChange", IF "9", SIM_T_IF, 9, SIM_TIMETICKS },
	{ "ifInOctets", IF "10", SIM_T_IF, 10, SIM_COUNTER32 },
	{ "ifInUcastPkts", IF "11", SIM_T_IF, 11, SIM_COUNTER32 },
	{ "ifInNUcastPkts", IF "12", SIM_T_IF, 12, SIM_COUNTER32 },
	{ "ifInDiscards", IF "13", SIM_T_IF, 13, SIM_COUNTER32 },
	{ "ifInErrors", IF "14", SIM_T_IF, 14, SIM_COUNTER32 },
	{ "ifInUnknownProtos", IF "15", SIM_T_IF, 15, SIM_COUNTER32 },
	{ "ifOutOctets", IF "16", SIM_T_IF, 16, SIM_COUNTER32 },
	{ "ifOutUcastPkts", IF "17", SIM_T_IF, 17, SIM_COUNTER32 },
	{ "ifOutNUcastPkts", IF "18", SIM_T_IF, 18, SIM_COUNTER32 },
	{ "ifOutDiscards", IF "19", SIM_T_IF, 19, SIM_COUNTER32 },
	{ "ifOutErrors", IF "20", SIM_T_IF, 20, SIM_COUNTER32 },
	{ "ifOutQLen", IF "21", SIM_T_IF, 21, SIM_GAUGE32 },
	{ "ifSpecific", IF "22", SIM_T_IF, 22, SIM_OID },
	{ "ipAdEntAddr", IPAD "1", SIM_T_IPADDR, 1, SIM_IPADDRESS },
	{ "ipAdEntIfIndex", IPAD "2", SIM_T_IPADDR, 2, SIM_INTEGER },
	{ "ipAdEntNetMask", IPAD "3", SIM_T_IPADDR, 3, SIM_IPADDRESS },
	{ "ipAdEntBcastAddr", IPAD "4", SIM_T_IPADDR, 4, SIM_INTEGER },
	{ "ipAdEntReasmMaxSize", IPAD "5", SIM_T_IPADDR, 5, SIM_INTEGER },
	{ "ipNetToMediaIfIndex", IPNM "1", SIM_T_NETMEDIA, 1, SIM_INTEGER },
	{ "ipNetToMediaPhysAddress", IPNM "2", SIM_T_NETMEDIA, 2, SIM_OCTETS },
	{ "ipNetToMediaNetAddress", IPNM "3", SIM_T_NETMEDIA, 3,
	  SIM_IPADDRESS },
	{ "ipNetToMediaType", IPNM "4", SIM_T_NETMEDIA, 4, SIM_INTEGER },
	/* ipAddressAddrType, ipAddressAddr (1, 2) are not-accessible */
	{ "ipAddressIfIndex", IPADR "3", SIM_T_IPADDRESS, 3, SIM_INTEGER },
	{ "ipAddressType", IPADR "4", SIM_T_IPADDRESS, 4, SIM_INTEGER },
	{ "ipAddressPrefix", IPADR "5", SIM_T_IPADDRESS, 5, SIM_OID },
	{ "ipAddressOrigin", IPADR "6", SIM_T_IPADDRESS, 6, SIM_INTEGER },
	{ "ipAddressStatus", IPADR "7", SIM_T_IPADDRESS, 7, SIM_INTEGER },
	{ "ipAddressCreated", IPADR "8", SIM_T_IPADDRESS, 8, SIM_TIMETICKS },
	{ "ipAddressLastChanged", IPADR "9", SIM_T_IPADDRESS, 9,
	  SIM_TIMETICKS },
	{ "ipAddressRowStatus", IPADR "10", SIM_T_IPADDRESS, 10, SIM_INTEGER },
	{ "ipAddressStorageType", IPADR "11", SIM_T_IPADDRESS, 11,
	  SIM_INTEGER },
	/* ipNetToPhysicalIfIndex, NetAddressType, NetAddress (1-3) are
	 * not-accessible */
	{ "ipNetToPhysicalPhysAddress", IPNP "4", SIM_T_NETPHYS, 4,
	  SIM_OCTETS },
	{ "ipNetToPhysicalLastUpdated", IPNP "5", SIM_T_NETPHYS, 5,
	  SIM_TIMETICKS },
	{ "ipNetToPhysicalType", IPNP "6", SIM_T_NETPHYS, 6, SIM_INTEGER },
	{ "ipNetToPhysicalState", IPNP "7", SIM_T_NETPHYS, 7, SIM_INTEGER },
	{ "ipNetToPhysicalRowStatus", IPNP "8", SIM_T_NETPHYS, 8,
	  SIM_INTEGER },
	{ "snmpInPkts", SNMPG "1", SIM_T_SCALAR, SIM_SNMPINPKTS,
	  SIM_COUNTER32 },
	{ "snmpOutPkts", SNMPG "2", SIM_T_SCALAR, SIM_SNMPOUTPKTS,
	  SIM_COUNTER32 },
	{ "snmpInBadCommunityNames", SNMPG "4", SIM_T_SCALAR,
	  SIM_SNMPINBADCOMMUNITYNAMES, SIM_COUNTER32 },
	{ "snmpEnableAuthenTraps", SNMPG "30", SIM_T_SCALAR,
	  SIM_SNMPENABLEAUTHENTRAPS, SIM_INTEGER },
	{ "dot1dBasePort", BPORT "1", SIM_T_BASEPORT, 1, SIM_INTEGER },
	{ "dot1dBasePortIfIndex", BPORT "2", SIM_T_BASEPORT, 2, SIM_INTEGER },
	{ "dot1dBasePortCircuit", BPORT "3", SIM_T_BASEPORT, 3, SIM_OID },
	{ "dot1dBasePortDelayExceededDiscards", BPORT "4", SIM_T_BASEPORT, 4,
	  SIM_COUNTER32 },
	{ "dot1dBasePortMtuExceededDiscards", BPORT "5", SIM_T_BASEPORT, 5,
	  SIM_COUNTER32 },
	{ "dot1dTpFdbAddress", FDB "1", SIM_T_FDB, 1, SIM_OCTETS },
	{ "dot1dTpFdbPort", FDB "2", SIM_T_FDB, 2, SIM_INTEGER },
	{ "dot1dTpFdbStatus", FDB "3", SIM_T_FDB, 3, SIM_INTEGER },
	/* dot1qTpFdbAddress (1) is not-accessible */
	{ "dot1qTpFdbPort", QFDB "2", SIM_T_QFDB, 2, SIM_INTEGER },
	{ "dot1qTpFdbStatus", QFDB "3", SIM_T_QFDB, 3, SIM_INTEGER },
	{ "hrSystemUptime", HRSYS "1", SIM_T_HRSYS, SIM_HRUPTIME,
	  SIM_TIMETICKS },
	{ "hrSystemDate", HRSYS "2", SIM_T_HRSYS, SIM_HRDATE, SIM_OCTETS },
	{ "hrSystemNumUsers", HRSYS "5", SIM_T_HRSYS, SIM_HRUSERS,
	  SIM_GAUGE32 },
	{ "hrSystemProcesses", HRSYS "6", SIM_T_HRSYS, SIM_HRPROCESSES,
	  SIM_GAUGE32 },
	{ "hrSystemMaxProcesses", HRSYS "7", SIM_T_HRSYS, SIM_HRMAXPROCESSES,
	  SIM_INTEGER },
	{ "hrMemorySize", "1.3.6.1.2.1.25.2.2", SIM_T_HRSYS,
	  SIM_HRMEMORYSIZE, SIM_INTEGER },
	{ "hrStorageIndex", HRST "1", SIM_T_HRSTORAGE, 1, SIM_INTEGER },
	{ "hrStorageType", HRST "2", SIM_T_HRSTORAGE, 2, SIM_OID },
	{ "hrStorageDescr", HRST "3", SIM_T_HRSTORAGE, 3, SIM_OCTETS },
	{ "hrStorageAllocationUnits", HRST "4", SIM_T_HRSTORAGE, 4,
	  SIM_INTEGER },
	{ "hrStorageSize", HRST "5", SIM_T_HRSTORAGE, 5, SIM_INTEGER },
	{ "hrStorageUsed", HRST "6", SIM_T_HRSTORAGE, 6, SIM_INTEGER },
	{ "hrStorageAllocationFailures", HRST "7", SIM_T_HRSTORAGE, 7,
	  SIM_COUNTER32 },
	{ "ifName", IFX "1", SIM_T_IFX, 1, SIM_OCTETS },
	{ "ifInMulticastPkts", IFX "2", SIM_T_IFX, 2, SIM_COUNTER32 },
	{ "ifInBroadcastPkts", IFX "3", SIM_T_IFX, 3, SIM_COUNTER32 },
	{ "ifOutMulticastPkts", IFX "4", SIM_T_IFX, 4, SIM_COUNTER32 },
	{ "ifOutBroadcastPkts", IFX "5", SIM_T_IFX, 5, SIM_COUNTER32 },
	{ "ifHCInOctets", IFX "6", SIM_T_IFX, 6, SIM_COUNTER64 },
	{ "ifHCInUcastPkts", IFX "7", SIM_T_IFX, 7, SIM_COUNTER64 },
	{ "ifHCInMulticastPkts", IFX "8", SIM_T_IFX, 8, SIM_COUNTER64 },
	{ "ifHCInBroadcastPkts", IFX "9", SIM_T_IFX, 9, SIM_COUNTER64 },
	{ "ifHCOutOctets", IFX "10", SIM_T_IFX, 10, SIM_COUNTER64 },
	{ "ifHCOutUcastPkts", IFX "11", SIM_T_IFX, 11, SIM_COUNTER64 },
	{ "ifHCOutMulticastPkts", IFX "12", SIM_T_IFX, 12, SIM_COUNTER64 },
	{ "ifHCOutBroadcastPkts", IFX "13", SIM_T_IFX, 13, SIM_COUNTER64 },
	{ "ifLinkUpDownTrapEnable", IFX "14", SIM_T_IFX, 14, SIM_INTEGER },
	{ "ifHighSpeed", IFX "15", SIM_T_IFX, 15, SIM_GAUGE32 },
	{ "ifPromiscuousMode", IFX "16", SIM_T_IFX, 16, SIM_INTEGER },
	{ "ifConnectorPresent", IFX "17", SIM_T_IFX, 17, SIM_INTEGER },
	{ "ifAlias", IFX "18", SIM_T_IFX, 18, SIM_OCTETS },
	{ "ifCounterDiscontinuityTime", IFX "19", SIM_T_IFX, 19,
	  SIM_TIMETICKS },
	/* entPhysicalIndex (column 1) is not-accessible */
	{ "entPhysicalDescr", ENTP "2", SIM_T_ENT, 2, SIM_OCTETS },
	{ "entPhysicalVendorType", ENTP "3", SIM_T_ENT, 3, SIM_OID },
	{ "entPhysicalContainedIn", ENTP "4", SIM_T_ENT, 4, SIM_INTEGER },
	{ "entPhysicalClass", ENTP "5", SIM_T_ENT, 5, SIM_INTEGER },
	{ "entPhysicalParentRelPos", ENTP "6", SIM_T_ENT, 6, SIM_INTEGER },
	{ "entPhysicalName", ENTP "7", SIM_T_ENT, 7, SIM_OCTETS },
	{ "entPhysicalHardwareRev", ENTP "8", SIM_T_ENT, 8, SIM_OCTETS },
	{ "entPhysicalFirmwareRev", ENTP "9", SIM_T_ENT, 9, SIM_OCTETS },
	{ "entPhysicalSoftwareRev", ENTP "10", SIM_T_ENT, 10, SIM_OCTETS },
	{ "entPhysicalSerialNum", ENTP "11", SIM_T_ENT, 11, SIM_OCTETS },
	{ "entPhysicalMfgName", ENTP "12", SIM_T_ENT, 12, SIM_OCTETS },
	{ "entPhysicalModelName", ENTP "13", SIM_T_ENT, 13, SIM_OCTETS },
	{ "entPhysicalAlias", ENTP "14", SIM_T_ENT, 14, SIM_OCTETS },
	{ "entPhysicalAssetID", ENTP "15", SIM_T_ENT, 15, SIM_OCTETS },
	{ "entPhysicalIsFRU", ENTP "16", SIM_T_ENT, 16, SIM_INTEGER },
	{ "entPhysicalMfgDate", ENTP "17", SIM_T_ENTMFG, 17, SIM_OCTETS },
};
#define SIM_NOBJS (sizeof sim_obj_defs / sizeof sim_obj_defs[0])

/* GET's fast path: object type OID -> index + 1, open addressing */
#define SIM_HASH_SIZE	512

static struct sim_obj	sim_objs[SIM_NOBJS];
static uint16_t		sim_by_oid[SIM_HASH_SIZE];

static bool
sim_oid_prefix(const uint32_t *p, size_t plen, const uint32_t *o, size_t olen)
{
	return plen <= olen && memcmp(p, o, plen * sizeof *p) == 0;
}

static size_t
sim_oid_hash(const uint32_t *o, size_t len)
{
	uint64_t	 h = len;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ o[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ h >> 29) % SIM_HASH_SIZE;
}

static void
sim_mib_index(size_t i)
{
	size_t	 k = sim_oid_hash(sim_objs[i].oid, sim_objs[i].oidlen);

	while (sim_by_oid[k] != 0)
		k = (k + 1) % SIM_HASH_SIZE;
	sim_by_oid[k] = (uint16_t)(i + 1);
}

/* The object whose type OID is exactly o, or NULL. */
static const struct sim_obj *
sim_mib_lookup(const uint32_t *o, size_t len)
{
	size_t			 k = sim_oid_hash(o, len);
	const struct sim_obj	*obj;

	for (; sim_by_oid[k] != 0; k = (k + 1) % SIM_HASH_SIZE) {
		obj = &sim_objs[sim_by_oid[k] - 1];
		if (obj->oidlen == len &&
		    memcmp(obj->oid, o, len * sizeof *o) == 0)
			return obj;
	}
	return NULL;
}

/* Build the object array for --interfaces and --tables.  Aborts on a
 * table that is out of order: that is a bug, not an input error. */
void
sim_mib_init(unsigned interfaces, enum sim_tables tables)
{
	struct oid_text	 t;
	char		*cause;
	size_t		 i, j;

	/* from scratch each time: a second call (the fuzz harness tries
	 * several --interfaces) must not index every object twice */
	memset(sim_by_oid, 0, sizeof sim_by_oid);
	for (i = 0; i < SIM_NOBJS; i++) {
		struct sim_obj	*o = &sim_objs[i];

		if (oid_parse(sim_obj_defs[i].oid, &t, &cause) != 0)
			abort();
		o->name = sim_obj_defs[i].name;
		o->oidlen = t.len;
		for (j = 0; j < t.len; j++)
			o->oid[j] = (uint32_t)t.v[j];
		o->enclen = (size_t)(sim_ber_put_oid(o->enc, o->oid,
		    o->oidlen) - o->enc);
		o->table = sim_obj_defs[i].table;
		o->col = sim_obj_defs[i].col;
		o->type = sim_obj_defs[i].type;
		if (i > 0 && (sim_oid_cmp(o[-1].oid, o[-1].oidlen, o->oid,
		    o->oidlen) >= 0 || sim_oid_prefix(o[-1].oid, o[-1].oidlen,
		    o->oid, o->oidlen)))
			abort();
		sim_mib_index(i);
	}
	sim_table_init(interfaces, tables);
	for (i = 0; i < SIM_NOBJS; i++) {
		sim_objs[i].rows = sim_table_rows(sim_objs[i].table);
		sim_objs[i].present = sim_table_present(sim_objs[i].table);
	}
}

size_t
sim_mib_count(void)
{
	return SIM_NOBJS;
}

const struct sim_obj *
sim_mib_at(size_t i)
{
	return &sim_objs[i];
}

static bool
sim_mib_visible(const struct sim_obj *o, bool v1)
{
	return !(v1 && o->type == SIM_COUNTER64) &&
	    o->rows > 0;
}

/* The index of the last object whose OID sorts at or before q, or -1. */
static long
sim_mib_floor(const uint32_t *q, size_t qlen)
{
	long	 lo = 0, hi = (long)SIM_NOBJS - 1, mid, found = -1;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (sim_oid_cmp(sim_objs[mid].oid, sim_objs[mid].oidlen, q,
		    qlen) <= 0) {
			found = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return found;
}

/* The row of o whose instance is exactly s (slen sub-ids), into *row. */
static bool
sim_mib_row(const struct sim_device *d, const struct sim_obj *o,
    const uint32_t *s, size_t slen, uint32_t *row)
{
	if (SIM_T_IS_KEYED(o->table))
		return sim_table_find(d, o->table, s, slen, row);
	if (slen != 1)
		return false;
	if (SIM_T_IS_SCALAR(o->table) ? s[0] != 0 :
	    s[0] < 1 || s[0] > o->rows)
		return false;
	*row = s[0];
	return true;
}

/* The first row of o whose instance sorts after s, into *row. */
static bool
sim_mib_row_after(const struct sim_device *d, const struct sim_obj *o,
    const uint32_t *s, size_t slen, uint32_t *row)
{
	uint64_t	 next;

	if (slen == 0) {
		*row = SIM_T_IS_SCALAR(o->table) ? 0 : 1;
		return true;
	}
	if (SIM_T_IS_KEYED(o->table))
		return sim_table_after(d, o->table, s, slen, row);
	next = (uint64_t)s[0] + 1;
	if (SIM_T_IS_SCALAR(o->table) || next > o->rows)
		return false;
	*row = (uint32_t)next;
	return true;
}

/* GET: the object and row q names on device d.  SIM_GET_NOINSTANCE when
 * q lies at or under an object type but names no instance of it (an
 * empty table's included), SIM_GET_NOOBJECT when --tables leaves it
 * out. */
enum sim_get
sim_mib_get(const struct sim_device *d, const uint32_t *q, size_t qlen,
    bool v1, const struct sim_obj **obj, uint32_t *row)
{
	const struct sim_obj	*o = NULL;
	long			 i;

	/* most GETs name object.instance: look the object type up
	 * directly; else it is somewhere under an object type, or not */
	if (qlen >= 2)
		o = sim_mib_lookup(q, qlen - 1);
	if (o == NULL) {
		if ((i = sim_mib_floor(q, qlen)) < 0)
			return SIM_GET_NOOBJECT;
		o = &sim_objs[i];
		if (!sim_oid_prefix(o->oid, o->oidlen, q, qlen))
			return SIM_GET_NOOBJECT;
	}
	if ((v1 && o->type == SIM_COUNTER64) || !o->present)
		return SIM_GET_NOOBJECT;
	if (!sim_mib_row(d, o, q + o->oidlen, qlen - o->oidlen, row))
		return SIM_GET_NOINSTANCE;
	*obj = o;
	return SIM_GET_FOUND;
}

/* The first instance of the first visible object after o. */
static bool
sim_mib_first_after(size_t i, bool v1, const struct sim_obj **obj,
    uint32_t *row)
{
	for (; i < SIM_NOBJS; i++) {
		if (sim_mib_visible(&sim_objs[i], v1)) {
			*obj = &sim_objs[i];
			*row = SIM_T_IS_SCALAR(sim_objs[i].table) ? 0 : 1;
			return true;
		}
	}
	return false;
}

/* The instance after obj's row (a GETBULK repeater goes on from where
 * it stands without searching); false at the end. */
bool
sim_mib_next_after(const struct sim_obj *o, uint32_t row, bool v1,
    const struct sim_obj **obj, uint32_t *next)
{
	if (!SIM_T_IS_SCALAR(o->table) && row < o->rows) {
		*obj = o;
		*next = row + 1;
		return true;
	}
	return sim_mib_first_after((size_t)(o - sim_objs) + 1, v1, obj, next);
}

/* GETNEXT: the first instance after q on device d; false at the end of
 * the MIB. */
bool
sim_mib_next(const struct sim_device *d, const uint32_t *q, size_t qlen,
    bool v1, const struct sim_obj **obj, uint32_t *row)
{
	long			 i = sim_mib_floor(q, qlen);
	const struct sim_obj	*o;

	if (i >= 0) {
		o = &sim_objs[i];
		if (sim_oid_prefix(o->oid, o->oidlen, q, qlen) &&
		    sim_mib_visible(o, v1) && sim_mib_row_after(d, o,
		    q + o->oidlen, qlen - o->oidlen, row)) {
			*obj = o;
			return true;
		}
	}
	return sim_mib_first_after((size_t)(i + 1), v1, obj, row);
}

/* The instance sub-identifiers of o's row on device d into sub (at most
 * SIM_INDEX_MAX); their number. */
size_t
sim_mib_instance(const struct sim_device *d, const struct sim_obj *o,
    uint32_t row, uint32_t *sub)
{
	if (SIM_T_IS_KEYED(o->table))
		return sim_table_index(d, o->table, row, sub);
	sub[0] = row;
	return 1;
}
