/*
 * transport-udp.c — SNMP v1/v2c over one shared UDP socket per address
 * family (per process), with net-snmp used only as the codec: encode with
 * snmp_build() on an unopened session, decode with snmp_comstr_parse() +
 * snmp_pdu_parse().  Replies are read in batches (recvmmsg) and handed to
 * the scheduler, which matches request id and source address.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "snmpfleet.h"

#define TRANSPORT_MMSG		32
#define TRANSPORT_DGRAM		65536
#define TRANSPORT_SOCKBUF	(8 * 1024 * 1024)
#define TRANSPORT_BATCH		64
#define TRANSPORT_ARENA		(256 * 1024)

/* Outgoing datagrams of one socket, sent together with sendmmsg(2)
 * once per loop iteration (or when the batch fills up). */
struct transport_batch {
	uv_udp_t		*udp;
	struct mmsghdr		 msgs[TRANSPORT_BATCH];
	struct iovec		 iov[TRANSPORT_BATCH];
	struct sockaddr_storage	 to[TRANSPORT_BATCH];
	void			*ctx[TRANSPORT_BATCH];
	unsigned		 n;
	char			*arena;		/* the datagrams' bytes */
	size_t			 used;
};

struct transport {
	uv_loop_t		*loop;
	uv_udp_t		 udp4;
	uv_udp_t		 udp6;
	bool			 has4;
	bool			 has6;
	int			 open_handles;
	transport_pdu_cb	 cb;
	transport_err_cb	 err_cb;
	void			*ctx;
	char			*rbuf;
	struct transport_batch	 out4;
	struct transport_batch	 out6;
	uv_prepare_t		 prepare;
	uv_check_t		 check;
	void			(*closed_cb)(void *);
	void			*closed_arg;
};

struct transport_send {
	uv_udp_send_t	 req;
	char		*copy;
};

static bool	transport_is_v3(const u_char *, size_t);
static void	transport_prepare_cb(uv_prepare_t *);
static void	transport_check_cb(uv_check_t *);
static void	transport_v3_report(struct transport *, u_char *, size_t,
		    const struct sockaddr *);

static void
transport_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct transport	*t = h->data;

	*b = uv_buf_init(t->rbuf, TRANSPORT_MMSG * TRANSPORT_DGRAM);
}

/*
 * Decode one v1/v2c datagram of len bytes; NULL unless it is a
 * well-formed Response.  (The fuzz harness tests/fuzz/fuzz-reply.c feeds
 * it arbitrary datagrams.)
 */
netsnmp_pdu *
transport_decode(u_char *buf, size_t len)
{
	netsnmp_pdu	*pdu;
	u_char		*data, community[256];
	size_t		 clen = sizeof community;
	long		 version;

	data = snmp_comstr_parse(buf, &len, community, &clen, &version);
	if (data == NULL || (version != SNMP_VERSION_1 &&
	    version != SNMP_VERSION_2c))
		return NULL;
	pdu = snmp_pdu_create(0);
	pdu->version = version;
	if (snmp_pdu_parse(pdu, data, &len) != 0 ||
	    pdu->command != SNMP_MSG_RESPONSE) {
		snmp_free_pdu(pdu);
		return NULL;
	}
	return pdu;
}

/* A datagram: a v3 Report for the engineID probes, else a v1/v2c
 * Response; anything else is dropped. */
