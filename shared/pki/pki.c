/*
 * pki.c - making the CA and the service certificates, and moving key pairs
 * between memory and files.
 *
 * Two choices shape it. Keys are ECDSA P-256: small, quick to make and
 * quick to sign with, so mutual TLS handshakes between services stay cheap,
 * and every TLS stack we talk to knows the curve. Every service certificate
 * allows both serverAuth and clientAuth, because each service both serves
 * and calls others; its common name is the service's identity, which the
 * called service reads to decide what the caller may do.
 */
#include "pki/pki_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "error/error.h"

#define PKI_ORGANIZATION "Alauda Security Service"
/* Certificates start a little in the past so that a peer whose clock is
 * slightly behind does not reject a certificate made a moment ago. */
#define PKI_BACKDATE_SECONDS 300
#define PKI_DNS_NAME_MAX 253
#define PKI_DNS_LABEL_MAX 63
#define PKI_KEY_ID_MAX 64

int pki__gnutls_fail(int gnutls_rc, const char *what)
{
	error_set("%s: %s", what, gnutls_strerror(gnutls_rc));
	return gnutls_rc == GNUTLS_E_MEMORY_ERROR ? ASEC_ENOMEM : ASEC_ERROR;
}

int pki__crt_import(gnutls_x509_crt_t *out, const void *data, size_t len,
		    gnutls_x509_crt_fmt_t format)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t datum;
	int rc;

	*out = NULL;
	if (data == NULL || len == 0) {
		error_set("empty certificate");
		return ASEC_EINVALID;
	}
	if (len > PKI_PEM_MAX) {
		error_set("certificate of %zu bytes is larger than the limit of %d",
			  len, PKI_PEM_MAX);
		return ASEC_ETOOBIG;
	}
	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0)
		return pki__gnutls_fail(rc, "allocating a certificate");
	datum.data = (unsigned char *)data;
	datum.size = (unsigned int)len;
	rc = gnutls_x509_crt_import(crt, &datum, format);
	if (rc < 0) {
		error_set("not a valid certificate: %s", gnutls_strerror(rc));
		gnutls_x509_crt_deinit(crt);
		return rc == GNUTLS_E_MEMORY_ERROR ? ASEC_ENOMEM : ASEC_EINVALID;
	}
	*out = crt;
	return ASEC_OK;
}

/* ---- checking names before they go into a certificate ---- */

