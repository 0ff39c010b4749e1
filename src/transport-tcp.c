/*
 * transport-tcp.c — SNMP over TCP (RFC 3430) for v1, v2c and v3: each
 * message is one BER SEQUENCE on the stream, read whole by its BER
 * length.  One connection per target, opened by its first request and
 * used by every request of the target until the target is done.  The
 * framing is ours; net-snmp only encodes and decodes, as on UDP (v1/v2c
 * through transport-udp.c's codec; v3 with snmp_build()/snmp_parse() on
 * an unopened session whose USM user is made once the engineID is
 * known).  net-snmp's own TCP sessions are not used: they connect with
 * a blocking connect(2), which would stall the loop on a dead host.
 *
 * SNMPv3: the first thing on a new connection is an engineID discovery
 * probe (usm_probe); the target's requests wait inside the transport
 * (their timers running) until its Report names the engine.
 *
 * Timing: a request's timer starts when it is handed over, so the
 * connect (and v3 discovery) counts in the target's timeout.  A retry
 * sends nothing: the request is on a reliable stream already (or waits
 * for the connection), so another copy on the same connection would only
 * be read twice; a retry is another --timeout of waiting.  A connection
 * that fails (refused, reset, closed by the agent, a message that is not
 * SNMP) fails the target's requests at once with the reason.
 *
 * Descriptors: at most tcp_max_conns() connections are open at once per
 * process; a target beyond that waits (its requests parked, untimed)
 * until another target's connection closes.
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "snmpfleet.h"

#define TCP_PARKED	0x10000	/* tr_req flags: waiting for a descriptor */
#define TCP_GO		0x20000	/* parked, now let go: resend sends it */
#define TCP_HELD	0x40000	/* v3: written once the engineID is known */
#define TCP_TW		0x80000	/* v3: sent again after "not in time window" */
#define TCP_MSG_MAX	(4 * 1024 * 1024)	/* bytes of one message */
#define TCP_READ_CHUNK	65536
#define TCP_FD_RESERVE	64	/* descriptors kept for everything else */

enum tcp_state {
	TCP_NONE,		/* no connection yet */
	TCP_WAITING,		/* waiting for a descriptor */
	TCP_OPEN,		/* connecting or connected */
	TCP_FAILED,		/* failed: every request fails with why */
};

enum tcp_v3 { TCP_V3_NONE, TCP_V3_DISCOVER, TCP_V3_READY };

struct tcp_conn {			/* one target's connection */
	struct tcp		*t;
	struct tr_target	*tt;		/* NULL once the target is done */
	enum tcp_state		 state;
	uv_tcp_t		 handle;
	uv_connect_t		 connect;
	bool			 has_handle;	/* handle open or closing */
	unsigned		 holds;		/* our callbacks running */
	char			*why;		/* TCP_FAILED: the reason */
	struct buf		 in;		/* bytes of a message so far */
	struct tr_req		*reqs[PER_TARGET_MAX];	/* in flight */
	unsigned		 nreqs;
	struct tcp_conn		*next_waiting;
	/* SNMPv3 */
	enum tcp_v3		 v3;
	bool			 answered;	/* discovery was answered */
	netsnmp_session		 sess;		/* user, keys, engineID */
	u_char			 engine[32];
	size_t			 engine_len;
};

struct tcp {
	const struct tr_host	*host;
	struct codec		 codec;
	unsigned		 shift;		/* log2 of the id table size */
	unsigned		 open;		/* connections holding a descriptor */
	unsigned		 max_open;
	unsigned		 nconns;	/* conn structs alive */
	bool			 closed;	/* tcp_close(): free at the end */
	struct tcp_conn		*wait_head;	/* waiting for a descriptor */
	struct tcp_conn		*wait_tail;
};

struct tcp_write {
	uv_write_t	 w;
	char		 data[];
};

static void	tcp_fail(struct tcp_conn *, char *);
static int	tcp_v3_transmit(struct tcp_conn *, struct tr_req *, char **);

/*
 * Raise the soft limit on open files to the hard one (once is enough;
 * again is harmless) and say how many TCP connections this process may
 * hold at once: the limit less a reserve, less a descriptor per request
 * in flight when SNMPv3 targets go over UDP (their net-snmp sessions).
 */
