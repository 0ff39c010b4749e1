/*
 * lock.c — --lock: one run at a time.  flock(2) on a lock file, never
 * waiting; the holder writes its PID and start time into the file so the
 * next run can say who holds it.  The kernel drops the lock however the
 * holder ends (even SIGKILL), so a crashed run never blocks the next.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "snmpfleet.h"

/*
 * Take the lock at path and keep its descriptor open for the life of the
 * run.  Returns 0; -1 with *cause when the file cannot be used; 1 with
 * *cause naming the holder when another run has it.
 */
int
lock_take(const char *path, char **cause)
{
	char		 when[40], info[128], held[128];
	uint64_t	 now = 0;
	ssize_t		 n;
	int		 fd, len;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		*cause = xasprintf("--lock %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			*cause = xasprintf("--lock %s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		n = pread(fd, held, sizeof held - 1, 0);
		held[n > 0 ? n : 0] = '\0';
		held[strcspn(held, "\n")] = '\0';
		*cause = xasprintf("another run holds %s (%s)", path,
		    *held ? held : "holder unknown");
		close(fd);
		return 1;
	}
	clock_iso8601(when, sizeof when, &now);
	len = snprintf(info, sizeof info, "pid %ld, started %s\n",
	    (long)getpid(), when);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, info, (size_t)len, 0) != len) {
		*cause = xasprintf("--lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;	/* fd stays open (and locked) until the process ends */
}
