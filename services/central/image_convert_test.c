/*
 * image_convert_test.c - the Image made from real and hand-made reports.
 *
 * Three kinds of check. Golden files (testdata/convert/<case>-image.json) pin the
 * whole Image for the demo image's real reports and for hand-made reports
 * that hit the edge cases; ASEC_UPDATE_GOLDEN=1 rewrites them, and a
 * rewritten golden file must be read before it is committed. Targeted
 * assertions then say, field by field, what the edge cases must give, so a
 * golden file regenerated with a bug in it still fails. Every Image made is
 * also checked against the Image schema of openapi/central.yaml by a C
 * transcription of it (schema_check below): members, required members,
 * types, enums, ranges and date-time form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "error/error.h"
#include "image_convert.h"

#ifndef CENTRAL_TESTDATA
#define CENTRAL_TESTDATA "testdata"
#endif
#define DIR CENTRAL_TESTDATA "/convert/"

/* 2024-06-01T12:00:00.250Z */
#define SCAN_MS 1717243200250LL

/* ---- a transcription of openapi/central.yaml's Image schema ---------------------------------- */

enum kind { K_STR, K_NUM, K_INT, K_BOOL, K_OBJ, K_ARR, K_TIME, K_MAP_STR };

struct schema;
struct field {
	const char *name;
	enum kind kind;
	int required;
	const char *const *enums;     /* K_STR, or items of a K_ARR of strings */
	const struct schema *child;   /* K_OBJ, or items of a K_ARR of objects */
	double min, max;              /* K_NUM/K_INT; NAN for none */
	enum kind items;              /* K_ARR */
};

struct schema {
	const char *name;
	const struct field *fields;
};

#define NONE NAN
static const char *const e_source[] = {"OS", "PYTHON", "JAVA", "RUBY", "NODEJS", "GO", "DOTNETCORERUNTIME",
				       "INFRASTRUCTURE", "RUST", "PHP", NULL};
static const char *const e_scan_notes[] = {"OS_UNAVAILABLE", "PARTIAL_SCAN_DATA", "OS_CVES_UNAVAILABLE", "OS_CVES_STALE",
					   "LANGUAGE_CVES_UNAVAILABLE", "CERTIFIED_RHEL_SCAN_UNAVAILABLE", NULL};
static const char *const e_image_notes[] = {"MISSING_METADATA", "MISSING_SCAN_DATA", "MISSING_SIGNATURE",
					    "MISSING_SIGNATURE_VERIFICATION_DATA", NULL};
static const char *const e_severity[] = {"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY",
					 "MODERATE_VULNERABILITY_SEVERITY", "IMPORTANT_VULNERABILITY_SEVERITY",
					 "CRITICAL_VULNERABILITY_SEVERITY", NULL};
