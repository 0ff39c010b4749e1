/*
 * t-fetch.c — fetch.c's state machine without a network: the requests it
 * builds, and what it makes of replies built in memory.  GETs packed by
 * --max-oids, tooBig halving, v1 noSuchName holes, reply checks; walks
 * by GETBULK (v2c) or GETNEXT (v1), their ends (subtree, endOfMibView,
 * an empty subtree's final GET), non-increasing OIDs and the walk caps.
 */
#include "config.h"

#include "snmpfleet.h"
#include "tap.h"

#define NOIDS	10

static struct oid_text	 oids[NOIDS];
static struct plan_item	 get_item = { .kind = ITEM_GET };
static struct plan_item	 walk_item = { .kind = ITEM_WALK, .text = "walk" };
static struct target_params v1 = { .snmp_version = SNMP_VERSION_1 };
static struct target_params v2c = { .snmp_version = SNMP_VERSION_2c };

/* text parsed, or the test stops. */
static struct oid_text
oid_of(const char *text)
{
	struct oid_text	 o;
	char		*cause;

	if (oid_parse(text, &o, &cause) != 0)
		abort();
	return o;
}

/* A plan of n GET OIDs (1.3.6.1.2.1.1.K.0), at most max per request. */
static struct fetch_plan
get_plan(size_t n, unsigned max)
{
	struct fetch_plan	 plan = { .oids = oids, .noids = n,
				     .max_oids = max, .items = &get_item,
				     .nitems = 1, .max_repetitions = 10 };
	char			 text[64];
	size_t			 i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof text, "1.3.6.1.2.1.1.%zu.0", i + 1);
		oids[i] = oid_of(text);
	}
	return plan;
}

/* A walk plan of root, reps repetitions. */
static struct fetch_plan
walk_plan(const char *root, unsigned reps)
{
	struct fetch_plan	plan = { .max_oids = 4, .items = &walk_item,
				    .nitems = 1, .max_repetitions = reps };

	walk_item.oid = oid_of(root);
	return plan;
}

static size_t
count_vars(const netsnmp_variable_list *v)
{
	size_t	n = 0;

	for (; v != NULL; v = v->next_variable)
		n++;
	return n;
}

/* The i'th varbind's OID as text ("" past the end). */
static const char *
var_oid(const netsnmp_variable_list *v, size_t i)
{
	static struct buf	b;

	b.len = 0;
	for (; v != NULL && i > 0; v = v->next_variable)
		i--;
	if (v != NULL)
		oid_format(v->name, v->name_length, &b);
	return buf_cstr(&b);
}

static u_char
var_type(const netsnmp_variable_list *v, size_t i)
{
	for (; v != NULL && i > 0; v = v->next_variable)
		i--;
	return v != NULL ? v->type : 0;
}

/* A reply with no varbinds and the given error. */
static netsnmp_pdu *
reply(long errstat, long errindex)
{
	netsnmp_pdu	*pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);

	pdu->errstat = errstat;
	pdu->errindex = errindex;
	return pdu;
}

static void
reply_add(netsnmp_pdu *pdu, const char *text, u_char type)
{
	struct oid_text	o = oid_of(text);
	long		n = 1;

	if (type == ASN_INTEGER)
		snmp_pdu_add_variable(pdu, o.v, o.len, type, &n, sizeof n);
	else
		snmp_pdu_add_variable(pdu, o.v, o.len, type, NULL, 0);
}

/* The answer to a GET request: each OID asked, an INTEGER. */
static netsnmp_pdu *
reply_echo(const netsnmp_pdu *req)
{
	netsnmp_pdu			*pdu = reply(0, 0);
	const netsnmp_variable_list	*v;
	long				 n = 1;

	for (v = req->variables; v != NULL; v = v->next_variable)
		snmp_pdu_add_variable(pdu, v->name, v->name_length,
		    ASN_INTEGER, &n, sizeof n);
	return pdu;
}

