/*
 * main.c - asec-seed-central: fills a Central DB with made-up images, CVE
 * findings and alerts (seed.h says how), for scripts/bench-portal and for
 * trying the portal at scale. Not part of the product.
 *
 *   asec-seed-central --db URL --images N --findings N [--alerts N]
 *                     [--seed N] [--jobs N] [--now TIME] [--quiet]
 *
 * It runs central's own migrations first, so it may run before central has
 * ever started on the database or beside a running central. Alerts use the
 * policies stored, so run it after central has loaded its default policies
 * to get alerts of real policies. The same arguments give the same data; a
 * re-run replaces the images it made before (and updates the same ACTIVE
 * alerts) instead of adding more. The dates are measured back from --now,
 * a fixed time by default, so that the documents do not depend on the day.
 * Ends with ANALYZE, as a database that has been in use has statistics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "error/error.h"
#include "seed.h"

static void usage(FILE *f)
{
	fputs("usage: asec-seed-central --db URL --images N --findings N [--alerts N] [--seed N]\n"
	      "                         [--jobs N] [--now YYYY-MM-DDTHH:MM:SSZ] [--quiet]\n"
	      "  --db URL        Central DB (PostgreSQL URL; default $ROX_CENTRAL_DB_URL)\n"
	      "  --images N      images to store (made-up scans)\n"
	      "  --findings N    CVE findings over all images (exactly)\n"
	      "  --alerts N      alerts (violations) to record (3000)\n"
	      "  --seed N        what the data is made from (1)\n"
	      "  --jobs N        threads storing at once (4)\n"
	      "  --now TIME      the time dates are measured back from (2025-06-01T12:00:00Z)\n"
	      "  --quiet         no progress on stderr\n",
	      f);
}

static int parse_count(uint64_t *out, const char *flag, const char *text, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!text || text[0] < '0' || text[0] > '9' || ((v = strtoull(text, &end, 10)), errno) || *end || v < min || v > max) {
		fprintf(stderr, "asec-seed-central: %s wants a number from %" PRIu64 " to %" PRIu64 "\n", flag, min,
			max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_time(int64_t *out_ms, const char *text)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!text || !(end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end) {
		fprintf(stderr, "asec-seed-central: --now wants YYYY-MM-DDTHH:MM:SSZ\n");
		return -1;
	}
	*out_ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = getenv("ROX_CENTRAL_DB_URL");
	uint64_t images = 0, findings = 0, alerts = 3000, seed = 1, jobs = 4;
	int64_t now_ms = 0;
	int have_images = 0, have_findings = 0, quiet = 0, rc;
	struct seed_plan *plan = NULL;
	struct db_pool *pool = NULL;
	struct seed_result res;
	struct seed_options opts;
	PGresult *pr = NULL;
	char version[64];

	parse_time(&now_ms, "2025-06-01T12:00:00Z");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--db") == 0 && v)
			url = v, i++;
		else if (strcmp(a, "--images") == 0)
			bad = parse_count(&images, a, v, 0, SEED_MAX_IMAGES), have_images = 1, i++;
		else if (strcmp(a, "--findings") == 0)
			bad = parse_count(&findings, a, v, 0, SEED_MAX_FINDINGS), have_findings = 1, i++;
		else if (strcmp(a, "--alerts") == 0)
			bad = parse_count(&alerts, a, v, 0, SEED_MAX_ALERTS), i++;
		else if (strcmp(a, "--seed") == 0)
			bad = parse_count(&seed, a, v, 0, UINT64_MAX), i++;
		else if (strcmp(a, "--jobs") == 0)
			bad = parse_count(&jobs, a, v, 1, SEED_MAX_JOBS), i++;
		else if (strcmp(a, "--now") == 0)
			bad = parse_time(&now_ms, v), i++;
		else if (strcmp(a, "--quiet") == 0)
			quiet = 1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "asec-seed-central: unknown or incomplete argument %s\n", a);
			usage(stderr);
			return 2;
		}
		if (bad)
			return 2;
	}
	if (!url || !url[0] || !have_images || !have_findings) {
		fprintf(stderr, "asec-seed-central: --db (or ROX_CENTRAL_DB_URL), --images and --findings are needed\n");
		usage(stderr);
		return 2;
	}

	snprintf(version, sizeof(version), "seed-%" PRIu64, seed);
	opts = (struct seed_options){.alerts = alerts, .jobs = (int)jobs, .progress = !quiet, .version = version};
	struct db_pool_options po = {.conninfo = url, .application_name = "asec-seed-central",
				     .max_connections = (int)jobs + 1, .acquire_timeout_ms = 60000};
	if ((rc = seed_plan_make(&plan, seed, images, findings, now_ms)) || (rc = db_pool_open(&pool, &po)) ||
	    (rc = seed_migrate(pool)) || (rc = seed_run(&res, pool, plan, &opts)))
		goto out;
	/* our own statement, but no data: the planner's statistics */
	if ((rc = db_query(&pr, pool, "ANALYZE", 0, NULL)))
		goto out;
	printf("images=%zu findings=%zu alerts=%zu image_seconds=%.1f alert_seconds=%.1f\n", res.images,
	       res.findings, res.alerts, res.image_seconds, res.alert_seconds);
out:
	if (rc)
		fprintf(stderr, "asec-seed-central: %s\n", error_last());
	PQclear(pr);
	db_pool_close(pool);
	seed_plan_free(plan);
	return rc ? 1 : 0;
}