static const char *const e_score_version[] = {"V2", "V3", "V4", "UNKNOWN_VERSION", NULL};
static const char *const e_metric_version[] = {"V2", "V3", "V4", NULL};
static const char *const e_status[] = {"affected", "fixed", "will_not_fix", "fix_deferred", "under_investigation", NULL};
static const char *const e_state[] = {"OBSERVED", "DEFERRED", "FALSE_POSITIVE", NULL};
static const char *const e_vtype[] = {"IMAGE_VULNERABILITY", NULL};
static const char *const e_v3_sev[] = {"UNKNOWN", "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL", NULL};
static const char *const e_v2_sev[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", NULL};
static const char *const e_av[] = {"ATTACK_LOCAL", "ATTACK_ADJACENT", "ATTACK_NETWORK", "ATTACK_PHYSICAL", NULL};
static const char *const e_ac[] = {"COMPLEXITY_LOW", "COMPLEXITY_HIGH", NULL};
static const char *const e_pr[] = {"PRIVILEGE_NONE", "PRIVILEGE_LOW", "PRIVILEGE_HIGH", NULL};
static const char *const e_ui[] = {"UI_NONE", "UI_REQUIRED", NULL};
static const char *const e_scope[] = {"UNCHANGED", "CHANGED", NULL};
static const char *const e_impact[] = {"IMPACT_NONE", "IMPACT_LOW", "IMPACT_HIGH", NULL};

#define F(n, k, r) {n, k, r, NULL, NULL, NONE, NONE, K_STR}
#define FE(n, r, e) {n, K_STR, r, e, NULL, NONE, NONE, K_STR}
#define FO(n, r, c) {n, K_OBJ, r, NULL, &c, NONE, NONE, K_STR}
#define FN(n, k, r, lo, hi) {n, k, r, NULL, NULL, lo, hi, K_STR}
#define FA(n, r, it) {n, K_ARR, r, NULL, NULL, NONE, NONE, it}
#define FAE(n, r, e) {n, K_ARR, r, e, NULL, NONE, NONE, K_STR}
#define FAO(n, r, c) {n, K_ARR, r, NULL, &c, NONE, NONE, K_OBJ}
#define END {NULL, K_STR, 0, NULL, NULL, NONE, NONE, K_STR}

static const struct schema s_name = {"ImageName", (const struct field[]){
	F("registry", K_STR, 1), F("remote", K_STR, 1), F("tag", K_STR, 0), F("fullName", K_STR, 1), END}};
static const struct schema s_data_source = {"DataSource", (const struct field[]){
	F("id", K_STR, 1), F("name", K_STR, 1), F("mirror", K_STR, 0), END}};
static const struct schema s_layer = {"ImageLayer", (const struct field[]){
	F("instruction", K_STR, 1), F("value", K_STR, 1), F("created", K_TIME, 0), F("author", K_STR, 0),
	F("empty", K_BOOL, 1), END}};
static const struct schema s_v1 = {"ImageMetadata.v1", (const struct field[]){
	F("digest", K_STR, 0), F("created", K_TIME, 0), F("author", K_STR, 0), F("user", K_STR, 0),
	FA("command", 0, K_STR), FA("entrypoint", 0, K_STR), FA("volumes", 0, K_STR), F("labels", K_MAP_STR, 0),
	FAO("layers", 1, s_layer), END}};
static const struct schema s_v2 = {"ImageMetadata.v2", (const struct field[]){F("digest", K_STR, 1), END}};
static const struct schema s_metadata = {"ImageMetadata", (const struct field[]){
	FO("v1", 1, s_v1), FO("v2", 1, s_v2), FA("layerShas", 1, K_STR), FO("dataSource", 0, s_data_source), END}};
static const struct schema s_cvss_v3 = {"CvssV3", (const struct field[]){
	F("vector", K_STR, 1), FN("score", K_NUM, 1, 0, 10), FE("severity", 1, e_v3_sev),
	F("exploitabilityScore", K_NUM, 0), F("impactScore", K_NUM, 0), FE("attackVector", 0, e_av),
	FE("attackComplexity", 0, e_ac), FE("privilegesRequired", 0, e_pr), FE("userInteraction", 0, e_ui),
	FE("scope", 0, e_scope), FE("confidentiality", 0, e_impact), FE("integrity", 0, e_impact),
	FE("availability", 0, e_impact), END}};
static const struct schema s_cvss_v2 = {"CvssV2", (const struct field[]){
	F("vector", K_STR, 1), FN("score", K_NUM, 1, 0, 10), FE("severity", 0, e_v2_sev), END}};
static const struct schema s_metric = {"cvssMetrics[]", (const struct field[]){
	F("source", K_STR, 1), FE("version", 1, e_metric_version), F("score", K_NUM, 1), F("vector", K_STR, 1),
	F("url", K_STR, 0), END}};
static const struct schema s_advisory = {"advisory", (const struct field[]){
	F("name", K_STR, 1), F("link", K_STR, 1), END}};
static const struct schema s_epss = {"epss", (const struct field[]){
	F("epssProbability", K_NUM, 1), F("epssPercentile", K_NUM, 1), END}};
static const struct schema s_kev = {"knownExploited", (const struct field[]){
	F("dateAdded", K_STR, 1), F("dueDate", K_STR, 0), F("knownRansomwareCampaignUse", K_STR, 0),
	F("requiredAction", K_STR, 0), END}};
static const struct schema s_vuln = {"EmbeddedVulnerability", (const struct field[]){
	F("cve", K_STR, 1), F("summary", K_STR, 0), F("link", K_STR, 1), FN("cvss", K_NUM, 1, 0, 10),
	FO("cvssV2", 0, s_cvss_v2), FO("cvssV3", 0, s_cvss_v3), FE("scoreVersion", 0, e_score_version),
	FN("nvdCvss", K_NUM, 0, 0, 10), FAO("cvssMetrics", 0, s_metric), FE("severity", 1, e_severity),
	F("fixedBy", K_STR, 0), FE("status", 0, e_status), F("publishedOn", K_TIME, 0), F("lastModified", K_TIME, 0),
	F("firstSystemOccurrence", K_TIME, 0), F("firstImageOccurrence", K_TIME, 0), FE("state", 1, e_state),
	FE("vulnerabilityType", 1, e_vtype), FAE("vulnerabilityTypes", 1, e_vtype), F("suppressed", K_BOOL, 0),
	FO("advisory", 0, s_advisory), FO("epss", 0, s_epss), FO("knownExploited", 0, s_kev), FA("cwes", 0, K_STR),
	FA("aliases", 0, K_STR), F("dataSource", K_STR, 0), F("explanation", K_STR, 0), END}};
static const struct schema s_component = {"ImageComponent", (const struct field[]){
	F("name", K_STR, 1), F("version", K_STR, 1), FE("source", 1, e_source), F("location", K_STR, 1),
	FN("layerIndex", K_INT, 0, 0, NONE), F("fixedBy", K_STR, 0), F("topCvss", K_NUM, 0), F("riskScore", K_NUM, 0),
	F("architecture", K_STR, 0), FA("executables", 0, K_OBJ), FAO("vulns", 1, s_vuln), END}};
static const struct schema s_scan = {"ImageScan", (const struct field[]){
	F("scannerVersion", K_STR, 1), F("scanTime", K_TIME, 1), F("operatingSystem", K_STR, 0),
	FO("dataSource", 1, s_data_source), FAE("notes", 1, e_scan_notes), FA("remarks", 0, K_STR),
	F("vulnerabilityDataUpdated", K_STR, 0), FAO("components", 1, s_component), END}};
static const struct schema s_image = {"Image", (const struct field[]){
	F("id", K_STR, 1), FO("name", 1, s_name), FAO("names", 1, s_name), FO("metadata", 1, s_metadata),
	FO("scan", 1, s_scan), FN("components", K_INT, 1, 0, NONE), FN("cves", K_INT, 1, 0, NONE),
	FN("fixableCves", K_INT, 1, 0, NONE), FN("topCvss", K_NUM, 1, 0, 10), FN("riskScore", K_NUM, 1, 0, NONE),
	FN("priority", K_INT, 1, 0, NONE), F("notPullable", K_BOOL, 1), F("isClusterLocal", K_BOOL, 1),
	F("lastUpdated", K_TIME, 1), FAE("notes", 0, e_image_notes), END}};

/* RFC 3339 as date-time allows it, in the UTC form image_convert writes. */
static int is_time(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return 0;
	s += 19;
	if (s[0] == '.' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9')
		s += 4;
	return strcmp(s, "Z") == 0;
}

static int in_enum(const char *s, const char *const *e)
{
	for (; *e; e++)
		if (strcmp(s, *e) == 0)
			return 1;
	return 0;
}

static int problems;

static void problem(const char *path, const char *key, const char *what)
{
	if (problems++ < 20)
		print_error("schema: %s.%s: %s\n", path, key, what);
}

static void check_value(const json_t *v, const struct field *f, enum kind kind, const char *const *enums,
			const struct schema *child, const char *path);

static void check_object(const json_t *o, const struct schema *s, const char *path)
{
	const char *key;
	json_t *v;
	const struct field *f;

	if (!json_is_object(o)) {
		problem(path, "", "not an object");
		return;
	}
	json_object_foreach((json_t *)o, key, v) {
		for (f = s->fields; f->name && strcmp(f->name, key) != 0; f++)
			;
		if (!f->name)
			problem(path, key, "member not in the schema");
	}
	for (f = s->fields; f->name; f++) {
		char sub[512];
		v = json_object_get(o, f->name);
		if (!v) {
			if (f->required)
				problem(path, f->name, "required member missing");
			continue;
		}
		snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
		check_value(v, f, f->kind, f->enums, f->child, sub);
	}
}

static void check_value(const json_t *v, const struct field *f, enum kind kind, const char *const *enums,
			const struct schema *child, const char *path)
{
	size_t i;
	json_t *item;
	const char *key;

	switch (kind) {
	case K_STR:
	case K_TIME:
		if (!json_is_string(v))
			problem(path, "", "not a string");
		else if (enums && !in_enum(json_string_value(v), enums))
			problem(path, json_string_value(v), "not in the enum");
		else if (kind == K_TIME && !is_time(json_string_value(v)))
			problem(path, json_string_value(v), "not a date-time");
		break;
	case K_NUM:
	case K_INT:
		if (kind == K_INT ? !json_is_integer(v) : !json_is_number(v))
			problem(path, "", "not a number of the right kind");
		else if ((!isnan(f->min) && json_number_value(v) < f->min) ||
			 (!isnan(f->max) && json_number_value(v) > f->max))
			problem(path, "", "out of range");
		break;
	case K_BOOL:
		if (!json_is_boolean(v))
			problem(path, "", "not a boolean");
		break;
	case K_OBJ:
		if (child)
			check_object(v, child, path);
		else if (!json_is_object(v))
			problem(path, "", "not an object");
		break;
	case K_MAP_STR:
		if (!json_is_object(v))
			problem(path, "", "not an object");
		json_object_foreach((json_t *)v, key, item)
			if (!json_is_string(item))
				problem(path, key, "not a string");
		break;
	case K_ARR:
		if (!json_is_array(v)) {
			problem(path, "", "not an array");
			break;
		}
		json_array_foreach((json_t *)v, i, item) {
			char sub[512];
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			check_value(item, f, f->items, enums, child, sub);
		}
		break;
	}
}

static void assert_schema_valid(const json_t *image)
{
	problems = 0;
	check_object(image, &s_image, "Image");
	assert_int_equal(problems, 0);
}

/* ---- helpers ------------------------------------------------------------------------------------ */

static json_t *load(const char *name)
{
	char path[512];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), DIR "%s", name);
	j = json_load_file(path, 0, &err);
	if (!j)
		fail_msg("%s: %s (line %d)", path, err.text, err.line);
	return j;
}

