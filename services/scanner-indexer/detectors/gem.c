/*
 * gem.c - installed Ruby gems, read from the specification stubs RubyGems
 * writes to <gem home>/specifications/<name>-<version>.gemspec (and
 * specifications/default/ for the gems that ship with Ruby).
 *
 * A gemspec is Ruby code, and code from an image is never run: the file is
 * read as text. RubyGems generates these stubs in a fixed shape, so two
 * sources are enough:
 *
 *   - the "# stub: <name> <version> <platform> <paths>" comment in the file's
 *     leading comment block (RubyGems 2.1+), and
 *   - the literal assignments inside "Gem::Specification.new do |s|":
 *     s.name = "rake".freeze, s.version = "13.0.3",
 *     s.version = Gem::Version.new("1.0"), or the old %q{rake} form.
 *
 * The assignments win, because they are what RubyGems would evaluate; the
 * stub fills in only what no assignment gives. An assignment counts only
 * when it uses the block's own variable (a line "s.name = ..." inside
 * "do |spec|" would raise a NameError in Ruby, so that file names no gem),
 * and only when its value is a plain literal followed by nothing but a
 * comment or an if/unless modifier: "prefix" + x is not something a text
 * reader can know, and guessing would invent a package. A literal name that
 * is empty names no gem either.
 *
 * Lines are handled one at a time with no allocation and no backtracking, so
 * megabyte-long lines cost time linear in their length.
 */
#include "detectors/detector.h"

#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* Stubs are a few kilobytes; a file this big is not one RubyGems wrote. */
#define GEM_MAX_FILE_BYTES (4u << 20)
#define GEM_MAX_VAR 64
#define GEM_PURL_MAX (64 + 3 * 3 * DETECTOR_MAX_FIELD)

/* A slice of the file; set means the file said something (possibly ""). */
struct gem_str {
	const char *s;
	size_t len;
	int set;
};

struct gem_fields {
	struct gem_str name, version, platform;
};

static int gem_match(const char *path, size_t path_len, unsigned mode)
{
	size_t base, dir_end, dir_start;

	(void)mode;
	if (!detector_path_has_suffix(path, path_len, ".gemspec"))
		return 0;
	for (base = path_len; base > 0 && path[base - 1] != '/'; base--)
		;
	if (path_len - base <= strlen(".gemspec") || base == 0)
		return 0;
	dir_end = base - 1;
	for (dir_start = dir_end; dir_start > 0 && path[dir_start - 1] != '/'; dir_start--)
		;
	if (dir_end - dir_start == strlen("default") && memcmp(path + dir_start, "default", 7) == 0) {
		if (dir_start == 0)
			return 0;
		dir_end = dir_start - 1;
		for (dir_start = dir_end; dir_start > 0 && path[dir_start - 1] != '/'; dir_start--)
			;
	}
	return dir_end - dir_start == strlen("specifications") &&
	       memcmp(path + dir_start, "specifications", strlen("specifications")) == 0;
}

