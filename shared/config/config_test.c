/*
 * config_test.c - layering (defaults < file < environment), the file syntax
 * and its limits, validation of every type with the exact messages a user
 * sees, secrets kept out of those messages, and the generated docs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "error/error.h"

static const char *const levels[] = { "debug", "info", "warn", "error", NULL };

static const struct config_setting base[] = {
	{ "ROX_LISTEN_ADDRESS", CONFIG_LISTEN_ADDRESS, "0.0.0.0:8443", "Address the API listens on.", 0, 0, NULL, 0 },
	{ "ROX_DB_POOL_SIZE", CONFIG_INT, "10", "Database connections kept open.", 1, 64, NULL, 0 },
	{ "ROX_LOG_LEVEL", CONFIG_ENUM, "info", "Least severe level logged.", 0, 0, levels, 0 },
	{ "ROX_SCAN_TIMEOUT", CONFIG_DURATION_MS, "30s", "How long one scan may take.", 100, 3600000, NULL, 0 },
	{ "ROX_OFFLINE", CONFIG_BOOL, "false", "Never reach the internet.", 0, 0, NULL, 0 },
	{ "ROX_CENTRAL_URL", CONFIG_URL, "", "Where Central is.", 0, 0, NULL, 0 },
	{ "ROX_DB_URL", CONFIG_URL, "", "Database connection URL.", 0, 0, NULL, 1 },
	{ "ROX_TLS_CA", CONFIG_PATH, "", "CA bundle | PEM.", 0, 0, NULL, 0 },
	{ "ROX_CLUSTER_NAME", CONFIG_STRING, "default", "Name shown in the UI.", 0, 0, NULL, 0 },
	{ "ROX_DB_PASSWORD", CONFIG_STRING, "", "Database password.", 0, 0, NULL, 1 },
	{ "ROX_RETRIES", CONFIG_INT, "3", "Retries; negative means forever.", 0, 0, NULL, 0 },
	{ "ROX_PIN", CONFIG_INT, "", "A secret number.", 1000, 9999, NULL, 1 },
};
#define BASE_COUNT (sizeof(base) / sizeof(base[0]))

static char *no_env[] = { NULL };

/* Loads base with the given file contents (NULL: no file) and environment. */
static int load(struct config **cfg, const char *file_text, char **envp)
{
	int rc = config_new(cfg, base, BASE_COUNT);

	if (rc)
		return rc;
	if (file_text) {
		rc = config_parse_file_buffer(*cfg, file_text, strlen(file_text), "test.conf");
		if (rc)
			return rc;
	}
	rc = config_apply_env(*cfg, envp ? envp : no_env);
	if (rc)
		return rc;
	return config_validate(*cfg);
}

/* Loading with one variable set must fail with exactly this message. */
static void expect_env_error(const char *entry, const char *message)
{
	char *env[] = { (char *)entry, NULL };
	struct config *cfg = NULL;

	assert_int_equal(load(&cfg, NULL, env), ASEC_EINVALID);
	if (strcmp(error_last(), message) != 0)
		fail_msg("for %s\n  got:  %s\n  want: %s", entry, error_last(), message);
	config_free(cfg);
}

static void expect_file_error(const char *text, size_t len, const char *message)
{
	struct config *cfg = NULL;

	assert_int_equal(config_new(&cfg, base, BASE_COUNT), ASEC_OK);
	assert_int_equal(config_parse_file_buffer(cfg, text, len, "test.conf"), ASEC_EINVALID);
	if (strcmp(error_last(), message) != 0)
		fail_msg("got:  %s\nwant: %s", error_last(), message);
	/* A refused file changes nothing. */
	assert_int_equal(config_validate(cfg), ASEC_OK);
	assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), 10);
	assert_string_equal(config_get_string(cfg, "ROX_LOG_LEVEL"), "info");
	config_free(cfg);
}

