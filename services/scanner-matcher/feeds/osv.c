/*
 * osv.c - OSV JSON (schema 1.x): the Go vulnerability database, PyPA, GHSA,
 * AlmaLinux, Debian and Ubuntu exports, and anything else written to the
 * OSV schema (https://ossf.github.io/osv-schema/).
 *
 * A file is one OSV record (a JSON object), a JSON array of records, or JSON
 * Lines; the first byte that is not white space tells an array from the
 * rest, and an object that does not parse as the whole file is read as JSON
 * Lines, where a bad line is skipped and the next one read.
 *
 * The idea the file rests on is that OSV says what is affected by a timeline
 * of events per range, evaluated by the "IsVulnerable" pseudocode of the
 * specification: sort the events by version, walk them, and a version is
 * affected when the last event at or below it opened the range. We run that
 * walk once per range over the events themselves instead of over a version,
 * which turns the timeline into the intervals the canonical record holds:
 * "introduced" opens an interval (or continues an open one), "fixed" closes
 * it before its version, "last_affected" closes it after its version, and
 * limits cap every interval of the range below the highest limit. The sort
 * is stable, as the specification's sorted() is, so events of equal version
 * keep the order the producer wrote them in; that order decides the
 * pseudocode's result for ties, and the walk agrees with the pseudocode
 * whatever the order is. Ecosystems without a comparator keep the events in their written
 * order (how producers write them) and cannot use limits to drop intervals.
 * Each interval's "events" text is every event of its range, in the
 * source's order and words ("introduced 0, fixed 1.2.3, introduced 2.0.0,
 * fixed 2.0.4"); for a range of more than 16 events, whose text repeated on
 * each of its intervals would grow with the square of its length, it is the
 * events that made that interval.
 *
 * The second idea is that a record is kept when any of its affected entries
 * can be: an entry we cannot represent (an ecosystem we do not index, GIT
 * ranges only, bounds that are not versions of the ecosystem) is left out
 * with a reason, and the record with its remaining entries goes on. The sink
 * hears one skip per record at most: either why the record was left out or
 * which of its entries were.
 *
 * Go versions: OSV writes Go module versions without the "v" that Go, the
 * indexer ("v1.19.8", "v0.17.0") and golang.org/x/mod/semver, our "golang"
 * comparator, require; bounds and versions of the Go ecosystem are emitted
 * with the "v" put back so that the record compares with
 * version_comparator("golang"). "events" keeps the source's own spelling.
 */
#include "feeds/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvss/cvss.h"
#include "error/error.h"
#include "version/version.h"

/* Bounds on what one record may hold; beyond them the part is left out
 * with a reason (or, for lists of ids and links, simply not read further). */
#define OSV_MAX_ID 128		/* ids and aliases */
#define OSV_MAX_ALIASES 256	/* aliases kept */
#define OSV_MAX_NAME 512	/* package names */
#define OSV_MAX_EVENTS 1000	/* events of one range */
#define OSV_MAX_VERSIONS 50000	/* explicit versions of one entry */
#define OSV_MAX_SEVERITIES 32	/* severity[] entries read per list */
#define OSV_MAX_CVSS 32		/* distinct vectors kept per record */
#define OSV_MAX_REFERENCES 4096 /* references looked at for the link */
#define OSV_MAX_URL 2048
#define OSV_MAX_DATE 64
#define OSV_MAX_WORD 32		/* vendor severity words */
#define OSV_MAX_EVENTS_TEXT 1024
/* Ranges of at most this many events give each interval the text of all
 * of them; longer ones give each interval the events that made it, so that
 * the text of a range grows with its events, not with their square. */
#define OSV_SHARED_TEXT_EVENTS 16
#define OSV_REASON 512

enum osv_event_kind { OSV_INTRODUCED, OSV_FIXED, OSV_LAST_AFFECTED, OSV_LIMIT };

static const char *const osv_event_names[] = {"introduced", "fixed", "last_affected", "limit"};

struct osv_event {
	enum osv_event_kind kind;
	const char *raw; /* as the source wrote it */
	const char *ver; /* as compared and emitted ("v" added for Go) */
};

/* How an OSV ecosystem maps onto the indexer's names. */
struct osv_target {
	const char *ecosystem;
	char distribution[64];
	const char *kind; /* packageKind, NULL for language ecosystems */
	version_compare_fn cmp;
	int (*valid)(const char *);
	int go; /* versions need the "v" back */
};

/* What one record collects while its parts are converted. */
struct osv_record {
	json_t *cvss;	   /* canonical cvss entries, distinct vectors */
	double max_score;  /* highest CVSS base score seen, -1 for none */
	const char *word;  /* highest per-package vendor word */
	int word_rank;
};

struct osv_parse {
	const struct feed_sink *sink;
	size_t seen; /* records that looked like OSV */
	size_t index;
};

/* ---- small helpers ---- */

/* A string member that is present, non-empty and at most max bytes. */
static const char *osv_string(const json_t *o, const char *key, size_t max)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
		return NULL;
	return json_string_value(v);
}

