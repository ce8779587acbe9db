/*
 * updater.h - keeping vulnerability sources current while the matcher runs.
 *
 * Two jobs, each on a thread of its own, both stopped promptly by
 * updater_stop():
 *
 *  - Online updates. ROX_MATCHER_UPDATERS_FILE names the sources to fetch:
 *
 *      {"sources": [
 *         {"name": "osv-pypi", "url": "https://.../PyPI/all.zip"},
 *         {"name": "kev", "url": "https://.../known_exploited_vulnerabilities.json",
 *          "format": "kev", "interval": "12h"},
 *         {"name": "nvd", "url": "https://services.nvd.nist.gov/rest/json/cves/2.0",
 *          "incremental": "nvd-api"}]}
 *
 *    Each source is fetched when due (its "interval", else the default) with
 *    a conditional GET: the ETag and Last-Modified stored with the source go
 *    back as If-None-Match and If-Modified-Since, so an unchanged feed costs
 *    one 304. A 200 is imported as an upload would be, under the service's
 *    import lock, and its validators are stored for next time. A failure is
 *    logged and retried sooner than the interval (1 min, doubling up to it);
 *    one source failing never holds up another. "format", when given, is
 *    what the download must be: a feed file that starts serving something
 *    else (an error page, another feed) is refused instead of replacing
 *    good data (archives are left to the importer, member by member).
 *
 *    "incremental": "nvd-api" asks the NVD CVE API 2.0 for pages (startIndex,
 *    resultsPerPage) with a pause between them, as NVD asks of clients.
 *    The first run takes everything; later runs take only the CVEs modified
 *    since the last successful run (lastModStartDate/lastModEndDate, a window
 *    NVD allows up to 120 days; older means everything again) and merge them
 *    into the stored source: a CVE in the window replaces the stored record
 *    of the same id, a CVE NVD now marks Rejected is dropped, every other
 *    stored record stays. The end of the window is what the source's
 *    last_modified holds for such a source (its responses carry no useful
 *    validators), so the next run starts where this one ended, gap-free
 *    whatever the clocks say.
 *
 *  - Reloads. Another process can change Scanner DB under a running matcher
 *    (`scanner-matcher import`, a second replica's updater). Every
 *    ROX_MATCHER_RELOAD_INTERVAL the stored version (updated_at, to the
 *    microsecond) of every source is compared with the one this process
 *    holds, and only the sources that changed are rebuilt from the store
 *    and swapped into the index, sharing the untouched partitions.
 *
 * Every change to the index happens under the service's import lock, so an
 * update, a reload and an upload never undo one another's swap.
 */
#ifndef ASEC_UPDATER_H
#define ASEC_UPDATER_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

struct db_pool;
struct vulndata_holder;
struct updater;

/* Bounds of the sources file. */
#define UPDATER_MAX_SOURCES 64
#define UPDATER_MAX_FILE_BYTES (1024 * 1024)
#define UPDATER_MAX_URL 4096
#define UPDATER_MIN_INTERVAL_MS (60LL * 1000)
#define UPDATER_MAX_INTERVAL_MS (30LL * 24 * 3600 * 1000)
/* The largest window NVD's API accepts for lastModStartDate..EndDate. */
#define UPDATER_NVD_MAX_WINDOW_S (120LL * 24 * 3600)

struct updater_options {
	/* The sources: a file (ROX_MATCHER_UPDATERS_FILE) or, when that is NULL
	 * or "", the same JSON as text; neither = no online updates. */
	const char *sources_file;
	const char *sources_json;
	long long interval_ms;        /* a source's default interval (ROX_MATCHER_UPDATE_INTERVAL) */
	long long reload_interval_ms; /* ROX_MATCHER_RELOAD_INTERVAL; 0 = never look */
	const char *proxy;            /* ROX_MATCHER_UPDATE_PROXY; NULL or "" = the environment's */
	const char *ca_file;          /* ROX_MATCHER_UPDATE_CA: PEM trusted besides the system's */
	const char *nvd_api_key;      /* sent as apiKey to NVD; NULL or "" = none */

	/* Tuning, for tests above all; 0 = the default in brackets. */
	long long nvd_page_delay_ms; /* pause between NVD pages [6 s, 0.6 s with a key] */
	int nvd_page_size;           /* resultsPerPage [2000, NVD's maximum] */
	long long retry_min_ms;      /* first retry after a failure [1 min] */
	long stall_timeout_s;        /* a download with no byte for this long fails [60 s] */
	int http_attempts;           /* tries per request, transport errors and 5xx [3] */
};

/* Reads and checks the sources (every problem of the file is an error that
 * names it: unknown keys, bad names, a URL that is not http(s), duplicate
 * names, bad intervals) and records the version of every stored source, so
 * that pool and holder must be those of the service and the call must come
 * BEFORE the service loads the store (import_load_store): a source changed
 * between the two is then reloaded once rather than missed. pool may be
 * NULL (tests: no store, the validators kept in memory, no merge for an
 * incremental source). import_lock is the service's. Nothing runs yet. */
int updater_new(struct updater **out, const struct updater_options *opts, struct db_pool *pool,
		struct vulndata_holder *holder, pthread_mutex_t *import_lock);

/* Starts the threads: the update thread when there are sources, the reload
 * thread when there is a store and a reload interval. */
int updater_start(struct updater *u);

/* Stops the threads and waits for them: a pause ends at once, a download
 * at its next received bytes (a server that sends nothing at all holds it
 * up to stall_timeout_s). Safe to call twice or without a start. */
void updater_stop(struct updater *u);

/* Stops, then frees. NULL is allowed. */
void updater_free(struct updater *u);

size_t updater_source_count(const struct updater *u);

/* What one update of one source did. */
enum updater_result {
	UPDATER_IMPORTED = 1,     /* new data is stored and serving */
	UPDATER_NOT_MODIFIED = 2, /* 304, or an NVD window without a change */
};

struct updater_outcome {
	enum updater_result result;
	long http_status;   /* of the last response */
	size_t records;     /* the source's records after an import */
	size_t requests;    /* HTTP requests made (NVD: pages) */
	int incremental;    /* an NVD window rather than everything */
};

/* Updates the named source now, in the calling thread, whether due or not
 * (the update thread does the same when a source is due). Returns ASEC_OK
 * with *out filled, ASEC_ENOTFOUND for an unknown name, or the failure
 * (error_last() says what: an HTTP status, a transport error, a feed that
 * did not import). Not to be called for a source while the update thread
 * runs. */
int updater_update(struct updater_outcome *out, struct updater *u, const char *name);

/* Rebuilds the sources whose stored version differs from the one this
 * process holds; *reloaded gets how many (the reload thread's job, callable
 * directly). Needs a store. A source that cannot be rebuilt (damaged, out
 * of memory) does not keep the others back: they are swapped in, and the
 * failure is returned afterwards; that source is tried again next time. */
int updater_reload(size_t *reloaded, struct updater *u);

/* Tells the updater that this process itself just imported the sources of
 * an import_commit() result (an upload, the initial data), so that the next
 * reload does not rebuild them again. Call it holding the import lock,
 * right after import_commit(). */
int updater_note_import(struct updater *u, const json_t *result);

#endif
