/*
 * composer.c - Composer (PHP) package version ordering.
 *
 * Composer never compares the strings it is given: it first normalizes each
 * with composer/semver's VersionParser::normalize() and then orders the
 * normalized forms with PHP's version_compare(). This file does the same two
 * steps, so that the order is Composer's by construction:
 *
 * 1. Normalization (composer/semver 3.4, VersionParser::normalize): trim;
 *    drop an alias ("1.0 as 2.0" is 1.0) and a trailing stability flag
 *    ("@dev"); "master"/"trunk"/"default" and anything starting "dev-" are
 *    branch names, kept as "dev-<name>"; drop build metadata ("+foo"); then
 *    either the classical form - optional "v", a major of one to five digits
 *    and up to three more numeric parts, padded with ".0" to four - or the
 *    date form (2010-01-02, 20100102.203040: four digits, one to six pairs,
 *    up to two short parts; separators become dots, no padding); either may
 *    be followed by a stability (stable, beta/b, RC, alpha/a, patch/pl/p),
 *    its numbers ("beta.2" is "beta2", "alpha-2.1-3" is "alpha2.1-3") and a
 *    "dev" suffix. Failing all that, a numbered branch "1.2.x-dev" becomes
 *    "1.2.9999999.9999999-dev". Everything else is not a version.
 *
 * 2. Ordering (PHP ext/standard/versioning.c, php_version_compare): the
 *    normalized string is cut into tokens at dots, dashes and digit/letter
 *    changes; numbers compare as numbers, words by the special-form table
 *    (dev < alpha = a < beta = b < RC = rc < a number < pl = p, any other
 *    word below dev) and a number meets a word as if it were the "#" form.
 *    When one side runs out, the longer one is greater if its next token is
 *    a number and otherwise as its word compares with a number - so
 *    1.0.0.0-beta < 1.0.0.0 < 1.0.0.0-patch1, and 1.0.0.0-RC1-dev < 1.0.0.0-RC1.
 *
 * Composer refuses to order a branch ("dev-foo") against anything but
 * itself. A comparator must be total, so branches sort below every numbered
 * version (where PHP's version_compare on the raw strings puts them too) and
 * among themselves by their names' bytes. Departures, on purpose: numbers of
 * any length compare exactly (PHP's strtol saturates), and control
 * characters inside a version make it invalid (PCRE's "." and the lazy
 * branch pattern would otherwise let a newline change which part is read).
 * Invalid strings sort below every valid one and among themselves by strcmp,
 * which keeps the order total and transitive.
 *
 * Nothing is allocated: a version is at most VERSION_MAX_LEN bytes, and its
 * normalized form fits a fixed buffer on the stack (padding and expanded
 * stability words add a bounded number of bytes; an overflow is refused).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "version/version.h"

#define COMPOSER_NORM_MAX (VERSION_MAX_LEN + 128)

struct composer_norm {
	char s[COMPOSER_NORM_MAX]; /* the normalized form, as Composer writes it */
	size_t len;
	int branch;     /* "dev-<name>": ordered by name only */
	int overflow;   /* never expected; makes the version invalid */
};

/* A piece of the input: s[start, end). */
struct composer_span {
	size_t start, end;
};

/* What the modifier pattern captured: the stability word, its numbers, and
 * whether a "dev" suffix was there. */
struct composer_mod {
	struct composer_span stab, nums;
	int has_stab, dev;
};

