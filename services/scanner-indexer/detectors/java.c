/*
 * java.c - Java archives (jar, war, ear, Jenkins jpi/hpi): which Maven
 * artifacts an archive is, and which it carries inside.
 *
 * Evidence, strongest first, as Trivy and Syft use it (without their online
 * lookups by SHA-1 or artifact name):
 *
 *   1. Every pom.properties in the archive (any directory; Maven writes them
 *      under META-INF/maven/<group>/<artifact>/, shade plugins copy those of
 *      the libraries they inline) names one artifact, groupId:artifactId at
 *      version. Each one is reported.
 *   2. When none of those is the archive itself - judged by its file name,
 *      "guava-29.0-jre.jar" is artifact "guava" at "29.0-jre" - the main
 *      section of META-INF/MANIFEST.MF names it: the group from
 *      Implementation-Vendor-Id, else Bundle-SymbolicName less its last
 *      dotted part, else Implementation-Vendor or Specification-Vendor; the
 *      artifact from Implementation-Title, Specification-Title or
 *      Bundle-Name; the version from Implementation-Version,
 *      Specification-Version or Bundle-Version (Trivy's offline order).
 *   3. Failing both, the file name alone: artifact and version, no group.
 *      This is a guess; it is reported so that the inventory is complete.
 *
 * repository_hint says which evidence made the package: "pom.properties",
 * "manifest" or "filename". package_db is the file the evidence came from,
 * written archive path, ':' and inner path, repeated for every level:
 * "app.war:WEB-INF/lib/x.jar:META-INF/maven/g/x/pom.properties".
 *
 * Archives inside the archive (WEB-INF/lib/, BOOT-INF/lib/, lib/, Jenkins'
 * WEB-INF/detached-plugins/ - wherever they are) are read the same way.
 *
 * The zip is read from memory with libarchive, zip format only. The seekable
 * reader is tried first: it works from the central directory, which is what
 * the JVM trusts too, and it skips unread entries by seeking, so a class
 * file is never inflated. Only when there is no usable central directory (a
 * truncated jar) is the archive read again with the streaming reader, in
 * order, to salvage what it can; that reader would have to inflate an entry
 * of unknown size to skip it, so there we drain such entries ourselves,
 * against the inflate budget below.
 *
 * Bounds (the numbers are the JAVA_MAX_* macros):
 *   - MANIFEST.MF and pom.properties are read only up to 1 MiB each: a zip
 *     bomb stops at the cap with a note;
 *   - a nested archive is inflated into memory up to 64 MiB (larger ones get
 *     a note and the file name heuristic); archives nest at most 4 levels
 *     below the archive the walker handed us;
 *   - at most 512 MiB are inflated in total per top-level archive, whatever
 *     the central directory claims about sizes;
 *   - an archive whose end-of-central-directory record counts more than
 *     262,144 entries is not given to the seekable reader (which allocates
 *     per entry up front) but read in order, up to that many entries;
 *   - at most 10,000 packages per top-level archive.
 * Memory: the walker holds the top-level file (max_file_bytes, 256 MiB for
 * fat jars). On top of that we hold one inflated nested archive per level
 * being read - typically one jar of a few MiB at a time, at worst 4 x 64 MiB
 * - plus libarchive's per-entry state of each open level.
 */
#include "detectors/detector.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* With the walker's copy of the file and the nested archives held at once,
 * a hostile jar stays under the service's 256 MiB memory bound. */
#define JAVA_MAX_FILE_BYTES ((size_t)128 << 20)
#define JAVA_MAX_DEPTH 4
#define JAVA_MAX_META_BYTES ((size_t)1 << 20)
#define JAVA_MAX_NESTED_BYTES ((size_t)64 << 20)
#define JAVA_MAX_NESTED_HELD ((size_t)64 << 20) /* all nesting levels together */
#define JAVA_MAX_INFLATED ((uint64_t)512 << 20)
#define JAVA_MAX_ENTRIES 262144
#define JAVA_MAX_PKGS 10000
#define JAVA_MAX_FIELD 512    /* a coordinate longer than this is not a coordinate */
#define JAVA_MAX_NAME 4096    /* entry names longer than this are skipped */
#define JAVA_MAX_LINE 2048    /* manifest logical line kept; longer attributes are not ours */

