/*
 * options.c — the one option table.  Every option lives here once: the
 * command line (main.c builds getopt_long's tables from it), the config
 * file (same names as the long options), --echo-config and --help all
 * read this table, and a test checks that the man pages and the sample
 * config list the same names.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "snmpfleet.h"

static bool	options_each_secret(bool (*)(const char *, void *), void *);

static int	opt_set_uint(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_seconds(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_rate(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_string(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_outopts(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_list(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_flag(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_version(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_format(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_progress(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_noprogress(struct config *,
		    const struct option_def *, const char *, char **);
static void	opt_echo_progress(const struct config *,
		    const struct option_def *, struct buf *);
static int	opt_set_none(struct config *, const struct option_def *,
		    const char *, char **);
static int	opt_set_size(struct config *, const struct option_def *,
		    const char *, char **);
static void	opt_echo_u64(const struct config *,
		    const struct option_def *, struct buf *);
static int	opt_set_concurrency(struct config *,
		    const struct option_def *, const char *, char **);
static void	opt_echo_concurrency(const struct config *,
		    const struct option_def *, struct buf *);

static void	opt_echo_uint(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_double(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_string(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_list(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_flag(const struct config *, const struct option_def *,
		    struct buf *);
static void	opt_echo_version(const struct config *,
		    const struct option_def *, struct buf *);
static void	opt_echo_format(const struct config *,
		    const struct option_def *, struct buf *);

#define F(field) offsetof(struct config, field)

/* Sorted by long name.  Defaults are text so that --help, the man page
 * test and options_init all read the same thing.  A row says everything
 * about its option: range, environment variable, the per-target key
 * (inventory.c's target_keys) that overrides it. */
