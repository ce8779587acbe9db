/*
 * rpmheader.c - the rpm header blob parser (see rpmheader.h for the format).
 *
 * One pass over the index validates every entry the way rpm's own
 * headerVerifyInfo does (type known, offset and count inside the data store)
 * and remembers where the wanted tags are, the last occurrence winning so
 * that dribble entries override the signed region. Only then are the wanted
 * values read, each with its own bounds check. A header rpm itself would
 * refuse is refused here too, so that a corrupt blob yields a note rather
 * than a half-invented package.
 *
 * The OpenPGP part reads just enough of a signature packet (RFC 4880 5.2) to
 * name the key that signed the package; that key id is what tells a Red Hat
 * build from a rebuild, and it ends up in the package's repository hint.
 */
#include "detectors/rpmheader.h"

#include <stdio.h>
#include <string.h>

#include "error/error.h"

/* rpm's own limits (lib/header_internal.h): HEADER_TAGS_MAX, HEADER_DATA_MAX. */
#define RPMHEADER_MAX_ENTRIES 0xffffu
#define RPMHEADER_MAX_DATA 0x0fffffffu
#define RPMHEADER_ENTRY_SIZE 16u

enum {
	RPM_NULL_TYPE = 0,
	RPM_INT32_TYPE = 4,
	RPM_STRING_TYPE = 6,
	RPM_BIN_TYPE = 7,
	RPM_STRING_ARRAY_TYPE = 8,
	RPM_I18NSTRING_TYPE = 9,
	RPM_MAX_TYPE = 9,
};

enum {
	TAG_HEADERIMAGE = 61,
	TAG_HEADERSIGNATURES = 62,
	TAG_HEADERIMMUTABLE = 63,
	TAG_SIGPGP = 259,
	TAG_SIGGPG = 262,
	TAG_DSAHEADER = 267,
	TAG_RSAHEADER = 268,
	TAG_NAME = 1000,
	TAG_VERSION = 1001,
	TAG_RELEASE = 1002,
	TAG_EPOCH = 1003,
	TAG_VENDOR = 1011,
	TAG_ARCH = 1022,
	TAG_SOURCERPM = 1044,
	TAG_SOURCEPACKAGE = 1106,
	TAG_PAYLOADDIGEST = 5092,
	TAG_PAYLOADDIGESTALGO = 5093,
	TAG_MODULARITYLABEL = 5096,
};

/* The tags we read, as slots; the signature tags are in order of preference. */
enum {
	W_NAME, W_VERSION, W_RELEASE, W_EPOCH, W_VENDOR, W_ARCH, W_SOURCERPM, W_SOURCEPACKAGE,
	W_PAYLOADDIGEST, W_PAYLOADDIGESTALGO, W_MODULARITYLABEL,
	W_SIGPGP, W_RSAHEADER, W_SIGGPG, W_DSAHEADER,
	W_COUNT
};

