/*
 * rustbinary_test.c - the cargo-auditable detector.
 *
 * There is no shared fixture, so the binaries are made here, two ways:
 *   - rust_elf() writes a minimal ELF file from scratch: header, a ".text"
 *     of filler (with zlib-looking bytes and, optionally, a decoy copy of
 *     the dependency data that is not a section of its own), the ".dep-v0"
 *     section holding zlib-compressed JSON, ".shstrtab", and the section
 *     header table last, where linkers put it. 32/64-bit, either endianness.
 *   - test_objcopy compiles a small C program with the system compiler and
 *     adds the section with `objcopy --add-section .dep-v0=<file>`, the
 *     layout of a real toolchain (skipped when cc or objcopy is missing).
 * The JSON follows cargo-auditable's schema (packages with name, version,
 * source, kind, dependencies, root). ASEC_RUST_TESTDATA_OUT=<dir> writes
 * the generated files out (testdata/rustbinary/ and the fuzz seeds).
 */
#include <unistd.h>
#include <zlib.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_rustbinary;

static void stream(struct scan_out *out, const char *path, const unsigned char *d, size_t n, size_t chunk)
{
	detector_testing_stream(out, &detector_rustbinary, path, d, n, n, chunk);
}

static const char deps_json[] =
	"{\"packages\":["
	"{\"name\":\"hello\",\"version\":\"0.1.0\",\"source\":\"local\",\"dependencies\":[1,2,3],\"root\":true},"
	"{\"name\":\"serde\",\"version\":\"1.0.193\",\"source\":\"crates.io\",\"dependencies\":[2]},"
	"{\"name\":\"serde_derive\",\"version\":\"1.0.193\",\"source\":\"crates.io\",\"kind\":\"build\"},"
	"{\"name\":\"my-fork\",\"version\":\"2.0.0-rc.1+build.5\",\"source\":\"git\",\"kind\":\"runtime\"},"
	"{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"}"
	"]}";

struct want {
	const char *name, *version, *source, *purl;
};

static const struct want deps_want[] = {
	{ "hello", "0.1.0", "local", "pkg:cargo/hello@0.1.0" },
	{ "serde", "1.0.193", "crates.io", "pkg:cargo/serde@1.0.193" },
	{ "my-fork", "2.0.0-rc.1+build.5", "git", "pkg:cargo/my-fork@2.0.0-rc.1%2Bbuild.5" },
};

/* ---- running the stream ---- */

static void expect_deps(const struct scan_out *out, const char *path)
{
	size_t i, j;

	if (out->pkgs.count != 3)
		detector_testing_dump(out);
	assert_int_equal(out->pkgs.count, 3);
	for (i = 0; i < 3; i++) {
		const struct pkg *p = NULL;
		for (j = 0; j < out->pkgs.count; j++)
			if (strcmp(out->pkgs.items[j].name, deps_want[i].name) == 0)
				p = &out->pkgs.items[j];
		assert_non_null(p);
		assert_string_equal(p->version, deps_want[i].version);
		assert_string_equal(p->repository_hint, deps_want[i].source);
		assert_string_equal(p->purl, deps_want[i].purl);
		assert_string_equal(p->ecosystem, "cargo");
		assert_string_equal(p->kind, "binary");
		assert_string_equal(p->package_db, path);
	}
}

static const size_t chunk_sizes[] = { 1, 7, 1000, 65536, 70000, (size_t)-1 };

/* ---- building binaries ---- */

static unsigned char *zcompress(const void *d, size_t n, size_t *out_len)
{
	uLongf len = compressBound((uLong)n);
	unsigned char *out = malloc(len);

	assert_non_null(out);
	assert_int_equal(compress2(out, &len, d, (uLong)n, 9), Z_OK);
	*out_len = len;
	return out;
}

struct rustspec {
	int is64, big;
	const void *dep;       /* the .dep-v0 bytes (already compressed) */
	size_t dep_len;
	const void *decoy;     /* bytes copied into .text, not a section */
	size_t decoy_len;
	size_t text;           /* size of .text filler */
	int no_sht;            /* e_shoff = 0 */
	int decoy_at_end;      /* the decoy ends where .dep-v0 begins */
};

