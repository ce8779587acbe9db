/*
 * pki_test.c - the CA and service certificates, checked from the outside
 * with GnuTLS itself: the fields a TLS peer looks at, verification against
 * the right and the wrong CA, bounded parsing of bad input, key file modes,
 * real mutual-TLS handshakes over a socketpair, and the idempotence of the
 * development PKI. Certificates the module would never make (expired, two
 * common names, a NUL in the name) are built here with GnuTLS directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "error/error.h"
#include "pki/pki.h"

#define DAY 86400

/* ---- helpers ---- */

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	size_t n = 0;
	assert_int_equal(pki_file_read(&data, &n, path), ASEC_OK);
	if (len)
		*len = n;
	return data;
}

static void write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static gnutls_x509_crt_t crt_load(const char *path)
{
	gnutls_x509_crt_t crt;
	size_t len;
	char *pem = read_all(path, &len);
	gnutls_datum_t d = {(unsigned char *)pem, (unsigned int)len};

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	free(pem);
	return crt;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Temporary directories still listed here when the tests end belong to a
 * test that failed half-way; the group teardown removes them. */
static char temp_dirs[32][64];

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/asec_pki_test.XXXXXX");
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(temp_dirs) / sizeof(temp_dirs[0]); i++)
		if (temp_dirs[i][0] == '\0') {
			snprintf(temp_dirs[i], sizeof(temp_dirs[i]), "%s", dir);
			break;
		}
	return dir;
}

static void temp_dir_remove(char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < sizeof(temp_dirs) / sizeof(temp_dirs[0]); i++)
		if (strcmp(temp_dirs[i], dir) == 0)
			temp_dirs[i][0] = '\0';
	free(dir);
}

