/*
 * nodejs_wg.c - Node.js security-wg npm advisories (vuln/npm/<n>.json, the
 * former Node Security Project database) as canonical advisory records.
 *
 * Each advisory names one npm module and two node-semver ranges:
 * vulnerable_versions and patched_versions. What is affected is the first
 * minus the second; when vulnerable_versions is absent or "*" that is
 * simply everything not patched. Both are read with node-semver's range
 * grammar (range.bnf: "||" alternatives of space-separated comparators, with
 * hyphen ranges, x-ranges, tildes, carets and partial versions), turned into
 * interval sets by requirements.c, and subtracted there, so the ranges we
 * emit are exactly the versions the two strings leave affected. Bounds are
 * printed as node-semver's validRange() prints them ("<=1.0" becomes
 * "<1.1.0-0", "v2.0.0" becomes "2.0.0"), which is also how they compare.
 * The fix of each affected interval is the lowest version above it that
 * patched_versions admits, as node-semver's minVersion() would pick it
 * (req_set_ranges() with req_semver_least_npm): "<=0.3.3" / ">=0.3.4"
 * ends on 0.3.3 inclusive yet is fixed by 0.3.4, "<=0.3" ends before the
 * made-up 0.4.0-0 yet ">=0.4" is fixed by 0.4.0, and an advisory without
 * patched_versions names no fix however its range ends.
 * One deliberate approximation: node-semver keeps pre-releases out of a
 * range unless a comparator names the same major.minor.patch; an interval
 * cannot say that, so pre-releases are ordered like any other version.
 *
 * A file is one JSON object; the repository's collected form is JSON Lines
 * of them. Its vuln/npm/index.json (an object of every advisory keyed by
 * id) repeats what the per-advisory files say and is skipped. Ids are
 * numbers; the working group cites them as NSWG-ECO-<n>, which is the
 * record's id unless the advisory is about exactly one CVE.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvss/cvss.h"
#include "error/error.h"
#include "feeds/feed.h"
#include "feeds/requirements.h"

/* npm itself allows 214; anything far beyond is not a package name. */
#define NSWG_MAX_NAME 1024

struct nswg_ctx {
	const struct feed_sink *sink;
	size_t objects;	   /* JSON objects seen (the record number in skips) */
	size_t recognized; /* objects that were advisories or the index */
};

static int nswg_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One alternative of a range-set: a hyphen range, or comparators separated
 * by spaces (an operator may be followed by spaces: ">= 1.2.3"). An empty
 * alternative means every version, as in node-semver. set must hold every
 * version on entry. */
static int nswg_alternative(struct req_set *set, const char *s, size_t n)
{
	size_t i = 0;
	int rc, terms = 0;

	while (n && nswg_space(s[n - 1]))
		n--;
	while (i < n && nswg_space(s[i]))
		i++;
	/* "partial - partial", the whole alternative, spaces around the dash */
	{
		size_t a = i, a_end, b, b_end;

		while (i < n && !nswg_space(s[i]))
			i++;
		a_end = i;
		while (i < n && nswg_space(s[i]))
			i++;
		if (a_end > a && !strchr("<>=~^", s[a]) && i > a_end && i + 1 < n && s[i] == '-' &&
		    nswg_space(s[i + 1])) {
			i++;
			while (i < n && nswg_space(s[i]))
				i++;
			b = i;
			while (i < n && !nswg_space(s[i]))
				i++;
			b_end = i;
			while (i < n && nswg_space(s[i]))
				i++;
			if (i == n && b_end > b)
				return req_semver_hyphen(set, s + a, a_end - a, s + b, b_end - b);
		}
		i = a;
	}
	while (i < n) {
		char op[3] = "";
		size_t start;

		if (++terms > REQ_MAX_TERMS) {
			error_set("more than %d comparators", REQ_MAX_TERMS);
			return ASEC_EINVALID;
		}
		if (s[i] == '<' || s[i] == '>') {
			op[0] = s[i++];
			if (i < n && s[i] == '=')
				op[1] = s[i++];
		} else if (s[i] == '=' || s[i] == '^') {
			op[0] = s[i++];
		} else if (s[i] == '~') {
			op[0] = s[i++];
			if (i < n && s[i] == '>') /* node-semver reads "~>" as "~" */
				i++;
		}
		while (op[0] && i < n && nswg_space(s[i]))
			i++;
		start = i;
		while (i < n && !nswg_space(s[i]))
			i++;
		if (i == start) {
			error_set("operator \"%s\" without a version", op);
			return ASEC_EINVALID;
		}
		if ((rc = req_semver_comparator(set, REQ_SEMVER_NPM, op, s + start, i - start)))
			return rc;
		while (i < n && nswg_space(s[i]))
			i++;
	}
	return ASEC_OK;
}