static int osv_severity_rank(const char *normalized)
{
	static const char *const order[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	int i;

	for (i = 4; i > 0; i--)
		if (strcmp(normalized, order[i]) == 0)
			return i;
	return 0;
}

/* ---- ecosystems ---- */

/* A release as OSV writes it after the distribution's name: digits and dots,
 * with an optional "v" where allowed (Alpine). */
static int osv_release_ok(const char *s, int allow_v)
{
	int digits = 0;

	if (allow_v && *s == 'v')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s != '.' || !digits)
			return 0;
	}
	return digits > 0 && s[-1] != '.';
}

static int osv_map_ecosystem(struct osv_target *t, const char *name, char *reason, size_t rsize)
{
	static const struct {
		const char *osv, *ecosystem;
		int suffix_ok; /* ":<REMOTE-REPO-URL>" allowed */
	} languages[] = {
		{"npm", "npm", 0},	     {"PyPI", "pypi", 0},     {"Go", "golang", 0},  {"Maven", "maven", 1},
		{"crates.io", "cargo", 0}, {"RubyGems", "gem", 0}, {"NuGet", "nuget", 0}, {"Packagist", "composer", 1},
	};
	static const struct {
		const char *osv, *did, *kind;
		int allow_v;
	} distros[] = {
		/* OSV: "the name is the name of the source package". */
		{"Debian", "debian", "source", 0},
		{"Ubuntu", "ubuntu", "source", 0},
		/* Alpine's OSV names are origin (source) packages, as secdb's. */
		{"Alpine", "alpine", "source", 1},
		/* AlmaLinux names binary rpms: its OSV data (osv-database,
		 * almalinux8) lists java-1.8.0-openjdk-devel,
		 * java-1.8.0-openjdk-headless-slowdebug, kernel-tools-libs-devel,
		 * ... - 816 of its 5937 distinct names end in -devel, -libs or
		 * -debuginfo, which are never source rpm names. */
		{"AlmaLinux", "almalinux", "binary", 0},
		/* OSV: "the name is the name of the source package". */
		{"Rocky Linux", "rocky", "source", 0},
	};
	const char *colon = strchr(name, ':');
	size_t head = colon ? (size_t)(colon - name) : strlen(name);
	const char *rel = colon ? colon + 1 : NULL;
	char release[64];
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sizeof(languages) / sizeof(languages[0]); i++) {
		if (strlen(languages[i].osv) != head || strncmp(name, languages[i].osv, head) != 0)
			continue;
		if (rel && !languages[i].suffix_ok)
			break;
		t->ecosystem = languages[i].ecosystem;
		t->go = strcmp(t->ecosystem, "golang") == 0;
		goto found;
	}
	for (i = 0; i < sizeof(distros) / sizeof(distros[0]); i++) {
		if (strlen(distros[i].osv) != head || strncmp(name, distros[i].osv, head) != 0)
			continue;
		if (!rel || !*rel) {
			snprintf(reason, rsize, "ecosystem %s names no release", name);
			return ASEC_EINVALID;
		}
		if (strcmp(distros[i].did, "ubuntu") == 0) {
			/* "Ubuntu:22.04:LTS", "Ubuntu:23.10", "Ubuntu:Pro:18.04:LTS";
			 * other channels (FIPS...) ship builds of their own. */
			const char *end;

			if (strncmp(rel, "Pro:", 4) == 0)
				rel += 4;
			end = strchr(rel, ':');
			if (end && strcmp(end, ":LTS") != 0)
				break;
			snprintf(release, sizeof(release), "%.*s", (int)(end ? (size_t)(end - rel) : strlen(rel)), rel);
		} else {
			snprintf(release, sizeof(release), "%s", rel);
		}
		if (strcmp(distros[i].did, "debian") == 0 && feed_debian_release(release))
			snprintf(release, sizeof(release), "%s", feed_debian_release(release));
		if (strlen(rel) >= sizeof(release) || !osv_release_ok(release, distros[i].allow_v))
			break;
		feed_distribution_key(t->distribution, sizeof(t->distribution), distros[i].did, release);
		if (!t->distribution[0])
			break;
		t->ecosystem = strcmp(distros[i].did, "debian") == 0 || strcmp(distros[i].did, "ubuntu") == 0 ? "deb"
			       : strcmp(distros[i].did, "alpine") == 0					 ? "apk"
												 : "rpm";
		t->kind = distros[i].kind;
		goto found;
	}
	snprintf(reason, rsize, "unknown ecosystem %.*s", 100, name);
	return ASEC_EINVALID;
found:
	t->cmp = version_comparator(t->ecosystem);
	/* The validity tests version.h has; npm (loose), Maven and Composer
	 * order any string. */
	if (strcmp(t->ecosystem, "deb") == 0)
		t->valid = version_valid_dpkg;
	else if (strcmp(t->ecosystem, "rpm") == 0)
		t->valid = version_valid_rpm;
	else if (strcmp(t->ecosystem, "apk") == 0)
		t->valid = version_valid_apk;
	else if (strcmp(t->ecosystem, "pypi") == 0)
		t->valid = version_valid_pep440;
	else if (strcmp(t->ecosystem, "gem") == 0)
		t->valid = version_valid_rubygems;
	else if (strcmp(t->ecosystem, "nuget") == 0)
		t->valid = version_valid_nuget;
	else if (strcmp(t->ecosystem, "cargo") == 0)
		t->valid = version_valid_semver;
	else if (t->go)
		t->valid = version_valid_gomod;
	return ASEC_OK;
}

