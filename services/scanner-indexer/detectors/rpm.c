/*
 * rpm.c - the rpm detector: picks the database reader by magic, turns each
 * header blob into a struct pkg (conventions in rpm.h).
 *
 * The readers (rpmbdb.c, rpmndb.c, rpmsqlite.c) and the header parser
 * (rpmheader.c) hand us views into the file; everything that leaves this
 * file is a copy, and every string is made safe for JSON on the way out
 * (invalid UTF-8 and control characters become '?'), because a header is
 * only as honest as the image it came from.
 */
#include "detectors/rpm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/rpmdb.h"
#include "detectors/rpmheader.h"
#include "error/error.h"

/* --- a small string builder; an allocation failure sticks until the end --- */

struct rpm_sb {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_putn(struct rpm_sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->p, cap);
		if (!grown) {
			b->oom = 1;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct rpm_sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

/* Percent-encodes everything but RFC 3986 unreserved characters, ":"
 * included (DETECTOR_PURL_ENCODE_COLON: the hints are URL query values);
 * with form set, a space becomes '+' (URL query forms, as Go's
 * url.Values.Encode writes claircore's hints). */
static void sb_encode(struct rpm_sb *b, const char *s, int form)
{
	for (; *s; s++) {
		char esc[4];
		size_t n = 0;

		if (form && *s == ' ') {
			sb_putn(b, "+", 1);
			continue;
		}
		detector_purl_escape(esc, sizeof(esc), &n, s, 1, DETECTOR_PURL_ENCODE_COLON);
		sb_putn(b, esc, n);
	}
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/* A NUL-terminated copy of a header string with anything that is not
 * printable UTF-8 replaced by '?'. NULL when absent or out of memory
 * (*oom tells which). */
static char *rpm_clean(const struct rpmheader_str *str, int *oom)
{
	const unsigned char *s = (const unsigned char *)str->s;
	size_t i = 0, o = 0;
	char *copy;

	if (!str->present)
		return NULL;
	copy = malloc(str->len + 1);
	if (!copy) {
		*oom = 1;
		return NULL;
	}
	while (i < str->len) {
		size_t n = utf8_sequence(s + i, str->len - i);

		if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			copy[o++] = '?';
			i++;
			continue;
		}
		memcpy(copy + o, s + i, n);
		o += n;
		i += n;
	}
	copy[o] = '\0';
	return copy;
}

/* purl namespaces for vendors whose name is unambiguous; the order matters
 * where one name contains another (openSUSE before SUSE). Anything else
 * leaves the namespace out rather than guess. */
static const char *rpm_purl_namespace(const char *vendor)
{
	static const struct {
		const char *needle, *ns;
	} table[] = {
		{"Red Hat", "redhat"},   {"Fedora", "fedora"},     {"CentOS", "centos"},
		{"openSUSE", "opensuse"}, {"SUSE", "suse"},        {"Amazon", "amazon"},
		{"Oracle", "oracle"},    {"Rocky", "rocky"},       {"AlmaLinux", "almalinux"},
	};
	size_t i;

	if (!vendor)
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strstr(vendor, table[i].needle))
			return table[i].ns;
	return NULL;
}

/* Splits "name-version-release.src.rpm" at its last two dashes. Returns 0
 * (and leaves the outputs NULL) when it does not have that shape. */
static int rpm_split_source(char **name, char **version, const char *srpm, int *oom)
{
	size_t n = strlen(srpm);
	const char *rel_dash = NULL, *ver_dash = NULL, *p;

	*name = *version = NULL;
	if (n > 8 && strcmp(srpm + n - 8, ".src.rpm") == 0)
		n -= 8;
	else if (n > 10 && strcmp(srpm + n - 10, ".nosrc.rpm") == 0)
		n -= 10;
	else
		return 0;
	for (p = srpm + n; p > srpm; p--) {
		if (p[-1] != '-')
			continue;
		if (!rel_dash) {
			rel_dash = p - 1;
		} else {
			ver_dash = p - 1;
			break;
		}
	}
	/* name, version and release must all be non-empty */
	if (!ver_dash || ver_dash == srpm || rel_dash - ver_dash < 2 || (size_t)(rel_dash - srpm) + 1 >= n)
		return 0;
	*name = strndup(srpm, (size_t)(ver_dash - srpm));
	*version = strndup(ver_dash + 1, n - (size_t)(ver_dash + 1 - srpm));
	if (!*name || !*version) {
		free(*name);
		free(*version);
		*name = *version = NULL;
		*oom = 1;
		return 0;
	}
	return 1;
}

/* "name:stream" out of "name:stream:version:context"; NULL when the label
 * has fewer than three parts (claircore ignores those too). */
static char *rpm_module(const char *label, int *oom)
{
	const char *first, *second;
	char *m;

	if (!label || !(first = strchr(label, ':')) || !(second = strchr(first + 1, ':')) ||
	    !strchr(second + 1, ':'))
		return NULL;
	m = strndup(label, (size_t)(second - label));
	if (!m)
		*oom = 1;
	return m;
}

/* claircore's hint: url-encoded form, keys in sorted order. */
static char *rpm_hint(const struct rpmheader_info *h, const char *digest, const char *vendor, int *oom)
{
	struct rpm_sb b = {0};
	char key[17];
	const char *sep = "";

	if (digest && digest[0] && h->has_digest_algo && h->digest_algo == 8) {
		sb_puts(&b, "hash=");
		sb_encode(&b, "sha256:", 1);
		sb_encode(&b, digest, 1);
		sep = "&";
	}
	if (rpmheader_signature_key(key, h->signature, h->signature_len)) {
		sb_puts(&b, sep);
		sb_puts(&b, "key=");
		sb_puts(&b, key);
		sep = "&";
	}
	if (vendor && vendor[0]) {
		sb_puts(&b, sep);
		sb_puts(&b, "vendor=");
		sb_encode(&b, vendor, 1);
	}
	if (b.oom) {
		free(b.p);
		*oom = 1;
		return NULL;
	}
	return b.p;
}

int rpm_add_header(struct scan_out *out, const char *package_db, const unsigned char *blob, size_t len)
{
	struct rpmheader_info h;
	struct rpm_sb version = {0}, purl = {0};
	struct pkg p;
	char *name = NULL, *ver = NULL, *rel = NULL, *arch = NULL, *srpm = NULL, *vendor = NULL;
	char *label = NULL, *digest = NULL, *src_name = NULL, *src_version = NULL, *module = NULL, *hint = NULL;
	const char *ns;
	char epoch[16] = "";
	int oom = 0, rc = ASEC_OK;

	if (rpmheader_parse(&h, blob, len) != ASEC_OK) {
		scan_note(out, "%s: skipped a damaged rpm header: %s", package_db, error_last());
		return ASEC_OK;
	}
	/* gpg-pubkey "packages" are public keys rpm keeps in its database. */
	if (h.is_source || (h.name.len == 10 && memcmp(h.name.s, "gpg-pubkey", 10) == 0))
		return ASEC_OK;
	if (h.name.len == 0 || !h.version.present || h.version.len == 0) {
		scan_note(out, "%s: skipped an rpm header without a name or version", package_db);
		return ASEC_OK;
	}
	name = rpm_clean(&h.name, &oom);
	ver = rpm_clean(&h.version, &oom);
	rel = rpm_clean(&h.release, &oom);
	arch = rpm_clean(&h.arch, &oom);
	srpm = rpm_clean(&h.sourcerpm, &oom);
	vendor = rpm_clean(&h.vendor, &oom);
	label = rpm_clean(&h.modularitylabel, &oom);
	digest = rpm_clean(&h.payload_digest, &oom);
	if (oom)
		goto out;

	if (h.has_epoch && h.epoch != 0)
		snprintf(epoch, sizeof(epoch), "%u", h.epoch);
	if (epoch[0]) {
		sb_puts(&version, epoch);
		sb_puts(&version, ":");
	}
	sb_puts(&version, ver);
	if (rel && rel[0]) {
		sb_puts(&version, "-");
		sb_puts(&version, rel);
	}

	if (srpm && srpm[0] && !rpm_split_source(&src_name, &src_version, srpm, &oom) && !oom &&
	    strcmp(srpm, "(none)") != 0)
		scan_note(out, "%s: %s: source rpm \"%s\" is not name-version-release.src.rpm", package_db, name,
			  srpm);
	module = rpm_module(label, &oom);
	hint = rpm_hint(&h, digest, vendor, &oom);
	if (oom)
		goto out;

	sb_puts(&purl, "pkg:rpm/");
	ns = rpm_purl_namespace(vendor);
	if (ns) {
		sb_puts(&purl, ns);
		sb_puts(&purl, "/");
	}
	sb_encode(&purl, name, 0);
	sb_puts(&purl, "@");
	sb_encode(&purl, ver, 0);
	if (rel && rel[0]) {
		sb_puts(&purl, "-");
		sb_encode(&purl, rel, 0);
	}
	/* qualifiers sorted by key, as the purl spec's canonical form wants */
	if (arch && arch[0]) {
		sb_puts(&purl, "?arch=");
		sb_encode(&purl, arch, 0);
	}
	if (epoch[0]) {
		sb_puts(&purl, arch && arch[0] ? "&epoch=" : "?epoch=");
		sb_puts(&purl, epoch);
	}
	if (version.oom || purl.oom) {
		oom = 1;
		goto out;
	}

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = version.p;
	p.kind = "binary";
	p.source_name = src_name;
	p.source_version = src_version;
	p.package_db = (char *)package_db;
	p.repository_hint = hint;
	p.module = module;
	p.arch = arch;
	p.ecosystem = "rpm";
	p.purl = purl.p;
	rc = pkg_list_add(&out->pkgs, &p);
out:
	if (oom) {
		error_set("out of memory building an rpm package");
		rc = ASEC_ENOMEM;
	}
	free(name);
	free(ver);
	free(rel);
	free(arch);
	free(srpm);
	free(vendor);
	free(label);
	free(digest);
	free(src_name);
	free(src_version);
	free(module);
	free(hint);
	free(version.p);
	free(purl.p);
	return rc;
}

enum rpmdb_kind rpmdb_sniff(const unsigned char *data, size_t len)
{
	if (len >= 16 && memcmp(data, "SQLite format 3", 16) == 0)
		return RPMDB_SQLITE;
	if (len >= 4 && memcmp(data, "RpmP", 4) == 0)
		return RPMDB_NDB;
	if (len >= 16) {
		static const unsigned char hash_le[4] = {0x61, 0x15, 0x06, 0x00};
		static const unsigned char hash_be[4] = {0x00, 0x06, 0x15, 0x61};
		static const unsigned char btree_le[4] = {0x62, 0x31, 0x05, 0x00};
		static const unsigned char btree_be[4] = {0x00, 0x05, 0x31, 0x62};

		if (memcmp(data + 12, hash_le, 4) == 0 || memcmp(data + 12, hash_be, 4) == 0 ||
		    memcmp(data + 12, btree_le, 4) == 0 || memcmp(data + 12, btree_be, 4) == 0)
			return RPMDB_BDB;
	}
	return RPMDB_UNKNOWN;
}

static int rpm_match(const char *path, size_t path_len, unsigned mode)
{
	static const char *const dirs[] = {"var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"};
	static const char *const files[] = {"Packages", "Packages.db", "rpmdb.sqlite"};
	size_t d, f;

	(void)mode;
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		size_t dl = strlen(dirs[d]);

		if (path_len <= dl || memcmp(path, dirs[d], dl) != 0)
			continue;
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++)
			if (path_len - dl == strlen(files[f]) && memcmp(path + dl, files[f], path_len - dl) == 0)
				return 1;
	}
	return 0;
}