static int check_common_name(const char *cn)
{
	size_t len;

	if (cn == NULL || cn[0] == '\0') {
		error_set("the common name is empty");
		return ASEC_EINVALID;
	}
	len = strnlen(cn, PKI_CN_MAX + 1);
	if (len > PKI_CN_MAX) {
		error_set("the common name is longer than %d characters", PKI_CN_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)cn[i];
		if (c < 0x20 || c > 0x7e) {
			error_set("the common name may hold printable ASCII only");
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

/* Letters, digits and hyphens in dot-separated labels (RFC 1123). Wildcards
 * are refused: a service certificate names the service, never a family. */
static int check_dns_name(const char *name)
{
	unsigned char addr[16];
	size_t len, label = 0;

	if (name == NULL || name[0] == '\0') {
		error_set("empty DNS name");
		return ASEC_EINVALID;
	}
	len = strnlen(name, PKI_DNS_NAME_MAX + 1);
	if (len > PKI_DNS_NAME_MAX) {
		error_set("DNS name longer than %d characters", PKI_DNS_NAME_MAX);
		return ASEC_EINVALID;
	}
	if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1) {
		error_set("'%s' is an IP address, not a DNS name", name);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-') {
				error_set("bad DNS name '%s': empty label or label ending in '-'", name);
				return ASEC_EINVALID;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-') ||
		    (c == '-' && label == 0) || ++label > PKI_DNS_LABEL_MAX) {
			error_set("bad DNS name '%.*s': letters, digits, '-' and '.' only, "
				  "labels of at most %d",
				  (int)len, name, PKI_DNS_LABEL_MAX);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

static int check_days(unsigned days)
{
	if (days == 0 || days > PKI_DAYS_MAX) {
		error_set("validity of %u days is outside 1..%d", days, PKI_DAYS_MAX);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* ---- making certificates ---- */

static int key_generate(gnutls_x509_privkey_t *out)
{
	gnutls_x509_privkey_t key = NULL;
	int rc;

	*out = NULL;
	rc = gnutls_x509_privkey_init(&key);
	if (rc < 0)
		return pki__gnutls_fail(rc, "allocating a private key");
	rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc < 0) {
		gnutls_x509_privkey_deinit(key);
		return pki__gnutls_fail(rc, "generating an ECDSA P-256 key");
	}
	*out = key;
	return ASEC_OK;
}

/*
 * The serial is 16 random bytes. The top bit is cleared so the DER integer
 * stays positive and the next one set so it keeps all 16 octets; 126 bits
 * of randomness is well above the 64 that CA/Browser rules ask for.
 */
static int serial_set(gnutls_x509_crt_t crt)
{
	unsigned char serial[16];
	int rc;

	rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	if (rc < 0)
		return pki__gnutls_fail(rc, "making a serial number");
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
	rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	if (rc < 0)
		return pki__gnutls_fail(rc, "setting the serial number");
	return ASEC_OK;
}

/* The fields every certificate of ours has: version 3, subject, serial,
 * validity, public key and subject key identifier. */
static int crt_start(gnutls_x509_crt_t *out, gnutls_x509_privkey_t key,
		     const char *cn, time_t not_before, time_t not_after)
{
	gnutls_x509_crt_t crt = NULL;
	unsigned char key_id[PKI_KEY_ID_MAX];
	size_t key_id_len = sizeof(key_id);
	const char *what;
	int rc, result;

	*out = NULL;
	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0)
		return pki__gnutls_fail(rc, "allocating a certificate");

	what = "setting the version";
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0)
		goto gnutls_failed;
	what = "setting the subject";
	if ((rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
						PKI_ORGANIZATION, strlen(PKI_ORGANIZATION))) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
						cn, (unsigned int)strlen(cn))) < 0)
		goto gnutls_failed;
	what = "setting the validity";
	if ((rc = gnutls_x509_crt_set_activation_time(crt, not_before)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, not_after)) < 0)
		goto gnutls_failed;
	what = "setting the public key";
	if ((rc = gnutls_x509_crt_set_key(crt, key)) < 0)
		goto gnutls_failed;
	what = "setting the subject key identifier";
	if ((rc = gnutls_x509_privkey_get_key_id(key, 0, key_id, &key_id_len)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len)) < 0)
		goto gnutls_failed;

	result = serial_set(crt);
	if (result)
		goto out;
	*out = crt;
	crt = NULL;
	result = ASEC_OK;
	goto out;

gnutls_failed:
	result = pki__gnutls_fail(rc, what);
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return result;
}

/* Signs crt with the issuer's key; for a self-signed certificate the issuer
 * is crt itself. */
static int crt_sign(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
		    gnutls_x509_privkey_t issuer_key)
{
	gnutls_privkey_t signer = NULL;
	int rc, result = ASEC_OK;

	rc = gnutls_privkey_init(&signer);
	if (rc < 0)
		return pki__gnutls_fail(rc, "allocating a signing key");
	rc = gnutls_privkey_import_x509(signer, issuer_key, 0);
	if (rc < 0) {
		result = pki__gnutls_fail(rc, "loading the signing key");
		goto out;
	}
	rc = gnutls_x509_crt_privkey_sign(crt, issuer, signer, GNUTLS_DIG_SHA256, 0);
	if (rc < 0)
		result = pki__gnutls_fail(rc, "signing the certificate");
out:
	gnutls_privkey_deinit(signer);
	return result;
}

static int keypair_new(pki_keypair **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

int pki_ca_create(pki_keypair **out, const char *common_name, unsigned days)
{
	pki_keypair *ca = NULL;
	time_t now = time(NULL);
	const char *what;
	int rc, result;

	*out = NULL;
	if (common_name == NULL)
		common_name = PKI_CA_COMMON_NAME;
	if ((result = check_common_name(common_name)) || (result = check_days(days)))
		return result;
	if ((result = keypair_new(&ca)))
		return result;
	if ((result = key_generate(&ca->key)))
		goto out;
	result = crt_start(&ca->crt, ca->key, common_name, now - PKI_BACKDATE_SECONDS,
			   now + (time_t)days * 86400);
	if (result)
		goto out;

	/* Path length 0: this CA signs service certificates, never other CAs. */
	what = "setting the CA extensions";
	if ((rc = gnutls_x509_crt_set_basic_constraints(ca->crt, 1, 0)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN |
							 GNUTLS_KEY_CRL_SIGN)) < 0) {
		result = pki__gnutls_fail(rc, what);
		goto out;
	}
	result = crt_sign(ca->crt, ca->crt, ca->key);
	if (result)
		goto out;
	*out = ca;
	ca = NULL;
out:
	pki_keypair_free(ca);
	return result;
}

