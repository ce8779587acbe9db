/*
 * secretbox_test.c - sealing round trips, binding to the aad, tampering,
 * wrong keys, malformed sealed texts, and the key file (raw, hex, base64,
 * permissions, atomic creation by racing processes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error/error.h"
#include "secretbox/secretbox.h"

static void key_fixed(struct secretbox_key *key, unsigned char first)
{
	unsigned char bytes[SECRETBOX_KEY_LEN];

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(first + i);
	assert_int_equal(secretbox_key_from_bytes(key, bytes, sizeof(bytes)), ASEC_OK);
}

static void test_round_trip(void **state)
{
	struct secretbox_key key;
	char *sealed = NULL, *again = NULL, *plain = NULL;
	size_t len = 0;
	const char *secret = "s3cret-p\xc3\xa4ssword";

	(void)state;
	key_fixed(&key, 1);
	assert_int_equal(strlen(key.id), SECRETBOX_KEY_ID_LEN);
	assert_int_equal(secretbox_seal(&sealed, &key, secret, strlen(secret), "row-1"), ASEC_OK);
	/* the documented form, and no trace of the clear text */
	assert_int_equal(strncmp(sealed, "v1:", 3), 0);
	assert_memory_equal(sealed + 3, key.id, SECRETBOX_KEY_ID_LEN);
	assert_int_equal(sealed[3 + SECRETBOX_KEY_ID_LEN], ':');
	assert_null(strstr(sealed, "s3cret"));
	for (const char *p = sealed; *p; p++)
		assert_true(*p > ' ' && *p < 0x7f);

	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, "row-1"), ASEC_OK);
	assert_int_equal(len, strlen(secret));
	assert_string_equal(plain, secret);
	secretbox_free(plain, len);

	/* a fresh nonce each time: the same secret never seals the same way */
	assert_int_equal(secretbox_seal(&again, &key, secret, strlen(secret), "row-1"), ASEC_OK);
	assert_string_not_equal(sealed, again);
	free(again);
	free(sealed);

	/* empty secret and empty aad (NULL means "") */
	assert_int_equal(secretbox_seal(&sealed, &key, "", 0, NULL), ASEC_OK);
	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, ""), ASEC_OK);
	assert_int_equal(len, 0);
	assert_string_equal(plain, "");
	secretbox_free(plain, len);
	free(sealed);
}

static void test_binary_and_limits(void **state)
{
	struct secretbox_key key;
	unsigned char *big = malloc(SECRETBOX_MAX_PLAIN + 1);
	char *sealed = NULL, *plain = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(big);
	key_fixed(&key, 7);
	for (size_t i = 0; i <= SECRETBOX_MAX_PLAIN; i++)
		big[i] = (unsigned char)(i * 31);
	assert_int_equal(secretbox_seal(&sealed, &key, big, SECRETBOX_MAX_PLAIN + 1, "x"), ASEC_ETOOBIG);
	assert_null(sealed);
	assert_int_equal(secretbox_seal(&sealed, &key, big, SECRETBOX_MAX_PLAIN, "x"), ASEC_OK);
	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, "x"), ASEC_OK);
	assert_int_equal(len, SECRETBOX_MAX_PLAIN);
	assert_memory_equal(plain, big, SECRETBOX_MAX_PLAIN);
	secretbox_free(plain, len);
	free(sealed);
	free(big);
}

static void test_bound_to_aad(void **state)
{
	struct secretbox_key key;
	char *sealed = NULL, *plain = NULL;
	size_t len = 0;

	(void)state;
	key_fixed(&key, 3);
	assert_int_equal(secretbox_seal(&sealed, &key, "pw", 2, "6a1c0d4e-0000-4000-8000-000000000001"), ASEC_OK);
	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, "6a1c0d4e-0000-4000-8000-000000000002"), ASEC_EAUTH);
	assert_null(plain);
	assert_non_null(strstr(error_last(), "another record"));
	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, ""), ASEC_EAUTH);
	free(sealed);
}

