/*
 * rustsec.c - RustSec advisories (crates/<crate>/RUSTSEC-YYYY-NNNN.md in
 * rustsec/advisory-db) as canonical advisory records.
 *
 * An advisory is a Markdown file that opens with a ```toml front matter
 * block: [advisory] with id, package, date, aliases, cvss, informational,
 * withdrawn..., and [versions] with patched and unaffected lists of Cargo
 * requirements (">= 1.2.3", "^0.9.2", "< 0.5.0, >= 0.4.3"). The Markdown
 * that follows gives the title (the "# " line) and the description.
 *
 * The front matter is read by a small TOML reader made for exactly what
 * these files use: [tables], bare and quoted keys, basic and literal
 * strings, arrays (possibly over several lines, with comments and a
 * trailing comma), inline tables (for [affected] functions), booleans, and
 * bare values such as dates, kept as their text. It builds a jansson tree,
 * refuses everything else (multi-line strings, dotted keys, arrays of
 * tables, duplicate keys) with the line and the reason, and bounds the
 * input size and nesting. A full TOML library would do, but Debian
 * packages them only for C++, Perl and Rust, and a subset that refuses
 * what it does not know is safer than a guess.
 *
 * What is affected is what no requirement of patched or unaffected admits:
 * NOT (patched OR unaffected), computed by requirements.c over SemVer
 * order. Informational advisories (unmaintained, unsound, notice) are not
 * vulnerabilities and are skipped, unless someone assigned them a CVE, in
 * which case scanners keyed by CVE will report them and so do we; withdrawn
 * advisories are skipped.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvss/cvss.h"
#include "error/error.h"
#include "feeds/feed.h"
#include "feeds/requirements.h"

/* Front matter of real advisories is under 2 KiB. */
#define RUSTSEC_MAX_FRONT_MATTER (256u * 1024)
/* Nesting of arrays and inline tables ([affected] functions is 2 deep). */
#define RUSTSEC_MAX_DEPTH 8
#define RUSTSEC_MAX_NAME 1024

/* ---- the TOML subset ---- */

struct toml {
	const char *s;
	size_t n, pos;
	unsigned line, depth;
	char why[160]; /* set on the first error */
};

static int toml_fail(struct toml *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int toml_fail(struct toml *t, const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(t->why, sizeof(t->why), "line %u: %s", t->line, msg);
	return ASEC_EINVALID;
}

static int toml_peek(const struct toml *t)
{
	return t->pos < t->n ? (unsigned char)t->s[t->pos] : -1;
}

/* Spaces and tabs; with newlines, also line ends and comments (inside
 * arrays, where TOML allows them). */
static void toml_blank(struct toml *t, int newlines)
{
	while (t->pos < t->n) {
		char c = t->s[t->pos];

		if (c == ' ' || c == '\t') {
			t->pos++;
		} else if (newlines && (c == '\n' || c == '\r')) {
			t->line += c == '\n';
			t->pos++;
		} else if (newlines && c == '#') {
			while (t->pos < t->n && t->s[t->pos] != '\n')
				t->pos++;
		} else {
			break;
		}
	}
}

/* After a key/value pair or a table header: an optional comment, then the
 * end of the line or of the input. */
static int toml_end_of_line(struct toml *t)
{
	toml_blank(t, 0);
	if (toml_peek(t) == '#')
		while (t->pos < t->n && t->s[t->pos] != '\n')
			t->pos++;
	if (toml_peek(t) == '\r')
		t->pos++;
	if (t->pos == t->n)
		return ASEC_OK;
	if (t->s[t->pos] != '\n')
		return toml_fail(t, "unexpected '%c' after a value", t->s[t->pos]);
	t->pos++;
	t->line++;
	return ASEC_OK;
}

/* Appends the UTF-8 encoding of code point cp. */
static int toml_utf8(char *out, size_t *len, unsigned long cp)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	if (cp < 0x80) {
		out[(*len)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*len)++] = (char)(0xC0 | (cp >> 6));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*len)++] = (char)(0xE0 | (cp >> 12));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*len)++] = (char)(0xF0 | (cp >> 18));
		out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	}
	return 0;
}