unsigned
tcp_max_conns(const struct inventory *inv, unsigned concurrency)
{
	struct rlimit	rl;
	rlim_t		reserve = TCP_FD_RESERVE;
	size_t		i;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return concurrency;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < inv->nparams; i++) {
		if (inv->params[i]->snmp_version == SNMP_VERSION_3 &&
		    inv->params[i]->transport != TARGET_TCP) {
			reserve += concurrency;
			break;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur - reserve >= UINT_MAX)
		return UINT_MAX;
	if (rl.rlim_cur <= reserve)
		return rl.rlim_cur / 2 > 0 ? (unsigned)(rl.rlim_cur / 2) : 1;
	return (unsigned)(rl.rlim_cur - reserve);
}

/* Does any target of inv go over TCP? */
bool
tcp_in_use(const struct inventory *inv)
{
	size_t	i;

	for (i = 0; i < inv->nparams; i++) {
		if (inv->params[i]->transport == TARGET_TCP)
			return true;
	}
	return false;
}

/*
 * Before the workers start: raise the open-files limit for TCP targets;
 * if it still holds fewer connections than --concurrency, *note says so
 * (allocated) and 1 is returned.
 */
int
tcp_prepare(const struct inventory *inv, unsigned concurrency, char **note)
{
	struct rlimit	rl;
	unsigned	n;

	if (!tcp_in_use(inv) || (n = tcp_max_conns(inv, concurrency)) >=
	    concurrency)
		return 0;
	getrlimit(RLIMIT_NOFILE, &rl);
	*note = xasprintf("open files are limited to %llu (ulimit -n): at "
	    "most %u TCP connections at once per worker, so at most %u TCP "
	    "targets are polled at once (the others wait for a connection "
	    "to close); raise the limit to poll more at once",
	    (unsigned long long)rl.rlim_cur, n, n);
	return 1;
}

/*
 * The length of the whole BER SEQUENCE that the n bytes at p begin: 0
 * while more bytes are needed, -1 if it is no SNMP message (or one
 * longer than TCP_MSG_MAX).
 */
long
tcp_frame(const u_char *p, size_t n)
{
	size_t	hdr, len = 0, k, i;

	if (n == 0)
		return 0;
	if (p[0] != 0x30)
		return -1;
	if (n < 2)
		return 0;
	if (p[1] < 0x80) {
		hdr = 2;
		len = p[1];
	} else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 4)
			return -1;
		if (n < 2 + k)
			return 0;
		for (i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hdr = 2 + k;
	}
	if (len > TCP_MSG_MAX)
		return -1;
	if (n < hdr + len)
		return 0;
	return (long)(hdr + len);
}

static bool
tcp_carries(const struct target_params *p)
{
	return p->transport == TARGET_TCP;
}

static void
tcp_free(struct tcp *t)
{
	codec_free(&t->codec);
	free(t);
}

static void
tcp_conn_free(struct tcp_conn *c)
{
	struct tcp	*t = c->t;

	buf_free(&c->in);
	free(c->why);
	free(c);
	if (--t->nconns == 0 && t->closed)
		tcp_free(t);
}

/* Free c once nothing refers to it: its target done, its handle closed,
 * none of our callbacks on the stack. */
static void
tcp_conn_maybe_free(struct tcp_conn *c)
{
	if (c->tt == NULL && !c->has_handle && c->holds == 0)
		tcp_conn_free(c);
}

static void
tcp_release(struct tcp_conn *c)
{
	c->holds--;
	tcp_conn_maybe_free(c);
}

/* Complete req (taken out of the connection's list first). */
static void
tcp_complete(struct tcp_conn *c, struct tr_req *req, enum tr_event ev,
    netsnmp_pdu *pdu, char *cause)
{
	c->t->host->done(c->t->host->ctx, req, ev, pdu, cause);
}

static bool
tcp_has(const struct tcp_conn *c, const struct tr_req *req)
{
	unsigned	i;

	for (i = 0; i < c->nreqs; i++) {
		if (c->reqs[i] == req)
			return true;
	}
	return false;
}

static void
tcp_remove(struct tcp_conn *c, const struct tr_req *req)
{
	unsigned	i, k = 0;

	for (i = 0; i < c->nreqs; i++) {
		if (c->reqs[i] != req)
			c->reqs[k++] = c->reqs[i];
	}
	c->nreqs = k;
}

