/*
 * detector.c - the package model's memory management and small helpers that
 * every detector shares.
 *
 * The helpers exist once so that every ecosystem draws the same lines: what
 * counts as a plausible name or version (detector_field_ok), how a purl
 * component is percent-encoded (detector_purl_escape), how far a JSON file
 * may make jansson recurse and allocate (detector_json_load_bounded), and
 * where a line of a text database ends (detector_next_line). A detector
 * with a narrower rule (dpkg's and apk's alphabets, RubyGems' printable
 * ASCII) applies it on top, never instead.
 */
#include "detectors/detector.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error/error.h"

static int copy_string(char **to, const char *from)
{
	*to = NULL;
	if (!from)
		return ASEC_OK;
	*to = strdup(from);
	return *to ? ASEC_OK : ASEC_ENOMEM;
}

void pkg_free_strings(struct pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->kind);
	free(p->source_name);
	free(p->source_version);
	free(p->package_db);
	free(p->repository_hint);
	free(p->module);
	free(p->arch);
	free(p->cpe);
	free(p->ecosystem);
	free(p->purl);
	memset(p, 0, sizeof(*p));
}

int pkg_list_add(struct pkg_list *list, const struct pkg *p)
{
	struct pkg copy;

	if (list->count == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 16;
		struct pkg *grown = realloc(list->items, cap * sizeof(*grown));
		if (!grown) {
			error_set("out of memory adding a package");
			return ASEC_ENOMEM;
		}
		list->items = grown;
		list->capacity = cap;
	}
	memset(&copy, 0, sizeof(copy));
	if (copy_string(&copy.name, p->name) || copy_string(&copy.version, p->version) ||
	    copy_string(&copy.kind, p->kind ? p->kind : "binary") || copy_string(&copy.source_name, p->source_name) ||
	    copy_string(&copy.source_version, p->source_version) || copy_string(&copy.package_db, p->package_db) ||
	    copy_string(&copy.repository_hint, p->repository_hint) || copy_string(&copy.module, p->module) ||
	    copy_string(&copy.arch, p->arch) || copy_string(&copy.cpe, p->cpe) ||
	    copy_string(&copy.ecosystem, p->ecosystem) || copy_string(&copy.purl, p->purl)) {
		pkg_free_strings(&copy);
		error_set("out of memory adding a package");
		return ASEC_ENOMEM;
	}
	list->items[list->count++] = copy;
	return ASEC_OK;
}