static void shdr(unsigned char *b, const struct rustspec *s, size_t at, uint32_t name, uint32_t type, uint64_t off,
		 uint64_t size)
{
	detector_testing_put(b, at, name, 4, s->big);
	detector_testing_put(b, at + 4, type, 4, s->big);
	if (s->is64) {
		detector_testing_put(b, at + 24, off, 8, s->big);
		detector_testing_put(b, at + 32, size, 8, s->big);
		detector_testing_put(b, at + 48, 1, 8, s->big);
	} else {
		detector_testing_put(b, at + 16, off, 4, s->big);
		detector_testing_put(b, at + 20, size, 4, s->big);
		detector_testing_put(b, at + 32, 1, 4, s->big);
	}
}

static unsigned char *rust_elf(size_t *len, const struct rustspec *s)
{
	static const char strtab[] = "\0.text\0.dep-v0\0.shstrtab\0";
	size_t eh = s->is64 ? 64 : 52, shsize = s->is64 ? 64 : 40;
	size_t text = eh, dep = text + s->text, str = dep + s->dep_len, sht = str + sizeof(strtab), total, i;
	unsigned char *b;

	sht = (sht + 7) & ~(size_t)7;
	total = sht + 4 * shsize;
	b = calloc(1, total);
	assert_non_null(b);
	memcpy(b, "\177ELF", 4);
	b[4] = s->is64 ? 2 : 1;
	b[5] = s->big ? 2 : 1;
	b[6] = 1;
	detector_testing_put(b, 16, 3, 2, s->big); /* ET_DYN, like a PIE */
	detector_testing_put(b, 18, 62, 2, s->big);
	if (s->is64) {
		detector_testing_put(b, 40, s->no_sht ? 0 : sht, 8, s->big);
		detector_testing_put(b, 52, eh, 2, s->big);
		detector_testing_put(b, 58, shsize, 2, s->big);
		detector_testing_put(b, 60, 4, 2, s->big);
		detector_testing_put(b, 62, 3, 2, s->big);
	} else {
		detector_testing_put(b, 32, s->no_sht ? 0 : sht, 4, s->big);
		detector_testing_put(b, 40, eh, 2, s->big);
		detector_testing_put(b, 46, shsize, 2, s->big);
		detector_testing_put(b, 48, 4, 2, s->big);
		detector_testing_put(b, 50, 3, 2, s->big);
	}
	/* .text: filler dense in 0x78 bytes with valid zlib check bits ("x\x9c",
	 * "x\xda") that do not inflate to anything - the probe's daily bread. */
	for (i = 0; i < s->text; i++)
		b[text + i] = i % 97 == 0   ? 0x78
			      : i % 97 == 1 ? (i % 2 ? 0x9c : 0xda)
					    : (unsigned char)(i * 31 + 3);
	if (s->decoy)
		memcpy(b + text + (s->decoy_at_end ? s->text - s->decoy_len : s->text / 2), s->decoy, s->decoy_len);
	memcpy(b + dep, s->dep, s->dep_len);
	memcpy(b + str, strtab, sizeof(strtab));
	shdr(b, s, sht + shsize, 1, 1, text, s->text);
	shdr(b, s, sht + 2 * shsize, 7, 1, dep, s->dep_len);
	shdr(b, s, sht + 3 * shsize, 15, 3, str, sizeof(strtab));
	*len = total;
	return b;
}

static void write_testdata(const char *name, const unsigned char *d, size_t n)
{
	const char *dir = getenv("ASEC_RUST_TESTDATA_OUT");
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

/* ---- tests ---- */

static void test_all_flavours(void **state)
{
	size_t clen, n, c;
	unsigned char *z = zcompress(deps_json, strlen(deps_json), &clen), *d;
	int is64, big;
	struct scan_out out;

	(void)state;
	for (is64 = 0; is64 <= 1; is64++) {
		for (big = 0; big <= 1; big++) {
			struct rustspec s = { is64, big, z, clen, NULL, 0, 150000, 0, 0 };
			d = rust_elf(&n, &s);
			for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
				stream(&out, "usr/bin/hello", d, n, chunk_sizes[c]);
				expect_deps(&out, "usr/bin/hello");
				assert_int_equal(out.note_count, 0);
				scan_out_free(&out);
			}
			free(d);
		}
	}
	{
		struct rustspec s = { 1, 0, z, clen, NULL, 0, 3000, 0, 0 };
		d = rust_elf(&n, &s);
		write_testdata("auditable.elf", d, n);
		free(d);
		d = detector_testing_read_testdata("rustbinary", "auditable.elf", &n);
		stream(&out, "app", d, n, 512);
		expect_deps(&out, "app");
		scan_out_free(&out);
		free(d);
	}
	free(z);
}

