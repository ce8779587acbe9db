/*
 * alpine.c - Alpine Linux's security database (secdb), one release and
 * repository per document: the JSON of secdb.alpinelinux.org
 * (v3.18/main.json) or the YAML of the older alpine-secdb repository.
 *
 *   {"distroversion": "v3.9", "reponame": "main", "urlprefix": ..., "apkurl": ...,
 *    "packages": [{"pkg": {"name": "openssl",
 *                          "secfixes": {"1.1.1b-r1": ["CVE-2019-1543"], "0": ["CVE-..."]}}}]}
 *
 * secdb says only "this origin package was fixed in this release at this
 * version", so each (id, package) of a document becomes one advisory record
 * with one range [0, fixed), severity UNKNOWN; the fixed version "0" is
 * Alpine's way of saying the package was never affected in this release
 * (status not_affected, no ranges).
 *
 * Decisions the data forces:
 * - One id listed under several fixed versions of one package (a
 *   regression fix, a re-listing) has one fix: the lowest, by apk ordering.
 *   Every later listing is a version that also has the fix, so a union of
 *   ranges would call fixed packages vulnerable. A real version wins over
 *   "0" when both appear: the data contradicts itself, and reporting a
 *   fixed range is the side that cannot hide a vulnerability.
 * - An entry is free text in practice ("CVE-2016-9932 XSA-200",
 *   "CVE-2018-3620 CVE-2018-3646 XSA-273", "CVE 2018-16859", "CVE_2019-2426",
 *   "CVE-2017-8073.patch", "CVE-2017-17434-1", "CVE-????-????? XSA-284",
 *   "CVE-2017-2616 (+ regression fix)"). Words are read one by one: a CVE
 *   written with a space or underscore, or with a suffix after its number,
 *   is read as that CVE; a "CVE-" word without numbers is a placeholder and
 *   ignored; other words shaped like ids (XSA-200, TALOS-2017-0488,
 *   wnpa-sec-2017-18) are ids; words that are not (XPTI, parenthesised
 *   notes) are ignored. Every CVE of an entry gets its own record and the
 *   non-CVE ids become its aliases; an entry without a CVE gives a record
 *   per non-CVE id (XSA-207 is the finding's name then).
 * - Versions are kept exactly as written, which is why YAML is read with
 *   every scalar a string (1.10 must not become 1.1, nor 0 a number); a
 *   fixed version that is not a valid apk version skips the ids it lists.
 */
#include "feeds/feed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "version/version.h"
#include "yaml/yamljson.h"

#define ALPINE_LINK "https://security.alpinelinux.org/vuln/"
/* One secfixes entry is a line of text; longer ones are not ids. */
#define ALPINE_MAX_ENTRY 1024
/* An id-shaped word longer than this is not an id (a CVE id is ~16). */
#define ALPINE_MAX_ID 64
/* Entries name one to five ids; one naming more is skipped, not cut. */
#define ALPINE_MAX_IDS 32

/* What one document says about one (id, package), gathered over all its
 * versions before anything is emitted. entries keeps first-seen order (so
 * the output follows the file); index maps "<id>\n<package>" to a
 * position in entries. */
struct alpine_state {
	const struct feed_sink *sink;
	char distribution[64];
	json_t *entries;
	json_t *index;
};

struct alpine_ids {
	char cves[ALPINE_MAX_IDS][ALPINE_MAX_ID];
	char others[ALPINE_MAX_IDS][ALPINE_MAX_ID];
	size_t n_cves, n_others;
	int overflow;
};

static int alpine_digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return (int)i;
}

static void alpine_add(struct alpine_ids *ids, int cve, const char *id, size_t n)
{
	char(*list)[ALPINE_MAX_ID] = cve ? ids->cves : ids->others;
	size_t *count = cve ? &ids->n_cves : &ids->n_others;

	if (n >= ALPINE_MAX_ID)
		return;
	for (size_t i = 0; i < *count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], id, n) == 0)
			return;
	if (*count == ALPINE_MAX_IDS) {
		ids->overflow = 1;
		return;
	}
	memcpy(list[*count], id, n);
	list[*count][n] = '\0';
	(*count)++;
}

/* A word that names a CVE: "CVE-2019-1543" and its misspellings "CVE_..."
 * or a trailing ".patch" / "-1". year and number point into the word. */
