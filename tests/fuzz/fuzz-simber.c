/*
 * fuzz-simber.c — libFuzzer harness for snmpfleet-sim's own BER codec:
 * an arbitrary datagram goes through sim_ber_parse() and, when it is a
 * request the sim answers, through sim_reply_build() for a simulated
 * device, as the sim's worker does.  What comes out must hold up:
 *   - the response fits the buffer the worker gives it and --max-size;
 *   - when net-snmp's own parser also accepts the request, it must
 *     accept the response too, as a Response with the same request-id,
 *     version and community, and as many varbinds as asked for (GET,
 *     GETNEXT) or at most what GETBULK allows.
 * No socket is opened.
 *
 * Input layout: byte 0 picks --max-size (bits 0-1: 484, 1472, 8192,
 * 65507), --interfaces (bits 2-3: 4, 0, 1, 100000) and --tables (bits
 * 4-7 mod 3: none, small, full); bytes 1-4 are the device's IPv4
 * address; the rest is the datagram.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct sim_request	req;
static struct sim_reply_ctx	ctx[4];
static const size_t		max_sizes[4] = { 484, 1472, 8192, SIM_MAX_UDP };
static const unsigned		ifaces[4] = { 4, 0, 1, 100000 };
static unsigned			cur_ifaces = 4;
static enum sim_tables		cur_tables = SIM_TABLES_SMALL;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t	i;

	oid_init_netsnmp(NULL);
	snmp_disable_log();
	sim_start_ns = 1000000000ull;
	sim_interfaces = cur_ifaces;
	sim_mib_init(cur_ifaces, cur_tables);
	req.vars = xcalloc(SIM_MAX_VARS, sizeof *req.vars);
	for (i = 0; i < 4; i++) {
		sim_reply_init(&ctx[i], max_sizes[i]);
		ctx[i].now_ns = sim_start_ns + 123456789000ull;
	}
	return 0;
}

static void
fail(const char *why, const uint8_t *msg, size_t len)
{
	size_t	i;

	fprintf(stderr, "fuzz-simber: %s; response (%zu bytes):", why, len);
	for (i = 0; i < len && i < 512; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", msg[i]);
	fprintf(stderr, "\n");
	abort();
}

/* net-snmp's reading of a v1/v2c message (NULL if it refuses it). */
static netsnmp_pdu *
netsnmp_decode(const uint8_t *d, size_t len, u_char *community,
    size_t *clen)
{
	netsnmp_pdu	*pdu;
	u_char		*copy, *data;
	long		 version;
	size_t		 n = len;

	copy = xmalloc(len ? len : 1);
	memcpy(copy, d, len);
	data = snmp_comstr_parse(copy, &n, community, clen, &version);
	if (data == NULL) {
		free(copy);
		return NULL;
	}
	pdu = snmp_pdu_create(0);
	pdu->version = version;
	if (snmp_pdu_parse(pdu, data, &n) != 0) {
		snmp_free_pdu(pdu);
		pdu = NULL;
	}
	free(copy);
	return pdu;
}

static size_t
count_vars(const netsnmp_pdu *pdu)
{
	const netsnmp_variable_list	*v;
	size_t				 n = 0;

	for (v = pdu->variables; v != NULL; v = v->next_variable)
		n++;
	return n;
}

/* The response must say what net-snmp read in the request. */
static void
check_response(const netsnmp_pdu *q, const u_char *qcomm, size_t qclen,
    const uint8_t *msg, size_t len)
{
	netsnmp_pdu	*a;
	u_char		 comm[256];
	size_t		 clen = sizeof comm, n, nq = count_vars(q), nonrep;

	if ((a = netsnmp_decode(msg, len, comm, &clen)) == NULL)
		fail("net-snmp cannot parse the response", msg, len);
	if (a->command != SNMP_MSG_RESPONSE)
		fail("not a Response", msg, len);
	if (a->reqid != q->reqid)
		fail("request-id differs", msg, len);
	if (a->version != q->version)
		fail("version differs", msg, len);
	if (clen != qclen || memcmp(comm, qcomm, clen) != 0)
		fail("community differs", msg, len);
	n = count_vars(a);
	if (q->command == SNMP_MSG_GETBULK && a->errstat == 0) {
		nonrep = q->non_repeaters < 0 ? 0 : (size_t)q->non_repeaters;
		if (nonrep > nq)
			nonrep = nq;
		if (n > nonrep + (nq - nonrep) *
		    (size_t)(q->max_repetitions < 0 ? 0 : q->max_repetitions))
			fail("GETBULK: more varbinds than asked for", msg,
			    len);
	} else if (a->errstat == 0 && n != nq)
		fail("a varbind count different from the request's", msg,
		    len);
	snmp_free_pdu(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sim_reply_ctx	*c;
	struct sim_addr			 addr;
	struct sim_device		 dev;
	netsnmp_pdu			*q;
	u_char				 qcomm[256];
	uint8_t				*buf, *msg;
	size_t				 bufsize, len, qclen = sizeof qcomm;
	unsigned			 want;
	enum sim_tables			 tables;

	if (size < 5)
		return 0;
	c = &ctx[data[0] & 3];
	want = ifaces[(data[0] >> 2) & 3];
	tables = (enum sim_tables)((data[0] >> 4) % 3);
	if (want != cur_ifaces || tables != cur_tables) {
		cur_ifaces = sim_interfaces = want;
		cur_tables = tables;
		sim_mib_init(want, tables);
	}
	sim_addr_set(&addr, AF_INET, data + 1);
	data += 5;
	size -= 5;

	if (sim_ber_parse(data, size, &req, SIM_MAX_VARS) != SIM_PARSE_OK)
		return 0;
	/* the buffer the worker gives (its community is this one) */
	bufsize = sim_reply_headroom(req.communitylen) + c->max_size;
	buf = xmalloc(bufsize);
	sim_device_init(&dev, &addr);
	len = sim_reply_build(c, &req, &dev, buf, bufsize, &msg);
	if (msg < buf || msg + len > buf + bufsize)
		fail("response outside its buffer", buf, 0);
	if (len > c->max_size)
		fail("response larger than --max-size", msg, len);
	q = netsnmp_decode(data, size, qcomm, &qclen);
	if (q != NULL && q->reqid >= 0 && (q->command == SNMP_MSG_GET ||
	    q->command == SNMP_MSG_GETNEXT || q->command == SNMP_MSG_GETBULK ||
	    q->command == SNMP_MSG_SET))
		check_response(q, qcomm, qclen, msg, len);
	if (q != NULL)
		snmp_free_pdu(q);
	free(buf);
	return 0;
}
