/*
 * value.c - the syntax of policy values, and StackRox's regular expressions
 * on top of POSIX regex.
 *
 * StackRox compiles string values with Go's RE2, case-insensitively, matched
 * against the whole value. We use the C library's POSIX extended regular
 * expressions (regcomp, REG_ICASE) and translate RE2 syntax into ERE first:
 * \d \s \w and their negations, (?:...) groups, (?i) flags, lazy
 * quantifiers (which cannot change whether a whole-value match exists),
 * escapes of punctuation, \Q...\E, \xHH, character classes with escapes.
 * What RE2 reads differently from ERE or does not have is refused with a
 * reason instead of silently meaning something else: back references
 * (RE2 has none), Unicode classes \p, case-sensitive (?-i), non-ASCII in
 * classes; and counted repetitions past what glibc's engine handles safely
 * (see RX_MAX_REPEAT: stricter than RE2's 1000).
 * '.' does not match a newline unless (?s), as in RE2.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error/error.h"
#include "policy/policy_internal.h"

#define RX_MAX_OUT 32768
/* glibc's regcomp expands counted repetitions into copies (and recurses over
 * them, so a large expansion overflows the stack) and regexec walks them all:
 * {1000} twenty times in a 200-byte value crashed it and ten times took 17 s
 * on a 100-byte string. Counts are therefore capped far below RE2's 1000, and
 * so is their sum over the whole pattern (each count weighted by the counts
 * around it). Real policies use {1,3}. */
#define RX_MAX_REPEAT 100
#define RX_MAX_EXPANSION 256
#define RX_MAX_DEPTH 64

struct rx_out {
	char *buf;
	size_t len;
	int overflow;
};

