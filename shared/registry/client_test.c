/*
 * client_test.c - the registry client against registries that run in this
 * process, on 127.0.0.1.
 *
 * A fake registry (ulfius) serves the Distribution API from tables filled in
 * here - the raw blobs of ../shared/fixtures/oci/generated-local-registry
 * (which docker-registry cannot take without their layers), images built
 * here, and deliberately broken answers - in four flavours: anonymous,
 * bearer-token, HTTP basic, and anonymous over TLS. The bearer flavour sits
 * behind a token service of its own (ulfius too) that issues opaque tokens,
 * counts its requests and can revoke what it issued: docker-registry's own
 * token mode needs a JWT signer, which is out of scope, so this is where the
 * token flow is tested. A small socket server plays a registry that hangs or
 * stalls mid-blob. The same client code runs against real docker-registry
 * instances in live_test.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ulfius.h>

#include "error/error.h"
#include "log/log.h"
#include "registry/registry.h"
#include "testing/testing.h"

#define FIX "fixtures/oci/generated-local-registry/"
#define USER "alice"
#define PASS "S3cret-pw!"
#define PASS_B64 "YWxpY2U6UzNjcmV0LXB3IQ==" /* base64("alice:S3cret-pw!") */

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

#define assert_fails(call, code, text)                                                   \
	do {                                                                             \
		int rc_ = (call);                                                        \
		if (rc_ != (code) || !strstr(error_last(), (text)))                      \
			print_error("%s: %d '%s', expected %d '%s'\n", #call, rc_, error_last(), \
				    (int)(code), (text));                                \
		assert_int_equal(rc_, (code));                                           \
		assert_non_null(strstr(error_last(), (text)));                           \
	} while (0)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- what the fake registry serves ---- */

enum blob_mode { BLOB_PLAIN, BLOB_REDIRECT, BLOB_FLAKY };

struct fake_doc {
	char repo[64];
	char reference[160];
	const char *content_type;
	char *body;
	size_t len;
	const char *dcd; /* Docker-Content-Digest to send: NULL = the true one, "" = none */
	int status;      /* 0 = 200 */
};

struct fake_blob {
	char digest[REGISTRY_DIGEST_BUF];
	char *body;
	size_t len;
	enum blob_mode mode;
	atomic_int hits;
};

static struct fake_doc docs[64];
static size_t doc_count;
static struct fake_blob blobs[32];
static size_t blob_count;
static int have_fixtures;

static atomic_int fake_requests, storage_hits, storage_saw_auth, registry_saw_auth, ping_requests;

static char *dup_mem(const void *p, size_t n)
{
	char *d = malloc(n + 1);

	assert_non_null(d);
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Serves body as repo:reference and as repo@digest; returns the digest. */
static const char *add_doc(const char *repo, const char *reference, const char *ct, const void *body, size_t len,
			   const char *dcd, int status)
{
	static char digest[REGISTRY_DIGEST_BUF];

	assert_true(doc_count + 2 <= sizeof(docs) / sizeof(docs[0]));
	assert_ok(registry_digest_compute(digest, "sha256", body, len));
	for (int twice = 0; twice < 2; twice++) {
		struct fake_doc *d = &docs[doc_count++];

		snprintf(d->repo, sizeof(d->repo), "%s", repo);
		snprintf(d->reference, sizeof(d->reference), "%s", twice ? digest : reference);
		d->content_type = ct;
		d->body = dup_mem(body, len);
		d->len = len;
		d->dcd = dcd;
		d->status = status;
	}
	return digest;
}

/* Serves body under digest (its own unless given). */
static const char *add_blob(const void *body, size_t len, const char *digest, enum blob_mode mode)
{
	struct fake_blob *b = &blobs[blob_count++];

	assert_true(blob_count <= sizeof(blobs) / sizeof(blobs[0]));
	if (digest)
		snprintf(b->digest, sizeof(b->digest), "%s", digest);
	else
		assert_ok(registry_digest_compute(b->digest, "sha256", body, len));
	b->body = dup_mem(body, len);
	b->len = len;
	b->mode = mode;
	return b->digest;
}

/* ---- the token service ---- */

struct issued {
	char token[48];
	char scope[300];
	long long expires_ms;
};

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static struct issued issued[512];
static size_t issued_count;
static atomic_int token_requests, token_ttl_s = 300, token_as_access_token;

static int basic_is(const struct _u_request *rq, const char *b64)
{
	const char *auth = u_map_get_case(rq->map_header, "Authorization");
	char want[128];

	snprintf(want, sizeof(want), "Basic %s", b64);
	return auth && strcmp(auth, want) == 0;
}

static int cb_token(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	const char *scope = u_map_get(rq->map_url, "scope");
	const char *service = u_map_get(rq->map_url, "service");
	const char *auth = u_map_get_case(rq->map_header, "Authorization");
	int n = atomic_fetch_add(&token_requests, 1) + 1;
	char body[256];
	struct issued *t;

	(void)ud;
	/* No scope: a login token, as for the /v2/ check. */
	if (!scope)
		scope = "";
	if (!service || strcmp(service, "fake-registry") != 0) {
		ulfius_set_string_body_response(rs, 400, "{\"errors\":[{\"code\":\"UNSUPPORTED\"}]}");
		return U_CALLBACK_CONTINUE;
	}
	/* Credentials, when sent, must be right; private/ needs them. */
	if ((auth && !basic_is(rq, PASS_B64)) || (strstr(scope, ":private/") && !auth)) {
		ulfius_set_string_body_response(rs, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\","
							 "\"message\":\"authentication required\"}]}");
		return U_CALLBACK_CONTINUE;
	}
	pthread_mutex_lock(&token_lock);
	t = &issued[issued_count++ % (sizeof(issued) / sizeof(issued[0]))];
	snprintf(t->token, sizeof(t->token), "opaque-%d-%ld", n, (long)random());
	snprintf(t->scope, sizeof(t->scope), "%s", scope);
	t->expires_ms = now_ms() + atomic_load(&token_ttl_s) * 1000LL;
	snprintf(body, sizeof(body), "{\"%s\":\"%s\",\"expires_in\":%d,\"issued_at\":\"2026-01-01T00:00:00Z\"}",
		 atomic_load(&token_as_access_token) ? "access_token" : "token", t->token, atomic_load(&token_ttl_s));
	pthread_mutex_unlock(&token_lock);
	ulfius_set_string_body_response(rs, 200, body);
	u_map_put(rs->map_header, "Content-Type", "application/json");
	return U_CALLBACK_CONTINUE;
}

static void revoke_all_tokens(void)
{
	pthread_mutex_lock(&token_lock);
	issued_count = 0;
	memset(issued, 0, sizeof(issued));
	pthread_mutex_unlock(&token_lock);
}

static int bearer_ok(const struct _u_request *rq, const char *repo)
{
	const char *auth = u_map_get_case(rq->map_header, "Authorization");
	char want[300];
	int ok = 0;

	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	/* repo NULL: the /v2/ check, which any valid token passes. */
	snprintf(want, sizeof(want), "repository:%s:pull", repo ? repo : "");
	pthread_mutex_lock(&token_lock);
	for (size_t i = 0; i < issued_count && i < sizeof(issued) / sizeof(issued[0]); i++)
		if (strcmp(issued[i].token, auth + 7) == 0 && (!repo || strcmp(issued[i].scope, want) == 0) &&
		    issued[i].expires_ms > now_ms())
			ok = 1;
	pthread_mutex_unlock(&token_lock);
	return ok;
}

/* ---- the fake registry ---- */

enum fake_auth { FAKE_ANON, FAKE_BEARER, FAKE_BASIC };

struct fake_server {
	struct _u_instance inst;
	struct sockaddr_in addr;
	int port;
	enum fake_auth auth;
	int tls;
	const char *realm_scheme; /* bearer: "http" or "https" in the challenge */
};

static struct fake_server anon_srv, bearer_srv, basic_srv, tls_srv, token_srv;

static void respond(struct _u_response *rs, int status, const char *ct, const void *body, size_t len)
{
	if (len == 0)
		ulfius_set_empty_body_response(rs, (unsigned)status);
	else
		ulfius_set_binary_body_response(rs, (unsigned)status, body, len);
	if (ct)
		u_map_put(rs->map_header, "Content-Type", ct);
}

static void respond_error(struct _u_response *rs, int status, const char *code)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"errors\":[{\"code\":\"%s\",\"message\":\"%s from the fake\"}]}", code,
		 code);
	respond(rs, status, "application/json", body, strlen(body));
}

