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
 * As in npm.c, detector_json_load_bounded bounds the nesting depth and the
 * number of values before jansson parses anything.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* A few kilobytes per package: a large Drupal site's file is ~2 MB. */
#define COMPOSER_MAX_FILE_BYTES (16u << 20)
#define COMPOSER_PURL_MAX (32 + 3 * 2 * DETECTOR_MAX_FIELD)

static int composer_match(const char *path, size_t path_len, unsigned mode)
{
	(void)mode;
	return (path_len == strlen("vendor/composer/installed.json") &&
		memcmp(path, "vendor/composer/installed.json", path_len) == 0) ||
	       detector_path_has_suffix(path, path_len, "/vendor/composer/installed.json");
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
	if (!detector_field_ok(name, name_len) || !detector_field_ok(version, version_len) || !slash ||
	    slash == name || !slash[1] || strchr(slash + 1, '/')) {
		if (!seen->implausible)
			scan_note(out,
				  "%s: a package name is not \"vendor/package\", or a name or version is over %d "
				  "bytes or has control characters; skipped",
				  path, DETECTOR_MAX_FIELD);
		seen->implausible = 1;
		return ASEC_OK;
	}
	/* The composer type lower-cases the vendor and the name (Packagist
	 * treats them case-insensitively). */
	plen = 0;
	detector_purl_append(purl, sizeof(purl), &plen, "pkg:composer/");
	detector_purl_escape(purl, sizeof(purl), &plen, name, (size_t)(slash - name), DETECTOR_PURL_LOWER);
	detector_purl_append(purl, sizeof(purl), &plen, "/");
	detector_purl_escape(purl, sizeof(purl), &plen, slash + 1, name_len - (size_t)(slash - name) - 1,
			     DETECTOR_PURL_LOWER);
	detector_purl_append(purl, sizeof(purl), &plen, "@");
	detector_purl_escape(purl, sizeof(purl), &plen, version, version_len, 0);
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
	json_t *root, *packages, *entry;
	size_t i;
	int rc = ASEC_OK;

	detector_json_load_bounded(&root, out, path, data, len);
	if (!root)
		goto out;
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
	/* 2: C1 control characters in a name or version skip the package. */
	.version = 2,
	.max_file_bytes = COMPOSER_MAX_FILE_BYTES,
	.match = composer_match,
	.scan = composer_scan,
};
