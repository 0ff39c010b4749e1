/*
 * snmpfleet.h — the one internal header: every module's interface, in
 * one section per source file, lower layers first.  Calls go one way (no
 * two files call each other; tests/integration/layering.sh checks):
 *
 *   main.c         options.c inventory.c dedup.c pool.c writer.c out*.c
 *                  report.c rates.c
 *   pool.c         scheduler.c writer.c progress.c bitmap.c rates.c
 *   scheduler.c    transports.c fetch.c writer.c resolve.c window.c
 *                  agents.c (its targets come through struct
 *                  sched_source, from pool.c or a test)
 *   agents.c       window.c
 *   transports.c   transport-tcp.c transport-v3.c transport-udp.c
 *                  (struct transport_ops)
 *   transport-tcp.c transport-udp.c usm.c
 *   transport-v3.c transport-sess.c transport-udp.c usm.c
 *   options.c      usm.c parse.c redact.c out.c
 *   state.c        parse.c (the --state file)
 *   state-build.c  state.c (writing it: run files, the merge)
 *   rates.c        state.c state-build.c (--state as a run uses it: main.c opens and
 *                  finishes it, writer.c notes each record, out-json.c
 *                  and out-influx.c show the notes, pool.c ends a
 *                  worker's share)
 *   below them all xmalloc.c buf.c log.c clock.c parse.c redact.c oid-num.c
 *                  dump.c (transport-udp.c, transport-sess.c,
 *                  transport-tcp.c and writer.c call it; the writer is
 *                  its sink)
 */
#ifndef SNMPFLEET_H
#define SNMPFLEET_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <uv.h>

#define SF_ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* xmalloc.c — allocation that never fails (it aborts the process) */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) SF_ATTR_PRINTF(1, 2);
char	*xvasprintf(const char *, va_list);

/* buf.c — a growable byte buffer */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) SF_ATTR_PRINTF(2, 3);
void	 buf_add_u64(struct buf *, uint64_t);
void	 buf_add_i64(struct buf *, int64_t);
void	 buf_add_ms(struct buf *, uint64_t);
const char *buf_cstr(struct buf *);

/* log.c — messages to stderr and (--syslog) syslog */
void	 log_open(bool);
void	 log_msg(int, const char *, ...) SF_ATTR_PRINTF(2, 3);
void	 log_raw(int, const char *);
void	 log_netsnmp(bool);

/* redact.c — input text as messages may quote it (no secrets, no
 * control bytes).  The names of secrets come from whoever knows them
 * (options.c registers its tables' before main() runs). */
#define REDACT_MAX	128	/* room for one quoted text */
typedef bool (*redact_each_fn)(bool (*)(const char *, void *), void *);
void	 redact_use_names(redact_each_fn);
const char *redact_text(const char *, char *, size_t);

/* parse.c — small parsers and a hash shared by the input modules */
uint64_t parse_hash_bytes(const void *, size_t);
int	 parse_ulong(const char *, unsigned long, unsigned long *);
int	 parse_version(const char *, long *);
int	 parse_size(const char *, uint64_t *);

/* clock.c — monotonic and wall clocks */
uint64_t clock_now_ns(void);
void	 clock_iso8601(char *, size_t, uint64_t *);

/* dump.c — -d: datagrams as hex dump blocks, handed to a sink (the
 * writer); the transports call dump_packet only when dump_enabled */
extern bool dump_enabled;
void	 dump_to(void (*)(void *, const char *, size_t), void *);
void	 dump_packet(bool, const char *, const struct sockaddr *,
	     const void *, size_t);

/* options.c — the one option table (and the one per-target key table,
 * below with the targets), the config file, --echo-config */
enum format_id { FMT_TEXT, FMT_JSONL, FMT_CSV, FMT_INFLUX, FMT_PROM };

struct strlist {
	char	**v;
	size_t	  n;
};
void	 strlist_add(struct strlist *, const char *);
void	 strlist_free(struct strlist *);

struct cred_set {
	char		*name;
	struct strlist	 kv;		/* "key=value", inventory keys */
};

struct profile {
	char		*name;
	struct strlist	 oids;
	struct strlist	 walks;
	struct strlist	 tables;
	struct strlist	 labels;	/* lookups: columns shown as labels */
	struct strlist	 info;		/* enums shown as NAME_info{NAME=""} */
};

struct config {
	struct strlist	 inventories;
	struct strlist	 hosts;
	struct strlist	 oids;
	unsigned	 port;
	long		 snmp_version;	/* SNMP_VERSION_1 or SNMP_VERSION_2c */
	char		*community;
	double		 timeout;	/* seconds per attempt */
	unsigned	 retries;
	unsigned	 concurrency;	/* the window's ceiling */
	bool		 adapt;		/* -j auto / N: adaptive (not fixed:N) */
	unsigned	 per_agent;	/* cap per agent address, 0: none */
	uint64_t	 recv_buffer;	/* SO_RCVBUF bytes, 0: sized for -j */
	double		 rate;		/* requests/s for the run, 0 = no limit */
	char		*output;
	enum format_id	 format;
	unsigned	 max_oids;
	bool		 quiet;
	bool		 echo_config;
	unsigned	 procs;		/* 0: one per CPU */
	char		*lock;
	double		 deadline;	/* seconds, 0: none */
	double		 target_deadline;
	char		*stats_file;
	char		*state;		/* --state FILE, or NULL */
	bool		 state_reset;
	double		 max_rate_interval;	/* seconds, 0: no limit */
	char		*changes;	/* --changes FILE, or NULL */
	unsigned	 vanish_after;	/* --vanish-after N */
	char		*fingerprint;	/* --fingerprint OBJ,... */
	char		*mibs;		/* -m, as net-snmp spells it */
	char		*mibdirs;	/* -M */
	char		*output_options; /* -O, net-snmp's letters */
	char		*describe;	/* --describe OBJECT */
	bool		 syslog;
	bool		 ipv4;		/* -4: names to IPv4 addresses only */
	bool		 ipv6;		/* -6: names to IPv6 addresses only */
	bool		 allow_duplicates;
	bool		 no_join;	/* -T tables never joined */
	char		*shard;		/* "K/N" or "auto/N" */
	char		*user;		/* SNMPv3, as given (usm.c checks) */
	char		*level;
	char		*auth;
	char		*auth_pass;
	char		*priv;
	char		*priv_pass;
	char		*context;
	char		*engine_id;
	char		*context_engine_id;
	char		*transport;	/* --transport: udp or tcp */
	char		*sweep;		/* concurrency levels */
	char		*sweep_rate;	/* rate levels */
	char		*sweep_csv;
	char		*sweep_svg;
	struct cred_set	*creds;		/* [credentials NAME] sections */
	size_t		 ncreds;
	struct strlist	 secret_files;	/* config files holding secrets */
	struct strlist	 walks;
	struct strlist	 tables;
	struct strlist	 labels;	/* --label: lookup columns */
	struct strlist	 info;		/* the profiles' info objects */
	char		*metric_prefix;	/* --metric-prefix */
	bool		 influx_unsigned; /* -F influx: "u" for unsigned types */
	unsigned	 max_repetitions;
	bool		 no_bulk;	/* walks by GETNEXT on v2c/v3 too */
	bool		 allow_non_increasing;
	bool		 any_source;	/* replies from any address */
	unsigned	 max_walk_values;	/* per target, all its walks */
	uint64_t	 max_walk_bytes;
	unsigned	 per_target;
	struct strlist	 profiles;	/* --profile: the ones to use */
	struct profile	*defined;	/* [profile NAME] sections */
	size_t		 ndefined;
	int		 progress;	/* -1 auto (a terminal), 0 no, 1 yes */
	bool		 dump;		/* -d: hex dump of every datagram */
	char		*dump_file;	/* --dump-file, or NULL: stderr */
	struct strlist	 config_files;
};

#define OPT_SECRET	0x01	/* never printed: redacted in --echo-config */
#define OPT_CLI_ONLY	0x02	/* not a config file key */
#define OPT_LIST	0x04	/* repeatable; each use adds a value */
#define OPT_NOARG	0x08	/* a flag: takes no value on the command line */

