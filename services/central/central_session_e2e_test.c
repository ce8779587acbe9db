/*
 * central_session_e2e_test.c - the portal's browser sessions against the
 * real central binary of this build and a real PostgreSQL: logging in with
 * the admin password and with API tokens, the exact cookie a browser gets,
 * reads with the cookie alone, writes only with the session's CSRF token and
 * from central's own origin, logout, the end of a session with its API
 * token, the roles a session carries, failed logins that a browser would not
 * turn into a password dialog, and a log that never holds a cookie.
 *
 * Central runs as a child on a free loopback port with a throw-away PKI and
 * a Central DB schema of this run only (tests/support/service_testing.h);
 * the test calls it as a browser would: no client certificate, no
 * Authorization header, only Cookie, X-CSRF-Token, Origin and
 * Sec-Fetch-Site. It reaches into Central DB with libpq once, to age a
 * session past its end.
 *
 * Needs ASEC_TEST_DATABASE_URL (skips, 77, without it; fails under CI=true).
 * The binaries come from CENTRAL_E2E_CENTRAL_BIN and CENTRAL_E2E_PKI_BIN
 * (central_e2e.cmake), else from $ASEC_BUILD_DIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>

#include "service_testing.h"

#define SESSION_TIMEOUT_S 3600
#define ID_SIZE 40 /* an API token id (UUID) and its NUL, with room */
#define COOKIE_ATTRS "; Path=/; Max-Age=%d; HttpOnly; Secure; SameSite=Strict"
#define COOKIE_PREFIX "__Host-asec_session="
#define CLEARED_COOKIE "__Host-asec_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"

static struct testsvc central = {.name = "central", .identity = "central"};
static struct {
	struct testsvc_pki pki;
	struct testsvc_schema db;
	const char *base_db_url;
	char data_dir[400];
	char password[40];
	char origin[64];
	/* every cookie value central handed out, to look for in its log */
	char cookies[32][64];
	size_t cookie_count;
	char analyst_token_id[ID_SIZE]; /* the token behind a session, as the log names it */
} run;

/* A browser's session: the cookie value and the CSRF token. */
struct session {
	char cookie[64];
	char csrf[64];
	json_t *json;
};

struct call {
	const char *method, *path, *body;
	const struct session *session; /* Cookie: __Host-asec_session=... */
	const char *csrf;              /* X-CSRF-Token */
	const char *extra[4];          /* more header lines */
	const char *user, *password, *bearer;
};

static void call(struct testsvc_reply *r, const struct call *c)
{
	char cookie[128], csrf[128];
	const char *headers[8];
	size_t n = 0, i;
	struct testsvc_request req = {
		.method = c->method,
		.path = c->path,
		.no_client_cert = 1,
		.headers = headers,
		.user = c->user,
		.password = c->password,
		.bearer = c->bearer,
	};

	if (c->session) {
		snprintf(cookie, sizeof(cookie), "Cookie: theme=dark; __Host-asec_session=%s; lang=en", c->session->cookie);
		headers[n++] = cookie;
	}
	if (c->csrf) {
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", c->csrf);
		headers[n++] = csrf;
	}
	for (i = 0; i < 4 && c->extra[i]; i++)
		headers[n++] = c->extra[i];
	headers[n] = NULL;
	if (c->body) {
		req.body = c->body;
		req.len = strlen(c->body);
		req.content_type = "application/json";
	}
	testsvc_call(r, &central, &req);
	if (!r->status)
		fail_msg("%s %s: no answer: %s", c->method ? c->method : "GET", c->path, r->error);
}

static long status_of(const struct call *c)
{
	struct testsvc_reply r;
	long status;

	call(&r, c);
	status = r.status;
	testsvc_reply_free(&r);
	return status;
}

/* Logs in with body; checks the cookie's exact attributes and the answer
 * against the spec's Session. */
