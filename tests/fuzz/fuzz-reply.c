/*
 * fuzz-reply.c — libFuzzer harness for the reply path: arbitrary
 * datagrams go through the v1/v2c transport's own decode
 * (transport_decode: net-snmp's snmp_comstr_parse + snmp_pdu_parse),
 * fetch.c's GET and walk state machines, and every output format; each
 * format's record must then read back under check-formats.c's strict
 * decoder, or the harness aborts.  No socket is ever opened: the
 * datagrams come from the input, one per request fetch.c asks.
 *
 * Input layout (tests/fuzz/corpus/reply/ has real examples):
 *   byte 0      flags: bit 0 SNMPv1 (else v2c, or the keys' version=);
 *               bits 1-2 the plan:
 *               0 GET of 4 system OIDs, 1 walk of system, 2 table
 *               ifTable, 3 the GET list and a walk of interfaces;
 *               bit 3 small requests (--max-oids 2, --max-repetitions 3)
 *   a line      inventory keys for the target ("tag.site=lab port=1161"),
 *               up to '\n', as on an inventory line after the host
 *   datagrams   each a 2-byte big-endian length and that many bytes: the
 *               answers, in order; a datagram the transport drops is
 *               skipped, as the real one does; none left is a timeout.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"
#include "check-formats.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const get_oids[] = {
	"sysDescr.0", "sysObjectID.0", "sysUpTime.0", "sysName.0",
};

static struct oid_text	 oids[4];
static struct plan_item	 items[4][2];
static struct fetch_plan plans[4][2];	/* [plan][small requests] */

static struct target_params defaults = {
	.snmp_version = SNMP_VERSION_2c, .community = "public",
	.timeout_ms = 1000, .retries = 2,
};

