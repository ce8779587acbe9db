/*
 * rootfs_e2e_test.c - the indexer over a real Debian root file system,
 * checked against dpkg itself.
 *
 * scripts/lib/rootfs.sh makes (once per machine, then from a cache) a
 * `debootstrap --variant=minbase bookworm` tree as rootfs.tar and, beside it,
 * expected.tsv: dpkg-query's own list of that tree's packages (name, version,
 * architecture, source name, source version). ASEC_TEST_ROOTFS_DIR names the
 * folder holding both. Three images made from that tar are pushed to a real
 * docker-registry (ASEC_TEST_REGISTRY) and indexed through indexer_index()
 * with PostgreSQL (ASEC_TEST_DATABASE_URL), the path the HTTP handler takes:
 *
 *   - the tree as one gzip layer;
 *   - the same tree as one zstd layer (OCI tar+zstd), which the layer cache
 *     cannot answer since its digest differs;
 *   - the gzip layer plus an upper layer that deletes usr/share/doc through a
 *     whiteout and rewrites var/lib/dpkg/status without one package.
 *
 * The report's Debian packages must equal dpkg-query's list exactly - no
 * package missing, none extra, every field the same - which is the one
 * comparison that says the dpkg detector, the layer walker and the stacking
 * agree with dpkg on a real system rather than on a hand-made fixture. A
 * mismatch is printed as a diff before the test fails. The time each index
 * took is printed, so a slowdown shows in the log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zstd.h>

#include "db/db.h"
#include "error/error.h"
#include "indexer.h"
#include "log/log.h"
#include "registry/testpush.h"
#include "store_index.h"
#include "testing/testing.h"

#include "e2e_support.h"

#define STATUS_PATH "var/lib/dpkg/status"
#define DOC_DIR "usr/share/doc"
#define ZSTD_MEDIA_TYPE "application/vnd.oci.image.layer.v1.tar+zstd"
/* A minbase tree is about 250 MB; zlib's one-shot counters are 32-bit. */
#define ROOTFS_MAX_BYTES (2u * 1024 * 1024 * 1024)
/* Mismatches printed before failing: enough to see the pattern. */
#define MAX_DIFF_LINES 40

/* The columns of expected.tsv, in its order. */
enum { F_NAME, F_VERSION, F_ARCH, F_SRC_NAME, F_SRC_VERSION, F_COUNT };

struct row {
	char *f[F_COUNT];
};

struct rows {
	struct row *items;
	size_t count;
};

static struct db_pool *pool;
static struct indexer *ix;
static struct testpush *pusher;
static const char *registry;
static char run_id[32];

/* Shared by the three tests: made once in setup. */
static unsigned char *rootfs_tar;
static size_t rootfs_len;
static char rootfs_diff_id[REGISTRY_DIGEST_BUF];
static struct rows expected;
static char *status_text;
static size_t status_len;
static int has_doc_dir;
static struct e2e_buf gz_layer;
static char gz_digest[REGISTRY_DIGEST_BUF];
static char platform[64], oci_arch[32];

/* ---- small helpers ------------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * The layers carry this run's id - a gzip header comment, a zstd skippable
 * frame - so that their digests are new in every run while the tar inside
 * stays the same: a database kept from an earlier run (the rootfs cache makes
 * the tar identical) must not answer them from its layer cache, or nothing
 * would be indexed. Both are valid parts of their formats that a decoder has
 * to pass over.
 */
static void gzip_of(struct e2e_buf *out, const unsigned char *data, size_t len)
{
	char comment[64];

	snprintf(comment, sizeof(comment), "rootfs_e2e_test %s", run_id);
	e2e_gzip(out, data, len, comment);
}

/* ---- expected.tsv ------------------------------------------------------------------------- */

static int row_compare(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int i, c;

	for (i = 0; i < F_COUNT; i++)
		if ((c = strcmp(x->f[i], y->f[i])) != 0)
			return c;
	return 0;
}

static void rows_free(struct rows *r)
{
	size_t i;
	int f;

	for (i = 0; i < r->count; i++)
		for (f = 0; f < F_COUNT; f++)
			free(r->items[i].f[f]);
	free(r->items);
	r->items = NULL;
	r->count = 0;
}