/* One top-level archive being read, across all nesting levels. */
struct java_walk {
	struct scan_out *out;
	uint64_t inflated;
	size_t pkgs;
	int exhausted;        /* inflate budget spent: read nothing more */
	size_t held;          /* bytes of nested archives in memory now, all levels */
	int pkgs_noted;
};

/* A Maven coordinate; each field is NULL or a malloc'd, trimmed string. */
struct java_coord {
	char *group, *artifact, *version;
};

/* "artifact@version" of what one archive level reported, for de-duplication
 * (Trivy lists a library shaded twice once). A linear list: an archive
 * rarely holds more than a few dozen pom.properties, and the total is capped. */
struct java_seen {
	char **keys;
	size_t count, cap;
};

enum java_read_status { JAVA_READ_OK, JAVA_READ_TOO_BIG, JAVA_READ_BROKEN, JAVA_READ_BUDGET };

static const char *const java_suffixes[] = { ".jar", ".war", ".ear", ".jpi", ".hpi" };

static int java_has_archive_suffix(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(java_suffixes) / sizeof(java_suffixes[0]); i++)
		if (len > 4 && strncasecmp(name + len - 4, java_suffixes[i], 4) == 0)
			return 1;
	return 0;
}

static int java_match(const char *path, size_t path_len, unsigned mode)
{
	(void)mode;
	return java_has_archive_suffix(path, path_len);
}

static void java_coord_free(struct java_coord *c)
{
	free(c->group);
	free(c->artifact);
	free(c->version);
	memset(c, 0, sizeof(*c));
}

static int java_nonempty(const char *s)
{
	return s && s[0];
}

static void java_seen_free(struct java_seen *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->keys[i]);
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

static char *java_seen_key(const char *artifact, const char *version)
{
	char *key = NULL;

	if (asprintf(&key, "%s@%s", artifact ? artifact : "", version ? version : "") < 0)
		return NULL;
	return key;
}

static int java_seen_has(const struct java_seen *s, const char *artifact, const char *version)
{
	char *key = java_seen_key(artifact, version);
	size_t i;
	int found = 0;

	if (!key)
		return 0;
	for (i = 0; i < s->count && !found; i++)
		found = strcmp(s->keys[i], key) == 0;
	free(key);
	return found;
}

static int java_seen_add(struct java_seen *s, const char *artifact, const char *version)
{
	char *key;

	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **grown = realloc(s->keys, cap * sizeof(*grown));
		if (!grown)
			goto nomem;
		s->keys = grown;
		s->cap = cap;
	}
	key = java_seen_key(artifact, version);
	if (!key)
		goto nomem;
	s->keys[s->count++] = key;
	return ASEC_OK;
nomem:
	error_set("out of memory reading a Java archive");
	return ASEC_ENOMEM;
}

/* pkg:maven/<group>/<artifact>@<version>; ":" is encoded as it always has
 * been here (DETECTOR_PURL_ENCODE_COLON). */
static void java_purl(char *dst, size_t size, const struct java_coord *c)
{
	const unsigned flags = DETECTOR_PURL_ENCODE_COLON;
	size_t used = 0;

	dst[0] = '\0';
	detector_purl_append(dst, size, &used, "pkg:maven/");
	if (java_nonempty(c->group)) {
		detector_purl_escape(dst, size, &used, c->group, strlen(c->group), flags);
		detector_purl_append(dst, size, &used, "/");
	}
	detector_purl_escape(dst, size, &used, c->artifact, strlen(c->artifact), flags);
	if (java_nonempty(c->version)) {
		detector_purl_append(dst, size, &used, "@");
		detector_purl_escape(dst, size, &used, c->version, strlen(c->version), flags);
	}
}

/* Reports one identified artifact; duplicates within one archive level are dropped. */
static int java_emit(struct java_walk *w, struct java_seen *seen, const struct java_coord *c, const char *package_db,
		     const char *hint)
{
	struct pkg p;
	char name[2 * JAVA_MAX_FIELD + 2];
	char purl[3 * (3 * JAVA_MAX_FIELD) + 32];
	int rc;

	if (java_seen_has(seen, c->artifact, c->version))
		return ASEC_OK;
	if (w->pkgs >= JAVA_MAX_PKGS) {
		if (!w->pkgs_noted)
			scan_note(w->out, "%s: more than %d Java packages; the rest are not reported", package_db,
				  JAVA_MAX_PKGS);
		w->pkgs_noted = 1;
		return ASEC_OK;
	}
	if (java_nonempty(c->group))
		snprintf(name, sizeof(name), "%s:%s", c->group, c->artifact);
	else
		snprintf(name, sizeof(name), "%s", c->artifact);
	java_purl(purl, sizeof(purl), c);

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = c->version;
	p.kind = "binary";
	p.package_db = (char *)package_db;
	p.repository_hint = (char *)hint;
	p.ecosystem = "maven";
	p.purl = purl;
	rc = pkg_list_add(&w->out->pkgs, &p);
	if (rc)
		return rc;
	w->pkgs++;
	return java_seen_add(seen, c->artifact, c->version);
}