static char *temp_file(const char *contents)
{
	char *path = strdup("/tmp/config_test_XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, contents, strlen(contents)), (ssize_t)strlen(contents));
	close(fd);
	return path;
}

/* ---- layering ----------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct config *cfg = NULL;
	char *host = NULL;
	unsigned port = 0;

	(void)state;
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, NULL, no_env), ASEC_OK);
	assert_int_equal(config_get_listen_address(cfg, "ROX_LISTEN_ADDRESS", &host, &port), ASEC_OK);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 8443);
	free(host);
	assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), 10);
	assert_string_equal(config_get_string(cfg, "ROX_LOG_LEVEL"), "info");
	assert_int_equal(config_get_int(cfg, "ROX_SCAN_TIMEOUT"), 30000);
	assert_int_equal(config_get_bool(cfg, "ROX_OFFLINE"), 0);
	assert_int_equal(config_get_int(cfg, "ROX_RETRIES"), 3);
	assert_string_equal(config_get_string(cfg, "ROX_CLUSTER_NAME"), "default");
	assert_string_equal(config_source(cfg, "ROX_CLUSTER_NAME"), "default");
	/* Optional settings without a default read as empty. */
	assert_string_equal(config_get_string(cfg, "ROX_CENTRAL_URL"), "");
	assert_string_equal(config_source(cfg, "ROX_CENTRAL_URL"), "unset");
	assert_int_equal(config_get_int(cfg, "ROX_PIN"), 0);
	/* Unknown names and wrong types read as nothing. */
	assert_null(config_get_string(cfg, "ROX_NOPE"));
	assert_int_equal(config_get_int(cfg, "ROX_NOPE"), 0);
	assert_int_equal(config_get_int(cfg, "ROX_CLUSTER_NAME"), 0);
	assert_int_equal(config_get_bool(cfg, "ROX_DB_POOL_SIZE"), 0);
	assert_int_equal(config_get_listen_address(cfg, "ROX_DB_POOL_SIZE", &host, &port), ASEC_EINVALID);
	assert_null(host);
	assert_int_equal(config_get_listen_address(cfg, "ROX_NOPE", &host, &port), ASEC_ENOTFOUND);
	config_free(cfg);
}

static void test_environment_over_file_over_default(void **state)
{
	char *path = temp_file("ROX_DB_POOL_SIZE=20\nROX_LOG_LEVEL=debug\nROX_CLUSTER_NAME=from-file\n");
	char *env[] = {
		"PATH=/usr/bin", "ROX_DB_POOL_SIZE=30",
		"ROX_SOMETHING_ELSE=for another service", /* unknown ROX_* is not an error */
		"ROX_OFFLINE=yes", "ROX_OFFLINE=no",      /* the first one wins, as getenv() */
		"ROX_CLUSTER_NAME=",                      /* empty: does not hide the file's value */
		"NOEQUALS", "=odd", NULL,
	};
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, path, env), ASEC_OK);
	assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), 30);
	assert_string_equal(config_source(cfg, "ROX_DB_POOL_SIZE"), "environment");
	assert_string_equal(config_get_string(cfg, "ROX_LOG_LEVEL"), "debug");
	assert_string_equal(config_source(cfg, "ROX_LOG_LEVEL"), "file");
	assert_string_equal(config_get_string(cfg, "ROX_CLUSTER_NAME"), "from-file");
	assert_int_equal(config_get_bool(cfg, "ROX_OFFLINE"), 1);
	assert_int_equal(config_get_int(cfg, "ROX_SCAN_TIMEOUT"), 30000);
	assert_string_equal(config_source(cfg, "ROX_SCAN_TIMEOUT"), "default");
	config_free(cfg);
	unlink(path);
	free(path);
}

static void test_null_envp_reads_environ(void **state)
{
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(setenv("ROX_CLUSTER_NAME", "from-environ", 1), 0);
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, NULL, NULL), ASEC_OK);
	assert_string_equal(config_get_string(cfg, "ROX_CLUSTER_NAME"), "from-environ");
	config_free(cfg);
	unsetenv("ROX_CLUSTER_NAME");
}

static void test_empty_file_value_keeps_default(void **state)
{
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load(&cfg, "ROX_DB_POOL_SIZE=\nROX_CLUSTER_NAME=''\n", NULL), ASEC_OK);
	assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), 10);
	assert_string_equal(config_get_string(cfg, "ROX_CLUSTER_NAME"), "default");
	config_free(cfg);
}

static void test_env_value_too_long(void **state)
{
	size_t n = CONFIG_ENV_VALUE_MAX + 1;
	char *entry = malloc(strlen("ROX_CLUSTER_NAME=") + n + 1);
	char *env[] = { entry, NULL };
	struct config *cfg = NULL;

	(void)state;
	assert_non_null(entry);
	strcpy(entry, "ROX_CLUSTER_NAME=");
	memset(entry + strlen(entry), 'x', n);
	entry[strlen("ROX_CLUSTER_NAME=") + n] = '\0';
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, NULL, env), ASEC_EINVALID);
	assert_null(cfg);
	assert_string_equal(error_last(), "ROX_CLUSTER_NAME: value is longer than 65536 bytes");
	/* One byte less is fine. */
	entry[strlen(entry) - 1] = '\0';
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, NULL, env), ASEC_OK);
	assert_int_equal(strlen(config_get_string(cfg, "ROX_CLUSTER_NAME")), CONFIG_ENV_VALUE_MAX);
	config_free(cfg);
	free(entry);
}

/* ---- the file ---------------------------------------------------------- */

