/*
 * csaf_test.c - Red Hat CSAF parser tests: the six shared documents (counts
 * and spot checks taken from the raw data) and small documents built here
 * for every branch the shared ones do not reach (no_fix_planned, fix
 * deferred, modules, images, EUS, epochs) and for hostile input.
 */
#include "feeds/feed_testing.h"

#include <stdarg.h>

#define SAMPLES "redhat-csaf-vex-samples.jsonl.gz"

/* ---- helpers ---- */

/* The n-th (1-based) line of a buffer, as a JSON document. */
static json_t *sample_line(const char *data, int n)
{
	const char *line = data, *nl;
	json_error_t err;

	while (--n > 0) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		line = nl + 1;
	}
	nl = strchr(line, '\n');
	return json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &err);
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_csaf("test.json", text, strlen(text), &sink);
}

static int parse_json(struct feed_collector *c, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int rc;

	assert_non_null(text);
	rc = parse_text(c, text);
	free(text);
	return rc;
}

/* JSON written with single quotes, for readability. */
static char *q(const char *s)
{
	char *out = strdup(s);

	assert_non_null(out);
	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static int parse_q(struct feed_collector *c, const char *s)
{
	char *text = q(s);
	int rc = parse_text(c, text);

	free(text);
	return rc;
}

/* The affected entry of a record for (distribution, package, kind). */
static json_t *entry(const json_t *record, const char *dist, const char *package, const char *kind)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(record, "affected"), i, a) {
		if (strcmp(json_string_value(json_object_get(a, "distribution")), dist) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "package")), package) == 0 &&
		    (!kind || strcmp(json_string_value(json_object_get(a, "packageKind")), kind) == 0))
			return a;
	}
	return NULL;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *fixed_of(const json_t *a)
{
	json_t *ranges = json_object_get(a, "ranges");

	assert_int_equal(json_array_size(ranges), 1);
	assert_string_equal(str(json_array_get(ranges, 0), "introduced"), "0");
	return str(json_array_get(ranges, 0), "fixed");
}

/* ---- documents built with jansson, shaped as Red Hat writes them ---- */

/* The branches array of the i-th branch of branches. */
static json_t *sub_branches(const json_t *branches, size_t i)
{
	return json_object_get(json_array_get(branches, i), "branches");
}

struct doc {
	json_t *root, *streams, *packages, *relationships, *vuln;
};

static void doc_init(struct doc *d, const char *category, const char *tracking_id)
{
	json_t *tree;

	d->root = json_pack("{s:{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s}, s:[{s:s, s:s}]}}", "document", "category",
			    category, "csaf_version", "2.0", "tracking", "id", tracking_id, "status", "final",
			    "current_release_date", "2099-01-02T00:00:00+00:00", "aggregate_severity", "text",
			    "Moderate", "references", "category", "self", "url",
			    "https://access.redhat.com/security/data/csaf/v2/vex/2099/test.json");
	/* vendor > product_family (streams) and vendor > architecture (packages) */
	tree = json_pack("{s:[{s:s, s:s, s:[{s:s, s:s, s:[]}, {s:s, s:s, s:[]}]}], s:[]}", "branches", "category",
			 "vendor", "name", "Red Hat", "branches", "category", "product_family", "name", "RHEL",
			 "branches", "category", "architecture", "name", "any", "branches", "relationships");
	assert_non_null(d->root);
	assert_non_null(tree);
	json_object_set_new(d->root, "product_tree", tree);
	d->streams = sub_branches(sub_branches(json_object_get(tree, "branches"), 0), 0);
	d->packages = sub_branches(sub_branches(json_object_get(tree, "branches"), 0), 1);
	d->relationships = json_object_get(tree, "relationships");
	d->vuln = NULL;
}

static void doc_stream(struct doc *d, const char *id, const char *cpe)
{
	json_array_append_new(d->streams, json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}}", "category", "product_name",
						    "name", id, "product", "name", id, "product_id", id,
						    "product_identification_helper", "cpe", cpe));
}

/* A package product; purl may be NULL (Red Hat's older documents). */
static void doc_package(struct doc *d, const char *id, const char *purl)
{
	json_t *p = json_pack("{s:s, s:s}", "name", id, "product_id", id);

	if (purl)
		json_object_set_new(p, "product_identification_helper", json_pack("{s:s}", "purl", purl));
	json_array_append_new(d->packages,
			      json_pack("{s:s, s:s, s:o}", "category", "product_version", "name", id, "product", p));
}

/* stream:package, the id statuses name. Returns a static buffer. */
static const char *doc_component(struct doc *d, const char *package, const char *stream)
{
	static char id[512];

	snprintf(id, sizeof(id), "%s:%s", stream, package);
	json_array_append_new(d->relationships,
			      json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "category", "default_component_of",
					"full_product_name", "name", id, "product_id", id, "product_reference", package,
					"relates_to_product_reference", stream));
	return id;
}

static void doc_vuln(struct doc *d, const char *cve)
{
	d->vuln = json_pack("{s:s, s:{}, s:[], s:[], s:[{s:s, s:s}], s:s}", "cve", cve, "product_status",
			    "remediations", "threats", "notes", "category", "description", "text", "A flaw was found.",
			    "release_date", "2099-01-01T00:00:00+00:00");
	assert_non_null(d->vuln);
	if (!json_object_get(d->root, "vulnerabilities"))
		json_object_set_new(d->root, "vulnerabilities", json_array());
	json_array_append_new(json_object_get(d->root, "vulnerabilities"), d->vuln);
}

static void doc_status(struct doc *d, const char *list, const char *id)
{
	json_t *status = json_object_get(d->vuln, "product_status");

	if (!json_object_get(status, list))
		json_object_set_new(status, list, json_array());
	json_array_append_new(json_object_get(status, list), json_string(id));
}

