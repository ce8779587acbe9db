/*
 * http_site_fuzz.c - request path, Accept-Encoding and If-None-Match against
 * a small portal, looking for crashes and for any answer that breaks the
 * serving rules.
 *
 * Input: up to three lines, "path\naccept-encoding\nif-none-match". The
 * portal is written once to a temporary folder and loaded without reloads,
 * so every run sees the same files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/site.h"

static struct http_site *site;

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	static const struct http_site_options opts = {.no_reload = 1};
	char dir[256], sub[300], cmd[400];
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/http_site_fuzz_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof(sub), "%s/assets", dir);
	if (mkdir(sub, 0755) != 0)
		abort();
	put(dir, "index.html", "<!doctype html>");
	put(dir, "favicon.ico", "ico");
	put(dir, "assets/app-1a2b3c4d.js", "js");
	put(dir, "assets/app-1a2b3c4d.js.gz", "gz");
	put(dir, "assets/app-1a2b3c4d.js.br", "br");
	put(dir, "assets/app-9f8e7d6c.css", "css");
	if (http_site_load_with(&site, dir, &opts) != 0)
		abort();
	/* everything is in memory now: the folder is not needed */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

/* The next line of the input as a C string (malloc'd). */
static char *take_line(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, *data, n);
	s[n] = '\0';
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_site_answer a;
	char *path, *ae, *inm;
	size_t i;

	if (!site)
		setup();
	if (size > 8192)
		return 0;
	path = take_line(&data, &size);
	ae = take_line(&data, &size);
	inm = take_line(&data, &size);

	http_site_resolve(&a, site, (size & 1) ? "HEAD" : "GET", path, ae[0] ? ae : NULL, inm[0] ? inm : NULL);
	switch (a.status) {
	case 0:
		/* only the API's paths are left to the API */
		if (!http_site_path_is_api(path))
			abort();
		break;
	case 200:
		if (!a.body || !a.content_type)
			abort();
		/* a path that names a parent folder is never served */
		if (strstr(path, "..") || strstr(path, "//") || strchr(path, '\\'))
			abort();
		break;
	case 304:
	case 404:
		if (a.body)
			abort();
		break;
	default:
		abort();
	}
	if (a.status && a.header_count < 7)
		abort(); /* the security headers go on every portal answer */
	for (i = 0; i < a.header_count; i++)
		if (!a.headers[i].name || !a.headers[i].value || strchr(a.headers[i].value, '\n'))
			abort();
	http_site_answer_release(&a);
	(void)http_site_negotiate(ae, 6);
	(void)http_site_name_is_hashed(path);
	free(path);
	free(ae);
	free(inm);
	return 0;
}
