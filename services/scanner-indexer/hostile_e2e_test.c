/*
 * hostile_e2e_test.c - the scanner-indexer service, as a process, against
 * hostile and broken images and registries.
 *
 * The real binary is started as a child with a throw-away PKI (asec-pki dev),
 * Scanner DB from ASEC_TEST_DATABASE_URL, a short registry timeout and stall
 * setting, on a free loopback port, and is talked to the way its callers do:
 * HTTPS with an operator client certificate, POST /v4/index-reports. Images
 * go to the real docker-registry (ASEC_TEST_REGISTRY) through testpush, built
 * here byte by byte by a tar and a zip writer that can emit any header, so
 * that every hostile input of the issue is an actual image:
 *
 *   "../" names, absolute and escaping symlinks and hardlinks; non-UTF-8
 *   names and package fields; a gzip bomb (1 GiB of zeros, ~1 MB); zip bombs
 *   inside a JAR, a chain of nested JARs, a plain 250 MiB JAR; 10,000 nested
 *   directories; a truncated gzip and a truncated tar layer; a 100 MB
 *   package.json; 1,000 layers, 1,000 copies of one layer and 1,001 layers.
 *
 * What docker-registry will not do - answer garbage, hang, stall in a blob,
 * serve bytes that do not match their digest - a small socket server in this
 * process does (fake_*), reached through an http:// reference.
 *
 * Every case asserts the status and the problem's detail that the spec
 * promises (index_reports.c maps the error codes), or, for per-file
 * problems, 201 with a note in the report and the rest of the image indexed;
 * that /readyz still answers; and that the service's peak RSS during the
 * case stayed within 256 MiB (VmHWM, reset between cases through
 * /proc/<pid>/clear_refs; not judged in sanitizer builds, whose shadow memory
 * and quarantine are not the service's). The last case stops the service with
 * SIGTERM and requires exit status 0.
 *
 * Skipped (77) without ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY; a
 * failure under CI=true. The binaries come from HOSTILE_INDEXER_BIN and
 * HOSTILE_PKI_BIN (compile definitions: the build that built this test), or
 * from $ASEC_BUILD_DIR when those are not defined.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "error/error.h"
#include "registry/registry.h"
#include "registry/testpush.h"
#include "testing/testing.h"

#include "e2e_support.h"
#include "service_testing.h"

/* The bound on the service's memory, in KiB. */
#define RSS_LIMIT_KB (256L * 1024)
/* The gzip bomb and the zip bomb entries: 1 GiB of zeros each. */
#define BOMB_BYTES ((uint64_t)1 << 30)
/* The padding of each level of the nested-JAR chain: under java.c's 64 MiB
 * cap for a nested archive, so that every level is read into memory. */
#define CHAIN_PAD_BYTES ((size_t)60 << 20)
#define CHAIN_LEVELS 5
/* Settings the service gets: short, so that hangs cost seconds. */
#define SERVICE_REGISTRY_TIMEOUT "3s"
#define SERVICE_REGISTRY_STALL "2s"
/* The slowest legitimate request (1,000 layers under ASan), in seconds. */
#define REQUEST_TIMEOUT_S 600L

#ifdef HOSTILE_SANITIZED
static const int sanitized = 1;
#else
static const int sanitized = 0;
#endif

static struct testsvc_pki pki; /* and the service's log */
static struct testsvc svc = {.name = "scanner-indexer", .identity = "scanner-v4-indexer", .pki = &pki};

static struct testpush *pusher;
static const char *registry;
static char run_id[40];
static long worst_peak_kb;

/* ---- expectations ------------------------------------------------------------------------- */

/* An expectation; bug names the reported bug a failure would be (NULL for
 * none) and is kept in the message only, so that a regression says which. */
static void expect_that(const char *bug, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void expect_that(const char *bug, int ok, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("%s%s%s%s", msg, bug ? " (regression of " : "", bug ? bug : "", bug ? ")" : "");
}

#define check(ok, ...) expect_that(NULL, (ok), __VA_ARGS__)

/* ---- buffers ------------------------------------------------------------------------------ */

static void put_le16(struct e2e_buf *b, uint16_t v)
{
	unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

	e2e_buf_put(b, p, 2);
}

static void put_le32(struct e2e_buf *b, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};

	e2e_buf_put(b, p, 4);
}

static const unsigned char zero_mib[1 << 20];

/* ---- deflate ------------------------------------------------------------------------------ */

/* Feeds data through z into out; flush is Z_NO_FLUSH or Z_FINISH. */
static void deflate_into(struct e2e_buf *out, z_stream *z, const void *data, size_t len, int flush)
{
	unsigned char chunk[65536];
	int r;

	assert_true(len <= UINT32_MAX);
	z->next_in = (unsigned char *)data;
	z->avail_in = (uInt)len;
	do {
		z->next_out = chunk;
		z->avail_out = sizeof(chunk);
		r = deflate(z, flush);
		assert_true(r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR);
		e2e_buf_put(out, chunk, sizeof(chunk) - z->avail_out);
	} while (z->avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
}

/* window_bits 31 = gzip, -15 = raw deflate (zip entries). */
static struct e2e_buf deflate_buf(const void *data, size_t len, int window_bits)
{
	struct e2e_buf out = {0};
	z_stream z;
	size_t done = 0;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	while (len - done > (1u << 30)) {
		deflate_into(&out, &z, (const unsigned char *)data + done, 1u << 30, Z_NO_FLUSH);
		done += 1u << 30;
	}
	deflate_into(&out, &z, (const unsigned char *)data + done, len - done, Z_FINISH);
	deflateEnd(&z);
	return out;
}

/* The raw deflate of BOMB_BYTES zeros, made once (~4 s) and shared by the
 * gzip bomb and the zip bombs. Z_RLE reaches deflate's best ratio (~1030:1)
 * on zeros at twice the speed of the default strategy. */
static struct e2e_buf bomb_raw;
static uint32_t bomb_crc;

static const struct e2e_buf *bomb_deflated(void)
{
	z_stream z;
	uint64_t done;

	if (bomb_raw.len)
		return &bomb_raw;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_RLE), Z_OK);
	bomb_crc = (uint32_t)crc32(0, NULL, 0);
	for (done = 0; done < BOMB_BYTES; done += sizeof(zero_mib)) {
		deflate_into(&bomb_raw, &z, zero_mib, sizeof(zero_mib),
			     done + sizeof(zero_mib) < BOMB_BYTES ? Z_NO_FLUSH : Z_FINISH);
		bomb_crc = (uint32_t)crc32(bomb_crc, zero_mib, sizeof(zero_mib));
	}
	deflateEnd(&z);
	return &bomb_raw;
}

/* Appends one gzip member around an already deflated stream (RFC 1952). */
static void gzip_member_from_raw(struct e2e_buf *out, const struct e2e_buf *raw, uint32_t crc, uint64_t isize)
{
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

	e2e_buf_put(out, header, sizeof(header));
	e2e_buf_put(out, raw->data, raw->len);
	put_le32(out, crc);
	put_le32(out, (uint32_t)isize);
}

/* ---- a tar writer that writes whatever it is told ----------------------------------------- */

/* Names and link targets are written as given - "..", absolute, any bytes -
 * with a pax header when they do not fit ustar's 100 bytes. Output is
 * gzipped as it is written when gz is set, so that a layer of hundreds of
 * megabytes never exists uncompressed. */
struct tarw {
	struct e2e_buf out;
	int gz;
	z_stream z;
	uint64_t written;
};

static void tw_open(struct tarw *t, int gz)
{
	memset(t, 0, sizeof(*t));
	t->gz = gz;
	if (gz)
		assert_int_equal(deflateInit2(&t->z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
}

static void tw_raw(struct tarw *t, const void *data, size_t len)
{
	t->written += len;
	if (t->gz)
		deflate_into(&t->out, &t->z, data, len, Z_NO_FLUSH);
	else
		e2e_buf_put(&t->out, data, len);
}

static void tw_zeros(struct tarw *t, uint64_t n)
{
	while (n > 0) {
		size_t k = n < sizeof(zero_mib) ? (size_t)n : sizeof(zero_mib);
		tw_raw(t, zero_mib, k);
		n -= k;
	}
}

static void tw_pad(struct tarw *t, uint64_t size)
{
	if (size % 512)
		tw_raw(t, zero_mib, 512 - size % 512);
}

static void tw_octal(unsigned char *field, size_t width, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1), (unsigned long long)v);
	memcpy(field, tmp, width - 1);
}

