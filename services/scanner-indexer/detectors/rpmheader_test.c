/*
 * rpmheader_test.c - the header blob parser against hostile input: counts
 * that claim 2^31 entries, offsets outside the data store, strings without a
 * terminator, broken region trailers, every truncation of a real header; and
 * the OpenPGP key id reader against the packet shapes rpm headers carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "detectors/rpmheader.h"
#include "detectors/rpmtest.h"
#include "error/error.h"

static struct rpmtest_hdr hdr;

static int parse_built(struct rpmheader_info *info, int region)
{
	size_t len;
	unsigned char *blob = rpmtest_hdr_blob(&hdr, region, &len);
	int rc;

	assert_non_null(blob);
	rc = rpmheader_parse(info, blob, len);
	free(blob);
	return rc;
}

static void test_single_header_and_truncations(void **state)
{
	struct rpmheader_info info;
	char path[1024];
	unsigned char *data, *copy;
	size_t len, n;

	(void)state;
	rpmtest_fixture(path, sizeof(path), "claircore-single-header/package.header");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	assert_int_equal(rpmheader_parse(&info, data, len), ASEC_OK);
	assert_int_equal(info.name.len, strlen("crypto-policies"));
	assert_memory_equal(info.name.s, "crypto-policies", info.name.len);
	assert_memory_equal(info.release.s, "1.git5c710c0.fc34", info.release.len);
	assert_false(info.has_epoch);
	assert_true(info.has_digest_algo);
	assert_int_equal(info.digest_algo, 8);
	assert_non_null(info.signature);
	/* Every shorter prefix, each in an exact-size allocation so that the
	 * sanitizer sees any read past the end, must be refused. */
	for (n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, data, n);
		if (rpmheader_parse(&info, copy, n) != ASEC_EINVALID)
			fail_msg("a %zu-byte prefix of a %zu-byte header was accepted", n, len);
		free(copy);
	}
	free(data);
}

static void test_counts(void **state)
{
	static const struct {
		uint32_t il, dl;
		const char *msg;
	} cases[] = {
		{0x80000000u, 0, "index entries"}, /* 2^31 entries */
		{0xffffffffu, 0, "index entries"},
		{0x10000u, 16, "index entries"},
		{0, 0, "index entries"},
		{1, 0x10000000u, "data"},
		{1, 0xffffffffu, "data"},
		{2, 9, "claims"}, /* one byte more than the 48 we provide */
	};
	unsigned char blob[48];
	struct rpmheader_info info;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(blob, 0, sizeof(blob));
		rpmtest_put32(blob, cases[i].il);
		rpmtest_put32(blob + 4, cases[i].dl);
		assert_int_equal(rpmheader_parse(&info, blob, sizeof(blob)), ASEC_EINVALID);
		if (!strstr(error_last(), cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, error_last(), cases[i].msg);
	}
	assert_int_equal(rpmheader_parse(&info, blob, 7), ASEC_EINVALID);
}

static void test_bad_entries(void **state)
{
	struct rpmheader_info info;

	(void)state;
	/* a well-formed baseline first, so each case below fails for its own reason */
	rpmtest_hdr_basic(&hdr, "pkg");
	assert_int_equal(parse_built(&info, 1), ASEC_OK);
	assert_int_equal(parse_built(&info, 0), ASEC_OK);

	/* NAME offset past the data store */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1000, 6, (int32_t)hdr.dl + 1, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* negative offset */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1001, 6, -4, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* INT32_MIN offset */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1001, 6, INT32_MIN, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* offset == dl: in range, but a string there has no terminator */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1000, 6, (int32_t)hdr.dl, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* a string running to the end of the data without a NUL */
	memset(&hdr, 0, sizeof(hdr));
	rpmtest_hdr_entry(&hdr, 1000, 6, 0, 1);
	memcpy(hdr.data, "unterminated", 12);
	hdr.dl = 12;
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "NAME"));
	/* count 0, count > dl, unknown types */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1100, 4, 0, 0);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1100, 4, 0, 0x7fffffff);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1100, 10, 0, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1100, 0xffffffffu, 0, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* NAME that is not a string; no NAME at all */
	memset(&hdr, 0, sizeof(hdr));
	rpmtest_hdr_int32(&hdr, 1000, 7);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	memset(&hdr, 0, sizeof(hdr));
	rpmtest_hdr_string(&hdr, 1001, "1.0");
	assert_int_equal(parse_built(&info, 1), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "no NAME"));
	/* EPOCH whose 4 bytes would end past the data */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 1003, 4, (int32_t)hdr.dl - 2, 1);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* a signature longer than the data */
	rpmtest_hdr_basic(&hdr, "pkg");
	rpmtest_hdr_entry(&hdr, 259, 7, 4, hdr.dl - 3);
	assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
	/* an over-long name is corruption, not a package */
	{
		char *big = malloc(RPMHEADER_MAX_FIELD + 2);

		assert_non_null(big);
		memset(big, 'a', RPMHEADER_MAX_FIELD + 1);
		big[RPMHEADER_MAX_FIELD + 1] = '\0';
		memset(&hdr, 0, sizeof(hdr));
		rpmtest_hdr_string(&hdr, 1000, big);
		assert_int_equal(parse_built(&info, 0), ASEC_EINVALID);
		free(big);
	}
}

static void test_regions(void **state)
{
	struct rpmheader_info info;
	size_t len;
	unsigned char *blob;
	uint32_t il;

	(void)state;
	rpmtest_hdr_basic(&hdr, "pkg");
	blob = rpmtest_hdr_blob(&hdr, 1, &len);
	assert_non_null(blob);
	il = hdr.n + 1;
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_OK);

