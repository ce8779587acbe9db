/*
 * feed.c - the helpers every feed parser shares, and the check of the
 * canonical record shape (see feed.h).
 *
 * feed_record_check() is deliberately strict: the store refuses a record it
 * fails, and every parser's tests and fuzz target run it on everything the
 * parser emits, so a parser bug shows up as a failed check rather than as a
 * wrong finding months later.
 */
#include "feeds/feed.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "version/version.h"

const char *feed_normalize_severity(const char *word)
{
	static const struct {
		const char *word, *normalized;
	} table[] = {
		{"negligible", "LOW"},	   {"unimportant", "LOW"},	{"low", "LOW"},
		{"medium", "MODERATE"},	   {"moderate", "MODERATE"},	{"high", "IMPORTANT"},
		{"important", "IMPORTANT"}, {"critical", "CRITICAL"},
	};
	size_t i;

	for (i = 0; word && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(word, table[i].word) == 0)
			return table[i].normalized;
	return "UNKNOWN";
}

const char *feed_severity_from_score(double score)
{
	if (!(score > 0.0) || score > 10.0)
		return "UNKNOWN";
	if (score < 4.0)
		return "LOW";
	if (score < 7.0)
		return "MODERATE";
	if (score < 9.0)
		return "IMPORTANT";
	return "CRITICAL";
}

