/*
 * matcher.c - matching one report (see matcher.h).
 *
 * The hot path is per package: one or two hash lookups (binary and source
 * name), a walk over the few entries found and a handful of version
 * comparisons. Everything else - folding, enrichment, JSON - happens only
 * for packages that have findings, which are few.
 */
#include "matcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "version/version.h"

#define MAX_FINDINGS_PER_PACKAGE 4096
#define EXPLANATION_BYTES 1024

/* ---- what a package is ---- */

struct pkg_view {
	const char *id, *name, *version;
	const char *source_name, *source_version;
	const char *module;        /* rpm module stream, NULL when none */
	const char *ecosystem;     /* NULL: nothing to match it against */
	char distribution[64];     /* feed_distribution_key(); "" for languages */
	const char *distribution_id, *repository_id;
};

static const char *ecosystem_of_repository(const char *name)
{
	static const char *const map[][2] = {
		{"npm", "npm"},	    {"pypi", "pypi"},   {"maven", "maven"},	   {"go", "golang"},
		{"rubygems", "gem"}, {"nuget", "nuget"}, {"crates.io", "cargo"}, {"packagist", "composer"},
	};
	size_t i;

	for (i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], name) == 0)
			return map[i][1];
	return NULL;
}

static const char *ecosystem_of_purl(const char *purl)
{
	static const char *const map[][2] = {
		{"pkg:deb/", "deb"},	   {"pkg:rpm/", "rpm"},	      {"pkg:apk/", "apk"},     {"pkg:npm/", "npm"},
		{"pkg:pypi/", "pypi"},	   {"pkg:maven/", "maven"},   {"pkg:golang/", "golang"}, {"pkg:gem/", "gem"},
		{"pkg:nuget/", "nuget"},   {"pkg:cargo/", "cargo"},   {"pkg:composer/", "composer"},
	};
	size_t i;

	for (i = 0; purl && i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(purl, map[i][0], strlen(map[i][0])) == 0)
			return map[i][1];
	return NULL;
}

/* The package ordering of a distribution, by its id or, failing that, by
 * where the package was found. */
static const char *ecosystem_of_distribution(const char *did, const char *package_db)
{
	static const char *const rpm_family[] = {"rhel", "centos", "rocky", "almalinux", "fedora", "ol", "amzn",
						 "opensuse-leap", "sles", "photon", "mariner", "azurelinux", NULL};
	const char *const *p;

	if (did && (strcmp(did, "debian") == 0 || strcmp(did, "ubuntu") == 0))
		return "deb";
	if (did && (strcmp(did, "alpine") == 0 || strcmp(did, "wolfi") == 0 || strcmp(did, "chainguard") == 0))
		return "apk";
	for (p = rpm_family; did && *p; p++)
		if (strcmp(did, *p) == 0)
			return "rpm";
	if (package_db && strstr(package_db, "dpkg"))
		return "deb";
	if (package_db && strstr(package_db, "apk"))
		return "apk";
	if (package_db && strstr(package_db, "rpm"))
		return "rpm";
	return NULL;
}

