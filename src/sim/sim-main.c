/*
 * sim-main.c — snmpfleet-sim's front end: the options (one sorted table
 * that drives getopt_long and --help), signals, the worker threads, the
 * counters report and the exit status.  The only sim file that prints
 * usage errors or exits: 0 on a clean stop (SIGINT, SIGTERM, --duration),
 * 1 when the port cannot be bound, 2 on a bad option.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "sim.h"

enum sim_opt_id {
	OPT_BENCH_CODEC = 256,
	OPT_CLOCK_START,
	OPT_COUNTER_RATE,
	OPT_COUNTER_RESET,
	OPT_COUNTER_START,
	OPT_DEAD,
	OPT_DEAD_LIST,
	OPT_DURATION,
	OPT_INTERFACES,
	OPT_LATENCY,
	OPT_LOSS,
	OPT_MAX_SIZE,
	OPT_PRINT_DEAD,
	OPT_RESTARTED,
	OPT_SEED,
	OPT_SLOW,
	OPT_SWAPPED,
	OPT_TABLES,
};

struct sim_opt {
	const char	*name;
	int		 id;		/* short letter or OPT_* */
	const char	*arg;		/* NULL: a flag */
	const char	*help;
};

/* Sorted by name; --help lists them in this order. */
static const struct sim_opt sim_opts[] = {
	{ "bench-codec", OPT_BENCH_CODEC, "N", "time N encode+decode rounds "
	  "of this codec and net-snmp's, print ns per request, and exit" },
	{ "clock-start", OPT_CLOCK_START, "SECONDS", "the sim's clock (uptimes, "
	  "counters) starts at SECONDS: a later sim continues an earlier "
	  "one [0]" },
	{ "community", 'c', "STRING", "the v1/v2c community; requests with "
	  "another are dropped [public]" },
	{ "counter-rate", OPT_COUNTER_RATE, "R", "interface i's in octets grow "
	  "R*i per second, its out octets 2*R*i [a rate per interface]" },
	{ "counter-reset", OPT_COUNTER_RESET, "ADDR,...", "these devices' "
	  "interface counters were cleared when this sim started (sysUpTime "
	  "goes on): counters from 0, ifCounterDiscontinuityTime then [none]" },
	{ "counter-start", OPT_COUNTER_START, "N", "every interface's in and "
	  "out octets are N at clock 0 [a value per interface]" },
	{ "dead", OPT_DEAD, "PCT", "this share of addresses (a fixed set, "
	  "chosen by hash) never answers [0]" },
	{ "dead-list", OPT_DEAD_LIST, "ADDR,...", "these addresses and "
	  "networks (ADDR/BITS) never answer [none]" },
	{ "duration", OPT_DURATION, "SECONDS", "exit by itself after SECONDS "
	  "(0: run until signalled) [0]" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ "interfaces", OPT_INTERFACES, "K", "rows in ifTable and ifXTable "
	  "of every device [4]" },
	{ "latency", OPT_LATENCY, "MS[:JITTER]", "hold every reply MS "
	  "milliseconds, plus or minus up to JITTER [0]" },
	{ "listen", 'l', "ADDR", "address to bind; 0.0.0.0 answers as every "
	  "127.x.y.z [0.0.0.0]" },
	{ "loss", OPT_LOSS, "PCT", "drop this share of requests at random "
	  "(see --seed) [0]" },
	{ "max-size", OPT_MAX_SIZE, "BYTES", "largest response; larger ones "
	  "are tooBig (GETBULK: truncated) [1472]" },
	{ "port", 'p', "N", "UDP port to listen on (required; 0: any free "
	  "port, printed at start)" },
	{ "print-dead", OPT_PRINT_DEAD, NULL, "read addresses from standard "
	  "input, print those --dead or --dead-list makes dead, and exit" },
	{ "quiet", 'q', NULL, "print nothing at start and exit, only errors "
	  "(SIGUSR1 still prints the counters)" },
	{ "restarted", OPT_RESTARTED, "ADDR,...", "these devices booted when "
	  "this sim started: small sysUpTime, counters from 0 [none]" },
	{ "seed", OPT_SEED, "N", "seed for --loss and latency jitter [1]" },
	{ "slow", OPT_SLOW, "PCT:MS", "this share of addresses (chosen by "
	  "hash) answers MS milliseconds later [0:0]" },
	{ "swapped", OPT_SWAPPED, "ADDR,...", "these devices were replaced: "
	  "another model (sysDescr, sysObjectID) and serial [none]" },
	{ "tables", OPT_TABLES, "SIZE", "none, small or full: the IP, bridge, "
	  "LLDP and host resources tables, and their size [small]" },
	{ "threads", 't', "N", "threads, each with its own socket "
	  "(SO_REUSEPORT) [1]" },
	{ "version", 'V', NULL, "print the program's version and exit" },
};
#define SIM_NOPTS (sizeof sim_opts / sizeof sim_opts[0])