/* Five tab-separated fields a line, as rootfs.sh's dpkg-query writes them. */
static int load_expected(struct rows *out, const char *path)
{
	size_t len, lines = 0, i;
	char *text = (char *)testing_read_file(path, &len), *line, *save = NULL;

	if (!text) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	out->items = calloc(lines + 1, sizeof(*out->items));
	out->count = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct row *r = &out->items[out->count];
		char *p = line, *tab;
		int f;

		for (f = 0; f < F_COUNT; f++) {
			tab = strchr(p, '\t');
			if ((f < F_COUNT - 1) != (tab != NULL) || (tab ? tab == p : !*p)) {
				fprintf(stderr, "%s: line %zu is not five non-empty tab-separated fields: %s\n", path,
					out->count + 1, line);
				free(text);
				return -1;
			}
			r->f[f] = tab ? strndup(p, (size_t)(tab - p)) : strdup(p);
			p = tab ? tab + 1 : p;
		}
		out->count++;
	}
	free(text);
	qsort(out->items, out->count, sizeof(*out->items), row_compare);
	return out->count ? 0 : -1;
}

/* ---- the tar ------------------------------------------------------------------------------ */

/* Finds the dpkg status file and whether usr/share/doc exists; GNU tar wrote
 * the entries as "./path", which the layer walker normalises the same way. */
static int read_rootfs_tar(void)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc = -1, r;

	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, rootfs_tar, rootfs_len) != ARCHIVE_OK)
		goto out;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		size_t n;

		if (strncmp(name, "./", 2) == 0)
			name += 2;
		n = strlen(name);
		if (n && name[n - 1] == '/')
			n--;
		if (n == strlen(DOC_DIR) && strncmp(name, DOC_DIR, n) == 0 && archive_entry_filetype(e) == AE_IFDIR)
			has_doc_dir = 1;
		if (strcmp(name, STATUS_PATH) == 0 && archive_entry_filetype(e) == AE_IFREG) {
			la_int64_t size = archive_entry_size(e);
			if (size <= 0 || size > 256 * 1024 * 1024)
				goto out;
			free(status_text);
			status_text = malloc((size_t)size + 1);
			if (!status_text || archive_read_data(a, status_text, (size_t)size) != (la_ssize_t)size)
				goto out;
			status_text[size] = '\0';
			status_len = (size_t)size;
		}
	}
	rc = r == ARCHIVE_EOF && status_text ? 0 : -1;
out:
	if (rc)
		fprintf(stderr, "rootfs.tar: %s\n", archive_error_string(a) ? archive_error_string(a)
									 : "no " STATUS_PATH " in it");
	archive_read_free(a);
	return rc;
}

/* The status file without the stanza of one package. dpkg writes Package as
 * the first field of each stanza and a blank line between stanzas. */
