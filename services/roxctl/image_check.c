/*
 * image_check.c - `roxctl image check`: central evaluates the build-time
 * policies on the image (POST /v1/detect/build), check_output prints the
 * violated policies, and a violated policy with FAIL_BUILD_ENFORCEMENT
 * turns into exit status 1.
 *
 * As with image scan, the result is printed in full before the verdict, so
 * a failing CI job shows why it failed; the verdict is read from the same
 * report the output was made from (check_report_summary), so the table's
 * "BREAKS BUILD" column and the exit status cannot disagree. Standard
 * output holds only the result; the notes StackRox's roxctl prints after a
 * table, the verdict and the retry notices go to standard error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "error/error.h"

json_t *roxctl_check_categories_json(char *const *categories)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list && categories && categories[i]; i++) {
		if (json_array_append_new(list, json_string(categories[i])) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int roxctl_check_verdict(const struct check_report *report, enum check_format format, FILE *err)
{
	struct check_summary sum;

	check_report_summary(&sum, report);
	if (format == CHECK_FORMAT_TABLE)
		check_report_write_notes(err, report);
	if (!sum.failing)
		return ROXCTL_EXIT_OK;
	fprintf(err, "ERROR: failed policies found: %u policies violated that are failing the check\n", sum.failing);
	return ROXCTL_EXIT_GATE;
}

int roxctl_image_check(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	const struct roxctl_check_args *c = &cli->check;
	struct roxctl_retry_policy retry = {
		.retries = c->retries,
		.delay_ms = c->retry_delay_ms,
		.notice = roxctl_retry_notice,
		.ctx = err,
	};
	struct check_output_options opts = {.colour = cli->colour != 0};
	struct roxctl_client *client = NULL;
	struct check_report *report = NULL;
	json_t *request = NULL, *answer = NULL;
	int rc;

	if ((rc = roxctl_cli_client(&client, cli)))
		goto fail;
	request = json_pack("{s:s, s:o, s:b, s:b}", "imageName", c->image, "policyCategories",
			    roxctl_check_categories_json(c->categories), "force", c->force, "sendNotifications",
			    c->send_notifications);
	if (!request) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	if ((rc = roxctl_client_call(&answer, client, "POST", "/v1/detect/build", request, &retry)))
		goto fail;
	if ((rc = check_report_new(&report, CHECK_KIND_IMAGE)) ||
	    (rc = check_report_add_build(report, answer, c->image))) {
		error_prefix("reading central's answer for %s", c->image);
		goto report;
	}
	if ((rc = check_report_write(out, report, c->format, &opts))) {
		error_prefix("printing the check of %s", c->image);
		goto report;
	}
	rc = roxctl_check_verdict(report, c->format, err);
	goto out;
fail:
	error_prefix("checking image %s", c->image);
report:
	fprintf(err, "ERROR: %s\n", error_last());
	rc = roxctl_exit_code(rc);
out:
	check_report_free(report);
	json_decref(request);
	json_decref(answer);
	roxctl_client_free(client);
	return rc;
}
