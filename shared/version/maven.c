/*
 * maven.c - Maven version ordering, as ComparableVersion orders it (3.9).
 *
 * Maven accepts any string as a version. It is cut into items at ".", at "-"
 * and where digits meet letters; a "-" (and a digit-to-letter change) opens
 * a nested list, so "1-2" is [1, [2]] and sorts below "1.2". A letter run
 * directly followed by digits ("rc1", also written "rc-1") is one
 * combination item of a qualifier and a number. Qualifiers have a fixed
 * rank (alpha=a < beta=b < milestone=m < rc=cr < snapshot < "" = ga = final
 * = release < sp), unknown qualifiers come after them in lexical order, and
 * after parsing each list drops its null items (0, "", empty lists) where
 * they do not change the order, so "1.0.0" equals "1" and "1-ga" equals "1".
 * The item-against-item rules (number > qualifier, a list below a number but
 * compared by its first item against a qualifier, missing items as null)
 * follow ComparableVersion exactly, including its later transitivity fixes
 * (a list compared with a scalar looks at all its items, a list holding
 * only a list is flattened, "1-ga1" sorts above "1").
 *
 * The tree lives in a fixed array on the stack: a list's children are
 * always contiguous in creation order, because once a list receives a nested
 * list it never receives another item; so a list is just (first, count) and
 * normalising shifts within that range. Numbers stay digit strings without
 * leading zeros, compared by length then bytes: no size limit, no overflow.
 * Strings longer than VERSION_MAX_LEN (which Maven itself refuses) sort
 * below every other string and by strcmp among themselves. Case folding is
 * ASCII only, where Maven folds with the English locale.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "version/version.h"

/* Each input character adds at most one item and one list; the root list and
 * the final item and list add three more. */
#define MAVEN_MAX_ITEMS (2 * VERSION_MAX_LEN + 8)

enum maven_type { MAVEN_NUM, MAVEN_STR, MAVEN_COMB, MAVEN_LIST };

/* Qualifier ranks; MAVEN_RANK_RELEASE is the rank of no qualifier at all. */
enum {
	MAVEN_RANK_ALPHA,
	MAVEN_RANK_BETA,
	MAVEN_RANK_MILESTONE,
	MAVEN_RANK_RC,
	MAVEN_RANK_SNAPSHOT,
	MAVEN_RANK_RELEASE,
	MAVEN_RANK_SP,
	MAVEN_RANK_UNKNOWN,
};

struct maven_item {
	uint8_t type;
	uint8_t rank;	/* MAVEN_STR, MAVEN_COMB: rank of the qualifier */
	uint16_t off;	/* MAVEN_NUM: digits; MAVEN_STR, MAVEN_COMB: qualifier text */
	uint16_t len;
	uint16_t doff;	/* MAVEN_COMB: the number after the qualifier */
	uint16_t dlen;
	uint16_t first; /* MAVEN_LIST: children are items[first .. first+count) */
	uint16_t count;
};

struct maven_version {
	const char *s;
	struct maven_item items[MAVEN_MAX_ITEMS];
	int n;
};

static bool maven_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char maven_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int maven_sign(int x)
{
	return (x > 0) - (x < 0);
}

