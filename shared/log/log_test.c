/*
 * log_test.c - the line format, level filtering, request ids, redaction of
 * text and fields (redacting twice changes nothing more, on the cases here
 * and on every seed of the fuzz corpus), and whole lines under concurrent
 * writers.
 *
 * Lines are captured by pointing the logger at a tmpfile (or a pipe, for the
 * concurrency test, where a line longer than PIPE_BUF would tear if the
 * logger did not serialise its writes) and parsed back with jansson.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "error/error.h"
#include "log/log.h"

static FILE *capture;

static int capture_start(void **state)
{
	(void)state;
	capture = tmpfile();
	if (!capture)
		return -1;
	return log_init("test", LOG_LEVEL_DEBUG, capture) == ASEC_OK ? 0 : -1;
}

static int capture_stop(void **state)
{
	(void)state;
	log_init("test", LOG_LEVEL_INFO, stderr);
	log_set_request_id(NULL);
	if (capture)
		fclose(capture);
	capture = NULL;
	return 0;
}

/* Everything written so far, NUL-terminated; the caller frees. */
static char *captured(void)
{
	long size;
	char *buf;

	assert_int_equal(fseek(capture, 0, SEEK_END), 0);
	size = ftell(capture);
	assert_true(size >= 0);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	rewind(capture);
	assert_int_equal(fread(buf, 1, (size_t)size, capture), (size_t)size);
	buf[size] = '\0';
	return buf;
}

/* Parses the only line written so far; fails the test if there is not exactly one. */
static json_t *only_line(void)
{
	char *text = captured();
	size_t len = strlen(text);
	json_error_t err;
	json_t *line;

	assert_true(len > 0);
	assert_int_equal(text[len - 1], '\n');
	assert_null(memchr(text, '\n', len - 1));
	line = json_loads(text, 0, &err);
	if (!line)
		fail_msg("not JSON (%s): %s", err.text, text);
	free(text);
	return line;
}

static const char *str_member(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		fail_msg("no string member \"%s\"", key);
	return s;
}

/* ---- levels and init ------------------------------------------------- */

static void test_level_parse(void **state)
{
	enum log_level level = LOG_LEVEL_ERROR;

	(void)state;
	assert_int_equal(log_level_parse(&level, "debug"), ASEC_OK);
	assert_int_equal(level, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse(&level, "INFO"), ASEC_OK);
	assert_int_equal(level, LOG_LEVEL_INFO);
	assert_int_equal(log_level_parse(&level, "Warn"), ASEC_OK);
	assert_int_equal(level, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse(&level, "warning"), ASEC_OK);
	assert_int_equal(level, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse(&level, "eRRor"), ASEC_OK);
	assert_int_equal(level, LOG_LEVEL_ERROR);

	level = LOG_LEVEL_INFO;
	assert_int_equal(log_level_parse(&level, "loud"), ASEC_EINVALID);
	assert_string_equal(error_last(), "log level: \"loud\" is not one of debug, info, warn, error");
	assert_int_equal(level, LOG_LEVEL_INFO);
	assert_int_equal(log_level_parse(&level, ""), ASEC_EINVALID);
	assert_int_equal(log_level_parse(&level, "debugx"), ASEC_EINVALID);
	assert_int_equal(log_level_parse(&level, NULL), ASEC_EINVALID);
	assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
}

static void test_init_rejects_bad_arguments(void **state)
{
	char long_name[100];

	(void)state;
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(log_init(NULL, LOG_LEVEL_INFO, capture), ASEC_EINVALID);
	assert_int_equal(log_init("", LOG_LEVEL_INFO, capture), ASEC_EINVALID);
	assert_int_equal(log_init(long_name, LOG_LEVEL_INFO, capture), ASEC_EINVALID);
	assert_int_equal(log_init("svc", (enum log_level)42, capture), ASEC_EINVALID);

	/* A refused init leaves the earlier settings in force. */
	log_info("still here");
	json_t *line = only_line();
	assert_string_equal(str_member(line, "service"), "test");
	json_decref(line);
}

/* ---- the line --------------------------------------------------------- */

