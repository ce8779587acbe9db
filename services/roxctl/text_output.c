/*
 * text_output.c - the text-making pieces shared by roxctl's formatters
 * (text_output.h says what each one promises).
 *
 * Two ideas hold it together. First, every byte from outside is decoded
 * as UTF-8 exactly once per use, by one strict decoder (no overlongs, no
 * surrogates, nothing past U+10FFFF), and whatever it refuses is replaced,
 * never passed on: a terminal, an XML parser and jansson each fail in
 * their own way on malformed input. Second, terminal width is a property
 * of code points looked up in a short table of the blocks that package
 * names, policy texts and summaries really use; wcwidth() would make the
 * output depend on the caller's locale, and the golden files could not
 * hold.
 */
#include "text_output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"

#ifndef ASEC_VERSION
#define ASEC_VERSION "0.0.0"
#endif

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* ---- buffer -------------------------------------------------------------- */

void text_buf_add(struct text_buf *b, const char *data, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void text_buf_str(struct text_buf *b, const char *s)
{
	text_buf_add(b, s, strlen(s));
}

void text_buf_fmt(struct text_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	text_buf_add(b, tmp, (size_t)n);
}

void text_buf_repeat(struct text_buf *b, char c, size_t n)
{
	while (n-- > 0)
		text_buf_add(b, &c, 1);
}

void text_buf_reset(struct text_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

const char *text_buf_cstr(const struct text_buf *b)
{
	return b->p ? b->p : "";
}

int text_buf_write(FILE *out, const struct text_buf *b, const char *what)
{
	if (b->failed) {
		error_set("out of memory formatting the %s", what);
		return ASEC_ENOMEM;
	}
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len) {
		error_set("writing the %s: %s", what, strerror(errno));
		return ASEC_EIO;
	}
	if (fflush(out) != 0 || ferror(out)) {
		error_set("writing the %s: %s", what, strerror(errno ? errno : EIO));
		return ASEC_EIO;
	}
	return ASEC_OK;
}

/* ---- UTF-8 and terminal cells -------------------------------------------- */

/* Decodes one well-formed UTF-8 sequence; returns its length, or 0 for a
 * malformed one (truncated, overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

struct range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

#define RANGES(t) (t), sizeof(t) / sizeof((t)[0])

static int cp_width(uint32_t cp, enum text_safety safety)
{
	static const struct range unsafe[] = {
		{0x00, 0x1f}, {0x7f, 0x9f}, {0x061c, 0x061c}, {0x200e, 0x200f}, {0x2028, 0x202e}, {0x2066, 0x2069},
	};
	static const struct range unsafe_strict[] = {{0xfdd0, 0xfdef}, {0xfff9, 0xffff}};
	static const struct range zero[] = {
		{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a}, {0x064b, 0x065f},
		{0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200d}, {0x2060, 0x2064}, {0x20d0, 0x20ff},
		{0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0xfeff, 0xfeff},
	};
	static const struct range wide[] = {
		{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
		{0xa000, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe30, 0xfe4f}, {0xff00, 0xff60},
		{0xffe0, 0xffe6}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
	};

	if (in_ranges(cp, RANGES(unsafe)) || (safety == TEXT_SAFE_STRICT && in_ranges(cp, RANGES(unsafe_strict))))
		return -1;
	if (in_ranges(cp, RANGES(zero)))
		return 0;
	if (in_ranges(cp, RANGES(wide)))
		return 2;
	return 1;
}

size_t text_char(const char *s, size_t n, enum text_safety safety, int *width)
{
	uint32_t cp;
	size_t len = utf8_decode((const unsigned char *)s, n, &cp);

	*width = len ? cp_width(cp, safety) : -1;
	return len ? len : 1;
}

/* What a character shown as itself or as '?' takes. */
static size_t columns_of(int width)
{
	return width < 0 ? 1 : (size_t)width;
}

size_t text_terminal(struct text_buf *b, const char *s, size_t n, enum text_safety safety)
{
	size_t i, len, used = 0;
	int w;

	for (i = 0; i < n; i += len) {
		len = text_char(s + i, n - i, safety, &w);
		if (w < 0)
			text_buf_add(b, "?", 1);
		else
			text_buf_add(b, s + i, len);
		used += columns_of(w);
	}
	return used;
}

size_t text_terminal_cut(struct text_buf *b, const char *s, size_t max, enum text_safety safety)
{
	size_t n = strlen(s), i, len, total = 0, room, used = 0;
	int w;

	for (i = 0; i < n; i += len) {
		len = text_char(s + i, n - i, safety, &w);
		total += columns_of(w);
	}
	/* Room for the text before "...": a max under 3 leaves none. */
	room = max && total > max ? (max > 3 ? max - 3 : 0) : total;
	for (i = 0; i < n; i += len) {
		len = text_char(s + i, n - i, safety, &w);
		if (used + columns_of(w) > room)
			break;
		used += text_terminal(b, s + i, len, safety);
	}
	if (room < total) {
		text_buf_add(b, "...", 3);
		used += 3;
	}
	return used;
}

void text_utf8_repair(struct text_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		if (len) {
			text_buf_add(b, s + i, len);
		} else {
			text_buf_add(b, "\xef\xbf\xbd", 3);
			len = 1;
		}
	}
}

