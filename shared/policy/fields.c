/*
 * fields.c - the criteria table: every fieldName StackRox knows, what it
 * reads from our inputs, the form of its values, and how it is worded in a
 * violation.
 *
 * Each row names the object level the field reads (policy_internal.h): the
 * evaluator receives a context already pointing at that object (one
 * container and its image, one vulnerability of one component, one volume,
 * the process) and answers for the group's values: 1 match, 0 no match, -1
 * nothing to look at (then even a negated group does not match, as in
 * StackRox, where an absent value produces no match either way).
 *
 * Fields at level PL_NONE are known so that StackRox's policies validate
 * and import, but are not evaluated here (no data source yet): they never
 * match, and policy_fields_json() says so.
 *
 * The table is sorted by name for bsearch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "policy/policy_internal.h"

/* ---- accessors --------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A port as a message shows it: 0..65535 (a caller may send 1e300). */
static long long port_number(const json_t *p)
{
	double v = json_is_number(p) ? json_number_value(p) : 0;

	return v >= 0 && v <= 65535 ? (long long)v : 0;
}

/* The same for messages: "" where the input left the member out (inputs
 * can come from callers, e.g. POST /v1/detect/deploy). */
static const char *jtext(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? s : "";
}

static int jbool(const json_t *o, const char *key, int dflt)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static const json_t *jpath(const json_t *o, const char *a, const char *b)
{
	const json_t *v = o ? json_object_get(o, a) : NULL;

	return b && v ? json_object_get(v, b) : v;
}

static const json_t *sec_ctx(const struct pol_ctx *c)
{
	return c->container ? json_object_get(c->container, "securityContext") : NULL;
}

static const json_t *image_v1(const struct pol_ctx *c)
{
	return c->image ? jpath(json_object_get(c->image, "metadata"), "v1", NULL) : NULL;
}

static const json_t *image_scan(const struct pol_ctx *c)
{
	const json_t *scan = c->image ? json_object_get(c->image, "scan") : NULL;

	return json_is_object(scan) ? scan : NULL;
}

/* Days between an RFC 3339 timestamp and now; -1 when absent. */
static int days_since(const struct pol_ctx *c, const char *ts, double *days)
{
	int64_t t = pol_time_parse(ts);

	if (t < 0)
		return -1;
	*days = (double)(c->in->now - t) / 86400.0;
	return 0;
}

static int match_days(const struct pol_group *g, const struct pol_ctx *c, const char *ts)
{
	double d;

	if (!ts || days_since(c, ts, &d) < 0)
		return -1;
	return pol_match_number(g, d);
}

static int match_str_or_absent(const struct pol_group *g, const char *s)
{
	return s ? pol_match_string(g, s) : -1;
}

static int match_bool_member(const struct pol_group *g, const json_t *o, const char *key, int dflt)
{
	if (!o)
		return -1;
	return pol_match_bool(g, jbool(o, key, dflt));
}

static const char *cname(const struct pol_ctx *c)
{
	return c->container_name ? c->container_name : "";
}

/* "Container 'x' <rest>" or "<Image-form>" when there is no container. */
static void msg_container(char *buf, size_t size, const struct pol_ctx *c, const char *with_container,
			  const char *without, const char *detail)
{
	if (c->container_name)
		snprintf(buf, size, "Container '%s' %s%s", c->container_name, with_container, detail);
	else
		snprintf(buf, size, "%s%s", without, detail);
}

/* ---- vulnerabilities ---------------------------------------------------- */

static int ev_cve(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(c->vuln, "cve"));
}

static int ev_cvss(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *v = json_object_get(c->vuln, "cvss");

	return json_is_number(v) ? pol_match_number(g, json_number_value(v)) : -1;
}

static int ev_nvd_cvss(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *v = json_object_get(c->vuln, "nvdCvss");

	return json_is_number(v) ? pol_match_number(g, json_number_value(v)) : -1;
}

static int ev_severity(const struct pol_group *g, const struct pol_ctx *c)
{
	int rank = pol_severity_rank(jstr(c->vuln, "severity"));

	if (rank < 0)
		return -1;
	return pol_match_number(g, rank);
}

static const char *fixed_by(const struct pol_ctx *c)
{
	const char *f = jstr(c->vuln, "fixedBy");

	return f && f[0] ? f : NULL;
}

static int ev_fixable(const struct pol_group *g, const struct pol_ctx *c)
{
	return pol_match_bool(g, fixed_by(c) != NULL);
}

static int ev_fixed_by(const struct pol_group *g, const struct pol_ctx *c)
{
	/* No fix: the field is unset in StackRox, so ".*" does not match. */
	return match_str_or_absent(g, fixed_by(c));
}

static int ev_days_published(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_days(g, c, jstr(c->vuln, "publishedOn"));
}

static int ev_days_fix(const struct pol_group *g, const struct pol_ctx *c)
{
	/* StackRox reads the time the fix became available; central's Image
	 * has no such time, and publishedOn would only be a lower bound that
	 * overstates the age. Not evaluable: never matches. */
	(void)g;
	(void)c;
	return -1;
}

static int ev_days_first_image(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_days(g, c, jstr(c->vuln, "firstImageOccurrence"));
}

static int ev_days_first_system(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_days(g, c, jstr(c->vuln, "firstSystemOccurrence"));
}

static void ms_vuln(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *fix = fixed_by(c);
	const json_t *cvss = json_object_get(c->vuln, "cvss");
	int rank = pol_severity_rank(jstr(c->vuln, "severity"));
	static const char *const sev[] = {"", "Low", "Moderate", "Important", "Critical"};
	char part[256] = "";
	size_t used;

	(void)g;
	used = (size_t)snprintf(buf, size, "%s%s", fix ? "Fixable " : "", jstr(c->vuln, "cve") ? jstr(c->vuln, "cve") : "");
	if (json_is_number(cvss) && json_number_value(cvss) > 0)
		used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0,
					 " (CVSS %g)", json_number_value(cvss));
	if (rank > 0)
		used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0,
					 " (severity %s)", sev[rank]);
	if (c->component)
		snprintf(part, sizeof(part), " in component '%s' (version %s)", jstr(c->component, "name") ? jstr(c->component, "name") : "",
			 jstr(c->component, "version") ? jstr(c->component, "version") : "");
	used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0, " found%s", part);
	if (c->container_name)
		used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0,
					 " in container '%s'", c->container_name);
	if (fix)
		snprintf(buf + (used < size ? used : size), used < size ? size - used : 0, ", resolved by version %s", fix);
}

/* ---- components and layers ---------------------------------------------- */

