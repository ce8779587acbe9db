/*
 * semver.c - SemVer 2.0 ordering as npm's node-semver applies it (strict and
 * loose parsing).
 *
 * A version is parsed once into pointer/length views of the input (major,
 * minor, patch, prerelease), so comparing never allocates. Precedence follows
 * semver.org 2.0 section 11: numeric major.minor.patch, then a version with a
 * prerelease sorts below the same version without one, prerelease
 * identifiers compare left to right (numeric ones as numbers and below
 * alphanumeric ones, alphanumeric ones by ASCII), a shorter list of equal
 * identifiers sorts first, and build metadata is ignored.
 *
 * Parsing follows node-semver's regular expressions:
 *  - strict ("FULL"): optional single leading "v", no leading zeros in
 *    numeric parts or numeric prerelease identifiers. node-semver's strict
 *    mode does not accept a leading "=", so neither do we.
 *  - loose ("LOOSE"): any run of "v", "=" and spaces before the version,
 *    leading zeros allowed, and the hyphen before the prerelease is optional
 *    ("1.2.3beta"). Where the regular expression would backtrack (the patch
 *    digits giving some of theirs to a hyphen-less prerelease, or a lone "-"
 *    becoming an identifier) we try the same alternatives in the same order.
 * Both trim ASCII white space first, and refuse inputs longer than
 * VERSION_MAX_LEN (node-semver's MAX_LENGTH is the same 256).
 *
 * Deliberate departures from node-semver: numbers of any length are valid
 * and compare exactly (digit strings by length, then lexically), where
 * node-semver rejects parts beyond 2^53-1 and compares huge prerelease
 * numbers as floating point. An invalid string, which node-semver would
 * throw on, sorts below every valid one, and invalid strings order among
 * themselves by strcmp, so the order stays total and transitive.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct semver_parsed {
	const char *major, *minor, *patch;
	size_t major_len, minor_len, patch_len;
	const char *pre; /* NULL when there is no prerelease */
	size_t pre_len;
};

static int semver_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int semver_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int semver_is_ident_char(char c)
{
	return semver_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Compares two digit strings as unbounded numbers: leading zeros dropped,
 * then the longer is larger, then lexical order decides. */
static int semver_num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r;

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
	r = memcmp(a, b, al);
	return r < 0 ? -1 : r > 0;
}

static int semver_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!semver_is_digit(s[i]))
			return 0;
	return n > 0;
}

/* Whether s[0..n) is a non-empty dot-separated list of non-empty identifiers
 * of [0-9A-Za-z-]; with no_leading_zero, all-digit identifiers other than
 * "0" must not start with 0 (strict prerelease). */
