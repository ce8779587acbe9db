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
 * bytes has bounded the nesting depth and the number of values: jansson
 * recurses once per level and allocates once per value, so a hostile file
 * could otherwise cost a deep stack or hundreds of megabytes. Only "name"
 * and "version" are read; both must be plausible strings (non-empty, at most
 * NPM_MAX_FIELD bytes, no control characters) or the file is skipped with a
 * note.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <string.h>

#include "error/error.h"

#define NPM_MAX_FILE_BYTES (8u << 20)
/* Real package.json files nest a handful of levels ("exports" maps are the
 * deepest); 64 leaves room without letting the parser recurse far. */
#define NPM_JSON_MAX_DEPTH 64
/* Strings, containers and separators counted before parsing: jansson spends
 * roughly 50-100 bytes on each, so this keeps one file under ~100 MB. */
#define NPM_JSON_MAX_TOKENS 1000000u
/* No real package name or version comes near this; one that does is corrupt
 * or hostile, and would only bloat the report. */
#define NPM_MAX_FIELD 512
#define NPM_PURL_MAX (32 + 3 * 2 * NPM_MAX_FIELD)

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

/* One pass outside strings: returns NULL when the nesting depth and the
 * number of values are within bounds, else why not. Malformed text is left
 * for jansson to report. */
static const char *npm_json_shape(const unsigned char *d, size_t n)
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
			if (++depth > NPM_JSON_MAX_DEPTH)
				return "JSON nested deeper than 64 levels";
			tokens++;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',') {
			tokens++;
		}
		if (tokens > NPM_JSON_MAX_TOKENS)
			return "JSON has more than a million values";
	}
	return NULL;
}

static int npm_field_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > NPM_MAX_FIELD)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Appends s percent-encoded as the purl spec asks of a name or version:
 * unreserved characters and ':' stay, everything else becomes %XX. npm
 * names are lower case by the registry's rules, and the purl type says so. */
static void npm_purl_put(char *buf, size_t *len, const char *s, size_t n, int lower)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && *len + 4 < NPM_PURL_MAX; i++) {
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

/* pkg:npm/%40scope/name@version, or pkg:npm/name@version. */
static void npm_purl(char *buf, const char *name, size_t name_len, const char *version, size_t version_len)
{
	const char *slash = name[0] == '@' ? memchr(name, '/', name_len) : NULL;
	size_t len = 0;

	memcpy(buf, "pkg:npm/", 8);
	len = 8;
	buf[len] = '\0';
	if (slash && slash > name + 1 && (size_t)(slash - name) + 1 < name_len) {
		npm_purl_put(buf, &len, name, (size_t)(slash - name), 1);
		buf[len++] = '/';
		npm_purl_put(buf, &len, slash + 1, name_len - (size_t)(slash - name) - 1, 1);
	} else {
		npm_purl_put(buf, &len, name, name_len, 1);
	}
	buf[len++] = '@';
	npm_purl_put(buf, &len, version, version_len, 0);
}

static int npm_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	json_error_t jerr;
	json_t *root = NULL, *jname, *jversion;
	const char *why, *name, *version;
	char purl[NPM_PURL_MAX];
	struct pkg p;
	int rc = ASEC_OK;

	why = npm_json_shape(data, len);
	if (why) {
		scan_note(out, "%s: %s; skipped", path, why);
		goto out;
	}
	root = json_loadb((const char *)data, len, 0, &jerr);
	if (!root) {
		scan_note(out, "%s: invalid JSON at line %d: %s; skipped", path, jerr.line, jerr.text);
		goto out;
	}
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
	if (!npm_field_ok(name, json_string_length(jname)) || !npm_field_ok(version, json_string_length(jversion))) {
		scan_note(out, "%s: name or version is over %d bytes or has control characters; skipped", path,
			  NPM_MAX_FIELD);
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
	.version = 1,
	.max_file_bytes = NPM_MAX_FILE_BYTES,
	.match = npm_match,
	.scan = npm_scan,
};