static void test_line_format(void **state)
{
	const char *keys[] = { "time", "level", "service", "msg", "image" };
	const char *t;
	json_t *line, *value;
	const char *key;
	size_t i = 0;

	(void)state;
	assert_int_equal(log_init("central", LOG_LEVEL_DEBUG, capture), ASEC_OK);
	log_event(LOG_LEVEL_INFO, "image scanned", json_pack("{s:s}", "image", "nginx:1.25"));
	line = only_line();

	/* Fixed keys first, in this order, then the fields; no requestId when unset. */
	json_object_foreach(line, key, value) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(str_member(line, "level"), "info");
	assert_string_equal(str_member(line, "service"), "central");
	assert_string_equal(str_member(line, "msg"), "image scanned");
	assert_string_equal(str_member(line, "image"), "nginx:1.25");

	/* 2026-11-27T13:40:09.123Z */
	t = str_member(line, "time");
	assert_int_equal(strlen(t), 24);
	for (i = 0; i < 24; i++) {
		const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";

		if (shape[i] == 'd')
			assert_true(t[i] >= '0' && t[i] <= '9');
		else
			assert_int_equal(t[i], shape[i]);
	}
	json_decref(line);
}

static void test_log_msg_formats_and_levels(void **state)
{
	json_t *line;

	(void)state;
	log_warn("disk %d%% full on %s", 93, "node-1");
	line = only_line();
	assert_string_equal(str_member(line, "level"), "warn");
	assert_string_equal(str_member(line, "msg"), "disk 93% full on node-1");
	json_decref(line);
}

static void test_level_filter(void **state)
{
	json_t *fields = json_pack("{s:s}", "k", "v");
	char *text;

	(void)state;
	assert_int_equal(log_init("test", LOG_LEVEL_WARN, capture), ASEC_OK);
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	assert_false(log_enabled(LOG_LEVEL_INFO));
	assert_true(log_enabled(LOG_LEVEL_WARN));
	assert_true(log_enabled(LOG_LEVEL_ERROR));

	/* A filtered event still takes the caller's reference. */
	json_incref(fields);
	log_event(LOG_LEVEL_INFO, "dropped", fields);
	assert_int_equal(fields->refcount, 1);
	json_decref(fields);
	log_debug("dropped %s", "too");
	log_info("dropped as well");
	text = captured();
	assert_string_equal(text, "");
	free(text);

	log_error("kept");
	json_t *line = only_line();
	assert_string_equal(str_member(line, "level"), "error");
	assert_string_equal(str_member(line, "msg"), "kept");
	json_decref(line);
}

static void test_request_id(void **state)
{
	json_t *line;
	char long_id[300];

	(void)state;
	assert_string_equal(log_request_id(), "");
	log_set_request_id("req-42");
	assert_string_equal(log_request_id(), "req-42");
	log_info("with id");
	line = only_line();
	assert_string_equal(str_member(line, "requestId"), "req-42");
	json_decref(line);

	/* Control characters from a hostile header do not survive. */
	log_set_request_id("a\r\nb\x1b[31m");
	assert_string_equal(log_request_id(), "a__b_[31m");

	memset(long_id, 'r', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	log_set_request_id(long_id);
	assert_int_equal(strlen(log_request_id()), 127);

	log_set_request_id(NULL);
	assert_string_equal(log_request_id(), "");
	log_set_request_id("x");
	log_set_request_id("");
	assert_string_equal(log_request_id(), "");
}

static void *request_id_in_thread(void *arg)
{
	const char **seen = arg;

	/* A new thread starts without the creator's id ... */
	*seen = log_request_id()[0] ? "leaked" : "clean";
	/* ... and setting one here does not touch the creator's. */
	log_set_request_id("other-thread");
	return NULL;
}

static void test_request_id_is_per_thread(void **state)
{
	pthread_t thread;
	const char *seen = NULL;

	(void)state;
	log_set_request_id("main-thread");
	assert_int_equal(pthread_create(&thread, NULL, request_id_in_thread, &seen), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_string_equal(seen, "clean");
	assert_string_equal(log_request_id(), "main-thread");
}

static void test_fields_merge(void **state)
{
	json_t *fields, *line;

	(void)state;
	fields = json_pack("{s:s, s:i, s:b, s:n, s:s}", "msg", "field named msg", "count", 3, "ok", 1,
	                   "nothing", "level", "field named level");
	log_event(LOG_LEVEL_INFO, "the message", fields);
	line = only_line();
	assert_string_equal(str_member(line, "msg"), "the message");
	assert_string_equal(str_member(line, "level"), "info");
	assert_string_equal(str_member(line, "fields.msg"), "field named msg");
	assert_string_equal(str_member(line, "fields.level"), "field named level");
	assert_int_equal(json_integer_value(json_object_get(line, "count")), 3);
	assert_true(json_is_true(json_object_get(line, "ok")));
	assert_true(json_is_null(json_object_get(line, "nothing")));
	json_decref(line);
}

static void test_non_object_fields(void **state)
{
	json_t *line;

	(void)state;
	log_event(LOG_LEVEL_INFO, "array", json_pack("[s,s]", "a", "password=x1"));
	line = only_line();
	assert_string_equal(json_string_value(json_array_get(json_object_get(line, "fields"), 0)), "a");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line, "fields"), 1)),
	                    "password=[REDACTED]");
	json_decref(line);
}

