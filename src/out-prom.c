/*
 * out-prom.c — Prometheus text format (for node_exporter's textfile
 * collector, or a file a web server hands out), shaped as snmp_exporter
 * shapes a scrape so dashboards written for it work: one family per
 * object, named after it (--metric-prefix before), counters typed
 * counter, other numbers gauge (enums as their number), strings,
 * addresses and OIDs as a label of their own name on a value-1 series,
 * the row's index and the lookups (--label, a profile's label key:
 * another column of the same index, such as ifName) as labels, an info
 * object (a profile's info key) as NAME_info{NAME="enum label"} 1.
 * Every series has the target (and inventory tags) as labels.  Values
 * without a name (no MIB knows the OID) stay snmpfleet_value{oid=}.
 * Per target also snmpfleet_up and snmpfleet_poll_seconds; per run
 * snmpfleet_last_run_timestamp_seconds and friends.  No timestamps.
 *
 * The format wants each family's samples together under its HELP and
 * TYPE lines, but records arrive target by target from any worker.  So
 * records go to a temporary file first (out_open stages them, as for
 * any format with a finish step): each process writes a "#F" line the
 * first time it writes a family (its type and help), then samples.
 * finish() reads the staged file once, groups the samples by family
 * (first seen first; a counting sort of line offsets) into a second
 * temporary file in the output's directory and renames it into place:
 * a reader never sees a partial file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "snmpfleet.h"

#define PROM_SEEN_MIN	256	/* slots of the families-seen table */

/* The per-target families of our own: in every file, first, with their
 * HELP and TYPE even when no target has a sample (a run that ended at
 * its --deadline before any answer). */
#define PROM_FAMILY(name, kind, help)	{ name, kind, help, kind " " help }
static const struct {
	const char	*name, *kind, *help;
	const char	*decl;		/* as a "#F" line has it */
} prom_own[] = {
	PROM_FAMILY("snmpfleet_up", "gauge",
	    "1 if the target answered every request, else 0."),
	PROM_FAMILY("snmpfleet_poll_seconds", "gauge",
	    "Round trip of the target's last answered request."),
};

/* A process's own: the plan's lookups and info objects, and the
 * families it has declared ("#F" lines) in the staged file. */
/* What an object is in this format, worked out once per process: its
 * family's name, its label name, whether it is a lookup or an info
 * object, its index, and whether its family was declared. */
struct prom_obj {
	const struct mib_row	*row;		/* the key; NULL: a free slot */
	struct mib_obj		 o;
	char			*family;	/* prefix, name[, _info] */
	char			*label;		/* the name, valid */
	bool			 lookup;	/* a --label column */
	bool			 info;		/* an info object */
	bool			 declared;
	bool			 known;		/* spec holds its INDEX */
	bool			 mac;		/* a hardware address */
	struct mib_index_spec	 spec;
	char			*ixname[MIB_INDEX_MAX];	/* valid */
};

struct prom_state {
	const struct fetch_plan	*plan;
	char			**label_names;	/* of plan->labels, valid */
	bool			 *label_mac;	/* of plan->labels */
	char			**seen;		/* open addressing */
	size_t			  nseen, cap;
	struct prom_obj		 *ix;		/* open addressing by row */
	size_t			  nix, capix;
	struct oid_text		  last;		/* the last object found */
	struct prom_obj		 *last_obj;
	struct buf		  val, tmp;	/* scratch */
};

/* A row's index labels being written (mib_index_decode's callback). */
struct prom_row {
	struct buf		*b;
	const struct prom_obj	*obj;
};

/* A label value: backslash, double quote and newline escaped. */
static void
out_prom_label(struct buf *b, const char *name, const char *v, size_t n)
{
	size_t	i, run;

	buf_adds(b, name);
	buf_add(b, "=\"", 2);
	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n && v[i + run] != '\\' &&
		    v[i + run] != '"' && v[i + run] != '\n'; run++)
			continue;
		buf_add(b, v + i, run);
		if (i + run == n)
			break;
		buf_add(b, v[i + run] == '\n' ? "\\n" : v[i + run] == '"' ?
		    "\\\"" : "\\\\", 2);
		run++;
	}
	buf_addc(b, '"');
}

