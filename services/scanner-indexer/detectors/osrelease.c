/*
 * osrelease.c - which distribution a layer holds, from os-release or, in
 * older images, from the marker files that came before it.
 *
 * Three ideas:
 *
 * 1. os-release is read the way systemd reads it (its parse_env_file is the
 *    format's reference reader), not the way a naive "KEY=VALUE" split does:
 *    "..." and '...' quoting, backslash escapes, backslash-newline
 *    continuation, comments, and both "\n" and "\r" ending a line. Nothing
 *    is expanded ("$X" stays literal) and the last assignment of a key wins,
 *    as in the shell. A value that is not clean UTF-8 text (control bytes,
 *    NUL, broken sequences) is dropped with a note rather than passed on to
 *    a JSON report. lsb-release uses the same syntax and the same reader.
 *
 * 2. The other markers are one-line files: a version (debian_version,
 *    alpine-release), "<Name> release <version> (<codename>)" (redhat,
 *    centos and system-release) or a CPE (system-release-cpe). They give at
 *    least the distribution id and version id.
 *
 * 3. A layer may hold several of these files, and the detector is given
 *    each of them with the same scan_out (one per detector per layer). Each
 *    path has a rank (osrelease_path_rank); a field comes from the
 *    best-ranked file that has it, so a distroless os-release without
 *    VERSION_ID is completed by debian_version, and a file naming another
 *    distribution than a better-ranked one is ignored (Ubuntu's
 *    debian_version says "bookworm/sid"). To remember which rank each field
 *    came from, the struct dist this detector puts into out->dist is the
 *    first member of a larger allocation holding the per-field ranks.
 *    dist_free() frees it correctly (same address); only this file ever
 *    looks past the struct dist, and only at a dist it put into a scan_out
 *    that belongs to it alone.
 *
 * When VERSION_CODENAME is missing (Debian 7-8, Ubuntu before 16.04,
 * distroless), it is derived for Debian and Ubuntu from VERSION ("8
 * (jessie)", "14.04.6 LTS, Trusty Tahr"), then PRETTY_NAME ("... trixie/sid")
 * and last from a table of releases keyed by VERSION_ID.
 */
#include "detectors/osrelease.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* Real os-release files are under 1 KiB; markers are one line. */
#define OSRELEASE_MAX_FILE (64 * 1024)
/* Longer values are not something a distribution writes; they are dropped. */
#define OSRELEASE_MAX_VALUE 1024

enum osrelease_kind { KIND_OSRELEASE, KIND_LSB, KIND_ALPINE, KIND_RELEASE_LINE, KIND_CPE, KIND_DEBIAN };

struct osrelease_path {
	const char *path;
	int rank;
	enum osrelease_kind kind;
};

static const struct osrelease_path osrelease_paths[] = {
	{ "etc/os-release", 100, KIND_OSRELEASE },
	{ "usr/lib/os-release", 90, KIND_OSRELEASE },
	{ "etc/lsb-release", 60, KIND_LSB },
	{ "etc/alpine-release", 55, KIND_ALPINE },
	{ "etc/centos-release", 50, KIND_RELEASE_LINE },
	{ "etc/redhat-release", 48, KIND_RELEASE_LINE },
	{ "etc/system-release", 46, KIND_RELEASE_LINE },
	{ "etc/system-release-cpe", 44, KIND_CPE },
	{ "etc/debian_version", 30, KIND_DEBIAN },
};

#define PATH_COUNT (sizeof(osrelease_paths) / sizeof(osrelease_paths[0]))

static const struct osrelease_path *path_lookup(const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < PATH_COUNT; i++)
		if (strlen(osrelease_paths[i].path) == len && memcmp(osrelease_paths[i].path, path, len) == 0)
			return &osrelease_paths[i];
	return NULL;
}

int osrelease_path_rank(const char *path)
{
	const struct osrelease_path *p = path ? path_lookup(path, strlen(path)) : NULL;

	return p ? p->rank : 0;
}

