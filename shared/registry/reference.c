/*
 * reference.c - image references: "nginx" -> docker.io/library/nginx:latest.
 *
 * The grammar is distribution's reference grammar (the one docker, podman and
 * every registry accept), checked by hand rather than with a regex engine so
 * that each refusal can say which part is wrong:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component ( "/" path-component )*
 *   domain     := host [ ":" port ] | "[" ipv6 "]" [ ":" port ]
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * Whether the first component is a domain follows Docker's rule (it holds a
 * '.' or ':', is "localhost", or has an upper-case letter, which a path
 * component cannot). StackRox also hands over image URLs ("https://host/
 * ns/app:tag"); there the scheme says the first component is the host, and
 * the scheme is kept so that the client can refuse an http:// reference
 * unless the registry was marked insecure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "registry/registry.h"

static int ref_is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int ref_is_alnum(char c)
{
	return ref_is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One path component, s[0..len). */
static int ref_check_component(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return -1;
	while (i < len) {
		if (!ref_is_lower_alnum(s[i]))
			return -1;
		while (i < len && ref_is_lower_alnum(s[i]))
			i++;
		if (i == len)
			return 0;
		/* A separator: ".", "_", "__" or a run of "-", then more alnum. */
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < len && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else {
			return -1;
		}
		if (i == len)
			return -1; /* a separator must be followed by alnum */
	}
	return 0;
}

