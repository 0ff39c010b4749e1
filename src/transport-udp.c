/*
 * transport-udp.c — SNMP v1/v2c over one shared UDP socket per address
 * family (per process), with net-snmp used only as the codec: encode with
 * snmp_build() on an unopened session, decode with snmp_comstr_parse() +
 * snmp_pdu_parse().  Datagrams go out in batches (sendmmsg) and are read
 * in batches (recvmmsg).  A request id is the request's index in its low
 * bits and a generation above, bit 30 always set (4 bytes on the wire,
 * so that codec_encode can write one over another), so a reply finds its
 * request in O(1); it is accepted only from the address and port the
 * request went to, or, for a target with any-source (multi-homed agents
 * that answer from another address), from anywhere if its community is
 * the target's.  The v3 transport sends its engineID probes here too, as
 * raw datagrams.
 *
 * The sockets' buffers are sized for the window (a full window of
 * answers arriving at once must fit), and the datagrams the kernel
 * dropped on them are counted: SO_MEMINFO's SK_MEMINFO_DROPS is the
 * socket's sk_drops, the very counter SO_RXQ_OVFL hands out per
 * datagram, read once instead of per recvmsg.  A send the kernel cannot
 * take now (EAGAIN, ENOBUFS) waits in libuv's queue for the socket; it
 * never fails the target.
 *
 * Reading is ours, not libuv's (whose recvmmsg path passes no control
 * messages up): a uv_poll_t on a dup of the socket, recvmmsg(2), and
 * each datagram's kernel receive time (SO_TIMESTAMPNS), so that an
 * answer's RTT ends when it reached the socket, not when it was read.
 * That lets the reading nap: while the scheduler sees a standing queue
 * at the agents (udp_nap), a wakeup that found the socket drained stops
 * polling for that long, and the answers that come meanwhile are read
 * in one go.  Against one agent that answers one request at a time,
 * every answer used to cost a sleep and a wakeup (one context switch a
 * target); now a wakeup reads a millisecond's worth of answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sock_diag.h>
#endif

#include "snmpfleet.h"

#define TRANSPORT_MMSG		32
#define TRANSPORT_DGRAM		65536
#define TRANSPORT_RCV_PER_REQ	2048	/* an answer's share of SO_RCVBUF */
#define TRANSPORT_SND_PER_REQ	1024
#define TRANSPORT_BUF_MIN	(256 * 1024)
#define TRANSPORT_BUF_MAX	(64 * 1024 * 1024)
#define TRANSPORT_BATCH		64
#define TRANSPORT_ARENA		(256 * 1024)

/* Outgoing datagrams of one socket, sent together with sendmmsg(2)
 * once per loop iteration (or when the batch fills up). */
struct transport_batch {
	uv_udp_t		*udp;
	struct mmsghdr		 msgs[TRANSPORT_BATCH];
	struct iovec		 iov[TRANSPORT_BATCH];
	struct sockaddr_storage	 to[TRANSPORT_BATCH];
	struct tr_req		*req[TRANSPORT_BATCH];
	int32_t			 id[TRANSPORT_BATCH];
	unsigned		 n;
	char			*arena;		/* the datagrams' bytes */
	size_t			 used;
};

#define UDP_RAW		0x01	/* tr_req flag: a raw datagram (v3 probe) */

/* One socket's reading: a poll handle on a dup of its descriptor, and
 * the timer of a nap. */
struct udp_rx {
	struct udp		*t;
	uv_poll_t		 poll;
	uv_timer_t		 nap_timer;
	int			 fd;		/* the dup; -1: none */
	bool			 open;		/* poll and timer set up */
};

struct udp {
	const struct tr_host	*host;
	uv_loop_t		*loop;
	struct tr_req		**reqs;		/* in flight, by index */
	unsigned		 nreqs;		/* a power of two */
	unsigned		 shift;		/* log2(nreqs) */
	struct codec		 codec;
	netsnmp_session		 v3sess;	/* for parsing probe Reports */
	void			(*raw_cb)(void *, struct tr_req *,
				    netsnmp_pdu *);
	void			*raw_arg;
	uv_udp_t		 udp4;
	uv_udp_t		 udp6;
	bool			 has4;
	bool			 has6;
	int			 open_handles;
	char			*rbuf;		/* TRANSPORT_MMSG datagrams */
	struct mmsghdr		 rmsg[TRANSPORT_MMSG];
	struct iovec		 riov[TRANSPORT_MMSG];
	struct sockaddr_storage	 rfrom[TRANSPORT_MMSG];
	union {				/* aligned for cmsghdr */
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(struct timespec))];
	}			 rctl[TRANSPORT_MMSG];
	uint64_t		 rx_ns;		/* the datagram being handled
						 * reached the socket then */
	unsigned		 nap_ms;	/* udp_nap */
	struct udp_rx		 rx4;
	struct udp_rx		 rx6;
	struct transport_batch	 out4;
	struct transport_batch	 out6;
	uv_prepare_t		 prepare;
	uv_check_t		 check;
};

struct transport_send {
	uv_udp_send_t		 req;
	char			*copy;
	size_t			 len;
	struct sockaddr_storage	 to;		/* for -d */
};

