/*
 * rpmndb_test.c - the NDB reader against damaged and hostile versions of the
 * SLES 15 BCI Packages.db: truncations, checksum and framing damage, slots
 * pointing outside the file or into the slot pages, and every slot aimed at
 * one big blob (the work must stay linear in the file size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "detectors/rpmdb.h"
#include "detectors/rpmtest.h"

#define SLOT(i) (32 + 16 * (size_t)(i)) /* offset of slot i (0-based) */

static unsigned char *fixture;
static size_t fixture_len;

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int setup(void **state)
{
	char path[1024];

	(void)state;
	rpmtest_fixture(path, sizeof(path), "go-rpmdb-sle15-bci/var/lib/rpm/Packages.db");
	fixture = testing_read_file(path, &fixture_len);
	return fixture ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(fixture);
	return 0;
}

static unsigned char *copy_fixture(void)
{
	unsigned char *c = malloc(fixture_len);

	assert_non_null(c);
	memcpy(c, fixture, fixture_len);
	return c;
}

/* Scans an exact-size copy; returns the package count, and checks that a
 * note contains want_note when it is set. */
static size_t scan_notes(const unsigned char *data, size_t len, const char *want_note)
{
	struct scan_out out = {0};
	unsigned char *exact = malloc(len ? len : 1);
	size_t i, count;
	int found = want_note == NULL;

	assert_non_null(exact);
	memcpy(exact, data, len);
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages.db", exact, len), ASEC_OK);
	for (i = 0; i < out.note_count; i++)
		if (want_note && strstr(out.notes[i], want_note))
			found = 1;
	if (!found) {
		for (i = 0; i < out.note_count; i++)
			fprintf(stderr, "note: %s\n", out.notes[i]);
		fail_msg("no note contains \"%s\"", want_note);
	}
	count = out.pkgs.count;
	scan_out_free(&out);
	free(exact);
	return count;
}

static void test_intact(void **state)
{
	(void)state;
	assert_int_equal(scan_notes(fixture, fixture_len, NULL), 35);
}

static void test_truncated(void **state)
{
	size_t n, prev = 0, got;

	(void)state;
	/* The blobs are stored in slot order, so a longer prefix never yields
	 * fewer packages; anything short of the full file yields fewer. */
	for (n = 0; n < fixture_len; n += 4099) {
		got = scan_notes(fixture, n, NULL);
		assert_true(got >= prev);
		assert_true(got < 35);
		prev = got;
	}
	assert_int_equal(scan_notes(fixture, fixture_len - 1, "outside the data area"), 34);
	assert_int_equal(scan_notes(fixture, 20, "bad magic"), 0);
	assert_int_equal(scan_notes(fixture, 2000, "truncated"), 0);
}

static void test_blob_damage(void **state)
{
	unsigned char *c = copy_fixture();
	size_t blob = (size_t)get32(c + SLOT(1) + 8) * 16; /* package 2's blob */

	(void)state;
	c[blob + 100] ^= 0x55;
	assert_int_equal(scan_notes(c, fixture_len, "checksum mismatch"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + blob + 4, 77); /* blob names another package */
	assert_int_equal(scan_notes(c, fixture_len, "framing"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + blob + 12, 0xfffffff0u); /* header length beyond the blob */
	assert_int_equal(scan_notes(c, fixture_len, "framing"), 34);
	memcpy(c, fixture, fixture_len);
	c[blob] = 'X';
	assert_int_equal(scan_notes(c, fixture_len, "framing"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + blob + (size_t)get32(c + SLOT(1) + 12) * 16 - 8, 1); /* tail length differs */
	assert_int_equal(scan_notes(c, fixture_len, "framing"), 34);
	free(c);
}

static void test_slot_damage(void **state)
{
	unsigned char *c = copy_fixture();

	(void)state;
	put32(c + SLOT(0) + 8, 0xffffffffu);
	assert_int_equal(scan_notes(c, fixture_len, "outside the data area"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + SLOT(0) + 12, 0xffffffffu);
	assert_int_equal(scan_notes(c, fixture_len, "outside the data area"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + SLOT(0) + 12, 1); /* too small for head and tail */
	assert_int_equal(scan_notes(c, fixture_len, "outside the data area"), 34);
	memcpy(c, fixture, fixture_len);
	put32(c + SLOT(0) + 8, 2); /* inside the slot pages */
	assert_int_equal(scan_notes(c, fixture_len, "outside the data area"), 34);
	memcpy(c, fixture, fixture_len);
	c[SLOT(2)] = 'X';
	assert_int_equal(scan_notes(c, fixture_len, "bad magic"), 34);
	free(c);
}

static void test_file_header(void **state)
{
	unsigned char *c = copy_fixture();

	(void)state;
	put32(c + 4, 1);
	assert_int_equal(scan_notes(c, fixture_len, "version 1"), 0);
	put32(c + 4, 0);
	put32(c + 12, 0);
	assert_int_equal(scan_notes(c, fixture_len, "no slot pages"), 0);
	/* 2^32-1 slot pages: the whole file is read as slots, every blob then
	 * lies inside the "slot pages" and is refused */
	put32(c + 12, 0xffffffffu);
	assert_int_equal(scan_notes(c, fixture_len, "truncated"), 0);
	free(c);
}

/* Every slot aimed at the biggest blob: the checksum budget (the file size)
 * stops the walk long before 254 copies of the blob are hashed. */
static void test_all_slots_one_blob(void **state)
{
	unsigned char *c = copy_fixture();
	uint32_t best = 0, i, slots = (4096 - 32) / 16;
	size_t got;

	(void)state;
	for (i = 1; i < 35; i++)
		if (get32(c + SLOT(i) + 12) > get32(c + SLOT(best) + 12))
			best = i;
	for (i = 0; i < slots; i++)
		if (i != best)
			memcpy(c + SLOT(i), c + SLOT(best), 16);
	got = scan_notes(c, fixture_len, "blobs overlap");
	assert_true(got >= 1);
	assert_true(got * (size_t)get32(c + SLOT(best) + 12) * 16 <= fixture_len + 16 * get32(c + SLOT(best) + 12));
	free(c);
}

static int calls;

static int stop_at_three(void *ctx, const unsigned char *blob, size_t len)
{
	(void)ctx;
	(void)blob;
	(void)len;
	return ++calls == 3 ? ASEC_ENOMEM : ASEC_OK;
}

static void test_callback_error_stops(void **state)
{
	struct scan_out out = {0};

	(void)state;
	calls = 0;
	assert_int_equal(rpmndb_read(&out, "x", fixture, fixture_len, stop_at_three, NULL), ASEC_ENOMEM);
	assert_int_equal(calls, 3);
	scan_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_blob_damage),
		cmocka_unit_test(test_slot_damage),
		cmocka_unit_test(test_file_header),
		cmocka_unit_test(test_all_slots_one_blob),
		cmocka_unit_test(test_callback_error_stops),
	};

	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