struct rpm_scan_ctx {
	struct scan_out *out;
	const char *path;
};

static int rpm_blob(void *arg, const unsigned char *blob, size_t len)
{
	struct rpm_scan_ctx *c = arg;

	return rpm_add_header(c->out, c->path, blob, len);
}

static int rpm_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct rpm_scan_ctx c = {out, path};
	int rc;

	switch (rpmdb_sniff(data, len)) {
	case RPMDB_BDB: rc = rpmbdb_read(out, path, data, len, rpm_blob, &c); break;
	case RPMDB_NDB: rc = rpmndb_read(out, path, data, len, rpm_blob, &c); break;
	case RPMDB_SQLITE: rc = rpmsqlite_read(out, path, data, len, rpm_blob, &c); break;
	default:
		scan_note(out, "%s: not an rpm database (neither BerkeleyDB, NDB nor SQLite)", path);
		return ASEC_OK;
	}
	/* A database we could not (fully) read is a finding, not a failure of
	 * the scan: keep what was read and say why the rest is missing. */
	if (rc == ASEC_EINVALID || rc == ASEC_ETOOBIG) {
		scan_note(out, "%s: %s", path, error_last());
		rc = ASEC_OK;
	}
	return rc;
}

const struct detector detector_rpm = {
	.name = "rpm",
	.version = 1,
	.max_file_bytes = RPM_MAX_FILE_BYTES,
	.match = rpm_match,
	.scan = rpm_scan,
};
