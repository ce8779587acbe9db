/*
 * site.c - the portal's files in memory, and how a request picks one.
 *
 * Load: the folder is walked once with openat() relative to already-open
 * folders and O_NOFOLLOW everywhere, so a symbolic link is never followed
 * (in or out of the folder) and a rename during the walk cannot redirect it.
 * Every file read is bounded in count, total size and depth. The result is
 * an immutable snapshot: a sorted array of files (binary search by name;
 * the set is small and never changes, so a hash table buys nothing), each
 * with up to three representations (identity, gzip, br) and their ETags.
 *
 * Serve: the request path is decoded and checked, then looked up in the
 * snapshot; no request ever touches the filesystem. A snapshot is
 * reference-counted so that a reload (the folder was rebuilt: index.html's
 * mtime changed) swaps in a new one while requests still read the old one.
 */
#include "http/site.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"
#include "http_internal.h"
#include "log/log.h"

#define DEFAULT_MAX_FILES 2000
#define DEFAULT_MAX_BYTES (64u * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 8
#define MAX_NAME 1024          /* a file's path relative to the site */
#define MAX_REQUEST_PATH 2048
#define MAX_ACCEPT_ENCODING 1024
#define MAX_CODINGS 32
#define MAX_IF_NONE_MATCH 4096
#define ETAG_SIZE 36           /* quotes + 32 hex digits (128 bits of SHA-256) + NUL */
#define RELOAD_CHECK_NS 1000000000LL

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct site_rep {
	unsigned char *data;
	size_t len;
	int present;
	char etag[ETAG_SIZE];
};

struct site_file {
	char *name; /* "index.html", "assets/app-1a2b3c4d.js" */
	const char *content_type;
	int hashed;
	struct site_rep reps[3]; /* indexed by enum http_site_encoding */
};

/* Identifies one version of index.html, to notice a rebuild. */
struct file_signature {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int valid;
};

struct http_site_snapshot {
	atomic_int refs;
	struct site_file *files;
	size_t count;
	const struct site_file *index;
	struct file_signature index_sig;
};

struct http_site {
	char *dir;
	struct http_site_options opts;
	pthread_mutex_t lock;
	struct http_site_snapshot *current;
	long long last_check_ns;
	int reloading;
	struct file_signature failed_sig; /* a version that would not load: not retried */
};

/* ---- content types and names ---------------------------------------------------------- */

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{"html", "text/html; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"ico", "image/x-icon"},
	{"json", "application/json"},
	{"woff2", "font/woff2"},
	{"txt", "text/plain; charset=utf-8"},
	{"map", "application/json"},
	{"webmanifest", "application/manifest+json"},
};

/* Unknown types go out as opaque bytes: with nosniff, a browser will not
 * run or render them, whatever they hold. */
