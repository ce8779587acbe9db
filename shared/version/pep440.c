/*
 * pep440.c - Python package versions (PEP 440), as pypa/packaging orders them.
 *
 * A version is parsed once into its parts - epoch, release segments, one
 * pre-release (a/b/rc), post-release, dev-release and local label - following
 * the grammar packaging accepts: case-insensitive, a leading "v", surrounding
 * whitespace, optional "." "-" "_" separators, the alternative spellings
 * (alpha, beta, c, pre, preview, rev, r, "-N" for a post-release) and implicit
 * numbers ("1.0a" is "1.0a0"). The grammar is matched greedily; every place
 * where the reference regular expression could backtrack is one where the
 * greedy choice accepts the same strings (the keyword alternatives never
 * share a prefix a later part could use).
 *
 * The parts are then compared in the order of packaging's sort key: epoch,
 * release without trailing zeros, pre-release (a lone dev-release sorts
 * before every pre-release of that release, no pre-release after all of
 * them), post (none first), dev (none last), local (none first; numeric
 * segments above alphanumeric ones). Numbers are kept as digit strings with
 * leading zeros removed and compared by length then bytes, so any length
 * works without overflow. Parsing points into the caller's string and uses
 * only a fixed-size structure on the stack.
 *
 * Strings that are not versions (or longer than VERSION_MAX_LEN) sort below
 * every version and among themselves by strcmp, which keeps the order total.
 * Only ASCII whitespace is trimmed; Python's \s would also accept Unicode
 * spaces, which no real package index publishes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "version/version.h"

/* Every release or local segment takes at least two characters but the first. */
#define PEP440_MAX_SEGMENTS (VERSION_MAX_LEN / 2 + 1)

enum pep440_pre { PEP440_PRE_NONE = -1, PEP440_PRE_A = 0, PEP440_PRE_B = 1, PEP440_PRE_RC = 2 };

/* A run of digits without its leading zeros (len 0 is the number zero), or a
 * local label segment as written. */
struct pep440_span {
	const char *p;
	uint16_t len;
};

struct pep440_version {
	struct pep440_span epoch;
	struct pep440_span release[PEP440_MAX_SEGMENTS];
	int nrelease;
	int pre;
	struct pep440_span pre_n;
	bool has_post;
	struct pep440_span post_n;
	bool has_dev;
	struct pep440_span dev_n;
	struct pep440_span local[PEP440_MAX_SEGMENTS];
	int nlocal;
};

static bool pep440_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool pep440_is_alnum(char c)
{
	return pep440_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool pep440_is_sep(char c)
{
	return c == '.' || c == '-' || c == '_';
}

static bool pep440_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char pep440_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive "does s[0..end) start with word" (word is lower case). */
static bool pep440_has_word(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - s) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pep440_lower(s[i]) != word[i])
			return false;
	return true;
}

/* Reads digits at *s (possibly none: an implicit zero) into out. */
static void pep440_digits(struct pep440_span *out, const char **s, const char *end)
{
	const char *p = *s;

	while (p < end && *p == '0')
		p++;
	out->p = p;
	while (p < end && pep440_is_digit(*p))
		p++;
	out->len = (uint16_t)(p - out->p);
	*s = p;
}

/* Matches the longest of the keywords at *s; returns its index or -1. The
 * keyword lists are ordered longest-first where one is a prefix of another. */
static int pep440_keyword(const char **s, const char *end, const char *const *words, int nwords)
{
	for (int i = 0; i < nwords; i++) {
		if (pep440_has_word(*s, end, words[i])) {
			*s += strlen(words[i]);
			return i;
		}
	}
	return -1;
}

/* "[-_.]? keyword [-_.]? digits?" - the shape shared by pre, post and dev.
 * Returns the keyword index and leaves *s after the part, or -1 and *s
 * untouched when the part is not there. */
static int pep440_part(struct pep440_span *num, const char **s, const char *end,
		       const char *const *words, int nwords)
{
	const char *p = *s;
	int word;

	if (p < end && pep440_is_sep(*p))
		p++;
	word = pep440_keyword(&p, end, words, nwords);
	if (word < 0)
		return -1;
	if (p < end && pep440_is_sep(*p))
		p++;
	pep440_digits(num, &p, end);
	*s = p;
	return word;
}

