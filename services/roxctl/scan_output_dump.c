/*
 * scan_output_dump.c - prints a saved Image JSON the way `roxctl image scan`
 * would, without a server.
 *
 *   scan-output-dump [-o table|json|csv|sarif] [--severity LOW,...] [--colour]
 *                    [--image REF] [--tool-version V] FILE
 *
 * FILE is what central's POST /v1/images/scan returned ("-" reads standard
 * input). tests/sarif/ runs it to get SARIF for the schema check, and the
 * golden files in testdata/ are made with it. Exit status: 0 printed,
 * 1 the output could not be made or written, 2 bad usage or input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error/error.h"
#include "scan_output.h"

/* A scan result is a few MiB at most; refuse anything absurd. */
#define DUMP_MAX_INPUT (64u << 20)
#define DUMP_MAX_SEVERITIES 8

static int usage(void)
{
	fprintf(stderr, "usage: scan-output-dump [-o table|json|csv|sarif] [--severity LOW,MODERATE,IMPORTANT,CRITICAL]\n"
			"                        [--colour] [--image REF] [--tool-version V] FILE\n");
	return 2;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *data = NULL, *grown;
	size_t cap = 0, n = 0, got;

	if (!f) {
		error_set("cannot open %s", path);
		return NULL;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > DUMP_MAX_INPUT + 1)
				cap = DUMP_MAX_INPUT + 1;
			grown = n < cap ? realloc(data, cap) : NULL;
			if (!grown) {
				error_set(n >= DUMP_MAX_INPUT ? "%s is larger than %u bytes" : "out of memory reading %s",
					  path, DUMP_MAX_INPUT);
				free(data);
				data = NULL;
				goto out;
			}
			data = grown;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		error_set("cannot read %s", path);
		free(data);
		data = NULL;
	}
	*len = n;
out:
	if (f != stdin)
		fclose(f);
	return data;
}

int main(int argc, char **argv)
{
	const char *severities[DUMP_MAX_SEVERITIES + 1] = {NULL};
	struct scan_output_options opts = {0};
	enum scan_format fmt = SCAN_FORMAT_TABLE;
	char *severity_list = NULL, *data, *tok, *save = NULL;
	const char *path = NULL;
	json_error_t jerr;
	json_t *image;
	size_t len = 0, nsev = 0;
	int i, rc, status = 0;

	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
			if (scan_output_parse_format(&fmt, argv[++i]) != ASEC_OK) {
				fprintf(stderr, "scan-output-dump: %s\n", error_last());
				return 2;
			}
		} else if (strcmp(argv[i], "--severity") == 0 && i + 1 < argc) {
			severity_list = argv[++i];
		} else if (strcmp(argv[i], "--colour") == 0 || strcmp(argv[i], "--color") == 0) {
			opts.colour = true;
		} else if (strcmp(argv[i], "--image") == 0 && i + 1 < argc) {
			opts.image_ref = argv[++i];
		} else if (strcmp(argv[i], "--tool-version") == 0 && i + 1 < argc) {
			opts.tool_version = argv[++i];
		} else if (!path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
			path = argv[i];
		} else {
			return usage();
		}
	}
	if (!path)
		return usage();
	if (severity_list) {
		for (tok = strtok_r(severity_list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (nsev == DUMP_MAX_SEVERITIES)
				return usage();
			severities[nsev++] = tok;
		}
		opts.severities = severities;
	}

	data = read_all(path, &len);
	if (!data) {
		fprintf(stderr, "scan-output-dump: %s\n", error_last());
		return 2;
	}
	image = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!image) {
		fprintf(stderr, "scan-output-dump: %s:%d: %s\n", path, jerr.line, jerr.text);
		return 2;
	}
	rc = scan_output_write(stdout, image, fmt, &opts);
	if (rc != ASEC_OK) {
		fprintf(stderr, "scan-output-dump: %s\n", error_last());
		status = rc == ASEC_EINVALID || rc == ASEC_ETOOBIG ? 2 : 1;
	}
	json_decref(image);
	return status;
}