static int cb_fake(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	struct fake_server *srv = ud;
	const char *path = rq->url_path, *kind, *reference;
	char repo[128];
	size_t repo_len;

	atomic_fetch_add(&fake_requests, 1);
	if (strncmp(path, "/storage/", 9) == 0) {
		atomic_fetch_add(&storage_hits, 1);
		if (u_map_get_case(rq->map_header, "Authorization"))
			atomic_fetch_add(&storage_saw_auth, 1);
		for (size_t i = 0; i < blob_count; i++)
			if (strcmp(blobs[i].digest, path + 9) == 0) {
				respond(rs, 200, "application/octet-stream", blobs[i].body, blobs[i].len);
				return U_CALLBACK_CONTINUE;
			}
		respond_error(rs, 404, "BLOB_UNKNOWN");
		return U_CALLBACK_CONTINUE;
	}
	if (strncmp(path, "/v2/", 4) != 0) {
		respond_error(rs, 404, "NOT_FOUND");
		return U_CALLBACK_CONTINUE;
	}
	if (strcmp(path, "/v2/") == 0) {
		/* The API check: the same auth as everything else, and no scope
		 * in the bearer challenge, as docker-registry sends it. */
		atomic_fetch_add(&ping_requests, 1);
		if (srv->auth == FAKE_BEARER && !bearer_ok(rq, NULL)) {
			char challenge[512];

			snprintf(challenge, sizeof(challenge),
				 "Bearer realm=\"%s://127.0.0.1:%d/token\",service=\"fake-registry\"",
				 srv->realm_scheme, token_srv.port);
			respond_error(rs, 401, "UNAUTHORIZED");
			u_map_put(rs->map_header, "WWW-Authenticate", challenge);
			return U_CALLBACK_CONTINUE;
		}
		if (srv->auth == FAKE_BASIC && !basic_is(rq, PASS_B64)) {
			respond_error(rs, 401, "UNAUTHORIZED");
			u_map_put(rs->map_header, "WWW-Authenticate", "Basic realm=\"fake basic\"");
			return U_CALLBACK_CONTINUE;
		}
		respond(rs, 200, "application/json", "{}", 2);
		u_map_put(rs->map_header, "Docker-Distribution-API-Version", "registry/2.0");
		return U_CALLBACK_CONTINUE;
	}
	kind = strstr(path, "/manifests/");
	if (!kind)
		kind = strstr(path, "/blobs/");
	if (!kind || kind - path - 4 >= (long)sizeof(repo)) {
		respond(rs, 200, "application/json", "{}", 2);
		return U_CALLBACK_CONTINUE;
	}
	repo_len = (size_t)(kind - path - 4);
	memcpy(repo, path + 4, repo_len);
	repo[repo_len] = '\0';
	reference = strchr(kind + 1, '/') + 1;

	if (u_map_get_case(rq->map_header, "Authorization"))
		atomic_fetch_add(&registry_saw_auth, 1);
	if (srv->auth == FAKE_BEARER && !bearer_ok(rq, repo)) {
		char challenge[512];

		snprintf(challenge, sizeof(challenge),
			 "Basic realm=\"fake\", Bearer realm=\"%s://127.0.0.1:%d/token\",service=\"fake-registry\","
			 "scope=\"repository:%s:pull\"",
			 srv->realm_scheme, token_srv.port, repo);
		respond_error(rs, 401, "UNAUTHORIZED");
		u_map_put(rs->map_header, "WWW-Authenticate", challenge);
		return U_CALLBACK_CONTINUE;
	}
	if (srv->auth == FAKE_BASIC && !basic_is(rq, PASS_B64)) {
		respond_error(rs, 401, "UNAUTHORIZED");
		u_map_put(rs->map_header, "WWW-Authenticate", "Basic realm=\"fake basic\"");
		return U_CALLBACK_CONTINUE;
	}

	if (strncmp(kind, "/manifests/", 11) == 0) {
		for (size_t i = 0; i < doc_count; i++) {
			struct fake_doc *d = &docs[i];
			char digest[REGISTRY_DIGEST_BUF];

			if (strcmp(d->repo, repo) != 0 || strcmp(d->reference, reference) != 0)
				continue;
			if (d->status) {
				respond_error(rs, d->status, "TOOMANYREQUESTS");
				return U_CALLBACK_CONTINUE;
			}
			respond(rs, 200, d->content_type, d->body, d->len);
			registry_digest_compute(digest, "sha256", d->body, d->len);
			if (!d->dcd || d->dcd[0])
				u_map_put(rs->map_header, "Docker-Content-Digest", d->dcd ? d->dcd : digest);
			return U_CALLBACK_CONTINUE;
		}
		respond_error(rs, 404, "MANIFEST_UNKNOWN");
		return U_CALLBACK_CONTINUE;
	}
	for (size_t i = 0; i < blob_count; i++) {
		struct fake_blob *b = &blobs[i];

		if (strcmp(b->digest, reference) != 0)
			continue;
		if (b->mode == BLOB_FLAKY && atomic_fetch_add(&b->hits, 1) == 0) {
			respond_error(rs, 503, "UNAVAILABLE");
			return U_CALLBACK_CONTINUE;
		}
		if (b->mode == BLOB_REDIRECT) {
			char location[256];

			/* Same server, other host name: another origin to the client. */
			snprintf(location, sizeof(location), "http://localhost:%d/storage/%s", srv->port, b->digest);
			respond(rs, 307, NULL, "", 0);
			u_map_put(rs->map_header, "Location", location);
			return U_CALLBACK_CONTINUE;
		}
		respond(rs, 200, "application/octet-stream", b->body, b->len);
		u_map_put(rs->map_header, "Docker-Content-Digest", b->digest);
		return U_CALLBACK_CONTINUE;
	}
	respond_error(rs, 404, "BLOB_UNKNOWN");
	return U_CALLBACK_CONTINUE;
}

