/*
 * scan_output.c - rows from a StackRox Image, and the four ways to print them.
 *
 * Everything starts from one flat array of rows, one per (component,
 * vulnerability) pair that the severity filter keeps. The array is sorted
 * once, the way StackRox's roxctl sorts (components whose worst finding is
 * worst first, then by name, then by severity, then by CVSS, ties in input
 * order), and each format walks it: so table, json, csv and SARIF list the
 * same findings in the same order, and the summary the --fail gate reads is
 * computed from those very rows. Rows borrow their strings from the caller's
 * jansson tree; nothing is copied until a format needs to.
 *
 * Strings in an image come from registries and package metadata, that is
 * from whoever built the image. The table goes to terminals, so every
 * control character (ESC above all) and every bidirectional override is
 * replaced before it is printed, and column widths are counted in terminal
 * cells, not bytes; text_output.c does both, and the CSV quoting, for this
 * file and check_output.c alike. SARIF links are only emitted when they are
 * plain http(s) URIs, and markdown help escapes every punctuation
 * character.
 */
#include "scan_output.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "text_output.h"

/* Widest cell, in terminal columns, per table column; longer text is cut
 * and ends in "...". The full values are in the other formats. */
#define TABLE_COLUMNS 6
static const char *const table_headers[TABLE_COLUMNS] = {
	"COMPONENT", "VERSION", "CVE", "SEVERITY", "LINK", "FIXED VERSION",
};
static const size_t table_max_width[TABLE_COLUMNS] = {40, 32, 24, 9, 64, 32};

#define CSV_HEADER "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n"

static const char *const severity_names[SCAN_SEVERITY_COUNT] = {
	"LOW", "MODERATE", "IMPORTANT", "CRITICAL",
};

/* SARIF level and GitHub's security-severity per severity, as StackRox's
 * roxctl sets them: a fixed number per severity keeps GitHub's
 * critical/high/medium/low in step with ours, which a raw CVSS score
 * (often the NVD's, not the distribution's) would not. */
static const char *const sarif_levels[SCAN_SEVERITY_COUNT] = {"note", "warning", "error", "error"};
static const char *const sarif_security_severity[SCAN_SEVERITY_COUNT] = {"3.3", "4.8", "7.9", "9.1"};

struct row {
	const char *component;
	const char *version;
	const char *location;
	const char *cve;
	const char *summary;
	const char *link;
	const char *fixed_by;
	const char *advisory_id;
	const char *advisory_link;
	double cvss; /* 0 when the finding has no score */
	enum scan_severity severity;
	enum scan_severity name_max; /* worst severity of any row with this component name */
	size_t component_index;
	size_t order; /* position in input order: the last tie-break */
};

struct rows {
	struct row *v;
	size_t n, cap;
	struct scan_summary summary;
};

/* ---- small helpers ---------------------------------------------------- */

static bool score_ok(const json_t *v)
{
	double d;

	if (!json_is_number(v))
		return false;
	d = json_number_value(v);
	return isfinite(d) && d > 0 && d <= 10;
}

/* The finding's CVSS: StackRox's own "cvss" (the score it prefers), else
 * the v3 then v2 score; 0 means none, as in StackRox's output. */
static double cvss_of(const json_t *vuln)
{
	const json_t *v = json_object_get(vuln, "cvss");

	if (score_ok(v))
		return json_number_value(v);
	v = json_object_get(json_object_get(vuln, "cvssV3"), "score");
	if (score_ok(v))
		return json_number_value(v);
	v = json_object_get(json_object_get(vuln, "cvssV2"), "score");
	if (score_ok(v))
		return json_number_value(v);
	return 0;
}

/* The name without error_set(): vulnerability severities that are not one
 * of the four are not an error, they are LOW. */
static bool severity_from_name(enum scan_severity *out, const char *name)
{
	int i = text_name_index(name, "_VULNERABILITY_SEVERITY", severity_names, SCAN_SEVERITY_COUNT);

	if (i < 0)
		return false;
	*out = (enum scan_severity)i;
	return true;
}