static void
transport_recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *b,
    const struct sockaddr *from, unsigned flags)
{
	struct transport	*t = h->data;
	netsnmp_pdu		*pdu;
	size_t			 len = (size_t)nread;

	if (nread <= 0 || from == NULL)
		return;
	if (transport_is_v3((const u_char *)b->base, len)) {
		transport_v3_report(t, (u_char *)b->base, len, from);
		return;
	}
	if ((pdu = transport_decode((u_char *)b->base, len)) != NULL)
		t->cb(t->ctx, pdu, from);
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
 * side effect, learns the engine's boots and time); the scheduler gets it
 * with reqid = the probe's message id.
 */
static void
transport_v3_report(struct transport *t, u_char *data, size_t len,
    const struct sockaddr *from)
{
	static netsnmp_session	 sess;
	static bool		 ready;
	netsnmp_pdu		*pdu;

	if (!ready) {
		snmp_sess_init(&sess);
		sess.version = SNMP_VERSION_3;
		ready = true;
	}
	pdu = snmp_pdu_create(0);
	if (snmp_parse(NULL, &sess, pdu, data, len) != SNMPERR_SUCCESS ||
	    pdu->command != SNMP_MSG_REPORT ||
	    pdu->securityEngineIDLen == 0) {
		snmp_free_pdu(pdu);
		return;
	}
	pdu->reqid = pdu->msgid;
	t->cb(t->ctx, pdu, from);
}

static int
transport_open(struct transport *t, uv_udp_t *u, int family, char **cause)
{
	struct sockaddr_storage	 ss;
	int			 rc, size = TRANSPORT_SOCKBUF;

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
		uv_recv_buffer_size((uv_handle_t *)u, &size);
		size = TRANSPORT_SOCKBUF;
		uv_send_buffer_size((uv_handle_t *)u, &size);
		rc = uv_udp_recv_start(u, transport_alloc_cb,
		    transport_recv_cb);
	}
	if (rc != 0) {
		*cause = xasprintf("udp socket: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

/* Open the sockets the inventory needs (v4, v6 or both). */
struct transport *
transport_udp_new(uv_loop_t *loop, bool v4, bool v6, transport_pdu_cb cb,
    transport_err_cb err_cb, void *ctx, char **cause)
{
	struct transport	*t = xcalloc(1, sizeof *t);

	t->loop = loop;
	t->cb = cb;
	t->err_cb = err_cb;
	t->ctx = ctx;
	t->rbuf = xmalloc(TRANSPORT_MMSG * TRANSPORT_DGRAM);
	t->out4.udp = &t->udp4;
	t->out6.udp = &t->udp6;
	t->out4.arena = xmalloc(TRANSPORT_ARENA);
	t->out6.arena = xmalloc(TRANSPORT_ARENA);
	uv_prepare_init(loop, &t->prepare);
	uv_check_init(loop, &t->check);
	t->prepare.data = t->check.data = t;
	t->open_handles += 2;
	uv_prepare_start(&t->prepare, transport_prepare_cb);
	uv_check_start(&t->check, transport_check_cb);
	uv_unref((uv_handle_t *)&t->prepare);
	uv_unref((uv_handle_t *)&t->check);
	if ((v4 && transport_open(t, &t->udp4, AF_INET, cause) != 0) ||
	    (v6 && transport_open(t, &t->udp6, AF_INET6, cause) != 0)) {
		transport_close(t, NULL, NULL);
		uv_run(loop, UV_RUN_NOWAIT);
		return NULL;
	}
	t->has4 = v4;
	t->has6 = v6;
	return t;
}

static void
transport_sent_cb(uv_udp_send_t *req, int status)
{
	struct transport_send	*s = (struct transport_send *)req;

	free(s->copy);
	free(s);
}

/* The slow way, for what sendmmsg could not take now (a full socket
 * buffer): libuv queues a copy and sends it when the socket is ready. */
static void
transport_queue_copy(struct transport *t, struct transport_batch *b,
    unsigned i)
{
	struct transport_send	*s = xmalloc(sizeof *s);
	uv_buf_t		 buf;
	int			 rc;

	s->copy = xmalloc(b->iov[i].iov_len);
	memcpy(s->copy, b->iov[i].iov_base, b->iov[i].iov_len);
	buf = uv_buf_init(s->copy, (unsigned)b->iov[i].iov_len);
	rc = uv_udp_send(&s->req, b->udp, &buf, 1,
	    (struct sockaddr *)&b->to[i], transport_sent_cb);
	if (rc != 0) {
		free(s->copy);
		free(s);
		t->err_cb(t->ctx, b->ctx[i], rc);
	}
}

/* Send the batch: one sendmmsg(2) for up to TRANSPORT_BATCH datagrams.
 * A datagram the kernel refuses is reported to the scheduler; the ones
 * after it are tried again. */
static void
transport_flush_batch(struct transport *t, struct transport_batch *b)
{
	uv_os_fd_t	fd;
	unsigned	i = 0;
	int		rc;

	if (b->n == 0 || uv_fileno((uv_handle_t *)b->udp, &fd) != 0)
		return;
	while (i < b->n) {
		rc = sendmmsg(fd, b->msgs + i, b->n - i, MSG_DONTWAIT);
		if (rc > 0) {
			i += (unsigned)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			for (; i < b->n; i++)
				transport_queue_copy(t, b, i);
			break;
		}
		t->err_cb(t->ctx, b->ctx[i], uv_translate_sys_error(errno));
		i++;
	}
	b->n = 0;
	b->used = 0;
}

static void
transport_flush(struct transport *t)
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
 * Queue one datagram for the next batch (sent at the latest when the
 * loop next waits for I/O).  ctx comes back through the error callback
 * if the kernel refuses it.
 */
int
transport_udp_send(struct transport *t, const struct sockaddr *to,
    const u_char *data, size_t len, void *ctx)
{
	struct transport_batch	*b = to->sa_family == AF_INET6 ? &t->out6 :
				    &t->out4;
	unsigned		 i;

	if (len > TRANSPORT_ARENA)
		return UV_EMSGSIZE;
	if (b->n == TRANSPORT_BATCH || b->used + len > TRANSPORT_ARENA)
		transport_flush_batch(t, b);
	i = b->n++;
	memcpy(b->arena + b->used, data, len);
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
	b->ctx[i] = ctx;
	return 0;
}

/* Encode pdu (v1/v2c, community from p) into out, replacing its
 * contents. */
int
transport_encode(const struct target_params *p, netsnmp_pdu *pdu,
    struct buf *out, char **cause)
{
	static netsnmp_session	 sess;
	static bool		 sess_ready;
	static u_char		*pkt;
	static size_t		 pkt_size;
	size_t			 offset = 0;
	int			 rc;

	if (!sess_ready) {
		snmp_sess_init(&sess);
		sess_ready = true;
	}
	if (pkt == NULL) {
		pkt_size = 2048;
		pkt = xmalloc(pkt_size);
	}
	sess.version = p->snmp_version;
	sess.community = (u_char *)p->community;
	sess.community_len = strlen(p->community);
	pdu->version = p->snmp_version;
	rc = snmp_build(&pkt, &pkt_size, &offset, &sess, pdu);
	sess.community = NULL;
	sess.community_len = 0;
	if (rc != SNMPERR_SUCCESS) {
		*cause = xasprintf("cannot encode request: %s",
		    snmp_api_errstring(rc));
		return -1;
	}
	out->len = 0;
	buf_add(out, pkt + pkt_size - offset, offset);
	return 0;
}

static void
transport_free(struct transport *t)
{
	free(t->out4.arena);
	free(t->out6.arena);
	free(t->rbuf);
	free(t);
}

static void
transport_closed_cb(uv_handle_t *h)
{
	struct transport	*t = h->data;

	if (--t->open_handles > 0)
		return;
	if (t->closed_cb != NULL)
		t->closed_cb(t->closed_arg);
	transport_free(t);
}

/* Close the sockets; cb(arg) runs once they are closed and t is gone. */
void
transport_close(struct transport *t, void (*cb)(void *), void *arg)
{
	t->closed_cb = cb;
	t->closed_arg = arg;
	transport_flush(t);	/* what was queued still goes */
	if (t->open_handles == 0) {
		if (cb != NULL)
			cb(arg);
		transport_free(t);
		return;
	}
	if (!uv_is_closing((uv_handle_t *)&t->prepare)) {
		uv_close((uv_handle_t *)&t->prepare, transport_closed_cb);
		uv_close((uv_handle_t *)&t->check, transport_closed_cb);
	}
	if (t->udp4.data == t && !uv_is_closing((uv_handle_t *)&t->udp4))
		uv_close((uv_handle_t *)&t->udp4, transport_closed_cb);
	if (t->udp6.data == t && !uv_is_closing((uv_handle_t *)&t->udp6))
		uv_close((uv_handle_t *)&t->udp6, transport_closed_cb);
}
