/*
 * csaf.c - Red Hat's CSAF 2.0 documents: the VEX document Red Hat keeps for
 * every CVE and the security advisory (RHSA) it publishes with every update;
 * one document, or JSON Lines of them.
 *
 * A CSAF document names things indirectly. Its product tree declares
 * products in nested "branches" (vendor > product family > product name or
 * architecture > product version), each with an id and usually a CPE (the
 * product streams: "cpe:/o:redhat:enterprise_linux:9::baseos") or a purl
 * (the packages: "pkg:rpm/redhat/curl@7.76.1-26.el9_3.2?arch=src").
 * Relationships of category default_component_of combine a package and a
 * stream into a new id ("BaseOS-9.3.0.Z.MAIN:curl-0:7.76.1-26.el9_3.2.src"),
 * and each vulnerability lists such ids under product_status (fixed,
 * known_affected, known_not_affected, under_investigation), with
 * remediations (vendor_fix with the RHSA's url; no_fix_planned;
 * none_available saying "Fix deferred" or "Affected") and impact threats
 * attached to the same ids. The parser indexes products and relationships
 * in hash tables (jansson objects: one lookup per status id, and a document
 * can carry hundreds of thousands), resolves every status id to a (stream,
 * package) pair, and folds the pairs into one affected entry per (RHEL
 * release, module stream, package). One advisory record per CVE comes out.
 *
 * Two decisions shape the result:
 *  - The matcher knows a host's RHEL major release, nothing finer. So only
 *    streams that every host of a release follows become "rhel:<major>": the
 *    mainline enterprise_linux CPEs (BaseOS, AppStream, CRB, the RHEL 7
 *    Server/Workstation variants...) and rhel_els, the extended life of a
 *    retired release. EUS/AUS/E4S/TUS streams pin a minor release and carry
 *    lower fix versions than mainline (7.76.1-14.el9_0.9 beside
 *    7.76.1-26.el9_3.2): folded into rhel:9 they would call vulnerable
 *    mainline builds fixed. They are left out, as are layered products
 *    (Satellite, JBoss Core Services, OpenShift...), whose packages come from
 *    their own repositories, and container images (pkg:oci), which are matched
 *    through the packages inside them; each left-out stream is reported with
 *    one skip saying why and how many statuses it took along.
 *  - Several mainline streams of a release may list the same package (the
 *    9.2 and the 9.3 z-stream); a later minor release contains every earlier
 *    fix, so the lowest fixed version is the one that divides affected hosts
 *    from fixed ones. Red Hat keys its data by source rpm, and the rpm
 *    indexer reports each binary's source rpm, so binaries with the same
 *    status and version as a source rpm of the same release and module are
 *    folded into it; binaries whose source rpm is not listed stay as binary
 *    entries. A purl without arch names a binary (Red Hat lists "curl.src"
 *    beside "curl" and "libcurl"); an id without purl or version is one of
 *    Red Hat's older component names, which are source rpm names.
 *
 * When streams of one release disagree about a package, fixed wins, then
 * affected, fix_deferred, will_not_fix, under_investigation, not_affected.
 * The record's advisory is the earliest RHSA behind the chosen fixes (every
 * RHSA of the release streams is an alias); an RHSA document is its own
 * advisory. Its severity is Red Hat's impact word, and an entry repeats one
 * only where its product's impact differs. Modular rpms carry their module
 * stream ("rpmmod=nodejs:18:...") in the purl; entries keep it as "module"
 * (name:stream) so that streams of one package stay apart. Whatever cannot
 * be used is reported to the sink's skip callback with the CVE and the
 * reason, counted per reason rather than per product id, and parsing goes
 * on.
 */
#include "feeds/feed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cvss/cvss.h"
#include "error/error.h"
#include "version/version.h"

/* Real documents nest branches four deep and chain two or three
 * relationships (package > module > stream); the rest are generous bounds
 * for the biggest VEX documents (the kernel's). */
#define CSAF_MAX_BRANCH_DEPTH 16
#define CSAF_MAX_CHAIN 8
#define CSAF_MAX_PRODUCTS 200000
#define CSAF_MAX_RELATIONSHIPS 200000
#define CSAF_MAX_VULNERABILITIES 10000
/* Product ids in one vulnerability's product_status lists together, and in
 * its remediations and threats together. */
#define CSAF_MAX_STATUSES 200000
#define CSAF_MAX_ANNOTATION_IDS 1000000
#define CSAF_MAX_ANNOTATIONS 10000
#define CSAF_MAX_ID 512
#define CSAF_MAX_NAME 256
#define CSAF_MAX_CVSS 16
#define CSAF_MAX_URL 2048

/* ---- statuses, in order of precedence when streams disagree ---- */

enum csaf_status { ST_FIXED, ST_AFFECTED, ST_FIX_DEFERRED, ST_WILL_NOT_FIX, ST_UNDER_INVESTIGATION, ST_NOT_AFFECTED };

static const char *const status_names[] = {
	"fixed", "affected", "fix_deferred", "will_not_fix", "under_investigation", "not_affected"};

/* The product_status lists read; first_fixed is fixed in Red Hat's usage;
 * first_affected, last_affected and recommended carry no fix information
 * for rpm matching and Red Hat does not use them. */
static const struct {
	const char *list;
	enum csaf_status status;
} status_lists[] = {
	{"fixed", ST_FIXED},
	{"first_fixed", ST_FIXED},
	{"known_affected", ST_AFFECTED},
	{"known_not_affected", ST_NOT_AFFECTED},
	{"under_investigation", ST_UNDER_INVESTIGATION},
};

/* ---- why a status id was left out (counted per vulnerability) ---- */

enum csaf_drop {
	DROP_BAD_ID,
	DROP_UNRELATED,
	DROP_UNKNOWN,
	DROP_CHAIN,
	DROP_IMAGE,
	DROP_NOT_RPM,
	DROP_BAD_PURL,
	DROP_NO_VERSION,
	DROP_BAD_VERSION,
	DROP_COUNT
};

static const char *const drop_reasons[DROP_COUNT] = {
	"not product ids (not a string, empty, or longer than 512 bytes)",
	"not components of a product stream (no default_component_of relationship)",
	"unknown to the product tree",
	"resolved through a relationship chain deeper than 8 (a cycle?)",
	"container images (pkg:oci), which are matched through the packages inside them",
	"not Red Hat rpm packages",
	"packages whose purl or name cannot be read",
	"fixed without a version to be fixed in",
	"fixed in something that is not a valid rpm version",
};

/* ---- the document ---- */

struct csaf_doc {
	json_t *root;
	const char *tracking_id; /* "" when absent */
	const char *aggregate;	 /* aggregate_severity.text, NULL when absent */
	const char *modified;
	const char *self_link;	  /* the errata page (advisories) or the document's own url */
	int advisory;		  /* csaf_security_advisory: the document is the RHSA */
	json_t *products;	  /* product_id -> product object */
	json_t *relations;	  /* full_product_name.product_id -> relationship */
	json_t *others;		  /* ids declared by relationships of other categories */
	const char *tree_problem; /* why the product tree cannot be used; NULL when it can */
};

