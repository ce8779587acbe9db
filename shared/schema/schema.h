/*
 * schema.h - validation of JSON values against schemas compiled from OpenAPI.
 *
 * The OpenAPI generator (tools/openapi-gen) turns every schema of a spec into
 * a static, read-only tree of struct schema nodes, so validation needs no
 * parsing of YAML at run time and no allocation beyond the error list. The
 * validator walks the JSON value and the schema tree together and collects
 * every violation with the JSON pointer of the offending part, so that a
 * client sees all of its mistakes in one 400 answer instead of one per try.
 *
 * Supported keywords: type (with null), enum (strings, integers, booleans),
 * minimum/maximum (inclusive and exclusive), multipleOf is not supported,
 * minLength/maxLength (in Unicode code points), pattern (POSIX extended regular
 * expression, compiled once), format (date-time, date, uuid, ipv4, uri),
 * minItems/maxItems/uniqueItems, required, properties, additionalProperties
 * (false, true or a schema), minProperties/maxProperties, allOf, anyOf, oneOf.
 */
#ifndef ASEC_SCHEMA_H
#define ASEC_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum schema_type_bits {
	SCHEMA_NULL = 1 << 0,
	SCHEMA_BOOLEAN = 1 << 1,
	SCHEMA_INTEGER = 1 << 2,
	SCHEMA_NUMBER = 1 << 3, /* also accepts integers */
	SCHEMA_STRING = 1 << 4,
	SCHEMA_ARRAY = 1 << 5,
	SCHEMA_OBJECT = 1 << 6,
	SCHEMA_ANY = 0x7f,
};

enum schema_additional {
	SCHEMA_ADDITIONAL_ALLOW = 0,  /* absent or true */
	SCHEMA_ADDITIONAL_FORBID = 1, /* false */
	SCHEMA_ADDITIONAL_SCHEMA = 2, /* a schema every extra member must match */
};

enum schema_format {
	SCHEMA_FORMAT_NONE = 0,
	SCHEMA_FORMAT_DATE_TIME,
	SCHEMA_FORMAT_DATE,
	SCHEMA_FORMAT_UUID,
	SCHEMA_FORMAT_IPV4,
	SCHEMA_FORMAT_URI,
};

struct schema;

struct schema_property {
	const char *name;
	const struct schema *schema;
};

struct schema {
	const char *name;          /* component name or NULL, for messages */
	unsigned types;            /* enum schema_type_bits; 0 means any */
	enum schema_format format;

	const char *const *enum_values; /* JSON texts of the allowed values */
	size_t enum_count;

	int has_minimum, has_maximum, exclusive_minimum, exclusive_maximum;
	double minimum, maximum;

	int has_min_length, has_max_length;
	size_t min_length, max_length;
	const char *pattern;

	int has_min_items, has_max_items, unique_items;
	size_t min_items, max_items;
	const struct schema *items;

	const struct schema_property *properties;
	size_t property_count;
	const char *const *required;
	size_t required_count;
	enum schema_additional additional;
	const struct schema *additional_schema;
	int has_min_properties, has_max_properties;
	size_t min_properties, max_properties;

	const struct schema *const *all_of;
	size_t all_of_count;
	const struct schema *const *any_of;
	size_t any_of_count;
	const struct schema *const *one_of;
	size_t one_of_count;
};

struct schema_violation {
	char *pointer; /* RFC 6901 JSON pointer into the validated value, "" = root */
	char *detail;
};

/* The violations found by one validation, capped so that a hostile body of a
 * million bad items cannot make the answer a million lines long. */
#define SCHEMA_MAX_VIOLATIONS 20

struct schema_result {
	struct schema_violation violations[SCHEMA_MAX_VIOLATIONS];
	size_t count;
	int truncated; /* more violations existed than were kept */
};

/* Validates value against schema. Returns ASEC_OK when it conforms, otherwise
 * ASEC_EINVALID with the violations in *result (free with schema_result_clear). */
int schema_validate(struct schema_result *result, const struct schema *schema, const json_t *value);

void schema_result_clear(struct schema_result *result);

/* Human text for the first violations: "/name: must be a string; /age: ..." */
char *schema_result_summary(const struct schema_result *result);

/* Parses a JSON text body with the project's limits (maximum nesting depth,
 * no duplicate keys, no NUL in strings); sets error text on failure. */
int schema_parse_json(json_t **out, const char *data, size_t len);

#endif