static char *read_text(const char *path)
{
	size_t len;

	return (char *)testing_read_file(path, &len);
}

static int start_server(struct fake_server *s, int token_service)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in bound;
	socklen_t blen = sizeof(bound);
	int rc;

	memset(&s->addr, 0, sizeof(s->addr));
	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ulfius_init_instance(&s->inst, 1, &s->addr, NULL) != U_OK) /* the port comes from addr */
		return -1;
	if (token_service) {
		ulfius_add_endpoint_by_val(&s->inst, "GET", "/token", NULL, 0, cb_token, NULL);
	} else {
		/* ulfius wants one endpoint; everything else goes to the default one. */
		ulfius_add_endpoint_by_val(&s->inst, "GET", "/v2/", NULL, 0, cb_fake, s);
		ulfius_set_default_endpoint(&s->inst, cb_fake, s);
	}
	if (s->tls) {
		char *key = read_text(HTTPCLIENT_TESTDATA "/server-key.pem");
		char *cert = read_text(HTTPCLIENT_TESTDATA "/server.pem");

		rc = key && cert ? ulfius_start_secure_framework(&s->inst, key, cert) : U_ERROR;
		free(key);
		free(cert);
	} else {
		rc = ulfius_start_framework(&s->inst);
	}
	if (rc != U_OK)
		return -1;
	info = MHD_get_daemon_info(s->inst.mhd_daemon, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) != 0)
		return -1;
	s->port = ntohs(bound.sin_port);
	return 0;
}

static void stop_server(struct fake_server *s)
{
	ulfius_stop_framework(&s->inst);
	ulfius_clean_instance(&s->inst);
}

/* ---- a socket server that hangs, or stalls inside a blob ---- */

struct hang_srv {
	int fd, port;
	pthread_t thread;
	atomic_int stop;
	int held[64];
	size_t held_count;
};

static struct hang_srv hang;

static void *hang_main(void *arg)
{
	struct hang_srv *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		char req[8192];
		ssize_t n;
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		p.fd = c;
		n = poll(&p, 1, 2000) > 0 ? recv(c, req, sizeof(req) - 1, 0) : 0;
		req[n > 0 ? n : 0] = '\0';
		if (strstr(req, "/blobs/")) {
			/* Promise a kilobyte, deliver ten bytes, then nothing. */
			static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n0123456789";

			send(c, head, sizeof(head) - 1, MSG_NOSIGNAL);
		}
		if (s->held_count < sizeof(s->held) / sizeof(s->held[0]))
			s->held[s->held_count++] = c;
		else
			close(c);
	}
	return NULL;
}

static int hang_start(struct hang_srv *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, hang_main, s) == 0 ? 0 : -1;
}

static void hang_stop(struct hang_srv *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	for (size_t i = 0; i < s->held_count; i++)
		close(s->held[i]);
	close(s->fd);
}

/* ---- content ---- */

static unsigned char layer[300 * 1024];
static char layer_digest[REGISTRY_DIGEST_BUF];
static char *own_config;
static char own_config_digest[REGISTRY_DIGEST_BUF];
static char own_manifest_digest[REGISTRY_DIGEST_BUF];
static char mismatch_digest[REGISTRY_DIGEST_BUF], redirect_digest[REGISTRY_DIGEST_BUF],
	flaky_digest[REGISTRY_DIGEST_BUF];

static int fixture_path(char *buf, size_t size, const char *rel)
{
	const char *dir = getenv("ASEC_SHARED_DIR");
	const char *source = getenv("ASEC_SOURCE_DIR");
	struct stat st;

	if (dir && dir[0])
		snprintf(buf, size, "%s/%s", dir, rel);
	else
		snprintf(buf, size, "%s/../shared/%s", source && source[0] ? source : ".", rel);
	return stat(buf, &st) == 0 ? 0 : -1;
}

static void add_fixture_doc(const char *repo, const char *tag, const char *ct, const char *rel)
{
	char path[1024];
	size_t len;
	unsigned char *data;

	if (fixture_path(path, sizeof(path), rel) != 0)
		return;
	data = testing_read_file(path, &len);
	if (data)
		add_doc(repo, tag, ct, data, len, NULL, 0);
	free(data);
}

static void add_fixture_blob(const char *rel)
{
	char path[1024];
	size_t len;
	unsigned char *data;

	if (fixture_path(path, sizeof(path), rel) != 0)
		return;
	data = testing_read_file(path, &len);
	if (data)
		add_blob(data, len, NULL, BLOB_PLAIN);
	free(data);
}

static char *manifest_json(const char *config_digest, size_t config_len, const char *ldigest, size_t llen,
			   size_t n)
{
	size_t cap = 512 + n * 200;
	char *s = malloc(cap);
	size_t o;

	assert_non_null(s);
	o = (size_t)snprintf(s, cap,
			     "{\"schemaVersion\":2,\"mediaType\":\"" REGISTRY_MT_OCI_MANIFEST "\",\"config\":"
			     "{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[",
			     config_digest, config_len);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o,
				      "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
				      "\"digest\":\"%s\",\"size\":%zu}",
				      i ? "," : "", ldigest, llen);
	snprintf(s + o, cap - o, "]}");
	return s;
}

