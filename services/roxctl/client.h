/*
 * client.h - roxctl's connection to central: one JSON request at a time
 * over HTTPS, on top of shared/httpclient.
 *
 * Two ideas carry it. First, the caller's secret (API token or admin
 * password) lives in one Authorization header built here and nowhere else:
 * messages name the endpoint, the method and the path, never a header, so no
 * error path can print a credential. Second, roxctl decides retries itself
 * rather than leaving them to httpclient: the user chose how many and how
 * far apart (-r, -d), wants to see each one on stderr, and only answers
 * that may change with time are retried (no response at all, a timeout,
 * 429, 502, 503, 504) - a 4xx is the same the next time.
 *
 * Failures come back as ASEC codes with one message in error_last():
 * ASEC_EAUTH for 401/403 (with the server's problem detail), ASEC_ETIMEOUT
 * for timeouts, ASEC_EIO for everything else that central or the network
 * did. cli.h maps them to exit codes.
 */
#ifndef ROXCTL_CLIENT_H
#define ROXCTL_CLIENT_H

#include <stddef.h>

#include <jansson.h>

struct roxctl_client;

/* Largest JSON answer accepted (an image with every CVE of a distribution
 * is a few MB). */
#define ROXCTL_CLIENT_MAX_BODY ((size_t)128 << 20)
/* A Retry-After longer than this is cut to it, whatever -d says. */
#define ROXCTL_CLIENT_RETRY_AFTER_MAX_MS 60000L
/* Longest problem detail shown to the user, in bytes. */
#define ROXCTL_CLIENT_DETAIL_MAX 1024

struct roxctl_client_options {
	const char *base_url; /* "https://host:port", from roxctl_client_endpoint_normalise */
	const char *display;  /* "host:port": how messages name central */
	const char *token;    /* API token (Bearer); wins over password */
	const char *password; /* admin password (HTTP basic, user "admin") */
	const char *ca_file;  /* PEM bundle replacing the system trust store; may be NULL */
	int insecure_skip_verify;
	long timeout_ms;      /* per attempt, connect included */
};

/* Called before each retry's wait; attempt is the one that failed (1-based),
 * why is the failure's message. */
typedef void (*roxctl_retry_notice_fn)(void *ctx, int attempt, int attempts, long wait_ms, const char *why);

struct roxctl_retry_policy {
	int retries;    /* further attempts after the first */
	long delay_ms;  /* wait between attempts when the server names none */
	roxctl_retry_notice_fn notice; /* may be NULL */
	void *ctx;
	/* Test hook: replaces the real sleep; NULL sleeps. */
	void (*sleep_ms)(void *ctx, long ms);
};

/* Makes a client. Without a token or a password it fails with ASEC_EAUTH
 * ("no credentials ..."), before anything is sent. */
int roxctl_client_new(struct roxctl_client **out, const struct roxctl_client_options *opts);

/* Frees the client and wipes the credentials it held. NULL is allowed. */
void roxctl_client_free(struct roxctl_client *client);

/*
 * method path (e.g. "POST", "/v1/images/scan") with body as JSON (NULL: no
 * body); a 2xx answer's JSON goes to *out (the caller's to json_decref).
 * retry NULL means a single attempt. Returns ASEC_OK; ASEC_EAUTH (401,
 * 403, no credentials); ASEC_ETIMEOUT; ASEC_EIO (transport failure, any
 * other status, an answer that is not JSON); ASEC_ENOMEM.
 */
int roxctl_client_call(json_t **out, struct roxctl_client *client, const char *method, const char *path,
		       const json_t *body, const struct roxctl_retry_policy *retry);

/*
 * Normalises what the user gave to -e: "host:port", "host" (port 443),
 * "https://host:port", "[::1]:8443", an optional trailing "/". Sets *url
 * to "https://host:port" and *display to "host:port" (both the caller's to
 * free). http:// is refused (central speaks HTTPS only), as are paths,
 * queries, credentials and ports outside 1..65535: ASEC_EINVALID with a
 * message that never repeats a credential.
 */
int roxctl_client_endpoint_normalise(char **url, char **display, const char *given);

/* What an HTTP status means: ASEC_OK (2xx), ASEC_EAUTH (401, 403),
 * ASEC_ETIMEOUT (408, 504), ASEC_EIO (anything else). */
int roxctl_client_status_rc(long status);

/* Whether a failed attempt may succeed later: no response (rc ASEC_EIO or
 * ASEC_ETIMEOUT with status 0), or status 429, 502, 503, 504. */
int roxctl_client_retryable(int rc, long status);

/* How long to wait before the next attempt: the Retry-After seconds when
 * the server sent a number (capped at ROXCTL_CLIENT_RETRY_AFTER_MAX_MS),
 * else delay_ms. */
long roxctl_client_retry_wait_ms(const char *retry_after, long delay_ms);

/*
 * Describes a non-2xx answer for people into buf: "answered 503: <detail>"
 * from a problem+json body (detail, else message, else title), with
 * " (request id <id>)" when the problem has one; "answered 503 Service
 * Unavailable" when the body says nothing usable. Control characters
 * become '?', and the detail is cut at ROXCTL_CLIENT_DETAIL_MAX bytes.
 */
void roxctl_client_describe_status(char *buf, size_t size, long status, const char *body, size_t len);

#endif