static const char *content_type_for(const char *name)
{
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t i;

	if (dot && (!slash || dot > slash))
		for (i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
			if (strcasecmp(dot + 1, content_types[i].ext) == 0)
				return content_types[i].type;
	return "application/octet-stream";
}

static int name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Build tools name bundles name-<hash>.ext (or name.<hash>.ext), with the
 * hash in hex, base32 or base64url letters. The token must be 8+ characters
 * and hold a digit: that keeps words such as "app-business.js" out. A real
 * hash that happens to lack a digit is only cached less, never wrongly. */
int http_site_name_is_hashed(const char *name)
{
	const char *base, *dot, *p, *start;
	size_t n = 0;
	int digit = 0;

	if (strncmp(name, "assets/", 7) != 0)
		return 0;
	base = strrchr(name, '/') + 1;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return 0;
	for (p = dot; p > base && (is_alnum(p[-1]) || p[-1] == '_'); p--) {
		n++;
		digit |= p[-1] >= '0' && p[-1] <= '9';
	}
	start = p;
	return n >= 8 && digit && start > base + 1 && (start[-1] == '-' || start[-1] == '.');
}

/* An extension, for the fallback to index.html: a last segment ending in a
 * dot and 1-10 letters or digits, at least one a letter. So /app.js and
 * /favicon.ico are files, while /images/nginx:1.25 (an image tag in an app
 * route) is not. */
static int has_extension(const char *path)
{
	const char *seg = strrchr(path, '/'), *dot, *p;
	int letter = 0;

	seg = seg ? seg + 1 : path;
	dot = strrchr(seg, '.');
	if (!dot || !dot[1] || strlen(dot + 1) > 10)
		return 0;
	for (p = dot + 1; *p; p++) {
		if (!is_alnum(*p))
			return 0;
		letter |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
	}
	return letter;
}

static int has_api_prefix(const char *path)
{
	static const char *const prefixes[] = {"/v1", "/v2", "/v4", "/api"};
	static const char *const exact[] = {"/healthz", "/readyz", "/metrics"};
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(path, prefixes[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return 1;
	}
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(path, exact[i]) == 0)
			return 1;
	return 0;
}

/* Percent-decodes into out (size bytes); 0 for a malformed escape, an
 * encoded NUL or a result that does not fit. */
static int decode_path(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in; in++) {
		char c = *in;
		if (c == '%') {
			int hi = http_hex_value(in[1]), lo = hi < 0 ? -1 : http_hex_value(in[2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return 0;
			c = (char)(hi * 16 + lo);
			in += 2;
		}
		if (o + 1 >= size)
			return 0;
		out[o++] = c;
	}
	out[o] = '\0';
	return 1;
}

int http_site_path_is_api(const char *path)
{
	char decoded[MAX_REQUEST_PATH + 1];

	if (has_api_prefix(path))
		return 1;
	/* "/%761/x" is /v1/x to anyone who decodes: it is the API's, too. */
	return decode_path(decoded, sizeof(decoded), path) && has_api_prefix(decoded);
}

/* ---- loading -------------------------------------------------------------------------- */

struct loader {
	const struct http_site_options *opts;
	struct site_file *raw; /* every regular file read, variants included */
	size_t count, capacity;
	size_t bytes;
	struct file_signature index_sig;
};

static void signature_of(struct file_signature *sig, const struct stat *st)
{
	sig->dev = st->st_dev;
	sig->ino = st->st_ino;
	sig->size = st->st_size;
	sig->mtime = st->st_mtim;
	sig->valid = 1;
}

static int signature_equal(const struct file_signature *a, const struct file_signature *b)
{
	return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int read_all(unsigned char **out, size_t *len, int fd, size_t size, const char *name)
{
	unsigned char *buf = malloc(size ? size : 1);
	size_t got = 0;

	if (!buf) {
		error_set("out of memory reading portal file %s", name);
		return ASEC_ENOMEM;
	}
	/* A file that grows while read is cut at the size fstat() gave, which
	 * the bounds were checked against. */
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("cannot read portal file %s: %s", name, strerror(errno));
			free(buf);
			return ASEC_EIO;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return ASEC_OK;
}

static int add_file(struct loader *L, int dirfd, const char *entry, const char *rel)
{
	struct stat st;
	unsigned char *data = NULL;
	size_t len = 0;
	int fd, rc;

	if (L->count >= L->opts->max_files) {
		error_set("the portal has more than %zu files", L->opts->max_files);
		return ASEC_ETOOBIG;
	}
	fd = openat(dirfd, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		error_set("cannot open portal file %s: %s", rel, strerror(errno));
		return ASEC_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ASEC_OK; /* replaced by something else since the listing */
	}
	if ((size_t)st.st_size > L->opts->max_bytes - L->bytes) {
		close(fd);
		error_set("the portal is larger than %zu bytes (at %s)", L->opts->max_bytes, rel);
		return ASEC_ETOOBIG;
	}
	rc = read_all(&data, &len, fd, (size_t)st.st_size, rel);
	close(fd);
	if (rc)
		return rc;
	if (L->count == L->capacity) {
		size_t cap = L->capacity ? 2 * L->capacity : 64;
		struct site_file *grown = realloc(L->raw, cap * sizeof(*grown));
		if (!grown) {
			free(data);
			error_set("out of memory loading the portal");
			return ASEC_ENOMEM;
		}
		L->raw = grown;
		L->capacity = cap;
	}
	memset(&L->raw[L->count], 0, sizeof(L->raw[0]));
	L->raw[L->count].name = strdup(rel);
	L->raw[L->count].reps[0].data = data;
	L->raw[L->count].reps[0].len = len;
	L->raw[L->count].reps[0].present = 1;
	if (!L->raw[L->count].name) {
		free(data);
		error_set("out of memory loading the portal");
		return ASEC_ENOMEM;
	}
	if (strcmp(rel, "index.html") == 0)
		signature_of(&L->index_sig, &st);
	L->count++;
	L->bytes += len;
	return ASEC_OK;
}

/* Takes ownership of fd. */
static int walk(struct loader *L, int fd, const char *prefix, unsigned depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = ASEC_OK;

	if (!d) {
		close(fd);
		error_set("cannot list portal folder %s: %s", prefix[0] ? prefix : ".", strerror(errno));
		return ASEC_EIO;
	}
	while (rc == ASEC_OK && (errno = 0, e = readdir(d))) {
		char rel[MAX_NAME + 1];
		struct stat st;
		const char *c;
		int n;

		if (e->d_name[0] == '.')
			continue; /* ".", "..", and hidden files such as .DS_Store */
		for (c = e->d_name; *c && name_char_ok(*c); c++)
			;
		n = snprintf(rel, sizeof(rel), "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
		if (*c || n < 0 || (size_t)n >= sizeof(rel)) {
			log_warn("portal: leaving out %s%s%s: only letters, digits, '.', '_' and '-' are served", prefix,
				 prefix[0] ? "/" : "", e->d_name);
			continue;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* gone since the listing */
		if (S_ISDIR(st.st_mode)) {
			int sub;
			if (depth + 1 > L->opts->max_depth) {
				error_set("the portal's folder %s is nested deeper than %u levels", rel, L->opts->max_depth);
				rc = ASEC_ETOOBIG;
				break;
			}
			sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				continue; /* replaced by a link or removed since the listing */
			rc = walk(L, sub, rel, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(L, dirfd(d), e->d_name, rel);
		}
		/* links, sockets, devices: never served */
	}
	if (rc == ASEC_OK && errno) {
		error_set("cannot list portal folder %s: %s", prefix[0] ? prefix : ".", strerror(errno));
		rc = ASEC_EIO;
	}
	closedir(d);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct site_file *)a)->name, ((const struct site_file *)b)->name);
}

static struct site_file *find(struct site_file *files, size_t count, const char *name)
{
	struct site_file key = {.name = (char *)(uintptr_t)name};

	return bsearch(&key, files, count, sizeof(*files), by_name);
}

static int set_etag(struct site_rep *rep)
{
	unsigned char digest[32];
	size_t i;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, rep->data, rep->len, digest) < 0) {
		error_set("cannot hash a portal file");
		return ASEC_ERROR;
	}
	rep->etag[0] = '"';
	for (i = 0; i < 16; i++)
		snprintf(rep->etag + 1 + 2 * i, 3, "%02x", digest[i]);
	rep->etag[33] = '"';
	rep->etag[34] = '\0';
	return ASEC_OK;
}

static void files_free(struct site_file *files, size_t count)
{
	size_t i, r;

	for (i = 0; i < count; i++) {
		free(files[i].name);
		for (r = 0; r < 3; r++)
			free(files[i].reps[r].data);
	}
	free(files);
}

static int is_variant_name(const char *name, enum http_site_encoding *enc)
{
	size_t n = strlen(name);

	if (n > 3 && strcmp(name + n - 3, ".gz") == 0) {
		*enc = HTTP_SITE_GZIP;
		return 1;
	}
	if (n > 3 && strcmp(name + n - 3, ".br") == 0) {
		*enc = HTTP_SITE_BR;
		return 1;
	}
	return 0;
}

/* Folds "x.gz" and "x.br" into x's representations; a variant without its
 * original is dropped (nothing could name it). */
static int build_snapshot(struct http_site_snapshot **out, struct loader *L)
{
	struct http_site_snapshot *s = calloc(1, sizeof(*s));
	size_t i, kept = 0;
	int rc = ASEC_OK;

	if (!s) {
		error_set("out of memory loading the portal");
		return ASEC_ENOMEM;
	}
	qsort(L->raw, L->count, sizeof(*L->raw), by_name);
	for (i = 0; i < L->count; i++) {
		enum http_site_encoding enc;
		char base[MAX_NAME + 1];
		struct site_file *orig;

		if (!is_variant_name(L->raw[i].name, &enc))
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(strlen(L->raw[i].name) - 3), L->raw[i].name);
		orig = find(L->raw, L->count, base);
		if (orig && !is_variant_name(orig->name, &(enum http_site_encoding){0})) {
			orig->reps[enc] = L->raw[i].reps[0];
			memset(&L->raw[i].reps[0], 0, sizeof(L->raw[i].reps[0]));
		}
	}
	/* Compact: drop the variants' own entries, keeping the order. */
	for (i = 0; i < L->count; i++) {
		enum http_site_encoding enc;
		if (is_variant_name(L->raw[i].name, &enc)) {
			free(L->raw[i].name);
			free(L->raw[i].reps[0].data);
			continue;
		}
		L->raw[kept++] = L->raw[i];
	}
	L->count = kept;
	for (i = 0; i < L->count && rc == ASEC_OK; i++) {
		struct site_file *f = &L->raw[i];
		size_t r;
		f->content_type = content_type_for(f->name);
		f->hashed = http_site_name_is_hashed(f->name);
		for (r = 0; r < 3 && rc == ASEC_OK; r++)
			if (f->reps[r].present)
				rc = set_etag(&f->reps[r]);
	}
	s->files = L->raw;
	s->count = L->count;
	L->raw = NULL;
	L->count = L->capacity = 0;
	s->index = find(s->files, s->count, "index.html");
	s->index_sig = L->index_sig;
	atomic_init(&s->refs, 1);
	if (rc == ASEC_OK && !s->index) {
		error_set("the portal has no index.html");
		rc = ASEC_ENOTFOUND;
	}
	if (rc) {
		files_free(s->files, s->count);
		free(s);
		return rc;
	}
	*out = s;
	return ASEC_OK;
}

