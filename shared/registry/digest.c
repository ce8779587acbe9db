/*
 * digest.c - content digests ("sha256:<hex>"), checked and computed with
 * GnuTLS.
 *
 * Only sha256 and sha512 are accepted, written in lower-case hex of exactly
 * their length, as the OCI image spec registers them. Refusing everything
 * else (upper case, other algorithms, short hashes) keeps one spelling per
 * content: two spellings of one digest would let a registry make a cached
 * result look unrelated to the bytes it came from.
 */
#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "registry/registry_int.h"

struct dg_algorithm {
	const char *name;
	gnutls_digest_algorithm_t gnutls;
	unsigned hex_len;
};

static const struct dg_algorithm dg_algorithms[] = {
	{ "sha256", GNUTLS_DIG_SHA256, 64 },
	{ "sha512", GNUTLS_DIG_SHA512, 128 },
};

static const struct dg_algorithm *dg_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(dg_algorithms) / sizeof(dg_algorithms[0]); i++)
		if (strlen(dg_algorithms[i].name) == len && memcmp(dg_algorithms[i].name, name, len) == 0)
			return &dg_algorithms[i];
	return NULL;
}

/* The algorithm of a well-formed digest, or NULL with the error set. */
static const struct dg_algorithm *dg_parse(const char *digest)
{
	const struct dg_algorithm *a;
	const char *colon;
	size_t hex_len;

	if (!digest || !digest[0]) {
		error_set("digest is empty");
		return NULL;
	}
	colon = strchr(digest, ':');
	if (!colon) {
		error_set("digest has no algorithm (expected sha256:<64 hex digits>)");
		return NULL;
	}
	a = dg_find(digest, (size_t)(colon - digest));
	if (!a) {
		error_set("digest algorithm is not sha256 or sha512");
		return NULL;
	}
	hex_len = strnlen(colon + 1, a->hex_len + 1);
	if (hex_len != a->hex_len) {
		error_set("%s digest must have %u hex digits", a->name, a->hex_len);
		return NULL;
	}
	for (size_t i = 0; i < hex_len; i++) {
		char c = colon[1 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			error_set("%s digest must be lower-case hex", a->name);
			return NULL;
		}
	}
	return a;
}

int registry_digest_check(const char *digest)
{
	return dg_parse(digest) ? ASEC_OK : ASEC_EINVALID;
}

static void dg_hex(char *out, const unsigned char *bin, unsigned len)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < len; i++) {
		out[2 * i] = hex[bin[i] >> 4];
		out[2 * i + 1] = hex[bin[i] & 15];
	}
	out[2 * len] = '\0';
}

int reg_hasher_init(struct reg_hasher *h, const char *digest)
{
	const struct dg_algorithm *a = dg_parse(digest);

	memset(h, 0, sizeof(*h));
	if (!a)
		return ASEC_EINVALID;
	if (gnutls_hash_init(&h->handle, a->gnutls) < 0) {
		h->handle = NULL;
		error_set("cannot start a %s hash", a->name);
		return ASEC_ERROR;
	}
	h->algorithm = a->name;
	h->hash_len = a->hex_len / 2;
	return ASEC_OK;
}

int reg_hasher_update(struct reg_hasher *h, const void *data, size_t len)
{
	if (len == 0)
		return ASEC_OK;
	if (gnutls_hash(h->handle, data, len) < 0) {
		error_set("%s hash failed", h->algorithm);
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

void reg_hasher_finish(struct reg_hasher *h, char out[REGISTRY_DIGEST_BUF])
{
	unsigned char bin[64];
	size_t prefix = strlen(h->algorithm);

	gnutls_hash_deinit(h->handle, bin);
	h->handle = NULL;
	memcpy(out, h->algorithm, prefix);
	out[prefix] = ':';
	dg_hex(out + prefix + 1, bin, h->hash_len);
}

void reg_hasher_abort(struct reg_hasher *h)
{
	if (h->handle)
		gnutls_hash_deinit(h->handle, NULL);
	h->handle = NULL;
}

int registry_digest_compute(char out[REGISTRY_DIGEST_BUF], const char *algorithm, const void *data, size_t len)
{
	const struct dg_algorithm *a = algorithm ? dg_find(algorithm, strlen(algorithm)) : NULL;
	unsigned char bin[64];

	out[0] = '\0';
	if (!a) {
		error_set("digest algorithm is not sha256 or sha512");
		return ASEC_EINVALID;
	}
	if (gnutls_hash_fast(a->gnutls, data, len, bin) < 0) {
		error_set("%s hash failed", a->name);
		return ASEC_ERROR;
	}
	snprintf(out, REGISTRY_DIGEST_BUF, "%s:", a->name);
	dg_hex(out + strlen(a->name) + 1, bin, a->hex_len / 2);
	return ASEC_OK;
}

int registry_digest_verify(const char *digest, const void *data, size_t len, const char *what)
{
	const struct dg_algorithm *a = dg_parse(digest);
	char got[REGISTRY_DIGEST_BUF];
	int rc;

	if (!a) {
		error_prefix("%s", what);
		return ASEC_EINVALID;
	}
	rc = registry_digest_compute(got, a->name, data, len);
	if (rc != ASEC_OK)
		return rc;
	if (strcmp(got, digest) != 0) {
		error_set("%s %s does not match its digest (the content hashes to %s)", what, digest, got);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}
