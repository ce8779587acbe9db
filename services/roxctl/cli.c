/*
 * cli.c - roxctl's flags, environment, command words, help and exit codes
 * (cli.h explains the one-pass parse and the handling of secrets).
 *
 * One table lists every flag: its names, whether it takes a value, which
 * command owns it (or none: global), its environment variable and its help
 * line. The parser, the applicability check and the help printer all read
 * that table, so a flag cannot be documented in one place and accepted in
 * another. The syntax is pflag's, which StackRox's roxctl uses: --name
 * value, --name=value, -x value, -x=value, -xvalue, clustered booleans
 * (-fh), --bool=false, "--" ends the flags, and a repeated --severity,
 * --categories, --file or --id adds to the list.
 *
 * A flag may belong to several commands (-i/--image: image scan and image
 * check), and two commands may give one name or letter two meanings (-f:
 * --force of image check, --file of deployment check; -o: a format, or
 * policy export's file). A flag is therefore looked up in the light of the
 * command the words have named so far, and once the words are all known
 * argv is walked a second time in the light of the final command, so that
 * `roxctl -o junit image check -i x` means the check's format.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "error/error.h"

enum flag_id {
	F_ENDPOINT,
	F_TOKEN_FILE,
	F_PASSWORD,
	F_CA,
	F_INSECURE,
	F_TIMEOUT,
	F_NO_COLOR,
	F_HELP,
	F_IMAGE,
	F_FORCE,
	F_OUTPUT,
	F_SEVERITY,
	F_FAIL,
	F_RETRIES,
	F_RETRY_DELAY,
	F_INCLUDE_SNOOZED,
	F_CHECK_OUTPUT,
	F_CATEGORIES,
	F_SEND_NOTIFICATIONS,
	F_FILE,
	F_DEPLOY_FORCE,
	F_NAMESPACE,
	F_ID,
	F_EXPORT_OUTPUT,
	F_IMPORT_FILE,
	F_OVERWRITE,
	F_COUNT,
};

struct flag_def {
	const char *name;
	char shorthand;          /* 0: none */
	const char *value_name;  /* NULL: a boolean */
	unsigned owners;         /* OWN() of the commands that take it; 0: global */
	const char *help;
};

#define OWN(c) (1u << (c))
#define GLOBAL 0u
#define SCAN OWN(ROXCTL_CMD_IMAGE_SCAN)
#define ICHECK OWN(ROXCTL_CMD_IMAGE_CHECK)
#define DCHECK OWN(ROXCTL_CMD_DEPLOYMENT_CHECK)
#define PEXPORT OWN(ROXCTL_CMD_POLICY_EXPORT)
#define PIMPORT OWN(ROXCTL_CMD_POLICY_IMPORT)

/* Indexed by enum flag_id. */
static const struct flag_def flags[F_COUNT] = {
	[F_ENDPOINT] = {"endpoint", 'e', "host:port", GLOBAL,
			"central's endpoint: host:port or https://host:port (env ROX_ENDPOINT; default "
			"\"" ROXCTL_DEFAULT_ENDPOINT "\")"},
	[F_TOKEN_FILE] = {"token-file", 0, "file", GLOBAL,
			  "read the API token from this file, trailing newline removed (env ROX_API_TOKEN_FILE; "
			  "the token itself: env ROX_API_TOKEN)"},
	[F_PASSWORD] = {"password", 'p', "password", GLOBAL,
			"the admin password, sent as HTTP basic user \"admin\" (env ROX_ADMIN_PASSWORD); an API token "
			"wins when both are given"},
	[F_CA] = {"ca", 0, "file", GLOBAL,
		  "PEM file of the CA(s) that signed central's certificate, instead of the system's (env "
		  "ROX_CA_CERT_FILE)"},
	[F_INSECURE] = {"insecure-skip-tls-verify", 0, NULL, GLOBAL,
			"do not verify central's certificate (env ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true); for "
			"tests only"},
	[F_TIMEOUT] = {"timeout", 't', "duration", GLOBAL,
		       "limit of each request to central, e.g. 30s, 1m, 500ms (env ROX_CLIENT_TIMEOUT; default 1m)"},
	[F_NO_COLOR] = {"no-color", 0, NULL, GLOBAL,
			"no colours (also when NO_COLOR is set; colours are only used on a terminal)"},
	[F_HELP] = {"help", 'h', NULL, GLOBAL, "help for this command"},
	[F_IMAGE] = {"image", 'i', "image", SCAN | ICHECK,
		     "the image, e.g. nginx:1.25 or registry:5000/app@sha256:... (required)"},
	[F_FORCE] = {"force", 'f', NULL, SCAN | ICHECK,
		     "match again and store again, even when central has a current scan"},
	[F_OUTPUT] = {"output", 'o', "format", SCAN,
		      "output format: table, json, csv or sarif (default table)"},
	[F_SEVERITY] = {"severity", 0, "list", SCAN,
			"only these severities, comma-separated: LOW,MODERATE,IMPORTANT,CRITICAL (default all)"},
	[F_FAIL] = {"fail", 0, NULL, SCAN,
		    "exit 1 when a vulnerability of the selected severities is found (after printing)"},
	[F_RETRIES] = {"retries", 'r', "n", SCAN | ICHECK | DCHECK,
		       "further attempts when central is unavailable, overloaded or did not answer (default 3)"},
	[F_RETRY_DELAY] = {"retry-delay", 'd', "seconds", SCAN | ICHECK | DCHECK,
			   "seconds between attempts, unless central sends Retry-After (default 3)"},
	[F_INCLUDE_SNOOZED] = {"include-snoozed", 0, NULL, SCAN,
			       "include snoozed CVEs (accepted for StackRox compatibility; none is snoozed yet)"},
	[F_CHECK_OUTPUT] = {"output", 'o', "format", ICHECK | DCHECK,
			    "output format: table, json, junit or sarif (default table)"},
	[F_CATEGORIES] = {"categories", 'c', "list", ICHECK | DCHECK,
			  "only policies of these categories, comma-separated, may be repeated (default all)"},
	[F_SEND_NOTIFICATIONS] = {"send-notifications", 0, NULL, ICHECK,
				  "have central send the violations to the notifiers of each violated policy"},
	[F_FILE] = {"file", 'f', "file", DCHECK,
		    "a YAML file of Kubernetes objects to check; repeat for more files (required)"},
	[F_DEPLOY_FORCE] = {"force", 0, NULL, DCHECK,
			    "scan the images again, even when central has a current scan"},
	[F_NAMESPACE] = {"namespace", 'n', "namespace", DCHECK,
			 "the namespace of objects whose YAML names none (default: as the YAML says)"},
	[F_ID] = {"id", 0, "id", PEXPORT, "a policy id to export; comma-separated or repeated (required)"},
	[F_EXPORT_OUTPUT] = {"output", 'o', "file", PEXPORT,
			     "write the export to this file instead of standard output"},
	[F_IMPORT_FILE] = {"file", 'f', "file", PIMPORT,
			   "the file to import: what `roxctl policy export` wrote (required)"},
	[F_OVERWRITE] = {"overwrite", 0, NULL, PIMPORT,
			 "replace policies of the same id or name instead of failing on them"},
};

