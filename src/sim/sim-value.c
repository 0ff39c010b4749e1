/*
 * sim-value.c — what every file that computes a device's values shares:
 * the constructors of a struct sim_value, and the sim's clock (hundredths
 * of a second: --clock-start plus the time since the sim started), from
 * which sysUpTime, hrSystemUptime, hrSystemDate and the counters are all
 * read, so that one request sees one instant.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

uint64_t	sim_start_ns;
struct sim_state sim_state;

/* A string that outlives the value (a constant, or the model's). */
void
sim_value_str(struct sim_value *v, const char *s)
{
	v->type = SIM_OCTETS;
	v->s = (const uint8_t *)s;
	v->slen = strlen(s);
}

/* A string formatted into the value's own buffer (cut to fit it). */
void
sim_value_printf(struct sim_value *v, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf((char *)v->buf, sizeof v->buf, fmt, ap);
	va_end(ap);
	v->type = SIM_OCTETS;
	v->s = v->buf;
	v->slen = n < 0 ? 0 : (size_t)n >= sizeof v->buf ?
	    sizeof v->buf - 1 : (size_t)n;
}

/* len octets copied into the value's buffer, as an OCTET STRING or an
 * IpAddress (type); len is at most sizeof v->buf. */
void
sim_value_bytes(struct sim_value *v, uint8_t type, const void *p, size_t len)
{
	memcpy(v->buf, p, len);
	v->type = type;
	v->s = v->buf;
	v->slen = len;
}

void
sim_value_uint(struct sim_value *v, uint8_t type, uint64_t u)
{
	v->type = type;
	v->u = u;
}

void
sim_value_int(struct sim_value *v, int64_t i)
{
	v->type = SIM_INTEGER;
	v->i = i;
}

/* An OID that outlives the value. */
void
sim_value_oid(struct sim_value *v, const uint32_t *oid, size_t len)
{
	v->type = SIM_OID;
	v->oid = oid;
	v->oidlen = len;
}
