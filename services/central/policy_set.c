/*
 * policy_set.c - the detector's cache of parsed policies (see policy_set.h).
 *
 * One snapshot is current at a time. It is tagged with the store's change
 * counter (store_policies_generation) as read before the policies were, so
 * a change committed by any replica while a snapshot was being built makes
 * the next policy_set_get() see a newer counter and build again: a snapshot
 * can be stale for the requests that already hold it, never for a later
 * one. The counter costs one indexed read per get, far less than parsing.
 *
 * The cache lives here rather than in struct central so that central.h
 * need not know it; there is one per process (central is one per process).
 */
#include "policy_set.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "error/error.h"
#include "log/log.h"
#include "policy/policy.h"
#include "store_policies.h"

struct policy_set {
	atomic_int refs;
	int64_t generation;
	size_t count;
	struct policy **items;
};

static struct {
	pthread_mutex_t lock;
	struct central *owner;
	struct policy_set *current;
	/* One build at a time: after a change, every request in flight would
	 * otherwise read and parse every policy at once. The others wait on
	 * built and take what the builder installed. */
	int building;
	pthread_cond_t built;
} ps_cache = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, PTHREAD_COND_INITIALIZER};

static void ps_free(struct policy_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		policy_free(s->items[i]);
	free(s->items);
	free(s);
}

void policy_set_release(struct policy_set *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		ps_free(s);
}

int policy_set_init(struct central *c)
{
	pthread_mutex_lock(&ps_cache.lock);
	ps_cache.owner = c;
	pthread_mutex_unlock(&ps_cache.lock);
	return ASEC_OK;
}

void policy_set_shutdown(struct central *c)
{
	struct policy_set *old = NULL;

	pthread_mutex_lock(&ps_cache.lock);
	if (ps_cache.owner == c) {
		old = ps_cache.current;
		ps_cache.current = NULL;
		ps_cache.owner = NULL;
	}
	pthread_mutex_unlock(&ps_cache.lock);
	policy_set_release(old);
}

void policy_set_invalidate(struct central *c)
{
	struct policy_set *old = NULL;

	pthread_mutex_lock(&ps_cache.lock);
	if (ps_cache.owner == c) {
		old = ps_cache.current;
		ps_cache.current = NULL;
	}
	pthread_mutex_unlock(&ps_cache.lock);
	policy_set_release(old);
}

/* Parses every stored policy; one that does not parse is left out, logged. */
static int ps_build(struct policy_set **out, struct central *c, int64_t generation)
{
	struct policy_set *s = NULL;
	json_t *all = NULL, *doc;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = store_policies_all(&all, c->pool)))
		return rc;
	if (!(s = calloc(1, sizeof(*s))) || !(s->items = calloc(json_array_size(all) + 1, sizeof(*s->items)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	atomic_init(&s->refs, 1);
	s->generation = generation;
	json_array_foreach(all, i, doc) {
		json_t *copy = json_deep_copy(doc);

		if (!copy) {
			rc = ASEC_ENOMEM;
			goto out;
		}
		/* the row's time is not part of the model the engine checks */
		json_object_del(copy, "lastUpdated");
		rc = policy_parse(&s->items[s->count], copy);
		json_decref(copy);
		if (rc == ASEC_ENOMEM)
			goto out;
		if (rc) {
			log_warn("stored policy %s (\"%s\") no longer validates and is not evaluated: %s",
				 json_string_value(json_object_get(doc, "id")), json_string_value(json_object_get(doc, "name")),
				 error_last());
			rc = ASEC_OK;
			continue;
		}
		s->count++;
	}
	*out = s;
	s = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory parsing the policies");
	if (s)
		ps_free(s);
	json_decref(all);
	return rc;
}

int policy_set_get(struct policy_set **out, struct central *c)
{
	struct policy_set *s = NULL, *old = NULL;
	int64_t generation;
	int rc;

	*out = NULL;
	if ((rc = store_policies_generation(&generation, c->pool)))
		return rc;
	pthread_mutex_lock(&ps_cache.lock);
	for (;;) {
		/* a snapshot at least as new as the store's state when asked */
		if (ps_cache.owner == c && ps_cache.current && ps_cache.current->generation >= generation) {
			s = ps_cache.current;
			atomic_fetch_add(&s->refs, 1);
			break;
		}
		if (!ps_cache.building) {
			ps_cache.building = 1;
			break;
		}
		pthread_cond_wait(&ps_cache.built, &ps_cache.lock);
	}
	pthread_mutex_unlock(&ps_cache.lock);
	if (s) {
		*out = s;
		return ASEC_OK;
	}
	rc = ps_build(&s, c, generation);
	pthread_mutex_lock(&ps_cache.lock);
	ps_cache.building = 0;
	/* another thread may have installed a newer one meanwhile: keep the newest */
	if (rc == ASEC_OK && ps_cache.owner == c &&
	    (!ps_cache.current || ps_cache.current->generation <= generation)) {
		old = ps_cache.current;
		ps_cache.current = s;
		atomic_fetch_add(&s->refs, 1);
	}
	pthread_cond_broadcast(&ps_cache.built);
	pthread_mutex_unlock(&ps_cache.lock);
	if (rc)
		return rc;
	policy_set_release(old);
	*out = s;
	return ASEC_OK;
}

size_t policy_set_count(const struct policy_set *s)
{
	return s ? s->count : 0;
}

const struct policy *policy_set_at(const struct policy_set *s, size_t i)
{
	return s && i < s->count ? s->items[i] : NULL;
}

const struct policy *policy_set_find(const struct policy_set *s, const char *id)
{
	for (size_t i = 0; s && id && i < s->count; i++)
		if (strcmp(policy_id(s->items[i]), id) == 0)
			return s->items[i];
	return NULL;
}
