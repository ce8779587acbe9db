/*
 * check_output.c - the report of a policy check, and the four ways to print
 * it (check_output.h says what goes in and what comes out).
 *
 * The report is a list of entities, each with its violated policies, each
 * with its violation messages, all copied out of central's alerts so that
 * the caller may free every answer as soon as it is added (deployment check
 * adds one answer per YAML file). Alerts of one policy on one entity are
 * found through a jansson object used as a hash map (policy id -> index):
 * a hostile answer with many alerts must not make the merge quadratic.
 * Sorting happens when printing, on arrays of pointers, so that adding
 * never invalidates the indexes.
 *
 * Every string that reaches a terminal passes terminal_text(), which
 * replaces control characters, bidirectional overrides and malformed UTF-8
 * with '?', and measures width in terminal cells with a small hand-written
 * table (wcwidth() would depend on the caller's locale). This duplicates a
 * few helpers of scan_output.c on purpose: those are private to that file,
 * and this one must not depend on its internals.
 */
#include "check_output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"

#ifndef ASEC_VERSION
#define ASEC_VERSION "0.0.0"
#endif

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *const severity_names[CHECK_SEVERITY_COUNT] = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};

/* GitHub's security-severity per policy severity, so that its
 * low/medium/high/critical match ours (its bands: <4, <7, <9, >=9). */
static const char *const sarif_security_severity[CHECK_SEVERITY_COUNT] = {"3.0", "5.5", "8.0", "9.5"};

static const char *const colour_on[CHECK_SEVERITY_COUNT] = {"\x1b[36m", "\x1b[33m", "\x1b[31m", "\x1b[1;31m"};
#define COLOUR_OFF "\x1b[0m"

/* Widest line of a wrapped table cell, in terminal columns. */
#define WRAP_WIDTH 40

struct cpolicy {
	char *id, *name, *description, *remediation;
	enum check_severity severity;
	bool failing;
	char **violations;
	size_t n_violations, cap_violations;
	size_t order; /* first seen: the last tie-break */
};

struct centity {
	char *name, *type, *namespace, *id, *source;
	struct cpolicy *policies;
	size_t n_policies, cap_policies;
	json_t *index; /* policy key -> position in policies */
	size_t order;
};

struct check_report {
	enum check_kind kind;
	struct centity *entities;
	size_t n_entities, cap_entities;
	size_t total_policies, total_violations;
};

/* ---- small helpers ---------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void buf_add(struct buf *b, const char *data, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Only numbers and fixed words come through here. */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	buf_add(b, tmp, (size_t)n);
}

static void buf_repeat(struct buf *b, char c, size_t n)
{
	while (n-- > 0)
		buf_add(b, &c, 1);
}

static void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static const char *bstr(const struct buf *b)
{
	return b->p ? b->p : "";
}

static const char *str_field(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* ---- severities, formats, enforcement ----------------------------------- */

enum check_severity check_output_parse_severity(const char *name)
{
	size_t n, i;

	if (!name)
		return CHECK_SEVERITY_LOW;
	n = strlen(name);
	if (n > 9 && strcasecmp(name + n - 9, "_SEVERITY") == 0)
		n -= 9;
	for (i = 0; i < CHECK_SEVERITY_COUNT; i++) {
		if (strlen(severity_names[i]) == n && strncasecmp(name, severity_names[i], n) == 0)
			return (enum check_severity)i;
	}
	return CHECK_SEVERITY_LOW;
}

int check_output_parse_format(enum check_format *out, const char *name)
{
	static const char *const names[] = {"table", "json", "junit", "sarif"};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*out = (enum check_format)i;
			return ASEC_OK;
		}
	}
	error_set("unknown output format (table, json, junit or sarif)");
	return ASEC_EINVALID;
}

bool check_output_policy_fails(enum check_kind kind, const json_t *policy)
{
	static const char *const build[] = {"FAIL_BUILD_ENFORCEMENT", NULL};
	static const char *const deploy[] = {"SCALE_TO_ZERO_ENFORCEMENT", "UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT",
					     "FAIL_DEPLOYMENT_CREATE_ENFORCEMENT",
					     "FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT", NULL};
	const char *const *wanted = kind == CHECK_KIND_IMAGE ? build : deploy;
	const json_t *actions = json_object_get(policy, "enforcementActions"), *a;
	size_t i, j;

	json_array_foreach(actions, i, a) {
		const char *s = json_string_value(a);
		for (j = 0; s && wanted[j]; j++) {
			if (strcmp(s, wanted[j]) == 0)
				return true;
		}
	}
	return false;
}

/* ---- building the report ---------------------------------------------- */

int check_report_new(struct check_report **out, enum check_kind kind)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	(*out)->kind = kind;
	return ASEC_OK;
}

static void policy_free(struct cpolicy *p)
{
	size_t i;

	free(p->id);
	free(p->name);
	free(p->description);
	free(p->remediation);
	for (i = 0; i < p->n_violations; i++)
		free(p->violations[i]);
	free(p->violations);
}

void check_report_free(struct check_report *report)
{
	size_t i, j;

	if (!report)
		return;
	for (i = 0; i < report->n_entities; i++) {
		struct centity *e = &report->entities[i];
		for (j = 0; j < e->n_policies; j++)
			policy_free(&e->policies[j]);
		free(e->policies);
		json_decref(e->index);
		free(e->name);
		free(e->type);
		free(e->namespace);
		free(e->id);
		free(e->source);
	}
	free(report->entities);
	free(report);
}

