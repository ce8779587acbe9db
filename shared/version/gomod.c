/*
 * gomod.c - Go module version ordering (golang.org/x/mod/semver).
 *
 * Go modules use SemVer 2.0 with a mandatory "v" prefix, and accept the
 * shorthands "v1" and "v1.2" for "v1.0.0" and "v1.2.0" (but not with a
 * prerelease or build suffix: "v1.2-pre" and "v1+meta" are invalid). Numbers
 * and numeric prerelease identifiers must not have leading zeros. Precedence
 * is SemVer's: numeric major.minor.patch, a prerelease below its release,
 * identifiers compared numeric-below-alphanumeric, build metadata ignored.
 *
 * Invalid strings follow Go's semver.Compare exactly: every invalid string
 * compares equal to every other invalid string and below every valid one.
 * That is still a consistent total preorder (the invalid strings form one
 * class at the bottom), just not one that tells invalid strings apart.
 * Numbers of any length compare exactly (by length, then lexically) as Go
 * does; inputs longer than VERSION_MAX_LEN count as invalid, a bound Go does
 * not have. Parsing keeps pointer/length views, so nothing is allocated.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct gomod_parsed {
	const char *major, *minor, *patch; /* minor/patch point at "0" for shorthands */
	size_t major_len, minor_len, patch_len;
	const char *pre; /* NULL when there is no prerelease */
	size_t pre_len;
};

static int gomod_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int gomod_is_ident_char(char c)
{
	return gomod_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int gomod_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!gomod_is_digit(s[i]))
			return 0;
	return n > 0;
}

/* Length of the number at s (no leading zero unless it is "0"), 0 if none. */
static size_t gomod_number(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && gomod_is_digit(s[i]))
		i++;
	if (i > 1 && s[0] == '0')
		return 0;
	return i;
}

/* Length of the dot-separated identifier list at s, stopping at the first
 * character that cannot be in one; 0 when an identifier is empty or (for a
 * prerelease) numeric with a leading zero. */
static size_t gomod_idents(const char *s, size_t n, int prerelease)
{
	size_t start = 0, i = 0;

	for (;;) {
		if (i == n || s[i] == '.' || !gomod_is_ident_char(s[i])) {
			size_t len = i - start;

			if (len == 0)
				return 0;
			if (prerelease && len > 1 && s[start] == '0' && gomod_all_digits(s + start, len))
				return 0;
			if (i == n || s[i] != '.')
				return i;
			start = i + 1;
		}
		i++;
	}
}

static int gomod_parse(struct gomod_parsed *out, const char *v)
{
	size_t n = strnlen(v, VERSION_MAX_LEN + 1), i = 1, len;

	if (n > VERSION_MAX_LEN || n == 0 || v[0] != 'v')
		return -1;
	out->pre = NULL;
	out->pre_len = 0;
	out->minor = out->patch = "0";
	out->minor_len = out->patch_len = 1;

	len = gomod_number(v + i, n - i);
	if (len == 0)
		return -1;
	out->major = v + i;
	out->major_len = len;
	i += len;
	if (i == n)
		return 0;
	if (v[i] != '.')
		return -1;
	i++;

	len = gomod_number(v + i, n - i);
	if (len == 0)
		return -1;
	out->minor = v + i;
	out->minor_len = len;
	i += len;
	if (i == n)
		return 0;
	if (v[i] != '.')
		return -1;
	i++;

	len = gomod_number(v + i, n - i);
	if (len == 0)
		return -1;
	out->patch = v + i;
	out->patch_len = len;
	i += len;

	if (i < n && v[i] == '-') {
		len = gomod_idents(v + i + 1, n - i - 1, 1);
		if (len == 0)
			return -1;
		out->pre = v + i + 1;
		out->pre_len = len;
		i += len + 1;
	}
	if (i < n && v[i] == '+') {
		len = gomod_idents(v + i + 1, n - i - 1, 0);
		if (len == 0)
			return -1;
		i += len + 1;
	}
	return i == n ? 0 : -1;
}

static int gomod_num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r;

	if (al != bl)
		return al < bl ? -1 : 1;
	r = memcmp(a, b, al);
	return r < 0 ? -1 : r > 0;
}

static int gomod_ident_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int an = gomod_all_digits(a, al), bn = gomod_all_digits(b, bl), r;

	if (an && bn)
		return gomod_num_cmp(a, al, b, bl);
	if (an != bn)
		return an ? -1 : 1;
	r = memcmp(a, b, al < bl ? al : bl);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl;
}

static int gomod_pre_cmp(const struct gomod_parsed *a, const struct gomod_parsed *b)
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
		r = gomod_ident_cmp(a->pre + ai, ae - ai, b->pre + bi, be - bi);
		if (r != 0)
			return r;
		ai = ae + 1;
		bi = be + 1;
	}
}

int version_compare_gomod(const char *a, const char *b)
{
	struct gomod_parsed pa, pb;
	int a_ok = gomod_parse(&pa, a) == 0;
	int b_ok = gomod_parse(&pb, b) == 0;
	int r;

	if (!a_ok || !b_ok)
		return a_ok - b_ok;
	r = gomod_num_cmp(pa.major, pa.major_len, pb.major, pb.major_len);
	if (r == 0)
		r = gomod_num_cmp(pa.minor, pa.minor_len, pb.minor, pb.minor_len);
	if (r == 0)
		r = gomod_num_cmp(pa.patch, pa.patch_len, pb.patch, pb.patch_len);
	if (r == 0)
		r = gomod_pre_cmp(&pa, &pb);
	return r;
}

int version_valid_gomod(const char *v)
{
	struct gomod_parsed p;

	return gomod_parse(&p, v) == 0;
}
