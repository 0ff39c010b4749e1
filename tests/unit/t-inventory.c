/*
 * t-inventory.c — the target table: specs, CIDR blocks and ranges
 * (IPv4 and IPv6, in memory only: nothing is sent), inventory lines,
 * per-target keys and FILE:LINE errors.
 */
#include "config.h"

#include "snmpfleet.h"
#include "tap.h"

static struct target_params defaults = {
	.snmp_version = SNMP_VERSION_2c, .community = "public",
	.timeout_ms = 1000, .retries = 2,
};

static void
fresh(struct inventory *inv)
{
	inventory_free(inv);
	inventory_init(inv, &defaults, 161);
}

static const char *
host_of(struct inventory *inv, uint64_t i)
{
	static struct target	t;

	inventory_get(inv, i, &t);
	return t.host;
}

static int
load_n(struct inventory *inv, const char *text, size_t len, char **cause)
{
	FILE	*f = fmemopen((void *)text, len, "r");
	int	 rc;

	*cause = NULL;
	rc = inventory_load(inv, "inv.txt", f, cause);
	fclose(f);
	return rc;
}

static int
load(struct inventory *inv, const char *text, char **cause)
{
	return load_n(inv, text, strlen(text), cause);
}

/* Every target of the table, space-separated. */
static char *
all_hosts(struct inventory *inv)
{
	struct buf	b;
	uint64_t	i;

	buf_init(&b);
	for (i = 0; i < inv->total; i++)
		buf_printf(&b, "%s%s", i ? " " : "", host_of(inv, i));
	buf_cstr(&b);
	return b.data;
}

/* A block's targets, exactly: network and broadcast left out of an IPv4
 * block of 4 addresses or more, and only there. */
static void
test_blocks(void)
{
	static const struct { const char *spec, *want; } blocks[] = {
		{ "192.0.2.5/30", "192.0.2.5 192.0.2.6" },
		{ "192.0.2.13/29", "192.0.2.9 192.0.2.10 192.0.2.11 192.0.2.12 "
		  "192.0.2.13 192.0.2.14" },
		{ "192.0.2.16/28",
		  "192.0.2.17 192.0.2.18 192.0.2.19 192.0.2.20 "
		  "192.0.2.21 192.0.2.22 192.0.2.23 192.0.2.24 192.0.2.25 "
		  "192.0.2.26 192.0.2.27 192.0.2.28 192.0.2.29 192.0.2.30" },
		{ "192.0.2.254/31", "192.0.2.254 192.0.2.255" },
		{ "192.0.2.77/32", "192.0.2.77" },
		{ "198.51.100.0/30", "198.51.100.1 198.51.100.2" },
		{ "2001:db8::5/126", "2001:db8::4 2001:db8::5 2001:db8::6 "
		  "2001:db8::7" },
	};
	struct inventory	 inv;
	char			*cause = NULL, *got;
	size_t			 i;

	memset(&inv, 0, sizeof inv);
	for (i = 0; i < sizeof blocks / sizeof *blocks; i++) {
		fresh(&inv);
		ok(inventory_add_spec(&inv, blocks[i].spec, 0, &cause) == 0,
		    "%s accepted", blocks[i].spec);
		got = all_hosts(&inv);
		is_str(got, blocks[i].want, "%s: exactly its hosts",
		    blocks[i].spec);
		free(got);
	}
	inventory_free(&inv);
}

/* Host text that is no address and no RFC 1123 name is refused before
 * any resolver call; good names wait, unresolved, for the poller. */
