/*
 * transport-sess.c — SNMPv3 on net-snmp's single-session API, driven by
 * libuv: one session per v3 target being polled, its socket watched with
 * uv_poll, its (late) timeouts run from a uv_timer set from
 * snmp_sess_select_info2().  Only the large-fd-set calls are used, so
 * descriptors above 1024 are fine.
 *
 * Nothing here may block the loop: net-snmp's built-in engineID probe is
 * synchronous, so sessions are opened with the engineID already known
 * (transport-v3.c discovers it asynchronously with usm_probe() over the
 * shared UDP socket) and SNMP_FLAGS_DONT_PROBE is set again after
 * snmp_sess_open(), which clears it.
 *
 * net-snmp takes a reply from any address whose request ID and USM
 * match; a UDP session's socket is connected to its target, so that, as
 * on the v1/v2c socket, only the target's own replies come in (unless
 * the target has any-source, for multi-homed agents).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <net-snmp/library/large_fd_set.h>

#include "snmpfleet.h"

struct sess {
	void			*sp;		/* net-snmp's session */
	uv_loop_t		*loop;
	uv_poll_t		 poll;
	uv_timer_t		 timer;
	int			 fd;
	int			 handles;	/* open uv handles */
	bool			 in_read;	/* inside net-snmp's callbacks */
	bool			 closing;
	sess_cb			 cb;
	void			*arg;
	/* -d: net-snmp's own send and receive, wrapped to dump */
	netsnmp_transport	*tr;
	struct sockaddr_storage	 peer;
	int			(*real_send)(netsnmp_transport *, const void *,
				    int, void **, int *);
	int			(*real_recv)(netsnmp_transport *, void *, int,
				    void **, int *);
	struct sess		*dump_next;
	struct usm_local	 keys;		/* put in place before use */
};

static struct sess	*sess_dumped;	/* sessions whose packets are dumped */

static void	sess_arm(struct sess *);
static void	sess_free_handles(struct sess *);

/* Free s (its handles closed, its net-snmp session too). */
static void
sess_free(struct sess *s)
{
	usm_local_free(&s->keys);
	free(s);
}

/* net-snmp's callback: hand the event on.  A Report can arrive twice
 * (SEC_ERROR, then RECEIVED_MESSAGE): the scheduler keeps the first
 * event per request id and ignores the rest. */
static int
sess_nsnmp_cb(int op, netsnmp_session *ns, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct sess	*s = magic;

	if (!s->closing)
		s->cb(s->arg, op, reqid, pdu);
	return 1;
}

static void
sess_poll_cb(uv_poll_t *h, int status, int events)
{
	struct sess		*s = h->data;
	netsnmp_large_fd_set	 fds;

	netsnmp_large_fd_set_init(&fds, s->fd + 1);
	NETSNMP_LARGE_FD_SET(s->fd, &fds);
	s->in_read = true;
	usm_local_apply(&s->keys);
	snmp_sess_read2(s->sp, &fds);
	s->in_read = false;
	netsnmp_large_fd_set_cleanup(&fds);
	if (s->closing)
		sess_free_handles(s);
	else
		sess_arm(s);
}

static void
sess_timer_cb(uv_timer_t *h)
{
	struct sess	*s = h->data;

	s->in_read = true;
	usm_local_apply(&s->keys);
	snmp_sess_timeout(s->sp);
	s->in_read = false;
	if (s->closing)
		sess_free_handles(s);
	else
		sess_arm(s);
}

/* The dumped session on transport t (a short list: the v3 targets being
 * polled, and only with -d). */
static struct sess *
sess_dump_find(netsnmp_transport *t)
{
	struct sess	*s;

	for (s = sess_dumped; s != NULL; s = s->dump_next) {
		if (s->tr == t)
			return s;
	}
	abort();	/* only our sessions get the wrappers */
}

