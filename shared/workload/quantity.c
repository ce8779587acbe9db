/*
 * quantity.c - Kubernetes resource quantities ("500m", "1Gi", "1e3", "0.5")
 * read as numbers of cores and megabytes.
 *
 * The grammar is apimachinery's resource.Quantity:
 *   quantity ::= [+-] number suffix
 *   number   ::= digits | digits "." digits | digits "." | "." digits
 *   suffix   ::= "" | m | k | M | G | T | P | E          (decimal SI)
 *              | Ki | Mi | Gi | Ti | Pi | Ei            (binary SI)
 *              | (e|E) [+-] digits                      (decimal exponent)
 * Kubernetes holds quantities as exact decimals; the model wants doubles, so
 * the digits are gathered into one integer-valued double and scaled once by
 * an exact power of ten (exact up to 10^22), which keeps "0.1", "500m" and
 * "1.5Gi" exact or correctly rounded without going through strtod and the
 * locale. Requests and limits may not be negative, so neither may these.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "error/error.h"
#include "workload/workload.h"
#include "workload/workload_int.h"

/* Longer than any quantity a person writes; bounds the work per value. */
#define QUANTITY_MAX 64
#define QUANTITY_EXP_MAX 1000

static int q_suffix(int *exp10, int *exp2, const char *s)
{
	static const struct {
		const char *text;
		int exp10;
		int exp2;
	} table[] = {
		{"", 0, 0},     {"m", -3, 0},  {"k", 3, 0},   {"M", 6, 0},   {"G", 9, 0},
		{"T", 12, 0},   {"P", 15, 0},  {"E", 18, 0},  {"Ki", 0, 10}, {"Mi", 0, 20},
		{"Gi", 0, 30},  {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60},
	};
	int sign = 1, e = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(s, table[i].text) == 0) {
			*exp10 = table[i].exp10;
			*exp2 = table[i].exp2;
			return 1;
		}
	}
	/* "E" alone is exa (above); an e or E followed by more is an exponent. */
	if (*s != 'e' && *s != 'E')
		return 0;
	s++;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (e < QUANTITY_EXP_MAX * 10)
			e = e * 10 + (*s - '0');
	}
	*exp10 = sign * e;
	*exp2 = 0;
	return 1;
}

static double q_scale(double v, int exp10)
{
	/* Split so that every factor is an exact power of ten. */
	while (exp10 > 22) {
		v *= 1e22;
		exp10 -= 22;
	}
	while (exp10 < -22) {
		v /= 1e22;
		exp10 += 22;
	}
	return exp10 >= 0 ? v * pow(10, exp10) : v / pow(10, -exp10);
}

int wl_quantity_text(double *out, const char *text)
{
	const char *p = text;
	size_t len = strlen(text), digits = 0;
	double mant = 0;
	int negative = 0, exp10 = 0, sfx10 = 0, sfx2 = 0;

	*out = 0;
	if (len == 0 || len > QUANTITY_MAX)
		goto invalid;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		mant = mant * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			mant = mant * 10 + (*p - '0');
			exp10--;
		}
	}
	if (digits == 0 || !q_suffix(&sfx10, &sfx2, p))
		goto invalid;
	if (negative && mant != 0) {
		error_set("quantity \"%s\" is negative", text);
		return ASEC_EINVALID;
	}
	*out = ldexp(q_scale(mant, exp10 + sfx10), sfx2);
	if (!isfinite(*out)) {
		*out = 0;
		error_set("quantity \"%.64s\" is too large", text);
		return ASEC_ETOOBIG;
	}
	return ASEC_OK;
invalid:
	error_set("\"%.64s\" is not a Kubernetes quantity", text);
	return ASEC_EINVALID;
}

int wl_quantity(double *out, const json_t *v)
{
	*out = 0;
	if (json_is_string(v))
		return wl_quantity_text(out, json_string_value(v));
	if (json_is_number(v)) {
		double d = json_number_value(v);

		if (!isfinite(d) || d < 0) {
			error_set("quantity %g is negative", d);
			return ASEC_EINVALID;
		}
		*out = d;
		return ASEC_OK;
	}
	error_set("a quantity must be a string or a number");
	return ASEC_EINVALID;
}

int workload_cpu_cores(double *out, const char *quantity)
{
	if (!out || !quantity) {
		error_set("workload_cpu_cores: no quantity");
		return ASEC_EINVALID;
	}
	return wl_quantity_text(out, quantity);
}

int workload_memory_mb(double *out, const char *quantity)
{
	int rc;

	if (!out || !quantity) {
		error_set("workload_memory_mb: no quantity");
		return ASEC_EINVALID;
	}
	rc = wl_quantity_text(out, quantity);
	if (rc == ASEC_OK)
		*out /= 1024.0 * 1024.0;
	return rc;
}
