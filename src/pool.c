/*
 * pool.c — the worker processes.  The parent has loaded the config and the
 * inventory, called init_snmp and opened the output; it then forks P
 * workers, each with its own libuv loop (created after fork), claiming
 * batches of targets from the shared counter.  The parent supervises: a
 * worker that dies is reported, replaced while targets remain, and once
 * every worker is gone the targets that no written record covers (the
 * done bitmap says which) are polled again, so every target ends with
 * exactly one record.  With -P 1 the same worker code runs in-process.
 *
 * The run's shared memory is the pool's: the claim counter, the flags
 * every worker reads (stop, sweep, deadline), the workers' pids and the
 * done bitmap, which it hands to the writer to mark.  The pool prints
 * nothing: what happens to the workers goes to the front end as events.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snmpfleet.h"

#define POOL_EXIT_OUTPUT	75	/* a worker could not write */
#define POOL_EXIT_SETUP		76	/* a worker could not start */
#define POOL_EXIT_STOPPED	77	/* a worker was sent SIGINT/SIGTERM */
#define POOL_EXIT_STATE		78	/* its --state share went unwritten */
#define POOL_MAX_ROUNDS		3
#define POOL_TICK_MS		250
#define POOL_DEADLINE_GRACE_NS	(2ull * 1000000000u)
#define POOL_NOTES_MAX		1024	/* engineIDs kept for the run */

static volatile sig_atomic_t	pool_got_signal;
static volatile sig_atomic_t	pool_got_child;

/* The run's state, in memory shared by every process of the run. */
struct pool_shared {
	_Atomic uint64_t	 claim_next;	/* next target index to claim */
	_Atomic int		 stop;		/* interrupted: claim no more */
	_Atomic int		 sweep;		/* re-poll round: skip done */
	_Atomic int		 deadline;	/* the run's deadline passed */
	pid_t			 pids[POOL_MAX_WORKERS];
	struct bitmap		 done;		/* 1 bit per target written */
	_Atomic uint32_t	 nnotes;	/* what transports noticed ... */
	struct tr_notes		 notes[POOL_NOTES_MAX];	/* ... per worker */
};

struct pool_worker {
	struct pool		*p;
	int			 signo;		/* a stop signal came */
	struct writer		 w;
	struct scheduler	*sched;
	uv_loop_t		 loop;
	uv_signal_t		 sigint;
	uv_signal_t		 sigterm;
	uv_timer_t		 tick;
	bool			 in_process;
};

/*
 * Map the run's shared state for total targets (before any fork): the
 * claim counter, the flags, the pids and the done bitmap.
 */
struct pool_shared *
pool_shared_create(uint64_t total, char **cause)
{
	struct pool_shared	*s;

	s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		return NULL;
	}
	/* an anonymous mapping starts zeroed (and untouched pages of the
	 * notes table cost nothing) */
	if (bitmap_init(&s->done, total, cause) != 0) {
		munmap(s, sizeof *s);
		return NULL;
	}
	return s;
}

/* Forget a finished run (claims, flags, the done bitmap): a sweep polls
 * the inventory again from scratch at the next level. */
void
pool_shared_reset(struct pool_shared *s)
{
	bitmap_clear(&s->done);
	atomic_store(&s->claim_next, 0);
	atomic_store(&s->stop, 0);
	atomic_store(&s->sweep, 0);
	atomic_store(&s->deadline, 0);
	atomic_store(&s->nnotes, 0);
}

void
pool_shared_destroy(struct pool_shared *s)
{
	if (s == NULL)
		return;
	bitmap_free(&s->done);
	munmap(s, sizeof *s);
}

/* The done bitmap, for the writer that marks it. */
struct bitmap *
pool_shared_done(struct pool_shared *s)
{
	return &s->done;
}

/* Tell the front end what happened (it prints; we never do). */
static void
pool_tell(const struct pool *p, const struct pool_event *ev)
{
	if (p->event != NULL)
		p->event(p->event_arg, ev);
}

/* A worker's output failed: nobody claims any more. */
static void
pool_output_failed_cb(void *arg)
{
	struct pool_shared	*s = arg;

	atomic_store(&s->stop, 1);
}

#ifdef SNMPFLEET_FAULT_INJECTION
/* SNMPFLEET_TEST_FAULT=lock:N|write:N|exit:N|tear:N — the first worker
 * dies (SIGKILL while holding the writer lock before or after its write,
 * exit 70 after a flush, or SIGKILL after writing half a batch, as when
 * the kernel cuts a write short) once N records are out.  Only in a
 * build configured with --enable-fault-injection; tests only. */
