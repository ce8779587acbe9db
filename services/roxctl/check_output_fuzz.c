/*
 * check_output_fuzz.c - libFuzzer target for check_output: any bytes as
 * central's detection answer, printed in every format.
 *
 * The first byte picks the kind of check (image or deployment) and whether
 * the table is coloured; the rest is parsed as JSON, as roxctl parses what
 * central sends. The report is built from it and written as table, json,
 * junit and SARIF into memory; the JSON and SARIF must parse back, which
 * catches escaping mistakes that would hand a pipeline a broken document.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check_output.h"
#include "error/error.h"

static void write_all(const struct check_report *r, bool colour)
{
	struct check_output_options o = {.colour = colour, .tool_version = "fuzz"};
	int fmt;

	for (fmt = CHECK_FORMAT_TABLE; fmt <= CHECK_FORMAT_SARIF; fmt++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		int rc;

		if (!f)
			return;
		rc = check_report_write(f, r, (enum check_format)fmt, &o);
		fclose(f);
		if (rc == ASEC_OK && (fmt == CHECK_FORMAT_JSON || fmt == CHECK_FORMAT_SARIF)) {
			json_t *back = json_loadb(text, len, 0, NULL);
			if (!back)
				abort(); /* we wrote JSON that does not parse */
			json_decref(back);
		}
		free(text);
	}
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			check_report_write_notes(f, r);
			fclose(f);
		}
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_report *r = NULL;
	enum check_kind kind;
	json_t *answer;
	int rc;

	if (size < 1 || size > (1u << 20))
		return 0;
	kind = data[0] & 1 ? CHECK_KIND_DEPLOYMENT : CHECK_KIND_IMAGE;
	answer = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	if (!answer)
		return 0;
	if (check_report_new(&r, kind) == ASEC_OK) {
		if (kind == CHECK_KIND_IMAGE)
			rc = check_report_add_build(r, answer, "registry:5000/app:1");
		else
			rc = check_report_add_deploy(r, answer, "dir/app.yaml", data[0] & 4 ? "ns" : NULL);
		if (rc == ASEC_OK)
			write_all(r, (data[0] & 2) != 0);
	}
	check_report_free(r);
	json_decref(answer);
	return 0;
}
