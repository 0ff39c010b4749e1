/*
 * out-text.c — "HOST OID = TYPE: VALUE", one line per varbind, where all
 * after "HOST " is what snmpget -On (snmpbulkwalk -On for walks and tables)
 * prints, or with -O FLAGS what snmpget -O FLAGS prints (net-snmp's own
 * printer, set up by oid_init_netsnmp); failures as "HOST # why".
 */
#include "config.h"

#include "snmpfleet.h"

static void
out_text_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	const netsnmp_variable_list	*v;
	struct buf			 bare;
	size_t				 i;
	/* -Ov: net-snmp's printer starts the buffer over for a bare value */
	bool				 v_only = netsnmp_ds_get_boolean(
					    NETSNMP_DS_LIBRARY_ID,
					    NETSNMP_DS_LIB_PRINT_BARE_VALUE);

	buf_init(&bare);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			out_host(t, b);
			buf_addc(b, ' ');
			if (v_only) {
				bare.len = 0;
				value_text(v, &bare);
				buf_add(b, bare.data, bare.len);
			} else
				value_text(v, b);
			buf_addc(b, '\n');
		}
	}
	buf_free(&bare);
	if (r->status == RES_OK)
		return;
	out_host(t, b);
	if (r->status == RES_TIMEOUT)
		buf_adds(b, " # timeout\n");
	else if (r->status == RES_DEADLINE)
		buf_adds(b, " # deadline\n");
	else
		buf_printf(b, " # error: %s\n", r->error ? r->error : "unknown");
}

const struct out_format out_text = {
	.name = "text",
	.record = out_text_record,
};
