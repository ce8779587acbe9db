/*
 * log.c - JSON-lines logging with redaction of secrets.
 *
 * A line is built in one growable buffer (jansson dumps straight into it),
 * then written with a single write() while a process-wide mutex is held. The
 * mutex is what keeps lines of different threads whole even when a write is
 * short (a pipe over PIPE_BUF, a signal); the single write is what keeps lines
 * of different processes sharing a pipe whole. Building the line happens
 * outside the lock, so threads only queue for the copy into the kernel.
 *
 * Redaction is a single left-to-right walk over the text with a handful of
 * recognisers tried where their pattern can begin: "-----BEGIN" for PEM
 * private keys, "=" and ":" for key=value and "key": "value" pairs (looking
 * back at the key already written), word starts for header names,
 * Bearer/Basic credentials and JWTs, and "://" for URL passwords. Bytes that
 * no recogniser claims are copied unchanged, so ordinary text survives intact.
 *
 * Redacting twice must change nothing more (the fuzz target checks it). That
 * holds by construction because every decision is one a second pass, which
 * reads "[REDACTED]" where this one masked, takes alike:
 * - a mask is one opaque token, whether the walk just made it or it was in
 *   the text already: no recogniser starts inside it, and the byte before a
 *   word that follows it counts as the "]" a second pass will see there;
 * - a recogniser decides on what it consumes and on the key before it; a
 *   key read back under an earlier mask is longer than the tail a second
 *   pass sees, and a tail is never sensitive when the whole key is not;
 * - the URL rule alone would need to read ahead, to the last '@', over
 *   bytes other rules may mask (the bug the fuzzer found: a key=value mask
 *   swallowed that '@', and a second pass read the user part anew). So it
 *   follows the walk through the authority and decides when that ends, from
 *   the visible bytes and the places of the masks, never from what a mask
 *   hides; since a mask could hide a ':' or an '@', it masks from the first
 *   ':' or mask to the last '@' or mask, never less than a reading of the
 *   hidden bytes would give, and then replaces what the walk wrote for that
 *   stretch. Its read-ahead survives only to keep other recognisers out of
 *   the password, which decides nothing that is written.
 * Each recogniser looks a bounded distance back and consumes what it matched;
 * the URL rule reads each authority once and moves what follows a password
 * once, so the walk is linear in the length of the text.
 */
#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "error/error.h"

#define LOG_SERVICE_MAX 64
#define LOG_REQUEST_ID_MAX 128
/* A message is formatted into at most this much before redaction ... */
#define LOG_MSG_INPUT_MAX (64 * 1024)
/* ... and cut to this much after it, as is every string field. */
#define LOG_STRING_MAX (16 * 1024)
/* Deeper JSON than this is replaced rather than walked, to bound the stack. */
#define LOG_JSON_DEPTH_MAX 32
/* How far back the key=value recognisers look for the key. */
#define LOG_KEY_LOOKBACK 64

static const char log_redacted[] = "[REDACTED]";
static const char log_truncated[] = "...[truncated]";

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Guarded by log_lock. */
static char log_service[LOG_SERVICE_MAX];
static FILE *log_stream;
static int log_fd = STDERR_FILENO;
/* Read without the lock on every call: the filter must cost next to nothing. */
static atomic_int log_min_level = LOG_LEVEL_INFO;

static _Thread_local char log_req_id[LOG_REQUEST_ID_MAX];

/* ---- growable buffer --------------------------------------------------- */

struct log_buf {
	char *data;
	size_t len;
	size_t cap;
	int oom; /* sticky: once set, appends are ignored and the result is NULL */
};

/* Room for n more bytes and the NUL; 0 when there is none (sticky). */
static int buf_reserve(struct log_buf *b, size_t n)
{
	if (b->oom)
		return 0;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->oom = 1;
			return 0;
		}
		b->data = p;
		b->cap = cap;
	}
	return 1;
}

