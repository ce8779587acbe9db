/*
 * check_common.h - what `roxctl image check` and `roxctl deployment check`
 * do alike: make the client and the report, let the command fill the
 * report from central, print it in the chosen format, and turn it into the
 * exit status. image_check.c and deployment_check.c only say what to ask
 * central and how to read its answer.
 */
#ifndef ASEC_ROXCTL_CHECK_COMMON_H
#define ASEC_ROXCTL_CHECK_COMMON_H

#include <stdio.h>

#include "check_output.h"
#include "cli.h"
#include "client.h"

/*
 * Asks central about what the check's arguments name and adds the answers
 * to report, with client and retry (notices go to err, as may other notes
 * for the user). Returns ASEC_OK; a negative ASEC_E* code with the error
 * text set, prefixed with what was being checked; or a positive
 * ROXCTL_EXIT_* status for a failure it has already reported on err.
 */
typedef int (*roxctl_check_fill_fn)(struct check_report *report, struct roxctl_client *client,
				    const struct roxctl_retry_policy *retry, const struct roxctl_check_args *args,
				    FILE *err);

/*
 * Runs a check of this kind: the report goes to out in cli->check.format,
 * then the notes and verdict of roxctl_check_verdict() to err; errors go
 * to err as "ERROR: ..." lines. Returns the ROXCTL_EXIT_* status.
 */
int roxctl_check_run(const struct roxctl_cli *cli, enum check_kind kind, roxctl_check_fill_fn fill, FILE *out,
		     FILE *err);

#endif
