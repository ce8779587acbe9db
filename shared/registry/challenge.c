/*
 * challenge.c - a bounded parser for WWW-Authenticate (RFC 9110 section 11).
 *
 * A registry answers 401 with a challenge such as
 *
 *   Bearer realm="https://auth.example.io/token",service="registry.example.io",
 *          scope="repository:ns/app:pull"
 *
 * The header is the registry's to write, so it is parsed as hostile text:
 * a single pass over the bytes, no recursion, quoted strings unescaped into
 * fresh buffers, and hard caps on the field length, the number of challenges
 * and the number of parameters. The one real subtlety of the grammar is that
 * a comma separates both parameters and challenges; after a comma, "token ="
 * starts another parameter and a bare token starts the next challenge.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "registry/registry_int.h"

struct ch_cursor {
	const char *s;
	size_t len;
	size_t pos;
};

static int ch_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int ch_is_token68_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("-._~+/", c) != NULL;
}

static void ch_skip_ows(struct ch_cursor *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
		c->pos++;
}

static int ch_at_end(const struct ch_cursor *c)
{
	return c->pos >= c->len;
}

static size_t ch_token_len(const struct ch_cursor *c, size_t at)
{
	size_t n = 0;

	while (at + n < c->len && ch_is_tchar((unsigned char)c->s[at + n]))
		n++;
	return n;
}

static char *ch_lower_dup(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[len] = '\0';
	return out;
}

/* Does "token BWS = BWS (token | quoted-string)" start at the cursor? */
static int ch_param_ahead(const struct ch_cursor *c)
{
	size_t p = c->pos + ch_token_len(c, c->pos);

	if (p == c->pos)
		return 0;
	while (p < c->len && (c->s[p] == ' ' || c->s[p] == '\t'))
		p++;
	if (p >= c->len || c->s[p] != '=')
		return 0;
	p++;
	while (p < c->len && (c->s[p] == ' ' || c->s[p] == '\t'))
		p++;
	return p < c->len && (c->s[p] == '"' || ch_is_tchar((unsigned char)c->s[p]));
}

/* A quoted-string starting at the cursor's '"', unescaped into *out. */
static int ch_quoted(struct ch_cursor *c, char **out)
{
	char *buf;
	size_t n = 0;

	/* The unescaped value is never longer than the rest of the field. */
	buf = malloc(c->len - c->pos + 1);
	if (!buf)
		return ASEC_ENOMEM;
	c->pos++;
	while (c->pos < c->len) {
		unsigned char ch = (unsigned char)c->s[c->pos];

		if (ch == '"') {
			c->pos++;
			buf[n] = '\0';
			*out = buf;
			return ASEC_OK;
		}
		if (ch == '\\') {
			if (c->pos + 1 >= c->len)
				break;
			ch = (unsigned char)c->s[c->pos + 1];
			c->pos++;
		}
		/* qdtext and quoted-pair: HTAB, SP, VCHAR, obs-text; no controls. */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			break;
		buf[n++] = (char)ch;
		c->pos++;
	}
	free(buf);
	return ASEC_EINVALID;
}

static void ch_challenge_free(struct reg_challenge *ch)
{
	free(ch->scheme);
	free(ch->token68);
	for (size_t i = 0; i < ch->param_count; i++) {
		free(ch->params[i].name);
		free(ch->params[i].value);
	}
	free(ch->params);
	memset(ch, 0, sizeof(*ch));
}

void reg_challenges_free(struct reg_challenges *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++)
		ch_challenge_free(&c->items[i]);
	free(c->items);
	c->items = NULL;
	c->count = 0;
}

static int ch_add_param(struct reg_challenge *ch, char *name, char *value)
{
	struct reg_auth_param *grown;

	for (size_t i = 0; i < ch->param_count; i++) {
		if (strcmp(ch->params[i].name, name) == 0) {
			error_set("WWW-Authenticate: parameter '%.32s' appears twice in one challenge", name);
			return ASEC_EINVALID;
		}
	}
	if (ch->param_count >= REG_CHALLENGE_PARAMS_MAX) {
		error_set("WWW-Authenticate: more than %d parameters in one challenge", REG_CHALLENGE_PARAMS_MAX);
		return ASEC_EINVALID;
	}
	grown = realloc(ch->params, (ch->param_count + 1) * sizeof(*grown));
	if (!grown) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	ch->params = grown;
	ch->params[ch->param_count].name = name;
	ch->params[ch->param_count].value = value;
	ch->param_count++;
	return ASEC_OK;
}

/* name BWS "=" BWS ( token / quoted-string ), the cursor on name. */
static int ch_param(struct ch_cursor *c, struct reg_challenge *ch)
{
	size_t n = ch_token_len(c, c->pos);
	char *name = NULL, *value = NULL;
	int rc;

	name = ch_lower_dup(c->s + c->pos, n);
	if (!name)
		goto nomem;
	c->pos += n;
	ch_skip_ows(c);
	c->pos++; /* '=', checked by ch_param_ahead() */
	ch_skip_ows(c);
	if (c->s[c->pos] == '"') {
		rc = ch_quoted(c, &value);
		if (rc == ASEC_ENOMEM)
			goto nomem;
		if (rc != ASEC_OK) {
			error_set("WWW-Authenticate: unterminated or invalid quoted string at byte %zu", c->pos);
			free(name);
			return rc;
		}
	} else {
		n = ch_token_len(c, c->pos);
		value = strndup(c->s + c->pos, n);
		if (!value)
			goto nomem;
		c->pos += n;
	}
	rc = ch_add_param(ch, name, value);
	if (rc != ASEC_OK) {
		free(name);
		free(value);
	}
	return rc;
nomem:
	free(name);
	free(value);
	error_set("out of memory");
	return ASEC_ENOMEM;
}

