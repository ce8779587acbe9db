/*
 * report_test.c - stacking layers: replacement, whiteouts, opaque
 * directories, introducedIn, distribution and the JSON shape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "report.h"

static const struct detector fake_dpkg = {.name = "dpkg", .version = 1};
static const struct detector fake_npm = {.name = "npm", .version = 1};
static const struct detector fake_os = {.name = "os-release", .version = 1};

/* A layer built up by the test: up to three detector results. */
struct test_layer {
	struct layer_result result;
	struct layer_detector_result slots[3];
};

static void layer_init(struct test_layer *t)
{
	memset(t, 0, sizeof(*t));
	t->slots[0].detector = &fake_dpkg;
	t->slots[1].detector = &fake_npm;
	t->slots[2].detector = &fake_os;
	t->result.results = t->slots;
	t->result.result_count = 3;
}

static void add_file(struct test_layer *t, int slot, const char *path)
{
	struct layer_detector_result *r = &t->slots[slot];

	r->files = realloc(r->files, (r->file_count + 1) * sizeof(*r->files));
	r->files[r->file_count++] = strdup(path);
}

static void add_pkg(struct test_layer *t, int slot, const char *db, const char *name, const char *version,
		    const char *ecosystem)
{
	struct pkg p = {.name = (char *)name, .version = (char *)version, .package_db = (char *)db,
			.ecosystem = (char *)ecosystem, .arch = "amd64"};

	assert_int_equal(pkg_list_add(&t->slots[slot].out.pkgs, &p), ASEC_OK);
}

static void add_whiteout(struct test_layer *t, const char *path, int opaque)
{
	char ***list = opaque ? &t->result.opaque_dirs : &t->result.whiteouts;
	size_t *count = opaque ? &t->result.opaque_count : &t->result.whiteout_count;

	*list = realloc(*list, (*count + 1) * sizeof(**list));
	(*list)[(*count)++] = strdup(path);
}

static void layer_clear(struct test_layer *t)
{
	size_t i, s;

	for (s = 0; s < 3; s++) {
		for (i = 0; i < t->slots[s].file_count; i++)
			free(t->slots[s].files[i]);
		free(t->slots[s].files);
		scan_out_free(&t->slots[s].out);
	}
	for (i = 0; i < t->result.whiteout_count; i++)
		free(t->result.whiteouts[i]);
	free(t->result.whiteouts);
	for (i = 0; i < t->result.opaque_count; i++)
		free(t->result.opaque_dirs[i]);
	free(t->result.opaque_dirs);
}

/* "name version introducedIn" lines of the report, sorted as the report is. */
static char *summarise(json_t *contents)
{
	json_t *packages = json_object_get(contents, "packages");
	json_t *envs = json_object_get(contents, "environments");
	size_t i, n = json_object_size(packages), used = 0;
	char *out = calloc(1, n * 256 + 1);

	for (i = 1; i <= n; i++) {
		char id[16], line[256];
		json_t *p, *e;
		snprintf(id, sizeof(id), "%zu", i);
		p = json_object_get(packages, id);
		e = json_array_get(json_object_get(envs, id), 0);
		assert_non_null(p);
		assert_non_null(e);
		snprintf(line, sizeof(line), "%s %s %s\n", json_string_value(json_object_get(p, "name")),
			 json_string_value(json_object_get(p, "version")), json_string_value(json_object_get(e, "introducedIn")));
		memcpy(out + used, line, strlen(line) + 1);
		used += strlen(line);
	}
	return out;
}

static char *stack(struct test_layer *layers, size_t n, json_t **contents_out)
{
	const char *digests[] = {"sha256:l1", "sha256:l2", "sha256:l3", "sha256:l4", "sha256:l5"};
	struct layer_result results[5];
	json_t *contents = NULL, *notes = json_array();
	char *summary;
	size_t i;

	for (i = 0; i < n; i++)
		results[i] = layers[i].result;
	assert_int_equal(report_assemble(&contents, notes, digests, results, n), ASEC_OK);
	summary = summarise(contents);
	json_decref(notes);
	if (contents_out)
		*contents_out = contents;
	else
		json_decref(contents);
	return summary;
}

static void test_rewritten_database_keeps_introduced_in(void **state)
{
	struct test_layer l[2];
	char *s;

	layer_init(&l[0]);
	layer_init(&l[1]);
	add_file(&l[0], 0, "var/lib/dpkg/status");
	add_pkg(&l[0], 0, "var/lib/dpkg/status", "base-files", "12", "deb");
	add_pkg(&l[0], 0, "var/lib/dpkg/status", "curl", "7.0", "deb");
	add_file(&l[1], 0, "var/lib/dpkg/status");
	add_pkg(&l[1], 0, "var/lib/dpkg/status", "base-files", "12", "deb");
	add_pkg(&l[1], 0, "var/lib/dpkg/status", "curl", "8.0", "deb");
	add_pkg(&l[1], 0, "var/lib/dpkg/status", "jq", "1.6", "deb");
	s = stack(l, 2, NULL);
	assert_string_equal(s, "base-files 12 sha256:l1\ncurl 8.0 sha256:l2\njq 1.6 sha256:l2\n");
	free(s);
	layer_clear(&l[0]);
	layer_clear(&l[1]);
}