static void test_null_message(void **state)
{
	json_t *line;

	(void)state;
	log_event(LOG_LEVEL_ERROR, NULL, NULL);
	line = only_line();
	assert_string_equal(str_member(line, "msg"), "");
	json_decref(line);
}

static void test_invalid_utf8_and_control_chars(void **state)
{
	json_t *line;

	(void)state;
	log_info("bad \xff\xfe bytes, overlong \xc0\xaf, cut \xe2\x82, tab\tnewline\nend");
	line = only_line(); /* still one line: the newline is escaped */
	assert_string_equal(str_member(line, "msg"),
	                    "bad \xef\xbf\xbd\xef\xbf\xbd bytes, overlong \xef\xbf\xbd\xef\xbf\xbd, cut "
	                    "\xef\xbf\xbd\xef\xbf\xbd, tab\tnewline\nend");
	json_decref(line);
}

static void test_long_message_is_cut(void **state)
{
	size_t n = 100 * 1024;
	char *big = malloc(n + 1);
	const char *msg;
	json_t *line;

	(void)state;
	assert_non_null(big);
	memset(big, 'm', n);
	big[n] = '\0';
	log_info("%s", big);
	line = only_line();
	msg = str_member(line, "msg");
	assert_int_equal(strlen(msg), 16 * 1024 + strlen("...[truncated]"));
	assert_string_equal(msg + 16 * 1024, "...[truncated]");
	json_decref(line);

	/* The same cap through log_event and string fields. */
	assert_int_equal(ftruncate(fileno(capture), 0), 0);
	rewind(capture);
	log_event(LOG_LEVEL_INFO, big, json_pack("{s:s}", "body", big));
	line = only_line();
	assert_int_equal(strlen(str_member(line, "msg")), 16 * 1024 + 14);
	assert_int_equal(strlen(str_member(line, "body")), 16 * 1024 + 14);
	json_decref(line);
	free(big);
}

static void test_memstream_without_fd(void **state)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	json_t *line;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(log_init("mem", LOG_LEVEL_INFO, mem), ASEC_OK);
	log_info("into memory");
	assert_int_equal(log_init("test", LOG_LEVEL_INFO, stderr), ASEC_OK);
	fclose(mem);
	assert_non_null(buf);
	line = json_loads(buf, 0, NULL);
	assert_non_null(line);
	assert_string_equal(str_member(line, "service"), "mem");
	assert_string_equal(str_member(line, "msg"), "into memory");
	json_decref(line);
	free(buf);
}

/* ---- sensitive keys ----------------------------------------------------- */

static void test_sensitive_keys(void **state)
{
	static const char *const secret[] = {
		"password", "PASSWORD", "registryPassword", "db_password", "passwd", "passphrase",
		"secret", "client_secret", "clientSecret", "token", "access_token", "refreshToken",
		"X-Auth-Token", "apiKey", "api_key", "API-KEY", "X-Api-Key", "Authorization",
		"Proxy-Authorization", "Cookie", "Set-Cookie", "credentials", "credential",
		"privateKey", "private_key", "privkey", "accessKey", "auth", "X-Registry-Auth",
		"basicAuth", "ROX_DB_PASSWORD", "secrets",
	};
	static const char *const plain[] = {
		"user", "username", "author", "authority", "image", "namespace", "keyId", "", "msg",
		"secretName", "tokenType", "passwordFile", "cookiePath", "token_url", "secret-ref",
		"authentication", "key", "publicKey", "PWD",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		if (!log_is_sensitive_key(secret[i]))
			fail_msg("\"%s\" should be sensitive", secret[i]);
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (log_is_sensitive_key(plain[i]))
			fail_msg("\"%s\" should not be sensitive", plain[i]);
	}
	assert_false(log_is_sensitive_key(NULL));
}

