/*
 * service_testing.h - what the end-to-end tests of the services share: they
 * run this build's service binaries as child processes, on free loopback
 * ports, with a throw-away installation PKI, and talk to them over HTTPS the
 * way their real callers do. Test-only: include it from a cmocka test,
 * never from a service.
 *
 * Header-only (static inline, like services/scanner-indexer/e2e_support.h)
 * so that each test stays one source file with no extra CMake target. The
 * ideas it keeps in one place:
 *
 *   - the PKI is `asec-pki dev` run into a fresh temporary folder, which
 *     also holds every service's log (<folder>/<service>.log): one folder to
 *     keep when something failed, one to remove when all went well;
 *   - a service gets the caller's environment less every ROX_ setting (a
 *     developer's shell must not leak into a test), plus its listen address,
 *     its own certificate (identity = the PKI's short name), the CA and
 *     ROX_LOG_LEVEL=info, then the test's own settings, which win. It is
 *     ready when GET /readyz answers 200; a restart keeps its port, so that
 *     the services that call it need no new URL;
 *   - one HTTPS client call (libcurl) does every request: the operator's
 *     client certificate by default, another certificate, none, HTTP basic
 *     or a bearer token, and answers the status, the raw headers, the body
 *     and the body parsed as JSON when it is JSON;
 *   - each run keeps its tables in a PostgreSQL schema of its own
 *     (options=-csearch_path=<schema> in the URL given to the services), so
 *     that runs beside it never share a table; the schema is dropped at the
 *     end. That part exists only when the test has included <libpq-fe.h>.
 *
 * Helpers that can meet a legitimate failure (a service that will not start)
 * return -1 with the reason printed; a broken fixture fails the running test
 * with cmocka's asserts.
 */
#ifndef ASEC_SERVICE_TESTING_H
#define ASEC_SERVICE_TESTING_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "testing/testing.h"

extern char **environ;

/* How long a service may take to answer /readyz after its start (an ASan
 * build loading data takes a while). */
#define TESTSVC_READY_TIMEOUT_S 120
/* The largest body a reply keeps unless the request says otherwise. */
#define TESTSVC_BODY_MAX ((size_t)256 << 20)

/* ---- binaries, ports, folders ------------------------------------------------------------- */

/*
 * The path of a binary of this build: given (a compile definition or an
 * environment value the CMake file set) when not empty, else
 * $ASEC_BUILD_DIR/relative. Fails the test when neither leads to an
 * executable.
 */
static inline void testsvc_binary(char *out, size_t size, const char *given, const char *relative)
{
	const char *build = getenv("ASEC_BUILD_DIR");

	if (given && given[0])
		snprintf(out, size, "%s", given);
	else if (build && build[0])
		snprintf(out, size, "%s/%s", build, relative);
	else
		fail_msg("no path to %s: run the test through ctest (its CMake file names the binary) or set ASEC_BUILD_DIR",
			 relative);
	if (access(out, X_OK) != 0)
		fail_msg("%s is not an executable", out);
}

/* A loopback port nobody listens on now (the kernel's choice). */
static inline int testsvc_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Runs argv[0] with its standard output discarded; answers the wait status
 * (-1 when it could not run). */
static inline int testsvc_run_quietly(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	posix_spawn_file_actions_destroy(&fa);
	return status;
}

