/*
 * nvd.c - NVD CVE records as enrichment ("nvd" records): the CVE API 2.0
 * response page, the legacy JSON 1.1 data feed, and JSON Lines of either
 * one's items.
 *
 * NVD never says which package is affected in a way the matcher can use
 * (CPE configurations name products, not packages), so what we take from it
 * is what other feeds lack: the English description, the dates, every CVSS
 * metric NVD lists (its own and the CNAs') and the CWE ids. The two schemas
 * carry the same facts under different names:
 *
 *   2.0 item {"cve": {"id", "vulnStatus", "descriptions": [{lang, value}],
 *             "published", "lastModified", "metrics": {"cvssMetricV2" |
 *             "cvssMetricV30" | "cvssMetricV31" | "cvssMetricV40": [{source,
 *             type, cvssData: {version, vectorString, baseScore}}]},
 *             "weaknesses": [{description: [{lang, value}]}]}}
 *   1.1 item {"cve": {"CVE_data_meta": {"ID"}, "description":
 *             {"description_data": [...]}, "problemtype": {"problemtype_data":
 *             [{description: [...]}]}}, "impact": {"baseMetricV3": {"cvssV3":
 *             {...}}, "baseMetricV2": {"cvssV2": {...}}}, "publishedDate",
 *             "lastModifiedDate"}
 *
 * Which one a file is, is told by its shape, not its name: a document with
 * "vulnerabilities" is an API page, one with "CVE_Items" a 1.1 feed, one with
 * "cve" a single item; a file whose first JSON value is followed by more is
 * JSON Lines, each line again any of the three (so 2.0 and 1.1 items may be
 * mixed). Each item is read on its own: one that cannot become a record is
 * skipped with its reason and the next one read.
 *
 * Rejected CVEs (vulnStatus "Rejected" in 2.0; in 1.1, which has no status,
 * a description starting "** REJECT **" or, in feeds rebuilt from the 2.0
 * API, "Rejected reason:") are skipped: they are not vulnerabilities.
 *
 * CVSS: the score is the one the feed gives; a metric without a usable score
 * is scored from its vector with cvss_parse(), and one with neither is left
 * out with a reason. Entries come newest version first (4.0, 3.1, 3.0, 2.0),
 * in the feed's order within a version, so the first is the one to show. The
 * 1.1 schema names no source: the feed is NVD's, so its metrics are
 * attributed to nvd@nist.gov, and "type" (Primary/Secondary) is left out
 * because the schema cannot say it. CWE ids are the "CWE-<n>" values, once
 * each; NVD's placeholders NVD-CWE-Other and NVD-CWE-noinfo mean "no CWE"
 * and are dropped.
 */
#include "feeds/feed.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cvss/cvss.h"
#include "error/error.h"

#define NVD_MAX_ID 64	    /* "CVE-YYYY-NNNN..." */
#define NVD_MAX_DATE 64	    /* "2024-01-06T03:15:43.990" */
#define NVD_MAX_SOURCE 256  /* "security-advisories@github.com" */
#define NVD_MAX_METRICS 32  /* entries read per metric list */
#define NVD_MAX_DESCRIPTIONS 64 /* description entries looked at */

struct nvd_reader {
	const struct feed_sink *sink;
	size_t line;  /* 1-based line of JSON Lines; 0 for a whole document */
	size_t items; /* items recognized (emitted or skipped) */
};

