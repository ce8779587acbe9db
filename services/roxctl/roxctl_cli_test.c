/*
 * roxctl_cli_test.c - roxctl's command line without a network: flag
 * syntax and positions, environment precedence, endpoint normalisation,
 * durations, status to exit code mapping, retry decisions, problem+json
 * messages, the whoami layout, help texts, and that no secret reaches a
 * message.
 *
 * The environment is a table of this test's own (roxctl_cli_parse reads it
 * through a function pointer), so the process environment never matters.
 * Whole runs go through roxctl_run() with memory streams for stdout and
 * stderr. Nothing here opens a connection: every run that reaches the
 * client either lacks credentials (refused before sending) or has none to
 * make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "client.h"
#include "error/error.h"

/* ---- a fake environment ------------------------------------------------------------------- */

static const char *fake_env[16][2];

static const char *env_fake(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fake_env) / sizeof(fake_env[0]) && fake_env[i][0]; i++) {
		if (strcmp(fake_env[i][0], name) == 0)
			return fake_env[i][1];
	}
	return NULL;
}

static void env_set(const char *name, const char *value)
{
	size_t i;

	for (i = 0; fake_env[i][0]; i++) {
		if (strcmp(fake_env[i][0], name) == 0)
			break;
	}
	assert_true(i < sizeof(fake_env) / sizeof(fake_env[0]) - 1);
	fake_env[i][0] = name;
	fake_env[i][1] = value;
}

static int env_clear(void **state)
{
	(void)state;
	memset(fake_env, 0, sizeof(fake_env));
	return 0;
}

/* argv from a NULL-terminated list; the strings are literals. */
#define ARGV(...) ((char *[]){"roxctl", __VA_ARGS__, NULL})
static int argc_of(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static int parse(struct roxctl_cli *cli, char **argv)
{
	return roxctl_cli_parse(cli, argc_of(argv), argv, env_fake, 0);
}

struct run_result {
	int code;
	char *out;
	char *err;
};

static void run(struct run_result *r, char **argv, int tty)
{
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(&r->out, &ol), *err = open_memstream(&r->err, &el);

	assert_non_null(out);
	assert_non_null(err);
	r->code = roxctl_run(argc_of(argv), argv, env_fake, tty, out, err);
	fclose(out);
	fclose(err);
}

static void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/roxctl_cli_test_XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

/* ---- flag syntax and positions ------------------------------------------------------------ */

static void flags_anywhere(void **state)
{
	char **forms[] = {
		ARGV("-e", "central:443", "image", "scan", "-i", "nginx:1.25"),
		ARGV("image", "scan", "-i", "nginx:1.25", "-e", "central:443"),
		ARGV("image", "-e=central:443", "scan", "--image=nginx:1.25"),
		ARGV("--endpoint", "central:443", "image", "scan", "-inginx:1.25"),
		ARGV("image", "--image", "nginx:1.25", "scan", "--endpoint=https://central:443/"),
	};
	size_t i;

	(void)state;
	env_set("ROX_API_TOKEN", "tok");
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct roxctl_cli cli;
		if (parse(&cli, forms[i]) != ASEC_OK)
			fail_msg("form %zu: %s", i, error_last());
		assert_int_equal(cli.command, ROXCTL_CMD_IMAGE_SCAN);
		assert_string_equal(cli.endpoint_url, "https://central:443");
		assert_string_equal(cli.endpoint_display, "central:443");
		assert_string_equal(cli.scan.image, "nginx:1.25");
		/* defaults */
		assert_int_equal(cli.scan.format, SCAN_FORMAT_TABLE);
		assert_int_equal(cli.scan.retries, 3);
		assert_int_equal(cli.scan.retry_delay_ms, 3000);
		assert_int_equal(cli.timeout_ms, 60000);
		assert_null(cli.scan.severities);
		assert_false(cli.scan.fail);
		assert_false(cli.scan.force);
		roxctl_cli_free(&cli);
	}
}

static void scan_flags(void **state)
{
	struct roxctl_cli cli;

	(void)state;
	env_set("ROX_API_TOKEN", "tok");
	assert_int_equal(parse(&cli, ARGV("image", "scan", "-fi", "a:b", "-o", "SARIF", "--severity", "critical, Important",
					  "--severity=low", "--fail", "-r", "0", "-d7", "--include-snoozed",
					  "--force=false")),
			 ASEC_OK);
	assert_string_equal(cli.scan.image, "a:b");
	assert_false(cli.scan.force); /* the later --force=false wins */
	assert_int_equal(cli.scan.format, SCAN_FORMAT_SARIF);
	assert_non_null(cli.scan.severities);
	assert_string_equal(cli.scan.severities[0], "CRITICAL");
	assert_string_equal(cli.scan.severities[1], "IMPORTANT");
	assert_string_equal(cli.scan.severities[2], "LOW");
	assert_null(cli.scan.severities[3]);
	assert_true(cli.scan.fail);
	assert_int_equal(cli.scan.retries, 0);
	assert_int_equal(cli.scan.retry_delay_ms, 7000);
	assert_true(cli.scan.include_snoozed);
	roxctl_cli_free(&cli);

	assert_int_equal(parse(&cli, ARGV("image", "scan", "-i", "x", "-f", "-o", "csv", "--", "-e")), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "unexpected argument \"-e\""));
	roxctl_cli_free(&cli);
}