/* A copy of the data inside .text, before the real section: ignored with a note. */
static void test_decoy(void **state)
{
	const char *other = "{\"packages\":[{\"name\":\"evil\",\"version\":\"6.6.6\",\"source\":\"crates.io\"}]}";
	size_t clen, dlen, n, c;
	unsigned char *z = zcompress(deps_json, strlen(deps_json), &clen);
	unsigned char *decoy = zcompress(other, strlen(other), &dlen), *d;
	struct rustspec s = { 1, 0, z, clen, decoy, dlen, 20000, 0, 0 };
	struct scan_out out;

	(void)state;
	d = rust_elf(&n, &s);
	write_testdata("decoy.elf", d, n);
	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		stream(&out, "app", d, n, chunk_sizes[c]);
		expect_deps(&out, "app");
		assert_true(detector_testing_has_note(&out, "is not at the start of a section; ignored"));
		scan_out_free(&out);
	}
	free(d);

	/* A broken stream (the first 60% of one) running into the real section:
	 * its failure must not swallow the start of the real one. */
	s.decoy_len = dlen * 6 / 10;
	s.decoy_at_end = 1;
	d = rust_elf(&n, &s);
	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		stream(&out, "app", d, n, chunk_sizes[c]);
		expect_deps(&out, "app");
		scan_out_free(&out);
	}
	free(d);
	s.decoy_len = dlen;
	s.decoy_at_end = 0;

	/* Only the decoy: nothing. */
	s.dep = "not zlib";
	s.dep_len = 8;
	d = rust_elf(&n, &s);
	stream(&out, "app", d, n, 4096);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "is not at the start of a section; ignored"));
	scan_out_free(&out);
	free(d);

	/* Without section headers the content alone decides: the first one wins. */
	s.dep = z;
	s.dep_len = clen;
	s.no_sht = 1;
	d = rust_elf(&n, &s);
	stream(&out, "app", d, n, 4096);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "evil");
	assert_true(detector_testing_has_note(&out, "app: no section header table to check the cargo-auditable data against"));
	scan_out_free(&out);
	free(d);
	free(z);
	free(decoy);
}

