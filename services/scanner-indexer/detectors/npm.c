/*
 * npm.c - installed npm packages, read from node_modules/<name>/package.json.
 *
 * What npm has installed is exactly the set of package roots under some
 * node_modules directory: node_modules/<name>/package.json or
 * node_modules/@<scope>/<name>/package.json, at any depth (nested
 * node_modules, global installs under usr/lib/node_modules, pnpm's
 * node_modules/.pnpm/<id>/node_modules/<name>). match() accepts only those
 * paths. Lock files say what *would* be installed and a project's own
 * package.json is not a dependency, so neither is read; package.json files
 * deeper inside a package (test fixtures, "dist/package.json" holding only
 * {"type":"module"}) are not package roots and are ignored rather than noted.
 *
 * The file is parsed with jansson, but only after one cheap pass over the
 * bytes has bounded the nesting depth and the number of values
 * (detector_json_load_bounded): jansson recurses once per level and
 * allocates once per value, so a hostile file could otherwise cost a deep
 * stack or hundreds of megabytes. Only "name" and "version" are read; both
 * must be plausible strings (detector_field_ok: non-empty, at most 512
 * bytes of UTF-8, no control characters) or the file is skipped with a
 * note.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <string.h>

#include "error/error.h"

#define NPM_MAX_FILE_BYTES (8u << 20)
#define NPM_PURL_MAX (32 + 3 * 2 * DETECTOR_MAX_FIELD)

static int npm_is_component(const char *path, size_t start, size_t end, const char *want)
{
	size_t n = strlen(want);

	return end - start == n && memcmp(path + start, want, n) == 0;
}

static size_t npm_component_start(const char *path, size_t end)
{
	while (end > 0 && path[end - 1] != '/')
		end--;
	return end;
}

/* Nonzero for <...>/node_modules/<name>/package.json and
 * <...>/node_modules/@<scope>/<name>/package.json, where <name> does not start
 * with "." (".bin", ".pnpm", ".cache" are npm's and pnpm's own directories)
 * nor, outside a scope, with "@". */
static int npm_match(const char *path, size_t path_len, unsigned mode)
{
	size_t dir_end, name_start, parent_end, parent_start;

	(void)mode;
	if (!detector_path_has_suffix(path, path_len, "/package.json"))
		return 0;
	dir_end = path_len - strlen("/package.json");
	name_start = npm_component_start(path, dir_end);
	if (name_start == dir_end || path[name_start] == '.' || name_start == 0)
		return 0;
	parent_end = name_start - 1;
	parent_start = npm_component_start(path, parent_end);
	/* Directly in node_modules, "@x" is a scope directory, not a package. */
	if (npm_is_component(path, parent_start, parent_end, "node_modules"))
		return path[name_start] != '@';
	/* A scoped package: node_modules/@scope/name/package.json. */
	if (parent_end - parent_start < 2 || path[parent_start] != '@' || parent_start == 0)
		return 0;
	parent_end = parent_start - 1;
	parent_start = npm_component_start(path, parent_end);
	return npm_is_component(path, parent_start, parent_end, "node_modules");
}

/* pkg:npm/%40scope/name@version, or pkg:npm/name@version. npm names are
 * lower case by the registry's rules, and the purl type says so. */
static void npm_purl(char *buf, const char *name, size_t name_len, const char *version, size_t version_len)
{
	const char *slash = name[0] == '@' ? memchr(name, '/', name_len) : NULL;
	size_t len = 0;

	buf[0] = '\0';
	detector_purl_append(buf, NPM_PURL_MAX, &len, "pkg:npm/");
	if (slash && slash > name + 1 && (size_t)(slash - name) + 1 < name_len) {
		detector_purl_escape(buf, NPM_PURL_MAX, &len, name, (size_t)(slash - name), DETECTOR_PURL_LOWER);
		detector_purl_append(buf, NPM_PURL_MAX, &len, "/");
		detector_purl_escape(buf, NPM_PURL_MAX, &len, slash + 1, name_len - (size_t)(slash - name) - 1,
				     DETECTOR_PURL_LOWER);
	} else {
		detector_purl_escape(buf, NPM_PURL_MAX, &len, name, name_len, DETECTOR_PURL_LOWER);
	}
	detector_purl_append(buf, NPM_PURL_MAX, &len, "@");
	detector_purl_escape(buf, NPM_PURL_MAX, &len, version, version_len, 0);
}

static int npm_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	json_t *root, *jname, *jversion;
	const char *name, *version;
	char purl[NPM_PURL_MAX];
	struct pkg p;
	int rc = ASEC_OK;

	detector_json_load_bounded(&root, out, path, data, len);
	if (!root)
		goto out;
	if (!json_is_object(root)) {
		scan_note(out, "%s: not a JSON object; skipped", path);
		goto out;
	}
	jname = json_object_get(root, "name");
	jversion = json_object_get(root, "version");
	name = json_string_value(jname);
	version = json_string_value(jversion);
	if (!name || !name[0] || !version || !version[0]) {
		scan_note(out, "%s: no name or version string; skipped", path);
		goto out;
	}
	if (!detector_field_ok(name, json_string_length(jname)) ||
	    !detector_field_ok(version, json_string_length(jversion))) {
		scan_note(out, "%s: name or version is over %d bytes or has control characters; skipped", path,
			  DETECTOR_MAX_FIELD);
		goto out;
	}
	npm_purl(purl, name, json_string_length(jname), version, json_string_length(jversion));
	memset(&p, 0, sizeof(p));
	p.name = (char *)name;
	p.version = (char *)version;
	p.package_db = (char *)path;
	p.ecosystem = "npm";
	p.purl = purl;
	rc = pkg_list_add(&out->pkgs, &p);
out:
	json_decref(root);
	return rc;
}

const struct detector detector_npm = {
	.name = "npm",
	/* 2: C1 control characters in a name or version skip the file. */
	.version = 2,
	.max_file_bytes = NPM_MAX_FILE_BYTES,
	.match = npm_match,
	.scan = npm_scan,
};
