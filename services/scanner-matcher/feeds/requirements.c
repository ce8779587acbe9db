/*
 * requirements.c - sets of version intervals and their algebra, the SemVer
 * partial-version grammar that npm and Cargo requirements share, and the
 * reading of comma-joined requirements and of their lists that RubySec and
 * RustSec share (see requirements.h).
 *
 * Every operation keeps one invariant: a set's intervals are non-empty,
 * sorted by lower bound and neither overlap nor touch. Union appends and
 * re-normalises (sort, then one sweep merging neighbours); intersection is a
 * two-pointer sweep over both sorted arrays; the complement is the list of
 * gaps, a bound turning from inclusive to exclusive as it crosses sides. Two
 * intervals "touch" when no version lies between them: [1, 2) and [2, 3]
 * merge into [1, 3], but (1, 2) and (2, 3) stay apart because 2 itself is in
 * neither. Versions are compared only with the ecosystem's comparator, so
 * "1.0" and "1.0.0" are the same point in RubyGems and bounds are never
 * compared as text.
 *
 * A record's fix is worked out here too, beside the affected set, because
 * only here are both the affected intervals and what the source admits as
 * patched still at hand: the lowest admitted version above each interval
 * (req_set_fix()). Where that is not what the interval's end implies, the
 * range says so in "fixedBy", and the interval itself stays as it was.
 */
#include "feeds/requirements.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* ---- bounds and intervals ---- */

/* Lower bounds: unbounded first; at the same version an inclusive bound
 * starts earlier than an exclusive one. */
static int req_lo_cmp(version_compare_fn cmp, const struct req_bound *a, const struct req_bound *b)
{
	int c;

	if (a->kind == REQ_UNBOUNDED || b->kind == REQ_UNBOUNDED)
		return (b->kind == REQ_UNBOUNDED) - (a->kind == REQ_UNBOUNDED);
	if ((c = cmp(a->version, b->version)))
		return c;
	if (a->kind == b->kind)
		return 0;
	return a->kind == REQ_INCLUSIVE ? -1 : 1;
}

/* Upper bounds: unbounded last; at the same version an exclusive bound ends
 * earlier than an inclusive one. */
static int req_hi_cmp(version_compare_fn cmp, const struct req_bound *a, const struct req_bound *b)
{
	int c;

	if (a->kind == REQ_UNBOUNDED || b->kind == REQ_UNBOUNDED)
		return (a->kind == REQ_UNBOUNDED) - (b->kind == REQ_UNBOUNDED);
	if ((c = cmp(a->version, b->version)))
		return c;
	if (a->kind == b->kind)
		return 0;
	return a->kind == REQ_EXCLUSIVE ? -1 : 1;
}

static int req_interval_empty(version_compare_fn cmp, const struct req_interval *iv)
{
	int c;

	if (iv->lo.kind == REQ_UNBOUNDED || iv->hi.kind == REQ_UNBOUNDED)
		return 0;
	c = cmp(iv->lo.version, iv->hi.version);
	if (c != 0)
		return c > 0;
	return iv->lo.kind == REQ_EXCLUSIVE || iv->hi.kind == REQ_EXCLUSIVE;
}

/* Whether b, which starts no earlier than a, overlaps or touches a. */
static int req_joins(version_compare_fn cmp, const struct req_interval *a, const struct req_interval *b)
{
	int c;

	if (a->hi.kind == REQ_UNBOUNDED || b->lo.kind == REQ_UNBOUNDED)
		return 1;
	c = cmp(b->lo.version, a->hi.version);
	if (c != 0)
		return c < 0;
	return a->hi.kind == REQ_INCLUSIVE || b->lo.kind == REQ_INCLUSIVE;
}

static int req_bound_set(struct req_bound *b, enum req_bound_kind kind, const char *version)
{
	size_t n;

	b->kind = kind;
	b->version[0] = '\0';
	if (kind == REQ_UNBOUNDED)
		return ASEC_OK;
	n = version ? strnlen(version, VERSION_MAX_LEN + 1) : 0;
	if (n == 0 || n > VERSION_MAX_LEN) {
		error_set("a version bound that is %s", n ? "longer than 256 bytes" : "empty");
		return ASEC_EINVALID;
	}
	memcpy(b->version, version, n);
	b->version[n] = '\0';
	return ASEC_OK;
}

