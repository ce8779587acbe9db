/*
 * yamljson.c - YAML streams turned into jansson values with libyaml's event
 * parser, under limits that hold while the tree is being built.
 *
 * Two ideas carry the file.
 *
 * 1. The tree is built incrementally from events with an explicit stack of
 *    open collections (never recursion), so nesting depth costs heap, is
 *    bounded by max_depth, and the parse stops the moment a limit is passed.
 *
 * 2. An alias is not copied: it takes another reference to the anchored
 *    jansson value (so the result may be a DAG; never a cycle, because an
 *    anchor is published only once its node is complete). What an alias
 *    would cost if it were expanded - the anchored node's own expanded node
 *    count, recorded when the anchor was published - is added to the node
 *    total, so a "billion laughs" file fails with ASEC_ETOOBIG after a few
 *    hundred events and a few kilobytes, long before anything the expansion
 *    would need is allocated. Scalar bytes are counted the same way and
 *    held to max_input_bytes: without aliases the text of the scalars is
 *    never longer than the input, and with them a few thousand aliases of
 *    one 1 MiB scalar would make a tree whose JSON text is gigabytes,
 *    though it has few nodes. Callers that mutate a result must copy it
 *    first (json_deep_copy), since aliased subtrees are shared.
 *
 * Policy decisions (the header states the contract; these are the details):
 * - YAMLJSON_CORE_SCHEMA is the YAML 1.2 core schema, not YAML 1.1: yes/no/
 *   on/off stay strings and 010 is the decimal 10. This is what
 *   sigs.k8s.io/yaml's documents mean in practice for the fields we read;
 *   go-yaml v2 paths that accept yes/no as booleans are deliberately not
 *   imitated.
 * - Values JSON cannot hold stay strings as written: .inf, .nan, floats that
 *   overflow a double, and integers outside 64 bits.
 * - Explicit tags: !!str forces a string; !!null, !!bool, !!int and !!float
 *   are honoured in core-schema mode (a value that does not fit its tag is
 *   an error); "!" and every other tag leave the value as an untagged one
 *   would be. In YAMLJSON_STRINGS mode every scalar, tagged or not, empty or
 *   not, is a string ("" for an empty value).
 * - Merge keys (a plain "<<") work in both modes, as in go-yaml: the value
 *   must be a mapping or a list of mappings; explicit keys win over merged
 *   ones, earlier mappings in the list win over later ones. Merging copies
 *   references only, and the merged mappings were already counted.
 * - Mapping keys are the scalars as written (`1: x` has the key "1"); an
 *   alias may be a key when it names a scalar. A collection as a key, a
 *   duplicate key (a second "<<" included) and an undefined alias are
 *   errors.
 * - A document whose whole content is empty is left out; an anchor is
 *   visible only inside its own document, as the YAML spec says.
 * - A limit field of 0 in struct yamljson_limits means its default.
 * - yamljson_parse() stops after the first non-empty document, so later
 *   documents are neither read nor checked.
 */
#include "yaml/yamljson.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "error/error.h"

#define YJ_DEFAULT_INPUT_BYTES ((size_t)64 * 1024 * 1024)
#define YJ_DEFAULT_DEPTH 64u
#define YJ_DEFAULT_NODES ((size_t)5000000)
#define YJ_DEFAULT_SCALAR_BYTES ((size_t)1024 * 1024)
#define YJ_DEFAULT_DOCUMENTS ((size_t)10000)

#define YJ_TAG_MERGE "tag:yaml.org,2002:merge"

/* One open collection. For a mapping, the key read last waits here for its
 * value; keys brought in by "<<" wait in merge until the mapping ends, so
 * that explicit keys (even later ones) win over them. */
struct yj_frame {
	json_t *value;
	json_t *merge;
	char *anchor;
	char *key;
	size_t key_len;
	int has_key;
	int merge_next; /* the waiting key is "<<" */
	int seen_merge;
	size_t nodes_at_start, bytes_at_start;
	size_t anchor_serial;
};

/* A published anchor. text is the scalar as written (NULL for
 * collections), kept so that an alias can stand as a mapping key even when
 * the schema turned the scalar into a number. serial is the anchor's place
 * in the text: an alias means the latest anchor of its name before it, and
 * a collection's anchor comes before the anchors inside it although it is
 * published after them. */
