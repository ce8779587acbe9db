/*
 * debian_list.c - the Debian security tracker's DSA and DLA list files
 * (data/DSA/list, data/DLA/list in its repository) as canonical advisory
 * records: one per CVE an advisory names, saying which source packages of
 * which releases it fixed.
 *
 * The format is the tracker's own text (read by lib/python/bugs.py there):
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	[buster] - foo <not-affected> (Vulnerable code not present)
 *   	NOTE: free text
 *
 * A header line starts at column 0: "[DD Mon YYYY] ID description". Every
 * indented line (tabs or spaces) until the next header belongs to it: "{...}"
 * cross references (CVE ids; DSA/DLA ids of related advisories), package
 * lines "[release] - package version-or-<kind> (notes)" and NOTE:/TODO:
 * comments. Blank lines and lines starting with "--" mean nothing. A
 * version is the first fixed one: the release is affected below it. A
 * <kind> replaces the version: not-affected, unfixed, end-of-life, no-dsa,
 * postponed, ignored, removed, undetermined, itp (see kinds[] below for what
 * each becomes). Notes after a version are "bug #N" and urgency words
 * separated by "; "; after a <kind> they are the team's free-text reason.
 *
 * Each entry stands alone: a line we cannot read is reported through the
 * sink's skip callback and the rest of its entry still counts; a line at
 * column 0 that is not a header is reported once, and the indented lines
 * under it are ignored until the next header. The tracker's files are
 * ASCII (bugs.py refuses anything else), so a line with any other byte is
 * refused the same way. A file fails as a whole only when it holds no
 * header at all.
 *
 * One entry names n CVEs and m package lines and becomes n records of m
 * affected entries each; n * m is bounded so that a small hostile file
 * cannot ask for gigabytes of records.
 */
#include "feeds/feed.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "version/version.h"

#define TRACKER_LINK "https://security-tracker.debian.org/tracker/"
#define MAX_ID_LEN 40
#define MAX_PACKAGE_LEN 128
#define MAX_SUMMARY_LEN 1024
#define MAX_REASON_LEN 512
/* CVEs of one entry, and records times affected entries of one entry: the
 * largest real entries (kernel updates) name a few hundred CVEs of one or
 * two packages. */
#define MAX_CVES 5000
#define MAX_ENTRY_PRODUCT 200000

/* The <kind>s of a package line and their canonical status. "open" ones
 * describe a vulnerable package with no fix and carry the open range. */
static const struct {
	const char *kind, *status;
	int open;
} kinds[] = {
	{"not-affected", "not_affected", 0},	   /* never vulnerable in that release */
	{"unfixed", "affected", 1},		   /* vulnerable, no fix yet */
	{"no-dsa", "affected", 1},		   /* minor: may be fixed in a point release */
	{"postponed", "fix_deferred", 1},	   /* fix left for a later update */
	{"ignored", "will_not_fix", 1},		   /* the team will not fix it there */
	{"end-of-life", "will_not_fix", 1},	   /* security support for it ended */
	{"removed", "will_not_fix", 1},		   /* gone from the archive: no fix will come */
	{"undetermined", "under_investigation", 0}, /* nobody checked yet */
};

struct entry {
	int active;	       /* a header was read and its lines count */
	char id[MAX_ID_LEN];   /* DSA-5380-1 */
	char date[16];	       /* 2023-03-29 */
	char summary[MAX_SUMMARY_LEN];
	json_t *cves;	       /* array: the order the entry names them */
	json_t *seen;	       /* object: the same CVEs, to drop repeats */
	json_t *aliases;       /* array: related DSA/DLA ids */
	json_t *affected;      /* array of affected entries */
};

