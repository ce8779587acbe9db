/*
 * seed.h - realistic, made-up contents for Central DB: scanned images with
 * their components and CVE findings, and the alerts (violations) of policies
 * on them, for benchmarks (scripts/bench-portal) and for trying the portal
 * at scale. Not part of the product.
 *
 * Two ideas:
 *
 *   - Everything is a pure function of (seed, index). Image i is made from
 *     a generator seeded with (seed, i) alone, so the same seed gives the
 *     same documents byte for byte whatever the number of threads or the
 *     order they run in, and a re-run replaces the same images (same
 *     digests) instead of adding others. Only the number of findings per
 *     image is decided globally (a plan), so that the total is exactly what
 *     was asked for.
 *
 *   - The data goes in through the store's own functions (store_images_put,
 *     store_alerts_record), never through SQL of our own, so that every
 *     derived table (names, components, findings, first sightings, alert
 *     columns) is exactly what central would have written for a real scan.
 */
#ifndef ASEC_SEED_CENTRAL_SEED_H
#define ASEC_SEED_CENTRAL_SEED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"

/* Upper bounds of what one run may ask for (the store's own bounds are far
 * above what one image gets here). */
#define SEED_MAX_IMAGES 1000000
#define SEED_MAX_FINDINGS 20000000
#define SEED_MAX_ALERTS 1000000
#define SEED_MAX_JOBS 64

struct seed_plan;

/*
 * Decides how many findings each of images images gets (they add up to
 * findings exactly; a few images get none, a few many) and the size of the
 * CVE pool the findings are drawn from (about one CVE for eight findings, so
 * that popular CVEs are shared by many images). now_ms is the clock every
 * date is measured back from. ASEC_EINVALID when a number is out of bounds
 * or findings cannot be placed (more than 2,000 an image on average).
 */
int seed_plan_make(struct seed_plan **out, uint64_t seed, size_t images, size_t findings, int64_t now_ms);
void seed_plan_free(struct seed_plan *plan);

/* How many findings the plan gives image index. */
size_t seed_plan_findings_of(const struct seed_plan *plan, size_t index);

/* Image index of the plan: a StackRox Image as image_convert() makes it
 * (docs/images.md), counts and risk score filled, ready for
 * store_images_put(). */
int seed_image(json_t **out, const struct seed_plan *plan, size_t index);

/* The full name of image index (store_alerts' key of its image alerts);
 * names are unique within a plan. */
int seed_image_name(char *out, size_t size, const struct seed_plan *plan, size_t index);

struct seed_options {
	size_t alerts;       /* alerts to record, about half on images, half on deployments */
	int jobs;            /* threads storing at once, 1..SEED_MAX_JOBS */
	int progress;        /* print progress lines to stderr */
	const char *version; /* the vuln_data_version stored with each image */
};

struct seed_result {
	size_t images, findings, alerts;
	double image_seconds, alert_seconds;
};

/*
 * Stores every image of plan, then opts->alerts alerts, with opts->jobs
 * threads sharing pool (which should allow jobs connections). The alerts
 * are of the policies stored (store_policies_all: the defaults once central
 * has run), each on a policy of the alert's lifecycle stage; without stored
 * policies, of a few made-up ones. Stops at the first failure, whose
 * message error_last() gives in the calling thread.
 */
int seed_run(struct seed_result *out, struct db_pool *pool, const struct seed_plan *plan,
	     const struct seed_options *opts);

/* Creates or updates the tables seed_run writes (images, alerts, policies):
 * the same migrations central runs when it starts. */
int seed_migrate(struct db_pool *pool);

#endif
