/*
 * gobinary_test.c - the Go binary detector against real Go binaries (the
 * fixtures' `go version -m` truth) and synthetic ELF files built here.
 *
 * Every stream is fed in several chunk sizes, from one byte at a time to
 * the whole file at once, because the build info header is found across
 * chunk boundaries and the answer must not depend on them.
 *
 * The synthetic binaries (gobin_elf below) are small ELF files with a Go
 * build ID note, one PT_LOAD segment mapping the whole file, some "rodata"
 * with the strings, and the build info header 16-byte aligned after it, in
 * the 1.18+ inline layout or the older pointer layout (32/64-bit, little or
 * big endian). ASEC_GOBIN_TESTDATA_OUT=<dir> writes them out: that is how
 * testdata/gobinary/ was made, and the test reads those files back.
 */
#include "detectors/detector_testing.h"

extern const struct detector detector_gobinary;

static const char sentinel_start[] = "0w\xaf\x0c\x92t\x08\x02"
				     "A\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char sentinel_end[] = "\xf9"
				   "2C1\x86\x18 r\x00\x82"
				   "B\x10"
				   "A\x16\xd8\xf2";

/* ---- running the stream ---- */

static void stream_sized(struct scan_out *out, const char *path, const unsigned char *d, size_t n, uint64_t size,
			 size_t chunk)
{
	detector_testing_stream(out, &detector_gobinary, path, d, n, size, chunk);
}

static void stream(struct scan_out *out, const char *path, const unsigned char *d, size_t n, size_t chunk)
{
	detector_testing_stream(out, &detector_gobinary, path, d, n, n, chunk);
}

struct want {
	const char *name, *version, *purl;
};

/* Exactly these packages (version NULL = none), every field. */
static void expect_exactly(const struct scan_out *out, const char *path, const struct want *w, size_t n)
{
	size_t i;

	if (out->pkgs.count != n)
		detector_testing_dump(out);
	assert_int_equal(out->pkgs.count, n);
	for (i = 0; i < n; i++) {
		const struct pkg *p = detector_testing_find(out, w[i].name);
		if (!p) {
			detector_testing_dump(out);
			fail_msg("missing %s", w[i].name);
		}
		if (w[i].version)
			assert_string_equal(p->version, w[i].version);
		else
			assert_null(p->version);
		assert_string_equal(p->purl, w[i].purl);
		assert_string_equal(p->ecosystem, "golang");
		assert_string_equal(p->kind, "binary");
		assert_string_equal(p->package_db, path);
	}
}

static const size_t chunk_sizes[] = { 1, 7, 16, 4093, 65536, (size_t)-1 };

/* ---- fixtures ---- */

/*
 * The expectation from expected.json (`go version -m`): stdlib at the Go
 * version as "v1.x.y", the main module without version ("(devel)"), every
 * dep at its version.
 */
static void check_go_fixture(const char *dir_rel, const char *bin)
{
	char dir[1024], path[1200], label[256], stdv[64];
	json_t *root, *b, *deps, *dep;
	json_error_t err;
	unsigned char *d;
	size_t n, i, c;

	testing_shared_path(dir, sizeof(dir), dir_rel);
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	root = json_load_file(path, 0, &err);
	assert_non_null(root);
	b = json_object_get(json_object_get(root, "binaries"), bin);
	assert_non_null(b);
	snprintf(path, sizeof(path), "%s/%s", dir, bin);
	d = testing_read_file(path, &n);
	assert_non_null(d);
	snprintf(label, sizeof(label), "usr/local/bin/%s", bin);
	snprintf(stdv, sizeof(stdv), "v%s", json_string_value(json_object_get(b, "goVersion")) + 2);
	deps = json_object_get(b, "deps");

	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		struct scan_out out;
		const struct pkg *p;
		const char *main_path = json_string_value(json_object_get(json_object_get(b, "main"), "path"));

		stream(&out, label, d, n, chunk_sizes[c]);
		assert_int_equal(out.note_count, 0);
		assert_int_equal(out.pkgs.count, 2 + json_array_size(deps));
		p = detector_testing_find(&out, "stdlib");
		assert_non_null(p);
		assert_string_equal(p->version, stdv);
		p = detector_testing_find(&out, main_path);
		assert_non_null(p);
		assert_string_equal(json_string_value(json_object_get(json_object_get(b, "main"), "version")),
				    "(devel)");
		assert_null(p->version);
		json_array_foreach(deps, i, dep)
		{
			char purl[512];
			p = detector_testing_find(&out, json_string_value(json_object_get(dep, "path")));
			assert_non_null(p);
			assert_string_equal(p->version, json_string_value(json_object_get(dep, "version")));
			snprintf(purl, sizeof(purl), "pkg:golang/%s@%s", p->name, p->version);
			assert_string_equal(p->purl, purl);
		}
		for (i = 0; i < out.pkgs.count; i++) {
			assert_string_equal(out.pkgs.items[i].package_db, label);
			assert_string_equal(out.pkgs.items[i].ecosystem, "golang");
		}
		scan_out_free(&out);
	}
	free(d);
	json_decref(root);
}