static void doc_remedy(struct doc *d, const char *category, const char *details, const char *url, const char *id)
{
	json_t *r = json_pack("{s:s, s:s, s:[s]}", "category", category, "details", details, "product_ids", id);

	if (url)
		json_object_set_new(r, "url", json_string(url));
	json_array_append_new(json_object_get(d->vuln, "remediations"), r);
}

static void doc_threat(struct doc *d, const char *details, const char *id)
{
	json_array_append_new(json_object_get(d->vuln, "threats"), json_pack("{s:s, s:s, s:[s]}", "category", "impact",
									     "details", details, "product_ids", id));
}

/* ---- the shared documents ---- */

/*
 * Counts determined independently of this parser with Python over the raw
 * file (zcat ... | one json.loads per line): index products of the nested
 * branches and the default_component_of relationships; for each
 * product_status id take the relationship's stream CPE and package purl (or
 * the id), keep streams whose CPE product is enterprise_linux, fold binaries
 * whose (release, status, version) equals a source rpm's, keep one entry per
 * (release, name, kind), lowest fixed version first; count one skip per
 * left-out stream, one per reason class, one per CVE left without entries:
 *   CVE-2023-38545: 4 entries (curl: rhel 6/7/8 not_affected, rhel 9 fixed),
 *                   14 left-out streams + "Text-Only JBCS" = 15 skips
 *   CVE-2023-4154, CVE-2023-42670: 5 entries each (samba, samba4 on rhel 6),
 *                   1 skip each (red_hat_storage_3)
 *   CVE-2021-0084:  8 entries (kernel, kernel-rt, kernel-alt), 0 skips
 *   CVE-2024-22047: no record, 2 skips (Satellite only)
 *   RHSA-2022:0011 (CVE-2020-10188): no record, 4 skips (AUS/E4S/TUS only)
 * = 4 records, 23 skips.
 */
static void test_shared_counts(void **state)
{
	static const struct {
		const char *id;
		size_t entries, skips;
	} want[] = {
		{"CVE-2023-38545", 4, 15}, {"CVE-2023-4154", 5, 1},  {"CVE-2023-42670", 5, 1},
		{"CVE-2021-0084", 8, 0},   {"CVE-2024-22047", 0, 2}, {"CVE-2020-10188", 0, 4},
	};
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t len, i, records = 0;
	char *data = feed_testing_read_shared(SAMPLES, &len);

	(void)state;
	assert_int_equal(feed_parse_csaf(SAMPLES, data, len, &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 4);
	assert_int_equal(json_array_size(c.skips), 23);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *r = feed_collector_find(&c, "advisory", want[i].id);

		if (want[i].entries) {
			assert_non_null(r);
			assert_string_equal(str(json_array_get(c.records, records), "id"), want[i].id); /* file order */
			assert_int_equal(json_array_size(json_object_get(r, "affected")), want[i].entries);
			records++;
		} else {
			assert_null(r);
		}
		assert_int_equal(feed_collector_skips(&c, want[i].id, ""), want[i].skips);
	}
	feed_collector_free(&c);
	free(data);
}

/* CVE-2023-38545 (curl SOCKS5): fixed in RHEL 9 by RHSA-2023:5763 at
 * curl-0:7.76.1-23.el9_2.4 (the 9.2 z-stream; 9.3 lists 7.76.1-26.el9_3.2,
 * the 9.0 EUS stream 7.76.1-14.el9_0.9), not affected in RHEL 6-8. */