static int alpine_cve_word(const char *w, size_t n, const char **year, const char **number, size_t *number_len)
{
	int y, d;

	if (n < 4 || strncasecmp(w, "CVE", 3) != 0 || (w[3] != '-' && w[3] != '_'))
		return 0;
	w += 4, n -= 4;
	if ((y = alpine_digits(w, n)) != 4 || (size_t)y == n || w[y] != '-')
		return 0;
	d = alpine_digits(w + 5, n - 5);
	if (d < 4)
		return 0;
	*year = w;
	*number = w + 5;
	*number_len = (size_t)d;
	return 1;
}

/* A word shaped like some other id: letters, then dash-separated parts,
 * with a digit somewhere (XSA-200, TALOS-2017-0488, wnpa-sec-2017-18). */
static int alpine_other_word(const char *w, size_t n)
{
	int digit = 0, dash = 0;

	if (!n || !isalpha((unsigned char)w[0]) || w[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '-') {
			if (w[i - 1] == '-')
				return 0;
			dash = 1;
		} else if (isdigit((unsigned char)w[i])) {
			digit = 1;
		} else if (!isalnum((unsigned char)w[i])) {
			return 0;
		}
	}
	return digit && dash;
}

/* Reads the ids of one secfixes entry (see the top of the file). */
static void alpine_read_ids(struct alpine_ids *ids, const char *text)
{
	const char *p = text, *w, *year, *number;
	size_t n, number_len;
	int in_note = 0;
	char cve[ALPINE_MAX_ID];

	memset(ids, 0, sizeof(*ids));
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		for (w = p; *p && !isspace((unsigned char)*p); p++)
			;
		n = (size_t)(p - w);
		if (!n)
			break;
		if (in_note || w[0] == '(') {
			in_note = w[n - 1] != ')';
			continue;
		}
		/* "CVE 2018-16859": the number is the next word. */
		if (n == 3 && strncasecmp(w, "CVE", 3) == 0) {
			const char *q = p;

			while (*q && isspace((unsigned char)*q))
				q++;
			number_len = alpine_digits(q, 4) == 4 && q[4] == '-' ? (size_t)alpine_digits(q + 5, 33) : 0;
			if (number_len >= 4 && number_len <= 32) {
				snprintf(cve, sizeof(cve), "CVE-%.4s-%.*s", q, (int)number_len, q + 5);
				alpine_add(ids, 1, cve, strlen(cve));
				for (p = q; *p && !isspace((unsigned char)*p); p++)
					;
			}
			continue;
		}
		if (alpine_cve_word(w, n, &year, &number, &number_len)) {
			if (number_len > 32)
				continue;
			snprintf(cve, sizeof(cve), "CVE-%.4s-%.*s", year, (int)number_len, number);
			alpine_add(ids, 1, cve, strlen(cve));
		} else if (strncasecmp(w, "CVE", 3) == 0) {
			continue; /* a placeholder such as CVE-????-????? */
		} else if (alpine_other_word(w, n)) {
			alpine_add(ids, 0, w, n);
		}
	}
}

/* Adds what one listing says about (id, package) to the gathered state. */
static int alpine_gather(struct alpine_state *st, const char *id, const char *package, const char *version,
			 const struct alpine_ids *ids)
{
	char *key = NULL;
	json_t *slot, *entry, *aliases, *fixed;
	int rc = ASEC_ENOMEM;

	if (asprintf(&key, "%s\n%s", id, package) < 0) {
		key = NULL;
		goto out;
	}
	if ((slot = json_object_get(st->index, key))) {
		entry = json_array_get(st->entries, (size_t)json_integer_value(slot));
	} else {
		size_t at = json_array_size(st->entries);

		if (json_array_append_new(st->entries, json_pack("{s:s, s:s, s:[]}", "id", id, "package", package,
								  "aliases")) ||
		    json_object_set_new(st->index, key, json_integer((json_int_t)at)))
			goto out;
		entry = json_array_get(st->entries, at);
	}
	/* "0" adds nothing to a real fix; alone it leaves "fixed" absent,
	 * which is what not_affected means below. */
	if (strcmp(version, "0") != 0) {
		fixed = json_object_get(entry, "fixed");
		if ((!fixed || version_compare_apk(version, json_string_value(fixed)) < 0) &&
		    json_object_set_new(entry, "fixed", json_string(version)))
			goto out;
	}
	aliases = json_object_get(entry, "aliases");
	for (size_t i = 0; i < ids->n_others; i++) {
		size_t j;
		json_t *a;
		int seen = 0;

		json_array_foreach(aliases, j, a)
			seen |= strcmp(json_string_value(a), ids->others[i]) == 0;
		if (!seen && json_array_append_new(aliases, json_string(ids->others[i])))
			goto out;
	}
	rc = ASEC_OK;
out:
	free(key);
	if (rc)
		error_set("alpine secdb: out of memory");
	return rc;
}