static void buf_add(struct log_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Replaces bytes [from, to) of what was written with n bytes of s. */
static void buf_replace(struct log_buf *b, size_t from, size_t to, const char *s, size_t n)
{
	size_t tail;

	if (b->oom || from > to || to > b->len)
		return;
	if (n > to - from && !buf_reserve(b, n - (to - from)))
		return;
	tail = b->len - to;
	memmove(b->data + from + n, b->data + to, tail + 1); /* the NUL too */
	memcpy(b->data + from, s, n);
	b->len = from + n + tail;
}

static void buf_addc(struct log_buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_adds(struct log_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Hands over the buffer's memory (NULL after a failed allocation). */
static char *buf_take(struct log_buf *b, size_t *len)
{
	char *p;

	if (b->oom || !b->data) {
		free(b->data);
		b->data = NULL;
		if (!b->oom) {
			p = strdup("");
			if (len)
				*len = 0;
			return p;
		}
		return NULL;
	}
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	return p;
}

/* ---- levels, service, request id -------------------------------------- */

const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG: return "debug";
	case LOG_LEVEL_INFO: return "info";
	case LOG_LEVEL_WARN: return "warn";
	case LOG_LEVEL_ERROR: return "error";
	}
	return "unknown";
}

int log_level_parse(enum log_level *out, const char *name)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "debug", LOG_LEVEL_DEBUG }, { "info", LOG_LEVEL_INFO },
		{ "warn", LOG_LEVEL_WARN },   { "warning", LOG_LEVEL_WARN },
		{ "error", LOG_LEVEL_ERROR },
	};
	size_t i;

	if (!name) {
		error_set("log level: missing (expected debug, info, warn or error)");
		return ASEC_EINVALID;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].level;
			return ASEC_OK;
		}
	}
	error_set("log level: \"%.32s\" is not one of debug, info, warn, error", name);
	return ASEC_EINVALID;
}

int log_init(const char *service, enum log_level min_level, FILE *out)
{
	size_t len;
	int fd;

	if (!service || !*service) {
		error_set("log_init: service name is empty");
		return ASEC_EINVALID;
	}
	len = strlen(service);
	if (len >= LOG_SERVICE_MAX) {
		error_set("log_init: service name is longer than %d bytes", LOG_SERVICE_MAX - 1);
		return ASEC_EINVALID;
	}
	if ((int)min_level < LOG_LEVEL_DEBUG || (int)min_level > LOG_LEVEL_ERROR) {
		error_set("log_init: unknown level %d", (int)min_level);
		return ASEC_EINVALID;
	}
	if (!out)
		out = stderr;
	/* Whatever the caller already buffered in the stream must come first. */
	fflush(out);
	fd = fileno(out);

	pthread_mutex_lock(&log_lock);
	memcpy(log_service, service, len + 1);
	log_stream = out;
	log_fd = fd;
	atomic_store(&log_min_level, (int)min_level);
	pthread_mutex_unlock(&log_lock);
	return ASEC_OK;
}

int log_enabled(enum log_level level)
{
	return (int)level >= atomic_load_explicit(&log_min_level, memory_order_relaxed);
}