static int load_snapshot(struct http_site_snapshot **out, const char *dir, const struct http_site_options *opts)
{
	struct loader L = {.opts = opts};
	int fd, rc;

	*out = NULL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		error_set("cannot open the portal folder %s: %s", dir, strerror(errno));
		return errno == ENOENT ? ASEC_ENOTFOUND : ASEC_EIO;
	}
	rc = walk(&L, fd, "", 0);
	if (rc == ASEC_OK)
		rc = build_snapshot(out, &L);
	files_free(L.raw, L.count);
	if (rc)
		error_prefix("portal %s", dir);
	return rc;
}

static void snapshot_unref(struct http_site_snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		files_free(s->files, s->count);
		free(s);
	}
}

int http_site_load_with(struct http_site **out, const char *dir, const struct http_site_options *opts)
{
	struct http_site *site;
	int rc;

	*out = NULL;
	site = calloc(1, sizeof(*site));
	if (!site || !(site->dir = strdup(dir))) {
		free(site);
		error_set("out of memory loading the portal");
		return ASEC_ENOMEM;
	}
	if (opts)
		site->opts = *opts;
	if (!site->opts.max_files)
		site->opts.max_files = DEFAULT_MAX_FILES;
	if (!site->opts.max_bytes)
		site->opts.max_bytes = DEFAULT_MAX_BYTES;
	if (!site->opts.max_depth)
		site->opts.max_depth = DEFAULT_MAX_DEPTH;
	pthread_mutex_init(&site->lock, NULL);
	rc = load_snapshot(&site->current, dir, &site->opts);
	if (rc) {
		http_site_free(site);
		return rc;
	}
	*out = site;
	return ASEC_OK;
}