/* ---- severities ---- */

/* Adds the CVSS vectors of an OSV severity[] list to rec->cvss and returns
 * the highest base score among them (-1 for none); *word gets the score of
 * an "Ubuntu" entry, the one non-CVSS type the schema defines (a word such
 * as "medium"). A vector that does not parse is left out. */
static double osv_severities(struct osv_record *rec, const json_t *list, const char **word)
{
	double best = -1;
	size_t i, j;
	const json_t *s, *have;

	if (word)
		*word = NULL;
	if (!json_is_array(list))
		return best;
	json_array_foreach(list, i, s) {
		const char *type = osv_string(s, "type", 32), *score = osv_string(s, "score", CVSS_MAX_VECTOR);
		struct cvss_result r;
		int dup = 0;
		json_t *entry;

		if (i >= OSV_MAX_SEVERITIES)
			break;
		if (!type || !score)
			continue;
		if (strcmp(type, "Ubuntu") == 0) {
			if (word && strlen(score) <= OSV_MAX_WORD)
				*word = score;
			continue;
		}
		if (strcmp(type, "CVSS_V2") != 0 && strcmp(type, "CVSS_V3") != 0 && strcmp(type, "CVSS_V4") != 0)
			continue;
		if (cvss_parse(&r, score) != ASEC_OK)
			continue;
		if (r.base_score > best)
			best = r.base_score;
		if (r.base_score > rec->max_score)
			rec->max_score = r.base_score;
		json_array_foreach(rec->cvss, j, have)
			if (strcmp(json_string_value(json_object_get(have, "vector")), score) == 0)
				dup = 1;
		if (dup || json_array_size(rec->cvss) >= OSV_MAX_CVSS)
			continue;
		entry = json_pack("{s:s, s:s, s:f}", "version", r.version, "vector", score, "score", r.base_score);
		if (entry)
			json_array_append_new(rec->cvss, entry);
	}
	return best;
}

/* The severity word of RHEL-style errata, which AlmaLinux's OSV records
 * carry only in their summary ("Important: kernel security update": 2040 of
 * the 3237 records of osv-database's almalinux8, the others being bug fix
 * and enhancement errata without a word). */
static const char *osv_errata_word(const char *id, const char *summary, char *buf, size_t size)
{
	static const char *const prefixes[] = {"ALSA-", "ALBA-", "ALEA-", "RLSA-", "RLBA-", "RLEA-"};
	static const char *const words[] = {"Low", "Moderate", "Important", "Critical"};
	size_t i;

	if (!summary)
		return NULL;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(id, prefixes[i], 5) == 0)
			break;
	if (i == sizeof(prefixes) / sizeof(prefixes[0]))
		return NULL;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if (strncmp(summary, words[i], n) == 0 && summary[n] == ':') {
			snprintf(buf, size, "%s", words[i]);
			return buf;
		}
	}
	return NULL;
}

/* ---- ranges ---- */

static int osv_event_before(const struct osv_event *a, const struct osv_event *b, version_compare_fn cmp)
{
	int za = a->kind == OSV_INTRODUCED && strcmp(a->raw, "0") == 0;
	int zb = b->kind == OSV_INTRODUCED && strcmp(b->raw, "0") == 0;

	if (za != zb)
		return za; /* "0" sorts before any other version */
	return !za && cmp(a->ver, b->ver) < 0;
}

/*
 * Sorts ev[0..n) by version, stably, with tmp[0..n) as scratch: a bottom-up
 * merge sort, written here rather than qsort() because it is stable by
 * construction and stays within its arrays whatever the comparator answers
 * (some ecosystems order strings we could not validate).
 */
static void osv_sort_events(struct osv_event *ev, struct osv_event *tmp, size_t n, version_compare_fn cmp)
{
	size_t width, lo, i, j, k, mid, hi;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			/* taking the right one only when it is strictly before keeps ties in order */
			for (i = lo, j = mid, k = lo; k < hi; k++)
				tmp[k] = (j < hi && (i >= mid || osv_event_before(&ev[j], &ev[i], cmp))) ? ev[j++] : ev[i++];
		}
		memcpy(ev, tmp, n * sizeof(*ev));
	}
}

/* "introduced 0, fixed 1.2.3": events in the source's words. */
static void osv_events_text(char *buf, size_t size, const struct osv_event *ev, size_t n)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *name = osv_event_names[ev[i].kind];
		size_t need = (i ? 2 : 0) + strlen(name) + 1 + strlen(ev[i].raw);

		if (used + need + sizeof(", ...") > size) {
			snprintf(buf + used, size - used, "%s...", i ? ", " : "");
			return;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%s %s", i ? ", " : "", name, ev[i].raw);
	}
}

static int osv_is_zero(const char *v)
{
	return strcmp(v, "0") == 0;
}

/* Appends {"introduced", "fixed"|"lastAffected", "events"} to out; events
 * is shared (jansson strings are immutable), or made from the events
 * ev[0..n) that opened and closed the interval when it is NULL. */
