/*
 * secretbox.c - AES-256-GCM sealing of secrets at rest (see secretbox.h), and
 * the key files that hold the installation's secret keys.
 *
 * Sealing is GnuTLS's AEAD interface with a fresh random 96-bit nonce per
 * value. Random nonces are safe here because one key seals few values (a
 * handful of registry passwords, rewritten when edited): the 2^-32 collision
 * bound of random GCM nonces is reached after billions of seals, not
 * thousands. The aad binds a value to its row; the key id written in clear in
 * front lets a wrong or rotated key be told apart from corruption.
 *
 * Key files are shared with shared/auth (its token signing key): the first
 * start creates the key, every later start and every replica sharing the
 * volume must read the same bytes. Creation writes a private temporary file
 * (mkostemp: 0600, O_EXCL), syncs it, and moves it into place with a rename
 * that refuses to replace anything (renameat2 RENAME_NOREPLACE, or link()
 * where the file system lacks it); the loser of a race drops its key and
 * reads the winner's, and nobody ever sees a half-written key file.
 * Reading follows symbolic links, because Kubernetes mounts secrets as links
 * into a ..data directory, refuses files others may read and files group or
 * others may write; group read stays allowed for the fsGroup pattern
 * (0440 root:<fsGroup>) a pod uses to read a mounted secret.
 */
#include "secretbox/secretbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"

#define SB_NONCE_LEN 12
#define SB_TAG_LEN 16
#define SB_PREFIX "v1:"
#define SB_PREFIX_LEN 3
/* Largest key file read: 64 key bytes as hex, a line end, some slack. */
#define SB_KEYFILE_MAX 256

/* ---- key files ---- */

static int sb_read_all(int fd, unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int sb_write_all(int fd, const unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int sb_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The len key bytes a key file's text spells: hex or base64, one line. */
static int sb_key_from_text(unsigned char *out, size_t len, const unsigned char *text, size_t n)
{
	gnutls_datum_t in, dec = {NULL, 0};
	int ok = 0;

	if (n > 0 && text[n - 1] == '\n')
		n--;
	if (n > 0 && text[n - 1] == '\r')
		n--;
	if (n == 2 * len) {
		for (size_t i = 0; i < len; i++) {
			int hi = sb_hex_value(text[2 * i]), lo = sb_hex_value(text[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto base64;
			out[i] = (unsigned char)(hi << 4 | lo);
		}
		return 0;
	}
base64:
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\n' || text[i] == '\r' || text[i] == ' ')
			return -1; /* one line only: GnuTLS would skip them */
	in.data = (unsigned char *)text;
	in.size = (unsigned)n;
	if (n > 0 && gnutls_base64_decode2(&in, &dec) == 0 && dec.size == len) {
		memcpy(out, dec.data, len);
		ok = 1;
	}
	if (dec.data) {
		gnutls_memset(dec.data, 0, dec.size);
		gnutls_free(dec.data);
	}
	return ok ? 0 : -1;
}

/* ASEC_ENOTFOUND when there is no file at path yet. */
static int sb_key_load(unsigned char *out, size_t len, const char *path, const char *what, unsigned flags)
{
	unsigned char buf[SB_KEYFILE_MAX];
	struct stat st;
	size_t size;
	int fd, result;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error_set("opening the %s %s: %s", what, path, strerror(errno));
		return errno == ENOENT ? ASEC_ENOTFOUND : ASEC_EIO;
	}
	if (fstat(fd, &st) != 0) {
		error_set("%s: %s", path, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("the %s %s is not a regular file", what, path);
		result = ASEC_EINVALID;
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IRWXO)) {
		error_set("the %s %s has mode %04o, which lets others read it or someone besides its owner "
			  "write it; chmod 600 it",
			  what, path, (unsigned)(st.st_mode & 07777));
		result = ASEC_EINVALID;
		goto out;
	}
	/* whoever owns the file can replace the key: only this user or root */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		error_set("the %s %s belongs to user %u, neither this process's user nor root; chown it", what, path,
			  (unsigned)st.st_uid);
		result = ASEC_EINVALID;
		goto out;
	}
	size = st.st_size > 0 && st.st_size <= SB_KEYFILE_MAX ? (size_t)st.st_size : 0;
	if (size != len && (!(flags & SECRETBOX_KEYFILE_TEXT) || size == 0)) {
		error_set("the %s %s holds %lld bytes, not %zu%s", what, path, (long long)st.st_size, len,
			  flags & SECRETBOX_KEYFILE_TEXT ? " (nor their hex or base64 text)" : "");
		result = ASEC_EINVALID;
		goto out;
	}
	if (sb_read_all(fd, buf, size) != 0) {
		error_set("reading the %s %s failed", what, path);
		result = ASEC_EIO;
		goto out;
	}
	if (size == len) {
		memcpy(out, buf, len);
	} else if (sb_key_from_text(out, len, buf, size) != 0) {
		error_set("the %s %s holds %zu bytes that are neither %zu raw bytes nor their hex or base64 text",
			  what, path, size, len);
		result = ASEC_EINVALID;
		goto out;
	}
	result = ASEC_OK;
out:
	gnutls_memset(buf, 0, sizeof(buf));
	close(fd);
	return result;
}

/* Makes the directory entry itself durable; failure here only weakens the
 * crash guarantee, so it is not an error. */
static void sb_sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;
	int fd;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		len = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Moves tmp to path unless path exists: ASEC_EEXISTS then. */
static int sb_publish(const char *tmp, const char *path, const char *what)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return ASEC_OK;
	if (errno == EEXIST)
		return ASEC_EEXISTS;
	if (errno != EINVAL && errno != ENOSYS) {
		error_set("moving the new %s to %s: %s", what, path, strerror(errno));
		return ASEC_EIO;
	}
	/* File systems without RENAME_NOREPLACE: link() never replaces either. */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			return ASEC_EEXISTS;
		error_set("linking the new %s to %s: %s", what, path, strerror(errno));
		return ASEC_EIO;
	}
	unlink(tmp);
	return ASEC_OK;
}