static void test_database_rewritten_empty_removes_everything(void **state)
{
	struct test_layer l[2];
	char *s;

	layer_init(&l[0]);
	layer_init(&l[1]);
	add_file(&l[0], 0, "var/lib/dpkg/status");
	add_pkg(&l[0], 0, "var/lib/dpkg/status", "curl", "7.0", "deb");
	add_file(&l[1], 0, "var/lib/dpkg/status"); /* seen, but lists nothing installed */
	s = stack(l, 2, NULL);
	assert_string_equal(s, "");
	free(s);
	layer_clear(&l[0]);
	layer_clear(&l[1]);
}

static void test_whiteouts_and_opaque_directories(void **state)
{
	struct test_layer l[3];
	char *s;

	layer_init(&l[0]);
	layer_init(&l[1]);
	layer_init(&l[2]);
	add_file(&l[0], 1, "app/node_modules/a/package.json");
	add_pkg(&l[0], 1, "app/node_modules/a/package.json", "a", "1.0.0", "npm");
	add_file(&l[0], 1, "app/node_modules/b/package.json");
	add_pkg(&l[0], 1, "app/node_modules/b/package.json", "b", "1.0.0", "npm");
	add_file(&l[0], 1, "opt/tool/node_modules/c/package.json");
	add_pkg(&l[0], 1, "opt/tool/node_modules/c/package.json", "c", "1.0.0", "npm");
	add_pkg(&l[0], 1, "srv/app.war:WEB-INF/lib/x.jar", "x", "2.0", "maven");
	/* Layer 2 deletes package a's folder and makes opt/tool opaque, then puts d there. */
	add_whiteout(&l[1], "app/node_modules/a", 0);
	add_whiteout(&l[1], "opt/tool", 1);
	add_file(&l[1], 1, "opt/tool/node_modules/d/package.json");
	add_pkg(&l[1], 1, "opt/tool/node_modules/d/package.json", "d", "1.0.0", "npm");
	/* Layer 3 deletes the war: the jar inside it goes too. A whiteout of a
	 * sibling whose name shares a prefix must not delete b. */
	add_whiteout(&l[2], "srv/app.war", 0);
	add_whiteout(&l[2], "app/node_modules/b2", 0);
	s = stack(l, 3, NULL);
	assert_string_equal(s, "b 1.0.0 sha256:l1\nd 1.0.0 sha256:l2\n");
	free(s);
	layer_clear(&l[0]);
	layer_clear(&l[1]);
	layer_clear(&l[2]);
}

static void test_json_shape(void **state)
{
	struct test_layer l[1];
	struct dist d = {.did = "debian", .name = "Debian GNU/Linux", .version = "12 (bookworm)",
			 .version_code_name = "bookworm", .version_id = "12"};
	struct pkg with_source = {.name = "libcurl4", .version = "7.88.1-10", .source_name = "curl",
				  .package_db = "var/lib/dpkg/status", .ecosystem = "deb", .arch = "amd64"};
	json_t *contents, *p, *e;
	char *s;

	layer_init(&l[0]);
	assert_int_equal(dist_copy(&l[0].slots[2].out.dist, &d), ASEC_OK);
	assert_int_equal(pkg_list_add(&l[0].slots[0].out.pkgs, &with_source), ASEC_OK);
	add_pkg(&l[0], 1, "app/node_modules/a/package.json", "a", "1.0.0", "npm");
	s = stack(l, 1, &contents);
	free(s);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(contents, "distributions"), "1"),
							      "versionCodeName")),
			    "bookworm");
	p = json_object_get(json_object_get(contents, "packages"), "2");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "libcurl4");
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "source"), "name")), "curl");
	/* A source without its own version takes the binary's. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "source"), "version")), "7.88.1-10");
	e = json_array_get(json_object_get(json_object_get(contents, "environments"), "2"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "distributionId")), "1");
	e = json_array_get(json_object_get(json_object_get(contents, "environments"), "1"), 0);
	assert_null(json_object_get(e, "distributionId"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "repositoryIds"), 0)), "1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(contents, "repositories"), "1"),
							      "name")),
			    "npm");
	json_decref(contents);
	layer_clear(&l[0]);
}

static void test_image_without_packages(void **state)
{
	json_t *contents = NULL, *notes = json_array();

	/* No layers at all (every layer skipped): an empty, valid report. */
	assert_int_equal(report_assemble(&contents, notes, NULL, NULL, 0), ASEC_OK);
	assert_int_equal(json_object_size(json_object_get(contents, "packages")), 0);
	assert_true(json_is_object(json_object_get(contents, "environments")));
	json_decref(contents);
	json_decref(notes);
}

static void test_many_packages_stack_quickly(void **state)
{
	/* 20,000 one-package databases over 5 layers: must not be quadratic. */
	struct test_layer l[5];
	char db[128], name[32];
	size_t i, k;
	char *s;

	for (k = 0; k < 5; k++) {
		layer_init(&l[k]);
		for (i = 0; i < 4000; i++) {
			snprintf(db, sizeof(db), "app/node_modules/p%zu_%zu/package.json", k, i);
			snprintf(name, sizeof(name), "p%zu_%zu", k, i);
			add_file(&l[k], 1, db);
			add_pkg(&l[k], 1, db, name, "1.0.0", "npm");
		}
	}
	s = stack(l, 5, NULL);
	assert_int_equal(strlen(s) > 0, 1);
	free(s);
	for (k = 0; k < 5; k++)
		layer_clear(&l[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewritten_database_keeps_introduced_in),
		cmocka_unit_test(test_database_rewritten_empty_removes_everything),
		cmocka_unit_test(test_whiteouts_and_opaque_directories),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_image_without_packages),
		cmocka_unit_test(test_many_packages_stack_quickly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
