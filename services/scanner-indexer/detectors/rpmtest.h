/*
 * rpmtest.h - helpers shared by the rpm*_test.c files (header only, tests
 * only; never part of the detector library).
 *
 *   - locating fixtures (../shared/fixtures/os-pkgdb/rpm) and the generated
 *     BerkeleyDB files in testdata/rpm (gzip'd: pages are mostly zeros);
 *   - comparing a scan's packages with an expected.json, as a multiset of
 *     "name|[epoch:]version-release|arch|sourcerpm|module" keys, so that the
 *     storage order of a database does not matter but every field does;
 *   - building header blobs by hand for hostile cases.
 */
#ifndef ASEC_INDEXER_RPMTEST_H
#define ASEC_INDEXER_RPMTEST_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detectors/rpm.h"
#include "error/error.h"
#include "testing/testing.h"

static inline const char *rpmtest_fixture(char *buf, size_t size, const char *relative)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "fixtures/os-pkgdb/rpm/%s", relative);
	return testing_shared_path(buf, size, rel);
}

static inline const char *rpmtest_testdata(char *buf, size_t size, const char *name)
{
	const char *src = getenv("ASEC_SOURCE_DIR");

	snprintf(buf, size, "%s/services/scanner-indexer/detectors/testdata/rpm/%s", src && src[0] ? src : ".",
		 name);
	return buf;
}

/* Reads a gzip'd file whole (tests only). */
static inline unsigned char *rpmtest_read_gz(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	unsigned char *data = NULL, *grown;
	size_t cap = 0;
	int n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			grown = realloc(data, cap);
			if (!grown) {
				free(data);
				data = NULL;
				break;
			}
			data = grown;
		}
		n = gzread(f, data + *len, 65536);
		if (n <= 0) {
			if (n < 0) {
				free(data);
				data = NULL;
			}
			break;
		}
		*len += (size_t)n;
	}
	gzclose(f);
	return data;
}

static inline int rpmtest_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char *rpmtest_key(const char *name, const char *evr, const char *arch, const char *srpm,
				const char *module)
{
	size_t n = strlen(name) + strlen(evr) + strlen(arch) + strlen(srpm) + strlen(module) + 8;
	char *k = malloc(n);

	if (k)
		snprintf(k, n, "%s|%s|%s|%s|%s", name, evr, arch, srpm, module);
	return k;
}

/* The key an expected.json entry describes. */
static inline char *rpmtest_key_expected(json_t *e)
{
	json_t *epoch = json_object_get(e, "epoch");
	const char *label = json_string_value(json_object_get(e, "modularitylabel"));
	char evr[512], module[256] = "";
	const char *first, *second;

	if (json_is_integer(epoch) && json_integer_value(epoch) != 0)
		snprintf(evr, sizeof(evr), "%lld:%s-%s", (long long)json_integer_value(epoch),
			 json_string_value(json_object_get(e, "version")),
			 json_string_value(json_object_get(e, "release")));
	else
		snprintf(evr, sizeof(evr), "%s-%s", json_string_value(json_object_get(e, "version")),
			 json_string_value(json_object_get(e, "release")));
	if (label && (first = strchr(label, ':')) && (second = strchr(first + 1, ':')))
		snprintf(module, sizeof(module), "%.*s", (int)(second - label), label);
	return rpmtest_key(json_string_value(json_object_get(e, "name")), evr,
			   json_string_value(json_object_get(e, "arch")),
			   json_string_value(json_object_get(e, "sourceRpm")), module);
}

/* The key a detected package has; the source rpm is rebuilt from the split
 * fields, so a wrong split shows up as a mismatch. */
static inline char *rpmtest_key_pkg(const struct pkg *p)
{
	char srpm[512] = "";

	if (p->source_name && p->source_version)
		snprintf(srpm, sizeof(srpm), "%s-%s.src.rpm", p->source_name, p->source_version);
	return rpmtest_key(p->name ? p->name : "", p->version ? p->version : "", p->arch ? p->arch : "", srpm,
			   p->module ? p->module : "");
}

/* Compares two key lists as multisets; prints every difference. Takes
 * ownership of both arrays. Returns the number of differences. */
