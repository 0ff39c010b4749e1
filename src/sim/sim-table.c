/*
 * sim-table.c — the shape of every device's tables: how many rows each
 * has (--interfaces, --tables), what each row of a table with a computed
 * INDEX is about (its key: interface, neighbour, address, MAC), and the
 * INDEX sub-identifiers that key gives, in the OID encoding of its
 * syntax (IpAddress: 4 sub-ids; InetAddressType + InetAddress: type,
 * length, octets; MacAddress: 6 sub-ids).
 *
 * Every device has the same number of rows in each table; only the keys
 * differ, and they are computed from three octets of the device's
 * address (snmpfleet-sim(1), TABLES, gives the formulas).  They are
 * chosen so that row r's INDEX sorts before row r + 1's on every device:
 * the rows of a table are in OID order by construction, so GET and
 * GETNEXT are a binary search over row numbers, with nothing stored per
 * device and nothing sorted per request.
 */
#include "config.h"

#include <string.h>

#include "sim.h"

#define SIM_FULL_PORTS		250	/* ports with addresses, --tables full */
#define SIM_SMALL_PORTS		4
#define SIM_FULL_NEIGHBOURS	20	/* per port */
#define SIM_SMALL_NEIGHBOURS	2

/* hrStorageTable's rows: their hrStorageIndex (see sim-host.c) */
static const uint32_t sim_storage_index[] = { 1, 3, 6, 7, 31, 40 };
#define SIM_NSTORAGE (sizeof sim_storage_index / sizeof sim_storage_index[0])

static enum sim_tables	sim_size = SIM_TABLES_SMALL;
static unsigned		sim_ifs;		/* --interfaces */
static uint32_t		sim_ports;		/* interfaces with addresses */
static uint32_t		sim_neighbours;		/* per port */
static uint32_t		sim_rows[SIM_T_COUNT];

/* Count every table's rows for K interfaces and this --tables. */
void
sim_table_init(unsigned k, enum sim_tables size)
{
	uint32_t	 ether = k, cap;

	sim_size = size;
	sim_ifs = k;
	if (size != SIM_TABLES_NONE)
		ether = k - (k >= 4) - (k >= 6);
	cap = size == SIM_TABLES_FULL ? SIM_FULL_PORTS : SIM_SMALL_PORTS;
	sim_ports = size == SIM_TABLES_NONE ? 0 : ether < cap ? ether : cap;
	sim_neighbours = size == SIM_TABLES_FULL ? SIM_FULL_NEIGHBOURS :
	    SIM_SMALL_NEIGHBOURS;
	memset(sim_rows, 0, sizeof sim_rows);
	sim_rows[SIM_T_SCALAR] = 1;
	sim_rows[SIM_T_HRSYS] = size != SIM_TABLES_NONE;
	sim_rows[SIM_T_IF] = k;
	sim_rows[SIM_T_IFX] = k;
	sim_rows[SIM_T_ENT] = 4 + ether;	/* chassis .. fan, then ports */
	sim_rows[SIM_T_ENTMFG] = size != SIM_TABLES_NONE ? 4 + ether : 0;
	sim_rows[SIM_T_BASEPORT] = sim_ports;
	sim_rows[SIM_T_IPADDR] = sim_ports;
	sim_rows[SIM_T_NETMEDIA] = sim_ports * sim_neighbours;
	sim_rows[SIM_T_IPADDRESS] = 3 * sim_ports;
	sim_rows[SIM_T_NETPHYS] = 2 * sim_ports * sim_neighbours;
	sim_rows[SIM_T_FDB] = sim_ports * sim_neighbours;
	sim_rows[SIM_T_QFDB] = sim_ports * sim_neighbours;
	sim_rows[SIM_T_LLDP] = sim_ports;
	sim_rows[SIM_T_HRSTORAGE] = size != SIM_TABLES_NONE ? SIM_NSTORAGE : 0;
}

enum sim_tables
sim_table_size(void)
{
	return sim_size;
}

uint32_t
sim_table_rows(enum sim_table t)
{
	return sim_rows[t];
}

/* Whether devices have table t at all (if empty): --tables none leaves
 * out all but the system, interfaces, snmp and entity groups. */
bool
sim_table_present(enum sim_table t)
{
	return sim_size != SIM_TABLES_NONE || t == SIM_T_SCALAR ||
	    t == SIM_T_IF || t == SIM_T_IFX || t == SIM_T_ENT;
}

/* What interface i is: with tables, the last of 4 or more interfaces is
 * a loopback and the one before it, of 6 or more, a tunnel. */
