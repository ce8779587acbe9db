/*
 * rubygems.c - RubyGems version ordering (Gem::Version#<=>).
 *
 * A gem version is valid when it matches Gem::Version's pattern: optional
 * white space, then either nothing (which means "0") or digits followed by
 * ".alnum" groups and an optional "-" suffix of [0-9A-Za-z-] groups, then
 * optional white space. Gem replaces every "-" by ".pre." and splits the rest
 * into segments at dots and at digit/letter boundaries ("1.0a1" is 1, 0, "a",
 * 1). Numeric segments compare as numbers, string segments bytewise, and a
 * string segment sorts below any number (so a string makes a prerelease).
 *
 * Comparison uses Gem's canonical segments: the leading numeric run and the
 * rest (from the first string on) each lose their trailing zeros, so
 * "1.0.0.a" equals "1.a" and "1.2.0" equals "1.2"; a missing segment then
 * counts as 0. Segments are views into the input kept in a fixed array on
 * the stack (a version of VERSION_MAX_LEN characters has at most that many
 * segments), so nothing is allocated. Numbers of any length compare exactly.
 *
 * Invalid strings (Gem raises on them) sort below every valid one and among
 * themselves by strcmp, which keeps the order total and transitive.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct rubygems_segment {
	const char *p; /* digits with leading zeros stripped, or letters */
	size_t len;    /* 0 for the number zero */
	int numeric;
};

struct rubygems_parsed {
	struct rubygems_segment seg[VERSION_MAX_LEN];
	size_t count;
};

static int rubygems_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int rubygems_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int rubygems_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int rubygems_is_alnum(char c)
{
	return rubygems_is_digit(c) || rubygems_is_alpha(c);
}

/* Length of a run of characters accepted by pred, from s. */
static size_t rubygems_span(const char *s, size_t n, int (*pred)(char))
{
	size_t i = 0;

	while (i < n && pred(s[i]))
		i++;
	return i;
}

static int rubygems_is_pre_char(char c)
{
	return rubygems_is_alnum(c) || c == '-';
}

/* Checks the whole string against Gem::Version's pattern and returns the
 * version between the surrounding white space through *start and *len. */
static int rubygems_check(const char *v, size_t *start, size_t *len)
{
	size_t n = strnlen(v, VERSION_MAX_LEN + 1), i = 0, k;

	if (n > VERSION_MAX_LEN)
		return -1;
	while (n > 0 && rubygems_is_space(v[n - 1]))
		n--;
	while (i < n && rubygems_is_space(v[i]))
		i++;
	*start = i;
	*len = n - i;
	if (i == n)
		return 0;
	k = rubygems_span(v + i, n - i, rubygems_is_digit);
	if (k == 0)
		return -1;
	i += k;
	while (i < n && v[i] == '.' && (k = rubygems_span(v + i + 1, n - i - 1, rubygems_is_alnum)) > 0)
		i += k + 1;
	if (i < n && v[i] == '-') {
		k = rubygems_span(v + i + 1, n - i - 1, rubygems_is_pre_char);
		if (k == 0)
			return -1;
		i += k + 1;
		while (i < n && v[i] == '.' &&
		       (k = rubygems_span(v + i + 1, n - i - 1, rubygems_is_pre_char)) > 0)
			i += k + 1;
	}
	return i == n ? 0 : -1;
}

/* Splits the version into segments and reduces them to canonical form. */
static int rubygems_parse(struct rubygems_parsed *out, const char *v)
{
	size_t start, n, i, k, first_string, w;

	if (rubygems_check(v, &start, &n) != 0)
		return -1;
	v += start;
	out->count = 0;
	for (i = 0; i < n;) {
		struct rubygems_segment *s = &out->seg[out->count];

		if (v[i] == '-') {
			/* Gem turns "-" into ".pre.", i.e. one extra string segment */
			s->p = "pre";
			s->len = 3;
			s->numeric = 0;
			out->count++;
			i++;
		} else if (rubygems_is_digit(v[i])) {
			k = rubygems_span(v + i, n - i, rubygems_is_digit);
			s->numeric = 1;
			while (k > 0 && v[i] == '0') {
				i++;
				k--;
			}
			s->p = v + i;
			s->len = k;
			out->count++;
			i += k;
		} else if (rubygems_is_alpha(v[i])) {
			k = rubygems_span(v + i, n - i, rubygems_is_alpha);
			s->p = v + i;
			s->len = k;
			s->numeric = 0;
			out->count++;
			i += k;
		} else {
			i++; /* a dot */
		}
	}

	/* Drop the trailing zeros of the numeric run and of the string part. */
	for (first_string = 0; first_string < out->count; first_string++)
		if (!out->seg[first_string].numeric)
			break;
	for (w = first_string; w > 0 && out->seg[w - 1].numeric && out->seg[w - 1].len == 0; w--)
		;
	if (w != first_string) {
		memmove(&out->seg[w], &out->seg[first_string],
			(out->count - first_string) * sizeof(out->seg[0]));
		out->count -= first_string - w;
	}
	while (out->count > 0 && out->seg[out->count - 1].numeric && out->seg[out->count - 1].len == 0)
		out->count--;
	return 0;
}

static int rubygems_segment_cmp(const struct rubygems_segment *a, const struct rubygems_segment *b)
{
	int r;

	if (a->numeric != b->numeric)
		return a->numeric ? 1 : -1;
	if (a->numeric && a->len != b->len)
		return a->len < b->len ? -1 : 1;
	r = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

int version_compare_rubygems(const char *a, const char *b)
{
	static const struct rubygems_segment zero = { "", 0, 1 };
	struct rubygems_parsed pa, pb;
	int a_ok = rubygems_parse(&pa, a) == 0;
	int b_ok = rubygems_parse(&pb, b) == 0;
	size_t i, limit;

	if (!a_ok || !b_ok) {
		int r;

		if (a_ok != b_ok)
			return a_ok ? 1 : -1;
		r = strcmp(a, b);
		return r < 0 ? -1 : r > 0;
	}
	limit = pa.count > pb.count ? pa.count : pb.count;
	for (i = 0; i < limit; i++) {
		int r = rubygems_segment_cmp(i < pa.count ? &pa.seg[i] : &zero,
					     i < pb.count ? &pb.seg[i] : &zero);

		if (r != 0)
			return r;
	}
	return 0;
}

int version_valid_rubygems(const char *v)
{
	size_t start, len;

	return rubygems_check(v, &start, &len) == 0;
}
