/*
 * seed.c - made-up images, findings and alerts for Central DB (see seed.h).
 *
 * HOW AN IMAGE IS MADE. Image i draws from a generator seeded with
 * (seed, i): its name (registry, repository, a tag that embeds i, so names
 * never repeat), its distribution (Debian/Ubuntu, Alpine, RHEL, or none:
 * distroless), zero to two language ecosystems, a Dockerfile history, and
 * then its findings, as many as the plan gives it. Every finding is a CVE
 * of one shared pool, and each CVE of the pool belongs to one package name
 * of one ecosystem; taking the CVE brings its package into the image (the
 * version is one of a few per package, so images share name and version
 * too). The pool is split by ecosystem and drawn from with a heavy head
 * (rank = size * u^2.5): the first 1 % of CVEs take about 16 % of the
 * findings, as with the openssl or glibc CVEs that every base image
 * carries, while most CVEs appear in a handful of images. A CVE's
 * attributes (id, severity and a CVSS score in the severity's band, fixed
 * or not, EPSS, a KEV entry for a few criticals, summary, advisory) are a
 * pure function of (seed, its pool index), so it reads the same in every
 * image. Packages without findings are added from the same name lists.
 *
 * Counts, top CVSS and the risk score follow docs/images.md (the risk
 * formula is the converter's), so list pages sort and filter as they would
 * on real scans.
 *
 * HOW THE FINDINGS ARE SPREAD. The plan gives image i a weight drawn from a
 * log-normal (a few images carry hundreds of findings, most a few; 6 % none)
 * and hands out the total in proportion, the rounding remainders to the
 * largest fractions, so that the sum is exactly what was asked for.
 *
 * ALERTS. Entities take turns: an image (BUILD, keyed by its full name), a
 * deployment (DEPLOY) and a deployment (RUNTIME), each with one to three
 * alerts of distinct stored policies of that stage, until the number asked
 * for is reached. Deployment keys embed the entity's number, so entities
 * never merge and a re-run updates the same ACTIVE alerts.
 */
#include "seed.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error/error.h"
#include "store_alerts.h"
#include "store_images.h"
#include "store_policies.h"

/* ---- the generator --------------------------------------------------------- */

/* splitmix64: tiny, fast, and good enough that neighbouring seeds give
 * unrelated streams, which is all a data generator needs. */
static uint64_t sd_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

struct sd_rng {
	uint64_t s;
};

static uint64_t sd_next(struct sd_rng *r)
{
	r->s += 0x9E3779B97F4A7C15ull;
	return sd_mix(r->s);
}

static double sd_unit(struct sd_rng *r)
{
	return (double)(sd_next(r) >> 11) * 0x1.0p-53;
}

static size_t sd_below(struct sd_rng *r, size_t n)
{
	return n ? (size_t)(sd_next(r) % n) : 0;
}

/* Streams keep the draws of names, bodies, CVEs and alerts apart, so that
 * changing how one is drawn leaves the others as they were. */
enum { SD_STREAM_PLAN = 1, SD_STREAM_NAME, SD_STREAM_BODY, SD_STREAM_CVE, SD_STREAM_VERSION, SD_STREAM_ALERT };

static struct sd_rng sd_rng_for(uint64_t seed, uint64_t stream, uint64_t index)
{
	struct sd_rng r = {sd_mix(seed ^ sd_mix((stream << 40) ^ index ^ 0x5EEDC0DEull))};
	return r;
}

static const char *sd_pick(struct sd_rng *r, const char *const *list, size_t n)
{
	return list[sd_below(r, n)];
}

#define SD_N(a) (sizeof(a) / sizeof((a)[0]))
#define SD_PICK(r, a) sd_pick((r), (a), SD_N(a))

/* ---- ecosystems and their packages ------------------------------------------ */

enum sd_eco { SD_DPKG, SD_APK, SD_RPM, SD_PYTHON, SD_NPM, SD_JAVA, SD_GO, SD_ECO_COUNT };

static const char *const sd_dpkg[] = {
	"openssl", "libssl3", "libc6", "libc-bin", "zlib1g", "curl", "libcurl4", "libxml2", "libexpat1", "bash",
	"coreutils", "tar", "gzip", "libgnutls30", "libsystemd0", "libudev1", "perl-base", "ncurses-base",
	"libsqlite3-0", "libkrb5-3", "libgssapi-krb5-2", "libpcre2-8-0", "util-linux", "libtasn1-6", "libzstd1",
	"liblzma5", "libbz2-1.0", "login", "passwd", "libpam-modules", "libgcrypt20", "libnghttp2-14", "libssh2-1",
	"libldap-2.5-0", "libtiff6", "libpng16-16", "libjpeg62-turbo", "libfreetype6", "git", "openssh-client",
	"apt", "dpkg", "libdb5.3", "libcap2", "libseccomp2",
};
static const char *const sd_apk[] = {
	"musl", "musl-utils", "busybox", "busybox-binsh", "libcrypto3", "libssl3", "apk-tools", "zlib",
	"ssl_client", "ca-certificates-bundle", "libcurl", "curl", "libexpat", "libxml2", "pcre2", "ncurses-libs",
	"sqlite-libs", "libgcc", "libstdc++", "nghttp2-libs", "brotli-libs", "openssl",
};
static const char *const sd_rpm[] = {
	"glibc", "glibc-common", "openssl-libs", "systemd-libs", "rpm-libs", "krb5-libs", "libxml2", "curl",
	"libcurl-minimal", "zlib", "bash", "coreutils-single", "expat", "gnutls", "libgcrypt", "pcre2", "sqlite-libs",
	"libzstd", "xz-libs", "bzip2-libs", "ncurses-libs", "pam", "shadow-utils", "libssh", "nss", "python3-libs",
	"tzdata", "libcap", "dnf-data", "microdnf",
};
static const char *const sd_python[] = {
	"Jinja2", "requests", "urllib3", "PyYAML", "cryptography", "Django", "Flask", "Werkzeug", "certifi",
	"idna", "setuptools", "pip", "aiohttp", "pillow", "numpy", "sqlparse", "gunicorn", "paramiko",
};
static const char *const sd_npm[] = {
	"lodash", "express", "minimist", "axios", "jsonwebtoken", "semver", "qs", "body-parser", "ws", "tar",
	"follow-redirects", "path-to-regexp", "moment", "node-fetch", "cookie", "debug", "ms", "json5",
};
static const char *const sd_java[] = {
	"org.apache.logging.log4j:log4j-core", "com.fasterxml.jackson.core:jackson-databind",
	"org.springframework:spring-core", "org.springframework:spring-web", "io.netty:netty-handler",
	"org.apache.commons:commons-text", "org.yaml:snakeyaml", "com.google.guava:guava",
	"org.apache.tomcat.embed:tomcat-embed-core", "ch.qos.logback:logback-core", "com.h2database:h2",
	"org.postgresql:postgresql", "commons-io:commons-io", "org.bouncycastle:bcprov-jdk18on",
};
static const char *const sd_go[] = {
	"golang.org/x/net", "golang.org/x/crypto", "golang.org/x/text", "google.golang.org/grpc",
	"google.golang.org/protobuf", "github.com/docker/docker", "github.com/opencontainers/runc",
	"github.com/containerd/containerd", "k8s.io/client-go", "github.com/prometheus/client_golang",
	"github.com/gin-gonic/gin", "gopkg.in/yaml.v3", "stdlib",
};

static const struct sd_eco_info {
	const char *const *names;
	size_t count;
	const char *source;
	const char *data_source;
	int is_os;
} sd_ecos[SD_ECO_COUNT] = {
	[SD_DPKG] = {sd_dpkg, SD_N(sd_dpkg), "OS", "debian-security-tracker", 1},
	[SD_APK] = {sd_apk, SD_N(sd_apk), "OS", "alpine-secdb", 1},
	[SD_RPM] = {sd_rpm, SD_N(sd_rpm), "OS", "rhel-vex", 1},
	[SD_PYTHON] = {sd_python, SD_N(sd_python), "PYTHON", "osv-pypi", 0},
	[SD_NPM] = {sd_npm, SD_N(sd_npm), "NODEJS", "osv-npm", 0},
	[SD_JAVA] = {sd_java, SD_N(sd_java), "JAVA", "osv-maven", 0},
	[SD_GO] = {sd_go, SD_N(sd_go), "GO", "osv-go", 0},
};

