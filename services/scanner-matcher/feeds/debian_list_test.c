/*
 * debian_list_test.c - feed_parse_debian_list() over the real DSA and DLA
 * lists in ../shared/feeds and over hand-written malformed ones.
 */
#include "feeds/feed_testing.h"

#include <jansson.h>

/* ---- helpers ---- */

static int parse(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_debian_list("list", text, strlen(text), &sink);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *entry_for(const json_t *record, const char *dist)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(record, "affected"), i, a)
		if (strcmp(str(a, "distribution"), dist) == 0)
			return a;
	return NULL;
}

static const char *range_str(const json_t *entry, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(entry, "ranges"), 0), key));
}

/* The record with that id whose advisory is advisory. */
static json_t *find(const struct feed_collector *c, const char *id, const char *advisory)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->records, i, r)
		if (strcmp(str(r, "id"), id) == 0 && strcmp(str(json_object_get(r, "advisory"), "name"), advisory) == 0)
			return r;
	return NULL;
}

static size_t count_status(const struct feed_collector *c, const char *status)
{
	size_t i, j, n = 0;
	json_t *r, *a;

	json_array_foreach(c->records, i, r)
		json_array_foreach(json_object_get(r, "affected"), j, a)
			n += !status || strcmp(str(a, "status"), status) == 0;
	return n;
}

static void parse_shared(struct feed_collector *c, const char *file)
{
	assert_int_equal(feed_testing_parse_shared(c, feed_parse_debian_list, file, file), ASEC_OK);
	assert_int_equal(c->bad, 0);
}

/* ---- the real lists ---- */

/*
 * The expected numbers come from a separate python3 reading of the files
 * (not from this parser): every column-0 line is a header
 * "^\[(\d\d) ([A-Z][a-z][a-z]) (\d{4})\] ((?:DSA|DLA)-\d+(?:-\d+)?)", every
 * "{...}" adds its CVEs (repeats dropped), every "[release] - package
 * version-or-<kind> (notes)" line is a package line; a package line counts
 * when its release is a numbered one (woody ... bookworm) and its version
 * is a <kind> or matches "^(\d+:)?\d[A-Za-z0-9.+~:-]*$". An entry with at
 * least one counted line gives max(1, CVEs) records of those lines; every
 * dropped line and every entry left with none is one skip:
 *
 *   DSA: 4836 entries, 15352 records, 25 skips, 20137 affected entries
 *        (20035 fixed versions, 85 <not-affected>, 13 <unfixed>, 4 <end-of-life>)
 *   DLA: 2635 entries, 8041 records, 3 skips, 8046 affected entries
 *        (8045 fixed versions, 1 <end-of-life>)
 *
 * The DSA skips are 23 entries with no package line (announcements, old
 * revisions), DSA-423 whose only line gives the package name as its
 * version, and DSA-423 itself left with nothing.
 */
static void test_dsa_list_counts(void **state)
{
	struct feed_collector c;

	(void)state;
	parse_shared(&c, "debian-DSA-list-upto-2020.txt.gz");
	assert_int_equal(json_array_size(c.records), 15352);
	assert_int_equal(json_array_size(c.skips), 25);
	assert_int_equal(count_status(&c, NULL), 20137);
	assert_int_equal(count_status(&c, "not_affected"), 85);
	assert_int_equal(count_status(&c, "will_not_fix"), 4);
	/* affected: 20035 with a fixed version and 13 <unfixed> */
	assert_int_equal(count_status(&c, "affected"), 20035 + 13);
	assert_int_equal(feed_collector_skips(&c, NULL, "no package line of a Debian release with a number"), 24);
	assert_int_equal(feed_collector_skips(&c, "DSA-423", "\"kernel-image-2.4.17-ia64\" is not a dpkg version"), 1);
	feed_collector_free(&c);
}

static void test_dla_list_counts(void **state)
{
	struct feed_collector c;

	(void)state;
	parse_shared(&c, "debian-DLA-list-upto-2020.txt.gz");
	assert_int_equal(json_array_size(c.records), 8041);
	assert_int_equal(json_array_size(c.skips), 3);
	assert_int_equal(count_status(&c, NULL), 8046);
	assert_int_equal(count_status(&c, "will_not_fix"), 1);
	assert_int_equal(feed_collector_skips(&c, NULL, "no package line of a Debian release with a number"), 3);
	feed_collector_free(&c);
}

