/*
 * store_policies.h - Central DB's policies and policy categories.
 *
 * A policy is kept whole, as the JSON StackRox's model gives it (the
 * document policy_json() of shared/policy returns after validation), with
 * the members lists and searches need copied into columns: name (unique
 * ignoring case), severity, stages, categories, disabled, whether it
 * enforces, whether it is a default. The store never validates a policy -
 * the handlers do, with shared/policy - it only keeps the columns true to
 * the document and the names unique.
 *
 * Categories are rows of their own (id, name unique ignoring case,
 * is_default); storing a policy creates the categories it names that do not
 * exist yet, as StackRox does.
 *
 * The default policies central ships are recorded per id once loaded
 * (store_policies_defaults_apply), with the text they were loaded as, so
 * that a later release adds the new ones, refreshes those the user never
 * changed, and never undoes a user's change or brings back one the user
 * removed.
 *
 * All SQL of policies lives in store_policies.c; their migration component
 * is "central-policies".
 *
 * Errors, for every function: ASEC_ENOTFOUND for an unknown id, ASEC_EEXISTS
 * for a name or id taken (the message says which), ASEC_EINVALID for a bad
 * argument or a refused change (the message says why), ASEC_ECONFLICT for a
 * category still in use, and the database's failures as shared/db reports
 * them (ASEC_EIO: unreachable, a handler answers 503).
 */
#ifndef ASEC_CENTRAL_STORE_POLICIES_H
#define ASEC_CENTRAL_STORE_POLICIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"
#include "query/query.h"
#include "store_search.h"

/* Longest policy document stored, in bytes of compact JSON. */
#define STORE_POLICY_MAX_BYTES (256u * 1024)

/* Creates or updates the policy tables (db_migrate component "central-policies"). */
int store_policies_migrate(struct db_pool *pool);

/* The search fields of policies (Policy, Policy ID, Description, Category,
 * Lifecycle Stage, Severity, Enforcement, Disabled, Default, Event Source),
 * for query_parse(). */
const struct query_field *store_policies_query_fields(size_t *count);

enum store_policy_write {
	STORE_POLICY_CREATE,    /* a new id: its id or name taken is ASEC_EEXISTS */
	STORE_POLICY_REPLACE,   /* an existing id (ASEC_ENOTFOUND); another's name is ASEC_EEXISTS */
	STORE_POLICY_OVERWRITE, /* import with overwrite: replaces the id, deletes another of that name;
				 * a default policy is neither replaced nor deleted (ASEC_EEXISTS) */
};

/* Which uniqueness a write ran into. */
enum store_policy_conflict {
	STORE_POLICY_CONFLICT_NONE,
	STORE_POLICY_CONFLICT_ID,
	STORE_POLICY_CONFLICT_NAME,
};

/*
 * Stores policy (a validated Policy with "id", "name" and "severity" set)
 * as how says, in one transaction with the categories it names. The
 * columns come from the document; "lastUpdated" and the SORT* members are
 * not stored (lastUpdated is the row's time). *conflict (may be NULL) says
 * which uniqueness an ASEC_EEXISTS ran into. A document over
 * STORE_POLICY_MAX_BYTES is ASEC_ETOOBIG.
 */
int store_policies_put(enum store_policy_conflict *conflict, struct db_pool *pool, const json_t *policy,
		       enum store_policy_write how);

/* The stored policy id, its "lastUpdated" filled in. */
int store_policies_get(json_t **out, struct db_pool *pool, const char *id);

/* Every stored policy, whole, in name order (for the detector's cache and
 * the dry run). */
int store_policies_all(json_t **out, struct db_pool *pool);

/* One page of ListPolicy objects (openapi/central.yaml) matching q (NULL or
 * empty: all). Sort fields: Policy (the default), Severity, Lifecycle Stage,
 * Disabled, Policy Last Updated; an unknown one is ASEC_EINVALID naming the
 * sortable ones. */
int store_policies_list(json_t **out, struct db_pool *pool, const struct query *q,
			const struct store_search_page *page);

/* Sets the policy's disabled (the column and the document). */
int store_policies_set_disabled(struct db_pool *pool, const char *id, int disabled);

/* Deletes a policy; a default policy is ASEC_EINVALID (StackRox refuses too). */
int store_policies_delete(struct db_pool *pool, const char *id);

/* A serial number that grows with every change of the policies (any
 * replica's), for caches: equal numbers mean nothing changed. */
int store_policies_generation(int64_t *out, struct db_pool *pool);

/* ---- categories: {id, name, isDefault} objects ---- */

int store_policy_categories_list(json_t **out, struct db_pool *pool);
int store_policy_categories_get(json_t **out, struct db_pool *pool, const char *id);

/* A new category named name (trimmed, 1..128 bytes); ASEC_EEXISTS when the
 * name is taken ignoring case. */
int store_policy_categories_create(json_t **out, struct db_pool *pool, const char *name);

/* Renames a category and every policy's mention of it, in one transaction.
 * A default category is ASEC_EINVALID. */
int store_policy_categories_rename(json_t **out, struct db_pool *pool, const char *id, const char *name);

/* Deletes a category: a default one is ASEC_EINVALID, one that policies
 * still name ASEC_ECONFLICT (the message counts them). */
int store_policy_categories_delete(struct db_pool *pool, const char *id);

/* ---- the default policies ---- */

struct store_policies_defaults_result {
	size_t added;     /* stored for the first time */
	size_t refreshed; /* replaced by a newer text, the user never having changed them */
	size_t kept;      /* changed by the user (or removed): left as they are */
};

/*
 * Makes the store hold the default policies of this build: policies[i]
 * (validated, "isDefault" and "criteriaLocked" set) as the text it is to be
 * stored with. When version (a digest of the whole set) is the one recorded
 * last, nothing is read or written. Otherwise, under a lock that makes
 * replicas starting together do it once, each policy whose id was never
 * loaded is added (unless a policy of the user has its name: then it is
 * recorded and counted kept), each loaded one whose stored text is still
 * what was loaded is replaced by the new text, and any other is kept. The
 * categories of the defaults become default categories.
 */
int store_policies_defaults_apply(struct store_policies_defaults_result *out, struct db_pool *pool,
				  const char *version, const json_t *const *policies, size_t count);

#endif