/* ---- sets ---- */

void req_set_init(struct req_set *set, version_compare_fn cmp)
{
	set->cmp = cmp;
	set->items = NULL;
	set->count = set->cap = 0;
}

void req_set_free(struct req_set *set)
{
	free(set->items);
	set->items = NULL;
	set->count = set->cap = 0;
}

void req_set_clear(struct req_set *set)
{
	set->count = 0;
}

/* Room for want intervals. Before normalising, a union holds up to twice
 * the limit, so that is what an array may ever need. */
static int req_reserve(struct req_set *set, size_t want)
{
	struct req_interval *bigger;
	size_t cap;

	if (want <= set->cap)
		return ASEC_OK;
	if (want > 2 * (size_t)REQ_MAX_INTERVALS + 2) {
		error_set("a version requirement describes more than %d intervals", REQ_MAX_INTERVALS);
		return ASEC_ETOOBIG;
	}
	cap = set->cap ? set->cap * 2 : 4;
	if (cap < want)
		cap = want;
	if (!(bigger = realloc(set->items, cap * sizeof(*bigger)))) {
		error_set("out of memory for version intervals");
		return ASEC_ENOMEM;
	}
	set->items = bigger;
	set->cap = cap;
	return ASEC_OK;
}

static int req_sort_cmp(const void *a, const void *b, void *ctx)
{
	const struct req_interval *x = a, *y = b;
	version_compare_fn cmp = *(version_compare_fn *)ctx;
	int c = req_lo_cmp(cmp, &x->lo, &y->lo);

	return c ? c : req_hi_cmp(cmp, &x->hi, &y->hi);
}

/* Restores the invariant after intervals were appended in any order. */
static int req_normalize(struct req_set *set)
{
	size_t i, k = 0;
	int sorted = 1;

	for (i = 0; i < set->count; i++) {
		if (req_interval_empty(set->cmp, &set->items[i]))
			continue;
		if (k && sorted && req_sort_cmp(&set->items[k - 1], &set->items[i], &set->cmp) > 0)
			sorted = 0;
		set->items[k++] = set->items[i];
	}
	set->count = k;
	if (!sorted)
		qsort_r(set->items, set->count, sizeof(set->items[0]), req_sort_cmp, &set->cmp);
	for (i = 0, k = 0; i < set->count; i++) {
		if (k && req_joins(set->cmp, &set->items[k - 1], &set->items[i])) {
			if (req_hi_cmp(set->cmp, &set->items[i].hi, &set->items[k - 1].hi) > 0)
				set->items[k - 1].hi = set->items[i].hi;
			continue;
		}
		if (k != i)
			set->items[k] = set->items[i];
		k++;
	}
	set->count = k;
	if (set->count > REQ_MAX_INTERVALS) {
		error_set("a version requirement describes more than %d intervals", REQ_MAX_INTERVALS);
		return ASEC_ETOOBIG;
	}
	return ASEC_OK;
}

/* The set operations build their result beside dst, so that dst is left as
 * it was when one fails: this normalises the result and makes it dst's,
 * or frees it. */
static int req_set_take(struct req_set *dst, struct req_set *out)
{
	int rc;

	if ((rc = req_normalize(out))) {
		req_set_free(out);
		return rc;
	}
	free(dst->items);
	*dst = *out;
	return ASEC_OK;
}

int req_set_fill(struct req_set *set)
{
	int rc;

	if ((rc = req_reserve(set, 1)))
		return rc;
	memset(&set->items[0], 0, sizeof(set->items[0]));
	set->count = 1;
	return ASEC_OK;
}

int req_set_copy(struct req_set *dst, const struct req_set *src)
{
	int rc;

	dst->cmp = src->cmp;
	if ((rc = req_reserve(dst, src->count)))
		return rc;
	if (src->count)
		memcpy(dst->items, src->items, src->count * sizeof(src->items[0]));
	dst->count = src->count;
	return ASEC_OK;
}

int req_set_add(struct req_set *set, const struct req_interval *interval)
{
	int rc;

	if (req_interval_empty(set->cmp, interval))
		return ASEC_OK;
	if ((rc = req_reserve(set, set->count + 1)))
		return rc;
	set->items[set->count++] = *interval;
	return req_normalize(set);
}