static void
pool_fault(struct pool *p, struct writer *w, unsigned idx)
{
	const char	*env = getenv("SNMPFLEET_TEST_FAULT");
	const char	*colon;

	if (env == NULL || idx != 0 || p->round != 0 || p->respawned[idx])
		return;
	if ((colon = strchr(env, ':')) == NULL)
		return;
	if (strncmp(env, "lock:", 5) == 0)
		w->fault = FAULT_LOCK;
	else if (strncmp(env, "write:", 6) == 0)
		w->fault = FAULT_WRITE;
	else if (strncmp(env, "exit:", 5) == 0)
		w->fault = FAULT_EXIT;
	else if (strncmp(env, "tear:", 5) == 0)
		w->fault = FAULT_TEAR;
	w->fault_after = strtoull(colon + 1, NULL, 10);
}
#else
#define pool_fault(p, w, idx)	do { } while (0)
#endif

static void
pool_block_stop_signals(bool block)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void
pool_signal_cb(uv_signal_t *h, int signo)
{
	struct pool_worker	*pw = h->data;

	/* In a worker, the parent decides what a signal means: the whole
	 * run's interruption (it got one too and stops the others) or the
	 * loss of this one worker (its targets are polled again). */
	pw->signo = signo;
	if (pw->in_process) {
		if (pw->p->signo == 0)
			pw->p->signo = signo;
		atomic_store(&pw->p->shm->stop, 1);
	}
	scheduler_stop(pw->sched);
}