/* A coordinate field is kept only when it is short printable text. */
static char *java_field(const char *s, size_t len)
{
	char *v;
	size_t i;

	v = detector_strndup_trim(s, len);
	if (!v)
		return NULL;
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			break;
	if (v[i] || i > JAVA_MAX_FIELD) {
		free(v);
		return strdup("");
	}
	return v;
}

static int java_set(char **slot, const char *s, size_t len)
{
	char *v = java_field(s, len);

	if (!v) {
		error_set("out of memory reading a Java archive");
		return ASEC_ENOMEM;
	}
	free(*slot);
	*slot = v;
	return ASEC_OK;
}

/*
 * pom.properties is a Java properties file written by Maven: "key=value"
 * lines and "#" comments. Java also allows ':' or white space as the
 * separator and "!" comments; backslash escapes are undone by dropping the
 * backslash (coordinates never need more). Line continuations are not
 * supported: Maven never writes them.
 */
static int java_parse_pom(struct java_coord *c, const unsigned char *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len;
	int rc = ASEC_OK;

	while (p < end && rc == ASEC_OK) {
		const char *line = p, *eol = p, *k, *kend, *v;
		char value[JAVA_MAX_FIELD + 1];
		size_t vlen = 0;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		p = eol < end ? eol + 1 : end;
		k = line;
		while (k < eol && (*k == ' ' || *k == '\t' || *k == '\f'))
			k++;
		if (k == eol || *k == '#' || *k == '!')
			continue;
		kend = k;
		while (kend < eol && *kend != '=' && *kend != ':' && *kend != ' ' && *kend != '\t') {
			if (*kend == '\\' && kend + 1 < eol)
				kend++;
			kend++;
		}
		v = kend;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		if (v < eol && (*v == '=' || *v == ':'))
			v++;
		for (; v < eol && vlen < JAVA_MAX_FIELD; v++) {
			if (*v == '\\' && v + 1 < eol)
				v++;
			value[vlen++] = *v;
		}
		if (v < eol)
			continue; /* too long to be a coordinate */
		value[vlen] = '\0';
		if ((size_t)(kend - k) == 7 && memcmp(k, "groupId", 7) == 0)
			rc = java_set(&c->group, value, vlen);
		else if ((size_t)(kend - k) == 10 && memcmp(k, "artifactId", 10) == 0)
			rc = java_set(&c->artifact, value, vlen);
		else if ((size_t)(kend - k) == 7 && memcmp(k, "version", 7) == 0)
			rc = java_set(&c->version, value, vlen);
	}
	return rc;
}

/* The manifest attributes that can name an artifact. */
enum {
	MF_IMPL_TITLE,
	MF_IMPL_VERSION,
	MF_IMPL_VENDOR_ID,
	MF_IMPL_VENDOR,
	MF_SPEC_TITLE,
	MF_SPEC_VERSION,
	MF_SPEC_VENDOR,
	MF_BUNDLE_SYMBOLIC_NAME,
	MF_BUNDLE_VERSION,
	MF_BUNDLE_NAME,
	MF_COUNT
};

static const char *const java_mf_names[MF_COUNT] = {
	"Implementation-Title",	  "Implementation-Version", "Implementation-Vendor-Id", "Implementation-Vendor",
	"Specification-Title",	  "Specification-Version",  "Specification-Vendor",	"Bundle-SymbolicName",
	"Bundle-Version",	  "Bundle-Name",
};

struct java_manifest {
	char *attr[MF_COUNT];
};

static void java_manifest_free(struct java_manifest *m)
{
	size_t i;

	for (i = 0; i < MF_COUNT; i++)
		free(m->attr[i]);
	memset(m, 0, sizeof(*m));
}

