/*
 * sim.h — the internal header of snmpfleet-sim, a simulated fleet of SNMP
 * agents on one UDP port: every module's interface, one section per file.
 *
 * Data flow, per thread: sim-net.c reads a batch of datagrams (recvmmsg,
 * each with the address it was sent to), sim-ber.c parses each request,
 * sim-fault.c decides whether and when it is answered, sim-reply.c builds
 * the response from sim-mib.c's object table and sim-device.c's
 * per-address values, and sim-net.c sends the batch (sendmmsg) from the
 * address each request was sent to.  Delayed replies wait in sim-delay.c's
 * heap.  sim-worker.c runs that loop; sim-main.c owns options, signals,
 * threads and the exit status.
 */
#ifndef SIM_H
#define SIM_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define SIM_PROGRAM	"snmpfleet-sim"
#define SIM_BATCH	64		/* datagrams per recvmmsg/sendmmsg */
#define SIM_MAX_DGRAM	65535		/* largest request read */
#define SIM_MAX_UDP	65507		/* largest UDP payload over IPv4 */
#define SIM_MAX_OID	128		/* sub-identifiers in one OID */
#define SIM_MAX_VARS	4096		/* varbinds in one request */
#define SIM_MAX_DELAYED	(1U << 20)	/* held replies per thread */

/* ASN.1/SNMP tags, spelled out here so this program needs no net-snmp
 * header outside sim-bench.c */
#define SIM_INTEGER	0x02
#define SIM_OCTETS	0x04
#define SIM_NULL	0x05
#define SIM_OID		0x06
#define SIM_SEQUENCE	0x30
#define SIM_IPADDRESS	0x40
#define SIM_COUNTER32	0x41
#define SIM_GAUGE32	0x42
#define SIM_TIMETICKS	0x43
#define SIM_COUNTER64	0x46
#define SIM_NOSUCHOBJECT	0x80
#define SIM_NOSUCHINSTANCE	0x81
#define SIM_ENDOFMIBVIEW	0x82
#define SIM_PDU_GET	0xa0
#define SIM_PDU_GETNEXT	0xa1
#define SIM_PDU_RESPONSE	0xa2
#define SIM_PDU_SET	0xa3
#define SIM_PDU_GETBULK	0xa5

/* error-status values */
#define SIM_ERR_TOOBIG		1
#define SIM_ERR_NOSUCHNAME	2
#define SIM_ERR_GENERR		5
#define SIM_ERR_NOTWRITABLE	17

#define SIM_V1	0
#define SIM_V2C	1

/* sim-fault.c — which devices are dead or slow, lost requests, delays;
 * and the hashes every per-address choice is made from */
struct sim_addr {
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 bytes[16];	/* network order; v4 in the first 4 */
	uint64_t	 id;		/* a hash of the address */
};

/* a list of addresses and networks (--dead-list, --restarted, --swapped):
 * meant for a few dozen entries, searched only when it is not empty */
struct sim_prefix {
	uint8_t		 family;
	uint8_t		 bytes[16];
	unsigned	 bits;		/* prefix length */
};

struct sim_addr_list {
	struct sim_prefix	*v;
	size_t			 n;
};

struct sim_faults {
	struct sim_addr_list	 dead_list;	/* --dead-list */
	double		 dead_pct;
	double		 loss_pct;
	double		 slow_pct;
	uint64_t	 slow_ns;
	uint64_t	 latency_ns;
	uint64_t	 jitter_ns;
	uint64_t	 seed;
};

uint64_t sim_mix64(uint64_t);
uint64_t sim_hash(uint64_t, uint64_t);
void	 sim_addr_set(struct sim_addr *, int, const void *);
int	 sim_addr_parse(const char *, struct sim_addr *);
size_t	 sim_addr_text(const struct sim_addr *, char *, size_t);
int	 sim_addr_list_add(struct sim_addr_list *, const char *);
bool	 sim_addr_list_has(const struct sim_addr_list *,
	     const struct sim_addr *);
bool	 sim_fault_dead(const struct sim_faults *, const struct sim_addr *);
bool	 sim_fault_slow(const struct sim_faults *, const struct sim_addr *);
bool	 sim_fault_lost(const struct sim_faults *, uint64_t *);
uint64_t sim_fault_delay(const struct sim_faults *, const struct sim_addr *,
	     uint64_t *);