struct list_state {
	const struct feed_sink *sink;
	struct entry e;
	size_t headers;
	int orphans_reported; /* indented lines with no entry were reported */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- tokens ---- */

/* A cursor over one line (never NUL-terminated: it points into the file). */
struct cursor {
	const char *p, *end;
};

static void skip_spaces(struct cursor *c)
{
	while (c->p < c->end && is_space(*c->p))
		c->p++;
}

/* The next run of non-blank bytes; its length, 0 at the end. */
static size_t next_token(struct cursor *c, const char **tok)
{
	const char *start;

	skip_spaces(c);
	start = c->p;
	while (c->p < c->end && !is_space(*c->p))
		c->p++;
	*tok = start;
	return (size_t)(c->p - start);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int token_is(const char *tok, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(tok, word, n) == 0;
}

/* Only these bytes occur in the tracker's package names and versions
 * (bugs.py: [A-Za-z0-9:.+-] and, for versions, also "~"). */
static int token_chars(const char *s, size_t n, int version)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != ':' && s[i] != '.' && s[i] != '+' && s[i] != '-' &&
		    !(version && s[i] == '~'))
			return 0;
	return n > 0;
}

/* "DSA-123", "DSA-5380-1", "DLA-2511-1" (and "DTSA-12-1" in cross
 * references): a prefix and one or two numbers of at most 9 digits. */
static int advisory_id(const char *s, size_t n)
{
	const char *dash;
	size_t prefix, rest;

	if (n >= MAX_ID_LEN)
		return 0;
	if (n > 4 && (memcmp(s, "DSA-", 4) == 0 || memcmp(s, "DLA-", 4) == 0))
		prefix = 4;
	else if (n > 5 && memcmp(s, "DTSA-", 5) == 0)
		prefix = 5;
	else
		return 0;
	s += prefix;
	rest = n - prefix;
	dash = memchr(s, '-', rest);
	if (!dash)
		return rest <= 9 && all_digits(s, rest);
	return (size_t)(dash - s) <= 9 && all_digits(s, (size_t)(dash - s)) && rest - (size_t)(dash - s) - 1 <= 9 &&
	       all_digits(dash + 1, rest - (size_t)(dash - s) - 1);
}

/* ---- the header ---- */