void log_set_request_id(const char *request_id)
{
	size_t i;

	if (!request_id) {
		log_req_id[0] = '\0';
		return;
	}
	/*
	 * Request ids often arrive in a header from outside; keeping only
	 * printable ASCII means whoever echoes it back (a response header, a
	 * log line) cannot be handed a line break or an escape sequence.
	 */
	for (i = 0; i < sizeof(log_req_id) - 1 && request_id[i]; i++) {
		unsigned char c = (unsigned char)request_id[i];

		log_req_id[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '_';
	}
	log_req_id[i] = '\0';
}

const char *log_request_id(void)
{
	return log_req_id;
}

/* ---- sensitive keys ----------------------------------------------------- */

/* Words that make a key hold a secret, in normalised form (see below). */
static const char *const sensitive_words[] = {
	"password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey",
	"privatekey", "privkey", "credential", "authorization", "cookie",
};

/*
 * Endings that make a key refer to a secret rather than hold one:
 * secretName, tokenType, passwordFile, cookiePath. Their values are useful
 * when reading logs and are not themselves secret.
 */
static const char *const reference_suffixes[] = {
	"name", "names", "ref", "type", "file", "path", "url", "count", "length",
	"ttl", "expiry", "expiresat", "expiresin", "enabled", "required",
};

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Checks a key given by pointer and length (the text recognisers need it). */
static int key_is_sensitive(const char *key, size_t key_len)
{
	char norm[256];
	size_t i, n = 0;

	for (i = 0; i < key_len; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			continue;
		/* A key too long to inspect is treated as secret: fail closed. */
		if (n == sizeof(norm) - 1)
			return 1;
		norm[n++] = (char)c;
	}
	norm[n] = '\0';
	if (n == 0)
		return 0;
	for (i = 0; i < sizeof(reference_suffixes) / sizeof(reference_suffixes[0]); i++) {
		if (ends_with(norm, n, reference_suffixes[i]))
			return 0;
	}
	/* "auth" alone or at the end: docker's config.json, X-Registry-Auth. */
	if (ends_with(norm, n, "auth"))
		return 1;
	for (i = 0; i < sizeof(sensitive_words) / sizeof(sensitive_words[0]); i++) {
		if (strstr(norm, sensitive_words[i]))
			return 1;
	}
	return 0;
}

int log_is_sensitive_key(const char *key)
{
	if (!key)
		return 0;
	return key_is_sensitive(key, strlen(key));
}

/* ---- text redaction ------------------------------------------------------ */

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_b64url(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_key_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

static int has_prefix_ci(const char *s, size_t n, size_t at, const char *prefix)
{
	size_t len = strlen(prefix);

	return n - at >= len && strncasecmp(s + at, prefix, len) == 0;
}

/* A credential-looking word rather than an English one ("token", "HTTP"). */
static int looks_like_credential(const char *t, size_t len)
{
	size_t i;
	int lower_rest = 1, upper_all = 1;

	if (len < 4)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (!is_alpha(c))
			return 1;
		if (!(c >= 'A' && c <= 'Z'))
			upper_all = 0;
		if (i > 0 && !(c >= 'a' && c <= 'z'))
			lower_rest = 0;
	}
	return !(lower_rest || upper_all);
}

/* An access token used as a URL user name: long, token characters, letters and digits. */
static int looks_like_token(const char *t, size_t len)
{
	int digit = 0, alpha = 0;
	size_t i;

	if (len < 16)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (is_digit(c))
			digit = 1;
		else if (is_alpha(c))
			alpha = 1;
		else if (c != '-' && c != '_' && c != '.' && c != '~')
			return 0;
	}
	return digit && alpha;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * True when t is base64 of printable "user:password", which is what a Basic
 * credential is; "Basic usage" or "Basic HTTP" decode to binary noise.
 */
static int is_basic_credential(const char *t, size_t len)
{
	unsigned acc = 0;
	int bits = 0, colon = 0;
	size_t i;

	while (len > 0 && t[len - 1] == '=')
		len--;
	if (len < 4)
		return 0;
	for (i = 0; i < len; i++) {
		int v = b64_value((unsigned char)t[i]);
		unsigned byte;

		if (v < 0)
			return 0;
		acc = ((acc << 6) | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		byte = (acc >> bits) & 0xffu;
		if (byte < 0x20 || byte > 0x7e)
			return 0;
		if (byte == ':')
			colon = 1;
	}
	return colon;
}

/*
 * What a recogniser found at position i: [i, mask_from) is written as it is,
 * [mask_from, end) is replaced by one mask when mask is set (it may then be
 * empty: a PEM header with no body still shows where one was cut off) and
 * is empty when it is not, and the walk goes on at end, past i. Recognisers
 * only decide; the walk writes, so it sees every byte that stays visible and
 * can keep the URL rule informed.
 */
struct log_match {
	size_t mask_from, end;
	int mask;
};

/*
 * "-----BEGIN <label>PRIVATE KEY<rest>-----": keep the armour lines so a
 * reader sees what was there, drop the body. A block cut short (no END) is
 * masked to the end of the text.
 */
static int redact_pem(const char *s, size_t n, size_t i, struct log_match *m)
{
	static const char begin[] = "-----BEGIN ";
	const char *label_end, *end;
	size_t hdr_len, label_len, k;

	if (n - i < sizeof(begin) - 1 || memcmp(s + i, begin, sizeof(begin) - 1) != 0)
		return 0;
	label_end = memmem(s + i + sizeof(begin) - 1,
	                   n - i - (sizeof(begin) - 1) < 80 ? n - i - (sizeof(begin) - 1) : 80,
	                   "-----", 5);
	if (!label_end)
		return 0;
	label_len = (size_t)(label_end - (s + i + sizeof(begin) - 1));
	if (!memmem(s + i + sizeof(begin) - 1, label_len, "PRIVATE KEY", 11))
		return 0;
	/* Real labels are upper case words; the header is copied as it is. */
	for (k = 0; k < label_len; k++) {
		unsigned char c = (unsigned char)s[i + sizeof(begin) - 1 + k];

		if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == ' '))
			return 0;
	}
	hdr_len = (size_t)(label_end + 5 - (s + i));
	end = memmem(s + i + hdr_len, n - i - hdr_len, "-----END ", 9);
	m->mask_from = i + hdr_len;
	m->end = end ? (size_t)(end - s) : n;
	m->mask = 1;
	return 1;
}

/* Where an unquoted value ends. */
static size_t value_end(const char *s, size_t n, size_t k)
{
	while (k < n) {
		unsigned char c = (unsigned char)s[k];

		if (c <= ' ' || c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' ||
		    c == ')' || c == ']' || c == '}' || c == '<' || c == '>')
			break;
		k++;
	}
	return k;
}

static int is_auth_scheme(const char *s, size_t len)
{
	static const char *const schemes[] = { "bearer", "basic", "token", "digest", "negotiate" };
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i]) == len && strncasecmp(s, schemes[i], len) == 0)
			return 1;
	}
	return 0;
}

/*
 * "password=hunter2", "?access_token=abc&", "client_secret = 'x'": at the
 * '=' look back over the key (already written) and mask the value. The key
 * may run back under an earlier mask: a second pass sees only its visible
 * tail, and a tail is never sensitive when the whole key is not.
 */
