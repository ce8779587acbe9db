/*
 * httpclient_fuzz.c - libFuzzer target for what a server (or a redirect's
 * Location) feeds the HTTP client: status lines, header lines with folding,
 * Retry-After values, and URLs to be redacted for messages.
 *
 * The input is cut into lines the way libcurl hands them to the header
 * callback; every kept field is then looked up and read as a Retry-After, and
 * the whole input, as a string, is redacted as a URL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpclient/httpclient.h"
#include "httpclient/httpclient_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_headers h = { 0 };
	const char *p = (const char *)data;
	const char *end = p + size;
	char *copy, *redacted = NULL;

	if (size > 256 * 1024)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (hc_status_line_parse(p, len) < 0 && hc_headers_add_line(&h, p, len) != 0)
			break;
		p += len;
	}
	for (size_t i = 0; i < h.count; i++) {
		const char *v = hc_headers_find(h.items, h.count, h.items[i].name);

		if (!v || hc_retry_after_ms(v, 1700000000, 10000) > 10000)
			abort();
	}
	hc_headers_clear(&h);

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (httpclient_url_redact(&redacted, copy) == 0 && (strchr(redacted, '?') || strchr(redacted, '#')))
		abort();
	free(redacted);
	free(copy);
	return 0;
}