#define CONCURRENCY_AUTO	4096	/* -j auto: the window's ceiling */
#define PER_TARGET_MAX	64	/* --per-target at most (sizes the v3
				 * transport's per-target arrays) */

/* One option: everything about it is in its row (tmux's options-table). */
struct option_def {
	const char	*name;		/* long option and config key */
	int		 short_name;	/* 0 if none */
	const char	*argname;	/* NULL for flags */
	const char	*defval;	/* default, as text, or NULL */
	int		 flags;
	double		 minimum;	/* numbers: the valid range */
	double		 maximum;
	const char	*env;		/* environment variable, or NULL */
	const char	*target_key;	/* the per-target key beating it */
	const char	*help;
	int		(*set)(struct config *, const struct option_def *,
			    const char *, char **);
	size_t		 offset;	/* field in struct config */
	void		(*echo)(const struct config *,
			    const struct option_def *, struct buf *);
};

extern const struct option_def	options_table[];
extern const size_t		options_count;

void	 options_init(struct config *);
void	 options_free(struct config *);
const struct option_def *options_find(const char *);
const struct option_def *options_find_short(int);
int	 options_set(struct config *, const struct option_def *,
	     const char *, char **);
int	 options_load_file(struct config *, const char *, char **);
int	 options_finish(struct config *, char **);
void	 options_echo(const struct config *, struct buf *);
void	 options_usage(struct buf *);
struct target_params;
int	 options_target_params(const struct config *, struct target_params **,
	     char **);

/* inventory.c — the target table: hosts, CIDR blocks and ranges, each one
 * entry, addressed by index and never expanded */
struct usm_keys;
enum target_transport { TARGET_UDP, TARGET_TCP };
struct target_params {
	long		 snmp_version;
	char		*community;
	unsigned	 timeout_ms;
	unsigned	 retries;
	char		**tags;		/* name, value, name, value, ... */
	size_t		 ntags;
	uint16_t	 port;		/* port= key; 0: --port */
	int		 transport;	/* enum target_transport */
	uint64_t	 max_walk_values; /* 0: no limit */
	uint64_t	 max_walk_bytes;  /* 0: no limit */
	/* agents in the wild (fetch.c, transport-udp.c) */
	unsigned	 max_oids;	/* max-oids= key; 0: --max-oids */
	unsigned	 max_repetitions; /* max-repetitions= key; 0: the run's */
	bool		 no_bulk;	/* walk by GETNEXT on v2c/v3 too */
	bool		 allow_non_increasing; /* a walk may go back (loop
					 * guarded: an OID seen again ends it) */
	bool		 any_source;	/* take a reply from any address if
					 * its id and community match */
	/* SNMPv3 (usm.c) */
	bool		 level_set;	/* given, not implied */
	char		*user;
	int		 level;		/* SNMP_SEC_LEVEL_* */
	int		 auth;		/* index into usm's protocol tables */
	char		*authpass;
	int		 priv;
	char		*privpass;
	char		*context;
	u_char		 engine_id[32];	/* -e: known engineID, or len 0 */
	size_t		 engine_id_len;
	u_char		 context_engine_id[32];	/* -E, or len 0: the
						 * agent's engineID */
	size_t		 context_engine_id_len;
	struct usm_keys	*keys;		/* master keys, computed once */
};

struct inv_entry {
	uint64_t	 first;		/* index of the entry's first target */
	uint64_t	 count;		/* 1 for a host, else the block's size */
	uint8_t		 addr[16];	/* first address, network order */
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint16_t	 port;		/* 0: the run's --port */
	uint32_t	 params;	/* index into inventory.params */
	uint32_t	 name;		/* offset into names arena, or NO_NAME */
};
#define INV_NO_NAME UINT32_MAX

struct inventory {
	struct inv_entry	 *entries;
	size_t			  nentries;
	size_t			  cap;
	uint64_t		  total;
	struct target_params	**params;
	size_t			  nparams;
	struct buf		  names;
	void			 *intern;	/* params interning table */
	unsigned		  default_port;
	bool			  has_v4;
	bool			  has_v6;
	bool			  has_v3;
	bool			  has_secrets;	/* a line set a secret */
	const struct cred_set	 *creds;	/* for cred=NAME */
	size_t			  ncreds;
	uint64_t		  nnames;	/* entries that are host names,
						   looked up while polling */
	int			  family;	/* names: AF_UNSPEC, or -4/-6 */
};

struct target {
	uint64_t			 index;
	struct sockaddr_storage		 addr;
	socklen_t			 addrlen;
	uint16_t			 port;
	bool				 default_port;
	const struct target_params	*params;
	char				 host[256];
};

/*
 * A per-target key: a key of inventory lines and (TK_CRED) of
 * [credentials NAME] sections.  The one table of them serves both, the
 * redaction of secrets and --echo-config; a key that overrides an option
 * names it, and takes its range from the option's row.
 */
#define TK_SECRET	0x01	/* its value is a secret: never printed */
#define TK_CRED		0x02	/* allowed in a [credentials NAME] section */
#define TK_PREFIX	0x04	/* name is a prefix: "tag." then a NAME */
#define TK_SET_REF	0x08	/* names a credential set (cred=NAME) */

struct target_key {
	const char	*name;		/* as written: "authpass", "tag." */
	int		 flags;
	const char	*option;	/* the option it overrides, or NULL */
	int		(*set)(struct target_params *, const struct target_key *,
			    const char *, const char *, char **);
	size_t		 offset;	/* text keys: field in target_params */
};

/* (options.c holds the table, next to the options it mirrors) */
extern const struct target_key	target_keys[];
extern const size_t		target_keys_count;
const struct target_key *target_key_find(const char *);
int	 target_key_set(struct target_params *, const char *, const char *,
	     char **);
void	 target_params_free(struct target_params *);
bool	 options_is_secret_key(const char *);

void	 inventory_init(struct inventory *, const struct target_params *,
	     unsigned);
void	 inventory_free(struct inventory *);
int	 inventory_add_spec(struct inventory *, const char *, uint32_t,
	     char **);
int	 inventory_add_line(struct inventory *, char *, char **);
int	 inventory_load(struct inventory *, const char *, FILE *, char **);
void	 inventory_get(const struct inventory *, uint64_t, struct target *);
unsigned inventory_shard(const struct target *, unsigned);

/* dedup.c — each target once: the same address and port with the same
 * credentials, given twice (hosts, overlapping blocks and ranges, the
 * same name), is dropped from the table without expanding anything */
int	 dedup_inventory(struct inventory *, uint64_t *);

/* resolve.c — host names looked up while polling (uv_getaddrinfo),
 * bounded, each name once per process */
struct resolver;
typedef void (*resolve_cb)(void *, uint64_t, const struct sockaddr *,
    const char *);
struct resolver *resolve_new(uv_loop_t *, int, unsigned);
void	 resolve_free(struct resolver *);
void	 resolve_lookup(struct resolver *, const char *, resolve_cb, void *,
	     uint64_t);
void	 resolve_cancel_queued(struct resolver *);
uint64_t resolve_lookups(const struct resolver *);
void	 resolve_fill(struct target *, const struct sockaddr *);

/* usm.c — SNMPv3 user-based security: names, master keys, reports */
struct usm_keys {
	u_char	 auth_ku[USM_AUTH_KU_LEN];
	size_t	 auth_ku_len;
	u_char	 priv_ku[USM_PRIV_KU_LEN];
	size_t	 priv_ku_len;
};
int	 usm_set_level(struct target_params *, const struct target_key *,
	     const char *, const char *, char **);
int	 usm_set_auth(struct target_params *, const struct target_key *,
	     const char *, const char *, char **);
int	 usm_set_priv(struct target_params *, const struct target_key *,
	     const char *, const char *, char **);
int	 usm_set_engineid(struct target_params *, const struct target_key *,
	     const char *, const char *, char **);
int	 usm_set_context_engineid(struct target_params *,
	     const struct target_key *, const char *, const char *, char **);