static void test_fixture_go119(void **state)
{
	static const struct want w[] = {
		{ "stdlib", "v1.19.8", "pkg:golang/stdlib@v1.19.8" },
		{ "example.com/fixtures/hello", NULL, "pkg:golang/example.com/fixtures/hello" },
	};
	char dir[1024], path[1200];
	struct scan_out out;
	unsigned char *d;
	size_t n;

	(void)state;
	check_go_fixture("fixtures/lang/go/local-build", "hello-go1.19");
	testing_shared_path(dir, sizeof(dir), "fixtures/lang/go/local-build");
	snprintf(path, sizeof(path), "%s/hello-go1.19", dir);
	d = testing_read_file(path, &n);
	stream(&out, "app/hello", d, n, 65536);
	expect_exactly(&out, "app/hello", w, 2);
	scan_out_free(&out);
	free(d);
}

/* go1.15: the pointer layout, resolved from the kept copy of the file. */
static void test_fixture_go115(void **state)
{
	char dir[1024], path[1200];
	json_t *root, *t, *deps, *dep;
	json_error_t err;
	struct scan_out out;
	unsigned char *d;
	size_t n, i;

	(void)state;
	check_go_fixture("fixtures/lang/go/trivy-gobinary", "test.elf");

	/* And Trivy's own expectation for the same file. */
	testing_shared_path(dir, sizeof(dir), "fixtures/lang/go/trivy-gobinary");
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	root = json_load_file(path, 0, &err);
	t = json_object_get(json_object_get(json_object_get(root, "binaries"), "test.elf"), "trivyExpected");
	assert_non_null(t);
	snprintf(path, sizeof(path), "%s/test.elf", dir);
	d = testing_read_file(path, &n);
	stream(&out, "test.elf", d, n, 32768);
	assert_string_equal(detector_testing_find(&out, "stdlib")->version, json_string_value(json_object_get(t, "stdlib")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "root"), "version")), "");
	assert_null(detector_testing_find(&out, json_string_value(json_object_get(json_object_get(t, "root"), "name")))->version);
	deps = json_object_get(t, "deps");
	json_array_foreach(deps, i, dep)
	{
		char want[512], got[1100];
		const char *at = strchr(json_string_value(dep), '@');
		snprintf(want, sizeof(want), "%s", json_string_value(dep));
		want[at - json_string_value(dep)] = '\0';
		snprintf(got, sizeof(got), "%s@%s", want, detector_testing_find(&out, want)->version);
		assert_string_equal(got, json_string_value(dep));
	}
	assert_int_equal(out.pkgs.count, 2 + json_array_size(deps));
	scan_out_free(&out);

	/* Declared over 64 MiB: nothing is kept, the old layout cannot be read. */
	stream_sized(&out, "big.elf", d, n, (uint64_t)65 << 20, 1 << 20);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "big.elf: pre-1.18 Go binary: build info not recoverable from a stream"));
	scan_out_free(&out);

	/* Cut right after the header: the strings it points to are not there. */
	stream(&out, "cut.elf", d, 0x19e000 + 32, 65536);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "cut.elf: pre-1.18 Go build info points outside the file's segments"));
	scan_out_free(&out);
	free(d);
	json_decref(root);
}

/* ---- synthetic binaries ---- */

struct gospec {
	int is64, big, inline_layout, go_note, decoy;
	const char *version;
	const char *modinfo;   /* without sentinels; NULL = none at all */
	size_t pad;            /* extra bytes of "text" before the rodata */
	int bare;              /* module info without its sentinels */
};

