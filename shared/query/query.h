/*
 * query.h - StackRox's search query language ("Image:nginx+CVE:CVE-2021-44228,
 * CVE-2022-0001+Fixable:true+CVSS:>=7"), parsed once and then either turned
 * into a parameterised SQL WHERE fragment or evaluated in C against JSON.
 *
 * Two ideas shape the module:
 *
 *  - Values never enter SQL text. query_to_sql() writes only the caller's own
 *    column expressions, fixed keywords and $n placeholders; every value the
 *    user typed travels as a text parameter. The fuzz target checks this.
 *
 *  - One meaning, two evaluators. Every value form is defined so that the SQL
 *    that query_to_sql() writes and the C in query_matches() agree on every
 *    row, and query_test.c checks that against a real PostgreSQL server. Where
 *    PostgreSQL and C could disagree (case folding of non-ASCII letters,
 *    regular expression dialects) the language is narrowed to the part both
 *    read the same way, and the rest is refused with a message.
 *
 * THE GRAMMAR, as StackRox reads it and where this module departs from it.
 * Sources: stackrox/stackrox pkg/search/parser.go (splitQuery, parsePair,
 * splitCommaSeparatedValues, GetValueAndModifiersFromString), pkg/search/
 * options.go (field labels, RegexPrefix "r/", NegationPrefix "!", WildcardString
 * "*", NullString "-", EqualityPrefixSuffix '"', TimeRangePrefix "tr/"), and
 * pkg/search/postgres/query/{string,numeric,bool,enum,time,array}_query.go.
 *
 *   query  = [ term *( "+" term ) ]
 *   term   = label ":" value *( "," value )
 *
 *   Splitting. A '+' outside double quotes ends a term only when the next ':'
 *   comes before any further '+' (StackRox's splitQuery), so values may hold
 *   '+' ("Component Version:2.36-9+deb12u4"). A term's label is the text
 *   before its first ':'; values are split on ',' outside double quotes.
 *   Labels, value lists and each value are trimmed of ASCII white space.
 *   Terms AND together; the values of one term OR together.
 *
 *   Labels match the caller's field table case-insensitively (StackRox lower-
 *   cases labels, so "SEVERITY" and "image tag" work), and also any aliases the
 *   table lists. StackRox itself has no aliases beyond case.
 *
 *   Every value, any kind of field:
 *     *          the field has a value (IS NOT NULL)
 *     -          the field has no value (IS NULL)
 *     !v         not v (StackRox "!"; one '!' at most, and "!!" - StackRox's
 *                unused "at least one" - is refused)
 *
 *   String fields (QUERY_STRING):
 *     nginx      case-insensitive prefix: the value starts with "nginx"
 *                (StackRox: ILIKE 'nginx%'; '%', '_' and '\' typed by the user
 *                are literal here - StackRox passes them to ILIKE unescaped)
 *     "nginx"    case-insensitive equality (StackRox compares "=" in SQL but
 *                strings.EqualFold in Go; this is the Go meaning)
 *     r/ngi.x    case-insensitive regular expression, unanchored (StackRox ~*)
 *     r/"a{1,2}" the same, quoted so that the pattern may hold ',' (which would
 *                otherwise end the value); StackRox has no way to write that
 *     A '*' inside a value is literal (StackRox's PostgreSQL search has no
 *     wildcards; its old Bleve search did).
 *
 *   Number fields (QUERY_NUMBER):
 *     7.5  =7.5  ==7.5  >7  >=7  <7  <=7     comparisons (plain = equality)
 *     5-9        open range, 5 < x < 9 (the first must be less than the second)
 *     A number is -?DIGITS[.DIGITS] with at most 15 digits in all, so that a
 *     double compares with it exactly as PostgreSQL's numeric does.
 *     StackRox refuses '!' on numbers; here !>=7 means NOT (x >= 7).
 *
 *   Boolean fields (QUERY_BOOL): true/false, 1/0, t/f, and any case-insensitive
 *   prefix of "true" or "false" (StackRox's FriendlyParseBool).
 *
 *   Enumerations (QUERY_ENUM), e.g. Severity with LOW_VULNERABILITY_SEVERITY ..
 *   CRITICAL_VULNERABILITY_SEVERITY and the short forms Low .. Critical:
 *     crit       the values whose name or alias starts with "crit" (any case)
 *     "Low"      the value whose name or alias is exactly that (any case)
 *     r/^(low|mod)   the values whose lower-cased name or alias matches
 *     >=important    by the table's order: every value >= some prefix match
 *     !low       every other value (a complement, as StackRox computes it)
 *     A prefix or exact form that names no value is an error (StackRox returns
 *     nothing for an unknown prefix); a regular expression may match none.
 *
 *   Date fields (QUERY_DATE), compared in UTC:
 *     01/02/2006 or 2006-01-02    that whole day, [midnight, next midnight)
 *     >01/02/2006  <=2006-01-02 ...  compared with that day's midnight
 *     >30d  >=30d  <30d  <=30d    more (>) or less (<) than 30 days ago,
 *                                 relative to the time of parsing; "30" = "30d"
 *     1d-30d                      between 1 and 30 days ago (open range)
 *     tr/<ms>-<ms>                [from, to) in Unix milliseconds
 *     A duration without a comparison is refused (StackRox would compare for
 *     equality with the very second N days ago, which never matches).
 *     MM/DD/YYYY is StackRox's form; YYYY-MM-DD is added here. StackRox's
 *     forms with a time of day and a zone name are not accepted.
 *
 *   Regular expressions are a subset that POSIX ERE (regcomp), PostgreSQL's
 *   ARE (~*) and Go's RE2 all read alike: literals (any UTF-8 character),
 *   '.', '^', '$', groups ( ), alternation |, quantifiers * + ? {m} {m,}
 *   {m,n} (m, n <= 255), bracket lists [abc] [^abc] with ranges between two
 *   digits, two lower-case or two upper-case ASCII letters, and backslash
 *   before one of . [ ] ( ) { } * + ? | ^ $ \ to take it literally. Refused:
 *   other backslash escapes (\d, \w, \b mean different things in each
 *   dialect), [:class:] names, backslashes and '[' inside brackets, empty
 *   groups and alternatives, a quantifier with nothing or another quantifier
 *   before it, unescaped '{' '}' ']' outside their syntax, patterns over 256
 *   bytes or that repeat too much. Case is folded for ASCII letters only, as
 *   PostgreSQL does under the "C" collation that query_to_sql() requests.
 *
 *   Arrays. A field stored in a joined table or a JSON array (CVE, Component)
 *   matches when any one element satisfies the term, as StackRox's
 *   "exists (select * from unnest(...))" and its joins do. Terms on fields of
 *   the same joined record are evaluated against the same record: with CVE and
 *   Fixable both on the vulnerability, "CVE:CVE-2021-44228+Fixable:true" means
 *   the image has that CVE and it is fixable, as StackRox's join-based SQL
 *   means it. A negated value is negated per element: "CVE:!CVE-2021" is "has
 *   some CVE that does not start with CVE-2021".
 *
 *   Departures kept on purpose: an unknown label, a term without ':', an empty
 *   value or a field given twice are errors here (StackRox silently drops the
 *   term, or keeps the last); an empty query parses to "match everything".
 *
 * Limits: QUERY_MAX_TEXT bytes of text (valid UTF-8), QUERY_MAX_TERMS terms,
 * QUERY_MAX_VALUES values per term. Parse errors return ASEC_EINVALID (or
 * ASEC_ETOOBIG for a limit) and set a message that names the position - the
 * 1-based byte offset in the text - and the offending label or value, e.g.
 *   position 7: unknown field "Imag"
 * fit to be returned to the client as the reason for a 400.
 */