static bool maven_text_is(const char *s, size_t len, const char *word)
{
	if (strlen(word) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (maven_lower(s[i]) != word[i])
			return false;
	return true;
}

/* The rank of a qualifier; a lone a/b/m right before digits abbreviates
 * alpha/beta/milestone ("a1" is alpha-1, but "1a" is the unknown "a"). */
static uint8_t maven_rank(const char *s, size_t len, bool followed_by_digit)
{
	static const struct {
		const char *word;
		uint8_t rank;
	} known[] = {
		{ "alpha", MAVEN_RANK_ALPHA },	       { "beta", MAVEN_RANK_BETA },
		{ "milestone", MAVEN_RANK_MILESTONE }, { "rc", MAVEN_RANK_RC },
		{ "cr", MAVEN_RANK_RC },	       { "snapshot", MAVEN_RANK_SNAPSHOT },
		{ "", MAVEN_RANK_RELEASE },	       { "ga", MAVEN_RANK_RELEASE },
		{ "final", MAVEN_RANK_RELEASE },       { "release", MAVEN_RANK_RELEASE },
		{ "sp", MAVEN_RANK_SP },
	};

	if (followed_by_digit && len == 1) {
		switch (maven_lower(s[0])) {
		case 'a':
			return MAVEN_RANK_ALPHA;
		case 'b':
			return MAVEN_RANK_BETA;
		case 'm':
			return MAVEN_RANK_MILESTONE;
		default:
			break;
		}
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (maven_text_is(s, len, known[i].word))
			return known[i].rank;
	return MAVEN_RANK_UNKNOWN;
}

static struct maven_item *maven_add(struct maven_version *v, int list)
{
	struct maven_item *it = &v->items[v->n];

	/* Cannot overflow: see MAVEN_MAX_ITEMS. */
	memset(it, 0, sizeof(*it));
	v->n++;
	v->items[list].count++;
	return it;
}

/* Adds a nested list to list and returns its index: it becomes the list
 * that receives the following items. */
static int maven_add_list(struct maven_version *v, int list)
{
	struct maven_item *it = maven_add(v, list);

	it->type = MAVEN_LIST;
	it->first = (uint16_t)v->n;
	return (int)(it - v->items);
}

static void maven_add_zero(struct maven_version *v, int list)
{
	maven_add(v, list)->type = MAVEN_NUM;
}

static void maven_strip_zeros(size_t *off, size_t end, const char *s)
{
	while (*off < end && s[*off] == '0')
		(*off)++;
}

/* One item from s[from..to): a combination (letters, maybe "-", digits), a
 * number or a qualifier. */
static void maven_add_item(struct maven_version *v, int list, bool combination, bool digit,
			   size_t from, size_t to)
{
	struct maven_item *it = maven_add(v, list);
	const char *s = v->s;

	if (combination) {
		size_t k = from, text_end;

		while (k < to && !maven_is_digit(s[k]))
			k++;
		text_end = k;
		if (text_end > from && s[text_end - 1] == '-')
			text_end--;
		it->type = MAVEN_COMB;
		it->off = (uint16_t)from;
		it->len = (uint16_t)(text_end - from);
		it->rank = maven_rank(s + from, text_end - from, true);
		maven_strip_zeros(&k, to, s);
		it->doff = (uint16_t)k;
		it->dlen = (uint16_t)(to - k);
	} else if (digit) {
		maven_strip_zeros(&from, to, s);
		it->type = MAVEN_NUM;
		it->off = (uint16_t)from;
		it->len = (uint16_t)(to - from);
	} else {
		it->type = MAVEN_STR;
		it->off = (uint16_t)from;
		it->len = (uint16_t)(to - from);
		it->rank = maven_rank(s + from, to - from, false);
	}
}

static bool maven_is_null(const struct maven_item *it)
{
	switch (it->type) {
	case MAVEN_NUM:
	case MAVEN_STR:
		return it->len == 0;
	case MAVEN_LIST:
		return it->count == 0;
	default:
		return false;
	}
}

/* Drops null items that are last or stand before a qualifier (directly or
 * as the first item of the nested list), so "1.0" == "1" and "1-0-rc" ==
 * "1-rc"; then a list left holding only a list takes that list's items. */
static void maven_normalize(struct maven_version *v, struct maven_item *list)
{
	struct maven_item *kids = &v->items[list->first];

	for (int i = (int)list->count - 1; i >= 0; i--) {
		bool drop = false;

		if (!maven_is_null(&kids[i]))
			continue;
		if (i == (int)list->count - 1 || kids[i + 1].type == MAVEN_STR) {
			drop = true;
		} else if (kids[i + 1].type == MAVEN_LIST && kids[i + 1].count > 0) {
			uint8_t t = v->items[kids[i + 1].first].type;

			drop = t == MAVEN_COMB || t == MAVEN_STR;
		}
		if (drop) {
			memmove(&kids[i], &kids[i + 1], (list->count - (size_t)i - 1) * sizeof(*kids));
			list->count--;
		}
	}
	if (list->count == 1 && kids[0].type == MAVEN_LIST) {
		list->first = kids[0].first;
		list->count = kids[0].count;
	}
}

static void maven_parse(struct maven_version *v, const char *s, size_t len)
{
	int list = 0;
	bool digit = false, combination = false;
	size_t start = 0;

	v->s = s;
	v->n = 1;
	memset(&v->items[0], 0, sizeof(v->items[0]));
	v->items[0].type = MAVEN_LIST;
	v->items[0].first = 1;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (i == start)
				maven_add_zero(v, list);
			else
				maven_add_item(v, list, combination, digit, start, i);
			combination = false;
			start = i + 1;
		} else if (c == '-') {
			if (i == start) {
				maven_add_zero(v, list);
			} else {
				/* "rc-1" is read as "rc1". */
				if (!digit && i + 1 < len && maven_is_digit(s[i + 1])) {
					combination = true;
					continue;
				}
				maven_add_item(v, list, combination, digit, start, i);
			}
			start = i + 1;
			if (v->items[list].count > 0)
				list = maven_add_list(v, list);
			combination = false;
		} else if (maven_is_digit(c)) {
			if (!digit && i > start) {
				combination = true;
				if (v->items[list].count > 0)
					list = maven_add_list(v, list);
			}
			digit = true;
		} else {
			if (digit && i > start) {
				maven_add_item(v, list, combination, true, start, i);
				start = i;
				list = maven_add_list(v, list);
				combination = false;
			}
			digit = false;
		}
	}
	if (len > start) {
		/* A trailing ".X" qualifier is treated as "-X": 1.0.0.X1 < 1.0.0-X2. */
		if (!digit && v->items[list].count > 0)
			list = maven_add_list(v, list);
		maven_add_item(v, list, combination, digit, start, len);
	}

	/* Innermost lists first, as nested lists are created after their parents. */
	for (int i = v->n - 1; i >= 0; i--)
		if (v->items[i].type == MAVEN_LIST)
			maven_normalize(v, &v->items[i]);
}

static int maven_numcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return maven_sign(memcmp(a, b, alen));
}