struct sim_args {
	struct sim_config	 cfg;
	const char		*listen;
	long			 port;		/* -1: not given */
	double			 duration;
	bool			 quiet;
	bool			 print_dead;
	unsigned long		 bench;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
sim_usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", SIM_PROGRAM);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", SIM_PROGRAM);
	exit(2);
}

static void __attribute__((noreturn))
sim_usage(void)
{
	char	 left[40];
	size_t	 i;

	printf("usage: %s --port N [options]\n"
	    "A simulated fleet of SNMP v1/v2c agents on one UDP port: every "
	    "address the\nrequests are sent to is a distinct device.\n\n",
	    SIM_PROGRAM);
	for (i = 0; i < SIM_NOPTS; i++) {
		const struct sim_opt *o = &sim_opts[i];

		snprintf(left, sizeof left, "%c%c%c --%s%s%s",
		    o->id < 256 ? '-' : ' ', o->id < 256 ? o->id : ' ',
		    o->id < 256 ? ',' : ' ', o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		printf("  %-28s %s\n", left, o->help);
	}
	printf("\nSIGUSR1 prints the counters; SIGINT and SIGTERM stop it "
	    "(exit 0).\nExit: 0 stopped, 1 cannot listen, 2 bad option.  "
	    "See snmpfleet-sim(1).\n");
	exit(0);
}

static double
sim_arg_number(const char *opt, const char *s, double lo, double hi)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || isnan(v) || v < lo ||
	    v > hi)
		sim_usage_error("--%s: '%s' is not a number from %g to %g",
		    opt, s, lo, hi);
	return v;
}

static unsigned long
sim_arg_count(const char *opt, const char *s, unsigned long lo,
    unsigned long hi)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi)
		sim_usage_error("--%s: '%s' is not a whole number from %lu "
		    "to %lu", opt, s, lo, hi);
	return v;
}

/* "A:B" into two numbers (B optional when may_omit); ms to ns. */
static void
sim_arg_pair(const char *opt, const char *s, double alo, double ahi,
    bool may_omit, double *a, double *b)
{
	char	*copy = xstrdup(s), *colon = strchr(copy, ':');

	if (colon == NULL && !may_omit)
		sim_usage_error("--%s: '%s' is not PCT:MS", opt, s);
	if (colon != NULL)
		*colon++ = '\0';
	*a = sim_arg_number(opt, copy, alo, ahi);
	*b = colon == NULL ? 0 : sim_arg_number(opt, colon, 0, 3600000);
	free(copy);
}

/* --tables: none, small or full. */
static enum sim_tables
sim_arg_tables(const char *opt, const char *s)
{
	static const char *const names[] = { "none", "small", "full" };
	size_t			 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0)
			return (enum sim_tables)i;
	}
	sim_usage_error("--%s: '%s' is not none, small or full", opt, s);
}

/* A list option: add v's addresses and networks to l. */
static void
sim_arg_list(const char *opt, const char *v, struct sim_addr_list *l)
{
	if (sim_addr_list_add(l, v) != 0)
		sim_usage_error("--%s: '%s' is not a list of addresses and "
		    "networks (ADDR or ADDR/BITS, separated by commas)", opt, v);
}