/* Builds the binary described by s; returns its bytes and length. */
static unsigned char *gobin_elf(size_t *len, const struct gospec *s)
{
	const uint64_t base = 0x400000;
	size_t ptr = s->is64 ? 8 : 4, ehsize = s->is64 ? 64 : 52, phsize = s->is64 ? 56 : 32;
	size_t note = 0x100, rodata = 0x200 + s->pad, mlen = 0, vlen = strlen(s->version), bi, hdrs, total, i;
	char *mod = NULL;
	unsigned char *b;

	if (s->modinfo && s->bare) {
		mlen = strlen(s->modinfo);
		mod = strdup(s->modinfo);
	} else if (s->modinfo) {
		mlen = 32 + strlen(s->modinfo);
		mod = malloc(mlen);
		memcpy(mod, sentinel_start, 16);
		memcpy(mod + 16, s->modinfo, mlen - 32);
		memcpy(mod + mlen - 16, sentinel_end, 16);
	}
	bi = (rodata + vlen + mlen + 64 + 15) & ~(size_t)15;
	hdrs = bi + 64 + vlen + mlen + 32;
	total = hdrs + 64;
	b = calloc(1, total);
	assert_non_null(b);

	/* ELF header and two program headers: PT_NOTE, PT_LOAD of the whole file. */
	memcpy(b, "\177ELF", 4);
	b[4] = s->is64 ? 2 : 1;
	b[5] = s->big ? 2 : 1;
	b[6] = 1;
	detector_testing_put(b, 16, 2, 2, s->big);
	detector_testing_put(b, 18, 62, 2, s->big);
	if (s->is64) {
		detector_testing_put(b, 32, ehsize, 8, s->big);
		detector_testing_put(b, 54, phsize, 2, s->big);
		detector_testing_put(b, 56, 2, 2, s->big);
	} else {
		detector_testing_put(b, 28, ehsize, 4, s->big);
		detector_testing_put(b, 42, phsize, 2, s->big);
		detector_testing_put(b, 44, 2, 2, s->big);
	}
	for (i = 0; i < 2; i++) {
		size_t p = ehsize + i * phsize;
		uint64_t type = i == 0 ? 4 : 1, off = i == 0 ? note : 0, sz = i == 0 ? 24 : total;
		detector_testing_put(b, p, type, 4, s->big);
		if (s->is64) {
			detector_testing_put(b, p + 4, 5, 4, s->big);
			detector_testing_put(b, p + 8, off, 8, s->big);
			detector_testing_put(b, p + 16, base + off, 8, s->big);
			detector_testing_put(b, p + 32, sz, 8, s->big);
		} else {
			detector_testing_put(b, p + 4, off, 4, s->big);
			detector_testing_put(b, p + 8, base + off, 4, s->big);
			detector_testing_put(b, p + 16, sz, 4, s->big);
		}
	}
	/* The Go build ID note (or another owner's note). */
	detector_testing_put(b, note, 4, 4, s->big);
	detector_testing_put(b, note + 4, 8, 4, s->big);
	detector_testing_put(b, note + 8, 4, 4, s->big);
	memcpy(b + note + 12, s->go_note ? "Go\0\0" : "GNU\0", 4);
	memcpy(b + note + 16, "buildid!", 8);
	/* "text": bytes that look like nothing in particular. */
	for (i = 0x200; i < rodata; i++)
		b[i] = (unsigned char)(i * 131 + 7);
	/* rodata: version string then module info; plus a decoy copy of the magic
	 * string, aligned, followed by text (as in a program using debug/buildinfo). */
	memcpy(b + rodata, s->version, vlen);
	if (mod)
		memcpy(b + rodata + vlen, mod, mlen);
	if (s->decoy) {
		size_t at = (rodata + vlen + mlen + 15) & ~(size_t)15;
		memcpy(b + at, "\xff Go buildinf:not a header", 26);
	}
	memcpy(b + bi, "\xff Go buildinf:", 14);
	b[bi + 14] = (unsigned char)ptr;
	if (s->inline_layout) {
		size_t p = bi + 32;
		b[bi + 15] = 2;
		/* uvarint lengths (both below 16384 here: one or two bytes). */
		if (vlen < 128) {
			b[p++] = (unsigned char)vlen;
		} else {
			b[p++] = (unsigned char)(vlen | 0x80);
			b[p++] = (unsigned char)(vlen >> 7);
		}
		memcpy(b + p, s->version, vlen);
		p += vlen;
		if (mlen < 128) {
			b[p++] = (unsigned char)mlen;
		} else {
			b[p++] = (unsigned char)(mlen | 0x80);
			b[p++] = (unsigned char)(mlen >> 7);
		}
		if (mod)
			memcpy(b + p, mod, mlen);
	} else {
		/* Pointers to two string headers right after the 32-byte header. */
		size_t sh = bi + 32;
		b[bi + 15] = s->big ? 1 : 0;
		detector_testing_put(b, bi + 16, base + sh, ptr, s->big);
		detector_testing_put(b, bi + 16 + ptr, base + sh + 2 * ptr, ptr, s->big);
		detector_testing_put(b, sh, base + rodata, ptr, s->big);
		detector_testing_put(b, sh + ptr, vlen, ptr, s->big);
		detector_testing_put(b, sh + 2 * ptr, base + rodata + vlen, ptr, s->big);
		detector_testing_put(b, sh + 3 * ptr, mlen, ptr, s->big);
	}
	free(mod);
	*len = total;
	return b;
}

