/*
 * rubysec.c - RubySec advisories (gems/<gem>/<id>.yml in rubysec/ruby-
 * advisory-db) as canonical advisory records.
 *
 * An advisory is one YAML mapping: gem, cve, ghsa, osvdb, url, title, date,
 * description, cvss_v2/v3/v4 (bare scores), and two lists of RubyGems
 * requirement strings: patched_versions and unaffected_versions. Each
 * string is comparators joined by commas, all of which must hold ("~>
 * 1.2.5", ">= 2.0.0, < 2.1.3"); a version is safe when any string of
 * either list admits it, so what is affected is NOT (patched OR unaffected),
 * computed by requirements.c over RubyGems order. "~> 1.2.3" is ">= 1.2.3"
 * and "< 1.3" (Gem::Version#bump: drop the pre-release part, then the last
 * number, and add one to the new last one). RubyGems keeps a pre-release of
 * the bumped version (1.3.0.rc1) out of "~>"; an interval cannot say that,
 * so such pre-releases count as inside, an approximation in the same spirit
 * as npm's.
 *
 * The YAML is read by shared/yaml with every scalar kept as a string, so a
 * "cve: 2011-5036" or "cvss_v3: 7.5" is exactly the text written.
 * Advisories under rubies/ are about the Ruby interpreters themselves
 * (engine: ruby, jruby...), which no gem version can match; they are
 * skipped with that reason. The record's id is the CVE when there is one,
 * else the GHSA id, else the file's own name (OSVDB-94644).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "feeds/requirements.h"
#include "yaml/yamljson.h"

#define RUBYSEC_MAX_NAME 1024

struct rubysec {
	const struct feed_sink *sink;
	char stem[80]; /* the file name without folders and ".yml" */
	const char *id; /* for skips, once known */
};