/* sim-ber.c — a minimal BER parser for v1/v2c requests and the encoders
 * responses are built with */
struct sim_varbind {
	const uint8_t	*raw;		/* the whole varbind TLV */
	size_t		 rawlen;
	const uint8_t	*oidraw;	/* the OID's content octets */
	size_t		 oidrawlen;
	uint32_t	 oid[SIM_MAX_OID];
	size_t		 oidlen;
};

struct sim_request {
	int			 version;	/* SIM_V1 or SIM_V2C */
	const uint8_t		*community;
	size_t			 communitylen;
	uint8_t			 pdu;		/* SIM_PDU_* */
	const uint8_t		*reqid;		/* request-id TLV, as sent */
	size_t			 reqidlen;
	long			 nonrep;	/* GETBULK: non-repeaters */
	long			 maxrep;	/* GETBULK: max-repetitions */
	struct sim_varbind	*vars;
	size_t			 nvars;
};

enum sim_parse {
	SIM_PARSE_OK,
	SIM_PARSE_ERROR,	/* not a well-formed SNMP message */
	SIM_PARSE_VERSION,	/* well-formed, but not v1 or v2c */
	SIM_PARSE_PDU		/* a PDU type no agent answers */
};

enum sim_parse sim_ber_parse(const uint8_t *, size_t, struct sim_request *,
	     size_t);
size_t	 sim_ber_len_size(size_t);
uint8_t	*sim_ber_put_len(uint8_t *, size_t);
size_t	 sim_ber_int_size(int64_t);
size_t	 sim_ber_uint_size(uint64_t);
uint8_t	*sim_ber_put_int(uint8_t *, uint8_t, int64_t);
uint8_t	*sim_ber_put_uint(uint8_t *, uint8_t, uint64_t);
size_t	 sim_ber_oid_size(const uint32_t *, size_t);
uint8_t	*sim_ber_put_oid(uint8_t *, const uint32_t *, size_t);
size_t	 sim_ber_subid_size(uint32_t);
uint8_t	*sim_ber_put_subid(uint8_t *, uint32_t);

/* sim-device.c — a device: its model, chosen by a hash of its address,
 * and the values of every simulated object, computed when asked */
struct sim_value {
	uint8_t		 type;		/* SIM_INTEGER, SIM_OCTETS, ... */
	int64_t		 i;		/* SIM_INTEGER */
	uint64_t	 u;		/* the unsigned types */
	const uint8_t	*s;		/* SIM_OCTETS, SIM_IPADDRESS */
	size_t		 slen;
	const uint32_t	*oid;		/* SIM_OID */
	size_t		 oidlen;
	uint8_t		 buf[256];	/* room for a formatted string */
	uint32_t	 oidbuf[24];
};

struct sim_device {
	struct sim_addr		 addr;
	const struct sim_model	*model;
	uint64_t		 uptime_offset;	/* sysUpTime at boot, 1/100 s */
	uint64_t		 boot;		/* clock at boot, 1/100 s */
	bool			 fresh;		/* counters count from 0 */
	bool			 cleared;	/* --counter-reset */
	bool			 swapped;	/* --swapped: another model */
};

/* what changes between runs: the clock, counter rates, reboots, swaps */
struct sim_state {
	uint64_t		 clock_start;	/* --clock-start, 1/100 s */
	bool			 has_rate;
	uint64_t		 counter_rate;	/* --counter-rate */
	bool			 has_start;
	uint64_t		 counter_start;	/* --counter-start */
	struct sim_addr_list	 restarted;	/* --restarted */
	struct sim_addr_list	 cleared;	/* --counter-reset */
	struct sim_addr_list	 swapped;	/* --swapped */
};

struct sim_model;
struct sim_obj;

extern unsigned	sim_interfaces;		/* --interfaces */
extern uint64_t	sim_start_ns;		/* when the sim started */
extern struct sim_state sim_state;

void	 sim_device_init(struct sim_device *, const struct sim_addr *);
const char *sim_device_model_name(const struct sim_device *);
void	 sim_device_value(const struct sim_device *, const struct sim_obj *,
	     uint32_t, uint64_t, struct sim_value *);
size_t	 sim_models_count(void);