static void tw_block(struct tarw *t, const char *name, size_t name_len, char type, uint64_t size, const char *link,
		     size_t link_len, unsigned mode)
{
	unsigned char h[512];
	char sum_text[8];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, name_len < 100 ? name_len : 100);
	tw_octal(h + 100, 8, mode);
	tw_octal(h + 108, 8, 0);
	tw_octal(h + 116, 8, 0);
	tw_octal(h + 124, 12, size);
	tw_octal(h + 136, 12, 1700000000);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, link_len < 100 ? link_len : 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf(sum_text, sizeof(sum_text), "%06o", sum);
	memcpy(h + 148, sum_text, 7);
	tw_raw(t, h, sizeof(h));
}

/* "<len> key=value\n", where len counts the whole record, its own digits included. */
static void pax_record(struct e2e_buf *b, const char *key, const char *value, size_t value_len)
{
	size_t base = strlen(key) + value_len + 3, len = base + 1, digits;
	char num[32];

	for (;;) {
		digits = (size_t)snprintf(num, sizeof(num), "%zu", len);
		if (base + digits == len)
			break;
		len = base + digits;
	}
	e2e_buf_put(b, num, digits);
	e2e_buf_put(b, " ", 1);
	e2e_buf_put(b, key, strlen(key));
	e2e_buf_put(b, "=", 1);
	e2e_buf_put(b, value, value_len);
	e2e_buf_put(b, "\n", 1);
}

/* type: '0' file, '1' hard link, '2' symlink, '5' directory. */
static void tw_entry(struct tarw *t, const char *name, char type, uint64_t size, const char *link, unsigned mode)
{
	size_t name_len = strlen(name), link_len = link ? strlen(link) : 0;

	if (name_len >= 100 || link_len >= 100) {
		struct e2e_buf pax = {0};
		if (name_len >= 100)
			pax_record(&pax, "path", name, name_len);
		if (link_len >= 100)
			pax_record(&pax, "linkpath", link, link_len);
		tw_block(t, "PaxHeaders/entry", 16, 'x', pax.len, NULL, 0, 0644);
		tw_raw(t, pax.data, pax.len);
		tw_pad(t, pax.len);
		e2e_buf_free(&pax);
	}
	tw_block(t, name, name_len, type, size, link, link_len, mode);
}

static void tw_file(struct tarw *t, const char *name, const void *content, size_t len)
{
	tw_entry(t, name, '0', len, NULL, 0644);
	tw_raw(t, content, len);
	tw_pad(t, len);
}

static void tw_text(struct tarw *t, const char *name, const char *text)
{
	tw_file(t, name, text, strlen(text));
}

/* Every layer carries this run's id, so that no layer is ever answered from
 * the layer cache of an earlier run: each run scans every byte. */
static void tw_run_marker(struct tarw *t, const char *case_name)
{
	char text[128];

	snprintf(text, sizeof(text), "%s %s\n", run_id, case_name);
	tw_text(t, "etc/hostile-run", text);
}

static struct e2e_buf tw_close(struct tarw *t)
{
	struct e2e_buf out;

	tw_zeros(t, 1024);
	if (t->gz) {
		deflate_into(&t->out, &t->z, NULL, 0, Z_FINISH);
		deflateEnd(&t->z);
	}
	out = t->out;
	memset(&t->out, 0, sizeof(t->out));
	return out;
}

/* ---- a zip writer (JARs) ------------------------------------------------------------------ */

/* Sizes and CRCs are written as given, so that an entry can lie about what
 * it inflates to. The archive goes to a buffer, or, with a sink, straight
 * into a tar stream (a JAR of hundreds of megabytes need not exist whole). */
struct zipw {
	struct e2e_buf out, cd;
	struct tarw *sink;
	uint64_t offset;
	uint16_t count;
};

#define ZIP_DOS_DATE ((uint16_t)(((2024 - 1980) << 9) | (1 << 5) | 1))
#define ZIP_LOCAL_BYTES 30
#define ZIP_CENTRAL_BYTES 46
#define ZIP_END_BYTES 22

static void zw_emit(struct zipw *z, const void *data, size_t len)
{
	if (z->sink)
		tw_raw(z->sink, data, len);
	else
		e2e_buf_put(&z->out, data, len);
	z->offset += len;
}

/* The local header of an entry, and its central directory record; the
 * entry's data must follow. */
static void zw_begin(struct zipw *z, const char *name, uint16_t method, size_t data_len, uint32_t crc,
		     uint32_t declared_size)
{
	uint16_t name_len = (uint16_t)strlen(name);
	struct e2e_buf h = {0};

	assert_true(z->offset + data_len < UINT32_MAX);
	put_le32(&h, 0x04034b50);
	put_le16(&h, 20);
	put_le16(&h, 0);
	put_le16(&h, method);
	put_le16(&h, 0);
	put_le16(&h, ZIP_DOS_DATE);
	put_le32(&h, crc);
	put_le32(&h, (uint32_t)data_len);
	put_le32(&h, declared_size);
	put_le16(&h, name_len);
	put_le16(&h, 0);
	e2e_buf_put(&h, name, name_len);

	put_le32(&z->cd, 0x02014b50);
	put_le16(&z->cd, 20);
	put_le16(&z->cd, 20);
	put_le16(&z->cd, 0);
	put_le16(&z->cd, method);
	put_le16(&z->cd, 0);
	put_le16(&z->cd, ZIP_DOS_DATE);
	put_le32(&z->cd, crc);
	put_le32(&z->cd, (uint32_t)data_len);
	put_le32(&z->cd, declared_size);
	put_le16(&z->cd, name_len);
	put_le16(&z->cd, 0);
	put_le16(&z->cd, 0);
	put_le16(&z->cd, 0);
	put_le16(&z->cd, 0);
	put_le32(&z->cd, 0);
	put_le32(&z->cd, (uint32_t)z->offset);
	e2e_buf_put(&z->cd, name, name_len);
	z->count++;
	zw_emit(z, h.data, h.len);
	e2e_buf_free(&h);
}

static void zw_add(struct zipw *z, const char *name, uint16_t method, const void *data, size_t data_len, uint32_t crc,
		   uint32_t declared_size)
{
	zw_begin(z, name, method, data_len, crc, declared_size);
	zw_emit(z, data, data_len);
}

static void zw_add_deflated(struct zipw *z, const char *name, const void *content, size_t len)
{
	struct e2e_buf raw = deflate_buf(content, len, -15);

	zw_add(z, name, 8, raw.data, raw.len, (uint32_t)crc32(0, content, (uInt)len), (uint32_t)len);
	e2e_buf_free(&raw);
}

static void zw_add_stored(struct zipw *z, const char *name, const void *content, size_t len)
{
	zw_add(z, name, 0, content, len, (uint32_t)crc32(0, content, (uInt)len), (uint32_t)len);
}

static struct e2e_buf zw_close(struct zipw *z)
{
	uint32_t cd_offset = (uint32_t)z->offset;
	struct e2e_buf end = {0}, out;

	put_le32(&end, 0x06054b50);
	put_le16(&end, 0);
	put_le16(&end, 0);
	put_le16(&end, z->count);
	put_le16(&end, z->count);
	put_le32(&end, (uint32_t)z->cd.len);
	put_le32(&end, cd_offset);
	put_le16(&end, 0);
	zw_emit(z, z->cd.data, z->cd.len);
	zw_emit(z, end.data, end.len);
	e2e_buf_free(&end);
	e2e_buf_free(&z->cd);
	out = z->out;
	memset(&z->out, 0, sizeof(z->out));
	return out;
}

/* ---- package content ---------------------------------------------------------------------- */

static void status_stanza(struct e2e_buf *b, const char *name, const char *version)
{
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "Package: %s\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n"
			 "Version: %s\nDescription: hostile test\n\n",
			 name, version);

	e2e_buf_put(b, text, (size_t)n);
}

static void tw_dpkg_status(struct tarw *t, const char *name, const char *a, const char *b)
{
	struct e2e_buf s = {0};

	status_stanza(&s, a, "7.88.1-10");
	if (b)
		status_stanza(&s, b, "5.2.15-2");
	tw_file(t, name, s.data, s.len);
	e2e_buf_free(&s);
}

static void tw_package_json(struct tarw *t, const char *path, const char *name, const char *version)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"name\":\"%s\",\"version\":\"%s\"}", name, version);
	tw_text(t, path, text);
}

/* ---- the registry ------------------------------------------------------------------------- */

static void config_json(char *out, size_t size, const char *case_name)
{
	snprintf(out, size,
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"run\":\"%s\",\"case\":\"%s\"}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
		 run_id, case_name);
}

static char *image_url(const char *repo, const char *tag)
{
	char *url;

	assert_true(asprintf(&url, "http://%s/%s:%s", registry, repo, tag) > 0);
	return url;
}

