/*
 * parse.c — the small parsers (and the hash) that the input modules
 * share: numbers, byte counts, SNMP versions as users write them.  It
 * calls none of them, so options.c, inventory.c and table.c can all sit
 * above it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snmpfleet.h"

/* FNV-1a: the hash of n bytes (inventory interning, table rows). */
uint64_t
parse_hash_bytes(const void *p, size_t n)
{
	const unsigned char	*s = p;
	uint64_t		 h = 1469598103934665603ull;

	while (n-- > 0) {
		h ^= *s++;
		h *= 1099511628211ull;
	}
	return h;
}

/* A decimal whole number up to max (no sign, no spaces): 0, or -1. */
int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "1", "2c" (or "2"), "3" into SNMP_VERSION_*: 0, or -1. */
int
parse_version(const char *s, long *out)
{
	if (strcmp(s, "1") == 0)
		*out = SNMP_VERSION_1;
	else if (strcmp(s, "2c") == 0 || strcmp(s, "2") == 0)
		*out = SNMP_VERSION_2c;
	else if (strcmp(s, "3") == 0)
		*out = SNMP_VERSION_3;
	else
		return -1;
	return 0;
}

/*
 * A byte count: a whole number, optionally followed by k, M or G (KiB,
 * MiB, GiB).  -1 if s is not one or does not fit 64 bits.
 */
int
parse_size(const char *s, uint64_t *out)
{
	unsigned long long	 v;
	uint64_t		 mult = 1;
	char			*end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		break;
	case 'M':
		mult = 1024 * 1024;
		break;
	case 'G':
		mult = 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (v > UINT64_MAX / mult)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}