/* Returns ASEC_OK, or ASEC_ENOMEM (bad entries are skipped, not errors). */
static int alpine_read_entry(struct alpine_state *st, const char *package, const char *version, int version_ok,
			     const json_t *item)
{
	const char *text = json_string_value(item);
	struct alpine_ids ids;
	const char (*primary)[ALPINE_MAX_ID];
	size_t n_primary;
	int rc;

	if (!text || !*text || json_string_length(item) != strlen(text)) {
		feed_skipf(st->sink, "", "%.100s %.100s: a secfixes entry that is not a non-empty string", package,
			   version);
		return ASEC_OK;
	}
	if (json_string_length(item) > ALPINE_MAX_ENTRY) {
		feed_skipf(st->sink, "", "%.100s %.100s: a secfixes entry longer than %d bytes", package, version,
			   ALPINE_MAX_ENTRY);
		return ASEC_OK;
	}
	alpine_read_ids(&ids, text);
	if (ids.overflow) {
		feed_skipf(st->sink, "", "%.100s %.100s: a secfixes entry naming more than %d ids", package, version,
			   ALPINE_MAX_IDS);
		return ASEC_OK;
	}
	if (ids.n_cves) {
		primary = (const char (*)[ALPINE_MAX_ID])ids.cves;
		n_primary = ids.n_cves;
	} else {
		primary = (const char (*)[ALPINE_MAX_ID])ids.others;
		n_primary = ids.n_others;
		ids.n_others = 0; /* they are the records' ids, not aliases */
	}
	if (!n_primary) {
		feed_skipf(st->sink, "", "%.100s %.100s: no vulnerability id in \"%.100s\"", package, version, text);
		return ASEC_OK;
	}
	for (size_t i = 0; i < n_primary; i++) {
		if (!version_ok) {
			feed_skipf(st->sink, primary[i], "%.100s: fixed version \"%.100s\" is not a valid apk version",
				   package, version);
			continue;
		}
		if ((rc = alpine_gather(st, primary[i], package, version, &ids)))
			return rc;
	}
	return ASEC_OK;
}

static int alpine_read_package(struct alpine_state *st, size_t index, const json_t *item)
{
	const json_t *pkg = json_object_get(item, "pkg"), *secfixes, *list, *entry;
	const char *name = json_string_value(json_object_get(pkg, "name")), *version;
	size_t i, version_len;
	int rc;

	if (!json_is_object(pkg)) {
		feed_skipf(st->sink, "", "packages[%zu] has no pkg mapping", index);
		return ASEC_OK;
	}
	if (!name || !*name || json_string_length(json_object_get(pkg, "name")) != strlen(name)) {
		feed_skipf(st->sink, "", "packages[%zu].pkg has no name", index);
		return ASEC_OK;
	}
	secfixes = json_object_get(pkg, "secfixes");
	if (!secfixes || json_is_null(secfixes) || (json_is_string(secfixes) && !json_string_length(secfixes)))
		return ASEC_OK; /* a package without fixes says nothing */
	if (!json_is_object(secfixes)) {
		feed_skipf(st->sink, "", "%.100s: secfixes is not a mapping of versions", name);
		return ASEC_OK;
	}
	json_object_keylen_foreach((json_t *)secfixes, version, version_len, list) {
		/* A NUL inside the key would make the C string a shorter, valid,
		 * wrong version: such a key is not valid. */
		int version_ok = version_len == strlen(version) &&
				 (strcmp(version, "0") == 0 ||
				  (version_len <= VERSION_MAX_LEN && version_valid_apk(version)));

		if (!json_is_array(list)) {
			feed_skipf(st->sink, "", "%.100s %.100s: the fixed version lists no ids", name, version);
			continue;
		}
		json_array_foreach(list, i, entry)
			if ((rc = alpine_read_entry(st, name, version, version_ok, entry)))
				return rc;
	}
	return ASEC_OK;
}