struct command_def {
	const char *path;    /* "roxctl image scan" */
	const char *word;    /* "scan" */
	enum roxctl_command parent;
	int leaf;            /* runs something (else a group of commands) */
	int calls_central;
	const char *summary;
	const char *description;
	const char *examples;
};

static const struct command_def commands[ROXCTL_CMD_COUNT] = {
	[ROXCTL_CMD_ROOT] = {"roxctl", NULL, ROXCTL_CMD_ROOT, 0, 0,
			     "the command-line client of Alauda Security Service's central",
			     "roxctl talks to central's StackRox-compatible API, for people and CI pipelines.\n"
			     "Flags may stand before or after the command words.",
			     "  ROX_API_TOKEN=$(cat token) roxctl -e central.example.com:443 image scan -i nginx:1.25\n"
			     "  roxctl -e localhost:8443 --ca ca.crt -p \"$PASSWORD\" central whoami"},
	[ROXCTL_CMD_CENTRAL] = {"roxctl central", "central", ROXCTL_CMD_ROOT, 0, 0, "commands about central itself",
				"Commands about central itself and the caller's standing with it.", NULL},
	[ROXCTL_CMD_CENTRAL_WHOAMI] = {"roxctl central whoami", "whoami", ROXCTL_CMD_CENTRAL, 1, 1,
				       "who the credentials belong to, with their roles and access",
				       "Prints who central takes the credentials for (GET /v1/auth/status): the user\n"
				       "id, the user name, the roles, the access per resource that the roles grant\n"
				       "together (r: read, rw: read and write), and when the credentials expire.",
				       "  roxctl -e central:443 --token-file /run/secrets/rox-token central whoami"},
	[ROXCTL_CMD_IMAGE] = {"roxctl image", "image", ROXCTL_CMD_ROOT, 0, 0, "commands about images",
			      "Commands about images.", NULL},
	[ROXCTL_CMD_IMAGE_SCAN] = {"roxctl image scan", "scan", ROXCTL_CMD_IMAGE, 1, 1,
				   "scan an image and print its vulnerabilities",
				   "Has central scan the image (POST /v1/images/scan) and prints the result as a\n"
				   "table, JSON, CSV or SARIF (docs/roxctl-output.md). With --fail the exit status\n"
				   "is 1 when a vulnerability of the selected severities was found. An unavailable\n"
				   "or overloaded central (429, 502, 503, 504), a timeout and a failed connection\n"
				   "are retried; other errors are not.",
				   "  roxctl image scan -i nginx:1.25\n"
				   "  roxctl image scan -i registry:5000/app:2.4 -o sarif > scan.sarif\n"
				   "  roxctl image scan -i app:2.4 --severity CRITICAL,IMPORTANT --fail"},
	[ROXCTL_CMD_IMAGE_CHECK] = {"roxctl image check", "check", ROXCTL_CMD_IMAGE, 1, 1,
				    "check an image against the build-time policies",
				    "Has central evaluate the build-time policies on the image (POST\n"
				    "/v1/detect/build) and prints the violated policies as a table, JSON, JUnit or\n"
				    "SARIF. The exit status is 1 when a violated policy has the enforcement\n"
				    "FAIL_BUILD_ENFORCEMENT; other violations are warnings. Failures of central\n"
				    "that may pass (429, 502, 503, 504, timeouts, failed connections) are retried.",
				    "  roxctl image check -i registry:5000/app:2.4\n"
				    "  roxctl image check -i app:2.4 -c \"Vulnerability Management\" -o junit > check.xml\n"
				    "  roxctl image check -i app:2.4 -o sarif > check.sarif"},
	[ROXCTL_CMD_DEPLOYMENT] = {"roxctl deployment", "deployment", ROXCTL_CMD_ROOT, 0, 0,
				   "commands about deployments", "Commands about deployments.", NULL},
	[ROXCTL_CMD_DEPLOYMENT_CHECK] = {"roxctl deployment check", "check", ROXCTL_CMD_DEPLOYMENT, 1, 1,
					 "check Kubernetes YAML against the deploy-time policies",
					 "Has central evaluate the deploy-time policies on the workloads of each YAML\n"
					 "file (POST /v1/detect/deploy/yaml, one request per file) and prints the\n"
					 "violated policies of all files as one table, JSON, JUnit or SARIF. The exit\n"
					 "status is 1 when a violated policy has a deploy-time enforcement (scale to\n"
					 "zero, unsatisfiable node constraint, fail deployment create or update);\n"
					 "other violations are warnings.",
					 "  roxctl deployment check -f deploy.yaml\n"
					 "  roxctl deployment check -f app.yaml -f db.yaml -n shop -o sarif > check.sarif"},
	[ROXCTL_CMD_POLICY] = {"roxctl policy", "policy", ROXCTL_CMD_ROOT, 0, 0, "commands about policies",
			       "Commands about policies: export them from one central, import them into another.",
			       NULL},
	[ROXCTL_CMD_POLICY_EXPORT] = {"roxctl policy export", "export", ROXCTL_CMD_POLICY, 1, 1,
				      "export policies as JSON",
				      "Exports the policies with the given ids (POST /v1/policies/export) as\n"
				      "{\"policies\": [...]}, the format `roxctl policy import` and StackRox read.",
				      "  roxctl policy export --id 3a9f... --id 77c2... -o policies.json"},
	[ROXCTL_CMD_POLICY_IMPORT] = {"roxctl policy import", "import", ROXCTL_CMD_POLICY, 1, 1,
				      "import policies from a JSON export",
				      "Imports the policies of a file written by `roxctl policy export` (POST\n"
				      "/v1/policies/import) and prints one line per policy. Without --overwrite a\n"
				      "policy whose id or name exists already is refused. The exit status is 1 when\n"
				      "a policy was not imported.",
				      "  roxctl policy import -f policies.json --overwrite"},
	[ROXCTL_CMD_VERSION] = {"roxctl version", "version", ROXCTL_CMD_ROOT, 1, 0, "print roxctl's version",
				"Prints the version of this roxctl.", NULL},
};