static int redact_key_value(const char *s, size_t n, size_t i, struct log_match *m)
{
	size_t kend = i, kstart, k, vend;

	if (s[i] != '=')
		return 0;
	while (kend > 0 && i - kend < 4 && is_space((unsigned char)s[kend - 1]))
		kend--;
	kstart = kend;
	while (kstart > 0 && kend - kstart < LOG_KEY_LOOKBACK && is_key_char((unsigned char)s[kstart - 1]))
		kstart--;
	if (kstart == kend || !key_is_sensitive(s + kstart, kend - kstart))
		return 0;
	k = i + 1;
	while (k < n && is_space((unsigned char)s[k]))
		k++;
	if (k >= n || s[k] == '=')
		return 0;
	/* Already masked (text redacted twice): the walk passes over the mask. */
	if (n - k >= sizeof(log_redacted) - 1 && memcmp(s + k, log_redacted, sizeof(log_redacted) - 1) == 0)
		return 0;
	if (s[k] == '"' || s[k] == '\'') {
		const char *close = memchr(s + k + 1, s[k], n - k - 1);
		/*
		 * Only a line break before the closing quote matters; looking
		 * past the quote would read the rest of the text at every '='.
		 */
		size_t before_close = close ? (size_t)(close - (s + k + 1)) : n - k - 1;
		const char *eol = memchr(s + k + 1, '\n', before_close);

		m->mask_from = k + 1;
		if (close && !eol) {
			m->end = (size_t)(close - s); /* the closing quote is written as it is */
			m->mask = m->end > m->mask_from;
		} else {
			m->end = eol ? (size_t)(eol - s) : n;
			m->mask = 1;
		}
		return 1;
	}
	vend = value_end(s, n, k);
	if (vend == k)
		return 0;
	/* "Authorization=Bearer abc": the credential is the word after the scheme. */
	if (is_auth_scheme(s + k, vend - k) && vend < n && s[vend] == ' ') {
		size_t t = vend;

		while (t < n && s[t] == ' ')
			t++;
		if (value_end(s, n, t) > t)
			vend = value_end(s, n, t);
	}
	m->mask_from = k;
	m->end = vend;
	m->mask = 1;
	return 1;
}

/*
 * "\"password\": \"x\"" in JSON, its escaped form inside another JSON
 * string, and 'password': 'x' as Python prints a dict. Nested objects and
 * arrays are left to the recognisers that will see their own keys. (A key
 * read partly under an earlier mask can only be accepted here: a second
 * pass meets "]" instead of the opening quote and leaves the mask alone.)
 */
static int redact_quoted_key(const char *s, size_t n, size_t i, struct log_match *m)
{
	size_t j = i, kend, kstart, k, vstart, vend;
	int escaped;
	char q;

	if (s[i] != ':')
		return 0;
	while (j > 0 && i - j < 4 && is_space((unsigned char)s[j - 1]))
		j--;
	if (j == 0 || (s[j - 1] != '"' && s[j - 1] != '\''))
		return 0;
	q = s[j - 1];
	kend = j - 1;
	escaped = kend > 0 && s[kend - 1] == '\\';
	if (escaped)
		kend--;
	kstart = kend;
	while (kstart > 0 && kend - kstart < LOG_KEY_LOOKBACK && is_key_char((unsigned char)s[kstart - 1]))
		kstart--;
	/* Keys are names, not free text: anything else between the quotes is no key. */
	if (kstart == kend || kstart == 0 || s[kstart - 1] != q)
		return 0;
	if (!key_is_sensitive(s + kstart, kend - kstart))
		return 0;

	k = i + 1;
	while (k < n && is_space((unsigned char)s[k]))
		k++;
	if (k >= n)
		return 0;
	if (s[k] == '\\' && k + 1 < n && s[k + 1] == '"') {
		const char *close = memmem(s + k + 2, n - k - 2, "\\\"", 2);

		vstart = k + 2;
		vend = close ? (size_t)(close - s) : n;
	} else if (s[k] == '"' || s[k] == '\'') {
		vstart = k + 1;
		vend = vstart;
		while (vend < n && s[vend] != s[k]) {
			if (s[k] == '"' && s[vend] == '\\' && vend + 1 < n)
				vend++;
			vend++;
		}
		if (vend > n)
			vend = n;
	} else if (is_alnum((unsigned char)s[k]) || s[k] == '-') {
		vstart = k;
		vend = value_end(s, n, k);
	} else {
		return 0;
	}
	m->mask_from = vstart;
	m->end = vend;
	m->mask = vend > vstart;
	return 1;
}

/* HTTP header lines whose whole value is a credential. */
static const char *const secret_headers[] = {
	"authorization:", "proxy-authorization:", "cookie:", "set-cookie:",
	"x-api-key:", "api-key:", "x-auth-token:", "x-registry-auth:",
};