const char *feed_debian_release(const char *codename)
{
	static const char *const names[][2] = {
		{"buzz", "1.1"}, {"rex", "1.2"},     {"bo", "1.3"},	 {"hamm", "2.0"},    {"slink", "2.1"},
		{"potato", "2.2"}, {"woody", "3.0"},  {"sarge", "3.1"},   {"etch", "4"},     {"lenny", "5"},
		{"squeeze", "6"}, {"wheezy", "7"},    {"jessie", "8"},    {"stretch", "9"},  {"buster", "10"},
		{"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"},   {"duke", "15"},
	};
	size_t i;

	for (i = 0; codename && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(codename, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

/* Copies at most `parts` dot-separated numeric parts of version (after an
 * optional "v") into out; "" when it does not start with a digit. */
static void leading_parts(char *out, size_t size, const char *version, int parts)
{
	size_t n = 0;
	int seen = 0;

	if (*version == 'v' || *version == 'V')
		version++;
	while (*version && n + 1 < size) {
		if (*version == '.') {
			if (++seen == parts)
				break;
		} else if (!isdigit((unsigned char)*version)) {
			break;
		}
		out[n++] = *version++;
	}
	while (n && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

void feed_distribution_key(char *out, size_t size, const char *did, const char *version)
{
	char id[64], ver[64];
	const char *named;
	size_t i;
	int parts = 1;

	if (size)
		out[0] = '\0';
	if (!did || !*did || !version || !*version || strlen(did) >= sizeof(id))
		return;
	for (i = 0; did[i]; i++)
		id[i] = (char)tolower((unsigned char)did[i]);
	id[i] = '\0';
	if (strcmp(id, "debian") == 0 && (named = feed_debian_release(version)))
		version = named;
	if (strcmp(id, "alpine") == 0 || strcmp(id, "ubuntu") == 0)
		parts = 2;
	else if (strcmp(id, "debian") == 0 && strchr(version, '.') && atoi(version) < 4)
		parts = 2; /* 3.0, 2.2: the releases before 4 were numbered so */
	leading_parts(ver, sizeof(ver), version, parts);
	if (!ver[0])
		return;
	snprintf(out, size, "%s:%s", id, ver);
}

int feed_each_line(const char *data, size_t len, const struct feed_sink *sink,
		   int (*fn)(void *ctx, const char *line, size_t line_len), void *ctx)
{
	size_t pos = 0;
	int rc;

	while (pos < len) {
		const char *start = data + pos, *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		size_t trimmed = n;

		pos += n + (nl ? 1 : 0);
		while (trimmed && (start[trimmed - 1] == '\r' || start[trimmed - 1] == ' ' || start[trimmed - 1] == '\t'))
			trimmed--;
		if (!trimmed)
			continue;
		if (trimmed > FEED_MAX_DOCUMENT_BYTES) {
			if (sink && sink->skip)
				sink->skip(sink->ctx, "", "a line longer than the 64 MiB document limit");
			continue;
		}
		if ((rc = fn(ctx, start, trimmed)))
			return rc;
	}
	return ASEC_OK;
}

void feed_copy_text(json_t *dst, const char *key, const char *text)
{
	if (!text || !*text)
		return;
	json_object_set_new(dst, key, json_stringn(text, feed_utf8_cut(text, strlen(text), FEED_MAX_TEXT_BYTES)));
}

size_t feed_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	/* s[n] is the first byte left out: while it continues a sequence,
	 * that sequence started inside what is kept */
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* ---- skips ---- */

void feed_vskipf(const struct feed_sink *sink, const char *id, size_t line, const char *fmt, va_list ap)
{
	char reason[FEED_MAX_REASON_BYTES];
	size_t n = 0;

	if (!sink || !sink->skip)
		return;
	if (line)
		n = (size_t)snprintf(reason, sizeof(reason), "line %zu: ", line);
	vsnprintf(reason + n, sizeof(reason) - n, fmt, ap);
	for (n = 0; reason[n]; n++)
		if ((unsigned char)reason[n] < 0x20 || (unsigned char)reason[n] > 0x7e)
			reason[n] = '?';
	sink->skip(sink->ctx, id ? id : "", reason);
}

void feed_skipf(const struct feed_sink *sink, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	feed_vskipf(sink, id, 0, fmt, ap);
	va_end(ap);
}

/* ---- ids and dates ---- */

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int feed_is_cve_idn(const char *s, size_t n)
{
	/* "CVE-" 4 "-" 4..19 */
	return s && n >= 13 && n <= 28 && memcmp(s, "CVE-", 4) == 0 && all_digits(s + 4, 4) && s[8] == '-' &&
	       all_digits(s + 9, n - 9);
}

int feed_is_cve_id(const char *s)
{
	return s && feed_is_cve_idn(s, strnlen(s, 29));
}

int feed_is_date(const char *s, size_t n)
{
	int month, day;

	if (!s || n < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
	    !all_digits(s + 8, 2))
		return 0;
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

int feed_timestamp(char *out, size_t size, const char *text)
{
	size_t n = text ? strnlen(text, 64) : 0, i;

	if (size)
		out[0] = '\0';
	if (n < 10 || n >= 64 || n + 1 > size || !feed_is_date(text, n))
		return 0;
	if (n == 10) {
		if (size < 21)
			return 0;
		snprintf(out, size, "%.10sT00:00:00Z", text);
		return 1;
	}
	/* A full timestamp: date 'T' hh:mm:ss, then anything made of the
	 * characters of fractions and zones. */
	if (n < 19 || (text[10] != 'T' && text[10] != 't') || !all_digits(text + 11, 2) || text[13] != ':' ||
	    !all_digits(text + 14, 2) || text[16] != ':' || !all_digits(text + 17, 2))
		return 0;
	for (i = 19; i < n; i++)
		if (!all_digits(text + i, 1) && !strchr(".:+-Zz", text[i]))
			return 0;
	memcpy(out, text, n);
	out[n] = '\0';
	return 1;
}

int feed_add_cwe(json_t *cwes, const char *s)
{
	const json_t *have;
	size_t i, n = s ? strnlen(s, 33) : 0;

	if (n < 5 || n > 32 || strncmp(s, "CWE-", 4) != 0 || !all_digits(s + 4, n - 4) ||
	    json_array_size(cwes) >= FEED_MAX_CWES)
		return ASEC_OK;
	json_array_foreach(cwes, i, have)
		if (strcmp(json_string_value(have), s) == 0)
			return ASEC_OK;
	return json_array_append_new(cwes, json_string(s)) ? ASEC_ENOMEM : ASEC_OK;
}

/* ---- the canonical shape ---- */

static int in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static const char *const ecosystems[] = {"deb", "rpm", "apk", "npm", "pypi", "golang", "maven",
					 "gem", "nuget", "cargo", "composer", NULL};
static const char *const os_ecosystems[] = {"deb", "rpm", "apk", NULL};
static const char *const statuses[] = {"affected", "fixed", "will_not_fix", "fix_deferred",
				       "not_affected", "under_investigation", NULL};
static const char *const severities[] = {"LOW", "MODERATE", "IMPORTANT", "CRITICAL", "UNKNOWN", NULL};
static const char *const range_keys[] = {"introduced", "introducedAfter", "fixed", "lastAffected", "fixedBy", "events",
					 NULL};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	error_set("%s", text);
	return ASEC_EINVALID;
}

static int nonempty_string(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) > 0;
}

static int optional_string(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return !v || json_is_string(v);
}

static int check_cvss(const json_t *list)
{
	size_t i;
	const json_t *m;

	if (!list)
		return ASEC_OK;
	if (!json_is_array(list))
		return fail("cvss is not an array");
	json_array_foreach(list, i, m) {
		const json_t *score = json_object_get(m, "score");
		if (!json_is_object(m) || !nonempty_string(m, "version") || !nonempty_string(m, "vector"))
			return fail("a cvss entry needs a version and a vector");
		if (score && (!json_is_number(score) || json_number_value(score) < 0 || json_number_value(score) > 10))
			return fail("a cvss score is not a number from 0 to 10");
	}
	return ASEC_OK;
}

static int check_range(const json_t *range, version_compare_fn cmp, int (*valid)(const char *))
{
	const char *key;
	const json_t *v;
	const char *lower = NULL, *upper = NULL, *fix;
	int c;

	if (!json_is_object(range))
		return fail("a range is not an object");
	json_object_foreach((json_t *)range, key, v) {
		if (!in_list(key, range_keys))
			return fail("a range has an unknown key \"%s\"", key);
		/* events may be empty, and so may fixedBy: "no fix" */
		if (!json_is_string(v) ||
		    (strcmp(key, "events") != 0 && strcmp(key, "fixedBy") != 0 && json_string_length(v) == 0))
			return fail("range bound \"%s\" is not a non-empty string", key);
		if (strcmp(key, "events") != 0 && json_string_length(v) > VERSION_MAX_LEN)
			return fail("range bound \"%s\" is longer than a version can be", key);
	}
	if (json_object_get(range, "introduced") && json_object_get(range, "introducedAfter"))
		return fail("a range has two lower bounds");
	if (json_object_get(range, "fixed") && json_object_get(range, "lastAffected"))
		return fail("a range has two upper bounds");
	lower = json_string_value(json_object_get(range, "introduced"));
	if (lower && strcmp(lower, "0") == 0)
		lower = NULL;
	if (!lower)
		lower = json_string_value(json_object_get(range, "introducedAfter"));
	upper = json_string_value(json_object_get(range, "fixed"));
	if (!upper)
		upper = json_string_value(json_object_get(range, "lastAffected"));
	if (valid && ((lower && !valid(lower)) || (upper && !valid(upper))))
		return fail("a range bound is not a valid version: %s", lower && !valid(lower) ? lower : upper);
	if (cmp && lower && upper && cmp(lower, upper) > 0)
		return fail("a range ends (%s) before it starts (%s)", upper, lower);
	fix = json_string_value(json_object_get(range, "fixedBy"));
	if (fix && fix[0]) {
		/* a fix lies above every affected version of its range */
		if (!upper)
			return fail("a range without an upper bound names a fix (%s)", fix);
		if (valid && !valid(fix))
			return fail("a range's fix is not a valid version: %s", fix);
		if (cmp && (c = cmp(fix, upper)) <= 0 && (c < 0 || json_object_get(range, "lastAffected")))
			return fail("a range's fix (%s) is not above the range (%s)", fix, upper);
	}
	return ASEC_OK;
}

/* The validity test of an ecosystem, where version.h has one. */
static int (*validator(const char *ecosystem))(const char *)
{
	static const struct {
		const char *ecosystem;
		int (*valid)(const char *);
	} table[] = {
		{"deb", version_valid_dpkg}, {"rpm", version_valid_rpm},     {"apk", version_valid_apk},
		{"pypi", version_valid_pep440}, {"gem", version_valid_rubygems}, {"nuget", version_valid_nuget},
		{"composer", version_valid_composer},
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].ecosystem, ecosystem) == 0)
			return table[i].valid;
	return NULL;
}

static int check_affected(const json_t *a)
{
	const char *eco = json_string_value(json_object_get(a, "ecosystem"));
	const char *dist = json_string_value(json_object_get(a, "distribution"));
	const json_t *ranges = json_object_get(a, "ranges"), *versions = json_object_get(a, "versions"), *v;
	const char *kind = json_string_value(json_object_get(a, "packageKind"));
	size_t i;
	int rc;

	if (!json_is_object(a))
		return fail("an affected entry is not an object");
	if (!in_list(eco, ecosystems))
		return fail("unknown ecosystem \"%s\"", eco);
	if (!dist)
		return fail("affected entry without a distribution member (\"\" for languages)");
	if (in_list(eco, os_ecosystems) != (dist[0] != '\0'))
		return fail("ecosystem %s %s a distribution", eco, dist[0] ? "cannot have" : "needs");
	if (dist[0] && !strchr(dist, ':'))
		return fail("distribution \"%s\" is not a feed_distribution_key()", dist);
	if (!nonempty_string(a, "package"))
		return fail("affected entry without a package name");
	if (kind && strcmp(kind, "source") != 0 && strcmp(kind, "binary") != 0)
		return fail("packageKind \"%s\" is neither source nor binary", kind);
	if (!in_list(json_string_value(json_object_get(a, "status")), statuses))
		return fail("affected entry with an unknown status");
	if (json_object_get(a, "normalizedSeverity") &&
	    !in_list(json_string_value(json_object_get(a, "normalizedSeverity")), severities))
		return fail("unknown normalizedSeverity");
	if (ranges) {
		if (!json_is_array(ranges) || json_array_size(ranges) > FEED_MAX_RANGES)
			return fail("ranges is not an array of at most 1000");
		json_array_foreach(ranges, i, v)
			if ((rc = check_range(v, version_comparator(eco), validator(eco))))
				return rc;
	}
	if (versions) {
		if (!json_is_array(versions))
			return fail("versions is not an array");
		json_array_foreach(versions, i, v)
			if (!json_is_string(v) || !json_string_length(v))
				return fail("versions holds something that is not a version");
	}
	return ASEC_OK;
}

int feed_record_check(const json_t *r)
{
	const char *kind = json_string_value(json_object_get(r, "kind"));
	const json_t *list, *v;
	size_t i;
	int rc;

	if (!json_is_object(r))
		return fail("a record is not an object");
	if (!nonempty_string(r, "id"))
		return fail("a record without an id");
	if (!kind)
		return fail("a record without a kind");
	if (!optional_string(r, "description") || !optional_string(r, "summary") || !optional_string(r, "published") ||
	    !optional_string(r, "modified"))
		return fail("description, summary and dates must be strings");
	if ((rc = check_cvss(json_object_get(r, "cvss"))))
		return rc;
	if (strcmp(kind, "nvd") == 0)
		return ASEC_OK;
	if (strcmp(kind, "kev") == 0)
		return nonempty_string(r, "dateAdded") ? ASEC_OK : fail("a KEV record without dateAdded");
	if (strcmp(kind, "epss") == 0) {
		const json_t *e = json_object_get(r, "epss"), *p = json_object_get(r, "percentile");
		if (!json_is_number(e) || !json_is_number(p) || json_number_value(e) < 0 || json_number_value(e) > 1 ||
		    json_number_value(p) < 0 || json_number_value(p) > 1)
			return fail("an EPSS record needs epss and percentile from 0 to 1");
		return ASEC_OK;
	}
	if (strcmp(kind, "advisory") != 0)
		return fail("unknown record kind \"%s\"", kind);
	if (!in_list(json_string_value(json_object_get(r, "normalizedSeverity")), severities))
		return fail("advisory %s without a valid normalizedSeverity", json_string_value(json_object_get(r, "id")));
	if ((list = json_object_get(r, "aliases"))) {
		if (!json_is_array(list))
			return fail("aliases is not an array");
		json_array_foreach(list, i, v)
			if (!json_is_string(v) || !json_string_length(v) ||
			    strcmp(json_string_value(v), json_string_value(json_object_get(r, "id"))) == 0)
				return fail("aliases must be other ids of the record");
	}
	if ((v = json_object_get(r, "advisory")) && (!json_is_object(v) || !nonempty_string(v, "name")))
		return fail("advisory member without a name");
	list = json_object_get(r, "affected");
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > FEED_MAX_AFFECTED)
		return fail("advisory %s has no affected packages", json_string_value(json_object_get(r, "id")));
	json_array_foreach(list, i, v)
		if ((rc = check_affected(v)))
			return rc;
	return ASEC_OK;
}
