/*
 * apk.c - Alpine (and Wolfi, Chainguard) packages, from apk's installed
 * database, lib/apk/db/installed.
 *
 * The database is a list of records separated by blank lines; every line is
 * one letter, a colon and a value ("P:musl", "V:1.2.4-r4"). The letters kept
 * here are P (name), V (version), A (architecture) and o (origin, the
 * APKBUILD the package was built from, hence the source package); the file
 * list (F, R, Z, a, M lines), checksums, sizes, maintainer and the rest are
 * skipped. The repository a package came from is not recorded in this file,
 * so repository_hint stays empty.
 *
 * Ideas:
 * - One pass, keeping (pointer, length) spans into the buffer; a huge line
 *   or a record with a million file lines costs time in proportion and no
 *   memory.
 * - apk itself stops at the first malformed line. Here a malformed line is
 *   counted and skipped, so a damaged database still yields what can be
 *   read, with a note. A second P line in a record starts a new record (a
 *   lost blank line); a second V, A or o keeps the first value.
 * - Names, versions and architectures are checked against the characters
 *   apk uses (ASCII letters, digits and a little punctuation) and a length
 *   no package comes near, so no NUL, blank, invalid UTF-8 or megabyte of
 *   version reaches a report; such a package is skipped with a note. Lines end at "\n", "\r\n" or a lone "\r".
 * - The source version is the package version: every subpackage of an
 *   APKBUILD carries the version of its origin.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

/* With its file lists the database grows ~10 KB per package; a few thousand
 * packages stay far below this. */
#define APK_MAX_FILE (64u * 1024 * 1024)
/* Names and versions are tens of bytes; a longer one is an attack on the
 * report, not a package. */
#define APK_MAX_FIELD 1024
/* Bounds the memory a crafted file of tiny records can cost. */
#define APK_MAX_PACKAGES 200000

enum apk_field { A_NAME, A_VERSION, A_ARCH, A_ORIGIN, A_COUNT };

static const char apk_field_letters[A_COUNT] = { 'P', 'V', 'A', 'o' };

struct span {
	const char *p;
	size_t len;
};

struct record {
	struct span f[A_COUNT];
	unsigned seen;
	size_t first_line;
	int nonempty;   /* any line */
	int has_fields; /* any well-formed line */
};

struct apk_parse {
	struct scan_out *out;
	const char *path;
	size_t packages;
	size_t bad_lines, bad_line_first;
	size_t duplicates, duplicate_first;
	int stopped;
};

static int apk_match(const char *path, size_t path_len, unsigned mode)
{
	static const char db[] = "lib/apk/db/installed", usr_db[] = "usr/lib/apk/db/installed";

	return (path_len == sizeof(db) - 1 && memcmp(path, db, path_len) == 0) ||
	       (path_len == sizeof(usr_db) - 1 && memcmp(path, usr_db, path_len) == 0);
}

static int chars_ok(struct span s, const char *punct)
{
	size_t i;

	if (s.len == 0 || s.len > APK_MAX_FIELD || !isalnum((unsigned char)s.p[0]))
		return 0;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (!isalnum(c) && (c == '\0' || !strchr(punct, c)))
			return 0;
	}
	return 1;
}

static int name_ok(struct span s)
{
	return chars_ok(s, "+._-");
}

/* "1.2.4_git20230717-r4", "2.9.11_pre20061021-r2", "1.0~abc123-r0" */
static int version_ok(struct span s)
{
	return chars_ok(s, "._-~+");
}

static int arch_ok(struct span s)
{
	return chars_ok(s, "_-");
}

/* An absent field (no pointer) becomes "". */
static char *span_dup(struct span s)
{
	return s.p ? strndup(s.p, s.len) : strdup("");
}

