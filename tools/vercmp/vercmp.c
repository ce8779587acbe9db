/*
 * vercmp.c - asec-vercmp, the version comparators of shared/version as a
 * filter, so that other programs can hold them against the real
 * implementations (dpkg, rpm, packaging, node-semver) in one process each.
 *
 *   asec-vercmp            lines "ECOSYSTEM<TAB>A<TAB>B"  ->  "-1", "0" or "1"
 *   asec-vercmp --valid    lines "ECOSYSTEM<TAB>V"        ->  "1" or "0"
 *
 * ECOSYSTEM is a name version_comparator() knows ("deb", "rpm", "npm",
 * "pypi", ...; "npm" is node-semver's loose mode), or "semver" for strict
 * SemVer 2.0. Whole lines are read into a fixed buffer: a line longer than
 * LINE_MAX_LEN or holding a NUL byte is refused rather than cut, since a cut
 * version would silently be a different version. Versions themselves may be
 * of any length up to that, including past VERSION_MAX_LEN, so the
 * comparators' handling of over-long input can be exercised too.
 *
 * One answer line per input line, in order. Exit codes: 0 all lines
 * answered, 1 a line could not be (the reason and the line number on
 * stderr, nothing printed for it or after it), 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "version/version.h"

#define EXIT_USAGE 2
/* Room for an ecosystem name and two versions well past VERSION_MAX_LEN. */
#define LINE_MAX_LEN (4 * VERSION_MAX_LEN + 64)

typedef int (*vercmp_valid_fn)(const char *v);

static const char usage_text[] =
	"usage: asec-vercmp [--valid] < LINES\n"
	"  Each line ECOSYSTEM<TAB>A<TAB>B prints -1, 0 or 1 (A below, equal to or above B).\n"
	"  With --valid, each line ECOSYSTEM<TAB>V prints 1 when V is a valid version, else 0.\n"
	"  ECOSYSTEM: deb rpm apk npm (loose SemVer) semver (strict) cargo golang pypi maven gem nuget\n"
	"  (--valid: all but npm and maven, which have no validity rule of their own).\n";

static version_compare_fn vercmp_comparator(const char *ecosystem)
{
	if (strcmp(ecosystem, "semver") == 0)
		return version_compare_semver;
	return version_comparator(ecosystem);
}

/* Only ecosystems whose validity rule is the one their comparator parses
 * with; npm's loose grammar has none, so it is left out on purpose. */
static vercmp_valid_fn vercmp_validator(const char *ecosystem)
{
	static const struct {
		const char *ecosystem;
		vercmp_valid_fn valid;
	} table[] = {
		{"deb", version_valid_dpkg},
		{"rpm", version_valid_rpm},
		{"apk", version_valid_apk},
		{"semver", version_valid_semver},
		{"cargo", version_valid_semver},
		{"golang", version_valid_gomod},
		{"pypi", version_valid_pep440},
		{"gem", version_valid_rubygems},
		{"nuget", version_valid_nuget},
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].ecosystem, ecosystem) == 0)
			return table[i].valid;
	return NULL;
}

/*
 * Reads one line without its "\n" into buf (cap bytes, NUL-terminated).
 * Returns 1 for a line, 0 at the end of input, or ASEC_ETOOBIG /
 * ASEC_EINVALID / ASEC_EIO.
 */
static int vercmp_read_line(char *buf, size_t cap, FILE *in)
{
	size_t len = 0;
	int c;

	while ((c = getc(in)) != EOF && c != '\n') {
		if (c == '\0') {
			error_set("NUL byte in line");
			return ASEC_EINVALID;
		}
		if (len + 1 >= cap) {
			error_set("line longer than %zu bytes", cap - 1);
			return ASEC_ETOOBIG;
		}
		buf[len++] = (char)c;
	}
	if (ferror(in)) {
		error_set("reading standard input failed");
		return ASEC_EIO;
	}
	buf[len] = '\0';
	return c == EOF && len == 0 ? 0 : 1;
}

/* Splits line at tabs into exactly nfields fields, in place. */
static int vercmp_split(char **fields, size_t nfields, char *line)
{
	size_t n = 0;
	char *p = line, *tab;

	while ((tab = strchr(p, '\t')) != NULL) {
		if (n + 1 >= nfields) {
			error_set("more than %zu tab-separated fields", nfields);
			return ASEC_EINVALID;
		}
		*tab = '\0';
		fields[n++] = p;
		p = tab + 1;
	}
	fields[n++] = p;
	if (n != nfields) {
		error_set("%zu tab-separated fields where %zu are needed", n, nfields);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* Answers one line: the comparison, or with valid_mode the validity. */
static int vercmp_answer(int *answer, char *line, int valid_mode)
{
	char *fields[3];
	int rc;

	rc = vercmp_split(fields, valid_mode ? 2 : 3, line);
	if (rc)
		return rc;
	if (valid_mode) {
		vercmp_valid_fn valid = vercmp_validator(fields[0]);

		if (!valid) {
			error_set("no validity rule for ecosystem \"%s\"", fields[0]);
			return ASEC_EINVALID;
		}
		*answer = valid(fields[1]) ? 1 : 0;
	} else {
		version_compare_fn compare = vercmp_comparator(fields[0]);
		int r;

		if (!compare) {
			error_set("unknown ecosystem \"%s\"", fields[0]);
			return ASEC_EINVALID;
		}
		r = compare(fields[1], fields[2]);
		*answer = (r > 0) - (r < 0);
	}
	return ASEC_OK;
}

int main(int argc, char **argv)
{
	static char line[LINE_MAX_LEN + 1];
	unsigned long lineno = 0;
	int valid_mode = 0, rc, answer = 0;

	if (argc == 2 && strcmp(argv[1], "--valid") == 0) {
		valid_mode = 1;
	} else if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	} else if (argc != 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}

	for (;;) {
		rc = vercmp_read_line(line, sizeof(line), stdin);
		if (rc == 0)
			break;
		lineno++;
		if (rc > 0)
			rc = vercmp_answer(&answer, line, valid_mode);
		if (rc < 0) {
			fflush(stdout);
			fprintf(stderr, "asec-vercmp: line %lu: %s\n", lineno, error_last());
			return 1;
		}
		printf("%d\n", answer);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "asec-vercmp: writing standard output failed\n");
		return 1;
	}
	return 0;
}