/* Grows *v (of *cap elements of size) to hold one more than n. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t want;
	void *p;

	if (n < *cap)
		return ASEC_OK;
	want = *cap ? *cap * 2 : 8;
	if (want > SIZE_MAX / size || !(p = realloc(*v, want * size))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	*v = p;
	*cap = want;
	return ASEC_OK;
}

static int dup_into(char **out, const char *s)
{
	if (!(*out = strdup(s ? s : ""))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static int entity_find_or_add(struct centity **out, struct check_report *r, const struct check_entity *e)
{
	const char *type = e->type ? e->type : "";
	struct centity *n;
	size_t i;
	int rc;

	for (i = 0; i < r->n_entities; i++) {
		if (strcmp(r->entities[i].name, e->name) == 0 && strcmp(r->entities[i].type, type) == 0) {
			*out = &r->entities[i];
			return ASEC_OK;
		}
	}
	if (r->n_entities >= CHECK_OUTPUT_MAX_ENTITIES) {
		error_set("more than %d checked objects", CHECK_OUTPUT_MAX_ENTITIES);
		return ASEC_ETOOBIG;
	}
	if ((rc = grow((void **)&r->entities, &r->cap_entities, r->n_entities, sizeof(*r->entities))))
		return rc;
	n = &r->entities[r->n_entities];
	memset(n, 0, sizeof(*n));
	n->order = r->n_entities;
	r->n_entities++; /* from here on check_report_free() cleans up whatever is set */
	if ((rc = dup_into(&n->name, e->name)) || (rc = dup_into(&n->type, type)) ||
	    (rc = dup_into(&n->namespace, e->namespace)) || (rc = dup_into(&n->id, e->id)) ||
	    (rc = dup_into(&n->source, e->source ? e->source : e->name)))
		return rc;
	if (!(n->index = json_object())) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	*out = n;
	return ASEC_OK;
}

/* The policy of an alert in entity e: found by id (else name), or added. */
static int policy_find_or_add(struct cpolicy **out, struct check_report *r, struct centity *e,
			      const json_t *policy)
{
	const char *key = str_field(policy, "id")[0] ? str_field(policy, "id") : str_field(policy, "name");
	const json_t *known = json_object_get(e->index, key);
	struct cpolicy *p;
	int rc;

	if (known) {
		*out = &e->policies[json_integer_value(known)];
		return ASEC_OK;
	}
	if (r->total_policies >= CHECK_OUTPUT_MAX_POLICIES) {
		error_set("more than %d violated policies", CHECK_OUTPUT_MAX_POLICIES);
		return ASEC_ETOOBIG;
	}
	if ((rc = grow((void **)&e->policies, &e->cap_policies, e->n_policies, sizeof(*e->policies))))
		return rc;
	p = &e->policies[e->n_policies];
	memset(p, 0, sizeof(*p));
	p->order = e->n_policies;
	e->n_policies++;
	r->total_policies++;
	if ((rc = dup_into(&p->id, str_field(policy, "id"))) || (rc = dup_into(&p->name, str_field(policy, "name"))) ||
	    (rc = dup_into(&p->description, str_field(policy, "description"))) ||
	    (rc = dup_into(&p->remediation, str_field(policy, "remediation"))))
		return rc;
	p->severity = check_output_parse_severity(str_field(policy, "severity"));
	p->failing = check_output_policy_fails(r->kind, policy);
	if (json_object_set_new(e->index, key, json_integer((json_int_t)(e->n_policies - 1))) != 0) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	*out = p;
	return ASEC_OK;
}

int check_report_add(struct check_report *report, const struct check_entity *entity, const json_t *alerts)
{
	struct centity *e;
	const json_t *alert, *v;
	size_t i, j;
	int rc;

	if (!report || !entity || !entity->name || !entity->name[0]) {
		error_set("check_report_add: no %s", report ? "entity name" : "report");
		return ASEC_EINVALID;
	}
	if (alerts && !json_is_array(alerts)) {
		error_set("central's answer has \"alerts\" that is not a list");
		return ASEC_EINVALID;
	}
	if ((rc = entity_find_or_add(&e, report, entity)))
		return rc;
	json_array_foreach(alerts, i, alert) {
		const json_t *policy = json_object_get(alert, "policy");
		struct cpolicy *p;

		if (!json_is_object(policy))
			continue;
		if ((rc = policy_find_or_add(&p, report, e, policy)))
			return rc;
		json_array_foreach(json_object_get(alert, "violations"), j, v) {
			const char *msg = json_string_value(json_object_get(v, "message"));

			if (!msg)
				continue;
			if (report->total_violations >= CHECK_OUTPUT_MAX_VIOLATIONS) {
				error_set("more than %d policy violations", CHECK_OUTPUT_MAX_VIOLATIONS);
				return ASEC_ETOOBIG;
			}
			if ((rc = grow((void **)&p->violations, &p->cap_violations, p->n_violations,
				       sizeof(*p->violations))))
				return rc;
			if ((rc = dup_into(&p->violations[p->n_violations], msg)))
				return rc;
			p->n_violations++;
			report->total_violations++;
		}
	}
	return ASEC_OK;
}