static int ev_component(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *name = jstr(c->component, "name"), *version = jstr(c->component, "version");
	int any = 0, all = 1;

	if (!name)
		return -1;
	for (size_t i = 0; i < g->nvalues; i++) {
		const struct pol_value *v = &g->values[i];
		int m = pol_regex_match(v->re[0], name) && pol_regex_match(v->re[1], version ? version : "");

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static void ms_component(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	char detail[512];
	const char *version = jstr(c->component, "version");

	(void)g;
	snprintf(detail, sizeof(detail), "component '%s'%s%s%s", jtext(c->component, "name"),
		 version && version[0] ? " (version " : "", version && version[0] ? version : "",
		 version && version[0] ? ")" : "");
	msg_container(buf, size, c, "includes ", "Image includes ", detail);
}

static int ev_dockerfile(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *instr = jstr(c->layer, "instruction"), *value = jstr(c->layer, "value");
	int any = 0, all = 1;

	if (!instr)
		return -1;
	for (size_t i = 0; i < g->nvalues; i++) {
		const struct pol_value *v = &g->values[i];
		int m = (!v->enum_value || strcasecmp(v->enum_value, instr) == 0) &&
			pol_regex_match(v->re[1], value ? value : "");

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static void ms_dockerfile(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	(void)g;
	if (c->container_name)
		snprintf(buf, size, "Dockerfile line '%s %s' found in container '%s'", jtext(c->layer, "instruction"),
			 jstr(c->layer, "value") ? jstr(c->layer, "value") : "", c->container_name);
	else
		snprintf(buf, size, "Dockerfile line '%s %s' found", jtext(c->layer, "instruction"),
			 jstr(c->layer, "value") ? jstr(c->layer, "value") : "");
}

/* ---- image --------------------------------------------------------------- */

static int ev_image_age(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_days(g, c, jstr(image_v1(c), "created"));
}

static int ev_image_scan_age(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_days(g, c, jstr(image_scan(c), "scanTime"));
}

static int ev_image_os(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(image_scan(c), "operatingSystem"));
}

static int ev_image_registry(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(c->image_name, "registry"));
}

static int ev_image_remote(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(c->image_name, "remote"));
}

static int ev_image_tag(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(c->image_name, "tag"));
}

static int ev_image_user(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *v1 = image_v1(c);
	const char *user;

	if (!v1)
		return -1;
	user = jstr(v1, "user");
	return pol_match_string(g, user ? user : "");
}

/* Required (want_present 0) / Disallowed (1) label or annotation: a value
 * matches the map when the map does not contain / contains a pair matching
 * it. Each value is its own query, as StackRox translates them. */
