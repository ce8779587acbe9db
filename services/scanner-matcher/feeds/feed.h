/*
 * feed.h - what every vulnerability feed parser produces: canonical records.
 *
 * Each source speaks its own format (OSV JSON, NVD 2.0 and 1.1, Debian's
 * tracker JSON and DSA/DLA lists, Alpine secdb, Red Hat CSAF VEX, CISA KEV,
 * EPSS CSV, ...). A parser reads one file of one format and hands the sink
 * one canonical record at a time, so that the store, the in-memory index and
 * the matcher know a single shape. Records are jansson objects because the
 * store keeps them as JSON text and the explanation of a finding quotes
 * them; the shapes below are checked by feed_record_check(), which every
 * parser's tests and fuzz target apply to every record they see.
 *
 * An advisory record says which packages a vulnerability affects:
 *
 *   {"kind": "advisory",
 *    "id": "CVE-2021-3711",            the finding's name: a CVE where the
 *                                      record is about exactly one CVE,
 *                                      otherwise the source's own id
 *    "advisory": {"name": "DSA-4963-1", "link": "https://..."},   optional
 *    "aliases": ["GHSA-...", "DSA-4963-1"],   other ids, never "id" itself
 *    "summary": "...", "description": "...",                    optional
 *    "published": "2021-08-24T...", "modified": "...",          optional
 *    "severity": "high",               the vendor's own word, optional
 *    "normalizedSeverity": "IMPORTANT",  LOW|MODERATE|IMPORTANT|CRITICAL|UNKNOWN
 *    "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/...",
 *              "score": 9.8, "source": "nvd@nist.gov", "url": "..."}],  optional
 *    "affected": [{
 *        "ecosystem": "deb",          deb|rpm|apk|npm|pypi|golang|maven|gem|
 *                                     nuget|cargo|composer (the indexer's names)
 *        "distribution": "debian:12", feed_distribution_key(); "" for languages
 *        "package": "openssl",
 *        "packageKind": "source",     source|binary: which name the vendor keys by
 *        "status": "affected",        affected|fixed|will_not_fix|fix_deferred|
 *                                     not_affected|under_investigation
 *        "ranges": [{"introduced": "0", "fixed": "1.1.1k-1+deb11u1",
 *                    "events": "introduced 0, fixed 1.1.1k-1+deb11u1"}],
 *                     (also "lastAffected" instead of "fixed", "introducedAfter"
 *                     instead of "introduced", and "fixedBy"; see below)
 *        "versions": ["1.0.0"],       explicit affected versions, optional
 *        "severity": "...", "normalizedSeverity": "..."   per-package, optional
 *        "module": "nodejs:18"        rpm module stream the entry is about,
 *                                     optional; it matches only packages of
 *                                     that stream, and an entry without one
 *                                     only packages outside any stream
 *    }]}
 *
 * A range is one interval of versions. Its lower bound is "introduced"
 * (inclusive; "0" means no lower bound) or "introducedAfter" (exclusive);
 * its upper bound is "fixed" (exclusive) or "lastAffected" (inclusive); no
 * upper bound means every later version. The version that fixes a range is
 * its "fixed" bound, and a range that ends at "lastAffected" or at no bound
 * names none, unless the range says "fixedBy": the fix ("" for none) where
 * the source names one that is not the bound, as when npm's "<=0.3.3" with
 * patched ">=0.3.4" leaves 0.3.4's pre-releases neither affected nor
 * patched. "fixedBy" only names the fix; it never changes which versions
 * the range holds, and lies above them. "events" says in the source's own
 * words what the interval came from, for explanations. OSV events are turned
 * into intervals by sorting them with the ecosystem's comparator, exactly as
 * the OSV specification evaluates them; requirement strings such as npm's
 * "<1.2.3 || >=2.0.0 <2.1.0" or RubyGems' patched_versions become the
 * intervals they describe. An affected entry with no ranges and no versions
 * means every version (e.g. "not_affected" in that release, or "will_not_fix").
 *
 * Enrichment records add facts about a CVE from other sources; they never
 * say that a package is affected:
 *
 *   {"kind": "nvd", "id": "CVE-...", "description": "...", "published": "...",
 *    "modified": "...", "cvss": [...as above...], "cwes": ["CWE-79"], "link": "..."}
 *   {"kind": "kev", "id": "CVE-...", "dateAdded": "2021-11-03", "dueDate": "...",
 *    "knownRansomwareCampaignUse": "Known", "vendorProject": "...", "product": "...",
 *    "name": "...", "requiredAction": "...", "notes": "..."}
 *   {"kind": "epss", "id": "CVE-...", "epss": 0.00413, "percentile": 0.34395, "date": "2026-08-16"}
 *
 * Parsers never trust their input: every record that cannot be turned into a
 * canonical one is reported through the sink's skip callback with its id (if
 * known) and the reason, and parsing goes on with the next record. A parser
 * fails as a whole (ASEC_EINVALID) only when the file is not of its format at
 * all, and then nothing it produced is used (the importer is atomic).
 */
#ifndef ASEC_FEED_H
#define ASEC_FEED_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

/* A JSON document, or one JSON Lines line, larger than this is skipped. */
#define FEED_MAX_DOCUMENT_BYTES (64u * 1024 * 1024)
/* Strings kept in records (descriptions) are cut to this many bytes. */
#define FEED_MAX_TEXT_BYTES (16u * 1024)
/* Packages or ranges of one record beyond these are skipped with a reason. */
#define FEED_MAX_AFFECTED 100000
#define FEED_MAX_RANGES 1000
/* A skip's reason is cut to this many bytes. */
#define FEED_MAX_REASON_BYTES 768
/* CWE ids kept per enrichment record. */
#define FEED_MAX_CWES 64