int check_report_add_build(struct check_report *report, const json_t *response, const char *image_ref)
{
	struct check_entity e = {.name = image_ref, .type = "image", .id = image_ref, .source = image_ref};

	if (!json_is_object(response)) {
		error_set("central's answer to the image check is not a JSON object");
		return ASEC_EINVALID;
	}
	return check_report_add(report, &e, json_object_get(response, "alerts"));
}

int check_report_add_deploy(struct check_report *report, const json_t *response, const char *source,
			    const char *namespace)
{
	const json_t *runs = json_object_get(response, "runs"), *run;
	size_t i;
	int rc;

	if (!json_is_object(response) || (runs && !json_is_array(runs))) {
		error_set("central's answer to the deployment check is not an object with a list of runs");
		return ASEC_EINVALID;
	}
	json_array_foreach(runs, i, run) {
		const json_t *alerts = json_object_get(run, "alerts");
		const json_t *first = json_object_get(json_array_get(alerts, 0), "deployment");
		struct check_entity e = {
			.name = str_field(run, "name")[0] ? str_field(run, "name") : str_field(first, "name"),
			.type = str_field(run, "type")[0] ? str_field(run, "type") : str_field(first, "type"),
			.namespace = namespace ? namespace : str_field(first, "namespace"),
			.id = str_field(first, "id"),
			.source = source,
		};

		if (!e.name[0])
			e.name = "unnamed";
		if ((rc = check_report_add(report, &e, alerts)))
			return rc;
	}
	return ASEC_OK;
}

void check_report_summary(struct check_summary *out, const struct check_report *report)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	if (!report)
		return;
	out->entities = (unsigned)report->n_entities;
	for (i = 0; i < report->n_entities; i++) {
		for (j = 0; j < report->entities[i].n_policies; j++) {
			const struct cpolicy *p = &report->entities[i].policies[j];
			out->by_severity[p->severity]++;
			out->total++;
			out->failing += p->failing;
		}
	}
}

/* ---- the sorted view every format walks --------------------------------- */

struct view {
	const struct centity **entities;
	const struct cpolicy ***policies; /* per entity, sorted */
	size_t n;
};

static int cmp_entity(const void *pa, const void *pb)
{
	const struct centity *a = *(const struct centity *const *)pa, *b = *(const struct centity *const *)pb;
	int c = strcmp(a->type, b->type);

	if (!c)
		c = strcmp(a->name, b->name);
	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int cmp_policy(const void *pa, const void *pb)
{
	const struct cpolicy *a = *(const struct cpolicy *const *)pa, *b = *(const struct cpolicy *const *)pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->name, b->name)))
		return c;
	return (a->order > b->order) - (a->order < b->order);
}

static void view_free(struct view *v)
{
	size_t i;

	for (i = 0; v->policies && i < v->n; i++)
		free(v->policies[i]);
	free(v->policies);
	free(v->entities);
	memset(v, 0, sizeof(*v));
}

static int view_make(struct view *v, const struct check_report *r)
{
	size_t i, j;

	memset(v, 0, sizeof(*v));
	v->n = r->n_entities;
	v->entities = calloc(v->n ? v->n : 1, sizeof(*v->entities));
	v->policies = calloc(v->n ? v->n : 1, sizeof(*v->policies));
	if (!v->entities || !v->policies)
		goto oom;
	for (i = 0; i < v->n; i++)
		v->entities[i] = &r->entities[i];
	qsort(v->entities, v->n, sizeof(*v->entities), cmp_entity);
	for (i = 0; i < v->n; i++) {
		const struct centity *e = v->entities[i];
		if (!(v->policies[i] = calloc(e->n_policies ? e->n_policies : 1, sizeof(**v->policies))))
			goto oom;
		for (j = 0; j < e->n_policies; j++)
			v->policies[i][j] = &e->policies[j];
		qsort(v->policies[i], e->n_policies, sizeof(**v->policies), cmp_policy);
	}
	return ASEC_OK;
oom:
	view_free(v);
	error_set("out of memory sorting the check results");
	return ASEC_ENOMEM;
}

/* ---- UTF-8 and terminal text ------------------------------------------- */

/* Decodes one well-formed UTF-8 sequence; returns its length, or 0 for a
 * malformed one (truncated, overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

struct range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

/* Terminal columns of a code point: -1 for one that must not reach a
 * terminal (controls, bidirectional overrides, noncharacters and
 * interlinear annotation marks), 0 for combining marks, 2
 * for East Asian wide and emoji, else 1. */
