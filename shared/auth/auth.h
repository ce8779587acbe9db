/*
 * auth.h - who may call central, and what they may do: the admin password,
 * signed API tokens, and StackRox's default roles.
 *
 * Central accepts two kinds of credentials (issue 5):
 *
 *  - HTTP basic with the admin password. The password is stored only as a
 *    salted, deliberately slow libxcrypt hash (yescrypt, "$y$"). Checking it
 *    costs 26 to 50 ms of CPU and 16 MiB of memory (libxcrypt 4.4.33 default
 *    cost "j9T", measured on a busy 2-core development machine; auth_test
 *    prints the figure for the machine it runs on). That is the point
 *    against offline guessing but far too much per request, so central
 *    keeps an auth_cache of recent successes, keyed by a keyed SHA-256 of
 *    the presented secret, and only the first request of a burst pays. A
 *    wrong password is never cached and always costs the full check, so
 *    central should also bound how many checks run at once.
 *
 *  - "Authorization: Bearer <JWT>" API tokens (RFC 7519) that central signs
 *    itself with HMAC-SHA256 under a 32-byte key kept in a 0600 file. The
 *    token carries its roles, an optional expiry and an id (jti) that
 *    central's store can revoke. Verification is strict and happens on every
 *    request: only the exact compact form, only alg HS256 (never "none"),
 *    a kid that names one of the keys we hold (old keys stay verifiable
 *    during a rotation), a constant-time signature check, then the times.
 *    Revocation is not this module's job: it hands the jti to the caller.
 *
 * Roles and permissions follow StackRox's built-in permission sets as
 * central/role/datastore/defaults.go, central/role/default.go
 * (GetAnalystPermissions) and central/role/resources/list.go define them in
 * stackrox/stackrox, with the resource list as it stands after StackRox
 * consolidated its resources (Policy folded into WorkflowAdministration;
 * APIToken, Notifier and ImageIntegration into Integration). Access is one
 * of NO_ACCESS < READ_ACCESS < READ_WRITE_ACCESS; READ_WRITE implies READ:
 *
 *   resource                          Admin  Analyst  Continuous Integration  None
 *   Access                            RW     R        -                       -
 *   Administration                    RW     -        -                       -
 *   Alert                             RW     R        -                       -
 *   CVE                               RW     R        -                       -
 *   Cluster                           RW     R        -                       -
 *   Compliance                        RW     R        -                       -
 *   Deployment                        RW     R        -                       -
 *   DeploymentExtension               RW     R        -                       -
 *   Detection                         RW     R        R                       -
 *   Image                             RW     R        RW                      -
 *   Integration                       RW     R        -                       -
 *   K8sRole                           RW     R        -                       -
 *   K8sRoleBinding                    RW     R        -                       -
 *   K8sSubject                        RW     R        -                       -
 *   Namespace                         RW     R        -                       -
 *   NetworkGraph                      RW     R        -                       -
 *   NetworkPolicy                     RW     R        -                       -
 *   Node                              RW     R        -                       -
 *   Secret                            RW     R        -                       -
 *   ServiceAccount                    RW     R        -                       -
 *   VulnerabilityManagementApprovals  RW     R        -                       -
 *   VulnerabilityManagementRequests   RW     R        -                       -
 *   WatchedImage                      RW     R        -                       -
 *   WorkflowAdministration            RW     R        -                       -
 *
 * Admin is AllResourcesModifyPermissions(); Analyst is
 * AllResourcesViewPermissions() minus Administration; Continuous Integration
 * is View(Detection) + Modify(Image), so Detection is READ, not READ_WRITE;
 * None is empty. A token with several roles gets, per resource, the highest
 * access any of them grants (StackRox's union of permission sets).
 */
#ifndef ASEC_AUTH_H
#define ASEC_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/* ---- passwords ---------------------------------------------------------- */

/* Longest password accepted anywhere; longer ones are refused rather than
 * cut, so two passwords sharing a long prefix never collide. 511 and not
 * more because libxcrypt refuses longer phrases (CRYPT_MAX_PASSPHRASE_SIZE
 * is 512 with the NUL; crypt_rn() fails with ERANGE beyond it). */
#define AUTH_PASSWORD_MAX 511
/* Length of auth_password_generate()'s output, without the NUL. */
#define AUTH_PASSWORD_GENERATED_LEN 24

/* Hashes a password with yescrypt at libxcrypt's default cost and a fresh
 * random salt. *out is a "$y$..." string for free(). ASEC_EINVALID for an
 * empty or too long password. */
int auth_password_hash(char **out, const char *password);