/* Truncated, corrupt, oversized, not the right JSON. */
static void test_hostile(void **state)
{
	size_t clen, n, cut, blen;
	unsigned char *z = zcompress(deps_json, strlen(deps_json), &clen), *d, *big;
	struct rustspec s = { 1, 0, z, clen, NULL, 0, 100, 0, 0 };
	struct scan_out out;
	char *bomb;

	(void)state;
	d = rust_elf(&n, &s);
	/* Every cut inside the section: a note, no packages. */
	for (cut = 64 + 100; cut < 64 + 100 + clen; cut++) {
		stream(&out, "app", d, cut, 13);
		assert_int_equal(out.pkgs.count, 0);
		/* Once the probe has its few dozen bytes, the cut is noticed. */
		if (cut >= 64 + 100 + clen / 2)
			assert_true(detector_testing_has_note(&out, "app: cargo-auditable data at offset 164 cut short at the end of "
						   "the file"));
		scan_out_free(&out);
	}
	/* Flipped bits in the middle of the stream. */
	d[64 + 100 + clen / 2] ^= 0x55;
	d[64 + 100 + clen / 2 + 1] ^= 0xaa;
	stream(&out, "app", d, n, 64);
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);
	free(d);

	/* 2 MiB of JSON from a few KiB of zlib: stops at 1 MiB with a note. */
	bomb = malloc(2 << 20);
	memset(bomb, ' ', 2 << 20);
	memcpy(bomb, "{\"packages\":[", 13);
	memcpy(bomb + (2 << 20) - 3, "]}", 2);
	bomb[(2 << 20) - 1] = ' ';
	big = zcompress(bomb, 2 << 20, &blen);
	s.dep = big;
	s.dep_len = blen;
	d = rust_elf(&n, &s);
	write_testdata("json-bomb.elf", d, n);
	stream(&out, "app", d, n, 4096);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "app: cargo-auditable data at offset 164 inflates past 1 MiB; ignored"));
	scan_out_free(&out);
	free(d);
	free(big);
	free(bomb);

	/* The right prefix, then not JSON or not the schema. */
	{
		static const char *const bad[] = {
			"{\"packages\":[{\"name\":\"x\",\"version\":",
			"{\"packages\":{\"name\":\"x\"}}",
			"{\"packages\":[1,\"two\",{\"name\":\"\",\"version\":\"1\"},"
			"{\"name\":\"a b\",\"version\":\"1\"},"
			"{\"name\":\"ok\",\"version\":\"1.0.0\",\"source\":7}]}",
		};
		size_t i;
		for (i = 0; i < 3; i++) {
			unsigned char *zz = zcompress(bad[i], strlen(bad[i]), &clen);
			s.dep = zz;
			s.dep_len = clen;
			d = rust_elf(&n, &s);
			stream(&out, "app", d, n, 100);
			if (i < 2) {
				assert_int_equal(out.pkgs.count, 0);
				assert_true(detector_testing_has_note(&out, "app: cargo-auditable data is not the expected JSON"));
			} else {
				assert_int_equal(out.pkgs.count, 1);
				assert_string_equal(out.pkgs.items[0].name, "ok");
				assert_null(out.pkgs.items[0].repository_hint);
				assert_true(
					detector_testing_has_note(&out, "app: 4 crates without a usable name and version were skipped"));
			}
			scan_out_free(&out);
			free(d);
			free(zz);
		}
	}
	free(z);
}

static void test_not_elf(void **state)
{
	size_t clen;
	unsigned char *z = zcompress(deps_json, strlen(deps_json), &clen), *d = malloc(clen + 100);
	struct scan_out out;

	(void)state;
	memset(d, 'A', 100);
	memcpy(d, "#!/bin/sh\n", 10);
	memcpy(d + 100, z, clen);
	stream(&out, "bin/s", d, clen + 100, 1);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	stream(&out, "bin/s", d, 0, 1);
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);
	free(d);
	free(z);
}

/* A real toolchain's layout: cc, then objcopy --add-section. */
static void test_objcopy(void **state)
{
	char dir[] = "/tmp/rustbin-test-XXXXXX", cmd[4096], path[512];
	size_t clen, n, c;
	unsigned char *z, *d;
	FILE *f;
	struct scan_out out;

	(void)state;
	if (system("command -v cc >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1") != 0) {
		printf("SKIP: cc or objcopy not installed\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.c", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n", f);
	fclose(f);
	z = zcompress(deps_json, strlen(deps_json), &clen);
	snprintf(path, sizeof(path), "%s/dep-v0.bin", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(z, 1, clen, f), clen);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && cc -O1 -o hello main.c && objcopy --add-section .dep-v0=dep-v0.bin hello hello-auditable",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/hello-auditable", dir);
	d = testing_read_file(path, &n);
	assert_non_null(d);
	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		stream(&out, "usr/local/bin/hello", d, n, chunk_sizes[c]);
		expect_deps(&out, "usr/local/bin/hello");
		assert_int_equal(out.note_count, 0);
		scan_out_free(&out);
	}
	free(d);
	/* The same binary without the section: nothing, silently. */
	snprintf(path, sizeof(path), "%s/hello", dir);
	d = testing_read_file(path, &n);
	stream(&out, "usr/local/bin/hello", d, n, 4096);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(d);
	free(z);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(detector_rustbinary.match("app/server", 10, 0755));
	assert_true(detector_rustbinary.match("usr/local/bin/tool", 18, 0644));
	assert_false(detector_rustbinary.match("usr/share/doc/README", 20, 0644));
	assert_string_equal(detector_rustbinary.name, "rustbinary");
	assert_null(detector_rustbinary.scan);
	assert_non_null(detector_rustbinary.stream_chunk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_all_flavours),
		cmocka_unit_test(test_decoy),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_objcopy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
