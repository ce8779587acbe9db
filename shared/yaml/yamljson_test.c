/*
 * yamljson_test.c - the YAML converter against real files, the core schema
 * and hostile input.
 *
 * The real-file tests check totals that were computed independently: a
 * PyYAML loader configured for the YAML 1.2 core schema (its implicit
 * resolvers replaced by the core-schema expressions, duplicate and
 * non-scalar keys refused, empty documents left out) read every fixture;
 * its JSON output equalled ours file by file, and the counts below are its
 * totals. The Alpine secdb counts come from PyYAML with every implicit
 * resolver removed (all scalars strings) and agree with SOURCES.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>
#include <cmocka.h>

#include "error/error.h"
#include "testing/testing.h"
#include "yaml/yamljson.h"

/* ---- helpers ---- */

/* Parses text (all of it) and returns the compact, key-sorted JSON of the
 * result, or "ERR <code>" when parsing failed. The caller frees it. */
static char *conv(const char *text, enum yamljson_scalars mode)
{
	json_t *out = (json_t *)1;
	char *s;
	int rc = yamljson_parse_all(&out, text, strlen(text), mode, NULL);

	if (rc) {
		assert_null(out);
		assert_true(error_last()[0] != '\0');
		if (asprintf(&s, "ERR %d", rc) < 0)
			fail();
		return s;
	}
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(s);
	json_decref(out);
	return s;
}

#define assert_conv(text, mode, expected)                                                                 \
	do {                                                                                               \
		char *got_ = conv(text, mode);                                                             \
		if (strcmp(got_, expected) != 0)                                                           \
			fprintf(stderr, "input:\n%s\n=> %s (%s)\n", text, got_, error_last());             \
		assert_string_equal(got_, expected);                                                       \
		free(got_);                                                                                \
	} while (0)

#define CORE YAMLJSON_CORE_SCHEMA
#define STRS YAMLJSON_STRINGS

static int parse_err(const char *text, const struct yamljson_limits *lim)
{
	json_t *out = NULL;
	int rc = yamljson_parse_all(&out, text, strlen(text), CORE, lim);

	if (rc == ASEC_OK)
		json_decref(out);
	else
		assert_null(out);
	return rc;
}

/* ---- real files ---- */

struct type_counts {
	size_t null, boolean, integer, real, string, object, array;
};

static void count_types(const json_t *v, struct type_counts *c)
{
	const char *key;
	size_t i;
	json_t *item;

	switch (json_typeof(v)) {
	case JSON_NULL: c->null++; break;
	case JSON_TRUE:
	case JSON_FALSE: c->boolean++; break;
	case JSON_INTEGER: c->integer++; break;
	case JSON_REAL: c->real++; break;
	case JSON_STRING: c->string++; break;
	case JSON_OBJECT:
		c->object++;
		json_object_foreach((json_t *)v, key, item)
			count_types(item, c);
		break;
	case JSON_ARRAY:
		c->array++;
		json_array_foreach(v, i, item)
			count_types(item, c);
		break;
	}
}

/* The fixtures that really do repeat a key (a copy-paste in the upstream
 * example or test file); the Kubernetes API server refuses them too. */
static const char *const duplicate_key_fixtures[] = {
	"k8s-manifests/examples/_archived/openshift-origin/etcd-controller.yaml",
	"k8s-manifests/examples/_archived/openshift-origin/openshift-controller.yaml",
	"k8s-manifests/examples/_archived/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml",
	"k8s-manifests/examples/_archived/volumes/scaleio/sc-pvc.yaml",
	"k8s-manifests/kube-linter/tests/checks/cel.yml",
};

static struct {
	size_t root_len;
	size_t files, failed, documents;
	struct type_counts types;
	int unexpected;
} walk;

