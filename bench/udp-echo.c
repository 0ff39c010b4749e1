/*
 * bench/udp-echo.c — the machine's bare UDP round-trip rate on loopback,
 * for bench/bench-all.sh (not installed): an echo server thread on
 * 127.0.0.1 sends every datagram back, and client threads keep WINDOW
 * datagrams in flight between them (as a poller keeps requests in
 * flight), sending one more for every one that comes back, for SECONDS.
 * No SNMP, no parsing: what is left is the kernel's cost of a UDP round
 * trip, i.e. the ceiling for any poller talking to any agent on this
 * machine.
 *
 * With -b 64 (the default) both ends move up to 64 datagrams per system
 * call (recvmmsg/sendmmsg); with -b 1 one datagram per call (recv, send,
 * recvfrom, sendto).  -S CPU pins the server thread to that CPU (as
 * bench-all.sh pins snmpfleet-sim); the clients run wherever the kernel
 * puts them.  A window that stalls for 100 ms (datagrams dropped when a
 * socket buffer filled) is refilled and the loss counted.
 *
 * usage: udp-echo [-d SECONDS] [-w WINDOW] [-s BYTES] [-b BATCH]
 *                 [-c CLIENTS] [-S CPU]
 * prints: round_trips=N seconds=S rate=R lost=N cpu_us_per_rt=U ...
 * (cpu is the whole process: server and clients).  Loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH	64
#define MAXCLIENTS	16
#define BUFSZ		2048

static double		 secs = 3;
static unsigned long	 window = 256;
static size_t		 size = 64;
static int		 batch = MAXBATCH;
static int		 server_cpu = -1;
static volatile int	 stop;
static struct sockaddr_in server_addr;

struct client {
	pthread_t		 tid;
	unsigned long		 window;	/* its share of -w */
	unsigned long long	 sent, received, lost;
};

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
udp_socket(void)
{
	struct timeval	 tv = { 0, 100000 };	/* 100 ms: check stop, refill */
	int		 fd, bufsz = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("udp-echo: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void *
server(void *arg)
{
	static struct mmsghdr		 m[MAXBATCH];
	static struct iovec		 iov[MAXBATCH];
	static struct sockaddr_in	 from[MAXBATCH];
	static uint8_t			 buf[MAXBATCH][BUFSZ];
	int				 fd = *(int *)arg, i, n;

	if (server_cpu >= 0) {
		cpu_set_t	 set;

		CPU_ZERO(&set);
		CPU_SET(server_cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof set, &set))
			fprintf(stderr, "udp-echo: cannot pin the server to "
			    "CPU %d\n", server_cpu);
	}
	while (!stop) {
		if (batch == 1) {
			socklen_t	 fl = sizeof from[0];
			ssize_t		 r;

			r = recvfrom(fd, buf[0], BUFSZ, 0,
			    (struct sockaddr *)&from[0], &fl);
			if (r >= 0)
				sendto(fd, buf[0], (size_t)r, 0,
				    (struct sockaddr *)&from[0], fl);
			continue;
		}
		for (i = 0; i < batch; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = BUFSZ;
			memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		n = recvmmsg(fd, m, (unsigned)batch, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		for (i = 0; i < n; ) {
			int	 k = sendmmsg(fd, m + i, (unsigned)(n - i), 0);

			if (k <= 0)
				break;	/* buffer full: the client refills */
			i += k;
		}
	}
	return NULL;
}

/* Send k datagrams (in batches); returns how many went. */
static unsigned long
send_some(int fd, unsigned long k, struct mmsghdr *m)
{
	unsigned long	 done = 0;
	int		 n;

	while (done < k) {
		unsigned long	 want = k - done;

		if (want > (unsigned long)batch)
			want = (unsigned long)batch;
		if (batch == 1)
			n = send(fd, m[0].msg_hdr.msg_iov->iov_base, size, 0) ==
			    (ssize_t)size ? 1 : -1;
		else
			n = sendmmsg(fd, m, (unsigned)want, 0);
		if (n <= 0)
			break;
		done += (unsigned long)n;
	}
	return done;
}

static void *
client(void *arg)
{
	struct client	*c = arg;
	struct mmsghdr	 sm[MAXBATCH], rm[MAXBATCH];
	struct iovec	 siov[MAXBATCH], riov[MAXBATCH];
	static __thread uint8_t	 sbuf[BUFSZ], rbuf[MAXBATCH][BUFSZ];
	double		 start, t;
	int		 fd, i, n;

	fd = udp_socket();
	if (connect(fd, (struct sockaddr *)&server_addr,
	    sizeof server_addr) == -1) {
		perror("udp-echo: connect");
		exit(1);
	}
	memset(sbuf, 'x', size);
	memset(sm, 0, sizeof sm);
	memset(rm, 0, sizeof rm);
	for (i = 0; i < MAXBATCH; i++) {
		siov[i].iov_base = sbuf;
		siov[i].iov_len = size;
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = rbuf[i];
		riov[i].iov_len = BUFSZ;
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	start = now_s();
	c->sent += send_some(fd, c->window, sm);
	while ((t = now_s()) - start < secs) {
		if (batch == 1)
			n = recv(fd, rbuf[0], BUFSZ, 0) >= 0 ? 1 : -1;
		else
			n = recvmmsg(fd, rm, (unsigned)batch, MSG_WAITFORONE,
			    NULL);
		if (n > 0) {
			c->received += (unsigned long long)n;
			c->sent += send_some(fd, (unsigned long)n, sm);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* 100 ms without a reply: the rest were dropped. */
			unsigned long long out = c->sent - c->received - c->lost;

			c->lost += out;
			c->sent += send_some(fd, c->window, sm);
		}
	}
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct client	 cl[MAXCLIENTS];
	struct rusage		 ru;
	pthread_t		 st;
	socklen_t		 sl = sizeof server_addr;
	unsigned long long	 rt = 0, lost = 0;
	double			 start, t, cpu;
	int			 c, i, sfd, nclients = 1;

	while ((c = getopt(argc, argv, "d:w:s:b:c:S:")) != -1) {
		switch (c) {
		case 'd': secs = atof(optarg); break;
		case 'w': window = strtoul(optarg, NULL, 10); break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'b': batch = atoi(optarg); break;
		case 'c': nclients = atoi(optarg); break;
		case 'S': server_cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: udp-echo [-d SECONDS] "
			    "[-w WINDOW] [-s BYTES] [-b BATCH] [-c CLIENTS] "
			    "[-S CPU]\n");
			return 2;
		}
	}
	if (secs <= 0 || secs > 600 || window < 1 || window > 100000 ||
	    size < 1 || size > 1400 || batch < 1 || batch > MAXBATCH ||
	    nclients < 1 || nclients > MAXCLIENTS) {
		fprintf(stderr, "udp-echo: bad arguments\n");
		return 2;
	}
	sfd = udp_socket();
	memset(&server_addr, 0, sizeof server_addr);
	server_addr.sin_family = AF_INET;
	server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(sfd, (struct sockaddr *)&server_addr, sizeof server_addr) ||
	    getsockname(sfd, (struct sockaddr *)&server_addr, &sl)) {
		perror("udp-echo: bind");
		return 1;
	}
	if (pthread_create(&st, NULL, server, &sfd)) {
		fprintf(stderr, "udp-echo: cannot start the server\n");
		return 1;
	}
	start = now_s();
	for (i = 0; i < nclients; i++) {
		cl[i].window = window / (unsigned long)nclients +
		    ((unsigned long)i < window % (unsigned long)nclients);
		if (cl[i].window == 0)
			continue;
		if (pthread_create(&cl[i].tid, NULL, client, &cl[i])) {
			fprintf(stderr, "udp-echo: cannot start a client\n");
			return 1;
		}
	}
	for (i = 0; i < nclients; i++) {
		if (cl[i].window == 0)
			continue;
		pthread_join(cl[i].tid, NULL);
		rt += cl[i].received;
		lost += cl[i].lost;
	}
	t = now_s() - start;
	stop = 1;
	pthread_join(st, NULL);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("round_trips=%llu seconds=%.3f rate=%.0f lost=%llu "
	    "cpu_us_per_rt=%.2f window=%lu size=%zu batch=%d clients=%d "
	    "server_cpu=%d\n", rt, t, (double)rt / t, lost,
	    rt ? cpu * 1e6 / (double)rt : 0.0, window,
	    size, batch, nclients, server_cpu);
	close(sfd);
	return 0;
}