static int record_finish(struct apk_parse *ps, struct record *r)
{
	struct span name = r->f[A_NAME], version = r->f[A_VERSION], arch = r->f[A_ARCH], origin = r->f[A_ORIGIN];
	struct pkg p;
	int rc = ASEC_OK;

	if (!r->has_fields || ps->stopped)
		return ASEC_OK;
	if (!(r->seen & (1u << A_NAME)) || name.len == 0) {
		scan_note(ps->out, "%s: record at line %zu has no package name (P:); skipped", ps->path, r->first_line);
		return ASEC_OK;
	}
	if (!name_ok(name)) {
		scan_note(ps->out, "%s: record at line %zu: the package name has characters apk does not use; skipped",
			  ps->path, r->first_line);
		return ASEC_OK;
	}
	if (version.len > 0 && !version_ok(version)) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed version; skipped", ps->path,
			  (int)name.len, name.p, r->first_line);
		return ASEC_OK;
	}
	if (arch.len > 0 && !arch_ok(arch)) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed architecture; left out", ps->path,
			  (int)name.len, name.p, r->first_line);
		arch.len = 0;
	}
	if (origin.len > 0 && !name_ok(origin)) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed origin; left out", ps->path,
			  (int)name.len, name.p, r->first_line);
		origin.len = 0;
	}
	if (ps->packages == APK_MAX_PACKAGES) {
		scan_note(ps->out, "%s: more than %d packages; the rest is ignored", ps->path, APK_MAX_PACKAGES);
		ps->stopped = 1;
		return ASEC_OK;
	}

	memset(&p, 0, sizeof(p));
	p.name = span_dup(name);
	p.version = span_dup(version);
	p.arch = span_dup(arch);
	if (origin.len > 0) {
		p.source_name = span_dup(origin);
		p.source_version = span_dup(version);
	}
	if (p.name && p.version && p.arch && (origin.len == 0 || (p.source_name && p.source_version)))
		p.purl = detector_purl_os("pkg:apk/alpine/", p.name, p.version, p.arch);
	if (!p.purl) {
		error_set("out of memory reading %s", ps->path);
		rc = ASEC_ENOMEM;
		goto out;
	}
	p.kind = "binary";
	p.ecosystem = "apk";
	p.package_db = (char *)ps->path;
	p.repository_hint = "";
	rc = pkg_list_add(&ps->out->pkgs, &p);
	if (rc == ASEC_OK)
		ps->packages++;
out:
	free(p.name);
	free(p.version);
	free(p.arch);
	free(p.source_name);
	free(p.source_version);
	free(p.purl);
	return rc;
}

static struct span trim(const char *p, size_t len)
{
	struct span s = { p, len };

	detector_trim_blanks(&s.p, &s.len);
	return s;
}

static int apk_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct apk_parse ps;
	struct record r;
	const char *line;
	size_t line_len, pos = 0, line_no = 0;
	int rc = ASEC_OK;

	memset(&ps, 0, sizeof(ps));
	memset(&r, 0, sizeof(r));
	ps.out = out;
	ps.path = path;
	if (len > APK_MAX_FILE) {
		scan_note(out, "%s: %zu bytes is over the %u-byte limit; skipped", path, len, APK_MAX_FILE);
		return ASEC_OK;
	}
	while (!ps.stopped && detector_next_line(data, len, &pos, &line, &line_len)) {
		int field;

		line_no++;
		if (line_len == 0) {
			rc = record_finish(&ps, &r);
			if (rc)
				goto out;
			memset(&r, 0, sizeof(r));
			continue;
		}
		if (!r.nonempty) {
			r.nonempty = 1;
			r.first_line = line_no;
		}
		if (line_len < 2 || line[1] != ':' || !isalpha((unsigned char)line[0])) {
			if (ps.bad_lines++ == 0)
				ps.bad_line_first = line_no;
			continue;
		}
		for (field = 0; field < A_COUNT; field++)
			if (apk_field_letters[field] == line[0])
				break;
		if (field == A_NAME && (r.seen & (1u << A_NAME))) {
			/* A lost blank line: this P starts the next record. */
			if (ps.bad_lines++ == 0)
				ps.bad_line_first = line_no;
			rc = record_finish(&ps, &r);
			if (rc)
				goto out;
			memset(&r, 0, sizeof(r));
			r.nonempty = 1;
			r.first_line = line_no;
		}
		r.has_fields = 1;
		if (field == A_COUNT)
			continue;
		if (r.seen & (1u << field)) {
			if (ps.duplicates++ == 0)
				ps.duplicate_first = line_no;
			continue;
		}
		r.seen |= 1u << field;
		r.f[field] = trim(line + 2, line_len - 2);
	}
	rc = record_finish(&ps, &r);
	if (rc)
		goto out;
	if (ps.bad_lines)
		scan_note(out, "%s: %zu malformed lines ignored (the first at line %zu)", path, ps.bad_lines,
			  ps.bad_line_first);
	if (ps.duplicates)
		scan_note(out, "%s: %zu repeated fields ignored, the first value kept (the first at line %zu)", path,
			  ps.duplicates, ps.duplicate_first);
out:
	return rc;
}

const struct detector detector_apk = {
	.name = "apk",
	.version = 1,
	.max_file_bytes = APK_MAX_FILE,
	.match = apk_match,
	.scan = apk_scan,
};