static void fill_content(void)
{
	char path[1024], *m, *idx;
	size_t len;
	unsigned char *schema1;
	char child[REGISTRY_DIGEST_BUF], other[REGISTRY_DIGEST_BUF];

	/* The fixtures, exactly as a registry served them. */
	have_fixtures = fixture_path(path, sizeof(path), FIX "multi-1.manifest.json") == 0;
	add_fixture_doc("fx/multi", "1", REGISTRY_MT_OCI_INDEX, FIX "multi-1.manifest.json");
	add_fixture_doc("fx/multi", "amd64", REGISTRY_MT_OCI_MANIFEST, FIX "multi-child-1f7ef4e0b748.manifest.json");
	add_fixture_doc("fx/multi", "arm64", REGISTRY_MT_OCI_MANIFEST, FIX "multi-child-1ee4361498ce.manifest.json");
	add_fixture_blob(FIX "multi-child-1f7ef4e0b748.config.json");
	add_fixture_blob(FIX "multi-child-1ee4361498ce.config.json");
	add_fixture_doc("fx/bookworm", "oci", REGISTRY_MT_OCI_MANIFEST, FIX "bookworm-1.manifest.json");
	add_fixture_doc("fx/bookworm", "v2s2", REGISTRY_MT_DOCKER_MANIFEST, FIX "bookworm-v2s2.manifest.json");
	add_fixture_blob(FIX "bookworm.config.json");

	/* An image of our own: config-full.json (with a secret in its env)
	 * and one 300 KiB layer, so that blobs arrive in several pieces. */
	for (size_t i = 0; i < sizeof(layer); i++)
		layer[i] = (unsigned char)((i * 7919) >> 3);
	snprintf(layer_digest, sizeof(layer_digest), "%s", add_blob(layer, sizeof(layer), NULL, BLOB_PLAIN));
	own_config = read_text(REGISTRY_TESTDATA "/config-full.json");
	assert_non_null(own_config);
	snprintf(own_config_digest, sizeof(own_config_digest), "%s",
		 add_blob(own_config, strlen(own_config), NULL, BLOB_PLAIN));
	m = manifest_json(own_config_digest, strlen(own_config), layer_digest, sizeof(layer), 1);
	snprintf(own_manifest_digest, sizeof(own_manifest_digest), "%s",
		 add_doc("own/app", "v1", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0));
	add_doc("own/other", "v1", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0);
	add_doc("private/app", "v1", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0);
	free(m);

	/* Blobs that misbehave. */
	snprintf(mismatch_digest, sizeof(mismatch_digest), "%s",
		 add_blob("these are not the bytes you hashed", 34,
			  "sha256:0000000000000000000000000000000000000000000000000000000000000000", BLOB_PLAIN));
	snprintf(redirect_digest, sizeof(redirect_digest), "%s",
		 add_blob("redirected blob content", 23, NULL, BLOB_REDIRECT));
	snprintf(flaky_digest, sizeof(flaky_digest), "%s", add_blob("flaky blob content", 18, NULL, BLOB_FLAKY));

	/* Manifests that misbehave. */
	schema1 = testing_read_file(REGISTRY_TESTDATA "/schema1-signed.json", &len);
	assert_non_null(schema1);
	add_doc("bad/schema1", "latest", REGISTRY_MT_DOCKER_V1_SIGNED, schema1, len, NULL, 0);
	free(schema1);
	add_doc("bad/garbage", "latest", "text/html", "<html>502 Bad Gateway</html>", 28, "", 0);
	m = manifest_json(own_config_digest, strlen(own_config), layer_digest, sizeof(layer), 1001);
	add_doc("bad/layers", "1001", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0);
	free(m);
	m = manifest_json(own_config_digest, strlen(own_config), layer_digest, sizeof(layer), 1000);
	add_doc("bad/layers", "1000", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0);
	free(m);
	m = manifest_json(own_config_digest, strlen(own_config), layer_digest, sizeof(layer), 1);
	add_doc("bad/liar", "t", REGISTRY_MT_OCI_MANIFEST, m, strlen(m),
		"sha256:abababababababababababababababababababababababababababababababab", 0);
	add_doc("bad/ratelimited", "t", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 429);
	/* "swapped": asked for by a digest, answers with other bytes. */
	snprintf(other, sizeof(other), "%s", add_doc("bad/other", "x", REGISTRY_MT_OCI_MANIFEST, "{}", 2, NULL, 0));
	add_doc("bad/swapped", "x", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0);
	snprintf(docs[doc_count - 1].reference, sizeof(docs[0].reference), "%s", other);
	/* An index whose entry gives the wrong size for its child. */
	snprintf(child, sizeof(child), "%s", add_doc("bad/index", "child", REGISTRY_MT_OCI_MANIFEST, m, strlen(m), NULL, 0));
	assert_true(asprintf(&idx,
			     "{\"schemaVersion\":2,\"mediaType\":\"" REGISTRY_MT_OCI_INDEX "\",\"manifests\":[{"
			     "\"mediaType\":\"" REGISTRY_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
			     "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
			     child, strlen(m) + 1) > 0);
	add_doc("bad/index", "t", REGISTRY_MT_OCI_INDEX, idx, strlen(idx), NULL, 0);
	free(idx);
	free(m);
	/* A config blob that is not JSON, but hashes right. */
	{
		const char *garbage = "\x1f\x8b\x08 not a config";
		char *gm;
		const char *gd = add_blob(garbage, strlen(garbage), NULL, BLOB_PLAIN);

		gm = manifest_json(gd, strlen(garbage), layer_digest, sizeof(layer), 1);
		add_doc("bad/config", "t", REGISTRY_MT_OCI_MANIFEST, gm, strlen(gm), NULL, 0);
		free(gm);
	}
}

static int group_setup(void **state)
{
	(void)state;
	log_init("registry-test", LOG_LEVEL_WARN, NULL);
	fill_content();
	anon_srv.auth = FAKE_ANON;
	bearer_srv.auth = FAKE_BEARER;
	bearer_srv.realm_scheme = "http";
	basic_srv.auth = FAKE_BASIC;
	tls_srv.auth = FAKE_BEARER;
	tls_srv.tls = 1;
	tls_srv.realm_scheme = "http";
	if (start_server(&token_srv, 1) != 0 || start_server(&anon_srv, 0) != 0 || start_server(&bearer_srv, 0) != 0 ||
	    start_server(&basic_srv, 0) != 0 || start_server(&tls_srv, 0) != 0 || hang_start(&hang) != 0) {
		fprintf(stderr, "cannot start the test servers (ports %d %d %d %d %d)\n", token_srv.port, anon_srv.port,
			bearer_srv.port, basic_srv.port, tls_srv.port);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	hang_stop(&hang);
	stop_server(&anon_srv);
	stop_server(&bearer_srv);
	stop_server(&basic_srv);
	stop_server(&tls_srv);
	stop_server(&token_srv);
	for (size_t i = 0; i < doc_count; i++)
		free(docs[i].body);
	for (size_t i = 0; i < blob_count; i++)
		free(blobs[i].body);
	free(own_config);
	return 0;
}

/* ---- helpers ---- */

static void fast_http(struct httpclient_options *o)
{
	httpclient_options_init(o);
	o->connect_timeout_ms = 3000;
	o->total_timeout_ms = 20000;
	o->backoff_base_ms = 5;
	o->backoff_max_ms = 50;
}

static struct registry_client *client_with(const char *registry, const char *user, const char *pass, int insecure)
{
	struct httpclient_options o;
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;

	fast_http(&o);
	ro.registry = registry;
	ro.username = user;
	ro.password = pass;
	ro.insecure = insecure;
	ro.http = &o;
	assert_ok(registry_client_new(&c, &ro));
	return c;
}

static struct registry_client *anon_client(void)
{
	return client_with(NULL, NULL, NULL, 1);
}

static void ref_at(struct registry_ref *ref, int port, const char *rest)
{
	char text[512];

	snprintf(text, sizeof(text), "127.0.0.1:%d/%s", port, rest);
	assert_ok(registry_ref_parse(ref, text));
}

struct sink {
	unsigned char *data;
	size_t len, cap;
	int calls;
	int fail_after;
};

static int sink_cb(const void *d, size_t n, void *ctx)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->fail_after && s->calls > s->fail_after) {
		error_set("the consumer gave up");
		return ASEC_EIO;
	}
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->data = realloc(s->data, s->cap);
		assert_non_null(s->data);
	}
	memcpy(s->data + s->len, d, n);
	s->len += n;
	return ASEC_OK;
}