static int composer_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int composer_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* PHP's trim() set (NUL cannot occur in a C string). */
static int composer_trim_char(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

static void composer_put(struct composer_norm *n, const char *s, size_t len)
{
	if (n->overflow || len >= sizeof(n->s) - n->len) {
		n->overflow = 1;
		return;
	}
	memcpy(n->s + n->len, s, len);
	n->len += len;
	n->s[n->len] = '\0';
}

static void composer_puts(struct composer_norm *n, const char *s)
{
	composer_put(n, s, strlen(s));
}

/* Case-insensitive "does s[p..n) start with word". */
static int composer_has_word(const char *s, size_t p, size_t n, const char *word)
{
	size_t len = strlen(word);

	return n - p >= len && strncasecmp(s + p, word, len) == 0;
}

/* The "dev" group of the modifier, `([.-]?dev)?$`, at p: 1 when the rest is
 * empty or that group, setting *dev. */
static int composer_mod_dev_end(const char *s, size_t p, size_t n, int *dev)
{
	size_t q = p;

	if (q < n && (s[q] == '.' || s[q] == '-'))
		q++;
	if (composer_has_word(s, q, n, "dev") && q + 3 == n) {
		*dev = 1;
		return 1;
	}
	if (composer_has_word(s, p, n, "dev") && p + 3 == n) {
		*dev = 1;
		return 1;
	}
	*dev = 0;
	return p == n;
}

/*
 * Matches composer/semver's modifier pattern (case-insensitively)
 *   [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$
 * against s[p..n), trying the alternatives in the order PCRE backtracks
 * through them so that the captures are the ones Composer sees.
 */
static int composer_match_mod(const char *s, size_t p, size_t n, struct composer_mod *m)
{
	static const char *const stabs[] = {"stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p"};
	int sep;

	for (sep = 1; sep >= 0; sep--) {
		size_t at = p, i;

		if (sep) {
			if (at >= n || (s[at] != '.' && s[at] != '_' && s[at] != '-'))
				continue;
			at++;
		}
		for (i = 0; i < sizeof(stabs) / sizeof(stabs[0]); i++) {
			size_t q = at, nums;

			if (!composer_has_word(s, q, n, stabs[i]))
				continue;
			q += strlen(stabs[i]);
			nums = q;
			/* (?:[.-]?\d+)*+ is atomic: it takes every number it can */
			for (;;) {
				size_t r = q;

				if (r < n && (s[r] == '.' || s[r] == '-'))
					r++;
				if (r >= n || !composer_digit(s[r]))
					break;
				while (r < n && composer_digit(s[r]))
					r++;
				q = r;
			}
			if (composer_mod_dev_end(s, q, n, &m->dev)) {
				m->has_stab = 1;
				m->stab.start = at;
				m->stab.end = at + strlen(stabs[i]);
				m->nums.start = nums;
				m->nums.end = q;
				return 1;
			}
		}
		if (composer_mod_dev_end(s, at, n, &m->dev)) {
			m->has_stab = 0;
			return 1;
		}
	}
	return 0;
}

/* Appends the stability and dev suffix as VersionParser::normalize does. */
static void composer_put_mod(struct composer_norm *out, const char *s, const struct composer_mod *m)
{
	if (m->has_stab) {
		const char *w = s + m->stab.start;
		size_t len = m->stab.end - m->stab.start, k;
		char lower[8];

		/* only the exact lower-case "stable" means "no suffix at all";
		 * "STABLE" falls through and is kept as the word "stable" */
		if (len == 6 && memcmp(w, "stable", 6) == 0)
			return;
		for (k = 0; k < len && k < sizeof(lower) - 1; k++)
			lower[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] - 'A' + 'a' : w[k]);
		lower[k] = '\0';
		composer_puts(out, "-");
		if (strcmp(lower, "a") == 0)
			composer_puts(out, "alpha");
		else if (strcmp(lower, "b") == 0)
			composer_puts(out, "beta");
		else if (strcmp(lower, "p") == 0 || strcmp(lower, "pl") == 0)
			composer_puts(out, "patch");
		else if (strcmp(lower, "rc") == 0)
			composer_puts(out, "RC");
		else
			composer_puts(out, lower);
		/* ltrim(numbers, ".-") */
		k = m->nums.start;
		while (k < m->nums.end && (s[k] == '.' || s[k] == '-'))
			k++;
		composer_put(out, s + k, m->nums.end - k);
	}
	if (m->dev)
		composer_puts(out, "-dev");
}

