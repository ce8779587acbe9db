/*
 * dir.c - the PKI directory that the asec-pki tool writes and the services
 * read: DIR/ca.crt and DIR/ca.key, then DIR/<short name>.crt and .key for
 * each identity (central.crt, sensor.key, operator.crt, ...).
 *
 * The CA is never replaced behind anyone's back: init refuses to touch an
 * existing one and dev stops at a CA that is broken or expired, because a
 * new CA silently invalidates every certificate already handed out. Service
 * certificates, on the other hand, are cheap: dev re-issues any that are not
 * exactly what it would make now, and leaves the rest byte for byte alone,
 * so running it again is harmless.
 */
#include "pki/pki_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error/error.h"

#define PKI_FILE_BASE_MAX 64

int pki_dir_path(char **path, const char *dir, const char *file_base,
		 const char *suffix)
{
	size_t dir_len = strnlen(dir, PATH_MAX);
	const char *sep = dir_len > 0 && dir[dir_len - 1] == '/' ? "" : "/";
	int n;

	*path = NULL;
	if (dir_len == 0 || dir_len >= PATH_MAX) {
		error_set("the PKI directory name is empty or too long");
		return ASEC_EINVALID;
	}
	n = asprintf(path, "%s%s%s%s", dir, sep, file_base, suffix);
	if (n < 0) {
		*path = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (n >= PATH_MAX) {
		free(*path);
		*path = NULL;
		error_set("path in %s too long", dir);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* Creates dir and any missing parents; new directories are private (0700)
 * because they hold private keys. */
static int dir_make(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strnlen(dir, PATH_MAX);
	struct stat st;

	if (len == 0 || len >= PATH_MAX) {
		error_set("the PKI directory name is empty or too long");
		return ASEC_EINVALID;
	}
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			error_set("creating %s: %s", path, strerror(errno));
			return ASEC_EIO;
		}
		path[i] = dir[i];
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error_set("%s is not a directory", dir);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* 1 if path exists, 0 if not, or a negative error code. */
static int file_exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	error_set("%s: %s", path, strerror(errno));
	return ASEC_EIO;
}

static int check_file_base(const char *base)
{
	size_t len = strnlen(base, PKI_FILE_BASE_MAX + 1);

	if (len == 0 || len > PKI_FILE_BASE_MAX || base[0] == '.' || strcmp(base, "ca") == 0)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		char c = base[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			goto bad;
	}
	return ASEC_OK;
bad:
	error_set("bad file name '%.*s': 1 to %d of [a-z0-9._-], not starting with '.', not 'ca'",
		  PKI_FILE_BASE_MAX, base, PKI_FILE_BASE_MAX);
	return ASEC_EINVALID;
}

static int ca_paths(char **crt, char **key, const char *dir)
{
	int result;

	*key = NULL;
	if ((result = pki_dir_path(crt, dir, "ca", ".crt")))
		return result;
	if ((result = pki_dir_path(key, dir, "ca", ".key"))) {
		free(*crt);
		*crt = NULL;
	}
	return result;
}

int pki_dir_init(const char *dir, unsigned days)
{
	pki_keypair *ca = NULL;
	char *crt = NULL, *key = NULL;
	int result;

	if ((result = dir_make(dir)) || (result = ca_paths(&crt, &key, dir)))
		return result;
	/* Checked before the slow key generation; the exclusive save below
	 * still catches a CA that appears in between. */
	if ((result = file_exists(crt)) != 0 || (result = file_exists(key)) != 0) {
		if (result > 0) {
			error_set("%s already holds a CA (%s, %s); refusing to replace it",
				  dir, PKI_CA_CERT_FILE, PKI_CA_KEY_FILE);
			result = ASEC_EEXISTS;
		}
		goto out;
	}
	if ((result = pki_ca_create(&ca, NULL, days)))
		goto out;
	result = pki_keypair_save(ca, crt, key, PKI_SAVE_EXCLUSIVE);
out:
	pki_keypair_free(ca);
	free(crt);
	free(key);
	return result;
}

static int ca_load(pki_keypair **ca, const char *dir)
{
	char *crt = NULL, *key = NULL;
	int result;

	if ((result = ca_paths(&crt, &key, dir)))
		return result;
	result = pki_keypair_load(ca, crt, key);
	if (result)
		error_prefix("loading the CA");
	free(crt);
	free(key);
	return result;
}

int pki_dir_issue(const char *dir, const char *file_base,
		  const struct pki_issue_request *req)
{
	const struct pki_identity *id;
	pki_keypair *ca = NULL, *kp = NULL;
	char *crt = NULL, *key = NULL;
	int result;

	if (file_base == NULL) {
		id = pki_identity_by_cn(req->common_name);
		if (id == NULL) {
			error_set("'%s' is not a known identity; give a file name for it",
				  req->common_name ? req->common_name : "");
			return ASEC_EINVALID;
		}
		file_base = id->short_name;
	}
	if ((result = check_file_base(file_base)) ||
	    (result = pki_dir_path(&crt, dir, file_base, PKI_CERT_SUFFIX)) ||
	    (result = pki_dir_path(&key, dir, file_base, PKI_KEY_SUFFIX)) ||
	    (result = ca_load(&ca, dir)) ||
	    (result = pki_issue(&kp, ca, req)))
		goto out;
	result = pki_keypair_save(kp, crt, key, 0);
out:
	pki_keypair_free(kp);
	pki_keypair_free(ca);
	free(crt);
	free(key);
	return result;
}

/* ---- the development PKI ---- */

static void report_action(pki_dev_report_fn report, void *ctx, enum pki_dev_action action,
			  const char *path, const char *cn, const char *reason)
{
	if (report)
		report(ctx, action, path, cn, reason);
}

/* Loads the CA of dir, making it first if neither of its files is there. */
static int ca_ensure(pki_keypair **ca, const char *dir, pki_dev_report_fn report, void *ctx)
{
	char *crt = NULL, *key = NULL, when[40];
	int crt_there, key_there, result;
	time_t end;
	struct tm tm;

	*ca = NULL;
	if ((result = ca_paths(&crt, &key, dir)))
		return result;
	if ((result = crt_there = file_exists(crt)) < 0 || (result = key_there = file_exists(key)) < 0)
		goto out;
	result = ASEC_OK;
	if (!crt_there && !key_there) {
		if ((result = pki_ca_create(ca, NULL, PKI_CA_DAYS_DEFAULT)) ||
		    (result = pki_keypair_save(*ca, crt, key, PKI_SAVE_EXCLUSIVE)))
			goto out;
		report_action(report, ctx, PKI_DEV_CREATED, crt, PKI_CA_COMMON_NAME, NULL);
		goto out;
	}
	if (!crt_there || !key_there) {
		error_set("%s has %s but not %s; restore it, or remove the CA to start afresh",
			  dir, crt_there ? PKI_CA_CERT_FILE : PKI_CA_KEY_FILE,
			  crt_there ? PKI_CA_KEY_FILE : PKI_CA_CERT_FILE);
		result = ASEC_EINVALID;
		goto out;
	}
	if ((result = ca_load(ca, dir)))
		goto out;
	end = pki_keypair_expires(*ca);
	if (end <= time(NULL)) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&end, &tm));
		error_set("the CA in %s expired on %s; move the directory aside and run again",
			  dir, when);
		result = ASEC_EAUTH;
		goto out;
	}
	report_action(report, ctx, PKI_DEV_KEPT, crt, PKI_CA_COMMON_NAME, NULL);