/* The label name of tag i: "tag_" and its name, made valid. */
static void
out_prom_tag_name(const struct target_params *p, size_t i, struct buf *key)
{
	size_t	k;
	char	c;

	key->len = 0;
	buf_adds(key, "tag_");
	for (k = 0; (c = p->tags[2 * i][k]) != '\0'; k++)
		buf_addc(key, isalnum((unsigned char)c) ? c : '_');
	buf_cstr(key);
}

/* Does an earlier tag than i get the same label name (tag.a-b, tag.a.b)?
 * A label given twice makes the whole file invalid (fuzz-reply). */
static bool
out_prom_tag_taken(const struct target_params *p, size_t i,
    const struct buf *key)
{
	struct buf	other;
	size_t		j;
	bool		taken = false;

	buf_init(&other);
	for (j = 0; j < i && !taken; j++) {
		out_prom_tag_name(p, j, &other);
		taken = other.len == key->len &&
		    memcmp(other.data, key->data, key->len) == 0;
	}
	buf_free(&other);
	return taken;
}

/* {target="h:p",<inventory tags, names made valid>} without the brace;
 * of tags whose names come out the same, the first one. */
static void
out_prom_target(struct buf *b, const struct target *t)
{
	const struct target_params	*p = t->params;
	struct buf			 key;
	size_t				 i;

	buf_addc(b, '{');
	buf_init(&key);
	out_host(t, &key);
	if (t->default_port)
		buf_printf(&key, ":%u", t->port);
	out_prom_label(b, "target", key.data, key.len);
	for (i = 0; i < p->ntags; i++) {
		out_prom_tag_name(p, i, &key);
		if (out_prom_tag_taken(p, i, &key))
			continue;
		buf_addc(b, ',');
		out_prom_label(b, buf_cstr(&key), p->tags[2 * i + 1],
		    strlen(p->tags[2 * i + 1]));
	}
	buf_free(&key);
}

/* The text format spells floats that are not finite NaN, +Inf, -Inf. */
static bool
out_prom_nonfinite(const netsnmp_variable_list *v, struct buf *b)
{
	const char	*nf = value_nonfinite(v);

	if (nf == NULL)
		return false;
	buf_adds(b, nf);
	return true;
}

/* The slot of family name in st's table: where it is, or where it
 * would go. */
static size_t
out_prom_slot(const struct prom_state *st, const char *name, size_t n)
{
	size_t	mask = st->cap - 1;
	size_t	i = (size_t)parse_hash_bytes(name, n) & mask;

	while (st->seen[i] != NULL && (strncmp(st->seen[i], name, n) != 0 ||
	    st->seen[i][n] != '\0'))
		i = (i + 1) & mask;
	return i;
}

/*
 * Declare family name (n bytes) of type kind in b, unless this process
 * did already: a "#F NAME KIND HELP" line for finish().
 */
static void
out_prom_declare(struct prom_state *st, struct buf *b, const char *name,
    size_t n, const char *kind, const char *help, const struct buf *oid)
{
	char	**old;
	size_t	  i, cap;

	if (st == NULL || st->seen[out_prom_slot(st, name, n)] != NULL)
		return;
	if (2 * (st->nseen + 1) > st->cap) {
		old = st->seen;
		cap = st->cap;
		st->cap *= 2;
		st->seen = xcalloc(st->cap, sizeof *st->seen);
		for (i = 0; i < cap; i++)
			if (old[i] != NULL)
				st->seen[out_prom_slot(st, old[i],
				    strlen(old[i]))] = old[i];
		free(old);
	}
	st->seen[out_prom_slot(st, name, n)] = xstrndup(name, n);
	st->nseen++;
	buf_adds(b, "#F ");
	buf_add(b, name, n);
	buf_printf(b, " %s %s", kind, help);
	if (oid != NULL) {
		buf_addc(b, ' ');
		buf_add(b, oid->data, oid->len);
	}
	buf_addc(b, '\n');
}

