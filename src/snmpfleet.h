/*
 * snmpfleet.h — the one internal header: every module's interface, in
 * one section per source file.
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
 * control bytes) */
#define REDACT_MAX	128	/* room for one quoted text */
bool	 redact_is_secret_key(const char *);
const char *redact_text(const char *, char *, size_t);

/* clock.c — monotonic and wall clocks */
uint64_t clock_now_ns(void);
void	 clock_iso8601(char *, size_t, uint64_t *);

/* options.c — the one option table, the config file, --echo-config */
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
	unsigned	 concurrency;
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
	bool		 syslog;
	char		*shard;		/* "K/N" or "auto/N" */
	char		*user;		/* SNMPv3, as given (usm.c checks) */
	char		*level;
	char		*auth;
	char		*auth_pass;
	char		*priv;
	char		*priv_pass;
	char		*context;
	char		*engine_id;
	char		*sweep;		/* concurrency levels */
	char		*sweep_rate;	/* rate levels */
	char		*sweep_csv;
	char		*sweep_svg;
	struct cred_set	*creds;		/* [credentials NAME] sections */
	size_t		 ncreds;
	struct strlist	 secret_files;	/* config files holding secrets */
	struct strlist	 walks;
	struct strlist	 tables;
	unsigned	 max_repetitions;
	unsigned	 max_walk_values;	/* per target, all its walks */
	uint64_t	 max_walk_bytes;
	unsigned	 per_target;
	struct strlist	 profiles;	/* --profile: the ones to use */
	struct profile	*defined;	/* [profile NAME] sections */
	size_t		 ndefined;
	int		 progress;	/* -1 auto (a terminal), 0 no, 1 yes */
	struct strlist	 config_files;
};

#define OPT_SECRET	0x01	/* never printed: redacted in --echo-config */
#define OPT_CLI_ONLY	0x02	/* not a config file key */
#define OPT_LIST	0x04	/* repeatable; each use adds a value */
#define OPT_NOARG	0x08	/* a flag: takes no value on the command line */

