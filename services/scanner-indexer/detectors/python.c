/*
 * python.c - installed Python distributions, read from their core metadata.
 *
 * Every installer leaves one metadata file per distribution, in RFC 822
 * header form ("Name: requests", "Version: 2.28.1"), in one of these places:
 *
 *   <dist>.dist-info/METADATA     wheels (pip, and Debian's newer packages)
 *   <dist>.egg-info/PKG-INFO      setuptools installs (most Debian packages)
 *   <dist>.egg-info               the same, as a single file (distutils)
 *   <dist>.egg/EGG-INFO/PKG-INFO  unzipped eggs (easy_install)
 *   <name>-<version>/PKG-INFO     the root of an unpacked sdist
 *
 * Only the header block is read: it ends at the first empty line, after
 * which comes the description (often a whole README, in which a line like
 * "Name: x" means nothing). The first Name and Version headers win, as with
 * Python's own email parser, and continuation lines (starting with white
 * space) are skipped. The scan is one pass with no allocation per line, so a
 * file of millions of headers costs time linear in its size and no memory.
 *
 * The sdist-root form is the only one whose directory name says little, so
 * there the file must also start like core metadata (a Metadata-Version
 * header) before it is believed.
 *
 * The name is reported as written ("PyYAML", "zope.interface"); only the purl
 * carries the PEP 503 normalised form (lower case, runs of "-", "_" and "."
 * folded to one "-"), because that is how PyPI and advisories key it.
 */
#include "detectors/detector.h"

#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* The header block is usually a few kilobytes; old egg-info files carry the
 * whole description as a header, which can reach a megabyte or two. */
#define PY_MAX_FILE_BYTES (16u << 20)
#define PY_PURL_MAX (32 + 3 * 2 * DETECTOR_MAX_FIELD)

enum py_form { PY_NONE, PY_DIST_INFO, PY_EGG_INFO_DIR, PY_EGG_INFO_FILE, PY_EGG_DIR, PY_SDIST };

/* Nonzero when the path component that ends at end (exclusive) ends with
 * suffix and has something before it ("x.dist-info", not ".dist-info"). */
static int py_component_has_suffix(const char *path, size_t end, const char *suffix)
{
	size_t n = strlen(suffix);

	if (end < n + 1 || memcmp(path + end - n, suffix, n) != 0)
		return 0;
	return path[end - n - 1] != '/';
}

/* <name>-<digit>...: how sdists are named ("requests-2.28.1"). */
static int py_looks_like_sdist_dir(const char *path, size_t start, size_t end)
{
	size_t i;

	for (i = start + 1; i + 1 < end; i++)
		if (path[i] == '-' && path[i + 1] >= '0' && path[i + 1] <= '9')
			return 1;
	return 0;
}

static enum py_form py_classify(const char *path, size_t len)
{
	size_t dir_end, dir_start;

	if (detector_path_has_suffix(path, len, "/METADATA")) {
		dir_end = len - strlen("/METADATA");
		return py_component_has_suffix(path, dir_end, ".dist-info") ? PY_DIST_INFO : PY_NONE;
	}
	if (py_component_has_suffix(path, len, ".egg-info"))
		return PY_EGG_INFO_FILE;
	if (!detector_path_has_suffix(path, len, "PKG-INFO"))
		return PY_NONE;
	if (len == strlen("PKG-INFO"))
		return PY_NONE;
	if (path[len - strlen("PKG-INFO") - 1] != '/')
		return PY_NONE;
	dir_end = len - strlen("/PKG-INFO");
	if (py_component_has_suffix(path, dir_end, ".egg-info"))
		return PY_EGG_INFO_DIR;
	if (detector_path_has_suffix(path, dir_end, "/EGG-INFO") &&
	    py_component_has_suffix(path, dir_end - strlen("/EGG-INFO"), ".egg"))
		return PY_EGG_DIR;
	for (dir_start = dir_end; dir_start > 0 && path[dir_start - 1] != '/'; dir_start--)
		;
	return py_looks_like_sdist_dir(path, dir_start, dir_end) ? PY_SDIST : PY_NONE;
}

static int py_match(const char *path, size_t path_len, unsigned mode)
{
	(void)mode;
	return py_classify(path, path_len) != PY_NONE;
}

struct py_headers {
	const char *name, *version;
	size_t name_len, version_len;
	int has_metadata_version;
};