/* ^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)? + modifier, case-insensitively. */
static int composer_classical(struct composer_norm *out, const char *s, size_t n)
{
	struct composer_mod m;
	size_t p = 0, start, parts = 0;

	if (p < n && (s[p] == 'v' || s[p] == 'V'))
		p++;
	start = p;
	while (p < n && composer_digit(s[p]))
		p++;
	if (p == start || p - start > 5)
		return 0;
	/* A digit cannot follow any of the optional groups, so taking every
	 * ".digits" group greedily is the only way the pattern can match. */
	while (parts < 3 && p + 1 < n && s[p] == '.' && composer_digit(s[p + 1])) {
		p++;
		while (p < n && composer_digit(s[p]))
			p++;
		parts++;
	}
	if (!composer_match_mod(s, p, n, &m))
		return 0;
	composer_put(out, s + start, p - start);
	for (; parts < 3; parts++)
		composer_puts(out, ".0");
	composer_put_mod(out, s, &m);
	return 1;
}

static int composer_date_sep(char c)
{
	return c == '.' || c == ':' || c == '-';
}

/* Whether g[p..n) matches (?:[.:-]?\d{2}){pairs..6}(?:[.:-]?\d{1,3}){0,2}
 * given how many pairs and short parts were already read. */
static int composer_date_rest(const char *g, size_t p, size_t n, int pairs, int shorts)
{
	size_t q = p, d;

	if (p == n)
		return pairs >= 1;
	if (composer_date_sep(g[q]))
		q++;
	for (d = 0; q + d < n && composer_digit(g[q + d]); d++)
		;
	if (shorts == 0 && pairs < 6 && d >= 2 && composer_date_rest(g, q + 2, n, pairs + 1, 0))
		return 1;
	if (pairs >= 1 && shorts < 2) {
		size_t k;

		for (k = d < 3 ? d : 3; k >= 1; k--)
			if (composer_date_rest(g, q + k, n, pairs, shorts + 1))
				return 1;
	}
	return 0;
}

/* ^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}) + modifier. The
 * date part must end with a digit and the modifier can start neither with a
 * digit nor with a separator before a digit, so the date part is the run of
 * digits and separators without its trailing separators. */
static int composer_date(struct composer_norm *out, const char *s, size_t n)
{
	struct composer_mod m;
	size_t p = 0, start, end, k;

	if (p < n && (s[p] == 'v' || s[p] == 'V'))
		p++;
	start = p;
	for (k = 0; k < 4; k++)
		if (p + k >= n || !composer_digit(s[p + k]))
			return 0;
	end = p;
	while (end < n && (composer_digit(s[end]) || composer_date_sep(s[end])))
		end++;
	while (end > start && !composer_digit(s[end - 1]))
		end--;
	if (!composer_date_rest(s, start + 4, end, 0, 0))
		return 0;
	if (!composer_match_mod(s, end, n, &m))
		return 0;
	for (k = start; k < end; k++)
		composer_put(out, composer_digit(s[k]) ? s + k : ".", 1);
	composer_put_mod(out, s, &m);
	return 1;
}

/* VersionParser::normalizeBranch for the numbered form only:
 * ^v?(\d++)(\.(?:\d++|[xX*]))?{3}$ -> "1.2.9999999.9999999-dev". */