static int days_in_month(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* "[29 Mar 2023] DSA-5380-1 xorg-server - security update" into e; 0 when
 * the line is not a header. */
static int parse_header(struct entry *e, const char *line, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct cursor c = {line, line + n};
	const char *tok, *m;
	size_t len;
	int day, month, year;

	/* "[DD Mon YYYY]" is 13 bytes at fixed places, as bugs.py requires */
	if (n < 14 || line[0] != '[' || !all_digits(line + 1, 2) || line[3] != ' ' || line[7] != ' ' ||
	    !all_digits(line + 8, 4) || line[12] != ']' || !is_space(line[13]))
		return 0;
	m = NULL;
	for (month = 0; month < 12 && !m; month++)
		if (memcmp(line + 4, months + 3 * month, 3) == 0)
			m = months + 3 * month;
	if (!m)
		return 0;
	day = (line[1] - '0') * 10 + (line[2] - '0');
	year = (line[8] - '0') * 1000 + (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (day < 1 || day > days_in_month(month, year))
		return 0;
	c.p = line + 13;
	len = next_token(&c, &tok);
	if (!advisory_id(tok, len) || memcmp(tok, "DTSA-", 5) == 0)
		return 0;
	memcpy(e->id, tok, len);
	e->id[len] = '\0';
	snprintf(e->date, sizeof(e->date), "%04d-%02d-%02d", year, month, day);
	skip_spaces(&c);
	len = feed_utf8_cut(c.p, (size_t)(c.end - c.p), MAX_SUMMARY_LEN - 1);
	memcpy(e->summary, c.p, len);
	e->summary[len] = '\0';
	return 1;
}

/* ---- the lines of an entry ---- */

static void entry_clear(struct entry *e)
{
	json_decref(e->cves);
	json_decref(e->seen);
	json_decref(e->aliases);
	json_decref(e->affected);
	memset(e, 0, sizeof(*e));
}

static int entry_start(struct entry *e)
{
	if (!(e->cves = json_array()) || !(e->seen = json_object()) || !(e->aliases = json_array()) ||
	    !(e->affected = json_array())) {
		error_set("debian list: out of memory");
		return ASEC_ENOMEM;
	}
	e->active = 1;
	return ASEC_OK;
}

/* "{CVE-2023-1393 CVE-2023-1394 DSA-5379-1}" */
static int add_xrefs(struct list_state *s, const char *text, size_t n)
{
	struct entry *e = &s->e;
	struct cursor c = {text + 1, text + n - 1};
	const char *tok;
	char id[MAX_ID_LEN];
	size_t len;

	if (n < 2 || text[n - 1] != '}') {
		feed_skipf(s->sink, e->id, "%s: a cross reference line without its closing brace", e->id);
		return ASEC_OK;
	}
	while ((len = next_token(&c, &tok))) {
		if (feed_is_cve_idn(tok, len)) {
			memcpy(id, tok, len);
			id[len] = '\0';
			if (json_object_get(e->seen, id))
				continue;
			if (json_array_size(e->cves) >= MAX_CVES) {
				feed_skipf(s->sink, id, "%s: more than %d CVEs in one entry", e->id, MAX_CVES);
				continue;
			}
			if (json_object_set_new(e->seen, id, json_true()) || json_array_append_new(e->cves, json_string(id)))
				goto nomem;
		} else if (advisory_id(tok, len)) {
			memcpy(id, tok, len);
			id[len] = '\0';
			if (strcmp(id, e->id) != 0 && !json_object_get(e->seen, id) &&
			    (json_object_set_new(e->seen, id, json_true()) ||
			     json_array_append_new(e->aliases, json_string(id))))
				goto nomem;
		} else if (!(len > 3 && memcmp(tok, "VU#", 3) == 0 && all_digits(tok + 3, len - 3))) {
			/* CERT notes (VU#) are valid but name no advisory we keep */
			feed_skipf(s->sink, e->id, "%s: \"%.*s\" is not a CVE, DSA or DLA id", e->id,
				   (int)(len > 60 ? 60 : len), tok);
		}
	}
	return ASEC_OK;
nomem:
	error_set("debian list: out of memory");
	return ASEC_ENOMEM;
}

/* The urgency among a version's notes ("bug #332424; medium"), or NULL. */
static const char *notes_urgency(const char *notes, size_t n)
{
	static const char *const urgencies[] = {"high", "medium", "low", "unimportant"};
	struct cursor c = {notes, notes + n};
	size_t i;

	while (c.p < c.end) {
		const char *part, *semi;
		size_t len;

		skip_spaces(&c);
		part = c.p;
		semi = memchr(part, ';', (size_t)(c.end - part));
		len = (size_t)((semi ? semi : c.end) - part);
		c.p = semi ? semi + 1 : c.end;
		while (len && is_space(part[len - 1]))
			len--;
		for (i = 0; i < sizeof(urgencies) / sizeof(urgencies[0]); i++)
			if (token_is(part, len, urgencies[i]))
				return urgencies[i];
	}
	return NULL;
}

static int set_str(json_t *o, const char *key, const char *value)
{
	return json_object_set_new(o, key, json_string(value));
}

/* "[bullseye] - xorg-server 2:1.20.11-1+deb11u6", "[buster] - foo
 * <not-affected> (reason)", "[jessie] - bar <end-of-life>" */
static int add_package(struct list_state *s, const char *text, size_t n)
{
	struct entry *e = &s->e;
	struct cursor c = {text, text + n};
	const char *tok, *pkg, *ver = NULL, *notes = NULL, *status = "affected", *urgency = NULL;
	size_t len, pkg_len, ver_len = 0, notes_len = 0, i;
	char release[32], package[MAX_PACKAGE_LEN + 1], version[VERSION_MAX_LEN + 1], dist[64];
	char events[MAX_ID_LEN + MAX_REASON_LEN + 8];
	int open = 1, kind = -1;
	json_t *a = NULL;

	release[0] = '\0';
	if (*c.p == '[') {
		const char *close = memchr(c.p, ']', n);

		len = close ? (size_t)(close - c.p - 1) : 0;
		if (!close || len == 0 || len >= sizeof(release) || close + 1 >= c.end || !is_space(close[1])) {
			feed_skipf(s->sink, e->id, "%s: a package line whose release is not \"[name] \"", e->id);
			return ASEC_OK;
		}
		for (i = 0; i < len; i++)
			if (c.p[1 + i] < 'a' || c.p[1 + i] > 'z') {
				feed_skipf(s->sink, e->id, "%s: release \"%.*s\" is not a code name", e->id, (int)len,
					   c.p + 1);
				return ASEC_OK;
			}
		memcpy(release, c.p + 1, len);
		release[len] = '\0';
		c.p = close + 1;
	}
	if ((len = next_token(&c, &tok)) != 1 || *tok != '-') {
		feed_skipf(s->sink, e->id, "%s: a package line without \" - \" before the package", e->id);
		return ASEC_OK;
	}
	pkg_len = next_token(&c, &pkg);
	if (!token_chars(pkg, pkg_len, 0) || pkg_len > MAX_PACKAGE_LEN) {
		feed_skipf(s->sink, e->id, "%s: \"%.*s\" is not a source package name", e->id,
			   (int)(pkg_len > 60 ? 60 : pkg_len), pkg);
		return ASEC_OK;
	}
	memcpy(package, pkg, pkg_len);
	package[pkg_len] = '\0';
	skip_spaces(&c);
	if (c.p < c.end && *c.p != '(')
		ver_len = next_token(&c, &ver);
	skip_spaces(&c);
	if (c.p < c.end) {
		if (*c.p != '(' || c.end[-1] != ')') {
			feed_skipf(s->sink, e->id, "%s: %s: unexpected text after the version", e->id, package);
			return ASEC_OK;
		}
		notes = c.p + 1;
		notes_len = (size_t)(c.end - c.p - 2);
	}

	if (ver && ver_len > 2 && ver[0] == '<' && ver[ver_len - 1] == '>') {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && kind < 0; i++)
			if (token_is(ver + 1, ver_len - 2, kinds[i].kind))
				kind = (int)i;
		if (kind < 0) {
			feed_skipf(s->sink, e->id,
				   "%s: %s: %.*s is not a kind the tracker knows (or an ITP, which has no "
				   "package in the archive)",
				   e->id, package, (int)(ver_len > 40 ? 40 : ver_len), ver);
			return ASEC_OK;
		}
		status = kinds[kind].status;
		open = kinds[kind].open;
		ver = NULL;
	} else if (ver) {
		if (ver_len > VERSION_MAX_LEN || !token_chars(ver, ver_len, 1)) {
			feed_skipf(s->sink, e->id, "%s: %s: \"%.*s\" is not a version", e->id, package,
				   (int)(ver_len > 60 ? 60 : ver_len), ver);
			return ASEC_OK;
		}
		memcpy(version, ver, ver_len);
		version[ver_len] = '\0';
		if (!version_valid_dpkg(version)) {
			feed_skipf(s->sink, e->id, "%s: %s: \"%s\" is not a dpkg version", e->id, package, version);
			return ASEC_OK;
		}
	}
	/* a version or no kind at all (bugs.py: no version means unfixed):
	 * the notes are bug numbers and an urgency */
	if (kind < 0 && notes)
		urgency = notes_urgency(notes, notes_len);

	if (!release[0]) {
		feed_skipf(s->sink, e->id, "%s: %s: a package line without a release", e->id, package);
		return ASEC_OK;
	}
	if (!feed_debian_release(release)) {
		feed_skipf(s->sink, e->id, "%s: %s: release \"%s\" has no Debian release number", e->id, package,
			   release);
		return ASEC_OK;
	}
	if (json_array_size(e->affected) >= FEED_MAX_AFFECTED) {
		feed_skipf(s->sink, e->id, "%s: more than %d package lines", e->id, FEED_MAX_AFFECTED);
		return ASEC_OK;
	}
	feed_distribution_key(dist, sizeof(dist), "debian", release);
	snprintf(events, sizeof(events), "%s: %.*s", e->id, (int)feed_utf8_cut(text, n, MAX_REASON_LEN), text);

	if (!(a = json_object()) || set_str(a, "ecosystem", "deb") || set_str(a, "distribution", dist) ||
	    set_str(a, "package", package) || set_str(a, "packageKind", "source") || set_str(a, "status", status) ||
	    (urgency && (set_str(a, "severity", urgency) ||
			 set_str(a, "normalizedSeverity", feed_normalize_severity(urgency)))))
		goto nomem;
	if (ver || open) {
		json_t *range = json_object(), *ranges = json_array();

		if (!range || !ranges || set_str(range, "introduced", "0") || (ver && set_str(range, "fixed", version)) ||
		    set_str(range, "events", events)) {
			json_decref(range);
			json_decref(ranges);
			goto nomem;
		}
		if (json_array_append_new(ranges, range)) {
			json_decref(ranges);
			goto nomem;
		}
		if (json_object_set_new(a, "ranges", ranges))
			goto nomem;
	}
	if (json_array_append_new(e->affected, a)) {
		a = NULL;
		goto nomem;
	}
	return ASEC_OK;
nomem:
	json_decref(a);
	error_set("debian list: out of memory");
	return ASEC_ENOMEM;
}

/* ---- an entry's records ---- */

static int emit(struct list_state *s, const char *id, json_t *affected)
{
	struct entry *e = &s->e;
	char link[sizeof(TRACKER_LINK) + MAX_ID_LEN];
	json_t *r = json_object(), *aliases = json_array(), *v;
	size_t i;

	snprintf(link, sizeof(link), "%s%s", TRACKER_LINK, e->id);
	if (!r || !aliases || set_str(r, "kind", "advisory") || set_str(r, "id", id) ||
	    json_object_set_new(r, "advisory", json_pack("{s:s, s:s}", "name", e->id, "link", link)) ||
	    set_str(r, "published", e->date) || set_str(r, "normalizedSeverity", "UNKNOWN"))
		goto nomem;
	if (strcmp(id, e->id) != 0 && json_array_append_new(aliases, json_string(e->id)))
		goto nomem;
	json_array_foreach(e->aliases, i, v)
		if (json_array_append(aliases, v))
			goto nomem;
	if (json_array_size(aliases) && json_object_set(r, "aliases", aliases))
		goto nomem;
	feed_copy_text(r, "summary", e->summary);
	json_decref(aliases);
	if (json_object_set_new(r, "affected", affected)) {
		json_decref(r);
		goto nomem_after;
	}
	return s->sink->record(s->sink->ctx, r);
nomem:
	json_decref(r);
	json_decref(aliases);
	json_decref(affected);
nomem_after:
	error_set("debian list: out of memory");
	return ASEC_ENOMEM;
}

/* Turns the entry read so far into its records and forgets it. */
static int flush(struct list_state *s)
{
	struct entry *e = &s->e;
	size_t n_cves, i;
	json_t *cve;
	int rc = ASEC_OK;

	if (!e->active)
		goto out;
	n_cves = json_array_size(e->cves);
	if (json_array_size(e->affected) == 0) {
		feed_skipf(s->sink, e->id, "%s: no package line of a Debian release with a number", e->id);
		goto out;
	}
	if ((n_cves ? n_cves : 1) * json_array_size(e->affected) > MAX_ENTRY_PRODUCT) {
		feed_skipf(s->sink, e->id, "%s: %zu CVEs times %zu package lines is more than %d affected entries",
			   e->id, n_cves, json_array_size(e->affected), MAX_ENTRY_PRODUCT);
		goto out;
	}
	if (n_cves == 0) {
		/* no CVE (a regression update, a new upstream tzdata): the
		 * advisory's own id names the finding */
		rc = emit(s, e->id, json_incref(e->affected));
		goto out;
	}
	json_array_foreach(e->cves, i, cve) {
		/* each record owns its affected list: the sink may keep or
		 * change it */
		json_t *copy = i + 1 == n_cves ? json_incref(e->affected) : json_deep_copy(e->affected);

		if (!copy) {
			error_set("debian list: out of memory");
			rc = ASEC_ENOMEM;
			goto out;
		}
		if ((rc = emit(s, json_string_value(cve), copy)))
			goto out;
	}
out:
	entry_clear(e);
	return rc;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(s, prefix, p) == 0;
}

/* The tracker's files are ASCII: tabs and printable characters only. */
static int printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\t' && ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e))
			return 0;
	return 1;
}