struct yj_anchor {
	json_t *value;
	size_t nodes, bytes, serial;
	char *text;
	size_t text_len;
};

struct yj_state {
	struct yamljson_limits lim;
	enum yamljson_scalars scalars;

	struct yj_frame *frames;
	size_t depth, frames_cap;

	/* Anchors live in an array; index maps a name to its latest slot, so
	 * that looking up an alias costs a hash lookup whatever the number of
	 * anchors a hostile file defines. A redefined name leaves its old
	 * slot in place until the document ends. */
	struct yj_anchor *anchors;
	size_t anchors_len, anchors_cap;
	json_t *index;
	size_t anchor_serial;

	size_t nodes, bytes; /* so far, aliases counted as expanded */
	size_t documents;
	json_t *root;
	int root_empty;
	json_t *docs;
};

static int yj_fail(int code, const yaml_mark_t *mark, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int yj_fail(int code, const yaml_mark_t *mark, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (mark)
		error_set("yaml: line %zu, column %zu: %s", mark->line + 1, mark->column + 1, msg);
	else
		error_set("yaml: %s", msg);
	return code;
}

static int yj_count(struct yj_state *st, size_t nodes, size_t bytes, const yaml_mark_t *mark)
{
	if (nodes > st->lim.max_nodes - st->nodes)
		return yj_fail(ASEC_ETOOBIG, mark, "more than %zu nodes (aliases counted as expanded)",
			       st->lim.max_nodes);
	if (bytes > st->lim.max_input_bytes - st->bytes)
		return yj_fail(ASEC_ETOOBIG, mark, "more than %zu bytes of scalars (aliases counted as expanded)",
			       st->lim.max_input_bytes);
	st->nodes += nodes;
	st->bytes += bytes;
	return ASEC_OK;
}

/* jansson refuses strings that are not UTF-8; checking first tells bad input
 * apart from a failed allocation. libyaml validates what it reads, but
 * escapes such as "\uD800" can still produce a surrogate. */
static int yj_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, need, k;
	uint32_t cp, min;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			need = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int yj_string(json_t **out, const char *text, size_t len, const yaml_mark_t *mark)
{
	if (!yj_utf8_valid((const unsigned char *)text, len))
		return yj_fail(ASEC_EINVALID, mark, "a scalar is not valid UTF-8");
	if (!(*out = json_stringn(text, len)))
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	return ASEC_OK;
}

/* ---- the YAML 1.2 core schema ---- */

static int yj_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

static int yj_is_null(const char *s, size_t n)
{
	return n == 0 || yj_is(s, n, "~") || yj_is(s, n, "null") || yj_is(s, n, "Null") || yj_is(s, n, "NULL");
}

/* 1 true, 0 false, -1 not a boolean. */
static int yj_bool(const char *s, size_t n)
{
	if (yj_is(s, n, "true") || yj_is(s, n, "True") || yj_is(s, n, "TRUE"))
		return 1;
	if (yj_is(s, n, "false") || yj_is(s, n, "False") || yj_is(s, n, "FALSE"))
		return 0;
	return -1;
}

static int yj_digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned)d < base ? d : -1;
}

/* Matches [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+. Returns 1 with the value,
 * 0 when the text is not a core-schema integer, -1 when it is one but does
 * not fit 64 bits. */
static int yj_int(const char *s, size_t n, json_int_t *out)
{
	unsigned base = 10;
	int negative = 0, d;
	uint64_t v = 0, limit;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (n > 1 && (s[0] == '-' || s[0] == '+')) {
		negative = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	for (size_t j = i; j < n; j++)
		if (yj_digit_value(s[j], base) < 0)
			return 0;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		d = yj_digit_value(s[i], base);
		if (v > (limit - (uint64_t)d) / base)
			return -1;
		v = v * base + (uint64_t)d;
	}
	if (negative)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)v;
	else
		*out = (json_int_t)v;
	return 1;
}

/* Matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, and the
 * infinities and NaNs. Returns 1 with a finite value, 0 when the text is not
 * a core-schema float, -1 when it is one that JSON cannot hold. */