/* The options that shape the devices' history (sim-device.c). */
static void
sim_set_state(int id, const char *name, const char *v)
{
	struct sim_state	*st = &sim_state;

	switch (id) {
	case OPT_CLOCK_START:
		st->clock_start = 100 * sim_arg_count(name, v, 0, 1000000000);
		break;
	case OPT_COUNTER_RATE:
		st->has_rate = true;
		st->counter_rate = sim_arg_count(name, v, 0, 10000000000UL);
		break;
	case OPT_COUNTER_START:
		st->has_start = true;
		st->counter_start = sim_arg_count(name, v, 0, ULONG_MAX);
		break;
	case OPT_RESTARTED:
		sim_arg_list(name, v, &st->restarted);
		break;
	case OPT_COUNTER_RESET:
		sim_arg_list(name, v, &st->cleared);
		break;
	case OPT_SWAPPED:
		sim_arg_list(name, v, &st->swapped);
		break;
	}
}

static void
sim_set_option(struct sim_args *a, int id, const char *name, const char *v)
{
	struct sim_faults	*f = &a->cfg.faults;
	double			 x, y;

	switch (id) {
	case OPT_BENCH_CODEC:
		a->bench = sim_arg_count(name, v, 1, 1000000000);
		break;
	case 'c':
		a->cfg.community = v;
		a->cfg.communitylen = strlen(v);
		if (a->cfg.communitylen > 255)
			sim_usage_error("--community: longer than 255 bytes");
		break;
	case OPT_DEAD:
		f->dead_pct = sim_arg_number(name, v, 0, 100);
		break;
	case OPT_DEAD_LIST:
		sim_arg_list(name, v, &f->dead_list);
		break;
	case OPT_DURATION:
		a->duration = sim_arg_number(name, v, 0, 1e9);
		break;
	case OPT_INTERFACES:
		a->cfg.interfaces = (unsigned)sim_arg_count(name, v, 0, 100000);
		break;
	case OPT_LATENCY:
		sim_arg_pair(name, v, 0, 3600000, true, &x, &y);
		f->latency_ns = (uint64_t)(x * 1e6);
		f->jitter_ns = (uint64_t)(y * 1e6);
		break;
	case 'l':
		a->listen = v;
		break;
	case OPT_LOSS:
		f->loss_pct = sim_arg_number(name, v, 0, 100);
		break;
	case OPT_MAX_SIZE:
		a->cfg.max_size = sim_arg_count(name, v, 484, SIM_MAX_UDP);
		break;
	case 'p':
		a->port = (long)sim_arg_count(name, v, 0, 65535);
		break;
	case OPT_PRINT_DEAD:
		a->print_dead = true;
		break;
	case 'q':
		a->quiet = true;
		break;
	case OPT_SEED:
		f->seed = sim_arg_count(name, v, 0, ULONG_MAX);
		break;
	case OPT_SLOW:
		sim_arg_pair(name, v, 0, 100, false, &x, &y);
		f->slow_pct = x;
		f->slow_ns = (uint64_t)(y * 1e6);
		break;
	case OPT_TABLES:
		a->cfg.tables = sim_arg_tables(name, v);
		break;
	case 't':
		a->cfg.threads = (unsigned)sim_arg_count(name, v, 1, 256);
		break;
	default:
		sim_set_state(id, name, v);
		break;
	}
}