/* Pushes the layers as one image "hostile/<case>-<run>:v1"; answers its URL. */
static char *push_image(const char *case_name, const struct e2e_buf *layers, size_t n)
{
	struct testpush_layer *tl = calloc(n ? n : 1, sizeof(*tl));
	char repo[160], config[512], digest[REGISTRY_DIGEST_BUF], *url;
	size_t size = 0, i;

	assert_non_null(tl);
	for (i = 0; i < n; i++) {
		tl[i].data = layers[i].data;
		tl[i].len = layers[i].len;
	}
	snprintf(repo, sizeof(repo), "hostile/%s-%s", case_name, run_id);
	config_json(config, sizeof(config), case_name);
	url = e2e_push_image(pusher, registry, repo, "v1", config, tl, n, digest, &size);
	free(tl);
	return url;
}

/* Pushes a manifest of n descriptors that all name the same layer. */
static char *push_repeated_layer(const char *case_name, const struct e2e_buf *layer, size_t n)
{
	char repo[160], config[512], config_digest[REGISTRY_DIGEST_BUF], layer_digest[REGISTRY_DIGEST_BUF];
	char digest[REGISTRY_DIGEST_BUF], *manifest;

	snprintf(repo, sizeof(repo), "hostile/%s-%s", case_name, run_id);
	config_json(config, sizeof(config), case_name);
	assert_int_equal(testpush_blob(pusher, repo, config, strlen(config), config_digest), ASEC_OK);
	assert_int_equal(testpush_blob(pusher, repo, layer->data, layer->len, layer_digest), ASEC_OK);
	manifest = testpush_manifest_json(0, config_digest, strlen(config), layer_digest, layer->len, n);
	assert_non_null(manifest);
	if (testpush_manifest(pusher, repo, "v1", REGISTRY_MT_OCI_MANIFEST, manifest, strlen(manifest), digest) != ASEC_OK)
		fail_msg("pushing %s: %s", repo, error_last());
	free(manifest);
	return image_url(repo, "v1");
}

/* ---- HTTPS to the service ----------------------------------------------------------------- */

static void https_request(struct testsvc_reply *r, const char *path, const char *json_body, long timeout_s)
{
	struct testsvc_request req = {.path = path, .content_type = json_body ? "application/json" : NULL,
				      .body = json_body, .len = json_body ? strlen(json_body) : 0,
				      .timeout_s = timeout_s};

	testsvc_call(r, &svc, &req);
}

static void index_image(struct testsvc_reply *r, const char *image)
{
	json_t *req = json_pack("{s:{s:s}}", "containerImage", "url", image);
	char *body = json_dumps(req, JSON_COMPACT);

	assert_non_null(body);
	https_request(r, "/v4/index-reports", body, REQUEST_TIMEOUT_S);
	free(body);
	json_decref(req);
	printf("  POST %s -> %ld in %.2f s%s%s\n", image, r->status, r->seconds, r->error[0] ? ": " : "", r->error);
	fflush(stdout);
}

static const char *detail_of(const struct testsvc_reply *r)
{
	const char *d = json_string_value(json_object_get(r->json, "detail"));

	return d ? d : "(no detail)";
}

/* The spec's promise for a failure: this status, a problem document, and a
 * detail that says what went wrong. */
static void expect_problem(const char *bug, const struct testsvc_reply *r, long status, const char *needle)
{
	const char *detail = detail_of(r);

	if (r->status == status && r->json)
		printf("  %ld: %s\n", status, detail);
	expect_that(bug, r->status == status, "want HTTP %ld, got %ld (%s): %.600s", status, r->status, r->error,
		    r->json ? detail : testsvc_body(r));
	if (r->status != status)
		return;
	check(r->json != NULL, "the problem body is not JSON");
	check(strncmp(r->content_type, "application/problem+json", 24) == 0, "content type %s", r->content_type);
	check(json_integer_value(json_object_get(r->json, "status")) == status, "problem.status differs");
	expect_that(bug, strcasestr(detail, needle) != NULL, "detail \"%s\" does not mention \"%s\"", detail, needle);
}

static const char *package_db(const json_t *report, const json_t *pkg)
{
	return e2e_env_text(report, e2e_text(pkg, "id"), "packageDb");
}

static size_t notes_with(const json_t *report, const char *needle)
{
	const json_t *notes = json_object_get(report, "notes");
	size_t i, n = 0;

	for (i = 0; i < json_array_size(notes); i++) {
		const char *s = json_string_value(json_array_get(notes, i));
		if (s && strstr(s, needle))
			n++;
	}
	return n;
}

static void print_notes(const json_t *report)
{
	const json_t *notes = json_object_get(report, "notes");
	size_t i;

	for (i = 0; i < json_array_size(notes) && i < 12; i++)
		printf("    note: %.240s\n", json_string_value(json_array_get(notes, i)));
	if (json_array_size(notes) > 12)
		printf("    ... %zu notes in all\n", json_array_size(notes));
}

/* A report for an image indexed now. */
static void expect_report(const struct testsvc_reply *r)
{
	if (r->status != 201)
		fail_msg("want HTTP 201, got %ld (%s): %.800s", r->status, r->error,
			 r->json ? detail_of(r) : testsvc_body(r));
	if (!r->json)
		fail_msg("the report is not valid JSON (or not UTF-8)");
	assert_string_equal(json_string_value(json_object_get(r->json, "state")), "IndexFinished");
	print_notes(r->json);
}

static void expect_package(const json_t *report, const char *name, const char *version)
{
	const json_t *p = e2e_find_package(report, name);

	if (!p)
		fail_msg("package %s is missing from the report", name);
	if (version)
		assert_string_equal(json_string_value(json_object_get(p, "version")), version);
}

static void expect_no_package(const json_t *report, const char *name)
{
	if (e2e_find_package(report, name))
		fail_msg("package %s must not be in the report", name);
}

static void expect_note(const char *bug, const json_t *report, const char *needle)
{
	expect_that(bug, notes_with(report, needle) > 0, "no note of the report mentions \"%s\"", needle);
}

/* ---- liveness and memory ------------------------------------------------------------------ */

static void expect_alive(void)
{
	testsvc_expect_alive(&svc);
}

static void expect_ready(void)
{
	struct testsvc_reply r;

	expect_alive();
	https_request(&r, "/readyz", NULL, 10);
	if (r.status != 200)
		fail_msg("/readyz answered %ld (%s)", r.status, r.error);
	testsvc_reply_free(&r);
}

static long service_hwm_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)svc.pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so that
 * each case's peak is its own. */
static void service_reset_hwm(void)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)svc.pid);
	f = fopen(path, "w");
	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static void case_begin(const char *name)
{
	expect_alive();
	service_reset_hwm();
	printf("[case] %s\n", name);
	fflush(stdout);
}

/* memory_bug: the reported bug that explains a peak over the limit, if any. */
static void case_end(const char *name, const char *memory_bug)
{
	long kb;

	expect_ready();
	kb = service_hwm_kb();
	printf("  peak RSS of the service during %s: %ld MiB\n", name, kb / 1024);
	if (sanitized)
		return;
	if (kb > worst_peak_kb && (!memory_bug || kb <= RSS_LIMIT_KB))
		worst_peak_kb = kb;
	expect_that(memory_bug, kb >= 0 && kb <= RSS_LIMIT_KB, "%s: peak RSS %ld KiB is over the %ld KiB bound", name,
		    kb, RSS_LIMIT_KB);
}

/* ---- a misbehaving registry --------------------------------------------------------------- */

/*
 * Plain HTTP on 127.0.0.1, one thread per connection, every response with
 * "Connection: close". The repository name is the behaviour:
 *   hang      never answers anything
 *   garbage   answers bytes that are not HTTP
 *   err500    answers 500 to everything
 *   notjson   a 200 manifest that is HTML
 *   endless   a 200 manifest that never ends
 *   badcd     a manifest whose Docker-Content-Digest is wrong
 *   badconfig a good manifest; the config blob is its own bytes reversed
 *   mismatch  a good manifest and config; the plain-tar layer's bytes are
 *             another valid tar of the same length (a swapped package version)
 *   stall     a good manifest and config; the gzip layer stops half-way
 *   blobhang  a good manifest and config; the layer request is never answered
 */
#define FAKE_MAX_CONN 512

struct fake {
	int fd, port, started;
	atomic_int stop;
	pthread_t acceptor;
	pthread_mutex_t lock;
	pthread_t threads[FAKE_MAX_CONN];
	int fds[FAKE_MAX_CONN];
	size_t count;

	struct e2e_buf config, layer_gz, layer_tar, layer_tar_swapped;
	char config_digest[REGISTRY_DIGEST_BUF], layer_gz_digest[REGISTRY_DIGEST_BUF];
	char layer_tar_digest[REGISTRY_DIGEST_BUF];
	char *manifest_gz, *manifest_tar;
};