/* ASEC_OK when password matches hash, ASEC_EAUTH when it does not,
 * ASEC_EINVALID when the hash is not one that crypt_checksalt() calls
 * current (yescrypt, gost-yescrypt, scrypt, bcrypt, sha512crypt: yes; DES,
 * MD5 and the like: no) or the password is empty or too long. The final comparison takes constant time. */
int auth_password_verify(const char *password, const char *hash);

/* Writes AUTH_PASSWORD_GENERATED_LEN random characters from [A-Za-z0-9]
 * (about 143 bits) and a NUL; size must be at least
 * AUTH_PASSWORD_GENERATED_LEN + 1. The alphabet avoids characters that need
 * quoting in shells, URLs or YAML, because people paste this password. */
int auth_password_generate(char *out, size_t size);

/* ---- the cache of recent successful checks ------------------------------ */

#define AUTH_CACHE_CAPACITY_MAX 4096

/* A bounded set of (user, secret) pairs that passed a slow check less than
 * ttl seconds ago. It stores HMAC-SHA256(process-random key, user, secret),
 * never the secret, so a memory dump yields neither the password nor a hash
 * that could be attacked offline without the key. Thread-safe. */
struct auth_cache;

int auth_cache_new(struct auth_cache **out, size_t capacity, unsigned ttl_seconds);
void auth_cache_free(struct auth_cache *cache);
/* 1 when (user, secret) was added less than ttl seconds before now, else 0. */
int auth_cache_lookup(struct auth_cache *cache, const char *user, const char *secret, time_t now);
/* Remembers (user, secret) as checked at now; when full, replaces an expired
 * entry or else the oldest one. Only ever call it after a successful check. */
int auth_cache_add(struct auth_cache *cache, const char *user, const char *secret, time_t now);
/* Forgets everything: call it when the password changes. */
void auth_cache_clear(struct auth_cache *cache);
/* Number of live and expired entries held (for tests and metrics). */
size_t auth_cache_count(struct auth_cache *cache);

/* ---- roles and permissions --------------------------------------------- */

enum auth_role {
	AUTH_ROLE_NONE,
	AUTH_ROLE_CONTINUOUS_INTEGRATION,
	AUTH_ROLE_ANALYST,
	AUTH_ROLE_ADMIN,
	AUTH_ROLE_COUNT
};

enum auth_access {
	AUTH_ACCESS_NONE,       /* NO_ACCESS */
	AUTH_ACCESS_READ,       /* READ_ACCESS */
	AUTH_ACCESS_READ_WRITE, /* READ_WRITE_ACCESS */
};

/* StackRox's resources, in its (lexicographic) order. */
enum auth_resource {
	AUTH_RES_ACCESS,
	AUTH_RES_ADMINISTRATION,
	AUTH_RES_ALERT,
	AUTH_RES_CVE,
	AUTH_RES_CLUSTER,
	AUTH_RES_COMPLIANCE,
	AUTH_RES_DEPLOYMENT,
	AUTH_RES_DEPLOYMENT_EXTENSION,
	AUTH_RES_DETECTION,
	AUTH_RES_IMAGE,
	AUTH_RES_INTEGRATION,
	AUTH_RES_K8S_ROLE,
	AUTH_RES_K8S_ROLE_BINDING,
	AUTH_RES_K8S_SUBJECT,
	AUTH_RES_NAMESPACE,
	AUTH_RES_NETWORK_GRAPH,
	AUTH_RES_NETWORK_POLICY,
	AUTH_RES_NODE,
	AUTH_RES_SECRET,
	AUTH_RES_SERVICE_ACCOUNT,
	AUTH_RES_VULN_MGMT_APPROVALS,
	AUTH_RES_VULN_MGMT_REQUESTS,
	AUTH_RES_WATCHED_IMAGE,
	AUTH_RES_WORKFLOW_ADMINISTRATION,
	AUTH_RES_COUNT
};

/* "None", "Continuous Integration", "Analyst", "Admin"; NULL if out of range. */
const char *auth_role_name(enum auth_role role);
/* Exact, case-sensitive StackRox name; ASEC_EINVALID otherwise. */
int auth_role_parse(enum auth_role *out, const char *name);
/* "Image", "WorkflowAdministration", ...; NULL if out of range. */
const char *auth_resource_name(enum auth_resource resource);
int auth_resource_parse(enum auth_resource *out, const char *name);
/* "NO_ACCESS", "READ_ACCESS", "READ_WRITE_ACCESS". */
const char *auth_access_name(enum auth_access access);