/* A worker's view of the run's target claiming. */
struct claim {
	struct pool_shared	*shm;
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

/*
 * Take the next target index for this worker; false when the run has
 * none left for it (all claimed, or the run is stopping).  Targets are
 * claimed from the shared counter in batches; a re-poll round skips
 * what a record covers already, and a shard skips other shards'.
 */
static bool
claim_take(void *arg, uint64_t *index)
{
	struct claim	*c = arg;
	uint64_t	 first;

	for (;;) {
		if (c->exhausted || atomic_load(&c->shm->stop))
			return false;
		if (c->batch_next == c->batch_end) {
			first = atomic_fetch_add(&c->shm->claim_next, c->batch);
			if (first >= c->total) {
				c->exhausted = true;
				return false;
			}
			c->batch_next = first;
			c->batch_end = first + c->batch < c->total ?
			    first + c->batch : c->total;
		}
		*index = c->batch_next++;
		if (atomic_load(&c->shm->sweep) &&
		    bitmap_test(&c->shm->done, *index))
			continue;
		if (c->shard_n != 0) {
			inventory_get(c->inv, *index, &c->scratch);
			if (inventory_shard(&c->scratch, c->shard_n) !=
			    c->shard_k)
				continue;
		}
		return true;
	}
}

/* Will claim_take() give this worker nothing more? */
static bool
claim_over(void *arg)
{
	const struct claim	*c = arg;

	return c->exhausted || atomic_load(&c->shm->stop);
}

/* The run's deadline passed (replacement workers see it too). */
static void
claim_deadline_set(void *arg)
{
	struct claim	*c = arg;

	atomic_store(&c->shm->deadline, 1);
}

static bool
claim_deadline_passed(void *arg)
{
	const struct claim	*c = arg;

	return atomic_load(&c->shm->deadline) != 0;
}

static void
pool_tick_cb(uv_timer_t *t)
{
	struct pool_worker	*pw = t->data;

	progress_draw(pw->p->progress, false);
}

static void
pool_closed_cb(uv_handle_t *h)
{
}

/* A worker's transports' notes (engineIDs and their counts) go into the
 * run's shared table, for pool_notes() to add up across workers. */
static void
pool_keep_notes(struct pool_shared *shm, const struct scheduler *sched)
{
	const struct tr_notes	*notes;
	size_t			 i, n;
	uint32_t		 k;

	scheduler_notes(sched, &notes, &n);
	for (i = 0; i < n; i++) {
		k = atomic_fetch_add(&shm->nnotes, 1);
		if (k >= POOL_NOTES_MAX)
			break;
		shm->notes[k] = notes[i];
	}
}

/*
 * The run's notes so far, one per engineID with the counts of every
 * worker added up (*out allocated; the caller frees it).  Returns how
 * many.
 */
size_t
pool_notes(const struct pool_shared *shm, struct tr_notes **out)
{
	uint32_t	 n = atomic_load(&shm->nnotes), i;
	size_t		 m = 0, k;

	if (n > POOL_NOTES_MAX)
		n = POOL_NOTES_MAX;
	*out = xcalloc(n ? n : 1, sizeof **out);
	for (i = 0; i < n; i++) {
		for (k = 0; k < m; k++) {
			if ((*out)[k].engine_len == shm->notes[i].engine_len &&
			    memcmp((*out)[k].engine, shm->notes[i].engine,
			    shm->notes[i].engine_len) == 0)
				break;
		}
		if (k < m)
			(*out)[k].engine_count += shm->notes[i].engine_count;
		else
			(*out)[m++] = shm->notes[i];
	}
	return m;
}

/* One worker's whole life: loop, scheduler, run, flush.  Returns its exit
 * status (0, or POOL_EXIT_*). */
static int
pool_worker_run(struct pool *p, unsigned idx, bool in_process)
{
	struct pool_worker	 pw;
	struct sched_opts	 opts;
	struct claim		 claim;
	struct sched_source	 src;
	char			*cause;
	int			 status = 0;

	memset(&pw, 0, sizeof pw);
	pw.p = p;
	pw.in_process = in_process;
	writer_attach(&pw.w, p->out, idx);
	writer_on_failure(&pw.w, pool_output_failed_cb, p->shm);
	pool_fault(p, &pw.w, idx);
	if (uv_loop_init(&pw.loop) != 0)
		return POOL_EXIT_SETUP;
	memset(&opts, 0, sizeof opts);
	opts.concurrency = p->cfg->concurrency;
	opts.adapt = p->cfg->adapt;
	opts.per_agent = p->cfg->per_agent;
	opts.recv_buffer = p->cfg->recv_buffer;
	opts.rate = p->cfg->rate / p->procs;
	opts.plan = p->plan;
	opts.deadline_ns = p->deadline_ns;
	opts.target_deadline_ms = (unsigned)(p->cfg->target_deadline * 1000 +
	    0.5);
	memset(&claim, 0, sizeof claim);
	claim.shm = p->shm;
	claim.inv = p->inv;
	claim.shard_k = p->shard_k;
	claim.shard_n = p->shard_n;
	claim.total = p->inv->total;
	claim.batch = p->inv->total / (p->procs * 16u);
	if (claim.batch < 1)
		claim.batch = 1;
	if (claim.batch > 64)
		claim.batch = 64;
	src.take = claim_take;
	src.over = claim_over;
	src.deadline_set = claim_deadline_set;
	src.deadline_passed = claim_deadline_passed;
	src.arg = &claim;
	pw.sched = scheduler_new(&pw.loop, p->inv, &opts, &src, &pw.w,
	    p->fmt, &cause);
	if (pw.sched == NULL) {
		pool_tell(p, &(struct pool_event){ .kind = POOL_EV_SETUP,
		    .worker = idx, .cause = cause });
		free(cause);
		uv_loop_close(&pw.loop);
		writer_close(&pw.w);
		return POOL_EXIT_SETUP;
	}
	uv_signal_init(&pw.loop, &pw.sigint);
	uv_signal_init(&pw.loop, &pw.sigterm);
	pw.sigint.data = pw.sigterm.data = &pw;
	uv_signal_start(&pw.sigint, pool_signal_cb, SIGINT);
	uv_signal_start(&pw.sigterm, pool_signal_cb, SIGTERM);
	uv_unref((uv_handle_t *)&pw.sigint);
	uv_unref((uv_handle_t *)&pw.sigterm);
	pool_block_stop_signals(false);	/* now the loop takes them */
	uv_timer_init(&pw.loop, &pw.tick);
	pw.tick.data = &pw;
	if (in_process && progress_on(p->progress)) {
		uv_timer_start(&pw.tick, pool_tick_cb, POOL_TICK_MS,
		    POOL_TICK_MS);
		uv_unref((uv_handle_t *)&pw.tick);
	}

	scheduler_start(pw.sched);
	uv_run(&pw.loop, UV_RUN_DEFAULT);

	uv_close((uv_handle_t *)&pw.sigint, pool_closed_cb);
	uv_close((uv_handle_t *)&pw.sigterm, pool_closed_cb);
	uv_close((uv_handle_t *)&pw.tick, pool_closed_cb);
	uv_run(&pw.loop, UV_RUN_DEFAULT);
	uv_loop_close(&pw.loop);
	pool_keep_notes(p->shm, pw.sched);
	scheduler_free(pw.sched);
	if (pw.w.error != 0) {
		p->write_error = pw.w.error;
		status = POOL_EXIT_OUTPUT;
	} else if (pw.signo != 0 && !in_process)
		status = POOL_EXIT_STOPPED;
	writer_close(&pw.w);
	return status;
}

static void
pool_handler(int signo)
{
	if (signo == SIGCHLD)
		pool_got_child = 1;
	else if (pool_got_signal == 0)
		pool_got_signal = signo;
}

/* Fork worker idx.  The child never returns. */
static int
pool_spawn(struct pool *p, unsigned idx, const sigset_t *oldmask)
{
	pid_t	 pid;
	char	*cause;
	int	 status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* SIGINT and SIGTERM stay blocked until the worker's loop
		 * handles them (a Ctrl-C reaches every worker at once, maybe
		 * before it is ready) */
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		pool_block_stop_signals(true);
		if (getppid() != p->parent_pid)
			_exit(POOL_EXIT_SETUP);
		status = pool_worker_run(p, idx, false);
		if (status == 0 && p->fmt->rates != NULL &&
		    rates_worker_end(p->fmt->rates, &cause) != 0)
			status = POOL_EXIT_STATE;	/* cause: lost */
		_exit(status);
	}
	p->shm->pids[idx] = pid;
	p->alive++;
	return 0;
}