/* A string that can serve as an id: not empty, no NUL inside, bounded. */
static const char *csaf_id(const json_t *v)
{
	size_t n;

	if (!json_is_string(v))
		return NULL;
	n = json_string_length(v);
	if (n == 0 || n > CSAF_MAX_ID || strlen(json_string_value(v)) != n)
		return NULL;
	return json_string_value(v);
}

static const char *csaf_string(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	return s && *s ? s : NULL;
}

/* Every allocation failure ends here, where it is detected. */
static int csaf_nomem(void)
{
	error_set("csaf: out of memory");
	return ASEC_ENOMEM;
}

/* Adds the products of a branches array (and of their branches) to the
 * index. The first declaration of an id wins; CSAF forbids repeating one. */
static int csaf_index_branches(struct csaf_doc *doc, const json_t *branches, int depth)
{
	size_t i;
	const json_t *b;
	int rc;

	if (!json_is_array(branches))
		return ASEC_OK;
	if (depth > CSAF_MAX_BRANCH_DEPTH) {
		doc->tree_problem = "its product tree nests branches deeper than 16";
		return ASEC_EINVALID;
	}
	json_array_foreach(branches, i, b) {
		const json_t *product = json_object_get(b, "product");
		const char *id = csaf_id(json_object_get(product, "product_id"));

		if (id && !json_object_get(doc->products, id)) {
			if (json_object_size(doc->products) >= CSAF_MAX_PRODUCTS) {
				doc->tree_problem = "its product tree declares more than 200000 products";
				return ASEC_EINVALID;
			}
			if (json_object_set(doc->products, id, (json_t *)product))
				return csaf_nomem();
		}
		if ((rc = csaf_index_branches(doc, json_object_get(b, "branches"), depth + 1)))
			return rc;
	}
	return ASEC_OK;
}

/* Builds the product and relationship indexes. ASEC_EINVALID (with
 * doc->tree_problem set) when the tree is beyond the bounds. */
static int csaf_index_tree(struct csaf_doc *doc)
{
	const json_t *tree = json_object_get(doc->root, "product_tree"), *list, *v;
	size_t i;
	int rc;

	if (!json_is_object(tree)) {
		doc->tree_problem = "the document has no product_tree";
		return ASEC_EINVALID;
	}
	if ((rc = csaf_index_branches(doc, json_object_get(tree, "branches"), 1)))
		return rc;
	list = json_object_get(tree, "full_product_names");
	json_array_foreach(list, i, v) {
		const char *id = csaf_id(json_object_get(v, "product_id"));

		if (!id || json_object_get(doc->products, id))
			continue;
		if (json_object_size(doc->products) >= CSAF_MAX_PRODUCTS) {
			doc->tree_problem = "its product tree declares more than 200000 products";
			return ASEC_EINVALID;
		}
		if (json_object_set(doc->products, id, (json_t *)v))
			return csaf_nomem();
	}
	list = json_object_get(tree, "relationships");
	if (json_is_array(list) && json_array_size(list) > CSAF_MAX_RELATIONSHIPS) {
		doc->tree_problem = "its product tree has more than 200000 relationships";
		return ASEC_EINVALID;
	}
	json_array_foreach(list, i, v) {
		const char *category = csaf_string(v, "category");
		const char *id = csaf_id(json_object_get(json_object_get(v, "full_product_name"), "product_id"));

		if (!category || !id || !csaf_id(json_object_get(v, "product_reference")) ||
		    !csaf_id(json_object_get(v, "relates_to_product_reference")) ||
		    json_object_get(doc->relations, id) || json_object_get(doc->others, id))
			continue;
		/* Only default_component_of says "this package ships in that
		 * stream"; the other categories (installed_on...) do not. */
		if (json_object_set(strcmp(category, "default_component_of") == 0 ? doc->relations : doc->others, id,
				    (json_t *)v))
			return csaf_nomem();
	}
	return ASEC_OK;
}

/* ---- product streams: CPE -> distribution ---- */

enum csaf_stream { STREAM_RHEL, STREAM_PINNED, STREAM_OTHER, STREAM_NO_CPE, STREAM_NO_RELEASE };

static const char *const stream_reasons[] = {
	"",
	"is pinned to a minor release (EUS/AUS/E4S/TUS), which the matcher cannot tell from mainline",
	"is not a RHEL release stream (a layered product)",
	"has no CPE",
	"has a RHEL CPE without a release",
};

/* Copies the n-th (0-based) colon-separated field of s into out. */
static void csaf_field(char *out, size_t size, const char *s, int n)
{
	size_t len = 0;

	while (n > 0 && *s) {
		if (*s++ == ':')
			n--;
	}
	while (n == 0 && *s && *s != ':' && len + 1 < size)
		out[len++] = *s++;
	out[len] = '\0';
}

/* Classifies a stream by its CPE (2.2 URI "cpe:/o:redhat:enterprise_linux:9::baseos"
 * or 2.3 "cpe:2.3:o:redhat:enterprise_linux:9:*:..."), writing "rhel:<major>"
 * into dist for the streams the matcher can use. */
static enum csaf_stream csaf_classify_stream(char *dist, size_t size, const char *cpe)
{
	char vendor[32], product[64], release[32];
	int first; /* index of the vendor field */

	dist[0] = '\0';
	if (!cpe)
		return STREAM_NO_CPE;
	if (strncasecmp(cpe, "cpe:/", 5) == 0)
		first = 2; /* cpe : /part : vendor */
	else if (strncasecmp(cpe, "cpe:2.3:", 8) == 0)
		first = 3; /* cpe : 2.3 : part : vendor */
	else
		return STREAM_NO_CPE;
	csaf_field(vendor, sizeof(vendor), cpe, first);
	csaf_field(product, sizeof(product), cpe, first + 1);
	csaf_field(release, sizeof(release), cpe, first + 2);
	if (strcasecmp(vendor, "redhat") != 0)
		return STREAM_OTHER;
	if (strcasecmp(product, "enterprise_linux") == 0 || strcasecmp(product, "rhel_els") == 0) {
		if (!isdigit((unsigned char)release[0]))
			return STREAM_NO_RELEASE;
		feed_distribution_key(dist, size, "rhel", release);
		return dist[0] ? STREAM_RHEL : STREAM_NO_RELEASE;
	}
	if (strncasecmp(product, "rhel_eus", 8) == 0 || strncasecmp(product, "rhel_aus", 8) == 0 ||
	    strncasecmp(product, "rhel_e4s", 8) == 0 || strncasecmp(product, "rhel_tus", 8) == 0)
		return STREAM_PINNED;
	return STREAM_OTHER;
}

/* ---- package identities: purl, or Red Hat's name-epoch:version-release.arch ids ---- */

struct csaf_pkg {
	char type[16];
	char ns[64];
	char name[CSAF_MAX_NAME];
	char version[VERSION_MAX_LEN + 1]; /* version-release as written, without epoch */
	char epoch[16];
	char arch[32];
	char module[CSAF_MAX_NAME]; /* rpmmod name:stream */
	int has_purl;
};

static int csaf_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into dst. Only printable ASCII may come out:
 * package names, versions and qualifiers never need more. */