int	 usm_check(const struct target_params *, char **);
int	 usm_prepare(struct target_params *, char **);
void	 usm_imply_level(struct target_params *);
unsigned long usm_ku_computed(void);
const char *usm_level_name(int);
const char *usm_auth_name(int);
const char *usm_priv_name(int);
void	 usm_session(const struct target_params *, netsnmp_session *);
char	*usm_report_reason(const netsnmp_pdu *, const struct target_params *);
bool	 usm_report_time_window(const netsnmp_pdu *);
size_t	 usm_probe(u_char *, size_t, int32_t);
/* One target's localized keys: net-snmp keeps one user entry per
 * (engineID, user name), so targets that share both (one agent polled
 * at two addresses, devices with a cloned engineID) take turns in it */
struct usm_local {
	struct usmUser	*entry;		/* net-snmp's, in its user list */
	struct usmUser	 keys;		/* only the protocols and keys */
};
struct usmUser *usm_local_begin(const u_char *, size_t, const char *);
void	 usm_local_end(struct usm_local *, struct usmUser *, const u_char *,
	     size_t, const char *);
void	 usm_local_apply(const struct usm_local *);
void	 usm_local_free(struct usm_local *);

/* oid-num.c — OIDs as numbers: dotted decimal, order, prefix (below
 * both oid.c and names.c) */
struct oid_text {
	oid	 v[MAX_OID_LEN];
	size_t	 len;
};
int	 oid_parse_numeric(const char *, struct oid_text *);
void	 oid_format(const oid *, size_t, struct buf *);
int	 oid_compare(const oid *, size_t, const oid *, size_t);
bool	 oid_is_prefix(const oid *, size_t, const oid *, size_t);

/* oid.c — OID text to numbers: numeric, built-in names, MIBs */
int	 oid_parse(const char *, struct oid_text *, char **);
void	 oid_init_netsnmp(const char *);

/* mib-builtin.c — the built-in MIB objects (generated by tools/gen-mib.py) */
enum mib_kind {
	MIB_K_NODE, MIB_K_SCALAR, MIB_K_TABLE, MIB_K_ENTRY, MIB_K_COLUMN,
	MIB_K_NOTIFY
};
enum mib_syntax {
	MIB_SYN_NONE, MIB_SYN_INTEGER, MIB_SYN_OCTETS, MIB_SYN_OID,
	MIB_SYN_IPADDR, MIB_SYN_COUNTER32, MIB_SYN_GAUGE32, MIB_SYN_TIMETICKS,
	MIB_SYN_OPAQUE, MIB_SYN_COUNTER64, MIB_SYN_UNSIGNED32, MIB_SYN_BITS
};
enum mib_access {
	MIB_ACC_NONE, MIB_ACC_NOACCESS, MIB_ACC_NOTIFY, MIB_ACC_READONLY,
	MIB_ACC_READWRITE, MIB_ACC_READCREATE
};
struct mib_enum {
	int32_t		 value;
	uint32_t	 label;		/* offset into the set's strings */
};
/* One object.  Strings are offsets into the set's pool (0 is ""). */
struct mib_row {
	uint32_t	 name, module, source, tc, hint, units;
	uint32_t	 oid;		/* first arc in arcs[] */
	uint32_t	 enums;		/* first in enums[] */
	uint32_t	 index;		/* first INDEX name in index[] */
	uint32_t	 augments;	/* name of the entry it AUGMENTS */
	uint16_t	 nenums;
	uint16_t	 fixed;		/* SIZE of a fixed-size OCTET STRING */
	uint8_t		 oid_len, kind, syntax, access, nindex, implied;
};
/* A set of objects: rows in OID order, by_name in (name, module) order. */
struct mib_set {
	const char		*str;
	const uint32_t		*arcs;
	const struct mib_enum	*enums;
	const uint32_t		*index;
	const struct mib_row	*rows;
	const uint32_t		*by_name;
	size_t			 nrows;
	const char		*source;	/* NULL: built in */
};
extern const struct mib_set mib_builtin;

/* mib.c — what an OID means: built-in objects and MIB files */
struct mib_obj {
	const struct mib_set	*set;
	const struct mib_row	*row;
};
enum mib_index_kind {
	MIB_IX_INTEGER, MIB_IX_IPADDR, MIB_IX_FIXED, MIB_IX_STRING,
	MIB_IX_IMPLIED, MIB_IX_INETTYPE, MIB_IX_INETADDR, MIB_IX_OID,
	MIB_IX_IMPLIED_OID, MIB_IX_UNKNOWN
};
int	 mib_load(const char *, const char *, char **);
void	 mib_prepare(const char *, const char *);
int	 mib_find_oid(const oid *, size_t, struct mib_obj *, size_t *);
int	 mib_find_name(const char *, const char *, struct mib_obj *);
const char *mib_str(const struct mib_obj *, uint32_t);
const char *mib_source(const struct mib_obj *);
void	 mib_oid(const struct mib_obj *, struct oid_text *);
const char *mib_enum_label(const struct mib_obj *, long);
int	 mib_entry_of(const struct mib_obj *, struct mib_obj *);
int	 mib_index_obj(const struct mib_obj *, size_t, struct mib_obj *);
enum mib_index_kind mib_index_kind(const struct mib_obj *, bool);
const char *mib_index_kind_name(enum mib_index_kind);
int	 mib_describe(const char *, struct buf *, char **);
size_t	 mib_loaded_count(void);
size_t	 mib_columns(const oid *, size_t, unsigned *, const char **, size_t);

/* mib-value.c — what a value means: enum labels, hints, seconds, units */
void	 mib_value_json(const netsnmp_variable_list *, struct buf *);
bool	 mib_value_text(const netsnmp_variable_list *, struct buf *);
int	 mib_value_shown(const struct mib_obj *, const u_char *, size_t,
	     struct buf *);
bool	 mib_value_text_hint(const struct mib_obj *);

/* mib-index.c — a cell's instance read back into its INDEX values */
#define MIB_INDEX_MAX	8
struct mib_index_part {
	const char		*name;		/* the INDEX object's */
	enum mib_index_kind	 kind;
	struct mib_obj		 obj;
	bool			 mac;		/* a hardware address */
};
struct mib_index_spec {
	size_t			 n;
	struct mib_index_part	 part[MIB_INDEX_MAX];
};
int	 mib_index_spec(const struct mib_obj *, struct mib_index_spec *);
int	 mib_index_decode(const struct mib_index_spec *, const oid *, size_t,
	     void (*)(void *, const struct mib_index_part *, const char *,
	     size_t), void *);
/* How mib_index_values shows an INDEX value: a JSON number, text, or
 * octets as hex pairs (00:1a:2b, value_hex) */
enum mib_show { MIB_SHOW_NUMBER, MIB_SHOW_TEXT, MIB_SHOW_HEX };
int	 mib_index_values(const struct mib_index_spec *, const oid *, size_t,
	     void (*)(void *, const struct mib_index_part *, enum mib_show,
	     const char *, size_t), void *);
void	 mib_format_octets(bool, const u_char *, size_t, struct buf *);
bool	 mib_is_mac(const struct mib_obj *);

/* names.c — OID names for records and the command line (through mib.c) */
int	 names_lookup(const char *, struct oid_text *, bool *);
int	 names_describe(const oid *, size_t, struct buf *);
size_t	 names_columns(const oid *, size_t, bool, unsigned *, const char **,
	     size_t);

/* value.c — varbind values for humans and for JSON */
const char *value_type_name(u_char);
bool	 value_is_exception(u_char);
bool	 value_printable(const unsigned char *, size_t);
void	 value_hex(const unsigned char *, size_t, struct buf *);
void	 value_text(const netsnmp_variable_list *, struct buf *);
void	 value_json(const netsnmp_variable_list *, struct buf *);
void	 value_plain(const netsnmp_variable_list *, struct buf *);
const char *value_nonfinite(const netsnmp_variable_list *);
void	 value_json_bare(const netsnmp_variable_list *, struct buf *);
bool	 value_number(const netsnmp_variable_list *, struct buf *);
void	 json_string(struct buf *, const char *, size_t);
void	 json_tags(struct buf *, const struct target_params *);