static void test_file_syntax(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# a comment\r\n"
		"\r\n"
		"   # indented comment\n"
		"export ROX_DB_POOL_SIZE=12\n"
		"ROX_LOG_LEVEL = WARN\n"
		"ROX_CLUSTER_NAME='prod # east  '  # comment after a quote\n"
		"ROX_DB_PASSWORD=\"p\\\"w\\\\d\\n\\x\" \n"
		"\tROX_CENTRAL_URL=https://central.example.com:8443/api#frag \t\n"
		"ROX_SCAN_TIMEOUT=\"5m\"\r\n"
		"ROX_OFFLINE=on"; /* no final newline */
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load(&cfg, text, NULL), ASEC_OK);
	assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), 12);
	/* An enum is handed out spelled as in the table. */
	assert_string_equal(config_get_string(cfg, "ROX_LOG_LEVEL"), "warn");
	assert_string_equal(config_get_string(cfg, "ROX_CLUSTER_NAME"), "prod # east  ");
	assert_string_equal(config_get_string(cfg, "ROX_DB_PASSWORD"), "p\"w\\d\n\\x");
	/* Unquoted: to the end of the line, '#' included, trailing blanks trimmed. */
	assert_string_equal(config_get_string(cfg, "ROX_CENTRAL_URL"), "https://central.example.com:8443/api#frag");
	assert_int_equal(config_get_int(cfg, "ROX_SCAN_TIMEOUT"), 300000);
	assert_int_equal(config_get_bool(cfg, "ROX_OFFLINE"), 1);
	config_free(cfg);
}

static void test_empty_file(void **state)
{
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(config_new(&cfg, base, BASE_COUNT), ASEC_OK);
	assert_int_equal(config_parse_file_buffer(cfg, "", 0, NULL), ASEC_OK);
	assert_int_equal(config_parse_file_buffer(cfg, NULL, 0, NULL), ASEC_OK);
	assert_int_equal(config_parse_file_buffer(cfg, "\n\n# only comments\n", 18, NULL), ASEC_OK);
	config_free(cfg);
}

static void test_file_errors(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "ROX_DB_POOL_SIZE=5\n\nROX_LOG_LEVL=debug\n",
		  "test.conf:3: unknown setting \"ROX_LOG_LEVL\" (did you mean ROX_LOG_LEVEL?)" },
		{ "rox_log_level=debug", "test.conf:1: unknown setting \"rox_log_level\" (did you mean ROX_LOG_LEVEL?)" },
		{ "ROX_TOTALLY_UNRELATED=1", "test.conf:1: unknown setting \"ROX_TOTALLY_UNRELATED\"" },
		{ "# c\nROX_DB_POOL_SIZE=5\nROX_OFFLINE=1\nROX_DB_POOL_SIZE=6\n",
		  "test.conf:4: ROX_DB_POOL_SIZE is already set on line 2" },
		{ "ROX_DB_POOL_SIZE 5", "test.conf:1: ROX_DB_POOL_SIZE: expected KEY=value" },
		{ "ROX_DB_POOL_SIZE", "test.conf:1: ROX_DB_POOL_SIZE: expected KEY=value" },
		{ "=5", "test.conf:1: expected KEY=value" },
		{ "export", "test.conf:1: export: expected KEY=value" },
		{ "1ROX=5", "test.conf:1: expected KEY=value" },
		{ "ROX_DB_PASSWORD=\"hunter2", "test.conf:1: ROX_DB_PASSWORD: unterminated double quote" },
		{ "ROX_DB_PASSWORD='hunter2", "test.conf:1: ROX_DB_PASSWORD: unterminated single quote" },
		{ "ROX_DB_PASSWORD='hunter2' trailing", "test.conf:1: ROX_DB_PASSWORD: unexpected text after the closing quote" },
		{ "ROX_CLUSTER_NAME=a\x1b[31m", "test.conf:1: contains a control character (0x1b)" },
		{ "ROX_CLUSTER_NAME=a\rb\n", "test.conf:1: contains a control character (0x0d)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_file_error(cases[i].text, strlen(cases[i].text), cases[i].message);
	/* A NUL byte inside the buffer. */
	static const char with_nul[] = "ROX_OFFLINE=1\nROX_CLUSTER_NAME=a\0b\n";

	expect_file_error(with_nul, sizeof(with_nul) - 1, "test.conf:2: contains a control character (0x00)");
}