static void login(struct session *s, const char *body, int max_age_at_most)
{
	struct call c = {.method = "POST", .path = "/v1/auth/session", .body = body};
	struct testsvc_reply r;
	char set_cookie[512], want[256];
	int max_age = -1;
	size_t len;

	memset(s, 0, sizeof(*s));
	call(&r, &c);
	if (r.status != 200)
		fail_msg("login: %ld %s", r.status, testsvc_body(&r));
	assert_true(testsvc_header(set_cookie, sizeof(set_cookie), &r, "Set-Cookie"));
	assert_int_equal(strncmp(set_cookie, COOKIE_PREFIX, strlen(COOKIE_PREFIX)), 0);
	len = strcspn(set_cookie + strlen(COOKIE_PREFIX), ";");
	assert_int_equal(len, 43);
	memcpy(s->cookie, set_cookie + strlen(COOKIE_PREFIX), len);
	assert_int_equal(strspn(s->cookie, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_int_equal(sscanf(set_cookie + strlen(COOKIE_PREFIX) + len, "; Path=/; Max-Age=%d;", &max_age), 1);
	assert_true(max_age > 0 && max_age <= max_age_at_most);
	snprintf(want, sizeof(want), "__Host-asec_session=%s" COOKIE_ATTRS, s->cookie, max_age);
	assert_string_equal(set_cookie, want);
	assert_non_null(r.json);
	assert_int_equal(json_object_size(r.json), 5);
	assert_true(json_is_string(json_object_get(r.json, "user")));
	assert_true(json_is_array(json_object_get(r.json, "roles")));
	assert_true(json_is_string(json_object_get(r.json, "expiresAt")));
	snprintf(s->csrf, sizeof(s->csrf), "%s", json_string_value(json_object_get(r.json, "csrfToken")));
	assert_int_equal(strlen(s->csrf), 43);
	assert_string_not_equal(s->csrf, s->cookie);
	s->json = json_incref(r.json);
	if (run.cookie_count < sizeof(run.cookies) / sizeof(run.cookies[0]))
		snprintf(run.cookies[run.cookie_count++], sizeof(run.cookies[0]), "%s", s->cookie);
	testsvc_reply_free(&r);
}

static void login_password(struct session *s)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}", run.password);
	login(s, body, SESSION_TIMEOUT_S);
}

/* A new API token (minted with the admin password): its JWT into token, its id into id. */
static void mint(char *token, size_t size, char *id, const char *name, const char *role, const char *expiration)
{
	char body[256];
	struct testsvc_reply r;
	struct call c = {.method = "POST", .path = "/v1/apitokens/generate", .body = body, .user = "admin",
			 .password = run.password};

	if (expiration)
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"roles\":[\"%s\"],\"expiration\":\"%s\"}", name, role,
			 expiration);
	else
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"roles\":[\"%s\"]}", name, role);
	call(&r, &c);
	if (r.status != 200)
		fail_msg("minting a %s token: %ld %s", role, r.status, testsvc_body(&r));
	snprintf(token, size, "%s", json_string_value(json_object_get(r.json, "token")));
	snprintf(id, ID_SIZE, "%s", json_string_value(json_object_get(json_object_get(r.json, "metadata"), "id")));
	testsvc_reply_free(&r);
}

static void token_login(struct session *s, const char *token, int max_age_at_most)
{
	char body[9000];

	if (snprintf(body, sizeof(body), "{\"token\":\"%.8900s\"}", token) >= (int)sizeof(body))
		fail_msg("token too long for the test's buffer");
	login(s, body, max_age_at_most);
}

static void session_free(struct session *s)
{
	json_decref(s->json);
	s->json = NULL;
}

/* ---- the cases ---------------------------------------------------------------------------- */