static void input_for(struct image_convert_input *in, const json_t *index, const json_t *vuln)
{
	memset(in, 0, sizeof(*in));
	in->full_name = "docker.io/library/demo:1.0";
	in->registry = "docker.io";
	in->remote = "library/demo";
	in->tag = "1.0";
	in->index_report = index;
	in->vuln_report = vuln;
	in->scanner_version = "0.1.0";
	in->vuln_data_updated = "2024-06-01T00:00:00Z";
	in->scan_time_ms = SCAN_MS;
}

static json_t *convert(const char *index_file, const char *vuln_file)
{
	struct image_convert_input in;
	json_t *index = load(index_file), *vuln = load(vuln_file), *image = NULL;
	int rc;

	input_for(&in, index, vuln);
	rc = image_convert(&image, &in);
	if (rc)
		fail_msg("image_convert: %s", error_last());
	assert_non_null(image);
	json_decref(index);
	json_decref(vuln);
	assert_schema_valid(image);
	return image;
}

static void assert_golden(const json_t *image, const char *golden)
{
	char path[512];
	json_t *want;

	snprintf(path, sizeof(path), DIR "%s", golden);
	if (getenv("ASEC_UPDATE_GOLDEN")) {
		assert_int_equal(json_dump_file(image, path, JSON_INDENT(1) | JSON_SORT_KEYS), 0);
		return;
	}
	want = load(golden);
	if (!json_equal(want, image)) {
		char *got = json_dumps(image, JSON_INDENT(1) | JSON_SORT_KEYS);
		print_error("%s differs; got:\n%.4000s\n", golden, got);
		free(got);
		fail();
	}
	json_decref(want);
}

