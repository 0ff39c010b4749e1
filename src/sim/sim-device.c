/*
 * sim-device.c — what one simulated device answers: its model (vendor,
 * sysDescr, sysObjectID, interface names, serial number format), chosen
 * by a hash of its address, and the value of every object in sim-mib.c,
 * computed when asked from the address, the instance and the time: the
 * system, interfaces, snmp and entity groups here, the IP, bridge and
 * LLDP tables in sim-topo.c, HOST-RESOURCES-MIB in sim-host.c.
 *
 * Nothing is stored per device.  Strings depend only on the address
 * (and --swapped); sysUpTime and the counters grow with the sim's clock
 * (hundredths of a second: --clock-start, plus the time since the sim
 * started) from a per-address starting point, so two polls a few
 * seconds apart see plausible deltas, and ifInOctets is always
 * ifHCInOctets mod 2^32.  Counters and sysUpTime read the same clock in
 * the same request, so a rate computed from their deltas is exact to the
 * tick.  --counter-rate, --counter-start, --restarted and
 * --counter-reset (counters cleared at the sim's start, sysUpTime going
 * on, ifCounterDiscontinuityTime saying when) replace the
 * per-address rates and starting points with documented ones, for tests
 * that check what a poller computes between runs.
 */
#include "config.h"

#include <string.h>

#include "sim.h"

#define SIM_SALT_MODEL		0x6d6f64656c000001ULL
#define SIM_SALT_UPTIME		0x7570000000000002ULL
#define SIM_SALT_SITE		0x7369746500000003ULL
#define SIM_SALT_SERIAL		0x7365720000000004ULL
#define SIM_SALT_IF		0x6966000000000005ULL
#define SIM_SALT_SNMP		0x736e6d7000000006ULL
#define SIM_SALT_SWAP		0x7377617000000007ULL

#define SIM_OIDV(...)	{ __VA_ARGS__ }, \
	sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t)

struct sim_model {
	const char	*name;
	const char	*descr;		/* sysDescr */
	uint32_t	 objectid[16];	/* sysObjectID */
	size_t		 objectidlen;
	const char	*ifdescr;	/* printf format, %u: the port number */
	const char	*ifname;
	const char	*loopback;	/* the loopback's ifDescr and ifName */
	const char	*tunnel;	/* the tunnel's */
	unsigned	 port_base;	/* the first port's number (0 or 1) */
	uint64_t	 speed;		/* bits/s */
	uint32_t	 if_type;	/* IANAifType */
	uint8_t		 oui[3];	/* ifPhysAddress's first three octets */
	const char	*mfg;
	const char	*chassis;	/* the chassis' entPhysicalModelName */
	const char	*serial;	/* serial number prefix */
	const char	*swrev;
	int		 services;	/* sysServices */
};