static void usage_errors(void **state)
{
	const struct {
		char **argv;
		const char *message;
		enum roxctl_command command;
	} rows[] = {
		{ARGV("imag", "scan"), "unknown command \"imag\" for \"roxctl\"", ROXCTL_CMD_ROOT},
		{ARGV("image", "scna"), "unknown command \"scna\" for \"roxctl image\"", ROXCTL_CMD_IMAGE},
		{ARGV("image", "scan"), "required flag -i/--image", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", ""), "required flag -i/--image", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i"), "flag needs an argument", ROXCTL_CMD_ROOT},
		{ARGV("image", "scan", "-i", "x", "--bogus"), "unknown flag: --bogus", ROXCTL_CMD_ROOT},
		{ARGV("image", "scan", "-i", "x", "-z"), "unknown shorthand flag: 'z'", ROXCTL_CMD_ROOT},
		{ARGV("image", "scan", "-i", "x", "-o", "xml"), "\"xml\" is not one of table", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "--severity", "HIGH"), "\"HIGH\" is not one of LOW",
		 ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "--severity", ","), "--severity is empty", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "-r", "-1"), "-r/--retries", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "-r", "101"), "-r/--retries", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "-d", "1s"), "-d/--retry-delay", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("image", "scan", "-i", "x", "--fail=maybe"), "--fail takes no value", ROXCTL_CMD_ROOT},
		{ARGV("image", "scan", "-i", "x", "-t", "30"), "-t/--timeout", ROXCTL_CMD_IMAGE_SCAN},
		{ARGV("central", "whoami", "-i", "x"), "unknown flag: --image (it belongs to roxctl image scan, roxctl image check)",
		 ROXCTL_CMD_CENTRAL_WHOAMI},
		{ARGV("central", "whoami", "extra"), "unexpected argument \"extra\"", ROXCTL_CMD_CENTRAL_WHOAMI},
		{ARGV("central"), "roxctl central needs a command: whoami", ROXCTL_CMD_CENTRAL},
		{ARGV("-e", "http://central:80", "central", "whoami"), "plain http:// is refused",
		 ROXCTL_CMD_CENTRAL_WHOAMI},
		{ARGV("--ca", "/nonexistent/ca.pem", "central", "whoami"), "--ca: cannot read /nonexistent/ca.pem",
		 ROXCTL_CMD_CENTRAL_WHOAMI},
		{ARGV("--token-file", "/nonexistent/token", "central", "whoami"), "--token-file: cannot read",
		 ROXCTL_CMD_CENTRAL_WHOAMI},
		{ARGV("-p", "", "central", "whoami"), "-p/--password is empty", ROXCTL_CMD_CENTRAL_WHOAMI},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct roxctl_cli cli;
		int rc = parse(&cli, rows[i].argv);
		if (rc != ASEC_EINVALID || !strstr(error_last(), rows[i].message))
			fail_msg("row %zu: rc %d, message \"%s\", expected one with \"%s\"", i, rc, error_last(),
				 rows[i].message);
		if (rows[i].command != ROXCTL_CMD_ROOT)
			assert_int_equal(cli.command, rows[i].command);
		roxctl_cli_free(&cli);
	}
}

/* ---- the environment ---------------------------------------------------------------------- */

static void env_precedence(void **state)
{
	struct roxctl_cli cli;
	char *file_token = temp_file("  file-token\r\n\n"), *env_file_token = temp_file("env-file-token\n");

	(void)state;
	env_set("ROX_ENDPOINT", "env-central:9443");
	env_set("ROX_CLIENT_TIMEOUT", "1m30s");
	env_set("ROX_ADMIN_PASSWORD", "env-password");
	env_set("ROX_CA_CERT_FILE", file_token); /* any readable file */

	/* environment over defaults */
	assert_int_equal(parse(&cli, ARGV("central", "whoami")), ASEC_OK);
	assert_string_equal(cli.endpoint_url, "https://env-central:9443");
	assert_int_equal(cli.timeout_ms, 90000);
	assert_string_equal(cli.password, "env-password");
	assert_null(cli.token);
	assert_string_equal(cli.ca_file, file_token);
	assert_false(cli.insecure_skip_verify);
	roxctl_cli_free(&cli);

	/* flags over the environment */
	assert_int_equal(parse(&cli, ARGV("central", "whoami", "-e", "flag-central:1", "-t", "500ms", "-p", "flag-password",
					  "--insecure-skip-tls-verify")),
			 ASEC_OK);
	assert_string_equal(cli.endpoint_display, "flag-central:1");
	assert_int_equal(cli.timeout_ms, 500);
	assert_string_equal(cli.password, "flag-password");
	assert_true(cli.insecure_skip_verify);
	roxctl_cli_free(&cli);

	/* tokens: ROX_API_TOKEN_FILE < ROX_API_TOKEN < --token-file */
	env_set("ROX_API_TOKEN_FILE", env_file_token);
	assert_int_equal(parse(&cli, ARGV("central", "whoami")), ASEC_OK);
	assert_string_equal(cli.token, "env-file-token");
	roxctl_cli_free(&cli);
	env_set("ROX_API_TOKEN", "env-token");
	assert_int_equal(parse(&cli, ARGV("central", "whoami")), ASEC_OK);
	assert_string_equal(cli.token, "env-token");
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("central", "whoami", "--token-file", file_token)), ASEC_OK);
	assert_string_equal(cli.token, "file-token"); /* whitespace trimmed */
	roxctl_cli_free(&cli);

	/* empty variables count as unset */
	env_set("ROX_ENDPOINT", "");
	env_set("ROX_CLIENT_TIMEOUT", "");
	env_set("ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY", "true");
	assert_int_equal(parse(&cli, ARGV("central", "whoami")), ASEC_OK);
	assert_string_equal(cli.endpoint_display, "localhost:8443");
	assert_int_equal(cli.timeout_ms, 60000);
	assert_true(cli.insecure_skip_verify);
	roxctl_cli_free(&cli);

	/* a bad value from the environment names the variable */
	env_set("ROX_CLIENT_TIMEOUT", "soon");
	assert_int_equal(parse(&cli, ARGV("central", "whoami")), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "ROX_CLIENT_TIMEOUT"));
	roxctl_cli_free(&cli);

	unlink(file_token);
	unlink(env_file_token);
	free(file_token);
	free(env_file_token);
}