#define NEED_FIXTURES()                                                            \
	do {                                                                       \
		if (!have_fixtures) {                                              \
			if (testing_in_ci())                                       \
				fail_msg("../shared/fixtures is missing under CI"); \
			skip();                                                    \
		}                                                                  \
	} while (0)

/* ---- fixtures through the client ---- */

static void test_index_default_platform(void **state)
{
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;

	(void)state;
	NEED_FIXTURES();
	c = anon_client();
	ref_at(&ref, anon_srv.port, "fx/multi:1");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, "sha256:1f7ef4e0b748ed8508aae0a23cd39abf2909e09a56dba321ec7e454df5e27a35");
	assert_string_equal(m.index_digest, "sha256:cbdd394cf4afe2b59702e8d8790ceca4836c5db3fbe56a44474c7f9b976f9cdc");
	assert_string_equal(m.index_media_type, REGISTRY_MT_OCI_INDEX);
	assert_string_equal(m.media_type, REGISTRY_MT_OCI_MANIFEST);
	assert_int_equal(m.size, 345);
	assert_string_equal(m.platform.os, "linux");
	assert_string_equal(m.platform.architecture, "amd64");
	assert_int_equal(m.layer_count, 1);
	assert_int_equal(m.layers[0].size, 172);
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.architecture, "amd64");
	assert_string_equal(cfg.created, "2026-11-27T13:19:47.102186465Z");
	assert_int_equal(cfg.history_count, 2);
	assert_int_equal(cfg.history[1].empty_layer, 1);
	registry_config_free(&cfg);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_index_arm64_and_missing_platform(void **state)
{
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;
	struct registry_platform p;

	(void)state;
	NEED_FIXTURES();
	c = anon_client();
	ref_at(&ref, anon_srv.port, "fx/multi:1");
	assert_ok(registry_platform_parse(&p, "linux/arm64/v8"));
	assert_ok(registry_fetch_manifest(&m, c, &ref, &p));
	assert_string_equal(m.digest, "sha256:1ee4361498ce07f31bcf18906655e8f6152be17ad51b44c53cace272cf8c476f");
	assert_string_equal(m.platform.architecture, "arm64");
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.architecture, "arm64");
	registry_config_free(&cfg);
	registry_manifest_free(&m);

	assert_ok(registry_platform_parse(&p, "linux/s390x"));
	assert_fails(registry_fetch_manifest(&m, c, &ref, &p), ASEC_ENOTFOUND,
		     "no image for platform linux/s390x (available: linux/amd64, linux/arm64)");
	assert_null(m.digest);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_fetch_by_digest(void **state)
{
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;

	(void)state;
	NEED_FIXTURES();
	c = anon_client();
	/* An index by digest: the same answer as by tag. */
	ref_at(&ref, anon_srv.port, "fx/multi@sha256:cbdd394cf4afe2b59702e8d8790ceca4836c5db3fbe56a44474c7f9b976f9cdc");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, "sha256:1f7ef4e0b748ed8508aae0a23cd39abf2909e09a56dba321ec7e454df5e27a35");
	registry_manifest_free(&m);
	registry_ref_free(&ref);

	/* A manifest by digest (a tag beside it is ignored). */
	ref_at(&ref, anon_srv.port,
	       "fx/bookworm:ignored@sha256:c6b3c2a2344b87a6d98c2b3298f1c7c3af12b9e71130b12da83ced36c6516795");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, "sha256:c6b3c2a2344b87a6d98c2b3298f1c7c3af12b9e71130b12da83ced36c6516795");
	assert_null(m.index_digest);
	assert_string_equal(m.media_type, REGISTRY_MT_OCI_MANIFEST);
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_int_equal(cfg.env_count, 1);
	assert_string_equal(cfg.cmd[0], "/bin/bash");
	registry_config_free(&cfg);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_docker_schema2_by_tag(void **state)
{
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;

	(void)state;
	NEED_FIXTURES();
	c = anon_client();
	ref_at(&ref, anon_srv.port, "fx/bookworm:v2s2");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.media_type, REGISTRY_MT_DOCKER_MANIFEST);
	assert_string_equal(m.digest, "sha256:0542cbcc823d3ef5eae7faf18a5ed197b44bc60c1fd208f625ba06dfbf80784a");
	assert_string_equal(m.config_media_type, REGISTRY_MT_DOCKER_CONFIG);
	assert_int_equal(m.layers[0].kind, REGISTRY_LAYER_GZIP);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

/* ---- bad answers ---- */

static void test_bad_manifests(void **state)
{
	static const struct {
		const char *ref;
		int rc;
		const char *why;
	} cases[] = {
		{ "bad/schema1:latest", ASEC_EINVALID, "schema 1 manifests" },
		{ "bad/garbage:latest", ASEC_EINVALID, "not valid JSON" },
		{ "bad/layers:1001", ASEC_ETOOBIG, "1001 layers, over the limit of 1000" },
		{ "bad/liar:t", ASEC_EINVALID, "Docker-Content-Digest is wrong" },
		{ "bad/index:t", ASEC_EINVALID, "but the index says" },
		{ "bad/nothing:t", ASEC_ENOTFOUND, "manifest not found (404) (MANIFEST_UNKNOWN" },
		{ "bad/ratelimited:t", ASEC_EIO, "rate limited by the registry (429) after 3 attempts" },
	};
	struct registry_client *c = anon_client();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct registry_ref ref;
		struct registry_manifest m;

		ref_at(&ref, anon_srv.port, cases[i].ref);
		assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), cases[i].rc, cases[i].why);
		/* The message says which image. */
		assert_non_null(strstr(error_last(), cases[i].ref + 4));
		registry_ref_free(&ref);
	}
	registry_client_free(c);
}

