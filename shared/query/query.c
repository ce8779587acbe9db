/*
 * query.c - StackRox's search query language: parser, SQL writer and JSON
 * evaluator. The grammar and its sources are in query.h.
 *
 * The parser does all the thinking: it resolves every value into a closed
 * form (a prefix, an exact string, a compiled regular expression, one or two
 * comparisons against a number or an instant, a set of enumeration values),
 * so that the SQL writer and the evaluator are both mechanical readings of
 * the same form and cannot drift apart. Relative dates become instants and
 * enumeration prefixes, regular expressions and complements become sets here,
 * once.
 *
 * Regular expressions are checked by a small recursive-descent validator
 * before regcomp() sees them: regcomp() would accept GNU and POSIX forms that
 * PostgreSQL reads differently (\w, \b, \`, [[:alpha:]] on non-ASCII text),
 * and its {m,n} repetition copies the pattern, so nesting has to be bounded
 * before compiling, not after. They are compiled in the C.UTF-8 locale, so
 * that '.' and bracket lists take whole UTF-8 characters as PostgreSQL does,
 * and matched on ASCII-lower-cased text, which is what ~* does under the "C"
 * collation that the SQL asks for.
 */
#include "query/query.h"

#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error/error.h"

#define QUERY__MAX_PARAM 65535
/* A regular expression's size once repetitions are expanded, in atoms. */
#define QUERY__MAX_REGEX_WEIGHT 1000
#define QUERY__MAX_REGEX_NEST 16
#define QUERY__MAX_REPEAT 255
/* Limits on the maps, which come from code, not users. */
#define QUERY__MAX_PATH 256
#define QUERY__MAX_SEGMENTS 16
/* 9999-12-31T23:59:59Z: dates past it do not print as four-digit years. */
#define QUERY__MAX_SECONDS INT64_C(253402300799)
#define QUERY__MAX_DAYS 100000

enum qop { QOP_EQ, QOP_LT, QOP_LE, QOP_GT, QOP_GE };

static const char *const qop_sql[] = {"=", "<", "<=", ">", ">="};

enum qv_kind {
	QV_PRESENT, /* "*" */
	QV_ABSENT,  /* "-" */
	QV_PREFIX,
	QV_EXACT,
	QV_REGEX,
	QV_NUMBER,
	QV_BOOL,
	QV_TIME,
	QV_ENUM,
};

struct qtime {
	int64_t sec;
	int32_t nsec;
};

struct qvalue {
	enum qv_kind kind;
	bool negate;
	char *text;   /* PREFIX, EXACT: the string; REGEX: the pattern as typed */
	regex_t *re;  /* REGEX: compiled from the lower-cased pattern */
	/* NUMBER and TIME: one comparison, or two that must both hold. */
	int ncmp;
	enum qop op[2];
	char *num_text[2]; /* NUMBER: the literal as typed, which is the parameter */
	double num[2];
	struct qtime time[2];
	bool boolean;
	uint64_t enum_set; /* ENUM: bit i = the field's enum_values[i]; negation folded in */
};

struct qterm {
	const struct query_field *field;
	struct qvalue values[QUERY_MAX_VALUES];
	size_t count;
};

struct query {
	struct qterm *terms[QUERY_MAX_TERMS];
	size_t count;
};

/* --- small helpers ------------------------------------------------------- */

static int fail(int code, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records "position N: message" (N 1-based) and returns code. */
static int fail(int code, size_t pos, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_set("position %zu: %s", pos + 1, msg);
	return code;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ascii_eq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool ascii_eq(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && ascii_eq_n(a, b, alen);
}

static bool ascii_prefix(const char *s, const char *prefix, size_t plen)
{
	return strlen(s) >= plen && ascii_eq_n(s, prefix, plen);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dup_lower(const char *s, size_t n)
{
	char *d = dup_n(s, n);

	for (size_t i = 0; d && i < n; i++)
		d[i] = lower(d[i]);
	return d;
}

/* Length of the UTF-8 sequence at s (valid, as the whole text was checked). */
static size_t utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xE0)
		return 2;
	if (c < 0xF0)
		return 3;
	return 4;
}

/* Offset of the first byte that is not valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included), or n when all is. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += len;
	}
	return n;
}

/* Writes s[0..n) for an error message: at most ~48 bytes (cut on a character
 * boundary, "..." added), '"', '\\' and control bytes escaped. */
static const char *show(char *buf, size_t size, const char *s, size_t n)
{
	size_t o = 0, i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = utf8_len(c);

		if (i + len > n)
			len = n - i;
		if (i >= 48 || o + len + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7F) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02X", c);
		} else {
			memcpy(buf + o, s + i, len);
			o += len;
		}
		i += len;
	}
	buf[o] = '\0';
	return buf;
}

#define SHOW(buf, s, n) show(buf, sizeof(buf), s, n)

/* Longest comparison prefix first, as StackRox's parseNumericPrefix. */
static size_t parse_op(enum qop *op, const char *s)
{
	static const struct {
		const char *text;
		enum qop op;
	} ops[] = {{">=", QOP_GE}, {"<=", QOP_LE}, {"==", QOP_EQ},
		   {">", QOP_GT},  {"<", QOP_LT},  {"=", QOP_EQ}};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t len = strlen(ops[i].text);

		if (strncmp(s, ops[i].text, len) == 0) {
			*op = ops[i].op;
			return len;
		}
	}
	*op = QOP_EQ;
	return 0;
}

static bool compare(enum qop op, int cmp)
{
	switch (op) {
	case QOP_EQ:
		return cmp == 0;
	case QOP_LT:
		return cmp < 0;
	case QOP_LE:
		return cmp <= 0;
	case QOP_GT:
		return cmp > 0;
	case QOP_GE:
		return cmp >= 0;
	}
	return false;
}

/* --- time ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), valid for every year this module accepts. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static bool read_digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool valid_date(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* "01/02/2006" (StackRox's layout) or "2006-01-02": that day's midnight, UTC. */
static bool parse_day(int64_t *sec, const char *s, size_t n)
{
	int y, m, d;

	if (n != 10)
		return false;
	if (s[2] == '/' && s[5] == '/') {
		if (!read_digits(s, 2, &m) || !read_digits(s + 3, 2, &d) || !read_digits(s + 6, 4, &y))
			return false;
	} else if (s[4] == '-' && s[7] == '-') {
		if (!read_digits(s, 4, &y) || !read_digits(s + 5, 2, &m) || !read_digits(s + 8, 2, &d))
			return false;
	} else {
		return false;
	}
	if (!valid_date(y, m, d))
		return false;
	*sec = days_from_civil(y, m, d) * 86400;
	return true;
}

/* An RFC 3339 instant as JSON documents hold it ("2024-01-02T03:04:05Z",
 * "...05.123+02:00"); a bare date is that day's midnight UTC. */
static bool parse_rfc3339(struct qtime *t, const char *s)
{
	size_t n = strlen(s), i;
	int64_t sec;
	int h = 0, mi = 0, se = 0, nsec = 0, off = 0;

	if (n < 10 || s[4] != '-' || s[7] != '-' || !parse_day(&sec, s, 10))
		return false;
	if (n == 10)
		goto done;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || n < 20 || s[13] != ':' || s[16] != ':' ||
	    !read_digits(s + 11, 2, &h) || !read_digits(s + 14, 2, &mi) ||
	    !read_digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60)
		return false;
	i = 19;
	if (s[i] == '.') {
		int digits = 0;

		i++;
		while (i < n && is_digit(s[i])) {
			if (digits < 9) {
				nsec = nsec * 10 + (s[i] - '0');
				digits++;
			}
			i++;
		}
		if (digits == 0)
			return false;
		while (digits++ < 9)
			nsec *= 10;
	}
	if (i == n - 1 && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i == n - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;

		if (!read_digits(s + i + 1, 2, &oh) || !read_digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
	} else {
		return false;
	}
	sec += h * 3600 + mi * 60 + se - off;
done:
	t->sec = sec;
	t->nsec = nsec;
	return true;
}