/* ---- the plan -------------------------------------------------------------- */

struct seed_plan {
	uint64_t seed;
	int64_t now_ms;
	size_t images, findings;
	size_t pool_per_eco; /* CVEs per ecosystem; CVE j is of ecosystem j % SD_ECO_COUNT */
	uint32_t *counts;    /* findings of each image */
};

struct sd_frac {
	double frac;
	size_t index;
};

static int sd_frac_cmp(const void *pa, const void *pb)
{
	const struct sd_frac *a = pa, *b = pb;

	if (a->frac != b->frac)
		return a->frac < b->frac ? 1 : -1;
	return a->index < b->index ? -1 : a->index > b->index;
}

int seed_plan_make(struct seed_plan **out, uint64_t seed, size_t images, size_t findings, int64_t now_ms)
{
	struct seed_plan *p = NULL;
	double *w = NULL, total = 0, mean, cap_w;
	struct sd_frac *fr = NULL;
	size_t given = 0, cap, pool;
	int rc = ASEC_OK;

	*out = NULL;
	if (images > SEED_MAX_IMAGES || findings > SEED_MAX_FINDINGS) {
		error_set("at most %d images and %d findings", SEED_MAX_IMAGES, SEED_MAX_FINDINGS);
		return ASEC_EINVALID;
	}
	if (findings && !images) {
		error_set("findings need images to be in");
		return ASEC_EINVALID;
	}
	/* about 8 findings per CVE, and enough CVEs per ecosystem that a
	 * busy image can still find new ones */
	pool = findings / 8;
	if (pool < SD_ECO_COUNT * 64)
		pool = SD_ECO_COUNT * 64;
	cap = pool / 2 < 2000 ? pool / 2 : 2000;
	if (images && findings / images >= cap) {
		error_set("%zu findings over %zu images is more than %zu an image", findings, images, cap);
		return ASEC_EINVALID;
	}
	if (!(p = calloc(1, sizeof(*p))) || (images && (!(p->counts = calloc(images, sizeof(*p->counts))) ||
							 !(w = calloc(images, sizeof(*w))) ||
							 !(fr = calloc(images, sizeof(*fr)))))) {
		error_set("out of memory planning %zu images", images);
		rc = ASEC_ENOMEM;
		goto out;
	}
	p->seed = seed;
	p->now_ms = now_ms;
	p->images = images;
	p->findings = findings;
	p->pool_per_eco = (pool + SD_ECO_COUNT - 1) / SD_ECO_COUNT;
	if (!images)
		goto out;

	for (size_t i = 0; i < images; i++) {
		struct sd_rng r = sd_rng_for(seed, SD_STREAM_PLAN, i);
		double u1 = sd_unit(&r), u2 = sd_unit(&r), g;
		g = sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
		w[i] = sd_unit(&r) < 0.06 ? 0 : exp(1.1 * g);
		total += w[i];
	}
	if (total == 0)
		for (size_t i = 0; i < images; i++)
			w[i] = 1, total += 1;
	/* no image may take more than 40 times the mean, nor more than the cap */
	mean = total / (double)images;
	cap_w = 40 * mean;
	total = 0;
	for (size_t i = 0; i < images; i++) {
		if (w[i] > cap_w)
			w[i] = cap_w;
		total += w[i];
	}
	for (size_t i = 0; i < images; i++) {
		double share = (double)findings * w[i] / total;
		size_t n = (size_t)share;
		if (n > cap)
			n = cap;
		p->counts[i] = (uint32_t)n;
		given += n;
		fr[i].frac = w[i] > 0 && n < cap ? share - (double)n : -1;
		fr[i].index = i;
	}
	qsort(fr, images, sizeof(*fr), sd_frac_cmp);
	/* the remainder, one each to the largest fractions, round after round
	 * (more than one round only when the cap cut shares) */
	while (given < findings) {
		size_t before = given;
		for (size_t k = 0; k < images && given < findings; k++) {
			size_t i = fr[k].index;
			if (p->counts[i] < cap && (w[i] > 0 || before == 0)) {
				p->counts[i]++;
				given++;
			}
		}
		if (given == before) {
			for (size_t i = 0; i < images && given < findings; i++)
				if (p->counts[i] < cap)
					p->counts[i]++, given++;
			if (given == before) {
				error_set("cannot place %zu findings", findings);
				rc = ASEC_EINVALID;
				goto out;
			}
		}
	}
out:
	free(w);
	free(fr);
	if (rc)
		seed_plan_free(p);
	else
		*out = p;
	return rc;
}

void seed_plan_free(struct seed_plan *plan)
{
	if (!plan)
		return;
	free(plan->counts);
	free(plan);
}

size_t seed_plan_findings_of(const struct seed_plan *plan, size_t index)
{
	return index < plan->images ? plan->counts[index] : 0;
}

/* ---- times ----------------------------------------------------------------- */

