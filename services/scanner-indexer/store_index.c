/*
 * store_index.c - SQL of the indexer (see store_index.h).
 *
 * Reports and layer results are JSON documents (jsonb): they are read and
 * written whole, by key, and never queried inside, so one column beats a
 * normalised schema that would cost a join per package on every read.
 * Writes are upserts, so two replicas that index the same layer at the same
 * time both succeed and agree.
 */
#include "store_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "layer_cache.h"

static const struct db_migration indexer_migrations[] = {
	{1, "index reports and per-layer results",
	 "CREATE TABLE index_reports ("
	 "  hash_id text PRIMARY KEY,"
	 "  manifest_digest text NOT NULL,"
	 "  detectors text NOT NULL,"
	 "  report jsonb NOT NULL,"
	 "  created_at timestamptz NOT NULL DEFAULT now(),"
	 "  updated_at timestamptz NOT NULL DEFAULT now());"
	 "CREATE INDEX index_reports_manifest ON index_reports (manifest_digest);"
	 "CREATE TABLE layer_results ("
	 "  layer_digest text NOT NULL,"
	 "  detector text NOT NULL,"
	 "  detector_version integer NOT NULL,"
	 "  result jsonb NOT NULL,"
	 "  scanned_at timestamptz NOT NULL DEFAULT now(),"
	 "  PRIMARY KEY (layer_digest, detector, detector_version));"
	 "CREATE TABLE layer_facts ("
	 "  layer_digest text PRIMARY KEY,"
	 "  facts jsonb NOT NULL,"
	 "  scanned_at timestamptz NOT NULL DEFAULT now());"},
};

int store_index_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "scanner-indexer", indexer_migrations, sizeof(indexer_migrations) / sizeof(indexer_migrations[0]));
}