static int expected_failure(const char *relative)
{
	for (size_t i = 0; i < sizeof(duplicate_key_fixtures) / sizeof(duplicate_key_fixtures[0]); i++)
		if (strcmp(relative, duplicate_key_fixtures[i]) == 0)
			return 1;
	return 0;
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	size_t n = strlen(path), len;
	const char *relative = path + walk.root_len + 1;
	unsigned char *data;
	json_t *docs = NULL;
	int rc;

	(void)sb, (void)ftw;
	if (type != FTW_F || !((n > 5 && strcmp(path + n - 5, ".yaml") == 0) || (n > 4 && strcmp(path + n - 4, ".yml") == 0)))
		return 0;
	data = testing_read_file(path, &len);
	assert_non_null(data);
	walk.files++;
	rc = yamljson_parse_all(&docs, (const char *)data, len, CORE, NULL);
	if (rc) {
		walk.failed++;
		if (!expected_failure(relative) || rc != ASEC_EINVALID || !strstr(error_last(), "duplicate key")) {
			fprintf(stderr, "%s: %s\n", relative, error_last());
			walk.unexpected++;
		}
	} else {
		if (expected_failure(relative)) {
			fprintf(stderr, "%s: parsed, but it repeats a key\n", relative);
			walk.unexpected++;
		}
		walk.documents += json_array_size(docs);
		for (size_t i = 0; i < json_array_size(docs); i++)
			count_types(json_array_get(docs, i), &walk.types);
		json_decref(docs);
	}
	free(data);
	return 0;
}

static void test_every_fixture_parses(void **state)
{
	char root[4096];

	(void)state;
	testing_shared_path(root, sizeof(root), "fixtures");
	memset(&walk, 0, sizeof(walk));
	walk.root_len = strlen(root);
	assert_int_equal(nftw(root, visit, 16, FTW_PHYS), 0);
	assert_int_equal(walk.unexpected, 0);
	assert_int_equal(walk.files, 456);
	assert_int_equal(walk.failed, 5);
	assert_int_equal(walk.documents, 766);
	assert_int_equal(walk.types.object, 6217);
	assert_int_equal(walk.types.array, 1205);
	assert_int_equal(walk.types.string, 6595);
	assert_int_equal(walk.types.integer, 917);
	assert_int_equal(walk.types.boolean, 311);
	assert_int_equal(walk.types.real, 8);
	assert_int_equal(walk.types.null, 11);
}

/* One fixture whose shape we know by heart: kube-linter's test of merge
 * keys (an anchored label map merged into another). */
static void test_fixture_with_merge_key(void **state)
{
	char path[4096];
	unsigned char *data;
	size_t len;
	json_t *docs = NULL, *doc;
	int rc;

	(void)state;
	testing_shared_path(path, sizeof(path),
			    "fixtures/k8s-manifests/kube-linter/pkg/templates/sortedkeys/testdata/configmap-merge-unsorted.yaml");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	rc = yamljson_parse_all(&docs, (const char *)data, len, CORE, NULL);
	assert_int_equal(rc, ASEC_OK);
	assert_true(json_array_size(docs) >= 1);
	doc = json_array_get(docs, 0);
	assert_true(json_is_object(doc));
	assert_null(json_object_get(doc, "<<"));
	json_decref(docs);
	free(data);
}

static void test_alpine_secdb_parses(void **state)
{
	static const char *const files[] = {"v3.3", "v3.4", "v3.5", "v3.6", "v3.7", "v3.8", "v3.9"};
	static const char *const repos[] = {"main", "community"};
	char tarball[4096], dir[] = "/tmp/yamljson_test.XXXXXX", cmd[8300], path[4200];
	size_t packages = 0, fixes = 0, ids = 0, len;

	(void)state;
	testing_shared_path(tarball, sizeof(tarball), "feeds/alpine-secdb-v3.3-v3.9.tar.gz");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "tar -xzf '%s' -C '%s'", tarball, dir);
	assert_int_equal(system(cmd), 0);
	for (size_t f = 0; f < 7; f++) {
		for (size_t r = 0; r < 2; r++) {
			unsigned char *data;
			json_t *doc = NULL, *pkgs, *p, *secfixes, *list;
			const char *version;
			size_t i;

			snprintf(path, sizeof(path), "%s/%s/%s.yaml", dir, files[f], repos[r]);
			data = testing_read_file(path, &len);
			assert_non_null(data);
			assert_int_equal(yamljson_parse(&doc, (const char *)data, len, STRS, NULL), ASEC_OK);
			assert_string_equal(json_string_value(json_object_get(doc, "distroversion")), files[f]);
			pkgs = json_object_get(doc, "packages");
			/* v3.3/community.yaml says "packages:" with nothing after it. */
			if (json_is_array(pkgs)) {
				json_array_foreach(pkgs, i, p) {
					packages++;
					secfixes = json_object_get(json_object_get(p, "pkg"), "secfixes");
					json_object_foreach(secfixes, version, list) {
						fixes++;
						ids += json_array_size(list);
						/* Versions stay strings, and so do the ids. */
						for (size_t k = 0; k < json_array_size(list); k++)
							assert_true(json_is_string(json_array_get(list, k)));
					}
				}
			} else {
				assert_string_equal(json_string_value(pkgs), "");
			}
			json_decref(doc);
			free(data);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		rmdir(path);
	}
	rmdir(dir);
	assert_int_equal(packages, 1153);
	assert_int_equal(fixes, 2861);
	assert_int_equal(ids, 8027);
}