static int java_manifest_attr(struct java_manifest *m, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t i, nlen;

	if (!colon)
		return ASEC_OK;
	nlen = (size_t)(colon - line);
	for (i = 0; i < MF_COUNT; i++) {
		if (strlen(java_mf_names[i]) == nlen && strncasecmp(line, java_mf_names[i], nlen) == 0 && !m->attr[i])
			return java_set(&m->attr[i], colon + 1, len - nlen - 1);
	}
	return ASEC_OK;
}

/*
 * MANIFEST.MF: "Name: value" lines of at most 72 bytes, a line starting with
 * one space continues the previous one, and the main section ends at the
 * first empty line. Logical lines longer than JAVA_MAX_LINE (Export-Package
 * lists, class paths) are skipped: none of the attributes we want is that long.
 */
static int java_parse_manifest(struct java_manifest *m, const unsigned char *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len;
	char logical[JAVA_MAX_LINE];
	size_t llen = 0;
	int have = 0, overlong = 0, rc = ASEC_OK;

	while (p < end && rc == ASEC_OK) {
		const char *line = p, *eol = p;
		size_t n;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		p = eol;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		n = (size_t)(eol - line);
		if (n > 0 && line[0] == ' ' && have) {
			if (llen + n - 1 < sizeof(logical)) {
				memcpy(logical + llen, line + 1, n - 1);
				llen += n - 1;
			} else {
				overlong = 1;
			}
			continue;
		}
		if (have && !overlong)
			rc = java_manifest_attr(m, logical, llen);
		have = 0;
		overlong = 0;
		llen = 0;
		if (n == 0)
			break; /* end of the main section */
		if (n < sizeof(logical)) {
			memcpy(logical, line, n);
			llen = n;
		} else {
			overlong = 1;
		}
		have = 1;
	}
	if (rc == ASEC_OK && have && !overlong)
		rc = java_manifest_attr(m, logical, llen);
	return rc;
}

static const char *java_first(const struct java_manifest *m, int a, int b, int c)
{
	if (java_nonempty(m->attr[a]))
		return m->attr[a];
	if (java_nonempty(m->attr[b]))
		return m->attr[b];
	if (c >= 0 && java_nonempty(m->attr[c]))
		return m->attr[c];
	return NULL;
}

/* Trivy's offline reading of a manifest; all three parts or nothing. */
static int java_manifest_coord(struct java_coord *c, const struct java_manifest *m)
{
	const char *artifact = java_first(m, MF_IMPL_TITLE, MF_SPEC_TITLE, MF_BUNDLE_NAME);
	const char *version = java_first(m, MF_IMPL_VERSION, MF_SPEC_VERSION, MF_BUNDLE_VERSION);
	const char *group = NULL;
	size_t glen = 0;

	memset(c, 0, sizeof(*c));
	if (java_nonempty(m->attr[MF_IMPL_VENDOR_ID])) {
		group = m->attr[MF_IMPL_VENDOR_ID];
		glen = strlen(group);
	} else if (java_nonempty(m->attr[MF_BUNDLE_SYMBOLIC_NAME])) {
		/* "com.fasterxml.jackson.core.jackson-databind;singleton:=true"
		 * -> "com.fasterxml.jackson.core" */
		const char *dot;
		group = m->attr[MF_BUNDLE_SYMBOLIC_NAME];
		glen = strcspn(group, ";");
		dot = memrchr(group, '.', glen);
		if (dot && dot > group)
			glen = (size_t)(dot - group);
	} else if (java_nonempty(m->attr[MF_IMPL_VENDOR])) {
		group = m->attr[MF_IMPL_VENDOR];
		glen = strlen(group);
	} else if (java_nonempty(m->attr[MF_SPEC_VENDOR])) {
		group = m->attr[MF_SPEC_VENDOR];
		glen = strlen(group);
	}
	if (!group || !artifact || !version)
		return ASEC_OK;
	c->group = detector_strndup_trim(group, glen);
	c->artifact = strdup(artifact);
	c->version = strdup(version);
	if (!c->group || !c->artifact || !c->version) {
		java_coord_free(c);
		error_set("out of memory reading a Java archive");
		return ASEC_ENOMEM;
	}
	if (!c->group[0])
		java_coord_free(c);
	return ASEC_OK;
}