enum sim_ifkind
sim_table_ifkind(uint32_t i)
{
	if (sim_size == SIM_TABLES_NONE)
		return SIM_IF_ETHER;
	if (sim_ifs >= 4 && i == sim_ifs)
		return SIM_IF_LOOPBACK;
	if (sim_ifs >= 6 && i == sim_ifs - 1)
		return SIM_IF_TUNNEL;
	return SIM_IF_ETHER;
}

/* The three octets of d's address every key is computed from (b, c, d
 * of IPv4 a.b.c.d; the last three of an IPv6 address), into o[3]. */
void
sim_table_octets(const struct sim_device *d, uint8_t *o)
{
	memcpy(o, d->addr.bytes + (d->addr.family == AF_INET ? 1 : 13), 3);
}

static void
sim_key_v4(struct sim_key *k, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	k->type = 1;
	k->addr[0] = a;
	k->addr[1] = b;
	k->addr[2] = c;
	k->addr[3] = d;
}

/* An IPv6 address from its last eight octets (the first eight are
 * prefix, then zeros). */
static void
sim_key_v6(struct sim_key *k, uint16_t prefix, const uint8_t *tail8)
{
	k->type = 2;
	memset(k->addr, 0, 8);
	k->addr[0] = (uint8_t)(prefix >> 8);
	k->addr[1] = (uint8_t)prefix;
	memcpy(k->addr + 8, tail8, 8);
}

/* Neighbour n (1..) on port i of device o[]: host h of 127.c.i.0/24
 * (the hosts 1, 2, ... but the device's own d), MAC 02:00:7f:c:i:h, and
 * the IPv6 link-local address that MAC gives (EUI-64), when v6. */
static void
sim_key_neighbour(struct sim_key *k, const uint8_t *o, uint32_t i,
    uint32_t n, bool v6)
{
	uint8_t	 h = (uint8_t)(o[2] == 0 || n < o[2] ? n : n + 1);
	uint8_t	 eui[8] = { 0x00, 0x00, 0x7f, 0xff, 0xfe, o[1], (uint8_t)i, h };

	k->ifindex = i;
	k->neighbour = n;
	k->mac[0] = 0x02;
	k->mac[1] = 0x00;
	k->mac[2] = 0x7f;
	k->mac[3] = o[1];
	k->mac[4] = (uint8_t)i;
	k->mac[5] = h;
	if (v6)
		sim_key_v6(k, 0xfe80, eui);
	else
		sim_key_v4(k, 127, o[1], (uint8_t)i, h);
}

/* ipAddressTable's row: port i's IPv4 address 127.c.i.d (rows 1 to P),
 * its unique local address fd00:0:c:i::d (P + 1 to 2P), then its
 * link-local fe80::i:b:c:d (2P + 1 to 3P). */
static void
sim_key_ipaddress(struct sim_key *k, const uint8_t *o, uint32_t r)
{
	uint32_t	 i = r % sim_ports + 1;
	uint8_t		 tail[8] = { 0 };

	k->ifindex = i;
	switch (r / sim_ports) {
	case 0:
		sim_key_v4(k, 127, o[1], (uint8_t)i, o[2]);
		break;
	case 1:
		tail[7] = o[2];
		sim_key_v6(k, 0xfd00, tail);
		k->addr[5] = o[1];
		k->addr[7] = (uint8_t)i;
		break;
	default:
		tail[1] = (uint8_t)i;
		tail[3] = o[0];
		tail[5] = o[1];
		tail[7] = o[2];
		sim_key_v6(k, 0xfe80, tail);
		break;
	}
}

/* What row (1..) of table t of device d is about. */
void
sim_table_key(const struct sim_device *d, enum sim_table t, uint32_t row,
    struct sim_key *k)
{
	uint8_t		 o[3];
	uint32_t	 r = row - 1, m = sim_neighbours;

	sim_table_octets(d, o);
	memset(k, 0, sizeof *k);
	switch (t) {
	case SIM_T_IPADDR:
		k->ifindex = row;
		sim_key_v4(k, 127, o[1], (uint8_t)row, o[2]);
		break;
	case SIM_T_IPADDRESS:
		sim_key_ipaddress(k, o, r);
		break;
	case SIM_T_NETPHYS:	/* per port: its IPv4 neighbours, then IPv6 */
		sim_key_neighbour(k, o, r / (2 * m) + 1, r % m + 1,
		    r % (2 * m) >= m);
		break;
	case SIM_T_NETMEDIA:
	case SIM_T_FDB:
	case SIM_T_QFDB:
		sim_key_neighbour(k, o, r / m + 1, r % m + 1, false);
		break;
	case SIM_T_LLDP:	/* one neighbour per port: its first */
		sim_key_neighbour(k, o, row, 1, false);
		break;
	case SIM_T_HRSTORAGE:
		k->slot = r;
		break;
	default:
		k->ifindex = row;
		break;
	}
}