static void
test_names(void)
{
	static const char *const bad[] = {
		"127.0.0.1:161:5", "foo bar", "foo\tbar", "foo\001bar",
		"caf\xc3\xa9" ".example", "-lead.example", "trail-.example",
		"a..b", ".", "under_score.example", "semi;colon", "1.2.3.4.5",
		"fe80::1%lo", "[127.0.0.1:5]:161",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	};
	static const char *const good[] = {
		"localhost", "core-sw-1.example.invalid", "a.b.c.", "x",
		"3com.invalid",
	};
	struct inventory	 inv;
	struct target		 t;
	char			*cause;
	size_t			 i;

	inventory_init(&inv, &defaults, 161);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cause = NULL;
		ok(inventory_add_spec(&inv, bad[i], 0, &cause) != 0 &&
		    cause != NULL && strchr(cause, '\x01') == NULL &&
		    strchr(cause, '\t') == NULL,
		    "bad host text #%zu refused, printably: %s", i,
		    cause ? cause : "");
		free(cause);
	}
	is_int(inv.nnames, 0, "no bad text left to resolve");
	for (i = 0; i < sizeof good / sizeof *good; i++) {
		cause = NULL;
		ok(inventory_add_spec(&inv, good[i], 0, &cause) == 0,
		    "name '%s' accepted: %s", good[i], cause ? cause : "");
		free(cause);
	}
	is_int(inv.nnames, sizeof good / sizeof *good,
	    "names wait to be looked up while polling");
	inventory_free(&inv);

	inventory_init(&inv, &defaults, 161);
	ok(load(&inv, "127.0.0.1\nno-such-host.invalid\n", &cause) == 0,
	    "a name loads without a lookup");
	is_int(inv.total, 2, "counted before it is resolved");
	inventory_get(&inv, 1, &t);
	ok(t.addrlen == 0 && strcmp(t.host, "no-such-host.invalid") == 0 &&
	    t.port == 161, "a name's target: its name and port, no address");
	inventory_get(&inv, 0, &t);
	ok(t.addrlen != 0 && strcmp(t.host, "127.0.0.1") == 0,
	    "an address's target has its address");
	inventory_free(&inv);
}

/* No message quotes a secret, however the line is mangled. */
static void
test_redact(void)
{
	static const struct { const char *in, *want; } texts[] = {
		{ "authpass=S3cr3t", "authpass=..." },
		{ "authpass:S3cr3t", "authpass:..." },
		{ "PrivPass=S3cr3t", "PrivPass=..." },
		{ "x,community=S3cr3t", "x,community=..." },
		{ "--auth-pass=S3cr3t", "--auth-pass=..." },
		{ "authpassphrase=S3cr3t", "authpassphrase=..." },
		{ "community=S3cr3t authpass=S3cr3t", "community=..." },
		{ "authpass", "authpass" },
		{ "tab\there", "tab\\x09here" },
		{ "esc\x1b[2J", "esc\\x1b[2J" },
		{ "plain-host.example", "plain-host.example" },
	};
	char	out[REDACT_MAX], small[16];
	size_t	i;

	for (i = 0; i < sizeof texts / sizeof *texts; i++)
		is_str(redact_text(texts[i].in, out, sizeof out), texts[i].want,
		    "redact_text #%zu", i);
	is_str(redact_text("0123456789abcdefghij", small, sizeof small),
	    "01234567...", "a long text is cut to fit");
	ok(options_is_secret_key("authpass") &&
	    options_is_secret_key("priv-pass") &&
	    options_is_secret_key("community") && !options_is_secret_key("user"),
	    "secret key names");
}

/* What getline hands over whole: a NUL inside a line is refused.  (The
 * load is a statement of its own: ok()'s arguments print cause.) */