/* stats.c — counters and a fixed-size log-bucketed latency histogram */
#define HIST_BUCKETS 320
struct stats {
	uint64_t	 targets_done;
	uint64_t	 ok;
	uint64_t	 timeout;
	uint64_t	 error;
	uint64_t	 deadline;
	uint64_t	 requests;
	uint64_t	 responses;
	uint64_t	 retries;
	int64_t		 window;	/* the workers' windows now (each
					 * worker adds its changes) */
	uint64_t	 kernel_drops;	/* datagrams our sockets dropped */
	uint64_t	 hist[HIST_BUCKETS];	/* round-trip times */
};
void	 stats_record_rtt(struct stats *, uint64_t);
double	 stats_percentile(const struct stats *, double);
void	 stats_merge(struct stats *, const struct stats *);

/* fetch.c — what to ask one target: packed GETs (split on tooBig) and
 * walks (GETBULK on v2c, GETNEXT on v1), each a stream of requests */
enum item_kind { ITEM_GET, ITEM_WALK, ITEM_TABLE };

struct plan_item {
	enum item_kind	 kind;
	char		*text;		/* as given: "ifTable", "1.3.6.1..." */
	struct oid_text	 oid;		/* walks and tables: the root */
	bool		 entry;		/* table given as its Entry */
};

/* A column whose value labels the metrics of rows with the same index
 * (-F prom: --label, a profile's label key), or an enum shown as an
 * info metric (a profile's info key). */
struct plan_label {
	char			*name;		/* as given */
	struct oid_text		 oid;
};

struct fetch_plan {
	struct plan_label	*labels;	/* lookups */
	size_t			 nlabels;
	struct plan_label	*info;		/* enums as NAME_info */
	size_t			 ninfo;
	const char		*metric_prefix;	/* "" or --metric-prefix */
	bool			 influx_unsigned; /* --influx-unsigned */
	struct oid_text		*oids;		/* the GET list */
	size_t			 noids;
	unsigned		 max_oids;
	struct plan_item	*items;		/* GET list (if any), walks, tables */
	size_t			 nitems;
	unsigned		 max_repetitions;
	unsigned		 per_target;
	bool			 no_join;	/* --no-join */
};

enum result_status { RES_OK, RES_TIMEOUT, RES_ERROR, RES_DEADLINE };

struct result_part {
	const struct plan_item	*item;
	enum result_status	 status;
	char			*error;
	netsnmp_variable_list	*vars;		/* owned */
};

struct result {
	enum result_status	 status;	/* the first failed part's */
	const char		*error;		/* points into parts */
	uint64_t		 rtt_ns;	/* last response's round trip */
	unsigned		 retries;	/* retransmissions, all requests */
	uint64_t		 done_ns;	/* wall clock, ns since epoch */
	struct result_part	*parts;		/* one per plan item */
	size_t			 nparts;
};
void	 result_init(struct result *, const struct fetch_plan *);
void	 result_finish(struct result *);
void	 result_free(struct result *);
void	 result_empty(struct result *);
void	 result_reset(struct result *, const struct fetch_plan *);

/* What one target's walks may hold: --max-walk-values/-bytes.  Shared
 * by the target's streams, so the caps bound the whole record. */
struct walk_budget {
	uint64_t	 values;	/* walked values held so far */
	uint64_t	 bytes;		/* the memory they take */
	uint64_t	 max_values;	/* 0: no limit */
	uint64_t	 max_bytes;	/* 0: no limit */
};

struct oid_seen;
struct fetch {
	const struct fetch_plan	*plan;
	struct walk_budget	*budget;	/* NULL: no limits */
	const struct plan_item	*item;
	const struct target_params *params;	/* version and quirks */
	bool			 bulk;		/* walk by GETBULK */
	size_t			 next;		/* GET: next OID to ask */
	size_t			 inflight_first;
	size_t			 inflight_count;
	size_t			 hole;		/* v1: noSuchName OID, or SIZE_MAX */
	size_t			 chunk;		/* OIDs per request (tooBig halves) */
	struct oid_text		 cur;		/* walk: ask after this */
	unsigned		 reps;		/* walk: max-repetitions */
	bool			 got_any;
	bool			 final_get;	/* walk of an empty subtree */
	struct oid_seen		*seen;		/* allow-non-increasing: the
						 * OIDs taken, once one went
						 * back (NULL before) */
	netsnmp_variable_list	*vars;		/* values so far (owned) */
	netsnmp_variable_list	*last;
};

enum fetch_step { FETCH_MORE, FETCH_DONE, FETCH_FAILED };

void	 fetch_start(struct fetch *, const struct fetch_plan *,
	     const struct plan_item *, const struct target_params *,
	     struct walk_budget *);
uint64_t fetch_value_bytes(const netsnmp_variable_list *);
netsnmp_pdu *fetch_next_pdu(struct fetch *);
enum fetch_step fetch_response(struct fetch *, netsnmp_pdu *, char **);
netsnmp_variable_list *fetch_take(struct fetch *);
void	 fetch_free(struct fetch *);

/* table.c — a walked table's values gathered into rows */
struct table_cell {
	unsigned			 col;
	const netsnmp_variable_list	*v;
};

struct table_row {
	struct buf		 index;		/* "1", "10.0.0.1", ... */
	struct table_cell	*cells;
	size_t			 ncells;
	size_t			 cap;
};

struct table_rows {
	struct table_row	*rows;
	size_t			 nrows;
	size_t			 cap;
	size_t			*hash;		/* index -> row + 1 */
	size_t			 hcap;
};

void	 table_rows_build(struct table_rows *, const struct result_part *);
void	 table_rows_free(struct table_rows *);
const struct table_row *table_row_find(const struct table_rows *,
	     const char *, size_t);
const oid *table_row_arcs(const struct plan_item *, const struct table_row *,
	     size_t *);
void	 table_name(const struct plan_item *, struct buf *);
void	 table_column_name(const struct plan_item *, unsigned, struct buf *);

/* rows.c — a record's tables as rows with meaning: decoded indexes,
 * joined tables, lookups (jsonl, csv; the lookups also -F prom's) */
/* Tables joined into one row per index; the first names them. */
struct rows_group {
	size_t			*items;		/* plan item indexes */
	size_t			 n;
	bool			 known;		/* spec holds the INDEX */
	struct mib_index_spec	 spec;
};
struct rows_plan {
	const struct fetch_plan	*plan;
	struct rows_group	*groups;
	size_t			 ngroups;
	char			**label_names;	/* of plan->labels */
	bool			*label_only;	/* per item: a lookup's walk */
};
struct rows_record {
	const struct rows_plan	*rp;
	struct table_rows	*t;		/* per part (tables only) */
	size_t			 nparts;
	struct out_lookup	*l;
	size_t			 nl;
};
struct rows_row {
	const struct rows_group	*group;
	const struct buf	*index;		/* "1", "1.4.127.0.0.1" */
	const oid		*arcs;
	size_t			 narcs;
	const struct table_row	**cells;	/* per member, or NULL */
};
void	 rows_plan_init(struct rows_plan *, const struct fetch_plan *);
void	 rows_plan_free(struct rows_plan *);
void	 rows_record_init(struct rows_record *, const struct rows_plan *,
	     const struct result *);
void	 rows_record_free(struct rows_record *);
void	 rows_each(const struct rows_record *, size_t,
	     void (*)(void *, const struct rows_row *), void *);
int	 rows_index(const struct rows_row *, void (*)(void *,
	     const struct mib_index_part *, enum mib_show, const char *,
	     size_t), void *);
bool	 rows_index_column(const struct rows_group *, const char *, size_t);
bool	 rows_label_own(const struct rows_plan *, const struct rows_group *,
	     size_t);
const netsnmp_variable_list *rows_lookup(const struct rows_record *,
	     const struct rows_row *, size_t);

/* out.c out-text.c out-json.c out-csv.c out-influx.c out-prom.c — record
 * formats.  out.c keeps the table; a run opens one format object
 * (out_open): the format's calls, its per-run state and where its
 * records go (the output, or a staging file for formats that finish),
 * together.  The writer and the pool get it where a format is wanted;
 * its calls get it back first.  out_csv etc. are the templates. */