/* Creates the key file; ASEC_EEXISTS when another process got there first. */
static int sb_key_create(size_t len, const char *path, const char *what)
{
	unsigned char secret[SECRETBOX_KEYFILE_MAX_LEN];
	char *tmp = NULL;
	int fd = -1, result;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		error_set("creating a temporary file beside %s: %s", path, strerror(errno));
		free(tmp);
		return ASEC_EIO;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, secret, len) != 0) {
		error_set("the random generator failed");
		result = ASEC_ERROR;
		goto out;
	}
	/* mkostemp already used 0600; said again so that no umask or libc
	 * difference can widen it. */
	if (fchmod(fd, 0600) != 0 || sb_write_all(fd, secret, len) != 0 || fsync(fd) != 0) {
		error_set("writing the %s %s: %s", what, tmp, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		error_set("writing the %s %s: %s", what, tmp, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	fd = -1;
	result = sb_publish(tmp, path, what);
	if (result == ASEC_OK)
		sb_sync_parent(path);
out:
	gnutls_memset(secret, 0, sizeof(secret));
	if (fd >= 0)
		close(fd);
	/* After a successful rename there is nothing left to remove. */
	if (result != ASEC_OK)
		unlink(tmp);
	free(tmp);
	return result;
}

int secretbox_keyfile_load_or_create(unsigned char *out, size_t len, const char *path, const char *what,
				     unsigned flags)
{
	int result;

	if (len == 0 || len > SECRETBOX_KEYFILE_MAX_LEN) {
		error_set("a key file holds 1 to %d bytes, not %zu", SECRETBOX_KEYFILE_MAX_LEN, len);
		return ASEC_EINVALID;
	}
	if (path == NULL || path[0] == '\0' || strnlen(path, PATH_MAX) >= PATH_MAX - 8) {
		error_set("the %s path is empty or too long", what);
		return ASEC_EINVALID;
	}
	result = sb_key_load(out, len, path, what, flags);
	if (result != ASEC_ENOTFOUND)
		return result;
	result = sb_key_create(len, path, what);
	if (result != ASEC_OK && result != ASEC_EEXISTS)
		return result;
	return sb_key_load(out, len, path, what, flags);
}

/* ---- keys ---- */

int secretbox_key_from_bytes(struct secretbox_key *out, const unsigned char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];

	memset(out, 0, sizeof(*out));
	if (bytes == NULL || len != SECRETBOX_KEY_LEN) {
		error_set("a secrets key is exactly %d bytes, not %zu", SECRETBOX_KEY_LEN, len);
		return ASEC_EINVALID;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, bytes, len, digest) != 0) {
		error_set("SHA-256 failed");
		return ASEC_ERROR;
	}
	memcpy(out->bytes, bytes, len);
	for (int i = 0; i < SECRETBOX_KEY_ID_LEN / 2; i++) {
		out->id[2 * i] = hex[digest[i] >> 4];
		out->id[2 * i + 1] = hex[digest[i] & 15];
	}
	out->id[SECRETBOX_KEY_ID_LEN] = '\0';
	return ASEC_OK;
}

