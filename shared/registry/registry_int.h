/*
 * registry_int.h - the registry client's internal pieces that its tests and
 * fuzz targets drive directly: the streaming hasher and the WWW-Authenticate
 * parser. Not a public API.
 */
#ifndef ASEC_INDEXER_REGISTRY_INT_H
#define ASEC_INDEXER_REGISTRY_INT_H

#include <stddef.h>

#include <gnutls/crypto.h>

#include "registry/registry.h"

/* ---- digests (digest.c) ---- */

/* A running hash for the algorithm a digest names. */
struct reg_hasher {
	gnutls_hash_hd_t handle;
	const char *algorithm; /* "sha256" or "sha512" */
	unsigned hash_len;     /* bytes */
};

/* Starts hashing for the algorithm of digest ("sha256:..." or "sha512:..."). */
int reg_hasher_init(struct reg_hasher *h, const char *digest);
int reg_hasher_update(struct reg_hasher *h, const void *data, size_t len);
/* Writes "<algorithm>:<hex>" and releases the hasher. */
void reg_hasher_finish(struct reg_hasher *h, char out[REGISTRY_DIGEST_BUF]);
/* Releases a hasher without a result (any state, also a zeroed one). */
void reg_hasher_abort(struct reg_hasher *h);

/* ---- WWW-Authenticate (challenge.c) ---- */

/* Bounds on one challenge header, and on all of a response's together. */
#define REG_CHALLENGE_HEADER_MAX 8192
#define REG_CHALLENGES_MAX 16
#define REG_CHALLENGE_PARAMS_MAX 32

struct reg_auth_param {
	char *name;  /* lower case */
	char *value; /* unquoted, escapes resolved */
};

struct reg_challenge {
	char *scheme;   /* lower case: "bearer", "basic", ... */
	char *token68;  /* the token68 form ("Negotiate abc=="), or NULL */
	struct reg_auth_param *params;
	size_t param_count;
};

struct reg_challenges {
	struct reg_challenge *items;
	size_t count;
};

/* Parses one WWW-Authenticate field value (RFC 9110 section 11: a list of
 * challenges, each a scheme then either a token68 or auth-params whose values
 * are tokens or quoted strings with backslash escapes) and appends its
 * challenges to out. Empty list elements are allowed; duplicate parameter
 * names within a challenge, control characters, unterminated quotes and
 * anything over the bounds are ASEC_EINVALID, with out left as it was. */
int reg_challenges_parse(struct reg_challenges *out, const char *value, size_t len);

void reg_challenges_free(struct reg_challenges *c);

/* The first challenge with this scheme (any case), or NULL. */
const struct reg_challenge *reg_challenges_find(const struct reg_challenges *c, const char *scheme);

/* The value of a parameter (name in any case), or NULL. */
const char *reg_challenge_param(const struct reg_challenge *c, const char *name);

#endif