static int time_cmp(const struct qtime *a, const struct qtime *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

/* "2006-01-02 15:04:05[.000]+00", which PostgreSQL reads as timestamptz. */
static void format_time(char *buf, size_t size, const struct qtime *t)
{
	int64_t days = t->sec >= 0 ? t->sec / 86400 : (t->sec - 86399) / 86400;
	int64_t rem = t->sec - days * 86400;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	if (t->nsec)
		snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60), (int)(t->nsec / 1000000));
	else
		snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d+00", y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60));
}

/* --- regular expressions ------------------------------------------------- */

static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale;

static void utf8_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t utf8(void)
{
	pthread_once(&utf8_once, utf8_init);
	return utf8_locale;
}

struct rx {
	const char *p;
	size_t len, i;
	int nest;
	const char *why; /* set on the first error */
	size_t at;
};

static bool rx_error(struct rx *r, size_t at, const char *why)
{
	if (!r->why) {
		r->why = why;
		r->at = at;
	}
	return false;
}

static bool rx_alt(struct rx *r, unsigned long *weight);

static bool rx_is_meta(char c)
{
	return c != '\0' && strchr(".[](){}*+?|^$\\", c) != NULL;
}

/* A range end: the class (1 digit, 2 lower, 3 upper) of an ASCII byte, or 0. */
static int rx_range_class(const char *s, size_t len)
{
	if (len != 1)
		return 0;
	if (is_digit(s[0]))
		return 1;
	if (s[0] >= 'a' && s[0] <= 'z')
		return 2;
	if (s[0] >= 'A' && s[0] <= 'Z')
		return 3;
	return 0;
}

static bool rx_bracket(struct rx *r)
{
	size_t open = r->i;
	bool first = true;

	r->i++;
	if (r->i < r->len && r->p[r->i] == '^')
		r->i++;
	for (;;) {
		size_t lo_at, lo_len;

		if (r->i >= r->len)
			return rx_error(r, open, "unclosed [");
		if (r->p[r->i] == ']' && !first) {
			r->i++;
			return true;
		}
		if (r->p[r->i] == '\\')
			return rx_error(r, r->i, "no backslash inside [ ]; a character there is already literal");
		if (r->p[r->i] == '[')
			return rx_error(r, r->i, "no [ inside [ ] (character classes such as [:alpha:] are not supported)");
		first = false;
		lo_at = r->i;
		lo_len = utf8_len((unsigned char)r->p[r->i]);
		r->i += lo_len;
		if (r->i + 1 < r->len && r->p[r->i] == '-' && r->p[r->i + 1] != ']') {
			size_t hi_at = r->i + 1, hi_len = utf8_len((unsigned char)r->p[hi_at]);
			int lo_class = rx_range_class(r->p + lo_at, lo_len);

			if (r->p[hi_at] == '\\' || r->p[hi_at] == '[')
				return rx_error(r, hi_at, "no backslash or [ inside [ ]");
			if (lo_class == 0 || lo_class != rx_range_class(r->p + hi_at, hi_len) ||
			    r->p[lo_at] > r->p[hi_at])
				return rx_error(r, lo_at, "a range must go up between two digits, two lower-case "
							  "or two upper-case ASCII letters");
			r->i = hi_at + hi_len;
			if (r->i + 1 < r->len && r->p[r->i] == '-' && r->p[r->i + 1] != ']')
				return rx_error(r, r->i, "a '-' after a range must be the last character in [ ]");
		}
	}
}

/* {m}, {m,}, {m,n}: the largest count it allows, for the weight. */
static bool rx_bound(struct rx *r, unsigned long *times)
{
	size_t open = r->i;
	unsigned long m = 0, n = 0;
	size_t digits = 0;
	bool unbounded = false;

	r->i++;
	while (r->i < r->len && is_digit(r->p[r->i]) && digits < 4) {
		m = m * 10 + (unsigned long)(r->p[r->i++] - '0');
		digits++;
	}
	if (digits == 0)
		goto bad;
	n = m;
	if (r->i < r->len && r->p[r->i] == ',') {
		r->i++;
		unbounded = !(r->i < r->len && is_digit(r->p[r->i]));
		n = 0;
		digits = 0;
		while (r->i < r->len && is_digit(r->p[r->i]) && digits < 4) {
			n = n * 10 + (unsigned long)(r->p[r->i++] - '0');
			digits++;
		}
	}
	if (r->i >= r->len)
		return rx_error(r, open, "unclosed { (a regular expression with a comma must be quoted, "
					 "e.g. r/\"a{1,2}\")");
	if (r->p[r->i] != '}')
		goto bad;
	r->i++;
	if (m > QUERY__MAX_REPEAT || n > QUERY__MAX_REPEAT)
		return rx_error(r, open, "a repetition count may be at most 255");
	if (unbounded)
		n = m + 1; /* regcomp makes m copies and a star */
	else if (n < m)
		return rx_error(r, open, "in {m,n}, m must not be larger than n");
	*times = n ? n : 1;
	return true;
bad:
	return rx_error(r, open, "'{' must start a repetition such as {2,5}; write \\{ for the character");
}

static bool rx_piece(struct rx *r, unsigned long *weight)
{
	size_t at = r->i;
	char c = r->p[at];
	unsigned long w = 1, times = 1;
	bool repeatable = true;

	switch (c) {
	case '(':
		if (++r->nest > QUERY__MAX_REGEX_NEST)
			return rx_error(r, at, "groups nest too deeply");
		r->i++;
		if (r->i < r->len && r->p[r->i] == ')')
			return rx_error(r, at, "empty group");
		if (!rx_alt(r, &w))
			return false;
		if (r->i >= r->len || r->p[r->i] != ')')
			return rx_error(r, at, "unclosed (");
		r->i++;
		r->nest--;
		break;
	case '[':
		if (!rx_bracket(r))
			return false;
		break;
	case '^':
	case '$':
		repeatable = false;
		r->i++;
		break;
	case '\\':
		if (at + 1 >= r->len)
			return rx_error(r, at, "a backslash at the end");
		if (!rx_is_meta(r->p[at + 1]))
			return rx_error(r, at, "only . [ ] ( ) { } * + ? | ^ $ \\ may follow a backslash "
					       "(\\d, \\w and the like mean different things to different engines)");
		r->i += 2;
		break;
	case '*':
	case '+':
	case '?':
	case '{':
		return rx_error(r, at, "nothing to repeat");
	case '}':
	case ']':
		return rx_error(r, at, c == '}' ? "write \\} for the character }" : "write \\] for the character ]");
	default: /* '.', or a literal character */
		r->i += utf8_len((unsigned char)c);
		break;
	}
	if (r->i < r->len && strchr("*+?{", r->p[r->i])) {
		if (!repeatable)
			return rx_error(r, r->i, "^ and $ cannot be repeated");
		if (r->p[r->i] == '{') {
			if (!rx_bound(r, &times))
				return false;
		} else {
			times = r->p[r->i] == '?' ? 1 : 2;
			r->i++;
		}
		if (r->i < r->len && strchr("*+?{", r->p[r->i]))
			return rx_error(r, r->i, "a repetition cannot follow another");
	}
	*weight = w * times;
	return true;
}

