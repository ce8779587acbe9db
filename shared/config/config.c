/*
 * config.c - layered settings (defaults < file < environment), validated once.
 *
 * The config keeps, per setting of the caller's table, the winning text and
 * where it came from; config_validate() then parses that text once into the
 * form the getters hand out (a number, a flag, a host and port). Lookups are
 * a linear scan of the table: tables hold a few dozen settings and are read
 * at start-up, so a hash would buy nothing.
 *
 * The file parser is the part that sees outside bytes (and is fuzzed): it
 * bounds the file and each line before looking at them, collects a whole
 * file's values before applying any, so a bad file leaves the config as it
 * was, and never puts a value in a message, so a secret cannot leak through
 * a syntax error.
 */
#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error/error.h"
#include "log/log.h"

extern char **environ;

#define CONFIG_NAME_MAX 128
#define CONFIG_SETTINGS_MAX 4096
/* How much of a bad value an error message shows. */
#define CONFIG_SHOW_MAX 80

enum config_source {
	SOURCE_UNSET,
	SOURCE_DEFAULT,
	SOURCE_FILE,
	SOURCE_ENV,
};

struct config_value {
	char *text;                /* winning value; NULL when unset */
	enum config_source source;
	long long number;          /* INT, DURATION_MS (ms), BOOL */
	char *host;                /* LISTEN_ADDRESS */
	unsigned port;
};

struct config {
	const struct config_setting *settings;
	size_t count;
	struct config_value values[];
};

/* ---- problems ---------------------------------------------------------- */

/* Problems found by validation, joined by "; " into one error message. */
struct problems {
	char text[1024];
	size_t len;
	int count;
};