/* A whole range-set: the union of its "||" alternatives. out starts empty. */
static int nswg_range(struct req_set *out, const char *text)
{
	const char *s = text;
	struct req_set alt;
	int rc = ASEC_OK, alternatives = 0;

	req_set_init(&alt, out->cmp);
	for (;;) {
		const char *bar = strstr(s, "||");
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		if (++alternatives > REQ_MAX_TERMS) {
			error_set("more than %d alternatives", REQ_MAX_TERMS);
			rc = ASEC_EINVALID;
			break;
		}
		if ((rc = req_set_fill(&alt)) || (rc = nswg_alternative(&alt, s, n)) ||
		    (rc = req_set_union(out, &alt)))
			break;
		if (!bar)
			break;
		s = bar + 2;
	}
	req_set_free(&alt);
	return rc;
}

/* A range member: absent or null gives NULL, a string its text; anything
 * else is an error. */
static int nswg_range_text(const char **out, const json_t *v)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int nswg_blank(const char *s)
{
	while (s && nswg_space(*s))
		s++;
	return !s || !*s;
}

/* The affected set of one advisory and its patched set (empty when it names
 * none), or a skip reason in `why`. */
static int nswg_affected(struct req_set *affected, struct req_set *fixed, const char *vulnerable, const char *patched,
			 char *why, size_t why_size)
{
	int rc = ASEC_OK;

	if ((vulnerable && strlen(vulnerable) > REQ_MAX_TEXT) || (patched && strlen(patched) > REQ_MAX_TEXT)) {
		snprintf(why, why_size, "a version range longer than %d bytes", REQ_MAX_TEXT);
		rc = ASEC_EINVALID;
		goto out;
	}
	/* A blank vulnerable_versions says nothing, so every version; a blank
	 * patched_versions says no fix (node-semver would read "" as "*",
	 * which would declare everything patched). */
	if (nswg_blank(vulnerable)) {
		if ((rc = req_set_fill(affected)))
			goto fail;
	} else if ((rc = nswg_range(affected, vulnerable))) {
		goto fail;
	}
	if (!nswg_blank(patched) && (rc = nswg_range(fixed, patched))) {
		snprintf(why, why_size, "patched_versions \"%.100s\": %s", patched, error_last());
		goto out;
	}
	if ((rc = req_set_subtract(affected, fixed)))
		goto fail;
	goto out;
fail:
	snprintf(why, why_size, "vulnerable_versions \"%.100s\": %s", vulnerable ? vulnerable : "", error_last());
out:
	return rc;
}

/* The CVE ids of "cves", well-formed and without repeats. */
static json_t *nswg_cves(const json_t *list)
{
	json_t *out = json_array(), *v;
	size_t i, j;

	if (!out || !json_is_array(list))
		return out;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		int seen = 0;

		if (!feed_is_cve_id(s))
			continue;
		for (j = 0; j < json_array_size(out); j++)
			seen |= strcmp(json_string_value(json_array_get(out, j)), s) == 0;
		if (!seen)
			json_array_append_new(out, json_string(s));
	}
	return out;
}

static void nswg_dates(json_t *rec, const json_t *obj)
{
	char ts[64];
	const char *published = json_string_value(json_object_get(obj, "publish_date"));

	/* publish_date is when the issue was disclosed; created_at when the
	 * NSP record was written, which for the oldest is a year later. */
	if (!feed_timestamp(ts, sizeof(ts), published))
		feed_timestamp(ts, sizeof(ts), json_string_value(json_object_get(obj, "created_at")));
	if (ts[0])
		json_object_set_new(rec, "published", json_string(ts));
	if (feed_timestamp(ts, sizeof(ts), json_string_value(json_object_get(obj, "updated_at"))))
		json_object_set_new(rec, "modified", json_string(ts));
}

static void nswg_texts(json_t *rec, const json_t *obj)
{
	const char *overview = json_string_value(json_object_get(obj, "overview"));
	const char *advice = json_string_value(json_object_get(obj, "recommendation"));

	feed_copy_text(rec, "summary", json_string_value(json_object_get(obj, "title")));
	if (overview && *overview && advice && *advice) {
		size_t n = strnlen(overview, FEED_MAX_TEXT_BYTES) + strnlen(advice, FEED_MAX_TEXT_BYTES) + 32;
		char *both = malloc(n);

		if (both) {
			snprintf(both, n, "%.*s\n\nRecommendation: %.*s", (int)FEED_MAX_TEXT_BYTES, overview,
				 (int)FEED_MAX_TEXT_BYTES, advice);
			feed_copy_text(rec, "description", both);
			free(both);
		}
	} else {
		feed_copy_text(rec, "description", overview && *overview ? overview : advice);
	}
}

