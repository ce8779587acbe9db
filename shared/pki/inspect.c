/*
 * inspect.c - reading certificates that came from outside: a peer's client
 * certificate, a file an operator points the tool at.
 *
 * Such a certificate is input like any other, so it is bounded by
 * PKI_PEM_MAX before GnuTLS sees it, and what is read from it is held to the
 * stricter standard an identity needs: exactly one common name, and a plain
 * string - no NUL byte that could make "CENTRAL_SERVICE\0.evil" compare
 * equal to "CENTRAL_SERVICE" in C, no undecodable value in hex form. Text shown to people is made printable first, so
 * a hostile name cannot drive the terminal.
 */
#include "pki/pki_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* More names or key purposes than this in one certificate are not shown. */
#define PKI_SANS_SHOWN_MAX 1024

int pki__crt_common_name(char **cn, gnutls_x509_crt_t crt)
{
	char *buf = NULL;
	size_t size = 0, got;
	int rc;

	*cn = NULL;
	rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, NULL, &size);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		error_set("the certificate has no common name");
		return ASEC_ENOTFOUND;
	}
	if (rc >= 0 || size == 0) {
		error_set("the certificate's common name is empty");
		return ASEC_EINVALID;
	}
	if (rc != GNUTLS_E_SHORT_MEMORY_BUFFER || size > PKI_PEM_MAX) {
		error_set("cannot read the certificate's common name: %s", gnutls_strerror(rc));
		return ASEC_EINVALID;
	}
	got = size + 1;
	buf = malloc(got);
	if (buf == NULL) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &got);
	if (rc < 0) {
		error_set("cannot read the certificate's common name: %s", gnutls_strerror(rc));
		goto invalid;
	}
	/* GnuTLS hands back a value it cannot show as a string (one holding a
	 * NUL, say) in RFC 4514 hex form, "#0c15...": that is no name. */
	if (got == 0 || strnlen(buf, got + 1) != got || buf[0] == '#') {
		error_set("the certificate's common name is empty or not a plain string");
		goto invalid;
	}
	size = 0;
	rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 1, 0, NULL, &size);
	if (rc != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		error_set("the certificate has more than one common name");
		goto invalid;
	}
	*cn = buf;
	return ASEC_OK;

invalid:
	free(buf);
	return ASEC_EINVALID;
}

int pki_cert_common_name(char **cn, const char *pem, size_t len)
{
	gnutls_x509_crt_t crt = NULL;
	int result;

	*cn = NULL;
	if ((result = pki__crt_import(&crt, pem, len, GNUTLS_X509_FMT_PEM)))
		return result;
	result = pki__crt_common_name(cn, crt);
	gnutls_x509_crt_deinit(crt);
	return result;
}

int pki_cert_common_name_der(char **cn, const unsigned char *der, size_t len)
{
	gnutls_x509_crt_t crt = NULL;
	int result;

	*cn = NULL;
	if ((result = pki__crt_import(&crt, der, len, GNUTLS_X509_FMT_DER)))
		return result;
	result = pki__crt_common_name(cn, crt);
	gnutls_x509_crt_deinit(crt);
	return result;
}

int pki_verify_chain(const char *cert_pem, size_t cert_len,
		     const char *ca_pem, size_t ca_len)
{
	gnutls_x509_crt_t crt = NULL, ca = NULL;
	gnutls_datum_t why = {NULL, 0};
	unsigned int status = 0;
	int rc, result;

	if ((result = pki__crt_import(&crt, cert_pem, cert_len, GNUTLS_X509_FMT_PEM))) {
		error_prefix("the certificate");
		return result;
	}
	if ((result = pki__crt_import(&ca, ca_pem, ca_len, GNUTLS_X509_FMT_PEM))) {
		error_prefix("the CA certificate");
		goto out;
	}
	/* The default flags check the signature, that the issuer is a CA, and
	 * the validity period of both the certificate and the trusted CA. */
	rc = gnutls_x509_crt_verify(crt, &ca, 1, 0, &status);
	if (rc < 0) {
		result = pki__gnutls_fail(rc, "verifying the certificate");
		goto out;
	}
	if (status != 0) {
		rc = gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
		error_set("the certificate is not trusted: %s",
			  rc < 0 ? "verification failed" : (const char *)why.data);
		result = ASEC_EAUTH;
	}
out:
	gnutls_free(why.data);
	gnutls_x509_crt_deinit(crt);
	if (ca)
		gnutls_x509_crt_deinit(ca);
	return result;
}

/* ---- describing a certificate for people ---- */

static void put_printable(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
}

static void put_time(FILE *f, const char *label, time_t t)
{
	char when[40];
	struct tm tm;

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL) {
		fprintf(f, "%s(unreadable)\n", label);
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(f, "%s%s\n", label, when);
}

static void put_dn(FILE *f, const char *label, gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t dn = {NULL, 0};
	int rc;

	rc = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0)
		    : gnutls_x509_crt_get_dn3(crt, &dn, 0);
	fputs(label, f);
	if (rc < 0)
		fputs("(unreadable)", f);
	else
		put_printable(f, (const char *)dn.data, dn.size);
	fputc('\n', f);
	gnutls_free(dn.data);
}

static void put_hex(FILE *f, const unsigned char *bytes, size_t len, const char *sep)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%s%02x", i ? sep : "", bytes[i]);
}

