/*
 * t-value.c — values in records: exact JSON numbers for every integer
 * type (Counter64 above 2^53 too), printable strings, binary strings as
 * hex, and valid JSON whatever bytes an agent sends.
 */
#include "config.h"

#include <math.h>

#include "snmpfleet.h"
#include "tap.h"

static const oid name[] = { 1, 3, 6, 1, 4, 1, 99999, 1, 0 };

static const char *
json_of(u_char type, const void *val, size_t len)
{
	static struct buf	 b;
	netsnmp_variable_list	*v = NULL;

	b.len = 0;
	snmp_varlist_add_variable(&v, name, sizeof name / sizeof *name, type,
	    val, len);
	value_json(v, &b);
	snmp_free_varbind(v);
	return buf_cstr(&b);
}

static const char *
text_of(u_char type, const void *val, size_t len)
{
	static struct buf	 b;
	netsnmp_variable_list	*v = NULL;

	b.len = 0;
	snmp_varlist_add_variable(&v, name, sizeof name / sizeof *name, type,
	    val, len);
	value_text(v, &b);
	snmp_free_varbind(v);
	return buf_cstr(&b);
}

static const char *
nonfinite_of(u_char type, const void *val, size_t len)
{
	netsnmp_variable_list	*v = NULL;
	const char		*nf;

	snmp_varlist_add_variable(&v, name, sizeof name / sizeof *name, type,
	    val, len);
	nf = value_nonfinite(v);
	snmp_free_varbind(v);
	return nf ? nf : "(finite)";
}

static const char *
quoted(const char *s, size_t n)
{
	static struct buf	b;

	b.len = 0;
	json_string(&b, s, n);
	return buf_cstr(&b);
}