static void write_testdata(const char *name, const unsigned char *d, size_t n)
{
	const char *dir = getenv("ASEC_GOBIN_TESTDATA_OUT");
	char path[1024];
	FILE *f;

	if (!dir || !dir[0])
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
}

static const char replace_modinfo[] =
	"path\texample.com/app/cmd/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
	"dep\tgolang.org/x/net\tv0.0.0-20200202094626-16171245cfb2\n"
	"=>\tgithub.com/golang/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=\n"
	"dep\texample.com/local\tv1.0.0\n"
	"=>\t../local\t\t\n"
	"dep\tgopkg.in/yaml.v2\tv2.4.0+incompatible\th1:x\n"
	"build\t-compiler=gc\n"
	"build\t-ldflags=\"-s -w -X main.version=v1.4.2 -X 'example.com/app/internal/build.Commit=abc'\"\n"
	"build\tCGO_ENABLED=0\n";

static const struct want replace_want[] = {
	{ "stdlib", "v1.21.5", "pkg:golang/stdlib@v1.21.5" },
	{ "example.com/app", "v1.4.2", "pkg:golang/example.com/app@v1.4.2" },
	{ "github.com/pkg/errors", "v0.9.1", "pkg:golang/github.com/pkg/errors@v0.9.1" },
	{ "github.com/golang/net", "v0.17.0", "pkg:golang/github.com/golang/net@v0.17.0" },
	{ "example.com/local", NULL, "pkg:golang/example.com/local" },
	{ "gopkg.in/yaml.v2", "v2.4.0+incompatible", "pkg:golang/gopkg.in/yaml.v2@v2.4.0%2Bincompatible" },
};

/* Replacements, -ldflags version stamping, the boringcrypto suffix, purl escapes. */
static void test_synthetic_inline(void **state)
{
	struct gospec s = { 1, 0, 1, 1, 0, "go1.21.5 X:boringcrypto", replace_modinfo, 5000, 0 };
	struct scan_out out;
	unsigned char *d;
	size_t n, c;

	(void)state;
	d = gobin_elf(&n, &s);
	write_testdata("inline-replace.elf", d, n);
	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		stream(&out, "bin/app", d, n, chunk_sizes[c]);
		expect_exactly(&out, "bin/app", replace_want, 6);
		assert_string_equal(detector_testing_find(&out, "example.com/local")->repository_hint,
				    "replaced by local directory ../local");
		assert_null(detector_testing_find(&out, "github.com/golang/net")->repository_hint);
		assert_int_equal(out.note_count, 0);
		scan_out_free(&out);
	}
	free(d);
	d = detector_testing_read_testdata("gobinary", "inline-replace.elf", &n);
	stream(&out, "bin/app", d, n, 4096);
	expect_exactly(&out, "bin/app", replace_want, 6);
	scan_out_free(&out);
	free(d);
}

