/*
 * cvss.c - CVSS base scores from vector strings, for v2.0, v3.0, v3.1 and
 * v4.0.
 *
 * Two ideas carry the file. First, every version's vector is the same shape
 * ("KEY:VALUE" components joined by '/'), so one table-driven parser checks
 * them all: each version lists its metrics with their allowed values, the
 * parser turns a vector into one small integer per metric (the value's
 * position in that list, or -1 when absent), and refuses unknown metrics,
 * unknown values, duplicates and missing base metrics. Second, the scores
 * are the specifications' own arithmetic, including their rounding rules,
 * because a rating computed here must equal the one NVD publishes to the
 * tenth: v2 rounds to nearest, v3.0 rounds up with ceil(), v3.1 rounds up
 * with the integer Roundup of its Appendix A (which exists because ceil() on
 * binary doubles can turn a value meant to be exactly 4.0 into 4.1).
 *
 * v4.0 lives in cvss4.c: its score is not a formula but a table lookup with
 * interpolation, and its metric table is large.
 *
 * The vector is never read past CVSS_MAX_VECTOR bytes or its terminator.
 */
#include "cvss/cvss.h"
#include "cvss/cvss_private.h"

#include <math.h>
#include <string.h>

#include "error/error.h"

/* --- the shared parser ---------------------------------------------------- */

/* Finds value [v, v+vlen) among the space-separated words of list; its
 * position, or -1. */
static int value_index(const char *list, const char *v, size_t vlen)
{
	int index = 0;
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ' ');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);

		if (wlen == vlen && memcmp(p, v, vlen) == 0)
			return index;
		index++;
		if (!end)
			break;
		p = end + 1;
	}
	return -1;
}

