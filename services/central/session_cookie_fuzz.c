/*
 * session_cookie_fuzz.c - central_cookie_fuzz: session_cookie_find() on any
 * Cookie header, and the same-origin test on the same bytes.
 *
 * The header is the one part of a session a stranger fully controls. What
 * must hold for every input: no read past the header (ASan), a found value
 * is exactly SESSION_TOKEN_LEN base64url characters and occurs in the
 * header, and anything but ASEC_OK leaves the output empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "session_cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[SESSION_TOKEN_LEN + 1], *header = malloc(size + 1);
	const char *host;
	size_t i;
	int rc;

	if (!header)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	rc = session_cookie_find(out, header);
	if (rc == ASEC_OK) {
		if (strlen(out) != SESSION_TOKEN_LEN || !strstr(header, out))
			abort();
		for (i = 0; i < SESSION_TOKEN_LEN; i++) {
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", out[i]))
				abort();
		}
	} else if (out[0] || (rc != ASEC_ENOTFOUND && rc != ASEC_EINVALID)) {
		abort();
	}
	/* the header's text before its first NUL as Origin, the rest as Host */
	host = header + strlen(header) + (strlen(header) < size ? 1 : 0);
	(void)session_origin_check(header, host, header);
	free(header);
	return 0;
}
