/*
 * epss.c - FIRST's Exploit Prediction Scoring System scores as enrichment
 * ("epss" records): one record per CVE with its probability of exploitation
 * in the next 30 days ("epss") and its rank among all CVEs ("percentile").
 *
 * Two spellings of the same CSV are read:
 *   FIRST's daily epss_scores-YYYY-MM-DD.csv (decompressed before us):
 *     #model_version:v2023.03.01,score_date:2023-05-13T00:00:00+0000
 *     cve,epss,percentile
 *     CVE-2020-5902,0.97576,0.99998
 *   and the header-less ';'-separated mirror of the API,
 *     CVE-2024-9999;0.004130000;0.343950000
 * Each row says which separator it uses (the first ',' or ';' in it). The
 * score date is the comment line's score_date when there is one, else the
 * date in the file name (epss_scores-YYYY-MM-DD), else none: the mirror's
 * rows carry no date at all, and inventing one would be worse than none.
 *
 * The whole feed is some 300,000 rows, re-read every day, so this file is
 * written for speed: rows are cut in place with memchr, numbers are parsed
 * with strtod from a small bounded copy of the field (the input is not
 * NUL-terminated, and strtod would read past the field), and records are
 * built with jansson's object calls directly (no json_pack format string
 * to interpret, no UTF-8 check of text already known to be ASCII). The
 * record's "kind" string is shared by every record (jansson counts its
 * references), which saves an allocation per row. strtod follows the C
 * locale's decimal point, which is the "." of the file in every program
 * that never calls setlocale(), as ours do not.
 *
 * A bad row is skipped with its line number and reason and the next one
 * read. A file none of whose first thousand lines is an EPSS row, header or
 * model line is not EPSS at all, and fails as a whole.
 */
#include "feeds/feed.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"

#define EPSS_MAX_ID 32	     /* "CVE-YYYY-NNNNNNN" */
#define EPSS_MAX_NUMBER 31   /* bytes of a score, "0.000430000" */
#define EPSS_GIVE_UP_LINES 1000

struct epss_reader {
	const struct feed_sink *sink;
	json_t *kind;	   /* the shared "epss" string */
	char date[11];	   /* YYYY-MM-DD, or "" */
	size_t line;	   /* 1-based */
	size_t recognized; /* rows, headers and model lines */
};

static int epss_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A skip of the current line; id is the row's first field, named only
 * when it is a CVE id. */
static void epss_skip(struct epss_reader *r, const char *id, size_t id_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void epss_skip(struct epss_reader *r, const char *id, size_t id_len, const char *fmt, ...)
{
	char idbuf[EPSS_MAX_ID + 1];
	va_list ap;

	if (!r->sink->skip)
		return;
	if (!feed_is_cve_idn(id, id_len))
		id_len = 0;
	memcpy(idbuf, id, id_len);
	idbuf[id_len] = '\0';
	va_start(ap, fmt);
	feed_vskipf(r->sink, idbuf, r->line, fmt, ap);
	va_end(ap);
}

/* A probability: a decimal number from 0 to 1 (no hex, no inf/nan). */
static int epss_number(double *out, const char *s, size_t n)
{
	char buf[EPSS_MAX_NUMBER + 1], *end;
	size_t i;

	if (n == 0 || n > EPSS_MAX_NUMBER)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!epss_digit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-')
			return 0;
		buf[i] = c;
	}
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return end == buf + n && isfinite(*out) && *out >= 0.0 && *out <= 1.0;
}

/* "#model_version:v2023.03.01,score_date:2023-05-13T00:00:00+0000" */
static void epss_comment(struct epss_reader *r, const char *s, size_t n)
{
	static const char key[] = "score_date:";
	size_t i;

	if (n >= 14 && strncasecmp(s, "#model_version", 14) == 0)
		r->recognized++;
	for (i = 0; i + sizeof(key) - 1 <= n; i++)
		if (memcmp(s + i, key, sizeof(key) - 1) == 0) {
			i += sizeof(key) - 1;
			if (feed_is_date(s + i, n - i)) {
				memcpy(r->date, s + i, 10);
				r->date[10] = '\0';
			}
			return;
		}
}