static void test_curl(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t len, i;
	char *data = feed_testing_read_shared(SAMPLES, &len);
	json_t *r, *a, *cvss;

	(void)state;
	assert_int_equal(feed_parse_csaf(SAMPLES, data, len, &sink), ASEC_OK);
	assert_non_null(r = feed_collector_find(&c, "advisory", "CVE-2023-38545"));
	assert_string_equal(str(r, "severity"), "Important");
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT");
	assert_string_equal(str(r, "published"), "2023-10-11T00:00:00+00:00");
	assert_string_equal(str(r, "modified"), "2025-11-21T14:31:32+00:00");
	assert_non_null(strstr(str(r, "description"), "SOCKS5"));
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "RHSA-2023:5763");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://access.redhat.com/errata/RHSA-2023:5763");
	/* the RHSAs of RHEL streams only: not JBCS's RHSA-2023:7625, nor EUS's RHSA-2023:5700 */
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "RHSA-2023:5763");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 1)), "RHSA-2023:6745");
	cvss = json_array_get(json_object_get(r, "cvss"), 0);
	assert_string_equal(str(cvss, "vector"), "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(str(cvss, "version"), "3.1");
	assert_true(json_real_value(json_object_get(cvss, "score")) == 8.1);
	assert_string_equal(str(cvss, "source"), "Red Hat");

	assert_non_null(a = entry(r, "rhel:9", "curl", "source"));
	assert_string_equal(str(a, "status"), "fixed");
	assert_string_equal(str(a, "ecosystem"), "rpm");
	assert_string_equal(fixed_of(a), "7.76.1-23.el9_2.4"); /* epoch 0 is not written */
	assert_non_null(a = entry(r, "rhel:8", "curl", "source"));
	assert_string_equal(str(a, "status"), "not_affected");
	assert_null(json_object_get(a, "ranges"));
	/* libcurl & co. are folded into the curl source rpm */
	json_array_foreach(json_object_get(r, "affected"), i, a) {
		assert_string_equal(str(a, "package"), "curl");
		assert_string_equal(str(a, "packageKind"), "source");
	}
	assert_int_equal(feed_collector_skips(&c, "CVE-2023-38545",
					      "product stream BaseOS-9.0.0.Z.EUS "
					      "(cpe:/o:redhat:rhel_eus:9.0::baseos) is pinned"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2023-38545",
					      "8Base-JBCS (cpe:/a:redhat:jboss_core_services:1::el8) is not "
					      "a RHEL release stream (a layered product): 69 product"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2023-38545", "1 product statuses left out: not components"), 1);
	feed_collector_free(&c);
	free(data);
}

/* known_not_affected: CVE-2021-0084 (kernel, old format without purls and
 * without threats: the aggregate severity "important" stands) and
 * CVE-2023-4154 (samba; binaries folded into samba.src / samba4.src). */
static void test_not_affected(void **state)
{
	static const char *const kernel[][2] = {
		{"rhel:5", "kernel"},	 {"rhel:6", "kernel"}, {"rhel:7", "kernel"},	{"rhel:7", "kernel-alt"},
		{"rhel:7", "kernel-rt"}, {"rhel:8", "kernel"}, {"rhel:8", "kernel-rt"}, {"rhel:9", "kernel"},
	};
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t len, i;
	char *data = feed_testing_read_shared(SAMPLES, &len);
	json_t *r, *a;

	(void)state;
	assert_int_equal(feed_parse_csaf(SAMPLES, data, len, &sink), ASEC_OK);
	assert_non_null(r = feed_collector_find(&c, "advisory", "CVE-2021-0084"));
	assert_string_equal(str(r, "severity"), "important");
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT");
	assert_null(json_object_get(r, "cvss"));
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "CVE-2021-0084");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://access.redhat.com/security/cve/CVE-2021-0084");
	for (i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
		assert_non_null(a = entry(r, kernel[i][0], kernel[i][1], "source"));
		assert_string_equal(str(a, "status"), "not_affected");
		assert_null(json_object_get(a, "ranges"));
	}

	assert_non_null(r = feed_collector_find(&c, "advisory", "CVE-2023-4154"));
	assert_string_equal(str(r, "severity"), "Moderate");
	assert_non_null(entry(r, "rhel:6", "samba4", "source"));
	assert_non_null(a = entry(r, "rhel:9", "samba", "source"));
	assert_string_equal(str(a, "status"), "not_affected");
	assert_null(entry(r, "rhel:9", "libsmbclient", NULL));
	assert_int_equal(feed_collector_skips(&c, "CVE-2023-4154",
					      "red_hat_storage_3 (cpe:/a:redhat:storage:3) is not a RHEL"),
			 1);
	feed_collector_free(&c);
	free(data);
}

/* RHSA-2022:0011 (telnet, CVE-2020-10188) ships only for RHEL 7.6
 * AUS/E4S/TUS, so it yields no record; the same document with its streams
 * made mainline shows the advisory path: NEVRA ids without purl, epoch 1,
 * the document as its own advisory, a threat without product ids. */
static void test_rhsa_2022_0011(void **state)
{
	struct feed_collector c;
	size_t len, i;
	char *data = feed_testing_read_shared(SAMPLES, &len);
	json_t *doc = sample_line(data, 6), *family, *b, *r, *a;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(str(json_object_get(json_object_get(doc, "document"), "tracking"), "id"), "RHSA-2022:0011");
	assert_int_equal(parse_json(&c, doc), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-10188",
					      "7Server-7.6.AUS (cpe:/o:redhat:rhel_aus:7.6::server) is pinned"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-10188",
					      "7Server-7.6.E4S (cpe:/o:redhat:rhel_e4s:7.6::server) is pinned to "
					      "a minor release (EUS/AUS/E4S/TUS), which the matcher cannot tell "
					      "from mainline: 7 product statuses left out"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-10188",
					      "no product status is about a package of a RHEL release"),
			 1);
	feed_collector_free(&c);

	/* vendor > product_family > the three product streams */
	family = sub_branches(sub_branches(json_object_get(json_object_get(doc, "product_tree"), "branches"), 0), 0);
	assert_int_equal(json_array_size(family), 3);
	json_array_foreach(family, i, b)
		json_object_set_new(json_object_get(json_object_get(b, "product"), "product_identification_helper"),
				    "cpe", json_string("cpe:/o:redhat:enterprise_linux:7::server"));
	assert_int_equal(parse_json(&c, doc), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_non_null(r = feed_collector_find(&c, "advisory", "CVE-2020-10188"));
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "RHSA-2022:0011");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://access.redhat.com/errata/RHSA-2022:0011");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "RHSA-2022:0011");
	assert_string_equal(str(r, "severity"), "Important");
	assert_string_equal(str(r, "published"), "2020-02-28T00:00:00Z");
	assert_non_null(strstr(str(r, "description"), "nextitem()"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);
	assert_non_null(a = entry(r, "rhel:7", "telnet", "source"));
	assert_string_equal(str(a, "status"), "fixed");
	assert_string_equal(fixed_of(a), "1:0.17-65.el7_6");
	feed_collector_free(&c);
	json_decref(doc);
	free(data);
}

/* A pretty-printed single document gives what its JSON Lines line gives. */
static void test_single_document(void **state)
{
	struct feed_collector c;
	struct feed_sink sink;
	size_t len;
	char *data = feed_testing_read_shared(SAMPLES, &len), *pretty;
	json_t *doc = sample_line(data, 1), *r;

	(void)state;
	assert_non_null(pretty = json_dumps(doc, JSON_INDENT(2)));
	sink = feed_collector_init(&c);
	assert_int_equal(feed_parse_csaf("cve-2023-38545.json", pretty, strlen(pretty), &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(json_array_size(c.skips), 15);
	assert_non_null(r = feed_collector_find(&c, "advisory", "CVE-2023-38545"));
	assert_string_equal(fixed_of(entry(r, "rhel:9", "curl", "source")), "7.76.1-23.el9_2.4");
	feed_collector_free(&c);
	free(pretty);
	json_decref(doc);
	free(data);
}

/* ---- statuses and remediations the shared documents do not show ---- */

static void test_unfixed_statuses(void **state)
{
	struct doc d;
	struct feed_collector c;
	json_t *r, *a;
	const char *id;

	(void)state;
	doc_init(&d, "csaf_vex", "CVE-2099-0001");
	doc_stream(&d, "red_hat_enterprise_linux_7", "cpe:/o:redhat:enterprise_linux:7");
	doc_stream(&d, "red_hat_enterprise_linux_8", "cpe:/o:redhat:enterprise_linux:8");
	doc_stream(&d, "red_hat_enterprise_linux_9", "cpe:/o:redhat:enterprise_linux:9");
	doc_stream(&d, "red_hat_enterprise_linux_10", "cpe:/o:redhat:enterprise_linux:10");
	doc_package(&d, "openssh", "pkg:rpm/redhat/openssh");
	doc_package(&d, "openssh.src", "pkg:rpm/redhat/openssh?arch=src");
	doc_package(&d, "libssh", "pkg:rpm/redhat/libssh?arch=src");
	doc_package(&d, "zlib", NULL);
	doc_package(&d, "bzip2", NULL);
	doc_vuln(&d, "CVE-2099-0001");
	id = doc_component(&d, "openssh.src", "red_hat_enterprise_linux_8");
	doc_status(&d, "known_affected", id);
	doc_remedy(&d, "no_fix_planned", "Will not fix", NULL, id);
	id = doc_component(&d, "openssh", "red_hat_enterprise_linux_8"); /* folded into openssh.src */
	doc_status(&d, "known_affected", id);
	doc_remedy(&d, "no_fix_planned", "Will not fix", NULL, id);
	id = doc_component(&d, "openssh.src", "red_hat_enterprise_linux_7");
	doc_status(&d, "known_affected", id);
	doc_remedy(&d, "no_fix_planned", "Out of support scope", NULL, id);
	id = doc_component(&d, "openssh.src", "red_hat_enterprise_linux_9");
	doc_status(&d, "known_affected", id);
	doc_remedy(&d, "none_available", "Fix deferred", NULL, id);
	doc_threat(&d, "Low", id);
	id = doc_component(&d, "libssh", "red_hat_enterprise_linux_9");
	doc_status(&d, "known_affected", id);
	doc_remedy(&d, "none_available", "Affected", NULL, id);
	doc_remedy(&d, "workaround", "Do not use it.", NULL, id);
	doc_threat(&d, "moderate", id); /* same word as the aggregate: not repeated */
	id = doc_component(&d, "zlib", "red_hat_enterprise_linux_9");
	doc_status(&d, "known_affected", id); /* no remediation: affected */
	id = doc_component(&d, "bzip2", "red_hat_enterprise_linux_10");
	doc_status(&d, "under_investigation", id);

	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(json_array_size(c.skips), 0);
	r = json_array_get(c.records, 0);
	assert_string_equal(str(r, "severity"), "Moderate");
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "CVE-2099-0001");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://access.redhat.com/security/data/csaf/v2/vex/2099/test.json");
	assert_null(json_object_get(r, "aliases"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 6);
	assert_string_equal(str(entry(r, "rhel:8", "openssh", "source"), "status"), "will_not_fix");
	assert_null(entry(r, "rhel:8", "openssh", "binary"));
	assert_string_equal(str(entry(r, "rhel:7", "openssh", "source"), "status"), "will_not_fix");
	assert_non_null(a = entry(r, "rhel:9", "openssh", "source"));
	assert_string_equal(str(a, "status"), "fix_deferred");
	assert_string_equal(str(a, "severity"), "Low");
	assert_string_equal(str(a, "normalizedSeverity"), "LOW");
	assert_non_null(a = entry(r, "rhel:9", "libssh", "source"));
	assert_string_equal(str(a, "status"), "affected");
	assert_null(json_object_get(a, "severity"));
	assert_null(json_object_get(a, "ranges"));
	assert_string_equal(str(entry(r, "rhel:9", "zlib", "source"), "status"), "affected");
	assert_string_equal(str(entry(r, "rhel:10", "bzip2", "source"), "status"), "under_investigation");
	feed_collector_free(&c);
	json_decref(d.root);
}

/* Fixed versions: the lowest of the mainline z-streams; epochs as the rpm
 * indexer prints them; EUS and ELS; binaries folded only into a source rpm
 * of the same version; modules kept apart; what cannot be used skipped. */
static void test_fixed_versions(void **state)
{
	struct doc d;
	struct feed_collector c;
	json_t *r, *a;
	const char *id;

	(void)state;
	doc_init(&d, "csaf_vex", "CVE-2099-0002");
	doc_stream(&d, "BaseOS-9.2.0.Z.MAIN.EUS", "cpe:/o:redhat:enterprise_linux:9::baseos");
	doc_stream(&d, "BaseOS-9.4.0.Z.MAIN", "cpe:/o:redhat:enterprise_linux:9::baseos");
	doc_stream(&d, "BaseOS-9.0.0.Z.EUS", "cpe:/o:redhat:rhel_eus:9.0::baseos");
	doc_stream(&d, "AppStream-8.10.0.Z.MAIN", "cpe:2.3:a:redhat:enterprise_linux:8:*:appstream:*:*:*:*:*");
	doc_stream(&d, "6Server-ELS", "cpe:/o:redhat:rhel_els:6");
	doc_stream(&d, "9Base-RHOSE-4.16", "cpe:/a:redhat:openshift:4.16::el9");
	doc_stream(&d, "no-release", "cpe:/o:redhat:enterprise_linux");
	doc_package(&d, "foo-2:1.0-3.el9_4.src", "pkg:rpm/redhat/foo@1.0-3.el9_4?arch=src&epoch=2");
	doc_package(&d, "foo-2:1.0-2.el9_2.src", "pkg:rpm/redhat/foo@1.0-2.el9_2?arch=src&epoch=2");
	doc_package(&d, "foo-libs-2:1.0-2.el9_2.x86_64", "pkg:rpm/redhat/foo-libs@1.0-2.el9_2?arch=x86_64&epoch=2");
	doc_package(&d, "foo-0:1.0-1.el9_0.src", "pkg:rpm/redhat/foo@1.0-1.el9_0?arch=src");
	doc_package(&d, "bar-libs-0:3.1-4.el9_2.aarch64", "pkg:rpm/redhat/bar-libs@3.1-4.el9_2?arch=aarch64&epoch=0");
	doc_package(&d, "nodejs-1:18.20.2-1.module+el8.10.0+21511+1a5b9b1e.src",
		    "pkg:rpm/redhat/nodejs@18.20.2-1.module%2Bel8.10.0%2B21511%2B1a5b9b1e?arch=src&epoch=1"
		    "&rpmmod=nodejs:18:8100020240321120707:ad008a3a");
	doc_package(&d, "nodejs-1:20.12.2-2.module+el8.10.0+21513+4c7b8e0f.src",
		    "pkg:rpm/redhat/nodejs@20.12.2-2.module%2Bel8.10.0%2B21513%2B4c7b8e0f?arch=src&epoch=1"
		    "&rpmmod=nodejs:20:8100020240411134119:ad008a3a");
	doc_package(&d, "openssl-1:1.0.1e-58.el6_10.src", NULL);
	doc_package(&d, "cri-o-0:1.29.1-1.rhaos4.16.el9.src", "pkg:rpm/redhat/cri-o@1.29.1-1.rhaos4.16.el9?arch=src");
	doc_package(&d, "ubi9/ubi",
		    "pkg:oci/ubi@sha256%3Aabcdef?repository_url=registry.access.redhat.com/ubi9/ubi&tag=9.4");
	doc_package(&d, "jackson", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.0");
	doc_package(&d, "nover", "pkg:rpm/redhat/nover?arch=src");
	doc_package(&d, "badver", "pkg:rpm/redhat/badver@1.0%21bad?arch=src");
	doc_package(&d, "badepoch", "pkg:rpm/redhat/badepoch@1.0-1?arch=src&epoch=x");
	doc_package(&d, "zsh", "pkg:rpm/redhat/zsh@5.8-9.el9?arch=src");
	doc_vuln(&d, "CVE-2099-0002");
	id = doc_component(&d, "foo-2:1.0-3.el9_4.src", "BaseOS-9.4.0.Z.MAIN");
	doc_status(&d, "fixed", id);
	doc_remedy(&d, "vendor_fix", "Update.", "https://access.redhat.com/errata/RHSA-2099:12345", id);
	id = doc_component(&d, "foo-2:1.0-2.el9_2.src", "BaseOS-9.2.0.Z.MAIN.EUS");
	doc_status(&d, "fixed", id);
	doc_remedy(&d, "vendor_fix", "Update.", "https://access.redhat.com/errata/RHSA-2099:9999", id);
	id = doc_component(&d, "foo-libs-2:1.0-2.el9_2.x86_64", "BaseOS-9.2.0.Z.MAIN.EUS"); /* folded */
	doc_status(&d, "fixed", id);
	id = doc_component(&d, "foo-0:1.0-1.el9_0.src", "BaseOS-9.0.0.Z.EUS"); /* pinned: left out */
	doc_status(&d, "fixed", id);
	doc_remedy(&d, "vendor_fix", "Update.", "https://access.redhat.com/errata/RHSA-2099:0001", id);
	id = doc_component(&d, "bar-libs-0:3.1-4.el9_2.aarch64", "BaseOS-9.2.0.Z.MAIN.EUS"); /* no source listed */
	doc_status(&d, "first_fixed", id);
	id = doc_component(&d, "nodejs-1:18.20.2-1.module+el8.10.0+21511+1a5b9b1e.src", "AppStream-8.10.0.Z.MAIN");
	doc_status(&d, "fixed", id);
	id = doc_component(&d, "nodejs-1:20.12.2-2.module+el8.10.0+21513+4c7b8e0f.src", "AppStream-8.10.0.Z.MAIN");
	doc_status(&d, "fixed", id);
	doc_status(&d, "fixed", doc_component(&d, "openssl-1:1.0.1e-58.el6_10.src", "6Server-ELS"));
	doc_status(&d, "fixed", doc_component(&d, "cri-o-0:1.29.1-1.rhaos4.16.el9.src", "9Base-RHOSE-4.16"));
	doc_status(&d, "fixed", doc_component(&d, "ubi9/ubi", "BaseOS-9.4.0.Z.MAIN"));
	doc_status(&d, "fixed", doc_component(&d, "jackson", "BaseOS-9.4.0.Z.MAIN"));
	doc_status(&d, "fixed", doc_component(&d, "nover", "BaseOS-9.4.0.Z.MAIN"));
	doc_status(&d, "fixed", doc_component(&d, "badver", "BaseOS-9.4.0.Z.MAIN"));
	doc_status(&d, "fixed", doc_component(&d, "badepoch", "BaseOS-9.4.0.Z.MAIN"));
	doc_status(&d, "fixed", doc_component(&d, "zsh", "no-release"));

	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	r = json_array_get(c.records, 0);
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 5);
	assert_non_null(a = entry(r, "rhel:9", "foo", "source"));
	assert_string_equal(fixed_of(a), "2:1.0-2.el9_2");
	assert_null(entry(r, "rhel:9", "foo-libs", NULL));
	assert_non_null(a = entry(r, "rhel:9", "bar-libs", "binary"));
	assert_string_equal(fixed_of(a), "3.1-4.el9_2");
	assert_non_null(a = entry(r, "rhel:6", "openssl", "source"));
	assert_string_equal(fixed_of(a), "1:1.0.1e-58.el6_10");
	/* two module streams of nodejs stay apart (entries are sorted by
	 * release, module, package) */
	assert_non_null(a = json_array_get(json_object_get(r, "affected"), 1));
	assert_string_equal(str(a, "package"), "nodejs");
	assert_string_equal(str(a, "module"), "nodejs:18");
	assert_string_equal(fixed_of(a), "1:18.20.2-1.module+el8.10.0+21511+1a5b9b1e");
	assert_non_null(a = json_array_get(json_object_get(r, "affected"), 2));
	assert_string_equal(str(a, "module"), "nodejs:20");
	assert_string_equal(fixed_of(a), "1:20.12.2-2.module+el8.10.0+21513+4c7b8e0f");
	assert_null(json_object_get(entry(r, "rhel:9", "foo", NULL), "module"));
	/* the advisory is the RHSA behind the chosen fix; RHSA-2099:0001 (EUS) is not an alias */
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "RHSA-2099:9999");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "RHSA-2099:9999");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 1)), "RHSA-2099:12345");

	assert_int_equal(json_array_size(c.skips), 8);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0002",
					      "BaseOS-9.0.0.Z.EUS (cpe:/o:redhat:rhel_eus:9.0::baseos) is pinned"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0002",
					      "9Base-RHOSE-4.16 (cpe:/a:redhat:openshift:4.16::el9) is not a RHEL"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0002",
					      "no-release (cpe:/o:redhat:enterprise_linux) has a RHEL CPE without"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0002",
					      "1 product statuses left out: container images (pkg:oci)"),
			 1);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2099-0002", "1 product statuses left out: not Red Hat rpm packages"), 1);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2099-0002", "1 product statuses left out: fixed without a version"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0002",
					      "1 product statuses left out: fixed in something that is not a valid"),
			 1);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2099-0002", "1 product statuses left out: packages whose purl"), 1);
	feed_collector_free(&c);
	json_decref(d.root);
}

