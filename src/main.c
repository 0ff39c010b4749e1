/*
 * main.c — the front end: command line and config file (through the one
 * option table), loading targets and OIDs, signals, the run, the summary
 * and the exit status.  The only file that prints usage errors or exits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <syslog.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"

#define EXIT_SOME_FAILED	1
#define EXIT_USAGE		2
#define EXIT_LOCKED		3
#define EXIT_DEADLINE		4
#define EXIT_OUTPUT		5	/* the output failed mid-run */

static const char *const default_oids[] = {
	"sysDescr.0", "sysObjectID.0", "sysUpTime.0", "sysName.0",
};

struct run {
	struct config		 cfg;
	struct inventory	 inv;
	struct fetch_plan	 plan;
	struct pool_shared	*pshm;		/* claiming, flags, done bitmap */
	struct writer_shared	*wshm;		/* the output's mutex, counts */
	struct writer		 w;
	struct progress		 progress;
	struct out_format	*fmt;		/* the run's format object */
	struct rates		*rates;		/* --state, or NULL */
	uint64_t		 duplicates;	/* targets given twice, dropped */
};

static void __attribute__((noreturn)) SF_ATTR_PRINTF(2, 3)
die(int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "%s", msg);
	free(msg);
	exit(status);
}

/* die() with a cause string from a module, which it frees. */
static void __attribute__((noreturn))
die_with(int status, const char *prefix, char *cause)
{
	log_msg(LOG_ERR, "%s%s", prefix, cause);
	free(cause);
	exit(status);
}

/* Causes that already start with "FILE:LINE:" print as they are. */
static void __attribute__((noreturn))
die_cause(int status, char *cause)
{
	log_raw(LOG_ERR, cause);
	free(cause);
	exit(status);
}

/* getopt_long's tables, built from the option table. */
static void
main_getopt_tables(struct option **longs, char **shorts)
{
	const struct option_def	*o;
	struct buf		 s;
	size_t			 i;

	*longs = xcalloc(options_count + 1, sizeof **longs);
	buf_init(&s);
	buf_addc(&s, ':');
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		(*longs)[i].name = o->name;
		(*longs)[i].has_arg = (o->flags & OPT_NOARG) ? no_argument :
		    required_argument;
		(*longs)[i].val = 256 + (int)i;
		if (o->short_name != 0) {
			buf_addc(&s, (char)o->short_name);
			if (!(o->flags & OPT_NOARG))
				buf_addc(&s, ':');
		}
	}
	*shorts = s.data;
}