/* Feed rsp to f, free both PDUs, and return the step. */
static enum fetch_step
answer(struct fetch *f, netsnmp_pdu *req, netsnmp_pdu *rsp, char **error)
{
	enum fetch_step	step;

	*error = NULL;
	step = fetch_response(f, rsp, error);
	snmp_free_pdu(rsp);
	snmp_free_pdu(req);
	return step;
}

/* Start f for plan's first item (version v, budget b), and answer its
 * first request with rsp. */
static enum fetch_step
first_reply(struct fetch *f, const struct fetch_plan *plan,
    const struct target_params *v,
    struct walk_budget *b, netsnmp_pdu *rsp, char **error)
{
	fetch_start(f, plan, plan->items, v, b);
	return answer(f, fetch_next_pdu(f), rsp, error);
}

/* The next GET asks n OIDs from first; answered in full, it gives want. */
static void
get_round(struct fetch *f, size_t n, const char *first, enum fetch_step want,
    const char *what)
{
	netsnmp_pdu	*req = fetch_next_pdu(f);
	char		*err;

	if (req == NULL)
		abort();
	ok(req->command == SNMP_MSG_GET, "%s: a GET", what);
	is_int(count_vars(req->variables), n, "%s: %zu OIDs", what, n);
	is_str(var_oid(req->variables, 0), first, "%s: from %s", what, first);
	is_int(answer(f, req, reply_echo(req), &err), want,
	    "%s: answered, %s", what, want == FETCH_DONE ? "done" : "more");
}

/* A walk reply: root.first up to root.last, OCTET STRINGs. */
static netsnmp_pdu *
reply_range(const char *root, int first, int last)
{
	netsnmp_pdu	*rsp = reply(0, 0);
	char		 text[128];
	int		 i;

	for (i = first; i <= last; i++) {
		snprintf(text, sizeof text, "%s.%d", root, i);
		reply_add(rsp, text, ASN_OCTET_STR);
	}
	return rsp;
}

/* 10 OIDs by at most 4: requests of 4, 4 and 2, values in order. */
static void
test_get_packing(void)
{
	struct fetch_plan	 plan = get_plan(NOIDS, 4);
	struct fetch		 f;
	netsnmp_variable_list	*vars;

	fetch_start(&f, &plan, &get_item, &v2c, NULL);
	get_round(&f, 4, "1.3.6.1.2.1.1.1.0", FETCH_MORE, "request 1");
	get_round(&f, 4, "1.3.6.1.2.1.1.5.0", FETCH_MORE, "request 2");
	get_round(&f, 2, "1.3.6.1.2.1.1.9.0", FETCH_DONE, "request 3");
	ok(fetch_next_pdu(&f) == NULL, "nothing more to ask");
	vars = fetch_take(&f);
	is_int(count_vars(vars), NOIDS, "all 10 values kept");
	is_str(var_oid(vars, 9), "1.3.6.1.2.1.1.10.0", "in the order asked");
	snmp_free_varbind(vars);
	fetch_free(&f);
}

