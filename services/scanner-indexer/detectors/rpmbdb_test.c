/*
 * rpmbdb_test.c - the BerkeleyDB reader against damaged and hostile files,
 * made by editing real ones: every truncation, loops and dead ends in
 * overflow chains, chains shared by two items, items outside their page,
 * nonsense meta pages. Each case must end (an alarm fails the test if a
 * loop hangs), keep what can be read and say what it skipped.
 *
 * Layout of the libuuid fixture (little-endian, 4 KiB pages): page 1 holds
 * rpm's record 0 inline; page 2 holds key 1 whose data item (at offset
 * 4079) points to the overflow chain 3 -> 4 -> ... -> 22 of 80880 bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "detectors/rpmdb.h"
#include "detectors/rpmtest.h"

#define PAGE 4096u
#define ITEM (2 * PAGE + 4079) /* the offpage item on page 2 */

static unsigned char *fixture;
static size_t fixture_len;

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int setup(void **state)
{
	char path[1024];

	(void)state;
	rpmtest_fixture(path, sizeof(path), "go-rpmdb-libuuid/var/lib/rpm/Packages");
	fixture = testing_read_file(path, &fixture_len);
	return fixture && fixture_len == 23 * PAGE ? 0 : -1;
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

/* Scans data (from an exact-size copy, so overreads are caught), checks the
 * package count and, when want_note is set, that some note contains it. */
static void scan_expect(const unsigned char *data, size_t len, size_t want_pkgs, const char *want_note)
{
	struct scan_out out = {0};
	unsigned char *exact = malloc(len ? len : 1);
	size_t i;
	int found = want_note == NULL;

	assert_non_null(exact);
	memcpy(exact, data, len);
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", exact, len), ASEC_OK);
	for (i = 0; i < out.note_count; i++)
		if (want_note && strstr(out.notes[i], want_note))
			found = 1;
	if (out.pkgs.count != want_pkgs || !found) {
		for (i = 0; i < out.note_count; i++)
			fprintf(stderr, "note: %s\n", out.notes[i]);
		fail_msg("%zu packages (want %zu), note \"%s\" %s", out.pkgs.count, want_pkgs,
			 want_note ? want_note : "", found ? "found" : "missing");
	}
	scan_out_free(&out);
	free(exact);
}

static void test_intact(void **state)
{
	(void)state;
	scan_expect(fixture, fixture_len, 1, NULL);
}

static void test_truncated(void **state)
{
	size_t n;

	(void)state;
	/* around every page boundary, and at a prime stride in between */
	for (n = 0; n < fixture_len; n += PAGE) {
		scan_expect(fixture, n, 0, NULL);
		if (n)
			scan_expect(fixture, n - 1, 0, NULL);
		scan_expect(fixture, n + 1, 0, NULL);
	}
	for (n = 0; n < fixture_len; n += 97)
		scan_expect(fixture, n, 0, NULL);
	scan_expect(fixture, 511, 0, "shorter than a BerkeleyDB meta page");
	scan_expect(fixture, 10 * PAGE, 0, "truncated");
}

static void test_overflow_loops(void **state)
{
	unsigned char *c = copy_fixture();

	(void)state;
	put32(c + 10 * PAGE + 16, 5); /* 3 .. 10 -> 5: a loop */
	scan_expect(c, fixture_len, 0, "reaches page 5 a second time");
	memcpy(c, fixture, fixture_len);
	put32(c + 3 * PAGE + 16, 3); /* 3 -> 3 */
	scan_expect(c, fixture_len, 0, "reaches page 3 a second time");
	memcpy(c, fixture, fixture_len);
	put32(c + 22 * PAGE + 16, 3); /* the last page pointing back to the first: the length ends it */
	scan_expect(c, fixture_len, 1, NULL);
	free(c);
}

static void test_overflow_dead_ends(void **state)
{
	unsigned char *c = copy_fixture();

	(void)state;
	put32(c + 7 * PAGE + 16, 1000); /* past the end */
	scan_expect(c, fixture_len, 0, "outside the file");
	memcpy(c, fixture, fixture_len);
	put32(c + 7 * PAGE + 16, 0); /* ends early */
	scan_expect(c, fixture_len, 0, "outside the file");
	memcpy(c, fixture, fixture_len);
	put32(c + 7 * PAGE + 16, 1); /* into a hash page */
	scan_expect(c, fixture_len, 0, "is damaged");
	memcpy(c, fixture, fixture_len);
	put16(c + 9 * PAGE + 22, 0); /* holds nothing */
	scan_expect(c, fixture_len, 0, "is damaged");
	memcpy(c, fixture, fixture_len);
	put16(c + 9 * PAGE + 22, 0xffff); /* holds more than a page */
	scan_expect(c, fixture_len, 0, "is damaged");
	memcpy(c, fixture, fixture_len);
	put32(c + 9 * PAGE + 8, 99); /* page number field disagrees */
	scan_expect(c, fixture_len, 0, "is damaged");
	memcpy(c, fixture, fixture_len);
	put32(c + ITEM + 8, 0xffffffffu); /* total length beyond the file */
	scan_expect(c, fixture_len, 0, "claims 4294967295 bytes");
	put32(c + ITEM + 8, 0);
	scan_expect(c, fixture_len, 0, "claims 0 bytes");
	put32(c + ITEM + 8, 100); /* shorter than the chain's first page */
	scan_expect(c, fixture_len, 0, "is damaged");
	memcpy(c, fixture, fixture_len);
	put32(c + ITEM + 4, 0xffffffffu);
	scan_expect(c, fixture_len, 0, "outside the file");
	free(c);
}

static void test_hash_page_damage(void **state)
{
	unsigned char *c = copy_fixture();

	(void)state;
	put16(c + 2 * PAGE + 20, 0xffff); /* item count */
	scan_expect(c, fixture_len, 0, "claims 65535 items");
	memcpy(c, fixture, fixture_len);
	put16(c + 2 * PAGE + 20, 3); /* odd: the pair is still read */
	scan_expect(c, fixture_len, 1, "odd number");
	memcpy(c, fixture, fixture_len);
	put16(c + 2 * PAGE + 28, 5000); /* data item past the page */
	scan_expect(c, fixture_len, 0, "outside the page");
	memcpy(c, fixture, fixture_len);
	put16(c + 2 * PAGE + 28, get16(c + 2 * PAGE + 26)); /* data item overlapping its key */
	scan_expect(c, fixture_len, 0, "outside the page");
	memcpy(c, fixture, fixture_len);
	put16(c + 2 * PAGE + 26, 20); /* key inside the page header */
	scan_expect(c, fixture_len, 0, "outside the page");
	memcpy(c, fixture, fixture_len);
	put32(c + 2 * PAGE + 8, 7);
	scan_expect(c, fixture_len, 0, "says it is page 7");
	memcpy(c, fixture, fixture_len);
	c[ITEM] = 9;
	scan_expect(c, fixture_len, 0, "unknown type 9");
	c[ITEM] = 2;
	scan_expect(c, fixture_len, 0, "duplicate sets");
	/* an inline value that is not a header */
	memcpy(c, fixture, fixture_len);
	c[PAGE + 4091 + 1] = 1; /* record 0 becomes record 1: its 4-byte value is now "a header" */
	scan_expect(c, fixture_len, 1, "damaged rpm header");
	free(c);
}

static void test_meta_page(void **state)
{
	static const unsigned char btree[4] = {0x62, 0x31, 0x05, 0x00};
	unsigned char *c = copy_fixture();

	(void)state;
	put32(c + 20, 3000);
	scan_expect(c, fixture_len, 0, "page size 3000");
	put32(c + 20, 131072);
	scan_expect(c, fixture_len, 0, "page size 131072");
	put32(c + 20, 256);
	scan_expect(c, fixture_len, 0, "page size 256");
	memcpy(c, fixture, fixture_len);
	c[24] = 1;
	scan_expect(c, fixture_len, 0, "encrypted");
	memcpy(c, fixture, fixture_len);
	c[25] = 9;
	scan_expect(c, fixture_len, 0, "not a hash meta page");
	memcpy(c, fixture, fixture_len);
	c[26] = 1;
	scan_expect(c, fixture_len, 0, "checksums");
	memcpy(c, fixture, fixture_len);
	put32(c + 16, 6);
	scan_expect(c, fixture_len, 0, "version 6");
	memcpy(c, fixture, fixture_len);
	memcpy(c + 12, btree, 4);
	scan_expect(c, fixture_len, 0, "btree");
	memcpy(c, fixture, fixture_len);
	put32(c + 32, 0xffffffffu); /* last page past the end: read what is there */
	scan_expect(c, fixture_len, 1, "truncated");
	put32(c + 32, 2); /* last page 2: the chain is beyond the database */
	scan_expect(c, fixture_len, 0, "outside the file");
	free(c);
}

/* Two items pointing at one overflow chain: the chain is read once. Done
 * on the 129-package database, copying one item over another. */
static void test_shared_chain(void **state)
{
	char path[1024];
	unsigned char *db;
	size_t len, pg, found = 0, first = 0, i;

	(void)state;
	rpmtest_fixture(path, sizeof(path), "derived-cbl-mariner-2.0-as-bdb/var/lib/rpm/Packages");
	db = testing_read_file(path, &len);
	assert_non_null(db);
	for (pg = 1; pg < len / PAGE && found < 2; pg++) {
		unsigned char *p = db + pg * PAGE;
		uint16_t entries = get16(p + 20);

		if (p[25] != 13)
			continue;
		for (i = 1; i < entries && found < 2; i += 2) {
			size_t off = pg * PAGE + get16(p + 26 + 2 * i);

			if (db[off] != 3)
				continue;
			if (found++ == 0)
				first = off;
			else
				memcpy(db + off, db + first, 12);
		}
	}
	assert_int_equal(found, 2);
	scan_expect(db, len, 128, "a second time");
	free(db);
}

/* Garbage pages of every type in the middle of the file never crash. */
static void test_garbage_pages(void **state)
{
	unsigned char *c = copy_fixture();
	unsigned seed = 12345, round, i;

	(void)state;
	for (round = 0; round < 200; round++) {
		memcpy(c, fixture, fixture_len);
		for (i = 0; i < 64; i++) {
			seed = seed * 1103515245u + 12345u;
			c[PAGE + (seed >> 8) % (fixture_len - PAGE)] = (unsigned char)(seed >> 3);
		}
		c[2 * PAGE + 25] = 13;
		{
			struct scan_out out = {0};

			assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", c, fixture_len), ASEC_OK);
			assert_true(out.pkgs.count <= 1);
			scan_out_free(&out);
		}
	}
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_overflow_loops),
		cmocka_unit_test(test_overflow_dead_ends),
		cmocka_unit_test(test_hash_page_damage),
		cmocka_unit_test(test_meta_page),
		cmocka_unit_test(test_shared_chain),
		cmocka_unit_test(test_garbage_pages),
	};

	alarm(120); /* a loop that does not end fails the test instead of hanging it */
	return cmocka_run_group_tests(tests, setup, teardown);
}
