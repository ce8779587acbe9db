/*
 * httpclient_test.c - the HTTP client against real servers on 127.0.0.1.
 *
 * Three ulfius instances (plain HTTP, HTTPS, HTTPS that asks for a client
 * certificate) serve well-behaved answers; a small socket server of our own
 * plays the peers ulfius cannot: one that drops connections, stalls, lies
 * about Content-Length, streams chunks slowly, or acts as an HTTP proxy. All
 * listen on ephemeral ports; the certificates come from testdata/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/x509.h>
#include <ulfius.h>

#include "error/error.h"
#include "httpclient/httpclient.h"
#include "httpclient/httpclient_int.h"

#define TESTDATA HTTPCLIENT_TESTDATA

/* ---- helpers ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Shows the client's message when a call that should work does not. */
#define assert_ok(call)                                                         \
	do {                                                                    \
		int rc_ = (call);                                               \
		if (rc_ != ASEC_OK)                                             \
			print_error("%s: %d %s\n", #call, rc_, error_last());   \
		assert_int_equal(rc_, ASEC_OK);                                 \
	} while (0)

/* Options that keep the tests quick: short waits, a bounded total. */
static void fast_opts(struct httpclient_options *o)
{
	httpclient_options_init(o);
	o->backoff_base_ms = 5;
	o->backoff_max_ms = 50;
	o->connect_timeout_ms = 3000;
	o->total_timeout_ms = 20000;
}

static struct httpclient *new_client(const struct httpclient_options *o)
{
	struct httpclient *c = NULL;

	assert_int_equal(httpclient_new(&c, o), ASEC_OK);
	assert_non_null(c);
	return c;
}

struct sink {
	size_t calls;
	size_t total;
	char data[65536];
	int fail_with;
};

static int sink_cb(const void *d, size_t len, void *ctx)
{
	struct sink *s = ctx;
	size_t room = sizeof(s->data) - s->total;

	s->calls++;
	memcpy(s->data + s->total, d, len < room ? len : room);
	s->total += len;
	if (s->fail_with) {
		error_set("disk full");
		return s->fail_with;
	}
	return ASEC_OK;
}

static size_t count_headers(const struct httpclient_response *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->header_count; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

/* ---- ulfius servers ---- */

static struct _u_instance plain_srv, tls_srv, mtls_srv;
static struct sockaddr_in plain_addr, tls_addr, mtls_addr; /* borrowed by ulfius */
static int plain_port, tls_port, mtls_port;
static char *pem_ca, *pem_server, *pem_server_key;

static atomic_int flaky_hits, flaky_fail_n, flaky_retry_after, count_hits;

static int cb_hello(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	(void)rq;
	(void)ud;
	u_map_put(rs->map_header, "Docker-Content-Digest", "sha256:abc");
	ulfius_set_string_body_response(rs, 200, "hello world");
	return U_CALLBACK_CONTINUE;
}

static int cb_echo_auth(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	const char *auth = u_map_get_case(rq->map_header, "Authorization");
	const char *cookie = u_map_get_case(rq->map_header, "Cookie");
	const char *other = u_map_get_case(rq->map_header, "X-Trace");
	char body[512];

	(void)ud;
	snprintf(body, sizeof(body), "auth=%s;cookie=%s;trace=%s", auth ? auth : "none",
		 cookie ? cookie : "none", other ? other : "none");
	ulfius_set_string_body_response(rs, 200, body);
	return U_CALLBACK_CONTINUE;
}

static int cb_flaky(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	int n = atomic_fetch_add(&flaky_hits, 1) + 1;
	char body[64];

	(void)rq;
	(void)ud;
	if (n <= atomic_load(&flaky_fail_n)) {
		if (atomic_load(&flaky_retry_after) >= 0) {
			snprintf(body, sizeof(body), "%d", atomic_load(&flaky_retry_after));
			u_map_put(rs->map_header, "Retry-After", body);
		}
		ulfius_set_string_body_response(rs, 503, "try later");
		return U_CALLBACK_CONTINUE;
	}
	snprintf(body, sizeof(body), "ok after %d", n);
	ulfius_set_string_body_response(rs, 200, body);
	return U_CALLBACK_CONTINUE;
}

static int cb_redirect(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	const char *target = ud;
	char location[256];

	(void)rq;
	if (strcmp(target, "other") == 0)
		snprintf(location, sizeof(location), "http://localhost:%d/echo-auth", plain_port);
	else if (strcmp(target, "down") == 0)
		snprintf(location, sizeof(location), "http://127.0.0.1:%d/hello", plain_port);
	else
		snprintf(location, sizeof(location), "%s", target);
	u_map_put(rs->map_header, "Location", location);
	ulfius_set_string_body_response(rs, strcmp(target, "/method") == 0 ? 303 : 302, "moved");
	return U_CALLBACK_CONTINUE;
}

static int cb_method(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	char body[128];

	(void)ud;
	snprintf(body, sizeof(body), "%s:%zu", rq->http_verb, rq->binary_body_length);
	ulfius_set_string_body_response(rs, 200, body);
	return U_CALLBACK_CONTINUE;
}

static int cb_echo(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	const char *type = u_map_get_case(rq->map_header, "Content-Type");

	(void)ud;
	u_map_put(rs->map_header, "X-Got-Type", type ? type : "none");
	ulfius_set_binary_body_response(rs, 200, rq->binary_body, rq->binary_body_length);
	return U_CALLBACK_CONTINUE;
}

static int cb_notfound(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	(void)rq;
	(void)ud;
	ulfius_set_string_body_response(rs, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
	return U_CALLBACK_CONTINUE;
}

static int cb_big(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	static char big[100000];

	(void)rq;
	(void)ud;
	memset(big, 'x', sizeof(big));
	ulfius_set_binary_body_response(rs, 200, big, sizeof(big));
	return U_CALLBACK_CONTINUE;
}

static int cb_count(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	(void)rq;
	(void)ud;
	atomic_fetch_add(&count_hits, 1);
	ulfius_set_string_body_response(rs, 200, "counted");
	return U_CALLBACK_CONTINUE;
}

static int cb_whoami(const struct _u_request *rq, struct _u_response *rs, void *ud)
{
	gnutls_datum_t dn = { 0 };

	(void)ud;
	if (!rq->client_cert || gnutls_x509_crt_get_dn2(rq->client_cert, &dn) != 0) {
		ulfius_set_string_body_response(rs, 403, "no client certificate");
		return U_CALLBACK_CONTINUE;
	}
	ulfius_set_binary_body_response(rs, 200, (const char *)dn.data, dn.size);
	gnutls_free(dn.data);
	return U_CALLBACK_CONTINUE;
}

static int start_ulfius(struct _u_instance *inst, struct sockaddr_in *addr, int *port, int kind)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in bound;
	socklen_t blen = sizeof(bound);
	int rc;

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = 0; /* ephemeral: asked back from the daemon below */
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ulfius_init_instance(inst, 1, addr, NULL) != U_OK)
		return -1;
	if (kind == 0) {
		ulfius_add_endpoint_by_val(inst, "GET", "/hello", NULL, 0, cb_hello, NULL);
		ulfius_add_endpoint_by_val(inst, "HEAD", "/hello", NULL, 0, cb_hello, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/echo-auth", NULL, 0, cb_echo_auth, NULL);
		ulfius_add_endpoint_by_val(inst, "*", "/flaky", NULL, 0, cb_flaky, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/redirect-other", NULL, 0, cb_redirect, "other");
		ulfius_add_endpoint_by_val(inst, "GET", "/redirect-same", NULL, 0, cb_redirect, "/echo-auth");
		ulfius_add_endpoint_by_val(inst, "GET", "/redirect-loop", NULL, 0, cb_redirect,
					   "/redirect-loop");
		ulfius_add_endpoint_by_val(inst, "GET", "/redirect-ftp", NULL, 0, cb_redirect,
					   "ftp://127.0.0.1/x");
		ulfius_add_endpoint_by_val(inst, "POST", "/see-other", NULL, 0, cb_redirect, "/method");
		ulfius_add_endpoint_by_val(inst, "*", "/method", NULL, 0, cb_method, NULL);
		ulfius_add_endpoint_by_val(inst, "*", "/echo", NULL, 0, cb_echo, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/notfound", NULL, 0, cb_notfound, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/big", NULL, 0, cb_big, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/count", NULL, 0, cb_count, NULL);
		rc = ulfius_start_framework(inst);
	} else if (kind == 1) {
		ulfius_add_endpoint_by_val(inst, "GET", "/hello", NULL, 0, cb_hello, NULL);
		ulfius_add_endpoint_by_val(inst, "GET", "/down", NULL, 0, cb_redirect, "down");
		rc = ulfius_start_secure_framework(inst, pem_server_key, pem_server);
	} else {
		ulfius_add_endpoint_by_val(inst, "GET", "/whoami", NULL, 0, cb_whoami, NULL);
		rc = ulfius_start_secure_ca_trust_framework(inst, pem_server_key, pem_server, pem_ca);
	}
	if (rc != U_OK)
		return -1;
	/* The daemon reports the nominal port it was given, so ask the socket. */
	info = MHD_get_daemon_info(inst->mhd_daemon, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) != 0)
		return -1;
	*port = ntohs(bound.sin_port);
	return *port > 0 ? 0 : -1;
}

/* ---- a socket server for peers that misbehave ---- */

struct rawsrv {
	int fd;
	int port;
	pthread_t thread;
	atomic_int stop;
	atomic_int short_hits;
	atomic_int drop_hits;
	atomic_int requests;
};

static struct rawsrv raw;

static void raw_send(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void raw_sendf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void raw_sendf(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		raw_send(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Blocks until the client goes away or the server stops. */
static void raw_wait_peer(struct rawsrv *s, int fd)
{
	char b[256];

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) > 0 && recv(fd, b, sizeof(b), 0) <= 0)
			return;
	}
}

static void raw_chunked(int fd, char fill, int chunks, int size, int pause_ms)
{
	char buf[1024];

	memset(buf, 0, sizeof(buf));
	raw_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
	for (int i = 0; i < chunks; i++) {
		memset(buf, fill + (fill == 'a' ? i : 0), (size_t)size);
		raw_sendf(fd, "%x\r\n", size);
		raw_send(fd, buf, (size_t)size);
		raw_send(fd, "\r\n", 2);
		if (pause_ms)
			usleep((useconds_t)pause_ms * 1000);
	}
	raw_send(fd, "0\r\n\r\n", 5);
}

static void raw_handle(struct rawsrv *s, int fd, const char *method, const char *target)
{
	char body[100];

	if (strncmp(target, "http://", 7) == 0) {
		char reply[1024];

		snprintf(reply, sizeof(reply), "proxied %.16s %.900s", method, target);
		raw_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			  strlen(reply), reply);
	} else if (strcmp(target, "/chunks") == 0) {
		raw_chunked(fd, 'a', 5, 1000, 30);
	} else if (strcmp(target, "/chunked-big") == 0) {
		raw_chunked(fd, 'z', 20, 1000, 0);
	} else if (strcmp(target, "/huge-cl") == 0) {
		memset(body, 'h', sizeof(body));
		raw_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n");
		raw_send(fd, body, sizeof(body));
	} else if (strcmp(target, "/stall") == 0) {
		raw_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789");
		raw_wait_peer(s, fd);
	} else if (strcmp(target, "/short-then-ok") == 0) {
		int n = atomic_fetch_add(&s->short_hits, 1) + 1;

		memset(body, 's', sizeof(body));
		raw_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n");
		/* The first answer promises 100 bytes and ends after 50. */
		raw_send(fd, body, n == 1 ? 50 : 100);
	} else if (strcmp(target, "/drop-then-ok") == 0) {
		if (atomic_fetch_add(&s->drop_hits, 1) + 1 <= 2)
			return; /* closed without a word */
		raw_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nfinally");
	} else if (strcmp(target, "/headers") == 0) {
		raw_sendf(fd, "HTTP/1.1 200 OK\r\n"
			      "X-Dup: one\r\n"
			      "x-dup: two\r\n"
			      "www-authenticate: Bearer realm=\"https://auth.example/token\",service=\"r\"\r\n"
			      "X-Folded: first\r\n"
			      "   second  \r\n"
			      "ETag:   \"abc\"  \r\n"
			      "Content-Length: 2\r\nConnection: close\r\n\r\nok");
	} else if (strcmp(target, "/big-error") == 0 || strcmp(target, "/big-redirect") == 0) {
		static char junk[100000];
		int redirect = strcmp(target, "/big-redirect") == 0;

		memset(junk, 'e', sizeof(junk));
		raw_sendf(fd, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
			  redirect ? "302 Found" : "500 Internal Server Error",
			  redirect ? "Location: /continue\r\n" : "", sizeof(junk));
		raw_send(fd, junk, sizeof(junk));
	} else if (strcmp(target, "/continue") == 0) {
		raw_sendf(fd, "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
			      "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone");
	} else {
		raw_sendf(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	}
}

static void *raw_main(void *arg)
{
	struct rawsrv *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		char req[16384], method[16], target[2048];
		size_t have = 0;
		long long give_up;
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		give_up = now_ms() + 2000;
		while (have < sizeof(req) - 1 && now_ms() < give_up) {
			struct pollfd q = { .fd = c, .events = POLLIN };
			ssize_t n;

			if (poll(&q, 1, 50) <= 0)
				continue;
			n = recv(c, req + have, sizeof(req) - 1 - have, 0);
			if (n <= 0)
				break;
			have += (size_t)n;
			req[have] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[have] = '\0';
		if (sscanf(req, "%15s %2047s", method, target) == 2) {
			atomic_fetch_add(&s->requests, 1);
			raw_handle(s, c, method, target);
		}
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

static int raw_start(struct rawsrv *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1;

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	s->port = ntohs(a.sin_port);
	atomic_store(&s->stop, 0);
	return pthread_create(&s->thread, NULL, raw_main, s) == 0 ? 0 : -1;
}

static void raw_stop(struct rawsrv *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* A port that nothing listens on: bound once, then released. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int group_setup(void **state)
{
	(void)state;
	pem_ca = read_file(TESTDATA "/ca.pem");
	pem_server = read_file(TESTDATA "/server.pem");
	pem_server_key = read_file(TESTDATA "/server-key.pem");
	if (!pem_ca || !pem_server || !pem_server_key) {
		fprintf(stderr, "cannot read test certificates under %s\n", TESTDATA);
		return -1;
	}
	if (start_ulfius(&plain_srv, &plain_addr, &plain_port, 0) != 0 ||
	    start_ulfius(&tls_srv, &tls_addr, &tls_port, 1) != 0 ||
	    start_ulfius(&mtls_srv, &mtls_addr, &mtls_port, 2) != 0 || raw_start(&raw) != 0) {
		fprintf(stderr, "cannot start the test servers\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	raw_stop(&raw);
	ulfius_stop_framework(&plain_srv);
	ulfius_stop_framework(&tls_srv);
	ulfius_stop_framework(&mtls_srv);
	ulfius_clean_instance(&plain_srv);
	ulfius_clean_instance(&tls_srv);
	ulfius_clean_instance(&mtls_srv);
	free(pem_ca);
	free(pem_server);
	free(pem_server_key);
	return 0;
}

static int do_get(struct httpclient *c, const char *url, struct httpclient_response *r)
{
	struct httpclient_request rq = { .url = url, .idempotent = -1 };

	return httpclient_do(c, &rq, r);
}

/* ---- pure parsing ---- */

static int add_line(struct hc_headers *h, const char *line)
{
	return hc_headers_add_line(h, line, strlen(line));
}

static void test_url_redact(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(httpclient_url_redact(&s, "https://user:secret@r.example:5000/v2/x/blobs?sig=hush#frag"),
			 ASEC_OK);
	assert_string_equal(s, "https://r.example:5000/v2/x/blobs");
	free(s);
	assert_int_equal(httpclient_url_redact(&s, "not a url"), ASEC_EINVALID);
	assert_null(s);
}

static void test_header_lines(void **state)
{
	struct hc_headers h = { 0 };
	char big[HTTPCLIENT_MAX_HEADER_BYTES];

	(void)state;
	assert_int_equal(add_line(&h, "Content-Type:  application/json \r\n"), ASEC_OK);
	assert_int_equal(add_line(&h, "  ; charset=utf-8\r\n"), ASEC_OK);
	assert_int_equal(add_line(&h, "no colon here\r\n"), ASEC_OK);
	assert_int_equal(add_line(&h, "bad name: x\r\n"), ASEC_OK);
	assert_int_equal(add_line(&h, ": empty name\r\n"), ASEC_OK);
	assert_int_equal(hc_headers_add_line(&h, "Nul: a\0b\r\n", 10), ASEC_OK);
	assert_int_equal(add_line(&h, "Empty:\r\n"), ASEC_OK);
	assert_int_equal(h.count, 2);
	assert_string_equal(hc_headers_find(h.items, h.count, "content-type"),
			    "application/json ; charset=utf-8");
	assert_string_equal(hc_headers_find(h.items, h.count, "EMPTY"), "");
	assert_null(hc_headers_find(h.items, h.count, "missing"));

	/* The byte bound counts every line, ignored ones too. */
	memset(big, 'a', sizeof(big));
	assert_int_equal(hc_headers_add_line(&h, big, sizeof(big)), ASEC_ETOOBIG);
	hc_headers_clear(&h);
	for (int i = 0; i < HTTPCLIENT_MAX_HEADERS; i++)
		assert_int_equal(hc_headers_add_line(&h, "X: y", 4), ASEC_OK);
	assert_int_equal(hc_headers_add_line(&h, "X: y", 4), ASEC_ETOOBIG);
	hc_headers_clear(&h);

	assert_int_equal(hc_status_line_parse("HTTP/1.1 404 Not Found\r\n", 24), 404);
	assert_int_equal(hc_status_line_parse("HTTP/2 200\r\n", 12), 200);
	assert_int_equal(hc_status_line_parse("HTTP/1.1 20\r\n", 13), -1);
	assert_int_equal(hc_status_line_parse("HTTP/1.1 2000\r\n", 15), -1);
	assert_int_equal(hc_status_line_parse("X-HTTP/1.1 200\r\n", 16), -1);
}

static void test_retry_after_parse(void **state)
{
	time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */

	(void)state;
	assert_int_equal(hc_retry_after_ms("2", now, 10000), 2000);
	assert_int_equal(hc_retry_after_ms(" 120 ", now, 10000), 10000);
	assert_int_equal(hc_retry_after_ms("99999999999999999999999", now, 10000), 10000);
	assert_int_equal(hc_retry_after_ms("0", now, 10000), 0);
	assert_int_equal(hc_retry_after_ms("Tue, 14 Nov 2023 22:13:23 GMT", now, 10000), 3000);
	assert_int_equal(hc_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now, 10000), 0);
	assert_int_equal(hc_retry_after_ms("soon", now, 10000), -1);
	assert_int_equal(hc_retry_after_ms("5s", now, 10000), -1);
	assert_int_equal(hc_retry_after_ms(NULL, now, 10000), -1);
}

/* ---- plain HTTP ---- */

static void test_buffered_get(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", plain_port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 11);
	assert_string_equal(r.body, "hello world");
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.redirects, 0);
	assert_string_equal(r.final_url, url);
	assert_string_equal(httpclient_response_header(&r, "docker-content-digest"), "sha256:abc");
	assert_string_equal(httpclient_response_header(&r, "DOCKER-CONTENT-DIGEST"), "sha256:abc");
	assert_null(httpclient_response_header(&r, "Docker-Content-Digest-Not"));
	httpclient_response_free(&r);

	/* HEAD: headers, no body. */
	struct httpclient_request head = { .method = "HEAD", .url = url, .idempotent = -1 };
	assert_ok(httpclient_do(c, &head, &r));
	assert_int_equal(r.status, 200);
	assert_null(r.body);
	assert_string_equal(httpclient_response_header(&r, "Docker-Content-Digest"), "sha256:abc");
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_headers_duplicates_and_folding(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/headers", raw.port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(httpclient_response_header(&r, "X-DUP"), "one");
	assert_int_equal(count_headers(&r, "x-dup"), 2);
	assert_string_equal(httpclient_response_header(&r, "WWW-Authenticate"),
			    "Bearer realm=\"https://auth.example/token\",service=\"r\"");
	assert_string_equal(httpclient_response_header(&r, "x-folded"), "first second");
	assert_string_equal(httpclient_response_header(&r, "etag"), "\"abc\"");
	httpclient_response_free(&r);

	/* Headers of an interim 100 response do not leak into the final one. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/continue", raw.port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "done");
	assert_null(httpclient_response_header(&r, "X-Interim"));
	assert_string_equal(httpclient_response_header(&r, "X-Final"), "yes");
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_streaming_chunks(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/chunks", raw.port);
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_ok(httpclient_do(c, &rq, &r));
	assert_int_equal(r.status, 200);
	assert_null(r.body);
	assert_int_equal(s->total, 5000);
	/* The chunks were sent 30 ms apart: they must arrive as they come. */
	assert_true(s->calls >= 2);
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 1000; k++)
			assert_int_equal(s->data[i * 1000 + k], 'a' + i);
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

static void test_size_cap_with_content_length(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128];

	(void)state;
	fast_opts(&o);
	o.max_body_bytes = 4096;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/huge-cl", raw.port);
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_int_equal(httpclient_do(c, &rq, &r), ASEC_ETOOBIG);
	assert_int_equal(s->calls, 0); /* refused on the header, before any byte */
	assert_non_null(strstr(error_last(), "10000000 bytes exceeds the limit of 4096"));
	assert_non_null(strstr(error_last(), "GET http://127.0.0.1:"));
	httpclient_response_free(&r);

	/* Buffered, same cap; and a per-request cap overrides the client's. */
	assert_int_equal(do_get(c, url, &r), ASEC_ETOOBIG);
	assert_null(r.body);
	httpclient_response_free(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", plain_port);
	assert_int_equal(do_get(c, url, &r), ASEC_ETOOBIG);
	httpclient_response_free(&r);
	struct httpclient_request big = { .url = url, .idempotent = -1, .max_body_bytes = 100000 };
	assert_ok(httpclient_do(c, &big, &r));
	assert_int_equal(r.body_len, 100000);
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

static void test_size_cap_without_content_length(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128];

	(void)state;
	fast_opts(&o);
	o.max_body_bytes = 5000;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/chunked-big", raw.port);
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_int_equal(httpclient_do(c, &rq, &r), ASEC_ETOOBIG);
	assert_true(s->total <= 5000);
	assert_non_null(strstr(error_last(), "exceeds the limit of 5000 bytes"));
	assert_int_equal(r.attempts, 1); /* a cap is not something to retry */
	httpclient_response_free(&r);

	assert_int_equal(do_get(c, url, &r), ASEC_ETOOBIG);
	httpclient_response_free(&r);

	struct httpclient_request fits = { .url = url, .idempotent = -1, .max_body_bytes = 20000 };
	assert_ok(httpclient_do(c, &fits, &r));
	assert_int_equal(r.body_len, 20000);
	assert_int_equal(r.body[19999], 'z');
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

static void test_retry_503_then_success(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/flaky", plain_port);
	atomic_store(&flaky_hits, 0);
	atomic_store(&flaky_fail_n, 2);
	atomic_store(&flaky_retry_after, -1);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(atomic_load(&flaky_hits), 3);
	assert_string_equal(r.body, "ok after 3");
	httpclient_response_free(&r);

	/* Out of attempts: the last 503 is the answer, its body kept. */
	atomic_store(&flaky_hits, 0);
	atomic_store(&flaky_fail_n, 100);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(atomic_load(&flaky_hits), 3);
	assert_string_equal(r.body, "try later");
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_retry_after_is_honoured_and_capped(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];
	long long t0, elapsed;

	(void)state;
	fast_opts(&o);
	o.backoff_base_ms = 1;
	o.backoff_max_ms = 300;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/flaky", plain_port);
	atomic_store(&flaky_hits, 0);
	atomic_store(&flaky_fail_n, 1);
	atomic_store(&flaky_retry_after, 1); /* one second, capped to 300 ms */
	t0 = now_ms();
	assert_ok(do_get(c, url, &r));
	elapsed = now_ms() - t0;
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(elapsed >= 290);
	assert_true(elapsed < 950);
	httpclient_response_free(&r);

	/* The same without Retry-After waits at most the 1 ms backoff. */
	atomic_store(&flaky_hits, 0);
	atomic_store(&flaky_retry_after, -1);
	t0 = now_ms();
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.attempts, 2);
	assert_true(now_ms() - t0 < 250);
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_post_not_retried(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/flaky", plain_port);
	atomic_store(&flaky_hits, 0);
	atomic_store(&flaky_fail_n, 100);
	atomic_store(&flaky_retry_after, -1);
	struct httpclient_request post = { .method = "POST", .url = url, .body = "{}", .body_len = 2,
					   .idempotent = -1 };
	assert_ok(httpclient_do(c, &post, &r));
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(atomic_load(&flaky_hits), 1);
	httpclient_response_free(&r);

	/* Marked idempotent by the caller, it is retried like a GET. */
	atomic_store(&flaky_hits, 0);
	post.idempotent = 1;
	assert_ok(httpclient_do(c, &post, &r));
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(atomic_load(&flaky_hits), 3);
	httpclient_response_free(&r);

	/* And a GET marked non-idempotent is not. */
	atomic_store(&flaky_hits, 0);
	struct httpclient_request get = { .url = url, .idempotent = 0 };
	assert_ok(httpclient_do(c, &get, &r));
	assert_int_equal(r.attempts, 1);
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_post_body_and_see_other(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];
	static const char payload[] = { 'a', '\0', 'b', '\n', 'c' };
	const char *const json[] = { "Content-Type: application/json", NULL };

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", plain_port);
	struct httpclient_request post = { .method = "POST", .url = url, .body = payload,
					   .body_len = sizeof(payload), .idempotent = -1 };
	assert_ok(httpclient_do(c, &post, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, sizeof(payload));
	assert_memory_equal(r.body, payload, sizeof(payload));
	/* No form-urlencoded type invented for the caller. */
	assert_string_equal(httpclient_response_header(&r, "X-Got-Type"), "none");
	httpclient_response_free(&r);

	post.headers = json;
	assert_ok(httpclient_do(c, &post, &r));
	assert_string_equal(httpclient_response_header(&r, "X-Got-Type"), "application/json");
	httpclient_response_free(&r);

	/* PUT with no body still sends one (Content-Length: 0), as registries need. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/method", plain_port);
	struct httpclient_request put = { .method = "PUT", .url = url, .idempotent = -1 };
	assert_ok(httpclient_do(c, &put, &r));
	assert_string_equal(r.body, "PUT:0");
	httpclient_response_free(&r);
	struct httpclient_request del = { .method = "DELETE", .url = url, .idempotent = -1 };
	assert_ok(httpclient_do(c, &del, &r));
	assert_string_equal(r.body, "DELETE:0");
	httpclient_response_free(&r);

	/* 303 after a POST: followed as a GET without the body. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/see-other", plain_port);
	struct httpclient_request so = { .method = "POST", .url = url, .body = "xyz", .body_len = 3,
					 .idempotent = -1 };
	assert_ok(httpclient_do(c, &so, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "GET:0");
	assert_int_equal(r.redirects, 1);
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_error_body_not_streamed(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/notfound", plain_port);
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_ok(httpclient_do(c, &rq, &r));
	assert_int_equal(r.status, 404);
	assert_int_equal(s->calls, 0);
	assert_non_null(r.body);
	assert_non_null(strstr(r.body, "MANIFEST_UNKNOWN"));
	assert_int_equal(r.attempts, 1); /* 404 is an answer, not a failure */
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

/* Bodies nobody needs in full are not read in full. */
static void test_big_error_and_redirect_bodies(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	o.max_attempts = 1;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big-error", raw.port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 500);
	assert_int_equal(r.body_len, HTTPCLIENT_ERROR_BODY_MAX);
	assert_int_equal(r.body_truncated, 1);
	httpclient_response_free(&r);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big-redirect", raw.port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.redirects, 1);
	assert_string_equal(r.body, "done");
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_on_body_abort(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128], want[256];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/chunks", raw.port);
	s->fail_with = ASEC_EIO;
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_int_equal(httpclient_do(c, &rq, &r), ASEC_EIO);
	assert_int_equal(s->calls, 1);
	assert_int_equal(r.attempts, 1);
	snprintf(want, sizeof(want), "GET %s: disk full", url);
	assert_string_equal(error_last(), want);
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

static void test_connection_refused(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[256], want[256];
	int port = closed_port();

	(void)state;
	assert_true(port > 0);
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v2/", port);
	assert_int_equal(do_get(c, url, &r), ASEC_EIO);
	assert_int_equal(r.attempts, 3);
	snprintf(want, sizeof(want), "GET http://127.0.0.1:%d/v2/: connection refused after 3 attempts", port);
	assert_string_equal(error_last(), want);
	httpclient_response_free(&r);

	/* Credentials in the URL, its query and the Authorization header never
	 * reach the message. */
	snprintf(url, sizeof(url), "http://robot:pa55word@127.0.0.1:%d/v2/x?token=hush", port);
	const char *const hdrs[] = { "Authorization: Bearer t0ken", NULL };
	struct httpclient_request rq = { .url = url, .headers = hdrs, .idempotent = 1 };
	assert_int_equal(httpclient_do(c, &rq, &r), ASEC_EIO);
	assert_null(strstr(error_last(), "pa55word"));
	assert_null(strstr(error_last(), "robot"));
	assert_null(strstr(error_last(), "hush"));
	assert_null(strstr(error_last(), "t0ken"));
	assert_non_null(strstr(error_last(), "/v2/x: connection refused"));
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_dropped_connections_are_retried(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/drop-then-ok", raw.port);
	atomic_store(&raw.drop_hits, 0);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "finally");
	assert_int_equal(r.attempts, 3);
	httpclient_response_free(&r);

	/* With a single attempt the drop is the result. */
	o.max_attempts = 1;
	httpclient_free(c);
	c = new_client(&o);
	atomic_store(&raw.drop_hits, 0);
	assert_int_equal(do_get(c, url, &r), ASEC_EIO);
	assert_non_null(strstr(error_last(), "without a response"));
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_short_body(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	struct sink *s = calloc(1, sizeof(*s));
	char url[128];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/short-then-ok", raw.port);

	/* Buffered: nothing reached the caller yet, so the retry is safe. */
	atomic_store(&raw.short_hits, 0);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.body_len, 100);
	httpclient_response_free(&r);

	/* Streaming: 50 bytes were delivered, so no retry. */
	atomic_store(&raw.short_hits, 0);
	struct httpclient_request rq = { .url = url, .idempotent = -1, .on_body = sink_cb, .ctx = s };
	assert_int_equal(httpclient_do(c, &rq, &r), ASEC_EIO);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(atomic_load(&raw.short_hits), 1);
	assert_int_equal(s->total, 50);
	assert_non_null(strstr(error_last(), "50 body bytes had already been delivered, so not retried"));
	httpclient_response_free(&r);
	httpclient_free(c);
	free(s);
}

static void test_total_timeout(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];
	long long t0, elapsed;

	(void)state;
	fast_opts(&o);
	o.total_timeout_ms = 400;
	o.low_speed_bytes = 0;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/stall", raw.port);
	t0 = now_ms();
	assert_int_equal(do_get(c, url, &r), ASEC_ETIMEOUT);
	elapsed = now_ms() - t0;
	assert_true(elapsed >= 350);
	assert_true(elapsed < 2000);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(error_last(), "total timeout of 400 ms exceeded"));
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_low_speed_abort(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];
	long long t0;

	(void)state;
	fast_opts(&o);
	o.low_speed_bytes = 100;
	o.low_speed_time_s = 1;
	o.max_attempts = 1;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/stall", raw.port);
	t0 = now_ms();
	assert_int_equal(do_get(c, url, &r), ASEC_ETIMEOUT);
	assert_true(now_ms() - t0 < 5000);
	assert_non_null(strstr(error_last(), "stalled"));
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_proxy_from_environment(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128], proxy[64], want[256];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", plain_port);
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", raw.port);
	setenv("http_proxy", proxy, 1);
	assert_ok(do_get(c, url, &r));
	snprintf(want, sizeof(want), "proxied GET %s", url);
	assert_string_equal(r.body, want);
	httpclient_response_free(&r);

	setenv("no_proxy", "127.0.0.1", 1);
	assert_ok(do_get(c, url, &r));
	assert_string_equal(r.body, "hello world");
	httpclient_response_free(&r);
	unsetenv("http_proxy");
	unsetenv("no_proxy");
	httpclient_free(c);
}

/* An explicit proxy wins over the environment's, and "" turns proxies off
 * even when the environment names one. */
static void test_proxy_option(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128], proxy[64], dead[64], want[256];

	(void)state;
	fast_opts(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", plain_port);
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", raw.port);
	snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", closed_port());
	snprintf(want, sizeof(want), "proxied GET %s", url);

	/* the environment points at a dead port: only the option may be used */
	setenv("http_proxy", dead, 1);
	o.proxy = proxy;
	c = new_client(&o);
	assert_ok(do_get(c, url, &r));
	assert_string_equal(r.body, want);
	httpclient_response_free(&r);
	httpclient_free(c);

	/* "" = no proxy: straight to the server although http_proxy is set */
	setenv("http_proxy", proxy, 1);
	o.proxy = "";
	c = new_client(&o);
	assert_ok(do_get(c, url, &r));
	assert_string_equal(r.body, "hello world");
	httpclient_response_free(&r);
	httpclient_free(c);

	/* NULL = the environment's proxy, as before */
	o.proxy = NULL;
	c = new_client(&o);
	assert_ok(do_get(c, url, &r));
	assert_string_equal(r.body, want);
	httpclient_response_free(&r);
	httpclient_free(c);
	unsetenv("http_proxy");
}

/* ---- redirects ---- */

static void test_redirect_authorization(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128], want[128];
	const char *const hdrs[] = { "Authorization: Bearer s3cret", "Cookie: session=1",
				     "X-Trace: t1", NULL };

	(void)state;
	fast_opts(&o);
	c = new_client(&o);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect-same", plain_port);
	struct httpclient_request rq = { .url = url, .headers = hdrs, .idempotent = -1 };
	assert_ok(httpclient_do(c, &rq, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.redirects, 1);
	assert_string_equal(r.body, "auth=Bearer s3cret;cookie=session=1;trace=t1");
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/echo-auth", plain_port);
	assert_string_equal(r.final_url, want);
	httpclient_response_free(&r);

	/* Same server, other host name: the credentials stay behind. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect-other", plain_port);
	assert_ok(httpclient_do(c, &rq, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.redirects, 1);
	assert_string_equal(r.body, "auth=none;cookie=none;trace=t1");
	snprintf(want, sizeof(want), "http://localhost:%d/echo-auth", plain_port);
	assert_string_equal(r.final_url, want);
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_redirect_limits(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	o.max_redirects = 3;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect-loop", plain_port);
	assert_int_equal(do_get(c, url, &r), ASEC_EIO);
	assert_non_null(strstr(error_last(), "stopped after 3 redirects"));
	assert_int_equal(r.attempts, 1);
	httpclient_response_free(&r);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect-ftp", plain_port);
	assert_int_equal(do_get(c, url, &r), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "redirect to a non-HTTP URL (ftp) refused"));
	httpclient_response_free(&r);
	httpclient_free(c);

	/* max_redirects 0 hands the 3xx to the caller. */
	o.max_redirects = 0;
	c = new_client(&o);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect-same", plain_port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 302);
	assert_string_equal(httpclient_response_header(&r, "location"), "/echo-auth");
	httpclient_response_free(&r);
	httpclient_free(c);
}

/* ---- TLS ---- */

static void test_tls_custom_ca(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	fast_opts(&o);
	o.ca_file = TESTDATA "/ca.pem";
	c = new_client(&o);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", tls_port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello world");
	httpclient_response_free(&r);
	snprintf(url, sizeof(url), "https://localhost:%d/hello", tls_port);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	httpclient_response_free(&r);

	/* An https URL that redirects to http is refused. */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/down", tls_port);
	assert_int_equal(do_get(c, url, &r), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "redirect from https to http://127.0.0.1:"));
	assert_non_null(strstr(error_last(), "refused"));
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_tls_untrusted_rejected(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", tls_port);

	/* The system trust store does not know the test CA. */
	fast_opts(&o);
	c = new_client(&o);
	assert_int_equal(do_get(c, url, &r), ASEC_EIO);
	assert_non_null(strstr(error_last(), "TLS"));
	assert_int_equal(r.attempts, 1); /* verification failures are not retried */
	httpclient_response_free(&r);
	httpclient_free(c);

	/* Nor does an unrelated CA. */
	o.ca_file = TESTDATA "/other-ca.pem";
	c = new_client(&o);
	assert_int_equal(do_get(c, url, &r), ASEC_EIO);
	assert_non_null(strstr(error_last(), "TLS"));
	httpclient_response_free(&r);
	httpclient_free(c);

	/* Unless the caller says so. */
	o.ca_file = NULL;
	o.insecure_skip_verify = 1;
	c = new_client(&o);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	httpclient_response_free(&r);
	httpclient_free(c);
}

static void test_mutual_tls(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	struct httpclient_response r;
	char url[128];
	int rc;

	(void)state;
	snprintf(url, sizeof(url), "https://localhost:%d/whoami", mtls_port);
	fast_opts(&o);
	o.ca_file = TESTDATA "/ca.pem";
	o.cert_file = TESTDATA "/client.pem";
	o.key_file = TESTDATA "/client-key.pem";
	c = new_client(&o);
	assert_ok(do_get(c, url, &r));
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "CN=asec-httpclient-test-client"));
	httpclient_response_free(&r);
	httpclient_free(c);

	/* Without a client certificate the server turns us away, by TLS
	 * alert or by status. */
	o.cert_file = NULL;
	o.key_file = NULL;
	o.max_attempts = 1;
	c = new_client(&o);
	rc = do_get(c, url, &r);
	assert_true(rc != ASEC_OK || r.status == 403);
	httpclient_response_free(&r);
	httpclient_free(c);
}

/* ---- setup, misuse and threads ---- */

static void test_invalid_use(void **state)
{
	struct httpclient_options o;
	struct httpclient *c = NULL;
	struct httpclient_response r;
	const char *const crlf[] = { "Authorization: Bearer x\r\nX-Evil: 1", NULL };
	const char *const noname[] = { ": value", NULL };

	(void)state;
	fast_opts(&o);
	o.cert_file = TESTDATA "/client.pem";
	assert_int_equal(httpclient_new(&c, &o), ASEC_EINVALID);
	assert_null(c);
	fast_opts(&o);
	o.ca_file = TESTDATA "/does-not-exist.pem";
	assert_int_equal(httpclient_new(&c, &o), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "does-not-exist.pem"));
	fast_opts(&o);
	o.max_attempts = 0;
	assert_int_equal(httpclient_new(&c, &o), ASEC_EINVALID);

	fast_opts(&o);
	c = new_client(&o);
	struct httpclient_request ftp = { .url = "ftp://127.0.0.1/x", .idempotent = -1 };
	assert_int_equal(httpclient_do(c, &ftp, &r), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "only http and https"));
	struct httpclient_request bad = { .url = "http://127.0.0.1:1/x", .headers = crlf, .idempotent = -1 };
	assert_int_equal(httpclient_do(c, &bad, &r), ASEC_EINVALID);
	assert_null(strstr(error_last(), "Bearer"));
	bad.headers = noname;
	assert_int_equal(httpclient_do(c, &bad, &r), ASEC_EINVALID);
	struct httpclient_request badm = { .method = "G ET", .url = "http://127.0.0.1:1/x" };
	assert_int_equal(httpclient_do(c, &badm, &r), ASEC_EINVALID);
	struct httpclient_request nobody = { .method = "POST", .url = "http://127.0.0.1:1/x", .body_len = 3 };
	assert_int_equal(httpclient_do(c, &nobody, &r), ASEC_EINVALID);
	httpclient_response_free(&r);
	httpclient_free(c);
	httpclient_free(NULL);
}

struct thread_arg {
	struct httpclient *client;
	int ok;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/count", plain_port);
	for (int i = 0; i < 25; i++) {
		struct httpclient_response r;

		if (do_get(a->client, url, &r) == ASEC_OK && r.status == 200 && r.body &&
		    strcmp(r.body, "counted") == 0)
			a->ok++;
		httpclient_response_free(&r);
	}
	return NULL;
}

static void test_many_threads_one_client(void **state)
{
	struct httpclient_options o;
	struct httpclient *c;
	pthread_t t[6];
	struct thread_arg args[6];

	(void)state;
	fast_opts(&o);
	c = new_client(&o);
	atomic_store(&count_hits, 0);
	for (int i = 0; i < 6; i++) {
		args[i].client = c;
		args[i].ok = 0;
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].ok, 25);
	}
	assert_int_equal(atomic_load(&count_hits), 150);
	httpclient_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_retry_after_parse),
		cmocka_unit_test(test_buffered_get),
		cmocka_unit_test(test_headers_duplicates_and_folding),
		cmocka_unit_test(test_streaming_chunks),
		cmocka_unit_test(test_size_cap_with_content_length),
		cmocka_unit_test(test_size_cap_without_content_length),
		cmocka_unit_test(test_retry_503_then_success),
		cmocka_unit_test(test_retry_after_is_honoured_and_capped),
		cmocka_unit_test(test_post_not_retried),
		cmocka_unit_test(test_post_body_and_see_other),
		cmocka_unit_test(test_error_body_not_streamed),
		cmocka_unit_test(test_big_error_and_redirect_bodies),
		cmocka_unit_test(test_on_body_abort),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_dropped_connections_are_retried),
		cmocka_unit_test(test_short_body),
		cmocka_unit_test(test_total_timeout),
		cmocka_unit_test(test_low_speed_abort),
		cmocka_unit_test(test_proxy_from_environment),
		cmocka_unit_test(test_proxy_option),
		cmocka_unit_test(test_redirect_authorization),
		cmocka_unit_test(test_redirect_limits),
		cmocka_unit_test(test_tls_custom_ca),
		cmocka_unit_test(test_tls_untrusted_rejected),
		cmocka_unit_test(test_mutual_tls),
		cmocka_unit_test(test_invalid_use),
		cmocka_unit_test(test_many_threads_one_client),
	};
	static const char *const proxy_vars[] = { "http_proxy", "https_proxy", "all_proxy", "no_proxy",
						  "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY" };

	/* The tests talk to 127.0.0.1 only; a proxy from the environment would
	 * get in the way (test_proxy_from_environment sets its own). */
	for (size_t i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
		unsetenv(proxy_vars[i]);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