static void test_swapped_manifest(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct registry_manifest m;
	char text[256];

	(void)state;
	/* bad/swapped answers for the digest of "{}" with other bytes. */
	for (size_t i = 0; i < doc_count; i++)
		if (strcmp(docs[i].repo, "bad/swapped") == 0 && strncmp(docs[i].reference, "sha256:", 7) == 0 &&
		    docs[i].len != 2)
			snprintf(text, sizeof(text), "bad/swapped@%s", docs[i].reference);
	ref_at(&ref, anon_srv.port, text);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EINVALID, "does not match its digest");
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_layer_limit_boundary(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct registry_manifest m;

	(void)state;
	ref_at(&ref, anon_srv.port, "bad/layers:1000");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_int_equal(m.layer_count, 1000);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_bad_config(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;

	(void)state;
	ref_at(&ref, anon_srv.port, "bad/config:t");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_fails(registry_fetch_config(&cfg, c, &ref, &m), ASEC_EINVALID, "config is not valid JSON");
	/* A manifest whose config digest names other bytes. */
	free(m.config_digest);
	m.config_digest = strdup(mismatch_digest);
	m.config_size = 34;
	assert_fails(registry_fetch_config(&cfg, c, &ref, &m), ASEC_EINVALID, "does not match its digest");
	m.config_size = 33;
	assert_fails(registry_fetch_config(&cfg, c, &ref, &m), ASEC_ETOOBIG, "exceeds the limit of 33 bytes");
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

/* ---- blobs ---- */

static void test_blob_stream(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct sink s = { 0 };

	(void)state;
	ref_at(&ref, anon_srv.port, "own/app:v1");
	assert_ok(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer), sink_cb, &s));
	assert_int_equal(s.len, sizeof(layer));
	assert_memory_equal(s.data, layer, sizeof(layer));
	assert_true(s.calls > 1);
	free(s.data);
	memset(&s, 0, sizeof(s));
	/* Size unknown (-1): still verified by digest. */
	assert_ok(registry_fetch_blob(c, &ref, layer_digest, -1, sink_cb, &s));
	assert_int_equal(s.len, sizeof(layer));
	free(s.data);
	memset(&s, 0, sizeof(s));
	/* 503 first: retried. */
	assert_ok(registry_fetch_blob(c, &ref, flaky_digest, 18, sink_cb, &s));
	assert_memory_equal(s.data, "flaky blob content", 18);
	free(s.data);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_blob_mismatch(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct sink s = { 0 };
	char msg[256];

	(void)state;
	ref_at(&ref, anon_srv.port, "own/app:v1");
	snprintf(msg, sizeof(msg), "blob %s does not match its digest", mismatch_digest);
	assert_fails(registry_fetch_blob(c, &ref, mismatch_digest, 34, sink_cb, &s), ASEC_EINVALID, msg);
	/* The bytes were delivered before they could be judged (documented). */
	assert_int_equal(s.len, 34);
	free(s.data);
	memset(&s, 0, sizeof(s));

	/* Longer than its descriptor: cut off. Shorter: refused at the end. */
	snprintf(msg, sizeof(msg), "blob %s is longer than the %zu bytes its descriptor gives", layer_digest,
		 sizeof(layer) - 1);
	assert_fails(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer) - 1, sink_cb, &s), ASEC_ETOOBIG, msg);
	free(s.data);
	memset(&s, 0, sizeof(s));
	assert_fails(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer) + 1, sink_cb, &s), ASEC_EINVALID,
		     "but its descriptor says");
	free(s.data);
	memset(&s, 0, sizeof(s));
	assert_fails(registry_fetch_blob(c, &ref, flaky_digest, 0, sink_cb, &s), ASEC_ETOOBIG,
		     "is longer than the 0 bytes its descriptor gives");
	free(s.data);
	memset(&s, 0, sizeof(s));

	/* The consumer's error comes back as is. */
	s.fail_after = 1;
	assert_fails(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer), sink_cb, &s), ASEC_EIO,
		     "the consumer gave up");
	free(s.data);
	memset(&s, 0, sizeof(s));

	assert_fails(registry_fetch_blob(c, &ref, "sha256:nothex", 1, sink_cb, &s), ASEC_EINVALID, "blob digest");
	assert_fails(registry_fetch_blob(c, &ref, "sha256:9999999999999999999999999999999999999999999999999999999999999999",
					 1, sink_cb, &s),
		     ASEC_ENOTFOUND, "BLOB_UNKNOWN");
	assert_int_equal(s.calls, 0);
	registry_ref_free(&ref);
	registry_client_free(c);
}

/* ---- auth ---- */

static void test_bearer_flow_and_cache(void **state)
{
	struct registry_client *c;
	struct registry_ref ref, other;
	struct registry_manifest m;
	struct registry_config cfg;
	struct sink s = { 0 };
	int before = atomic_load(&token_requests);

	(void)state;
	c = anon_client();
	ref_at(&ref, bearer_srv.port, "own/app:v1");
	/* Manifest, config and blob: one token. */
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, own_manifest_digest);
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_ok(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer), sink_cb, &s));
	assert_int_equal(atomic_load(&token_requests) - before, 1);
	/* Another repository is another scope: one more. */
	ref_at(&other, bearer_srv.port, "own/other:v1");
	registry_manifest_free(&m);
	assert_ok(registry_fetch_manifest(&m, c, &other, NULL));
	assert_int_equal(atomic_load(&token_requests) - before, 2);
	/* Both are cached now. */
	registry_manifest_free(&m);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	assert_ok(registry_fetch_manifest(&m, c, &other, NULL));
	assert_int_equal(atomic_load(&token_requests) - before, 2);
	registry_manifest_free(&m);
	/* A new client starts with an empty cache. */
	registry_client_free(c);
	c = anon_client();
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_int_equal(atomic_load(&token_requests) - before, 3);
	registry_manifest_free(&m);
	registry_config_free(&cfg);
	registry_ref_free(&ref);
	registry_ref_free(&other);
	registry_client_free(c);
	free(s.data);
}

static void test_bearer_expiry_revocation(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct registry_manifest m;
	int before = atomic_load(&token_requests);

	(void)state;
	/* "access_token" instead of "token", valid for one second. */
	atomic_store(&token_as_access_token, 1);
	atomic_store(&token_ttl_s, 1);
	ref_at(&ref, bearer_srv.port, "own/app:v1");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	assert_int_equal(atomic_load(&token_requests) - before, 1);
	usleep(1100 * 1000);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	assert_int_equal(atomic_load(&token_requests) - before, 2);
	atomic_store(&token_as_access_token, 0);
	atomic_store(&token_ttl_s, 300);

	/* A cached token the registry no longer takes: dropped, renewed once. */
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	before = atomic_load(&token_requests);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	assert_int_equal(atomic_load(&token_requests) - before, 0);
	revoke_all_tokens();
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	assert_int_equal(atomic_load(&token_requests) - before, 1);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_bearer_credentials(void **state)
{
	char registry[64];
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;

	(void)state;
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", bearer_srv.port);
	ref_at(&ref, bearer_srv.port, "private/app:v1");

	c = client_with(registry, USER, PASS, 1);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, own_manifest_digest);
	registry_manifest_free(&m);
	registry_client_free(c);

	c = client_with(registry, USER, "wrong", 1);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH,
		     "the token service refused the credentials (401)");
	assert_null(strstr(error_last(), "wrong"));
	assert_null(strstr(error_last(), USER));
	registry_client_free(c);

	c = anon_client();
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "refused anonymous access (401)");
	registry_client_free(c);

	/* Credentials for another registry are not sent here. */
	c = client_with("other.example:5000", USER, PASS, 1);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "refused anonymous access");
	registry_client_free(c);
	registry_ref_free(&ref);
}