static void sd_time(char out[64], int64_t ms, int with_ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	int milli = (int)(ms - (int64_t)t * 1000);

	gmtime_r(&t, &tm);
	if (with_ms)
		snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
	else
		snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

#define SD_DAY_MS (86400000ll)

/* ---- CVEs of the pool -------------------------------------------------------- */

enum sd_sev { SD_UNKNOWN, SD_LOW, SD_MODERATE, SD_IMPORTANT, SD_CRITICAL };

static const char *const sd_sev_names[] = {
	"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY", "MODERATE_VULNERABILITY_SEVERITY",
	"IMPORTANT_VULNERABILITY_SEVERITY", "CRITICAL_VULNERABILITY_SEVERITY",
};
/* docs/images.md: the floor a severity gives the risk weight */
static const double sd_sev_floor[] = {3.0, 3.0, 5.0, 7.0, 9.0};

struct sd_cve {
	size_t j;
	enum sd_eco eco;
	size_t package; /* index into the ecosystem's names */
	char id[32];
	enum sd_sev sev;
	double cvss;
	int fixable, fix_bump, kev;
	double epss;
	int year, month, day;
	uint64_t h; /* more draws for the text */
};

static void sd_cve_of(struct sd_cve *c, const struct seed_plan *p, size_t j)
{
	struct sd_rng r = sd_rng_for(p->seed, SD_STREAM_CVE, j);
	double u;

	memset(c, 0, sizeof(*c));
	c->j = j;
	c->eco = (enum sd_eco)(j % SD_ECO_COUNT);
	/* popular CVEs sit on the most common packages of their ecosystem
	 * (the first names of each list) */
	c->package = j / SD_ECO_COUNT < 64 ? sd_below(&r, (sd_ecos[c->eco].count + 1) / 2)
					   : sd_below(&r, sd_ecos[c->eco].count);
	/* unique ids: the year and the rank within it both come from j */
	c->year = 2014 + (int)(j % 11);
	snprintf(c->id, sizeof(c->id), "CVE-%d-%d", c->year, 1000 + (int)(j / 11) * 3 + (int)sd_below(&r, 3));
	u = sd_unit(&r);
	c->sev = u < 0.08 ? SD_CRITICAL : u < 0.33 ? SD_IMPORTANT : u < 0.78 ? SD_MODERATE : u < 0.95 ? SD_LOW : SD_UNKNOWN;
	switch (c->sev) {
	case SD_CRITICAL: c->cvss = 9.0 + (double)sd_below(&r, 11) / 10; break;
	case SD_IMPORTANT: c->cvss = 7.0 + (double)sd_below(&r, 20) / 10; break;
	case SD_MODERATE: c->cvss = 4.0 + (double)sd_below(&r, 30) / 10; break;
	case SD_LOW: c->cvss = 1.0 + (double)sd_below(&r, 30) / 10; break;
	default: c->cvss = 0; break;
	}
	c->fixable = sd_unit(&r) < 0.65;
	c->fix_bump = 1 + (int)sd_below(&r, 4);
	c->kev = c->sev == SD_CRITICAL && sd_unit(&r) < 0.12;
	c->epss = c->kev ? 0.5 + sd_unit(&r) / 2 : pow(sd_unit(&r), 6);
	c->month = 1 + (int)sd_below(&r, 12);
	c->day = 1 + (int)sd_below(&r, 28);
	c->h = sd_next(&r);
}

static const char *const sd_impacts[] = {
	"a denial of service", "remote code execution", "a heap-based buffer overflow", "an out-of-bounds read",
	"disclosure of sensitive information", "a use-after-free", "privilege escalation", "HTTP request smuggling",
	"a NULL pointer dereference", "path traversal", "cross-site scripting", "an integer overflow",
	"excessive memory consumption", "a bypass of certificate verification",
};
static const char *const sd_vectors[] = {
	"a crafted request", "a malformed certificate", "an overly long header", "a specially crafted archive",
	"untrusted input to the parser", "a malicious regular expression", "a crafted URL", "deeply nested JSON",
	"a crafted file", "a malicious server response",
};
static const char *const sd_cwes[] = {"CWE-787", "CWE-79", "CWE-89", "CWE-416", "CWE-20",
				      "CWE-125", "CWE-22", "CWE-400", "CWE-476", "CWE-190"};

static const char *sd_vector_of(enum sd_sev s)
{
	switch (s) {
	case SD_CRITICAL: return "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
	case SD_IMPORTANT: return "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
	case SD_MODERATE: return "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L";
	default: return "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N";
	}
}

static const char *sd_v3_rating(double score)
{
	return score >= 9 ? "CRITICAL" : score >= 7 ? "HIGH" : score >= 4 ? "MEDIUM" : score > 0 ? "LOW" : "NONE";
}

/* ---- packages' versions ------------------------------------------------------ */

struct sd_version {
	int a, b, c, rel;
};

/* One of four versions a package has across all images, so that name and
 * version repeat from image to image as they do in real fleets. */
static struct sd_version sd_version_of(const struct seed_plan *p, enum sd_eco eco, size_t package, int variant)
{
	struct sd_rng r = sd_rng_for(p->seed, SD_STREAM_VERSION, ((uint64_t)eco * 1000 + package) * 4 + (uint64_t)variant);
	struct sd_version v = {(int)sd_below(&r, 4), (int)sd_below(&r, 30), (int)sd_below(&r, 20),
			       1 + (int)sd_below(&r, 9)};
	if (eco == SD_GO || eco == SD_NPM || eco == SD_PYTHON)
		v.a = v.a ? v.a : 1;
	return v;
}

static void sd_version_text(char *out, size_t size, enum sd_eco eco, struct sd_version v, int bump)
{
	int c = v.c + bump;

	switch (eco) {
	case SD_DPKG: snprintf(out, size, "%d.%d.%d-%d+deb12u%d", v.a, v.b, c, v.rel, 1 + v.rel % 3); break;
	case SD_APK: snprintf(out, size, "%d.%d.%d-r%d", v.a, v.b, c, v.rel); break;
	case SD_RPM: snprintf(out, size, "%d.%d.%d-%d.el9", v.a, v.b, c, v.rel); break;
	case SD_GO: snprintf(out, size, "v%d.%d.%d", v.a, v.b, c); break;
	default: snprintf(out, size, "%d.%d.%d", v.a, v.b, c); break;
	}
}

/* ---- an image ---------------------------------------------------------------- */

static const char *const sd_orgs[] = {
	"acme", "payments", "platform", "data-eng", "observability", "storefront", "ml-serving", "identity",
	"logistics", "bank-core", "edge", "devtools",
};
static const char *const sd_apps[] = {
	"api-gateway", "billing-service", "checkout", "user-service", "inventory", "order-processor",
	"notification-worker", "search-indexer", "auth-proxy", "report-generator", "recommendation-engine",
	"payment-gateway", "fraud-detector", "shipping-tracker", "catalog-api", "session-store", "metrics-exporter",
	"log-shipper", "config-server", "feature-flags", "image-resizer", "email-sender", "webhook-relay",
	"scheduler", "ledger", "kyc-service", "chat-backend", "pricing-engine", "audit-log", "cdn-purger",
};
static const char *const sd_official[] = {
	"nginx", "redis", "postgres", "python", "node", "golang", "httpd", "mysql", "mongo", "rabbitmq",
	"memcached", "traefik", "haproxy", "busybox", "ubuntu", "debian", "alpine", "eclipse-temurin", "tomcat",
};

struct sd_ident {
	const char *registry;
	char remote[128], tag[64], full[320], id[80], app[64];
	enum sd_eco os;  /* SD_ECO_COUNT: none */
	char os_name[32];
	int langs[2], nlangs;
};

static void sd_hex(char *out, size_t hexlen, struct sd_rng *r)
{
	static const char digits[] = "0123456789abcdef";
	uint64_t x = 0;

	for (size_t i = 0; i < hexlen; i++) {
		if (i % 16 == 0)
			x = sd_next(r);
		out[i] = digits[x & 15];
		x >>= 4;
	}
	out[hexlen] = '\0';
}

static void sd_ident_of(struct sd_ident *id, const struct seed_plan *p, size_t index)
{
	struct sd_rng r = sd_rng_for(p->seed, SD_STREAM_NAME, index);
	double u = sd_unit(&r);
	const char *suffix = "";
	unsigned major = 1 + (unsigned)sd_below(&r, 9), minor = (unsigned)sd_below(&r, 10);

	memset(id, 0, sizeof(*id));
	memcpy(id->id, "sha256:", 7);
	sd_hex(id->id + 7, 64, &r);
	id->registry = u < 0.40   ? "docker.io"
		       : u < 0.55 ? "quay.io"
		       : u < 0.65 ? "gcr.io"
		       : u < 0.80 ? "ghcr.io"
		       : u < 0.90 ? "registry.example.com:5000"
				  : "harbor.corp.example";
	if (strcmp(id->registry, "docker.io") == 0 && sd_unit(&r) < 0.35) {
		snprintf(id->app, sizeof(id->app), "%s", SD_PICK(&r, sd_official));
		snprintf(id->remote, sizeof(id->remote), "library/%s", id->app);
	} else {
		snprintf(id->app, sizeof(id->app), "%s", SD_PICK(&r, sd_apps));
		snprintf(id->remote, sizeof(id->remote), "%s/%s", SD_PICK(&r, sd_orgs), id->app);
	}

	u = sd_unit(&r);
	if (u < 0.40) {
		static const char *const v[] = {"debian:12", "debian:11", "ubuntu:22.04", "ubuntu:24.04"};
		id->os = SD_DPKG;
		snprintf(id->os_name, sizeof(id->os_name), "%s", SD_PICK(&r, v));
		suffix = "-slim";
	} else if (u < 0.68) {
		static const char *const v[] = {"alpine:3.18.6", "alpine:3.19.1", "alpine:3.20.0"};
		id->os = SD_APK;
		snprintf(id->os_name, sizeof(id->os_name), "%s", SD_PICK(&r, v));
		suffix = "-alpine";
	} else if (u < 0.90) {
		static const char *const v[] = {"rhel:8.9", "rhel:9.4", "centos:7"};
		id->os = SD_RPM;
		snprintf(id->os_name, sizeof(id->os_name), "%s", SD_PICK(&r, v));
		suffix = "-ubi";
	} else {
		id->os = SD_ECO_COUNT;
		snprintf(id->os_name, sizeof(id->os_name), "unknown");
		suffix = "-distroless";
	}
	u = sd_unit(&r);
	id->nlangs = u < 0.35 ? 0 : u < 0.80 ? 1 : 2;
	for (int k = 0; k < id->nlangs; k++) {
		id->langs[k] = SD_PYTHON + (int)sd_below(&r, 4);
		if (k == 1 && id->langs[1] == id->langs[0])
			id->langs[1] = SD_PYTHON + (id->langs[0] - SD_PYTHON + 1) % 4;
	}
	if (id->os == SD_ECO_COUNT && id->nlangs == 0)
		id->langs[id->nlangs++] = SD_GO; /* a static binary on distroless */

	/* the index is the last number of every tag: no two images share a
	 * name (one-digit major and minor keep "v1.23.4" from meeting
	 * "v1.2.34") */
	switch (sd_below(&r, 5)) {
	case 0: snprintf(id->tag, sizeof(id->tag), "v%u.%u.%zu", major, minor, index); break;
	case 1: snprintf(id->tag, sizeof(id->tag), "%u.%u.%zu", major, minor, index); break;
	case 2: snprintf(id->tag, sizeof(id->tag), "%u.%u.%zu%s", major, minor, index, suffix); break;
	case 3: snprintf(id->tag, sizeof(id->tag), "build-%zu", index); break;
	default: snprintf(id->tag, sizeof(id->tag), "%04u.%02u.%zu", 2023 + major % 3, 1 + minor, index); break;
	}
	snprintf(id->full, sizeof(id->full), "%s/%s:%s", id->registry, id->remote, id->tag);
}

int seed_image_name(char *out, size_t size, const struct seed_plan *plan, size_t index)
{
	struct sd_ident id;

	if (index >= plan->images) {
		error_set("no image %zu in a plan of %zu", index, plan->images);
		return ASEC_EINVALID;
	}
	sd_ident_of(&id, plan, index);
	if ((size_t)snprintf(out, size, "%s", id.full) >= size) {
		error_set("image name longer than %zu bytes", size);
		return ASEC_ETOOBIG;
	}
	return ASEC_OK;
}

/* An image's package while it is being made, and its findings. */
struct sd_comp {
	enum sd_eco eco;
	size_t package;
	int variant, layer;
	size_t *cves; /* pool indices */
	size_t ncves, cap;
};

struct sd_build {
	struct sd_comp *comps;
	size_t ncomps, cap;
	size_t *taken; /* every pool index in the image, for "already there" */
	size_t ntaken;
};

static void sd_build_free(struct sd_build *b)
{
	for (size_t i = 0; i < b->ncomps; i++)
		free(b->comps[i].cves);
	free(b->comps);
	free(b->taken);
}

static int sd_comp_find_or_add(struct sd_comp **out, struct sd_build *b, enum sd_eco eco, size_t package,
			       struct sd_rng *r, int layer)
{
	for (size_t i = 0; i < b->ncomps; i++)
		if (b->comps[i].eco == eco && b->comps[i].package == package) {
			*out = &b->comps[i];
			return ASEC_OK;
		}
	if (b->ncomps == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct sd_comp *n = realloc(b->comps, cap * sizeof(*n));
		if (!n) {
			error_set("out of memory making an image");
			return ASEC_ENOMEM;
		}
		b->comps = n;
		b->cap = cap;
	}
	*out = &b->comps[b->ncomps++];
	memset(*out, 0, sizeof(**out));
	(*out)->eco = eco;
	(*out)->package = package;
	(*out)->variant = (int)sd_below(r, 4);
	(*out)->layer = layer;
	return ASEC_OK;
}

static int sd_taken(const struct sd_build *b, size_t j)
{
	for (size_t i = 0; i < b->ntaken; i++)
		if (b->taken[i] == j)
			return 1;
	return 0;
}

static int sd_add_finding(struct sd_build *b, const struct seed_plan *p, size_t j, struct sd_rng *r,
			  const int *eco_layer)
{
	struct sd_cve c;
	struct sd_comp *comp;
	int rc;

	sd_cve_of(&c, p, j);
	if ((rc = sd_comp_find_or_add(&comp, b, c.eco, c.package, r, eco_layer[c.eco])))
		return rc;
	if (comp->ncves == comp->cap) {
		size_t cap = comp->cap ? comp->cap * 2 : 4;
		size_t *n = realloc(comp->cves, cap * sizeof(*n));
		if (!n) {
			error_set("out of memory making an image");
			return ASEC_ENOMEM;
		}
		comp->cves = n;
		comp->cap = cap;
	}
	comp->cves[comp->ncves++] = j;
	b->taken[b->ntaken++] = j;
	return ASEC_OK;
}

/* The findings of an image: n distinct CVEs of its ecosystems, drawn with
 * the heavy head; when an ecosystem's pool is nearly used up by this image,
 * the next free CVE in pool order, then any ecosystem's. */
static int sd_fill_findings(struct sd_build *b, const struct seed_plan *p, const struct sd_ident *id, size_t n,
			    struct sd_rng *r, const int *eco_layer)
{
	int ecos[3], necos = 0, rc;
	size_t per = p->pool_per_eco;

	if (!n)
		return ASEC_OK;
	if (!(b->taken = malloc(n * sizeof(*b->taken)))) {
		error_set("out of memory making an image");
		return ASEC_ENOMEM;
	}
	if (id->os != SD_ECO_COUNT)
		ecos[necos++] = id->os;
	for (int k = 0; k < id->nlangs; k++)
		ecos[necos++] = id->langs[k];
	for (size_t k = 0; k < n; k++) {
		size_t j = 0;
		int found = 0;
		for (int attempt = 0; attempt < 16 && !found; attempt++) {
			/* the distribution's packages carry most findings */
			int e = id->os != SD_ECO_COUNT && (necos == 1 || sd_unit(r) < 0.7)
					? ecos[0]
					: ecos[id->os != SD_ECO_COUNT ? 1 + (int)sd_below(r, (size_t)necos - 1)
								      : (int)sd_below(r, (size_t)necos)];
			size_t rank = (size_t)((double)per * pow(sd_unit(r), 2.5));
			if (rank >= per)
				rank = per - 1;
			j = rank * SD_ECO_COUNT + (size_t)e;
			found = !sd_taken(b, j);
		}
		for (int pass = 0; pass < 2 && !found; pass++)
			for (size_t e = 0; e < SD_ECO_COUNT && !found; e++) {
				int mine = 0;
				for (int q = 0; q < necos; q++)
					mine |= ecos[q] == (int)e;
				if (mine != (pass == 0))
					continue;
				for (size_t rank = 0; rank < per && !found; rank++) {
					j = rank * SD_ECO_COUNT + e;
					found = !sd_taken(b, j);
				}
			}
		if (!found) {
			error_set("no CVE left for a finding (pool of %zu)", per * SD_ECO_COUNT);
			return ASEC_EINVALID;
		}
		if ((rc = sd_add_finding(b, p, j, r, eco_layer)))
			return rc;
	}
	return ASEC_OK;
}

/* Accumulates jansson failures (NULL values, failed sets) into one flag, so
 * that building a document checks once at the end. */
static void sd_set(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!o || !v || json_object_set_new(o, key, v))
		*bad = 1;
}

