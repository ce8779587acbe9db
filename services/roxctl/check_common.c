/*
 * check_common.c - the one sequence behind `roxctl image check` and
 * `roxctl deployment check` (check_common.h), and the two helpers cli.h
 * names for both checks.
 *
 * Nothing is printed to standard output until central has answered every
 * request: a pipeline never parses half a document. The verdict is read
 * from the very report the output was made from (check_report_summary), so
 * the table's "BREAKS" column and the exit status cannot disagree. Only the
 * result goes to standard output; notes, the verdict and retry notices go
 * to standard error.
 */
#include "check_common.h"

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

int roxctl_check_run(const struct roxctl_cli *cli, enum check_kind kind, roxctl_check_fill_fn fill, FILE *out,
		     FILE *err)
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
	bool image = kind == CHECK_KIND_IMAGE;
	int rc;

	if ((rc = roxctl_cli_client(&client, cli)) || (rc = check_report_new(&report, kind))) {
		if (image)
			error_prefix("checking image %s", c->image);
		else
			error_prefix("deployment check");
		goto fail;
	}
	rc = fill(report, client, &retry, c, err);
	if (rc > 0)
		goto out; /* already reported */
	if (rc)
		goto fail;
	if ((rc = check_report_write(out, report, c->format, &opts))) {
		if (image)
			error_prefix("printing the check of %s", c->image);
		else
			error_prefix("printing the check");
		goto fail;
	}
	rc = roxctl_check_verdict(report, c->format, err);
	goto out;
fail:
	fprintf(err, "ERROR: %s\n", error_last());
	rc = roxctl_exit_code(rc);
out:
	check_report_free(report);
	roxctl_client_free(client);
	return rc;
}
