/*
 * t-out.c — whole records in each format: text (snmpget -On after the
 * host), jsonl (the DESIGN contract, tags, errors, timeouts) and csv
 * (header, quoting, failed targets).
 */
#include "config.h"

#include <arpa/inet.h>

#include "snmpfleet.h"
#include "tap.h"

static struct target_params params = {
	.snmp_version = SNMP_VERSION_2c, .community = "public",
	.timeout_ms = 1000, .retries = 2,
};

static void
make_target(struct target *t, const char *host, unsigned port, bool dflt)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&t->addr;

	memset(t, 0, sizeof *t);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, host, &sin->sin_addr);
	snprintf(t->host, sizeof t->host, "%s", host);
	t->port = (uint16_t)port;
	t->default_port = dflt;
	t->params = &params;
}

static struct plan_item items[] = {
	{ .kind = ITEM_GET },
	{ .kind = ITEM_TABLE, .text = "IF-MIB::ifTable" },
};
static struct fetch_plan plan_get = { .items = items, .nitems = 1 };
static struct fetch_plan plan_table = { .items = items, .nitems = 2 };

/* Append a value to result part n. */
static void
add_var_to(struct result *r, size_t n, const char *oidtext, u_char type,
    const void *val, size_t len)
{
	struct oid_text		 o;
	char			*cause;

	if (oid_parse(oidtext, &o, &cause) != 0)
		abort();
	snmp_varlist_add_variable(&r->parts[n].vars, o.v, o.len, type, val,
	    len);
}

static void
add_var(struct result *r, const char *oidtext, u_char type, const void *val,
    size_t len)
{
	add_var_to(r, 0, oidtext, type, val, len);
}

/* Format f's record for (t, r), from a format object opened for plan
 * (the one r was made for). */
static const char *
render_plan(enum format_id f, const struct fetch_plan *plan,
    const struct target *t, const struct result *r)
{
	static struct buf	 b;
	struct out_format	*fmt;
	char			*cause;

	if ((fmt = out_open(f, plan, NULL, &cause)) == NULL)
		abort();
	b.len = 0;
	fmt->record(fmt, &b, t, r);
	out_close(fmt);
	return buf_cstr(&b);
}

/* Format f's record for (t, r), r made for a plan of GETs. */
static const char *
render(enum format_id f, const struct target *t, const struct result *r)
{
	return render_plan(f, &plan_get, t, r);
}

/* json_string, byte by byte: what JSON must escape is escaped exactly,
 * valid UTF-8 passes, anything else becomes \u00XX. */
static void
test_json_string(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*want;
	} s[] = {
		{ "a\rb", 3, "\"a\\rb\"" },
		{ "a\nb", 3, "\"a\\nb\"" },
		{ "a\tb", 3, "\"a\\tb\"" },
		{ "a\bb", 3, "\"a\\u0008b\"" },
		{ "a\fb", 3, "\"a\\u000cb\"" },
		{ "\001\037", 2, "\"\\u0001\\u001f\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "\"\\", 2, "\"\\\"\\\\\"" },
		{ "del\177", 4, "\"del\177\"" },
		{ "caf\303\251", 5, "\"caf\303\251\"" },
		{ "\342\202\254", 3, "\"\342\202\254\"" },
		{ "\360\237\230\200", 4, "\"\360\237\230\200\"" },
		{ "\377", 1, "\"\\u00ff\"" },
		{ "\300\257", 2, "\"\\u00c0\\u00af\"" },
		{ "\342\202", 2, "\"\\u00e2\\u0082\"" },
		{ "\355\240\200", 3, "\"\\u00ed\\u00a0\\u0080\"" },
	};
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < sizeof s / sizeof *s; i++) {
		b.len = 0;
		json_string(&b, s[i].in, s[i].n);
		is_str(buf_cstr(&b), s[i].want, "json_string #%zu -> %s", i,
		    s[i].want);
	}
	buf_free(&b);
}

/* A string value through whole records: \r and \n stay themselves in
 * jsonl; CSV quotes a field for a comma, a quote, LF or CR alone. */
