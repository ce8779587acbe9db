/*
 * secretbox_fuzz.c - secretbox_open() on arbitrary text: a sealed value is
 * read from the database, which a restored or hand-edited dump may have
 * changed. Nothing may crash or read out of bounds; only a value that seals
 * and opens again may succeed, and what was sealed must open to itself.
 *
 * The input's first byte picks the aad; the rest is tried as a sealed text
 * as is, and also sealed and opened as a plain secret.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "secretbox/secretbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secretbox_key key;
	static int ready;
	const char *aad = size && (data[0] & 1) ? "6a1c0d4e-0000-4000-8000-000000000001" : "";
	char *text, *plain = NULL, *sealed = NULL;
	size_t len = 0;

	if (!ready) {
		unsigned char bytes[SECRETBOX_KEY_LEN];

		/* the key of the seeds: bytes 0..31 */
		for (size_t i = 0; i < sizeof(bytes); i++)
			bytes[i] = (unsigned char)i;
		if (secretbox_key_from_bytes(&key, bytes, sizeof(bytes)) != ASEC_OK)
			abort();
		ready = 1;
	}
	if (size == 0 || size > SECRETBOX_MAX_PLAIN)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (secretbox_open(&plain, &len, &key, text, aad) == ASEC_OK) {
		if (strlen(plain) > len)
			abort();
		secretbox_free(plain, len);
	}

	if (secretbox_seal(&sealed, &key, data + 1, size - 1, aad) != ASEC_OK)
		abort();
	if (secretbox_open(&plain, &len, &key, sealed, aad) != ASEC_OK || len != size - 1 ||
	    memcmp(plain, data + 1, len) != 0)
		abort();
	secretbox_free(plain, len);
	free(sealed);
	free(text);
	return 0;
}
