/*
 * identity.c - the identities the installation knows: which common name
 * each service's certificate carries, the short name its files and its
 * Kubernetes Service go by, and the DNS names it answers to in the cluster.
 *
 * A small fixed array searched linearly: seven entries, read at start-up and
 * once per handshake at most; a hash table would cost more than it saves.
 * Adding a service means adding one line here.
 */
#include "pki/pki.h"

#include <string.h>

#define PKI_K8S_NAMES(short_name) \
	{short_name, short_name "." PKI_NAMESPACE, short_name "." PKI_NAMESPACE ".svc", NULL}

const struct pki_identity pki_identities[] = {
	{PKI_CN_CENTRAL, "central", PKI_ROLE_SERVICE, PKI_K8S_NAMES("central")},
	{PKI_CN_SCANNER_V4_INDEXER, "scanner-v4-indexer", PKI_ROLE_SERVICE,
	 PKI_K8S_NAMES("scanner-v4-indexer")},
	{PKI_CN_SCANNER_V4_MATCHER, "scanner-v4-matcher", PKI_ROLE_SERVICE,
	 PKI_K8S_NAMES("scanner-v4-matcher")},
	{PKI_CN_SENSOR, "sensor", PKI_ROLE_SERVICE, PKI_K8S_NAMES("sensor")},
	{PKI_CN_ADMISSION_CONTROL, "admission-control", PKI_ROLE_SERVICE,
	 PKI_K8S_NAMES("admission-control")},
	{PKI_CN_COLLECTOR, "collector", PKI_ROLE_SERVICE, PKI_K8S_NAMES("collector")},
	{PKI_CN_OPERATOR, "operator", PKI_ROLE_OPERATOR, {NULL}},
};

const size_t pki_identities_count = sizeof(pki_identities) / sizeof(pki_identities[0]);

const struct pki_identity *pki_identity_by_cn(const char *common_name)
{
	if (common_name == NULL)
		return NULL;
	for (size_t i = 0; i < pki_identities_count; i++)
		if (strcmp(pki_identities[i].common_name, common_name) == 0)
			return &pki_identities[i];
	return NULL;
}

const struct pki_identity *pki_identity_by_short_name(const char *short_name)
{
	if (short_name == NULL)
		return NULL;
	for (size_t i = 0; i < pki_identities_count; i++)
		if (strcmp(pki_identities[i].short_name, short_name) == 0)
			return &pki_identities[i];
	return NULL;
}
