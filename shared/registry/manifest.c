/*
 * manifest.c - manifests, indexes and image configs, from bytes to structs.
 *
 * Everything here is pure: bytes in, plain C structs out, no network, so that
 * the fuzz target, the unit tests and an OCI layout on disk all go through
 * the same code as a registry download.
 *
 * The documents are JSON read with jansson, duplicate keys refused (two
 * "config" members would let two readers of one manifest see two images).
 * Only the fields the indexer uses are read; each is type-checked, each
 * string is held to a length bound and each list to a count bound, and a
 * violation names the field ("manifest: layers[3].digest ..."). Values are
 * never echoed into messages: an env entry or a label may hold a secret.
 *
 * Which kind a document is comes from its own mediaType, else from the
 * Content-Type, else from its shape; contradictions are refused, following
 * the OCI advisory on ambiguous manifests (GHSA-77vh-xpmg-72qh).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "error/error.h"
#include "registry/registry.h"

#define MF_SHORT_MAX REGISTRY_MEDIA_TYPE_MAX

enum mf_kind {
	MF_UNKNOWN,
	MF_OCI_MANIFEST,
	MF_DOCKER_MANIFEST,
	MF_OCI_INDEX,
	MF_DOCKER_LIST,
	MF_SCHEMA1,
};

static enum mf_kind mf_kind_of(const char *mt, size_t len)
{
	static const struct {
		const char *name;
		enum mf_kind kind;
	} known[] = {
		{ REGISTRY_MT_OCI_MANIFEST, MF_OCI_MANIFEST },
		{ REGISTRY_MT_DOCKER_MANIFEST, MF_DOCKER_MANIFEST },
		{ REGISTRY_MT_OCI_INDEX, MF_OCI_INDEX },
		{ REGISTRY_MT_DOCKER_LIST, MF_DOCKER_LIST },
		{ REGISTRY_MT_DOCKER_V1, MF_SCHEMA1 },
		{ REGISTRY_MT_DOCKER_V1_SIGNED, MF_SCHEMA1 },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == len && strncasecmp(known[i].name, mt, len) == 0)
			return known[i].kind;
	return MF_UNKNOWN;
}

static int mf_is_index(enum mf_kind k)
{
	return k == MF_OCI_INDEX || k == MF_DOCKER_LIST;
}

static int mf_is_manifest(enum mf_kind k)
{
	return k == MF_OCI_MANIFEST || k == MF_DOCKER_MANIFEST;
}

static const char *mf_kind_name(enum mf_kind k)
{
	switch (k) {
	case MF_OCI_MANIFEST:
		return REGISTRY_MT_OCI_MANIFEST;
	case MF_DOCKER_MANIFEST:
		return REGISTRY_MT_DOCKER_MANIFEST;
	case MF_OCI_INDEX:
		return REGISTRY_MT_OCI_INDEX;
	case MF_DOCKER_LIST:
		return REGISTRY_MT_DOCKER_LIST;
	default:
		return "unknown";
	}
}

/* A Content-Type's media type without parameters ("...; charset=utf-8"). */
static enum mf_kind mf_content_type_kind(const char *ct, int *present)
{
	size_t len;

	*present = 0;
	if (!ct)
		return MF_UNKNOWN;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	len = strcspn(ct, "; \t");
	*present = len > 0;
	return mf_kind_of(ct, len);
}

static void mf_schema1_error(void)
{
	error_set("Docker schema 1 manifests (%s) are not supported: they are deprecated, unverifiable and "
		  "carry no image config; push the image again with a current client",
		  REGISTRY_MT_DOCKER_V1);
}