const struct option_def options_table[] = {
	{ .name = "allow-duplicates",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "poll a target as often as it is given (by default the "
	      "same address, port and credentials given twice is polled "
	      "once)",
	  .set = opt_set_flag,
	  .offset = F(allow_duplicates),
	  .echo = opt_echo_flag },
	{ .name = "allow-non-increasing",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .target_key = "allow-non-increasing",
	  .help = "let walks go back (broken agents; net-snmp's -Cc); an OID "
	      "that comes again still ends the walk",
	  .set = opt_set_flag,
	  .offset = F(allow_non_increasing),
	  .echo = opt_echo_flag },
	{ .name = "any-source",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .target_key = "any-source",
	  .help = "take a reply from another address (multi-homed agents) "
	      "if its request id and community (v3: USM) match",
	  .set = opt_set_flag,
	  .offset = F(any_source),
	  .echo = opt_echo_flag },
	{ .name = "auth",
	  .short_name = 'a',
	  .argname = "PROTO",
	  .target_key = "auth",
	  .help =
	      "SNMPv3 authentication: MD5, SHA, SHA-224, SHA-256, SHA-384, "
	      "SHA-512",
	  .set = opt_set_string,
	  .offset = F(auth),
	  .echo = opt_echo_string },
	{ .name = "auth-pass",
	  .short_name = 'A',
	  .argname = "PASSPHRASE",
	  .flags = OPT_SECRET,
	  .env = "SNMPFLEET_AUTHPASS",
	  .target_key = "authpass",
	  .help = "SNMPv3 authentication passphrase (or SNMPFLEET_AUTHPASS)",
	  .set = opt_set_string,
	  .offset = F(auth_pass),
	  .echo = opt_echo_string },
	{ .name = "changes",
	  .argname = "FILE",
	  .help = "--state: append the run's change events (appeared, "
	      "vanished, recovered, rebooted, changed) to FILE as jsonl",
	  .set = opt_set_string,
	  .offset = F(changes),
	  .echo = opt_echo_string },
	{ .name = "community",
	  .short_name = 'c',
	  .argname = "STRING",
	  .defval = "public",
	  .flags = OPT_SECRET,
	  .env = "SNMPFLEET_COMMUNITY",
	  .target_key = "community",
	  .help =
	      "v1/v2c community (or SNMPFLEET_COMMUNITY from the environment)",
	  .set = opt_set_string,
	  .offset = F(community),
	  .echo = opt_echo_string },
	{ .name = "concurrency",
	  .short_name = 'j',
	  .argname = "WINDOW",
	  .defval = "auto",
	  .minimum = 1, .maximum = 65536,
	  .help = "requests in flight at once: auto (adaptive, up to 4096), "
	      "N (adaptive, up to N) or fixed:N",
	  .set = opt_set_concurrency,
	  .offset = F(concurrency),
	  .echo = opt_echo_concurrency },
	{ .name = "config",
	  .argname = "FILE",
	  .flags = OPT_CLI_ONLY | OPT_LIST,
	  .help = "read options from FILE (name = value lines)",
	  .set = opt_set_list,
	  .offset = F(config_files) },
	{ .name = "context",
	  .short_name = 'n',
	  .argname = "NAME",
	  .target_key = "context",
	  .help = "SNMPv3 context name",
	  .set = opt_set_string,
	  .offset = F(context),
	  .echo = opt_echo_string },
	{ .name = "context-engine-id",
	  .short_name = 'E',
	  .argname = "HEX",
	  .target_key = "contextengineid",
	  .help = "SNMPv3 contextEngineID of requests (default: the agent's "
	      "engineID)",
	  .set = opt_set_string,
	  .offset = F(context_engine_id),
	  .echo = opt_echo_string },
	{ .name = "deadline",
	  .argname = "SECONDS",
	  .defval = "0",
	  .minimum = 0, .maximum = 1e7,
	  .help = "end the whole run after SECONDS; unfinished targets get "
	      "status deadline (0: none)",
	  .set = opt_set_seconds,
	  .offset = F(deadline),
	  .echo = opt_echo_double },
	{ .name = "describe",
	  .argname = "OBJECT",
	  .flags = OPT_CLI_ONLY,
	  .help = "print what is known about OBJECT (a name, MODULE::name or "
	      "OID: syntax, enums, hint, units, index, source) and exit",
	  .set = opt_set_string,
	  .offset = F(describe) },
	{ .name = "dump",
	  .short_name = 'd',
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "hex dump of every datagram sent and received, with its "
	      "time and peer (to stderr, or --dump-file)",
	  .set = opt_set_flag,
	  .offset = F(dump),
	  .echo = opt_echo_flag },
	{ .name = "dump-file",
	  .argname = "FILE",
	  .help = "append the --dump to FILE instead of stderr (implies "
	      "--dump)",
	  .set = opt_set_string,
	  .offset = F(dump_file),
	  .echo = opt_echo_string },
	{ .name = "echo-config",
	  .flags = OPT_CLI_ONLY | OPT_NOARG,
	  .help =
	      "print the effective configuration as a config file and exit",
	  .set = opt_set_flag,
	  .offset = F(echo_config) },
	{ .name = "engine-id",
	  .short_name = 'e',
	  .argname = "HEX",
	  .target_key = "engineid",
	  .help = "SNMPv3 engineID of the agents, skipping discovery",
	  .set = opt_set_string,
	  .offset = F(engine_id),
	  .echo = opt_echo_string },
	{ .name = "fingerprint",
	  .argname = "LIST",
	  .defval = "sysObjectID.0,sysName.0,sysDescr.0,entPhysicalSerialNum,entPhysicalModelName",
	  .help = "--state: the scalars (names or OIDs, comma-separated; an entPhysicalTable column means the chassis row) whose values make "
	      "a target's fingerprint (a change is a changed event)",
	  .set = opt_set_string,
	  .offset = F(fingerprint),
	  .echo = opt_echo_string },
	{ .name = "format",
	  .short_name = 'F',
	  .argname = "FMT",
	  .defval = "text",
	  .help = "record format: text, jsonl, csv, influx or prom",
	  .set = opt_set_format,
	  .offset = F(format),
	  .echo = opt_echo_format },
	{ .name = "help",
	  .short_name = 'h',
	  .flags = OPT_CLI_ONLY | OPT_NOARG,
	  .help = "show this help and exit",
	  .set = opt_set_none },
	{ .name = "host",
	  .short_name = 'H',
	  .argname = "SPEC",
	  .flags = OPT_LIST,
	  .help = "target: host[:port], [v6addr]:port, CIDR or a-b range",
	  .set = opt_set_list,
	  .offset = F(hosts),
	  .echo = opt_echo_list },
	{ .name = "influx-unsigned",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "-F influx: write Counter32/64, Gauge32, Unsigned32 and "
	      "TimeTicks as unsigned (u) fields, which InfluxDB 2 and later "
	      "take, 1.x not (by default: integers, i)",
	  .set = opt_set_flag,
	  .offset = F(influx_unsigned),
	  .echo = opt_echo_flag },
	{ .name = "inventory",
	  .short_name = 'i',
	  .argname = "FILE",
	  .flags = OPT_LIST,
	  .help = "read targets from FILE, one per line ('-' is stdin)",
	  .set = opt_set_list,
	  .offset = F(inventories),
	  .echo = opt_echo_list },
	{ .name = "ipv4",
	  .short_name = '4',
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "look host names up as IPv4 addresses only (addresses "
	      "given as such are polled as given)",
	  .set = opt_set_flag,
	  .offset = F(ipv4),
	  .echo = opt_echo_flag },
	{ .name = "ipv6",
	  .short_name = '6',
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "look host names up as IPv6 addresses only",
	  .set = opt_set_flag,
	  .offset = F(ipv6),
	  .echo = opt_echo_flag },
	{ .name = "label",
	  .argname = "COLUMN",
	  .flags = OPT_LIST,
	  .help = "a column (ifName, ifAlias, ...) as a label on the metrics "
	      "(-F prom), or a field of the -T rows (jsonl, csv), of rows "
	      "with its index (repeatable)",
	  .set = opt_set_list,
	  .offset = F(labels),
	  .echo = opt_echo_list },
	{ .name = "level",
	  .short_name = 'l',
	  .argname = "LEVEL",
	  .target_key = "level",
	  .help =
	      "SNMPv3 security level: noAuthNoPriv, authNoPriv or authPriv",
	  .set = opt_set_string,
	  .offset = F(level),
	  .echo = opt_echo_string },
	{ .name = "lock",
	  .argname = "FILE",
	  .help = "exit 3 at once if another run holds FILE (flock)",
	  .set = opt_set_string,
	  .offset = F(lock),
	  .echo = opt_echo_string },
	{ .name = "max-oids",
	  .argname = "N",
	  .defval = "32",
	  .minimum = 1, .maximum = 1000,
	  .target_key = "max-oids",
	  .help = "OIDs packed into one GET request",
	  .set = opt_set_uint,
	  .offset = F(max_oids),
	  .echo = opt_echo_uint },
	{ .name = "max-rate-interval",
	  .argname = "SECONDS",
	  .defval = "3600",
	  .minimum = 0, .maximum = 1e7,
	  .help = "--state: no rate from samples further apart than SECONDS "
	      "(0: no limit)",
	  .set = opt_set_seconds,
	  .offset = F(max_rate_interval),
	  .echo = opt_echo_double },
	{ .name = "max-repetitions",
	  .argname = "N",
	  .defval = "25",
	  .minimum = 1, .maximum = 1000,
	  .target_key = "max-repetitions",
	  .help = "GETBULK max-repetitions for walks and tables (v2c, v3)",
	  .set = opt_set_uint,
	  .offset = F(max_repetitions),
	  .echo = opt_echo_uint },
	{ .name = "max-walk-bytes",
	  .argname = "N",
	  .defval = "268435456",
	  .minimum = 1024, .maximum = 1099511627776.0,
	  .target_key = "max-walk-bytes",
	  .help = "memory the walked values of one target may take (k, M, G "
	      "suffixes); past it the walk ends with an error",
	  .set = opt_set_size,
	  .offset = F(max_walk_bytes),
	  .echo = opt_echo_u64 },
	{ .name = "max-walk-values",
	  .argname = "N",
	  .defval = "1000000",
	  .minimum = 1, .maximum = 4294967295.0,
	  .target_key = "max-walk-values",
	  .help =
	      "values the walks of one target may return; past it the walk "
	      "ends with an error",
	  .set = opt_set_uint,
	  .offset = F(max_walk_values),
	  .echo = opt_echo_uint },
	{ .name = "metric-prefix",
	  .argname = "PREFIX",
	  .help = "-F prom: put PREFIX before every metric named after an object",
	  .set = opt_set_string,
	  .offset = F(metric_prefix),
	  .echo = opt_echo_string },
	{ .name = "mibdirs",
	  .short_name = 'M',
	  .argname = "DIRS",
	  .env = "MIBDIRS",
	  .help = "directories of MIB files, ':'-separated, as net-snmp's -M "
	      "(+DIRS or -DIRS: after or before the default ones; or "
	      "MIBDIRS)",
	  .set = opt_set_string,
	  .offset = F(mibdirs),
	  .echo = opt_echo_string },
	{ .name = "mibs",
	  .short_name = 'm',
	  .argname = "MIBS",
	  .env = "MIBS",
	  .help = "MIB modules to load, ':'-separated, as net-snmp's -m "
	      "(+MIBS: added to the defaults; ALL: every file in -M's "
	      "directories; or MIBS); none without -m/-M",
	  .set = opt_set_string,
	  .offset = F(mibs),
	  .echo = opt_echo_string },
	{ .name = "no-bulk",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .target_key = "no-bulk",
	  .help = "walk with GETNEXT on v2c and v3 too, not GETBULK (agents "
	      "that mishandle it)",
	  .set = opt_set_flag,
	  .offset = F(no_bulk),
	  .echo = opt_echo_flag },
	{ .name = "no-join",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "jsonl and csv: keep -T tables with the same INDEX apart "
	      "(by default joined into one row per index)",
	  .set = opt_set_flag,
	  .offset = F(no_join),
	  .echo = opt_echo_flag },
	{ .name = "no-progress",
	  .flags = OPT_CLI_ONLY | OPT_NOARG,
	  .help = "never show the progress line",
	  .set = opt_set_noprogress },
	{ .name = "oid",
	  .argname = "OID",
	  .flags = OPT_LIST,
	  .help =
	      "an object to GET (also given as arguments after the options)",
	  .set = opt_set_list,
	  .offset = F(oids),
	  .echo = opt_echo_list },
	{ .name = "output",
	  .short_name = 'o',
	  .argname = "FILE",
	  .defval = "-",
	  .help = "append records to FILE ('-' is standard output)",
	  .set = opt_set_string,
	  .offset = F(output),
	  .echo = opt_echo_string },
	{ .name = "output-options",
	  .short_name = 'O',
	  .argname = "FLAGS",
	  .help = "-F text: net-snmp's output options, as snmpget -O (s short "
	      "names, f full, S module, n numeric, e numeric enums, q quick, "
	      "v values only, ...); without them -On; net-snmp's default MIBs "
	      "load unless -m/-M",
	  .set = opt_set_outopts,
	  .offset = F(output_options),
	  .echo = opt_echo_string },
	{ .name = "per-agent",
	  .argname = "N",
	  .defval = "0",
	  .minimum = 0, .maximum = 65536,
	  .help = "requests in flight to one agent address (IP:port) at "
	      "once, whichever targets share it (0: only its adaptive "
	      "window)",
	  .set = opt_set_uint,
	  .offset = F(per_agent),
	  .echo = opt_echo_uint },
	{ .name = "per-target",
	  .argname = "N",
	  .defval = "1",
	  .minimum = 1, .maximum = PER_TARGET_MAX,
	  .help = "requests in flight to one target at once",
	  .set = opt_set_uint,
	  .offset = F(per_target),
	  .echo = opt_echo_uint },
	{ .name = "port",
	  .argname = "N",
	  .defval = "161",
	  .minimum = 1, .maximum = 65535,
	  .target_key = "port",
	  .help = "port of targets that name none (UDP or TCP)",
	  .set = opt_set_uint,
	  .offset = F(port),
	  .echo = opt_echo_uint },
	{ .name = "priv",
	  .short_name = 'x',
	  .argname = "PROTO",
	  .target_key = "priv",
	  .help = "SNMPv3 privacy: DES, AES, AES-192, AES-256, AES-192-C, "
	      "AES-256-C",
	  .set = opt_set_string,
	  .offset = F(priv),
	  .echo = opt_echo_string },
	{ .name = "priv-pass",
	  .short_name = 'X',
	  .argname = "PASSPHRASE",
	  .flags = OPT_SECRET,
	  .env = "SNMPFLEET_PRIVPASS",
	  .target_key = "privpass",
	  .help = "SNMPv3 privacy passphrase (or SNMPFLEET_PRIVPASS)",
	  .set = opt_set_string,
	  .offset = F(priv_pass),
	  .echo = opt_echo_string },
	{ .name = "procs",
	  .short_name = 'P',
	  .argname = "N",
	  .defval = "1",
	  .minimum = 0, .maximum = 256,
	  .help = "worker processes (0: one per CPU)",
	  .set = opt_set_uint,
	  .offset = F(procs),
	  .echo = opt_echo_uint },
	{ .name = "profile",
	  .argname = "NAME",
	  .flags = OPT_LIST,
	  .help = "poll the OIDs, walks and tables of profile NAME",
	  .set = opt_set_list,
	  .offset = F(profiles),
	  .echo = opt_echo_list },
	{ .name = "progress",
	  .defval = "auto",
	  .flags = OPT_NOARG,
	  .help =
	      "show a live progress line (auto: when stderr is a terminal)",
	  .set = opt_set_progress,
	  .offset = F(progress),
	  .echo = opt_echo_progress },
	{ .name = "quiet",
	  .short_name = 'q',
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "print no summary, only errors",
	  .set = opt_set_flag,
	  .offset = F(quiet),
	  .echo = opt_echo_flag },
	{ .name = "rate",
	  .argname = "N",
	  .defval = "0",
	  .minimum = 0, .maximum = 1e9,
	  .help = "requests per second for the whole run (0: no limit)",
	  .set = opt_set_rate,
	  .offset = F(rate),
	  .echo = opt_echo_double },
	{ .name = "recv-buffer",
	  .argname = "BYTES",
	  .defval = "0",
	  .minimum = 0, .maximum = 1073741824.0,
	  .help = "receive buffer of the UDP sockets (k, M suffixes; 0: sized "
	      "for the window)",
	  .set = opt_set_size,
	  .offset = F(recv_buffer),
	  .echo = opt_echo_u64 },
	{ .name = "retries",
	  .short_name = 'r',
	  .argname = "N",
	  .defval = "2",
	  .minimum = 0, .maximum = 100,
	  .target_key = "retries",
	  .help = "retransmissions of an unanswered request",
	  .set = opt_set_uint,
	  .offset = F(retries),
	  .echo = opt_echo_uint },
	{ .name = "shard",
	  .argname = "K/N",
	  .help =
	      "poll only shard K of N (a hash of host:port); auto/N takes K "
	      "from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID",
	  .set = opt_set_string,
	  .offset = F(shard),
	  .echo = opt_echo_string },
	{ .name = "snmp-version",
	  .short_name = 'v',
	  .argname = "1|2c|3",
	  .defval = "2c",
	  .target_key = "version",
	  .help = "SNMP version: 1, 2c or 3",
	  .set = opt_set_version,
	  .offset = F(snmp_version),
	  .echo = opt_echo_version },
	{ .name = "state",
	  .argname = "FILE",
	  .help = "keep each target's counters between runs in FILE and add "
	      "their delta and rate to records",
	  .set = opt_set_string,
	  .offset = F(state),
	  .echo = opt_echo_string },
	{ .name = "state-reset",
	  .defval = "no",
	  .flags = OPT_CLI_ONLY | OPT_NOARG,
	  .help = "ignore the --state file (corrupt or not) and start a new one",
	  .set = opt_set_flag,
	  .offset = F(state_reset),
	  .echo = opt_echo_flag },
	{ .name = "stats-file",
	  .argname = "FILE",
	  .help = "write a JSON summary of the run to FILE (atomically)",
	  .set = opt_set_string,
	  .offset = F(stats_file),
	  .echo = opt_echo_string },
	{ .name = "sweep",
	  .argname = "LEVELS",
	  .help =
	      "load test: poll everything once per concurrency level (e.g. "
	      "1,4,16,64) and compare",
	  .set = opt_set_string,
	  .offset = F(sweep),
	  .echo = opt_echo_string },
	{ .name = "sweep-csv",
	  .argname = "FILE",
	  .help = "write the sweep's table as CSV",
	  .set = opt_set_string,
	  .offset = F(sweep_csv),
	  .echo = opt_echo_string },
	{ .name = "sweep-rate",
	  .argname = "LEVELS",
	  .help = "load test over --rate levels instead (requests/s)",
	  .set = opt_set_string,
	  .offset = F(sweep_rate),
	  .echo = opt_echo_string },
	{ .name = "sweep-svg",
	  .argname = "FILE",
	  .help = "write the sweep as an SVG chart",
	  .set = opt_set_string,
	  .offset = F(sweep_svg),
	  .echo = opt_echo_string },
	{ .name = "syslog",
	  .defval = "no",
	  .flags = OPT_NOARG,
	  .help = "send errors and the summary to syslog too",
	  .set = opt_set_flag,
	  .offset = F(syslog),
	  .echo = opt_echo_flag },
	{ .name = "table",
	  .short_name = 'T',
	  .argname = "OID",
	  .flags = OPT_LIST,
	  .help = "walk a table and show it as rows (repeatable)",
	  .set = opt_set_list,
	  .offset = F(tables),
	  .echo = opt_echo_list },
	{ .name = "target-deadline",
	  .argname = "SECONDS",
	  .defval = "0",
	  .minimum = 0, .maximum = 1e7,
	  .help =
	      "end one target's work after SECONDS (status deadline; 0: none)",
	  .set = opt_set_seconds,
	  .offset = F(target_deadline),
	  .echo = opt_echo_double },
	{ .name = "timeout",
	  .short_name = 't',
	  .argname = "SECONDS",
	  .defval = "1",
	  .minimum = 0.001, .maximum = 3600,
	  .target_key = "timeout",
	  .help = "seconds to wait for each reply",
	  .set = opt_set_seconds,
	  .offset = F(timeout),
	  .echo = opt_echo_double },
	{ .name = "transport",
	  .argname = "udp|tcp",
	  .defval = "udp",
	  .target_key = "transport",
	  .help = "transport of targets that name none (a udp:, tcp:, "
	      "udp6: or tcp6: prefix on a host names one)",
	  .set = opt_set_string,
	  .offset = F(transport),
	  .echo = opt_echo_string },
	{ .name = "user",
	  .short_name = 'u',
	  .argname = "NAME",
	  .target_key = "user",
	  .help = "SNMPv3 security name",
	  .set = opt_set_string,
	  .offset = F(user),
	  .echo = opt_echo_string },
	{ .name = "vanish-after",
	  .argname = "N",
	  .defval = "1",
	  .minimum = 1, .maximum = 65535,
	  .help = "--changes: a target that answered is vanished after N "
	      "consecutive runs without an answer",
	  .set = opt_set_uint,
	  .offset = F(vanish_after),
	  .echo = opt_echo_uint },
	{ .name = "version",
	  .short_name = 'V',
	  .flags = OPT_CLI_ONLY | OPT_NOARG,
	  .help = "print the program's version and exit",
	  .set = opt_set_none },
	{ .name = "walk",
	  .short_name = 'w',
	  .argname = "OID",
	  .flags = OPT_LIST,
	  .help = "walk a subtree (repeatable)",
	  .set = opt_set_list,
	  .offset = F(walks),
	  .echo = opt_echo_list },
};
const size_t options_count = sizeof options_table / sizeof options_table[0];

