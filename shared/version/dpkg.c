/*
 * dpkg.c - Debian version ordering ([epoch:]upstream[-revision]).
 *
 * Debian Policy 5.6.12 defines the order: epochs compare as numbers (a
 * missing epoch is 0), then the upstream part, then the revision (what
 * follows the last '-'; a missing revision compares like "0"). Upstream and
 * revision are compared the same way: the string alternates non-digit and
 * digit runs; non-digit runs compare character by character with '~' below
 * the end of the run, the end below letters, letters below everything else;
 * digit runs compare as numbers.
 *
 * Two ideas keep this total and safe on hostile input:
 * - digit runs are never converted to integers: leading zeros are skipped
 *   and the remaining digit strings compare by length, then bytewise, so a
 *   200-digit number cannot overflow anything;
 * - compare accepts any string of at most VERSION_MAX_LEN bytes and splits
 *   it the same way dpkg would (first ':' ends the epoch, last '-' starts the
 *   revision), so the order is a total preorder even on strings that
 *   version_valid_dpkg() rejects. NULL and over-long strings are
 *   "unorderable": below every other string and equal to each other.
 *
 * dpkg reads the epoch with strtol(), so a sign is part of the grammar it
 * accepts: "+1:" is epoch 1 and "-0:" epoch 0 (a negative epoch is refused).
 * That sign is dropped before anything else looks at the epoch.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct dpkg_parts {
	const char *epoch;
	size_t epoch_len;
	const char *upstream;
	size_t upstream_len;
	const char *revision;
	size_t revision_len;
	int has_epoch;
	int has_revision;
};

static int dpkg_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int dpkg_isalpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Weight of one character of a non-digit run; 0 stands for "run ended",
 * which is why letters and others are pushed above it and '~' below. */
static int dpkg_weight(unsigned char c)
{
	if (c == '~')
		return -1;
	if (dpkg_isalpha(c))
		return c;
	return c + 256;
}

/* Compares two digit runs numerically; advances both cursors past them. */
static int dpkg_digits_cmp(const char *a, size_t an, size_t *i, const char *b, size_t bn, size_t *j)
{
	size_t sa, sb, la, lb;
	int rc;

	while (*i < an && a[*i] == '0')
		(*i)++;
	while (*j < bn && b[*j] == '0')
		(*j)++;
	sa = *i;
	sb = *j;
	while (*i < an && dpkg_isdigit((unsigned char)a[*i]))
		(*i)++;
	while (*j < bn && dpkg_isdigit((unsigned char)b[*j]))
		(*j)++;
	la = *i - sa;
	lb = *j - sb;
	if (la != lb)
		return la < lb ? -1 : 1;
	rc = la ? memcmp(a + sa, b + sb, la) : 0;
	return rc < 0 ? -1 : rc > 0;
}

/* dpkg's verrevcmp over two byte spans (not NUL-terminated). */
static int dpkg_verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	int rc;

	while (i < an || j < bn) {
		for (;;) {
			int a_text = i < an && !dpkg_isdigit((unsigned char)a[i]);
			int b_text = j < bn && !dpkg_isdigit((unsigned char)b[j]);
			int wa, wb;

			if (!a_text && !b_text)
				break;
			wa = a_text ? dpkg_weight((unsigned char)a[i]) : 0;
			wb = b_text ? dpkg_weight((unsigned char)b[j]) : 0;
			if (wa != wb)
				return wa < wb ? -1 : 1;
			i += a_text;
			j += b_text;
		}
		rc = dpkg_digits_cmp(a, an, &i, b, bn, &j);
		if (rc)
			return rc;
	}
	return 0;
}

/* Drops the sign strtol() would read from a "+N" or "-0" epoch. */
static void dpkg_epoch_unsign(struct dpkg_parts *p)
{
	size_t k, zeros = 0;

	if (p->epoch_len < 2 || (p->epoch[0] != '+' && p->epoch[0] != '-'))
		return;
	for (k = 1; k < p->epoch_len; k++) {
		if (!dpkg_isdigit((unsigned char)p->epoch[k]))
			return;
		zeros += p->epoch[k] == '0';
	}
	if (p->epoch[0] == '-' && zeros != p->epoch_len - 1)
		return;
	p->epoch++;
	p->epoch_len--;
}