static int yj_float(const char *s, size_t n, double *out)
{
	size_t i = 0, digits = 0, frac = 0;
	char *end;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (yj_is(s + i, n - i, ".inf") || yj_is(s + i, n - i, ".Inf") || yj_is(s + i, n - i, ".INF"))
		return -1;
	if (yj_is(s, n, ".nan") || yj_is(s, n, ".NaN") || yj_is(s, n, ".NAN"))
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
		if (!digits && !frac)
			return 0;
	} else if (!digits) {
		return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return 0;
	}
	if (i != n)
		return 0;
	/* libyaml ends every scalar with a NUL, and the text is all
	 * [-+.0-9eE] here, so strtod reads exactly n bytes. A locale whose
	 * decimal point is not "." makes strtod stop early: kept as a string. */
	*out = strtod(s, &end);
	if (end != s + n)
		return 0;
	if (!isfinite(*out))
		return -1;
	return 1;
}

/* The plain scalar as the core schema reads it. */
static int yj_core(json_t **out, const char *s, size_t n, const yaml_mark_t *mark)
{
	json_int_t i;
	double d;
	int b, r;

	if (yj_is_null(s, n))
		*out = json_null();
	else if ((b = yj_bool(s, n)) >= 0)
		*out = json_boolean(b);
	else if ((r = yj_int(s, n, &i)) > 0)
		*out = json_integer(i);
	else if (r == 0 && yj_float(s, n, &d) == 1)
		*out = json_real(d);
	else
		return yj_string(out, s, n, mark);
	return *out ? ASEC_OK : yj_fail(ASEC_ENOMEM, mark, "out of memory");
}

/* A scalar with an explicit core tag (!!null, !!bool, !!int, !!float). */
static int yj_tagged(json_t **out, const char *tag, const char *s, size_t n, const yaml_mark_t *mark)
{
	json_int_t i;
	double d;
	int r;

	if (strcmp(tag, "tag:yaml.org,2002:null") == 0) {
		if (!yj_is_null(s, n))
			return yj_fail(ASEC_EINVALID, mark, "a !!null scalar that is not null");
		*out = json_null();
	} else if (strcmp(tag, "tag:yaml.org,2002:bool") == 0) {
		if ((r = yj_bool(s, n)) < 0)
			return yj_fail(ASEC_EINVALID, mark, "a !!bool scalar that is not true or false");
		*out = json_boolean(r);
	} else if (strcmp(tag, "tag:yaml.org,2002:int") == 0) {
		if ((r = yj_int(s, n, &i)) == 0)
			return yj_fail(ASEC_EINVALID, mark, "a !!int scalar that is not an integer");
		if (r < 0)
			return yj_string(out, s, n, mark);
		*out = json_integer(i);
	} else {
		if ((r = yj_int(s, n, &i)) == 1) {
			*out = json_real((double)i);
		} else if ((r = yj_float(s, n, &d)) == 0) {
			return yj_fail(ASEC_EINVALID, mark, "a !!float scalar that is not a number");
		} else if (r < 0) {
			return yj_string(out, s, n, mark);
		} else {
			*out = json_real(d);
		}
	}
	return *out ? ASEC_OK : yj_fail(ASEC_ENOMEM, mark, "out of memory");
}

static int yj_is_core_tag(const char *tag)
{
	return strcmp(tag, "tag:yaml.org,2002:null") == 0 || strcmp(tag, "tag:yaml.org,2002:bool") == 0 ||
	       strcmp(tag, "tag:yaml.org,2002:int") == 0 || strcmp(tag, "tag:yaml.org,2002:float") == 0;
}

static int yj_scalar_value(struct yj_state *st, json_t **out, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t n = ev->data.scalar.length;

	if (st->scalars == YAMLJSON_STRINGS || (tag && strcmp(tag, "tag:yaml.org,2002:str") == 0) ||
	    (tag && strcmp(tag, "!") == 0))
		return yj_string(out, s, n, &ev->start_mark);
	if (tag && yj_is_core_tag(tag))
		return yj_tagged(out, tag, s, n, &ev->start_mark);
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return yj_core(out, s, n, &ev->start_mark);
	return yj_string(out, s, n, &ev->start_mark);
}