static void
sim_parse_args(struct sim_args *a, int argc, char **argv)
{
	struct option	 lopts[SIM_NOPTS + 1];
	char		 shorts[2 * SIM_NOPTS + 2], *sp = shorts;
	size_t		 i;
	int		 c, li;

	memset(lopts, 0, sizeof lopts);
	*sp++ = ':';
	for (i = 0; i < SIM_NOPTS; i++) {
		lopts[i].name = sim_opts[i].name;
		lopts[i].has_arg = sim_opts[i].arg ? required_argument :
		    no_argument;
		lopts[i].val = sim_opts[i].id;
		if (sim_opts[i].id < 256) {
			*sp++ = (char)sim_opts[i].id;
			if (sim_opts[i].arg)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &li)) != -1) {
		if (c == 'h')
			sim_usage();
		if (c == 'V') {
			printf("%s %s\n", SIM_PROGRAM, PACKAGE_VERSION);
			exit(0);
		}
		if (c == ':')
			sim_usage_error("%s needs a value", argv[optind - 1]);
		if (c == '?')
			sim_usage_error("unknown option '%s'",
			    argv[optind - 1]);
		for (i = 0; i < SIM_NOPTS && sim_opts[i].id != c; i++)
			;
		sim_set_option(a, c, sim_opts[i].name, optarg);
	}
	if (optind < argc)
		sim_usage_error("unexpected argument '%s'", argv[optind]);
}