/* Spot checks against the raw text of the shared files (quoted above each). */
static void test_dsa_spot_checks(void **state)
{
	struct feed_collector c;
	json_t *r, *a;

	(void)state;
	parse_shared(&c, "debian-DSA-list-upto-2020.txt.gz");

	/* [08 Dec 2020] DSA-4807-1 openssl - security update
	 *	{CVE-2020-1971}
	 *	[buster] - openssl 1.1.1d-0+deb10u4 */
	r = find(&c, "CVE-2020-1971", "DSA-4807-1");
	assert_non_null(r);
	assert_string_equal(str(r, "kind"), "advisory");
	assert_string_equal(str(r, "published"), "2020-12-08");
	assert_string_equal(str(r, "summary"), "openssl - security update");
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://security-tracker.debian.org/tracker/DSA-4807-1");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "DSA-4807-1");
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);
	a = entry_for(r, "debian:10");
	assert_non_null(a);
	assert_string_equal(str(a, "ecosystem"), "deb");
	assert_string_equal(str(a, "package"), "openssl");
	assert_string_equal(str(a, "packageKind"), "source");
	assert_string_equal(str(a, "status"), "affected");
	assert_string_equal(range_str(a, "introduced"), "0");
	assert_string_equal(range_str(a, "fixed"), "1.1.1d-0+deb10u4");
	assert_string_equal(range_str(a, "events"), "DSA-4807-1: [buster] - openssl 1.1.1d-0+deb10u4");

	/* [19 Dec 2020] DSA-4817-1 php-pear - security update
	 *	{CVE-2020-28948 CVE-2020-28949}
	 *	[buster] - php-pear 1:1.10.6+submodules+notgz-1.1+deb10u1      (an epoch) */
	assert_non_null(r = find(&c, "CVE-2020-28948", "DSA-4817-1"));
	assert_string_equal(range_str(entry_for(r, "debian:10"), "fixed"), "1:1.10.6+submodules+notgz-1.1+deb10u1");
	assert_non_null(r = find(&c, "CVE-2020-28949", "DSA-4817-1"));
	assert_string_equal(range_str(entry_for(r, "debian:10"), "fixed"), "1:1.10.6+submodules+notgz-1.1+deb10u1");

	/* [12 Apr 2011] DSA-2218-1 vlc - heap-based buffer overflow
	 *	{CVE-2011-1684}
	 *	[lenny] - vlc <not-affected> (Vulnerable code not present)
	 *	[squeeze] - vlc 1.1.3-1squeeze5 */
	assert_non_null(r = find(&c, "CVE-2011-1684", "DSA-2218-1"));
	a = entry_for(r, "debian:5");
	assert_string_equal(str(a, "status"), "not_affected");
	assert_null(json_object_get(a, "ranges"));
	assert_string_equal(range_str(entry_for(r, "debian:6"), "fixed"), "1.1.3-1squeeze5");

	/* [22 Nov 2007] DSA-1409-3 samba - several vulnerabilities (update)
	 *	{CVE-2007-4572 CVE-2007-5398}
	 *	[etch] - samba 3.0.24-6etch8
	 *	[sarge] - samba 3.0.14a-3sarge10
	 *	NOTE: this fixes all regressions introduced by the previous DSAs */
	assert_non_null(r = find(&c, "CVE-2007-5398", "DSA-1409-3"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 2);
	assert_string_equal(range_str(entry_for(r, "debian:4"), "fixed"), "3.0.24-6etch8");
	assert_string_equal(range_str(entry_for(r, "debian:3.1"), "fixed"), "3.0.14a-3sarge10");
	assert_string_equal(str(r, "summary"), "samba - several vulnerabilities (update)");

	/* [25 Oct 2016] DSA-3699-1 virtualbox - end of life
	 *	[jessie] - virtualbox <end-of-life>          (no CVE: the DSA names the record) */
	assert_non_null(r = find(&c, "DSA-3699-1", "DSA-3699-1"));
	assert_null(json_object_get(r, "aliases"));
	a = entry_for(r, "debian:8");
	assert_string_equal(str(a, "status"), "will_not_fix");
	assert_null(range_str(a, "fixed"));

	/* [10 Nov 2005] DSA-892-1 awstats - missing input sanitising
	 *	[sarge] - awstats 6.4-1sarge1 (bug #322591; bug #334833; bug #336137; medium)
	 *	[woody] - awstats <not-affected> (vulnerable code not present) */
	assert_non_null(r = find(&c, "CVE-2005-1527", "DSA-892-1"));
	a = entry_for(r, "debian:3.1");
	assert_string_equal(str(a, "severity"), "medium");
	assert_string_equal(str(a, "normalizedSeverity"), "MODERATE");
	assert_string_equal(str(entry_for(r, "debian:3.0"), "status"), "not_affected");

	/* [16 Jun 2007] DSA-1304 kernel-source-2.6.8 - several     (an id without revision) */
	assert_int_equal(feed_collector_skips(&c, "DSA-1304", ""), 0);
	r = NULL;
	{
		size_t i;
		json_t *x;

		json_array_foreach(c.records, i, x)
			if (strcmp(str(json_object_get(x, "advisory"), "name"), "DSA-1304") == 0)
				r = x;
	}
	assert_non_null(r);
	assert_string_equal(str(r, "published"), "2007-06-16");
	feed_collector_free(&c);
}

