/*
 * client.c - roxctl's HTTPS calls to central (see client.h for the ideas:
 * one place holds the credential, and roxctl owns its retries).
 *
 * httpclient is asked for exactly one attempt per call and never to follow
 * a redirect: central does not redirect its API, and a redirect elsewhere
 * is better shown to the user than followed with their token.
 */
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error/error.h"
#include "httpclient/httpclient.h"

/* Longest endpoint accepted from the user (a DNS name is at most 253). */
#define CLIENT_ENDPOINT_MAX 300
/* Longest credential accepted: a JWT with 16 roles is under 2 KiB, and the
 * request header limit of httpclient is 8 KiB. */
#define CLIENT_SECRET_MAX 6000

struct roxctl_client {
	struct httpclient *http;
	char *base_url;
	char *display;
	char *auth_header; /* "Authorization: ...": the only copy of the secret here */
	long timeout_ms;
};

static void secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* RFC 4648 base64 for the basic credentials. (shared/auth has a decoder,
 * internal to it; the encoder is a dozen lines.) */
static char *base64_encode(const unsigned char *in, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*p++ = abc[v >> 18 & 63];
		*p++ = abc[v >> 12 & 63];
		*p++ = abc[v >> 6 & 63];
		*p++ = abc[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		*p++ = abc[v >> 18 & 63];
		*p++ = abc[v >> 12 & 63];
		*p++ = i + 1 < len ? abc[v >> 6 & 63] : '=';
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

/* A credential must fit in one header line; one that cannot is refused as
 * unusable credentials (exit 3). The message says which kind of
 * credential, never what it holds. */
static int secret_check(const char *what, const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > CLIENT_SECRET_MAX) {
		error_set("the %s is empty or longer than %d bytes", what, CLIENT_SECRET_MAX);
		return ASEC_EAUTH;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			error_set("the %s contains a control character (a line break?)", what);
			return ASEC_EAUTH;
		}
	}
	return ASEC_OK;
}

static int auth_header_make(char **out, const struct roxctl_client_options *o)
{
	char *pair = NULL, *b64 = NULL;
	int rc = ASEC_OK;

	*out = NULL;
	if (o->token && o->token[0]) {
		if ((rc = secret_check("API token", o->token)))
			goto out;
		if (asprintf(out, "Authorization: Bearer %s", o->token) < 0)
			goto oom;
	} else if (o->password && o->password[0]) {
		if ((rc = secret_check("password", o->password)))
			goto out;
		if (asprintf(&pair, "admin:%s", o->password) < 0) {
			pair = NULL;
			goto oom;
		}
		if (!(b64 = base64_encode((const unsigned char *)pair, strlen(pair))) ||
		    asprintf(out, "Authorization: Basic %s", b64) < 0)
			goto oom;
	} else {
		error_set("no credentials: set ROX_API_TOKEN, give --token-file FILE (or ROX_API_TOKEN_FILE), or give "
			  "the admin password with -p (or ROX_ADMIN_PASSWORD)");
		rc = ASEC_EAUTH;
	}
	goto out;
oom:
	*out = NULL;
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	secret_free(pair);
	secret_free(b64);
	return rc;
}