/* The pointer layout in all four ELF flavours, with a decoy magic before it. */
static void test_synthetic_old_layout(void **state)
{
	static const struct want w[] = {
		{ "stdlib", "v1.16.15", "pkg:golang/stdlib@v1.16.15" },
		{ "example.com/app", "v1.4.2", "pkg:golang/example.com/app@v1.4.2" },
		{ "github.com/pkg/errors", "v0.9.1", "pkg:golang/github.com/pkg/errors@v0.9.1" },
		{ "github.com/golang/net", "v0.17.0", "pkg:golang/github.com/golang/net@v0.17.0" },
		{ "example.com/local", NULL, "pkg:golang/example.com/local" },
		{ "gopkg.in/yaml.v2", "v2.4.0+incompatible", "pkg:golang/gopkg.in/yaml.v2@v2.4.0%2Bincompatible" },
	};
	int is64, big;
	size_t n, c;
	unsigned char *d;
	struct scan_out out;

	(void)state;
	for (is64 = 0; is64 <= 1; is64++) {
		for (big = 0; big <= 1; big++) {
			struct gospec s = { is64, big, 0, 1, 1, "go1.16.15", replace_modinfo, 70000, 0 };
			char name[64];
			d = gobin_elf(&n, &s);
			snprintf(name, sizeof(name), "old-%s-%s.elf", is64 ? "64" : "32", big ? "be" : "le");
			if (is64 == 0 && big == 1)
				write_testdata(name, d, n);
			for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
				stream(&out, "bin/app", d, n, chunk_sizes[c]);
				expect_exactly(&out, "bin/app", w, 6);
				scan_out_free(&out);
			}
			free(d);
		}
	}
	d = detector_testing_read_testdata("gobinary", "old-32-be.elf", &n);
	stream(&out, "bin/app", d, n, 999);
	expect_exactly(&out, "bin/app", w, 6);
	scan_out_free(&out);
	free(d);

	/* No Go build ID note: nothing was kept, so the pointers lead nowhere. */
	{
		struct gospec s = { 1, 0, 0, 0, 0, "go1.16.15", replace_modinfo, 70000, 0 };
		d = gobin_elf(&n, &s);
		stream(&out, "bin/app", d, n, 4096);
		assert_int_equal(out.pkgs.count, 0);
		assert_true(detector_testing_has_note(&out, "bin/app: pre-1.18 Go binary without a Go build ID note: build info not "
					   "recoverable"));
		scan_out_free(&out);
		free(d);
	}
}

/* No modules (GOPATH build), a devel toolchain, no module info at all. */
static void test_synthetic_edges(void **state)
{
	struct scan_out out;
	unsigned char *d;
	size_t n;

	(void)state;
	{
		struct gospec s = { 1, 0, 1, 1, 0, "go1.20", NULL, 0, 0 };
		d = gobin_elf(&n, &s);
		stream(&out, "bin/x", d, n, 1);
		assert_int_equal(out.pkgs.count, 1);
		assert_string_equal(detector_testing_find(&out, "stdlib")->version, "v1.20");
		scan_out_free(&out);
		free(d);
	}
	{
		struct gospec s = { 1, 0, 1, 1, 0, "devel go1.23-abcdef Tue Jan 1", "path\tx\nmod\tx\tv1.0.0\t\n",
				    0, 0 };
		d = gobin_elf(&n, &s);
		stream(&out, "bin/x", d, n, 100);
		assert_int_equal(out.pkgs.count, 1);
		assert_string_equal(detector_testing_find(&out, "x")->version, "v1.0.0");
		assert_true(detector_testing_has_note(&out, "bin/x: Go version \"devel go1.23-abcdef Tue Jan 1\" is not a release"));
		scan_out_free(&out);
		free(d);
	}
	{
		/* Two stamped versions in the preferred category: no answer (Trivy). */
		struct gospec s = { 1, 0, 1, 1, 0, "go1.22.1",
				    "mod\tm.io/a\t(devel)\t\n"
				    "build\t-ldflags=\"-X main.version=1.0.0 -X=main.Version=2.0.0 "
				    "-X m.io/a/cmd/a/x.ver=3.0.0\"\n",
				    0, 0 };
		d = gobin_elf(&n, &s);
		stream(&out, "bin/x", d, n, 100);
		/* The key under <main module>/cmd/ is preferred over main.version. */
		assert_string_equal(detector_testing_find(&out, "m.io/a")->version, "3.0.0");
		scan_out_free(&out);
		free(d);
	}
	{
		struct gospec s = { 1, 0, 1, 1, 0, "go1.22.1",
				    "mod\tm.io/a\t(devel)\t\n"
				    "build\t-ldflags=\"-X main.version=1.0.0 -X=main.Version=2.0.0\"\n",
				    0, 0 };
		d = gobin_elf(&n, &s);
		stream(&out, "bin/x", d, n, 100);
		assert_null(detector_testing_find(&out, "m.io/a")->version);
		scan_out_free(&out);
		free(d);
	}
}

