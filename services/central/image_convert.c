/*
 * image_convert.c - the StackRox Image from an index report and a
 * vulnerability report (see image_convert.h; docs/images.md tells users what
 * each field means and where it comes from).
 *
 * Three ideas carry the file.
 *
 * The reports are outside input even though our own services wrote them: a
 * value of the wrong type reads as absent (the getters below never trust a
 * type), and every string or list copied into the Image is cut at a bound,
 * strings on a UTF-8 character boundary, so one odd report cannot make an
 * Image too large to store or answer.
 *
 * Output order never depends on the order of keys in the reports. Components
 * and their vulnerabilities are first gathered into C arrays together with
 * their sort keys (pointers into the strings already emitted), sorted with
 * total orders, and only then placed into the Image; the same reports always
 * give the same Image.
 *
 * jansson setters fail only when memory runs out; rather than test each of
 * the hundreds of them, the builder records a failure in one flag (b->oom)
 * and the entry point turns it into ASEC_ENOMEM once, at the end.
 */
#include "image_convert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cvss/cvss.h"
#include "error/error.h"
#include "version/version.h"

/* Bounds on what is copied from the reports. Generous for real images
 * (Debian's largest package descriptions are near 4 KiB; a fat image has
 * some 5,000 packages), small enough that a hostile report stays cheap. */
#define CONV_MAX_ID 512            /* names, versions, ids, vectors, digests */
#define CONV_MAX_LINK 2048
#define CONV_MAX_TEXT 8192         /* summary, explanation, layer values */
#define CONV_MAX_REMARK 1024
#define CONV_MAX_REMARKS 100
#define CONV_MAX_COMPONENTS 50000
#define CONV_MAX_PKG_VULNS 2048    /* findings of one package */
#define CONV_MAX_VULNS 500000      /* findings over the whole image */
#define CONV_MAX_LAYERS 1024       /* layerShas, and history entries */
#define CONV_MAX_LIST 256          /* cmd, entrypoint, volumes */
#define CONV_MAX_LABELS 512
#define CONV_MAX_METRICS 16        /* cvssMetrics entries of one finding */
#define CONV_MAX_ALIASES 64
#define CONV_MAX_CWES 32

/* StackRox's severities, in rising order; the index is the rank. */
static const char *const severity_names[] = {
	"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY", "MODERATE_VULNERABILITY_SEVERITY",
	"IMPORTANT_VULNERABILITY_SEVERITY", "CRITICAL_VULNERABILITY_SEVERITY",
};

struct conv_vuln {
	json_t *obj;        /* the EmbeddedVulnerability */
	const char *cve;    /* inside obj */
	const char *source; /* dataSource inside obj, "" when none */
	const char *link;
	int severity;       /* index into severity_names */
	double cvss;
	int fixable, exploited;
};

struct conv_component {
	json_t *obj;
	const char *name, *version, *location, *source; /* inside obj */
	long layer;                                     /* -1: unknown */
	const char *ecosystem;                          /* for version ordering; NULL unknown */
	struct conv_vuln *vulns;
	size_t vuln_count;
};

/* One distinct CVE over the image: the worst of its records. */
struct conv_cve {
	const char *cve;
	int severity;
	double cvss;
	int fixable, exploited;
};

struct conv {
	const struct image_convert_input *in;
	const json_t *contents, *vulnerabilities, *package_vulns;
	json_t *layer_of_digest; /* layer digest -> index in metadata.v1.layers */
	struct conv_component *comps;
	size_t comp_count;
	size_t vulns_total;
	int truncated; /* something was left out for a bound: PARTIAL_SCAN_DATA */
	json_t *remarks;
	int oom;
};

/* ---- reading the reports without trusting them ------------------------------------------- */

static const json_t *get(const json_t *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static const json_t *get_object(const json_t *obj, const char *key)
{
	const json_t *v = get(obj, key);
	return json_is_object(v) ? v : NULL;
}

static const json_t *get_array(const json_t *obj, const char *key)
{
	const json_t *v = get(obj, key);
	return json_is_array(v) ? v : NULL;
}

/* The string at key, NULL when absent or not a string. */
static const char *get_str(const json_t *obj, const char *key)
{
	return json_string_value(get(obj, key));
}

/* The string at key when it is non-empty, else NULL. */
static const char *get_text(const json_t *obj, const char *key)
{
	const char *s = get_str(obj, key);
	return s && s[0] ? s : NULL;
}

/* How many bytes of s[0..len) to keep so that at most max remain and a
 * UTF-8 sequence is never split (jansson refuses broken UTF-8). */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* A new JSON string of s cut to max bytes; NULL (and b->oom) when out of memory. */
static json_t *mk_str(struct conv *b, const char *s, size_t max)
{
	json_t *v;
	size_t len = strlen(s);

	v = json_stringn(s, utf8_cut(s, len, max));
	if (!v)
		b->oom = 1;
	return v;
}

/* obj[key] = v (stolen); a NULL v means a failed allocation before. */
static void put(struct conv *b, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v))
		b->oom = 1;
}

static void put_str(struct conv *b, json_t *obj, const char *key, const char *s, size_t max)
{
	put(b, obj, key, mk_str(b, s ? s : "", max));
}

static void append(struct conv *b, json_t *array, json_t *v)
{
	if (!v || json_array_append_new(array, v))
		b->oom = 1;
}

/* The number in v when it is one (integer or real), else NAN. */
static double get_number(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A list of strings from an array of anything: non-strings are skipped. */
static json_t *string_list(struct conv *b, const json_t *array, size_t max_items, size_t max_len)
{
	json_t *out = json_array(), *v;
	size_t i, n = 0;

	if (!out) {
		b->oom = 1;
		return NULL;
	}
	json_array_foreach((json_t *)array, i, v) {
		if (!json_is_string(v))
			continue;
		if (n++ == max_items) {
			b->truncated = 1;
			break;
		}
		append(b, out, mk_str(b, json_string_value(v), max_len));
	}
	return out;
}

/* ---- time ------------------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Unix milliseconds of an RFC 3339 time ("2024-05-02T09:14:27.123456Z",
 * "...+02:00", "t"/" " for "T", "z" for "Z") or of a bare date
 * ("2024-05-02", taken as midnight UTC: advisories often give only the day).
 * Leap seconds (":60") are refused rather than guessed at.
 */
static int parse_time(int64_t *out, const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0, oh, om;
	const char *p;

	if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
		return 0;
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return 0;
	p = s + 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return 0;
		if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
		    !digits(p + 7, 2, &sec) || h > 23 || mi > 59 || sec > 59)
			return 0;
		p += 9;
		if (*p == '.') {
			int n = 0;
			for (p++; *p >= '0' && *p <= '9'; p++, n++)
				if (n < 3)
					ms = ms * 10 + (*p - '0');
			if (n == 0)
				return 0;
			for (; n < 3; n++)
				ms *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return 0;
			off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			return 0;
		}
		if (*p)
			return 0;
	}
	*out = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) - off * 60) * 1000 + ms;
	return 1;
}

/* RFC 3339 UTC; with milliseconds always (with_ms) or only when not zero.
 * Fails for years outside 1000-9999, which date-time cannot write. */