int scan_output_parse_severity(enum scan_severity *out, const char *name)
{
	if (!out || !name) {
		error_set("no severity given");
		return ASEC_EINVALID;
	}
	if (!severity_from_name(out, name)) {
		error_set("unknown severity \"%.64s\" (LOW, MODERATE, IMPORTANT or CRITICAL)", name);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

const char *scan_output_severity_name(enum scan_severity severity)
{
	if ((int)severity < 0 || severity >= SCAN_SEVERITY_COUNT)
		return "LOW";
	return severity_names[severity];
}

int scan_output_parse_format(enum scan_format *out, const char *name)
{
	/* In the order of enum scan_format. */
	static const char *const names[] = {"table", "json", "csv", "sarif"};
	int i = text_name_index(name, NULL, names, sizeof(names) / sizeof(names[0]));

	if (i >= 0) {
		*out = (enum scan_format)i;
		return ASEC_OK;
	}
	error_set("unknown output format \"%.64s\" (table, json, csv or sarif)", name ? name : "");
	return ASEC_EINVALID;
}

/* ---- rows --------------------------------------------------------------- */

static int cmp_severity_then_cvss(const struct row *a, const struct row *b)
{
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->cvss != b->cvss)
		return a->cvss > b->cvss ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static int cmp_within_component(const void *pa, const void *pb)
{
	return cmp_severity_then_cvss(pa, pb);
}

static int cmp_final(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c;

	if (a->name_max != b->name_max)
		return a->name_max > b->name_max ? -1 : 1;
	c = strcmp(a->component, b->component);
	if (c)
		return c;
	return cmp_severity_then_cvss(a, b);
}

/* Index sort helpers: the rows array is sorted by pointers into it. */
static int cmp_ptr_name(const void *pa, const void *pb)
{
	const struct row *a = *(const struct row *const *)pa, *b = *(const struct row *const *)pb;
	int c = strcmp(a->component, b->component);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int cmp_ptr_cve(const void *pa, const void *pb)
{
	const struct row *a = *(const struct row *const *)pa, *b = *(const struct row *const *)pb;
	int c = strcmp(a->cve, b->cve);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int rows_push(struct rows *r, size_t max_rows)
{
	if (r->n >= max_rows) {
		error_set("the scan has more than %zu vulnerability findings", max_rows);
		return ASEC_ETOOBIG;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct row *v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			error_set("out of memory collecting %zu findings", r->n);
			return ASEC_ENOMEM;
		}
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->n++;
	return ASEC_OK;
}

static int parse_filter(bool include[SCAN_SEVERITY_COUNT], const char *const *severities)
{
	enum scan_severity s;
	int i, rc;

	for (i = 0; i < SCAN_SEVERITY_COUNT; i++)
		include[i] = severities == NULL;
	for (i = 0; severities && severities[i]; i++) {
		rc = scan_output_parse_severity(&s, severities[i]);
		if (rc)
			return rc;
		include[s] = true;
	}
	return ASEC_OK;
}

/*
 * The distinct-CVE counts of StackRox's summary: a CVE counts once, with
 * the severity of its first row in input order (components as listed, each
 * component's findings worst first), which is the order StackRox counts in.
 */
static int count_summary(struct rows *r)
{
	struct scan_summary *s = &r->summary;
	const struct row **by_cve = NULL;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	s->rows = (unsigned)r->n;
	for (i = 0; i < r->n; i++) {
		if (i == 0 || r->v[i].component_index != r->v[i - 1].component_index)
			s->total_components++;
	}
	if (r->n == 0)
		return ASEC_OK;
	by_cve = malloc(r->n * sizeof(*by_cve));
	if (!by_cve) {
		error_set("out of memory counting %zu findings", r->n);
		return ASEC_ENOMEM;
	}
	for (i = 0; i < r->n; i++)
		by_cve[i] = &r->v[i];
	qsort(by_cve, r->n, sizeof(*by_cve), cmp_ptr_cve);
	for (i = 0; i < r->n; i = j) {
		for (j = i + 1; j < r->n && strcmp(by_cve[j]->cve, by_cve[i]->cve) == 0; j++)
			;
		s->total_vulnerabilities++;
		s->by_severity[by_cve[i]->severity]++;
	}
	free(by_cve);
	return ASEC_OK;
}

/* Every row gets the worst severity of any row sharing its component name:
 * StackRox orders components by that, then by name. */
static int mark_name_max(struct rows *r)
{
	struct row **by_name;
	size_t i, j, k;

	if (r->n == 0)
		return ASEC_OK;
	by_name = malloc(r->n * sizeof(*by_name));
	if (!by_name) {
		error_set("out of memory sorting %zu findings", r->n);
		return ASEC_ENOMEM;
	}
	for (i = 0; i < r->n; i++)
		by_name[i] = &r->v[i];
	qsort(by_name, r->n, sizeof(*by_name), cmp_ptr_name);
	for (i = 0; i < r->n; i = j) {
		enum scan_severity worst = by_name[i]->severity;

		for (j = i + 1; j < r->n && strcmp(by_name[j]->component, by_name[i]->component) == 0; j++)
			if (by_name[j]->severity > worst)
				worst = by_name[j]->severity;
		for (k = i; k < j; k++)
			by_name[k]->name_max = worst;
	}
	free(by_name);
	return ASEC_OK;
}

static int rows_collect(struct rows *r, const json_t *image, const char *const *severities, size_t max_rows)
{
	bool include[SCAN_SEVERITY_COUNT];
	const json_t *components, *comp, *vulns, *vuln;
	size_t ci, vi, first;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(image)) {
		error_set("the scan result is not a JSON object");
		return ASEC_EINVALID;
	}
	rc = parse_filter(include, severities);
	if (rc)
		return rc;
	components = json_object_get(json_object_get(image, "scan"), "components");
	if (!json_is_array(components))
		components = NULL;

	json_array_foreach(components, ci, comp) {
		if (!json_is_object(comp))
			continue;
		vulns = json_object_get(comp, "vulns");
		if (!json_is_array(vulns))
			continue;
		first = r->n;
		json_array_foreach(vulns, vi, vuln) {
			const json_t *advisory;
			enum scan_severity sev;
			struct row *row;

			if (!json_is_object(vuln))
				continue;
			if (!severity_from_name(&sev, text_json_str(vuln, "severity")))
				sev = SCAN_SEVERITY_LOW; /* UNKNOWN and the rest, as StackRox */
			if (!include[sev])
				continue;
			rc = rows_push(r, max_rows);
			if (rc)
				return rc;
			row = &r->v[r->n - 1];
			advisory = json_object_get(vuln, "advisory");
			row->component = text_json_str(comp, "name");
			row->version = text_json_str(comp, "version");
			row->location = text_json_str(comp, "location");
			row->cve = text_json_str(vuln, "cve");
			row->summary = text_json_str(vuln, "summary");
			row->link = text_json_str(vuln, "link");
			row->fixed_by = text_json_str(vuln, "fixedBy");
			row->advisory_id = text_json_str(advisory, "name");
			row->advisory_link = text_json_str(advisory, "link");
			row->cvss = cvss_of(vuln);
			row->severity = sev;
			row->component_index = ci;
			row->order = r->n - 1;
		}
		if (r->n - first > 1)
			qsort(r->v + first, r->n - first, sizeof(r->v[0]), cmp_within_component);
	}
	rc = count_summary(r);
	if (rc)
		return rc;
	rc = mark_name_max(r);
	if (rc)
		return rc;
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_final);
	return ASEC_OK;
}

int scan_output_summary(struct scan_summary *out, const json_t *image, const char *const *severities)
{
	struct rows r;
	int rc;

	if (!out) {
		error_set("no summary to fill");
		return ASEC_EINVALID;
	}
	rc = rows_collect(&r, image, severities, SCAN_OUTPUT_MAX_ROWS);
	if (rc == ASEC_OK)
		*out = r.summary;
	free(r.v);
	return rc;
}

/* The image as the user knows it: what they typed, else its full name. */
static void image_name(struct text_buf *b, const json_t *image, const struct scan_output_options *opts)
{
	const json_t *name = json_object_get(image, "name");
	const char *s;

	if (opts && opts->image_ref && opts->image_ref[0]) {
		text_buf_str(b, opts->image_ref);
		return;
	}
	s = text_json_str(name, "fullName");
	if (s[0]) {
		text_buf_str(b, s);
		return;
	}
	if (text_json_str(name, "remote")[0]) {
		if (text_json_str(name, "registry")[0]) {
			text_buf_str(b, text_json_str(name, "registry"));
			text_buf_str(b, "/");
		}
		text_buf_str(b, text_json_str(name, "remote"));
		if (text_json_str(name, "tag")[0]) {
			text_buf_str(b, ":");
			text_buf_str(b, text_json_str(name, "tag"));
		}
		return;
	}
	text_buf_str(b, text_json_str(image, "id"));
}

/* ---- table ------------------------------------------------------------- */

struct cell {
	char *text;
	size_t width;
};

static int cell_make(struct cell *c, const char *s, size_t max)
{
	struct text_buf b = {0};

	c->width = text_terminal_cut(&b, s, max, TEXT_SAFE_BASIC);
	if (!b.p)
		text_buf_add(&b, "", 0);
	if (b.failed) {
		free(b.p);
		error_set("out of memory laying out the table");
		return ASEC_ENOMEM;
	}
	c->text = b.p;
	return ASEC_OK;
}

static int write_table(struct text_buf *b, const struct rows *r, const json_t *image,
		       const struct scan_output_options *opts)
{
	const struct scan_summary *s = &r->summary;
	struct cell header[TABLE_COLUMNS] = {{0}};
	struct cell *cells = NULL;
	size_t widths[TABLE_COLUMNS];
	struct text_buf name = {0};
	size_t i, j;
	int rc = ASEC_OK;

	image_name(&name, image, opts);
	if (name.failed) {
		error_set("out of memory laying out the table");
		rc = ASEC_ENOMEM;
		goto out;
	}
	text_buf_str(b, "Scan results for image: ");
	text_terminal_cut(b, text_buf_cstr(&name), 0, TEXT_SAFE_BASIC);
	text_buf_fmt(b, "\n(TOTAL-COMPONENTS: %u, TOTAL-VULNERABILITIES: %u, "
		"LOW: %u, MODERATE: %u, IMPORTANT: %u, CRITICAL: %u)\n\n",
		s->total_components, s->total_vulnerabilities, s->by_severity[SCAN_SEVERITY_LOW],
		s->by_severity[SCAN_SEVERITY_MODERATE], s->by_severity[SCAN_SEVERITY_IMPORTANT],
		s->by_severity[SCAN_SEVERITY_CRITICAL]);

	if (r->n > SIZE_MAX / TABLE_COLUMNS / sizeof(*cells) ||
	    !(cells = calloc(r->n ? r->n * TABLE_COLUMNS : 1, sizeof(*cells)))) {
		error_set("out of memory laying out the table");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (j = 0; j < TABLE_COLUMNS; j++) {
		rc = cell_make(&header[j], table_headers[j], 0);
		if (rc)
			goto out;
		widths[j] = header[j].width;
	}
	for (i = 0; i < r->n; i++) {
		const struct row *row = &r->v[i];
		const char *values[TABLE_COLUMNS] = {
			row->component, row->version, row->cve, severity_names[row->severity], row->link,
			row->fixed_by,
		};

		for (j = 0; j < TABLE_COLUMNS; j++) {
			struct cell *c = &cells[i * TABLE_COLUMNS + j];

			rc = cell_make(c, values[j], table_max_width[j]);
			if (rc)
				goto out;
			if (c->width > widths[j])
				widths[j] = c->width;
		}
	}

	text_table_border(b, widths, TABLE_COLUMNS, 0);
	text_buf_add(b, "|", 1);
	for (j = 0; j < TABLE_COLUMNS; j++)
		text_table_cell(b, header[j].text, header[j].width, widths[j], NULL);
	text_buf_add(b, "\n", 1);
	text_table_border(b, widths, TABLE_COLUMNS, 0);
	for (i = 0; i < r->n; i++) {
		/* Findings of one component version share its two cells. */
		bool merged = i > 0 && strcmp(r->v[i].component, r->v[i - 1].component) == 0 &&
			      strcmp(r->v[i].version, r->v[i - 1].version) == 0;
		static const struct cell blank = {"", 0};

		if (i > 0)
			text_table_border(b, widths, TABLE_COLUMNS, merged ? 2 : 0);
		text_buf_add(b, "|", 1);
		for (j = 0; j < TABLE_COLUMNS; j++) {
			const struct cell *c = merged && j < 2 ? &blank : &cells[i * TABLE_COLUMNS + j];
			const char *colour = j == 3 && opts && opts->colour ? text_colour(r->v[i].severity) : NULL;

			text_table_cell(b, c->text, c->width, widths[j], colour);
		}
		text_buf_add(b, "\n", 1);
	}
	if (r->n)
		text_table_border(b, widths, TABLE_COLUMNS, 0);
	if (s->total_vulnerabilities)
		text_buf_fmt(b, "A total of %u unique vulnerabilities were found in %u components\n",
			s->total_vulnerabilities, s->total_components);
out:
	for (j = 0; j < TABLE_COLUMNS; j++)
		free(header[j].text);
	for (i = 0; cells && i < r->n * TABLE_COLUMNS; i++)
		free(cells[i].text);
	free(cells);
	free(name.p);
	return rc;
}

/* ---- csv --------------------------------------------------------------- */

static void write_csv(struct text_buf *b, const struct rows *r)
{
	size_t i;

	text_buf_str(b, CSV_HEADER);
	for (i = 0; i < r->n; i++) {
		const struct row *row = &r->v[i];

		text_csv_field(b, row->component);
		text_buf_add(b, ",", 1);
		text_csv_field(b, row->version);
		text_buf_add(b, ",", 1);
		text_csv_field(b, row->cve);
		text_buf_add(b, ",", 1);
		text_csv_field(b, severity_names[row->severity]);
		text_buf_add(b, ",", 1);
		text_csv_field(b, row->link);
		text_buf_add(b, ",", 1);
		text_csv_field(b, row->fixed_by);
		text_buf_add(b, "\n", 1);
	}
}

/* ---- json -------------------------------------------------------------- */

/* StackRox marshals the score as a Go float32: 7 not 7.0, 9.8 not 9.800000000000001. */
static json_t *jscore(double cvss)
{
	if (cvss == floor(cvss))
		return json_integer((json_int_t)cvss);
	return json_real(cvss);
}

static int write_json(FILE *out, const struct rows *r)
{
	const struct scan_summary *s = &r->summary;
	json_t *vulns = json_array(), *result;
	size_t i;

	for (i = 0; vulns && i < r->n; i++) {
		const struct row *row = &r->v[i];
		json_t *v = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				      "cveId", text_json_string(row->cve),
				      "cveSeverity", severity_names[row->severity],
				      "cveCVSS", jscore(row->cvss),
				      "cveInfo", text_json_string(row->link),
				      "advisoryId", text_json_string(row->advisory_id),
				      "advisoryInfo", text_json_string(row->advisory_link),
				      "componentName", text_json_string(row->component),
				      "componentVersion", text_json_string(row->version),
				      "componentFixedVersion", text_json_string(row->fixed_by));

		if (!v || json_array_append_new(vulns, v) != 0) {
			json_decref(vulns);
			vulns = NULL;
		}
	}
	result = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "summary",
			   "CRITICAL", (json_int_t)s->by_severity[SCAN_SEVERITY_CRITICAL],
			   "IMPORTANT", (json_int_t)s->by_severity[SCAN_SEVERITY_IMPORTANT],
			   "LOW", (json_int_t)s->by_severity[SCAN_SEVERITY_LOW],
			   "MODERATE", (json_int_t)s->by_severity[SCAN_SEVERITY_MODERATE],
			   "TOTAL-COMPONENTS", (json_int_t)s->total_components,
			   "TOTAL-VULNERABILITIES", (json_int_t)s->total_vulnerabilities);
	/* Like StackRox, no "vulnerabilities" key when there are none. */
	if (result && (!vulns || (r->n && json_object_set(result, "vulnerabilities", vulns) != 0))) {
		json_decref(result);
		result = NULL;
	}
	json_decref(vulns);
	return text_json_dump(out, result ? json_pack("{s:o}", "result", result) : NULL, JSON_REAL_PRECISION(6), "JSON");
}

/* ---- sarif ------------------------------------------------------------- */

/* Only http(s) links made of URI characters go out as helpUri or markdown
 * links: GitHub renders them, and a "javascript:" or malformed link must
 * not become one. */
static bool is_web_uri(const char *s)
{
	const char *p;

	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return false;
	if (!*p || *p == '/')
		return false;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			if (!(p[1] && strchr("0123456789abcdefABCDEF", p[1]) && p[2] &&
			      strchr("0123456789abcdefABCDEF", p[2])))
				return false;
			p += 2;
		} else if (!text_uri_plain_char(c) && !strchr("?#[]", c)) {
			return false;
		}
	}
	return true;
}