static inline int testsvc_remove_entry_(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a folder and everything in it. */
static inline void testsvc_remove_dir(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, testsvc_remove_entry_, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the installation PKI ----------------------------------------------------------------- */

struct testsvc_pki {
	char dir[256];              /* the PKI and the services' logs */
	char ca[320];               /* dir/ca.crt */
	char cert[320], key[320];   /* the operator's client certificate */
};

/*
 * A fresh $TMPDIR/<name>-XXXXXX holding `asec-pki dev`'s CA and a
 * certificate for every service and the operator. -1 (printed) on failure;
 * pki->dir is set as soon as the folder exists, for the caller to remove.
 */
static inline int testsvc_pki_make(struct testsvc_pki *pki, const char *pki_bin, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char *argv[4];
	int rc;

	memset(pki, 0, sizeof(*pki));
	snprintf(pki->dir, sizeof(pki->dir), "%s/%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", name);
	if (!mkdtemp(pki->dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", pki->dir, strerror(errno));
		pki->dir[0] = '\0';
		return -1;
	}
	argv[0] = (char *)pki_bin;
	argv[1] = "dev";
	argv[2] = pki->dir;
	argv[3] = NULL;
	rc = testsvc_run_quietly(argv);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
		fprintf(stderr, "%s dev %s failed (%d)\n", pki_bin, pki->dir, rc);
		return -1;
	}
	snprintf(pki->ca, sizeof(pki->ca), "%s/ca.crt", pki->dir);
	snprintf(pki->cert, sizeof(pki->cert), "%s/operator.crt", pki->dir);
	snprintf(pki->key, sizeof(pki->key), "%s/operator.key", pki->dir);
	return 0;
}

/* ---- HTTPS -------------------------------------------------------------------------------- */

/* How far an upload has got, for tests that kill a service mid-request:
 * whether every byte of the body went out, and whether any answer came. */
struct testsvc_upload_watch {
	atomic_int sent_all;
	atomic_int answered;
	curl_off_t total;
};

struct testsvc_request {
	const char *method;             /* NULL: GET, or POST when there is a body */
	const char *path;               /* "/v1/ping?x=1" */
	const char *content_type;       /* NULL: none sent */
	const char *const *headers;     /* more "Name: value" lines, NULL-terminated; may be NULL */
	const void *body;               /* NULL: none */
	size_t len;
	long timeout_s;                 /* 0: 60 */
	int no_client_cert;             /* send no client certificate */
	const char *cert, *key;         /* another client certificate (NULL: the operator's) */
	const char *user, *password;    /* HTTP basic, when user is set */
	const char *bearer;             /* Authorization: Bearer, when set */
	size_t max_body;                /* 0: TESTSVC_BODY_MAX; more is a failed transfer */
	struct testsvc_upload_watch *watch;
};

struct testsvc_reply {
	long status;                    /* 0 when no HTTP answer came (see error) */
	char *body;                     /* NUL-terminated; NULL when empty */
	size_t len, cap, max;
	json_t *json;                   /* the body parsed, when it is JSON (and valid UTF-8) */
	char *headers;                  /* the raw header lines of the answer */
	size_t headers_len, headers_cap;
	char content_type[128];
	char error[CURL_ERROR_SIZE];
	double seconds;
};

static inline int testsvc_grow_(char **data, size_t *len, size_t *cap, const char *more, size_t n, size_t max)
{
	if (n > max || *len > max - n)
		return -1;
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 4096;
		char *grown;

		while (c < *len + n + 1)
			c *= 2;
		if (!(grown = realloc(*data, c)))
			return -1;
		*data = grown;
		*cap = c;
	}
	memcpy(*data + *len, more, n);
	*len += n;
	(*data)[*len] = '\0';
	return 0;
}

static inline size_t testsvc_body_write_(char *data, size_t size, size_t n, void *ctx)
{
	struct testsvc_reply *r = ctx;

	return testsvc_grow_(&r->body, &r->len, &r->cap, data, size * n, r->max) ? 0 : size * n;
}

static inline size_t testsvc_header_write_(char *data, size_t size, size_t n, void *ctx)
{
	struct testsvc_reply *r = ((void **)ctx)[0];
	struct testsvc_upload_watch *w = ((void **)ctx)[1];

	if (w)
		atomic_store(&w->answered, 1);
	/* a new response (after a 100 or a redirect) starts the headers afresh */
	if (size * n > 5 && !strncmp(data, "HTTP/", 5))
		r->headers_len = 0;
	return testsvc_grow_(&r->headers, &r->headers_len, &r->headers_cap, data, size * n, 1 << 20) ? 0 : size * n;
}

static inline int testsvc_progress_(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
				    curl_off_t ulnow)
{
	struct testsvc_upload_watch *w = ctx;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	if (w->total > 0 && ulnow >= w->total)
		atomic_store(&w->sent_all, 1);
	return 0;
}

static inline void testsvc_reply_free(struct testsvc_reply *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* The body as text ("" when empty). */
static inline const char *testsvc_body(const struct testsvc_reply *r)
{
	return r->body ? r->body : "";
}

/* The problem detail of an error answer ("" when none). */
static inline const char *testsvc_detail(const struct testsvc_reply *r)
{
	const char *d = json_string_value(json_object_get(r->json, "detail"));

	return d ? d : "";
}

/* The value of the answer's header name (case-insensitive) into out;
 * answers whether it was there. */
static inline int testsvc_header(char *out, size_t size, const struct testsvc_reply *r, const char *name)
{
	size_t n = strlen(name);
	const char *line = r->headers;

	if (size)
		out[0] = '\0';
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t line_len = end ? (size_t)(end - line) : strlen(line);

		if (line_len > n && !strncasecmp(line, name, n) && line[n] == ':') {
			const char *v = line + n + 1;
			size_t vlen;

			while (*v == ' ' || *v == '\t')
				v++;
			vlen = (size_t)(line + line_len - v);
			while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
				vlen--;
			snprintf(out, size, "%.*s", (int)vlen, v);
			return 1;
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

/* One request to https://127.0.0.1:<port>, trusting pki's CA. Transport
 * failures leave status 0 and say why in error. */
static inline void testsvc_https(struct testsvc_reply *r, const struct testsvc_pki *pki, int port,
				 const struct testsvc_request *req)
{
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	char url[2400], line[8400];
	void *header_ctx[2] = {r, req->watch};
	const char *ct = NULL;
	size_t i;
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	r->max = req->max_body ? req->max_body : TESTSVC_BODY_MAX;
	if (!c) {
		snprintf(r->error, sizeof(r->error), "curl_easy_init failed");
		return;
	}
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", port, req->path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, pki->ca);
	if (!req->no_client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, req->cert ? req->cert : pki->cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, req->key ? req->key : pki->key);
	}
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s : 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, testsvc_body_write_);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, testsvc_header_write_);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, header_ctx);
	if (req->user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	if (req->bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", req->bearer);
		headers = curl_slist_append(headers, line);
	}
	if (req->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", req->content_type);
		headers = curl_slist_append(headers, line);
	}
	for (i = 0; req->headers && req->headers[i]; i++)
		headers = curl_slist_append(headers, req->headers[i]);
	/* No "100-continue" round trip: the body goes out at once, as a plain
	 * client sends it. */
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	}
	if (req->method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->watch) {
		req->watch->total = (curl_off_t)req->len;
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, testsvc_progress_);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, req->watch);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->seconds);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
		/* jansson refuses invalid UTF-8: a parsed body is valid JSON text */
		if (r->len)
			r->json = json_loadb(r->body, r->len, 0, NULL);
	} else if (!r->error[0]) {
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(cc));
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
}