static bool	transport_is_v3(const u_char *, size_t);
static void	udp_pdu_clear(netsnmp_pdu *);
static int	udp_resend(void *, struct tr_req *, char **);
static void	udp_close(void *);
static void	transport_prepare_cb(uv_prepare_t *);
static void	transport_check_cb(uv_check_t *);
static void	transport_poll_cb(uv_poll_t *, int, int);
static void	transport_closed_cb(uv_handle_t *);
static void	transport_v3_report(struct udp *, u_char *, size_t,
		    const struct sockaddr *);

/* A reply's community, for any-source targets. */
struct udp_comm {
	u_char	 v[256];
	size_t	 len;
};

/*
 * transport_decode into pdu (zeroed by the caller), keeping the
 * community in *c; 0, or -1 (then pdu holds nothing to free).  Only a
 * Response is parsed, so that the variables are all that pdu holds
 * (udp_pdu_clear).
 */
static int
udp_decode(u_char *buf, size_t len, struct udp_comm *c, netsnmp_pdu *pdu)
{
	u_char		*data;
	long		 version;

	c->len = sizeof c->v;
	data = snmp_comstr_parse(buf, &len, c->v, &c->len, &version);
	if (data == NULL || (version != SNMP_VERSION_1 &&
	    version != SNMP_VERSION_2c) || len == 0 ||
	    data[0] != SNMP_MSG_RESPONSE)
		return -1;
	pdu->version = version;
	if (snmp_pdu_parse(pdu, data, &len) != 0 ||
	    pdu->command != SNMP_MSG_RESPONSE) {
		udp_pdu_clear(pdu);
		return -1;
	}
	return 0;
}

/* Free what udp_decode put in pdu (its variables) and zero it, for the
 * next datagram: a reply's PDU is not allocated, only its variables. */
static void
udp_pdu_clear(netsnmp_pdu *pdu)
{
	if (pdu->variables != NULL)
		snmp_free_varbind(pdu->variables);
	memset(pdu, 0, sizeof *pdu);
}

/*
 * Decode one v1/v2c datagram of len bytes; NULL unless it is a
 * well-formed Response.  (The fuzz harness tests/fuzz/fuzz-reply.c feeds
 * it arbitrary datagrams.)
 */
netsnmp_pdu *
transport_decode(u_char *buf, size_t len)
{
	struct udp_comm	 c;
	netsnmp_pdu	*pdu = xcalloc(1, sizeof *pdu);

	if (udp_decode(buf, len, &c, pdu) != 0) {
		free(pdu);
		return NULL;
	}
	return pdu;
}

static bool
udp_same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	a6 = (const struct sockaddr_in6 *)a;
	b6 = (const struct sockaddr_in6 *)b;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/*
 * The request in flight with this id, from this address; or NULL.  An
 * any-source target's reply may come from another address: then its
 * community c must be the target's (NULL: a v3 probe's Report, which
 * has none to match; its msgID is all it can be known by).
 */
static struct tr_req *
udp_match(struct udp *t, int32_t id, const struct sockaddr *from,
    const struct udp_comm *c)
{
	const struct target_params	*p;
	struct tr_req			*req;

	if (id <= 0)
		return NULL;
	req = t->reqs[(uint32_t)id & (t->nreqs - 1)];
	if (req == NULL || req->id != id)
		return NULL;
	if (udp_same_addr(from, &req->tt->target->addr))
		return req;
	p = req->tt->target->params;
	if (!p->any_source || (c != NULL && (p->community == NULL ||
	    c->len != strlen(p->community) ||
	    memcmp(c->v, p->community, c->len) != 0)))
		return NULL;
	return req;
}

/* Take req out of the table (its answer came, or it is given up). */
static void
udp_unregister(struct udp *t, struct tr_req *req)
{
	if (req->id != 0 && t->reqs[req->index] == req)
		t->reqs[req->index] = NULL;
	req->id = 0;
}

/* A decoded Response for a v1/v2c request (pdu borrowed: the caller
 * clears it): the scheduler may refuse it (then the request stays in
 * flight). */
static void
udp_reply(struct udp *t, netsnmp_pdu *pdu, const struct sockaddr *from,
    const struct udp_comm *c)
{
	struct tr_req	*req = udp_match(t, pdu->reqid, from, c);
	int32_t		 id;

	if (req == NULL || (req->flags & UDP_RAW))
		return;
	id = req->id;
	req->rx_ns = t->rx_ns;
	udp_unregister(t, req);
	if (!t->host->done(t->host->ctx, req, TR_REPLY, pdu, NULL) &&
	    req->id == 0) {
		req->id = id;
		t->reqs[req->index] = req;
	}
}

/* A datagram: a v3 Report for the engineID probes, else a v1/v2c
 * Response; anything else is dropped. */