static void describe_package(struct pkg_view *v, const char *id, const json_t *pkg, const json_t *contents)
{
	const json_t *env = json_array_get(json_object_get(json_object_get(contents, "environments"), id), 0);
	const json_t *src = json_object_get(pkg, "source");
	const char *dist_id = json_string_value(json_object_get(env, "distributionId"));
	const char *repo_id = json_string_value(json_array_get(json_object_get(env, "repositoryIds"), 0));
	const json_t *dist = dist_id && *dist_id ? json_object_get(json_object_get(contents, "distributions"), dist_id) : NULL;
	const json_t *repo = repo_id && *repo_id ? json_object_get(json_object_get(contents, "repositories"), repo_id) : NULL;

	memset(v, 0, sizeof(*v));
	v->id = id;
	v->name = json_string_value(json_object_get(pkg, "name"));
	v->version = json_string_value(json_object_get(pkg, "version"));
	v->source_name = json_string_value(json_object_get(src, "name"));
	v->source_version = json_string_value(json_object_get(src, "version"));
	v->module = json_string_value(json_object_get(pkg, "module"));
	if (v->module && !v->module[0])
		v->module = NULL;
	v->distribution_id = dist ? dist_id : "";
	v->repository_id = repo ? repo_id : "";
	if (dist) {
		const char *did = json_string_value(json_object_get(dist, "did"));
		const char *ver = json_string_value(json_object_get(dist, "versionId"));
		if (!ver || !*ver)
			ver = json_string_value(json_object_get(dist, "version"));
		if ((!ver || !*ver) && did && strcmp(did, "debian") == 0)
			ver = json_string_value(json_object_get(dist, "versionCodeName"));
		v->ecosystem = ecosystem_of_distribution(did, json_string_value(json_object_get(env, "packageDb")));
		feed_distribution_key(v->distribution, sizeof(v->distribution), did, ver);
		return;
	}
	if (repo)
		v->ecosystem = ecosystem_of_repository(json_string_value(json_object_get(repo, "name")));
	if (!v->ecosystem)
		v->ecosystem = ecosystem_of_purl(json_string_value(json_object_get(pkg, "purl")));
	if (v->ecosystem && (strcmp(v->ecosystem, "deb") == 0 || strcmp(v->ecosystem, "rpm") == 0 ||
			     strcmp(v->ecosystem, "apk") == 0))
		v->ecosystem = NULL; /* an OS package without its distribution cannot be matched */
}

/* ---- ordering with each ecosystem's quirks ---- */

static int compare_in(const char *ecosystem, const char *installed, const char *bound)
{
	version_compare_fn cmp = version_comparator(ecosystem);

	if (!cmp)
		return strcmp(installed, bound);
	if (strcmp(ecosystem, "golang") == 0) {
		/* OSV writes Go versions without the "v" that module versions carry */
		char a[VERSION_MAX_LEN + 2], b[VERSION_MAX_LEN + 2];
		snprintf(a, sizeof(a), "%s%s", installed[0] == 'v' ? "" : "v", installed);
		snprintf(b, sizeof(b), "%s%s", bound[0] == 'v' ? "" : "v", bound);
		return cmp(a, b);
	}
	if (strcmp(ecosystem, "rpm") == 0 && !strchr(bound, '-')) {
		/* A bound without a release ("fixed in 1.2.3") holds for every
		 * release of that version: compare without the installed release. */
		const char *dash = strrchr(installed, '-');
		if (dash && (size_t)(dash - installed) < VERSION_MAX_LEN) {
			char head[VERSION_MAX_LEN + 1];
			memcpy(head, installed, (size_t)(dash - installed));
			head[dash - installed] = '\0';
			return cmp(head, bound);
		}
	}
	return cmp(installed, bound);
}

int matcher_in_range(const char *ecosystem, const char *version, const struct vulndata_range *r)
{
	int c;

	if (r->lower) {
		c = compare_in(ecosystem, version, r->lower);
		if (c < 0 || (c == 0 && !r->lower_inclusive))
			return 0;
	}
	if (r->upper) {
		c = compare_in(ecosystem, version, r->upper);
		if (c > 0 || (c == 0 && !r->upper_inclusive))
			return 0;
	}
	return 1;
}

static const char *comparator_name(const char *ecosystem)
{
	static const char *const names[][2] = {
		{"deb", "dpkg"},	{"rpm", "rpm (epoch:version-release)"}, {"apk", "apk"},
		{"npm", "node-semver"}, {"cargo", "SemVer 2.0"},			 {"golang", "Go module semver"},
		{"pypi", "PEP 440"},	{"maven", "Maven ComparableVersion"},	 {"gem", "RubyGems"},
		{"nuget", "NuGet"},	{"composer", "Composer"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], ecosystem) == 0)
			return version_comparator(ecosystem) ? names[i][1] : "exact text";
	return "exact text";
}