int http_site_load(struct http_site **out, const char *dir)
{
	return http_site_load_with(out, dir, NULL);
}

void http_site_free(struct http_site *site)
{
	if (!site)
		return;
	snapshot_unref(site->current);
	pthread_mutex_destroy(&site->lock);
	free(site->dir);
	free(site);
}

size_t http_site_file_count(struct http_site *site)
{
	size_t n;

	pthread_mutex_lock(&site->lock);
	n = site->current->count;
	pthread_mutex_unlock(&site->lock);
	return n;
}

/* ---- reloading ------------------------------------------------------------------------ */

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* At most once a second, one request looks at index.html; if it changed,
 * that request loads the folder again (outside the lock, so the others go
 * on with the old snapshot) and swaps the result in. */
static void maybe_reload(struct http_site *site)
{
	struct file_signature seen = {0};
	struct http_site_snapshot *fresh = NULL, *old = NULL;
	size_t fresh_count = 0;
	char path[4096];
	struct stat st;
	long long now = monotonic_ns();
	int rc;

	if (site->opts.no_reload)
		return;
	pthread_mutex_lock(&site->lock);
	if (site->reloading || now - site->last_check_ns < RELOAD_CHECK_NS) {
		pthread_mutex_unlock(&site->lock);
		return;
	}
	site->last_check_ns = now;
	snprintf(path, sizeof(path), "%s/index.html", site->dir);
	/* A missing index.html is a build in progress: wait for the next one. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		pthread_mutex_unlock(&site->lock);
		return;
	}
	signature_of(&seen, &st);
	if (signature_equal(&seen, &site->current->index_sig) || signature_equal(&seen, &site->failed_sig)) {
		pthread_mutex_unlock(&site->lock);
		return;
	}
	site->reloading = 1;
	pthread_mutex_unlock(&site->lock);

	rc = load_snapshot(&fresh, site->dir, &site->opts);

	pthread_mutex_lock(&site->lock);
	if (rc == ASEC_OK) {
		old = site->current;
		site->current = fresh;
		fresh_count = fresh->count; /* once unlocked, a later reload may free fresh */
		memset(&site->failed_sig, 0, sizeof(site->failed_sig));
	} else {
		site->failed_sig = seen;
	}
	site->reloading = 0;
	pthread_mutex_unlock(&site->lock);
	if (rc == ASEC_OK) {
		log_info("portal: reloaded %s (%zu files)", site->dir, fresh_count);
		snapshot_unref(old);
	} else {
		log_warn("portal: kept the previous version; reloading failed: %s", error_last());
	}
}