/* ---- text redaction ---------------------------------------------------- */

struct redact_case {
	const char *in;
	const char *out;
};

static const struct redact_case redact_cases[] = {
	/* Authorization and other credential headers: the value goes to the end of the line. */
	{ "Authorization: Bearer abc.def.ghi", "Authorization: [REDACTED]" },
	{ "GET /v2/ HTTP/1.1\r\nauthorization: Basic dXNlcjpwYXNz\r\nHost: reg",
	  "GET /v2/ HTTP/1.1\r\nauthorization: [REDACTED]\r\nHost: reg" },
	{ "Proxy-Authorization: Basic abc", "Proxy-Authorization: [REDACTED]" },
	{ "X-Api-Key: 12345", "X-Api-Key: [REDACTED]" },
	{ "Cookie: session=abc; theme=dark", "Cookie: [REDACTED]" },
	{ "resp Set-Cookie: id=a3fWa; Secure\nnext", "resp Set-Cookie: [REDACTED]\nnext" },
	{ "X-Registry-Auth: eyJ1c2VybmFtZSI6ImEifQ==", "X-Registry-Auth: [REDACTED]" },
	/* Bearer and Basic credentials wherever they appear. */
	{ "sending Bearer s3cr3tT0ken to registry", "sending Bearer [REDACTED] to registry" },
	{ "bearer ABCdefGHI", "bearer [REDACTED]" },
	{ "header map[Authorization:[Bearer xyz-123_ab.c~d+e/f==]]",
	  "header map[Authorization:[REDACTED]" },
	{ "using Basic dXNlcjpwYXNz for pull", "using Basic [REDACTED] for pull" },
	{ "Basic YWxpY2U6czNjcjN0IQ==", "Basic [REDACTED]" },
	/* key=value pairs. */
	{ "password=hunter2 user=bob", "password=[REDACTED] user=bob" },
	{ "login with PASSWORD=hunter2", "login with PASSWORD=[REDACTED]" },
	{ "https://reg.example.com/token?access_token=abc123&scope=pull",
	  "https://reg.example.com/token?access_token=[REDACTED]&scope=pull" },
	{ "host=db port=5432 password=secret dbname=rox", "host=db port=5432 password=[REDACTED] dbname=rox" },
	{ "DB_PASSWORD='p a s s' next", "DB_PASSWORD='[REDACTED]' next" },
	{ "client_secret = \"xyz\"", "client_secret = \"[REDACTED]\"" },
	{ "client_secret = xyz, more", "client_secret = [REDACTED], more" },
	{ "--registry-password=hunter2", "--registry-password=[REDACTED]" },
	{ "token=abc;path=/", "token=[REDACTED];path=/" },
	{ "apiKey=k1 api_key=k2 x-api-key=k3", "apiKey=[REDACTED] api_key=[REDACTED] x-api-key=[REDACTED]" },
	{ "Authorization=Bearer abc123 next", "Authorization=[REDACTED] next" },
	{ "password='unterminated\nline two", "password='[REDACTED]\nline two" },
	/* Quoted keys: JSON, JSON inside a JSON string, Python dicts. */
	{ "{\"username\":\"bob\",\"password\":\"hunter2\"}", "{\"username\":\"bob\",\"password\":\"[REDACTED]\"}" },
	{ "{\"token\": \"a\\\"b\", \"n\": 1}", "{\"token\": \"[REDACTED]\", \"n\": 1}" },
	{ "{\\\"apiKey\\\":\\\"k-123\\\"}", "{\\\"apiKey\\\":\\\"[REDACTED]\\\"}" },
	{ "{'token': 'abc', 'user': 'u'}", "{'token': '[REDACTED]', 'user': 'u'}" },
	{ "{\"pin\":1,\"secret\":12345}", "{\"pin\":1,\"secret\":[REDACTED]}" },
	/* URL user information. */
	{ "postgres://rox:hunter2@db:5432/rox?sslmode=require", "postgres://rox:[REDACTED]@db:5432/rox?sslmode=require" },
	{ "fetching https://user:p%40ss@host/path failed", "fetching https://user:[REDACTED]@host/path failed" },
	{ "https://user:p@ss@host", "https://user:[REDACTED]@host" },
	{ "dial https://admin:pw@[::1]:8443/healthz", "dial https://admin:[REDACTED]@[::1]:8443/healthz" },
	{ "'postgresql://rox:s3cret@db/rox'", "'postgresql://rox:[REDACTED]@db/rox'" },
	{ "git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r",
	  "git clone https://[REDACTED]@github.com/o/r" },
	/*
	 * URL authorities that hold another rule's mask. A mask may hide a ':'
	 * or an '@' (a second pass cannot tell), so the password runs from the
	 * first ':' or mask to the last '@' or mask.
	 *
	 * Found by log_fuzz: the last '@' lies in a value the key=value rule
	 * masks, so the first pass took the user part to be "rcredentk...=:"
	 * with an empty password and masked nothing, while a second pass, no
	 * longer seeing that '@', took "rcredentk~try.loswofil3cr6t" for an
	 * access token.
	 */
	{ "pul://rcredentk~try.loswofil3cr6t@registry.losword9hucckaalb3crprivatekeyOiIxIn3ti=:@r +htt",
	  "pul://[REDACTED] +htt" },
	/* A password that reads as key=value: the password is the URL rule's. */
	{ "https://admin:Secret=123@db", "https://admin:[REDACTED]@db" },
	/* ... so the credential after its '@' is still seen. */
	{ "https://u:x_token=a@Bearer s3cr3tT0ken", "https://u:[REDACTED]@Bearer [REDACTED]" },
	{ "https://u:x_token=a@-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
	  "https://u:[REDACTED]@-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----" },
	/* The first ':' is under a mask: the password still goes (it used to leak). */
	{ "https://x_token=a:b,c:d@host", "https://x_token=[REDACTED]@host" },
	/* A mask hides the '/' that would end the authority: the last '@' is the one after it. */
	{ "https://u:p@h_token=a/b,x@d", "https://u:[REDACTED]@d" },
	{ "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@h_token=a/b,c@d", "https://[REDACTED]@d" },
	/* A token-like user name with a JWT inside is masked whole. */
	{ "https://abcdefgh12345678~eyJhbGciOiJub25lIn0.eyJ.x@host", "https://[REDACTED]@host" },
	/* A header name as the user: the header rule masks to the end of the line. */
	{ "https://cookie:abc@host/x y", "https://cookie:[REDACTED]" },
	/* A mask already in the authority is opaque, and a second pass keeps it. */
	{ "https://user:[REDACTED]@host", "https://user:[REDACTED]@host" },
	{ "https://[REDACTED]@host", "https://[REDACTED]@host" },
	/* JWTs standing alone. */
	{ "token was eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected",
	  "token was [REDACTED] rejected" },
	{ "(eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.)", "([REDACTED])" },
	{ "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln.", "jwt=[REDACTED]." },
	/* PEM private keys: the armour stays, the body goes. */
	{ "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\ndone",
	  "key:\n-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\ndone" },
	{ "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMIIE\\n-----END ENCRYPTED PRIVATE KEY-----",
	  "-----BEGIN ENCRYPTED PRIVATE KEY-----[REDACTED]-----END ENCRYPTED PRIVATE KEY-----" },
	{ "cut: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", "cut: -----BEGIN OPENSSH PRIVATE KEY-----[REDACTED]" },
};