#ifndef ASEC_QUERY_H
#define ASEC_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define QUERY_MAX_TEXT 4096
#define QUERY_MAX_TERMS 32
#define QUERY_MAX_VALUES 64
#define QUERY_MAX_REGEX 256
#define QUERY_MAX_ENUM_VALUES 64
/* How deep query_sql_scope parents and JSON path arrays may nest. */
#define QUERY_MAX_DEPTH 8

enum query_kind {
	QUERY_STRING,
	QUERY_NUMBER,
	QUERY_BOOL,
	QUERY_ENUM,
	QUERY_DATE,
};

struct query_enum_value {
	/* StackRox's name, e.g. "CRITICAL_VULNERABILITY_SEVERITY". Required. */
	const char *name;
	/* A short form also accepted, e.g. "Critical"; may be NULL. */
	const char *alias;
	/* What the SQL column and the JSON member hold; NULL means name. */
	const char *stored;
};

struct query_field {
	/* The label users type, e.g. "Image Tag". Required. */
	const char *label;
	/* Other labels for the same field, NULL-terminated; may be NULL. */
	const char *const *aliases;
	enum query_kind kind;
	/* QUERY_ENUM only: 1..QUERY_MAX_ENUM_VALUES values, lowest first (the
	 * order that <, <=, >, >= use). */
	const struct query_enum_value *enum_values;
	size_t enum_count;
	/* The caller's own number for the field; the maps below refer to it. */
	int id;
};