/* The request in flight on c with this id, or NULL. */
static struct tr_req *
tcp_match(struct tcp_conn *c, long id)
{
	unsigned	i;

	if (id <= 0)
		return NULL;
	for (i = 0; i < c->nreqs; i++) {
		if (c->reqs[i]->id == id &&
		    !(c->reqs[i]->flags & (TCP_PARKED | TCP_HELD)))
			return c->reqs[i];
	}
	return NULL;
}

/* A fresh id for req (its index in the low bits, a generation above, as
 * on UDP: unique among the process's requests in flight). */
static void
tcp_new_id(struct tcp *t, struct tr_req *req)
{
	req->seq = (req->seq + 1) & (0x7fffffffu >> t->shift);
	if (req->seq == 0)
		req->seq = 1;
	req->id = (int32_t)(req->seq << t->shift | req->index);
}

static void
tcp_written_cb(uv_write_t *w, int status)
{
	struct tcp_conn	*c = w->handle->data;

	free(w);
	if (status == 0 || status == UV_ECANCELED || c->state != TCP_OPEN)
		return;
	c->holds++;
	tcp_fail(c, xasprintf("send: %s", uv_strerror(status)));
	tcp_release(c);
}

/* Queue len bytes on c's stream (libuv holds them while it connects). */
static int
tcp_write(struct tcp_conn *c, const void *p, size_t len, char **cause)
{
	struct tcp_write	*w = xmalloc(sizeof *w + len);
	uv_buf_t		 b;
	int			 rc;

	memcpy(w->data, p, len);
	if (dump_enabled)
		dump_packet(true, "TCP", (const struct sockaddr *)
		    &c->tt->target->addr, p, len);
	b = uv_buf_init(w->data, (unsigned)len);
	if ((rc = uv_write(&w->w, (uv_stream_t *)&c->handle, &b, 1,
	    tcp_written_cb)) != 0) {
		free(w);
		*cause = xasprintf("send: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

static void
tcp_closed_cb(uv_handle_t *h)
{
	struct tcp_conn	*c = h->data;
	struct tcp	*t = c->t;
	struct tcp_conn	*w;
	struct tr_req	*list[PER_TARGET_MAX];
	unsigned	 i, n;

	c->has_handle = false;
	t->open--;
	if (t->closed) {		/* the last one frees t */
		tcp_conn_maybe_free(c);
		return;
	}
	tcp_conn_maybe_free(c);
	/* a descriptor is free: the longest waiting target may connect */
	while (t->open < t->max_open &&
	    (w = t->wait_head) != NULL) {
		t->wait_head = w->next_waiting;
		if (t->wait_head == NULL)
			t->wait_tail = NULL;
		w->state = TCP_NONE;
		n = w->nreqs;
		if (n != 0)	/* w->reqs may be NULL with none */
			memcpy(list, w->reqs, n * sizeof *list);
		w->holds++;
		for (i = 0; i < n && w->tt != NULL; i++) {
			if (!tcp_has(w, list[i]) ||
			    !(list[i]->flags & TCP_PARKED))
				continue;
			list[i]->flags = (list[i]->flags & ~TCP_PARKED) |
			    TCP_GO;
			tcp_complete(w, list[i], TR_READY, NULL, NULL);
		}
		tcp_release(w);
	}
}

/* Let go of c's descriptor (its handle), if it has one. */
static void
tcp_close_handle(struct tcp_conn *c)
{
	if (c->has_handle && !uv_is_closing((uv_handle_t *)&c->handle))
		uv_close((uv_handle_t *)&c->handle, tcp_closed_cb);
}

/*
 * The connection failed (why, taken over): it closes, every request on
 * it fails with the reason, and so does every later one of the target.
 */
static void
tcp_fail(struct tcp_conn *c, char *why)
{
	struct tr_req	*list[PER_TARGET_MAX];
	unsigned	 i, n;

	if (c->state == TCP_FAILED) {
		free(why);
		return;
	}
	c->state = TCP_FAILED;
	c->why = why;
	tcp_close_handle(c);
	n = c->nreqs;
	if (n != 0)		/* c->reqs may be NULL with none */
		memcpy(list, c->reqs, n * sizeof *list);
	c->holds++;
	for (i = 0; i < n && c->tt != NULL; i++) {
		if (!tcp_has(c, list[i]))
			continue;
		tcp_remove(c, list[i]);
		list[i]->id = 0;
		tcp_complete(c, list[i], TR_ERROR, NULL, xstrdup(c->why));
	}
	tcp_release(c);
}

/* The USM user of c's target at its engine, made once. */
static int
tcp_v3_user(struct tcp_conn *c, char **cause)
{
	const struct target_params	*p = c->tt->target->params;

	snmp_sess_init(&c->sess);
	usm_session(p, &c->sess);
	/* net-snmp 5.9.3 wants protocols for the user even where the level
	 * uses none ("privProtocol lookup failed") */
	if (c->sess.securityAuthProto == NULL) {
		c->sess.securityAuthProto = (oid *)usmNoAuthProtocol;
		c->sess.securityAuthProtoLen = OID_LENGTH(usmNoAuthProtocol);
		c->sess.securityAuthKeyLen = 0;
	}
	if (c->sess.securityPrivProto == NULL) {
		c->sess.securityPrivProto = (oid *)usmNoPrivProtocol;
		c->sess.securityPrivProtoLen = OID_LENGTH(usmNoPrivProtocol);
		c->sess.securityPrivKeyLen = 0;
	}
	if (c->sess.contextName == NULL) {
		c->sess.contextName = (char *)"";
		c->sess.contextNameLen = 0;
	}
	c->sess.securityEngineID = c->engine;
	c->sess.securityEngineIDLen = c->engine_len;
	c->sess.contextEngineID = c->engine;
	c->sess.contextEngineIDLen = c->engine_len;
	if (p->context_engine_id_len != 0) {	/* -E */
		c->sess.contextEngineID = (u_char *)p->context_engine_id;
		c->sess.contextEngineIDLen = p->context_engine_id_len;
	}
	if (usm_create_user_from_session(&c->sess) != SNMPERR_SUCCESS) {
		*cause = xstrdup("cannot set up the SNMPv3 user");
		return -1;
	}
	c->v3 = TCP_V3_READY;
	return 0;
}

/* The engineID is known: write every request that waited for it. */
static void
tcp_v3_ready(struct tcp_conn *c)
{
	struct tr_req	*list[PER_TARGET_MAX];
	char		*cause = NULL;
	unsigned	 i, n;

	if (tcp_v3_user(c, &cause) != 0) {
		tcp_fail(c, cause);
		return;
	}
	n = c->nreqs;
	if (n != 0)
		memcpy(list, c->reqs, n * sizeof *list);
	for (i = 0; i < n && c->state == TCP_OPEN && c->tt != NULL; i++) {
		if (!tcp_has(c, list[i]) || !(list[i]->flags & TCP_HELD))
			continue;
		list[i]->flags &= ~TCP_HELD;
		if (tcp_v3_transmit(c, list[i], &cause) != 0) {
			tcp_remove(c, list[i]);
			tcp_complete(c, list[i], TR_ERROR, NULL, cause);
		}
	}
}

/* A v3 message: the discovery Report, or an answer to a request. */
static void
tcp_v3_message(struct tcp_conn *c, u_char *data, size_t len)
{
	netsnmp_pdu	*pdu = snmp_pdu_create(0);
	struct tr_req	*req;
	char		*cause = NULL;

	if (snmp_parse(NULL, &c->sess, pdu, data, len) != SNMPERR_SUCCESS)
		goto out;
	if (c->v3 == TCP_V3_DISCOVER) {
		if (pdu->command == SNMP_MSG_REPORT &&
		    pdu->securityEngineIDLen != 0) {
			c->answered = true;
			c->engine_len = pdu->securityEngineIDLen <
			    sizeof c->engine ? pdu->securityEngineIDLen :
			    sizeof c->engine;
			if (c->engine_len != 0)
				memcpy(c->engine, pdu->securityEngineID,
				    c->engine_len);
			tcp_v3_ready(c);
		}
		goto out;
	}
	if ((req = tcp_match(c, pdu->msgid)) == NULL)
		goto out;
	c->answered = true;
	if (pdu->command != SNMP_MSG_REPORT) {
		tcp_remove(c, req);
		if (!c->t->host->done(c->t->host->ctx, req, TR_REPLY, pdu,
		    NULL) && !tcp_has(c, req) && c->tt != NULL)
			c->reqs[c->nreqs++] = req;	/* refused: wait on */
		goto out;
	}
	if (usm_report_time_window(pdu) && !(req->flags & TCP_TW)) {
		/* net-snmp has learnt the engine's time from it: again */
		req->flags |= TCP_TW;
		if (tcp_v3_transmit(c, req, &cause) == 0)
			goto out;
	} else
		cause = usm_report_reason(pdu, c->tt->target->params);
	tcp_remove(c, req);
	tcp_complete(c, req, TR_ERROR, NULL, cause);
out:
	snmp_free_pdu(pdu);
}

/* A v1/v2c message: the Response to one of the target's requests. */
static void
tcp_v12_message(struct tcp_conn *c, u_char *data, size_t len)
{
	netsnmp_pdu	*pdu;
	struct tr_req	*req;

	if ((pdu = transport_decode(data, len)) == NULL)
		return;
	if ((req = tcp_match(c, pdu->reqid)) != NULL) {
		tcp_remove(c, req);
		if (!c->t->host->done(c->t->host->ctx, req, TR_REPLY, pdu,
		    NULL) && !tcp_has(c, req) && c->tt != NULL)
			c->reqs[c->nreqs++] = req;	/* refused: wait on */
	}
	snmp_free_pdu(pdu);
}

static void
tcp_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct tcp_conn	*c = h->data;

	buf_reserve(&c->in, TCP_READ_CHUNK);
	*b = uv_buf_init(c->in.data + c->in.len, TCP_READ_CHUNK);
}

/* Bytes from the agent: hand on every whole message. */
static void
tcp_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct tcp_conn	*c = s->data;
	size_t		 at = 0;
	long		 n;

	if (nread == 0 || c->state != TCP_OPEN)
		return;
	c->holds++;
	if (nread < 0) {
		tcp_fail(c, nread == UV_EOF ?
		    xstrdup("connection closed by the agent") :
		    xasprintf("receive: %s", uv_strerror((int)nread)));
		tcp_release(c);
		return;
	}
	c->in.len += (size_t)nread;
	while (c->state == TCP_OPEN && c->tt != NULL &&
	    (n = tcp_frame((u_char *)c->in.data + at, c->in.len - at)) != 0) {
		if (n < 0) {
			tcp_fail(c, xstrdup("the agent sent something that is "
			    "not an SNMP message"));
			break;
		}
		if (dump_enabled)
			dump_packet(false, "TCP", (const struct sockaddr *)
			    &c->tt->target->addr, c->in.data + at, (size_t)n);
		if (c->tt->target->params->snmp_version == SNMP_VERSION_3)
			tcp_v3_message(c, (u_char *)c->in.data + at,
			    (size_t)n);
		else
			tcp_v12_message(c, (u_char *)c->in.data + at,
			    (size_t)n);
		at += (size_t)n;
	}
	if (at > c->in.len)
		at = c->in.len;
	if (c->in.len > at)
		memmove(c->in.data, c->in.data + at, c->in.len - at);
	c->in.len -= at;
	tcp_release(c);
}

static void
tcp_connected_cb(uv_connect_t *cr, int status)
{
	struct tcp_conn	*c = cr->handle->data;
	int		 rc;

	if (status == UV_ECANCELED || c->state != TCP_OPEN)
		return;
	c->holds++;
	if (status != 0)
		tcp_fail(c, xasprintf("connect: %s", uv_strerror(status)));
	else if ((rc = uv_read_start((uv_stream_t *)&c->handle, tcp_alloc_cb,
	    tcp_read_cb)) != 0)
		tcp_fail(c, xasprintf("receive: %s", uv_strerror(rc)));
	tcp_release(c);
}

/* c failed before any request went out on it (the caller reports its
 * own request's failure): later ones fail with the same reason. */
static int
tcp_broken(struct tcp_conn *c, char **cause)
{
	c->state = TCP_FAILED;
	c->why = xstrdup(*cause);
	tcp_close_handle(c);
	return -1;
}

/* Connect c to its target (a descriptor is free); v3 starts discovery. */
static int
tcp_connect(struct tcp_conn *c, char **cause)
{
	struct tcp			*t = c->t;
	const struct target		*tg = c->tt->target;
	const struct target_params	*p = tg->params;
	u_char				 probe[128];
	size_t				 len;
	int				 rc;

	if ((rc = uv_tcp_init(t->host->loop, &c->handle)) != 0) {
		*cause = xasprintf("connect: %s", uv_strerror(rc));
		return -1;
	}
	c->handle.data = c;
	c->has_handle = true;
	t->open++;
	c->state = TCP_OPEN;
	uv_tcp_nodelay(&c->handle, 1);
	if ((rc = uv_tcp_connect(&c->connect, &c->handle,
	    (const struct sockaddr *)&tg->addr, tcp_connected_cb)) != 0) {
		*cause = xasprintf("connect: %s", uv_strerror(rc));
		return tcp_broken(c, cause);
	}
	if (p->snmp_version != SNMP_VERSION_3)
		return 0;
	snmp_sess_init(&c->sess);	/* parses the discovery Report */
	c->sess.version = SNMP_VERSION_3;
	if (p->engine_id_len != 0) {		/* -e: no discovery */
		memcpy(c->engine, p->engine_id, p->engine_id_len);
		c->engine_len = p->engine_id_len;
		if (tcp_v3_user(c, cause) != 0)
			return tcp_broken(c, cause);
		return 0;
	}
	c->v3 = TCP_V3_DISCOVER;
	len = usm_probe(probe, sizeof probe, 1);
	if (tcp_write(c, probe, len, cause) != 0)
		return tcp_broken(c, cause);
	return 0;
}

/* The target's connection state, made on its first request. */
static struct tcp_conn *
tcp_conn(struct tcp *t, struct tr_target *tt)
{
	struct tcp_conn	*c = tt->state;

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof *c);
	c->t = t;
	c->tt = tt;
	buf_init(&c->in);
	tt->state = c;
	t->nconns++;
	return c;
}