static int redact_header(const char *s, size_t n, size_t i, struct log_match *m)
{
	size_t h, k, eol;

	for (h = 0; h < sizeof(secret_headers) / sizeof(secret_headers[0]); h++) {
		size_t len = strlen(secret_headers[h]);

		if (!has_prefix_ci(s, n, i, secret_headers[h]))
			continue;
		k = i + len;
		while (k < n && is_space((unsigned char)s[k]))
			k++;
		eol = k;
		while (eol < n && s[eol] != '\r' && s[eol] != '\n')
			eol++;
		if (eol == k)
			return 0;
		m->mask_from = k;
		m->end = eol;
		m->mask = 1;
		return 1;
	}
	return 0;
}

/* "Bearer <token>" and "Basic <base64 user:password>". */
static int redact_auth_scheme(const char *s, size_t n, size_t i, struct log_match *m)
{
	size_t word, k, t;
	int basic;

	if (has_prefix_ci(s, n, i, "bearer")) {
		word = 6;
		basic = 0;
	} else if (has_prefix_ci(s, n, i, "basic")) {
		word = 5;
		basic = 1;
	} else {
		return 0;
	}
	k = i + word;
	if (k >= n || !is_space((unsigned char)s[k]))
		return 0;
	while (k < n && is_space((unsigned char)s[k]))
		k++;
	t = k;
	while (t < n) {
		unsigned char c = (unsigned char)s[t];

		if (!(is_alnum(c) || c == '+' || c == '/' ||
		      (!basic && (c == '-' || c == '.' || c == '_' || c == '~'))))
			break;
		t++;
	}
	while (t < n && s[t] == '=')
		t++;
	if (t == k)
		return 0;
	if (basic ? !is_basic_credential(s + k, t - k) : !looks_like_credential(s + k, t - k))
		return 0;
	m->mask_from = k;
	m->end = t;
	m->mask = 1;
	return 1;
}

/*
 * A JWT on its own: base64url parts joined by dots, the first starting
 * "eyJ" (base64 of '{"'). Whatever its claims say, its signature is a
 * credential. Five-part JWEs are swallowed too.
 */
static int redact_jwt(const char *s, size_t n, size_t i, struct log_match *m)
{
	size_t k = i, parts = 1;

	if (n - i < 3 || memcmp(s + i, "eyJ", 3) != 0)
		return 0;
	while (k < n && is_b64url((unsigned char)s[k]))
		k++;
	if (k - i < 8)
		return 0;
	while (k + 1 < n && s[k] == '.' && (is_b64url((unsigned char)s[k + 1]) || parts == 2)) {
		k++;
		while (k < n && is_b64url((unsigned char)s[k]))
			k++;
		parts++;
	}
	/* Unsigned tokens end in a bare dot: "header.payload." */
	if (parts == 2 && k < n && s[k] == '.') {
		k++;
		parts++;
	}
	if (parts < 3)
		return 0;
	m->mask_from = i;
	m->end = k;
	m->mask = 1;
	return 1;
}

/*
 * A mask already in the text (redacted before) is one opaque token, so the
 * rules see text redacted twice exactly as they saw it the first time.
 */
static int match_mask(const char *s, size_t n, size_t i, struct log_match *m)
{
	if (n - i < sizeof(log_redacted) - 1 || memcmp(s + i, log_redacted, sizeof(log_redacted) - 1) != 0)
		return 0;
	m->mask_from = i;
	m->end = i + sizeof(log_redacted) - 1;
	m->mask = 1;
	return 1;
}

/* ---- the walk ----------------------------------------------------------- */

#define LOG_NONE SIZE_MAX

/*
 * The authority of a URL the walk is inside, from just after "://" to the
 * first visible byte RFC 3986 does not allow there, as the URL rule sees it:
 * visible bytes, and masks as opaque tokens that may hide any byte, ':' and
 * '@' included (a second pass cannot tell what a mask hides, so the first
 * must not use it). Positions are in the text; the _out offsets are where
 * the walk wrote the same place.
 */
struct log_authority {
	int open;
	size_t start, start_out;
	/* Where a password could begin: after the first ':' or at the first mask. */
	size_t split, split_out;
	/* Where the user part could end: the last '@' or the end of the last mask. */
	size_t end, end_out;
	/* The first '@' in the text itself, masked or not. */
	size_t first_at;
};

struct log_walk {
	const char *s;
	size_t n;
	/*
	 * Where the last mask ended. A second pass sees "]" before it, which
	 * ends every word, so the byte before a word is taken to be that.
	 */
	size_t lo;
	/*
	 * The password as the text itself reads (see authority_quiet): no
	 * recogniser but the one for an existing mask starts in [quiet_from,
	 * quiet_to).
	 */
	size_t quiet_from, quiet_to;
	struct log_buf *out;
	struct log_authority auth;
};

