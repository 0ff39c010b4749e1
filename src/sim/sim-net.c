/*
 * sim-net.c — the sim's sockets and datagram batches.
 *
 * One socket per thread, all bound to the same address and port with
 * SO_REUSEPORT.  The kernel would pick a thread by a hash that, measured
 * here, ignores the destination address, so one client socket (snmpfleet
 * -P 1) would load one thread only; a classic BPF program attached to the
 * group picks the thread by the destination address instead.
 * Requests are read 64 at a time with recvmmsg, each with its IP_PKTINFO
 * (IPV6_PKTINFO) control message saying which local address it was sent
 * to; replies go out 64 at a time with sendmmsg, each carrying that
 * address back as its source (ipi_spec_dst / ipi6_addr).  So a sim bound
 * to 0.0.0.0 answers as every 127.x.y.z address, and each reply comes
 * from the address its request went to, as a client that checks the
 * source (snmpfleet does) requires.  libuv is not used here: it can
 * neither read control messages nor send with a chosen source address.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snmpfleet.h"
#include "sim.h"

#define SIM_SOCKBUF	(4 * 1024 * 1024)
#define SIM_CTLSIZE	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			 CMSG_SPACE(sizeof(struct in_pktinfo)) + \
			 CMSG_SPACE(sizeof(uint32_t)))

struct sim_batch {
	/* receiving */
	struct mmsghdr		 rmsg[SIM_BATCH];
	struct iovec		 riov[SIM_BATCH];
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[SIM_CTLSIZE];
	}			 rctl[SIM_BATCH];
	struct sim_dgram	 rd[SIM_BATCH];
	uint8_t			*rbuf;
	/* sending */
	struct mmsghdr		 smsg[SIM_BATCH];
	struct iovec		 siov[SIM_BATCH];
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[SIM_CTLSIZE];
	}			 sctl[SIM_BATCH];
	struct sockaddr_storage	 speer[SIM_BATCH];
	uint8_t			*sbuf;
	size_t			 slot;		/* room per reply */
	size_t			 nsend;
	uint32_t		 overflows;	/* SO_RXQ_OVFL: dropped by the
						 * kernel, socket buffer full */
};

/* The --listen address (IPv4 or IPv6, brackets allowed) and port. */
int
sim_listen_parse(const char *text, unsigned port, struct sim_listen *l,
    char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&l->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&l->ss;
	char			 tmp[64];
	size_t			 len = strlen(text);

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof tmp) {
		*cause = xasprintf("bad listen address '%s'", text);
		return -1;
	}
	memcpy(tmp, text, len);
	tmp[len] = '\0';
	memset(l, 0, sizeof *l);
	if (inet_pton(AF_INET, tmp, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l->sslen = sizeof *sin;
	} else if (inet_pton(AF_INET6, tmp, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l->sslen = sizeof *sin6;
	} else {
		*cause = xasprintf("bad listen address '%s' (give an IPv4 or "
		    "IPv6 address)", tmp);
		return -1;
	}
	l->family = l->ss.ss_family;
	return 0;
}

/* "0.0.0.0:1161" or "[::1]:1161". */
void
sim_listen_text(const struct sim_listen *l, char *out, size_t size)
{
	char	 a[INET6_ADDRSTRLEN];

	if (l->family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&l->ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		snprintf(out, size, "%s:%u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)&l->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
		snprintf(out, size, "[%s]:%u", a, ntohs(s->sin6_port));
	}
}

static int
sim_net_socket(const struct sim_listen *l, bool reuseport, char **cause)
{
	int	 fd, one = 1, size = SIM_SOCKBUF;
	char	 text[80];

	if ((fd = socket(l->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof one) == -1)
		goto fail;
	if (l->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof one) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&l->ss, l->sslen) == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	return fd;
fail:
	sim_listen_text(l, text, sizeof text);
	*cause = xasprintf("cannot bind %s: %s", text, strerror(errno));
	close(fd);
	return -1;
}

/*
 * Check that nobody holds the port (a socket without SO_REUSEPORT cannot
 * bind next to one that has it, so a second sim on the same port fails
 * here instead of silently sharing it), and fill in the port the kernel
 * chose for port 0.
 */
int
sim_net_probe(struct sim_listen *l, char **cause)
{
	int	 fd;

	if ((fd = sim_net_socket(l, false, cause)) == -1)
		return -1;
	l->sslen = sizeof l->ss;
	getsockname(fd, (struct sockaddr *)&l->ss, &l->sslen);
	close(fd);
	return 0;
}

/* A socket for one thread, reporting each request's local address. */
int
sim_net_open(const struct sim_listen *l, bool reuseport, char **cause)
{
	int	 fd, one = 1, df = IP_PMTUDISC_DO, rc;

	if ((fd = sim_net_socket(l, reuseport, cause)) == -1)
		return -1;
	if (l->family == AF_INET) {
		/* DF set: the kernel then skips hashing an IP id per reply
		 * (~4% of the sim's CPU); loopback's MTU fits any reply */
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof df);
		rc = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	} else
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
		    sizeof one);
	if (rc == 0)
		rc = setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
	if (rc == -1) {
		*cause = xasprintf("socket options: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Spread requests over the n sockets of fd's SO_REUSEPORT group by their
 * destination address (its last 32 bits) modulo n.  Best effort: without
 * it the kernel's own hash still works, only less evenly.
 */
void
sim_net_spread(int fd, int family, unsigned n)
{
	struct sock_filter	 code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF +
		    (family == AF_INET ? 16 : 36)),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog	 prog = { 3, code };

	setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof prog);
}

/* Buffers for SIM_BATCH requests and SIM_BATCH replies of up to slot
 * octets each. */
struct sim_batch *
sim_batch_new(size_t slot)
{
	struct sim_batch	*b = xcalloc(1, sizeof *b);

	b->rbuf = xmalloc((size_t)SIM_BATCH * SIM_MAX_DGRAM);
	b->slot = slot;
	b->sbuf = xmalloc((size_t)SIM_BATCH * slot);
	return b;
}

void
sim_batch_free(struct sim_batch *b)
{
	if (b == NULL)
		return;
	free(b->rbuf);
	free(b->sbuf);
	free(b);
}

size_t
sim_batch_pending(const struct sim_batch *b)
{
	return b->nsend;
}

/* Requests the kernel dropped so far because the socket buffer was full
 * (the sim was too slow), as last reported with a request. */
uint32_t
sim_batch_overflows(const struct sim_batch *b)
{
	return b->overflows;
}

/* Where a request was sent to, from its control messages. */
static void
sim_net_local(struct sim_batch *b, struct msghdr *m, struct sim_dgram *d)
{
	struct cmsghdr	*c;

	d->local.family = 0;
	d->ifindex = 0;
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&b->overflows, CMSG_DATA(c),
			    sizeof b->overflows);
		else if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			sim_addr_set(&d->local, AF_INET, &pi.ipi_addr);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			sim_addr_set(&d->local, AF_INET6, &pi.ipi6_addr);
			d->ifindex = (int)pi.ipi6_ifindex;
		}
	}
}

