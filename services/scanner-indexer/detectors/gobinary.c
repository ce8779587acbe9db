/*
 * gobinary.c - Go executables: the modules a binary was built from and the
 * Go release that built it, from the build information the Go linker embeds
 * (what `go version -m` prints).
 *
 * The build information starts with a 32-byte header - "\xff Go buildinf:",
 * the pointer size, a flags byte - at the start of the .go.buildinfo
 * section, 16-byte aligned in the file as in memory. We find it without the
 * section headers (which may sit at the end of the file, or be stripped) by
 * looking at every 16-byte aligned block of the stream as it goes by - one
 * byte compare per block. Then one of two layouts:
 *
 *   - Go 1.18 and later (flags & 2): the Go version and the module info
 *     follow the header inline, each a uvarint length and bytes. We keep the
 *     bytes after the header (at most 2 MiB) and stop looking at the file.
 *   - Go 1.13 to 1.17: the header holds two pointers (virtual addresses) to
 *     Go string headers, which point at the bytes; those sit in .data and
 *     .rodata, .rodata before the header, where a stream has already been.
 *     So while the layout is unknown we keep the file from its start, but
 *     only for an ELF of at most 64 MiB that carries the Go build ID note
 *     (in the first page of every Go binary, so known after 64 KiB). The copy
 *     is dropped the moment the 1.18 layout shows up; for the old one it is
 *     kept to the end and the pointers are resolved through the program
 *     headers' PT_LOAD segments. A larger old binary gets a note instead.
 *     Cost: a Go binary of up to 64 MiB is held in memory up to its
 *     .go.buildinfo (about the middle of the file) - briefly, one file at a
 *     time per stream.
 *
 * Output, as Trivy reports Go binaries (pkg/dependency/parser/golang/binary):
 *   - the main module, without a version when Go says "(devel)" unless
 *     -ldflags "-X ...version=v1.2.3" stamped one;
 *   - every dependency, or the module that a "=>" line replaced it with;
 *     when a local directory replaced it, the module's own name without a
 *     version and the directory in repository_hint (Trivy would report
 *     "../dir" as a module);
 *   - "stdlib" at the Go version written as a module version: "go1.19.8" ->
 *     "v1.19.8", "go1.22.3 X:boringcrypto" -> "v1.22.3" (the matcher drops
 *     the "v" for OSV's SEMVER ranges, as it does for modules).
 * Ecosystem "golang", purl pkg:golang/<module path>@<version>.
 */
#include "detectors/detector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/execbin.h"
#include "error/error.h"

#define GOBIN_HEAD_MAX ((size_t)64 << 10)   /* ELF header, program headers, notes */
#define GOBIN_WHOLE_MAX ((size_t)64 << 20)  /* old layout: the most we keep of a file */
#define GOBIN_STRING_MAX ((size_t)1 << 20)  /* the Go version or the module info */
#define GOBIN_INFO_MAX (32 + 2 * (10 + GOBIN_STRING_MAX))
#define GOBIN_MAX_LOADS 64
#define GOBIN_MAX_PKGS 20000
#define GOBIN_MAX_TOKENS 1024               /* -ldflags words looked at */
#define GOBIN_NOTES 4

static const unsigned char gobin_magic[14] = { 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':' };

/* The 16-byte sentinels around the module info (cmd/go's infoStart/infoEnd). */
#define GOBIN_SENTINEL 16

struct gobin_load {
	uint64_t vaddr, off, filesz;
};

enum gobin_info { GOBIN_INFO_PARTIAL, GOBIN_INFO_COMPLETE, GOBIN_INFO_CORRUPT };

struct gobin {
	char *path;
	uint64_t size, pos;
	int skip;                 /* not ELF: ignore the rest */
	int done;                 /* everything needed is in hand */

	unsigned char *head;      /* the first GOBIN_HEAD_MAX bytes */
	size_t head_len;
	int head_parsed;
	struct execbin_elf elf;
	struct gobin_load loads[GOBIN_MAX_LOADS];
	size_t load_count;
	int go_note;