int req_set_union(struct req_set *dst, const struct req_set *src)
{
	struct req_set out;
	size_t i = 0, j = 0;
	int rc;

	if (!src->count)
		return ASEC_OK;
	/* Both are sorted: merge them, then one sweep joins neighbours (the
	 * sort in req_normalize() then finds them in order). */
	req_set_init(&out, dst->cmp);
	if ((rc = req_reserve(&out, dst->count + src->count)))
		goto out;
	while (i < dst->count || j < src->count) {
		if (j == src->count || (i < dst->count && req_sort_cmp(&dst->items[i], &src->items[j], &dst->cmp) <= 0))
			out.items[out.count++] = dst->items[i++];
		else
			out.items[out.count++] = src->items[j++];
	}
	return req_set_take(dst, &out);
out:
	req_set_free(&out);
	return rc;
}

int req_set_intersect(struct req_set *dst, const struct req_set *src)
{
	struct req_set out;
	size_t i = 0, j = 0;
	int rc = ASEC_OK;

	req_set_init(&out, dst->cmp);
	if ((rc = req_reserve(&out, dst->count + src->count)))
		goto out;
	while (i < dst->count && j < src->count) {
		const struct req_interval *a = &dst->items[i], *b = &src->items[j];
		struct req_interval *r = &out.items[out.count];

		r->lo = req_lo_cmp(dst->cmp, &a->lo, &b->lo) >= 0 ? a->lo : b->lo;
		r->hi = req_hi_cmp(dst->cmp, &a->hi, &b->hi) <= 0 ? a->hi : b->hi;
		if (!req_interval_empty(dst->cmp, r))
			out.count++;
		/* The interval that ends first cannot meet anything further on. */
		if (req_hi_cmp(dst->cmp, &a->hi, &b->hi) < 0)
			i++;
		else
			j++;
	}
	return req_set_take(dst, &out);
out:
	req_set_free(&out);
	return rc;
}

/* The bound on the other side of b: the gap after an interval ending at
 * "<= v" starts at "> v", and so on. */
static struct req_bound req_flip(const struct req_bound *b)
{
	struct req_bound f = *b;

	f.kind = b->kind == REQ_INCLUSIVE ? REQ_EXCLUSIVE : REQ_INCLUSIVE;
	return f;
}

int req_set_complement(struct req_set *set)
{
	struct req_set out;
	struct req_bound lo = {REQ_UNBOUNDED, ""};
	size_t i;
	int rc;

	req_set_init(&out, set->cmp);
	if ((rc = req_reserve(&out, set->count + 1)))
		goto out;
	for (i = 0; i < set->count; i++) {
		const struct req_interval *iv = &set->items[i];

		if (iv->lo.kind != REQ_UNBOUNDED) {
			out.items[out.count].lo = lo;
			out.items[out.count].hi = req_flip(&iv->lo);
			out.count++;
		}
		if (iv->hi.kind == REQ_UNBOUNDED)
			goto done; /* nothing lies beyond an unbounded end */
		lo = req_flip(&iv->hi);
	}
	out.items[out.count].lo = lo;
	out.items[out.count].hi.kind = REQ_UNBOUNDED;
	out.items[out.count].hi.version[0] = '\0';
	out.count++;
done:
	return req_set_take(set, &out);
out:
	req_set_free(&out);
	return rc;
}

int req_set_subtract(struct req_set *dst, const struct req_set *src)
{
	struct req_set rest;
	int rc;

	req_set_init(&rest, dst->cmp);
	if (!(rc = req_set_copy(&rest, src)) && !(rc = req_set_complement(&rest)))
		rc = req_set_intersect(dst, &rest);
	req_set_free(&rest);
	return rc;
}

int req_set_constrain(struct req_set *set, enum req_op op, const char *version)
{
	struct req_set half;
	struct req_interval iv;
	int rc;

	req_set_init(&half, set->cmp);
	memset(&iv, 0, sizeof(iv));
	switch (op) {
	case REQ_OP_LT:
	case REQ_OP_LE:
		rc = req_bound_set(&iv.hi, op == REQ_OP_LT ? REQ_EXCLUSIVE : REQ_INCLUSIVE, version);
		break;
	case REQ_OP_GT:
	case REQ_OP_GE:
		rc = req_bound_set(&iv.lo, op == REQ_OP_GT ? REQ_EXCLUSIVE : REQ_INCLUSIVE, version);
		break;
	case REQ_OP_EQ:
	case REQ_OP_NE:
		if (!(rc = req_bound_set(&iv.lo, REQ_INCLUSIVE, version)))
			rc = req_bound_set(&iv.hi, REQ_INCLUSIVE, version);
		break;
	default:
		error_set("unknown requirement operator");
		rc = ASEC_EINVALID;
	}
	if (rc)
		goto out;
	if ((rc = req_set_add(&half, &iv)))
		goto out;
	if (op == REQ_OP_NE && (rc = req_set_complement(&half)))
		goto out;
	rc = req_set_intersect(set, &half);
out:
	req_set_free(&half);
	return rc;
}

