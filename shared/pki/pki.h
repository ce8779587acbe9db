/*
 * pki.h - the installation's own certificate authority and the certificates
 * of its services, made and checked with GnuTLS.
 *
 * Every call between services is mutual TLS, and the certificate's common
 * name says which service is calling (CENTRAL_SERVICE, SENSOR_SERVICE, ...).
 * So the module has three parts:
 *
 *   - certificates (pki.c): make a CA, issue a service certificate signed by
 *     it (ECDSA P-256, serverAuth + clientAuth), load and save key pairs;
 *   - inspection (inspect.c): read what a certificate that came from outside
 *     says - its common name, whether our CA signed it, a text description -
 *     with every input bounded by PKI_PEM_MAX;
 *   - the known identities (identity.c) and the directory layout that the
 *     services and the asec-pki tool share (dir.c): DIR/ca.crt, DIR/ca.key,
 *     DIR/<short name>.crt, DIR/<short name>.key.
 *
 * Private keys are always written with mode 0600 whatever the umask is, and
 * files are replaced atomically (a reader sees the old file or the new one).
 */
#ifndef ASEC_PKI_H
#define ASEC_PKI_H

#include <stddef.h>
#include <time.h>

/* Longest PEM (or DER) text the module will parse: a certificate chain of a
 * few certificates fits many times over; anything larger is refused. */
#define PKI_PEM_MAX (64 * 1024)

/* Validity is given in whole days, 1 to PKI_DAYS_MAX. */
#define PKI_DAYS_MAX 7300
#define PKI_CA_DAYS_DEFAULT 3650
#define PKI_CERT_DAYS_DEFAULT 365

/* The CA's common name when the caller does not pick one. */
#define PKI_CA_COMMON_NAME "Alauda Security Service CA"

/* A certificate's common name is at most this long (X.520 ub-common-name). */
#define PKI_CN_MAX 64

/* The service identities, as certificate common names. */
#define PKI_CN_CENTRAL "CENTRAL_SERVICE"
#define PKI_CN_SCANNER_V4_INDEXER "SCANNER_V4_INDEXER_SERVICE"
#define PKI_CN_SCANNER_V4_MATCHER "SCANNER_V4_MATCHER_SERVICE"
#define PKI_CN_SENSOR "SENSOR_SERVICE"
#define PKI_CN_ADMISSION_CONTROL "ADMISSION_CONTROL_SERVICE"
#define PKI_CN_COLLECTOR "COLLECTOR_SERVICE"
/* A person or a tool calling a service directly. */
#define PKI_CN_OPERATOR "OPERATOR"

/* The Kubernetes namespace the services' DNS names live in. */
#define PKI_NAMESPACE "stackrox"

/* ---- the known identities (identity.c) ---- */

enum pki_role {
	PKI_ROLE_SERVICE,  /* a service: both TLS server and TLS client */
	PKI_ROLE_OPERATOR, /* a person or tool: TLS client only */
};

struct pki_identity {
	const char *common_name; /* "CENTRAL_SERVICE" */
	const char *short_name;  /* "central": file base and Service name */
	enum pki_role role;
	/* Its Kubernetes DNS names, NULL-terminated; none for the operator. */
	const char *dns_names[4];
};

/* Every known identity, services first, the operator last. */
extern const struct pki_identity pki_identities[];
extern const size_t pki_identities_count;

/* The identity with that common name or short name, or NULL. */
const struct pki_identity *pki_identity_by_cn(const char *common_name);
const struct pki_identity *pki_identity_by_short_name(const char *short_name);

/* ---- certificates and keys (pki.c) ---- */

/* A certificate with its private key: a CA or an issued certificate. */
typedef struct pki_keypair pki_keypair;

/*
 * Makes a self-signed CA: CA:TRUE with path length 0 (it signs service
 * certificates only), key usage keyCertSign + cRLSign, a random serial, an
 * ECDSA P-256 key. common_name NULL means PKI_CA_COMMON_NAME.
 */
int pki_ca_create(pki_keypair **out, const char *common_name, unsigned days);

struct pki_issue_request {
	const char *common_name; /* the identity, e.g. PKI_CN_CENTRAL */
	const char *const *dns_names;
	size_t dns_count;
	const char *const *ip_addresses; /* text: "127.0.0.1", "::1" */
	size_t ip_count;
	unsigned days; /* cut to the CA's own expiry */
};

/*
 * Issues a certificate signed by ca: key usage digitalSignature, extended key
 * usage serverAuth and clientAuth, the given subjectAltNames, subject and
 * authority key identifiers. Names are checked: a common name of 1 to
 * PKI_CN_MAX printable ASCII characters, DNS names of letters, digits,
 * hyphens and dots (no wildcards), IP addresses in IPv4 or IPv6 text form.
 * Returns ASEC_EINVALID for a bad name, ASEC_EAUTH if the CA has expired.
 */
int pki_issue(pki_keypair **out, const pki_keypair *ca,
	      const struct pki_issue_request *req);

/* Builds a key pair from PEM text; fails unless the key belongs to the
 * certificate. */