/* The component named name (and version, when given). */
static const json_t *component(const json_t *image, const char *name, const char *version)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(json_object_get(image, "scan"), "components"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
		    (!version || strcmp(json_string_value(json_object_get(c, "version")), version) == 0))
			return c;
	fail_msg("no component %s", name);
	return NULL;
}

static const json_t *vuln_of(const json_t *comp, const char *cve)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(comp, "vulns"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "cve")), cve) == 0)
			return v;
	return NULL;
}

static const char *str_at(const json_t *o, const char *path)
{
	char buf[256], *key, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key && o; key = strtok_r(NULL, ".", &save))
		o = json_object_get(o, key);
	return o ? json_string_value(o) : NULL;
}

static int has_string(const json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach((json_t *)array, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------------- */

static void test_demo_image(void **state)
{
	json_t *image = convert("demo-index.json", "demo-vuln.json");
	const json_t *jinja, *v;

	(void)state;
	assert_golden(image, "demo-image.json");
	assert_string_equal(str_at(image, "id"), "sha256:9ef96684177e0d854c55b4c69fbc38830319ef39915f3bd30367aa01aaabb6d2");
	assert_string_equal(str_at(image, "metadata.v2.digest"), str_at(image, "id"));
	assert_string_equal(str_at(image, "scan.operatingSystem"), "debian:12");
	assert_int_equal(json_integer_value(json_object_get(image, "components")), 891);
	assert_int_equal(json_array_size(json_object_get(json_object_get(image, "scan"), "components")), 891);
	assert_int_equal(json_integer_value(json_object_get(image, "cves")), 5);
	assert_int_equal(json_integer_value(json_object_get(image, "fixableCves")), 5);
	jinja = component(image, "Jinja2", "2.10");
	assert_string_equal(str_at(jinja, "source"), "PYTHON");
	/* 2.11.3 > 2.10.1 by PEP 440 */
	assert_string_equal(str_at(jinja, "fixedBy"), "2.11.3");
	assert_string_equal(str_at(component(image, "PyYAML", "5.1"), "fixedBy"), "5.4");
	assert_string_equal(str_at(component(image, "libc6", NULL), "source"), "OS");
	v = vuln_of(jinja, "CVE-2019-10906");
	assert_non_null(v);
	assert_string_equal(str_at(v, "publishedOn"), "2019-04-07T00:29:00Z");
	assert_non_null(json_object_get(v, "epss"));
	/* No config history in the demo image: no layer can be named. */
	assert_null(json_object_get(jinja, "layerIndex"));
	json_decref(image);
}

static void test_edge_image(void **state)
{
	json_t *image = convert("edge-index.json", "edge-vuln.json");
	const json_t *v1, *layers, *openssl, *lodash, *log4j, *v, *notes, *comps;

	(void)state;
	assert_golden(image, "edge-image.json");

	v1 = json_object_get(json_object_get(image, "metadata"), "v1");
	layers = json_object_get(v1, "layers");
	assert_int_equal(json_array_size(layers), 6); /* the non-object entry is skipped */
	assert_string_equal(str_at(json_array_get(layers, 0), "instruction"), "ADD");
	assert_string_equal(str_at(json_array_get(layers, 0), "value"), "file:6f1c54e5d0b1a9c7 in /");
	assert_string_equal(str_at(json_array_get(layers, 0), "created"), "2022-12-31T22:00:00Z");
	assert_string_equal(str_at(json_array_get(layers, 1), "instruction"), "CMD");
	assert_string_equal(str_at(json_array_get(layers, 1), "value"), "[\"bash\"]");
	assert_true(json_is_true(json_object_get(json_array_get(layers, 1), "empty")));
	assert_string_equal(str_at(json_array_get(layers, 2), "instruction"), "RUN");
	assert_string_equal(str_at(json_array_get(layers, 2), "value"), "apt-get update && apt-get install -y curl");
	assert_string_equal(str_at(json_array_get(layers, 3), "instruction"), "ENV");
	assert_string_equal(str_at(json_array_get(layers, 4), "instruction"), "COPY");
	assert_string_equal(str_at(json_array_get(layers, 4), "value"), "app /app");
	assert_string_equal(str_at(json_array_get(layers, 4), "author"), "ops");
	assert_string_equal(str_at(json_array_get(layers, 5), "instruction"), "");
	assert_string_equal(str_at(json_array_get(layers, 5), "value"), "bazel build //app:image");
	assert_null(json_object_get(json_array_get(layers, 5), "created"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(v1, "volumes"), 0)), "/cache");
	assert_string_equal(str_at(v1, "labels.maintainer"), "ops@example.com");
	assert_null(json_object_get(json_object_get(v1, "labels"), "bad"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(image, "metadata"), "layerShas")), 3);

	openssl = component(image, "openssl", NULL);
	lodash = component(image, "lodash", NULL);
	log4j = component(image, "log4j-core", NULL);
	/* layer digests 1, 2, 3 came from history entries 0, 2, 4 */
	assert_int_equal(json_integer_value(json_object_get(component(image, "libc6", NULL), "layerIndex")), 0);
	assert_int_equal(json_integer_value(json_object_get(openssl, "layerIndex")), 2);
	assert_int_equal(json_integer_value(json_object_get(lodash, "layerIndex")), 4);
	assert_null(json_object_get(component(image, "mystery", NULL), "layerIndex"));
	assert_string_equal(str_at(openssl, "source"), "OS");
	assert_string_equal(str_at(openssl, "architecture"), "amd64");
	assert_string_equal(str_at(lodash, "source"), "NODEJS");
	assert_string_equal(str_at(log4j, "source"), "JAVA");
	assert_string_equal(str_at(log4j, "location"), "app/lib/log4j-core-2.14.1.jar");
	assert_string_equal(str_at(component(image, "github.com/example/tool", NULL), "source"), "GO");
	assert_string_equal(str_at(component(image, "mystery", NULL), "location"), "opt/mystery/VERSION");
	/* the source package and the nameless one are no components */
	comps = json_object_get(json_object_get(image, "scan"), "components");
	assert_int_equal(json_array_size(comps), 6);
	assert_int_equal(json_integer_value(json_object_get(image, "components")), 6);
	/* ordered by layer, unknown last */
	assert_string_equal(str_at(json_array_get(comps, 0), "name"), "libc6");
	assert_string_equal(str_at(json_array_get(comps, 5), "name"), "mystery");

	/* dpkg: 3.0.13-1 > 3.0.13-1~deb12u1, which a text order gets wrong */
	assert_string_equal(str_at(openssl, "fixedBy"), "3.0.13-1");
	/* not_affected dropped, the duplicate merged: two vulns, the worse first */
	assert_int_equal(json_array_size(json_object_get(openssl, "vulns")), 2);
	assert_null(vuln_of(openssl, "CVE-2023-9999"));
	v = json_array_get(json_object_get(openssl, "vulns"), 0);
	assert_string_equal(str_at(v, "cve"), "CVE-2023-5678");
	assert_string_equal(str_at(v, "severity"), "MODERATE_VULNERABILITY_SEVERITY");
	assert_string_equal(str_at(v, "dataSource"), "debian");
	assert_true(has_string(json_object_get(v, "aliases"), "DEBIAN-CVE-2023-5678"));
	assert_false(has_string(json_object_get(v, "aliases"), "CVE-2023-5678"));
	/* the vendor's v3 is shown; NVD's kept as nvdCvss */
	assert_true(json_real_value(json_object_get(v, "cvss")) == 5.3);
	assert_true(json_real_value(json_object_get(v, "nvdCvss")) == 7.5);
	assert_string_equal(str_at(v, "scoreVersion"), "V3");
	assert_string_equal(str_at(v, "cvssV3.attackVector"), "ATTACK_NETWORK");
	assert_string_equal(str_at(v, "cvssV3.availability"), "IMPACT_LOW");
	assert_string_equal(str_at(v, "cvssV3.severity"), "MEDIUM");
	assert_string_equal(str_at(v, "cvssV2.severity"), "MEDIUM");
	assert_int_equal(json_array_size(json_object_get(v, "cvssMetrics")), 3);
	assert_string_equal(str_at(v, "publishedOn"), "2023-11-06T00:00:00Z");
	assert_string_equal(str_at(v, "link"), "https://security-tracker.debian.org/tracker/CVE-2023-5678");
	assert_string_equal(str_at(v, "advisory.name"), "DSA-5585-1");
	assert_string_equal(str_at(v, "state"), "OBSERVED");

	v = vuln_of(log4j, "CVE-2021-44228");
	assert_non_null(v);
	assert_string_equal(str_at(v, "knownExploited.dateAdded"), "2021-12-10");
	assert_string_equal(str_at(v, "publishedOn"), "2021-12-10T08:15:09.143Z");
	assert_string_equal(str_at(v, "cvssV3.scope"), "CHANGED");
	assert_true(json_real_value(json_object_get(v, "nvdCvss")) == 10.0);
	assert_string_equal(str_at(v, "link"), "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");

	/* the GHSA without a score: computed from its vector, severity from it */
	v = json_array_get(json_object_get(lodash, "vulns"), 0);
	assert_string_equal(str_at(v, "cve"), "CVE-2019-10744"); /* critical first */
	v = vuln_of(lodash, "GHSA-p6mc-m468-83gw");
	assert_true(json_real_value(json_object_get(v, "cvss")) == 8.1);
	assert_string_equal(str_at(v, "severity"), "IMPORTANT_VULNERABILITY_SEVERITY");
	assert_string_equal(str_at(v, "link"), "https://github.com/advisories/GHSA-p6mc-m468-83gw");
	assert_string_equal(str_at(lodash, "fixedBy"), "4.17.20");

	/* will_not_fix with a version: no fix */
	v = vuln_of(component(image, "libc6", NULL), "CVE-2024-1111");
	assert_null(json_object_get(v, "fixedBy"));
	assert_string_equal(str_at(v, "status"), "will_not_fix");
	assert_null(json_object_get(component(image, "libc6", NULL), "fixedBy"));

	/* counts: CVE-2019-10744 is in two packages and counts once */
	assert_int_equal(json_integer_value(json_object_get(image, "cves")), 6);
	assert_int_equal(json_integer_value(json_object_get(image, "fixableCves")), 5);
	assert_true(json_real_value(json_object_get(image, "topCvss")) == 10.0);

	notes = json_object_get(json_object_get(image, "scan"), "notes");
	assert_int_equal(json_array_size(notes), 3);
	assert_true(has_string(notes, "PARTIAL_SCAN_DATA"));
	assert_true(has_string(notes, "OS_CVES_UNAVAILABLE"));
	assert_true(has_string(notes, "LANGUAGE_CVES_UNAVAILABLE"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(image, "scan"), "remarks")), 4);
	assert_string_equal(str_at(image, "scan.scanTime"), "2024-06-01T12:00:00.250Z");
	assert_string_equal(str_at(image, "lastUpdated"), "2024-06-01T12:00:00.250Z");
	assert_int_equal(json_array_size(json_object_get(image, "notes")), 0);
	json_decref(image);
}