/* Encode req's request (v3, fresh id kept) and write it. */
static int
tcp_v3_transmit(struct tcp_conn *c, struct tr_req *req, char **cause)
{
	struct codec	*k = &c->t->codec;
	netsnmp_pdu	*copy = snmp_clone_pdu(req->pdu);
	size_t		 offset = 0;
	int		 rc;

	if (copy == NULL) {
		*cause = xstrdup("SNMPv3 send: out of memory");
		return -1;
	}
	copy->version = SNMP_VERSION_3;
	copy->reqid = copy->msgid = req->id;
	rc = snmp_build(&k->pkt, &k->size, &offset, &c->sess, copy);
	snmp_free_pdu(copy);
	if (rc != 0) {
		*cause = xasprintf("cannot encode request: %s",
		    snmp_api_errstring(c->sess.s_snmp_errno));
		return -1;
	}
	return tcp_write(c, k->pkt + k->size - offset, offset, cause);
}

/*
 * Put req on its target's connection: connect first if there is none
 * (or park it, 1, while no descriptor is free); v3 requests wait for
 * the engineID.
 */
static int
tcp_go(struct tcp *t, struct tcp_conn *c, struct tr_req *req, char **cause)
{
	switch (c->state) {
	case TCP_FAILED:
		*cause = xstrdup(c->why);
		return -1;
	case TCP_WAITING:
		req->flags |= TCP_PARKED;
		return 1;
	case TCP_NONE:
		if (t->open >= t->max_open) {
			c->state = TCP_WAITING;
			c->next_waiting = NULL;
			if (t->wait_tail != NULL)
				t->wait_tail->next_waiting = c;
			else
				t->wait_head = c;
			t->wait_tail = c;
			req->flags |= TCP_PARKED;
			return 1;
		}
		if (tcp_connect(c, cause) != 0)
			return -1;
		break;
	case TCP_OPEN:
		break;
	}
	if (req->tt->target->params->snmp_version != SNMP_VERSION_3)
		return tcp_write(c, req->pkt.data, req->pkt.len, cause);
	if (c->v3 != TCP_V3_READY) {
		req->flags |= TCP_HELD;
		return 0;
	}
	return tcp_v3_transmit(c, req, cause);
}