static int cp_width(uint32_t cp)
{
	static const struct range unsafe[] = {
		{0x00, 0x1f},	  {0x7f, 0x9f},	    {0x061c, 0x061c}, {0x200e, 0x200f},
		{0x2028, 0x202e}, {0x2066, 0x2069}, {0xfdd0, 0xfdef}, {0xfff9, 0xffff},
	};
	static const struct range zero[] = {
		{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a}, {0x064b, 0x065f},
		{0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200d}, {0x2060, 0x2064}, {0x20d0, 0x20ff},
		{0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0xfeff, 0xfeff},
	};
	static const struct range wide[] = {
		{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
		{0xa000, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe30, 0xfe4f}, {0xff00, 0xff60},
		{0xffe0, 0xffe6}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
	};

	if (in_ranges(cp, unsafe, sizeof(unsafe) / sizeof(unsafe[0])))
		return -1;
	if (in_ranges(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

/* Appends n bytes of s as terminal-safe text: unsafe code points and
 * malformed bytes become '?'. Returns the width in columns. */
static size_t terminal_textn(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, len, used = 0;
	uint32_t cp;
	int w;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		w = len ? cp_width(cp) : -1;
		if (!len)
			len = 1;
		if (w < 0) {
			buf_add(b, "?", 1);
			used++;
		} else {
			buf_add(b, s + i, len);
			used += (size_t)w;
		}
	}
	return used;
}

static size_t terminal_text(struct buf *b, const char *s)
{
	return terminal_textn(b, s, strlen(s));
}

/* ---- table ------------------------------------------------------------- */

/* A table cell: lines of terminal-safe text and their widths. */
struct cell {
	char **lines;
	size_t *widths;
	size_t n, cap;
	size_t width; /* widest line */
};

static void cell_free(struct cell *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
	free(c->widths);
	memset(c, 0, sizeof(*c));
}

static int cell_line(struct cell *c, const char *text, size_t width)
{
	size_t cap = c->cap;

	if (grow((void **)&c->lines, &cap, c->n, sizeof(*c->lines)) ||
	    grow((void **)&c->widths, &c->cap, c->n, sizeof(*c->widths)))
		return ASEC_ENOMEM;
	if (!(c->lines[c->n] = strdup(text))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	c->widths[c->n++] = width;
	if (width > c->width)
		c->width = width;
	return ASEC_OK;
}

/*
 * Adds text to the cell wrapped at WRAP_WIDTH columns on spaces (a word
 * longer than that is split), the first line led by first; line breaks in
 * the text start new lines.
 */
static int cell_wrap(struct cell *c, const char *text, const char *first)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t lead = strlen(first), n = strlen(text), i = 0, len;
	struct buf line = {0};
	size_t used, word_start_len, word_start_used;
	uint32_t cp;
	int rc = ASEC_OK, w;

	buf_str(&line, first);
	used = lead;
	word_start_len = line.len;
	word_start_used = used;
	while (i <= n) {
		if (i == n || text[i] == '\n') {
			if ((rc = cell_line(c, bstr(&line), used)))
				goto out;
			lead = 0; /* centred continuation lines need no indent */
			buf_reset(&line);
			buf_repeat(&line, ' ', lead);
			used = lead;
			word_start_len = line.len;
			word_start_used = used;
			i++;
			continue;
		}
		len = utf8_decode(p + i, n - i, &cp);
		w = len ? cp_width(cp) : -1;
		if (!len)
			len = 1;
		if (w < 0)
			w = 1;
		if (text[i] == ' ') {
			if (used == lead) { /* no leading blanks on a line */
				i++;
				continue;
			}
			word_start_len = line.len + 1;
			word_start_used = used + 1;
		}
		if (used + (size_t)w > WRAP_WIDTH && used > lead) {
			/* Move the word begun on this line to the next, unless it
			 * fills the line by itself. */
			char *carry = NULL;
			size_t carry_used = 0;

			if (text[i] != ' ' && word_start_len > lead && word_start_len < line.len) {
				carry = strdup(line.p + word_start_len);
				if (!carry) {
					error_set("out of memory");
					rc = ASEC_ENOMEM;
					goto out;
				}
				carry_used = used - word_start_used;
				line.len = word_start_len;
				line.p[line.len] = '\0';
				used = word_start_used;
			}
			while (line.len > lead && line.p[line.len - 1] == ' ') {
				line.p[--line.len] = '\0';
				used--;
			}
			rc = cell_line(c, bstr(&line), used);
			lead = 0;
			buf_reset(&line);
			buf_repeat(&line, ' ', lead);
			used = lead;
			if (carry) {
				buf_str(&line, carry);
				used += carry_used;
				free(carry);
			}
			word_start_len = lead;
			word_start_used = lead;
			if (rc)
				goto out;
			if (text[i] == ' ') {
				i++;
				continue;
			}
		}
		used += terminal_textn(&line, text + i, len);
		i += len;
	}
out:
	if (line.failed && !rc) {
		error_set("out of memory laying out the table");
		rc = ASEC_ENOMEM;
	}
	free(line.p);
	return rc;
}

static int cell_text(struct cell *c, const char *text)
{
	return cell_wrap(c, text[0] ? text : "-", "");
}

static void table_border(struct buf *b, const size_t *widths, size_t columns)
{
	size_t i;

	for (i = 0; i < columns; i++) {
		buf_add(b, "+", 1);
		buf_repeat(b, '-', widths[i] + 2);
	}
	buf_add(b, "+\n", 2);
}

static void table_cell(struct buf *b, const char *text, size_t text_width, size_t width, const char *colour)
{
	size_t left = (width - text_width) / 2, right = width - text_width - left;

	buf_add(b, " ", 1);
	buf_repeat(b, ' ', left);
	if (colour && text[0])
		buf_str(b, colour);
	buf_str(b, text);
	if (colour && text[0])
		buf_str(b, COLOUR_OFF);
	buf_repeat(b, ' ', right);
	buf_add(b, " |", 2);
}

#define MAX_COLUMNS 7

static void table_row(struct buf *b, struct cell *cells, const size_t *widths, size_t columns, const char *colour,
		      size_t colour_column)
{
	size_t height = 0, i, j;

	for (j = 0; j < columns; j++)
		if (cells[j].n > height)
			height = cells[j].n;
	for (i = 0; i < height; i++) {
		buf_add(b, "|", 1);
		for (j = 0; j < columns; j++) {
			const char *text = i < cells[j].n ? cells[j].lines[i] : "";
			size_t w = i < cells[j].n ? cells[j].widths[i] : 0;
			table_cell(b, text, w, widths[j], j == colour_column ? colour : NULL);
		}
		buf_add(b, "\n", 1);
	}
}

static const char *entity_label(enum check_kind kind)
{
	return kind == CHECK_KIND_IMAGE ? "build" : "deployment";
}

static int write_table(struct buf *b, const struct check_report *r, const struct view *v,
		       const struct check_output_options *opts)
{
	static const char *const image_headers[] = {"POLICY",	   "SEVERITY",	"BREAKS BUILD",
						    "DESCRIPTION", "VIOLATION", "REMEDIATION"};
	static const char *const deploy_headers[] = {"POLICY",	    "SEVERITY",	 "BREAKS DEPLOY", "DEPLOYMENT",
						     "DESCRIPTION", "VIOLATION", "REMEDIATION"};
	bool image = r->kind == CHECK_KIND_IMAGE;
	const char *const *headers = image ? image_headers : deploy_headers;
	size_t columns = image ? 6 : 7, rows = 0, i, j, k, row, sev_column = 1;
	struct cell header[MAX_COLUMNS] = {{0}};
	struct cell *cells = NULL;
	size_t widths[MAX_COLUMNS];
	struct check_summary s;
	unsigned failing_listed = 0;
	int rc = ASEC_OK;

	check_report_summary(&s, r);
	if (image) {
		buf_str(b, "Policy check results for image: ");
		terminal_text(b, v->n ? v->entities[0]->name : "");
		buf_str(b, "\n");
	} else {
		buf_str(b, "Policy check results for deployments: [");
		for (i = 0; i < v->n; i++) {
			if (i)
				buf_str(b, " ");
			terminal_text(b, v->entities[i]->name);
		}
		buf_str(b, "]\n");
	}
	buf_fmt(b, "(TOTAL: %u, LOW: %u, MEDIUM: %u, HIGH: %u, CRITICAL: %u)\n\n", s.total,
		s.by_severity[CHECK_SEVERITY_LOW], s.by_severity[CHECK_SEVERITY_MEDIUM],
		s.by_severity[CHECK_SEVERITY_HIGH], s.by_severity[CHECK_SEVERITY_CRITICAL]);

	for (i = 0; i < v->n; i++)
		rows += v->entities[i]->n_policies;
	if (!(cells = calloc((rows ? rows : 1) * columns, sizeof(*cells)))) {
		error_set("out of memory laying out the table");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (j = 0; j < columns; j++) {
		if ((rc = cell_wrap(&header[j], headers[j], "")))
			goto out;
		widths[j] = header[j].width;
	}
	row = 0;
	for (i = 0; i < v->n; i++) {
		const struct centity *e = v->entities[i];
		for (k = 0; k < e->n_policies; k++, row++) {
			const struct cpolicy *p = v->policies[i][k];
			struct cell *c = &cells[row * columns];
			size_t col = 0, n;

			rc = cell_text(&c[col++], p->name);
			rc = rc ? rc : cell_text(&c[col++], severity_names[p->severity]);
			rc = rc ? rc : cell_text(&c[col++], p->failing ? "X" : "-");
			if (!image)
				rc = rc ? rc : cell_text(&c[col++], e->name);
			rc = rc ? rc : cell_text(&c[col++], p->description);
			for (n = 0; !rc && n < p->n_violations; n++) {
				if (n)
					rc = cell_line(&c[col], "", 0);
				rc = rc ? rc : cell_wrap(&c[col], p->violations[n], "- ");
			}
			if (!rc && !p->n_violations)
				rc = cell_text(&c[col], "");
			col++;
			rc = rc ? rc : cell_text(&c[col++], p->remediation);
			if (rc)
				goto out;
			for (j = 0; j < columns; j++)
				if (c[j].width > widths[j])
					widths[j] = c[j].width;
		}
	}
	table_border(b, widths, columns);
	table_row(b, header, widths, columns, NULL, columns);
	table_border(b, widths, columns);
	row = 0;
	for (i = 0; i < v->n; i++) {
		for (k = 0; k < v->entities[i]->n_policies; k++, row++) {
			const struct cpolicy *p = v->policies[i][k];
			table_row(b, &cells[row * columns], widths, columns,
				  opts && opts->colour ? colour_on[p->severity] : NULL, sev_column);
			table_border(b, widths, columns);
		}
	}
	/* The last line names what fails the check, so that a CI log shows
	 * why the job failed right under the table. */
	if (!s.failing) {
		buf_fmt(b, "No violated policy breaks the %s.\n", entity_label(r->kind));
		goto out;
	}
	buf_fmt(b, "Policies that break the %s: ", entity_label(r->kind));
	for (i = 0; i < v->n; i++) {
		for (k = 0; k < v->entities[i]->n_policies; k++) {
			const struct cpolicy *p = v->policies[i][k];
			if (!p->failing)
				continue;
			buf_str(b, failing_listed++ ? ", \"" : "\"");
			terminal_text(b, p->name);
			buf_str(b, "\"");
			if (!image) {
				buf_str(b, " (");
				terminal_text(b, v->entities[i]->name);
				buf_str(b, ")");
			}
		}
	}
	buf_str(b, "\n");
out:
	for (j = 0; j < MAX_COLUMNS; j++)
		cell_free(&header[j]);
	for (i = 0; cells && i < rows * columns; i++)
		cell_free(&cells[i]);
	free(cells);
	return rc;
}

int check_report_write_notes(FILE *err, const struct check_report *report)
{
	struct check_summary s;
	struct view v;
	struct buf b = {0};
	size_t i, k;
	int rc;

	check_report_summary(&s, report);
	if (!s.total)
		return ASEC_OK;
	if ((rc = view_make(&v, report)))
		return rc;
	buf_fmt(&b, "WARN: A total of %u policies have been violated\n", s.total);
	for (i = 0; i < v.n; i++) {
		for (k = 0; k < v.entities[i]->n_policies; k++) {
			const struct cpolicy *p = v.policies[i][k];
			if (!p->failing)
				continue;
			buf_str(&b, "ERROR: Policy \"");
			terminal_text(&b, p->name);
			buf_str(&b, "\" - Possible remediation: \"");
			terminal_text(&b, p->remediation);
			buf_str(&b, "\"\n");
		}
	}
	view_free(&v);
	if (b.failed) {
		free(b.p);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	rc = fwrite(b.p, 1, b.len, err) == b.len ? ASEC_OK : ASEC_EIO;
	if (rc)
		error_set("writing to standard error: %s", strerror(errno));
	free(b.p);
	return rc;
}

/* ---- json -------------------------------------------------------------- */

/* A JSON string of s; malformed UTF-8 (possible only in a tree built
 * without checks) becomes U+FFFD instead of failing the output. */
static json_t *jstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = {0};
	size_t n, i, len;
	uint32_t cp;
	json_t *v = json_string(s);

	if (v)
		return v;
	n = strlen(s);
	for (i = 0; i < n; i += len) {
		if ((len = utf8_decode(p + i, n - i, &cp))) {
			buf_add(&b, s + i, len);
		} else {
			buf_add(&b, "\xef\xbf\xbd", 3);
			len = 1;
		}
	}
	v = b.failed ? NULL : json_string(bstr(&b));
	free(b.p);
	return v;
}

static json_t *jsummary(const unsigned by[CHECK_SEVERITY_COUNT], unsigned total)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "CRITICAL", (json_int_t)by[CHECK_SEVERITY_CRITICAL], "HIGH",
			 (json_int_t)by[CHECK_SEVERITY_HIGH], "LOW", (json_int_t)by[CHECK_SEVERITY_LOW], "MEDIUM",
			 (json_int_t)by[CHECK_SEVERITY_MEDIUM], "TOTAL", (json_int_t)total);
}

/* Dumps root (taking it) to out; a NULL root means an allocation failed
 * while building it (json_pack "o" releases what it took on failure). */
static int dump(FILE *out, json_t *root, const char *what)
{
	int rc = ASEC_OK;

	if (!root) {
		error_set("out of memory building the %s output", what);
		return ASEC_ENOMEM;
	}
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', out) == EOF) {
		error_set("writing the %s output: %s", what, strerror(errno));
		rc = ASEC_EIO;
	}
	json_decref(root);
	return rc;
}

static json_t *json_entity(const struct check_report *r, const struct centity *e, const struct cpolicy *const *ps)
{
	unsigned by[CHECK_SEVERITY_COUNT] = {0}, total = 0;
	json_t *policies = json_array(), *info, *res;
	size_t i, j;

	for (i = 0; policies && i < e->n_policies; i++) {
		const struct cpolicy *p = ps[i];
		json_t *viol = json_array(), *jp;

		by[p->severity]++;
		total++;
		for (j = 0; viol && j < p->n_violations; j++) {
			if (json_array_append_new(viol, jstr(p->violations[j])) != 0) {
				json_decref(viol);
				viol = NULL;
			}
		}
		jp = json_pack("{s:o, s:s, s:o, s:o, s:o, s:b}", "name", jstr(p->name), "severity",
			       severity_names[p->severity], "description", jstr(p->description), "violation", viol,
			       "remediation", jstr(p->remediation), "failingCheck", p->failing);
		if (!jp || json_array_append_new(policies, jp) != 0) {
			json_decref(policies);
			policies = NULL;
		}
	}
	if (r->kind == CHECK_KIND_IMAGE)
		info = json_pack("{s:o, s:o}", "name", jstr(e->name), "type", jstr(e->type));
	else
		info = json_pack("{s:o, s:o, s:o}", "name", jstr(e->name), "namespace", jstr(e->namespace), "type",
				 jstr(e->type));
	res = json_pack("{s:{s:o, s:o}, s:o}", "metadata", "id", jstr(e->id), "additionalInfo", info, "summary",
			jsummary(by, total));
	/* Like StackRox, no "violatedPolicies" key for a clean entity. */
	if (res && (!policies || (e->n_policies && json_object_set(res, "violatedPolicies", policies) != 0))) {
		json_decref(res);
		res = NULL;
	}
	json_decref(policies);
	return res;
}

static int write_json(FILE *out, const struct check_report *r, const struct view *v)
{
	struct check_summary s;
	json_t *results = json_array(), *root;
	size_t i;

	check_report_summary(&s, r);
	for (i = 0; results && i < v->n; i++) {
		json_t *e = json_entity(r, v->entities[i], v->policies[i]);
		if (!e || json_array_append_new(results, e) != 0) {
			json_decref(results);
			results = NULL;
		}
	}
	root = json_pack("{s:o}", "summary", jsummary(s.by_severity, s.total));
	if (root && (!results || (v->n && json_object_set(root, "results", results) != 0))) {
		json_decref(root);
		root = NULL;
	}
	/* "results" first, as StackRox prints it */
	if (root && v->n) {
		json_t *summary = json_incref(json_object_get(root, "summary"));
		if (json_object_del(root, "summary") != 0 || json_object_set_new(root, "summary", summary) != 0) {
			json_decref(root);
			root = NULL;
		}
	}
	json_decref(results);
	return dump(out, root, "JSON");
}

/* ---- junit ------------------------------------------------------------- */

/* XML text or attribute value: markup escaped, line breaks as &#xA; (kept
 * in attributes too), and what XML 1.0 cannot hold (other controls,
 * U+FFFE, U+FFFF) or malformed UTF-8 replaced by '?'. */
static void xml_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		if (!len) {
			buf_add(b, "?", 1);
			len = 1;
			continue;
		}
		switch (cp) {
		case '&': buf_str(b, "&amp;"); break;
		case '<': buf_str(b, "&lt;"); break;
		case '>': buf_str(b, "&gt;"); break;
		case '"': buf_str(b, "&quot;"); break;
		case '\'': buf_str(b, "&apos;"); break;
		case '\n': buf_str(b, "&#xA;"); break;
		case '\t': buf_str(b, "&#x9;"); break;
		default:
			if (cp < 0x20 || cp == 0x7f || cp == 0xfffe || cp == 0xffff)
				buf_add(b, "?", 1);
			else
				buf_add(b, s + i, len);
		}
	}
}