static void test_file_limits(void **state)
{
	char *text = malloc(CONFIG_FILE_MAX + 2);
	struct config *cfg = NULL;
	size_t i;

	(void)state;
	assert_non_null(text);
	/* Line 2 exactly CONFIG_LINE_MAX bytes long is accepted ... */
	strcpy(text, "# first\nROX_CLUSTER_NAME=");
	memset(text + strlen(text), 'n', CONFIG_LINE_MAX - strlen("ROX_CLUSTER_NAME="));
	strcpy(text + strlen("# first\n") + CONFIG_LINE_MAX, "\r\n");
	assert_int_equal(load(&cfg, text, NULL), ASEC_OK);
	assert_int_equal(strlen(config_get_string(cfg, "ROX_CLUSTER_NAME")),
	                 CONFIG_LINE_MAX - strlen("ROX_CLUSTER_NAME="));
	config_free(cfg);
	cfg = NULL;

	/* ... one byte more is not, and the message names the line. */
	strcpy(text, "# first\nROX_CLUSTER_NAME=");
	memset(text + strlen(text), 'n', CONFIG_LINE_MAX + 1 - strlen("ROX_CLUSTER_NAME="));
	text[strlen("# first\n") + CONFIG_LINE_MAX + 1] = '\0';
	assert_int_equal(strlen(text), strlen("# first\n") + CONFIG_LINE_MAX + 1);
	expect_file_error(text, strlen(text), "test.conf:2: line is longer than 8192 bytes");

	/* A file of exactly 1 MiB of comments is fine; one byte more is refused. */
	for (i = 0; i < CONFIG_FILE_MAX; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	assert_int_equal(config_new(&cfg, base, BASE_COUNT), ASEC_OK);
	assert_int_equal(config_parse_file_buffer(cfg, text, CONFIG_FILE_MAX, "big.conf"), ASEC_OK);
	text[CONFIG_FILE_MAX] = '\n';
	assert_int_equal(config_parse_file_buffer(cfg, text, CONFIG_FILE_MAX + 1, "big.conf"), ASEC_EINVALID);
	assert_string_equal(error_last(), "big.conf: file is larger than 1 MiB (1048577 bytes)");
	config_free(cfg);
	free(text);
}

static void test_load_file_errors(void **state)
{
	struct config *cfg = (struct config *)1;
	char *path, *big;
	char msg[512];
	FILE *f;
	size_t i;

	(void)state;
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, "/nonexistent/rox.conf", no_env), ASEC_EINVALID);
	assert_null(cfg);
	assert_string_equal(error_last(), "/nonexistent/rox.conf: cannot open: No such file or directory");

	assert_int_equal(config_load(&cfg, base, BASE_COUNT, "/tmp", no_env), ASEC_EINVALID);
	assert_string_equal(error_last(), "/tmp: not a regular file");

	path = temp_file("ROX_DB_POOL_SIZE=5\nROX_BOGUS=1\n");
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, path, no_env), ASEC_EINVALID);
	snprintf(msg, sizeof(msg), "%s:2: unknown setting \"ROX_BOGUS\"", path);
	assert_string_equal(error_last(), msg);
	unlink(path);
	free(path);

	path = temp_file("");
	f = fopen(path, "w");
	assert_non_null(f);
	big = malloc(1024);
	assert_non_null(big);
	memset(big, '#', 1023);
	big[1023] = '\n';
	for (i = 0; i <= 1024; i++)
		assert_int_equal(fwrite(big, 1, 1024, f), 1024);
	fclose(f);
	assert_int_equal(config_load(&cfg, base, BASE_COUNT, path, no_env), ASEC_EINVALID);
	snprintf(msg, sizeof(msg), "%s: file is larger than 1 MiB (1049600 bytes)", path);
	assert_string_equal(error_last(), msg);
	unlink(path);
	free(path);
	free(big);
}

/* ---- validation ------------------------------------------------------- */

static void test_messages_from_the_brief(void **state)
{
	static const char *const tls_levels[] = { "debug", "info", "warn", "error", NULL };
	static const struct config_setting tls[] = {
		{ "ROX_TLS_CERT", CONFIG_PATH, NULL, "Server certificate.", 0, 0, NULL, 0 },
		{ "ROX_LOG_LEVEL", CONFIG_ENUM, "info", "Level.", 0, 0, tls_levels, 0 },
	};
	struct config *cfg = NULL;
	char *env[] = { "ROX_LOG_LEVEL=loud", NULL };

	(void)state;
	expect_env_error("ROX_LISTEN_ADDRESS=abc", "ROX_LISTEN_ADDRESS: \"abc\" is not host:port (expected e.g. 0.0.0.0:8443)");
	expect_env_error("ROX_DB_POOL_SIZE=0", "ROX_DB_POOL_SIZE: 0 is out of range (1..64)");
	expect_env_error("ROX_LOG_LEVEL=loud", "ROX_LOG_LEVEL: \"loud\" is not one of debug, info, warn, error");

	assert_int_equal(config_load(&cfg, tls, 2, NULL, no_env), ASEC_EINVALID);
	assert_string_equal(error_last(), "ROX_TLS_CERT: required but not set");
	/* Every problem is reported, not just the first. */
	assert_int_equal(config_load(&cfg, tls, 2, NULL, env), ASEC_EINVALID);
	assert_string_equal(error_last(), "ROX_TLS_CERT: required but not set; "
	                                  "ROX_LOG_LEVEL: \"loud\" is not one of debug, info, warn, error");
	assert_null(cfg);
}

