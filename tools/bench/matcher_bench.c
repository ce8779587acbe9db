/*
 * matcher_bench.c - asec-matcher-bench, the scanner-matcher's in-memory
 * index and matcher timed on real files, for scripts/bench-matcher.
 *
 *   asec-matcher-bench load DIR|FILE...
 *       imports every file (as `scanner-matcher import` would, but into an
 *       in-memory holder only: no store) and prints records, sources,
 *       seconds and peak resident memory.
 *   asec-matcher-bench match DATA_DIR REPORT.json... [--iterations N]
 *       loads DATA_DIR once, then for each index report times N parses of
 *       the report file (json_loadb: the baseline) and N answers to it
 *       (matcher_report plus json_dumps of the result, since a real answer
 *       is serialised), and prints p50/p99 of both and their ratio.
 *
 * Two ideas. Only ratios to a baseline measured in the same process mean
 * something on a noisy machine, so the parse and the match of one report
 * are interleaved iteration by iteration: a burst of noise hits both.
 * And both sides include freeing what they built, since a server pays for
 * that too.
 *
 * Output is one "key=value ..." line per result on stdout, for the script
 * to pick apart; per-source details and errors go to stderr. Exit codes: 0
 * done, 1 a file could not be loaded or matched, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "error/error.h"
#include "importer.h"
#include "matcher.h"
#include "vulndata.h"

#define EXIT_USAGE 2
#define DEFAULT_ITERATIONS 200
#define MAX_ITERATIONS 1000000
/* An index report of tens of thousands of packages is a few tens of MB. */
#define REPORT_MAX_BYTES (512u * 1024 * 1024)
/* Untimed rounds first, so that the allocator and caches are warm. */
#define WARMUP_ROUNDS 5

static const char usage_text[] =
	"usage: asec-matcher-bench load DIR|FILE...\n"
	"       asec-matcher-bench match DATA_DIR REPORT.json... [--iterations N]\n"
	"  load   imports the feeds into memory; prints records, seconds, peak RSS\n"
	"  match  loads DATA_DIR, then times parsing each report against matching it\n"
	"         (default 200 iterations)\n";

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A "Vm...:  123 kB" line of /proc/self/status in KiB, 0 when absent. */
static long bench_status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t n = strlen(field);
	long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kib = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

/* Imports every path into holder; *records and *skipped from the result. */
static int bench_load(size_t *records, size_t *skipped, struct vulndata_holder *holder, char *const *paths,
		      size_t count)
{
	struct import_batch *b = NULL;
	json_t *result = NULL, *src;
	size_t i;
	int rc;

	*records = *skipped = 0;
	if ((rc = import_batch_new(&b)))
		goto out;
	for (i = 0; i < count; i++)
		if ((rc = import_add_path(b, paths[i], NULL)))
			goto out;
	if ((rc = import_commit(&result, b, NULL, holder)))
		goto out;
	*records = (size_t)json_integer_value(json_object_get(result, "accepted"));
	*skipped = (size_t)json_integer_value(json_object_get(result, "skipped"));
	/* the first reason a source's records were skipped says most of why */
	json_array_foreach(json_object_get(result, "sources"), i, src) {
		const json_t *skip = json_array_get(json_object_get(src, "skips"), 0);
		fprintf(stderr, "source %-42s %-12s accepted %7lld skipped %5lld%s%.160s\n",
			json_string_value(json_object_get(src, "name")), json_string_value(json_object_get(src, "format")),
			(long long)json_integer_value(json_object_get(src, "accepted")),
			(long long)json_integer_value(json_object_get(src, "skipped")), skip ? "  first: " : "",
			skip ? json_string_value(json_object_get(skip, "reason")) : "");
	}
out:
	json_decref(result);
	import_batch_free(b);
	return rc;
}