/* jansson's error text quotes a piece of the input: keep it printable. */
static void mf_json_error(const char *doc, const json_error_t *err)
{
	char text[JSON_ERROR_TEXT_LENGTH];
	size_t i;

	for (i = 0; i + 1 < sizeof(text) && err->text[i]; i++) {
		unsigned char c = (unsigned char)err->text[i];

		text[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	text[i] = '\0';
	error_set("%s is not valid JSON: %s (line %d, column %d)", doc, text, err->line, err->column);
}

static json_t *mf_load(const char *doc, const void *data, size_t len)
{
	json_error_t err;
	json_t *root;

	if (!data || len == 0) {
		error_set("%s is empty", doc);
		return NULL;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		mf_json_error(doc, &err);
		return NULL;
	}
	if (!json_is_object(root)) {
		error_set("%s is not a JSON object", doc);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* ---- field readers: each names the field it refuses ---- */

/* A string member; NULL when absent or null and not required. */
static int mf_string(char **out, const json_t *obj, const char *key, size_t max, int required, const char *doc,
		     const char *where)
{
	json_t *v = json_object_get(obj, key);
	size_t len;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return ASEC_OK;
		error_set("%s: %s%s%s is missing", doc, where, where[0] ? "." : "", key);
		return ASEC_EINVALID;
	}
	if (!json_is_string(v)) {
		error_set("%s: %s%s%s is not a string", doc, where, where[0] ? "." : "", key);
		return ASEC_EINVALID;
	}
	len = json_string_length(v);
	if (len > max) {
		error_set("%s: %s%s%s is %zu bytes, over the limit of %zu", doc, where, where[0] ? "." : "", key, len,
			  max);
		return ASEC_ETOOBIG;
	}
	*out = strndup(json_string_value(v), len);
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static int mf_size(int64_t *out, const json_t *obj, const char *doc, const char *where)
{
	json_t *v = json_object_get(obj, "size");

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		error_set("%s: %s.size is missing or not a non-negative integer", doc, where);
		return ASEC_EINVALID;
	}
	*out = (int64_t)json_integer_value(v);
	return ASEC_OK;
}

static int mf_digest(char **out, const json_t *obj, const char *doc, const char *where)
{
	int rc = mf_string(out, obj, "digest", REGISTRY_DIGEST_BUF, 1, doc, where);

	if (rc != ASEC_OK)
		return rc;
	if (registry_digest_check(*out) != ASEC_OK) {
		error_prefix("%s: %s.digest", doc, where);
		free(*out);
		*out = NULL;
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* An array of strings (or null) into a fresh list. */
static int mf_string_list(char ***out, size_t *count, const json_t *obj, const char *key, size_t max_count,
			  size_t max_len, const char *doc, const char *where)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	*count = 0;
	if (!v || json_is_null(v))
		return ASEC_OK;
	if (!json_is_array(v)) {
		error_set("%s: %s.%s is not an array", doc, where, key);
		return ASEC_EINVALID;
	}
	n = json_array_size(v);
	if (n > max_count) {
		error_set("%s: %s.%s has %zu entries, over the limit of %zu", doc, where, key, n, max_count);
		return ASEC_ETOOBIG;
	}
	if (n == 0)
		return ASEC_OK;
	*out = calloc(n, sizeof(char *));
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e)) {
			error_set("%s: %s.%s[%zu] is not a string", doc, where, key, i);
			return ASEC_EINVALID;
		}
		if (json_string_length(e) > max_len) {
			error_set("%s: %s.%s[%zu] is %zu bytes, over the limit of %zu", doc, where, key, i,
				  json_string_length(e), max_len);
			return ASEC_ETOOBIG;
		}
		(*out)[i] = strndup(json_string_value(e), json_string_length(e));
		if (!(*out)[i]) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		*count = i + 1;
	}
	return ASEC_OK;
}

static int mf_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int mf_cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct registry_kv *)a)->key, ((const struct registry_kv *)b)->key);
}

/* The keys of an object (or null) such as ExposedPorts, sorted. */
static int mf_key_list(char ***out, size_t *count, const json_t *obj, const char *key, const char *doc,
		       const char *where)
{
	json_t *v = json_object_get(obj, key);
	const char *k;
	json_t *val;
	size_t n, i = 0;

	*out = NULL;
	*count = 0;
	if (!v || json_is_null(v))
		return ASEC_OK;
	if (!json_is_object(v)) {
		error_set("%s: %s.%s is not an object", doc, where, key);
		return ASEC_EINVALID;
	}
	n = json_object_size(v);
	if (n > REGISTRY_CONFIG_LIST_MAX) {
		error_set("%s: %s.%s has %zu entries, over the limit of %d", doc, where, key, n,
			  REGISTRY_CONFIG_LIST_MAX);
		return ASEC_ETOOBIG;
	}
	if (n == 0)
		return ASEC_OK;
	*out = calloc(n, sizeof(char *));
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	json_object_foreach (v, k, val) {
		size_t klen = strlen(k);

		(void)val;
		if (klen > REGISTRY_TEXT_MAX) {
			error_set("%s: a key of %s.%s is %zu bytes, over the limit of %d", doc, where, key, klen,
				  REGISTRY_TEXT_MAX);
			return ASEC_ETOOBIG;
		}
		(*out)[i] = strdup(k);
		if (!(*out)[i]) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		*count = ++i;
	}
	qsort(*out, *count, sizeof(char *), mf_cmp_str);
	return ASEC_OK;
}

