/*
 * t-writer.c — the shared writer: whole-record batches from several
 * processes into one file never tear or get lost, the CSV header goes
 * only into an empty file, and a process that dies holding the mutex
 * does not block the others.
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "tap.h"

#define CHILDREN	4
#define RECORDS		20000
#define B		(CHILDREN * RECORDS)	/* fault tests' indices */
#define NO_FAULTS	"the fault hook needs ./configure --enable-fault-injection"

#ifndef SNMPFLEET_FAULT_INJECTION
#define FAULT_NONE	0
#endif

static struct bitmap	done;	/* the pool's done bitmap, here the test's */

/* A record long enough (up to ~3 KB) that unlocked writes would tear. */
static void
rec_fmt(const struct out_format *fmt, struct buf *b, const struct target *t,
    const struct result *r)
{
	unsigned	n = (unsigned)(r->retries * 7919u % 3000u), i;

	buf_printf(b, "%s %u ", t->host, r->retries);
	for (i = 0; i < n; i++)
		buf_addc(b, (char)('a' + i % 26));
	buf_printf(b, " end %u\n", n);
}
static const struct out_format test_fmt = { .name = "test", .record = rec_fmt };

static char *
temp_path(void)
{
	char	*p = xstrdup("/tmp/t-writer-XXXXXX");
	int	 fd = mkstemp(p);

	close(fd);
	unlink(p);
	return p;
}

static void
child(struct writer_shared *shm, const char *path, int id)
{
	struct writer	w;
	struct target	t;
	struct result	r;
	char		*cause;
	unsigned	 i;

	if (writer_open(&w, shm, &done, path, &test_fmt, &cause) != 0)
		_exit(3);
	w.flush_bytes = 4096;
	w.worker = (unsigned)id;
	memset(&t, 0, sizeof t);
	snprintf(t.host, sizeof t.host, "child%d", id);
	memset(&r, 0, sizeof r);
	for (i = 0; i < RECORDS; i++) {
		r.retries = i;
		r.status = RES_OK;
		t.index = (uint64_t)id * RECORDS + i;
		writer_record(&w, &test_fmt, &t, &r);
	}
	writer_flush(&w);
	writer_close(&w);
	_exit(0);
}

/* Every line is "childN SEQ letters end LEN" with the right length; each
 * child's sequence numbers appear exactly once. */
static int
check_file(const char *path, unsigned *bad)
{
	FILE		*f = fopen(path, "r");
	char		*line = NULL, name[32];
	size_t		 cap = 0;
	unsigned	 seq, len, id, total = 0;
	static unsigned	 seen[CHILDREN][RECORDS];
	int		 off1, off2;
	ssize_t		 n;

	memset(seen, 0, sizeof seen);
	*bad = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		if (sscanf(line, "%31s %u %n", name, &seq, &off1) != 2 ||
		    sscanf(name, "child%u", &id) != 1 || id >= CHILDREN ||
		    seq >= RECORDS) {
			(*bad)++;
			continue;
		}
		len = seq * 7919u % 3000u;
		if (sscanf(line + off1 + len, " end %u%n", &seq, &off2) != 1 ||
		    seq != len || line[off1 + len + off2] != '\n') {
			(*bad)++;
			continue;
		}
		seen[id][(unsigned)(atoi(line + strlen(name) + 1))]++;
		total++;
	}
	free(line);
	fclose(f);
	for (id = 0; id < CHILDREN; id++)
		for (seq = 0; seq < RECORDS; seq++)
			if (seen[id][seq] != 1)
				(*bad)++;
	return (int)total;
}