static void
test_bad_bytes(void)
{
	static const char text[] = "127.0.0.2\0 community=S3cr3t\n127.0.0.3\n";
	static const struct { const char *text, *want; } lines[] = {
		{ "127.0.0.1\n  authpass=S3cr3t community=S3cr3t\n",
		  "inv.txt:2: line starts with 'authpass=...', not a host" },
		{ "127.0.0.1 authpass:S3cr3t\n",
		  "inv.txt:1: expected key=value, not 'authpass:...'" },
		{ "127.0.0.1 authpass:S3cr3t=x\n",
		  "inv.txt:1: unknown key 'authpass:...'" },
		{ "authpass=S3cr3t:161\n",
		  "inv.txt:1: line starts with 'authpass=...', not a host" },
		{ "127.0.0.1 cred=community:S3cr3t\n",
		  "inv.txt:1: unknown credential set 'community:...'" },
	};
	struct inventory	 inv;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	inventory_init(&inv, &defaults, 161);
	rc = load_n(&inv, text, sizeof text - 1, &cause);
	ok(rc != 0 && cause != NULL &&
	    strcmp(cause, "inv.txt:1: NUL byte in the line") == 0,
	    "a NUL inside a line: FILE:LINE: %s", cause ? cause : "");
	free(cause);
	for (i = 0; i < sizeof lines / sizeof *lines; i++) {
		fresh(&inv);
		rc = load(&inv, lines[i].text, &cause);
		ok(rc != 0 && cause != NULL &&
		    strcmp(cause, lines[i].want) == 0,
		    "secret not quoted #%zu: %s", i, cause ? cause : "");
		free(cause);
	}
	inventory_free(&inv);
}

static void
test_specs(void)
{
	struct inventory	 inv;
	struct target		 t;
	char			*cause;

	inventory_init(&inv, &defaults, 161);
	ok(inventory_add_spec(&inv, "127.0.0.1", 0, &cause) == 0, "plain v4");
	ok(inventory_add_spec(&inv, "127.0.0.2:1161", 0, &cause) == 0,
	    "v4 with port");
	ok(inventory_add_spec(&inv, "[::1]:1162", 0, &cause) == 0,
	    "bracketed v6 with port");
	ok(inventory_add_spec(&inv, "::1", 0, &cause) == 0, "bare v6");
	is_int(inv.total, 4, "four targets");
	inventory_get(&inv, 0, &t);
	is_str(t.host, "127.0.0.1", "host 0");
	is_int(t.port, 161, "default port");
	ok(t.default_port, "flagged default");
	inventory_get(&inv, 1, &t);
	is_int(t.port, 1161, "port from spec");
	ok(!t.default_port, "not default");
	inventory_get(&inv, 2, &t);
	is_str(t.host, "::1", "v6 host");
	is_int(t.port, 1162, "v6 port");
	is_int(t.addr.ss_family, AF_INET6, "v6 family");
	ok(inv.has_v4 && inv.has_v6, "both families noted");

	fresh(&inv);
	ok(inventory_add_spec(&inv, "10.1.2.0/24", 0, &cause) == 0, "/24");
	is_int(inv.total, 254, "/24 skips network and broadcast");
	is_str(host_of(&inv, 0), "10.1.2.1", "/24 first");
	is_str(host_of(&inv, 253), "10.1.2.254", "/24 last");

	fresh(&inv);
	ok(inventory_add_spec(&inv, "10.0.0.0/8", 0, &cause) == 0, "/8");
	is_int(inv.total, 16777214, "/8 count");
	is_int(inv.nentries, 1, "/8 is one entry, not expanded");
	is_str(host_of(&inv, 16777213), "10.255.255.254", "/8 last");
	is_str(host_of(&inv, 65535), "10.1.0.0", "/8 carries across octets");

	/* hosts one after another are one entry; any other host, port or
	 * community starts a new one */
	fresh(&inv);
	{
		char		spec[64];
		unsigned	i, failed = 0;

		for (i = 0; i < 1000; i++) {
			snprintf(spec, sizeof spec, "10.0.%u.%u", i >> 8,
			    i & 255);
			failed += inventory_add_spec(&inv, spec, 0, &cause);
		}
		is_int(failed, 0, "1000 hosts in order");
		is_int(inv.nentries, 1, "are one entry");
		is_str(host_of(&inv, 999), "10.0.3.231", "the last of them");
		inventory_add_spec(&inv, "10.0.3.233", 0, &cause);
		inventory_add_spec(&inv, "10.0.3.234:162", 0, &cause);
		snprintf(spec, sizeof spec, "10.0.3.235 community=x");
		failed += inventory_add_line(&inv, spec, &cause);
		inventory_add_spec(&inv, "10.0.3.234", 0, &cause);
		is_int(failed, 0, "a community given");
		is_int(inv.nentries, 5, "a gap, a port, a community, a step "
		    "back: an entry each");
		is_int(inv.total, 1004, "every target counted");
		is_str(host_of(&inv, 1003), "10.0.3.234", "the last one");
	}

	fresh(&inv);
	inventory_add_spec(&inv, "192.0.2.7/31", 0, &cause);
	inventory_add_spec(&inv, "192.0.2.9/32", 0, &cause);
	is_int(inv.total, 3, "/31 has 2, /32 has 1");
	is_str(host_of(&inv, 0), "192.0.2.6", "/31 host bits cleared");

	fresh(&inv);
	ok(inventory_add_spec(&inv, "127.0.0.250-127.0.1.5", 0, &cause) == 0,
	    "full range");
	is_int(inv.total, 12, "range count");
	is_str(host_of(&inv, 6), "127.0.1.0", "range crosses octet");
	ok(inventory_add_spec(&inv, "127.1.1.10-20", 0, &cause) == 0,
	    "short range");
	is_int(inv.total, 23, "short range count");
	is_str(host_of(&inv, 22), "127.1.1.20", "short range last");

	fresh(&inv);
	ok(inventory_add_spec(&inv, "2001:db8::/120", 0, &cause) == 0,
	    "v6 /120");
	is_int(inv.total, 256, "v6 block includes all");
	is_str(host_of(&inv, 255), "2001:db8::ff", "v6 last");
	ok(inventory_add_spec(&inv, "2001:db8::1-2001:db8::1:0", 0,
	    &cause) == 0, "v6 range");
	is_int(inv.total, 256 + 65536, "v6 range count");
	ok(inventory_add_spec(&inv, "2001:db8::/32", 0, &cause) != 0,
	    "v6 /32 refused (too large)");
	free(cause);

	static const char *const bad[] = {
		"127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "10.0.0.0/33",
		"10.0.0.0/x", "127.0.0.5-127.0.0.1", "127.0.0.1-300",
		"[::1", "[::1]x", "127.0.0.1-::1", "no such host",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cause = NULL;
		ok(inventory_add_spec(&inv, bad[i], 0, &cause) != 0 &&
		    cause != NULL, "bad spec '%s' refused: %s", bad[i],
		    cause ? cause : "");
		free(cause);
	}
	inventory_free(&inv);
}