/* token68 then OWS and a comma or the end, the cursor on its first byte. */
static int ch_token68(struct ch_cursor *c, struct reg_challenge *ch)
{
	size_t start = c->pos, end;

	while (c->pos < c->len && ch_is_token68_char((unsigned char)c->s[c->pos]))
		c->pos++;
	if (c->pos == start)
		return ASEC_EINVALID;
	while (c->pos < c->len && c->s[c->pos] == '=')
		c->pos++;
	end = c->pos;
	ch_skip_ows(c);
	if (!ch_at_end(c) && c->s[c->pos] != ',')
		return ASEC_EINVALID;
	ch->token68 = strndup(c->s + start, end - start);
	if (!ch->token68) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* One challenge, the cursor on its scheme. Leaves the cursor on the comma
 * that ends it (or at the end). */
static int ch_challenge(struct ch_cursor *c, struct reg_challenge *ch)
{
	size_t n = ch_token_len(c, c->pos);
	size_t after_scheme;
	int rc;

	if (n == 0) {
		error_set("WWW-Authenticate: expected an auth scheme at byte %zu", c->pos);
		return ASEC_EINVALID;
	}
	ch->scheme = ch_lower_dup(c->s + c->pos, n);
	if (!ch->scheme) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	c->pos += n;
	after_scheme = c->pos;
	ch_skip_ows(c);
	if (ch_at_end(c) || c->s[c->pos] == ',')
		return ASEC_OK; /* a scheme alone */
	if (c->pos == after_scheme) {
		error_set("WWW-Authenticate: expected a space after the auth scheme at byte %zu", c->pos);
		return ASEC_EINVALID;
	}
	if (!ch_param_ahead(c)) {
		rc = ch_token68(c, ch);
		if (rc == ASEC_EINVALID)
			error_set("WWW-Authenticate: malformed challenge at byte %zu", c->pos);
		return rc;
	}
	for (;;) {
		rc = ch_param(c, ch);
		if (rc != ASEC_OK)
			return rc;
		ch_skip_ows(c);
		if (ch_at_end(c))
			return ASEC_OK;
		if (c->s[c->pos] != ',') {
			error_set("WWW-Authenticate: expected ',' at byte %zu", c->pos);
			return ASEC_EINVALID;
		}
		/* Past any empty list elements: a parameter continues this
		 * challenge, anything else belongs to the next one. */
		{
			size_t save = c->pos;

			while (!ch_at_end(c) && (c->s[c->pos] == ',' || c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
				c->pos++;
			if (ch_at_end(c) || !ch_param_ahead(c)) {
				c->pos = save;
				return ASEC_OK;
			}
		}
	}
}

int reg_challenges_parse(struct reg_challenges *out, const char *value, size_t len)
{
	struct ch_cursor c = { value, len, 0 };
	struct reg_challenges parsed = { 0 };
	struct reg_challenge *grown;
	int rc = ASEC_OK;

	if (!value) {
		error_set("WWW-Authenticate: missing");
		return ASEC_EINVALID;
	}
	if (len > REG_CHALLENGE_HEADER_MAX) {
		error_set("WWW-Authenticate: longer than %d bytes", REG_CHALLENGE_HEADER_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			error_set("WWW-Authenticate: control character at byte %zu", i);
			return ASEC_EINVALID;
		}
	}

	for (;;) {
		while (!ch_at_end(&c) && (c.s[c.pos] == ',' || c.s[c.pos] == ' ' || c.s[c.pos] == '\t'))
			c.pos++;
		if (ch_at_end(&c))
			break;
		if (out->count + parsed.count >= REG_CHALLENGES_MAX) {
			error_set("WWW-Authenticate: more than %d challenges", REG_CHALLENGES_MAX);
			rc = ASEC_EINVALID;
			goto out;
		}
		grown = realloc(parsed.items, (parsed.count + 1) * sizeof(*grown));
		if (!grown) {
			error_set("out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		parsed.items = grown;
		memset(&parsed.items[parsed.count], 0, sizeof(parsed.items[0]));
		parsed.count++;
		rc = ch_challenge(&c, &parsed.items[parsed.count - 1]);
		if (rc != ASEC_OK)
			goto out;
	}
	if (parsed.count == 0) {
		error_set("WWW-Authenticate: no challenge");
		rc = ASEC_EINVALID;
		goto out;
	}

	grown = realloc(out->items, (out->count + parsed.count) * sizeof(*grown));
	if (!grown) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	out->items = grown;
	memcpy(out->items + out->count, parsed.items, parsed.count * sizeof(*grown));
	out->count += parsed.count;
	free(parsed.items);
	return ASEC_OK;
out:
	reg_challenges_free(&parsed);
	return rc;
}

const struct reg_challenge *reg_challenges_find(const struct reg_challenges *c, const char *scheme)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcasecmp(c->items[i].scheme, scheme) == 0)
			return &c->items[i];
	return NULL;
}

const char *reg_challenge_param(const struct reg_challenge *c, const char *name)
{
	for (size_t i = 0; i < c->param_count; i++)
		if (strcasecmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}
