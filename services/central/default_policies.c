/*
 * default_policies.c - preparing the embedded default policies and loading
 * them (see default_policies.h).
 *
 * The set's version is a 64-bit FNV-1a digest of every file's name and
 * bytes (and of this file's own format number): any edit of any default
 * makes a new version, so the store compares texts again; an unchanged
 * build skips the work with one read.
 */
#include "default_policies.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "log/log.h"
#include "policy/policy.h"

/* Bump when what is stored for a default changes shape, to make every
 * installation compare its defaults again. */
#define DEFAULT_POLICIES_FORMAT 1
#define DEFAULT_POLICIES_MAX 4096

static uint64_t dp_fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Checks that no earlier policy of list has the id or name of doc. */
static int dp_unique(const json_t *list, const json_t *doc, const char *file)
{
	const char *id = json_string_value(json_object_get(doc, "id"));
	const char *name = json_string_value(json_object_get(doc, "name"));
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
			error_set("default policy %s: id %s is also the id of an earlier file", file, id);
			return ASEC_EINVALID;
		}
		if (strcasecmp(json_string_value(json_object_get(v, "name")), name) == 0) {
			error_set("default policy %s: name \"%s\" is also the name of an earlier file", file, name);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

/* The stored document of one file. */
static int dp_one(json_t **out, const struct asec_embedded_file *f)
{
	json_error_t jerr;
	json_t *doc = NULL, *stored = NULL;
	struct policy *p = NULL;
	const char *id;
	int rc;

	*out = NULL;
	if (!(doc = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr))) {
		error_set("default policy %s: not JSON: line %d: %s", f->name, jerr.line, jerr.text);
		return ASEC_EINVALID;
	}
	id = json_string_value(json_object_get(doc, "id"));
	if (!id || !id[0]) {
		error_set("default policy %s: no id", f->name);
		rc = ASEC_EINVALID;
		goto out;
	}
	/* whatever the file says, it ships as a default */
	if (json_object_set_new(doc, "isDefault", json_true())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = policy_parse(&p, doc))) {
		if (rc != ASEC_ENOMEM)
			error_prefix("default policy %s", f->name);
		goto out;
	}
	if (!(stored = json_deep_copy(policy_json(p)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	*out = stored;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory reading default policy %s", f->name);
	policy_free(p);
	json_decref(doc);
	return rc;
}

int default_policies_prepare(json_t **policies, char version[DEFAULT_POLICIES_VERSION_LEN],
			     const struct asec_embedded_file *files, size_t count)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned format = DEFAULT_POLICIES_FORMAT;
	json_t *list = NULL, *doc = NULL;
	int rc = ASEC_OK;

	*policies = NULL;
	version[0] = '\0';
	if (count > DEFAULT_POLICIES_MAX) {
		error_set("%zu default policies; at most %d are built in", count, DEFAULT_POLICIES_MAX);
		return ASEC_ETOOBIG;
	}
	if (!(list = json_array())) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	h = dp_fnv(h, &format, sizeof(format));
	for (size_t i = 0; i < count; i++) {
		const struct asec_embedded_file *f = &files[i];

		h = dp_fnv(h, f->name, strlen(f->name) + 1);
		h = dp_fnv(h, f->data, f->len);
		if ((rc = dp_one(&doc, f)) || (rc = dp_unique(list, doc, f->name)))
			goto out;
		if (json_array_append_new(list, doc)) {
			doc = NULL;
			error_set("out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		doc = NULL;
	}
	snprintf(version, DEFAULT_POLICIES_VERSION_LEN, "fnv1a64:%016llx", (unsigned long long)h);
	*policies = list;
	list = NULL;
out:
	json_decref(doc);
	json_decref(list);
	return rc;
}

int default_policies_load(struct store_policies_defaults_result *out, struct db_pool *pool)
{
	struct store_policies_defaults_result r = {0, 0, 0};
	char version[DEFAULT_POLICIES_VERSION_LEN];
	const json_t **items = NULL;
	json_t *list = NULL;
	size_t n;
	int rc;

	if ((rc = default_policies_prepare(&list, version, central_default_policy_files,
					   central_default_policy_files_count)))
		goto out;
	n = json_array_size(list);
	if (!(items = calloc(n + 1, sizeof(*items)))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(list, i);
	if ((rc = store_policies_defaults_apply(&r, pool, version, items, n))) {
		error_prefix("loading the default policies");
		goto out;
	}
	if (r.added || r.refreshed || r.kept)
		log_info("default policies %s: %zu added, %zu updated, %zu left as changed by users", version, r.added,
			 r.refreshed, r.kept);
out:
	if (out)
		*out = r;
	free(items);
	json_decref(list);
	return rc;
}