static void test_tampering(void **state)
{
	struct secretbox_key key;
	char *sealed = NULL, *plain = NULL;
	size_t len = 0, n;
	const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	(void)state;
	key_fixed(&key, 9);
	assert_int_equal(secretbox_seal(&sealed, &key, "hunter2hunter2", 14, "a"), ASEC_OK);
	n = strlen(sealed);
	/* Change every base64 character of the body in turn: each change
	 * either alters the bytes (the tag fails) or is not base64 at all. */
	for (size_t i = 3 + SECRETBOX_KEY_ID_LEN + 1; i < n; i++) {
		char saved = sealed[i];
		int rc;

		if (saved == '=')
			continue;
		sealed[i] = strchr(b64, saved)[1] ? strchr(b64, saved)[1] : 'A';
		rc = secretbox_open(&plain, &len, &key, sealed, "a");
		assert_true(rc == ASEC_EAUTH || rc == ASEC_EINVALID);
		assert_null(plain);
		sealed[i] = saved;
	}
	assert_int_equal(secretbox_open(&plain, &len, &key, sealed, "a"), ASEC_OK);
	secretbox_free(plain, len);
	free(sealed);
}

static void test_wrong_key(void **state)
{
	struct secretbox_key a, b, forged;
	char *sealed = NULL, *plain = NULL, *relabelled = NULL;
	size_t len = 0;

	(void)state;
	key_fixed(&a, 1);
	key_fixed(&b, 2);
	assert_string_not_equal(a.id, b.id);
	assert_int_equal(secretbox_seal(&sealed, &a, "pw", 2, "id"), ASEC_OK);
	assert_int_equal(secretbox_open(&plain, &len, &b, sealed, "id"), ASEC_EAUTH);
	/* the message names both keys, so an operator sees the key file changed */
	assert_non_null(strstr(error_last(), a.id));
	assert_non_null(strstr(error_last(), b.id));

	/* A key whose id was made to match still cannot open it. */
	forged = b;
	memcpy(forged.id, a.id, sizeof(forged.id));
	assert_int_equal(secretbox_open(&plain, &len, &forged, sealed, "id"), ASEC_EAUTH);
	/* Nor does relabelling the value with the other key's id help. */
	relabelled = strdup(sealed);
	memcpy(relabelled + 3, b.id, SECRETBOX_KEY_ID_LEN);
	assert_int_equal(secretbox_open(&plain, &len, &b, relabelled, "id"), ASEC_EAUTH);
	assert_null(plain);
	free(relabelled);
	free(sealed);
	secretbox_key_wipe(&a);
	assert_int_equal(a.bytes[0], 0);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"v1:",
		"pw",
		"v2:0123456789abcdef:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"v1:0123456789abcdeX:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"v1:0123456789ABCDEF:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"v1:0123456789abcdef-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"v1:0123456789abcdef:",
		"v1:0123456789abcdef:AAAA",                          /* shorter than nonce + tag */
		"v1:0123456789abcdef:!!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"v1:0123456789abcdef:AAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct secretbox_key key;
	char *plain = NULL;
	size_t len = 0;

	(void)state;
	key_fixed(&key, 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(secretbox_open(&plain, &len, &key, bad[i], ""), ASEC_EINVALID);
		assert_null(plain);
	}
	assert_int_equal(secretbox_open(&plain, &len, &key, NULL, ""), ASEC_EINVALID);
	assert_int_equal(secretbox_key_from_bytes(&key, (const unsigned char *)"short", 5), ASEC_EINVALID);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/secretbox_test_XXXXXX", path[256], sub[300], text[200];
	struct secretbox_key a, b, c;
	struct stat st;
	char *sealed = NULL, *plain = NULL;
	size_t len = 0;
	static const char hex[] = "0123456789abcdef";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secrets.key", dir);
	assert_int_equal(secretbox_key_load_or_create(&a, path), ASEC_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, SECRETBOX_KEY_LEN);

	/* The same key on the next start: what it sealed still opens. */
	assert_int_equal(secretbox_seal(&sealed, &a, "pw", 2, "r"), ASEC_OK);
	assert_int_equal(secretbox_key_load_or_create(&b, path), ASEC_OK);
	assert_memory_equal(a.bytes, b.bytes, SECRETBOX_KEY_LEN);
	assert_string_equal(a.id, b.id);
	assert_int_equal(secretbox_open(&plain, &len, &b, sealed, "r"), ASEC_OK);
	secretbox_free(plain, len);
	free(sealed);

	/* The same bytes written as hex (with a newline) and as base64. */
	for (int i = 0; i < SECRETBOX_KEY_LEN; i++) {
		text[2 * i] = hex[a.bytes[i] >> 4];
		text[2 * i + 1] = hex[a.bytes[i] & 15];
	}
	text[2 * SECRETBOX_KEY_LEN] = '\n';
	unlink(path);
	write_file(path, text, 2 * SECRETBOX_KEY_LEN + 1, 0600);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_OK);
	assert_string_equal(c.id, a.id);
	{
		/* base64 of bytes 0..31 */
		unsigned char bytes[SECRETBOX_KEY_LEN];
		struct secretbox_key want;
		const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

		for (int i = 0; i < SECRETBOX_KEY_LEN; i++)
			bytes[i] = (unsigned char)i;
		assert_int_equal(secretbox_key_from_bytes(&want, bytes, sizeof(bytes)), ASEC_OK);
		write_file(path, b64, strlen(b64), 0400);
		assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_OK);
		assert_string_equal(c.id, want.id);
		/* group read (the fsGroup pattern) is allowed */
		assert_int_equal(chmod(path, 0440), 0);
		assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_OK);
	}

	/* Wider permissions are refused, and the file is never replaced. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "chmod 600"));
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_EINVALID);

	/* Wrong lengths and text that is not a key. */
	write_file(path, "short\n", 6, 0600);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_EINVALID);
	memset(text, 'z', 2 * SECRETBOX_KEY_LEN);
	write_file(path, text, 2 * SECRETBOX_KEY_LEN, 0600);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_EINVALID);
	write_file(path, "", 0, 0600);
	assert_int_equal(secretbox_key_load_or_create(&c, path), ASEC_EINVALID);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(path);

	snprintf(sub, sizeof(sub), "%s/adir", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(secretbox_key_load_or_create(&c, sub), ASEC_EINVALID);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/missing/secrets.key", dir);
	assert_int_equal(secretbox_key_load_or_create(&c, sub), ASEC_EIO);
	assert_int_equal(secretbox_key_load_or_create(&c, ""), ASEC_EINVALID);
	assert_int_equal(secretbox_key_load_or_create(&c, NULL), ASEC_EINVALID);
	assert_int_equal(rmdir(dir), 0);
}

static void test_key_file_race(void **state)
{
	char dir[] = "/tmp/secretbox_race_XXXXXX", path[256];
	char ids[6][SECRETBOX_KEY_ID_LEN + 1];
	int fds[6][2];
	pid_t pids[6];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secrets.key", dir);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct secretbox_key k;
			int ok = secretbox_key_load_or_create(&k, path) == ASEC_OK;
			ssize_t w = write(fds[i][1], ok ? k.id : "failed!!failed!!", SECRETBOX_KEY_ID_LEN);
			_exit(w == SECRETBOX_KEY_ID_LEN ? 0 : 1);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < 6; i++) {
		int status;

		assert_int_equal(read(fds[i][0], ids[i], SECRETBOX_KEY_ID_LEN), SECRETBOX_KEY_ID_LEN);
		ids[i][SECRETBOX_KEY_ID_LEN] = '\0';
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_string_equal(ids[i], ids[0]);
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_binary_and_limits),
		cmocka_unit_test(test_bound_to_aad),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_key_file_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