static void sd_append(json_t *a, json_t *v, int *bad)
{
	if (!a || !v || json_array_append_new(a, v))
		*bad = 1;
}

static json_t *sd_vuln_json(const struct seed_plan *p, const struct sd_cve *c, const char *package, enum sd_eco eco,
			    struct sd_version v, int *bad)
{
	struct sd_rng r = {c->h};
	char text[512], link[160], fixed[64], date[32];
	json_t *o = json_object();
	const char *impact = SD_PICK(&r, sd_impacts), *vector = SD_PICK(&r, sd_vectors);

	snprintf(text, sizeof(text),
		 "A flaw was found in %s that can lead to %s. A remote attacker could trigger it through %s%s.", package,
		 impact, vector,
		 c->sev >= SD_IMPORTANT ? " without authentication" : ", which requires local access or user interaction");
	sd_set(o, "cve", json_string(c->id), bad);
	sd_set(o, "summary", json_string(text), bad);
	if (eco == SD_DPKG)
		snprintf(link, sizeof(link), "https://security-tracker.debian.org/tracker/%s", c->id);
	else if (eco == SD_RPM)
		snprintf(link, sizeof(link), "https://access.redhat.com/security/cve/%s", c->id);
	else
		snprintf(link, sizeof(link), "https://nvd.nist.gov/vuln/detail/%s", c->id);
	sd_set(o, "link", json_string(link), bad);
	sd_set(o, "cvss", json_real(c->cvss), bad);
	if (c->sev != SD_UNKNOWN) {
		sd_set(o, "scoreVersion", json_string("V3"), bad);
		sd_set(o, "cvssV3", json_pack("{s:s, s:f, s:s}", "vector", sd_vector_of(c->sev), "score", c->cvss,
					      "severity", sd_v3_rating(c->cvss)), bad);
	} else {
		sd_set(o, "scoreVersion", json_string("UNKNOWN_VERSION"), bad);
	}
	sd_set(o, "severity", json_string(sd_sev_names[c->sev]), bad);
	if (c->fixable) {
		sd_version_text(fixed, sizeof(fixed), eco, v, c->fix_bump);
		sd_set(o, "fixedBy", json_string(fixed), bad);
		sd_set(o, "status", json_string("fixed"), bad);
	} else {
		sd_set(o, "status", json_string(sd_unit(&r) < 0.3 ? "will_not_fix" : "affected"), bad);
	}
	snprintf(date, sizeof(date), "%04d-%02d-%02dT%02d:15:00Z", c->year, c->month, c->day, (int)sd_below(&r, 24));
	sd_set(o, "publishedOn", json_string(date), bad);
	sd_set(o, "epss", json_pack("{s:f, s:f}", "epssProbability", round(c->epss * 100000) / 100000,
				    "epssPercentile", round(pow(c->epss, 0.15) * 100000) / 100000), bad);
	if (c->kev) {
		char due[32];
		snprintf(date, sizeof(date), "%04d-%02d-%02d", c->year + (c->month == 12), c->month % 12 + 1, c->day);
		snprintf(due, sizeof(due), "%04d-%02d-%02d", c->year + (c->month >= 11), (c->month + 1) % 12 + 1, c->day);
		sd_set(o, "knownExploited",
		       json_pack("{s:s, s:s, s:s, s:s}", "dateAdded", date, "dueDate", due, "knownRansomwareCampaignUse",
				 sd_unit(&r) < 0.3 ? "Known" : "Unknown", "requiredAction",
				 "Apply mitigations per vendor instructions or discontinue use of the product."),
		       bad);
	}
	sd_set(o, "cwes", json_pack("[s]", SD_PICK(&r, sd_cwes)), bad);
	if (eco == SD_DPKG)
		snprintf(text, sizeof(text), "DSA-%d-1", 4000 + (int)(c->j % 1900));
	else if (eco == SD_RPM)
		snprintf(text, sizeof(text), "RHSA-%d:%04d", c->year + 1, (int)(c->j % 9000) + 100);
	else if (eco == SD_APK)
		text[0] = '\0';
	else
		snprintf(text, sizeof(text), "GHSA-%04x-%04x-%04x", (unsigned)(c->h & 0xffff), (unsigned)((c->h >> 16) & 0xffff),
			 (unsigned)((c->h >> 32) & 0xffff));
	if (text[0])
		sd_set(o, "advisory", json_pack("{s:s, s:s}", "name", text, "link", link), bad);
	sd_set(o, "dataSource", json_string(sd_ecos[eco].data_source), bad);
	sd_set(o, "state", json_string("OBSERVED"), bad);
	sd_set(o, "vulnerabilityType", json_string("IMAGE_VULNERABILITY"), bad);
	sd_set(o, "vulnerabilityTypes", json_pack("[s]", "IMAGE_VULNERABILITY"), bad);
	(void)p;
	return o;
}