	unsigned char block[16];  /* a 16-byte block split across chunks */

	int found;                /* the header was seen at info_off */
	uint64_t info_off;
	unsigned char *info;      /* bytes from the header on */
	size_t info_len, info_cap;
	enum gobin_info info_state;

	unsigned char *whole;     /* the file from offset 0 (old layout) */
	size_t whole_len, whole_cap;
	int whole_on;

	char notes[GOBIN_NOTES][320];
	size_t note_count;
};

static int gobin_match(const char *path, size_t path_len, unsigned mode)
{
	return execbin_match(path, path_len, mode);
}

static void gobin_note(struct gobin *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gobin_note(struct gobin *g, const char *fmt, ...)
{
	va_list ap;

	if (g->note_count >= GOBIN_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(g->notes[g->note_count++], sizeof(g->notes[0]), fmt, ap);
	va_end(ap);
}

static void gobin_drop_whole(struct gobin *g)
{
	free(g->whole);
	g->whole = NULL;
	g->whole_len = g->whole_cap = 0;
	g->whole_on = 0;
}

static int gobin_begin(void **state, const char *path, uint64_t size)
{
	struct gobin *g = calloc(1, sizeof(*g));

	*state = NULL;
	if (!g || !(g->path = strdup(path))) {
		free(g);
		error_set("out of memory starting the Go binary scan");
		return ASEC_ENOMEM;
	}
	g->size = size;
	g->skip = size < 64; /* no room for an ELF header and a build info */
	g->whole_on = size <= GOBIN_WHOLE_MAX;
	*state = g;
	return ASEC_OK;
}

/* Reads a uvarint; returns its length, 0 when more bytes are needed, -1 when
 * it is not a valid 64-bit uvarint. */
static int gobin_uvarint(uint64_t *v, const unsigned char *p, size_t len)
{
	size_t i;
	unsigned shift = 0;

	*v = 0;
	for (i = 0; i < len && i < 10; i++) {
		if (i == 9 && p[i] > 1)
			return -1;
		*v |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i] & 0x80))
			return (int)i + 1;
		shift += 7;
	}
	return i == 10 ? -1 : 0;
}

/* One inline string of the 1.18 layout at *pos; 0 = complete, 1 = need more, -1 = corrupt. */
static int gobin_inline_string(const unsigned char **s, size_t *slen, const unsigned char *info, size_t len,
			       size_t *pos)
{
	uint64_t n;
	int used = gobin_uvarint(&n, info + *pos, len - *pos);

	if (used < 0 || (used > 0 && n > GOBIN_STRING_MAX))
		return -1;
	if (used == 0)
		return 1;
	if (len - *pos - (size_t)used < n)
		return 1;
	*s = info + *pos + used;
	*slen = (size_t)n;
	*pos += (size_t)used + (size_t)n;
	return 0;
}

/* Decides whether the captured bytes hold the whole build info. */
static void gobin_info_check(struct gobin *g)
{
	const unsigned char *s;
	size_t slen, pos = 32;
	int r;

	if (g->info_len < 32)
		return;
	if (!(g->info[15] & 2)) {
		g->info_state = GOBIN_INFO_COMPLETE; /* the old layout is just the header */
		return;
	}
	r = gobin_inline_string(&s, &slen, g->info, g->info_len, &pos);
	if (r == 0)
		r = gobin_inline_string(&s, &slen, g->info, g->info_len, &pos);
	if (r < 0)
		g->info_state = GOBIN_INFO_CORRUPT;
	else if (r == 0)
		g->info_state = GOBIN_INFO_COMPLETE;
}

/* A 16-byte aligned block: is it the build info header? The pointer size
 * and the two flag bits Go uses rule out a mere copy of the magic string
 * (a program importing debug/buildinfo has one in .rodata). */
