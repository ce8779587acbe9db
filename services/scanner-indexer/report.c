/*
 * report.c - stacking layers into index report contents (see report.h).
 *
 * The state while stacking is a flat list of held packages, each with the
 * "outer" file it lives in (for a package inside an archive, the archive).
 * Per layer: drop what the layer's whiteouts delete; collect the files the
 * layer (re)wrote into a hash set; move the held packages of those files
 * aside; add the layer's findings, each taking its introducedIn from the set
 * it replaces when the same package was there. Each step is one pass over the
 * list, so stacking costs O(layers x packages) with small constants.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

struct held {
	const struct pkg *pkg;
	const char *introduced_in;
	char *outer;
};

struct held_list {
	struct held *items;
	size_t count, capacity;
};

/* A set of strings owned elsewhere, for the files a layer touched. */
struct string_set {
	const char **slots;
	size_t capacity;
};

static size_t hash_bytes(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL, i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t outer_length(const char *db_path)
{
	return strcspn(db_path, ":");
}

static int set_init(struct string_set *set, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2)
		cap *= 2;
	set->slots = calloc(cap, sizeof(*set->slots));
	set->capacity = cap;
	return set->slots ? ASEC_OK : ASEC_ENOMEM;
}

/* Adds the outer part of path (up to ":"); duplicates are ignored. */
static void set_add_outer(struct string_set *set, const char *path)
{
	size_t n = outer_length(path), i, mask = set->capacity - 1;

	for (i = hash_bytes(path, n) & mask;; i = (i + 1) & mask) {
		const char *s = set->slots[i];
		if (!s) {
			set->slots[i] = path;
			return;
		}
		if (outer_length(s) == n && strncmp(s, path, n) == 0)
			return;
	}
}

static int set_has_outer(const struct string_set *set, const char *outer)
{
	size_t n = strlen(outer), i, mask = set->capacity - 1;

	for (i = hash_bytes(outer, n) & mask;; i = (i + 1) & mask) {
		const char *s = set->slots[i];
		if (!s)
			return 0;
		if (outer_length(s) == n && strncmp(s, outer, n) == 0)
			return 1;
	}
}

static int held_add(struct held_list *list, const struct pkg *p, const char *introduced_in)
{
	const char *db = p->package_db ? p->package_db : "";
	struct held *h;

	if (list->count == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 64;
		struct held *grown = realloc(list->items, cap * sizeof(*grown));
		if (!grown)
			return ASEC_ENOMEM;
		list->items = grown;
		list->capacity = cap;
	}
	h = &list->items[list->count];
	h->outer = strndup(db, outer_length(db));
	if (!h->outer)
		return ASEC_ENOMEM;
	h->pkg = p;
	h->introduced_in = introduced_in;
	list->count++;
	return ASEC_OK;
}

static void held_free(struct held_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i].outer);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

static int path_strictly_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 ? path[0] != '\0' : strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int deleted_by(const char *outer, const struct layer_result *layer)
{
	size_t w;

	for (w = 0; w < layer->whiteout_count; w++)
		if (path_within(outer, layer->whiteouts[w]))
			return 1;
	for (w = 0; w < layer->opaque_count; w++)
		if (path_strictly_below(outer, layer->opaque_dirs[w]))
			return 1;
	return 0;
}