/* ---- text checks ---------------------------------------------------- */

/* Valid UTF-8 (no overlong forms, no surrogates) without control bytes. */
static int text_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_newline(int c)
{
	return c == '\n' || c == '\r';
}

/* ---- the env-file reader -------------------------------------------- */

enum osrelease_key {
	KEY_ID,
	KEY_NAME,
	KEY_VERSION,
	KEY_VERSION_ID,
	KEY_VERSION_CODENAME,
	KEY_UBUNTU_CODENAME,
	KEY_CPE_NAME,
	KEY_PRETTY_NAME,
	KEY_DISTRIB_ID,
	KEY_DISTRIB_RELEASE,
	KEY_DISTRIB_CODENAME,
	KEY_DISTRIB_DESCRIPTION,
	KEY_COUNT
};

static const char *const osrelease_keys[KEY_COUNT] = {
	"ID", "NAME", "VERSION", "VERSION_ID", "VERSION_CODENAME", "UBUNTU_CODENAME", "CPE_NAME", "PRETTY_NAME",
	"DISTRIB_ID", "DISTRIB_RELEASE", "DISTRIB_CODENAME", "DISTRIB_DESCRIPTION",
};

struct env_values {
	char *v[KEY_COUNT];
	size_t assignments;   /* valid assignments seen, kept or not */
	size_t invalid_lines; /* lines that are not KEY=VALUE */
	size_t bad_values;    /* kept keys whose value was not clean text */
};

static void env_values_free(struct env_values *e)
{
	size_t i;

	for (i = 0; i < KEY_COUNT; i++)
		free(e->v[i]);
	memset(e, 0, sizeof(*e));
}