/* ---- the schema ---- */

static void test_core_schema_scalars(void **state)
{
	(void)state;
	assert_conv("[0, \"0\", 1.10, yes, no, on, off, true, \"true\", 'false', True, FALSE, tRUE]", CORE,
		    "[[0,\"0\",1.1000000000000001,\"yes\",\"no\",\"on\",\"off\",true,\"true\",\"false\",true,false,"
		    "\"tRUE\"]]");
	assert_conv("[~, null, Null, NULL, nULL, '', \"null\"]", CORE, "[[null,null,null,null,\"nULL\",\"\",\"null\"]]");
	assert_conv("a:\nb: ~\n", CORE, "[{\"a\":null,\"b\":null}]");
	/* 1.2 integers: 0o and 0x, and 010 is ten (it is eight in YAML 1.1). */
	assert_conv("[010, 0o17, 0x1f, 0x1F, -12, +12, 0b101, 1_000, 0o8, 0x, -0x1]", CORE,
		    "[[10,15,31,31,-12,12,\"0b101\",\"1_000\",\"0o8\",\"0x\",\"-0x1\"]]");
	assert_conv("[9223372036854775807, -9223372036854775808, 9223372036854775808, 99999999999999999999]", CORE,
		    "[[9223372036854775807,-9223372036854775808,\"9223372036854775808\",\"99999999999999999999\"]]");
	assert_conv("[1e3, .5, 5., -1.5E-2, 1e, ., 1.2.3, 1e400]", CORE,
		    "[[1000.0,0.5,5.0,-0.014999999999999999,\"1e\",\".\",\"1.2.3\",\"1e400\"]]");
	/* JSON has no infinities or NaNs: they stay as written. */
	assert_conv("[.inf, -.Inf, +.INF, .nan, .NaN, -.nan]", CORE,
		    "[[\".inf\",\"-.Inf\",\"+.INF\",\".nan\",\".NaN\",\"-.nan\"]]");
	/* Block scalars are never resolved. */
	assert_conv("a: |\n  1\nb: >-\n  true\n", CORE, "[{\"a\":\"1\\n\",\"b\":\"true\"}]");
}

static void test_strings_mode(void **state)
{
	(void)state;
	assert_conv("[0, 1.10, yes, true, \"true\", ~, 0x1f, !!int 7, .inf]\n", STRS,
		    "[[\"0\",\"1.10\",\"yes\",\"true\",\"true\",\"~\",\"0x1f\",\"7\",\".inf\"]]");
	assert_conv("a:\n", STRS, "[{\"a\":\"\"}]");
	assert_conv("2.7.13-r0:\n  - CVE-2019-10206\n0:\n  - CVE-1\n", STRS,
		    "[{\"0\":[\"CVE-1\"],\"2.7.13-r0\":[\"CVE-2019-10206\"]}]");
}

