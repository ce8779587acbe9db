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
 * replaces control characters, bidirectional overrides, noncharacters and
 * malformed UTF-8 with '?', and measures width in terminal cells; that,
 * the table frame and the XML, URI and JSON escaping are text_output.c's,
 * shared with scan_output.c.
 */
#include "check_output.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "text_output.h"

static const char *const severity_names[CHECK_SEVERITY_COUNT] = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};

/* GitHub's security-severity per policy severity, so that its
 * low/medium/high/critical match ours (its bands: <4, <7, <9, >=9). */
static const char *const sarif_security_severity[CHECK_SEVERITY_COUNT] = {"3.0", "5.5", "8.0", "9.5"};

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

/* ---- severities, formats, enforcement ----------------------------------- */

enum check_severity check_output_parse_severity(const char *name)
{
	int i = text_name_index(name, "_SEVERITY", severity_names, CHECK_SEVERITY_COUNT);

	return i < 0 ? CHECK_SEVERITY_LOW : (enum check_severity)i;
}

int check_output_parse_format(enum check_format *out, const char *name)
{
	/* In the order of enum check_format. */
	static const char *const names[] = {"table", "json", "junit", "sarif"};
	int i = text_name_index(name, NULL, names, sizeof(names) / sizeof(names[0]));

	if (i >= 0) {
		*out = (enum check_format)i;
		return ASEC_OK;
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
	const char *key = text_json_str(policy, "id")[0] ? text_json_str(policy, "id") : text_json_str(policy, "name");
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
	if ((rc = dup_into(&p->id, text_json_str(policy, "id"))) || (rc = dup_into(&p->name, text_json_str(policy, "name"))) ||
	    (rc = dup_into(&p->description, text_json_str(policy, "description"))) ||
	    (rc = dup_into(&p->remediation, text_json_str(policy, "remediation"))))
		return rc;
	p->severity = check_output_parse_severity(text_json_str(policy, "severity"));
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
			.name = text_json_str(run, "name")[0] ? text_json_str(run, "name") : text_json_str(first, "name"),
			.type = text_json_str(run, "type")[0] ? text_json_str(run, "type") : text_json_str(first, "type"),
			.namespace = namespace ? namespace : text_json_str(first, "namespace"),
			.id = text_json_str(first, "id"),
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

/* ---- table ------------------------------------------------------------- */

/* Policy texts are shown with the strict rules: a noncharacter in a policy
 * name has no business on a CI log. */
static size_t terminal_text(struct text_buf *b, const char *s)
{
	return text_terminal(b, s, strlen(s), TEXT_SAFE_STRICT);
}

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
	size_t lead = strlen(first), n = strlen(text), i = 0, len;
	struct text_buf line = {0};
	size_t used, word_start_len, word_start_used;
	int rc = ASEC_OK, w;

	text_buf_str(&line, first);
	used = lead;
	word_start_len = line.len;
	word_start_used = used;
	while (i <= n) {
		if (i == n || text[i] == '\n') {
			if ((rc = cell_line(c, text_buf_cstr(&line), used)))
				goto out;
			lead = 0; /* centred continuation lines need no indent */
			text_buf_reset(&line);
			text_buf_repeat(&line, ' ', lead);
			used = lead;
			word_start_len = line.len;
			word_start_used = used;
			i++;
			continue;
		}
		len = text_char(text + i, n - i, TEXT_SAFE_STRICT, &w);
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
			rc = cell_line(c, text_buf_cstr(&line), used);
			lead = 0;
			text_buf_reset(&line);
			text_buf_repeat(&line, ' ', lead);
			used = lead;
			if (carry) {
				text_buf_str(&line, carry);
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
		used += text_terminal(&line, text + i, len, TEXT_SAFE_STRICT);
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

#define MAX_COLUMNS 7

static void table_row(struct text_buf *b, struct cell *cells, const size_t *widths, size_t columns, const char *colour,
		      size_t colour_column)
{
	size_t height = 0, i, j;

	for (j = 0; j < columns; j++)
		if (cells[j].n > height)
			height = cells[j].n;
	for (i = 0; i < height; i++) {
		text_buf_add(b, "|", 1);
		for (j = 0; j < columns; j++) {
			const char *text = i < cells[j].n ? cells[j].lines[i] : "";
			size_t w = i < cells[j].n ? cells[j].widths[i] : 0;
			text_table_cell(b, text, w, widths[j], j == colour_column ? colour : NULL);
		}
		text_buf_add(b, "\n", 1);
	}
}

static const char *entity_label(enum check_kind kind)
{
	return kind == CHECK_KIND_IMAGE ? "build" : "deployment";
}

static int write_table(struct text_buf *b, const struct check_report *r, const struct view *v,
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
		text_buf_str(b, "Policy check results for image: ");
		terminal_text(b, v->n ? v->entities[0]->name : "");
		text_buf_str(b, "\n");
	} else {
		text_buf_str(b, "Policy check results for deployments: [");
		for (i = 0; i < v->n; i++) {
			if (i)
				text_buf_str(b, " ");
			terminal_text(b, v->entities[i]->name);
		}
		text_buf_str(b, "]\n");
	}
	text_buf_fmt(b, "(TOTAL: %u, LOW: %u, MEDIUM: %u, HIGH: %u, CRITICAL: %u)\n\n", s.total,
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
	text_table_border(b, widths, columns, 0);
	table_row(b, header, widths, columns, NULL, columns);
	text_table_border(b, widths, columns, 0);
	row = 0;
	for (i = 0; i < v->n; i++) {
		for (k = 0; k < v->entities[i]->n_policies; k++, row++) {
			const struct cpolicy *p = v->policies[i][k];
			table_row(b, &cells[row * columns], widths, columns,
				  opts && opts->colour ? text_colour(p->severity) : NULL, sev_column);
			text_table_border(b, widths, columns, 0);
		}
	}
	/* The last line names what fails the check, so that a CI log shows
	 * why the job failed right under the table. */
	if (!s.failing) {
		text_buf_fmt(b, "No violated policy breaks the %s.\n", entity_label(r->kind));
		goto out;
	}
	text_buf_fmt(b, "Policies that break the %s: ", entity_label(r->kind));
	for (i = 0; i < v->n; i++) {
		for (k = 0; k < v->entities[i]->n_policies; k++) {
			const struct cpolicy *p = v->policies[i][k];
			if (!p->failing)
				continue;
			text_buf_str(b, failing_listed++ ? ", \"" : "\"");
			terminal_text(b, p->name);
			text_buf_str(b, "\"");
			if (!image) {
				text_buf_str(b, " (");
				terminal_text(b, v->entities[i]->name);
				text_buf_str(b, ")");
			}
		}
	}
	text_buf_str(b, "\n");
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
	struct text_buf b = {0};
	size_t i, k;
	int rc;

	check_report_summary(&s, report);
	if (!s.total)
		return ASEC_OK;
	if ((rc = view_make(&v, report)))
		return rc;
	text_buf_fmt(&b, "WARN: A total of %u policies have been violated\n", s.total);
	for (i = 0; i < v.n; i++) {
		for (k = 0; k < v.entities[i]->n_policies; k++) {
			const struct cpolicy *p = v.policies[i][k];
			if (!p->failing)
				continue;
			text_buf_str(&b, "ERROR: Policy \"");
			terminal_text(&b, p->name);
			text_buf_str(&b, "\" - Possible remediation: \"");
			terminal_text(&b, p->remediation);
			text_buf_str(&b, "\"\n");
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

static json_t *jsummary(const unsigned by[CHECK_SEVERITY_COUNT], unsigned total)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "CRITICAL", (json_int_t)by[CHECK_SEVERITY_CRITICAL], "HIGH",
			 (json_int_t)by[CHECK_SEVERITY_HIGH], "LOW", (json_int_t)by[CHECK_SEVERITY_LOW], "MEDIUM",
			 (json_int_t)by[CHECK_SEVERITY_MEDIUM], "TOTAL", (json_int_t)total);
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
			if (json_array_append_new(viol, text_json_string(p->violations[j])) != 0) {
				json_decref(viol);
				viol = NULL;
			}
		}
		jp = json_pack("{s:o, s:s, s:o, s:o, s:o, s:b}", "name", text_json_string(p->name), "severity",
			       severity_names[p->severity], "description", text_json_string(p->description), "violation", viol,
			       "remediation", text_json_string(p->remediation), "failingCheck", p->failing);
		if (!jp || json_array_append_new(policies, jp) != 0) {
			json_decref(policies);
			policies = NULL;
		}
	}
	if (r->kind == CHECK_KIND_IMAGE)
		info = json_pack("{s:o, s:o}", "name", text_json_string(e->name), "type", text_json_string(e->type));
	else
		info = json_pack("{s:o, s:o, s:o}", "name", text_json_string(e->name), "namespace", text_json_string(e->namespace), "type",
				 text_json_string(e->type));
	res = json_pack("{s:{s:o, s:o}, s:o}", "metadata", "id", text_json_string(e->id), "additionalInfo", info, "summary",
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
	return text_json_dump(out, root, 0, "JSON");
}

/* ---- junit ------------------------------------------------------------- */

static void junit_violations(struct text_buf *b, const struct cpolicy *p)
{
	size_t j;

	for (j = 0; j < p->n_violations; j++) {
		text_buf_str(b, j ? "&#xA;- " : "- ");
		text_xml(b, p->violations[j]);
	}
}

static void write_junit(struct text_buf *b, const struct check_report *r, const struct view *v)
{
	const char *suite = r->kind == CHECK_KIND_IMAGE ? "image-check" : "deployment-check";
	const char *breaks = r->kind == CHECK_KIND_IMAGE ? "the build" : "the deployment";
	struct check_summary s;
	size_t i, k;

	check_report_summary(&s, r);
	text_buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	text_buf_fmt(b, "<testsuites name=\"%s\" tests=\"%u\" failures=\"%u\" skipped=\"%u\" errors=\"0\">\n", suite,
		s.total, s.failing, s.total - s.failing);
	for (i = 0; i < v->n; i++) {
		const struct centity *e = v->entities[i];
		unsigned failing = 0;

		for (k = 0; k < e->n_policies; k++)
			failing += v->policies[i][k]->failing;
		text_buf_str(b, "  <testsuite name=\"");
		text_xml(b, e->name);
		text_buf_fmt(b, "\" tests=\"%zu\" failures=\"%u\" skipped=\"%zu\" errors=\"0\">\n", e->n_policies, failing,
			e->n_policies - failing);
		for (k = 0; k < e->n_policies; k++) {
			const struct cpolicy *p = v->policies[i][k];

			text_buf_str(b, "    <testcase name=\"");
			text_xml(b, p->name);
			text_buf_str(b, "\" classname=\"");
			text_xml(b, e->name);
			text_buf_str(b, "\">\n");
			if (p->failing) {
				text_buf_fmt(b, "      <failure message=\"%s policy violated; it breaks %s\" type=\"",
					severity_names[p->severity], breaks);
				text_buf_str(b, "policy-violation\">");
			} else {
				text_buf_fmt(b, "      <skipped message=\"%s policy violated; it does not break %s\">",
					severity_names[p->severity], breaks);
			}
			junit_violations(b, p);
			text_buf_str(b, p->failing ? "</failure>\n" : "</skipped>\n");
			text_buf_str(b, "    </testcase>\n");
		}
		text_buf_str(b, "  </testsuite>\n");
	}
	text_buf_str(b, "</testsuites>\n");
}

/* ---- sarif ------------------------------------------------------------- */

/*
 * A relative URI reference naming the checked thing: the image reference
 * or the YAML file as given, percent-encoded where it holds characters a
 * URI cannot. A colon before the first '/' is encoded too: "nginx:1.25"
 * must not read as a URI of scheme "nginx".
 */
static void artifact_uri(struct text_buf *b, const char *ref)
{
	const char *first_end = strchr(ref, '/');

	if (!ref[0]) {
		text_buf_str(b, "unknown");
		return;
	}
	text_uri_encode(b, ref, first_end ? first_end : ref + strlen(ref));
}

static const char *rule_key(const struct cpolicy *p)
{
	return p->id[0] ? p->id : p->name;
}

static json_t *sarif_rule(struct text_buf *t, const struct check_report *r, const struct cpolicy *p)
{
	const char *name = p->name[0] ? p->name : rule_key(p);

	text_buf_reset(t);
	text_buf_str(t, "Policy: ");
	text_buf_str(t, name);
	text_buf_str(t, "\nSeverity: ");
	text_buf_str(t, severity_names[p->severity]);
	if (p->description[0]) {
		text_buf_str(t, "\nDescription: ");
		text_buf_str(t, p->description);
	}
	text_buf_str(t, "\nRemediation: ");
	text_buf_str(t, p->remediation[0] ? p->remediation : "-");
	text_buf_str(t, "\nEnforcement: ");
	text_buf_str(t, p->failing ? "breaks the " : "warning only; does not break the ");
	text_buf_str(t, entity_label(r->kind));
	if (t->failed)
		return NULL;
	return json_pack("{s:o, s:s, s:{s:o}, s:{s:o}, s:{s:o}, s:{s:s, s:s, s:[s, s, s]}}",
			 "id", text_json_string(rule_key(p)),
			 "name", "PolicyViolations",
			 "shortDescription", "text", text_json_string(name),
			 "fullDescription", "text", text_json_string(p->description[0] ? p->description : name),
			 "help", "text", text_json_string(text_buf_cstr(t)),
			 "properties", "precision", "very-high", "security-severity", sarif_security_severity[p->severity],
			 "tags", "security", "policy", severity_names[p->severity]);
}

static json_t *sarif_result(struct text_buf *t, const struct centity *e, const struct cpolicy *p, const char *message,
			    size_t rule_index, const char *uri)
{
	text_buf_reset(t);
	text_buf_str(t, e->type[0] ? e->type : "object");
	text_buf_str(t, " ");
	text_buf_str(t, e->name);
	text_buf_str(t, " violates policy \"");
	text_buf_str(t, p->name);
	text_buf_str(t, "\": ");
	text_buf_str(t, message);
	if (t->failed)
		return NULL;
	return text_sarif_result(rule_key(p), rule_index, p->failing ? "error" : "warning",
				 text_json_string(text_buf_cstr(t)), uri);
}

static int write_sarif(FILE *out, const struct check_report *r, const struct view *v,
		       const struct check_output_options *opts)
{
	json_t *rules = json_array(), *results = json_array(), *index = json_object(), *root = NULL;
	struct text_buf uri = {0}, t = {0};
	bool bad = !rules || !results || !index;
	size_t i, k, j;

	for (i = 0; !bad && i < v->n; i++) {
		const struct centity *e = v->entities[i];

		text_buf_reset(&uri);
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
							   rule_index, text_buf_cstr(&uri));
				bad |= uri.failed || !res || json_array_append_new(results, res) != 0;
			}
		}
	}
	if (!bad)
		root = text_sarif_log(rules, results, opts ? opts->tool_version : NULL);
	json_decref(rules);
	json_decref(results);
	json_decref(index);
	free(uri.p);
	free(t.p);
	return text_json_dump(out, root, 0, "SARIF");
}

/* ---- entry point ------------------------------------------------------- */

int check_report_write(FILE *out, const struct check_report *report, enum check_format fmt,
		       const struct check_output_options *opts)
{
	struct text_buf b = {0};
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
	/* JSON and SARIF went out directly: b is empty, this only flushes. */
	if (rc == ASEC_OK)
		rc = text_buf_write(out, &b, "check results");
	view_free(&v);
	free(b.p);
	return rc;
}