int secretbox_key_load_or_create(struct secretbox_key *out, const char *path)
{
	unsigned char bytes[SECRETBOX_KEY_LEN];
	int result;

	memset(out, 0, sizeof(*out));
	result = secretbox_keyfile_load_or_create(bytes, sizeof(bytes), path, "secrets key", SECRETBOX_KEYFILE_TEXT);
	if (result == ASEC_OK)
		result = secretbox_key_from_bytes(out, bytes, sizeof(bytes));
	gnutls_memset(bytes, 0, sizeof(bytes));
	return result;
}

void secretbox_key_wipe(struct secretbox_key *key)
{
	if (key)
		gnutls_memset(key, 0, sizeof(*key));
}

/* ---- sealing ---- */

static int sb_cipher(gnutls_aead_cipher_hd_t *h, const struct secretbox_key *key)
{
	gnutls_datum_t k = {(unsigned char *)key->bytes, SECRETBOX_KEY_LEN};

	if (gnutls_aead_cipher_init(h, GNUTLS_CIPHER_AES_256_GCM, &k) != 0) {
		error_set("AES-256-GCM is not available from GnuTLS");
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

int secretbox_seal(char **out, const struct secretbox_key *key, const void *plain, size_t len, const char *aad)
{
	gnutls_aead_cipher_hd_t h = NULL;
	unsigned char *raw = NULL;
	gnutls_datum_t in, b64 = {NULL, 0};
	size_t raw_len = SB_NONCE_LEN + len + SB_TAG_LEN, ct_len = len + SB_TAG_LEN;
	int rc;

	*out = NULL;
	if (len > SECRETBOX_MAX_PLAIN) {
		error_set("a secret is at most %d bytes, not %zu", SECRETBOX_MAX_PLAIN, len);
		return ASEC_ETOOBIG;
	}
	if (!aad)
		aad = "";
	if (!(raw = malloc(raw_len))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, raw, SB_NONCE_LEN) != 0) {
		error_set("the random generator failed");
		rc = ASEC_ERROR;
		goto out;
	}
	if ((rc = sb_cipher(&h, key)))
		goto out;
	/* GnuTLS wants a non-NULL plain text even when it is empty. */
	if (gnutls_aead_cipher_encrypt(h, raw, SB_NONCE_LEN, aad, strlen(aad), SB_TAG_LEN, len ? plain : (const void *)"",
				       len, raw + SB_NONCE_LEN, &ct_len) != 0 ||
	    ct_len != len + SB_TAG_LEN) {
		error_set("AES-256-GCM encryption failed");
		rc = ASEC_ERROR;
		goto out;
	}
	in.data = raw;
	in.size = (unsigned)raw_len;
	if (gnutls_base64_encode2(&in, &b64) != 0) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	if (asprintf(out, SB_PREFIX "%s:%.*s", key->id, (int)b64.size, (const char *)b64.data) < 0) {
		*out = NULL;
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = ASEC_OK;
out:
	if (h)
		gnutls_aead_cipher_deinit(h);
	gnutls_free(b64.data);
	free(raw);
	return rc;
}

/* Largest sealed text secretbox_seal() can make, with room to spare. */
#define SB_SEALED_MAX (SB_PREFIX_LEN + SECRETBOX_KEY_ID_LEN + 1 + \
		       (SB_NONCE_LEN + SECRETBOX_MAX_PLAIN + SB_TAG_LEN + 2) / 3 * 4 + 4)

int secretbox_open(char **out, size_t *out_len, const struct secretbox_key *key, const char *sealed, const char *aad)
{
	gnutls_aead_cipher_hd_t h = NULL;
	gnutls_datum_t in, raw = {NULL, 0};
	const char *id, *body;
	char *plain = NULL;
	size_t sealed_len, plain_len = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!aad)
		aad = "";
	sealed_len = sealed ? strnlen(sealed, SB_SEALED_MAX + 1) : 0;
	if (sealed_len > SB_SEALED_MAX || sealed_len < SB_PREFIX_LEN + SECRETBOX_KEY_ID_LEN + 1 ||
	    memcmp(sealed, SB_PREFIX, SB_PREFIX_LEN) != 0 || sealed[SB_PREFIX_LEN + SECRETBOX_KEY_ID_LEN] != ':') {
		error_set("not a sealed secret (v1:<key id>:<base64>)");
		return ASEC_EINVALID;
	}
	id = sealed + SB_PREFIX_LEN;
	for (int i = 0; i < SECRETBOX_KEY_ID_LEN; i++) {
		if (sb_hex_value((unsigned char)id[i]) < 0 || (id[i] >= 'A' && id[i] <= 'F')) {
			error_set("not a sealed secret: the key id is not %d lower-case hex digits", SECRETBOX_KEY_ID_LEN);
			return ASEC_EINVALID;
		}
	}
	body = id + SECRETBOX_KEY_ID_LEN + 1;
	for (const char *p = body; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t') {
			error_set("not a sealed secret: white space in its base64");
			return ASEC_EINVALID;
		}
	}
	in.data = (unsigned char *)body;
	in.size = (unsigned)(sealed_len - (size_t)(body - sealed));
	if (in.size == 0 || gnutls_base64_decode2(&in, &raw) != 0 || raw.size < SB_NONCE_LEN + SB_TAG_LEN) {
		error_set("not a sealed secret: its body is not base64 of a nonce, cipher text and tag");
		rc = ASEC_EINVALID;
		goto out;
	}
	if (memcmp(id, key->id, SECRETBOX_KEY_ID_LEN) != 0) {
		error_set("the secret was sealed with key %.*s, but the installation's secrets key is %s: the "
			  "secrets key file was replaced or belongs to another installation",
			  SECRETBOX_KEY_ID_LEN, id, key->id);
		rc = ASEC_EAUTH;
		goto out;
	}
	plain_len = raw.size - SB_NONCE_LEN - SB_TAG_LEN;
	/* One byte more for the NUL, and never malloc(0). */
	if (!(plain = malloc(plain_len + 1))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = sb_cipher(&h, key)))
		goto out;
	{
		size_t got = plain_len + 1;

		if (gnutls_aead_cipher_decrypt(h, raw.data, SB_NONCE_LEN, aad, strlen(aad), SB_TAG_LEN,
					       raw.data + SB_NONCE_LEN, raw.size - SB_NONCE_LEN, plain, &got) != 0 ||
		    got != plain_len) {
			error_set("the sealed secret does not open: it was altered, or it belongs to another record");
			rc = ASEC_EAUTH;
			goto out;
		}
	}
	plain[plain_len] = '\0';
	*out = plain;
	*out_len = plain_len;
	plain = NULL;
	rc = ASEC_OK;
out:
	if (h)
		gnutls_aead_cipher_deinit(h);
	if (plain) {
		gnutls_memset(plain, 0, plain_len + 1);
		free(plain);
	}
	if (raw.data) {
		gnutls_memset(raw.data, 0, raw.size);
		gnutls_free(raw.data);
	}
	return rc;
}

void secretbox_free(char *plain, size_t len)
{
	if (plain) {
		gnutls_memset(plain, 0, len);
		free(plain);
	}
}