static void
transport_datagram(struct udp *t, u_char *buf, size_t len,
    const struct sockaddr *from)
{
	struct udp_comm	 c;
	netsnmp_pdu	 pdu;

	if (dump_enabled)
		dump_packet(false, "UDP", from, (char *)buf, len);
	if (transport_is_v3(buf, len)) {
		transport_v3_report(t, buf, len, from);
		return;
	}
	memset(&pdu, 0, sizeof pdu);
	if (udp_decode(buf, len, &c, &pdu) == 0) {
		udp_reply(t, &pdu, from, &c);
		udp_pdu_clear(&pdu);
	}
}

/* When datagram m reached the socket, on clock_now_ns()'s clock: its
 * SO_TIMESTAMPNS (CLOCK_REALTIME) moved by real_ns - now_ns, both read
 * after it came; now_ns if it has none (or the clock stepped). */
static uint64_t
transport_rx_time(struct msghdr *m, uint64_t real_ns, uint64_t now_ns)
{
	struct cmsghdr	*cm;
	struct timespec	 ts;
	uint64_t	 at, ago;

	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_TIMESTAMPNS ||
		    cm->cmsg_len < CMSG_LEN(sizeof ts))
			continue;
		memcpy(&ts, CMSG_DATA(cm), sizeof ts);
		at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		ago = real_ns > at ? real_ns - at : 0;
		return ago < now_ns && ago < 60000000000ull ? now_ns - ago :
		    now_ns;
	}
	return now_ns;
}

/* The receive headers: datagram i into rbuf's i-th TRANSPORT_DGRAM
 * bytes, its address into rfrom[i], its receive time into rctl[i]. */
static void
transport_rx_init(struct udp *t)
{
	unsigned	i;

	t->rbuf = xmalloc(TRANSPORT_MMSG * TRANSPORT_DGRAM);
	for (i = 0; i < TRANSPORT_MMSG; i++) {
		t->riov[i].iov_base = t->rbuf + (size_t)i * TRANSPORT_DGRAM;
		t->riov[i].iov_len = TRANSPORT_DGRAM;
		t->rmsg[i].msg_hdr.msg_name = &t->rfrom[i];
		t->rmsg[i].msg_hdr.msg_iov = &t->riov[i];
		t->rmsg[i].msg_hdr.msg_iovlen = 1;
		t->rmsg[i].msg_hdr.msg_control = t->rctl[i].buf;
	}
}

/* One recvmmsg(2) on rx's socket; each datagram handled.  Returns how
 * many came (0: none, or an error). */