/* Hostile and broken headers. */
static void test_corrupt(void **state)
{
	struct gospec s = { 1, 0, 1, 1, 0, "go1.21.0", "mod\tm\tv1\t\n", 0, 0 };
	struct scan_out out;
	unsigned char *d;
	size_t n, bi, cut;

	(void)state;
	d = gobin_elf(&n, &s);
	bi = (size_t)((unsigned char *)memmem(d + 0x200, n - 0x200, "\xff Go buildinf:\x08\x02", 16) - d);

	/* Every truncation after the header: a note, never a crash or a guess. */
	for (cut = bi + 16; cut < n; cut++) {
		stream(&out, "bin/t", d, cut, 3);
		if (cut < bi + 32 + 1 + 8 + 1 + 32 + 10)
			assert_true(detector_testing_has_note(&out, "bin/t: Go build info cut short at the end of the file"));
		scan_out_free(&out);
	}
	/* A length of 2^62: corrupt. */
	memcpy(d + bi + 32, "\x80\x80\x80\x80\x80\x80\x80\x80\x40", 9);
	stream(&out, "bin/t", d, n, 64);
	assert_true(detector_testing_has_note(&out, "bin/t: corrupt Go build info at offset"));
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);
	/* An overlong uvarint. */
	memcpy(d + bi + 32, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
	stream(&out, "bin/t", d, n, 64);
	assert_true(detector_testing_has_note(&out, "bin/t: corrupt Go build info"));
	scan_out_free(&out);
	free(d);
	/* Module info without its sentinels is not module info (Go's rule): stdlib only. */
	{
		struct gospec bare = { 1, 0, 1, 1, 0, "go1.21.0",
				       "path\tm\nmod\tm\tv1\t\ndep\tx.io/y\tv2.0.0\t\nbuild\tGOOS=linux\tGOARCH=amd64",
				       0, 1 };
		d = gobin_elf(&n, &bare);
		stream(&out, "bin/t", d, n, 64);
		assert_int_equal(out.pkgs.count, 1);
		assert_non_null(detector_testing_find(&out, "stdlib"));
		scan_out_free(&out);
		free(d);
	}
}

/* Not ELF: nothing is kept and nothing found, even with a build info inside. */
static void test_not_elf(void **state)
{
	struct gospec s = { 1, 0, 1, 1, 0, "go1.21.0", "mod\tm\tv1\t\n", 0, 0 };
	struct scan_out out;
	unsigned char *d;
	size_t n;

	(void)state;
	d = gobin_elf(&n, &s);
	memcpy(d, "#!/bin/sh\n", 10);
	stream(&out, "bin/script", d, n, 1);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	d[0] = 0x7f;
	d[3] = 'X'; /* "\x7f" "ELX": fails at the 4th byte */
	stream(&out, "bin/script", d, n, 2);
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);
	stream(&out, "bin/empty", d, 0, 1);
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);
	free(d);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(detector_gobinary.match("app/server", 10, 0755));
	assert_true(detector_gobinary.match("usr/lib/x.so", 12, 0100));
	assert_true(detector_gobinary.match("usr/local/bin/tool", 18, 0644));
	assert_true(detector_gobinary.match("bin/tool", 8, 0644));
	assert_true(detector_gobinary.match("usr/sbin/tool", 13, 0644));
	assert_false(detector_gobinary.match("usr/share/doc/README", 20, 0644));
	assert_false(detector_gobinary.match("cabin/tool", 10, 0644));
	assert_false(detector_gobinary.match("usr/bin/sub/file", 16, 0644));
	assert_false(detector_gobinary.match("tool", 4, 0644));
	assert_string_equal(detector_gobinary.name, "gobinary");
	assert_null(detector_gobinary.scan);
	assert_non_null(detector_gobinary.stream_begin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_synthetic_inline),
		cmocka_unit_test(test_synthetic_old_layout),
		cmocka_unit_test(test_synthetic_edges),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_fixture_go119),
		cmocka_unit_test(test_fixture_go115),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
