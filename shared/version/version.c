/*
 * version.c - from an ecosystem name, as the indexer reports it, to the
 * comparator that orders its versions.
 */
#include "version/version.h"

#include <string.h>

version_compare_fn version_comparator(const char *ecosystem)
{
	static const struct {
		const char *ecosystem;
		version_compare_fn compare;
	} table[] = {
		{"deb", version_compare_dpkg},
		{"rpm", version_compare_rpm},
		{"apk", version_compare_apk},
		{"npm", version_compare_semver_loose},
		{"cargo", version_compare_semver},
		{"golang", version_compare_gomod},
		{"pypi", version_compare_pep440},
		{"maven", version_compare_maven},
		{"gem", version_compare_rubygems},
		{"nuget", version_compare_nuget},
		{"composer", version_compare_composer},
	};
	size_t i;

	for (i = 0; ecosystem && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].ecosystem, ecosystem) == 0)
			return table[i].compare;
	return NULL;
}
