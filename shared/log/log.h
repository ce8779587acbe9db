/*
 * log.h - leveled, structured logging: one JSON object per line.
 *
 * Every line carries the time (UTC, milliseconds), the level, the service
 * name, the calling thread's request id when one is set, the message and any
 * caller fields:
 *
 *   {"time":"2026-11-27T13:40:09.123Z","level":"info","service":"central",
 *    "requestId":"4f1c...","msg":"image scanned","image":"nginx:1.25"}
 *
 * Two promises rest on this module:
 *
 * - A secret is never written. Every message and every field, at every depth,
 *   goes through redaction: a field whose key names a secret (password,
 *   token, apiKey, Authorization, Cookie, ...) is replaced by "[REDACTED]",
 *   and free text has bearer/basic credentials, Authorization headers,
 *   key=value secrets, URL passwords, JWTs and PEM private keys masked.
 *   Other modules use log_redact_text() for any text they show to people.
 *
 * - A line is written whole. It is built in memory and handed to the kernel
 *   in one write() under a process-wide lock, so lines of different threads
 *   never interleave (and lines of different processes sharing a pipe do not
 *   either, up to PIPE_BUF bytes).
 *
 * A line below the minimum level costs one atomic load: log_msg() checks the
 * level before formatting anything. Callers who build fields only to log them
 * can ask log_enabled() first.
 */
#ifndef ASEC_LOG_H
#define ASEC_LOG_H

#include <stdio.h>

#include <jansson.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

/*
 * Sets the service name (at most 63 bytes), the minimum level and where lines
 * go (NULL: stderr). The stream's file descriptor is written to directly, so
 * nothing waits in a stdio buffer; a stream without one (open_memstream) is
 * written with fwrite() and flushed. May be called again at any time (tests
 * do); until the first call, lines go to stderr at level info under the
 * program's name. Returns ASEC_EINVALID for a bad name or level.
 */
int log_init(const char *service, enum log_level min_level, FILE *out);

/* "debug", "info", "warn" (or "warning"), "error", any case. */
int log_level_parse(enum log_level *out, const char *name);

/* "debug", "info", "warn", "error"; "unknown" for anything else. */
const char *log_level_name(enum log_level level);

/* Nonzero when a line at this level would be written. */
int log_enabled(enum log_level level);

/*
 * The calling thread's request id, added to each of its lines as "requestId".
 * It is copied (at most 127 bytes are kept); NULL or "" clears it.
 */
void log_set_request_id(const char *request_id);

/* The calling thread's request id, "" when none. */
const char *log_request_id(void);

/*
 * Writes one line. fields is a JSON object whose members are added after
 * "msg" (a member named like one of the fixed keys is renamed "fields.<key>");
 * its reference is stolen, even when the line is filtered out. NULL is fine.
 * The caller's object is not changed: redaction works on a copy.
 */
void log_event(enum log_level level, const char *message, json_t *fields);

/* Writes one line whose message is formatted printf-style. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/*
 * A malloc'd copy of text with secrets replaced by "[REDACTED]"; everything
 * else is kept byte for byte. NULL when text is NULL or memory runs out.
 */
char *log_redact_text(const char *text);

/*
 * Nonzero when a field or setting named key holds a secret: its name
 * contains password, passwd, passphrase, secret, token, apikey, accesskey,
 * privatekey, privkey, credential, authorization or cookie, or is/ends in
 * "auth", compared case-insensitively with '-', '_', '.' and spaces ignored
 * (so X-Api-Key, api_key and registryPassword all count). A name that only
 * refers to a secret (secretName, tokenType, passwordFile, ...) does not.
 */
int log_is_sensitive_key(const char *key);

/*
 * A deep copy of value with redaction applied as log_event() does: members
 * under sensitive keys become "[REDACTED]", strings go through
 * log_redact_text(). Returns a new reference, or NULL when out of memory.
 */
json_t *log_redact_json(const json_t *value);

#endif