static int key_valid(const unsigned char *k, size_t len)
{
	size_t i;

	if (len == 0 || !(isalpha(k[0]) || k[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!(isalnum(k[i]) || k[i] == '_'))
			return 0;
	return 1;
}

static int env_commit(struct env_values *e, const unsigned char *key, size_t key_len, const char *value, size_t value_len)
{
	size_t i;
	char *copy;

	if (!key_valid(key, key_len)) {
		e->invalid_lines++;
		return ASEC_OK;
	}
	e->assignments++;
	for (i = 0; i < KEY_COUNT; i++)
		if (strlen(osrelease_keys[i]) == key_len && memcmp(osrelease_keys[i], key, key_len) == 0)
			break;
	if (i == KEY_COUNT)
		return ASEC_OK;
	if (value_len > OSRELEASE_MAX_VALUE || !text_ok((const unsigned char *)value, value_len)) {
		/* The shell's last-wins still applies: a bad later value hides an earlier one. */
		free(e->v[i]);
		e->v[i] = NULL;
		e->bad_values++;
		return ASEC_OK;
	}
	/* value is a slice of the file, not a string: strndup() may look past
	 * value_len for a NUL (ASan's strict_string_checks says so) */
	copy = malloc(value_len + 1);
	if (!copy) {
		error_set("out of memory reading os-release");
		return ASEC_ENOMEM;
	}
	memcpy(copy, value, value_len);
	copy[value_len] = '\0';
	free(e->v[i]);
	e->v[i] = copy;
	return ASEC_OK;
}

enum env_state {
	ST_PRE_KEY,
	ST_KEY,
	ST_PRE_VALUE,
	ST_VALUE,
	ST_VALUE_ESCAPE,
	ST_SQUOTE,
	ST_DQUOTE,
	ST_DQUOTE_ESCAPE,
	ST_COMMENT,
	ST_COMMENT_ESCAPE,
};

/*
 * The state machine of systemd's parse_env_file. buf holds the value being
 * built: every input byte writes at most one byte (an unknown escape inside
 * double quotes writes two for its two), so len + 1 bytes are enough.
 */
static int env_parse(struct env_values *e, const unsigned char *data, size_t len)
{
	enum env_state st = ST_PRE_KEY;
	const unsigned char *key = NULL;
	size_t key_len = 0, n = 0, trim_at = SIZE_MAX, i;
	char *buf = malloc(len + 1);
	int rc = ASEC_OK;

	if (!buf) {
		error_set("out of memory reading os-release");
		return ASEC_ENOMEM;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = data[i];
		/* "\r\n" after a backslash is one line break, not a break and an empty line. */
		int crlf = c == '\r' && i + 1 < len && data[i + 1] == '\n';

		switch (st) {
		case ST_PRE_KEY:
			if (c == '#' || c == ';') {
				st = ST_COMMENT;
			} else if (!is_blank(c) && !is_newline(c)) {
				key = data + i;
				key_len = 1;
				st = ST_KEY;
			}
			break;
		case ST_KEY:
			if (is_newline(c)) {
				e->invalid_lines++;
				st = ST_PRE_KEY;
			} else if (c == '=') {
				/* Blanks between the key and "=" are dropped, as systemd does. */
				while (key_len > 0 && is_blank(key[key_len - 1]))
					key_len--;
				n = 0;
				trim_at = SIZE_MAX;
				st = ST_PRE_VALUE;
			} else {
				key_len = (size_t)(data + i - key) + 1;
			}
			break;
		case ST_PRE_VALUE:
			if (is_newline(c)) {
				rc = env_commit(e, key, key_len, buf, n);
				st = ST_PRE_KEY;
			} else if (c == '\'') {
				st = ST_SQUOTE;
			} else if (c == '"') {
				st = ST_DQUOTE;
			} else if (c == '\\') {
				st = ST_VALUE_ESCAPE;
			} else if (!is_blank(c)) {
				buf[n++] = (char)c;
				st = ST_VALUE;
			}
			break;
		case ST_VALUE:
			if (is_newline(c)) {
				if (trim_at != SIZE_MAX)
					n = trim_at;
				rc = env_commit(e, key, key_len, buf, n);
				st = ST_PRE_KEY;
			} else if (c == '\\') {
				st = ST_VALUE_ESCAPE;
			} else {
				if (!is_blank(c))
					trim_at = SIZE_MAX;
				else if (trim_at == SIZE_MAX)
					trim_at = n;
				buf[n++] = (char)c;
			}
			break;
		case ST_VALUE_ESCAPE:
			if (is_newline(c)) {
				i += crlf;
			} else {
				buf[n++] = (char)c;
				trim_at = SIZE_MAX;
			}
			st = ST_VALUE;
			break;
		case ST_SQUOTE:
			if (c == '\'')
				st = ST_PRE_VALUE;
			else
				buf[n++] = (char)c;
			break;
		case ST_DQUOTE:
			if (c == '"')
				st = ST_PRE_VALUE;
			else if (c == '\\')
				st = ST_DQUOTE_ESCAPE;
			else
				buf[n++] = (char)c;
			break;
		case ST_DQUOTE_ESCAPE:
			if (c == '"' || c == '\\' || c == '`' || c == '$') {
				buf[n++] = (char)c;
			} else if (is_newline(c)) {
				i += crlf;
			} else {
				/* Inside double quotes other backslashes are literal. */
				buf[n++] = '\\';
				buf[n++] = (char)c;
			}
			st = ST_DQUOTE;
			break;
		case ST_COMMENT:
			if (c == '\\')
				st = ST_COMMENT_ESCAPE;
			else if (is_newline(c))
				st = ST_PRE_KEY;
			break;
		case ST_COMMENT_ESCAPE:
			i += crlf;
			st = ST_COMMENT;
			break;
		}
		if (rc)
			goto out;
	}
	/* End of file without a final newline: whatever value was open counts. */
	switch (st) {
	case ST_VALUE:
	case ST_VALUE_ESCAPE:
		if (trim_at != SIZE_MAX)
			n = trim_at;
		/* fall through */
	case ST_PRE_VALUE:
	case ST_SQUOTE:
	case ST_DQUOTE:
	case ST_DQUOTE_ESCAPE:
		rc = env_commit(e, key, key_len, buf, n);
		break;
	case ST_KEY:
		e->invalid_lines++;
		break;
	default:
		break;
	}
out:
	free(buf);
	return rc;
}

/* ---- building a dist ------------------------------------------------ */

#define DIST_FIELDS 8

static char **dist_field(struct dist *d, size_t i)
{
	switch (i) {
	case 0: return &d->did;
	case 1: return &d->name;
	case 2: return &d->version;
	case 3: return &d->version_code_name;
	case 4: return &d->version_id;
	case 5: return &d->arch;
	case 6: return &d->cpe;
	default: return &d->pretty_name;
	}
}

/* The fields a file gave, before they are merged into the scan_out. */
static void dist_clear(struct dist *d)
{
	size_t i;

	for (i = 0; i < DIST_FIELDS; i++) {
		free(*dist_field(d, i));
		*dist_field(d, i) = NULL;
	}
}

static int dist_empty(struct dist *d)
{
	size_t i;

	for (i = 0; i < DIST_FIELDS; i++)
		if (*dist_field(d, i))
			return 0;
	return 1;
}

/* Takes ownership of *from (the env value), leaving it NULL; "" means absent. */
static void take(char **to, char **from)
{
	if (*from && (*from)[0]) {
		free(*to);
		*to = *from;
	} else {
		free(*from);
	}
	*from = NULL;
}

static int set_copy(char **to, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy) {
		error_set("out of memory reading os-release");
		return ASEC_ENOMEM;
	}
	free(*to);
	*to = copy;
	return ASEC_OK;
}

struct release_name {
	const char *key;
	const char *name;
};

static const struct release_name debian_releases[] = {
	{ "4", "etch" }, { "5", "lenny" }, { "6", "squeeze" }, { "7", "wheezy" }, { "8", "jessie" },
	{ "9", "stretch" }, { "10", "buster" }, { "11", "bullseye" }, { "12", "bookworm" }, { "13", "trixie" },
	{ "14", "forky" }, { "15", "duke" },
};

static const struct release_name ubuntu_releases[] = {
	{ "10.04", "lucid" }, { "12.04", "precise" }, { "12.10", "quantal" }, { "13.04", "raring" },
	{ "13.10", "saucy" }, { "14.04", "trusty" }, { "14.10", "utopic" }, { "15.04", "vivid" },
	{ "15.10", "wily" }, { "16.04", "xenial" }, { "16.10", "yakkety" }, { "17.04", "zesty" },
	{ "17.10", "artful" }, { "18.04", "bionic" }, { "18.10", "cosmic" }, { "19.04", "disco" },
	{ "19.10", "eoan" }, { "20.04", "focal" }, { "20.10", "groovy" }, { "21.04", "hirsute" },
	{ "21.10", "impish" }, { "22.04", "jammy" }, { "22.10", "kinetic" }, { "23.04", "lunar" },
	{ "23.10", "mantic" }, { "24.04", "noble" }, { "24.10", "oracular" }, { "25.04", "plucky" },
	{ "25.10", "questing" },
};

static const char *release_lookup(const struct release_name *t, size_t count, const char *key, size_t key_len)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strlen(t[i].key) == key_len && memcmp(t[i].key, key, key_len) == 0)
			return t[i].name;
	return NULL;
}