/* A basic ("...") or literal ('...') string on one line. */
static int toml_string(struct toml *t, json_t **out)
{
	char quote = t->s[t->pos];
	size_t start = ++t->pos, len = 0;
	char *buf;
	int rc = ASEC_OK;

	*out = NULL;
	if (t->pos + 1 < t->n && t->s[t->pos] == quote && t->s[t->pos + 1] == quote)
		return toml_fail(t, "multi-line strings are not supported");
	/* The decoded text is never longer than the raw text. */
	while (t->pos < t->n && t->s[t->pos] != quote && t->s[t->pos] != '\n')
		t->pos += (quote == '"' && t->s[t->pos] == '\\' && t->pos + 1 < t->n) ? 2 : 1;
	if (t->pos >= t->n || t->s[t->pos] != quote)
		return toml_fail(t, "a string that is not closed on its line");
	if (!(buf = malloc(t->pos - start + 1)))
		return toml_fail(t, "out of memory");
	for (size_t i = start; i < t->pos; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7F) {
			rc = toml_fail(t, "a control character in a string");
			goto out;
		}
		if (quote == '\'' || c != '\\') {
			buf[len++] = (char)c;
			continue;
		}
		c = (unsigned char)t->s[++i];
		switch (c) {
		case 'b': buf[len++] = '\b'; break;
		case 't': buf[len++] = '\t'; break;
		case 'n': buf[len++] = '\n'; break;
		case 'f': buf[len++] = '\f'; break;
		case 'r': buf[len++] = '\r'; break;
		case '"': buf[len++] = '"'; break;
		case '\\': buf[len++] = '\\'; break;
		case 'u':
		case 'U': {
			size_t digits = c == 'u' ? 4 : 8, k;
			unsigned long cp = 0;

			/* \uXXXX is 6 raw bytes for at most 3 decoded, \UXXXXXXXX 10 for 4 */
			for (k = 1; k <= digits; k++) {
				char h = i + k < t->pos ? t->s[i + k] : '\0';

				if (!isxdigit((unsigned char)h)) {
					rc = toml_fail(t, "a malformed \\%c escape", c);
					goto out;
				}
				cp = cp * 16 + (unsigned long)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
			}
			if (toml_utf8(buf, &len, cp)) {
				rc = toml_fail(t, "an escape that is not a Unicode scalar value");
				goto out;
			}
			i += digits;
			break;
		}
		default:
			rc = toml_fail(t, "an unknown escape \\%c", isprint(c) ? c : '?');
			goto out;
		}
	}
	t->pos++; /* the closing quote */
	if (!(*out = json_stringn(buf, len)))
		rc = toml_fail(t, "a string that is not UTF-8");
out:
	free(buf);
	return rc;
}

static int toml_bare_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* A bare or quoted key, written into key (NUL-terminated, no NULs inside). */
static int toml_key(struct toml *t, char *key, size_t size)
{
	size_t start = t->pos;

	if (toml_peek(t) == '"' || toml_peek(t) == '\'') {
		json_t *s;
		int rc = toml_string(t, &s);

		if (rc)
			return rc;
		if (json_string_length(s) == 0 || json_string_length(s) >= size ||
		    strlen(json_string_value(s)) != json_string_length(s)) {
			json_decref(s);
			return toml_fail(t, "a quoted key that is empty, too long or holds a NUL");
		}
		memcpy(key, json_string_value(s), json_string_length(s) + 1);
		json_decref(s);
	} else {
		while (t->pos < t->n && toml_bare_key_char(t->s[t->pos]))
			t->pos++;
		if (t->pos == start)
			return t->pos < t->n ? toml_fail(t, "unexpected '%c' where a key should be", t->s[t->pos])
					     : toml_fail(t, "a key is missing");
		if (t->pos - start >= size)
			return toml_fail(t, "a key longer than %zu bytes", size - 1);
		memcpy(key, t->s + start, t->pos - start);
		key[t->pos - start] = '\0';
	}
	toml_blank(t, 0);
	return ASEC_OK;
}

