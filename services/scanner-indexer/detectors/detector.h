/*
 * detector.h - what every package detector implements, and what it emits.
 *
 * The layer walker (layer.c) reads each layer once, as a stream. For every
 * regular file it asks each detector's match() about the path alone - a
 * cheap test, since a layer may hold a million files - and hands the file's
 * content to the detectors that want it:
 *
 *   - buffered detectors get the whole file in memory (scan), if it is no
 *     larger than their max_file_bytes; a larger file is skipped with a note;
 *   - streaming detectors (binaries, which may be hundreds of megabytes) get
 *     it chunk by chunk (stream_begin / stream_chunk / stream_end) and keep
 *     only what they need.
 *
 * A detector never sees the file system, never follows links and never
 * executes anything from the image: it parses bytes it was given, within
 * bounds, and reports packages (and, for os-release, the distribution) into
 * a struct scan_out. Findings that are not packages - a corrupt database, a
 * file skipped for size - go into notes, which end up in the index report.
 *
 * Bump a detector's version whenever its output for the same bytes changes:
 * cached layer results are keyed by (layer digest, detector name, version).
 */
#ifndef ASEC_INDEXER_DETECTOR_H
#define ASEC_INDEXER_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

/* One package. In a list every string is owned by the list (copied in by
 * pkg_list_add); NULL and "" both mean "not known". */
struct pkg {
	char *name;
	char *version;        /* as the ecosystem writes it, epoch included: "1:2.3-4" */
	char *kind;           /* "binary" or "source" */
	char *source_name;    /* dpkg Source:, rpm SOURCERPM name, apk origin */
	char *source_version;
	char *package_db;     /* the file it was found in: "var/lib/dpkg/status", "app/node_modules/x/package.json" */
	char *repository_hint;/* dpkg: "", rpm: vendor/key hints, apk: repository */
	char *module;         /* rpm modularity "name:stream" */
	char *arch;
	char *cpe;
	char *ecosystem;      /* "deb", "rpm", "apk", "npm", "pypi", "maven", "golang", "gem", "nuget", "cargo", "composer" */
	char *purl;           /* package URL, when the ecosystem defines one */
};

struct pkg_list {
	struct pkg *items;
	size_t count, capacity;
};

/* The distribution a layer's os-release (or marker file) describes. */
struct dist {
	char *did;            /* os-release ID: "debian", "ubuntu", "rhel", "alpine" */
	char *name;           /* NAME */
	char *version;        /* VERSION */
	char *version_code_name;
	char *version_id;
	char *arch;
	char *cpe;            /* CPE_NAME */
	char *pretty_name;
	/* How authoritative the best file behind it is (osrelease_path_rank):
	 * across layers, a better-ranked distribution beats a later one, so
	 * that a new etc/debian_version does not override an os-release. */
	int rank;
};

#define SCAN_MAX_NOTES 64

struct scan_out {
	struct pkg_list pkgs;
	struct dist *dist;    /* set by distribution detectors only */
	char *notes[SCAN_MAX_NOTES];
	size_t note_count;
	int notes_dropped;
};

struct detector {
	const char *name;         /* "dpkg", "rpm", "npm", ... */
	unsigned version;
	size_t max_file_bytes;    /* buffered detectors: larger files are skipped with a note */
	/* Path relative to the layer root, no leading "/" or "./". mode is the
	 * tar header's permission bits (executables matter to binary detectors). */
	int (*match)(const char *path, size_t path_len, unsigned mode);
	/* Buffered detectors. data[len] is always a NUL byte (not counted in
	 * len), so text parsers may use string functions at the end; the file
	 * itself may hold NULs anywhere. */
	int (*scan)(struct scan_out *out, const char *path, const unsigned char *data, size_t len);
	/* Streaming detectors: begin gets the size from the tar header; end
	 * reports and frees the state, also after an error. */
	int (*stream_begin)(void **state, const char *path, uint64_t size);
	int (*stream_chunk)(void *state, const unsigned char *data, size_t len);
	int (*stream_end)(void *state, struct scan_out *out);
};

