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
 * cells, not bytes (a small hand-written East Asian width table: wcwidth()
 * would make the output depend on the caller's locale). CSV is quoted as
 * RFC 4180 says, SARIF links are only emitted when they are plain http(s)
 * URIs, and markdown help escapes every punctuation character.
 */
#include "scan_output.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"

#ifndef ASEC_VERSION
#define ASEC_VERSION "0.0.0"
#endif

/* Widest cell, in terminal columns, per table column; longer text is cut
 * and ends in "...". The full values are in the other formats. */
#define TABLE_COLUMNS 6
static const char *const table_headers[TABLE_COLUMNS] = {
	"COMPONENT", "VERSION", "CVE", "SEVERITY", "LINK", "FIXED VERSION",
};
static const size_t table_max_width[TABLE_COLUMNS] = {40, 32, 24, 9, 64, 32};

#define CSV_HEADER "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *const severity_names[SCAN_SEVERITY_COUNT] = {
	"LOW", "MODERATE", "IMPORTANT", "CRITICAL",
};

/* SARIF level and GitHub's security-severity per severity, as StackRox's
 * roxctl sets them: a fixed number per severity keeps GitHub's
 * critical/high/medium/low in step with ours, which a raw CVSS score
 * (often the NVD's, not the distribution's) would not. */
static const char *const sarif_levels[SCAN_SEVERITY_COUNT] = {"note", "warning", "error", "error"};
static const char *const sarif_security_severity[SCAN_SEVERITY_COUNT] = {"3.3", "4.8", "7.9", "9.1"};