static int text_equal(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_package(const struct pkg *a, const struct pkg *b)
{
	return text_equal(a->package_db, b->package_db) && text_equal(a->name, b->name) &&
	       text_equal(a->version, b->version) && text_equal(a->arch, b->arch);
}

static int stack_layer(struct held_list *held, const struct layer_result *layer, const char *digest)
{
	struct held_list replaced = {0};
	struct string_set touched = {0};
	size_t i, r, f, kept = 0, expected = 0;
	int rc;

	for (r = 0; r < layer->result_count; r++)
		expected += layer->results[r].file_count + layer->results[r].out.pkgs.count;
	if ((rc = set_init(&touched, expected)))
		return rc;
	for (r = 0; r < layer->result_count; r++) {
		const struct layer_detector_result *res = &layer->results[r];
		for (f = 0; f < res->file_count; f++)
			set_add_outer(&touched, res->files[f]);
		for (i = 0; i < res->out.pkgs.count; i++)
			if (res->out.pkgs.items[i].package_db)
				set_add_outer(&touched, res->out.pkgs.items[i].package_db);
	}

	/* Deleted packages go; packages of rewritten files move aside. */
	for (i = 0; i < held->count; i++) {
		struct held *h = &held->items[i];
		if (deleted_by(h->outer, layer)) {
			free(h->outer);
		} else if (set_has_outer(&touched, h->outer)) {
			if (replaced.count == replaced.capacity) {
				size_t cap = replaced.capacity ? replaced.capacity * 2 : 64;
				struct held *grown = realloc(replaced.items, cap * sizeof(*grown));
				if (!grown) {
					rc = ASEC_ENOMEM;
					free(h->outer);
					continue;
				}
				replaced.items = grown;
				replaced.capacity = cap;
			}
			replaced.items[replaced.count++] = *h;
		} else {
			held->items[kept++] = *h;
		}
	}
	held->count = kept;

	for (r = 0; r < layer->result_count && rc == ASEC_OK; r++) {
		const struct scan_out *out = &layer->results[r].out;
		for (i = 0; i < out->pkgs.count && rc == ASEC_OK; i++) {
			const struct pkg *p = &out->pkgs.items[i];
			const char *introduced = digest;
			size_t k;
			for (k = 0; k < replaced.count; k++)
				if (same_package(replaced.items[k].pkg, p)) {
					introduced = replaced.items[k].introduced_in;
					break;
				}
			rc = held_add(held, p, introduced);
		}
	}
	held_free(&replaced);
	free(touched.slots);
	if (rc)
		error_set("out of memory stacking layer %s", digest);
	return rc;
}

/* ---- JSON output ------------------------------------------------------------------------- */

static void set_text(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, json_string(value ? value : ""));
}

static int compare_held(const void *a, const void *b)
{
	const struct pkg *x = ((const struct held *)a)->pkg, *y = ((const struct held *)b)->pkg;
	int c;

	if ((c = strcmp(x->package_db ? x->package_db : "", y->package_db ? y->package_db : "")))
		return c;
	if ((c = strcmp(x->name ? x->name : "", y->name ? y->name : "")))
		return c;
	return strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

/* Language ecosystems get a repository each, as claircore reports them. */
static const char *repository_for(const char *ecosystem)
{
	static const struct { const char *ecosystem, *repository; } map[] = {
		{"npm", "npm"}, {"pypi", "pypi"}, {"maven", "maven"}, {"golang", "go"}, {"gem", "rubygems"},
		{"nuget", "nuget"}, {"cargo", "crates.io"}, {"composer", "packagist"},
	};
	size_t i;

	for (i = 0; ecosystem && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].ecosystem, ecosystem) == 0)
			return map[i].repository;
	return NULL;
}

static int is_os_ecosystem(const char *ecosystem)
{
	return ecosystem && (strcmp(ecosystem, "deb") == 0 || strcmp(ecosystem, "rpm") == 0 || strcmp(ecosystem, "apk") == 0);
}

static json_t *dist_json(const struct dist *d)
{
	json_t *o = json_object();

	set_text(o, "id", "1");
	set_text(o, "did", d->did);
	set_text(o, "name", d->name);
	set_text(o, "version", d->version);
	set_text(o, "versionCodeName", d->version_code_name);
	set_text(o, "versionId", d->version_id);
	set_text(o, "arch", d->arch);
	set_text(o, "cpe", d->cpe);
	set_text(o, "prettyName", d->pretty_name);
	return o;
}

static const struct dist *top_distribution(const struct layer_result *layers, size_t layer_count)
{
	const struct dist *found = NULL;
	size_t l, r;

	/* The best-ranked file wins; among equals, the topmost layer. */
	for (l = 0; l < layer_count; l++)
		for (r = 0; r < layers[l].result_count; r++) {
			const struct dist *d = layers[l].results[r].out.dist;
			if (d && (!found || d->rank >= found->rank))
				found = d;
		}
	return found;
}

static void add_notes(json_t *notes, const char *digest, const struct scan_out *out, const char *who)
{
	size_t i;
	char text[700];

	for (i = 0; i < out->note_count; i++) {
		snprintf(text, sizeof(text), "%s %.19s: %s", who, digest, out->notes[i]);
		json_array_append_new(notes, json_string(text));
	}
	if (out->notes_dropped) {
		snprintf(text, sizeof(text), "%s %.19s: %d more notes not shown", who, digest, out->notes_dropped);
		json_array_append_new(notes, json_string(text));
	}
}