static const struct sim_model sim_models[] = {
	{ "cisco-c2960x",
	  "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
	  "Version 15.2(7)E4, RELEASE SOFTWARE (fc2)",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 9, 1, 1208),
	  "GigabitEthernet1/0/%u", "Gi1/0/%u",
	  "Loopback0", "Tunnel0", 1, 1000000000, 6,
	  { 0x00, 0x1b, 0x54 }, "Cisco Systems, Inc.", "WS-C2960X-48TS-L",
	  "FOC", "15.2(7)E4", 6 },
	{ "juniper-ex4300",
	  "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS "
	  "21.4R3-S4.9, Build date: 2023-06-22 09:24:37 UTC Copyright (c) "
	  "1996-2023 Juniper Networks, Inc.",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 2636, 1, 1, 1, 2, 63),
	  "ge-0/0/%u", "ge-0/0/%u",
	  "lo0", "gr-0/0/0", 0, 1000000000, 6,
	  { 0x2c, 0x6b, 0xf5 }, "Juniper Networks", "EX4300-48T",
	  "PE37", "21.4R3-S4.9", 6 },
	{ "arista-7050",
	  "Arista Networks EOS version 4.28.3M running on an Arista Networks "
	  "DCS-7050SX3-48YC8",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 30065, 1, 3011, 7050, 3282, 48),
	  "Ethernet%u", "Ethernet%u",
	  "Loopback0", "Tunnel0", 1, 10000000000ULL, 6,
	  { 0x00, 0x1c, 0x73 }, "Arista Networks", "DCS-7050SX3-48YC8",
	  "JPE", "4.28.3M", 6 },
	{ "linux",
	  "Linux sim 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 "
	  "(2024-02-01) x86_64",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 8072, 3, 2, 10),
	  "eth%u", "eth%u",
	  "lo", "gre0", 0, 1000000000, 6,
	  { 0x52, 0x54, 0x00 }, "QEMU", "Standard PC (Q35 + ICH9, 2009)",
	  "QM", "6.1.0-18-amd64", 72 },
	{ "mikrotik-crs326",
	  "RouterOS CRS326-24G-2S+",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 14988, 1),
	  "ether%u", "ether%u",
	  "lo", "gre-tunnel1", 1, 1000000000, 6,
	  { 0x48, 0x8f, 0x5a }, "MikroTik", "CRS326-24G-2S+",
	  "HEK0", "7.11.2", 78 },
	{ "hpe-2530",
	  "HP J9772A 2530-48G-PoE+ Switch, revision YA.16.11.0016, ROM "
	  "YA.15.20 (/ws/swbuildm/rel_yakima_qaoff/code/build/lion)",
	  SIM_OIDV(1, 3, 6, 1, 4, 1, 11, 2, 3, 7, 11, 154),
	  "%u", "%u",
	  "lo0", "tunnel1", 1, 1000000000, 6,
	  { 0x94, 0x57, 0xa5 }, "Hewlett Packard Enterprise", "J9772A",
	  "SG", "YA.16.11.0016", 74 },
};
#define SIM_NMODELS (sizeof sim_models / sizeof sim_models[0])

static const char *const sim_sites[] = {
	"DC1 Frankfurt", "DC2 Ashburn", "POP Amsterdam", "Branch Lyon",
	"Campus Building C", "Edge Singapore",
};
static const char *const sim_contacts[] = {
	"NOC <noc@example.net>", "netops@example.org",
	"Network Team, +1 555 0100", "",
};

static const uint32_t sim_zero_oid[] = { 0, 0 };

unsigned	sim_interfaces = 4;

size_t
sim_models_count(void)
{
	return SIM_NMODELS;
}

/* Device a as this run has it: its model (the next one in the table
 * when --swapped names it), and when it booted: 10 s to 90 days before
 * the clock's 0, or when this sim started if --restarted names it. */
void
sim_device_init(struct sim_device *d, const struct sim_addr *a)
{
	size_t	 m = sim_hash(a->id, SIM_SALT_MODEL) % SIM_NMODELS;

	d->addr = *a;
	d->swapped = sim_state.swapped.n > 0 &&
	    sim_addr_list_has(&sim_state.swapped, a);
	d->model = &sim_models[d->swapped ? (m + 1) % SIM_NMODELS : m];
	d->fresh = sim_state.restarted.n > 0 &&
	    sim_addr_list_has(&sim_state.restarted, a);
	d->cleared = sim_state.cleared.n > 0 &&
	    sim_addr_list_has(&sim_state.cleared, a);
	if (d->fresh) {
		d->uptime_offset = 0;
		d->boot = sim_state.clock_start;
		return;
	}
	d->uptime_offset = 1000 + sim_hash(a->id, SIM_SALT_UPTIME) %
	    (90ULL * 86400 * 100);
	d->boot = 0;
}

const char *
sim_device_model_name(const struct sim_device *d)
{
	return d->model->name;
}

/* base + floor(rate per second x ticks / 100), modulo 2^64: exact while
 * rate x 99 fits in 64 bits. */
static uint64_t
sim_grow(uint64_t base, uint64_t rate, uint64_t ticks)
{
	return base + rate * (ticks / 100) + rate * (ticks % 100) / 100;
}