static int remove_leftover_dirs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(temp_dirs) / sizeof(temp_dirs[0]); i++)
		if (temp_dirs[i][0] != '\0')
			nftw(temp_dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static mode_t file_mode(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* A certificate built by hand, for the shapes pki.c refuses to make. */
struct tcert {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

static void tcert_make(struct tcert *t, time_t not_before, time_t not_after, int ca)
{
	unsigned char serial[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x01};

	assert_int_equal(gnutls_x509_privkey_init(&t->key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(t->key, GNUTLS_PK_ECDSA,
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&t->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(t->crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(t->crt, serial, sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(t->crt, not_before), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(t->crt, not_after), 0);
	assert_int_equal(gnutls_x509_crt_set_key(t->crt, t->key), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(t->crt, ca, -1), 0);
	if (ca)
		assert_int_equal(gnutls_x509_crt_set_key_usage(t->crt, GNUTLS_KEY_KEY_CERT_SIGN), 0);
}

static void tcert_set_cn(struct tcert *t, const char *cn, size_t len)
{
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(t->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
						       cn, (unsigned int)len), 0);
}

/* Signs with issuer, or self-signs when issuer is NULL. */
static void tcert_sign(struct tcert *t, const struct tcert *issuer)
{
	gnutls_privkey_t signer;

	assert_int_equal(gnutls_privkey_init(&signer), 0);
	assert_int_equal(gnutls_privkey_import_x509(signer, issuer ? issuer->key : t->key, 0), 0);
	assert_int_equal(gnutls_x509_crt_privkey_sign(t->crt, issuer ? issuer->crt : t->crt,
						      signer, GNUTLS_DIG_SHA256, 0), 0);
	gnutls_privkey_deinit(signer);
}

static char *tcert_pem(const struct tcert *t, size_t *len)
{
	gnutls_datum_t d;
	char *pem;

	assert_int_equal(gnutls_x509_crt_export2(t->crt, GNUTLS_X509_FMT_PEM, &d), 0);
	pem = strndup((const char *)d.data, d.size);
	assert_non_null(pem);
	*len = d.size;
	gnutls_free(d.data);
	return pem;
}

static void tcert_write(const struct tcert *t, const char *crt_path, const char *key_path)
{
	gnutls_datum_t d;
	size_t len;
	char *pem = tcert_pem(t, &len);

	write_all(crt_path, pem, len);
	free(pem);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(t->key, GNUTLS_X509_FMT_PEM, NULL,
							   GNUTLS_PKCS_PLAIN, &d), 0);
	write_all(key_path, d.data, d.size);
	gnutls_free(d.data);
}

/* Loads the CA of a PKI directory so that tests can sign with it. */
static void tcert_load_ca(struct tcert *t, const char *dir)
{
	char *kpath = path_in(dir, "ca.key"), *cpath = path_in(dir, "ca.crt");
	size_t len;
	char *pem = read_all(kpath, &len);
	gnutls_datum_t d = {(unsigned char *)pem, (unsigned int)len};

	t->crt = crt_load(cpath);
	assert_int_equal(gnutls_x509_privkey_init(&t->key), 0);
	assert_int_equal(gnutls_x509_privkey_import2(t->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
	free(pem);
	free(kpath);
	free(cpath);
}

static void tcert_free(struct tcert *t)
{
	gnutls_x509_crt_deinit(t->crt);
	gnutls_x509_privkey_deinit(t->key);
}

/* All subjectAltNames of one type as "a,b,c" (IP addresses as text). */
static void sans_of(char *out, size_t out_len, gnutls_x509_crt_t crt, int type)
{
	char buf[256], ip[INET6_ADDRSTRLEN];
	unsigned int critical;

	out[0] = '\0';
	for (unsigned int seq = 0;; seq++) {
		size_t size = sizeof(buf);
		int rc = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &critical);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		assert_true(rc >= 0);
		if (rc != type)
			continue;
		if (out[0])
			strncat(out, ",", out_len - strlen(out) - 1);
		if (type == GNUTLS_SAN_IPADDRESS) {
			assert_non_null(inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip)));
			strncat(out, ip, out_len - strlen(out) - 1);
		} else {
			strncat(out, buf, out_len - strlen(out) - 1);
		}
	}
}

/* ---- the identity table ---- */

static void test_identities(void **state)
{
	const struct pki_identity *central, *op;

	(void)state;
	assert_int_equal(pki_identities_count, 7);
	central = pki_identity_by_cn("CENTRAL_SERVICE");
	assert_non_null(central);
	assert_string_equal(central->short_name, "central");
	assert_int_equal(central->role, PKI_ROLE_SERVICE);
	assert_string_equal(central->dns_names[0], "central");
	assert_string_equal(central->dns_names[1], "central.stackrox");
	assert_string_equal(central->dns_names[2], "central.stackrox.svc");
	assert_null(central->dns_names[3]);
	assert_ptr_equal(pki_identity_by_short_name("scanner-v4-indexer"),
			 pki_identity_by_cn("SCANNER_V4_INDEXER_SERVICE"));
	assert_string_equal(pki_identity_by_cn("SCANNER_V4_MATCHER_SERVICE")->dns_names[2],
			    "scanner-v4-matcher.stackrox.svc");
	assert_string_equal(pki_identity_by_cn("ADMISSION_CONTROL_SERVICE")->short_name,
			    "admission-control");
	assert_non_null(pki_identity_by_cn("SENSOR_SERVICE"));
	assert_non_null(pki_identity_by_cn("COLLECTOR_SERVICE"));
	op = pki_identity_by_cn("OPERATOR");
	assert_non_null(op);
	assert_string_equal(op->short_name, "operator");
	assert_int_equal(op->role, PKI_ROLE_OPERATOR);
	assert_null(op->dns_names[0]);
	assert_null(pki_identity_by_cn("central"));
	assert_null(pki_identity_by_cn(NULL));
	assert_null(pki_identity_by_short_name("CENTRAL_SERVICE"));
	for (size_t i = 0; i < pki_identities_count; i++)
		for (size_t j = i + 1; j < pki_identities_count; j++) {
			assert_string_not_equal(pki_identities[i].common_name, pki_identities[j].common_name);
			assert_string_not_equal(pki_identities[i].short_name, pki_identities[j].short_name);
		}
}

/* ---- the CA and a service certificate, read back with GnuTLS ---- */

static void test_ca_and_service_certificate(void **state)
{
	static const char *const dns[] = {"central", "central.stackrox.svc"};
	static const char *const ips[] = {"127.0.0.1", "::1"};
	struct pki_issue_request req = {PKI_CN_CENTRAL, dns, 2, ips, 2, 10};
	char *dir = temp_dir();
	char *ca_crt = path_in(dir, "ca.crt"), *ca_key = path_in(dir, "ca.key");
	char *crt_path = path_in(dir, "central.crt"), *key_path = path_in(dir, "central.key");
	gnutls_x509_crt_t ca, crt;
	unsigned char serial[32], skid[64], akid[64];
	size_t size, skid_len = sizeof(skid), akid_len = sizeof(akid);
	unsigned int critical, usage, is_ca, status, bits;
	char buf[512], *cn = NULL, *ca_pem, *pem;
	size_t ca_len, pem_len;
	int path_len, server = 0, client = 0;
	time_t now = time(NULL);
	mode_t old_umask;

	(void)state;
	/* With umask 0, only an explicit mode keeps the key private. */
	old_umask = umask(0);
	assert_int_equal(pki_dir_init(dir, 30), ASEC_OK);
	assert_int_equal(file_mode(ca_key), 0600);
	assert_int_equal(file_mode(ca_crt), 0644);
	pem = read_all(ca_crt, &pem_len);
	assert_int_equal(pki_dir_init(dir, 30), ASEC_EEXISTS);
	assert_non_null(strstr(error_last(), "refusing"));
	ca_pem = read_all(ca_crt, &ca_len);
	assert_int_equal(ca_len, pem_len);
	assert_memory_equal(ca_pem, pem, ca_len); /* the refused init left it alone */
	free(pem);

	ca = crt_load(ca_crt);
	assert_true(gnutls_x509_crt_check_issuer(ca, ca)); /* self-signed */
	assert_int_equal(gnutls_x509_crt_verify(ca, &ca, 1, 0, &status), 0);
	assert_int_equal(status, 0);
	assert_true(gnutls_x509_crt_get_basic_constraints(ca, &critical, &is_ca, &path_len) >= 0);
	assert_true(is_ca);
	assert_int_equal(path_len, 0);
	assert_true(gnutls_x509_crt_get_key_usage(ca, &usage, &critical) >= 0);
	assert_int_equal(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
	size = sizeof(serial);
	assert_int_equal(gnutls_x509_crt_get_serial(ca, serial, &size), 0);
	assert_int_equal(size, 16);
	assert_int_equal(serial[0] & 0x80, 0);
	size = sizeof(buf);
	assert_int_equal(gnutls_x509_crt_get_dn_by_oid(ca, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
						       buf, &size), 0);
	assert_string_equal(buf, PKI_CA_COMMON_NAME);
	assert_true(gnutls_x509_crt_get_expiration_time(ca) > now + 29 * DAY);
	assert_true(gnutls_x509_crt_get_expiration_time(ca) <= now + 30 * DAY + 60);
	assert_int_equal(gnutls_x509_crt_get_pk_algorithm(ca, &bits), GNUTLS_PK_ECDSA);
	assert_int_equal(bits, 256);
	assert_int_equal(gnutls_x509_crt_get_subject_key_id(ca, skid, &skid_len, &critical), 0);

	/* The service certificate. */
	assert_int_equal(pki_dir_issue(dir, NULL, &req), ASEC_OK);
	assert_int_equal(file_mode(key_path), 0600);
	umask(old_umask);
	crt = crt_load(crt_path);
	assert_int_equal(gnutls_x509_crt_verify(crt, &ca, 1, 0, &status), 0);
	assert_int_equal(status, 0);
	pem = read_all(crt_path, &pem_len);
	assert_int_equal(pki_verify_chain(pem, pem_len, ca_pem, ca_len), ASEC_OK);
	assert_int_equal(pki_cert_common_name(&cn, pem, pem_len), ASEC_OK);
	assert_string_equal(cn, "CENTRAL_SERVICE");
	free(cn);

	sans_of(buf, sizeof(buf), crt, GNUTLS_SAN_DNSNAME);
	assert_string_equal(buf, "central,central.stackrox.svc");
	sans_of(buf, sizeof(buf), crt, GNUTLS_SAN_IPADDRESS);
	assert_string_equal(buf, "127.0.0.1,::1");
	assert_true(gnutls_x509_crt_check_hostname(crt, "central.stackrox.svc"));
	assert_false(gnutls_x509_crt_check_hostname(crt, "sensor.stackrox.svc"));
	assert_true(gnutls_x509_crt_check_ip(crt, (const unsigned char *)"\x7f\0\0\x01", 4, 0));

	for (unsigned int i = 0;; i++) {
		size = sizeof(buf);
		int rc = gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &size, &critical);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		assert_int_equal(rc, 0);
		server |= strcmp(buf, GNUTLS_KP_TLS_WWW_SERVER) == 0;
		client |= strcmp(buf, GNUTLS_KP_TLS_WWW_CLIENT) == 0;
	}
	assert_true(server && client);
	assert_true(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0);
	assert_true(usage & GNUTLS_KEY_DIGITAL_SIGNATURE);
	assert_false(usage & (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
	assert_int_equal(gnutls_x509_crt_get_basic_constraints(crt, &critical, &is_ca, &path_len), 0);
	assert_false(is_ca);
	assert_int_equal(gnutls_x509_crt_get_authority_key_id(crt, akid, &akid_len, &critical), 0);
	assert_int_equal(akid_len, skid_len);
	assert_memory_equal(akid, skid, skid_len);
	assert_true(gnutls_x509_crt_get_expiration_time(crt) > now + 9 * DAY);
	/* the certificate is dated when it is issued, a moment after now */
	assert_true(gnutls_x509_crt_get_expiration_time(crt) <= now + 10 * DAY + 60);
	assert_int_equal(gnutls_x509_crt_get_pk_algorithm(crt, &bits), GNUTLS_PK_ECDSA);
	free(pem);
	gnutls_x509_crt_deinit(crt);

	/* Asking for more days than the CA has left gives the CA's expiry. */
	req.common_name = "CUSTOM_THING";
	req.days = 1000;
	assert_int_equal(pki_dir_issue(dir, "custom", &req), ASEC_OK);
	free(crt_path);
	crt_path = path_in(dir, "custom.crt");
	crt = crt_load(crt_path);
	assert_int_equal(gnutls_x509_crt_get_expiration_time(crt),
			 gnutls_x509_crt_get_expiration_time(ca));
	gnutls_x509_crt_deinit(crt);

	/* File names: unknown identities need one, and it must stay in DIR. */
	assert_int_equal(pki_dir_issue(dir, NULL, &req), ASEC_EINVALID);
	assert_int_equal(pki_dir_issue(dir, "../escape", &req), ASEC_EINVALID);
	assert_int_equal(pki_dir_issue(dir, "ca", &req), ASEC_EINVALID);
	assert_int_equal(pki_dir_issue(dir, ".hidden", &req), ASEC_EINVALID);

	gnutls_x509_crt_deinit(ca);
	free(ca_pem);
	free(ca_crt);
	free(ca_key);
	free(crt_path);
	free(key_path);
	temp_dir_remove(dir);
}

static void test_bad_names_are_refused(void **state)
{
	static const char *const bad_dns[] = {
		"bad_name", "*.wild.example", "-lead.example", "trail-.example", "a..b",
		"dot.", "127.0.0.1", "::1", "sp ace", "",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	};
	static const char *const bad_ips[] = {"300.1.1.1", "localhost", "1.2.3", "::g", ""};
	static const char *const bad_cns[] = {
		"", "new\nline", "esc\x1b", "x\x7f",
		"12345678901234567890123456789012345678901234567890123456789012345",
	};
	struct pki_issue_request req = {PKI_CN_SENSOR, NULL, 0, NULL, 0, 5};
	pki_keypair *ca = NULL, *kp = NULL;

	(void)state;
	assert_int_equal(pki_ca_create(&ca, NULL, 10), ASEC_OK);
	assert_int_equal(pki_issue(&kp, ca, &req), ASEC_OK); /* the baseline is fine */
	pki_keypair_free(kp);
	kp = NULL;
	for (size_t i = 0; i < sizeof(bad_dns) / sizeof(bad_dns[0]); i++) {
		req.dns_names = &bad_dns[i];
		req.dns_count = 1;
		error_clear();
		assert_int_equal(pki_issue(&kp, ca, &req), ASEC_EINVALID);
		assert_null(kp);
		assert_true(error_last()[0] != '\0');
	}
	req.dns_count = 0;
	for (size_t i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++) {
		req.ip_addresses = &bad_ips[i];
		req.ip_count = 1;
		assert_int_equal(pki_issue(&kp, ca, &req), ASEC_EINVALID);
	}
	req.ip_count = 0;
	for (size_t i = 0; i < sizeof(bad_cns) / sizeof(bad_cns[0]); i++) {
		req.common_name = bad_cns[i];
		assert_int_equal(pki_issue(&kp, ca, &req), ASEC_EINVALID);
	}
	req.common_name = PKI_CN_SENSOR;
	req.days = 0;
	assert_int_equal(pki_issue(&kp, ca, &req), ASEC_EINVALID);
	req.days = PKI_DAYS_MAX + 1;
	assert_int_equal(pki_issue(&kp, ca, &req), ASEC_EINVALID);
	assert_int_equal(pki_ca_create(&kp, NULL, 0), ASEC_EINVALID);
	assert_int_equal(pki_ca_create(&kp, "bad\tname", 10), ASEC_EINVALID);
	pki_keypair_free(ca);
}

/* ---- verification against the wrong CA, or out of time ---- */

static void test_verify_chain_refuses(void **state)
{
	struct pki_issue_request req = {PKI_CN_SENSOR, NULL, 0, NULL, 0, 5};
	pki_keypair *ca = NULL, *other_ca = NULL, *good = NULL, *foreign = NULL;
	char *ca_pem, *other_pem, *good_pem, *foreign_pem, *expired_pem;
	size_t ca_len, other_len, good_len, foreign_len, expired_len;
	struct tcert signer, expired;
	time_t now = time(NULL);

	(void)state;
	/* Same common name, different key: only the signature tells them apart. */
	assert_int_equal(pki_ca_create(&ca, NULL, 10), ASEC_OK);
	assert_int_equal(pki_ca_create(&other_ca, NULL, 10), ASEC_OK);
	assert_int_equal(pki_issue(&good, ca, &req), ASEC_OK);
	assert_int_equal(pki_issue(&foreign, other_ca, &req), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&ca_pem, &ca_len, ca), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&other_pem, &other_len, other_ca), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&good_pem, &good_len, good), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&foreign_pem, &foreign_len, foreign), ASEC_OK);

	assert_int_equal(pki_verify_chain(good_pem, good_len, ca_pem, ca_len), ASEC_OK);
	assert_int_equal(pki_verify_chain(foreign_pem, foreign_len, other_pem, other_len), ASEC_OK);
	error_clear();
	assert_int_equal(pki_verify_chain(foreign_pem, foreign_len, ca_pem, ca_len), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), "not trusted"));
	assert_int_equal(pki_verify_chain(good_pem, good_len, other_pem, other_len), ASEC_EAUTH);
	/* A service certificate is no CA: nothing it signs is trusted. */
	assert_int_equal(pki_verify_chain(good_pem, good_len, foreign_pem, foreign_len), ASEC_EAUTH);

	/* Signed by the right CA but expired yesterday. Signing it by hand
	 * needs the CA's key: save the pair and load it back with GnuTLS. */
	{
		char *dir = temp_dir(), *c = path_in(dir, "ca.crt"), *k = path_in(dir, "ca.key");
		assert_int_equal(pki_keypair_save(ca, c, k, PKI_SAVE_EXCLUSIVE), ASEC_OK);
		assert_int_equal(pki_keypair_save(ca, c, k, PKI_SAVE_EXCLUSIVE), ASEC_EEXISTS);
		tcert_load_ca(&signer, dir);
		free(c);
		free(k);
		temp_dir_remove(dir);
	}
	tcert_make(&expired, now - 10 * DAY, now - DAY, 0);
	tcert_set_cn(&expired, PKI_CN_SENSOR, strlen(PKI_CN_SENSOR));
	tcert_sign(&expired, &signer);
	expired_pem = tcert_pem(&expired, &expired_len);
	assert_int_equal(pki_verify_chain(expired_pem, expired_len, ca_pem, ca_len), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), "expired"));

	/* Garbage on either side is an input error, not a trust decision. */
	assert_int_equal(pki_verify_chain("junk", 4, ca_pem, ca_len), ASEC_EINVALID);
	assert_int_equal(pki_verify_chain(good_pem, good_len, "junk", 4), ASEC_EINVALID);

	tcert_free(&expired);
	tcert_free(&signer);
	free(expired_pem);
	free(ca_pem);
	free(other_pem);
	free(good_pem);
	free(foreign_pem);
	pki_keypair_free(ca);
	pki_keypair_free(other_ca);
	pki_keypair_free(good);
	pki_keypair_free(foreign);
}

