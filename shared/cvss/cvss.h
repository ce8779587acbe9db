/*
 * cvss.h - CVSS base scores from vector strings (v2.0, v3.0, v3.1, v4.0).
 *
 * Feeds often carry only a vector (OSV's severity[], Red Hat's CSAF gives
 * both, NVD both). Scores are computed here from the specifications' own
 * formulas (FIRST CVSS v2 guide, v3.0/v3.1 specification with its Roundup,
 * v4.0 with its macro-vector table), so a vector alone is enough.
 */
#ifndef ASEC_CVSS_H
#define ASEC_CVSS_H

#include <stddef.h>

/* Vectors longer than this are refused. */
#define CVSS_MAX_VECTOR 512

struct cvss_result {
	double base_score; /* 0.0-10.0, one decimal */
	char version[4];   /* "2.0", "3.0", "3.1" or "4.0" */
};

/*
 * Parses vector ("AV:N/AC:L/Au:N/C:P/I:P/A:P" or the same in parentheses
 * for v2; "CVSS:3.x/..." ; "CVSS:4.0/...") and computes its base score.
 * Every base metric must be present exactly once with a defined value;
 * temporal/environmental/threat/supplemental metrics are accepted when
 * well-formed and do not change the base score (v4.0: they are applied as
 * the specification says for CVSS-BT/BE/BTE scores only when present).
 * That is, for v4.0 base_score is the CVSS-B score of a base-only vector and
 * the CVSS-BT/BE/BTE score of a vector that carries E or environmental
 * metrics; supplemental metrics never change it.
 * Metrics may come in any order (v4.0 prescribes one; feeds do not always
 * keep it). Names and values are case-sensitive, as the specifications
 * write them.
 * Returns ASEC_OK, or ASEC_EINVALID with error_set() naming the bad part.
 */
int cvss_parse(struct cvss_result *out, const char *vector);

/* The qualitative rating of a score for that version: v2 "LOW", "MEDIUM",
 * "HIGH"; v3/v4 "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL". The score is
 * taken to the nearest tenth first. NULL when the version is not 2.x, 3.x
 * or 4.x or the score is outside [0, 10]. */
const char *cvss_rating(double score, const char *version);

#endif