static void rubysec_skip(const struct rubysec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rubysec_skip(const struct rubysec *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	feed_vskipf(r->sink, r->id ? r->id : r->stem, 0, fmt, ap);
	va_end(ap);
}

/* A member's text, NULL when absent or YAML's null ("", "~", "null"). */
static const char *rubysec_text(const json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	if (!s || !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return NULL;
	return s;
}

/* The upper bound of "~> version": Gem::Version#bump. Numbers are kept as
 * digit strings, so no version is too large to bump. */
static int rubysec_bump(char *out, size_t size, const char *version)
{
	const char *seg[64];
	size_t len[64], n = 0, i, at = 0;
	const char *p = version;
	char last[VERSION_MAX_LEN + 2];

	/* Numeric segments up to the first alphabetic one (where the
	 * pre-release starts: "1.2.3.rc1", "1.2.3-beta"). */
	while (*p && n < 64) {
		if (isdigit((unsigned char)*p)) {
			const char *start = p;

			while (isdigit((unsigned char)*p))
				p++;
			while (p - start > 1 && *start == '0')
				start++; /* to_i */
			seg[n] = start;
			len[n++] = (size_t)(p - start);
		} else if (isalpha((unsigned char)*p)) {
			break;
		} else {
			p++;
		}
	}
	if (n == 0 || (*p && n == 64 && !isalpha((unsigned char)*p))) {
		error_set("\"%.40s\" cannot be bumped", version);
		return ASEC_EINVALID;
	}
	if (n > 1)
		n--;
	for (i = 0; i + 1 < n; i++) {
		if (at + len[i] + 1 >= size)
			goto too_long;
		memcpy(out + at, seg[i], len[i]);
		at += len[i];
		out[at++] = '.';
	}
	if (len[n - 1] >= sizeof(last) - 1)
		goto too_long;
	memcpy(last, seg[n - 1], len[n - 1]);
	last[len[n - 1]] = '\0';
	/* add one to the digit string */
	i = len[n - 1];
	while (i > 0 && last[i - 1] == '9')
		last[--i] = '0';
	if (i > 0) {
		last[i - 1]++;
	} else {
		memmove(last + 1, last, len[n - 1] + 1);
		last[0] = '1';
	}
	if (at + strlen(last) >= size || at + strlen(last) > VERSION_MAX_LEN)
		goto too_long;
	memcpy(out + at, last, strlen(last) + 1);
	return ASEC_OK;
too_long:
	error_set("\"%.40s\" bumps to a version that is too long", version);
	return ASEC_EINVALID;
}

/* One comparator of a RubyGems requirement; set = set AND it. */
static int rubysec_comparator(void *ctx, const char *s, size_t n)
{
	static const struct {
		const char *op;
		enum req_op req;
	} ops[] = {
		/* longest first, so ">=" is not read as ">" */
		{"~>", REQ_OP_GE}, {">=", REQ_OP_GE}, {"<=", REQ_OP_LE}, {"!=", REQ_OP_NE},
		{">", REQ_OP_GT},  {"<", REQ_OP_LT},  {"=", REQ_OP_EQ},
	};
	struct req_set *set = ctx;
	const char *end = s + n;
	char version[VERSION_MAX_LEN + 1], upper[VERSION_MAX_LEN + 1];
	size_t i, k = sizeof(ops) / sizeof(ops[0]);
	int rc;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if ((size_t)(end - s) >= strlen(ops[i].op) && strncmp(s, ops[i].op, strlen(ops[i].op)) == 0) {
			k = i;
			s += strlen(ops[i].op);
			break;
		}
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end) {
		error_set("a comparator without a version");
		return ASEC_EINVALID;
	}
	if ((size_t)(end - s) > VERSION_MAX_LEN) {
		error_set("a version longer than %d bytes", VERSION_MAX_LEN);
		return ASEC_EINVALID;
	}
	memcpy(version, s, (size_t)(end - s));
	version[end - s] = '\0';
	if (!version_valid_rubygems(version)) {
		error_set("\"%.60s\" is not a RubyGems version", version);
		return ASEC_EINVALID;
	}
	if ((rc = req_set_constrain(set, k < sizeof(ops) / sizeof(ops[0]) ? ops[k].req : REQ_OP_EQ, version)))
		return rc;
	if (k == 0) { /* ~> */
		if ((rc = rubysec_bump(upper, sizeof(upper), version)) ||
		    (rc = req_set_constrain(set, REQ_OP_LT, upper)))
			return rc;
	}
	return ASEC_OK;
}

/* One RubyGems requirement string. set must hold every version on entry. */
static int rubysec_requirement(struct req_set *set, const char *text)
{
	return req_each_comparator(text, rubysec_comparator, set);
}

/* set = set OR each string of doc[key]; the strings go to events[key]. */
static int rubysec_list(const struct rubysec *r, struct req_set *set, const json_t *doc, const char *key,
			json_t *events)
{
	const json_t *list = json_object_get(doc, key);
	char why[512];
	int rc;

	if (!list || (json_is_string(list) && !rubysec_text(doc, key)))
		return ASEC_OK;
	if (!json_is_array(list)) {
		rubysec_skip(r, "%s is not a list", key);
		return ASEC_EINVALID;
	}
	rc = req_set_union_list(set, list, rubysec_requirement, key, json_object_get(events, key), why, sizeof(why));
	if (rc && rc != ASEC_ENOMEM)
		rubysec_skip(r, "%s", why);
	return rc;
}

static int rubysec_lower_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !islower((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "2011-5036" or "CVE-2011-5036" -> "CVE-2011-5036"; "" when malformed. */
static void rubysec_cve(char *out, size_t size, const char *cve)
{
	snprintf(out, size, "%s%.30s", cve && strncmp(cve, "CVE-", 4) == 0 ? "" : "CVE-", cve ? cve : "");
	if (!cve || strlen(cve) > 30 || !feed_is_cve_id(out))
		out[0] = '\0';
}

/* "v6j3-7jrw-hq2p" or "GHSA-v6j3-7jrw-hq2p" -> "GHSA-v6j3-7jrw-hq2p". */
static void rubysec_ghsa(char *out, size_t size, const char *ghsa)
{
	const char *g = ghsa && strncmp(ghsa, "GHSA-", 5) == 0 ? ghsa + 5 : ghsa;

	out[0] = '\0';
	if (g && strlen(g) == 14 && g[4] == '-' && g[9] == '-' && rubysec_lower_alnum(g, 4) &&
	    rubysec_lower_alnum(g + 5, 4) && rubysec_lower_alnum(g + 10, 4))
		snprintf(out, size, "GHSA-%s", g);
}

/* The highest score of cvss_v2/v3/v4, or 0 when none is a number. */
static double rubysec_score(const json_t *doc)
{
	static const char *const keys[] = {"cvss_v2", "cvss_v3", "cvss_v4"};
	double best = 0;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = rubysec_text(doc, keys[i]);
		char *end;
		double v;

		if (!s)
			continue;
		v = strtod(s, &end);
		if (end != s && *end == '\0' && v > best && v <= 10.0)
			best = v;
	}
	return best;
}

static int rubysec_stem_ok(const char *s)
{
	return *s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(s);
}

static int rubysec_advisory(struct rubysec *r, const json_t *doc)
{
	const char *gem = rubysec_text(doc, "gem"), *osvdb = rubysec_text(doc, "osvdb");
	const char *url = rubysec_text(doc, "url");
	char cve[48], ghsa[48], osv[48], ts[64], *text = NULL;
	const char *ids[3] = {cve, ghsa, osv};
	json_t *rec = NULL, *ranges = NULL, *events = NULL, *aliases = NULL, *affected;
	struct req_set set;
	size_t i;
	int rc = ASEC_OK;

	req_set_init(&set, version_comparator("gem"));
	rubysec_cve(cve, sizeof(cve), rubysec_text(doc, "cve"));
	rubysec_ghsa(ghsa, sizeof(ghsa), rubysec_text(doc, "ghsa"));
	osv[0] = '\0';
	if (osvdb && strlen(osvdb) <= 12 && strspn(osvdb, "0123456789") == strlen(osvdb))
		snprintf(osv, sizeof(osv), "OSVDB-%s", osvdb);
	r->id = cve[0] ? cve : ghsa[0] ? ghsa : rubysec_stem_ok(r->stem) ? r->stem : osv[0] ? osv : NULL;
	if (!r->id) {
		rubysec_skip(r, "no cve, ghsa or usable file name to name it by");
		goto out;
	}
	if (!gem || strlen(gem) > RUBYSEC_MAX_NAME) {
		rubysec_skip(r, "gem is empty or longer than %d bytes", RUBYSEC_MAX_NAME);
		goto out;
	}
	/* affected = NOT (patched OR unaffected) */
	if (!(events = json_pack("{s:[], s:[]}", "patched_versions", "unaffected_versions")))
		goto oom;
	if ((rc = rubysec_list(r, &set, doc, "patched_versions", events)) ||
	    (rc = rubysec_list(r, &set, doc, "unaffected_versions", events)))
		goto out;
	if ((rc = req_set_complement(&set))) {
		if (rc != ASEC_ENOMEM)
			rubysec_skip(r, "%s", error_last());
		goto out;
	}
	if (req_set_is_empty(&set)) {
		rubysec_skip(r, "no affected versions: patched and unaffected versions cover every version");
		goto out;
	}
	if (!(text = json_dumps(events, JSON_COMPACT)) || (rc = req_set_ranges(&ranges, &set, NULL, NULL, text)))
		goto oom;

	if (!(rec = json_object()) || !(aliases = json_array()))
		goto oom;
	json_object_set_new(rec, "kind", json_string("advisory"));
	json_object_set_new(rec, "id", json_string(r->id));
	for (i = 0; i < 3; i++)
		if (ids[i][0] && strcmp(ids[i], r->id) != 0)
			json_array_append_new(aliases, json_string(ids[i]));
	if (json_array_size(aliases))
		json_object_set(rec, "aliases", aliases);
	if (url && strlen(url) <= 2048 && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0))
		json_object_set_new(rec, "advisory",
				    json_pack("{s:s, s:s}", "name", rubysec_stem_ok(r->stem) ? r->stem : r->id, "link", url));
	feed_copy_text(rec, "summary", rubysec_text(doc, "title"));
	feed_copy_text(rec, "description", rubysec_text(doc, "description"));
	if (feed_timestamp(ts, sizeof(ts), rubysec_text(doc, "date")))
		json_object_set_new(rec, "published", json_string(ts));
	/* Bare scores, no vectors: a cvss entry needs a vector, so only the
	 * severity is kept. */
	json_object_set_new(rec, "normalizedSeverity", json_string(feed_severity_from_score(rubysec_score(doc))));
	if (!(affected = json_pack("[{s:s, s:s, s:s, s:s, s:o}]", "ecosystem", "gem", "distribution", "", "package",
				   gem, "status", "affected", "ranges", ranges)))
		goto oom;
	ranges = NULL;
	json_object_set_new(rec, "affected", affected);
	rc = r->sink->record(r->sink->ctx, rec);
	rec = NULL;
	goto out;
oom:
	error_set("out of memory building a RubySec record");
	rc = ASEC_ENOMEM;
out:
	if (rc == ASEC_EINVALID || rc == ASEC_ETOOBIG)
		rc = ASEC_OK; /* already reported as a skip */
	json_decref(rec);
	json_decref(ranges);
	json_decref(events);
	json_decref(aliases);
	free(text);
	req_set_free(&set);
	r->id = NULL; /* it pointed into this frame */
	return rc;
}

int feed_parse_rubysec(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct rubysec r = {sink, "", NULL};
	const char *base, *dot;
	json_t *doc = NULL;
	int rc;

	name = name ? name : "";
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	dot = strrchr(base, '.');
	snprintf(r.stem, sizeof(r.stem), "%.*s", (int)(dot ? (size_t)(dot - base) : strlen(base)), base);

	if ((rc = yamljson_parse(&doc, data, len, YAMLJSON_STRINGS, NULL))) {
		error_prefix("%s: not a RubySec advisory", name);
		return rc == ASEC_ENOMEM ? rc : ASEC_EINVALID;
	}
	if (!json_is_object(doc) || (!json_object_get(doc, "gem") && !json_object_get(doc, "engine"))) {
		error_set("%s: not a RubySec advisory (no gem or engine)", name);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (!json_object_get(doc, "gem")) {
		const char *engine = rubysec_text(doc, "engine");

		rubysec_skip(&r, "Ruby interpreter advisory (engine %.40s)", engine ? engine : "?");
		goto out;
	}
	rc = rubysec_advisory(&r, doc);
out:
	json_decref(doc);
	return rc;
}