/* Streams that disagree about one package: fixed wins over affected, which
 * wins over not_affected; per-product impact differing from the record's. */
static void test_precedence(void **state)
{
	struct doc d;
	struct feed_collector c;
	json_t *r;
	const char *id;

	(void)state;
	doc_init(&d, "csaf_vex", "CVE-2099-0003");
	doc_stream(&d, "AppStream-9", "cpe:/a:redhat:enterprise_linux:9::appstream");
	doc_stream(&d, "red_hat_enterprise_linux_9", "cpe:/o:redhat:enterprise_linux:9");
	doc_package(&d, "vim-2:9.0-1.el9.src", NULL);
	doc_package(&d, "vim", NULL);
	doc_package(&d, "nano", NULL);
	doc_vuln(&d, "CVE-2099-0003");
	id = doc_component(&d, "vim", "red_hat_enterprise_linux_9");
	doc_status(&d, "known_affected", id);
	doc_threat(&d, "Critical", id);
	doc_status(&d, "fixed", doc_component(&d, "vim-2:9.0-1.el9.src", "AppStream-9"));
	doc_status(&d, "known_not_affected", doc_component(&d, "nano", "red_hat_enterprise_linux_9"));
	id = doc_component(&d, "nano", "AppStream-9");
	doc_status(&d, "known_affected", id);
	doc_threat(&d, "Low", id);
	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_non_null(r = json_array_get(c.records, 0));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 2);
	assert_string_equal(fixed_of(entry(r, "rhel:9", "vim", "source")), "2:9.0-1.el9");
	assert_string_equal(str(entry(r, "rhel:9", "nano", "source"), "status"), "affected");
	assert_string_equal(str(entry(r, "rhel:9", "nano", "source"), "severity"), "Low");
	/* the product threats disagree: the document's aggregate stands */
	assert_string_equal(str(r, "severity"), "Moderate");
	assert_null(json_object_get(entry(r, "rhel:9", "vim", "source"), "severity"));
	feed_collector_free(&c);
	json_decref(d.root);
}