/* ---- findings of one package ---- */

struct finding {
	const struct vulndata_source *src;
	const struct vulndata_entry *e;
	const struct vulndata_range *range; /* the matched interval, NULL for a listed version or all versions */
	const char *listed;                 /* the listed version that matched */
	const char *compared;               /* the installed version compared */
	const char *keyed_by;               /* "source" or "binary" name */
	int group;                          /* fold group (union-find root) */
};

struct package_findings {
	const struct pkg_view *pkg;
	const char *compared, *keyed_by;
	struct finding *items;
	size_t count, cap;
	int overflow;
};

static int on_entry(void *ctx, const struct vulndata_source *src, const struct vulndata_entry *e)
{
	struct package_findings *pf = ctx;
	const struct vulndata_range *hit = NULL;
	const char *listed = NULL;
	size_t i;

	/* the vendor says which name it keys by; the other name must not match */
	if ((e->kind == VULNDATA_KIND_SOURCE && strcmp(pf->keyed_by, "source") != 0) ||
	    (e->kind == VULNDATA_KIND_BINARY && strcmp(pf->keyed_by, "binary") != 0))
		return 0;
	/* A module stream's packages are fixed in that stream only: the
	 * nodejs:18 build is not fixed by the nodejs:20 advisory, and a
	 * non-modular advisory does not speak for modular builds (as claircore
	 * and Red Hat match them). */
	if (strcmp(e->ecosystem, "rpm") == 0 &&
	    ((e->module == NULL) != (pf->pkg->module == NULL) || (e->module && strcmp(e->module, pf->pkg->module) != 0)))
		return 0;
	if (e->range_count || e->version_count) {
		/* ranges first: a range names the fix, a listed version does not */
		for (i = 0; i < e->range_count && !hit; i++)
			if (matcher_in_range(e->ecosystem, pf->compared, &e->ranges[i]))
				hit = &e->ranges[i];
		for (i = 0; i < e->version_count && !listed && !hit; i++)
			if (compare_in(e->ecosystem, pf->compared, e->versions[i]) == 0)
				listed = e->versions[i];
		if (!hit && !listed)
			return 0;
	}
	for (i = 0; i < pf->count; i++)
		if (pf->items[i].e->record == e->record)
			return 0; /* the same record through its other name */
	if (pf->count == pf->cap) {
		struct finding *bigger;
		size_t want = pf->cap ? pf->cap * 2 : 8;
		if (pf->count >= MAX_FINDINGS_PER_PACKAGE) {
			pf->overflow = 1;
			return 0;
		}
		if (!(bigger = realloc(pf->items, want * sizeof(*bigger))))
			return ASEC_ENOMEM;
		pf->items = bigger;
		pf->cap = want;
	}
	pf->items[pf->count] = (struct finding){src, e, hit, listed, pf->compared, pf->keyed_by, (int)pf->count};
	pf->count++;
	return 0;
}

static const char *record_id(const struct finding *f)
{
	return json_string_value(json_object_get(f->e->record, "id"));
}

static int shares_id(const struct finding *a, const struct finding *b)
{
	const json_t *aliases_a = json_object_get(a->e->record, "aliases");
	const json_t *aliases_b = json_object_get(b->e->record, "aliases");
	const json_t *x, *y;
	size_t i, j;

	if (strcmp(record_id(a), record_id(b)) == 0)
		return 1;
	json_array_foreach(aliases_a, i, x) {
		if (strcmp(json_string_value(x), record_id(b)) == 0)
			return 1;
		json_array_foreach(aliases_b, j, y)
			if (strcmp(json_string_value(x), json_string_value(y)) == 0)
				return 1;
	}
	json_array_foreach(aliases_b, j, y)
		if (strcmp(json_string_value(y), record_id(a)) == 0)
			return 1;
	return 0;
}

static int find_root(struct finding *items, int i)
{
	while (items[i].group != i) {
		items[i].group = items[items[i].group].group;
		i = items[i].group;
	}
	return i;
}

