/*
 * dpkg.c - Debian packages, from dpkg's status database.
 *
 * The database is var/lib/dpkg/status, a list of RFC 822-style stanzas (one
 * per package, separated by blank lines; a line starting with a blank
 * continues the field above). Distroless images have no status file but a
 * folder var/lib/dpkg/status.d/ with one file per package, in the same
 * format, next to "<package>.md5sums" and similar files that are not stanzas.
 *
 * Ideas:
 * - One pass over the bytes, keeping (pointer, length) spans of the five
 *   fields that matter (Package, Version, Architecture, Source, Status) and
 *   skipping the rest, continuation lines included: a 100,000-line
 *   Description or a 10 MB line costs time in proportion and no memory.
 * - A package is reported when its files are on disk: the third word of
 *   Status is installed, or one of the states between unpacking and
 *   configuring (unpacked, half-configured, triggers-awaited,
 *   triggers-pending). The first two words (what the admin wants, error
 *   flag) do not matter: a package on "hold" or marked "deinstall" but still
 *   installed is still there to be attacked. status.d entries usually have
 *   no Status field; each file there is an installed package.
 * - Fields are checked against the character sets dpkg itself enforces
 *   (names, versions, architectures are ASCII) and a length no package
 *   comes near, so nothing malformed - a Version with spaces, a NUL,
 *   invalid UTF-8, a megabyte of version - reaches a report; such a package
 *   is skipped with a note. A second value for a field keeps the
 *   first (dpkg refuses such a file, so there is no right answer) and a
 *   second Package field starts a new stanza, as if the blank line had been
 *   lost. Lines end at "\n", "\r\n" or a lone "\r".
 * - Source defaults to the binary package name and the source version to
 *   the binary version, as dpkg-query's ${source:Package} and
 *   ${source:Version} do; "Source: glibc (2.36-9)" gives both.
 *
 * The purl namespace is "debian": which distribution the package belongs to
 * (debian, ubuntu, ...) is for whoever combines this with os-release.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

/* Real status files reach about 10 MB on desktop-sized systems. */
#define DPKG_MAX_FILE (64u * 1024 * 1024)
/* Names and versions are tens of bytes; a longer one is an attack on the
 * report, not a package. */
#define DPKG_MAX_FIELD 1024
/* Each package costs a dozen small allocations; a crafted file of tiny
 * stanzas must not turn 64 MiB into gigabytes. Real systems have < 10,000. */
#define DPKG_MAX_PACKAGES 200000

#define STATUS_PATH "var/lib/dpkg/status"
#define STATUS_D_DIR "var/lib/dpkg/status.d/"

enum dpkg_field { F_PACKAGE, F_VERSION, F_ARCH, F_SOURCE, F_STATUS, F_COUNT };

static const char *const dpkg_field_names[F_COUNT] = { "Package", "Version", "Architecture", "Source", "Status" };

struct span {
	const char *p;
	size_t len;
};

struct stanza {
	struct span f[F_COUNT];
	unsigned seen;      /* one bit per dpkg_field */
	size_t first_line;  /* 1-based, for notes */
	int nonempty;       /* any line at all */
};

struct dpkg_parse {
	struct scan_out *out;
	const char *path;
	int status_d;
	size_t packages;
	size_t bad_lines, bad_line_first;
	size_t duplicates, duplicate_first;
	int stopped; /* DPKG_MAX_PACKAGES reached */
};

/* Files in status.d that are not package stanzas. */
static const char *const status_d_skip[] = {
	".md5sums", ".list", ".conffiles", ".preinst", ".postinst", ".prerm", ".postrm",
	".triggers", ".shlibs", ".symbols", ".templates", ".config",
};

static int dpkg_match(const char *path, size_t path_len, unsigned mode)
{
	size_t dir = sizeof(STATUS_D_DIR) - 1, i;

	if (path_len == sizeof(STATUS_PATH) - 1 && memcmp(path, STATUS_PATH, path_len) == 0)
		return 1;
	if (path_len <= dir || memcmp(path, STATUS_D_DIR, dir) != 0 || memchr(path + dir, '/', path_len - dir))
		return 0;
	if (path[dir] == '.')
		return 0; /* hidden files, editor leftovers */
	for (i = 0; i < sizeof(status_d_skip) / sizeof(status_d_skip[0]); i++)
		if (detector_path_has_suffix(path, path_len, status_d_skip[i]))
			return 0;
	return 1;
}

/* ---- character sets dpkg enforces ------------------------------------ */

static int name_ok(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > DPKG_MAX_FIELD || !isalnum((unsigned char)s.p[0]))
		return 0;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (!(isalnum(c) || c == '+' || c == '-' || c == '.' || c == '_'))
			return 0;
	}
	return 1;
}