static const struct option_def *
main_getopt_next(int argc, char **argv, const struct option *longs,
    const char *shorts)
{
	const struct option_def	*o;
	int			 c;

	char			 sb[REDACT_MAX], name[256];

	optopt = 0;
	c = getopt_long(argc, argv, shorts, longs, NULL);
	if (c == -1)
		return NULL;
	/* getopt says which option in optopt: a short one's letter, a long
	 * one's val (256 + row), 0 for an unknown long one; argv[optind - 1]
	 * is not it inside "-Cr10" (it can be argv[0]) */
	if (c == '?' && optopt >= 256)
		die(EXIT_USAGE, "option '--%s' takes no value",
		    options_table[optopt - 256].name);
	if (c == '?' && optopt != 0)
		die(EXIT_USAGE, "unknown option '-%s' (see --help)",
		    redact_text((char[]){ (char)optopt, '\0' }, sb, sizeof sb));
	/* "--authpass=SECRET" is an unknown option too: no value shown */
	if (c == '?') {
		snprintf(name, sizeof name, "%.*s",
		    (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
		die(EXIT_USAGE, "unknown option '%s' (see --help)",
		    redact_text(name, sb, sizeof sb));
	}
	if (c == ':' && optopt >= 256)
		die(EXIT_USAGE, "option '--%s' needs a value",
		    options_table[optopt - 256].name);
	if (c == ':')
		die(EXIT_USAGE, "option '-%c' needs a value", optopt);
	if (c >= 256)
		return &options_table[c - 256];
	if ((o = options_find_short(c)) == NULL)
		die(EXIT_USAGE, "unknown option '-%c'", c);
	return o;
}

/* Is text an address, host:port, [v6]:port or address/prefix? */
static bool
main_is_address(const char *text)
{
	unsigned char	 a[16];
	char		 host[256];
	const char	*colon, *slash;
	size_t		 n;

	if (inet_pton(AF_INET, text, a) == 1 ||
	    inet_pton(AF_INET6, text, a) == 1)
		return true;
	if (*text == '[' && (colon = strstr(text, "]:")) != NULL &&
	    (n = (size_t)(colon - text - 1)) < sizeof host) {
		memcpy(host, text + 1, n);
		host[n] = '\0';
		return inet_pton(AF_INET6, host, a) == 1;
	}
	if ((colon = strchr(text, ':')) == NULL)
		colon = strchr(text, '/');
	if ((slash = colon) == NULL || strchr(colon + 1, ':') != NULL ||
	    (n = (size_t)(slash - text)) >= sizeof host || slash[1] == '\0' ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return false;
	memcpy(host, text, n);
	host[n] = '\0';
	return inet_pton(AF_INET, host, a) == 1;
}

/*
 * Does an argument after the options (an OID) look like a host given
 * there by mistake: an address (host:port, [v6]:port, CIDR) that is no
 * OID ("127.0.0.2": BER cannot encode a first number past 2), or any
 * address when no target was given at all?
 */
static bool
main_looks_like_host(const struct config *cfg, const char *text)
{
	struct oid_text	 o;
	char		*cause;

	if (!main_is_address(text))
		return false;
	if (cfg->hosts.n == 0 && cfg->inventories.n == 0)
		return true;
	if (oid_parse(text, &o, &cause) == 0)
		return false;
	free(cause);
	return true;
}

/* A secret from the command line, kept from the first pass (which
 * scrubs argv) to the end of the second (which applies it last). */
struct main_secret {
	const struct option_def	*o;
	char			*value;
};

/*
 * Two passes over argv: the first handles --help, --version and
 * --config (files are read before the rest) and takes the secrets out of
 * argv at once, before anything slow; the second applies every other
 * option, then the secrets, so the command line overrides the files.
 */
static void
main_options(struct config *cfg, int argc, char **argv)
{
	const struct option_def	*o;
	struct option		*longs;
	struct main_secret	*secrets = NULL;
	struct buf		 b;
	char			*shorts, *cause, sb[REDACT_MAX];
	size_t			 i, nsecrets = 0;
	int			 pass;

	main_getopt_tables(&longs, &shorts);
	for (pass = 0; pass < 2; pass++) {
		optind = 1;
		opterr = 0;
		while ((o = main_getopt_next(argc, argv, longs, shorts))) {
			if (strcmp(o->name, "help") == 0) {
				buf_init(&b);
				options_usage(&b);
				fputs(buf_cstr(&b), stdout);
				exit(0);
			}
			if (strcmp(o->name, "version") == 0) {
				printf("snmpfleet %s (net-snmp %s, libuv %s)\n",
				    PACKAGE_VERSION, netsnmp_get_version(),
				    uv_version_string());
#ifdef SNMPFLEET_FAULT_INJECTION
				printf("fault injection: on "
				    "(SNMPFLEET_TEST_FAULT; a test build)\n");
#endif
				exit(0);
			}
			/* keep secrets out of ps(1) (better: config, env) */
			if ((o->flags & OPT_SECRET) && optarg != NULL &&
			    pass == 0) {
				secrets = xreallocarray(secrets, nsecrets + 1,
				    sizeof *secrets);
				secrets[nsecrets].o = o;
				secrets[nsecrets++].value = xstrdup(optarg);
				memset(optarg, '*', strlen(optarg));
			}
			if ((o->flags & OPT_SECRET) ||
			    (pass == 0) != (strcmp(o->name, "config") == 0))
				continue;
			if (options_set(cfg, o, optarg, &cause) != 0)
				die_with(EXIT_USAGE, "", cause);
		}
		if (pass == 0) {
			for (i = 0; i < cfg->config_files.n; i++) {
				if (options_load_file(cfg,
				    cfg->config_files.v[i], &cause) != 0)
					die_cause(EXIT_USAGE, cause);
			}
		}
	}
	for (i = 0; i < nsecrets; i++) {
		if (options_set(cfg, secrets[i].o, secrets[i].value,
		    &cause) != 0)
			die_with(EXIT_USAGE, "", cause);
		explicit_bzero(secrets[i].value, strlen(secrets[i].value));
		free(secrets[i].value);
	}
	free(secrets);
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (main_looks_like_host(cfg, argv[i]))
			die(EXIT_USAGE, "'%s' looks like a host; give hosts "
			    "with -H or -i (arguments after the options are "
			    "OIDs)", redact_text(argv[i], sb, sizeof sb));
		strlist_add(&cfg->oids, argv[i]);
	}
	free(longs);
	free(shorts);
}

static void
main_plan_item(struct fetch_plan *plan, enum item_kind kind, const char *text)
{
	struct plan_item	*it = &plan->items[plan->nitems++];
	char			*cause;
	size_t			 len = strlen(text);

	it->kind = kind;
	it->text = xstrdup(text);
	if (oid_parse(text, &it->oid, &cause) != 0)
		die_with(EXIT_USAGE, "", cause);
	/* "ifEntry" names the entry; "ifTable" or a number names the table */
	it->entry = kind == ITEM_TABLE && len > 5 &&
	    strcmp(text + len - 5, "Entry") == 0;
}

/* Is o under a walk or table of plan? */
static bool
main_plan_covers(const struct fetch_plan *plan, const struct oid_text *o)
{
	const struct plan_item	*it;
	size_t			 i;

	for (i = 0; i < plan->nitems; i++) {
		it = &plan->items[i];
		if (it->kind != ITEM_GET && oid_is_prefix(it->oid.v,
		    it->oid.len, o->v, o->len))
			return true;
	}
	return false;
}

/* The plan's lookup columns or info objects, from names; a lookup column
 * no walk or table covers is walked too (poll adds the walks). */
static struct plan_label *
main_plan_labels(struct fetch_plan *plan, const struct strlist *names,
    bool poll, size_t *n)
{
	struct plan_label	*v = xcalloc(names->n + 1, sizeof *v);
	char			*cause;
	size_t			 i;

	for (i = 0; i < names->n; i++) {
		v[i].name = xstrdup(names->v[i]);
		if (oid_parse(names->v[i], &v[i].oid, &cause) != 0)
			die_with(EXIT_USAGE, "", cause);
		if (poll && !main_plan_covers(plan, &v[i].oid))
			main_plan_item(plan, ITEM_WALK, names->v[i]);
	}
	*n = names->n;
	return v;
}

/* The plan every target gets: the GET list (one item), then each walk,
 * then each table.  Without any of them, the system basics. */
static void
main_plan(struct run *r)
{
	struct config	*cfg = &r->cfg;
	char		*cause;
	size_t		 i, n;

	if (cfg->oids.n == 0 && cfg->walks.n == 0 && cfg->tables.n == 0) {
		for (i = 0; i < sizeof default_oids / sizeof *default_oids;
		    i++)
			strlist_add(&cfg->oids, default_oids[i]);
	}
	n = cfg->oids.n;
	r->plan.oids = xcalloc(n ? n : 1, sizeof *r->plan.oids);
	r->plan.noids = n;
	r->plan.max_oids = cfg->max_oids;
	r->plan.max_repetitions = cfg->max_repetitions;
	r->plan.per_target = cfg->per_target;
	r->plan.no_join = cfg->no_join;
	for (i = 0; i < n; i++) {
		if (oid_parse(cfg->oids.v[i], &r->plan.oids[i], &cause) != 0)
			die_with(EXIT_USAGE, "", cause);
		if (r->plan.oids[i].len < 2)
			die(EXIT_USAGE, "'%s' is a subtree, not an object to "
			    "GET: walk it with -w", cfg->oids.v[i]);
	}
	r->plan.items = xcalloc(1 + cfg->walks.n + cfg->tables.n +
	    cfg->labels.n, sizeof *r->plan.items);
	if (n != 0)
		r->plan.items[r->plan.nitems++].kind = ITEM_GET;
	for (i = 0; i < cfg->walks.n; i++)
		main_plan_item(&r->plan, ITEM_WALK, cfg->walks.v[i]);
	for (i = 0; i < cfg->tables.n; i++)
		main_plan_item(&r->plan, ITEM_TABLE, cfg->tables.v[i]);
	r->plan.metric_prefix = cfg->metric_prefix ? cfg->metric_prefix : "";
	r->plan.influx_unsigned = cfg->influx_unsigned;
	r->plan.labels = main_plan_labels(&r->plan, &cfg->labels, true,
	    &r->plan.nlabels);
	r->plan.info = main_plan_labels(&r->plan, &cfg->info, false,
	    &r->plan.ninfo);
}

/* Secrets in files others can read: say so (but go on). */
static void
main_warn_readable(const char *path)
{
	struct stat	st;

	if (path != NULL && strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    (st.st_mode & 077) != 0)
		log_msg(LOG_WARNING, "%s holds secrets but is readable by "
		    "group or others (chmod 600 %s)", path, path);
}

/* SNMPv3: one master key per credential set, now, before any fork; a
 * session (one descriptor) per target in flight. */
static void
main_v3_prepare(struct run *r)
{
	struct rlimit	 rl;
	char		*cause;
	size_t		 i;
	rlim_t		 need;

	for (i = 0; i < r->inv.nparams; i++) {
		if (usm_prepare(r->inv.params[i], &cause) != 0)
			die_with(EXIT_USAGE, "", cause);
	}
	if (!r->inv.has_v3)
		return;
	need = (rlim_t)r->cfg.concurrency + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need && r->cfg.adapt && rl.rlim_cur > 64 + 1) {
		/* an adaptive window: a lower ceiling will do */
		r->cfg.concurrency = (unsigned)(rl.rlim_cur - 64);
		return;
	}
	if (rl.rlim_cur < need)
		die(EXIT_USAGE, "--concurrency %u needs %llu file descriptors "
		    "for SNMPv3 sessions, but the limit is %llu (raise it "
		    "with ulimit -n, or lower -j)", r->cfg.concurrency,
		    (unsigned long long)need,
		    (unsigned long long)rl.rlim_max);
}

static void
main_targets(struct run *r)
{
	struct config		*cfg = &r->cfg;
	struct target_params	*defaults;
	FILE			*f;
	char			*cause, sb[REDACT_MAX];
	const char		*path;
	size_t			 i;
	int			 rc;

	if (options_target_params(cfg, &defaults, &cause) != 0)
		die_with(EXIT_USAGE, "", cause);
	inventory_init(&r->inv, defaults, cfg->port);
	r->inv.creds = cfg->creds;
	r->inv.ncreds = cfg->ncreds;
	r->inv.has_v3 = defaults->snmp_version == SNMP_VERSION_3;
	target_params_free(defaults);
	for (i = 0; i < cfg->hosts.n; i++) {
		if (inventory_add_spec(&r->inv, cfg->hosts.v[i], 0,
		    &cause) != 0) {
			log_msg(LOG_ERR, "--host %s: %s", redact_text(
			    cfg->hosts.v[i], sb, sizeof sb), cause);
			free(cause);
			exit(EXIT_USAGE);
		}
	}
	for (i = 0; i < cfg->inventories.n; i++) {
		path = cfg->inventories.v[i];
		if (strcmp(path, "-") == 0)
			f = stdin;
		else if ((f = fopen(path, "r")) == NULL)
			die(EXIT_USAGE, "%s: %s", path, strerror(errno));
		rc = inventory_load(&r->inv, f == stdin ? "(stdin)" : path, f,
		    &cause);
		if (f != stdin)
			fclose(f);
		if (rc != 0)
			die_cause(EXIT_USAGE, cause);
	}
	r->inv.family = cfg->ipv4 ? AF_INET : cfg->ipv6 ? AF_INET6 :
	    AF_UNSPEC;
	if (!cfg->allow_duplicates &&
	    dedup_inventory(&r->inv, &r->duplicates) != 0)
		die(EXIT_USAGE, "too many inventory entries to drop duplicates "
		    "(use --allow-duplicates)");
	if (r->inv.total == 0)
		die(EXIT_USAGE, "no targets: the inventory is empty");
	for (i = 0; i < cfg->secret_files.n; i++)
		main_warn_readable(cfg->secret_files.v[i]);
	if (r->inv.has_secrets) {
		for (i = 0; i < cfg->inventories.n; i++)
			main_warn_readable(cfg->inventories.v[i]);
	}
	if (tcp_prepare(&r->inv, cfg->concurrency, &cause) != 0) {
		log_msg(LOG_WARNING, "%s", cause);
		free(cause);
	}
	main_v3_prepare(r);
}

/* --shard K/N or auto/N (K from Kubernetes' or Slurm's array index). */
static void
main_shard(const struct config *cfg, unsigned *k, unsigned *n)
{
	const char	*spec = cfg->shard, *env, *min;
	char		*end;
	unsigned long	 kk, nn;

	*k = *n = 0;
	if (spec == NULL)
		return;
	if (strncmp(spec, "auto/", 5) == 0) {
		if ((env = getenv("JOB_COMPLETION_INDEX")) == NULL &&
		    (env = getenv("SLURM_ARRAY_TASK_ID")) == NULL)
			die(EXIT_USAGE, "--shard %s: neither JOB_COMPLETION_INDEX "
			    "nor SLURM_ARRAY_TASK_ID is set", spec);
		kk = strtoul(env, &end, 10);
		if (*env == '\0' || *end != '\0')
			die(EXIT_USAGE, "--shard %s: bad index '%s'", spec, env);
		min = getenv("SLURM_ARRAY_TASK_MIN");
		if (getenv("JOB_COMPLETION_INDEX") == NULL && min != NULL)
			kk -= strtoul(min, NULL, 10);
		spec += 5;
	} else {
		kk = strtoul(spec, &end, 10);
		if (end == spec || *end != '/')
			die(EXIT_USAGE, "--shard %s: expected K/N", cfg->shard);
		spec = end + 1;
	}
	nn = strtoul(spec, &end, 10);
	if (*spec == '\0' || *end != '\0' || nn == 0 || nn > 65536 ||
	    kk >= nn)
		die(EXIT_USAGE, "--shard %s: expected K/N with 0 <= K < N <= "
		    "65536", cfg->shard);
	*k = (unsigned)kk;
	*n = (unsigned)nn;
}

/* How many of the inventory's targets this run polls (all, or its
 * shard's: that costs one hash per target, once). */
static uint64_t
main_count_targets(const struct inventory *inv, unsigned k, unsigned n)
{
	struct target	t;
	uint64_t	i, count = 0;

	if (n == 0)
		return inv->total;
	for (i = 0; i < inv->total; i++) {
		inventory_get(inv, i, &t);
		count += inventory_shard(&t, n) == k;
	}
	return count;
}

static int
main_exit_status(const struct pool *p, const struct stats *st)
{
	if (p->signo != 0)
		return 128 + p->signo;
	if (p->write_error != 0)
		return EXIT_OUTPUT;
	if (st->deadline != 0)
		return EXIT_DEADLINE;
	if (p->write_error != 0 || st->ok != p->targets)
		return EXIT_SOME_FAILED;
	return 0;
}

/* A worker died before its time: how, in the words tests look for. */
static void
main_worker_lost(const struct pool_event *ev)
{
	char	how[128];

	if (ev->kind == POOL_EV_STOPPED)
		snprintf(how, sizeof how, "was stopped by a signal sent to it "
		    "alone");
	else if (ev->kind == POOL_EV_KILLED)
		snprintf(how, sizeof how, "was killed by signal %d (%s)",
		    ev->code, strsignal(ev->code));
	else
		snprintf(how, sizeof how, "exited with status %d", ev->code);
	log_msg(LOG_ERR, "worker %u (pid %ld) %s; its unfinished targets will "
	    "be polled again", ev->worker, ev->pid, how);
}

/*
 * What happened to the pool's workers, said the way it always was (tests
 * look for these words).  Runs in a worker too, for its setup failure.
 */
static void
main_pool_event(void *arg, const struct pool_event *ev)
{
	switch (ev->kind) {
	case POOL_EV_SETUP:
		log_msg(LOG_ERR, "%s", ev->cause);
		break;
	case POOL_EV_STOPPED:
	case POOL_EV_KILLED:
	case POOL_EV_EXITED:
		main_worker_lost(ev);
		break;
	case POOL_EV_OVERDUE:
		log_msg(LOG_WARNING, "worker %u (pid %ld) overran the "
		    "run's deadline and was stopped; its targets get "
		    "status deadline", ev->worker, ev->pid);
		break;
	case POOL_EV_GIVING_UP:
		log_msg(LOG_ERR, "giving up on %llu targets after %u "
		    "rounds of worker failures",
		    (unsigned long long)ev->targets, ev->rounds);
		break;
	case POOL_EV_AGAIN:
		log_msg(LOG_WARNING, "polling %llu unfinished targets again",
		    (unsigned long long)ev->targets);
		break;
	}
}

/* The run's one-line summary: a warning if it was cut short or failed. */
static void
main_summary(const struct report *rep)
{
	struct buf	b;

	buf_init(&b);
	report_summary(rep, &b);
	log_msg(rep->signo || rep->exit_status > 1 ? LOG_WARNING : LOG_INFO,
	    "%s", buf_cstr(&b));
	buf_free(&b);
	if (rep->st.kernel_drops != 0)
		log_msg(LOG_WARNING, "the kernel dropped %llu answers on our "
		    "socket (its receive buffer was full): raise "
		    "net.core.rmem_max (or --recv-buffer), or lower -j",
		    (unsigned long long)rep->st.kernel_drops);
}

/* engineIDs that more than one target of the run reported: USM keys and
 * engine time are per engineID, so clones can answer for each other. */
static void
main_engine_warnings(const struct pool_shared *shm)
{
	struct tr_notes	*notes, *e;
	struct buf	 hex;
	size_t		 i, k, n = pool_notes(shm, &notes);

	buf_init(&hex);
	for (i = 0; i < n; i++) {
		e = &notes[i];
		if (e->engine_count < 2)
			continue;
		hex.len = 0;
		for (k = 0; k < e->engine_len; k++)
			buf_printf(&hex, "%02x", e->engine[k]);
		log_msg(LOG_WARNING, "engineID 0x%s was reported by %llu "
		    "targets (first %s): they share one engine's boots and "
		    "time, as with a cloned configuration", buf_cstr(&hex),
		    (unsigned long long)e->engine_count, e->engine_first);
	}
	buf_free(&hex);
	free(notes);
}

static void
main_pool_setup(struct run *r, struct pool *p)
{
	long	ncpu;

	memset(p, 0, sizeof *p);
	p->cfg = &r->cfg;
	p->inv = &r->inv;
	p->plan = &r->plan;
	p->fmt = r->fmt;
	p->out = &r->w;
	p->shm = r->pshm;
	p->event = main_pool_event;
	p->event_arg = r;
	main_shard(&r->cfg, &p->shard_k, &p->shard_n);
	p->targets = main_count_targets(&r->inv, p->shard_k, p->shard_n);
	p->procs = r->cfg.procs;
	if (p->procs == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		p->procs = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (p->procs > p->targets)
		p->procs = p->targets ? (unsigned)p->targets : 1;
	progress_setup(&r->progress, &r->w, r->cfg.progress, p->targets);
	p->progress = &r->progress;
}

static double
main_cpu_seconds(void)
{
	struct rusage	self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec +
	    kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	    (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

/* Poll the inventory once; what it gave goes into rep. */
static void
main_poll(struct run *r, struct pool *p, struct report *rep)
{
	struct timespec	 ts;
	char		*cause;

	memset(rep, 0, sizeof *rep);
	clock_gettime(CLOCK_REALTIME, &ts);
	rep->start_wall_ns = (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec;
	p->deadline_ns = 0;
	if (r->cfg.deadline > 0)
		p->deadline_ns = clock_now_ns() +
		    (uint64_t)(r->cfg.deadline * 1e9);
	if (pool_run(p, &cause) != 0)
		die_with(1, "", cause);
	main_engine_warnings(r->pshm);
	writer_stats(&r->w, &rep->st);
	rep->torn = writer_torn(r->wshm);
	rep->repaired = writer_repaired(r->wshm);
	rep->out_errno = p->write_error;
	rep->targets = p->targets;
	rep->duplicates = r->duplicates;
	rep->wall = (double)(clock_now_ns() - p->start_ns) / 1e9;
	rep->signo = p->signo;
	rep->procs = p->procs;
	rep->exit_status = main_exit_status(p, &rep->st);
}

/* --state: the new state in place of the old, unless the run was
 * interrupted (the old one stays). */
static void
main_state_finish(struct run *r, const struct pool *p, struct report *rep)
{
	char	*cause;

	if (r->rates == NULL)
		return;
	if (p->state_lost != 0 && rep->signo == 0)
		log_msg(LOG_WARNING, "--state %s: %u worker(s) could not write "
		    "their share; their targets keep the previous state",
		    r->cfg.state, p->state_lost);
	if (rates_finish(r->rates, rep->signo != 0, &cause) != 0) {
		log_msg(LOG_ERR, "--state %s", cause);
		free(cause);
		if (rep->exit_status == 0)
			rep->exit_status = EXIT_SOME_FAILED;
	} else if (r->cfg.changes != NULL && rep->signo == 0)
		rates_event_counts(r->rates, rep->events);
	rep->changes = r->cfg.changes != NULL;
}

static int
main_run(struct run *r)
{
	struct pool	 p;
	struct report	 rep;
	char		*cause;

	main_pool_setup(r, &p);
	main_poll(r, &p, &rep);
	main_state_finish(r, &p, &rep);
	if (out_finish(r->fmt, &rep, &cause) != 0) {
		log_msg(LOG_ERR, "%s", cause);
		rep.exit_status = EXIT_SOME_FAILED;
	}
	if (!r->cfg.quiet || p.signo != 0)
		main_summary(&rep);
	if (rep.repaired != 0)
		log_msg(LOG_WARNING, "cut %llu bytes of a record torn by a "
		    "killed writer from the end of %s", (unsigned long long)
		    rep.repaired, r->cfg.output ? r->cfg.output : "the output");
	if (rep.torn != 0)
		log_msg(LOG_WARNING, "%llu records larger than %d bytes were "
		    "torn on the pipe or terminal by a killed worker (each "
		    "ended with a newline, and polled again)",
		    (unsigned long long)rep.torn, PIPE_BUF);
	if (p.write_error != 0 && p.write_error != EPIPE)
		log_msg(LOG_ERR, "output failed: %s: %s; the run stopped "
		    "after %llu whole records", r->cfg.output ?
		    r->cfg.output : "standard output", strerror(p.write_error),
		    (unsigned long long)rep.st.targets_done);
	if (r->cfg.stats_file != NULL &&
	    report_stats_file(&rep, r->cfg.stats_file, &cause) != 0)
		log_msg(LOG_ERR, "--stats-file %s", cause);
	return rep.exit_status;
}

/* One level of a sweep: the whole inventory polled from scratch, its
 * figures in row.  Returns the signal that interrupted it, or 0. */
static int
main_sweep_level(struct run *r, double level, struct sweep_row *row)
{
	struct pool	 p;
	struct report	 rep;
	double		 cpu;

	if (r->cfg.sweep) {
		r->cfg.concurrency = (unsigned)level;
		r->cfg.adapt = false;	/* each level as it is */
	} else
		r->cfg.rate = level;
	pool_shared_reset(r->pshm);
	writer_shared_reset(r->wshm);
	main_pool_setup(r, &p);
	cpu = main_cpu_seconds();
	main_poll(r, &p, &rep);
	sweep_row_fill(row, level, &rep, main_cpu_seconds() - cpu);
	if (!r->cfg.quiet)
		log_msg(LOG_INFO, "sweep %s %g: %llu targets in %.3f s, "
		    "%.0f targets/s, p95 %.3f ms, %.2f%% timeouts",
		    r->cfg.sweep ? "concurrency" : "rate", level,
		    (unsigned long long)rep.targets, rep.wall, row->tps,
		    row->p95, row->timeout_pct);
	return p.signo;
}

/* --sweep auto: levels chosen as the runs go (sweep_auto_next), kept in
 * order of level; *n of them.  Returns the signal that stopped it, or 0. */
static int
main_sweep_auto(struct run *r, struct sweep_row **rows, size_t *n)
{
	struct sweep_row	 row;
	double			 level, max = CONCURRENCY_AUTO * 4;
	int			 signo = 0;

	if (r->inv.total < max)
		max = r->inv.total > 0 ? (double)r->inv.total : 1;
	*rows = NULL;
	*n = 0;
	while ((level = sweep_auto_next(*rows, *n, max)) > 0) {
		signo = main_sweep_level(r, level, &row);
		*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
		sweep_insert(*rows, (*n)++, &row);
		if (signo != 0)
			break;
	}
	return signo;
}

/*
 * --sweep / --sweep-rate: poll the whole inventory once per level, from
 * scratch each time, and compare the levels (--sweep auto: choose them).
 */
static int
main_sweep(struct run *r)
{
	struct sweep_row	*rows;
	struct buf		 b;
	const char		*what = r->cfg.sweep ? "concurrency" : "rate";
	bool			 autolevels;
	double			*levels = NULL;
	char			*cause;
	size_t			 n, i, best;
	int			 signo = 0;

	autolevels = r->cfg.sweep != NULL && strcmp(r->cfg.sweep, "auto") == 0;
	if (autolevels)
		signo = main_sweep_auto(r, &rows, &n);
	else {
		if (sweep_parse_levels(r->cfg.sweep ? r->cfg.sweep :
		    r->cfg.sweep_rate, &levels, &n, &cause) != 0)
			die_with(EXIT_USAGE, "", cause);
		rows = xcalloc(n, sizeof *rows);
		for (i = 0; i < n && signo == 0; i++)
			signo = main_sweep_level(r, levels[i], &rows[i]);
		n = i;
	}
	best = sweep_best(rows, n);
	buf_init(&b);
	sweep_table(&b, rows, n, what, best);
	if (autolevels)
		sweep_advice(&b, rows, n, best);
	fputs(buf_cstr(&b), stdout);
	fflush(stdout);
	buf_free(&b);
	if (r->cfg.sweep_csv != NULL &&
	    sweep_csv(r->cfg.sweep_csv, rows, n, what, &cause) != 0)
		die_with(1, "--sweep-csv ", cause);
	if (r->cfg.sweep_svg != NULL &&
	    sweep_svg(r->cfg.sweep_svg, rows, n, what, best, &cause) != 0)
		die_with(1, "--sweep-svg ", cause);
	free(rows);
	free(levels);
	return signo != 0 ? 128 + signo : 0;
}

/*
 * Standard input, output and error closed by whoever started us would be
 * taken by the first files we open (the lock file would get the
 * records, libuv asserts on its own descriptors): put /dev/null there
 * before anything is opened.  Nothing can be said if it fails.
 */
static void
main_std_fds(void)
{
	int	fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			_exit(EXIT_USAGE);
	}
}

/*
 * Passphrases and communities are in memory from the start (the
 * environment, argv): no core dump may hold them, and no other process
 * of the user may read our memory.  SNMPFLEET_CORE_DUMPS=1 keeps core
 * dumps for debugging.
 */
static void
main_no_core(void)
{
	struct rlimit	 rl = { 0, 0 };
	const char	*keep = getenv("SNMPFLEET_CORE_DUMPS");

	if (keep != NULL && strcmp(keep, "1") == 0)
		return;
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* --describe OBJECT: what mib.c knows about it, on stdout. */
static int
main_describe(struct config *cfg)
{
	struct buf	 b;
	char		*cause;

	buf_init(&b);
	if (mib_describe(cfg->describe, &b, &cause) != 0)
		die_with(EXIT_USAGE, "--describe: ", cause);
	fputs(buf_cstr(&b), stdout);
	buf_free(&b);
	options_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	struct run		 r;
	struct buf		 b;
	char			*cause;
	int			 status, rc;

	main_std_fds();
	main_no_core();
	memset(&r, 0, sizeof r);
	options_init(&r.cfg);
	main_options(&r.cfg, argc, argv);
	if (r.cfg.echo_config) {
		buf_init(&b);
		options_echo(&r.cfg, &b);
		fputs(buf_cstr(&b), stdout);
		buf_free(&b);
		options_free(&r.cfg);
		return 0;
	}
	log_open(r.cfg.syslog);
	log_netsnmp(r.cfg.quiet);
	if (options_finish(&r.cfg, &cause) != 0)
		die_with(EXIT_USAGE, "", cause);

	/* -O without -m/-M: net-snmp's default MIBs, as snmpget reads */
	if (r.cfg.output_options == NULL || r.cfg.mibs != NULL ||
	    r.cfg.mibdirs != NULL)
		mib_prepare(r.cfg.mibs, r.cfg.mibdirs);
	oid_init_netsnmp(r.cfg.output_options);
	if (mib_load(r.cfg.mibs, r.cfg.mibdirs, &cause) != 0)
		die_with(EXIT_USAGE, "", cause);
	if (r.cfg.describe != NULL)
		return main_describe(&r.cfg);
	main_plan(&r);
	main_targets(&r);

	if (r.cfg.lock != NULL && (rc = lock_take(r.cfg.lock, &cause)) != 0)
		die_with(rc > 0 ? EXIT_LOCKED : EXIT_USAGE, "", cause);
	signal(SIGPIPE, SIG_IGN);
	if ((r.pshm = pool_shared_create(r.inv.total, &cause)) == NULL ||
	    (r.wshm = writer_shared_create(&cause)) == NULL)
		die_with(1, "", cause);
	if (r.cfg.sweep != NULL && r.cfg.sweep_rate != NULL)
		die(EXIT_USAGE, "--sweep and --sweep-rate go one at a time");
	if ((r.cfg.sweep || r.cfg.sweep_rate) && (r.cfg.output == NULL ||
	    strcmp(r.cfg.output, "-") == 0)) {
		free(r.cfg.output);	/* a load test: records only to -o FILE */
		r.cfg.output = xstrdup("/dev/null");
	}
	if (r.cfg.state != NULL && (r.cfg.sweep || r.cfg.sweep_rate))
		die(EXIT_USAGE, "--state and a sweep go one at a time (a "
		    "sweep polls everything once per level)");
	if (r.cfg.changes != NULL && r.cfg.state == NULL)
		die(EXIT_USAGE, "--changes needs --state (events compare a run "
		    "with the last one)");
	if (r.cfg.state != NULL && rates_open(r.cfg.state, r.cfg.state_reset,
	    r.cfg.max_rate_interval, &r.rates, &cause) != 0)
		die_with(EXIT_USAGE, "--state ", cause);
	if (r.rates != NULL && rates_events(r.rates, r.cfg.changes,
	    r.cfg.vanish_after, r.cfg.fingerprint, &cause) != 0)
		die_with(EXIT_USAGE, "", cause);
	if ((r.fmt = out_open(r.cfg.format, &r.plan, r.cfg.output,
	    &cause)) == NULL)
		die_with(EXIT_USAGE, "", cause);
	r.fmt->rates = r.rates;
	if ((r.cfg.sweep || r.cfg.sweep_rate) && out_stages(r.fmt))
		die(EXIT_USAGE, "-F %s turns one run's records into its output; "
		    "a sweep writes every level's records (use jsonl, csv, "
		    "influx or text)", out_name(r.cfg.format));
	if (writer_open(&r.w, r.wshm, pool_shared_done(r.pshm),
	    out_records_path(r.fmt), r.fmt, &cause) != 0)
		die_with(EXIT_USAGE, "cannot write output: ", cause);
	if ((r.cfg.dump || r.cfg.dump_file != NULL) &&
	    writer_dump_open(&r.w, r.cfg.dump_file, &cause) != 0)
		die_with(EXIT_USAGE, "cannot write --dump-file: ", cause);

	status = r.cfg.sweep || r.cfg.sweep_rate ? main_sweep(&r) :
	    main_run(&r);

	writer_close(&r.w);
	out_close(r.fmt);
	rates_close(r.rates);
	writer_shared_destroy(r.wshm);
	pool_shared_destroy(r.pshm);
	inventory_free(&r.inv);
	free(r.plan.oids);
	for (size_t i = 0; i < r.plan.nitems; i++)
		free(r.plan.items[i].text);
	free(r.plan.items);
	for (size_t i = 0; i < r.plan.nlabels; i++)
		free(r.plan.labels[i].name);
	for (size_t i = 0; i < r.plan.ninfo; i++)
		free(r.plan.info[i].name);
	free(r.plan.labels);
	free(r.plan.info);
	options_free(&r.cfg);
	return status;
}