static void test_integers(void **state)
{
	static const char *const good[] = { "ROX_DB_POOL_SIZE=1", "ROX_DB_POOL_SIZE=64", "ROX_DB_POOL_SIZE=+7",
		                            "ROX_DB_POOL_SIZE=007" };
	static const long long want[] = { 1, 64, 7, 7 };
	struct config *cfg = NULL;
	size_t i;
	char *env[] = { NULL, NULL };

	(void)state;
	for (i = 0; i < 4; i++) {
		env[0] = (char *)good[i];
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_int_equal(config_get_int(cfg, "ROX_DB_POOL_SIZE"), want[i]);
		config_free(cfg);
	}
	env[0] = "ROX_RETRIES=-1"; /* no bounds: anything that fits */
	assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
	assert_int_equal(config_get_int(cfg, "ROX_RETRIES"), -1);
	config_free(cfg);

	expect_env_error("ROX_DB_POOL_SIZE=65", "ROX_DB_POOL_SIZE: 65 is out of range (1..64)");
	expect_env_error("ROX_DB_POOL_SIZE=-3", "ROX_DB_POOL_SIZE: -3 is out of range (1..64)");
	expect_env_error("ROX_DB_POOL_SIZE=12abc", "ROX_DB_POOL_SIZE: \"12abc\" is not an integer");
	expect_env_error("ROX_DB_POOL_SIZE= 5", "ROX_DB_POOL_SIZE: \" 5\" is not an integer");
	expect_env_error("ROX_DB_POOL_SIZE=5.0", "ROX_DB_POOL_SIZE: \"5.0\" is not an integer");
	expect_env_error("ROX_DB_POOL_SIZE=0x10", "ROX_DB_POOL_SIZE: \"0x10\" is not an integer");
	expect_env_error("ROX_DB_POOL_SIZE=99999999999999999999",
	                 "ROX_DB_POOL_SIZE: \"99999999999999999999\" is out of range (1..64)");
	expect_env_error("ROX_RETRIES=99999999999999999999", "ROX_RETRIES: \"99999999999999999999\" is not an integer");
}

static void test_durations(void **state)
{
	static const struct {
		const char *entry;
		long long ms;
	} good[] = {
		{ "ROX_SCAN_TIMEOUT=250ms", 250 }, { "ROX_SCAN_TIMEOUT=30s", 30000 }, { "ROX_SCAN_TIMEOUT=5m", 300000 },
		{ "ROX_SCAN_TIMEOUT=1h", 3600000 }, { "ROX_SCAN_TIMEOUT=1500", 1500 }, { "ROX_SCAN_TIMEOUT=100", 100 },
	};
	struct config *cfg = NULL;
	char *env[] = { NULL, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		env[0] = (char *)good[i].entry;
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_int_equal(config_get_int(cfg, "ROX_SCAN_TIMEOUT"), good[i].ms);
		config_free(cfg);
	}
	expect_env_error("ROX_SCAN_TIMEOUT=2h", "ROX_SCAN_TIMEOUT: \"2h\" is out of range (100ms..1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=99ms", "ROX_SCAN_TIMEOUT: \"99ms\" is out of range (100ms..1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=5x",
	                 "ROX_SCAN_TIMEOUT: \"5x\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=m",
	                 "ROX_SCAN_TIMEOUT: \"m\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=-5s",
	                 "ROX_SCAN_TIMEOUT: \"-5s\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=1.5s",
	                 "ROX_SCAN_TIMEOUT: \"1.5s\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=5 s",
	                 "ROX_SCAN_TIMEOUT: \"5 s\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
	expect_env_error("ROX_SCAN_TIMEOUT=9999999999999999h",
	                 "ROX_SCAN_TIMEOUT: \"9999999999999999h\" is not a duration (expected e.g. 250ms, 30s, 5m, 1h)");
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "1", "yes", "Yes", "on", "ON" };
	static const char *const no[] = { "false", "False", "0", "no", "NO", "off", "Off" };
	struct config *cfg = NULL;
	char entry[64];
	char *env[] = { entry, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(entry, sizeof(entry), "ROX_OFFLINE=%s", yes[i]);
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_int_equal(config_get_bool(cfg, "ROX_OFFLINE"), 1);
		config_free(cfg);
		snprintf(entry, sizeof(entry), "ROX_OFFLINE=%s", no[i]);
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_int_equal(config_get_bool(cfg, "ROX_OFFLINE"), 0);
		config_free(cfg);
	}
	expect_env_error("ROX_OFFLINE=maybe",
	                 "ROX_OFFLINE: \"maybe\" is not a boolean (expected true/false, yes/no, on/off or 1/0)");
	expect_env_error("ROX_OFFLINE=2",
	                 "ROX_OFFLINE: \"2\" is not a boolean (expected true/false, yes/no, on/off or 1/0)");
}

