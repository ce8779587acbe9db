/*
 * rustbinary.c - Rust executables built with cargo-auditable: the crates
 * they were built from, from the zlib-compressed JSON dependency list the
 * tool links into an ELF section named ".dep-v0":
 *
 *   {"packages":[{"name":"serde","version":"1.0.193","source":"crates.io",
 *                 "kind":"runtime","dependencies":[3,7],"root":false}, ...]}
 *
 * Streamed, not buffered. The section headers that would say where .dep-v0
 * is come at the end of the file, after the section itself, and a buffered
 * reader would hold every executable of an image (most of them not Rust) in
 * memory just to look. Instead we recognise the section's content as it goes
 * by and check its place afterwards:
 *
 *   - every 0x78 byte followed by a valid zlib flag byte is a possible zlib
 *     stream; it is probed by inflating its first few dozen bytes from a
 *     1 KiB lookahead (memchr finds the candidates; most fail at once). Only
 *     output starting with {"packages": counts.
 *   - a stream that passes is inflated as the bytes arrive, up to 1 MiB of
 *     JSON, and its file offset kept (at most 4 such streams per file).
 *   - the ELF header (first 64 bytes) says where the section header table
 *     is; its bytes are kept when the stream passes them (at most 1 MiB). At
 *     the end a stream is accepted only if a section starts exactly at its
 *     offset - so a copy of such data inside some other section (a test
 *     fixture compiled into a binary) is not taken for the binary's own.
 *     When there is no usable section header table, the content alone
 *     decides, with a note.
 *
 * Cost per executable: 64 KiB of window, the memchr, and for ELF files with
 * zlib-looking bytes a reused inflate state; a file that is not ELF is left
 * after its first 4 bytes.
 *
 * Output as Trivy's rust binary parser: every package of kind "runtime"
 * (the default) including the root crate; build-time dependencies (build
 * scripts, proc macros) are left out, as they are not in the binary.
 * Ecosystem "cargo", purl pkg:cargo/<name>@<version>, repository_hint the
 * package's source ("crates.io", "git", "local", "registry").
 */
#include "detectors/detector.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detectors/execbin.h"
#include "error/error.h"

#define RUST_LOOKAHEAD 1024          /* input a probe may need before the first output */
#define RUST_WINDOW ((size_t)64 << 10)
#define RUST_PROBE_OUT 16            /* output bytes a probe inflates */
#define RUST_JSON_MAX ((size_t)1 << 20)
#define RUST_MAX_CANDIDATES 4
#define RUST_SHT_MAX ((size_t)1 << 20)
#define RUST_MAX_PKGS 20000
#define RUST_NOTES 4

static const char rust_prefix[] = "{\"packages\":";

struct rust_cand {
	uint64_t off, clen;
	char *json;
	size_t json_len;
};

struct rustbin {
	char *path;
	uint64_t size, pos;
	int skip;                     /* not ELF: ignore the rest */
	int scan_done;                /* enough candidates: only the section headers matter */

	unsigned char hdr[64];
	size_t hdr_len;
	struct execbin_elf elf;
	int elf_ok;

	unsigned char *sht;           /* the section header table, when it passes */
	size_t sht_len, sht_size;
	uint64_t sht_off;

	unsigned char *win;           /* bytes not yet probed, from file offset win_off */
	size_t win_len;
	uint64_t win_off;
	z_stream probe;
	int probe_ready;

	z_stream inf;                 /* the candidate being inflated */
	int inf_ready, inf_active;
	unsigned char *json;
	size_t json_len, json_cap;
	uint64_t inf_off;

	struct rust_cand cands[RUST_MAX_CANDIDATES];
	size_t cand_count;

	char notes[RUST_NOTES][320];
	size_t note_count;
};

static int rust_match(const char *path, size_t path_len, unsigned mode)
{
	return execbin_match(path, path_len, mode);
}