/* Which finding of a fold group speaks for it: one that says the package
 * is affected and names a fix, then any affected, then the vendor's other
 * statements, "not affected" last; ties go to the earlier source. */
static int finding_rank(const struct finding *f)
{
	const char *s = f->e->status;

	if (strcmp(s, "affected") == 0)
		return f->range && f->range->fix ? 0 : 1;
	if (strcmp(s, "not_affected") == 0)
		return 3;
	return 2;
}

/* ---- the report ---- */

static void add_unique(json_t *list, const char *id, const char *except)
{
	size_t i;
	json_t *v;

	if (!id || !*id || (except && strcmp(id, except) == 0))
		return;
	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), id) == 0)
			return;
	json_array_append_new(list, json_string(id));
}

static const char *first_cve(const char *name, const json_t *aliases)
{
	size_t i;
	json_t *v;

	if (strncmp(name, "CVE-", 4) == 0)
		return name;
	json_array_foreach(aliases, i, v)
		if (strncmp(json_string_value(v), "CVE-", 4) == 0)
			return json_string_value(v);
	return NULL;
}

static void add_cvss(json_t *metrics, const json_t *cvss_list, const char *default_source, const char *url)
{
	size_t i;
	json_t *m;

	json_array_foreach(cvss_list, i, m) {
		const char *version = json_string_value(json_object_get(m, "version"));
		const char *source = json_string_value(json_object_get(m, "source"));
		const char *murl = json_string_value(json_object_get(m, "url"));
		const json_t *score = json_object_get(m, "score");
		const char *slot = version[0] == '2' ? "v2" : version[0] == '4' ? "v4" : "v3";
		json_t *entry;
		if (!json_is_number(score))
			continue;
		entry = json_pack("{s:{s:f, s:s}, s:s, s:s}", slot, "baseScore", json_number_value(score), "vector",
				  json_string_value(json_object_get(m, "vector")), "source",
				  default_source ? default_source : source ? source : "", "url", murl ? murl : url ? url : "");
		if (entry)
			json_array_append_new(metrics, entry);
	}
}

static double best_score(const json_t *cvss_list)
{
	double best = 0, v3 = 0;
	size_t i;
	json_t *m;

	/* v3 is what severities are commonly read from; v4 and v2 otherwise */
	json_array_foreach(cvss_list, i, m) {
		double s = json_number_value(json_object_get(m, "score"));
		const char *version = json_string_value(json_object_get(m, "version"));
		if (version && version[0] == '3' && s > v3)
			v3 = s;
		if (s > best)
			best = s;
	}
	return v3 > 0 ? v3 : best;
}

static void explain(char *out, size_t size, const struct pkg_view *p, const struct finding *f)
{
	const char *advisory = json_string_value(json_object_get(json_object_get(f->e->record, "advisory"), "name"));
	const char *where = f->e->distribution[0] ? f->e->distribution : f->e->ecosystem;
	const char *pkgname = strcmp(f->keyed_by, "source") == 0 ? p->source_name : p->name;
	int n;

	n = snprintf(out, size, "%s from source %s (record %s): %s package %s %s in %s", advisory ? advisory : record_id(f),
		     vulndata_source_name(f->src), record_id(f), f->keyed_by, pkgname, f->compared, where);
	if (n < 0 || (size_t)n >= size)
		return;
	if (f->listed) {
		snprintf(out + n, size - (size_t)n, " is listed as affected (%s ordering: %s == %s)",
			 comparator_name(f->e->ecosystem), f->compared, f->listed);
	} else if (f->range) {
		const struct vulndata_range *r = f->range;
		char lower[VERSION_MAX_LEN + 16], upper[VERSION_MAX_LEN + 16];
		snprintf(lower, sizeof(lower), "%s %s", r->lower ? (r->lower_inclusive ? ">=" : ">") : ">=",
			 r->lower ? r->lower : "0");
		if (r->upper)
			snprintf(upper, sizeof(upper), " and %s %s", r->upper_inclusive ? "<=" : "<", r->upper);
		else
			upper[0] = '\0';
		snprintf(out + n, size - (size_t)n, " is %s: range [%s%s%s%s) matched (%s%s) by %s ordering: %s %s%s",
			 f->e->status, r->lower ? r->lower : "0", r->upper ? ", " : "", r->upper ? r->upper : "",
			 r->upper && r->upper_inclusive ? "]" : "", r->events ? "events: " : "", r->events ? r->events : "no events",
			 comparator_name(f->e->ecosystem), f->compared, lower, upper);
	} else {
		snprintf(out + n, size - (size_t)n, " is %s in every version (the vendor's statement for %s)", f->e->status,
			 where);
	}
}