/* docs/images.md: vulns by severity, then CVSS, highest first, then id. */
static int sd_vuln_cmp(const void *pa, const void *pb)
{
	const struct sd_cve *a = pa, *b = pb;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->cvss != b->cvss)
		return a->cvss > b->cvss ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* docs/images.md: components by layer, then name (and version, location:
 * never equal here, as a name is in an image once). */
static int sd_comp_cmp(const void *pa, const void *pb)
{
	const struct sd_comp *a = pa, *b = pb;
	int c;

	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	c = strcmp(sd_ecos[a->eco].names[a->package], sd_ecos[b->eco].names[b->package]);
	return c ? c : (int)a->eco - (int)b->eco;
}

static void sd_location(char *out, size_t size, enum sd_eco eco, const char *name, const char *version)
{
	const char *slash;

	switch (eco) {
	case SD_DPKG: snprintf(out, size, "var/lib/dpkg/status"); break;
	case SD_APK: snprintf(out, size, "lib/apk/db/installed"); break;
	case SD_RPM: snprintf(out, size, "var/lib/rpm/rpmdb.sqlite"); break;
	case SD_PYTHON:
		snprintf(out, size, "usr/local/lib/python3.11/site-packages/%s-%s.dist-info/METADATA", name, version);
		break;
	case SD_NPM: snprintf(out, size, "app/node_modules/%s/package.json", name); break;
	case SD_JAVA:
		slash = strchr(name, ':');
		snprintf(out, size, "app/lib/%s-%s.jar", slash ? slash + 1 : name, version);
		break;
	default: snprintf(out, size, "app/server"); break;
	}
}

/* The Dockerfile of the image (metadata.v1.layers) and the layer digests;
 * eco_layer gets the history index whose layer brought each ecosystem's
 * packages in. */
static json_t *sd_layers(json_t **shas, int *eco_layer, const struct sd_ident *id, struct sd_rng *r,
			 int64_t created_ms, int *bad)
{
	json_t *layers = json_array();
	char hex[80], value[256], when[64];
	int idx = 0;

	*shas = json_array();
	for (int e = 0; e < SD_ECO_COUNT; e++)
		eco_layer[e] = 0;

#define SD_LAYER(instr, val, empty)                                                                               \
	do {                                                                                                      \
		sd_time(when, created_ms - (int64_t)(12 - idx) * 60000, 0);                                       \
		sd_append(layers, json_pack("{s:s, s:s, s:s, s:b}", "instruction", instr, "value", val, "created", \
					    when, "empty", empty), bad);                                          \
		if (!(empty)) {                                                                                   \
			memcpy(hex, "sha256:", 7);                                                                \
			sd_hex(hex + 7, 64, r);                                                                   \
			sd_append(*shas, json_string(hex), bad);                                                  \
		}                                                                                                 \
		idx++;                                                                                            \
	} while (0)

	sd_hex(hex, 16, r);
	snprintf(value, sizeof(value), "file:%s in /", hex);
	SD_LAYER("ADD", value, 0);
	SD_LAYER("CMD", "[\"/bin/sh\"]", 1);
	if (id->os == SD_DPKG) {
		eco_layer[SD_DPKG] = 0;
		SD_LAYER("RUN", "apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && "
				"rm -rf /var/lib/apt/lists/*", 0);
	} else if (id->os == SD_APK) {
		SD_LAYER("RUN", "apk add --no-cache ca-certificates tzdata", 0);
	} else if (id->os == SD_RPM) {
		SD_LAYER("RUN", "microdnf install -y shadow-utils && microdnf clean all", 0);
	}
	SD_LAYER("ENV", "APP_HOME=/app", 1);
	SD_LAYER("WORKDIR", "/app", 1);
	for (int k = 0; k < id->nlangs; k++) {
		switch (id->langs[k]) {
		case SD_PYTHON:
			SD_LAYER("COPY", "requirements.txt ./ # buildkit", 0);
			eco_layer[SD_PYTHON] = idx;
			SD_LAYER("RUN", "pip install --no-cache-dir -r requirements.txt # buildkit", 0);
			break;
		case SD_NPM:
			SD_LAYER("COPY", "package.json package-lock.json ./ # buildkit", 0);
			eco_layer[SD_NPM] = idx;
			SD_LAYER("RUN", "npm ci --omit=dev # buildkit", 0);
			break;
		case SD_JAVA:
			eco_layer[SD_JAVA] = idx;
			SD_LAYER("COPY", "target/app.jar /app/lib/ # buildkit", 0);
			break;
		default:
			eco_layer[SD_GO] = idx;
			SD_LAYER("COPY", "/out/server /app/server # buildkit", 0);
			break;
		}
	}
	SD_LAYER("COPY", ". /app # buildkit", 0);
	SD_LAYER("USER", "10001", 1);
	SD_LAYER("EXPOSE", "map[8080/tcp:{}]", 1);
	snprintf(value, sizeof(value), "[\"/app/%s\"]", id->app);
	SD_LAYER("ENTRYPOINT", value, 1);
#undef SD_LAYER
	return layers;
}

