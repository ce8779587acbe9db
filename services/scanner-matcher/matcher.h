/*
 * matcher.h - from an index report's contents to a vulnerability report.
 *
 * For each package the matcher decides what it is (an OS package of the
 * image's distribution release, or a package of a language ecosystem), asks
 * the snapshot for every record naming it, and keeps the records whose
 * ranges hold the installed version by that ecosystem's own ordering.
 * Findings of one package that share an id (GHSA, CVE, PYSEC, DSA...) are
 * folded into one with all the ids as aliases; NVD, KEV and EPSS facts are
 * added without overriding what the vendor said. Every finding carries an
 * explanation: the record, the range, the comparator and the versions.
 */
#ifndef ASEC_MATCHER_H
#define ASEC_MATCHER_H

#include <jansson.h>

#include "vulndata.h"

/* The VulnerabilityReport for contents (the IndexReport "contents" shape,
 * borrowed), matched against d, without the contents themselves. Malformed parts of contents (a package
 * without a version, an unknown distribution) become notes, not errors.
 * Returns ASEC_OK or ASEC_ENOMEM. */
int matcher_report(json_t **out, const struct vulndata *d, const char *hash_id, const json_t *contents);

/* Whether version lies in range by cmp, with the ecosystem's quirks (rpm
 * bounds without a release hold for every release; Go versions with or
 * without their "v"). Exposed for tests. */
int matcher_in_range(const char *ecosystem, const char *version, const struct vulndata_range *range);

#endif
