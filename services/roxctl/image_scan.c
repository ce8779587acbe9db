/*
 * image_scan.c - `roxctl image scan`: central scans the image (POST
 * /v1/images/scan), scan_output prints it, and --fail turns findings into
 * exit status 1.
 *
 * The order is fixed on purpose: the results are printed in full before
 * the gate is judged, so that a failing CI job still shows what failed it,
 * and the gate uses scan_output_summary() with the same severity filter as
 * the output, so the count in the reason line is the count in the table.
 * Each retry is announced on stderr (stdout holds only the result, which
 * may be JSON or SARIF that a pipeline parses).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "error/error.h"

static void retry_notice(void *ctx, int attempt, int attempts, long wait_ms, const char *why)
{
	FILE *err = ctx;

	if (wait_ms % 1000 == 0)
		fprintf(err, "WARN: attempt %d of %d failed: %s; retrying in %ld s\n", attempt, attempts, why,
			wait_ms / 1000);
	else
		fprintf(err, "WARN: attempt %d of %d failed: %s; retrying in %ld ms\n", attempt, attempts, why, wait_ms);
}

int roxctl_image_scan(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	const struct roxctl_scan_args *s = &cli->scan;
	const char *const *severities = (const char *const *)s->severities;
	struct roxctl_retry_policy retry = {
		.retries = s->retries,
		.delay_ms = s->retry_delay_ms,
		.notice = retry_notice,
		.ctx = err,
	};
	struct scan_output_options opts = {
		.severities = severities,
		.colour = cli->colour != 0,
		.image_ref = s->image,
	};
	struct roxctl_client *client = NULL;
	struct scan_summary sum;
	json_t *request = NULL, *image = NULL;
	int rc;

	if ((rc = roxctl_cli_client(&client, cli)))
		goto fail;
	request = json_pack("{s:s, s:b, s:b}", "imageName", s->image, "force", s->force, "includeSnoozed",
			    s->include_snoozed);
	if (!request) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	if ((rc = roxctl_client_call(&image, client, "POST", "/v1/images/scan", request, &retry)))
		goto fail;
	if ((rc = scan_output_write(out, image, s->format, &opts))) {
		error_prefix("printing the scan of %s", s->image);
		goto report;
	}
	if (fflush(out) != 0) {
		error_set("writing the scan of %s failed", s->image);
		rc = ASEC_EIO;
		goto report;
	}
	if (s->fail) {
		if ((rc = scan_output_summary(&sum, image, severities))) {
			error_prefix("counting the findings of %s", s->image);
			goto report;
		}
		if (sum.total_vulnerabilities > 0) {
			fprintf(err,
				"ERROR: --fail: %u vulnerabilities found in %s (CRITICAL: %u, IMPORTANT: %u, "
				"MODERATE: %u, LOW: %u)\n",
				sum.total_vulnerabilities, s->image, sum.by_severity[SCAN_SEVERITY_CRITICAL],
				sum.by_severity[SCAN_SEVERITY_IMPORTANT], sum.by_severity[SCAN_SEVERITY_MODERATE],
				sum.by_severity[SCAN_SEVERITY_LOW]);
			rc = ROXCTL_EXIT_GATE;
			goto out;
		}
	}
	rc = ROXCTL_EXIT_OK;
	goto out;
fail:
	error_prefix("scanning image %s", s->image);
report:
	fprintf(err, "ERROR: %s\n", error_last());
	rc = roxctl_exit_code(rc);
out:
	json_decref(request);
	json_decref(image);
	roxctl_client_free(client);
	return rc;
}