/* [epoch:]upstream[-revision]; the epoch, when there is one, is a number. */
static int version_ok(struct span s)
{
	const char *colon;
	size_t i;

	if (s.len == 0 || s.len > DPKG_MAX_FIELD)
		return 0;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (!(isalnum(c) || c == '.' || c == '+' || c == '-' || c == '~' || c == ':'))
			return 0;
	}
	colon = memchr(s.p, ':', s.len);
	if (colon) {
		if (colon == s.p || (size_t)(colon - s.p) + 1 == s.len)
			return 0;
		for (i = 0; s.p + i < colon; i++)
			if (!isdigit((unsigned char)s.p[i]))
				return 0;
	}
	return 1;
}

static int arch_ok(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > DPKG_MAX_FIELD)
		return 0;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (!(islower(c) || isdigit(c) || c == '-'))
			return 0;
	}
	return 1;
}

static int blank(int c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(const char *p, size_t len)
{
	struct span s = { p, len };

	detector_trim_blanks(&s.p, &s.len);
	return s;
}

/* ---- one stanza -------------------------------------------------------- */

/* The current state (third word) means the package's files are on disk. */
static int status_installed(struct span s, int *malformed)
{
	static const char *const on_disk[] = { "installed", "unpacked", "half-configured", "triggers-awaited",
					       "triggers-pending" };
	static const char *const off_disk[] = { "not-installed", "config-files", "half-installed" };
	struct span word[3];
	size_t i = 0, k = 0, j;

	*malformed = 0;
	while (k < 3) {
		while (i < s.len && blank(s.p[i]))
			i++;
		if (i == s.len)
			break;
		word[k].p = s.p + i;
		while (i < s.len && !blank(s.p[i]))
			i++;
		word[k].len = (size_t)(s.p + i - word[k].p);
		k++;
	}
	while (i < s.len && blank(s.p[i]))
		i++;
	if (k != 3 || i != s.len) {
		*malformed = 1;
		return 0;
	}
	for (j = 0; j < sizeof(on_disk) / sizeof(on_disk[0]); j++)
		if (strlen(on_disk[j]) == word[2].len && memcmp(on_disk[j], word[2].p, word[2].len) == 0)
			return 1;
	for (j = 0; j < sizeof(off_disk) / sizeof(off_disk[0]); j++)
		if (strlen(off_disk[j]) == word[2].len && memcmp(off_disk[j], word[2].p, word[2].len) == 0)
			return 0;
	*malformed = 1;
	return 0;
}

/* "glibc" or "glibc (2.36-9)". Returns 0 when it is neither. */
static int split_source(struct span s, struct span *name, struct span *version)
{
	size_t i = 0;
	struct span rest;

	while (i < s.len && !blank(s.p[i]))
		i++;
	name->p = s.p;
	name->len = i;
	version->p = NULL;
	version->len = 0;
	rest = trim(s.p + i, s.len - i);
	if (rest.len == 0)
		return name_ok(*name);
	if (rest.len < 2 || rest.p[0] != '(' || rest.p[rest.len - 1] != ')')
		return 0;
	*version = trim(rest.p + 1, rest.len - 2);
	return name_ok(*name) && version_ok(*version);
}

/* An absent field (no pointer) becomes "". */
static char *span_dup(struct span s)
{
	return s.p ? strndup(s.p, s.len) : strdup("");
}

static int stanza_finish(struct dpkg_parse *ps, struct stanza *st)
{
	struct span name = st->f[F_PACKAGE], version = st->f[F_VERSION], arch = st->f[F_ARCH];
	struct span src_name, src_version;
	struct pkg p;
	int malformed, rc = ASEC_OK;

	if (!st->nonempty || ps->stopped)
		return ASEC_OK;
	if (!(st->seen & (1u << F_PACKAGE)) || name.len == 0) {
		scan_note(ps->out, "%s: stanza at line %zu has no package name; skipped", ps->path, st->first_line);
		return ASEC_OK;
	}
	if (!name_ok(name)) {
		scan_note(ps->out, "%s: stanza at line %zu: the package name has characters dpkg does not allow; skipped",
			  ps->path, st->first_line);
		return ASEC_OK;
	}
	if (st->seen & (1u << F_STATUS)) {
		if (!status_installed(st->f[F_STATUS], &malformed)) {
			if (malformed)
				scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed Status; skipped", ps->path,
					  (int)name.len, name.p, st->first_line);
			return ASEC_OK;
		}
	} else if (!ps->status_d) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has no Status field; skipped", ps->path, (int)name.len,
			  name.p, st->first_line);
		return ASEC_OK;
	}
	if (version.len > 0 && !version_ok(version)) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has a Version dpkg does not allow; skipped", ps->path,
			  (int)name.len, name.p, st->first_line);
		return ASEC_OK;
	}
	if (arch.len > 0 && !arch_ok(arch)) {
		scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed Architecture; left out", ps->path,
			  (int)name.len, name.p, st->first_line);
		arch.len = 0;
	}
	src_name = name;
	src_version = version;
	if ((st->seen & (1u << F_SOURCE)) && st->f[F_SOURCE].len > 0) {
		struct span sn, sv;

		if (split_source(st->f[F_SOURCE], &sn, &sv)) {
			src_name = sn;
			if (sv.len > 0)
				src_version = sv;
		} else {
			scan_note(ps->out, "%s: package %.*s (line %zu) has a malformed Source; using the binary package",
				  ps->path, (int)name.len, name.p, st->first_line);
		}
	}
	if (ps->packages == DPKG_MAX_PACKAGES) {
		scan_note(ps->out, "%s: more than %d packages; the rest is ignored", ps->path, DPKG_MAX_PACKAGES);
		ps->stopped = 1;
		return ASEC_OK;
	}

	memset(&p, 0, sizeof(p));
	p.name = span_dup(name);
	p.version = span_dup(version);
	p.arch = span_dup(arch);
	p.source_name = span_dup(src_name);
	p.source_version = span_dup(src_version);
	if (p.name && p.version && p.arch && p.source_name && p.source_version)
		p.purl = detector_purl_os("pkg:deb/debian/", p.name, p.version, p.arch);
	if (!p.purl) {
		error_set("out of memory reading %s", ps->path);
		rc = ASEC_ENOMEM;
		goto out;
	}
	p.kind = "binary";
	p.ecosystem = "deb";
	p.package_db = (char *)ps->path;
	p.repository_hint = "";
	rc = pkg_list_add(&ps->out->pkgs, &p);
	if (rc == ASEC_OK)
		ps->packages++;
