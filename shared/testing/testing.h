/*
 * testing.h - helpers for unit tests (header only; never linked into a service).
 *
 * Large fixtures and feeds live outside the repository, in the shared/
 * folder that sits beside a checkout (../shared/fixtures, ../shared/feeds).
 * A test that needs one calls testing_shared_path(): when the folder is
 * absent the test is skipped with a printed reason (exit 77, which ctest
 * reports as skipped) - except under CI=true, where a missing folder is a
 * failure, so that CI can never pass by skipping. ASEC_SHARED_DIR overrides
 * the location.
 */
#ifndef ASEC_TESTING_H
#define ASEC_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TESTING_SKIP 77

static inline int testing_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

/* Writes <shared dir>/<relative> into buf. Exits the test program (skip, or
 * failure under CI) when it does not exist. */
static inline const char *testing_shared_path(char *buf, size_t size, const char *relative)
{
	const char *dir = getenv("ASEC_SHARED_DIR");
	const char *source = getenv("ASEC_SOURCE_DIR");
	struct stat st;

	if (dir && dir[0])
		snprintf(buf, size, "%s/%s", dir, relative);
	else
		snprintf(buf, size, "%s/../shared/%s", source && source[0] ? source : ".", relative);
	if (stat(buf, &st) != 0) {
		fprintf(stderr, "%s: %s is not there (the shared/ folder beside the checkout)\n",
			testing_in_ci() ? "FAIL" : "SKIP", buf);
		exit(testing_in_ci() ? 1 : TESTING_SKIP);
	}
	return buf;
}

/* Reads a whole file (tests only: no size limit beyond memory). */
static inline unsigned char *testing_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) == (size_t)n) {
			data[n] = '\0';
			*len = (size_t)n;
		} else {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

#endif