static void test_basic_auth(void **state)
{
	char registry[64];
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct sink s = { 0 };

	(void)state;
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", basic_srv.port);
	ref_at(&ref, basic_srv.port, "own/app:v1");
	c = client_with(registry, USER, PASS, 1);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_ok(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer), sink_cb, &s));
	registry_manifest_free(&m);
	registry_client_free(c);

	c = client_with(registry, USER, "wrong-password", 1);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "refused the credentials (401");
	assert_null(strstr(error_last(), "wrong-password"));
	registry_client_free(c);

	c = anon_client();
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "asks for credentials (HTTP basic)");
	registry_client_free(c);
	registry_ref_free(&ref);
	free(s.data);
}

static void test_blob_redirect_drops_authorization(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct sink s = { 0 };
	int hits = atomic_load(&storage_hits), with_auth = atomic_load(&storage_saw_auth);
	int registry_auth = atomic_load(&registry_saw_auth);

	(void)state;
	ref_at(&ref, bearer_srv.port, "own/app:v1");
	assert_ok(registry_fetch_blob(c, &ref, redirect_digest, 23, sink_cb, &s));
	assert_memory_equal(s.data, "redirected blob content", 23);
	/* The registry got the token; storage, another host, got nothing. */
	assert_true(atomic_load(&registry_saw_auth) > registry_auth);
	assert_int_equal(atomic_load(&storage_hits) - hits, 1);
	assert_int_equal(atomic_load(&storage_saw_auth) - with_auth, 0);
	free(s.data);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_plain_http_needs_insecure(void **state)
{
	struct registry_client *c = client_with(NULL, NULL, NULL, 0);
	struct registry_ref ref;
	struct registry_manifest m;
	struct sink s = { 0 };
	char text[256];
	int before = atomic_load(&fake_requests);

	(void)state;
	snprintf(text, sizeof(text), "http://127.0.0.1:%d/own/app:v1", anon_srv.port);
	assert_ok(registry_ref_parse(&ref, text));
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EINVALID, "plain http://");
	assert_fails(registry_fetch_blob(c, &ref, layer_digest, -1, sink_cb, &s), ASEC_EINVALID, "plain http://");
	assert_int_equal(atomic_load(&fake_requests), before);
	registry_client_free(c);
	/* The same reference with an insecure client works. */
	c = anon_client();
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_tls(void **state)
{
	struct httpclient_options o;
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;
	struct registry_ref ref;
	struct registry_manifest m;
	int before = atomic_load(&token_requests);

	(void)state;
	fast_http(&o);
	o.max_attempts = 1;
	ro.http = &o;
	ref_at(&ref, tls_srv.port, "own/app:v1");

	/* Untrusted certificate: refused. */
	assert_ok(registry_client_new(&c, &ro));
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EIO, "TLS");
	registry_client_free(c);

	/* Trusted through ca_file: the registry's challenge names a plain
	 * http realm, which a secure client refuses before sending anything. */
	ro.ca_file = HTTPCLIENT_TESTDATA "/ca.pem";
	assert_ok(registry_client_new(&c, &ro));
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EINVALID, "token realm is plain http://");
	assert_int_equal(atomic_load(&token_requests), before);
	registry_client_free(c);

	/* insecureSkipTlsVerify alone does not allow plain http either. */
	ro.ca_file = NULL;
	ro.skip_tls_verify = 1;
	assert_ok(registry_client_new(&c, &ro));
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EINVALID, "token realm is plain http://");
	registry_client_free(c);

	/* Marked insecure too: the http realm is accepted, TLS to the registry
	 * kept because the reference says https. */
	registry_ref_free(&ref);
	{
		char text[128];

		snprintf(text, sizeof(text), "https://127.0.0.1:%d/own/app:v1", tls_srv.port);
		assert_ok(registry_ref_parse(&ref, text));
	}
	ro.insecure = 1;
	assert_ok(registry_client_new(&c, &ro));
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, own_manifest_digest);
	registry_manifest_free(&m);
	registry_client_free(c);
	registry_ref_free(&ref);
}

static struct registry_client *impatient_client(void)
{
	struct httpclient_options o;
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;

	fast_http(&o);
	o.total_timeout_ms = 1500;
	o.low_speed_bytes = 1;
	o.low_speed_time_s = 1;
	o.max_attempts = 1;
	ro.http = &o;
	ro.insecure = 1;
	assert_ok(registry_client_new(&c, &ro));
	return c;
}

static void test_hanging_registry(void **state)
{
	struct registry_client *c = impatient_client();
	struct registry_ref ref;
	struct registry_manifest m;
	struct sink s = { 0 };
	long long t0;

	(void)state;
	ref_at(&ref, hang.port, "own/app:v1");
	t0 = now_ms();
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_ETIMEOUT, "own/app");
	assert_true(now_ms() - t0 < 8000);
	/* A blob that stops after ten bytes: the stall abort, not a total timeout. */
	t0 = now_ms();
	assert_fails(registry_fetch_blob(c, &ref, layer_digest, 1024, sink_cb, &s), ASEC_ETIMEOUT, "stalled");
	assert_true(now_ms() - t0 < 8000);
	assert_int_equal(s.len, 10);
	free(s.data);
	registry_ref_free(&ref);
	registry_client_free(c);
}

/* The /v2/ check an image integration's test runs: each kind of registry,
 * right and wrong credentials, and registries that are not there. */