static void rust_note(struct rustbin *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rust_note(struct rustbin *r, const char *fmt, ...)
{
	va_list ap;

	if (r->note_count >= RUST_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->note_count++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

static int rust_begin(void **state, const char *path, uint64_t size)
{
	struct rustbin *r = calloc(1, sizeof(*r));

	*state = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		error_set("out of memory starting the Rust binary scan");
		return ASEC_ENOMEM;
	}
	r->size = size;
	r->skip = size < 64;
	*state = r;
	return ASEC_OK;
}

/* After the ELF header: where is the section header table, and is it sane? */
static void rust_header(struct rustbin *r)
{
	unsigned min;

	if (execbin_elf_header(&r->elf, r->hdr, r->hdr_len) != 0) {
		r->skip = 1;
		return;
	}
	r->elf_ok = 1;
	min = r->elf.is64 ? 64 : 40;
	if (r->elf.shoff == 0 || r->elf.shnum == 0 || r->elf.shentsize < min)
		return;
	if ((size_t)r->elf.shnum * r->elf.shentsize > RUST_SHT_MAX)
		return;
	if (r->elf.shoff > r->size || (size_t)r->elf.shnum * r->elf.shentsize > r->size - r->elf.shoff)
		return;
	r->sht_off = r->elf.shoff;
	r->sht_size = (size_t)r->elf.shnum * r->elf.shentsize;
	r->sht = malloc(r->sht_size);
	if (!r->sht)
		r->sht_size = 0;
}

/* Keeps the part of [pos, pos + len) that falls in the section header table. */
static void rust_keep_sht(struct rustbin *r, const unsigned char *data, size_t len)
{
	uint64_t from, to;

	if (!r->sht || r->sht_len == r->sht_size)
		return;
	from = r->sht_off + r->sht_len;
	to = r->sht_off + r->sht_size;
	if (from < r->pos || from >= r->pos + len)
		return;
	if (to > r->pos + len)
		to = r->pos + len;
	memcpy(r->sht + r->sht_len, data + (from - r->pos), (size_t)(to - from));
	r->sht_len += (size_t)(to - from);
}

/* Does a zlib stream start at p and inflate to the start of the JSON? */
static int rust_probe(struct rustbin *r, const unsigned char *p, size_t avail)
{
	unsigned char out[RUST_PROBE_OUT];
	int z;

	if (avail < 2 || ((p[0] << 8) | p[1]) % 31 != 0 || (p[1] & 0x20))
		return 0; /* bad check bits, or a preset dictionary */
	if (!r->probe_ready) {
		memset(&r->probe, 0, sizeof(r->probe));
		if (inflateInit(&r->probe) != Z_OK)
			return 0;
		r->probe_ready = 1;
	} else if (inflateReset(&r->probe) != Z_OK) {
		return 0;
	}
	r->probe.next_in = (unsigned char *)p;
	r->probe.avail_in = (uInt)(avail < RUST_LOOKAHEAD ? avail : RUST_LOOKAHEAD);
	r->probe.next_out = out;
	r->probe.avail_out = sizeof(out);
	do {
		z = inflate(&r->probe, Z_SYNC_FLUSH);
	} while (z == Z_OK && r->probe.avail_out > 0 && r->probe.avail_in > 0);
	return sizeof(out) - r->probe.avail_out >= sizeof(rust_prefix) - 1 &&
	       memcmp(out, rust_prefix, sizeof(rust_prefix) - 1) == 0;
}

static void rust_stop_inflating(struct rustbin *r)
{
	free(r->json);
	r->json = NULL;
	r->json_len = r->json_cap = 0;
	r->inf_active = 0;
}

/*
 * Feeds the active candidate; returns how many input bytes it used. Ends
 * the candidate when its stream ends (kept), breaks or outgrows the cap
 * (dropped, with a note).
 */
static size_t rust_inflate(struct rustbin *r, const unsigned char *data, size_t len)
{
	uInt before;
	int z = Z_OK;

	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30; /* zlib counts in uInt; the caller loops */
	r->inf.next_in = (unsigned char *)data;
	r->inf.avail_in = (uInt)len;
	before = r->inf.avail_in;
	while (r->inf.avail_in > 0 && z == Z_OK) {
		if (r->json_len == r->json_cap) {
			size_t cap = r->json_cap ? r->json_cap * 2 : 16384;
			unsigned char *grown;
			if (r->json_cap >= RUST_JSON_MAX) {
				rust_note(r, "%s: cargo-auditable data at offset %llu inflates past %zu MiB; ignored",
					  r->path, (unsigned long long)r->inf_off, RUST_JSON_MAX >> 20);
				rust_stop_inflating(r);
				return len - r->inf.avail_in;
			}
			if (cap > RUST_JSON_MAX)
				cap = RUST_JSON_MAX;
			grown = realloc(r->json, cap);
			if (!grown) {
				rust_note(r, "%s: out of memory inflating cargo-auditable data", r->path);
				rust_stop_inflating(r);
				return len - r->inf.avail_in;
			}
			r->json = grown;
			r->json_cap = cap;
		}
		r->inf.next_out = r->json + r->json_len;
		r->inf.avail_out = (uInt)(r->json_cap - r->json_len);
		z = inflate(&r->inf, Z_NO_FLUSH);
		r->json_len = r->json_cap - r->inf.avail_out;
		if (z == Z_BUF_ERROR && r->inf.avail_out > 0)
			break; /* needs more input */
		if (z == Z_BUF_ERROR)
			z = Z_OK; /* output full: grow and go on */
	}
	if (z == Z_STREAM_END) {
		struct rust_cand *c = &r->cands[r->cand_count++];
		c->off = r->inf_off;
		c->clen = r->inf.total_in;
		c->json = (char *)r->json;
		c->json_len = r->json_len;
		r->json = NULL;
		r->json_len = r->json_cap = 0;
		r->inf_active = 0;
		if (r->cand_count == RUST_MAX_CANDIDATES)
			r->scan_done = 1;
	} else if (z != Z_OK && z != Z_BUF_ERROR) {
		rust_note(r, "%s: cargo-auditable data at offset %llu is corrupt (zlib: %s)", r->path,
			  (unsigned long long)r->inf_off, r->inf.msg ? r->inf.msg : "error");
		rust_stop_inflating(r);
	}
	return before - r->inf.avail_in;
}

static int rust_start(struct rustbin *r, uint64_t off)
{
	if (!r->inf_ready) {
		memset(&r->inf, 0, sizeof(r->inf));
		if (inflateInit(&r->inf) != Z_OK) {
			error_set("cannot start zlib");
			return ASEC_ENOMEM;
		}
		r->inf_ready = 1;
	} else if (inflateReset(&r->inf) != Z_OK) {
		error_set("cannot reset zlib");
		return ASEC_ERROR;
	}
	r->inf_active = 1;
	r->inf_off = off;
	return ASEC_OK;
}

/*
 * Probes the window's positions that have their lookahead (all of them at
 * the end of the file). A candidate that passes starts inflating from the
 * window; what it does not use is scanned on.
 */
static int rust_scan_window(struct rustbin *r, int final)
{
	size_t i = 0, limit = final ? r->win_len : (r->win_len > RUST_LOOKAHEAD ? r->win_len - RUST_LOOKAHEAD : 0);
	int rc;

	while (i < limit && !r->scan_done) {
		const unsigned char *hit = memchr(r->win + i, 0x78, limit - i);
		size_t at, used, kept = r->cand_count;
		if (!hit)
			break;
		at = (size_t)(hit - r->win);
		if (!rust_probe(r, hit, r->win_len - at)) {
			i = at + 1;
			continue;
		}
		rc = rust_start(r, r->win_off + at);
		if (rc)
			return rc;
		used = rust_inflate(r, hit, r->win_len - at);
		if (r->inf_active) {
			/* The stream goes on past the window: the rest is its. */
			r->win_off += r->win_len;
			r->win_len = 0;
			return ASEC_OK;
		}
		/* Past a stream that was kept; a broken one may hide the real one. */
		i = r->cand_count > kept ? at + used : at + 1;
	}
	if (i > r->win_len)
		i = r->win_len;
	if (r->scan_done) {
		r->win_off += r->win_len;
		r->win_len = 0;
		return ASEC_OK;
	}
	if (i < limit)
		i = limit;
	memmove(r->win, r->win + i, r->win_len - i);
	r->win_len -= i;
	r->win_off += i;
	return ASEC_OK;
}

static int rust_chunk(void *state, const unsigned char *data, size_t len)
{
	struct rustbin *r = state;
	size_t off = 0;
	int rc = ASEC_OK;

	if (!r || r->skip)
		goto out;
	if (r->hdr_len < sizeof(r->hdr)) {
		size_t take = sizeof(r->hdr) - r->hdr_len, i;
		if (take > len)
			take = len;
		for (i = 0; i < take && r->hdr_len + i < 4; i++) {
			if (data[i] != (unsigned char)EXECBIN_ELF_MAGIC[r->hdr_len + i]) {
				r->skip = 1;
				goto out;
			}
		}
		memcpy(r->hdr + r->hdr_len, data, take);
		r->hdr_len += take;
		if (r->hdr_len == sizeof(r->hdr)) {
			rust_header(r);
			if (r->skip)
				goto out;
		}
	}
	rust_keep_sht(r, data, len);
	if (!r->win && !r->scan_done) {
		r->win = malloc(RUST_WINDOW + RUST_LOOKAHEAD);
		if (!r->win) {
			error_set("out of memory scanning a binary");
			rc = ASEC_ENOMEM;
			goto out;
		}
		r->win_off = r->pos;
	}
	while (off < len && !r->scan_done) {
		if (r->inf_active) {
			off += rust_inflate(r, data + off, len - off);
			if (!r->inf_active) {
				/* Scanning resumes right after, or where a broken stream
				 * failed: what it consumed of earlier chunks is gone and
				 * not rescanned (a binary's author who wants to hide its
				 * crates can strip the section anyway). */
				r->win_off = r->pos + off;
				r->win_len = 0;
			}
			continue;
		} else {
			size_t take = RUST_WINDOW + RUST_LOOKAHEAD - r->win_len;
			if (take > len - off)
				take = len - off;
			memcpy(r->win + r->win_len, data + off, take);
			r->win_len += take;
			off += take;
			if (r->win_len == RUST_WINDOW + RUST_LOOKAHEAD) {
				rc = rust_scan_window(r, 0);
				if (rc)
					goto out;
			}
		}
	}
out:
	if (r)
		r->pos += len;
	return rc;
}

/* Is there a section that starts at off and holds at least len bytes? -1 = cannot tell. */
static int rust_is_section(const struct rustbin *r, uint64_t off, uint64_t len)
{
	unsigned i;

	if (!r->sht || r->sht_len != r->sht_size || r->sht_size == 0)
		return -1;
	for (i = 0; i < r->elf.shnum; i++) {
		const unsigned char *s = r->sht + (size_t)i * r->elf.shentsize;
		uint32_t type = (uint32_t)execbin_get(s + 4, 4, r->elf.big);
		uint64_t soff, ssize;
		if (r->elf.is64) {
			soff = execbin_get(s + 24, 8, r->elf.big);
			ssize = execbin_get(s + 32, 8, r->elf.big);
		} else {
			soff = execbin_get(s + 16, 4, r->elf.big);
			ssize = execbin_get(s + 20, 4, r->elf.big);
		}
		if (type != 8 /* SHT_NOBITS */ && soff == off && ssize >= len)
			return 1;
	}
	return 0;
}

static int rust_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int rust_emit(struct scan_out *out, const char *path, const char *json, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb(json, len, 0, &err), *pkgs, *p;
	size_t i, skipped = 0;
	int rc = ASEC_OK;

	pkgs = json_is_object(root) ? json_object_get(root, "packages") : NULL;
	if (!json_is_array(pkgs)) {
		scan_note(out, "%s: cargo-auditable data is not the expected JSON (%s)", path,
			  root ? "no \"packages\" array" : err.text);
		goto done;
	}
	json_array_foreach(pkgs, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *version = json_string_value(json_object_get(p, "version"));
		const char *kind = json_string_value(json_object_get(p, "kind"));
		const char *source = json_string_value(json_object_get(p, "source"));
		struct pkg k;
		size_t size, used = 0;
		char *purl;

		if (i >= RUST_MAX_PKGS) {
			scan_note(out, "%s: more than %d crates; the rest are not reported", path, RUST_MAX_PKGS);
			break;
		}
		if (kind && strcmp(kind, "runtime") != 0)
			continue; /* "build": build scripts and proc macros, not in the binary */
		if (!name || !version || !name[0] || !version[0] || !rust_printable(name) || !rust_printable(version) ||
		    (source && !rust_printable(source))) {
			skipped++;
			continue;
		}
		size = 16 + 3 * strlen(name) + 3 * strlen(version);
		purl = malloc(size);
		if (!purl) {
			error_set("out of memory reporting a crate");
			rc = ASEC_ENOMEM;
			goto done;
		}
		purl[0] = '\0';
		detector_purl_append(purl, size, &used, "pkg:cargo/");
		detector_purl_escape(purl, size, &used, name, strlen(name), DETECTOR_PURL_ENCODE_COLON);
		detector_purl_append(purl, size, &used, "@");
		detector_purl_escape(purl, size, &used, version, strlen(version), DETECTOR_PURL_ENCODE_COLON);
		memset(&k, 0, sizeof(k));
		k.name = (char *)name;
		k.version = (char *)version;
		k.kind = "binary";
		k.package_db = (char *)path;
		k.repository_hint = (char *)source;
		k.ecosystem = "cargo";
		k.purl = purl;
		rc = pkg_list_add(&out->pkgs, &k);
		free(purl);
		if (rc)
			goto done;
	}
	if (skipped)
		scan_note(out, "%s: %zu crates without a usable name and version were skipped", path, skipped);
done:
	json_decref(root);
	return rc;
}

static int rust_end(void *state, struct scan_out *out)
{
	struct rustbin *r = state;
	size_t i;
	int rc = ASEC_OK, chosen = -1;

	if (!r)
		return ASEC_OK;
	if (!r->skip && r->elf_ok) {
		if (r->inf_active) {
			rust_note(r, "%s: cargo-auditable data at offset %llu cut short at the end of the file",
				  r->path, (unsigned long long)r->inf_off);
			rust_stop_inflating(r);
		} else if (r->win && !r->scan_done) {
			rc = rust_scan_window(r, 1);
			if (r->inf_active) {
				rust_note(r, "%s: cargo-auditable data at offset %llu cut short at the end of the file",
					  r->path, (unsigned long long)r->inf_off);
				rust_stop_inflating(r);
			}
		}
		for (i = 0; rc == ASEC_OK && i < r->cand_count && chosen < 0; i++) {
			int where = rust_is_section(r, r->cands[i].off, r->cands[i].clen);
			if (where == 0) {
				scan_note(out,
					  "%s: cargo-auditable data at offset %llu is not at the start of a section; "
					  "ignored",
					  r->path, (unsigned long long)r->cands[i].off);
				continue;
			}
			if (where < 0)
				scan_note(out, "%s: no section header table to check the cargo-auditable data against",
					  r->path);
			chosen = (int)i;
		}
		if (rc == ASEC_OK && chosen >= 0)
			rc = rust_emit(out, r->path, r->cands[chosen].json, r->cands[chosen].json_len);
	}
	for (i = 0; i < r->note_count; i++)
		scan_note(out, "%s", r->notes[i]);
	for (i = 0; i < r->cand_count; i++)
		free(r->cands[i].json);
	if (r->probe_ready)
		inflateEnd(&r->probe);
	if (r->inf_ready)
		inflateEnd(&r->inf);
	free(r->json);
	free(r->win);
	free(r->sht);
	free(r->path);
	free(r);
	return rc;
}

const struct detector detector_rustbinary = {
	.name = "rustbinary",
	.version = 1,
	.max_file_bytes = 0, /* streamed: any size */
	.match = rust_match,
	.stream_begin = rust_begin,
	.stream_chunk = rust_chunk,
	.stream_end = rust_end,
};