/* normalizedSeverity from the record's own score, else the vector's; the
 * cvss entry when the vector is one cvss_parse() accepts. */
static void nswg_severity(json_t *rec, const json_t *obj)
{
	const json_t *score = json_object_get(obj, "cvss_score");
	const char *vector = json_string_value(json_object_get(obj, "cvss_vector"));
	struct cvss_result cvss;
	const char *severity = "UNKNOWN";

	if (vector && *vector && cvss_parse(&cvss, vector) == ASEC_OK) {
		json_object_set_new(rec, "cvss",
				    json_pack("[{s:s, s:s, s:f}]", "version", cvss.version, "vector", vector, "score",
					      cvss.base_score));
		severity = feed_severity_from_score(cvss.base_score);
	}
	if (json_is_number(score) && strcmp(feed_severity_from_score(json_number_value(score)), "UNKNOWN") != 0)
		severity = feed_severity_from_score(json_number_value(score));
	json_object_set_new(rec, "normalizedSeverity", json_string(severity));
}

static int nswg_advisory(struct nswg_ctx *ctx, const json_t *obj)
{
	const json_t *idv = json_object_get(obj, "id");
	const char *module = json_string_value(json_object_get(obj, "module_name"));
	const char *vulnerable = NULL, *patched = NULL;
	char nswg[48], why[400], link[128], *events = NULL;
	json_t *rec = NULL, *cves = NULL, *aliases = NULL, *ranges = NULL, *affected;
	struct req_set set, patched_set;
	size_t n;
	int rc = ASEC_OK;

	req_set_init(&set, version_comparator("npm"));
	req_set_init(&patched_set, set.cmp);
	if (json_is_integer(idv) && json_integer_value(idv) >= 0) {
		snprintf(nswg, sizeof(nswg), "NSWG-ECO-%" JSON_INTEGER_FORMAT, json_integer_value(idv));
	} else if (json_is_string(idv) && json_string_length(idv) > 0 && json_string_length(idv) <= 20 &&
		   strspn(json_string_value(idv), "0123456789") == json_string_length(idv)) {
		snprintf(nswg, sizeof(nswg), "NSWG-ECO-%s", json_string_value(idv));
	} else {
		feed_skipf(ctx->sink, "", "record %zu: id is not a non-negative number", ctx->objects);
		goto out;
	}
	if (!module || !*module) {
		feed_skipf(ctx->sink, nswg, "no module_name");
		goto out;
	}
	if (strlen(module) > NSWG_MAX_NAME) {
		feed_skipf(ctx->sink, nswg, "module_name longer than %d bytes", NSWG_MAX_NAME);
		goto out;
	}
	if (nswg_range_text(&vulnerable, json_object_get(obj, "vulnerable_versions")) ||
	    nswg_range_text(&patched, json_object_get(obj, "patched_versions"))) {
		feed_skipf(ctx->sink, nswg, "vulnerable_versions or patched_versions is not a string");
		goto out;
	}
	if ((rc = nswg_affected(&set, &patched_set, vulnerable, patched, why, sizeof(why)))) {
		if (rc == ASEC_ENOMEM)
			goto out;
		feed_skipf(ctx->sink, nswg, "%s", why);
		rc = ASEC_OK;
		goto out;
	}
	if (req_set_is_empty(&set)) {
		feed_skipf(ctx->sink, nswg,
			   "no affected versions: patched_versions \"%.100s\" covers vulnerable_versions \"%.100s\"",
			   patched ? patched : "", vulnerable ? vulnerable : "*");
		goto out;
	}
	n = (vulnerable ? strlen(vulnerable) : 1) + (patched ? strlen(patched) : 0) + 64;
	if (!(events = malloc(n)))
		goto oom;
	if (patched && !nswg_blank(patched))
		snprintf(events, n, "vulnerable_versions \"%s\", patched_versions \"%s\"", vulnerable ? vulnerable : "*",
			 patched);
	else
		snprintf(events, n, "vulnerable_versions \"%s\", no patched_versions", vulnerable ? vulnerable : "*");
	/* The fix is what patched_versions admits, not merely where
	 * vulnerable_versions stops: "<=0.3.3" ends at 0.3.3 inclusive and
	 * "<=0.3" before 0.4.0-0, neither of them a fix, while ">=0.3.4" and
	 * ">=0.4.0" name one; without patched_versions there is none. */
	if ((rc = req_set_ranges(&ranges, &set, &patched_set, req_semver_least_npm, events)))
		goto out;

	if (!(cves = nswg_cves(json_object_get(obj, "cves"))) || !(aliases = json_array()) || !(rec = json_object()))
		goto oom;
	json_object_set_new(rec, "kind", json_string("advisory"));
	if (json_array_size(cves) == 1) {
		json_object_set(rec, "id", json_array_get(cves, 0));
		json_array_append_new(aliases, json_string(nswg));
	} else {
		json_object_set_new(rec, "id", json_string(nswg));
		json_array_extend(aliases, cves);
	}
	snprintf(link, sizeof(link), "https://github.com/nodejs/security-wg/blob/main/vuln/npm/%s.json",
		 nswg + strlen("NSWG-ECO-"));
	json_object_set_new(rec, "advisory", json_pack("{s:s, s:s}", "name", nswg, "link", link));
	if (json_array_size(aliases))
		json_object_set(rec, "aliases", aliases);
	nswg_texts(rec, obj);
	nswg_dates(rec, obj);
	nswg_severity(rec, obj);
	if (!(affected = json_pack("[{s:s, s:s, s:s, s:s, s:o}]", "ecosystem", "npm", "distribution", "", "package",
				   module, "status", "affected", "ranges", ranges)))
		goto oom;
	ranges = NULL; /* json_pack's "o" took it */
	json_object_set_new(rec, "affected", affected);
	rc = ctx->sink->record(ctx->sink->ctx, rec);
	rec = NULL;
	goto out;
oom:
	error_set("out of memory building a security-wg record");
	rc = ASEC_ENOMEM;
out:
	json_decref(rec);
	json_decref(cves);
	json_decref(aliases);
	json_decref(ranges);
	free(events);
	req_set_free(&set);
	req_set_free(&patched_set);
	return rc;
}