out:
	/* pkg_list_add copied them; the literals and the path are not ours. */
	free(p.name);
	free(p.version);
	free(p.arch);
	free(p.source_name);
	free(p.source_version);
	free(p.purl);
	return rc;
}

/* ---- the file ----------------------------------------------------------- */

static int field_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(dpkg_field_names[i]) == len && strncasecmp(dpkg_field_names[i], name, len) == 0)
			return i;
	return -1;
}

static int field_name_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || p[0] == '#' || p[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

static void bad_line(struct dpkg_parse *ps, size_t line_no)
{
	if (ps->bad_lines++ == 0)
		ps->bad_line_first = line_no;
}

static int dpkg_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct dpkg_parse ps;
	struct stanza st;
	const char *line;
	size_t line_len, pos = 0, line_no = 0;
	int rc = ASEC_OK;

	memset(&ps, 0, sizeof(ps));
	memset(&st, 0, sizeof(st));
	ps.out = out;
	ps.path = path;
	ps.status_d = strncmp(path, STATUS_D_DIR, sizeof(STATUS_D_DIR) - 1) == 0;
	if (len > DPKG_MAX_FILE) {
		scan_note(out, "%s: %zu bytes is over the %u-byte limit; skipped", path, len, DPKG_MAX_FILE);
		return ASEC_OK;
	}
	while (!ps.stopped && detector_next_line(data, len, &pos, &line, &line_len)) {
		struct span value;
		const char *colon;
		int field;

		line_no++;
		if (trim(line, line_len).len == 0) {
			rc = stanza_finish(&ps, &st);
			if (rc)
				goto out;
			memset(&st, 0, sizeof(st));
			continue;
		}
		if (!st.nonempty) {
			st.nonempty = 1;
			st.first_line = line_no;
		}
		if (blank(line[0])) {
			/* A continuation: none of the fields kept here has one that matters. */
			if (st.first_line == line_no)
				bad_line(&ps, line_no);
			continue;
		}
		colon = memchr(line, ':', line_len);
		if (!colon || !field_name_ok(line, (size_t)(colon - line))) {
			bad_line(&ps, line_no);
			continue;
		}
		field = field_lookup(line, (size_t)(colon - line));
		if (field < 0)
			continue;
		value = trim(colon + 1, line_len - (size_t)(colon + 1 - line));
		if (field == F_PACKAGE && (st.seen & (1u << F_PACKAGE))) {
			/* A lost blank line: the new Package starts a new stanza. */
			bad_line(&ps, line_no);
			rc = stanza_finish(&ps, &st);
			if (rc)
				goto out;
			memset(&st, 0, sizeof(st));
			st.nonempty = 1;
			st.first_line = line_no;
		}
		if (st.seen & (1u << field)) {
			if (ps.duplicates++ == 0)
				ps.duplicate_first = line_no;
			continue;
		}
		st.seen |= 1u << field;
		st.f[field] = value;
	}
	rc = stanza_finish(&ps, &st);
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

const struct detector detector_dpkg = {
	.name = "dpkg",
	.version = 1,
	.max_file_bytes = DPKG_MAX_FILE,
	.match = dpkg_match,
	.scan = dpkg_scan,
};