int report_assemble(json_t **contents, json_t *notes, const char *const *digests, const struct layer_result *layers,
		    size_t layer_count)
{
	struct held_list held = {0};
	const struct dist *dist;
	json_t *packages = NULL, *distributions = NULL, *repositories = NULL, *environments = NULL;
	json_t *repo_ids = NULL;
	size_t l, r, i;
	int rc = ASEC_OK;

	*contents = NULL;
	for (l = 0; l < layer_count && rc == ASEC_OK; l++) {
		rc = stack_layer(&held, &layers[l], digests[l]);
		if (notes) {
			add_notes(notes, digests[l], &layers[l].notes, "layer");
			for (r = 0; r < layers[l].result_count; r++)
				add_notes(notes, digests[l], &layers[l].results[r].out, layers[l].results[r].detector->name);
		}
	}
	if (rc)
		goto out;
	if (held.count)
		qsort(held.items, held.count, sizeof(*held.items), compare_held);

	packages = json_object();
	distributions = json_object();
	repositories = json_object();
	environments = json_object();
	repo_ids = json_object(); /* repository name -> id */
	dist = top_distribution(layers, layer_count);
	if (dist)
		json_object_set_new(distributions, "1", dist_json(dist));

	for (i = 0; i < held.count; i++) {
		const struct pkg *p = held.items[i].pkg;
		const char *repo = repository_for(p->ecosystem);
		json_t *pkg = json_object(), *env = json_object(), *env_repos = json_array();
		char id[32];

		snprintf(id, sizeof(id), "%zu", i + 1);
		set_text(pkg, "id", id);
		set_text(pkg, "name", p->name);
		set_text(pkg, "version", p->version);
		set_text(pkg, "kind", "binary");
		if (p->source_name && p->source_name[0]) {
			json_t *src = json_object();
			set_text(src, "name", p->source_name);
			set_text(src, "version", p->source_version && p->source_version[0] ? p->source_version : p->version);
			set_text(src, "kind", "source");
			json_object_set_new(pkg, "source", src);
		}
		set_text(pkg, "packageDb", p->package_db);
		set_text(pkg, "repositoryHint", p->repository_hint);
		set_text(pkg, "module", p->module);
		set_text(pkg, "arch", p->arch);
		set_text(pkg, "cpe", p->cpe);
		if (p->purl && p->purl[0])
			set_text(pkg, "purl", p->purl);
		json_object_set_new(packages, id, pkg);

		set_text(env, "packageDb", p->package_db);
		set_text(env, "introducedIn", held.items[i].introduced_in);
		if (dist && is_os_ecosystem(p->ecosystem))
			set_text(env, "distributionId", "1");
		if (repo) {
			json_t *rid = json_object_get(repo_ids, repo);
			if (!rid) {
				char repo_id[32];
				json_t *ro = json_object();
				snprintf(repo_id, sizeof(repo_id), "%zu", json_object_size(repo_ids) + 1);
				set_text(ro, "id", repo_id);
				set_text(ro, "name", repo);
				set_text(ro, "key", "");
				set_text(ro, "uri", "");
				set_text(ro, "cpe", "");
				json_object_set_new(repositories, repo_id, ro);
				json_object_set_new(repo_ids, repo, json_string(repo_id));
				rid = json_object_get(repo_ids, repo);
			}
			json_array_append(env_repos, rid);
		}
		json_object_set_new(env, "repositoryIds", env_repos);
		json_object_set_new(environments, id, json_pack("[o]", env));
	}
	*contents = json_pack("{s:o, s:o, s:o, s:o}", "packages", packages, "distributions", distributions,
			      "repositories", repositories, "environments", environments);
	packages = distributions = repositories = environments = NULL;
	if (!*contents) {
		error_set("out of memory building the index report");
		rc = ASEC_ENOMEM;
	}
out:
	json_decref(packages);
	json_decref(distributions);
	json_decref(repositories);
	json_decref(environments);
	json_decref(repo_ids);
	held_free(&held);
	return rc;
}