/*
 * The file name as artifact and version: "spring-core-5.3.4-SNAPSHOT.jar"
 * splits at the first "-" followed by a digit. A name without that split
 * ("nested.jar") gives the artifact alone, which still lets a pom.properties
 * recognise its own archive, but is never reported as a package.
 */
static int java_name_coord(struct java_coord *c, const char *label)
{
	const char *base = strrchr(label, '/'), *colon = strrchr(label, ':');
	size_t len, i;

	memset(c, 0, sizeof(*c));
	if (!base || (colon && colon > base))
		base = colon;
	base = base ? base + 1 : label;
	len = strlen(base);
	if (len > 4 && java_has_archive_suffix(base, len))
		len -= 4;
	for (i = 1; i + 1 < len; i++)
		if (base[i] == '-' && isdigit((unsigned char)base[i + 1]))
			break;
	if (i + 1 < len) {
		c->artifact = java_field(base, i);
		c->version = java_field(base + i + 1, len - i - 1);
	} else {
		c->artifact = java_field(base, len);
		c->version = strdup("");
	}
	if (!c->artifact || !c->version) {
		java_coord_free(c);
		error_set("out of memory reading a Java archive");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/*
 * Inflates the current entry into a new buffer, at most cap bytes (one more
 * is read to tell "exactly cap" from "over cap"). Every byte counts against
 * the walk's inflate budget, so sizes in the headers never matter.
 */
static int java_read_entry(enum java_read_status *status, unsigned char **out, size_t *out_len, struct java_walk *w,
			   struct archive *a, struct archive_entry *e, size_t cap)
{
	unsigned char *data = NULL;
	size_t have = 0, size = 0, first = 16384;

	*status = JAVA_READ_OK;
	*out = NULL;
	*out_len = 0;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 && (uint64_t)archive_entry_size(e) < cap)
		first = (size_t)archive_entry_size(e) + 1; /* a hint only */
	for (;;) {
		la_ssize_t n;
		size_t want;

		if (have == size) {
			size_t next = size ? size * 2 : first;
			unsigned char *grown;
			if (next > cap + 1)
				next = cap + 1;
			if (have == cap + 1) {
				*status = JAVA_READ_TOO_BIG;
				break;
			}
			grown = realloc(data, next);
			if (!grown) {
				free(data);
				error_set("out of memory reading a Java archive entry");
				return ASEC_ENOMEM;
			}
			data = grown;
			size = next;
		}
		want = size - have;
		if (w->inflated + want > JAVA_MAX_INFLATED)
			want = (size_t)(JAVA_MAX_INFLATED - w->inflated);
		if (want == 0) {
			*status = JAVA_READ_BUDGET;
			break;
		}
		n = archive_read_data(a, data + have, want);
		if (n == 0)
			break;
		if (n < 0) {
			*status = JAVA_READ_BROKEN;
			break;
		}
		have += (size_t)n;
		w->inflated += (uint64_t)n;
	}
	if (*status != JAVA_READ_OK) {
		free(data);
		return ASEC_OK;
	}
	*out = data;
	*out_len = have;
	return ASEC_OK;
}

/* Streaming reader only: consume an entry of unknown size ourselves, so that
 * libarchive's skip does not inflate it without a bound. */
static void java_drain(struct java_walk *w, struct archive *a)
{
	unsigned char sink[16384];

	while (!w->exhausted) {
		size_t want = sizeof(sink);
		la_ssize_t n;
		if (w->inflated + want > JAVA_MAX_INFLATED)
			want = (size_t)(JAVA_MAX_INFLATED - w->inflated);
		if (want == 0) {
			w->exhausted = 1;
			break;
		}
		n = archive_read_data(a, sink, want);
		if (n <= 0)
			break;
		w->inflated += (uint64_t)n;
	}
}

/*
 * Finds the end-of-central-directory record and returns the entry count it
 * states (zip64 when the short one is saturated), or -1 when there is no
 * record or it cannot be read. Only used to keep the seekable reader, which
 * allocates per entry before returning the first one, away from huge counts.
 */
static int64_t java_zip_entry_count(const unsigned char *d, size_t len)
{
	size_t start, i;

	if (len < 22)
		return -1;
	start = len > 22 + 65535 ? len - 22 - 65535 : 0;
	for (i = len - 22 + 1; i-- > start;) {
		uint64_t count;
		if (d[i] != 'P' || memcmp(d + i, "PK\005\006", 4) != 0)
			continue;
		count = (uint64_t)d[i + 10] | (uint64_t)d[i + 11] << 8;
		if (count == 0xffff && i >= 20 && memcmp(d + i - 20, "PK\006\007", 4) == 0) {
			const unsigned char *l = d + i - 20;
			uint64_t off = 0;
			int b;
			for (b = 7; b >= 0; b--)
				off = off << 8 | l[8 + b];
			if (off > len || len - off < 56 || memcmp(d + off, "PK\006\006", 4) != 0)
				return -1;
			count = 0;
			for (b = 7; b >= 0; b--)
				count = count << 8 | d[off + 32 + b];
			if (count > INT64_MAX)
				return -1;
		}
		return (int64_t)count;
	}
	return -1;
}

static int java_scan_archive(struct java_walk *w, const char *label, const unsigned char *data, size_t len,
			     unsigned depth);

/* Reports the archive from its file name alone (the weakest evidence). */
static int java_emit_by_name(struct java_walk *w, struct java_seen *seen, const char *label)
{
	struct java_coord c;
	int rc = java_name_coord(&c, label);

	if (rc == ASEC_OK && java_nonempty(c.artifact) && java_nonempty(c.version))
		rc = java_emit(w, seen, &c, label, "filename");
	java_coord_free(&c);
	return rc;
}

static int java_nested(struct java_walk *w, struct java_seen *seen, struct archive *a, struct archive_entry *e,
		       const char *label, const char *inner, unsigned depth)
{
	enum java_read_status st;
	unsigned char *buf = NULL;
	size_t n = 0;
	char *child = NULL;
	int rc;

	if (asprintf(&child, "%s:%s", label, inner) < 0) {
		error_set("out of memory reading a Java archive");
		return ASEC_ENOMEM;
	}
	if (depth + 1 > JAVA_MAX_DEPTH) {
		scan_note(w->out, "%s: archives nested deeper than %d levels are not opened", child, JAVA_MAX_DEPTH);
		rc = java_emit_by_name(w, seen, child);
		goto out;
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)JAVA_MAX_NESTED_BYTES) {
		scan_note(w->out, "%s: nested archive of %lld bytes is over the %zu MiB limit; identified by name only",
			  child, (long long)archive_entry_size(e), JAVA_MAX_NESTED_BYTES >> 20);
		rc = java_emit_by_name(w, seen, child);
		goto out;
	}
	if (w->held >= JAVA_MAX_NESTED_HELD) {
		scan_note(w->out, "%s: nested archives already hold %zu MiB in memory; identified by name only", child,
			  JAVA_MAX_NESTED_HELD >> 20);
		rc = java_emit_by_name(w, seen, child);
		goto out;
	}
	rc = java_read_entry(&st, &buf, &n, w, a, e,
			     JAVA_MAX_NESTED_HELD - w->held < JAVA_MAX_NESTED_BYTES ? JAVA_MAX_NESTED_HELD - w->held
										: JAVA_MAX_NESTED_BYTES);
	if (rc)
		goto out;
	switch (st) {
	case JAVA_READ_OK:
		w->held += n;
		rc = java_scan_archive(w, child, buf, n, depth + 1);
		w->held -= n;
		break;
	case JAVA_READ_TOO_BIG:
		scan_note(w->out, "%s: nested archive inflates past the %zu MiB limit; identified by name only", child,
			  JAVA_MAX_NESTED_BYTES >> 20);
		rc = java_emit_by_name(w, seen, child);
		break;
	case JAVA_READ_BROKEN:
		scan_note(w->out, "%s: cannot inflate nested archive: %s", child, archive_error_string(a));
		rc = java_emit_by_name(w, seen, child);
		break;
	case JAVA_READ_BUDGET:
		w->exhausted = 1;
		break;
	}
out:
	free(buf);
	free(child);
	return rc;
}