/* ---- hostile and malformed input ---- */

static void test_not_csaf(void **state)
{
	static const char *const inputs[] = {
		"",
		"   \n\n",
		"not json at all",
		"{\"foo\": 1}",
		"[{\"document\": {\"category\": \"csaf_vex\"}}]",
		"{\"document\": \"csaf_vex\"}",
		"{\"document\": {\"category\": \"csaf_vex\"", /* truncated */
		"garbage\n{\"document\":{\"category\":\"csaf_vex\"},\"vulnerabilities\":[]}\n",
		"{\"id\":\"GHSA-xxxx\",\"affected\":[]}\n{\"id\":\"GHSA-yyyy\"}\n", /* OSV lines */
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		assert_int_equal(parse_text(&c, inputs[i]), ASEC_EINVALID);
		assert_int_equal(json_array_size(c.records), 0);
		assert_true(strlen(error_last()) > 0);
		feed_collector_free(&c);
	}
}

static void test_document_problems(void **state)
{
	struct feed_collector c;

	(void)state;
	/* no product_tree: the CVE is skipped, the file is CSAF */
	assert_int_equal(parse_q(&c, "{'document':{'category':'csaf_vex','tracking':{'id':'CVE-2099-1001'}},"
				     "'vulnerabilities':[{'cve':'CVE-2099-1001','product_status':{'fixed':['a:b']}}]}"),
			 ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1001", "the document has no product_tree"), 1);
	feed_collector_free(&c);

	/* product_tree of the wrong type, branches of the wrong type */
	assert_int_equal(parse_q(&c, "{'document':{'category':'csaf_vex'},'product_tree':[1,2],"
				     "'vulnerabilities':[{'cve':'CVE-2099-1002','product_status':{'fixed':['a:b']}}]}"),
			 ASEC_OK);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1002", "no product_tree"), 1);
	feed_collector_free(&c);
	assert_int_equal(
		parse_q(&c, "{'document':{'category':'csaf_vex'},'product_tree':{'branches':'x','relationships':7},"
			    "'vulnerabilities':[{'cve':'CVE-2099-1003','product_status':{'fixed':['a:b']}}]}"),
		ASEC_OK);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1003",
					      "1 product statuses left out: unknown to the product tree"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1003", "no product status is about"), 1);
	feed_collector_free(&c);

	/* deleted, no vulnerabilities, vulnerabilities of the wrong type */
	assert_int_equal(
		parse_q(&c, "{'document':{'category':'csaf_vex','tracking':{'id':'CVE-2099-1004','status':'deleted'}},"
			    "'vulnerabilities':[{'cve':'CVE-2099-1004'}]}"),
		ASEC_OK);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1004", "marked deleted"), 1);
	feed_collector_free(&c);
	assert_int_equal(
		parse_q(&c, "{'document':{'csaf_version':'2.0','tracking':{'id':'RHSA-2099:1'}},'vulnerabilities':{}}"),
		ASEC_OK);
	assert_int_equal(feed_collector_skips(&c, "RHSA-2099:1", "no vulnerabilities"), 1);
	feed_collector_free(&c);

	/* vulnerabilities that are not objects, without a CVE, twice, with
	 * product_status of the wrong type, status lists holding non-ids */
	assert_int_equal(
		parse_q(&c,
			"{'document':{'category':'csaf_vex','tracking':{'id':'X'}},'product_tree':{},"
			"'vulnerabilities':[7,{'cve':12},{'ids':[]},{'cve':'CVE-2099-1005','product_status':[]},"
			"{'cve':'CVE-2099-1005'},{'cve':'CVE-2099-1006','product_status':{'fixed':'a','known_affected':"
			"[1,null,'',{}],'known_not_affected':{}}}]}"),
		ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(feed_collector_skips(&c, "X", "not an object"), 1);
	assert_int_equal(feed_collector_skips(&c, "X", "without a CVE id"), 2);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1005", "no product_status"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1005", "appears twice"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1006", "4 product statuses left out: not product ids"), 1);
	feed_collector_free(&c);
}

static void test_relationship_problems(void **state)
{
	struct doc d;
	struct feed_collector c;
	json_t *rel;
	char id[64];
	int i;

	(void)state;
	doc_init(&d, "csaf_vex", "CVE-2099-0010");
	doc_stream(&d, "rhel9", "cpe:/o:redhat:enterprise_linux:9");
	doc_package(&d, "good", NULL);
	doc_vuln(&d, "CVE-2099-0010");
	doc_status(&d, "known_affected", doc_component(&d, "good", "rhel9"));
	/* a cycle: x is a component of rhel9 made of y, which is made of x */
	json_array_append_new(d.relationships, json_pack("{s:s, s:{s:s}, s:s, s:s}", "category", "default_component_of",
							 "full_product_name", "product_id", "x", "product_reference",
							 "y", "relates_to_product_reference", "rhel9"));
	json_array_append_new(d.relationships, json_pack("{s:s, s:{s:s}, s:s, s:s}", "category", "default_component_of",
							 "full_product_name", "product_id", "y", "product_reference",
							 "x", "relates_to_product_reference", "rhel9"));
	doc_status(&d, "known_affected", "x");
	/* a stream that relates to itself through a chain */
	json_array_append_new(d.relationships, json_pack("{s:s, s:{s:s}, s:s, s:s}", "category", "default_component_of",
							 "full_product_name", "product_id", "s1", "product_reference",
							 "good", "relates_to_product_reference", "s1"));
	doc_status(&d, "known_affected", "s1");
	/* relationships naming products that do not exist, and unknown ids */
	doc_status(&d, "known_affected", doc_component(&d, "ghost", "rhel9"));
	doc_status(&d, "known_affected", doc_component(&d, "good", "ghost-stream"));
	doc_status(&d, "fixed", "nowhere:at-all");
	/* a relationship of another category, and malformed ones */
	json_array_append_new(d.relationships, json_pack("{s:s, s:{s:s}, s:s, s:s}", "category", "installed_on",
							 "full_product_name", "product_id", "inst", "product_reference",
							 "good", "relates_to_product_reference", "rhel9"));
	doc_status(&d, "known_affected", "inst");
	json_array_append_new(d.relationships, json_pack("{s:i, s:[], s:{}, s:n}", "category", 1, "full_product_name",
							 "product_reference", "relates_to_product_reference"));
	/* a product declared as a status (no relationship) */
	doc_status(&d, "known_affected", "rhel9");
	/* a long but legal chain: c5 -> c4 -> ... -> good */
	for (i = 1; i <= 5; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		rel = json_pack("{s:s, s:{s:s}, s:s, s:s}", "category", "default_component_of", "full_product_name",
				"product_id", id, "product_reference", i == 1 ? "good" : "",
				"relates_to_product_reference", "rhel9");
		if (i > 1) {
			char prev[64];

			snprintf(prev, sizeof(prev), "c%d", i - 1);
			json_object_set_new(rel, "product_reference", json_string(prev));
		}
		json_array_append_new(d.relationships, rel);
	}
	doc_status(&d, "known_not_affected", "c5");

	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(c.records, 0), "affected")), 1);
	assert_string_equal(str(entry(json_array_get(c.records, 0), "rhel:9", "good", "source"), "status"), "affected");
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0010",
					      "2 product statuses left out: resolved through a relationship "
					      "chain deeper than 8"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0010",
					      "3 product statuses left out: unknown to the product tree"),
			 1);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2099-0010", "2 product statuses left out: not components of a"), 1);
	assert_int_equal(json_array_size(c.skips), 3);
	feed_collector_free(&c);
	json_decref(d.root);
}