static void junit_violations(struct buf *b, const struct cpolicy *p)
{
	size_t j;

	for (j = 0; j < p->n_violations; j++) {
		buf_str(b, j ? "&#xA;- " : "- ");
		xml_text(b, p->violations[j]);
	}
}

static void write_junit(struct buf *b, const struct check_report *r, const struct view *v)
{
	const char *suite = r->kind == CHECK_KIND_IMAGE ? "image-check" : "deployment-check";
	const char *breaks = r->kind == CHECK_KIND_IMAGE ? "the build" : "the deployment";
	struct check_summary s;
	size_t i, k;

	check_report_summary(&s, r);
	buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_fmt(b, "<testsuites name=\"%s\" tests=\"%u\" failures=\"%u\" skipped=\"%u\" errors=\"0\">\n", suite,
		s.total, s.failing, s.total - s.failing);
	for (i = 0; i < v->n; i++) {
		const struct centity *e = v->entities[i];
		unsigned failing = 0;

		for (k = 0; k < e->n_policies; k++)
			failing += v->policies[i][k]->failing;
		buf_str(b, "  <testsuite name=\"");
		xml_text(b, e->name);
		buf_fmt(b, "\" tests=\"%zu\" failures=\"%u\" skipped=\"%zu\" errors=\"0\">\n", e->n_policies, failing,
			e->n_policies - failing);
		for (k = 0; k < e->n_policies; k++) {
			const struct cpolicy *p = v->policies[i][k];

			buf_str(b, "    <testcase name=\"");
			xml_text(b, p->name);
			buf_str(b, "\" classname=\"");
			xml_text(b, e->name);
			buf_str(b, "\">\n");
			if (p->failing) {
				buf_fmt(b, "      <failure message=\"%s policy violated; it breaks %s\" type=\"",
					severity_names[p->severity], breaks);
				buf_str(b, "policy-violation\">");
			} else {
				buf_fmt(b, "      <skipped message=\"%s policy violated; it does not break %s\">",
					severity_names[p->severity], breaks);
			}
			junit_violations(b, p);
			buf_str(b, p->failing ? "</failure>\n" : "</skipped>\n");
			buf_str(b, "    </testcase>\n");
		}
		buf_str(b, "  </testsuite>\n");
	}
	buf_str(b, "</testsuites>\n");
}