/* What one role grants on one resource (NO_ACCESS for anything out of range). */
enum auth_access auth_role_access(enum auth_role role, enum auth_resource resource);
/* 1 when role grants at least access (READ or READ_WRITE) on resource, else
 * 0; asking about NO_ACCESS or an unknown resource also answers 0. */
int auth_role_allows(enum auth_role role, enum auth_resource resource, enum auth_access access);
/* The same for the union of several roles (a token's roles). */
int auth_roles_allow(const enum auth_role *roles, size_t count, enum auth_resource resource,
		     enum auth_access access);

/* GET /v1/mypermissions for the union of roles:
 * {"resourceToAccess": {"Image": "READ_WRITE_ACCESS", ...}}, listing only the
 * resources with some access, as StackRox does. *out is a new reference. */
int auth_permissions_json(json_t **out, const enum auth_role *roles, size_t count);

/* ---- signing keys ------------------------------------------------------- */

#define AUTH_KEY_SIZE 32
#define AUTH_KID_LEN 8

struct auth_key {
	unsigned char secret[AUTH_KEY_SIZE];
	char kid[AUTH_KID_LEN + 1]; /* first 8 hex digits of SHA-256(secret) */
};

/* Loads the key from path, or creates it (32 bytes from the key-grade
 * random generator, mode 0600) when the file does not exist. Creation is
 * atomic and never replaces a file: two processes starting together end up
 * with the same key. A file that is not exactly 32 bytes, not a regular
 * file, or writable by group or others, or readable by others, is refused:
 * whoever can read it can mint Admin tokens. */
int auth_key_load_or_create(struct auth_key *out, const char *path);

/* A key from given bytes (exactly AUTH_KEY_SIZE of them), kid included. */
int auth_key_from_bytes(struct auth_key *out, const unsigned char *secret, size_t len);

/* Overwrites the secret in a way the compiler does not remove. */
void auth_key_wipe(struct auth_key *key);

/* ---- API tokens --------------------------------------------------------- */

#define AUTH_TOKEN_MAX 8192      /* bytes of the compact token */
#define AUTH_TOKEN_ROLES_MAX 16
#define AUTH_CLAIM_MAX 256       /* bytes of sub and name, with the NUL */
#define AUTH_UUID_LEN 36
#define AUTH_TOKEN_ISSUER "asec-central"
/* Allowed clock difference between the signer and the verifier, seconds. */
#define AUTH_TOKEN_LEEWAY 60

struct auth_token_claims {
	char jti[AUTH_UUID_LEN + 1]; /* lowercase UUID v4; what revocation names */
	char sub[AUTH_CLAIM_MAX];    /* who the token acts for; not empty */
	char name[AUTH_CLAIM_MAX];   /* the token's display name; may be empty */
	int64_t iat;                 /* issued at, Unix seconds */
	int64_t nbf;                 /* not before; 0 = not given */
	int64_t exp;                 /* expires at; 0 = never */
	enum auth_role roles[AUTH_TOKEN_ROLES_MAX];
	size_t role_count;
};

/* A fresh random UUID v4 into out (36 characters and a NUL). */
int auth_uuid_v4(char out[AUTH_UUID_LEN + 1]);

/* Signs claims with key: header {"alg":"HS256","typ":"JWT","kid":...},
 * payload {"iss":"asec-central","sub","jti","iat"[,"nbf"][,"exp"],"name",
 * "roles":[...]}. The output is deterministic for given claims and key.
 * *out is for free(). ASEC_EINVALID for claims that verify would refuse
 * (empty sub, bad jti, too many roles, exp not after iat, ...). */
int auth_token_sign(char **out, const struct auth_token_claims *claims, const struct auth_key *key);

/* Checks token against the keys (the kid in its header picks one) at time
 * now, and fills *out only on success. Every refusal returns ASEC_EAUTH with
 * error_last() saying why ("token expired at ...", "token signature does not
 * match", "malformed token: ...", "unknown signing key ..."), except
 * ASEC_ENOMEM. */
int auth_token_verify(struct auth_token_claims *out, const char *token,
		      const struct auth_key *keys, size_t key_count, time_t now);

/* ---- Authorization header ---------------------------------------------- */

#define AUTH_USER_MAX 256 /* bytes of a basic-auth user name */

/* Splits "Basic base64(user:password)" (RFC 7617; the scheme is
 * case-insensitive) into newly allocated strings. ASEC_EAUTH when the header
 * is not that, or the user or password is empty or too long. */
int auth_basic_parse(char **user, char **password, const char *header);

/* Points *token at the token in "Bearer <token>" (case-insensitive scheme);
 * ASEC_EAUTH when the header is something else or the token is empty. */
int auth_bearer_parse(const char **token, const char *header);

#endif