/* ---- service processes -------------------------------------------------------------------- */

struct testsvc {
	const char *name;      /* the log's name: <pki dir>/<name>.log */
	const char *identity;  /* the PKI's short name of its certificate */
	char bin[1024];
	const struct testsvc_pki *pki;
	pid_t pid;
	int port;              /* chosen at the first start, kept by restarts */
	int exited;
	int status;            /* its wait status once exited */
	int starts;
	struct rusage usage;   /* its resource use once exited */
};

static inline void testsvc_log_path(char *out, size_t size, const struct testsvc *s)
{
	snprintf(out, size, "%s/%s.log", s->pki->dir, s->name);
}

/* Whether the process still runs (reaping it when it ended). */
static inline int testsvc_alive(struct testsvc *s)
{
	if (s->exited || s->pid <= 0)
		return 0;
	if (wait4(s->pid, &s->status, WNOHANG, &s->usage) == s->pid) {
		s->exited = 1;
		return 0;
	}
	return 1;
}

/* Prints the last bytes of the service's log. */
static inline void testsvc_print_log_tail(const struct testsvc *s, size_t bytes)
{
	char path[400];
	size_t len = 0;
	unsigned char *log;

	testsvc_log_path(path, sizeof(path), s);
	log = testing_read_file(path, &len);
	if (log) {
		size_t from = len > bytes ? len - bytes : 0;
		printf("--- end of %s ---\n%s\n---\n", path, (char *)log + from);
		free(log);
	}
	fflush(stdout);
}

/* Lines of the service's log holding all of a, b and c (NULL: any). */
static inline size_t testsvc_log_lines(const struct testsvc *s, const char *a, const char *b, const char *c)
{
	char path[400], *line, *next;
	unsigned char *log;
	size_t len = 0, n = 0;

	testsvc_log_path(path, sizeof(path), s);
	log = testing_read_file(path, &len);
	if (!log)
		return 0;
	for (line = (char *)log; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((!a || strstr(line, a)) && (!b || strstr(line, b)) && (!c || strstr(line, c)))
			n++;
	}
	free(log);
	return n;
}

/* A request to the service (its port, its PKI). */
static inline void testsvc_call(struct testsvc_reply *r, const struct testsvc *s, const struct testsvc_request *req)
{
	testsvc_https(r, s->pki, s->port, req);
}