static json_t *finding_json(const struct vulndata *d, const struct pkg_view *p, struct finding *items, size_t count,
			    int root, const char *vuln_id)
{
	const struct finding *best = NULL;
	const json_t *rec, *aff, *nvd, *kev, *adv;
	json_t *aliases = json_array(), *metrics = json_array(), *out;
	const char *name, *cve, *issued, *sev, *norm, *fixed = "", *epss_date = NULL;
	json_t *desc_value;
	char explanation[EXPLANATION_BYTES];
	double epss, pct;
	size_t i;

	for (i = 0; i < count; i++)
		if (find_root(items, (int)i) == root && (!best || finding_rank(&items[i]) < finding_rank(best)))
			best = &items[i];
	rec = best->e->record;
	aff = best->e->affected;
	name = record_id(best);
	for (i = 0; i < count; i++) {
		const json_t *al;
		size_t j;
		if (find_root(items, (int)i) != root)
			continue;
		add_unique(aliases, record_id(&items[i]), name);
		json_array_foreach(json_object_get(items[i].e->record, "aliases"), j, al)
			add_unique(aliases, json_string_value(al), name);
	}
	cve = first_cve(name, aliases);
	nvd = cve ? vulndata_nvd(d, cve) : NULL;
	kev = cve ? vulndata_kev(d, cve) : NULL;

	/* the record's own string value is shared, not copied: descriptions
	 * are the longest text of a report */
	desc_value = json_object_get(rec, "description");
	if (!json_string_length(desc_value))
		desc_value = json_object_get(rec, "summary");
	if (!json_string_length(desc_value) && nvd)
		desc_value = json_object_get(nvd, "description");
	if (!json_is_string(desc_value))
		desc_value = NULL;
	issued = json_string_value(json_object_get(rec, "published"));
	if ((!issued || !*issued) && nvd)
		issued = json_string_value(json_object_get(nvd, "published"));
	sev = json_string_value(json_object_get(aff, "severity"));
	norm = json_string_value(json_object_get(aff, "normalizedSeverity"));
	if (!sev)
		sev = json_string_value(json_object_get(rec, "severity"));
	if (!norm)
		norm = json_string_value(json_object_get(rec, "normalizedSeverity"));
	/* The vendor's rating stands; without one, the record's own CVSS, then NVD's. */
	if (!norm || strcmp(norm, "UNKNOWN") == 0)
		norm = feed_severity_from_score(best_score(json_object_get(rec, "cvss")));
	if (strcmp(norm, "UNKNOWN") == 0 && nvd)
		norm = feed_severity_from_score(best_score(json_object_get(nvd, "cvss")));
	if (best->range && best->range->fix)
		fixed = best->range->fix;

	add_cvss(metrics, json_object_get(rec, "cvss"), NULL, NULL);
	if (nvd)
		add_cvss(metrics, json_object_get(nvd, "cvss"), "NVD", json_string_value(json_object_get(nvd, "link")));
	explain(explanation, sizeof(explanation), p, best);
	adv = json_object_get(rec, "advisory");

	out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}",
			"id", vuln_id, "name", name, "advisory", "name",
			json_string_value(json_object_get(adv, "name")) ? json_string_value(json_object_get(adv, "name")) : name,
			"link", json_string_value(json_object_get(adv, "link")) ? json_string_value(json_object_get(adv, "link")) : "",
			"description", desc_value ? json_incref(desc_value) : json_string(""), "issued", issued ? issued : "", "severity", sev ? sev : "",
			"normalizedSeverity", norm, "packageId", p->id, "distributionId", p->distribution_id, "repositoryId",
			p->repository_id, "fixedInVersion", fixed, "status", best->e->status, "cvssMetrics", metrics,
			"aliases", aliases, "updater", vulndata_source_name(best->src), "explanation", explanation);
	if (!out)
		return NULL;
	if (cve && vulndata_epss(d, cve, &epss, &pct, &epss_date)) {
		json_t *e = json_pack("{s:f, s:f}", "probability", epss, "percentile", pct);
		if (e && epss_date)
			json_object_set_new(e, "date", json_string(epss_date));
		json_object_set_new(out, "epssMetrics", e);
	}
	if (kev) {
		json_t *x = json_pack("{s:s}", "dateAdded", json_string_value(json_object_get(kev, "dateAdded")));
		static const char *const keys[] = {"dueDate", "knownRansomwareCampaignUse", "requiredAction", "name"};
		for (i = 0; x && i < sizeof(keys) / sizeof(keys[0]); i++)
			if (json_is_string(json_object_get(kev, keys[i])))
				json_object_set(x, keys[i], json_object_get(kev, keys[i]));
		json_object_set_new(out, "exploit", x);
	}
	if (nvd && json_array_size(json_object_get(nvd, "cwes")))
		json_object_set(out, "cwes", json_object_get(nvd, "cwes"));
	return out;
}