static void
test_lines(void)
{
	struct inventory	 inv;
	struct target		 t;
	struct buf		 many;
	char			*cause;

	inventory_init(&inv, &defaults, 161);
	ok(load(&inv, "# a comment\n\n127.0.0.1\n"
	    "127.0.0.2 community=private version=1 port=1161 timeout=0.5 "
	    "retries=4 tag.site=lab tag.rack=r1 # trailing\n"
	    "  127.0.0.3:2000 port=1161\n", &cause) == 0, "good lines load");
	is_int(inv.total, 3, "three targets");
	inventory_get(&inv, 0, &t);
	is_str(t.params->community, "public", "default community");
	inventory_get(&inv, 1, &t);
	is_str(t.params->community, "private", "per-target community");
	is_int(t.params->snmp_version, SNMP_VERSION_1, "per-target version");
	is_int(t.port, 1161, "per-target port");
	is_int(t.params->timeout_ms, 500, "per-target timeout");
	is_int(t.params->retries, 4, "per-target retries");
	is_int(t.params->ntags, 2, "two tags");
	is_str(t.params->tags[0], "site", "tag name");
	is_str(t.params->tags[1], "lab", "tag value");
	inventory_get(&inv, 2, &t);
	is_int(t.port, 2000, "spec port beats port key");

	fresh(&inv);
	ok(load(&inv, "127.0.0.1 max-walk-values=500 max-walk-bytes=2M\n",
	    &cause) == 0, "walk caps as inventory keys");
	inventory_get(&inv, 0, &t);
	is_int(t.params->max_walk_values, 500, "per-target max-walk-values");
	is_int(t.params->max_walk_bytes, 2097152, "per-target max-walk-bytes");

	fresh(&inv);
	buf_init(&many);
	for (int i = 0; i < 1000; i++)
		buf_printf(&many, "127.0.%d.%d community=c1 tag.a=b\n",
		    i / 200, i % 200 + 1);
	ok(load(&inv, buf_cstr(&many), &cause) == 0, "1000 lines");
	is_int(inv.nparams, 2, "identical keys share one params");
	buf_free(&many);

	static const struct { const char *text; const char *want; } bad[] = {
		{ "127.0.0.1\n127.0.0.1 bogus=1\n", "inv.txt:2: unknown key" },
		{ "127.0.0.1 version=4\n", "inv.txt:1: unsupported SNMP version" },
		{ "127.0.0.1 version=3\n", "inv.txt:1: SNMPv3 needs a user" },
		{ "127.0.0.1 version=3 user=u level=authPriv auth=SHA authpass=12345678\n",
		  "inv.txt:1: authPriv needs a privacy protocol" },
		{ "127.0.0.1 version=3 user=u auth=SHA-999\n",
		  "inv.txt:1: authentication protocol 'SHA-999' is not supported" },
		{ "127.0.0.1 cred=nosuch\n", "inv.txt:1: unknown credential set" },
		{ "\n\n127.0.0.300\n", "inv.txt:3: bad IPv4 address" },
		{ "127.0.0.1 port=0\n", "inv.txt:1: bad port" },
		{ "127.0.0.1 timeout=abc\n", "inv.txt:1: bad timeout" },
		{ "127.0.0.1 retries=-1\n", "inv.txt:1: bad retries" },
		{ "127.0.0.1 max-walk-values=0\n",
		  "inv.txt:1: bad max-walk-values" },
		{ "127.0.0.1 max-walk-bytes=12\n",
		  "inv.txt:1: bad max-walk-bytes" },
		{ "127.0.0.1 max-walk-bytes=1T\n",
		  "inv.txt:1: bad max-walk-bytes" },
		{ "127.0.0.1 community\n", "inv.txt:1: expected key=value" },
		{ "10.0.0.0/40\n", "inv.txt:1: bad prefix length" },
		{ "community=x\n", "inv.txt:1: line starts with" },
		/* tags reach influx and prom (fuzz-reply.c found these) */
		{ "127.0.0.1 tag.site=\xff\xfe\n", "inv.txt:1: tag.site: not "
		  "UTF-8 text" },
		{ "127.0.0.1 tag.a\x01b=x\n", "inv.txt:1: tag.a\x01b: not UTF-8" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		fresh(&inv);
		cause = NULL;
		ok(load(&inv, bad[i].text, &cause) != 0 && cause != NULL &&
		    strncmp(cause, bad[i].want, strlen(bad[i].want)) == 0,
		    "bad line reported as '%s': %s", bad[i].want,
		    cause ? cause : "(none)");
		free(cause);
	}
	fresh(&inv);
	ok(load(&inv, "127.0.0.1 x=1\n127.0.0.2\n127.0.0.3 y=2\n", &cause)
	    != 0 && strstr(cause, "inv.txt:1:") && strstr(cause, "inv.txt:3:"),
	    "every bad line is reported");
	free(cause);
	inventory_free(&inv);
}

/* Transport prefixes (net-snmp's spellings) and the transport= key;
 * BER framing of TCP messages. */
static void
test_transports(void)
{
	struct inventory	 inv;
	struct target		 t;
	char			*cause = NULL, line[64];
	static const u_char	 whole[] = { 0x30, 0x03, 0x02, 0x01, 0x00, 0x30 };
	static const u_char	 longform[] = { 0x30, 0x82, 0x01, 0x00 };
	static const u_char	 huge[] = { 0x30, 0x84, 0x7f, 0, 0, 0 };

	inventory_init(&inv, &defaults, 161);
	ok(inventory_add_spec(&inv, "tcp:127.0.0.1:1161", 0, &cause) == 0,
	    "tcp:HOST:PORT");
	ok(inventory_add_spec(&inv, "udp:127.0.0.2", 0, &cause) == 0,
	    "udp:HOST");
	ok(inventory_add_spec(&inv, "TCP6:[::1]:1162", 0, &cause) == 0,
	    "TCP6:[ADDR]:PORT, in any case");
	ok(inventory_add_spec(&inv, "udp6:::1", 0, &cause) == 0,
	    "udp6:::1 (bare IPv6)");
	ok(inventory_add_spec(&inv, "tcp:127.0.1.0/30", 0, &cause) == 0,
	    "tcp: and a block");
	inventory_get(&inv, 0, &t);
	ok(t.params->transport == TARGET_TCP && t.port == 1161 &&
	    strcmp(t.host, "127.0.0.1") == 0, "tcp: target: TCP, its port");
	inventory_get(&inv, 1, &t);
	ok(t.params->transport == TARGET_UDP, "udp: target: UDP");
	inventory_get(&inv, 2, &t);
	ok(t.params->transport == TARGET_TCP && t.port == 1162 &&
	    t.addr.ss_family == AF_INET6, "tcp6: target: TCP over IPv6");
	inventory_get(&inv, 3, &t);
	ok(t.params->transport == TARGET_UDP && t.addr.ss_family == AF_INET6,
	    "udp6: target: UDP over IPv6");
	inventory_get(&inv, 5, &t);
	ok(t.params->transport == TARGET_TCP, "a block's targets: TCP");
	is_int(inv.nparams, 2, "one params copy for every tcp: spec");
	ok(inventory_add_spec(&inv, "udp6:127.0.0.1", 0, &cause) != 0 &&
	    strstr(cause, "udp6 needs an IPv6 address") != NULL,
	    "udp6: with an IPv4 address is refused");
	free(cause);
	is_int(inv.total, 6, "... and adds no target");

	snprintf(line, sizeof line, "127.0.0.9 transport=tcp port=1161");
	ok(inventory_add_line(&inv, line, &cause) == 0, "transport=tcp");
	inventory_get(&inv, 6, &t);
	ok(t.params->transport == TARGET_TCP && t.port == 1161,
	    "transport=tcp target: TCP");
	snprintf(line, sizeof line, "udp:127.0.0.10 transport=tcp");
	ok(inventory_add_line(&inv, line, &cause) == 0, "a prefix and a key");
	inventory_get(&inv, 7, &t);
	ok(t.params->transport == TARGET_UDP, "the prefix beats the key");
	snprintf(line, sizeof line, "127.0.0.11 transport=sctp");
	ok(inventory_add_line(&inv, line, &cause) != 0 &&
	    strcmp(cause, "unknown transport 'sctp' (use udp or tcp)") == 0,
	    "transport=sctp is refused");
	free(cause);
	inventory_free(&inv);

	is_int(tcp_frame(whole, 0), 0, "frame: no bytes yet");
	is_int(tcp_frame(whole, 1), 0, "frame: a tag only");
	is_int(tcp_frame(whole, 4), 0, "frame: a part");
	is_int(tcp_frame(whole, 6), 5, "frame: a whole message, and more");
	is_int(tcp_frame(longform, 4), 0, "frame: long form, body to come");
	is_int(tcp_frame(longform, 3), 0, "frame: long form, length to come");
	is_int(tcp_frame((const u_char *)"\x02\x01\x00", 3), -1,
	    "frame: not a SEQUENCE");
	is_int(tcp_frame((const u_char *)"\x30\x80", 2), -1,
	    "frame: indefinite length");
	is_int(tcp_frame(huge, 6), -1, "frame: longer than the cap");
}

int
main(void)
{
	test_specs();
	test_transports();
	test_blocks();
	test_names();
	test_redact();
	test_bad_bytes();
	test_lines();
	return tap_done();
}