static void gobin_check_block(struct gobin *g, const unsigned char *b, uint64_t off)
{
	if (memcmp(b, gobin_magic, sizeof(gobin_magic)) != 0)
		return;
	if ((b[14] != 4 && b[14] != 8) || (b[15] & ~3) != 0)
		return;
	g->found = 1;
	g->info_off = off;
	g->info = malloc(4096);
	if (!g->info) {
		g->info_state = GOBIN_INFO_CORRUPT;
		gobin_note(g, "%s: out of memory reading the Go build info", g->path);
		return;
	}
	g->info_cap = 4096;
	memcpy(g->info, b, 16);
	g->info_len = 16;
}

static int gobin_capture(struct gobin *g, const unsigned char *data, size_t len)
{
	size_t take = len;

	if (take > GOBIN_INFO_MAX - g->info_len)
		take = GOBIN_INFO_MAX - g->info_len;
	if (g->info_len + take > g->info_cap) {
		size_t cap = g->info_cap;
		unsigned char *grown;
		while (cap < g->info_len + take)
			cap *= 2;
		if (cap > GOBIN_INFO_MAX)
			cap = GOBIN_INFO_MAX;
		grown = realloc(g->info, cap);
		if (!grown) {
			error_set("out of memory reading the Go build info");
			return ASEC_ENOMEM;
		}
		g->info = grown;
		g->info_cap = cap;
	}
	memcpy(g->info + g->info_len, data, take);
	g->info_len += take;
	gobin_info_check(g);
	if (g->info_state == GOBIN_INFO_PARTIAL && g->info_len == GOBIN_INFO_MAX)
		g->info_state = GOBIN_INFO_CORRUPT;
	return ASEC_OK;
}

/* Scans data (at file offset g->pos) for the header and captures what follows it. */
static int gobin_consume(struct gobin *g, const unsigned char *data, size_t len)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		uint64_t at = g->pos + i;
		size_t in_block = (size_t)(at % 16);

		if (g->found) {
			if (g->info_state != GOBIN_INFO_PARTIAL)
				return ASEC_OK;
			rc = gobin_capture(g, data + i, len - i);
			return rc;
		}
		if (in_block != 0 || len - i < 16) {
			size_t take = 16 - in_block;
			if (take > len - i)
				take = len - i;
			memcpy(g->block + in_block, data + i, take);
			i += take;
			if (in_block + take == 16)
				gobin_check_block(g, g->block, at - in_block);
			continue;
		}
		while (len - i >= 16) {
			const unsigned char *b = data + i;
			i += 16;
			if (b[0] == 0xff) {
				gobin_check_block(g, b, g->pos + i - 16);
				if (g->found)
					break;
			}
		}
	}
	return ASEC_OK;
}

/* Program headers and notes, from the first bytes of the file. */
static void gobin_parse_head(struct gobin *g)
{
	unsigned i, min;
	uint64_t n;

	g->head_parsed = 1;
	if (execbin_elf_header(&g->elf, g->head, g->head_len) != 0)
		return;
	min = g->elf.is64 ? 56 : 32;
	if (g->elf.phentsize < min || g->elf.phoff >= g->head_len)
		return;
	n = (g->head_len - g->elf.phoff) / g->elf.phentsize;
	for (i = 0; i < g->elf.phnum && i < n; i++) {
		const unsigned char *p = g->head + g->elf.phoff + (uint64_t)i * g->elf.phentsize;
		int big = g->elf.big;
		uint32_t type = (uint32_t)execbin_get(p, 4, big);
		uint64_t off, vaddr, filesz;

		if (g->elf.is64) {
			off = execbin_get(p + 8, 8, big);
			vaddr = execbin_get(p + 16, 8, big);
			filesz = execbin_get(p + 32, 8, big);
		} else {
			off = execbin_get(p + 4, 4, big);
			vaddr = execbin_get(p + 8, 4, big);
			filesz = execbin_get(p + 16, 4, big);
		}
		if (type == 1 && g->load_count < GOBIN_MAX_LOADS) {
			g->loads[g->load_count].vaddr = vaddr;
			g->loads[g->load_count].off = off;
			g->loads[g->load_count].filesz = filesz;
			g->load_count++;
		} else if (type == 4 && off < g->head_len) {
			/* PT_NOTE: look for owner "Go", type 4 (the Go build ID). */
			uint64_t end = filesz < g->head_len - off ? off + filesz : g->head_len;
			uint64_t o = off;
			while (o + 12 <= end) {
				uint64_t namesz = execbin_get(g->head + o, 4, big);
				uint64_t descsz = execbin_get(g->head + o + 4, 4, big);
				uint64_t ntype = execbin_get(g->head + o + 8, 4, big);
				if (namesz == 4 && ntype == 4 && o + 16 <= end &&
				    memcmp(g->head + o + 12, "Go\0\0", 4) == 0)
					g->go_note = 1;
				o += 12 + ((namesz + 3) & ~(uint64_t)3) + ((descsz + 3) & ~(uint64_t)3);
			}
		}
	}
}