static bool rx_branch(struct rx *r, unsigned long *weight)
{
	size_t start = r->i;

	*weight = 0;
	while (r->i < r->len && r->p[r->i] != '|' && r->p[r->i] != ')') {
		unsigned long w;

		if (!rx_piece(r, &w))
			return false;
		*weight += w;
		if (*weight > QUERY__MAX_REGEX_WEIGHT)
			return rx_error(r, start, "too many repetitions (at most 1000 characters once expanded)");
	}
	if (r->i == start && r->i < r->len && r->p[r->i] == ')' && r->nest == 0)
		return rx_error(r, start, "unmatched )");
	if (r->i == start)
		return rx_error(r, start, "empty alternative");
	return true;
}

static bool rx_alt(struct rx *r, unsigned long *weight)
{
	unsigned long w;

	if (!rx_branch(r, weight))
		return false;
	while (r->i < r->len && r->p[r->i] == '|') {
		r->i++;
		if (!rx_branch(r, &w))
			return false;
		*weight += w;
		if (*weight > QUERY__MAX_REGEX_WEIGHT)
			return rx_error(r, r->i, "too many repetitions (at most 1000 characters once expanded)");
	}
	return true;
}

/* "r/pattern" or r/"pattern": the quoted form lets a pattern hold ',', which
 * would otherwise end the value. Moves *s, *n and *pos past the prefix. */
static void regex_unwrap(const char **s, size_t *n, size_t *pos)
{
	*s += 2;
	*n -= 2;
	*pos += 2;
	if (*n >= 2 && (*s)[0] == '"' && (*s)[*n - 1] == '"') {
		(*s)++;
		*n -= 2;
		(*pos)++;
	}
}

/* Checks pattern (n bytes at text position pos) and compiles it, lower-cased,
 * into *out (which the caller frees with regfree() and free()). */
static int regex_compile(regex_t **out, const char *pattern, size_t n, size_t pos)
{
	struct rx r = {.p = pattern, .len = n};
	unsigned long weight;
	locale_t loc, old;
	regex_t *re = NULL;
	char *lowered = NULL;
	int rc, result;

	*out = NULL;
	if (n == 0)
		return fail(ASEC_EINVALID, pos, "empty regular expression");
	if (n > QUERY_MAX_REGEX)
		return fail(ASEC_ETOOBIG, pos, "a regular expression may be at most %d bytes", QUERY_MAX_REGEX);
	if (!rx_alt(&r, &weight) || r.i != n) {
		if (!r.why)
			rx_error(&r, r.i, "unmatched )");
		return fail(ASEC_EINVALID, pos + r.at, "regular expression: %s", r.why);
	}
	loc = utf8();
	if (loc == (locale_t)0) {
		error_set("query: regular expressions need the C.UTF-8 locale, which is missing");
		return ASEC_ERROR;
	}
	lowered = dup_lower(pattern, n);
	re = malloc(sizeof(*re));
	if (!lowered || !re) {
		result = ASEC_ENOMEM;
		error_set("query: out of memory");
		goto out;
	}
	old = uselocale(loc);
	rc = regcomp(re, lowered, REG_EXTENDED | REG_NOSUB);
	uselocale(old);
	if (rc != 0) {
		char why[128];

		regerror(rc, re, why, sizeof(why));
		result = fail(rc == REG_ESPACE ? ASEC_ETOOBIG : ASEC_EINVALID, pos, "regular expression: %s", why);
		goto out;
	}
	*out = re;
	re = NULL;
	result = ASEC_OK;
out:
	free(re);
	free(lowered);
	return result;
}

static void regex_free(regex_t *re)
{
	if (re) {
		regfree(re);
		free(re);
	}
}

/* 1 when re matches s (ASCII-lower-cased first), 0 when not, <0 on error. */
static int regex_match(const regex_t *re, const char *s)
{
	char *lowered = dup_lower(s, strlen(s));
	locale_t old;
	int rc;

	if (!lowered) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	old = uselocale(utf8());
	rc = regexec(re, lowered, 0, NULL, 0);
	uselocale(old);
	free(lowered);
	if (rc != 0 && rc != REG_NOMATCH) {
		error_set("query: regular expression matching failed (%d)", rc);
		return ASEC_ERROR;
	}
	return rc == 0;
}

/* --- parsing values ------------------------------------------------------ */

struct parser {
	const char *text;
	int64_t now;
};

/* -?DIGITS[.DIGITS], at most 15 digits: a double holds it exactly enough to
 * order it against any other such number or any integer as numeric does. The
 * value is computed as mantissa / 10^fraction digits, both exact doubles, so
 * the one rounding is the correctly rounded division strtod() would give. */