static void
sim_value_system(const struct sim_device *d, unsigned col, uint64_t now_ns,
    struct sim_value *v)
{
	uint64_t	 h = sim_hash(d->addr.id, SIM_SALT_SITE);

	switch (col) {
	case SIM_SYSDESCR:
		sim_value_str(v, d->model->descr);
		break;
	case SIM_SYSOBJECTID:
		sim_value_oid(v, d->model->objectid, d->model->objectidlen);
		break;
	case SIM_SYSUPTIME:
		sim_value_uint(v, SIM_TIMETICKS, sim_uptime(d, now_ns));
		break;
	case SIM_SYSCONTACT:
		sim_value_str(v, sim_contacts[h % 4]);
		break;
	case SIM_SYSNAME:
		v->type = SIM_OCTETS;
		v->s = v->buf;
		v->slen = sim_addr_text(&d->addr, (char *)v->buf,
		    sizeof v->buf);
		break;
	case SIM_SYSLOCATION:
		sim_value_printf(v, "%s, row %u, rack %u",
		    sim_sites[(h >> 8) % 6], (unsigned)(h >> 16) % 20 + 1,
		    (unsigned)(h >> 24) % 40 + 1);
		break;
	case SIM_SYSSERVICES:
		sim_value_int(v, d->model->services);
		break;
	case SIM_SYSORLASTCHANGE:
		sim_value_uint(v, SIM_TIMETICKS, 0);
		break;
	case SIM_IFNUMBER:
		sim_value_int(v, sim_interfaces);
		break;
	default:
		sim_value_uint(v, SIM_COUNTER32, sim_grow(d->fresh ? 0 :
		    h >> 40, col == SIM_SNMPINBADCOMMUNITYNAMES ? 0 :
		    3 + h % 7, sim_ticks(d, now_ns)) & 0xffffffffULL);
		if (col == SIM_SNMPENABLEAUTHENTRAPS)
			sim_value_int(v, 2);
		break;
	}
}

/* One interface's traffic, fixed by the address and the ifIndex (or by
 * --counter-rate, --counter-start and --restarted), at one time. */
struct sim_ifstate {
	uint64_t	 h;
	bool		 admin_up;
	bool		 oper_up;
	uint64_t	 ticks;		/* counted since the device booted */
	uint64_t	 in_base;	/* octets at boot */
	uint64_t	 out_base;
	uint64_t	 in_rate;	/* octets/s */
	uint64_t	 out_rate;
	uint64_t	 in_size;	/* average packet size */
	uint64_t	 out_size;
};

/* The octet counters' starting points and rates: snmpfleet-sim(1),
 * TIME AND COUNTERS, gives them as formulas. */
static void
sim_ifstate_octets(const struct sim_device *d, uint32_t i,
    struct sim_ifstate *s)
{
	if (d->fresh || d->cleared)
		s->in_base = s->out_base = 0;
	else if (sim_state.has_start)
		s->in_base = s->out_base = sim_state.counter_start;
	else {
		s->in_base = (s->h & 0xffffffffffULL) << 4;
		s->out_base = (s->h >> 24) << 4;
	}
	if (sim_state.has_rate) {
		s->in_rate = sim_state.counter_rate * i;
		s->out_rate = 2 * sim_state.counter_rate * i;
	} else {
		s->in_rate = s->oper_up ? 1000 + (s->h >> 8) % 50000000 : 0;
		s->out_rate = s->oper_up ? 1000 + (s->h >> 20) % 30000000 : 0;
	}
}

