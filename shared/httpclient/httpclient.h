/*
 * httpclient.h - the project's HTTP(S) client, built on libcurl (GnuTLS).
 *
 * One call, httpclient_do(), performs one logical request: it follows
 * redirects itself, one hop at a time, so that the caller's Authorization
 * header never reaches a host other than the one it was meant for, and it
 * retries idempotent requests on transport failures, 429 and 5xx with
 * exponential backoff and full jitter. A response body either streams to a
 * callback as it arrives (image layers of many GB) or is collected in memory
 * (manifests, JSON); both are held under a size cap.
 *
 * An HTTP status is a result, not an error: httpclient_do() returns ASEC_OK
 * for any complete response, 404 and 503 included, and fails only when no
 * response could be had (connection, TLS, timeout, size cap, a refused
 * redirect). Messages name the method and the URL with its credentials and
 * query removed, never a header value.
 *
 * Thread safety: a client's settings are fixed by httpclient_new(), and it
 * may be used by any number of threads at once. Each request takes a libcurl easy handle
 * from a small pool owned by the client and gives it back afterwards, so
 * keep-alive connections, TLS sessions and DNS answers are reused between
 * requests without sharing a live handle between threads. (A CURLSH
 * connection cache shared by all threads was the alternative; libcurl's
 * maintainers describe its cross-thread use as not yet properly functional,
 * and a pool of at most 8 idle handles gives most of the reuse anyway.)
 *
 * Proxies: unless the options name one, libcurl's own proxy detection is
 * left on, so http_proxy, https_proxy, all_proxy, no_proxy (and their
 * upper-case forms, except HTTP_PROXY, which libcurl ignores on purpose) are
 * honoured per request. Request headers are not sent to a proxy in a CONNECT
 * tunnel.
 */
#ifndef ASEC_HTTPCLIENT_H
#define ASEC_HTTPCLIENT_H

#include <stddef.h>

struct httpclient;

/* Defaults chosen by httpclient_options_init(). */
#define HTTPCLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HTTPCLIENT_DEFAULT_TOTAL_TIMEOUT_MS 300000L
#define HTTPCLIENT_DEFAULT_MAX_ATTEMPTS 3
#define HTTPCLIENT_DEFAULT_BACKOFF_BASE_MS 200L
#define HTTPCLIENT_DEFAULT_BACKOFF_MAX_MS 10000L
#define HTTPCLIENT_DEFAULT_MAX_BODY_BYTES ((size_t)64 << 20)
#define HTTPCLIENT_DEFAULT_MAX_REDIRECTS 10
#define HTTPCLIENT_DEFAULT_LOW_SPEED_BYTES 1L
#define HTTPCLIENT_DEFAULT_LOW_SPEED_TIME_S 60L

/* Fixed bounds on what a server may send besides the body. */
#define HTTPCLIENT_MAX_HEADER_BYTES (64 * 1024) /* all headers of one response */
#define HTTPCLIENT_MAX_HEADERS 256              /* header fields of one response */
#define HTTPCLIENT_ERROR_BODY_MAX (64 * 1024)   /* kept of a non-2xx body */

struct httpclient_options {
	/* TLS. Verification of the server's certificate and name is always on
	 * unless insecure_skip_verify is set. ca_file (PEM bundle) replaces the
	 * system trust store when given. cert_file and key_file (PEM) together
	 * present a client certificate for mutual TLS. */
	const char *ca_file;
	const char *cert_file;
	const char *key_file;
	int insecure_skip_verify;

	/* Time. connect_timeout_ms bounds each TCP+TLS connect. total_timeout_ms
	 * bounds the whole httpclient_do() call, retries, backoff sleeps and
	 * redirects included; 0 means no total limit (use it only together with
	 * the low-speed abort, e.g. for very large downloads). A transfer slower
	 * than low_speed_bytes per second for low_speed_time_s seconds is
	 * aborted as stalled; low_speed_bytes 0 turns that off. */
	long connect_timeout_ms;
	long total_timeout_ms;
	long low_speed_bytes;
	long low_speed_time_s;

	/* Retries: at most max_attempts tries in all (1 = never retry). The
	 * wait before try n+1 is uniform in [0, min(backoff_max_ms,
	 * backoff_base_ms * 2^(n-1))], or the server's Retry-After capped by
	 * backoff_max_ms. */
	int max_attempts;
	long backoff_base_ms;
	long backoff_max_ms;