static void test_no_config_no_distribution(void **state)
{
	json_t *image = convert("noconfig-index.json", "noconfig-vuln.json");
	const json_t *notes;

	(void)state;
	assert_golden(image, "noconfig-image.json");
	assert_true(has_string(json_object_get(image, "notes"), "MISSING_METADATA"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(image, "metadata"), "v1"), "layers")), 0);
	assert_string_equal(str_at(image, "scan.operatingSystem"), "unknown");
	notes = json_object_get(json_object_get(image, "scan"), "notes");
	assert_int_equal(json_array_size(notes), 1);
	assert_true(has_string(notes, "OS_UNAVAILABLE"));
	assert_string_equal(str_at(component(image, "requests", NULL), "source"), "PYTHON");
	assert_true(json_real_value(json_object_get(image, "riskScore")) == 1.0);
	json_decref(image);
}

static void test_refuses_bad_input(void **state)
{
	struct image_convert_input in;
	json_t *index = load("noconfig-index.json"), *vuln = load("noconfig-vuln.json"), *arr = json_array();
	json_t *image = (json_t *)1;

	(void)state;
	input_for(&in, arr, vuln);
	assert_int_equal(image_convert(&image, &in), ASEC_EINVALID);
	assert_null(image);
	input_for(&in, index, arr);
	assert_int_equal(image_convert(&image, &in), ASEC_EINVALID);
	input_for(&in, index, vuln);
	in.scan_time_ms = INT64_MAX;
	assert_int_equal(image_convert(&image, &in), ASEC_EINVALID);
	json_object_del(json_object_get(index, "image"), "manifestDigest");
	input_for(&in, index, vuln);
	assert_int_equal(image_convert(&image, &in), ASEC_EINVALID);
	assert_null(image);
	json_decref(index);
	json_decref(vuln);
	json_decref(arr);
}