static void mf_free_list(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

/* ---- platforms ---- */

static void mf_copy_lower(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < REGISTRY_PLATFORM_FIELD && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* The spellings platforms come in, folded to the OCI ones (Go's GOOS/GOARCH),
 * with the default variants filled in (arm64 is v8, arm is v7). */
static void mf_platform_normalize(struct registry_platform *p)
{
	static const struct {
		const char *from, *arch, *variant;
	} aliases[] = {
		{ "x86_64", "amd64", NULL }, { "x86-64", "amd64", NULL }, { "aarch64", "arm64", NULL },
		{ "armhf", "arm", "v7" },    { "armel", "arm", "v6" },    { "i386", "386", NULL },
		{ "i686", "386", NULL },     { "x86", "386", NULL },
	};
	char tmp[REGISTRY_PLATFORM_FIELD];

	mf_copy_lower(tmp, p->os);
	memcpy(p->os, tmp, sizeof(tmp));
	if (strcmp(p->os, "macos") == 0)
		strcpy(p->os, "darwin");
	mf_copy_lower(tmp, p->architecture);
	memcpy(p->architecture, tmp, sizeof(tmp));
	mf_copy_lower(tmp, p->variant);
	memcpy(p->variant, tmp, sizeof(tmp));
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(p->architecture, aliases[i].from) == 0) {
			strcpy(p->architecture, aliases[i].arch);
			if (aliases[i].variant && !p->variant[0])
				strcpy(p->variant, aliases[i].variant);
			break;
		}
	}
	if (strcmp(p->architecture, "arm64") == 0) {
		if (!p->variant[0] || strcmp(p->variant, "8") == 0)
			strcpy(p->variant, "v8");
	} else if (strcmp(p->architecture, "arm") == 0) {
		if (!p->variant[0])
			strcpy(p->variant, "v7");
		else if (strlen(p->variant) == 1 && p->variant[0] >= '5' && p->variant[0] <= '8') {
			p->variant[1] = p->variant[0];
			p->variant[0] = 'v';
			p->variant[2] = '\0';
		}
	} else if (strcmp(p->architecture, "amd64") == 0 && strcmp(p->variant, "v1") == 0) {
		p->variant[0] = '\0';
	}
}

int registry_platform_parse(struct registry_platform *out, const char *text)
{
	const char *parts[3] = { 0 };
	size_t lens[3] = { 0 };
	size_t n = 0;
	const char *p = text;

	memset(out, 0, sizeof(*out));
	if (!text || !text[0]) {
		error_set("platform is empty (expected os/architecture[/variant])");
		return ASEC_EINVALID;
	}
	for (;;) {
		size_t len = strcspn(p, "/");

		if (n == 3) {
			error_set("platform has more than three parts (expected os/architecture[/variant])");
			return ASEC_EINVALID;
		}
		if (len == 0 || len >= REGISTRY_PLATFORM_FIELD) {
			error_set("platform part %zu is empty or longer than %d bytes", n + 1,
				  REGISTRY_PLATFORM_FIELD - 1);
			return ASEC_EINVALID;
		}
		for (size_t i = 0; i < len; i++) {
			if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-' && p[i] != '.') {
				error_set("platform has an invalid character (expected os/architecture[/variant])");
				return ASEC_EINVALID;
			}
		}
		parts[n] = p;
		lens[n] = len;
		n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (n < 2) {
		error_set("platform needs at least os/architecture");
		return ASEC_EINVALID;
	}
	memcpy(out->os, parts[0], lens[0]);
	memcpy(out->architecture, parts[1], lens[1]);
	if (n == 3)
		memcpy(out->variant, parts[2], lens[2]);
	mf_platform_normalize(out);
	return ASEC_OK;
}

void registry_platform_format(char *buf, size_t size, const struct registry_platform *p)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%s/%s%s%s", p->os[0] ? p->os : "?", p->architecture[0] ? p->architecture : "?",
		 p->variant[0] ? "/" : "", p->variant);
}

