/*
 * schema.c - the validator behind every generated request-body check.
 *
 * It walks value and schema together, depth first, appending violations to a
 * fixed-size list. Composite keywords (anyOf/oneOf) validate into a scratch
 * result so that the branches' own messages do not leak into the answer; the
 * caller is told which composite failed instead, which is what a client can act
 * on. Recursion is bounded by SCHEMA_MAX_DEPTH because generated schemas may be
 * recursive ($ref cycles) while the JSON parser allows deep nesting.
 */
#include "schema/schema.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

#define SCHEMA_MAX_DEPTH 64
#define POINTER_MAX 512

struct walk {
	struct schema_result *result;
	char pointer[POINTER_MAX];
	size_t pointer_len;
	unsigned depth;
};

static void add_violation(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_violation(struct walk *w, const char *fmt, ...)
{
	struct schema_result *r = w->result;
	struct schema_violation *v;
	char detail[512];
	va_list ap;

	if (r->count >= SCHEMA_MAX_VIOLATIONS) {
		r->truncated = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	v = &r->violations[r->count];
	v->pointer = strdup(w->pointer);
	v->detail = strdup(detail);
	if (!v->pointer || !v->detail) {
		free(v->pointer);
		free(v->detail);
		r->truncated = 1;
		return;
	}
	r->count++;
}

/* Appends "/<token>" with RFC 6901 escaping; returns the old length so that
 * the caller can pop back. A pointer too long to keep is cut with "...". */
static size_t pointer_push(struct walk *w, const char *token)
{
	size_t old = w->pointer_len;
	size_t n = old;
	const char *p;

	if (n + 1 >= POINTER_MAX)
		return old;
	w->pointer[n++] = '/';
	for (p = token; *p && n + 3 < POINTER_MAX; p++) {
		if (*p == '~' || *p == '/') {
			w->pointer[n++] = '~';
			w->pointer[n++] = *p == '~' ? '0' : '1';
		} else {
			w->pointer[n++] = *p;
		}
	}
	w->pointer[n] = '\0';
	w->pointer_len = n;
	return old;
}

static size_t pointer_push_index(struct walk *w, size_t index)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", index);
	return pointer_push(w, buf);
}

static void pointer_pop(struct walk *w, size_t old)
{
	w->pointer_len = old;
	w->pointer[old] = '\0';
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static int type_matches(unsigned types, const json_t *v)
{
	if (types == 0)
		return 1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return (types & SCHEMA_OBJECT) != 0;
	case JSON_ARRAY: return (types & SCHEMA_ARRAY) != 0;
	case JSON_STRING: return (types & SCHEMA_STRING) != 0;
	case JSON_INTEGER: return (types & (SCHEMA_INTEGER | SCHEMA_NUMBER)) != 0;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (types & SCHEMA_NUMBER)
			return 1;
		/* JSON Schema counts 2.0 as an integer. */
		return (types & SCHEMA_INTEGER) && isfinite(d) && d == floor(d) && fabs(d) < 9.007199254740992e15;
	}
	case JSON_TRUE:
	case JSON_FALSE: return (types & SCHEMA_BOOLEAN) != 0;
	case JSON_NULL: return (types & SCHEMA_NULL) != 0;
	}
	return 0;
}

static void describe_types(char *buf, size_t size, unsigned types)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{SCHEMA_OBJECT, "an object"}, {SCHEMA_ARRAY, "an array"}, {SCHEMA_STRING, "a string"},
		{SCHEMA_INTEGER, "an integer"}, {SCHEMA_NUMBER, "a number"}, {SCHEMA_BOOLEAN, "a boolean"},
		{SCHEMA_NULL, "null"},
	};
	size_t used = 0, i;
	int first = 1;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;
		if (!(types & names[i].bit))
			continue;
		n = snprintf(buf + used, size - used, "%s%s", first ? "" : " or ", names[i].name);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
		first = 0;
	}
}

/* Code points, not bytes: maxLength in JSON Schema counts characters. The
 * parser has already rejected invalid UTF-8, so counting lead bytes is exact. */
static size_t utf8_length(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int is_date(const char *s)
{
	int month, day;

	if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return 0;
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* RFC 3339 date-time: 2026-11-27T13:40:09(.123)?(Z|+01:00) */
static int is_date_time(const char *s)
{
	const char *p;

	if (!is_date(s) || (s[10] != 'T' && s[10] != 't'))
		return 0;
	p = s + 11;
	if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2) || p[5] != ':' || !digits(p + 6, 2))
		return 0;
	if (p[0] > '2' || p[3] > '5' || p[6] > '6')
		return 0;
	p += 8;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 1;
	if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == '\0')
		return 1;
	return 0;
}