/* A code name is one word of letters; returns it lower-cased, or NULL. */
static char *codename_from(const char *s, size_t len)
{
	char *out;
	size_t i;

	if (len == 0 || len > 32)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]))
			return NULL;
	out = strndup(s, len);
	if (out)
		for (i = 0; i < len; i++)
			out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (isalpha((unsigned char)s[n]))
		n++;
	return n;
}

/*
 * Derives the code name of Debian and Ubuntu releases whose os-release lacks
 * VERSION_CODENAME. Returns ASEC_OK with d->version_code_name set or left
 * NULL when nothing fits.
 */
static int derive_codename(struct dist *d, const char *pretty, const char *ubuntu_codename)
{
	const char *v = d->version, *p, *name = NULL;
	int debian = d->did && strcmp(d->did, "debian") == 0;
	int ubuntu = d->did && strcmp(d->did, "ubuntu") == 0;
	char *word = NULL;

	if (!debian && !ubuntu)
		return ASEC_OK;
	if (ubuntu && ubuntu_codename)
		word = codename_from(ubuntu_codename, strlen(ubuntu_codename));
	/* "8 (jessie)", "Debian GNU/Linux 10 (buster)", "20.04 LTS (Focal Fossa)" */
	if (!word && v && (p = strchr(v, '(')) != NULL)
		word = codename_from(p + 1, word_len(p + 1));
	/* "14.04.6 LTS, Trusty Tahr" */
	if (!word && ubuntu && v && (p = strchr(v, ',')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		word = codename_from(p, word_len(p));
	}
	/* Debian testing and unstable: "Debian GNU/Linux trixie/sid" */
	if (!word && debian && pretty && (p = strstr(pretty, "/sid")) != NULL) {
		const char *start = p;

		while (start > pretty && isalpha((unsigned char)start[-1]))
			start--;
		if (strcmp(p, "/sid") == 0 && (size_t)(p - start) > 0)
			word = codename_from(start, (size_t)(p - start));
	}
	if (!word && d->version_id) {
		const char *id = d->version_id;

		if (debian)
			name = release_lookup(debian_releases, sizeof(debian_releases) / sizeof(debian_releases[0]), id,
					      strcspn(id, "."));
		else
			name = release_lookup(ubuntu_releases, sizeof(ubuntu_releases) / sizeof(ubuntu_releases[0]), id,
					      strlen(id));
		if (name && !(word = strdup(name))) {
			error_set("out of memory reading os-release");
			return ASEC_ENOMEM;
		}
	}
	d->version_code_name = word;
	return ASEC_OK;
}

static int dist_from_osrelease(struct dist *d, struct env_values *e)
{
	take(&d->did, &e->v[KEY_ID]);
	take(&d->name, &e->v[KEY_NAME]);
	take(&d->version, &e->v[KEY_VERSION]);
	take(&d->version_id, &e->v[KEY_VERSION_ID]);
	take(&d->version_code_name, &e->v[KEY_VERSION_CODENAME]);
	take(&d->cpe, &e->v[KEY_CPE_NAME]);
	take(&d->pretty_name, &e->v[KEY_PRETTY_NAME]);
	if (d->version_code_name)
		return ASEC_OK;
	return derive_codename(d, d->pretty_name, e->v[KEY_UBUNTU_CODENAME]);
}

/* Lower-cases s into an os-release style id: [a-z0-9._-], blanks to "-". */
static char *slug(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t i, n = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '.' || c == '_' || c == '-')
			out[n++] = (char)tolower(c);
		else if (c == ' ' && n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int dist_from_lsb(struct dist *d, struct env_values *e)
{
	const char *id = e->v[KEY_DISTRIB_ID];

	if (!id || !id[0])
		return ASEC_OK;
	d->did = slug(id, strlen(id));
	if (!d->did) {
		error_set("out of memory reading lsb-release");
		return ASEC_ENOMEM;
	}
	take(&d->name, &e->v[KEY_DISTRIB_ID]);
	take(&d->version_id, &e->v[KEY_DISTRIB_RELEASE]);
	take(&d->version_code_name, &e->v[KEY_DISTRIB_CODENAME]);
	take(&d->pretty_name, &e->v[KEY_DISTRIB_DESCRIPTION]);
	return ASEC_OK;
}

/* The first line of a marker file, trimmed, if it is clean text. */
static int first_line(const unsigned char *data, size_t len, const char **line, size_t *line_len)
{
	size_t end = 0, start = 0;

	while (end < len && !is_newline(data[end]))
		end++;
	while (start < end && is_blank(data[start]))
		start++;
	while (end > start && is_blank(data[end - 1]))
		end--;
	*line = (const char *)data + start;
	*line_len = end - start;
	return end > start && *line_len <= OSRELEASE_MAX_VALUE && text_ok(data + start, end - start);
}

/* Digits and dots, starting with a digit: "10", "13.5", "7.9.2009". */
static size_t numeric_version_len(const char *s, size_t len)
{
	size_t n = 0;

	if (len == 0 || !isdigit((unsigned char)s[0]))
		return 0;
	while (n < len && (isdigit((unsigned char)s[n]) || s[n] == '.'))
		n++;
	while (n > 0 && s[n - 1] == '.')
		n--;
	return n;
}

/* Length of the first k dot-separated components of a numeric version. */
static size_t components_len(const char *s, size_t len, int k)
{
	size_t n = 0;

	while (n < len) {
		if (s[n] == '.' && --k == 0)
			break;
		n++;
	}
	return n;
}

static int dist_from_alpine(struct dist *d, const char *line, size_t len)
{
	size_t i;

	/* "3.18.4", "3.19_alpha20230901" */
	if (len > 64 || !isdigit((unsigned char)line[0]))
		return ASEC_OK;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)line[i]) && line[i] != '.' && line[i] != '_' && line[i] != '-')
			return ASEC_OK;
	if (set_copy(&d->did, "alpine", 6) || set_copy(&d->name, "Alpine Linux", 12) ||
	    set_copy(&d->version_id, line, len))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