/* Every member of the wrong type: still an Image, still valid. */
static void test_wrong_types(void **state)
{
	struct image_convert_input in;
	json_t *index = json_loads(
		"{\"image\":{\"manifestDigest\":\"sha256:1\",\"layers\":{},\"config\":{\"history\":[{\"createdBy\":5,"
		"\"emptyLayer\":\"no\"}],\"cmd\":[1,\"x\"],\"labels\":[],\"created\":\"2020-02-30T00:00:00Z\"}},"
		"\"contents\":{\"packages\":{\"1\":{\"name\":\"a\",\"version\":7,\"arch\":[]},\"2\":[]},"
		"\"distributions\":{\"1\":{\"did\":3}},\"environments\":{\"1\":{\"introducedIn\":4}}},\"notes\":\"x\"}",
		0, NULL);
	json_t *vuln = json_loads("{\"vulnerabilities\":{\"1\":{\"name\":\"CVE-1\",\"cvssMetrics\":[{\"v3\":"
				  "{\"baseScore\":99,\"vector\":\"CVSS:3.1/AV:Q\"}},7],\"aliases\":\"a\",\"issued\":4,"
				  "\"exploit\":{\"dateAdded\":1},\"epssMetrics\":{\"probability\":\"x\"}}},"
				  "\"packageVulnerabilities\":{\"1\":[\"1\",\"1\",null]},\"notes\":[5]}",
				  0, NULL);
	json_t *image = NULL;
	const json_t *a;

	(void)state;
	assert_non_null(index);
	assert_non_null(vuln);
	input_for(&in, index, vuln);
	in.tag = NULL;
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	assert_schema_valid(image);
	a = component(image, "a", NULL);
	assert_string_equal(str_at(a, "version"), "");
	assert_int_equal(json_array_size(json_object_get(a, "vulns")), 1); /* listed twice, one vuln */
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(a, "vulns"), 0), "cvss")) == 0);
	assert_null(json_object_get(json_object_get(image, "name"), "tag"));
	assert_null(json_object_get(json_object_get(json_object_get(image, "metadata"), "v1"), "created"));
	json_decref(image);
	json_decref(index);
	json_decref(vuln);
}