static void test_paths(void **state)
{
	char *path = temp_file("-----BEGIN CERTIFICATE-----\n");
	char entry[256], want[512];
	char *env[] = { entry, NULL };
	struct config *cfg = NULL;

	(void)state;
	snprintf(entry, sizeof(entry), "ROX_TLS_CA=%s", path);
	assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
	assert_string_equal(config_get_string(cfg, "ROX_TLS_CA"), path);
	config_free(cfg);

	expect_env_error("ROX_TLS_CA=/nonexistent/ca.pem",
	                 "ROX_TLS_CA: \"/nonexistent/ca.pem\" cannot be read: No such file or directory");
	expect_env_error("ROX_TLS_CA=/tmp", "ROX_TLS_CA: \"/tmp\" is not a regular file");

	/* root reads everything, so only an unprivileged run can see this one. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0), 0);
		snprintf(want, sizeof(want), "ROX_TLS_CA: \"%s\" cannot be read: Permission denied", path);
		expect_env_error(entry, want);
	}
	unlink(path);
	free(path);
}

static void test_enums(void **state)
{
	struct config *cfg = NULL;
	char *env[] = { "ROX_LOG_LEVEL=Error", NULL };

	(void)state;
	assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
	assert_string_equal(config_get_string(cfg, "ROX_LOG_LEVEL"), "error");
	config_free(cfg);
	expect_env_error("ROX_LOG_LEVEL=errors", "ROX_LOG_LEVEL: \"errors\" is not one of debug, info, warn, error");
}

static void test_listen_addresses(void **state)
{
	static const struct {
		const char *entry;
		const char *host;
		unsigned port;
	} good[] = {
		{ "ROX_LISTEN_ADDRESS=127.0.0.1:8443", "127.0.0.1", 8443 },
		{ "ROX_LISTEN_ADDRESS=[::1]:9000", "::1", 9000 },
		{ "ROX_LISTEN_ADDRESS=:8080", "", 8080 },
		{ "ROX_LISTEN_ADDRESS=localhost:0", "localhost", 0 },
		{ "ROX_LISTEN_ADDRESS=central.stackrox.svc:65535", "central.stackrox.svc", 65535 },
	};
	static const char *const bad[] = {
		"::1:80", "[::1]", "[::1]80", "[zz::1]:80", "[]:80", "host:", "host:abc", "host:8x", "a b:80",
		"host:80:90", "under_score:80", "-", ":", "http://host:80",
	};
	struct config *cfg = NULL;
	char entry[128], want[256];
	char *env[] = { NULL, NULL };
	char *host;
	unsigned port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		env[0] = (char *)good[i].entry;
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_int_equal(config_get_listen_address(cfg, "ROX_LISTEN_ADDRESS", &host, &port), ASEC_OK);
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
		free(host);
		config_free(cfg);
	}
	env[0] = entry;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(entry, sizeof(entry), "ROX_LISTEN_ADDRESS=%s", bad[i]);
		snprintf(want, sizeof(want), "ROX_LISTEN_ADDRESS: \"%s\" is not host:port (expected e.g. 0.0.0.0:8443)",
		         bad[i]);
		expect_env_error(entry, want);
	}
	expect_env_error("ROX_LISTEN_ADDRESS=host:65536",
	                 "ROX_LISTEN_ADDRESS: \"host:65536\" has a port out of range (0..65535)");
	expect_env_error("ROX_LISTEN_ADDRESS=host:1234567",
	                 "ROX_LISTEN_ADDRESS: \"host:1234567\" has a port out of range (0..65535)");
}

static void test_urls(void **state)
{
	static const char *const good[] = {
		"http://central", "HTTPS://central.example.com:8443/api/v1?x=1", "postgres://rox:pw@db:5432/rox",
		"postgresql:///rox?host=/run/postgresql", "https://[::1]:8443/",
	};
	static const char *const bad[] = {
		"ftp://host", "central:8443", "https://", "http:///path", "https://user@", "https://host/a b", "",
	};
	struct config *cfg = NULL;
	char entry[256], want[512];
	char *env[] = { entry, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(entry, sizeof(entry), "ROX_CENTRAL_URL=%s", good[i]);
		assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
		assert_string_equal(config_get_string(cfg, "ROX_CENTRAL_URL"), good[i]);
		config_free(cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!bad[i][0])
			continue; /* empty means unset: checked in test_defaults */
		snprintf(entry, sizeof(entry), "ROX_CENTRAL_URL=%s", bad[i]);
		snprintf(want, sizeof(want), "ROX_CENTRAL_URL: \"%s\" is not an http, https, postgres or postgresql URL",
		         bad[i]);
		expect_env_error(entry, want);
	}
}