/* Text with no secret in it comes out byte for byte. */
static const char *const ordinary_text[] = {
	"",
	"Bearer token is missing",
	"the bearer of bad news",
	"Basic usage: run the scanner",
	"Basic HTTP authentication failed",
	"Authorization header missing",
	"password reset requested for user alice",
	"invalid password: too short",
	"secretName=db-creds namespace=stackrox",
	"tokenType=Bearer",
	"see https://example.com/a?b=1#frag and mail bob@example.com",
	"ssh://git@github.com/org/repo.git",
	"postgres://rox@db/rox",
	"http://[::1]:8080/path and https://alice@example.com/",
	"a == b, x=1, 1+1=2, password == nil",
	"time 12:30:45, ratio 3:4, {\"user\":\"bob\",\"count\":3}",
	"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
	"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	"eyJ alone and eyJhbGciOiJIUzI1NiJ9 without dots",
	"CVE-2024-3094 in xz-utils 5.6.0 (severity: critical)",
	"image registry.example.com:5000/team/app@sha256:0123abcd",
	"[REDACTED] stays [REDACTED]",
	"https://user@host:8443/x?y=1 and http://host:80, ftp://a:b",
	"https://@host and https://u:@host",
	"\"password\": {\"hint\": \"ask admin\"}",
};

