/*
 * java_test.c - the Java archive detector against Trivy's jar fixtures and
 * against hostile archives.
 *
 * Fixture expectations: the package lists of Trivy's parse_test.go for the
 * same jars (wantFatjar, wantNestedJar, wantOffline - Trivy's offline mode is
 * ours, as we do no Maven Central lookups), plus our own documented choices
 * where Trivy needs the network (the file name heuristic, the Jenkins plugin
 * manifest). They are cross-checked against the fixture's expected.json
 * (a plain zip read): every pom.properties it lists must come out as a
 * package with that path.
 *
 * Hostile archives are built here, in memory, by a small zip writer (stored
 * or deflated entries, optional data descriptors, a central directory that
 * can be told to lie): a 1 GiB zip bomb behind a 1 MiB entry, a jar nested
 * ten deep, lying sizes, every truncation of a jar, a prepended launch
 * script. ASEC_JAVA_TESTDATA_OUT=<dir> writes the small ones out; that is how
 * testdata/java/ and the fuzz seeds were made, and the test reads those
 * files back to keep them honest.
 */
#include <zlib.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_java;

/* ---- a small zip writer ---- */

struct zw_entry {
	char name[512];
	uint32_t crc, csize, usize, off;
	uint16_t method, flags;
};

struct zw {
	unsigned char *buf;
	size_t len, cap;
	struct zw_entry ent[64];
	size_t n;
};

static void zw_put(struct zw *z, const void *p, size_t n)
{
	if (z->len + n > z->cap) {
		z->cap = (z->len + n) * 2 + 1024;
		z->buf = realloc(z->buf, z->cap);
		assert_non_null(z->buf);
	}
	memcpy(z->buf + z->len, p, n);
	z->len += n;
}

static void zw_u16(struct zw *z, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	zw_put(z, b, 2);
}

static void zw_u32(struct zw *z, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	zw_put(z, b, 4);
}

static unsigned char *raw_deflate(const unsigned char *d, size_t n, size_t *out_len)
{
	z_stream s;
	uLong bound;
	unsigned char *out;

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&s, (uLong)n) + 16;
	out = malloc(bound);
	assert_non_null(out);
	s.next_in = (unsigned char *)d;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = (uInt)bound;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	*out_len = s.total_out;
	deflateEnd(&s);
	return out;
}

/* Adds an entry whose (already compressed) bytes are given; the headers
 * claim csize compressed bytes (a lie when it is not clen). */
static void zw_add_claim(struct zw *z, const char *name, const unsigned char *cdata, size_t clen, uint32_t csize,
			 uint32_t usize, uint32_t crc, uint16_t method, int descriptor)
{
	struct zw_entry *e = &z->ent[z->n++];

	assert_true(z->n <= 64);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->crc = crc;
	e->csize = csize;
	e->usize = usize;
	e->off = (uint32_t)z->len;
	e->method = method;
	e->flags = descriptor ? 0x8 : 0;
	zw_u32(z, 0x04034b50);
	zw_u16(z, 20);
	zw_u16(z, e->flags);
	zw_u16(z, method);
	zw_u16(z, 0);
	zw_u16(z, 0x21);
	zw_u32(z, descriptor ? 0 : crc);
	zw_u32(z, descriptor ? 0 : e->csize);
	zw_u32(z, descriptor ? 0 : usize);
	zw_u16(z, (unsigned)strlen(name));
	zw_u16(z, 0);
	zw_put(z, name, strlen(name));
	zw_put(z, cdata, clen);
	if (descriptor) {
		zw_u32(z, 0x08074b50);
		zw_u32(z, crc);
		zw_u32(z, e->csize);
		zw_u32(z, usize);
	}
}

static void zw_add_raw(struct zw *z, const char *name, const unsigned char *cdata, size_t clen, uint32_t usize,
		       uint32_t crc, uint16_t method, int descriptor)
{
	zw_add_claim(z, name, cdata, clen, (uint32_t)clen, usize, crc, method, descriptor);
}

static void zw_add(struct zw *z, const char *name, const void *data, size_t n, int deflated)
{
	uint32_t crc = (uint32_t)crc32(0, data, (uInt)n);

	if (deflated) {
		size_t clen;
		unsigned char *c = raw_deflate(data, n, &clen);
		zw_add_raw(z, name, c, clen, (uint32_t)n, crc, 8, 0);
		free(c);
	} else {
		zw_add_raw(z, name, data, n, (uint32_t)n, crc, 0, 0);
	}
}

static void zw_add_str(struct zw *z, const char *name, const char *text)
{
	zw_add(z, name, text, strlen(text), 1);
}

/* Writes the central directory; lie_usize/lie_csize replace the sizes of
 * every entry with that name when non-zero. Returns the buffer (owned by caller). */