/* ---- anchors ---- */

static void yj_anchors_clear(struct yj_state *st)
{
	for (size_t i = 0; i < st->anchors_len; i++) {
		json_decref(st->anchors[i].value);
		free(st->anchors[i].text);
	}
	st->anchors_len = 0;
	json_object_clear(st->index);
}

/* Publishes an anchor; takes a new reference to value and copies text. */
static int yj_anchor_add(struct yj_state *st, const char *name, size_t serial, json_t *value, size_t nodes,
			 size_t bytes, const char *text, size_t text_len, const yaml_mark_t *mark)
{
	struct yj_anchor *a;
	json_t *slot = json_object_get(st->index, name);

	if (slot && st->anchors[json_integer_value(slot)].serial > serial)
		return ASEC_OK; /* redefined inside this collection: that one is later */
	if (st->anchors_len == st->anchors_cap) {
		size_t cap = st->anchors_cap ? st->anchors_cap * 2 : 16;
		struct yj_anchor *bigger = realloc(st->anchors, cap * sizeof(*bigger));

		if (!bigger)
			return yj_fail(ASEC_ENOMEM, mark, "out of memory");
		st->anchors = bigger;
		st->anchors_cap = cap;
	}
	a = &st->anchors[st->anchors_len];
	a->text = NULL;
	a->text_len = text_len;
	if (text) {
		if (!(a->text = malloc(text_len + 1)))
			return yj_fail(ASEC_ENOMEM, mark, "out of memory");
		memcpy(a->text, text, text_len);
		a->text[text_len] = '\0';
	}
	if (!(slot = json_integer((json_int_t)st->anchors_len)) || json_object_set_new(st->index, name, slot)) {
		free(a->text);
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	}
	a->value = json_incref(value);
	a->nodes = nodes;
	a->bytes = bytes;
	a->serial = serial;
	st->anchors_len++;
	return ASEC_OK;
}

/* The anchor an alias names. An alias to a node that is still open would
 * make a cycle, which JSON cannot hold. */
static int yj_anchor_find(struct yj_state *st, const struct yj_anchor **out, const char *name,
			  const yaml_mark_t *mark)
{
	json_t *slot = json_object_get(st->index, name);
	const struct yj_frame *open = NULL;

	for (size_t i = 0; i < st->depth; i++)
		if (st->frames[i].anchor && strcmp(st->frames[i].anchor, name) == 0)
			open = &st->frames[i];
	if (open && (!slot || st->anchors[json_integer_value(slot)].serial < open->anchor_serial))
		return yj_fail(ASEC_EINVALID, mark, "alias *%.100s refers to a node that contains it", name);
	if (!slot)
		return yj_fail(ASEC_EINVALID, mark, "undefined alias *%.100s", name);
	*out = &st->anchors[json_integer_value(slot)];
	return ASEC_OK;
}

/* ---- building ---- */

static struct yj_frame *yj_top(struct yj_state *st)
{
	return st->depth ? &st->frames[st->depth - 1] : NULL;
}

static int yj_wants_key(struct yj_state *st)
{
	struct yj_frame *f = yj_top(st);

	return f && json_is_object(f->value) && !f->has_key;
}

/* Records the key of the top mapping (it is a mapping waiting for a key). */
static int yj_set_key(struct yj_state *st, const char *text, size_t len, int is_merge, const yaml_mark_t *mark)
{
	struct yj_frame *f = yj_top(st);

	if (is_merge) {
		if (f->seen_merge)
			return yj_fail(ASEC_EINVALID, mark, "duplicate merge key \"<<\"");
		f->seen_merge = 1;
		f->merge_next = 1;
		f->has_key = 1;
		return ASEC_OK;
	}
	if (!yj_utf8_valid((const unsigned char *)text, len))
		return yj_fail(ASEC_EINVALID, mark, "a mapping key is not valid UTF-8");
	if (json_object_getn(f->value, text, len))
		return yj_fail(ASEC_EINVALID, mark, "duplicate key \"%.*s\"", (int)(len > 100 ? 100 : len), text);
	if (!(f->key = malloc(len + 1)))
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	memcpy(f->key, text, len);
	f->key[len] = '\0';
	f->key_len = len;
	f->has_key = 1;
	return ASEC_OK;
}

