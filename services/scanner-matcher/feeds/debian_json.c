/*
 * debian_json.c - the Debian security tracker's JSON export
 * (https://security-tracker.debian.org/tracker/data/json) as canonical
 * advisory records: one per (issue, source package), one affected entry per
 * Debian release.
 *
 * The export is one object keyed by source package, then by issue (CVE-* or
 * TEMP-*), then by release code name:
 *
 *   {"zlib": {"CVE-2023-45853": {"description": "...", "scope": "local",
 *      "debianbug": 1054290, "releases": {"bookworm": {"status": "open",
 *      "repositories": {"bookworm": "1:1.2.13.dfsg-1"}, "urgency": "not yet
 *      assigned", "nodsa": "...", "nodsa_reason": "ignored"}, ...}}}}
 *
 * It is written by the tracker's bin/tracker_service.py, which leaves out
 * members whose value would be null. What the fields mean there, and how we
 * turn them into canonical statuses:
 *
 *   status "resolved", fixed_version "0"  the release never had the flaw
 *                                         (a <not-affected> note): not_affected
 *   status "resolved", fixed_version V    affected below V: range [0, V)
 *   status "open" + nodsa_reason "ignored"    the team will not fix it in
 *                                             this release: will_not_fix
 *   status "open" + nodsa_reason "postponed"  fix left for a later update:
 *                                             fix_deferred
 *   status "open", urgency "end-of-life"  the release's support for the
 *                                         package ended: will_not_fix
 *   status "open", urgency "unimportant"  the team will not fix it:
 *                                         will_not_fix (severity LOW)
 *   status "open" otherwise (also plain no-dsa, whose fix may still come
 *                            in a point release): affected, no upper bound
 *   status "undetermined"                 nobody checked yet: under_investigation
 *
 * The statuses that describe a vulnerable package carry the open range
 * {"introduced": "0"} whose "events" quote the tracker's reason, so that an
 * explanation can say why no fix is offered. Releases without a Debian
 * release number (sid, experimental, a code name newer than we know) are
 * left out with a reason: the matcher keys distributions by number.
 * urgency is the vendor's severity word ("low**" marks an NVD-derived one
 * and is normalised without its stars).
 *
 * The idea the reader rests on: the export is tens of megabytes (more than
 * FEED_MAX_DOCUMENT_BYTES, and much more once jansson holds it as a tree), so
 * the top-level object is walked by hand and each source package's value is
 * handed to jansson on its own. A package whose value is broken is skipped
 * and the walk goes on; only a broken top level (not an object, truncated,
 * trailing data) fails the file, because then nothing after it can be
 * trusted to be the rest of the export.
 */
#include "feeds/feed.h"

#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "version/version.h"

#define TRACKER_LINK "https://security-tracker.debian.org/tracker/"
/* Longest issue id and source package name we accept: real ones are short
 * (TEMP-0000000-XXXXXX is 19 bytes, the longest package names about 60). */
#define MAX_ID_LEN 64
#define MAX_PACKAGE_LEN 256
/* How much of a no-dsa comment an explanation quotes. */
#define MAX_REASON_LEN 512

/* ---- walking the top-level object ---- */

static size_t skip_ws(const char *d, size_t len, size_t pos)
{
	while (pos < len && (d[pos] == ' ' || d[pos] == '\t' || d[pos] == '\n' || d[pos] == '\r'))
		pos++;
	return pos;
}

/* Finds where the JSON value starting at pos ends (one past its last byte)
 * without decoding it: a string runs to its closing quote, an object or
 * array until its brackets balance, anything else up to the next delimiter.
 * Returns ASEC_EINVALID when the data ends first. Whether the value is
 * valid JSON is jansson's business afterwards. */
static int value_end(const char *d, size_t len, size_t pos, size_t *end)
{
	size_t depth = 0;
	int in_string = 0;

	if (pos >= len)
		return ASEC_EINVALID;
	if (d[pos] != '"' && d[pos] != '{' && d[pos] != '[') {
		while (pos < len && !memchr(",}] \t\r\n", d[pos], 7))
			pos++;
		*end = pos;
		return ASEC_OK;
	}
	for (; pos < len; pos++) {
		char c = d[pos];

		if (in_string) {
			if (c == '\\')
				pos++; /* the escaped byte cannot end the string */
			else if (c == '"') {
				in_string = 0;
				if (depth == 0) {
					*end = pos + 1;
					return ASEC_OK;
				}
			}
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return ASEC_EINVALID;
			if (--depth == 0) {
				*end = pos + 1;
				return ASEC_OK;
			}
		}
	}
	return ASEC_EINVALID;
}

/* ---- one issue of one package ---- */