/* Products, statuses and nesting beyond the bounds; huge strings. */
static void test_bounds(void **state)
{
	struct feed_collector c;
	struct doc d;
	json_t *branch, *deepest, *r;
	size_t i, n = 200001, cap = n * 80 + 1024, len = 0;
	char *big = malloc(cap), *desc;
	const char *id;

	(void)state;
	assert_non_null(big);
	/* more products than the index takes */
	len += (size_t)snprintf(big + len, cap - len,
				"{\"document\":{\"category\":\"csaf_vex\"},\"product_tree\":"
				"{\"branches\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(big + len, cap - len,
					"%s{\"product\":{\"name\":\"p\",\"product_id\":\"p%zu\"}}", i ? "," : "", i);
	len += (size_t)snprintf(big + len, cap - len, "]},\"vulnerabilities\":[{\"cve\":\"CVE-2099-1007\"}]}");
	{
		struct feed_sink sink = feed_collector_init(&c);

		assert_int_equal(feed_parse_csaf("big.json", big, len, &sink), ASEC_OK);
	}
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1007", "more than 200000 products"), 1);
	feed_collector_free(&c);

	/* more statuses than one vulnerability may list */
	len = (size_t)snprintf(big, cap,
			       "{\"document\":{\"category\":\"csaf_vex\"},\"product_tree\":{},"
			       "\"vulnerabilities\":[{\"cve\":\"CVE-2099-1008\",\"product_status\":{\"fixed\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(big + len, cap - len, "%s\"s%zu\"", i ? "," : "", i);
	len += (size_t)snprintf(big + len, cap - len, "]}}]}");
	{
		struct feed_sink sink = feed_collector_init(&c);

		assert_int_equal(feed_parse_csaf("big.json", big, len, &sink), ASEC_OK);
	}
	assert_int_equal(json_array_size(c.skips), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-1008", "more than 200000 product ids"), 1);
	feed_collector_free(&c);
	free(big);

	/* branches nested deeper than 16 */
	doc_init(&d, "csaf_vex", "CVE-2099-0009");
	deepest = d.packages;
	for (i = 0; i < 20; i++) {
		branch = json_pack("{s:s, s:[]}", "category", "product_family", "branches");
		json_array_append_new(deepest, branch);
		deepest = json_object_get(branch, "branches");
	}
	doc_vuln(&d, "CVE-2099-0009");
	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0009", "deeper than 16"), 1);
	feed_collector_free(&c);
	json_decref(d.root);

	/* JSON nested beyond what jansson reads: not a document */
	big = malloc(100002);
	assert_non_null(big);
	memset(big, '[', 100000);
	big[100000] = '\0';
	assert_int_equal(parse_text(&c, big), ASEC_EINVALID);
	feed_collector_free(&c);
	free(big);

	/* a 1 MiB description is cut; a 100 KiB product id is no id */
	doc_init(&d, "csaf_vex", "CVE-2099-0011");
	doc_stream(&d, "rhel9", "cpe:/o:redhat:enterprise_linux:9");
	doc_package(&d, "ok", NULL);
	doc_vuln(&d, "CVE-2099-0011");
	doc_status(&d, "known_affected", doc_component(&d, "ok", "rhel9"));
	desc = malloc(1 << 20);
	assert_non_null(desc);
	memset(desc, 'a', (1 << 20) - 1);
	desc[(1 << 20) - 1] = '\0';
	json_object_set_new(json_array_get(json_object_get(d.vuln, "notes"), 0), "text", json_string(desc));
	desc[100 * 1024] = '\0';
	id = desc;
	doc_status(&d, "known_affected", id);
	assert_int_equal(parse_json(&c, d.root), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_non_null(r = json_array_get(c.records, 0));
	assert_int_equal(strlen(str(r, "description")), FEED_MAX_TEXT_BYTES);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0011", "1 product statuses left out: not product ids"), 1);
	feed_collector_free(&c);
	free(desc);
	json_decref(d.root);
}

/* JSON Lines: bad lines after a good first one are skipped, blank lines
 * ignored; the sink's nonzero return stops the parser. */
static int stop_record(void *ctx, json_t *record)
{
	(*(int *)ctx)++;
	json_decref(record);
	return 7;
}

static void noop_skip(void *ctx, const char *id, const char *reason)
{
	(void)ctx;
	(void)id;
	(void)reason;
}

static void test_lines(void **state)
{
	struct feed_collector c;
	struct doc d;
	char *line, *text;
	size_t n;
	int records = 0;

	(void)state;
	doc_init(&d, "csaf_vex", "CVE-2099-0020");
	doc_stream(&d, "rhel9", "cpe:/o:redhat:enterprise_linux:9");
	doc_package(&d, "pkg", NULL);
	doc_vuln(&d, "CVE-2099-0020");
	doc_status(&d, "known_affected", doc_component(&d, "pkg", "rhel9"));
	line = json_dumps(d.root, JSON_COMPACT);
	assert_non_null(line);
	n = strlen(line) * 2 + 256;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n,
		 "%s\n\n{\"truncated\": \n[1,2]\n{\"document\":{\"category\":\"csaf_vex\",\"tracking\":"
		 "{\"id\":\"CVE-2099-0021\"}},\"vulnerabilities\":[]}\r\n%s",
		 line, line);
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	assert_int_equal(feed_collector_skips(&c, "", "line 2 is left out"), 1);
	assert_int_equal(feed_collector_skips(&c, "", "line 3 is left out: not a CSAF document"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2099-0021", "no vulnerabilities"), 1);
	assert_int_equal(json_array_size(c.skips), 3);
	feed_collector_free(&c);

	{
		struct feed_sink sink = {stop_record, noop_skip, &records};

		assert_int_equal(feed_parse_csaf("x", text, strlen(text), &sink), 7);
		assert_int_equal(records, 1);
	}
	free(text);
	free(line);
	json_decref(d.root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_counts),
		cmocka_unit_test(test_curl),
		cmocka_unit_test(test_not_affected),
		cmocka_unit_test(test_rhsa_2022_0011),
		cmocka_unit_test(test_single_document),
		cmocka_unit_test(test_unfixed_statuses),
		cmocka_unit_test(test_fixed_versions),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_not_csaf),
		cmocka_unit_test(test_document_problems),
		cmocka_unit_test(test_relationship_problems),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