/* Known qualifiers by rank; unknown ones after them, lexically. */
static int maven_qualcmp(const struct maven_version *va, const struct maven_item *a,
			 const struct maven_version *vb, const struct maven_item *b)
{
	const char *x = va->s + a->off, *y = vb->s + b->off;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank != MAVEN_RANK_UNKNOWN)
		return 0;
	for (size_t i = 0; i < a->len && i < b->len; i++) {
		unsigned char cx = (unsigned char)maven_lower(x[i]), cy = (unsigned char)maven_lower(y[i]);

		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return (a->len > b->len) - (a->len < b->len);
}

/* An item against a missing one: how it differs from "nothing here". */
static int maven_cmp_null(const struct maven_version *v, const struct maven_item *it)
{
	int r;

	switch (it->type) {
	case MAVEN_NUM:
		return it->len > 0;
	case MAVEN_STR:
		return maven_sign((int)it->rank - MAVEN_RANK_RELEASE);
	case MAVEN_COMB:
		/* "1-rc1" < "1" < "1-ga1". */
		r = maven_sign((int)it->rank - MAVEN_RANK_RELEASE);
		return r ? r : it->dlen > 0;
	default:
		for (uint16_t i = 0; i < it->count; i++)
			if ((r = maven_cmp_null(v, &v->items[it->first + i])) != 0)
				return r;
		return 0;
	}
}

static int maven_cmp(const struct maven_version *va, const struct maven_item *a,
		     const struct maven_version *vb, const struct maven_item *b);

/* A qualifier against a combination with an equal qualifier: "X" < "X1",
 * except that a release qualifier ("ga") only loses to a non-zero number. */
static int maven_cmp_str_comb(const struct maven_version *va, const struct maven_item *a,
			      const struct maven_version *vb, const struct maven_item *b)
{
	int r = maven_qualcmp(va, a, vb, b);

	if (r)
		return r;
	if (maven_cmp_null(va, a) == 0)
		return b->dlen > 0 ? -1 : 0;
	return -1;
}

/* A list against a scalar qualifier: its first item decides, then the rest
 * of its items against nothing. */
static int maven_cmp_list_scalar(const struct maven_version *va, const struct maven_item *a,
				 const struct maven_version *vb, const struct maven_item *b)
{
	int r;

	if (a->count == 0)
		return -maven_cmp_null(vb, b);
	r = maven_cmp(va, &va->items[a->first], vb, b);
	for (uint16_t i = 1; r == 0 && i < a->count; i++)
		r = maven_cmp_null(va, &va->items[a->first + i]);
	return r;
}

static int maven_cmp(const struct maven_version *va, const struct maven_item *a,
		     const struct maven_version *vb, const struct maven_item *b)
{
	int r;

	switch (a->type) {
	case MAVEN_NUM:
		if (b->type == MAVEN_NUM)
			return maven_numcmp(va->s + a->off, a->len, vb->s + b->off, b->len);
		return 1;
	case MAVEN_STR:
		switch (b->type) {
		case MAVEN_NUM:
			return -1;
		case MAVEN_STR:
			return maven_qualcmp(va, a, vb, b);
		case MAVEN_COMB:
			return maven_cmp_str_comb(va, a, vb, b);
		default:
			return -maven_cmp_list_scalar(vb, b, va, a);
		}
	case MAVEN_COMB:
		switch (b->type) {
		case MAVEN_NUM:
			return -1;
		case MAVEN_STR:
			return -maven_cmp_str_comb(vb, b, va, a);
		case MAVEN_COMB:
			if ((r = maven_qualcmp(va, a, vb, b)) != 0)
				return r;
			return maven_numcmp(va->s + a->doff, a->dlen, vb->s + b->doff, b->dlen);
		default:
			return -maven_cmp_list_scalar(vb, b, va, a);
		}
	default:
		switch (b->type) {
		case MAVEN_NUM:
			return -1;
		case MAVEN_STR:
		case MAVEN_COMB:
			return maven_cmp_list_scalar(va, a, vb, b);
		default:
			for (uint16_t i = 0; i < a->count || i < b->count; i++) {
				if (i >= a->count)
					r = -maven_cmp_null(vb, &vb->items[b->first + i]);
				else if (i >= b->count)
					r = maven_cmp_null(va, &va->items[a->first + i]);
				else
					r = maven_cmp(va, &va->items[a->first + i], vb, &vb->items[b->first + i]);
				if (r)
					return r;
			}
			return 0;
		}
	}
}

int version_compare_maven(const char *a, const char *b)
{
	struct maven_version va, vb;
	size_t alen, blen;
	bool oka, okb;

	a = a ? a : "";
	b = b ? b : "";
	alen = strnlen(a, VERSION_MAX_LEN + 1);
	blen = strnlen(b, VERSION_MAX_LEN + 1);
	oka = alen <= VERSION_MAX_LEN;
	okb = blen <= VERSION_MAX_LEN;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return maven_sign(strcmp(a, b));
	}
	maven_parse(&va, a, alen);
	maven_parse(&vb, b, blen);
	return maven_cmp(&va, &va.items[0], &vb, &vb.items[0]);
}