static bool parse_number(double *out, const char *s, size_t n, bool *too_long)
{
	static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	size_t i = 0, digits = 0, fraction = 0;
	bool negative = false, dot = false;
	double mantissa = 0;

	*too_long = false;
	if (i < n && s[i] == '-') {
		negative = true;
		i++;
	}
	if (i >= n || !is_digit(s[i]))
		return false;
	for (; i < n; i++) {
		if (s[i] == '.' && !dot && i + 1 < n && is_digit(s[i + 1])) {
			dot = true;
			continue;
		}
		if (!is_digit(s[i]))
			return false;
		if (++digits > 15) {
			*too_long = true;
			return false;
		}
		mantissa = mantissa * 10 + (s[i] - '0');
		if (dot)
			fraction++;
	}
	*out = (negative ? -mantissa : mantissa) / pow10[fraction];
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static int parse_number_value(struct qvalue *v, const struct query_field *f, const char *s, size_t n,
			      size_t pos)
{
	char b1[96], b2[96];
	enum qop op;
	size_t oplen = parse_op(&op, s);
	bool too_long = false;
	const char *num = s + oplen;
	size_t numlen = n - oplen;

	trim(&num, &numlen);
	if (oplen == 0) {
		/* StackRox's ranges: "a-b", split at the first '-' that is not a sign. */
		const char *dash = numlen > 1 ? memchr(num + 1, '-', numlen - 1) : NULL;

		if (dash) {
			size_t alen = (size_t)(dash - num), blen = numlen - alen - 1;

			if (!parse_number(&v->num[0], num, alen, &too_long) ||
			    !parse_number(&v->num[1], dash + 1, blen, &too_long))
				goto bad;
			if (v->num[0] >= v->num[1])
				return fail(ASEC_EINVALID, pos, "range \"%s\" must go from a lower to a higher number",
					    SHOW(b1, s, n));
			v->kind = QV_NUMBER;
			v->ncmp = 2;
			v->op[0] = QOP_GT;
			v->op[1] = QOP_LT;
			v->num_text[0] = dup_n(num, alen);
			v->num_text[1] = dup_n(dash + 1, blen);
			goto done;
		}
	}
	if (!parse_number(&v->num[0], num, numlen, &too_long))
		goto bad;
	v->kind = QV_NUMBER;
	v->ncmp = 1;
	v->op[0] = op;
	v->num_text[0] = dup_n(num, numlen);
done:
	if (!v->num_text[0] || (v->ncmp == 2 && !v->num_text[1])) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
bad:
	if (too_long)
		return fail(ASEC_EINVALID, pos, "\"%s\" has more than 15 digits (field \"%s\")", SHOW(b1, s, n),
			    SHOW(b2, f->label, strlen(f->label)));
	return fail(ASEC_EINVALID, pos, "field \"%s\" takes numbers, not \"%s\"",
		    SHOW(b2, f->label, strlen(f->label)), SHOW(b1, s, n));
}

/* StackRox's FriendlyParseBool: strconv.ParseBool's words, or any prefix of
 * "true" or "false" in any case. */
static int parse_bool_value(struct qvalue *v, const struct query_field *f, const char *s, size_t n,
			    size_t pos)
{
	char b1[96], b2[96];

	v->kind = QV_BOOL;
	if (n == 1 && s[0] == '1') {
		v->boolean = true;
	} else if (n == 1 && s[0] == '0') {
		v->boolean = false;
	} else if (n <= 4 && ascii_eq_n(s, "true", n)) {
		v->boolean = true;
	} else if (n <= 5 && ascii_eq_n(s, "false", n)) {
		v->boolean = false;
	} else {
		return fail(ASEC_EINVALID, pos, "field \"%s\" takes true or false, not \"%s\"",
			    SHOW(b2, f->label, strlen(f->label)), SHOW(b1, s, n));
	}
	return ASEC_OK;
}

/* "30d" or "30": a whole number of days. */
static bool parse_days(int64_t *days, const char *s, size_t n)
{
	int64_t d = 0;

	if (n && s[n - 1] == 'd')
		n--;
	if (n == 0 || n > 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		d = d * 10 + (s[i] - '0');
	}
	if (d > QUERY__MAX_DAYS)
		return false;
	*days = d;
	return true;
}

static bool parse_millis(int64_t *ms, const char *s, size_t n)
{
	int64_t v = 0;

	if (n == 0 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v / 1000 > QUERY__MAX_SECONDS)
		return false;
	*ms = v;
	return true;
}

static int parse_date_value(struct parser *ps, struct qvalue *v, const struct query_field *f, const char *s,
			    size_t n, size_t pos)
{
	char b1[96], b2[96];
	enum qop op;
	size_t oplen;
	const char *d;
	size_t dlen;
	int64_t sec, days, days2, ms, ms2;

	v->kind = QV_TIME;
	if (n > 3 && memcmp(s, "tr/", 3) == 0) {
		const char *dash = memchr(s + 3, '-', n - 3);

		if (dash && parse_millis(&ms, s + 3, (size_t)(dash - s - 3)) &&
		    parse_millis(&ms2, dash + 1, n - (size_t)(dash + 1 - s))) {
			v->ncmp = 2;
			v->op[0] = QOP_GE;
			v->op[1] = QOP_LT;
			v->time[0] = (struct qtime){ms / 1000, (int32_t)(ms % 1000) * 1000000};
			v->time[1] = (struct qtime){ms2 / 1000, (int32_t)(ms2 % 1000) * 1000000};
			return ASEC_OK;
		}
		goto bad;
	}
	oplen = parse_op(&op, s);
	d = s + oplen;
	dlen = n - oplen;
	trim(&d, &dlen);
	if (parse_day(&sec, d, dlen)) {
		if (oplen == 0) {
			v->ncmp = 2;
			v->op[0] = QOP_GE;
			v->op[1] = QOP_LT;
			v->time[0] = (struct qtime){sec, 0};
			v->time[1] = (struct qtime){sec + 86400, 0};
		} else {
			v->ncmp = 1;
			v->op[0] = op;
			v->time[0] = (struct qtime){sec, 0};
		}
		return ASEC_OK;
	}
	if (oplen == 0) {
		const char *dash = dlen > 1 ? memchr(d + 1, '-', dlen - 1) : NULL;

		if (dash && parse_days(&days, d, (size_t)(dash - d)) &&
		    parse_days(&days2, dash + 1, dlen - (size_t)(dash - d) - 1)) {
			if (days >= days2)
				return fail(ASEC_EINVALID, pos,
					    "duration range \"%s\" must go from fewer to more days",
					    SHOW(b1, s, n));
			/* More than days ago and less than days2 ago. */
			v->ncmp = 2;
			v->op[0] = QOP_GT;
			v->op[1] = QOP_LT;
			v->time[0] = (struct qtime){ps->now - days2 * 86400, 0};
			v->time[1] = (struct qtime){ps->now - days * 86400, 0};
			return ASEC_OK;
		}
	}
	if (parse_days(&days, d, dlen)) {
		if (op == QOP_EQ)
			return fail(ASEC_EINVALID, pos,
				    "a duration needs <, <=, > or >= before it, e.g. >30d (field \"%s\")",
				    SHOW(b2, f->label, strlen(f->label)));
		/* ">30d" is more than 30 days ago: earlier than that instant. */
		v->ncmp = 1;
		v->op[0] = op == QOP_GT ? QOP_LT : op == QOP_GE ? QOP_LE : op == QOP_LT ? QOP_GT : QOP_GE;
		v->time[0] = (struct qtime){ps->now - days * 86400, 0};
		return ASEC_OK;
	}
bad:
	return fail(ASEC_EINVALID, pos,
		    "field \"%s\" takes a date (01/02/2006 or 2006-01-02), a duration (>30d) "
		    "or tr/<ms>-<ms>, not \"%s\"",
		    SHOW(b2, f->label, strlen(f->label)), SHOW(b1, s, n));
}

/* "(Low, Moderate, Important, Critical)": the forms people type. */
static void enum_choices(char *buf, size_t size, const struct query_field *f)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->enum_count && o + 1 < size; i++) {
		const char *name = f->enum_values[i].alias ? f->enum_values[i].alias : f->enum_values[i].name;
		int w = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", name);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int parse_enum_value(struct qvalue *v, const struct query_field *f, const char *s, size_t n,
			    size_t pos, bool negate)
{
	char b1[96], b2[96], choices[256];
	uint64_t set = 0, matched = 0;
	enum qop op = QOP_EQ;
	int rc = ASEC_OK;

	v->kind = QV_ENUM;
	if (n > 2 && memcmp(s, "r/", 2) == 0) {
		const char *pattern = s;
		size_t plen = n, ppos = pos + (negate ? 1 : 0);
		regex_t *re;

		regex_unwrap(&pattern, &plen, &ppos);
		rc = regex_compile(&re, pattern, plen, ppos);
		if (rc)
			return rc;
		for (size_t i = 0; i < f->enum_count && rc >= 0; i++) {
			const struct query_enum_value *e = &f->enum_values[i];
			int m = regex_match(re, e->name);

			if (m == 0 && e->alias)
				m = regex_match(re, e->alias);
			if (m < 0)
				rc = m;
			else if (m)
				set |= UINT64_C(1) << i;
		}
		regex_free(re);
		if (rc < 0)
			return rc;
	} else if (s[0] == '"') {
		if (n < 2 || s[n - 1] != '"')
			goto quote;
		for (size_t i = 0; i < f->enum_count; i++) {
			const struct query_enum_value *e = &f->enum_values[i];

			if (ascii_eq(s + 1, n - 2, e->name) || (e->alias && ascii_eq(s + 1, n - 2, e->alias)))
				set |= UINT64_C(1) << i;
		}
		if (!set)
			goto unknown;
	} else {
		size_t oplen = parse_op(&op, s);
		const char *p = s + oplen;
		size_t plen = n - oplen;

		trim(&p, &plen);
		if (memchr(s, '"', n))
			goto quote;
		for (size_t i = 0; i < f->enum_count && plen; i++) {
			const struct query_enum_value *e = &f->enum_values[i];

			if (ascii_prefix(e->name, p, plen) || (e->alias && ascii_prefix(e->alias, p, plen)))
				matched |= UINT64_C(1) << i;
		}
		if (!matched)
			goto unknown;
		/* Every value that compares by the table's order with some match. */
		for (size_t i = 0; i < f->enum_count; i++)
			for (size_t j = 0; j < f->enum_count; j++)
				if ((matched >> j & 1) && compare(op, i < j ? -1 : i > j ? 1 : 0))
					set |= UINT64_C(1) << i;
	}
	if (negate) {
		uint64_t all = f->enum_count == 64 ? ~UINT64_C(0) : (UINT64_C(1) << f->enum_count) - 1;

		set = ~set & all;
	}
	v->enum_set = set;
	return ASEC_OK;
quote:
	return fail(ASEC_EINVALID, pos, "a quote must enclose the whole value: \"%s\"", SHOW(b1, s, n));
unknown:
	enum_choices(choices, sizeof(choices), f);
	return fail(ASEC_EINVALID, pos, "\"%s\" is not a value of field \"%s\" (%s)", SHOW(b1, s, n),
		    SHOW(b2, f->label, strlen(f->label)), choices);
}