static const char exit_codes_text[] =
	"Exit codes:\n"
	"  0  success\n"
	"  1  the gate failed: --fail found vulnerabilities of the selected severities, a\n"
	"     violated policy breaks the build or the deployment (check), or a policy\n"
	"     was not imported\n"
	"  2  usage error: unknown flag or command, missing or bad value\n"
	"  3  no credentials, or central refused them (401, 403)\n"
	"  4  central failed (any other error status), could not be reached, or did not\n"
	"     answer in time, after the retries\n";

/* ---- small parsers ------------------------------------------------------------------------ */

/* The flag's name as messages show it: "-i/--image" or "--fail". */
static const char *flag_label(enum flag_id id)
{
	static char buf[64];

	if (flags[id].shorthand)
		snprintf(buf, sizeof(buf), "-%c/--%s", flags[id].shorthand, flags[id].name);
	else
		snprintf(buf, sizeof(buf), "--%s", flags[id].name);
	return buf;
}

/* pflag's (Go's strconv.ParseBool) spellings. */
static int parse_bool(int *out, const char *text)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(text, yes[i]) == 0) {
			*out = 1;
			return ASEC_OK;
		}
		if (strcmp(text, no[i]) == 0) {
			*out = 0;
			return ASEC_OK;
		}
	}
	return ASEC_EINVALID;
}

static int parse_int(long *out, const char *text, long min, long max)
{
	long v = 0;
	const char *p = text;

	if (!*p)
		return ASEC_EINVALID;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p) || (v = v * 10 + (*p - '0')) > max)
			return ASEC_EINVALID;
	}
	if (v < min)
		return ASEC_EINVALID;
	*out = v;
	return ASEC_OK;
}

int roxctl_cli_parse_duration(long *ms, const char *text)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"ms", 1}, {"s", 1000}, {"m", 60000},
		     {"h", 3600000}};
	const char *p = text;
	double total = 0;

	if (!text || !*text || strlen(text) > 64)
		goto bad;
	while (*p) {
		double v = 0, scale = 1;
		int digits = 0;
		size_t i, best = 0, best_len = 0;

		for (; isdigit((unsigned char)*p); p++, digits++)
			v = v * 10 + (*p - '0');
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, digits++) {
				scale /= 10;
				v += (*p - '0') * scale;
			}
		}
		if (!digits)
			goto bad;
		/* the longest unit that matches: "ms" before "m" */
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, n) == 0 && n > best_len) {
				best = i;
				best_len = n;
			}
		}
		if (!best_len)
			goto bad;
		p += best_len;
		total += v * units[best].ms;
		if (total > (double)ROXCTL_TIMEOUT_MAX_MS)
			goto bad;
	}
	if (total < 1)
		goto bad;
	*ms = (long)(total + 0.5);
	return ASEC_OK;
bad:
	error_set("\"%.64s\" is not a duration from 1ms to 24h (e.g. 30s, 1m, 500ms, 1m30s)", text ? text : "");
	return ASEC_EINVALID;
}

int roxctl_exit_code(int rc)
{
	if (rc == ASEC_OK)
		return ROXCTL_EXIT_OK;
	if (rc == ASEC_EAUTH)
		return ROXCTL_EXIT_AUTH;
	return ROXCTL_EXIT_SERVER;
}

const char *roxctl_cli_command_path(enum roxctl_command command)
{
	if ((unsigned)command >= ROXCTL_CMD_COUNT)
		return "roxctl";
	return commands[command].path;
}

/* Words from the user, shown in messages: cut and without control bytes. */
static const char *shown(const char *word)
{
	static char buf[72];
	size_t i;

	for (i = 0; word[i] && i < 64; i++)
		buf[i] = (unsigned char)word[i] < 0x20 || word[i] == 0x7f ? '?' : word[i];
	buf[i] = '\0';
	if (word[i])
		snprintf(buf + i, sizeof(buf) - i, "...");
	return buf;
}

/* ---- the walk over argv ------------------------------------------------------------------- */

struct walk {
	const char *value[F_COUNT]; /* NULL: not given; booleans as "true"/"false" text */
	char *severity;             /* every --severity, joined with commas */
	const char **list[F_COUNT]; /* every value of a list flag (argc slots each), in order */
	int list_count[F_COUNT];
	int argc;
	const char **words;
	int word_count;
	/* The command flags are looked up for: the one named so far, or
	 * (second walk) the final one. */
	enum roxctl_command context;
	int context_fixed;
};

static int is_list_flag(int id)
{
	return id == F_CATEGORIES || id == F_FILE || id == F_ID;
}

/* Whether command c is below (or is) ancestor. */
static int command_under(enum roxctl_command c, enum roxctl_command ancestor)
{
	for (;;) {
		if (c == ancestor)
			return 1;
		if (c == ROXCTL_CMD_ROOT)
			return 0;
		c = commands[c].parent;
	}
}

/* How well flag id fits the context: global or owned by the context (2),
 * owned by a command below it (1), else 0. */
static int flag_fit(int id, enum roxctl_command context)
{
	int c;

	if (flags[id].owners == GLOBAL || (flags[id].owners & OWN(context)))
		return 2;
	for (c = 0; c < ROXCTL_CMD_COUNT; c++) {
		if ((flags[id].owners & OWN(c)) && command_under((enum roxctl_command)c, context))
			return 1;
	}
	return 0;
}