/* The key of a key/value pair: followed by '='. */
static int toml_pair_key(struct toml *t, char *key, size_t size)
{
	int rc = toml_key(t, key, size);

	if (rc)
		return rc;
	if (toml_peek(t) == '.')
		return toml_fail(t, "dotted keys are not supported");
	if (toml_peek(t) != '=')
		return toml_fail(t, "'=' expected after key \"%.40s\"", key);
	t->pos++;
	toml_blank(t, 0);
	return ASEC_OK;
}

static int toml_value(struct toml *t, json_t **out);

static int toml_set(struct toml *t, json_t *table, const char *key, json_t *value)
{
	if (json_object_get(table, key)) {
		json_decref(value);
		return toml_fail(t, "key \"%.40s\" defined twice", key);
	}
	if (json_object_set_new(table, key, value))
		return toml_fail(t, "out of memory");
	return ASEC_OK;
}

/* [ value, value, ... ] over any number of lines. */
static int toml_array(struct toml *t, json_t **out)
{
	json_t *array = json_array(), *v;
	int rc;

	if (!array)
		return toml_fail(t, "out of memory");
	t->pos++;
	for (;;) {
		toml_blank(t, 1);
		if (toml_peek(t) == ']')
			break;
		if ((rc = toml_value(t, &v)))
			goto fail;
		if (json_array_append_new(array, v)) {
			rc = toml_fail(t, "out of memory");
			goto fail;
		}
		toml_blank(t, 1);
		if (toml_peek(t) == ',') {
			t->pos++;
			continue;
		}
		if (toml_peek(t) != ']') {
			rc = toml_peek(t) < 0 ? toml_fail(t, "an array that is not closed")
					      : toml_fail(t, "unexpected '%c' in an array", toml_peek(t));
			goto fail;
		}
		break;
	}
	t->pos++;
	*out = array;
	return ASEC_OK;
fail:
	json_decref(array);
	return rc;
}

/* { key = value, ... } */
static int toml_inline_table(struct toml *t, json_t **out)
{
	json_t *table = json_object(), *v;
	char key[256];
	int rc;

	if (!table)
		return toml_fail(t, "out of memory");
	t->pos++;
	toml_blank(t, 0);
	if (toml_peek(t) == '}') {
		t->pos++;
		*out = table;
		return ASEC_OK;
	}
	for (;;) {
		toml_blank(t, 0);
		if ((rc = toml_pair_key(t, key, sizeof(key))) || (rc = toml_value(t, &v)) ||
		    (rc = toml_set(t, table, key, v)))
			goto fail;
		toml_blank(t, 0);
		if (toml_peek(t) == ',') {
			t->pos++;
			continue;
		}
		if (toml_peek(t) != '}') {
			rc = toml_fail(t, "an inline table that is not closed on its line");
			goto fail;
		}
		t->pos++;
		*out = table;
		return ASEC_OK;
	}
fail:
	json_decref(table);
	return rc;
}

static int toml_value(struct toml *t, json_t **out)
{
	size_t start = t->pos;
	int c = toml_peek(t), rc;

	*out = NULL;
	if (c == '"' || c == '\'')
		return toml_string(t, out);
	if (c == '[' || c == '{') {
		if (t->depth >= RUSTSEC_MAX_DEPTH)
			return toml_fail(t, "nested more than %d deep", RUSTSEC_MAX_DEPTH);
		t->depth++;
		rc = c == '[' ? toml_array(t, out) : toml_inline_table(t, out);
		t->depth--;
		return rc;
	}
	/* true, false, and bare values (dates, numbers) kept as their text */
	while (t->pos < t->n && (isalnum((unsigned char)t->s[t->pos]) || strchr("_:.+-", t->s[t->pos])))
		t->pos++;
	if (t->pos == start)
		return c < 0 || c == '\n' || c == '\r' ? toml_fail(t, "a value is missing")
						       : toml_fail(t, "unexpected '%c' where a value should be", c);
	if (t->pos - start == 4 && memcmp(t->s + start, "true", 4) == 0)
		*out = json_true();
	else if (t->pos - start == 5 && memcmp(t->s + start, "false", 5) == 0)
		*out = json_false();
	else if (isdigit((unsigned char)t->s[start]) || t->s[start] == '+' || t->s[start] == '-')
		*out = json_stringn(t->s + start, t->pos - start);
	else
		return toml_fail(t, "a bare word that is not a value");
	return *out ? ASEC_OK : toml_fail(t, "out of memory");
}

