/*
 * sim-fault.c — the faults the sim injects (dead and slow devices, lost
 * requests, latency and jitter) and the address hashes every per-device
 * choice is made from.
 *
 * Which devices are dead or slow is a pure function of the address (a
 * hash compared with the percentage), never of --seed or of timing: the
 * same --dead PCT gives the same dead set on every run, and a smaller
 * PCT's set is a subset of a larger one's.  --seed drives only what is
 * random per request (loss, jitter), one generator per thread.  Lists of
 * addresses and networks (--dead-list, --restarted, --swapped) live here
 * too: short, and searched only when not empty.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

#include "sim.h"

#define SIM_SALT_DEAD	0x6465616400000001ULL
#define SIM_SALT_SLOW	0x736c6f7700000002ULL
#define SIM_PPM		1000000ULL	/* percentages as parts per million */

/* splitmix64's finalizer: a bijective 64-bit mix. */
uint64_t
sim_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* A hash of id for one purpose (salt): independent choices per purpose. */
uint64_t
sim_hash(uint64_t id, uint64_t salt)
{
	return sim_mix64(id ^ sim_mix64(salt + 0x9e3779b97f4a7c15ULL));
}

/* Fill a from a raw address (4 or 16 bytes, network order). */
void
sim_addr_set(struct sim_addr *a, int family, const void *raw)
{
	uint64_t	 hi, lo;

	memset(a, 0, sizeof *a);
	a->family = (uint8_t)family;
	if (family == AF_INET) {
		memcpy(a->bytes, raw, 4);
		a->id = sim_mix64(0x400000000ULL |
		    ((uint64_t)a->bytes[0] << 24 | (uint64_t)a->bytes[1] << 16 |
		    (uint64_t)a->bytes[2] << 8 | a->bytes[3]));
		return;
	}
	memcpy(a->bytes, raw, 16);
	memcpy(&hi, a->bytes, 8);
	memcpy(&lo, a->bytes + 8, 8);
	a->id = sim_mix64(sim_mix64(hi ^ 0x600000000ULL) ^ lo);
}

/* An address as text ("127.0.3.7", "::1", "[::1]:161", "127.0.0.1:161");
 * a port is ignored.  0 on success, -1 if it is not an address. */
int
sim_addr_parse(const char *text, struct sim_addr *a)
{
	char		 tmp[64];
	const char	*end;
	size_t		 len;
	uint8_t		 raw[16];

	if (*text == '[') {
		if ((end = strchr(text, ']')) == NULL)
			return -1;
		text++;
	} else if ((end = strchr(text, ':')) == NULL ||
	    strchr(end + 1, ':') != NULL)
		end = text + strlen(text);	/* v4, or v6 without a port */
	len = (size_t)(end - text);
	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, text, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, raw) == 1)
		sim_addr_set(a, AF_INET, raw);
	else if (inet_pton(AF_INET6, tmp, raw) == 1)
		sim_addr_set(a, AF_INET6, raw);
	else
		return -1;
	return 0;
}

/* The address as text, into out (at least 46 bytes); returns its length.
 * IPv4 is formatted by hand: this runs for every sysName.0. */
size_t
sim_addr_text(const struct sim_addr *a, char *out, size_t size)
{
	char	*p = out;
	int	 i;

	if (a->family != AF_INET) {
		if (inet_ntop(AF_INET6, a->bytes, out, (socklen_t)size) == NULL)
			out[0] = '\0';
		return strlen(out);
	}
	for (i = 0; i < 4; i++) {
		unsigned v = a->bytes[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* One "ADDR" or "ADDR/BITS" into p; 0, or -1 if it is neither. */
static int
sim_prefix_parse(const char *text, struct sim_prefix *p)
{
	char		 tmp[64], *slash, *end;
	unsigned long	 bits;

	if (strlen(text) >= sizeof tmp)
		return -1;
	strcpy(tmp, text);
	if ((slash = strchr(tmp, '/')) != NULL)
		*slash++ = '\0';
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, tmp, p->bytes) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, p->bytes) == 1)
		p->family = AF_INET6;
	else
		return -1;
	p->bits = p->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	bits = strtoul(slash, &end, 10);
	if (*slash < '0' || *slash > '9' || *end != '\0' || bits > p->bits)
		return -1;
	p->bits = (unsigned)bits;
	return 0;
}

/* Add a comma-separated list of addresses and networks ("127.0.0.5",
 * "127.0.1.0/24", "::1") to l; 0, or -1 (l unchanged) if one entry is
 * neither, or empty. */
int
sim_addr_list_add(struct sim_addr_list *l, const char *text)
{
	char		*copy = xstrdup(text), *rest = copy, *w;
	size_t		 n = l->n;
	int		 rc = 0;

	while (rc == 0 && (w = strsep(&rest, ",")) != NULL) {
		l->v = xreallocarray(l->v, n + 1, sizeof *l->v);
		if (sim_prefix_parse(w, &l->v[n++]) != 0)
			rc = -1;
	}
	free(copy);
	if (rc == 0)
		l->n = n;
	return rc;
}

/* Is a within p's first p->bits bits? */
static bool
sim_prefix_has(const struct sim_prefix *p, const struct sim_addr *a)
{
	unsigned	 whole = p->bits / 8, rest = p->bits % 8;
	uint8_t		 mask;

	if (a->family != p->family ||
	    memcmp(a->bytes, p->bytes, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a->bytes[whole] ^ p->bytes[whole]) & mask) == 0;
}

/* Is a in one of l's addresses or networks? */
bool
sim_addr_list_has(const struct sim_addr_list *l, const struct sim_addr *a)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (sim_prefix_has(&l->v[i], a))
			return true;
	return false;
}

static bool
sim_fault_pick(const struct sim_addr *a, uint64_t salt, double pct)
{
	if (pct <= 0)
		return false;
	return sim_hash(a->id, salt) % SIM_PPM < (uint64_t)(pct * 10000 + 0.5);
}

/* Is this device one of the --dead PCT, or on the --dead-list, that
 * never answer? */
bool
sim_fault_dead(const struct sim_faults *f, const struct sim_addr *a)
{
	if (f->dead_list.n > 0 && sim_addr_list_has(&f->dead_list, a))
		return true;
	return sim_fault_pick(a, SIM_SALT_DEAD, f->dead_pct);
}

/* Is this device one of the --slow PCT that answer later? */
bool
sim_fault_slow(const struct sim_faults *f, const struct sim_addr *a)
{
	return sim_fault_pick(a, SIM_SALT_SLOW, f->slow_pct);
}

/* xorshift64*: the per-thread generator behind loss and jitter. */
static uint64_t
sim_rand(uint64_t *state)
{
	uint64_t	 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Should this request be dropped (--loss)? */
bool
sim_fault_lost(const struct sim_faults *f, uint64_t *rng)
{
	if (f->loss_pct <= 0)
		return false;
	return (sim_rand(rng) >> 11) % SIM_PPM <
	    (uint64_t)(f->loss_pct * 10000 + 0.5);
}

/* How long to hold this device's reply: --latency (plus or minus up to
 * the jitter, never below zero) and --slow. */
uint64_t
sim_fault_delay(const struct sim_faults *f, const struct sim_addr *a,
    uint64_t *rng)
{
	uint64_t	 d = f->latency_ns, j;

	if (f->jitter_ns > 0) {
		j = sim_rand(rng) % (2 * f->jitter_ns + 1);
		d = d + j < f->jitter_ns ? 0 : d + j - f->jitter_ns;
	}
	if (f->slow_ns > 0 && sim_fault_slow(f, a))
		d += f->slow_ns;
	return d;
}