/*
 * The artifact URI of every result: the image reference, percent-encoded
 * where it holds characters a URI cannot. "registry:5000/x" reads as a URI
 * with scheme "registry"; "10.0.0.1:5000/x" cannot (a scheme starts with a
 * letter), so a colon in such a first segment is encoded too.
 */
static void artifact_uri(struct text_buf *b, const char *ref)
{
	const char *slash = strchr(ref, '/'), *colon = strchr(ref, ':'), *p;
	const char *first_end = slash ? slash : ref + strlen(ref);
	bool encode_first_colon = false;

	if (!ref[0]) {
		text_buf_str(b, "image");
		return;
	}
	if (colon && colon < first_end) {
		encode_first_colon = !((ref[0] >= 'a' && ref[0] <= 'z') || (ref[0] >= 'A' && ref[0] <= 'Z'));
		for (p = ref; p < colon && !encode_first_colon; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '+' || *p == '-' || *p == '.'))
				encode_first_colon = true;
	}
	text_uri_encode(b, ref, encode_first_colon ? first_end : ref);
}

/* Markdown-safe text: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows that for all of them), so a package name can make no
 * link, tag, emphasis, heading or table cell; line breaks become spaces, and
 * what a terminal must not see (controls, bidirectional overrides) a web
 * page must not either. */