static const char *const colour_on[SCAN_SEVERITY_COUNT] = {
	"\x1b[36m", "\x1b[33m", "\x1b[31m", "\x1b[1;31m",
};
#define COLOUR_OFF "\x1b[0m"

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
		p = realloc(b->p, cap);
		if (!p) {
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
	/* Only short numeric fragments come through here. */
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

/* A string member, or "" when it is absent or not a string. */
static const char *str_field(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

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
	static const char suffix[] = "_VULNERABILITY_SEVERITY";
	size_t len = strlen(name);
	int i;

	if (len >= sizeof(suffix) - 1 && strcasecmp(name + len - (sizeof(suffix) - 1), suffix) == 0)
		len -= sizeof(suffix) - 1;
	for (i = 0; i < SCAN_SEVERITY_COUNT; i++) {
		if (strlen(severity_names[i]) == len && strncasecmp(name, severity_names[i], len) == 0) {
			*out = (enum scan_severity)i;
			return true;
		}
	}
	return false;
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
	static const struct {
		const char *name;
		enum scan_format fmt;
	} formats[] = {
		{"table", SCAN_FORMAT_TABLE},
		{"json", SCAN_FORMAT_JSON},
		{"csv", SCAN_FORMAT_CSV},
		{"sarif", SCAN_FORMAT_SARIF},
	};
	size_t i;

	for (i = 0; name && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcasecmp(name, formats[i].name) == 0) {
			*out = formats[i].fmt;
			return ASEC_OK;
		}
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
			if (!severity_from_name(&sev, str_field(vuln, "severity")))
				sev = SCAN_SEVERITY_LOW; /* UNKNOWN and the rest, as StackRox */
			if (!include[sev])
				continue;
			rc = rows_push(r, max_rows);
			if (rc)
				return rc;
			row = &r->v[r->n - 1];
			advisory = json_object_get(vuln, "advisory");
			row->component = str_field(comp, "name");
			row->version = str_field(comp, "version");
			row->location = str_field(comp, "location");
			row->cve = str_field(vuln, "cve");
			row->summary = str_field(vuln, "summary");
			row->link = str_field(vuln, "link");
			row->fixed_by = str_field(vuln, "fixedBy");
			row->advisory_id = str_field(advisory, "name");
			row->advisory_link = str_field(advisory, "link");
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
static void image_name(struct buf *b, const json_t *image, const struct scan_output_options *opts)
{
	const json_t *name = json_object_get(image, "name");
	const char *s;

	if (opts && opts->image_ref && opts->image_ref[0]) {
		buf_str(b, opts->image_ref);
		return;
	}
	s = str_field(name, "fullName");
	if (s[0]) {
		buf_str(b, s);
		return;
	}
	if (str_field(name, "remote")[0]) {
		if (str_field(name, "registry")[0]) {
			buf_str(b, str_field(name, "registry"));
			buf_str(b, "/");
		}
		buf_str(b, str_field(name, "remote"));
		if (str_field(name, "tag")[0]) {
			buf_str(b, ":");
			buf_str(b, str_field(name, "tag"));
		}
		return;
	}
	buf_str(b, str_field(image, "id"));
}

/* ---- UTF-8 and terminal cells ------------------------------------------ */

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
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
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

/* Columns a code point takes in a terminal: -1 for one that must not reach
 * a terminal (controls, bidirectional overrides), 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and emoji, else 1. The
 * tables keep to the blocks package names and summaries actually use. */
static int cp_width(uint32_t cp)
{
	static const struct range unsafe[] = {
		{0x00, 0x1f}, {0x7f, 0x9f}, {0x061c, 0x061c}, {0x200e, 0x200f},
		{0x2028, 0x202e}, {0x2066, 0x2069},
	};
	static const struct range zero[] = {
		{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
		{0x064b, 0x065f}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200d},
		{0x2060, 0x2064}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
		{0xfeff, 0xfeff},
	};
	static const struct range wide[] = {
		{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf},
		{0x4e00, 0x9fff}, {0xa000, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff},
		{0xfe30, 0xfe4f}, {0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x1f300, 0x1f64f},
		{0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
	};

	if (in_ranges(cp, unsafe, sizeof(unsafe) / sizeof(unsafe[0])))
		return -1;
	if (in_ranges(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

/*
 * Appends s to b as terminal-safe text no wider than max columns (0: no
 * limit): unsafe code points and malformed bytes become '?', and text that
 * does not fit is cut at a character boundary and ends in "...". Returns
 * the width written.
 */
static size_t terminal_text(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len, total = 0, room, used = 0;
	uint32_t cp;
	int w;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		w = len ? cp_width(cp) : -1;
		if (!len)
			len = 1;
		total += w < 0 ? 1 : (size_t)w;
	}
	room = max && total > max ? max - 3 : total;
	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		w = len ? cp_width(cp) : -1;
		if (!len)
			len = 1;
		if (used + (w < 0 ? 1 : (size_t)w) > room)
			break;
		if (w < 0)
			buf_add(b, "?", 1);
		else
			buf_add(b, s + i, len);
		used += w < 0 ? 1 : (size_t)w;
	}
	if (room < total) {
		buf_add(b, "...", 3);
		used += 3;
	}
	return used;
}

/* ---- table ------------------------------------------------------------- */

struct cell {
	char *text;
	size_t width;
};

static int cell_make(struct cell *c, const char *s, size_t max)
{
	struct buf b = {0};

	c->width = terminal_text(&b, s, max);
	if (!b.p)
		buf_add(&b, "", 0);
	if (b.failed) {
		free(b.p);
		error_set("out of memory laying out the table");
		return ASEC_ENOMEM;
	}
	c->text = b.p;
	return ASEC_OK;
}

static void table_border(struct buf *b, const size_t *widths, size_t blank_columns)
{
	size_t i;

	for (i = 0; i < TABLE_COLUMNS; i++) {
		buf_add(b, "+", 1);
		buf_repeat(b, i < blank_columns ? ' ' : '-', widths[i] + 2);
	}
	buf_add(b, "+\n", 2);
}

static void table_cell(struct buf *b, const struct cell *c, size_t width, const char *colour)
{
	size_t left = (width - c->width) / 2, right = width - c->width - left;

	buf_add(b, " ", 1);
	buf_repeat(b, ' ', left);
	if (colour)
		buf_str(b, colour);
	buf_str(b, c->text);
	if (colour)
		buf_str(b, COLOUR_OFF);
	buf_repeat(b, ' ', right);
	buf_add(b, " |", 2);
}

static int write_table(struct buf *b, const struct rows *r, const json_t *image,
		       const struct scan_output_options *opts)
{
	const struct scan_summary *s = &r->summary;
	struct cell header[TABLE_COLUMNS] = {{0}};
	struct cell *cells = NULL;
	size_t widths[TABLE_COLUMNS];
	struct buf name = {0};
	size_t i, j;
	int rc = ASEC_OK;

	image_name(&name, image, opts);
	if (name.failed) {
		error_set("out of memory laying out the table");
		rc = ASEC_ENOMEM;
		goto out;
	}
	buf_str(b, "Scan results for image: ");
	terminal_text(b, name.p ? name.p : "", 0);
	buf_fmt(b, "\n(TOTAL-COMPONENTS: %u, TOTAL-VULNERABILITIES: %u, "
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

	table_border(b, widths, 0);
	buf_add(b, "|", 1);
	for (j = 0; j < TABLE_COLUMNS; j++)
		table_cell(b, &header[j], widths[j], NULL);
	buf_add(b, "\n", 1);
	table_border(b, widths, 0);
	for (i = 0; i < r->n; i++) {
		/* Findings of one component version share its two cells. */
		bool merged = i > 0 && strcmp(r->v[i].component, r->v[i - 1].component) == 0 &&
			      strcmp(r->v[i].version, r->v[i - 1].version) == 0;
		static const struct cell blank = {"", 0};

		if (i > 0)
			table_border(b, widths, merged ? 2 : 0);
		buf_add(b, "|", 1);
		for (j = 0; j < TABLE_COLUMNS; j++) {
			const struct cell *c = &cells[i * TABLE_COLUMNS + j];
			const char *colour = j == 3 && opts && opts->colour ? colour_on[r->v[i].severity] : NULL;

			table_cell(b, merged && j < 2 ? &blank : c, widths[j], colour);
		}
		buf_add(b, "\n", 1);
	}
	if (r->n)
		table_border(b, widths, 0);
	if (s->total_vulnerabilities)
		buf_fmt(b, "A total of %u unique vulnerabilities were found in %u components\n",
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

/* Quotes a field the way Go's encoding/csv (and so StackRox) does: when it
 * holds a comma, quote, CR or LF, or starts with a space. */
static void csv_field(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[0] == '\t' ||
		     strcmp(s, "\\.") == 0;
	const char *p;

	if (!quote) {
		buf_str(b, s);
		return;
	}
	buf_add(b, "\"", 1);
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_add(b, "\"\"", 2);
		else
			buf_add(b, p, 1);
	}
	buf_add(b, "\"", 1);
}

static void write_csv(struct buf *b, const struct rows *r)
{
	size_t i;

	buf_str(b, CSV_HEADER);
	for (i = 0; i < r->n; i++) {
		const struct row *row = &r->v[i];

		csv_field(b, row->component);
		buf_add(b, ",", 1);
		csv_field(b, row->version);
		buf_add(b, ",", 1);
		csv_field(b, row->cve);
		buf_add(b, ",", 1);
		csv_field(b, severity_names[row->severity]);
		buf_add(b, ",", 1);
		csv_field(b, row->link);
		buf_add(b, ",", 1);
		csv_field(b, row->fixed_by);
		buf_add(b, "\n", 1);
	}
}

/* ---- json -------------------------------------------------------------- */

/* Appends s with every malformed UTF-8 sequence replaced by U+FFFD. The
 * strings come out of a jansson tree and so are valid UTF-8; a tree built
 * with json_stringn_nocheck() might not be, and must not make the JSON
 * output fail (jansson refuses such strings). */
static void buf_utf8(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		len = utf8_decode(p + i, n - i, &cp);
		if (len) {
			buf_add(b, s + i, len);
		} else {
			buf_add(b, "\xef\xbf\xbd", 3);
			len = 1;
		}
	}
}

static json_t *jstr(const char *s)
{
	struct buf b = {0};
	json_t *v = json_string(s);

	if (v)
		return v;
	buf_utf8(&b, s);
	v = b.failed ? NULL : json_string(b.p ? b.p : "");
	free(b.p);
	return v;
}

/* StackRox marshals the score as a Go float32: 7 not 7.0, 9.8 not 9.800000000000001. */
static json_t *jscore(double cvss)
{
	if (cvss == floor(cvss))
		return json_integer((json_int_t)cvss);
	return json_real(cvss);
}

/*
 * Dumps root (taking it) to out. The trees are built with json_pack()'s
 * "o", which takes the reference it is given, releases every one it took
 * when it fails, and fails on a NULL one: so an allocation that failed
 * anywhere below shows up as a NULL root, and nothing leaks.
 */
static int dump(FILE *out, json_t *root, size_t flags, const char *what)
{
	int rc = ASEC_OK;

	if (!root) {
		error_set("out of memory building the %s output", what);
		return ASEC_ENOMEM;
	}
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | flags) != 0 || fputc('\n', out) == EOF) {
		error_set("writing the %s output: %s", what, strerror(errno));
		rc = ASEC_EIO;
	}
	json_decref(root);
	return rc;
}

static int write_json(FILE *out, const struct rows *r)
{
	const struct scan_summary *s = &r->summary;
	json_t *vulns = json_array(), *result;
	size_t i;

	for (i = 0; vulns && i < r->n; i++) {
		const struct row *row = &r->v[i];
		json_t *v = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				      "cveId", jstr(row->cve),
				      "cveSeverity", severity_names[row->severity],
				      "cveCVSS", jscore(row->cvss),
				      "cveInfo", jstr(row->link),
				      "advisoryId", jstr(row->advisory_id),
				      "advisoryInfo", jstr(row->advisory_link),
				      "componentName", jstr(row->component),
				      "componentVersion", jstr(row->version),
				      "componentFixedVersion", jstr(row->fixed_by));

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
	return dump(out, result ? json_pack("{s:o}", "result", result) : NULL, JSON_REAL_PRECISION(6), "JSON");
}

/* ---- sarif ------------------------------------------------------------- */

static bool uri_plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

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
		} else if (!uri_plain_char(c) && !strchr("?#[]", c)) {
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
static void artifact_uri(struct buf *b, const char *ref)
{
	const char *slash = strchr(ref, '/'), *colon = strchr(ref, ':'), *p;
	const char *first_end = slash ? slash : ref + strlen(ref);
	bool encode_first_colon = false;

	if (!ref[0]) {
		buf_str(b, "image");
		return;
	}
	if (colon && colon < first_end) {
		encode_first_colon = !((ref[0] >= 'a' && ref[0] <= 'z') || (ref[0] >= 'A' && ref[0] <= 'Z'));
		for (p = ref; p < colon && !encode_first_colon; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '+' || *p == '-' || *p == '.'))
				encode_first_colon = true;
	}
	for (p = ref; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (uri_plain_char(c) && !(c == ':' && encode_first_colon && p < first_end))
			buf_add(b, p, 1);
		else
			buf_fmt(b, "%%%02X", c);
	}
}

/* Markdown-safe text: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows that for all of them), so a package name can make no
 * link, tag, emphasis, heading or table cell; line breaks become spaces, and
 * what a terminal must not see (controls, bidirectional overrides) a web
 * page must not either. */
static void md_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		unsigned char c = p[i];

		len = 1;
		if (c == '\n' || c == '\r' || c == '\t') {
			buf_add(b, " ", 1);
		} else if (c < 0x80 && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c)) {
			buf_add(b, "\\", 1);
			buf_add(b, s + i, 1);
		} else {
			len = utf8_decode(p + i, n - i, &cp);
			if (len && cp_width(cp) >= 0) {
				buf_add(b, s + i, len);
			} else {
				buf_add(b, "?", 1);
				len = len ? len : 1;
			}
		}
	}
}