/* ---- sarif ------------------------------------------------------------- */

static bool uri_plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

/*
 * A relative URI reference naming the checked thing: the image reference
 * or the YAML file as given, percent-encoded where it holds characters a
 * URI cannot. A colon before the first '/' is encoded too: "nginx:1.25"
 * must not read as a URI of scheme "nginx".
 */
static void artifact_uri(struct buf *b, const char *ref)
{
	const char *first_end = strchr(ref, '/'), *p;

	if (!ref[0]) {
		buf_str(b, "unknown");
		return;
	}
	if (!first_end)
		first_end = ref + strlen(ref);
	for (p = ref; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (uri_plain_char(c) && !(c == ':' && p < first_end))
			buf_add(b, p, 1);
		else
			buf_fmt(b, "%%%02X", c);
	}
}

static const char *rule_key(const struct cpolicy *p)
{
	return p->id[0] ? p->id : p->name;
}

static json_t *sarif_rule(struct buf *t, const struct check_report *r, const struct cpolicy *p)
{
	const char *name = p->name[0] ? p->name : rule_key(p);

	buf_reset(t);
	buf_str(t, "Policy: ");
	buf_str(t, name);
	buf_str(t, "\nSeverity: ");
	buf_str(t, severity_names[p->severity]);
	if (p->description[0]) {
		buf_str(t, "\nDescription: ");
		buf_str(t, p->description);
	}
	buf_str(t, "\nRemediation: ");
	buf_str(t, p->remediation[0] ? p->remediation : "-");
	buf_str(t, "\nEnforcement: ");
	buf_str(t, p->failing ? "breaks the " : "warning only; does not break the ");
	buf_str(t, entity_label(r->kind));
	if (t->failed)
		return NULL;
	return json_pack("{s:o, s:s, s:{s:o}, s:{s:o}, s:{s:o}, s:{s:s, s:s, s:[s, s, s]}}",
			 "id", jstr(rule_key(p)),
			 "name", "PolicyViolations",
			 "shortDescription", "text", jstr(name),
			 "fullDescription", "text", jstr(p->description[0] ? p->description : name),
			 "help", "text", jstr(bstr(t)),
			 "properties", "precision", "very-high", "security-severity", sarif_security_severity[p->severity],
			 "tags", "security", "policy", severity_names[p->severity]);
}

