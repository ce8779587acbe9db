/*
 * dotnet.c - NuGet packages of a .NET application, read from its
 * <app>.deps.json.
 *
 * The .NET host writes <app>.deps.json next to every framework-dependent or
 * self-contained application. Its "libraries" object has one member per
 * dependency, keyed "<Name>/<Version>", whose "type" says what it is:
 * "package" is a NuGet package restored from a feed - the only kind that
 * advisories can name. "project" entries are the application and its own
 * projects, "reference" plain assemblies, "runtimepack" the runtime itself;
 * none of them is reported. The runtime target (".NETCoreApp,Version=v8.0")
 * says which framework the app needs, not a package, so it is not reported
 * either.
 *
 * As in npm.c, one pass over the bytes bounds the nesting depth and the
 * number of values before jansson parses anything.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <string.h>

#include "error/error.h"

/* deps.json grows with the dependency graph; large ASP.NET apps reach a few
 * megabytes. */
#define DOTNET_MAX_FILE_BYTES (16u << 20)
#define DOTNET_JSON_MAX_DEPTH 64
#define DOTNET_JSON_MAX_TOKENS 1000000u
/* No real package name or version comes near this. */
#define DOTNET_MAX_FIELD 512
#define DOTNET_PURL_MAX (32 + 3 * 2 * DOTNET_MAX_FIELD)

static int dotnet_match(const char *path, size_t path_len, unsigned mode)
{
	size_t n = strlen(".deps.json");

	(void)mode;
	/* Something must come before the suffix: "app.deps.json", not ".deps.json". */
	return detector_path_has_suffix(path, path_len, ".deps.json") && path_len > n && path[path_len - n - 1] != '/';
}

/* One pass outside strings: NULL when nesting and value count are bounded. */
static const char *dotnet_json_shape(const unsigned char *d, size_t n)
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
			if (++depth > DOTNET_JSON_MAX_DEPTH)
				return "JSON nested deeper than 64 levels";
			tokens++;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',') {
			tokens++;
		}
		if (tokens > DOTNET_JSON_MAX_TOKENS)
			return "JSON has more than a million values";
	}
	return NULL;
}

static int dotnet_field_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > DOTNET_MAX_FIELD)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Percent-encodes per the purl spec. NuGet names keep their case: the purl
 * type says so, and the registry treats them case-insensitively anyway. */
static void dotnet_purl_put(char *buf, size_t *len, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && *len + 4 < DOTNET_PURL_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || c == ':') {
			buf[(*len)++] = (char)c;
		} else {
			buf[(*len)++] = '%';
			buf[(*len)++] = hex[c >> 4];
			buf[(*len)++] = hex[c & 15];
		}
	}
	buf[*len] = '\0';
}

/* One "libraries" member. Returns ASEC_OK (reported, or skipped with a
 * note) or ASEC_ENOMEM. */
static int dotnet_library(struct scan_out *out, const char *path, const char *key, json_t *value, int *noted)
{
	const char *slash = strchr(key, '/'), *type = json_string_value(json_object_get(value, "type"));
	char purl[DOTNET_PURL_MAX], *name = NULL;
	size_t name_len, version_len, plen;
	struct pkg p;
	int rc;

	if (!type || strcmp(type, "package") != 0)
		return ASEC_OK;
	name_len = slash ? (size_t)(slash - key) : 0;
	version_len = slash ? strlen(slash + 1) : 0;
	if (!slash || strchr(slash + 1, '/') || !dotnet_field_ok(key, name_len) ||
	    !dotnet_field_ok(slash + 1, version_len)) {
		/* One note per file: a hostile file could hold a million such keys. */
		if (!*noted)
			scan_note(out, "%s: a library key is not a plausible \"Name/Version\"; skipped", path);
		*noted = 1;
		return ASEC_OK;
	}
	name = strndup(key, name_len);
	if (!name) {
		error_set("out of memory reading %s", path);
		return ASEC_ENOMEM;
	}
	plen = strlen("pkg:nuget/");
	memcpy(purl, "pkg:nuget/", plen + 1);
	dotnet_purl_put(purl, &plen, key, name_len);
	purl[plen++] = '@';
	dotnet_purl_put(purl, &plen, slash + 1, version_len);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = (char *)(slash + 1);
	p.package_db = (char *)path;
	p.ecosystem = "nuget";
	p.purl = purl;
	rc = pkg_list_add(&out->pkgs, &p);
	free(name);
	return rc;
}

static int dotnet_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	json_error_t jerr;
	json_t *root = NULL, *libraries, *value;
	const char *why, *key;
	int rc = ASEC_OK, noted = 0;

	why = dotnet_json_shape(data, len);
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
	libraries = json_object_get(root, "libraries");
	if (!libraries)
		goto out; /* an application without dependencies */
	if (!json_is_object(libraries)) {
		scan_note(out, "%s: \"libraries\" is not an object; skipped", path);
		goto out;
	}
	json_object_foreach (libraries, key, value) {
		rc = dotnet_library(out, path, key, value, &noted);
		if (rc)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}

const struct detector detector_dotnet = {
	.name = "dotnet",
	.version = 1,
	.max_file_bytes = DOTNET_MAX_FILE_BYTES,
	.match = dotnet_match,
	.scan = dotnet_scan,
};
