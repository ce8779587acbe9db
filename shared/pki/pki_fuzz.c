/*
 * pki_fuzz.c - libFuzzer target for the parts of shared/pki that read
 * certificates from outside: the common name of a PEM or DER certificate,
 * chain verification, and the text description.
 *
 * PEM is base64, so mutating it mostly breaks the encoding; the input is
 * therefore also wrapped as PEM when it does not look like PEM, which lets
 * mutations of DER structure reach the description code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "pki/pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cn = NULL, *text = NULL;
	gnutls_datum_t der = {(unsigned char *)data, (unsigned int)size}, pem = {NULL, 0};

	if (pki_cert_common_name(&cn, (const char *)data, size) == 0)
		free(cn);
	if (pki_cert_common_name_der(&cn, data, size) == 0)
		free(cn);
	if (pki_cert_describe(&text, (const char *)data, size) == 0)
		free(text);
	pki_verify_chain((const char *)data, size, (const char *)data, size);

	if (size > 0 && size <= PKI_PEM_MAX / 2 && data[0] != '-' &&
	    gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) == 0) {
		if (pki_cert_describe(&text, (const char *)pem.data, pem.size) == 0)
			free(text);
		gnutls_free(pem.data);
	}
	return 0;
}
