/*
 * sim-bench.c — --bench-codec N: the CPU one request costs with the
 * sim's own codec (sim-ber.c parse, sim-reply.c encode) against net-snmp
 * used as a codec the way snmpfleet uses it (snmp_comstr_parse +
 * snmp_pdu_parse to decode, snmp_build on an unopened session to encode),
 * both answering the same GET of sysDescr.0, sysUpTime.0 and sysName.0;
 * and the sim's codec alone answering a GETBULK of 10 rows of
 * ipNetToPhysicalTable, whose INDEX is computed per row (sim-table.c).
 * No packets are sent; each response is checked to decode with net-snmp
 * to as many varbinds as asked for.
 */
#include "config.h"

#include <string.h>

#include "snmpfleet.h"
#include "sim.h"

static const char *const sim_bench_oids[] = {
	"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0",
};
#define SIM_BENCH_NOIDS 3
static const char *const sim_bench_bulk_oid[] = {
	"1.3.6.1.2.1.4.35.1.4",		/* ipNetToPhysicalPhysAddress */
};
#define SIM_BENCH_BULK	10

/* A request of command (a GET, or a GETBULK of maxrep repetitions) for
 * the n OIDs, encoded by net-snmp as snmpfleet would send it. */
static size_t
sim_bench_request(netsnmp_session *s, int command, const char *const *oids,
    size_t n, long maxrep, u_char *out, size_t size)
{
	netsnmp_pdu	*pdu = snmp_pdu_create(command);
	struct oid_text	 o;
	u_char		*pkt = xmalloc(2048);
	size_t		 pktlen = 2048, off = 0, i;
	char		*cause;

	for (i = 0; i < n; i++) {
		if (oid_parse(oids[i], &o, &cause) != 0)
			abort();
		snmp_add_null_var(pdu, o.v, o.len);
	}
	if (command == SNMP_MSG_GETBULK) {
		pdu->non_repeaters = 0;
		pdu->max_repetitions = maxrep;
	}
	pdu->reqid = 0x12345678;
	pdu->version = s->version;
	if (snmp_build(&pkt, &pktlen, &off, s, pdu) != SNMPERR_SUCCESS ||
	    off > size)
		abort();
	memcpy(out, pkt + pktlen - off, off);
	snmp_free_pdu(pdu);
	free(pkt);
	return off;
}

/* Decode a response with net-snmp; how many varbinds it has, -1 if it
 * does not decode. */
static int
sim_bench_decode(const u_char *data, size_t len, netsnmp_pdu **out)
{
	u_char			 community[256];
	size_t			 clen = sizeof community;
	long			 version;
	u_char			*p;
	netsnmp_pdu		*pdu;
	netsnmp_variable_list	*v;
	int			 n = 0;

	p = snmp_comstr_parse((u_char *)data, &len, community, &clen,
	    &version);
	if (p == NULL)
		return -1;
	pdu = snmp_pdu_create(0);
	pdu->version = version;
	if (snmp_pdu_parse(pdu, p, &len) != 0) {
		snmp_free_pdu(pdu);
		return -1;
	}
	for (v = pdu->variables; v != NULL; v = v->next_variable)
		n++;
	if (out != NULL)
		*out = pdu;
	else
		snmp_free_pdu(pdu);
	return n;
}

/* A response built by net-snmp: the request's PDU, values filled in. */
static size_t
sim_bench_netsnmp(netsnmp_session *s, const u_char *req, size_t reqlen,
    const struct sim_device *d, u_char **pkt, size_t *pktlen)
{
	netsnmp_pdu		*pdu;
	netsnmp_variable_list	*v;
	const struct sim_obj	*obj;
	struct sim_value	 val;
	uint32_t		 q[MAX_OID_LEN], idx;
	size_t			 off = 0, i;
	u_long			 u;

	if (sim_bench_decode(req, reqlen, &pdu) < 0)
		abort();
	pdu->command = SNMP_MSG_RESPONSE;
	for (v = pdu->variables; v != NULL; v = v->next_variable) {
		for (i = 0; i < v->name_length; i++)
			q[i] = (uint32_t)v->name[i];
		if (sim_mib_get(d, q, v->name_length, false, &obj, &idx) !=
		    SIM_GET_FOUND)
			abort();
		sim_device_value(d, obj, idx, sim_start_ns, &val);
		if (val.type == SIM_OCTETS)
			snmp_set_var_typed_value(v, ASN_OCTET_STR, val.s,
			    val.slen);
		else {
			u = (u_long)val.u;
			snmp_set_var_typed_value(v, val.type, &u, sizeof u);
		}
	}
	if (snmp_build(pkt, pktlen, &off, s, pdu) != SNMPERR_SUCCESS)
		abort();
	snmp_free_pdu(pdu);
	return off;
}