static int csaf_decode(char *dst, size_t size, const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? csaf_hex((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? csaf_hex((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c <= 0x20 || c >= 0x7f || len + 1 >= size)
			return -1;
		dst[len++] = (char)c;
	}
	dst[len] = '\0';
	return 0;
}

/* The purl-spec parts Red Hat uses: pkg:type/namespace/name@version?qualifiers#subpath. */
static int csaf_purl_parse(struct csaf_pkg *p, const char *s)
{
	const char *end, *q, *path, *slash, *at, *last;
	size_t n = strlen(s);

	memset(p, 0, sizeof(*p));
	p->has_purl = 1;
	if (n < 5 || strncasecmp(s, "pkg:", 4) != 0)
		return -1;
	path = s + 4;
	while (*path == '/')
		path++;
	end = s + n;
	if ((q = memchr(path, '#', (size_t)(end - path))))
		end = q;
	q = memchr(path, '?', (size_t)(end - path));
	last = q ? q : end;
	if (!(slash = memchr(path, '/', (size_t)(last - path))))
		return -1;
	if (csaf_decode(p->type, sizeof(p->type), path, (size_t)(slash - path)))
		return -1;
	for (char *t = p->type; *t; t++)
		*t = (char)tolower((unsigned char)*t);
	path = slash + 1;
	/* The version follows the last '@' of the path (names may not hold one). */
	at = NULL;
	for (const char *c = path; c < last; c++)
		if (*c == '@')
			at = c;
	{
		const char *name_end = at ? at : last, *name = name_end;

		while (name > path && name[-1] != '/')
			name--;
		if (name == name_end || csaf_decode(p->name, sizeof(p->name), name, (size_t)(name_end - name)))
			return -1;
		if (name > path && csaf_decode(p->ns, sizeof(p->ns), path, (size_t)(name - 1 - path)))
			return -1;
		if (at && csaf_decode(p->version, sizeof(p->version), at + 1, (size_t)(last - at - 1)))
			return -1;
	}
	while (q && q < end) {
		const char *start = q + 1, *amp = memchr(start, '&', (size_t)(end - start)), *eq;
		const char *stop = amp ? amp : end;
		char key[16], *dst = NULL;
		size_t size = 0;

		q = amp;
		if (!(eq = memchr(start, '=', (size_t)(stop - start))) || (size_t)(eq - start) >= sizeof(key))
			continue; /* a qualifier we could not care about */
		memcpy(key, start, (size_t)(eq - start));
		key[eq - start] = '\0';
		if (strcasecmp(key, "arch") == 0)
			dst = p->arch, size = sizeof(p->arch);
		else if (strcasecmp(key, "epoch") == 0)
			dst = p->epoch, size = sizeof(p->epoch);
		else if (strcasecmp(key, "rpmmod") == 0)
			dst = p->module, size = sizeof(p->module);
		if (dst && csaf_decode(dst, size, eq + 1, (size_t)(stop - eq - 1)))
			return -1;
	}
	if (p->module[0]) {
		/* name:stream[:version:context] -> name:stream */
		char *colon = strchr(p->module, ':'), *second;

		if (!colon || colon == p->module || !colon[1] || colon[1] == ':')
			return -1;
		if ((second = strchr(colon + 1, ':')))
			*second = '\0';
	}
	return 0;
}

static int csaf_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* The architectures Red Hat builds for, which end its package ids. */
static int csaf_known_arch(const char *arch)
{
	static const char *const arches[] = {"src",	"noarch", "x86_64", "i686",  "i386", "i586", "aarch64",
					     "ppc64le", "ppc64",  "ppc",    "s390x", "s390", "ia64"};
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(arch, arches[i]) == 0)
			return 1;
	return 0;
}

/* Red Hat's ids without purl: "telnet-1:0.17-65.el7_6.src" (name-epoch:
 * version-release.arch; Red Hat always writes the epoch) or a bare
 * component name ("kernel", "curl.src"). */
static int csaf_id_parse(struct csaf_pkg *p, const char *id)
{
	const char *colon = strchr(id, ':'), *end = id + strlen(id), *dot = strrchr(id, '.'), *dash;
	size_t n = strlen(id);

	memset(p, 0, sizeof(*p));
	if (colon) {
		/* name-E:V-R[.A]: the name is everything before the dash that
		 * precedes the epoch; the arch, when it is one, follows the
		 * last dot. */
		if (dot && dot > colon && csaf_known_arch(dot + 1)) {
			strcpy(p->arch, dot + 1);
			end = dot;
		}
		dash = colon;
		while (dash > id && dash[-1] != '-')
			dash--;
		if (dash <= id + 1 || !csaf_all_digits(dash, (size_t)(colon - dash)) ||
		    (size_t)(colon - dash) >= sizeof(p->epoch) || (size_t)(dash - 1 - id) >= sizeof(p->name) ||
		    (size_t)(end - colon - 1) >= sizeof(p->version) || !memchr(colon, '-', (size_t)(end - colon)))
			return -1;
		memcpy(p->name, id, (size_t)(dash - 1 - id));
		memcpy(p->epoch, dash, (size_t)(colon - dash));
		memcpy(p->version, colon + 1, (size_t)(end - colon - 1));
	} else {
		if (n >= sizeof(p->name))
			return -1;
		if (n > 4 && strcmp(id + n - 4, ".src") == 0) {
			n -= 4;
			strcpy(p->arch, "src");
		}
		memcpy(p->name, id, n);
		p->name[n] = '\0';
	}
	for (const char *c = p->name; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return -1;
	return p->name[0] ? 0 : -1;
}

/* ---- one vulnerability ---- */

/* One status id resolved to (release, package). A document may hold
 * hundreds of thousands, mostly repeating a few names and versions, so the
 * strings live once each in the vulnerability's pool and candidates hold
 * offsets into it (the pool grows, so no pointers). */
struct csaf_cand {
	char dist[24];
	size_t name, module, version; /* pool offsets; version "" unless fixed */
	char rhsa[32];
	int binary;
	enum csaf_status status;
	const char *pid;      /* the status product id (borrowed from the document) */
	const char *rhsa_url; /* the vendor_fix url (borrowed), NULL when none */
	const char *impact;   /* product-specific impact (borrowed), NULL when none */
};

/* A chosen candidate with its strings, once the pool no longer moves. */
struct csaf_pick {
	const struct csaf_cand *c;
	const char *name, *module, *version;
};

struct csaf_vuln {
	const struct csaf_doc *doc;
	const json_t *json;
	const char *cve;
	json_t *remedy;	 /* product id -> remediation object */
	json_t *impact;	 /* product id -> impact word */
	json_t *streams; /* left-out stream product id -> {"n", "why"} */
	struct {
		size_t n;
		char example[96];
	} drops[DROP_COUNT];
	struct csaf_cand *cands;
	size_t ncands, cap;
	char *pool; /* NUL-terminated strings; offset 0 is "" */
	size_t pool_len, pool_cap;
	json_t *interned; /* string -> its pool offset */
};

static const char *csaf_str(const struct csaf_vuln *v, size_t at)
{
	return v->pool ? v->pool + at : "";
}

/* The pool offset of s, adding it the first time. */
static int csaf_intern(struct csaf_vuln *v, const char *s, size_t *at)
{
	size_t n = strlen(s) + 1;
	json_t *known;

	*at = 0;
	if (n == 1)
		return ASEC_OK;
	if ((known = json_object_get(v->interned, s))) {
		*at = (size_t)json_integer_value(known);
		return ASEC_OK;
	}
	if (v->pool_len == 0)
		v->pool_len = 1; /* the "" at offset 0; pool[0] is set when it is allocated */
	if (v->pool_len + n > v->pool_cap) {
		size_t cap = v->pool_cap ? v->pool_cap * 2 : 4096;
		char *bigger;

		while (cap < v->pool_len + n)
			cap *= 2;
		if (!(bigger = realloc(v->pool, cap)))
			return csaf_nomem();
		bigger[0] = '\0';
		v->pool = bigger;
		v->pool_cap = cap;
	}
	memcpy(v->pool + v->pool_len, s, n);
	if (json_object_set_new(v->interned, s, json_integer((json_int_t)v->pool_len)))
		return csaf_nomem();
	*at = v->pool_len;
	v->pool_len += n;
	return ASEC_OK;
}

static void csaf_drop(struct csaf_vuln *v, enum csaf_drop why, const char *example)
{
	if (v->drops[why].n++ == 0)
		snprintf(v->drops[why].example, sizeof(v->drops[why].example), "%s", example ? example : "");
}

static int csaf_drop_stream(struct csaf_vuln *v, const char *stream, const char *cpe, enum csaf_stream kind)
{
	json_t *entry = json_object_get(v->streams, stream);
	char why[256];

	if (entry) {
		json_t *n = json_object_get(entry, "n");
		return json_integer_set(n, json_integer_value(n) + 1) ? csaf_nomem() : ASEC_OK;
	}
	snprintf(why, sizeof(why), "%s%s%s %s", cpe ? "(" : "", cpe ? cpe : "", cpe ? ")" : "", stream_reasons[kind]);
	entry = json_pack("{s:I, s:s}", "n", (json_int_t)1, "why", why);
	if (!entry || json_object_set_new(v->streams, stream, entry))
		return csaf_nomem();
	return ASEC_OK;
}

/* Precedence of remediation categories when several cover one product. */
static int csaf_remedy_rank(const char *category)
{
	if (!category)
		return -1;
	if (strcmp(category, "vendor_fix") == 0)
		return 0;
	if (strcmp(category, "no_fix_planned") == 0)
		return 1;
	if (strcmp(category, "none_available") == 0)
		return 2;
	return -1; /* workaround, mitigation: say nothing about the status */
}

/* Indexes the vulnerability's remediations and impact threats by product id. */
static int csaf_index_annotations(struct csaf_vuln *v)
{
	const json_t *list, *r, *ids, *id;
	size_t i, j, total = 0;

	list = json_object_get(v->json, "remediations");
	if (json_is_array(list) && json_array_size(list) > CSAF_MAX_ANNOTATIONS)
		return ASEC_ETOOBIG;
	json_array_foreach(list, i, r) {
		int rank = csaf_remedy_rank(csaf_string(r, "category"));

		if (rank < 0)
			continue;
		ids = json_object_get(r, "product_ids");
		json_array_foreach(ids, j, id) {
			const char *pid = csaf_id(id);
			json_t *old;

			if (++total > CSAF_MAX_ANNOTATION_IDS)
				return ASEC_ETOOBIG;
			if (!pid)
				continue;
			old = json_object_get(v->remedy, pid);
			if (old && csaf_remedy_rank(csaf_string(old, "category")) <= rank)
				continue;
			if (json_object_set(v->remedy, pid, (json_t *)r))
				return csaf_nomem();
		}
	}
	list = json_object_get(v->json, "threats");
	if (json_is_array(list) && json_array_size(list) > CSAF_MAX_ANNOTATIONS)
		return ASEC_ETOOBIG;
	json_array_foreach(list, i, r) {
		const char *category = csaf_string(r, "category");
		json_t *details = json_object_get(r, "details");

		if (!category || strcmp(category, "impact") != 0 || !csaf_id(details))
			continue;
		ids = json_object_get(r, "product_ids");
		json_array_foreach(ids, j, id) {
			const char *pid = csaf_id(id);

			if (++total > CSAF_MAX_ANNOTATION_IDS)
				return ASEC_ETOOBIG;
			if (pid && !json_object_get(v->impact, pid) && json_object_set(v->impact, pid, details))
				return csaf_nomem();
		}
	}
	return ASEC_OK;
}

/* "RHSA-2023:5763" from "https://access.redhat.com/errata/RHSA-2023:5763"
 * (RHBA and RHEA too). */
static int csaf_rhsa_from_url(char *out, size_t size, const char *url)
{
	const char *seg = strrchr(url, '/');
	size_t n;

	seg = seg ? seg + 1 : url;
	n = strlen(seg);
	if (n >= size || n < 11 || seg[0] != 'R' || seg[1] != 'H' || !strchr("SBE", seg[2]) || seg[3] != 'A' ||
	    seg[4] != '-' || !csaf_all_digits(seg + 5, 4) || seg[9] != ':' || !csaf_all_digits(seg + 10, n - 10))
		return -1;
	memcpy(out, seg, n + 1);
	return 0;
}

/* Orders RHSA ids by year, then number ("RHSA-2023:5700" < "RHSA-2023:12345"). */
static int csaf_rhsa_cmp(const char *a, const char *b)
{
	size_t la = strlen(a + 10), lb = strlen(b + 10);
	int d = strncmp(a + 5, b + 5, 4);

	if (d)
		return d;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Follows default_component_of relationships from a status product id to
 * the package (leftmost) and the stream (rightmost) products. */
static enum csaf_drop csaf_walk(const struct csaf_doc *doc, const char *pid, const char **pkg_id,
				const char **stream_id)
{
	const json_t *rel = json_object_get(doc->relations, pid);
	const char *left, *right;
	int depth = 1;

	if (!rel)
		return json_object_get(doc->products, pid) || json_object_get(doc->others, pid) ? DROP_UNRELATED
												: DROP_UNKNOWN;
	left = json_string_value(json_object_get(rel, "product_reference"));
	right = json_string_value(json_object_get(rel, "relates_to_product_reference"));
	while ((rel = json_object_get(doc->relations, left))) {
		if (++depth > CSAF_MAX_CHAIN)
			return DROP_CHAIN;
		left = json_string_value(json_object_get(rel, "product_reference"));
	}
	while ((rel = json_object_get(doc->relations, right))) {
		if (++depth > CSAF_MAX_CHAIN)
			return DROP_CHAIN;
		right = json_string_value(json_object_get(rel, "relates_to_product_reference"));
	}
	if (!json_object_get(doc->products, left) || !json_object_get(doc->products, right))
		return DROP_UNKNOWN;
	*pkg_id = left;
	*stream_id = right;
	return DROP_COUNT; /* nothing dropped */
}

static struct csaf_cand *csaf_new_cand(struct csaf_vuln *v)
{
	if (v->ncands == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct csaf_cand *bigger = realloc(v->cands, cap * sizeof(*bigger));

		if (!bigger)
			return NULL;
		v->cands = bigger;
		v->cap = cap;
	}
	memset(&v->cands[v->ncands], 0, sizeof(v->cands[0]));
	return &v->cands[v->ncands];
}

/* The status of a known_affected product, from its remediation. */
static enum csaf_status csaf_affected_status(const json_t *remedy)
{
	const char *category = csaf_string(remedy, "category"), *details = csaf_string(remedy, "details");

	if (details && (strcasecmp(details, "Will not fix") == 0 || strcasecmp(details, "Out of support scope") == 0))
		return ST_WILL_NOT_FIX;
	if (details && strcasecmp(details, "Fix deferred") == 0)
		return ST_FIX_DEFERRED;
	if (category && strcmp(category, "no_fix_planned") == 0)
		return ST_WILL_NOT_FIX;
	return ST_AFFECTED;
}

/* Turns one status product id into a candidate entry, or counts why not. */
static int csaf_take_status(struct csaf_vuln *v, const char *pid, enum csaf_status status)
{
	const struct csaf_doc *doc = v->doc;
	const char *pkg_id = NULL, *stream_id = NULL, *cpe, *purl;
	const json_t *pkg_product, *stream_product, *remedy;
	enum csaf_drop why;
	enum csaf_stream kind;
	struct csaf_pkg pkg;
	struct csaf_cand *c;
	char dist[24], version[VERSION_MAX_LEN + 1] = "";
	int rc;

	if ((why = csaf_walk(doc, pid, &pkg_id, &stream_id)) != DROP_COUNT) {
		csaf_drop(v, why, pid);
		return ASEC_OK;
	}
	stream_product = json_object_get(doc->products, stream_id);
	cpe = csaf_string(json_object_get(stream_product, "product_identification_helper"), "cpe");
	if ((kind = csaf_classify_stream(dist, sizeof(dist), cpe)) != STREAM_RHEL)
		return csaf_drop_stream(v, stream_id, cpe, kind);

	pkg_product = json_object_get(doc->products, pkg_id);
	purl = csaf_string(json_object_get(pkg_product, "product_identification_helper"), "purl");
	if (purl ? csaf_purl_parse(&pkg, purl) : csaf_id_parse(&pkg, pkg_id)) {
		csaf_drop(v, DROP_BAD_PURL, purl ? purl : pkg_id);
		return ASEC_OK;
	}
	if (pkg.has_purl && strcmp(pkg.type, "oci") == 0) {
		csaf_drop(v, DROP_IMAGE, purl);
		return ASEC_OK;
	}
	if ((pkg.has_purl && (strcmp(pkg.type, "rpm") != 0 || strcmp(pkg.ns, "redhat") != 0)) ||
	    strchr(pkg.name, '/') || strchr(pkg.name, ':')) {
		csaf_drop(v, DROP_NOT_RPM, purl ? purl : pkg_id);
		return ASEC_OK;
	}
	if (pkg.epoch[0] && !csaf_all_digits(pkg.epoch, strlen(pkg.epoch))) {
		csaf_drop(v, DROP_BAD_PURL, purl ? purl : pkg_id);
		return ASEC_OK;
	}

	if (!(c = csaf_new_cand(v)))
		return csaf_nomem();
	remedy = json_object_get(v->remedy, pid);
	if (status == ST_AFFECTED && remedy)
		status = csaf_affected_status(remedy);
	if (status == ST_FIXED) {
		const char *epoch = pkg.epoch;

		while (*epoch == '0' && epoch[1])
			epoch++;
		if (!pkg.version[0]) {
			csaf_drop(v, DROP_NO_VERSION, pid);
			return ASEC_OK;
		}
		/* The indexer prints an epoch only when it is not zero. */
		if (snprintf(version, sizeof(version), "%s%s%s", strcmp(epoch, "0") && *epoch ? epoch : "",
			     strcmp(epoch, "0") && *epoch ? ":" : "", pkg.version) >= (int)sizeof(version) ||
		    !version_valid_rpm(version)) {
			csaf_drop(v, DROP_BAD_VERSION, pid);
			return ASEC_OK;
		}
		if (csaf_remedy_rank(csaf_string(remedy, "category")) == 0) {
			const char *url = csaf_string(remedy, "url");

			if (url && strlen(url) <= CSAF_MAX_URL &&
			    csaf_rhsa_from_url(c->rhsa, sizeof(c->rhsa), url) == 0)
				c->rhsa_url = url;
		}
	}
	snprintf(c->dist, sizeof(c->dist), "%s", dist);
	if ((rc = csaf_intern(v, pkg.name, &c->name)) || (rc = csaf_intern(v, pkg.module, &c->module)) ||
	    (rc = csaf_intern(v, version, &c->version)))
		return rc;
	/* arch=src is the source rpm; another arch, or a purl without one,
	 * a binary; a bare old-style component name, the source rpm. */
	c->binary = pkg.arch[0] ? strcmp(pkg.arch, "src") != 0 : pkg.has_purl;
	c->status = status;
	c->pid = pid;
	c->impact = json_string_value(json_object_get(v->impact, pid));
	v->ncands++;
	return ASEC_OK;
}

/* ---- folding candidates into entries ---- */

static int csaf_key(char *out, size_t size, const char *a, const char *b, const char *c, const char *d)
{
	return snprintf(out, size, "%s\x1f%s\x1f%s\x1f%s", a, b, c, d) >= (int)size ? -1 : 0;
}

/* Is a better than b for the same (release, module, package, kind)? */
static int csaf_better(const struct csaf_vuln *v, const struct csaf_cand *a, const struct csaf_cand *b)
{
	if (a->status != b->status)
		return a->status < b->status;
	return a->status == ST_FIXED && version_compare_rpm(csaf_str(v, a->version), csaf_str(v, b->version)) < 0;
}

static int csaf_pick_order(const void *pa, const void *pb)
{
	const struct csaf_pick *a = pa, *b = pb;
	int d;

	if ((d = strcmp(a->c->dist, b->c->dist)) || (d = strcmp(a->module, b->module)) ||
	    (d = strcmp(a->name, b->name)))
		return d;
	return a->c->binary - b->c->binary;
}

/* Picks one candidate per (release, module, package, kind) into *picks,
 * sorted, after folding binaries into their source rpms. */
static int csaf_choose(struct csaf_vuln *v, struct csaf_pick **picks, size_t *npicks)
{
	json_t *sources = json_object(), *best = json_object();
	struct csaf_pick *out = NULL;
	char key[3 * CSAF_MAX_NAME + VERSION_MAX_LEN + 64];
	size_t i, n = 0;
	int rc = ASEC_ENOMEM;

	*picks = NULL;
	*npicks = 0;
	if (!sources || !best)
		goto out;
	for (i = 0; i < v->ncands; i++) {
		const struct csaf_cand *c = &v->cands[i];

		if (!c->binary &&
		    csaf_key(key, sizeof(key), c->dist, csaf_str(v, c->module), status_names[c->status],
			     csaf_str(v, c->version)) == 0 &&
		    json_object_set_new(sources, key, json_true()))
			goto out;
	}
	for (i = 0; i < v->ncands; i++) {
		const struct csaf_cand *c = &v->cands[i];
		json_t *prev;

		if (c->binary &&
		    csaf_key(key, sizeof(key), c->dist, csaf_str(v, c->module), status_names[c->status],
			     csaf_str(v, c->version)) == 0 &&
		    json_object_get(sources, key))
			continue; /* folded into its source rpm */
		if (csaf_key(key, sizeof(key), c->dist, csaf_str(v, c->module), csaf_str(v, c->name),
			     c->binary ? "b" : "s"))
			continue; /* cannot happen: every part is bounded */
		prev = json_object_get(best, key);
		if (prev && !csaf_better(v, c, &v->cands[json_integer_value(prev)]))
			continue;
		if (json_object_set_new(best, key, json_integer((json_int_t)i)))
			goto out;
	}
	if (json_object_size(best)) {
		const char *k;
		json_t *idx;

		if (!(out = malloc(json_object_size(best) * sizeof(*out))))
			goto out;
		json_object_foreach(best, k, idx) {
			const struct csaf_cand *c = &v->cands[json_integer_value(idx)];

			out[n].c = c;
			out[n].name = csaf_str(v, c->name);
			out[n].module = csaf_str(v, c->module);
			out[n].version = csaf_str(v, c->version);
			n++;
		}
		qsort(out, n, sizeof(*out), csaf_pick_order);
	}
	*picks = out;
	*npicks = n;
	out = NULL;
	rc = ASEC_OK;
out:
	if (rc)
		csaf_nomem();
	free(out);
	json_decref(sources);
	json_decref(best);
	return rc;
}

/* ---- the record ---- */

static int csaf_severity_rank(const char *word)
{
	static const char *const order[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	const char *normalized = feed_normalize_severity(word);
	int i;

	for (i = 4; i > 0; i--)
		if (strcmp(normalized, order[i]) == 0)
			break;
	return i;
}

/* Red Hat's impact for the whole vulnerability: a threat without product
 * ids; else the word every product-specific threat agrees on; else the
 * document's aggregate severity; else the highest product-specific word. */
static const char *csaf_record_severity(const struct csaf_vuln *v)
{
	const json_t *list = json_object_get(v->json, "threats"), *t;
	const char *agreed = NULL, *highest = NULL;
	int disagree = 0;
	size_t i;

	json_array_foreach(list, i, t) {
		const char *category = csaf_string(t, "category"), *word = csaf_id(json_object_get(t, "details"));
		const json_t *ids = json_object_get(t, "product_ids");

		if (i >= CSAF_MAX_ANNOTATIONS)
			break;
		if (!category || strcmp(category, "impact") != 0 || !word)
			continue;
		if (!json_is_array(ids) || json_array_size(ids) == 0)
			return word;
		if (agreed && strcasecmp(agreed, word) != 0)
			disagree = 1;
		if (!agreed)
			agreed = word;
		if (!highest || csaf_severity_rank(word) > csaf_severity_rank(highest))
			highest = word;
	}
	if (agreed && !disagree)
		return agreed;
	return v->doc->aggregate ? v->doc->aggregate : highest;
}

/* Red Hat's CVSS vectors (scores[].cvss_v3, and v4/v2 where given),
 * checked by cvss_parse, one entry per distinct vector. */
static int csaf_add_cvss(json_t *record, const struct csaf_vuln *v)
{
	static const char *const keys[] = {"cvss_v4", "cvss_v3", "cvss_v2"};
	const json_t *list = json_object_get(v->json, "scores"), *s;
	json_t *out = json_array(), *seen = json_object();
	size_t i, k;
	int rc = ASEC_ENOMEM;

	if (!out || !seen)
		goto out;
	json_array_foreach(list, i, s) {
		if (i >= CSAF_MAX_ANNOTATIONS || json_array_size(out) >= CSAF_MAX_CVSS)
			break;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const json_t *c = json_object_get(s, keys[k]), *score = json_object_get(c, "baseScore");
			const char *vector = csaf_string(c, "vectorString");
			struct cvss_result parsed;
			json_t *entry;
			double value;

			if (!vector || strlen(vector) > CVSS_MAX_VECTOR || json_object_get(seen, vector))
				continue;
			if (cvss_parse(&parsed, vector) != ASEC_OK)
				continue; /* a vector we cannot read is no score at all */
			value = json_is_number(score) ? json_number_value(score) : parsed.base_score;
			if (!(value >= 0.0 && value <= 10.0))
				value = parsed.base_score;
			entry = json_pack("{s:s, s:s, s:f, s:s}", "version", parsed.version, "vector", vector, "score",
					  value, "source", "Red Hat");
			if (!entry || json_array_append_new(out, entry) ||
			    json_object_set_new(seen, vector, json_true()))
				goto out;
		}
	}
	if (json_array_size(out) && json_object_set(record, "cvss", out))
		goto out;
	rc = ASEC_OK;
out:
	if (rc)
		csaf_nomem();
	json_decref(out);
	json_decref(seen);
	return rc;
}

static const char *csaf_note(const json_t *vuln, const char *category)
{
	const json_t *list = json_object_get(vuln, "notes"), *n;
	size_t i;

	json_array_foreach(list, i, n) {
		const char *c = csaf_string(n, "category");

		if (i >= CSAF_MAX_ANNOTATIONS)
			break;
		if (c && strcmp(c, category) == 0 && csaf_string(n, "text"))
			return csaf_string(n, "text");
	}
	return NULL;
}

static const char *csaf_self_reference(const json_t *references)
{
	const json_t *r;
	size_t i;

	json_array_foreach(references, i, r) {
		const char *c = csaf_string(r, "category"), *url = csaf_string(r, "url");

		if (i >= CSAF_MAX_ANNOTATIONS)
			break;
		if (c && strcmp(c, "self") == 0 && url && strlen(url) <= CSAF_MAX_URL)
			return url;
	}
	return NULL;
}

static int csaf_rhsa_order(const void *pa, const void *pb)
{
	return csaf_rhsa_cmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* The advisory and aliases: the RHSAs that fixed packages of the release
 * streams are aliases, and the earliest of those behind the chosen entries
 * is the advisory; an RHSA document is its own advisory, and a VEX document
 * without fixes points at Red Hat's page for the CVE. */
static int csaf_add_advisories(json_t *record, const struct csaf_vuln *v, const struct csaf_pick *picks, size_t n)
{
	const struct csaf_cand *first = NULL;
	json_t *ids = json_object(), *aliases = json_array(), *val;
	const char **sorted = NULL, *key, *name = NULL, *link = NULL;
	size_t i, count = 0;
	int rc = ASEC_ENOMEM;

	if (!ids || !aliases)
		goto out;
	for (i = 0; i < v->ncands; i++)
		if (v->cands[i].rhsa[0] && json_object_set_new(ids, v->cands[i].rhsa, json_true()))
			goto out;
	for (i = 0; i < n; i++)
		if (picks[i].c->rhsa[0] && (!first || csaf_rhsa_cmp(picks[i].c->rhsa, first->rhsa) < 0))
			first = picks[i].c;
	if (json_object_size(ids)) {
		if (!(sorted = malloc(json_object_size(ids) * sizeof(*sorted))))
			goto out;
		json_object_foreach(ids, key, val)
			sorted[count++] = key;
		qsort(sorted, count, sizeof(*sorted), csaf_rhsa_order);
		for (i = 0; i < count; i++)
			if (json_array_append_new(aliases, json_string(sorted[i])))
				goto out;
		json_object_set(record, "aliases", aliases);
	}
	if (v->doc->advisory && v->doc->tracking_id[0]) {
		name = v->doc->tracking_id;
		link = v->doc->self_link;
	} else if (first) {
		name = first->rhsa;
		link = first->rhsa_url;
	} else if (v->doc->tracking_id[0]) {
		name = v->doc->tracking_id;
		link = csaf_self_reference(json_object_get(v->json, "references"));
		if (!link)
			link = v->doc->self_link;
	}
	if (name) {
		json_t *advisory = json_pack("{s:s}", "name", name);

		if (!advisory)
			goto out;
		if (link)
			feed_copy_text(advisory, "link", link);
		if (json_object_set_new(record, "advisory", advisory))
			goto out;
	}
	rc = ASEC_OK;
out:
	if (rc)
		csaf_nomem();
	free(sorted);
	json_decref(ids);
	json_decref(aliases);
	return rc;
}

static json_t *csaf_entry(const struct csaf_pick *p, const char *record_severity)
{
	const struct csaf_cand *c = p->c;
	json_t *a =
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "ecosystem", "rpm", "distribution", c->dist, "package", p->name,
			  "packageKind", c->binary ? "binary" : "source", "status", status_names[c->status]);
	char events[CSAF_MAX_ID + VERSION_MAX_LEN + 128]; /* never cut */

	if (!a)
		return NULL;
	if (p->module[0])
		json_object_set_new(a, "module", json_string(p->module));
	if (c->status == ST_FIXED) {
		json_t *range;

		snprintf(events, sizeof(events), "introduced 0, fixed %s in %s%s%s", p->version, c->pid,
			 c->rhsa[0] ? " by " : "", c->rhsa);
		range = json_pack("{s:s, s:s, s:s}", "introduced", "0", "fixed", p->version, "events", events);
		if (!range || json_object_set_new(a, "ranges", json_pack("[o]", range))) {
			json_decref(a);
			return NULL;
		}
	}
	if (c->impact && (!record_severity || strcasecmp(c->impact, record_severity) != 0)) {
		json_object_set_new(a, "severity", json_string(c->impact));
		json_object_set_new(a, "normalizedSeverity", json_string(feed_normalize_severity(c->impact)));
	}
	return a;
}

/* Reports what was left out of one vulnerability. */
static void csaf_report_drops(const struct csaf_vuln *v, const struct feed_sink *sink)
{
	char reason[512];
	const char *stream;
	json_t *entry;
	int i;

	if (!sink->skip)
		return;
	json_object_foreach(v->streams, stream, entry) {
		snprintf(reason, sizeof(reason),
			 "product stream %s %s: %" JSON_INTEGER_FORMAT " product statuses left out", stream,
			 json_string_value(json_object_get(entry, "why")),
			 json_integer_value(json_object_get(entry, "n")));
		sink->skip(sink->ctx, v->cve, reason);
	}
	for (i = 0; i < DROP_COUNT; i++) {
		if (!v->drops[i].n)
			continue;
		snprintf(reason, sizeof(reason), "%zu product statuses left out: %s (e.g. %s)", v->drops[i].n,
			 drop_reasons[i], v->drops[i].example);
		sink->skip(sink->ctx, v->cve, reason);
	}
}

/* ---- documents ---- */

/* One vulnerability of a document: one record, or skips. */
static int csaf_parse_vulnerability(const struct csaf_doc *doc, const json_t *vuln, json_t *seen,
				    const struct feed_sink *sink)
{
	struct csaf_vuln v;
	struct csaf_pick *picks = NULL;
	const json_t *status = json_object_get(vuln, "product_status");
	json_t *record = NULL, *affected = NULL, *entry;
	const char *severity, *text;
	size_t i, j, npicks = 0, statuses = 0;
	int rc = ASEC_OK;

	memset(&v, 0, sizeof(v));
	v.doc = doc;
	v.json = vuln;
	v.cve = csaf_string(vuln, "cve");
	if (!feed_is_cve_id(v.cve)) {
		if (sink->skip)
			sink->skip(sink->ctx, doc->tracking_id, "a vulnerability without a CVE id");
		return ASEC_OK;
	}
	if (json_object_get(seen, v.cve)) {
		if (sink->skip)
			sink->skip(sink->ctx, v.cve, "the CVE appears twice in the document; the first is kept");
		return ASEC_OK;
	}
	if (json_object_set_new(seen, v.cve, json_true()))
		return csaf_nomem();
	if (doc->tree_problem) {
		if (sink->skip)
			sink->skip(sink->ctx, v.cve, doc->tree_problem);
		return ASEC_OK;
	}
	if (!json_is_object(status)) {
		if (sink->skip)
			sink->skip(sink->ctx, v.cve, "no product_status");
		return ASEC_OK;
	}
	for (i = 0; i < sizeof(status_lists) / sizeof(status_lists[0]); i++)
		statuses += json_array_size(json_object_get(status, status_lists[i].list));
	if (statuses > CSAF_MAX_STATUSES) {
		if (sink->skip)
			sink->skip(sink->ctx, v.cve, "product_status lists more than 200000 product ids");
		return ASEC_OK;
	}
	v.remedy = json_object();
	v.impact = json_object();
	v.streams = json_object();
	v.interned = json_object();
	if (!v.remedy || !v.impact || !v.streams || !v.interned) {
		rc = csaf_nomem();
		goto out;
	}
	if ((rc = csaf_index_annotations(&v))) {
		if (rc == ASEC_ETOOBIG) {
			if (sink->skip)
				sink->skip(sink->ctx, v.cve,
					   "remediations or threats beyond 10000 entries or 1000000 product ids");
			rc = ASEC_OK;
		}
		goto out;
	}
	for (i = 0; i < sizeof(status_lists) / sizeof(status_lists[0]); i++) {
		const json_t *list = json_object_get(status, status_lists[i].list), *id;

		json_array_foreach(list, j, id) {
			const char *pid = csaf_id(id);

			if (!pid) {
				csaf_drop(&v, DROP_BAD_ID, json_is_string(id) ? "a too long string" : "not a string");
				continue;
			}
			if ((rc = csaf_take_status(&v, pid, status_lists[i].status)))
				goto out;
		}
	}
	csaf_report_drops(&v, sink);
	json_decref(v.interned); /* the pool is complete */
	v.interned = NULL;
	if ((rc = csaf_choose(&v, &picks, &npicks)))
		goto out;
	if (npicks == 0) {
		if (sink->skip)
			sink->skip(sink->ctx, v.cve, "no product status is about a package of a RHEL release stream");
		goto out;
	}
	severity = csaf_record_severity(&v);
	if (!(record = json_pack("{s:s, s:s, s:s}", "kind", "advisory", "id", v.cve, "normalizedSeverity",
				 feed_normalize_severity(severity))) ||
	    !(affected = json_array())) {
		rc = csaf_nomem();
		goto out;
	}
	if (severity)
		feed_copy_text(record, "severity", severity);
	if ((rc = csaf_add_advisories(record, &v, picks, npicks)))
		goto out;
	text = csaf_note(vuln, "summary");
	feed_copy_text(record, "summary", text ? text : csaf_string(vuln, "title"));
	text = csaf_note(vuln, "description");
	feed_copy_text(record, "description", text ? text : csaf_note(vuln, "general"));
	text = csaf_string(vuln, "release_date");
	feed_copy_text(record, "published", text ? text : csaf_string(vuln, "discovery_date"));
	feed_copy_text(record, "modified", doc->modified);
	if ((rc = csaf_add_cvss(record, &v)))
		goto out;
	for (i = 0; i < npicks; i++) {
		if (i == FEED_MAX_AFFECTED) {
			if (sink->skip)
				sink->skip(sink->ctx, v.cve, "more than 100000 packages; the rest are left out");
			break;
		}
		if (!(entry = csaf_entry(&picks[i], severity)) || json_array_append_new(affected, entry)) {
			rc = csaf_nomem();
			goto out;
		}
	}
	if (json_object_set(record, "affected", affected)) {
		rc = csaf_nomem();
		goto out;
	}
	rc = sink->record(sink->ctx, record);
	record = NULL; /* the sink owns it now */
out:
	json_decref(record);
	json_decref(affected);
	free(picks);
	free(v.cands);
	free(v.pool);
	json_decref(v.interned);
	json_decref(v.remedy);
	json_decref(v.impact);
	json_decref(v.streams);
	return rc;
}

/* Is root a CSAF document at all? */
static int csaf_recognize(const json_t *root)
{
	const json_t *document = json_object_get(root, "document");
	const char *category = csaf_string(document, "category"), *version = csaf_string(document, "csaf_version");

	if (!json_is_object(document))
		return 0;
	return (category && strncmp(category, "csaf_", 5) == 0) || (version && strncmp(version, "2.", 2) == 0);
}

/* One document: records for its CVEs. Returns a sink's nonzero value or an
 * allocation failure; what is wrong with the document goes to skip. */
static int csaf_parse_document(json_t *root, const struct feed_sink *sink)
{
	const json_t *document = json_object_get(root, "document"), *tracking = json_object_get(document, "tracking");
	const json_t *vulns = json_object_get(root, "vulnerabilities"), *vuln;
	const char *category = csaf_string(document, "category"), *status = csaf_string(tracking, "status");
	struct csaf_doc doc;
	json_t *seen = NULL;
	size_t i;
	int rc = ASEC_OK;

	memset(&doc, 0, sizeof(doc));
	doc.root = root;
	doc.tracking_id = csaf_id(json_object_get(tracking, "id"));
	if (!doc.tracking_id)
		doc.tracking_id = "";
	doc.aggregate = csaf_id(json_object_get(json_object_get(document, "aggregate_severity"), "text"));
	doc.modified = csaf_string(tracking, "current_release_date");
	doc.advisory = category && strcmp(category, "csaf_security_advisory") == 0;
	doc.self_link = csaf_self_reference(json_object_get(document, "references"));
	if (doc.advisory) {
		/* An RHSA's first self reference is its errata page. */
		const json_t *r;

		json_array_foreach(json_object_get(document, "references"), i, r) {
			const char *url = csaf_string(r, "url"), *c = csaf_string(r, "category");

			if (i >= CSAF_MAX_ANNOTATIONS)
				break;
			if (c && strcmp(c, "self") == 0 && url && strstr(url, "/errata/") &&
			    strlen(url) <= CSAF_MAX_URL) {
				doc.self_link = url;
				break;
			}
		}
	}
	if (status && strcmp(status, "deleted") == 0) {
		if (sink->skip)
			sink->skip(sink->ctx, doc.tracking_id, "the document is marked deleted");
		return ASEC_OK;
	}
	if (!json_is_array(vulns) || json_array_size(vulns) == 0) {
		if (sink->skip)
			sink->skip(sink->ctx, doc.tracking_id, "the document has no vulnerabilities");
		return ASEC_OK;
	}
	doc.products = json_object();
	doc.relations = json_object();
	doc.others = json_object();
	seen = json_object();
	if (!doc.products || !doc.relations || !doc.others || !seen) {
		rc = csaf_nomem();
		goto out;
	}
	if ((rc = csaf_index_tree(&doc)) == ASEC_ENOMEM)
		goto out;
	rc = ASEC_OK; /* an unusable tree is reported for each vulnerability */
	json_array_foreach(vulns, i, vuln) {
		if (i == CSAF_MAX_VULNERABILITIES) {
			if (sink->skip)
				sink->skip(sink->ctx, doc.tracking_id,
					   "more than 10000 vulnerabilities; the rest are left out");
			break;
		}
		if (!json_is_object(vuln)) {
			if (sink->skip)
				sink->skip(sink->ctx, doc.tracking_id, "a vulnerability that is not an object");
			continue;
		}
		if ((rc = csaf_parse_vulnerability(&doc, vuln, seen, sink)))
			break;
	}
out:
	json_decref(doc.products);
	json_decref(doc.relations);
	json_decref(doc.others);
	json_decref(seen);
	return rc;
}

struct csaf_lines {
	const struct feed_sink *sink;
	const char *name;
	size_t documents; /* CSAF documents recognized */
	size_t line;
};

/* A line of JSON Lines. The first line decides whether the file is CSAF
 * at all; a later bad line is skipped. */
static int csaf_parse_line(void *ctx, const char *line, size_t len)
{
	struct csaf_lines *l = ctx;
	json_error_t err;
	json_t *root;
	char reason[256];
	int rc;

	l->line++;
	root = json_loadb(line, len, 0, &err);
	if (!root || !csaf_recognize(root)) {
		const char *why = root ? "not a CSAF document" : err.text;

		json_decref(root);
		if (l->documents == 0) {
			error_set("csaf: %s is neither a CSAF 2.0 document nor JSON Lines of them (line %zu: %s)",
				  l->name, l->line, why);
			return ASEC_EINVALID;
		}
		snprintf(reason, sizeof(reason), "line %zu is left out: %s", l->line, why);
		if (l->sink->skip)
			l->sink->skip(l->sink->ctx, "", reason);
		return ASEC_OK;
	}
	l->documents++;
	rc = csaf_parse_document(root, l->sink);
	json_decref(root);
	return rc;
}

int feed_parse_csaf(const char *name, const char *data, size_t len, const struct feed_sink *sink)
{
	struct csaf_lines lines = {sink, name ? name : "the input", 0, 0};
	json_error_t err;
	json_t *first = NULL;
	size_t used, rest;
	int rc;

	if (!data || !sink || !sink->record) {
		error_set("csaf: no data or no sink");
		return ASEC_EINVALID;
	}
	/* One (pretty-printed) document, or JSON Lines: whether anything
	 * follows the first value says which. Lines are then read one by one,
	 * the first a second time, which costs less than the bookkeeping of
	 * reusing it. */
	if (len <= FEED_MAX_DOCUMENT_BYTES)
		first = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &err);
	if (first) {
		used = err.position > 0 ? (size_t)err.position : 0;
		for (rest = used; rest < len && isspace((unsigned char)data[rest]); rest++)
			;
		if (rest == len) {
			if (!csaf_recognize(first)) {
				json_decref(first);
				error_set("csaf: %s is not a CSAF 2.0 document (no document.category csaf_*)",
					  name ? name : "the input");
				return ASEC_EINVALID;
			}
			rc = csaf_parse_document(first, sink);
			json_decref(first);
			return rc;
		}
		json_decref(first);
	}
	if ((rc = feed_each_line(data, len, sink, csaf_parse_line, &lines)))
		return rc;
	if (lines.documents == 0) {
		error_set("csaf: %s holds no CSAF 2.0 document", name ? name : "the input");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}
