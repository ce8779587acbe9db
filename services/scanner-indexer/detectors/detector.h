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
	/* Buffered detectors. */
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

/* Every detector the indexer runs, in a fixed order (detectors.c). */
extern const struct detector *const detectors_all[];
extern const size_t detectors_all_count;

#endif