/* A table header after its '[': "name]" or "a.b]" (RustSec writes
 * [affected.functions]). Tables on the way are made when missing; the last
 * one must be new. */
static int toml_header(struct toml *t, json_t *root, json_t **table)
{
	json_t *at = root, *next;
	char key[256];
	unsigned parts = 0;
	int rc;

	if (toml_peek(t) == '[')
		return toml_fail(t, "arrays of tables are not supported");
	for (;;) {
		toml_blank(t, 0);
		if ((rc = toml_key(t, key, sizeof(key))))
			return rc;
		if (++parts > RUSTSEC_MAX_DEPTH)
			return toml_fail(t, "a table name of more than %d parts", RUSTSEC_MAX_DEPTH);
		next = json_object_get(at, key);
		if (toml_peek(t) == '.') {
			t->pos++;
			if (!next) {
				if (!(next = json_object()) || (rc = toml_set(t, at, key, next)))
					return next ? rc : toml_fail(t, "out of memory");
			} else if (!json_is_object(next)) {
				return toml_fail(t, "\"%.40s\" is not a table", key);
			}
			at = next;
			continue;
		}
		if (toml_peek(t) != ']')
			return toml_fail(t, "']' expected after table name \"%.40s\"", key);
		t->pos++;
		if (next)
			return toml_fail(t, "table \"%.40s\" defined twice", key);
		if (!(next = json_object()) || (rc = toml_set(t, at, key, next)))
			return next ? rc : toml_fail(t, "out of memory");
		*table = next;
		return ASEC_OK;
	}
}

/* The whole front matter as {"table": {...}, ...}; top-level keys (none in
 * RustSec) go to the root. */
static int toml_parse(json_t **out, struct toml *t)
{
	json_t *root = json_object(), *table = root, *v;
	char key[256];
	int rc = ASEC_OK;

	*out = NULL;
	if (!root)
		return toml_fail(t, "out of memory");
	for (;;) {
		toml_blank(t, 1);
		if (t->pos >= t->n)
			break;
		if (t->s[t->pos] == '[') {
			t->pos++;
			if ((rc = toml_header(t, root, &table)) || (rc = toml_end_of_line(t)))
				goto fail;
			continue;
		}
		if ((rc = toml_pair_key(t, key, sizeof(key))) || (rc = toml_value(t, &v)) ||
		    (rc = toml_set(t, table, key, v)) || (rc = toml_end_of_line(t)))
			goto fail;
	}
	*out = root;
	return ASEC_OK;
fail:
	if (!t->why[0])
		toml_fail(t, "out of memory");
	json_decref(root);
	return rc ? rc : ASEC_ENOMEM;
}

/* ---- the advisory ---- */

struct rustsec_doc {
	const char *front;  /* the TOML between the fences */
	size_t front_len;
	const char *title;  /* the "# " line, without the "# " */
	size_t title_len;
	const char *body;   /* what follows the title */
	size_t body_len;
};

/* The line starting at *pos (without its end), advancing *pos past it. */
static size_t rustsec_line(const char *data, size_t len, size_t *pos, const char **line)
{
	const char *nl = memchr(data + *pos, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - (data + *pos)) : len - *pos;

	*line = data + *pos;
	*pos += n + (nl ? 1 : 0);
	while (n && ((*line)[n - 1] == '\r' || (*line)[n - 1] == ' ' || (*line)[n - 1] == '\t'))
		n--;
	return n;
}