static int gem_is_ident(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static const char *gem_skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Nonzero when [p, end) starts with the literal word w. */
static int gem_starts(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && memcmp(p, w, n) == 0;
}

/* Reads one string literal at p: "...", '...', or %q / %Q / % with a
 * bracket or punctuation delimiter. Escapes and nested brackets are refused
 * (returns NULL): names and versions never need them, and supporting them
 * would only widen what a hostile file can make us believe. On success
 * returns the position after the literal and sets *out. */
static const char *gem_literal(const char *p, const char *end, struct gem_str *out)
{
	char open, close;
	const char *q;

	if (p >= end)
		return NULL;
	if (*p == '"' || *p == '\'') {
		open = close = *p++;
	} else if (*p == '%') {
		p++;
		if (p < end && (*p == 'q' || *p == 'Q'))
			p++;
		if (p >= end)
			return NULL;
		open = *p++;
		switch (open) {
		case '{': close = '}'; break;
		case '(': close = ')'; break;
		case '<': close = '>'; break;
		case '[': close = ']'; break;
		default:
			if (gem_is_ident((unsigned char)open) || open == ' ' || open == '\t')
				return NULL;
			close = open;
		}
	} else {
		return NULL;
	}
	/* "#{...}" would be interpolated by Ruby: not a value we can know. */
	for (q = p; q < end && *q != close; q++)
		if (*q == '\\' || (open != close && *q == open) || (*q == '#' && q + 1 < end && q[1] == '{'))
			return NULL;
	if (q >= end)
		return NULL;
	out->s = p;
	out->len = (size_t)(q - p);
	out->set = 1;
	return q + 1;
}

/* The right-hand side of an assignment: a literal, optionally .freeze'd or
 * wrapped in Gem::Version.new(...), then only a comment or a modifier. */
static int gem_value(const char *p, const char *end, struct gem_str *out)
{
	struct gem_str v;
	int wrapped = 0, paren = 0;

	p = gem_skip_space(p, end);
	if (gem_starts(p, end, "Gem::Version.new")) {
		wrapped = 1;
		p = gem_skip_space(p + strlen("Gem::Version.new"), end);
		if (p < end && *p == '(') {
			paren = 1;
			p = gem_skip_space(p + 1, end);
		}
	}
	p = gem_literal(p, end, &v);
	if (!p)
		return 0;
	if (gem_starts(p, end, ".freeze"))
		p += strlen(".freeze");
	p = gem_skip_space(p, end);
	if (wrapped && paren) {
		if (p >= end || *p != ')')
			return 0;
		p = gem_skip_space(p + 1, end);
	}
	if (p < end && *p != '#' && !gem_starts(p, end, "if ") && !gem_starts(p, end, "unless "))
		return 0;
	*out = v;
	return 1;
}

/* "Gem::Specification.new do |s|" (or "{ |s|"): copies the variable name. */
static int gem_block_var(const char *line, const char *end, char *var, size_t *var_len)
{
	const char *p = memmem(line, (size_t)(end - line), "Gem::Specification.new", strlen("Gem::Specification.new"));
	const char *v;

	if (!p)
		return 0;
	p = gem_skip_space(p + strlen("Gem::Specification.new"), end);
	if (gem_starts(p, end, "do"))
		p += 2;
	else if (p < end && *p == '{')
		p++;
	else
		return 0;
	p = gem_skip_space(p, end);
	if (p >= end || *p != '|')
		return 0;
	p = gem_skip_space(p + 1, end);
	for (v = p; p < end && gem_is_ident((unsigned char)*p); p++)
		;
	if (p == v || (size_t)(p - v) > GEM_MAX_VAR)
		return 0;
	if (gem_skip_space(p, end) >= end || *gem_skip_space(p, end) != '|')
		return 0;
	memcpy(var, v, (size_t)(p - v));
	*var_len = (size_t)(p - v);
	return 1;
}

/* "<var>.<attr> = <value>" at the start of a line. */
static void gem_assignment(struct gem_fields *f, const char *p, const char *end, const char *var, size_t var_len)
{
	static const char *const attrs[] = { "name", "version", "platform" };
	struct gem_str *slots[] = { &f->name, &f->version, &f->platform };
	size_t i;

	p = gem_skip_space(p, end);
	if ((size_t)(end - p) <= var_len || memcmp(p, var, var_len) != 0 || p[var_len] != '.')
		return;
	p += var_len + 1;
	for (i = 0; i < 3; i++) {
		size_t n = strlen(attrs[i]);
		const char *q;

		if (slots[i]->set || !gem_starts(p, end, attrs[i]))
			continue;
		q = gem_skip_space(p + n, end);
		/* "=" alone: not "==", "=~", and not s.name_x or s.namespace. */
		if (q >= end || *q != '=' || (q + 1 < end && (q[1] == '=' || q[1] == '~')))
			continue;
		if (p + n < end && gem_is_ident((unsigned char)p[n]))
			continue;
		gem_value(q + 1, end, slots[i]);
		return;
	}
}

/* "# stub: <name> <version> <platform> <require paths>". */
static void gem_stub(struct gem_fields *f, const char *p, const char *end)
{
	struct gem_str *slots[] = { &f->name, &f->version, &f->platform };
	size_t i;

	p += strlen("# stub:");
	for (i = 0; i < 3; i++) {
		const char *t;

		p = gem_skip_space(p, end);
		for (t = p; p < end && *p != ' ' && *p != '\t'; p++)
			;
		if (p == t)
			return;
		slots[i]->s = t;
		slots[i]->len = (size_t)(p - t);
		slots[i]->set = 1;
	}
}

static void gem_read(struct gem_fields *assigned, struct gem_fields *stub, const char *d, size_t n)
{
	const char *p = d, *end = d + n;
	char var[GEM_MAX_VAR];
	size_t var_len = 0;
	int leading_comments = 1;

	memset(assigned, 0, sizeof(*assigned));
	memset(stub, 0, sizeof(*stub));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end, *t;

		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		t = gem_skip_space(p, line_end);
		if (leading_comments && t < line_end && *t != '#')
			leading_comments = 0;
		if (leading_comments && !stub->name.set && gem_starts(t, line_end, "# stub:"))
			gem_stub(stub, t, line_end);
		else if (var_len == 0)
			gem_block_var(t, line_end, var, &var_len);
		else
			gem_assignment(assigned, t, line_end, var, var_len);
		p = nl ? nl + 1 : end;
	}
}