/* Whether version lies in one interval. */
static int req_interval_has(version_compare_fn cmp, const struct req_interval *iv, const char *version)
{
	int c;

	if (iv->lo.kind != REQ_UNBOUNDED) {
		c = cmp(version, iv->lo.version);
		if (c < 0 || (c == 0 && iv->lo.kind != REQ_INCLUSIVE))
			return 0;
	}
	if (iv->hi.kind != REQ_UNBOUNDED) {
		c = cmp(version, iv->hi.version);
		if (c > 0 || (c == 0 && iv->hi.kind != REQ_INCLUSIVE))
			return 0;
	}
	return 1;
}

int req_set_contains(const struct req_set *set, const char *version)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (req_interval_has(set->cmp, &set->items[i], version))
			return 1;
	return 0;
}

/* ---- fixes ---- */

/* What a lower bound admits first when the source has no installer rules. */
static int req_least_plain(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo)
{
	if (lo->kind != REQ_INCLUSIVE)
		return 0;
	memcpy(out, lo->version, sizeof(lo->version));
	return 1;
}

/* req_set_fix() once admitted is a real set. Intervals of admitted that
 * start at or after the end of set's interval i lie above it (both sets
 * are sorted and do not overlap). Only the first of them can hold the
 * lowest admitted version: when least finds none there (it starts after
 * an exclusive bound), a later interval's start would skip versions that
 * are admitted too, so there is no fix to name. */
static int req_fix_in(char out[VERSION_MAX_LEN + 1], const struct req_set *set, size_t i, const struct req_set *admitted,
		      req_least_fn least)
{
	const struct req_interval *iv = &set->items[i];
	size_t j;

	out[0] = '\0';
	if (iv->hi.kind == REQ_UNBOUNDED)
		return 0;
	for (j = 0; j < admitted->count; j++) {
		const struct req_interval *up = &admitted->items[j];
		char v[VERSION_MAX_LEN + 1];

		if (up->lo.kind == REQ_UNBOUNDED || set->cmp(up->lo.version, iv->hi.version) < 0)
			continue;
		if (!least(v, &up->lo) || !req_interval_has(set->cmp, up, v) || req_set_contains(set, v))
			return 0;
		memcpy(out, v, sizeof(v));
		return 1;
	}
	return 0;
}

int req_set_fix(char out[VERSION_MAX_LEN + 1], const struct req_set *set, size_t i, const struct req_set *admitted,
		req_least_fn least)
{
	struct req_set rest;
	int rc;

	out[0] = '\0';
	if (i >= set->count)
		return 0;
	if (admitted)
		return req_fix_in(out, set, i, admitted, least ? least : req_least_plain);
	req_set_init(&rest, set->cmp);
	if (!(rc = req_set_copy(&rest, set)) && !(rc = req_set_complement(&rest)))
		rc = req_fix_in(out, set, i, &rest, least ? least : req_least_plain);
	req_set_free(&rest);
	return rc;
}