static void token_file_limits(void **state)
{
	struct roxctl_cli cli;
	char big[ROXCTL_TOKEN_FILE_MAX + 2];
	char *empty = temp_file(" \n\n"), *huge;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	huge = temp_file(big);
	assert_int_equal(parse(&cli, ARGV("central", "whoami", "--token-file", empty)), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "is empty"));
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("central", "whoami", "--token-file", huge)), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "larger than"));
	roxctl_cli_free(&cli);
	/* help and version need no credentials and read no file */
	assert_int_equal(parse(&cli, ARGV("central", "whoami", "--token-file", "/nonexistent", "-h")), ASEC_OK);
	assert_true(cli.help);
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("version", "--token-file", "/nonexistent")), ASEC_OK);
	assert_int_equal(cli.command, ROXCTL_CMD_VERSION);
	roxctl_cli_free(&cli);
	unlink(empty);
	unlink(huge);
	free(empty);
	free(huge);
}

static void colour_choice(void **state)
{
	struct roxctl_cli cli;

	(void)state;
	env_set("ROX_API_TOKEN", "t");
	assert_int_equal(roxctl_cli_parse(&cli, 4, ARGV("image", "scan", "-ix"), env_fake, 1), ASEC_OK);
	assert_true(cli.colour);
	roxctl_cli_free(&cli);
	assert_int_equal(roxctl_cli_parse(&cli, 4, ARGV("image", "scan", "-ix"), env_fake, 0), ASEC_OK);
	assert_false(cli.colour); /* not a terminal */
	roxctl_cli_free(&cli);
	assert_int_equal(roxctl_cli_parse(&cli, 5, ARGV("image", "scan", "-ix", "--no-color"), env_fake, 1), ASEC_OK);
	assert_false(cli.colour);
	roxctl_cli_free(&cli);
	env_set("NO_COLOR", "1");
	assert_int_equal(roxctl_cli_parse(&cli, 4, ARGV("image", "scan", "-ix"), env_fake, 1), ASEC_OK);
	assert_false(cli.colour);
	roxctl_cli_free(&cli);
	env_set("NO_COLOR", ""); /* no-color.org: only a non-empty value counts */
	assert_int_equal(roxctl_cli_parse(&cli, 4, ARGV("image", "scan", "-ix"), env_fake, 1), ASEC_OK);
	assert_true(cli.colour);
	roxctl_cli_free(&cli);
}

/* ---- endpoints and durations -------------------------------------------------------------- */