static int add_sans(gnutls_x509_crt_t crt, const struct pki_issue_request *req)
{
	unsigned char addr[16];
	unsigned int addr_len;
	int rc, result;

	for (size_t i = 0; i < req->dns_count; i++) {
		const char *name = req->dns_names[i];
		if ((result = check_dns_name(name)))
			return result;
		rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
							  (unsigned int)strlen(name),
							  GNUTLS_FSAN_APPEND);
		if (rc < 0)
			return pki__gnutls_fail(rc, "adding a DNS name");
	}
	for (size_t i = 0; i < req->ip_count; i++) {
		const char *ip = req->ip_addresses[i];
		if (ip != NULL && inet_pton(AF_INET, ip, addr) == 1) {
			addr_len = 4;
		} else if (ip != NULL && inet_pton(AF_INET6, ip, addr) == 1) {
			addr_len = 16;
		} else {
			error_set("'%s' is not an IPv4 or IPv6 address", ip ? ip : "(null)");
			return ASEC_EINVALID;
		}
		rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr,
							  addr_len, GNUTLS_FSAN_APPEND);
		if (rc < 0)
			return pki__gnutls_fail(rc, "adding an IP address");
	}
	return ASEC_OK;
}

/* The authority key identifier is the CA's subject key identifier; a CA made
 * elsewhere without one gets the identifier GnuTLS derives from its key. */
static int set_authority_key_id(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca)
{
	unsigned char id[PKI_KEY_ID_MAX];
	size_t len = sizeof(id);
	unsigned int critical;
	int rc;

	rc = gnutls_x509_crt_get_subject_key_id(ca, id, &len, &critical);
	if (rc < 0) {
		len = sizeof(id);
		rc = gnutls_x509_crt_get_key_id(ca, 0, id, &len);
	}
	if (rc >= 0)
		rc = gnutls_x509_crt_set_authority_key_id(crt, id, len);
	if (rc < 0)
		return pki__gnutls_fail(rc, "setting the authority key identifier");
	return ASEC_OK;
}