int roxctl_client_new(struct roxctl_client **out, const struct roxctl_client_options *opts)
{
	struct roxctl_client *c = NULL;
	struct httpclient_options ho;
	char ua[64];
	int rc;

	*out = NULL;
	if (!opts || !opts->base_url || !opts->display || opts->timeout_ms <= 0) {
		error_set("roxctl_client_new: missing endpoint or timeout");
		return ASEC_EINVALID;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((rc = auth_header_make(&c->auth_header, opts)))
		goto out;
	if (!(c->base_url = strdup(opts->base_url)) || !(c->display = strdup(opts->display))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	c->timeout_ms = opts->timeout_ms;
	httpclient_options_init(&ho);
	ho.ca_file = opts->ca_file && opts->ca_file[0] ? opts->ca_file : NULL;
	ho.insecure_skip_verify = opts->insecure_skip_verify;
	ho.total_timeout_ms = opts->timeout_ms;
	if (ho.connect_timeout_ms > opts->timeout_ms)
		ho.connect_timeout_ms = opts->timeout_ms;
	ho.max_attempts = 1;
	ho.max_redirects = 0;
	ho.max_body_bytes = ROXCTL_CLIENT_MAX_BODY;
	snprintf(ua, sizeof(ua), "roxctl/%s (asec)", ASEC_VERSION);
	ho.user_agent = ua;
	if ((rc = httpclient_new(&c->http, &ho))) {
		error_prefix("--ca");
		goto out;
	}
out:
	if (rc) {
		roxctl_client_free(c);
		c = NULL;
	}
	*out = c;
	return rc;
}

void roxctl_client_free(struct roxctl_client *client)
{
	if (!client)
		return;
	httpclient_free(client->http);
	secret_free(client->auth_header);
	free(client->base_url);
	free(client->display);
	free(client);
}

/* ---- endpoints ---------------------------------------------------------------------------- */

static int host_char_ok(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_';
}

int roxctl_client_endpoint_normalise(char **url, char **display, const char *given)
{
	char host[CLIENT_ENDPOINT_MAX + 1];
	const char *p = given, *port_text = NULL, *end;
	size_t hlen, i;
	long port = 443;

	*url = *display = NULL;
	if (!given || !given[0]) {
		error_set("--endpoint is empty (expected host:port, e.g. central.example.com:443)");
		return ASEC_EINVALID;
	}
	if (strlen(given) > CLIENT_ENDPOINT_MAX) {
		error_set("--endpoint is longer than %d characters", CLIENT_ENDPOINT_MAX);
		return ASEC_EINVALID;
	}
	if (strchr(given, '@')) {
		/* not repeated: whatever is before the @ may be a password */
		error_set("--endpoint must not contain credentials (user@host); use -p, ROX_API_TOKEN or --token-file");
		return ASEC_EINVALID;
	}
	if (strncasecmp(p, "http://", 7) == 0) {
		error_set("--endpoint %s: plain http:// is refused, central speaks HTTPS only; give host:port or "
			  "https://host:port",
			  given);
		return ASEC_EINVALID;
	}
	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	else if (strstr(p, "://")) {
		error_set("--endpoint %s: only https:// is supported (or host:port without a scheme)", given);
		return ASEC_EINVALID;
	}
	end = p + strlen(p);
	if (end > p && end[-1] == '/')
		end--;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close || close == p + 1)
			goto bad;
		for (i = 1; p + i < close; i++) {
			if (!isxdigit((unsigned char)p[i]) && p[i] != ':' && p[i] != '.')
				goto bad;
		}
		hlen = (size_t)(close + 1 - p);
		if (close + 1 < end) {
			if (close[1] != ':')
				goto bad;
			port_text = close + 2;
		}
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		hlen = (size_t)((colon ? colon : end) - p);
		if (hlen == 0)
			goto bad;
		for (i = 0; i < hlen; i++) {
			if (!host_char_ok(p[i]))
				goto bad;
		}
		if (colon)
			port_text = colon + 1;
	}
	if (port_text) {
		long v = 0;
		const char *q;
		if (port_text == end)
			goto bad;
		for (q = port_text; q < end; q++) {
			if (!isdigit((unsigned char)*q) || (v = v * 10 + (*q - '0')) > 65535)
				goto bad;
		}
		if (v < 1)
			goto bad;
		port = v;
	}
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (asprintf(display, "%s:%ld", host, port) < 0) {
		*display = NULL;
		goto oom;
	}
	if (asprintf(url, "https://%s", *display) < 0) {
		*url = NULL;
		goto oom;
	}
	return ASEC_OK;
bad:
	error_set("--endpoint %s: expected host:port or https://host:port (port 1..65535, no path), e.g. "
		  "central.example.com:443",
		  given);
	return ASEC_EINVALID;
oom:
	free(*display);
	*display = NULL;
	error_set("out of memory");
	return ASEC_ENOMEM;
}

/* ---- statuses, problems, retries ---------------------------------------------------------- */

int roxctl_client_status_rc(long status)
{
	if (status >= 200 && status < 300)
		return ASEC_OK;
	if (status == 401 || status == 403)
		return ASEC_EAUTH;
	if (status == 408 || status == 504)
		return ASEC_ETIMEOUT;
	return ASEC_EIO;
}

int roxctl_client_retryable(int rc, long status)
{
	if (status == 0)
		return rc == ASEC_EIO || rc == ASEC_ETIMEOUT;
	return status == 429 || status == 502 || status == 503 || status == 504;
}

long roxctl_client_retry_wait_ms(const char *retry_after, long delay_ms)
{
	long seconds = 0;
	const char *p = retry_after;

	if (!p || !*p)
		return delay_ms;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return delay_ms; /* an HTTP date, or junk: keep the user's delay */
		if (seconds <= ROXCTL_CLIENT_RETRY_AFTER_MAX_MS / 1000)
			seconds = seconds * 10 + (*p - '0');
	}
	if (seconds > ROXCTL_CLIENT_RETRY_AFTER_MAX_MS / 1000)
		return ROXCTL_CLIENT_RETRY_AFTER_MAX_MS;
	return seconds * 1000;
}