/* --print-dead: the dead addresses among those on standard input. */
static int
sim_print_dead(const struct sim_faults *f)
{
	char		 line[512], *w;
	struct sim_addr	 a;
	unsigned long	 n = 0;

	while (fgets(line, sizeof line, stdin) != NULL) {
		n++;
		w = line + strspn(line, " \t");
		w[strcspn(w, " \t\r\n#")] = '\0';
		if (*w == '\0')
			continue;
		if (sim_addr_parse(w, &a) != 0) {
			fprintf(stderr, "%s: stdin:%lu: not an address: %s\n",
			    SIM_PROGRAM, n, w);
			return 2;
		}
		if (sim_fault_dead(f, &a))
			printf("%s\n", w);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Open one socket per thread (after checking nobody holds the port). */
static int
sim_open_sockets(struct sim_args *a, struct sim_worker *w, char **cause)
{
	unsigned	 i;
	bool		 reuse = a->cfg.threads > 1;

	if (reuse && sim_net_probe(&a->cfg.listen, cause) != 0)
		return -1;
	for (i = 0; i < a->cfg.threads; i++) {
		w[i].fd = sim_net_open(&a->cfg.listen, reuse, cause);
		if (w[i].fd == -1)
			return -1;
		if (i == 0 && !reuse) {
			a->cfg.listen.sslen = sizeof a->cfg.listen.ss;
			getsockname(w[0].fd,
			    (struct sockaddr *)&a->cfg.listen.ss,
			    &a->cfg.listen.sslen);
		}
	}
	if (reuse)
		sim_net_spread(w[0].fd, a->cfg.listen.family, a->cfg.threads);
	return 0;
}

struct sim_run {
	struct sim_args		*a;
	struct sim_worker	*w;
	uint64_t		 last_answered;
	uint64_t		 last_ns;
};

static void
sim_report(struct sim_run *r, FILE *f)
{
	uint64_t	 c[SIM_C_COUNT], now = clock_now_ns();
	unsigned	 i;

	memset(c, 0, sizeof c);
	for (i = 0; i < r->a->cfg.threads; i++)
		sim_counters_sum(&r->w[i].counters, c);
	sim_stats_report(f, c, (double)(now - sim_start_ns) / 1e9,
	    c[SIM_C_ANSWERED] - r->last_answered,
	    (double)(now - r->last_ns) / 1e9);
	r->last_answered = c[SIM_C_ANSWERED];
	r->last_ns = now;
}

/* Wait for signals (and --duration) until it is time to stop. */
static void
sim_wait(struct sim_run *r, const sigset_t *set)
{
	struct timespec	 ts;
	uint64_t	 end = 0, now;
	int		 sig;

	if (r->a->duration > 0)
		end = sim_start_ns + (uint64_t)(r->a->duration * 1e9);
	for (;;) {
		if (end != 0) {
			if ((now = clock_now_ns()) >= end)
				return;
			ts.tv_sec = (time_t)((end - now) / 1000000000);
			ts.tv_nsec = (long)((end - now) % 1000000000);
			sig = sigtimedwait(set, NULL, &ts);
		} else
			sig = sigwaitinfo(set, NULL);
		if (sig == SIGUSR1)
			sim_report(r, stderr);
		else if (sig > 0)
			return;
	}
}

static int
sim_run(struct sim_args *a)
{
	struct sim_worker	*w;
	struct sim_run		 r;
	_Atomic int		 stop = 0;
	sigset_t		 set;
	pthread_t		*tids;
	char			*cause = NULL, where[80];
	int			 pipefd[2], rc = 0;
	unsigned		 i;

	w = xcalloc(a->cfg.threads, sizeof *w);
	tids = xcalloc(a->cfg.threads, sizeof *tids);
	for (i = 0; i < a->cfg.threads; i++)
		w[i].fd = -1;
	if (sim_open_sockets(a, w, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", SIM_PROGRAM, cause);
		return 1;
	}
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		fprintf(stderr, "%s: pipe: %s\n", SIM_PROGRAM, strerror(errno));
		return 1;
	}
	/* a shell starts background jobs with SIGINT ignored, and an
	 * ignored signal is never pending for sigwait: take them back */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < a->cfg.threads; i++) {
		w[i].cfg = &a->cfg;
		w[i].index = i;
		w[i].stop_fd = pipefd[0];
		w[i].stop = &stop;
		if (pthread_create(&tids[i], NULL, sim_worker_run,
		    &w[i]) != 0) {
			fprintf(stderr, "%s: cannot start a thread\n",
			    SIM_PROGRAM);
			exit(1);
		}
	}
	sim_listen_text(&a->cfg.listen, where, sizeof where);
	if (!a->quiet) {
		fprintf(stderr, "%s: listening on %s (%u thread%s, %u "
		    "interfaces, community '%s')\n", SIM_PROGRAM, where,
		    a->cfg.threads, a->cfg.threads == 1 ? "" : "s",
		    a->cfg.interfaces, a->cfg.community);
		fflush(stderr);
	}
	memset(&r, 0, sizeof r);
	r.a = a;
	r.w = w;
	r.last_ns = sim_start_ns;
	sim_wait(&r, &set);
	atomic_store(&stop, 1);
	if (write(pipefd[1], "x", 1) == -1)
		rc = 1;
	for (i = 0; i < a->cfg.threads; i++) {
		pthread_join(tids[i], NULL);
		if (w[i].error != NULL) {
			fprintf(stderr, "%s: thread %u: %s\n", SIM_PROGRAM, i,
			    w[i].error);
			rc = 1;
		}
		close(w[i].fd);
	}
	if (!a->quiet)
		sim_report(&r, stderr);
	close(pipefd[0]);
	close(pipefd[1]);
	free(w);
	free(tids);
	return rc;
}

int
main(int argc, char **argv)
{
	struct sim_args	 a;
	char		*cause;

	memset(&a, 0, sizeof a);
	a.listen = "0.0.0.0";
	a.port = -1;
	a.cfg.community = "public";
	a.cfg.communitylen = 6;
	a.cfg.max_size = 1472;
	a.cfg.threads = 1;
	a.cfg.interfaces = 4;
	a.cfg.tables = SIM_TABLES_SMALL;
	a.cfg.faults.seed = 1;
	sim_parse_args(&a, argc, argv);
	if (a.print_dead)
		return sim_print_dead(&a.cfg.faults);
	sim_interfaces = a.cfg.interfaces;
	sim_mib_init(a.cfg.interfaces, a.cfg.tables);
	sim_start_ns = clock_now_ns();
	if (a.bench > 0)
		return sim_bench_codec(a.bench, a.cfg.max_size);
	if (a.port < 0)
		sim_usage_error("--port is required");
	if (sim_listen_parse(a.listen, (unsigned)a.port, &a.cfg.listen,
	    &cause) != 0)
		sim_usage_error("--listen: %s", cause);
	signal(SIGPIPE, SIG_IGN);
	return sim_run(&a);
}