static unsigned char *zw_finish_lying(struct zw *z, size_t *len, const char *lie_name, uint32_t lie_usize,
				      uint32_t lie_csize)
{
	size_t i, cd = z->len;

	for (i = 0; i < z->n; i++) {
		struct zw_entry *e = &z->ent[i];
		int lie = lie_name && strcmp(e->name, lie_name) == 0;
		zw_u32(z, 0x02014b50);
		zw_u16(z, 0x031e);
		zw_u16(z, 20);
		zw_u16(z, e->flags);
		zw_u16(z, e->method);
		zw_u16(z, 0);
		zw_u16(z, 0x21);
		zw_u32(z, e->crc);
		zw_u32(z, lie && lie_csize ? lie_csize : e->csize);
		zw_u32(z, lie && lie_usize ? lie_usize : e->usize);
		zw_u16(z, (unsigned)strlen(e->name));
		zw_u16(z, 0);
		zw_u16(z, 0);
		zw_u16(z, 0);
		zw_u16(z, 0);
		zw_u32(z, 0100644u << 16);
		zw_u32(z, e->off);
		zw_put(z, e->name, strlen(e->name));
	}
	zw_u32(z, 0x06054b50);
	zw_u16(z, 0);
	zw_u16(z, 0);
	zw_u16(z, (unsigned)z->n);
	zw_u16(z, (unsigned)z->n);
	zw_u32(z, (uint32_t)(z->len - cd));
	zw_u32(z, (uint32_t)cd);
	zw_u16(z, 0);
	*len = z->len;
	return z->buf;
}

static unsigned char *zw_finish(struct zw *z, size_t *len)
{
	return zw_finish_lying(z, len, NULL, 0, 0);
}

/* A raw deflate stream of `mib` MiB of zeros, about 1 KiB per MiB: one
 * full-flushed block repeated (a full flush leaves no back references into
 * earlier blocks, so copies of it chain), then an empty final block. */
static unsigned char *zero_bomb(size_t mib, size_t *clen, uint32_t *crc)
{
	static unsigned char zeros[1 << 20];
	unsigned char *block, *out;
	size_t blen, i;
	z_stream s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	block = malloc(1 << 16);
	assert_non_null(block);
	s.next_in = zeros;
	s.avail_in = sizeof(zeros);
	s.next_out = block;
	s.avail_out = 1 << 16;
	assert_int_equal(deflate(&s, Z_FULL_FLUSH), Z_OK);
	assert_int_equal(s.avail_in, 0);
	blen = (1 << 16) - s.avail_out;
	deflateEnd(&s);
	out = malloc(blen * mib + 2);
	assert_non_null(out);
	for (i = 0; i < mib; i++)
		memcpy(out + i * blen, block, blen);
	out[mib * blen] = 0x03; /* final, fixed Huffman, end of block */
	out[mib * blen + 1] = 0x00;
	*clen = mib * blen + 2;
	*crc = 0;
	for (i = 0; i < mib; i++)
		*crc = (uint32_t)crc32(*crc, zeros, sizeof(zeros));
	free(block);
	return out;
}

/* ---- helpers ---- */

static void scan(struct scan_out *out, const char *path, const unsigned char *d, size_t n)
{
	memset(out, 0, sizeof(*out));
	assert_true(detector_java.match(path, strlen(path), 0644));
	assert_int_equal(detector_java.scan(out, path, d, n), ASEC_OK);
	if (getenv("ASEC_TEST_VERBOSE")) {
		printf("scan %s (%zu bytes)\n", path, n);
		detector_testing_dump(out);
	}
}

static const struct pkg *find(const struct scan_out *out, const char *name, const char *version)
{
	size_t i;

	for (i = 0; i < out->pkgs.count; i++) {
		const struct pkg *p = &out->pkgs.items[i];
		if (strcmp(p->name, name) == 0 && strcmp(p->version ? p->version : "", version) == 0)
			return p;
	}
	return NULL;
}

struct want {
	const char *name, *version, *package_db, *hint, *purl;
};

/* The scan result must be exactly these packages, every field. */
static void expect_exactly(const struct scan_out *out, const struct want *w, size_t n)
{
	size_t i;

	if (out->pkgs.count != n)
		detector_testing_dump(out);
	assert_int_equal(out->pkgs.count, n);
	for (i = 0; i < n; i++) {
		const struct pkg *p = find(out, w[i].name, w[i].version);
		if (!p) {
			detector_testing_dump(out);
			fail_msg("missing %s %s", w[i].name, w[i].version);
		}
		assert_string_equal(p->package_db, w[i].package_db);
		assert_string_equal(p->repository_hint, w[i].hint);
		assert_string_equal(p->purl, w[i].purl);
		assert_string_equal(p->ecosystem, "maven");
		assert_string_equal(p->kind, "binary");
	}
}