/* tooBig halves the request and asks again; a single OID too big fails. */
static void
test_get_toobig(void)
{
	struct fetch_plan	 plan = get_plan(8, 8);
	struct fetch		 f;
	netsnmp_pdu		*req;
	char			*err;

	fetch_start(&f, &plan, &get_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	is_int(count_vars(req->variables), 8, "first request: all 8 OIDs");
	is_int(answer(&f, req, reply(SNMP_ERR_TOOBIG, 0), &err), FETCH_MORE,
	    "tooBig: ask again");
	get_round(&f, 4, "1.3.6.1.2.1.1.1.0", FETCH_MORE,
	    "then half of them, from the first");
	get_round(&f, 4, "1.3.6.1.2.1.1.5.0", FETCH_DONE,
	    "the other half, the same size");
	is_int(count_vars(f.vars), 8, "8 values, none twice");
	fetch_free(&f);

	plan = get_plan(3, 3);
	fetch_start(&f, &plan, &get_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	answer(&f, req, reply(SNMP_ERR_TOOBIG, 0), &err);
	req = fetch_next_pdu(&f);
	is_int(count_vars(req->variables), 1, "3 OIDs halve to 1");
	answer(&f, req, reply(SNMP_ERR_TOOBIG, 0), &err);
	ok(err != NULL && strstr(err, "tooBig") != NULL,
	    "a single OID too big fails: %s", err ? err : "(none)");
	free(err);
	fetch_free(&f);
}

/* v1 noSuchName at index 2 of 4: that OID becomes noSuchObject, the
 * rest are asked again around it.  In v2c it is an error. */
static void
test_get_v1_hole(void)
{
	struct fetch_plan	 plan = get_plan(4, 4);
	struct fetch		 f;
	netsnmp_pdu		*req;
	char			*err;

	fetch_start(&f, &plan, &get_item, &v1, NULL);
	req = fetch_next_pdu(&f);
	is_int(answer(&f, req, reply(SNMP_ERR_NOSUCHNAME, 2), &err),
	    FETCH_MORE, "v1 noSuchName: ask again");
	get_round(&f, 1, "1.3.6.1.2.1.1.1.0", FETCH_MORE,
	    "only the OID before the hole");
	get_round(&f, 2, "1.3.6.1.2.1.1.3.0", FETCH_DONE,
	    "then the two after it");
	is_int(count_vars(f.vars), 4, "4 values");
	is_str(var_oid(f.vars, 1), "1.3.6.1.2.1.1.2.0",
	    "the hole in its place");
	is_int(var_type(f.vars, 1), SNMP_NOSUCHOBJECT, "as noSuchObject");
	is_int(var_type(f.vars, 2), ASN_INTEGER, "the others as answered");
	fetch_free(&f);

	fetch_start(&f, &plan, &get_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	is_int(answer(&f, req, reply(SNMP_ERR_NOSUCHNAME, 2), &err),
	    FETCH_FAILED, "v2c noSuchName fails");
	is_str(err, "(noSuchName) There is no such variable name in this "
	    "MIB. at 1.3.6.1.2.1.1.2.0", "naming the OID");
	free(err);
	fetch_free(&f);
}

/* A GET reply must name the OIDs asked, all of them, in order. */
static void
test_get_checks(void)
{
	struct fetch_plan	 plan = get_plan(2, 2);
	struct fetch		 f;
	netsnmp_pdu		*rsp;
	char			*err;

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.1.0", ASN_INTEGER);
	is_int(first_reply(&f, &plan, &v2c, NULL, rsp, &err), FETCH_FAILED,
	    "one value for two OIDs fails");
	is_str(err, "agent answered 1 values for 2 OIDs", "saying so");
	free(err);
	fetch_free(&f);

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.1.0", ASN_INTEGER);
	reply_add(rsp, "1.3.6.1.2.1.1.7.0", ASN_INTEGER);
	is_int(first_reply(&f, &plan, &v2c, NULL, rsp, &err), FETCH_FAILED,
	    "an OID not asked fails");
	is_str(err, "reply OIDs do not match the request: asked "
	    "1.3.6.1.2.1.1.2.0, got 1.3.6.1.2.1.1.7.0", "naming both");
	free(err);
	ok(f.vars == NULL, "and keeps none of that reply");
	fetch_free(&f);
}

/* GETBULK on v2c with the plan's repetitions, GETNEXT on v1; each
 * request asks after the last OID received; the walk ends past the
 * subtree. */
static void
test_walk_requests(void)
{
	struct fetch_plan	 plan = walk_plan("1.3.6.1.2.1.2.2.1.2", 25);
	struct fetch		 f;
	netsnmp_pdu		*req, *rsp;
	char			*err;

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	is_int(req->command, SNMP_MSG_GETBULK, "v2c walks by GETBULK");
	is_int(req->max_repetitions, 25, "max-repetitions from the plan");
	is_int(req->non_repeaters, 0, "no non-repeaters");
	is_str(var_oid(req->variables, 0), "1.3.6.1.2.1.2.2.1.2",
	    "asking after the root");
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.2", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_MORE,
	    "values all in the subtree: more");
	req = fetch_next_pdu(&f);
	is_str(var_oid(req->variables, 0), "1.3.6.1.2.1.2.2.1.2.2",
	    "next request asks after the last value");
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.3", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.3.1", ASN_INTEGER);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.3.2", ASN_INTEGER);
	is_int(answer(&f, req, rsp, &err), FETCH_DONE,
	    "a value past the subtree: done");
	is_int(count_vars(f.vars), 3, "3 values, none past the subtree");
	is_str(var_oid(f.vars, 2), "1.3.6.1.2.1.2.2.1.2.3", "the last in it");
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v1, NULL);
	req = fetch_next_pdu(&f);
	is_int(req->command, SNMP_MSG_GETNEXT, "v1 walks by GETNEXT");
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_MORE, "v1: a value, more");
	req = fetch_next_pdu(&f);
	is_int(req->command, SNMP_MSG_GETNEXT, "still GETNEXT");
	rsp = reply(SNMP_ERR_NOSUCHNAME, 1);	/* v1 echoes the request */
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_NULL);
	is_int(answer(&f, req, rsp, &err),
	    FETCH_DONE, "v1 noSuchName is the end of the MIB: done");
	is_int(count_vars(f.vars), 1, "with the value before it");
	fetch_free(&f);
}