static void endpoints(void **state)
{
	static const struct {
		const char *given, *url, *display;
	} good[] = {
		{"localhost:8443", "https://localhost:8443", "localhost:8443"},
		{"central.example.com", "https://central.example.com:443", "central.example.com:443"},
		{"https://central:8443", "https://central:8443", "central:8443"},
		{"HTTPS://central:8443/", "https://central:8443", "central:8443"},
		{"[::1]:8443", "https://[::1]:8443", "[::1]:8443"},
		{"https://[fe80::1]", "https://[fe80::1]:443", "[fe80::1]:443"},
		{"10.0.0.1:65535", "https://10.0.0.1:65535", "10.0.0.1:65535"},
	};
	static const struct {
		const char *given, *message;
	} bad[] = {
		{"http://central:8080", "plain http:// is refused"},
		{"HTTP://central", "plain http:// is refused"},
		{"ftp://central:21", "only https://"},
		{"central:0", "expected host:port"},
		{"central:65536", "expected host:port"},
		{"central:", "expected host:port"},
		{"central:80x", "expected host:port"},
		{"https://central:8443/api", "expected host:port"},
		{"central:8443?x=1", "expected host:port"},
		{":8443", "expected host:port"},
		{"[::1", "expected host:port"},
		{"cen tral:1", "expected host:port"},
		{"", "is empty"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *url = NULL, *display = NULL;
		if (roxctl_client_endpoint_normalise(&url, &display, good[i].given))
			fail_msg("%s: %s", good[i].given, error_last());
		assert_string_equal(url, good[i].url);
		assert_string_equal(display, good[i].display);
		free(url);
		free(display);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *url = NULL, *display = NULL;
		if (roxctl_client_endpoint_normalise(&url, &display, bad[i].given) != ASEC_EINVALID ||
		    !strstr(error_last(), bad[i].message))
			fail_msg("%s: \"%s\", expected \"%s\"", bad[i].given, error_last(), bad[i].message);
		assert_null(url);
		assert_null(display);
	}
	/* credentials in the endpoint are refused without being repeated */
	{
		char *url = NULL, *display = NULL;
		assert_int_equal(roxctl_client_endpoint_normalise(&url, &display, "https://admin:hunter2@central:443"),
				 ASEC_EINVALID);
		assert_null(strstr(error_last(), "hunter2"));
		assert_non_null(strstr(error_last(), "credentials"));
	}
}

static void durations(void **state)
{
	static const struct {
		const char *text;
		long ms;
	} good[] = {{"30s", 30000}, {"1m", 60000}, {"500ms", 500}, {"1m30s", 90000}, {"1.5s", 1500},
		    {"2h", 7200000}, {"1h0m1s", 3601000}, {"1000us", 1}, {"24h", 86400000}, {"0.5m", 30000}};
	static const char *const bad[] = {"", "30", "s", "1x", "-1s", "0s", "100us", "25h", "1m-", "1.s.s", "1 s"};
	size_t i;
	long ms;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		if (roxctl_cli_parse_duration(&ms, good[i].text))
			fail_msg("%s: %s", good[i].text, error_last());
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (roxctl_cli_parse_duration(&ms, bad[i]) != ASEC_EINVALID)
			fail_msg("\"%s\" was accepted as %ld ms", bad[i], ms);
	}
}

/* ---- statuses, retries, problems ---------------------------------------------------------- */

static void status_mapping(void **state)
{
	static const struct {
		long status;
		int exit_code;
		int retryable;
	} rows[] = {{200, 0, 0}, {204, 0, 0}, {400, 4, 0}, {401, 3, 0}, {403, 3, 0}, {404, 4, 0}, {409, 4, 0},
		    {413, 4, 0}, {422, 4, 0}, {429, 4, 1}, {500, 4, 0}, {501, 4, 0}, {502, 4, 1}, {503, 4, 1},
		    {504, 4, 1}, {302, 4, 0}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = roxctl_client_status_rc(rows[i].status);
		if (roxctl_exit_code(rc) != rows[i].exit_code)
			fail_msg("%ld: exit %d, expected %d", rows[i].status, roxctl_exit_code(rc), rows[i].exit_code);
		if (rc && roxctl_client_retryable(rc, rows[i].status) != rows[i].retryable)
			fail_msg("%ld: retryable %d", rows[i].status, !rows[i].retryable);
	}
	/* no response at all */
	assert_true(roxctl_client_retryable(ASEC_EIO, 0));
	assert_true(roxctl_client_retryable(ASEC_ETIMEOUT, 0));
	assert_false(roxctl_client_retryable(ASEC_EAUTH, 0));
	assert_false(roxctl_client_retryable(ASEC_ENOMEM, 0));
	assert_int_equal(roxctl_exit_code(ASEC_ETIMEOUT), ROXCTL_EXIT_SERVER);
	assert_int_equal(roxctl_exit_code(ASEC_EIO), ROXCTL_EXIT_SERVER);
	assert_int_equal(roxctl_exit_code(ASEC_EAUTH), ROXCTL_EXIT_AUTH);
	assert_int_equal(roxctl_exit_code(ASEC_OK), ROXCTL_EXIT_OK);
}

static void retry_waits(void **state)
{
	(void)state;
	assert_int_equal(roxctl_client_retry_wait_ms(NULL, 3000), 3000);
	assert_int_equal(roxctl_client_retry_wait_ms("", 3000), 3000);
	assert_int_equal(roxctl_client_retry_wait_ms("7", 3000), 7000);
	assert_int_equal(roxctl_client_retry_wait_ms("0", 3000), 0);
	assert_int_equal(roxctl_client_retry_wait_ms("3600", 3000), ROXCTL_CLIENT_RETRY_AFTER_MAX_MS);
	assert_int_equal(roxctl_client_retry_wait_ms("99999999999999999999999", 0), ROXCTL_CLIENT_RETRY_AFTER_MAX_MS);
	assert_int_equal(roxctl_client_retry_wait_ms("Wed, 21 Oct 2015 07:28:00 GMT", 2000), 2000);
	assert_int_equal(roxctl_client_retry_wait_ms("-5", 2000), 2000);
}

