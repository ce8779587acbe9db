/*
 * cli.h - roxctl's command line: global flags, environment, commands, help
 * and exit codes.
 *
 * Parsing happens in one pass over argv that knows every flag of every
 * command, so flags may stand before or after the command words
 * (`roxctl -e x image scan -i y` and `roxctl image scan -i y -e x`), as in
 * StackRox's cobra-based roxctl; only after the words have named the
 * command is each flag checked to belong to it. Values then come from the
 * flag, else the environment, else the default, and are validated before
 * any request is made, so a usage error (exit 2) never costs a network
 * round trip. The environment is read through a function pointer so that
 * tests can give their own.
 *
 * Secrets (the API token and the admin password) are only copied into
 * struct roxctl_cli, wiped by roxctl_cli_free(), and never appear in a
 * message: a bad or unknown flag is named without its value.
 */
#ifndef ROXCTL_CLI_H
#define ROXCTL_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "check_output.h"
#include "scan_output.h"

/* Exit codes (docs/roxctl.md, `roxctl --help`). */
enum roxctl_exit {
	ROXCTL_EXIT_OK = 0,
	ROXCTL_EXIT_GATE = 1,   /* --fail found vulnerabilities, a check failed, an import was incomplete */
	ROXCTL_EXIT_USAGE = 2,  /* unknown flag or command, missing or bad value */
	ROXCTL_EXIT_AUTH = 3,   /* no credentials, or central refused them (401/403) */
	ROXCTL_EXIT_SERVER = 4, /* central failed, or could not be reached in time */
};

enum roxctl_command {
	ROXCTL_CMD_ROOT,
	ROXCTL_CMD_CENTRAL,
	ROXCTL_CMD_CENTRAL_WHOAMI,
	ROXCTL_CMD_IMAGE,
	ROXCTL_CMD_IMAGE_SCAN,
	ROXCTL_CMD_IMAGE_CHECK,
	ROXCTL_CMD_DEPLOYMENT,
	ROXCTL_CMD_DEPLOYMENT_CHECK,
	ROXCTL_CMD_POLICY,
	ROXCTL_CMD_POLICY_EXPORT,
	ROXCTL_CMD_POLICY_IMPORT,
	ROXCTL_CMD_VERSION,
	ROXCTL_CMD_COUNT,
};

#define ROXCTL_DEFAULT_ENDPOINT "localhost:8443"
#define ROXCTL_DEFAULT_TIMEOUT_MS 60000L
#define ROXCTL_TIMEOUT_MAX_MS (24L * 3600 * 1000)
#define ROXCTL_DEFAULT_RETRIES 3
#define ROXCTL_RETRIES_MAX 100
#define ROXCTL_DEFAULT_RETRY_DELAY_S 3
#define ROXCTL_RETRY_DELAY_MAX_S 3600
/* Largest token file read (a JWT is about 1 KiB). */
#define ROXCTL_TOKEN_FILE_MAX 8192
/* Most YAML files of one deployment check, and the largest of them (what
 * central's DeployYAMLDetectionRequest takes). */
#define ROXCTL_CHECK_FILES_MAX 64
#define ROXCTL_YAML_FILE_MAX ((size_t)1000000)
/* Most policy categories of a check and their longest name, most policy
 * ids of one export and their longest (central's request limits). */
#define ROXCTL_CATEGORIES_MAX 64
#define ROXCTL_CATEGORY_LEN_MAX 128
#define ROXCTL_IDS_MAX 1000
#define ROXCTL_ID_LEN_MAX 128
/* Largest policies file `policy import` reads. */
#define ROXCTL_POLICY_FILE_MAX ((size_t)16 << 20)

struct roxctl_scan_args {
	char *image;
	int force;
	enum scan_format format;
	/* NULL-terminated severity names for scan_output; NULL = all. */
	char **severities;
	int fail;
	int retries;
	long retry_delay_ms;
	int include_snoozed;
};

/* image check and deployment check */
struct roxctl_check_args {
	char *image;       /* image check */
	char **files;      /* deployment check: the YAML files, in order */
	size_t file_count;
	char *namespace;   /* deployment check; NULL: as the YAML says */
	char **categories; /* NULL-terminated; NULL: every category */
	enum check_format format;
	int force;
	int send_notifications; /* image check */
	int retries;
	long retry_delay_ms;
};

/* policy export and policy import */
struct roxctl_policy_args {
	char **ids;  /* export: NULL-terminated policy ids */
	char *output; /* export: file to write; NULL: standard output */
	char *input;  /* import: the file to read */
	int overwrite;
};