static int parse_value(struct parser *ps, struct qvalue *v, const struct query_field *f, const char *s,
		       size_t n, size_t pos)
{
	char b1[96], b2[96];
	size_t start = pos;

	if (n == 1 && (s[0] == '*' || s[0] == '-')) {
		v->kind = s[0] == '*' ? QV_PRESENT : QV_ABSENT;
		return ASEC_OK;
	}
	if (n >= 2 && s[0] == '!' && s[1] == '!')
		return fail(ASEC_EINVALID, pos, "\"!!\" is not supported; use \"!\" to negate a value");
	if (s[0] == '!') {
		v->negate = true;
		s++;
		n--;
		pos++;
		if (n == 0)
			return fail(ASEC_EINVALID, start, "\"!\" needs a value after it");
		if (n == 1 && (s[0] == '*' || s[0] == '-'))
			return fail(ASEC_EINVALID, start, "\"*\" and \"-\" cannot be negated");
	}
	if (f->kind == QUERY_ENUM) {
		bool negate = v->negate;

		v->negate = false; /* folded into the set */
		return parse_enum_value(v, f, s, n, start, negate);
	}
	if (f->kind != QUERY_STRING && ((n > 2 && memcmp(s, "r/", 2) == 0) || s[0] == '"'))
		return fail(ASEC_EINVALID, start, "field \"%s\" does not take regular expressions or quotes",
			    SHOW(b2, f->label, strlen(f->label)));
	switch (f->kind) {
	case QUERY_NUMBER:
		return parse_number_value(v, f, s, n, start);
	case QUERY_BOOL:
		return parse_bool_value(v, f, s, n, start);
	case QUERY_DATE:
		return parse_date_value(ps, v, f, s, n, start);
	case QUERY_STRING:
	case QUERY_ENUM:
		break;
	}
	if (n >= 2 && memcmp(s, "r/", 2) == 0) {
		regex_unwrap(&s, &n, &pos);
		v->kind = QV_REGEX;
		v->text = dup_n(s, n);
		if (!v->text) {
			error_set("query: out of memory");
			return ASEC_ENOMEM;
		}
		return regex_compile(&v->re, s, n, pos);
	}
	if (s[0] == '"') {
		if (n < 2 || s[n - 1] != '"')
			return fail(ASEC_EINVALID, start, "a quote must enclose the whole value: \"%s\"",
				    SHOW(b1, s, n));
		v->kind = QV_EXACT;
		v->text = dup_n(s + 1, n - 2);
	} else {
		if (memchr(s, '"', n))
			return fail(ASEC_EINVALID, start, "a quote must enclose the whole value: \"%s\"",
				    SHOW(b1, s, n));
		v->kind = QV_PREFIX;
		v->text = dup_n(s, n);
	}
	if (!v->text) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* --- parsing terms ------------------------------------------------------- */

static const struct query_field *find_field(const struct query_field *fields, size_t count, const char *s,
					    size_t n)
{
	for (size_t i = 0; i < count; i++) {
		if (ascii_eq(s, n, fields[i].label))
			return &fields[i];
		for (size_t a = 0; fields[i].aliases && fields[i].aliases[a]; a++)
			if (ascii_eq(s, n, fields[i].aliases[a]))
				return &fields[i];
	}
	return NULL;
}

static int parse_term(struct parser *ps, struct query *q, const struct query_field *fields, size_t field_count,
		      size_t start, size_t end)
{
	const char *text = ps->text;
	const char *s = text + start, *colon, *label, *vals;
	size_t n = end - start, llen, vlen, i, vstart;
	const struct query_field *f;
	struct qterm *t;
	bool quoted = false;
	char b1[96], b2[96];
	int rc;

	trim(&s, &n);
	if (n == 0)
		return ASEC_OK; /* "a:b++c:d" and a leading '+' leave empty terms, as in StackRox */
	colon = memchr(s, ':', n);
	if (!colon)
		return fail(ASEC_EINVALID, (size_t)(s - text), "expected Field:value, found \"%s\"", SHOW(b1, s, n));
	label = s;
	llen = (size_t)(colon - s);
	trim(&label, &llen);
	if (llen == 0)
		return fail(ASEC_EINVALID, (size_t)(s - text), "missing field name before ':'");
	f = find_field(fields, field_count, label, llen);
	if (!f)
		return fail(ASEC_EINVALID, (size_t)(label - text), "unknown field \"%s\"", SHOW(b1, label, llen));
	for (i = 0; i < q->count; i++)
		if (q->terms[i]->field == f)
			return fail(ASEC_EINVALID, (size_t)(label - text),
				    "field \"%s\" is given twice; list its values in one term, e.g. %s:a,b",
				    SHOW(b1, f->label, strlen(f->label)), SHOW(b2, f->label, strlen(f->label)));
	if (q->count == QUERY_MAX_TERMS)
		return fail(ASEC_ETOOBIG, (size_t)(s - text), "more than %d terms", QUERY_MAX_TERMS);
	vals = colon + 1;
	vlen = (size_t)(s + n - vals);
	trim(&vals, &vlen);
	if (vlen == 0)
		return fail(ASEC_EINVALID, (size_t)(colon - text), "field \"%s\" has no value",
			    SHOW(b1, f->label, strlen(f->label)));

	t = calloc(1, sizeof(*t));
	if (!t) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	t->field = f;
	q->terms[q->count++] = t;
	/* Values split on ',' outside double quotes (splitCommaSeparatedValues). */
	vstart = 0;
	for (i = 0; i <= vlen; i++) {
		const char *v;
		size_t len;

		if (i < vlen && vals[i] == '"')
			quoted = !quoted;
		if (i < vlen && (vals[i] != ',' || quoted))
			continue;
		v = vals + vstart;
		len = i - vstart;
		trim(&v, &len);
		if (len == 0)
			return fail(ASEC_EINVALID, (size_t)(vals + vstart - text), "empty value in field \"%s\"",
				    SHOW(b1, f->label, strlen(f->label)));
		if (t->count == QUERY_MAX_VALUES)
			return fail(ASEC_ETOOBIG, (size_t)(v - text), "more than %d values in field \"%s\"",
				    QUERY_MAX_VALUES, SHOW(b1, f->label, strlen(f->label)));
		rc = parse_value(ps, &t->values[t->count], f, v, len, (size_t)(v - text));
		t->count++; /* counted even on failure, so query_free() frees what it holds */
		if (rc)
			return rc;
		vstart = i + 1;
	}
	return ASEC_OK;
}

static int check_fields(const struct query_field *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct query_field *f = &fields[i];

		if (!f->label || !f->label[0] || (int)f->kind < (int)QUERY_STRING || (int)f->kind > (int)QUERY_DATE)
			goto bad;
		if (f->kind == QUERY_ENUM) {
			if (!f->enum_values || f->enum_count == 0 || f->enum_count > QUERY_MAX_ENUM_VALUES)
				goto bad;
			for (size_t e = 0; e < f->enum_count; e++)
				if (!f->enum_values[e].name)
					goto bad;
		}
		continue;
bad:
		error_set("query: field table entry %zu is malformed", i);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int query_parse_at(struct query **out, const char *text, const struct query_field *fields,
		   size_t field_count, int64_t now)
{
	struct parser ps = {.text = text, .now = now};
	struct query *q = NULL;
	size_t len, bad, i, term_start = 0, quote_at = 0;
	size_t last_plus = SIZE_MAX;
	bool quoted = false;
	int rc;

	*out = NULL;
	if (!text || (!fields && field_count)) {
		error_set("query: no text or no field table");
		return ASEC_EINVALID;
	}
	if (now < 0 || now > QUERY__MAX_SECONDS) {
		error_set("query: the current time is out of range");
		return ASEC_EINVALID;
	}
	rc = check_fields(fields, field_count);
	if (rc)
		return rc;
	len = strnlen(text, QUERY_MAX_TEXT + 1);
	if (len > QUERY_MAX_TEXT) {
		error_set("query is too long: more than %d bytes", QUERY_MAX_TEXT);
		return ASEC_ETOOBIG;
	}
	bad = utf8_check((const unsigned char *)text, len);
	if (bad != len)
		return fail(ASEC_EINVALID, bad, "not valid UTF-8");
	q = calloc(1, sizeof(*q));
	if (!q) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	/* StackRox's splitQuery: a '+' ends a term when a ':' follows it before
	 * another '+'; double quotes hide both. */
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == '"') {
			if (!quoted)
				quote_at = i;
			quoted = !quoted;
		} else if (quoted) {
			continue;
		} else if (c == '+') {
			last_plus = i;
		} else if (c == ':' && last_plus != SIZE_MAX && last_plus >= term_start) {
			rc = parse_term(&ps, q, fields, field_count, term_start, last_plus);
			if (rc)
				goto out;
			term_start = last_plus + 1;
		}
	}
	if (quoted) {
		rc = fail(ASEC_EINVALID, quote_at, "unterminated quote");
		goto out;
	}
	rc = parse_term(&ps, q, fields, field_count, term_start, len);
out:
	if (rc) {
		query_free(q);
		return rc;
	}
	*out = q;
	return ASEC_OK;
}