int cvss__parse_metrics(signed char *values, const struct cvss__metric *defs, size_t ndefs,
			const char *s, size_t len, const char *what)
{
	size_t start = 0, i;

	for (i = 0; i < ndefs; i++)
		values[i] = -1;

	for (;;) {
		const char *comp = s + start;
		const char *slash = memchr(comp, '/', len - start);
		size_t clen = slash ? (size_t)(slash - comp) : len - start;
		const char *colon = memchr(comp, ':', clen);
		size_t klen, vlen;
		int v;

		if (clen == 0) {
			error_set("CVSS %s vector: empty metric at offset %zu", what, start);
			return ASEC_EINVALID;
		}
		if (!colon || colon == comp || colon == comp + clen - 1) {
			error_set("CVSS %s vector: '%.*s' is not METRIC:VALUE", what, (int)clen, comp);
			return ASEC_EINVALID;
		}
		klen = (size_t)(colon - comp);
		vlen = clen - klen - 1;
		for (i = 0; i < ndefs; i++)
			if (strlen(defs[i].name) == klen && memcmp(defs[i].name, comp, klen) == 0)
				break;
		if (i == ndefs) {
			error_set("CVSS %s vector: unknown metric '%.*s'", what, (int)klen, comp);
			return ASEC_EINVALID;
		}
		if (values[i] >= 0) {
			error_set("CVSS %s vector: metric %s given twice", what, defs[i].name);
			return ASEC_EINVALID;
		}
		v = value_index(defs[i].values, colon + 1, vlen);
		if (v < 0) {
			error_set("CVSS %s vector: '%.*s' is not a value of %s", what, (int)vlen, colon + 1,
				  defs[i].name);
			return ASEC_EINVALID;
		}
		values[i] = (signed char)v;
		if (!slash)
			break;
		start += clen + 1;
		if (start == len) {
			error_set("CVSS %s vector: ends with '/'", what);
			return ASEC_EINVALID;
		}
	}

	for (i = 0; i < ndefs; i++) {
		if (defs[i].required && values[i] < 0) {
			error_set("CVSS %s vector: base metric %s is missing", what, defs[i].name);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

/* --- v2.0 ------------------------------------------------------------------ */

/*
 * FIRST, "A Complete Guide to the Common Vulnerability Scoring System
 * Version 2.0", section 2.4 (vector) and 3.2.1 (base equation). Temporal and
 * environmental metrics are checked for well-formedness only.
 */
enum { V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A, V2_NMETRICS = 14 };

static const struct cvss__metric v2_metrics[V2_NMETRICS] = {
	{ "AV", "L A N", 1 },
	{ "AC", "H M L", 1 },
	{ "Au", "M S N", 1 },
	{ "C", "N P C", 1 },
	{ "I", "N P C", 1 },
	{ "A", "N P C", 1 },
	{ "E", "U POC F H ND", 0 },
	{ "RL", "OF TF W U ND", 0 },
	{ "RC", "UC UR C ND", 0 },
	{ "CDP", "N L LM MH H ND", 0 },
	{ "TD", "N L M H ND", 0 },
	{ "CR", "L M H ND", 0 },
	{ "IR", "L M H ND", 0 },
	{ "AR", "L M H ND", 0 },
};

static int v2_score(double *out, const char *s, size_t len)
{
	static const double av[] = { 0.395, 0.646, 1.0 };
	static const double ac[] = { 0.35, 0.61, 0.71 };
	static const double au[] = { 0.45, 0.56, 0.704 };
	static const double cia[] = { 0.0, 0.275, 0.660 };
	signed char m[V2_NMETRICS];
	double impact, exploitability, base;
	int rc;

	/* The guide writes vectors bare; NVD's older feeds wrap them in
	 * parentheses. Both mean the same. */
	if (len >= 2 && s[0] == '(' && s[len - 1] == ')') {
		s++;
		len -= 2;
	}
	if (len == 0) {
		error_set("CVSS 2.0 vector: empty");
		return ASEC_EINVALID;
	}
	rc = cvss__parse_metrics(m, v2_metrics, V2_NMETRICS, s, len, "2.0");
	if (rc)
		return rc;

	impact = 10.41 * (1 - (1 - cia[m[V2_C]]) * (1 - cia[m[V2_I]]) * (1 - cia[m[V2_A]]));
	exploitability = 20 * av[m[V2_AV]] * ac[m[V2_AC]] * au[m[V2_AU]];
	base = impact == 0 ? 0 : ((0.6 * impact) + (0.4 * exploitability) - 1.5) * 1.176;
	/* round_to_1_decimal, half up. Plain doubles suffice: all 729 base
	 * vectors give the same tenth as exact decimal arithmetic does. */
	*out = floor(base * 10 + 0.5) / 10;
	return ASEC_OK;
}

/* --- v3.0 and v3.1 ---------------------------------------------------------- */

/*
 * FIRST, "CVSS v3.1: Specification Document", sections 6 (vector), 7.1 (base
 * equations), 7.4 (weights) and Appendix A (Roundup); v3.0's document is the
 * same except that Roundup is the smallest one-decimal number >= the input.
 */
enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_NMETRICS = 22 };

static const struct cvss__metric v3_metrics[V3_NMETRICS] = {
	{ "AV", "N A L P", 1 },
	{ "AC", "L H", 1 },
	{ "PR", "N L H", 1 },
	{ "UI", "N R", 1 },
	{ "S", "U C", 1 },
	{ "C", "H L N", 1 },
	{ "I", "H L N", 1 },
	{ "A", "H L N", 1 },
	{ "E", "X U P F H", 0 },
	{ "RL", "X O T W U", 0 },
	{ "RC", "X U R C", 0 },
	{ "CR", "X L M H", 0 },
	{ "IR", "X L M H", 0 },
	{ "AR", "X L M H", 0 },
	{ "MAV", "X N A L P", 0 },
	{ "MAC", "X L H", 0 },
	{ "MPR", "X N L H", 0 },
	{ "MUI", "X N R", 0 },
	{ "MS", "X U C", 0 },
	{ "MC", "X H L N", 0 },
	{ "MI", "X H L N", 0 },
	{ "MA", "X H L N", 0 },
};

/* v3.1 Appendix A: work in integers of 1e-5 so that a value that is a whole
 * tenth up to float noise is not pushed to the next tenth. (Over the 2592
 * base vectors this and v3.0's ceil() happen to agree; they part ways on
 * environmental scores, which the specification rounds the same way.) */
static double v31_roundup(double x)
{
	long long scaled = llround(x * 100000);

	if (scaled % 10000 == 0)
		return (double)(scaled / 10000) / 10;
	return (double)(scaled / 10000 + 1) / 10;
}

static double v30_roundup(double x)
{
	return ceil(x * 10) / 10;
}

static int v3_score(double *out, const char *s, size_t len, int minor)
{
	static const double av[] = { 0.85, 0.62, 0.55, 0.2 };
	static const double ac[] = { 0.77, 0.44 };
	static const double pr_unchanged[] = { 0.85, 0.62, 0.27 };
	static const double pr_changed[] = { 0.85, 0.68, 0.5 };
	static const double ui[] = { 0.85, 0.62 };
	static const double cia[] = { 0.56, 0.22, 0.0 };
	signed char m[V3_NMETRICS];
	double iss, impact, exploitability, sum;
	int changed, rc;

	rc = cvss__parse_metrics(m, v3_metrics, V3_NMETRICS, s, len, minor ? "3.1" : "3.0");
	if (rc)
		return rc;

	changed = m[V3_S] == 1;
	iss = 1 - (1 - cia[m[V3_C]]) * (1 - cia[m[V3_I]]) * (1 - cia[m[V3_A]]);
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	exploitability = 8.22 * av[m[V3_AV]] * ac[m[V3_AC]] *
			 (changed ? pr_changed : pr_unchanged)[m[V3_PR]] * ui[m[V3_UI]];
	if (impact <= 0) {
		*out = 0;
		return ASEC_OK;
	}
	sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
	if (sum > 10)
		sum = 10;
	*out = minor ? v31_roundup(sum) : v30_roundup(sum);
	return ASEC_OK;
}

/* --- entry points ------------------------------------------------------------ */

int cvss_parse(struct cvss_result *out, const char *vector)
{
	static const char prefix[] = "CVSS:";
	const size_t plen = sizeof(prefix) - 1;
	double score = 0;
	const char *version;
	size_t len;
	int rc;

	if (!out || !vector) {
		error_set("CVSS vector: none given");
		return ASEC_EINVALID;
	}
	len = strnlen(vector, CVSS_MAX_VECTOR + 1);
	if (len > CVSS_MAX_VECTOR) {
		error_set("CVSS vector: longer than %d bytes", CVSS_MAX_VECTOR);
		return ASEC_EINVALID;
	}
	if (len == 0) {
		error_set("CVSS vector: empty");
		return ASEC_EINVALID;
	}

	if (len >= plen && memcmp(vector, prefix, plen) == 0) {
		/* "CVSS:x.y/" then at least one metric. */
		const char *v = vector + plen;
		size_t rest = len - plen;

		if (rest < 5 || v[1] != '.' || v[3] != '/') {
			error_set("CVSS vector: malformed version prefix '%.*s'", (int)(rest < 4 ? len : plen + 4),
				  vector);
			return ASEC_EINVALID;
		}
		if (v[0] == '3' && (v[2] == '0' || v[2] == '1')) {
			version = v[2] == '0' ? "3.0" : "3.1";
			rc = v3_score(&score, v + 4, rest - 4, v[2] == '1');
		} else if (v[0] == '4' && v[2] == '0') {
			version = "4.0";
			rc = cvss__v4_score(&score, v + 4, rest - 4);
		} else {
			error_set("CVSS vector: unknown version '%.3s'", v);
			return ASEC_EINVALID;
		}
	} else {
		/* v2 vectors carry no version prefix. */
		version = "2.0";
		rc = v2_score(&score, vector, len);
	}
	if (rc)
		return rc;

	out->base_score = score;
	memcpy(out->version, version, 4);
	return ASEC_OK;
}

const char *cvss_rating(double score, const char *version)
{
	long tenths;

	if (!version || !(score >= 0 && score <= 10))
		return NULL;
	/* Scores are one-decimal numbers; deciding on tenths keeps 3.9 vs 4.0
	 * free of binary-fraction surprises. */
	tenths = lround(score * 10);
	if (version[0] == '2' && (version[1] == '\0' || version[1] == '.')) {
		if (tenths < 40)
			return "LOW";
		return tenths < 70 ? "MEDIUM" : "HIGH";
	}
	if ((version[0] == '3' || version[0] == '4') && (version[1] == '\0' || version[1] == '.')) {
		if (tenths == 0)
			return "NONE";
		if (tenths < 40)
			return "LOW";
		if (tenths < 70)
			return "MEDIUM";
		return tenths < 90 ? "HIGH" : "CRITICAL";
	}
	return NULL;
}
