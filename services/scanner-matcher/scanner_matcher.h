/*
 * scanner_matcher.h - what the matcher's resource files share: the service
 * state that main.c builds and the handlers reach through the server.
 */
#ifndef ASEC_SCANNER_MATCHER_H
#define ASEC_SCANNER_MATCHER_H

#include <pthread.h>

#include "db/db.h"
#include "httpclient/httpclient.h"
#include "importer.h"
#include "matcher.h"
#include "scanner_matcher_api.h"
#include "store_vulns.h"
#include "updater.h"
#include "vulndata.h"

struct matcher_service {
	struct db_pool *pool;
	struct vulndata_holder *data;
	/* imports run one at a time: two imports of one source must not race
	 * to be the one that wins */
	pthread_mutex_t import_lock;
	struct httpclient *indexer;  /* mutual TLS to the indexer */
	const char *indexer_url;     /* https://host:port, no trailing slash */
	struct updater *updater;     /* online updates and reloads */
};

#endif
