/*
 * roxctl_e2e_test.c - this build's roxctl binary against this build's
 * central binary, as a CI pipeline would run it: real processes, real
 * TLS, real exit codes, stdout and stderr read back from files.
 *
 * Central runs as a child on a free loopback port with a throw-away PKI
 * (shared/pki, pki_dir_dev), keeps its tables in a PostgreSQL schema of
 * this run only (ASEC_TEST_DATABASE_URL with options=-csearch_path=<schema>,
 * dropped at the end), and is told that its indexer and matcher live on a
 * loopback port nobody listens on, so an image scan must come back as 503
 * naming a scanner (a small registry in this test serves the image's
 * manifest, which central fetches first). The admin password is set by the test; API tokens
 * are generated through POST /v1/apitokens/generate with libcurl.
 *
 * Checked: help and usage errors (0, 2); whoami with the password, with a
 * token in ROX_API_TOKEN, in --token-file and in ROX_API_TOKEN_FILE, and a
 * token beside a wrong password (the token wins); a wrong password (3); a
 * role None token on image scan (3, central's 403 detail shown); a closed
 * port and a port that accepts but never answers (4, within the timeout);
 * an image scan while the scanners are unreachable (4 after the retries,
 * the message naming the scanner central named); that no secret is ever printed; and a
 * clean stop of central.
 *
 * The scan that succeeds needs an indexer, a matcher, vulnerability data
 * and a registry holding an image with a known CVE, which this test does
 * not build. It runs only with ASEC_TEST_ROXCTL_SCAN=1 and then needs
 * ASEC_TEST_ROXCTL_IMAGE (the image), ASEC_TEST_ROXCTL_INDEXER_URL and
 * ASEC_TEST_ROXCTL_MATCHER_URL (central is restarted pointing at them),
 * optionally ASEC_TEST_ROXCTL_PKI_DIR (a PKI directory whose central
 * certificate the scanners trust; else this run's) and
 * ASEC_TEST_ROXCTL_CVE (a CVE id the table must name; else any "CVE-").
 *
 * The policy checks and policy export/import (test_08b) check their usage
 * errors, then run against central's detection: a policy with
 * SCALE_TO_ZERO_ENFORCEMENT on privileged
 * containers is imported with `roxctl policy import`, exported back, and
 * `roxctl deployment check` of a privileged Deployment must fail (1) with
 * it in every format, while an unprivileged one passes (0).
 *
 * Needs ASEC_TEST_DATABASE_URL; skips (77) without it, fails under CI=true.
 * The binaries' paths are compiled in (roxctl.cmake); ROXCTL_E2E_ROXCTL_BIN
 * and ROXCTL_E2E_CENTRAL_BIN in the environment override them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "error/error.h"
#include "pki/pki.h"
#include "testing/testing.h"

extern char **environ;

#define READY_TIMEOUT_S 90
/* Longest any one roxctl run may take before the test kills it. */
#define RUN_LIMIT_S 120

static const char admin_password[] = "e2e-Admin-Pa55word!";

static struct {
	char dir[256];
	char pki[320], ca[400], cert[400], key[400];
	char schema[64];
	char *db_url;
	const char *base_db_url;
	int schema_made;
	char roxctl[1024], central_bin[1024];
	pid_t central;
	int port;
	int dead_port; /* nobody listens: central's scanners, and roxctl's closed endpoint */
	char endpoint[64];
	char *ci_token;   /* role Continuous Integration */
	char *none_token; /* role None */
} run;

/* ---- small things ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void binary_path(char *out, size_t size, const char *env_name, const char *compiled)
{
	const char *given = getenv(env_name);

	snprintf(out, size, "%s", given && given[0] ? given : compiled);
}

static char *file_text(const char *path)
{
	size_t len = 0;
	unsigned char *data = testing_read_file(path, &len);

	return data ? (char *)data : strdup("");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* ---- PostgreSQL --------------------------------------------------------------------------- */

static int db_exec(const char *sql)
{
	PGconn *c = PQconnectdb(run.base_db_url);
	PGresult *res;
	int ok;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "PostgreSQL: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	res = PQexec(c, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return ok ? 0 : -1;
}

/* ---- central ------------------------------------------------------------------------------ */

/* GET or POST to central with libcurl: admin basic credentials or a token.
 * Returns the status (0: no answer); *body gets the answer's text. */
struct buf {
	char *data;
	size_t len;
};

static size_t buf_write(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	char *grown = realloc(b->data, b->len + size * n + 1);

	if (!grown)
		return 0;
	memcpy(grown + b->len, data, size * n);
	b->len += size * n;
	grown[b->len] = '\0';
	b->data = grown;
	return size * n;
}