/* ---- bad input ---- */

static void test_bad_pem_fails_cleanly(void **state)
{
	struct pki_issue_request req = {PKI_CN_COLLECTOR, NULL, 0, NULL, 0, 5};
	pki_keypair *ca = NULL, *kp = NULL, *other = NULL, *loaded = NULL;
	char *pem, *big, *cn = NULL, *text = NULL, *dir = temp_dir();
	char *crt_path = path_in(dir, "c.crt"), *key_path = path_in(dir, "c.key");
	char *okey_path = path_in(dir, "o.key"), *ocrt_path = path_in(dir, "o.crt");
	char *big_path = path_in(dir, "big.pem");
	size_t len, n;

	(void)state;
	assert_int_equal(pki_ca_create(&ca, NULL, 10), ASEC_OK);
	assert_int_equal(pki_issue(&kp, ca, &req), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&pem, &len, kp), ASEC_OK);

	assert_int_equal(pki_cert_common_name(&cn, "hello", 5), ASEC_EINVALID);
	assert_null(cn);
	assert_true(error_last()[0] != '\0');
	assert_int_equal(pki_cert_common_name(&cn, pem, 0), ASEC_EINVALID);
	assert_int_equal(pki_cert_common_name(&cn, NULL, 10), ASEC_EINVALID);
	assert_int_equal(pki_cert_common_name(&cn, pem, len / 2), ASEC_EINVALID);
	assert_int_equal(pki_cert_describe(&text, "-----BEGIN CERTIFICATE-----\n!!!\n"
					   "-----END CERTIFICATE-----\n", 58), ASEC_EINVALID);
	assert_null(text);
	assert_int_equal(pki_cert_common_name_der(&cn, (const unsigned char *)"\x30\x82\xff\xff", 4),
			 ASEC_EINVALID);

	/* A valid certificate padded past the limit is refused by size alone;
	 * padded to exactly the limit it is read. */
	big = malloc(PKI_PEM_MAX + 1);
	assert_non_null(big);
	memset(big, '\n', PKI_PEM_MAX + 1);
	memcpy(big, pem, len);
	assert_int_equal(pki_cert_common_name(&cn, big, PKI_PEM_MAX + 1), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "limit"));
	assert_int_equal(pki_verify_chain(big, PKI_PEM_MAX + 1, pem, len), ASEC_ETOOBIG);
	assert_int_equal(pki_cert_common_name(&cn, big, PKI_PEM_MAX), ASEC_OK);
	assert_string_equal(cn, PKI_CN_COLLECTOR);
	free(cn);
	write_all(big_path, big, PKI_PEM_MAX + 1);
	assert_int_equal(pki_file_read(&text, &n, big_path), ASEC_ETOOBIG);
	assert_null(text);
	assert_int_equal(pki_file_read(&text, &n, dir), ASEC_EINVALID);
	assert_int_equal(pki_file_read(&text, &n, "/nonexistent/x.pem"), ASEC_ENOTFOUND);

	/* Key pairs: garbage key, a key of another certificate, oversized key. */
	assert_int_equal(pki_keypair_save(kp, crt_path, key_path, 0), ASEC_OK);
	assert_int_equal(pki_keypair_load(&loaded, crt_path, key_path), ASEC_OK);
	pki_keypair_free(loaded);
	loaded = NULL;
	assert_int_equal(pki_issue(&other, ca, &req), ASEC_OK);
	assert_int_equal(pki_keypair_save(other, ocrt_path, okey_path, 0), ASEC_OK);
	assert_int_equal(pki_keypair_load(&loaded, crt_path, okey_path), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "does not belong"));
	assert_null(loaded);
	write_all(okey_path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 58);
	assert_int_equal(pki_keypair_load(&loaded, crt_path, okey_path), ASEC_EINVALID);
	assert_int_equal(pki_keypair_load(&loaded, crt_path, big_path), ASEC_ETOOBIG);
	assert_int_equal(pki_keypair_load(&loaded, big_path, key_path), ASEC_ETOOBIG);
	assert_int_equal(pki_keypair_from_pem(&loaded, pem, len, big, PKI_PEM_MAX + 1), ASEC_ETOOBIG);
	assert_null(loaded);

	free(big);
	free(pem);
	pki_keypair_free(kp);
	pki_keypair_free(other);
	pki_keypair_free(ca);
	free(crt_path);
	free(key_path);
	free(ocrt_path);
	free(okey_path);
	free(big_path);
	temp_dir_remove(dir);
}