struct roxctl_cli {
	enum roxctl_command command; /* as far as the words named one, also after a usage error */
	int help;                    /* -h/--help or `roxctl help ...`: print help, exit 0 */
	char *endpoint_url;          /* "https://host:port" */
	char *endpoint_display;      /* "host:port" */
	char *token;                 /* secret */
	char *password;              /* secret */
	char *ca_file;
	int insecure_skip_verify;
	long timeout_ms;
	int colour; /* stdout is a terminal, no --no-color, no NO_COLOR */
	struct roxctl_scan_args scan;
	struct roxctl_check_args check;
	struct roxctl_policy_args policy;
};

/* Reads one environment variable (getenv, or a test's table). */
typedef const char *(*roxctl_getenv_fn)(const char *name);

/*
 * Parses argv (argv[0] is the program) into cli, which needs no setup and
 * must be given to roxctl_cli_free() afterwards, also after a failure.
 * stdout_tty says whether standard output is a terminal (for colour).
 * Credentials are resolved (the token file read) only for commands that
 * call central. Returns ASEC_OK, ASEC_EINVALID for a usage error (the
 * message in error_last() never holds a secret), ASEC_ENOMEM.
 */
int roxctl_cli_parse(struct roxctl_cli *cli, int argc, char **argv, roxctl_getenv_fn env, int stdout_tty);

/* Wipes the secrets and frees everything cli holds. */
void roxctl_cli_free(struct roxctl_cli *cli);

/* Writes a command's help (usage, flags, global flags, exit codes). */
void roxctl_cli_help(FILE *out, enum roxctl_command command);

/* "roxctl image scan" */
const char *roxctl_cli_command_path(enum roxctl_command command);

/* Go-style durations as -t takes them ("30s", "1m", "500ms", "1m30s",
 * "1.5s", units h m s ms us ns), 1 ms to 24 h, into milliseconds.
 * ASEC_EINVALID otherwise. */
int roxctl_cli_parse_duration(long *ms, const char *text);

struct roxctl_client;

/* A client for central from the parsed flags (client.h); ASEC_EAUTH when
 * there are no credentials, with the message saying how to give them. */
int roxctl_cli_client(struct roxctl_client **out, const struct roxctl_cli *cli);

/* The exit code for a failure code of a command (ASEC_OK: 0, ASEC_EAUTH:
 * 3, anything else: 4). Usage errors never get here. */
int roxctl_exit_code(int rc);

/* The whole program: parses, prints help or errors, runs the command.
 * Returns the exit code. Results go to out, messages to err. */
int roxctl_run(int argc, char **argv, roxctl_getenv_fn env, int stdout_tty, FILE *out, FILE *err);

/* ---- the commands (one file each) ---- */

/* central_whoami.c: GET /v1/auth/status, printed by roxctl_whoami_write. */
int roxctl_central_whoami(const struct roxctl_cli *cli, FILE *out, FILE *err);

/* Prints an AuthStatus in StackRox's layout (UserID, User name, Roles,
 * Access: one "rw"/"r " line per resource the union of the roles grants,
 * sorted; Expires when the status has it). ASEC_EINVALID when status is
 * not an object, ASEC_EIO when writing fails. */
int roxctl_whoami_write(FILE *out, const json_t *status);

/* image_scan.c: POST /v1/images/scan, printed with scan_output_write. */
int roxctl_image_scan(const struct roxctl_cli *cli, FILE *out, FILE *err);

/* The retry notice of every command that retries: one "WARN: attempt n of
 * m failed: ...; retrying in ..." line on ctx (a FILE *, standard error). */
void roxctl_retry_notice(void *ctx, int attempt, int attempts, long wait_ms, const char *why);

/* image_check.c: POST /v1/detect/build, printed with check_output; exit 1
 * when a violated policy has FAIL_BUILD_ENFORCEMENT. */
int roxctl_image_check(const struct roxctl_cli *cli, FILE *out, FILE *err);

/* image_check.c, for both checks: the categories as a JSON list (empty:
 * all categories; NULL: out of memory), and the verdict after the output -
 * the notes of a table and the "failed policies found" line on err.
 * Returns the exit code (0 or 1). */
json_t *roxctl_check_categories_json(char *const *categories);
int roxctl_check_verdict(const struct check_report *report, enum check_format format, FILE *err);

/* deployment_check.c: POST /v1/detect/deploy/yaml once per file, printed
 * with check_output as one report; exit 1 when a violated policy has a
 * deploy-time enforcement. */
int roxctl_deployment_check(const struct roxctl_cli *cli, FILE *out, FILE *err);

/* policy_cmd.c: POST /v1/policies/export, written as {"policies": [...]}. */
int roxctl_policy_export(const struct roxctl_cli *cli, FILE *out, FILE *err);

/* policy_cmd.c: POST /v1/policies/import; one line per policy; exit 1
 * when central did not import them all. */
int roxctl_policy_import(const struct roxctl_cli *cli, FILE *out, FILE *err);

#endif
