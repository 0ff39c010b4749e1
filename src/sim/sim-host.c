/*
 * sim-host.c — HOST-RESOURCES-MIB of a device: hrSystemUptime (its
 * sysUpTime), hrSystemDate (a DateAndTime on the sim's clock, in one of
 * four time zone forms chosen by the address), users and processes,
 * hrMemorySize, and hrStorageTable: memory, a disk and a flash file
 * system, whose sizes and use follow from the address (snmpfleet-sim(1),
 * TABLES).
 */
#include "config.h"

#include <time.h>

#include "sim.h"

/* hrSystemDate's clock 0: 2026-01-01T00:00:00Z */
#define SIM_DATE_EPOCH	1767225600

/* hrStorageTable's rows, in sim-table.c's order of hrStorageIndex
 * (1, 3, 6, 7, 31, 40) */
struct sim_storage {
	uint32_t	 type;		/* under hrStorageTypes */
	const char	*descr;
	uint32_t	 units;		/* hrStorageAllocationUnits, bytes */
};

static const struct sim_storage sim_storage[] = {
	{ 2, "Physical memory", 1024 },		/* hrStorageRam */
	{ 3, "Virtual memory", 1024 },		/* hrStorageVirtualMemory */
	{ 1, "Memory buffers", 1024 },		/* hrStorageOther */
	{ 1, "Cached memory", 1024 },
	{ 4, "/", 4096 },			/* hrStorageFixedDisk */
	{ 9, "/flash", 512 },			/* hrStorageFlashMemory */
};

/* Memory in KB (hrMemorySize): 2, 4, 8 or 16 GiB from c + d. */
static uint64_t
sim_host_memory(const uint8_t *o)
{
	return 1ULL << (21 + (o[1] + o[2]) % 4);
}

/* hrStorageSize of slot s, in its units. */
static uint64_t
sim_host_size(const uint8_t *o, uint32_t s)
{
	uint64_t	 mem = sim_host_memory(o);

	switch (s) {
	case 1:
		return mem + mem / 2;		/* RAM and swap */
	case 4:
		return 1ULL << (22 + o[2] % 3);	/* 16, 32 or 64 GiB */
	case 5:
		return 1ULL << (21 + o[1] % 3);	/* 1, 2 or 4 GiB */
	default:
		return mem;
	}
}

static void
sim_host_storage(const struct sim_device *d, unsigned col, uint32_t row,
    struct sim_value *v)
{
	struct sim_key		 k;
	uint32_t		 sub[SIM_INDEX_MAX];
	uint8_t			 o[3];
	uint64_t		 size, pct;

	sim_table_key(d, SIM_T_HRSTORAGE, row, &k);
	sim_table_octets(d, o);
	size = sim_host_size(o, k.slot);
	pct = 10 + (o[1] + o[2] + 13 * k.slot) % 80;
	switch (col) {
	case 1:
		sim_table_index(d, SIM_T_HRSTORAGE, row, sub);
		sim_value_int(v, sub[0]);
		break;
	case 2:	/* hrStorageTypes.n: 1.3.6.1.2.1.25.2.1.n */
		v->oidbuf[0] = 1;
		v->oidbuf[1] = 3;
		v->oidbuf[2] = 6;
		v->oidbuf[3] = 1;
		v->oidbuf[4] = 2;
		v->oidbuf[5] = 1;
		v->oidbuf[6] = 25;
		v->oidbuf[7] = 2;
		v->oidbuf[8] = 1;
		v->oidbuf[9] = sim_storage[k.slot].type;
		sim_value_oid(v, v->oidbuf, 10);
		break;
	case 3:
		sim_value_str(v, sim_storage[k.slot].descr);
		break;
	case 4:
		sim_value_int(v, sim_storage[k.slot].units);
		break;
	case 5:
		sim_value_int(v, (int64_t)size);
		break;
	case 6:
		sim_value_int(v, (int64_t)(size * pct / 100));
		break;
	default:	/* hrStorageAllocationFailures */
		sim_value_uint(v, SIM_COUNTER32, 0);
		break;
	}
}

/* hrSystemDate: the sim's clock from 2026-01-01T00:00:00Z, as UTC
 * without a zone (d mod 4 = 0), UTC "+0:0" (1), "+5:30" (2) or "-4:0"
 * (3): 8 or 11 octets of DateAndTime. */
static void
sim_host_date(const struct sim_device *d, uint64_t now_ns,
    struct sim_value *v)
{
	static const int	 zone[4] = { 0, 0, 330, -240 };	/* minutes */
	uint64_t		 t = sim_clock(now_ns);
	uint8_t			 o[3], *b = v->buf;
	unsigned		 form;
	time_t			 secs;
	struct tm		 tm;

	sim_table_octets(d, o);
	form = o[2] % 4;
	secs = (time_t)(SIM_DATE_EPOCH + t / 100 + zone[form] * 60);
	gmtime_r(&secs, &tm);
	b[0] = (uint8_t)((tm.tm_year + 1900) >> 8);
	b[1] = (uint8_t)(tm.tm_year + 1900);
	b[2] = (uint8_t)(tm.tm_mon + 1);
	b[3] = (uint8_t)tm.tm_mday;
	b[4] = (uint8_t)tm.tm_hour;
	b[5] = (uint8_t)tm.tm_min;
	b[6] = (uint8_t)tm.tm_sec;
	b[7] = (uint8_t)(t % 100 / 10);
	b[8] = zone[form] < 0 ? '-' : '+';
	b[9] = (uint8_t)((zone[form] < 0 ? -zone[form] : zone[form]) / 60);
	b[10] = (uint8_t)((zone[form] < 0 ? -zone[form] : zone[form]) % 60);
	v->type = SIM_OCTETS;
	v->s = b;
	v->slen = form == 0 ? 8 : 11;
}

/* Column (or scalar) col of row of t, SIM_T_HRSYS or SIM_T_HRSTORAGE,
 * on device d at now_ns. */
void
sim_host_value(const struct sim_device *d, enum sim_table t, unsigned col,
    uint32_t row, uint64_t now_ns, struct sim_value *v)
{
	uint8_t	 o[3];

	if (t == SIM_T_HRSTORAGE) {
		sim_host_storage(d, col, row, v);
		return;
	}
	sim_table_octets(d, o);
	switch (col) {
	case SIM_HRUPTIME:
		sim_value_uint(v, SIM_TIMETICKS, sim_uptime(d, now_ns));
		break;
	case SIM_HRDATE:
		sim_host_date(d, now_ns, v);
		break;
	case SIM_HRUSERS:
		sim_value_uint(v, SIM_GAUGE32, (o[1] + o[2]) % 5);
		break;
	case SIM_HRPROCESSES:
		sim_value_uint(v, SIM_GAUGE32, 100 + (o[1] + o[2]) % 200);
		break;
	case SIM_HRMAXPROCESSES:
		sim_value_int(v, 0);
		break;
	default:	/* hrMemorySize, KBytes */
		sim_value_int(v, (int64_t)sim_host_memory(o));
		break;
	}
}
