/*
 * pki_internal.h - what the files of shared/pki share and nobody else sees:
 * the key pair's layout, bounded certificate import and file writing.
 */
#ifndef ASEC_PKI_INTERNAL_H
#define ASEC_PKI_INTERNAL_H

#include <sys/types.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "pki/pki.h"

struct pki_keypair {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

/* Records "<what>: <GnuTLS's message>" and returns ASEC_ENOMEM or
 * ASEC_ERROR; parsers that know the input was at fault say so themselves. */
int pki__gnutls_fail(int gnutls_rc, const char *what);

/* Imports the first certificate of PEM or DER data of at most PKI_PEM_MAX
 * bytes; ASEC_ETOOBIG / ASEC_EINVALID with a message otherwise. */
int pki__crt_import(gnutls_x509_crt_t *out, const void *data, size_t len,
		    gnutls_x509_crt_fmt_t format);

/* The one common name of crt; see pki_cert_common_name(). */
int pki__crt_common_name(char **cn, gnutls_x509_crt_t crt);

/* Writes data to path with exactly the given mode, through a temporary file
 * in the same directory: renamed over path, or linked to it when flags has
 * PKI_SAVE_EXCLUSIVE so that an existing file makes it fail (ASEC_EEXISTS). */
int pki__file_write(const char *path, const void *data, size_t len,
		    mode_t mode, unsigned flags);

#endif