/* Tell how worker idx (pid) died: wait status st. */
static void
pool_report_death(struct pool *p, unsigned idx, pid_t pid, int st)
{
	struct pool_event	ev = { .worker = idx, .pid = (long)pid };

	if (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_STOPPED)
		ev.kind = POOL_EV_STOPPED;
	else if (WIFSIGNALED(st)) {
		ev.kind = POOL_EV_KILLED;
		ev.code = WTERMSIG(st);
	} else {
		ev.kind = POOL_EV_EXITED;
		ev.code = WEXITSTATUS(st);
	}
	pool_tell(p, &ev);
}

/* Reap finished workers; replace the ones that died while targets
 * remain to be claimed. */
static void
pool_reap(struct pool *p, const sigset_t *oldmask)
{
	pid_t		pid;
	unsigned	idx;
	int		st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (idx = 0; idx < p->nslots; idx++) {
			if (p->shm->pids[idx] == pid)
				break;
		}
		if (idx == p->nslots)
			continue;
		p->shm->pids[idx] = 0;
		p->alive--;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_OUTPUT) {
			if (p->write_error == 0)
				p->write_error = writer_out_errno(p->out);
			if (p->write_error == 0)
				p->write_error = EIO;
			atomic_store(&p->shm->stop, 1);
			continue;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_STATE) {
			p->state_lost++;
			continue;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_SETUP) {
			p->setup_failed = true;
			atomic_store(&p->shm->stop, 1);
			continue;
		}
		if (p->signo != 0 && ((WIFSIGNALED(st) &&
		    (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGTERM)) ||
		    (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_STOPPED)))
			continue;	/* interrupted along with the run */
		if (p->overdue) {	/* we stopped it: deadline records */
			pool_tell(p, &(struct pool_event){
			    .kind = POOL_EV_OVERDUE, .worker = idx,
			    .pid = (long)pid });
			continue;
		}
		p->crashes++;
		pool_report_death(p, idx, pid, st);
		if (!atomic_load(&p->shm->stop) && p->respawns < 4 * p->procs &&
		    atomic_load(&p->shm->claim_next) < p->inv->total) {
			p->respawns++;
			p->respawned[idx] = true;
			pool_spawn(p, idx, oldmask);
		}
	}
}

static void
pool_forward(struct pool *p)
{
	unsigned	i;

	if (pool_got_signal == 0 || p->signo != 0)
		return;
	p->signo = pool_got_signal;
	atomic_store(&p->shm->stop, 1);
	for (i = 0; i < p->nslots; i++) {
		if (p->shm->pids[i] > 0)
			kill(p->shm->pids[i], p->signo);
	}
}

/* A worker still running well past the run's deadline is stopped: the
 * deadline bounds the run whatever a worker does. */