static double
sim_bench_ns(uint64_t start, unsigned long n)
{
	return (double)(clock_now_ns() - start) / (double)n;
}

/* The sim's side of one benchmark: n rounds of parsing req and building
 * the response of device a, which is left in out; ns per request, or -1
 * if the last response does not decode to want varbinds. */
static double
sim_bench_ours(const u_char *req, size_t reqlen, unsigned long n,
    const struct sim_addr *a, size_t max_size, int want)
{
	struct sim_request	 r;
	struct sim_reply_ctx	 ctx;
	struct sim_device	 dev;
	uint8_t			*out, *msg = NULL;
	size_t			 outsize, len = 0;
	unsigned long		 i;
	uint64_t		 t0;
	double			 ns;

	r.vars = xcalloc(SIM_MAX_VARS, sizeof *r.vars);
	sim_reply_init(&ctx, max_size);
	ctx.now_ns = sim_start_ns;
	outsize = sim_reply_headroom(6) + max_size;
	out = xmalloc(outsize);
	t0 = clock_now_ns();
	for (i = 0; i < n; i++) {
		if (sim_ber_parse(req, reqlen, &r, SIM_MAX_VARS) !=
		    SIM_PARSE_OK)
			abort();
		sim_device_init(&dev, a);
		len = sim_reply_build(&ctx, &r, &dev, out, outsize, &msg);
	}
	ns = sim_bench_ns(t0, n);
	if (sim_bench_decode(msg, len, NULL) != want)
		ns = -1;
	free(r.vars);
	free(out);
	sim_reply_free(&ctx);
	return ns;
}

/* Run n rounds of each codec; print ns per request.  0, or 1 if a
 * response did not decode. */
int
sim_bench_codec(unsigned long n, size_t max_size)
{
	netsnmp_session		 s;
	struct sim_device	 dev;
	struct sim_addr		 a;
	u_char			 req[512], bulk[512], *pkt;
	size_t			 reqlen, bulklen, len = 0, pktlen = 65536;
	unsigned long		 i;
	uint64_t		 t0;
	double			 ours, theirs, decode, ours_bulk;

	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	setenv("MIBS", "", 1);
	init_snmp(SIM_PROGRAM);
	snmp_sess_init(&s);
	s.version = SNMP_VERSION_2c;
	s.community = (u_char *)"public";
	s.community_len = 6;
	reqlen = sim_bench_request(&s, SNMP_MSG_GET, sim_bench_oids,
	    SIM_BENCH_NOIDS, 0, req, sizeof req);
	bulklen = sim_bench_request(&s, SNMP_MSG_GETBULK, sim_bench_bulk_oid,
	    1, SIM_BENCH_BULK, bulk, sizeof bulk);
	sim_addr_parse("127.0.3.7", &a);
	sim_device_init(&dev, &a);
	pkt = xmalloc(pktlen);

	ours = sim_bench_ours(req, reqlen, n, &a, max_size, SIM_BENCH_NOIDS);
	ours_bulk = sim_bench_ours(bulk, bulklen, n, &a, max_size,
	    SIM_BENCH_BULK);
	if (ours < 0 || ours_bulk < 0) {
		fprintf(stderr, "%s: our response does not decode\n",
		    SIM_PROGRAM);
		return 1;
	}

	t0 = clock_now_ns();
	for (i = 0; i < n; i++)
		if (sim_bench_decode(req, reqlen, NULL) != SIM_BENCH_NOIDS)
			abort();
	decode = sim_bench_ns(t0, n);
	t0 = clock_now_ns();
	for (i = 0; i < n; i++)
		len = sim_bench_netsnmp(&s, req, reqlen, &dev, &pkt, &pktlen);
	theirs = sim_bench_ns(t0, n);
	if (sim_bench_decode(pkt + pktlen - len, len, NULL) !=
	    SIM_BENCH_NOIDS) {
		fprintf(stderr, "%s: net-snmp's response does not decode\n",
		    SIM_PROGRAM);
		return 1;
	}
	printf("GET of 3 scalars, decode + encode, %lu rounds each:\n"
	    "  snmpfleet-sim codec: %8.0f ns/request\n"
	    "  net-snmp codec:      %8.0f ns/request (decode %.0f, "
	    "encode %.0f)\n", n, ours, theirs, decode, theirs - decode);
	printf("GETBULK of %d ipNetToPhysicalTable rows (computed INDEX), "
	    "decode + encode:\n"
	    "  snmpfleet-sim codec: %8.0f ns/request\n", SIM_BENCH_BULK,
	    ours_bulk);
	free(pkt);
	s.community = NULL;
	return 0;
}