/* One line listing the subjectAltNames of one type. */
static void put_sans(FILE *f, const char *label, gnutls_x509_crt_t crt, int type)
{
	char buf[512], ip[INET6_ADDRSTRLEN];
	unsigned int critical;
	int count = 0;

	/* A malformed extension may fail at every index rather than end, so
	 * only a per-name problem moves on; the index is capped as well. */
	for (unsigned int seq = 0; seq < PKI_SANS_SHOWN_MAX; seq++) {
		size_t size = sizeof(buf);
		int rc = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &critical);
		if (rc < 0 && rc != GNUTLS_E_SHORT_MEMORY_BUFFER && rc != GNUTLS_E_X509_UNKNOWN_SAN)
			break;
		if (rc != type && rc != GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER && type != GNUTLS_SAN_DNSNAME)
			continue;
		fputs(count++ ? ", " : label, f);
		if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER)
			fputs("(too long to show)", f);
		else if (type == GNUTLS_SAN_IPADDRESS)
			fputs((size == 4 || size == 16) &&
					      inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip))
				      ? ip
				      : "(malformed)",
			      f);
		else
			put_printable(f, buf, size);
	}
	if (count)
		fputc('\n', f);
}

static void put_key_usage(FILE *f, gnutls_x509_crt_t crt)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} usages[] = {
		{GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature"},
		{GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation"},
		{GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment"},
		{GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment"},
		{GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement"},
		{GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign"},
		{GNUTLS_KEY_CRL_SIGN, "cRLSign"},
		{GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly"},
		{GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly"},
	};
	unsigned int bits, critical, count = 0;

	if (gnutls_x509_crt_get_key_usage(crt, &bits, &critical) < 0)
		return;
	fputs("key usage:          ", f);
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (bits & usages[i].bit)
			fprintf(f, "%s%s", count++ ? ", " : "", usages[i].name);
	fputc('\n', f);
}

static void put_key_purposes(FILE *f, gnutls_x509_crt_t crt)
{
	char oid[128];
	unsigned int critical;
	int count = 0;

	for (unsigned int i = 0; i < PKI_SANS_SHOWN_MAX; i++) {
		size_t size = sizeof(oid);
		int rc = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &size, &critical);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE || (rc < 0 && rc != GNUTLS_E_SHORT_MEMORY_BUFFER))
			break;
		fputs(count++ ? ", " : "extended key usage: ", f);
		if (rc < 0)
			fputs("(too long to show)", f);
		else if (strcmp(oid, GNUTLS_KP_TLS_WWW_SERVER) == 0)
			fputs("serverAuth", f);
		else if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0)
			fputs("clientAuth", f);
		else
			put_printable(f, oid, strnlen(oid, sizeof(oid)));
	}
	if (count)
		fputc('\n', f);
}

static void put_describe(FILE *f, gnutls_x509_crt_t crt)
{
	unsigned char bytes[64];
	size_t size;
	unsigned int critical, ca = 0, bits = 0;
	int path_len = -1, rc;
	time_t now = time(NULL);
	time_t start = gnutls_x509_crt_get_activation_time(crt);
	time_t end = gnutls_x509_crt_get_expiration_time(crt);
	char *cn = NULL;

	put_dn(f, "subject:            ", crt, 0);
	if (pki__crt_common_name(&cn, crt) == ASEC_OK) {
		fputs("common name:        ", f);
		put_printable(f, cn, strlen(cn));
		fputc('\n', f);
		free(cn);
	} else {
		fprintf(f, "common name:        (%s)\n", error_last());
	}
	put_dn(f, "issuer:             ", crt, 1);
	size = sizeof(bytes);
	if (gnutls_x509_crt_get_serial(crt, bytes, &size) >= 0) {
		fputs("serial:             ", f);
		put_hex(f, bytes, size, "");
		fputc('\n', f);
	}
	put_time(f, "not before:         ", start);
	put_time(f, "not after:          ", end);
	fprintf(f, "status now:         %s\n",
		start == (time_t)-1 || end == (time_t)-1 ? "unknown"
		: now < start ? "not yet valid"
		: now > end   ? "expired"
			      : "valid");
	put_sans(f, "DNS names:          ", crt, GNUTLS_SAN_DNSNAME);
	put_sans(f, "IP addresses:       ", crt, GNUTLS_SAN_IPADDRESS);
	if (gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &path_len) >= 0 && ca) {
		if (path_len >= 0)
			fprintf(f, "CA:                 yes, path length %d\n", path_len);
		else
			fprintf(f, "CA:                 yes\n");
	} else {
		fprintf(f, "CA:                 no\n");
	}
	put_key_usage(f, crt);
	put_key_purposes(f, crt);
	rc = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	if (rc >= 0)
		fprintf(f, "public key:         %s, %u bits\n",
			gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)rc), bits);
	size = sizeof(bytes);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, bytes, &size) >= 0) {
		fputs("SHA-256 fingerprint: ", f);
		put_hex(f, bytes, size, ":");
		fputc('\n', f);
	}
}

int pki_cert_describe(char **text, const char *pem, size_t len)
{
	gnutls_x509_crt_t crt = NULL;
	char *buf = NULL;
	size_t buf_len = 0;
	FILE *f;
	int result, failed;

	*text = NULL;
	if ((result = pki__crt_import(&crt, pem, len, GNUTLS_X509_FMT_PEM)))
		return result;
	f = open_memstream(&buf, &buf_len);
	if (f == NULL) {
		gnutls_x509_crt_deinit(crt);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	put_describe(f, crt);
	failed = ferror(f);
	if (fclose(f) != 0 || failed || buf == NULL) {
		free(buf);
		error_set("out of memory");
		result = ASEC_ENOMEM;
	} else {
		*text = buf;
	}
	gnutls_x509_crt_deinit(crt);
	return result;
}