static int parse_json_column(json_t **out, const char *text, const char *what)
{
	json_error_t err;

	*out = json_loads(text, 0, &err);
	if (!*out) {
		error_set("stored %s is not valid JSON: %s", what, err.text);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int store_index_report_get(json_t **report, char **fingerprint, struct db_pool *pool, const char *hash_id)
{
	const char *params[] = {hash_id};
	PGresult *res = NULL;
	const char *text = NULL, *detectors = NULL;
	int rc;

	*report = NULL;
	if (fingerprint)
		*fingerprint = NULL;
	rc = db_query(&res, pool, "SELECT report::text AS report, detectors FROM index_reports WHERE hash_id = $1", 1, params);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		error_set("no index report for %s", hash_id);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if ((rc = db_get_text(&text, res, 0, "report")) || (rc = db_get_text(&detectors, res, 0, "detectors")))
		goto out;
	if ((rc = parse_json_column(report, text, "index report")))
		goto out;
	if (fingerprint && !(*fingerprint = strdup(detectors ? detectors : ""))) {
		json_decref(*report);
		*report = NULL;
		rc = ASEC_ENOMEM;
	}
out:
	PQclear(res);
	return rc;
}

int store_index_report_exists(int *exists, struct db_pool *pool, const char *hash_id)
{
	const char *params[] = {hash_id};
	PGresult *res = NULL;
	int rc = db_query(&res, pool, "SELECT 1 FROM index_reports WHERE hash_id = $1", 1, params);

	*exists = rc == ASEC_OK && PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

int store_index_report_put(struct db_pool *pool, const char *hash_id, const char *manifest_digest,
			   const char *fingerprint, const json_t *report)
{
	char *text = json_dumps(report, JSON_COMPACT);
	const char *params[] = {hash_id, manifest_digest, fingerprint, text};
	int rc;

	if (!text) {
		error_set("out of memory encoding the index report");
		return ASEC_ENOMEM;
	}
	rc = db_query(NULL, pool,
		      "INSERT INTO index_reports (hash_id, manifest_digest, detectors, report) VALUES ($1, $2, $3, $4::jsonb) "
		      "ON CONFLICT (hash_id) DO UPDATE SET manifest_digest = EXCLUDED.manifest_digest, "
		      "detectors = EXCLUDED.detectors, report = EXCLUDED.report, updated_at = now()",
		      4, params);
	free(text);
	return rc;
}

int store_index_layer_load(struct layer_result *out, int *cached, int *have_facts, struct db_pool *pool,
			   const char *digest, const struct detector *const *detectors, size_t count)
{
	const char *params[] = {digest};
	PGresult *res = NULL;
	size_t i;
	int row, rows, rc;

	memset(out, 0, sizeof(*out));
	*have_facts = 0;
	out->results = calloc(count ? count : 1, sizeof(*out->results));
	if (!out->results)
		return ASEC_ENOMEM;
	out->result_count = count;
	for (i = 0; i < count; i++) {
		cached[i] = 0;
		out->results[i].detector = detectors[i];
	}
	rc = db_query(&res, pool,
		      "SELECT detector, detector_version, result::text AS result FROM layer_results WHERE layer_digest = $1", 1,
		      params);
	if (rc)
		goto out;
	rows = PQntuples(res);
	for (row = 0; row < rows; row++) {
		const char *name = NULL, *text = NULL;
		int64_t version = 0;
		json_t *json;
		if (db_get_text(&name, res, row, "detector") || db_get_int64(&version, res, row, "detector_version") ||
		    db_get_text(&text, res, row, "result"))
			continue;
		for (i = 0; i < count; i++) {
			if (cached[i] || strcmp(detectors[i]->name, name) != 0 || detectors[i]->version != (unsigned)version)
				continue;
			if (parse_json_column(&json, text, "layer result") == ASEC_OK) {
				/* A damaged row is rescanned rather than trusted. */
				cached[i] = layer_cache_result_from_json(&out->results[i], detectors[i], json) == ASEC_OK;
				out->results[i].detector = detectors[i];
				json_decref(json);
			}
		}
	}
	PQclear(res);
	res = NULL;
	rc = db_query(&res, pool, "SELECT facts::text AS facts FROM layer_facts WHERE layer_digest = $1", 1, params);
	if (rc == ASEC_OK && PQntuples(res) > 0) {
		const char *text = NULL;
		json_t *json;
		if (db_get_text(&text, res, 0, "facts") == ASEC_OK && parse_json_column(&json, text, "layer facts") == ASEC_OK) {
			*have_facts = layer_cache_facts_from_json(out, json) == ASEC_OK;
			json_decref(json);
		}
	}
out:
	PQclear(res);
	return rc;
}

struct save_job {
	const char *digest;
	const struct layer_result *layer;
};

static int save_layer_tx(PGconn *conn, void *ctx)
{
	const struct save_job *job = ctx;
	const struct layer_result *layer = job->layer;
	json_t *facts = layer_cache_facts_to_json(layer);
	char *text = facts ? json_dumps(facts, JSON_COMPACT) : NULL;
	const char *fact_params[] = {job->digest, text};
	size_t i;
	int rc;

	json_decref(facts);
	if (!text) {
		error_set("out of memory encoding layer facts");
		return ASEC_ENOMEM;
	}
	rc = db_exec(NULL, conn,
		     "INSERT INTO layer_facts (layer_digest, facts) VALUES ($1, $2::jsonb) "
		     "ON CONFLICT (layer_digest) DO UPDATE SET facts = EXCLUDED.facts, scanned_at = now()",
		     2, fact_params);
	free(text);
	for (i = 0; rc == ASEC_OK && i < layer->result_count; i++) {
		const struct layer_detector_result *r = &layer->results[i];
		json_t *json = layer_cache_result_to_json(r);
		char version[16];
		char *result_text = json ? json_dumps(json, JSON_COMPACT) : NULL;
		const char *params[] = {job->digest, r->detector->name, version, result_text};

		json_decref(json);
		if (!result_text) {
			error_set("out of memory encoding a layer result");
			return ASEC_ENOMEM;
		}
		snprintf(version, sizeof(version), "%u", r->detector->version);
		rc = db_exec(NULL, conn,
			     "INSERT INTO layer_results (layer_digest, detector, detector_version, result) "
			     "VALUES ($1, $2, $3::integer, $4::jsonb) ON CONFLICT (layer_digest, detector, detector_version) "
			     "DO UPDATE SET result = EXCLUDED.result, scanned_at = now()",
			     4, params);
		free(result_text);
	}
	return rc;
}

int store_index_layer_save(struct db_pool *pool, const char *digest, const struct layer_result *layer)
{
	struct save_job job = {digest, layer};

	return db_transaction(pool, DB_READ_COMMITTED, save_layer_tx, &job);
}