/* What a varbind is: the object a MIB names it after (a scalar or a
 * column), and where its instance starts in its OID; false if none. */
static bool
out_prom_object(const netsnmp_variable_list *v, struct mib_obj *o,
    size_t *objlen)
{
	if (mib_find_oid(v->name, v->name_length, o, objlen) != 0)
		return false;
	return o->row->kind == MIB_K_SCALAR || o->row->kind == MIB_K_COLUMN;
}

/* A label or family name made valid ([a-zA-Z0-9_], not a digit first). */
static void
out_prom_name(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	if (n != 0 && isdigit((unsigned char)s[0]))
		buf_addc(b, '_');
	for (i = 0; i < n; i++)
		buf_addc(b, isalnum((unsigned char)s[i]) ? s[i] : '_');
}

/* Is v one of the plan's objects in list (lookups or info)? */
static bool
out_prom_listed(const struct plan_label *list, size_t n,
    const netsnmp_variable_list *v, size_t objlen)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (list[i].oid.len == objlen && snmp_oid_compare(list[i].oid.v,
		    objlen, v->name, objlen) == 0)
			return true;
	return false;
}

/* Room in st's object table for one more (at most half full). */
static void
out_prom_obj_grow(struct prom_state *st)
{
	struct prom_obj	*old = st->ix;
	size_t		 i, k, cap = st->capix, mask;

	st->capix = cap ? 2 * cap : 64;
	st->ix = xcalloc(st->capix, sizeof *st->ix);
	mask = st->capix - 1;
	for (k = 0; k < cap; k++) {
		if (old[k].row == NULL)
			continue;
		i = ((uintptr_t)old[k].row >> 4) & mask;
		while (st->ix[i].row != NULL)
			i = (i + 1) & mask;
		st->ix[i] = old[k];
	}
	free(old);
	st->last_obj = NULL;
}

/* A new object's entry: its names, what the plan makes of it, its
 * INDEX (objlen: its OID's length in v). */
static void
out_prom_obj_init(struct prom_state *st, struct prom_obj *p,
    const struct mib_obj *o, const netsnmp_variable_list *v, size_t objlen)
{
	const struct fetch_plan	*plan = st->plan;
	const char		*name = mib_str(o, o->row->name);
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	p->row = o->row;
	p->o = *o;
	out_prom_name(&b, name, strlen(name));
	p->label = xstrdup(buf_cstr(&b));
	p->mac = mib_is_mac(o);
	p->lookup = out_prom_listed(plan->labels, plan->nlabels, v, objlen);
	p->info = out_prom_listed(plan->info, plan->ninfo, v, objlen);
	b.len = 0;
	if (plan->metric_prefix != NULL)
		buf_adds(&b, plan->metric_prefix);
	buf_adds(&b, p->label);
	if (p->info)
		buf_adds(&b, "_info");
	p->family = xstrdup(buf_cstr(&b));
	p->known = o->row->kind == MIB_K_COLUMN &&
	    mib_index_spec(o, &p->spec) == 0;
	for (i = 0; p->known && i < p->spec.n; i++) {
		b.len = 0;
		out_prom_name(&b, p->spec.part[i].name,
		    strlen(p->spec.part[i].name));
		p->ixname[i] = xstrdup(buf_cstr(&b));
	}
	buf_free(&b);
}

/*
 * The object varbind v is an instance of (a scalar or a column a MIB
 * names), worked out once per process, with *objlen its OID's length;
 * NULL if none.  Walks return a column's cells one after another, so
 * the last object found is tried first.
 */
