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
 * As in npm.c, detector_json_load_bounded bounds the nesting depth and the
 * number of values before jansson parses anything.
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <string.h>

#include "error/error.h"

/* deps.json grows with the dependency graph; large ASP.NET apps reach a few
 * megabytes. */
#define DOTNET_MAX_FILE_BYTES (16u << 20)
#define DOTNET_PURL_MAX (32 + 3 * 2 * DETECTOR_MAX_FIELD)

static int dotnet_match(const char *path, size_t path_len, unsigned mode)
{
	size_t n = strlen(".deps.json");

	(void)mode;
	/* Something must come before the suffix: "app.deps.json", not ".deps.json". */
	return detector_path_has_suffix(path, path_len, ".deps.json") && path_len > n && path[path_len - n - 1] != '/';
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
	if (!slash || strchr(slash + 1, '/') || !detector_field_ok(key, name_len) ||
	    !detector_field_ok(slash + 1, version_len)) {
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
	/* NuGet names keep their case: the purl type says so, and the registry
	 * treats them case-insensitively anyway. */
	plen = 0;
	detector_purl_append(purl, sizeof(purl), &plen, "pkg:nuget/");
	detector_purl_escape(purl, sizeof(purl), &plen, key, name_len, 0);
	detector_purl_append(purl, sizeof(purl), &plen, "@");
	detector_purl_escape(purl, sizeof(purl), &plen, slash + 1, version_len, 0);
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
	json_t *root, *libraries, *value;
	const char *key;
	int rc = ASEC_OK, noted = 0;

	detector_json_load_bounded(&root, out, path, data, len);
	if (!root)
		goto out;
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
	/* 2: C1 control characters in a library key skip the library. */
	.version = 2,
	.max_file_bytes = DOTNET_MAX_FILE_BYTES,
	.match = dotnet_match,
	.scan = dotnet_scan,
};
