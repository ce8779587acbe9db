/*
 * query_fuzz.c - libFuzzer target for the query language.
 *
 * Any bytes go to query_parse() with a fixed field table of every kind. A
 * failure must leave no query and say why. A query that parses must turn
 * into SQL, and that SQL must be made only of the map's own names, fixed
 * keywords and placeholders: every token is checked against that
 * vocabulary, so a value that leaked into the text would show up as a
 * foreign token. The placeholders must be exactly $first..$first+n-1, each
 * once, for n string parameters. The JSON evaluator runs on a fixed document
 * and must answer 0 or 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "query/query.h"

static const struct query_enum_value severities[] = {
	{"LOW_VULNERABILITY_SEVERITY", "Low", "LOW"},
	{"MODERATE_VULNERABILITY_SEVERITY", "Moderate", "MODERATE"},
	{"IMPORTANT_VULNERABILITY_SEVERITY", "Important", "IMPORTANT"},
	{"CRITICAL_VULNERABILITY_SEVERITY", "Critical", "CRITICAL"},
};

static const char *const image_aliases[] = {"Image Name", NULL};

static const struct query_field fields[] = {
	{"Image", image_aliases, QUERY_STRING, NULL, 0, 1},
	{"Image Tag", NULL, QUERY_STRING, NULL, 0, 2},
	{"Image Created Time", NULL, QUERY_DATE, NULL, 0, 3},
	{"Image Risk Score", NULL, QUERY_NUMBER, NULL, 0, 4},
	{"Component", NULL, QUERY_STRING, NULL, 0, 5},
	{"CVE", NULL, QUERY_STRING, NULL, 0, 6},
	{"Fixable", NULL, QUERY_BOOL, NULL, 0, 7},
	{"Severity", NULL, QUERY_ENUM, severities, 4, 8},
	{"CVSS", NULL, QUERY_NUMBER, NULL, 0, 9},
};

static const struct query_sql_scope s1 = {"EXISTS (SELECT 1 FROM s1 WHERE %s)", NULL};
static const struct query_sql_scope s2 = {"EXISTS (SELECT 1 FROM s2 WHERE %s)", &s1};

static const struct query_sql_column columns[] = {
	{1, "f1", NULL}, {2, "f2", NULL}, {3, "f3", NULL}, {4, "f4", NULL}, {5, "f5", &s1},
	{6, "f6", &s2},  {7, "f7", &s2},  {8, "f8", &s2},  {9, "f9", &s2},
};
static const struct query_sql_map sql_map = {columns, sizeof(columns) / sizeof(columns[0])};

static const struct query_json_column paths[] = {
	{1, "name"}, {2, "tag"}, {3, "created"}, {4, "risk"}, {5, "components[].name"},
	{6, "components[].vulns[].cve"}, {7, "components[].vulns[].fixable"},
	{8, "components[].vulns[].severity"}, {9, "components[].vulns[].cvss"},
};
static const struct query_json_map json_map = {paths, sizeof(paths) / sizeof(paths[0])};

static const char *const words[] = {
	"AND", "OR", "NOT", "ILIKE", "~*", "IN", "IS", "NULL", "TRUE", "FALSE", "COLLATE", "\"C\"",
	"=", "<", "<=", ">", ">=", "EXISTS", "SELECT", "1", "FROM", "WHERE", "s1", "s2",
	"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9",
};

static json_t *doc;

/* Checks one token; placeholders are recorded in seen[]. */
static void check_token(const char *t, size_t n, long first, size_t count, unsigned char *seen)
{
	static const char *const casts[] = {"", "::numeric", "::boolean", "::timestamptz"};

	if (t[0] == '$') {
		long v = 0;
		size_t i = 1;

		while (i < n && t[i] >= '0' && t[i] <= '9' && i < 8)
			v = v * 10 + (t[i++] - '0');
		if (i == 1 || v < first || v >= first + (long)count || seen[v - first])
			abort();
		seen[v - first] = 1;
		for (size_t c = 0; c < sizeof(casts) / sizeof(casts[0]); c++)
			if (strlen(casts[c]) == n - i && memcmp(t + i, casts[c], n - i) == 0)
				return;
		abort();
	}
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		if (strlen(words[w]) == n && memcmp(t, words[w], n) == 0)
			return;
	abort();
}

static void check_sql(const char *sql, const json_t *params, long first)
{
	size_t count = json_array_size(params), i = 0;
	unsigned char *seen = calloc(count + 1, 1);

	if (!seen)
		abort();
	for (size_t k = 0; k < count; k++)
		if (!json_is_string(json_array_get(params, k)))
			abort();
	while (sql[i]) {
		size_t start;

		if (strchr(" (),", sql[i])) {
			i++;
			continue;
		}
		start = i;
		while (sql[i] && !strchr(" (),", sql[i]))
			i++;
		check_token(sql + start, i - start, first, count, seen);
	}
	for (size_t k = 0; k < count; k++)
		if (!seen[k])
			abort();
	free(seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	struct query *q = (struct query *)&q;
	char *sql = NULL;
	json_t *params = NULL;
	long first = 1 + (long)(size % 64);
	int rc;

	if (size > 2 * QUERY_MAX_TEXT)
		return 0;
	if (!doc) {
		doc = json_loads("{\"name\": \"docker.io/nginx\", \"tag\": \"1.25\", \"created\": "
				 "\"2023-11-01T10:00:00Z\", \"risk\": 7.5, \"components\": [{\"name\": \"café\", "
				 "\"vulns\": [{\"cve\": \"CVE-2021-44228\", \"fixable\": true, \"severity\": "
				 "\"CRITICAL\", \"cvss\": 9.8}, {\"cve\": null}]}, {\"name\": \"zlib\"}]}",
				 0, NULL);
		if (!doc)
			abort();
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = query_parse_at(&q, text, fields, sizeof(fields) / sizeof(fields[0]), 1700000000);
	free(text);
	if (rc != ASEC_OK) {
		if (q != NULL || error_last()[0] == '\0')
			abort();
		return 0;
	}
	if (query_to_sql(&sql, &params, q, (int)first, &sql_map) != ASEC_OK)
		abort();
	check_sql(sql, params, first);
	rc = query_matches(q, doc, &json_map);
	if (rc != 0 && rc != 1)
		abort();
	free(sql);
	json_decref(params);
	query_free(q);
	return 0;
}