static char *status_without(size_t *out_len, const char *package)
{
	char *out = malloc(status_len + 1), prefix[256];
	const char *p = status_text, *end = status_text + status_len;
	size_t n = 0, removed = 0, plen;

	assert_non_null(out);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "Package: %s\n", package);
	while (p < end) {
		const char *stop = strstr(p, "\n\n");
		size_t len = stop ? (size_t)(stop - p) + 2 : (size_t)(end - p);

		if (len >= plen && strncmp(p, prefix, plen) == 0)
			removed++;
		else {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	assert_int_equal(removed, 1);
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* ---- the report --------------------------------------------------------------------------- */

static void print_row(const char *sign, const struct row *r)
{
	printf("  %s %s\t%s\t%s\t%s\t%s\n", sign, r->f[0], r->f[1], r->f[2], r->f[3], r->f[4]);
}

/*
 * The report's packages against expected.tsv (less the package `removed`,
 * when not NULL). A missing source object means the package is its own
 * source, which is what dpkg-query prints then. Every package must come from
 * the dpkg database - a minbase tree holds nothing any other detector should
 * find - and must have been introduced in `layer`.
 */
static void check_packages(const json_t *report, const char *layer, const char *removed, const char *what)
{
	const json_t *packages = json_object_get(json_object_get(report, "contents"), "packages");
	struct rows got = {0};
	size_t i = 0, j = 0, diffs = 0, other = 0, wrong_layer = 0;
	const char *id;
	json_t *p;

	got.items = calloc(json_object_size(packages) + 1, sizeof(*got.items));
	assert_non_null(got.items);
	json_object_foreach((json_t *)packages, id, p) {
		const json_t *src = json_object_get(p, "source");
		struct row *r = &got.items[got.count++];

		r->f[F_NAME] = strdup(e2e_text(p, "name"));
		r->f[F_VERSION] = strdup(e2e_text(p, "version"));
		r->f[F_ARCH] = strdup(e2e_text(p, "arch"));
		r->f[F_SRC_NAME] = strdup(src ? e2e_text(src, "name") : r->f[F_NAME]);
		r->f[F_SRC_VERSION] = strdup(src ? e2e_text(src, "version") : r->f[F_VERSION]);
		if (strcmp(e2e_text(p, "packageDb"), STATUS_PATH) != 0) {
			if (other++ < MAX_DIFF_LINES)
				printf("%s: a package not from %s: %s %s in %s\n", what, STATUS_PATH, r->f[F_NAME],
				       r->f[F_VERSION], e2e_text(p, "packageDb"));
		}
		if (strcmp(e2e_introduced_in(report, id), layer) != 0) {
			if (wrong_layer++ < MAX_DIFF_LINES)
				printf("%s: %s introduced in %s, not %s\n", what, r->f[F_NAME], e2e_introduced_in(report, id),
				       layer);
		}
	}
	qsort(got.items, got.count, sizeof(*got.items), row_compare);

	/* A merge of the two sorted lists prints what differs, like diff. */
	while (i < expected.count || j < got.count) {
		const struct row *w = i < expected.count ? &expected.items[i] : NULL;
		const struct row *g = j < got.count ? &got.items[j] : NULL;
		int c;

		if (w && removed && strcmp(w->f[F_NAME], removed) == 0) {
			i++;
			continue;
		}
		c = !w ? 1 : !g ? -1 : row_compare(w, g);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		if (diffs++ == 0)
			printf("%s: the report differs from dpkg-query (- dpkg-query only, + report only; %s):\n", what,
			       "name version arch source-name source-version");
		if (diffs <= MAX_DIFF_LINES)
			print_row(c < 0 ? "-" : "+", c < 0 ? w : g);
		if (c < 0)
			i++;
		else
			j++;
	}
	if (diffs || other || wrong_layer)
		fail_msg("%s: %zu package lines differ from dpkg-query, %zu packages not from dpkg, %zu in the wrong "
			 "layer (%zu expected%s, %zu reported)",
			 what, diffs, other, wrong_layer, expected.count, removed ? " less one" : "", got.count);
	rows_free(&got);
}

static void check_distribution(const json_t *report)
{
	const json_t *dists = json_object_get(json_object_get(report, "contents"), "distributions");
	const json_t *d = json_object_get(dists, "1");

	assert_int_equal(json_object_size(dists), 1);
	assert_string_equal(e2e_text(d, "did"), "debian");
	assert_string_equal(e2e_text(d, "versionId"), "12");
	assert_string_equal(e2e_text(d, "versionCodeName"), "bookworm");
}

static const char *layer_digest(const json_t *report, size_t i)
{
	return e2e_text(json_array_get(json_object_get(json_object_get(report, "image"), "layers"), i), "digest");
}

/* Pushes an image of the given layers and indexes it, timing the index. */
static json_t *push_and_index(const char *tag, const struct testpush_layer *layers, const char *const *diff_ids,
			      size_t n, const char *what)
{
	char config[1024], repo[96], *image, digest[REGISTRY_DIGEST_BUF], ids[600] = "";
	struct index_request req = {.platform = platform};
	json_t *report = NULL;
	size_t size = 0, i, compressed = 0;
	int created = -1, rc;
	double t0;

	for (i = 0; i < n; i++) {
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s\"%s\"", i ? "," : "", diff_ids[i]);
		compressed += layers[i].len;
	}
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Labels\":{\"run\":\"%s\"}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]},\"created\":\"2026-11-01T00:00:00Z\"}",
		 oci_arch, run_id, ids);
	snprintf(repo, sizeof(repo), "e2e/rootfs-%s", run_id);
	image = e2e_push_image(pusher, registry, repo, tag, config, layers, n, digest, &size);
	req.image = image;

	t0 = now_s();
	rc = indexer_index(&report, &created, ix, &req);
	if (rc)
		fail_msg("indexing %s: %s (%d)", image, error_last(), rc);
	printf("rootfs_e2e: %s: indexed in %.2f s (%zu layer%s, %.1f MB compressed, %zu packages)\n", what,
	       now_s() - t0, n, n == 1 ? "" : "s", (double)compressed / 1e6,
	       json_object_size(json_object_get(json_object_get(report, "contents"), "packages")));
	assert_int_equal(created, 1);
	assert_string_equal(e2e_text(report, "state"), "IndexFinished");
	assert_string_equal(e2e_text(json_object_get(report, "image"), "manifestDigest"), digest);
	assert_int_equal(json_array_size(json_object_get(json_object_get(report, "image"), "layers")), n);
	free(image);
	return report;
}

