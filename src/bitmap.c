/*
 * bitmap.c — one bit per target in shared memory: the done bitmap.  The
 * pool creates it with the rest of the run's shared memory and reads it
 * (what to skip in a re-poll round, what is left); the writer sets a
 * batch's bits in the critical section that writes the batch.  Neither
 * looks inside the other: both come here.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "snmpfleet.h"

/*
 * Map a bitmap of nbits bits, shared with the processes forked after it
 * (reserved, not committed: a /8 costs pages only as they are touched).
 * Returns 0, or -1 with *cause.
 */
int
bitmap_init(struct bitmap *b, uint64_t nbits, char **cause)
{
	size_t	bytes = (size_t)((nbits + 63) / 64 * 8);
	void	*words;

	if (bytes == 0)
		bytes = 8;
	words = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (words == MAP_FAILED) {
		*cause = xasprintf("mmap: %s", strerror(errno));
		return -1;
	}
	b->words = words;
	b->nbits = nbits;
	b->bytes = bytes;
	return 0;
}

void
bitmap_free(struct bitmap *b)
{
	if (b->words != NULL)
		munmap((void *)b->words, b->bytes);
	b->words = NULL;
}

/* Every bit back to 0 (a sweep's next level starts from scratch). */
void
bitmap_clear(struct bitmap *b)
{
	memset((void *)b->words, 0, b->bytes);
}

/* Set bit i; idempotent, so a recovery may repeat it. */
void
bitmap_set(struct bitmap *b, uint64_t i)
{
	atomic_fetch_or(&b->words[i / 64], (uint64_t)1 << (i % 64));
}

bool
bitmap_test(const struct bitmap *b, uint64_t i)
{
	return (atomic_load(&b->words[i / 64]) >> (i % 64)) & 1;
}

/* How many bits are set. */
uint64_t
bitmap_count(const struct bitmap *b)
{
	uint64_t	n = 0, i;

	for (i = 0; i < (b->nbits + 63) / 64; i++)
		n += (uint64_t)__builtin_popcountll(atomic_load(&b->words[i]));
	return n;
}
