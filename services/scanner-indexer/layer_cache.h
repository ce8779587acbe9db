/*
 * layer_cache.h - a layer's findings as JSON, for the per-layer cache.
 *
 * What a detector found in a layer depends only on the layer's bytes and the
 * detector's version, so it is stored under (layer digest, detector,
 * version) and an image that shares layers with one seen before never
 * downloads them again. These functions turn one detector's result, and the
 * layer's own facts (whiteouts, opaque directories, notes), into JSON and
 * back; the store keeps the JSON.
 */
#ifndef ASEC_INDEXER_LAYER_CACHE_H
#define ASEC_INDEXER_LAYER_CACHE_H

#include <jansson.h>

#include "layer.h"

json_t *layer_cache_result_to_json(const struct layer_detector_result *result);
int layer_cache_result_from_json(struct layer_detector_result *out, const struct detector *detector, const json_t *json);

json_t *layer_cache_facts_to_json(const struct layer_result *layer);
int layer_cache_facts_from_json(struct layer_result *out, const json_t *json);

#endif