#define FIELD(cfg, o, type) ((type *)(void *)((char *)(cfg) + (o)->offset))

/* v as a number within o's range (the row's minimum to maximum). */
static int
opt_number(const struct option_def *o, const char *v, double *out,
    char **cause)
{
	char	*end, sb[REDACT_MAX];
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d)) {
		*cause = xasprintf("%s: not a number: '%s'", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	if (d < o->minimum || d > o->maximum) {
		*cause = xasprintf("%s: %s is out of range (%g to %g)",
		    o->name, redact_text(v, sb, sizeof sb), o->minimum,
		    o->maximum);
		return -1;
	}
	*out = d;
	return 0;
}

static int
opt_set_uint(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	double	d;
	char	sb[REDACT_MAX];

	if (opt_number(o, v, &d, cause) != 0)
		return -1;
	if (d != floor(d)) {
		*cause = xasprintf("%s: not a whole number: '%s'", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	*FIELD(cfg, o, unsigned) = (unsigned)d;
	return 0;
}

/* -j: "auto" (adaptive up to CONCURRENCY_AUTO), "N" (adaptive up to
 * N) or "fixed:N". */
static int
opt_set_concurrency(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	bool	fixed = strncmp(v, "fixed:", 6) == 0;

	if (strcmp(v, "auto") == 0) {
		cfg->concurrency = CONCURRENCY_AUTO;
		cfg->adapt = true;
		return 0;
	}
	if (opt_set_uint(cfg, o, fixed ? v + 6 : v, cause) != 0)
		return -1;
	cfg->adapt = !fixed;
	return 0;
}

static void
opt_echo_concurrency(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	if (cfg->adapt && cfg->concurrency == CONCURRENCY_AUTO)
		buf_printf(b, "%s = auto\n", o->name);
	else
		buf_printf(b, "%s = %s%u\n", o->name, cfg->adapt ? "" : "fixed:",
		    cfg->concurrency);
}

static int
opt_set_size(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	uint64_t	n;

	if (parse_size(v, &n) != 0) {
		*cause = xasprintf("%s: not a size: '%s' (a number, with k, M "
		    "or G for KiB, MiB or GiB)", o->name, v);
		return -1;
	}
	if ((double)n < o->minimum || (double)n > o->maximum) {
		*cause = xasprintf("%s: %s is out of range (%.0f to %.0f)",
		    o->name, v, o->minimum, o->maximum);
		return -1;
	}
	*FIELD(cfg, o, uint64_t) = n;
	return 0;
}

static int
opt_set_seconds(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	return opt_number(o, v, FIELD(cfg, o, double), cause);
}

static int
opt_set_rate(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	return opt_number(o, v, FIELD(cfg, o, double), cause);
}

static int
opt_set_string(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	char	**field = FIELD(cfg, o, char *);

	if (*v == '\0') {
		*cause = xasprintf("%s: empty value", o->name);
		return -1;
	}
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* -O: net-snmp's output option letters (snmpcmd(1)), all but p, which
 * takes an argument of its own. */
static int
opt_set_outopts(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	size_t	bad = strspn(v, "0abeEfnqQsStTuUvxX");

	if (v[bad] != '\0') {
		*cause = xasprintf("%s: unknown output option '%c' (known: "
		    "0abeEfnqQsStTuUvxX)", o->name, v[bad]);
		return -1;
	}
	return opt_set_string(cfg, o, v, cause);
}

static int
opt_set_list(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	if (*v == '\0') {
		*cause = xasprintf("%s: empty value", o->name);
		return -1;
	}
	strlist_add(FIELD(cfg, o, struct strlist), v);
	return 0;
}

static int
opt_set_flag(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	bool	*field = FIELD(cfg, o, bool);
	char	 sb[REDACT_MAX];

	if (v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		*field = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		*field = false;
	else {
		*cause = xasprintf("%s: expected yes or no, not '%s'",
		    o->name, redact_text(v, sb, sizeof sb));
		return -1;
	}
	return 0;
}

static int
opt_set_version(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	char	sb[REDACT_MAX];

	if (parse_version(v, FIELD(cfg, o, long)) != 0) {
		*cause = xasprintf("%s: unsupported SNMP version '%s' "
		    "(use 1, 2c or 3)", o->name,
		    redact_text(v, sb, sizeof sb));
		return -1;
	}
	return 0;
}

/* A format by its name: the names are out.c's table. */
static int
opt_set_format(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	struct buf	names;
	char		sb[REDACT_MAX];

	if (out_find_name(v, FIELD(cfg, o, enum format_id)) == 0)
		return 0;
	buf_init(&names);
	out_names(&names);
	*cause = xasprintf("%s: unknown format '%s' (%s)", o->name,
	    redact_text(v, sb, sizeof sb), buf_cstr(&names));
	buf_free(&names);
	return -1;
}

/* --progress (yes), or progress = auto|yes|no in a config file */
static int
opt_set_progress(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	bool	on = false;
	char	sb[REDACT_MAX];

	if (v != NULL && strcmp(v, "auto") == 0) {
		cfg->progress = -1;
		return 0;
	}
	if (v != NULL && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0 &&
	    strcmp(v, "true") != 0 && strcmp(v, "false") != 0 &&
	    strcmp(v, "1") != 0 && strcmp(v, "0") != 0 &&
	    strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
		*cause = xasprintf("%s: expected auto, yes or no, not '%s'",
		    o->name, redact_text(v, sb, sizeof sb));
		return -1;
	}
	on = v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0;
	cfg->progress = on ? 1 : 0;
	return 0;
}

static int
opt_set_noprogress(struct config *cfg, const struct option_def *o,
    const char *v, char **cause)
{
	cfg->progress = 0;
	return 0;
}

static void
opt_echo_progress(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name, cfg->progress < 0 ? "auto" :
	    cfg->progress ? "yes" : "no");
}

static int
opt_set_none(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	return 0;
}

/*
 * "name = value" as options_load_file reads it back: the value goes in
 * double quotes when the loader would otherwise change it, i.e. when it
 * starts or ends with white space (trimmed) or with a quote at both ends
 * (one pair stripped).  Found by tests/fuzz/fuzz-config.c.
 */
static void
opt_echo_kv(struct buf *b, const char *name, size_t namelen, const char *v)
{
	size_t	len = strlen(v);
	bool	quote;

	quote = len > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[len - 1]) ||
	    (len >= 2 && v[0] == '"' && v[len - 1] == '"'));
	buf_printf(b, quote ? "%.*s = \"%s\"\n" : "%.*s = %s\n", (int)namelen,
	    name, v);
}

static void
opt_echo_uint(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %u\n", o->name, *FIELD(cfg, o, unsigned));
}

static void
opt_echo_u64(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %llu\n", o->name,
	    (unsigned long long)*FIELD(cfg, o, uint64_t));
}

static void
opt_echo_double(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %g\n", o->name, *FIELD(cfg, o, double));
}

static void
opt_echo_string(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	const char	*v = *FIELD(cfg, o, char *);

	if (o->flags & OPT_SECRET)
		buf_printf(b, "# %s = (secret, not shown)\n", o->name);
	else if (v == NULL)
		buf_printf(b, "# %s = (none)\n", o->name);
	else
		opt_echo_kv(b, o->name, strlen(o->name), v);
}

static void
opt_echo_list(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	const struct strlist	*l = FIELD(cfg, o, struct strlist);
	size_t			 i;

	if (l->n == 0)
		buf_printf(b, "# %s = (none)\n", o->name);
	for (i = 0; i < l->n; i++)
		opt_echo_kv(b, o->name, strlen(o->name), l->v[i]);
}

static void
opt_echo_flag(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name,
	    *FIELD(cfg, o, bool) ? "yes" : "no");
}