static void
item_set(struct plan_item *it, enum item_kind kind, const char *text)
{
	char	*cause;

	it->kind = kind;
	it->text = (char *)text;
	if (kind != ITEM_GET && oid_parse(text, &it->oid, &cause) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fetch_plan	*p;
	char			*cause;
	size_t			 i, k;

	oid_init_netsnmp(NULL);
	snmp_disable_log();	/* net-snmp's parse errors are not ours */
	for (i = 0; i < 4; i++) {
		if (oid_parse(get_oids[i], &oids[i], &cause) != 0)
			abort();
	}
	item_set(&items[0][0], ITEM_GET, NULL);
	item_set(&items[1][0], ITEM_WALK, "1.3.6.1.2.1.1");
	item_set(&items[2][0], ITEM_TABLE, "ifTable");
	item_set(&items[3][0], ITEM_GET, NULL);
	item_set(&items[3][1], ITEM_WALK, "1.3.6.1.2.1.2");
	for (i = 0; i < 4; i++) {
		for (k = 0; k < 2; k++) {
			p = &plans[i][k];
			p->items = items[i];
			p->nitems = i == 3 ? 2 : 1;
			p->oids = oids;
			p->noids = i == 0 || i == 3 ? 4 : 0;
			p->max_oids = k ? 2 : 32;
			p->max_repetitions = k ? 3 : 25;
			p->per_target = 1;
		}
	}
	return 0;
}

struct input {
	const uint8_t	*p;
	size_t		 n;
};

/* The next datagram, in a buffer of its own size (so that ASan sees any
 * read past its end); NULL when the input is used up. */
static u_char *
input_dgram(struct input *in, size_t *len)
{
	u_char	*d;

	if (in->n < 2)
		return NULL;
	*len = (size_t)in->p[0] << 8 | in->p[1];
	in->p += 2;
	in->n -= 2;
	if (*len > in->n)
		*len = in->n;
	d = xmalloc(*len ? *len : 1);
	memcpy(d, in->p, *len);
	in->p += *len;
	in->n -= *len;
	return d;
}

/* The answer to the request in flight: the next datagram that decodes as
 * a Response (the scheduler also checks its request id and source; any
 * Response is let through here, a superset of what fetch.c sees). */
static netsnmp_pdu *
input_response(struct input *in)
{
	netsnmp_pdu	*pdu = NULL;
	u_char		*d;
	size_t		 len;

	while (pdu == NULL && (d = input_dgram(in, &len)) != NULL) {
		pdu = transport_decode(d, len);
		free(d);
	}
	return pdu;
}

/* One stream of the plan, as the scheduler runs it (sched_request and
 * sched_pdu_cb), into part. */
static void
run_stream(struct input *in, const struct fetch_plan *plan,
    const struct plan_item *item, const struct target_params *params,
    struct result_part *part)
{
	struct fetch		 f;
	struct walk_budget	 budget;	/* the target's walk caps */
	struct buf		 pkt;
	struct codec		 codec;
	netsnmp_pdu		*pdu;
	enum fetch_step	 step = FETCH_MORE;
	char		*error = NULL;
	int32_t		 reqid = 0;

	buf_init(&pkt);
	codec_init(&codec);
	memset(&budget, 0, sizeof budget);
	budget.max_values = params->max_walk_values;
	budget.max_bytes = params->max_walk_bytes;
	fetch_start(&f, plan, item, params, &budget);
	part->status = RES_OK;
	while (step == FETCH_MORE) {
		if ((pdu = fetch_next_pdu(&f)) == NULL)
			break;
		pdu->reqid = pdu->msgid = ++reqid;
		if (codec_encode(&codec, params, pdu, &pkt, &error) != 0) {
			snmp_free_pdu(pdu);
			part->status = RES_ERROR;
			break;
		}
		snmp_free_pdu(pdu);
		if ((pdu = input_response(in)) == NULL) {
			part->status = RES_TIMEOUT;
			break;
		}
		step = fetch_response(&f, pdu, &error);
		snmp_free_pdu(pdu);
		if (step == FETCH_FAILED)
			part->status = RES_ERROR;
	}
	part->error = error;
	part->vars = fetch_take(&f);
	fetch_free(&f);
	buf_free(&pkt);
	codec_free(&codec);
}

/* FUZZ_REPLY_PRINT=1 in the environment: show each record (to see what
 * an input does, e.g. a crash file run by hand). */
static void
show(const char *format, const struct buf *b)
{
	static int	print = -1;

	if (print < 0)
		print = getenv("FUZZ_REPLY_PRINT") != NULL;
	if (print)
		fprintf(stderr, "--- %s ---\n%.*s", format, (int)b->len,
		    b->data);
}

/* Format f opened for plan; the plans here can all be shown. */
static struct out_format *
fuzz_format(enum format_id f, const struct fetch_plan *plan)
{
	struct out_format	*fmt;
	char			*cause;

	if ((fmt = out_open(f, plan, NULL, &cause)) == NULL)
		abort();
	return fmt;
}

/* Every format's record for (t, r), each checked by its decoder. */
static void
check_all_formats(const struct fetch_plan *plan, const struct target *t,
    const struct result *r)
{
	struct out_format	*fmt;
	struct buf		 b;

	buf_init(&b);
	fmt = fuzz_format(FMT_TEXT, plan);
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	show("text", &b);
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		check_or_abort("text", "no newline at the end", b.data, b.len);

	b.len = 0;
	fmt = fuzz_format(FMT_JSONL, plan);
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	show("jsonl", &b);
	check_or_abort("jsonl", check_jsonl(b.data, b.len), b.data, b.len);

	b.len = 0;
	fmt = fuzz_format(FMT_CSV, plan);
	fmt->header(fmt, &b);
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	show("csv", &b);
	check_or_abort("csv", check_csv(b.data, b.len), b.data, b.len);

	b.len = 0;
	fmt = fuzz_format(FMT_INFLUX, plan);
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	show("influx", &b);
	check_or_abort("influx", check_influx(b.data, b.len), b.data, b.len);

	b.len = 0;
	fmt = fuzz_format(FMT_PROM, plan);
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	show("prom", &b);
	check_or_abort("prom", check_prom(b.data, b.len), b.data, b.len);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory	 inv;
	struct target		 t;
	struct result		 r;
	const struct fetch_plan	*plan;
	struct input		 in;
	const uint8_t		*nl;
	char			*line, *cause = NULL;
	size_t			 i, keylen;

	if (size < 1)
		return 0;
	defaults.snmp_version = data[0] & 1 ? SNMP_VERSION_1 :
	    SNMP_VERSION_2c;
	plan = &plans[(data[0] >> 1) & 3][(data[0] >> 3) & 1];
	in.p = data + 1;
	in.n = size - 1;

	/* the target: 127.0.0.1 with the input's inventory keys (a literal
	 * address, so nothing is ever resolved) */
	nl = memchr(in.p, '\n', in.n);
	keylen = nl ? (size_t)(nl - in.p) : in.n;
	line = xasprintf("127.0.0.1 %.*s", (int)keylen, (const char *)in.p);
	in.p += nl ? keylen + 1 : keylen;
	in.n -= nl ? keylen + 1 : keylen;
	inventory_init(&inv, &defaults, 161);
	if (strlen(line) != keylen + 10 ||
	    inventory_add_line(&inv, line, &cause) != 0 ||
	    inv.params[inv.entries[0].params]->snmp_version ==
	    SNMP_VERSION_3) {
		/* no keys after all: v3 goes through sessions, not here */
		free(cause);
		inventory_free(&inv);
		inventory_init(&inv, &defaults, 161);
		free(line);
		line = xstrdup("127.0.0.1");
		if (inventory_add_line(&inv, line, &cause) != 0)
			abort();
	}
	free(line);
	inventory_get(&inv, 0, &t);

	result_init(&r, plan);
	for (i = 0; i < plan->nitems; i++) {
		run_stream(&in, plan, &plan->items[i], t.params, &r.parts[i]);
		if (r.parts[i].status == RES_TIMEOUT) {
			/* as the scheduler does: a silent target's other
			 * streams time out without waiting */
			for (i++; i < plan->nitems; i++)
				r.parts[i].status = RES_TIMEOUT;
		}
	}
	result_finish(&r);
	r.rtt_ns = r.status == RES_TIMEOUT ? 0 : 840000;
	r.done_ns = 1764205323123000000ull;
	check_all_formats(plan, &t, &r);
	result_free(&r);
	inventory_free(&inv);
	return 0;
}