static int dist_from_debian_version(struct dist *d, const char *line, size_t len)
{
	size_t num = numeric_version_len(line, len), major;
	const char *name;

	if (num == len) {
		/* "10.8": VERSION_ID in os-release is the major number alone. */
		major = components_len(line, len, 1);
		name = release_lookup(debian_releases, sizeof(debian_releases) / sizeof(debian_releases[0]), line, major);
		if (set_copy(&d->did, "debian", 6) || set_copy(&d->name, "Debian GNU/Linux", 16) ||
		    set_copy(&d->version, line, len) || set_copy(&d->version_id, line, major) ||
		    (name && set_copy(&d->version_code_name, name, strlen(name))))
			return ASEC_ENOMEM;
		return ASEC_OK;
	}
	/* Testing and unstable, and every Ubuntu: "bookworm/sid". */
	if (len > 4 && memcmp(line + len - 4, "/sid", 4) == 0) {
		char *word = codename_from(line, len - 4);

		if (!word)
			return ASEC_OK;
		d->version_code_name = word;
		if (set_copy(&d->did, "debian", 6) || set_copy(&d->name, "Debian GNU/Linux", 16) ||
		    set_copy(&d->version, line, len))
			return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

struct release_vendor {
	const char *prefix; /* lower-case start of the name */
	const char *did;
	int components;     /* how many version components VERSION_ID keeps (0: all) */
};

static const struct release_vendor release_vendors[] = {
	{ "red hat enterprise linux", "rhel", 2 },
	{ "centos", "centos", 1 },
	{ "rocky linux", "rocky", 2 },
	{ "almalinux", "almalinux", 2 },
	{ "oracle linux", "ol", 2 },
	{ "scientific linux", "scientific", 2 },
	{ "fedora", "fedora", 1 },
	{ "amazon linux ami", "amzn", 2 }, /* Amazon Linux 1: "2018.03" */
	{ "amazon linux", "amzn", 1 },     /* 2 and 2023: "2023.4.20240611" is 2023 */
	{ "cloudlinux", "cloudlinux", 2 },
	{ "eurolinux", "eurolinux", 2 },
};

static int strncase_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* "<Name> release <version>[ (<codename>)]", as in redhat-release. */
static int dist_from_release_line(struct dist *d, const char *line, size_t len)
{
	const struct release_vendor *vendor = NULL;
	size_t i, name_len = 0, rest, num, keep;
	const char *after = NULL;

	for (i = 1; i + 9 <= len; i++)
		if (strncasecmp(line + i, " release ", 9) == 0) {
			name_len = i;
			after = line + i + 9;
			break;
		}
	if (!after)
		return ASEC_OK;
	while (after < line + len && *after == ' ')
		after++;
	rest = (size_t)(line + len - after);
	num = numeric_version_len(after, rest);
	if (num == 0)
		return ASEC_OK;
	for (i = 0; i < sizeof(release_vendors) / sizeof(release_vendors[0]); i++)
		if (strncase_prefix(line, name_len, release_vendors[i].prefix)) {
			vendor = &release_vendors[i];
			break;
		}
	keep = vendor ? components_len(after, num, vendor->components) : num;
	d->did = vendor ? strdup(vendor->did) : slug(line, name_len);
	if (!d->did && vendor) {
		error_set("out of memory reading a release file");
		return ASEC_ENOMEM;
	}
	if (!d->did)
		return ASEC_OK;
	if (set_copy(&d->name, line, name_len) || set_copy(&d->version, after, rest) ||
	    set_copy(&d->version_id, after, keep) || set_copy(&d->pretty_name, line, len))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

struct cpe_vendor {
	const char *vendor;
	const char *did;
};

static const struct cpe_vendor cpe_vendors[] = {
	{ "redhat", "rhel" }, { "centos", "centos" }, { "amazon", "amzn" }, { "oracle", "ol" },
	{ "fedoraproject", "fedora" }, { "rocky", "rocky" }, { "almalinux", "almalinux" },
};

/* "cpe:/o:centos:linux:6:GA" or "cpe:2.3:o:amazon:amazon_linux:2". */
static int dist_from_cpe(struct dist *d, const char *line, size_t len)
{
	const char *part[3];
	size_t part_len[3], i, k = 0, start, num;
	const char *did = NULL;

	if (strncase_prefix(line, len, "cpe:/o:"))
		start = 7;
	else if (strncase_prefix(line, len, "cpe:2.3:o:"))
		start = 10;
	else
		return ASEC_OK;
	/* vendor, product, version */
	for (i = start; k < 3; i++) {
		if (i == len || line[i] == ':') {
			part[k] = line + start;
			part_len[k] = i - start;
			k++;
			start = i + 1;
			if (i == len)
				break;
		}
	}
	if (k < 3 || part_len[0] == 0 || part_len[1] == 0)
		return ASEC_OK;
	num = numeric_version_len(part[2], part_len[2]);
	if (num == 0 || num != part_len[2])
		return ASEC_OK;
	for (i = 0; i < sizeof(cpe_vendors) / sizeof(cpe_vendors[0]); i++)
		if (strlen(cpe_vendors[i].vendor) == part_len[0] && strncasecmp(cpe_vendors[i].vendor, part[0], part_len[0]) == 0)
			did = cpe_vendors[i].did;
	d->did = did ? strdup(did) : slug(part[0], part_len[0]);
	if (!d->did && did) {
		error_set("out of memory reading system-release-cpe");
		return ASEC_ENOMEM;
	}
	if (!d->did)
		return ASEC_OK;
	if (set_copy(&d->version_id, part[2], part_len[2]) || set_copy(&d->cpe, line, len))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

/* ---- merging the files of one layer ---------------------------------- */

struct osrelease_found {
	struct dist dist; /* first: dist_free(&found->dist) frees the whole block */
	int rank[DIST_FIELDS];
};

static int field_best_rank(const struct osrelease_found *f)
{
	int best = 0;
	size_t i;

	for (i = 0; i < DIST_FIELDS; i++)
		if (f->rank[i] > best)
			best = f->rank[i];
	return best;
}

/* Moves the fields of *in (a file of the given rank) into the scan_out. */
static int merge(struct scan_out *out, struct dist *in, int rank)
{
	struct osrelease_found *f;
	size_t i;

	if (!out->dist) {
		f = calloc(1, sizeof(*f));
		if (!f) {
			error_set("out of memory reading os-release");
			return ASEC_ENOMEM;
		}
		out->dist = &f->dist;
	}
	f = (struct osrelease_found *)out->dist;
	if (f->dist.did && in->did && strcmp(f->dist.did, in->did) != 0) {
		/* Another distribution: the better file wins whole; on a tie
		 * (the same path twice in one tar), the later entry. */
		if (rank < field_best_rank(f))
			return ASEC_OK;
		dist_clear(&f->dist);
		memset(f->rank, 0, sizeof(f->rank));
	}
	/* The same path again replaces what it gave before. */
	for (i = 0; i < DIST_FIELDS; i++)
		if (f->rank[i] == rank) {
			free(*dist_field(&f->dist, i));
			*dist_field(&f->dist, i) = NULL;
			f->rank[i] = 0;
		}
	for (i = 0; i < DIST_FIELDS; i++) {
		char **to = dist_field(&f->dist, i), **from = dist_field(in, i);

		if (*from && (!*to || rank >= f->rank[i])) {
			free(*to);
			*to = *from;
			*from = NULL;
			f->rank[i] = rank;
		}
	}
	/* What the report compares across layers (see struct dist). */
	f->dist.rank = field_best_rank(f);
	return ASEC_OK;
}

/* ---- the detector ---------------------------------------------------- */

static int osrelease_match(const char *path, size_t path_len, unsigned mode)
{
	return path_lookup(path, path_len) != NULL;
}

static int osrelease_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	const struct osrelease_path *p = path_lookup(path, strlen(path));
	struct env_values env;
	struct dist found;
	const char *line;
	size_t line_len;
	int rc = ASEC_OK;

	memset(&env, 0, sizeof(env));
	memset(&found, 0, sizeof(found));
	if (!p)
		return ASEC_OK;
	if (len > OSRELEASE_MAX_FILE) {
		scan_note(out, "%s: %zu bytes is more than a distribution file holds; skipped", path, len);
		return ASEC_OK;
	}
	switch (p->kind) {
	case KIND_OSRELEASE:
	case KIND_LSB:
		rc = env_parse(&env, data, len);
		if (rc)
			goto out;
		if (env.invalid_lines)
			scan_note(out, "%s: %zu lines are not KEY=VALUE assignments; ignored", path, env.invalid_lines);
		if (env.bad_values)
			scan_note(out, "%s: %zu values are too long or not clean UTF-8 text; dropped", path, env.bad_values);
		rc = p->kind == KIND_OSRELEASE ? dist_from_osrelease(&found, &env) : dist_from_lsb(&found, &env);
		break;
	default:
		if (len == 0 || !first_line(data, len, &line, &line_len)) {
			scan_note(out, "%s: empty or not text; no distribution read from it", path);
			goto out;
		}
		if (p->kind == KIND_ALPINE)
			rc = dist_from_alpine(&found, line, line_len);
		else if (p->kind == KIND_DEBIAN)
			rc = dist_from_debian_version(&found, line, line_len);
		else if (p->kind == KIND_RELEASE_LINE)
			rc = dist_from_release_line(&found, line, line_len);
		else
			rc = dist_from_cpe(&found, line, line_len);
		break;
	}
	if (rc)
		goto out;
	if (dist_empty(&found)) {
		scan_note(out, "%s: no distribution could be read from it", path);
		goto out;
	}
	rc = merge(out, &found, p->rank);
out:
	env_values_free(&env);
	dist_clear(&found);
	return rc;
}

const struct detector detector_osrelease = {
	.name = "os-release",
	.version = 1,
	.max_file_bytes = OSRELEASE_MAX_FILE,
	.match = osrelease_match,
	.scan = osrelease_scan,
};
