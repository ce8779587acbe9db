/*
 * default_policies.h - the policies central ships (one JSON file each in
 * policies/defaults/, built into the binary by cmake/embed.cmake) and their
 * loading into Central DB at start.
 *
 * A default that does not validate is a bug of the build, not of the
 * installation: central refuses to start and names the file, and
 * default_policies_test checks every file at build time so that it never
 * gets that far.
 */
#ifndef ASEC_CENTRAL_DEFAULT_POLICIES_H
#define ASEC_CENTRAL_DEFAULT_POLICIES_H

#include <stddef.h>

#include <jansson.h>

#include "db/db.h"
#include "store_policies.h"

/* What cmake/embed.cmake generates (default_policies_data.c). */
struct asec_embedded_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct asec_embedded_file central_default_policy_files[];
extern const size_t central_default_policy_files_count;

/* Longest "<digest>" default_policies_prepare() writes, with its NUL. */
#define DEFAULT_POLICIES_VERSION_LEN 40

/*
 * Parses and validates files[0..count) (shared/policy) into *policies, an
 * array of the documents to store: the policy as policy_json() normalises
 * it, "isDefault" set and "criteriaLocked" kept as the file says (StackRox's
 * defaults lock their criteria). version gets a digest of the whole set.
 * Fails with ASEC_EINVALID naming the file for a file that is not JSON, a
 * policy that does not validate, a missing id, or an id or name (ignoring
 * case) given twice.
 */
int default_policies_prepare(json_t **policies, char version[DEFAULT_POLICIES_VERSION_LEN],
			     const struct asec_embedded_file *files, size_t count);

/* Prepares the embedded defaults and has the store hold them
 * (store_policies_defaults_apply: new ones added, untouched ones refreshed,
 * the user's changes kept). Called once at start, after the migrations. */
int default_policies_load(struct store_policies_defaults_result *out, struct db_pool *pool);

#endif