static size_t
sim_index_put(uint32_t *sub, const uint8_t *p, size_t len)
{
	size_t	 j;

	for (j = 0; j < len; j++)
		sub[j] = p[j];
	return len;
}

/* InetAddressType, then InetAddress as a (not IMPLIED) OCTET STRING:
 * its length, then its octets. */
static size_t
sim_index_inet(uint32_t *sub, const struct sim_key *k)
{
	size_t	 len = k->type == 1 ? 4 : 16;

	sub[0] = k->type;
	sub[1] = (uint32_t)len;
	return 2 + sim_index_put(sub + 2, k->addr, len);
}

/* Row's INDEX sub-identifiers (at most SIM_INDEX_MAX) into sub; their
 * number.  t is a table with a computed INDEX. */
size_t
sim_table_index(const struct sim_device *d, enum sim_table t, uint32_t row,
    uint32_t *sub)
{
	struct sim_key	 k;

	sim_table_key(d, t, row, &k);
	switch (t) {
	case SIM_T_IPADDR:	/* ipAdEntAddr */
		return sim_index_put(sub, k.addr, 4);
	case SIM_T_NETMEDIA:	/* ipNetToMediaIfIndex, ipNetToMediaNetAddress */
		sub[0] = k.ifindex;
		return 1 + sim_index_put(sub + 1, k.addr, 4);
	case SIM_T_IPADDRESS:	/* ipAddressAddrType, ipAddressAddr */
		return sim_index_inet(sub, &k);
	case SIM_T_NETPHYS:	/* ifIndex, NetAddressType, NetAddress */
		sub[0] = k.ifindex;
		return 1 + sim_index_inet(sub + 1, &k);
	case SIM_T_FDB:		/* dot1dTpFdbAddress */
		return sim_index_put(sub, k.mac, 6);
	case SIM_T_QFDB:	/* dot1qFdbId (10 x port), dot1qTpFdbAddress */
		sub[0] = 10 * k.ifindex;
		return 1 + sim_index_put(sub + 1, k.mac, 6);
	case SIM_T_LLDP:	/* TimeMark, LocalPortNum, lldpRemIndex */
		sub[0] = 100 * k.ifindex;
		sub[1] = k.ifindex;
		sub[2] = 2 * k.ifindex;
		return 3;
	case SIM_T_HRSTORAGE:
		sub[0] = sim_storage_index[k.slot];
		return 1;
	default:
		sub[0] = row;
		return 1;
	}
}

/* Compare two OIDs (or INDEX suffixes) in SNMP order: -1, 0 or 1. */
int
sim_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t	 i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

/* The first row of t whose INDEX sorts at or after s (after, when
 * strictly), or rows + 1: a binary search, the rows being in order. */
static uint32_t
sim_table_bound(const struct sim_device *d, enum sim_table t,
    const uint32_t *s, size_t slen, bool strictly)
{
	uint32_t	 lo = 1, hi = sim_rows[t] + 1, mid;
	uint32_t	 sub[SIM_INDEX_MAX];
	size_t		 n;
	int		 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		n = sim_table_index(d, t, mid, sub);
		c = sim_oid_cmp(sub, n, s, slen);
		if (c < 0 || (strictly && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* GET: the row of t whose INDEX is exactly s, into *row; false if none. */
bool
sim_table_find(const struct sim_device *d, enum sim_table t,
    const uint32_t *s, size_t slen, uint32_t *row)
{
	uint32_t	 sub[SIM_INDEX_MAX];
	uint32_t	 r = sim_table_bound(d, t, s, slen, false);
	size_t		 n;

	if (r > sim_rows[t])
		return false;
	n = sim_table_index(d, t, r, sub);
	if (sim_oid_cmp(sub, n, s, slen) != 0)
		return false;
	*row = r;
	return true;
}

/* GETNEXT: the first row of t whose INDEX sorts after s, into *row;
 * false if none. */
bool
sim_table_after(const struct sim_device *d, enum sim_table t,
    const uint32_t *s, size_t slen, uint32_t *row)
{
	uint32_t	 r = sim_table_bound(d, t, s, slen, true);

	if (r > sim_rows[t])
		return false;
	*row = r;
	return true;
}