/* endOfMibView ends the walk (and is shown); an OID that does not
 * increase fails it; tooBig halves the repetitions. */
static void
test_walk_ends(void)
{
	struct fetch_plan	 plan = walk_plan("1.3.6.1.2.1.2.2.1.2", 10);
	struct fetch		 f;
	netsnmp_pdu		*req, *rsp;
	char			*err;

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", SNMP_ENDOFMIBVIEW);
	is_int(first_reply(&f, &plan, &v2c, NULL, rsp, &err), FETCH_DONE, "endOfMibView: done");
	is_int(count_vars(f.vars), 2, "the value and the endOfMibView");
	is_int(var_type(f.vars, 1), SNMP_ENDOFMIBVIEW, "endOfMibView last");
	fetch_free(&f);

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.5", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.4", ASN_OCTET_STR);
	is_int(first_reply(&f, &plan, &v2c, NULL, rsp, &err), FETCH_FAILED,
	    "a decreasing OID fails the walk");
	is_str(err, "OID not increasing: 1.3.6.1.2.1.2.2.1.2.5 >= "
	    "1.3.6.1.2.1.2.2.1.2.4", "saying which");
	free(err);
	is_int(count_vars(f.vars), 1, "the values before it are kept");
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.5", ASN_OCTET_STR);
	answer(&f, req, rsp, &err);
	req = fetch_next_pdu(&f);
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.5", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_FAILED,
	    "the same OID again fails (no loop)");
	free(err);
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	is_int(answer(&f, req, reply(SNMP_ERR_TOOBIG, 0), &err), FETCH_MORE,
	    "walk tooBig: ask again");
	req = fetch_next_pdu(&f);
	is_int(req->max_repetitions, 5, "with half the repetitions");
	snmp_free_pdu(req);
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	is_int(answer(&f, req, reply(SNMP_ERR_GENERR, 1), &err), FETCH_FAILED,
	    "genErr fails the walk");
	is_str(err, "(genError) A general failure occured at "
	    "1.3.6.1.2.1.2.2.1.2", "at the OID asked after");
	free(err);
	fetch_free(&f);
}

/* An empty subtree: a GET of the root itself, as snmpwalk does. */
static void
test_walk_empty(void)
{
	struct fetch_plan	 plan = walk_plan("1.3.6.1.2.1.1.5.0", 10);
	struct fetch		 f;
	netsnmp_pdu		*req, *rsp;
	char			*err;

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.6.0", ASN_OCTET_STR);
	is_int(first_reply(&f, &plan, &v2c, NULL, rsp, &err), FETCH_MORE,
	    "nothing in the subtree: one more request");
	req = fetch_next_pdu(&f);
	is_int(req->command, SNMP_MSG_GET, "a GET");
	is_str(var_oid(req->variables, 0), "1.3.6.1.2.1.1.5.0", "of the root");
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.5.0", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_DONE, "then done");
	is_int(count_vars(f.vars), 1, "with the root's value");
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	answer(&f, req, reply(0, 0), &err);
	req = fetch_next_pdu(&f);
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.6.0", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_FAILED,
	    "the final GET answered for another OID fails");
	free(err);
	fetch_free(&f);
}

