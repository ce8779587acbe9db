/*
 * vulndata.c - partitions, snapshots and the holder of the current snapshot.
 *
 * A partition keeps its records (jansson values, because findings quote
 * them) and, beside them, an array of affected entries sorted by lookup key
 * with a hash table from key to the run of entries that share it. Sorting
 * once at build time makes lookups a hash probe plus a contiguous scan, and
 * keeps the output order stable. EPSS scores are kept as a sorted array of
 * small structs, not as JSON: there are hundreds of thousands of them and
 * each answer needs two numbers.
 */
#include "vulndata.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "feeds/feed.h"

#define KEY_SEP '\x1f'
#define NAME_MAX_BYTES 512

struct keyed_entry {
	char *key;
	struct vulndata_entry entry;
};

struct epss_row {
	char cve[24];
	double epss, percentile;
};

struct vulndata_source {
	atomic_int refs;
	char *name, *format;
	json_t *records;           /* every record, kept alive for the entries */
	struct keyed_entry *entries;
	size_t entry_count;
	size_t *slots;             /* hash of key -> index of its first entry + 1; 0 = empty */
	uint64_t *hashes;          /* each slot's full hash: most probes end without a strcmp */
	size_t slot_count;
	json_t *nvd, *kev;         /* CVE -> record */
	struct epss_row *epss;
	size_t epss_count;
	char *epss_date;
	size_t record_count;
};

struct vulndata_builder {
	struct vulndata_source *src;
	size_t entry_cap, epss_cap;
};

struct vulndata {
	atomic_int refs;
	size_t count;
	struct vulndata_source **sources;
};

struct vulndata_holder {
	pthread_mutex_t lock;
	struct vulndata *current;
};

/* ---- names ---- */

