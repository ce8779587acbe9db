/*
 * apk.c - Alpine (apk-tools) version ordering.
 *
 * A valid apk version is
 *     number ('.' number)* [a-z]? ('_' suffix number?)* ('~' hex)? ('-r' number)?
 * with suffix one of alpha, beta, pre, rc (pre-releases) or cvs, svn, git,
 * hg, p (post-releases). It is read as a sequence of tokens and two versions
 * are compared token by token, the way apk-tools does:
 * - same kind of token on both sides: compare the values (numbers as
 *   numbers, letters and hashes bytewise, suffixes alpha < beta < pre < rc <
 *   cvs < svn < git < hg < p);
 * - different kinds (or one side ended): a pre-release suffix is lower than
 *   anything, otherwise the side whose next token comes later in the grammar
 *   is lower (so "1.2" < "1.2.1" < ... and "1.2-r1" < "1.2_p1" < "1.2a").
 * Written as one rank per token (pre-suffix < end < -r < ~hash < suffix
 * number < post-suffix < letter < number) this is a lexicographic order, so
 * it is total and transitive.
 *
 * Components after a '.' that start with '0' are compared like decimal
 * fractions, as apk-tools does: such a component is below any component
 * without a leading zero, and two of them compare bytewise ("4.09" < "4.5",
 * "1.02" < "1.1", "8.2.0" < "8.2.001"). Two classes, each totally ordered,
 * keep this transitive. Other numbers are digit strings compared by length
 * then bytes, never parsed, so nothing overflows.
 *
 * Strings that are not valid apk versions still compare, to keep the order
 * total: they sort below every valid version and among themselves bytewise;
 * NULL and over-long strings sort below everything, equal to each other.
 */
#include <stddef.h>
#include <string.h>

#include "version/version.h"

/* Token ranks, in the order used when the two sides' token kinds differ. */
enum apk_rank {
	APK_PRE_SUFFIX = 0,
	APK_END,
	APK_REVISION,
	APK_HASH,
	APK_SUFFIX_NO,
	APK_POST_SUFFIX,
	APK_LETTER,
	APK_NUMBER,
	APK_INVALID,
};

/* Grammar position: which tokens may come next. */
enum apk_state {
	APK_AT_FIRST,     /* the first number */
	APK_AFTER_NUMBER, /* '.', letter, '_', '~', '-r' or end */
	APK_AFTER_LETTER, /* '_', '~', '-r' or end */
	APK_AFTER_SUFFIX, /* number, '_', '~', '-r' or end */
	APK_AFTER_SUFNO,  /* '_', '~', '-r' or end */
	APK_AFTER_HASH,   /* '-r' or end */
	APK_DONE,
};

struct apk_token {
	enum apk_rank rank;
	const char *text; /* digits without the leading zeros, letter, hash */
	size_t len;
	int fraction; /* a non-first number with a leading zero (text keeps it) */
	int suffix;   /* -4..-1 pre, 0..4 post */
};

struct apk_reader {
	const char *s;
	size_t len;
	size_t pos;
	enum apk_state state;
};

static const char *const apk_suffixes[] = {"alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"};
#define APK_PRE_COUNT 4

static int apk_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int apk_ishex(unsigned char c)
{
	return apk_isdigit(c) || (c >= 'a' && c <= 'f');
}

static size_t apk_span_digits(const struct apk_reader *r, size_t from)
{
	size_t k = from;

	while (k < r->len && apk_isdigit((unsigned char)r->s[k]))
		k++;
	return k - from;
}

/* Reads a number at r->pos into t; may_be_fraction for non-first components. */
static int apk_read_number(struct apk_reader *r, struct apk_token *t, int may_be_fraction)
{
	size_t n = apk_span_digits(r, r->pos), z = 0;

	if (n == 0)
		return -1;
	t->rank = APK_NUMBER;
	t->fraction = may_be_fraction && r->s[r->pos] == '0';
	if (!t->fraction)
		while (z < n && r->s[r->pos + z] == '0')
			z++;
	t->text = r->s + r->pos + z;
	t->len = n - z;
	r->pos += n;
	return 0;
}