int query_parse(struct query **out, const char *text, const struct query_field *fields, size_t field_count)
{
	return query_parse_at(out, text, fields, field_count, (int64_t)time(NULL));
}

void query_free(struct query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->count; i++) {
		struct qterm *t = q->terms[i];

		for (size_t k = 0; k < t->count; k++) {
			free(t->values[k].text);
			regex_free(t->values[k].re);
			free(t->values[k].num_text[0]);
			free(t->values[k].num_text[1]);
		}
		free(t);
	}
	free(q);
}

size_t query_term_count(const struct query *q)
{
	return q ? q->count : 0;
}

/* --- SQL ----------------------------------------------------------------- */

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

struct sqlctx {
	struct sb sql;
	json_t *params;
	long next;
	const struct query *q;
	const struct query_sql_column *cols[QUERY_MAX_TERMS];
	/* Each term's scopes, outermost first. */
	const struct query_sql_scope *chain[QUERY_MAX_TERMS][QUERY_MAX_DEPTH];
	size_t depth[QUERY_MAX_TERMS];
};

/* Adds a parameter and writes its placeholder. */
static int sql_param(struct sqlctx *c, const char *value, const char *cast)
{
	char ph[32];
	json_t *s;

	if (c->next > QUERY__MAX_PARAM) {
		error_set("query: more than %d SQL parameters", QUERY__MAX_PARAM);
		return ASEC_ETOOBIG;
	}
	s = json_string(value);
	if (!s || json_array_append_new(c->params, s)) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	snprintf(ph, sizeof(ph), "$%ld%s", c->next++, cast);
	sb_puts(&c->sql, ph);
	return ASEC_OK;
}

/* The ILIKE pattern for s: '\', '%' and '_' escaped, '%' added for a prefix. */
static char *like_pattern(const char *s, bool prefix)
{
	size_t n = strlen(s), o = 0;
	char *p = malloc(2 * n + 2);

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '%' || s[i] == '_')
			p[o++] = '\\';
		p[o++] = s[i];
	}
	if (prefix)
		p[o++] = '%';
	p[o] = '\0';
	return p;
}

static void sql_expr(struct sqlctx *c, const char *expr)
{
	sb_puts(&c->sql, "(");
	sb_puts(&c->sql, expr);
	sb_puts(&c->sql, ")");
}

static int sql_compare(struct sqlctx *c, const struct qvalue *v, const char *expr)
{
	int rc = ASEC_OK;

	if (v->ncmp == 2)
		sb_puts(&c->sql, "(");
	for (int k = 0; k < v->ncmp && !rc; k++) {
		char when[48];

		if (k)
			sb_puts(&c->sql, " AND ");
		sql_expr(c, expr);
		sb_puts(&c->sql, " ");
		sb_puts(&c->sql, qop_sql[v->op[k]]);
		sb_puts(&c->sql, " ");
		if (v->kind == QV_NUMBER) {
			rc = sql_param(c, v->num_text[k], "::numeric");
		} else {
			format_time(when, sizeof(when), &v->time[k]);
			rc = sql_param(c, when, "::timestamptz");
		}
	}
	if (v->ncmp == 2)
		sb_puts(&c->sql, ")");
	return rc;
}

static int sql_value(struct sqlctx *c, const struct qvalue *v, const char *expr)
{
	char *pattern;
	int rc = ASEC_OK;

	if (v->negate)
		sb_puts(&c->sql, "NOT (");
	switch (v->kind) {
	case QV_PRESENT:
	case QV_ABSENT:
		sql_expr(c, expr);
		sb_puts(&c->sql, v->kind == QV_PRESENT ? " IS NOT NULL" : " IS NULL");
		break;
	case QV_PREFIX:
	case QV_EXACT:
		pattern = like_pattern(v->text, v->kind == QV_PREFIX);
		if (!pattern) {
			error_set("query: out of memory");
			return ASEC_ENOMEM;
		}
		sql_expr(c, expr);
		sb_puts(&c->sql, " COLLATE \"C\" ILIKE ");
		rc = sql_param(c, pattern, "");
		free(pattern);
		break;
	case QV_REGEX:
		sql_expr(c, expr);
		sb_puts(&c->sql, " COLLATE \"C\" ~* ");
		rc = sql_param(c, v->text, "");
		break;
	case QV_NUMBER:
	case QV_TIME:
		rc = sql_compare(c, v, expr);
		break;
	case QV_BOOL:
		sql_expr(c, expr);
		sb_puts(&c->sql, " = ");
		rc = sql_param(c, v->boolean ? "true" : "false", "::boolean");
		break;
	case QV_ENUM:
		break; /* merged by sql_term() */
	}
	if (v->negate)
		sb_puts(&c->sql, ")");
	return rc;
}