static struct fake fake;

struct fake_conn {
	int fd;
};

static int fake_send(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fake_respond(int fd, int status, const char *reason, const char *content_type, const char *extra,
			 const void *body, size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 status, reason, content_type, len, extra ? extra : "");

	if (fake_send(fd, head, (size_t)n) == 0)
		fake_send(fd, body, len);
}

/* Holds the connection open, answering nothing, until the peer gives up. */
static void fake_wait_close(int fd)
{
	char sink[4096];

	while (!atomic_load(&fake.stop)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 200);
		if (r < 0 && errno != EINTR)
			return;
		if (r > 0) {
			ssize_t n = recv(fd, sink, sizeof(sink), 0);
			if (n <= 0)
				return;
		}
	}
}

static int fake_read_request(int fd, char *req, size_t size)
{
	size_t len = 0;
	int waited_ms = 0;

	while (len + 1 < size && waited_ms < 10000 && !atomic_load(&fake.stop)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 100);
		ssize_t n;
		if (r == 0) {
			waited_ms += 100;
			continue;
		}
		if (r < 0)
			return -1;
		n = recv(fd, req + len, size - 1 - len, 0);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

static void fake_blob(int fd, const char *digest)
{
	if (strcmp(digest, fake.config_digest) == 0)
		fake_respond(fd, 200, "OK", "application/octet-stream", NULL, fake.config.data, fake.config.len);
	else if (strcmp(digest, fake.layer_gz_digest) == 0)
		fake_respond(fd, 200, "OK", "application/octet-stream", NULL, fake.layer_gz.data, fake.layer_gz.len);
	else if (strcmp(digest, fake.layer_tar_digest) == 0)
		fake_respond(fd, 200, "OK", "application/octet-stream", NULL, fake.layer_tar.data, fake.layer_tar.len);
	else
		fake_respond(fd, 404, "Not Found", "application/json", NULL, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}",
			     36);
}

static void fake_manifest(int fd, const char *body, const char *extra)
{
	fake_respond(fd, 200, "OK", REGISTRY_MT_OCI_MANIFEST, extra, body, strlen(body));
}

static void fake_serve(int fd, const char *path)
{
	char mode[32] = "", kind[32] = "", ref[256] = "";
	static const char html[] = "<html><body><h1>Welcome to nginx!</h1></body></html>";

	if (strcmp(path, "/v2/") == 0) {
		fake_respond(fd, 200, "OK", "application/json", NULL, "{}", 2);
		return;
	}
	if (sscanf(path, "/v2/%31[^/]/%31[^/]/%255s", mode, kind, ref) != 3) {
		fake_respond(fd, 404, "Not Found", "text/plain", NULL, "no", 2);
		return;
	}
	if (strcmp(mode, "hang") == 0) {
		fake_wait_close(fd);
	} else if (strcmp(mode, "garbage") == 0) {
		static const unsigned char junk[] = "\x16\x03\x01\x00\xff\xfeSSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02garbage\r\n\r\n";
		fake_send(fd, junk, sizeof(junk) - 1);
	} else if (strcmp(mode, "err500") == 0) {
		fake_respond(fd, 500, "Internal Server Error", "text/plain", NULL, "oops", 4);
	} else if (strcmp(mode, "notjson") == 0) {
		fake_manifest(fd, html, NULL);
	} else if (strcmp(mode, "endless") == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: " REGISTRY_MT_OCI_MANIFEST
					   "\r\nConnection: close\r\n\r\n{\"schemaVersion\":2,\"x\":\"";
		char chunk[65536];
		memset(chunk, 'x', sizeof(chunk));
		if (fake_send(fd, head, sizeof(head) - 1) == 0)
			while (!atomic_load(&fake.stop) && fake_send(fd, chunk, sizeof(chunk)) == 0)
				;
	} else if (strcmp(mode, "badcd") == 0) {
		fake_manifest(fd, fake.manifest_gz,
			      "Docker-Content-Digest: sha256:"
			      "0000000000000000000000000000000000000000000000000000000000000001\r\n");
	} else if (strcmp(kind, "manifests") == 0) {
		fake_manifest(fd, strcmp(mode, "mismatch") == 0 ? fake.manifest_tar : fake.manifest_gz, NULL);
	} else if (strcmp(mode, "badconfig") == 0 && strcmp(ref, fake.config_digest) == 0) {
		unsigned char *junk = malloc(fake.config.len);
		size_t i;
		for (i = 0; junk && i < fake.config.len; i++)
			junk[i] = fake.config.data[fake.config.len - 1 - i];
		if (junk)
			fake_respond(fd, 200, "OK", "application/octet-stream", NULL, junk, fake.config.len);
		free(junk);
	} else if (strcmp(kind, "blobs") == 0 && strcmp(ref, fake.config_digest) == 0) {
		fake_blob(fd, ref);
	} else if (strcmp(mode, "mismatch") == 0 && strcmp(ref, fake.layer_tar_digest) == 0) {
		fake_respond(fd, 200, "OK", "application/octet-stream", NULL, fake.layer_tar_swapped.data,
			     fake.layer_tar_swapped.len);
	} else if (strcmp(mode, "stall") == 0 && strcmp(ref, fake.layer_gz_digest) == 0) {
		char head[256];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %zu\r\n"
				 "Connection: close\r\n\r\n",
				 fake.layer_gz.len);
		if (fake_send(fd, head, (size_t)n) == 0 && fake_send(fd, fake.layer_gz.data, fake.layer_gz.len / 2) == 0)
			fake_wait_close(fd);
	} else if (strcmp(mode, "blobhang") == 0 && strcmp(ref, fake.layer_gz_digest) == 0) {
		fake_wait_close(fd);
	} else if (strcmp(kind, "blobs") == 0) {
		fake_blob(fd, ref);
	} else {
		fake_respond(fd, 404, "Not Found", "text/plain", NULL, "no", 2);
	}
}

static void *fake_connection(void *arg)
{
	struct fake_conn *c = arg;
	char req[16384], method[16], path[1024];

	if (fake_read_request(c->fd, req, sizeof(req)) == 0 && sscanf(req, "%15s %1023s", method, path) == 2)
		fake_serve(c->fd, path);
	shutdown(c->fd, SHUT_RDWR);
	free(c);
	return NULL;
}

static void *fake_accept(void *arg)
{
	(void)arg;
	while (!atomic_load(&fake.stop)) {
		struct pollfd p = {.fd = fake.fd, .events = POLLIN};
		struct fake_conn *c;
		int fd;

		if (poll(&p, 1, 200) <= 0)
			continue;
		fd = accept(fake.fd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&fake.lock);
		c = fake.count < FAKE_MAX_CONN ? malloc(sizeof(*c)) : NULL;
		if (c) {
			c->fd = fd;
			fake.fds[fake.count] = fd;
			if (pthread_create(&fake.threads[fake.count], NULL, fake_connection, c) == 0) {
				fake.count++;
			} else {
				free(c);
				close(fd);
			}
		} else {
			close(fd);
		}
		pthread_mutex_unlock(&fake.lock);
	}
	return NULL;
}

static char *manifest_for(const char *layer_digest, size_t layer_len)
{
	char *m = testpush_manifest_json(0, fake.config_digest, fake.config.len, layer_digest, layer_len, 1);

	assert_non_null(m);
	return m;
}

static int fake_start(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	struct tarw t;
	char config[512];
	size_t off;

	/* The content: a config, a gzip layer, a plain tar layer and its twin. */
	config_json(config, sizeof(config), "fake");
	e2e_buf_put(&fake.config, config, strlen(config));
	tw_open(&t, 1);
	tw_run_marker(&t, "fake-gz");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "fakepkg", NULL);
	/* Enough incompressible bytes that half the blob is a real download. */
	{
		unsigned char noise[200000];
		uint32_t x = 2463534242u;
		size_t i;
		for (i = 0; i < sizeof(noise); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			noise[i] = (unsigned char)x;
		}
		tw_file(&t, "usr/share/noise.bin", noise, sizeof(noise));
	}
	fake.layer_gz = tw_close(&t);
	tw_open(&t, 0);
	tw_run_marker(&t, "fake-tar");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "fakepkg", NULL);
	fake.layer_tar = tw_close(&t);
	e2e_buf_put(&fake.layer_tar_swapped, fake.layer_tar.data, fake.layer_tar.len);
	/* "7.88.1-10" becomes "6.66.6-66": a valid tar, another package version. */
	for (off = 0; off + 9 <= fake.layer_tar_swapped.len; off++)
		if (memcmp(fake.layer_tar_swapped.data + off, "7.88.1-10", 9) == 0) {
			memcpy(fake.layer_tar_swapped.data + off, "6.66.6-66", 9);
			break;
		}
	assert_true(off + 9 <= fake.layer_tar_swapped.len);
	if (registry_digest_compute(fake.config_digest, "sha256", fake.config.data, fake.config.len) ||
	    registry_digest_compute(fake.layer_gz_digest, "sha256", fake.layer_gz.data, fake.layer_gz.len) ||
	    registry_digest_compute(fake.layer_tar_digest, "sha256", fake.layer_tar.data, fake.layer_tar.len))
		return -1;
	fake.manifest_gz = manifest_for(fake.layer_gz_digest, fake.layer_gz.len);
	fake.manifest_tar = manifest_for(fake.layer_tar_digest, fake.layer_tar.len);

	pthread_mutex_init(&fake.lock, NULL);
	fake.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fake.fd < 0 || bind(fake.fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fake.fd, 64) != 0 ||
	    getsockname(fake.fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	fake.port = ntohs(a.sin_port);
	if (pthread_create(&fake.acceptor, NULL, fake_accept, NULL) != 0)
		return -1;
	fake.started = 1;
	return 0;
}