struct report;
struct rates;
struct out_format {
	const char	*name;
	/* out_open: refuse a plan the format cannot show; keep in state
	 * what the records need (csv: the columns) */
	int		(*open)(struct out_format *, const struct fetch_plan *,
			    char **);
	void		(*close)(struct out_format *);
	/* written first, into an empty output only */
	void		(*header)(const struct out_format *, struct buf *);
	void		(*record)(const struct out_format *, struct buf *,
			    const struct target *, const struct result *);
	/* formats that stage (prom): records were written to a file of
	 * their own; once, after polling, turn them into the output
	 * (prom: grouped, then renamed) */
	int		(*finish)(const struct out_format *, const char *,
			    const char *, const struct report *, char **);
	void		*state;		/* the format's own, from open */
	struct rates	*rates;		/* --state: deltas and rates, or NULL */
	char		*output;	/* the run's: NULL or "-" is stdout */
	char		*records;	/* where records go: staged, or output */
};
extern const struct out_format out_text, out_jsonl, out_csv, out_influx,
    out_prom;

/* out-lookup.c — lookups (--label) and label text, for prom and influx */
struct out_lookup {
	size_t				 li;	/* in plan->labels */
	const oid			*index;
	size_t				 len;
	const netsnmp_variable_list	*v;
};
size_t	 out_lookup_column(const struct fetch_plan *,
	     const netsnmp_variable_list *);
struct out_lookup *out_lookups(const struct fetch_plan *, const struct result *,
	     size_t *);
const struct out_lookup *out_lookup_find(const struct out_lookup *, size_t,
	     const oid *, size_t);
const char *out_lookup_name(const struct fetch_plan *, size_t, bool *);
bool	 out_lookup_text(const netsnmp_variable_list *, bool, struct buf *);
const char *out_name(enum format_id);
int	 out_find_name(const char *, enum format_id *);
void	 out_names(struct buf *);
struct out_format *out_open(enum format_id, const struct fetch_plan *,
	     const char *, char **);
const char *out_records_path(const struct out_format *);
bool	 out_stages(const struct out_format *);
int	 out_finish(const struct out_format *, const struct report *, char **);
void	 out_close(struct out_format *);

/* out-field.c — fields every format shows alike */
void	 out_host(const struct target *, struct buf *);
const char *out_status_name(enum result_status);

/* bitmap.c — one bit per target in shared memory (the done bitmap) */
struct bitmap {
	_Atomic uint64_t	*words;
	uint64_t		 nbits;
	size_t			 bytes;
};
int	 bitmap_init(struct bitmap *, uint64_t, char **);
void	 bitmap_free(struct bitmap *);
void	 bitmap_clear(struct bitmap *);
void	 bitmap_set(struct bitmap *, uint64_t);
bool	 bitmap_test(const struct bitmap *, uint64_t);
uint64_t bitmap_count(const struct bitmap *);

/* writer.c — whole records into one shared output, under a robust
 * process-shared mutex and flock(2): write intents, commits, per-worker
 * written counts, the terminal the progress line shares.  Its shared
 * memory (struct writer_shared) is its own; the done bitmap it marks is
 * the pool's, handed over at open. */
#define WRITER_MAX_BATCH	1024	/* targets per write(2) at most */
#define POOL_MAX_WORKERS	256

struct writer_shared;

#ifdef SNMPFLEET_FAULT_INJECTION
enum writer_fault { FAULT_NONE, FAULT_LOCK, FAULT_WRITE, FAULT_EXIT,
	FAULT_TEAR };
#endif

struct writer {
	int			 fd;
	int			 rfd;		/* file: read-only, for repairs */
	bool			 is_file;	/* regular file: use flock */
	bool			 own_fd;
	bool			 own_rfd;
	struct writer_shared	*shm;
	struct bitmap		*done;		/* written targets (the pool's) */
	void			(*failed_cb)(void *); /* output failed */
	void			*failed_arg;
	unsigned		 worker;	/* its slot in the shared state */
	struct buf		 pending;	/* whole records, not yet written */
	uint64_t		*pending_idx;	/* their target indices */
	size_t			 npending;
	struct stats		 pending_stats;
	uint64_t		 pending_since;	/* ns; 0 = nothing pending */
	size_t			 flush_bytes;
	int			 error;		/* first write errno, sticky */
	int			 dump_fd;	/* -d: where blocks go, or -1 */
	bool			 own_dump_fd;
#ifdef SNMPFLEET_FAULT_INJECTION
	enum writer_fault	 fault;		/* test hook: die on purpose */
	uint64_t		 fault_after;
	uint64_t		 written;
#endif
};

struct writer_shared *writer_shared_create(char **);
void	 writer_shared_destroy(struct writer_shared *);
void	 writer_shared_reset(struct writer_shared *);
int	 writer_open(struct writer *, struct writer_shared *, struct bitmap *,
	     const char *, const struct out_format *, char **);
void	 writer_attach(struct writer *, const struct writer *, unsigned);
void	 writer_on_failure(struct writer *, void (*)(void *), void *);
void	 writer_record(struct writer *, const struct out_format *,
	     const struct target *, const struct result *);
int	 writer_flush(struct writer *);
bool	 writer_due(const struct writer *, uint64_t);
void	 writer_close(struct writer *);
void	 writer_stats(struct writer *, struct stats *);
int	 writer_out_errno(const struct writer *);
uint64_t writer_torn(const struct writer_shared *);
uint64_t writer_repaired(const struct writer_shared *);
void	 writer_lock(struct writer *);
void	 writer_unlock(struct writer *);
enum count_event { COUNT_REQUEST, COUNT_RETRY, COUNT_RESPONSE, COUNT_WINDOW,
	COUNT_DROPS };
void	 writer_count_event(struct writer *, enum count_event, uint64_t);
bool	 writer_failed(const struct writer *);
void	 writer_terminal_setup(struct writer *, bool);
int	 writer_terminal_line(struct writer *, const char *, size_t, bool);
int	 writer_terminal_clear(struct writer *);
int	 writer_dump_open(struct writer *, const char *, char **);

/* transport.c — the one interface between the scheduler and the wire.
 *
 * A request (struct tr_req, inside the scheduler's slot) is sent for a
 * target (struct tr_target, inside the scheduler's job) by the transport
 * that carries the target (its transport= and SNMP version: TCP, else
 * v3, else UDP).  The scheduler owns the timers
 * and retries: it calls send once, resend on each retry, cancel when it
 * gives up, and hears back through one completion callback.  Adding a
 * transport is a new file and one row of transports.c's table. */
enum tr_event {
	TR_REPLY,	/* the answer (pdu, borrowed for the callback) */
	TR_RESEND,	/* an answer that asks for the request anew (v3:
			 * engineID discovery, time window): count it, then
			 * resend with fresh retries */
	TR_READY,	/* a parked request may be sent now (resend) */
	TR_ERROR,	/* it failed (cause; the callback owns it) */
};

struct tr_target {			/* a target, as transports see it */
	const struct target	*target;
	unsigned		 tr;		/* its transport (table row) */
	void			*state;		/* the transport's, or NULL */
};

struct tr_req {				/* one request, while in flight */
	struct tr_target	*tt;
	unsigned		 index;		/* unique, < the set's capacity */
	uint32_t		 seq;		/* id generations of this index */
	int32_t			 id;		/* on the wire (UDP); 0: none */
	struct buf		 pkt;		/* encoded, for resends (UDP) */
	netsnmp_pdu		*pdu;		/* kept for resends (v3) */
	uint64_t		 rx_ns;		/* its answer reached the
						 * socket then (clock_now_ns;
						 * 0: when it is handled) */
	unsigned		 flags;		/* the transports' own: bits
						 * 0-7 UDP's, 8-15 v3's,
						 * 16-23 TCP's */
};

/* The completion callback: returns false to refuse a TR_REPLY (a late
 * answer the scheduler cannot take now); the transport then keeps
 * waiting for the request. */
