/*
 * bench/sim-load.c — a minimal SNMP GET load generator for
 * bench/bench-sim.sh (not installed): it keeps a window of v2c GETs in
 * flight to N loopback addresses on one port, sent and read 64 at a time
 * (sendmmsg/recvmmsg), so that it costs the machine as little as possible
 * per request and the simulator, not the client, is what saturates.
 * Requests are pre-encoded; only the request-id changes.  Loopback only.
 *
 * With -w 0 it sends as fast as it can and never reads (open loop): the
 * simulator's own counters then say how many it answered, at saturation.
 *
 * usage: sim-load -p PORT [-n ADDRS] [-d SECONDS] [-w WINDOW] [-k OIDS]
 * prints: sent=N received=N seconds=S rate=R (responses per second)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A v2c GET for k of sysDescr.0, sysUpTime.0, sysName.0; *idpos is where
 * the 4-octet request-id goes. */
static size_t
encode(uint8_t *out, int k, size_t *idpos)
{
	static const uint8_t	 oids[3][8] = {
		{ 0x2b, 6, 1, 2, 1, 1, 1, 0 }, { 0x2b, 6, 1, 2, 1, 1, 3, 0 },
		{ 0x2b, 6, 1, 2, 1, 1, 5, 0 },
	};
	static const int	 pick[3] = { 2, 0, 1 };	/* sysName first */
	uint8_t			 vbl[64], pdu[128];
	size_t			 nv = 0, np = 0, n = 0;
	int			 i;

	for (i = 0; i < k; i++) {
		vbl[nv++] = 0x30;
		vbl[nv++] = 12;
		vbl[nv++] = 0x06;
		vbl[nv++] = 8;
		memcpy(vbl + nv, oids[pick[i]], 8);
		nv += 8;
		vbl[nv++] = 0x05;
		vbl[nv++] = 0;
	}
	memcpy(pdu, "\x02\x04\0\0\0\0\x02\x01\0\x02\x01\0\x30", 13);
	np = 13;
	pdu[np++] = (uint8_t)nv;
	memcpy(pdu + np, vbl, nv);
	np += nv;
	out[n++] = 0x30;
	out[n++] = (uint8_t)(np + 2 + 3 + 8);
	memcpy(out + n, "\x02\x01\x01\x04\x06public", 11);
	n += 11;
	out[n++] = 0xa0;
	out[n++] = (uint8_t)np;
	*idpos = n + 2;
	memcpy(out + n, pdu, np);
	return n + np;
}

int
main(int argc, char **argv)
{
	static struct mmsghdr		 sm[BATCH], rm[BATCH];
	static struct iovec		 siov[BATCH], riov[BATCH];
	static struct sockaddr_in	 to[BATCH];
	static uint8_t			 req[BATCH][256], rbuf[BATCH][2048];
	unsigned long			 naddr = 262144, window = 4096;
	unsigned long			 port = 0;
	unsigned long long		 sent = 0, received = 0, next = 0;
	unsigned long long		 gone = 0;
	double				 secs = 5, start, last_rx, t;
	size_t				 reqlen = 0, idpos = 0;
	int				 c, fd, k = 1, i, n, size = 8 << 20;

	while ((c = getopt(argc, argv, "p:n:d:w:k:")) != -1) {
		switch (c) {
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 'n': naddr = strtoul(optarg, NULL, 10); break;
		case 'd': secs = atof(optarg); break;
		case 'w': window = strtoul(optarg, NULL, 10); break;
		case 'k': k = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: sim-load -p PORT [-n ADDRS] "
			    "[-d SECONDS] [-w WINDOW] [-k 1-3]\n");
			return 2;
		}
	}
	if (port == 0 || port > 65535 || naddr == 0 || naddr > 16000000 ||
	    k < 1 || k > 3 || (window != 0 && window < BATCH)) {
		fprintf(stderr, "sim-load: bad arguments\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	for (i = 0; i < BATCH; i++) {
		reqlen = encode(req[i], k, &idpos);
		siov[i].iov_base = req[i];
		siov[i].iov_len = reqlen;
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		sm[i].msg_hdr.msg_name = &to[i];
		sm[i].msg_hdr.msg_namelen = sizeof to[i];
		to[i].sin_family = AF_INET;
		to[i].sin_port = htons((uint16_t)port);
		riov[i].iov_base = rbuf[i];
		riov[i].iov_len = sizeof rbuf[i];
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	start = last_rx = now_s();
	while ((t = now_s()) - start < secs) {
		if (window == 0 || sent - received - gone + BATCH <= window) {
			for (i = 0; i < BATCH; i++, next++) {
				/* 127.0.0.1 onwards, skipping nothing */
				uint32_t a = 0x7f000001u +
				    (uint32_t)(next % naddr);
				uint32_t id = (uint32_t)next;

				to[i].sin_addr.s_addr = htonl(a);
				memcpy(req[i] + idpos, &id, 4);
			}
			n = sendmmsg(fd, sm, BATCH, 0);
			if (n > 0)
				sent += (unsigned long long)n;
		}
		if (window == 0)
			continue;
		n = recvmmsg(fd, rm, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			received += (unsigned long long)n;
			last_rx = t;
		} else if (sent - received - gone + BATCH > window &&
		    t - last_rx > 0.05) {
			gone = sent - received;	/* lost: open the window */
			last_rx = t;
		}
	}
	t = now_s() - start;
	printf("sent=%llu received=%llu seconds=%.3f rate=%.0f\n", sent,
	    received, t, (double)received / t);
	close(fd);
	return 0;
}