static void password_session(void **state)
{
	struct session s;
	struct testsvc_reply r;
	char bad_origin[] = "Origin: https://evil.example", cross[] = "Sec-Fetch-Site: cross-site", own[96],
	     www[256];

	(void)state;
	login_password(&s);
	assert_string_equal(json_string_value(json_object_get(s.json, "user")), "admin");
	assert_string_equal(json_string_value(json_object_get(s.json, "authProvider")), "basic");
	assert_int_equal(json_array_size(json_object_get(s.json, "roles")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(s.json, "roles"), 0)), "Admin");

	/* reads need the cookie alone; the page gets its CSRF token again */
	call(&r, &(struct call){.path = "/v1/auth/session", .session = &s});
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "csrfToken")), s.csrf);
	assert_string_equal(json_string_value(json_object_get(r.json, "expiresAt")),
			    json_string_value(json_object_get(s.json, "expiresAt")));
	testsvc_reply_free(&r);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 200);
	assert_int_equal(status_of(&(struct call){.path = "/v1/auth/status", .session = &s}), 200);

	/* writes: POST, PATCH, DELETE, each refused without or with a wrong token */
	{
		const char *gen = "{\"name\":\"from the portal\",\"roles\":[\"None\"]}";
		char victim[9000], victim_id[ID_SIZE], path[128], wrong[64];
		struct call post = {.method = "POST", .path = "/v1/apitokens/generate", .body = gen, .session = &s};
		struct call patch = {.method = "PATCH", .path = path, .session = &s};
		struct call del = {.method = "DELETE", .path = "/v1/images?query=Image%3Anothing-here", .session = &s};

		snprintf(wrong, sizeof(wrong), "%s", s.csrf);
		wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
		mint(victim, sizeof(victim), victim_id, "victim", "None", NULL);
		snprintf(path, sizeof(path), "/v1/apitokens/revoke/%s", victim_id);
		assert_int_equal(status_of(&post), 403);
		assert_int_equal(status_of(&patch), 403);
		assert_int_equal(status_of(&del), 403);
		post.csrf = patch.csrf = del.csrf = wrong;
		assert_int_equal(status_of(&post), 403);
		assert_int_equal(status_of(&patch), 403);
		assert_int_equal(status_of(&del), 403);
		post.csrf = patch.csrf = del.csrf = s.csrf;
		assert_int_equal(status_of(&post), 200);
		assert_int_equal(status_of(&patch), 200);
		assert_int_equal(status_of(&del), 200);
		/* the right token from a foreign page, or a cross-site fetch, is still refused */
		post.extra[0] = bad_origin;
		assert_int_equal(status_of(&post), 403);
		post.extra[0] = cross;
		assert_int_equal(status_of(&post), 403);
		assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s, .extra = {cross}}), 403);
		snprintf(own, sizeof(own), "Origin: %s", run.origin);
		post.extra[0] = own;
		assert_int_equal(status_of(&post), 200);
	}

	/* an Authorization header wins over the cookie */
	call(&r, &(struct call){.path = "/v1/images", .session = &s, .user = "admin", .password = "wrong"});
	assert_int_equal(r.status, 401);
	testsvc_reply_free(&r);
	/* other credentials have no session */
	assert_int_equal(status_of(&(struct call){.path = "/v1/auth/session", .user = "admin", .password = run.password}),
			 404);

	/* logout: needs the CSRF token too, then the cookie is over */
	assert_int_equal(status_of(&(struct call){.method = "DELETE", .path = "/v1/auth/session", .session = &s}), 403);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 200);
	call(&r, &(struct call){.method = "DELETE", .path = "/v1/auth/session", .session = &s, .csrf = s.csrf});
	assert_int_equal(r.status, 204);
	assert_true(testsvc_header(own, sizeof(own), &r, "Set-Cookie"));
	assert_string_equal(own, CLEARED_COOKIE);
	testsvc_reply_free(&r);
	call(&r, &(struct call){.path = "/v1/images", .session = &s});
	assert_int_equal(r.status, 401);
	assert_string_equal(testsvc_detail(&r), "the session has ended; log in again");
	assert_true(testsvc_header(www, sizeof(www), &r, "WWW-Authenticate"));
	assert_int_equal(strncasecmp(www, "Bearer", 6), 0);
	testsvc_reply_free(&r);
	assert_int_equal(status_of(&(struct call){.method = "POST", .path = "/v1/apitokens/generate",
						  .body = "{\"name\":\"x\",\"roles\":[\"None\"]}", .session = &s,
						  .csrf = s.csrf}),
			 401);
	/* logging out without a live session only clears the cookie */
	call(&r, &(struct call){.method = "DELETE", .path = "/v1/auth/session", .session = &s});
	assert_int_equal(r.status, 204);
	assert_true(testsvc_header(own, sizeof(own), &r, "Set-Cookie"));
	assert_string_equal(own, CLEARED_COOKIE);
	testsvc_reply_free(&r);
	session_free(&s);
}