static int format_time(char *buf, size_t size, int64_t ms, int with_ms)
{
	int64_t days, rem, y;
	unsigned m, d;
	int frac;

	if (ms < -30610224000000LL || ms > 253402300799999LL) /* 1000-01-01 .. 9999-12-31 */
		return 0;
	days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	rem = ms - days * 86400000;
	civil_from_days(days, &y, &m, &d);
	frac = (int)(rem % 1000);
	rem /= 1000;
	/* the moduli only tell the compiler the bounds the range check above
	 * already guarantees, so that it sees the text fits */
	if (with_ms || frac)
		snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)(y % 10000), m % 13, d % 32,
			 (int)(rem / 3600 % 24), (int)(rem / 60 % 60), (int)(rem % 60), frac % 1000);
	else
		snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)(y % 10000), m % 13, d % 32,
			 (int)(rem / 3600 % 24), (int)(rem / 60 % 60), (int)(rem % 60));
	return 1;
}

/* obj[key] = the time s normalised to UTC; left out when s is no time. */
static void put_time(struct conv *b, json_t *obj, const char *key, const char *s)
{
	int64_t ms;
	char buf[40];

	if (s && parse_time(&ms, s) && format_time(buf, sizeof(buf), ms, 0))
		put(b, obj, key, json_string(buf));
}

/* ---- metadata: the image config ------------------------------------------------------------- */