static int bench_cmd_load(char *const *paths, size_t count)
{
	struct vulndata_holder *holder = NULL;
	struct vulndata *d = NULL;
	size_t records, skipped;
	long rss_start = bench_status_kib("VmRSS");
	double t0, t1;
	int rc;

	if ((rc = vulndata_holder_new(&holder)))
		goto out;
	t0 = bench_now();
	rc = bench_load(&records, &skipped, holder, paths, count);
	t1 = bench_now();
	if (rc)
		goto out;
	d = vulndata_holder_get(holder);
	printf("load records=%zu skipped=%zu sources=%zu seconds=%.3f rss_start_kib=%ld rss_kib=%ld peak_rss_kib=%ld\n",
	       records, skipped, vulndata_source_count(d), t1 - t0, rss_start, bench_status_kib("VmRSS"),
	       bench_status_kib("VmHWM"));
out:
	vulndata_unref(d);
	vulndata_holder_free(holder);
	return rc;
}

static int bench_read_file(char **out, size_t *len, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int rc = ASEC_OK;

	*out = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		error_set("%s", strerror(errno));
		rc = ASEC_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("not a regular file");
		rc = ASEC_EINVALID;
		goto out;
	}
	if ((unsigned long long)st.st_size > REPORT_MAX_BYTES) {
		error_set("larger than %u bytes", REPORT_MAX_BYTES);
		rc = ASEC_ETOOBIG;
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)st.st_size) {
		error_set("short read");
		rc = ASEC_EIO;
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int bench_compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted[0..n). */
static double bench_percentile(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* One parse of the report: the baseline. */
static int bench_parse_once(double *seconds, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *doc;
	double t0 = bench_now();

	doc = json_loadb(data, len, 0, &jerr);
	json_decref(doc);
	*seconds = bench_now() - t0;
	if (!doc) {
		error_set("line %d: %s", jerr.line, jerr.text);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* One answer: match, serialise, free. *findings from the result. */
static int bench_match_once(double *seconds, size_t *findings, const struct vulndata *d, const char *hash_id,
			    const json_t *contents)
{
	json_t *report = NULL;
	char *text = NULL;
	double t0 = bench_now();
	int rc;

	if ((rc = matcher_report(&report, d, hash_id, contents)))
		goto out;
	if (!(text = json_dumps(report, JSON_COMPACT))) {
		error_set("out of memory serialising the vulnerability report");
		rc = ASEC_ENOMEM;
		goto out;
	}
	*findings = json_object_size(json_object_get(report, "vulnerabilities"));
out:
	free(text);
	json_decref(report);
	*seconds = bench_now() - t0;
	return rc;
}

static int bench_report(const struct vulndata *d, const char *path, size_t iterations)
{
	char *data = NULL;
	size_t len, i, findings = 0, packages;
	json_t *doc = NULL;
	const json_t *contents;
	const char *hash_id;
	double *parse = NULL, *match = NULL, ignored;
	double parse_p50, parse_p99, match_p50, match_p99;
	json_error_t jerr;
	int rc;

	if ((rc = bench_read_file(&data, &len, path)))
		goto out;
	if (!(doc = json_loadb(data, len, 0, &jerr))) {
		error_set("line %d: %s", jerr.line, jerr.text);
		rc = ASEC_EINVALID;
		goto out;
	}
	/* An IndexReport carries its contents in "contents"; a bare contents
	 * object is taken as it is. */
	contents = json_is_object(json_object_get(doc, "contents")) ? json_object_get(doc, "contents") : doc;
	if (!json_is_object(json_object_get(contents, "packages"))) {
		error_set("no \"packages\" object: not an index report");
		rc = ASEC_EINVALID;
		goto out;
	}
	packages = json_object_size(json_object_get(contents, "packages"));
	hash_id = json_string_value(json_object_get(doc, "hashId")) ?: "sha256:bench";
	if (!(parse = calloc(iterations, sizeof(*parse))) || !(match = calloc(iterations, sizeof(*match)))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < WARMUP_ROUNDS; i++)
		if ((rc = bench_parse_once(&ignored, data, len)) ||
		    (rc = bench_match_once(&ignored, &findings, d, hash_id, contents)))
			goto out;
	for (i = 0; i < iterations; i++)
		if ((rc = bench_parse_once(&parse[i], data, len)) ||
		    (rc = bench_match_once(&match[i], &findings, d, hash_id, contents)))
			goto out;
	qsort(parse, iterations, sizeof(*parse), bench_compare_doubles);
	qsort(match, iterations, sizeof(*match), bench_compare_doubles);
	parse_p50 = bench_percentile(parse, iterations, 50) * 1e3;
	parse_p99 = bench_percentile(parse, iterations, 99) * 1e3;
	match_p50 = bench_percentile(match, iterations, 50) * 1e3;
	match_p99 = bench_percentile(match, iterations, 99) * 1e3;
	printf("report file=%s bytes=%zu packages=%zu findings=%zu iterations=%zu parse_p50_ms=%.3f parse_p99_ms=%.3f "
	       "match_p50_ms=%.3f match_p99_ms=%.3f ratio_p50=%.2f ratio_p99=%.2f\n",
	       path, len, packages, findings, iterations, parse_p50, parse_p99, match_p50, match_p99,
	       parse_p50 > 0 ? match_p50 / parse_p50 : 0.0, parse_p99 > 0 ? match_p99 / parse_p99 : 0.0);
	fflush(stdout);
out:
	free(parse);
	free(match);
	json_decref(doc);
	free(data);
	if (rc)
		error_prefix("%s", path);
	return rc;
}

static int bench_cmd_match(const char *data_dir, char *const *reports, size_t count, size_t iterations)
{
	struct vulndata_holder *holder = NULL;
	struct vulndata *d = NULL;
	char *paths[1] = {(char *)data_dir};
	size_t records, skipped, i;
	double t0, t1;
	int rc;

	if ((rc = vulndata_holder_new(&holder)))
		goto out;
	t0 = bench_now();
	if ((rc = bench_load(&records, &skipped, holder, paths, 1)))
		goto out;
	t1 = bench_now();
	d = vulndata_holder_get(holder);
	printf("load records=%zu skipped=%zu sources=%zu seconds=%.3f peak_rss_kib=%ld\n", records, skipped,
	       vulndata_source_count(d), t1 - t0, bench_status_kib("VmHWM"));
	fflush(stdout);
	for (i = 0; i < count; i++)
		if ((rc = bench_report(d, reports[i], iterations)))
			goto out;
	printf("done peak_rss_kib=%ld\n", bench_status_kib("VmHWM"));
out:
	vulndata_unref(d);
	vulndata_holder_free(holder);
	return rc;
}

/* Strictly a decimal number in [1, MAX_ITERATIONS]. */
static int bench_parse_iterations(size_t *out, const char *text)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < 1 || v > MAX_ITERATIONS)
		return ASEC_EINVALID;
	*out = (size_t)v;
	return ASEC_OK;
}

int main(int argc, char **argv)
{
	char **args = NULL;
	size_t n = 0, iterations = DEFAULT_ITERATIONS;
	int i, rc = 0, status = EXIT_USAGE;

	if (argc < 3 || (strcmp(argv[1], "load") != 0 && strcmp(argv[1], "match") != 0))
		goto usage;
	if (!(args = calloc((size_t)argc, sizeof(*args)))) {
		fprintf(stderr, "asec-matcher-bench: out of memory\n");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--iterations") == 0) {
			if (i + 1 >= argc || bench_parse_iterations(&iterations, argv[i + 1]))
				goto usage;
			i++;
		} else {
			args[n++] = argv[i];
		}
	}
	if (strcmp(argv[1], "load") == 0) {
		if (n < 1)
			goto usage;
		rc = bench_cmd_load(args, n);
	} else {
		if (n < 2)
			goto usage;
		rc = bench_cmd_match(args[0], args + 1, n - 1, iterations);
	}
	if (rc) {
		fprintf(stderr, "asec-matcher-bench: %s (%s)\n", error_last(), error_code_name(rc));
		status = 1;
	} else {
		status = 0;
	}
	free(args);
	return status;
usage:
	free(args);
	fputs(usage_text, stderr);
	return status;
}