static void test_dla_spot_checks(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	parse_shared(&c, "debian-DLA-list-upto-2020.txt.gz");

	/* [30 Dec 2020] DLA-2511-1 highlight.js - security update
	 *	{CVE-2020-26237}
	 *	[stretch] - highlight.js 8.2+ds-5+deb9u1 */
	assert_non_null(r = find(&c, "CVE-2020-26237", "DLA-2511-1"));
	assert_string_equal(str(r, "published"), "2020-12-30");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://security-tracker.debian.org/tracker/DLA-2511-1");
	assert_string_equal(str(entry_for(r, "debian:9"), "package"), "highlight.js");
	assert_string_equal(range_str(entry_for(r, "debian:9"), "fixed"), "8.2+ds-5+deb9u1");

	/* [29 Dec 2020] DLA-2510-1 libdatetime-timezone-perl - new upstream version
	 *	[stretch] - libdatetime-timezone-perl 1:2.09-1+2020e */
	assert_non_null(r = find(&c, "DLA-2510-1", "DLA-2510-1"));
	assert_string_equal(str(r, "summary"), "libdatetime-timezone-perl - new upstream version");
	assert_string_equal(range_str(entry_for(r, "debian:9"), "fixed"), "1:2.09-1+2020e");

	/* [14 Dec 2020] DLA-2494-1 linux: twelve CVEs, one record each */
	{
		size_t i, n = 0;
		json_t *x;

		json_array_foreach(c.records, i, x)
			n += strcmp(str(json_object_get(x, "advisory"), "name"), "DLA-2494-1") == 0;
		assert_int_equal(n, 12);
	}
	assert_non_null(r = find(&c, "CVE-2020-28974", "DLA-2494-1"));
	assert_string_equal(range_str(entry_for(r, "debian:9"), "fixed"), "4.9.246-1");
	feed_collector_free(&c);
}

/* ---- malformed lists ---- */

static void test_not_a_list(void **state)
{
	static const char *const inputs[] = {
		"",
		"\n\n   \n",
		"{\"openssl\": {}}",
		"\t{CVE-2020-1971}\n\t[buster] - openssl 1.1.1d-0+deb10u4\n", /* body without header */
		"[8 Dec 2020] DSA-4807-1 openssl\n",				/* one-digit day */
		"[08 Dez 2020] DSA-4807-1 openssl\n",				/* not an English month */
		"[31 Feb 2020] DSA-4807-1 openssl\n",				/* no such day */
		"[08 Dec 2020] USN-4807-1 openssl\n",				/* not DSA/DLA */
		"[08 Dec 2020]\n",						/* no id */
		"08 Dec 2020 DSA-4807-1 openssl\n",				/* no brackets */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct feed_collector c;

		if (parse(&c, inputs[i]) != ASEC_EINVALID)
			fail_msg("input %zu was not refused", i);
		assert_int_equal(json_array_size(c.records), 0);
		feed_collector_free(&c);
	}
}