/* Finds the fences. Returns 1 when the file opens with ```toml (it is a
 * RustSec advisory), then 0 or a reason in *why for a broken one. */
static int rustsec_split(struct rustsec_doc *doc, const char *data, size_t len, const char **why)
{
	size_t pos = 0, n;
	const char *line;

	memset(doc, 0, sizeof(*doc));
	*why = NULL;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len && isspace((unsigned char)data[pos]))
		pos++;
	n = rustsec_line(data, len, &pos, &line);
	if (n != 7 || memcmp(line, "```toml", 7) != 0)
		return 0;
	doc->front = data + pos;
	for (;;) {
		size_t at = pos;

		if (pos >= len) {
			*why = "the ```toml front matter is never closed";
			return 1;
		}
		n = rustsec_line(data, len, &pos, &line);
		if (n == 3 && memcmp(line, "```", 3) == 0) {
			doc->front_len = (size_t)(data + at - doc->front);
			break;
		}
	}
	if (doc->front_len > RUSTSEC_MAX_FRONT_MATTER) {
		*why = "front matter larger than 256 KiB";
		return 1;
	}
	while (pos < len) {
		size_t at = pos;

		n = rustsec_line(data, len, &pos, &line);
		if (n == 0)
			continue;
		if (n >= 2 && line[0] == '#' && line[1] == ' ') {
			doc->title = line + 2;
			doc->title_len = n - 2;
			while (doc->title_len && doc->title[0] == ' ')
				doc->title++, doc->title_len--;
		} else {
			pos = at; /* no title: everything is the description */
		}
		break;
	}
	while (pos < len && isspace((unsigned char)data[pos]))
		pos++;
	doc->body = data + pos;
	doc->body_len = len - pos;
	while (doc->body_len && isspace((unsigned char)doc->body[doc->body_len - 1]))
		doc->body_len--;
	return 1;
}

/* One comparator of a Cargo requirement; set = set AND it. */
static int rustsec_comparator(void *ctx, const char *s, size_t n)
{
	const char *end = s + n;
	char op[3] = "";

	if (s == end) {
		error_set("an empty comparator");
		return ASEC_EINVALID;
	}
	if (*s == '<' || *s == '>') {
		op[0] = *s++;
		if (s < end && *s == '=')
			op[1] = *s++;
	} else if (*s == '=' || *s == '~' || *s == '^') {
		op[0] = *s++;
	}
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end) {
		error_set("operator \"%s\" without a version", op);
		return ASEC_EINVALID;
	}
	return req_semver_comparator(ctx, REQ_SEMVER_CARGO, op, s, (size_t)(end - s));
}

/* One Cargo requirement string. set must hold every version on entry. */
static int rustsec_requirement(struct req_set *set, const char *text)
{
	return req_each_comparator(text, rustsec_comparator, set);
}

/* set = set OR each requirement of versions.<what>; appends its text to events. */
static int rustsec_list(struct req_set *set, const json_t *list, const char *what, char *why, size_t why_size,
			json_t *events)
{
	char name[32];

	if (!list)
		return ASEC_OK;
	snprintf(name, sizeof(name), "versions.%s", what);
	if (!json_is_array(list)) {
		snprintf(why, why_size, "%s is not an array", name);
		return ASEC_EINVALID;
	}
	return req_set_union_list(set, list, rustsec_requirement, name, events, why, why_size);
}