/* An identity must be unambiguous: two common names, a NUL inside one, or
 * none at all is refused rather than read as the first part. */
static void test_ambiguous_common_names(void **state)
{
	struct tcert two, nul, none, esc;
	char *pem, *cn = NULL, *text = NULL;
	size_t len;
	time_t now = time(NULL);
	static const char nul_name[] = "CENTRAL_SERVICE\0.evil";
	static const char esc_name[] = "X\x1b]0;owned\x07Y";

	(void)state;
	tcert_make(&two, now - DAY, now + DAY, 0);
	tcert_set_cn(&two, "SENSOR_SERVICE", 14);
	tcert_set_cn(&two, "CENTRAL_SERVICE", 15);
	tcert_sign(&two, NULL);
	pem = tcert_pem(&two, &len);
	assert_int_equal(pki_cert_common_name(&cn, pem, len), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "more than one"));
	assert_null(cn);
	free(pem);

	tcert_make(&nul, now - DAY, now + DAY, 0);
	tcert_set_cn(&nul, nul_name, sizeof(nul_name) - 1);
	tcert_sign(&nul, NULL);
	pem = tcert_pem(&nul, &len);
	assert_int_equal(pki_cert_common_name(&cn, pem, len), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not a plain string"));
	assert_null(cn);
	free(pem);

	tcert_make(&none, now - DAY, now + DAY, 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(none.crt, GNUTLS_OID_X520_ORGANIZATION_NAME,
						       0, "org", 3), 0);
	tcert_sign(&none, NULL);
	pem = tcert_pem(&none, &len);
	assert_int_equal(pki_cert_common_name(&cn, pem, len), ASEC_ENOTFOUND);
	free(pem);

	/* A terminal escape in a name is not passed through by describe. */
	tcert_make(&esc, now - DAY, now + DAY, 0);
	tcert_set_cn(&esc, esc_name, sizeof(esc_name) - 1);
	tcert_sign(&esc, NULL);
	pem = tcert_pem(&esc, &len);
	assert_int_equal(pki_cert_describe(&text, pem, len), ASEC_OK);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\x07'));
	/* GnuTLS escapes ';' the RFC 4514 way; the control bytes become '?'. */
	assert_non_null(strstr(text, "common name:        X?]0\\;owned?Y\n"));
	free(text);
	free(pem);

	tcert_free(&two);
	tcert_free(&nul);
	tcert_free(&none);
	tcert_free(&esc);
}

