/*
 * key.c - the HMAC key that signs API tokens, kept in a file beside
 * central's data.
 *
 * The first start creates the key; every later start, and every other
 * replica sharing the volume, must read the same one, or all issued tokens
 * stop working. So creation writes a private temporary file (mkostemp: 0600,
 * O_EXCL), syncs it, and moves it into place with a rename that refuses to
 * replace anything (renameat2 RENAME_NOREPLACE, or link() where the file
 * system lacks it). The loser of a race drops its key and reads the
 * winner's. Nobody ever sees a half-written key file.
 *
 * Reading does follow symbolic links, because Kubernetes mounts secrets as
 * links into a ..data directory. It refuses files that others may read and
 * files that group or others may write; group read stays allowed for the
 * fsGroup pattern (0440 root:<fsGroup>) a pod uses to read a mounted secret.
 */
#include "auth/auth.h"

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

int auth_key_from_bytes(struct auth_key *out, const unsigned char *secret, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];

	memset(out, 0, sizeof(*out));
	if (secret == NULL || len != AUTH_KEY_SIZE) {
		error_set("a token signing key is exactly %d bytes, not %zu", AUTH_KEY_SIZE, len);
		return ASEC_EINVALID;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, len, digest) != 0) {
		error_set("SHA-256 failed");
		return ASEC_ERROR;
	}
	memcpy(out->secret, secret, len);
	for (int i = 0; i < AUTH_KID_LEN / 2; i++) {
		out->kid[2 * i] = hex[digest[i] >> 4];
		out->kid[2 * i + 1] = hex[digest[i] & 15];
	}
	out->kid[AUTH_KID_LEN] = '\0';
	return ASEC_OK;
}

void auth_key_wipe(struct auth_key *key)
{
	if (key)
		gnutls_memset(key, 0, sizeof(*key));
}

static int read_all(int fd, unsigned char *buf, size_t len)
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

static int write_all(int fd, const unsigned char *buf, size_t len)
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

/* ASEC_ENOTFOUND when there is no file at path yet. */
static int key_load(struct auth_key *out, const char *path)
{
	unsigned char secret[AUTH_KEY_SIZE];
	struct stat st;
	int fd, result;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error_set("opening the token signing key %s: %s", path, strerror(errno));
		return errno == ENOENT ? ASEC_ENOTFOUND : ASEC_EIO;
	}
	if (fstat(fd, &st) != 0) {
		error_set("%s: %s", path, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("the token signing key %s is not a regular file", path);
		result = ASEC_EINVALID;
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IRWXO)) {
		error_set("the token signing key %s has mode %04o, which lets others read it or "
			  "someone besides its owner write it; chmod 600 it",
			  path, (unsigned)(st.st_mode & 07777));
		result = ASEC_EINVALID;
		goto out;
	}
	if (st.st_size != AUTH_KEY_SIZE) {
		error_set("the token signing key %s holds %lld bytes, not %d",
			  path, (long long)st.st_size, AUTH_KEY_SIZE);
		result = ASEC_EINVALID;
		goto out;
	}
	if (read_all(fd, secret, sizeof(secret)) != 0) {
		error_set("reading the token signing key %s failed", path);
		result = ASEC_EIO;
		goto out;
	}
	result = auth_key_from_bytes(out, secret, sizeof(secret));
out:
	gnutls_memset(secret, 0, sizeof(secret));
	close(fd);
	return result;
}

/* Makes the directory entry itself durable; failure here only weakens the
 * crash guarantee, so it is not an error. */
static void sync_parent(const char *path)
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
static int publish(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return ASEC_OK;
	if (errno == EEXIST)
		return ASEC_EEXISTS;
	if (errno != EINVAL && errno != ENOSYS) {
		error_set("moving the new token signing key to %s: %s", path, strerror(errno));
		return ASEC_EIO;
	}
	/* File systems without RENAME_NOREPLACE: link() never replaces either. */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			return ASEC_EEXISTS;
		error_set("linking the new token signing key to %s: %s", path, strerror(errno));
		return ASEC_EIO;
	}
	unlink(tmp);
	return ASEC_OK;
}

/* Creates the key file; ASEC_EEXISTS when another process got there first. */
static int key_create(const char *path)
{
	unsigned char secret[AUTH_KEY_SIZE];
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
	if (gnutls_rnd(GNUTLS_RND_KEY, secret, sizeof(secret)) != 0) {
		error_set("the random generator failed");
		result = ASEC_ERROR;
		goto out;
	}
	/* mkostemp already used 0600; said again so that no umask or libc
	 * difference can widen it. */
	if (fchmod(fd, 0600) != 0 || write_all(fd, secret, sizeof(secret)) != 0 || fsync(fd) != 0) {
		error_set("writing the token signing key %s: %s", tmp, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		error_set("writing the token signing key %s: %s", tmp, strerror(errno));
		result = ASEC_EIO;
		goto out;
	}
	fd = -1;
	result = publish(tmp, path);
	if (result == ASEC_OK)
		sync_parent(path);
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

int auth_key_load_or_create(struct auth_key *out, const char *path)
{
	int result;

	memset(out, 0, sizeof(*out));
	if (path == NULL || path[0] == '\0' || strnlen(path, PATH_MAX) >= PATH_MAX - 8) {
		error_set("the token signing key path is empty or too long");
		return ASEC_EINVALID;
	}
	result = key_load(out, path);
	if (result != ASEC_ENOTFOUND)
		return result;
	result = key_create(path);
	if (result != ASEC_OK && result != ASEC_EEXISTS)
		return result;
	return key_load(out, path);
}