static void md_text(struct text_buf *b, const char *s)
{
	size_t n = strlen(s), i, len;
	int w;

	for (i = 0; i < n; i += len) {
		unsigned char c = (unsigned char)s[i];

		len = 1;
		if (c == '\n' || c == '\r' || c == '\t') {
			text_buf_add(b, " ", 1);
		} else if (c < 0x80 && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c)) {
			text_buf_add(b, "\\", 1);
			text_buf_add(b, s + i, 1);
		} else {
			len = text_char(s + i, n - i, TEXT_SAFE_BASIC, &w);
			if (w >= 0)
				text_buf_add(b, s + i, len);
			else
				text_buf_add(b, "?", 1);
		}
	}
}

static void md_link(struct text_buf *b, const char *text, const char *uri)
{
	if (!is_web_uri(uri)) {
		md_text(b, text[0] ? text : uri);
		return;
	}
	text_buf_add(b, "[", 1);
	md_text(b, text[0] ? text : uri);
	text_buf_str(b, "](<");
	text_buf_str(b, uri);
	text_buf_str(b, ">)");
}

static void md_table_row(struct text_buf *b, const char *field, const char *value, const char *link)
{
	text_buf_str(b, "| ");
	text_buf_str(b, field);
	text_buf_str(b, " | ");
	if (link)
		md_link(b, value, link);
	else
		md_text(b, value);
	text_buf_str(b, " |\n");
}