static void test_describe(void **state)
{
	static const char *const dns[] = {"sensor.stackrox.svc"};
	static const char *const ips[] = {"10.0.0.7", "fd00::1"};
	struct pki_issue_request req = {PKI_CN_SENSOR, dns, 1, ips, 2, 5};
	pki_keypair *ca = NULL, *kp = NULL;
	char *pem, *text = NULL;
	size_t len;

	(void)state;
	assert_int_equal(pki_ca_create(&ca, "Test Describe CA", 10), ASEC_OK);
	assert_int_equal(pki_issue(&kp, ca, &req), ASEC_OK);
	assert_int_equal(pki_keypair_cert_pem(&pem, &len, kp), ASEC_OK);
	assert_int_equal(pki_cert_describe(&text, pem, len), ASEC_OK);
	assert_non_null(strstr(text, "common name:        SENSOR_SERVICE\n"));
	assert_non_null(strstr(text, "CN=Test Describe CA"));
	assert_non_null(strstr(text, "DNS names:          sensor.stackrox.svc\n"));
	assert_non_null(strstr(text, "IP addresses:       10.0.0.7, fd00::1\n"));
	assert_non_null(strstr(text, "extended key usage: serverAuth, clientAuth\n"));
	assert_non_null(strstr(text, "key usage:          digitalSignature\n"));
	assert_non_null(strstr(text, "CA:                 no\n"));
	assert_non_null(strstr(text, "status now:         valid\n"));
	assert_non_null(strstr(text, "SHA-256 fingerprint: "));
	free(text);
	free(pem);

	assert_int_equal(pki_keypair_cert_pem(&pem, &len, ca), ASEC_OK);
	assert_int_equal(pki_cert_describe(&text, pem, len), ASEC_OK);
	assert_non_null(strstr(text, "CA:                 yes, path length 0\n"));
	assert_non_null(strstr(text, "key usage:          keyCertSign, cRLSign\n"));
	assert_null(strstr(text, "DNS names"));
	free(text);
	free(pem);
	pki_keypair_free(kp);
	pki_keypair_free(ca);
}