static int is_uuid(const char *s)
{
	static const int dash_at[] = {8, 13, 18, 23};
	size_t i, d = 0;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash_at[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static int is_uri(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' && p[1] != '\0';
}

static int format_matches(enum schema_format format, const char *s)
{
	struct in_addr addr;

	switch (format) {
	case SCHEMA_FORMAT_NONE: return 1;
	case SCHEMA_FORMAT_DATE_TIME: return is_date_time(s);
	case SCHEMA_FORMAT_DATE: return is_date(s) && s[10] == '\0';
	case SCHEMA_FORMAT_UUID: return is_uuid(s);
	case SCHEMA_FORMAT_IPV4: return inet_pton(AF_INET, s, &addr) == 1;
	case SCHEMA_FORMAT_URI: return is_uri(s);
	}
	return 1;
}

static const char *format_name(enum schema_format format)
{
	switch (format) {
	case SCHEMA_FORMAT_DATE_TIME: return "an RFC 3339 date-time";
	case SCHEMA_FORMAT_DATE: return "an RFC 3339 date";
	case SCHEMA_FORMAT_UUID: return "a UUID";
	case SCHEMA_FORMAT_IPV4: return "an IPv4 address";
	case SCHEMA_FORMAT_URI: return "a URI";
	default: return "valid";
	}
}

static void validate_node(struct walk *w, const struct schema *s, const json_t *v);

static int branch_matches(struct walk *w, const struct schema *s, const json_t *v)
{
	struct schema_result scratch;
	struct walk sub;

	memset(&scratch, 0, sizeof(scratch));
	sub = *w;
	sub.result = &scratch;
	validate_node(&sub, s, v);
	int ok = scratch.count == 0 && !scratch.truncated;
	schema_result_clear(&scratch);
	return ok;
}

static void validate_enum(struct walk *w, const struct schema *s, const json_t *v)
{
	size_t i;

	for (i = 0; i < s->enum_count; i++) {
		json_t *allowed = json_loads(s->enum_values[i], JSON_DECODE_ANY, NULL);
		int equal = allowed && json_equal(allowed, (json_t *)v);
		json_decref(allowed);
		if (equal)
			return;
	}
	if (s->enum_count <= 8) {
		char list[400];
		size_t used = 0;
		list[0] = '\0';
		for (i = 0; i < s->enum_count; i++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", s->enum_values[i]);
			if (n < 0 || (size_t)n >= sizeof(list) - used)
				break;
			used += (size_t)n;
		}
		add_violation(w, "must be one of %s", list);
	} else {
		add_violation(w, "is not one of the %zu allowed values", s->enum_count);
	}
}

static void validate_number(struct walk *w, const struct schema *s, const json_t *v)
{
	double d = json_number_value(v);

	if (s->has_minimum && (s->exclusive_minimum ? d <= s->minimum : d < s->minimum))
		add_violation(w, "must be %s %g", s->exclusive_minimum ? "greater than" : "at least", s->minimum);
	if (s->has_maximum && (s->exclusive_maximum ? d >= s->maximum : d > s->maximum))
		add_violation(w, "must be %s %g", s->exclusive_maximum ? "less than" : "at most", s->maximum);
}

static void validate_string(struct walk *w, const struct schema *s, const json_t *v)
{
	const char *text = json_string_value(v);
	size_t length = utf8_length(text, json_string_length(v));

	if (s->has_min_length && length < s->min_length)
		add_violation(w, "must be at least %zu characters long", s->min_length);
	if (s->has_max_length && length > s->max_length)
		add_violation(w, "must be at most %zu characters long", s->max_length);
	if (s->format != SCHEMA_FORMAT_NONE && !format_matches(s->format, text))
		add_violation(w, "must be %s", format_name(s->format));
	if (s->pattern) {
		regex_t re;
		if (regcomp(&re, s->pattern, REG_EXTENDED | REG_NOSUB) == 0) {
			if (regexec(&re, text, 0, NULL, 0) != 0)
				add_violation(w, "must match the pattern %s", s->pattern);
			regfree(&re);
		}
	}
}

static void validate_array(struct walk *w, const struct schema *s, const json_t *v)
{
	size_t n = json_array_size(v), i, j;

	if (s->has_min_items && n < s->min_items)
		add_violation(w, "must have at least %zu items", s->min_items);
	if (s->has_max_items && n > s->max_items) {
		/* Do not walk a hostile array item by item past its allowed size. */
		add_violation(w, "must have at most %zu items", s->max_items);
		return;
	}
	if (s->unique_items) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (json_equal(json_array_get(v, i), json_array_get(v, j))) {
					add_violation(w, "items %zu and %zu are equal; items must be unique", i, j);
					i = n;
					break;
				}
	}
	if (s->items) {
		for (i = 0; i < n && !w->result->truncated; i++) {
			size_t old = pointer_push_index(w, i);
			validate_node(w, s->items, json_array_get(v, i));
			pointer_pop(w, old);
		}
	}
}

static const struct schema *property_schema(const struct schema *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->property_count; i++)
		if (strcmp(s->properties[i].name, key) == 0)
			return s->properties[i].schema;
	return NULL;
}