static int
sess_dump_send(netsnmp_transport *t, const void *buf, int size,
    void **opaque, int *olen)
{
	struct sess	*s = sess_dump_find(t);
	int		 rc = s->real_send(t, buf, size, opaque, olen);

	if (rc > 0 && dump_enabled)
		dump_packet(true, "UDP", (struct sockaddr *)&s->peer, buf,
		    (size_t)rc);
	return rc;
}

/* What came in, from where net-snmp says (its UDP transports put the
 * source address first in *opaque), else from the target. */
static int
sess_dump_recv(netsnmp_transport *t, void *buf, int size, void **opaque,
    int *olen)
{
	struct sess		*s = sess_dump_find(t);
	int			 rc = s->real_recv(t, buf, size, opaque, olen);
	const struct sockaddr	*from = (struct sockaddr *)&s->peer;

	if (rc > 0 && *opaque != NULL &&
	    (size_t)*olen >= sizeof(struct sockaddr_in) &&
	    (((struct sockaddr *)*opaque)->sa_family == AF_INET ||
	    ((struct sockaddr *)*opaque)->sa_family == AF_INET6))
		from = *opaque;
	if (rc > 0 && dump_enabled)
		dump_packet(false, "UDP", from, buf, (size_t)rc);
	return rc;
}

/* -d: dump the session's datagrams too. */
static void
sess_dump_start(struct sess *s, netsnmp_transport *tr,
    const struct target *t)
{
	s->tr = tr;
	memcpy(&s->peer, &t->addr, sizeof s->peer);
	s->real_send = tr->f_send;
	s->real_recv = tr->f_recv;
	tr->f_send = sess_dump_send;
	tr->f_recv = sess_dump_recv;
	s->dump_next = sess_dumped;
	sess_dumped = s;
}

static void
sess_dump_stop(struct sess *s)
{
	struct sess	**pp;

	for (pp = &sess_dumped; *pp != NULL; pp = &(*pp)->dump_next) {
		if (*pp == s) {
			*pp = s->dump_next;
			return;
		}
	}
}

/* Run the timer until net-snmp's next retransmission or timeout. */
static void
sess_arm(struct sess *s)
{
	netsnmp_large_fd_set	fds;
	struct timeval		tv = { 0, 0 };
	int			numfds = 0, block = 1;
	uint64_t		ms;

	netsnmp_large_fd_set_init(&fds, s->fd + 1);
	snmp_sess_select_info2(s->sp, &numfds, &fds, &tv, &block);
	netsnmp_large_fd_set_cleanup(&fds);
	if (block) {
		uv_timer_stop(&s->timer);
		return;
	}
	ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)(tv.tv_usec + 999) / 1000;
	uv_timer_start(&s->timer, sess_timer_cb, ms, 0);
}

/* Take only t's replies on the session's socket, unless t has
 * any-source: connect(2) a datagram socket to the target (net-snmp's
 * sends name the peer, which a connected UDP socket allows). */
