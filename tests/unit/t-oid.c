/*
 * t-oid.c — OID parsing (numeric and built-in names) and the names shown
 * in records.
 */
#include "config.h"

#include "snmpfleet.h"
#include "tap.h"
#include "oid-helpers.h"

int
main(void)
{
	struct oid_text	 o;
	char		*cause = NULL;

	is_str(parsed("1.3.6.1.2.1.1.5.0"), "1.3.6.1.2.1.1.5.0", "numeric");
	is_str(parsed(".1.3.6.1.2.1.1.5.0"), "1.3.6.1.2.1.1.5.0",
	    "leading dot");
	is_str(parsed("1.3.6.1.4.1.4294967295"), "1.3.6.1.4.1.4294967295",
	    "largest sub-identifier");
	is_str(parsed("sysName.0"), "1.3.6.1.2.1.1.5.0", "name with index");
	is_str(parsed("sysName"), "1.3.6.1.2.1.1.5.0", "scalar gets .0");
	is_str(parsed("SNMPv2-MIB::sysDescr.0"), "1.3.6.1.2.1.1.1.0",
	    "module prefix");
	is_str(parsed("ifDescr.3"), "1.3.6.1.2.1.2.2.1.2.3", "column + index");
	is_str(parsed("ifHCInOctets"), "1.3.6.1.2.1.31.1.1.1.6",
	    "column without index stays a prefix");
	is_str(parsed("IF-MIB::ifAlias.10"), "1.3.6.1.2.1.31.1.1.1.18.10",
	    "ifXTable name");
	is_str(parsed("1.3.6.1.4.1.4294967296"), "(error)", "too large");
	is_str(parsed("1..3"), "(error)", "empty component");
	is_str(parsed("1.3."), "(error)", "trailing dot");
	is_str(parsed("1"), "1", "one component: a subtree to walk");
	is_str(parsed("3.1"), "(error)", "an OID starts with 0, 1 or 2");
	is_str(parsed("127.0.0.2"), "(error)", "an address is no OID");
	/* net-snmp resolves these to .1 (iso); found by fuzz-oid.c */
	is_str(parsed("s"), "(error)", "partial MIB name refused");
	is_str(parsed("iso"), "(error)", "a name of one arc refused");
	/* snmp_parse_oid's "wild" fallback compiled this as a regex */
	is_str(parsed("K++++++++++++++++++++++++++++++++"), "(error)",
	    "no regular expressions");
	is_str(parsed("ccitt.333333333333333303295"), "(error)",
	    "MIB path: sub-identifier beyond 32 bits");
	is_str(parsed("1.3.x"), "(error)", "not a number");
	is_str(parsed("sysName.x"), "(error)", "bad index");
	is_str(parsed("a++++++++++++++++++++++++++++++++++++++++"), "(error)",
	    "'+' is refused before net-snmp sees it");
	is_str(parsed("sysName..0"), "(error)", "name: empty component");
	is_str(parsed("sysName."), "(error)", "name: trailing dot");
	is_str(parsed(""), "(error)", "empty text");
	is_str(parsed("."), "(error)", "a lone dot");
	is_str(parsed("::sysName.0"), "(error)", "no module before ::");
	is_str(parsed("SNMPv2-MIB::"), "(error)", "no name after ::");
	is_str(parsed("A::B::sysName"), "(error)", "two ::");
	is_str(parsed("SNMPv2-MIB:sysName.0"), "(error)", "a lone :");
	is_str(parsed("ifDescr.\"eth0\""), "(error)", "quotes");
	is_str(parsed("sys Name"), "(error)", "a space");
	ok(oid_parse("a+++++++++", &o, &cause) != 0 &&
	    strstr(cause, "only letters, digits") != NULL,
	    "the cause says what may appear: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	{
		char	long_text[2000];

		memset(long_text, '1', sizeof long_text - 1);
		long_text[sizeof long_text - 1] = '\0';
		is_str(parsed(long_text), "(error)", "absurd length");
	}
	is_str(parsed(".1"), "1", "'.1' is one component (snmpwalk .1)");
	is_str(parsed(".1.3"), "1.3", "'.1.3' with a leading dot");
	ok(oid_parse("noSuchThingAnywhere.0", &o, &cause) != 0 &&
	    strstr(cause, "unknown object 'noSuchThingAnywhere.0'") != NULL,
	    "unknown name says so: %s", cause ? cause : "");
	free(cause);

	is_str(described("1.3.6.1.2.1.1.5.0"), "sysName.0", "describe scalar");
	is_str(described("1.3.6.1.2.1.2.2.1.10.7"), "ifInOctets.7",
	    "describe column");
	is_str(described("1.3.6.1.2.1.31.1.1.1.6.1001"), "ifHCInOctets.1001",
	    "describe ifX column");
	is_str(described("1.3.6.1.2.1.1.9.1.3.4"), "sysORDescr.4",
	    "longest prefix wins");
	is_str(described("1.3.6.1.4.1.8072.1"), "(none)", "unknown has none");

	ok(oid_compare((oid[]){1, 3}, 2, (oid[]){1, 3, 0}, 3) < 0,
	    "prefix sorts first");
	ok(oid_is_prefix((oid[]){1, 3}, 2, (oid[]){1, 3, 6}, 3), "is prefix");
	ok(!oid_is_prefix((oid[]){1, 4}, 2, (oid[]){1, 3, 6}, 3),
	    "is not prefix");
	return tap_done();
}