/* ---- tables ---------------------------------------------------------------- */

const char *text_colour(unsigned rank)
{
	static const char *const colours[] = {"\x1b[36m", "\x1b[33m", "\x1b[31m", "\x1b[1;31m"};

	return colours[rank < 3 ? rank : 3];
}

void text_table_border(struct text_buf *b, const size_t *widths, size_t columns, size_t blank_columns)
{
	size_t i;

	for (i = 0; i < columns; i++) {
		text_buf_add(b, "+", 1);
		text_buf_repeat(b, i < blank_columns ? ' ' : '-', widths[i] + 2);
	}
	text_buf_add(b, "+\n", 2);
}

void text_table_cell(struct text_buf *b, const char *text, size_t text_width, size_t width, const char *colour)
{
	size_t left = (width - text_width) / 2, right = width - text_width - left;

	text_buf_add(b, " ", 1);
	text_buf_repeat(b, ' ', left);
	if (colour && text[0])
		text_buf_str(b, colour);
	text_buf_str(b, text);
	if (colour && text[0])
		text_buf_str(b, TEXT_COLOUR_OFF);
	text_buf_repeat(b, ' ', right);
	text_buf_add(b, " |", 2);
}

/* ---- escaping ------------------------------------------------------------- */

void text_csv_field(struct text_buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[0] == '\t' || strcmp(s, "\\.") == 0;
	const char *p;

	if (!quote) {
		text_buf_str(b, s);
		return;
	}
	text_buf_add(b, "\"", 1);
	for (p = s; *p; p++) {
		if (*p == '"')
			text_buf_add(b, "\"\"", 2);
		else
			text_buf_add(b, p, 1);
	}
	text_buf_add(b, "\"", 1);
}

void text_xml(struct text_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		if (!len) {
			text_buf_add(b, "?", 1);
			len = 1;
			continue;
		}
		switch (cp) {
		case '&': text_buf_str(b, "&amp;"); break;
		case '<': text_buf_str(b, "&lt;"); break;
		case '>': text_buf_str(b, "&gt;"); break;
		case '"': text_buf_str(b, "&quot;"); break;
		case '\'': text_buf_str(b, "&apos;"); break;
		case '\n': text_buf_str(b, "&#xA;"); break;
		case '\t': text_buf_str(b, "&#x9;"); break;
		default:
			if (cp < 0x20 || cp == 0x7f || cp == 0xfffe || cp == 0xffff)
				text_buf_add(b, "?", 1);
			else
				text_buf_add(b, s + i, len);
		}
	}
}

bool text_uri_plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

void text_uri_encode(struct text_buf *b, const char *s, const char *colon_end)
{
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (text_uri_plain_char(c) && !(c == ':' && p < colon_end))
			text_buf_add(b, p, 1);
		else
			text_buf_fmt(b, "%%%02X", c);
	}
}

int text_name_index(const char *name, const char *suffix, const char *const *names, size_t n)
{
	size_t len, cut = suffix ? strlen(suffix) : 0, i;

	if (!name)
		return -1;
	len = strlen(name);
	if (cut && len >= cut && strcasecmp(name + len - cut, suffix) == 0)
		len -= cut;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
			return (int)i;
	}
	return -1;
}

/* ---- JSON and SARIF ------------------------------------------------------- */

const char *text_json_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

json_t *text_json_string(const char *s)
{
	struct text_buf b = {0};
	json_t *v = json_string(s);

	if (v)
		return v;
	text_utf8_repair(&b, s);
	v = b.failed ? NULL : json_string(text_buf_cstr(&b));
	free(b.p);
	return v;
}

int text_json_dump(FILE *out, json_t *root, size_t flags, const char *what)
{
	int rc = ASEC_OK;

	if (!root) {
		error_set("out of memory building the %s output", what);
		return ASEC_ENOMEM;
	}
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | flags) != 0 || fputc('\n', out) == EOF) {
		error_set("writing the %s output: %s", what, strerror(errno));
		rc = ASEC_EIO;
	}
	json_decref(root);
	return rc;
}

json_t *text_sarif_log(json_t *rules, json_t *results, const char *tool_version)
{
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o, s:O}}, s:O}]}",
			 "$schema", SARIF_SCHEMA,
			 "version", "2.1.0",
			 "runs", "tool", "driver", "name", "roxctl",
			 "fullName", "roxctl command line utility",
			 "version", text_json_string(tool_version ? tool_version : ASEC_VERSION),
			 "rules", rules,
			 "results", results);
}

json_t *text_sarif_result(const char *rule_id, size_t rule_index, const char *level, json_t *message,
			  const char *uri)
{
	return json_pack("{s:o, s:I, s:s, s:{s:o}, s:[{s:{s:{s:o}, s:{s:i}}}]}",
			 "ruleId", text_json_string(rule_id),
			 "ruleIndex", (json_int_t)rule_index,
			 "level", level,
			 "message", "text", message,
			 "locations", "physicalLocation", "artifactLocation", "uri", text_json_string(uri),
			 "region", "startLine", 1);
}