/* Reads a small text entry (pom.properties, MANIFEST.MF); *buf stays NULL
 * when it could not be read, with a note saying why. */
static int java_small(unsigned char **buf, size_t *n, struct java_walk *w, struct archive *a, struct archive_entry *e,
		      const char *label, const char *inner)
{
	enum java_read_status st;
	int rc;

	*buf = NULL;
	*n = 0;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)JAVA_MAX_META_BYTES) {
		scan_note(w->out, "%s:%s: %lld bytes, over the %zu MiB limit; not read", label, inner,
			  (long long)archive_entry_size(e), JAVA_MAX_META_BYTES >> 20);
		return ASEC_OK;
	}
	rc = java_read_entry(&st, buf, n, w, a, e, JAVA_MAX_META_BYTES);
	if (rc)
		return rc;
	if (st == JAVA_READ_TOO_BIG)
		scan_note(w->out, "%s:%s: inflates past the %zu MiB limit (zip bomb?); stopped there", label, inner,
			  JAVA_MAX_META_BYTES >> 20);
	else if (st == JAVA_READ_BROKEN)
		scan_note(w->out, "%s:%s: cannot inflate: %s", label, inner, archive_error_string(a));
	else if (st == JAVA_READ_BUDGET)
		w->exhausted = 1;
	return ASEC_OK;
}