static struct prom_obj *
out_prom_obj(struct prom_state *st, const netsnmp_variable_list *v,
    size_t *objlen)
{
	struct mib_obj	 o;
	size_t		 i, mask;

	if (st->last_obj != NULL && v->name_length > st->last.len &&
	    oid_is_prefix(st->last.v, st->last.len, v->name,
	    v->name_length)) {
		*objlen = st->last.len;
		return st->last_obj;
	}
	if (!out_prom_object(v, &o, objlen))
		return NULL;
	if (2 * (st->nix + 1) > st->capix)
		out_prom_obj_grow(st);
	mask = st->capix - 1;
	for (i = ((uintptr_t)o.row >> 4) & mask; st->ix[i].row != NULL &&
	    st->ix[i].row != o.row; i = (i + 1) & mask)
		continue;
	if (st->ix[i].row == NULL) {
		out_prom_obj_init(st, &st->ix[i], &o, v, *objlen);
		st->nix++;
	}
	memcpy(st->last.v, v->name, *objlen * sizeof *v->name);
	st->last.len = *objlen;
	st->last_obj = &st->ix[i];
	return st->last_obj;
}

/* One INDEX value as a label named after its object. */
static void
out_prom_index_label(void *arg, const struct mib_index_part *p,
    const char *text, size_t n)
{
	struct prom_row	*row = arg;

	buf_addc(row->b, ',');
	out_prom_label(row->b, row->obj->ixname[p - row->obj->spec.part],
	    text, n);
}

/* Is name one of the index labels of object p (when its INDEX is known)? */
static bool
out_prom_is_index(const struct prom_obj *p, const char *name)
{
	size_t	i;

	for (i = 0; p->known && i < p->spec.n; i++)
		if (strcmp(p->ixname[i], name) == 0)
			return true;
	return false;
}

/* The row's index as labels (ifIndex="3", by the MIB's INDEX; else
 * index="3.1"), and the lookups of the row with that index; nothing for
 * a scalar. */
static void
out_prom_row_labels(struct buf *b, struct prom_state *st,
    const struct prom_obj *p, const struct out_lookup *l, size_t nl,
    const oid *index, size_t len)
{
	const struct out_lookup	*hit;
	struct prom_row			 row;
	struct buf			*tmp = &st->tmp;
	size_t				 mark = b->len;

	if (len == 0 || p->row->kind == MIB_K_SCALAR)
		return;
	row.b = b;
	row.obj = p;
	if (!p->known || mib_index_decode(&p->spec, index, len,
	    out_prom_index_label, &row) != 0) {
		b->len = mark;
		tmp->len = 0;
		oid_format(index, len, tmp);
		buf_addc(b, ',');
		out_prom_label(b, "index", tmp->data, tmp->len);
	}
	if (nl == 0)
		return;
	for (hit = out_lookup_find(l, nl, index, len); hit < l + nl &&
	    snmp_oid_compare(hit->index, hit->len, index, len) == 0; hit++) {
		if (out_prom_is_index(p, st->label_names[hit->li]))
			continue;	/* --label ifIndex: the index has it */
		tmp->len = 0;
		if (!out_lookup_text(hit->v, st->label_mac[hit->li], tmp) &&
		    !value_number(hit->v, tmp))
			continue;
		buf_addc(b, ',');
		out_prom_label(b, st->label_names[hit->li], tmp->data,
		    tmp->len);
	}
}

/* Is v's type shown as a label (a string, an address, an OID)? */
static bool
out_prom_is_text(const netsnmp_variable_list *v)
{
	return v->type == ASN_OCTET_STR || v->type == ASN_OBJECT_ID ||
	    v->type == ASN_IPADDRESS;
}

/* One named varbind (object p) as its family's sample, the family
 * declared first: a number, or a text as a label on a value-1 series,
 * or an info object's enum label. */