static void write_testdata(const char *name, const unsigned char *d, size_t n)
{
	const char *dir = getenv("ASEC_JAVA_TESTDATA_OUT");
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

static unsigned char *fixture(const char *jar, size_t *n)
{
	char dir[1024], path[1200];
	unsigned char *d;

	testing_shared_path(dir, sizeof(dir), "fixtures/lang/java/trivy-jar");
	snprintf(path, sizeof(path), "%s/%s", dir, jar);
	d = testing_read_file(path, n);
	if (!d)
		fail_msg("cannot read %s", path);
	return d;
}

/* ---- fixtures ---- */

static void check_fixture(const char *jar, const struct want *w, size_t n)
{
	struct scan_out out;
	char path[256];
	size_t len;
	unsigned char *d = fixture(jar, &len);

	snprintf(path, sizeof(path), "app/%s", jar);
	scan(&out, path, d, len);
	expect_exactly(&out, w, n);
	scan_out_free(&out);
	free(d);
}

#define PP(jar, g, a) "app/" jar ":META-INF/maven/" g "/" a "/pom.properties"

static void test_fixture_fat_jar(void **state)
{
	static const struct want w[] = {
		{ "org.apache.hadoop.thirdparty:hadoop-shaded-guava", "1.1.0-SNAPSHOT",
		  PP("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "org.apache.hadoop.thirdparty", "hadoop-shaded-guava"),
		  "pom.properties", "pkg:maven/org.apache.hadoop.thirdparty/hadoop-shaded-guava@1.1.0-SNAPSHOT" },
		{ "com.google.j2objc:j2objc-annotations", "1.3",
		  PP("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "com.google.j2objc", "j2objc-annotations"),
		  "pom.properties", "pkg:maven/com.google.j2objc/j2objc-annotations@1.3" },
		{ "com.google.guava:guava", "29.0-jre",
		  PP("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "com.google.guava", "guava"), "pom.properties",
		  "pkg:maven/com.google.guava/guava@29.0-jre" },
		{ "com.google.guava:failureaccess", "1.0.1",
		  PP("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "com.google.guava", "failureaccess"), "pom.properties",
		  "pkg:maven/com.google.guava/failureaccess@1.0.1" },
		{ "com.google.guava:listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava",
		  PP("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "com.google.guava", "listenablefuture"),
		  "pom.properties",
		  "pkg:maven/com.google.guava/listenablefuture@9999.0-empty-to-avoid-conflict-with-guava" },
	};
	(void)state;
	/* The archive's own pom.properties matches its file name: the manifest is not used. */
	check_fixture("hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", w, 5);
}

static void test_fixture_nested(void **state)
{
	static const struct want w[] = {
		{ "test:nested", "0.0.1", "app/nested.jar:META-INF/nested/pom.properties", "pom.properties",
		  "pkg:maven/test/nested@0.0.1" },
		{ "test:nested2", "0.0.2", "app/nested.jar:META-INF/jars/nested2.jar:META-INF/nested2/pom.properties",
		  "pom.properties", "pkg:maven/test/nested2@0.0.2" },
		{ "test:nested3", "0.0.3",
		  "app/nested.jar:META-INF/jars/nested2.jar:META-INF/jars/nested3.jar:META-INF/nested3/pom.properties",
		  "pom.properties", "pkg:maven/test/nested3@0.0.3" },
	};
	(void)state;
	check_fixture("nested.jar", w, 3);
}

static void test_fixture_manifest_only(void **state)
{
	/* Trivy's wantOffline: group from Bundle-SymbolicName, artifact from Implementation-Title. */
	static const struct want spring[] = {
		{ "org.springframework:Spring Framework", "2.5.6.SEC03", "app/test.jar:META-INF/MANIFEST.MF",
		  "manifest",
		  "pkg:maven/org.springframework/Spring%20Framework@2.5.6.SEC03" },
	};
	/* Implementation-Vendor-Id wins for the group. */
	static const struct want jenkins[] = {
		{ "com.example:jenkins-plugin", "1.0.0", "app/license-from-jenkins-plugin.jar:META-INF/MANIFEST.MF",
		  "manifest", "pkg:maven/com.example/jenkins-plugin@1.0.0" },
	};
	(void)state;
	check_fixture("test.jar", spring, 1);
	check_fixture("license-from-jenkins-plugin.jar", jenkins, 1);
}

static void test_fixture_pom_and_name(void **state)
{
	static const struct want multi[] = {
		{ "com.example:multi-license", "1.0.0", PP("multi-license-1.0.0.jar", "com.example", "multi-license"),
		  "pom.properties", "pkg:maven/com.example/multi-license@1.0.0" },
	};
	/* No pom.properties, a manifest without coordinates: the file name, no group
	 * (Trivy would ask Maven Central for one). */
	static const struct want heuristic[] = {
		{ "heuristic", "1.0.0-SNAPSHOT", "app/heuristic-1.0.0-SNAPSHOT.jar", "filename",
		  "pkg:maven/heuristic@1.0.0-SNAPSHOT" },
	};
	(void)state;
	check_fixture("multi-license-1.0.0.jar", multi, 1);
	check_fixture("heuristic-1.0.0-SNAPSHOT.jar", heuristic, 1);
}

/* Every fact in expected.json must be visible in our output. */
static void test_fixture_expected_json(void **state)
{
	char dir[1024], path[1200];
	json_t *root, *jars, *jar;
	json_error_t err;
	const char *name;

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/lang/java/trivy-jar");
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	root = json_load_file(path, 0, &err);
	assert_non_null(root);
	jars = json_object_get(root, "jars");
	assert_true(json_object_size(jars) == 6);
	json_object_foreach(jars, name, jar)
	{
		struct scan_out out;
		char label[256];
		size_t len, i, pi;
		unsigned char *d = fixture(name, &len);
		json_t *poms = json_object_get(jar, "pomProperties"), *pom;
		json_t *nested = json_object_get(jar, "nestedJars");
		json_t *mf = json_object_get(jar, "manifest");

		snprintf(label, sizeof(label), "app/%s", name);
		scan(&out, label, d, len);
		json_array_foreach(poms, pi, pom)
		{
			char pname[512], db[1024];
			const struct pkg *p;
			snprintf(pname, sizeof(pname), "%s:%s", json_string_value(json_object_get(pom, "groupId")),
				 json_string_value(json_object_get(pom, "artifactId")));
			p = find(&out, pname, json_string_value(json_object_get(pom, "version")));
			assert_non_null(p);
			snprintf(db, sizeof(db), "%s:%s", label, json_string_value(json_object_get(pom, "path")));
			assert_string_equal(p->package_db, db);
		}
		if (json_array_size(poms) == 0 && json_object_get(mf, "Implementation-Title")) {
			/* Identified by the manifest: artifact and version are its Implementation-*. */
			const char *title = json_string_value(json_object_get(mf, "Implementation-Title"));
			const char *ver = json_string_value(json_object_get(mf, "Implementation-Version"));
			int found = 0;
			for (i = 0; i < out.pkgs.count; i++) {
				const char *colon = strchr(out.pkgs.items[i].name, ':');
				const struct pkg *p = &out.pkgs.items[i];
				if (colon && strcmp(colon + 1, title) == 0 && strcmp(p->version, ver) == 0 &&
				    strcmp(p->repository_hint, "manifest") == 0)
					found = 1;
			}
			assert_true(found);
		}
		json_array_foreach(nested, pi, pom)
		{
			char prefix[1024];
			int found = 0;
			snprintf(prefix, sizeof(prefix), "%s:%s:", label, json_string_value(pom));
			for (i = 0; i < out.pkgs.count; i++)
				found |= strncmp(out.pkgs.items[i].package_db, prefix, strlen(prefix)) == 0;
			assert_true(found);
		}
		scan_out_free(&out);
		free(d);
	}
	json_decref(root);
}

/* ---- built archives ---- */

static unsigned char *simple_jar(size_t *n, const char *group, const char *artifact, const char *version,
				 const char *nested_name, const unsigned char *nested, size_t nested_len)
{
	struct zw z = { 0 };
	char props[512], path[512];

	zw_add_str(&z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n");
	if (group) {
		snprintf(props, sizeof(props), "#Generated by Maven\ngroupId=%s\nartifactId=%s\nversion=%s\n", group,
			 artifact, version);
		snprintf(path, sizeof(path), "META-INF/maven/%s/%s/pom.properties", group, artifact);
		zw_add_str(&z, path, props);
	}
	zw_add_str(&z, "com/example/Main.class", "\xca\xfe\xba\xbe not really a class");
	if (nested)
		zw_add(&z, nested_name, nested, nested_len, 0);
	return zw_finish(&z, n);
}

static void test_war_layout(void **state)
{
	struct zw z = { 0 };
	struct scan_out out;
	size_t n, n1, n2;
	unsigned char *lib1 = simple_jar(&n1, "org.slf4j", "slf4j-api", "1.7.30", NULL, NULL, 0);
	unsigned char *lib2 = simple_jar(&n2, NULL, NULL, NULL, NULL, NULL, 0);
	unsigned char *war;
	static const struct want w[] = {
		{ "com.example:web-app", "1.0-SNAPSHOT",
		  "srv/web-app.war:WEB-INF/classes/META-INF/maven/com.example/web-app/pom.properties", "pom.properties",
		  "pkg:maven/com.example/web-app@1.0-SNAPSHOT" },
		{ "org.slf4j:slf4j-api", "1.7.30",
		  "srv/web-app.war:WEB-INF/lib/slf4j-api-1.7.30.jar:META-INF/maven/org.slf4j/slf4j-api/pom.properties",
		  "pom.properties", "pkg:maven/org.slf4j/slf4j-api@1.7.30" },
		{ "commons-lang3", "3.11", "srv/web-app.war:BOOT-INF/lib/commons-lang3-3.11.jar", "filename",
		  "pkg:maven/commons-lang3@3.11" },
		{ "org.eclipse:osgi", "3.9.1.v20130814",
		  "srv/web-app.war:lib/osgi.jar:META-INF/MANIFEST.MF", "manifest",
		  "pkg:maven/org.eclipse/osgi@3.9.1.v20130814" },
	};
	struct zw o = { 0 };
	size_t on;
	unsigned char *osgi;

	(void)state;
	/* An OSGi bundle: continuation lines, CRLF, parameters after the symbolic name. */
	zw_add_str(&o, "META-INF/MANIFEST.MF",
		   "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.eclipse.osgi; singleton:=tr\r\n ue\r\n"
		   "Bundle-Name: os\r\n gi\r\nBundle-Version: 3.9.1.v20130814\r\n\r\n"
		   "Name: x\r\nImplementation-Title: no\r\n");
	osgi = zw_finish(&o, &on);

	zw_add_str(&z, "WEB-INF/classes/META-INF/maven/com.example/web-app/pom.properties",
		   "groupId = com.example\r\nartifactId: web-app\r\n! comment\r\nversion 1.0-SNAPSHOT\r\n");
	zw_add(&z, "WEB-INF/lib/slf4j-api-1.7.30.jar", lib1, n1, 1);
	zw_add(&z, "BOOT-INF/lib/commons-lang3-3.11.jar", lib2, n2, 0);
	zw_add(&z, "lib/osgi.jar", osgi, on, 1);
	war = zw_finish(&z, &n);
	scan(&out, "srv/web-app.war", war, n);
	expect_exactly(&out, w, 4);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(war);
	free(lib1);
	free(lib2);
	free(osgi);
}

/* A pom.properties copied twice into one archive is one package. */
static void test_duplicates(void **state)
{
	struct zw z = { 0 };
	struct scan_out out;
	size_t n;
	unsigned char *jar;
	const char *props = "groupId=com.fasterxml.jackson.core\nartifactId=jackson-databind\nversion=2.13.4\n";

	(void)state;
	zw_add_str(&z, "foo/foo/pom.properties", props);
	zw_add_str(&z, "bar/bar/pom.properties", props);
	zw_add_str(&z, "bar/baz/pom.properties", "groupId=g\nartifactId=a\n");
	jar = zw_finish(&z, &n);
	scan(&out, "x.jar", jar, n);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].package_db, "x.jar:foo/foo/pom.properties");
	assert_true(detector_testing_has_note(&out, "bar/baz/pom.properties: no groupId, artifactId and version"));
	scan_out_free(&out);
	free(jar);
}

static unsigned char *bomb_jar(size_t *n, size_t mib)
{
	struct zw z = { 0 };
	size_t clen, inner_n;
	uint32_t crc;
	unsigned char *bomb = zero_bomb(mib, &clen, &crc);
	unsigned char *inner;

	/* The manifest and a nested jar inflate to `mib` MiB of zeros each; the
	 * manifest claims to be 200 bytes, the jar tells the truth. */
	zw_add_raw(&z, "META-INF/MANIFEST.MF", bomb, clen, 200, crc, 8, 0);
	zw_add_str(&z, "META-INF/maven/com.example/bomb/pom.properties",
		   "groupId=com.example\nartifactId=bomb\nversion=6.6.6\n");
	zw_add_raw(&z, "WEB-INF/lib/zeros-1.0.jar", bomb, clen, (uint32_t)(mib << 20), crc, 8, 0);
	inner = simple_jar(&inner_n, "org.after", "after", "1.0", NULL, NULL, 0);
	zw_add(&z, "WEB-INF/lib/after.jar", inner, inner_n, 1);
	free(inner);
	free(bomb);
	return zw_finish(&z, n);
}

static void check_bomb(const unsigned char *d, size_t n, int nested_over_limit)
{
	struct scan_out out;

	scan(&out, "bomb.war", d, n);
	assert_true(detector_testing_has_note(&out, "bomb.war:META-INF/MANIFEST.MF: inflates past the 1 MiB limit (zip bomb?)"));
	assert_non_null(find(&out, "com.example:bomb", "6.6.6"));
	assert_non_null(find(&out, "org.after:after", "1.0"));
	if (nested_over_limit) {
		assert_true(detector_testing_has_note(&out, "bomb.war:WEB-INF/lib/zeros-1.0.jar: nested archive of 1073741824 bytes is "
					   "over the 64 MiB limit; identified by name only"));
		assert_non_null(find(&out, "zeros", "1.0"));
	} else {
		/* Small enough to inflate: it is just not a zip. */
		assert_true(detector_testing_has_note(&out, "bomb.war:WEB-INF/lib/zeros-1.0.jar: not a zip archive"));
	}
	scan_out_free(&out);
}

/* 1 GiB of zeros from a ~1 MiB archive: stops at the caps, keeps the rest. */
static void test_zip_bomb(void **state)
{
	size_t n;
	unsigned char *d = bomb_jar(&n, 1024);

	(void)state;
	assert_true(n < (3u << 20)); /* two 1 GiB entries */
	check_bomb(d, n, 1);
	free(d);
	d = bomb_jar(&n, 2);
	write_testdata("bomb-2mib.war", d, n);
	check_bomb(d, n, 0);
	free(d);
	d = detector_testing_read_testdata("java", "bomb-2mib.war", &n);
	check_bomb(d, n, 0);
	free(d);
}

/* level0.jar contains lib/level1-1.0.jar, which contains lib/level2-1.0.jar, ... */
static unsigned char *deep_jar(size_t *n, int levels)
{
	unsigned char *inner = NULL, *jar = NULL;
	size_t inner_n = 0;
	int i;

	for (i = levels - 1; i >= 0; i--) {
		char artifact[32], nested[64];
		snprintf(artifact, sizeof(artifact), "level%d", i);
		snprintf(nested, sizeof(nested), "lib/level%d-1.0.jar", i + 1);
		jar = simple_jar(n, "deep", artifact, "1.0", nested, inner, inner_n);
		free(inner);
		inner = jar;
		inner_n = *n;
	}
	return jar;
}

static void check_deep(const unsigned char *d, size_t n)
{
	struct scan_out out;
	char name[32];
	int i;

	scan(&out, "deep.jar", d, n);
	/* The top archive and 4 nested levels are read; the 5th is named only. */
	for (i = 0; i <= 4; i++) {
		snprintf(name, sizeof(name), "deep:level%d", i);
		assert_non_null(find(&out, name, "1.0"));
	}
	assert_non_null(find(&out, "level5", "1.0"));
	assert_string_equal(find(&out, "level5", "1.0")->repository_hint, "filename");
	assert_int_equal(out.pkgs.count, 6);
	assert_true(detector_testing_has_note(&out, "lib/level5-1.0.jar: archives nested deeper than 4 levels are not opened"));
	assert_string_equal(find(&out, "deep:level4", "1.0")->package_db,
			    "deep.jar:lib/level1-1.0.jar:lib/level2-1.0.jar:lib/level3-1.0.jar:lib/level4-1.0.jar:"
			    "META-INF/maven/deep/level4/pom.properties");
	scan_out_free(&out);
}

static void test_nested_ten_deep(void **state)
{
	size_t n;
	unsigned char *d = deep_jar(&n, 10);

	(void)state;
	write_testdata("nested-10-deep.jar", d, n);
	check_deep(d, n);
	free(d);
	d = detector_testing_read_testdata("java", "nested-10-deep.jar", &n);
	check_deep(d, n);
	free(d);
}

/* Sizes that disagree with the data: in both headers (a consistent lie),
 * or in the central directory only. */
static void test_lying_sizes(void **state)
{
	struct scan_out out;
	size_t n, clen, i;
	uint32_t crc;
	unsigned char *d, *bomb = zero_bomb(80, &clen, &crc);
	/* { local csize, local usize, central csize, central usize, next entry still read }; 0 = the truth */
	const uint32_t lies[][5] = {
		{ 0, 10, 0, 10, 1 },		/* 80 MiB that claim to be 10 bytes */
		{ 3, 0, 3, 0, 1 },		/* compressed size too small */
		/* compressed size past the end of the file: libarchive gives up on the
		 * archive at the next header; what was read before stays */
		{ 0x7fffffff, 0, 0x7fffffff, 0, 0 },
		{ 0, 0xffffffffu, 0, 0xffffffffu, 1 },
		{ 0, 0, 1, 1, 1 },		/* only the central directory lies */
		{ 1, 1, 0, 0, 1 },		/* only the local header lies */
	};

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct zw z = { 0 };
		uint32_t lc = lies[i][0] ? lies[i][0] : (uint32_t)clen, lu = lies[i][1] ? lies[i][1] : 80u << 20;
		/* The pom.properties around the liar are honest. */
		zw_add_str(&z, "META-INF/maven/g/honest/pom.properties", "groupId=g\nartifactId=honest\nversion=1\n");
		zw_add_claim(&z, "WEB-INF/lib/liar-2.0.jar", bomb, clen, lc, lu, crc, 8, 0);
		zw_add_str(&z, "META-INF/maven/g/later/pom.properties", "groupId=g\nartifactId=later\nversion=2\n");
		d = zw_finish_lying(&z, &n, "WEB-INF/lib/liar-2.0.jar", lies[i][3], lies[i][2]);
		if (i == 0)
			write_testdata("lying-sizes.jar", d, n);
		scan(&out, "liar.jar", d, n);
		assert_non_null(find(&out, "g:honest", "1"));
		/* The central directory's offsets are true: the next entry is still found. */
		if (lies[i][4])
			assert_non_null(find(&out, "g:later", "2"));
		else
			assert_true(detector_testing_has_note(&out, "liar.jar: corrupt zip after 2 entries"));
		/* Never read past the nested cap; the liar is named by its file name. */
		assert_true(detector_testing_has_note(&out, "liar.jar:WEB-INF/lib/liar-2.0.jar: "));
		assert_non_null(find(&out, "liar", "2.0"));
		scan_out_free(&out);
		free(d);
	}
	free(bomb);
	d = detector_testing_read_testdata("java", "lying-sizes.jar", &n);
	scan(&out, "liar.jar", d, n);
	assert_true(detector_testing_has_note(&out, "liar.jar:WEB-INF/lib/liar-2.0.jar: nested archive inflates past the 64 MiB limit"));
	assert_non_null(find(&out, "g:honest", "1"));
	assert_non_null(find(&out, "g:later", "2"));
	scan_out_free(&out);
	free(d);
}

/* Every prefix of a jar: never a crash, and what was complete is kept. */
static void test_truncated(void **state)
{
	struct scan_out out;
	size_t n, cut, pom_end = 0, i;
	unsigned char *d = simple_jar(&n, "org.trunc", "trunc", "3.1", NULL, NULL, 0);

	(void)state;
	/* Where the pom.properties entry's data ends (the local header after it). */
	for (i = 0; i + 4 < n; i++)
		if (memcmp(d + i, "PK\003\004", 4) == 0 && i > 0 && pom_end == 0 &&
		    memmem(d, i, "pom.properties", 14))
			pom_end = i;
	assert_true(pom_end > 0);
	for (cut = 0; cut < n; cut++) {
		scan(&out, "trunc.jar", d, cut);
		if (cut >= pom_end)
			assert_non_null(find(&out, "org.trunc:trunc", "3.1"));
		if (cut > 0 && cut < n - 22)
			assert_true(out.note_count > 0);
		scan_out_free(&out);
	}
	write_testdata("truncated.jar", d, pom_end + 40);
	free(d);
	d = detector_testing_read_testdata("java", "truncated.jar", &n);
	scan(&out, "trunc.jar", d, n);
	assert_non_null(find(&out, "org.trunc:trunc", "3.1"));
	assert_true(
		detector_testing_has_note(&out, "trunc.jar: no readable end of central directory (truncated?); entries read in order"));
	scan_out_free(&out);
	free(d);
}

/* Truncated, so read in order, with data descriptors (size unknown until
 * the end of the data): the bomb must be drained within the budget, not
 * inflated to the end by libarchive's skip. */
static void test_streaming_bomb(void **state)
{
	struct zw z = { 0 };
	struct scan_out out;
	size_t n, clen;
	uint32_t crc;
	unsigned char *bomb = zero_bomb(1024, &clen, &crc), *d;

	(void)state;
	zw_add_raw(&z, "META-INF/MANIFEST.MF", bomb, clen, 0, crc, 8, 1);
	zw_add_raw(&z, "a/Big.class", bomb, clen, 0, crc, 8, 1);
	zw_add_str(&z, "META-INF/maven/g/streamed/pom.properties", "groupId=g\nartifactId=streamed\nversion=1\n");
	d = zw_finish(&z, &n);
	scan(&out, "s.jar", d, n - 30); /* no end record: the streaming reader */
	assert_true(detector_testing_has_note(&out, "s.jar: no readable end of central directory"));
	assert_true(detector_testing_has_note(&out, "META-INF/MANIFEST.MF: inflates past the 1 MiB limit"));
	/* 1 GiB + 1 GiB of zeros is over the 512 MiB budget: reading stops there. */
	assert_true(detector_testing_has_note(&out, "s.jar: stopped after inflating 512 MiB in total"));
	assert_null(find(&out, "g:streamed", "1"));
	scan_out_free(&out);
	free(d);
	free(bomb);
}

static void test_not_zip_and_prefix(void **state)
{
	struct scan_out out;
	unsigned char junk[300];
	size_t n, i;
	unsigned char *jar = simple_jar(&n, "org.boot", "app", "2.7.0", NULL, NULL, 0);
	const char *script =
		"#!/bin/bash\n# launch script of a fully executable Spring Boot jar\nexec java -jar \"$0\"\n";
	unsigned char *exe = malloc(n + strlen(script));

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	scan(&out, "opt/junk-9.9.jar", junk, sizeof(junk));
	assert_true(detector_testing_has_note(&out, "opt/junk-9.9.jar: not a zip archive"));
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].repository_hint, "filename");
	scan_out_free(&out);

	scan(&out, "empty.jar", junk, 0);
	assert_int_equal(out.pkgs.count, 0);
	scan_out_free(&out);

	memcpy(exe, script, strlen(script));
	memcpy(exe + strlen(script), jar, n);
	scan(&out, "app.jar", exe, n + strlen(script));
	assert_non_null(find(&out, "org.boot:app", "2.7.0"));
	scan_out_free(&out);
	free(exe);
	free(jar);
}

/* An end record claiming more entries than we hand to the seekable reader. */
static void test_entry_count_cap(void **state)
{
	struct scan_out out;
	size_t n;
	unsigned char *d = simple_jar(&n, "org.many", "many", "1", NULL, NULL, 0);

	(void)state;
	/* Replace the short counts with 0xffff and add a zip64 locator + record claiming 2^40 entries. */
	{
		unsigned char *eocd = d + n - 22, z64[56 + 20], *big;
		uint64_t count = (uint64_t)1 << 40, off = n - 22;
		int b;
		memset(z64, 0, sizeof(z64));
		memcpy(z64, "PK\006\006", 4);
		for (b = 0; b < 8; b++) {
			z64[24 + b] = (unsigned char)(count >> (8 * b));
			z64[32 + b] = (unsigned char)(count >> (8 * b));
		}
		memcpy(z64 + 56, "PK\006\007", 4);
		for (b = 0; b < 8; b++)
			z64[56 + 8 + b] = (unsigned char)(off >> (8 * b));
		eocd[8] = eocd[9] = eocd[10] = eocd[11] = 0xff;
		big = malloc(n + sizeof(z64));
		memcpy(big, d, n - 22);
		memcpy(big + n - 22, z64, sizeof(z64));
		memcpy(big + n - 22 + sizeof(z64), eocd, 22);
		scan(&out, "many.jar", big, n + sizeof(z64));
		free(big);
	}
	assert_true(detector_testing_has_note(&out, "many.jar: central directory lists 1099511627776 entries"));
	/* Read in order instead, the pom.properties is still found. */
	assert_non_null(find(&out, "org.many:many", "1"));
	scan_out_free(&out);
	free(d);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(detector_java.match("a/b.jar", 7, 0644));
	assert_true(detector_java.match("x.WAR", 5, 0644));
	assert_true(detector_java.match("p/x.ear", 7, 0644));
	assert_true(detector_java.match("var/jenkins_home/plugins/git.jpi", 32, 0644));
	assert_true(detector_java.match("git.hpi", 7, 0644));
	assert_false(detector_java.match(".jar", 4, 0644));
	assert_false(detector_java.match("a/b.jar.sha1", 12, 0644));
	assert_false(detector_java.match("a/b.zip", 7, 0644));
	assert_string_equal(detector_java.name, "java");
	assert_true(detector_java.max_file_bytes == (size_t)128 << 20);
	assert_non_null(detector_java.scan);
	assert_null(detector_java.stream_begin);
}

/* The committed fuzz seeds scan without trouble (and were made by this test). */
static void test_seeds(void **state)
{
	(void)state;
	if (getenv("ASEC_JAVA_TESTDATA_OUT")) {
		size_t n;
		unsigned char *d = simple_jar(&n, "org.seed", "seed", "1.0", NULL, NULL, 0);
		write_testdata("simple-1.0.jar", d, n);
		free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_fixture_fat_jar),
		cmocka_unit_test(test_fixture_nested),
		cmocka_unit_test(test_fixture_manifest_only),
		cmocka_unit_test(test_fixture_pom_and_name),
		cmocka_unit_test(test_fixture_expected_json),
		cmocka_unit_test(test_war_layout),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_nested_ten_deep),
		cmocka_unit_test(test_lying_sizes),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_streaming_bomb),
		cmocka_unit_test(test_not_zip_and_prefix),
		cmocka_unit_test(test_entry_count_cap),
		cmocka_unit_test(test_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