static int
transport_read(struct udp *t, struct udp_rx *rx)
{
	struct timespec	 rt;
	uint64_t	 now, real;
	int		 n, i;

	for (i = 0; i < TRANSPORT_MMSG; i++) {	/* what the last one changed */
		t->rmsg[i].msg_hdr.msg_namelen = sizeof t->rfrom[i];
		t->rmsg[i].msg_hdr.msg_controllen = sizeof t->rctl[i].buf;
	}
	n = recvmmsg(rx->fd, t->rmsg, TRANSPORT_MMSG, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	now = clock_now_ns();
	clock_gettime(CLOCK_REALTIME, &rt);
	real = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	for (i = 0; i < n && !uv_is_closing((uv_handle_t *)&rx->poll); i++) {
		if (t->rmsg[i].msg_hdr.msg_namelen == 0)
			continue;
		t->rx_ns = transport_rx_time(&t->rmsg[i].msg_hdr, real, now);
		transport_datagram(t, t->riov[i].iov_base, t->rmsg[i].msg_len,
		    (struct sockaddr *)&t->rfrom[i]);
	}
	t->rx_ns = 0;
	return n;
}

/* The nap is over: poll again. */
static void
transport_nap_cb(uv_timer_t *h)
{
	struct udp_rx	*rx = h->data;

	if (!uv_is_closing((uv_handle_t *)&rx->poll))
		uv_poll_start(&rx->poll, UV_READABLE, transport_poll_cb);
}

/* The socket is readable: read what is there (a few batches at most:
 * a flood must not starve the sending), then, if it was drained and a
 * nap is allowed, nap. */
static void
transport_poll_cb(uv_poll_t *h, int status, int events)
{
	struct udp_rx	*rx = h->data;
	struct udp	*t = rx->t;
	int		 n = TRANSPORT_MMSG, i;

	if (status < 0 || !(events & UV_READABLE))
		return;
	for (i = 0; i < 4 && n == TRANSPORT_MMSG &&
	    !uv_is_closing((uv_handle_t *)h); i++)
		n = transport_read(t, rx);
	if (n < TRANSPORT_MMSG && t->nap_ms != 0 &&
	    !uv_is_closing((uv_handle_t *)h) &&
	    uv_timer_start(&rx->nap_timer, transport_nap_cb, t->nap_ms,
	    0) == 0)
		uv_poll_stop(h);
}

/* Does the datagram carry msgVersion 3? */
static bool
transport_is_v3(const u_char *p, size_t len)
{
	size_t	hdr;

	if (len < 5 || p[0] != 0x30)
		return false;
	hdr = p[1] < 0x80 ? 2 : 2 + (p[1] & 0x7f);
	return len > hdr + 2 && p[hdr] == 0x02 && p[hdr + 1] == 1 &&
	    p[hdr + 2] == 3;
}

/*
 * A v3 datagram on the shared socket: the answer to an engineID
 * discovery probe (a Report).  net-snmp's parser reads it (and, as a
 * side effect, learns the engine's boots and time); the raw handler gets
 * it for the probe whose id is its message id.
 */
static void
transport_v3_report(struct udp *t, u_char *data, size_t len,
    const struct sockaddr *from)
{
	netsnmp_pdu	*pdu;
	struct tr_req	*req;

	pdu = snmp_pdu_create(0);
	if (snmp_parse(NULL, &t->v3sess, pdu, data, len) != SNMPERR_SUCCESS ||
	    pdu->command != SNMP_MSG_REPORT ||
	    pdu->securityEngineIDLen == 0 ||
	    (req = udp_match(t, (int32_t)pdu->msgid, from, NULL)) == NULL ||
	    !(req->flags & UDP_RAW) || t->raw_cb == NULL) {
		snmp_free_pdu(pdu);
		return;
	}
	udp_unregister(t, req);
	req->flags &= ~UDP_RAW;
	t->raw_cb(t->raw_arg, req, pdu);
	snmp_free_pdu(pdu);
}

/* per_req bytes for each request of the window, within bounds. */
static int
transport_buf_size(const struct tr_host *h, unsigned per_req)
{
	uint64_t	n = (uint64_t)h->capacity * per_req;

	if (n < TRANSPORT_BUF_MIN)
		n = TRANSPORT_BUF_MIN;
	if (n > TRANSPORT_BUF_MAX)
		n = TRANSPORT_BUF_MAX;
	return (int)n;
}

/*
 * Size u's buffers: SO_RCVBUF for a window of answers (or exactly
 * --recv-buffer), SO_SNDBUF for a window of requests.  The FORCE
 * options pass net.core.rmem_max/wmem_max when we may (CAP_NET_ADMIN);
 * otherwise libuv's calls get what the limits allow.
 */
static void
transport_size_bufs(struct udp *t, uv_udp_t *u)
{
	const struct tr_host	*h = t->host;
	uv_os_fd_t		 fd;
	int			 rcv, snd;

	rcv = h->recv_buffer != 0 ? (int)(h->recv_buffer > INT32_MAX / 2 ?
	    INT32_MAX / 2 : h->recv_buffer) :
	    transport_buf_size(h, TRANSPORT_RCV_PER_REQ);
	snd = transport_buf_size(h, TRANSPORT_SND_PER_REQ);
	if (uv_fileno((uv_handle_t *)u, &fd) != 0)
		return;
#ifdef SO_RCVBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
#endif
		uv_recv_buffer_size((uv_handle_t *)u, &rcv);
#ifdef SO_SNDBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) != 0)
#endif
		uv_send_buffer_size((uv_handle_t *)u, &snd);
}

/* Datagrams the kernel dropped on u (0 if it cannot tell). */
static uint64_t
transport_sock_drops(uv_udp_t *u)
{
#if defined(__linux__) && defined(SO_MEMINFO)	/* SK_MEMINFO_DROPS: an enum */
	uint32_t	mem[SK_MEMINFO_VARS];
	socklen_t	len = sizeof mem;
	uv_os_fd_t	fd;

	if (u->data == NULL || uv_is_closing((uv_handle_t *)u) ||
	    uv_fileno((uv_handle_t *)u, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof mem[0])
		return 0;
	return mem[SK_MEMINFO_DROPS];
#else
	return 0;
#endif
}

static uint64_t
udp_drops(void *arg)
{
	struct udp	*t = arg;

	return (t->has4 ? transport_sock_drops(&t->udp4) : 0) +
	    (t->has6 ? transport_sock_drops(&t->udp6) : 0);
}

/* Start reading u's socket through rx: kernel receive times on, a dup
 * of its descriptor for the poll handle.  0 or a libuv error. */
static int
transport_rx_open(struct udp *t, uv_udp_t *u, struct udp_rx *rx)
{
	uv_os_fd_t	fd;
	int		on = 1, rc;

	rx->t = t;
	rx->fd = -1;
	if ((rc = uv_fileno((uv_handle_t *)u, &fd)) != 0)
		return rc;
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	if ((rx->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return uv_translate_sys_error(errno);
	if ((rc = uv_poll_init(t->loop, &rx->poll, rx->fd)) != 0) {
		close(rx->fd);
		rx->fd = -1;
		return rc;
	}
	rx->poll.data = rx;
	uv_timer_init(t->loop, &rx->nap_timer);
	rx->nap_timer.data = rx;
	rx->open = true;
	t->open_handles += 2;
	return uv_poll_start(&rx->poll, UV_READABLE, transport_poll_cb);
}

/* Stop reading through rx; its descriptor is closed once libuv has
 * let go of it. */
static void
transport_rx_close(struct udp_rx *rx)
{
	if (!rx->open || uv_is_closing((uv_handle_t *)&rx->poll))
		return;
	uv_close((uv_handle_t *)&rx->poll, transport_closed_cb);
	uv_close((uv_handle_t *)&rx->nap_timer, transport_closed_cb);
}

static int
transport_open(struct udp *t, uv_udp_t *u, int family, char **cause)
{
	struct sockaddr_storage	 ss;
	int			 rc;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET)
		uv_ip4_addr("0.0.0.0", 0, (struct sockaddr_in *)&ss);
	else
		uv_ip6_addr("::", 0, (struct sockaddr_in6 *)&ss);
	if ((rc = uv_udp_init_ex(t->loop, u,
	    (unsigned)family | UV_UDP_RECVMMSG)) != 0) {
		*cause = xasprintf("udp socket: %s", uv_strerror(rc));
		return -1;
	}
	u->data = t;
	t->open_handles++;
	rc = uv_udp_bind(u, (struct sockaddr *)&ss,
	    family == AF_INET6 ? UV_UDP_IPV6ONLY : 0);
	if (rc == 0) {
		transport_size_bufs(t, u);
		rc = transport_rx_open(t, u, u == &t->udp4 ? &t->rx4 :
		    &t->rx6);
	}
	if (rc != 0) {
		*cause = xasprintf("udp socket: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

/* Host names may resolve to either family (-4, -6: one): open what the
 * literal addresses did not need, if this machine can (a name that
 * resolves to a family without a socket fails at its send). */
static void
udp_open_for_names(struct udp *t)
{
	const struct inventory	*inv = t->host->inv;
	char			*cause = NULL;

	if (inv->nnames == 0)
		return;
	if (!t->has4 && inv->family != AF_INET6) {
		if (transport_open(t, &t->udp4, AF_INET, &cause) == 0)
			t->has4 = true;
		free(cause);
		cause = NULL;
	}
	if (!t->has6 && inv->family != AF_INET) {
		if (transport_open(t, &t->udp6, AF_INET6, &cause) == 0)
			t->has6 = true;
		free(cause);
	}
}

/* Open the sockets the inventory needs (v4, v6 or both), a request
 * table for the host's capacity. */
static void *
udp_open(const struct tr_host *host, char **cause)
{
	struct udp	*t = xcalloc(1, sizeof *t);
	bool		 v4 = host->inv->has_v4, v6 = host->inv->has_v6;

	t->host = host;
	t->loop = host->loop;
	t->nreqs = 1;
	while (t->nreqs < host->capacity) {
		t->nreqs <<= 1;
		t->shift++;
	}
	t->reqs = xcalloc(t->nreqs, sizeof *t->reqs);
	codec_init(&t->codec);
	snmp_sess_init(&t->v3sess);
	t->v3sess.version = SNMP_VERSION_3;
	transport_rx_init(t);
	t->out4.udp = &t->udp4;
	t->out6.udp = &t->udp6;
	t->out4.arena = xmalloc(TRANSPORT_ARENA);
	t->out6.arena = xmalloc(TRANSPORT_ARENA);
	uv_prepare_init(t->loop, &t->prepare);
	uv_check_init(t->loop, &t->check);
	t->prepare.data = t->check.data = t;
	t->open_handles += 2;
	uv_prepare_start(&t->prepare, transport_prepare_cb);
	uv_check_start(&t->check, transport_check_cb);
	uv_unref((uv_handle_t *)&t->prepare);
	uv_unref((uv_handle_t *)&t->check);
	if ((v4 && transport_open(t, &t->udp4, AF_INET, cause) != 0) ||
	    (v6 && transport_open(t, &t->udp6, AF_INET6, cause) != 0)) {
		udp_close(t);
		uv_run(t->loop, UV_RUN_NOWAIT);
		return NULL;
	}
	t->has4 = v4;
	t->has6 = v6;
	udp_open_for_names(t);
	return t;
}

static void
transport_sent_cb(uv_udp_send_t *req, int status)
{
	struct transport_send	*s = (struct transport_send *)req;

	if (status == 0 && dump_enabled)
		dump_packet(true, "UDP", (struct sockaddr *)&s->to, s->copy,
		    s->len);
	free(s->copy);
	free(s);
}

/* The kernel refused datagram i of the batch (no route, ...): its
 * request, if still in flight with that id, fails with the reason rather
 * than waiting out its timeout. */
static void
udp_refused(struct udp *t, struct transport_batch *b, unsigned i, int rc)
{
	struct tr_req	*req = b->req[i];

	if (req->id != b->id[i] || t->reqs[req->index] != req)
		return;
	udp_unregister(t, req);
	t->host->done(t->host->ctx, req, TR_ERROR, NULL,
	    xasprintf("send: %s", uv_strerror(rc)));
}

/* The slow way, for what sendmmsg could not take now (a full socket
 * buffer): libuv queues a copy and sends it when the socket is ready. */
static void
transport_queue_copy(struct udp *t, struct transport_batch *b,
    unsigned i)
{
	struct transport_send	*s = xmalloc(sizeof *s);
	uv_buf_t		 buf;
	int			 rc;

	s->len = b->iov[i].iov_len;
	s->copy = xmalloc(s->len);
	memcpy(s->copy, b->iov[i].iov_base, s->len);
	memcpy(&s->to, &b->to[i], sizeof s->to);
	buf = uv_buf_init(s->copy, (unsigned)b->iov[i].iov_len);
	rc = uv_udp_send(&s->req, b->udp, &buf, 1,
	    (struct sockaddr *)&b->to[i], transport_sent_cb);
	if (rc != 0) {
		free(s->copy);
		free(s);
		udp_refused(t, b, i, rc);
	}
}

/* -d: datagrams [from, to) of the batch went out. */
static void
transport_dump_sent(struct transport_batch *b, unsigned from, unsigned to)
{
	for (; from < to; from++)
		dump_packet(true, "UDP", (struct sockaddr *)&b->to[from],
		    b->iov[from].iov_base, b->iov[from].iov_len);
}

/* Send the batch: one sendmmsg(2) for up to TRANSPORT_BATCH datagrams.
 * What the kernel cannot take now (EAGAIN, or ENOBUFS: a full queue)
 * goes to libuv's queue, sent when the socket can take it.  A datagram
 * the kernel refuses is reported to the scheduler; the ones after it
 * are tried again. */
static void
transport_flush_batch(struct udp *t, struct transport_batch *b)
{
	uv_os_fd_t	fd;
	unsigned	i = 0;
	int		rc;

	if (b->n == 0 || uv_fileno((uv_handle_t *)b->udp, &fd) != 0)
		return;
	while (i < b->n) {
		rc = sendmmsg(fd, b->msgs + i, b->n - i, MSG_DONTWAIT);
		if (rc > 0) {
			if (dump_enabled)
				transport_dump_sent(b, i, i + (unsigned)rc);
			i += (unsigned)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)) {
			for (; i < b->n; i++)
				transport_queue_copy(t, b, i);
			break;
		}
		udp_refused(t, b, i, uv_translate_sys_error(errno));
		i++;
	}
	b->n = 0;
	b->used = 0;
}

static void
transport_flush(struct udp *t)
{
	if (t->has4)
		transport_flush_batch(t, &t->out4);
	if (t->has6)
		transport_flush_batch(t, &t->out6);
}

static void
transport_prepare_cb(uv_prepare_t *h)
{
	transport_flush(h->data);
}

static void
transport_check_cb(uv_check_t *h)
{
	transport_flush(h->data);
}

/*
 * Queue req's packet (req->pkt, to its target) for the next batch, sent
 * at the latest when the loop next waits for I/O.  If the kernel refuses
 * it, req completes with TR_ERROR.
 */
int
udp_queue(struct udp *t, struct tr_req *req)
{
	const struct sockaddr	*to = (const struct sockaddr *)
				    &req->tt->target->addr;
	struct transport_batch	*b = to->sa_family == AF_INET6 ? &t->out6 :
				    &t->out4;
	size_t			 len = req->pkt.len;
	unsigned		 i;

	if (len > TRANSPORT_ARENA)
		return UV_EMSGSIZE;
	if (!(to->sa_family == AF_INET6 ? t->has6 : t->has4))
		return UV_EAFNOSUPPORT;	/* a name's family, not open here */
	if (b->n == TRANSPORT_BATCH || b->used + len > TRANSPORT_ARENA)
		transport_flush_batch(t, b);
	i = b->n++;
	memcpy(b->arena + b->used, req->pkt.data, len);
	b->iov[i].iov_base = b->arena + b->used;
	b->iov[i].iov_len = len;
	b->used += len;
	memcpy(&b->to[i], to, to->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	memset(&b->msgs[i], 0, sizeof b->msgs[i]);
	b->msgs[i].msg_hdr.msg_name = &b->to[i];
	b->msgs[i].msg_hdr.msg_namelen = to->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
	b->msgs[i].msg_hdr.msg_iovlen = 1;
	b->req[i] = req;
	b->id[i] = req->id;
	return 0;
}

/* A fresh id for req, registered: its answers find it from now on. */
static int32_t
udp_new_id(struct udp *t, struct tr_req *req)
{
	req->seq = (req->seq + 1) & (0x3fffffffu >> t->shift);
	if (req->seq == 0)
		req->seq = 1;
	req->id = (int32_t)(0x40000000u | req->seq << t->shift | req->index);
	t->reqs[req->index] = req;
	return req->id;
}

/* For the v3 transport: a fresh id for a raw datagram (an engineID
 * probe) that req will carry; its Report goes to the raw handler. */
int32_t
udp_raw_id(struct udp *t, struct tr_req *req)
{
	req->flags |= UDP_RAW;
	return udp_new_id(t, req);
}

/* Stop waiting for req's answers. */
void
udp_forget(struct udp *t, struct tr_req *req)
{
	udp_unregister(t, req);
	req->flags &= ~UDP_RAW;
}

/* Where the answers to raw datagrams go: cb(arg, req, pdu), pdu only
 * borrowed. */
void
udp_on_raw(struct udp *t, void (*cb)(void *, struct tr_req *,
    netsnmp_pdu *), void *arg)
{
	t->raw_cb = cb;
	t->raw_arg = arg;
}

void
codec_init(struct codec *c)
{
	snmp_sess_init(&c->sess);
	c->size = 2048;
	c->pkt = xmalloc(c->size);
	buf_init(&c->key);
	buf_init(&c->scratch);
	buf_init(&c->tmpl);
}

void
codec_free(struct codec *c)
{
	free(c->pkt);
	c->pkt = NULL;
	buf_free(&c->key);
	buf_free(&c->scratch);
	buf_free(&c->tmpl);
}

/* Does id take exactly 4 bytes as a BER INTEGER (so that one can be
 * written over another in an encoded request)? */
static bool
codec_id_fits(long id)
{
	return id >= 0x800000 && id <= 0x7fffffff;
}

/*
 * What makes two v1/v2c requests encode alike but for the request-id and
 * the community: version, command, error status and index (GETBULK's
 * non-repeaters and max-repetitions) and the OIDs, every value NULL.
 * Written to key; -1 for a request that cannot share an encoding (a
 * value that is not NULL, an id that is not 4 bytes long).
 */
static int
codec_key(const netsnmp_pdu *pdu, struct buf *key)
{
	const netsnmp_variable_list	*v;
	long				 head[4];

	if (!codec_id_fits(pdu->reqid) || pdu->version > SNMP_VERSION_2c)
		return -1;
	head[0] = pdu->version;
	head[1] = pdu->command;
	head[2] = pdu->errstat;
	head[3] = pdu->errindex;
	key->len = 0;
	buf_add(key, head, sizeof head);
	for (v = pdu->variables; v != NULL; v = v->next_variable) {
		if (v->type != ASN_NULL || v->val_len != 0)
			return -1;
		buf_add(key, &v->name_length, sizeof v->name_length);
		buf_add(key, v->name, v->name_length * sizeof *v->name);
	}
	return 0;
}

/* The bytes of n's BER definite length, shortest form. */
static size_t
codec_len_len(size_t n)
{
	size_t	k = 1;

	if (n < 0x80)
		return 1;
	while (n != 0) {
		k++;
		n >>= 8;
	}
	return k;
}

/* Add n as a BER definite length, shortest form. */
static void
codec_add_len(struct buf *b, size_t n)
{
	size_t	k = codec_len_len(n);

	if (k == 1) {
		buf_addc(b, (char)n);
		return;
	}
	buf_addc(b, (char)(0x80 | (k - 1)));
	while (--k > 0)
		buf_addc(b, (char)(n >> (8 * (k - 1))));
}

/* The length of a BER header (tag and length) at p, of the n bytes
 * there; 0 if it is not one. */
static size_t
codec_hdr_len(const u_char *p, size_t n)
{
	size_t	l;

	if (n < 2)
		return 0;
	l = p[1] < 0x80 ? 2 : 2 + (p[1] & 0x7f);
	return l <= n ? l : 0;
}

/* The request from the template: the message header with p's community,
 * the PDU's bytes, id written over the template's. */
static void
codec_from_tmpl(const struct codec *c, const struct target_params *p,
    long id, struct buf *out)
{
	size_t	clen = strlen(p->community), inner;
	u_char	*q;

	inner = 3 + 1 + codec_len_len(clen) + clen + c->tmpl.len;
	out->len = 0;
	buf_addc(out, 0x30);
	codec_add_len(out, inner);
	buf_addc(out, ASN_INTEGER);
	buf_addc(out, 1);
	buf_addc(out, (char)p->snmp_version);
	buf_addc(out, ASN_OCTET_STR);
	codec_add_len(out, clen);
	buf_add(out, p->community, clen);
	buf_add(out, c->tmpl.data, c->tmpl.len);
	q = (u_char *)out->data + out->len - c->tmpl.len + c->id_off;
	q[0] = (u_char)(id >> 24);
	q[1] = (u_char)(id >> 16);
	q[2] = (u_char)(id >> 8);
	q[3] = (u_char)id;
}

/*
 * Keep the request net-snmp encoded (m, n bytes, for id) as the template
 * of the requests with key c->scratch: its PDU's bytes and where the
 * request-id is in them.  Kept only if the template gives back exactly
 * these bytes; otherwise no template (each request is encoded whole).
 */
static void
codec_keep(struct codec *c, const struct target_params *p, long id,
    const u_char *m, size_t n, struct buf *check)
{
	size_t	pos, h, l, i;

	c->tmpl.len = 0;
	if ((pos = codec_hdr_len(m, n)) == 0 || m[0] != 0x30 ||
	    pos + 3 > n || m[pos] != ASN_INTEGER || m[pos + 1] != 1)
		return;
	pos += 3;
	if ((h = codec_hdr_len(m + pos, n - pos)) == 0 ||
	    m[pos] != ASN_OCTET_STR)
		return;
	if (h > 2 + sizeof l)
		return;
	for (l = h == 2 ? m[pos + 1] : 0, i = 2; i < h; i++)
		l = l << 8 | m[pos + i];
	pos += h + l;
	if (pos >= n || (h = codec_hdr_len(m + pos, n - pos)) == 0 ||
	    pos + h + 6 > n || m[pos + h] != ASN_INTEGER ||
	    m[pos + h + 1] != 4)
		return;
	buf_add(&c->tmpl, m + pos, n - pos);
	c->id_off = h + 2;
	codec_from_tmpl(c, p, id, check);
	if (check->len != n || memcmp(check->data, m, n) != 0) {
		c->tmpl.len = 0;
		return;
	}
	c->key.len = 0;
	buf_add(&c->key, c->scratch.data, c->scratch.len);
}

/*
 * Encode pdu (v1/v2c, community from p) into out, replacing its
 * contents.  The requests of a run are mostly alike (the same OIDs for
 * every target): the last one net-snmp encoded is kept as a template,
 * and a request like it is that template with its own community and
 * request-id (ids are 4 bytes long on the wire for this: udp_new_id).
 */
int
codec_encode(struct codec *c, const struct target_params *p,
    netsnmp_pdu *pdu, struct buf *out, char **cause)
{
	size_t	offset = 0;
	int	rc;
	bool	alike;

	pdu->version = p->snmp_version;
	alike = codec_key(pdu, &c->scratch) == 0;
	if (alike && c->tmpl.len != 0 && c->key.len == c->scratch.len &&
	    memcmp(c->key.data, c->scratch.data, c->key.len) == 0) {
		codec_from_tmpl(c, p, pdu->reqid, out);
		return 0;
	}
	c->sess.version = p->snmp_version;
	c->sess.community = (u_char *)p->community;
	c->sess.community_len = strlen(p->community);
	rc = snmp_build(&c->pkt, &c->size, &offset, &c->sess, pdu);
	c->sess.community = NULL;
	c->sess.community_len = 0;
	if (rc != SNMPERR_SUCCESS) {
		*cause = xasprintf("cannot encode request: %s",
		    snmp_api_errstring(rc));
		return -1;
	}
	if (alike)
		codec_keep(c, p, pdu->reqid, c->pkt + c->size - offset,
		    offset, out);
	out->len = 0;
	buf_add(out, c->pkt + c->size - offset, offset);
	return 0;
}

static bool
udp_carries(const struct target_params *p)
{
	return p->snmp_version == SNMP_VERSION_1 ||
	    p->snmp_version == SNMP_VERSION_2c;
}

/* A v1/v2c request: a fresh id, encoded once (kept for resends), then
 * queued. */
static int
udp_send(void *arg, struct tr_req *req, netsnmp_pdu *pdu, char **cause)
{
	struct udp	*t = arg;
	int		 rc;

	pdu->reqid = pdu->msgid = udp_new_id(t, req);
	rc = codec_encode(&t->codec, req->tt->target->params, pdu, &req->pkt,
	    cause);
	snmp_free_pdu(pdu);
	if (rc != 0) {
		udp_unregister(t, req);
		return -1;
	}
	return udp_resend(t, req, cause);
}

/* The same datagram again, same id: a late answer to any copy counts. */
static int
udp_resend(void *arg, struct tr_req *req, char **cause)
{
	struct udp	*t = arg;
	int		 rc;

	if ((rc = udp_queue(t, req)) != 0) {
		udp_unregister(t, req);
		*cause = xasprintf("send: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

static void
udp_cancel(void *arg, struct tr_req *req)
{
	udp_forget(arg, req);
}

/* The scheduler may take answers up to ms late (0: at once): a wakeup
 * that drained a socket then stops reading it for ms. */
static void
udp_nap(void *arg, unsigned ms)
{
	struct udp	*t = arg;

	t->nap_ms = ms;
}

static void
transport_free(struct udp *t)
{
	codec_free(&t->codec);
	free(t->reqs);
	free(t->out4.arena);
	free(t->out6.arena);
	free(t->rbuf);
	free(t);
}

static void
transport_closed_cb(uv_handle_t *h)
{
	struct udp	*t = h->data;
	struct udp_rx	*rx;

	if (h->type == UV_POLL || h->type == UV_TIMER) {	/* an rx's */
		rx = h->data;
		t = rx->t;
		if (h->type == UV_POLL && rx->fd >= 0) {
			close(rx->fd);
			rx->fd = -1;
		}
	}
	if (--t->open_handles > 0)
		return;
	transport_free(t);
}

/* Close the sockets (what was queued still goes); t is freed once libuv
 * has closed them. */
static void
udp_close(void *arg)
{
	struct udp	*t = arg;

	transport_flush(t);
	if (t->open_handles == 0) {
		transport_free(t);
		return;
	}
	if (!uv_is_closing((uv_handle_t *)&t->prepare)) {
		uv_close((uv_handle_t *)&t->prepare, transport_closed_cb);
		uv_close((uv_handle_t *)&t->check, transport_closed_cb);
	}
	transport_rx_close(&t->rx4);
	transport_rx_close(&t->rx6);
	if (t->udp4.data == t && !uv_is_closing((uv_handle_t *)&t->udp4))
		uv_close((uv_handle_t *)&t->udp4, transport_closed_cb);
	if (t->udp6.data == t && !uv_is_closing((uv_handle_t *)&t->udp6))
		uv_close((uv_handle_t *)&t->udp6, transport_closed_cb);
}

const struct transport_ops transport_udp_ops = {
	.name = "udp",
	.carries = udp_carries,
	.open = udp_open,
	.send = udp_send,
	.resend = udp_resend,
	.cancel = udp_cancel,
	.drops = udp_drops,
	.nap = udp_nap,
	.close = udp_close,
};