int req_set_ranges(json_t **out, const struct req_set *set, const struct req_set *admitted, req_least_fn least,
		   const char *events)
{
	json_t *ranges = json_array(), *r;
	struct req_set rest;
	char fix[VERSION_MAX_LEN + 1];
	size_t i;
	int rc, found;

	*out = NULL;
	req_set_init(&rest, set->cmp);
	if (!least)
		least = req_least_plain;
	if (!admitted) { /* every version outside set, worked out once */
		if ((rc = req_set_copy(&rest, set)) || (rc = req_set_complement(&rest)))
			goto fail;
		admitted = &rest;
	}
	if (!ranges)
		goto oom;
	for (i = 0; i < set->count; i++) {
		const struct req_interval *iv = &set->items[i];
		const char *implied = iv->hi.kind == REQ_EXCLUSIVE ? iv->hi.version : NULL;

		if (!(r = json_object()) || json_array_append_new(ranges, r))
			goto oom;
		if (iv->lo.kind == REQ_UNBOUNDED)
			json_object_set_new(r, "introduced", json_string("0"));
		else
			json_object_set_new(r, iv->lo.kind == REQ_INCLUSIVE ? "introduced" : "introducedAfter",
					    json_string(iv->lo.version));
		if (iv->hi.kind != REQ_UNBOUNDED)
			json_object_set_new(r, iv->hi.kind == REQ_EXCLUSIVE ? "fixed" : "lastAffected",
					    json_string(iv->hi.version));
		found = req_fix_in(fix, set, i, admitted, least);
		/* Said only where the bound alone would say otherwise, so that
		 * a fix that is its exclusive bound reads as it always did. */
		if (found ? !implied || strcmp(implied, fix) != 0 : implied != NULL)
			json_object_set_new(r, "fixedBy", json_string(found ? fix : ""));
		feed_copy_text(r, "events", events);
	}
	req_set_free(&rest);
	*out = ranges;
	return ASEC_OK;
oom:
	error_set("out of memory building ranges");
	rc = ASEC_ENOMEM;
fail:
	req_set_free(&rest);
	json_decref(ranges);
	return rc;
}

/* ---- SemVer partial versions ---- */

/* Numeric parts are kept as digit strings: SemVer puts no limit on them,
 * and "<=1.99999999999999999999" must still bump correctly. */
#define REQ_NUM_MAX 64

struct req_partial {
	char num[3][REQ_NUM_MAX + 2]; /* one spare digit for an increment */
	int given;		      /* leading numeric parts: 0 (for "*") to 3 */
	const char *pre, *build;      /* after '-' and '+', only when given == 3 */
	size_t pre_len, build_len;
};