/* ---- setup -------------------------------------------------------------------------------- */

/* OCI names the architectures Go's way; dpkg's amd64 and arm64 agree. */
static void set_platform(void)
{
	static const char *const map[][2] = {
		{ "i386", "386" }, { "armhf", "arm" }, { "armel", "arm" }, { "ppc64el", "ppc64le" },
		{ "mips64el", "mips64le" },
	};
	const char *arch = NULL;
	size_t i;

	for (i = 0; i < expected.count && !arch; i++)
		if (strcmp(expected.items[i].f[F_NAME], "base-files") == 0)
			arch = expected.items[i].f[F_ARCH];
	assert_non_null(arch);
	snprintf(oci_arch, sizeof(oci_arch), "%s", arch);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(arch, map[i][0]) == 0)
			snprintf(oci_arch, sizeof(oci_arch), "%s", map[i][1]);
	snprintf(platform, sizeof(platform), "linux/%s", oci_arch);
}

static int setup(void **state)
{
	const char *url, *dir;
	char path[1024];
	double t0;

	(void)state;
	e2e_run_id(run_id, sizeof(run_id));
	e2e_require_env(&url, &registry, "ASEC_TEST_ROOTFS_DIR", "scripts/lib/rootfs.sh");
	dir = getenv("ASEC_TEST_ROOTFS_DIR");
	snprintf(path, sizeof(path), "%s/expected.tsv", dir);
	if (load_expected(&expected, path))
		return -1;
	snprintf(path, sizeof(path), "%s/rootfs.tar", dir);
	rootfs_tar = testing_read_file(path, &rootfs_len);
	if (!rootfs_tar || rootfs_len > ROOTFS_MAX_BYTES) {
		fprintf(stderr, "%s: missing, unreadable or over %u bytes\n", path, ROOTFS_MAX_BYTES);
		return -1;
	}
	if (read_rootfs_tar())
		return -1;
	if (registry_digest_compute(rootfs_diff_id, "sha256", rootfs_tar, rootfs_len) != ASEC_OK)
		return -1;
	set_platform();
	t0 = now_s();
	gzip_of(&gz_layer, rootfs_tar, rootfs_len);
	printf("rootfs_e2e: %zu packages, tar %.1f MB, gzip %.1f MB (%.1f s to compress)\n", expected.count,
	       (double)rootfs_len / 1e6, (double)gz_layer.len / 1e6, now_s() - t0);
	if (registry_digest_compute(gz_digest, "sha256", gz_layer.data, gz_layer.len) != ASEC_OK)
		return -1;

	return e2e_open(&pool, &ix, &pusher, url, registry, "rootfs_e2e_test");
}

