/*
 * rpmheader.h - reads the few fields the indexer needs out of one rpm header
 * blob, the unit every rpm database (BerkeleyDB, NDB, SQLite) stores per
 * installed package.
 *
 * A blob is an "index + data store" image, all big-endian:
 *
 *   uint32 il, uint32 dl                      counts
 *   il x { int32 tag, uint32 type, int32 offset, uint32 count }
 *   dl bytes of data, which the offsets point into
 *
 * There is no lead or magic (those belong to .rpm files, not to the
 * database). The first entry is normally a region tag (HEADERIMMUTABLE) whose
 * trailer, stored in the data, says how many entries the signed region spans;
 * entries after it ("dribbles", added at install time) replace region
 * entries with the same tag, which is why the last occurrence of a tag wins.
 *
 * The parser never trusts a count or offset: il and dl are bounded as rpm
 * bounds them (64 Ki entries, 256 MiB of data) and checked against the blob
 * length before anything is read, every entry's offset and count are checked
 * against dl, and strings must end with a NUL inside the data store. Results
 * are views into the caller's blob; nothing is allocated.
 */
#ifndef ASEC_INDEXER_RPMHEADER_H
#define ASEC_INDEXER_RPMHEADER_H

#include <stddef.h>
#include <stdint.h>

/* A string inside the blob: not NUL-terminated for the caller's purposes
 * (use len), never NULL when present is set. */
struct rpmheader_str {
	const char *s;
	size_t len;
	int present;
};

struct rpmheader_info {
	struct rpmheader_str name, version, release, arch, sourcerpm, vendor, modularitylabel;
	struct rpmheader_str payload_digest;  /* hex, first element of PAYLOADDIGEST */
	int has_epoch;
	uint32_t epoch;
	int has_digest_algo;
	uint32_t digest_algo;                 /* PGPHASHALGO_*: 8 is SHA-256 */
	int is_source;                        /* SOURCEPACKAGE is set: a .src.rpm header */
	const unsigned char *signature;       /* OpenPGP signature packet (SIGPGP, else RSAHEADER, ...) */
	size_t signature_len;
};

/* Longest string field the parser accepts; rpm names and versions are short,
 * and a multi-megabyte "name" is corruption, not a package. */
#define RPMHEADER_MAX_FIELD 4096

/* Parses blob[0..len). Returns ASEC_OK, or ASEC_EINVALID with error_set()
 * when the blob is not a well-formed header or lacks a usable NAME. Trailing
 * bytes after the data store are allowed (some containers pad). */
int rpmheader_parse(struct rpmheader_info *out, const unsigned char *blob, size_t len);

/* Finds the issuer key id in an OpenPGP signature packet (v3, or v4 issuer /
 * issuer-fingerprint subpacket) and writes it as 16 lower-case hex digits.
 * Returns 1 when found, 0 otherwise (including on malformed input). */
int rpmheader_signature_key(char out[17], const unsigned char *sig, size_t len);

#endif