static void
opt_echo_version(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	long	v = *FIELD(cfg, o, long);

	buf_printf(b, "%s = %s\n", o->name, v == SNMP_VERSION_1 ? "1" :
	    v == SNMP_VERSION_3 ? "3" : "2c");
}

static void
opt_echo_format(const struct config *cfg, const struct option_def *o,
    struct buf *b)
{
	buf_printf(b, "%s = %s\n", o->name,
	    out_name(*FIELD(cfg, o, enum format_id)));
}

void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

void
strlist_free(struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Profiles every run knows; a [profile NAME] section of the same name in
 * a config file replaces one. */
static const struct {
	const char	*name;
	const char	*oids;
	const char	*walks;
	const char	*tables;
	const char	*labels;
	const char	*info;
} builtin_profiles[] = {
	{ "system", "sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 "
	  "sysName.0 sysLocation.0", "", "", "", "" },
	{ "interfaces", "ifNumber.0", "", "ifTable ifXTable", "", "" },
	{ "inventory", "sysDescr.0 sysObjectID.0 sysUpTime.0 sysContact.0 "
	  "sysName.0 sysLocation.0", "", "entPhysicalTable ifTable ifXTable",
	  "", "" },
	{ "storage", "hrMemorySize.0", "", "hrStorageTable", "", "" },
	{ "lldp", "", "", "lldpRemTable", "", "" },
	/* as snmp_exporter's module of that name: -F prom gives the same
	 * metrics (tests/integration/prom-snmp-exporter.sh) */
	{ "if_mib", "sysUpTime.0", "interfaces ifXTable", "",
	  "ifAlias ifDescr ifName", "ifType" },
};

static struct profile *
options_profile(struct config *cfg, const char *name, bool create)
{
	struct profile	*p;
	size_t		 i;

	for (i = 0; i < cfg->ndefined; i++) {
		if (strcmp(cfg->defined[i].name, name) == 0)
			return &cfg->defined[i];
	}
	if (!create)
		return NULL;
	cfg->defined = xreallocarray(cfg->defined, cfg->ndefined + 1,
	    sizeof *cfg->defined);
	p = &cfg->defined[cfg->ndefined++];
	memset(p, 0, sizeof *p);
	p->name = xstrdup(name);
	return p;
}

static struct cred_set *
options_creds(struct config *cfg, const char *name)
{
	struct cred_set	*c;
	size_t		 i;

	for (i = 0; i < cfg->ncreds; i++) {
		if (strcmp(cfg->creds[i].name, name) == 0)
			return &cfg->creds[i];
	}
	cfg->creds = xreallocarray(cfg->creds, cfg->ncreds + 1,
	    sizeof *cfg->creds);
	c = &cfg->creds[cfg->ncreds++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	return c;
}

/* A key of a [credentials NAME] section: a per-target key marked
 * TK_CRED (its value is checked when an inventory line uses the set). */
static int
options_cred_key(struct cred_set *c, const char *name, const char *value,
    char **cause)
{
	const struct target_key	*k = target_key_find(name);
	char			*kv, sb[REDACT_MAX];

	if (k == NULL || !(k->flags & TK_CRED)) {
		*cause = xasprintf("'%s' is not a credentials key",
		    redact_text(name, sb, sizeof sb));
		return -1;
	}
	kv = xasprintf("%s=%s", name, value);
	strlist_add(&c->kv, kv);
	free(kv);
	return 0;
}

static void
options_split_add(struct strlist *l, const char *words)
{
	char	*copy = xstrdup(words), *w, *save = NULL;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		strlist_add(l, w);
	free(copy);
}

/* The profile called name: a config file's, else a built-in one. */
static struct profile *
options_find_profile(struct config *cfg, const char *name)
{
	struct profile	*p;
	size_t		 i;

	if ((p = options_profile(cfg, name, false)) != NULL)
		return p;
	for (i = 0; i < sizeof builtin_profiles / sizeof *builtin_profiles;
	    i++) {
		if (strcmp(builtin_profiles[i].name, name) != 0)
			continue;
		p = options_profile(cfg, name, true);
		options_split_add(&p->oids, builtin_profiles[i].oids);
		options_split_add(&p->walks, builtin_profiles[i].walks);
		options_split_add(&p->tables, builtin_profiles[i].tables);
		options_split_add(&p->labels, builtin_profiles[i].labels);
		options_split_add(&p->info, builtin_profiles[i].info);
		return p;
	}
	return NULL;
}

static void
options_append(struct strlist *to, const struct strlist *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++)
		strlist_add(to, from->v[i]);
}

/* Fill cfg with every option's default, then what the environment gives
 * (a row's env: secrets kept out of ps(1)); an empty variable is none. */
void
options_init(struct config *cfg)
{
	const struct option_def	*o;
	const char		*env;
	char			*cause;
	size_t			 i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->defval == NULL || (o->flags & OPT_LIST))
			continue;
		if (o->set(cfg, o, o->defval, &cause) != 0)
			abort();	/* a bad default is a bug in the table */
	}
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->env == NULL || (env = getenv(o->env)) == NULL ||
		    *env == '\0')
			continue;
		if (o->set(cfg, o, env, &cause) != 0)
			abort();	/* env is for string options only */
	}
}