static void test_redact_text_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++) {
		char *out = log_redact_text(redact_cases[i].in);
		char *again;

		assert_non_null(out);
		if (strcmp(out, redact_cases[i].out) != 0)
			fail_msg("case %zu:\n  in:   %s\n  got:  %s\n  want: %s", i, redact_cases[i].in, out,
			         redact_cases[i].out);
		/* Redacting twice changes nothing more. */
		again = log_redact_text(out);
		assert_string_equal(again, out);
		free(again);
		free(out);
	}
}

static void test_redact_keeps_ordinary_text(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ordinary_text) / sizeof(ordinary_text[0]); i++) {
		char *out = log_redact_text(ordinary_text[i]);

		assert_non_null(out);
		if (strcmp(out, ordinary_text[i]) != 0)
			fail_msg("ordinary text changed:\n  in:  %s\n  got: %s", ordinary_text[i], out);
		free(out);
	}
	assert_null(log_redact_text(NULL));
}

/*
 * Every seed of the log_fuzz corpus (fuzzer findings are kept there) must
 * redact to a fixed point, so a finding stays fixed without the fuzzer. The
 * corpus is found through ASEC_SOURCE_DIR, which ctest sets.
 */
static void test_redact_is_idempotent_on_fuzz_corpus(void **state)
{
	const char *src = getenv("ASEC_SOURCE_DIR");
	char dir_path[4096], path[4096 + 256];
	struct dirent *entry;
	size_t checked = 0;
	DIR *dir;

	(void)state;
	if (!src || !*src)
		skip();
	snprintf(dir_path, sizeof(dir_path), "%s/tests/fuzz/corpus/log_fuzz", src);
	dir = opendir(dir_path);
	if (!dir)
		fail_msg("cannot open %s", dir_path);
	while ((entry = readdir(dir)) != NULL) {
		static char text[64 * 1024 + 1];
		char *once, *twice;
		size_t len;
		FILE *f;

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, entry->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[len] = '\0';
		once = log_redact_text(text);
		assert_non_null(once);
		twice = log_redact_text(once);
		assert_non_null(twice);
		if (strcmp(once, twice) != 0)
			fail_msg("%s: redacting twice changed\n  %s\ninto\n  %s", entry->d_name, once, twice);
		free(twice);
		free(once);
		checked++;
	}
	closedir(dir);
	assert_true(checked > 0);
}

/* Many secrets in one long text, to exercise the buffer's growth. */
static void test_redact_many(void **state)
{
	size_t count = 5000, i;
	size_t len = count * strlen("password=x ");
	char *in = malloc(len + 1), *out, *p;

	(void)state;
	assert_non_null(in);
	for (i = 0, p = in; i < count; i++, p += strlen("password=x "))
		memcpy(p, "password=x ", strlen("password=x "));
	*p = '\0';
	out = log_redact_text(in);
	assert_non_null(out);
	assert_int_equal(strlen(out), count * strlen("password=[REDACTED] "));
	assert_null(strstr(out, "=x"));
	free(out);
	free(in);
}

/* ---- redaction in lines ---------------------------------------------------- */