static int py_key_is(const unsigned char *key, size_t key_len, const char *want)
{
	size_t i;

	if (key_len != strlen(want))
		return 0;
	for (i = 0; i < key_len; i++) {
		unsigned char a = key[i], b = (unsigned char)want[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

/* Reads the header block. A line that is neither a header nor a
 * continuation ends it, as it ends the headers for Python's email parser. */
static void py_read_headers(struct py_headers *h, const unsigned char *d, size_t n)
{
	size_t i = 0;

	memset(h, 0, sizeof(*h));
	if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		i = 3;
	while (i < n) {
		const unsigned char *line = d + i, *nl = memchr(line, '\n', n - i), *colon, *v;
		size_t line_len = nl ? (size_t)(nl - line) : n - i, key_len, v_len, k;

		i += line_len + (nl ? 1 : 0);
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0)
			break;
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		colon = memchr(line, ':', line_len);
		if (!colon || colon == line)
			break;
		key_len = (size_t)(colon - line);
		for (k = 0; k < key_len; k++)
			if (line[k] <= ' ' || line[k] >= 0x7f)
				return;
		v = colon + 1;
		v_len = line_len - key_len - 1;
		while (v_len > 0 && (v[0] == ' ' || v[0] == '\t')) {
			v++;
			v_len--;
		}
		while (v_len > 0 && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t'))
			v_len--;
		if (!h->name && py_key_is(line, key_len, "Name")) {
			h->name = (const char *)v;
			h->name_len = v_len;
		} else if (!h->version && py_key_is(line, key_len, "Version")) {
			h->version = (const char *)v;
			h->version_len = v_len;
		} else if (py_key_is(line, key_len, "Metadata-Version")) {
			h->has_metadata_version = 1;
		}
	}
}

/* pkg:pypi/<PEP 503 name>@<version>. */
static void py_purl(char *buf, const struct py_headers *h)
{
	size_t len = 0, i;
	int in_sep = 0;

	buf[0] = '\0';
	detector_purl_append(buf, PY_PURL_MAX, &len, "pkg:pypi/");
	for (i = 0; i < h->name_len; i++) {
		const char *c = h->name + i;

		if (*c == '-' || *c == '_' || *c == '.') {
			in_sep = 1;
			continue;
		}
		if (in_sep)
			detector_purl_append(buf, PY_PURL_MAX, &len, "-");
		in_sep = 0;
		detector_purl_escape(buf, PY_PURL_MAX, &len, c, 1, DETECTOR_PURL_LOWER);
	}
	if (in_sep)
		detector_purl_append(buf, PY_PURL_MAX, &len, "-");
	detector_purl_append(buf, PY_PURL_MAX, &len, "@"); /* the separator itself is never encoded */
	detector_purl_escape(buf, PY_PURL_MAX, &len, h->version, h->version_len, 0);
}

static int py_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	enum py_form form = py_classify(path, strlen(path));
	char purl[PY_PURL_MAX], *name = NULL, *version = NULL;
	struct py_headers h;
	struct pkg p;
	int rc = ASEC_OK;

	py_read_headers(&h, data, len);
	if (form == PY_SDIST && !h.has_metadata_version)
		goto out; /* an ordinary file that happens to be called PKG-INFO */
	if (!h.name || !h.name_len || !h.version || !h.version_len) {
		scan_note(out, "%s: no Name or Version header; skipped", path);
		goto out;
	}
	if (!detector_field_ok(h.name, h.name_len) || !detector_field_ok(h.version, h.version_len)) {
		scan_note(out, "%s: Name or Version is over %d bytes, not UTF-8 or has control characters; skipped",
			  path, DETECTOR_MAX_FIELD);
		goto out;
	}
	name = strndup(h.name, h.name_len);
	version = strndup(h.version, h.version_len);
	if (!name || !version) {
		error_set("out of memory reading %s", path);
		rc = ASEC_ENOMEM;
		goto out;
	}
	py_purl(purl, &h);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = version;
	p.package_db = (char *)path;
	p.ecosystem = "pypi";
	p.purl = purl;
	rc = pkg_list_add(&out->pkgs, &p);
out:
	free(name);
	free(version);
	return rc;
}

const struct detector detector_python = {
	.name = "python",
	.version = 1,
	.max_file_bytes = PY_MAX_FILE_BYTES,
	.match = py_match,
	.scan = py_scan,
};