void
options_free(struct config *cfg)
{
	strlist_free(&cfg->inventories);
	strlist_free(&cfg->hosts);
	strlist_free(&cfg->oids);
	strlist_free(&cfg->config_files);
	strlist_free(&cfg->walks);
	strlist_free(&cfg->tables);
	strlist_free(&cfg->labels);
	strlist_free(&cfg->info);
	free(cfg->metric_prefix);
	strlist_free(&cfg->profiles);
	for (size_t i = 0; i < cfg->ndefined; i++) {
		free(cfg->defined[i].name);
		strlist_free(&cfg->defined[i].oids);
		strlist_free(&cfg->defined[i].walks);
		strlist_free(&cfg->defined[i].tables);
		strlist_free(&cfg->defined[i].labels);
		strlist_free(&cfg->defined[i].info);
	}
	free(cfg->defined);
	free(cfg->community);
	free(cfg->output);
	free(cfg->lock);
	free(cfg->stats_file);
	free(cfg->state);
	free(cfg->changes);
	free(cfg->fingerprint);
	free(cfg->mibs);
	free(cfg->mibdirs);
	free(cfg->output_options);
	free(cfg->describe);
	free(cfg->shard);
	free(cfg->sweep);
	free(cfg->sweep_rate);
	free(cfg->sweep_csv);
	free(cfg->sweep_svg);
	free(cfg->user);
	free(cfg->level);
	free(cfg->auth);
	free(cfg->priv);
	free(cfg->context);
	free(cfg->engine_id);
	free(cfg->context_engine_id);
	free(cfg->dump_file);
	free(cfg->transport);
	if (cfg->auth_pass != NULL)
		explicit_bzero(cfg->auth_pass, strlen(cfg->auth_pass));
	if (cfg->priv_pass != NULL)
		explicit_bzero(cfg->priv_pass, strlen(cfg->priv_pass));
	free(cfg->auth_pass);
	free(cfg->priv_pass);
	for (size_t i = 0; i < cfg->ncreds; i++) {
		free(cfg->creds[i].name);
		strlist_free(&cfg->creds[i].kv);
	}
	free(cfg->creds);
	strlist_free(&cfg->secret_files);
	memset(cfg, 0, sizeof *cfg);
}

