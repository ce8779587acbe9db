/*
 * scan_output_fuzz.c - libFuzzer target for scan_output_write() and
 * scan_output_summary().
 *
 * The input is whatever central (or something posing as it) answers to
 * POST /v1/images/scan. The first byte picks the severity filter and
 * colour, the rest is parsed as JSON; every format is then written to
 * memory. Whatever the input: no crash, no leak, SARIF and JSON output that
 * parse back as JSON, a table with no ESC byte unless colour was asked for,
 * and a summary that agrees with the row count the CSV shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error/error.h"
#include "scan_output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *render(const json_t *image, enum scan_format fmt, const struct scan_output_options *opts, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	*rc = scan_output_write(f, image, fmt, opts);
	fclose(f);
	return text;
}

static size_t lines(const char *s)
{
	size_t n = 0;
	int quoted = 0;

	/* CSV records, not lines: a quoted field may hold a newline. */
	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\n' && !quoted)
			n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const filters[4][3] = {
		{"LOW", "CRITICAL", NULL}, {"moderate", NULL, NULL}, {"IMPORTANT", "low", NULL}, {NULL, NULL, NULL},
	};
	struct scan_output_options opts = {0};
	struct scan_summary summary;
	json_t *image, *back;
	char *text;
	int rc, fmt;

	if (size < 1 || size > (1u << 20))
		return 0;
	if ((data[0] & 3) != 3)
		opts.severities = filters[data[0] & 3];
	opts.colour = (data[0] & 4) != 0;
	opts.max_rows = 4096;
	image = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
	if (!image)
		return 0;

	for (fmt = SCAN_FORMAT_TABLE; fmt <= SCAN_FORMAT_SARIF; fmt++) {
		text = render(image, (enum scan_format)fmt, &opts, &rc);
		if (rc == ASEC_OK) {
			if (fmt == SCAN_FORMAT_JSON || fmt == SCAN_FORMAT_SARIF) {
				back = json_loads(text, 0, NULL);
				if (!back)
					abort();
				json_decref(back);
			}
			if (fmt == SCAN_FORMAT_TABLE && !opts.colour && strchr(text, '\x1b'))
				abort();
			if (fmt == SCAN_FORMAT_CSV) {
				if (scan_output_summary(&summary, image, opts.severities) != ASEC_OK)
					abort();
				if (lines(text) != (size_t)summary.rows + 1)
					abort();
			}
		} else if (error_last()[0] == '\0') {
			abort(); /* a refusal must say why */
		}
		free(text);
		error_clear();
	}
	json_decref(image);
	return 0;
}