/* The walk caps: values and bytes, shared by a target's streams. */
static void
test_walk_budget(void)
{
	struct fetch_plan	 plan = walk_plan("1.3.6.1.2.1.2.2.1.2", 10);
	struct walk_budget	 budget = { .max_values = 3 };
	struct fetch		 f, g;
	netsnmp_pdu		*rsp;
	char			*err;
	uint64_t		 one;

	rsp = reply_range("1.3.6.1.2.1.2.2.1.2", 1, 5);
	is_int(first_reply(&f, &plan, &v2c, &budget, rsp, &err), FETCH_FAILED,
	    "more than --max-walk-values 3: the walk stops");
	is_str(err, "walk stopped: more than 3 values (--max-walk-values)",
	    "saying why");
	free(err);
	is_int(count_vars(f.vars), 3, "holding 3 values");
	is_int(budget.values, 3, "counted in the budget");
	fetch_free(&f);

	/* the budget is the target's: a second stream finds it spent */
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR);
	is_int(first_reply(&g, &plan, &v2c, &budget, rsp, &err), FETCH_FAILED,
	    "another stream of the target: stopped at once");
	free(err);
	ok(g.vars == NULL, "holding nothing");
	fetch_free(&g);

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.1", ASN_OCTET_STR);
	one = fetch_value_bytes(rsp->variables);
	snmp_free_pdu(rsp);
	ok(one >= sizeof(netsnmp_variable_list), "a value takes %llu bytes",
	    (unsigned long long)one);
	memset(&budget, 0, sizeof budget);
	budget.max_bytes = one * 2 + one / 2;
	rsp = reply_range("1.3.6.1.2.1.2.2.1.2", 1, 5);
	is_int(first_reply(&f, &plan, &v2c, &budget, rsp, &err), FETCH_FAILED,
	    "past --max-walk-bytes: the walk stops");
	ok(err != NULL && strstr(err, "(--max-walk-bytes)") != NULL,
	    "saying why: %s", err ? err : "(none)");
	free(err);
	is_int(count_vars(f.vars), 2, "holding the 2 values that fit");
	is_int(budget.bytes, one * 2, "their bytes counted");
	fetch_free(&f);

	memset(&budget, 0, sizeof budget);
	rsp = reply_range("1.3.6.1.2.1.2.2.1.2", 1, 5);
	is_int(first_reply(&f, &plan, &v2c, &budget, rsp, &err), FETCH_MORE, "no caps: all taken");
	is_int(budget.values, 5, "and counted");
	fetch_free(&f);
}

/* result: one part per item; its status is the first failed part's. */
/* The per-target quirks: max-oids and max-repetitions beat the plan's;
 * no-bulk walks by GETNEXT on v2c; allow-non-increasing takes a step
 * back but ends a walk at an OID seen again. */