typedef bool (*tr_done_cb)(void *, struct tr_req *, enum tr_event,
    netsnmp_pdu *, char *);

/* What a run's transports noticed, for main.c to report once per run. */
struct tr_notes {
	u_char		 engine[32];	/* an engineID several targets share */
	size_t		 engine_len;
	uint64_t	 engine_count;
	char		 engine_first[256];
};

#define TRANSPORTS_MAX	8
struct transport_ops;
/* What a transport gets from the set that opens it. */
struct tr_host {
	uv_loop_t			*loop;
	const struct inventory		*inv;
	unsigned			 capacity;	/* requests, indices */
	uint64_t			 recv_buffer;	/* bytes, 0: sized
							 * for capacity */
	tr_done_cb			 done;		/* every completion */
	void				*ctx;
	const struct transport_ops	*ops[TRANSPORTS_MAX]; /* the set */
	void				*inst[TRANSPORTS_MAX];
	size_t				 n;
};

struct transport_ops {
	const char	*name;
	bool		(*carries)(const struct target_params *);
	void		*(*open)(const struct tr_host *, char **);
	/* 0 sent, 1 parked (TR_READY comes later), -1 failed (cause);
	 * pdu is taken over either way */
	int		(*send)(void *, struct tr_req *, netsnmp_pdu *, char **);
	int		(*resend)(void *, struct tr_req *, char **);
	void		(*cancel)(void *, struct tr_req *);
	/* why req went unanswered, if the transport knows better than
	 * "timeout" (allocated), or NULL */
	char		*(*timeout_cause)(void *, struct tr_req *);
	void		(*target_done)(void *, struct tr_target *);
	/* datagrams the kernel dropped on its sockets so far, or NULL */
	uint64_t	(*drops)(void *);
	/* answers may be read up to ms late (a standing queue at the
	 * agents: fewer wakeups), or at once (0); or NULL */
	void		(*nap)(void *, unsigned);
	/* what it noticed over the run (engineID clones), or none */
	void		(*notes)(void *, struct tr_notes **, size_t *);
	void		(*close)(void *);
};

struct transports;
extern const struct transport_ops *const transports_table[];
extern const size_t transports_count;
struct transports *transports_open(uv_loop_t *, const struct inventory *,
    unsigned, uint64_t, const struct transport_ops *const *, size_t,
    tr_done_cb, void *, char **);
uint64_t transports_drops(struct transports *);
void	 transports_nap(struct transports *, unsigned);
void	 transports_bind(struct transports *, struct tr_target *,
	     const struct target *);
int	 transports_send(struct transports *, struct tr_req *, netsnmp_pdu *,
	     char **);
int	 transports_resend(struct transports *, struct tr_req *, char **);
void	 transports_cancel(struct transports *, struct tr_req *);
char	*transports_timeout_cause(struct transports *, struct tr_req *);
void	 transports_target_done(struct transports *, struct tr_target *);
void	 transports_close(struct transports *);
void	 transports_notes(struct transports *, struct tr_notes **, size_t *);
extern const struct transport_ops transport_udp_ops, transport_v3_ops,
    transport_tcp_ops;

/* transport-tcp.c — SNMP over TCP (RFC 3430), v1/v2c/v3: one connection
 * per target, messages framed by their BER length; open connections
 * bounded by the open-files limit */
unsigned tcp_max_conns(const struct inventory *, unsigned);
bool	 tcp_in_use(const struct inventory *);
int	 tcp_prepare(const struct inventory *, unsigned, char **);
long	 tcp_frame(const u_char *, size_t);

/* transport-udp.c — v1/v2c over one shared UDP socket per family, with
 * net-snmp used only to encode and decode; it also carries the v3
 * engineID probes (raw datagrams whose Reports go to a handler). */
struct udp;
struct codec {				/* a v1/v2c encoder */
	netsnmp_session	 sess;
	u_char		*pkt;
	size_t		 size;
	struct buf	 key;		/* what tmpl encodes (codec_key) */
	struct buf	 scratch;
	struct buf	 tmpl;		/* that PDU's bytes, after the
					 * community; empty: none */
	size_t		 id_off;	/* its request-id's 4 bytes */
};
void	 codec_init(struct codec *);
void	 codec_free(struct codec *);
int	 codec_encode(struct codec *, const struct target_params *,
	     netsnmp_pdu *, struct buf *, char **);
netsnmp_pdu *transport_decode(u_char *, size_t);
int32_t	 udp_raw_id(struct udp *, struct tr_req *);
int	 udp_queue(struct udp *, struct tr_req *);
void	 udp_forget(struct udp *, struct tr_req *);
void	 udp_on_raw(struct udp *, void (*)(void *, struct tr_req *,
	     netsnmp_pdu *), void *);

/* transport-v3.c — SNMPv3: engineID discovery, one net-snmp session per
 * target (transport-sess.c), USM reports */

/* transport-sess.c — SNMPv3 on net-snmp sessions driven by uv_poll */
struct sess;
typedef void (*sess_cb)(void *, int, int, netsnmp_pdu *);
struct sess *sess_open(uv_loop_t *, const struct target *, const u_char *,
    size_t, sess_cb, void *, char **);
int	 sess_send(struct sess *, netsnmp_pdu *, char **);
void	 sess_close(struct sess *);

/* window.c — a congestion window: how many requests may be in flight
 * (slow start, AIMD, delay-based decrease) */
#define WINDOW_INITIAL	10
#define WINDOW_HISTORY	16	/* rounds the base RTT is the least of */
struct window {
	double		 cwnd;
	double		 ssthresh;
	unsigned	 floor;		/* it never shrinks below */
	unsigned	 ceiling;
	bool		 adapt;		/* false: fixed at the ceiling */
	uint64_t	 round;		/* rounds so far */
	unsigned	 round_left;	/* answers until this round ends */
	uint64_t	 round_min;	/* least RTT of this round, ns */
	unsigned	 round_samples;
	uint64_t	 min_dev;	/* mean deviation of rounds' least */
	uint64_t	 mins[WINDOW_HISTORY];	/* of the recent rounds */
	unsigned	 nmins;
	unsigned	 mpos;
	uint64_t	 decreased_round;
	uint64_t	 decreases;
	uint64_t	 losses;
	uint64_t	 ref;		/* the least RTT known not to be queue */
	uint64_t	 drained_round;	/* the last drain began */
	bool		 draining;	/* held small to measure the RTT */
	unsigned	 drain_skip;	/* answers sent before it, to pass */
	unsigned	 drain_left;	/* answers it measures */
	uint64_t	 drain_min;
	uint64_t	 drains;
	unsigned	 quiet_rounds;	/* in a row with no queue at all */
};
void	 window_init(struct window *, unsigned, unsigned, bool);
unsigned window_limit(const struct window *);
uint64_t window_base(const struct window *);
uint64_t window_queue(const struct window *);
void	 window_ack(struct window *, uint64_t, unsigned);
void	 window_loss(struct window *);
void	 window_probe(struct window *);

/* agents.c — the agent addresses (IP:port) being polled, each with its
 * window and requests in flight */
struct job;
struct agent {
	struct sockaddr_storage	 addr;
	struct window		 win;
	unsigned		 inflight;	/* requests */
	unsigned		 refs;		/* targets being polled */
	bool			 answered;	/* it answered in this run */
	struct job		*park_head;	/* the scheduler's: targets */
	struct job		*park_tail;	/* waiting for room here */
	struct agent		*next;		/* bucket chain, free list */
};
struct agents {
	struct agent	*pool;		/* n, of which made are in use or free */
	struct agent	*free;
	unsigned	 n;
	unsigned	 made;
	struct agent	**buckets;
	unsigned	 nbuckets;
	unsigned	 live;
	unsigned	 ceiling;
	bool		 adapt;
};
void	 agents_init(struct agents *, unsigned, unsigned, bool);
void	 agents_free(struct agents *);
struct agent *agents_get(struct agents *, const struct sockaddr_storage *);
void	 agents_put(struct agents *, struct agent *);

