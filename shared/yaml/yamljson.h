/*
 * yamljson.h - YAML documents as jansson values, safely.
 *
 * YAML arrives from outside (Kubernetes manifests, Alpine secdb, RubySec
 * advisories), and YAML has features that turn a small file into a huge
 * tree: aliases that expand to aliases (the "billion laughs"), deep nesting,
 * long scalars. The converter reads with libyaml's event parser and enforces
 * limits on input size, depth, node count and alias expansion while it
 * builds the tree, so it never holds more than the limits allow.
 */
#ifndef ASEC_YAMLJSON_H
#define ASEC_YAMLJSON_H

#include <stddef.h>

#include <jansson.h>

struct yamljson_limits {
	size_t max_input_bytes;	    /* default 64 MiB */
	unsigned max_depth;	    /* default 64 */
	size_t max_nodes;	    /* default 5,000,000 (after alias expansion) */
	size_t max_scalar_bytes;    /* default 1 MiB */
	size_t max_documents;	    /* default 10,000 */
};

enum yamljson_scalars {
	/* Every scalar is a JSON string ("0", "yes", "1.10" stay as written). */
	YAMLJSON_STRINGS = 0,
	/* Plain (unquoted) scalars follow the YAML 1.2 core schema: null, true/
	 * false, integers and floats become JSON values; quoted scalars and
	 * everything else stay strings. Kubernetes reads YAML this way. */
	YAMLJSON_CORE_SCHEMA = 1,
};

/* Every document of a (multi-document) YAML stream, as a JSON array (empty
 * documents are left out). Mapping keys are always strings; a duplicate key
 * is an error, as it is for the Kubernetes API server. Returns ASEC_OK,
 * ASEC_ETOOBIG when a limit is reached, or ASEC_EINVALID with error_set()
 * naming the line and column of the problem. limits may be NULL. */
int yamljson_parse_all(json_t **out, const char *data, size_t len, enum yamljson_scalars scalars,
		       const struct yamljson_limits *limits);

/* The first document only (an empty stream gives JSON null). */
int yamljson_parse(json_t **out, const char *data, size_t len, enum yamljson_scalars scalars,
		   const struct yamljson_limits *limits);

#endif
