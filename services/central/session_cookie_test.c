/*
 * session_cookie_test.c - the pure parts of the portal's sessions: cookie
 * values, the Cookie header parser, CSRF tokens and the same-origin test
 * (session_cookie.h).
 *
 * The CSRF and hash vectors were computed apart from this code (Python's
 * hmac and hashlib), so a change of the construction - the label, its NUL,
 * the encoding - fails here rather than silently logging every portal user
 * out at the next upgrade.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error/error.h"
#include "session_cookie.h"

#define VALUE_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define VALUE_B "Zm9v-_barBAZ0123456789abcdefghijklmnopqrstu"

static void base64url_vectors(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} rows[] = {
		{"", 0, ""},           {"f", 1, "Zg"},         {"fo", 2, "Zm8"},       {"foo", 3, "Zm9v"},
		{"foob", 4, "Zm9vYg"}, {"fooba", 5, "Zm9vYmE"}, {"foobar", 6, "Zm9vYmFy"}, {"\xfb\xff", 2, "-_8"},
	};
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		session_base64url(out, (const unsigned char *)rows[i].in, rows[i].len);
		assert_string_equal(out, rows[i].out);
	}
}

static void new_tokens(void **state)
{
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1], found[SESSION_TOKEN_LEN + 1], header[128];

	(void)state;
	assert_int_equal(session_token_new(a), ASEC_OK);
	assert_int_equal(session_token_new(b), ASEC_OK);
	assert_int_equal(strlen(a), SESSION_TOKEN_LEN);
	assert_string_not_equal(a, b);
	/* what we issue, we read back */
	snprintf(header, sizeof(header), "%s=%s", SESSION_COOKIE_NAME, a);
	assert_int_equal(session_cookie_find(found, header), ASEC_OK);
	assert_string_equal(found, a);
}

static void hash_vector(void **state)
{
	static const unsigned char want[SESSION_HASH_BYTES] = {
		0x0f, 0x00, 0x73, 0x85, 0xb6, 0xf9, 0xd4, 0xb7, 0xee, 0xb2, 0x74, 0x86, 0x05, 0xaf, 0xe1, 0xa9,
		0x84, 0xa0, 0xa3, 0xbf, 0xa3, 0xf0, 0x14, 0xd0, 0x9e, 0x2a, 0x78, 0x4c, 0xe9, 0xe5, 0xcd, 0x1a,
	};
	unsigned char got[SESSION_HASH_BYTES];

	(void)state;
	assert_int_equal(session_token_hash(got, VALUE_A), ASEC_OK);
	assert_memory_equal(got, want, sizeof(want));
}