static int yj_merge_one(struct yj_frame *f, json_t *src, const yaml_mark_t *mark)
{
	const char *key;
	size_t key_len;
	json_t *v;

	if (!f->merge && !(f->merge = json_object()))
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	json_object_keylen_foreach(src, key, key_len, v) {
		if (json_object_getn(f->merge, key, key_len))
			continue; /* an earlier mapping of the list wins */
		if (json_object_setn(f->merge, key, key_len, v))
			return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	}
	return ASEC_OK;
}

static int yj_merge(struct yj_frame *f, json_t *value, const yaml_mark_t *mark)
{
	size_t i;
	json_t *item;
	int rc;

	if (json_is_object(value))
		return yj_merge_one(f, value, mark);
	if (!json_is_array(value))
		return yj_fail(ASEC_EINVALID, mark, "the value of a merge key (<<) must be a mapping or a list of them");
	json_array_foreach(value, i, item) {
		if (!json_is_object(item))
			return yj_fail(ASEC_EINVALID, mark, "a merge key (<<) lists something that is not a mapping");
		if ((rc = yj_merge_one(f, item, mark)))
			return rc;
	}
	return ASEC_OK;
}

/* Puts a finished value where it belongs; takes ownership of value. */
static int yj_place(struct yj_state *st, json_t *value, const yaml_mark_t *mark)
{
	struct yj_frame *f = yj_top(st);
	int rc = ASEC_OK;

	if (!f) {
		st->root = value;
		return ASEC_OK;
	}
	if (json_is_array(f->value)) {
		if (json_array_append_new(f->value, value))
			return yj_fail(ASEC_ENOMEM, mark, "out of memory");
		return ASEC_OK;
	}
	if (f->merge_next) {
		rc = yj_merge(f, value, mark);
		json_decref(value);
	} else if (json_object_setn_new(f->value, f->key, f->key_len, value)) {
		rc = yj_fail(ASEC_ENOMEM, mark, "out of memory");
	}
	free(f->key);
	f->key = NULL;
	f->has_key = 0;
	f->merge_next = 0;
	return rc;
}

static int yj_on_scalar(struct yj_state *st, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	size_t n = ev->data.scalar.length;
	json_t *value = NULL;
	int rc;

	if (n > st->lim.max_scalar_bytes)
		return yj_fail(ASEC_ETOOBIG, &ev->start_mark, "a scalar of more than %zu bytes", st->lim.max_scalar_bytes);
	if ((rc = yj_count(st, 1, n, &ev->start_mark)))
		return rc;
	if (yj_wants_key(st)) {
		int is_merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && yj_is(s, n, "<<") &&
			       (!tag || strcmp(tag, YJ_TAG_MERGE) == 0);

		if ((rc = yj_set_key(st, s, n, is_merge, &ev->start_mark)))
			return rc;
		if (!anchor)
			return ASEC_OK;
		/* An anchored key may be aliased as a value later. */
		if ((rc = yj_scalar_value(st, &value, ev)))
			return rc;
		rc = yj_anchor_add(st, anchor, st->anchor_serial++, value, 1, n, s, n, &ev->start_mark);
		json_decref(value);
		return rc;
	}
	if ((rc = yj_scalar_value(st, &value, ev)))
		return rc;
	if (anchor && (rc = yj_anchor_add(st, anchor, st->anchor_serial++, value, 1, n, s, n, &ev->start_mark))) {
		json_decref(value);
		return rc;
	}
	if (!st->depth)
		st->root_empty = n == 0 && !tag && !anchor && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return yj_place(st, value, &ev->start_mark);
}

static int yj_on_alias(struct yj_state *st, const yaml_event_t *ev)
{
	const struct yj_anchor *a = NULL;
	int rc;

	if ((rc = yj_anchor_find(st, &a, (const char *)ev->data.alias.anchor, &ev->start_mark)))
		return rc;
	if ((rc = yj_count(st, a->nodes, a->bytes, &ev->start_mark)))
		return rc;
	if (yj_wants_key(st)) {
		if (!a->text)
			return yj_fail(ASEC_EINVALID, &ev->start_mark, "a mapping key must be a scalar, not a collection");
		return yj_set_key(st, a->text, a->text_len, 0, &ev->start_mark);
	}
	if (!st->depth)
		st->root_empty = 0;
	return yj_place(st, json_incref(a->value), &ev->start_mark);
}