static void problem_messages(void **state)
{
	char buf[2048];
	char long_detail[3000];
	const char *p503 = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
			   "\"detail\":\"scanner-indexer is unreachable: connection refused\",\"requestId\":\"r-42\"}";

	(void)state;
	roxctl_client_describe_status(buf, sizeof(buf), 503, p503, strlen(p503));
	assert_string_equal(buf, "answered 503: scanner-indexer is unreachable: connection refused (request id r-42)");
	roxctl_client_describe_status(buf, sizeof(buf), 403, "{\"message\":\"not allowed\"}", 25);
	assert_string_equal(buf, "answered 403: not allowed");
	roxctl_client_describe_status(buf, sizeof(buf), 401, "{\"title\":\"Unauthorized\",\"detail\":\"\"}", 36);
	assert_string_equal(buf, "answered 401: Unauthorized");
	roxctl_client_describe_status(buf, sizeof(buf), 502, "<html>bad gateway</html>", 24);
	assert_string_equal(buf, "answered 502 Bad Gateway");
	roxctl_client_describe_status(buf, sizeof(buf), 599, NULL, 0);
	assert_string_equal(buf, "answered 599");
	/* the terminal is not the server's to drive */
	{
		const char *ctl = "{\"detail\":\"a\\u001b[2Jb\\nc\"}";
		roxctl_client_describe_status(buf, sizeof(buf), 500, ctl, strlen(ctl));
	}
	assert_string_equal(buf, "answered 500: a?[2Jb?c");
	/* long details are cut */
	memset(long_detail, 'x', sizeof(long_detail));
	memcpy(long_detail, "{\"detail\":\"", 11);
	memcpy(long_detail + sizeof(long_detail) - 3, "\"}", 3);
	roxctl_client_describe_status(buf, sizeof(buf), 500, long_detail, strlen(long_detail));
	assert_int_equal(strlen(buf), strlen("answered 500: ") + ROXCTL_CLIENT_DETAIL_MAX);
	/* a small buffer is never overrun */
	roxctl_client_describe_status(buf, 8, 503, p503, strlen(p503));
	assert_int_equal(strlen(buf), 7);
}

/* ---- whoami ------------------------------------------------------------------------------- */