static int
tcp_send(void *arg, struct tr_req *req, netsnmp_pdu *pdu, char **cause)
{
	struct tcp	*t = arg;
	struct tcp_conn	*c = tcp_conn(t, req->tt);
	int		 rc;

	req->flags &= ~(TCP_PARKED | TCP_GO | TCP_HELD | TCP_TW);
	tcp_new_id(t, req);
	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = NULL;
	if (req->tt->target->params->snmp_version == SNMP_VERSION_3)
		req->pdu = pdu;		/* encoded once the engine is known */
	else {
		pdu->reqid = pdu->msgid = req->id;
		rc = codec_encode(&t->codec, req->tt->target->params, pdu,
		    &req->pkt, cause);
		snmp_free_pdu(pdu);
		if (rc != 0) {
			req->id = 0;
			return -1;
		}
	}
	if (!tcp_has(c, req))
		c->reqs[c->nreqs++] = req;
	if ((rc = tcp_go(t, c, req, cause)) < 0) {
		tcp_remove(c, req);
		req->id = 0;
	}
	return rc;
}

/*
 * Again: a parked request let go (TR_READY) is sent now; a retry after a
 * timeout sends nothing (the request is on the stream, or waits for the
 * connection or the engineID) and is one more --timeout of waiting.
 */
