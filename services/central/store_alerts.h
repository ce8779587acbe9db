/*
 * store_alerts.h - Central DB's alerts: StackRox Alert objects, one per
 * (policy, lifecycle stage, entity) while the entity violates the policy,
 * with their lifecycle (ACTIVE, RESOLVED, ATTEMPTED), searchable with
 * shared/query.
 *
 * An alert's entity is an image (BUILD detection; keyed by its full name,
 * or its digest when it has none) or a deployment (keyed by
 * cluster/namespace/kind/name). A detection records its outcome for one
 * entity at once (store_alerts_record): a pair that violates again updates
 * the ACTIVE alert it already has (violations, time; firstOccurred and the
 * id stay), a new pair opens an alert, and a pair that was checked and no
 * longer violates resolves its ACTIVE alert. Pairs that were not checked
 * this time (another category, another stage) are left alone.
 *
 * All SQL of alerts lives in store_alerts.c, whose opening comment gives the
 * table, the indexes and the concurrency rules.
 *
 * Errors, for every function: ASEC_ENOTFOUND for an unknown id,
 * ASEC_EINVALID for a bad argument or document (the message says which),
 * and the database's failures as shared/db reports them (ASEC_EIO: the
 * database is unreachable, a handler answers 503).
 */
#ifndef ASEC_CENTRAL_STORE_ALERTS_H
#define ASEC_CENTRAL_STORE_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"
#include "query/query.h"
#include "store_search.h"

/* Longest entity key: four names of at most 253 bytes and their slashes, or
 * an image name (store_images' bound). */
#define STORE_ALERTS_KEY_MAX 1100
/* Most alerts one detection may record for one entity. */
#define STORE_ALERTS_RECORD_MAX 10000

/* Creates or updates the alert table (db_migrate component
 * "central-alerts"). */
int store_alerts_migrate(struct db_pool *pool);

/* The search fields of alerts (Policy, Policy ID, Severity, Category,
 * Lifecycle Stage, Violation State, Image, Deployment, Deployment ID,
 * Namespace, Cluster, Violation Time, Resource Type (DEPLOYMENT|IMAGE),
 * Enforcement), for query_parse(). list, count and group_counts search only
 * ACTIVE alerts unless the query has a Violation State term, as StackRox. */
const struct query_field *store_alerts_query_fields(size_t *count);

enum store_alert_entity {
	STORE_ALERT_IMAGE,
	STORE_ALERT_DEPLOYMENT,
};

/* The key of an image entity: name.fullName, else the id (digest).
 * ASEC_EINVALID when it has neither or it is too long. */
int store_alerts_image_key(char out[STORE_ALERTS_KEY_MAX + 1], const json_t *image);

/* The key of a deployment (shared/workload model):
 * "<clusterName>/<namespace>/<type>/<name>", clusterName "" when unknown. */
int store_alerts_deployment_key(char out[STORE_ALERTS_KEY_MAX + 1], const json_t *deployment);

/* One detection of one entity. */
struct store_alerts_detection {
	const char *lifecycle_stage; /* "BUILD", "DEPLOY" or "RUNTIME" */
	enum store_alert_entity entity;
	const char *entity_key;      /* from the functions above */
	/*
	 * The Alerts found now: StackRox Alert objects, each with policy{id,
	 * name, severity, categories[]}, lifecycleStage equal to the above,
	 * image (IMAGE) or deployment (DEPLOYMENT), violations[], optionally
	 * enforcement{action, message}. At most one per policy. On success each
	 * gets id, time, firstOccurred and state ACTIVE from the store (an
	 * existing ACTIVE alert's id and firstOccurred when there is one).
	 */
	json_t *alerts;
	/* The ids of the policies evaluated now that did not fire: their ACTIVE
	 * alerts on this entity are resolved. May be NULL. */
	const char *const *passed_policy_ids;
	size_t passed_count;
	/* "ACTIVE", or "ATTEMPTED" for a blocked admission (new alerts only). */
	const char *state;
};

/* Records d in one transaction, serialised with other detections of the
 * same entity; *resolved (may be NULL) gets how many alerts were resolved. */
int store_alerts_record(int64_t *resolved, struct db_pool *pool, struct store_alerts_detection *d);

/* The stored Alert with its current state, time, firstOccurred and
 * resolvedAt. */
int store_alerts_get(json_t **out, struct db_pool *pool, const char *id);

/* One page of ListAlert objects (id, lifecycleStage, time, policy{id, name,
 * severity, description, categories}, state, enforcementCount,
 * enforcementAction, commonEntityInfo{clusterName, namespace, clusterId,
 * namespaceId, resourceType}, and deployment or image{id, name}) matching q
 * (NULL or empty: every ACTIVE alert). Ties are broken by id, NULLs sort last; Severity sorts by
 * rank (LOW first); without a sort field, Violation Time, newest first. An
 * unknown or unsortable sort field is ASEC_EINVALID naming it. */
int store_alerts_list(json_t **out, struct db_pool *pool, const struct query *q,
		      const struct store_search_page *page);

int store_alerts_count(int64_t *out, struct db_pool *pool, const struct query *q);

enum store_alerts_group {
	STORE_ALERTS_GROUP_NONE,     /* one group "" */
	STORE_ALERTS_GROUP_CATEGORY, /* an alert counts once in each of its policy's categories */
	STORE_ALERTS_GROUP_CLUSTER,  /* the cluster name; "" for images */
};

/* {groups:[{group, counts:[{severity, count}]}]} over the alerts matching q:
 * groups by name, counts by severity rank, as StackRox orders them; counts
 * are decimal strings (int64 in StackRox's JSON). */
int store_alerts_group_counts(json_t **out, struct db_pool *pool, const struct query *q,
			      enum store_alerts_group group);

/* Resolves alert id (ACTIVE or ATTEMPTED: state RESOLVED, resolvedAt now);
 * resolving a resolved alert changes nothing and succeeds. */
int store_alerts_resolve(struct db_pool *pool, const char *id);

/* Resolves every ACTIVE alert matching q; *out gets how many. A
 * NULL or empty query is allowed: the caller decides whether "all" is
 * meant. */
int store_alerts_resolve_query(int64_t *out, struct db_pool *pool, const struct query *q);

#endif
