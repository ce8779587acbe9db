/*
 * error.h - the calling thread's last error, in the manner of libgit2.
 *
 * A fallible function returns an int (ASEC_OK or a negative ASEC_E* code) and,
 * at the one place where it detects the failure, records a message with
 * error_set(). Whoever finally reports the failure (an HTTP handler turning it
 * into a problem body, main() printing it) reads it with error_last(). Nothing
 * in between logs the same failure again.
 */
#ifndef ASEC_ERROR_H
#define ASEC_ERROR_H

enum {
	ASEC_OK = 0,
	ASEC_ERROR = -1,      /* generic failure */
	ASEC_ENOMEM = -2,
	ASEC_ENOTFOUND = -3,
	ASEC_EINVALID = -4,   /* bad input from outside */
	ASEC_EEXISTS = -5,
	ASEC_ETIMEOUT = -6,
	ASEC_ETOOBIG = -7,    /* a size limit was exceeded */
	ASEC_EIO = -8,        /* file, network or database I/O */
	ASEC_EAUTH = -9,      /* missing or refused credentials */
	ASEC_ECONFLICT = -10, /* concurrent change; retrying may succeed */
};

/* Records a message for the calling thread, replacing any earlier one. */
void error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prefixes the current message with more context: "loading config: <old>". */
void error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The calling thread's last message, or "" when there is none. */
const char *error_last(void);

void error_clear(void);

/* A short English name for an ASEC_E* code ("not found", "invalid", ...). */
const char *error_code_name(int code);

#endif
