/*
 * cache.c - recent successful password checks, so that a client sending the
 * admin password with every request pays for yescrypt once per TTL instead
 * of on every call.
 *
 * An entry is HMAC-SHA256(a random key made with the cache, user, secret):
 * the cache never holds the secret, and what it holds cannot be brute-forced
 * offline from a memory dump alone, unlike a bare SHA-256 of a human-chosen
 * password. The user name goes in length-prefixed so that ("ab", "c") and
 * ("a", "bc") are different entries.
 *
 * The entries sit in one flat array searched from end to end. The cache
 * serves a handful of credentials (the admin and a few scripts), where a
 * linear scan of a few cache lines beats hashing, and the scan compares
 * every slot in constant time so that hit and miss do not differ by where
 * the entry sits. Capacity is bounded; when full, an expired entry or else
 * the oldest one gives way. Entries are not refreshed on a hit: a TTL that
 * could be extended forever would outlive a password change that someone
 * forgot to pair with auth_cache_clear().
 */
#include "auth/auth_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"

int auth_cache_new(struct auth_cache **out, size_t capacity, unsigned ttl_seconds)
{
	struct auth_cache *cache;

	*out = NULL;
	if (capacity == 0 || capacity > AUTH_CACHE_CAPACITY_MAX || ttl_seconds == 0) {
		error_set("an auth cache needs 1 to %d entries and a TTL above 0 s",
			  AUTH_CACHE_CAPACITY_MAX);
		return ASEC_EINVALID;
	}
	cache = calloc(1, sizeof(*cache) + capacity * sizeof(cache->entries[0]));
	if (cache == NULL) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, cache->key, sizeof(cache->key)) != 0) {
		free(cache);
		error_set("the random generator failed");
		return ASEC_ERROR;
	}
	if (pthread_mutex_init(&cache->lock, NULL) != 0) {
		free(cache);
		error_set("creating the auth cache lock failed");
		return ASEC_ERROR;
	}
	cache->capacity = capacity;
	cache->ttl = ttl_seconds;
	*out = cache;
	return ASEC_OK;
}

void auth_cache_free(struct auth_cache *cache)
{
	if (cache == NULL)
		return;
	pthread_mutex_destroy(&cache->lock);
	gnutls_memset(cache, 0, sizeof(*cache) + cache->capacity * sizeof(cache->entries[0]));
	free(cache);
}

static int cache_digest(unsigned char digest[AUTH_DIGEST_SIZE], const struct auth_cache *cache,
			const char *user, const char *secret)
{
	gnutls_hmac_hd_t hmac = NULL;
	size_t user_len = strlen(user);
	unsigned char prefix[8];

	for (int i = 0; i < 8; i++)
		prefix[i] = (unsigned char)((uint64_t)user_len >> (56 - 8 * i));
	if (gnutls_hmac_init(&hmac, GNUTLS_MAC_SHA256, cache->key, sizeof(cache->key)) != 0)
		return -1;
	if (gnutls_hmac(hmac, prefix, sizeof(prefix)) != 0 ||
	    gnutls_hmac(hmac, user, user_len) != 0 ||
	    gnutls_hmac(hmac, secret, strlen(secret)) != 0) {
		gnutls_hmac_deinit(hmac, NULL);
		return -1;
	}
	gnutls_hmac_deinit(hmac, digest);
	return 0;
}

static int entry_live(const struct auth_cache *cache, const struct auth_cache_entry *e, time_t now)
{
	/* A clock that went back makes entries look added in the future:
	 * treat them as expired rather than trusting them longer. */
	return e->used && now >= e->added && (uint64_t)(now - e->added) < cache->ttl;
}

/* Which slot auth_cache_add() gives up first: lowest rank, then oldest. */
static int entry_rank(const struct auth_cache *cache, const struct auth_cache_entry *e, time_t now)
{
	if (!e->used)
		return 0;
	return entry_live(cache, e, now) ? 2 : 1;
}

int auth_cache_lookup(struct auth_cache *cache, const char *user, const char *secret, time_t now)
{
	unsigned char digest[AUTH_DIGEST_SIZE];
	int hit = 0;

	if (cache == NULL || user == NULL || secret == NULL)
		return 0;
	/* The key is fixed after creation, so the HMAC needs no lock. */
	if (cache_digest(digest, cache, user, secret) != 0)
		return 0;
	pthread_mutex_lock(&cache->lock);
	for (size_t i = 0; i < cache->capacity; i++) {
		const struct auth_cache_entry *e = &cache->entries[i];
		int same = gnutls_memcmp(e->digest, digest, sizeof(digest)) == 0;
		hit |= same & entry_live(cache, e, now);
	}
	pthread_mutex_unlock(&cache->lock);
	gnutls_memset(digest, 0, sizeof(digest));
	return hit;
}

int auth_cache_add(struct auth_cache *cache, const char *user, const char *secret, time_t now)
{
	unsigned char digest[AUTH_DIGEST_SIZE];
	struct auth_cache_entry *slot = NULL;

	if (cache == NULL || user == NULL || secret == NULL) {
		error_set("auth_cache_add needs a cache, a user and a secret");
		return ASEC_EINVALID;
	}
	if (cache_digest(digest, cache, user, secret) != 0) {
		error_set("computing the auth cache HMAC failed");
		return ASEC_ERROR;
	}
	pthread_mutex_lock(&cache->lock);
	/* Preference: the same credential, then an unused slot, then an
	 * expired entry, then the oldest. */
	for (size_t i = 0; i < cache->capacity; i++) {
		struct auth_cache_entry *e = &cache->entries[i];
		if (e->used && memcmp(e->digest, digest, sizeof(digest)) == 0) {
			slot = e;
			break;
		}
		if (slot == NULL || entry_rank(cache, e, now) < entry_rank(cache, slot, now) ||
		    (entry_rank(cache, e, now) == entry_rank(cache, slot, now) && e->added < slot->added))
			slot = e;
	}
	if (!slot->used)
		cache->count++;
	memcpy(slot->digest, digest, sizeof(digest));
	slot->added = now;
	slot->used = 1;
	pthread_mutex_unlock(&cache->lock);
	gnutls_memset(digest, 0, sizeof(digest));
	return ASEC_OK;
}

void auth_cache_clear(struct auth_cache *cache)
{
	if (cache == NULL)
		return;
	pthread_mutex_lock(&cache->lock);
	gnutls_memset(cache->entries, 0, cache->capacity * sizeof(cache->entries[0]));
	cache->count = 0;
	pthread_mutex_unlock(&cache->lock);
}

size_t auth_cache_count(struct auth_cache *cache)
{
	size_t n;

	if (cache == NULL)
		return 0;
	pthread_mutex_lock(&cache->lock);
	n = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return n;
}