static json_t *alpine_record(const struct alpine_state *st, const json_t *entry)
{
	const char *id = json_string_value(json_object_get(entry, "id"));
	const json_t *fixed = json_object_get(entry, "fixed"), *aliases = json_object_get(entry, "aliases");
	json_t *record, *affected, *advisory;
	char events[VERSION_MAX_LEN + 32];

	record = json_pack("{s:s, s:s, s:s}", "kind", "advisory", "id", id, "normalizedSeverity", "UNKNOWN");
	affected = json_pack("{s:s, s:s, s:O, s:s}", "ecosystem", "apk", "distribution", st->distribution, "package",
			     json_object_get(entry, "package"), "packageKind", "source");
	if (strncmp(id, "CVE-", 4) == 0)
		advisory = json_pack("{s:s, s:s+}", "name", id, "link", ALPINE_LINK, id);
	else
		advisory = json_pack("{s:s}", "name", id);
	if (!record || !affected || !advisory)
		goto fail;
	json_object_set_new(record, "advisory", advisory);
	advisory = NULL;
	if (json_array_size(aliases))
		json_object_set(record, "aliases", (json_t *)aliases);
	if (fixed) {
		snprintf(events, sizeof(events), "introduced 0, fixed %s", json_string_value(fixed));
		json_object_set_new(affected, "status", json_string("affected"));
		json_object_set_new(affected, "ranges",
				    json_pack("[{s:s, s:O, s:s}]", "introduced", "0", "fixed", fixed, "events", events));
	} else {
		json_object_set_new(affected, "status", json_string("not_affected"));
	}
	if (json_object_set_new(record, "affected", json_pack("[o]", affected)))
		goto fail_record;
	return record;
fail:
	json_decref(affected);
	json_decref(advisory);
fail_record:
	json_decref(record);
	return NULL;
}

/* The document as jansson: JSON when it looks like JSON, YAML otherwise
 * (every scalar a string). JSON may hold "\u0000": a string with a NUL in
 * it spoils its own record, not the whole file (jansson still refuses a
 * NUL in a key, which fails the file). */
static int alpine_load(json_t **out, const char *name, const char *data, size_t len)
{
	size_t i = 0;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (len > FEED_MAX_DOCUMENT_BYTES) {
		error_set("alpine secdb %s: larger than %u bytes", name ? name : "", FEED_MAX_DOCUMENT_BYTES);
		return ASEC_EINVALID;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && data[i] == '{') {
		if (!(*out = json_loadb(data + i, len - i, JSON_ALLOW_NUL, &jerr))) {
			error_set("alpine secdb %s: line %d, column %d: %s", name ? name : "", jerr.line, jerr.column,
				  jerr.text);
			return ASEC_EINVALID;
		}
		return ASEC_OK;
	}
	rc = yamljson_parse(out, data, len, YAMLJSON_STRINGS, NULL);
	if (rc == ASEC_ENOMEM)
		return rc;
	if (rc) {
		error_prefix("alpine secdb %s", name ? name : "");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int feed_parse_alpine_secdb(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct alpine_state st = {.sink = sink};
	json_t *doc = NULL, *packages, *item, *record;
	const char *release;
	size_t i;
	int rc;

	if ((rc = alpine_load(&doc, name, data, len)))
		return rc;
	packages = json_object_get(doc, "packages");
	release = json_string_value(json_object_get(doc, "distroversion"));
	if (!json_is_object(doc) || !packages) {
		error_set("alpine secdb %s: not a secdb document (no packages)", name ? name : "");
		rc = ASEC_EINVALID;
		goto out;
	}
	feed_distribution_key(st.distribution, sizeof(st.distribution), "alpine", release);
	if (!st.distribution[0]) {
		error_set("alpine secdb %s: distroversion \"%.64s\" does not name a release", name ? name : "",
			  release ? release : "");
		rc = ASEC_EINVALID;
		goto out;
	}
	/* "packages:" with nothing after it is an empty release. */
	if (!json_is_array(packages) && !json_is_null(packages) &&
	    !(json_is_string(packages) && !json_string_length(packages))) {
		error_set("alpine secdb %s: packages is not a list", name ? name : "");
		rc = ASEC_EINVALID;
		goto out;
	}
	if (!(st.entries = json_array()) || !(st.index = json_object())) {
		error_set("alpine secdb: out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	json_array_foreach(packages, i, item)
		if ((rc = alpine_read_package(&st, i, item)))
			goto out;
	json_array_foreach(st.entries, i, item) {
		if (!(record = alpine_record(&st, item))) {
			error_set("alpine secdb: out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		if ((rc = sink->record(sink->ctx, record)))
			goto out;
	}
	rc = ASEC_OK;
out:
	json_decref(st.entries);
	json_decref(st.index);
	json_decref(doc);
	return rc;
}