static int yj_push(struct yj_state *st, int mapping, const char *anchor, const yaml_mark_t *mark)
{
	struct yj_frame *f;
	size_t nodes_before = st->nodes, bytes_before = st->bytes;
	int rc;

	if (yj_wants_key(st))
		return yj_fail(ASEC_EINVALID, mark, "a mapping key must be a scalar, not a collection");
	if (st->depth >= st->lim.max_depth)
		return yj_fail(ASEC_ETOOBIG, mark, "nesting deeper than %u", st->lim.max_depth);
	if ((rc = yj_count(st, 1, 0, mark)))
		return rc;
	if (st->depth == st->frames_cap) {
		size_t cap = st->frames_cap ? st->frames_cap * 2 : 16;
		struct yj_frame *bigger = realloc(st->frames, cap * sizeof(*bigger));

		if (!bigger)
			return yj_fail(ASEC_ENOMEM, mark, "out of memory");
		st->frames = bigger;
		st->frames_cap = cap;
	}
	f = &st->frames[st->depth];
	memset(f, 0, sizeof(*f));
	f->nodes_at_start = nodes_before;
	f->bytes_at_start = bytes_before;
	if (!(f->value = mapping ? json_object() : json_array()))
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	if (anchor && !(f->anchor = strdup(anchor))) {
		json_decref(f->value);
		return yj_fail(ASEC_ENOMEM, mark, "out of memory");
	}
	if (anchor)
		f->anchor_serial = st->anchor_serial++;
	st->depth++;
	if (st->depth == 1)
		st->root_empty = 0;
	return ASEC_OK;
}

static void yj_frame_free(struct yj_frame *f)
{
	json_decref(f->value);
	json_decref(f->merge);
	free(f->anchor);
	free(f->key);
}

/* Closes the top collection: merged keys go in where no explicit key is,
 * the anchor is published, and the value takes its place in its parent. */
static int yj_pop(struct yj_state *st, const yaml_mark_t *mark)
{
	struct yj_frame *f = yj_top(st), done;
	const char *key;
	size_t key_len;
	json_t *v;
	int rc = ASEC_OK;

	if (f->merge) {
		json_object_keylen_foreach(f->merge, key, key_len, v) {
			if (json_object_getn(f->value, key, key_len))
				continue;
			if (json_object_setn(f->value, key, key_len, v)) {
				rc = yj_fail(ASEC_ENOMEM, mark, "out of memory");
				break;
			}
		}
	}
	done = *f;
	st->depth--;
	if (!rc && done.anchor)
		rc = yj_anchor_add(st, done.anchor, done.anchor_serial, done.value, st->nodes - done.nodes_at_start,
				   st->bytes - done.bytes_at_start, NULL, 0, mark);
	if (!rc) {
		rc = yj_place(st, done.value, mark);
		done.value = NULL;
	}
	yj_frame_free(&done);
	return rc;
}

static int yj_on_event(struct yj_state *st, const yaml_event_t *ev, int *stop, int first_only)
{
	int rc = ASEC_OK;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++st->documents > st->lim.max_documents)
			return yj_fail(ASEC_ETOOBIG, &ev->start_mark, "more than %zu documents", st->lim.max_documents);
		yj_anchors_clear(st);
		st->root_empty = 0;
		break;
	case YAML_DOCUMENT_END_EVENT:
		if (st->root && !st->root_empty) {
			if (json_array_append_new(st->docs, st->root))
				rc = yj_fail(ASEC_ENOMEM, &ev->start_mark, "out of memory");
			st->root = NULL;
			if (first_only)
				*stop = 1;
		}
		json_decref(st->root);
		st->root = NULL;
		yj_anchors_clear(st);
		break;
	case YAML_SCALAR_EVENT:
		rc = yj_on_scalar(st, ev);
		break;
	case YAML_ALIAS_EVENT:
		rc = yj_on_alias(st, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = yj_push(st, 0, (const char *)ev->data.sequence_start.anchor, &ev->start_mark);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = yj_push(st, 1, (const char *)ev->data.mapping_start.anchor, &ev->start_mark);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		rc = yj_pop(st, &ev->start_mark);
		break;
	case YAML_STREAM_END_EVENT:
		*stop = 1;
		break;
	default:
		break;
	}
	return rc;
}