struct query;

/*
 * Parses text with the caller's field table, which must outlive the query.
 * Relative dates (">30d") are resolved against the current time, once, here.
 * On success *out holds the query (free it with query_free()); on failure
 * *out is NULL and error_last() says what is wrong and where.
 * Errors: ASEC_EINVALID, ASEC_ETOOBIG, ASEC_ENOMEM.
 */
int query_parse(struct query **out, const char *text, const struct query_field *fields,
		size_t field_count);

/* The same with "now" given, in Unix seconds: for tests and for re-running a
 * saved query as of a moment. */
int query_parse_at(struct query **out, const char *text, const struct query_field *fields,
		   size_t field_count, int64_t now);

void query_free(struct query *q);

/* The number of terms: 0 for an empty query, which matches everything (a
 * DELETE handler should refuse that unless it really means "all"). */
size_t query_term_count(const struct query *q);

/*
 * Where a field lives in SQL. A field of the main row has scope NULL and an
 * expression such as "i.tag". A field of a joined table names a scope: an
 * EXISTS template with one "%s" where the predicate on the joined row goes,
 * e.g. "EXISTS (SELECT 1 FROM image_cves c WHERE c.image_id = i.id AND %s)",
 * and an expression on that row ("c.cve"); a scope may sit inside a parent
 * scope (vulnerabilities inside components). Terms whose fields share a scope
 * are ANDed inside one EXISTS, so they hold for the same joined row. "%%" in
 * a template stands for '%'. String fields' expressions must be of a
 * collatable text type; dates should be timestamptz.
 */
struct query_sql_scope {
	const char *exists_template;
	const struct query_sql_scope *parent;
};

struct query_sql_column {
	int field_id;
	const char *expr;
	const struct query_sql_scope *scope;
};

struct query_sql_map {
	const struct query_sql_column *columns;
	size_t count;
};

/*
 * Writes the query as a WHERE fragment into *where_sql (free() it) and its
 * parameters, all JSON strings, into *params (json_decref() it), numbered
 * from first_param_number ($first, $first+1, ...), each used exactly once.
 * The fragment is one predicate (parenthesised when it has parts), "TRUE" for
 * an empty query. Every field of the query must be in the map.
 * Errors: ASEC_EINVALID (a field missing from the map, a bad template or
 * first_param_number < 1), ASEC_ETOOBIG (numbers past 65535), ASEC_ENOMEM.
 */
int query_to_sql(char **where_sql, json_t **params, const struct query *q,
		 int first_param_number, const struct query_sql_map *map);

/*
 * Where a field lives in a JSON document: a path of member names joined by
 * '.', where a name followed by "[]" is an array whose elements are searched,
 * e.g. "tag", "components[].name", "components[].vulns[].cve", "tags[]".
 * Terms whose paths share an array prefix are evaluated on the same element,
 * matching the SQL scopes above when the caller lays both out alike. Strings,
 * enums and dates are JSON strings (dates in RFC 3339), numbers JSON numbers,
 * booleans JSON booleans; a missing member or JSON null is "no value", and a
 * value of another JSON type never matches (except "*").
 */
struct query_json_column {
	int field_id;
	const char *path;
};

struct query_json_map {
	const struct query_json_column *columns;
	size_t count;
};

/*
 * Evaluates the query against one JSON object with the same meaning as
 * query_to_sql(). Returns 1 (matches), 0 (does not), or a negative ASEC_E*
 * code: ASEC_EINVALID for a field missing from the map or a bad path,
 * ASEC_ENOMEM.
 */
int query_matches(const struct query *q, const json_t *object, const struct query_json_map *map);

#endif
