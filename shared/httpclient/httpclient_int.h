/*
 * httpclient_int.h - the parts of httpclient.c that read what a server sends
 * (status lines, header lines, Retry-After), split out so that the unit test
 * and the fuzz target can drive them without a network. Not a public API.
 */
#ifndef ASEC_HTTPCLIENT_INT_H
#define ASEC_HTTPCLIENT_INT_H

#include <stddef.h>
#include <time.h>

#include "httpclient/httpclient.h"

/* The header fields of one response, kept as an array because responses
 * carry a few dozen fields at most and are read a handful of times: a linear,
 * case-insensitive scan beats building a hash. bytes counts every header
 * line received, kept or not, against HTTPCLIENT_MAX_HEADER_BYTES. */
struct hc_headers {
	struct httpclient_header *items;
	size_t count;
	size_t cap;
	size_t bytes;
};

/* Adds one raw header line as libcurl hands it over (CRLF included or not).
 * A line starting with a space or tab continues the previous field
 * (obsolete folding); a line that is not "token: value" is ignored. Returns
 * ASEC_ETOOBIG past the byte or field bounds, ASEC_ENOMEM. */
int hc_headers_add_line(struct hc_headers *h, const char *line, size_t len);

void hc_headers_clear(struct hc_headers *h);

/* First field named name, any case; NULL when absent. */
const char *hc_headers_find(const struct httpclient_header *items, size_t count, const char *name);

/* The status code of an "HTTP/x[.y] NNN reason" line, or -1 when line is not
 * a status line. */
long hc_status_line_parse(const char *line, size_t len);

/* The wait a Retry-After value asks for in ms (delta-seconds or an HTTP
 * date, measured from now), at most max_ms; -1 when value is unusable. */
long hc_retry_after_ms(const char *value, time_t now, long max_ms);

#endif
