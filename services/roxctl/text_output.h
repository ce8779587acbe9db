/*
 * text_output.h - the text-making pieces both of roxctl's formatters use
 * (scan_output.c for `image scan`, check_output.c for `image check` and
 * `deployment check`): a growable byte buffer, UTF-8 made safe for a
 * terminal and measured in terminal cells, box tables, the escaping of
 * CSV, XML, URIs and JSON strings, and the SARIF log skeleton.
 *
 * Every string passed in may come from whoever built the image or wrote
 * the policy: nothing here trusts it to be well-formed UTF-8 or free of
 * control characters. Widths come from a small hand-written table, not
 * wcwidth(), so the output never depends on the caller's locale.
 *
 * Appending never fails loudly: a buffer that could not grow is marked
 * failed and ignores what follows, so a formatter writes a whole document
 * and checks once, at the end (text_buf_write).
 */
#ifndef ASEC_ROXCTL_TEXT_OUTPUT_H
#define ASEC_ROXCTL_TEXT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct text_buf {
	char *p; /* NUL-terminated once anything was added; the caller frees it */
	size_t len, cap;
	int failed; /* an allocation failed: the content is incomplete */
};

void text_buf_add(struct text_buf *b, const char *data, size_t n);
void text_buf_str(struct text_buf *b, const char *s);
/* For short numeric fragments and fixed words only: a result longer than
 * 255 bytes marks the buffer failed. */
void text_buf_fmt(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_buf_repeat(struct text_buf *b, char c, size_t n);
/* Empties the buffer, keeping its memory for reuse. */
void text_buf_reset(struct text_buf *b);
/* The content, "" for a buffer never added to. */
const char *text_buf_cstr(const struct text_buf *b);

/*
 * Writes b to out and flushes out (buffered output fails late: only a
 * flush tells whether it all went). what names the output in the error
 * ("scan results"). ASEC_OK; ASEC_ENOMEM when b failed; ASEC_EIO.
 */
int text_buf_write(FILE *out, const struct text_buf *b, const char *what);

/* Which code points may not reach a terminal. BASIC: C0 and C1 controls,
 * DEL, bidirectional marks and overrides, line and paragraph separators.
 * STRICT adds noncharacters (U+FDD0..U+FDEF, U+FFFE, U+FFFF) and the
 * interlinear annotation marks (U+FFF9..U+FFFB). */
enum text_safety {
	TEXT_SAFE_BASIC,
	TEXT_SAFE_STRICT,
};

/*
 * The character at s (n > 0 bytes available): returns its length in bytes
 * (1 for a malformed or truncated sequence) and sets *width to its
 * terminal columns: -1 for one that must not be shown (and for malformed
 * UTF-8), 0 for combining marks and zero-width characters, 2 for East
 * Asian wide and emoji, else 1.
 */
size_t text_char(const char *s, size_t n, enum text_safety safety, int *width);

/* Appends n bytes of s as terminal-safe text (what must not be shown
 * becomes '?'); returns the width written, in columns. */
size_t text_terminal(struct text_buf *b, const char *s, size_t n, enum text_safety safety);

/* As text_terminal for all of s, but no wider than max columns (0: no
 * limit): text that does not fit is cut at a character boundary and ends
 * in "...". */
size_t text_terminal_cut(struct text_buf *b, const char *s, size_t max, enum text_safety safety);

/* Appends s with every malformed UTF-8 sequence replaced by U+FFFD. */
void text_utf8_repair(struct text_buf *b, const char *s);

/* ANSI colour for a severity rank, 0 (lowest) to 3 (critical); ranks
 * beyond 3 get the colour of 3. TEXT_COLOUR_OFF ends it. */
const char *text_colour(unsigned rank);
#define TEXT_COLOUR_OFF "\x1b[0m"

/* A box table's horizontal line: "+" then each column's width plus two
 * (its padding) in '-', except the first blank_columns in ' ' (cells that
 * continue from the row above). */
void text_table_border(struct text_buf *b, const size_t *widths, size_t columns, size_t blank_columns);

/* One cell's text (text_width columns wide) centred in width columns,
 * then " |"; colour (NULL: none) wraps non-empty text. */
void text_table_cell(struct text_buf *b, const char *text, size_t text_width, size_t width, const char *colour);

/* A CSV field quoted the way Go's encoding/csv (and so StackRox) does:
 * only when it holds a comma, quote, CR or LF, starts with a blank, or is
 * "\.". */
void text_csv_field(struct text_buf *b, const char *s);

/* XML text or attribute value: markup escaped, line breaks and tabs as
 * character references (kept in attributes too), and what XML 1.0 cannot
 * hold (other controls, U+FFFE, U+FFFF) or malformed UTF-8 as '?'. */
void text_xml(struct text_buf *b, const char *s);

/* A character that may stand unencoded in a URI path (unreserved,
 * sub-delims, ':', '@', '/'). */
bool text_uri_plain_char(unsigned char c);

/* Appends s percent-encoded where a URI path cannot hold a character;
 * colons before colon_end (a pointer into s; s itself: none) are encoded
 * too, so that a first segment cannot read as a scheme. */
void text_uri_encode(struct text_buf *b, const char *s, const char *colon_end);

/* Index of name in names[0..n) (any case), after cutting suffix (NULL:
 * none) from its end; -1 when none matches or name is NULL. */
int text_name_index(const char *name, const char *suffix, const char *const *names, size_t n);

/* A string member of obj, or "" when it is absent or not a string. */
const char *text_json_str(const json_t *obj, const char *key);

/* A JSON string of s; malformed UTF-8 (possible only in a tree built
 * without checks) becomes U+FFFD instead of failing the output. NULL only
 * when out of memory. */
json_t *text_json_string(const char *s);

/*
 * Dumps root (taking it) to out, indented, keys in insertion order, plus
 * flags, then a newline. The trees are built with json_pack()'s "o",
 * which releases what it took when it fails and fails on a NULL: so an
 * allocation that failed anywhere below shows up as a NULL root, which is
 * reported as ASEC_ENOMEM. ASEC_EIO when writing fails.
 */
int text_json_dump(FILE *out, json_t *root, size_t flags, const char *what);

/* The SARIF 2.1.0 log of one roxctl run holding rules and results (both
 * borrowed); tool_version NULL: this build's. NULL when out of memory. */
json_t *text_sarif_log(json_t *rules, json_t *results, const char *tool_version);

/* One SARIF result at line 1 of the artifact uri; message is taken (NULL
 * makes the result NULL). NULL when out of memory. */
json_t *text_sarif_result(const char *rule_id, size_t rule_index, const char *level, json_t *message,
			  const char *uri);

#endif