static void test_tags(void **state)
{
	(void)state;
	assert_conv("[!!str 5, !!str true, !!int \"7\", !!int 0x10, !!bool \"true\", !!null \"\", !!float 1, !!float "
		    "\"2.5\"]",
		    CORE, "[[\"5\",\"true\",7,16,true,null,1.0,2.5]]");
	/* Unknown tags and the non-specific "!" leave the value as it is. */
	assert_conv("[!foo 12, !foo \"12\", ! 12, !!binary aGk=, !!timestamp 2001-12-14, !custom {a: 1}]", CORE,
		    "[[12,\"12\",\"12\",\"aGk=\",\"2001-12-14\",{\"a\":1}]]");
	assert_conv("!!int abc", CORE, "ERR -4");
	assert_conv("!!bool yes", CORE, "ERR -4");
	assert_conv("!!null 0", CORE, "ERR -4");
	assert_conv("!!float x", CORE, "ERR -4");
	assert_conv("!!float .inf", CORE, "[\".inf\"]");
}

/* ---- structure ---- */

static void test_multi_document_streams(void **state)
{
	json_t *out = NULL;
	const char *text = "a: 1\n---\n---\n# only a comment\n---\n- x\n...\n--- 3\n";
	const char *bad_later = "a: 1\n---\n[unclosed\n";

	(void)state;
	assert_conv(text, CORE, "[{\"a\":1},[\"x\"],3]");
	assert_conv("", CORE, "[]");
	assert_conv("# nothing\n", CORE, "[]");
	assert_conv("--- ~\n", CORE, "[null]");
	assert_conv("--- ''\n", CORE, "[\"\"]");

	assert_int_equal(yamljson_parse(&out, text, strlen(text), CORE, NULL), ASEC_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "a")), 1);
	json_decref(out);
	assert_int_equal(yamljson_parse(&out, "---\n---\nb: 2\n", 13, CORE, NULL), ASEC_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "b")), 2);
	json_decref(out);
	assert_int_equal(yamljson_parse(&out, "", 0, CORE, NULL), ASEC_OK);
	assert_true(json_is_null(out));
	json_decref(out);
	/* The first document only: a broken second one is not read. */
	assert_int_equal(yamljson_parse(&out, bad_later, strlen(bad_later), CORE, NULL), ASEC_OK);
	json_decref(out);
	assert_int_equal(parse_err(bad_later, NULL), ASEC_EINVALID);
}

static void test_input_is_not_read_past_len(void **state)
{
	const char *text = "a: 1]]]]garbage";
	json_t *out = NULL;

	(void)state;
	assert_int_equal(yamljson_parse(&out, text, 4, CORE, NULL), ASEC_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "a")), 1);
	json_decref(out);
	assert_int_equal(yamljson_parse(&out, NULL, 0, CORE, NULL), ASEC_OK);
	json_decref(out);
}

static void test_anchors_and_aliases(void **state)
{
	json_t *out = NULL;
	const char *text = "base: &b {x: 1, y: [2, 3]}\nuse: *b\nname: &n hello\ncopy: *n\n*n : key-from-alias\n";

	(void)state;
	assert_int_equal(yamljson_parse(&out, text, strlen(text), CORE, NULL), ASEC_OK);
	/* An alias shares the anchored value rather than copying it. */
	assert_ptr_equal(json_object_get(out, "base"), json_object_get(out, "use"));
	assert_string_equal(json_string_value(json_object_get(out, "copy")), "hello");
	assert_string_equal(json_string_value(json_object_get(out, "hello")), "key-from-alias");
	json_decref(out);

	/* An anchored number is a number as a value and its text as a key. */
	assert_conv("a: &one 1\nb: *one\n*one : x\n", CORE, "[{\"1\":\"x\",\"a\":1,\"b\":1}]");
	/* A redefined anchor: the latest definition wins. */
	assert_conv("[&a 1, *a, &a 2, *a]", CORE, "[[1,1,2,2]]");
	/* An anchored key can be aliased as a value. */
	assert_conv("&k key: 1\nother: *k\n", CORE, "[{\"key\":1,\"other\":\"key\"}]");
	assert_conv("a: *nowhere\n", CORE, "ERR -4");
	/* Anchors do not cross documents. */
	assert_conv("a: &x 1\n---\nb: *x\n", CORE, "ERR -4");
	/* A node cannot contain an alias to itself: that is a cycle. */
	assert_conv("&a [1, *a]", CORE, "ERR -4");
	assert_conv("&a {k: [*a]}", CORE, "ERR -4");
	/* ...but an anchor of the same name defined inside it is later in
	 * the text, so that is the one meant, there and after. */
	assert_conv("- &a [&a 1, *a]\n- *a\n", CORE, "[[[1,1],1]]");
	assert_conv("- &a 0\n- &a [*a]\n", CORE, "ERR -4");
	/* A collection cannot be a key, not even through an alias. */
	assert_conv("a: &m {x: 1}\n*m : 2\n", CORE, "ERR -4");
}