static void test_message_is_redacted(void **state)
{
	json_t *line;
	char *text;

	(void)state;
	log_error("pull failed for https://bob:hunter2@reg.example.com with Authorization: Bearer s3cr3t");
	text = captured();
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "s3cr3t"));
	free(text);
	line = only_line();
	assert_string_equal(str_member(line, "msg"),
	                    "pull failed for https://bob:[REDACTED]@reg.example.com with Authorization: [REDACTED]");
	json_decref(line);
}

static void test_fields_are_redacted(void **state)
{
	json_t *fields, *line, *list, *headers;
	char *text, *before;

	(void)state;
	fields = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[{s:s}, s, i], s:s, s:{s:s}, s:s, s:{s:{s:{s:s}}}}",
	                   "user", "bob",
	                   "registryPassword", "hunter2",
	                   "headers", "Authorization", "Bearer abc123", "Accept", "application/json",
	                   "list", "token", "tok-1", "password=pw-2", 7,
	                   "X-Api-Key", "key-3",
	                   "credentials", "user", "u",
	                   "note", "retry with Bearer abcd1234",
	                   "a", "b", "c", "privateKey", "-----BEGIN PRIVATE KEY-----x");
	json_incref(fields);
	before = json_dumps(fields, JSON_SORT_KEYS);
	log_event(LOG_LEVEL_INFO, "redaction", fields);

	/* The caller's object is untouched and its reference was released. */
	text = json_dumps(fields, JSON_SORT_KEYS);
	assert_string_equal(text, before);
	assert_int_equal(fields->refcount, 1);
	free(text);
	free(before);
	json_decref(fields);

	text = captured();
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "abc123"));
	assert_null(strstr(text, "tok-1"));
	assert_null(strstr(text, "pw-2"));
	assert_null(strstr(text, "key-3"));
	assert_null(strstr(text, "abcd1234"));
	free(text);

	line = only_line();
	assert_string_equal(str_member(line, "user"), "bob");
	assert_string_equal(str_member(line, "registryPassword"), "[REDACTED]");
	headers = json_object_get(line, "headers");
	assert_string_equal(str_member(headers, "Authorization"), "[REDACTED]");
	assert_string_equal(str_member(headers, "Accept"), "application/json");
	list = json_object_get(line, "list");
	assert_string_equal(str_member(json_array_get(list, 0), "token"), "[REDACTED]");
	assert_string_equal(json_string_value(json_array_get(list, 1)), "password=[REDACTED]");
	assert_int_equal(json_integer_value(json_array_get(list, 2)), 7);
	assert_string_equal(str_member(line, "X-Api-Key"), "[REDACTED]");
	/* A sensitive key hides its whole value, whatever its type. */
	assert_string_equal(str_member(line, "credentials"), "[REDACTED]");
	assert_string_equal(str_member(line, "note"), "retry with Bearer [REDACTED]");
	assert_string_equal(str_member(json_object_get(json_object_get(json_object_get(line, "a"), "b"), "c"),
	                               "privateKey"),
	                    "[REDACTED]");
	json_decref(line);
}

static void test_redact_json_depth_bounded(void **state)
{
	json_t *root = json_object(), *cur = root, *copy, *walk;
	int depth;

	(void)state;
	for (depth = 0; depth < 100; depth++) {
		json_t *next = json_object();

		json_object_set_new(cur, "n", next);
		cur = next;
	}
	json_object_set_new(cur, "leaf", json_string("x"));
	copy = log_redact_json(root);
	assert_non_null(copy);
	for (walk = copy, depth = 0; json_is_object(walk); depth++)
		walk = json_object_get(walk, "n");
	assert_string_equal(json_string_value(walk), "[TOO DEEP]");
	assert_true(depth < 40);
	json_decref(copy);
	json_decref(root);
}

/* ---- concurrency ------------------------------------------------------- */

#define WRITERS 4
#define LINES_PER_WRITER 250
#define PAD_LEN 6000 /* > PIPE_BUF: a torn write would show */

struct reader {
	int fd;
	char *data;
	size_t len;
};