/* The enumeration values of a term's sets, merged: one IN list. */
static int sql_enum(struct sqlctx *c, const struct qterm *t, const char *expr)
{
	const struct query_field *f = t->field;
	uint64_t set = 0;
	bool any = false;
	int rc = ASEC_OK;

	for (size_t k = 0; k < t->count; k++)
		if (t->values[k].kind == QV_ENUM)
			set |= t->values[k].enum_set;
	for (size_t i = 0; i < f->enum_count && !rc; i++) {
		const char *stored = f->enum_values[i].stored ? f->enum_values[i].stored : f->enum_values[i].name;
		bool seen = false;

		if (!(set >> i & 1))
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const char *other = f->enum_values[j].stored ? f->enum_values[j].stored
								     : f->enum_values[j].name;

			seen = (set >> j & 1) && strcmp(stored, other) == 0;
		}
		if (seen)
			continue;
		if (!any) {
			sql_expr(c, expr);
			sb_puts(&c->sql, " IN (");
		} else {
			sb_puts(&c->sql, ", ");
		}
		any = true;
		rc = sql_param(c, stored, "");
	}
	sb_puts(&c->sql, any ? ")" : "FALSE");
	return rc;
}

static int sql_term(struct sqlctx *c, const struct qterm *t, const char *expr)
{
	size_t parts = 0, written = 0;
	bool has_enum = false, enum_done = false;
	int rc = ASEC_OK;

	for (size_t k = 0; k < t->count; k++) {
		if (t->values[k].kind == QV_ENUM)
			has_enum = true;
		else
			parts++;
	}
	parts += has_enum;
	if (parts > 1)
		sb_puts(&c->sql, "(");
	for (size_t k = 0; k < t->count && !rc; k++) {
		const struct qvalue *v = &t->values[k];

		if (v->kind == QV_ENUM && enum_done)
			continue;
		if (written++)
			sb_puts(&c->sql, " OR ");
		if (v->kind == QV_ENUM) {
			enum_done = true;
			rc = sql_enum(c, t, expr);
		} else {
			rc = sql_value(c, v, expr);
		}
	}
	if (parts > 1)
		sb_puts(&c->sql, ")");
	return rc;
}

/* Checks a template: exactly one "%s", and '%' otherwise only in "%%". */
static bool template_ok(const char *tpl)
{
	int holes = 0;

	for (const char *p = tpl; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 's')
			holes++;
		else if (p[1] != '%')
			return false;
		p++;
	}
	return holes == 1;
}

static bool in_level(const struct sqlctx *c, size_t t, size_t k, const struct query_sql_scope *level)
{
	return c->depth[t] >= k && (k == 0 || c->chain[t][k - 1] == level);
}

/* Writes the AND of everything at one scope level (k scopes deep). */
static int sql_level(struct sqlctx *c, size_t k, const struct query_sql_scope *level)
{
	const struct query_sql_scope *done[QUERY_MAX_TERMS];
	size_t ndone = 0, items = 0, written = 0;
	int rc = ASEC_OK;

	/* Count first: parentheses only when there is more than one item. */
	for (size_t t = 0; t < c->q->count; t++) {
		bool seen = false;

		if (!in_level(c, t, k, level))
			continue;
		if (c->depth[t] == k) {
			items++;
			continue;
		}
		for (size_t d = 0; d < ndone; d++)
			seen = seen || done[d] == c->chain[t][k];
		if (!seen) {
			done[ndone++] = c->chain[t][k];
			items++;
		}
	}
	if (items == 0) {
		sb_puts(&c->sql, "TRUE");
		return ASEC_OK;
	}
	if (items > 1)
		sb_puts(&c->sql, "(");
	ndone = 0;
	for (size_t t = 0; t < c->q->count && !rc; t++) {
		const struct query_sql_scope *child;
		bool seen = false;

		if (!in_level(c, t, k, level))
			continue;
		if (c->depth[t] == k) {
			if (written++)
				sb_puts(&c->sql, " AND ");
			rc = sql_term(c, c->q->terms[t], c->cols[t]->expr);
			continue;
		}
		child = c->chain[t][k];
		for (size_t d = 0; d < ndone; d++)
			seen = seen || done[d] == child;
		if (seen)
			continue;
		done[ndone++] = child;
		if (written++)
			sb_puts(&c->sql, " AND ");
		for (const char *p = child->exists_template; *p && !rc; p++) {
			if (p[0] == '%' && p[1] == 's') {
				rc = sql_level(c, k + 1, child);
				p++;
			} else if (p[0] == '%') {
				sb_add(&c->sql, "%", 1);
				p++;
			} else {
				sb_add(&c->sql, p, 1);
			}
		}
	}
	if (items > 1)
		sb_puts(&c->sql, ")");
	return rc;
}

int query_to_sql(char **where_sql, json_t **params, const struct query *q, int first_param_number,
		 const struct query_sql_map *map)
{
	struct sqlctx *c = NULL;
	int rc;

	*where_sql = NULL;
	*params = NULL;
	if (!q || !map || (!map->columns && map->count) || first_param_number < 1) {
		error_set("query: bad arguments to query_to_sql");
		return ASEC_EINVALID;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->params = json_array())) {
		rc = ASEC_ENOMEM;
		error_set("query: out of memory");
		goto out;
	}
	c->next = first_param_number;
	c->q = q;
	for (size_t t = 0; t < q->count; t++) {
		const struct query_field *f = q->terms[t]->field;
		const struct query_sql_scope *s;
		size_t d = 0;

		for (size_t i = 0; i < map->count && !c->cols[t]; i++)
			if (map->columns[i].field_id == f->id)
				c->cols[t] = &map->columns[i];
		if (!c->cols[t] || !c->cols[t]->expr) {
			error_set("query: field \"%s\" has no SQL column", f->label);
			rc = ASEC_EINVALID;
			goto out;
		}
		for (s = c->cols[t]->scope; s; s = s->parent) {
			if (d == QUERY_MAX_DEPTH || !s->exists_template || !template_ok(s->exists_template)) {
				error_set("query: the SQL scope of field \"%s\" is malformed or nests too deeply "
					  "(a template needs exactly one %%s)",
					  f->label);
				rc = ASEC_EINVALID;
				goto out;
			}
			d++;
		}
		c->depth[t] = d;
		for (s = c->cols[t]->scope; s; s = s->parent)
			c->chain[t][--d] = s;
	}
	rc = sql_level(c, 0, NULL);
	if (rc)
		goto out;
	if (c->sql.oom || !c->sql.p) {
		rc = ASEC_ENOMEM;
		error_set("query: out of memory");
		goto out;
	}
	*where_sql = c->sql.p;
	c->sql.p = NULL;
	*params = c->params;
	c->params = NULL;
out:
	if (c) {
		free(c->sql.p);
		json_decref(c->params);
		free(c);
	}
	return rc;
}

/* --- JSON ---------------------------------------------------------------- */

struct seg {
	const char *key;
	bool array;
};

struct jterm {
	const struct qterm *t;
	char buf[QUERY__MAX_PATH + 1];
	struct seg segs[QUERY__MAX_SEGMENTS];
	size_t nseg;
};