static json_t *sarif_result(struct buf *t, const struct centity *e, const struct cpolicy *p, const char *message,
			    size_t rule_index, const char *uri)
{
	buf_reset(t);
	buf_str(t, e->type[0] ? e->type : "object");
	buf_str(t, " ");
	buf_str(t, e->name);
	buf_str(t, " violates policy \"");
	buf_str(t, p->name);
	buf_str(t, "\": ");
	buf_str(t, message);
	if (t->failed)
		return NULL;
	return json_pack("{s:o, s:I, s:s, s:{s:o}, s:[{s:{s:{s:o}, s:{s:i}}}]}",
			 "ruleId", jstr(rule_key(p)),
			 "ruleIndex", (json_int_t)rule_index,
			 "level", p->failing ? "error" : "warning",
			 "message", "text", jstr(bstr(t)),
			 "locations", "physicalLocation", "artifactLocation", "uri", jstr(uri), "region", "startLine", 1);
}

static int write_sarif(FILE *out, const struct check_report *r, const struct view *v,
		       const struct check_output_options *opts)
{
	json_t *rules = json_array(), *results = json_array(), *index = json_object(), *root = NULL;
	struct buf uri = {0}, t = {0};
	bool bad = !rules || !results || !index;
	size_t i, k, j;

	for (i = 0; !bad && i < v->n; i++) {
		const struct centity *e = v->entities[i];

		buf_reset(&uri);
		artifact_uri(&uri, e->source);
		for (k = 0; !bad && k < e->n_policies; k++) {
			const struct cpolicy *p = v->policies[i][k];
			const json_t *known = json_object_get(index, rule_key(p));
			size_t rule_index;

			if (known) {
				rule_index = (size_t)json_integer_value(known);
			} else {
				json_t *rule = sarif_rule(&t, r, p);
				rule_index = json_array_size(rules);
				bad |= !rule || json_array_append_new(rules, rule) != 0 ||
				       json_object_set_new(index, rule_key(p), json_integer((json_int_t)rule_index)) != 0;
			}
			/* A policy without messages still is one finding. */
			for (j = 0; !bad && j < (p->n_violations ? p->n_violations : 1); j++) {
				json_t *res = sarif_result(&t, e, p, p->n_violations ? p->violations[j] : "violated",
							   rule_index, bstr(&uri));
				bad |= uri.failed || !res || json_array_append_new(results, res) != 0;
			}
		}
	}
	if (!bad)
		root = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o, s:O}}, s:O}]}",
				 "$schema", SARIF_SCHEMA,
				 "version", "2.1.0",
				 "runs", "tool", "driver", "name", "roxctl",
				 "fullName", "roxctl command line utility",
				 "version", jstr(opts && opts->tool_version ? opts->tool_version : ASEC_VERSION),
				 "rules", rules,
				 "results", results);
	json_decref(rules);
	json_decref(results);
	json_decref(index);
	free(uri.p);
	free(t.p);
	return dump(out, root, "SARIF");
}