static int rustsec_alias_ok(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 128 &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

struct rustsec_record {
	const struct feed_sink *sink;
	const char *name;
	char fallback_id[80]; /* from the file name, for skips before the id is known */
};

static void rustsec_skip(const struct rustsec_record *r, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rustsec_skip(const struct rustsec_record *r, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	feed_vskipf(r->sink, id ? id : r->fallback_id, 0, fmt, ap);
	va_end(ap);
}

/* The advisory's id, aliases and whether it carries a CVE. */
static int rustsec_ids(json_t *rec, const char *rid, const json_t *list)
{
	json_t *aliases = json_array(), *v;
	const char *cve = NULL;
	size_t i, cves = 0;

	if (!aliases)
		return ASEC_ENOMEM;
	json_array_foreach(list, i, v)
		if (rustsec_alias_ok(v) && feed_is_cve_id(json_string_value(v)) &&
		    (!cve || strcmp(cve, json_string_value(v)) != 0)) {
			cve = json_string_value(v);
			cves++;
		}
	json_object_set_new(rec, "id", json_string(cves == 1 ? cve : rid));
	if (cves == 1)
		json_array_append_new(aliases, json_string(rid));
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		size_t j;
		int seen = !rustsec_alias_ok(v) || strcmp(s, json_string_value(json_object_get(rec, "id"))) == 0;

		for (j = 0; !seen && j < json_array_size(aliases); j++)
			seen = strcmp(s, json_string_value(json_array_get(aliases, j))) == 0;
		if (!seen)
			json_array_append(aliases, v);
	}
	if (json_array_size(aliases))
		json_object_set_new(rec, "aliases", aliases);
	else
		json_decref(aliases);
	return ASEC_OK;
}

static int rustsec_has_cve(const json_t *list)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (feed_is_cve_id(json_string_value(v)))
			return 1;
	return 0;
}