const struct option_def *
options_find(const char *name)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (strcmp(options_table[i].name, name) == 0)
			return &options_table[i];
	}
	return NULL;
}

const struct option_def *
options_find_short(int c)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (options_table[i].short_name == c)
			return &options_table[i];
	}
	return NULL;
}

/* Set option o from text v (NULL for a flag given with no value). */
int
options_set(struct config *cfg, const struct option_def *o, const char *v,
    char **cause)
{
	if (v == NULL && !(o->flags & OPT_NOARG)) {
		*cause = xasprintf("%s: needs a value", o->name);
		return -1;
	}
	return o->set(cfg, o, v, cause);
}

static char *
options_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Read a config file of "name = value" lines ('#' starts a comment line;
 * a value may be wrapped in double quotes).  On error *cause is
 * "FILE:LINE: reason" and nothing after the bad line is applied.
 */
int
options_load_file(struct config *cfg, const char *path, char **cause)
{
	const struct option_def	*o;
	FILE			*f;
	struct stat		 st;
	struct profile		*section = NULL;
	struct cred_set		*creds = NULL;
	bool			 secrets = false;
	char			*line = NULL, *s, *eq, *name, *value, *why;
	char			 sb[REDACT_MAX];
	size_t			 cap = 0, vlen;
	ssize_t			 n;
	unsigned		 lineno = 0;
	int			 rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* a directory opens, then reads as nothing: an empty config */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: %s", path, strerror(EISDIR));
		fclose(f);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		/* a NUL would end the line early: the rest would be lost */
		if (memchr(line, '\0', (size_t)n) != NULL) {
			*cause = xasprintf("%s:%u: NUL byte in the line", path,
			    lineno);
			rc = -1;
			break;
		}
		s = options_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			section = NULL;
			creds = NULL;
			if (s[strlen(s) - 1] == ']' &&
			    strncmp(s, "[profile ", 9) == 0 && strlen(s) > 10) {
				s[strlen(s) - 1] = '\0';
				section = options_profile(cfg,
				    options_trim(s + 9), true);
				continue;
			}
			if (s[strlen(s) - 1] == ']' &&
			    strncmp(s, "[credentials ", 13) == 0 &&
			    strlen(s) > 14) {
				s[strlen(s) - 1] = '\0';
				creds = options_creds(cfg, options_trim(s + 13));
				continue;
			}
			*cause = xasprintf("%s:%u: expected '[profile NAME]' "
			    "or '[credentials NAME]'", path, lineno);
			rc = -1;
			break;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			*cause = xasprintf("%s:%u: expected 'name = value'",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = options_trim(s);
		value = options_trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		if (creds != NULL) {
			if (options_cred_key(creds, name, value, &why) != 0) {
				*cause = xasprintf("%s:%u: %s", path, lineno,
				    why);
				free(why);
				rc = -1;
				break;
			}
			secrets |= options_is_secret_key(name);
			continue;
		}
		if (section != NULL) {
			if (strcmp(name, "oid") == 0)
				strlist_add(&section->oids, value);
			else if (strcmp(name, "walk") == 0)
				strlist_add(&section->walks, value);
			else if (strcmp(name, "table") == 0)
				strlist_add(&section->tables, value);
			else if (strcmp(name, "label") == 0)
				strlist_add(&section->labels, value);
			else if (strcmp(name, "info") == 0)
				strlist_add(&section->info, value);
			else {
				*cause = xasprintf("%s:%u: a profile takes oid, "
				    "walk, table, label and info, not '%s'",
				    path, lineno,
				    redact_text(name, sb, sizeof sb));
				rc = -1;
				break;
			}
			continue;
		}
		o = options_find(name);
		if (o == NULL || (o->flags & OPT_CLI_ONLY)) {
			*cause = xasprintf("%s:%u: unknown option '%s'", path,
			    lineno, redact_text(name, sb, sizeof sb));
			rc = -1;
			break;
		}
		if (o->set(cfg, o, value, &why) != 0) {
			*cause = xasprintf("%s:%u: %s", path, lineno, why);
			free(why);
			rc = -1;
			break;
		}
		secrets |= (o->flags & OPT_SECRET) != 0;
	}
	if (rc == 0 && ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc == 0 && secrets)
		strlist_add(&cfg->secret_files, path);
	return rc;
}

/*
 * The per-target settings every target starts from, in *pp (to free with
 * target_params_free): the options a per-target key overrides.  A text
 * option goes through its key's setter, so that -l and level= are
 * checked alike; the numbers are copied, checked by their rows already.
 */
int
options_target_params(const struct config *cfg, struct target_params **pp,
    char **cause)
{
	const struct target_key	*k;
	const struct option_def	*o;
	struct target_params	*p = xcalloc(1, sizeof *p);
	const char		*v;
	size_t			 i;

	p->snmp_version = cfg->snmp_version;
	p->timeout_ms = (unsigned)(cfg->timeout * 1000 + 0.5);
	p->retries = cfg->retries;
	p->max_walk_values = cfg->max_walk_values;
	p->max_walk_bytes = cfg->max_walk_bytes;
	p->no_bulk = cfg->no_bulk;
	p->allow_non_increasing = cfg->allow_non_increasing;
	p->any_source = cfg->any_source;
	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		if (k->option == NULL || (o = options_find(k->option)) == NULL ||
		    o->set != opt_set_string)
			continue;
		v = *FIELD(cfg, o, char *);
		if (v != NULL && k->set(p, k, k->name, v, cause) != 0)
			goto fail;
	}
	usm_imply_level(p);
	if (usm_check(p, cause) != 0)
		goto fail;
	*pp = p;
	return 0;
fail:
	target_params_free(p);
	return -1;
}

/* Checks that need every option: run once all sources are applied. */
int
options_finish(struct config *cfg, char **cause)
{
	struct profile	*p;
	size_t		 i;
	char		 sb[REDACT_MAX];

	if (cfg->hosts.n == 0 && cfg->inventories.n == 0 &&
	    cfg->describe == NULL) {
		*cause = xstrdup("no targets: give -H SPEC or -i FILE");
		return -1;
	}
	if (cfg->ipv4 && cfg->ipv6) {
		*cause = xstrdup("-4 (--ipv4) and -6 (--ipv6) go one at a "
		    "time");
		return -1;
	}
	for (i = 0; i < cfg->profiles.n; i++) {
		if ((p = options_find_profile(cfg, cfg->profiles.v[i])) ==
		    NULL) {
			*cause = xasprintf("unknown profile '%s'",
			    redact_text(cfg->profiles.v[i], sb, sizeof sb));
			return -1;
		}
		options_append(&cfg->oids, &p->oids);
		options_append(&cfg->walks, &p->walks);
		options_append(&cfg->tables, &p->tables);
		options_append(&cfg->labels, &p->labels);
		options_append(&cfg->info, &p->info);
	}
	return 0;
}