/* After each chunk: what may be dropped, and whether the rest matters. */
static void gobin_settle(struct gobin *g)
{
	if (g->found && g->info_state != GOBIN_INFO_PARTIAL) {
		if (g->info_state == GOBIN_INFO_CORRUPT || (g->info[15] & 2) || !g->whole_on) {
			gobin_drop_whole(g);
			g->done = 1;
		}
	} else if (g->head_parsed && !g->go_note && g->whole_on) {
		/* Not a Go binary by its notes: no old layout can be resolved, and
		 * the new one needs no copy. */
		gobin_drop_whole(g);
	}
	if (g->whole_on && g->whole_len == g->size && g->found)
		g->done = 1;
}

/* Appends to a buffer of at most max bytes; the first allocation is
 * `initial` bytes (the file size from the tar header, for the full copy, so
 * that a 64 MiB copy is not built by doubling). */
static int gobin_keep(unsigned char **buf, size_t *len, size_t *cap, size_t max, size_t initial,
		      const unsigned char *data, size_t n)
{
	if (n > max - *len)
		n = max - *len;
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : initial ? initial : 64 << 10;
		unsigned char *grown;
		while (c < *len + n)
			c *= 2;
		if (c > max)
			c = max;
		grown = realloc(*buf, c);
		if (!grown) {
			error_set("out of memory reading a Go binary");
			return ASEC_ENOMEM;
		}
		*buf = grown;
		*cap = c;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	return ASEC_OK;
}

static int gobin_chunk(void *state, const unsigned char *data, size_t len)
{
	struct gobin *g = state;
	int rc = ASEC_OK;

	if (!g || g->skip || g->done)
		goto out;
	if (g->pos < 4) {
		size_t i;
		for (i = 0; i < len && g->pos + i < 4; i++) {
			if (data[i] != (unsigned char)EXECBIN_ELF_MAGIC[g->pos + i]) {
				g->skip = 1;
				gobin_drop_whole(g);
				goto out;
			}
		}
	}
	if (g->head_len < GOBIN_HEAD_MAX) {
		size_t cap = g->head ? GOBIN_HEAD_MAX : 0;
		rc = gobin_keep(&g->head, &g->head_len, &cap, GOBIN_HEAD_MAX, GOBIN_HEAD_MAX, data, len);
		if (rc)
			goto out;
	}
	if (g->whole_on) {
		if (len > GOBIN_WHOLE_MAX - g->whole_len) {
			gobin_drop_whole(g);
		} else {
			rc = gobin_keep(&g->whole, &g->whole_len, &g->whole_cap, GOBIN_WHOLE_MAX,
					g->size && g->size <= GOBIN_WHOLE_MAX ? (size_t)g->size : 0, data, len);
			if (rc)
				goto out;
		}
	}
	rc = gobin_consume(g, data, len);
	if (rc)
		goto out;
	if (!g->head_parsed && g->head_len == GOBIN_HEAD_MAX)
		gobin_parse_head(g);
	g->pos += len;
	gobin_settle(g);
	return ASEC_OK;
out:
	if (g)
		g->pos += len;
	return rc;
}