static int is_authority_char(unsigned char c)
{
	return c != '\0' && (is_alnum(c) || strchr("-._~%!$&()*+,;=:@", c));
}

/*
 * "scheme://user:password@host": the password goes, the user stays. A user
 * name alone is masked only when it looks like an access token
 * ("https://ghp_...@github.com"). The last '@' ends the user part, as
 * passwords with a raw '@' are common.
 *
 * Decided when the authority ends, and only from what a second pass would
 * see there, so both decide alike. As a mask may hide a ':' or an '@', the
 * password runs from the first ':' or mask to the last '@' or mask: what
 * the rule masks is never less than a reading of the hidden bytes would
 * give. The mask replaces what the walk wrote for that stretch, masks of
 * other rules included.
 */
static void authority_close(struct log_walk *w)
{
	struct log_authority *a = &w->auth;
	size_t from_out = LOG_NONE;

	if (!a->open)
		return;
	a->open = 0;
	if (a->end == LOG_NONE)
		return;
	/*
	 * The token test reads the text itself, up to its first '@' even if
	 * a mask hides it: when it passes, everything from the start becomes
	 * one mask, which a second pass leaves as it is; when it fails, a
	 * second pass fails too, on the same bytes or on a "[REDACTED]".
	 */
	if (a->first_at != LOG_NONE && a->first_at > a->start &&
	    looks_like_token(w->s + a->start, a->first_at - a->start))
		from_out = a->start_out;
	else if (a->split != LOG_NONE && a->split < a->end)
		from_out = a->split_out;
	if (from_out == LOG_NONE)
		return;
	buf_replace(w->out, from_out, a->end_out, log_redacted, sizeof(log_redacted) - 1);
	if (w->lo < a->end)
		w->lo = a->end;
}

/*
 * Where the password lies if the authority at start is read on the text
 * itself: up to its last '@' before the first byte RFC 3986 does not allow
 * there, after the first ':' (or the whole user name when it looks like a
 * token). Other recognisers do not start there, so one cannot take a
 * password's "key=value" for its own and swallow the '@' and whatever
 * credential follows it ("u:x_token=a@Bearer ..."): the walk after the
 * password goes as if the password were already masked, which it will be,
 * as authority_close never masks less. This reading decides nothing that
 * is written, so it may use bytes another mask will hide.
 */
static void authority_quiet(struct log_walk *w, size_t start)
{
	const char *s = w->s, *colon;
	size_t k, at = LOG_NONE;

	w->quiet_from = w->quiet_to = LOG_NONE;
	for (k = start; k < w->n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '[' && w->n - k >= sizeof(log_redacted) - 1 &&
		    memcmp(s + k, log_redacted, sizeof(log_redacted) - 1) == 0) {
			k += sizeof(log_redacted) - 2;
			continue;
		}
		if (!is_authority_char(c))
			break;
		if (c == '@')
			at = k;
	}
	if (at == LOG_NONE || at == start)
		return;
	colon = memchr(s + start, ':', at - start);
	if (colon) {
		w->quiet_from = (size_t)(colon - s) + 1;
		w->quiet_to = at;
	} else if (looks_like_token(s + start, at - start)) {
		w->quiet_from = start;
		w->quiet_to = at;
	}
}

/* Writes s[i] as it is; every visible byte passes here. */
static void walk_copy(struct log_walk *w, size_t i)
{
	struct log_authority *a = &w->auth;
	unsigned char c = (unsigned char)w->s[i];

	if (a->open) {
		if (!is_authority_char(c)) {
			authority_close(w);
		} else if (c == ':' && a->split == LOG_NONE) {
			a->split = i + 1;
			a->split_out = w->out->len + 1;
		} else if (c == '@') {
			a->end = i;
			a->end_out = w->out->len;
			if (a->first_at == LOG_NONE)
				a->first_at = i;
		}
	}
	buf_addc(w->out, (char)c);
}

static void authority_open(struct log_walk *w, size_t start)
{
	struct log_authority *a = &w->auth;

	a->open = 1;
	a->start = start;
	a->start_out = w->out->len;
	a->split = LOG_NONE;
	a->end = LOG_NONE;
	a->first_at = LOG_NONE;
}