static void fake_stop(void)
{
	size_t i;

	if (!fake.started)
		return;
	atomic_store(&fake.stop, 1);
	pthread_join(fake.acceptor, NULL);
	pthread_mutex_lock(&fake.lock);
	for (i = 0; i < fake.count; i++)
		shutdown(fake.fds[i], SHUT_RDWR);
	pthread_mutex_unlock(&fake.lock);
	for (i = 0; i < fake.count; i++) {
		pthread_join(fake.threads[i], NULL);
		close(fake.fds[i]);
	}
	close(fake.fd);
	e2e_buf_free(&fake.config);
	e2e_buf_free(&fake.layer_gz);
	e2e_buf_free(&fake.layer_tar);
	e2e_buf_free(&fake.layer_tar_swapped);
	free(fake.manifest_gz);
	free(fake.manifest_tar);
}

static char *fake_image(const char *mode)
{
	char *url;

	assert_true(asprintf(&url, "http://127.0.0.1:%d/%s:v1", fake.port, mode) > 0);
	return url;
}

/* ---- setup -------------------------------------------------------------------------------- */

static int service_start(void)
{
	char pki_bin[1024], db_setting[1200];
	const char *settings[] = {db_setting, "ROX_INDEXER_REGISTRY_TIMEOUT=" SERVICE_REGISTRY_TIMEOUT,
				  "ROX_INDEXER_REGISTRY_STALL=" SERVICE_REGISTRY_STALL, NULL};

#ifdef HOSTILE_INDEXER_BIN
	testsvc_binary(svc.bin, sizeof(svc.bin), HOSTILE_INDEXER_BIN, "services/scanner-indexer/scanner-indexer");
#else
	testsvc_binary(svc.bin, sizeof(svc.bin), NULL, "services/scanner-indexer/scanner-indexer");
#endif
#ifdef HOSTILE_PKI_BIN
	testsvc_binary(pki_bin, sizeof(pki_bin), HOSTILE_PKI_BIN, "tools/pki/asec-pki");
#else
	testsvc_binary(pki_bin, sizeof(pki_bin), NULL, "tools/pki/asec-pki");
#endif
	if (testsvc_pki_make(&pki, pki_bin, "hostile-e2e") != 0)
		return -1;
	snprintf(db_setting, sizeof(db_setting), "ROX_SCANNER_DB_URL=%s", getenv("ASEC_TEST_DATABASE_URL"));
	if (testsvc_start(&svc, settings) != 0)
		return -1;
	printf("its log is in %s/%s.log\n", pki.dir, svc.name);
	return 0;
}

static int setup(void **state)
{
	const char *db;

	(void)state;
	e2e_require_env(&db, &registry, NULL, NULL);
	signal(SIGPIPE, SIG_IGN);
	e2e_run_id(run_id, sizeof(run_id));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	if (testpush_open(&pusher, registry, NULL, NULL) != ASEC_OK) {
		fprintf(stderr, "testpush: %s\n", error_last());
		return -1;
	}
	if (fake_start() != 0) {
		fprintf(stderr, "cannot start the fake registry\n");
		return -1;
	}
	return service_start();
}

static int teardown(void **state)
{
	(void)state;
	if (svc.pid > 0 && testsvc_alive(&svc))
		testsvc_kill(&svc, SIGKILL);
	fake_stop();
	testpush_close(pusher);
	e2e_buf_free(&bomb_raw);
	/* The log of a service that did not end cleanly is kept for a look. */
	if (pki.dir[0] && svc.exited && WIFEXITED(svc.status) && WEXITSTATUS(svc.status) == 0)
		testsvc_remove_dir(pki.dir);
	else if (pki.dir[0])
		printf("kept %s (the service's log and PKI)\n", pki.dir);
	curl_global_cleanup();
	return 0;
}

/* ---- cases: paths and links --------------------------------------------------------------- */

/* A layer that tries to write outside the image root and links out of it,
 * next to a real dpkg database: the escapes are skipped with notes, nothing
 * they carry is reported, and the real packages are. */
static void test_path_traversal_and_links(void **state)
{
	struct tarw t;
	struct e2e_buf layer;
	struct testsvc_reply r;
	char *image;

	(void)state;
	case_begin("path traversal and links");
	tw_open(&t, 1);
	tw_run_marker(&t, "traversal");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", "bash");
	tw_dpkg_status(&t, "../../var/lib/dpkg/status", "evilpkg", NULL);
	tw_dpkg_status(&t, "a/../../var/lib/dpkg/status", "evilpkg2", NULL);
	tw_package_json(&t, "../app/node_modules/evil-npm/package.json", "evil-npm", "6.6.6");
	/* An absolute name is relative to the image root, as tar(1) extracts it. */
	tw_package_json(&t, "/app/node_modules/abs-pkg/package.json", "abs-pkg", "1.0.0");
	tw_package_json(&t, "./app/./node_modules/x/../dot-pkg/package.json", "dot-pkg", "2.0.0");
	tw_entry(&t, "etc/evil-abs-symlink", '2', 0, "/etc/shadow", 0777);
	tw_entry(&t, "usr/lib/evil-rel-symlink", '2', 0, "../../../../../../../etc/passwd", 0777);
	tw_entry(&t, "../evil-named-symlink", '2', 0, "/etc", 0777);
	tw_entry(&t, "usr/share/evil-hardlink", '1', 0, "../../../../etc/shadow", 0644);
	tw_entry(&t, "usr/share/evil-abs-hardlink", '1', 0, "/etc/shadow", 0644);
	/* A package database replaced by a link to the host's: never followed. */
	tw_entry(&t, "var/lib/rpm/rpmdb.sqlite", '2', 0, "/var/lib/rpm/rpmdb.sqlite", 0777);
	/* A symlinked directory, then a file "through" it: just a path. */
	tw_entry(&t, "app/escape", '2', 0, "/", 0777);
	tw_package_json(&t, "app/escape/node_modules/through-link/package.json", "through-link", "3.0.0");
	layer = tw_close(&t);
	image = push_image("traversal", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "bash", "5.2.15-2");
	expect_no_package(r.json, "evilpkg");
	expect_no_package(r.json, "evilpkg2");
	expect_no_package(r.json, "evil-npm");
	expect_package(r.json, "abs-pkg", "1.0.0");
	assert_string_equal(package_db(r.json, e2e_find_package(r.json, "abs-pkg")), "app/node_modules/abs-pkg/package.json");
	expect_package(r.json, "dot-pkg", "2.0.0");
	assert_string_equal(package_db(r.json, e2e_find_package(r.json, "dot-pkg")), "app/node_modules/dot-pkg/package.json");
	expect_package(r.json, "through-link", "3.0.0");
	check(notes_with(r.json, "escapes the layer root") >= 4, "each escaping name should have its note");
	expect_note(NULL, r.json, "../../var/lib/dpkg/status");
	/* The issue: escaping links give "a skipped file with a note". */
	/* An absolute symlink is ordinary in images (the container resolves it
	 * against its own root); it is not followed, and it is not noted. */
	expect_note(NULL, r.json, "evil-rel-symlink");
	expect_note(NULL, r.json, "evil-hardlink");
	expect_note(NULL, r.json, "evil-abs-hardlink");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	case_end("path traversal and links", NULL);
}

/* Names and package fields that are not UTF-8: skipped with notes, and the
 * report stays valid JSON (the client's parser refuses invalid UTF-8). */
