/*
 * scanner_indexer.h - what the indexer's resource files share: the service
 * state that main.c builds and the handlers reach through the server.
 */
#ifndef ASEC_SCANNER_INDEXER_H
#define ASEC_SCANNER_INDEXER_H

#include "db/db.h"
#include "indexer.h"
#include "scanner_indexer_api.h"
#include "store_index.h"

struct indexer_service {
	struct db_pool *pool;
	struct indexer *indexer;
};

#endif