static void md_link(struct buf *b, const char *text, const char *uri)
{
	if (!is_web_uri(uri)) {
		md_text(b, text[0] ? text : uri);
		return;
	}
	buf_add(b, "[", 1);
	md_text(b, text[0] ? text : uri);
	buf_str(b, "](<");
	buf_str(b, uri);
	buf_str(b, ">)");
}

static void md_table_row(struct buf *b, const char *field, const char *value, const char *link)
{
	buf_str(b, "| ");
	buf_str(b, field);
	buf_str(b, " | ");
	if (link)
		md_link(b, value, link);
	else
		md_text(b, value);
	buf_str(b, " |\n");
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
static void rule_id(struct buf *b, const struct row *row)
{
	/* Valid UTF-8, as it is also a key of the rule index. */
	buf_utf8(b, row->cve);
	buf_str(b, "_");
	buf_utf8(b, row->component);
	buf_str(b, "_");
	buf_utf8(b, row->version);
}

static void help_text(struct buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	buf_str(b, "Vulnerability: ");
	buf_str(b, row->cve);
	buf_str(b, "\nSeverity: ");
	buf_str(b, severity_names[row->severity]);
	buf_str(b, "\nCVSS: ");
	buf_str(b, score);
	buf_str(b, "\nComponent: ");
	buf_str(b, row->component);
	buf_str(b, "\nVersion: ");
	buf_str(b, row->version);
	buf_str(b, "\nFixed Version: ");
	buf_str(b, row->fixed_by[0] ? row->fixed_by : "none");
	if (row->link[0]) {
		buf_str(b, "\nLink: ");
		buf_str(b, row->link);
	}
	if (row->advisory_id[0]) {
		buf_str(b, "\nAdvisory: ");
		buf_str(b, row->advisory_id);
	}
	if (row->advisory_link[0]) {
		buf_str(b, "\nAdvisory Link: ");
		buf_str(b, row->advisory_link);
	}
	if (row->summary[0]) {
		buf_str(b, "\n\n");
		buf_str(b, row->summary);
	}
}

static void help_markdown(struct buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	buf_str(b, "**");
	md_text(b, row->cve);
	buf_str(b, "** in ");
	md_text(b, row->component);
	buf_str(b, " ");
	md_text(b, row->version);
	buf_str(b, "\n\n");
	if (row->summary[0]) {
		md_text(b, row->summary);
		buf_str(b, "\n\n");
	}
	buf_str(b, "| Field | Value |\n| --- | --- |\n");
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

static void short_description(struct buf *b, const struct row *row)
{
	buf_str(b, row->cve);
	buf_str(b, " in ");
	buf_str(b, row->component);
	buf_str(b, " ");
	buf_str(b, row->version);
}

static void result_message(struct buf *b, const struct row *row)
{
	char score[16];

	fmt_cvss(score, sizeof(score), row->cvss);
	short_description(b, row);
	if (row->location[0]) {
		buf_str(b, " (");
		buf_str(b, row->location);
		buf_str(b, ")");
	}
	buf_str(b, ": ");
	buf_str(b, severity_names[row->severity]);
	if (row->cvss > 0) {
		buf_str(b, ", CVSS ");
		buf_str(b, score);
	}
	if (row->fixed_by[0]) {
		buf_str(b, ", fixed in ");
		buf_str(b, row->fixed_by);
	} else {
		buf_str(b, ", no fixed version");
	}
	buf_str(b, ".");
}

/* One text made by fill into a JSON string; the scratch buffer is reused. */
static json_t *made(struct buf *b, void (*fill)(struct buf *, const struct row *), const struct row *row)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
	fill(b, row);
	return b->failed ? NULL : jstr(b->p ? b->p : "");
}

static json_t *sarif_rule(struct buf *scratch, const struct row *row, const char *id)
{
	json_t *full = row->summary[0] ? jstr(row->summary) : made(scratch, short_description, row);
	json_t *help_uri = is_web_uri(row->link) ? jstr(row->link) : NULL;

	/* "security" in the tags is what makes GitHub read security-severity. */
	return json_pack("{s:o, s:s, s:{s:o}, s:{s:o}, s:o*, s:{s:o, s:o}, s:{s:s, s:s, s:[s, s, s]}}",
			 "id", jstr(id),
			 "name", "Vulnerabilities",
			 "shortDescription", "text", made(scratch, short_description, row),
			 "fullDescription", "text", full,
			 "helpUri", help_uri,
			 "help", "text", made(scratch, help_text, row), "markdown", made(scratch, help_markdown, row),
			 "properties", "precision", "very-high",
			 "security-severity", sarif_security_severity[row->severity],
			 "tags", "security", "vulnerability", severity_names[row->severity]);
}

static json_t *sarif_result(struct buf *scratch, const struct row *row, const char *id, size_t rule_index,
			    const char *uri)
{
	return json_pack("{s:o, s:I, s:s, s:{s:o}, s:[{s:{s:{s:o}, s:{s:i}}}]}",
			 "ruleId", jstr(id),
			 "ruleIndex", (json_int_t)rule_index,
			 "level", sarif_levels[row->severity],
			 "message", "text", made(scratch, result_message, row),
			 "locations", "physicalLocation", "artifactLocation", "uri", jstr(uri),
			 "region", "startLine", 1);
}

static int write_sarif(FILE *out, const struct rows *r, const json_t *image, const struct scan_output_options *opts)
{
	json_t *rules = json_array(), *results = json_array(), *root = NULL;
	json_t *rule_index = json_object(); /* rule id -> its index in rules */
	struct buf uri = {0}, ref = {0}, id = {0}, scratch = {0};
	bool bad = !rules || !results || !rule_index;
	size_t i;

	image_name(&ref, image, opts);
	artifact_uri(&uri, ref.p ? ref.p : "");
	bad |= ref.failed || uri.failed;
	for (i = 0; !bad && i < r->n; i++) {
		const struct row *row = &r->v[i];
		json_t *known, *res;
		size_t index;

		id.len = 0;
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
		res = bad ? NULL : sarif_result(&scratch, row, id.p, index, uri.p);
		bad |= !res || json_array_append_new(results, res) != 0;
	}
	if (!bad && !id.failed)
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
	json_decref(rule_index);
	free(uri.p);
	free(ref.p);
	free(id.p);
	free(scratch.p);
	return dump(out, root, 0, "SARIF");
}

/* ---- entry point ------------------------------------------------------- */

static int write_buf(FILE *out, struct buf *b)
{
	if (b->failed) {
		error_set("out of memory formatting the scan results");
		return ASEC_ENOMEM;
	}
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len) {
		error_set("writing the scan results: %s", strerror(errno));
		return ASEC_EIO;
	}
	return ASEC_OK;
}

int scan_output_write(FILE *out, const json_t *image, enum scan_format fmt,
		      const struct scan_output_options *opts)
{
	struct rows r = {0};
	struct buf b = {0};
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
		if (rc == ASEC_OK)
			rc = write_buf(out, &b);
		break;
	case SCAN_FORMAT_CSV:
		write_csv(&b, &r);
		rc = write_buf(out, &b);
		break;
	case SCAN_FORMAT_JSON:
		rc = write_json(out, &r);
		break;
	case SCAN_FORMAT_SARIF:
		rc = write_sarif(out, &r, image, opts);
		break;
	}
	/* Buffered output fails late: only a flush tells whether it all went. */
	if (rc == ASEC_OK && (fflush(out) != 0 || ferror(out))) {
		error_set("writing the scan results: %s", strerror(errno ? errno : EIO));
		rc = ASEC_EIO;
	}
out:
	free(r.v);
	free(b.p);
	return rc;
}
