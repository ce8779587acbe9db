/*
 * policy_fuzz.c - arbitrary JSON as a policy and as its input.
 *
 * A NUL byte splits the data: the bytes before it are the policy, the bytes
 * after it the image/deployment/process (without NUL, both are the whole). When the policy parses, it is
 * evaluated at each of its stages against the input used as image,
 * deployment and process at once, so that every accessor meets wrong types.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *pj, *ij = NULL, *errors = NULL;
	struct policy *p = NULL;
	const uint8_t *nul;
	size_t split;

	if (size > 65536)
		return 0;
	nul = memchr(data, 0, size);
	split = nul ? (size_t)(nul - data) : size;
	pj = json_loadb((const char *)data, split, JSON_DECODE_ANY, NULL);
	if (!pj)
		return 0;
	policy_validate(&errors, pj);
	json_decref(errors);
	if (policy_parse(&p, pj) == 0) {
		ij = nul ? json_loadb((const char *)nul + 1, size - split - 1, JSON_DECODE_ANY, NULL)
			 : json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
		if (ij) {
			const json_t *images[2] = {ij, NULL};
			struct policy_input in;

			memset(&in, 0, sizeof(in));
			in.image = ij;
			in.deployment = ij;
			in.container_images = images;
			in.container_image_count = 2;
			in.network_policies = json_object_get(ij, "networkPolicies");
			in.process = json_object_get(ij, "process");
			in.cluster = "c";
			in.now = 1767225600;
			for (unsigned st = POLICY_STAGE_BUILD; st <= POLICY_STAGE_RUNTIME; st <<= 1) {
				json_t *v = NULL;

				if (policy_evaluate(&v, p, (enum policy_stage)st, &in) == 0)
					json_decref(v);
			}
			(void)policy_applies(p, &in);
			json_decref(ij);
		}
		policy_free(p);
	}
	json_decref(pj);
	return 0;
}