static void test_garbage_between_entries(void **state)
{
	struct feed_collector c;

	(void)state;
	assert_int_equal(parse(&c, "[08 Dec 2020] DSA-4807-1 openssl - security update\n"
				   "\t{CVE-2020-1971}\n"
				   "\t[buster] - openssl 1.1.1d-0+deb10u4\n"
				   "this line is garbage\n"
				   "\t[buster] - garbage 1.0-1\n"
				   "\t{CVE-2099-0001}\n"
				   "--\n"
				   "begin claimed by someone\n"
				   "[07 Dec 2020] DSA-4806-1 minidlna - security update\n"
				   "\t{CVE-2020-12695}\n"
				   "\t[buster] - minidlna 1.2.1+dfsg-2+deb10u1\n"
				   "\tTHIS IS NOT AN ANNOTATION\n"
				   "[32 Dec 2020] DSA-4805-1 broken - date\n"
				   "\t[buster] - broken 1.0\n"
				   "[01 Dec 2020] DSA-4801-1 brotli - security update\n"
				   "\t{CVE-2020-8927}\n"
				   "\t[buster] - brotli 1.0.7-2+deb10u1\n"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 3);
	assert_non_null(find(&c, "CVE-2020-1971", "DSA-4807-1"));
	assert_non_null(find(&c, "CVE-2020-12695", "DSA-4806-1"));
	assert_non_null(find(&c, "CVE-2020-8927", "DSA-4801-1"));
	/* the garbage's own lines are not given to the entry before it */
	assert_int_equal(json_array_size(json_object_get(find(&c, "CVE-2020-1971", "DSA-4807-1"), "affected")), 1);
	assert_null(feed_collector_find(&c, NULL, "CVE-2099-0001"));
	assert_int_equal(feed_collector_skips(&c, "", "not an entry header: \"this line is garbage\""), 1);
	assert_int_equal(feed_collector_skips(&c, "", "not an entry header: \"[32 Dec 2020]"), 1);
	assert_int_equal(
		feed_collector_skips(&c, "DSA-4806-1", "an unrecognised line: \"THIS IS NOT AN ANNOTATION\""), 1);
	assert_int_equal(json_array_size(c.skips), 3);
	feed_collector_free(&c);
}

static void test_header_fields(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	/* no description at all; a leap day; an old id without revision */
	assert_int_equal(parse(&c, "[29 Feb 2004] DSA-423\n"
				   "\t[woody] - mc 4.5.55-1.2woody2\n"
				   "[01 Jan 2020] DLA-1-1   spaced  -  title   \n"
				   "\t[stretch] - foo 1.0-1\n"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = find(&c, "DSA-423", "DSA-423");
	assert_non_null(r);
	assert_string_equal(str(r, "published"), "2004-02-29");
	assert_null(json_object_get(r, "summary"));
	assert_string_equal(str(entry_for(r, "debian:3.0"), "package"), "mc");
	r = find(&c, "DLA-1-1", "DLA-1-1");
	assert_string_equal(str(r, "summary"), "spaced  -  title");
	feed_collector_free(&c);

	assert_int_equal(parse(&c, "[29 Feb 2003] DSA-1 not a leap year\n\t[woody] - mc 1.0\n"), ASEC_EINVALID);
	feed_collector_free(&c);
}

static void test_tabs_spaces_and_crlf(void **state)
{
	const char *tabs = "[08 Dec 2020] DSA-4807-1 openssl - security update\n"
			   "\t{CVE-2020-1971}\n"
			   "\t[buster] - openssl 1.1.1d-0+deb10u4\n";
	const char *spaces = "[08 Dec 2020] DSA-4807-1 openssl - security update   \r\n"
			     "        {CVE-2020-1971}\r\n"
			     "    \t[buster]  -   openssl   1.1.1d-0+deb10u4  \r\n";
	struct feed_collector a, b;

	(void)state;
	assert_int_equal(parse(&a, tabs), ASEC_OK);
	assert_int_equal(parse(&b, spaces), ASEC_OK);
	assert_int_equal(a.bad + b.bad, 0);
	assert_int_equal(json_array_size(a.records), 1);
	assert_int_equal(json_array_size(b.skips), 0);
	assert_string_equal(range_str(entry_for(json_array_get(b.records, 0), "debian:10"), "fixed"),
			    "1.1.1d-0+deb10u4");
	assert_string_equal(str(json_array_get(b.records, 0), "summary"), "openssl - security update");
	feed_collector_free(&a);
	feed_collector_free(&b);
}

static void test_package_lines(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	assert_int_equal(
		parse(&c, "[08 Dec 2020] DSA-9999-1 many - kinds\n"
			  "\t{CVE-2020-0001 CVE-2020-0001 VU#123456 DSA-9998-1 DSA-9999-1 DLA-77-1 FOO-1}\n"
			  "\t[buster] - fixed 2:1.0-1 (bug #123; high)\n"
			  "\t[stretch] - unfixed <unfixed>\n"
			  "\t[jessie] - nodsa <no-dsa> (Minor issue)\n"
			  "\t[wheezy] - postponed <postponed> (Revisit later)\n"
			  "\t[squeeze] - ignored <ignored> (Not worth it)\n"
			  "\t[lenny] - removed <removed>\n"
			  "\t[etch] - undetermined <undetermined>\n"
			  "\t[bookworm] - noversion\n"
			  "\t[sid] - unstable 1.0-1\n"
			  "\t[experimental] - exp 1.0-1\n"
			  "\t- norelease 1.0-1\n"
			  "\t[buster] - itp <itp> (bug #1)\n"
			  "\t[buster] - weird <frobnicated>\n"
			  "\t[buster] - badver not_a_version!\n"
			  "\t[buster] - badver2 abc\n"
			  "\t[buster] - trailing 1.0-1 extra words\n"
			  "\t[Buster] - upper 1.0-1\n"
			  "\t[buster - unclosed 1.0-1\n"
			  "\t[buster] + plus 1.0-1\n"
			  "\t[buster] - bad/name 1.0-1\n"
			  "\t{CVE-2020-0002\n"
			  "\tNOTE: [buster] - fromnote 1.0-1\n"
			  "\tTODO: check\n"),
		ASEC_OK);
	assert_int_equal(c.bad, 0);
	/* two distinct CVEs */
	assert_int_equal(json_array_size(c.records), 1);
	r = find(&c, "CVE-2020-0001", "DSA-9999-1");
	assert_non_null(r);
	/* the DSA itself first, then the other advisories it names */
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "DSA-9999-1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 1)), "DSA-9998-1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 2)), "DLA-77-1");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 3);
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 8);

	assert_string_equal(range_str(entry_for(r, "debian:10"), "fixed"), "2:1.0-1");
	assert_string_equal(str(entry_for(r, "debian:10"), "severity"), "high");
	assert_string_equal(str(entry_for(r, "debian:10"), "normalizedSeverity"), "IMPORTANT");
	assert_string_equal(str(entry_for(r, "debian:9"), "status"), "affected");
	assert_null(range_str(entry_for(r, "debian:9"), "fixed"));
	assert_string_equal(range_str(entry_for(r, "debian:9"), "introduced"), "0");
	assert_string_equal(str(entry_for(r, "debian:8"), "status"), "affected");
	assert_string_equal(range_str(entry_for(r, "debian:8"), "events"),
			    "DSA-9999-1: [jessie] - nodsa <no-dsa> (Minor issue)");
	assert_string_equal(str(entry_for(r, "debian:7"), "status"), "fix_deferred");
	assert_string_equal(str(entry_for(r, "debian:6"), "status"), "will_not_fix");
	assert_string_equal(str(entry_for(r, "debian:5"), "status"), "will_not_fix");
	assert_string_equal(str(entry_for(r, "debian:4"), "status"), "under_investigation");
	assert_null(json_object_get(entry_for(r, "debian:4"), "ranges"));
	/* bugs.py: a line with no version is vulnerable with no fix */
	assert_string_equal(str(entry_for(r, "debian:12"), "package"), "noversion");
	assert_string_equal(str(entry_for(r, "debian:12"), "status"), "affected");

	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "\"FOO-1\" is not a CVE, DSA or DLA id"), 1);
	assert_int_equal(
		feed_collector_skips(&c, "DSA-9999-1", "unstable: release \"sid\" has no Debian release number"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1",
					      "exp: release \"experimental\" has no Debian release number"),
			 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "norelease: a package line without a release"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "itp: <itp> is not a kind"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "weird: <frobnicated> is not a kind"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "\"not_a_version!\" is not a version"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "\"abc\" is not a dpkg version"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "trailing: unexpected text after the version"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "release \"Buster\" is not a code name"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "whose release is not \"[name] \""), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "without \" - \" before the package"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "\"bad/name\" is not a source package name"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-9999-1", "without its closing brace"), 1);
	assert_int_equal(json_array_size(c.skips), 14);
	feed_collector_free(&c);
}