static int semver_idents_ok(const char *s, size_t n, int no_leading_zero)
{
	size_t start = 0, i;

	if (n == 0)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t len = i - start;

			if (len == 0)
				return 0;
			if (no_leading_zero && len > 1 && s[start] == '0' &&
			    semver_all_digits(s + start, len))
				return 0;
			start = i + 1;
		} else if (!semver_is_ident_char(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* Parses what follows the patch number: [-]prerelease and +build. */
static int semver_parse_rest(struct semver_parsed *out, const char *s, size_t n, int loose)
{
	const char *plus = memchr(s, '+', n);
	size_t pre_n = plus ? (size_t)(plus - s) : n;

	out->pre = NULL;
	out->pre_len = 0;
	if (pre_n > 0) {
		if (s[0] == '-' && semver_idents_ok(s + 1, pre_n - 1, !loose)) {
			out->pre = s + 1;
			out->pre_len = pre_n - 1;
		} else if (loose && semver_idents_ok(s, pre_n, 0)) {
			/* node-semver's "-?" gave up the hyphen, or there was none */
			out->pre = s;
			out->pre_len = pre_n;
		} else {
			return -1;
		}
	}
	if (plus && !semver_idents_ok(plus + 1, n - pre_n - 1, 0))
		return -1;
	return 0;
}

/* Reads a run of digits; strict refuses a leading zero on a longer number. */
static size_t semver_digits(const char *s, size_t n, int loose)
{
	size_t i = 0;

	while (i < n && semver_is_digit(s[i]))
		i++;
	if (!loose && i > 1 && s[0] == '0')
		return 0;
	return i;
}

static int semver_parse(struct semver_parsed *out, const char *v, int loose)
{
	size_t n = strnlen(v, VERSION_MAX_LEN + 1), i = 0, len, plen;

	if (n > VERSION_MAX_LEN)
		return -1;
	while (n > 0 && semver_is_space(v[n - 1]))
		n--;
	while (i < n && semver_is_space(v[i]))
		i++;
	if (loose) {
		while (i < n && (v[i] == 'v' || v[i] == '=' || semver_is_space(v[i])))
			i++;
	} else if (i < n && v[i] == 'v') {
		i++;
	}

	len = semver_digits(v + i, n - i, loose);
	if (len == 0 || i + len >= n || v[i + len] != '.')
		return -1;
	out->major = v + i;
	out->major_len = len;
	i += len + 1;

	len = semver_digits(v + i, n - i, loose);
	if (len == 0 || i + len >= n || v[i + len] != '.')
		return -1;
	out->minor = v + i;
	out->minor_len = len;
	i += len + 1;

	len = semver_digits(v + i, n - i, loose);
	if (len == 0)
		return -1;
	out->patch = v + i;
	/* The loose expression may hand trailing patch digits to a hyphen-less
	 * prerelease ("1.2.34.5" is 1.2.3-4.5); try greedy first, as it does. */
	for (plen = len; plen >= 1; plen--) {
		if (semver_parse_rest(out, v + i + plen, n - i - plen, loose) == 0) {
			out->patch_len = plen;
			return 0;
		}
		if (!loose)
			break;
	}
	return -1;
}

/* Compares one prerelease identifier with another per semver.org 11.4. */
static int semver_ident_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int an = semver_all_digits(a, al), bn = semver_all_digits(b, bl), r;

	if (an && bn)
		return semver_num_cmp(a, al, b, bl);
	if (an != bn)
		return an ? -1 : 1;
	r = memcmp(a, b, al < bl ? al : bl);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl;
}

static int semver_pre_cmp(const struct semver_parsed *a, const struct semver_parsed *b)
{
	size_t ai = 0, bi = 0;

	if (!a->pre || !b->pre)
		return a->pre ? -1 : b->pre ? 1 : 0;
	for (;;) {
		size_t ae = ai, be = bi;
		int r;

		if (ai > a->pre_len || bi > b->pre_len)
			return ai > a->pre_len ? (bi > b->pre_len ? 0 : -1) : 1;
		while (ae < a->pre_len && a->pre[ae] != '.')
			ae++;
		while (be < b->pre_len && b->pre[be] != '.')
			be++;
		r = semver_ident_cmp(a->pre + ai, ae - ai, b->pre + bi, be - bi);
		if (r != 0)
			return r;
		ai = ae + 1;
		bi = be + 1;
	}
}

static int semver_compare_parsed(const struct semver_parsed *a, const struct semver_parsed *b)
{
	int r = semver_num_cmp(a->major, a->major_len, b->major, b->major_len);

	if (r == 0)
		r = semver_num_cmp(a->minor, a->minor_len, b->minor, b->minor_len);
	if (r == 0)
		r = semver_num_cmp(a->patch, a->patch_len, b->patch, b->patch_len);
	if (r == 0)
		r = semver_pre_cmp(a, b);
	return r;
}

static int semver_compare_mode(const char *a, const char *b, int loose)
{
	struct semver_parsed pa, pb;
	int a_ok = semver_parse(&pa, a, loose) == 0;
	int b_ok = semver_parse(&pb, b, loose) == 0;

	if (!a_ok || !b_ok) {
		int r;

		if (a_ok != b_ok)
			return a_ok ? 1 : -1;
		r = strcmp(a, b);
		return r < 0 ? -1 : r > 0;
	}
	return semver_compare_parsed(&pa, &pb);
}

int version_compare_semver(const char *a, const char *b)
{
	return semver_compare_mode(a, b, 0);
}

int version_compare_semver_loose(const char *a, const char *b)
{
	return semver_compare_mode(a, b, 1);
}

int version_valid_semver(const char *v)
{
	struct semver_parsed p;

	return semver_parse(&p, v, 0) == 0;
}