static void rx_put(struct rx_out *o, const char *s, size_t n)
{
	if (o->overflow || o->len + n >= RX_MAX_OUT) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void rx_puts(struct rx_out *o, const char *s)
{
	rx_put(o, s, strlen(s));
}

/* One literal byte outside a bracket expression. */
static void rx_literal(struct rx_out *o, unsigned char ch)
{
	char tmp[3];

	if (strchr(".[]{}()\\*+?|^$", ch) && ch) {
		tmp[0] = '\\';
		tmp[1] = (char)ch;
		rx_put(o, tmp, 2);
	} else if (ch == '\n') {
		rx_puts(o, "[\n]");
	} else {
		tmp[0] = (char)ch;
		rx_put(o, tmp, 1);
	}
}

/* A set of ASCII bytes, emitted as one POSIX bracket expression. */
struct rx_set {
	unsigned char in[128];
};

static void set_class(struct rx_set *s, int (*pred)(int))
{
	for (int c = 1; c < 128; c++)
		if (pred(c))
			s->in[c] = 1;
}

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int is_re2_space(int c)
{
	/* RE2's \s is [\t\n\f\r ] - no vertical tab. */
	return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void set_emit(struct rx_out *o, const struct rx_set *s, int negated)
{
	int any = 0;

	for (int c = 1; c < 128; c++)
		any |= s->in[c];
	if (!any) {
		/* An empty class: RE2 accepts [^\x00-\x{10FFFF}] etc.; nothing
		 * matches it. Something impossible in ERE: */
		rx_puts(o, negated ? "(.|[\n])" : "[^\001-\377]");
		return;
	}
	rx_puts(o, negated ? "[^" : "[");
	if (s->in[']'])
		rx_puts(o, "]");
	for (int c = 1; c < 128; c++) {
		char ch = (char)c;

		if (!s->in[c] || c == ']' || c == '^' || c == '-' || c == '[')
			continue;
		rx_put(o, &ch, 1);
	}
	if (s->in['['])
		rx_puts(o, "[");
	if (s->in['^'])
		rx_puts(o, "^");
	if (s->in['-'])
		rx_puts(o, "-");
	rx_puts(o, "]");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads an escape that stands for one byte (\n, \x41, \x{41}, \.): returns
 * the byte, or -1 when it is a class escape or invalid (*why set). */
static int rx_escape_byte(const char **pp, const char **why)
{
	const char *p = *pp; /* at the char after '\' */
	int v;

	switch (*p) {
	case 'n': *pp = p + 1; return '\n';
	case 't': *pp = p + 1; return '\t';
	case 'r': *pp = p + 1; return '\r';
	case 'f': *pp = p + 1; return '\f';
	case 'v': *pp = p + 1; return '\v';
	case 'a': *pp = p + 1; return '\a';
	case 'x':
		if (p[1] == '{') {
			const char *q = p + 2;

			v = 0;
			while (hexval(*q) >= 0 && v < 0x110000)
				v = v * 16 + hexval(*q++);
			if (*q != '}' || q == p + 2) {
				*why = "bad \\x{...} escape";
				return -1;
			}
			if (v == 0 || v > 127) {
				*why = "\\x escapes outside ASCII (or NUL) are not supported";
				return -1;
			}
			*pp = q + 1;
			return v;
		}
		if (hexval(p[1]) < 0 || hexval(p[2]) < 0) {
			*why = "bad \\x escape";
			return -1;
		}
		v = hexval(p[1]) * 16 + hexval(p[2]);
		if (v == 0 || v > 127) {
			*why = "\\x escapes outside ASCII (or NUL) are not supported";
			return -1;
		}
		*pp = p + 3;
		return v;
	default:
		break;
	}
	if (*p && (unsigned char)*p < 128 && ispunct((unsigned char)*p)) {
		*pp = p + 1;
		return (unsigned char)*p;
	}
	if (*p >= '1' && *p <= '9')
		*why = "back references are not regular expressions (RE2 refuses them)";
	else if (*p == 'p' || *p == 'P')
		*why = "Unicode classes \\p are not supported";
	else if (*p == '0')
		*why = "octal escapes are not supported";
	else if (*p == '\0')
		*why = "trailing backslash";
	else
		*why = "unknown escape";
	return -1;
}

/* Parses [...] at *pp (at '['); fills set. */
static int rx_class(struct rx_set *set, int *negated, const char **pp, const char **why)
{
	const char *p = *pp + 1;
	int first = 1;

	memset(set, 0, sizeof(*set));
	*negated = 0;
	if (*p == '^') {
		*negated = 1;
		p++;
	}
	for (;;) {
		int lo, hi;

		if (*p == '\0') {
			*why = "missing ]";
			return -1;
		}
		if (*p == ']' && !first)
			break;
		first = 0;
		if (p[0] == '[' && p[1] == ':') {
			static const struct {
				const char *name;
				int (*pred)(int);
			} classes[] = {
				{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
				{"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
				{"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
				{"word", is_word},
			};
			const char *end = strstr(p + 2, ":]");
			size_t i, n;

			if (!end) {
				*why = "bad [:class:]";
				return -1;
			}
			n = (size_t)(end - (p + 2));
			for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
				if (strlen(classes[i].name) == n && strncmp(classes[i].name, p + 2, n) == 0)
					break;
			if (i == sizeof(classes) / sizeof(classes[0])) {
				*why = "unknown or negated [:class:]";
				return -1;
			}
			set_class(set, classes[i].pred);
			p = end + 2;
			continue;
		}
		if (*p == '\\') {
			const char *q = p + 1;

			if (*q == 'd' || *q == 's' || *q == 'w') {
				set_class(set, *q == 'd' ? is_digit : *q == 's' ? is_re2_space : is_word);
				p = q + 1;
				continue;
			}
			if (*q == 'D' || *q == 'S' || *q == 'W') {
				*why = "negated class escapes inside [...] are not supported";
				return -1;
			}
			lo = rx_escape_byte(&q, why);
			if (lo < 0)
				return -1;
			p = q;
		} else {
			if ((unsigned char)*p >= 128) {
				*why = "non-ASCII characters in [...] are not supported";
				return -1;
			}
			lo = (unsigned char)*p++;
		}
		hi = lo;
		if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			if (*p == '\\') {
				const char *q = p + 1;

				hi = rx_escape_byte(&q, why);
				if (hi < 0)
					return -1;
				p = q;
			} else {
				if ((unsigned char)*p >= 128) {
					*why = "non-ASCII characters in [...] are not supported";
					return -1;
				}
				hi = (unsigned char)*p++;
			}
			if (hi < lo) {
				*why = "bad character class range";
				return -1;
			}
		}
		for (int c = lo; c <= hi; c++)
			set->in[c] = 1;
	}
	*pp = p + 1;
	return 0;
}

/* Reads {n}, {n,}, {n,m} at p; returns the max (RX_MAX_REPEAT+1 when
 * unbounded) or -1 when it is no repetition (then '{' is a literal). */
static int rx_repeat(const char *p, const char **end, int *bad)
{
	long n = 0, m;
	const char *q = p + 1;

	*bad = 0;
	if (!isdigit((unsigned char)*q))
		return -1;
	while (isdigit((unsigned char)*q) && n <= RX_MAX_REPEAT)
		n = n * 10 + (*q++ - '0');
	m = n;
	if (*q == ',') {
		q++;
		if (*q == '}') {
			m = -1;
		} else {
			if (!isdigit((unsigned char)*q))
				return -1;
			m = 0;
			while (isdigit((unsigned char)*q) && m <= RX_MAX_REPEAT)
				m = m * 10 + (*q++ - '0');
		}
	}
	if (*q != '}')
		return -1;
	if (n > RX_MAX_REPEAT || m > RX_MAX_REPEAT || (m >= 0 && m < n)) {
		*bad = 1;
		return -1;
	}
	*end = q + 1;
	return m < 0 ? (n > 0 ? (int)n : 1) : (m > 0 ? (int)m : 1);
}

static int rx_translate(struct rx_out *o, const char *pat, const char **why)
{
	const char *p = pat;
	int dotall = 0;
	int depth = 0;
	long prod[RX_MAX_DEPTH + 1];
	int have_atom = 0; /* a quantifier may follow */
	long last_atom = 1; /* repetition product of the last atom */
	long expansion = 0; /* what the counted repetitions add up to */

	prod[0] = 1;
	while (*p) {
		if (*p == '\\') {
			const char *q = p + 1;
			int b;

			if (*q == 'Q') {
				const char *e = strstr(q + 1, "\\E");
				const char *stop = e ? e : q + 1 + strlen(q + 1);

				for (const char *r = q + 1; r < stop; r++)
					rx_literal(o, (unsigned char)*r);
				p = e ? e + 2 : stop;
				have_atom = stop > q + 1;
				last_atom = 1;
				continue;
			}
			switch (*q) {
			case 'd': rx_puts(o, "[0-9]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 'D': rx_puts(o, "[^0-9]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 's': rx_puts(o, "[\t\n\f\r ]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 'S': rx_puts(o, "[^\t\n\f\r ]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 'w': rx_puts(o, "[[:alnum:]_]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 'W': rx_puts(o, "[^[:alnum:]_]"); p = q + 1; have_atom = 1; last_atom = 1; continue;
			case 'A': rx_puts(o, "^"); p = q + 1; have_atom = 0; continue;
			case 'z': rx_puts(o, "$"); p = q + 1; have_atom = 0; continue;
			case 'b': rx_puts(o, "\\b"); p = q + 1; have_atom = 0; continue;
			case 'B': rx_puts(o, "\\B"); p = q + 1; have_atom = 0; continue;
			case 'C': *why = "\\C is not supported"; return -1;
			default: break;
			}
			b = rx_escape_byte(&q, why);
			if (b < 0)
				return -1;
			rx_literal(o, (unsigned char)b);
			p = q;
			have_atom = 1;
			last_atom = 1;
			continue;
		}
		if (*p == '[') {
			struct rx_set set;
			int negated;

			if (rx_class(&set, &negated, &p, why) < 0)
				return -1;
			set_emit(o, &set, negated);
			have_atom = 1;
			last_atom = 1;
			continue;
		}
		if (*p == '(') {
			if (depth >= RX_MAX_DEPTH) {
				*why = "groups nested too deeply";
				return -1;
			}
			if (p[1] == '?') {
				const char *q = p + 2;

				if (*q == 'P' && q[1] == '<')
					q++;
				if (*q == '<') {
					const char *e = strchr(q, '>');

					if (!e || e == q + 1) {
						*why = "bad named group";
						return -1;
					}
					p = e + 1;
				} else {
					/* flags: i s m U, then ':' (group) or ')' (set) */
					while (*q == 'i' || *q == 's' || *q == 'm' || *q == 'U') {
						if (*q == 's')
							dotall = 1;
						q++;
					}
					if (*q == '-') {
						*why = "clearing flags (?-...) is not supported (matching is always case-insensitive)";
						return -1;
					}
					if (*q == ')' && q > p + 2) {
						p = q + 1;
						continue;
					}
					if (*q != ':') {
						*why = "unsupported group syntax (?...)";
						return -1;
					}
					p = q + 1;
				}
			} else {
				p++;
			}
			rx_puts(o, "(");
			prod[++depth] = 1;
			have_atom = 0;
			continue;
		}
		if (*p == ')') {
			if (depth == 0) {
				*why = "unexpected )";
				return -1;
			}
			rx_puts(o, ")");
			last_atom = prod[depth--];
			have_atom = 1;
			p++;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			int max = 1, bad = 0;
			const char *end = p + 1;

			if (*p == '{') {
				max = rx_repeat(p, &end, &bad);
				if (bad) {
					*why = "bad repetition count (at most 100 here, where RE2 allows 1000: this regex engine copies what is counted)";
					return -1;
				}
				if (max < 0) { /* a literal brace */
					rx_puts(o, "\\{");
					p++;
					have_atom = 1;
					last_atom = 1;
					continue;
				}
			}
			if (!have_atom) {
				*why = "missing argument to repetition operator";
				return -1;
			}
			if (last_atom * max > RX_MAX_REPEAT) {
				*why = "bad repetition operator: nested counts exceed 100";
				return -1;
			}
			if (*p == '{' && (expansion += last_atom * max) > RX_MAX_EXPANSION) {
				*why = "too many counted repetitions: their counts add up past 256";
				return -1;
			}
			if (last_atom * max > prod[depth])
				prod[depth] = last_atom * max;
			rx_put(o, p, (size_t)(end - p));
			p = end;
			if (*p == '?') /* lazy: same whole-value matches */
				p++;
			if (*p == '*' || *p == '+' || *p == '?' || (*p == '{' && rx_repeat(p, &end, &bad) >= 0)) {
				*why = "bad repetition operator (double quantifier)";
				return -1;
			}
			have_atom = 0;
			continue;
		}
		if (*p == '.') {
			rx_puts(o, dotall ? "(.|[\n])" : "[^\n]");
			p++;
			have_atom = 1;
			last_atom = 1;
			continue;
		}
		if (*p == '|' || *p == '^' || *p == '$') {
			char ch = *p++;

			rx_put(o, &ch, 1);
			have_atom = 0;
			continue;
		}
		if (*p == ']' || *p == '}') {
			rx_literal(o, (unsigned char)*p++);
			have_atom = 1;
			last_atom = 1;
			continue;
		}
		rx_put(o, p, 1);
		p++;
		have_atom = 1;
		last_atom = 1;
	}
	if (depth != 0) {
		*why = "missing )";
		return -1;
	}
	if (o->overflow) {
		*why = "pattern too long";
		return -1;
	}
	return 0;
}

int pol_regex_compile(regex_t **out, char *why, size_t why_size, const char *pattern, int contains)
{
	struct rx_out o = {0};
	const char *reason = NULL;
	regex_t *re = NULL;
	int rc, error = ASEC_OK;

	*out = NULL;
	if (strlen(pattern) > POLICY_MAX_VALUE_BYTES) {
		snprintf(why, why_size, "regular expression longer than %d bytes", POLICY_MAX_VALUE_BYTES);
		return ASEC_EINVALID;
	}
	o.buf = malloc(RX_MAX_OUT);
	if (!o.buf)
		return ASEC_ENOMEM;
	o.buf[0] = '\0';
	rx_puts(&o, contains ? "(" : "^(");
	if (rx_translate(&o, pattern, &reason) < 0) {
		snprintf(why, why_size, "invalid regular expression: %s", reason);
		error = ASEC_EINVALID;
		goto out;
	}
	rx_puts(&o, contains ? ")" : ")$");
	if (o.overflow) {
		snprintf(why, why_size, "invalid regular expression: pattern too long");
		error = ASEC_EINVALID;
		goto out;
	}
	re = malloc(sizeof(*re));
	if (!re) {
		error = ASEC_ENOMEM;
		goto out;
	}
	rc = regcomp(re, o.buf, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		char msg[128];

		regerror(rc, re, msg, sizeof(msg));
		snprintf(why, why_size, "invalid regular expression: %s", msg);
		free(re);
		re = NULL;
		error = rc == REG_ESPACE ? ASEC_ENOMEM : ASEC_EINVALID;
		goto out;
	}
	*out = re;
out:
	free(o.buf);
	return error;
}

void pol_regex_free(regex_t *re)
{
	if (!re)
		return;
	regfree(re);
	free(re);
}

int pol_regex_match(const regex_t *re, const char *s)
{
	if (!re)
		return 1;
	return regexec(re, s ? s : "", 0, NULL, 0) == 0;
}

/* ---- value forms ------------------------------------------------------ */

int pol_cmp(int cmp, double have, double want)
{
	switch (cmp) {
	case POL_CMP_LT: return have < want;
	case POL_CMP_GT: return have > want;
	case POL_CMP_LE: return have <= want;
	case POL_CMP_GE: return have >= want;
	default: return have == want;
	}
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* (<|>|<=|>=)? spaces */
static const char *parse_cmp(const char *p, int *cmp)
{
	*cmp = POL_CMP_EQ;
	if (p[0] == '<' && p[1] == '=') {
		*cmp = POL_CMP_LE;
		p += 2;
	} else if (p[0] == '>' && p[1] == '=') {
		*cmp = POL_CMP_GE;
		p += 2;
	} else if (p[0] == '<') {
		*cmp = POL_CMP_LT;
		p++;
	} else if (p[0] == '>') {
		*cmp = POL_CMP_GT;
		p++;
	}
	return skip_space(p);
}

/* StackRox's comparatorDecimalValueRegex: [cmp] spaces \d*\.?\d+ */
static int parse_decimal(const char *p, double *out)
{
	const char *q = p;
	int digits_after = 0;

	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.')
		q++;
	while (isdigit((unsigned char)*q)) {
		digits_after = 1;
		q++;
	}
	if (*q != '\0' || q == p || (!digits_after && q[-1] == '.'))
		return -1;
	*out = strtod(p, NULL);
	return 0;
}

int pol_severity_rank(const char *s)
{
	static const char *const names[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};

	if (!s)
		return -1;
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(names[i]);

		if (strncasecmp(s, names[i], n) == 0 &&
		    (s[n] == '\0' || strcasecmp(s + n, "_VULNERABILITY_SEVERITY") == 0))
			return i;
	}
	return -1;
}

int64_t pol_time_parse(const char *s)
{
	struct tm tm;
	const char *p;
	int64_t t;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		   p[3] == ':' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
		int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;

		t += *p == '+' ? -off : off;
		p += 6;
	} else {
		return -1;
	}
	return *p == '\0' ? t : -1;
}

static int compile_part(regex_t **out, char *why, size_t why_size, const char *s, size_t n, const char *what)
{
	char *part;
	int error;

	*out = NULL;
	if (n == 0)
		return ASEC_OK; /* empty side: anything */
	part = strndup(s, n);
	if (!part)
		return ASEC_ENOMEM;
	error = pol_regex_compile(out, why, why_size, part, 0);
	free(part);
	if (error == ASEC_EINVALID) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", why);
		snprintf(why, why_size, "%s: %s", what, tmp);
	}
	return error;
}

static int has_non_space(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 1;
	return 0;
}

static int kube_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != ':')
			return 0;
	return 1;
}

static int ip_ok(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int pol_value_parse(struct pol_value *v, char *why, size_t why_size, const struct pol_field *f, const char *text)
{
	const char *p, *eq, *eq2;
	int error = ASEC_OK;

	memset(v, 0, sizeof(*v));
	why[0] = '\0';
	if (strlen(text) > POLICY_MAX_VALUE_BYTES) {
		snprintf(why, why_size, "value longer than %d bytes", POLICY_MAX_VALUE_BYTES);
		return ASEC_EINVALID;
	}
	v->text = strdup(text);
	if (!v->text)
		return ASEC_ENOMEM;
	switch (f->kind) {
	case PK_REGEX:
	case PK_CONTAINS_REGEX:
		if (!has_non_space(text)) {
			snprintf(why, why_size, "a non-blank regular expression is required");
			error = ASEC_EINVALID;
			break;
		}
		error = pol_regex_compile(&v->re[0], why, why_size, text, f->kind == PK_CONTAINS_REGEX);
		break;
	case PK_BOOL:
		if (strcasecmp(text, "true") == 0)
			v->boolean = 1;
		else if (strcasecmp(text, "false") == 0)
			v->boolean = 0;
		else {
			snprintf(why, why_size, "expected true or false");
			error = ASEC_EINVALID;
		}
		break;
	case PK_NUMBER:
		p = parse_cmp(text, &v->cmp);
		if (parse_decimal(p, &v->num) < 0) {
			snprintf(why, why_size, "expected a number with an optional comparator (<, >, <=, >=), e.g. \">= 7.0\"");
			error = ASEC_EINVALID;
		}
		break;
	case PK_UINT:
		p = parse_cmp(text, &v->cmp);
		if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 10) {
			snprintf(why, why_size, "expected an integer with an optional comparator, e.g. \"0\"");
			error = ASEC_EINVALID;
		} else {
			v->num = strtod(p, NULL);
		}
		break;
	case PK_DAYS:
		if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 6) {
			snprintf(why, why_size, "expected a whole number of days, e.g. \"90\"");
			error = ASEC_EINVALID;
		} else {
			v->cmp = POL_CMP_GT;
			v->num = strtod(text, NULL);
		}
		break;
	case PK_SEVERITY: {
		int rank;

		p = parse_cmp(text, &v->cmp);
		rank = pol_severity_rank(p);
		if (rank < 0 || strchr(p, '_')) {
			snprintf(why, why_size, "expected a severity with an optional comparator, e.g. \">= IMPORTANT\" "
						"(UNKNOWN, LOW, MODERATE, IMPORTANT, CRITICAL)");
			error = ASEC_EINVALID;
		}
		v->num = rank;
		break;
	}
	case PK_KEYVALUE:
	case PK_MAPREGEX:
		eq = strchr(text, '=');
		if (f->kind == PK_KEYVALUE && (!eq || eq == text)) {
			snprintf(why, why_size, "expected key=value (key required, value may be empty)");
			error = ASEC_EINVALID;
			break;
		}
		if (!has_non_space(text)) {
			snprintf(why, why_size, "a non-blank value is required");
			error = ASEC_EINVALID;
			break;
		}
		if (!eq)
			eq = text + strlen(text);
		error = compile_part(&v->re[0], why, why_size, text, (size_t)(eq - text), "key");
		if (!error && *eq)
			error = compile_part(&v->re[1], why, why_size, eq + 1, strlen(eq + 1), "value");
		break;
	case PK_ENVVAR: {
		static const char *const sources[] = {"UNSET", "RAW", "SECRET_KEY", "CONFIG_MAP_KEY", "FIELD",
						      "RESOURCE_FIELD", "UNKNOWN", NULL};
		size_t n;
		int i;

		eq = strchr(text, '=');
		eq2 = eq ? strchr(eq + 1, '=') : NULL;
		if (!eq || !eq2) {
			snprintf(why, why_size, "expected SOURCE=NAME=VALUE (SOURCE one of RAW, SECRET_KEY, "
						"CONFIG_MAP_KEY, FIELD, RESOURCE_FIELD, UNKNOWN, UNSET or empty)");
			error = ASEC_EINVALID;
			break;
		}
		n = (size_t)(eq - text);
		for (i = 0; n && sources[i]; i++)
			if (strlen(sources[i]) == n && strncasecmp(sources[i], text, n) == 0)
				break;
		if (n && !sources[i]) {
			snprintf(why, why_size, "unknown environment variable source '%.*s'", (int)(n > 64 ? 64 : n),
				 text);
			error = ASEC_EINVALID;
			break;
		}
		if (n)
			v->enum_value = sources[i];
		error = compile_part(&v->re[1], why, why_size, eq + 1, (size_t)(eq2 - eq - 1), "name");
		if (!error)
			error = compile_part(&v->re[2], why, why_size, eq2 + 1, strlen(eq2 + 1), "value");
		break;
	}
	case PK_DOCKERFILE: {
		static const char *const instr[] = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE",
						    "FROM", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "STOPSIGNAL",
						    "USER", "VOLUME", "WORKDIR", "HEALTHCHECK", "SHELL", NULL};
		size_t n;
		int i;

		eq = strchr(text, '=');
		if (!eq) {
			snprintf(why, why_size, "expected INSTRUCTION=regex, e.g. \"RUN=.*curl.*\"");
			error = ASEC_EINVALID;
			break;
		}
		n = (size_t)(eq - text);
		for (i = 0; n && instr[i]; i++)
			if (strlen(instr[i]) == n && strncasecmp(instr[i], text, n) == 0)
				break;
		if (n && !instr[i]) {
			snprintf(why, why_size, "unknown Dockerfile instruction '%.*s'", (int)(n > 64 ? 64 : n), text);
			error = ASEC_EINVALID;
			break;
		}
		if (n)
			v->enum_value = instr[i];
		error = compile_part(&v->re[1], why, why_size, eq + 1, strlen(eq + 1), "line");
		break;
	}
	case PK_ENUM: {
		int i;

		for (i = 0; f->enum_values[i]; i++)
			if (strcasecmp(f->enum_values[i], text) == 0)
				break;
		if (!f->enum_values[i]) {
			char list[512];
			size_t used = 0;

			list[0] = '\0';
			for (int j = 0; f->enum_values[j] && used < sizeof(list) - 40; j++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "",
							 f->enum_values[j]);
			snprintf(why, why_size, "expected one of %s", list);
			error = ASEC_EINVALID;
			break;
		}
		v->enum_value = f->enum_values[i];
		break;
	}
	case PK_KUBE_NAME:
		if (!kube_name_ok(text)) {
			snprintf(why, why_size, "expected a Kubernetes user or group name ([a-z0-9:-])");
			error = ASEC_EINVALID;
		}
		break;
	case PK_IP:
		if (!ip_ok(text)) {
			snprintf(why, why_size, "expected an IPv4 or IPv6 address");
			error = ASEC_EINVALID;
		}
		break;
	case PK_SIGNATURE:
		if (strncmp(text, "io.stackrox.signatureintegration.", 33) != 0 || strlen(text) != 33 + 36) {
			snprintf(why, why_size, "expected a signature integration id "
						"io.stackrox.signatureintegration.<uuid>");
			error = ASEC_EINVALID;
		}
		break;
	}
	if (error)
		pol_value_clear(v);
	return error;
}

void pol_value_clear(struct pol_value *v)
{
	free(v->text);
	for (int i = 0; i < 3; i++)
		pol_regex_free(v->re[i]);
	memset(v, 0, sizeof(*v));
}