int pki_issue(pki_keypair **out, const pki_keypair *ca,
	      const struct pki_issue_request *req)
{
	pki_keypair *kp = NULL;
	time_t now = time(NULL), ca_start, ca_end, not_before, not_after;
	char when[32];
	struct tm tm;
	const char *what;
	int rc, result;

	*out = NULL;
	if ((result = check_common_name(req->common_name)) || (result = check_days(req->days)))
		return result;
	if ((req->dns_count > 0 && req->dns_names == NULL) ||
	    (req->ip_count > 0 && req->ip_addresses == NULL)) {
		error_set("subjectAltName count given without names");
		return ASEC_EINVALID;
	}

	ca_start = gnutls_x509_crt_get_activation_time(ca->crt);
	ca_end = gnutls_x509_crt_get_expiration_time(ca->crt);
	if (ca_end == (time_t)-1 || ca_end <= now) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&ca_end, &tm));
		error_set("the CA expired on %s; make a new one", when);
		return ASEC_EAUTH;
	}
	/* A certificate cannot outlive the CA that vouches for it. */
	not_before = now - PKI_BACKDATE_SECONDS;
	if (ca_start != (time_t)-1 && not_before < ca_start)
		not_before = ca_start;
	not_after = now + (time_t)req->days * 86400;
	if (not_after > ca_end)
		not_after = ca_end;

	if ((result = keypair_new(&kp)))
		return result;
	if ((result = key_generate(&kp->key)))
		goto out;
	result = crt_start(&kp->crt, kp->key, req->common_name, not_before, not_after);
	if (result)
		goto out;

	/* keyEncipherment is left out: it means RSA key transport, which an
	 * ECDSA key cannot do; TLS with ECDHE needs digitalSignature only. */
	what = "setting the service certificate extensions";
	if ((rc = gnutls_x509_crt_set_basic_constraints(kp->crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(kp->crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(kp->crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0) {
		result = pki__gnutls_fail(rc, what);
		goto out;
	}
	if ((result = add_sans(kp->crt, req)) ||
	    (result = set_authority_key_id(kp->crt, ca->crt)) ||
	    (result = crt_sign(kp->crt, ca->crt, ca->key)))
		goto out;
	*out = kp;
	kp = NULL;
out:
	pki_keypair_free(kp);
	return result;
}

/* ---- key pairs in memory and in files ---- */

static int key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	unsigned char crt_id[PKI_KEY_ID_MAX], key_id[PKI_KEY_ID_MAX];
	size_t crt_len = sizeof(crt_id), key_len = sizeof(key_id);
	int rc;

	rc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, crt_id, &crt_len);
	if (rc < 0)
		return pki__gnutls_fail(rc, "reading the certificate's key");
	rc = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, key_id, &key_len);
	if (rc < 0)
		return pki__gnutls_fail(rc, "reading the private key");
	if (crt_len != key_len || memcmp(crt_id, key_id, crt_len) != 0) {
		error_set("the private key does not belong to the certificate");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int pki_keypair_from_pem(pki_keypair **out, const char *cert_pem,
			 size_t cert_len, const char *key_pem, size_t key_len)
{
	pki_keypair *kp = NULL;
	gnutls_datum_t datum;
	int rc, result;

	*out = NULL;
	if (key_pem == NULL || key_len == 0 || key_len > PKI_PEM_MAX) {
		error_set("private key is empty or larger than %d bytes", PKI_PEM_MAX);
		return key_len > PKI_PEM_MAX ? ASEC_ETOOBIG : ASEC_EINVALID;
	}
	if ((result = keypair_new(&kp)))
		return result;
	if ((result = pki__crt_import(&kp->crt, cert_pem, cert_len, GNUTLS_X509_FMT_PEM)))
		goto out;
	rc = gnutls_x509_privkey_init(&kp->key);
	if (rc < 0) {
		result = pki__gnutls_fail(rc, "allocating a private key");
		goto out;
	}
	datum.data = (unsigned char *)key_pem;
	datum.size = (unsigned int)key_len;
	/* No password: our keys are protected by file mode, not encryption. */
	rc = gnutls_x509_privkey_import2(kp->key, &datum, GNUTLS_X509_FMT_PEM, NULL,
					 GNUTLS_PKCS_PLAIN);
	if (rc < 0) {
		error_set("not a valid unencrypted private key: %s", gnutls_strerror(rc));
		result = rc == GNUTLS_E_MEMORY_ERROR ? ASEC_ENOMEM : ASEC_EINVALID;
		goto out;
	}
	if ((result = key_matches(kp->crt, kp->key)))
		goto out;
	*out = kp;
	kp = NULL;
out:
	pki_keypair_free(kp);
	return result;
}

int pki_file_read(char **data, size_t *len, const char *path)
{
	char *buf = NULL;
	size_t used = 0;
	struct stat st;
	int fd, result = ASEC_OK;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_set("%s: %s", path, strerror(errno));
		return errno == ENOENT ? ASEC_ENOTFOUND : ASEC_EIO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error_set("%s: not a regular file", path);
		result = ASEC_EINVALID;
		goto out;
	}
	if (st.st_size > PKI_PEM_MAX) {
		error_set("%s: %lld bytes is larger than the limit of %d", path,
			  (long long)st.st_size, PKI_PEM_MAX);
		result = ASEC_ETOOBIG;
		goto out;
	}
	/* One byte more than the limit, to notice a file that grew since fstat. */
	buf = malloc(PKI_PEM_MAX + 2);
	if (buf == NULL) {
		error_set("out of memory");
		result = ASEC_ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, PKI_PEM_MAX + 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("%s: %s", path, strerror(errno));
			result = ASEC_EIO;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > PKI_PEM_MAX) {
			error_set("%s: larger than the limit of %d bytes", path, PKI_PEM_MAX);
			result = ASEC_ETOOBIG;
			goto out;
		}
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	buf = NULL;
out:
	if (buf) {
		explicit_bzero(buf, used);
		free(buf);
	}
	close(fd);
	return result;
}

int pki_keypair_load(pki_keypair **out, const char *cert_path,
		     const char *key_path)
{
	char *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	int result;

	*out = NULL;
	if ((result = pki_file_read(&cert, &cert_len, cert_path)) ||
	    (result = pki_file_read(&key, &key_len, key_path)))
		goto out;
	result = pki_keypair_from_pem(out, cert, cert_len, key, key_len);
	if (result)
		error_prefix("%s", cert_path);
out:
	free(cert);
	if (key) {
		explicit_bzero(key, key_len);
		free(key);
	}
	return result;
}

int pki__file_write(const char *path, const void *data, size_t len,
		    mode_t mode, unsigned flags)
{
	char *tmp = NULL;
	const char *at = data;
	size_t done = 0;
	int fd = -1, result = ASEC_OK;

	if (strnlen(path, PATH_MAX) >= PATH_MAX - 16) {
		error_set("path too long");
		return ASEC_EINVALID;
	}
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		error_set("%s: %s", path, strerror(errno));
		free(tmp);
		return ASEC_EIO;
	}
	/* fchmod, not the open mode: the umask must not loosen or tighten it. */
	if (fchmod(fd, mode) < 0)
		goto io_failed;
	while (done < len) {
		ssize_t n = write(fd, at + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_failed;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto io_failed;
	if (close(fd) < 0) {
		fd = -1;
		goto io_failed;
	}
	fd = -1;
	if (flags & PKI_SAVE_EXCLUSIVE) {
		if (link(tmp, path) < 0) {
			if (errno == EEXIST) {
				error_set("%s already exists", path);
				result = ASEC_EEXISTS;
				goto out;
			}
			goto io_failed;
		}
	} else if (rename(tmp, path) < 0) {
		goto io_failed;
	}
	goto out;

io_failed:
	error_set("%s: %s", path, strerror(errno));
	result = ASEC_EIO;
out:
	if (fd >= 0)
		close(fd);
	/* After a rename this fails harmlessly; after a link it drops the
	 * temporary name; after a failure it removes the partial file. */
	unlink(tmp);
	free(tmp);
	return result;
}

int pki_keypair_save(const pki_keypair *kp, const char *cert_path,
		     const char *key_path, unsigned flags)
{
	gnutls_datum_t key = {NULL, 0}, cert = {NULL, 0};
	int rc, result;

	rc = gnutls_x509_privkey_export2_pkcs8(kp->key, GNUTLS_X509_FMT_PEM, NULL,
					       GNUTLS_PKCS_PLAIN, &key);
	if (rc < 0)
		return pki__gnutls_fail(rc, "encoding the private key");
	rc = gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_PEM, &cert);
	if (rc < 0) {
		result = pki__gnutls_fail(rc, "encoding the certificate");
		goto out;
	}
	if ((result = pki__file_write(key_path, key.data, key.size, 0600, flags)))
		goto out;
	result = pki__file_write(cert_path, cert.data, cert.size, 0644, flags);
	/* An exclusive save is all or nothing: drop the key we just made. */
	if (result && (flags & PKI_SAVE_EXCLUSIVE))
		unlink(key_path);
out:
	if (key.data) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	gnutls_free(cert.data);
	return result;
}

int pki_keypair_cert_pem(char **pem, size_t *len, const pki_keypair *kp)
{
	gnutls_datum_t datum = {NULL, 0};
	int rc;

	*pem = NULL;
	*len = 0;
	rc = gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_PEM, &datum);
	if (rc < 0)
		return pki__gnutls_fail(rc, "encoding the certificate");
	*pem = malloc((size_t)datum.size + 1);
	if (*pem == NULL) {
		gnutls_free(datum.data);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	memcpy(*pem, datum.data, datum.size);
	(*pem)[datum.size] = '\0';
	*len = datum.size;
	gnutls_free(datum.data);
	return ASEC_OK;
}

time_t pki_keypair_expires(const pki_keypair *kp)
{
	return gnutls_x509_crt_get_expiration_time(kp->crt);
}

void pki_keypair_free(pki_keypair *kp)
{
	if (kp == NULL)
		return;
	if (kp->crt)
		gnutls_x509_crt_deinit(kp->crt);
	if (kp->key)
		gnutls_x509_privkey_deinit(kp->key);
	free(kp);
}