static int compare_ids(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	/* numeric ids in numeric order, the rest after them by text */
	if (lx != ly && strspn(x, "0123456789") == lx && strspn(y, "0123456789") == ly)
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

static int compare_group_names(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
		      json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

static int match_package(json_t *vulns, json_t *pkg_vulns, json_t *notes, const struct vulndata *d,
			 const struct pkg_view *p, size_t *next_id)
{
	struct package_findings pf = {.pkg = p};
	json_t **made = NULL, *ids;
	size_t i, j, groups = 0;
	int rc = ASEC_OK;
	char note[512];
	int (*valid)(const char *) = NULL;

	if (!p->ecosystem || !p->name || !*p->name || !p->version || !*p->version)
		return ASEC_OK;
	if (strcmp(p->ecosystem, "deb") == 0)
		valid = version_valid_dpkg;
	else if (strcmp(p->ecosystem, "rpm") == 0)
		valid = version_valid_rpm;
	else if (strcmp(p->ecosystem, "apk") == 0)
		valid = version_valid_apk;
	else if (strcmp(p->ecosystem, "pypi") == 0)
		valid = version_valid_pep440;
	else if (strcmp(p->ecosystem, "gem") == 0)
		valid = version_valid_rubygems;
	else if (strcmp(p->ecosystem, "nuget") == 0)
		valid = version_valid_nuget;
	else if (strcmp(p->ecosystem, "composer") == 0)
		valid = version_valid_composer;
	if (valid && !valid(p->version)) {
		snprintf(note, sizeof(note), "package %s: version \"%.100s\" is not a valid %s version; not matched",
			 p->id, p->version, p->ecosystem);
		json_array_append_new(notes, json_string(note));
		return ASEC_OK;
	}
	/* The binary name with the binary version; the source name with the
	 * source version (Debian fixes are source versions; a binNMU's "+b1"
	 * must not make a binary look fixed or not). */
	pf.keyed_by = "binary";
	pf.compared = p->version;
	if ((rc = vulndata_lookup(d, p->ecosystem, p->distribution, p->name, on_entry, &pf)))
		goto out;
	if (p->source_name && *p->source_name) {
		pf.keyed_by = "source";
		pf.compared = p->source_version && *p->source_version ? p->source_version : p->version;
		if ((rc = vulndata_lookup(d, p->ecosystem, p->distribution, p->source_name, on_entry, &pf)))
			goto out;
	}
	if (pf.overflow) {
		snprintf(note, sizeof(note), "package %s: more than %d findings; the rest are not reported", p->id,
			 MAX_FINDINGS_PER_PACKAGE);
		json_array_append_new(notes, json_string(note));
	}
	if (!pf.count)
		goto out;
	for (i = 0; i < pf.count; i++)
		for (j = 0; j < i; j++)
			if (shares_id(&pf.items[i], &pf.items[j])) {
				int a = find_root(pf.items, (int)i), b = find_root(pf.items, (int)j);
				if (a != b)
					pf.items[a > b ? a : b].group = a < b ? a : b;
			}
	if (!(made = calloc(pf.count, sizeof(*made)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < pf.count; i++) {
		if (find_root(pf.items, (int)i) != (int)i)
			continue;
		if (!(made[groups] = finding_json(d, p, pf.items, pf.count, (int)i, ""))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
		groups++;
	}
	qsort(made, groups, sizeof(*made), compare_group_names);
	ids = json_array();
	for (i = 0; i < groups; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%zu", ++*next_id);
		json_object_set_new(made[i], "id", json_string(id));
		json_array_append_new(ids, json_string(id));
		json_object_set_new(vulns, id, made[i]);
		made[i] = NULL;
	}
	json_object_set_new(pkg_vulns, p->id, ids);
out:
	for (i = 0; made && i < groups; i++)
		json_decref(made[i]);
	free(made);
	free(pf.items);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory matching package %s", p->id);
	return rc;
}

int matcher_report(json_t **out, const struct vulndata *d, const char *hash_id, const json_t *contents)
{
	const json_t *packages = json_object_get(contents, "packages");
	json_t *vulns = json_object(), *pkg_vulns = json_object(), *notes = json_array();
	const char **ids = NULL;
	const char *key;
	json_t *value;
	size_t n = 0, i, next_id = 0, unmatched_os = 0, unknown = 0;
	int rc = ASEC_OK;
	char note[256];

	*out = NULL;
	if (json_object_size(packages) && !(ids = calloc(json_object_size(packages), sizeof(*ids)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	json_object_foreach((json_t *)packages, key, value)
		ids[n++] = key;
	if (n)
		qsort(ids, n, sizeof(*ids), compare_ids);
	for (i = 0; i < n && !rc; i++) {
		struct pkg_view p;
		describe_package(&p, ids[i], json_object_get(packages, ids[i]), contents);
		if (!p.ecosystem)
			unknown++;
		else if (p.ecosystem && (strcmp(p.ecosystem, "deb") == 0 || strcmp(p.ecosystem, "rpm") == 0 ||
				    strcmp(p.ecosystem, "apk") == 0) && !p.distribution[0]) {
			unmatched_os++;
			continue;
		}
		rc = match_package(vulns, pkg_vulns, notes, d, &p, &next_id);
	}
	if (unmatched_os) {
		snprintf(note, sizeof(note),
			 "%zu OS packages were not matched: the distribution release is unknown (no os-release version)",
			 unmatched_os);
		json_array_append_new(notes, json_string(note));
	}
	if (unknown) {
		snprintf(note, sizeof(note), "%zu packages belong to no ecosystem the matcher knows; not matched", unknown);
		json_array_append_new(notes, json_string(note));
	}
	if (rc)
		goto out;
	*out = json_pack("{s:s, s:o, s:o, s:o}", "hashId", hash_id, "vulnerabilities", vulns, "packageVulnerabilities",
			 pkg_vulns, "notes", notes);
	vulns = pkg_vulns = notes = NULL;
	if (!*out) {
		rc = ASEC_ENOMEM;
		goto out;
	}

out:
	free(ids);
	json_decref(vulns);
	json_decref(pkg_vulns);
	json_decref(notes);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory building the vulnerability report");
	return rc;
}