void vulndata_normalize_name(char *out, size_t size, const char *ecosystem, const char *name)
{
	size_t n = 0;
	int pypi = strcmp(ecosystem, "pypi") == 0;
	int lower = pypi || strcmp(ecosystem, "nuget") == 0 || strcmp(ecosystem, "composer") == 0;

	if (!size)
		return;
	for (; *name; name++) {
		char c = *name;
		if (pypi && (c == '-' || c == '_' || c == '.')) {
			/* PEP 503: runs of -, _ and . are one "-" */
			if (n && out[n - 1] == '-')
				continue;
			c = '-';
		} else if (lower) {
			c = (char)tolower((unsigned char)c);
		}
		if (n + 1 >= size) {
			out[0] = '\0';
			return;
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

/* Writes "ecosystem\x1fdistribution\x1fnormalised name" into key; 0 when it
 * does not fit (a name that long can never match). */
static int fill_key(char *key, size_t size, const char *ecosystem, const char *distribution, const char *package)
{
	size_t a = strlen(ecosystem), b = strlen(distribution);

	if (a + b + 2 >= size)
		return 0;
	memcpy(key, ecosystem, a);
	key[a] = KEY_SEP;
	memcpy(key + a + 1, distribution, b);
	key[a + 1 + b] = KEY_SEP;
	vulndata_normalize_name(key + a + b + 2, size - a - b - 2 < NAME_MAX_BYTES ? size - a - b - 2 : NAME_MAX_BYTES,
				ecosystem, package);
	return key[a + b + 2] != '\0';
}

static char *make_key(const char *ecosystem, const char *distribution, const char *package)
{
	char key[3 * NAME_MAX_BYTES];

	return fill_key(key, sizeof(key), ecosystem, distribution, package) ? strdup(key) : NULL;
}

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* ---- building ---- */

int vulndata_builder_new(struct vulndata_builder **out, const char *source_name, const char *format)
{
	struct vulndata_builder *b = calloc(1, sizeof(*b));
	struct vulndata_source *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!b || !s)
		goto oom;
	atomic_init(&s->refs, 1);
	s->name = strdup(source_name);
	s->format = strdup(format ? format : "");
	s->records = json_array();
	s->nvd = json_object();
	s->kev = json_object();
	if (!s->name || !s->format || !s->records || !s->nvd || !s->kev)
		goto oom;
	b->src = s;
	*out = b;
	return ASEC_OK;
oom:
	free(b);
	vulndata_source_unref(s);
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int grow(void **items, size_t *cap, size_t count, size_t size)
{
	void *bigger;
	size_t want;

	if (count < *cap)
		return ASEC_OK;
	want = *cap ? *cap * 2 : 256;
	if (!(bigger = realloc(*items, want * size))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	*items = bigger;
	*cap = want;
	return ASEC_OK;
}

static int fill_range(struct vulndata_range *r, const json_t *j)
{
	const char *lo = json_string_value(json_object_get(j, "introduced"));

	memset(r, 0, sizeof(*r));
	if (lo && strcmp(lo, "0") != 0) {
		r->lower = lo;
		r->lower_inclusive = 1;
	} else if ((lo = json_string_value(json_object_get(j, "introducedAfter")))) {
		r->lower = lo;
	}
	if ((r->upper = json_string_value(json_object_get(j, "fixed"))) == NULL &&
	    (r->upper = json_string_value(json_object_get(j, "lastAffected"))) != NULL)
		r->upper_inclusive = 1;
	r->events = json_string_value(json_object_get(j, "events"));
	/* feed.h: "fixedBy" ("" for none) overrides what the bound implies */
	if (json_is_string(json_object_get(j, "fixedBy")))
		r->fix = json_string_value(json_object_get(j, "fixedBy"));
	else if (r->upper && !r->upper_inclusive)
		r->fix = r->upper;
	if (r->fix && !r->fix[0])
		r->fix = NULL;
	return ASEC_OK;
}

static int add_entry(struct vulndata_builder *b, const json_t *record, const json_t *affected)
{
	struct vulndata_source *s = b->src;
	struct keyed_entry *k;
	const json_t *ranges = json_object_get(affected, "ranges"), *versions = json_object_get(affected, "versions");
	const char *kind = json_string_value(json_object_get(affected, "packageKind"));
	struct vulndata_range *rs = NULL;
	const char **vs = NULL;
	size_t i;
	int rc;

	if ((rc = grow((void **)&s->entries, &b->entry_cap, s->entry_count, sizeof(*s->entries))))
		return rc;
	k = &s->entries[s->entry_count];
	memset(k, 0, sizeof(*k));
	k->entry.record = record;
	k->entry.affected = affected;
	k->entry.ecosystem = json_string_value(json_object_get(affected, "ecosystem"));
	k->entry.distribution = json_string_value(json_object_get(affected, "distribution"));
	k->entry.package = json_string_value(json_object_get(affected, "package"));
	k->entry.status = json_string_value(json_object_get(affected, "status"));
	k->entry.module = json_string_value(json_object_get(affected, "module"));
	if (k->entry.module && !k->entry.module[0])
		k->entry.module = NULL;
	k->entry.kind = !kind ? VULNDATA_KIND_ANY : strcmp(kind, "source") == 0 ? VULNDATA_KIND_SOURCE : VULNDATA_KIND_BINARY;
	k->entry.order = (uint32_t)s->entry_count;
	if (json_array_size(ranges)) {
		if (!(rs = calloc(json_array_size(ranges), sizeof(*rs))))
			goto oom;
		for (i = 0; i < json_array_size(ranges); i++)
			fill_range(&rs[i], json_array_get(ranges, i));
		k->entry.ranges = rs;
		k->entry.range_count = json_array_size(ranges);
	}
	if (json_array_size(versions)) {
		if (!(vs = calloc(json_array_size(versions), sizeof(*vs))))
			goto oom;
		for (i = 0; i < json_array_size(versions); i++)
			vs[i] = json_string_value(json_array_get(versions, i));
		k->entry.versions = vs;
		k->entry.version_count = json_array_size(versions);
	}
	if (!(k->key = make_key(k->entry.ecosystem, k->entry.distribution, k->entry.package))) {
		/* a name too long to look up can never match; not an error */
		free(rs);
		free(vs);
		return ASEC_OK;
	}
	s->entry_count++;
	return ASEC_OK;
oom:
	free(rs);
	free(vs);
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int add_epss(struct vulndata_builder *b, const json_t *record)
{
	struct vulndata_source *s = b->src;
	const char *id = json_string_value(json_object_get(record, "id"));
	const char *date = json_string_value(json_object_get(record, "date"));
	struct epss_row *row;
	int rc;

	if (strlen(id) >= sizeof(row->cve))
		return ASEC_OK;
	if ((rc = grow((void **)&s->epss, &b->epss_cap, s->epss_count, sizeof(*s->epss))))
		return rc;
	row = &s->epss[s->epss_count++];
	memcpy(row->cve, id, strlen(id) + 1);
	row->epss = json_number_value(json_object_get(record, "epss"));
	row->percentile = json_number_value(json_object_get(record, "percentile"));
	if (date && !s->epss_date && !(s->epss_date = strdup(date)))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int vulndata_builder_add(struct vulndata_builder *b, json_t *record)
{
	int rc = feed_record_check(record);

	if (rc) {
		json_decref(record);
		return rc;
	}
	return vulndata_builder_add_checked(b, record);
}

int vulndata_builder_add_checked(struct vulndata_builder *b, json_t *record)
{
	struct vulndata_source *s = b->src;
	const char *kind, *id;
	const json_t *affected;
	size_t i;
	int rc = ASEC_OK;

	kind = json_string_value(json_object_get(record, "kind"));
	id = json_string_value(json_object_get(record, "id"));
	s->record_count++;
	if (strcmp(kind, "epss") == 0) {
		rc = add_epss(b, record);
		json_decref(record);
		return rc;
	}
	if (strcmp(kind, "nvd") == 0 || strcmp(kind, "kev") == 0) {
		/* a later record of the same CVE wins, as in the feeds themselves */
		if (json_object_set_new(strcmp(kind, "nvd") == 0 ? s->nvd : s->kev, id, record)) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		return ASEC_OK;
	}
	if (json_array_append_new(s->records, record)) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	json_array_foreach(json_object_get(record, "affected"), i, affected)
		if ((rc = add_entry(b, record, affected)))
			return rc;
	return ASEC_OK;
}

static int compare_entries(const void *a, const void *b)
{
	const struct keyed_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->entry.order > y->entry.order) - (x->entry.order < y->entry.order);
}

static int compare_epss(const void *a, const void *b)
{
	return strcmp(((const struct epss_row *)a)->cve, ((const struct epss_row *)b)->cve);
}

int vulndata_builder_finish(struct vulndata_source **out, struct vulndata_builder *b)
{
	struct vulndata_source *s = b->src;
	size_t i, groups = 0;
	uint64_t h;

	*out = NULL;
	if (s->entry_count)
		qsort(s->entries, s->entry_count, sizeof(*s->entries), compare_entries);
	if (s->epss_count) {
		size_t w = 0;
		qsort(s->epss, s->epss_count, sizeof(*s->epss), compare_epss);
		/* the last row of a CVE wins */
		for (i = 0; i < s->epss_count; i++) {
			if (w && strcmp(s->epss[w - 1].cve, s->epss[i].cve) == 0)
				s->epss[w - 1] = s->epss[i];
			else
				s->epss[w++] = s->epss[i];
		}
		s->epss_count = w;
	}
	for (i = 0; i < s->entry_count; i++)
		if (i == 0 || strcmp(s->entries[i].key, s->entries[i - 1].key) != 0)
			groups++;
	s->slot_count = 16;
	while (s->slot_count < groups * 2)
		s->slot_count *= 2;
	if (!(s->slots = calloc(s->slot_count, sizeof(*s->slots))) ||
	    !(s->hashes = calloc(s->slot_count, sizeof(*s->hashes)))) {
		vulndata_builder_free(b);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	for (i = 0; i < s->entry_count; i++) {
		size_t slot;
		if (i && strcmp(s->entries[i].key, s->entries[i - 1].key) == 0)
			continue;
		h = hash_key(s->entries[i].key);
		slot = (size_t)h & (s->slot_count - 1);
		while (s->slots[slot])
			slot = (slot + 1) & (s->slot_count - 1);
		s->slots[slot] = i + 1;
		s->hashes[slot] = h;
	}
	b->src = NULL;
	free(b);
	*out = s;
	return ASEC_OK;
}

void vulndata_builder_free(struct vulndata_builder *b)
{
	if (!b)
		return;
	vulndata_source_unref(b->src);
	free(b);
}

const char *vulndata_source_name(const struct vulndata_source *s)
{
	return s->name;
}

const char *vulndata_source_format(const struct vulndata_source *s)
{
	return s->format;
}

size_t vulndata_source_records(const struct vulndata_source *s)
{
	return s->record_count;
}

void vulndata_source_ref(struct vulndata_source *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void vulndata_source_unref(struct vulndata_source *s)
{
	size_t i;

	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (i = 0; i < s->entry_count; i++) {
		free(s->entries[i].key);
		free((void *)s->entries[i].entry.ranges);
		free((void *)s->entries[i].entry.versions);
	}
	free(s->entries);
	free(s->slots);
	free(s->hashes);
	free(s->epss);
	free(s->epss_date);
	json_decref(s->records);
	json_decref(s->nvd);
	json_decref(s->kev);
	free(s->name);
	free(s->format);
	free(s);
}

/* ---- snapshots ---- */

int vulndata_new(struct vulndata **out, const struct vulndata *old, struct vulndata_source *const *repl, size_t count)
{
	struct vulndata *d = calloc(1, sizeof(*d));
	size_t i, j, max = (old ? old->count : 0) + count;

	*out = NULL;
	if (!d || (max && !(d->sources = calloc(max, sizeof(*d->sources))))) {
		free(d);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	atomic_init(&d->refs, 1);
	for (i = 0; old && i < old->count; i++) {
		for (j = 0; j < count; j++)
			if (strcmp(repl[j]->name, old->sources[i]->name) == 0)
				break;
		if (j == count) {
			vulndata_source_ref(old->sources[i]);
			d->sources[d->count++] = old->sources[i];
		}
	}
	for (j = 0; j < count; j++) {
		vulndata_source_ref(repl[j]);
		d->sources[d->count++] = repl[j];
	}
	*out = d;
	return ASEC_OK;
}

void vulndata_ref(struct vulndata *d)
{
	atomic_fetch_add(&d->refs, 1);
}

void vulndata_unref(struct vulndata *d)
{
	size_t i;

	if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	for (i = 0; i < d->count; i++)
		vulndata_source_unref(d->sources[i]);
	free(d->sources);
	free(d);
}

size_t vulndata_source_count(const struct vulndata *d)
{
	return d->count;
}

const struct vulndata_source *vulndata_source_at(const struct vulndata *d, size_t i)
{
	return i < d->count ? d->sources[i] : NULL;
}

int vulndata_lookup(const struct vulndata *d, const char *ecosystem, const char *distribution, const char *package,
		    int (*fn)(void *ctx, const struct vulndata_source *src, const struct vulndata_entry *e), void *ctx)
{
	char key[3 * NAME_MAX_BYTES];
	uint64_t h;
	size_t i, k;
	int rc = ASEC_OK;

	/* on the stack: a report looks up one or two keys per package */
	if (!fill_key(key, sizeof(key), ecosystem, distribution ? distribution : "", package))
		return ASEC_OK;
	h = hash_key(key);
	for (i = 0; i < d->count && !rc; i++) {
		const struct vulndata_source *s = d->sources[i];
		size_t slot;
		if (!s->entry_count)
			continue;
		for (slot = (size_t)h & (s->slot_count - 1); s->slots[slot]; slot = (slot + 1) & (s->slot_count - 1)) {
			size_t first = s->slots[slot] - 1;
			if (s->hashes[slot] != h || strcmp(s->entries[first].key, key) != 0)
				continue;
			for (k = first; k < s->entry_count && !rc && strcmp(s->entries[k].key, key) == 0; k++)
				rc = fn(ctx, s, &s->entries[k].entry);
			break;
		}
	}
	return rc;
}

static const json_t *enrichment(const struct vulndata *d, const char *cve, int kev)
{
	const json_t *found = NULL, *v;
	size_t i;

	/* a later source in the snapshot (imported later) wins */
	for (i = 0; i < d->count; i++)
		if ((v = json_object_get(kev ? d->sources[i]->kev : d->sources[i]->nvd, cve)))
			found = v;
	return found;
}

const json_t *vulndata_nvd(const struct vulndata *d, const char *cve)
{
	return enrichment(d, cve, 0);
}

const json_t *vulndata_kev(const struct vulndata *d, const char *cve)
{
	return enrichment(d, cve, 1);
}

int vulndata_epss(const struct vulndata *d, const char *cve, double *epss, double *percentile, const char **date)
{
	struct epss_row probe;
	size_t i;
	int found = 0;

	if (strlen(cve) >= sizeof(probe.cve))
		return 0;
	memcpy(probe.cve, cve, strlen(cve) + 1);
	for (i = 0; i < d->count; i++) {
		const struct vulndata_source *s = d->sources[i];
		const struct epss_row *row;
		if (!s->epss_count)
			continue;
		row = bsearch(&probe, s->epss, s->epss_count, sizeof(*s->epss), compare_epss);
		if (row) {
			*epss = row->epss;
			*percentile = row->percentile;
			*date = s->epss_date;
			found = 1;
		}
	}
	return found;
}

/* ---- the holder ---- */

int vulndata_holder_new(struct vulndata_holder **out)
{
	struct vulndata_holder *h = calloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	if (!h) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((rc = vulndata_new(&h->current, NULL, NULL, 0))) {
		free(h);
		return rc;
	}
	pthread_mutex_init(&h->lock, NULL);
	*out = h;
	return ASEC_OK;
}

void vulndata_holder_free(struct vulndata_holder *h)
{
	if (!h)
		return;
	vulndata_unref(h->current);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

struct vulndata *vulndata_holder_get(struct vulndata_holder *h)
{
	struct vulndata *d;

	pthread_mutex_lock(&h->lock);
	d = h->current;
	vulndata_ref(d);
	pthread_mutex_unlock(&h->lock);
	return d;
}

void vulndata_holder_set(struct vulndata_holder *h, struct vulndata *d)
{
	struct vulndata *old;

	vulndata_ref(d);
	pthread_mutex_lock(&h->lock);
	old = h->current;
	h->current = d;
	pthread_mutex_unlock(&h->lock);
	vulndata_unref(old);
}