static bool pep440_parse(struct pep440_version *v, const char *str)
{
	static const char *const pre_words[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc" };
	static const int pre_kind[] = { PEP440_PRE_A, PEP440_PRE_A, PEP440_PRE_B, PEP440_PRE_B,
					PEP440_PRE_RC, PEP440_PRE_RC, PEP440_PRE_RC, PEP440_PRE_RC };
	static const char *const post_words[] = { "post", "rev", "r" };
	static const char *const dev_words[] = { "dev" };
	const char *s, *end;
	size_t len;
	int word;

	if (!str)
		return false;
	len = strnlen(str, VERSION_MAX_LEN + 1);
	if (len > VERSION_MAX_LEN)
		return false;
	s = str;
	end = str + len;
	while (s < end && pep440_is_space(*s))
		s++;
	while (end > s && pep440_is_space(end[-1]))
		end--;

	memset(v, 0, sizeof(*v));
	v->pre = PEP440_PRE_NONE;
	if (s < end && (*s == 'v' || *s == 'V'))
		s++;

	/* Leading digits are the epoch when a "!" follows, else the first
	 * release segment. */
	if (s >= end || !pep440_is_digit(*s))
		return false;
	{
		const char *p = s;
		struct pep440_span n;

		pep440_digits(&n, &p, end);
		if (p < end && *p == '!') {
			v->epoch = n;
			s = p + 1;
		}
	}
	for (;;) {
		if (s >= end || !pep440_is_digit(*s) || v->nrelease >= PEP440_MAX_SEGMENTS)
			return false;
		pep440_digits(&v->release[v->nrelease++], &s, end);
		if (s + 1 < end && *s == '.' && pep440_is_digit(s[1]))
			s++;
		else
			break;
	}

	word = pep440_part(&v->pre_n, &s, end, pre_words, 8);
	if (word >= 0)
		v->pre = pre_kind[word];

	if (s + 1 < end && *s == '-' && pep440_is_digit(s[1])) {
		s++;
		pep440_digits(&v->post_n, &s, end);
		v->has_post = true;
	} else if (pep440_part(&v->post_n, &s, end, post_words, 3) >= 0) {
		v->has_post = true;
	}

	if (pep440_part(&v->dev_n, &s, end, dev_words, 1) >= 0)
		v->has_dev = true;

	if (s < end && *s == '+') {
		s++;
		for (;;) {
			const char *start = s;

			while (s < end && pep440_is_alnum(*s))
				s++;
			if (s == start || v->nlocal >= PEP440_MAX_SEGMENTS)
				return false;
			v->local[v->nlocal].p = start;
			v->local[v->nlocal].len = (uint16_t)(s - start);
			v->nlocal++;
			if (s < end && pep440_is_sep(*s))
				s++;
			else
				break;
		}
	}
	return s == end;
}

static int pep440_sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Numbers as digit strings without leading zeros: longer is larger. */
static int pep440_numcmp(const struct pep440_span *a, const struct pep440_span *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->len == 0) /* an absent epoch has no pointer */
		return 0;
	return pep440_sign(memcmp(a->p, b->p, a->len));
}

static bool pep440_all_digits(const struct pep440_span *s)
{
	for (uint16_t i = 0; i < s->len; i++)
		if (!pep440_is_digit(s->p[i]))
			return false;
	return true;
}

/* One local segment: numbers compare as numbers and above any word; words
 * compare case-insensitively, a proper prefix first. */
static int pep440_local_segcmp(const struct pep440_span *a, const struct pep440_span *b)
{
	bool an = pep440_all_digits(a), bn = pep440_all_digits(b);

	if (an && bn) {
		struct pep440_span x = *a, y = *b;

		while (x.len && *x.p == '0') {
			x.p++;
			x.len--;
		}
		while (y.len && *y.p == '0') {
			y.p++;
			y.len--;
		}
		return pep440_numcmp(&x, &y);
	}
	if (an != bn)
		return an ? 1 : -1;
	for (uint16_t i = 0; i < a->len && i < b->len; i++) {
		char ca = pep440_lower(a->p[i]), cb = pep440_lower(b->p[i]);

		if (ca != cb)
			return (unsigned char)ca < (unsigned char)cb ? -1 : 1;
	}
	return (a->len > b->len) - (a->len < b->len);
}

/* The pre-release rank in packaging's key: a dev-release of the release
 * itself (no pre, no post) below every pre-release, no pre-release above. */
static int pep440_pre_rank(const struct pep440_version *v)
{
	if (v->pre != PEP440_PRE_NONE)
		return 1;
	if (!v->has_post && v->has_dev)
		return 0;
	return 2;
}

static int pep440_cmp_parsed(const struct pep440_version *a, const struct pep440_version *b)
{
	static const struct pep440_span zero = { "", 0 };
	int r, n;

	if ((r = pep440_numcmp(&a->epoch, &b->epoch)) != 0)
		return r;

	/* Trailing zero segments do not count: 1.0 == 1.0.0. */
	n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	for (int i = 0; i < n; i++) {
		const struct pep440_span *x = i < a->nrelease ? &a->release[i] : &zero;
		const struct pep440_span *y = i < b->nrelease ? &b->release[i] : &zero;

		if ((r = pep440_numcmp(x, y)) != 0)
			return r;
	}

	if ((r = pep440_sign(pep440_pre_rank(a) - pep440_pre_rank(b))) != 0)
		return r;
	if (a->pre != PEP440_PRE_NONE) {
		if ((r = pep440_sign(a->pre - b->pre)) != 0)
			return r;
		if ((r = pep440_numcmp(&a->pre_n, &b->pre_n)) != 0)
			return r;
	}

	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (r = pep440_numcmp(&a->post_n, &b->post_n)) != 0)
		return r;

	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (r = pep440_numcmp(&a->dev_n, &b->dev_n)) != 0)
		return r;

	/* No local label sorts first; then segment by segment, a prefix first. */
	n = a->nlocal < b->nlocal ? a->nlocal : b->nlocal;
	for (int i = 0; i < n; i++)
		if ((r = pep440_local_segcmp(&a->local[i], &b->local[i])) != 0)
			return r;
	return (a->nlocal > b->nlocal) - (a->nlocal < b->nlocal);
}

int version_valid_pep440(const char *v)
{
	struct pep440_version parsed;

	return pep440_parse(&parsed, v) ? 1 : 0;
}

int version_compare_pep440(const char *a, const char *b)
{
	struct pep440_version pa, pb;
	bool va = pep440_parse(&pa, a), vb = pep440_parse(&pb, b);

	if (va && vb)
		return pep440_cmp_parsed(&pa, &pb);
	if (va != vb)
		return va ? 1 : -1;
	return pep440_sign(strcmp(a ? a : "", b ? b : ""));
}
