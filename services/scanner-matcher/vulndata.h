/*
 * vulndata.h - the read-optimised, in-memory form of the vulnerability data.
 *
 * Matching asks one question per package: which records name this package
 * in this distribution release (or language ecosystem)? The data is built
 * for that question: each source becomes an immutable partition holding a
 * hash table from (ecosystem, distribution, normalised package name) to the
 * affected entries that name it, with their ranges already pulled out of the
 * JSON, and a table from CVE id to its enrichment (NVD, KEV, EPSS).
 *
 * A snapshot is the set of partitions that serve reads. Snapshots and
 * partitions are immutable and reference-counted: an import builds the new
 * partitions beside the old ones and swaps in a new snapshot that shares
 * the untouched partitions, so a reader holds one snapshot for its whole
 * report and sees either the old data or the new, never a mix.
 */
#ifndef ASEC_VULNDATA_H
#define ASEC_VULNDATA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct vulndata_source;  /* one source's partition (immutable once built) */
struct vulndata;         /* a snapshot: the partitions that serve reads */
struct vulndata_builder; /* makes a partition from records */
struct vulndata_holder;  /* the current snapshot, swapped atomically */

/* One interval of affected versions, as feed.h describes it. NULL bounds
 * are open; "introduced 0" is stored as no lower bound. */
struct vulndata_range {
	const char *lower, *upper;
	unsigned char lower_inclusive, upper_inclusive;
	const char *events;
	const char *fix; /* the version that fixes it (a range's "fixedBy", else an exclusive upper bound), NULL for none */
};

/* One affected entry of one record, ready to match. Strings point into the
 * record, which the partition keeps alive. */
struct vulndata_entry {
	const json_t *record;   /* the canonical advisory record */
	const json_t *affected; /* its affected[] element */
	const char *ecosystem, *distribution, *package, *status;
	const char *module;     /* rpm module stream ("nodejs:18"), NULL when none */
	int kind;               /* VULNDATA_KIND_* */
	size_t range_count;
	const struct vulndata_range *ranges;
	size_t version_count;
	const char *const *versions;
	uint32_t order;         /* position in its source, for stable output */
};

enum { VULNDATA_KIND_ANY = 0, VULNDATA_KIND_SOURCE = 1, VULNDATA_KIND_BINARY = 2 };

/* ---- building a partition ---- */

int vulndata_builder_new(struct vulndata_builder **out, const char *source_name, const char *format);
/* Adds one canonical record (ownership taken). Records that fail
 * feed_record_check() are refused with ASEC_EINVALID and not added. */
int vulndata_builder_add(struct vulndata_builder *b, json_t *record);
/* The same for a record the caller has just checked (the importer checks
 * every record once, before it is stored). */
int vulndata_builder_add_checked(struct vulndata_builder *b, json_t *record);
/* Finishes the partition; the builder is freed whatever happens. */
int vulndata_builder_finish(struct vulndata_source **out, struct vulndata_builder *b);
void vulndata_builder_free(struct vulndata_builder *b);

const char *vulndata_source_name(const struct vulndata_source *s);
const char *vulndata_source_format(const struct vulndata_source *s);
size_t vulndata_source_records(const struct vulndata_source *s);
void vulndata_source_ref(struct vulndata_source *s);
void vulndata_source_unref(struct vulndata_source *s);

/* ---- snapshots ---- */

/* A snapshot with old's partitions (old may be NULL), where each of the
 * count replacements takes the place of old's partition of the same name
 * or is added. References to the replacements are taken, not stolen. */
int vulndata_new(struct vulndata **out, const struct vulndata *old, struct vulndata_source *const *replacements,
		 size_t count);
void vulndata_ref(struct vulndata *d);
void vulndata_unref(struct vulndata *d);
size_t vulndata_source_count(const struct vulndata *d);
const struct vulndata_source *vulndata_source_at(const struct vulndata *d, size_t i);

/* Calls fn for every entry naming (ecosystem, distribution, package) in any
 * partition; distribution is "" for language ecosystems. The package name is
 * normalised as its ecosystem requires (PEP 503 for PyPI, lower case for
 * NuGet and Composer) before lookup. Stops at fn's first nonzero return. */
int vulndata_lookup(const struct vulndata *d, const char *ecosystem, const char *distribution, const char *package,
		    int (*fn)(void *ctx, const struct vulndata_source *src, const struct vulndata_entry *e), void *ctx);

/* Enrichment of a CVE, NULL when no source has any. */
const json_t *vulndata_nvd(const struct vulndata *d, const char *cve);
const json_t *vulndata_kev(const struct vulndata *d, const char *cve);
int vulndata_epss(const struct vulndata *d, const char *cve, double *epss, double *percentile, const char **date);

/* Writes the lookup form of a package name into out ("" when it does not fit). */
void vulndata_normalize_name(char *out, size_t size, const char *ecosystem, const char *name);

/* ---- the current snapshot ---- */

int vulndata_holder_new(struct vulndata_holder **out);
void vulndata_holder_free(struct vulndata_holder *h);
/* A reference to the current snapshot (never NULL: an empty one at first);
 * the caller unrefs it when done. */
struct vulndata *vulndata_holder_get(struct vulndata_holder *h);
/* Makes d current (a reference is taken). */
void vulndata_holder_set(struct vulndata_holder *h, struct vulndata *d);

#endif