static inline void testsvc_set_(char **envp, size_t *k, size_t max, const char *setting, int replace)
{
	size_t key_len = strcspn(setting, "="), i;

	for (i = 0; i < *k; i++)
		if (!strncmp(envp[i], setting, key_len) && envp[i][key_len] == '=') {
			if (replace) {
				free(envp[i]);
				envp[i] = strdup(setting);
			}
			return;
		}
	if (*k < max)
		envp[(*k)++] = strdup(setting);
}

/*
 * Starts s->bin (see the top comment for its environment; settings is a
 * NULL-terminated list of "NAME=value" that win over the defaults, may be
 * NULL) with standard output and error appended to its log, and waits for
 * /readyz. -1, with the log's end printed, when it dies or is not ready in
 * TESTSVC_READY_TIMEOUT_S.
 */
static inline int testsvc_start(struct testsvc *s, const char *const *settings)
{
	char line[1400], path[400], **envp, *argv[2];
	posix_spawn_file_actions_t fa;
	size_t n = 0, i, k = 0, max;
	int attempt, rc;

	if (!s->port)
		s->port = testsvc_free_port();
	s->exited = 0;
	s->status = 0;
	while (environ[n])
		n++;
	for (i = 0; settings && settings[i]; i++)
		;
	max = n + i + 8;
	envp = calloc(max + 1, sizeof(*envp));
	if (!envp)
		return -1;
	/* the caller's environment (sanitizer options included) less ROX_ */
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "ROX_", 4) != 0)
			testsvc_set_(envp, &k, max, environ[i], 0);
	snprintf(line, sizeof(line), "ROX_LISTEN_ADDRESS=127.0.0.1:%d", s->port);
	testsvc_set_(envp, &k, max, line, 1);
	snprintf(line, sizeof(line), "ROX_TLS_CERT=%s/%s.crt", s->pki->dir, s->identity);
	testsvc_set_(envp, &k, max, line, 1);
	snprintf(line, sizeof(line), "ROX_TLS_KEY=%s/%s.key", s->pki->dir, s->identity);
	testsvc_set_(envp, &k, max, line, 1);
	snprintf(line, sizeof(line), "ROX_TLS_CA=%s", s->pki->ca);
	testsvc_set_(envp, &k, max, line, 1);
	testsvc_set_(envp, &k, max, "ROX_LOG_LEVEL=info", 1);
	for (i = 0; settings && settings[i]; i++)
		testsvc_set_(envp, &k, max, settings[i], 1);
	envp[k] = NULL;

	testsvc_log_path(path, sizeof(path), s);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	argv[0] = s->bin;
	argv[1] = NULL;
	rc = posix_spawn(&s->pid, s->bin, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < k; i++)
		free(envp[i]);
	free(envp);
	if (rc != 0) {
		fprintf(stderr, "cannot start %s: %s\n", s->bin, strerror(rc));
		s->pid = 0;
		return -1;
	}
	s->starts++;
	for (attempt = 0; attempt < TESTSVC_READY_TIMEOUT_S * 10; attempt++) {
		struct testsvc_request ready = {.path = "/readyz", .timeout_s = 2};
		struct testsvc_reply r;

		if (!testsvc_alive(s)) {
			testsvc_print_log_tail(s, 6000);
			return -1;
		}
		testsvc_call(&r, s, &ready);
		rc = r.status == 200;
		testsvc_reply_free(&r);
		if (rc) {
			printf("%s (pid %d) serves on 127.0.0.1:%d\n", s->name, (int)s->pid, s->port);
			fflush(stdout);
			return 0;
		}
		usleep(100 * 1000);
	}
	testsvc_print_log_tail(s, 6000);
	return -1;
}

/* Sends sig and waits for the process to end. */
static inline void testsvc_kill(struct testsvc *s, int sig)
{
	if (s->pid > 0 && testsvc_alive(s)) {
		kill(s->pid, sig);
		if (wait4(s->pid, &s->status, 0, &s->usage) == s->pid)
			s->exited = 1;
	}
}

/* Fails the test, with the log's end, when the service has died. */
static inline void testsvc_expect_alive(struct testsvc *s)
{
	if (!testsvc_alive(s)) {
		testsvc_print_log_tail(s, 6000);
		fail_msg("%s died: %s %d", s->name, WIFSIGNALED(s->status) ? "signal" : "exit status",
			 WIFSIGNALED(s->status) ? WTERMSIG(s->status) : WEXITSTATUS(s->status));
	}
}