/* Reversing every object's key order changes nothing. */
static json_t *reversed(const json_t *j)
{
	const char *keys[4096];
	size_t n = 0, i;
	const char *key;
	json_t *v, *out;

	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach((json_t *)j, i, v)
			json_array_append_new(out, reversed(v));
		return out;
	}
	if (!json_is_object(j))
		return json_deep_copy(j);
	json_object_foreach((json_t *)j, key, v)
		if (n < 4096)
			keys[n++] = key;
	out = json_object();
	while (n-- > 0)
		json_object_set_new(out, keys[n], reversed(json_object_get(j, keys[n])));
	return out;
}

static void test_deterministic(void **state)
{
	struct image_convert_input in;
	json_t *index = load("edge-index.json"), *vuln = load("edge-vuln.json");
	json_t *rindex = reversed(index), *rvuln = reversed(vuln), *a = NULL, *b = NULL;
	char *sa, *sb;

	(void)state;
	input_for(&in, index, vuln);
	assert_int_equal(image_convert(&a, &in), ASEC_OK);
	input_for(&in, rindex, rvuln);
	assert_int_equal(image_convert(&b, &in), ASEC_OK);
	/* Array order matters as much as content: compare the texts. */
	sa = json_dumps(a, JSON_SORT_KEYS);
	sb = json_dumps(b, JSON_SORT_KEYS);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
	json_decref(index);
	json_decref(vuln);
	json_decref(rindex);
	json_decref(rvuln);
}