/* scheduler.c — the request window, rate, timeouts and retries */
struct sched_opts {
	unsigned		 concurrency;	/* the window's ceiling */
	bool			 adapt;		/* adaptive, else fixed */
	unsigned		 per_agent;	/* cap per agent, 0: none */
	uint64_t		 recv_buffer;	/* 0: sized for the window */
	double			 rate;
	const struct fetch_plan	*plan;
	uint64_t		 deadline_ns;	/* run deadline (monotonic), 0 none */
	unsigned		 target_deadline_ms; /* 0: none */
	const struct transport_ops *const *transports;	/* NULL: the table */
	size_t			 ntransports;
};

/* Where a worker's scheduler gets its targets (the pool's claiming, or a
 * test's): function pointers, so that the scheduler imports nothing of
 * its supplier. */
struct sched_source {
	bool		(*take)(void *, uint64_t *);	/* next index; false:
							 * none left for now */
	bool		(*over)(void *);	/* take() gives no more */
	void		(*deadline_set)(void *);	/* the run's passed */
	bool		(*deadline_passed)(void *);
	void		*arg;
};

struct scheduler;
struct scheduler *scheduler_new(uv_loop_t *, const struct inventory *,
    const struct sched_opts *, const struct sched_source *, struct writer *,
    const struct out_format *, char **);
void	 scheduler_start(struct scheduler *);
void	 scheduler_stop(struct scheduler *);
void	 scheduler_free(struct scheduler *);
void	 scheduler_notes(const struct scheduler *, const struct tr_notes **,
	     size_t *);
unsigned scheduler_window(const struct scheduler *);

/* pool.c — the worker processes, their supervision, and the run's shared
 * memory (struct pool_shared, opaque): the claim counter, the stop, sweep
 * and deadline flags, worker pids, the done bitmap.  What happens to the
 * workers is told to the front end as events; pool.c prints nothing. */
struct pool_shared;
struct pool_shared *pool_shared_create(uint64_t, char **);
void	 pool_shared_reset(struct pool_shared *);
void	 pool_shared_destroy(struct pool_shared *);
struct bitmap *pool_shared_done(struct pool_shared *);
size_t	 pool_notes(const struct pool_shared *, struct tr_notes **);

enum pool_event_kind {
	POOL_EV_SETUP,		/* a worker could not start: cause */
	POOL_EV_STOPPED,	/* a signal sent to a worker alone stopped it */
	POOL_EV_KILLED,		/* a worker was killed by signal code */
	POOL_EV_EXITED,		/* a worker exited with status code */
	POOL_EV_OVERDUE,	/* a worker overran the deadline, was stopped */
	POOL_EV_GIVING_UP,	/* targets left after rounds of failures */
	POOL_EV_AGAIN,		/* targets to be polled again */
};
struct pool_event {
	enum pool_event_kind	 kind;
	unsigned		 worker;
	long			 pid;
	int			 code;		/* signal or exit status */
	uint64_t		 targets;
	unsigned		 rounds;
	const char		*cause;
};

struct progress;
struct pool {
	const struct config		*cfg;
	const struct inventory		*inv;
	const struct fetch_plan		*plan;
	const struct out_format		*fmt;
	struct writer			*out;		/* the parent's writer */
	struct pool_shared		*shm;
	struct progress			*progress;	/* the line, maybe off */
	/* told what happens to the workers (in a worker too, for setup) */
	void				(*event)(void *,
					    const struct pool_event *);
	void				*event_arg;
	unsigned			 procs;
	uint64_t			 targets;	/* in this shard */
	uint64_t			 deadline_ns;	/* monotonic; 0 none */
	unsigned			 shard_k;
	unsigned			 shard_n;
	uint64_t			 start_ns;
	int				 signo;		/* what interrupted */
	int				 write_error;
	bool				 setup_failed;
	bool				 overdue;	/* workers stopped at the deadline */
	unsigned			 crashes;
	unsigned			 respawns;
	unsigned			 state_lost;	/* workers whose --state
							   partial went unwritten */
	bool				 respawned[POOL_MAX_WORKERS];
	unsigned			 round;
	unsigned			 alive;
	unsigned			 nslots;
	pid_t				 parent_pid;
};
int	 pool_run(struct pool *, char **);

/* lock.c — --lock */
int	 lock_take(const char *, char **);

/* report.c — the summary line and --stats-file */
enum rates_event {		/* --changes: rates.c finds them */
	RATES_APPEARED, RATES_VANISHED, RATES_RECOVERED, RATES_REBOOTED,
	RATES_CHANGED, RATES_NEVENTS
};
struct report {
	uint64_t	 targets;
	struct stats	 st;
	double		 wall;		/* seconds */
	uint64_t	 start_wall_ns;
	int		 signo;
	unsigned	 procs;
	int		 exit_status;
	uint64_t	 torn;		/* records torn on a pipe (re-polled) */
	uint64_t	 repaired;	/* bytes of torn tails cut from the file */
	int		 out_errno;	/* the output failed (exit 5), or 0 */
	uint64_t	 duplicates;	/* targets dropped as given twice */
	bool		 changes;	/* --changes: events counted */
	uint64_t	 events[RATES_NEVENTS];
};
const char *report_event_name(enum rates_event);
void	 report_summary(const struct report *, struct buf *);
int	 report_replace_file(const char *, const char *, size_t, char **);
int	 report_stats_file(const struct report *, const char *, char **);

/* state.c — the --state file: what the last run saw of each target
 * (poll time, answered, sysUpTime, fingerprint, counter values), so the
 * next run can give deltas, rates and change events.  One file, written
 * whole and renamed into place; read by mmap, checked before any use.
 * Calls parse.c only. */
#define STATE_FIELD_MAX	65535	/* bytes of one target's fingerprint */
enum state_type { STATE_COUNTER32 = 1, STATE_COUNTER64 = 2 };
enum state_reason {
	STATE_RATE,		/* delta and rate are good */
	STATE_FIRST,		/* no previous value */
	STATE_REBOOT,		/* sysUpTime went back (or is younger than
				   the interval): the agent restarted */
	STATE_DISCONTINUITY,	/* the row's discontinuity time changed */
	STATE_INTERVAL,		/* longer apart than max_interval */
	STATE_BACKWARDS,	/* a Counter64 went down */
	STATE_CLOCK		/* the time base did not advance */
};
struct state_key {		/* who a target is, between runs */
	uint8_t		 addr[16];	/* IPv4 in the first 4 bytes */
	uint8_t		 family;	/* 4 or 6 */
	uint16_t	 port;
	uint64_t	 ident;		/* caller's hash of credentials/tags */
};
struct state_target {		/* on disk as is: 56 bytes */
	uint8_t		 addr[16];
	uint64_t	 ident;
	uint64_t	 poll_ns;	/* wall clock; also its counters' */
	uint32_t	 uptime;	/* sysUpTime, TimeTicks */
	uint32_t	 first;		/* its counters: [first, first + n) */
	uint32_t	 ncounters;
	uint32_t	 fp_off;	/* fingerprint, in the strings */
	uint16_t	 fp_len;
	uint16_t	 port;
	uint16_t	 missed;	/* consecutive runs not answering
					   (the caller stops at 65535) */
	uint8_t		 family;
	uint8_t		 flags;		/* STATE_ANSWERED, STATE_HAS_UPTIME */
};
#define STATE_ANSWERED		0x01
#define STATE_HAS_UPTIME	0x02
#define STATE_OID_BITS		60	/* an OID hash is kept to 60 bits */
struct state_counter {		/* on disk as is: 16 bytes */
	uint64_t	 oid_hash:STATE_OID_BITS; /* state_oid_hash() */
	uint64_t	 type:2;	/* enum state_type */
	uint64_t	 flags:2;	/* STATE_HAS_DISC: the row's
					   discontinuity time is kept apart,
					   state_counter_disc() */
	uint64_t	 value;
};
#define STATE_HAS_DISC		0x01
struct state_sample {		/* one value of a counter, for state_delta */
	uint64_t	 value;
	uint64_t	 time_ns;	/* wall clock */
	bool		 has_uptime;
	uint32_t	 uptime;	/* sysUpTime, TimeTicks */
	bool		 has_disc;
	uint32_t	 disc;		/* discontinuity time, TimeTicks */
};
struct state_delta {
	enum state_reason reason;	/* STATE_RATE, or why there is none */
	uint64_t	 delta;		/* 0 unless STATE_RATE */
	double		 rate;		/* per second; 0 unless STATE_RATE */
	uint64_t	 dt_ns;		/* the time base's interval */
};
struct state;
struct state_builder;
uint64_t state_oid_hash(const oid *, size_t);
void	 state_key_from_sockaddr(struct state_key *, const struct sockaddr *,
	     uint64_t);
