/*
 * image_check.c - `roxctl image check`: central evaluates the build-time
 * policies on the image (POST /v1/detect/build), check_output prints the
 * violated policies, and a violated policy with FAIL_BUILD_ENFORCEMENT
 * turns into exit status 1.
 *
 * Making the client, printing and the verdict are check_common.c's, shared
 * with deployment check; this file says what to ask central for an image
 * and how to read the answer.
 */
#include "check_common.h"

#include "error/error.h"

static int image_fill(struct check_report *report, struct roxctl_client *client,
		      const struct roxctl_retry_policy *retry, const struct roxctl_check_args *c, FILE *err)
{
	json_t *request, *answer = NULL;
	int rc;

	(void)err;
	request = json_pack("{s:s, s:o, s:b, s:b}", "imageName", c->image, "policyCategories",
			    roxctl_check_categories_json(c->categories), "force", c->force, "sendNotifications",
			    c->send_notifications);
	if (!request) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	} else {
		rc = roxctl_client_call(&answer, client, "POST", "/v1/detect/build", request, retry);
	}
	if (rc)
		error_prefix("checking image %s", c->image);
	else if ((rc = check_report_add_build(report, answer, c->image)))
		error_prefix("reading central's answer for %s", c->image);
	json_decref(request);
	json_decref(answer);
	return rc;
}

int roxctl_image_check(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	return roxctl_check_run(cli, CHECK_KIND_IMAGE, image_fill, out, err);
}
