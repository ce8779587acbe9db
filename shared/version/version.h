/*
 * version.h - version ordering of every ecosystem the matcher knows.
 *
 * A vulnerability applies to a package when its version falls in an affected
 * range, and each ecosystem orders versions its own way: dpkg compares
 * epoch, upstream and revision with "~" sorting before everything; rpm
 * compares segments with "~" and "^"; PEP 440 has epochs, pre/post/dev
 * releases and local labels; Maven orders qualifiers by name. Comparing with
 * the wrong rule gives wrong findings, so each ecosystem has its own
 * comparator, written from its specification and checked against the
 * upstream projects' own test vectors (../shared/fixtures/version-vectors).
 *
 * Every comparator returns <0, 0 or >0 like strcmp, is total (any two
 * strings compare, and the order is consistent: antisymmetric and
 * transitive on the strings each ecosystem accepts), never allocates on the
 * hot path where avoidable, and bounds its work by the input length.
 * version_valid_* says whether a string is a well-formed version of that
 * ecosystem; the matcher uses it to refuse advisories it cannot order.
 */
#ifndef ASEC_VERSION_H
#define ASEC_VERSION_H

/* Versions longer than this are not plausible and compare as invalid. */
#define VERSION_MAX_LEN 256

int version_compare_dpkg(const char *a, const char *b);
int version_valid_dpkg(const char *v);

int version_compare_rpm(const char *a, const char *b);   /* [epoch:]version[-release] */
int version_valid_rpm(const char *v);

int version_compare_apk(const char *a, const char *b);
int version_valid_apk(const char *v);

int version_compare_semver(const char *a, const char *b);       /* SemVer 2.0, strict, leading "v" accepted */
int version_compare_semver_loose(const char *a, const char *b); /* node-semver loose */
int version_valid_semver(const char *v);

int version_compare_gomod(const char *a, const char *b); /* golang.org/x/mod/semver */
int version_valid_gomod(const char *v);

int version_compare_pep440(const char *a, const char *b);
int version_valid_pep440(const char *v);

int version_compare_maven(const char *a, const char *b);  /* ComparableVersion (Maven 3.9) */

int version_compare_rubygems(const char *a, const char *b);
int version_valid_rubygems(const char *v);

int version_compare_nuget(const char *a, const char *b);  /* NuGet SemVer 2.0 with 4-part versions */
int version_valid_nuget(const char *v);

int version_compare_composer(const char *a, const char *b); /* composer/semver normalize + PHP version_compare */
int version_valid_composer(const char *v);

/* The comparator for an ecosystem name as the indexer reports it ("deb",
 * "rpm", "apk", "npm", "pypi", "maven", "golang", "gem", "nuget", "cargo",
 * "composer"), or NULL when there is none. */
typedef int (*version_compare_fn)(const char *a, const char *b);
version_compare_fn version_comparator(const char *ecosystem);

#endif
