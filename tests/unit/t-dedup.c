/*
 * t-dedup.c — each target once (dedup.c), in memory only: nothing is
 * sent, so blocks outside 127/8 are fine here.  Random inventories
 * against the expansion done the slow way; a /8 stays one entry; a
 * million single hosts and a block over them stay cheap; names.
 */
#include "config.h"

#include <sys/resource.h>

#include "snmpfleet.h"
#include "tap.h"

static struct target_params defaults = {
	.snmp_version = SNMP_VERSION_2c, .community = "public",
	.timeout_ms = 1000, .retries = 2,
};

static int
load(struct inventory *inv, const char *text)
{
	FILE	*f = fmemopen((void *)text, strlen(text), "r");
	char	*cause = NULL;
	int	 rc;

	rc = inventory_load(inv, "inv.txt", f, &cause);
	if (rc != 0)
		printf("# %s\n", cause);
	free(cause);
	fclose(f);
	return rc;
}

/* "host port community" of every target, in order. */
static void
targets_text(const struct inventory *inv, struct buf *b, bool first_only)
{
	struct target	 t;
	struct buf	 line;
	char		**seen;
	size_t		 nseen = 0, k;
	uint64_t	 i;

	seen = xcalloc(inv->total + 1, sizeof *seen);
	buf_init(&line);
	for (i = 0; i < inv->total; i++) {
		inventory_get(inv, i, &t);
		line.len = 0;
		buf_printf(&line, "%s %u %s", t.host, t.port,
		    t.params->community);
		for (k = 0; first_only && k < nseen; k++) {
			if (strcmp(seen[k], buf_cstr(&line)) == 0)
				break;
		}
		if (first_only && k < nseen)
			continue;
		seen[nseen++] = xstrdup(buf_cstr(&line));
		buf_printf(b, "%s\n", buf_cstr(&line));
	}
	for (k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	buf_free(&line);
}

/* The first failing case, as TAP comments. */
static void
diag_lines(const char *text, const char *want, const char *got)
{
	const char	*what[] = { "inventory", "want", "got" };
	const char	*v[] = { text, want, got };
	size_t		 i;

	for (i = 0; i < 3; i++) {
		printf("# %s:\n# ", what[i]);
		for (const char *p = v[i]; *p != '\0'; p++)
			printf(p[0] == '\n' && p[1] != '\0' ? "\n# " : "%c",
			    *p);
		printf("\n");
	}
}

/* Random overlapping hosts, ranges and blocks in one /26, on two ports
 * with two communities: the table after dedup_inventory() holds the
 * targets of the expansion, each first one only, in the same order. */
static void
test_random(void)
{
	struct inventory	 a, b;
	struct buf		 text, want, got;
	uint64_t		 dropped;
	unsigned		 trial, n, i, x, y, bad = 0, fewer = 0;

	srandom(14);
	for (trial = 0; trial < 300; trial++) {
		buf_init(&text);
		n = 1 + (unsigned)random() % 12;
		for (i = 0; i < n; i++) {
			x = (unsigned)random() % 64;
			y = x + (unsigned)random() % (64 - x);
			switch (random() % 3) {
			case 0:
				buf_printf(&text, "10.9.8.%u", x);
				break;
			case 1:
				buf_printf(&text, "10.9.8.%u-%u", x, y);
				break;
			default:
				buf_printf(&text, "10.9.8.%u/%u", x,
				    28 + (unsigned)random() % 5);
				break;
			}
			if (random() % 4 == 0)
				buf_adds(&text, ":162");
			if (random() % 4 == 0)
				buf_adds(&text, " community=other");
			if (random() % 4 == 0)
				buf_adds(&text, " tag.x=y");	/* no matter */
			buf_addc(&text, '\n');
		}
		inventory_init(&a, &defaults, 161);
		inventory_init(&b, &defaults, 161);
		if (load(&a, buf_cstr(&text)) != 0 ||
		    load(&b, buf_cstr(&text)) != 0) {
			bad++;
			continue;
		}
		dedup_inventory(&b, &dropped);
		buf_init(&want);
		buf_init(&got);
		targets_text(&a, &want, true);
		targets_text(&b, &got, false);
		if (strcmp(buf_cstr(&want), buf_cstr(&got)) != 0 ||
		    a.total - dropped != b.total) {
			if (bad++ == 0)
				diag_lines(buf_cstr(&text), buf_cstr(&want),
				    buf_cstr(&got));
		}
		fewer += dropped != 0;
		buf_free(&want);
		buf_free(&got);
		buf_free(&text);
		inventory_free(&a);
		inventory_free(&b);
	}
	is_int(bad, 0, "300 random inventories: each target once, in order");
	ok(fewer > 100, "... %u of them had duplicates", fewer);
}

/* Blocks: a /8 with a /16, hosts and a range inside it is one entry;
 * a /9 then the /8: two entries, nothing expanded. */
static void
test_blocks(void)
{
	struct inventory	 inv;
	struct target		 t;
	uint64_t		 dropped;

	inventory_init(&inv, &defaults, 161);
	load(&inv, "10.0.0.0/8\n10.1.0.0/16\n10.0.0.5\n10.255.255.254\n"
	    "10.3.0.1-10.3.2.0\n");
	dedup_inventory(&inv, &dropped);
	is_int(inv.nentries, 1, "a /8 and what it covers: one entry");
	is_int(inv.total, (1 << 24) - 2, "... its 2^24 - 2 targets");
	is_int(dropped, 65534 + 2 + 512, "... %llu dropped",
	    (unsigned long long)dropped);
	inventory_free(&inv);

	inventory_init(&inv, &defaults, 161);
	load(&inv, "10.0.0.0/9\n10.0.0.0/8\n10.0.0.0/8 community=x\n");
	dedup_inventory(&inv, &dropped);
	is_int(inv.nentries, 3, "a /9, then the /8: its other half; then "
	    "the /8 with other credentials, whole");
	is_int(inv.total, (1 << 23) - 2 + (1 << 23) + (1 << 24) - 2,
	    "... every address once per credentials");
	inventory_get(&inv, (1 << 23) - 2, &t);
	is_str(t.host, "10.127.255.255", "... the second entry starts at "
	    "the /9's broadcast address");
	inventory_free(&inv);

	inventory_init(&inv, &defaults, 161);
	load(&inv, "2001:db8::/120\n2001:db8::10-2001:db8::1ff\n"
	    "[2001:db8::1]:161\n2001:db8::1 community=x\n");
	dedup_inventory(&inv, &dropped);
	is_int(inv.total, 512 + 1, "IPv6: a /120 and a range over it, "
	    "::1 with other credentials");
	inventory_get(&inv, 256, &t);
	is_str(t.host, "2001:db8::100", "... the range goes on after the "
	    "block");
	inventory_free(&inv);
}

/* Names: the same name, port and credentials once; before any lookup. */
static void
test_names(void)
{
	struct inventory	 inv;
	uint64_t		 dropped;
	char			*cause = NULL;

	inventory_init(&inv, &defaults, 161);
	load(&inv, "a.invalid\nb.invalid\na.invalid tag.k=v\na.invalid:162\n"
	    "a.invalid:161\na.invalid version=1\n127.0.0.1\nlocalhost\n");
	ok(inventory_add_spec(&inv, "b.invalid", 0, &cause) == 0, "-H name");
	dedup_inventory(&inv, &dropped);
	is_int(dropped, 3, "a.invalid twice more on 161, b.invalid from -H");
	is_int(inv.total, 6, "a, b, a:162, a v1, 127.0.0.1, localhost");
	is_int(inv.nnames, 8, "(names counted as given)");
	inventory_free(&inv);
}

/* A million single hosts, then a block over them, then the hosts again:
 * one sort, and the block becomes one entry for what is left of it. */
static void
test_many(void)
{
	struct inventory	 inv;
	struct rusage		 ru;
	uint64_t		 dropped, t0;
	char			 spec[32], *cause = NULL;
	unsigned		 i, round, failed = 0;

	inventory_init(&inv, &defaults, 161);
	for (round = 0; round < 2; round++) {
		/* descending: hosts in order would be one entry */
		for (i = 500000; i-- > 0;) {
			snprintf(spec, sizeof spec, "10.%u.%u.%u",
			    i >> 16, (i >> 8) & 255, i & 255);
			failed += inventory_add_spec(&inv, spec, 0, &cause) != 0;
		}
		if (round == 0)
			failed += inventory_add_spec(&inv, "10.0.0.0/12", 0,
			    &cause) != 0;
	}
	is_int(failed, 0, "a million hosts and a /12 added");
	t0 = clock_now_ns();
	dedup_inventory(&inv, &dropped);
	printf("# dedup of %u entries: %.3f s\n", 1000001,
	    (double)(clock_now_ns() - t0) / 1e9);
	getrusage(RUSAGE_SELF, &ru);
	printf("# peak RSS %ld kB\n", ru.ru_maxrss);
	is_int(inv.nentries, 500001, "the first hosts, and one entry for "
	    "the rest of the /12");
	is_int(inv.total, 500000 + (1048574 - 499999), "every address once");
	is_int(dropped, 500000 + 499999, "the hosts again, and the block's "
	    "part they covered, dropped");
	inventory_free(&inv);
}

/* 200,000 names given twice (never looked up here). */
static void
test_many_names(void)
{
	struct inventory	 inv;
	uint64_t		 dropped, t0;
	char			 spec[32], *cause = NULL;
	unsigned		 i, failed = 0;

	inventory_init(&inv, &defaults, 161);
	for (i = 0; i < 400000; i++) {
		snprintf(spec, sizeof spec, "h%u.invalid", i % 200000);
		failed += inventory_add_spec(&inv, spec, 0, &cause) != 0;
	}
	is_int(failed, 0, "400,000 names added");
	t0 = clock_now_ns();
	dedup_inventory(&inv, &dropped);
	printf("# dedup of 400000 names: %.3f s\n",
	    (double)(clock_now_ns() - t0) / 1e9);
	is_int(dropped, 200000, "each name once: 200,000 dropped");
	is_str(inv.names.data + inv.entries[199999].name, "h199999.invalid",
	    "the first ones kept, in order");
	inventory_free(&inv);
}

int
main(void)
{
	test_random();
	test_blocks();
	test_names();
	test_many();
	test_many_names();
	return tap_done();
}