static void
test_escapes(void)
{
	static const struct { const char *val, *json, *csv; } v[] = {
		{ "a\rb", "\"value\":\"a\\rb\"}", ",STRING,\"a\rb\",ok," },
		{ "a\nb", "\"value\":\"a\\nb\"}", ",STRING,\"a\nb\",ok," },
		{ "a,b", "\"value\":\"a,b\"}", ",STRING,\"a,b\",ok," },
		{ "a\"b", "\"value\":\"a\\\"b\"}", ",STRING,\"a\"\"b\",ok," },
		{ "a\r\nb,c", "\"value\":\"a\\r\\nb,c\"}",
		  ",STRING,\"a\r\nb,c\",ok," },
		{ "plain text", "\"value\":\"plain text\"}",
		  ",STRING,plain text,ok," },
		{ "caf\303\251", "\"value\":\"caf\303\251\"}",
		  ",STRING,caf\303\251,ok," },
	};
	struct target	t;
	struct result	r;
	size_t		i;

	make_target(&t, "127.0.0.12", 161, true);
	for (i = 0; i < sizeof v / sizeof *v; i++) {
		result_init(&r, &plan_get);
		r.status = RES_OK;
		r.rtt_ns = 1000000;
		r.done_ns = 1795741323123000000ull;
		add_var(&r, "sysName.0", ASN_OCTET_STR, v[i].val,
		    strlen(v[i].val));
		ok(strstr(render(FMT_JSONL, &t, &r), v[i].json) != NULL,
		    "jsonl value #%zu has %s", i, v[i].json);
		ok(strstr(render(FMT_CSV, &t, &r), v[i].csv) != NULL,
		    "csv value #%zu quoted as it needs", i);
		result_free(&r);
	}
	/* control bytes other than tab, CR, LF (and DEL): bytes, as hex */
	result_init(&r, &plan_get);
	r.status = RES_OK;
	r.done_ns = 1795741323123000000ull;
	add_var(&r, "sysName.0", ASN_OCTET_STR, "a\bb\177", 4);
	ok(strstr(render(FMT_JSONL, &t, &r), "\"value\":\"61:08:62:7f\"") !=
	    NULL, "jsonl: a string with \\b and DEL is shown as hex");
	result_free(&r);
}