/* What one archive level learnt about itself while its entries went by. */
struct java_level {
	struct java_seen seen;
	struct java_coord file;     /* from the file name */
	struct java_manifest manifest;
	int have_manifest;
	int self_found;             /* a pom.properties is the archive itself */
};

static int java_entry(struct java_walk *w, struct java_level *lv, struct archive *a, struct archive_entry *e,
		      const char *label, const char *name, unsigned depth, int streaming)
{
	const char *base = strrchr(name, '/');
	size_t nlen = strlen(name);
	unsigned char *buf = NULL;
	size_t n = 0;
	int rc = ASEC_OK;

	base = base ? base + 1 : name;
	if (strcmp(base, "pom.properties") == 0) {
		struct java_coord c = { 0 };
		char *db = NULL;
		rc = java_small(&buf, &n, w, a, e, label, name);
		if (rc == ASEC_OK && buf)
			rc = java_parse_pom(&c, buf, n);
		if (rc == ASEC_OK && buf) {
			if (java_nonempty(c.group) && java_nonempty(c.artifact) && java_nonempty(c.version)) {
				if (java_nonempty(lv->file.artifact) && strcmp(c.artifact, lv->file.artifact) == 0 &&
				    (!java_nonempty(lv->file.version) || strcmp(c.version, lv->file.version) == 0))
					lv->self_found = 1;
				if (asprintf(&db, "%s:%s", label, name) < 0) {
					db = NULL;
					error_set("out of memory reading a Java archive");
					rc = ASEC_ENOMEM;
				} else {
					rc = java_emit(w, &lv->seen, &c, db, "pom.properties");
				}
			} else {
				scan_note(w->out, "%s:%s: no groupId, artifactId and version; ignored", label, name);
			}
		}
		free(db);
		java_coord_free(&c);
	} else if (strcasecmp(name, "META-INF/MANIFEST.MF") == 0 && !lv->have_manifest) {
		rc = java_small(&buf, &n, w, a, e, label, name);
		if (rc == ASEC_OK && buf) {
			lv->have_manifest = 1;
			rc = java_parse_manifest(&lv->manifest, buf, n);
		}
	} else if (java_has_archive_suffix(name, nlen)) {
		rc = java_nested(w, &lv->seen, a, e, label, name, depth);
	}
	free(buf);
	/* Whatever we read of it, the streaming reader must not be left to
	 * inflate the rest of an entry of unknown size by itself. */
	if (rc == ASEC_OK && streaming && !archive_entry_size_is_set(e))
		java_drain(w, a);
	return rc;
}

/* Opens data with one of libarchive's two zip readers. */
static int java_open(struct archive **out, const unsigned char *data, size_t len, int streaming)
{
	struct archive *a = archive_read_new();

	*out = NULL;
	if (!a) {
		error_set("out of memory opening a Java archive");
		return ASEC_ENOMEM;
	}
	if ((streaming ? archive_read_support_format_zip_streamable(a) : archive_read_support_format_zip_seekable(a)) !=
		    ARCHIVE_OK ||
	    archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		archive_read_free(a);
		return ASEC_EINVALID;
	}
	*out = a;
	return ASEC_OK;
}