static int
sess_pin_peer(int fd, const struct target *t, char **cause)
{
	int		type = 0;
	socklen_t	len = sizeof type;

	if (t->params->any_source ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_DGRAM)
		return 0;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) != 0) {
		*cause = xasprintf("cannot open an SNMPv3 session: connect: "
		    "%s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Open a v3 session to target t with engineID (len > 0) already known.
 * Events come to cb(arg, op, reqid, pdu) with net-snmp's callback ops.
 */
struct sess *
sess_open(uv_loop_t *loop, const struct target *t, const u_char *engine,
    size_t engine_len, sess_cb cb, void *arg, char **cause)
{
	struct sess		*s = xcalloc(1, sizeof *s);
	netsnmp_session		 ns, *open;
	netsnmp_transport	*tr;
	struct usmUser		*saved;
	char			 peer[300];
	int			 rc;

	s->loop = loop;
	s->cb = cb;
	s->arg = arg;
	if (t->addr.ss_family == AF_INET6)
		snprintf(peer, sizeof peer, "udp6:[%s]:%u", t->host, t->port);
	else {
		char	a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->addr)->
		    sin_addr, a, sizeof a);
		snprintf(peer, sizeof peer, "udp:%s:%u", a, t->port);
	}
	snmp_sess_init(&ns);
	usm_session(t->params, &ns);
	ns.peername = peer;
	ns.securityEngineID = (u_char *)engine;
	ns.securityEngineIDLen = engine_len;
	ns.contextEngineID = (u_char *)engine;
	ns.contextEngineIDLen = engine_len;
	if (t->params->context_engine_id_len != 0) {	/* -E */
		ns.contextEngineID = (u_char *)t->params->context_engine_id;
		ns.contextEngineIDLen = t->params->context_engine_id_len;
	}
	ns.flags |= SNMP_FLAGS_DONT_PROBE;
	/* the scheduler times and retries every request (a retry is a new
	 * request); net-snmp only forgets one long after that */
	ns.timeout = ((long)t->params->timeout_ms * (t->params->retries + 2) +
	    1000) * 1000;
	ns.retries = 0;
	ns.callback = sess_nsnmp_cb;
	ns.callback_magic = s;
	saved = usm_local_begin(engine, engine_len, t->params->user);
	s->sp = snmp_sess_open(&ns);
	usm_local_end(&s->keys, saved, engine, engine_len, t->params->user);
	if (s->sp == NULL) {
		*cause = xasprintf("cannot open an SNMPv3 session: %s",
		    snmp_api_errstring(snmp_errno));
		sess_free(s);
		return NULL;
	}
	open = snmp_sess_session(s->sp);
	open->flags |= SNMP_FLAGS_DONT_PROBE;	/* open cleared it */
	tr = snmp_sess_transport(s->sp);
	s->fd = tr->sock;
	if (sess_pin_peer(s->fd, t, cause) != 0) {
		snmp_sess_close(s->sp);
		sess_free(s);
		return NULL;
	}
	if ((rc = uv_poll_init(loop, &s->poll, s->fd)) != 0) {
		*cause = xasprintf("cannot watch an SNMPv3 session: %s",
		    uv_strerror(rc));
		snmp_sess_close(s->sp);
		sess_free(s);
		return NULL;
	}
	s->poll.data = s;
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	s->handles = 2;
	if (dump_enabled)
		sess_dump_start(s, tr, t);
	uv_poll_start(&s->poll, UV_READABLE, sess_poll_cb);
	return s;
}

/* Send pdu (taken over); returns net-snmp's request id, 0 on failure. */
int
sess_send(struct sess *s, netsnmp_pdu *pdu, char **cause)
{
	netsnmp_session	*ns = snmp_sess_session(s->sp);
	int		 reqid;

	pdu->version = SNMP_VERSION_3;
	usm_local_apply(&s->keys);
	reqid = snmp_sess_async_send(s->sp, pdu, sess_nsnmp_cb, s);
	if (reqid == 0) {
		*cause = xasprintf("SNMPv3 send: %s",
		    snmp_api_errstring(ns->s_snmp_errno));
		snmp_free_pdu(pdu);
		return 0;
	}
	if (!s->in_read)
		sess_arm(s);
	return reqid;
}

static void
sess_closed_cb(uv_handle_t *h)
{
	struct sess	*s = h->data;

	if (--s->handles == 0)
		sess_free(s);
}

static void
sess_free_handles(struct sess *s)
{
	/* libuv lets go of the descriptor first, then net-snmp closes it
	 * (dropping any request still pending) */
	uv_close((uv_handle_t *)&s->poll, sess_closed_cb);
	uv_close((uv_handle_t *)&s->timer, sess_closed_cb);
	if (s->sp != NULL) {
		snmp_sess_close(s->sp);
		s->sp = NULL;
	}
	if (s->tr != NULL)
		sess_dump_stop(s);
}

/* Close the session; safe from inside its own callbacks (then it
 * happens once net-snmp has returned). */
void
sess_close(struct sess *s)
{
	if (s == NULL || s->closing)
		return;
	s->closing = true;
	uv_poll_stop(&s->poll);
	uv_timer_stop(&s->timer);
	if (!s->in_read)
		sess_free_handles(s);
}
