/*
 * secretbox.h - secrets encrypted at rest: AES-256-GCM under a key file of
 * the installation's secrets.
 *
 * Central keeps registry passwords (and, later, notifier tokens) in its
 * database; a copy of the database (a backup, a dump handed to support) must
 * not give them away. Each secret is sealed with a fresh random 96-bit nonce
 * under a 256-bit key that lives in a file outside the database, and bound to
 * the row it belongs to by additional authenticated data (e.g. the
 * integration's id), so a sealed value moved to another row does not open.
 *
 * The sealed text is printable so that it fits a text column:
 *   "v1:" <key id> ":" base64(nonce(12) | ciphertext | tag(16))
 * The key id (16 hex digits, from SHA-256 of the key) names the key that
 * sealed it, so that a wrong or rotated key file is reported as such rather
 * than as corrupt data.
 */
#ifndef ASEC_SECRETBOX_H
#define ASEC_SECRETBOX_H

#include <stddef.h>

#define SECRETBOX_KEY_LEN 32
#define SECRETBOX_KEY_ID_LEN 16
/* Largest secret accepted by secretbox_seal(). */
#define SECRETBOX_MAX_PLAIN (64 * 1024)

struct secretbox_key {
	unsigned char bytes[SECRETBOX_KEY_LEN];
	char id[SECRETBOX_KEY_ID_LEN + 1];
};

/* Reads the key from path (exactly SECRETBOX_KEY_LEN bytes, or its hex or
 * base64 text with an optional trailing newline), or creates it (random raw
 * bytes, mode 0600, written atomically) when the file does not exist. A file
 * of any other content, readable by others, or writable by anyone but its
 * owner is refused (ASEC_EINVALID); group read is allowed for Kubernetes'
 * fsGroup pattern (0440 root:<fsGroup>), as for shared/auth's token key. */
int secretbox_key_load_or_create(struct secretbox_key *out, const char *path);

/* The key-file mechanics, shared with shared/auth's token signing key: reads
 * exactly len (1..SECRETBOX_KEYFILE_MAX_LEN) secret bytes from path, or
 * creates the file with len random bytes when it does not exist - atomically
 * and without ever replacing a file, so that replicas starting together all
 * end up with the one key that won. what names the key in messages ("token
 * signing key"). With SECRETBOX_KEYFILE_TEXT the file may also hold the
 * bytes' hex or base64 text (one line). Permissions as above. */
#define SECRETBOX_KEYFILE_MAX_LEN 64
#define SECRETBOX_KEYFILE_TEXT 1u
int secretbox_keyfile_load_or_create(unsigned char *out, size_t len, const char *path, const char *what,
				     unsigned flags);

/* A key from raw bytes (tests, key rotation tools). */
int secretbox_key_from_bytes(struct secretbox_key *out, const unsigned char *bytes, size_t len);

/* Seals len bytes of plain bound to aad (a NUL-terminated string, may be
 * "") into *out (free() it). ASEC_ETOOBIG past SECRETBOX_MAX_PLAIN. */
int secretbox_seal(char **out, const struct secretbox_key *key, const void *plain, size_t len, const char *aad);

/* Opens a sealed text into *out (NUL-terminated, *out_len without the NUL;
 * wipe with secretbox_free()). ASEC_EINVALID for a text that is not a
 * sealed value; ASEC_EAUTH when it was sealed by another key (the message
 * names both key ids) or it or its aad was tampered with. */
int secretbox_open(char **out, size_t *out_len, const struct secretbox_key *key, const char *sealed, const char *aad);

/* Wipes and frees what secretbox_open() returned; NULL is allowed. */
void secretbox_free(char *plain, size_t len);

void secretbox_key_wipe(struct secretbox_key *key);

#endif
