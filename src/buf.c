/*
 * buf.c — a growable byte buffer; records are formatted into one before
 * they go to the writer.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "snmpfleet.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Make room for n more bytes plus a terminating NUL. */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t	need = b->len + n + 1;

	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

/* Append n bytes at p (p may be NULL when n is 0). */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0) {
		buf_reserve(b, 0);
		return;
	}
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_add_u64(struct buf *b, uint64_t v)
{
	char	tmp[24];
	size_t	i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(b, tmp + i, sizeof tmp - i);
}

void
buf_add_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_addc(b, '-');
		buf_add_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		buf_add_u64(b, (uint64_t)v);
}

/* The contents as a C string; never NULL. */
const char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

/* Append ns as milliseconds with three decimals ("0.840"), without the
 * cost of printf's floating point. */
void
buf_add_ms(struct buf *b, uint64_t ns)
{
	uint64_t	us = (ns + 500) / 1000;
	char		frac[4];

	buf_add_u64(b, us / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + us / 100 % 10);
	frac[2] = (char)('0' + us / 10 % 10);
	frac[3] = (char)('0' + us % 10);
	buf_add(b, frac, 4);
}