static void token_sessions(void **state)
{
	char token[9000], id[ID_SIZE], path[128], expiration[40];
	struct session s, none, soon;
	time_t in_two_minutes = time(NULL) + 120;
	struct tm tm;

	(void)state;
	mint(token, sizeof(token), id, "portal analyst", "Analyst", NULL);
	memcpy(run.analyst_token_id, id, sizeof(run.analyst_token_id));
	token_login(&s, token, SESSION_TIMEOUT_S);
	assert_string_equal(json_string_value(json_object_get(s.json, "user")), "portal analyst");
	assert_string_equal(json_string_value(json_object_get(s.json, "authProvider")), "token");
	assert_string_equal(json_string_value(json_array_get(json_object_get(s.json, "roles"), 0)), "Analyst");
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 200);
	/* the session has the token's roles, not more */
	assert_int_equal(status_of(&(struct call){.method = "POST", .path = "/v1/apitokens/generate",
						  .body = "{\"name\":\"x\",\"roles\":[\"Admin\"]}", .session = &s,
						  .csrf = s.csrf}),
			 403);
	/* revoking the token ends its session */
	snprintf(path, sizeof(path), "/v1/apitokens/revoke/%s", id);
	assert_int_equal(status_of(&(struct call){.method = "PATCH", .path = path, .user = "admin", .password = run.password}),
			 200);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 401);
	session_free(&s);

	/* role None: logged in, but may not read images */
	mint(token, sizeof(token), id, "portal none", "None", NULL);
	token_login(&none, token, SESSION_TIMEOUT_S);
	assert_int_equal(json_array_size(json_object_get(none.json, "roles")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(none.json, "roles"), 0)), "None");
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &none}), 403);
	assert_int_equal(status_of(&(struct call){.path = "/v1/auth/session", .session = &none}), 200);
	session_free(&none);

	/* a token that expires before the session timeout ends the session with it */
	gmtime_r(&in_two_minutes, &tm);
	strftime(expiration, sizeof(expiration), "%Y-%m-%dT%H:%M:%SZ", &tm);
	mint(token, sizeof(token), id, "short lived", "Analyst", expiration);
	token_login(&soon, token, 120);
	assert_string_equal(json_string_value(json_object_get(soon.json, "expiresAt")), expiration);
	session_free(&soon);
}

static void expired_session(void **state)
{
	struct session s;
	char sql[512];
	PGconn *conn;
	PGresult *res;

	(void)state;
	login_password(&s);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 200);
	/* age it past its end in Central DB: central's clock decides */
	conn = PQconnectdb(run.db.url);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "UPDATE sessions SET expires = now() - interval '1 second' WHERE token_hash = "
				   "sha256(convert_to('%s', 'UTF8'))",
		 s.cookie);
	res = PQexec(conn, sql);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	assert_string_equal(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(conn);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &s}), 401);
	assert_int_equal(status_of(&(struct call){.path = "/v1/auth/session", .session = &s}), 401);
	session_free(&s);
}

/* Setting a new admin password (ROX_ADMIN_PASSWORD and a restart) is how a
 * leaked password is answered: the browser sessions opened with the old one
 * must end with it, while sessions of API tokens, which the password never
 * opened, go on. Central DB is made to say the password changed after both
 * sessions began. */
