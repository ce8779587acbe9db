/*
 * cli_fuzz.c - roxctl's argument parser on arbitrary argv: the input is
 * split at NUL bytes into arguments (at most 64), parsed with an empty
 * environment and not a terminal, and freed. No run: nothing is sent.
 * The parser must neither crash nor leak, whatever the words and flags.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *env_none(const char *name)
{
	(void)name;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[66];
	struct roxctl_cli cli;
	size_t i, start = 0;
	int argc = 0;

	if (size > 4096)
		return 0;
	if (!(copy = malloc(size + 1)))
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "roxctl";
	for (i = 0; i <= size && argc < 65; i++) {
		if (copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	roxctl_cli_parse(&cli, argc, argv, env_none, 0);
	roxctl_cli_free(&cli);
	free(copy);
	return 0;
}
