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
 * (-fh), --bool=false, "--" ends the flags, and a repeated --severity adds
 * to the list.
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
	F_COUNT,
};

struct flag_def {
	const char *name;
	char shorthand;          /* 0: none */
	const char *value_name;  /* NULL: a boolean */
	enum roxctl_command owner; /* ROXCTL_CMD_ROOT: global */
	const char *help;
};

/* Indexed by enum flag_id. */
static const struct flag_def flags[F_COUNT] = {
	[F_ENDPOINT] = {"endpoint", 'e', "host:port", ROXCTL_CMD_ROOT,
			"central's endpoint: host:port or https://host:port (env ROX_ENDPOINT; default "
			"\"" ROXCTL_DEFAULT_ENDPOINT "\")"},
	[F_TOKEN_FILE] = {"token-file", 0, "file", ROXCTL_CMD_ROOT,
			  "read the API token from this file, trailing newline removed (env ROX_API_TOKEN_FILE; "
			  "the token itself: env ROX_API_TOKEN)"},
	[F_PASSWORD] = {"password", 'p', "password", ROXCTL_CMD_ROOT,
			"the admin password, sent as HTTP basic user \"admin\" (env ROX_ADMIN_PASSWORD); an API token "
			"wins when both are given"},
	[F_CA] = {"ca", 0, "file", ROXCTL_CMD_ROOT,
		  "PEM file of the CA(s) that signed central's certificate, instead of the system's (env "
		  "ROX_CA_CERT_FILE)"},
	[F_INSECURE] = {"insecure-skip-tls-verify", 0, NULL, ROXCTL_CMD_ROOT,
			"do not verify central's certificate (env ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true); for "
			"tests only"},
	[F_TIMEOUT] = {"timeout", 't', "duration", ROXCTL_CMD_ROOT,
		       "limit of each request to central, e.g. 30s, 1m, 500ms (env ROX_CLIENT_TIMEOUT; default 1m)"},
	[F_NO_COLOR] = {"no-color", 0, NULL, ROXCTL_CMD_ROOT,
			"no colours (also when NO_COLOR is set; colours are only used on a terminal)"},
	[F_HELP] = {"help", 'h', NULL, ROXCTL_CMD_ROOT, "help for this command"},
	[F_IMAGE] = {"image", 'i', "image", ROXCTL_CMD_IMAGE_SCAN,
		     "the image to scan, e.g. nginx:1.25 or registry:5000/app@sha256:... (required)"},
	[F_FORCE] = {"force", 'f', NULL, ROXCTL_CMD_IMAGE_SCAN,
		     "match again and store again, even when central has a current scan"},
	[F_OUTPUT] = {"output", 'o', "format", ROXCTL_CMD_IMAGE_SCAN,
		      "output format: table, json, csv or sarif (default table)"},
	[F_SEVERITY] = {"severity", 0, "list", ROXCTL_CMD_IMAGE_SCAN,
			"only these severities, comma-separated: LOW,MODERATE,IMPORTANT,CRITICAL (default all)"},
	[F_FAIL] = {"fail", 0, NULL, ROXCTL_CMD_IMAGE_SCAN,
		    "exit 1 when a vulnerability of the selected severities is found (after printing)"},
	[F_RETRIES] = {"retries", 'r', "n", ROXCTL_CMD_IMAGE_SCAN,
		       "further attempts when central is unavailable, overloaded or did not answer (default 3)"},
	[F_RETRY_DELAY] = {"retry-delay", 'd', "seconds", ROXCTL_CMD_IMAGE_SCAN,
			   "seconds between attempts, unless central sends Retry-After (default 3)"},
	[F_INCLUDE_SNOOZED] = {"include-snoozed", 0, NULL, ROXCTL_CMD_IMAGE_SCAN,
			       "include snoozed CVEs (accepted for StackRox compatibility; none is snoozed yet)"},
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
	[ROXCTL_CMD_VERSION] = {"roxctl version", "version", ROXCTL_CMD_ROOT, 1, 0, "print roxctl's version",
				"Prints the version of this roxctl.", NULL},
};

static const char exit_codes_text[] =
	"Exit codes:\n"
	"  0  success\n"
	"  1  the gate failed: --fail found vulnerabilities of the selected severities\n"
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
	const char **words;
	int word_count;
};

static int flag_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < F_COUNT; i++) {
		if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
			return i;
	}
	return -1;
}

static int flag_by_short(char c)
{
	int i;

	for (i = 0; i < F_COUNT; i++) {
		if (flags[i].shorthand == c)
			return i;
	}
	return -1;
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
			w->words[w->word_count++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags_done = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int id = flag_by_name(name, len);
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
			int id = flag_by_short(*p);
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

static int scan_values(struct roxctl_cli *cli, const struct walk *w)
{
	struct roxctl_scan_args *s = &cli->scan;
	const char *v;
	long n;
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
	s->retries = ROXCTL_DEFAULT_RETRIES;
	if ((v = w->value[F_RETRIES])) {
		if (parse_int(&n, v, 0, ROXCTL_RETRIES_MAX)) {
			error_set("-r/--retries: \"%s\" is not a number from 0 to %d", shown(v), ROXCTL_RETRIES_MAX);
			return ASEC_EINVALID;
		}
		s->retries = (int)n;
	}
	s->retry_delay_ms = ROXCTL_DEFAULT_RETRY_DELAY_S * 1000L;
	if ((v = w->value[F_RETRY_DELAY])) {
		if (parse_int(&n, v, 0, ROXCTL_RETRY_DELAY_MAX_S)) {
			error_set("-d/--retry-delay: \"%s\" is not a number of seconds from 0 to %d", shown(v),
				  ROXCTL_RETRY_DELAY_MAX_S);
			return ASEC_EINVALID;
		}
		s->retry_delay_ms = n * 1000L;
	}
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
	if (cli->command == ROXCTL_CMD_IMAGE_SCAN)
		return scan_values(cli, w);
	return ASEC_OK;
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
	if (!(w.words = calloc((size_t)argc, sizeof(char *)))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((rc = walk_argv(&w, argc, argv)))
		goto out;
	if ((rc = resolve_command(cli, w.words, w.word_count)))
		goto out;
	if (w.value[F_HELP] && strcmp(w.value[F_HELP], "true") == 0)
		cli->help = 1;
	if (cli->help)
		goto out; /* help needs no valid values */
	for (i = 0; i < F_COUNT; i++) {
		if (w.value[i] && flags[i].owner != ROXCTL_CMD_ROOT && flags[i].owner != cli->command) {
			error_set("unknown flag: --%s (it belongs to %s)", flags[i].name, commands[flags[i].owner].path);
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
	free(w.words);
	free(w.severity);
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

static void help_flags(FILE *out, const char *title, enum roxctl_command owner)
{
	char left[F_COUNT][64];
	int i, width = 0, any = 0;

	for (i = 0; i < F_COUNT; i++) {
		int n;
		if (flags[i].owner != owner)
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
		if (flags[i].owner == owner)
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