static void test_billion_laughs_fails_fast(void **state)
{
	const char *laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
			     "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
			     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			     "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
			     "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
			     "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
			     "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
			     "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	/* The same through merge keys: each level merges the previous one
	 * twice under new keys. */
	const char *merges = "a: &a {a0: x, a1: x, a2: x, a3: x, a4: x, a5: x, a6: x, a7: x}\n"
			     "b: &b {b0: *a, b1: *a, b2: *a, b3: *a, b4: *a, b5: *a, b6: *a, b7: *a}\n"
			     "c: &c {c0: *b, c1: *b, c2: *b, c3: *b, c4: *b, c5: *b, c6: *b, c7: *b}\n"
			     "d: &d {d0: *c, d1: *c, d2: *c, d3: *c, d4: *c, d5: *c, d6: *c, d7: *c}\n"
			     "e: &e {e0: *d, e1: *d, e2: *d, e3: *d, e4: *d, e5: *d, e6: *d, e7: *d}\n"
			     "f: &f {<<: [*e, *d], f0: *e, f1: *e, f2: *e, f3: *e, f4: *e, f5: *e, f6: *e, f7: *e}\n"
			     "g: &g {<<: *f, g0: *f, g1: *f, g2: *f, g3: *f, g4: *f, g5: *f, g6: *f, g7: *f}\n"
			     "h: &h {<<: *g, h0: *g, h1: *g, h2: *g, h3: *g, h4: *g, h5: *g, h6: *g, h7: *g}\n";
	clock_t start = clock();
	json_t *out = NULL;

	(void)state;
	assert_int_equal(yamljson_parse_all(&out, laughs, strlen(laughs), CORE, NULL), ASEC_ETOOBIG);
	assert_null(out);
	assert_non_null(strstr(error_last(), "nodes"));
	assert_int_equal(yamljson_parse_all(&out, merges, strlen(merges), STRS, NULL), ASEC_ETOOBIG);
	assert_null(out);
	/* Counting is all the work: no expansion was ever built. */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

static void test_node_limit_counts_expansion(void **state)
{
	/* map + key a + seq of 2 (3) + key b + alias to that seq (3) = 9. */
	const char *text = "a: &x [1, 2]\nb: *x\n";
	struct yamljson_limits lim = {.max_nodes = 9};

	(void)state;
	assert_int_equal(parse_err(text, &lim), ASEC_OK);
	lim.max_nodes = 8;
	assert_int_equal(parse_err(text, &lim), ASEC_ETOOBIG);
}

/* Few nodes, but each alias repeats a large scalar: the expanded scalar
 * text is held to the input limit. */
static void test_alias_bytes_are_limited(void **state)
{
	size_t big = 1000, aliases = 2000, n = big + aliases * 5 + 64;
	char *s = malloc(n), *p = s;
	struct yamljson_limits lim = {.max_input_bytes = 1 << 20};

	(void)state;
	assert_non_null(s);
	p += sprintf(p, "- &a ");
	memset(p, 'x', big);
	p += big;
	*p++ = '\n';
	for (size_t i = 0; i < aliases; i++)
		p += sprintf(p, "- *a\n");
	*p = '\0';
	/* 2,001 copies of 1,000 bytes: about 2 MB from an input of 11 KB. */
	assert_int_equal(parse_err(s, &lim), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "bytes of scalars"));
	lim.max_input_bytes = 3 << 20;
	assert_int_equal(parse_err(s, &lim), ASEC_OK);
	free(s);
}