static void fmt_cvss(char *out, size_t size, double cvss)
{
	if (cvss > 0)
		snprintf(out, size, "%.1f", cvss);
	else
		snprintf(out, size, "none");
}

/* StackRox's rule id: one rule per CVE in one component version, so the
 * help can name the fix for that component. */
static void rule_id(struct text_buf *b, const struct row *row)
{
	/* Valid UTF-8, as it is also a key of the rule index. */
	text_utf8_repair(b, row->cve);
	text_buf_str(b, "_");
	text_utf8_repair(b, row->component);
	text_buf_str(b, "_");
	text_utf8_repair(b, row->version);
}

static void help_text(struct text_buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	text_buf_str(b, "Vulnerability: ");
	text_buf_str(b, row->cve);
	text_buf_str(b, "\nSeverity: ");
	text_buf_str(b, severity_names[row->severity]);
	text_buf_str(b, "\nCVSS: ");
	text_buf_str(b, score);
	text_buf_str(b, "\nComponent: ");
	text_buf_str(b, row->component);
	text_buf_str(b, "\nVersion: ");
	text_buf_str(b, row->version);
	text_buf_str(b, "\nFixed Version: ");
	text_buf_str(b, row->fixed_by[0] ? row->fixed_by : "none");
	if (row->link[0]) {
		text_buf_str(b, "\nLink: ");
		text_buf_str(b, row->link);
	}
	if (row->advisory_id[0]) {
		text_buf_str(b, "\nAdvisory: ");
		text_buf_str(b, row->advisory_id);
	}
	if (row->advisory_link[0]) {
		text_buf_str(b, "\nAdvisory Link: ");
		text_buf_str(b, row->advisory_link);
	}
	if (row->summary[0]) {
		text_buf_str(b, "\n\n");
		text_buf_str(b, row->summary);
	}
}