/* Reads every entry of one archive level; label is its package_db prefix. */
static int java_scan_archive(struct java_walk *w, const char *label, const unsigned char *data, size_t len,
			     unsigned depth)
{
	struct java_level lv;
	struct archive *a = NULL;
	struct archive_entry *e;
	int64_t declared = java_zip_entry_count(data, len);
	int streaming = declared < 0 || declared > JAVA_MAX_ENTRIES;
	size_t entries = 0, unnamed = 0;
	int rc, r, first = 1;

	memset(&lv, 0, sizeof(lv));
	rc = java_name_coord(&lv.file, label);
	if (rc)
		goto out;
	if (declared > JAVA_MAX_ENTRIES)
		scan_note(w->out, "%s: central directory lists %lld entries; reading at most %d in order", label,
			  (long long)declared, JAVA_MAX_ENTRIES);
	rc = java_open(&a, data, len, streaming);
	if (rc == ASEC_EINVALID && !streaming) {
		streaming = 1;
		rc = java_open(&a, data, len, streaming);
	}
	if (rc == ASEC_EINVALID) {
		scan_note(w->out, "%s: not a zip archive", label);
		rc = java_emit_by_name(w, &lv.seen, label);
		goto out;
	}
	if (rc)
		goto out;
	if (declared < 0)
		scan_note(w->out, "%s: no readable end of central directory (truncated?); entries read in order",
			  label);

	while (!w->exhausted) {
		const char *name;
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL && first && !streaming) {
			/* No usable central directory: salvage what the local headers give. */
			archive_read_free(a);
			a = NULL;
			streaming = 1;
			rc = java_open(&a, data, len, streaming);
			if (rc == ASEC_EINVALID) {
				scan_note(w->out, "%s: not a readable zip archive", label);
				rc = java_emit_by_name(w, &lv.seen, label);
				goto out;
			}
			if (rc)
				goto out;
			scan_note(w->out, "%s: central directory unreadable; entries read in order", label);
			continue;
		}
		first = 0;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			scan_note(w->out, "%s: corrupt zip after %zu entries: %s", label, entries,
				  archive_error_string(a));
			break;
		}
		if (++entries > JAVA_MAX_ENTRIES) {
			scan_note(w->out, "%s: more than %d entries; the rest are not read", label, JAVA_MAX_ENTRIES);
			break;
		}
		if (r == ARCHIVE_FAILED)
			continue;
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		if (!name || !name[0] || strlen(name) > JAVA_MAX_NAME) {
			unnamed++;
			continue;
		}
		rc = java_entry(w, &lv, a, e, label, name, depth, streaming);
		if (rc)
			goto out;
	}
	if (unnamed)
		scan_note(w->out, "%s: %zu entries without a usable name were skipped", label, unnamed);
	if (w->exhausted)
		scan_note(w->out, "%s: stopped after inflating %llu MiB in total (the limit per archive)", label,
			  (unsigned long long)(JAVA_MAX_INFLATED >> 20));

	if (!lv.self_found) {
		struct java_coord c;
		if (lv.have_manifest) {
			rc = java_manifest_coord(&c, &lv.manifest);
			if (rc)
				goto out;
			if (c.artifact) {
				char *db = NULL;
				if (asprintf(&db, "%s:META-INF/MANIFEST.MF", label) < 0) {
					java_coord_free(&c);
					error_set("out of memory reading a Java archive");
					rc = ASEC_ENOMEM;
					goto out;
				}
				/* A pom.properties already said the same: the archive was
				 * renamed, not a different artifact. */
				if (!java_seen_has(&lv.seen, c.artifact, c.version))
					rc = java_emit(w, &lv.seen, &c, db, "manifest");
				free(db);
				java_coord_free(&c);
				lv.self_found = 1;
				if (rc)
					goto out;
			}
		}
		if (!lv.self_found && java_nonempty(lv.file.version) &&
		    !java_seen_has(&lv.seen, lv.file.artifact, lv.file.version))
			rc = java_emit(w, &lv.seen, &lv.file, label, "filename");
	}
out:
	if (a)
		archive_read_free(a);
	java_seen_free(&lv.seen);
	java_coord_free(&lv.file);
	java_manifest_free(&lv.manifest);
	return rc;
}

static int java_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct java_walk w;

	memset(&w, 0, sizeof(w));
	w.out = out;
	return java_scan_archive(&w, path, data, len, 0);
}

const struct detector detector_java = {
	.name = "java",
	.version = 1,
	.max_file_bytes = JAVA_MAX_FILE_BYTES,
	.match = java_match,
	.scan = java_scan,
};