void pkg_list_free(struct pkg_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		pkg_free_strings(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

void dist_free(struct dist *d)
{
	if (!d)
		return;
	free(d->did);
	free(d->name);
	free(d->version);
	free(d->version_code_name);
	free(d->version_id);
	free(d->arch);
	free(d->cpe);
	free(d->pretty_name);
	free(d);
}

int dist_copy(struct dist **out, const struct dist *from)
{
	struct dist *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return ASEC_ENOMEM;
	if (copy_string(&d->did, from->did) || copy_string(&d->name, from->name) ||
	    copy_string(&d->version, from->version) || copy_string(&d->version_code_name, from->version_code_name) ||
	    copy_string(&d->version_id, from->version_id) || copy_string(&d->arch, from->arch) ||
	    copy_string(&d->cpe, from->cpe) || copy_string(&d->pretty_name, from->pretty_name)) {
		dist_free(d);
		return ASEC_ENOMEM;
	}
	d->rank = from->rank;
	*out = d;
	return ASEC_OK;
}

void scan_note(struct scan_out *out, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (out->note_count >= SCAN_MAX_NOTES) {
		out->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	out->notes[out->note_count] = strdup(text);
	if (out->notes[out->note_count])
		out->note_count++;
}

void scan_out_free(struct scan_out *out)
{
	size_t i;

	pkg_list_free(&out->pkgs);
	dist_free(out->dist);
	for (i = 0; i < out->note_count; i++)
		free(out->notes[i]);
	memset(out, 0, sizeof(*out));
}

char *detector_strndup_trim(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

int detector_path_has_suffix(const char *path, size_t path_len, const char *suffix)
{
	size_t n = strlen(suffix);

	return path_len >= n && memcmp(path + path_len - n, suffix, n) == 0;
}

int detector_field_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	if (n == 0 || n > DETECTOR_MAX_FIELD)
		return 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t more, k;
		unsigned cp;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else {
			return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or past U+10FFFF */
		}
		if (n - i <= more)
			return 0;
		for (k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong three- and four-byte forms, surrogates, past U+10FFFF,
		 * and the C1 controls (U+0080..U+009F), which are as invisible in
		 * a report as the C0 ones. */
		if ((more == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
			return 0;
		i += more + 1;
	}
	return 1;
}

/*
 * The purl spec percent-encodes everything outside the URL unreserved set,
 * except ":", which it says is unambiguous everywhere and must not be
 * encoded; its reference implementations leave ":" alone. Most detectors do
 * so. The Go, Rust, Java and rpm detectors have always encoded it (no real
 * Go module, crate or rpm field holds one, and rpm's repository hints are
 * URL query values, where encoding it is right), and their output is kept
 * as it was with DETECTOR_PURL_ENCODE_COLON rather than changed under the
 * layer cache, which is keyed by detector version.
 */
void detector_purl_escape(char *buf, size_t size, size_t *len, const char *s, size_t n, unsigned flags)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z' && (flags & DETECTOR_PURL_LOWER))
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || (c == ':' && !(flags & DETECTOR_PURL_ENCODE_COLON)) ||
		    (c == '/' && (flags & DETECTOR_PURL_KEEP_SLASH))) {
			if (*len + 1 >= size)
				break;
			buf[(*len)++] = (char)c;
		} else {
			if (*len + 3 >= size)
				break;
			buf[(*len)++] = '%';
			buf[(*len)++] = hex[c >> 4];
			buf[(*len)++] = hex[c & 15];
		}
	}
	buf[*len < size ? *len : size - 1] = '\0';
}

void detector_purl_append(char *buf, size_t size, size_t *len, const char *text)
{
	size_t n = strlen(text);

	if (size == 0)
		return;
	if (*len + n < size) {
		memcpy(buf + *len, text, n);
		*len += n;
	}
	buf[*len < size ? *len : size - 1] = '\0';
}

char *detector_purl_os(const char *prefix, const char *name, const char *version, const char *arch)
{
	size_t vlen = version ? strlen(version) : 0, alen = arch ? strlen(arch) : 0;
	size_t cap = strlen(prefix) + 3 * (strlen(name) + vlen + alen) + sizeof("@?arch="), len = 0;
	char *purl = malloc(cap);

	if (!purl)
		return NULL;
	purl[0] = '\0';
	detector_purl_append(purl, cap, &len, prefix);
	detector_purl_escape(purl, cap, &len, name, strlen(name), 0);
	if (vlen) {
		detector_purl_append(purl, cap, &len, "@");
		detector_purl_escape(purl, cap, &len, version, vlen, 0);
	}
	if (alen) {
		detector_purl_append(purl, cap, &len, "?arch=");
		detector_purl_escape(purl, cap, &len, arch, alen, 0);
	}
	return purl;
}

/* Real manifests nest a handful of levels (npm "exports" maps are the
 * deepest); 64 leaves room without letting jansson recurse far. */
#define DETECTOR_JSON_MAX_DEPTH 64
/* Strings, containers and separators: jansson spends roughly 50-100 bytes
 * on each, so this keeps one file under ~100 MB. */
#define DETECTOR_JSON_MAX_VALUES 1000000u

/* One pass outside strings: NULL when the nesting depth and the number of
 * values are within bounds, else why not. Malformed text is left for
 * jansson to report. */
static const char *detector_json_shape(const unsigned char *d, size_t n)
{
	size_t i, depth = 0, values = 0;
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
			values++;
		} else if (c == '[' || c == '{') {
			if (++depth > DETECTOR_JSON_MAX_DEPTH)
				return "JSON nested deeper than 64 levels";
			values++;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',') {
			values++;
		}
		if (values > DETECTOR_JSON_MAX_VALUES)
			return "JSON has more than a million values";
	}
	return NULL;
}

void detector_json_load_bounded(struct json_t **root, struct scan_out *out, const char *path,
				const unsigned char *data, size_t len)
{
	json_error_t jerr;
	const char *why = detector_json_shape(data, len);

	*root = NULL;
	if (why) {
		scan_note(out, "%s: %s; skipped", path, why);
		return;
	}
	*root = json_loadb((const char *)data, len, 0, &jerr);
	if (!*root)
		scan_note(out, "%s: invalid JSON at line %d: %s; skipped", path, jerr.line, jerr.text);
}

int detector_next_line(const unsigned char *data, size_t len, size_t *pos, const char **line, size_t *line_len)
{
	size_t i = *pos;

	if (i >= len)
		return 0;
	while (i < len && data[i] != '\n' && data[i] != '\r')
		i++;
	*line = (const char *)data + *pos;
	*line_len = i - *pos;
	if (i < len)
		i += data[i] == '\r' && i + 1 < len && data[i + 1] == '\n' ? 2 : 1;
	*pos = i;
	return 1;
}

void detector_trim_blanks(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;

	while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*s = p;
	*len = n;
}
