/*
 * error.c - thread-local storage for the last error message.
 *
 * A fixed buffer per thread keeps error_set() allocation-free, so it can be
 * called on out-of-memory paths; messages longer than the buffer are cut.
 */
#include "error/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERROR_MESSAGE_MAX 1024

static _Thread_local char last_message[ERROR_MESSAGE_MAX];

void error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
}

void error_prefix(const char *fmt, ...)
{
	char old[ERROR_MESSAGE_MAX];
	va_list ap;
	int n;

	memcpy(old, last_message, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(last_message) || old[0] == '\0')
		return;
	/* Cutting the old message short is the intended overflow behaviour. */
	size_t room = sizeof(last_message) - (size_t)n - 1;
	size_t old_len = strlen(old) + 2;
	char *at = last_message + n;
	if (old_len > room)
		old_len = room;
	memcpy(at, ": ", old_len < 2 ? old_len : 2);
	if (old_len > 2)
		memcpy(at + 2, old, old_len - 2);
	at[old_len] = '\0';
}

const char *error_last(void)
{
	return last_message;
}

void error_clear(void)
{
	last_message[0] = '\0';
}

const char *error_code_name(int code)
{
	switch (code) {
	case ASEC_OK: return "ok";
	case ASEC_ENOMEM: return "out of memory";
	case ASEC_ENOTFOUND: return "not found";
	case ASEC_EINVALID: return "invalid";
	case ASEC_EEXISTS: return "already exists";
	case ASEC_ETIMEOUT: return "timed out";
	case ASEC_ETOOBIG: return "too large";
	case ASEC_EIO: return "I/O error";
	case ASEC_EAUTH: return "unauthorized";
	case ASEC_ECONFLICT: return "conflict";
	default: return "error";
	}
}