void	 state_delta(const struct state_sample *, const struct state_sample *,
	     enum state_type, uint64_t, struct state_delta *);
const char *state_reason_name(enum state_reason);
int	 state_open_read(const char *, struct state **, char **);
void	 state_close(struct state *);
uint64_t state_targets(const struct state *);
const struct state_target *state_target_at(const struct state *, uint64_t);
const struct state_target *state_find_target(const struct state *,
	     const struct state_key *);
const struct state_counter *state_find_counter(const struct state *,
	     const struct state_target *, uint64_t);
const struct state_counter *state_target_counter(const struct state *,
	     const struct state_target *, uint32_t);
uint32_t state_counter_disc(const struct state *,
	     const struct state_counter *);
const char *state_fingerprint(const struct state *,
	     const struct state_target *, unsigned, size_t *);

/* state.c, for state-build.c: the file's layout (see state.c) */
#define STATE_MAGIC		"SFSTATE"
#define STATE_VERSION		3
#define STATE_ENDIAN		0x01020304u
#define STATE_MAX_TARGETS	0x7fffffffull
struct state_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 endian;
	uint32_t	 header_size;
	uint32_t	 target_size;
	uint32_t	 counter_size;
	uint32_t	 pad0;
	uint64_t	 ntargets;
	uint64_t	 ncounters;
	uint64_t	 nslots;
	uint64_t	 strings_len;
	uint64_t	 file_size;
	uint64_t	 created_ns;
	uint64_t	 checksum;
	uint64_t	 ndisc;
	uint64_t	 entries_len;	/* of strings_len: the entries */
	uint8_t		 reserved[24];
};
struct state_disc {		/* a counter's discontinuity time */
	uint32_t	 at;		/* the counter */
	uint32_t	 disc;
};
struct state {			/* an open state file */
	const uint8_t			*map;
	size_t				 size;
	const struct state_header	*h;
	const struct state_target	*targets;
	const struct state_counter	*counters;
	const struct state_disc		*discs;
	const uint32_t			*index;
	const uint8_t			*strings;
	uint64_t			 lookups;	/* since the last release */
};
struct state_sum {		/* four xxh64 lanes, 32-byte stripes */
	uint64_t	 lane[4];
	uint8_t		 tail[32];
	size_t		 ntail;
	uint64_t	 total;
};
uint64_t state_mix(uint64_t);
void	 state_sum_init(struct state_sum *);
void	 state_sum_add(struct state_sum *, const void *, size_t);
uint64_t state_sum_end(struct state_sum *);
uint64_t state_sum_fold(uint64_t, uint64_t);
uint64_t state_checksum(const struct state_header *, uint64_t);
uint64_t state_key_hash(const uint8_t *, uint8_t, uint16_t, uint64_t);
uint64_t state_slot(uint64_t, uint64_t);
int	 state_pread(int, void *, size_t, off_t);
const uint8_t *state_fp_entry(const struct state *,
	     const struct state_target *, size_t);
void	 state_release(const struct state *);

/* state-build.c — writing state files.  A builder streams what it is
 * given (per target: its record, counters, discontinuity times and
 * fingerprint entries) to a run file as it comes, holding one target in
 * memory; state_merge_temp makes a new state from an old one and run
 * files, in passes over them with memory bounded by the index and the
 * distinct fingerprint entries, newest poll winning for a key given
 * twice.  Calls state.c. */
struct state_builder *state_builder_new(const char *);
void	 state_builder_free(struct state_builder *);
void	 state_builder_add_target(struct state_builder *,
	     const struct state_key *, const struct state_target *);
int	 state_builder_add_counter(struct state_builder *,
	     const struct state_counter *);
int	 state_builder_add_counter_disc(struct state_builder *,
	     const struct state_counter *, uint32_t);
int	 state_builder_add_fingerprint(struct state_builder *, unsigned,
	     const char *, size_t);
int	 state_builder_finish(struct state_builder *, char **);
int	 state_merge_temp(const char *, const struct state *, char *const *,
	     size_t, char **, char **);
int	 state_builder_write_temp(struct state_builder *, const char *,
	     char **, char **);
int	 state_commit(const char *, const char *, char **);
int	 state_builder_write(struct state_builder *, const char *, char **);

/* rates.c — --state as a run uses it: the last run's state, opened
 * read-only before the fork (workers inherit the mapping); per record,
 * the delta and rate of every Counter32/Counter64 varbind against it
 * (formats show them with rates_json) and the record's own sample
 * streamed to this process's partial file next to the state; at the
 * end, under the lock of STATE.lock, the parent merges the state as it
 * is on disk then and the partials into the new state. */
int	 rates_open(const char *, bool, double, struct rates **, char **);
int	 rates_events(struct rates *, const char *, unsigned, const char *,
	     char **);
void	 rates_event_counts(const struct rates *, uint64_t *);

void	 rates_record(struct rates *, const struct target *,
	     const struct result *);
const struct state_delta *rates_note(struct rates *,
	     const netsnmp_variable_list *);
void	 rates_json(struct rates *, const netsnmp_variable_list *,
	     struct buf *, const char *, size_t);
void	 rates_csv(struct rates *, const netsnmp_variable_list *,
	     struct buf *);
int	 rates_worker_end(struct rates *, char **);
int	 rates_finish(struct rates *, bool, char **);
void	 rates_close(struct rates *);

/* sweep.c — --sweep and --sweep-rate: one run per level, compared */
struct sweep_row {
	double		 level;
	uint64_t	 targets;
	uint64_t	 ok;
	uint64_t	 timeout;
	uint64_t	 error;
	uint64_t	 retries;
	double		 wall;
	double		 tps;
	double		 rps;
	double		 p50;
	double		 p95;
	double		 p99;
	double		 timeout_pct;
	double		 cpu_pct;
};
int	 sweep_parse_levels(const char *, double **, size_t *, char **);
void	 sweep_row_fill(struct sweep_row *, double, const struct report *,
	     double);
size_t	 sweep_best(const struct sweep_row *, size_t);
#define SWEEP_AUTO_FIRST	4	/* --sweep auto: levels from 4, */
#define SWEEP_AUTO_STEP		4	/* times 4 while it pays, */
#define SWEEP_AUTO_GAIN		1.1	/* (10% more targets/s) */
#define SWEEP_AUTO_CLOSE	1.3	/* then halved until this close */
double	 sweep_auto_next(const struct sweep_row *, size_t, double);
void	 sweep_insert(struct sweep_row *, size_t, const struct sweep_row *);
void	 sweep_advice(struct buf *, const struct sweep_row *, size_t, size_t);
void	 sweep_table(struct buf *, const struct sweep_row *, size_t,
	     const char *, size_t);
int	 sweep_csv(const char *, const struct sweep_row *, size_t,
	     const char *, char **);
int	 sweep_svg(const char *, const struct sweep_row *, size_t,
	     const char *, size_t, char **);

/* progress.c — the live progress line on the terminal (drawn through the
 * writer, which owns the terminal records may share) */
struct progress {
	struct writer	*w;
	bool		 on;
	bool		 tty;		/* redrawn in place, else plain lines */
	uint64_t	 total;
	uint64_t	 start_ns;
	uint64_t	 last_plain_ns;
};
void	 progress_setup(struct progress *, struct writer *, int, uint64_t);
bool	 progress_on(const struct progress *);
void	 progress_start(struct progress *, uint64_t);
void	 progress_draw(struct progress *, bool);

#endif /* SNMPFLEET_H */
