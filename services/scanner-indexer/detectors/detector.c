/*
 * detector.c - the package model's memory management and small helpers that
 * every detector shares.
 */
#include "detectors/detector.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
