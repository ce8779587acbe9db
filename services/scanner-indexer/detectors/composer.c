/*
 * composer.c - installed PHP packages, read from Composer's record of what
 * it put in vendor/: vendor/composer/installed.json.
 *
 * Composer 1 writes the file as a bare array of package objects; Composer 2
 * wraps it as {"packages": [...], "dev": ..., "dev-package-names": [...]}.
 * Both are read. composer.lock is not: it says what a project *would*
 * install, not what the image holds.
 *
 * Each package gives "name" ("vendor/package") and "version" exactly as
 * Composer wrote it ("v1.8.1", "dev-main"); the "version_normalized" form is
 * Composer's internal sort key, not what advisories quote, and is not used.
 *
 * As in npm.c, one pass over the bytes bounds the nesting depth and the
 * number of values before jansson parses anything.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* A few kilobytes per package: a large Drupal site's file is ~2 MB. */
#define COMPOSER_MAX_FILE_BYTES (16u << 20)
#define COMPOSER_JSON_MAX_DEPTH 64
#define COMPOSER_JSON_MAX_TOKENS 1000000u
/* No real package name or version comes near this. */
#define COMPOSER_MAX_FIELD 512
#define COMPOSER_PURL_MAX (32 + 3 * 2 * COMPOSER_MAX_FIELD)

static int composer_match(const char *path, size_t path_len, unsigned mode)
{
	(void)mode;
	return (path_len == strlen("vendor/composer/installed.json") &&
		memcmp(path, "vendor/composer/installed.json", path_len) == 0) ||
	       detector_path_has_suffix(path, path_len, "/vendor/composer/installed.json");
}

/* One pass outside strings: NULL when nesting and value count are bounded. */
static const char *composer_json_shape(const unsigned char *d, size_t n)
{
	size_t i, depth = 0, tokens = 0;
	int in_string = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = d[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
			tokens++;
		} else if (c == '[' || c == '{') {
			if (++depth > COMPOSER_JSON_MAX_DEPTH)
				return "JSON nested deeper than 64 levels";
			tokens++;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',') {
			tokens++;
		}
		if (tokens > COMPOSER_JSON_MAX_TOKENS)
			return "JSON has more than a million values";
	}
	return NULL;
}

static int composer_field_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > COMPOSER_MAX_FIELD)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Percent-encodes per the purl spec; the composer type lower-cases the
 * vendor and the name (Packagist treats them case-insensitively). */
static void composer_purl_put(char *buf, size_t *len, const char *s, size_t n, int lower)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && *len + 4 < COMPOSER_PURL_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || c == ':') {
			buf[(*len)++] = (char)c;
		} else if (c >= 'A' && c <= 'Z') {
			buf[(*len)++] = lower ? (char)(c - 'A' + 'a') : (char)c;
		} else {
			buf[(*len)++] = '%';
			buf[(*len)++] = hex[c >> 4];
			buf[(*len)++] = hex[c & 15];
		}
	}
	buf[*len] = '\0';
}

/* One note per kind of problem, so that a file of a million bad entries
 * leaves two notes and not sixty-four copies of one. */
struct composer_seen {
	int missing, implausible;
};

static int composer_package(struct scan_out *out, const char *path, json_t *entry, struct composer_seen *seen)
{
	json_t *jname = json_object_get(entry, "name"), *jversion = json_object_get(entry, "version");
	const char *name = json_string_value(jname), *version = json_string_value(jversion), *slash;
	size_t name_len, version_len, plen;
	char purl[COMPOSER_PURL_MAX];
	struct pkg p;

	if (!name || !name[0] || !version || !version[0]) {
		if (!seen->missing)
			scan_note(out, "%s: a package has no name or version string; skipped", path);
		seen->missing = 1;
		return ASEC_OK;
	}
	name_len = json_string_length(jname);
	version_len = json_string_length(jversion);
	slash = strchr(name, '/');
	/* Composer requires "vendor/package"; anything else is not one it wrote. */
	if (!composer_field_ok(name, name_len) || !composer_field_ok(version, version_len) || !slash ||
	    slash == name || !slash[1] || strchr(slash + 1, '/')) {
		if (!seen->implausible)
			scan_note(out,
				  "%s: a package name is not \"vendor/package\", or a name or version is over %d "
				  "bytes or has control characters; skipped",
				  path, COMPOSER_MAX_FIELD);
		seen->implausible = 1;
		return ASEC_OK;
	}
	plen = strlen("pkg:composer/");
	memcpy(purl, "pkg:composer/", plen + 1);
	composer_purl_put(purl, &plen, name, (size_t)(slash - name), 1);
	purl[plen++] = '/';
	composer_purl_put(purl, &plen, slash + 1, name_len - (size_t)(slash - name) - 1, 1);
	purl[plen++] = '@';
	composer_purl_put(purl, &plen, version, version_len, 0);
	memset(&p, 0, sizeof(p));
	p.name = (char *)name;
	p.version = (char *)version;
	p.package_db = (char *)path;
	p.ecosystem = "composer";
	p.purl = purl;
	return pkg_list_add(&out->pkgs, &p);
}

static int composer_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct composer_seen seen = { 0, 0 };
	json_error_t jerr;
	json_t *root = NULL, *packages, *entry;
	const char *why;
	size_t i;
	int rc = ASEC_OK;

	why = composer_json_shape(data, len);
	if (why) {
		scan_note(out, "%s: %s; skipped", path, why);
		goto out;
	}
	root = json_loadb((const char *)data, len, 0, &jerr);
	if (!root) {
		scan_note(out, "%s: invalid JSON at line %d: %s; skipped", path, jerr.line, jerr.text);
		goto out;
	}
	packages = json_is_array(root) ? root : json_object_get(root, "packages");
	if (!json_is_array(packages)) {
		scan_note(out, "%s: neither a package array (Composer 1) nor {\"packages\": [...]} (Composer 2); skipped",
			  path);
		goto out;
	}
	json_array_foreach (packages, i, entry) {
		rc = composer_package(out, path, entry, &seen);
		if (rc)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}

const struct detector detector_composer = {
	.name = "composer",
	.version = 1,
	.max_file_bytes = COMPOSER_MAX_FILE_BYTES,
	.match = composer_match,
	.scan = composer_scan,
};
