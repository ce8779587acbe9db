/*
 * log_fuzz.c - libFuzzer target for redaction and line building.
 *
 * Log messages and fields carry text from outside (registry replies, HTTP
 * headers, file contents), so the redaction pass is a parser of hostile
 * input. Besides not crashing, two properties are checked: redacting twice
 * gives the same text as redacting once (a mask never creates a new match
 * that would eat more of the line), and a line built from arbitrary bytes,
 * invalid UTF-8 included, is still one valid JSON object.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static void check_line(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	json_t *line, *fields;

	if (!mem)
		return;
	if (log_init("fuzz", LOG_LEVEL_DEBUG, mem) != 0)
		abort();
	fields = json_object();
	json_object_set_new(fields, "text", json_stringn_nocheck((const char *)data, size));
	json_object_set_new(fields, "nested", json_pack("{s:[s#]}", "token", (const char *)data, (int)(size > 64 ? 64 : size)));
	log_event(LOG_LEVEL_INFO, (const char *)data, fields);
	log_init("fuzz", LOG_LEVEL_ERROR, stderr);
	fclose(mem);
	/* Exactly one line, and it parses. */
	if (!buf || len == 0 || buf[len - 1] != '\n' || memchr(buf, '\n', len - 1))
		abort();
	line = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(line))
		abort();
	json_decref(line);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *once, *twice;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	once = log_redact_text(text);
	twice = once ? log_redact_text(once) : NULL;
	if (once && twice && strcmp(once, twice) != 0)
		abort();
	free(once);
	free(twice);
	check_line((const uint8_t *)text, strlen(text));
	free(text);
	return 0;
}