static void test_key_mode_on_replace(void **state)
{
	struct pki_issue_request req = {PKI_CN_SENSOR, NULL, 0, NULL, 0, 5};
	char *dir = temp_dir(), *key_path = path_in(dir, "sensor.key");
	char *crt_path = path_in(dir, "sensor.crt");
	mode_t old_umask;

	(void)state;
	assert_int_equal(pki_dir_init(dir, 10), ASEC_OK);
	write_all(key_path, "old", 3);
	assert_int_equal(chmod(key_path, 0666), 0);
	old_umask = umask(0);
	assert_int_equal(pki_dir_issue(dir, NULL, &req), ASEC_OK);
	umask(old_umask);
	assert_int_equal(file_mode(key_path), 0600);
	assert_int_equal(file_mode(crt_path), 0644);
	/* And no temporary file is left behind. */
	{
		char *pattern = path_in(dir, "*.tmp.*");
		glob_t g;
		assert_int_equal(glob(pattern, 0, NULL, &g), GLOB_NOMATCH);
		free(pattern);
	}
	free(key_path);
	free(crt_path);
	temp_dir_remove(dir);
}

/* ---- mutual TLS with the issued certificates ---- */

struct tls_side {
	int fd;
	gnutls_certificate_credentials_t cred;
	const char *host; /* the client checks the server's name */
	int handshake;
	char peer_cn[128];
	char received[16];
};

static void tls_creds(struct tls_side *side, const char *ca, const char *crt, const char *key)
{
	assert_int_equal(gnutls_certificate_allocate_credentials(&side->cred), 0);
	assert_int_equal(gnutls_certificate_set_x509_trust_file(side->cred, ca, GNUTLS_X509_FMT_PEM), 1);
	if (crt)
		assert_int_equal(gnutls_certificate_set_x509_key_file(side->cred, crt, key,
								      GNUTLS_X509_FMT_PEM), 0);
}

static int tls_run(gnutls_session_t s, struct tls_side *side)
{
	int rc;

	assert_int_equal(gnutls_set_default_priority(s), 0);
	assert_int_equal(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, side->cred), 0);
	gnutls_transport_set_int(s, side->fd);
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	return rc;
}

/* The server: central, demanding and verifying a client certificate, then
 * reading the caller's identity from it the way the HTTP server will. */
static void *tls_server(void *arg)
{
	struct tls_side *side = arg;
	const gnutls_datum_t *peers;
	unsigned int n = 0, status = 1;
	gnutls_session_t s;
	char *cn = NULL;
	ssize_t got;

	if (gnutls_init(&s, GNUTLS_SERVER) < 0)
		return NULL;
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
	gnutls_session_set_verify_cert(s, NULL, 0);
	side->handshake = tls_run(s, side);
	if (side->handshake < 0)
		goto out;
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0) {
		side->handshake = -1;
		goto out;
	}
	peers = gnutls_certificate_get_peers(s, &n);
	if (peers && n > 0 && pki_cert_common_name_der(&cn, peers[0].data, peers[0].size) == ASEC_OK) {
		snprintf(side->peer_cn, sizeof(side->peer_cn), "%s", cn);
		free(cn);
	}
	got = gnutls_record_recv(s, side->received, sizeof(side->received) - 1);
	if (got > 0)
		gnutls_record_send(s, "pong", 4);
out:
	gnutls_deinit(s);
	/* Closing wakes the client if the handshake died without an alert. */
	close(side->fd);
	return NULL;
}

static void tls_client(struct tls_side *side)
{
	gnutls_session_t s;
	ssize_t got;

	assert_int_equal(gnutls_init(&s, GNUTLS_CLIENT), 0);
	assert_int_equal(gnutls_server_name_set(s, GNUTLS_NAME_DNS, side->host, strlen(side->host)), 0);
	gnutls_session_set_verify_cert(s, side->host, 0);
	side->handshake = tls_run(s, side);
	if (side->handshake == 0 && gnutls_record_send(s, "ping", 4) == 4) {
		got = gnutls_record_recv(s, side->received, sizeof(side->received) - 1);
		if (got > 0)
			side->received[got] = '\0';
	}
	gnutls_deinit(s);
	close(side->fd);
}

/* Runs one handshake: central serves with DIR's certificate, the client
 * presents client_name's pair (or none) and trusts client_ca. */