/* A platform field of an index entry, bounded to the struct's array. */
static int mf_platform_field(char *dst, const json_t *obj, const char *key, int required, const char *where)
{
	json_t *v = json_object_get(obj, key);

	dst[0] = '\0';
	if (!v || json_is_null(v)) {
		if (!required)
			return ASEC_OK;
		error_set("index: %s.platform.%s is missing", where, key);
		return ASEC_EINVALID;
	}
	if (!json_is_string(v) || json_string_length(v) >= REGISTRY_PLATFORM_FIELD ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		error_set("index: %s.platform.%s is not a string of at most %d bytes", where, key,
			  REGISTRY_PLATFORM_FIELD - 1);
		return ASEC_EINVALID;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return ASEC_OK;
}

/* ---- manifests ---- */

void registry_manifest_free(struct registry_manifest *m)
{
	if (!m)
		return;
	free(m->digest);
	free(m->media_type);
	free(m->index_digest);
	free(m->index_media_type);
	free(m->config_digest);
	free(m->config_media_type);
	for (size_t i = 0; i < m->layer_count; i++) {
		free(m->layers[i].digest);
		free(m->layers[i].media_type);
	}
	free(m->layers);
	mf_free_list(m->notes, m->note_count);
	memset(m, 0, sizeof(*m));
}

static int mf_add_note(struct registry_manifest *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int mf_add_note(struct registry_manifest *m, const char *fmt, ...)
{
	char **grown = realloc(m->notes, (m->note_count + 1) * sizeof(char *));
	va_list ap;
	int n;

	if (!grown) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	m->notes = grown;
	va_start(ap, fmt);
	n = vasprintf(&m->notes[m->note_count], fmt, ap);
	va_end(ap);
	if (n < 0) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	m->note_count++;
	return ASEC_OK;
}

static enum registry_layer_kind mf_layer_kind(const char *mt, const char **why)
{
	static const struct {
		const char *name;
		enum registry_layer_kind kind;
		const char *why;
	} known[] = {
		{ "application/vnd.oci.image.layer.v1.tar", REGISTRY_LAYER_TAR, NULL },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", REGISTRY_LAYER_GZIP, NULL },
		{ "application/vnd.oci.image.layer.v1.tar+zstd", REGISTRY_LAYER_ZSTD, NULL },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", REGISTRY_LAYER_GZIP, NULL },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", REGISTRY_LAYER_SKIPPED,
		  "is a foreign layer, served from outside the registry" },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", REGISTRY_LAYER_SKIPPED,
		  "is a non-distributable layer, served from outside the registry" },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", REGISTRY_LAYER_SKIPPED,
		  "is a non-distributable layer, served from outside the registry" },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", REGISTRY_LAYER_SKIPPED,
		  "is a non-distributable layer, served from outside the registry" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(known[i].name, mt) == 0) {
			*why = known[i].why;
			return known[i].kind;
		}
	}
	*why = "is not an image layer";
	return REGISTRY_LAYER_SKIPPED;
}

