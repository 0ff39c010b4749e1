/*
 * check-formats.h — strict decoders for the record formats snmpfleet
 * writes, so that a fuzz harness can tell a malformed record from a good
 * one.  Each returns NULL when the text is well formed, else why not
 * ("line 2, byte 17: ..."; a static string, valid until the next call).
 */
#ifndef CHECK_FORMATS_H
#define CHECK_FORMATS_H

#include <stddef.h>

/* jsonl: every line one JSON object (RFC 8259, UTF-8, as json.loads
 * takes it), each line ending in '\n'. */
const char	*check_jsonl(const char *, size_t);

/* CSV (RFC 4180, '\n' or "\r\n" rows): quotes balanced, every row with
 * as many fields as the first (the header). */
const char	*check_csv(const char *, size_t);

/* InfluxDB line protocol: measurement[,tag=value...] field=value[,...]
 * [timestamp], with the escaping rules; every field a valid float,
 * integer (i), unsigned (u), string or boolean. */
const char	*check_influx(const char *, size_t);

/* Prometheus text format: comments (# HELP / # TYPE), and samples
 * name{label="value",...} value [timestamp]. */
const char	*check_prom(const char *, size_t);

/* Print what failed and the text, then abort() (so libFuzzer reports
 * the input) when why is not NULL. */
void		 check_or_abort(const char *, const char *, const char *,
		    size_t);

#endif /* CHECK_FORMATS_H */