static void help_markdown(struct text_buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	text_buf_str(b, "**");
	md_text(b, row->cve);
	text_buf_str(b, "** in ");
	md_text(b, row->component);
	text_buf_str(b, " ");
	md_text(b, row->version);
	text_buf_str(b, "\n\n");
	if (row->summary[0]) {
		md_text(b, row->summary);
		text_buf_str(b, "\n\n");
	}
	text_buf_str(b, "| Field | Value |\n| --- | --- |\n");
	md_table_row(b, "Severity", severity_names[row->severity], NULL);
	md_table_row(b, "CVSS", score, NULL);
	md_table_row(b, "Component", row->component, NULL);
	md_table_row(b, "Version", row->version, NULL);
	md_table_row(b, "Fixed version", row->fixed_by[0] ? row->fixed_by : "none", NULL);
	if (row->location[0])
		md_table_row(b, "Location", row->location, NULL);
	if (row->link[0])
		md_table_row(b, "Link", row->cve, row->link);
	if (row->advisory_id[0] || row->advisory_link[0])
		md_table_row(b, "Advisory", row->advisory_id, row->advisory_link);
}

static void short_description(struct text_buf *b, const struct row *row)
{
	text_buf_str(b, row->cve);
	text_buf_str(b, " in ");
	text_buf_str(b, row->component);
	text_buf_str(b, " ");
	text_buf_str(b, row->version);
}