static int
tcp_resend(void *arg, struct tr_req *req, char **cause)
{
	struct tcp	*t = arg;
	struct tcp_conn	*c = req->tt->state;
	int		 rc;

	if (c == NULL || !tcp_has(c, req))
		return 0;
	if (c->state == TCP_FAILED) {
		tcp_remove(c, req);
		*cause = xstrdup(c->why);
		return -1;
	}
	if (!(req->flags & (TCP_GO | TCP_PARKED)))
		return 0;
	req->flags &= ~(TCP_GO | TCP_PARKED);
	if ((rc = tcp_go(t, c, req, cause)) < 0)
		tcp_remove(c, req);
	return rc;
}

static void
tcp_cancel(void *arg, struct tr_req *req)
{
	struct tcp_conn	*c = req->tt != NULL ? req->tt->state : NULL;

	if (c != NULL)
		tcp_remove(c, req);
	if (req->pdu != NULL)
		snmp_free_pdu(req->pdu);
	req->pdu = NULL;
	req->id = 0;
	req->flags = 0;
}

/* With authPriv, no answer after the agent answered discovery most
 * likely means a wrong privacy passphrase (the agent drops what it
 * cannot decrypt). */
static char *
tcp_timeout_cause(void *arg, struct tr_req *req)
{
	struct tcp_conn	*c = req->tt->state;

	if (c == NULL || !c->answered || c->v3 != TCP_V3_READY ||
	    req->tt->target->params->level != SNMP_SEC_LEVEL_AUTHPRIV)
		return NULL;
	return xstrdup("no answer to authPriv requests although the agent "
	    "answered engineID discovery (wrong privacy passphrase?)");
}