struct rpmheader_entry {
	int32_t tag;
	uint32_t type;
	int32_t offset;
	uint32_t count;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void entry_load(struct rpmheader_entry *e, const unsigned char *p)
{
	e->tag = (int32_t)be32(p);
	e->type = be32(p + 4);
	e->offset = (int32_t)be32(p + 8);
	e->count = be32(p + 12);
}

static int wanted_slot(int32_t tag)
{
	switch (tag) {
	case TAG_NAME: return W_NAME;
	case TAG_VERSION: return W_VERSION;
	case TAG_RELEASE: return W_RELEASE;
	case TAG_EPOCH: return W_EPOCH;
	case TAG_VENDOR: return W_VENDOR;
	case TAG_ARCH: return W_ARCH;
	case TAG_SOURCERPM: return W_SOURCERPM;
	case TAG_SOURCEPACKAGE: return W_SOURCEPACKAGE;
	case TAG_PAYLOADDIGEST: return W_PAYLOADDIGEST;
	case TAG_PAYLOADDIGESTALGO: return W_PAYLOADDIGESTALGO;
	case TAG_MODULARITYLABEL: return W_MODULARITYLABEL;
	case TAG_SIGPGP: return W_SIGPGP;
	case TAG_RSAHEADER: return W_RSAHEADER;
	case TAG_SIGGPG: return W_SIGGPG;
	case TAG_DSAHEADER: return W_DSAHEADER;
	default: return -1;
	}
}

/* The region trailer is an entry stored in the data store whose negative
 * offset gives the size of the region's index; rpm refuses a header whose
 * trailer does not agree with the region tag, and so do we. */
static int region_check(const struct rpmheader_entry *first, const unsigned char *data, uint32_t dl, uint32_t il)
{
	struct rpmheader_entry trailer;
	int32_t want = first->tag;
	uint32_t ril;

	if (first->type != RPM_BIN_TYPE || first->count != RPMHEADER_ENTRY_SIZE) {
		error_set("rpm header: region tag %d has type %u count %u", (int)first->tag, first->type,
			  first->count);
		return ASEC_EINVALID;
	}
	if (dl < RPMHEADER_ENTRY_SIZE || first->offset < 0 ||
	    (uint32_t)first->offset > dl - RPMHEADER_ENTRY_SIZE) {
		error_set("rpm header: region trailer offset %d outside the %u-byte data store", (int)first->offset,
			  dl);
		return ASEC_EINVALID;
	}
	entry_load(&trailer, data + first->offset);
	/* Old signature headers were written with the image tag in the trailer;
	 * rpm accepts that one mismatch. */
	if (want == TAG_HEADERSIGNATURES && trailer.tag == TAG_HEADERIMAGE)
		trailer.tag = TAG_HEADERSIGNATURES;
	if (trailer.tag != want || trailer.type != RPM_BIN_TYPE || trailer.count != RPMHEADER_ENTRY_SIZE) {
		error_set("rpm header: region trailer does not match region tag %d", (int)want);
		return ASEC_EINVALID;
	}
	/* -offset is ril * 16; negate in 64 bits so INT32_MIN cannot overflow. */
	if (trailer.offset >= 0 || (-(int64_t)trailer.offset) % RPMHEADER_ENTRY_SIZE != 0) {
		error_set("rpm header: region trailer has offset %d", (int)trailer.offset);
		return ASEC_EINVALID;
	}
	ril = (uint32_t)((-(int64_t)trailer.offset) / RPMHEADER_ENTRY_SIZE);
	if (ril > il) {
		error_set("rpm header: region claims %u entries of %u", ril, il);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

static int read_string(struct rpmheader_str *out, const struct rpmheader_entry *e, const unsigned char *data,
		       uint32_t dl, const char *what)
{
	const unsigned char *start, *nul;

	if (e->type != RPM_STRING_TYPE && e->type != RPM_STRING_ARRAY_TYPE && e->type != RPM_I18NSTRING_TYPE) {
		error_set("rpm header: %s has type %u, not a string", what, e->type);
		return ASEC_EINVALID;
	}
	/* Offsets were checked against dl; a string must also end inside it. */
	start = data + e->offset;
	nul = memchr(start, '\0', dl - (uint32_t)e->offset);
	if (!nul) {
		error_set("rpm header: %s runs past the end of the data store", what);
		return ASEC_EINVALID;
	}
	if ((size_t)(nul - start) > RPMHEADER_MAX_FIELD) {
		error_set("rpm header: %s is %zu bytes long", what, (size_t)(nul - start));
		return ASEC_EINVALID;
	}
	out->s = (const char *)start;
	out->len = (size_t)(nul - start);
	out->present = 1;
	return ASEC_OK;
}

static int read_int32(uint32_t *out, const struct rpmheader_entry *e, const unsigned char *data, uint32_t dl,
		      const char *what)
{
	if (e->type != RPM_INT32_TYPE || dl - (uint32_t)e->offset < 4) {
		error_set("rpm header: %s is not a readable INT32", what);
		return ASEC_EINVALID;
	}
	*out = be32(data + e->offset);
	return ASEC_OK;
}

int rpmheader_parse(struct rpmheader_info *out, const unsigned char *blob, size_t len)
{
	static const char *const names[W_COUNT] = {
		"NAME", "VERSION", "RELEASE", "EPOCH", "VENDOR", "ARCH", "SOURCERPM", "SOURCEPACKAGE",
		"PAYLOADDIGEST", "PAYLOADDIGESTALGO", "MODULARITYLABEL", "SIGPGP", "RSAHEADER", "SIGGPG",
		"DSAHEADER",
	};
	struct rpmheader_entry e, slot_entry[W_COUNT];
	int have[W_COUNT] = {0};
	const unsigned char *index, *data;
	uint32_t il, dl, i;
	int rc, s;

	memset(out, 0, sizeof(*out));
	if (len < 8) {
		error_set("rpm header: %zu bytes, too short for the counts", len);
		return ASEC_EINVALID;
	}
	il = be32(blob);
	dl = be32(blob + 4);
	if (il == 0 || il > RPMHEADER_MAX_ENTRIES) {
		error_set("rpm header: %u index entries (limit %u)", il, RPMHEADER_MAX_ENTRIES);
		return ASEC_EINVALID;
	}
	if (dl > RPMHEADER_MAX_DATA) {
		error_set("rpm header: %u bytes of data (limit %u)", dl, RPMHEADER_MAX_DATA);
		return ASEC_EINVALID;
	}
	/* Both bounded above, so this sum fits comfortably in size_t. */
	if ((size_t)8 + (size_t)il * RPMHEADER_ENTRY_SIZE + dl > len) {
		error_set("rpm header: claims %u entries and %u data bytes but the blob is %zu bytes", il, dl, len);
		return ASEC_EINVALID;
	}
	index = blob + 8;
	data = index + (size_t)il * RPMHEADER_ENTRY_SIZE;

	for (i = 0; i < il; i++) {
		entry_load(&e, index + (size_t)i * RPMHEADER_ENTRY_SIZE);
		if (e.type > RPM_MAX_TYPE || e.type == RPM_NULL_TYPE) {
			error_set("rpm header: entry %u (tag %d) has unknown type %u", i, (int)e.tag, e.type);
			return ASEC_EINVALID;
		}
		if (e.offset < 0 || (uint32_t)e.offset > dl || e.count == 0 || e.count > dl) {
			error_set("rpm header: entry %u (tag %d) has offset %d count %u outside %u data bytes", i,
				  (int)e.tag, (int)e.offset, e.count, dl);
			return ASEC_EINVALID;
		}
		if (i == 0 && (e.tag == TAG_HEADERIMAGE || e.tag == TAG_HEADERSIGNATURES ||
			       e.tag == TAG_HEADERIMMUTABLE)) {
			rc = region_check(&e, data, dl, il);
			if (rc)
				return rc;
			continue;
		}
		s = wanted_slot(e.tag);
		if (s >= 0) {
			slot_entry[s] = e;
			have[s] = 1;
		}
	}

	if (!have[W_NAME]) {
		error_set("rpm header: no NAME tag");
		return ASEC_EINVALID;
	}
	for (s = 0; s < W_COUNT; s++) {
		const struct rpmheader_entry *se = &slot_entry[s];

		if (!have[s])
			continue;
		rc = ASEC_OK;
		switch (s) {
		case W_NAME: rc = read_string(&out->name, se, data, dl, names[s]); break;
		case W_VERSION: rc = read_string(&out->version, se, data, dl, names[s]); break;
		case W_RELEASE: rc = read_string(&out->release, se, data, dl, names[s]); break;
		case W_VENDOR: rc = read_string(&out->vendor, se, data, dl, names[s]); break;
		case W_ARCH: rc = read_string(&out->arch, se, data, dl, names[s]); break;
		case W_SOURCERPM: rc = read_string(&out->sourcerpm, se, data, dl, names[s]); break;
		case W_MODULARITYLABEL: rc = read_string(&out->modularitylabel, se, data, dl, names[s]); break;
		case W_PAYLOADDIGEST: rc = read_string(&out->payload_digest, se, data, dl, names[s]); break;
		case W_EPOCH:
			rc = read_int32(&out->epoch, se, data, dl, names[s]);
			out->has_epoch = rc == ASEC_OK;
			break;
		case W_PAYLOADDIGESTALGO:
			rc = read_int32(&out->digest_algo, se, data, dl, names[s]);
			out->has_digest_algo = rc == ASEC_OK;
			break;
		case W_SOURCEPACKAGE:
			out->is_source = 1;
			break;
		default: /* signatures, in order of preference: keep the first usable one */
			if (out->signature)
				break;
			if (se->type != RPM_BIN_TYPE || dl - (uint32_t)se->offset < se->count) {
				error_set("rpm header: %s is not a readable BIN", names[s]);
				rc = ASEC_EINVALID;
				break;
			}
			out->signature = data + se->offset;
			out->signature_len = se->count;
			break;
		}
		if (rc)
			return rc;
	}
	return ASEC_OK;
}

/* --- OpenPGP signature packets (RFC 4880 sections 4.2 and 5.2) --- */

static void hex8(char out[17], const unsigned char *id)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[16] = '\0';
}

/* Walks one subpacket area; issuer (16) wins over issuer fingerprint (33),
 * whose v4 form ends with the key id. Returns 1 and fills *id when found. */
static int subpackets_issuer(const unsigned char **id, const unsigned char *p, size_t n)
{
	const unsigned char *fpr_id = NULL;
	size_t pos = 0;

	while (pos < n) {
		size_t sublen;
		unsigned type;

		if (p[pos] < 192) {
			sublen = p[pos];
			pos += 1;
		} else if (p[pos] < 255) {
			if (n - pos < 2)
				return 0;
			sublen = ((size_t)(p[pos] - 192) << 8) + p[pos + 1] + 192;
			pos += 2;
		} else {
			if (n - pos < 5)
				return 0;
			sublen = be32(p + pos + 1);
			pos += 5;
		}
		if (sublen == 0 || sublen > n - pos)
			return 0;
		type = p[pos] & 0x7f;
		if (type == 16 && sublen == 9) {
			*id = p + pos + 1;
			return 1;
		}
		if (type == 33 && sublen == 22 && p[pos + 1] == 4)
			fpr_id = p + pos + 1 + 1 + 12;
		pos += sublen;
	}
	if (fpr_id) {
		*id = fpr_id;
		return 1;
	}
	return 0;
}

int rpmheader_signature_key(char out[17], const unsigned char *sig, size_t len)
{
	const unsigned char *body, *id = NULL;
	size_t body_len, hashed_len, unhashed_len;
	unsigned tagbyte, ptag;

	out[0] = '\0';
	if (!sig || len < 2)
		return 0;
	tagbyte = sig[0];
	if (!(tagbyte & 0x80))
		return 0;
	if (tagbyte & 0x40) { /* new format */
		ptag = tagbyte & 0x3f;
		if (sig[1] < 192) {
			body_len = sig[1];
			body = sig + 2;
		} else if (sig[1] < 224) {
			if (len < 3)
				return 0;
			body_len = ((size_t)(sig[1] - 192) << 8) + sig[2] + 192;
			body = sig + 3;
		} else if (sig[1] == 255) {
			if (len < 6)
				return 0;
			body_len = be32(sig + 2);
			body = sig + 6;
		} else {
			return 0; /* partial lengths: never used for signatures */
		}
	} else { /* old format */
		ptag = (tagbyte >> 2) & 0x0f;
		switch (tagbyte & 3) {
		case 0: body_len = sig[1]; body = sig + 2; break;
		case 1:
			if (len < 3)
				return 0;
			body_len = (size_t)sig[1] << 8 | sig[2];
			body = sig + 3;
			break;
		case 2:
			if (len < 5)
				return 0;
			body_len = be32(sig + 1);
			body = sig + 5;
			break;
		default: body_len = len - 1; body = sig + 1; break;
		}
	}
	if (ptag != 2 || body_len > len - (size_t)(body - sig))
		return 0;

	if (body_len >= 15 && body[0] == 3 && body[1] == 5) {
		/* v3: version, 5, sigtype, time[4], key id[8]. Only a signature over
		 * binary data (type 0) names the package signer. */
		if (body[2] != 0)
			return 0;
		hex8(out, body + 7);
		return 1;
	}
	if (body_len >= 6 && body[0] == 4) {
		if (body[1] != 0)
			return 0;
		hashed_len = (size_t)body[4] << 8 | body[5];
		if (hashed_len > body_len - 6)
			return 0;
		if (subpackets_issuer(&id, body + 6, hashed_len)) {
			hex8(out, id);
			return 1;
		}
		if (body_len - 6 - hashed_len < 2)
			return 0;
		unhashed_len = (size_t)body[6 + hashed_len] << 8 | body[7 + hashed_len];
		if (unhashed_len > body_len - 8 - hashed_len)
			return 0;
		if (subpackets_issuer(&id, body + 8 + hashed_len, unhashed_len)) {
			hex8(out, id);
			return 1;
		}
	}
	return 0;
}
