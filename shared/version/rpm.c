/*
 * rpm.c - RPM version ordering ([epoch:]version[-release], rpmvercmp).
 *
 * An EVR is split like rpm does: an epoch is the run of leading digits when
 * a ':' follows it (missing or empty epoch = 0), the release is what follows
 * the last '-'. Epochs compare as numbers, then version and release each go
 * through rpmvercmp's rule: everything that is not an ASCII letter, digit,
 * '~' or '^' only separates segments; a segment is a run of digits or a run
 * of letters; digits beat letters, digit runs compare as numbers (leading
 * zeros ignored), letter runs bytewise; '~' sorts before anything including
 * the end of the string, '^' after the end but before any segment; when one
 * string runs out first, it is the smaller one.
 *
 * Seen as token sequences (~ < end < ^ < letters < digits), this is a plain
 * lexicographic order, hence total and transitive. Two deliberate choices
 * keep it so:
 * - rpm's rpmverCmp (and so Lua's rpm.vercmp) ignores the release when only
 *   one side has one ("1.0" equals both "1.0-1" and "1.0-2"), which is not
 *   transitive; here, as in rpm.labelCompare, a missing release sorts before
 *   every release, even an empty one ("1.0" < "1.0-") or one that rpmvercmp
 *   puts below the empty string ("1.0" < "1.0-~"). A matcher that wants "any
 *   release" semantics must decide that above this layer.
 * - digit runs are compared as strings (length, then bytes), never parsed,
 *   so no size of number overflows.
 * NULL and over-long strings are below every other string and equal to each
 * other.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct rpm_evr {
	const char *epoch;
	size_t epoch_len;
	const char *version;
	size_t version_len;
	const char *release;
	size_t release_len;
	int has_epoch;
	int has_release;
};

static int rpm_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int rpm_isalpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int rpm_is_significant(unsigned char c)
{
	return rpm_isdigit(c) || rpm_isalpha(c) || c == '~' || c == '^';
}

/* Numeric compare of two digit strings of any length. */
static int rpm_numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	int rc;

	while (an && *a == '0') {
		a++;
		an--;
	}
	while (bn && *b == '0') {
		b++;
		bn--;
	}
	if (an != bn)
		return an < bn ? -1 : 1;
	rc = an ? memcmp(a, b, an) : 0;
	return rc < 0 ? -1 : rc > 0;
}

/* rpmvercmp over two byte spans. */
static int rpm_vercmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	if (an == bn && memcmp(a, b, an) == 0)
		return 0;
	for (;;) {
		int a_end, b_end, a_num, b_num, rc;
		unsigned char ca, cb;
		size_t sa, sb, la, lb;

		while (i < an && !rpm_is_significant((unsigned char)a[i]))
			i++;
		while (j < bn && !rpm_is_significant((unsigned char)b[j]))
			j++;
		a_end = i >= an;
		b_end = j >= bn;
		ca = a_end ? 0 : (unsigned char)a[i];
		cb = b_end ? 0 : (unsigned char)b[j];

		if (ca == '~' || cb == '~') {
			if (ca != '~')
				return 1;
			if (cb != '~')
				return -1;
			i++;
			j++;
			continue;
		}
		if (ca == '^' || cb == '^') {
			if (a_end)
				return -1;
			if (b_end)
				return 1;
			if (ca != '^')
				return 1;
			if (cb != '^')
				return -1;
			i++;
			j++;
			continue;
		}
		if (a_end || b_end)
			return a_end && b_end ? 0 : (a_end ? -1 : 1);

		a_num = rpm_isdigit(ca);
		b_num = rpm_isdigit(cb);
		if (a_num != b_num)
			return a_num ? 1 : -1;
		sa = i;
		sb = j;
		if (a_num) {
			while (i < an && rpm_isdigit((unsigned char)a[i]))
				i++;
			while (j < bn && rpm_isdigit((unsigned char)b[j]))
				j++;
			rc = rpm_numcmp(a + sa, i - sa, b + sb, j - sb);
		} else {
			while (i < an && rpm_isalpha((unsigned char)a[i]))
				i++;
			while (j < bn && rpm_isalpha((unsigned char)b[j]))
				j++;
			la = i - sa;
			lb = j - sb;
			rc = memcmp(a + sa, b + sb, la < lb ? la : lb);
			if (rc == 0 && la != lb)
				rc = la < lb ? -1 : 1;
		}
		if (rc)
			return rc < 0 ? -1 : 1;
	}
}

static void rpm_split(struct rpm_evr *p, const char *v, size_t len)
{
	size_t k = 0;
	const char *rest = v, *hyphen;
	size_t rest_len = len;

	memset(p, 0, sizeof(*p));
	p->epoch = "";
	p->release = "";
	while (k < len && rpm_isdigit((unsigned char)v[k]))
		k++;
	if (k < len && v[k] == ':') {
		p->has_epoch = 1;
		p->epoch = v;
		p->epoch_len = k;
		rest = v + k + 1;
		rest_len = len - k - 1;
	}
	hyphen = rest_len ? memrchr(rest, '-', rest_len) : NULL;
	p->version = rest;
	p->version_len = rest_len;
	if (hyphen) {
		p->has_release = 1;
		p->version_len = (size_t)(hyphen - rest);
		p->release = hyphen + 1;
		p->release_len = rest_len - p->version_len - 1;
	}
}

static size_t rpm_len(const char *v)
{
	return v ? strnlen(v, VERSION_MAX_LEN + 1) : VERSION_MAX_LEN + 1;
}

int version_compare_rpm(const char *a, const char *b)
{
	size_t al = rpm_len(a), bl = rpm_len(b);
	int a_bad = al > VERSION_MAX_LEN, b_bad = bl > VERSION_MAX_LEN;
	struct rpm_evr pa, pb;
	int rc;

	if (a_bad || b_bad)
		return b_bad - a_bad;
	rpm_split(&pa, a, al);
	rpm_split(&pb, b, bl);
	rc = rpm_numcmp(pa.epoch, pa.epoch_len, pb.epoch, pb.epoch_len);
	if (rc == 0)
		rc = rpm_vercmp(pa.version, pa.version_len, pb.version, pb.version_len);
	if (rc == 0 && pa.has_release != pb.has_release)
		rc = pa.has_release ? 1 : -1;
	if (rc == 0)
		rc = rpm_vercmp(pa.release, pa.release_len, pb.release, pb.release_len);
	return rc;
}

/* What rpmbuild accepts as Version and Release: these characters, and no
 * ".." anywhere (it refuses that sequence by name). */
static int rpm_part_ok(const char *s, size_t n)
{
	size_t k;

	if (n == 0)
		return 0;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (!rpm_isdigit(c) && !rpm_isalpha(c) && !strchr("._+~^", c))
			return 0;
		if (c == '.' && k > 0 && s[k - 1] == '.')
			return 0;
	}
	return 1;
}

int version_valid_rpm(const char *v)
{
	size_t len = rpm_len(v);
	struct rpm_evr p;

	if (len == 0 || len > VERSION_MAX_LEN)
		return 0;
	rpm_split(&p, v, len);
	/* rpm stores the epoch as a 32-bit unsigned number. */
	if (p.has_epoch && (p.epoch_len == 0 || rpm_numcmp(p.epoch, p.epoch_len, "4294967295", 10) > 0))
		return 0;
	if (!rpm_part_ok(p.version, p.version_len))
		return 0;
	if (p.has_release && !rpm_part_ok(p.release, p.release_len))
		return 0;
	return 1;
}