static void test_non_utf8_names(void **state)
{
	struct tarw t;
	struct e2e_buf layer, status = {0};
	struct testsvc_reply r;
	char *image;

	(void)state;
	case_begin("non-UTF-8 names");
	tw_open(&t, 1);
	tw_run_marker(&t, "nonutf8");
	status_stanza(&status, "curl", "7.88.1-10");
	status_stanza(&status, "badversion", "1.0\xff\xfe");
	status_stanza(&status, "caf\xe9", "1.0");
	tw_file(&t, "var/lib/dpkg/status", status.data, status.len);
	tw_package_json(&t, "app/node_modules/\xff\xfe/package.json", "latin-dir", "1.0.0");
	tw_package_json(&t, "app/node_modules/caf\xe9-pkg/package.json", "latin1-dir", "1.0.0");
	tw_text(&t, "app/node_modules/bad-json/package.json", "{\"name\":\"bad-\xc3\x28\",\"version\":\"1.0.0\"}");
	tw_package_json(&t, "app/node_modules/good-pkg/package.json", "good-pkg", "1.2.3");
	/* The same through a pax header, where names are meant to be UTF-8. */
	{
		char long_name[300];
		snprintf(long_name, sizeof(long_name), "app/node_modules/%s\xc0\xaf/package.json",
			 "pax-long-name-padding-padding-padding-padding-padding-padding-padding-padding-padding");
		tw_package_json(&t, long_name, "pax-latin", "1.0.0");
	}
	tw_entry(&t, "usr/bin/\xfe\xff-link", '2', 0, "\xff\xfe/target", 0777);
	tw_entry(&t, "usr/bin/ok-link", '2', 0, "/\xff\xfe", 0777);
	layer = tw_close(&t);
	image = push_image("nonutf8", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "good-pkg", "1.2.3");
	expect_no_package(r.json, "badversion");
	expect_no_package(r.json, "latin-dir");
	expect_no_package(r.json, "latin1-dir");
	expect_no_package(r.json, "pax-latin");
	expect_note(NULL, r.json, "not valid UTF-8");
	check(notes_with(r.json, "not valid UTF-8") >= 3, "each non-UTF-8 name should have its note");
	expect_note(NULL, r.json, "dpkg sha256:");
	expect_note(NULL, r.json, "npm sha256:");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	e2e_buf_free(&status);
	case_end("non-UTF-8 names", NULL);
}

/* ---- cases: bombs ------------------------------------------------------------------------- */

/* 1 GiB of zeros in ~1 MB (1030:1): three gzip members - the tar header, the
 * zeros, the end of the archive - which the walker reads as one stream. The
 * layer is refused once the ratio passes 1000:1, long before 1 GiB. */
static void test_gzip_bomb(void **state)
{
	struct tarw head;
	struct e2e_buf layer = {0}, header, tail;
	const struct e2e_buf *zeros = bomb_deflated();
	struct testsvc_reply r;
	char *image;

	(void)state;
	case_begin("gzip bomb");
	tw_open(&head, 1);
	tw_run_marker(&head, "gzip-bomb");
	tw_dpkg_status(&head, "var/lib/dpkg/status", "curl", NULL);
	/* Executable, so that the streaming binary detectors read it too. */
	tw_entry(&head, "usr/bin/bomb", '0', BOMB_BYTES, NULL, 0755);
	deflate_into(&head.out, &head.z, NULL, 0, Z_FINISH);
	deflateEnd(&head.z);
	header = head.out;
	e2e_buf_put(&layer, header.data, header.len);
	gzip_member_from_raw(&layer, zeros, bomb_crc, BOMB_BYTES);
	tail = deflate_buf(zero_mib, 1024, 31);
	e2e_buf_put(&layer, tail.data, tail.len);
	printf("  gzip bomb: %zu bytes for %llu uncompressed (%.0f:1)\n", layer.len,
	       (unsigned long long)(BOMB_BYTES + 2048), (double)BOMB_BYTES / (double)layer.len);
	assert_true(BOMB_BYTES / layer.len >= 1000);
	image = push_image("gzip-bomb", &layer, 1);

	index_image(&r, image);
	expect_problem(NULL, &r, 422, "bomb");
	check(strstr(detail_of(&r), "ratio") != NULL, "the detail should give the ratio: %s", detail_of(&r));
	check(r.seconds < 60, "the bomb took %.1f s to refuse", r.seconds);
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	e2e_buf_free(&header);
	e2e_buf_free(&tail);
	case_end("gzip bomb", NULL);
}

/* A JAR whose entries inflate to 1 GiB each - MANIFEST.MF lying about its
 * size, a pom.properties declaring it, a nested JAR lying, a class file -
 * next to a real pom.properties in the same JAR and a good JAR beside it. */
static void test_zip_bomb_in_jar(void **state)
{
	const struct e2e_buf *zeros = bomb_deflated();
	static const char good_pom[] = "groupId=org.example\nartifactId=good\nversion=3.1.4\n";
	static const char other_pom[] = "groupId=org.example\nartifactId=other\nversion=1.0.0\n";
	struct zipw z;
	struct e2e_buf jar, good_jar, layer;
	struct tarw t;
	struct testsvc_reply r;
	char *image;

	(void)state;
	case_begin("zip bomb in a JAR");
	memset(&z, 0, sizeof(z));
	zw_add_deflated(&z, "META-INF/maven/org.example/good/pom.properties", good_pom, strlen(good_pom));
	zw_add(&z, "META-INF/MANIFEST.MF", 8, zeros->data, zeros->len, bomb_crc, 200);
	zw_add(&z, "META-INF/maven/evil/bomb/pom.properties", 8, zeros->data, zeros->len, bomb_crc, (uint32_t)BOMB_BYTES);
	zw_add(&z, "META-INF/maven/evil/liar/pom.properties", 8, zeros->data, zeros->len, bomb_crc, 60);
	zw_add(&z, "lib/inner-2.0.jar", 8, zeros->data, zeros->len, bomb_crc, 1000);
	zw_add(&z, "BOOT-INF/classes/Big.class", 8, zeros->data, zeros->len, bomb_crc, (uint32_t)BOMB_BYTES);
	jar = zw_close(&z);
	memset(&z, 0, sizeof(z));
	zw_add_deflated(&z, "META-INF/maven/org.example/other/pom.properties", other_pom, strlen(other_pom));
	good_jar = zw_close(&z);
	printf("  zip bomb JAR: %zu bytes, %d GiB declared or inflated\n", jar.len, 5);

	tw_open(&t, 1);
	tw_run_marker(&t, "zip-bomb");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
	tw_file(&t, "app/lib/bomb-1.0.jar", jar.data, jar.len);
	tw_file(&t, "app/lib/other-1.0.0.jar", good_jar.data, good_jar.len);
	layer = tw_close(&t);
	image = push_image("zip-bomb", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "org.example:good", "3.1.4");
	expect_package(r.json, "org.example:other", "1.0.0");
	/* The nested JAR that inflates past the limit is known by its name. */
	expect_package(r.json, "inner", "2.0");
	expect_note(NULL, r.json, "bomb-1.0.jar:META-INF/maven/evil/bomb/pom.properties");
	expect_note(NULL, r.json, "bomb-1.0.jar:lib/inner-2.0.jar");
	check(notes_with(r.json, "bomb-1.0.jar") >= 3, "each bomb entry should have its note");
	check(r.seconds < 120, "the JAR took %.1f s", r.seconds);
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&jar);
	e2e_buf_free(&good_jar);
	e2e_buf_free(&layer);
	case_end("zip bomb in a JAR", NULL);
}

/* JARs nested five deep, each level 60 MiB (a stored run of zeros) that
 * deflates to almost nothing: a ~200 KB layer. The walker holds the top JAR,
 * java.c each nested level it descends through - all at once. */
