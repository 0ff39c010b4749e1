/*
 * sim-topo.c — the values of the tables that place a device in a
 * network: its addresses (ipAddrTable, ipAddressTable), its neighbours
 * (ipNetToMediaTable, ipNetToPhysicalTable, lldpRemTable) and the MAC
 * addresses its bridge learned (dot1dBasePortTable, dot1dTpFdbTable,
 * dot1qTpFdbTable).  Every value follows from the row's key
 * (sim-table.c): the neighbour on port i of the device at a.b.c.d is
 * the sim's device 127.c.i.h, so a poller that follows LLDP or ARP finds
 * devices that answer, on loopback.
 */
#include "config.h"

#include <string.h>

#include "sim.h"

/* zeroDotZero: RowPointer and AutonomousType values that point nowhere */
static const uint32_t sim_zero_dot_zero[] = { 0, 0 };

/* InetAddressType values (RFC 4001) */
#define SIM_INET_IPV4	1

/* ipAddrTable: ipAdEntAddr, IfIndex, NetMask, BcastAddr, ReasmMaxSize */
static void
sim_topo_ipaddr(const struct sim_key *k, unsigned col, struct sim_value *v)
{
	static const uint8_t	 mask[4] = { 255, 255, 255, 0 };

	switch (col) {
	case 1:
		sim_value_bytes(v, SIM_IPADDRESS, k->addr, 4);
		break;
	case 2:
		sim_value_int(v, k->ifindex);
		break;
	case 3:
		sim_value_bytes(v, SIM_IPADDRESS, mask, 4);
		break;
	case 4:
		sim_value_int(v, 1);
		break;
	default:
		sim_value_int(v, 65535);
		break;
	}
}

/* ipNetToMediaTable: IfIndex, PhysAddress, NetAddress, Type dynamic(3) */
static void
sim_topo_netmedia(const struct sim_key *k, unsigned col, struct sim_value *v)
{
	switch (col) {
	case 1:
		sim_value_int(v, k->ifindex);
		break;
	case 2:
		sim_value_bytes(v, SIM_OCTETS, k->mac, 6);
		break;
	case 3:
		sim_value_bytes(v, SIM_IPADDRESS, k->addr, 4);
		break;
	default:
		sim_value_int(v, 3);
		break;
	}
}

/* ipAddressTable, from column 3: IfIndex, Type unicast(1), Prefix,
 * Origin manual(2) (link-local: linklayer(5)), Status preferred(1),
 * Created, LastChanged, RowStatus active(1), StorageType volatile(2) */
static void
sim_topo_ipaddress(const struct sim_key *k, unsigned col,
    struct sim_value *v)
{
	switch (col) {
	case 3:
		sim_value_int(v, k->ifindex);
		break;
	case 5:
		sim_value_oid(v, sim_zero_dot_zero, 2);
		break;
	case 6:
		sim_value_int(v, k->type == SIM_INET_IPV4 ||
		    k->addr[0] == 0xfd ? 2 : 5);
		break;
	case 8:
	case 9:
		sim_value_uint(v, SIM_TIMETICKS, 0);
		break;
	case 11:
		sim_value_int(v, 2);
		break;
	default:	/* 4, 7, 10 */
		sim_value_int(v, 1);
		break;
	}
}

/* ipNetToPhysicalTable, from column 4: PhysAddress, LastUpdated, Type
 * dynamic(3), State reachable(1) (IPv6: stale(2)), RowStatus active(1) */
static void
sim_topo_netphys(const struct sim_key *k, unsigned col, struct sim_value *v)
{
	switch (col) {
	case 4:
		sim_value_bytes(v, SIM_OCTETS, k->mac, 6);
		break;
	case 5:
		sim_value_uint(v, SIM_TIMETICKS, 0);
		break;
	case 6:
		sim_value_int(v, 3);
		break;
	case 7:
		sim_value_int(v, k->type == SIM_INET_IPV4 ? 1 : 2);
		break;
	default:
		sim_value_int(v, 1);
		break;
	}
}

/* dot1dTpFdbTable (Address, Port, Status learned(3)) and, from column
 * 2, dot1qTpFdbTable (Port, Status): bridge port i is ifIndex i */
static void
sim_topo_fdb(const struct sim_key *k, unsigned col, struct sim_value *v)
{
	switch (col) {
	case 1:
		sim_value_bytes(v, SIM_OCTETS, k->mac, 6);
		break;
	case 2:
		sim_value_int(v, k->ifindex);
		break;
	default:
		sim_value_int(v, 3);
		break;
	}
}

/* dot1dBasePortTable: Port, IfIndex (the same), Circuit, and two
 * discard counters that stay 0 */
static void
sim_topo_baseport(uint32_t row, unsigned col, struct sim_value *v)
{
	if (col <= 2)
		sim_value_int(v, row);
	else if (col == 3)
		sim_value_oid(v, sim_zero_dot_zero, 2);
	else
		sim_value_uint(v, SIM_COUNTER32, 0);
}

/* lldpRemTable, from column 4: the neighbour's chassis (its MAC), its
 * port (its interface name), its sysName (its address) and the
 * capabilities of a bridge and router */
static void
sim_topo_lldp(const struct sim_device *d, const struct sim_key *k,
    unsigned col, struct sim_value *v)
{
	static const uint8_t	 caps_supported = 0x28;	/* bridge, router */
	static const uint8_t	 caps_enabled = 0x20;	/* bridge */
	char			 self[64];
	uint8_t			 o[3];

	switch (col) {
	case 4:		/* macAddress(4) */
		sim_value_int(v, 4);
		break;
	case 5:
		sim_value_bytes(v, SIM_OCTETS, k->mac, 6);
		break;
	case 6:		/* interfaceName(5) */
		sim_value_int(v, 5);
		break;
	case 7:		/* its port towards d: eth<d> */
		sim_table_octets(d, o);
		sim_value_printf(v, "eth%u", (unsigned)o[2]);
		break;
	case 8:
		sim_addr_text(&d->addr, self, sizeof self);
		sim_value_printf(v, "link to %s port %u", self,
		    (unsigned)k->ifindex);
		break;
	case 9:
		sim_value_printf(v, "%u.%u.%u.%u", k->addr[0], k->addr[1],
		    k->addr[2], k->addr[3]);
		break;
	case 10:
		sim_value_str(v, "snmpfleet-sim device");
		break;
	case 11:
		sim_value_bytes(v, SIM_OCTETS, &caps_supported, 1);
		break;
	default:
		sim_value_bytes(v, SIM_OCTETS, &caps_enabled, 1);
		break;
	}
}

/* Column col of row of table t (one of the tables above) on device d. */
void
sim_topo_value(const struct sim_device *d, enum sim_table t, unsigned col,
    uint32_t row, struct sim_value *v)
{
	struct sim_key	 k;

	if (t == SIM_T_BASEPORT) {
		sim_topo_baseport(row, col, v);
		return;
	}
	sim_table_key(d, t, row, &k);
	switch (t) {
	case SIM_T_IPADDR:
		sim_topo_ipaddr(&k, col, v);
		break;
	case SIM_T_NETMEDIA:
		sim_topo_netmedia(&k, col, v);
		break;
	case SIM_T_IPADDRESS:
		sim_topo_ipaddress(&k, col, v);
		break;
	case SIM_T_NETPHYS:
		sim_topo_netphys(&k, col, v);
		break;
	case SIM_T_FDB:
	case SIM_T_QFDB:	/* the same columns, Address not-accessible */
		sim_topo_fdb(&k, col, v);
		break;
	default:
		sim_topo_lldp(d, &k, col, v);
		break;
	}
}