static void
out_prom_sample(struct prom_state *st, struct buf *b, const struct buf *tl,
    const netsnmp_variable_list *v, struct prom_obj *p, size_t objlen,
    const struct out_lookup *l, size_t nl)
{
	struct buf	*val = &st->val, oidt;
	const char	*label;
	bool		 info = p->info && v->type == ASN_INTEGER;
	bool		 text = !info && out_prom_is_text(v);

	val->len = 0;
	if (info) {
		if ((label = mib_enum_label(&p->o, *v->val.integer)) != NULL)
			buf_adds(val, label);
		else
			buf_add_i64(val, *v->val.integer);
	} else if (text) {
		if (!out_lookup_text(v, p->mac, val))
			return;
	} else if (!value_number(v, val) && !out_prom_nonfinite(v, val))
		return;
	if (!p->declared) {
		buf_init(&oidt);
		oid_format(v->name, objlen, &oidt);
		out_prom_declare(st, b, p->family, strlen(p->family),
		    v->type == ASN_COUNTER || v->type == ASN_COUNTER64 ?
		    "counter" : "gauge", "SNMP object", &oidt);
		buf_free(&oidt);
		p->declared = true;
	}
	buf_adds(b, p->family);
	buf_add(b, tl->data, tl->len);
	out_prom_row_labels(b, st, p, l, nl, v->name + objlen,
	    v->name_length - objlen);
	if (info || text) {
		/* a column that is its own INDEX object (ifIndex, ipAdEntAddr)
		 * has its label from the index already: never twice */
		if (!out_prom_is_index(p, p->label)) {
			buf_addc(b, ',');
			out_prom_label(b, p->label, val->data, val->len);
		}
		buf_add(b, "} 1\n", 4);
	} else {
		buf_add(b, "} ", 2);
		buf_add(b, val->data, val->len);
		buf_addc(b, '\n');
	}
}

static int
out_prom_open(struct out_format *fmt, const struct fetch_plan *plan,
    char **cause)
{
	struct prom_state	*st = xcalloc(1, sizeof *st);
	struct buf		 name;
	const char		*given;
	size_t			 i;

	(void)cause;
	buf_init(&name);
	st->plan = plan;
	st->label_names = xcalloc(plan->nlabels + 1, sizeof *st->label_names);
	st->label_mac = xcalloc(plan->nlabels + 1, sizeof *st->label_mac);
	for (i = 0; i < plan->nlabels; i++) {
		given = out_lookup_name(plan, i, &st->label_mac[i]);
		name.len = 0;
		out_prom_name(&name, given, strlen(given));
		st->label_names[i] = xstrdup(buf_cstr(&name));
	}
	buf_free(&name);
	buf_init(&st->val);
	buf_init(&st->tmp);
	st->cap = PROM_SEEN_MIN;
	st->seen = xcalloc(st->cap, sizeof *st->seen);
	fmt->state = st;
	return 0;
}

static void
out_prom_close(struct out_format *fmt)
{
	struct prom_state	*st = fmt->state;
	size_t			 i, k;

	if (st == NULL)
		return;
	for (i = 0; i < st->cap; i++)
		free(st->seen[i]);
	for (i = 0; i < st->plan->nlabels; i++)
		free(st->label_names[i]);
	free(st->label_names);
	free(st->label_mac);
	for (i = 0; i < st->capix; i++) {
		if (st->ix[i].row == NULL)
			continue;
		free(st->ix[i].family);
		free(st->ix[i].label);
		for (k = 0; k < MIB_INDEX_MAX; k++)
			free(st->ix[i].ixname[k]);
	}
	free(st->ix);
	buf_free(&st->val);
	buf_free(&st->tmp);
	free(st->seen);
	free(st);
	fmt->state = NULL;
}

/* A varbind no MIB names: snmpfleet_value{oid=} if it is a number. */
static void
out_prom_unnamed(struct prom_state *st, struct buf *b, const struct buf *tl,
    const netsnmp_variable_list *v, struct buf *tmp)
{
	struct buf	o;

	tmp->len = 0;
	if (!value_number(v, tmp) && !out_prom_nonfinite(v, tmp))
		return;
	out_prom_declare(st, b, "snmpfleet_value", 15, "gauge",
	    "Numeric SNMP values no MIB names, by OID.", NULL);
	buf_init(&o);
	oid_format(v->name, v->name_length, &o);
	buf_add(b, "snmpfleet_value", 15);
	buf_add(b, tl->data, tl->len);
	buf_addc(b, ',');
	out_prom_label(b, "oid", o.data, o.len);
	buf_adds(b, "} ");
	buf_add(b, tmp->data, tmp->len);
	buf_addc(b, '\n');
	buf_free(&o);
}