static void result_message(struct text_buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	short_description(b, row);
	if (row->location[0]) {
		text_buf_str(b, " (");
		text_buf_str(b, row->location);
		text_buf_str(b, ")");
	}
	text_buf_str(b, ": ");
	text_buf_str(b, severity_names[row->severity]);
	if (row->cvss > 0) {
		text_buf_str(b, ", CVSS ");
		text_buf_str(b, score);
	}
	if (row->fixed_by[0]) {
		text_buf_str(b, ", fixed in ");
		text_buf_str(b, row->fixed_by);
	} else {
		text_buf_str(b, ", no fixed version");
	}
	text_buf_str(b, ".");
}

/* One text made by fill into a JSON string; the scratch buffer is reused. */
static json_t *made(struct text_buf *b, void (*fill)(struct text_buf *, const struct row *), const struct row *row)
{
	text_buf_reset(b);
	fill(b, row);
	return b->failed ? NULL : text_json_string(text_buf_cstr(b));
}

static json_t *sarif_rule(struct text_buf *scratch, const struct row *row, const char *id)
{
	json_t *full = row->summary[0] ? text_json_string(row->summary) : made(scratch, short_description, row);
	json_t *help_uri = is_web_uri(row->link) ? text_json_string(row->link) : NULL;

	/* "security" in the tags is what makes GitHub read security-severity. */
	return json_pack("{s:o, s:s, s:{s:o}, s:{s:o}, s:o*, s:{s:o, s:o}, s:{s:s, s:s, s:[s, s, s]}}",
			 "id", text_json_string(id),
			 "name", "Vulnerabilities",
			 "shortDescription", "text", made(scratch, short_description, row),
			 "fullDescription", "text", full,
			 "helpUri", help_uri,
			 "help", "text", made(scratch, help_text, row), "markdown", made(scratch, help_markdown, row),
			 "properties", "precision", "very-high",
			 "security-severity", sarif_security_severity[row->severity],
			 "tags", "security", "vulnerability", severity_names[row->severity]);
}