/* The target is done: its connection closes (or it stops waiting). */
static void
tcp_target_done(void *arg, struct tr_target *tt)
{
	struct tcp	*t = arg;
	struct tcp_conn	*c = tt->state, **pp;

	if (c == NULL)
		return;
	if (c->state == TCP_WAITING) {
		for (pp = &t->wait_head; *pp != c; pp = &(*pp)->next_waiting)
			;
		*pp = c->next_waiting;
		if (t->wait_tail == c) {
			t->wait_tail = NULL;
			for (c = t->wait_head; c != NULL; c = c->next_waiting)
				t->wait_tail = c;
			c = tt->state;
		}
	}
	c->tt = NULL;
	c->nreqs = 0;
	c->state = TCP_FAILED;
	tcp_close_handle(c);
	tcp_conn_maybe_free(c);
}

static void *
tcp_open(const struct tr_host *host, char **cause)
{
	struct tcp	*t = xcalloc(1, sizeof *t);
	unsigned	 n = 1;

	t->host = host;
	while (n < host->capacity) {
		n <<= 1;
		t->shift++;
	}
	codec_init(&t->codec);
	t->max_open = tcp_in_use(host->inv) ?
	    tcp_max_conns(host->inv, host->capacity) : 1;
	return t;
}

/* Free t once the last connection has closed. */
static void
tcp_close(void *arg)
{
	struct tcp	*t = arg;

	t->closed = true;
	if (t->nconns == 0)
		tcp_free(t);
}

const struct transport_ops transport_tcp_ops = {
	.name = "tcp",
	.carries = tcp_carries,
	.open = tcp_open,
	.send = tcp_send,
	.resend = tcp_resend,
	.cancel = tcp_cancel,
	.timeout_cause = tcp_timeout_cause,
	.target_done = tcp_target_done,
	.close = tcp_close,
};
