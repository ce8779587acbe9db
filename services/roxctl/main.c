/*
 * main.c - roxctl's entry point: the real environment, the real streams.
 * Everything else is in cli.c, so that tests run the same code with their
 * own environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static const char *env_real(const char *name)
{
	return getenv(name);
}

int main(int argc, char **argv)
{
	return roxctl_run(argc, argv, env_real, isatty(STDOUT_FILENO), stdout, stderr);
}
