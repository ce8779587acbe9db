/*
 * layer_cache.c - JSON form of per-layer findings (see layer_cache.h).
 *
 * The JSON comes back from our own database, but it is still parsed
 * defensively: a row written by an older version may lack members, and a
 * damaged row must fail the cache lookup (the layer is then scanned again),
 * not the service.
 */
#include "layer_cache.h"

#include <stdlib.h>
#include <string.h>

#include "error/error.h"

static const struct {
	const char *key;
	size_t offset;
} pkg_fields[] = {
	{"name", offsetof(struct pkg, name)},
	{"version", offsetof(struct pkg, version)},
	{"kind", offsetof(struct pkg, kind)},
	{"sourceName", offsetof(struct pkg, source_name)},
	{"sourceVersion", offsetof(struct pkg, source_version)},
	{"packageDb", offsetof(struct pkg, package_db)},
	{"repositoryHint", offsetof(struct pkg, repository_hint)},
	{"module", offsetof(struct pkg, module)},
	{"arch", offsetof(struct pkg, arch)},
	{"cpe", offsetof(struct pkg, cpe)},
	{"ecosystem", offsetof(struct pkg, ecosystem)},
	{"purl", offsetof(struct pkg, purl)},
};

static const struct {
	const char *key;
	size_t offset;
} dist_fields[] = {
	{"did", offsetof(struct dist, did)},
	{"name", offsetof(struct dist, name)},
	{"version", offsetof(struct dist, version)},
	{"versionCodeName", offsetof(struct dist, version_code_name)},
	{"versionId", offsetof(struct dist, version_id)},
	{"arch", offsetof(struct dist, arch)},
	{"cpe", offsetof(struct dist, cpe)},
	{"prettyName", offsetof(struct dist, pretty_name)},
};

#define FIELD(ptr, offset) (*(char **)((char *)(ptr) + (offset)))

static json_t *string_array(char *const *items, size_t count)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < count; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

json_t *layer_cache_result_to_json(const struct layer_detector_result *result)
{
	json_t *o = json_object(), *pkgs = json_array();
	size_t i, f;

	if (!o || !pkgs) {
		json_decref(o);
		json_decref(pkgs);
		return NULL;
	}
	for (i = 0; i < result->out.pkgs.count; i++) {
		const struct pkg *p = &result->out.pkgs.items[i];
		json_t *po = json_object();
		for (f = 0; f < sizeof(pkg_fields) / sizeof(pkg_fields[0]); f++) {
			const char *v = FIELD(p, pkg_fields[f].offset);
			if (v && v[0])
				json_object_set_new(po, pkg_fields[f].key, json_string(v));
		}
		json_array_append_new(pkgs, po);
	}
	json_object_set_new(o, "pkgs", pkgs);
	if (result->out.dist) {
		json_t *d = json_object();
		for (f = 0; f < sizeof(dist_fields) / sizeof(dist_fields[0]); f++) {
			const char *v = FIELD(result->out.dist, dist_fields[f].offset);
			if (v && v[0])
				json_object_set_new(d, dist_fields[f].key, json_string(v));
		}
		json_object_set_new(d, "rank", json_integer(result->out.dist->rank));
		json_object_set_new(o, "dist", d);
	}
	json_object_set_new(o, "notes", string_array(result->out.notes, result->out.note_count));
	if (result->out.notes_dropped)
		json_object_set_new(o, "notesDropped", json_integer(result->out.notes_dropped));
	json_object_set_new(o, "files", string_array(result->files, result->file_count));
	return o;
}

static int strings_from_json(char ***out, size_t *count, const json_t *array)
{
	size_t i, n = json_array_size(array);

	*out = NULL;
	*count = 0;
	if (array && !json_is_array(array))
		return ASEC_EINVALID;
	if (n == 0)
		return ASEC_OK;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return ASEC_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(array, i));
		if (!s || !((*out)[i] = strdup(s)))
			return s ? ASEC_ENOMEM : ASEC_EINVALID;
		(*count)++;
	}
	return ASEC_OK;
}