/* ---- entry point ------------------------------------------------------- */

int check_report_write(FILE *out, const struct check_report *report, enum check_format fmt,
		       const struct check_output_options *opts)
{
	struct buf b = {0};
	struct view v = {0};
	int rc;

	if (!out || !report) {
		error_set("check_report_write: no %s", out ? "report" : "output stream");
		return ASEC_EINVALID;
	}
	if ((int)fmt < CHECK_FORMAT_TABLE || fmt > CHECK_FORMAT_SARIF) {
		error_set("unknown output format %d", (int)fmt);
		return ASEC_EINVALID;
	}
	if ((rc = view_make(&v, report)))
		return rc;
	switch (fmt) {
	case CHECK_FORMAT_TABLE:
		rc = write_table(&b, report, &v, opts);
		break;
	case CHECK_FORMAT_JUNIT:
		write_junit(&b, report, &v);
		break;
	case CHECK_FORMAT_JSON:
		rc = write_json(out, report, &v);
		break;
	case CHECK_FORMAT_SARIF:
		rc = write_sarif(out, report, &v, opts);
		break;
	}
	if (rc == ASEC_OK && b.failed) {
		error_set("out of memory formatting the check results");
		rc = ASEC_ENOMEM;
	}
	if (rc == ASEC_OK && b.len && fwrite(b.p, 1, b.len, out) != b.len) {
		error_set("writing the check results: %s", strerror(errno));
		rc = ASEC_EIO;
	}
	/* Buffered output fails late: only a flush tells whether it all went. */
	if (rc == ASEC_OK && (fflush(out) != 0 || ferror(out))) {
		error_set("writing the check results: %s", strerror(errno ? errno : EIO));
		rc = ASEC_EIO;
	}
	view_free(&v);
	free(b.p);
	return rc;
}