	/* Largest accepted body of a 2xx response, streamed or buffered; a
	 * request may lower or raise it. */
	size_t max_body_bytes;
	int max_redirects; /* 0 = return 3xx responses to the caller */
	const char *user_agent; /* NULL = "asec-httpclient/<version>" */

	/* The proxy every request goes through ("http://proxy:3128",
	 * "socks5h://host:1080", credentials allowed), the environment's
	 * variables ignored except no_proxy; "" = never a proxy, whatever the
	 * environment says; NULL = the environment decides (see above). */
	const char *proxy;
};

/* Fills opts with the defaults above and no TLS files. */
void httpclient_options_init(struct httpclient_options *opts);

/* Creates a client; opts is copied, strings included. The certificate and key
 * files are checked for readability here, so a bad path fails early. */
int httpclient_new(struct httpclient **out, const struct httpclient_options *opts);

/* Frees the client. No request may be running on it. NULL is allowed. */
void httpclient_free(struct httpclient *client);

/* Called with each piece of a 2xx response body as it arrives. Returning
 * anything other than ASEC_OK stops the transfer and httpclient_do() returns
 * that value (ASEC_ERROR when it is positive), with the callback's error
 * message prefixed by the method and URL. */
typedef int (*httpclient_body_cb)(const void *data, size_t len, void *ctx);

struct httpclient_request {
	const char *method; /* "GET", "HEAD", "POST", ...; NULL = "GET" */
	const char *url;    /* http:// or https:// only */
	/* NULL-terminated list of "Name: value" lines, or NULL (at most 64,
	 * each under 8 KiB, no CR or LF). Authorization and Cookie are dropped
	 * for good once a redirect leaves the original scheme, host and port.
	 * As in libcurl, "Name:" with an empty value removes a header rather
	 * than sending it empty. Content-Type is sent only when given here. */
	const char *const *headers;
	const void *body; /* sent as is with Content-Length; may be NULL */
	size_t body_len;
	/* 1 = safe to repeat, 0 = never repeat, -1 = decide by method (GET,
	 * HEAD, PUT, DELETE, OPTIONS repeat; POST, PATCH do not). */
	int idempotent;
	/* Where a 2xx body goes: on_body(ctx) as it arrives, or, when on_body is
	 * NULL, response.body. Non-2xx bodies always go to response.body, cut at
	 * HTTPCLIENT_ERROR_BODY_MAX, so that an error page never lands in a
	 * file being downloaded. Once on_body has been given any byte, the
	 * request is not retried. */
	httpclient_body_cb on_body;
	void *ctx;
	/* 0 = the client's max_body_bytes. */
	size_t max_body_bytes;
};

struct httpclient_header {
	char *name;  /* as the server spelled it */
	char *value; /* surrounding whitespace removed */
};

struct httpclient_response {
	long status;
	/* Buffered body, NUL-terminated for convenience (body_len excludes the
	 * NUL); NULL when streamed or empty. */
	char *body;
	size_t body_len;
	int body_truncated; /* a non-2xx body was cut at HTTPCLIENT_ERROR_BODY_MAX */
	/* Headers of the final response, in the order received. */
	struct httpclient_header *headers;
	size_t header_count;
	char *final_url; /* the URL that produced this response */
	int attempts;    /* tries made, 1 when there was no retry */
	int redirects;   /* hops followed in the last try */
};

/* Runs req and fills resp (which needs no setup and must later be given to
 * httpclient_response_free(), also after a failure). Returns ASEC_OK for any
 * complete HTTP response; ASEC_EINVALID for a malformed request or a refused
 * redirect (https to http, a scheme other than http(s)); ASEC_ETIMEOUT when
 * the total timeout passed, a connect timed out or a stream stalled;
 * ASEC_ETOOBIG when the body or headers exceed their cap; ASEC_EIO for other
 * transport and TLS failures and too many redirects; ASEC_ENOMEM. */
int httpclient_do(struct httpclient *client, const struct httpclient_request *req,
		  struct httpclient_response *resp);

/* The first header named name (any case), or NULL. */
const char *httpclient_response_header(const struct httpclient_response *resp, const char *name);

void httpclient_response_free(struct httpclient_response *resp);

/* Copies url without user, password, query and fragment into a new string:
 * what may be logged or shown. Returns ASEC_EINVALID when url does not parse. */
int httpclient_url_redact(char **out, const char *url);

#endif