/* Writes what m found at i; returns where the walk goes on. */
static size_t walk_apply(struct log_walk *w, size_t i, const struct log_match *m)
{
	struct log_authority *a = &w->auth;
	size_t k;

	for (k = i; k < m->mask_from; k++)
		walk_copy(w, k);
	if (!m->mask)
		return m->end;
	if (a->open) {
		if (a->split == LOG_NONE) {
			a->split = m->mask_from;
			a->split_out = w->out->len;
		}
		if (a->first_at == LOG_NONE) {
			const char *at = memchr(w->s + m->mask_from, '@', m->end - m->mask_from);

			if (at)
				a->first_at = (size_t)(at - w->s);
		}
	}
	buf_adds(w->out, log_redacted);
	w->lo = m->end;
	if (a->open) {
		a->end = m->end;
		a->end_out = w->out->len;
	}
	return m->end;
}

static void redact_into(const char *s, size_t n, struct log_buf *out)
{
	struct log_walk w = {
		.s = s, .n = n, .quiet_from = LOG_NONE, .quiet_to = LOG_NONE, .out = out,
	};
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		/* A mask ending here reads as "]", which no rule takes as part of a word. */
		unsigned char prev = i > w.lo ? (unsigned char)s[i - 1] : ' ';
		struct log_match m;
		int found = 0;

		if (c == '[') {
			found = match_mask(s, n, i, &m);
		} else if (i >= w.quiet_from && i < w.quiet_to) {
			found = 0;
		} else if (c == '-') {
			found = redact_pem(s, n, i, &m);
		} else if (c == ':') {
			if (n - i >= 3 && memcmp(s + i, "://", 3) == 0) {
				walk_copy(&w, i);
				walk_copy(&w, i + 1);
				walk_copy(&w, i + 2);
				authority_open(&w, i + 3);
				authority_quiet(&w, i + 3);
				i += 3;
				continue;
			}
			found = redact_quoted_key(s, n, i, &m);
		} else if (c == '=') {
			found = redact_key_value(s, n, i, &m);
		} else if (is_alpha(c) && !is_key_char(prev)) {
			found = redact_header(s, n, i, &m);
			if (!found)
				found = redact_auth_scheme(s, n, i, &m);
			if (!found && !is_b64url(prev))
				found = redact_jwt(s, n, i, &m);
		}
		if (found) {
			i = walk_apply(&w, i, &m);
			continue;
		}
		walk_copy(&w, i);
		i++;
	}
	authority_close(&w);
}

static char *redact_n(const char *s, size_t n, size_t *out_len)
{
	struct log_buf out = { 0 };

	redact_into(s, n, &out);
	return buf_take(&out, out_len);
}

char *log_redact_text(const char *text)
{
	if (!text)
		return NULL;
	return redact_n(text, strlen(text), NULL);
}

/* ---- JSON redaction ---------------------------------------------------- */

/* Copies s, replacing invalid UTF-8 with U+FFFD so jansson accepts it. */
static void utf8_sanitize(const char *s, size_t n, struct log_buf *out)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			buf_addc(out, (char)c);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (n - i < len)
			goto bad;
		for (k = 1; k < len; k++) {
			unsigned char cc = (unsigned char)s[i + k];

			if ((cc & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (cc & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		buf_add(out, s + i, len);
		i += len;
		continue;
bad:
		buf_add(out, "\xef\xbf\xbd", 3);
		i++;
	}
}

/* Redacts, cuts to cap and makes valid UTF-8: the string a line carries. */
static json_t *redacted_string(const char *s, size_t n, size_t cap)
{
	struct log_buf clean = { 0 };
	size_t red_len;
	char *red;
	json_t *str;

	red = redact_n(s, n, &red_len);
	if (!red)
		return NULL;
	if (red_len > cap) {
		utf8_sanitize(red, cap, &clean);
		buf_adds(&clean, log_truncated);
	} else {
		utf8_sanitize(red, red_len, &clean);
	}
	free(red);
	red = buf_take(&clean, &red_len);
	if (!red)
		return NULL;
	str = json_stringn(red, red_len);
	free(red);
	return str;
}

static json_t *redact_value(const json_t *v, int depth, size_t cap)
{
	json_t *copy = NULL;

	if (depth > LOG_JSON_DEPTH_MAX)
		return json_string("[TOO DEEP]");
	switch (json_typeof(v)) {
	case JSON_STRING:
		return redacted_string(json_string_value(v), json_string_length(v), cap);
	case JSON_OBJECT: {
		const char *key;
		json_t *member;

		copy = json_object();
		if (!copy)
			return NULL;
		json_object_foreach((json_t *)v, key, member) {
			json_t *r = log_is_sensitive_key(key) ? json_string(log_redacted)
			                                      : redact_value(member, depth + 1, cap);

			if (!r || json_object_set_new(copy, key, r) != 0)
				goto fail;
		}
		return copy;
	}
	case JSON_ARRAY: {
		size_t idx;
		json_t *member;

		copy = json_array();
		if (!copy)
			return NULL;
		json_array_foreach(v, idx, member) {
			json_t *r = redact_value(member, depth + 1, cap);

			if (!r || json_array_append_new(copy, r) != 0)
				goto fail;
		}
		return copy;
	}
	default:
		/* Numbers, booleans and null carry no text; share them. */
		return json_incref((json_t *)v);
	}
fail:
	json_decref(copy);
	return NULL;
}

json_t *log_redact_json(const json_t *value)
{
	if (!value)
		return NULL;
	return redact_value(value, 0, SIZE_MAX);
}

/* ---- lines ------------------------------------------------------------- */

static int dump_to_buf(const char *chunk, size_t size, void *data)
{
	struct log_buf *b = data;

	buf_add(b, chunk, size);
	return b->oom ? -1 : 0;
}

static void format_time(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

static int is_fixed_key(const char *key)
{
	return strcmp(key, "time") == 0 || strcmp(key, "level") == 0 || strcmp(key, "service") == 0 ||
	       strcmp(key, "requestId") == 0 || strcmp(key, "msg") == 0;
}

static void write_line(const char *line, size_t len)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0) {
		while (len > 0) {
			ssize_t w = write(log_fd, line, len);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				break; /* nowhere left to report it */
			}
			line += w;
			len -= (size_t)w;
		}
	} else if (log_stream) {
		fwrite(line, 1, len, log_stream);
		fflush(log_stream);
	}
	pthread_mutex_unlock(&log_lock);
}