static char *nested(size_t depth, const char *open, const char *middle, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close), lm = strlen(middle);
	char *s = malloc(depth * (lo + lc) + lm + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, middle, lm);
	p += lm;
	for (size_t i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_deep_nesting(void **state)
{
	char *s;

	(void)state;
	s = nested(10000, "[", "1", "]");
	assert_int_equal(parse_err(s, NULL), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "nesting deeper than 64"));
	free(s);
	s = nested(10000, "{a: ", "1", "}");
	assert_int_equal(parse_err(s, NULL), ASEC_ETOOBIG);
	free(s);
	/* Unclosed: the limit is met before libyaml reaches the end. */
	s = nested(10000, "[", "", "");
	assert_int_equal(parse_err(s, NULL), ASEC_ETOOBIG);
	free(s);
	/* The default limit is exactly 64 collections. */
	s = nested(64, "[", "1", "]");
	assert_int_equal(parse_err(s, NULL), ASEC_OK);
	free(s);
	s = nested(65, "[", "1", "]");
	assert_int_equal(parse_err(s, NULL), ASEC_ETOOBIG);
	free(s);
}

static void test_duplicate_and_non_string_keys(void **state)
{
	(void)state;
	assert_conv("a: 1\nb: 2\na: 3\n", CORE, "ERR -4");
	assert_non_null(strstr(error_last(), "line 3, column 1: duplicate key \"a\""));
	assert_conv("{a: 1, \"a\": 2}", CORE, "ERR -4");
	assert_conv("x:\n  y: 1\n  'y': 2\n", CORE, "ERR -4");
	/* Keys are strings as written: 1 and 01 differ, 1 and "1" do not. */
	assert_conv("1: a\n01: b\n", CORE, "[{\"01\":\"b\",\"1\":\"a\"}]");
	assert_conv("1: a\n\"1\": b\n", CORE, "ERR -4");
	assert_conv("[null: a, ~: b, true: c, 1.5: d, '': e, {? : f}]", CORE,
		    "[[{\"null\":\"a\"},{\"~\":\"b\"},{\"true\":\"c\"},{\"1.5\":\"d\"},{\"\":\"e\"},{\"\":\"f\"}]]");
	/* The same key in different mappings is fine. */
	assert_conv("- a: 1\n- a: 2\n", CORE, "[[{\"a\":1},{\"a\":2}]]");
	assert_conv("[a, b]: 1\n", CORE, "ERR -4");
	assert_conv("? {a: 1}\n: 2\n", CORE, "ERR -4");
	assert_conv("? - a\n: 2\n", CORE, "ERR -4");
	/* Keys may hold NUL and any Unicode. */
	assert_conv("\"k\\0\": \"v\\0w\"\n\"\\u00e9\": 1\n", CORE, "[{\"k\\u0000\":\"v\\u0000w\",\"\xc3\xa9\":1}]");
}

static void test_merge_keys(void **state)
{
	(void)state;
	assert_conv("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", CORE,
		    "[{\"base\":{\"x\":1,\"y\":2},\"m\":{\"x\":1,\"y\":3}}]");
	/* An explicit key wins even when it comes before the merge. */
	assert_conv("m: {y: 3, <<: {x: 1, y: 2}}\n", CORE, "[{\"m\":{\"x\":1,\"y\":3}}]");
	/* In a list, earlier mappings win. */
	assert_conv("a: &a {k: a, only_a: 1}\nb: &b {k: b, only_b: 2}\nm: {<<: [*a, *b]}\n", CORE,
		    "[{\"a\":{\"k\":\"a\",\"only_a\":1},\"b\":{\"k\":\"b\",\"only_b\":2},\"m\":{\"k\":\"a\",\"only_a\":1,"
		    "\"only_b\":2}}]");
	/* Merging into the anchored mapping's copy leaves the anchor alone. */
	assert_conv("a: &a {x: 1}\nb: {<<: *a, z: 2}\nc: *a\n", CORE,
		    "[{\"a\":{\"x\":1},\"b\":{\"x\":1,\"z\":2},\"c\":{\"x\":1}}]");
	assert_conv("m: {<<: {x: 1}}\n", STRS, "[{\"m\":{\"x\":\"1\"}}]");
	/* A quoted "<<" is an ordinary key. */
	assert_conv("m: {\"<<\": {x: 1}}\n", CORE, "[{\"m\":{\"<<\":{\"x\":1}}}]");
	assert_conv("m: {<<: 1}\n", CORE, "ERR -4");
	assert_conv("m: {<<: [{x: 1}, 2]}\n", CORE, "ERR -4");
	assert_conv("m: {<<: {x: 1}, <<: {y: 1}}\n", CORE, "ERR -4");
}