/* Tells the sink why something was left out; the line, in JSON Lines. */
static void nvd_skip(struct nvd_reader *r, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void nvd_skip(struct nvd_reader *r, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	feed_vskipf(r->sink, id, r->line, fmt, ap);
	va_end(ap);
}

static const char *nvd_string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The value of the first English entry of a [{lang, value}] list. */
static const char *nvd_english(const json_t *list)
{
	size_t i;
	const json_t *e;

	if (!json_is_array(list))
		return NULL;
	json_array_foreach(list, i, e) {
		const char *lang = nvd_string(e, "lang"), *value = nvd_string(e, "value");

		if (i >= NVD_MAX_DESCRIPTIONS)
			break;
		if (lang && value && (strcasecmp(lang, "en") == 0 || strncasecmp(lang, "en-", 3) == 0))
			return value;
	}
	return NULL;
}

static int nvd_rejected_text(const char *description)
{
	if (!description)
		return 0;
	while (*description == ' ' || *description == '\t' || *description == '\n' || *description == '\r')
		description++;
	return strncmp(description, "** REJECT **", 12) == 0 || strncmp(description, "Rejected reason:", 16) == 0;
}

/* A date kept only when it is a plausible string. */
static int nvd_set_date(json_t *rec, const char *key, const char *value)
{
	if (!value || !*value || strlen(value) > NVD_MAX_DATE)
		return 0;
	return json_object_set_new(rec, key, json_string(value));
}

/* Adds one CVSS metric: data is the cvssData / cvssV2 / cvssV3 object,
 * fallback the version its list stands for (NULL when the list does not
 * say, as 1.1's baseMetricV3 does not). Returns 0, or -1 when memory ran
 * out; a metric that cannot be used is reported and left out. */
static int nvd_add_cvss(struct nvd_reader *r, json_t *cvss, const char *id, const json_t *data, const char *fallback,
			const char *source, const char *type, const char *list)
{
	static const char *const versions[] = {"2.0", "3.0", "3.1", "4.0"};
	const char *vector = nvd_string(data, "vectorString"), *declared = nvd_string(data, "version");
	const char *version = NULL;
	const json_t *score = json_object_get(data, "baseScore");
	json_t *entry;
	double value = -1;
	size_t i;

	if (!json_is_object(data)) {
		nvd_skip(r, id, "a %s entry without its CVSS data object; that metric was left out", list);
		return 0;
	}
	if (!vector || !*vector || strlen(vector) > CVSS_MAX_VECTOR) {
		nvd_skip(r, id, "a %s entry without a usable vectorString; that metric was left out", list);
		return 0;
	}
	for (i = 0; declared && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(declared, versions[i]) == 0)
			version = versions[i];
	if (!version && strncmp(vector, "CVSS:", 5) == 0) {
		for (i = 1; i < sizeof(versions) / sizeof(versions[0]); i++)
			if (strncmp(vector + 5, versions[i], 3) == 0 && vector[8] == '/')
				version = versions[i];
	}
	if (!version)
		version = fallback;
	if (!version) {
		nvd_skip(r, id, "a %s entry whose CVSS version cannot be told (\"%.40s\"); that metric was left out", list,
			 vector);
		return 0;
	}
	if (json_is_number(score) && json_number_value(score) >= 0 && json_number_value(score) <= 10) {
		value = json_number_value(score);
	} else {
		struct cvss_result computed;

		if (cvss_parse(&computed, vector) != ASEC_OK) {
			nvd_skip(r, id, "a %s entry has no score and its vector does not score (%s); that metric was left out",
				 list, error_last());
			return 0;
		}
		value = computed.base_score;
	}
	if (!(entry = json_pack("{s:s, s:s, s:f}", "version", version, "vector", vector, "score", value)))
		return -1;
	if ((source && *source && strlen(source) <= NVD_MAX_SOURCE &&
	     json_object_set_new(entry, "source", json_string(source))) ||
	    (type && (strcmp(type, "Primary") == 0 || strcmp(type, "Secondary") == 0) &&
	     json_object_set_new(entry, "type", json_string(type)))) {
		json_decref(entry);
		return -1;
	}
	return json_array_append_new(cvss, entry);
}

/* The metrics of one 2.0 list, e.g. "cvssMetricV31". */
static int nvd_add_v2_list(struct nvd_reader *r, json_t *cvss, const char *id, const json_t *metrics,
			   const char *list, const char *version)
{
	const json_t *entries = json_object_get(metrics, list), *m;
	size_t i;

	if (!entries)
		return 0;
	if (!json_is_array(entries)) {
		nvd_skip(r, id, "metrics.%s is not an array; those metrics were left out", list);
		return 0;
	}
	json_array_foreach(entries, i, m) {
		if (i == NVD_MAX_METRICS) {
			nvd_skip(r, id, "more than %d %s entries; the rest were left out", NVD_MAX_METRICS, list);
			break;
		}
		if (nvd_add_cvss(r, cvss, id, json_object_get(m, "cvssData"), version, nvd_string(m, "source"),
				 nvd_string(m, "type"), list))
			return -1;
	}
	return 0;
}

/* Adds the "CWE-<digits>" values of a [{description: [{lang, value}]}] list
 * to cwes, once each. */
static int nvd_add_cwes(json_t *cwes, const json_t *list)
{
	size_t i, j;
	const json_t *w, *d;

	if (!json_is_array(list))
		return 0;
	json_array_foreach(list, i, w)
		json_array_foreach(json_object_get(w, "description"), j, d)
			if (feed_add_cwe(cwes, nvd_string(d, "value")))
				return -1;
	return 0;
}

/* Builds the record's common part; NULL when memory ran out. */
static json_t *nvd_record_new(const char *id, const char *description, json_t **cvss, json_t **cwes)
{
	char link[sizeof("https://nvd.nist.gov/vuln/detail/") + NVD_MAX_ID];
	json_t *rec;

	snprintf(link, sizeof(link), "https://nvd.nist.gov/vuln/detail/%s", id);
	rec = json_pack("{s:s, s:s, s:[], s:[], s:s}", "kind", "nvd", "id", id, "cvss", "cwes", "link", link);
	if (!rec)
		return NULL;
	*cvss = json_object_get(rec, "cvss");
	*cwes = json_object_get(rec, "cwes");
	feed_copy_text(rec, "description", description);
	return rec;
}

static int nvd_emit(struct nvd_reader *r, json_t *rec, int failed)
{
	if (failed || !rec) {
		json_decref(rec);
		error_set("nvd: out of memory building a record");
		return ASEC_ENOMEM;
	}
	return r->sink->record(r->sink->ctx, rec);
}

/* One CVE API 2.0 item, {"cve": {...}}. */
static int nvd_item_v2(struct nvd_reader *r, const json_t *cve)
{
	static const struct {
		const char *list, *version;
	} lists[] = {
		{"cvssMetricV40", "4.0"}, {"cvssMetricV31", "3.1"}, {"cvssMetricV30", "3.0"}, {"cvssMetricV2", "2.0"},
	};
	const char *id = nvd_string(cve, "id"), *status = nvd_string(cve, "vulnStatus");
	const char *description = nvd_english(json_object_get(cve, "descriptions"));
	const json_t *metrics = json_object_get(cve, "metrics");
	json_t *rec, *cvss = NULL, *cwes = NULL;
	int failed = 0;
	size_t i;

	if (!feed_is_cve_id(id)) {
		nvd_skip(r, "", "an item whose cve.id is not a CVE id (\"%.40s\")", id ? id : "");
		return 0;
	}
	if ((status && strcasecmp(status, "Rejected") == 0) || nvd_rejected_text(description)) {
		nvd_skip(r, id, "rejected CVE (%s)", status && strcasecmp(status, "Rejected") == 0
							 ? "vulnStatus Rejected"
							 : "its description says it was rejected");
		return 0;
	}
	if (!(rec = nvd_record_new(id, description, &cvss, &cwes)))
		return nvd_emit(r, NULL, 1);
	failed |= nvd_set_date(rec, "published", nvd_string(cve, "published")) != 0;
	failed |= nvd_set_date(rec, "modified", nvd_string(cve, "lastModified")) != 0;
	if (metrics && !json_is_object(metrics))
		nvd_skip(r, id, "metrics is not an object; the CVE's CVSS metrics were left out");
	else
		for (i = 0; metrics && i < sizeof(lists) / sizeof(lists[0]); i++)
			failed |= nvd_add_v2_list(r, cvss, id, metrics, lists[i].list, lists[i].version) != 0;
	failed |= nvd_add_cwes(cwes, json_object_get(cve, "weaknesses")) != 0;
	return nvd_emit(r, rec, failed);
}

/* One JSON 1.1 item, an element of CVE_Items. */
static int nvd_item_v11(struct nvd_reader *r, const json_t *item)
{
	const json_t *cve = json_object_get(item, "cve"), *impact = json_object_get(item, "impact");
	const char *id = nvd_string(json_object_get(cve, "CVE_data_meta"), "ID");
	const char *description = nvd_english(json_object_get(json_object_get(cve, "description"), "description_data"));
	const json_t *v3 = json_object_get(impact, "baseMetricV3"), *v2 = json_object_get(impact, "baseMetricV2");
	json_t *rec, *cvss = NULL, *cwes = NULL;
	int failed = 0;

	if (!feed_is_cve_id(id)) {
		nvd_skip(r, "", "an item whose cve.CVE_data_meta.ID is not a CVE id (\"%.40s\")", id ? id : "");
		return 0;
	}
	if (nvd_rejected_text(description)) {
		nvd_skip(r, id, "rejected CVE (its description says it was rejected)");
		return 0;
	}
	if (!(rec = nvd_record_new(id, description, &cvss, &cwes)))
		return nvd_emit(r, NULL, 1);
	failed |= nvd_set_date(rec, "published", nvd_string(item, "publishedDate")) != 0;
	failed |= nvd_set_date(rec, "modified", nvd_string(item, "lastModifiedDate")) != 0;
	if (v3 && nvd_add_cvss(r, cvss, id, json_object_get(v3, "cvssV3"), NULL, "nvd@nist.gov", NULL,
			       "impact.baseMetricV3"))
		failed = 1;
	if (v2 && nvd_add_cvss(r, cvss, id, json_object_get(v2, "cvssV2"), "2.0", "nvd@nist.gov", NULL,
			       "impact.baseMetricV2"))
		failed = 1;
	failed |= nvd_add_cwes(cwes, json_object_get(json_object_get(cve, "problemtype"), "problemtype_data")) != 0;
	return nvd_emit(r, rec, failed);
}

/* An item of either schema; which one by its shape. */
static int nvd_item(struct nvd_reader *r, const json_t *item)
{
	const json_t *cve = json_object_get(item, "cve");

	r->items++;
	if (!json_is_object(cve)) {
		nvd_skip(r, "", "an item without a \"cve\" object");
		return 0;
	}
	if (json_object_get(cve, "CVE_data_meta"))
		return nvd_item_v11(r, item);
	if (json_object_get(cve, "id"))
		return nvd_item_v2(r, cve);
	nvd_skip(r, "", "an item whose cve has neither id (API 2.0) nor CVE_data_meta (JSON 1.1)");
	return 0;
}

/* Reads a whole document of any of the three shapes; *known says whether
 * it was one of them. Returns 0 or the sink's (or memory's) failure. */
static int nvd_document(struct nvd_reader *r, const json_t *doc, int *known)
{
	const json_t *list = NULL, *e;
	size_t i;
	int rc;

	*known = 0;
	if (!json_is_object(doc))
		return 0;
	if ((list = json_object_get(doc, "vulnerabilities"))) {
		const char *format = nvd_string(doc, "format");
		int any_cve = json_array_size(list) == 0;

		/* KEV catalogs also hold "vulnerabilities": an API page says
		 * format NVD_CVE, or at least holds {"cve": ...} items */
		json_array_foreach(list, i, e)
			if (json_is_object(json_object_get(e, "cve")))
				any_cve = 1;
		if (!json_is_array(list) || (format ? strcmp(format, "NVD_CVE") != 0 : !any_cve))
			return 0;
	} else if ((list = json_object_get(doc, "CVE_Items"))) {
		if (!json_is_array(list))
			return 0;
	} else if (json_object_get(doc, "cve")) {
		*known = 1;
		return nvd_item(r, doc);
	} else {
		return 0;
	}
	*known = 1;
	json_array_foreach(list, i, e) {
		if (!json_is_object(e)) {
			r->items++;
			nvd_skip(r, "", "element %zu of the item list is not an object", i);
			continue;
		}
		if ((rc = nvd_item(r, e)))
			return rc;
	}
	return 0;
}

static int nvd_line(void *ctx, const char *line, size_t len)
{
	struct nvd_reader *r = ctx;
	json_error_t err;
	json_t *doc;
	int rc, known;

	r->line++;
	if (!(doc = json_loadb(line, len, 0, &err))) {
		nvd_skip(r, "", "not JSON (%s)", err.text);
		return 0;
	}
	rc = nvd_document(r, doc, &known);
	json_decref(doc);
	if (!rc && !known)
		nvd_skip(r, "", "neither an NVD API 2.0 nor a JSON 1.1 CVE item, page or feed");
	return rc;
}

/* JSON Lines: feed_each_line skips blank lines, so the line number of a
 * reason is kept right by counting the newlines before each line. */
struct nvd_lines {
	struct nvd_reader *r;
	const char *counted; /* the newlines before this point are counted */
	size_t newlines;
	int gave_up;
};

/* Lines read without finding a single NVD item after which a file is
 * judged not to be NVD JSON Lines at all (rather than reporting every one
 * of its lines). */
#define NVD_GIVE_UP_LINES 1000

static int nvd_each_line(void *ctx, const char *line, size_t len)
{
	struct nvd_lines *l = ctx;
	const char *p = l->counted, *nl;

	while ((nl = memchr(p, '\n', (size_t)(line - p)))) {
		l->newlines++;
		p = nl + 1;
	}
	l->counted = line;
	if (l->r->items == 0 && l->newlines >= NVD_GIVE_UP_LINES) {
		l->gave_up = 1;
		return ASEC_EINVALID;
	}
	l->r->line = l->newlines; /* nvd_line adds the 1 of 1-based */
	return nvd_line(l->r, line, len);
}

int feed_parse_nvd(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct nvd_reader r = {sink, 0, 0};
	struct nvd_lines lines = {&r, data, 0, 0};
	const char *what = name && *name ? name : "the input";
	json_error_t err;
	json_t *first = NULL;
	size_t pos = 0, end;
	int rc, known;

	if (!data || !sink || !sink->record) {
		error_set("nvd: no data or no sink");
		return ASEC_EINVALID;
	}
	while (pos < len && (data[pos] == ' ' || data[pos] == '\t' || data[pos] == '\r' || data[pos] == '\n'))
		pos++;
	if (pos == len) {
		error_set("nvd: %s is empty", what);
		return ASEC_EINVALID;
	}
	err.text[0] = '\0';
	/* One document, unless its first value is followed by more (JSON
	 * Lines) or it is larger than a document may be. */
	if (len <= FEED_MAX_DOCUMENT_BYTES && (first = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &err))) {
		end = err.position > 0 ? (size_t)err.position : 0;
		while (end < len && (data[end] == ' ' || data[end] == '\t' || data[end] == '\r' || data[end] == '\n'))
			end++;
		if (end == len) {
			rc = nvd_document(&r, first, &known);
			json_decref(first);
			if (!rc && !known) {
				error_set("nvd: %s is JSON but neither an NVD API 2.0 page, a JSON 1.1 feed nor a CVE item",
					  what);
				return ASEC_EINVALID;
			}
			return rc;
		}
		json_decref(first);
	}
	if ((rc = feed_each_line(data, len, sink, nvd_each_line, &lines)) && !lines.gave_up)
		return rc;
	if (r.items == 0) {
		error_set("nvd: %s holds no NVD CVE item (%s%s)", what, err.text[0] ? "as one document: " : "",
			  err.text[0] ? err.text : "none of its lines is one");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}