static void test_nested_jar_bomb_memory(void **state)
{
	unsigned char *pad = calloc(1, CHAIN_PAD_BYTES);
	struct e2e_buf level = {0}, layer;
	struct tarw t;
	struct testsvc_reply r;
	char *image, name[64], pom[128];
	int i;

	(void)state;
	assert_non_null(pad);
	case_begin("nested JAR bomb");
	for (i = CHAIN_LEVELS; i >= 1; i--) {
		struct zipw z;
		memset(&z, 0, sizeof(z));
		snprintf(pom, sizeof(pom), "groupId=org.chain\nartifactId=level%d\nversion=%d.0\n", i, i);
		zw_add_deflated(&z, "META-INF/maven/org.chain/level/pom.properties", pom, strlen(pom));
		if (level.len) {
			snprintf(name, sizeof(name), "lib/level%d-%d.0.jar", i + 1, i + 1);
			zw_add_deflated(&z, name, level.data, level.len);
		}
		zw_add_stored(&z, "pad.bin", pad, CHAIN_PAD_BYTES);
		e2e_buf_free(&level);
		level = zw_close(&z);
	}
	free(pad);
	tw_open(&t, 1);
	tw_run_marker(&t, "jar-chain");
	tw_file(&t, "app/level1-1.0.jar", level.data, level.len);
	layer = tw_close(&t);
	printf("  nested JAR chain: %d levels of %zu MiB in a %zu-byte layer\n", CHAIN_LEVELS, CHAIN_PAD_BYTES >> 20,
	       layer.len);
	e2e_buf_free(&level);
	image = push_image("jar-chain", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	/* The outer levels are read; once the nested archives held in memory
	 * reach their budget, deeper ones are identified by name only, with a
	 * note, so that memory stays bounded. */
	expect_package(r.json, "org.chain:level1", "1.0");
	expect_package(r.json, "org.chain:level2", "2.0");
	expect_note(NULL, r.json, "identified by name only");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	case_end("nested JAR bomb", NULL);
}

/* A plain 250 MiB JAR (a stored entry, ~1 MB gzipped at ~200:1): no bomb,
 * just a big file, which the walker holds whole for java.c. */
static void test_large_jar_memory(void **state)
{
	static const char pom[] = "groupId=org.big\nartifactId=big\nversion=2.5.0\n";
	static const char pom_name[] = "META-INF/maven/org.big/big/pom.properties";
	static const char pad_name[] = "data/blob.bin";
	const size_t pad = (size_t)250 << 20;
	unsigned char *chunk = malloc(1 << 20);
	uint32_t crc = (uint32_t)crc32(0, NULL, 0);
	uint64_t jar_size;
	struct zipw z;
	struct tarw t;
	struct e2e_buf layer;
	struct testsvc_reply r;
	char *image;
	size_t done, i;
	int pass;

	(void)state;
	assert_non_null(chunk);
	case_begin("250 MiB JAR");
	jar_size = ZIP_LOCAL_BYTES + strlen(pom_name) + strlen(pom) + ZIP_LOCAL_BYTES + strlen(pad_name) + pad +
		   ZIP_CENTRAL_BYTES + strlen(pom_name) + ZIP_CENTRAL_BYTES + strlen(pad_name) + ZIP_END_BYTES;
	tw_open(&t, 1);
	tw_run_marker(&t, "big-jar");
	tw_entry(&t, "app/big-2.5.0.jar", '0', jar_size, NULL, 0644);
	memset(&z, 0, sizeof(z));
	z.sink = &t;
	zw_add_stored(&z, pom_name, pom, strlen(pom));
	/* Zeros with one pseudo-random byte per KiB: pass 0 takes the CRC,
	 * pass 1 writes the same bytes. */
	for (pass = 0; pass < 2; pass++) {
		uint32_t x = 362436069u;
		if (pass == 1)
			zw_begin(&z, pad_name, 0, pad, crc, (uint32_t)pad);
		for (done = 0; done < pad; done += 1 << 20) {
			memset(chunk, 0, 1 << 20);
			for (i = 0; i < (1 << 20); i += 1024) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				chunk[i + x % 1024] = (unsigned char)(x >> 11);
			}
			if (pass == 0)
				crc = (uint32_t)crc32(crc, chunk, 1 << 20);
			else
				zw_emit(&z, chunk, 1 << 20);
		}
	}
	zw_close(&z);
	free(chunk);
	assert_int_equal(z.offset, jar_size);
	tw_pad(&t, jar_size);
	layer = tw_close(&t);
	printf("  large JAR: %llu bytes in a %zu-byte layer\n", (unsigned long long)jar_size, layer.len);
	image = push_image("big-jar", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	/* Larger than the java detector buffers: skipped with a note, not
	 * allowed to take the service past its memory bound. */
	expect_note(NULL, r.json, "big-2.5.0.jar is 262144327 bytes, over the");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	case_end("250 MiB JAR", NULL);
}

/* ---- cases: structure --------------------------------------------------------------------- */

/* 10,000 directories, each inside the last (paths up to 20 KB, through pax
 * headers), a package at depth 100 and one at depth 10,000. */
static void test_ten_thousand_nested_directories(void **state)
{
	const size_t depth = 10000;
	char *path = malloc(depth * 2 + 128);
	struct tarw t;
	struct e2e_buf layer;
	struct testsvc_reply r;
	char *image;
	size_t d;

	(void)state;
	assert_non_null(path);
	case_begin("10,000 nested directories");
	tw_open(&t, 1);
	tw_run_marker(&t, "nested");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
	for (d = 1; d <= depth; d++) {
		memcpy(path + 2 * (d - 1), "d/", 2);
		path[2 * d] = '\0';
		tw_entry(&t, path, '5', 0, NULL, 0755);
		if (d == 100) {
			strcpy(path + 2 * d, "node_modules/deep-ok/package.json");
			tw_package_json(&t, path, "deep-ok", "1.0.0");
			path[2 * d] = '\0';
		}
	}
	strcpy(path + 2 * depth, "node_modules/too-deep/package.json");
	tw_package_json(&t, path, "too-deep", "1.0.0");
	layer = tw_close(&t);
	printf("  nested directories: %llu bytes of tar in a %zu-byte layer\n", (unsigned long long)t.written, layer.len);
	free(path);
	image = push_image("nested", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "deep-ok", "1.0.0");
	expect_no_package(r.json, "too-deep");
	expect_note(NULL, r.json, "longer than the limit");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	case_end("10,000 nested directories", NULL);
}

/* A gzip stream cut in the middle, and a plain tar cut inside a file: each
 * is its own valid blob (the registry checks digests), and each is refused. */
static void test_truncated_layers(void **state)
{
	struct tarw t;
	struct e2e_buf full, cut = {0};
	struct testsvc_reply r;
	char *image;
	unsigned char noise[65536];
	uint32_t x = 88172645u;
	size_t i;

	(void)state;
	case_begin("truncated layers");
	for (i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	tw_open(&t, 1);
	tw_run_marker(&t, "truncated-gz");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
	tw_file(&t, "usr/share/noise.bin", noise, sizeof(noise));
	full = tw_close(&t);
	e2e_buf_put(&cut, full.data, full.len * 6 / 10);
	image = push_image("truncated-gz", &cut, 1);
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "truncated");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&full);
	e2e_buf_free(&cut);
	expect_ready();

	tw_open(&t, 0);
	tw_run_marker(&t, "truncated-tar");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
	tw_file(&t, "usr/share/noise.bin", noise, sizeof(noise));
	full = tw_close(&t);
	/* Cut inside noise.bin, whose data no detector asks for. */
	e2e_buf_put(&cut, full.data, full.len - 1024 - 20000);
	image = push_image("truncated-tar", &cut, 1);
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "truncated");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&full);
	e2e_buf_free(&cut);
	case_end("truncated layers", NULL);
}

/* A 100 MiB package.json (JSON whitespace, ~1 MB gzipped) next to a small
 * one: the big one is skipped with a note before a byte of it is read. */
static void test_huge_package_json(void **state)
{
	const size_t size = (size_t)100 << 20;
	static const char head[] = "{\"name\":\"huge\",\"version\":\"6.6.6\",";
	static const char tail[] = "\"license\":\"MIT\"}";
	char *chunk = malloc(1 << 20);
	struct tarw t;
	struct e2e_buf layer;
	struct testsvc_reply r;
	char *image;
	size_t left, i;
	uint32_t x = 123456789u;

	(void)state;
	assert_non_null(chunk);
	case_begin("100 MB package.json");
	tw_open(&t, 1);
	tw_run_marker(&t, "huge-json");
	tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
	tw_package_json(&t, "app/node_modules/small/package.json", "small", "1.0.0");
	tw_entry(&t, "app/node_modules/huge/package.json", '0', size, NULL, 0644);
	tw_raw(&t, head, sizeof(head) - 1);
	/* Spaces with a newline at a pseudo-random place every ~1 KiB: valid
	 * JSON, and a compression ratio (~150:1) under the bomb limit. */
	left = size - (sizeof(head) - 1) - (sizeof(tail) - 1);
	while (left > 0) {
		size_t n = left < (1 << 20) ? left : (1 << 20);
		memset(chunk, ' ', n);
		for (i = 0; i < n; i += 512 + x % 1024) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			chunk[i] = (x & 1) ? '\n' : '\t';
		}
		tw_raw(&t, chunk, n);
		left -= n;
	}
	tw_raw(&t, tail, sizeof(tail) - 1);
	tw_pad(&t, size);
	tw_package_json(&t, "app/node_modules/after/package.json", "after", "2.0.0");
	layer = tw_close(&t);
	free(chunk);
	printf("  huge package.json: %zu-byte layer\n", layer.len);
	image = push_image("huge-json", &layer, 1);

	index_image(&r, image);
	expect_report(&r);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "small", "1.0.0");
	expect_package(r.json, "after", "2.0.0");
	expect_no_package(r.json, "huge");
	expect_note(NULL, r.json, "app/node_modules/huge/package.json is 104857600 bytes, over the");
	testsvc_reply_free(&r);
	free(image);
	e2e_buf_free(&layer);
	case_end("100 MB package.json", NULL);
}