static void test_bounds(void **state)
{
	struct image_convert_input in;
	json_t *index = load("edge-index.json"), *vuln = load("edge-vuln.json"), *image = NULL, *notes;
	json_t *v = json_object_get(json_object_get(vuln, "vulnerabilities"), "1");
	char *big = malloc(20001);
	size_t i;
	const char *summary;

	(void)state;
	/* "é" is two bytes: a cut in the wrong place would break UTF-8 */
	for (i = 0; i + 2 <= 20000; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[20000] = '\0';
	json_object_set_new(v, "description", json_string(big));
	notes = json_object_get(vuln, "notes");
	for (i = 0; i < 150; i++)
		json_array_append_new(notes, json_string(big));
	input_for(&in, index, vuln);
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	assert_schema_valid(image);
	summary = str_at(vuln_of(component(image, "openssl", NULL), "CVE-2023-5678"), "summary");
	assert_true(strlen(summary) <= 8192 && strlen(summary) >= 8190);
	notes = json_object_get(json_object_get(image, "scan"), "remarks");
	assert_int_equal(json_array_size(notes), 101);
	assert_true(strlen(json_string_value(json_array_get(notes, 50))) <= 1024);
	assert_string_equal(json_string_value(json_array_get(notes, 100)), "54 more remarks not shown");
	free(big);
	json_decref(image);
	json_decref(index);
	json_decref(vuln);
}

/* ---- risk ------------------------------------------------------------------------------------------- */

static unsigned long long rng = 88172645463325252ULL;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void test_risk_is_monotone(void **state)
{
	double w[64];
	int round_, i;
	int64_t now = SCAN_MS, day = 86400000LL;

	(void)state;
	/* the weight never falls as a CVE gets worse in any respect */
	for (i = 0; i < 2000; i++) {
		int sev = (int)(uniform() * 5), fix = uniform() < 0.5, kev = uniform() < 0.5;
		double cvss = round(uniform() * 100) / 10, base = image_convert__vuln_weight(sev, cvss, fix, kev);
		assert_true(base > 0);
		if (sev < 4)
			assert_true(image_convert__vuln_weight(sev + 1, cvss, fix, kev) >= base);
		if (cvss < 10)
			assert_true(image_convert__vuln_weight(sev, cvss + 0.1, fix, kev) >= base);
		assert_true(image_convert__vuln_weight(sev, cvss, 1, kev) >= base);
		assert_true(image_convert__vuln_weight(sev, cvss, fix, 1) >= base);
	}
	/* the score never falls with one more CVE, a heavier one, or more age */
	for (round_ = 0; round_ < 500; round_++) {
		int n = (int)(uniform() * 63);
		int64_t created = now - (int64_t)(uniform() * 800) * day;
		double r;
		for (i = 0; i < n; i++)
			w[i] = image_convert__vuln_weight((int)(uniform() * 5), uniform() * 10, uniform() < .5, uniform() < .1);
		r = image_convert__risk(w, (size_t)n, created, now);
		assert_true(r >= 1.0 && r <= 6.0);
		w[n] = image_convert__vuln_weight((int)(uniform() * 5), uniform() * 10, 0, 0);
		assert_true(image_convert__risk(w, (size_t)n + 1, created, now) >= r);
		if (n) {
			w[0] *= 1.5;
			assert_true(image_convert__risk(w, (size_t)n, created, now) >= r);
			w[0] /= 1.5;
		}
		assert_true(image_convert__risk(w, (size_t)n, created - 30 * day, now) >= r);
	}
	/* saturating: bounded by 4 x 1.5 however many critical CVEs */
	for (i = 0; i < 64; i++)
		w[i] = image_convert__vuln_weight(4, 10, 1, 1);
	assert_true(image_convert__risk(w, 64, now - 1000 * day, now) <= 6.0);
	assert_true(image_convert__risk(w, 64, now - 1000 * day, now) > 5.9);
	/* no CVEs and young: 1; unknown creation: no age factor */
	assert_true(image_convert__risk(NULL, 0, now, now) == 1.0);
	assert_true(image_convert__risk(NULL, 0, INT64_MIN, now) == 1.0);
	/* age counts from 180 days, fully at 365 */
	assert_true(image_convert__risk(NULL, 0, now - 180 * day, now) == 1.0);
	assert_true(image_convert__risk(NULL, 0, now - 365 * day, now) == 1.5);
	assert_true(image_convert__risk(NULL, 0, now - 3650 * day, now) == 1.5);
	/* a known-exploited CVE weighs more than the same CVE not exploited */
	assert_true(image_convert__vuln_weight(4, 9.8, 0, 1) > image_convert__vuln_weight(4, 9.8, 0, 0));
	/* an unscored critical CVE weighs as a 9.0 */
	assert_true(image_convert__vuln_weight(4, 0, 0, 0) == image_convert__vuln_weight(0, 9.0, 0, 0));
}

/* End to end: one more finding, or a worse one, never lowers riskScore. */
static void test_risk_monotone_end_to_end(void **state)
{
	struct image_convert_input in;
	json_t *index = load("edge-index.json"), *vuln = load("edge-vuln.json"), *image = NULL;
	json_t *vulns = json_object_get(vuln, "vulnerabilities"), *copy;
	double before, after;

	(void)state;
	input_for(&in, index, vuln);
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	before = json_real_value(json_object_get(image, "riskScore"));
	assert_true(before > 1.0);
	json_decref(image);

	/* a new CVE on libc6 */
	copy = json_deep_copy(json_object_get(vulns, "2"));
	json_object_set_new(copy, "name", json_string("CVE-2030-0001"));
	json_object_set_new(vulns, "11", copy);
	json_array_append_new(json_object_get(json_object_get(vuln, "packageVulnerabilities"), "2"), json_string("11"));
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	after = json_real_value(json_object_get(image, "riskScore"));
	assert_true(after > before);
	assert_int_equal(json_integer_value(json_object_get(image, "cves")), 7);
	json_decref(image);

	/* CVE-2024-0727 raised from LOW to CRITICAL */
	before = after;
	json_object_set_new(json_object_get(vulns, "2"), "normalizedSeverity", json_string("CRITICAL"));
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	after = json_real_value(json_object_get(image, "riskScore"));
	assert_true(after > before);
	json_decref(image);

	/* the edge image is 517 days old: fully aged. A month-old copy is less
	 * risky, and a ten-month-old one in between. */
	json_object_set_new(json_object_get(json_object_get(index, "image"), "config"), "created",
			    json_string("2024-05-01T00:00:00Z"));
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	before = json_real_value(json_object_get(image, "riskScore"));
	assert_true(before < after);
	json_decref(image);
	json_object_set_new(json_object_get(json_object_get(index, "image"), "config"), "created",
			    json_string("2023-08-01T00:00:00+02:00"));
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	assert_true(json_real_value(json_object_get(image, "riskScore")) > before);
	assert_true(json_real_value(json_object_get(image, "riskScore")) < after);
	json_decref(image);
	json_decref(index);
	json_decref(vuln);
}

static void test_registry_source(void **state)
{
	struct image_convert_input in;
	json_t *index = load("noconfig-index.json"), *vuln = load("noconfig-vuln.json"), *image = NULL;

	(void)state;
	input_for(&in, index, vuln);
	in.registry_source_id = "0f6f5b8e-1111-2222-3333-444455556666";
	in.registry_source_name = "Docker Hub";
	in.vuln_data_updated = "";
	assert_int_equal(image_convert(&image, &in), ASEC_OK);
	assert_schema_valid(image);
	assert_string_equal(str_at(image, "metadata.dataSource.name"), "Docker Hub");
	assert_null(json_object_get(json_object_get(image, "scan"), "vulnerabilityDataUpdated"));
	json_decref(image);
	json_decref(index);
	json_decref(vuln);
}

/* The schema check itself catches what it is there to catch. */
static void test_schema_check_fails(void **state)
{
	json_t *image = convert("edge-index.json", "edge-vuln.json"), *copy;
	json_t *vuln;

	(void)state;
	copy = json_deep_copy(image);
	json_object_set_new(copy, "extra", json_true());
	problems = 0;
	check_object(copy, &s_image, "Image");
	assert_int_equal(problems, 1);
	json_decref(copy);

	copy = json_deep_copy(image);
	vuln = json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(copy, "scan"), "components"), 1),
					      "vulns"), 0);
	json_object_set_new(vuln, "severity", json_string("HIGH"));
	json_object_del(vuln, "link");
	json_object_set_new(vuln, "publishedOn", json_string("2023-11-06"));
	problems = 0;
	check_object(copy, &s_image, "Image");
	assert_int_equal(problems, 3);
	json_decref(copy);
	json_decref(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_image),
		cmocka_unit_test(test_edge_image),
		cmocka_unit_test(test_no_config_no_distribution),
		cmocka_unit_test(test_refuses_bad_input),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_risk_is_monotone),
		cmocka_unit_test(test_risk_monotone_end_to_end),
		cmocka_unit_test(test_registry_source),
		cmocka_unit_test(test_schema_check_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