static const char *reason_phrase(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* Appends text to buf (of size, holding used bytes), control characters
 * as '?', at most max bytes of text, never splitting a UTF-8 sequence. */
static size_t append_clean(char *buf, size_t size, size_t used, const char *text, size_t max)
{
	size_t n = strlen(text), i;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n && used + 1 < size; i++) {
		unsigned char ch = (unsigned char)text[i];
		buf[used++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[used] = '\0';
	return used;
}

void roxctl_client_describe_status(char *buf, size_t size, long status, const char *body, size_t len)
{
	json_t *problem = NULL;
	const char *detail = NULL, *request_id = NULL;
	size_t used;
	int n;

	if (!buf || size == 0)
		return;
	if (body && len > 0)
		problem = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(problem)) {
		const char *keys[] = {"detail", "message", "error", "title"};
		size_t i;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !detail; i++) {
			detail = json_string_value(json_object_get(problem, keys[i]));
			if (detail && !detail[0])
				detail = NULL;
		}
		request_id = json_string_value(json_object_get(problem, "requestId"));
	}
	if (detail) {
		n = snprintf(buf, size, "answered %ld: ", status);
		used = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
		used = append_clean(buf, size, used, detail, ROXCTL_CLIENT_DETAIL_MAX);
		if (request_id && request_id[0]) {
			used = append_clean(buf, size, used, " (request id ", 32);
			used = append_clean(buf, size, used, request_id, 64);
			append_clean(buf, size, used, ")", 1);
		}
	} else {
		const char *reason = reason_phrase(status);
		snprintf(buf, size, "answered %ld%s%s", status, reason[0] ? " " : "", reason);
	}
	json_decref(problem);
}

/* ---- the call ----------------------------------------------------------------------------- */

static void sleep_real(void *ctx, long ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	(void)ctx;
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* One attempt. Sets *status (0: no response) and *wait_hint (Retry-After
 * text, copied into hint). On failure error_last() says what happened, in
 * words that name central's endpoint. */
static int attempt_once(json_t **out, long *status, char *hint, size_t hint_size, struct roxctl_client *c,
			const char *method, const char *url, const char *body)
{
	const char *headers[4] = {c->auth_header, "Accept: application/json", NULL, NULL};
	struct httpclient_request req = {0};
	struct httpclient_response resp = {0};
	char what[ROXCTL_CLIENT_DETAIL_MAX + 256];
	json_error_t jerr;
	int rc;

	*status = 0;
	hint[0] = '\0';
	if (body)
		headers[2] = "Content-Type: application/json";
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.idempotent = 0;
	rc = httpclient_do(c->http, &req, &resp);
	if (rc == ASEC_ETIMEOUT) {
		error_prefix("central at %s did not answer within the timeout of %ld ms", c->display, c->timeout_ms);
		goto out;
	}
	if (rc) {
		if (rc != ASEC_ENOMEM)
			rc = ASEC_EIO;
		error_prefix("the connection to central at %s failed", c->display);
		goto out;
	}
	*status = resp.status;
	if ((rc = roxctl_client_status_rc(resp.status))) {
		const char *ra = httpclient_response_header(&resp, "Retry-After");
		if (ra)
			snprintf(hint, hint_size, "%s", ra);
		roxctl_client_describe_status(what, sizeof(what), resp.status, resp.body, resp.body_len);
		error_set("central at %s %s", c->display, what);
		goto out;
	}
	if (!resp.body || !(*out = json_loadb(resp.body, resp.body_len, 0, &jerr))) {
		error_set("central at %s answered %ld with a body that is not JSON%s%s", c->display, resp.status,
			  resp.body ? ": " : "", resp.body ? jerr.text : "");
		rc = ASEC_EIO;
	}
out:
	httpclient_response_free(&resp);
	return rc;
}

int roxctl_client_call(json_t **out, struct roxctl_client *client, const char *method, const char *path,
		       const json_t *body, const struct roxctl_retry_policy *retry)
{
	char *url = NULL, *text = NULL, hint[64];
	int attempts = 1 + (retry && retry->retries > 0 ? retry->retries : 0), attempt, rc;
	long status = 0;

	*out = NULL;
	if (asprintf(&url, "%s%s", client->base_url, path) < 0) {
		url = NULL;
		rc = ASEC_ENOMEM;
		error_set("out of memory");
		goto out;
	}
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		rc = ASEC_ENOMEM;
		error_set("out of memory");
		goto out;
	}
	for (attempt = 1;; attempt++) {
		long wait_ms;
		rc = attempt_once(out, &status, hint, sizeof(hint), client, method, url, text);
		if (rc == ASEC_OK || attempt >= attempts || !roxctl_client_retryable(rc, status))
			break;
		wait_ms = roxctl_client_retry_wait_ms(hint, retry->delay_ms);
		if (retry->notice)
			retry->notice(retry->ctx, attempt, attempts, wait_ms, error_last());
		if (wait_ms > 0)
			(retry->sleep_ms ? retry->sleep_ms : sleep_real)(retry->ctx, wait_ms);
	}
	if (rc && attempt > 1)
		error_prefix("gave up after %d attempts", attempt);
out:
	free(url);
	free(text);
	return rc;
}