static void
sim_ifstate(const struct sim_device *d, uint32_t i, uint64_t now_ns,
    struct sim_ifstate *s)
{
	s->h = sim_hash(d->addr.id ^ ((uint64_t)i << 40), SIM_SALT_IF);
	s->admin_up = i == 1 || s->h % 16 != 0 ||
	    sim_table_ifkind(i) == SIM_IF_LOOPBACK;
	s->oper_up = s->admin_up && (i == 1 || s->h % 8 != 1 ||
	    sim_table_ifkind(i) == SIM_IF_LOOPBACK);
	s->ticks = sim_ticks(d, now_ns);
	if (d->cleared)		/* counting again since the sim started */
		s->ticks = sim_clock(now_ns) - sim_state.clock_start;
	sim_ifstate_octets(d, i, s);
	s->in_size = 200 + (s->h >> 32) % 1200;
	s->out_size = 200 + (s->h >> 44) % 1200;
}

/* ifHCInOctets (6) .. ifHCOutBroadcastPkts (13), as 64-bit values. */
static uint64_t
sim_ifcounter(const struct sim_ifstate *s, unsigned hc)
{
	uint64_t	 in = sim_grow(s->in_base, s->in_rate, s->ticks);
	uint64_t	 out = sim_grow(s->out_base, s->out_rate, s->ticks);

	switch (hc) {
	case 6:
		return in;
	case 7:
		return in / s->in_size;
	case 8:
		return in / s->in_size / 50;
	case 9:
		return in / s->in_size / 200;
	case 10:
		return out;
	case 11:
		return out / s->out_size;
	case 12:
		return out / s->out_size / 80;
	default:
		return out / s->out_size / 300;
	}
}

/* ifDescr (fmt: the model's ifdescr) or ifName (its ifname) of i. */
static void
sim_ifdescr(const struct sim_device *d, const char *fmt, uint32_t i,
    struct sim_value *v)
{
	switch (sim_table_ifkind(i)) {
	case SIM_IF_LOOPBACK:
		sim_value_str(v, d->model->loopback);
		break;
	case SIM_IF_TUNNEL:
		sim_value_str(v, d->model->tunnel);
		break;
	default:
		sim_value_printf(v, fmt, i - 1 + d->model->port_base);
		break;
	}
}

/* What differs between an Ethernet port, a tunnel and a loopback:
 * ifType, ifMtu, ifSpeed (bits/s; 0 off Ethernet) and ifPhysAddress
 * (col 3 to 6). */
static void
sim_value_ifkind(const struct sim_device *d, unsigned col, uint32_t i,
    struct sim_value *v)
{
	static const int	 types[] = { 0, 131, 24 };	/* IANAifType */
	static const int	 mtus[] = { 1500, 1476, 65536 };
	enum sim_ifkind		 kind = sim_table_ifkind(i);
	uint64_t		 speed;

	switch (col) {
	case 3:
		sim_value_int(v, kind == SIM_IF_ETHER ? (int)d->model->if_type :
		    types[kind]);
		break;
	case 4:
		sim_value_int(v, mtus[kind]);
		break;
	case 5:
		speed = kind == SIM_IF_ETHER ? d->model->speed : 0;
		sim_value_uint(v, SIM_GAUGE32, speed > 0xffffffffULL ?
		    0xffffffffULL : speed);
		break;
	default:
		v->buf[0] = d->model->oui[0];
		v->buf[1] = d->model->oui[1];
		v->buf[2] = d->model->oui[2];
		v->buf[3] = (uint8_t)(d->addr.id >> 8);
		v->buf[4] = (uint8_t)(d->addr.id >> 16);
		v->buf[5] = (uint8_t)(d->addr.id >> 24 ^ i);
		v->type = SIM_OCTETS;
		v->s = v->buf;
		v->slen = kind == SIM_IF_ETHER ? 6 : 0;
		break;
	}
}