/* Maps a virtual address range to the kept copy of the file. */
static const unsigned char *gobin_at(const struct gobin *g, uint64_t vaddr, uint64_t n)
{
	size_t i;

	for (i = 0; i < g->load_count; i++) {
		const struct gobin_load *l = &g->loads[i];
		uint64_t rel, off;
		if (vaddr < l->vaddr || vaddr - l->vaddr > l->filesz)
			continue;
		rel = vaddr - l->vaddr;
		if (n > l->filesz - rel)
			continue;
		off = l->off + rel;
		if (off < l->off || off > g->whole_len || n > g->whole_len - off)
			continue;
		return g->whole + off;
	}
	return NULL;
}

/* Old layout: a Go string header {data pointer, length} at vaddr. */
static int gobin_old_string(const unsigned char **s, size_t *slen, const struct gobin *g, uint64_t vaddr)
{
	unsigned ptr = g->info[14];
	int big = g->info[15] & 1;
	const unsigned char *hdr = gobin_at(g, vaddr, 2 * (uint64_t)ptr);
	uint64_t data, n;

	if (!hdr)
		return -1;
	data = execbin_get(hdr, ptr, big);
	n = execbin_get(hdr + ptr, ptr, big);
	if (n > GOBIN_STRING_MAX)
		return -1;
	*slen = (size_t)n;
	*s = n ? gobin_at(g, data, n) : (const unsigned char *)"";
	return *s ? 0 : -1;
}

/* golang.org/x/mod/semver validity, with or without the leading "v". */
static int gobin_semver(const char *s)
{
	int parts = 0;

	if (*s == 'v')
		s++;
	for (;;) {
		if (*s < '0' || *s > '9')
			return 0;
		if (*s == '0' && s[1] >= '0' && s[1] <= '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		parts++;
		if (*s != '.' || parts == 3)
			break;
		s++;
	}
	if (*s == '\0')
		return 1;
	if (parts != 3 || (*s != '-' && *s != '+'))
		return 0;
	while (*s == '-' || *s == '+') {
		char kind = *s++;
		const char *id = s;
		if (!*s)
			return 0;
		while (*s && *s != '+') {
			if (*s == '.') {
				if (s == id)
					return 0;
				id = s + 1;
			} else if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				     *s == '-')) {
				return 0;
			}
			s++;
		}
		if (s == id || (kind == '+' && *s))
			return 0;
	}
	return *s == '\0';
}