static long https(char **body, const char *method, const char *path, const char *json, const char *bearer)
{
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct buf b = {0};
	char url[256], auth[4096];
	long status = 0;

	if (!c)
		return 0;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", run.port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, run.ca);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (bearer) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		headers = curl_slist_append(headers, auth);
	} else {
		curl_easy_setopt(c, CURLOPT_USERNAME, "admin");
		curl_easy_setopt(c, CURLOPT_PASSWORD, admin_password);
	}
	if (json) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (body)
		*body = b.data ? b.data : strdup("");
	else
		free(b.data);
	return status;
}

static int central_alive(void)
{
	int status;

	return run.central > 0 && waitpid(run.central, &status, WNOHANG) == 0;
}

static void central_log_tail(void)
{
	char path[400], *log;
	size_t len;

	snprintf(path, sizeof(path), "%s/central.log", run.dir);
	log = file_text(path);
	len = strlen(log);
	printf("--- end of %s ---\n%s\n---\n", path, log + (len > 5000 ? len - 5000 : 0));
	free(log);
}

/* Starts central with its indexer and matcher at the given URLs and waits
 * for /readyz. Returns 0 or -1 (with the log printed). */
static int central_start(const char *indexer_url, const char *matcher_url, const char *pki_dir)
{
	char *envp[64];
	char data_dir[320], log[400];
	char *argv[] = {run.central_bin, NULL};
	posix_spawn_file_actions_t fa;
	size_t k = 0, i;
	double t0;
	int rc = -1;

	snprintf(data_dir, sizeof(data_dir), "%s/central", run.dir);
	mkdir(data_dir, 0700);
	snprintf(log, sizeof(log), "%s/central.log", run.dir);
	run.port = free_port();
	for (i = 0; environ[i] && k < 40; i++) {
		if (strncmp(environ[i], "ROX_", 4) != 0)
			envp[k++] = environ[i];
	}
	if (asprintf(&envp[k++], "ROX_LISTEN_ADDRESS=127.0.0.1:%d", run.port) < 0 ||
	    asprintf(&envp[k++], "ROX_TLS_CERT=%s/central.crt", pki_dir) < 0 ||
	    asprintf(&envp[k++], "ROX_TLS_KEY=%s/central.key", pki_dir) < 0 ||
	    asprintf(&envp[k++], "ROX_TLS_CA=%s/ca.crt", pki_dir) < 0 ||
	    asprintf(&envp[k++], "ROX_CENTRAL_DB_URL=%s", run.db_url) < 0 ||
	    asprintf(&envp[k++], "ROX_CENTRAL_DATA_DIR=%s", data_dir) < 0 ||
	    asprintf(&envp[k++], "ROX_ADMIN_PASSWORD=%s", admin_password) < 0 ||
	    asprintf(&envp[k++], "ROX_CENTRAL_INDEXER_URL=%s", indexer_url) < 0 ||
	    asprintf(&envp[k++], "ROX_CENTRAL_MATCHER_URL=%s", matcher_url) < 0 ||
	    asprintf(&envp[k++], "ROX_LOG_LEVEL=info") < 0)
		return -1;
	envp[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&run.central, run.central_bin, &fa, NULL, argv, envp) != 0) {
		fprintf(stderr, "cannot start %s: %s\n", run.central_bin, strerror(errno));
		run.central = 0;
		goto out;
	}
	for (t0 = now_s(); now_s() - t0 < READY_TIMEOUT_S; usleep(100 * 1000)) {
		if (!central_alive()) {
			fprintf(stderr, "central exited at start\n");
			central_log_tail();
			run.central = 0;
			goto out;
		}
		if (https(NULL, "GET", "/readyz", NULL, NULL) == 200) {
			rc = 0;
			goto out;
		}
	}
	fprintf(stderr, "central was not ready within %d s\n", READY_TIMEOUT_S);
	central_log_tail();
out:
	posix_spawn_file_actions_destroy(&fa);
	for (i = k - 10; i < k; i++)
		free(envp[i]);
	return rc;
}

/* SIGTERM and wait; returns the exit status (-1: did not stop in 30 s). */
static int central_stop(void)
{
	int status = -1, i;

	if (run.central <= 0)
		return -1;
	kill(run.central, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(run.central, &status, WNOHANG) == run.central) {
			run.central = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(100 * 1000);
	}
	kill(run.central, SIGKILL);
	waitpid(run.central, &status, 0);
	run.central = 0;
	return -1;
}

static char *token_generate(const char *name, const char *role)
{
	char json[256], *body = NULL, *token = NULL;
	json_t *answer;
	long status;

	snprintf(json, sizeof(json), "{\"name\":\"%s\",\"roles\":[\"%s\"]}", name, role);
	status = https(&body, "POST", "/v1/apitokens/generate", json, NULL);
	if (status != 200)
		fail_msg("POST /v1/apitokens/generate %s: %ld %s", role, status, body);
	answer = json_loads(body, 0, NULL);
	if (json_string_value(json_object_get(answer, "token")))
		token = strdup(json_string_value(json_object_get(answer, "token")));
	json_decref(answer);
	free(body);
	assert_non_null(token);
	return token;
}

