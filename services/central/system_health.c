/*
 * system_health.c - SystemService's health: what the portal shows about the
 * installation's parts (central, Central DB, the scanner indexer and
 * matcher, Scanner DB, the age of the vulnerability data).
 *
 * Two ideas:
 *
 *  - A dependency being down is the answer, not a failure: this handler
 *    answers 200 whatever it finds (only running out of memory is a 500),
 *    so that the page that explains an outage still loads during it.
 *  - The checks run in parallel, one thread each, every one bounded (the
 *    scanners' probe by IMAGE_SCANNER_PROBE_TIMEOUT_MS, Central DB by
 *    db_ping()'s DB_PING_TIMEOUT_MS), and are joined: a slow part costs its
 *    own timeout, not the sum of all. Central DB's is the longest: a dead
 *    pooled connection is reopened first (the pool's connect timeout), so
 *    a database host that drops packets makes this call take up to about
 *    nine seconds; the scanners' probes never take more than two. Threads are joined rather than
 *    abandoned so that none outlives the scanner or the pool it uses.
 *
 * Scanner DB is not reached directly (central has no credentials for it):
 * the indexer's and the matcher's readiness report it as "scannerDb", and
 * that is what is shown.
 */
#include "central.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error/error.h"

/* Older vulnerability data than this makes the installation DEGRADED. */
#define HEALTH_VULN_DATA_MAX_AGE_S (7L * 24 * 3600)

enum health_status { H_HEALTHY, H_DEGRADED, H_UNHEALTHY, H_UNKNOWN };
static const char *const health_words[] = {"HEALTHY", "DEGRADED", "UNHEALTHY", "UNKNOWN"};

/* What one check found. */
struct health_probe {
	struct central *c;
	enum image_scanner_service service;
	const char *path;
	enum health_status status;
	double latency_ms;
	char detail[512];
	json_t *answer;          /* a 2xx JSON answer, else NULL */
	char scanner_db[32];     /* readiness: what it says of Scanner DB, "" = nothing */
	void *(*run)(void *arg);
};

static double health_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void *health_db_run(void *arg)
{
	struct health_probe *p = arg;
	double t0 = health_mono_ms();

	if (db_ping(p->c->pool)) {
		p->status = H_UNHEALTHY;
		snprintf(p->detail, sizeof(p->detail), "unreachable: %s", error_last());
	} else {
		p->status = H_HEALTHY;
	}
	p->latency_ms = health_mono_ms() - t0;
	return NULL;
}

/* The "scannerDb" word in a readiness answer: the checks of a 200, or the
 * checks that a 503 problem's detail ends with. */
static void health_scanner_db(char *out, size_t size, const json_t *answer, const char *body)
{
	const char *v = json_string_value(json_object_get(json_object_get(answer, "checks"), "scannerDb"));
	json_t *problem = NULL;
	const char *detail, *at;

	out[0] = '\0';
	if (v) {
		snprintf(out, size, "%s", v);
		return;
	}
	if (!body || !(problem = json_loads(body, 0, NULL)))
		return;
	detail = json_string_value(json_object_get(problem, "detail"));
	if (detail && (at = strstr(detail, "\"scannerDb\":\""))) {
		size_t n = strcspn(at + 13, "\"");
		snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), at + 13);
	}
	json_decref(problem);
}

static void *health_scanner_run(void *arg)
{
	struct health_probe *p = arg;
	struct httpclient_response resp = {0};
	double t0 = health_mono_ms();
	int rc = image_scanner_probe(&resp, p->c->scanner, p->service, p->path);

	p->latency_ms = health_mono_ms() - t0;
	if (rc) {
		p->status = H_UNHEALTHY;
		snprintf(p->detail, sizeof(p->detail), "unreachable: %s", error_last());
		goto out;
	}
	if (resp.status >= 200 && resp.status < 300 && resp.body)
		p->answer = json_loadb(resp.body, resp.body_len, 0, NULL);
	health_scanner_db(p->scanner_db, sizeof(p->scanner_db), p->answer, resp.status >= 300 ? resp.body : NULL);
	if (resp.status == 200 && json_is_object(p->answer)) {
		p->status = H_HEALTHY;
	} else {
		json_t *problem = resp.body ? json_loads(resp.body, 0, NULL) : NULL;
		const char *d = json_string_value(json_object_get(problem, "detail"));
		p->status = H_UNHEALTHY;
		snprintf(p->detail, sizeof(p->detail), "%s answered %ld%s%.400s", p->path, resp.status, d ? ": " : "",
			 d ? d : "");
		json_decref(problem);
	}
out:
	httpclient_response_free(&resp);
	return NULL;
}