static int ref_check_path(const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (ref_check_component(s + start, i - start) != 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

static int ref_check_port(const char *s, size_t len)
{
	unsigned long port = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return port >= 1 && port <= 65535 ? 0 : -1;
}

/* host [":" port] or "[" ipv6 "]" [":" port]. */
static int ref_check_domain(const char *s, size_t len)
{
	size_t host_end = len;
	const char *colon;

	if (len == 0)
		return -1;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		size_t n;

		if (!close)
			return -1;
		n = (size_t)(close - s) - 1;
		if (n < 2 || n > 45)
			return -1;
		for (size_t i = 1; i <= n; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
				return -1;
		host_end = (size_t)(close - s) + 1;
		if (host_end == len)
			return 0;
		if (s[host_end] != ':')
			return -1;
		return ref_check_port(s + host_end + 1, len - host_end - 1);
	}
	colon = memchr(s, ':', len);
	if (colon) {
		host_end = (size_t)(colon - s);
		if (ref_check_port(colon + 1, len - host_end - 1) != 0)
			return -1;
	}
	/* Dot-separated labels of alnum with inner hyphens. */
	for (size_t i = 0, start = 0; i <= host_end; i++) {
		if (i == host_end || s[i] == '.') {
			if (i == start || !ref_is_alnum(s[start]) || !ref_is_alnum(s[i - 1]))
				return -1;
			start = i + 1;
		} else if (!ref_is_alnum(s[i]) && s[i] != '-') {
			return -1;
		}
	}
	return 0;
}

static int ref_check_tag(const char *s, size_t len)
{
	if (len == 0 || len > REGISTRY_TAG_MAX)
		return -1;
	if (!ref_is_alnum(s[0]) && s[0] != '_')
		return -1;
	for (size_t i = 1; i < len; i++)
		if (!ref_is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return -1;
	return 0;
}

/* Docker's rule: is the component before the first '/' a registry domain? */
static int ref_looks_like_domain(const char *s, size_t len)
{
	if (len == 9 && memcmp(s, "localhost", 9) == 0)
		return 1;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '.' || s[i] == ':' || s[i] == '[' || (s[i] >= 'A' && s[i] <= 'Z'))
			return 1;
	return 0;
}

static char *ref_strndup_lower(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return out;
}

int registry_domain_normalize(char **out, const char *domain)
{
	size_t len;

	*out = NULL;
	if (!domain || (len = strlen(domain)) == 0 || len > REGISTRY_NAME_MAX || ref_check_domain(domain, len) != 0) {
		error_set("invalid registry domain");
		return ASEC_EINVALID;
	}
	if (strcasecmp(domain, "index.docker.io") == 0)
		*out = strdup(REGISTRY_DOCKER_HUB);
	else
		*out = ref_strndup_lower(domain, len);
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

void registry_ref_free(struct registry_ref *ref)
{
	if (!ref)
		return;
	free(ref->domain);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

int registry_ref_parse(struct registry_ref *out, const char *text)
{
	const char *s, *at, *name_end, *slash, *colon, *path;
	size_t len, name_len, domain_len, path_len;
	int explicit_domain = 0;
	int rc = ASEC_EINVALID;

	memset(out, 0, sizeof(*out));
	if (!text || !text[0]) {
		error_set("image reference is empty");
		return ASEC_EINVALID;
	}
	len = strnlen(text, REGISTRY_REF_MAX + 1);
	if (len > REGISTRY_REF_MAX) {
		error_set("image reference is longer than %d bytes", REGISTRY_REF_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c <= ' ' || c >= 0x7f) {
			error_set("image reference holds a space, control or non-ASCII character at byte %zu", i);
			return ASEC_EINVALID;
		}
	}

	s = text;
	if (strncasecmp(s, "https://", 8) == 0) {
		out->scheme = REGISTRY_SCHEME_HTTPS;
		s += 8;
		explicit_domain = 1;
	} else if (strncasecmp(s, "http://", 7) == 0) {
		out->scheme = REGISTRY_SCHEME_HTTP;
		s += 7;
		explicit_domain = 1;
	} else if (strstr(s, "://")) {
		error_set("image reference has a scheme other than http:// or https://");
		return ASEC_EINVALID;
	}
	len = strlen(s);

	/* "@digest" */
	at = strchr(s, '@');
	if (at) {
		if (strchr(at + 1, '@')) {
			error_set("image reference has more than one '@'");
			goto out;
		}
		if (registry_digest_check(at + 1) != ASEC_OK) {
			error_prefix("image reference digest");
			goto out;
		}
		out->digest = strdup(at + 1);
		if (!out->digest)
			goto nomem;
		name_end = at;
	} else {
		name_end = s + len;
	}

	/* ":tag", when the last ':' comes after the last '/'. */
	name_len = (size_t)(name_end - s);
	colon = memrchr(s, ':', name_len);
	slash = memrchr(s, '/', name_len);
	if (colon && (!slash || colon > slash)) {
		size_t tag_len = (size_t)(name_end - colon - 1);

		if (ref_check_tag(colon + 1, tag_len) != 0) {
			error_set("image reference tag is invalid (allowed: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
			goto out;
		}
		out->tag = strndup(colon + 1, tag_len);
		if (!out->tag)
			goto nomem;
		name_len = (size_t)(colon - s);
	}
	if (name_len == 0) {
		error_set("image reference has no repository name");
		goto out;
	}

	/* Domain, then path. */
	slash = memchr(s, '/', name_len);
	if (explicit_domain && !slash) {
		error_set("image URL names a host but no repository");
		goto out;
	}
	if (slash && (explicit_domain || ref_looks_like_domain(s, (size_t)(slash - s)))) {
		domain_len = (size_t)(slash - s);
		if (ref_check_domain(s, domain_len) != 0) {
			error_set("image reference registry domain is invalid");
			goto out;
		}
		out->domain = ref_strndup_lower(s, domain_len);
		if (!out->domain)
			goto nomem;
		if (strcmp(out->domain, "index.docker.io") == 0) {
			free(out->domain);
			out->domain = strdup(REGISTRY_DOCKER_HUB);
			if (!out->domain)
				goto nomem;
		}
		path = slash + 1;
		path_len = name_len - domain_len - 1;
	} else {
		out->domain = strdup(REGISTRY_DOCKER_HUB);
		if (!out->domain)
			goto nomem;
		domain_len = strlen(REGISTRY_DOCKER_HUB);
		path = s;
		path_len = name_len;
	}
	if (ref_check_path(path, path_len) != 0) {
		error_set("image reference repository is invalid (lower-case letters, digits and single "
			  "'.', '_', '__' or '-' runs between them, components separated by '/')");
		goto out;
	}
	if (strcmp(out->domain, REGISTRY_DOCKER_HUB) == 0 && !memchr(path, '/', path_len)) {
		if (asprintf(&out->repository, "library/%.*s", (int)path_len, path) < 0) {
			out->repository = NULL;
			goto nomem;
		}
	} else {
		out->repository = strndup(path, path_len);
		if (!out->repository)
			goto nomem;
	}
	if (strlen(out->domain) + 1 + strlen(out->repository) > REGISTRY_NAME_MAX) {
		error_set("image name is longer than %d bytes", REGISTRY_NAME_MAX);
		goto out;
	}
	if (!out->tag && !out->digest) {
		out->tag = strdup("latest");
		if (!out->tag)
			goto nomem;
	}
	return ASEC_OK;

nomem:
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	registry_ref_free(out);
	return rc;
}

int registry_ref_format(char **out, const struct registry_ref *ref)
{
	const char *scheme = "";

	*out = NULL;
	if (!ref || !ref->domain || !ref->repository) {
		error_set("image reference is incomplete");
		return ASEC_EINVALID;
	}
	/* A host such as "registry" (a cluster-internal name, reached through
	 * "https://registry/app") would read back as a Docker Hub path: only
	 * the scheme can say it is a host, so it is kept for such names. */
	if (!ref_looks_like_domain(ref->domain, strlen(ref->domain)))
		scheme = ref->scheme == REGISTRY_SCHEME_HTTP ? "http://" : "https://";
	if (asprintf(out, "%s%s/%s%s%s%s%s", scheme, ref->domain, ref->repository, ref->tag ? ":" : "",
		     ref->tag ? ref->tag : "", ref->digest ? "@" : "", ref->digest ? ref->digest : "") < 0) {
		*out = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

const char *registry_ref_api_host(const struct registry_ref *ref)
{
	if (strcmp(ref->domain, REGISTRY_DOCKER_HUB) == 0)
		return REGISTRY_DOCKER_HUB_API;
	return ref->domain;
}
