/*
 * check_output_dump.c - prints a saved answer of central's detection API
 * the way `roxctl image check` or `roxctl deployment check` would, without
 * a server.
 *
 *   check-output-dump image|deployment [-o table|json|junit|sarif]
 *                     [--name REF] [--tool-version V] [--colour] FILE
 *
 * FILE holds what POST /v1/detect/build (image) or POST
 * /v1/detect/deploy/yaml (deployment) returned. --name is the image the
 * user named, or the YAML file (the SARIF artifact); default: FILE.
 * tests/sarif/ runs it for the schema check of the check SARIF, and the
 * golden files in testdata/ are made with it. Exit status: 0 printed,
 * 1 the output could not be made or written, 2 bad usage or input; the
 * check's own verdict is not the exit status (roxctl decides that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check_output.h"
#include "error/error.h"

static int usage(void)
{
	fprintf(stderr, "usage: check-output-dump image|deployment [-o table|json|junit|sarif] [--name REF]\n"
			"                         [--tool-version V] [--colour] FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct check_output_options opts = {0};
	enum check_format fmt = CHECK_FORMAT_TABLE;
	enum check_kind kind;
	struct check_report *report = NULL;
	const char *path = NULL, *name = NULL;
	json_error_t jerr;
	json_t *answer;
	int i, rc, status = 0;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "image") == 0)
		kind = CHECK_KIND_IMAGE;
	else if (strcmp(argv[1], "deployment") == 0)
		kind = CHECK_KIND_DEPLOYMENT;
	else
		return usage();
	for (i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
			if (check_output_parse_format(&fmt, argv[++i]) != ASEC_OK) {
				fprintf(stderr, "check-output-dump: %s\n", error_last());
				return 2;
			}
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
		} else if (strcmp(argv[i], "--tool-version") == 0 && i + 1 < argc) {
			opts.tool_version = argv[++i];
		} else if (strcmp(argv[i], "--colour") == 0 || strcmp(argv[i], "--color") == 0) {
			opts.colour = true;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			return usage();
		}
	}
	if (!path)
		return usage();
	/* A detection answer is small; jansson reads the file itself. */
	answer = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!answer) {
		fprintf(stderr, "check-output-dump: %s:%d: %s\n", path, jerr.line, jerr.text);
		return 2;
	}
	if ((rc = check_report_new(&report, kind)))
		goto out;
	if (kind == CHECK_KIND_IMAGE)
		rc = check_report_add_build(report, answer, name ? name : path);
	else
		rc = check_report_add_deploy(report, answer, name ? name : path, NULL);
	if (rc == ASEC_OK)
		rc = check_report_write(stdout, report, fmt, &opts);
out:
	if (rc != ASEC_OK) {
		fprintf(stderr, "check-output-dump: %s\n", error_last());
		status = rc == ASEC_EINVALID || rc == ASEC_ETOOBIG ? 2 : 1;
	}
	check_report_free(report);
	json_decref(answer);
	return status;
}