/*
 * Read up to SIM_BATCH waiting requests without blocking; *out points at
 * them.  Returns how many (0: none waiting), or -1 with errno set.  A
 * request whose local address is unknown gets local.family 0.
 */
int
sim_net_recv(int fd, struct sim_batch *b, struct sim_dgram **out)
{
	int	 n, i;

	for (i = 0; i < SIM_BATCH; i++) {
		struct msghdr *m = &b->rmsg[i].msg_hdr;

		b->riov[i].iov_base = b->rbuf + (size_t)i * SIM_MAX_DGRAM;
		b->riov[i].iov_len = SIM_MAX_DGRAM;
		m->msg_name = &b->rd[i].peer;
		m->msg_namelen = sizeof b->rd[i].peer;
		m->msg_iov = &b->riov[i];
		m->msg_iovlen = 1;
		m->msg_control = b->rctl[i].buf;
		m->msg_controllen = sizeof b->rctl[i].buf;
		m->msg_flags = 0;
	}
	n = recvmmsg(fd, b->rmsg, SIM_BATCH, MSG_DONTWAIT, NULL);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		struct sim_dgram *d = &b->rd[i];

		d->peerlen = b->rmsg[i].msg_hdr.msg_namelen;
		d->data = b->riov[i].iov_base;
		d->len = b->rmsg[i].msg_len;
		if (b->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
			d->len = 0;	/* too long: a parse error */
		sim_net_local(b, &b->rmsg[i].msg_hdr, d);
	}
	*out = b->rd;
	return n;
}

/* The control message that makes a reply leave from to->local. */
static size_t
sim_net_source(const struct sim_dgram *to, uint8_t *ctl)
{
	struct cmsghdr	*c = (struct cmsghdr *)ctl;

	if (to->local.family == AF_INET) {
		struct in_pktinfo	 pi;

		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi_spec_dst, to->local.bytes, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
	if (to->local.family == AF_INET6) {
		struct in6_pktinfo	 pi;

		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi6_addr, to->local.bytes, 16);
		pi.ipi6_ifindex = (unsigned)to->ifindex;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
	return 0;
}

/* Add a reply (len octets, at most the batch's slot size) to the batch:
 * to to->peer, from to->local.  The caller flushes a full batch first. */
void
sim_net_queue(struct sim_batch *b, const struct sim_dgram *to,
    const uint8_t *data, size_t len)
{
	size_t		 i = b->nsend++;
	struct msghdr	*m = &b->smsg[i].msg_hdr;
	uint8_t		*slot = b->sbuf + i * b->slot;

	memcpy(slot, data, len);
	memcpy(&b->speer[i], &to->peer, to->peerlen);
	b->siov[i].iov_base = slot;
	b->siov[i].iov_len = len;
	memset(m, 0, sizeof *m);
	m->msg_name = &b->speer[i];
	m->msg_namelen = to->peerlen;
	m->msg_iov = &b->siov[i];
	m->msg_iovlen = 1;
	m->msg_control = b->sctl[i].buf;
	m->msg_controllen = sim_net_source(to, b->sctl[i].buf);
	if (m->msg_controllen == 0)
		m->msg_control = NULL;
}

/* Send every queued reply; a reply the kernel refuses is skipped and
 * counted in *errors.  Returns how many were sent. */
int
sim_net_flush(int fd, struct sim_batch *b, uint64_t *errors)
{
	size_t	 off = 0;
	int	 n, sent = 0;

	while (off < b->nsend) {
		n = sendmmsg(fd, b->smsg + off, (unsigned)(b->nsend - off), 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			(*errors)++;
			off++;
			continue;
		}
		off += (size_t)n;
		sent += n;
	}
	b->nsend = 0;
	return sent;
}