static struct http_site_snapshot *acquire(struct http_site *site)
{
	struct http_site_snapshot *s;

	maybe_reload(site);
	pthread_mutex_lock(&site->lock);
	s = site->current;
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&site->lock);
	return s;
}

/* ---- negotiation ---------------------------------------------------------------------- */

/* A qvalue (RFC 9110 12.4.2) in thousandths; -1 when malformed. */
static int parse_qvalue(const char *s, size_t n)
{
	int v = 0, scale = 1000;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		scale /= 10;
		v += (s[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

static int token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

enum http_site_encoding http_site_negotiate(const char *header, unsigned available)
{
	/* q in thousandths per coding; -1 = not mentioned */
	int q_br = -1, q_gzip = -1, q_star = -1;
	const char *p = header;
	size_t entries = 0;

	if (!header || strlen(header) > MAX_ACCEPT_ENCODING)
		return HTTP_SITE_IDENTITY;
	while (*p && entries < MAX_CODINGS) {
		const char *item = p, *end = strchr(p, ','), *semi;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t name_len;
		int q = 1000;

		p = end ? end + 1 : p + len;
		entries++;
		while (len && (*item == ' ' || *item == '\t'))
			item++, len--;
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		semi = memchr(item, ';', len);
		name_len = semi ? (size_t)(semi - item) : len;
		while (name_len && (item[name_len - 1] == ' ' || item[name_len - 1] == '\t'))
			name_len--;
		if (semi) {
			const char *param = semi + 1;
			size_t plen = len - (size_t)(param - item);
			while (plen && (*param == ' ' || *param == '\t'))
				param++, plen--;
			if (plen < 2 || (param[0] != 'q' && param[0] != 'Q'))
				continue; /* a parameter we do not know: ignore the entry */
			param++, plen--;
			while (plen && (*param == ' ' || *param == '\t'))
				param++, plen--;
			if (!plen || *param != '=')
				continue;
			param++, plen--;
			while (plen && (*param == ' ' || *param == '\t'))
				param++, plen--;
			q = parse_qvalue(param, plen);
			if (q < 0)
				continue;
		}
		if (token_is(item, name_len, "br"))
			q_br = q;
		else if (token_is(item, name_len, "gzip") || token_is(item, name_len, "x-gzip"))
			q_gzip = q;
		else if (token_is(item, name_len, "*"))
			q_star = q;
		/* identity needs no bookkeeping: when nothing else is acceptable it
		 * is sent anyway, as RFC 9110 12.5.3 advises over a 406 */
	}
	if (q_br < 0)
		q_br = q_star;
	if (q_gzip < 0)
		q_gzip = q_star;
	/* br compresses better: preferred whenever acceptable at all. */
	if ((available & (1u << HTTP_SITE_BR)) && q_br > 0)
		return HTTP_SITE_BR;
	if ((available & (1u << HTTP_SITE_GZIP)) && q_gzip > 0)
		return HTTP_SITE_GZIP;
	return HTTP_SITE_IDENTITY;
}

/* If-None-Match (RFC 9110 13.1.2) uses the weak comparison: W/ is ignored. */
static int etag_listed(const char *header, const char *etag)
{
	const char *p = header;
	size_t etag_len = strlen(etag);

	if (strlen(header) > MAX_IF_NONE_MATCH)
		return 0;
	while (*p) {
		const char *start, *close;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0;
		start = p;
		close = strchr(p + 1, '"');
		if (!close)
			return 0;
		if ((size_t)(close + 1 - start) == etag_len && memcmp(start, etag, etag_len) == 0)
			return 1;
		p = close + 1;
	}
	return 0;
}

/* ---- answering ------------------------------------------------------------------------ */

static void add_header(struct http_site_answer *a, const char *name, const char *value)
{
	if (a->header_count < HTTP_SITE_MAX_HEADERS) {
		a->headers[a->header_count].name = name;
		a->headers[a->header_count].value = value;
		a->header_count++;
	}
}

static void add_security_headers(struct http_site_answer *a)
{
	add_header(a, "Content-Security-Policy", CSP);
	add_header(a, "X-Content-Type-Options", "nosniff");
	add_header(a, "Referrer-Policy", "no-referrer");
	add_header(a, "X-Frame-Options", "DENY");
	add_header(a, "Cross-Origin-Opener-Policy", "same-origin");
	add_header(a, "Cross-Origin-Resource-Policy", "same-origin");
	add_header(a, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

/* A path the portal could hold: decodable, no "..", "//" or backslash. Any
 * other character is left to the table lookup, which only knows names made
 * of [A-Za-z0-9._-/]. */
static int path_acceptable(char *decoded, size_t size, const char *path)
{
	if (path[0] != '/' || strlen(path) > MAX_REQUEST_PATH || !decode_path(decoded, size, path))
		return 0;
	return decoded[0] == '/' && !strstr(decoded, "..") && !strstr(decoded, "//") && !strchr(decoded, '\\');
}

void http_site_resolve(struct http_site_answer *out, struct http_site *site, const char *method, const char *path,
		       const char *accept_encoding, const char *if_none_match)
{
	char decoded[MAX_REQUEST_PATH + 1];
	const struct site_file *file = NULL;
	const struct site_rep *rep;
	struct http_site_snapshot *s;
	enum http_site_encoding enc;
	unsigned available = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!site || !method || !path || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
	    http_site_path_is_api(path))
		return;
	s = out->snapshot = acquire(site);
	add_security_headers(out);
	if (!path_acceptable(decoded, sizeof(decoded), path)) {
		out->status = 404;
		return;
	}
	if (strcmp(decoded, "/") == 0)
		file = s->index;
	else
		file = find(s->files, s->count, decoded + 1);
	if (!file) {
		if (has_extension(decoded)) {
			out->status = 404;
			return;
		}
		file = s->index; /* an app route: the app's router takes it from here */
	}
	for (r = 1; r < 3; r++)
		if (file->reps[r].present)
			available |= 1u << r;
	enc = http_site_negotiate(accept_encoding, available);
	rep = &file->reps[enc];
	add_header(out, "Cache-Control", file->hashed ? "public, max-age=31536000, immutable" : "no-cache");
	add_header(out, "ETag", rep->etag);
	if (available)
		add_header(out, "Vary", "Accept-Encoding");
	if (enc != HTTP_SITE_IDENTITY)
		add_header(out, "Content-Encoding", enc == HTTP_SITE_BR ? "br" : "gzip");
	if (if_none_match && etag_listed(if_none_match, rep->etag)) {
		out->status = 304;
		return;
	}
	out->status = 200;
	out->content_type = file->content_type;
	out->body = rep->data;
	out->len = rep->len;
}

void http_site_answer_release(struct http_site_answer *answer)
{
	snapshot_unref(answer->snapshot);
	memset(answer, 0, sizeof(*answer));
}
