/*
 * nuget.c - NuGet package version ordering (NuGet.Versioning's
 * NuGetVersion with the default VersionComparer).
 *
 * A NuGet version is Major[.Minor[.Patch[.Revision]]] followed by an optional
 * "-" and dot-separated release labels and an optional "+" and metadata.
 * The numeric parts are what System.Version accepts: one to four
 * non-negative numbers that fit in a signed 32-bit int, leading zeros
 * allowed; a missing part is 0, so "1", "1.0", "1.0.0" and "1.0.0.0" are
 * equal. Labels are SemVer 2.0 identifiers ([0-9A-Za-z-], non-empty, no
 * leading zero on a numeric one); metadata identifiers may have leading
 * zeros. Outer white space is trimmed, as NuGetVersion.Parse does.
 *
 * Ordering: the four numbers, then a release above any prerelease, then the
 * labels left to right - numeric below alphanumeric, numbers by value,
 * alphanumeric labels case-insensitively (NuGet applies SemVer 2.0.1's
 * case-insensitive rule to every version) - with fewer labels sorting first;
 * metadata is ignored.
 *
 * Departures from NuGet, on purpose: a numeric label is any all-digit label
 * and compares exactly however long it is (NuGet treats one beyond Int32 as
 * alphanumeric), and white space inside the version is refused (System.Version
 * would tolerate it around a number). Invalid strings, which NuGet refuses to
 * parse, sort below every valid one and among themselves by strcmp, so the
 * order stays total and transitive.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "version/version.h"

#define NUGET_PARTS 4

struct nuget_parsed {
	uint32_t part[NUGET_PARTS];
	const char *labels; /* NULL when the version is a release */
	size_t labels_len;
};

static int nuget_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int nuget_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int nuget_is_ident_char(char c)
{
	return nuget_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int nuget_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!nuget_is_digit(s[i]))
			return 0;
	return n > 0;
}

/* Whether s[0..n) is a non-empty dot-separated list of non-empty
 * identifiers; labels must not have a leading zero on a numeric one. */
static int nuget_idents_ok(const char *s, size_t n, int labels)
{
	size_t start = 0, i;

	if (n == 0)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t len = i - start;

			if (len == 0)
				return 0;
			if (labels && len > 1 && s[start] == '0' && nuget_all_digits(s + start, len))
				return 0;
			start = i + 1;
		} else if (!nuget_is_ident_char(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* Parses the numeric parts s[0..n): 1 to 4 numbers, each at most INT32_MAX. */
static int nuget_parse_numbers(struct nuget_parsed *out, const char *s, size_t n)
{
	size_t i = 0, count = 0;

	memset(out->part, 0, sizeof(out->part));
	for (;;) {
		uint64_t value = 0;
		size_t digits = 0;

		if (count == NUGET_PARTS)
			return -1;
		while (i < n && nuget_is_digit(s[i])) {
			value = value * 10 + (uint64_t)(s[i] - '0');
			if (value > INT32_MAX)
				return -1;
			i++;
			digits++;
		}
		if (digits == 0)
			return -1;
		out->part[count++] = (uint32_t)value;
		if (i == n)
			return 0;
		if (s[i] != '.')
			return -1;
		i++;
	}
}

static int nuget_parse(struct nuget_parsed *out, const char *v)
{
	size_t n = strnlen(v, VERSION_MAX_LEN + 1), i = 0, end;
	const char *p;

	if (n > VERSION_MAX_LEN)
		return -1;
	while (n > 0 && nuget_is_space(v[n - 1]))
		n--;
	while (i < n && nuget_is_space(v[i]))
		i++;
	v += i;
	n -= i;

	/* The numbers end at the first "-" or "+", labels at the first "+". */
	for (end = 0; end < n && v[end] != '-' && v[end] != '+'; end++)
		;
	if (nuget_parse_numbers(out, v, end) != 0)
		return -1;
	out->labels = NULL;
	out->labels_len = 0;
	if (end < n && v[end] == '-') {
		p = memchr(v + end + 1, '+', n - end - 1);
		out->labels = v + end + 1;
		out->labels_len = p ? (size_t)(p - out->labels) : n - end - 1;
		if (!nuget_idents_ok(out->labels, out->labels_len, 1))
			return -1;
		end += 1 + out->labels_len;
	}
	if (end < n && !nuget_idents_ok(v + end + 1, n - end - 1, 0))
		return -1;
	return 0;
}

static int nuget_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int nuget_label_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int an = nuget_all_digits(a, al), bn = nuget_all_digits(b, bl);
	size_t i;

	if (an && bn) {
		while (al > 1 && *a == '0') {
			a++;
			al--;
		}
		while (bl > 1 && *b == '0') {
			b++;
			bl--;
		}
		if (al != bl)
			return al < bl ? -1 : 1;
	} else if (an != bn) {
		return an ? -1 : 1;
	}
	/* OrdinalIgnoreCase: upper-case both, then compare code units */
	for (i = 0; i < al && i < bl; i++) {
		int ca = nuget_upper((unsigned char)a[i]), cb = nuget_upper((unsigned char)b[i]);

		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return al < bl ? -1 : al > bl;
}

static int nuget_labels_cmp(const struct nuget_parsed *a, const struct nuget_parsed *b)
{
	size_t ai = 0, bi = 0;

	if (!a->labels || !b->labels)
		return a->labels ? -1 : b->labels ? 1 : 0;
	for (;;) {
		size_t ae = ai, be = bi;
		int r;

		if (ai > a->labels_len || bi > b->labels_len)
			return ai > a->labels_len ? (bi > b->labels_len ? 0 : -1) : 1;
		while (ae < a->labels_len && a->labels[ae] != '.')
			ae++;
		while (be < b->labels_len && b->labels[be] != '.')
			be++;
		r = nuget_label_cmp(a->labels + ai, ae - ai, b->labels + bi, be - bi);
		if (r != 0)
			return r;
		ai = ae + 1;
		bi = be + 1;
	}
}

int version_compare_nuget(const char *a, const char *b)
{
	struct nuget_parsed pa, pb;
	int a_ok = nuget_parse(&pa, a) == 0;
	int b_ok = nuget_parse(&pb, b) == 0;
	size_t i;

	if (!a_ok || !b_ok) {
		int r;

		if (a_ok != b_ok)
			return a_ok ? 1 : -1;
		r = strcmp(a, b);
		return r < 0 ? -1 : r > 0;
	}
	for (i = 0; i < NUGET_PARTS; i++)
		if (pa.part[i] != pb.part[i])
			return pa.part[i] < pb.part[i] ? -1 : 1;
	return nuget_labels_cmp(&pa, &pb);
}

int version_valid_nuget(const char *v)
{
	struct nuget_parsed p;

	return nuget_parse(&p, v) == 0;
}