int pki_keypair_from_pem(pki_keypair **out, const char *cert_pem,
			 size_t cert_len, const char *key_pem, size_t key_len);

/* Reads a key pair from two PEM files (each at most PKI_PEM_MAX bytes). */
int pki_keypair_load(pki_keypair **out, const char *cert_path,
		     const char *key_path);

/* PKI_SAVE_EXCLUSIVE: fail with ASEC_EEXISTS rather than replace a file. */
#define PKI_SAVE_EXCLUSIVE 1u

/*
 * Writes the certificate (mode 0644) and the private key (PKCS#8, mode 0600).
 * The key is written first, so that a crash between the two leaves a pair
 * that pki_keypair_load() refuses rather than a new key nobody can use.
 */
int pki_keypair_save(const pki_keypair *kp, const char *cert_path,
		     const char *key_path, unsigned flags);

/* The certificate as PEM text (NUL-terminated, len excludes the NUL). */
int pki_keypair_cert_pem(char **pem, size_t *len, const pki_keypair *kp);

/* The certificate's expiry time. */
time_t pki_keypair_expires(const pki_keypair *kp);

void pki_keypair_free(pki_keypair *kp);

/* Reads a whole file of at most PKI_PEM_MAX bytes, NUL-terminated. */
int pki_file_read(char **data, size_t *len, const char *path);

/* ---- inspecting certificates from outside (inspect.c) ---- */

/*
 * The common name of a certificate (the first in the PEM text). Fails with
 * ASEC_ENOTFOUND if it has none, and with ASEC_EINVALID if it has more than
 * one or the name is not a plain string (a NUL byte inside, or a value GnuTLS
 * can only show in "#hex" form): an identity must not be ambiguous.
 */
int pki_cert_common_name(char **cn, const char *pem, size_t len);

/* The same for a DER certificate, as a TLS library hands a peer's over. */
int pki_cert_common_name_der(char **cn, const unsigned char *der, size_t len);

/*
 * ASEC_OK if the CA in ca_pem signed the certificate in cert_pem and both are
 * within their validity now; ASEC_EAUTH (with the reason in error_last()) if
 * not; ASEC_EINVALID / ASEC_ETOOBIG if either does not parse.
 */
int pki_verify_chain(const char *cert_pem, size_t cert_len,
		     const char *ca_pem, size_t ca_len);

/* A text description for people: subject, common name, issuer, serial,
 * validity, subjectAltNames, key usages, key type and SHA-256 fingerprint.
 * Bytes that are not printable ASCII are shown as '?'. */
int pki_cert_describe(char **text, const char *pem, size_t len);

/* ---- the directory layout (dir.c) ---- */

/* File names inside a PKI directory. */
#define PKI_CA_CERT_FILE "ca.crt"
#define PKI_CA_KEY_FILE "ca.key"
#define PKI_CERT_SUFFIX ".crt"
#define PKI_KEY_SUFFIX ".key"

/* "DIR/BASE.SUFFIX" in newly allocated memory. */
int pki_dir_path(char **path, const char *dir, const char *file_base,
		 const char *suffix);

/* Makes the CA in DIR/ca.crt and DIR/ca.key, creating DIR (mode 0700) if it
 * is missing. Returns ASEC_EEXISTS if either file is already there. */
int pki_dir_init(const char *dir, unsigned days);

/*
 * Issues a certificate with the CA in DIR and writes DIR/<file_base>.crt and
 * .key, replacing any there. file_base NULL means the identity's short name,
 * which requires a known common name; a file base is 1 to 64 characters of
 * [a-z0-9._-], not starting with '.', and not "ca".
 */
int pki_dir_issue(const char *dir, const char *file_base,
		  const struct pki_issue_request *req);

enum pki_dev_action {
	PKI_DEV_KEPT,     /* an existing, current file was left alone */
	PKI_DEV_CREATED,  /* there was none */
	PKI_DEV_REPLACED, /* there was one, but it was not current */
};

/* Called once per CA and certificate; reason says why a file was replaced. */
typedef void (*pki_dev_report_fn)(void *ctx, enum pki_dev_action action,
				  const char *cert_path, const char *common_name,
				  const char *reason);

/* A certificate closer than this to its expiry is renewed by pki_dir_dev(). */
#define PKI_DEV_RENEW_SECONDS (7 * 24 * 3600)

/*
 * A development PKI in DIR, made idempotently: the CA if it is missing, then
 * for every known identity DIR/<short>.crt and .key. A service certificate
 * carries the SANs localhost, 127.0.0.1, ::1 and its Kubernetes names; the
 * operator's carries none. An existing pair is kept when it is current:
 * both files parse, the key matches, the CA signed it, it has the right
 * common name and every expected SAN, and it is not within
 * PKI_DEV_RENEW_SECONDS of expiry. A CA that is half there (one of the two
 * files), unreadable or expired is an error rather than silently replaced,
 * since replacing it would invalidate every certificate already handed out.
 * report may be NULL.
 */
int pki_dir_dev(const char *dir, pki_dev_report_fn report, void *ctx);

#endif