static void password_change_ends_admin_sessions(void **state)
{
	char token[9000], id[ID_SIZE];
	struct session admin, analyst;
	PGconn *conn;
	PGresult *res;

	(void)state;
	login_password(&admin);
	mint(token, sizeof(token), id, "survives the password", "Analyst", NULL);
	token_login(&analyst, token, SESSION_TIMEOUT_S);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &admin}), 200);
	conn = PQconnectdb(run.db.url);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	res = PQexec(conn, "UPDATE sessions SET created = created - interval '1 minute';"
			   "UPDATE admin SET updated_at = now() - interval '30 seconds'");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(conn);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &admin}), 401);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &analyst}), 200);
	/* a login with the (current) password afterwards is a live session */
	session_free(&admin);
	login_password(&admin);
	assert_int_equal(status_of(&(struct call){.path = "/v1/images", .session = &admin}), 200);
	session_free(&admin);
	session_free(&analyst);
}

static void bad_logins(void **state)
{
	char token[9000], id[ID_SIZE], path[128], body[9100], www[128];
	const char *const refused[] = {
		"{\"username\":\"admin\",\"password\":\"not the password\"}",
		"{\"username\":\"root\",\"password\":\"not the password\"}",
		"{\"token\":\"abc.def.ghi\"}",
		"{\"token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl\"}",
		body, /* a revoked token */
	};
	const char *const malformed[] = {
		"{}",
		"{\"username\":\"admin\"}",
		"{\"password\":\"x\"}",
		"{\"username\":\"admin\",\"password\":\"x\",\"token\":\"abc\"}",
	};
	struct testsvc_reply r;
	size_t i;

	(void)state;
	mint(token, sizeof(token), id, "revoked", "Admin", NULL);
	snprintf(path, sizeof(path), "/v1/apitokens/revoke/%s", id);
	assert_int_equal(status_of(&(struct call){.method = "PATCH", .path = path, .user = "admin", .password = run.password}),
			 200);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		call(&r, &(struct call){.method = "POST", .path = "/v1/auth/session", .body = refused[i]});
		if (r.status != 401)
			fail_msg("login %zu: %ld %s", i, r.status, testsvc_body(&r));
		/* a browser must not pop up its own password dialog */
		if (testsvc_header(www, sizeof(www), &r, "WWW-Authenticate"))
			assert_int_not_equal(strncasecmp(www, "Basic", 5), 0);
		assert_false(testsvc_header(www, sizeof(www), &r, "Set-Cookie"));
		testsvc_reply_free(&r);
	}
	call(&r, &(struct call){.method = "POST", .path = "/v1/auth/session", .body = refused[0]});
	assert_string_equal(testsvc_detail(&r), "wrong user name or password");
	testsvc_reply_free(&r);
	call(&r, &(struct call){.method = "POST", .path = "/v1/auth/session", .body = body});
	assert_string_equal(testsvc_detail(&r), "the API token was revoked");
	testsvc_reply_free(&r);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		call(&r, &(struct call){.method = "POST", .path = "/v1/auth/session", .body = malformed[i]});
		if (r.status != 400)
			fail_msg("malformed login %zu: %ld %s", i, r.status, testsvc_body(&r));
		assert_false(testsvc_header(www, sizeof(www), &r, "Set-Cookie"));
		testsvc_reply_free(&r);
	}
	/* cookies that name no session */
	{
		static const char *const cookies[] = {
			"Cookie: __Host-asec_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"Cookie: __Host-asec_session=short",
			"Cookie: theme=dark",
		};
		for (i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
			call(&r, &(struct call){.path = "/v1/images", .extra = {cookies[i]}});
			assert_int_equal(r.status, 401);
			assert_true(testsvc_header(www, sizeof(www), &r, "WWW-Authenticate"));
			assert_int_not_equal(strncasecmp(www, "Basic", 5), 0);
			testsvc_reply_free(&r);
		}
	}
}