static const char *const instructions[] = {
	"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL",
	"MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
};

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Length of s without trailing white space. */
static size_t trimmed_len(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

#define SHELL_PREFIX "/bin/sh -c "
#define NOP_PREFIX "/bin/sh -c #(nop)"
#define BUILDKIT_SUFFIX "# buildkit"

/*
 * The Dockerfile instruction and its argument from a history entry's
 * created_by, as StackRox shows them:
 *   classic builder, metadata   "/bin/sh -c #(nop)  CMD [\"bash\"]"  -> CMD  ["bash"]
 *   classic builder, a command  "/bin/sh -c apt-get update"          -> RUN  apt-get update
 *   BuildKit                    "RUN /bin/sh -c apt-get update # buildkit" -> RUN apt-get update
 *                               "COPY app /app # buildkit"            -> COPY app /app
 * The shell prefix is dropped from RUN so both builders read alike. Text
 * that fits none of these keeps instruction "" and the whole text as value
 * (images built by other tools write free text here).
 */
static void parse_created_by(const char **instr, const char **value, size_t *value_len, const char *s)
{
	size_t n, w, i;

	*instr = "";
	s = skip_space(s);
	n = trimmed_len(s, strlen(s));
	if (n >= strlen(NOP_PREFIX) && strncmp(s, NOP_PREFIX, strlen(NOP_PREFIX)) == 0) {
		const char *r = skip_space(s + strlen(NOP_PREFIX));
		n -= (size_t)(r - s);
		s = r;
		for (w = 0; w < n && s[w] != ' ' && s[w] != '\t'; w++)
			;
		for (i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++)
			if (strlen(instructions[i]) == w && strncmp(s, instructions[i], w) == 0)
				*instr = instructions[i];
		if (**instr) {
			r = skip_space(s + w);
			n -= (size_t)(r - s);
			s = r;
		}
		*value = s;
		*value_len = n;
		return;
	}
	if (n >= strlen(SHELL_PREFIX) && strncmp(s, SHELL_PREFIX, strlen(SHELL_PREFIX)) == 0) {
		*instr = "RUN";
		*value = skip_space(s + strlen(SHELL_PREFIX));
		*value_len = n - (size_t)(*value - s);
		return;
	}
	/* BuildKit: "<INSTRUCTION> <argument> # buildkit" */
	if (n >= strlen(BUILDKIT_SUFFIX) && strncmp(s + n - strlen(BUILDKIT_SUFFIX), BUILDKIT_SUFFIX,
						     strlen(BUILDKIT_SUFFIX)) == 0)
		n = trimmed_len(s, n - strlen(BUILDKIT_SUFFIX));
	for (w = 0; w < n && s[w] != ' ' && s[w] != '\t'; w++)
		;
	for (i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++)
		if (strlen(instructions[i]) == w && strncmp(s, instructions[i], w) == 0)
			*instr = instructions[i];
	if (**instr) {
		const char *r = skip_space(s + w);
		n -= (size_t)(r - s);
		s = r;
		if (strcmp(*instr, "RUN") == 0 && n >= strlen(SHELL_PREFIX) &&
		    strncmp(s, SHELL_PREFIX, strlen(SHELL_PREFIX)) == 0) {
			r = skip_space(s + strlen(SHELL_PREFIX));
			n -= (size_t)(r - s);
			s = r;
		}
	}
	*value = s;
	*value_len = n;
}

static int compare_json_strings(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sorts an array of strings in place (for output that does not depend on key order). */
static void sort_strings(struct conv *b, json_t *array)
{
	size_t n = json_array_size(array), i;
	json_t **items;

	if (n < 2)
		return;
	if (!(items = malloc(n * sizeof(*items)))) {
		b->oom = 1;
		return;
	}
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(array, i));
	qsort(items, n, sizeof(*items), compare_json_strings);
	json_array_clear(array);
	for (i = 0; i < n; i++)
		append(b, array, items[i]);
	free(items);
}

/* The Docker config writes Volumes as an object whose keys are the paths;
 * the indexer may pass a list. Either way a sorted list comes out. */
static json_t *volume_list(struct conv *b, const json_t *v)
{
	const char *key;
	json_t *val, *out;
	size_t n = 0;

	if (!json_is_object(v))
		return string_list(b, v, CONV_MAX_LIST, CONV_MAX_ID);
	if (!(out = json_array())) {
		b->oom = 1;
		return NULL;
	}
	json_object_foreach((json_t *)v, key, val) {
		(void)val;
		if (n++ == CONV_MAX_LIST) {
			b->truncated = 1;
			break;
		}
		append(b, out, mk_str(b, key, CONV_MAX_ID));
	}
	sort_strings(b, out);
	return out;
}

/*
 * metadata.v1 from the config, metadata.v2 and layerShas from the manifest.
 * Records in b->layer_of_digest which v1 layer made each layer digest: the
 * k-th non-empty history entry made the k-th layer of the manifest, which
 * is how Docker builds both lists.
 */
static json_t *build_metadata(struct conv *b, const json_t *image, const char *digest, int *no_config)
{
	const json_t *config = get_object(image, "config"), *layers = get_array(image, "layers");
	const json_t *history = get_array(config, "history"), *labels = get_object(config, "labels");
	json_t *md = json_object(), *v1 = json_object(), *v1_layers = json_array(), *shas = json_array();
	json_t *entry;
	size_t i, made = 0, n = 0;

	if (!md || !v1 || !v1_layers || !shas) {
		b->oom = 1;
		json_decref(md);
		json_decref(v1);
		json_decref(v1_layers);
		json_decref(shas);
		return NULL;
	}
	*no_config = !config;
	json_array_foreach((json_t *)layers, i, entry) {
		const char *d = get_text(entry, "digest");
		if (!d)
			continue;
		if (n++ == CONV_MAX_LAYERS) {
			b->truncated = 1;
			break;
		}
		append(b, shas, mk_str(b, d, CONV_MAX_ID));
	}
	n = 0;
	json_array_foreach((json_t *)history, i, entry) {
		json_t *layer;
		const char *created_by, *instr, *value, *author;
		size_t value_len;
		int empty;
		const json_t *e;

		if (!json_is_object(entry))
			continue;
		if (n++ == CONV_MAX_LAYERS) {
			b->truncated = 1;
			break;
		}
		/* The indexer writes camelCase; a raw Docker config snake_case. */
		created_by = get_str(entry, "createdBy");
		if (!created_by)
			created_by = get_str(entry, "created_by");
		e = get(entry, "emptyLayer");
		if (!e)
			e = get(entry, "empty_layer");
		empty = json_is_true(e);
		parse_created_by(&instr, &value, &value_len, created_by ? created_by : "");
		if (!(layer = json_object())) {
			b->oom = 1;
			break;
		}
		put(b, layer, "instruction", json_string(instr));
		put(b, layer, "value", json_stringn(value, utf8_cut(value, value_len, CONV_MAX_TEXT)));
		put_time(b, layer, "created", get_str(entry, "created"));
		author = get_str(entry, "author");
		put_str(b, layer, "author", author, CONV_MAX_ID);
		put(b, layer, "empty", json_boolean(empty));
		if (!empty) {
			json_t *shav = json_array_get(shas, made++);
			/* The first occurrence wins: an identical layer twice is one digest. */
			if (shav && !json_object_get(b->layer_of_digest, json_string_value(shav)))
				put(b, b->layer_of_digest, json_string_value(shav),
				    json_integer((json_int_t)json_array_size(v1_layers)));
		}
		append(b, v1_layers, layer);
	}

	if (config) {
		const char *key;
		json_t *val;
		size_t nl = 0;
		json_t *lab = json_object();

		if (get_text(config, "digest"))
			put_str(b, v1, "digest", get_text(config, "digest"), CONV_MAX_ID);
		put_time(b, v1, "created", get_str(config, "created"));
		if (get_str(config, "author"))
			put_str(b, v1, "author", get_str(config, "author"), CONV_MAX_ID);
		if (get_str(config, "user"))
			put_str(b, v1, "user", get_str(config, "user"), CONV_MAX_ID);
		put(b, v1, "command", string_list(b, get_array(config, "cmd"), CONV_MAX_LIST, CONV_MAX_TEXT));
		put(b, v1, "entrypoint", string_list(b, get_array(config, "entrypoint"), CONV_MAX_LIST, CONV_MAX_TEXT));
		put(b, v1, "volumes", volume_list(b, get(config, "volumes")));
		if (!lab)
			b->oom = 1;
		json_object_foreach((json_t *)labels, key, val) {
			if (!json_is_string(val) || strlen(key) > CONV_MAX_ID)
				continue;
			if (nl++ == CONV_MAX_LABELS) {
				b->truncated = 1;
				break;
			}
			if (lab)
				put(b, lab, key, mk_str(b, json_string_value(val), CONV_MAX_TEXT));
		}
		put(b, v1, "labels", lab);
	}
	put(b, v1, "layers", v1_layers);
	put(b, md, "v1", v1);
	put(b, md, "v2", json_pack("{s:s%}", "digest", digest, strlen(digest)));
	put(b, md, "layerShas", shas);
	if (b->in->registry_source_id && b->in->registry_source_name)
		put(b, md, "dataSource",
		    json_pack("{s:s, s:s}", "id", b->in->registry_source_id, "name", b->in->registry_source_name));
	return md;
}

/* ---- where a package comes from ---------------------------------------------------------------- */

struct language {
	const char *repository; /* the indexer's repository name (report.c) */
	const char *purl;       /* purl type prefix */
	const char *ecosystem;  /* version ordering (shared/version) */
	const char *source;     /* ImageComponent.source */
};

static const struct language languages[] = {
	{"npm", "pkg:npm/", "npm", "NODEJS"},
	{"pypi", "pkg:pypi/", "pypi", "PYTHON"},
	{"maven", "pkg:maven/", "maven", "JAVA"},
	{"go", "pkg:golang/", "golang", "GO"},
	{"rubygems", "pkg:gem/", "gem", "RUBY"},
	{"nuget", "pkg:nuget/", "nuget", "DOTNETCORERUNTIME"},
	{"crates.io", "pkg:cargo/", "cargo", "RUST"},
	{"packagist", "pkg:composer/", "composer", "PHP"},
};

static const char *os_ecosystem_of_did(const char *did)
{
	static const char *const rpm_family[] = {"rhel", "centos", "rocky", "almalinux", "fedora", "ol", "amzn",
						 "opensuse-leap", "sles", "photon", "mariner", "azurelinux"};
	size_t i;

	if (!did)
		return NULL;
	if (strcmp(did, "debian") == 0 || strcmp(did, "ubuntu") == 0)
		return "deb";
	if (strcmp(did, "alpine") == 0 || strcmp(did, "wolfi") == 0 || strcmp(did, "chainguard") == 0)
		return "apk";
	for (i = 0; i < sizeof(rpm_family) / sizeof(rpm_family[0]); i++)
		if (strcmp(did, rpm_family[i]) == 0)
			return "rpm";
	return NULL;
}

static const char *os_ecosystem_of_purl(const char *purl)
{
	if (!purl)
		return NULL;
	if (strncmp(purl, "pkg:deb/", 8) == 0)
		return "deb";
	if (strncmp(purl, "pkg:rpm/", 8) == 0)
		return "rpm";
	if (strncmp(purl, "pkg:apk/", 8) == 0)
		return "apk";
	return NULL;
}

/*
 * The component's source and version ecosystem. The order follows the
 * matcher's (services/scanner-matcher/matcher.c describe_package): a
 * distribution makes it an OS package; else its repository names the
 * language; else its purl. A package none of these place is reported as
 * OS, StackRox's default, with no known version ordering.
 */
static void package_origin(const char **source, const char **ecosystem, const json_t *contents, const json_t *pkg,
			   const json_t *env)
{
	const char *dist_id = get_text(env, "distributionId"), *purl = get_str(pkg, "purl");
	const json_t *dist = dist_id ? get_object(get_object(contents, "distributions"), dist_id) : NULL;
	const json_t *repo_ids = get_array(env, "repositoryIds"), *rid;
	size_t i, j;

	*source = "OS";
	*ecosystem = NULL;
	if (dist) {
		*ecosystem = os_ecosystem_of_did(get_str(dist, "did"));
		if (!*ecosystem)
			*ecosystem = os_ecosystem_of_purl(purl);
		return;
	}
	json_array_foreach((json_t *)repo_ids, i, rid) {
		const char *id = json_string_value(rid);
		const char *name = id ? get_str(get_object(get_object(contents, "repositories"), id), "name") : NULL;
		for (j = 0; name && j < sizeof(languages) / sizeof(languages[0]); j++)
			if (strcmp(name, languages[j].repository) == 0) {
				*source = languages[j].source;
				*ecosystem = languages[j].ecosystem;
				return;
			}
		if (i >= 8)
			break;
	}
	for (j = 0; purl && j < sizeof(languages) / sizeof(languages[0]); j++)
		if (strncmp(purl, languages[j].purl, strlen(languages[j].purl)) == 0) {
			*source = languages[j].source;
			*ecosystem = languages[j].ecosystem;
			return;
		}
	*ecosystem = os_ecosystem_of_purl(purl);
}

/* A fallback order for versions of an ecosystem without a comparator: runs
 * of digits compare as numbers, everything else byte by byte. */
static int compare_natural(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *ea, *eb;
			size_t la, lb;
			int c;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			for (ea = a; *ea >= '0' && *ea <= '9'; ea++)
				;
			for (eb = b; *eb >= '0' && *eb <= '9'; eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			if ((c = strncmp(a, b, la)))
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int compare_versions(const char *ecosystem, const char *a, const char *b)
{
	version_compare_fn cmp = ecosystem ? version_comparator(ecosystem) : NULL;
	int c = cmp ? cmp(a, b) : compare_natural(a, b);

	/* Equal by the ecosystem's rule ("1.0" and "1.0.0") but different
	 * text: the text decides, so the result does not depend on order. */
	return c ? c : strcmp(a, b);
}

/* ---- one finding --------------------------------------------------------------------------------- */

static int severity_rank(const char *normalized)
{
	static const char *const words[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	size_t i;

	for (i = 0; normalized && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(normalized, words[i]) == 0)
			return (int)i;
	return 0;
}

/* When the matcher has no severity: the CVSS rating of the chosen score. */
static int severity_of_score(double score, const char *version)
{
	const char *r = cvss_rating(score, version);

	if (!r)
		return 0;
	if (strcmp(r, "CRITICAL") == 0)
		return 4;
	if (strcmp(r, "HIGH") == 0)
		return 3;
	if (strcmp(r, "MEDIUM") == 0)
		return 2;
	if (strcmp(r, "LOW") == 0)
		return 1;
	return 0;
}

/* One score of a cvssMetrics entry that we can use. */
struct score {
	const json_t *metric; /* the entry */
	const char *vector;
	double value;
	struct cvss_result parsed; /* version[0] == 0 when the vector did not parse */
};

/* The score under slot ("v2", "v3", "v4") of a metric entry: its baseScore
 * when in range, else the vector's computed score; 0 when neither works. */
static int read_score(struct score *out, const json_t *metric, const char *slot)
{
	const json_t *s = get_object(metric, slot);
	const char *vector = get_str(s, "vector");
	double v = get_number(get(s, "baseScore"));

	memset(out, 0, sizeof(*out));
	if (!s)
		return 0;
	if (vector && strlen(vector) < CVSS_MAX_VECTOR && cvss_parse(&out->parsed, vector) != ASEC_OK)
		memset(&out->parsed, 0, sizeof(out->parsed));
	if (!(v >= 0 && v <= 10)) {
		if (!out->parsed.version[0])
			return 0;
		v = out->parsed.base_score;
	}
	out->metric = metric;
	out->vector = vector ? vector : "";
	out->value = v;
	return 1;
}

static int is_nvd(const json_t *metric)
{
	const char *s = get_str(metric, "source");
	return s && strcasecmp(s, "NVD") == 0;
}

/* The first usable score in slot from NVD (nvd) or from anyone else (!nvd). */
static int pick_score(struct score *out, const json_t *metrics, const char *slot, int nvd)
{
	size_t i;
	json_t *m;

	json_array_foreach((json_t *)metrics, i, m) {
		if (i >= CONV_MAX_METRICS)
			break;
		if (is_nvd(m) == nvd && read_score(out, m, slot))
			return 1;
	}
	return 0;
}

/* The StackRox words for a v3 base metric value. */
static const char *v3_word(char metric, char value)
{
	switch (metric) {
	case 'V': /* AV */
		return value == 'N' ? "ATTACK_NETWORK" : value == 'A' ? "ATTACK_ADJACENT" : value == 'L' ? "ATTACK_LOCAL"
		       : value == 'P'                                  ? "ATTACK_PHYSICAL"
									: NULL;
	case 'X': /* AC */
		return value == 'L' ? "COMPLEXITY_LOW" : value == 'H' ? "COMPLEXITY_HIGH" : NULL;
	case 'R': /* PR */
		return value == 'N' ? "PRIVILEGE_NONE" : value == 'L' ? "PRIVILEGE_LOW" : value == 'H' ? "PRIVILEGE_HIGH" : NULL;
	case 'U': /* UI */
		return value == 'N' ? "UI_NONE" : value == 'R' ? "UI_REQUIRED" : NULL;
	case 'S':
		return value == 'U' ? "UNCHANGED" : value == 'C' ? "CHANGED" : NULL;
	default: /* C, I, A */
		return value == 'N' ? "IMPACT_NONE" : value == 'L' ? "IMPACT_LOW" : value == 'H' ? "IMPACT_HIGH" : NULL;
	}
}

/*
 * cvssV3 with the vector's base metrics in StackRox's words. Only for a
 * vector cvss_parse() accepted as 3.x, so every metric is known present and
 * well-formed; the split below only names the values, it checks nothing.
 */
static json_t *cvss_v3_object(struct conv *b, const struct score *s)
{
	static const struct { const char *key, *field; char code; } map[] = {
		{"AV:", "attackVector", 'V'},	  {"AC:", "attackComplexity", 'X'}, {"PR:", "privilegesRequired", 'R'},
		{"UI:", "userInteraction", 'U'},  {"S:", "scope", 'S'},		    {"C:", "confidentiality", 'C'},
		{"I:", "integrity", 'I'},	  {"A:", "availability", 'A'},
	};
	const char *rating = cvss_rating(s->value, "3.1");
	json_t *o = json_object();
	size_t i;

	if (!o) {
		b->oom = 1;
		return NULL;
	}
	put_str(b, o, "vector", s->vector, CONV_MAX_ID);
	put(b, o, "score", json_real(s->value));
	put(b, o, "severity", json_string(rating ? rating : "UNKNOWN"));
	if (s->parsed.version[0] != '3')
		return o;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t kl = strlen(map[i].key);
		const char *p = s->vector;
		while ((p = strchr(p, '/'))) {
			p++;
			if (strncmp(p, map[i].key, kl) == 0) {
				const char *w = v3_word(map[i].code, p[kl]);
				if (w)
					put(b, o, map[i].field, json_string(w));
				break;
			}
		}
	}
	return o;
}

static json_t *cvss_v2_object(struct conv *b, const struct score *s)
{
	const char *rating = cvss_rating(s->value, "2.0");
	json_t *o = json_pack("{s:s%, s:f, s:s}", "vector", s->vector,
			      utf8_cut(s->vector, strlen(s->vector), CONV_MAX_ID), "score", s->value, "severity",
			      rating ? rating : "UNKNOWN");

	if (!o)
		b->oom = 1;
	return o;
}

/* Scores to one decimal, as every source writes them; sums of doubles
 * would otherwise print as 7.499999999. */
static double tenth(double v)
{
	return round(v * 10) / 10;
}

/*
 * cvss, scoreVersion, cvssV3, cvssV2, nvdCvss and cvssMetrics of a finding.
 * The score shown is the vendor's v3, then NVD's v3, then v4 (vendor,
 * NVD), then v2 (vendor, NVD): distributions rate for their own builds, and
 * v3 is what StackRox's cvss has always meant.
 */
static void put_scores(struct conv *b, json_t *vo, const json_t *metrics, double *cvss_out, const char **version_out)
{
	static const struct { const char *slot, *word; int nvd; } order[] = {
		{"v3", "V3", 0}, {"v3", "V3", 1}, {"v4", "V4", 0}, {"v4", "V4", 1}, {"v2", "V2", 0}, {"v2", "V2", 1},
	};
	struct score s, v3, v2;
	json_t *list, *m;
	size_t i;
	int have_v2;

	*cvss_out = 0;
	*version_out = NULL;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (pick_score(&s, metrics, order[i].slot, order[i].nvd)) {
			*cvss_out = tenth(s.value);
			*version_out = order[i].slot[1] == '3' ? "3.1" : order[i].slot[1] == '4' ? "4.0" : "2.0";
			put(b, vo, "cvss", json_real(*cvss_out));
			put(b, vo, "scoreVersion", json_string(order[i].word));
			break;
		}
	if (!*version_out) {
		put(b, vo, "cvss", json_real(0));
		put(b, vo, "scoreVersion", json_string("UNKNOWN_VERSION"));
	}
	if (pick_score(&v3, metrics, "v3", 0) || pick_score(&v3, metrics, "v3", 1)) {
		v3.value = tenth(v3.value);
		put(b, vo, "cvssV3", cvss_v3_object(b, &v3));
	}
	have_v2 = pick_score(&v2, metrics, "v2", 0) || pick_score(&v2, metrics, "v2", 1);
	if (have_v2) {
		v2.value = tenth(v2.value);
		put(b, vo, "cvssV2", cvss_v2_object(b, &v2));
	}
	if (pick_score(&s, metrics, "v3", 1) || pick_score(&s, metrics, "v4", 1) || pick_score(&s, metrics, "v2", 1))
		put(b, vo, "nvdCvss", json_real(tenth(s.value)));

	if (!(list = json_array())) {
		b->oom = 1;
		return;
	}
	json_array_foreach((json_t *)metrics, i, m) {
		static const char *const slots[][2] = {{"v2", "V2"}, {"v3", "V3"}, {"v4", "V4"}};
		size_t k;
		if (i >= CONV_MAX_METRICS) {
			b->truncated = 1;
			break;
		}
		for (k = 0; k < 3; k++) {
			json_t *e;
			if (!read_score(&s, m, slots[k][0]))
				continue;
			if (!(e = json_object())) {
				b->oom = 1;
				break;
			}
			put_str(b, e, "source", get_str(m, "source"), CONV_MAX_ID);
			put(b, e, "version", json_string(slots[k][1]));
			put(b, e, "score", json_real(tenth(s.value)));
			put_str(b, e, "vector", s.vector, CONV_MAX_ID);
			if (get_text(m, "url"))
				put_str(b, e, "url", get_text(m, "url"), CONV_MAX_LINK);
			append(b, list, e);
		}
	}
	put(b, vo, "cvssMetrics", list);
}

/* The page that best explains a finding: the advisory's, else the first
 * scoring page, else NVD for a CVE or GitHub for a GHSA, else "". */
static void put_link(struct conv *b, json_t *vo, const json_t *v, const char *cve)
{
	const char *link = get_text(get_object(v, "advisory"), "link");
	const json_t *metrics = get_array(v, "cvssMetrics"), *m;
	char buf[CONV_MAX_ID + 64];
	size_t i;

	json_array_foreach((json_t *)metrics, i, m) {
		if (link || i >= CONV_MAX_METRICS)
			break;
		link = get_text(m, "url");
	}
	if (!link && strncmp(cve, "CVE-", 4) == 0) {
		snprintf(buf, sizeof(buf), "https://nvd.nist.gov/vuln/detail/%s", cve);
		link = buf;
	} else if (!link && strncmp(cve, "GHSA-", 5) == 0) {
		snprintf(buf, sizeof(buf), "https://github.com/advisories/%s", cve);
		link = buf;
	}
	put_str(b, vo, "link", link, CONV_MAX_LINK);
}

static int known_status(const char *s)
{
	static const char *const statuses[] = {"affected", "fixed", "will_not_fix", "fix_deferred", "under_investigation"};
	size_t i;

	for (i = 0; s && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

/*
 * The EmbeddedVulnerability of one finding, into *out; 0 when the finding
 * is dropped (not an object, no id at all, or "not_affected": the vendor
 * says this package is not vulnerable, so StackRox would not list it).
 */
static int build_vuln(struct conv *b, struct conv_vuln *out, const json_t *v)
{
	const char *cve = get_text(v, "name"), *status = get_str(v, "status"), *fixed = get_text(v, "fixedInVersion");
	const char *score_version;
	const json_t *adv = get_object(v, "advisory"), *epss = get_object(v, "epssMetrics"),
		     *kev = get_object(v, "exploit");
	json_t *vo, *aliases;
	double cvss;
	int sev;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(v) || (status && strcmp(status, "not_affected") == 0))
		return 0;
	if (!cve)
		cve = get_text(adv, "name");
	if (!cve)
		cve = get_text(v, "id");
	if (!cve)
		return 0;
	if (!(vo = json_object())) {
		b->oom = 1;
		return 0;
	}
	put_str(b, vo, "cve", cve, CONV_MAX_ID);
	if (get_text(v, "description"))
		put_str(b, vo, "summary", get_text(v, "description"), CONV_MAX_TEXT);
	cve = json_string_value(json_object_get(vo, "cve"));
	put_link(b, vo, v, cve ? cve : "");
	put_scores(b, vo, get_array(v, "cvssMetrics"), &cvss, &score_version);
	sev = severity_rank(get_str(v, "normalizedSeverity"));
	if (sev == 0 && score_version)
		sev = severity_of_score(cvss, score_version);
	put(b, vo, "severity", json_string(severity_names[sev]));
	/* The matcher says "affected" with the version that fixes it, or the
	 * vendor says "fixed"; will_not_fix and fix_deferred have no fix. */
	if (fixed && (!status || strcmp(status, "affected") == 0 || strcmp(status, "fixed") == 0)) {
		put_str(b, vo, "fixedBy", fixed, CONV_MAX_ID);
		out->fixable = 1;
	}
	if (known_status(status))
		put(b, vo, "status", json_string(status));
	put_time(b, vo, "publishedOn", get_str(v, "issued"));
	put(b, vo, "state", json_string("OBSERVED"));
	put(b, vo, "vulnerabilityType", json_string("IMAGE_VULNERABILITY"));
	put(b, vo, "vulnerabilityTypes", json_pack("[s]", "IMAGE_VULNERABILITY"));
	if (adv && get_text(adv, "name"))
		put(b, vo, "advisory",
		    json_pack("{s:o, s:o}", "name", mk_str(b, get_text(adv, "name"), CONV_MAX_ID), "link",
			      mk_str(b, get_str(adv, "link") ? get_str(adv, "link") : "", CONV_MAX_LINK)));
	if (epss && json_is_number(get(epss, "probability")) && json_is_number(get(epss, "percentile")))
		put(b, vo, "epss",
		    json_pack("{s:f, s:f}", "epssProbability", get_number(get(epss, "probability")), "epssPercentile",
			      get_number(get(epss, "percentile"))));
	if (kev && get_str(kev, "dateAdded")) {
		static const char *const fields[] = {"dateAdded", "dueDate", "knownRansomwareCampaignUse", "requiredAction"};
		json_t *k = json_object();
		size_t i;
		if (!k)
			b->oom = 1;
		for (i = 0; k && i < sizeof(fields) / sizeof(fields[0]); i++)
			if (get_str(kev, fields[i]))
				put_str(b, k, fields[i], get_str(kev, fields[i]), CONV_MAX_TEXT);
		put(b, vo, "knownExploited", k);
		out->exploited = 1;
	}
	if (get_array(v, "cwes"))
		put(b, vo, "cwes", string_list(b, get_array(v, "cwes"), CONV_MAX_CWES, CONV_MAX_ID));
	aliases = string_list(b, get_array(v, "aliases"), CONV_MAX_ALIASES, CONV_MAX_ID);
	put(b, vo, "aliases", aliases);
	if (get_str(v, "updater"))
		put_str(b, vo, "dataSource", get_str(v, "updater"), CONV_MAX_ID);
	if (get_text(v, "explanation"))
		put_str(b, vo, "explanation", get_text(v, "explanation"), CONV_MAX_TEXT);

	out->obj = vo;
	out->cve = json_string_value(json_object_get(vo, "cve"));
	out->source = json_string_value(json_object_get(vo, "dataSource"));
	out->link = json_string_value(json_object_get(vo, "link"));
	if (!out->cve || !out->link) { /* only when an allocation failed */
		b->oom = 1;
		json_decref(vo);
		out->obj = NULL;
		return 0;
	}
	if (!out->source)
		out->source = "";
	out->severity = sev;
	out->cvss = cvss;
	return 1;
}

/* Better first: more severe, higher score, fixable, exploited; then by
 * source and link so that equal records still order the same way. */
static int compare_worse_first(const struct conv_vuln *x, const struct conv_vuln *y)
{
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->cvss != y->cvss)
		return x->cvss > y->cvss ? -1 : 1;
	if (x->fixable != y->fixable)
		return x->fixable ? -1 : 1;
	if (x->exploited != y->exploited)
		return x->exploited ? -1 : 1;
	if ((c = strcmp(x->source, y->source)))
		return c;
	return strcmp(x->link, y->link);
}

/* For merging: by CVE, the record that stays first. */
static int compare_for_merge(const void *a, const void *b)
{
	const struct conv_vuln *x = a, *y = b;
	int c = strcmp(x->cve, y->cve);

	return c ? c : compare_worse_first(x, y);
}

/* The order shown: severity, then score, both falling, then CVE id. */
static int compare_for_display(const void *a, const void *b)
{
	const struct conv_vuln *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->cvss != y->cvss)
		return x->cvss > y->cvss ? -1 : 1;
	return strcmp(x->cve, y->cve);
}

/* Adds each alias of from to into (no duplicates, not the CVE itself). */
static void merge_aliases(struct conv *b, json_t *into, const json_t *from, const char *cve)
{
	size_t i, j;
	json_t *a, *have;

	json_array_foreach((json_t *)from, i, a) {
		int dup = strcmp(json_string_value(a), cve) == 0;
		json_array_foreach(into, j, have)
			if (strcmp(json_string_value(have), json_string_value(a)) == 0)
				dup = 1;
		if (dup)
			continue;
		if (json_array_size(into) >= CONV_MAX_ALIASES) {
			b->truncated = 1;
			return;
		}
		append(b, into, json_incref(a));
	}
}

/*
 * One vuln per CVE in a component: when two sources report the same CVE
 * for a package (OSV and the distribution, say), the worse record stays and
 * the others lend it their aliases (and their id, when it differs).
 */
static void merge_duplicates(struct conv *b, struct conv_component *c)
{
	size_t i, keep = 0;

	if (c->vuln_count > 1)
		qsort(c->vulns, c->vuln_count, sizeof(*c->vulns), compare_for_merge);
	for (i = 0; i < c->vuln_count; i++) {
		struct conv_vuln *v = &c->vulns[i];
		if (keep && strcmp(c->vulns[keep - 1].cve, v->cve) == 0) {
			json_t *into = json_object_get(c->vulns[keep - 1].obj, "aliases");
			merge_aliases(b, into, json_object_get(v->obj, "aliases"), c->vulns[keep - 1].cve);
			json_decref(v->obj);
			continue;
		}
		c->vulns[keep++] = *v;
	}
	c->vuln_count = keep;
	for (i = 0; i < c->vuln_count; i++) {
		json_t *a = json_object_get(c->vulns[i].obj, "aliases");
		/* An alias equal to the CVE says nothing. */
		size_t j = json_array_size(a);
		while (j-- > 0)
			if (strcmp(json_string_value(json_array_get(a, j)), c->vulns[i].cve) == 0)
				json_array_remove(a, j);
	}
	if (c->vuln_count > 1)
		qsort(c->vulns, c->vuln_count, sizeof(*c->vulns), compare_for_display);
}

/* ---- components --------------------------------------------------------------------------------- */

static int build_component(struct conv *b, struct conv_component *c, const char *id, const json_t *pkg)
{
	const json_t *env = json_array_get(get_array(get_object(b->contents, "environments"), id), 0);
	const json_t *ids = get_array(b->package_vulns, id), *vid;
	const char *location = get_str(env, "packageDb"), *introduced = get_text(env, "introducedIn");
	const char *fixed_by = NULL;
	json_t *co, *vulns;
	size_t i;
	double top = 0;

	memset(c, 0, sizeof(*c));
	c->layer = -1;
	if (!location)
		location = get_str(pkg, "packageDb");
	if (!(co = json_object())) {
		b->oom = 1;
		return 0;
	}
	c->obj = co;
	package_origin(&c->source, &c->ecosystem, b->contents, pkg, env);
	put_str(b, co, "name", get_str(pkg, "name"), CONV_MAX_ID);
	put_str(b, co, "version", get_str(pkg, "version"), CONV_MAX_ID);
	put(b, co, "source", json_string(c->source));
	put_str(b, co, "location", location, CONV_MAX_LINK);
	if (introduced && json_is_integer(json_object_get(b->layer_of_digest, introduced))) {
		c->layer = (long)json_integer_value(json_object_get(b->layer_of_digest, introduced));
		put(b, co, "layerIndex", json_integer(c->layer));
	}
	if (get_text(pkg, "arch"))
		put_str(b, co, "architecture", get_text(pkg, "arch"), CONV_MAX_ID);
	c->name = json_string_value(json_object_get(co, "name"));
	c->version = json_string_value(json_object_get(co, "version"));
	c->location = json_string_value(json_object_get(co, "location"));
	if (!c->name || !c->version || !c->location)
		return 1; /* b->oom is set */

	if (json_array_size(ids) &&
	    !(c->vulns = calloc(json_array_size(ids) < CONV_MAX_PKG_VULNS ? json_array_size(ids) : CONV_MAX_PKG_VULNS,
				sizeof(*c->vulns)))) {
		b->oom = 1;
		return 1;
	}
	json_array_foreach((json_t *)ids, i, vid) {
		const char *key = json_string_value(vid);
		if (i >= CONV_MAX_PKG_VULNS || b->vulns_total >= CONV_MAX_VULNS) {
			b->truncated = 1;
			break;
		}
		if (key && build_vuln(b, &c->vulns[c->vuln_count], get(b->vulnerabilities, key))) {
			c->vuln_count++;
			b->vulns_total++;
		}
	}
	merge_duplicates(b, c);

	if (!(vulns = json_array())) {
		b->oom = 1;
		return 1;
	}
	for (i = 0; i < c->vuln_count; i++) {
		const char *f = json_string_value(json_object_get(c->vulns[i].obj, "fixedBy"));
		if (f && (!fixed_by || compare_versions(c->ecosystem, f, fixed_by) > 0))
			fixed_by = f;
		if (c->vulns[i].cvss > top)
			top = c->vulns[i].cvss;
		append(b, vulns, json_incref(c->vulns[i].obj));
	}
	if (fixed_by)
		put(b, co, "fixedBy", json_string(fixed_by));
	put(b, co, "topCvss", json_real(top));
	put(b, co, "vulns", vulns);
	return 1;
}

/* By layer (unknown last), name, version, location, source. */
static int compare_components(const void *a, const void *b)
{
	const struct conv_component *x = a, *y = b;
	int c;

	if (x->layer != y->layer) {
		if (x->layer < 0 || y->layer < 0)
			return x->layer < 0 ? 1 : -1;
		return x->layer < y->layer ? -1 : 1;
	}
	if ((c = strcmp(x->name, y->name)) || (c = strcmp(x->version, y->version)) ||
	    (c = strcmp(x->location, y->location)))
		return c;
	return strcmp(x->source, y->source);
}

static void free_components(struct conv *b)
{
	size_t i, j;

	for (i = 0; i < b->comp_count; i++) {
		for (j = 0; j < b->comps[i].vuln_count; j++)
			json_decref(b->comps[i].vulns[j].obj);
		free(b->comps[i].vulns);
		json_decref(b->comps[i].obj);
	}
	free(b->comps);
	b->comps = NULL;
	b->comp_count = 0;
}

static int build_components(struct conv *b)
{
	const json_t *packages = get_object(b->contents, "packages");
	const char *id;
	json_t *pkg;
	size_t n = json_object_size(packages), skipped = 0;

	if (n > CONV_MAX_COMPONENTS)
		n = CONV_MAX_COMPONENTS;
	if (n && !(b->comps = calloc(n, sizeof(*b->comps)))) {
		b->oom = 1;
		return ASEC_ENOMEM;
	}
	json_object_foreach((json_t *)packages, id, pkg) {
		const char *kind = get_str(pkg, "kind");
		if (!json_is_object(pkg) || !get_text(pkg, "name") || (kind && strcmp(kind, "source") == 0))
			continue;
		if (b->comp_count == n) {
			skipped++;
			continue;
		}
		if (build_component(b, &b->comps[b->comp_count], id, pkg))
			b->comp_count++;
		if (b->oom)
			return ASEC_ENOMEM;
	}
	if (skipped) {
		char text[128];
		snprintf(text, sizeof(text), "%zu packages not shown: an image shows at most %d components", skipped,
			 CONV_MAX_COMPONENTS);
		append(b, b->remarks, json_string(text));
		b->truncated = 1;
	}
	if (b->comp_count > 1)
		qsort(b->comps, b->comp_count, sizeof(*b->comps), compare_components);
	return ASEC_OK;
}

/* ---- counts and risk ------------------------------------------------------------------------- */

static int compare_cves(const void *a, const void *b)
{
	return strcmp(((const struct conv_cve *)a)->cve, ((const struct conv_cve *)b)->cve);
}

/* A severity stands for at least this score when a CVE has a lower one or
 * none, so that an unscored critical CVE still weighs as one. */
static const double severity_floor[] = {3.0, 3.0, 5.0, 7.0, 9.0};

/* The weight of one distinct CVE in the image's risk (docs/images.md). */
double image_convert__vuln_weight(int severity, double cvss, int fixable, int exploited)
{
	double s = cvss;

	if (severity < 0 || severity > 4)
		severity = 0;
	if (!(s >= 0 && s <= 10))
		s = 0;
	if (s < severity_floor[severity])
		s = severity_floor[severity];
	return (s / 10) * (s / 10) * (fixable ? 1.5 : 1.0) * (exploited ? 2.0 : 1.0);
}

/*
 * riskScore = vulnerability factor x age factor, to three decimals:
 *   vulnerability factor = 1 + 3 (1 - exp(-W / 10)), W the sum of the weights
 *   age factor = 1 + 0.5 clamp((age in days - 180) / 185, 0, 1)
 * Each weight is >= 0, so more or worse CVEs never lower W, and both
 * factors rise with their argument; the rounding keeps that order.
 */
double image_convert__risk(const double *weights, size_t n, int64_t created_ms, int64_t now_ms)
{
	double w = 0, vuln, age = 1;
	size_t i;

	for (i = 0; i < n; i++)
		w += weights[i];
	vuln = 1 + 3 * (1 - exp(-w / 10));
	if (created_ms != INT64_MIN && now_ms > created_ms) {
		double days = (double)(now_ms - created_ms) / 86400000.0;
		double t = (days - 180) / 185;
		age = 1 + 0.5 * (t < 0 ? 0 : t > 1 ? 1 : t);
	}
	return round(vuln * age * 1000) / 1000;
}

static void put_counts(struct conv *b, json_t *image, int64_t created_ms)
{
	struct conv_cve *all = NULL;
	double *weights = NULL, top = 0;
	size_t total = 0, i, j, distinct = 0, fixable = 0;

	for (i = 0; i < b->comp_count; i++)
		total += b->comps[i].vuln_count;
	if (total && (!(all = calloc(total, sizeof(*all))) || !(weights = calloc(total, sizeof(*weights))))) {
		b->oom = 1;
		goto out;
	}
	total = 0;
	for (i = 0; i < b->comp_count; i++)
		for (j = 0; j < b->comps[i].vuln_count; j++) {
			const struct conv_vuln *v = &b->comps[i].vulns[j];
			all[total++] = (struct conv_cve){v->cve, v->severity, v->cvss, v->fixable, v->exploited};
			if (v->cvss > top)
				top = v->cvss;
		}
	if (total > 1)
		qsort(all, total, sizeof(*all), compare_cves);
	/* One CVE in several packages counts once, with its worst attributes. */
	for (i = 0; i < total; i = j) {
		struct conv_cve w = all[i];
		for (j = i + 1; j < total && strcmp(all[j].cve, w.cve) == 0; j++) {
			if (all[j].severity > w.severity)
				w.severity = all[j].severity;
			if (all[j].cvss > w.cvss)
				w.cvss = all[j].cvss;
			w.fixable |= all[j].fixable;
			w.exploited |= all[j].exploited;
		}
		fixable += w.fixable != 0;
		weights[distinct++] = image_convert__vuln_weight(w.severity, w.cvss, w.fixable, w.exploited);
	}
	put(b, image, "components", json_integer((json_int_t)b->comp_count));
	put(b, image, "cves", json_integer((json_int_t)distinct));
	put(b, image, "fixableCves", json_integer((json_int_t)fixable));
	put(b, image, "topCvss", json_real(top));
	put(b, image, "riskScore", json_real(image_convert__risk(weights, distinct, created_ms, b->in->scan_time_ms)));
out:
	free(all);
	free(weights);
}

/* ---- scan notes ----------------------------------------------------------------------------------- */

static void add_remarks(struct conv *b, const json_t *notes, size_t *shown, size_t *hidden)
{
	size_t i;
	json_t *n;

	json_array_foreach((json_t *)notes, i, n) {
		if (!json_is_string(n))
			continue;
		if (*shown >= CONV_MAX_REMARKS) {
			(*hidden)++;
			continue;
		}
		append(b, b->remarks, mk_str(b, json_string_value(n), CONV_MAX_REMARK));
		(*shown)++;
	}
}

/*
 * StackRox's scan notes from what the reports say. The matcher's notes are
 * read by their wording (services/scanner-matcher/matcher.c): OS packages
 * it could not match for want of a distribution release, and packages of no
 * ecosystem it knows; any other matcher note (a version it could not order,
 * findings cut at its bound) means some findings may be missing.
 */
static json_t *scan_notes(struct conv *b, int have_os, const json_t *index_notes, const json_t *match_notes,
			  int index_failed)
{
	int os_unavailable = !have_os, partial = json_array_size(index_notes) > 0 || index_failed || b->truncated;
	int os_cves = 0, lang_cves = 0;
	size_t i;
	json_t *n, *out;

	json_array_foreach((json_t *)match_notes, i, n) {
		const char *s = json_string_value(n);
		if (!s)
			continue;
		if (strstr(s, "OS packages were not matched"))
			os_cves = 1;
		else if (strstr(s, "belong to no ecosystem the matcher knows"))
			lang_cves = 1;
		else
			partial = 1;
	}
	if (!(out = json_array())) {
		b->oom = 1;
		return NULL;
	}
	if (os_unavailable)
		append(b, out, json_string("OS_UNAVAILABLE"));
	if (partial)
		append(b, out, json_string("PARTIAL_SCAN_DATA"));
	if (os_cves)
		append(b, out, json_string("OS_CVES_UNAVAILABLE"));
	if (lang_cves)
		append(b, out, json_string("LANGUAGE_CVES_UNAVAILABLE"));
	return out;
}

/* "<did>:<versionId>" of the distribution; with several (the indexer names
 * one), the lowest id. NULL when there is none. */
static const json_t *pick_distribution(const json_t *contents)
{
	const json_t *dists = get_object(contents, "distributions"), *best = NULL;
	const char *key, *best_key = NULL;
	json_t *d;

	json_object_foreach((json_t *)dists, key, d) {
		if (!get_text(d, "did"))
			continue;
		if (!best_key || strcmp(key, best_key) < 0) {
			best = d;
			best_key = key;
		}
	}
	return best;
}

static json_t *operating_system(struct conv *b, const json_t *dist)
{
	const char *did, *ver;
	char buf[2 * CONV_MAX_ID + 2];

	if (!dist)
		return json_string("unknown");
	did = get_text(dist, "did");
	ver = get_text(dist, "versionId");
	if (!ver)
		ver = get_text(dist, "versionCodeName");
	if (!ver)
		ver = get_text(dist, "version");
	snprintf(buf, sizeof(buf), "%.*s%s%.*s", (int)utf8_cut(did, strlen(did), CONV_MAX_ID), did, ver ? ":" : "",
		 ver ? (int)utf8_cut(ver, strlen(ver), CONV_MAX_ID) : 0, ver ? ver : "");
	return mk_str(b, buf, sizeof(buf));
}

/* ---- the Image ------------------------------------------------------------------------------------ */

static json_t *image_name(struct conv *b)
{
	const struct image_convert_input *in = b->in;
	json_t *n = json_object();

	if (!n) {
		b->oom = 1;
		return NULL;
	}
	put_str(b, n, "registry", in->registry, CONV_MAX_LINK);
	put_str(b, n, "remote", in->remote, CONV_MAX_LINK);
	if (in->tag)
		put_str(b, n, "tag", in->tag, CONV_MAX_ID);
	put_str(b, n, "fullName", in->full_name, CONV_MAX_LINK * 2);
	return n;
}

int image_convert(json_t **out, const struct image_convert_input *in)
{
	struct conv b = {.in = in};
	const json_t *index, *image_md, *dist;
	const char *digest;
	json_t *image = NULL, *scan = NULL, *metadata, *name, *components, *notes;
	char now[40];
	size_t i, shown = 0, hidden = 0;
	int64_t created_ms = INT64_MIN;
	int rc = ASEC_OK, no_config = 1, have_created;

	*out = NULL;
	index = in->index_report;
	if (!json_is_object(index) || !json_is_object(in->vuln_report)) {
		error_set("image conversion: %s report is not a JSON object",
			  json_is_object(index) ? "the vulnerability" : "the index");
		return ASEC_EINVALID;
	}
	image_md = get_object(index, "image");
	digest = get_text(image_md, "manifestDigest");
	if (!digest || strlen(digest) > CONV_MAX_ID) {
		error_set("image conversion: the index report has no usable image.manifestDigest");
		return ASEC_EINVALID;
	}
	if (!format_time(now, sizeof(now), in->scan_time_ms, 1)) {
		error_set("image conversion: scan time %lld ms is outside years 1000-9999", (long long)in->scan_time_ms);
		return ASEC_EINVALID;
	}
	b.contents = get_object(index, "contents");
	b.vulnerabilities = get_object(in->vuln_report, "vulnerabilities");
	b.package_vulns = get_object(in->vuln_report, "packageVulnerabilities");
	b.layer_of_digest = json_object();
	b.remarks = json_array();
	image = json_object();
	scan = json_object();
	if (!b.layer_of_digest || !b.remarks || !image || !scan) {
		b.oom = 1;
		goto out;
	}

	put(&b, image, "id", json_string(digest));
	name = image_name(&b);
	put(&b, image, "name", json_incref(name));
	put(&b, image, "names", json_pack("[o]", name));
	metadata = build_metadata(&b, image_md, digest, &no_config);
	have_created = parse_time(&created_ms, get_str(get_object(image_md, "config"), "created"));
	if (!have_created)
		created_ms = INT64_MIN;
	put(&b, image, "metadata", metadata);
	if (b.oom)
		goto out;

	if ((rc = build_components(&b)))
		goto out;

	dist = pick_distribution(b.contents);
	put_str(&b, scan, "scannerVersion", in->scanner_version, CONV_MAX_ID);
	put(&b, scan, "scanTime", json_string(now));
	put(&b, scan, "operatingSystem", operating_system(&b, dist));
	put(&b, scan, "dataSource", json_pack("{s:s, s:s}", "id", "scanner-v4", "name", "Scanner V4"));
	add_remarks(&b, get_array(index, "notes"), &shown, &hidden);
	add_remarks(&b, get_array(in->vuln_report, "notes"), &shown, &hidden);
	if (hidden) {
		char text[96];
		snprintf(text, sizeof(text), "%zu more remarks not shown", hidden);
		append(&b, b.remarks, json_string(text));
	}
	notes = scan_notes(&b, dist != NULL, get_array(index, "notes"), get_array(in->vuln_report, "notes"),
			   json_is_false(get(index, "success")));
	put(&b, scan, "notes", notes);
	put(&b, scan, "remarks", json_incref(b.remarks));
	if (in->vuln_data_updated && in->vuln_data_updated[0])
		put_str(&b, scan, "vulnerabilityDataUpdated", in->vuln_data_updated, CONV_MAX_ID);
	if (!(components = json_array())) {
		b.oom = 1;
		goto out;
	}
	for (i = 0; i < b.comp_count; i++)
		append(&b, components, json_incref(b.comps[i].obj));
	put(&b, scan, "components", components);
	put(&b, image, "scan", json_incref(scan));

	put_counts(&b, image, created_ms);
	put(&b, image, "priority", json_integer(0));
	put(&b, image, "notPullable", json_false());
	put(&b, image, "isClusterLocal", json_false());
	put(&b, image, "lastUpdated", json_string(now));
	put(&b, image, "notes", no_config ? json_pack("[s]", "MISSING_METADATA") : json_array());

out:
	free_components(&b);
	json_decref(b.layer_of_digest);
	json_decref(b.remarks);
	json_decref(scan);
	if (!rc && b.oom)
		rc = ASEC_ENOMEM;
	if (rc) {
		if (rc == ASEC_ENOMEM)
			error_set("image conversion: out of memory");
		json_decref(image);
		return rc;
	}
	*out = image;
	return ASEC_OK;
}