/* The flag of that name (or shorthand, when name is NULL) that fits the
 * context best; the first in the table among equals. -1: none. */
static int flag_find(const struct walk *w, const char *name, size_t len, char shorthand)
{
	int i, best = -1, best_fit = -1;

	for (i = 0; i < F_COUNT; i++) {
		int fit;
		if (name ? strlen(flags[i].name) != len || strncmp(flags[i].name, name, len) != 0
			 : flags[i].shorthand != shorthand)
			continue;
		fit = flag_fit(i, w->context);
		if (fit > best_fit) {
			best = i;
			best_fit = fit;
		}
	}
	return best;
}

static int flag_by_name(const struct walk *w, const char *name, size_t len)
{
	return flag_find(w, name, len, 0);
}

static int flag_by_short(const struct walk *w, char c)
{
	return flag_find(w, NULL, 0, c);
}

/* A word of the command line: the context follows the command words. */
static void walk_word(struct walk *w, const char *word)
{
	int c;

	w->words[w->word_count++] = word;
	if (w->context_fixed || commands[w->context].leaf)
		return;
	if (w->word_count == 1 && strcmp(word, "help") == 0)
		return;
	for (c = 0; c < ROXCTL_CMD_COUNT; c++) {
		if (c != ROXCTL_CMD_ROOT && commands[c].parent == w->context && strcmp(commands[c].word, word) == 0) {
			w->context = (enum roxctl_command)c;
			return;
		}
	}
}

static void walk_reset(struct walk *w, enum roxctl_command context, int fixed)
{
	int i;

	memset(w->value, 0, sizeof(w->value));
	for (i = 0; i < F_COUNT; i++)
		w->list_count[i] = 0;
	free(w->severity);
	w->severity = NULL;
	w->word_count = 0;
	w->context = context;
	w->context_fixed = fixed;
}

static void walk_free(struct walk *w)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		free(w->list[i]);
	free(w->severity);
	free(w->words);
}

static int walk_set(struct walk *w, int id, const char *value)
{
	if (!flags[id].value_name) {
		int b;
		if (parse_bool(&b, value)) {
			error_set("%s takes no value, or true/false", flag_label(id));
			return ASEC_EINVALID;
		}
		value = b ? "true" : "false";
	}
	if (is_list_flag(id)) {
		if (!w->list[id] && !(w->list[id] = calloc((size_t)w->argc, sizeof(char *)))) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		if (w->list_count[id] < w->argc)
			w->list[id][w->list_count[id]++] = value;
	}
	if (id == F_SEVERITY && value[0]) {
		char *joined = NULL;
		if (asprintf(&joined, "%s%s%s", w->severity ? w->severity : "", w->severity ? "," : "", value) < 0) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		free(w->severity);
		w->severity = joined;
	}
	w->value[id] = value;
	return ASEC_OK;
}

static int walk_argv(struct walk *w, int argc, char **argv)
{
	int i, flags_done = 0, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (flags_done || a[0] != '-' || a[1] == '\0') {
			walk_word(w, a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags_done = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int id = flag_by_name(w, name, len);
			if (id < 0) {
				/* the name only: what follows '=' may be a secret */
				error_set("unknown flag: --%.*s", (int)(len > 64 ? 64 : len), shown(name));
				return ASEC_EINVALID;
			}
			if (eq)
				rc = walk_set(w, id, eq + 1);
			else if (!flags[id].value_name)
				rc = walk_set(w, id, "true");
			else if (i + 1 < argc)
				rc = walk_set(w, id, argv[++i]);
			else {
				error_set("flag needs an argument: --%s", flags[id].name);
				rc = ASEC_EINVALID;
			}
			if (rc)
				return rc;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			int id = flag_by_short(w, *p);
			if (id < 0) {
				error_set("unknown shorthand flag: '%c'", isprint((unsigned char)*p) ? *p : '?');
				return ASEC_EINVALID;
			}
			if (!flags[id].value_name) {
				if (p[1] == '=') {
					rc = walk_set(w, id, p + 2);
					if (rc)
						return rc;
					break;
				}
				if ((rc = walk_set(w, id, "true")))
					return rc;
				continue;
			}
			if (p[1])
				rc = walk_set(w, id, p[1] == '=' ? p + 2 : p + 1);
			else if (i + 1 < argc)
				rc = walk_set(w, id, argv[++i]);
			else {
				error_set("flag needs an argument: '%c' in -%c", *p, *p);
				rc = ASEC_EINVALID;
			}
			if (rc)
				return rc;
			break;
		}
	}
	return ASEC_OK;
}

/* The command the words name, from position *at on. Sets cli->command to
 * the deepest command named, so that a usage error can point at its help. */
static int resolve_command(struct roxctl_cli *cli, const char **words, int count)
{
	enum roxctl_command cur = ROXCTL_CMD_ROOT;
	int i = 0, c;

	if (count > 0 && strcmp(words[0], "help") == 0) {
		cli->help = 1;
		i = 1;
	}
	for (; i < count; i++) {
		enum roxctl_command next = ROXCTL_CMD_COUNT;
		if (commands[cur].leaf) {
			error_set("unexpected argument \"%s\": %s takes no arguments", shown(words[i]),
				  commands[cur].path);
			return ASEC_EINVALID;
		}
		for (c = 0; c < ROXCTL_CMD_COUNT; c++) {
			if (c != ROXCTL_CMD_ROOT && commands[c].parent == cur && strcmp(commands[c].word, words[i]) == 0)
				next = (enum roxctl_command)c;
		}
		if (next == ROXCTL_CMD_COUNT) {
			error_set("unknown command \"%s\" for \"%s\"", shown(words[i]), commands[cur].path);
			return ASEC_EINVALID;
		}
		cur = next;
		cli->command = cur;
	}
	return ASEC_OK;
}

/* ---- values ------------------------------------------------------------------------------- */

/* The flag's value, else the environment's (non-empty), else NULL. */
static const char *pick(const struct walk *w, enum flag_id id, roxctl_getenv_fn env, const char *env_name)
{
	const char *v;

	if (w->value[id])
		return w->value[id];
	if (env_name && (v = env(env_name)) && v[0])
		return v;
	return NULL;
}