static int osv_add_interval(json_t *out, const char *lower, enum osv_event_kind upper_kind, const char *upper,
			    json_t *events, const struct osv_event *ev, size_t n)
{
	char text[OSV_MAX_EVENTS_TEXT];
	json_t *r = json_pack("{s:s}", "introduced", lower);

	if (!r)
		return ASEC_ENOMEM;
	if (!events)
		osv_events_text(text, sizeof(text), ev, n);
	if (events ? json_object_set(r, "events", events) : json_object_set_new(r, "events", json_string(text))) {
		json_decref(r);
		return ASEC_ENOMEM;
	}
	if (upper && json_object_set_new(r, upper_kind == OSV_FIXED ? "fixed" : "lastAffected", json_string(upper))) {
		json_decref(r);
		return ASEC_ENOMEM;
	}
	if (json_array_append_new(out, r))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

/*
 * Turns one ECOSYSTEM or SEMVER range into intervals appended to out.
 * Returns ASEC_OK, ASEC_EINVALID with reason (the entry is left out), or
 * ASEC_ENOMEM.
 */
static int osv_range(json_t *out, const struct osv_target *t, const json_t *range, size_t ri, char *reason,
		     size_t rsize)
{
	const json_t *events = json_object_get(range, "events"), *e;
	struct osv_event *ev = NULL, *walk = NULL, *tmp = NULL;
	char *arena = NULL, *next, text[OSV_MAX_EVENTS_TEXT];
	size_t n, i, nwalk = 0, arena_size = 0, first = json_array_size(out), open_at = 0;
	const char *lower = NULL, *cap = NULL, *cap_raw = NULL;
	json_t *shared = NULL;
	int open = 0, unlimited = 0, rc = ASEC_EINVALID;

	if (!json_is_array(events) || json_array_size(events) == 0) {
		snprintf(reason, rsize, "range %zu has no events", ri);
		return ASEC_EINVALID;
	}
	n = json_array_size(events);
	if (n > OSV_MAX_EVENTS) {
		snprintf(reason, rsize, "range %zu has more than %d events", ri, OSV_MAX_EVENTS);
		return ASEC_EINVALID;
	}
	ev = calloc(n, sizeof(*ev));
	walk = calloc(n, sizeof(*walk));
	tmp = calloc(n, sizeof(*tmp));
	if (!ev || !walk || !tmp)
		goto nomem;
	json_array_foreach(events, i, e) {
		const char *key, *found = NULL;
		const json_t *value;
		int kind = -1, k;

		json_object_foreach((json_t *)e, key, value) {
			for (k = 0; k < 4; k++) {
				if (strcmp(key, osv_event_names[k]) != 0)
					continue;
				if (found || !json_is_string(value)) {
					snprintf(reason, rsize, "event %zu of range %zu is not one version", i, ri);
					goto out;
				}
				found = json_string_value(value);
				kind = k;
			}
		}
		if (!found) {
			snprintf(reason, rsize, "event %zu of range %zu is not one of introduced, fixed, "
				 "last_affected, limit", i, ri);
			goto out;
		}
		if (!*found || strlen(found) > VERSION_MAX_LEN) {
			snprintf(reason, rsize, "event %zu of range %zu has an empty or overlong version", i, ri);
			goto out;
		}
		ev[i].kind = (enum osv_event_kind)kind;
		ev[i].raw = found;
		arena_size += strlen(found) + 2;
	}
	/* Go versions get their "v" back; the arena holds those copies. */
	if (!(arena = malloc(arena_size)))
		goto nomem;
	next = arena;
	for (i = 0; i < n; i++) {
		int sentinel = (ev[i].kind == OSV_INTRODUCED && osv_is_zero(ev[i].raw)) ||
			       (ev[i].kind == OSV_LIMIT && strchr(ev[i].raw, '*'));

		ev[i].ver = ev[i].raw;
		if (!sentinel && t->go && ev[i].raw[0] != 'v') {
			next[0] = 'v';
			strcpy(next + 1, ev[i].raw);
			ev[i].ver = next;
			next += strlen(next) + 1;
		}
		if (!sentinel && (strlen(ev[i].ver) > VERSION_MAX_LEN || (t->valid && !t->valid(ev[i].ver)))) {
			snprintf(reason, rsize, "range %zu: \"%.*s\" is not a valid %s version", ri, 80, ev[i].raw,
				 t->ecosystem);
			goto out;
		}
		if (ev[i].kind == OSV_LIMIT) {
			if (sentinel)
				unlimited = 1;
			else if (!cap || !t->cmp || t->cmp(ev[i].ver, cap) > 0) {
				cap = ev[i].ver; /* the highest limit, or the last without an order */
				cap_raw = ev[i].raw;
			}
		} else {
			walk[nwalk++] = ev[i];
		}
	}
	if (unlimited)
		cap = NULL;
	if (n <= OSV_SHARED_TEXT_EVENTS) {
		osv_events_text(text, sizeof(text), ev, n);
		if (!(shared = json_string(text)))
			goto nomem;
	}

	if (t->cmp)
		osv_sort_events(walk, tmp, nwalk, t->cmp);
	for (i = 0; i < nwalk; i++) {
		const char *v = walk[i].ver;

		if (walk[i].kind == OSV_INTRODUCED) {
			if (!open) {
				lower = v;
				open_at = i;
			}
			open = 1;
			continue;
		}
		if (!open)
			continue; /* fixed or last_affected with nothing open changes nothing */
		open = 0;
		/* [x, x) is empty: "introduced x" then "fixed x" leaves x fixed. */
		if (walk[i].kind == OSV_FIXED && !osv_is_zero(lower) &&
		    (t->cmp ? t->cmp(lower, v) >= 0 : strcmp(lower, v) == 0))
			continue;
		if ((rc = osv_add_interval(out, lower, walk[i].kind, v, shared, walk + open_at, i - open_at + 1)))
			goto out;
	}
	if (open && (rc = osv_add_interval(out, lower, OSV_FIXED, NULL, shared, walk + open_at, nwalk - open_at)))
		goto out;

	/* Limits: only versions below the highest limit are in the range. */
	for (i = first; cap && i < json_array_size(out);) {
		json_t *r = json_array_get(out, i);
		const char *lo = json_string_value(json_object_get(r, "introduced"));
		const char *fx = json_string_value(json_object_get(r, "fixed"));
		const char *la = json_string_value(json_object_get(r, "lastAffected"));

		if (t->cmp && !osv_is_zero(lo) && t->cmp(lo, cap) >= 0) {
			json_array_remove(out, i);
			continue;
		}
		if ((!fx && !la) || (t->cmp && ((fx && t->cmp(fx, cap) > 0) || (la && t->cmp(la, cap) >= 0)))) {
			json_object_del(r, "lastAffected");
			if (json_object_set_new(r, "fixed", json_string(cap)))
				goto nomem;
			if (!shared) {
				const char *had = json_string_value(json_object_get(r, "events"));

				if (strlen(had) + strlen(cap_raw) + sizeof(", limit ") < sizeof(text))
					snprintf(text, sizeof(text), "%s, limit %s", had, cap_raw);
				else
					snprintf(text, sizeof(text), "%.*s...", (int)(sizeof(text) - 4), had);
				if (json_object_set_new(r, "events", json_string(text)))
					goto nomem;
			}
		}
		i++;
	}
	rc = ASEC_OK;
	goto out;
nomem:
	error_set("out of memory reading an OSV range");
	rc = ASEC_ENOMEM;
out:
	json_decref(shared);
	free(arena);
	free(tmp);
	free(walk);
	free(ev);
	return rc;
}

/* ---- affected entries ---- */

/*
 * One affected[] entry as a canonical affected entry in *out. Returns
 * ASEC_OK, ASEC_EINVALID with reason when the entry is left out, or
 * ASEC_ENOMEM.
 */
static int osv_affected(json_t **out, struct osv_record *rec, const json_t *a, char *reason, size_t rsize)
{
	const json_t *ranges = json_object_get(a, "ranges"), *versions = json_object_get(a, "versions");
	const json_t *pkg = json_object_get(a, "package"), *r, *v;
	const char *eco_name = osv_string(pkg, "ecosystem", 200), *name = osv_string(pkg, "name", OSV_MAX_NAME);
	const char *word = NULL, *type;
	json_t *entry = NULL, *intervals = NULL, *vlist = NULL;
	struct osv_target t;
	size_t i, usable = 0, git = 0, other = 0;
	double score;
	char buf[VERSION_MAX_LEN + 2];
	int rc;

	*out = NULL;
	if (!json_is_object(a)) {
		snprintf(reason, rsize, "not an object");
		return ASEC_EINVALID;
	}
	if (ranges && !json_is_array(ranges)) {
		snprintf(reason, rsize, "ranges is not an array");
		return ASEC_EINVALID;
	}
	if (versions && !json_is_array(versions)) {
		snprintf(reason, rsize, "versions is not an array");
		return ASEC_EINVALID;
	}
	json_array_foreach(ranges, i, r) {
		type = osv_string(r, "type", 32);
		if (type && (strcmp(type, "ECOSYSTEM") == 0 || strcmp(type, "SEMVER") == 0))
			usable++;
		else if (type && strcmp(type, "GIT") == 0)
			git++;
		else
			other++;
	}
	if (!usable && json_array_size(versions) == 0 && git) {
		snprintf(reason, rsize, "only GIT ranges and no versions (commit ranges need the repository)");
		return ASEC_EINVALID;
	}
	if (!json_is_object(pkg) || !eco_name) {
		snprintf(reason, rsize, "no package ecosystem");
		return ASEC_EINVALID;
	}
	if (!name) {
		snprintf(reason, rsize, "no package name, or one longer than %d bytes", OSV_MAX_NAME);
		return ASEC_EINVALID;
	}
	if (osv_map_ecosystem(&t, eco_name, reason, rsize))
		return ASEC_EINVALID;
	if (json_array_size(ranges) > FEED_MAX_RANGES) {
		snprintf(reason, rsize, "more than %d ranges", FEED_MAX_RANGES);
		return ASEC_EINVALID;
	}
	if (json_array_size(versions) > OSV_MAX_VERSIONS) {
		snprintf(reason, rsize, "more than %d versions", OSV_MAX_VERSIONS);
		return ASEC_EINVALID;
	}
	if (!(intervals = json_array()) || !(vlist = json_array()))
		goto nomem;
	json_array_foreach(ranges, i, r) {
		type = osv_string(r, "type", 32);
		if (!type || (strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0))
			continue;
		if ((rc = osv_range(intervals, &t, r, i, reason, rsize)))
			goto fail;
		if (json_array_size(intervals) > FEED_MAX_RANGES) {
			snprintf(reason, rsize, "more than %d intervals", FEED_MAX_RANGES);
			rc = ASEC_EINVALID;
			goto fail;
		}
	}
	json_array_foreach(versions, i, v) {
		const char *s = json_string_value(v);

		if (!s || !*s || strlen(s) > VERSION_MAX_LEN)
			continue; /* not a version: it can equal none */
		if (t.go && s[0] != 'v') {
			snprintf(buf, sizeof(buf), "v%s", s);
			s = buf;
		}
		if (json_array_append_new(vlist, json_string(s)))
			goto nomem;
	}
	if (!json_array_size(intervals) && !json_array_size(vlist)) {
		/* OSV's evaluation finds no affected version here; an entry
		 * without ranges would mean every version to the matcher. */
		if (usable)
			snprintf(reason, rsize, "its ranges describe no affected version");
		else if (git)
			snprintf(reason, rsize, "only GIT ranges and no versions (commit ranges need the repository)");
		else if (other)
			snprintf(reason, rsize, "only ranges of unknown types and no versions");
		else
			snprintf(reason, rsize, "no ranges and no versions");
		rc = ASEC_EINVALID;
		goto fail;
	}
	entry = json_pack("{s:s, s:s, s:s, s:s}", "ecosystem", t.ecosystem, "distribution", t.distribution, "package",
			  name, "status", "affected");
	if (!entry)
		goto nomem;
	if (t.kind && json_object_set_new(entry, "packageKind", json_string(t.kind)))
		goto nomem;
	if (json_array_size(intervals) && json_object_set(entry, "ranges", intervals))
		goto nomem;
	if (json_array_size(vlist) && json_object_set(entry, "versions", vlist))
		goto nomem;

	/* Per-package severity: a vendor word in ecosystem_specific or
	 * database_specific, else the package's own CVSS vectors. */
	score = osv_severities(rec, json_object_get(a, "severity"), NULL);
	word = osv_string(json_object_get(a, "ecosystem_specific"), "severity", OSV_MAX_WORD);
	if (!word)
		word = osv_string(json_object_get(a, "database_specific"), "severity", OSV_MAX_WORD);
	if (word && strcmp(feed_normalize_severity(word), "UNKNOWN") != 0) {
		const char *norm = feed_normalize_severity(word);

		if (json_object_set_new(entry, "severity", json_string(word)) ||
		    json_object_set_new(entry, "normalizedSeverity", json_string(norm)))
			goto nomem;
		if (osv_severity_rank(norm) > rec->word_rank) {
			rec->word_rank = osv_severity_rank(norm);
			rec->word = word;
		}
	} else if (score >= 0) {
		if (json_object_set_new(entry, "normalizedSeverity", json_string(feed_severity_from_score(score))))
			goto nomem;
	}
	json_decref(intervals);
	json_decref(vlist);
	*out = entry;
	return ASEC_OK;
nomem:
	error_set("out of memory reading an OSV affected entry");
	rc = ASEC_ENOMEM;
fail:
	json_decref(entry);
	json_decref(intervals);
	json_decref(vlist);
	return rc;
}

/* ---- records ---- */

/* The canonical id (the one CVE among id and aliases, else the OSV id) and
 * every other id of the record, once each. */
static int osv_ids(json_t *record, const char *osv_id, const json_t *aliases)
{
	const char *ids[OSV_MAX_ALIASES + 1], *cve = NULL, *canonical;
	size_t n = 0, i, j;
	int cves = 0;
	const json_t *a;
	json_t *list;

	ids[n++] = osv_id;
	json_array_foreach(aliases, i, a) {
		const char *s = json_string_value(a);

		if (n > OSV_MAX_ALIASES)
			break;
		if (s && *s && strlen(s) <= OSV_MAX_ID)
			ids[n++] = s;
	}
	for (i = 0; i < n; i++) {
		if (!feed_is_cve_id(ids[i]))
			continue;
		for (j = 0; j < i && strcmp(ids[j], ids[i]) != 0; j++)
			;
		if (j == i) {
			cves++;
			cve = ids[i];
		}
	}
	canonical = cves == 1 ? cve : osv_id;
	if (json_object_set_new(record, "id", json_string(canonical)))
		return ASEC_ENOMEM;
	if (!(list = json_array()))
		return ASEC_ENOMEM;
	for (i = 0; i < n; i++) {
		if (strcmp(ids[i], canonical) == 0)
			continue;
		for (j = 0; j < i && strcmp(ids[j], ids[i]) != 0; j++)
			;
		if (j == i && json_array_append_new(list, json_string(ids[i]))) {
			json_decref(list);
			return ASEC_ENOMEM;
		}
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return ASEC_OK;
	}
	return json_object_set_new(record, "aliases", list) ? ASEC_ENOMEM : ASEC_OK;
}

/* The ADVISORY reference, else the first WEB one. */
static const char *osv_link(const json_t *refs)
{
	const char *web = NULL;
	const json_t *r;
	size_t i;

	json_array_foreach(refs, i, r) {
		const char *type = osv_string(r, "type", 32), *url = osv_string(r, "url", OSV_MAX_URL);

		if (i >= OSV_MAX_REFERENCES)
			break;
		if (!type || !url)
			continue;
		if (strcmp(type, "ADVISORY") == 0)
			return url;
		if (!web && strcmp(type, "WEB") == 0)
			web = url;
	}
	return web;
}

static int osv_looks_like_record(const json_t *doc)
{
	return json_is_string(json_object_get(doc, "id")) &&
	       (json_object_get(doc, "affected") || json_object_get(doc, "modified") ||
		json_object_get(doc, "withdrawn"));
}

static void osv_skip(struct osv_parse *p, const char *id, const char *reason)
{
	p->sink->skip(p->sink->ctx, id ? id : "", reason);
}

/* One OSV record: to the sink as a canonical record, or skipped. Returns
 * the sink's nonzero return, ASEC_ENOMEM, or ASEC_OK. */
static int osv_record(struct osv_parse *p, const json_t *doc, const char *where)
{
	const json_t *affected = json_object_get(doc, "affected"), *a, *ds = json_object_get(doc, "database_specific");
	const char *id = osv_string(doc, "id", OSV_MAX_ID), *summary = osv_string(doc, "summary", (size_t)-1);
	const char *word, *ubuntu_word = NULL, *link, *date, *norm = "UNKNOWN";
	struct osv_record rec = {0};
	json_t *record = NULL, *list = NULL, *entry, *adv;
	char reason[OSV_REASON], first[OSV_REASON], wordbuf[OSV_MAX_WORD];
	size_t i, kept = 0, dropped = 0, total;
	int rc;

	if (!json_is_object(doc)) {
		snprintf(reason, sizeof(reason), "%s is not a JSON object", where);
		osv_skip(p, "", reason);
		return ASEC_OK;
	}
	if (!osv_looks_like_record(doc)) {
		snprintf(reason, sizeof(reason), "%s is not an OSV record (no string id with affected or modified)",
			 where);
		osv_skip(p, "", reason);
		return ASEC_OK;
	}
	p->seen++;
	if (!id) {
		osv_skip(p, "", "an OSV record whose id is empty or longer than 128 bytes");
		return ASEC_OK;
	}
	if (json_object_get(doc, "withdrawn") && !json_is_null(json_object_get(doc, "withdrawn"))) {
		date = osv_string(doc, "withdrawn", OSV_MAX_DATE);
		snprintf(reason, sizeof(reason), "withdrawn %s", date ? date : "(no date)");
		osv_skip(p, id, reason);
		return ASEC_OK;
	}
	if (!json_is_array(affected) || json_array_size(affected) == 0) {
		osv_skip(p, id, "no affected packages");
		return ASEC_OK;
	}
	rec.max_score = -1;
	if (!(rec.cvss = json_array()) || !(list = json_array()) ||
	    !(record = json_pack("{s:s}", "kind", "advisory")))
		goto nomem;

	/* The record's own vectors first, then those of its packages. */
	osv_severities(&rec, json_object_get(doc, "severity"), &ubuntu_word);
	total = json_array_size(affected);
	json_array_foreach(affected, i, a) {
		const json_t *pkg = json_object_get(a, "package");
		const char *en = osv_string(pkg, "ecosystem", 64), *pn = osv_string(pkg, "name", 64);

		if (i >= FEED_MAX_AFFECTED) {
			if (!dropped)
				snprintf(first, sizeof(first), "more than %d affected entries", FEED_MAX_AFFECTED);
			dropped += total - i;
			break;
		}
		rc = osv_affected(&entry, &rec, a, reason, sizeof(reason));
		if (rc == ASEC_ENOMEM)
			goto out;
		if (rc == ASEC_OK) {
			if (json_array_append_new(list, entry))
				goto nomem;
			kept++;
			continue;
		}
		if (!dropped++)
			snprintf(first, sizeof(first), "affected[%zu]%s%s%s%s%s: %.300s", i, en || pn ? " (" : "",
				 en ? en : "", en && pn ? " " : "", pn ? pn : "", en || pn ? ")" : "", reason);
	}
	if (!kept) {
		if (dropped > 1)
			snprintf(reason, sizeof(reason), "no usable affected entry: %.400s (and %zu more)", first,
				 dropped - 1);
		else
			snprintf(reason, sizeof(reason), "no usable affected entry: %.400s", first);
		osv_skip(p, id, reason);
		rc = ASEC_OK;
		goto out;
	}

	if ((rc = osv_ids(record, id, json_object_get(doc, "aliases"))))
		goto nomem;
	if (!(adv = json_pack("{s:s}", "name", id)) || json_object_set_new(record, "advisory", adv))
		goto nomem;
	if ((link = osv_link(json_object_get(doc, "references"))) &&
	    json_object_set_new(adv, "link", json_string(link)))
		goto nomem;
	feed_copy_text(record, "summary", summary);
	feed_copy_text(record, "description", osv_string(doc, "details", (size_t)-1));
	if ((date = osv_string(doc, "published", OSV_MAX_DATE)))
		json_object_set_new(record, "published", json_string(date));
	if ((date = osv_string(doc, "modified", OSV_MAX_DATE)))
		json_object_set_new(record, "modified", json_string(date));

	/* The vendor's word: GHSA's database_specific.severity, an "Ubuntu"
	 * severity entry, an errata summary, else the highest per-package
	 * word; the highest CVSS score when no word says anything. */
	if (!(word = osv_string(ds, "severity", OSV_MAX_WORD)))
		word = ubuntu_word;
	if (!word)
		word = osv_errata_word(id, summary, wordbuf, sizeof(wordbuf));
	if (!word)
		word = rec.word;
	if (word) {
		json_object_set_new(record, "severity", json_string(word));
		norm = feed_normalize_severity(word);
	}
	if (strcmp(norm, "UNKNOWN") == 0 && rec.max_score >= 0)
		norm = feed_severity_from_score(rec.max_score);
	json_object_set_new(record, "normalizedSeverity", json_string(norm));
	if (json_array_size(rec.cvss) && json_object_set(record, "cvss", rec.cvss))
		goto nomem;
	if (json_object_set(record, "affected", list))
		goto nomem;

	if (dropped) {
		snprintf(reason, sizeof(reason), "%zu of %zu affected entries left out; the first: %.400s", dropped,
			 total, first);
		osv_skip(p, id, reason);
	}
	rc = p->sink->record(p->sink->ctx, record);
	record = NULL; /* the sink owns it now */
	goto out;
nomem:
	error_set("out of memory converting OSV record %s", id);
	rc = ASEC_ENOMEM;
out:
	json_decref(record);
	json_decref(list);
	json_decref(rec.cvss);
	return rc;
}

/* ---- the three shapes of a file ---- */

static int osv_line(void *ctx, const char *line, size_t len)
{
	struct osv_parse *p = ctx;
	json_error_t err;
	json_t *doc;
	char where[96];
	int rc;

	p->index++;
	if (!(doc = json_loadb(line, len, 0, &err))) {
		char reason[OSV_REASON];

		snprintf(reason, sizeof(reason), "JSON Lines record %zu does not parse: %.200s", p->index, err.text);
		osv_skip(p, "", reason);
		return ASEC_OK;
	}
	snprintf(where, sizeof(where), "JSON Lines record %zu", p->index);
	rc = osv_record(p, doc, where);
	json_decref(doc);
	return rc;
}

static int osv_array(struct osv_parse *p, const char *data, size_t len)
{
	json_error_t err;
	json_t *doc, *elem;
	char where[96];
	size_t i;
	int rc = ASEC_OK;

	if (len > FEED_MAX_DOCUMENT_BYTES) {
		osv_skip(p, "", "a JSON array larger than the 64 MiB document limit");
		return ASEC_OK;
	}
	if (!(doc = json_loadb(data, len, 0, &err))) {
		error_set("not OSV JSON: the array does not parse: %s (line %d)", err.text, err.line);
		return ASEC_EINVALID;
	}
	json_array_foreach(doc, i, elem) {
		snprintf(where, sizeof(where), "array element %zu", i);
		if ((rc = osv_record(p, elem, where)))
			break;
	}
	if (!rc && json_array_size(doc) && !p->seen) {
		error_set("not OSV JSON: no element of the array is an OSV record");
		rc = ASEC_EINVALID;
	}
	json_decref(doc);
	return rc;
}

int feed_parse_osv(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct osv_parse p = {sink, 0, 0};
	json_error_t err;
	json_t *doc;
	size_t i = 0;
	int rc;

	(void)name;
	if (!sink || !sink->record || !sink->skip || (!data && len)) {
		error_set("feed_parse_osv: no sink or no data");
		return ASEC_EINVALID;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i == len) {
		error_set("not OSV JSON: the file is empty");
		return ASEC_EINVALID;
	}
	if (data[i] == '[')
		return osv_array(&p, data + i, len - i);
	if (data[i] != '{') {
		error_set("not OSV JSON: the file starts with neither an object nor an array");
		return ASEC_EINVALID;
	}
	/* One record, as the whole file: a JSON Lines file stops parsing at
	 * its second line, so this costs one record there. */
	if (len - i <= FEED_MAX_DOCUMENT_BYTES && (doc = json_loadb(data + i, len - i, 0, &err))) {
		if (!osv_looks_like_record(doc)) {
			json_decref(doc);
			error_set("not OSV JSON: the object has no string id with affected or modified");
			return ASEC_EINVALID;
		}
		rc = osv_record(&p, doc, "the document");
		json_decref(doc);
		return rc;
	}
	if ((rc = feed_each_line(data + i, len - i, sink, osv_line, &p)))
		return rc;
	if (!p.seen) {
		error_set("not OSV JSON: no line is an OSV record");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}