/* sim-value.c — the constructors of values, and the sim's clock */
void	 sim_value_str(struct sim_value *, const char *);
void	 sim_value_printf(struct sim_value *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
void	 sim_value_bytes(struct sim_value *, uint8_t, const void *, size_t);
void	 sim_value_uint(struct sim_value *, uint8_t, uint64_t);
void	 sim_value_int(struct sim_value *, int64_t);
void	 sim_value_oid(struct sim_value *, const uint32_t *, size_t);

/* The sim's clock at now_ns, in hundredths of a second: --clock-start
 * plus the time since the sim started.  sysUpTime, hrSystemUptime,
 * hrSystemDate and the counters are all read from it, so that one
 * request sees one instant. */
static inline uint64_t
sim_clock(uint64_t now_ns)
{
	return sim_state.clock_start + (now_ns > sim_start_ns ?
	    (now_ns - sim_start_ns) / 10000000 : 0);
}

/* Hundredths of a second device d has counted since it booted. */
static inline uint64_t
sim_ticks(const struct sim_device *d, uint64_t now_ns)
{
	return sim_clock(now_ns) - d->boot;
}

/* sysUpTime.0 (and hrSystemUptime.0) of d at now_ns. */
static inline uint64_t
sim_uptime(const struct sim_device *d, uint64_t now_ns)
{
	return (d->uptime_offset + sim_ticks(d, now_ns)) & 0xffffffffULL;
}

/* sim-table.c — which tables a device has, how many rows, and each
 * row's key and INDEX sub-identifiers (--tables, --interfaces) */
enum sim_tables {
	SIM_TABLES_NONE,	/* only the system, if, snmp and entity MIBs */
	SIM_TABLES_SMALL,	/* a few rows in every table */
	SIM_TABLES_FULL		/* up to 250 ports, 20 neighbours each */
};

/* Scalars first, then tables whose index is the row number, then
 * tables with a computed INDEX (sim_table_index). */
enum sim_table {
	SIM_T_SCALAR,
	SIM_T_HRSYS,		/* HOST-RESOURCES-MIB scalars */
	SIM_T_IF,
	SIM_T_IFX,
	SIM_T_ENT,
	SIM_T_ENTMFG,		/* entPhysicalMfgDate: only with tables */
	SIM_T_BASEPORT,		/* dot1dBasePortTable */
	SIM_T_IPADDR,		/* ipAddrTable */
	SIM_T_NETMEDIA,		/* ipNetToMediaTable */
	SIM_T_IPADDRESS,	/* ipAddressTable */
	SIM_T_NETPHYS,		/* ipNetToPhysicalTable */
	SIM_T_FDB,		/* dot1dTpFdbTable */
	SIM_T_QFDB,		/* dot1qTpFdbTable */
	SIM_T_LLDP,		/* lldpRemTable */
	SIM_T_HRSTORAGE,	/* hrStorageTable */
	SIM_T_COUNT
};
#define SIM_T_IS_SCALAR(t)	((t) <= SIM_T_HRSYS)
#define SIM_T_IS_KEYED(t)	((t) > SIM_T_BASEPORT)

#define SIM_INDEX_MAX	24	/* sub-identifiers of one row's INDEX */

enum sim_ifkind { SIM_IF_ETHER, SIM_IF_TUNNEL, SIM_IF_LOOPBACK };

/* what one row of a computed-INDEX table is about */
struct sim_key {
	uint32_t	 ifindex;	/* its interface (bridge port) */
	uint32_t	 neighbour;	/* 1..: which neighbour on it */
	uint32_t	 slot;		/* hrStorageTable: which template row */
	uint8_t		 type;		/* InetAddressType: 1 ipv4, 2 ipv6 */
	uint8_t		 addr[16];	/* the address, 4 or 16 bytes */
	uint8_t		 mac[6];	/* the neighbour's MAC address */
};

void	 sim_table_init(unsigned, enum sim_tables);
enum sim_tables sim_table_size(void);
uint32_t sim_table_rows(enum sim_table);
bool	 sim_table_present(enum sim_table);
enum sim_ifkind sim_table_ifkind(uint32_t);
void	 sim_table_octets(const struct sim_device *, uint8_t *);
void	 sim_table_key(const struct sim_device *, enum sim_table, uint32_t,
	     struct sim_key *);
size_t	 sim_table_index(const struct sim_device *, enum sim_table,
	     uint32_t, uint32_t *);
bool	 sim_table_find(const struct sim_device *, enum sim_table,
	     const uint32_t *, size_t, uint32_t *);
bool	 sim_table_after(const struct sim_device *, enum sim_table,
	     const uint32_t *, size_t, uint32_t *);
int	 sim_oid_cmp(const uint32_t *, size_t, const uint32_t *, size_t);

/* sim-topo.c — the device's place in a network: IP-MIB addresses and
 * neighbours, BRIDGE-MIB and Q-BRIDGE-MIB forwarding entries, LLDP */
void	 sim_topo_value(const struct sim_device *, enum sim_table, unsigned,
	     uint32_t, struct sim_value *);

/* sim-host.c — HOST-RESOURCES-MIB: system scalars and hrStorageTable */
enum sim_hr {			/* SIM_T_HRSYS scalars' col */
	SIM_HRUPTIME = 1,
	SIM_HRDATE,
	SIM_HRUSERS,
	SIM_HRPROCESSES,
	SIM_HRMAXPROCESSES,
	SIM_HRMEMORYSIZE
};

void	 sim_host_value(const struct sim_device *, enum sim_table, unsigned,
	     uint32_t, uint64_t, struct sim_value *);

/* sim-mib.c — the simulated MIB: every object, in OID order; GET and
 * GETNEXT computed on the fly (no per-device tree) */

/* scalars: their col is one of these */
enum sim_scalar {
	SIM_SYSDESCR = 1,
	SIM_SYSOBJECTID,
	SIM_SYSUPTIME,
	SIM_SYSCONTACT,
	SIM_SYSNAME,
	SIM_SYSLOCATION,
	SIM_SYSSERVICES,
	SIM_SYSORLASTCHANGE,
	SIM_IFNUMBER,
	SIM_SNMPINPKTS,
	SIM_SNMPOUTPKTS,
	SIM_SNMPINBADCOMMUNITYNAMES,
	SIM_SNMPENABLEAUTHENTRAPS
};

struct sim_obj {
	const char	*name;
	uint32_t	 oid[16];	/* the object type (no instance) */
	size_t		 oidlen;
	uint8_t		 enc[24];	/* its BER content octets */
	size_t		 enclen;
	enum sim_table	 table;
	unsigned	 col;		/* column, or the scalar's sub-id */
	uint8_t		 type;		/* the value's tag */
	uint32_t	 rows;		/* its table's (sim_table_rows) */
	bool		 present;	/* sim_table_present */
};

enum sim_get {
	SIM_GET_FOUND,
	SIM_GET_NOINSTANCE,	/* the object exists, not this instance */
	SIM_GET_NOOBJECT
};

/* An instance is an object and a row: 0 for a scalar's .0, 1.. in the
 * device's INDEX order for a table. */
void	 sim_mib_init(unsigned, enum sim_tables);
size_t	 sim_mib_count(void);
const struct sim_obj *sim_mib_at(size_t);
enum sim_get sim_mib_get(const struct sim_device *, const uint32_t *, size_t,
	     bool, const struct sim_obj **, uint32_t *);
bool	 sim_mib_next(const struct sim_device *, const uint32_t *, size_t,
	     bool, const struct sim_obj **, uint32_t *);
bool	 sim_mib_next_after(const struct sim_obj *, uint32_t, bool,
	     const struct sim_obj **, uint32_t *);
size_t	 sim_mib_instance(const struct sim_device *, const struct sim_obj *,
	     uint32_t, uint32_t *);

/* sim-reply.c — the response to one request, encoded into a buffer */
struct sim_cursor;

struct sim_reply_ctx {
	size_t			 max_size;	/* largest response message */
	uint64_t		 now_ns;
	struct sim_cursor	*cursors;	/* GETBULK: one per repeater */
};

void	 sim_reply_init(struct sim_reply_ctx *, size_t);
void	 sim_reply_free(struct sim_reply_ctx *);
size_t	 sim_reply_headroom(size_t);
size_t	 sim_reply_build(const struct sim_reply_ctx *,
	     const struct sim_request *, const struct sim_device *,
	     uint8_t *, size_t, uint8_t **);

/* sim-net.c — sockets bound with SO_REUSEPORT, and batches of datagrams
 * that remember (receive) and use (send) the local address */
struct sim_listen {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 family;
};

struct sim_dgram {
	struct sockaddr_storage	 peer;		/* who sent the request */
	socklen_t		 peerlen;
	struct sim_addr		 local;		/* where it was sent to */
	int			 ifindex;
	uint8_t			*data;
	size_t			 len;
};

struct sim_batch;

int	 sim_listen_parse(const char *, unsigned, struct sim_listen *,
	     char **);
void	 sim_listen_text(const struct sim_listen *, char *, size_t);
int	 sim_net_probe(struct sim_listen *, char **);
int	 sim_net_open(const struct sim_listen *, bool, char **);
void	 sim_net_spread(int, int, unsigned);
struct sim_batch *sim_batch_new(size_t);
void	 sim_batch_free(struct sim_batch *);
int	 sim_net_recv(int, struct sim_batch *, struct sim_dgram **);
void	 sim_net_queue(struct sim_batch *, const struct sim_dgram *,
	     const uint8_t *, size_t);
int	 sim_net_flush(int, struct sim_batch *, uint64_t *);
size_t	 sim_batch_pending(const struct sim_batch *);
uint32_t sim_batch_overflows(const struct sim_batch *);

/* sim-delay.c — replies that wait: a binary min-heap on due time */
struct sim_delayed {
	uint64_t		 due_ns;
	uint64_t		 seq;		/* ties: in arrival order */
	struct sim_dgram	 to;		/* peer, local address */
	uint8_t			*data;		/* owned copy of the reply */
	size_t			 len;
};

struct sim_held {			/* replies held for one address */
	uint64_t		 id;		/* sim_addr id; 0: free slot */
	uint32_t		 n;
};

struct sim_delay {
	struct sim_delayed	*v;
	size_t			 n;
	size_t			 cap;
	uint64_t		 seq;
	struct sim_held		*held;		/* by local address */
	size_t			 nheld;		/* slots used */
	size_t			 heldcap;	/* a power of two, or 0 */
	uint64_t		 max_held;	/* most held for one address */
};

void	 sim_delay_push(struct sim_delay *, uint64_t, const struct sim_dgram *,
	     const uint8_t *, size_t);
const struct sim_delayed *sim_delay_peek(const struct sim_delay *);
void	 sim_delay_pop(struct sim_delay *);
void	 sim_delay_free(struct sim_delay *);

/* sim-stats.c — the counters, per thread, and the report */
enum sim_counter {
	SIM_C_RECEIVED,
	SIM_C_ANSWERED,
	SIM_C_LOST,
	SIM_C_DEAD,
	SIM_C_BAD_COMMUNITY,
	SIM_C_BAD_VERSION,
	SIM_C_PARSE_ERRORS,
	SIM_C_SEND_ERRORS,
	SIM_C_OVERFLOWS,
	SIM_C_DELAYED,
	SIM_C_DELAY_FULL,
	SIM_C_MAX_INFLIGHT,	/* most requests held for one address at
				 * once (a maximum; summed over threads) */
	SIM_C_COUNT
};

struct sim_counters {
	_Atomic uint64_t	 c[SIM_C_COUNT];
} __attribute__((aligned(64)));

void	 sim_counters_add(struct sim_counters *, const uint64_t *);
void	 sim_counters_sum(const struct sim_counters *, uint64_t *);
void	 sim_stats_report(FILE *, const uint64_t *, double, uint64_t,
	     double);

/* sim-worker.c — one thread: its socket, its loop, its counters */
struct sim_config {
	struct sim_listen	 listen;
	const char		*community;
	size_t			 communitylen;
	struct sim_faults	 faults;
	size_t			 max_size;
	unsigned		 threads;
	unsigned		 interfaces;
	enum sim_tables		 tables;
};

struct sim_worker {
	const struct sim_config	*cfg;
	unsigned		 index;
	int			 fd;
	int			 stop_fd;	/* readable: stop now */
	const _Atomic int	*stop;		/* set: stop now */
	struct sim_counters	 counters;
	char			*error;		/* why the thread ended early */
};

void	*sim_worker_run(void *);

/* sim-bench.c — --bench-codec: this program's codec against net-snmp's */
int	 sim_bench_codec(unsigned long, size_t);

#endif /* SIM_H */