static void problem_add(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem_add(struct problems *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->count++;
	if (p->len + 3 >= sizeof(p->text))
		return;
	if (p->len > 0) {
		memcpy(p->text + p->len, "; ", 3);
		p->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(p->text + p->len, sizeof(p->text) - p->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p->len += (size_t)n;
	if (p->len >= sizeof(p->text))
		p->len = sizeof(p->text) - 1;
}

/*
 * How a value appears in a message: quoted, with control characters escaped
 * and any embedded credential masked, cut to CONFIG_SHOW_MAX; a secret's
 * value never appears at all.
 */
static void show_value(char *out, size_t size, const struct config_setting *s, const char *value)
{
	char *red;
	const char *src;
	size_t o = 0, i, cut;

	if (s->secret) {
		snprintf(out, size, "the value");
		return;
	}
	red = log_redact_text(value);
	src = red ? red : "";
	cut = strlen(src);
	if (cut > CONFIG_SHOW_MAX) {
		cut = CONFIG_SHOW_MAX;
		/* Do not split a UTF-8 sequence. */
		while (cut > 0 && ((unsigned char)src[cut] & 0xc0) == 0x80)
			cut--;
	}
	out[o++] = '"';
	for (i = 0; i < cut && o + 6 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (i < strlen(src) && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	free(red);
}

/* ---- the table --------------------------------------------------------- */

static int valid_name(const char *name)
{
	size_t i;

	if (!name || !name[0] || strlen(name) > CONFIG_NAME_MAX)
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static int check_table(const struct config_setting *settings, size_t count)
{
	size_t i, j;

	if (count > 0 && !settings) {
		error_set("config: settings table is NULL");
		return ASEC_EINVALID;
	}
	if (count > CONFIG_SETTINGS_MAX) {
		error_set("config: settings table has more than %d entries", CONFIG_SETTINGS_MAX);
		return ASEC_EINVALID;
	}
	for (i = 0; i < count; i++) {
		const struct config_setting *s = &settings[i];

		if (!valid_name(s->name)) {
			error_set("config: setting %zu has a bad name (expected upper case, digits and _)", i);
			return ASEC_EINVALID;
		}
		if ((int)s->type < CONFIG_STRING || (int)s->type > CONFIG_URL) {
			error_set("config: %s has an unknown type %d", s->name, (int)s->type);
			return ASEC_EINVALID;
		}
		if (s->type == CONFIG_ENUM && (!s->choices || !s->choices[0])) {
			error_set("config: %s is an enum without choices", s->name);
			return ASEC_EINVALID;
		}
		if (s->min > s->max) {
			error_set("config: %s has min > max", s->name);
			return ASEC_EINVALID;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(settings[j].name, s->name) == 0) {
				error_set("config: %s is declared twice", s->name);
				return ASEC_EINVALID;
			}
		}
	}
	return ASEC_OK;
}

static long find_setting_n(const struct config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->count; i++) {
		const char *n = cfg->settings[i].name;

		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			return (long)i;
	}
	return -1;
}

static long find_setting(const struct config *cfg, const char *name)
{
	if (!cfg || !name)
		return -1;
	return find_setting_n(cfg, name, strlen(name));
}

static void value_clear(struct config_value *v)
{
	free(v->text);
	free(v->host);
	memset(v, 0, sizeof(*v));
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->count; i++)
		value_clear(&cfg->values[i]);
	free(cfg);
}

int config_new(struct config **out, const struct config_setting *settings, size_t count)
{
	struct config *cfg = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = check_table(settings, count);
	if (rc)
		goto out;
	cfg = calloc(1, sizeof(*cfg) + count * sizeof(cfg->values[0]));
	if (!cfg) {
		error_set("config: out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	cfg->settings = settings;
	cfg->count = count;
	for (i = 0; i < count; i++) {
		const char *def = settings[i].default_value;

		if (!def || !def[0])
			continue;
		cfg->values[i].text = strdup(def);
		if (!cfg->values[i].text) {
			error_set("config: out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		cfg->values[i].source = SOURCE_DEFAULT;
	}
	*out = cfg;
	cfg = NULL;
out:
	config_free(cfg);
	return rc;
}

/* ---- the file ---------------------------------------------------------- */

/* Case-insensitive edit distance, for "did you mean"; bounded by the caller. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t row[CONFIG_NAME_MAX + 1], i, j;

	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= blen; j++) {
			size_t up = row[j];
			size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[blen];
}

static const char *closest_name(const struct config *cfg, const char *key, size_t len)
{
	const char *best = NULL;
	size_t best_d = 3, i; /* suggest only within two edits */

	if (len > CONFIG_NAME_MAX)
		return NULL;
	for (i = 0; i < cfg->count; i++) {
		const char *n = cfg->settings[i].name;
		size_t d = edit_distance(key, len, n, strlen(n));

		if (d < best_d) {
			best_d = d;
			best = n;
		}
	}
	return best;
}

struct pending {
	char *value;   /* NULL: not in the file */
	unsigned line;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parses one line (no newline, no control characters) into a key and a
 * malloc'd value. Returns 0 for a blank or comment line (*key_len == 0),
 * 1 for an assignment, or negative with *why set to a message fragment.
 */
static int parse_line(const char *line, size_t len, const char **key, size_t *key_len, char **value,
                      const char **why)
{
	size_t i = 0, k, vstart;
	char *v = NULL;
	size_t vlen = 0;

	*key_len = 0;
	*value = NULL;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (len - i > 7 && memcmp(line + i, "export", 6) == 0 && is_blank(line[i + 6])) {
		i += 6;
		while (i < len && is_blank(line[i]))
			i++;
	}
	k = i;
	while (i < len && (line[i] == '_' || (line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z') ||
	                   (i > k && line[i] >= '0' && line[i] <= '9')))
		i++;
	if (i == k) {
		*why = "expected KEY=value";
		return -1;
	}
	*key = line + k;
	*key_len = i - k;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len || line[i] != '=') {
		*why = "expected KEY=value";
		return -1;
	}
	i++;
	while (i < len && is_blank(line[i]))
		i++;

	/* The value is never longer than the rest of the line. */
	v = malloc(len - i + 1);
	if (!v) {
		*why = "out of memory";
		return ASEC_ENOMEM;
	}
	if (i < len && (line[i] == '"' || line[i] == '\'')) {
		char q = line[i++];

		for (;;) {
			if (i == len) {
				free(v);
				*why = q == '"' ? "unterminated double quote" : "unterminated single quote";
				return -1;
			}
			if (line[i] == q)
				break;
			if (q == '"' && line[i] == '\\' && i + 1 < len) {
				char e = line[i + 1];

				switch (e) {
				case 'n': v[vlen++] = '\n'; break;
				case 't': v[vlen++] = '\t'; break;
				case 'r': v[vlen++] = '\r'; break;
				case '"': case '\\': v[vlen++] = e; break;
				default:
					/* Unknown escapes are kept as written, like the shell. */
					v[vlen++] = '\\';
					v[vlen++] = e;
				}
				i += 2;
				continue;
			}
			v[vlen++] = line[i++];
		}
		i++;
		while (i < len && is_blank(line[i]))
			i++;
		if (i < len && line[i] != '#') {
			free(v);
			*why = "unexpected text after the closing quote";
			return -1;
		}
	} else {
		vstart = i;
		vlen = len - vstart;
		while (vlen > 0 && is_blank(line[vstart + vlen - 1]))
			vlen--;
		memcpy(v, line + vstart, vlen);
	}
	v[vlen] = '\0';
	*value = v;
	return 1;
}

int config_parse_file_buffer(struct config *cfg, const char *data, size_t len, const char *origin)
{
	struct pending *pend = NULL;
	size_t pos = 0, i;
	unsigned lineno = 0;
	int rc = ASEC_OK;

	if (!origin)
		origin = "config file";
	if (!cfg || (!data && len > 0)) {
		error_set("%s: nothing to parse", origin);
		return ASEC_EINVALID;
	}
	if (len > CONFIG_FILE_MAX) {
		error_set("%s: file is larger than 1 MiB (%zu bytes)", origin, len);
		return ASEC_EINVALID;
	}
	pend = calloc(cfg->count ? cfg->count : 1, sizeof(*pend));
	if (!pend) {
		error_set("%s: out of memory", origin);
		return ASEC_ENOMEM;
	}
	/* A UTF-8 byte order mark, as some editors write, is not part of a key. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;

	while (pos < len) {
		const char *line = data + pos, *nl, *key = NULL, *why = NULL;
		size_t line_len, key_len;
		char *value = NULL;
		long idx;
		int r;

		lineno++;
		nl = memchr(line, '\n', len - pos);
		line_len = nl ? (size_t)(nl - line) : len - pos;
		pos += line_len + (nl ? 1 : 0);
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (line_len > CONFIG_LINE_MAX) {
			error_set("%s:%u: line is longer than %d bytes", origin, lineno, CONFIG_LINE_MAX);
			rc = ASEC_EINVALID;
			goto out;
		}
		for (i = 0; i < line_len; i++) {
			unsigned char c = (unsigned char)line[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				error_set("%s:%u: contains a control character (0x%02x)", origin, lineno, c);
				rc = ASEC_EINVALID;
				goto out;
			}
		}
		r = parse_line(line, line_len, &key, &key_len, &value, &why);
		if (r == ASEC_ENOMEM) {
			error_set("%s:%u: %s", origin, lineno, why);
			rc = ASEC_ENOMEM;
			goto out;
		}
		if (r < 0) {
			if (key_len > 0)
				error_set("%s:%u: %.*s: %s", origin, lineno, (int)(key_len > 64 ? 64 : key_len), key, why);
			else
				error_set("%s:%u: %s", origin, lineno, why);
			rc = ASEC_EINVALID;
			goto out;
		}
		if (r == 0)
			continue;
		idx = find_setting_n(cfg, key, key_len);
		if (idx < 0) {
			const char *hint = closest_name(cfg, key, key_len);

			error_set("%s:%u: unknown setting \"%.*s\"%s%s%s", origin, lineno,
			          (int)(key_len > 64 ? 64 : key_len), key, hint ? " (did you mean " : "",
			          hint ? hint : "", hint ? "?)" : "");
			free(value);
			rc = ASEC_EINVALID;
			goto out;
		}
		if (pend[idx].line) {
			error_set("%s:%u: %s is already set on line %u", origin, lineno, cfg->settings[idx].name,
			          pend[idx].line);
			free(value);
			rc = ASEC_EINVALID;
			goto out;
		}
		pend[idx].value = value;
		pend[idx].line = lineno;
	}

	/* The whole file parsed: only now does it change the config. */
	for (i = 0; i < cfg->count; i++) {
		struct config_value *v = &cfg->values[i];

		if (!pend[i].value || !pend[i].value[0])
			continue;
		free(v->text);
		v->text = pend[i].value;
		v->source = SOURCE_FILE;
		pend[i].value = NULL;
	}
out:
	for (i = 0; i < cfg->count; i++)
		free(pend[i].value);
	free(pend);
	return rc;
}

/* Reads a whole file, refusing anything but a regular file of at most CONFIG_FILE_MAX. */
static int read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	int fd, rc = ASEC_OK;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		error_set("%s: cannot open: %s", path, strerror(errno));
		return ASEC_EINVALID;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		error_set("%s: not a regular file", path);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		error_set("%s: file is larger than 1 MiB (%lld bytes)", path, (long long)st.st_size);
		rc = ASEC_EINVALID;
		goto out;
	}
	/* One byte more than the limit, to notice a file that grew since fstat. */
	buf = malloc(CONFIG_FILE_MAX + 2);
	if (!buf) {
		error_set("%s: out of memory", path);
		rc = ASEC_ENOMEM;
		goto out;
	}
	while (have < CONFIG_FILE_MAX + 1) {
		ssize_t n = read(fd, buf + have, CONFIG_FILE_MAX + 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("%s: cannot read: %s", path, strerror(errno));
			rc = ASEC_EINVALID;
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have > CONFIG_FILE_MAX) {
		error_set("%s: file is larger than 1 MiB", path);
		rc = ASEC_EINVALID;
		goto out;
	}
	buf[have] = '\0';
	*data = buf;
	*len = have;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

/* ---- the environment ----------------------------------------------------- */

int config_apply_env(struct config *cfg, char *const *envp)
{
	unsigned char *seen = NULL;
	size_t i;
	int rc = ASEC_OK;

	if (!cfg) {
		error_set("config: no config");
		return ASEC_EINVALID;
	}
	if (!envp)
		envp = environ;
	if (!envp)
		return ASEC_OK;
	seen = calloc(cfg->count ? cfg->count : 1, 1);
	if (!seen) {
		error_set("config: out of memory");
		return ASEC_ENOMEM;
	}
	for (i = 0; envp[i]; i++) {
		const char *entry = envp[i], *eq = strchr(entry, '=');
		struct config_value *v;
		size_t vlen;
		long idx;
		char *copy;

		if (!eq || eq == entry)
			continue;
		idx = find_setting_n(cfg, entry, (size_t)(eq - entry));
		if (idx < 0 || seen[idx])
			continue;
		seen[idx] = 1;
		vlen = strnlen(eq + 1, CONFIG_ENV_VALUE_MAX + 1);
		if (vlen > CONFIG_ENV_VALUE_MAX) {
			error_set("%s: value is longer than %d bytes", cfg->settings[idx].name, CONFIG_ENV_VALUE_MAX);
			rc = ASEC_EINVALID;
			goto out;
		}
		if (vlen == 0)
			continue;
		copy = strdup(eq + 1);
		if (!copy) {
			error_set("config: out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		v = &cfg->values[idx];
		free(v->text);
		v->text = copy;
		v->source = SOURCE_ENV;
	}
out:
	free(seen);
	return rc;
}

/* ---- validation ------------------------------------------------------- */

static int has_bounds(const struct config_setting *s)
{
	return !(s->min == 0 && s->max == 0);
}

/* Strict decimal: optional sign, digits, nothing else. */
static int parse_integer(const char *text, long long *out, int *overflow)
{
	char *end;
	const char *p = text;

	*overflow = 0;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*out = strtoll(text, &end, 10);
	if (*end != '\0')
		return -1;
	if (errno == ERANGE) {
		*overflow = 1;
		return -1;
	}
	return 0;
}

/* "250ms", "30s", "5m", "1h" or plain milliseconds. */
static int parse_duration(const char *text, long long *out)
{
	static const struct {
		const char *suffix;
		long long ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "", 1 },
	};
	const char *p = text;
	long long n = 0, mult = 0;
	size_t u;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (n > (LLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
		p++;
	}
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (strcmp(p, units[u].suffix) == 0) {
			mult = units[u].ms;
			break;
		}
	}
	if (!mult || n > LLONG_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

/* Milliseconds in the largest unit that divides them: 60000 -> "1m". */
static void format_duration(char *out, size_t size, long long ms)
{
	if (ms != 0 && ms % 3600000 == 0)
		snprintf(out, size, "%lldh", ms / 3600000);
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(out, size, "%lldm", ms / 60000);
	else if (ms != 0 && ms % 1000 == 0)
		snprintf(out, size, "%llds", ms / 1000);
	else
		snprintf(out, size, "%lldms", ms);
}

static int parse_bool(const char *text, long long *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int valid_hostname(const char *h, size_t len)
{
	size_t i, label = 0;

	if (len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		char c = h[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

/*
 * "host:port", "[v6]:port" or ":port". Returns 0, -1 for a bad shape, -2
 * for a port out of range; on success *host is malloc'd (NULL if out of
 * memory, which the caller checks).
 */
static int parse_listen_address(const char *text, char **host, unsigned *port)
{
	const char *colon, *h = text, *p;
	size_t hlen;
	unsigned long n = 0;
	char v6[64];

	*host = NULL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		struct in6_addr addr;

		if (!close || close[1] != ':')
			return -1;
		h = text + 1;
		hlen = (size_t)(close - h);
		if (hlen == 0 || hlen >= sizeof(v6))
			return -1;
		memcpy(v6, h, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, &addr) != 1)
			return -1;
		colon = close + 1;
	} else {
		colon = strchr(text, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -1;
		hlen = (size_t)(colon - text);
		if (!valid_hostname(text, hlen))
			return -1;
	}
	p = colon + 1;
	if (!*p || strlen(p) > 5)
		return *p && strspn(p, "0123456789") == strlen(p) ? -2 : -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > 65535)
		return -2;
	*host = strndup(h, hlen);
	*port = (unsigned)n;
	return 0;
}

static int valid_url(const char *text)
{
	static const char *const schemes[] = { "http", "https", "postgres", "postgresql" };
	const char *sep = strstr(text, "://"), *auth, *at, *end;
	size_t i, slen;
	int ok = 0, needs_host;

	if (!sep)
		return 0;
	slen = (size_t)(sep - text);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i]) == slen && strncasecmp(text, schemes[i], slen) == 0)
			ok = 1;
	}
	if (!ok)
		return 0;
	for (i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c <= ' ' || c == 0x7f)
			return 0;
	}
	/* libpq takes "postgresql:///db?host=/run/postgresql": no host is fine there. */
	needs_host = slen <= 5;
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	while (at) {
		const char *next = memchr(at + 1, '@', (size_t)(end - at - 1));

		if (!next)
			break;
		at = next;
	}
	if (at)
		auth = at + 1;
	return !needs_host || end > auth;
}

static const char *type_name(enum config_type type)
{
	switch (type) {
	case CONFIG_STRING: return "string";
	case CONFIG_INT: return "integer";
	case CONFIG_BOOL: return "boolean";
	case CONFIG_DURATION_MS: return "duration";
	case CONFIG_PATH: return "path";
	case CONFIG_ENUM: return "enum";
	case CONFIG_LISTEN_ADDRESS: return "listen address";
	case CONFIG_URL: return "URL";
	}
	return "unknown";
}

static void join_choices(char *out, size_t size, const char *const *choices, const char *sep, const char *quote)
{
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; choices[i] && o < size; i++) {
		int n = snprintf(out + o, size - o, "%s%s%s%s", i ? sep : "", quote, choices[i], quote);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int validate_one(const struct config_setting *s, struct config_value *v, struct problems *p)
{
	char shown[CONFIG_SHOW_MAX * 4 + 16];
	int overflow;

	free(v->host);
	v->host = NULL;
	v->number = 0;
	v->port = 0;
	if (!v->text) {
		if (!s->default_value) {
			problem_add(p, "%s: required but not set", s->name);
			return -1;
		}
		return 0;
	}
	show_value(shown, sizeof(shown), s, v->text);

	switch (s->type) {
	case CONFIG_STRING:
		return 0;
	case CONFIG_INT:
		if (parse_integer(v->text, &v->number, &overflow) != 0) {
			if (overflow && has_bounds(s))
				problem_add(p, "%s: %s is out of range (%lld..%lld)", s->name, shown, s->min, s->max);
			else
				problem_add(p, "%s: %s is not an integer", s->name, shown);
			return -1;
		}
		if (has_bounds(s) && (v->number < s->min || v->number > s->max)) {
			if (s->secret)
				problem_add(p, "%s: the value is out of range (%lld..%lld)", s->name, s->min, s->max);
			else
				problem_add(p, "%s: %lld is out of range (%lld..%lld)", s->name, v->number, s->min, s->max);
			return -1;
		}
		return 0;
	case CONFIG_DURATION_MS:
		if (parse_duration(v->text, &v->number) != 0) {
			problem_add(p, "%s: %s is not a duration (expected e.g. 250ms, 30s, 5m, 1h)", s->name, shown);
			return -1;
		}
		if (has_bounds(s) && (v->number < s->min || v->number > s->max)) {
			char lo[32], hi[32];

			format_duration(lo, sizeof(lo), s->min);
			format_duration(hi, sizeof(hi), s->max);
			problem_add(p, "%s: %s is out of range (%s..%s)", s->name, shown, lo, hi);
			return -1;
		}
		return 0;
	case CONFIG_BOOL:
		if (parse_bool(v->text, &v->number) != 0) {
			problem_add(p, "%s: %s is not a boolean (expected true/false, yes/no, on/off or 1/0)", s->name,
			            shown);
			return -1;
		}
		return 0;
	case CONFIG_PATH: {
		struct stat st;
		int fd;

		if (stat(v->text, &st) != 0) {
			problem_add(p, "%s: %s cannot be read: %s", s->name, shown, strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			problem_add(p, "%s: %s is not a regular file", s->name, shown);
			return -1;
		}
		/* Opening is the only honest readability test (access() uses the real uid). */
		fd = open(v->text, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			problem_add(p, "%s: %s cannot be read: %s", s->name, shown, strerror(errno));
			return -1;
		}
		close(fd);
		return 0;
	}
	case CONFIG_ENUM: {
		char list[512];
		size_t i;

		for (i = 0; s->choices[i]; i++) {
			if (strcasecmp(v->text, s->choices[i]) == 0) {
				char *canon = strdup(s->choices[i]);

				if (!canon)
					return ASEC_ENOMEM;
				free(v->text);
				v->text = canon;
				v->number = (long long)i;
				return 0;
			}
		}
		join_choices(list, sizeof(list), s->choices, ", ", "");
		problem_add(p, "%s: %s is not one of %s", s->name, shown, list);
		return -1;
	}
	case CONFIG_LISTEN_ADDRESS: {
		int r = parse_listen_address(v->text, &v->host, &v->port);

		if (r == -2) {
			problem_add(p, "%s: %s has a port out of range (0..65535)", s->name, shown);
			return -1;
		}
		if (r != 0) {
			problem_add(p, "%s: %s is not host:port (expected e.g. 0.0.0.0:8443)", s->name, shown);
			return -1;
		}
		if (!v->host)
			return ASEC_ENOMEM;
		return 0;
	}
	case CONFIG_URL:
		if (!valid_url(v->text)) {
			problem_add(p, "%s: %s is not an http, https, postgres or postgresql URL", s->name, shown);
			return -1;
		}
		return 0;
	}
	return 0;
}

int config_validate(struct config *cfg)
{
	struct problems p = { .len = 0 };
	size_t i;

	if (!cfg) {
		error_set("config: no config");
		return ASEC_EINVALID;
	}
	for (i = 0; i < cfg->count; i++) {
		if (validate_one(&cfg->settings[i], &cfg->values[i], &p) == ASEC_ENOMEM) {
			error_set("config: out of memory");
			return ASEC_ENOMEM;
		}
	}
	if (p.count) {
		error_set("%s", p.text);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int config_load(struct config **out, const struct config_setting *settings, size_t count, const char *file,
                char *const *envp)
{
	struct config *cfg = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = config_new(&cfg, settings, count);
	if (rc)
		goto out;
	if (file) {
		rc = read_file(file, &data, &len);
		if (rc)
			goto out;
		rc = config_parse_file_buffer(cfg, data, len, file);
		if (rc)
			goto out;
	}
	rc = config_apply_env(cfg, envp);
	if (rc)
		goto out;
	rc = config_validate(cfg);
	if (rc)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	free(data);
	config_free(cfg);
	return rc;
}

/* ---- getters ----------------------------------------------------------- */

const char *config_get_string(const struct config *cfg, const char *name)
{
	long i = find_setting(cfg, name);

	if (i < 0)
		return NULL;
	return cfg->values[i].text ? cfg->values[i].text : cfg->settings[i].default_value;
}

long long config_get_int(const struct config *cfg, const char *name)
{
	long i = find_setting(cfg, name);

	if (i < 0)
		return 0;
	switch (cfg->settings[i].type) {
	case CONFIG_INT:
	case CONFIG_DURATION_MS:
		return cfg->values[i].number;
	default:
		return 0;
	}
}

int config_get_bool(const struct config *cfg, const char *name)
{
	long i = find_setting(cfg, name);

	if (i < 0 || cfg->settings[i].type != CONFIG_BOOL)
		return 0;
	return cfg->values[i].number != 0;
}

int config_get_listen_address(const struct config *cfg, const char *name, char **host, unsigned *port)
{
	long i = find_setting(cfg, name);
	char *copy;

	*host = NULL;
	*port = 0;
	if (i < 0) {
		error_set("config: no setting named %s", name ? name : "(null)");
		return ASEC_ENOTFOUND;
	}
	if (cfg->settings[i].type != CONFIG_LISTEN_ADDRESS) {
		error_set("config: %s is a %s, not a listen address", cfg->settings[i].name,
		          type_name(cfg->settings[i].type));
		return ASEC_EINVALID;
	}
	if (!cfg->values[i].host) {
		error_set("config: %s is not set", cfg->settings[i].name);
		return ASEC_ENOTFOUND;
	}
	copy = strdup(cfg->values[i].host);
	if (!copy) {
		error_set("config: out of memory");
		return ASEC_ENOMEM;
	}
	*host = copy;
	*port = cfg->values[i].port;
	return ASEC_OK;
}

const char *config_source(const struct config *cfg, const char *name)
{
	long i = find_setting(cfg, name);

	if (i < 0 || !cfg->values[i].text)
		return "unset";
	switch (cfg->values[i].source) {
	case SOURCE_DEFAULT: return "default";
	case SOURCE_FILE: return "file";
	case SOURCE_ENV: return "environment";
	case SOURCE_UNSET: break;
	}
	return "unset";
}

json_t *config_describe(const struct config *cfg)
{
	json_t *obj;
	size_t i;

	if (!cfg)
		return NULL;
	obj = json_object();
	if (!obj)
		return NULL;
	for (i = 0; i < cfg->count; i++) {
		const struct config_setting *s = &cfg->settings[i];
		const char *text = cfg->values[i].text;
		json_t *v;

		if (!text) {
			v = json_null();
		} else if (s->secret) {
			v = json_string("(secret)");
		} else {
			/* A URL setting not marked secret may still carry a password. */
			char *red = log_redact_text(text);

			v = red ? json_string(red) : NULL;
			free(red);
		}
		/* Invalid UTF-8 from the environment must not lose the whole object. */
		if (!v)
			v = json_string("(not UTF-8)");
		if (json_object_set_new(obj, s->name, v) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* ---- documentation ------------------------------------------------------- */

/* Table cells: a '|' would end the cell and a newline the row. */
static void write_cell(FILE *out, const char *text)
{
	for (; *text; text++) {
		if (*text == '|')
			fputs("\\|", out);
		else if (*text == '\n' || *text == '\r')
			fputc(' ', out);
		else
			fputc(*text, out);
	}
}

static void write_type(FILE *out, const struct config_setting *s)
{
	char lo[32], hi[32], list[1024];

	switch (s->type) {
	case CONFIG_INT:
		if (has_bounds(s))
			fprintf(out, "integer (%lld..%lld)", s->min, s->max);
		else
			fputs("integer", out);
		return;
	case CONFIG_DURATION_MS:
		fputs("duration (250ms, 30s, 5m, 1h", out);
		if (has_bounds(s)) {
			format_duration(lo, sizeof(lo), s->min);
			format_duration(hi, sizeof(hi), s->max);
			fprintf(out, "; %s..%s", lo, hi);
		}
		fputs(")", out);
		return;
	case CONFIG_BOOL:
		fputs("boolean", out);
		return;
	case CONFIG_PATH:
		fputs("path to a readable file", out);
		return;
	case CONFIG_ENUM:
		join_choices(list, sizeof(list), s->choices, ", ", "`");
		fputs("one of ", out);
		write_cell(out, list);
		return;
	case CONFIG_LISTEN_ADDRESS:
		fputs("listen address (host:port)", out);
		return;
	case CONFIG_URL:
		fputs("URL (http, https, postgres)", out);
		return;
	case CONFIG_STRING:
		break;
	}
	fputs("string", out);
}

int config_write_docs(FILE *out, const char *service, const struct config_setting *settings, size_t count)
{
	size_t i;
	int rc;

	if (!out || !service) {
		error_set("config_write_docs: no stream or service name");
		return ASEC_EINVALID;
	}
	rc = check_table(settings, count);
	if (rc)
		return rc;
	fprintf(out, "## %s settings\n\n", service);
	fputs("Read from the environment and, optionally, from a file of KEY=value lines; the environment wins "
	      "over the file, the file over the default. An empty value counts as not set.\n\n",
	      out);
	fputs("| Name | Type | Default | Description |\n", out);
	fputs("| --- | --- | --- | --- |\n", out);
	for (i = 0; i < count; i++) {
		const struct config_setting *s = &settings[i];

		fprintf(out, "| `%s` | ", s->name);
		write_type(out, s);
		fputs(" | ", out);
		if (s->secret) {
			fputs("(secret)", out);
		} else if (!s->default_value) {
			fputs("(required)", out);
		} else if (!s->default_value[0]) {
			fputs("(none)", out);
		} else {
			fputc('`', out);
			write_cell(out, s->default_value);
			fputc('`', out);
		}
		fputs(" | ", out);
		write_cell(out, s->description ? s->description : "");
		fputs(" |\n", out);
	}
	if (fflush(out) != 0 || ferror(out)) {
		error_set("config_write_docs: writing failed");
		return ASEC_EIO;
	}
	return ASEC_OK;
}