/* Last: what central logged over all the cases above. */
static void log_holds_no_cookie(void **state)
{
	size_t i;

	(void)state;
	assert_true(run.cookie_count >= 5);
	for (i = 0; i < run.cookie_count; i++)
		assert_int_equal(testsvc_log_lines(&central, run.cookies[i], NULL, NULL), 0);
	assert_int_equal(testsvc_log_lines(&central, "__Host-asec_session=", NULL, NULL), 0);
	/* the log does say who acted */
	assert_true(testsvc_log_lines(&central, "session:admin", NULL, NULL) > 0);
	{
		/* a token's session by the token's id: names repeat, ids do not */
		char who[ID_SIZE + 32];

		snprintf(who, sizeof(who), "session:apitoken:%s", run.analyst_token_id);
		assert_true(testsvc_log_lines(&central, who, NULL, NULL) > 0);
	}
}

/* ---- the run ------------------------------------------------------------------------------ */

static int setup(void **state)
{
	char pki[1024], db[2200], dir[500], pw[80], timeout[64];
	const char *const settings[] = {db, dir, pw, timeout, "ROX_CENTRAL_INDEXER_URL=https://127.0.0.1:9",
					"ROX_CENTRAL_MATCHER_URL=https://127.0.0.1:9", NULL};
	FILE *f;

	(void)state;
	run.base_db_url = getenv("ASEC_TEST_DATABASE_URL");
	if (!run.base_db_url || !run.base_db_url[0]) {
		fprintf(stderr, "%s: ASEC_TEST_DATABASE_URL is not set\n", testing_in_ci() ? "FAIL" : "SKIP");
		exit(testing_in_ci() ? 1 : TESTING_SKIP);
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	testsvc_binary(central.bin, sizeof(central.bin), getenv("CENTRAL_E2E_CENTRAL_BIN"), "services/central/central");
	testsvc_binary(pki, sizeof(pki), getenv("CENTRAL_E2E_PKI_BIN"), "tools/pki/asec-pki");
	central.pki = &run.pki;
	if (testsvc_pki_make(&run.pki, pki, "central-session-e2e") != 0)
		return -1;
	snprintf(run.data_dir, sizeof(run.data_dir), "%s/central-data", run.pki.dir);
	if (mkdir(run.data_dir, 0700) != 0 || testsvc_schema_create(&run.db, run.base_db_url, "central_session_e2e") != 0)
		return -1;
	if (!(f = fopen("/dev/urandom", "rb")))
		return -1;
	{
		unsigned char raw[12];
		size_t i;
		if (fread(raw, 1, sizeof(raw), f) != sizeof(raw)) {
			fclose(f);
			return -1;
		}
		for (i = 0; i < sizeof(raw); i++)
			snprintf(run.password + 2 * i, 3, "%02x", raw[i]);
	}
	fclose(f);
	snprintf(db, sizeof(db), "ROX_CENTRAL_DB_URL=%s", run.db.url);
	snprintf(dir, sizeof(dir), "ROX_CENTRAL_DATA_DIR=%s", run.data_dir);
	snprintf(pw, sizeof(pw), "ROX_ADMIN_PASSWORD=%s", run.password);
	snprintf(timeout, sizeof(timeout), "ROX_CENTRAL_SESSION_TIMEOUT=%ds", SESSION_TIMEOUT_S);
	if (testsvc_start(&central, settings) != 0)
		return -1;
	snprintf(run.origin, sizeof(run.origin), "https://127.0.0.1:%d", central.port);
	return 0;
}

static int teardown(void **state)
{
	int clean;

	(void)state;
	clean = testsvc_stop(&central);
	testsvc_schema_drop(&run.db);
	if (run.pki.dir[0] && clean)
		testsvc_remove_dir(run.pki.dir);
	else if (run.pki.dir[0])
		printf("kept %s (central's log and PKI)\n", run.pki.dir);
	curl_global_cleanup();
	return clean ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(password_session), cmocka_unit_test(token_sessions), cmocka_unit_test(expired_session),
		cmocka_unit_test(bad_logins),       cmocka_unit_test(password_change_ends_admin_sessions),
		cmocka_unit_test(log_holds_no_cookie),
	};

	return cmocka_run_group_tests_name("central portal sessions end to end", tests, setup, teardown);
}