#define TRAILER (blob + 8 + 16 * (size_t)il + hdr.dl)
	/* trailer offset positive, INT32_MIN, not a multiple of 16, too many entries */
	rpmtest_put32(TRAILER + 8, 16);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER + 8, 0x80000000u);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER + 8, (uint32_t)-17);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER + 8, (uint32_t)(-(int32_t)(16 * (il + 1))));
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER + 8, (uint32_t)(-(int32_t)(16 * il)));
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_OK);
	/* trailer tag and type must match */
	rpmtest_put32(TRAILER, 62);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER, 63);
	rpmtest_put32(TRAILER + 4, 6);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(TRAILER + 4, 7);
	/* region entry: trailer offset past the data store, wrong count, wrong type */
	rpmtest_put32(blob + 16, hdr.dl + 1);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(blob + 16, hdr.dl);
	rpmtest_put32(blob + 20, 15);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(blob + 20, 16);
	rpmtest_put32(blob + 12, 4);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_EINVALID);
	rpmtest_put32(blob + 12, 7);
	assert_int_equal(rpmheader_parse(&info, blob, len), ASEC_OK);
#undef TRAILER
	free(blob);
}

/* Entries after the region ("dribbles") replace region entries. */
static void test_last_entry_wins(void **state)
{
	struct rpmheader_info info;

	(void)state;
	rpmtest_hdr_basic(&hdr, "first");
	rpmtest_hdr_string(&hdr, 1000, "second");
	rpmtest_hdr_int32(&hdr, 1003, 3);
	assert_int_equal(parse_built(&info, 1), ASEC_OK);
	assert_int_equal(info.name.len, 6);
	assert_memory_equal(info.name.s, "second", 6);
	assert_true(info.has_epoch);
	assert_int_equal(info.epoch, 3);
}

static void test_signature_key(void **state)
{
	/* v3, old-format packet with a one-byte length */
	static const unsigned char v3[] = {0x88, 15, 3, 5, 0, 1, 2, 3, 4, 0x19, 0x9e, 0x2f, 0x91, 0xfd, 0x43, 0x1d, 0x51,
					   0};
	/* v4, new-format packet: issuer (16) in the unhashed area */
	static const unsigned char v4_issuer[] = {0xc2, 19, 4, 0, 1, 8, 0, 0, 0, 10, 9, 16, 0x0c, 0xd9, 0xfe, 0xd3,
						  0x31, 0x35, 0xce, 0x90, 0};
	/* v4: issuer fingerprint (33) in the hashed area */
	static const unsigned char v4_fpr[] = {0x89, 0, 31, 4, 0, 1, 8, 0, 23, 22, 33, 4, 0x8c, 0x5b, 0xa6, 0x99, 0x0b,
					       0xdb, 0x26, 0xe1, 0x9f, 0x2a, 0x1a, 0x80, 0x11, 0x61, 0xae, 0x69, 0x45,
					       0x71, 0x9a, 0x39, 0, 0};
	unsigned char buf[64];
	char key[17];
	size_t n;

	(void)state;
	assert_int_equal(rpmheader_signature_key(key, v3, sizeof(v3)), 1);
	assert_string_equal(key, "199e2f91fd431d51");
	assert_int_equal(rpmheader_signature_key(key, v4_issuer, sizeof(v4_issuer)), 1);
	assert_string_equal(key, "0cd9fed33135ce90");
	assert_int_equal(rpmheader_signature_key(key, v4_fpr, sizeof(v4_fpr)), 1);
	assert_string_equal(key, "1161ae6945719a39");

	/* Every truncation of the packets must be refused without overreading. */
	for (n = 0; n < sizeof(v4_fpr) - 2; n++) {
		unsigned char *copy = malloc(n ? n : 1);

		memcpy(copy, v4_fpr, n);
		assert_int_equal(rpmheader_signature_key(key, copy, n), 0);
		if (n < sizeof(v3) - 1) {
			memcpy(copy, v3, n);
			assert_int_equal(rpmheader_signature_key(key, copy, n), 0);
		}
		if (n < sizeof(v4_issuer) - 1) {
			memcpy(copy, v4_issuer, n);
			assert_int_equal(rpmheader_signature_key(key, copy, n), 0);
		}
		free(copy);
	}
	/* a v3 signature over something other than binary data names no signer */
	memcpy(buf, v3, sizeof(v3));
	buf[4] = 0x13;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v3)), 0);
	/* not a signature packet (tag 6, public key), not a packet, partial length */
	memcpy(buf, v3, sizeof(v3));
	buf[0] = 0x98;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v3)), 0);
	buf[0] = 0x08;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v3)), 0);
	memcpy(buf, v4_issuer, sizeof(v4_issuer));
	buf[1] = 0xe1;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v4_issuer)), 0);
	/* hashed length pointing past the packet */
	memcpy(buf, v4_issuer, sizeof(v4_issuer));
	buf[7] = 0xff;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v4_issuer)), 0);
	/* subpacket claiming a 4-byte length bigger than its area */
	memcpy(buf, v4_issuer, sizeof(v4_issuer));
	buf[10] = 0xff;
	assert_int_equal(rpmheader_signature_key(key, buf, sizeof(v4_issuer)), 0);
	assert_int_equal(rpmheader_signature_key(key, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_header_and_truncations),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_last_entry_wins),
		cmocka_unit_test(test_signature_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
