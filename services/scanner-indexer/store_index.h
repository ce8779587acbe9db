/*
 * store_index.h - the indexer's tables in Scanner DB. All of the indexer's
 * SQL lives in store_index.c.
 *
 *   index_reports   one report per hash id, with the manifest digest and the
 *                   fingerprint of the detector set that produced it
 *   layer_results   what one detector (at one version) found in one layer
 *   layer_facts     what a layer deletes from the layers below (whiteouts)
 */
#ifndef ASEC_INDEXER_STORE_H
#define ASEC_INDEXER_STORE_H

#include <jansson.h>

#include "db/db.h"
#include "layer.h"

int store_index_migrate(struct db_pool *pool);

/* ASEC_ENOTFOUND when there is none. *fingerprint is malloc'd. */
int store_index_report_get(json_t **report, char **fingerprint, struct db_pool *pool, const char *hash_id);
int store_index_report_exists(int *exists, struct db_pool *pool, const char *hash_id);
int store_index_report_put(struct db_pool *pool, const char *hash_id, const char *manifest_digest,
			   const char *fingerprint, const json_t *report);

/* Loads what is cached for a layer: out->results gets one slot per detector
 * (in the given order); cached[i] says whether slot i was filled from the
 * store. *have_facts says whether the layer's whiteouts are known. */
int store_index_layer_load(struct layer_result *out, int *cached, int *have_facts, struct db_pool *pool,
			   const char *digest, const struct detector *const *detectors, size_t count);
/* Saves a freshly scanned layer's results and facts. */
int store_index_layer_save(struct db_pool *pool, const char *digest, const struct layer_result *layer);

#endif