out:
	if (result) {
		pki_keypair_free(*ca);
		*ca = NULL;
	}
	free(crt);
	free(key);
	return result;
}

/* ASEC_OK if the pair on disk is what dev would issue now; otherwise an
 * error code with the reason in error_last(). */
static int pair_is_current(const char *crt_path, const char *key_path, const pki_keypair *ca,
			   const struct pki_issue_request *req)
{
	pki_keypair *kp = NULL;
	gnutls_x509_crt_t trusted = ca->crt;
	unsigned char addr[16];
	unsigned int status = 0;
	char *cn = NULL;
	int rc, result;

	if ((result = pki_keypair_load(&kp, crt_path, key_path)))
		return result;
	rc = gnutls_x509_crt_verify(kp->crt, &trusted, 1, 0, &status);
	if (rc < 0 || status != 0) {
		error_set("not signed by this CA, or out of its validity");
		result = ASEC_EAUTH;
		goto out;
	}
	if (pki_keypair_expires(kp) - time(NULL) < PKI_DEV_RENEW_SECONDS) {
		error_set("expires within %d days", PKI_DEV_RENEW_SECONDS / 86400);
		result = ASEC_EAUTH;
		goto out;
	}
	if ((result = pki__crt_common_name(&cn, kp->crt)))
		goto out;
	if (strcmp(cn, req->common_name) != 0) {
		error_set("common name is not %s", req->common_name);
		result = ASEC_EINVALID;
		goto out;
	}
	for (size_t i = 0; i < req->dns_count; i++) {
		if (!gnutls_x509_crt_check_hostname2(kp->crt, req->dns_names[i],
						     GNUTLS_VERIFY_DO_NOT_ALLOW_WILDCARDS)) {
			error_set("lacks the DNS name %s", req->dns_names[i]);
			result = ASEC_EINVALID;
			goto out;
		}
	}
	for (size_t i = 0; i < req->ip_count; i++) {
		int v4 = inet_pton(AF_INET, req->ip_addresses[i], addr) == 1;
		if ((!v4 && inet_pton(AF_INET6, req->ip_addresses[i], addr) != 1) ||
		    !gnutls_x509_crt_check_ip(kp->crt, addr, v4 ? 4 : 16, 0)) {
			error_set("lacks the IP address %s", req->ip_addresses[i]);
			result = ASEC_EINVALID;
			goto out;
		}
	}
out:
	free(cn);
	pki_keypair_free(kp);
	return result;
}