/* 1,000 distinct layers (the limit), 1,000 copies of one layer indexed by
 * parallel workers, and 1,001 layers, which are refused. */
static void test_thousand_layers(void **state)
{
	const size_t n = 1000;
	struct e2e_buf *layers = calloc(n, sizeof(*layers));
	struct testsvc_reply r;
	char *image, text[128], name[64];
	size_t i;

	(void)state;
	assert_non_null(layers);
	case_begin("1,000 layers");
	for (i = 0; i < n; i++) {
		struct tarw t;
		tw_open(&t, 1);
		tw_run_marker(&t, "layers");
		snprintf(text, sizeof(text), "layer %zu of run %s\n", i, run_id);
		snprintf(name, sizeof(name), "layers/%zu.txt", i);
		tw_text(&t, name, text);
		if (i == 0)
			tw_dpkg_status(&t, "var/lib/dpkg/status", "curl", NULL);
		if (i == 500)
			tw_package_json(&t, "app/node_modules/mid-pkg/package.json", "mid-pkg", "5.0.0");
		if (i == 999)
			tw_package_json(&t, "app/node_modules/top-pkg/package.json", "top-pkg", "9.9.9");
		layers[i] = tw_close(&t);
	}
	image = push_image("layers", layers, n);
	index_image(&r, image);
	expect_report(&r);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "image"), "layers")), n);
	expect_package(r.json, "curl", "7.88.1-10");
	expect_package(r.json, "mid-pkg", "5.0.0");
	expect_package(r.json, "top-pkg", "9.9.9");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = push_repeated_layer("same-layer", &layers[500], n);
	index_image(&r, image);
	expect_report(&r);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "image"), "layers")), n);
	expect_package(r.json, "mid-pkg", "5.0.0");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = push_repeated_layer("too-many-layers", &layers[1], n + 1);
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "1001 layers, over the limit of 1000");
	testsvc_reply_free(&r);
	free(image);
	for (i = 0; i < n; i++)
		e2e_buf_free(&layers[i]);
	free(layers);
	case_end("1,000 layers", NULL);
}

/* ---- cases: registries that misbehave ----------------------------------------------------- */

struct background_index {
	pthread_t thread;
	char *image;
	struct testsvc_reply reply;
	atomic_int done;
};

static void *background_index_run(void *arg)
{
	struct background_index *b = arg;

	index_image(&b->reply, b->image);
	atomic_store(&b->done, 1);
	return NULL;
}

/* A registry that never answers: the request fails with 504 after the
 * registry timeout, and meanwhile the service answers everyone else. */
static void test_registry_hangs(void **state)
{
	struct background_index bg[8];
	struct testsvc_reply r;
	char *image;
	size_t i, still_running = 0;

	(void)state;
	case_begin("registry hangs");
	memset(bg, 0, sizeof(bg));
	for (i = 0; i < 8; i++) {
		bg[i].image = fake_image("hang");
		assert_int_equal(pthread_create(&bg[i].thread, NULL, background_index_run, &bg[i]), 0);
	}
	usleep(500 * 1000);
	for (i = 0; i < 8; i++)
		still_running += !atomic_load(&bg[i].done);
	/* Nothing may fail (and longjmp) before the threads are joined. */
	https_request(&r, "/readyz", NULL, 10);
	for (i = 0; i < 8; i++)
		pthread_join(bg[i].thread, NULL);
	printf("  /readyz during 8 hanging requests: %ld in %.2f s\n", r.status, r.seconds);
	assert_int_equal(r.status, 200);
	check(r.seconds < (sanitized ? 5 : 2), "/readyz took %.1f s while the registry hangs", r.seconds);
	testsvc_reply_free(&r);
	check(still_running == 8, "a request to a hanging registry ended within 0.5 s");
	for (i = 0; i < 8; i++) {
		expect_problem(NULL, &bg[i].reply, 504, "timeout");
		check(bg[i].reply.seconds < 30, "the hanging registry held the request %.1f s", bg[i].reply.seconds);
		testsvc_reply_free(&bg[i].reply);
		free(bg[i].image);
	}
	expect_ready();

	/* The layer request is never answered: the stall setting ends it. */
	image = fake_image("blobhang");
	index_image(&r, image);
	expect_problem(NULL, &r, 504, "stalled");
	check(r.seconds < 60, "the hanging blob held the request %.1f s", r.seconds);
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	/* Half the layer, then nothing: a registry that timed out, not a bad image. */
	image = fake_image("stall");
	index_image(&r, image);
	expect_problem(NULL, &r, 504, "stalled");
	check(r.seconds < 60, "the stalled blob held the request %.1f s", r.seconds);
	testsvc_reply_free(&r);
	free(image);
	case_end("registry hangs", NULL);
}

static void test_registry_garbage(void **state)
{
	struct testsvc_reply r;
	char *image;

	(void)state;
	case_begin("registry answers garbage");
	image = fake_image("garbage");
	index_image(&r, image);
	expect_problem(NULL, &r, 502, "");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = fake_image("err500");
	index_image(&r, image);
	expect_problem(NULL, &r, 502, "500");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	/* A 200 that is no manifest: the registry's content cannot be indexed. */
	image = fake_image("notjson");
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "manifest");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = fake_image("endless");
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "manifest over");
	check(r.seconds < 30, "the endless manifest held the request %.1f s", r.seconds);
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = fake_image("badcd");
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "Docker-Content-Digest");
	testsvc_reply_free(&r);
	free(image);
	expect_ready();

	image = fake_image("badconfig");
	index_image(&r, image);
	expect_problem(NULL, &r, 422, "does not match its digest");
	testsvc_reply_free(&r);
	free(image);
	case_end("registry answers garbage", NULL);
}

/* A layer whose bytes are another valid tar of the same length: the scan
 * succeeds, the digest does not, and nothing of it is kept - asking again
 * downloads again and fails again, rather than answering from a cache. */
static void test_blob_digest_mismatch(void **state)
{
	struct testsvc_reply r;
	char *image = fake_image("mismatch");
	int i;

	(void)state;
	case_begin("blob digest mismatch");
	for (i = 0; i < 2; i++) {
		index_image(&r, image);
		expect_problem(NULL, &r, 422, "does not match its digest");
		check(r.json == NULL || strstr(detail_of(&r), fake.layer_tar_digest) != NULL,
		      "the detail should name the layer");
		testsvc_reply_free(&r);
	}
	free(image);
	case_end("blob digest mismatch", NULL);
}

/* ---- the end ------------------------------------------------------------------------------ */

static void test_zz_sigterm_clean_exit(void **state)
{
	int i;
	long hwm;

	(void)state;
	expect_ready();
	hwm = service_hwm_kb();
	assert_int_equal(kill(svc.pid, SIGTERM), 0);
	for (i = 0; i < 300 && testsvc_alive(&svc); i++)
		usleep(100 * 1000);
	if (!svc.exited) {
		testsvc_kill(&svc, SIGKILL);
		fail_msg("the service did not stop within 30 s of SIGTERM");
	}
	printf("service peak RSS: %ld MiB in the worst case judged, %ld MiB in the last one\n", worst_peak_kb / 1024,
	       hwm / 1024);
	if (!WIFEXITED(svc.status) || WEXITSTATUS(svc.status) != 0) {
		testsvc_print_log_tail(&svc, 12000);
		fail_msg("the service ended with %s %d", WIFSIGNALED(svc.status) ? "signal" : "exit status",
			 WIFSIGNALED(svc.status) ? WTERMSIG(svc.status) : WEXITSTATUS(svc.status));
	}
	if (!sanitized)
		check(worst_peak_kb <= RSS_LIMIT_KB, "peak RSS %ld KiB over the bound", worst_peak_kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_traversal_and_links),
		cmocka_unit_test(test_non_utf8_names),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_zip_bomb_in_jar),
		cmocka_unit_test(test_nested_jar_bomb_memory),
		cmocka_unit_test(test_large_jar_memory),
		cmocka_unit_test(test_ten_thousand_nested_directories),
		cmocka_unit_test(test_truncated_layers),
		cmocka_unit_test(test_huge_package_json),
		cmocka_unit_test(test_thousand_layers),
		cmocka_unit_test(test_registry_hangs),
		cmocka_unit_test(test_registry_garbage),
		cmocka_unit_test(test_blob_digest_mismatch),
		cmocka_unit_test(test_zz_sigterm_clean_exit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