static int yj_parser_error(const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return yj_fail(ASEC_ENOMEM, NULL, "out of memory");
	case YAML_READER_ERROR:
		return yj_fail(ASEC_EINVALID, NULL, "byte %zu: %s", p->problem_offset, problem);
	default:
		if (p->context)
			error_set("yaml: line %zu, column %zu: %s (%s, line %zu, column %zu)", p->problem_mark.line + 1,
				  p->problem_mark.column + 1, problem, p->context, p->context_mark.line + 1,
				  p->context_mark.column + 1);
		else
			error_set("yaml: line %zu, column %zu: %s", p->problem_mark.line + 1, p->problem_mark.column + 1,
				  problem);
		return ASEC_EINVALID;
	}
}

static void yj_limits(struct yamljson_limits *out, const struct yamljson_limits *in)
{
	out->max_input_bytes = in && in->max_input_bytes ? in->max_input_bytes : YJ_DEFAULT_INPUT_BYTES;
	out->max_depth = in && in->max_depth ? in->max_depth : YJ_DEFAULT_DEPTH;
	out->max_nodes = in && in->max_nodes ? in->max_nodes : YJ_DEFAULT_NODES;
	out->max_scalar_bytes = in && in->max_scalar_bytes ? in->max_scalar_bytes : YJ_DEFAULT_SCALAR_BYTES;
	out->max_documents = in && in->max_documents ? in->max_documents : YJ_DEFAULT_DOCUMENTS;
}

static int yj_run(json_t **out, const char *data, size_t len, enum yamljson_scalars scalars,
		  const struct yamljson_limits *limits, int first_only)
{
	struct yj_state st;
	yaml_parser_t parser;
	yaml_event_t ev;
	int parser_ready = 0, stop = 0, rc = ASEC_OK;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	yj_limits(&st.lim, limits);
	st.scalars = scalars == YAMLJSON_CORE_SCHEMA ? YAMLJSON_CORE_SCHEMA : YAMLJSON_STRINGS;
	if (len > st.lim.max_input_bytes) {
		rc = yj_fail(ASEC_ETOOBIG, NULL, "input of %zu bytes is larger than the %zu-byte limit", len,
			     st.lim.max_input_bytes);
		goto out;
	}
	if (!data && len) {
		rc = yj_fail(ASEC_EINVALID, NULL, "no input");
		goto out;
	}
	if (!(st.docs = json_array()) || !(st.index = json_object())) {
		rc = yj_fail(ASEC_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (!yaml_parser_initialize(&parser)) {
		rc = yj_fail(ASEC_ENOMEM, NULL, "out of memory");
		goto out;
	}
	parser_ready = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data ? data : ""), len);
	while (!stop) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yj_parser_error(&parser);
			goto out;
		}
		rc = yj_on_event(&st, &ev, &stop, first_only);
		yaml_event_delete(&ev);
		if (rc)
			goto out;
	}
	if (first_only) {
		*out = json_array_size(st.docs) ? json_incref(json_array_get(st.docs, 0)) : json_null();
	} else {
		*out = st.docs;
		st.docs = NULL;
	}
out:
	if (parser_ready)
		yaml_parser_delete(&parser);
	while (st.depth)
		yj_frame_free(&st.frames[--st.depth]);
	free(st.frames);
	if (st.index)
		yj_anchors_clear(&st);
	free(st.anchors);
	json_decref(st.index);
	json_decref(st.root);
	json_decref(st.docs);
	return rc;
}

int yamljson_parse_all(json_t **out, const char *data, size_t len, enum yamljson_scalars scalars,
		       const struct yamljson_limits *limits)
{
	return yj_run(out, data, len, scalars, limits, 0);
}

int yamljson_parse(json_t **out, const char *data, size_t len, enum yamljson_scalars scalars,
		   const struct yamljson_limits *limits)
{
	return yj_run(out, data, len, scalars, limits, 1);
}