struct feed_sink {
	/* Takes ownership of record (a canonical record). A nonzero return
	 * stops the parser, which returns that value. */
	int (*record)(void *ctx, json_t *record);
	/* A record that was left out: its id ("" when unknown) and why. */
	void (*skip)(void *ctx, const char *id, const char *reason);
	void *ctx;
};

/*
 * The parsers. name is the file's name inside its bundle (some formats say
 * things only there: DSA or DLA, the EPSS score date). data need not be
 * NUL-terminated. Each returns ASEC_OK when the file was of its format,
 * whatever number of records it skipped; the sink's nonzero return; or
 * ASEC_EINVALID with error_set() when the file is not of that format.
 */
int feed_parse_osv(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_nvd(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_debian_json(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_debian_list(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_alpine_secdb(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_csaf(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_kev(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_epss(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_nodejs_wg(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_rubysec(const char *name, const char *data, size_t len, const struct feed_sink *sink);
int feed_parse_rustsec(const char *name, const char *data, size_t len, const struct feed_sink *sink);

/* What every parser above is, for tables of formats. */
typedef int (*feed_parse_fn)(const char *name, const char *data, size_t len, const struct feed_sink *sink);

/* ---- helpers shared by the parsers (feed.c) ---- */

/* "LOW", "MODERATE", "IMPORTANT", "CRITICAL" or "UNKNOWN" for a vendor's
 * severity word, case-insensitively: negligible/unimportant/low -> LOW,
 * medium/moderate -> MODERATE, high/important -> IMPORTANT, critical ->
 * CRITICAL; anything else -> UNKNOWN. */
const char *feed_normalize_severity(const char *vendor_word);
/* The same from a CVSS base score (0.1-3.9 LOW, 4.0-6.9 MODERATE, 7.0-8.9
 * IMPORTANT, 9.0-10.0 CRITICAL; anything else UNKNOWN). */
const char *feed_severity_from_score(double score);

/* The distribution key of a release as the matcher looks it up: the lower-
 * case distribution id and the part of its version the vendor's advisories
 * are keyed by: "debian:12", "ubuntu:22.04", "alpine:3.18" (major.minor of
 * 3.18.4 or v3.18), "rhel:9" / "almalinux:8" / "rocky:8" / "centos:7" /
 * "ol:8" / "amzn:2" (major only), "fedora:39". Writes "" when either part is
 * missing. Debian code names (bookworm...) are turned into numbers. */
void feed_distribution_key(char *out, size_t size, const char *did, const char *version);
/* Debian's release number for a code name ("bookworm" -> "12"), NULL when unknown. */
const char *feed_debian_release(const char *codename);

/* Calls fn for each line of a JSON Lines buffer (without its newline; blank
 * lines skipped). Lines longer than FEED_MAX_DOCUMENT_BYTES are reported to
 * the sink as skipped. Stops at fn's first nonzero return. */
int feed_each_line(const char *data, size_t len, const struct feed_sink *sink,
		   int (*fn)(void *ctx, const char *line, size_t line_len), void *ctx);

/* Copies a string member of a JSON object, cut to FEED_MAX_TEXT_BYTES on a
 * UTF-8 boundary, into dst[key]; does nothing when it is absent or empty. */
void feed_copy_text(json_t *dst, const char *key, const char *text);
/* How many of the n bytes of s to keep so that there are at most max and
 * the cut does not fall inside a UTF-8 sequence. */
size_t feed_utf8_cut(const char *s, size_t n, size_t max);

/* Tells the sink, when it has a skip callback, that something was left out:
 * id (NULL for "") and the reason, formatted and cut to
 * FEED_MAX_REASON_BYTES. Reasons quote the input cut at byte counts, so
 * every byte outside printable ASCII becomes '?': a reason is always text
 * the importer can keep in JSON. */
void feed_skipf(const struct feed_sink *sink, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same from a va_list, for a parser's own wrapper; a line other than 0
 * starts the reason ("line 12: "), for formats read a line at a time. */
void feed_vskipf(const struct feed_sink *sink, const char *id, size_t line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Whether the n bytes at s are exactly a CVE id: "CVE-", a four-digit year,
 * "-" and 4 to 19 digits (real ones have at most 7; 19 is as many as a
 * 64-bit sequence number has, and bounds what a hostile id costs). */
int feed_is_cve_idn(const char *s, size_t n);
/* The same for a string; NULL is not one. */
int feed_is_cve_id(const char *s);

/* Whether the n bytes at s start with a date "YYYY-MM-DD" whose month is 1
 * to 12 and day 1 to 31 (the day is not checked against the month). */
int feed_is_date(const char *s, size_t n);
/* Writes an RFC 3339 UTC timestamp for a date as sources write it:
 * "2021-01-07" becomes "2021-01-07T00:00:00Z", a full "2021-01-07T10:00:00Z"
 * (or with fractions or an offset) is kept. Returns 1, or 0 and writes ""
 * when text is not one or does not fit in size bytes. */
int feed_timestamp(char *out, size_t size, const char *text);

/* Appends s to the array cwes when it is a CWE id ("CWE-" and digits, at
 * most 32 bytes) that cwes does not hold yet, while cwes holds fewer than
 * FEED_MAX_CWES (a linear search: records name a handful). Returns ASEC_OK
 * whether or not s was kept, ASEC_ENOMEM when memory ran out. */
int feed_add_cwe(json_t *cwes, const char *s);

/* Checks that record has the canonical shape described above (kind, id,
 * ecosystems, statuses, normalized severities, ranges with known keys and
 * comparable bounds). Returns ASEC_OK or ASEC_EINVALID with error_set()
 * naming the first problem. */
int feed_record_check(const json_t *record);

#endif