static int
file_lines(const char *path)
{
	FILE	*f = fopen(path, "r");
	int	 n = 0, c;

	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The last byte of path. */
static int
check_tail(const char *path)
{
	FILE	*f = fopen(path, "r");
	int	 c = EOF;

	if (f != NULL && fseek(f, -1, SEEK_END) == 0)
		c = getc(f);
	if (f != NULL)
		fclose(f);
	return c;
}

/* Lines that do not end as a test record ("... end LEN\n"). */
static int
check_file_fragments(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 bad = 0;

	while ((n = getline(&line, &cap, f)) != -1)
		bad += strstr(line, " end ") == NULL || line[n - 1] != '\n';
	free(line);
	fclose(f);
	return bad;
}

/*
 * A child (worker slot 5) writes target base, then base+1 and base+2 as two
 * batches, dying at the fault point after the first.  Returns the signal
 * that killed it, or its exit status.
 */
static int
fault_child(struct writer_shared *shm, const char *path, int fault,
    uint64_t after, uint64_t base)
{
	struct writer	w;
	struct target	t;
	struct result	r;
	char		*cause;
	pid_t		 pid;
	int		 status;

	if ((pid = fork()) == 0) {
		alarm(20);	/* a deadlock would otherwise hang the test */
		if (writer_open(&w, shm, &done, path, &test_fmt, &cause) != 0)
			_exit(3);
		w.worker = 5;
#ifdef SNMPFLEET_FAULT_INJECTION
		w.fault = (enum writer_fault)fault;
		w.fault_after = after;
#endif
		memset(&t, 0, sizeof t);
		snprintf(t.host, sizeof t.host, "child0");
		memset(&r, 0, sizeof r);
		r.retries = 1;
		t.index = base;
		writer_record(&w, &test_fmt, &t, &r);
		if (writer_flush(&w) != 0)
			_exit(4);
		t.index = base + 1;
		writer_record(&w, &test_fmt, &t, &r);
		t.index = base + 2;
		writer_record(&w, &test_fmt, &t, &r);
		_exit(writer_flush(&w) == 0 ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
}

int
main(void)
{
	struct writer_shared	*shm;
	struct writer		 w;
	struct stats		 st;
	char			*path, *cause, buf[256];
	pid_t			 pid;
	int			 i, status, ok_children = 0, before;
	unsigned		 bad;
	FILE			*f;

	shm = writer_shared_create(&cause);
	ok(shm != NULL && bitmap_init(&done, CHILDREN * RECORDS + 100,
	    &cause) == 0, "shared state created");
	path = temp_path();

	/* CSV header only into an empty file */
	ok(writer_open(&w, shm, &done, path, &out_csv, &cause) == 0, "open csv");
	writer_close(&w);
	ok(writer_open(&w, shm, &done, path, &out_csv, &cause) == 0, "reopen csv");
	writer_close(&w);
	f = fopen(path, "r");
	i = 0;
	while (fgets(buf, sizeof buf, f) != NULL)
		i++;
	fclose(f);
	is_int(i, 1, "header written once");
	unlink(path);

	ok(writer_open(&w, shm, &done, "/nonexistent-dir/x", &out_csv, &cause) != 0,
	    "unwritable output refused: %s", cause);
	free(cause);

	/* several processes, one file */
	for (i = 0; i < CHILDREN; i++) {
		if ((pid = fork()) == 0)
			child(shm, path, i);
	}
	for (i = 0; i < CHILDREN; i++) {
		if (wait(&status) > 0 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			ok_children++;
	}
	is_int(ok_children, CHILDREN, "writers exited cleanly");
	is_int(check_file(path, &bad), CHILDREN * RECORDS,
	    "every record present");
	is_int(bad, 0, "no torn, lost or repeated record");
	ok(writer_open(&w, shm, &done, path, &test_fmt, &cause) == 0, "parent opens");
	writer_stats(&w, &st);
	is_int(st.targets_done, CHILDREN * RECORDS, "shared counters add up");
	is_int(bitmap_count(&done), CHILDREN * RECORDS,
	    "every written target is marked done");
	writer_close(&w);

	/* a holder that dies with the mutex held, before and after writing */
	if ((pid = fork()) == 0) {
		if (writer_open(&w, shm, &done, path, &test_fmt, &cause) != 0)
			_exit(3);
		writer_lock(&w);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(fault_child(shm, path, FAULT_NONE, 0, B) == 0,
	    "mutex recovered after its holder died");
#ifdef SNMPFLEET_FAULT_INJECTION
	before = file_lines(path);
	ok(fault_child(shm, path, FAULT_LOCK, 1, B + 10) == SIGKILL,
	    "worker killed holding the lock before its write");
	ok(writer_open(&w, shm, &done, path, &test_fmt, &cause) == 0, "reopen");
	writer_stats(&w, &st);	/* takes the lock: recovery runs here */
	is_int(file_lines(path), before + 1, "only the first batch got out");
	ok(bitmap_test(&done, B + 10) && !bitmap_test(&done, B + 11) &&
	    !bitmap_test(&done, B + 12),
	    "its unwritten batch is not marked done (will be polled again)");
	ok(fault_child(shm, path, FAULT_WRITE, 2, B + 20) == SIGKILL,
	    "worker killed holding the lock after its write");
	writer_stats(&w, &st);
	ok(bitmap_test(&done, B + 21) && bitmap_test(&done, B + 22),
	    "its written batch is marked done (no duplicate)");
	is_int(file_lines(path), before + 4, "and its records are in the file");
	is_int(st.targets_done, CHILDREN * RECORDS + 7,
	    "counters intact after recovery");

	/* a write cut short by the kill: the fragment is cut back out */
	before = file_lines(path);
	ok(fault_child(shm, path, FAULT_TEAR, 1, B + 30) == SIGKILL,
	    "worker killed in the middle of its write");
	writer_stats(&w, &st);
	is_int(file_lines(path), before + 1, "only the first batch stays");
	is_int(check_tail(path), '\n', "the file ends with a whole record");
	ok(!bitmap_test(&done, B + 31) && !bitmap_test(&done, B + 32),
	    "the torn batch is not marked done (will be polled again)");
	ok(writer_repaired(shm) > 0, "the cut is counted (%llu bytes)",
	    (unsigned long long)writer_repaired(shm));
	writer_close(&w);
#else
	tap_skip(13, NO_FAULTS);
#endif

	/* a fragment a dead run left: the next flush cuts it first */
	f = fopen(path, "a");
	fputs("child0 7 abc", f);
	fclose(f);
	before = file_lines(path);
	ok(fault_child(shm, path, FAULT_NONE, 0, B + 40) == 0,
	    "a writer appends after a fragment");
	is_int(file_lines(path), before + 3, "its records are there");
	is_int(check_tail(path), '\n', "and whole");
	is_int(check_file_fragments(path), 0, "no line is a fragment");

	unlink(path);
	free(path);
	writer_shared_destroy(shm);
	bitmap_free(&done);
	return tap_done();
}