static void validate_object(struct walk *w, const struct schema *s, const json_t *v)
{
	size_t n = json_object_size(v), i;
	const char *key;
	json_t *member;

	if (s->has_min_properties && n < s->min_properties)
		add_violation(w, "must have at least %zu members", s->min_properties);
	if (s->has_max_properties && n > s->max_properties) {
		add_violation(w, "must have at most %zu members", s->max_properties);
		return;
	}
	for (i = 0; i < s->required_count; i++) {
		if (!json_object_get(v, s->required[i])) {
			size_t old = pointer_push(w, s->required[i]);
			add_violation(w, "is required");
			pointer_pop(w, old);
		}
	}
	json_object_foreach((json_t *)v, key, member) {
		const struct schema *ps = property_schema(s, key);
		size_t old = pointer_push(w, key);
		if (ps)
			validate_node(w, ps, member);
		else if (s->additional == SCHEMA_ADDITIONAL_FORBID)
			add_violation(w, "is not a known member%s%s", s->name ? " of " : "", s->name ? s->name : "");
		else if (s->additional == SCHEMA_ADDITIONAL_SCHEMA && s->additional_schema)
			validate_node(w, s->additional_schema, member);
		pointer_pop(w, old);
		if (w->result->truncated)
			break;
	}
}

static void validate_node(struct walk *w, const struct schema *s, const json_t *v)
{
	size_t i, matches;

	if (w->depth >= SCHEMA_MAX_DEPTH) {
		add_violation(w, "is nested deeper than %d levels", SCHEMA_MAX_DEPTH);
		return;
	}
	w->depth++;
	if (!type_matches(s->types, v)) {
		char expected[128];
		describe_types(expected, sizeof(expected), s->types);
		add_violation(w, "must be %s, not %s", expected, json_type_name(v));
		goto out;
	}
	if (s->enum_count)
		validate_enum(w, s, v);
	if (json_is_number(v))
		validate_number(w, s, v);
	else if (json_is_string(v))
		validate_string(w, s, v);
	else if (json_is_array(v))
		validate_array(w, s, v);
	else if (json_is_object(v))
		validate_object(w, s, v);

	for (i = 0; i < s->all_of_count; i++)
		validate_node(w, s->all_of[i], v);
	if (s->any_of_count) {
		for (i = 0, matches = 0; i < s->any_of_count && !matches; i++)
			matches += (size_t)branch_matches(w, s->any_of[i], v);
		if (!matches)
			add_violation(w, "matches none of the %zu allowed forms", s->any_of_count);
	}
	if (s->one_of_count) {
		for (i = 0, matches = 0; i < s->one_of_count; i++)
			matches += (size_t)branch_matches(w, s->one_of[i], v);
		if (matches != 1)
			add_violation(w, "must match exactly one of %zu forms, matches %zu", s->one_of_count, matches);
	}
out:
	w->depth--;
}

int schema_validate(struct schema_result *result, const struct schema *schema, const json_t *value)
{
	struct walk w;

	memset(result, 0, sizeof(*result));
	memset(&w, 0, sizeof(w));
	w.result = result;
	validate_node(&w, schema, value);
	return result->count || result->truncated ? ASEC_EINVALID : ASEC_OK;
}

void schema_result_clear(struct schema_result *result)
{
	size_t i;

	for (i = 0; i < result->count; i++) {
		free(result->violations[i].pointer);
		free(result->violations[i].detail);
	}
	memset(result, 0, sizeof(*result));
}

char *schema_result_summary(const struct schema_result *result)
{
	size_t size = 64, i, used = 0;
	char *text;

	for (i = 0; i < result->count; i++)
		size += strlen(result->violations[i].pointer) + strlen(result->violations[i].detail) + 8;
	text = malloc(size);
	if (!text)
		return NULL;
	text[0] = '\0';
	for (i = 0; i < result->count; i++) {
		const char *where = result->violations[i].pointer[0] ? result->violations[i].pointer : "body";
		int n = snprintf(text + used, size - used, "%s%s %s", i ? "; " : "", where, result->violations[i].detail);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (result->truncated)
		snprintf(text + used, size - used, "%s(more not shown)", used ? "; " : "");
	return text;
}

int schema_parse_json(json_t **out, const char *data, size_t len)
{
	json_error_t err;
	json_t *value;

	*out = NULL;
	value = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (!value) {
		error_set("body is not valid JSON: %s at line %d, column %d", err.text, err.line, err.column);
		return ASEC_EINVALID;
	}
	*out = value;
	return ASEC_OK;
}