static void handshake(struct tls_side *server, struct tls_side *client, const char *dir,
		      const char *client_crt, const char *client_key, const char *client_ca,
		      const char *host)
{
	char *ca = path_in(dir, "ca.crt"), *crt = path_in(dir, "central.crt");
	char *key = path_in(dir, "central.key");
	struct timeval tv = {10, 0};
	int fds[2];
	pthread_t thread;

	memset(server, 0, sizeof(*server));
	memset(client, 0, sizeof(*client));
	tls_creds(server, ca, crt, key);
	tls_creds(client, client_ca, client_crt, client_key);
	client->host = host;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	/* No test may hang: a stuck read gives up after ten seconds. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	server->fd = fds[0];
	client->fd = fds[1];
	assert_int_equal(pthread_create(&thread, NULL, tls_server, server), 0);
	tls_client(client);
	assert_int_equal(pthread_join(thread, NULL), 0);
	gnutls_certificate_free_credentials(server->cred);
	gnutls_certificate_free_credentials(client->cred);
	free(ca);
	free(crt);
	free(key);
}

static void test_mutual_tls_handshake(void **state)
{
	char *dir = temp_dir(), *other = temp_dir();
	char *ca = path_in(dir, "ca.crt");
	char *icrt = path_in(dir, "scanner-v4-indexer.crt"), *ikey = path_in(dir, "scanner-v4-indexer.key");
	char *fcrt = path_in(other, "scanner-v4-indexer.crt"), *fkey = path_in(other, "scanner-v4-indexer.key");
	struct tls_side server, client;

	(void)state;
	assert_int_equal(pki_dir_dev(dir, NULL, NULL), ASEC_OK);
	assert_int_equal(pki_dir_dev(other, NULL, NULL), ASEC_OK);

	handshake(&server, &client, dir, icrt, ikey, ca, "central.stackrox.svc");
	assert_int_equal(client.handshake, 0);
	assert_int_equal(server.handshake, 0);
	assert_string_equal(server.peer_cn, "SCANNER_V4_INDEXER_SERVICE");
	assert_string_equal(server.received, "ping");
	assert_string_equal(client.received, "pong");

	/* Loopback names work too, as in development. */
	handshake(&server, &client, dir, icrt, ikey, ca, "localhost");
	assert_int_equal(client.handshake, 0);
	assert_int_equal(server.handshake, 0);

	/* An indexer certificate from another installation's CA is refused. */
	handshake(&server, &client, dir, fcrt, fkey, ca, "central.stackrox.svc");
	assert_true(server.handshake < 0);
	assert_string_equal(server.peer_cn, "");

	/* No client certificate at all is refused. */
	handshake(&server, &client, dir, NULL, NULL, ca, "central.stackrox.svc");
	assert_true(server.handshake < 0);

	/* The client refuses central's certificate under another service's name. */
	handshake(&server, &client, dir, icrt, ikey, ca, "sensor.stackrox.svc");
	assert_true(client.handshake < 0);

	free(ca);
	free(icrt);
	free(ikey);
	free(fcrt);
	free(fkey);
	temp_dir_remove(dir);
	temp_dir_remove(other);
}

/* ---- the development PKI ---- */

struct dev_log {
	int kept, created, replaced;
	char replaced_names[512];
	char renew_reason[128], matcher_reason[128];
};

static void dev_record(void *ctx, enum pki_dev_action action, const char *path, const char *cn,
		       const char *reason)
{
	struct dev_log *log = ctx;
	const char *base = strrchr(path, '/');

	(void)cn;
	switch (action) {
	case PKI_DEV_KEPT:
		log->kept++;
		assert_null(reason);
		break;
	case PKI_DEV_CREATED:
		log->created++;
		break;
	case PKI_DEV_REPLACED:
		log->replaced++;
		assert_non_null(reason);
		assert_true(reason[0] != '\0');
		strncat(log->replaced_names, base + 1,
			sizeof(log->replaced_names) - strlen(log->replaced_names) - 2);
		strcat(log->replaced_names, " ");
		if (strcmp(base + 1, "admission-control.crt") == 0)
			snprintf(log->renew_reason, sizeof(log->renew_reason), "%s", reason);
		if (strcmp(base + 1, "scanner-v4-matcher.crt") == 0)
			snprintf(log->matcher_reason, sizeof(log->matcher_reason), "%s", reason);
		break;
	}
}

static void dev_run(struct dev_log *log, const char *dir)
{
	memset(log, 0, sizeof(*log));
	assert_int_equal(pki_dir_dev(dir, dev_record, log), ASEC_OK);
}

static char *snapshot(const char *dir, const char *name, size_t *len)
{
	char *p = path_in(dir, name), *data = read_all(p, len);
	free(p);
	return data;
}