static int write_sarif(FILE *out, const struct rows *r, const json_t *image, const struct scan_output_options *opts)
{
	json_t *rules = json_array(), *results = json_array(), *root = NULL;
	json_t *rule_index = json_object(); /* rule id -> its index in rules */
	struct text_buf uri = {0}, ref = {0}, id = {0}, scratch = {0};
	bool bad = !rules || !results || !rule_index;
	size_t i;

	image_name(&ref, image, opts);
	artifact_uri(&uri, ref.p ? ref.p : "");
	bad |= ref.failed || uri.failed;
	for (i = 0; !bad && i < r->n; i++) {
		const struct row *row = &r->v[i];
		json_t *known, *res;
		size_t index;

		text_buf_reset(&id);
		rule_id(&id, row);
		if (id.failed)
			break;
		known = json_object_get(rule_index, id.p);
		if (known) {
			index = (size_t)json_integer_value(known);
		} else {
			json_t *rule = sarif_rule(&scratch, row, id.p);

			index = json_array_size(rules);
			bad |= !rule || json_array_append_new(rules, rule) != 0 ||
			       json_object_set_new(rule_index, id.p, json_integer((json_int_t)index)) != 0;
		}
		res = bad ? NULL
			  : text_sarif_result(id.p, index, sarif_levels[row->severity],
					      made(&scratch, result_message, row), uri.p);
		bad |= !res || json_array_append_new(results, res) != 0;
	}
	if (!bad && !id.failed)
		root = text_sarif_log(rules, results, opts ? opts->tool_version : NULL);
	json_decref(rules);
	json_decref(results);
	json_decref(rule_index);
	free(uri.p);
	free(ref.p);
	free(id.p);
	free(scratch.p);
	return text_json_dump(out, root, 0, "SARIF");
}

/* ---- entry point ------------------------------------------------------- */

int scan_output_write(FILE *out, const json_t *image, enum scan_format fmt,
		      const struct scan_output_options *opts)
{
	struct rows r = {0};
	struct text_buf b = {0};
	size_t max_rows = opts && opts->max_rows ? opts->max_rows : SCAN_OUTPUT_MAX_ROWS;
	int rc;

	if (!out || !image) {
		error_set("scan_output_write: no %s", out ? "image" : "output stream");
		return ASEC_EINVALID;
	}
	if ((int)fmt < SCAN_FORMAT_TABLE || fmt > SCAN_FORMAT_SARIF) {
		error_set("unknown output format %d", (int)fmt);
		return ASEC_EINVALID;
	}
	rc = rows_collect(&r, image, opts ? opts->severities : NULL, max_rows);
	if (rc)
		goto out;
	switch (fmt) {
	case SCAN_FORMAT_TABLE:
		rc = write_table(&b, &r, image, opts);
		break;
	case SCAN_FORMAT_CSV:
		write_csv(&b, &r);
		break;
	case SCAN_FORMAT_JSON:
		rc = write_json(out, &r);
		break;
	case SCAN_FORMAT_SARIF:
		rc = write_sarif(out, &r, image, opts);
		break;
	}
	/* JSON and SARIF went out directly: b is empty, this only flushes. */
	if (rc == ASEC_OK)
		rc = text_buf_write(out, &b, "scan results");
out:
	free(r.v);
	free(b.p);
	return rc;
}