static void
out_prom_record(const struct out_format *fmt, struct buf *b,
    const struct target *t, const struct result *r)
{
	struct prom_state		*st = fmt->state;
	const netsnmp_variable_list	*v;
	struct out_lookup		*l;
	struct prom_obj			*p;
	struct buf			 labels;
	size_t				 i, nl, objlen;

	buf_init(&labels);
	out_prom_target(&labels, t);
	out_prom_declare(st, b, prom_own[0].name, strlen(prom_own[0].name),
	    prom_own[0].kind, prom_own[0].help, NULL);
	buf_printf(b, "snmpfleet_up%s} %d\n", buf_cstr(&labels),
	    r->status == RES_OK);
	if (r->rtt_ns != 0) {
		out_prom_declare(st, b, prom_own[1].name,
		    strlen(prom_own[1].name), prom_own[1].kind,
		    prom_own[1].help, NULL);
		buf_printf(b, "snmpfleet_poll_seconds%s} %.6f\n",
		    labels.data, (double)r->rtt_ns / 1e9);
	}
	l = out_lookups(st->plan, r, &nl);
	for (i = 0; i < r->nparts; i++) {
		for (v = r->parts[i].vars; v != NULL; v = v->next_variable) {
			if (value_is_exception(v->type) || v->type == ASN_NULL)
				continue;
			if ((p = out_prom_obj(st, v, &objlen)) == NULL)
				out_prom_unnamed(st, b, &labels, v, &st->tmp);
			else if (!p->lookup)	/* a lookup is a label only */
				out_prom_sample(st, b, &labels, v, p, objlen,
				    l, nl);
		}
	}
	free(l);
	buf_free(&labels);
}
/* A family of the staged file: its "#F" line's type and help, its
 * samples' count and, while grouping, where the next one goes. */
struct prom_family {
	const char	*name;
	size_t		 len;
	const char	*decl;		/* after the name: "KIND HELP" */
	size_t		 decl_len;
	size_t		 count, at;
};

struct prom_group {
	struct prom_family	*f;
	size_t			 nf, capf;
	uint32_t		*ht;		/* family + 1, open addressing */
	size_t			 htcap;
};

/* Room for one more family in g's table (at most half full). */
static void
out_prom_group_grow(struct prom_group *g)
{
	size_t	i, k, mask;

	free(g->ht);
	g->htcap = g->htcap ? 2 * g->htcap : 1024;
	g->ht = xcalloc(g->htcap, sizeof *g->ht);
	mask = g->htcap - 1;
	for (k = 0; k < g->nf; k++) {
		i = (size_t)parse_hash_bytes(g->f[k].name, g->f[k].len) & mask;
		while (g->ht[i] != 0)
			i = (i + 1) & mask;
		g->ht[i] = (uint32_t)k + 1;
	}
}

/* The family named name (n bytes), made if new: its number. */
static size_t
out_prom_family(struct prom_group *g, const char *name, size_t n)
{
	size_t	i, k, mask;

	if (2 * (g->nf + 1) > g->htcap)
		out_prom_group_grow(g);
	mask = g->htcap - 1;
	for (i = (size_t)parse_hash_bytes(name, n) & mask; g->ht[i] != 0;
	    i = (i + 1) & mask) {
		k = g->ht[i] - 1;
		if (g->f[k].len == n && memcmp(g->f[k].name, name, n) == 0)
			return k;
	}
	if (g->nf == g->capf) {
		g->capf = g->capf ? 2 * g->capf : 64;
		g->f = xreallocarray(g->f, g->capf, sizeof *g->f);
	}
	memset(&g->f[g->nf], 0, sizeof *g->f);
	g->f[g->nf].name = name;
	g->f[g->nf].len = n;
	g->ht[i] = (uint32_t)g->nf + 1;
	return g->nf++;
}