/* SIGTERM, then up to 30 s for a clean exit, then SIGKILL. Answers whether
 * the service ended with status 0 (or was not running). */
static inline int testsvc_stop(struct testsvc *s)
{
	int i;

	if (s->pid <= 0)
		return 1; /* never started */
	if (!testsvc_alive(s))
		return WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0;
	kill(s->pid, SIGTERM);
	for (i = 0; i < 300 && testsvc_alive(s); i++)
		usleep(100 * 1000);
	if (testsvc_alive(s)) {
		fprintf(stderr, "%s ignored SIGTERM for 30 s; killing it\n", s->name);
		testsvc_kill(s, SIGKILL);
		return 0;
	}
	if (!WIFEXITED(s->status) || WEXITSTATUS(s->status) != 0) {
		fprintf(stderr, "%s ended with %s %d\n", s->name, WIFSIGNALED(s->status) ? "signal" : "exit status",
			WIFSIGNALED(s->status) ? WTERMSIG(s->status) : WEXITSTATUS(s->status));
		testsvc_print_log_tail(s, 6000);
		return 0;
	}
	return 1;
}

/*
 * How many requests the service has answered for a route template of its
 * spec ("/v4/index-reports"), method and status, from its Prometheus
 * /metrics (http_requests_total); 0 when none, -1 when /metrics does not
 * answer.
 */
static inline long long testsvc_requests_served(const struct testsvc *s, const char *route, const char *method,
						long status)
{
	struct testsvc_request req = {.path = "/metrics", .timeout_s = 10};
	struct testsvc_reply r;
	char needle[512];
	const char *at;
	long long n = 0;

	testsvc_call(&r, s, &req);
	if (r.status != 200) {
		testsvc_reply_free(&r);
		return -1;
	}
	snprintf(needle, sizeof(needle), "route=\"%s\",method=\"%s\",status=\"%ld\"} ", route, method, status);
	for (at = testsvc_body(&r); (at = strstr(at, needle)) != NULL; at += strlen(needle)) {
		const char *line = at;

		while (line > r.body && line[-1] != '\n')
			line--;
		if (!strncmp(line, "http_requests_total{", 20))
			n += strtoll(at + strlen(needle), NULL, 10);
	}
	testsvc_reply_free(&r);
	return n;
}

/* ---- the run's PostgreSQL schema ---------------------------------------------------------- */

#ifdef LIBPQ_FE_H
/* One statement on a connection of its own; -1 (printed) unless it worked. */
static inline int testsvc_db_exec(const char *url, const char *sql)
{
	PGconn *conn = PQconnectdb(url);
	PGresult *res;
	ExecStatusType st;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "PostgreSQL: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	res = PQexec(conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fprintf(stderr, "PostgreSQL: %s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
}

struct testsvc_schema {
	char name[64];
	char *url;              /* base_url with options=-csearch_path=<name>: give it to the services */
	const char *base_url;
	int made;
};

/* Creates <prefix>_<pid>_<seconds> in the database of base_url (prefix: a
 * plain SQL identifier). -1 (printed) on failure. */
static inline int testsvc_schema_create(struct testsvc_schema *s, const char *base_url, const char *prefix)
{
	char sql[160];

	memset(s, 0, sizeof(*s));
	s->base_url = base_url;
	snprintf(s->name, sizeof(s->name), "%s_%d_%ld", prefix, (int)getpid(), (long)time(NULL));
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", s->name);
	if (testsvc_db_exec(base_url, sql) != 0)
		return -1;
	s->made = 1;
	if (asprintf(&s->url, "%s%soptions=-csearch_path%%3D%s", base_url, strchr(base_url, '?') ? "&" : "?",
		     s->name) < 0) {
		s->url = NULL;
		return -1;
	}
	return 0;
}

/* Drops the schema with everything in it; a no-op when none was made. */
static inline void testsvc_schema_drop(struct testsvc_schema *s)
{
	char sql[160];

	if (s->made) {
		snprintf(sql, sizeof(sql), "SET client_min_messages TO warning; DROP SCHEMA %s CASCADE", s->name);
		testsvc_db_exec(s->base_url, sql);
		s->made = 0;
	}
	free(s->url);
	s->url = NULL;
}
#endif

#endif
