/*
 * cvss_private.h - what cvss.c and cvss4.c share; not part of the module's
 * public face (include cvss/cvss.h instead).
 *
 * A version describes its metrics as a table; cvss__parse_metrics() checks a
 * vector's body against it and yields each metric's value as its position in
 * the table's value list (or -1 when the metric is absent), which the scoring
 * code then uses directly as an index into its weight arrays.
 */
#ifndef ASEC_CVSS_PRIVATE_H
#define ASEC_CVSS_PRIVATE_H

#include <stddef.h>

struct cvss__metric {
	const char *name;   /* abbreviation as written in vectors, case-sensitive */
	const char *values; /* allowed values, space-separated, in weight order */
	int required;       /* a base metric: must be present */
};

/* Parses s[0..len) ("K:V/K:V...", no version prefix) into values[ndefs].
 * Refuses empty components, unknown metrics or values, duplicates and
 * missing required metrics; "what" names the version in the message. */
int cvss__parse_metrics(signed char *values, const struct cvss__metric *defs, size_t ndefs,
			const char *s, size_t len, const char *what);

/* The CVSS v4.0 score of a vector body (after "CVSS:4.0/"), in cvss4.c. */
int cvss__v4_score(double *out, const char *s, size_t len);

#endif
