/*
 * dump.c — -d/--dump: every datagram sent or received, as a block of
 * text in the manner of net-snmp's -d (a header naming the time, the
 * direction, the size and the peer; then 16 bytes a line in hex and as
 * ASCII; then an empty line).  Formatting only: the block goes, whole,
 * to the sink registered with dump_to() (the writer, which writes it
 * under the output's mutex so it never tears a record, the progress line
 * or another worker's block).  The transports test dump_enabled before
 * calling, so a run without -d pays one branch per batch.
 *
 * A v1/v2c community is a secret: its bytes are shown as '*' (the length
 * stays, so the block still reads back as the whole datagram's BER).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "snmpfleet.h"

#define DUMP_LINE	16	/* bytes a line */

bool	dump_enabled;

static void	(*dump_sink)(void *, const char *, size_t);
static void	*dump_arg;

/* Where blocks go from now on: sink(arg, text, len); NULL: nowhere (and
 * dump_enabled is false). */
void
dump_to(void (*sink)(void *, const char *, size_t), void *arg)
{
	dump_sink = sink;
	dump_arg = arg;
	dump_enabled = sink != NULL;
}

/* The length of the BER TLV at p[*at] (its tag skipped), moving *at
 * past the length octets; -1 if it does not fit in n bytes. */
static long
dump_ber_len(const u_char *p, size_t n, size_t *at)
{
	size_t	k, i;
	long	len;

	if (*at + 2 > n)
		return -1;
	(*at)++;			/* the tag */
	if (p[*at] < 0x80)
		return p[(*at)++];
	k = p[(*at)++] & 0x7f;
	if (k == 0 || k > 3 || *at + k > n)
		return -1;
	for (len = 0, i = 0; i < k; i++)
		len = len << 8 | p[(*at)++];
	return len;
}

/*
 * Where a v1/v2c message's community is (offset *off, *len bytes):
 * SEQUENCE { INTEGER version (0 or 1), OCTET STRING community, ... }.
 * False for anything else (v3, garbage).
 */
static bool
dump_community(const u_char *p, size_t n, size_t *off, size_t *len)
{
	size_t	at = 0;
	long	l;

	if (n < 2 || p[0] != 0x30 || dump_ber_len(p, n, &at) < 0)
		return false;
	if (at + 3 > n || p[at] != 0x02 || p[at + 1] != 1 || p[at + 2] > 1)
		return false;
	at += 3;
	if (at >= n || p[at] != 0x04 || (l = dump_ber_len(p, n, &at)) < 0 ||
	    at + (size_t)l > n)
		return false;
	*off = at;
	*len = (size_t)l;
	return true;
}

/* "UDP: [127.0.0.1]:161", as net-snmp names a peer. */
static void
dump_peer(struct buf *b, const char *proto, const struct sockaddr *sa)
{
	char		 a[INET6_ADDRSTRLEN] = "?";
	unsigned	 port = 0;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		port = ntohs(s6->sin6_port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		port = ntohs(s4->sin_port);
	}
	buf_printf(b, "%s: [%s]:%u", proto, a, port);
}

/* One line: offset, hex in groups of 4, the printable bytes.  Built by
 * hand, not with printf: a dump formats every byte of every datagram. */
static void
dump_line(struct buf *b, const u_char *p, size_t off, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 line[8 + DUMP_LINE * 3 + 4 + 4 + DUMP_LINE + 1];
	char			*at = line;
	size_t			 i;

	for (i = 4; i > 0; i--)
		*at++ = hex[(off >> (4 * (i - 1))) & 0xf];
	*at++ = ':';
	for (i = 0; i < DUMP_LINE; i++) {
		if (i % 4 == 0)
			*at++ = ' ';
		*at++ = ' ';
		*at++ = i < n ? hex[p[i] >> 4] : ' ';
		*at++ = i < n ? hex[p[i] & 0xf] : ' ';
	}
	memcpy(at, "    ", 4);
	at += 4;
	for (i = 0; i < n; i++)
		*at++ = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	*at++ = '\n';
	buf_add(b, line, (size_t)(at - line));
}

/*
 * Format the block for one datagram of n bytes (sent: to peer; else
 * received from it) over proto ("UDP") and hand it to the sink.
 */
void
dump_packet(bool sent, const char *proto, const struct sockaddr *peer,
    const void *data, size_t n)
{
	const u_char	*p = data;
	u_char		*copy = NULL;
	struct buf	 b;
	uint64_t	 now = 0;
	char		 when[32];
	size_t		 off, len, i;

	if (dump_sink == NULL)
		return;
	if (dump_community(p, n, &off, &len) && len > 0) {
		copy = xmalloc(n);
		memcpy(copy, p, n);
		memset(copy + off, '*', len);
		p = copy;
	}
	clock_iso8601(when, sizeof when, &now);
	buf_init(&b);
	buf_printf(&b, "%s %s %zu bytes %s ", when,
	    sent ? "Sending" : "Received", n, sent ? "to" : "from");
	dump_peer(&b, proto, peer);
	buf_addc(&b, '\n');
	for (i = 0; i < n; i += DUMP_LINE)
		dump_line(&b, p + i, i, n - i < DUMP_LINE ? n - i : DUMP_LINE);
	buf_addc(&b, '\n');
	dump_sink(dump_arg, b.data, b.len);
	buf_free(&b);
	free(copy);
}