static int rustsec_advisory(const struct rustsec_record *r, const json_t *front, const struct rustsec_doc *doc)
{
	const json_t *adv = json_object_get(front, "advisory"), *versions = json_object_get(front, "versions");
	const json_t *aliases = json_object_get(adv, "aliases");
	const char *rid = json_string_value(json_object_get(adv, "id"));
	const char *package = json_string_value(json_object_get(adv, "package"));
	const char *info = json_string_value(json_object_get(adv, "informational"));
	const char *vector = json_string_value(json_object_get(adv, "cvss"));
	json_t *rec = NULL, *ranges = NULL, *events = NULL, *affected;
	char why[400] = "", link[160], ts[64], *text = NULL, *title = NULL;
	struct req_set set;
	struct cvss_result cvss;
	int rc = ASEC_OK;

	req_set_init(&set, version_comparator("cargo"));
	if (!json_is_object(adv)) {
		rustsec_skip(r, NULL, "no [advisory] table");
		goto out;
	}
	if (!rid || !*rid || strlen(rid) > 64 || strspn(rid, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(rid)) {
		rustsec_skip(r, NULL, "advisory.id is missing or not an advisory id");
		goto out;
	}
	if (!package || !*package || strlen(package) > RUSTSEC_MAX_NAME) {
		rustsec_skip(r, rid, "advisory.package is missing or longer than %d bytes", RUSTSEC_MAX_NAME);
		goto out;
	}
	if (json_object_get(adv, "withdrawn")) {
		const char *when = json_string_value(json_object_get(adv, "withdrawn"));

		rustsec_skip(r, rid, "withdrawn (%.40s)", when ? when : "");
		goto out;
	}
	if (aliases && !json_is_array(aliases)) {
		rustsec_skip(r, rid, "advisory.aliases is not an array");
		goto out;
	}
	if (json_object_get(adv, "informational") && !rustsec_has_cve(aliases)) {
		rustsec_skip(r, rid, "informational: %.40s", info ? info : "(not a string)");
		goto out;
	}
	if (versions && !json_is_object(versions)) {
		rustsec_skip(r, rid, "versions is not a table");
		goto out;
	}
	/* affected = NOT (patched OR unaffected) */
	if (!(events = json_pack("{s:[], s:[]}", "patched", "unaffected")))
		goto oom;
	if ((rc = rustsec_list(&set, json_object_get(versions, "patched"), "patched", why, sizeof(why),
			       json_object_get(events, "patched"))) ||
	    (rc = rustsec_list(&set, json_object_get(versions, "unaffected"), "unaffected", why, sizeof(why),
			       json_object_get(events, "unaffected"))) ||
	    (rc = req_set_complement(&set))) {
		if (rc == ASEC_ENOMEM)
			goto out;
		if (!why[0])
			snprintf(why, sizeof(why), "%s", error_last());
		rustsec_skip(r, rid, "%s", why);
		rc = ASEC_OK;
		goto out;
	}
	if (req_set_is_empty(&set)) {
		rustsec_skip(r, rid, "no affected versions: patched and unaffected cover every version");
		goto out;
	}
	if (!(text = json_dumps(events, JSON_COMPACT)) || (rc = req_set_ranges(&ranges, &set, NULL, req_semver_least_cargo, text)))
		goto oom;

	if (!(rec = json_object()))
		goto oom;
	json_object_set_new(rec, "kind", json_string("advisory"));
	if ((rc = rustsec_ids(rec, rid, aliases)))
		goto oom;
	snprintf(link, sizeof(link), "https://rustsec.org/advisories/%s.html", rid);
	json_object_set_new(rec, "advisory", json_pack("{s:s, s:s}", "name", rid, "link", link));
	if (doc->title_len && (title = strndup(doc->title, doc->title_len)))
		feed_copy_text(rec, "summary", title);
	if (doc->body_len) {
		free(text);
		if (!(text = strndup(doc->body, doc->body_len > FEED_MAX_TEXT_BYTES ? FEED_MAX_TEXT_BYTES + 4 : doc->body_len)))
			goto oom;
		feed_copy_text(rec, "description", text);
	}
	if (feed_timestamp(ts, sizeof(ts), json_string_value(json_object_get(adv, "date"))))
		json_object_set_new(rec, "published", json_string(ts));
	if (vector && cvss_parse(&cvss, vector) == ASEC_OK) {
		json_object_set_new(rec, "cvss",
				    json_pack("[{s:s, s:s, s:f}]", "version", cvss.version, "vector", vector, "score",
					      cvss.base_score));
		json_object_set_new(rec, "normalizedSeverity", json_string(feed_severity_from_score(cvss.base_score)));
	} else {
		json_object_set_new(rec, "normalizedSeverity", json_string("UNKNOWN"));
	}
	if (!(affected = json_pack("[{s:s, s:s, s:s, s:s, s:o}]", "ecosystem", "cargo", "distribution", "",
				   "package", package, "status", "affected", "ranges", ranges)))
		goto oom;
	ranges = NULL;
	json_object_set_new(rec, "affected", affected);
	rc = r->sink->record(r->sink->ctx, rec);
	rec = NULL;
	goto out;
oom:
	error_set("out of memory building a RustSec record");
	rc = ASEC_ENOMEM;
out:
	json_decref(rec);
	json_decref(ranges);
	json_decref(events);
	free(text);
	free(title);
	req_set_free(&set);
	return rc;
}

int feed_parse_rustsec(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct rustsec_record r = {sink, name ? name : "", ""};
	struct rustsec_doc doc;
	struct toml t;
	const char *why, *base, *dot;
	json_t *front = NULL;
	int rc;

	/* RUSTSEC-2021-0027 from crates/bam/RUSTSEC-2021-0027.md, for skips
	 * that happen before the front matter gave the id. */
	base = strrchr(r.name, '/') ? strrchr(r.name, '/') + 1 : r.name;
	dot = strrchr(base, '.');
	snprintf(r.fallback_id, sizeof(r.fallback_id), "%.*s", (int)(dot ? (size_t)(dot - base) : strlen(base)), base);

	if (!rustsec_split(&doc, data, len, &why)) {
		error_set("%s: not a RustSec advisory (no ```toml front matter)", r.name);
		return ASEC_EINVALID;
	}
	if (why) {
		rustsec_skip(&r, NULL, "%s", why);
		return ASEC_OK;
	}
	memset(&t, 0, sizeof(t));
	t.s = doc.front;
	t.n = doc.front_len;
	t.line = 2; /* the front matter starts on the line after ```toml */
	if ((rc = toml_parse(&front, &t))) {
		if (rc == ASEC_ENOMEM)
			return rc;
		rustsec_skip(&r, NULL, "front matter: %s", t.why);
		return ASEC_OK;
	}
	rc = rustsec_advisory(&r, front, &doc);
	json_decref(front);
	return rc;
}