/* ---- a registry that knows one manifest ------------------------------------------------ */

/*
 * Central asks the registry for the image's manifest before it calls the
 * indexer, so that an unreachable indexer is what the scan trips over, a
 * registry must answer. This one serves one OCI manifest (whose layers do
 * not exist: nobody gets that far) for every .../manifests/... request,
 * with its true Docker-Content-Digest, and {} for anything else, one
 * connection at a time, over plain HTTP on loopback.
 */
static struct {
	int fd;
	int port;
	pthread_t thread;
	volatile int stop;
	char manifest[1024];
	char digest[80];
} reg;

static void registry_answer(int c)
{
	char req[8192], head[512];
	size_t len = 0;
	ssize_t n;
	int is_manifest, is_head;
	const char *body;

	while (len < sizeof(req) - 1 && (n = read(c, req + len, sizeof(req) - 1 - len)) > 0) {
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = '\0';
	is_manifest = strstr(req, "/manifests/") != NULL;
	is_head = strncmp(req, "HEAD ", 5) == 0;
	body = is_manifest ? reg.manifest : "{}";
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s%s"
		 "Docker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n",
		 is_manifest ? "application/vnd.oci.image.manifest.v1+json" : "application/json", strlen(body),
		 is_manifest ? "Docker-Content-Digest: " : "", is_manifest ? reg.digest : "", is_manifest ? "\r\n" : "");
	if (write(c, head, strlen(head)) < 0 || (!is_head && write(c, body, strlen(body)) < 0))
		return;
}

static void *registry_serve(void *arg)
{
	(void)arg;
	while (!reg.stop) {
		struct pollfd p = {.fd = reg.fd, .events = POLLIN};
		int c;
		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((c = accept(reg.fd, NULL, NULL)) < 0)
			continue;
		registry_answer(c);
		close(c);
	}
	return NULL;
}

static int registry_start(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	unsigned char sum[32];
	size_t i;

	snprintf(reg.manifest, sizeof(reg.manifest),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,"
		 "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":32,"
		 "\"digest\":\"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef\"}]}");
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, reg.manifest, strlen(reg.manifest), sum) < 0)
		return -1;
	strcpy(reg.digest, "sha256:");
	for (i = 0; i < sizeof(sum); i++)
		snprintf(reg.digest + 7 + 2 * i, 3, "%02x", sum[i]);
	reg.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (reg.fd < 0 || bind(reg.fd, (struct sockaddr *)&a, sizeof(a)) || listen(reg.fd, 16) ||
	    getsockname(reg.fd, (struct sockaddr *)&a, &alen))
		return -1;
	reg.port = ntohs(a.sin_port);
	return pthread_create(&reg.thread, NULL, registry_serve, NULL) ? -1 : 0;
}

static void registry_stop(void)
{
	if (reg.port) {
		reg.stop = 1;
		pthread_join(reg.thread, NULL);
		close(reg.fd);
		reg.port = 0;
	}
}

/* ---- running roxctl ----------------------------------------------------------------------- */

struct result {
	int code; /* exit status; 128+signal when killed */
	char *out;
	char *err;
	double seconds;
};

/* The texts of the last result not freed yet: a failed check leaves its
 * test by longjmp, whose stack frame (and struct result) is gone then, so
 * the texts themselves are remembered and freed by the next run or by
 * teardown. */
static char *pending_out, *pending_err;

static void pending_free(void)
{
	free(pending_out);
	free(pending_err);
	pending_out = pending_err = NULL;
}