static int on_line(void *ctx, const char *line, size_t n)
{
	struct list_state *s = ctx;
	struct entry *e = &s->e;
	int rc;

	if (starts_with(line, n, "--"))
		return ASEC_OK; /* bugs.py reads these as blank */
	if (!printable(line, n)) {
		/* bugs.py refuses the whole file for one such byte; we refuse
		 * the line, and at column 0 it ends the entry like garbage */
		feed_skipf(s->sink, is_space(line[0]) && e->active ? e->id : "",
			   "a line with a byte that is not printable ASCII: \"%.*s\"", (int)(n > 60 ? 60 : n), line);
		if (!is_space(line[0])) {
			if ((rc = flush(s)))
				return rc;
			s->orphans_reported = 1;
		}
		return ASEC_OK;
	}
	if (!is_space(line[0])) {
		if ((rc = flush(s)))
			return rc;
		if (parse_header(e, line, n)) {
			s->headers++;
			s->orphans_reported = 0;
			return entry_start(e);
		}
		memset(e, 0, sizeof(*e)); /* what parse_header wrote is not an entry */
		if (starts_with(line, n, "begin claimed by ") || starts_with(line, n, "end claimed by ") ||
		    starts_with(line, n, "STOP:"))
			return ASEC_OK; /* the team's bookkeeping between entries */
		feed_skipf(s->sink, "", "not an entry header: \"%.*s\"", (int)feed_utf8_cut(line, n, 60), line);
		s->orphans_reported = 1; /* its indented lines go with it */
		return ASEC_OK;
	}
	if (!e->active) {
		if (!s->orphans_reported)
			feed_skipf(s->sink, "", "indented lines outside any entry: \"%.*s\"",
				   (int)feed_utf8_cut(line, n, 60), line);
		s->orphans_reported = 1;
		return ASEC_OK;
	}
	while (n && is_space(*line))
		line++, n--;
	if (*line == '{')
		return add_xrefs(s, line, n);
	if (*line == '[' || *line == '-')
		return add_package(s, line, n);
	if (starts_with(line, n, "NOTE:") || starts_with(line, n, "TODO:"))
		return ASEC_OK;
	feed_skipf(s->sink, e->id, "%s: an unrecognised line: \"%.*s\"", e->id, (int)feed_utf8_cut(line, n, 60), line);
	return ASEC_OK;
}

int feed_parse_debian_list(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct list_state s;
	int rc;

	(void)name; /* DSA or DLA: every header says which */
	memset(&s, 0, sizeof(s));
	s.sink = sink;
	rc = feed_each_line(data, len, sink, on_line, &s);
	if (!rc)
		rc = flush(&s);
	entry_clear(&s.e);
	if (!rc && s.headers == 0) {
		error_set("debian list: no \"[DD Mon YYYY] DSA-...\" or DLA entry header in the file");
		rc = ASEC_EINVALID;
	}
	return rc;
}