int
main(void)
{
	struct target	t;
	struct result	r;
	struct buf	hdr;
	struct out_format *csv;
	char		*why;
	long		ticks = 12345;
	char		*tags[] = { "site", "lab \"A\"", "rack", "r1" };
	char		*dup_tags[] = { "r-1", "a", "site", "s", "r.1", "b" };

	oid_init_netsnmp(NULL);
	make_target(&t, "127.0.0.9", 161, true);
	result_init(&r, &plan_get);
	r.status = RES_OK;
	r.rtt_ns = 840000;
	r.done_ns = 1795741323123000000ull;	/* 2026-11-27T01:02:03.123Z */
	add_var(&r, "sysName.0", ASN_OCTET_STR, "core-sw-1", 9);
	add_var(&r, "sysUpTime.0", ASN_TIMETICKS, &ticks, sizeof ticks);
	add_var(&r, "1.3.6.1.2.1.1.99.0", SNMP_NOSUCHOBJECT, NULL, 0);

	is_str(render(FMT_TEXT, &t, &r),
	    "127.0.0.9 .1.3.6.1.2.1.1.5.0 = STRING: \"core-sw-1\"\n"
	    "127.0.0.9 .1.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45\n"
	    "127.0.0.9 .1.3.6.1.2.1.1.99.0 = No Such Object available on this "
	    "agent at this OID\n", "text record");
	is_str(render(FMT_JSONL, &t, &r),
	    "{\"time\":\"2026-11-27T01:02:03.123Z\",\"host\":\"127.0.0.9\","
	    "\"port\":161,\"status\":\"ok\",\"rtt_ms\":0.840,\"retries\":0,"
	    "\"values\":[{\"oid\":\"1.3.6.1.2.1.1.5.0\",\"name\":\"sysName.0\","
	    "\"type\":\"STRING\",\"value\":\"core-sw-1\"},"
	    "{\"oid\":\"1.3.6.1.2.1.1.3.0\",\"name\":\"sysUpTime.0\","
	    "\"type\":\"TimeTicks\",\"value\":12345,\"seconds\":123.45},"
	    "{\"oid\":\"1.3.6.1.2.1.1.99.0\",\"name\":\"system.99.0\","
	    "\"type\":\"noSuchObject\",\"value\":null}]}\n", "jsonl record");
	is_str(render(FMT_CSV, &t, &r),
	    "127.0.0.9,161,1.3.6.1.2.1.1.5.0,sysName.0,STRING,core-sw-1,ok,"
	    "0.840,\n"
	    "127.0.0.9,161,1.3.6.1.2.1.1.3.0,sysUpTime.0,TimeTicks,12345,ok,"
	    "0.840,123.45\n"
	    "127.0.0.9,161,1.3.6.1.2.1.1.99.0,system.99.0,noSuchObject,,ok,"
	    "0.840,\n", "csv record (display: TimeTicks in seconds)");
	buf_init(&hdr);
	if ((csv = out_open(FMT_CSV, &plan_get, NULL, &why)) == NULL)
		abort();
	csv->header(csv, &hdr);
	out_close(csv);
	is_str(buf_cstr(&hdr),
	    "host,port,oid,name,type,value,status,rtt_ms,display\n",
	    "csv header");
	result_free(&r);

	/* a string that needs CSV quoting, and tags in jsonl */
	params.tags = tags;
	params.ntags = 2;
	make_target(&t, "127.0.0.10", 1161, false);
	result_init(&r, &plan_get);
	r.status = RES_OK;
	r.rtt_ns = 1500000;
	r.done_ns = 1795741323123000000ull;
	add_var(&r, "sysLocation.0", ASN_OCTET_STR, "rack 4, \"row\" 2", 15);
	is_str(render(FMT_CSV, &t, &r),
	    "127.0.0.10,1161,1.3.6.1.2.1.1.6.0,sysLocation.0,STRING,"
	    "\"rack 4, \"\"row\"\" 2\",ok,1.500,\n", "csv quoting");
	is_str(render(FMT_TEXT, &t, &r),
	    "127.0.0.10:1161 .1.3.6.1.2.1.1.6.0 = STRING: "
	    "\"rack 4, \\\"row\\\" 2\"\n", "text host:port off the default");
	ok(strstr(render(FMT_JSONL, &t, &r),
	    ",\"tags\":{\"site\":\"lab \\\"A\\\"\",\"rack\":\"r1\"}}\n") != NULL,
	    "jsonl tags");
	/* tag.r-1 and tag.r.1 both make label tag_r_1: only the first is
	 * kept, a label given twice is invalid (found by fuzz-reply) */
	params.tags = dup_tags;
	params.ntags = 3;
	ok(strstr(render(FMT_PROM, &t, &r), "snmpfleet_up{target="
	    "\"127.0.0.10:1161\",tag_r_1=\"a\",tag_site=\"s\"} 1\n") != NULL,
	    "prom keeps the first of two tags with the same label name");
	result_free(&r);
	params.ntags = 0;

	/* failures */
	result_init(&r, &plan_get);
	r.status = RES_TIMEOUT;
	r.retries = 2;
	r.done_ns = 1795741323123000000ull;
	is_str(render(FMT_TEXT, &t, &r), "127.0.0.10:1161 # timeout\n",
	    "text timeout");
	is_str(render(FMT_JSONL, &t, &r),
	    "{\"time\":\"2026-11-27T01:02:03.123Z\",\"host\":\"127.0.0.10\","
	    "\"port\":1161,\"status\":\"timeout\",\"rtt_ms\":null,"
	    "\"retries\":2,\"values\":[]}\n", "jsonl timeout");
	is_str(render(FMT_CSV, &t, &r), "127.0.0.10,1161,,,,,timeout,,\n",
	    "csv timeout");
	r.parts[0].status = RES_ERROR;
	r.parts[0].error = xstrdup("genErr at 1.3.6.1.2.1.1.1.0");
	result_finish(&r);
	is_str(render(FMT_TEXT, &t, &r),
	    "127.0.0.10:1161 # error: genErr at 1.3.6.1.2.1.1.1.0\n",
	    "text error");
	ok(strstr(render(FMT_JSONL, &t, &r), "\"status\":\"error\","
	    "\"error\":\"genErr at 1.3.6.1.2.1.1.1.0\"") != NULL,
	    "jsonl error reason");
	result_free(&r);

	/* a table: rows in the order indexes appear, fields by column name */
	{
		char		*cause;
		long		 type = 6;
		u_char		 mac[] = { 0, 0x1a, 0x2b, 0xff };

		if (oid_parse("ifTable", &items[1].oid, &cause) != 0)
			abort();
		make_target(&t, "127.0.0.11", 161, true);
		result_init(&r, &plan_table);
		r.rtt_ns = 2000000;
		r.done_ns = 1795741323123000000ull;
		add_var(&r, "sysName.0", ASN_OCTET_STR, "sw", 2);
		add_var_to(&r, 1, "ifDescr.1", ASN_OCTET_STR, "eth0", 4);
		add_var_to(&r, 1, "ifDescr.10", ASN_OCTET_STR, "eth1", 4);
		add_var_to(&r, 1, "ifType.1", ASN_INTEGER, &type, sizeof type);
		add_var_to(&r, 1, "ifType.10", ASN_INTEGER, &type, sizeof type);
		add_var_to(&r, 1, "ifPhysAddress.10", ASN_OCTET_STR, mac, 4);
		result_finish(&r);
		ok(strstr(render_plan(FMT_JSONL, &plan_table, &t, &r),
		    "\"values\":[{\"oid\":\"1.3.6.1.2.1.1.5.0\",\"name\":"
		    "\"sysName.0\",\"type\":\"STRING\",\"value\":\"sw\"}],"
		    "\"tables\":{\"ifTable\":["
		    "{\"index\":\"1\",\"ifIndex\":1,\"ifDescr\":\"eth0\","
		    "\"ifType\":6},"
		    "{\"index\":\"10\",\"ifIndex\":10,\"ifDescr\":\"eth1\","
		    "\"ifType\":6,"
		    "\"ifPhysAddress\":{\"hex\":\"00:1a:2b:ff\"}}]}}\n") != NULL,
		    "jsonl table rows (ifIndex decoded from the index): %s",
		    render_plan(FMT_JSONL, &plan_table, &t, &r));
		ok(strstr(render(FMT_TEXT, &t, &r),
		    "127.0.0.11 .1.3.6.1.2.1.2.2.1.2.10 = STRING: \"eth1\"\n")
		    != NULL, "text shows table cells as varbind lines");
		result_free(&r);
	}
	buf_free(&hdr);
	test_json_string();
	test_escapes();
	return tap_done();
}