static int add_fields(json_t *line, json_t *fields)
{
	const char *key;
	json_t *value;

	if (!json_is_object(fields)) {
		value = redact_value(fields, 0, LOG_STRING_MAX);
		return value ? json_object_set_new(line, "fields", value) : -1;
	}
	json_object_foreach(fields, key, value) {
		json_t *r = log_is_sensitive_key(key) ? json_string(log_redacted)
		                                      : redact_value(value, 1, LOG_STRING_MAX);
		int rc;

		if (!r)
			return -1;
		if (is_fixed_key(key)) {
			char renamed[256];

			snprintf(renamed, sizeof(renamed), "fields.%s", key);
			rc = json_object_set_new(line, renamed, r);
		} else {
			rc = json_object_set_new(line, key, r);
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Builds and writes one line; msg need not be NUL-terminated or valid UTF-8. */
static void emit(enum log_level level, const char *msg, size_t msg_len, json_t *fields)
{
	char service[LOG_SERVICE_MAX];
	char when[64];
	struct log_buf out = { 0 };
	json_t *line = NULL, *msg_json;

	pthread_mutex_lock(&log_lock);
	memcpy(service, log_service, sizeof(service));
	pthread_mutex_unlock(&log_lock);
	if (!service[0])
		snprintf(service, sizeof(service), "%s", program_invocation_short_name);
	format_time(when, sizeof(when));

	line = json_object();
	if (!line)
		goto out;
	if (json_object_set_new(line, "time", json_string(when)) ||
	    json_object_set_new(line, "level", json_string(log_level_name(level))) ||
	    json_object_set_new(line, "service", json_string(service)))
		goto out;
	if (log_req_id[0] && json_object_set_new(line, "requestId", json_string(log_req_id)))
		goto out;
	msg_json = redacted_string(msg, msg_len, LOG_STRING_MAX);
	if (!msg_json || json_object_set_new(line, "msg", msg_json))
		goto out;
	if (fields && add_fields(line, fields) != 0)
		goto out;
	if (json_dump_callback(line, dump_to_buf, &out, JSON_COMPACT) != 0)
		goto out;
	buf_addc(&out, '\n');
	if (!out.oom)
		write_line(out.data, out.len);
out:
	free(out.data);
	json_decref(line);
	json_decref(fields);
}

static enum log_level clamp_level(enum log_level level)
{
	if ((int)level < LOG_LEVEL_DEBUG)
		return LOG_LEVEL_DEBUG;
	if ((int)level > LOG_LEVEL_ERROR)
		return LOG_LEVEL_ERROR;
	return level;
}

void log_event(enum log_level level, const char *message, json_t *fields)
{
	level = clamp_level(level);
	if (!log_enabled(level)) {
		json_decref(fields);
		return;
	}
	if (!message)
		message = "";
	emit(level, message, strnlen(message, LOG_MSG_INPUT_MAX), fields);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char small[512];
	char *msg = small;
	va_list ap;
	int n;

	level = clamp_level(level);
	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		size_t size = (size_t)n + 1 > LOG_MSG_INPUT_MAX ? LOG_MSG_INPUT_MAX : (size_t)n + 1;

		msg = malloc(size);
		if (!msg)
			return;
		va_start(ap, fmt);
		vsnprintf(msg, size, fmt, ap);
		va_end(ap);
		n = (int)(size - 1);
	}
	emit(level, msg, (size_t)n, NULL);
	if (msg != small)
		free(msg);
}