struct option_def {
	const char	*name;		/* long option and config key */
	int		 short_name;	/* 0 if none */
	const char	*argname;	/* NULL for flags */
	const char	*defval;	/* default, as text, or NULL */
	int		 flags;
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
int	 options_parse_size(const char *, uint64_t *);

/* inventory.c — the target table: hosts, CIDR blocks and ranges, each one
 * entry, addressed by index and never expanded */
struct usm_keys;
struct target_params {
	long		 snmp_version;
	char		*community;
	unsigned	 timeout_ms;
	unsigned	 retries;
	char		**tags;		/* name, value, name, value, ... */
	size_t		 ntags;
	uint16_t	 port;		/* port= key; 0: --port */
	uint64_t	 max_walk_values; /* 0: no limit */
	uint64_t	 max_walk_bytes;  /* 0: no limit */
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

struct inv_name {			/* a host name not resolved yet */
	size_t		 entry;		/* index into inventory.entries */
	char		*where;		/* "FILE:LINE", or NULL (-H) */
};

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
	struct inv_name		 *names_todo;	/* inventory_resolve's work */
	size_t			  nnames_todo;
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

void	 inventory_init(struct inventory *, const struct target_params *,
	     unsigned);
void	 inventory_free(struct inventory *);
int	 inventory_add_spec(struct inventory *, const char *, uint32_t,
	     char **);
int	 inventory_add_line(struct inventory *, char *, char **);
int	 inventory_load(struct inventory *, const char *, FILE *, char **);
int	 inventory_resolve(struct inventory *, char **);
void	 inventory_get(const struct inventory *, uint64_t, struct target *);
int	 inventory_parse_version(const char *, long *);
void	 target_params_free(struct target_params *);
uint64_t inventory_hash_bytes(const void *, size_t);
unsigned inventory_shard(const struct target *, unsigned);

/* usm.c — SNMPv3 user-based security: names, master keys, reports */
struct usm_keys {
	u_char	 auth_ku[USM_AUTH_KU_LEN];
	size_t	 auth_ku_len;
	u_char	 priv_ku[USM_PRIV_KU_LEN];
	size_t	 priv_ku_len;
};
int	 usm_key(struct target_params *, const char *, const char *, char **);
int	 usm_check(const struct target_params *, char **);
int	 usm_prepare(struct target_params *, char **);
void	 usm_imply_level(struct target_params *);
unsigned long usm_ku_computed(void);
const char *usm_level_name(int);
const char *usm_auth_name(int);
const char *usm_priv_name(int);
void	 usm_session(const struct target_params *, netsnmp_session *);
const char *usm_report_reason(const netsnmp_pdu *);
size_t	 usm_probe(u_char *, size_t, int32_t);

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
void	 oid_init_netsnmp(void);

/* names.c — built-in names for common MIB objects */
struct name_entry {
	const char	*name;
	const char	*oid;
	bool		 scalar;
};
int	 names_lookup(const char *, struct oid_text *, bool *);
int	 names_describe(const oid *, size_t, struct buf *);
void	 names_use_mibs(bool);
size_t	 names_count(void);
const struct name_entry *names_at(size_t);
size_t	 names_columns(const oid *, size_t, bool, unsigned *, const char **,
	     size_t);

/* value.c — varbind values for humans and for JSON */
const char *value_type_name(u_char);
bool	 value_is_exception(u_char);
bool	 value_printable(const unsigned char *, size_t);
void	 value_text(const netsnmp_variable_list *, struct buf *);
void	 value_json(const netsnmp_variable_list *, struct buf *);
void	 value_plain(const netsnmp_variable_list *, struct buf *);
const char *value_nonfinite(const netsnmp_variable_list *);
void	 value_json_bare(const netsnmp_variable_list *, struct buf *);
bool	 value_number(const netsnmp_variable_list *, struct buf *);
void	 json_string(struct buf *, const char *, size_t);

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
	uint64_t	 hist[HIST_BUCKETS];	/* round-trip times */
};
void	 stats_record_rtt(struct stats *, uint64_t);
double	 stats_percentile(const struct stats *, double);
void	 stats_merge(struct stats *, const struct stats *);

/* transport-sess.c — SNMPv3 on net-snmp sessions driven by uv_poll */
struct sess;
typedef void (*sess_cb)(void *, int, int, netsnmp_pdu *);
struct sess *sess_open(uv_loop_t *, const struct target *, const u_char *,
    size_t, sess_cb, void *, char **);
int	 sess_send(struct sess *, netsnmp_pdu *, char **);
void	 sess_close(struct sess *);

/* fetch.c — what to ask one target: packed GETs (split on tooBig) and
 * walks (GETBULK on v2c, GETNEXT on v1), each a stream of requests */
enum item_kind { ITEM_GET, ITEM_WALK, ITEM_TABLE };

struct plan_item {
	enum item_kind	 kind;
	char		*text;		/* as given: "ifTable", "1.3.6.1..." */
	struct oid_text	 oid;		/* walks and tables: the root */
	bool		 entry;		/* table given as its Entry */
};

struct fetch_plan {
	struct oid_text		*oids;		/* the GET list */
	size_t			 noids;
	unsigned		 max_oids;
	struct plan_item	*items;		/* GET list (if any), walks, tables */
	size_t			 nitems;
	unsigned		 max_repetitions;
	unsigned		 per_target;
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

/* What one target's walks may hold: --max-walk-values/-bytes.  Shared
 * by the target's streams, so the caps bound the whole record. */
struct walk_budget {
	uint64_t	 values;	/* walked values held so far */
	uint64_t	 bytes;		/* the memory they take */
	uint64_t	 max_values;	/* 0: no limit */
	uint64_t	 max_bytes;	/* 0: no limit */
};

struct fetch {
	const struct fetch_plan	*plan;
	struct walk_budget	*budget;	/* NULL: no limits */
	const struct plan_item	*item;
	long			 version;
	size_t			 next;		/* GET: next OID to ask */
	size_t			 inflight_first;
	size_t			 inflight_count;
	size_t			 hole;		/* v1: noSuchName OID, or SIZE_MAX */
	size_t			 chunk;		/* OIDs per request (tooBig halves) */
	struct oid_text		 cur;		/* walk: ask after this */
	unsigned		 reps;		/* walk: max-repetitions */
	bool			 got_any;
	bool			 final_get;	/* walk of an empty subtree */
	netsnmp_variable_list	*vars;		/* values so far (owned) */
	netsnmp_variable_list	*last;
};

enum fetch_step { FETCH_MORE, FETCH_DONE, FETCH_FAILED };

void	 fetch_start(struct fetch *, const struct fetch_plan *,
	     const struct plan_item *, long, struct walk_budget *);
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
void	 table_name(const struct plan_item *, struct buf *);
void	 table_column_name(const struct plan_item *, unsigned, struct buf *);

/* out.c out-text.c out-json.c out-csv.c out-influx.c out-prom.c — record
 * formats.  out.c keeps the table; a run opens one format object
 * (out_open): the format's calls, its per-run state and where its
 * records go (the output, or a staging file for formats that finish),
 * together.  The writer and the pool get it where a format is wanted;
 * its calls get it back first.  out_csv etc. are the templates. */
struct report;
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
	char		*output;	/* the run's: NULL or "-" is stdout */
	char		*records;	/* where records go: staged, or output */
};
extern const struct out_format out_text, out_jsonl, out_csv, out_influx,
    out_prom;
struct out_format *out_open(enum format_id, const struct fetch_plan *,
	     const char *, char **);
const char *out_records_path(const struct out_format *);
int	 out_finish(const struct out_format *, const struct report *, char **);
void	 out_close(struct out_format *);

/* out-field.c — fields every format shows alike */
void	 out_host(const struct target *, struct buf *);
const char *out_status_name(enum result_status);

/* writer.c — whole records into one shared output, under a robust
 * process-shared mutex and flock(2); the run's shared state */
#define WRITER_MAX_BATCH	1024	/* targets per write(2) at most */
#define POOL_MAX_WORKERS	256

struct worker_shared {
	pid_t		 pid;
	struct stats	 stats[2];	/* written records: [commit & 1] */
	_Atomic uint64_t commit;	/* last committed batch << 1 | index */
	uint64_t	 intent_seq;	/* the batch being written */
	bool		 intent;	/* a batch is being written */
	bool		 intent_out;	/* its write(2) returned (pipes) */
	bool		 intent_big;	/* one record > PIPE_BUF, in pieces */
	uint64_t	 intent_start;	/* file size before it */
	uint64_t	 intent_end;	/* file size once it is written */
	struct stats	 intent_stats;
	uint32_t	 nintent;
	uint64_t	 intent_idx[WRITER_MAX_BATCH];
};

struct writer_shared {
	pthread_mutex_t		 lock;
	_Atomic uint64_t	 claim_next;	/* next target index to claim */
	_Atomic int		 stop;		/* interrupted: claim no more */
	_Atomic int		 sweep;		/* re-poll round: skip done */
	_Atomic int		 deadline;	/* the run's deadline passed */
	uint64_t		 total;
	_Atomic uint64_t	*done;		/* 1 bit per target written */
	size_t			 done_bytes;
	bool			 progress_shown; /* a line is on the terminal */
	bool			 same_tty;	/* records share that terminal */
	unsigned		 nworkers;
	_Atomic int		 out_errno;	/* the output failed: stop */
	_Atomic uint64_t	 torn;		/* records cut by a kill (pipe) */
	_Atomic uint64_t	 repaired;	/* bytes of dead writers' tails cut */
	struct worker_shared	 workers[POOL_MAX_WORKERS];
};

enum writer_fault { FAULT_NONE, FAULT_LOCK, FAULT_WRITE, FAULT_EXIT,
	FAULT_TEAR };

struct writer {
	int			 fd;
	int			 rfd;		/* file: read-only, for repairs */
	bool			 is_file;	/* regular file: use flock */
	bool			 own_fd;
	bool			 own_rfd;
	struct writer_shared	*shm;
	unsigned		 worker;	/* index into shm->workers */
	struct buf		 pending;	/* whole records, not yet written */
	uint64_t		*pending_idx;	/* their target indices */
	size_t			 npending;
	struct stats		 pending_stats;
	uint64_t		 pending_since;	/* ns; 0 = nothing pending */
	size_t			 flush_bytes;
	int			 error;		/* first write errno, sticky */
	enum writer_fault	 fault;		/* test hook: die on purpose */
	uint64_t		 fault_after;
	uint64_t		 written;
};

struct writer_shared *writer_shared_create(uint64_t, char **);
void	 writer_shared_destroy(struct writer_shared *);
void	 writer_shared_reset(struct writer_shared *);
int	 writer_open(struct writer *, struct writer_shared *, const char *,
	     const struct out_format *, char **);
void	 writer_attach(struct writer *, const struct writer *, unsigned);
void	 writer_record(struct writer *, const struct out_format *,
	     const struct target *, const struct result *);
int	 writer_flush(struct writer *);
bool	 writer_due(const struct writer *, uint64_t);
void	 writer_close(struct writer *);
void	 writer_stats(struct writer *, struct stats *);
bool	 writer_is_done(const struct writer_shared *, uint64_t);
uint64_t writer_count_done(const struct writer_shared *);
int	 writer_out_errno(const struct writer_shared *);
uint64_t writer_torn(const struct writer_shared *);
uint64_t writer_repaired(const struct writer_shared *);
void	 writer_lock(struct writer *);
enum count_event { COUNT_REQUEST, COUNT_RETRY, COUNT_RESPONSE };
void	 writer_count_event(struct writer *, enum count_event, uint64_t);
bool	 writer_failed(const struct writer *);
void	 writer_unlock(struct writer *);

/* transport-udp.c — v1/v2c over one shared UDP socket per family, with
 * net-snmp used only to encode and decode */
struct transport;
typedef void (*transport_pdu_cb)(void *, netsnmp_pdu *,
    const struct sockaddr *);

typedef void (*transport_err_cb)(void *, void *, int);

struct transport *transport_udp_new(uv_loop_t *, bool, bool,
    transport_pdu_cb, transport_err_cb, void *, char **);
int	 transport_udp_send(struct transport *, const struct sockaddr *,
	     const u_char *, size_t, void *);
int	 transport_encode(const struct target_params *, netsnmp_pdu *,
	     struct buf *, char **);
netsnmp_pdu *transport_decode(u_char *, size_t);
void	 transport_close(struct transport *, void (*)(void *), void *);

/* scheduler.c — the request window, rate, timeouts and retries */
struct sched_opts {
	unsigned		 concurrency;
	double			 rate;
	const struct fetch_plan	*plan;
	uint64_t		 deadline_ns;	/* run deadline (monotonic), 0 none */
	unsigned		 target_deadline_ms; /* 0: none */
};

/* A worker's view of the run's target claiming (pool.c). */
struct claim {
	struct writer_shared	*shm;		/* claim_next, stop, sweep */
	const struct inventory	*inv;
	uint64_t		 total;		/* index space: inventory total */
	uint64_t		 batch;
	unsigned		 shard_k;	/* this run polls shard k ... */
	unsigned		 shard_n;	/* ... of n (n = 0: no sharding) */
	uint64_t		 batch_next;	/* this worker's current batch */
	uint64_t		 batch_end;
	bool			 exhausted;	/* the run has no more */
	struct target		 scratch;	/* for shard checks */
};
bool	 claim_take(struct claim *, uint64_t *);
bool	 claim_over(const struct claim *);
void	 claim_deadline_set(struct claim *);
bool	 claim_deadline_passed(const struct claim *);

struct scheduler;
struct scheduler *scheduler_new(uv_loop_t *, const struct inventory *,
    const struct sched_opts *, struct claim *, struct writer *,
    const struct out_format *, char **);
void	 scheduler_start(struct scheduler *);
void	 scheduler_stop(struct scheduler *);
uint64_t scheduler_unfinished(const struct scheduler *);
void	 scheduler_free(struct scheduler *);

/* scheduler.c scheduler-v3.c — what the scheduler's two halves share
 * (no other module looks inside) */
struct job {
	struct scheduler	*s;
	bool			 busy;
	bool			 waiting;	/* in the start queue */
	bool			 skip_rest;	/* a stream timed out */
	struct job		*next_waiting;
	struct job		*next_free;
	uv_timer_t		 deadline_timer;	/* --target-deadline */
	struct target		 target;
	struct walk_budget	 budget;
	/* SNMPv3: the engineID is discovered once, then one session */
	enum { V3_NONE, V3_DISCOVER, V3_READY } v3;
	struct sess		*sess;
	u_char			 engine[32];
	size_t			 engine_len;
	struct slot		*parked[64];	/* waiting for the engineID */
	unsigned		 nparked;
	struct slot		*slots[64];	/* its requests in flight */
	struct result		 result;
	size_t			 next_item;	/* next stream to start */
	unsigned		 active;	/* streams running */
	size_t			 done_items;
};

struct slot {
	struct scheduler	*s;
	uv_timer_t		 timer;
	unsigned		 index;
	bool			 busy;
	bool			 queued;	/* waiting for a rate token */
	uint32_t		 seq;
	int32_t			 reqid;		/* in flight; 0 = none */
	unsigned		 tries;		/* sends of this request */
	uint64_t		 sent_ns;
	struct job		*job;
	size_t			 item;
	struct fetch		 fetch;
	struct buf		 pkt;		/* encoded, for retransmits */
	netsnmp_pdu		*v3_pdu;	/* v3: the request to send */
	int			 v3_reqid;	/* v3: net-snmp's id in flight */
	bool			 probe;		/* v3: an engineID probe */
	bool			 tw_retry;	/* v3: resent after a time report */
	struct slot		*next_free;
};

struct scheduler {
	uv_loop_t		*loop;
	const struct inventory	*inv;
	struct sched_opts	 opts;
	struct claim		*claim;
	struct writer		*w;
	const struct out_format	*fmt;
	struct transport	*tr;
	struct slot		*slots;
	unsigned		 nslots;	/* a power of two >= concurrency */
	unsigned		 shift;		/* log2(nslots) */
	struct slot		*free_slots;
	unsigned		 slots_busy;
	struct job		*jobs;
	struct job		*free_jobs;
	unsigned		 njobs;
	unsigned		 jobs_busy;
	struct job		*wait_head;	/* jobs that can start a stream */
	struct job		*wait_tail;
	bool			 pumping;
	bool			 deadline;	/* the run's deadline passed */
	bool			 stopping;
	bool			 finished;
	uv_timer_t		 flush_timer;
	uv_timer_t		 rate_timer;
	uv_timer_t		 deadline_timer;
	struct engine_seen	*engines;	/* v3: engineIDs, to spot clones */
	size_t			 nengines;
	size_t			 engines_cap;
	double			 tokens;
	uint64_t		 refill_ns;
	unsigned		*queue;		/* slots waiting for tokens */
	unsigned		 qhead;
	unsigned		 qlen;
};

struct engine_seen {
	u_char		 id[32];
	size_t		 len;
	uint64_t	 count;
	char		 first[256];	/* the first target that reported it */
};

void	 sched_stream_done(struct slot *, enum result_status, char *);
void	 sched_request(struct slot *);
void	 sched_transmit(struct slot *);
void	 sched_new_reqid(struct slot *);
void	 sched_v3_request(struct slot *, netsnmp_pdu *);
void	 sched_v3_send(struct slot *);
void	 sched_v3_discovered(struct slot *, netsnmp_pdu *);
void	 sched_v3_warnings(struct scheduler *);

/* pool.c — the worker processes and their supervision */
struct pool {
	const struct config		*cfg;
	const struct inventory		*inv;
	const struct fetch_plan		*plan;
	const struct out_format		*fmt;
	struct writer			*out;		/* the parent's writer */
	struct writer_shared		*shm;
	unsigned			 procs;
	uint64_t			 targets;	/* in this shard */
	uint64_t			 deadline_ns;	/* monotonic; 0 none */
	unsigned			 shard_k;
	unsigned			 shard_n;
	bool				 progress;
	bool				 progress_tty;
	uint64_t			 start_ns;
	int				 signo;		/* what interrupted */
	int				 write_error;
	bool				 setup_failed;
	bool				 overdue;	/* workers stopped at the deadline */
	unsigned			 crashes;
	unsigned			 respawns;
	bool				 respawned[POOL_MAX_WORKERS];
	unsigned			 round;
	unsigned			 alive;
	unsigned			 nslots;
	pid_t				 parent_pid;
	uint64_t			 last_plain_ns;
};
int	 pool_run(struct pool *, char **);

/* lock.c — --lock */
int	 lock_take(const char *, char **);

/* report.c — the summary line and --stats-file */
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
};
void	 report_summary(const struct report *);
int	 report_replace_file(const char *, const char *, size_t, char **);
int	 report_stats_file(const struct report *, const char *, char **);

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
void	 sweep_table(struct buf *, const struct sweep_row *, size_t,
	     const char *, size_t);
int	 sweep_csv(const char *, const struct sweep_row *, size_t,
	     const char *, char **);
int	 sweep_svg(const char *, const struct sweep_row *, size_t,
	     const char *, size_t, char **);

/* progress.c — the live progress line on the terminal */
void	 progress_setup(struct pool *, int);
void	 progress_draw(struct pool *, bool);

#endif /* SNMPFLEET_H */