static int dev_identity(const char *dir, const pki_keypair *ca, const struct pki_identity *id,
			pki_dev_report_fn report, void *ctx)
{
	static const char *const loopback_ips[] = {"127.0.0.1", "::1"};
	const char *dns[1 + sizeof(id->dns_names) / sizeof(id->dns_names[0])];
	struct pki_issue_request req = {.common_name = id->common_name,
					.days = PKI_CERT_DAYS_DEFAULT};
	enum pki_dev_action action = PKI_DEV_CREATED;
	pki_keypair *kp = NULL;
	char *crt = NULL, *key = NULL, reason[256] = "";
	int crt_there, key_there, result;

	/* Services answer on loopback in development and on their Kubernetes
	 * names in a cluster; the operator only ever calls, so needs no names. */
	if (id->role == PKI_ROLE_SERVICE) {
		dns[req.dns_count++] = "localhost";
		for (size_t i = 0; id->dns_names[i] != NULL; i++)
			dns[req.dns_count++] = id->dns_names[i];
		req.dns_names = dns;
		req.ip_addresses = loopback_ips;
		req.ip_count = sizeof(loopback_ips) / sizeof(loopback_ips[0]);
	}

	if ((result = pki_dir_path(&crt, dir, id->short_name, PKI_CERT_SUFFIX)) ||
	    (result = pki_dir_path(&key, dir, id->short_name, PKI_KEY_SUFFIX)))
		goto out;
	if ((result = crt_there = file_exists(crt)) < 0 || (result = key_there = file_exists(key)) < 0)
		goto out;
	result = ASEC_OK;
	if (crt_there || key_there) {
		if (pair_is_current(crt, key, ca, &req) == ASEC_OK) {
			report_action(report, ctx, PKI_DEV_KEPT, crt, id->common_name, NULL);
			goto out;
		}
		action = PKI_DEV_REPLACED;
		snprintf(reason, sizeof(reason), "%s", error_last());
	}
	if ((result = pki_issue(&kp, ca, &req)) || (result = pki_keypair_save(kp, crt, key, 0)))
		goto out;
	report_action(report, ctx, action, crt, id->common_name,
		      action == PKI_DEV_REPLACED ? reason : NULL);
out:
	pki_keypair_free(kp);
	free(crt);
	free(key);
	return result;
}

int pki_dir_dev(const char *dir, pki_dev_report_fn report, void *ctx)
{
	pki_keypair *ca = NULL;
	int result;

	if ((result = dir_make(dir)) || (result = ca_ensure(&ca, dir, report, ctx)))
		return result;
	for (size_t i = 0; i < pki_identities_count; i++)
		if ((result = dev_identity(dir, ca, &pki_identities[i], report, ctx)))
			break;
	pki_keypair_free(ca);
	return result;
}