int seed_image(json_t **out, const struct seed_plan *plan, size_t index)
{
	struct sd_ident id;
	struct sd_rng r;
	struct sd_build b = {0};
	json_t *image = NULL, *components = NULL, *name = NULL, *v1, *meta, *scan, *shas = NULL, *layers;
	int eco_layer[SD_ECO_COUNT], bad = 0, rc;
	int64_t created_ms, scan_ms;
	char created[64], scanned[64], updated[64], hex[80];
	size_t ncves = 0, nfixable = 0, ntotal = 0;
	double top = 0, weight = 0, age_days, vf, af, risk;
	struct sd_cve *all = NULL;

	*out = NULL;
	if (index >= plan->images) {
		error_set("no image %zu in a plan of %zu", index, plan->images);
		return ASEC_EINVALID;
	}
	sd_ident_of(&id, plan, index);
	r = sd_rng_for(plan->seed, SD_STREAM_BODY, index);
	/* built up to three years ago; scanned in the last 30 days */
	created_ms = plan->now_ms - (int64_t)(sd_unit(&r) * sd_unit(&r) * 1100 * SD_DAY_MS) - 2 * SD_DAY_MS;
	scan_ms = plan->now_ms - (int64_t)(sd_unit(&r) * 30 * SD_DAY_MS);
	if (scan_ms < created_ms)
		scan_ms = created_ms + 3600000;
	sd_time(created, created_ms, 0);
	sd_time(scanned, scan_ms, 1);
	sd_time(updated, plan->now_ms - 6 * 3600000 - (int64_t)sd_below(&r, 86400) * 1000, 0);

	layers = sd_layers(&shas, eco_layer, &id, &r, created_ms, &bad);
	if ((rc = sd_fill_findings(&b, plan, &id, plan->counts[index], &r, eco_layer)))
		goto out;
	/* packages without findings: most of a base image's */
	if (id.os != SD_ECO_COUNT) {
		size_t extra = 8 + sd_below(&r, 30);
		for (size_t k = 0; k < extra; k++) {
			struct sd_comp *c;
			if ((rc = sd_comp_find_or_add(&c, &b, id.os, sd_below(&r, sd_ecos[id.os].count), &r,
						      id.os == SD_DPKG && sd_unit(&r) < 0.2 ? 2 : 0)))
				goto out;
		}
	}
	for (int k = 0; k < id.nlangs; k++) {
		size_t extra = 2 + sd_below(&r, 8);
		for (size_t q = 0; q < extra; q++) {
			struct sd_comp *c;
			int e = id.langs[k];
			if ((rc = sd_comp_find_or_add(&c, &b, (enum sd_eco)e, sd_below(&r, sd_ecos[e].count), &r,
						      eco_layer[e])))
				goto out;
		}
	}
	qsort(b.comps, b.ncomps, sizeof(*b.comps), sd_comp_cmp);

	if (plan->counts[index] && !(all = calloc(plan->counts[index], sizeof(*all)))) {
		error_set("out of memory making an image");
		rc = ASEC_ENOMEM;
		goto out;
	}
	components = json_array();
	for (size_t i = 0; i < b.ncomps; i++) {
		const struct sd_comp *c = &b.comps[i];
		const char *pkg = sd_ecos[c->eco].names[c->package];
		struct sd_version v = sd_version_of(plan, c->eco, c->package, c->variant);
		struct sd_cve *cv = all ? all + ntotal : NULL;
		char version[64], location[512], fixed[64];
		json_t *comp = json_object(), *vulns = json_array();
		int bump = 0;
		double ctop = 0;

		for (size_t k = 0; k < c->ncves; k++) {
			sd_cve_of(&cv[k], plan, c->cves[k]);
			if (cv[k].fixable && cv[k].fix_bump > bump)
				bump = cv[k].fix_bump;
			if (cv[k].cvss > ctop)
				ctop = cv[k].cvss;
		}
		if (c->ncves)
			qsort(cv, c->ncves, sizeof(*cv), sd_vuln_cmp);
		for (size_t k = 0; k < c->ncves; k++)
			sd_append(vulns, sd_vuln_json(plan, &cv[k], pkg, c->eco, v, &bad), &bad);
		sd_version_text(version, sizeof(version), c->eco, v, 0);
		sd_location(location, sizeof(location), c->eco, pkg, version);
		sd_set(comp, "name", json_string(pkg), &bad);
		sd_set(comp, "version", json_string(version), &bad);
		sd_set(comp, "source", json_string(sd_ecos[c->eco].source), &bad);
		sd_set(comp, "location", json_string(location), &bad);
		sd_set(comp, "layerIndex", json_integer(c->layer), &bad);
		if (c->eco == SD_DPKG || c->eco == SD_RPM)
			sd_set(comp, "architecture", json_string(c->eco == SD_DPKG ? "amd64" : "x86_64"), &bad);
		if (bump) {
			sd_version_text(fixed, sizeof(fixed), c->eco, v, bump);
			sd_set(comp, "fixedBy", json_string(fixed), &bad);
		}
		sd_set(comp, "topCvss", json_real(ctop), &bad);
		sd_set(comp, "vulns", vulns, &bad);
		sd_append(components, comp, &bad);
		ntotal += c->ncves;
	}
	/* per distinct CVE: every finding is a distinct CVE here (sd_taken) */
	for (size_t k = 0; k < ntotal; k++) {
		double s = all[k].cvss > sd_sev_floor[all[k].sev] ? all[k].cvss : sd_sev_floor[all[k].sev];
		weight += (s / 10) * (s / 10) * (all[k].fixable ? 1.5 : 1) * (all[k].kev ? 2 : 1);
		if (all[k].cvss > top)
			top = all[k].cvss;
		nfixable += all[k].fixable != 0;
		ncves++;
	}
	vf = 1 + 3 * (1 - exp(-weight / 10));
	age_days = (double)(scan_ms - created_ms) / (double)SD_DAY_MS;
	af = 1 + 0.5 * fmin(fmax((age_days - 180) / 185, 0), 1);
	risk = round(vf * af * 1000) / 1000;

	name = json_pack("{s:s, s:s, s:s, s:s}", "registry", id.registry, "remote", id.remote, "tag", id.tag,
			 "fullName", id.full);
	v1 = json_object();
	memcpy(hex, "sha256:", 7);
	sd_hex(hex + 7, 64, &r);
	sd_set(v1, "digest", json_string(hex), &bad);
	sd_set(v1, "created", json_string(created), &bad);
	sd_set(v1, "author", json_pack("s+", SD_PICK(&r, sd_orgs), " team <ci@example.com>"), &bad);
	sd_set(v1, "user", json_string("10001"), &bad);
	sd_set(v1, "command", json_array(), &bad);
	sd_set(v1, "entrypoint", json_pack("[s+]", "/app/", id.app), &bad);
	sd_set(v1, "volumes", json_array(), &bad);
	sd_set(v1, "labels", json_pack("{s:s+, s:s}", "org.opencontainers.image.source", "https://git.example.com/",
				       id.remote, "org.opencontainers.image.version", id.tag), &bad);
	sd_set(v1, "layers", layers, &bad);
	meta = json_object();
	sd_set(meta, "v1", v1, &bad);
	sd_set(meta, "v2", json_pack("{s:s}", "digest", id.id), &bad);
	sd_set(meta, "layerShas", shas, &bad);
	shas = NULL;

	scan = json_object();
	sd_set(scan, "scannerVersion", json_string("0.1.0"), &bad);
	sd_set(scan, "scanTime", json_string(scanned), &bad);
	sd_set(scan, "operatingSystem", json_string(id.os_name), &bad);
	sd_set(scan, "dataSource", json_pack("{s:s, s:s}", "id", "scanner-v4", "name", "Scanner V4"), &bad);
	sd_set(scan, "notes", id.os == SD_ECO_COUNT ? json_pack("[s]", "OS_UNAVAILABLE") : json_array(), &bad);
	sd_set(scan, "remarks", json_array(), &bad);
	sd_set(scan, "vulnerabilityDataUpdated", json_string(updated), &bad);
	sd_set(scan, "components", components, &bad);
	components = NULL;

	image = json_object();
	sd_set(image, "id", json_string(id.id), &bad);
	sd_set(image, "name", json_deep_copy(name), &bad);
	sd_set(image, "names", json_pack("[O]", name), &bad);
	sd_set(image, "metadata", meta, &bad);
	sd_set(image, "scan", scan, &bad);
	sd_set(image, "components", json_integer((json_int_t)b.ncomps), &bad);
	sd_set(image, "cves", json_integer((json_int_t)ncves), &bad);
	sd_set(image, "fixableCves", json_integer((json_int_t)nfixable), &bad);
	sd_set(image, "topCvss", json_real(top), &bad);
	sd_set(image, "riskScore", json_real(risk), &bad);
	sd_set(image, "priority", json_integer(0), &bad);
	sd_set(image, "notPullable", json_false(), &bad);
	sd_set(image, "isClusterLocal", json_false(), &bad);
	sd_set(image, "lastUpdated", json_string(scanned), &bad);
	sd_set(image, "notes", json_array(), &bad);
	if (bad) {
		error_set("out of memory making image %zu", index);
		rc = ASEC_ENOMEM;
		goto out;
	}
	*out = image;
	image = NULL;
	rc = ASEC_OK;
out:
	json_decref(image);
	json_decref(components);
	json_decref(shas);
	json_decref(name);
	free(all);
	sd_build_free(&b);
	return rc;
}