/* ---- secrets ------------------------------------------------------------ */

static void test_secrets_stay_out_of_messages(void **state)
{
	struct config *cfg = NULL;
	char *env[] = { "ROX_DB_URL=ftp://rox:hunter2@db/rox", "ROX_PIN=12", NULL };
	char *env2[] = { "ROX_PIN=hunter2", NULL };
	char *env3[] = { "ROX_CENTRAL_URL=ftp://admin:hunter2@central", NULL };

	(void)state;
	assert_int_equal(load(&cfg, NULL, env), ASEC_EINVALID);
	assert_string_equal(error_last(), "ROX_DB_URL: the value is not an http, https, postgres or postgresql URL; "
	                                  "ROX_PIN: the value is out of range (1000..9999)");
	config_free(cfg);

	assert_int_equal(load(&cfg, NULL, env2), ASEC_EINVALID);
	assert_string_equal(error_last(), "ROX_PIN: the value is not an integer");
	config_free(cfg);

	/* A setting not marked secret still has embedded credentials masked. */
	assert_int_equal(load(&cfg, NULL, env3), ASEC_EINVALID);
	assert_null(strstr(error_last(), "hunter2"));
	assert_string_equal(error_last(), "ROX_CENTRAL_URL: \"ftp://admin:[REDACTED]@central\" is not an http, https, "
	                                  "postgres or postgresql URL");
	config_free(cfg);

	/* File syntax errors never echo a value, secret or not. */
	expect_file_error("ROX_DB_PASSWORD=\"hunter2", strlen("ROX_DB_PASSWORD=\"hunter2"),
	                  "test.conf:1: ROX_DB_PASSWORD: unterminated double quote");
}

static void test_long_and_odd_values_are_shown_safely(void **state)
{
	char entry[300];
	char *env[] = { entry, NULL };
	struct config *cfg = NULL;

	(void)state;
	snprintf(entry, sizeof(entry), "ROX_OFFLINE=%0200d", 7);
	assert_int_equal(load(&cfg, NULL, env), ASEC_EINVALID);
	/* 80 bytes of the value, then an ellipsis. */
	assert_string_equal(error_last(), "ROX_OFFLINE: \"00000000000000000000000000000000000000000000000000000000000000000000000000000000...\" "
	                                  "is not a boolean (expected true/false, yes/no, on/off or 1/0)");
	config_free(cfg);

	snprintf(entry, sizeof(entry), "ROX_OFFLINE=a\"b\\c\n\x1b");
	assert_int_equal(load(&cfg, NULL, env), ASEC_EINVALID);
	assert_string_equal(error_last(), "ROX_OFFLINE: \"a\\\"b\\\\c\\x0a\\x1b\" is not a boolean "
	                                  "(expected true/false, yes/no, on/off or 1/0)");
	config_free(cfg);
}

static void test_describe(void **state)
{
	struct config *cfg = NULL;
	char *env[] = { "ROX_DB_PASSWORD=hunter2", "ROX_CLUSTER_NAME=prod",
		        "ROX_CENTRAL_URL=https://admin:hunter2@central:8443", NULL };
	json_t *d;
	char *text;

	(void)state;
	assert_int_equal(load(&cfg, NULL, env), ASEC_OK);
	d = config_describe(cfg);
	assert_non_null(d);
	text = json_dumps(d, 0);
	assert_null(strstr(text, "hunter2"));
	free(text);
	assert_string_equal(json_string_value(json_object_get(d, "ROX_DB_PASSWORD")), "(secret)");
	assert_string_equal(json_string_value(json_object_get(d, "ROX_CLUSTER_NAME")), "prod");
	assert_string_equal(json_string_value(json_object_get(d, "ROX_DB_POOL_SIZE")), "10");
	assert_string_equal(json_string_value(json_object_get(d, "ROX_CENTRAL_URL")),
	                    "https://admin:[REDACTED]@central:8443");
	assert_true(json_is_null(json_object_get(d, "ROX_DB_URL")));
	assert_int_equal(json_object_size(d), BASE_COUNT);
	json_decref(d);
	config_free(cfg);
}

/* ---- the table and the docs ---------------------------------------------- */

