/*
 * config.h - a service's settings, from defaults, an optional file and the
 * environment, checked once at start.
 *
 * Each service declares a table of struct config_setting. config_load()
 * layers three sources, later ones winning: the table's defaults, a file of
 * KEY=value lines, the environment. Then every setting is validated against
 * its type, and a service that starts has settings that are all well-formed:
 * the getters below cannot fail on a loaded config and need no checks.
 *
 * An empty value ("ROX_X=" in the environment or the file) counts as not
 * given, so it never hides a default; this is what Kubernetes manifests that
 * template "value: ''" expect. A setting that can be switched off therefore
 * defaults to "" and is switched on by giving it a value.
 *
 * Errors name the setting and say what was expected, and never contain the
 * value of a setting marked secret:
 *   ROX_LISTEN_ADDRESS: "abc" is not host:port (expected e.g. 0.0.0.0:8443)
 *   ROX_DB_POOL_SIZE: 0 is out of range (1..64)
 * When several settings are wrong, all are reported, separated by "; ".
 */
#ifndef ASEC_CONFIG_H
#define ASEC_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_DURATION_MS,
	CONFIG_PATH,
	CONFIG_ENUM,
	CONFIG_LISTEN_ADDRESS,
	CONFIG_URL,
};

struct config_setting {
	const char *name;            /* environment variable and file key, e.g. "ROX_LISTEN_ADDRESS" */
	enum config_type type;
	const char *default_value;   /* NULL: required; "": optional, unset by default */
	const char *description;     /* one sentence for the docs */
	long long min, max;          /* CONFIG_INT / CONFIG_DURATION_MS bounds (ignored when min == max == 0) */
	const char *const *choices;  /* CONFIG_ENUM: NULL-terminated list */
	int secret;                  /* never printed, never logged */
};

struct config;

/* Limits on the file: larger files and longer lines are refused. */
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_LINE_MAX 8192
/* Longest value accepted from the environment. */
#define CONFIG_ENV_VALUE_MAX (64 * 1024)

/*
 * Builds *out from the settings table (which must outlive it), the file (may
 * be NULL) and envp (NULL: environ), then validates every setting. The
 * environment overrides the file, the file overrides defaults. Unknown keys
 * in the file are an error; unknown environment variables are ignored,
 * since services share one environment. Returns ASEC_EINVALID with the
 * message in error_last(), or ASEC_ENOMEM; *out is NULL on failure.
 */
int config_load(struct config **out, const struct config_setting *settings, size_t count, const char *file,
                char *const *envp);

/*
 * The steps of config_load(), for tests and tools. config_new() checks the
 * table itself and applies defaults; nothing is validated until
 * config_validate(), and the getters are meaningful only after it succeeds.
 */
int config_new(struct config **out, const struct config_setting *settings, size_t count);

/*
 * Applies a file's contents: KEY=value lines, '#' comments, blank lines,
 * an optional "export " prefix, values optionally in single quotes (taken
 * literally) or double quotes (where \" \\ \n \t \r are escapes). An
 * unquoted value runs to the end of the line, '#' included; a comment may
 * follow a quoted value. A key given twice, an unknown key, a line longer
 * than CONFIG_LINE_MAX or a control character is an error naming the line;
 * origin (the file name, NULL: "config file") starts each message. On error
 * cfg is unchanged.
 */
int config_parse_file_buffer(struct config *cfg, const char *data, size_t len, const char *origin);

/* Applies the environment (NULL: environ); the first entry for a name wins, as getenv(). */
int config_apply_env(struct config *cfg, char *const *envp);

/* Checks every setting against its type; reports all problems at once. */
int config_validate(struct config *cfg);

/*
 * The value as text (for CONFIG_ENUM, spelled as in choices). NULL if the
 * name is not in the table, or unset with no default.
 */
const char *config_get_string(const struct config *cfg, const char *name);

/* CONFIG_INT, and CONFIG_DURATION_MS in milliseconds; 0 when unset or another type. */
long long config_get_int(const struct config *cfg, const char *name);

/* CONFIG_BOOL: 1 or 0; 0 when unset or another type. */
int config_get_bool(const struct config *cfg, const char *name);

/*
 * CONFIG_LISTEN_ADDRESS: *host is malloc'd for the caller to free, without
 * brackets ("::1"), and "" for ":port" (every interface). ASEC_ENOTFOUND
 * when the name is unknown or the setting unset, ASEC_EINVALID when it is of
 * another type.
 */
int config_get_listen_address(const struct config *cfg, const char *name, char **host, unsigned *port);

/* Where the value came from: "default", "file", "environment" or "unset". */
const char *config_source(const struct config *cfg, const char *name);

/*
 * An object of every setting's value as text, for a start-up log line. A
 * secret that is set shows as "(secret)", an unset setting as null, and
 * credentials inside other values (a URL's password) are masked.
 */
json_t *config_describe(const struct config *cfg);

void config_free(struct config *cfg);

/*
 * Writes a Markdown section documenting the settings: a table of name,
 * type, default ("(required)", "(secret)" for secrets) and description.
 * Returns ASEC_EIO if the stream reports an error.
 */
int config_write_docs(FILE *out, const char *service, const struct config_setting *settings, size_t count);

#endif