static void
sim_value_if(const struct sim_device *d, unsigned col, uint32_t i,
    uint64_t now_ns, struct sim_value *v)
{
	struct sim_ifstate	 s;
	const uint64_t		 m32 = 0xffffffffULL;

	sim_ifstate(d, i, now_ns, &s);
	switch (col) {
	case 1:
		sim_value_int(v, i);
		break;
	case 2:
		sim_ifdescr(d, d->model->ifdescr, i, v);
		break;
	case 3: case 4: case 5: case 6:
		sim_value_ifkind(d, col, i, v);
		break;
	case 7:
		sim_value_int(v, s.admin_up ? 1 : 2);
		break;
	case 8:
		sim_value_int(v, s.oper_up ? 1 : 2);
		break;
	case 9:
		sim_value_uint(v, SIM_TIMETICKS, d->fresh ? 0 :
		    s.h % d->uptime_offset);
		break;
	case 10: case 11: case 16: case 17:
		sim_value_uint(v, SIM_COUNTER32, sim_ifcounter(&s,
		    col == 10 ? 6 : col == 11 ? 7 : col == 16 ? 10 : 11) & m32);
		break;
	case 12: case 18:
		sim_value_uint(v, SIM_COUNTER32, (sim_ifcounter(&s,
		    col == 12 ? 8 : 12) + sim_ifcounter(&s,
		    col == 12 ? 9 : 13)) & m32);
		break;
	case 13: case 14: case 19: case 20:
		sim_value_uint(v, SIM_COUNTER32, sim_grow(d->fresh ||
		    d->cleared ? 0 :
		    s.h >> 50, s.oper_up ? (s.h >> (col % 8)) % 3 : 0,
		    s.ticks) & m32);
		break;
	case 15:
		sim_value_uint(v, SIM_COUNTER32, 0);
		break;
	case 21:
		sim_value_uint(v, SIM_GAUGE32, 0);
		break;
	default:
		sim_value_oid(v, sim_zero_oid, 2);
		break;
	}
}

static void
sim_value_ifx(const struct sim_device *d, unsigned col, uint32_t i,
    uint64_t now_ns, struct sim_value *v)
{
	struct sim_ifstate	 s;

	sim_ifstate(d, i, now_ns, &s);
	switch (col) {
	case 1:
		sim_ifdescr(d, d->model->ifname, i, v);
		break;
	case 2: case 3: case 4: case 5:
		sim_value_uint(v, SIM_COUNTER32, sim_ifcounter(&s,
		    col == 2 ? 8 : col == 3 ? 9 : col == 4 ? 12 : 13) &
		    0xffffffffULL);
		break;
	case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13:
		sim_value_uint(v, SIM_COUNTER64, sim_ifcounter(&s, col));
		break;
	case 14:
		sim_value_int(v, 1);
		break;
	case 15:
		sim_value_uint(v, SIM_GAUGE32, sim_table_ifkind(i) ==
		    SIM_IF_ETHER ? d->model->speed / 1000000 : 0);
		break;
	case 16:
		sim_value_int(v, 2);
		break;
	case 17:
		sim_value_int(v, sim_table_ifkind(i) == SIM_IF_ETHER ? 1 : 2);
		break;
	case 18:
		if (i == 1)
			sim_value_str(v, "uplink");
		else
			sim_value_str(v, s.h % 3 == 0 ? "" : "access");
		break;
	case 19:	/* ifCounterDiscontinuityTime: sysUpTime then */
		sim_value_uint(v, SIM_TIMETICKS, d->cleared ?
		    (d->uptime_offset + sim_state.clock_start - d->boot) &
		    0xffffffffULL : 0);
		break;
	default:
		sim_value_uint(v, SIM_TIMETICKS, 0);
		break;
	}
}

/* A serial number: the model's prefix and 8 characters from the hash
 * (another hash for a --swapped device). */
static void
sim_serial(const struct sim_device *d, uint32_t row, struct sim_value *v)
{
	static const char	 digits[] = "0123456789ABCDEFGHJKLMNPRSTUVWXY";
	uint64_t		 h;
	char			 code[9];
	int			 k;

	h = sim_hash(d->addr.id + row, d->swapped ?
	    SIM_SALT_SERIAL ^ SIM_SALT_SWAP : SIM_SALT_SERIAL);
	for (k = 0; k < 8; k++) {
		code[k] = digits[h & 31];
		h >>= 5;
	}
	code[8] = '\0';
	sim_value_printf(v, "%s%s", d->model->serial, code);
}