static void
test_walk_quirks(void)
{
	struct fetch_plan	 plan = walk_plan("1.3.6.1.2.1.2.2.1.2", 25);
	struct fetch_plan	 gplan = get_plan(10, 32);
	struct target_params	 q = { .snmp_version = SNMP_VERSION_2c };
	struct fetch		 f;
	netsnmp_pdu		*req, *rsp;
	char			*err;

	q.max_repetitions = 3;
	fetch_start(&f, &plan, &walk_item, &q, NULL);
	req = fetch_next_pdu(&f);
	is_int(req->max_repetitions, 3, "max-repetitions= beats the plan's");
	snmp_free_pdu(req);
	fetch_free(&f);

	q.max_oids = 4;
	fetch_start(&f, &gplan, &get_item, &q, NULL);
	req = fetch_next_pdu(&f);
	is_int(count_vars(req->variables), 4, "max-oids= beats the plan's");
	snmp_free_pdu(req);
	fetch_free(&f);

	q.no_bulk = true;
	fetch_start(&f, &plan, &walk_item, &q, NULL);
	req = fetch_next_pdu(&f);
	is_int(req->command, SNMP_MSG_GETNEXT, "no-bulk: v2c walks by GETNEXT");
	is_int(answer(&f, req, reply(SNMP_ERR_TOOBIG, 0), &err), FETCH_FAILED,
	    "no-bulk: tooBig on one GETNEXT fails (nothing to halve)");
	free(err);
	fetch_free(&f);
	q.no_bulk = false;

	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.5", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.4", ASN_OCTET_STR);
	q.allow_non_increasing = true;
	is_int(first_reply(&f, &plan, &q, NULL, rsp, &err), FETCH_MORE,
	    "allow-non-increasing: a step back is taken");
	req = fetch_next_pdu(&f);
	is_str(var_oid(req->variables, 0), "1.3.6.1.2.1.2.2.1.2.4",
	    "and the walk goes on after it");
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.6", ASN_OCTET_STR);
	reply_add(rsp, "1.3.6.1.2.1.2.2.1.2.5", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_FAILED,
	    "an OID that comes again ends the walk (the loop guard)");
	is_str(err, "walk loops: OID 1.3.6.1.2.1.2.2.1.2.5 came again "
	    "(allow-non-increasing)", "saying which");
	free(err);
	is_int(count_vars(f.vars), 3, "with the values before it");
	fetch_free(&f);
}

/* ".1": a walk of everything; an empty answer is the end, not a GET of
 * an object that cannot be. */
static void
test_walk_one_number(void)
{
	struct fetch_plan	 plan = walk_plan(".1", 10);
	struct fetch		 f;
	netsnmp_pdu		*req, *rsp;
	char			*err;

	is_int((int)walk_item.oid.len, 1, "'.1' is one sub-identifier");
	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	rsp = reply(0, 0);
	reply_add(rsp, "1.3.6.1.2.1.1.1.0", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_MORE, ".1: a value, more");
	fetch_free(&f);

	fetch_start(&f, &plan, &walk_item, &v2c, NULL);
	req = fetch_next_pdu(&f);
	rsp = reply(0, 0);
	reply_add(rsp, "2.1", ASN_OCTET_STR);
	is_int(answer(&f, req, rsp, &err), FETCH_DONE,
	    ".1 with nothing under it: done, no GET of '1'");
	ok(f.vars == NULL, "and no values");
	fetch_free(&f);
}

static void
test_result(void)
{
	struct plan_item	items[3] = { { .kind = ITEM_GET },
				    { .kind = ITEM_WALK },
				    { .kind = ITEM_WALK } };
	struct fetch_plan	plan = { .items = items, .nitems = 3 };
	struct result		r;

	result_init(&r, &plan);
	is_int(r.nparts, 3, "a part per plan item");
	ok(r.parts[2].item == &items[2], "each naming its item");
	r.parts[1].status = RES_TIMEOUT;
	r.parts[2].status = RES_ERROR;
	r.parts[2].error = xstrdup("boom");
	result_finish(&r);
	is_int(r.status, RES_TIMEOUT, "the first failed part's status");
	ok(r.error == NULL, "and its (absent) error");
	r.parts[1].status = RES_OK;
	result_finish(&r);
	is_int(r.status, RES_ERROR, "then the next one's");
	is_str(r.error, "boom", "with its error");
	result_free(&r);
}

/* The bytes net-snmp itself encodes pdu to (v1/v2c, community comm). */
static void
net_snmp_bytes(netsnmp_pdu *pdu, long version, const char *comm,
    struct buf *out)
{
	netsnmp_session	 sess;
	size_t		 size = 65536, off = 0;
	u_char		*pkt = xmalloc(size);

	snmp_sess_init(&sess);
	sess.version = version;
	sess.community = (u_char *)comm;
	sess.community_len = strlen(comm);
	pdu->version = version;
	if (snmp_build(&pkt, &size, &off, &sess, pdu) != SNMPERR_SUCCESS)
		off = 0;
	out->len = 0;
	buf_add(out, pkt + size - off, off);
	free(pkt);
}