/* Printable ASCII without white space, on top of detector_field_ok:
 * RubyGems only accepts names of letters, digits, ".", "-" and "_", versions
 * are digits and letters, and platforms look like "x86_64-linux". Anything
 * else is not a real gem. */
static int gem_field_ok(const struct gem_str *f)
{
	size_t i;

	if (!f->set || !detector_field_ok(f->s, f->len))
		return 0;
	for (i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->s[i];

		if (c <= ' ' || c >= 0x7f)
			return 0;
	}
	return 1;
}

static int gem_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	struct gem_fields assigned, stub, f;
	char purl[GEM_PURL_MAX], *name = NULL, *version = NULL, *platform = NULL;
	size_t plen;
	struct pkg p;
	int rc = ASEC_OK;

	gem_read(&assigned, &stub, (const char *)data, len);
	f.name = assigned.name.set ? assigned.name : stub.name;
	f.version = assigned.version.set ? assigned.version : stub.version;
	f.platform = assigned.platform.set ? assigned.platform : stub.platform;
	if (!f.name.set || !f.version.set || f.name.len == 0 || f.version.len == 0) {
		scan_note(out, "%s: no literal name or version; skipped", path);
		goto out;
	}
	if (!gem_field_ok(&f.name) || !gem_field_ok(&f.version)) {
		scan_note(out, "%s: name or version is over %d bytes or not printable ASCII; skipped", path,
			  DETECTOR_MAX_FIELD);
		goto out;
	}
	/* "ruby" is the platform of pure-Ruby gems, i.e. none. */
	if (f.platform.set && (!gem_field_ok(&f.platform) ||
			       (f.platform.len == 4 && memcmp(f.platform.s, "ruby", 4) == 0)))
		f.platform.set = 0;
	name = strndup(f.name.s, f.name.len);
	version = strndup(f.version.s, f.version.len);
	platform = f.platform.set ? strndup(f.platform.s, f.platform.len) : NULL;
	if (!name || !version || (f.platform.set && !platform)) {
		error_set("out of memory reading %s", path);
		rc = ASEC_ENOMEM;
		goto out;
	}
	plen = 0;
	detector_purl_append(purl, sizeof(purl), &plen, "pkg:gem/");
	detector_purl_escape(purl, sizeof(purl), &plen, f.name.s, f.name.len, 0);
	detector_purl_append(purl, sizeof(purl), &plen, "@");
	detector_purl_escape(purl, sizeof(purl), &plen, f.version.s, f.version.len, 0);
	if (platform) {
		detector_purl_append(purl, sizeof(purl), &plen, "?platform=");
		detector_purl_escape(purl, sizeof(purl), &plen, f.platform.s, f.platform.len, 0);
	}
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = version;
	p.arch = platform;
	p.package_db = (char *)path;
	p.ecosystem = "gem";
	p.purl = purl;
	rc = pkg_list_add(&out->pkgs, &p);
out:
	free(name);
	free(version);
	free(platform);
	return rc;
}

const struct detector detector_gem = {
	.name = "gem",
	.version = 1,
	.max_file_bytes = GEM_MAX_FILE_BYTES,
	.match = gem_match,
	.scan = gem_scan,
};
