/*
 * report.h - from per-layer findings to one image's index report contents.
 *
 * Layers are applied bottom to top, the way a container runtime stacks them:
 *
 *   - a layer's whiteouts delete paths of the layers below it (".wh.x"
 *     deletes x and everything under it; an opaque directory hides all that
 *     lower layers put in it), and packages whose database went with them go
 *     too;
 *   - a package database file that a layer (re)writes replaces that file's
 *     packages from lower layers as a whole - dpkg status, rpmdb, apk
 *     installed and a language manifest each describe a complete set;
 *   - a package keeps the layer that first brought it (introducedIn) for as
 *     long as each rewrite of its database still lists the same name,
 *     version and architecture.
 *
 * The distribution is the best-ranked os-release (or marker file) still
 * present in the final file system.
 */
#ifndef ASEC_INDEXER_REPORT_H
#define ASEC_INDEXER_REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "layer.h"

/* Builds the IndexReport "contents" object ({packages, distributions,
 * repositories, environments}) and appends layer and detector notes to the
 * notes array. layers[i] is the result for the layer whose digest is
 * digests[i], bottom layer first. */
int report_assemble(json_t **contents, json_t *notes, const char *const *digests, const struct layer_result *layers,
		    size_t layer_count);

#endif