/* A GET (or GETBULK) of n OIDs 1.3.6.1.2.1.1.k.0 (k from base) with id. */
static netsnmp_pdu *
codec_pdu(int command, size_t n, unsigned base, long id)
{
	netsnmp_pdu	*pdu = snmp_pdu_create(command);
	oid		 o[] = { 1, 3, 6, 1, 2, 1, 1, 0, 0 };
	size_t		 i;

	for (i = 0; i < n; i++) {
		o[7] = base + i;
		snmp_add_null_var(pdu, o, 9);
	}
	if (command == SNMP_MSG_GETBULK) {
		pdu->non_repeaters = 1;
		pdu->max_repetitions = 25;
	}
	pdu->reqid = pdu->msgid = id;
	return pdu;
}

/* codec_encode's requests are byte for byte what net-snmp encodes, for
 * any community, version and id, whether or not it reuses the last
 * request's encoding. */
static void
test_codec(void)
{
	static char	 longc[300];
	const char	*comms[] = { "public", "", "x", longc, "private" };
	long		 ids[] = { 0x40000001, 0x7fffffff, 0x40123456, 5, 0x800000,
			    0x4000ffff };
	struct target_params p = { 0 };
	struct codec	 c;
	struct buf	 got, want;
	netsnmp_pdu	*pdu;
	char		*cause = NULL;
	size_t		 i, bad = 0, n = 0;

	memset(longc, 'c', sizeof longc - 1);
	codec_init(&c);
	buf_init(&got);
	buf_init(&want);
	/* community fastest, then id: runs of 30 alike but for those */
	for (i = 0; i < 5 * 6 * 2 * 3 * 2; i++) {
		p.community = (char *)comms[i % 5];
		p.snmp_version = i / 30 % 2 ? SNMP_VERSION_2c : SNMP_VERSION_1;
		pdu = codec_pdu(i / 180 ? SNMP_MSG_GETBULK : SNMP_MSG_GET,
		    i / 60 % 3 == 2 ? 40 : 1 + i / 60 % 3, 1 + i / 60 % 3,
		    ids[i / 5 % 6]);
		if (p.snmp_version == SNMP_VERSION_1 &&
		    pdu->command == SNMP_MSG_GETBULK) {
			snmp_free_pdu(pdu);
			continue;
		}
		n++;
		if (codec_encode(&c, &p, pdu, &got, &cause) != 0)
			bad++;
		net_snmp_bytes(pdu, p.snmp_version, p.community, &want);
		if (want.len == 0 || got.len != want.len ||
		    memcmp(got.data, want.data, got.len) != 0)
			bad++;
		snmp_free_pdu(pdu);
	}
	ok(n > 100, "many requests encoded (%zu)", n);
	is_int(bad, 0, "each the bytes net-snmp encodes");
	ok(c.tmpl.len != 0, "one kept as the template of the next");
	/* a request like the last is the template's bytes: a mark put in
	 * the template's last byte (the last OID's 0) shows in it */
	c.tmpl.data[c.tmpl.len - 1] = 0x7e;
	pdu = codec_pdu(SNMP_MSG_GETBULK, 40, 3, 0x40000042);
	ok(codec_encode(&c, &p, pdu, &got, &cause) == 0 && got.len > 0 &&
	    (u_char)got.data[got.len - 1] == 0x7e, "the template is reused");
	snmp_free_pdu(pdu);
	p.community = "other";
	pdu = codec_pdu(SNMP_MSG_GETBULK, 40, 4, 0x40000042);
	ok(codec_encode(&c, &p, pdu, &got, &cause) == 0 && got.len > 0 &&
	    got.data[got.len - 1] == 0, "not by another request");
	snmp_free_pdu(pdu);
	buf_free(&got);
	buf_free(&want);
	codec_free(&c);
}

int
main(void)
{
	oid_init_netsnmp(NULL);
	test_get_packing();
	test_get_toobig();
	test_get_v1_hole();
	test_get_checks();
	test_walk_requests();
	test_walk_ends();
	test_walk_empty();
	test_walk_budget();
	test_walk_quirks();
	test_walk_one_number();
	test_result();
	test_codec();
	return tap_done();
}