static void test_limits(void **state)
{
	struct yamljson_limits lim = {0};
	char *big;
	json_t *out = NULL;

	(void)state;
	lim.max_input_bytes = 10;
	assert_int_equal(parse_err("a: 12345678", &lim), ASEC_ETOOBIG);
	assert_int_equal(parse_err("a: 1234567", &lim), ASEC_OK);

	memset(&lim, 0, sizeof(lim));
	lim.max_scalar_bytes = 4;
	assert_int_equal(parse_err("a: abcde", &lim), ASEC_ETOOBIG);
	assert_int_equal(parse_err("abcde: a", &lim), ASEC_ETOOBIG);
	assert_int_equal(parse_err("a: abcd", &lim), ASEC_OK);

	memset(&lim, 0, sizeof(lim));
	lim.max_documents = 2;
	assert_int_equal(parse_err("1\n---\n2\n", &lim), ASEC_OK);
	assert_int_equal(parse_err("1\n---\n2\n---\n3\n", &lim), ASEC_ETOOBIG);

	memset(&lim, 0, sizeof(lim));
	lim.max_depth = 2;
	assert_int_equal(parse_err("a: {b: 1}", &lim), ASEC_OK);
	assert_int_equal(parse_err("a: {b: [1]}", &lim), ASEC_ETOOBIG);

	/* The default scalar limit is 1 MiB. */
	big = malloc((1 << 20) + 2);
	assert_non_null(big);
	memset(big, 'x', (1 << 20) + 1);
	big[(1 << 20) + 1] = '\0';
	assert_int_equal(yamljson_parse(&out, big, (1 << 20) + 1, CORE, NULL), ASEC_ETOOBIG);
	assert_int_equal(yamljson_parse(&out, big, 1 << 20, CORE, NULL), ASEC_OK);
	assert_int_equal(json_string_length(out), 1 << 20);
	json_decref(out);
	free(big);
}

static void test_errors_name_line_and_column(void **state)
{
	(void)state;
	assert_int_equal(parse_err("a: 1\nb: [1, 2\nc: 3\n", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "yaml: line "));
	assert_non_null(strstr(error_last(), "flow sequence"));
	assert_int_equal(parse_err("a: 1\n  b: 2\n", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "line 2, column 4"));
	assert_int_equal(parse_err("list:\n  - x\n  - *missing\n", NULL), ASEC_EINVALID);
	assert_string_equal(error_last(), "yaml: line 3, column 5: undefined alias *missing");
	/* Bad bytes are reported by offset. */
	assert_int_equal(parse_err("a: \xff\n", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "byte 3"));
	assert_int_equal(parse_err("a: \"\\uD800\"\n", NULL), ASEC_EINVALID);
	assert_int_equal(parse_err("a: 'unterminated\n", NULL), ASEC_EINVALID);
	assert_int_equal(parse_err("\t- x\n", NULL), ASEC_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_schema_scalars),
		cmocka_unit_test(test_strings_mode),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_multi_document_streams),
		cmocka_unit_test(test_input_is_not_read_past_len),
		cmocka_unit_test(test_anchors_and_aliases),
		cmocka_unit_test(test_billion_laughs_fails_fast),
		cmocka_unit_test(test_node_limit_counts_expansion),
		cmocka_unit_test(test_alias_bytes_are_limited),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_duplicate_and_non_string_keys),
		cmocka_unit_test(test_merge_keys),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors_name_line_and_column),
		/* Last: these skip the whole program when ../shared is absent. */
		cmocka_unit_test(test_fixture_with_merge_key),
		cmocka_unit_test(test_alpine_secdb_parses),
		cmocka_unit_test(test_every_fixture_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