static void
pool_overdue(struct pool *p)
{
	unsigned	i;

	if (p->deadline_ns == 0 || clock_now_ns() < p->deadline_ns +
	    POOL_DEADLINE_GRACE_NS)
		return;
	p->overdue = true;
	for (i = 0; i < p->nslots; i++) {
		if (p->shm->pids[i] > 0)
			kill(p->shm->pids[i], SIGKILL);
	}
	atomic_store(&p->shm->stop, 1);
}

/* Fork the workers and watch them until all are gone, in rounds: after
 * a round in which a worker died, the targets left without a record are
 * polled again. */
static int
pool_supervise(struct pool *p, char **cause)
{
	struct sigaction	 sa, old_int, old_term, old_chld;
	struct timespec		 tick = { 0, POOL_TICK_MS * 1000000L };
	sigset_t		 block, oldmask, waitmask;
	uint64_t		 left;
	unsigned		 i, n = p->procs, crashes_before;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pool_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGCHLD, &sa, &old_chld);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	p->parent_pid = getpid();
	p->nslots = p->procs;

	for (p->round = 0; p->round < POOL_MAX_ROUNDS; p->round++) {
		crashes_before = p->crashes;
		for (i = 0; i < n; i++) {
			if (pool_spawn(p, i, &oldmask) != 0) {
				*cause = xasprintf("fork: %s", strerror(errno));
				atomic_store(&p->shm->stop, 1);
				break;
			}
		}
		while (p->alive > 0) {
			ppoll(NULL, 0, &tick, &waitmask);
			pool_forward(p);
			pool_reap(p, &oldmask);
			pool_overdue(p);
			progress_draw(p->progress, false);
		}
		if (atomic_load(&p->shm->stop) || p->crashes == crashes_before)
			break;
		left = p->targets - bitmap_count(&p->shm->done);
		if (left == 0)
			break;
		if (p->round + 1 == POOL_MAX_ROUNDS) {
			pool_tell(p, &(struct pool_event){
			    .kind = POOL_EV_GIVING_UP, .targets = left,
			    .rounds = POOL_MAX_ROUNDS });
			break;
		}
		pool_tell(p, &(struct pool_event){ .kind = POOL_EV_AGAIN,
		    .targets = left });
		atomic_store(&p->shm->sweep, 1);
		atomic_store(&p->shm->claim_next, 0);
		n = left < p->procs ? (unsigned)left : p->procs;
	}

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return *cause != NULL ? -1 : 0;
}

/* After the run's deadline, targets that no worker got to (workers
 * stopped for overrunning it) get their "deadline" record here. */
static void
pool_write_deadlines(struct pool *p)
{
	struct target	t;
	struct result	r;
	uint64_t	i;
	char		when[40];

	for (i = 0; i < p->inv->total; i++) {
		if (bitmap_test(&p->shm->done, i))
			continue;
		inventory_get(p->inv, i, &t);
		if (p->shard_n != 0 && inventory_shard(&t, p->shard_n) !=
		    p->shard_k)
			continue;
		result_init(&r, p->plan);
		for (size_t k = 0; k < r.nparts; k++)
			r.parts[k].status = RES_DEADLINE;
		result_finish(&r);
		clock_iso8601(when, sizeof when, &r.done_ns);	/* now */
		writer_record(p->out, p->fmt, &t, &r);
		result_free(&r);
	}
	writer_flush(p->out);
}

/*
 * Poll every target: in this process for -P 1, else with the supervised
 * pool.  Returns -1 with *cause when the run could not start at all.
 */
int
pool_run(struct pool *p, char **cause)
{
	int	status;

	*cause = NULL;
	p->start_ns = clock_now_ns();
	progress_start(p->progress, p->start_ns);
	if (p->procs > POOL_MAX_WORKERS - 1)	/* the last slot: the parent */
		p->procs = POOL_MAX_WORKERS - 1;
	p->out->worker = POOL_MAX_WORKERS - 1;
	if (p->procs <= 1) {
		p->procs = 1;
		p->nslots = 1;
		status = pool_worker_run(p, 0, true);
		if (status == POOL_EXIT_SETUP) {
			*cause = xstrdup("the poller could not start");
			return -1;
		}
	} else if (pool_supervise(p, cause) != 0)
		return -1;
	if (p->deadline_ns != 0 && p->signo == 0 &&
	    clock_now_ns() >= p->deadline_ns)
		pool_write_deadlines(p);
	progress_draw(p->progress, true);
	if (p->setup_failed && bitmap_count(&p->shm->done) == 0) {
		*cause = xstrdup("the workers could not start");
		return -1;
	}
	return 0;
}
