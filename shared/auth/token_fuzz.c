/*
 * token_fuzz.c - libFuzzer target for the code that reads credentials from
 * requests: auth_token_verify() above all, and the Authorization header
 * splitters.
 *
 * Besides "no crash", it checks the property that makes a token a token: the
 * key is fixed (bytes 0..31, kid 630dcd29), so any input verify accepts must
 * be a string auth_token_sign() itself produced - re-signing the returned
 * claims has to give back the input byte for byte. An accepted input that
 * differs would be a second spelling of a token, or a forgery.
 *
 * The property holds only because nothing but auth_token_sign() ever MACs a
 * token with this key: the seeds in tests/fuzz/corpus/token_fuzz are
 * auth_token_sign() output (so mutations start past the MAC and reach the
 * claims and time checks), plus tokens with a valid MAC over headers or
 * claims that verify must refuse. A hand-MACed token that verify accepts
 * (say, with members in another order) must never be added as a seed.
 *
 * The input is tried as a token as given and, after a Bearer scheme, as the
 * token that follows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Within every seed's iat .. exp window. */
#define FUZZ_NOW 1700000000

static void check_token(const char *token, const struct auth_key *key)
{
	struct auth_token_claims claims;
	char *again = NULL;

	if (auth_token_verify(&claims, token, key, 1, FUZZ_NOW) != 0)
		return;
	if (auth_token_sign(&again, &claims, key) != 0 || strcmp(again, token) != 0) {
		fprintf(stderr, "accepted a token that does not re-sign to itself:\n%s\n%s\n",
			token, again ? again : "(sign failed)");
		abort();
	}
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct auth_key key;
	static int ready;
	char *text, *user = NULL, *password = NULL;
	const char *bearer;

	if (!ready) {
		unsigned char bytes[AUTH_KEY_SIZE];
		for (int i = 0; i < AUTH_KEY_SIZE; i++)
			bytes[i] = (unsigned char)i;
		if (auth_key_from_bytes(&key, bytes, sizeof(bytes)) != 0)
			abort();
		ready = 1;
	}
	if (size > 2 * AUTH_TOKEN_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* an embedded NUL just ends the string early */

	check_token(text, &key);
	if (auth_bearer_parse(&bearer, text) == 0)
		check_token(bearer, &key);
	if (auth_basic_parse(&user, &password, text) == 0) {
		if (user[0] == '\0' || password[0] == '\0')
			abort();
		free(user);
		free(password);
	}
	free(text);
	return 0;
}