static int teardown(void **state)
{
	(void)state;
	e2e_close(pool, ix, pusher);
	free(rootfs_tar);
	free(status_text);
	free(gz_layer.data);
	rows_free(&expected);
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_gzip_layer_matches_dpkg_query(void **state)
{
	struct testpush_layer layer = {.data = gz_layer.data, .len = gz_layer.len, .media_type = NULL};
	const char *diff_ids[] = { rootfs_diff_id };
	json_t *report;

	(void)state;
	report = push_and_index("gzip", &layer, diff_ids, 1, "one gzip layer");
	assert_string_equal(layer_digest(report, 0), gz_digest);
	check_distribution(report);
	check_packages(report, gz_digest, NULL, "gzip");
	json_decref(report);
}

static void test_zstd_layer_matches_dpkg_query(void **state)
{
	struct e2e_buf zs = {0};
	struct testpush_layer layer;
	const char *diff_ids[] = { rootfs_diff_id };
	char digest[REGISTRY_DIGEST_BUF];
	json_t *report;
	double t0 = now_s();

	(void)state;
	e2e_zstd(&zs, rootfs_tar, rootfs_len, run_id);
	printf("rootfs_e2e: zstd %.1f MB (%.1f s to compress)\n", (double)zs.len / 1e6, now_s() - t0);
	assert_int_equal(registry_digest_compute(digest, "sha256", zs.data, zs.len), ASEC_OK);
	layer = (struct testpush_layer){.data = zs.data, .len = zs.len, .media_type = ZSTD_MEDIA_TYPE};
	report = push_and_index("zstd", &layer, diff_ids, 1, "one zstd layer");
	assert_string_equal(layer_digest(report, 0), digest);
	check_distribution(report);
	check_packages(report, digest, NULL, "zstd");
	json_decref(report);
	free(zs.data);
}

/* The package the upper layer removes: tzdata when the tree has it (a leaf
 * nothing in minbase depends on), else the last one in the list. */
static const char *package_to_remove(void)
{
	size_t i;

	for (i = 0; i < expected.count; i++)
		if (strcmp(expected.items[i].f[F_NAME], "tzdata") == 0)
			return "tzdata";
	return expected.items[expected.count - 1].f[F_NAME];
}

static void test_upper_layer_whiteout_and_removed_package(void **state)
{
	struct e2e_buf upper = {0}, upper_gz = {0};
	struct testpush_layer layers[2];
	char upper_diff_id[REGISTRY_DIGEST_BUF], upper_digest[REGISTRY_DIGEST_BUF];
	const char *diff_ids[2] = { rootfs_diff_id, upper_diff_id };
	const char *removed = package_to_remove();
	const char *id;
	json_t *report, *packages, *p;
	size_t len;
	char *status, *scanned_before, *scanned_after;

	(void)state;
	/* The whiteout only means something if the lower layer has the folder. */
	assert_true(has_doc_dir);
	status = status_without(&len, removed);
	e2e_tar_add(&upper, "usr/share/.wh.doc", NULL, 0);
	e2e_tar_add(&upper, STATUS_PATH, status, len);
	e2e_tar_end(&upper);
	gzip_of(&upper_gz, upper.data, upper.len);
	assert_int_equal(registry_digest_compute(upper_diff_id, "sha256", upper.data, upper.len), ASEC_OK);
	assert_int_equal(registry_digest_compute(upper_digest, "sha256", upper_gz.data, upper_gz.len), ASEC_OK);
	layers[0] = (struct testpush_layer){.data = gz_layer.data, .len = gz_layer.len};
	layers[1] = (struct testpush_layer){.data = upper_gz.data, .len = upper_gz.len};

	scanned_before = e2e_layer_scanned_at(pool, gz_digest);
	report = push_and_index("removed", layers, diff_ids, 2, "the gzip layer again + an upper layer");
	/* The base layer came from the layer cache, not from a second scan. */
	scanned_after = e2e_layer_scanned_at(pool, gz_digest);
	assert_string_equal(scanned_before, scanned_after);
	assert_string_equal(layer_digest(report, 0), gz_digest);
	assert_string_equal(layer_digest(report, 1), upper_digest);
	check_distribution(report);
	/* The rewritten status names every other package again: they keep the
	 * base layer as the one that introduced them. */
	check_packages(report, gz_digest, removed, "upper layer");
	packages = json_object_get(json_object_get(report, "contents"), "packages");
	json_object_foreach(packages, id, p)
		if (strcmp(e2e_text(p, "name"), removed) == 0)
			fail_msg("%s is still reported after the upper layer removed it", removed);
	printf("rootfs_e2e: the upper layer removed %s and whited out %s\n", removed, DOC_DIR);
	json_decref(report);
	free(scanned_before);
	free(scanned_after);
	free(status);
	free(upper.data);
	free(upper_gz.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_layer_matches_dpkg_query),
		cmocka_unit_test(test_zstd_layer_matches_dpkg_query),
		cmocka_unit_test(test_upper_layer_whiteout_and_removed_package),
	};

	return e2e_run_quietly("rootfs_e2e_test", tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
}