/* Splits -ldflags like a shell would (quotes removed) into NUL-separated words. */
static size_t gobin_words(char **words, size_t max, char *s)
{
	char *out = s;
	size_t n = 0;

	while (*s && n < max) {
		char quote = 0;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		words[n++] = out;
		while (*s && (quote || (*s != ' ' && *s != '\t' && *s != '\n'))) {
			if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s++;
			} else if (quote && *s == quote) {
				quote = 0;
				s++;
			} else if (*s == '\\' && quote != '\'' && s[1]) {
				*out++ = s[1];
				s += 2;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out++ = '\0';
	}
	return n;
}

/*
 * Trivy's reading of "-X key=value" flags: a semver value for a key ending
 * in ".version" or ".ver", preferring keys under <main module>/cmd/, then
 * keys in a package named main, common, version or cmd, then any; two
 * candidates at the first level that has one mean no answer.
 */
static char *gobin_ldflags_version(const char *ldflags, const char *main_path)
{
	char *copy = strdup(ldflags), *words[GOBIN_MAX_TOKENS];
	const char *found[3] = { NULL, NULL, NULL };
	int count[3] = { 0, 0, 0 };
	size_t n, i, mlen = main_path ? strlen(main_path) : 0;
	char *result = NULL;

	if (!copy)
		return NULL;
	n = gobin_words(words, GOBIN_MAX_TOKENS, copy);
	for (i = 0; i < n; i++) {
		char *kv = NULL, *eq, *key, *val, *last, prefix[16];
		size_t klen, plen;
		int cat;

		if (strcmp(words[i], "-X") == 0 || strcmp(words[i], "--X") == 0)
			kv = i + 1 < n ? words[++i] : NULL;
		else if (strncmp(words[i], "-X=", 3) == 0)
			kv = words[i] + 3;
		else if (strncmp(words[i], "--X=", 4) == 0)
			kv = words[i] + 4;
		if (!kv || !(eq = strchr(kv, '=')))
			continue;
		*eq = '\0';
		key = kv;
		val = eq + 1;
		klen = strlen(key);
		if (!((klen >= 8 && strcasecmp(key + klen - 8, ".version") == 0) ||
		      (klen >= 4 && strcasecmp(key + klen - 4, ".ver") == 0)) ||
		    !gobin_semver(val))
			continue;
		last = strrchr(key, '/');
		last = last ? last + 1 : key;
		plen = strcspn(last, ".");
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(plen < sizeof(prefix) ? plen : 0), last);
		if (mlen && strncmp(key, main_path, mlen) == 0 && strncmp(key + mlen, "/cmd/", 5) == 0)
			cat = 0;
		else if (strcasecmp(prefix, "main") == 0 || strcasecmp(prefix, "common") == 0 ||
			 strcasecmp(prefix, "version") == 0 || strcasecmp(prefix, "cmd") == 0)
			cat = 1;
		else
			cat = 2;
		if (!count[cat]++)
			found[cat] = val;
	}
	for (i = 0; i < 3; i++) {
		if (!count[i])
			continue;
		if (count[i] == 1)
			result = strdup(found[i]);
		break;
	}
	free(copy);
	return result;
}