static void dpkg_split(struct dpkg_parts *p, const char *v, size_t len)
{
	const char *colon = memchr(v, ':', len);
	const char *rest = v;
	const char *hyphen;
	size_t rest_len = len;

	memset(p, 0, sizeof(*p));
	p->epoch = "";
	p->revision = "";
	if (colon) {
		p->has_epoch = 1;
		p->epoch = v;
		p->epoch_len = (size_t)(colon - v);
		rest = colon + 1;
		rest_len = len - p->epoch_len - 1;
		dpkg_epoch_unsign(p);
	}
	hyphen = rest_len ? memrchr(rest, '-', rest_len) : NULL;
	p->upstream = rest;
	p->upstream_len = rest_len;
	if (hyphen) {
		p->has_revision = 1;
		p->upstream_len = (size_t)(hyphen - rest);
		p->revision = hyphen + 1;
		p->revision_len = rest_len - p->upstream_len - 1;
	}
}

/* Length of v, or VERSION_MAX_LEN + 1 when v is NULL or too long. */
static size_t dpkg_len(const char *v)
{
	return v ? strnlen(v, VERSION_MAX_LEN + 1) : VERSION_MAX_LEN + 1;
}

int version_compare_dpkg(const char *a, const char *b)
{
	size_t al = dpkg_len(a), bl = dpkg_len(b);
	int a_bad = al > VERSION_MAX_LEN, b_bad = bl > VERSION_MAX_LEN;
	struct dpkg_parts pa, pb;
	int rc;

	if (a_bad || b_bad)
		return b_bad - a_bad;
	dpkg_split(&pa, a, al);
	dpkg_split(&pb, b, bl);
	/* The epoch goes through verrevcmp too: on digits it is a numeric
	 * compare where "" equals "0", and it stays total on junk epochs. */
	rc = dpkg_verrevcmp(pa.epoch, pa.epoch_len, pb.epoch, pb.epoch_len);
	if (rc == 0)
		rc = dpkg_verrevcmp(pa.upstream, pa.upstream_len, pb.upstream, pb.upstream_len);
	if (rc == 0)
		rc = dpkg_verrevcmp(pa.revision, pa.revision_len, pb.revision, pb.revision_len);
	return rc;
}

/* dpkg keeps epochs in an int: anything above INT_MAX is refused. */
static int dpkg_epoch_ok(const char *e, size_t n)
{
	static const char max[] = "2147483647";
	size_t k;

	if (n == 0)
		return 0;
	for (k = 0; k < n; k++)
		if (!dpkg_isdigit((unsigned char)e[k]))
			return 0;
	while (n > 1 && *e == '0') {
		e++;
		n--;
	}
	if (n != sizeof(max) - 1)
		return n < sizeof(max) - 1;
	return memcmp(e, max, n) <= 0;
}

int version_valid_dpkg(const char *v)
{
	size_t len = dpkg_len(v), k;
	struct dpkg_parts p;

	if (len == 0 || len > VERSION_MAX_LEN)
		return 0;
	dpkg_split(&p, v, len);
	if (p.has_epoch && !dpkg_epoch_ok(p.epoch, p.epoch_len))
		return 0;
	/* dpkg refuses an upstream that does not start with a digit. */
	if (p.upstream_len == 0 || !dpkg_isdigit((unsigned char)p.upstream[0]))
		return 0;
	for (k = 0; k < p.upstream_len; k++) {
		unsigned char c = (unsigned char)p.upstream[k];

		if (!dpkg_isdigit(c) && !dpkg_isalpha(c) && !strchr(".+~-:", c))
			return 0;
	}
	if (p.has_revision) {
		if (p.revision_len == 0)
			return 0;
		for (k = 0; k < p.revision_len; k++) {
			unsigned char c = (unsigned char)p.revision[k];

			if (!dpkg_isdigit(c) && !dpkg_isalpha(c) && !strchr(".+~", c))
				return 0;
		}
	}
	return 1;
}