/* Deep-copies p into the list. Returns ASEC_OK or ASEC_ENOMEM. */
int pkg_list_add(struct pkg_list *list, const struct pkg *p);
void pkg_list_free(struct pkg_list *list);
void pkg_free_strings(struct pkg *p);

int dist_copy(struct dist **out, const struct dist *from);
void dist_free(struct dist *d);

/* Adds a printf-formatted note; past SCAN_MAX_NOTES, notes are counted as dropped. */
void scan_note(struct scan_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scan_out_free(struct scan_out *out);

/* Helpers for parsers of text databases. */
/* Copies at most len bytes into a new NUL-terminated string with surrounding
 * white space trimmed; returns NULL on allocation failure. */
char *detector_strndup_trim(const char *s, size_t len);
/* Nonzero when path ends with suffix (suffix includes the leading "/" when it is a file name). */
int detector_path_has_suffix(const char *path, size_t path_len, const char *suffix);

/* ---- shared by the parsers (one copy each; see detector.c for why) ---- */

/* The longest name or version detector_field_ok accepts: no real package
 * comes near it, and a longer one would only bloat the report. */
#define DETECTOR_MAX_FIELD 512

/* Nonzero when s[0..n) is a plausible package name or version: 1 to
 * DETECTOR_MAX_FIELD bytes of well-formed UTF-8 (no overlong forms,
 * surrogates or code points past U+10FFFF) without control characters
 * (C0, DEL or C1). Ecosystems with a narrower alphabet check that as well. */
int detector_field_ok(const char *s, size_t n);

/* Flags for detector_purl_escape. */
#define DETECTOR_PURL_LOWER 1u        /* ASCII upper case becomes lower case (npm, composer, PEP 503) */
#define DETECTOR_PURL_KEEP_SLASH 2u   /* "/" stays (the segments of a Go module path) */
#define DETECTOR_PURL_ENCODE_COLON 4u /* ":" becomes %3A too (see detector.c) */

/* Appends s[0..n) to buf, a string of size bytes holding *len of them,
 * percent-encoded as a package-url component: letters, digits, "-._~" and
 * ":" stay, every other byte becomes %XX (upper-case hex). What does not fit
 * is cut at the first byte that does not fit whole (an escape is never
 * split); buf stays NUL-terminated. */
void detector_purl_escape(char *buf, size_t size, size_t *len, const char *s, size_t n, unsigned flags);
/* Appends text as it is ("pkg:npm/", "@", "?arch="), with the same cut. */
void detector_purl_append(char *buf, size_t size, size_t *len, const char *text);

/* A new string "<prefix><name>[@<version>][?arch=<arch>]" (the OS package
 * databases' purl: prefix is "pkg:deb/debian/" and the like), each part
 * encoded by detector_purl_escape; an empty or NULL version or arch is left
 * out. NULL when out of memory. */
char *detector_purl_os(const char *prefix, const char *name, const char *version, const char *arch);

struct json_t;
/* Parses a JSON file for a detector. One cheap pass over the bytes first
 * bounds the nesting depth (64 levels) and the number of values (a million):
 * jansson recurses once per level and allocates once per value, so a hostile
 * file could otherwise cost a deep stack or gigabytes. On success *root is
 * the parsed value (the caller json_decref()s it); when the file is too
 * deep, too big or not JSON, *root is NULL and a note "<path>: ...; skipped"
 * says why. A bad file is a finding, not an error, so nothing is returned. */
void detector_json_load_bounded(struct json_t **root, struct scan_out *out, const char *path,
				const unsigned char *data, size_t len);

/* The next line of a text database from *pos: a line ends at "\n", "\r\n" or
 * a lone "\r" (the terminator is not part of it). Returns 0 at the end. */
int detector_next_line(const unsigned char *data, size_t len, size_t *pos, const char **line, size_t *line_len);
/* Narrows *s / *len to leave out leading and trailing blanks (" ", "\t"). */
void detector_trim_blanks(const char **s, size_t *len);

/* Every detector the indexer runs, in a fixed order (detectors.c). */
extern const struct detector *const detectors_all[];
extern const size_t detectors_all_count;

#endif