/* Is the key of "key=value" (n bytes long) a secret? */
static bool
options_cred_secret(const char *kv, size_t n)
{
	const struct target_key	*k;
	char			*key = xstrndup(kv, n);

	k = target_key_find(key);
	free(key);
	return k != NULL && (k->flags & TK_SECRET);
}

/* The effective configuration as a config file that reads back the same
 * (secrets excepted: they are commented out). */
void
options_echo(const struct config *cfg, struct buf *b)
{
	const struct option_def	*o;
	size_t			 i;

	buf_printf(b, "# snmpfleet %s effective configuration\n",
	    PACKAGE_VERSION);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->echo != NULL && !(o->flags & OPT_CLI_ONLY))
			o->echo(cfg, o, b);
	}
	for (i = 0; i < cfg->ncreds; i++) {
		const struct cred_set	*c = &cfg->creds[i];
		size_t			 k, n;

		buf_printf(b, "\n[credentials %s]\n", c->name);
		for (k = 0; k < c->kv.n; k++) {
			n = strcspn(c->kv.v[k], "=");
			if (options_cred_secret(c->kv.v[k], n))
				buf_printf(b, "# %.*s = (secret, not shown)\n",
				    (int)n, c->kv.v[k]);
			else
				opt_echo_kv(b, c->kv.v[k], n,
				    c->kv.v[k] + n + 1);
		}
	}
	for (i = 0; i < cfg->ndefined; i++) {
		const struct profile	*p = &cfg->defined[i];
		size_t			 k;

		buf_printf(b, "\n[profile %s]\n", p->name);
		for (k = 0; k < p->oids.n; k++)
			opt_echo_kv(b, "oid", 3, p->oids.v[k]);
		for (k = 0; k < p->walks.n; k++)
			opt_echo_kv(b, "walk", 4, p->walks.v[k]);
		for (k = 0; k < p->tables.n; k++)
			opt_echo_kv(b, "table", 5, p->tables.v[k]);
		for (k = 0; k < p->labels.n; k++)
			opt_echo_kv(b, "label", 5, p->labels.v[k]);
		for (k = 0; k < p->info.n; k++)
			opt_echo_kv(b, "info", 4, p->info.v[k]);
	}
}

/* The --help text, built from the table. */
void
options_usage(struct buf *b)
{
	const struct option_def	*o;
	struct buf		 left;
	size_t			 i;

	buf_adds(b, "usage: snmpfleet [options] [OID ...]\n"
	    "Poll many SNMP agents at once; one whole record per target.\n\n");
	buf_init(&left);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		left.len = 0;
		if (o->short_name != 0)
			buf_printf(&left, "-%c, ", o->short_name);
		else
			buf_adds(&left, "    ");
		buf_printf(&left, "--%s", o->name);
		if (o->argname != NULL)
			buf_printf(&left, " %s", o->argname);
		buf_printf(b, "  %-26s %s", buf_cstr(&left), o->help);
		if (o->defval != NULL && !(o->flags & OPT_NOARG))
			buf_printf(b, " [%s]", o->defval);
		buf_addc(b, '\n');
	}
	buf_free(&left);
	buf_adds(b, "\nWithout OIDs, sysDescr.0 sysObjectID.0 sysUpTime.0 and "
	    "sysName.0 are polled.\nExit: 0 all answered, 1 some failed, "
	    "2 usage or input error, 3 --lock held, 4 deadline,\n"
	    "5 the output failed (disk full, reader gone), 130/143 interrupted.\n"
	    "See snmpfleet(1) and snmpfleet.conf(5).\n");
}

/* ------------------------------------------------ the per-target keys */

/*
 * Call fn with each of our names under which a secret is given (long
 * options and config keys, per-target keys) until it returns true;
 * returns whether one did.  redact.c uses it (registered below).
 */
static bool
options_each_secret(bool (*fn)(const char *, void *), void *arg)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if ((options_table[i].flags & OPT_SECRET) &&
		    fn(options_table[i].name, arg))
			return true;
	}
	for (i = 0; i < target_keys_count; i++) {
		if ((target_keys[i].flags & TK_SECRET) &&
		    fn(target_keys[i].name, arg))
			return true;
	}
	return false;
}

/* Before main(), in every program that has the tables: redaction knows
 * their secrets from the start, whatever runs first. */
__attribute__((constructor)) static void
options_register_secrets(void)
{
	redact_use_names(options_each_secret);
}

/* Is key the name in arg (any case)? */
static bool
options_same_cb(const char *key, void *arg)
{
	return strcasecmp(key, arg) == 0;
}

/* Is name the name of a secret (a key or option whose value is one)?
 * Leading dashes are ignored: "--auth-pass" is one. */
bool
options_is_secret_key(const char *name)
{
	while (*name == '-')
		name++;
	return options_each_secret(options_same_cb, (void *)name);
}

void
target_params_free(struct target_params *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ntags * 2; i++)
		free(p->tags[i]);
	free(p->tags);
	free(p->community);
	free(p->user);
	if (p->authpass != NULL)
		explicit_bzero(p->authpass, strlen(p->authpass));
	if (p->privpass != NULL)
		explicit_bzero(p->privpass, strlen(p->privpass));
	free(p->authpass);
	free(p->privpass);
	free(p->context);
	free(p->keys);
	free(p);
}

/* The option a key overrides: its row holds the key's range. */
static const struct option_def *
tk_option(const struct target_key *k)
{
	const struct option_def	*o = options_find(k->option);

	if (o == NULL)
		abort();	/* a key naming no option: a bug in the table */
	return o;
}