/* The family a sample line of the staged file belongs to, by number;
 * SIZE_MAX for a "#F" line, whose declaration is kept. */
static size_t
out_prom_line_family(struct prom_group *g, const char *line, size_t n)
{
	const char	*end;
	size_t		 k;

	if (n > 3 && memcmp(line, "#F ", 3) == 0) {
		if ((end = memchr(line + 3, ' ', n - 3)) == NULL)
			end = line + n;
		k = out_prom_family(g, line + 3, (size_t)(end - line - 3));
		if (g->f[k].decl == NULL && end < line + n) {
			g->f[k].decl = end + 1;
			g->f[k].decl_len = (size_t)(line + n - end - 1);
		}
		return SIZE_MAX;
	}
	for (end = line; end < line + n && *end != '{' && *end != ' ';
	    end++)
		continue;
	return out_prom_family(g, line, (size_t)(end - line));
}

/* A family's HELP and TYPE lines, from "#F NAME KIND HELP..." */
static void
out_prom_header(FILE *out, const struct prom_family *f)
{
	const char	*sp = NULL;
	int		 klen = 5, hlen = 0;

	if (f->decl != NULL && (sp = memchr(f->decl, ' ', f->decl_len)) !=
	    NULL) {
		klen = (int)(sp - f->decl);
		hlen = (int)(f->decl + f->decl_len - sp - 1);
	}
	fprintf(out, "# HELP %.*s %.*s\n# TYPE %.*s %.*s\n", (int)f->len,
	    f->name, hlen, sp != NULL ? sp + 1 : "", (int)f->len, f->name,
	    klen, sp != NULL ? f->decl : "gauge");
}

/* Each sample line of the staged map with its family (*fam), in file
 * order: how many. */
static size_t
out_prom_scan(struct prom_group *g, const char *map, size_t size,
    size_t *off, size_t *fam)
{
	const char	*p, *nl, *end = map + size;
	size_t		 n = 0, k;

	for (p = map; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		k = out_prom_line_family(g, p, (size_t)(nl - p));
		if (k == SIZE_MAX)
			continue;
		if (off != NULL) {
			off[g->f[k].at] = (size_t)(p - map);
			fam[g->f[k].at++] = k;
		} else
			g->f[k].count++;
		n++;
	}
	return n;
}

/*
 * The staged records of map (size bytes) to out, grouped by family in
 * the order families first appear: one pass counts each family's
 * lines, one places their offsets (a counting sort), then the lines go
 * out in that order under their family's HELP and TYPE.
 */
static void
out_prom_group(FILE *out, const char *map, size_t size)
{
	struct prom_group	 g;
	const char		*p, *nl;
	size_t			*off, *fam, n, k, i, total = 0;

	memset(&g, 0, sizeof g);
	for (k = 0; k < sizeof prom_own / sizeof *prom_own; k++) {
		i = out_prom_family(&g, prom_own[k].name,
		    strlen(prom_own[k].name));
		g.f[i].decl = prom_own[k].decl;
		g.f[i].decl_len = strlen(prom_own[k].decl);
	}
	n = out_prom_scan(&g, map, size, NULL, NULL);
	for (k = 0; k < sizeof prom_own / sizeof *prom_own; k++)
		if (g.f[k].count == 0)	/* no sample: HELP and TYPE alone */
			out_prom_header(out, &g.f[k]);
	for (k = 0; k < g.nf; k++) {
		g.f[k].at = total;
		total += g.f[k].count;
	}
	off = xreallocarray(NULL, n + 1, sizeof *off);
	fam = xreallocarray(NULL, n + 1, sizeof *fam);
	out_prom_scan(&g, map, size, off, fam);
	for (i = 0; i < n; i++) {
		if (i == 0 || fam[i] != fam[i - 1])
			out_prom_header(out, &g.f[fam[i]]);
		p = map + off[i];
		nl = memchr(p, '\n', size - off[i]);
		fwrite(p, 1, (size_t)(nl - p) + 1, out);
	}
	free(off);
	free(fam);
	free(g.f);
	free(g.ht);
}