static void test_ping(void **state)
{
	char registry[64];
	struct registry_client *c;
	int tokens, pings;

	(void)state;
	/* Anonymous registry: answers without credentials, and with any. */
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", anon_srv.port);
	c = anon_client();
	pings = atomic_load(&ping_requests);
	assert_ok(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT));
	assert_int_equal(atomic_load(&ping_requests), pings + 1);
	registry_client_free(c);
	c = client_with(registry, USER, "anything", 1);
	assert_ok(registry_ping(c, registry, REGISTRY_SCHEME_HTTP));
	registry_client_free(c);

	/* Bearer: a token without scope from the realm, then the retry. */
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", bearer_srv.port);
	c = client_with(registry, USER, PASS, 1);
	tokens = atomic_load(&token_requests);
	assert_ok(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT));
	assert_int_equal(atomic_load(&token_requests), tokens + 1);
	registry_client_free(c);
	c = client_with(registry, USER, "wrong", 1);
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH,
		     "the token service refused the credentials (401)");
	assert_non_null(strstr(error_last(), registry));
	assert_null(strstr(error_last(), "wrong"));
	assert_null(strstr(error_last(), USER));
	registry_client_free(c);
	/* Anonymous tokens are enough for the fake's /v2/, as on Docker Hub. */
	c = anon_client();
	assert_ok(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT));
	registry_client_free(c);

	/* Basic: the credentials, or a refusal that says so. */
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", basic_srv.port);
	c = client_with(registry, USER, PASS, 1);
	assert_ok(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT));
	registry_client_free(c);
	c = client_with(registry, USER, "wrong", 1);
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH, "refused the credentials");
	assert_null(strstr(error_last(), "wrong"));
	registry_client_free(c);
	c = anon_client();
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH, "none were given");
	registry_client_free(c);
	/* Credentials for another registry are never sent here. */
	c = client_with("other.example:5000", USER, PASS, 1);
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH, "none were given");
	registry_client_free(c);

	/* Plain http:// needs an insecure client. */
	c = client_with(registry, USER, PASS, 0);
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_HTTP), ASEC_EINVALID, "insecure");
	registry_client_free(c);

	/* Not a registry (the token service answers 404 for /v2/). */
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", token_srv.port);
	c = anon_client();
	assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EINVALID, "no OCI registry");
	registry_client_free(c);

	/* Nothing listening, and a registry that never answers. */
	{
		struct sockaddr_in sa = { 0 };
		socklen_t sl = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		long long t0;

		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
		snprintf(registry, sizeof(registry), "127.0.0.1:%d", ntohs(sa.sin_port));
		close(fd); /* bound, never listened, closed: connections are refused */
		c = impatient_client();
		assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_EIO, registry);
		snprintf(registry, sizeof(registry), "127.0.0.1:%d", hang.port);
		t0 = now_ms();
		assert_fails(registry_ping(c, registry, REGISTRY_SCHEME_DEFAULT), ASEC_ETIMEOUT, registry);
		assert_true(now_ms() - t0 < 8000);
		registry_client_free(c);
	}
	c = anon_client();
	assert_fails(registry_ping(c, "not a domain!", REGISTRY_SCHEME_DEFAULT), ASEC_EINVALID, "domain");
	assert_fails(registry_ping(c, "", REGISTRY_SCHEME_DEFAULT), ASEC_EINVALID, "registry");
	registry_client_free(c);
}

static void test_secrets_stay_out_of_logs(void **state)
{
	char registry[64], *logbuf = NULL;
	size_t loglen = 0;
	FILE *logs = open_memstream(&logbuf, &loglen);
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;
	struct sink s = { 0 };
	char tokens[1024] = "";

	(void)state;
	assert_non_null(logs);
	log_init("registry-test", LOG_LEVEL_DEBUG, logs);
	snprintf(registry, sizeof(registry), "127.0.0.1:%d", bearer_srv.port);
	ref_at(&ref, bearer_srv.port, "private/app:v1");
	c = client_with(registry, USER, PASS, 1);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.env[1], "DB_PASSWORD=not-for-logs");
	assert_ok(registry_fetch_blob(c, &ref, layer_digest, sizeof(layer), sink_cb, &s));
	registry_client_free(c);
	registry_manifest_free(&m);
	c = client_with(registry, USER, "wr0ng-" PASS, 1);
	assert_int_equal(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH);
	log_error("%s", error_last()); /* as a service would report it */
	registry_client_free(c);
	log_init("registry-test", LOG_LEVEL_WARN, NULL);
	fclose(logs);

	pthread_mutex_lock(&token_lock);
	for (size_t i = 0; i < issued_count && i < sizeof(issued) / sizeof(issued[0]); i++)
		if (issued[i].token[0] && strstr(logbuf, issued[i].token))
			snprintf(tokens, sizeof(tokens), "%.*s", (int)sizeof(tokens) - 1, issued[i].token);
	pthread_mutex_unlock(&token_lock);
	assert_true(loglen > 0); /* debug lines were written */
	assert_null(strstr(logbuf, PASS));
	assert_null(strstr(logbuf, PASS_B64));
	assert_null(strstr(logbuf, "not-for-logs"));
	assert_string_equal(tokens, "");
	free(logbuf);
	free(s.data);
	registry_config_free(&cfg);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
}

struct worker {
	struct registry_client *c;
	const struct registry_ref *ref;
	int rc;
	size_t len;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 5 && w->rc == ASEC_OK; i++) {
		struct sink s = { 0 };

		w->rc = registry_fetch_blob(w->c, w->ref, layer_digest, sizeof(layer), sink_cb, &s);
		w->len = s.len;
		free(s.data);
	}
	return NULL;
}

static void test_threads_share_a_client(void **state)
{
	struct registry_client *c = anon_client();
	struct registry_ref ref;
	struct worker w[4];
	pthread_t t[4];
	int before = atomic_load(&token_requests);

	(void)state;
	ref_at(&ref, bearer_srv.port, "own/other:v1");
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .c = c, .ref = &ref, .rc = ASEC_OK };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, ASEC_OK);
		assert_int_equal(w[i].len, sizeof(layer));
	}
	/* Twenty downloads; at most one token per thread that raced for it. */
	assert_true(atomic_load(&token_requests) - before <= 4);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_options(void **state)
{
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;

	(void)state;
	ro.username = USER;
	assert_fails(registry_client_new(&c, &ro), ASEC_EINVALID, "both a username and a password");
	ro.password = PASS;
	assert_fails(registry_client_new(&c, &ro), ASEC_EINVALID, "the registry they belong to");
	ro.registry = "not a host";
	assert_fails(registry_client_new(&c, &ro), ASEC_EINVALID, "registry credentials");
	ro.registry = "quay.io";
	ro.username = "a:b";
	assert_fails(registry_client_new(&c, &ro), ASEC_EINVALID, "must not contain ':'");
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_default_platform),
		cmocka_unit_test(test_index_arm64_and_missing_platform),
		cmocka_unit_test(test_fetch_by_digest),
		cmocka_unit_test(test_docker_schema2_by_tag),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_swapped_manifest),
		cmocka_unit_test(test_layer_limit_boundary),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_blob_stream),
		cmocka_unit_test(test_blob_mismatch),
		cmocka_unit_test(test_bearer_flow_and_cache),
		cmocka_unit_test(test_bearer_expiry_revocation),
		cmocka_unit_test(test_bearer_credentials),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_blob_redirect_drops_authorization),
		cmocka_unit_test(test_plain_http_needs_insecure),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_hanging_registry),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_secrets_stay_out_of_logs),
		cmocka_unit_test(test_threads_share_a_client),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