/* The tracker's files are ASCII (bugs.py refuses anything else): a NUL or
 * a non-ASCII byte costs its line, and at column 0 its entry. */
static void test_non_ascii_lines(void **state)
{
	static const char text[] = "[08 Dec 2020] DSA-3-1 a - update\n"
				   "\t{CVE-2020-0001}\n"
				   "\t[buster] - a\0b 1.0-1\n"
				   "\t[buster] - caf\xc3\xa9 1.0-1\n"
				   "\t[buster] - a 1.0-1\n"
				   "[07 Dec 2020] DSA-2-1 b - \x95\x95\n"
				   "\t[buster] - b 1.0-1\n"
				   "[06 Dec 2020] DSA-1-1 c - update\n"
				   "\t[buster] - c 1.0-1\n";
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	json_t *r;

	(void)state;
	assert_int_equal(feed_parse_debian_list("list", text, sizeof(text) - 1, &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	r = find(&c, "CVE-2020-0001", "DSA-3-1");
	assert_non_null(r);
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);
	assert_string_equal(str(entry_for(r, "debian:10"), "package"), "a");
	assert_non_null(find(&c, "DSA-1-1", "DSA-1-1"));
	assert_int_equal(feed_collector_skips(&c, "DSA-3-1", "not printable ASCII"), 2);
	assert_int_equal(feed_collector_skips(&c, "", "not printable ASCII: \"[07 Dec 2020] DSA-2-1 b - ??\""), 1);
	assert_int_equal(json_array_size(c.skips), 3);
	feed_collector_free(&c);
}

static void test_entry_without_usable_lines(void **state)
{
	struct feed_collector c;

	(void)state;
	assert_int_equal(parse(&c, "[18 Apr 2018] DSA-4205-1 jessie end-of-life\n"
				   "\tNOTE: end of security support for jessie\n"
				   "[17 Apr 2018] DSA-4204-1 foo - security update\n"
				   "\t{CVE-2018-0001}\n"
				   "\t[sid] - foo 1.0-1\n"),
			 ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(
		feed_collector_skips(&c, "DSA-4205-1", "no package line of a Debian release with a number"), 1);
	assert_int_equal(
		feed_collector_skips(&c, "DSA-4204-1", "no package line of a Debian release with a number"), 1);
	feed_collector_free(&c);
}

/* n CVEs times m package lines is bounded, so a small file cannot ask for
 * billions of affected entries. */
static void test_cve_times_packages_is_bounded(void **state)
{
	struct feed_collector c;
	size_t cves = 4000, pkgs = 60, i;
	char *doc = malloc(cves * 16 + pkgs * 40 + 256), *p = doc;

	(void)state;
	assert_non_null(doc);
	p += sprintf(p, "[08 Dec 2020] DSA-1-1 big\n\t{");
	for (i = 0; i < cves; i++)
		p += sprintf(p, "CVE-2020-%05zu ", i + 10000);
	p += sprintf(p, "}\n");
	for (i = 0; i < pkgs; i++)
		p += sprintf(p, "\t[buster] - p%zu 1.0-1\n", i);
	assert_int_equal(parse(&c, doc), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(feed_collector_skips(&c, "DSA-1-1", "4000 CVEs times 60 package lines"), 1);
	feed_collector_free(&c);
	free(doc);
}

static int stop_at_second(void *ctx, json_t *record)
{
	json_decref(record);
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_sink_stops_the_parser(void **state)
{
	int seen = 0;
	struct feed_sink sink = {stop_at_second, NULL, &seen};
	const char *text = "[08 Dec 2020] DSA-2-1 a\n\t{CVE-2020-0001 CVE-2020-0002 CVE-2020-0003}\n"
			   "\t[buster] - a 1.0-1\n[07 Dec 2020] DSA-1-1 b\n\t[buster] - b 1.0-1\n";

	(void)state;
	assert_int_equal(feed_parse_debian_list("list", text, strlen(text), &sink), 7);
	assert_int_equal(seen, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsa_list_counts),
		cmocka_unit_test(test_dla_list_counts),
		cmocka_unit_test(test_dsa_spot_checks),
		cmocka_unit_test(test_dla_spot_checks),
		cmocka_unit_test(test_not_a_list),
		cmocka_unit_test(test_garbage_between_entries),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_tabs_spaces_and_crlf),
		cmocka_unit_test(test_package_lines),
		cmocka_unit_test(test_non_ascii_lines),
		cmocka_unit_test(test_entry_without_usable_lines),
		cmocka_unit_test(test_cve_times_packages_is_bounded),
		cmocka_unit_test(test_sink_stops_the_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