/* Sets key to a new value; -1 when memory ran out (value is consumed). */
static int epss_set(json_t *rec, const char *key, json_t *value)
{
	return value ? json_object_set_new_nocheck(rec, key, value) : -1;
}

static int epss_row(struct epss_reader *r, const char *s, size_t n)
{
	const char *sep = NULL, *f[3];
	size_t flen[3], i, k = 0, start = 0;
	double epss, percentile;
	json_t *rec;
	char delim;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == ';') {
			sep = s + i;
			break;
		}
	if (!sep) {
		epss_skip(r, "", 0, "not a cve,epss,percentile row");
		return 0;
	}
	delim = *sep;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != delim)
			continue;
		if (k == 3) {
			epss_skip(r, s, flen[0], "more than three fields");
			return 0;
		}
		f[k] = s + start;
		flen[k++] = i - start;
		start = i + 1;
	}
	if (k != 3) {
		epss_skip(r, s, flen[0], "%zu fields where cve,epss,percentile are three", k);
		return 0;
	}
	/* the header of FIRST's file */
	if (flen[0] == 3 && strncasecmp(f[0], "cve", 3) == 0) {
		r->recognized++;
		return 0;
	}
	if (!feed_is_cve_idn(f[0], flen[0])) {
		epss_skip(r, "", 0, "\"%.*s\" is not a CVE id", (int)(flen[0] > 40 ? 40 : flen[0]), f[0]);
		return 0;
	}
	if (!epss_number(&epss, f[1], flen[1])) {
		epss_skip(r, f[0], flen[0], "epss \"%.*s\" is not a number from 0 to 1", (int)(flen[1] > 40 ? 40 : flen[1]),
			  f[1]);
		return 0;
	}
	if (!epss_number(&percentile, f[2], flen[2])) {
		epss_skip(r, f[0], flen[0], "percentile \"%.*s\" is not a number from 0 to 1",
			  (int)(flen[2] > 40 ? 40 : flen[2]), f[2]);
		return 0;
	}
	r->recognized++;
	if (!(rec = json_object()))
		goto nomem;
	json_incref(r->kind);
	if (epss_set(rec, "kind", r->kind) || epss_set(rec, "id", json_stringn_nocheck(f[0], flen[0])) ||
	    epss_set(rec, "epss", json_real(epss)) || epss_set(rec, "percentile", json_real(percentile)) ||
	    (r->date[0] && epss_set(rec, "date", json_string_nocheck(r->date)))) {
		json_decref(rec);
		goto nomem;
	}
	return r->sink->record(r->sink->ctx, rec);
nomem:
	error_set("epss: out of memory at line %zu", r->line);
	return ASEC_ENOMEM;
}

int feed_parse_epss(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct epss_reader r = {sink, NULL, "", 0, 0};
	const char *what = name && *name ? name : "the input", *named;
	size_t pos = 0;
	int rc = ASEC_OK;

	if (!data || !sink || !sink->record) {
		error_set("epss: no data or no sink");
		return ASEC_EINVALID;
	}
	if (name && (named = strstr(name, "epss_scores-")) && feed_is_date(named + 12, strlen(named + 12))) {
		memcpy(r.date, named + 12, 10);
		r.date[10] = '\0';
	}
	if (!(r.kind = json_string("epss"))) {
		error_set("epss: out of memory");
		return ASEC_ENOMEM;
	}
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		r.line++;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (n == 0)
			continue;
		if (r.recognized == 0 && r.line > EPSS_GIVE_UP_LINES)
			break;
		if (*s == '#')
			epss_comment(&r, s, n);
		else if ((rc = epss_row(&r, s, n)))
			goto out;
	}
	if (r.recognized == 0) {
		error_set("epss: %s is not an EPSS CSV (no cve,epss,percentile row%s)", what,
			  r.line > EPSS_GIVE_UP_LINES ? " in its first 1000 lines" : "");
		rc = ASEC_EINVALID;
	}
out:
	json_decref(r.kind);
	return rc;
}