static inline size_t rpmtest_diff_keys(char **want, size_t nwant, char **got, size_t ngot)
{
	size_t i = 0, j = 0, diffs = 0;

	qsort(want, nwant, sizeof(*want), rpmtest_cmp_str);
	qsort(got, ngot, sizeof(*got), rpmtest_cmp_str);
	while (i < nwant || j < ngot) {
		int c = i == nwant ? 1 : j == ngot ? -1 : strcmp(want[i], got[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		diffs++;
		if (c < 0)
			fprintf(stderr, "missing:    %s\n", want[i++]);
		else
			fprintf(stderr, "unexpected: %s\n", got[j++]);
	}
	for (i = 0; i < nwant; i++)
		free(want[i]);
	for (j = 0; j < ngot; j++)
		free(got[j]);
	free(want);
	free(got);
	return diffs;
}

/* Loads the "packages" array of an expected.json; NULL on failure. */
static inline json_t *rpmtest_load_expected(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err), *pkgs;

	if (!root) {
		fprintf(stderr, "%s: %s\n", path, err.text);
		return NULL;
	}
	pkgs = json_incref(json_object_get(root, "packages"));
	json_decref(root);
	return pkgs;
}

/* Compares got with the expected packages, keeping only those whose name is
 * in names (NULL-terminated; NULL names keeps all). */
static inline size_t rpmtest_compare(const struct pkg_list *got, json_t *expected, const char *const *names)
{
	size_t n = json_array_size(expected), nwant = 0, i, k;
	char **want = calloc(n + 1, sizeof(*want)), **have = calloc(got->count + 1, sizeof(*have));

	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(expected, i);
		const char *name = json_string_value(json_object_get(e, "name"));
		int keep = names == NULL;

		for (k = 0; names && names[k]; k++)
			if (strcmp(names[k], name) == 0)
				keep = 1;
		if (keep)
			want[nwant++] = rpmtest_key_expected(e);
	}
	for (i = 0; i < got->count; i++)
		have[i] = rpmtest_key_pkg(&got->items[i]);
	return rpmtest_diff_keys(want, nwant, have, got->count);
}

static inline const struct pkg *rpmtest_find(const struct pkg_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return &list->items[i];
	return NULL;
}

/* --- a hand-made header: entries and data appended in order --- */

#define RPMTEST_MAX_ENTRIES 64
#define RPMTEST_MAX_DATA 65536

struct rpmtest_hdr {
	uint32_t n;
	unsigned char index[RPMTEST_MAX_ENTRIES * 16];
	uint32_t dl;
	unsigned char data[RPMTEST_MAX_DATA];
};

static inline void rpmtest_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline void rpmtest_hdr_entry(struct rpmtest_hdr *h, int32_t tag, uint32_t type, int32_t offset,
				     uint32_t count)
{
	unsigned char *e = h->index + 16 * h->n++;

	rpmtest_put32(e, (uint32_t)tag);
	rpmtest_put32(e + 4, type);
	rpmtest_put32(e + 8, (uint32_t)offset);
	rpmtest_put32(e + 12, count);
}

static inline void rpmtest_hdr_string(struct rpmtest_hdr *h, int32_t tag, const char *s)
{
	size_t n = strlen(s) + 1;

	rpmtest_hdr_entry(h, tag, 6, (int32_t)h->dl, 1);
	memcpy(h->data + h->dl, s, n);
	h->dl += (uint32_t)n;
}

static inline void rpmtest_hdr_int32(struct rpmtest_hdr *h, int32_t tag, uint32_t v)
{
	h->dl = (h->dl + 3) & ~3u;
	rpmtest_hdr_entry(h, tag, 4, (int32_t)h->dl, 1);
	rpmtest_put32(h->data + h->dl, v);
	h->dl += 4;
}

static inline void rpmtest_hdr_bin(struct rpmtest_hdr *h, int32_t tag, const void *b, uint32_t n)
{
	rpmtest_hdr_entry(h, tag, 7, (int32_t)h->dl, n);
	memcpy(h->data + h->dl, b, n);
	h->dl += n;
}

/* The blob, with a HEADERIMMUTABLE region around every entry when region is
 * set (its trailer goes at the end of the data, as rpm writes it). */
static inline unsigned char *rpmtest_hdr_blob(const struct rpmtest_hdr *h, int region, size_t *len)
{
	uint32_t il = h->n + (region ? 1 : 0), dl = h->dl + (region ? 16 : 0);
	unsigned char *b;

	*len = 8 + 16 * (size_t)il + dl;
	b = calloc(1, *len);
	if (!b)
		return NULL;
	rpmtest_put32(b, il);
	rpmtest_put32(b + 4, dl);
	if (region) {
		unsigned char *t = b + 8 + 16 * (size_t)il + h->dl;

		rpmtest_put32(b + 8, 63);
		rpmtest_put32(b + 12, 7);
		rpmtest_put32(b + 16, h->dl);
		rpmtest_put32(b + 20, 16);
		rpmtest_put32(t, 63);
		rpmtest_put32(t + 4, 7);
		rpmtest_put32(t + 8, (uint32_t)(-(int32_t)(16 * il)));
		rpmtest_put32(t + 12, 16);
	}
	memcpy(b + 8 + (region ? 16 : 0), h->index, 16 * (size_t)h->n);
	memcpy(b + 8 + 16 * (size_t)il, h->data, h->dl);
	return b;
}

/* A plausible package header: name, version, release, arch, source rpm,
 * vendor, in a region. */
static inline void rpmtest_hdr_basic(struct rpmtest_hdr *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, name);
	rpmtest_hdr_string(h, 1001, "1.0");
	rpmtest_hdr_string(h, 1002, "1.el9");
	rpmtest_hdr_string(h, 1022, "x86_64");
	rpmtest_hdr_string(h, 1044, "src-1.0-1.el9.src.rpm");
	rpmtest_hdr_string(h, 1011, "Red Hat, Inc.");
}

#endif