static int split_path(struct jterm *j, const char *path)
{
	size_t n = path ? strlen(path) : 0, arrays = 0;
	char *p;

	if (n == 0 || n > QUERY__MAX_PATH)
		goto bad;
	memcpy(j->buf, path, n + 1);
	p = j->buf;
	for (;;) {
		char *dot = strchr(p, '.');
		size_t len;

		if (dot)
			*dot = '\0';
		len = strlen(p);
		if (j->nseg == QUERY__MAX_SEGMENTS)
			goto bad;
		j->segs[j->nseg].array = len > 2 && strcmp(p + len - 2, "[]") == 0;
		if (j->segs[j->nseg].array) {
			p[len - 2] = '\0';
			len -= 2;
			arrays++;
		}
		if (len == 0 || strchr(p, '[') || strchr(p, ']') || arrays > QUERY_MAX_DEPTH)
			goto bad;
		j->segs[j->nseg++].key = p;
		if (!dot)
			break;
		p = dot + 1;
	}
	return ASEC_OK;
bad:
	error_set("query: JSON path \"%s\" of field \"%s\" is malformed", path ? path : "(null)",
		  j->t->field->label);
	return ASEC_EINVALID;
}

static int eval_value(const struct qvalue *v, const json_t *leaf)
{
	bool absent = !leaf || json_is_null(leaf);
	int r;

	if (v->kind == QV_PRESENT)
		return !absent;
	if (v->kind == QV_ABSENT)
		return absent;
	if (absent)
		return 0; /* as NULL in SQL: neither it nor its negation holds */
	switch (v->kind) {
	case QV_PREFIX:
	case QV_EXACT:
	case QV_REGEX: {
		const char *s;

		if (!json_is_string(leaf))
			return 0;
		s = json_string_value(leaf);
		if (v->kind == QV_REGEX) {
			r = regex_match(v->re, s);
			if (r < 0)
				return r;
		} else if (v->kind == QV_PREFIX) {
			r = ascii_prefix(s, v->text, strlen(v->text));
		} else {
			r = ascii_eq(v->text, strlen(v->text), s);
		}
		break;
	}
	case QV_NUMBER: {
		double x;

		if (!json_is_number(leaf))
			return 0;
		x = json_number_value(leaf);
		r = 1;
		for (int k = 0; k < v->ncmp; k++)
			r = r && compare(v->op[k], x < v->num[k] ? -1 : x > v->num[k] ? 1 : 0);
		break;
	}
	case QV_TIME: {
		struct qtime t;

		if (!json_is_string(leaf) || !parse_rfc3339(&t, json_string_value(leaf)))
			return 0;
		r = 1;
		for (int k = 0; k < v->ncmp; k++)
			r = r && compare(v->op[k], time_cmp(&t, &v->time[k]));
		break;
	}
	case QV_BOOL:
		if (!json_is_boolean(leaf))
			return 0;
		r = json_is_true(leaf) == v->boolean;
		break;
	default:
		return 0;
	}
	return v->negate ? !r : r;
}

static int eval_enum(const struct qterm *t, const json_t *leaf)
{
	const struct query_field *f = t->field;
	uint64_t set = 0;
	const char *s;

	if (!json_is_string(leaf))
		return 0;
	s = json_string_value(leaf);
	for (size_t k = 0; k < t->count; k++)
		if (t->values[k].kind == QV_ENUM)
			set |= t->values[k].enum_set;
	for (size_t i = 0; i < f->enum_count; i++) {
		const char *stored = f->enum_values[i].stored ? f->enum_values[i].stored : f->enum_values[i].name;

		if ((set >> i & 1) && strcmp(s, stored) == 0)
			return 1;
	}
	return 0;
}

static int eval_term(const struct qterm *t, const json_t *leaf)
{
	bool enum_tried = false;

	for (size_t k = 0; k < t->count; k++) {
		const struct qvalue *v = &t->values[k];
		int r;

		if (v->kind == QV_ENUM) {
			if (enum_tried)
				continue;
			enum_tried = true;
			r = eval_enum(t, leaf);
		} else {
			r = eval_value(v, leaf);
		}
		if (r)
			return r; /* a match, or an error */
	}
	return 0;
}

static const json_t *member(const json_t *node, const char *key)
{
	return json_is_object(node) ? json_object_get(node, key) : NULL;
}

static bool same_prefix(const struct jterm *a, const struct jterm *b, size_t from, size_t to)
{
	if (b->nseg <= to)
		return false;
	for (size_t s = from; s <= to; s++)
		if (a->segs[s].array != b->segs[s].array || strcmp(a->segs[s].key, b->segs[s].key) != 0)
			return false;
	return true;
}

/* Whether node satisfies all the terms in idx, whose paths agree up to
 * segment cur: terms with no array left are read directly; terms that go
 * through the same next array must hold for one and the same element. */
static int jmatch(const json_t *node, const struct jterm *jt, const size_t *idx, size_t n, size_t cur)
{
	bool done[QUERY_MAX_TERMS] = {false};

	for (size_t a = 0; a < n; a++) {
		const struct jterm *t = &jt[idx[a]];
		size_t group[QUERY_MAX_TERMS], ng = 0, k = cur;
		const json_t *at = node, *array;
		bool found = false;
		int r;

		if (done[a])
			continue;
		while (k < t->nseg && !t->segs[k].array)
			k++;
		if (k == t->nseg) {
			for (size_t s = cur; s < t->nseg; s++)
				at = member(at, t->segs[s].key);
			r = eval_term(t->t, at);
			if (r <= 0)
				return r;
			done[a] = true;
			continue;
		}
		for (size_t b = a; b < n; b++) {
			if (!done[b] && same_prefix(t, &jt[idx[b]], cur, k)) {
				group[ng++] = idx[b];
				done[b] = true;
			}
		}
		for (size_t s = cur; s <= k; s++)
			at = member(at, t->segs[s].key);
		array = at;
		for (size_t e = 0; json_is_array(array) && e < json_array_size(array) && !found; e++) {
			r = jmatch(json_array_get(array, e), jt, group, ng, k + 1);
			if (r < 0)
				return r;
			found = r;
		}
		if (!found)
			return 0;
	}
	return 1;
}

int query_matches(const struct query *q, const json_t *object, const struct query_json_map *map)
{
	struct jterm *jt = NULL;
	size_t idx[QUERY_MAX_TERMS];
	int rc;

	if (!q || !map || (!map->columns && map->count)) {
		error_set("query: bad arguments to query_matches");
		return ASEC_EINVALID;
	}
	if (q->count == 0)
		return 1;
	jt = calloc(q->count, sizeof(*jt));
	if (!jt) {
		error_set("query: out of memory");
		return ASEC_ENOMEM;
	}
	for (size_t t = 0; t < q->count; t++) {
		const char *path = NULL;

		jt[t].t = q->terms[t];
		idx[t] = t;
		for (size_t i = 0; i < map->count && !path; i++)
			if (map->columns[i].field_id == q->terms[t]->field->id)
				path = map->columns[i].path;
		if (!path) {
			error_set("query: field \"%s\" has no JSON path", q->terms[t]->field->label);
			rc = ASEC_EINVALID;
			goto out;
		}
		rc = split_path(&jt[t], path);
		if (rc)
			goto out;
	}
	rc = jmatch(object, jt, idx, q->count, 0);
out:
	free(jt);
	return rc;
}