/* Reads a token file: at most ROXCTL_TOKEN_FILE_MAX bytes, surrounding
 * whitespace (the trailing newline of `echo token > file`) removed. */
static int token_file_read(char **out, const char *path, const char *source)
{
	char buf[ROXCTL_TOKEN_FILE_MAX + 1];
	size_t len = 0, start = 0;
	ssize_t n;
	int fd, rc = ASEC_OK;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error_set("%s: cannot read %s: %s", source, shown(path), strerror(errno));
		return ASEC_EINVALID;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error_set("%s: reading %s: %s", source, shown(path), strerror(errno));
			rc = ASEC_EINVALID;
			goto out;
		}
		len += (size_t)n;
	}
	if (len > ROXCTL_TOKEN_FILE_MAX) {
		error_set("%s: %s is larger than %d bytes; is it a token?", source, shown(path), ROXCTL_TOKEN_FILE_MAX);
		rc = ASEC_EINVALID;
		goto out;
	}
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)buf[start]))
		start++;
	if (start == len) {
		error_set("%s: %s is empty", source, shown(path));
		rc = ASEC_EINVALID;
		goto out;
	}
	if (!(*out = strndup(buf + start, len - start))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

static int credentials_resolve(struct roxctl_cli *cli, const struct walk *w, roxctl_getenv_fn env)
{
	const char *v;
	int rc;

	/* A token wins over a password; the file flag over the variables. */
	if (w->value[F_TOKEN_FILE]) {
		if ((rc = token_file_read(&cli->token, w->value[F_TOKEN_FILE], "--token-file")))
			return rc;
	} else if ((v = env("ROX_API_TOKEN")) && v[0]) {
		if (!(cli->token = strdup(v)))
			goto oom;
	} else if ((v = env("ROX_API_TOKEN_FILE")) && v[0]) {
		if ((rc = token_file_read(&cli->token, v, "ROX_API_TOKEN_FILE")))
			return rc;
	}
	if (w->value[F_PASSWORD] && !w->value[F_PASSWORD][0]) {
		error_set("-p/--password is empty");
		return ASEC_EINVALID;
	}
	if ((v = pick(w, F_PASSWORD, env, "ROX_ADMIN_PASSWORD")) && !(cli->password = strdup(v)))
		goto oom;
	return ASEC_OK;
oom:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int retry_values(int *retries, long *delay_ms, const struct walk *w)
{
	const char *v;
	long n;

	*retries = ROXCTL_DEFAULT_RETRIES;
	if ((v = w->value[F_RETRIES])) {
		if (parse_int(&n, v, 0, ROXCTL_RETRIES_MAX)) {
			error_set("-r/--retries: \"%s\" is not a number from 0 to %d", shown(v), ROXCTL_RETRIES_MAX);
			return ASEC_EINVALID;
		}
		*retries = (int)n;
	}
	*delay_ms = ROXCTL_DEFAULT_RETRY_DELAY_S * 1000L;
	if ((v = w->value[F_RETRY_DELAY])) {
		if (parse_int(&n, v, 0, ROXCTL_RETRY_DELAY_MAX_S)) {
			error_set("-d/--retry-delay: \"%s\" is not a number of seconds from 0 to %d", shown(v),
				  ROXCTL_RETRY_DELAY_MAX_S);
			return ASEC_EINVALID;
		}
		*delay_ms = n * 1000L;
	}
	return ASEC_OK;
}

/*
 * Every value of a list flag, split at commas, trimmed, empty items
 * dropped, into a NULL-terminated array (NULL when the flag was not
 * given). At most max items of at most max_len bytes each.
 */
static int list_values(char ***out, const struct walk *w, int id, size_t max, size_t max_len)
{
	char **items = NULL, *copy = NULL, *p, *save = NULL;
	size_t count = 0, i;
	int k, rc = ASEC_OK;

	*out = NULL;
	if (!w->list_count[id])
		return ASEC_OK;
	if (!(items = calloc(max + 1, sizeof(char *))))
		goto oom;
	for (k = 0; k < w->list_count[id]; k++) {
		free(copy);
		if (!(copy = strdup(w->list[id][k])))
			goto oom;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*p))
				p++;
			for (i = strlen(p); i > 0 && isspace((unsigned char)p[i - 1]); i--)
				p[i - 1] = '\0';
			if (!*p)
				continue;
			if (count == max || strlen(p) > max_len) {
				error_set("%s: more than %zu items, or one longer than %zu bytes", flag_label(id), max,
					  max_len);
				rc = ASEC_EINVALID;
				goto out;
			}
			if (!(items[count++] = strdup(p)))
				goto oom;
		}
	}
	if (!count) {
		error_set("%s is empty", flag_label(id));
		rc = ASEC_EINVALID;
		goto out;
	}
	*out = items;
	items = NULL;
	goto out;
oom:
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	for (i = 0; items && items[i]; i++)
		free(items[i]);
	free(items);
	free(copy);
	return rc;
}

/* A file the command reads: given, and readable now, so that a typo is a
 * usage error before anything is sent. */