static void test_bad_tables(void **state)
{
	static const struct config_setting dup[] = {
		{ "ROX_A", CONFIG_STRING, "", "", 0, 0, NULL, 0 },
		{ "ROX_A", CONFIG_INT, "1", "", 0, 0, NULL, 0 },
	};
	static const struct config_setting lower[] = { { "rox_a", CONFIG_STRING, "", "", 0, 0, NULL, 0 } };
	static const struct config_setting no_choices[] = { { "ROX_E", CONFIG_ENUM, "x", "", 0, 0, NULL, 0 } };
	static const struct config_setting inverted[] = { { "ROX_I", CONFIG_INT, "1", "", 10, 1, NULL, 0 } };
	struct config *cfg = (struct config *)1;

	(void)state;
	assert_int_equal(config_new(&cfg, dup, 2), ASEC_EINVALID);
	assert_null(cfg);
	assert_string_equal(error_last(), "config: ROX_A is declared twice");
	assert_int_equal(config_new(&cfg, lower, 1), ASEC_EINVALID);
	assert_int_equal(config_new(&cfg, no_choices, 1), ASEC_EINVALID);
	assert_string_equal(error_last(), "config: ROX_E is an enum without choices");
	assert_int_equal(config_new(&cfg, inverted, 1), ASEC_EINVALID);
	assert_int_equal(config_new(&cfg, NULL, 1), ASEC_EINVALID);
	/* An empty table is a valid, if dull, configuration. */
	assert_int_equal(config_load(&cfg, NULL, 0, NULL, no_env), ASEC_OK);
	config_free(cfg);
	config_free(NULL);
}

static void test_getters_before_validation(void **state)
{
	static const struct config_setting req[] = {
		{ "ROX_TOKEN", CONFIG_STRING, NULL, "Required.", 0, 0, NULL, 1 },
	};
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(config_new(&cfg, req, 1), ASEC_OK);
	assert_null(config_get_string(cfg, "ROX_TOKEN"));
	assert_string_equal(config_source(cfg, "ROX_TOKEN"), "unset");
	config_free(cfg);
}

static void test_write_docs(void **state)
{
	static const struct config_setting req[] = {
		{ "ROX_TLS_CERT", CONFIG_PATH, NULL, "Server certificate.", 0, 0, NULL, 0 },
		{ "ROX_DB_PASSWORD", CONFIG_STRING, "changeme", "Database password.", 0, 0, NULL, 1 },
	};
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(config_write_docs(mem, "central", base, BASE_COUNT), ASEC_OK);
	assert_int_equal(config_write_docs(mem, "central", req, 2), ASEC_OK);
	fclose(mem);

	assert_non_null(strstr(buf, "## central settings\n"));
	assert_non_null(strstr(buf, "| Name | Type | Default | Description |\n| --- | --- | --- | --- |\n"));
	assert_non_null(strstr(buf, "| `ROX_LISTEN_ADDRESS` | listen address (host:port) | `0.0.0.0:8443` | "
	                            "Address the API listens on. |\n"));
	assert_non_null(strstr(buf, "| `ROX_DB_POOL_SIZE` | integer (1..64) | `10` | Database connections kept open. |\n"));
	assert_non_null(strstr(buf, "| `ROX_LOG_LEVEL` | one of `debug`, `info`, `warn`, `error` | `info` |"));
	assert_non_null(strstr(buf, "| `ROX_SCAN_TIMEOUT` | duration (250ms, 30s, 5m, 1h; 100ms..1h) | `30s` |"));
	assert_non_null(strstr(buf, "| `ROX_OFFLINE` | boolean | `false` |"));
	assert_non_null(strstr(buf, "| `ROX_CENTRAL_URL` | URL (http, https, postgres) | (none) |"));
	/* A '|' in a description must not break the table. */
	assert_non_null(strstr(buf, "| `ROX_TLS_CA` | path to a readable file | (none) | CA bundle \\| PEM. |\n"));
	assert_non_null(strstr(buf, "| `ROX_TLS_CERT` | path to a readable file | (required) | Server certificate. |\n"));
	/* A secret's default is never printed. */
	assert_non_null(strstr(buf, "| `ROX_DB_PASSWORD` | string | (secret) | Database password. |\n"));
	assert_null(strstr(buf, "changeme"));
	free(buf);

	assert_int_equal(config_write_docs(NULL, "x", base, BASE_COUNT), ASEC_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_environment_over_file_over_default),
		cmocka_unit_test(test_null_envp_reads_environ),
		cmocka_unit_test(test_empty_file_value_keeps_default),
		cmocka_unit_test(test_env_value_too_long),
		cmocka_unit_test(test_file_syntax),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_messages_from_the_brief),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_listen_addresses),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_secrets_stay_out_of_messages),
		cmocka_unit_test(test_long_and_odd_values_are_shown_safely),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_getters_before_validation),
		cmocka_unit_test(test_write_docs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