/* A text key (community, user, ...): the value as given. */
static int
tk_set_text(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	char	**field = (char **)(void *)((char *)p + k->offset);

	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int
tk_set_version(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	char	sb[REDACT_MAX];

	if (parse_version(value, &p->snmp_version) != 0) {
		*cause = xasprintf("unsupported SNMP version '%s' (use 1, 2c "
		    "or 3)", redact_text(value, sb, sizeof sb));
		return -1;
	}
	return 0;
}

static int
tk_set_transport(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	char	sb[REDACT_MAX];

	if (strcasecmp(value, "udp") == 0)
		p->transport = TARGET_UDP;
	else if (strcasecmp(value, "tcp") == 0)
		p->transport = TARGET_TCP;
	else {
		*cause = xasprintf("unknown transport '%s' (use udp or tcp)",
		    redact_text(value, sb, sizeof sb));
		return -1;
	}
	return 0;
}

/* A whole number within the range of the option k overrides: 0 or -1. */
static int
tk_uint(const struct target_key *k, const char *value,
    unsigned long *n)
{
	const struct option_def	*o = tk_option(k);

	if (parse_ulong(value, (unsigned long)o->maximum, n) != 0 ||
	    *n < o->minimum)
		return -1;
	return 0;
}

static int
tk_set_port(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	unsigned long	n;
	char		sb[REDACT_MAX];

	if (tk_uint(k, value, &n) != 0) {
		*cause = xasprintf("bad port '%s'",
		    redact_text(value, sb, sizeof sb));
		return -1;
	}
	p->port = (uint16_t)n;
	return 0;
}

/* timeout=: seconds, kept as milliseconds. */
static int
tk_set_timeout(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	const struct option_def	*o = tk_option(k);
	char			*end, sb[REDACT_MAX];
	double			 d;

	errno = 0;
	d = strtod(value, &end);
	if (*value == '\0' || *end != '\0' || errno != 0 ||
	    !(d >= o->minimum) || !(d <= o->maximum)) {
		*cause = xasprintf("bad timeout '%s' (seconds, %g to %g)",
		    redact_text(value, sb, sizeof sb), o->minimum, o->maximum);
		return -1;
	}
	p->timeout_ms = (unsigned)(d * 1000 + 0.5);
	return 0;
}

static int
tk_set_walk_values(struct target_params *p,
    const struct target_key *k, const char *key, const char *value,
    char **cause)
{
	const struct option_def	*o = tk_option(k);
	unsigned long		 n;
	char			 sb[REDACT_MAX];

	if (tk_uint(k, value, &n) != 0) {
		*cause = xasprintf("bad max-walk-values '%s' (%.0f to %.0f)",
		    redact_text(value, sb, sizeof sb), o->minimum, o->maximum);
		return -1;
	}
	p->max_walk_values = n;
	return 0;
}

static int
tk_set_walk_bytes(struct target_params *p,
    const struct target_key *k, const char *key, const char *value,
    char **cause)
{
	const struct option_def	*o = tk_option(k);
	char			 sb[REDACT_MAX];

	if (parse_size(value, &p->max_walk_bytes) != 0 ||
	    p->max_walk_bytes < o->minimum ||
	    p->max_walk_bytes > o->maximum) {
		*cause = xasprintf("bad max-walk-bytes '%s' (a size of 1k to "
		    "1024G: N, Nk, NM or NG)", redact_text(value, sb, sizeof sb));
		return -1;
	}
	return 0;
}

/* A count key (retries=, max-oids=, max-repetitions=): an unsigned
 * field, in the range of the option it overrides. */
static int
tk_set_count(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	const struct option_def	*o = tk_option(k);
	unsigned long		 n;
	char			 sb[REDACT_MAX];

	if (tk_uint(k, value, &n) != 0) {
		*cause = xasprintf("bad %s '%s' (%.0f to %.0f)", k->name,
		    redact_text(value, sb, sizeof sb), o->minimum, o->maximum);
		return -1;
	}
	*(unsigned *)(void *)((char *)p + k->offset) = (unsigned)n;
	return 0;
}

/* A yes/no key (no-bulk=, any-source=, ...): a bool field; the same
 * words as the option's (yes/no, true/false, 1/0, on/off). */
static int
tk_set_bool(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	const struct option_def	*o = tk_option(k);
	struct config		 scratch;
	char			*why, sb[REDACT_MAX];

	memset(&scratch, 0, sizeof scratch);
	if (o->set(&scratch, o, value, &why) != 0) {
		free(why);
		*cause = xasprintf("bad %s '%s' (yes or no)", k->name,
		    redact_text(value, sb, sizeof sb));
		return -1;
	}
	*(bool *)(void *)((char *)p + k->offset) = *FIELD(&scratch, o, bool);
	return 0;
}

/* tag.NAME=VALUE: added, or replacing the tag of that name. */
static int
tk_set_tag(struct target_params *p, const struct target_key *k,
    const char *key, const char *value, char **cause)
{
	const char	*name = key + strlen(k->name);
	size_t		 i;

	/* Tags go into every record format, and influx and prom take only
	 * UTF-8 text (found by fuzz-reply.c). */
	if (!value_printable((const u_char *)key, strlen(key)) ||
	    !value_printable((const u_char *)value, strlen(value))) {
		*cause = xasprintf("%s: not UTF-8 text, or has control "
		    "characters", key);
		return -1;
	}
	for (i = 0; i < p->ntags; i++) {
		if (strcmp(p->tags[2 * i], name) == 0)
			break;
	}
	if (i == p->ntags) {
		p->tags = xreallocarray(p->tags, 2 * (p->ntags + 1),
		    sizeof *p->tags);
		p->tags[2 * i] = xstrdup(name);
		p->tags[2 * i + 1] = NULL;
		p->ntags++;
	}
	free(p->tags[2 * i + 1]);
	p->tags[2 * i + 1] = xstrdup(value);
	return 0;
}

#define TP(field) offsetof(struct target_params, field)

/*
 * The per-target keys.  The SNMPv3 ones keep this order (user before
 * level, ..., the engineIDs last): options_target_params applies the command
 * line's in it, so the first bad one is the one reported.
 */
const struct target_key target_keys[] = {
	{ "version", TK_CRED, "snmp-version", tk_set_version, 0 },
	{ "community", TK_CRED | TK_SECRET, "community", tk_set_text,
	  TP(community) },
	{ "user", TK_CRED, "user", tk_set_text, TP(user) },
	{ "level", TK_CRED, "level", usm_set_level, 0 },
	{ "auth", TK_CRED, "auth", usm_set_auth, 0 },
	{ "authpass", TK_CRED | TK_SECRET, "auth-pass", tk_set_text,
	  TP(authpass) },
	{ "priv", TK_CRED, "priv", usm_set_priv, 0 },
	{ "privpass", TK_CRED | TK_SECRET, "priv-pass", tk_set_text,
	  TP(privpass) },
	{ "context", TK_CRED, "context", tk_set_text, TP(context) },
	{ "engineid", TK_CRED, "engine-id", usm_set_engineid, 0 },
	{ "contextengineid", TK_CRED, "context-engine-id",
	  usm_set_context_engineid, 0 },
	{ "timeout", TK_CRED, "timeout", tk_set_timeout, 0 },
	{ "retries", TK_CRED, "retries", tk_set_count, TP(retries) },
	{ "port", TK_CRED, "port", tk_set_port, 0 },
	{ "transport", TK_CRED, "transport", tk_set_transport, 0 },
	{ "max-walk-values", 0, "max-walk-values", tk_set_walk_values,
	  0 },
	{ "max-walk-bytes", 0, "max-walk-bytes", tk_set_walk_bytes, 0 },
	{ "max-oids", TK_CRED, "max-oids", tk_set_count, TP(max_oids) },
	{ "max-repetitions", TK_CRED, "max-repetitions", tk_set_count,
	  TP(max_repetitions) },
	{ "no-bulk", TK_CRED, "no-bulk", tk_set_bool, TP(no_bulk) },
	{ "allow-non-increasing", TK_CRED, "allow-non-increasing",
	  tk_set_bool, TP(allow_non_increasing) },
	{ "any-source", TK_CRED, "any-source", tk_set_bool, TP(any_source) },
	{ "tag.", TK_PREFIX, NULL, tk_set_tag, 0 },
	{ "cred", TK_SET_REF, NULL, NULL, 0 },
};
const size_t target_keys_count = sizeof target_keys / sizeof target_keys[0];

/* The row of key as written ("tag.site" finds "tag."), or NULL. */
const struct target_key *
target_key_find(const char *key)
{
	const struct target_key	*k;
	size_t			 i, len;

	for (i = 0; i < target_keys_count; i++) {
		k = &target_keys[i];
		if (!(k->flags & TK_PREFIX)) {
			if (strcmp(k->name, key) == 0)
				return k;
			continue;
		}
		len = strlen(k->name);
		if (strncmp(k->name, key, len) == 0 && key[len] != '\0')
			return k;
	}
	return NULL;
}

/* Apply one key=value to p (cred=NAME excepted: the inventory's). */
int
target_key_set(struct target_params *p, const char *key, const char *value,
    char **cause)
{
	const struct target_key	*k = target_key_find(key);
	char			 sb[REDACT_MAX];

	if (k == NULL || k->set == NULL) {
		*cause = xasprintf("unknown key '%s'",
		    redact_text(key, sb, sizeof sb));
		return -1;
	}
	return k->set(p, k, key, value, cause);
}