/* ---- storing ----------------------------------------------------------------- */

int seed_migrate(struct db_pool *pool)
{
	int rc;

	if ((rc = store_images_migrate(pool)) || (rc = store_alerts_migrate(pool)) ||
	    (rc = store_policies_migrate(pool)))
		return rc;
	return ASEC_OK;
}

/* One alert entity: its number, stage and how many alerts it gets. */
struct sd_entity {
	size_t k;
	int stage; /* 0 BUILD (an image), 1 DEPLOY, 2 RUNTIME (deployments) */
	int nalerts;
};

static const char *const sd_stages[] = {"BUILD", "DEPLOY", "RUNTIME"};

struct sd_run {
	struct db_pool *pool;
	const struct seed_plan *plan;
	const struct seed_options *opts;
	json_t *policies[3]; /* arrays of policies, by stage */
	struct sd_entity *entities;
	size_t nentities;
	atomic_size_t next, done, findings, alerts;
	atomic_int failed;
	int phase; /* 0 images, 1 alerts */
	pthread_mutex_t lock;
	int rc;
	char message[1024];
};

static void sd_fail(struct sd_run *run, int rc)
{
	pthread_mutex_lock(&run->lock);
	if (!run->rc) {
		run->rc = rc;
		snprintf(run->message, sizeof(run->message), "%s", error_last());
	}
	pthread_mutex_unlock(&run->lock);
	atomic_store(&run->failed, 1);
}

static int sd_store_image(struct sd_run *run, size_t i)
{
	json_t *image = NULL;
	int rc;

	if ((rc = seed_image(&image, run->plan, i)))
		return rc;
	rc = store_images_put(run->pool, image, run->opts->version);
	if (rc)
		error_prefix("storing image %zu", i);
	json_decref(image);
	return rc;
}

static const char *const sd_clusters[] = {"prod-eu-1", "prod-us-1", "staging"};
static const char *const sd_namespaces[] = {"payments", "storefront", "identity", "data", "monitoring",
					    "logging", "ingress", "batch", "ml", "default"};

static void sd_uuid(char out[37], struct sd_rng *r)
{
	char hex[33];

	sd_hex(hex, 32, r);
	snprintf(out, 37, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17, hex + 20);
}

/* A StackRox-like violation message for the policy on the image. */
static void sd_message(char *out, size_t size, const json_t *policy, const json_t *image, struct sd_rng *r)
{
	const json_t *cats = json_object_get(policy, "categories"), *comps, *comp, *v;
	int vuln = 0;
	size_t i;

	json_array_foreach(cats, i, v) {
		if (json_is_string(v) && strstr(json_string_value(v), "Vulnerab"))
			vuln = 1;
	}
	comps = json_object_get(json_object_get(image, "scan"), "components");
	if (vuln && image && json_array_size(comps)) {
		for (size_t tries = 0; tries < json_array_size(comps); tries++) {
			comp = json_array_get(comps, (sd_below(r, json_array_size(comps)) + tries) % json_array_size(comps));
			v = json_array_get(json_object_get(comp, "vulns"), 0);
			if (v) {
				snprintf(out, size, "%sCVE %s (CVSS %.1f) found in component '%s' (version %s)",
					 json_object_get(v, "fixedBy") ? "Fixable " : "",
					 json_string_value(json_object_get(v, "cve")),
					 json_number_value(json_object_get(v, "cvss")),
					 json_string_value(json_object_get(comp, "name")),
					 json_string_value(json_object_get(comp, "version")));
				return;
			}
		}
	}
	snprintf(out, size, "%s", json_string_value(json_object_get(policy, "name")));
	if (json_is_string(json_object_get(policy, "description")))
		snprintf(out, size, "%.400s", json_string_value(json_object_get(policy, "description")));
}

static int sd_store_entity(struct sd_run *run, const struct sd_entity *e)
{
	struct sd_rng r = sd_rng_for(run->plan->seed, SD_STREAM_ALERT, e->k);
	json_t *pol = run->policies[e->stage], *alerts = json_array(), *image = NULL, *entity = NULL;
	size_t npol = json_array_size(pol), order[256];
	char key[STORE_ALERTS_KEY_MAX + 1], msg[600];
	struct store_alerts_detection d = {.lifecycle_stage = sd_stages[e->stage], .entity_key = key,
					   .state = "ACTIVE"};
	int bad = 0, rc;

	if (npol > 256)
		npol = 256;
	for (size_t i = 0; i < npol; i++)
		order[i] = i;
	if (e->stage == 0) {
		size_t idx = (e->k / 3) % run->plan->images;
		if ((rc = seed_image(&image, run->plan, idx)))
			goto out;
		entity = json_pack("{s:O, s:O}", "id", json_object_get(image, "id"), "name",
				   json_object_get(image, "name"));
		d.entity = STORE_ALERT_IMAGE;
		if (!entity || (rc = store_alerts_image_key(key, image)))
			goto out_nomem;
	} else {
		char id[37], ns_id[37], cl_id[37], name[128], cname[96];
		const char *cluster = SD_PICK(&r, sd_clusters), *ns = SD_PICK(&r, sd_namespaces);
		json_t *containers = json_array();
		size_t ncont = 1 + sd_below(&r, 2);

		sd_uuid(id, &r);
		sd_uuid(ns_id, &r);
		sd_uuid(cl_id, &r);
		snprintf(name, sizeof(name), "%s-%zu", SD_PICK(&r, sd_apps), e->k);
		for (size_t c = 0; c < ncont && run->plan->images; c++) {
			json_t *img = NULL;
			if ((rc = seed_image(&img, run->plan, sd_below(&r, run->plan->images))))
				goto out;
			snprintf(cname, sizeof(cname), "%s", c ? "sidecar" : "app");
			sd_append(containers, json_pack("{s:s, s:{s:O, s:O}}", "name", cname, "image", "id",
							json_object_get(img, "id"), "name", json_object_get(img, "name")),
				  &bad);
			if (!image)
				image = img;
			else
				json_decref(img);
		}
		entity = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:o}", "id", id, "name", name,
				   "namespace", ns, "namespaceId", ns_id, "clusterId", cl_id, "clusterName", cluster,
				   "type", sd_below(&r, 5) ? "Deployment" : "StatefulSet", "labels", "app", name,
				   "containers", containers);
		d.entity = STORE_ALERT_DEPLOYMENT;
		if (!entity || (rc = store_alerts_deployment_key(key, entity)))
			goto out_nomem;
	}
	for (int a = 0; a < e->nalerts && (size_t)a < npol; a++) {
		size_t pick = (size_t)a + sd_below(&r, npol - (size_t)a), t = order[a];
		const json_t *policy;
		json_t *alert, *actions;

		order[a] = order[pick];
		order[pick] = t;
		policy = json_array_get(pol, order[a]);
		sd_message(msg, sizeof(msg), policy, image, &r);
		alert = json_pack("{s:O, s:s, s:O, s:[{s:s, s:s}]}", "policy", policy, "lifecycleStage",
				  sd_stages[e->stage], e->stage ? "deployment" : "image", entity, "violations",
				  "message", msg, "type", "GENERIC");
		actions = json_object_get(policy, "enforcementActions");
		if (alert && json_array_size(actions) && sd_unit(&r) < 0.3)
			sd_set(alert, "enforcement",
			       json_pack("{s:O, s:s}", "action", json_array_get(actions, 0), "message",
					 e->stage ? "Deployment was scaled to zero" : "Build was failed"),
			       &bad);
		sd_append(alerts, alert, &bad);
	}
	if (bad)
		goto out_nomem;
	d.alerts = alerts;
	rc = store_alerts_record(NULL, run->pool, &d);
	if (rc)
		error_prefix("recording the alerts of entity %zu", e->k);
	goto out;