static void test_dev_is_idempotent(void **state)
{
	char *root = temp_dir(), *dir = path_in(root, "nested/pki");
	char *ca_pem, *central, *names[16], *contents[16];
	size_t ca_len, lens[16], count = 0, len;
	struct dev_log log;
	struct tcert ca, expiring;
	char buf[512], *p, *q;
	gnutls_x509_crt_t crt;
	time_t now = time(NULL);

	(void)state;
	dev_run(&log, dir);
	assert_int_equal(log.created, 1 + 7);
	assert_int_equal(log.kept + log.replaced, 0);

	ca_pem = snapshot(dir, "ca.crt", &ca_len);
	for (size_t i = 0; i < pki_identities_count; i++) {
		char *pem, *cn;
		assert_true(snprintf(buf, sizeof(buf), "%s.crt", pki_identities[i].short_name) > 0);
		names[count] = strdup(buf);
		pem = contents[count] = snapshot(dir, buf, &lens[count]);
		assert_int_equal(pki_verify_chain(pem, lens[count], ca_pem, ca_len), ASEC_OK);
		assert_int_equal(pki_cert_common_name(&cn, pem, lens[count]), ASEC_OK);
		assert_string_equal(cn, pki_identities[i].common_name);
		free(cn);
		count++;
		assert_true(snprintf(buf, sizeof(buf), "%s/%s.key", dir, pki_identities[i].short_name) > 0);
		assert_int_equal(file_mode(buf), 0600);
	}
	p = path_in(dir, "central.crt");
	crt = crt_load(p);
	free(p);
	sans_of(buf, sizeof(buf), crt, GNUTLS_SAN_DNSNAME);
	assert_string_equal(buf, "localhost,central,central.stackrox,central.stackrox.svc");
	sans_of(buf, sizeof(buf), crt, GNUTLS_SAN_IPADDRESS);
	assert_string_equal(buf, "127.0.0.1,::1");
	gnutls_x509_crt_deinit(crt);
	p = path_in(dir, "operator.crt");
	crt = crt_load(p);
	free(p);
	sans_of(buf, sizeof(buf), crt, GNUTLS_SAN_DNSNAME);
	assert_string_equal(buf, "");
	gnutls_x509_crt_deinit(crt);

	/* Again: everything kept, byte for byte. */
	dev_run(&log, dir);
	assert_int_equal(log.kept, 1 + 7);
	assert_int_equal(log.created + log.replaced, 0);
	for (size_t i = 0; i < count; i++) {
		char *now_pem = snapshot(dir, names[i], &len);
		assert_int_equal(len, lens[i]);
		assert_memory_equal(now_pem, contents[i], len);
		free(now_pem);
	}

	/* Break four pairs in four ways; only those are replaced. */
	p = path_in(dir, "sensor.crt");
	write_all(p, "garbage", 7);
	free(p);
	p = path_in(dir, "collector.key");
	assert_int_equal(unlink(p), 0);
	free(p);
	tcert_load_ca(&ca, dir);
	tcert_make(&expiring, now - 10 * DAY, now + DAY, 0); /* inside the renewal margin */
	tcert_set_cn(&expiring, PKI_CN_ADMISSION_CONTROL, strlen(PKI_CN_ADMISSION_CONTROL));
	tcert_sign(&expiring, &ca);
	p = path_in(dir, "admission-control.crt");
	q = path_in(dir, "admission-control.key");
	tcert_write(&expiring, p, q);
	free(p);
	free(q);
	central = snapshot(dir, "central.crt", &len);
	p = path_in(dir, "scanner-v4-matcher.crt");
	write_all(p, central, len);
	free(p);
	free(central);
	p = snapshot(dir, "central.key", &len);
	q = path_in(dir, "scanner-v4-matcher.key");
	write_all(q, p, len); /* a matching pair from the right CA, but central's name */
	free(p);
	free(q);

	dev_run(&log, dir);
	assert_int_equal(log.replaced, 4);
	assert_int_equal(log.kept, 1 + 3);
	assert_int_equal(log.created, 0);
	assert_non_null(strstr(log.replaced_names, "sensor.crt"));
	assert_non_null(strstr(log.replaced_names, "collector.crt"));
	assert_non_null(strstr(log.replaced_names, "admission-control.crt"));
	assert_non_null(strstr(log.replaced_names, "scanner-v4-matcher.crt"));
	assert_non_null(strstr(log.renew_reason, "expires within"));
	assert_non_null(strstr(log.matcher_reason, "common name"));
	for (size_t i = 0; i < count; i++) {
		char *now_pem = snapshot(dir, names[i], &len);
		char *cn = NULL;
		int changed = len != lens[i] || memcmp(now_pem, contents[i], len) != 0;
		assert_int_equal(changed, strstr(log.replaced_names, names[i]) != NULL);
		assert_int_equal(pki_verify_chain(now_pem, len, ca_pem, ca_len), ASEC_OK);
		assert_int_equal(pki_cert_common_name(&cn, now_pem, len), ASEC_OK);
		assert_string_equal(cn, pki_identities[i].common_name);
		free(cn);
		free(now_pem);
	}

	dev_run(&log, dir);
	assert_int_equal(log.kept, 1 + 7);

	/* A half-present CA stops dev rather than being replaced. */
	p = path_in(dir, "ca.key");
	assert_int_equal(unlink(p), 0);
	free(p);
	assert_int_equal(pki_dir_dev(dir, NULL, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "ca.key"));

	tcert_free(&ca);
	tcert_free(&expiring);
	for (size_t i = 0; i < count; i++) {
		free(names[i]);
		free(contents[i]);
	}
	free(ca_pem);
	free(dir);
	temp_dir_remove(root);
}

static void test_dev_refuses_expired_ca(void **state)
{
	char *dir = temp_dir(), *c = path_in(dir, "ca.crt"), *k = path_in(dir, "ca.key");
	struct tcert ca;
	time_t now = time(NULL);
	pki_keypair *kp = NULL, *issued = NULL;
	struct pki_issue_request req = {PKI_CN_SENSOR, NULL, 0, NULL, 0, 5};

	(void)state;
	tcert_make(&ca, now - 10 * DAY, now - DAY, 1);
	tcert_set_cn(&ca, "Old CA", 6);
	tcert_sign(&ca, NULL);
	tcert_write(&ca, c, k);
	assert_int_equal(pki_dir_dev(dir, NULL, NULL), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), "expired"));
	assert_int_equal(pki_dir_issue(dir, NULL, &req), ASEC_EAUTH);
	assert_int_equal(pki_keypair_load(&kp, c, k), ASEC_OK);
	assert_int_equal(pki_issue(&issued, kp, &req), ASEC_EAUTH);
	assert_null(issued);
	pki_keypair_free(kp);
	tcert_free(&ca);
	free(c);
	free(k);
	temp_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_ca_and_service_certificate),
		cmocka_unit_test(test_bad_names_are_refused),
		cmocka_unit_test(test_verify_chain_refuses),
		cmocka_unit_test(test_bad_pem_fails_cleanly),
		cmocka_unit_test(test_ambiguous_common_names),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_key_mode_on_replace),
		cmocka_unit_test(test_mutual_tls_handshake),
		cmocka_unit_test(test_dev_is_idempotent),
		cmocka_unit_test(test_dev_refuses_expired_ca),
	};
	/* A refused handshake closes its end while the peer may still write;
	 * like any server, the test takes that as an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, remove_leftover_dirs);
}
