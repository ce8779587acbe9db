/*
 * http_testing.h - what the live tests of shared/http share (http_test.c,
 * site_test.c): a server on a free loopback port, a throw-away development
 * PKI for its HTTPS, and a small libcurl client. Test-only: include it from
 * a cmocka test, never from a service.
 *
 * Header-only (static inline, like tests/support/service_testing.h) so that
 * each test stays one source file; it is not named *_test.c, which would
 * make a test of its own. The ideas it keeps in one place:
 *
 *   - a port is found by binding port 0 on 127.0.0.1 and reading what the
 *     kernel chose; tests never use a fixed port, so parallel runs do not
 *     meet, and nothing listens beyond loopback;
 *   - the client sends exactly what the test wrote: the path as given (no
 *     dot-segment squashing, or a traversal test would test curl), no proxy
 *     from the environment, and a 10 s timeout so a hung server fails the
 *     test instead of stalling it;
 *   - a reply keeps the status and the raw header block, the body cut to
 *     what fits: the tests look for header lines as they stand on the wire.
 */
#ifndef ASEC_HTTP_TESTING_H
#define ASEC_HTTP_TESTING_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "error/error.h"
#include "pki/pki.h"

struct http_testing_reply {
	long status;
	char body[65536];
	size_t len;
	char headers[8192];
	size_t header_len;
	json_t *json; /* NULL here; a test that wants the body parsed fills it */
};

/* What an HTTPS request trusts (ca) and shows (cert and key, or NULL). */
struct http_testing_tls {
	const char *ca, *cert, *key;
};

/* A development PKI (pki_dir_dev) in a fresh folder under TMPDIR; the
 * server's certificate and key are the central ones. */
struct http_testing_pki {
	char dir[256];
	char ca[300], cert[300], key[300];
};

/* Appends to buf (cap bytes, used so far *used), cutting what does not fit
 * and keeping it NUL-terminated; curl is told all was taken, so a long
 * answer is cut, not an error. */
static inline size_t http_testing_append(char *buf, size_t cap, size_t *used, const char *data, size_t len)
{
	if (*used + len >= cap)
		len = cap - *used - 1;
	memcpy(buf + *used, data, len);
	*used += len;
	buf[*used] = '\0';
	return len;
}

/* libcurl write callback: the body into a struct http_testing_reply. */
static inline size_t http_testing_collect_body(char *data, size_t size, size_t n, void *ctx)
{
	struct http_testing_reply *r = ctx;

	http_testing_append(r->body, sizeof(r->body), &r->len, data, size * n);
	return size * n;
}

/* libcurl header callback: the header lines into a struct http_testing_reply. */
static inline size_t http_testing_collect_header(char *data, size_t size, size_t n, void *ctx)
{
	struct http_testing_reply *r = ctx;

	http_testing_append(r->headers, sizeof(r->headers), &r->header_len, data, size * n);
	return size * n;
}

/*
 * Sends method to url with the NULL-terminated header lines headers (or
 * NULL), the body body_len bytes of body (or NULL), over TLS as tls says
 * (NULL: plain, or the system's trust). HEAD asks for no body, as a client
 * must; any other method is sent as written. A transport failure fails the
 * test: the caller wants an answer.
 */
static inline void http_testing_request(struct http_testing_reply *r, const char *method, const char *url,
					const char *const *headers, const char *body, size_t body_len,
					const struct http_testing_tls *tls)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	assert_non_null(curl);
	for (i = 0; headers && headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_testing_collect_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_testing_collect_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	if (tls) {
		curl_easy_setopt(curl, CURLOPT_CAINFO, tls->ca);
		if (tls->cert) {
			curl_easy_setopt(curl, CURLOPT_SSLCERT, tls->cert);
			curl_easy_setopt(curl, CURLOPT_SSLKEY, tls->key);
		}
	}
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
}

/* Whether the header block holds line (case-insensitive; callers bracket it
 * with "\n" and "\r\n" to pin a whole line). */
static inline int http_testing_has_header(const struct http_testing_reply *r, const char *line)
{
	return strcasestr(r->headers, line) != NULL;
}

/* A loopback port free at the time of asking. */
static inline unsigned http_testing_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Makes p's folder <TMPDIR>/<tag>_pki_XXXXXX and a development PKI in it;
 * -1 with the reason printed (it runs in group setups, outside a test). */
static inline int http_testing_pki_make(struct http_testing_pki *p, const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(p->dir, sizeof(p->dir), "%s/%s_pki_XXXXXX", tmp && tmp[0] ? tmp : "/tmp", tag);
	if (!mkdtemp(p->dir) || pki_dir_dev(p->dir, NULL, NULL) != ASEC_OK) {
		fprintf(stderr, "pki: %s\n", error_last());
		return -1;
	}
	snprintf(p->ca, sizeof(p->ca), "%s/ca.crt", p->dir);
	snprintf(p->cert, sizeof(p->cert), "%s/central.crt", p->dir);
	snprintf(p->key, sizeof(p->key), "%s/central.key", p->dir);
	return 0;
}

/* Removes the folder dir and all below it; 0 when done. */
static inline int http_testing_remove_tree(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
