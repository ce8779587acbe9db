/*
 * matcher_fuzz.c - any JSON as an index report's contents, matched against
 * a small fixed data set. The HTTP layer validates bodies against the
 * spec's schema, but the matcher is also fed reports fetched from the
 * indexer and must hold up on its own: no crash, no leak, and always a
 * report whose findings belong to packages of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "matcher.h"

static const char *const records[] = {
	"{\"kind\":\"advisory\",\"id\":\"CVE-2022-2068\",\"aliases\":[\"DSA-5169-1\"],\"normalizedSeverity\":\"UNKNOWN\",\"affected\":["
	"{\"ecosystem\":\"deb\",\"distribution\":\"debian:11\",\"package\":\"openssl\",\"packageKind\":\"source\",\"status\":\"affected\","
	"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1.1.1n-0+deb11u3\"}]},"
	"{\"ecosystem\":\"deb\",\"distribution\":\"debian:10\",\"package\":\"openssl\",\"status\":\"not_affected\"}]}",
	"{\"kind\":\"advisory\",\"id\":\"GHSA-1\",\"aliases\":[\"CVE-2022-2068\"],\"normalizedSeverity\":\"LOW\",\"affected\":["
	"{\"ecosystem\":\"pypi\",\"distribution\":\"\",\"package\":\"a\",\"status\":\"affected\",\"versions\":[\"1.0\"],"
	"\"ranges\":[{\"introduced\":\"0.5\",\"lastAffected\":\"2.0\"}]},"
	"{\"ecosystem\":\"rpm\",\"distribution\":\"rhel:8\",\"package\":\"a\",\"module\":\"a:1\",\"status\":\"affected\","
	"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1:1.0-1\"}]},"
	"{\"ecosystem\":\"golang\",\"distribution\":\"\",\"package\":\"stdlib\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1.20.5\"}]}]}",
	"{\"kind\":\"nvd\",\"id\":\"CVE-2022-2068\",\"cvss\":[{\"version\":\"3.1\",\"vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"score\":9.8}]}",
	"{\"kind\":\"epss\",\"id\":\"CVE-2022-2068\",\"epss\":0.5,\"percentile\":0.9}",
};

static struct vulndata *data_set(void)
{
	static struct vulndata *d;
	struct vulndata_builder *b;
	struct vulndata_source *s;
	size_t i;

	if (d)
		return d;
	if (vulndata_builder_new(&b, "fuzz", "test"))
		abort();
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++)
		if (vulndata_builder_add(b, json_loads(records[i], 0, NULL)))
			abort();
	if (vulndata_builder_finish(&s, b) || vulndata_new(&d, NULL, &s, 1))
		abort();
	vulndata_source_unref(s);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *contents = json_loadb((const char *)data, size, 0, NULL), *report = NULL, *ids;
	const char *pkg;

	if (matcher_report(&report, data_set(), "fuzz", contents) != ASEC_OK)
		abort();
	/* every package with findings is a package of the input */
	json_object_foreach(json_object_get(report, "packageVulnerabilities"), pkg, ids)
		if (!json_object_get(json_object_get(contents, "packages"), pkg))
			abort();
	json_decref(report);
	json_decref(contents);
	return 0;
}