static int mf_parse_manifest(struct registry_manifest *m, enum mf_kind kind, const json_t *root)
{
	const char *doc = "manifest";
	json_t *config = json_object_get(root, "config");
	json_t *layers = json_object_get(root, "layers");
	char where[48];
	size_t n;
	int rc;

	m->media_type = strdup(mf_kind_name(kind));
	if (!m->media_type)
		goto nomem;
	if (!json_is_object(config)) {
		error_set("manifest: config is missing or not an object");
		return ASEC_EINVALID;
	}
	if ((rc = mf_string(&m->config_media_type, config, "mediaType", MF_SHORT_MAX, 1, doc, "config")) ||
	    (rc = mf_digest(&m->config_digest, config, doc, "config")) ||
	    (rc = mf_size(&m->config_size, config, doc, "config")))
		return rc;
	if (strcmp(m->config_media_type, REGISTRY_MT_OCI_CONFIG) != 0 &&
	    strcmp(m->config_media_type, REGISTRY_MT_DOCKER_CONFIG) != 0) {
		/* Media types are registry names of [A-Za-z0-9!#$&^_.+-/]; keep it printable all the same. */
		char shown[64];
		size_t i;

		for (i = 0; i + 1 < sizeof(shown) && m->config_media_type[i]; i++)
			shown[i] = isprint((unsigned char)m->config_media_type[i]) ? m->config_media_type[i] : '?';
		shown[i] = '\0';
		error_set("manifest: config media type '%s' is not a container image config (an artifact, "
			  "not an image)", shown);
		return ASEC_EINVALID;
	}
	if ((uint64_t)m->config_size > REGISTRY_CONFIG_MAX) {
		error_set("manifest: the image config is %lld bytes, over the limit of %zu",
			  (long long)m->config_size, REGISTRY_CONFIG_MAX);
		return ASEC_ETOOBIG;
	}

	if (!json_is_array(layers)) {
		error_set("manifest: layers is missing or not an array");
		return ASEC_EINVALID;
	}
	n = json_array_size(layers);
	if (n > REGISTRY_MAX_LAYERS) {
		error_set("manifest lists %zu layers, over the limit of %d", n, REGISTRY_MAX_LAYERS);
		return ASEC_ETOOBIG;
	}
	if (n > 0) {
		m->layers = calloc(n, sizeof(*m->layers));
		if (!m->layers)
			goto nomem;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(layers, i);
		struct registry_layer *layer = &m->layers[i];
		const char *why = NULL;

		snprintf(where, sizeof(where), "layers[%zu]", i);
		if (!json_is_object(l)) {
			error_set("manifest: %s is not an object", where);
			return ASEC_EINVALID;
		}
		m->layer_count = i + 1;
		if ((rc = mf_string(&layer->media_type, l, "mediaType", MF_SHORT_MAX, 1, doc, where)) ||
		    (rc = mf_digest(&layer->digest, l, doc, where)) || (rc = mf_size(&layer->size, l, doc, where)))
			return rc;
		layer->kind = mf_layer_kind(layer->media_type, &why);
		if (layer->kind == REGISTRY_LAYER_SKIPPED &&
		    (rc = mf_add_note(m, "layer %zu (%s) %s (%.*s); skipped", i, layer->digest, why, 128,
				      layer->media_type)))
			return rc;
	}
	return ASEC_OK;
nomem:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

/* ---- indexes ---- */

void registry_index_free(struct registry_index *idx)
{
	if (!idx)
		return;
	free(idx->media_type);
	for (size_t i = 0; i < idx->entry_count; i++) {
		free(idx->entries[i].digest);
		free(idx->entries[i].media_type);
	}
	free(idx->entries);
	memset(idx, 0, sizeof(*idx));
}

static int mf_parse_index(struct registry_index *idx, enum mf_kind kind, const json_t *root)
{
	const char *doc = "index";
	json_t *list = json_object_get(root, "manifests");
	char where[48];
	size_t n;
	int rc;

	idx->media_type = strdup(mf_kind_name(kind));
	if (!idx->media_type)
		goto nomem;
	if (!json_is_array(list)) {
		error_set("index: manifests is missing or not an array");
		return ASEC_EINVALID;
	}
	n = json_array_size(list);
	if (n > REGISTRY_MAX_INDEX_ENTRIES) {
		error_set("index lists %zu manifests, over the limit of %d", n, REGISTRY_MAX_INDEX_ENTRIES);
		return ASEC_ETOOBIG;
	}
	if (n > 0) {
		idx->entries = calloc(n, sizeof(*idx->entries));
		if (!idx->entries)
			goto nomem;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(list, i);
		struct registry_index_entry *entry = &idx->entries[i];
		json_t *platform;

		snprintf(where, sizeof(where), "manifests[%zu]", i);
		if (!json_is_object(e)) {
			error_set("index: %s is not an object", where);
			return ASEC_EINVALID;
		}
		idx->entry_count = i + 1;
		if ((rc = mf_string(&entry->media_type, e, "mediaType", MF_SHORT_MAX, 1, doc, where)) ||
		    (rc = mf_digest(&entry->digest, e, doc, where)) || (rc = mf_size(&entry->size, e, doc, where)))
			return rc;
		platform = json_object_get(e, "platform");
		if (platform && !json_is_null(platform)) {
			if (!json_is_object(platform)) {
				error_set("index: %s.platform is not an object", where);
				return ASEC_EINVALID;
			}
			if ((rc = mf_platform_field(entry->platform.os, platform, "os", 1, where)) ||
			    (rc = mf_platform_field(entry->platform.architecture, platform, "architecture", 1,
						    where)) ||
			    (rc = mf_platform_field(entry->platform.variant, platform, "variant", 0, where)))
				return rc;
			entry->has_platform = 1;
		}
	}
	return ASEC_OK;
nomem:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

/* Entries that can be an image: a manifest with a platform. Attestations
 * (buildx stores them as manifests for "unknown/unknown") and nested indexes
 * are not. */
static int mf_entry_is_image(const struct registry_index_entry *e)
{
	return e->has_platform && mf_is_manifest(mf_kind_of(e->media_type, strlen(e->media_type))) &&
	       strcasecmp(e->platform.os, "unknown") != 0 && strcasecmp(e->platform.architecture, "unknown") != 0;
}

int registry_index_select(size_t *pos, const struct registry_index *index, const struct registry_platform *want)
{
	struct registry_platform w;
	char list[512] = "";
	size_t used = 0, listed = 0;
	int have_fallback = 0;
	size_t fallback = 0;
	int want_variant;
	char shown[3 * REGISTRY_PLATFORM_FIELD];

	if (want) {
		w = *want;
	} else {
		memset(&w, 0, sizeof(w));
		strcpy(w.os, "linux");
		strcpy(w.architecture, "amd64");
	}
	want_variant = w.variant[0] != '\0';
	mf_platform_normalize(&w);

	for (size_t i = 0; i < index->entry_count; i++) {
		const struct registry_index_entry *e = &index->entries[i];
		struct registry_platform p;

		if (!mf_entry_is_image(e))
			continue;
		p = e->platform;
		mf_platform_normalize(&p);
		if (strcmp(p.os, w.os) != 0 || strcmp(p.architecture, w.architecture) != 0)
			continue;
		if (strcmp(p.variant, w.variant) == 0) {
			*pos = i;
			return ASEC_OK;
		}
		/* Without a requested variant, another variant of the right
		 * architecture beats nothing. */
		if (!want_variant && !have_fallback) {
			have_fallback = 1;
			fallback = i;
		}
	}
	if (have_fallback) {
		*pos = fallback;
		return ASEC_OK;
	}

	for (size_t i = 0; i < index->entry_count && used + 1 < sizeof(list); i++) {
		const struct registry_index_entry *e = &index->entries[i];
		int n;

		if (!mf_entry_is_image(e))
			continue;
		registry_platform_format(shown, sizeof(shown), &e->platform);
		for (char *c = shown; *c; c++)
			if (!isprint((unsigned char)*c))
				*c = '?';
		n = snprintf(list + used, sizeof(list) - used, "%s%s", listed ? ", " : "", shown);
		if (n < 0 || (size_t)n >= sizeof(list) - used) {
			list[used] = '\0';
			snprintf(list + used, sizeof(list) - used, listed ? ", ..." : "...");
			break;
		}
		used += (size_t)n;
		listed++;
	}
	registry_platform_format(shown, sizeof(shown), &w);
	error_set("the index has no image for platform %s (available: %s)", shown, listed ? list : "none");
	return ASEC_ENOTFOUND;
}

/* ---- either ---- */

int registry_document_parse(int *is_index, struct registry_manifest *manifest, struct registry_index *index,
			    const char *content_type, const void *data, size_t len)
{
	enum mf_kind ct_kind, field_kind = MF_UNKNOWN, kind;
	int ct_present;
	json_t *root = NULL, *version, *mt;
	int has_manifests, has_image_parts;
	int rc = ASEC_EINVALID;

	*is_index = 0;
	memset(manifest, 0, sizeof(*manifest));
	memset(index, 0, sizeof(*index));

	ct_kind = mf_content_type_kind(content_type, &ct_present);
	if (ct_kind == MF_SCHEMA1) {
		mf_schema1_error();
		return ASEC_EINVALID;
	}
	if (len > REGISTRY_MANIFEST_MAX) {
		error_set("manifest is %zu bytes, over the limit of %zu", len, REGISTRY_MANIFEST_MAX);
		return ASEC_ETOOBIG;
	}
	root = mf_load("manifest", data, len);
	if (!root)
		return ASEC_EINVALID;

	version = json_object_get(root, "schemaVersion");
	if (json_is_integer(version) && json_integer_value(version) == 1) {
		mf_schema1_error();
		goto out;
	}
	if (!json_is_integer(version) || json_integer_value(version) != 2) {
		error_set("manifest: schemaVersion is missing or not 2");
		goto out;
	}

	mt = json_object_get(root, "mediaType");
	if (mt && !json_is_null(mt)) {
		if (!json_is_string(mt) || json_string_length(mt) > MF_SHORT_MAX) {
			error_set("manifest: mediaType is not a string of at most %d bytes", MF_SHORT_MAX);
			goto out;
		}
		field_kind = mf_kind_of(json_string_value(mt), json_string_length(mt));
		if (field_kind == MF_SCHEMA1) {
			mf_schema1_error();
			goto out;
		}
		if (field_kind == MF_UNKNOWN) {
			error_set("manifest: mediaType is not an image manifest or index type this client knows");
			goto out;
		}
	}
	has_manifests = json_object_get(root, "manifests") != NULL;
	has_image_parts = json_object_get(root, "layers") != NULL || json_object_get(root, "config") != NULL;
	if (has_manifests && has_image_parts) {
		error_set("manifest is ambiguous: it has both \"manifests\" and \"layers\"/\"config\"");
		goto out;
	}

	if (field_kind != MF_UNKNOWN) {
		if (ct_kind != MF_UNKNOWN && ct_kind != field_kind) {
			error_set("manifest is ambiguous: Content-Type %s but mediaType %s", mf_kind_name(ct_kind),
				  mf_kind_name(field_kind));
			goto out;
		}
		kind = field_kind;
	} else if (ct_kind != MF_UNKNOWN) {
		kind = ct_kind;
	} else if (has_manifests) {
		kind = MF_OCI_INDEX;
	} else if (has_image_parts) {
		kind = MF_OCI_MANIFEST;
	} else {
		error_set("manifest is neither an image manifest nor an index (no mediaType, layers or manifests)");
		goto out;
	}
	if ((mf_is_index(kind) && has_image_parts) || (mf_is_manifest(kind) && has_manifests)) {
		error_set("manifest is ambiguous: its content does not fit its media type %s", mf_kind_name(kind));
		goto out;
	}

	if (mf_is_index(kind)) {
		rc = mf_parse_index(index, kind, root);
		if (rc != ASEC_OK)
			registry_index_free(index);
		else
			*is_index = 1;
	} else {
		rc = mf_parse_manifest(manifest, kind, root);
		if (rc != ASEC_OK)
			registry_manifest_free(manifest);
	}
out:
	json_decref(root);
	return rc;
}

/* ---- image configs ---- */

void registry_config_free(struct registry_config *c)
{
	if (!c)
		return;
	free(c->created);
	free(c->author);
	free(c->os);
	free(c->architecture);
	free(c->variant);
	free(c->user);
	free(c->working_dir);
	free(c->stop_signal);
	mf_free_list(c->env, c->env_count);
	mf_free_list(c->entrypoint, c->entrypoint_count);
	mf_free_list(c->cmd, c->cmd_count);
	for (size_t i = 0; i < c->label_count; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	mf_free_list(c->exposed_ports, c->exposed_port_count);
	mf_free_list(c->volumes, c->volume_count);
	mf_free_list(c->diff_ids, c->diff_id_count);
	for (size_t i = 0; i < c->history_count; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

static int mf_labels(struct registry_config *c, const json_t *cfg)
{
	json_t *v = json_object_get(cfg, "Labels");
	const char *k;
	json_t *val;
	size_t n, i = 0;

	if (!v || json_is_null(v))
		return ASEC_OK;
	if (!json_is_object(v)) {
		error_set("config: config.Labels is not an object");
		return ASEC_EINVALID;
	}
	n = json_object_size(v);
	if (n > REGISTRY_CONFIG_LIST_MAX) {
		error_set("config: config.Labels has %zu entries, over the limit of %d", n, REGISTRY_CONFIG_LIST_MAX);
		return ASEC_ETOOBIG;
	}
	if (n == 0)
		return ASEC_OK;
	c->labels = calloc(n, sizeof(*c->labels));
	if (!c->labels)
		goto nomem;
	json_object_foreach (v, k, val) {
		size_t klen = strlen(k);

		if (!json_is_string(val)) {
			error_set("config: config.Labels has a value that is not a string");
			return ASEC_EINVALID;
		}
		if (klen > REGISTRY_TEXT_MAX || json_string_length(val) > REGISTRY_TEXT_MAX) {
			error_set("config: config.Labels has a key or value over %d bytes", REGISTRY_TEXT_MAX);
			return ASEC_ETOOBIG;
		}
		c->labels[i].key = strdup(k);
		c->labels[i].value = strndup(json_string_value(val), json_string_length(val));
		c->label_count = ++i;
		if (!c->labels[i - 1].key || !c->labels[i - 1].value)
			goto nomem;
	}
	qsort(c->labels, c->label_count, sizeof(*c->labels), mf_cmp_kv);
	return ASEC_OK;
nomem:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int mf_history(struct registry_config *c, const json_t *root)
{
	const char *doc = "config";
	json_t *v = json_object_get(root, "history");
	char where[48];
	size_t n;
	int rc;

	if (!v || json_is_null(v))
		return ASEC_OK;
	if (!json_is_array(v)) {
		error_set("config: history is not an array");
		return ASEC_EINVALID;
	}
	n = json_array_size(v);
	if (n > REGISTRY_HISTORY_MAX) {
		error_set("config: history has %zu entries, over the limit of %d", n, REGISTRY_HISTORY_MAX);
		return ASEC_ETOOBIG;
	}
	if (n == 0)
		return ASEC_OK;
	c->history = calloc(n, sizeof(*c->history));
	if (!c->history) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_array_get(v, i);
		struct registry_history *e = &c->history[i];
		json_t *empty;

		snprintf(where, sizeof(where), "history[%zu]", i);
		if (!json_is_object(h)) {
			error_set("config: %s is not an object", where);
			return ASEC_EINVALID;
		}
		c->history_count = i + 1;
		if ((rc = mf_string(&e->created, h, "created", MF_SHORT_MAX, 0, doc, where)) ||
		    (rc = mf_string(&e->created_by, h, "created_by", REGISTRY_TEXT_MAX, 0, doc, where)) ||
		    (rc = mf_string(&e->author, h, "author", REGISTRY_TEXT_MAX, 0, doc, where)) ||
		    (rc = mf_string(&e->comment, h, "comment", REGISTRY_TEXT_MAX, 0, doc, where)))
			return rc;
		empty = json_object_get(h, "empty_layer");
		if (empty && !json_is_null(empty) && !json_is_boolean(empty)) {
			error_set("config: %s.empty_layer is not a boolean", where);
			return ASEC_EINVALID;
		}
		e->empty_layer = json_is_true(empty);
	}
	return ASEC_OK;
}

int registry_config_parse(struct registry_config *out, const void *data, size_t len)
{
	const char *doc = "config";
	json_t *root = NULL, *cfg, *rootfs;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > REGISTRY_CONFIG_MAX) {
		error_set("config is %zu bytes, over the limit of %zu", len, REGISTRY_CONFIG_MAX);
		return ASEC_ETOOBIG;
	}
	root = mf_load("config", data, len);
	if (!root)
		return ASEC_EINVALID;

	if ((rc = mf_string(&out->created, root, "created", MF_SHORT_MAX, 0, doc, "")) ||
	    (rc = mf_string(&out->author, root, "author", REGISTRY_TEXT_MAX, 0, doc, "")) ||
	    (rc = mf_string(&out->os, root, "os", MF_SHORT_MAX, 0, doc, "")) ||
	    (rc = mf_string(&out->architecture, root, "architecture", MF_SHORT_MAX, 0, doc, "")) ||
	    (rc = mf_string(&out->variant, root, "variant", MF_SHORT_MAX, 0, doc, "")))
		goto out;

	cfg = json_object_get(root, "config");
	if (cfg && !json_is_null(cfg)) {
		if (!json_is_object(cfg)) {
			error_set("config: config is not an object");
			rc = ASEC_EINVALID;
			goto out;
		}
		if ((rc = mf_string(&out->user, cfg, "User", MF_SHORT_MAX, 0, doc, "config")) ||
		    (rc = mf_string(&out->working_dir, cfg, "WorkingDir", REGISTRY_TEXT_MAX, 0, doc, "config")) ||
		    (rc = mf_string(&out->stop_signal, cfg, "StopSignal", MF_SHORT_MAX, 0, doc, "config")) ||
		    (rc = mf_string_list(&out->env, &out->env_count, cfg, "Env", REGISTRY_CONFIG_LIST_MAX,
					 REGISTRY_TEXT_MAX, doc, "config")) ||
		    (rc = mf_string_list(&out->entrypoint, &out->entrypoint_count, cfg, "Entrypoint",
					 REGISTRY_CONFIG_LIST_MAX, REGISTRY_TEXT_MAX, doc, "config")) ||
		    (rc = mf_string_list(&out->cmd, &out->cmd_count, cfg, "Cmd", REGISTRY_CONFIG_LIST_MAX,
					 REGISTRY_TEXT_MAX, doc, "config")) ||
		    (rc = mf_labels(out, cfg)) ||
		    (rc = mf_key_list(&out->exposed_ports, &out->exposed_port_count, cfg, "ExposedPorts", doc,
				      "config")) ||
		    (rc = mf_key_list(&out->volumes, &out->volume_count, cfg, "Volumes", doc, "config")))
			goto out;
	}

	rootfs = json_object_get(root, "rootfs");
	if (rootfs && !json_is_null(rootfs)) {
		if (!json_is_object(rootfs)) {
			error_set("config: rootfs is not an object");
			rc = ASEC_EINVALID;
			goto out;
		}
		rc = mf_string_list(&out->diff_ids, &out->diff_id_count, rootfs, "diff_ids", REGISTRY_MAX_LAYERS,
				    REGISTRY_DIGEST_BUF, doc, "rootfs");
		if (rc != ASEC_OK)
			goto out;
		for (size_t i = 0; i < out->diff_id_count; i++) {
			if (registry_digest_check(out->diff_ids[i]) != ASEC_OK) {
				error_prefix("config: rootfs.diff_ids[%zu]", i);
				rc = ASEC_EINVALID;
				goto out;
			}
		}
	}
	rc = mf_history(out, root);
out:
	if (rc != ASEC_OK)
		registry_config_free(out);
	json_decref(root);
	return rc;
}