/* The staged file tmp, mapped (NULL and *size 0 when empty): 0, or -1
 * with *cause. */
static int
out_prom_map(const char *tmp, void **map, size_t *size, char **cause)
{
	struct stat	sb;
	int		fd;

	*map = NULL;
	*size = 0;
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sb.st_size > 0 && (*map = mmap(NULL, (size_t)sb.st_size,
	    PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		*map = NULL;
		close(fd);
		return -1;
	}
	*size = (size_t)sb.st_size;
	close(fd);
	return 0;
}

/*
 * Group the records in tmp by family, add the run's metrics, and put the
 * result at dest (NULL or "-": standard output) in one rename.
 */
static int
out_prom_finish(const struct out_format *fmt, const char *tmp,
    const char *dest, const struct report *rep, char **cause)
{
	FILE		*out;
	char		*staged = NULL;
	void		*map;
	size_t		 size;
	int		 fd, rc = 0;
	bool		 to_stdout = dest == NULL || strcmp(dest, "-") == 0;

	(void)fmt;
	if (out_prom_map(tmp, &map, &size, cause) != 0)
		return -1;
	if (to_stdout)
		out = stdout;
	else {
		staged = xasprintf("%s.tmp.%ld", dest, (long)getpid());
		fd = open(staged, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			*cause = xasprintf("%s: %s", staged, strerror(errno));
			if (map != NULL)
				munmap(map, size);
			free(staged);
			return -1;
		}
	}
	if (map != NULL) {
		out_prom_group(out, map, size);
		munmap(map, size);
	}
	/* requests_total counts up through the run: a counter (each run
	 * starts it again at 0, which Prometheus reads as a reset) */
	fprintf(out, "# HELP snmpfleet_last_run_timestamp_seconds When the "
	    "last run started.\n"
	    "# TYPE snmpfleet_last_run_timestamp_seconds gauge\n"
	    "snmpfleet_last_run_timestamp_seconds %.3f\n"
	    "# HELP snmpfleet_run_duration_seconds How long the last run "
	    "took.\n"
	    "# TYPE snmpfleet_run_duration_seconds gauge\n"
	    "snmpfleet_run_duration_seconds %.3f\n"
	    "# HELP snmpfleet_targets Targets of the last run, by status.\n"
	    "# TYPE snmpfleet_targets gauge\n"
	    "snmpfleet_targets{status=\"ok\"} %llu\n"
	    "snmpfleet_targets{status=\"timeout\"} %llu\n"
	    "snmpfleet_targets{status=\"error\"} %llu\n"
	    "snmpfleet_targets{status=\"deadline\"} %llu\n"
	    "snmpfleet_targets{status=\"not_finished\"} %llu\n"
	    "# HELP snmpfleet_requests_total Requests sent in the last run.\n"
	    "# TYPE snmpfleet_requests_total counter\n"
	    "snmpfleet_requests_total %llu\n",
	    (double)rep->start_wall_ns / 1e9, rep->wall,
	    (unsigned long long)rep->st.ok, (unsigned long long)rep->st.timeout,
	    (unsigned long long)rep->st.error,
	    (unsigned long long)rep->st.deadline,
	    (unsigned long long)(rep->targets - rep->st.targets_done),
	    (unsigned long long)rep->st.requests);
	if (to_stdout)
		return fflush(stdout) == 0 && rc == 0 ? 0 : -1;
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = -1;
	if (fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(staged, dest) != 0)
		rc = -1;
	if (rc != 0) {
		*cause = xasprintf("%s: %s", dest, strerror(errno));
		unlink(staged);
	}
	free(staged);
	return rc;
}

const struct out_format out_prom = {
	.name = "prom",
	.open = out_prom_open,
	.close = out_prom_close,
	.record = out_prom_record,
	.finish = out_prom_finish,
};
