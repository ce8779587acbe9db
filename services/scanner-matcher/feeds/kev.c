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

#include <stdio.h>
#include <string.h>

#include "error/error.h"

#define KEV_MAX_WORD 64 /* dueDate, knownRansomwareCampaignUse */

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
	const json_t *v;
	size_t i;

	if (!json_is_array(list))
		return 0;
	if (!(cwes = json_array()) || json_object_set_new(rec, "cwes", cwes))
		return -1;
	json_array_foreach(list, i, v)
		if (feed_add_cwe(cwes, json_string_value(v)))
			return -1;
	return 0;
}

/* One catalog entry; 0 when it was emitted or skipped. */
static int kev_entry(const struct feed_sink *sink, json_t *seen, size_t index, const json_t *e)
{
	const char *id = kev_string(e, "cveID"), *added = kev_string(e, "dateAdded");
	json_t *rec;
	int failed = 0;

	if (!json_is_object(e)) {
		feed_skipf(sink, "", "vulnerabilities[%zu] is not an object", index);
		return 0;
	}
	if (!feed_is_cve_id(id)) {
		feed_skipf(sink, "", "vulnerabilities[%zu]: cveID is not a CVE id (\"%.40s\")", index, id ? id : "");
		return 0;
	}
	if (!added || strlen(added) != 10 || !feed_is_date(added, 10)) {
		feed_skipf(sink, id, "dateAdded is not a YYYY-MM-DD date (\"%.40s\")", added ? added : "");
		return 0;
	}
	if (json_object_get(seen, id)) {
		feed_skipf(sink, id, "listed again at vulnerabilities[%zu]; the first entry was kept", index);
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
