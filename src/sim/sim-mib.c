/*
 * sim-mib.c — the simulated MIB: which objects every device has, in OID
 * order, and GET/GETNEXT over them.
 *
 * Every device has the same objects (only their values differ), so the
 * MIB is one sorted array of object types, each a scalar (instance .0) or
 * a table column (instances .1 to .rows).  GET and GETNEXT are a binary
 * search in that array plus arithmetic on the instance, whatever the
 * table sizes: nothing is built per device and nothing is allocated per
 * request.  v1 has no Counter64, so v1 requests never see those columns
 * (RFC 3584 section 4.2.1: GETNEXT skips them, GET gets noSuchName).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

#define SYS	"1.3.6.1.2.1.1."
#define IF	"1.3.6.1.2.1.2.2.1."
#define SNMPG	"1.3.6.1.2.1.11."
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
	{ "snmpInPkts", SNMPG "1", SIM_T_SCALAR, SIM_SNMPINPKTS,
	  SIM_COUNTER32 },
	{ "snmpOutPkts", SNMPG "2", SIM_T_SCALAR, SIM_SNMPOUTPKTS,
	  SIM_COUNTER32 },
	{ "snmpInBadCommunityNames", SNMPG "4", SIM_T_SCALAR,
	  SIM_SNMPINBADCOMMUNITYNAMES, SIM_COUNTER32 },
	{ "snmpEnableAuthenTraps", SNMPG "30", SIM_T_SCALAR,
	  SIM_SNMPENABLEAUTHENTRAPS, SIM_INTEGER },
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
};
#define SIM_NOBJS (sizeof sim_obj_defs / sizeof sim_obj_defs[0])

/* entPhysicalTable: chassis, module, power supply, fan, then one port
 * per interface */
#define SIM_ENT_FIXED	4

/* GET's fast path: object type OID -> index + 1, open addressing */
#define SIM_HASH_SIZE	256

static struct sim_obj	sim_objs[SIM_NOBJS];
static uint32_t		sim_rows[SIM_T_ENT + 1];
static uint8_t		sim_by_oid[SIM_HASH_SIZE];

static int
sim_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t	 i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

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
	sim_by_oid[k] = (uint8_t)(i + 1);
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

/* Build the object array; interfaces is --interfaces.  Aborts on a table
 * that is out of order: that is a bug, not an input error. */
void
sim_mib_init(unsigned interfaces)
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
	sim_rows[SIM_T_SCALAR] = 1;
	sim_rows[SIM_T_IF] = interfaces;
	sim_rows[SIM_T_IFX] = interfaces;
	sim_rows[SIM_T_ENT] = SIM_ENT_FIXED + interfaces;
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

uint32_t
sim_mib_rows(enum sim_table t)
{
	return sim_rows[t];
}

static bool
sim_mib_visible(const struct sim_obj *o, bool v1)
{
	return !(v1 && o->type == SIM_COUNTER64) && sim_rows[o->table] > 0;
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

/* GET: the object and instance q names.  SIM_GET_NOINSTANCE when q lies
 * at or under an object type but names no instance of it. */
enum sim_get
sim_mib_get(const uint32_t *q, size_t qlen, bool v1,
    const struct sim_obj **obj, uint32_t *idx)
{
	long			 i;
	const struct sim_obj	*o;

	/* most GETs name an instance: look its object type up directly */
	if (qlen >= 2 && (o = sim_mib_lookup(q, qlen - 1)) != NULL) {
		if (v1 && o->type == SIM_COUNTER64)
			return SIM_GET_NOOBJECT;
		if (o->table == SIM_T_SCALAR ? q[qlen - 1] != 0 :
		    q[qlen - 1] < 1 || q[qlen - 1] > sim_rows[o->table])
			return SIM_GET_NOINSTANCE;
		*obj = o;
		*idx = q[qlen - 1];
		return SIM_GET_FOUND;
	}
	/* not object.instance: somewhere under an object type, or not */
	if ((i = sim_mib_floor(q, qlen)) < 0)
		return SIM_GET_NOOBJECT;
	o = &sim_objs[i];
	if (!sim_oid_prefix(o->oid, o->oidlen, q, qlen) ||
	    (v1 && o->type == SIM_COUNTER64))
		return SIM_GET_NOOBJECT;
	return SIM_GET_NOINSTANCE;
}

/* The instance after obj's instance idx (a GETBULK repeater goes on
 * from where it stands without searching); false at the end. */
bool
sim_mib_next_after(const struct sim_obj *o, uint32_t idx, bool v1,
    const struct sim_obj **obj, uint32_t *next)
{
	size_t	 i;

	if (o->table != SIM_T_SCALAR && idx < sim_rows[o->table]) {
		*obj = o;
		*next = idx + 1;
		return true;
	}
	for (i = (size_t)(o - sim_objs) + 1; i < SIM_NOBJS; i++) {
		if (sim_mib_visible(&sim_objs[i], v1)) {
			*obj = &sim_objs[i];
			*next = sim_objs[i].table == SIM_T_SCALAR ? 0 : 1;
			return true;
		}
	}
	return false;
}

/* GETNEXT: the first instance after q; false at the end of the MIB. */
bool
sim_mib_next(const uint32_t *q, size_t qlen, bool v1,
    const struct sim_obj **obj, uint32_t *idx)
{
	long			 i = sim_mib_floor(q, qlen);
	const struct sim_obj	*o;
	uint64_t		 next;

	if (i >= 0) {
		o = &sim_objs[i];
		if (sim_oid_prefix(o->oid, o->oidlen, q, qlen) &&
		    sim_mib_visible(o, v1)) {
			/* inside this object: .0 of a scalar, or the row
			 * after q's first index sub-id of a column */
			if (qlen == o->oidlen) {
				*obj = o;
				*idx = o->table == SIM_T_SCALAR ? 0 : 1;
				return true;
			}
			next = (uint64_t)q[o->oidlen] + 1;
			if (o->table != SIM_T_SCALAR &&
			    next <= sim_rows[o->table]) {
				*obj = o;
				*idx = (uint32_t)next;
				return true;
			}
		}
	}
	for (i++; i < (long)SIM_NOBJS; i++) {
		o = &sim_objs[i];
		if (sim_mib_visible(o, v1)) {
			*obj = o;
			*idx = o->table == SIM_T_SCALAR ? 0 : 1;
			return true;
		}
	}
	return false;
}