static int readable_file(char **out, const char *path, const char *label)
{
	struct stat st;

	if (!path || !path[0]) {
		error_set("required flag %s is missing", label);
		return ASEC_EINVALID;
	}
	if (access(path, R_OK) != 0 || stat(path, &st) != 0) {
		error_set("%s: cannot read %s: %s", label, shown(path), strerror(errno));
		return ASEC_EINVALID;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set("%s: %s is a directory", label, shown(path));
		return ASEC_EINVALID;
	}
	if (!(*out = strdup(path))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static int check_values(struct roxctl_cli *cli, const struct walk *w)
{
	struct roxctl_check_args *c = &cli->check;
	const char *v;
	int rc, k;

	if ((rc = retry_values(&c->retries, &c->retry_delay_ms, w)))
		return rc;
	c->format = CHECK_FORMAT_TABLE;
	if ((v = w->value[F_CHECK_OUTPUT]) && check_output_parse_format(&c->format, v)) {
		error_set("-o/--output: \"%s\" is not one of table, json, junit, sarif", shown(v));
		return ASEC_EINVALID;
	}
	if ((rc = list_values(&c->categories, w, F_CATEGORIES, ROXCTL_CATEGORIES_MAX, ROXCTL_CATEGORY_LEN_MAX)))
		return rc;
	if (cli->command == ROXCTL_CMD_IMAGE_CHECK) {
		parse_bool(&c->force, w->value[F_FORCE] ? w->value[F_FORCE] : "false");
		parse_bool(&c->send_notifications,
			   w->value[F_SEND_NOTIFICATIONS] ? w->value[F_SEND_NOTIFICATIONS] : "false");
		v = w->value[F_IMAGE];
		if (!v || !v[0]) {
			error_set("required flag -i/--image is missing (the image to check, e.g. nginx:1.25)");
			return ASEC_EINVALID;
		}
		if (strlen(v) > 2048) {
			error_set("-i/--image is longer than 2048 characters");
			return ASEC_EINVALID;
		}
		if (!(c->image = strdup(v)))
			goto oom;
		return ASEC_OK;
	}
	parse_bool(&c->force, w->value[F_DEPLOY_FORCE] ? w->value[F_DEPLOY_FORCE] : "false");
	if ((v = w->value[F_NAMESPACE])) {
		if (!v[0] || strlen(v) > 253) {
			error_set("-n/--namespace: a namespace has 1 to 253 characters");
			return ASEC_EINVALID;
		}
		if (!(c->namespace = strdup(v)))
			goto oom;
	}
	if (!w->list_count[F_FILE]) {
		error_set("required flag -f/--file is missing (a YAML file to check)");
		return ASEC_EINVALID;
	}
	if (w->list_count[F_FILE] > ROXCTL_CHECK_FILES_MAX) {
		error_set("-f/--file: more than %d files", ROXCTL_CHECK_FILES_MAX);
		return ASEC_EINVALID;
	}
	if (!(c->files = calloc((size_t)w->list_count[F_FILE], sizeof(char *))))
		goto oom;
	for (k = 0; k < w->list_count[F_FILE]; k++) {
		if ((rc = readable_file(&c->files[k], w->list[F_FILE][k], "-f/--file")))
			return rc;
		c->file_count++;
	}
	return ASEC_OK;
oom:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int policy_values(struct roxctl_cli *cli, const struct walk *w)
{
	struct roxctl_policy_args *p = &cli->policy;
	const char *v;
	int rc;

	if (cli->command == ROXCTL_CMD_POLICY_IMPORT) {
		parse_bool(&p->overwrite, w->value[F_OVERWRITE] ? w->value[F_OVERWRITE] : "false");
		return readable_file(&p->input, w->value[F_IMPORT_FILE], "-f/--file");
	}
	if (!w->list_count[F_ID]) {
		error_set("required flag --id is missing (a policy id to export)");
		return ASEC_EINVALID;
	}
	if ((rc = list_values(&p->ids, w, F_ID, ROXCTL_IDS_MAX, ROXCTL_ID_LEN_MAX)))
		return rc;
	if ((v = w->value[F_EXPORT_OUTPUT]) && strcmp(v, "-") != 0) {
		if (!v[0]) {
			error_set("-o/--output is empty");
			return ASEC_EINVALID;
		}
		if (!(p->output = strdup(v))) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
	}
	return ASEC_OK;
}

static int scan_values(struct roxctl_cli *cli, const struct walk *w)
{
	struct roxctl_scan_args *s = &cli->scan;
	const char *v;
	size_t count = 0, i;
	char *p, *save = NULL;
	int rc;

	v = w->value[F_IMAGE];
	if (!v || !v[0]) {
		error_set("required flag -i/--image is missing (the image to scan, e.g. nginx:1.25)");
		return ASEC_EINVALID;
	}
	if (strlen(v) > 2048) {
		error_set("-i/--image is longer than 2048 characters");
		return ASEC_EINVALID;
	}
	if (!(s->image = strdup(v)))
		goto oom;
	parse_bool(&s->force, w->value[F_FORCE] ? w->value[F_FORCE] : "false");
	parse_bool(&s->fail, w->value[F_FAIL] ? w->value[F_FAIL] : "false");
	parse_bool(&s->include_snoozed, w->value[F_INCLUDE_SNOOZED] ? w->value[F_INCLUDE_SNOOZED] : "false");
	s->format = SCAN_FORMAT_TABLE;
	if ((v = w->value[F_OUTPUT]) && scan_output_parse_format(&s->format, v)) {
		error_set("-o/--output: \"%s\" is not one of table, json, csv, sarif", shown(v));
		return ASEC_EINVALID;
	}
	if ((rc = retry_values(&s->retries, &s->retry_delay_ms, w)))
		return rc;
	if (w->severity) {
		char *copy = strdup(w->severity);
		if (!copy)
			goto oom;
		for (p = copy; *p; p++)
			count += *p == ',';
		if (!(s->severities = calloc(count + 2, sizeof(char *)))) {
			free(copy);
			goto oom;
		}
		count = 0;
		rc = ASEC_OK;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			enum scan_severity sev;
			while (isspace((unsigned char)*p))
				p++;
			for (i = strlen(p); i > 0 && isspace((unsigned char)p[i - 1]); i--)
				p[i - 1] = '\0';
			if (!*p)
				continue;
			if (scan_output_parse_severity(&sev, p)) {
				error_set("--severity: \"%s\" is not one of LOW, MODERATE, IMPORTANT, CRITICAL", shown(p));
				rc = ASEC_EINVALID;
				break;
			}
			if (!(s->severities[count++] = strdup(scan_output_severity_name(sev)))) {
				error_set("out of memory");
				rc = ASEC_ENOMEM;
				break;
			}
		}
		free(copy);
		if (rc)
			return rc;
		if (count == 0) {
			error_set("--severity is empty (give e.g. CRITICAL,IMPORTANT)");
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
oom:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

static int values_resolve(struct roxctl_cli *cli, const struct walk *w, roxctl_getenv_fn env, int stdout_tty)
{
	const char *v;
	int b, rc;

	v = pick(w, F_ENDPOINT, env, "ROX_ENDPOINT");
	if ((rc = roxctl_client_endpoint_normalise(&cli->endpoint_url, &cli->endpoint_display,
						   v ? v : ROXCTL_DEFAULT_ENDPOINT)))
		return rc;
	cli->timeout_ms = ROXCTL_DEFAULT_TIMEOUT_MS;
	if ((v = pick(w, F_TIMEOUT, env, "ROX_CLIENT_TIMEOUT")) && roxctl_cli_parse_duration(&cli->timeout_ms, v)) {
		error_prefix(w->value[F_TIMEOUT] ? "-t/--timeout" : "ROX_CLIENT_TIMEOUT");
		return ASEC_EINVALID;
	}
	if ((v = pick(w, F_INSECURE, env, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY")) && parse_bool(&b, v) == ASEC_OK)
		cli->insecure_skip_verify = b;
	else if (v) {
		error_set("ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY: \"%s\" is not true or false", shown(v));
		return ASEC_EINVALID;
	}
	b = 0;
	if (w->value[F_NO_COLOR])
		parse_bool(&b, w->value[F_NO_COLOR]);
	v = env("NO_COLOR");
	cli->colour = stdout_tty && !b && !(v && v[0]);
	if ((v = pick(w, F_CA, env, "ROX_CA_CERT_FILE")) && !(cli->ca_file = strdup(v))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (!commands[cli->command].calls_central)
		return ASEC_OK;
	if (cli->ca_file && access(cli->ca_file, R_OK) != 0) {
		error_set("%s: cannot read %s: %s", w->value[F_CA] ? "--ca" : "ROX_CA_CERT_FILE", shown(cli->ca_file),
			  strerror(errno));
		return ASEC_EINVALID;
	}
	if ((rc = credentials_resolve(cli, w, env)))
		return rc;
	switch (cli->command) {
	case ROXCTL_CMD_IMAGE_SCAN:
		return scan_values(cli, w);
	case ROXCTL_CMD_IMAGE_CHECK:
	case ROXCTL_CMD_DEPLOYMENT_CHECK:
		return check_values(cli, w);
	case ROXCTL_CMD_POLICY_EXPORT:
	case ROXCTL_CMD_POLICY_IMPORT:
		return policy_values(cli, w);
	default:
		return ASEC_OK;
	}
}

/* "roxctl image scan, roxctl image check": the commands a flag belongs to. */
static void owners_text(char *buf, size_t size, int id)
{
	const char *sep = "";
	int c;

	buf[0] = '\0';
	for (c = 0; c < ROXCTL_CMD_COUNT; c++) {
		if (flags[id].owners & OWN(c)) {
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", sep, commands[c].path);
			sep = ", ";
		}
	}
}

int roxctl_cli_parse(struct roxctl_cli *cli, int argc, char **argv, roxctl_getenv_fn env, int stdout_tty)
{
	struct walk w = {0};
	int rc, i;

	memset(cli, 0, sizeof(*cli));
	cli->command = ROXCTL_CMD_ROOT;
	if (argc < 1 || !argv || !env) {
		error_set("roxctl_cli_parse: no arguments");
		return ASEC_EINVALID;
	}
	w.argc = argc;
	if (!(w.words = calloc((size_t)argc, sizeof(char *)))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	walk_reset(&w, ROXCTL_CMD_ROOT, 0);
	if ((rc = walk_argv(&w, argc, argv)))
		goto out;
	if ((rc = resolve_command(cli, w.words, w.word_count)))
		goto out;
	/* Again in the light of the final command: a flag given before the
	 * words that named it now means what that command means by it. The
	 * words cannot change unless a letter changed from a boolean to one
	 * taking a value, and then they are resolved again. */
	walk_reset(&w, cli->command, 1);
	if ((rc = walk_argv(&w, argc, argv)))
		goto out;
	if ((rc = resolve_command(cli, w.words, w.word_count)))
		goto out;
	if (w.value[F_HELP] && strcmp(w.value[F_HELP], "true") == 0)
		cli->help = 1;
	if (cli->help)
		goto out; /* help needs no valid values */
	for (i = 0; i < F_COUNT; i++) {
		if (w.value[i] && flags[i].owners != GLOBAL && !(flags[i].owners & OWN(cli->command))) {
			char owners[256];
			owners_text(owners, sizeof(owners), i);
			error_set("unknown flag: --%s (it belongs to %s)", flags[i].name, owners);
			rc = ASEC_EINVALID;
			goto out;
		}
	}
	if (!commands[cli->command].leaf) {
		const char *sep = "";
		char list[128] = "";
		int c;
		for (c = 0; c < ROXCTL_CMD_COUNT; c++) {
			if (c != ROXCTL_CMD_ROOT && commands[c].parent == cli->command) {
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", sep, commands[c].word);
				sep = ", ";
			}
		}
		error_set("%s needs a command: %s", commands[cli->command].path, list);
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = values_resolve(cli, &w, env, stdout_tty);
out:
	walk_free(&w);
	return rc;
}

void roxctl_cli_free(struct roxctl_cli *cli)
{
	size_t i;

	if (!cli)
		return;
	if (cli->token)
		explicit_bzero(cli->token, strlen(cli->token));
	if (cli->password)
		explicit_bzero(cli->password, strlen(cli->password));
	free(cli->token);
	free(cli->password);
	free(cli->endpoint_url);
	free(cli->endpoint_display);
	free(cli->ca_file);
	free(cli->scan.image);
	for (i = 0; cli->scan.severities && cli->scan.severities[i]; i++)
		free(cli->scan.severities[i]);
	free(cli->scan.severities);
	free(cli->check.image);
	for (i = 0; i < cli->check.file_count; i++)
		free(cli->check.files[i]);
	free(cli->check.files);
	free(cli->check.namespace);
	for (i = 0; cli->check.categories && cli->check.categories[i]; i++)
		free(cli->check.categories[i]);
	free(cli->check.categories);
	for (i = 0; cli->policy.ids && cli->policy.ids[i]; i++)
		free(cli->policy.ids[i]);
	free(cli->policy.ids);
	free(cli->policy.output);
	free(cli->policy.input);
	memset(cli, 0, sizeof(*cli));
}

int roxctl_cli_client(struct roxctl_client **out, const struct roxctl_cli *cli)
{
	const struct roxctl_client_options o = {
		.base_url = cli->endpoint_url,
		.display = cli->endpoint_display,
		.token = cli->token,
		.password = cli->password,
		.ca_file = cli->ca_file,
		.insecure_skip_verify = cli->insecure_skip_verify,
		.timeout_ms = cli->timeout_ms,
	};

	return roxctl_client_new(out, &o);
}

/* ---- help --------------------------------------------------------------------------------- */

/* The flags of command (ROXCTL_CMD_ROOT: the global ones). */
static int help_flag_shown(int i, enum roxctl_command command)
{
	return command == ROXCTL_CMD_ROOT ? flags[i].owners == GLOBAL : (flags[i].owners & OWN(command)) != 0;
}

static void help_flags(FILE *out, const char *title, enum roxctl_command owner)
{
	char left[F_COUNT][64];
	int i, width = 0, any = 0;

	for (i = 0; i < F_COUNT; i++) {
		int n;
		if (!help_flag_shown(i, owner))
			continue;
		n = snprintf(left[i], sizeof(left[i]), "%c%c%c --%s%s%s", flags[i].shorthand ? '-' : ' ',
			     flags[i].shorthand ? flags[i].shorthand : ' ', flags[i].shorthand ? ',' : ' ',
			     flags[i].name, flags[i].value_name ? " " : "",
			     flags[i].value_name ? flags[i].value_name : "");
		if (n > width)
			width = n;
		any = 1;
	}
	if (!any)
		return;
	fprintf(out, "\n%s:\n", title);
	for (i = 0; i < F_COUNT; i++) {
		if (help_flag_shown(i, owner))
			fprintf(out, "  %-*s   %s\n", width, left[i], flags[i].help);
	}
}

void roxctl_cli_help(FILE *out, enum roxctl_command command)
{
	const struct command_def *c;
	int i, any = 0;

	if ((unsigned)command >= ROXCTL_CMD_COUNT)
		command = ROXCTL_CMD_ROOT;
	c = &commands[command];
	fprintf(out, "%s - %s\n\n%s\n\nUsage:\n", c->path, c->summary, c->description);
	if (c->leaf)
		fprintf(out, "  %s [flags]\n", c->path);
	else
		fprintf(out, "  %s <command> [flags]\n", c->path);
	for (i = 0; i < ROXCTL_CMD_COUNT; i++) {
		if (i == ROXCTL_CMD_ROOT || commands[i].parent != command)
			continue;
		if (!any)
			fprintf(out, "\nCommands:\n");
		any = 1;
		fprintf(out, "  %-10s %s\n", commands[i].word, commands[i].summary);
	}
	if (command == ROXCTL_CMD_ROOT)
		fprintf(out, "  %-10s %s\n", "help", "help about any command (roxctl help image scan)");
	if (c->leaf && command != ROXCTL_CMD_ROOT)
		help_flags(out, "Flags", command);
	help_flags(out, command == ROXCTL_CMD_ROOT ? "Flags (on every command)" : "Global Flags", ROXCTL_CMD_ROOT);
	fprintf(out,
		"\nEnvironment: ROX_ENDPOINT, ROX_API_TOKEN, ROX_API_TOKEN_FILE, ROX_ADMIN_PASSWORD,\n"
		"ROX_CA_CERT_FILE, ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY, ROX_CLIENT_TIMEOUT, NO_COLOR.\n"
		"A flag wins over its variable. An API token wins over the password.\n");
	if (c->examples)
		fprintf(out, "\nExamples:\n%s\n", c->examples);
	fprintf(out, "\n%s", exit_codes_text);
	if (!c->leaf)
		fprintf(out, "\nRun '%s <command> --help' for a command's flags.\n", c->path);
}

/* ---- the program -------------------------------------------------------------------------- */

void roxctl_retry_notice(void *ctx, int attempt, int attempts, long wait_ms, const char *why)
{
	FILE *err = ctx;

	if (wait_ms % 1000 == 0)
		fprintf(err, "WARN: attempt %d of %d failed: %s; retrying in %ld s\n", attempt, attempts, why,
			wait_ms / 1000);
	else
		fprintf(err, "WARN: attempt %d of %d failed: %s; retrying in %ld ms\n", attempt, attempts, why, wait_ms);
}

int roxctl_run(int argc, char **argv, roxctl_getenv_fn env, int stdout_tty, FILE *out, FILE *err)
{
	struct roxctl_cli cli;
	int code, rc;

	rc = roxctl_cli_parse(&cli, argc, argv, env, stdout_tty);
	if (rc) {
		fprintf(err, "ERROR: %s\nRun '%s --help' for usage.\n", error_last(), roxctl_cli_command_path(cli.command));
		roxctl_cli_free(&cli);
		return rc == ASEC_ENOMEM ? ROXCTL_EXIT_SERVER : ROXCTL_EXIT_USAGE;
	}
	if (cli.help) {
		roxctl_cli_help(out, cli.command);
		code = ROXCTL_EXIT_OK;
		goto out;
	}
	switch (cli.command) {
	case ROXCTL_CMD_VERSION:
		fprintf(out, "%s\n", ASEC_VERSION);
		code = ROXCTL_EXIT_OK;
		break;
	case ROXCTL_CMD_CENTRAL_WHOAMI:
		code = roxctl_central_whoami(&cli, out, err);
		break;
	case ROXCTL_CMD_IMAGE_SCAN:
		code = roxctl_image_scan(&cli, out, err);
		break;
	case ROXCTL_CMD_IMAGE_CHECK:
		code = roxctl_image_check(&cli, out, err);
		break;
	case ROXCTL_CMD_DEPLOYMENT_CHECK:
		code = roxctl_deployment_check(&cli, out, err);
		break;
	case ROXCTL_CMD_POLICY_EXPORT:
		code = roxctl_policy_export(&cli, out, err);
		break;
	case ROXCTL_CMD_POLICY_IMPORT:
		code = roxctl_policy_import(&cli, out, err);
		break;
	default: /* groups were refused by the parser */
		code = ROXCTL_EXIT_USAGE;
		break;
	}
out:
	if (fflush(out) != 0 && code == ROXCTL_EXIT_OK) {
		fprintf(err, "ERROR: writing the output: %s\n", strerror(errno));
		code = ROXCTL_EXIT_SERVER;
	}
	roxctl_cli_free(&cli);
	return code;
}