/* entPhysicalMfgDate: the chassis' from the address (year 2018 + c mod
 * 6, month 1 + d mod 12, day 1 + (c + d) mod 28, midnight), 8 octets of
 * DateAndTime; every other row's is unknown, eight zero octets. */
static void
sim_mfg_date(const struct sim_device *d, uint32_t row, struct sim_value *v)
{
	uint8_t	 o[3];

	memset(v->buf, 0, 8);
	sim_table_octets(d, o);
	if (row == 1) {
		v->buf[0] = (uint8_t)((2018 + o[1] % 6) >> 8);
		v->buf[1] = (uint8_t)(2018 + o[1] % 6);
		v->buf[2] = (uint8_t)(1 + o[2] % 12);
		v->buf[3] = (uint8_t)(1 + (o[1] + o[2]) % 28);
	}
	v->type = SIM_OCTETS;
	v->s = v->buf;
	v->slen = 8;
}

static void
sim_value_ent(const struct sim_device *d, unsigned col, uint32_t row,
    struct sim_value *v)
{
	static const char *const names[] = { "", "Chassis", "Module 1",
	    "Power Supply 1", "Fan 1" };
	static const int classes[] = { 0, 3, 9, 6, 7 };
	bool	 port = row > 4;

	switch (col) {
	case 2:
		if (port)
			sim_ifdescr(d, d->model->ifdescr, row - 4, v);
		else
			sim_value_printf(v, "%s %s", d->model->chassis,
			    names[row]);
		break;
	case 3:
		if (row == 1)
			sim_value_oid(v, d->model->objectid,
			    d->model->objectidlen);
		else
			sim_value_oid(v, sim_zero_oid, 2);
		break;
	case 4:
		sim_value_int(v, row == 1 ? 0 : port ? 2 : 1);
		break;
	case 5:
		sim_value_int(v, port ? 10 : classes[row]);
		break;
	case 6:
		sim_value_int(v, row == 1 ? -1 : port ? (int64_t)row - 4 : 1);
		break;
	case 7:
		if (port)
			sim_ifdescr(d, d->model->ifname, row - 4, v);
		else
			sim_value_str(v, names[row]);
		break;
	case 8:
		sim_value_str(v, port ? "" : "V02");
		break;
	case 10:
		sim_value_str(v, row <= 2 ? d->model->swrev : "");
		break;
	case 11:
		if (port)
			sim_value_str(v, "");
		else
			sim_serial(d, row, v);
		break;
	case 12:
		sim_value_str(v, port ? "" : d->model->mfg);
		break;
	case 13:
		sim_value_str(v, row == 1 ? d->model->chassis : "");
		break;
	case 16:
		sim_value_int(v, row == 1 || port ? 2 : 1);
		break;
	case 17:
		sim_mfg_date(d, row, v);
		break;
	default:
		sim_value_str(v, "");
		break;
	}
}

/* The value of obj's row idx (0: a scalar) on device d at now_ns. */
void
sim_device_value(const struct sim_device *d, const struct sim_obj *obj,
    uint32_t idx, uint64_t now_ns, struct sim_value *v)
{
	switch (obj->table) {
	case SIM_T_SCALAR:
		sim_value_system(d, obj->col, now_ns, v);
		break;
	case SIM_T_IF:
		sim_value_if(d, obj->col, idx, now_ns, v);
		break;
	case SIM_T_IFX:
		sim_value_ifx(d, obj->col, idx, now_ns, v);
		break;
	case SIM_T_ENT:
	case SIM_T_ENTMFG:
		sim_value_ent(d, obj->col, idx, v);
		break;
	case SIM_T_HRSYS:
	case SIM_T_HRSTORAGE:
		sim_host_value(d, obj->table, obj->col, idx, now_ns, v);
		break;
	default:
		sim_topo_value(d, obj->table, obj->col, idx, v);
		break;
	}
}