out_nomem:
	if (!rc) {
		error_set("out of memory making alerts");
		rc = ASEC_ENOMEM;
	}
out:
	json_decref(alerts);
	json_decref(entity);
	json_decref(image);
	return rc;
}

static void *sd_worker(void *arg)
{
	struct sd_run *run = arg;
	size_t total = run->phase == 0 ? run->plan->images : run->nentities;

	while (!atomic_load(&run->failed)) {
		size_t i = atomic_fetch_add(&run->next, 1);
		int rc;
		if (i >= total)
			break;
		if (run->phase == 0) {
			rc = sd_store_image(run, i);
			if (!rc)
				atomic_fetch_add(&run->findings, run->plan->counts[i]);
		} else {
			rc = sd_store_entity(run, &run->entities[i]);
			if (!rc)
				atomic_fetch_add(&run->alerts, (size_t)run->entities[i].nalerts);
		}
		if (rc) {
			sd_fail(run, rc);
			break;
		}
		atomic_fetch_add(&run->done, 1);
	}
	return NULL;
}

static double sd_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the phase on jobs threads, printing progress every 2 s. */
static int sd_phase(double *seconds, struct sd_run *run, int phase, size_t total, const char *what)
{
	pthread_t threads[SEED_MAX_JOBS];
	int started = 0;
	double t0 = sd_now_s(), last = t0;

	run->phase = phase;
	atomic_store(&run->next, 0);
	atomic_store(&run->done, 0);
	for (int t = 0; t < run->opts->jobs && (size_t)t < total; t++) {
		if (pthread_create(&threads[t], NULL, sd_worker, run)) {
			error_set("cannot start a thread");
			sd_fail(run, ASEC_ERROR);
			break;
		}
		started++;
	}
	while (started && atomic_load(&run->done) < total && !atomic_load(&run->failed)) {
		struct timespec pause = {0, 100000000};
		nanosleep(&pause, NULL);
		if (run->opts->progress && sd_now_s() - last >= 2) {
			size_t done = atomic_load(&run->done);
			last = sd_now_s();
			fprintf(stderr, "  %s: %zu/%zu (%.0f %%), %.0f/s\n", what, done, total,
				100.0 * (double)done / (double)total, (double)done / (last - t0));
		}
	}
	for (int t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	*seconds = sd_now_s() - t0;
	if (run->opts->progress && !run->rc)
		fprintf(stderr, "  %s: %zu in %.1f s\n", what, total, *seconds);
	if (run->rc) {
		error_set("%s", run->message);
		return run->rc;
	}
	return ASEC_OK;
}

/* The stored policies of each stage; a few made up when there are none. */
static int sd_policies(struct sd_run *run)
{
	json_t *all = NULL, *p;
	size_t i;
	int rc;

	if ((rc = store_policies_all(&all, run->pool)))
		return rc;
	for (int s = 0; s < 3; s++)
		if (!(run->policies[s] = json_array()))
			goto nomem;
	json_array_foreach(all, i, p) {
		json_t *st;
		size_t k;
		if (json_is_true(json_object_get(p, "disabled")))
			continue;
		json_array_foreach(json_object_get(p, "lifecycleStages"), k, st) {
			for (int s = 0; s < 3; s++)
				if (json_is_string(st) && strcmp(json_string_value(st), sd_stages[s]) == 0 &&
				    json_array_append(run->policies[s], p))
					goto nomem;
		}
	}
	for (int s = 0; s < 3; s++) {
		static const char *const sev[] = {"LOW_SEVERITY", "MEDIUM_SEVERITY", "HIGH_SEVERITY", "CRITICAL_SEVERITY"};
		if (json_array_size(run->policies[s]))
			continue;
		for (int k = 0; k < 4; k++) {
			char pid[64], pname[64];
			snprintf(pid, sizeof(pid), "seed-%s-%d", sd_stages[s], k);
			snprintf(pname, sizeof(pname), "Seeded %s policy %d", sd_stages[s], k);
			if (json_array_append_new(run->policies[s],
						  json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[s]}", "id", pid, "name", pname,
							    "severity", sev[k], "description", "A made-up policy.",
							    "categories", k % 2 ? "Vulnerability Management" : "DevOps Best Practices",
							    "lifecycleStages", sd_stages[s])))
				goto nomem;
		}
	}
	json_decref(all);
	return ASEC_OK;
nomem:
	json_decref(all);
	error_set("out of memory reading the policies");
	return ASEC_ENOMEM;
}

int seed_run(struct seed_result *out, struct db_pool *pool, const struct seed_plan *plan,
	     const struct seed_options *opts)
{
	struct sd_run run = {.pool = pool, .plan = plan, .opts = opts};
	struct sd_rng r = sd_rng_for(plan->seed, SD_STREAM_ALERT, UINT64_MAX);
	size_t left;
	int rc;

	memset(out, 0, sizeof(*out));
	if (opts->jobs < 1 || opts->jobs > SEED_MAX_JOBS || opts->alerts > SEED_MAX_ALERTS || !opts->version) {
		error_set("jobs must be 1..%d, alerts at most %d, and a data version given", SEED_MAX_JOBS,
			  SEED_MAX_ALERTS);
		return ASEC_EINVALID;
	}
	if (opts->alerts && !plan->images) {
		error_set("alerts need images to be about");
		return ASEC_EINVALID;
	}
	pthread_mutex_init(&run.lock, NULL);
	if (opts->progress)
		fprintf(stderr, "seeding %zu images with %zu findings on %d threads\n", plan->images, plan->findings,
			opts->jobs);
	if ((rc = sd_phase(&out->image_seconds, &run, 0, plan->images, "images")))
		goto out;
	out->images = plan->images;
	out->findings = atomic_load(&run.findings);
	if (!opts->alerts)
		goto out;

	if ((rc = sd_policies(&run)))
		goto out;
	if (!(run.entities = calloc(opts->alerts, sizeof(*run.entities)))) {
		error_set("out of memory planning %zu alerts", opts->alerts);
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (left = opts->alerts; left; run.nentities++) {
		struct sd_entity *e = &run.entities[run.nentities];
		size_t npol;
		e->k = run.nentities;
		e->stage = (int)(e->k % 3);
		npol = json_array_size(run.policies[e->stage]);
		e->nalerts = 1 + (int)sd_below(&r, 3);
		if ((size_t)e->nalerts > npol)
			e->nalerts = (int)npol;
		if ((size_t)e->nalerts > left)
			e->nalerts = (int)left;
		left -= (size_t)e->nalerts;
	}
	if (opts->progress)
		fprintf(stderr, "seeding %zu alerts on %zu entities\n", opts->alerts, run.nentities);
	if ((rc = sd_phase(&out->alert_seconds, &run, 1, run.nentities, "alert entities")))
		goto out;
	out->alerts = atomic_load(&run.alerts);
out:
	for (int s = 0; s < 3; s++)
		json_decref(run.policies[s]);
	free(run.entities);
	pthread_mutex_destroy(&run.lock);
	return rc;
}