static void whoami_layout(void **state)
{
	const char *text =
		"{\"userId\":\"apitoken:1234\",\"expires\":\"2030-01-01T00:00:00Z\","
		"\"userInfo\":{\"username\":\"apitoken:1234\",\"friendlyName\":\"ci\",\"roles\":["
		"{\"name\":\"Continuous Integration\",\"resourceToAccess\":{\"Image\":\"READ_WRITE_ACCESS\","
		"\"Detection\":\"READ_ACCESS\",\"Alert\":\"NO_ACCESS\"}},"
		"{\"name\":\"Analyst\",\"resourceToAccess\":{\"Image\":\"READ_ACCESS\",\"Alert\":\"READ_ACCESS\","
		"\"Access\":\"NO_ACCESS\"}}]},"
		"\"authProvider\":{\"name\":\"API Token\",\"type\":\"api-token\"}}";
	json_t *status = json_loads(text, 0, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(status);
	assert_int_equal(roxctl_whoami_write(f, status), ASEC_OK);
	fclose(f);
	assert_string_equal(out, "UserID:\n\tapitoken:1234\n"
				 "User name:\n\tci\n"
				 "Expires:\n\t2030-01-01T00:00:00Z\n"
				 "Roles:\n\t- Continuous Integration\n\t- Analyst\n"
				 "Access:\n\tr  Alert\n\tr  Detection\n\trw Image\n");
	free(out);
	json_decref(status);

	/* the admin: no expiry, the user name when there is no friendly name */
	status = json_loads("{\"userId\":\"admin\",\"userInfo\":{\"username\":\"ad\\u001bmin\",\"roles\":[]}}", 0, NULL);
	f = open_memstream(&out, &len);
	assert_int_equal(roxctl_whoami_write(f, status), ASEC_OK);
	fclose(f);
	assert_string_equal(out, "UserID:\n\tadmin\nUser name:\n\tad?min\nRoles:\nAccess:\n");
	free(out);
	json_decref(status);

	f = open_memstream(&out, &len);
	status = json_string("x");
	assert_int_equal(roxctl_whoami_write(f, status), ASEC_EINVALID);
	fclose(f);
	free(out);
	json_decref(status);
}

/* ---- whole runs --------------------------------------------------------------------------- */

static void help_texts(void **state)
{
	const struct {
		char **argv;
		const char *must[4];
	} rows[] = {
		{ARGV("--help"), {"Usage:\n  roxctl <command>", "central ", "Exit codes:", "  3  no credentials"}},
		{ARGV("-h"), {"image ", "version ", "-e, --endpoint host:port", "ROX_ENDPOINT"}},
		{ARGV("help"), {"roxctl - ", "Commands:", "--token-file", "ROX_API_TOKEN"}},
		{ARGV("help", "image", "scan"), {"roxctl image scan [flags]", "-i, --image image", "--severity list",
						 "Global Flags:"}},
		{ARGV("image", "scan", "--help"), {"-o, --output format", "-r, --retries n", "-d, --retry-delay seconds",
						   "  1  the gate failed"}},
		{ARGV("image", "scan", "-h", "-o", "bogus"), {"--fail", "--include-snoozed", "-f, --force", "Examples:"}},
		{ARGV("central", "whoami", "-h"), {"roxctl central whoami [flags]", "-p, --password password",
						   "-t, --timeout duration", "--insecure-skip-tls-verify"}},
		{ARGV("central", "--help"), {"Commands:\n  whoami", "roxctl central <command>", "Exit codes:", "--ca file"}},
		{ARGV("-h", "image"), {"Commands:\n  scan", "roxctl image <command>", "--no-color", "Exit codes:"}},
		{ARGV("version", "--help"), {"roxctl version [flags]", "Global Flags:", "--no-color", "Exit codes:"}},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run_result r;
		run(&r, rows[i].argv, 0);
		if (r.code != 0 || r.err[0])
			fail_msg("row %zu: exit %d, stderr \"%s\"", i, r.code, r.err);
		for (j = 0; j < 4; j++) {
			if (!strstr(r.out, rows[i].must[j]))
				fail_msg("row %zu: no \"%s\" in:\n%s", i, rows[i].must[j], r.out);
		}
		/* scan flags only in the scan's help */
		if (strstr(r.out, "--retry-delay") && !strstr(r.out, "roxctl image scan [flags]") &&
		    !strstr(r.out, "check [flags]"))
			fail_msg("row %zu: scan flags in another command's help", i);
		run_free(&r);
	}
}

static void runs(void **state)
{
	struct run_result r;

	(void)state;
	run(&r, ARGV("version"), 0);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, ASEC_VERSION "\n");
	run_free(&r);

	/* usage: message, hint, nothing on stdout */
	run(&r, ARGV("image", "scan", "--output", "yaml", "-i", "x"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_USAGE);
	assert_string_equal(r.out, "");
	assert_true(strncmp(r.err, "ERROR: ", 7) == 0);
	assert_non_null(strstr(r.err, "Run 'roxctl image scan --help' for usage."));
	run_free(&r);
	run(&r, ARGV(NULL), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_USAGE);
	assert_non_null(strstr(r.err, "roxctl needs a command"));
	run_free(&r);
	run(&r, ARGV("image", "-e", "http://c:1", "scan", "-i", "x"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_USAGE);
	assert_non_null(strstr(r.err, "http://"));
	run_free(&r);

	/* no credentials: exit 3 before anything is sent (the endpoint is a
	 * closed port, and no failed connection may be reported) */
	run(&r, ARGV("central", "whoami", "-e", "127.0.0.1:1"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
	assert_non_null(strstr(r.err, "ERROR: central whoami: no credentials"));
	assert_null(strstr(r.err, "connection"));
	run_free(&r);
	run(&r, ARGV("image", "scan", "-i", "nginx", "-e", "127.0.0.1:1", "-r", "0"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
	assert_non_null(strstr(r.err, "no credentials"));
	run_free(&r);
}

/* ---- image check, deployment check, policy export and import --------------------------------- */

static void check_flags(void **state)
{
	struct roxctl_cli cli;
	char *a = temp_file("apiVersion: v1\n"), *b = temp_file("kind: Deployment\n");

	(void)state;
	env_set("ROX_API_TOKEN", "tok");
	/* -f is --force here, -c repeats and splits, -o takes the check formats */
	assert_int_equal(parse(&cli, ARGV("image", "check", "-fi", "app:1", "-c", "Security Best Practices, DevOps",
					  "--categories=Anomalous Activity", "-o", "JUNIT", "--send-notifications",
					  "-r", "5", "-d", "0")),
			 ASEC_OK);
	assert_int_equal(cli.command, ROXCTL_CMD_IMAGE_CHECK);
	assert_string_equal(cli.check.image, "app:1");
	assert_true(cli.check.force);
	assert_true(cli.check.send_notifications);
	assert_int_equal(cli.check.format, CHECK_FORMAT_JUNIT);
	assert_string_equal(cli.check.categories[0], "Security Best Practices");
	assert_string_equal(cli.check.categories[1], "DevOps");
	assert_string_equal(cli.check.categories[2], "Anomalous Activity");
	assert_null(cli.check.categories[3]);
	assert_int_equal(cli.check.retries, 5);
	assert_int_equal(cli.check.retry_delay_ms, 0);
	roxctl_cli_free(&cli);

	/* defaults; -o before the words still means the check's format */
	assert_int_equal(parse(&cli, ARGV("-o", "sarif", "image", "check", "-i", "x")), ASEC_OK);
	assert_int_equal(cli.check.format, CHECK_FORMAT_SARIF);
	assert_false(cli.check.force);
	assert_null(cli.check.categories);
	assert_int_equal(cli.check.retries, 3);
	assert_int_equal(cli.check.retry_delay_ms, 3000);
	roxctl_cli_free(&cli);

	/* -f is --file in deployment check, repeated; --force has no letter */
	assert_int_equal(parse(&cli, ARGV("deployment", "check", "-f", a, "--file", b, "-n", "shop", "--force",
					  "-o", "json", "-c", "Kubernetes")),
			 ASEC_OK);
	assert_int_equal(cli.command, ROXCTL_CMD_DEPLOYMENT_CHECK);
	assert_int_equal(cli.check.file_count, 2);
	assert_string_equal(cli.check.files[0], a);
	assert_string_equal(cli.check.files[1], b);
	assert_string_equal(cli.check.namespace, "shop");
	assert_true(cli.check.force);
	assert_int_equal(cli.check.format, CHECK_FORMAT_JSON);
	assert_string_equal(cli.check.categories[0], "Kubernetes");
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("deployment", "-f", a, "check")), ASEC_OK);
	assert_int_equal(cli.check.file_count, 1);
	assert_null(cli.check.namespace);
	assert_false(cli.check.force);
	roxctl_cli_free(&cli);

	/* policy export and import: --id lists, -o is a file, -f the input */
	assert_int_equal(parse(&cli, ARGV("policy", "export", "--id", "a1,b2", "--id", "c3", "-o", "out.json")), ASEC_OK);
	assert_int_equal(cli.command, ROXCTL_CMD_POLICY_EXPORT);
	assert_string_equal(cli.policy.ids[0], "a1");
	assert_string_equal(cli.policy.ids[1], "b2");
	assert_string_equal(cli.policy.ids[2], "c3");
	assert_null(cli.policy.ids[3]);
	assert_string_equal(cli.policy.output, "out.json");
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("policy", "export", "--id", "a1", "-o", "-")), ASEC_OK);
	assert_null(cli.policy.output);
	roxctl_cli_free(&cli);
	assert_int_equal(parse(&cli, ARGV("policy", "import", "-f", a, "--overwrite")), ASEC_OK);
	assert_int_equal(cli.command, ROXCTL_CMD_POLICY_IMPORT);
	assert_string_equal(cli.policy.input, a);
	assert_true(cli.policy.overwrite);
	roxctl_cli_free(&cli);

	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

#define LONG64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG129 LONG64 LONG64 "a"

static void check_usage_errors(void **state)
{
	const struct {
		char **argv;
		const char *message;
	} rows[] = {
		{ARGV("image", "check"), "required flag -i/--image"},
		{ARGV("image", "check", "-i", "x", "-o", "csv"), "\"csv\" is not one of table, json, junit, sarif"},
		{ARGV("image", "check", "-i", "x", "-c", " , "), "-c/--categories is empty"},
		{ARGV("image", "check", "-i", "x", "-c", LONG129), "or one longer than 128 bytes"},
		{ARGV("image", "check", "-i", "x", "--severity", "LOW"), "unknown flag: --severity (it belongs to roxctl image scan)"},
		{ARGV("image", "check", "-i", "x", "-n", "ns"), "it belongs to roxctl deployment check"},
		{ARGV("image", "scan", "-i", "x", "-c", "a"), "unknown flag: --categories"},
		{ARGV("image", "scan", "-i", "x", "-o", "junit"), "\"junit\" is not one of table"},
		{ARGV("deployment", "check"), "required flag -f/--file"},
		{ARGV("deployment", "check", "-f", "/nonexistent/x.yaml"), "-f/--file: cannot read /nonexistent/x.yaml"},
		{ARGV("deployment", "check", "-f", "/tmp"), "is a directory"},
		{ARGV("deployment", "check", "-f", "/etc/hostname", "-n", ""), "-n/--namespace"},
		{ARGV("deployment", "check", "-f", "/etc/hostname", "-i", "x"), "unknown flag: --image"},
		{ARGV("deployment", "check", "-f", "/etc/hostname", "--send-notifications"), "unknown flag: --send-notifications"},
		{ARGV("deployment"), "roxctl deployment needs a command: check"},
		{ARGV("policy"), "roxctl policy needs a command: export, import"},
		{ARGV("policy", "export"), "required flag --id"},
		{ARGV("policy", "export", "--id", ","), "--id is empty"},
		{ARGV("policy", "import"), "required flag -f/--file"},
		{ARGV("policy", "import", "-f", "/nonexistent/p.json"), "cannot read /nonexistent/p.json"},
		{ARGV("policy", "import", "-f", "/etc/hostname", "--id", "x"), "unknown flag: --id"},
	};
	size_t i;

	(void)state;
	env_set("ROX_API_TOKEN", "tok");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct roxctl_cli cli;
		int rc = parse(&cli, rows[i].argv);
		if (rc != ASEC_EINVALID || !strstr(error_last(), rows[i].message))
			fail_msg("row %zu: rc %d, message \"%s\", expected one with \"%s\"", i, rc, error_last(),
				 rows[i].message);
		roxctl_cli_free(&cli);
	}
}

static void check_runs(void **state)
{
	struct run_result r;
	char *yaml = temp_file("apiVersion: apps/v1\nkind: Deployment\n");
	char *bad = temp_file("{\"nothing\": 1}");

	(void)state;
	/* help names the new commands and their flags */
	run(&r, ARGV("image", "check", "--help"), 0);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "roxctl image check [flags]"));
	assert_non_null(strstr(r.out, "-c, --categories list"));
	assert_non_null(strstr(r.out, "--send-notifications"));
	assert_non_null(strstr(r.out, "FAIL_BUILD_ENFORCEMENT"));
	assert_null(strstr(r.out, "--severity"));
	run_free(&r);
	run(&r, ARGV("help", "deployment", "check"), 0);
	assert_non_null(strstr(r.out, "-f, --file file"));
	assert_non_null(strstr(r.out, "-n, --namespace namespace"));
	assert_non_null(strstr(r.out, "    --force"));
	run_free(&r);
	run(&r, ARGV("--help"), 0);
	assert_non_null(strstr(r.out, "deployment "));
	assert_non_null(strstr(r.out, "policy "));
	run_free(&r);
	run(&r, ARGV("policy", "--help"), 0);
	assert_non_null(strstr(r.out, "Commands:\n  export"));
	assert_non_null(strstr(r.out, "  import"));
	run_free(&r);

	/* no credentials: exit 3 before anything is sent or read */
	run(&r, ARGV("image", "check", "-i", "x", "-e", "127.0.0.1:1", "-r", "0"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
	assert_non_null(strstr(r.err, "no credentials"));
	assert_string_equal(r.out, "");
	run_free(&r);
	run(&r, ARGV("deployment", "check", "-f", yaml, "-e", "127.0.0.1:1"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
	run_free(&r);
	run(&r, ARGV("policy", "export", "--id", "x", "-e", "127.0.0.1:1"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
	run_free(&r);

	/* an import file that holds no policy is a usage error, found before
	 * any connection (the closed port would otherwise give exit 4) */
	env_set("ROX_API_TOKEN", "tok");
	run(&r, ARGV("policy", "import", "-f", bad, "-e", "127.0.0.1:1"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_USAGE);
	assert_non_null(strstr(r.err, "not a policy export"));
	run_free(&r);

	/* a closed port: exit 4 after the retries (none here) */
	run(&r, ARGV("image", "check", "-i", "x", "-e", "127.0.0.1:1", "-r", "0", "-t", "2s"), 0);
	assert_int_equal(r.code, ROXCTL_EXIT_SERVER);
	assert_non_null(strstr(r.err, "ERROR: checking image x: "));
	assert_string_equal(r.out, "");
	run_free(&r);

	unlink(yaml);
	unlink(bad);
	free(yaml);
	free(bad);
}

/* No secret in any message: misspelt flags with values, credentials that
 * cannot go into a header, credentials in the endpoint. */
static void secrets_stay_secret(void **state)
{
	char **cases[] = {
		ARGV("central", "whoami", "--pasword=hunter2"),
		ARGV("central", "whoami", "--token=hunter2"),
		ARGV("central", "whoami", "-e", "admin:hunter2@central:443"),
		ARGV("central", "whoami", "-P", "hunter2"),
		ARGV("central", "whoami", "-p", "hunter2\nX-Injected: 1", "-e", "127.0.0.1:1"),
		ARGV("image", "scan", "-i", "x", "-p", "hunter2", "-o", "pdf"),
		ARGV("image", "scan", "-i", "x", "-p", "hunter2", "-e", "http://127.0.0.1:1"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_result r;
		run(&r, cases[i], 0);
		if (r.code == 0 || strstr(r.err, "hunter2") || strstr(r.out, "hunter2"))
			fail_msg("case %zu: exit %d, stderr \"%s\"", i, r.code, r.err);
		run_free(&r);
	}
	/* a token with a line break in it is refused before sending */
	env_set("ROX_API_TOKEN", "hunter2\r\nX-Injected: 1");
	{
		struct run_result r;
		run(&r, ARGV("central", "whoami", "-e", "127.0.0.1:1"), 0);
		assert_int_equal(r.code, ROXCTL_EXIT_AUTH);
		assert_non_null(strstr(r.err, "control character"));
		assert_null(strstr(r.err, "hunter2"));
		run_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(flags_anywhere, env_clear),
		cmocka_unit_test_setup(scan_flags, env_clear),
		cmocka_unit_test_setup(usage_errors, env_clear),
		cmocka_unit_test_setup(env_precedence, env_clear),
		cmocka_unit_test_setup(token_file_limits, env_clear),
		cmocka_unit_test_setup(colour_choice, env_clear),
		cmocka_unit_test_setup(endpoints, env_clear),
		cmocka_unit_test_setup(durations, env_clear),
		cmocka_unit_test_setup(status_mapping, env_clear),
		cmocka_unit_test_setup(retry_waits, env_clear),
		cmocka_unit_test_setup(problem_messages, env_clear),
		cmocka_unit_test_setup(whoami_layout, env_clear),
		cmocka_unit_test_setup(help_texts, env_clear),
		cmocka_unit_test_setup(runs, env_clear),
		cmocka_unit_test_setup(secrets_stay_secret, env_clear),
		cmocka_unit_test_setup(check_flags, env_clear),
		cmocka_unit_test_setup(check_usage_errors, env_clear),
		cmocka_unit_test_setup(check_runs, env_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