static int match_map(const struct pol_group *g, const json_t *map, int want_present)
{
	int any = 0, all = 1;

	if (!json_is_object(map))
		map = NULL;
	for (size_t i = 0; i < g->nvalues; i++) {
		const struct pol_value *v = &g->values[i];
		const char *key;
		const json_t *val;
		int found = 0, m;

		if (map) {
			json_object_foreach((json_t *)map, key, val)
			{
				if (pol_regex_match(v->re[0], key) &&
				    pol_regex_match(v->re[1], json_is_string(val) ? json_string_value(val) : "")) {
					found = 1;
					break;
				}
			}
		}
		m = found == want_present;
		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static int ev_required_image_label(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *v1 = image_v1(c);

	return v1 ? match_map(g, json_object_get(v1, "labels"), 0) : -1;
}

static int ev_disallowed_image_label(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *v1 = image_v1(c);

	return v1 ? match_map(g, json_object_get(v1, "labels"), 1) : -1;
}

static int ev_unscanned(const struct pol_group *g, const struct pol_ctx *c)
{
	return pol_match_bool(g, image_scan(c) == NULL);
}

static void ms_image(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *name = g->field->name;
	char detail[512];

	if (strcmp(name, "Image Age") == 0) {
		snprintf(detail, sizeof(detail), "created at %s (UTC)", jtext(image_v1(c), "created"));
		msg_container(buf, size, c, "has image ", "Image was ", detail);
	} else if (strcmp(name, "Image Scan Age") == 0) {
		snprintf(detail, sizeof(detail), "last scanned at %s (UTC)", jtext(image_scan(c), "scanTime"));
		msg_container(buf, size, c, "has image ", "Image was ", detail);
	} else if (strcmp(name, "Image OS") == 0) {
		snprintf(detail, sizeof(detail), "base OS '%s'", jtext(image_scan(c), "operatingSystem"));
		msg_container(buf, size, c, "has image with ", "Image has ", detail);
	} else if (strcmp(name, "Image User") == 0) {
		const char *u = jstr(image_v1(c), "user");

		snprintf(detail, sizeof(detail), "user '%s'", u ? u : "");
		msg_container(buf, size, c, "has image with ", "Image has ", detail);
	} else if (strcmp(name, "Image Tag") == 0 || strcmp(name, "Image Remote") == 0 ||
		   strcmp(name, "Image Registry") == 0) {
		const char *what = name + 6; /* "Tag", "Remote", "Registry" */
		char lower[16];
		size_t i;

		for (i = 0; what[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)(what[i] | 0x20);
		lower[i] = '\0';
		snprintf(detail, sizeof(detail), "%s '%s'", lower,
			 jstr(c->image_name, lower) ? jstr(c->image_name, lower) : "");
		msg_container(buf, size, c, "has image with ", "Image has ", detail);
	} else if (strcmp(name, "Unscanned Image") == 0) {
		msg_container(buf, size, c, "has an image that has not been scanned", "Image has not been scanned", "");
	} else if (strcmp(name, "Required Image Label") == 0 || strcmp(name, "Disallowed Image Label") == 0) {
		snprintf(detail, sizeof(detail), "%s label matching '%s'",
			 name[0] == 'R' ? "is missing a required" : "has a disallowed", g->values[0].text);
		msg_container(buf, size, c, "image ", "Image ", detail);
	} else {
		snprintf(detail, sizeof(detail), "matches %s", name);
		msg_container(buf, size, c, "image ", "Image ", detail);
	}
}

/* ---- containers ---------------------------------------------------------- */

static void strip_cap(char *out, size_t size, const char *cap)
{
	if (strncasecmp(cap, "CAP_", 4) == 0)
		cap += 4;
	snprintf(out, size, "%s", cap);
}

static int cap_in(const json_t *list, const char *want)
{
	size_t i;
	const json_t *v;
	char a[64];

	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			continue;
		strip_cap(a, sizeof(a), json_string_value(v));
		if (strcasecmp(a, want) == 0 || strcasecmp(a, "ALL") == 0)
			return 1;
	}
	return 0;
}

static int ev_add_caps(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *sc = sec_ctx(c), *list;
	int any = 0, all = 1;

	if (!c->container)
		return -1;
	list = sc ? json_object_get(sc, "addCapabilities") : NULL;
	if (!json_is_array(list) || json_array_size(list) == 0)
		return 0;
	for (size_t i = 0; i < g->nvalues; i++) {
		int m = cap_in(list, g->values[i].enum_value);

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static int ev_drop_caps(const struct pol_group *g, const struct pol_ctx *c)
{
	/* StackRox: violated when the container does not drop the capability. */
	const json_t *sc = sec_ctx(c), *list;
	int any = 0, all = 1;

	if (!c->container)
		return -1;
	list = sc ? json_object_get(sc, "dropCapabilities") : NULL;
	for (size_t i = 0; i < g->nvalues; i++) {
		const char *want = g->values[i].enum_value;
		int dropped = 0;

		if (json_is_array(list)) {
			size_t k;
			const json_t *v;
			char a[64];

			json_array_foreach(list, k, v)
			{
				if (!json_is_string(v))
					continue;
				strip_cap(a, sizeof(a), json_string_value(v));
				if (strcasecmp(a, want) == 0 || strcasecmp(a, "ALL") == 0)
					dropped = 1;
			}
		}
		any |= !dropped;
		all &= !dropped;
	}
	return g->and_op ? all : any;
}

static int ev_allow_priv_esc(const struct pol_group *g, const struct pol_ctx *c)
{
	if (!c->container)
		return -1;
	return pol_match_bool(g, jbool(sec_ctx(c), "allowPrivilegeEscalation", 1));
}

static int ev_apparmor(const struct pol_group *g, const struct pol_ctx *c)
{
	if (!c->container)
		return -1;
	return match_str_or_absent(g, jstr(sec_ctx(c), "appArmorProfile"));
}

static int resource(const struct pol_group *g, const struct pol_ctx *c, const char *key)
{
	const json_t *v;

	if (!c->container)
		return -1;
	v = jpath(c->container, "resources", key);
	return pol_match_number(g, json_is_number(v) ? json_number_value(v) : 0);
}

static int ev_cpu_limit(const struct pol_group *g, const struct pol_ctx *c)
{
	return resource(g, c, "cpuCoresLimit");
}

static int ev_cpu_request(const struct pol_group *g, const struct pol_ctx *c)
{
	return resource(g, c, "cpuCoresRequest");
}

static int ev_mem_limit(const struct pol_group *g, const struct pol_ctx *c)
{
	return resource(g, c, "memoryMbLimit");
}

static int ev_mem_request(const struct pol_group *g, const struct pol_ctx *c)
{
	return resource(g, c, "memoryMbRequest");
}

static int ev_container_name(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->container ? match_str_or_absent(g, c->container_name) : -1;
}

static int ev_privileged(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->container ? pol_match_bool(g, jbool(sec_ctx(c), "privileged", 0)) : -1;
}

static int ev_ro_rootfs(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->container ? pol_match_bool(g, jbool(sec_ctx(c), "readOnlyRootFilesystem", 0)) : -1;
}

static int ev_liveness(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->container ? pol_match_bool(g, jbool(json_object_get(c->container, "livenessProbe"), "defined", 0))
			    : -1;
}

static int ev_readiness(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->container ? pol_match_bool(g, jbool(json_object_get(c->container, "readinessProbe"), "defined", 0))
			    : -1;
}

static int ev_seccomp(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *sc = sec_ctx(c);

	if (!c->container)
		return -1;
	/* An unset enum matches no query in StackRox. */
	return match_str_or_absent(g, jstr(sc ? json_object_get(sc, "seccompProfile") : NULL, "type"));
}

static void ms_container(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *name = g->field->name;
	const json_t *sc = sec_ctx(c);

	if (strcmp(name, "Privileged Container") == 0)
		snprintf(buf, size, "Container '%s' is%s privileged", cname(c), jbool(sc, "privileged", 0) ? "" : " not");
	else if (strcmp(name, "Read-Only Root Filesystem") == 0)
		snprintf(buf, size, "Container '%s' uses a %s root filesystem", cname(c),
			 jbool(sc, "readOnlyRootFilesystem", 0) ? "read-only" : "read-write");
	else if (strcmp(name, "Allow Privilege Escalation") == 0)
		snprintf(buf, size, "Container '%s' %s privilege escalation", cname(c),
			 jbool(sc, "allowPrivilegeEscalation", 1) ? "allows" : "does not allow");
	else if (strcmp(name, "Add Capabilities") == 0)
		snprintf(buf, size, "Container '%s' adds capabilities matching %s", cname(c), g->values[0].text);
	else if (strcmp(name, "Drop Capabilities") == 0)
		snprintf(buf, size, "Container '%s' does not drop expected capabilities (%s)", cname(c), g->values[0].text);
	else if (strcmp(name, "AppArmor Profile") == 0)
		snprintf(buf, size, "Container '%s' has AppArmor profile type '%s'", cname(c), jtext(sc, "appArmorProfile"));
	else if (strcmp(name, "Seccomp Profile Type") == 0)
		snprintf(buf, size, "Container '%s' has Seccomp profile type '%s'", cname(c),
			 jstr(json_object_get(sc, "seccompProfile"), "type"));
	else if (strcmp(name, "Liveness Probe Defined") == 0 || strcmp(name, "Readiness Probe Defined") == 0) {
		int liveness = name[0] == 'L';
		int defined = jbool(json_object_get(c->container, liveness ? "livenessProbe" : "readinessProbe"), "defined", 0);

		snprintf(buf, size, "%s probe is %sdefined for container '%s'", liveness ? "Liveness" : "Readiness",
			 defined ? "" : "not ", cname(c));
	} else if (strncmp(name, "Container CPU", 13) == 0 || strncmp(name, "Container Memory", 16) == 0) {
		static const struct {
			const char *field, *key, *what, *unit;
		} r[] = {
			{"Container CPU Limit", "cpuCoresLimit", "CPU limit", "cores"},
			{"Container CPU Request", "cpuCoresRequest", "CPU request", "cores"},
			{"Container Memory Limit", "memoryMbLimit", "memory limit", "MB"},
			{"Container Memory Request", "memoryMbRequest", "memory request", "MB"},
		};
		for (size_t i = 0; i < 4; i++) {
			if (strcmp(r[i].field, name) == 0) {
				const json_t *v = jpath(c->container, "resources", r[i].key);

				snprintf(buf, size, "The %s of %g %s for container '%s'", r[i].what,
					 json_is_number(v) ? json_number_value(v) : 0.0, r[i].unit, cname(c));
			}
		}
	} else if (strcmp(name, "Container Name") == 0)
		snprintf(buf, size, "Container has name '%s'", cname(c));
	else
		snprintf(buf, size, "Container '%s' matches %s", cname(c), name);
}

/* ---- environment, volumes, ports ---------------------------------------- */

static int ev_env(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *src = jstr(c->env, "envVarSource"), *key = jstr(c->env, "key"), *val = jstr(c->env, "value");
	int any = 0, all = 1;

	if (!key)
		return -1;
	for (size_t i = 0; i < g->nvalues; i++) {
		const struct pol_value *v = &g->values[i];
		int m = (!v->enum_value || strcasecmp(v->enum_value, src ? src : "UNSET") == 0) &&
			pol_regex_match(v->re[1], key) && pol_regex_match(v->re[2], val ? val : "");

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static void ms_env(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *src = jstr(c->env, "envVarSource");
	const char *how = "";

	(void)g;
	if (src && strcasecmp(src, "SECRET_KEY") == 0)
		how = " and references a secret";
	else if (src && strcasecmp(src, "CONFIG_MAP_KEY") == 0)
		how = " and references a config map";
	else if (src && strcasecmp(src, "RAW") == 0)
		how = " and has a raw value";
	snprintf(buf, size, "Environment variable '%s' is present in container '%s'%s", jtext(c->env, "key"), cname(c),
		 how);
}

static int vol_str(const struct pol_group *g, const struct pol_ctx *c, const char *key)
{
	return match_str_or_absent(g, jstr(c->volume, key));
}

static int ev_vol_dest(const struct pol_group *g, const struct pol_ctx *c)
{
	return vol_str(g, c, "destination");
}

static int ev_vol_name(const struct pol_group *g, const struct pol_ctx *c)
{
	return vol_str(g, c, "name");
}

static int ev_vol_source(const struct pol_group *g, const struct pol_ctx *c)
{
	return vol_str(g, c, "source");
}

static int ev_vol_type(const struct pol_group *g, const struct pol_ctx *c)
{
	return vol_str(g, c, "type");
}

static int ev_mount_prop(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *mp = jstr(c->volume, "mountPropagation");

	return match_str_or_absent(g, mp ? mp : "NONE");
}

static int ev_writable_host_mount(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *type = jstr(c->volume, "type");

	if (!type || strcasecmp(type, "HostPath") != 0)
		return -1;
	return pol_match_bool(g, !jbool(c->volume, "readOnly", 0));
}

static int ev_writable_volume(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->volume ? pol_match_bool(g, !jbool(c->volume, "readOnly", 0)) : -1;
}

static void ms_volume(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *type = jstr(c->volume, "type"), *src = jstr(c->volume, "source");
	const char *ro = jbool(c->volume, "readOnly", 0) ? "Read-only" : "Writable";

	(void)g;
	snprintf(buf, size, "%s %svolume '%s'%s%s%s mounted at '%s' in container '%s'", ro,
		 type && strcasecmp(type, "HostPath") == 0 ? "host " : "", jstr(c->volume, "name") ? jstr(c->volume, "name") : "",
		 src && src[0] ? " (source '" : "", src && src[0] ? src : "", src && src[0] ? "')" : "",
		 jstr(c->volume, "destination") ? jstr(c->volume, "destination") : "", cname(c));
}

static int ev_port(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *p = json_object_get(c->port, "containerPort");

	return json_is_number(p) ? pol_match_number(g, json_number_value(p)) : -1;
}

static int ev_port_protocol(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *proto = jstr(c->port, "protocol");

	return c->port ? pol_match_string(g, proto ? proto : "TCP") : -1;
}

static const char *exposure(const struct pol_ctx *c)
{
	const char *e = jstr(c->port, "exposure");

	if (!e || !e[0])
		return "UNSET";
	if (strcasecmp(e, "HOSTPORT") == 0)
		return "HOST";
	return e;
}

static int ev_node_port(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *p = json_object_get(c->port, "exposedPort");

	if (!c->port || strcasecmp(exposure(c), "NODE") != 0 || !json_is_number(p))
		return -1;
	return pol_match_number(g, json_number_value(p));
}

static int ev_port_exposure(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->port ? pol_match_string(g, exposure(c)) : -1;
}

static void ms_port(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *p = json_object_get(c->port, "containerPort");
	const char *proto = jstr(c->port, "protocol");
	const char *e = exposure(c);

	(void)g;
	if (strcasecmp(e, "UNSET") == 0)
		snprintf(buf, size, "Exposed port %lld/%s is present in container '%s'",
			 port_number(p), proto ? proto : "TCP", cname(c));
	else
		snprintf(buf, size, "Exposed port %lld/%s is present in container '%s' with exposure %s",
			 port_number(p), proto ? proto : "TCP", cname(c), e);
}

/* ---- deployment ---------------------------------------------------------- */

static int ev_automount(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_bool_member(g, c->deployment, "automountServiceAccountToken", 1);
}

static int ev_host_ipc(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_bool_member(g, c->deployment, "hostIpc", 0);
}

static int ev_host_network(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_bool_member(g, c->deployment, "hostNetwork", 0);
}

static int ev_host_pid(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_bool_member(g, c->deployment, "hostPid", 0);
}

static int ev_namespace(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->deployment ? match_str_or_absent(g, jstr(c->deployment, "namespace")) : -1;
}

static int ev_service_account(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *sa;

	if (!c->deployment)
		return -1;
	sa = jstr(c->deployment, "serviceAccount");
	return pol_match_string(g, sa ? sa : "default");
}

static int ev_runtime_class(const struct pol_group *g, const struct pol_ctx *c)
{
	const char *rc;

	if (!c->deployment)
		return -1;
	rc = jstr(c->deployment, "runtimeClass");
	return pol_match_string(g, rc ? rc : "");
}

static int ev_replicas(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *r = c->deployment ? json_object_get(c->deployment, "replicas") : NULL;

	if (!c->deployment)
		return -1;
	return pol_match_number(g, json_is_number(r) ? json_number_value(r) : 1);
}

static int ev_required_label(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->deployment ? match_map(g, json_object_get(c->deployment, "labels"), 0) : -1;
}

static int ev_required_annotation(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->deployment ? match_map(g, json_object_get(c->deployment, "annotations"), 0) : -1;
}

static int ev_disallowed_annotation(const struct pol_group *g, const struct pol_ctx *c)
{
	return c->deployment ? match_map(g, json_object_get(c->deployment, "annotations"), 1) : -1;
}

/* Whether a Kubernetes LabelSelector selects labels. */
static int selector_matches(const json_t *sel, const json_t *labels)
{
	const json_t *ml = json_object_get(sel, "matchLabels"), *exprs = json_object_get(sel, "matchExpressions");
	const char *key;
	const json_t *val;
	size_t i;
	const json_t *e;

	if (json_is_object(ml)) {
		json_object_foreach((json_t *)ml, key, val)
		{
			const char *have = jstr(labels, key);

			if (!have || !json_is_string(val) || strcmp(have, json_string_value(val)) != 0)
				return 0;
		}
	}
	json_array_foreach(exprs, i, e)
	{
		const char *k = jstr(e, "key"), *op = jstr(e, "operator");
		const char *have = k ? jstr(labels, k) : NULL;
		const json_t *vals = json_object_get(e, "values");
		int in = 0;
		size_t j;
		const json_t *v;

		if (!k || !op)
			return 0;
		json_array_foreach(vals, j, v)
		{
			if (have && json_is_string(v) && strcmp(have, json_string_value(v)) == 0)
				in = 1;
		}
		if ((strcmp(op, "In") == 0 && !in) || (strcmp(op, "NotIn") == 0 && in) ||
		    (strcmp(op, "Exists") == 0 && !have) || (strcmp(op, "DoesNotExist") == 0 && have))
			return 0;
	}
	return 1;
}

static int has_netpol(const struct pol_ctx *c, int egress)
{
	const json_t *nps = c->in->network_policies, *np;
	const char *ns = jstr(c->deployment, "namespace");
	const json_t *labels = json_object_get(c->deployment, "podLabels");
	size_t i;

	json_array_foreach(nps, i, np)
	{
		const json_t *spec = json_object_get(np, "spec");
		const json_t *types = json_object_get(spec, "policyTypes");
		const char *npns = jstr(json_object_get(np, "metadata"), "namespace");
		int applies = 0;

		if (!json_is_object(spec) || (npns && ns && strcmp(npns, ns) != 0))
			continue;
		if (!selector_matches(json_object_get(spec, "podSelector"), labels))
			continue;
		if (json_is_array(types) && json_array_size(types) > 0) {
			size_t j;
			const json_t *t;

			json_array_foreach(types, j, t)
			{
				if (json_is_string(t) && strcasecmp(json_string_value(t), egress ? "Egress" : "Ingress") == 0)
					applies = 1;
			}
		} else {
			/* Kubernetes default: Ingress always, Egress when rules exist. */
			applies = egress ? json_object_get(spec, "egress") != NULL : 1;
		}
		if (applies)
			return 1;
	}
	return 0;
}

static int ev_ingress_np(const struct pol_group *g, const struct pol_ctx *c)
{
	if (!c->deployment || !json_is_array(c->in->network_policies))
		return -1;
	return pol_match_bool(g, has_netpol(c, 0));
}

static int ev_egress_np(const struct pol_group *g, const struct pol_ctx *c)
{
	if (!c->deployment || !json_is_array(c->in->network_policies))
		return -1;
	return pol_match_bool(g, has_netpol(c, 1));
}

static void ms_deployment(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const char *name = g->field->name;
	const json_t *d = c->deployment;

	if (strcmp(name, "Host Network") == 0)
		snprintf(buf, size, "Deployment %s host network", jbool(d, "hostNetwork", 0) ? "uses" : "does not use");
	else if (strcmp(name, "Host PID") == 0)
		snprintf(buf, size, "Deployment %s the host's process ID namespace",
			 jbool(d, "hostPid", 0) ? "uses" : "does not use");
	else if (strcmp(name, "Host IPC") == 0)
		snprintf(buf, size, "Deployment %s the host's IPC namespace", jbool(d, "hostIpc", 0) ? "uses" : "does not use");
	else if (strcmp(name, "Automount Service Account Token") == 0)
		snprintf(buf, size, "Deployment %s the service account tokens",
			 jbool(d, "automountServiceAccountToken", 1) ? "mounts" : "does not mount");
	else if (strcmp(name, "Namespace") == 0)
		snprintf(buf, size, "Namespace has name '%s'", jstr(d, "namespace") ? jstr(d, "namespace") : "");
	else if (strcmp(name, "Service Account") == 0)
		snprintf(buf, size, "Service Account is set to '%s'",
			 jstr(d, "serviceAccount") ? jstr(d, "serviceAccount") : "default");
	else if (strcmp(name, "Runtime Class") == 0)
		snprintf(buf, size, "Runtime Class is set to '%s'", jstr(d, "runtimeClass") ? jstr(d, "runtimeClass") : "");
	else if (strcmp(name, "Replicas") == 0) {
		const json_t *r = json_object_get(d, "replicas");

		snprintf(buf, size, "Replicas is set to '%lld'", (long long)(json_is_number(r) ? json_number_value(r) : 1));
	} else if (strcmp(name, "Has Ingress Network Policy") == 0)
		snprintf(buf, size, "The deployment is %s by any ingress network policy",
			 has_netpol(c, 0) ? "selected" : "missing ingress network policy: not selected");
	else if (strcmp(name, "Has Egress Network Policy") == 0)
		snprintf(buf, size, "The deployment is %s by any egress network policy",
			 has_netpol(c, 1) ? "selected" : "missing egress network policy: not selected");
	else if (strcmp(name, "Required Label") == 0)
		snprintf(buf, size, "Required label not found (found labels: none matching '%s')", g->values[0].text);
	else if (strcmp(name, "Required Annotation") == 0)
		snprintf(buf, size, "Required annotation not found (no annotation matching '%s')", g->values[0].text);
	else if (strcmp(name, "Disallowed Annotation") == 0)
		snprintf(buf, size, "Disallowed annotation found (matching '%s')", g->values[0].text);
	else
		snprintf(buf, size, "Deployment matches %s", name);
}

/* ---- process ------------------------------------------------------------- */

static const json_t *signal_of(const struct pol_ctx *c)
{
	return c->process ? json_object_get(c->process, "signal") : NULL;
}

static int ev_process_name(const struct pol_group *g, const struct pol_ctx *c)
{
	return match_str_or_absent(g, jstr(signal_of(c), "name"));
}

static int ev_process_args(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *s = signal_of(c);
	const char *args;

	if (!s)
		return -1;
	args = jstr(s, "args");
	return pol_match_string(g, args ? args : "");
}

static int ev_process_ancestor(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *lineage = json_object_get(signal_of(c), "lineageInfo"), *l;
	const char *vals[64];
	size_t n = 0, i;

	if (!signal_of(c))
		return -1;
	json_array_foreach(lineage, i, l)
	{
		const char *p = jstr(l, "parentExecFilePath");

		if (p && n < sizeof(vals) / sizeof(vals[0]))
			vals[n++] = p;
	}
	return pol_match_strings(g, vals, n);
}

static int ev_process_uid(const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *uid = json_object_get(signal_of(c), "uid");

	return json_is_number(uid) ? pol_match_number(g, json_number_value(uid)) : -1;
}

static void ms_process(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c)
{
	const json_t *s = signal_of(c);
	const char *args = jstr(s, "args");
	const json_t *uid = json_object_get(s, "uid");
	const char *bin = jstr(s, "execFilePath");

	(void)g;
	if (!bin || !bin[0])
		bin = jstr(s, "name");
	if (args && args[0])
		snprintf(buf, size, "Binary '%s' executed with arguments '%s' under user ID %lld", bin ? bin : "", args,
			 (long long)(json_is_number(uid) ? json_number_value(uid) : 0));
	else
		snprintf(buf, size, "Binary '%s' executed without arguments under user ID %lld", bin ? bin : "",
			 (long long)(json_is_number(uid) ? json_number_value(uid) : 0));
}

/* ---- the table ----------------------------------------------------------- */

/* Capabilities as Kubernetes names them, and ALL: a container may add or
 * drop all of them. */
static const char *const caps_enum[] = {
	"ALL", "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE",
	"DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE",
	"MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETGID",
	"SETFCAP", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT",
	"SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM", "BPF",
	"PERFMON", "CHECKPOINT_RESTORE", NULL};
static const char *const exposure_enum[] = {"UNSET", "EXTERNAL", "NODE", "HOST", "INTERNAL", "ROUTE", NULL};
static const char *const mount_prop_enum[] = {"NONE", "HOSTTOCONTAINER", "HOST_TO_CONTAINER", "BIDIRECTIONAL", NULL};
static const char *const seccomp_enum[] = {"UNCONFINED", "RUNTIME_DEFAULT", "LOCALHOST", NULL};
static const char *const rbac_enum[] = {"DEFAULT", "ELEVATED_IN_NAMESPACE", "ELEVATED_CLUSTER_WIDE", "CLUSTER_ADMIN", NULL};
static const char *const verb_enum[] = {"CREATE", "DELETE", "GET", "PATCH", "UPDATE", NULL};
static const char *const kube_resource_enum[] = {"PODS_EXEC", "PODS_PORTFORWARD", "PODS_ATTACH", "SECRETS",
						 "CONFIGMAPS", "CLUSTER_ROLES", "CLUSTER_ROLE_BINDINGS",
						 "NETWORK_POLICIES", "SECURITY_CONTEXT_CONSTRAINTS",
						 "EGRESS_FIREWALLS", NULL};

#define IMG (PF_IMAGE)
#define NN PF_NO_NEGATE
#define ONE PF_ONE_VALUE
#define PROC (PF_RUNTIME | PF_DEPLOY_EVENT)
#define AUDIT (PF_RUNTIME | PF_AUDIT)
#define FILEEV (PF_RUNTIME | PF_DEPLOY_EVENT | PF_NODE_EVENT)

/* Sorted by name (strcmp order); checked by the unit test. */
static const struct pol_field fields[] = {
	{"Add Capabilities", PL_CONTAINER, PK_ENUM, NN, caps_enum, ev_add_caps, ms_container,
	 "securityContext.addCapabilities of the container (CAP_ prefix ignored)", "SYS_ADMIN"},
	{"Allow Privilege Escalation", PL_CONTAINER, PK_BOOL, NN | ONE, NULL, ev_allow_priv_esc, ms_container,
	 "securityContext.allowPrivilegeEscalation (true when unset, as Kubernetes)", "true"},
	{"AppArmor Profile", PL_CONTAINER, PK_REGEX, 0, NULL, ev_apparmor, ms_container,
	 "securityContext.appArmorProfile", "unconfined"},
	{"Automount Service Account Token", PL_DEPLOYMENT, PK_BOOL, NN | ONE, NULL, ev_automount, ms_deployment,
	 "automountServiceAccountToken of the deployment (true when unset)", "true"},
	{"CVE", PL_VULN, PK_REGEX, IMG, NULL, ev_cve, ms_vuln, "scan.components[].vulns[].cve of the image",
	 "CVE-2021-44228"},
	{"CVSS", PL_VULN, PK_NUMBER, IMG | NN, NULL, ev_cvss, ms_vuln, "scan.components[].vulns[].cvss", ">= 7.0"},
	{"Container CPU Limit", PL_CONTAINER, PK_NUMBER, NN, NULL, ev_cpu_limit, ms_container,
	 "resources.cpuCoresLimit (cores; 0 when unset)", "0"},
	{"Container CPU Request", PL_CONTAINER, PK_NUMBER, NN, NULL, ev_cpu_request, ms_container,
	 "resources.cpuCoresRequest (cores; 0 when unset)", "0"},
	{"Container Memory Limit", PL_CONTAINER, PK_NUMBER, NN, NULL, ev_mem_limit, ms_container,
	 "resources.memoryMbLimit (MB; 0 when unset)", "0"},
	{"Container Memory Request", PL_CONTAINER, PK_NUMBER, NN, NULL, ev_mem_request, ms_container,
	 "resources.memoryMbRequest (MB; 0 when unset)", "0"},
	{"Container Name", PL_CONTAINER, PK_REGEX, 0, NULL, ev_container_name, ms_container, "containers[].name",
	 "sidecar-.*"},
	{"Days Since CVE Fix Was Available", PL_VULN, PK_DAYS, IMG | NN | ONE, NULL, ev_days_fix, ms_vuln,
	 "NOT EVALUATED: central's Image records no time at which a fix became available; never matches", "30"},
	{"Days Since CVE Was First Discovered In Image", PL_VULN, PK_DAYS, IMG | NN | ONE, NULL, ev_days_first_image,
	 ms_vuln, "scan.components[].vulns[].firstImageOccurrence (older than N days)", "30"},
	{"Days Since CVE Was First Discovered In System", PL_VULN, PK_DAYS, IMG | NN | ONE, NULL, ev_days_first_system,
	 ms_vuln, "scan.components[].vulns[].firstSystemOccurrence (older than N days)", "30"},
	{"Days Since CVE Was Published", PL_VULN, PK_DAYS, IMG | NN | ONE, NULL, ev_days_published, ms_vuln,
	 "scan.components[].vulns[].publishedOn (older than N days)", "30"},
	{"Disallowed Annotation", PL_DEPLOYMENT, PK_MAPREGEX, NN, NULL, ev_disallowed_annotation, ms_deployment,
	 "annotations of the deployment: matches when one matches key[=value]", "admission.stackrox.io/break-glass="},
	{"Disallowed Image Label", PL_CONTAINER, PK_KEYVALUE, IMG | NN, NULL, ev_disallowed_image_label, ms_image,
	 "metadata.v1.labels of the image: matches when one matches key=value", "maintainer=.*evil.*"},
	{"Dockerfile Line", PL_LAYER, PK_DOCKERFILE, IMG | NN, NULL, ev_dockerfile, ms_dockerfile,
	 "metadata.v1.layers[] {instruction, value} of the image", "RUN=.*apt-get update.*"},
	{"Drop Capabilities", PL_CONTAINER, PK_ENUM, NN, caps_enum, ev_drop_caps, ms_container,
	 "securityContext.dropCapabilities: matches when the capability is NOT dropped", "ALL"},
	{"Environment Variable", PL_ENV, PK_ENVVAR, NN, NULL, ev_env, ms_env,
	 "config.env[] {envVarSource, key, value} of the container", "RAW=.*PASSWORD.*="},
	{"Exposed Node Port", PL_PORT, PK_NUMBER, 0, NULL, ev_node_port, ms_port,
	 "ports[].exposedPort of a container port with exposure NODE", "> 0"},
	{"Exposed Port", PL_PORT, PK_NUMBER, 0, NULL, ev_port, ms_port, "ports[].containerPort", "22"},
	{"Exposed Port Protocol", PL_PORT, PK_REGEX, 0, NULL, ev_port_protocol, ms_port,
	 "ports[].protocol (TCP when unset)", "tcp"},
	{"File Operation", PL_NONE, PK_REGEX, FILEEV, NULL, NULL, NULL,
	 "NOT EVALUATED: file activity events are not collected here; never matches", "OPEN"},
	{"File Path", PL_NONE, PK_REGEX, FILEEV, NULL, NULL, NULL,
	 "NOT EVALUATED: file activity events are not collected here; never matches", "/etc/shadow"},
	{"Fixable", PL_VULN, PK_BOOL, IMG | NN | ONE, NULL, ev_fixable, ms_vuln,
	 "whether scan.components[].vulns[].fixedBy is set", "true"},
	{"Fixed By", PL_VULN, PK_REGEX, IMG, NULL, ev_fixed_by, ms_vuln,
	 "scan.components[].vulns[].fixedBy (unset when no fix: never matches then)", ".*"},
	{"Has Egress Network Policy", PL_DEPLOYMENT, PK_BOOL, ONE, NULL, ev_egress_np, ms_deployment,
	 "whether a NetworkPolicy of the namespace selects the pods for Egress (needs network_policies)", "false"},
	{"Has Ingress Network Policy", PL_DEPLOYMENT, PK_BOOL, ONE, NULL, ev_ingress_np, ms_deployment,
	 "whether a NetworkPolicy of the namespace selects the pods for Ingress (needs network_policies)", "false"},
	{"Host IPC", PL_DEPLOYMENT, PK_BOOL, NN | ONE, NULL, ev_host_ipc, ms_deployment, "hostIpc", "true"},
	{"Host Network", PL_DEPLOYMENT, PK_BOOL, NN | ONE, NULL, ev_host_network, ms_deployment, "hostNetwork", "true"},
	{"Host PID", PL_DEPLOYMENT, PK_BOOL, NN | ONE, NULL, ev_host_pid, ms_deployment, "hostPid", "true"},
	{"Image Age", PL_CONTAINER, PK_DAYS, IMG | NN | ONE, NULL, ev_image_age, ms_image,
	 "metadata.v1.created of the image (older than N days)", "90"},
	{"Image Component", PL_COMPONENT, PK_KEYVALUE, IMG | NN, NULL, ev_component, ms_component,
	 "scan.components[] name=version", "curl="},
	{"Image OS", PL_CONTAINER, PK_REGEX, IMG, NULL, ev_image_os, ms_image, "scan.operatingSystem", "debian:.*"},
	{"Image Registry", PL_CONTAINER, PK_REGEX, IMG, NULL, ev_image_registry, ms_image, "name.registry",
	 "docker.io"},
	{"Image Remote", PL_CONTAINER, PK_REGEX, IMG, NULL, ev_image_remote, ms_image, "name.remote", "library/.*"},
	{"Image Scan Age", PL_CONTAINER, PK_DAYS, IMG | NN | ONE, NULL, ev_image_scan_age, ms_image,
	 "scan.scanTime (older than N days)", "30"},
	{"Image Signature Verified By", PL_NONE, PK_SIGNATURE, IMG | NN, NULL, NULL, NULL,
	 "NOT EVALUATED: image signatures are not verified here yet; never matches",
	 "io.stackrox.signatureintegration.12a37a37-760e-4388-9e79-d62726c075b2"},
	{"Image Tag", PL_CONTAINER, PK_REGEX, IMG, NULL, ev_image_tag, ms_image, "name.tag", "latest"},
	{"Image User", PL_CONTAINER, PK_REGEX, IMG, NULL, ev_image_user, ms_image, "metadata.v1.user (\"\" when unset)",
	 "root|0"},
	{"Is Impersonated User", PL_NONE, PK_BOOL, AUDIT | NN | ONE, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes audit log events are not collected here; never matches", "true"},
	{"Kubernetes API Verb", PL_NONE, PK_ENUM, AUDIT | NN, verb_enum, NULL, NULL,
	 "NOT EVALUATED: Kubernetes audit log events are not collected here; never matches", "GET"},
	{"Kubernetes Resource", PL_NONE, PK_ENUM, AUDIT | PROC | NN, kube_resource_enum, NULL, NULL,
	 "NOT EVALUATED: Kubernetes events (exec, port-forward) and audit logs are not collected here; never matches",
	 "PODS_EXEC"},
	{"Kubernetes Resource Name", PL_NONE, PK_REGEX, AUDIT, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes audit log events are not collected here; never matches", "my-secret"},
	{"Kubernetes User Groups", PL_NONE, PK_KUBE_NAME, AUDIT | PROC, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes events and audit logs are not collected here; never matches", "system:masters"},
	{"Kubernetes User Name", PL_NONE, PK_KUBE_NAME, AUDIT | PROC, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes events and audit logs are not collected here; never matches", "system:admin"},
	{"Liveness Probe Defined", PL_CONTAINER, PK_BOOL, NN | ONE, NULL, ev_liveness, ms_container,
	 "livenessProbe.defined", "false"},
	{"Minimum RBAC Permissions", PL_NONE, PK_ENUM, ONE, rbac_enum, NULL, NULL,
	 "NOT EVALUATED: RBAC bindings of service accounts are not known here; never matches",
	 "ELEVATED_CLUSTER_WIDE"},
	{"Mount Propagation", PL_VOLUME, PK_ENUM, 0, mount_prop_enum, ev_mount_prop, ms_volume,
	 "volumes[].mountPropagation (NONE when unset)", "BIDIRECTIONAL"},
	{"NVD CVSS", PL_VULN, PK_NUMBER, IMG | NN, NULL, ev_nvd_cvss, ms_vuln, "scan.components[].vulns[].nvdCvss",
	 ">= 7.0"},
	{"Namespace", PL_DEPLOYMENT, PK_REGEX, 0, NULL, ev_namespace, ms_deployment, "namespace", "default"},
	{"Port Exposure Method", PL_PORT, PK_ENUM, 0, exposure_enum, ev_port_exposure, ms_port,
	 "ports[].exposure (HOSTPORT read as HOST, unset as UNSET)", "EXTERNAL"},
	{"Privileged Container", PL_CONTAINER, PK_BOOL, NN | ONE, NULL, ev_privileged, ms_container,
	 "securityContext.privileged", "true"},
	{"Process Ancestor", PL_PROCESS, PK_REGEX, PROC, NULL, ev_process_ancestor, ms_process,
	 "signal.lineageInfo[].parentExecFilePath of the process", ".*java"},
	{"Process Arguments", PL_PROCESS, PK_CONTAINS_REGEX, PROC, NULL, ev_process_args, ms_process,
	 "signal.args of the process (regex found anywhere)", "--privileged"},
	{"Process Name", PL_PROCESS, PK_REGEX, PROC, NULL, ev_process_name, ms_process, "signal.name of the process",
	 "bash|sh"},
	{"Process UID", PL_PROCESS, PK_UINT, PROC, NULL, ev_process_uid, ms_process, "signal.uid of the process", "0"},
	{"Read-Only Root Filesystem", PL_CONTAINER, PK_BOOL, NN | ONE, NULL, ev_ro_rootfs, ms_container,
	 "securityContext.readOnlyRootFilesystem", "false"},
	{"Readiness Probe Defined", PL_CONTAINER, PK_BOOL, ONE, NULL, ev_readiness, ms_container,
	 "readinessProbe.defined", "false"},
	{"Replicas", PL_DEPLOYMENT, PK_NUMBER, 0, NULL, ev_replicas, ms_deployment, "replicas", "< 2"},
	{"Required Annotation", PL_DEPLOYMENT, PK_KEYVALUE, NN, NULL, ev_required_annotation, ms_deployment,
	 "annotations: matches when none matches key=value", "owner=.+"},
	{"Required Image Label", PL_CONTAINER, PK_KEYVALUE, IMG | NN, NULL, ev_required_image_label, ms_image,
	 "metadata.v1.labels of the image: matches when none matches key=value", "maintainer=.+"},
	{"Required Label", PL_DEPLOYMENT, PK_KEYVALUE, NN, NULL, ev_required_label, ms_deployment,
	 "labels: matches when none matches key=value", "team=.+"},
	{"Runtime Class", PL_DEPLOYMENT, PK_REGEX, 0, NULL, ev_runtime_class, ms_deployment,
	 "runtimeClass (\"\" when unset)", "gvisor"},
	{"Seccomp Profile Type", PL_CONTAINER, PK_ENUM, ONE, seccomp_enum, ev_seccomp, ms_container,
	 "securityContext.seccompProfile.type (unset: never matches)", "UNCONFINED"},
	{"Service Account", PL_DEPLOYMENT, PK_REGEX, 0, NULL, ev_service_account, ms_deployment,
	 "serviceAccount (\"default\" when unset)", "default"},
	{"Severity", PL_VULN, PK_SEVERITY, IMG | NN, NULL, ev_severity, ms_vuln,
	 "scan.components[].vulns[].severity (LOW < MODERATE < IMPORTANT < CRITICAL)", ">= IMPORTANT"},
	{"Source IP Address", PL_NONE, PK_IP, AUDIT, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes audit log events are not collected here; never matches", "10.0.0.1"},
	{"Unexpected Network Flow Detected", PL_NONE, PK_BOOL, PROC | NN | ONE, NULL, NULL, NULL,
	 "NOT EVALUATED: network baselines are not kept here; never matches", "true"},
	{"Unexpected Process Executed", PL_NONE, PK_BOOL, PROC | NN | ONE, NULL, NULL, NULL,
	 "NOT EVALUATED: process baselines are not kept here; never matches", "true"},
	{"Unscanned Image", PL_CONTAINER, PK_BOOL, IMG | NN | ONE, NULL, ev_unscanned, ms_image,
	 "whether the container's image has no scan", "true"},
	{"User Agent", PL_NONE, PK_REGEX, AUDIT, NULL, NULL, NULL,
	 "NOT EVALUATED: Kubernetes audit log events are not collected here; never matches", "kubectl/.*"},
	{"Volume Destination", PL_VOLUME, PK_REGEX, 0, NULL, ev_vol_dest, ms_volume, "volumes[].destination",
	 "/host.*"},
	{"Volume Name", PL_VOLUME, PK_REGEX, 0, NULL, ev_vol_name, ms_volume, "volumes[].name", "docker-sock"},
	{"Volume Source", PL_VOLUME, PK_REGEX, 0, NULL, ev_vol_source, ms_volume, "volumes[].source",
	 "/var/run/docker.sock"},
	{"Volume Type", PL_VOLUME, PK_REGEX, 0, NULL, ev_vol_type, ms_volume, "volumes[].type", "HostPath"},
	{"Writable Host Mount", PL_VOLUME, PK_BOOL, NN | ONE, NULL, ev_writable_host_mount, ms_volume,
	 "HostPath volumes: not readOnly", "true"},
	{"Writable Mounted Volume", PL_VOLUME, PK_BOOL, NN | ONE, NULL, ev_writable_volume, ms_volume,
	 "volumes[]: not readOnly", "true"},
};

static int field_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct pol_field *)elem)->name);
}

const struct pol_field *pol_field_find(const char *name)
{
	if (!name)
		return NULL;
	return bsearch(name, fields, sizeof(fields) / sizeof(fields[0]), sizeof(fields[0]), field_cmp);
}

const struct pol_field *pol_fields(size_t *count)
{
	*count = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

static const char *kind_name(enum pol_kind k)
{
	switch (k) {
	case PK_REGEX:
	case PK_CONTAINS_REGEX:
	case PK_KUBE_NAME:
	case PK_IP:
	case PK_SIGNATURE:
		return "string";
	case PK_BOOL: return "boolean";
	case PK_NUMBER:
	case PK_DAYS:
	case PK_UINT:
		return "number";
	case PK_KEYVALUE:
	case PK_MAPREGEX:
		return "keyValue";
	case PK_ENVVAR: return "envVar";
	case PK_DOCKERFILE: return "dockerfileLine";
	case PK_SEVERITY: return "severity";
	case PK_ENUM: return "enum";
	}
	return "string";
}

json_t *policy_fields_json(void)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct pol_field *f = &fields[i];
		json_t *o, *stages = json_array(), *sources = NULL;

		if (f->flags & PF_RUNTIME) {
			json_array_append_new(stages, json_string("RUNTIME"));
			sources = json_array();
			if (f->flags & PF_DEPLOY_EVENT)
				json_array_append_new(sources, json_string("DEPLOYMENT_EVENT"));
			if (f->flags & PF_AUDIT)
				json_array_append_new(sources, json_string("AUDIT_LOG_EVENT"));
			if (f->flags & PF_NODE_EVENT)
				json_array_append_new(sources, json_string("NODE_EVENT"));
		} else {
			if (f->flags & PF_IMAGE)
				json_array_append_new(stages, json_string("BUILD"));
			json_array_append_new(stages, json_string("DEPLOY"));
			json_array_append_new(stages, json_string("RUNTIME"));
		}
		o = json_pack("{s:s, s:o, s:s, s:b, s:b, s:b, s:s, s:s}", "name", f->name, "stages", stages, "valueType",
			      kind_name(f->kind), "negatable", !(f->flags & PF_NO_NEGATE), "multipleValues",
			      !(f->flags & PF_ONE_VALUE), "evaluated", f->level != PL_NONE, "description", f->reads,
			      "example", f->example);
		if (!o) {
			json_decref(sources);
			json_decref(arr);
			return NULL;
		}
		if (sources)
			json_object_set_new(o, "eventSources", sources);
		if (f->kind == PK_ENUM) {
			json_t *ev = json_array();

			for (size_t k = 0; f->enum_values[k]; k++)
				json_array_append_new(ev, json_string(f->enum_values[k]));
			json_object_set_new(o, "enumValues", ev);
		}
		if (f->level == PL_NONE)
			json_object_set_new(o, "note", json_string("Known so that StackRox policies import; not "
								   "evaluated by this engine yet: never matches."));
		json_array_append_new(arr, o);
	}
	return arr;
}