/* Undoes Go's strconv.Quote of a build setting value, enough for flags. */
static void gobin_unquote(char *s)
{
	char *out = s, *in = s + 1;
	size_t len = strlen(s);

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return;
	s[len - 1] = '\0';
	while (*in) {
		if (*in == '\\' && in[1]) {
			in++;
			*out++ = *in == 'n' ? '\n' : *in == 't' ? '\t' : *in;
			in++;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

static int gobin_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int gobin_add(struct scan_out *out, const char *path, const char *name, const char *version,
		     const char *local)
{
	struct pkg p;
	size_t size, used = 0;
	char *purl, *hint = NULL;
	int rc;

	if (!name[0] || !gobin_printable(name) || (version && !gobin_printable(version)))
		return ASEC_OK;
	if (version && !version[0])
		version = NULL;
	size = 32 + 3 * strlen(name) + (version ? 3 * strlen(version) : 0);
	purl = malloc(size);
	if (!purl) {
		error_set("out of memory reporting a Go module");
		return ASEC_ENOMEM;
	}
	purl[0] = '\0';
	detector_purl_append(purl, size, &used, "pkg:golang/");
	detector_purl_escape(purl, size, &used, name, strlen(name), DETECTOR_PURL_KEEP_SLASH | DETECTOR_PURL_ENCODE_COLON);
	if (version) {
		detector_purl_append(purl, size, &used, "@");
		detector_purl_escape(purl, size, &used, version, strlen(version), DETECTOR_PURL_ENCODE_COLON);
	}
	if (local && gobin_printable(local) && asprintf(&hint, "replaced by local directory %s", local) < 0)
		hint = NULL;
	memset(&p, 0, sizeof(p));
	p.name = (char *)name;
	p.version = (char *)version;
	p.kind = "binary";
	p.package_db = (char *)path;
	p.repository_hint = hint;
	p.ecosystem = "golang";
	p.purl = purl;
	rc = pkg_list_add(&out->pkgs, &p);
	free(purl);
	free(hint);
	return rc;
}

struct gobin_mod {
	char *path, *version;
	char *local; /* the directory that replaced it, or NULL */
};

/* Splits a line of the module info into tab-separated fields (in place). */
static size_t gobin_fields(char **f, size_t max, char *line)
{
	size_t n = 0;

	while (n < max) {
		char *tab = strchr(line, '\t');
		f[n++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

/* Reports the packages of one build info: Go version and module info text. */
static int gobin_emit(struct scan_out *out, const char *path, const unsigned char *vers, size_t vlen,
		      const unsigned char *modinfo, size_t mlen)
{
	char *version = strndup((const char *)vers, vlen), *mod = NULL, *line, *next, *ldflags = NULL;
	char *main_path = NULL, *main_version = NULL, *stamped = NULL, std[64];
	struct gobin_mod *deps = NULL;
	size_t ndeps = 0, i;
	int rc = ASEC_OK, last_dep = 0, dropped = 0, framed;

	/* Strip the sentinels; text without them is not module info (Go's rule). */
	framed = mlen >= 2 * GOBIN_SENTINEL + 1 && modinfo[mlen - GOBIN_SENTINEL - 1] == '\n';
	if (framed)
		mod = strndup((const char *)modinfo + GOBIN_SENTINEL, mlen - 2 * GOBIN_SENTINEL);
	else
		mod = strdup("");
	deps = calloc(GOBIN_MAX_PKGS, sizeof(*deps));
	if (!version || !mod || !deps) {
		error_set("out of memory reading Go build info");
		rc = ASEC_ENOMEM;
		goto out;
	}
	if (strlen(version) != vlen || strlen(mod) != (framed ? mlen - 2 * GOBIN_SENTINEL : 0)) {
		scan_note(out, "%s: Go build info holds NUL bytes; not used", path);
		goto out;
	}

	for (line = mod; line && *line; line = next) {
		char *f[4] = { NULL, NULL, NULL, NULL };
		size_t n;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = gobin_fields(f, 4, line);
		if (strcmp(f[0], "mod") == 0 && n >= 3) {
			main_path = f[1];
			main_version = f[2];
			last_dep = 0;
		} else if (strcmp(f[0], "dep") == 0 && n >= 3) {
			if (ndeps < GOBIN_MAX_PKGS) {
				deps[ndeps].path = f[1];
				deps[ndeps].version = f[2];
				ndeps++;
				last_dep = 1;
			} else {
				dropped++;
				last_dep = 0;
			}
		} else if (strcmp(f[0], "=>") == 0 && n >= 2) {
			/* Replaces the dep line just before it. A replacement by a
			 * directory ("../fork") is code of the image's own: the module
			 * keeps its name, loses its version, and the hint says why. */
			if (last_dep && (f[1][0] == '.' || f[1][0] == '/')) {
				deps[ndeps - 1].version = "";
				deps[ndeps - 1].local = f[1];
			} else if (last_dep) {
				deps[ndeps - 1].path = f[1];
				deps[ndeps - 1].version = n >= 3 ? f[2] : "";
			}
			last_dep = 0;
		} else if (strcmp(f[0], "build") == 0 && n >= 2) {
			/* "build\t-ldflags=..." - the value may itself hold tabs when quoted. */
			char *setting = line + 6;
			for (i = 2; i < n; i++)
				f[i][-1] = '\t';
			if (strncmp(setting, "-ldflags=", 9) == 0) {
				ldflags = setting + 9;
				gobin_unquote(ldflags);
			}
			last_dep = 0;
		} else {
			last_dep = 0;
		}
	}
	if (dropped)
		scan_note(out, "%s: more than %d Go modules; %d not reported", path, GOBIN_MAX_PKGS, dropped);

	/* "go1.22.3 X:boringcrypto" -> "v1.22.3"; "devel +abc" is not a release. */
	if (strncmp(version, "go", 2) == 0 && version[2] >= '0' && version[2] <= '9') {
		size_t n = strcspn(version + 2, " \t");
		if (n < sizeof(std) - 2) {
			snprintf(std, sizeof(std), "v%.*s", (int)n, version + 2);
			rc = gobin_add(out, path, "stdlib", std, NULL);
			if (rc)
				goto out;
		}
	} else if (version[0]) {
		scan_note(out, "%s: Go version \"%.40s\" is not a release; no stdlib package", path, version);
	}

	if (main_path && main_path[0]) {
		const char *v = strcmp(main_version, "(devel)") == 0 ? "" : main_version;
		if (ldflags && (!v[0] || strncmp(v, "v0.0.0", 6) == 0)) {
			stamped = gobin_ldflags_version(ldflags, main_path);
			if (stamped || !v[0])
				v = stamped ? stamped : "";
		}
		rc = gobin_add(out, path, main_path, v, NULL);
		if (rc)
			goto out;
	}
	for (i = 0; i < ndeps; i++) {
		const char *v = strcmp(deps[i].version, "(devel)") == 0 ? "" : deps[i].version;
		rc = gobin_add(out, path, deps[i].path, v, deps[i].local);
		if (rc)
			goto out;
	}
out:
	free(version);
	free(mod);
	free(deps);
	free(stamped);
	return rc;
}

static int gobin_report(struct gobin *g, struct scan_out *out)
{
	const unsigned char *vers = NULL, *mod = NULL;
	size_t vlen = 0, mlen = 0;

	if (g->info_state == GOBIN_INFO_PARTIAL) {
		scan_note(out, "%s: Go build info cut short at the end of the file", g->path);
		return ASEC_OK;
	}
	if (g->info_state == GOBIN_INFO_CORRUPT) {
		scan_note(out, "%s: corrupt Go build info at offset %llu", g->path, (unsigned long long)g->info_off);
		return ASEC_OK;
	}
	if (g->info[15] & 2) {
		size_t pos = 32;
		if (gobin_inline_string(&vers, &vlen, g->info, g->info_len, &pos) != 0 ||
		    gobin_inline_string(&mod, &mlen, g->info, g->info_len, &pos) != 0)
			return ASEC_OK; /* gobin_info_check said complete; cannot happen */
	} else {
		unsigned ptr = g->info[14];
		int big = g->info[15] & 1;
		if (!g->whole_on || g->whole_len != g->pos) {
			scan_note(out,
				  "%s: pre-1.18 Go binary%s: build info not recoverable from a stream "
				  "(kept only for Go binaries of up to %zu MiB)",
				  g->path, g->go_note ? "" : " without a Go build ID note", GOBIN_WHOLE_MAX >> 20);
			return ASEC_OK;
		}
		if (gobin_old_string(&vers, &vlen, g, execbin_get(g->info + 16, ptr, big)) != 0 ||
		    gobin_old_string(&mod, &mlen, g, execbin_get(g->info + 16 + ptr, ptr, big)) != 0) {
			scan_note(out, "%s: pre-1.18 Go build info points outside the file's segments", g->path);
			return ASEC_OK;
		}
	}
	return gobin_emit(out, g->path, vers, vlen, mod, mlen);
}

static int gobin_end(void *state, struct scan_out *out)
{
	struct gobin *g = state;
	size_t i;
	int rc = ASEC_OK;

	if (!g)
		return ASEC_OK;
	if (!g->skip && g->pos >= 4 && g->found) {
		if (!g->head_parsed)
			gobin_parse_head(g);
		rc = gobin_report(g, out);
	}
	for (i = 0; i < g->note_count; i++)
		scan_note(out, "%s", g->notes[i]);
	free(g->path);
	free(g->head);
	free(g->info);
	free(g->whole);
	free(g);
	return rc;
}

const struct detector detector_gobinary = {
	.name = "gobinary",
	.version = 1,
	.max_file_bytes = 0, /* streamed: any size */
	.match = gobin_match,
	.stream_begin = gobin_begin,
	.stream_chunk = gobin_chunk,
	.stream_end = gobin_end,
};