static void cookie_headers(void **state)
{
	static const struct {
		const char *header;
		int rc;
		const char *value;
	} rows[] = {
		{"__Host-asec_session=" VALUE_A, ASEC_OK, VALUE_A},
		{"theme=dark; __Host-asec_session=" VALUE_B "; lang=en", ASEC_OK, VALUE_B},
		{"theme=dark;__Host-asec_session=" VALUE_B, ASEC_OK, VALUE_B},
		{"  __Host-asec_session=" VALUE_A "  ;", ASEC_OK, VALUE_A},
		{"a=1; \t__Host-asec_session=\"" VALUE_A "\"", ASEC_OK, VALUE_A},
		{";;; __Host-asec_session=" VALUE_A, ASEC_OK, VALUE_A},
		{"noequals; __Host-asec_session=" VALUE_A, ASEC_OK, VALUE_A},
		/* others' cookies whose names only look alike */
		{"x__Host-asec_session=" VALUE_A, ASEC_ENOTFOUND, ""},
		{"__Host-asec_session2=" VALUE_A, ASEC_ENOTFOUND, ""},
		{"asec_sessio=" VALUE_A, ASEC_ENOTFOUND, ""},
		{"ASEC_SESSION=" VALUE_A, ASEC_ENOTFOUND, ""},
		{"__Host-asec_session =" VALUE_A, ASEC_ENOTFOUND, ""},
		{"", ASEC_ENOTFOUND, ""},
		{"theme=dark", ASEC_ENOTFOUND, ""},
		{"__Host-asec_session", ASEC_ENOTFOUND, ""},
		/* ours, but not what central issues */
		{"__Host-asec_session=", ASEC_EINVALID, ""},
		{"__Host-asec_session=" VALUE_A "A", ASEC_EINVALID, ""},
		{"__Host-asec_session=" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ASEC_EINVALID, ""},
		{"__Host-asec_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ASEC_EINVALID, ""},
		{"__Host-asec_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", ASEC_EINVALID, ""},
		{"__Host-asec_session=AAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA", ASEC_EINVALID, ""},
		{"__Host-asec_session=\"" VALUE_A, ASEC_EINVALID, ""},
		/* twice, even the same value: a planted cookie must not choose */
		{"__Host-asec_session=" VALUE_A "; __Host-asec_session=" VALUE_B, ASEC_EINVALID, ""},
		{"__Host-asec_session=" VALUE_A "; __Host-asec_session=" VALUE_A, ASEC_EINVALID, ""},
		{"__Host-asec_session=bad; __Host-asec_session=" VALUE_A, ASEC_EINVALID, ""},
	};
	char out[SESSION_TOKEN_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = session_cookie_find(out, rows[i].header);
		if (rc != rows[i].rc || strcmp(out, rows[i].value) != 0)
			fail_msg("row %zu (%s): got %d \"%s\", expected %d \"%s\"", i, rows[i].header, rc, out, rows[i].rc,
				 rows[i].value);
		/* an error never quotes the value: it is a bearer secret */
		if (rc == ASEC_EINVALID)
			assert_null(strstr(error_last(), "AAAAAAAAAA"));
	}
	assert_int_equal(session_cookie_find(out, NULL), ASEC_ENOTFOUND);
}

static void cookie_header_bound(void **state)
{
	char *header = malloc(SESSION_COOKIE_HEADER_MAX + 2);
	char out[SESSION_TOKEN_LEN + 1];
	size_t prefix = SESSION_COOKIE_HEADER_MAX - strlen("; __Host-asec_session=" VALUE_A);

	(void)state;
	assert_non_null(header);
	/* exactly the limit: read */
	memset(header, 'x', prefix);
	header[0] = 'p';
	header[1] = '=';
	snprintf(header + prefix, SESSION_COOKIE_HEADER_MAX + 2 - prefix, "; __Host-asec_session=" VALUE_A);
	assert_int_equal(strlen(header), SESSION_COOKIE_HEADER_MAX);
	assert_int_equal(session_cookie_find(out, header), ASEC_OK);
	assert_string_equal(out, VALUE_A);
	/* one byte more: not read at all */
	memmove(header + 1, header, SESSION_COOKIE_HEADER_MAX + 1);
	header[0] = 'p';
	assert_int_equal(session_cookie_find(out, header), ASEC_EINVALID);
	assert_string_equal(out, "");
	free(header);
}

static void csrf_tokens(void **state)
{
	unsigned char key[32], other[32];
	char a[SESSION_CSRF_LEN + 1], b[SESSION_CSRF_LEN + 1], c[SESSION_CSRF_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++) {
		key[i] = (unsigned char)(i + 1);
		other[i] = (unsigned char)(i + 2);
	}
	assert_int_equal(session_csrf_compute(a, key, sizeof(key), "00000000-0000-4000-8000-000000000000"), ASEC_OK);
	assert_string_equal(a, "_-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5lA");
	/* deterministic, and bound to the session and the key */
	assert_int_equal(session_csrf_compute(b, key, sizeof(key), "00000000-0000-4000-8000-000000000000"), ASEC_OK);
	assert_string_equal(a, b);
	assert_int_equal(session_csrf_compute(b, key, sizeof(key), "00000000-0000-4000-8000-000000000001"), ASEC_OK);
	assert_string_not_equal(a, b);
	assert_int_equal(session_csrf_compute(c, other, sizeof(other), "00000000-0000-4000-8000-000000000000"), ASEC_OK);
	assert_string_not_equal(a, c);

	assert_true(session_csrf_equal(a, "_-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5lA"));
	assert_false(session_csrf_equal(a, "A-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5lA"));
	assert_false(session_csrf_equal(a, "_-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5lB"));
	assert_false(session_csrf_equal(a, "_-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5l"));
	assert_false(session_csrf_equal(a, "_-r0lTAcqxS_fdhZdW4dnYFrfFSm6buGmo0wkvlL5lAA"));
	assert_false(session_csrf_equal(a, ""));
	assert_false(session_csrf_equal(a, NULL));
	assert_false(session_csrf_equal(a, b));
}

static void origins(void **state)
{
	static const struct {
		const char *origin, *host, *site;
		int ok;
	} rows[] = {
		{NULL, "central.example.com", NULL, 1},
		{NULL, NULL, NULL, 1},
		{"https://central.example.com", "central.example.com", NULL, 1},
		{"https://Central.Example.com", "central.example.COM", "same-origin", 1},
		{"https://127.0.0.1:8443", "127.0.0.1:8443", "same-origin", 1},
		{NULL, "127.0.0.1:8443", "same-site", 1},
		{NULL, "127.0.0.1:8443", "none", 1},
		{"http://central.example.com", "central.example.com", NULL, 0},
		{"https://evil.example", "central.example.com", NULL, 0},
		{"https://central.example.com.evil.example", "central.example.com", NULL, 0},
		{"https://central.example.com:444", "central.example.com", NULL, 0},
		{"null", "central.example.com", NULL, 0},
		{"", "central.example.com", NULL, 0},
		{"https://central.example.com", NULL, NULL, 0},
		{"https://", "", NULL, 0},
		{NULL, "central.example.com", "cross-site", 0},
		{"https://central.example.com", "central.example.com", "Cross-Site", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = session_origin_check(rows[i].origin, rows[i].host, rows[i].site);
		if ((rc == ASEC_OK) != rows[i].ok)
			fail_msg("row %zu: Origin %s, Host %s, Sec-Fetch-Site %s: got %d", i, rows[i].origin ? rows[i].origin : "-",
				 rows[i].host ? rows[i].host : "-", rows[i].site ? rows[i].site : "-", rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64url_vectors), cmocka_unit_test(new_tokens),
		cmocka_unit_test(hash_vector),       cmocka_unit_test(cookie_headers),
		cmocka_unit_test(cookie_header_bound), cmocka_unit_test(csrf_tokens),
		cmocka_unit_test(origins),
	};

	return cmocka_run_group_tests_name("central session cookies", tests, NULL, NULL);
}