static void result_free(struct result *r)
{
	if (r->out == pending_out && r->err == pending_err)
		pending_out = pending_err = NULL;
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Runs roxctl with the given arguments (NULL-terminated) and extra
 * environment ("NAME=value", NULL-terminated, may be NULL). The inherited
 * environment loses every ROX_ variable, NO_COLOR and the proxies, so the
 * caller's shell cannot change the outcome. */
static void roxctl(struct result *r, const char *const *extra_env, ...)
{
	char *argv[32], *envp[96], out_path[400], err_path[400];
	posix_spawn_file_actions_t fa;
	size_t k = 0, i;
	int a = 0, status;
	pid_t pid;
	va_list ap;
	double t0;

	pending_free();
	memset(r, 0, sizeof(*r));
	argv[a++] = run.roxctl;
	va_start(ap, extra_env);
	for (const char *s; (s = va_arg(ap, const char *)) && a < 31;)
		argv[a++] = (char *)s;
	va_end(ap);
	argv[a] = NULL;
	for (i = 0; environ[i] && k < 80; i++) {
		if (strncmp(environ[i], "ROX_", 4) != 0 && strncmp(environ[i], "NO_COLOR=", 9) != 0 &&
		    !strcasestr(environ[i], "_proxy="))
			envp[k++] = environ[i];
	}
	envp[k++] = "no_proxy=*";
	for (i = 0; extra_env && extra_env[i] && k < 95; i++)
		envp[k++] = (char *)extra_env[i];
	envp[k] = NULL;
	snprintf(out_path, sizeof(out_path), "%s/roxctl.out", run.dir);
	snprintf(err_path, sizeof(err_path), "%s/roxctl.err", run.dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	t0 = now_s();
	if (posix_spawn(&pid, run.roxctl, &fa, NULL, argv, envp) != 0)
		fail_msg("cannot start %s: %s", run.roxctl, strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (now_s() - t0 > RUN_LIMIT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(20 * 1000);
	}
	r->seconds = now_s() - t0;
	r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = file_text(out_path);
	r->err = file_text(err_path);
	pending_out = r->out;
	pending_err = r->err;
	printf("  $ roxctl");
	for (i = 1; argv[i]; i++)
		printf(" %s", strcmp(argv[i], admin_password) == 0 ? "<password>" : argv[i]);
	printf("  -> %d (%.2f s)\n", r->code, r->seconds);
	/* stderr is short and says why; the CI log should show it */
	if (r->err[0])
		printf("    | %s%s", r->err, r->err[strlen(r->err) - 1] == '\n' ? "" : "\n");
}

static void expect(const struct result *r, int code, const char *in_out, const char *in_err)
{
	if (r->code != code || (in_out && !strstr(r->out, in_out)) || (in_err && !strstr(r->err, in_err)))
		fail_msg("expected exit %d with \"%s\" on stdout and \"%s\" on stderr; got %d\n--- stdout\n%s--- stderr\n%s",
			 code, in_out ? in_out : "", in_err ? in_err : "", r->code, r->out, r->err);
	/* nothing secret, ever */
	if (strstr(r->out, admin_password) || strstr(r->err, admin_password) ||
	    (run.ci_token && (strstr(r->out, run.ci_token) || strstr(r->err, run.ci_token))) ||
	    (run.none_token && (strstr(r->out, run.none_token) || strstr(r->err, run.none_token))))
		fail_msg("a secret was printed:\n--- stdout\n%s--- stderr\n%s", r->out, r->err);
}

#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- setup -------------------------------------------------------------------------------- */

static int setup(void **state)
{
	char sql[160], *pki_dir = NULL;
	int rc;

	(void)state;
	run.base_db_url = getenv("ASEC_TEST_DATABASE_URL");
	if (!run.base_db_url || !run.base_db_url[0]) {
		fprintf(stderr, "%s: ASEC_TEST_DATABASE_URL is not set (scripts/test.sh sets it)\n",
			testing_in_ci() ? "FAIL" : "SKIP");
		exit(testing_in_ci() ? 1 : TESTING_SKIP);
	}
	binary_path(run.roxctl, sizeof(run.roxctl), "ROXCTL_E2E_ROXCTL_BIN", ROXCTL_E2E_ROXCTL_BIN);
	binary_path(run.central_bin, sizeof(run.central_bin), "ROXCTL_E2E_CENTRAL_BIN", ROXCTL_E2E_CENTRAL_BIN);
	if (access(run.roxctl, X_OK) || access(run.central_bin, X_OK)) {
		fprintf(stderr, "%s or %s is not an executable\n", run.roxctl, run.central_bin);
		return -1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(run.dir, sizeof(run.dir), "%s/roxctl-e2e-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(run.dir))
		return -1;
	snprintf(run.pki, sizeof(run.pki), "%s/pki", run.dir);
	if ((rc = pki_dir_dev(run.pki, NULL, NULL))) {
		fprintf(stderr, "making the PKI: %s\n", error_last());
		return -1;
	}
	pki_dir = run.pki;
	snprintf(run.ca, sizeof(run.ca), "%s/ca.crt", run.pki);

	snprintf(run.schema, sizeof(run.schema), "roxctl_e2e_%ld_%ld", (long)getpid(), (long)time(NULL));
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", run.schema);
	if (db_exec(sql))
		return -1;
	run.schema_made = 1;
	if (asprintf(&run.db_url, "%s%soptions=-csearch_path%%3D%s", run.base_db_url,
		     strchr(run.base_db_url, '?') ? "&" : "?", run.schema) < 0)
		return -1;

	if (registry_start()) {
		fprintf(stderr, "cannot start the fake registry\n");
		return -1;
	}
	run.dead_port = free_port();
	{
		char dead[64];
		snprintf(dead, sizeof(dead), "https://127.0.0.1:%d", run.dead_port);
		if (central_start(dead, dead, pki_dir))
			return -1;
	}
	snprintf(run.endpoint, sizeof(run.endpoint), "127.0.0.1:%d", run.port);
	printf("central on %s, its scanners on the closed port %d, schema %s, files in %s\n", run.endpoint,
	       run.dead_port, run.schema, run.dir);
	return 0;
}

static int teardown(void **state)
{
	char sql[160];

	(void)state;
	pending_free();
	registry_stop();
	if (run.central > 0)
		central_stop();
	if (run.schema_made) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", run.schema);
		db_exec(sql);
	}
	if (run.dir[0] && !getenv("ROXCTL_E2E_KEEP"))
		nftw(run.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(run.db_url);
	free(run.ci_token);
	free(run.none_token);
	curl_global_cleanup();
	return 0;
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void test_01_help_and_usage(void **state)
{
	struct result r;

	(void)state;
	roxctl(&r, NULL, "--help", NULL);
	expect(&r, 0, "Exit codes:", NULL);
	result_free(&r);
	roxctl(&r, NULL, "image", "scan", "--help", NULL);
	expect(&r, 0, "-i, --image", NULL);
	result_free(&r);
	roxctl(&r, NULL, "version", NULL);
	expect(&r, 0, ".", NULL);
	result_free(&r);

	roxctl(&r, NULL, "image", "scan", "--no-such-flag", NULL);
	expect(&r, 2, NULL, "ERROR: unknown flag: --no-such-flag");
	assert_non_null(strstr(r.err, "--help"));
	assert_string_equal(r.out, "");
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "image", "scan", "-p", admin_password, NULL);
	expect(&r, 2, NULL, "required flag -i/--image");
	result_free(&r);
	roxctl(&r, NULL, "-e", "http://127.0.0.1:1", "central", "whoami", NULL);
	expect(&r, 2, NULL, "http://");
	result_free(&r);
	roxctl(&r, NULL, "central", "whoareyou", NULL);
	expect(&r, 2, NULL, "unknown command \"whoareyou\"");
	result_free(&r);
}

static void test_02_whoami_password(void **state)
{
	struct result r;
	char pw_env[128], pw_flag[128];

	(void)state;
	/* flags after the words, and --flag=value */
	snprintf(pw_flag, sizeof(pw_flag), "--password=%s", admin_password);
	roxctl(&r, NULL, "central", "whoami", "--ca", run.ca, "-e", run.endpoint, pw_flag, NULL);
	expect(&r, 0, "UserID:\n\tadmin\nUser name:\n\tadmin\n", NULL);
	assert_non_null(strstr(r.out, "Roles:\n\t- Admin\n"));
	assert_non_null(strstr(r.out, "\trw Image\n"));
	assert_null(strstr(r.out, "Expires:")); /* the password does not expire */
	assert_string_equal(r.err, "");
	result_free(&r);

	/* the environment, flags before the words */
	snprintf(pw_env, sizeof(pw_env), "ROX_ADMIN_PASSWORD=%s", admin_password);
	{
		char ep[96], ca[480];
		snprintf(ep, sizeof(ep), "ROX_ENDPOINT=https://%s", run.endpoint);
		snprintf(ca, sizeof(ca), "ROX_CA_CERT_FILE=%s", run.ca);
		roxctl(&r, ENV(pw_env, ep, ca), "central", "whoami", NULL);
		expect(&r, 0, "UserID:\n\tadmin\n", NULL);
		result_free(&r);
	}

	/* without --ca the private CA is not trusted: a TLS failure, exit 4 */
	roxctl(&r, ENV(pw_env), "-e", run.endpoint, "central", "whoami", NULL);
	expect(&r, 4, NULL, run.endpoint);
	result_free(&r);
	/* unless verification is off */
	roxctl(&r, ENV(pw_env), "-e", run.endpoint, "--insecure-skip-tls-verify", "central", "whoami", NULL);
	expect(&r, 0, "UserID:\n\tadmin\n", NULL);
	result_free(&r);
}

static void test_03_bad_password(void **state)
{
	struct result r;

	(void)state;
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", "wrong-password", "central", "whoami", NULL);
	expect(&r, 3, NULL, "ERROR: ");
	assert_non_null(strstr(r.err, "answered 401"));
	assert_null(strstr(r.err, "wrong-password"));
	assert_string_equal(r.out, "");
	result_free(&r);
	/* no credentials at all: refused before anything is sent */
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "central", "whoami", NULL);
	expect(&r, 3, NULL, "no credentials");
	result_free(&r);
}

static void test_04_whoami_token(void **state)
{
	struct result r;
	char tok_env[4200], file[400], file_env[480];
	FILE *f;

	(void)state;
	run.ci_token = token_generate("roxctl-e2e-ci", "Continuous Integration");
	run.none_token = token_generate("roxctl-e2e-none", "None");
	snprintf(tok_env, sizeof(tok_env), "ROX_API_TOKEN=%s", run.ci_token);

	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", run.ca, "central", "whoami", NULL);
	expect(&r, 0, "User name:\n\troxctl-e2e-ci\n", NULL);
	assert_non_null(strstr(r.out, "UserID:\n\tapitoken:"));
	assert_non_null(strstr(r.out, "Expires:\n\t20"));
	assert_non_null(strstr(r.out, "Roles:\n\t- Continuous Integration\n"));
	assert_non_null(strstr(r.out, "\trw Image\n"));
	result_free(&r);

	/* a token wins over a (wrong) password */
	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", run.ca, "-p", "wrong", "central", "whoami", NULL);
	expect(&r, 0, "\troxctl-e2e-ci\n", NULL);
	result_free(&r);

	/* a token file, written as `echo $TOKEN > file` writes it */
	snprintf(file, sizeof(file), "%s/token", run.dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", run.none_token);
	fclose(f);
	roxctl(&r, NULL, "central", "whoami", "--token-file", file, "-e", run.endpoint, "--ca", run.ca, NULL);
	expect(&r, 0, "\troxctl-e2e-none\n", NULL);
	assert_non_null(strstr(r.out, "Roles:\n\t- None\nAccess:\n"));
	result_free(&r);
	snprintf(file_env, sizeof(file_env), "ROX_API_TOKEN_FILE=%s", file);
	roxctl(&r, ENV(file_env), "central", "whoami", "-e", run.endpoint, "--ca", run.ca, NULL);
	expect(&r, 0, "\troxctl-e2e-none\n", NULL);
	result_free(&r);

	/* a token central did not sign is refused with 401 */
	roxctl(&r, ENV("ROX_API_TOKEN=eyJhbGciOiJIUzI1NiJ9.e30.AAAA"), "central", "whoami", "-e", run.endpoint, "--ca",
	       run.ca, NULL);
	expect(&r, 3, NULL, "answered 401");
	result_free(&r);
}

static void test_05_role_none_scan(void **state)
{
	struct result r;
	char tok_env[4200];

	(void)state;
	assert_non_null(run.none_token);
	snprintf(tok_env, sizeof(tok_env), "ROX_API_TOKEN=%s", run.none_token);
	roxctl(&r, ENV(tok_env), "image", "scan", "-i", "127.0.0.1:5000/library/demo:latest", "-e", run.endpoint, "--ca",
	       run.ca, NULL);
	expect(&r, 3, NULL, "answered 403");
	assert_string_equal(r.out, "");
	assert_null(strstr(r.err, "WARN")); /* a 403 is not retried */
	result_free(&r);
}

static void test_06_unreachable(void **state)
{
	struct result r;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	char closed[64], silent[64];
	int fd;

	(void)state;
	/* a closed port: refused at once */
	snprintf(closed, sizeof(closed), "127.0.0.1:%d", run.dead_port);
	roxctl(&r, NULL, "-e", closed, "-p", admin_password, "central", "whoami", NULL);
	expect(&r, 4, NULL, closed);
	assert_non_null(strstr(r.err, "the connection to central at"));
	assert_non_null(strstr(r.err, "connection refused"));
	result_free(&r);

	/* a port that accepts connections and never answers: the timeout */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(silent, sizeof(silent), "127.0.0.1:%d", ntohs(a.sin_port));
	roxctl(&r, NULL, "-e", silent, "-p", admin_password, "-t", "1s", "central", "whoami", NULL);
	expect(&r, 4, NULL, silent);
	assert_non_null(strstr(r.err, "within the timeout of 1000 ms"));
	if (r.seconds > 5)
		fail_msg("a 1 s timeout took %.2f s", r.seconds);
	result_free(&r);

	/* with retries: each attempt bounded, every retry announced */
	roxctl(&r, NULL, "image", "scan", "-i", "x", "-e", silent, "-p", admin_password, "-t", "700ms", "-r", "2", "-d",
	       "0", NULL);
	expect(&r, 4, NULL, "WARN: attempt 1 of 3 failed");
	assert_non_null(strstr(r.err, "WARN: attempt 2 of 3 failed"));
	assert_non_null(strstr(r.err, "gave up after 3 attempts"));
	if (r.seconds < 2.0 || r.seconds > 8)
		fail_msg("three attempts of 700 ms took %.2f s", r.seconds);
	result_free(&r);
	close(fd);
}

static void test_07_scan_without_scanners(void **state)
{
	struct result r;
	char tok_env[4200], image[96];

	(void)state;
	assert_non_null(run.ci_token);
	snprintf(tok_env, sizeof(tok_env), "ROX_API_TOKEN=%s", run.ci_token);
	snprintf(image, sizeof(image), "127.0.0.1:%d/library/demo:latest", reg.port);
	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", run.ca, "image", "scan", "-i", image, "-r", "2", "-d", "1",
	       "--fail", NULL);
	/* which scanner central trips over first is central's business (it
	 * asks the matcher for its data version before indexing); roxctl must
	 * pass on the name central gives */
	expect(&r, 4, NULL, "answered 503: scanner-");
	assert_non_null(strstr(r.err, "is unreachable"));
	assert_non_null(strstr(r.err, run.endpoint));
	assert_non_null(strstr(r.err, "WARN: attempt 1 of 3 failed"));
	assert_non_null(strstr(r.err, "WARN: attempt 2 of 3 failed"));
	assert_non_null(strstr(r.err, "gave up after 3 attempts"));
	assert_null(strstr(r.err, "--fail:")); /* no result, no gate */
	assert_string_equal(r.out, "");
	/* central may ask for longer with Retry-After, which is honoured */
	if (r.seconds < 2.0)
		fail_msg("two retries at least 1 s apart took only %.2f s", r.seconds);
	result_free(&r);
}

/* The real scan (ASEC_TEST_ROXCTL_SCAN=1): central restarted against the
 * scanners the environment names. */
static void test_08_scan_success(void **state)
{
	const char *on = getenv("ASEC_TEST_ROXCTL_SCAN"), *image = getenv("ASEC_TEST_ROXCTL_IMAGE"),
		   *indexer = getenv("ASEC_TEST_ROXCTL_INDEXER_URL"), *matcher = getenv("ASEC_TEST_ROXCTL_MATCHER_URL"),
		   *pki = getenv("ASEC_TEST_ROXCTL_PKI_DIR"), *cve = getenv("ASEC_TEST_ROXCTL_CVE");
	struct result r;
	char tok_env[4200], ca[400];
	json_t *doc;

	(void)state;
	if (!on || strcmp(on, "1") != 0) {
		printf("  (the successful scan needs ASEC_TEST_ROXCTL_SCAN=1 and a full stack; not run)\n");
		return;
	}
	if (!image || !indexer || !matcher)
		fail_msg("ASEC_TEST_ROXCTL_SCAN=1 needs ASEC_TEST_ROXCTL_IMAGE, ASEC_TEST_ROXCTL_INDEXER_URL and "
			 "ASEC_TEST_ROXCTL_MATCHER_URL");
	if (central_stop() != 0)
		fail_msg("central did not stop cleanly");
	if (!pki || !pki[0])
		pki = run.pki;
	if (central_start(indexer, matcher, pki))
		fail_msg("central did not start against the scanners");
	snprintf(run.endpoint, sizeof(run.endpoint), "127.0.0.1:%d", run.port);
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	snprintf(run.ca, sizeof(run.ca), "%s", ca);
	snprintf(tok_env, sizeof(tok_env), "ROX_API_TOKEN=%s", run.ci_token);

	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", ca, "image", "scan", "-i", image, NULL);
	expect(&r, 0, "Scan results for image: ", NULL);
	assert_non_null(strstr(r.out, cve && cve[0] ? cve : "CVE-"));
	assert_non_null(strstr(r.out, "| COMPONENT |"));
	result_free(&r);

	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", ca, "image", "scan", "-i", image, "-o", "json", NULL);
	expect(&r, 0, "\"result\"", NULL);
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	json_decref(doc);
	result_free(&r);

	roxctl(&r, ENV(tok_env), "-e", run.endpoint, "--ca", ca, "image", "scan", "-i", image, "--fail", NULL);
	expect(&r, 1, "Scan results for image: ", "ERROR: --fail: ");
	result_free(&r);
}

static char *write_temp(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", run.dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0)
		fail_msg("cannot write %s", path);
	return strdup(path);
}

static const char e2e_policy[] =
	"{\"policies\": [{\"id\": \"6c1e5a0e-4f7b-4c8e-9d35-2f7a1b9e0c11\",\n"
	" \"name\": \"e2e: no privileged containers\", \"severity\": \"HIGH_SEVERITY\",\n"
	" \"description\": \"roxctl e2e\", \"remediation\": \"Drop privileged: true.\",\n"
	" \"categories\": [\"Privileges\"], \"lifecycleStages\": [\"DEPLOY\"],\n"
	" \"enforcementActions\": [\"SCALE_TO_ZERO_ENFORCEMENT\"],\n"
	" \"policySections\": [{\"policyGroups\": [{\"fieldName\": \"Privileged Container\",\n"
	"   \"values\": [{\"value\": \"true\"}]}]}]}]}\n";

static const char e2e_privileged[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e2e-priv\n"
				     "spec:\n  selector: {matchLabels: {app: p}}\n  template:\n"
				     "    metadata: {labels: {app: p}}\n    spec:\n      containers:\n"
				     "      - name: c\n        image: nginx:1.25\n"
				     "        securityContext: {privileged: true}\n"
				     "---\napiVersion: v1\nkind: Service\nmetadata: {name: e2e-svc}\n"
				     "spec: {ports: [{port: 80}]}\n";

static const char e2e_plain[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e2e-plain\n"
				"spec:\n  selector: {matchLabels: {app: q}}\n  template:\n"
				"    metadata: {labels: {app: q}}\n    spec:\n      containers:\n"
				"      - name: c\n        image: nginx:1.25\n";

/* roxctl image check, deployment check, policy export and import. */
static void test_08b_policy_checks(void **state)
{
	struct result r;
	char *policy = write_temp("policy.json", e2e_policy), *priv = write_temp("priv.yaml", e2e_privileged);
	char *plain = write_temp("plain.yaml", e2e_plain), exported[512];
	static const char *const formats[] = {"table", "json", "junit", "sarif"};
	size_t i;

	(void)state;
	/* usage errors: no central involved */
	roxctl(&r, NULL, "-e", run.endpoint, "deployment", "check", "-p", admin_password, NULL);
	expect(&r, 2, NULL, "required flag -f/--file");
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "deployment", "check", "-f", "/nonexistent.yaml", "-p", admin_password,
	       NULL);
	expect(&r, 2, NULL, "cannot read /nonexistent.yaml");
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "image", "check", "-i", "x", "-o", "csv", "-p", admin_password, NULL);
	expect(&r, 2, NULL, "is not one of table, json, junit, sarif");
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "policy", "import", "-f", priv, "-p", admin_password, NULL);
	expect(&r, 2, NULL, priv); /* YAML is not a JSON export: refused before sending */
	result_free(&r);

	/* import, then export it back */
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "policy", "import", "-f", policy,
	       "--overwrite", NULL);
	expect(&r, 0, "imported  e2e: no privileged containers", NULL);
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "policy", "import", "-f", policy,
	       NULL);
	expect(&r, 1, "FAILED", "were not imported"); /* a duplicate without --overwrite */
	result_free(&r);
	snprintf(exported, sizeof(exported), "%s/exported.json", run.dir);
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "policy", "export", "--id",
	       "6c1e5a0e-4f7b-4c8e-9d35-2f7a1b9e0c11", "-o", exported, NULL);
	expect(&r, 0, NULL, "Exported 1 policy");
	{
		char *text = file_text(exported);
		if (!strstr(text, "\"policies\"") || !strstr(text, "e2e: no privileged containers"))
			fail_msg("the export does not hold the policy:\n%s", text);
		free(text);
	}
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "policy", "export", "--id",
	       "no-such-policy", NULL);
	expect(&r, 4, NULL, "no-such-policy");
	result_free(&r);

	/* the privileged Deployment breaks the deployment in every format */
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "deployment", "check", "-f",
		       priv, "-c", "Privileges", "-o", formats[i], NULL);
		expect(&r, 1, "e2e: no privileged containers", "failed policies found");
		assert_non_null(strstr(r.err, "central ignored 1 object"));
		if (i == 0)
			assert_non_null(strstr(r.out, "Policies that break the deployment: \"e2e: no privileged containers\""));
		if (i == 3)
			assert_non_null(strstr(r.out, "\"level\": \"error\""));
		result_free(&r);
	}
	/* the plain one and a category without the policy pass */
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "deployment", "check", "-f", plain,
	       "-c", "Privileges", NULL);
	expect(&r, 0, "Policy check results for deployments: [e2e-plain]", NULL);
	result_free(&r);
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "deployment", "check", "-f", priv,
	       "-c", "No Such Category", "-o", "json", NULL);
	/* central refuses a category no policy of the stage has, as StackRox does */
	expect(&r, 4, NULL, "is not a category");
	result_free(&r);
	/* two files, one report */
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "deployment", "check", "-f", plain,
	       "-f", priv, "-c", "Privileges", NULL);
	expect(&r, 1, "[e2e-plain e2e-priv]", NULL);
	result_free(&r);
	/* image check: the scanners are unreachable here, so central's 503
	 * comes back after the retries (exit 4) */
	roxctl(&r, NULL, "-e", run.endpoint, "--ca", run.ca, "-p", admin_password, "image", "check", "-i",
	       "127.0.0.1:1/none:1", "-r", "0", NULL);
	if (r.code != 4 && r.code != 0 && r.code != 1)
		fail_msg("image check exit %d:\n%s", r.code, r.err);
	result_free(&r);
	free(policy);
	free(priv);
	free(plain);
}

static void test_09_clean_stop(void **state)
{
	(void)state;
	if (!central_alive())
		fail_msg("central died during the test");
	if (central_stop() != 0) {
		central_log_tail();
		fail_msg("central did not stop cleanly on SIGTERM");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_01_help_and_usage),
		cmocka_unit_test(test_02_whoami_password),
		cmocka_unit_test(test_03_bad_password),
		cmocka_unit_test(test_04_whoami_token),
		cmocka_unit_test(test_05_role_none_scan),
		cmocka_unit_test(test_06_unreachable),
		cmocka_unit_test(test_07_scan_without_scanners),
		cmocka_unit_test(test_08_scan_success),
		cmocka_unit_test(test_08b_policy_checks),
		cmocka_unit_test(test_09_clean_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