/* Next token; APK_INVALID when the string breaks the grammar. */
static void apk_next(struct apk_reader *r, struct apk_token *t)
{
	const char *s = r->s;
	size_t k;
	unsigned char c;

	memset(t, 0, sizeof(*t));
	t->rank = APK_INVALID;
	if (r->state == APK_AT_FIRST) {
		if (apk_read_number(r, t, 0) == 0)
			r->state = APK_AFTER_NUMBER;
		return;
	}
	if (r->pos >= r->len) {
		t->rank = APK_END;
		r->state = APK_DONE;
		return;
	}
	c = (unsigned char)s[r->pos];
	if (c == '.' && r->state == APK_AFTER_NUMBER) {
		r->pos++;
		if (apk_read_number(r, t, 1) != 0)
			t->rank = APK_INVALID;
		return;
	}
	if (c >= 'a' && c <= 'z' && r->state == APK_AFTER_NUMBER) {
		t->rank = APK_LETTER;
		t->text = s + r->pos;
		t->len = 1;
		r->pos++;
		r->state = APK_AFTER_LETTER;
		return;
	}
	if (apk_isdigit(c) && r->state == APK_AFTER_SUFFIX) {
		if (apk_read_number(r, t, 0) == 0)
			t->rank = APK_SUFFIX_NO;
		r->state = APK_AFTER_SUFNO;
		return;
	}
	if (c == '_' && r->state != APK_AFTER_HASH) {
		for (k = 0; k < sizeof(apk_suffixes) / sizeof(apk_suffixes[0]); k++) {
			size_t n = strlen(apk_suffixes[k]);

			if (r->len - r->pos - 1 >= n && memcmp(s + r->pos + 1, apk_suffixes[k], n) == 0) {
				t->suffix = (int)k - APK_PRE_COUNT;
				t->rank = t->suffix < 0 ? APK_PRE_SUFFIX : APK_POST_SUFFIX;
				r->pos += 1 + n;
				r->state = APK_AFTER_SUFFIX;
				return;
			}
		}
		return;
	}
	if (c == '~' && r->state != APK_AFTER_HASH) {
		k = r->pos + 1;
		while (k < r->len && apk_ishex((unsigned char)s[k]))
			k++;
		if (k == r->pos + 1)
			return;
		t->rank = APK_HASH;
		t->text = s + r->pos + 1;
		t->len = k - r->pos - 1;
		r->pos = k;
		r->state = APK_AFTER_HASH;
		return;
	}
	if (c == '-' && r->pos + 1 < r->len && s[r->pos + 1] == 'r') {
		r->pos += 2;
		if (apk_read_number(r, t, 0) == 0) {
			t->rank = APK_REVISION;
			/* Only the end may follow a revision. */
			r->state = APK_AFTER_HASH;
			if (r->pos < r->len)
				t->rank = APK_INVALID;
		}
		return;
	}
}

static int apk_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int rc = memcmp(a, b, an < bn ? an : bn);

	if (rc == 0 && an != bn)
		return an < bn ? -1 : 1;
	return rc < 0 ? -1 : rc > 0;
}

/* Orders two tokens of the same rank. */
static int apk_token_cmp(const struct apk_token *a, const struct apk_token *b)
{
	switch (a->rank) {
	case APK_NUMBER:
		/* "0..." reads as a fraction: below any whole number, and
		 * fractions order bytewise like their decimal expansions. */
		if (a->fraction != b->fraction)
			return a->fraction ? -1 : 1;
		if (a->fraction)
			return apk_bytes_cmp(a->text, a->len, b->text, b->len);
		/* fall through */
	case APK_SUFFIX_NO:
	case APK_REVISION:
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
		return apk_bytes_cmp(a->text, a->len, b->text, b->len);
	case APK_LETTER:
	case APK_HASH:
		return apk_bytes_cmp(a->text, a->len, b->text, b->len);
	case APK_PRE_SUFFIX:
	case APK_POST_SUFFIX:
		return a->suffix < b->suffix ? -1 : a->suffix > b->suffix;
	default:
		return 0;
	}
}

static size_t apk_len(const char *v)
{
	return v ? strnlen(v, VERSION_MAX_LEN + 1) : VERSION_MAX_LEN + 1;
}

static int apk_valid_len(const char *v, size_t len)
{
	struct apk_reader r = {v, len, 0, APK_AT_FIRST};
	struct apk_token t;

	/* Every token consumes at least one byte, so this ends in len + 1 steps. */
	do {
		apk_next(&r, &t);
	} while (t.rank != APK_END && t.rank != APK_INVALID);
	return t.rank == APK_END;
}

int version_valid_apk(const char *v)
{
	size_t len = apk_len(v);

	return len > 0 && len <= VERSION_MAX_LEN && apk_valid_len(v, len);
}

int version_compare_apk(const char *a, const char *b)
{
	size_t al = apk_len(a), bl = apk_len(b);
	int a_bad = al > VERSION_MAX_LEN, b_bad = bl > VERSION_MAX_LEN;
	struct apk_reader ra = {a, al, 0, APK_AT_FIRST}, rb = {b, bl, 0, APK_AT_FIRST};
	struct apk_token ta, tb;
	int a_ok, b_ok, rc;

	if (a_bad || b_bad)
		return b_bad - a_bad;
	a_ok = apk_valid_len(a, al);
	b_ok = apk_valid_len(b, bl);
	if (!a_ok || !b_ok) {
		if (a_ok != b_ok)
			return a_ok ? 1 : -1;
		return apk_bytes_cmp(a, al, b, bl);
	}
	for (;;) {
		apk_next(&ra, &ta);
		apk_next(&rb, &tb);
		if (ta.rank != tb.rank)
			return ta.rank < tb.rank ? -1 : 1;
		if (ta.rank == APK_END)
			return 0;
		rc = apk_token_cmp(&ta, &tb);
		if (rc)
			return rc;
	}
}