/* RFC 3339 UTC ("2024-03-01T10:00:00Z", fractions allowed) to Unix seconds;
 * -1 when it is not one. */
static int64_t health_time_parse(const char *s)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (strcmp(s, "Z") && strcmp(s, "z") && strcmp(s, "+00:00"))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* Seconds since this process started (Linux /proc), -1 when unknown. */
static int64_t health_uptime_s(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	double up = 0;
	long tick = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	if (!(f = fopen("/proc/self/stat", "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name may hold spaces and parentheses: fields follow the last ')' */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return -1;
	if (!(f = fopen("/proc/uptime", "r")))
		return -1;
	if (fscanf(f, "%lf", &up) != 1)
		up = -1;
	fclose(f);
	if (up < 0 || tick <= 0 || up < (double)start / (double)tick)
		return -1;
	return (int64_t)(up - (double)start / (double)tick);
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 when there is none. */
static size_t health_utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/*
 * A detail as a JSON string. Details are other programs' words cut to fit
 * (a scanner's problem detail, an error message), so a cut may fall inside
 * a multi-byte character, and jansson refuses text that is not UTF-8: a
 * byte that starts no whole character becomes '?', rather than the page
 * failing with a 500 at the very moment it has something to explain.
 */
static json_t *health_text(const char *text)
{
	size_t len = strlen(text), at = 0, n;
	char *clean;
	json_t *out = json_stringn(text, len);

	if (out || !(clean = malloc(len + 1)))
		return out;
	memcpy(clean, text, len + 1);
	while (at < len) {
		if ((n = health_utf8_len((const unsigned char *)clean + at)) == 0) {
			clean[at] = '?';
			n = 1;
		}
		at += n;
	}
	out = json_stringn(clean, len);
	free(clean);
	return out;
}

static json_t *health_component(const char *name, const char *title, enum health_status status, const char *detail,
				const char *checked_at)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "title", title, "status", health_words[status],
			      "checkedAt", checked_at);

	if (o && detail && detail[0] && json_object_set_new(o, "detail", health_text(detail))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int health_add(json_t *list, json_t *o)
{
	return !o || json_array_append_new(list, o) ? ASEC_ENOMEM : ASEC_OK;
}

/* Adds latencyMs to o; o is NULL afterwards when that failed (health_add()
 * then reports it). */
static json_t *health_with_latency(json_t *o, double ms)
{
	if (o && json_object_set_new(o, "latencyMs", json_real(ms < 0 ? 0 : (double)(int64_t)(ms * 10) / 10))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* Scanner DB as the two scanners report it. */
static json_t *health_scanner_db_component(const struct health_probe *ix, const struct health_probe *mx,
					   const char *checked_at)
{
	char detail[160];
	enum health_status st;
	int known = ix->scanner_db[0] || mx->scanner_db[0];
	int down = (ix->scanner_db[0] && strcmp(ix->scanner_db, "ok")) || (mx->scanner_db[0] && strcmp(mx->scanner_db, "ok"));

	snprintf(detail, sizeof(detail), "as the indexer sees it: %s; as the matcher sees it: %s",
		 ix->scanner_db[0] ? ix->scanner_db : "unknown", mx->scanner_db[0] ? mx->scanner_db : "unknown");
	st = !known ? H_UNKNOWN : down ? H_UNHEALTHY : (ix->scanner_db[0] && mx->scanner_db[0]) ? H_HEALTHY : H_DEGRADED;
	return health_component("scannerDb", "Scanner DB", st, detail, checked_at);
}

static json_t *health_vuln_data_component(const struct health_probe *meta, time_t now, const char *checked_at)
{
	const char *updated = json_string_value(json_object_get(meta->answer, "lastVulnerabilityUpdate"));
	int64_t t = health_time_parse(updated), age;
	char detail[160];
	json_t *o;

	if (meta->status != H_HEALTHY || !updated) {
		snprintf(detail, sizeof(detail), "the matcher's metadata cannot be read: %.100s",
			 meta->detail[0] ? meta->detail : "no lastVulnerabilityUpdate");
		return health_component("vulnerabilityData", "Vulnerability data", H_UNKNOWN, detail, checked_at);
	}
	if (!updated[0] || t < 0) {
		o = health_component("vulnerabilityData", "Vulnerability data", H_DEGRADED,
				     updated[0] ? "the matcher's data time cannot be read" : "the matcher has no vulnerability data",
				     checked_at);
		if (o && json_object_set_new(o, "updatedAt", json_string(updated))) {
			json_decref(o);
			o = NULL;
		}
		return o;
	}
	age = (int64_t)now - t;
	if (age < 0)
		age = 0;
	/* the age itself is in ageSeconds: people see it in their own time
	 * zone and words, so the detail only states the rule */
	o = health_component("vulnerabilityData", "Vulnerability data",
			     age > HEALTH_VULN_DATA_MAX_AGE_S ? H_DEGRADED : H_HEALTHY,
			     age > HEALTH_VULN_DATA_MAX_AGE_S ? "older than 7 days: update the vulnerability data"
							      : "updated within the last 7 days",
			     checked_at);
	if (o && (json_object_set_new(o, "updatedAt", json_string(updated)) ||
		  json_object_set_new(o, "ageSeconds", json_integer(age)))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

int central_handle_getSystemHealth(struct http_exchange *ex, const struct central_getSystemHealth_params *params,
				   json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct health_probe probes[4] = {
		{.c = c, .run = health_db_run},
		{.c = c, .service = IMAGE_SCANNER_INDEXER, .path = "/readyz", .run = health_scanner_run},
		{.c = c, .service = IMAGE_SCANNER_MATCHER, .path = "/readyz", .run = health_scanner_run},
		{.c = c, .service = IMAGE_SCANNER_MATCHER, .path = "/v4/metadata", .run = health_scanner_run},
	};
	struct health_probe *db = &probes[0], *ix = &probes[1], *mx = &probes[2], *meta = &probes[3];
	pthread_t threads[4];
	int started[4] = {0};
	json_t *list = NULL, *o, *answer = NULL;
	enum health_status overall = H_HEALTHY;
	char checked_at[40];
	time_t now;
	int64_t uptime;
	int rc = ASEC_ENOMEM;

	(void)params;
	(void)body;
	for (int i = 0; i < 4; i++) {
		probes[i].status = H_UNKNOWN;
		/* a check without a thread runs here: slower, still an answer */
		if (pthread_create(&threads[i], NULL, probes[i].run, &probes[i]) == 0)
			started[i] = 1;
		else
			probes[i].run(&probes[i]);
	}
	for (int i = 0; i < 4; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	now = time(NULL);
	central_time_format(checked_at, sizeof(checked_at), (int64_t)now);

	if (!(list = json_array()))
		goto out;
	o = health_component("central", "Central", H_HEALTHY, NULL, checked_at);
	if (o && json_object_set_new(o, "version", json_string(ASEC_VERSION))) {
		json_decref(o);
		o = NULL;
	}
	if (o && (uptime = health_uptime_s()) >= 0 && json_object_set_new(o, "uptimeSeconds", json_integer(uptime))) {
		json_decref(o);
		o = NULL;
	}
	if (health_add(list, o))
		goto out;
	o = health_component("centralDb", "Central DB", db->status, db->detail, checked_at);
	if (health_add(list, health_with_latency(o, db->latency_ms)))
		goto out;
	o = health_component("scannerIndexer", "Scanner indexer", ix->status, ix->detail, checked_at);
	if (health_add(list, health_with_latency(o, ix->latency_ms)))
		goto out;
	o = health_component("scannerMatcher", "Scanner matcher", mx->status, mx->detail, checked_at);
	if (health_add(list, health_with_latency(o, mx->latency_ms)))
		goto out;
	if (health_add(list, health_scanner_db_component(ix, mx, checked_at)) ||
	    health_add(list, health_vuln_data_component(meta, now, checked_at)))
		goto out;
	{
		size_t i;
		json_array_foreach(list, i, o)
			if (strcmp(json_string_value(json_object_get(o, "status")), "HEALTHY"))
				overall = H_DEGRADED;
	}
	if (db->status != H_HEALTHY)
		overall = H_UNHEALTHY;
	if (!(answer = json_pack("{s:s, s:s, s:O}", "status", health_words[overall], "checkedAt", checked_at,
				 "components", list)))
		goto out;
	rc = ASEC_OK;
out:
	for (int i = 0; i < 4; i++)
		json_decref(probes[i].answer);
	json_decref(list);
	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, answer);
}