static int composer_numbered_branch(struct composer_norm *out, const char *s, size_t n)
{
	size_t p = 0, start, parts = 0;

	while (n > 0 && composer_trim_char(s[n - 1]))
		n--;
	while (p < n && composer_trim_char(s[p]))
		p++;
	if (p < n && (s[p] == 'v' || s[p] == 'V'))
		p++;
	start = p;
	while (p < n && composer_digit(s[p]))
		p++;
	if (p == start)
		return 0;
	composer_put(out, s + start, p - start);
	while (parts < 3 && p + 1 < n && s[p] == '.') {
		char c = s[p + 1];

		if (composer_digit(c)) {
			size_t q = p + 1;

			while (q < n && composer_digit(s[q]))
				q++;
			composer_put(out, s + p, q - p);
			p = q;
		} else if (c == 'x' || c == 'X' || c == '*') {
			composer_puts(out, ".9999999");
			p += 2;
		} else {
			break;
		}
		parts++;
	}
	if (p != n)
		return 0;
	for (; parts < 3; parts++)
		composer_puts(out, ".9999999");
	composer_puts(out, "-dev");
	return 1;
}

static void composer_set_branch(struct composer_norm *out, const char *name, size_t len)
{
	out->branch = 1;
	composer_puts(out, "dev-");
	composer_put(out, name, len);
}

/* VersionParser::normalize(): 1 and the normalized form, or 0 when Composer
 * would throw UnexpectedValueException. */
static int composer_normalize(struct composer_norm *out, const char *v)
{
	static const char *const flags[] = {"stable", "RC", "beta", "alpha", "dev"};
	size_t n, b = 0, i, k;
	const char *s;

	memset(out, 0, sizeof(*out));
	if (!v)
		return 0;
	n = strnlen(v, VERSION_MAX_LEN + 1);
	if (n > VERSION_MAX_LEN)
		return 0;
	while (n > 0 && composer_trim_char(v[n - 1]))
		n--;
	while (b < n && composer_trim_char(v[b]))
		b++;
	s = v + b;
	n -= b;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;

	/* an alias, ^([^,\s]++) ++as ++([^,\s]++)$, keeps its left side */
	for (i = 0; i < n && s[i] != ' ' && s[i] != ','; i++)
		;
	if (i > 0 && i < n && s[i] == ' ') {
		size_t q = i;

		while (q < n && s[q] == ' ')
			q++;
		if (n - q >= 3 && s[q] == 'a' && s[q + 1] == 's' && s[q + 2] == ' ') {
			size_t r = q + 2;

			while (r < n && s[r] == ' ')
				r++;
			for (k = r; k < n && s[k] != ' ' && s[k] != ','; k++)
				;
			if (k > r && k == n)
				n = i;
		}
	}

	/* a trailing stability flag, @(?:stable|RC|beta|alpha|dev)$ (/i) */
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		size_t len = strlen(flags[i]);

		if (n > len && s[n - len - 1] == '@' && strncasecmp(s + n - len, flags[i], len) == 0) {
			n -= len + 1;
			break;
		}
	}

	if ((n == 6 && memcmp(s, "master", 6) == 0) || (n == 5 && memcmp(s, "trunk", 5) == 0) ||
	    (n == 7 && memcmp(s, "default", 7) == 0)) {
		composer_set_branch(out, s, n);
		return !out->overflow;
	}
	if (n >= 4 && strncasecmp(s, "dev-", 4) == 0) {
		composer_set_branch(out, s + 4, n - 4);
		return !out->overflow;
	}

	/* build metadata, ^([^,\s+]++)\+[^\s]++$, is dropped */
	for (i = 0; i < n && s[i] != ',' && s[i] != ' ' && s[i] != '+'; i++)
		;
	if (i > 0 && i + 1 < n && s[i] == '+' && !memchr(s + i + 1, ' ', n - i - 1))
		n = i;

	if (composer_classical(out, s, n) || composer_date(out, s, n))
		return !out->overflow;

	/* a numbered branch: (.*?)[.-]?dev$ (/i) whose name is numeric */
	if (n >= 3 && strncasecmp(s + n - 3, "dev", 3) == 0) {
		size_t name = n - 3;

		if (name > 0 && (s[name - 1] == '.' || s[name - 1] == '-'))
			name--;
		memset(out, 0, sizeof(*out));
		if (composer_numbered_branch(out, s, name))
			return !out->overflow;
	}
	return 0;
}