int
main(void)
{
	long			i;
	struct counter64	c64;
	oid			o[] = { 1, 3, 6, 1, 4, 1, 8072, 3, 2, 10 };
	u_char			ip[] = { 192, 0, 2, 1 };
	u_char			bin[] = { 0x00, 0x1a, 0xff, 0x80 };

	oid_init_netsnmp(NULL);
	i = -42;
	is_str(json_of(ASN_INTEGER, &i, sizeof i),
	    "\"type\":\"INTEGER\",\"value\":-42", "negative INTEGER");
	i = 4294967295L;
	is_str(json_of(ASN_COUNTER, &i, sizeof i),
	    "\"type\":\"Counter32\",\"value\":4294967295", "Counter32 max");
	i = 123456;
	is_str(json_of(ASN_GAUGE, &i, sizeof i),
	    "\"type\":\"Gauge32\",\"value\":123456", "Gauge32");
	is_str(json_of(ASN_TIMETICKS, &i, sizeof i),
	    "\"type\":\"TimeTicks\",\"value\":123456", "TimeTicks hundredths");
	c64.high = 0x200000;	/* 2^53 + 1: a double would round it */
	c64.low = 1;
	is_str(json_of(ASN_COUNTER64, &c64, sizeof c64),
	    "\"type\":\"Counter64\",\"value\":9007199254740993",
	    "Counter64 above 2^53 exact");
	c64.high = 0xffffffff;
	c64.low = 0xffffffff;
	is_str(json_of(ASN_COUNTER64, &c64, sizeof c64),
	    "\"type\":\"Counter64\",\"value\":18446744073709551615",
	    "Counter64 max");
	is_str(json_of(ASN_IPADDRESS, ip, sizeof ip),
	    "\"type\":\"IpAddress\",\"value\":\"192.0.2.1\"", "IpAddress");
	is_str(json_of(ASN_OBJECT_ID, o, sizeof o),
	    "\"type\":\"OID\",\"value\":\"1.3.6.1.4.1.8072.3.2.10\"", "OID");
	is_str(json_of(ASN_OCTET_STR, "core \"sw\"\n\tnaïve", 17),
	    "\"type\":\"STRING\",\"value\":\"core \\\"sw\\\"\\n\\tnaïve\"",
	    "printable UTF-8 string escaped");
	is_str(json_of(ASN_OCTET_STR, bin, sizeof bin),
	    "\"type\":\"STRING\",\"value\":\"00:1a:ff:80\","
	    "\"encoding\":\"hex\"", "binary string as hex, flagged");
	is_str(json_of(ASN_OCTET_STR, "ab\0", 3),
	    "\"type\":\"STRING\",\"value\":\"61:62:00\",\"encoding\":\"hex\"",
	    "embedded NUL is binary");
	is_str(json_of(ASN_OCTET_STR, "\xc3\x28", 2),
	    "\"type\":\"STRING\",\"value\":\"c3:28\",\"encoding\":\"hex\"",
	    "invalid UTF-8 is binary");
	is_str(json_of(ASN_OCTET_STR, "", 0),
	    "\"type\":\"STRING\",\"value\":\"\"", "empty string");
	is_str(json_of(SNMP_NOSUCHINSTANCE, NULL, 0),
	    "\"type\":\"noSuchInstance\",\"value\":null", "exception is null");
	is_str(json_of(ASN_NULL, NULL, 0),
	    "\"type\":\"NULL\",\"value\":null", "NULL is null");

	is_str(quoted("a\x01" "b\xff" "c\xe2\x82\xac", 8),
	    "\"a\\u0001b\\u00ffc\xe2\x82\xac\"",
	    "json_string: control and stray bytes escaped, UTF-8 kept");
	is_str(quoted("\xed\xa0\x80", 3), "\"\\u00ed\\u00a0\\u0080\"",
	    "json_string: surrogate code points are not UTF-8");

	is_str(text_of(ASN_OCTET_STR, "core-sw-1", 9),
	    ".1.3.6.1.4.1.99999.1.0 = STRING: \"core-sw-1\"",
	    "text as snmpget -On");
	i = 4711;
	is_str(text_of(ASN_TIMETICKS, &i, sizeof i),
	    ".1.3.6.1.4.1.99999.1.0 = Timeticks: (4711) 0:00:47.11",
	    "text timeticks as snmpget");
	is_str(text_of(SNMP_NOSUCHOBJECT, NULL, 0),
	    ".1.3.6.1.4.1.99999.1.0 = No Such Object available on this agent "
	    "at this OID", "text exception as snmpget");
	is_str(value_type_name(ASN_UINTEGER), "UInteger32", "type name");
	ok(value_is_exception(SNMP_ENDOFMIBVIEW), "endOfMibView exception");
	ok(!value_is_exception(ASN_NULL), "NULL is not an exception");
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	{
		float	f = NAN, pf = INFINITY, nf = -INFINITY, one = 1.5f;
		double	d = NAN;

		is_str(json_of(ASN_OPAQUE_FLOAT, &f, sizeof f),
		    "\"type\":\"Float\",\"value\":null", "Float NaN: JSON null");
		is_str(json_of(ASN_OPAQUE_DOUBLE, &d, sizeof d),
		    "\"type\":\"Double\",\"value\":null", "Double NaN: JSON null");
		is_str(nonfinite_of(ASN_OPAQUE_FLOAT, &f, sizeof f), "NaN",
		    "Float NaN spelled NaN");
		is_str(nonfinite_of(ASN_OPAQUE_FLOAT, &pf, sizeof pf), "+Inf",
		    "Float +Inf spelled +Inf");
		is_str(nonfinite_of(ASN_OPAQUE_FLOAT, &nf, sizeof nf), "-Inf",
		    "Float -Inf spelled -Inf");
		is_str(nonfinite_of(ASN_OPAQUE_DOUBLE, &d, sizeof d), "NaN",
		    "Double NaN spelled NaN");
		is_str(nonfinite_of(ASN_OPAQUE_FLOAT, &one, sizeof one),
		    "(finite)", "1.5 is finite");
	}
#endif
	return tap_done();
}
