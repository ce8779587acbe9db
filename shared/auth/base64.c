/*
 * base64.c - strict base64 and base64url for tokens and basic credentials.
 *
 * Written here rather than taken from GnuTLS because the strictness is the
 * point: a JWT must have one spelling only, otherwise the same signature can
 * be written several ways (the low bits of a last character are otherwise
 * ignored) and "is this the token we issued" stops being a string compare.
 * GnuTLS's decoder accepts padding, whitespace and non-zero spare bits.
 */
#include "auth/auth_internal.h"

#include <stdint.h>

static int b64_value(unsigned char c, enum auth_b64 form)
{
	int url = form == AUTH_B64_URL_NOPAD;

	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

size_t auth_b64_encoded_len(size_t len, enum auth_b64 form)
{
	if (form == AUTH_B64_STD_PAD)
		return (len + 2) / 3 * 4;
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}

void auth_b64_encode(char *out, const unsigned char *in, size_t len, enum auth_b64 form)
{
	const char *alphabet = form == AUTH_B64_URL_NOPAD
		? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0, o = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		if (form == AUTH_B64_STD_PAD) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		if (form == AUTH_B64_STD_PAD)
			out[o++] = '=';
	}
	out[o] = '\0';
}

int auth_b64_decode(unsigned char *out, size_t out_size, size_t *out_len,
		    const char *in, size_t len, enum auth_b64 form)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0, rest, need;

	*out_len = 0;
	if (form == AUTH_B64_STD_PAD) {
		if (len % 4 != 0)
			return -1;
		/* At most two '=' and only at the very end; any other '='
		 * fails as a foreign character below. */
		if (len > 0 && in[len - 1] == '=')
			len--;
		if (len > 0 && in[len - 1] == '=')
			len--;
	}
	rest = len % 4;
	if (rest == 1)
		return -1; /* six bits cannot end a byte string */
	need = len / 4 * 3 + (rest ? rest - 1 : 0);
	if (need > out_size)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i], form);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1; /* spare bits set: a second spelling of the same bytes */
	*out_len = o;
	return 0;
}