static void *read_all_from_pipe(void *arg)
{
	struct reader *r = arg;
	size_t cap = 1 << 20;
	ssize_t n;

	r->data = malloc(cap);
	for (;;) {
		if (r->len + 65536 > cap) {
			cap *= 2;
			r->data = realloc(r->data, cap);
		}
		if (!r->data)
			return NULL;
		n = read(r->fd, r->data + r->len, 65536);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	r->data[r->len] = '\0';
	return NULL;
}

static void *writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char request_id[32], pad[PAD_LEN + 1];
	int i;

	snprintf(request_id, sizeof(request_id), "thread-%d", id);
	log_set_request_id(request_id);
	memset(pad, 'a' + id, PAD_LEN);
	pad[PAD_LEN] = '\0';
	for (i = 0; i < LINES_PER_WRITER; i++) {
		if (i % 2)
			log_event(LOG_LEVEL_INFO, "work", json_pack("{s:i, s:i, s:s}", "thread", id, "seq", i, "pad", pad));
		else
			log_info("work %d %d %s", id, i, pad);
	}
	return NULL;
}

static void test_concurrent_lines_stay_whole(void **state)
{
	pthread_t threads[WRITERS], reader_thread;
	struct reader r = { 0 };
	int fds[2], next_seq[WRITERS] = { 0 }, i;
	FILE *w;
	char *line, *save = NULL;
	size_t lines = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	w = fdopen(fds[1], "w");
	assert_non_null(w);
	r.fd = fds[0];
	assert_int_equal(pthread_create(&reader_thread, NULL, read_all_from_pipe, &r), 0);
	assert_int_equal(log_init("conc", LOG_LEVEL_INFO, w), ASEC_OK);
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_int_equal(log_init("test", LOG_LEVEL_INFO, stderr), ASEC_OK);
	fclose(w);
	assert_int_equal(pthread_join(reader_thread, NULL), 0);
	close(fds[0]);
	assert_non_null(r.data);
	assert_true(r.len > 0 && r.data[r.len - 1] == '\n');

	for (line = strtok_r(r.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;
		json_t *obj = json_loads(line, 0, &err);
		const char *rid, *msg;
		int id, seq;

		if (!obj)
			fail_msg("line %zu is not JSON (%s)", lines, err.text);
		rid = str_member(obj, "requestId");
		msg = str_member(obj, "msg");
		assert_int_equal(sscanf(rid, "thread-%d", &id), 1);
		assert_true(id >= 0 && id < WRITERS);
		if (strcmp(msg, "work") == 0) {
			const char *pad = str_member(obj, "pad");
			size_t k;

			assert_int_equal(json_integer_value(json_object_get(obj, "thread")), id);
			seq = (int)json_integer_value(json_object_get(obj, "seq"));
			assert_int_equal(strlen(pad), PAD_LEN);
			for (k = 0; k < PAD_LEN; k++)
				assert_int_equal(pad[k], 'a' + id);
		} else {
			int mid;

			assert_int_equal(sscanf(msg, "work %d %d ", &mid, &seq), 2);
			assert_int_equal(mid, id);
			assert_int_equal(strlen(msg), strlen("work 0 ") + (seq >= 100 ? 3 : seq >= 10 ? 2 : 1) + 1 + PAD_LEN);
		}
		/* Each thread's lines arrive complete and in its own order. */
		assert_int_equal(seq, next_seq[id]);
		next_seq[id]++;
		lines++;
		json_decref(obj);
	}
	assert_int_equal(lines, WRITERS * LINES_PER_WRITER);
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(next_seq[i], LINES_PER_WRITER);
	free(r.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test_setup_teardown(test_init_rejects_bad_arguments, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_line_format, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_log_msg_formats_and_levels, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_level_filter, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_request_id, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_request_id_is_per_thread, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_fields_merge, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_non_object_fields, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_null_message, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_and_control_chars, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_long_message_is_cut, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_memstream_without_fd, capture_start, capture_stop),
		cmocka_unit_test(test_sensitive_keys),
		cmocka_unit_test(test_redact_text_cases),
		cmocka_unit_test(test_redact_keeps_ordinary_text),
		cmocka_unit_test(test_redact_is_idempotent_on_fuzz_corpus),
		cmocka_unit_test(test_redact_many),
		cmocka_unit_test_setup_teardown(test_message_is_redacted, capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_fields_are_redacted, capture_start, capture_stop),
		cmocka_unit_test(test_redact_json_depth_bounded),
		cmocka_unit_test_setup_teardown(test_concurrent_lines_stay_whole, capture_start, capture_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