static int severity_rank(const char *normalized)
{
	static const char *const order[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	int i;

	for (i = 4; i > 0; i--)
		if (strcmp(normalized, order[i]) == 0)
			break;
	return i;
}

/* The normalized severity of a tracker urgency: "medium**" (NVD-derived)
 * counts as medium; "not yet assigned" and "end-of-life" say nothing about
 * the flaw itself and stay UNKNOWN. */
static const char *urgency_normalized(const char *urgency)
{
	char word[32];
	size_t n;

	if (!urgency)
		return "UNKNOWN";
	n = strlen(urgency);
	while (n && urgency[n - 1] == '*')
		n--;
	if (n >= sizeof(word))
		return "UNKNOWN";
	memcpy(word, urgency, n);
	word[n] = '\0';
	return feed_normalize_severity(word);
}

static int valid_name(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= ' ' || s[n] == 0x7f || n >= max)
			return 0;
	return n > 0;
}

static int valid_issue_id(const char *id)
{
	size_t i;

	if (strncmp(id, "CVE-", 4) != 0 && strncmp(id, "TEMP-", 5) != 0)
		return 0;
	for (i = 0; id[i]; i++)
		if (i >= MAX_ID_LEN || !(id[i] == '-' || (id[i] >= '0' && id[i] <= '9') ||
					 (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z')))
			return 0;
	return 1;
}

/* Adds {"introduced": "0", ["fixed": fixed,] "events": events} as the
 * entry's only range. */
static int set_range(json_t *entry, const char *fixed, const char *events)
{
	json_t *ranges = json_array(), *range = json_object();

	if (!ranges || !range || json_object_set_new(range, "introduced", json_string("0")) ||
	    (fixed && json_object_set_new(range, "fixed", json_string(fixed))) ||
	    json_object_set_new(range, "events", json_string(events))) {
		json_decref(range);
		json_decref(ranges);
		return ASEC_ENOMEM;
	}
	if (json_array_append_new(ranges, range)) {
		json_decref(ranges);
		return ASEC_ENOMEM;
	}
	return json_object_set_new(entry, "ranges", ranges) ? ASEC_ENOMEM : ASEC_OK;
}

/*
 * Builds the affected entry of one release into *out, or leaves *out NULL
 * after telling the sink why the release is left out.
 */
static int release_entry(json_t **out, const struct feed_sink *sink, const char *pkg, const char *id,
			 const char *codename, const json_t *rel)
{
	const char *status, *fixed, *urgency, *nodsa, *reason, *canonical, *range_fixed = NULL;
	char dist[64], events[MAX_REASON_LEN + 128];
	json_t *entry = NULL;

	*out = NULL;
	if (!feed_debian_release(codename)) {
		feed_skipf(sink, id, "%s in \"%.40s\": not a Debian release with a number (sid, experimental or unknown)",
			   pkg, codename);
		return ASEC_OK;
	}
	feed_distribution_key(dist, sizeof(dist), "debian", codename);
	if (!json_is_object(rel)) {
		feed_skipf(sink, id, "%s in %s: the release's status is not an object", pkg, codename);
		return ASEC_OK;
	}
	status = json_string_value(json_object_get(rel, "status"));
	fixed = json_string_value(json_object_get(rel, "fixed_version"));
	urgency = json_string_value(json_object_get(rel, "urgency"));
	nodsa = json_string_value(json_object_get(rel, "nodsa"));
	reason = json_string_value(json_object_get(rel, "nodsa_reason"));
	if (!status) {
		feed_skipf(sink, id, "%s in %s: no status", pkg, codename);
		return ASEC_OK;
	}
	events[0] = '\0';
	if (strcmp(status, "resolved") == 0) {
		if (!fixed || !*fixed) {
			/* The tracker computed "not vulnerable" without a note
			 * naming the fix; we cannot say below which version. */
			feed_skipf(sink, id, "%s in %s: resolved without a fixed_version", pkg, codename);
			return ASEC_OK;
		}
		if (strcmp(fixed, "0") == 0) {
			canonical = "not_affected";
		} else if (strlen(fixed) > VERSION_MAX_LEN || !version_valid_dpkg(fixed)) {
			feed_skipf(sink, id, "%s in %s: fixed_version \"%.80s\" is not a dpkg version", pkg, codename,
				   fixed);
			return ASEC_OK;
		} else {
			canonical = "affected";
			range_fixed = fixed;
			snprintf(events, sizeof(events), "resolved in %s: fixed in %s", codename, fixed);
		}
	} else if (strcmp(status, "open") == 0) {
		/* The first that applies wins: a no-dsa reason says more about
		 * the team's plan than the urgency does. */
		static const struct {
			const char *field, *value, *canonical, *why;
		} open_rules[] = {
			{"nodsa_reason", "ignored", "will_not_fix", "<ignored>"},
			{"nodsa_reason", "postponed", "fix_deferred", "<postponed>"},
			{"urgency", "end-of-life", "will_not_fix", "<end-of-life>"},
			{"urgency", "unimportant", "will_not_fix", "unimportant"},
		};
		const char *why = nodsa ? "<no-dsa>" : "no fix yet";
		size_t i;

		canonical = "affected";
		for (i = 0; i < sizeof(open_rules) / sizeof(open_rules[0]); i++) {
			const char *v = strcmp(open_rules[i].field, "urgency") == 0 ? urgency : reason;

			if (v && strcmp(v, open_rules[i].value) == 0) {
				canonical = open_rules[i].canonical;
				why = open_rules[i].why;
				break;
			}
		}
		if (nodsa && *nodsa)
			snprintf(events, sizeof(events), "open in %s: %s (%.*s)", codename, why,
				 (int)feed_utf8_cut(nodsa, strlen(nodsa), MAX_REASON_LEN), nodsa);
		else
			snprintf(events, sizeof(events), "open in %s: %s", codename, why);
	} else if (strcmp(status, "undetermined") == 0) {
		canonical = "under_investigation";
	} else {
		feed_skipf(sink, id, "%s in %s: unknown status \"%.40s\"", pkg, codename, status);
		return ASEC_OK;
	}

	if (!(entry = json_object()) || json_object_set_new(entry, "ecosystem", json_string("deb")) ||
	    json_object_set_new(entry, "distribution", json_string(dist)) ||
	    json_object_set_new(entry, "package", json_string(pkg)) ||
	    json_object_set_new(entry, "packageKind", json_string("source")) ||
	    json_object_set_new(entry, "status", json_string(canonical)))
		goto nomem;
	/* urgency is kept here for now; parse_issue() moves it to the record
	 * when every release agrees. */
	if (urgency && *urgency &&
	    (json_object_set_new(entry, "severity",
				 json_stringn(urgency, feed_utf8_cut(urgency, strlen(urgency), 64))) ||
	     json_object_set_new(entry, "normalizedSeverity", json_string(urgency_normalized(urgency)))))
		goto nomem;
	if (events[0] && set_range(entry, range_fixed, events))
		goto nomem;
	*out = entry;
	return ASEC_OK;
nomem:
	error_set("debian tracker: out of memory building %s %s", id, pkg);
	json_decref(entry);
	return ASEC_ENOMEM;
}

/*
 * Moves the vendor's severity to the record: the most severe urgency of the
 * releases (as claircore does), and per-entry severities only when the
 * releases do not all agree.
 */
static int settle_severity(json_t *record, json_t *affected)
{
	const char *word = NULL, *norm = "UNKNOWN", *first = NULL;
	int agree = 1;
	size_t i;
	json_t *e;

	json_array_foreach(affected, i, e) {
		const char *w = json_string_value(json_object_get(e, "severity"));
		const char *n = json_string_value(json_object_get(e, "normalizedSeverity"));

		if (i == 0)
			first = w;
		else if ((first == NULL) != (w == NULL) || (first && w && strcmp(first, w) != 0))
			agree = 0;
		if (w && (!word || severity_rank(n) > severity_rank(norm)))
			word = w, norm = n;
	}
	if ((word && json_object_set_new(record, "severity", json_string(word))) ||
	    json_object_set_new(record, "normalizedSeverity", json_string(norm)))
		return ASEC_ENOMEM;
	if (agree)
		json_array_foreach(affected, i, e) {
			json_object_del(e, "severity");
			json_object_del(e, "normalizedSeverity");
		}
	return ASEC_OK;
}

static int parse_issue(const struct feed_sink *sink, const char *pkg, const char *id, const json_t *issue)
{
	const json_t *releases = json_object_get(issue, "releases"), *rel;
	const char *codename;
	char link[sizeof(TRACKER_LINK) + MAX_ID_LEN];
	json_t *record = NULL, *affected = NULL, *entry;
	int rc = ASEC_OK;

	if (!json_is_object(issue)) {
		feed_skipf(sink, id, "%s: the issue is not an object", pkg);
		return ASEC_OK;
	}
	if (!json_is_object(releases)) {
		feed_skipf(sink, id, "%s: releases is missing or not an object", pkg);
		return ASEC_OK;
	}
	if (json_object_size(releases) > FEED_MAX_AFFECTED) {
		feed_skipf(sink, id, "%s: more releases than the %d affected entries a record may have", pkg,
			   FEED_MAX_AFFECTED);
		return ASEC_OK;
	}
	if (!(affected = json_array()))
		goto nomem;
	json_object_foreach((json_t *)releases, codename, rel) {
		if ((rc = release_entry(&entry, sink, pkg, id, codename, rel)))
			goto out;
		if (entry && json_array_append_new(affected, entry))
			goto nomem;
	}
	if (json_array_size(affected) == 0) {
		feed_skipf(sink, id, "%s: no release with a Debian release number and a usable status", pkg);
		goto out;
	}
	snprintf(link, sizeof(link), "%s%s", TRACKER_LINK, id);
	if (!(record = json_object()) || json_object_set_new(record, "kind", json_string("advisory")) ||
	    json_object_set_new(record, "id", json_string(id)) ||
	    json_object_set_new(record, "advisory", json_pack("{s:s, s:s}", "name", id, "link", link)))
		goto nomem;
	feed_copy_text(record, "description", json_string_value(json_object_get(issue, "description")));
	if (settle_severity(record, affected) || json_object_set(record, "affected", affected))
		goto nomem;
	rc = sink->record(sink->ctx, record);
	record = NULL; /* the sink owns it, whatever it returned */
	goto out;
nomem:
	rc = ASEC_ENOMEM;
	error_set("debian tracker: out of memory building %s", id);
out:
	json_decref(record);
	json_decref(affected);
	return rc;
}

static int parse_package(const struct feed_sink *sink, const char *pkg, const json_t *issues)
{
	const char *id;
	json_t *issue;
	int rc;

	json_object_foreach((json_t *)issues, id, issue) {
		if (!valid_issue_id(id)) {
			feed_skipf(sink, strlen(id) <= MAX_ID_LEN ? id : "", "%s: \"%.40s\" is not a CVE or TEMP- id",
				   pkg, id);
			continue;
		}
		if ((rc = parse_issue(sink, pkg, id, issue)))
			return rc;
	}
	return ASEC_OK;
}

int feed_parse_debian_json(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	size_t pos, end, members = 0, packages = 0;
	json_error_t jerr;
	json_t *key = NULL, *value = NULL;
	int rc = ASEC_OK;

	(void)name;
	pos = skip_ws(data, len, 0);
	if (pos >= len || data[pos] != '{') {
		error_set("debian tracker: the document is not a JSON object");
		return ASEC_EINVALID;
	}
	pos = skip_ws(data, len, pos + 1);
	if (pos < len && data[pos] == '}')
		goto closed;
	for (;;) {
		const char *pkg;

		if (pos >= len || data[pos] != '"' || value_end(data, len, pos, &end) ||
		    !(key = json_loadb(data + pos, end - pos, JSON_DECODE_ANY, &jerr))) {
			error_set("debian tracker: expected a source package name at byte %zu", pos);
			rc = ASEC_EINVALID;
			goto out;
		}
		pkg = json_string_value(key);
		pos = skip_ws(data, len, end);
		if (pos >= len || data[pos] != ':') {
			error_set("debian tracker: expected ':' after package \"%.60s\"", pkg);
			rc = ASEC_EINVALID;
			goto out;
		}
		pos = skip_ws(data, len, pos + 1);
		if (value_end(data, len, pos, &end)) {
			error_set("debian tracker: the document ends inside package \"%.60s\"", pkg);
			rc = ASEC_EINVALID;
			goto out;
		}
		members++;
		if (!valid_name(pkg, MAX_PACKAGE_LEN)) {
			feed_skipf(sink, "", "\"%.60s\" is not a source package name", pkg);
		} else if (end - pos > FEED_MAX_DOCUMENT_BYTES) {
			feed_skipf(sink, "", "%s: its issues are larger than the 64 MiB document limit", pkg);
		} else if (!(value = json_loadb(data + pos, end - pos, JSON_DECODE_ANY, &jerr))) {
			feed_skipf(sink, "", "%s: not valid JSON (%s at byte %d of its value)", pkg, jerr.text,
				   jerr.position);
		} else if (!json_is_object(value)) {
			feed_skipf(sink, "", "%s: its value is not an object of issues", pkg);
		} else {
			packages++;
			if ((rc = parse_package(sink, pkg, value)))
				goto out;
		}
		json_decref(value);
		value = NULL;
		json_decref(key);
		key = NULL;
		pos = skip_ws(data, len, end);
		if (pos < len && data[pos] == ',') {
			pos = skip_ws(data, len, pos + 1);
			continue;
		}
		if (pos < len && data[pos] == '}')
			break;
		error_set("debian tracker: expected ',' or '}' at byte %zu", pos);
		rc = ASEC_EINVALID;
		goto out;
	}
closed:
	if (skip_ws(data, len, pos + 1) != len) {
		error_set("debian tracker: data after the end of the document");
		rc = ASEC_EINVALID;
	} else if (members && !packages) {
		/* Some other JSON object: none of its members looked like a
		 * package's issues, so this is not the tracker's export. */
		error_set("debian tracker: no member is an object of issues keyed by source package");
		rc = ASEC_EINVALID;
	}
out:
	json_decref(value);
	json_decref(key);
	return rc;
}
