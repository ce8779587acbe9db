/*
 * kev.c - CISA's Known Exploited Vulnerabilities catalog as enrichment
 * ("kev" records).
 *
 * The catalog is one JSON document,
 *   {"title", "catalogVersion", "dateReleased", "count", "vulnerabilities":
 *    [{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded",
 *      "shortDescription", "requiredAction", "dueDate",
 *      "knownRansomwareCampaignUse", "notes", "cwes": [...]}]}
 * and each entry becomes one record keyed by its CVE: that a CVE is in the
 * catalog at all is the fact the matcher wants (it raises a finding's
 * priority), so the entry's dates and CISA's words are kept as written:
 * vulnerabilityName becomes "name", shortDescription "description", and
 * the rest keep their names. An entry needs a CVE id and a dateAdded that
 * is a date, or it is skipped with the reason; an entry whose CVE was
 * already listed is skipped too, so that a record's id is unique per file
 * (a hash set of the ids seen: the catalog has a few thousand entries).
 */
#include "feeds/feed.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error/error.h"

#define KEV_MAX_ID 64	  /* "CVE-YYYY-NNNN..." */
#define KEV_MAX_WORD 64	  /* dueDate, knownRansomwareCampaignUse */
#define KEV_MAX_CWES 64	  /* CWE ids kept per entry */
#define KEV_MAX_CWE 32
#define KEV_REASON 512

static void kev_skip(const struct feed_sink *sink, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void kev_skip(const struct feed_sink *sink, const char *id, const char *fmt, ...)
{
	char reason[KEV_REASON];
	size_t n;
	va_list ap;

	if (!sink->skip)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* quoted values are cut by byte count: keep the reason printable ASCII */
	for (n = 0; reason[n]; n++)
		if ((unsigned char)reason[n] < 0x20 || (unsigned char)reason[n] >= 0x7f)
			reason[n] = '?';
	sink->skip(sink->ctx, id ? id : "", reason);
}

/* "CVE-" four digits "-" four or more digits. */
static int kev_valid_id(const char *s)
{
	size_t i, digits = 0;

	if (!s || strlen(s) > KEV_MAX_ID || strncmp(s, "CVE-", 4) != 0)
		return 0;
	for (i = 4; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[8] != '-')
		return 0;
	for (i = 9; s[i]; i++, digits++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return digits >= 4;
}

/* "YYYY-MM-DD" with a month and day that can exist. */
static int kev_valid_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;
	int month, day;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return 0;
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static const char *kev_string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A short value kept as written, when it is a plausible one. */
static int kev_set_word(json_t *rec, const char *key, const char *value)
{
	if (!value || !*value || strlen(value) > KEV_MAX_WORD)
		return 0;
	return json_object_set_new(rec, key, json_string(value));
}

/* The entry's "CWE-<digits>" ids, once each. */
static int kev_set_cwes(json_t *rec, const json_t *list)
{
	json_t *cwes;
	const json_t *v, *have;
	size_t i, k;

	if (!json_is_array(list))
		return 0;
	if (!(cwes = json_array()) || json_object_set_new(rec, "cwes", cwes))
		return -1;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		int dup = 0;

		if (!s || strncmp(s, "CWE-", 4) != 0 || !s[4] || strlen(s) > KEV_MAX_CWE ||
		    strspn(s + 4, "0123456789") != strlen(s + 4))
			continue;
		if (json_array_size(cwes) == KEV_MAX_CWES)
			break;
		json_array_foreach(cwes, k, have)
			if (strcmp(json_string_value(have), s) == 0)
				dup = 1;
		if (!dup && json_array_append_new(cwes, json_string(s)))
			return -1;
	}
	return 0;
}

/* One catalog entry; 0 when it was emitted or skipped. */
static int kev_entry(const struct feed_sink *sink, json_t *seen, size_t index, const json_t *e)
{
	const char *id = kev_string(e, "cveID"), *added = kev_string(e, "dateAdded");
	json_t *rec;
	int failed = 0;

	if (!json_is_object(e)) {
		kev_skip(sink, "", "vulnerabilities[%zu] is not an object", index);
		return 0;
	}
	if (!kev_valid_id(id)) {
		kev_skip(sink, "", "vulnerabilities[%zu]: cveID is not a CVE id (\"%.40s\")", index, id ? id : "");
		return 0;
	}
	if (!kev_valid_date(added)) {
		kev_skip(sink, id, "dateAdded is not a YYYY-MM-DD date (\"%.40s\")", added ? added : "");
		return 0;
	}
	if (json_object_get(seen, id)) {
		kev_skip(sink, id, "listed again at vulnerabilities[%zu]; the first entry was kept", index);
		return 0;
	}
	if (json_object_set_new(seen, id, json_true()))
		goto nomem;
	if (!(rec = json_pack("{s:s, s:s, s:s}", "kind", "kev", "id", id, "dateAdded", added)))
		goto nomem;
	failed |= kev_set_word(rec, "dueDate", kev_string(e, "dueDate")) != 0;
	failed |= kev_set_word(rec, "knownRansomwareCampaignUse", kev_string(e, "knownRansomwareCampaignUse")) != 0;
	failed |= kev_set_cwes(rec, json_object_get(e, "cwes")) != 0;
	if (failed) {
		json_decref(rec);
		goto nomem;
	}
	feed_copy_text(rec, "vendorProject", kev_string(e, "vendorProject"));
	feed_copy_text(rec, "product", kev_string(e, "product"));
	feed_copy_text(rec, "name", kev_string(e, "vulnerabilityName"));
	feed_copy_text(rec, "description", kev_string(e, "shortDescription"));
	feed_copy_text(rec, "requiredAction", kev_string(e, "requiredAction"));
	feed_copy_text(rec, "notes", kev_string(e, "notes"));
	return sink->record(sink->ctx, rec);
nomem:
	error_set("kev: out of memory building %s", id);
	return ASEC_ENOMEM;
}

int feed_parse_kev(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	const char *what = name && *name ? name : "the input";
	json_t *doc = NULL, *seen = NULL;
	const json_t *list, *e;
	json_error_t err;
	size_t i;
	int rc = ASEC_OK, any_cve = 0;

	if (!data || !sink || !sink->record) {
		error_set("kev: no data or no sink");
		return ASEC_EINVALID;
	}
	if (len > FEED_MAX_DOCUMENT_BYTES) {
		error_set("kev: %s is larger than the %u MiB a document may be", what, FEED_MAX_DOCUMENT_BYTES >> 20);
		return ASEC_EINVALID;
	}
	if (!(doc = json_loadb(data, len, 0, &err))) {
		error_set("kev: %s is not JSON (line %d: %s)", what, err.line, err.text);
		return ASEC_EINVALID;
	}
	list = json_object_get(doc, "vulnerabilities");
	json_array_foreach(list, i, e)
		if (json_object_get(e, "cveID"))
			any_cve = 1;
	/* NVD's API pages also hold "vulnerabilities"; a catalog says its
	 * version, or at least lists entries with a cveID */
	if (!json_is_object(doc) || !json_is_array(list) ||
	    !(json_object_get(doc, "catalogVersion") || any_cve)) {
		error_set("kev: %s is not a KEV catalog (no \"vulnerabilities\" list of entries with a cveID)", what);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (!(seen = json_object())) {
		error_set("kev: out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	json_array_foreach(list, i, e)
		if ((rc = kev_entry(sink, seen, i, e)))
			goto out;
out:
	json_decref(seen);
	json_decref(doc);
	return rc;
}
