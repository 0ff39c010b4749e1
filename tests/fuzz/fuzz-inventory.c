/*
 * fuzz-inventory.c — libFuzzer harness for the inventory parser: the
 * input is an inventory file, read by inventory_load() as -i does; then
 * every entry's first and last target is looked up (inventory_get), its
 * shard computed and its host shown as records show it, and the table's
 * running totals checked; then again after dedup_inventory(), which must
 * account for every target it drops.
 *
 * Host names are not looked up by the inventory (resolve.c does that,
 * while polling): a name's target has no address.  getaddrinfo() is
 * still replaced here, as a guard, by a fake that answers names of
 * letters, digits, '-' and '.' with an address made from their hash
 * (IPv6 when the name ends in "6"), and anything else with EAI_NONAME.
 * So no packet leaves the harness.
 */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What a config file's [credentials lab] would give cred=lab. */
static char *lab_kv[] = {
	"version=3", "user=alice", "level=authPriv", "auth=SHA",
	"authpass=correct horse", "priv=AES", "privpass=battery staple",
};
static const struct cred_set creds[] = {
	{ "lab", { lab_kv, sizeof lab_kv / sizeof *lab_kv } },
	{ "empty", { NULL, 0 } },
};

static struct target_params defaults = {
	.snmp_version = SNMP_VERSION_2c, .community = "public",
	.timeout_ms = 1000, .retries = 2,
};

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo		*ai;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	uint64_t		 h;
	size_t			 n;

	if (node == NULL || (n = strlen(node)) == 0 || n > 253 ||
	    strspn(node, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return EAI_NONAME;
	h = parse_hash_bytes(node, n);
	ai = xcalloc(1, sizeof *ai);
	ai->ai_socktype = SOCK_DGRAM;
	if (node[n - 1] == '6') {
		sin6 = xcalloc(1, sizeof *sin6);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr.s6_addr[0] = 0xfd;
		memcpy(&sin6->sin6_addr.s6_addr[8], &h, 8);
		ai->ai_family = AF_INET6;
		ai->ai_addr = (struct sockaddr *)sin6;
		ai->ai_addrlen = sizeof *sin6;
	} else {
		sin = xcalloc(1, sizeof *sin);
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(0x7f000000u | (h & 0xffffff));
		ai->ai_family = AF_INET;
		ai->ai_addr = (struct sockaddr *)sin;
		ai->ai_addrlen = sizeof *sin;
	}
	*res = ai;
	return 0;
}

void
freeaddrinfo(struct addrinfo *ai)
{
	struct addrinfo	*next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		free(ai->ai_addr);
		free(ai);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	oid_init_netsnmp(NULL);
	snmp_disable_log();
	return 0;
}

static void
check_target(const struct inventory *inv, uint64_t i)
{
	struct target	t;
	struct buf	b;

	inventory_get(inv, i, &t);
	if (t.index != i || t.params == NULL || t.host[0] == '\0' ||
	    (t.addr.ss_family != AF_INET && t.addr.ss_family != AF_INET6 &&
	    t.addrlen != 0) || t.port == 0)
		abort();
	if (inventory_shard(&t, 7) >= 7)
		abort();
	buf_init(&b);
	out_host(&t, &b);
	if (b.len == 0 || memchr(b.data, '\0', b.len) != NULL)
		abort();
	buf_free(&b);
}

/* Running totals, and every entry's first and last target. */
static void
check_table(const struct inventory *inv)
{
	uint64_t	total = 0;
	size_t		i;

	for (i = 0; i < inv->nentries; i++) {
		const struct inv_entry *e = &inv->entries[i];

		if (e->first != total || e->count == 0 ||
		    e->params >= inv->nparams)
			abort();
		total += e->count;
		check_target(inv, e->first);
		check_target(inv, e->first + e->count - 1);
	}
	if (total != inv->total)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory	 inv;
	FILE			*f;
	char			*cause = NULL;
	uint64_t		 total, dropped;

	if (size == 0 || (f = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	inventory_init(&inv, &defaults, 161);
	inv.creds = creds;
	inv.ncreds = sizeof creds / sizeof *creds;
	if (inventory_load(&inv, "fuzz.inv", f, &cause) != 0) {
		/* every error names the file and a line */
		if (cause == NULL || strncmp(cause, "fuzz.inv:", 9) != 0)
			abort();
		free(cause);
	} else {
		check_table(&inv);
		total = inv.total;
		if (dedup_inventory(&inv, &dropped) != 0 ||
		    inv.total + dropped != total)
			abort();
		check_table(&inv);
	}
	fclose(f);
	inventory_free(&inv);
	return 0;
}