/* ---- PHP's version_compare on normalized forms ---- */

struct composer_token {
	const char *p;
	size_t len;
	int numeric;
};

/* The next token of s after *pos: dots and dashes separate tokens, and so
 * does a change between digits and letters. 0 at the end. */
static int composer_next_token(const char *s, size_t len, size_t *pos, struct composer_token *t)
{
	size_t p = *pos;

	while (p < len && !composer_digit(s[p]) && !composer_alpha(s[p]))
		p++;
	if (p >= len)
		return 0;
	t->p = s + p;
	t->numeric = composer_digit(s[p]);
	while (p < len && (t->numeric ? composer_digit(s[p]) : composer_alpha(s[p])))
		p++;
	t->len = (size_t)(s + p - t->p);
	*pos = p;
	return 1;
}

/* The special-form order of a word; a number is the form "#" (4). Matching
 * is by prefix, first entry wins, case-sensitively, as in PHP. */
static int composer_form_order(const struct composer_token *t)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {
		{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3}, {"rc", 3}, {"pl", 5}, {"p", 5},
	};
	size_t i;

	if (t->numeric)
		return 4;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t len = strlen(forms[i].name);

		if (t->len >= len && memcmp(t->p, forms[i].name, len) == 0)
			return forms[i].order;
	}
	return -6;
}

static int composer_number_cmp(const struct composer_token *a, const struct composer_token *b)
{
	const char *x = a->p, *y = b->p;
	size_t xl = a->len, yl = b->len;
	int r;

	while (xl > 1 && *x == '0') {
		x++;
		xl--;
	}
	while (yl > 1 && *y == '0') {
		y++;
		yl--;
	}
	if (xl != yl)
		return xl < yl ? -1 : 1;
	r = memcmp(x, y, xl);
	return r < 0 ? -1 : r > 0;
}

static int composer_token_cmp(const struct composer_token *a, const struct composer_token *b)
{
	int oa, ob;

	if (a->numeric && b->numeric)
		return composer_number_cmp(a, b);
	oa = composer_form_order(a);
	ob = composer_form_order(b);
	return oa < ob ? -1 : oa > ob;
}

static int composer_php_compare(const struct composer_norm *a, const struct composer_norm *b)
{
	size_t pa = 0, pb = 0;
	struct composer_token ta, tb;

	for (;;) {
		int more_a = composer_next_token(a->s, a->len, &pa, &ta);
		int more_b = composer_next_token(b->s, b->len, &pb, &tb);
		int r;

		if (!more_a && !more_b)
			return 0;
		if (more_a != more_b) {
			/* the longer side against "a number": greater when its next
			 * token is one, else as its word compares with "#" */
			const struct composer_token *t = more_a ? &ta : &tb;
			int order = composer_form_order(t), sign = t->numeric ? 1 : (order > 4) - (order < 4);

			return more_a ? sign : -sign;
		}
		if ((r = composer_token_cmp(&ta, &tb)) != 0)
			return r;
	}
}

int version_compare_composer(const char *a, const char *b)
{
	struct composer_norm na, nb;
	int a_ok = composer_normalize(&na, a), b_ok = composer_normalize(&nb, b);
	int r;

	if (!a_ok || !b_ok) {
		if (a_ok != b_ok)
			return a_ok ? 1 : -1;
		if (!a || !b)
			return a ? 1 : b ? -1 : 0;
		r = strcmp(a, b);
		return r < 0 ? -1 : r > 0;
	}
	if (na.branch != nb.branch)
		return na.branch ? -1 : 1;
	if (na.branch) {
		r = strcmp(na.s, nb.s);
		return r < 0 ? -1 : r > 0;
	}
	return composer_php_compare(&na, &nb);
}

int version_valid_composer(const char *v)
{
	struct composer_norm n;

	return composer_normalize(&n, v);
}