int layer_cache_result_from_json(struct layer_detector_result *out, const struct detector *detector, const json_t *json)
{
	const json_t *pkgs = json_object_get(json, "pkgs"), *dist = json_object_get(json, "dist");
	const json_t *notes = json_object_get(json, "notes");
	size_t i, f;
	int rc = ASEC_OK;

	memset(out, 0, sizeof(*out));
	out->detector = detector;
	if (!json_is_object(json) || !json_is_array(pkgs)) {
		error_set("cached result of %s is damaged", detector->name);
		return ASEC_EINVALID;
	}
	for (i = 0; i < json_array_size(pkgs) && rc == ASEC_OK; i++) {
		const json_t *po = json_array_get(pkgs, i);
		struct pkg p;
		memset(&p, 0, sizeof(p));
		for (f = 0; f < sizeof(pkg_fields) / sizeof(pkg_fields[0]); f++)
			FIELD(&p, pkg_fields[f].offset) = (char *)json_string_value(json_object_get(po, pkg_fields[f].key));
		rc = pkg_list_add(&out->out.pkgs, &p);
	}
	if (rc == ASEC_OK && json_is_object(dist)) {
		struct dist d;
		memset(&d, 0, sizeof(d));
		for (f = 0; f < sizeof(dist_fields) / sizeof(dist_fields[0]); f++)
			FIELD(&d, dist_fields[f].offset) = (char *)json_string_value(json_object_get(dist, dist_fields[f].key));
		d.rank = (int)json_integer_value(json_object_get(dist, "rank"));
		rc = dist_copy(&out->out.dist, &d);
	}
	for (i = 0; rc == ASEC_OK && i < json_array_size(notes) && out->out.note_count < SCAN_MAX_NOTES; i++) {
		const char *s = json_string_value(json_array_get(notes, i));
		if (s && (out->out.notes[out->out.note_count] = strdup(s)))
			out->out.note_count++;
	}
	out->out.notes_dropped = (int)json_integer_value(json_object_get(json, "notesDropped"));
	if (rc == ASEC_OK)
		rc = strings_from_json(&out->files, &out->file_count, json_object_get(json, "files"));
	if (rc != ASEC_OK) {
		size_t k;
		for (k = 0; k < out->file_count; k++)
			free(out->files[k]);
		free(out->files);
		scan_out_free(&out->out);
		memset(out, 0, sizeof(*out));
		error_set("cached result of %s is damaged", detector->name);
	}
	return rc;
}

json_t *layer_cache_facts_to_json(const struct layer_result *layer)
{
	return json_pack("{s:o, s:o, s:o, s:I, s:I, s:I}", "whiteouts", string_array(layer->whiteouts, layer->whiteout_count),
			 "opaqueDirs", string_array(layer->opaque_dirs, layer->opaque_count), "notes",
			 string_array(layer->notes.notes, layer->notes.note_count), "compressedBytes",
			 (json_int_t)layer->compressed_bytes, "uncompressedBytes", (json_int_t)layer->uncompressed_bytes,
			 "entries", (json_int_t)layer->entries);
}

int layer_cache_facts_from_json(struct layer_result *out, const json_t *json)
{
	const json_t *notes = json_object_get(json, "notes");
	size_t i;
	int rc;

	if (!json_is_object(json)) {
		error_set("cached layer facts are damaged");
		return ASEC_EINVALID;
	}
	rc = strings_from_json(&out->whiteouts, &out->whiteout_count, json_object_get(json, "whiteouts"));
	if (rc == ASEC_OK)
		rc = strings_from_json(&out->opaque_dirs, &out->opaque_count, json_object_get(json, "opaqueDirs"));
	for (i = 0; rc == ASEC_OK && i < json_array_size(notes) && out->notes.note_count < SCAN_MAX_NOTES; i++) {
		const char *s = json_string_value(json_array_get(notes, i));
		if (s && (out->notes.notes[out->notes.note_count] = strdup(s)))
			out->notes.note_count++;
	}
	out->compressed_bytes = (uint64_t)json_integer_value(json_object_get(json, "compressedBytes"));
	out->uncompressed_bytes = (uint64_t)json_integer_value(json_object_get(json, "uncompressedBytes"));
	out->entries = (size_t)json_integer_value(json_object_get(json, "entries"));
	if (rc != ASEC_OK)
		error_set("cached layer facts are damaged");
	return rc;
}
