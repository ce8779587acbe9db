/*
 * reference_fuzz.c - libFuzzer target for the short-text parsers of the
 * registry client: image references (and their canonical form, which must
 * parse back to the same reference), platforms, digests, and the
 * WWW-Authenticate challenge parser, which reads what a registry's 401
 * says. Every input goes to all of them; the seed corpus mixes both kinds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "registry/registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_challenges ch = { 0 };
	struct registry_ref ref, again;
	struct registry_platform p;
	char *text, *canon = NULL, *canon2 = NULL;

	if (reg_challenges_parse(&ch, (const char *)data, size) == 0) {
		for (size_t i = 0; i < ch.count; i++)
			reg_challenge_param(&ch.items[i], "realm");
		reg_challenges_find(&ch, "bearer");
		reg_challenges_free(&ch);
	}

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	registry_digest_check(text);
	registry_platform_parse(&p, text);
	if (registry_ref_parse(&ref, text) == 0) {
		/* The canonical form is a fixed point. */
		if (registry_ref_format(&canon, &ref) != 0 || registry_ref_parse(&again, canon) != 0)
			abort();
		if (registry_ref_format(&canon2, &again) != 0 || strcmp(canon, canon2) != 0)
			abort();
		registry_ref_api_host(&ref);
		registry_ref_free(&again);
		registry_ref_free(&ref);
		free(canon);
		free(canon2);
	}
	free(text);
	return 0;
}