static int req_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int req_is_ident(char c)
{
	return req_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Dot-separated identifiers of [0-9A-Za-z-]; with strict, numeric ones
 * without leading zeros (SemVer 2.0 section 9). */
static int req_idents_ok(const char *s, size_t n, int strict)
{
	size_t i = 0, start;

	if (n == 0)
		return 0;
	while (i <= n) {
		int digits = 1;

		start = i;
		while (i < n && s[i] != '.') {
			if (!req_is_ident(s[i]))
				return 0;
			digits &= req_is_digit(s[i]);
			i++;
		}
		if (i == start)
			return 0;
		if (strict && digits && i - start > 1 && s[start] == '0')
			return 0;
		i++;
	}
	return 1;
}

/* Adds one to a digit string in place (it has room for one more digit). */
static void req_increment(char *digits)
{
	size_t n = strlen(digits), i = n;

	while (i > 0) {
		if (digits[i - 1] != '9') {
			digits[i - 1]++;
			return;
		}
		digits[--i] = '0';
	}
	memmove(digits + 1, digits, n + 1);
	digits[0] = '1';
}

static int req_is_zero(const char *digits)
{
	return strcmp(digits, "0") == 0;
}

static int req_parse_partial(struct req_partial *p, enum req_semver_dialect dialect, const char *s, size_t n)
{
	size_t i = 0;
	int part = 0, wild = 0;

	memset(p, 0, sizeof(*p));
	if (dialect == REQ_SEMVER_NPM) /* node-semver allows "v", "=" and spaces before a version */
		while (i < n && (s[i] == 'v' || s[i] == 'V' || s[i] == '=' || s[i] == ' ' || s[i] == '\t'))
			i++;
	if (i == n) {
		error_set("an operator without a version");
		return ASEC_EINVALID;
	}
	for (part = 0; part < 3; part++) {
		if (i < n && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
			wild = 1;
			i++;
		} else if (i < n && req_is_digit(s[i])) {
			size_t start = i, len;

			while (i < n && req_is_digit(s[i]))
				i++;
			len = i - start;
			if (len > 1 && s[start] == '0') {
				if (dialect == REQ_SEMVER_CARGO) {
					error_set("a version number with a leading zero");
					return ASEC_EINVALID;
				}
				while (len > 1 && s[start] == '0')
					start++, len--;
			}
			if (len > REQ_NUM_MAX) {
				error_set("a version number of more than %d digits", REQ_NUM_MAX);
				return ASEC_EINVALID;
			}
			if (wild) { /* node-semver refuses "1.x.3" too */
				error_set("a version number after a wildcard");
				return ASEC_EINVALID;
			}
			memcpy(p->num[part], s + start, len);
			p->given = part + 1;
		} else {
			if (i < n)
				error_set("unexpected '%c' in a version", s[i]);
			else
				error_set("a version that ends after a dot");
			return ASEC_EINVALID;
		}
		if (i == n || s[i] != '.')
			break;
		i++;
		if (part == 2) {
			error_set("a version with more than three numbers");
			return ASEC_EINVALID;
		}
	}
	if (i < n && s[i] == '-') {
		size_t start = ++i;

		while (i < n && s[i] != '+')
			i++;
		p->pre = s + start;
		p->pre_len = i - start;
		if (!req_idents_ok(p->pre, p->pre_len, dialect == REQ_SEMVER_CARGO)) {
			error_set("a malformed pre-release \"%.*s\"", (int)(p->pre_len > 64 ? 64 : p->pre_len), p->pre);
			return ASEC_EINVALID;
		}
	}
	if (i < n && s[i] == '+') {
		p->build = s + i + 1;
		p->build_len = n - i - 1;
		i = n;
		if (!req_idents_ok(p->build, p->build_len, 0)) {
			error_set("malformed build metadata");
			return ASEC_EINVALID;
		}
	}
	if (i < n) {
		error_set("unexpected '%c' in a version", s[i]);
		return ASEC_EINVALID;
	}
	if ((p->pre || p->build) && p->given < 3) {
		error_set("a pre-release or build on a version that is not major.minor.patch");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* Writes major.minor.patch[-pre][+build][suffix]. */
static int req_format(char *out, const char *major, const char *minor, const char *patch, const struct req_partial *p,
		      const char *suffix)
{
	size_t n = strlen(major) + strlen(minor) + strlen(patch) + 2 + strlen(suffix);
	int w;

	if (p)
		n += (p->pre ? p->pre_len + 1 : 0) + (p->build ? p->build_len + 1 : 0);
	if (n > VERSION_MAX_LEN) {
		error_set("a version longer than %d bytes", VERSION_MAX_LEN);
		return ASEC_EINVALID;
	}
	if (p)
		w = snprintf(out, VERSION_MAX_LEN + 1, "%s.%s.%s%s%.*s%s%.*s%s", major, minor, patch, p->pre ? "-" : "",
			     p->pre ? (int)p->pre_len : 0, p->pre ? p->pre : "", p->build ? "+" : "",
			     p->build ? (int)p->build_len : 0, p->build ? p->build : "", suffix);
	else
		w = snprintf(out, VERSION_MAX_LEN + 1, "%s.%s.%s%s", major, minor, patch, suffix);
	if (w < 0 || w > VERSION_MAX_LEN) {
		error_set("a version longer than %d bytes", VERSION_MAX_LEN);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* The lowest version a partial stands for: 1.2 -> 1.2.0, 1 -> 1.0.0; a full
 * version is itself. suffix goes on made-up versions only. */
static int req_floor(char *out, const struct req_partial *p, const char *suffix)
{
	if (p->given == 3)
		return req_format(out, p->num[0], p->num[1], p->num[2], p, "");
	return req_format(out, p->num[0], p->given > 1 ? p->num[1] : "0", "0", NULL, suffix);
}

/* The first version after everything the first `keep` numbers of p cover:
 * keep 1 -> (M+1).0.0, keep 2 -> M.(m+1).0, keep 3 -> M.m.(p+1). */
static int req_ceiling(char *out, const struct req_partial *p, int keep, const char *suffix)
{
	char num[3][REQ_NUM_MAX + 2];
	int i;

	for (i = 0; i < 3; i++)
		memcpy(num[i], i < keep ? p->num[i] : "0", i < keep ? sizeof(num[i]) : 2);
	req_increment(num[keep - 1]);
	return req_format(out, num[0], num[1], num[2], NULL, suffix);
}

/* In npm's reading a partial covers its own pre-releases: "1.x" starts at
 * 1.0.0-0, as node-semver's validRange(r, {includePrerelease: true}) prints
 * it; that is also what makes "2.0.x || 2.1.x" one interval. A partial of
 * zeros ("0", "0.0") starts before every version: no bound at all (RustSec
 * writes unaffected = [">= 0"] to mean everything). */
static int req_ge_floor(struct req_set *set, const struct req_partial *p, const char *z)
{
	char v[VERSION_MAX_LEN + 1];
	int rc;

	if (p->given < 3 && req_is_zero(p->num[0]) && (p->given < 2 || req_is_zero(p->num[1])))
		return ASEC_OK;
	if ((rc = req_floor(v, p, z)))
		return rc;
	return req_set_constrain(set, REQ_OP_GE, v);
}

static int req_lt_ceiling(struct req_set *set, const struct req_partial *p, int keep, const char *z)
{
	char v[VERSION_MAX_LEN + 1];
	int rc = req_ceiling(v, p, keep, z);

	return rc ? rc : req_set_constrain(set, REQ_OP_LT, v);
}

/* set AND {v : v op full}, for a comparator on a full version. */
static int req_exact_bound(struct req_set *set, enum req_op op, const struct req_partial *p)
{
	char v[VERSION_MAX_LEN + 1];
	int rc = req_floor(v, p, "");

	return rc ? rc : req_set_constrain(set, op, v);
}

int req_semver_comparator(struct req_set *set, enum req_semver_dialect dialect, const char *op,
			  const char *partial, size_t partial_len)
{
	/* Bounds made up from partial versions: npm's carry "-0" (see
	 * req_ge_floor), Cargo's are plain as the semver crate documents. */
	const char *z = dialect == REQ_SEMVER_NPM ? "-0" : "";
	struct req_partial p;
	char v[VERSION_MAX_LEN + 1];
	int rc, n, keep;

	if ((rc = req_parse_partial(&p, dialect, partial, partial_len)))
		return rc;
	n = p.given;
	if (!*op)
		op = dialect == REQ_SEMVER_CARGO ? "^" : "=";
	if (strcmp(op, "<") == 0 || strcmp(op, ">") == 0) {
		if (n == 0) {
			req_set_clear(set); /* "<*" and ">*" allow nothing */
			return ASEC_OK;
		}
		if (n == 3)
			return req_exact_bound(set, op[0] == '<' ? REQ_OP_LT : REQ_OP_GT, &p);
		if (op[0] == '<') { /* <1.2 := <1.2.0 */
			if ((rc = req_floor(v, &p, z)))
				return rc;
			return req_set_constrain(set, REQ_OP_LT, v);
		}
		if ((rc = req_ceiling(v, &p, n, z))) /* >1.2 := >=1.3.0 */
			return rc;
		return req_set_constrain(set, REQ_OP_GE, v);
	}
	if (n == 0) /* "*", "=*", "<=*", ">=*", "~*", "^*": every version */
		return ASEC_OK;
	if (strcmp(op, "<=") == 0) /* <=1.2 := <1.3.0 */
		return n == 3 ? req_exact_bound(set, REQ_OP_LE, &p) : req_lt_ceiling(set, &p, n, z);
	if (strcmp(op, ">=") == 0) /* >=1.2 := >=1.2.0 */
		return req_ge_floor(set, &p, z);
	if (strcmp(op, "=") == 0) {
		if (n == 3)
			return req_exact_bound(set, REQ_OP_EQ, &p);
		keep = n; /* 1.2 := >=1.2.0 <1.3.0, 1 := >=1.0.0 <2.0.0 */
	} else if (strcmp(op, "~") == 0) {
		keep = n == 3 ? 2 : n; /* ~1.2.3 := >=1.2.3 <1.3.0 */
	} else if (strcmp(op, "^") == 0) {
		/* The first non-zero number may not change: ^1.2.3 <2.0.0,
		 * ^0.2.3 <0.3.0, ^0.0.3 <0.0.4; ^0 <1.0.0 and ^0.0 <0.1.0. */
		if (!req_is_zero(p.num[0]) || n == 1)
			keep = 1;
		else if (n == 2 || !req_is_zero(p.num[1]))
			keep = 2;
		else
			keep = 3;
	} else {
		error_set("unknown operator \"%.8s\"", op);
		return ASEC_EINVALID;
	}
	if ((rc = req_ge_floor(set, &p, z)))
		return rc;
	return req_lt_ceiling(set, &p, keep, z);
}

int req_semver_hyphen(struct req_set *set, const char *from, size_t from_len, const char *to, size_t to_len)
{
	struct req_partial p;
	int rc;

	/* 1.2.3 - 2.3.4 := >=1.2.3 <=2.3.4; 1.2 - 2.3 := >=1.2.0 <2.4.0 */
	if ((rc = req_parse_partial(&p, REQ_SEMVER_NPM, from, from_len)))
		return rc;
	if (p.given && (rc = req_ge_floor(set, &p, "-0")))
		return rc;
	if ((rc = req_parse_partial(&p, REQ_SEMVER_NPM, to, to_len)))
		return rc;
	if (p.given == 0)
		return ASEC_OK;
	if (p.given < 3)
		return req_lt_ceiling(set, &p, p.given, "-0");
	return req_exact_bound(set, REQ_OP_LE, &p);
}

/* See requirements.h. The bound is a version req_format() wrote, so it
 * parses as a full version in its dialect. */
static int req_semver_least(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo, enum req_semver_dialect dialect)
{
	struct req_partial p;
	char num[REQ_NUM_MAX + 2];
	const char *pre;
	size_t pre_len;
	int made_up;

	if (lo->kind == REQ_UNBOUNDED)
		return 0;
	if (req_parse_partial(&p, dialect, lo->version, strlen(lo->version)) || p.given != 3)
		return 0;
	pre = p.pre;
	pre_len = p.pre_len;
	p.build = NULL; /* build metadata does not order versions */
	p.build_len = 0;
	if (lo->kind == REQ_INCLUSIVE) {
		made_up = dialect == REQ_SEMVER_NPM && pre && pre_len == 1 && pre[0] == '0';
		if (made_up)
			p.pre = NULL;
		return req_format(out, p.num[0], p.num[1], p.num[2], &p, "") == ASEC_OK;
	}
	if (pre) /* ">1.2.3-rc.1": nothing lies between it and 1.2.3-rc.1.0 */
		return req_format(out, p.num[0], p.num[1], p.num[2], &p, ".0") == ASEC_OK;
	memcpy(num, p.num[2], sizeof(num));
	req_increment(num);
	return req_format(out, p.num[0], p.num[1], num, NULL, "") == ASEC_OK;
}

int req_semver_least_npm(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo)
{
	return req_semver_least(out, lo, REQ_SEMVER_NPM);
}

int req_semver_least_cargo(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo)
{
	return req_semver_least(out, lo, REQ_SEMVER_CARGO);
}

/* ---- requirement lists ---- */

int req_each_comparator(const char *text, int (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	const char *s = text;
	int rc, terms = 0;

	if (strlen(text) > REQ_MAX_TEXT) {
		error_set("longer than %d bytes", REQ_MAX_TEXT);
		return ASEC_EINVALID;
	}
	for (;;) {
		const char *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);

		if (++terms > REQ_MAX_TERMS) {
			error_set("more than %d comparators", REQ_MAX_TERMS);
			return ASEC_EINVALID;
		}
		while (s < end && isspace((unsigned char)*s))
			s++;
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
		if ((rc = fn(ctx, s, (size_t)(end - s))))
			return rc;
		if (!comma)
			return ASEC_OK;
		s = comma + 1;
	}
}

int req_set_union_list(struct req_set *set, const json_t *list, int (*parse)(struct req_set *, const char *),
		       const char *what, json_t *events, char *why, size_t why_size)
{
	struct req_set one;
	const json_t *v;
	size_t i;
	int rc = ASEC_OK;

	if (json_array_size(list) > REQ_MAX_TERMS) {
		snprintf(why, why_size, "%s has more than %d requirements", what, REQ_MAX_TERMS);
		return ASEC_EINVALID;
	}
	req_set_init(&one, set->cmp);
	json_array_foreach(list, i, v) {
		if (!json_is_string(v)) {
			snprintf(why, why_size, "%s holds something that is not a string", what);
			rc = ASEC_EINVALID;
			break;
		}
		if ((rc = req_set_fill(&one)) || (rc = parse(&one, json_string_value(v))) ||
		    (rc = req_set_union(set, &one))) {
			snprintf(why, why_size, "%s \"%.80s\": %s", what, json_string_value(v), error_last());
			break;
		}
		json_array_append_new(events, json_string(json_string_value(v)));
	}
	req_set_free(&one);
	return rc;
}