static int nswg_object(struct nswg_ctx *ctx, const json_t *obj)
{
	const char *key;
	const json_t *v;
	size_t members = 0;

	ctx->objects++;
	if (!json_is_object(obj)) {
		feed_skipf(ctx->sink, "", "record %zu: not a JSON object", ctx->objects);
		return ASEC_OK;
	}
	if (json_object_get(obj, "module_name") || json_object_get(obj, "vulnerable_versions")) {
		ctx->recognized++;
		return nswg_advisory(ctx, obj);
	}
	/* index.json: {"1": {"id": 1, "module_name": ...}, "2": ...} */
	json_object_foreach((json_t *)obj, key, v) {
		if (!json_is_object(v) || !json_object_get(v, "module_name"))
			break;
		members++;
	}
	if (members && members == json_object_size(obj)) {
		ctx->recognized++;
		feed_skipf(ctx->sink, "", "an index of %zu advisories keyed by id (each also comes as its own record)",
			   members);
		return ASEC_OK;
	}
	feed_skipf(ctx->sink, "", "record %zu: not a security-wg advisory (no module_name)", ctx->objects);
	return ASEC_OK;
}

static int nswg_line(void *arg, const char *line, size_t len)
{
	struct nswg_ctx *ctx = arg;
	json_error_t err;
	json_t *doc = json_loadb(line, len, 0, &err);
	int rc;

	if (!doc) {
		ctx->objects++;
		feed_skipf(ctx->sink, "", "record %zu: not JSON: %s", ctx->objects, err.text);
		return ASEC_OK;
	}
	rc = nswg_object(ctx, doc);
	json_decref(doc);
	return rc;
}

int feed_parse_nodejs_wg(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct nswg_ctx ctx = {sink, 0, 0};
	size_t i = 0;
	json_t *doc;
	int rc;

	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i == len || data[i] != '{') {
		error_set("%s: not Node.js security-wg advisories (not a JSON object)", name ? name : "");
		return ASEC_EINVALID;
	}
	/* One document (a vuln/npm/<n>.json file, pretty-printed or not); if
	 * that does not parse, JSON Lines with one advisory per line. */
	if (len <= FEED_MAX_DOCUMENT_BYTES && (doc = json_loadb(data, len, 0, NULL))) {
		rc = nswg_object(&ctx, doc);
		json_decref(doc);
	} else {
		rc = feed_each_line(data, len, sink, nswg_line, &ctx);
	}
	if (rc)
		return rc;
	if (!ctx.recognized) {
		error_set("%s: no Node.js security-wg advisory in it", name ? name : "");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}
