/*
 * policy_test.c - the policy engine against StackRox's shipped policies and
 * hand-written images, deployments and processes: validation paths, every
 * evaluated criterion matching and not matching, linking, operators,
 * negation, scope, exclusions and violation messages.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error/error.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"
#include "testing/testing.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		fail_msg("bad test JSON: %s at %d: %s", e.text, e.position, text);
	return j;
}

/* A policy with the given stages, event source and sections (JSON text). */
static json_t *mkpolicy(const char *stages, const char *event, const char *sections)
{
	char buf[16384];

	snprintf(buf, sizeof(buf),
		 "{\"name\":\"Test policy\",\"categories\":[\"Test\"],\"severity\":\"HIGH_SEVERITY\","
		 "\"lifecycleStages\":%s%s%s%s,\"policySections\":%s}",
		 stages, event ? ",\"eventSource\":\"" : "", event ? event : "", event ? "\"" : "", sections);
	return load(buf);
}

static struct policy *mkparsed(const char *stages, const char *event, const char *sections)
{
	json_t *j = mkpolicy(stages, event, sections);
	struct policy *p = NULL;
	int rc = policy_parse(&p, j);

	if (rc != ASEC_OK)
		fail_msg("policy did not parse: %s (%s)", error_last(), sections);
	json_decref(j);
	return p;
}

/* Evaluates one section of groups; returns the violations (caller frees). */
static json_t *eval_groups(const char *stages, const char *event, const char *groups, enum policy_stage st,
			   const struct policy_input *in)
{
	char sections[8192];
	struct policy *p;
	json_t *v = NULL;

	snprintf(sections, sizeof(sections), "[{\"sectionName\":\"s\",\"policyGroups\":%s}]", groups);
	p = mkparsed(stages, event, sections);
	assert_int_equal(policy_evaluate(&v, p, st, in), ASEC_OK);
	policy_free(p);
	return v;
}

static size_t count_groups(const char *stages, const char *groups, enum policy_stage st,
			   const struct policy_input *in)
{
	json_t *v = eval_groups(stages, st == POLICY_STAGE_RUNTIME ? "DEPLOYMENT_EVENT" : NULL, groups, st, in);
	size_t n = json_array_size(v);

	json_decref(v);
	return n;
}

static int has_message(const json_t *v, const char *msg)
{
	size_t i;
	const json_t *x;

	json_array_foreach(v, i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "message")), msg) == 0)
			return 1;
	}
	return 0;
}

/* ---- fixtures ------------------------------------------------------------ */

static const char *IMAGE =
	"{\"name\":{\"registry\":\"docker.io\",\"remote\":\"library/app\",\"tag\":\"latest\","
	"\"fullName\":\"docker.io/library/app:latest\"},"
	"\"metadata\":{\"v1\":{\"created\":\"2025-01-01T00:00:00Z\",\"user\":\"root\","
	"\"labels\":{\"maintainer\":\"ops@example.com\",\"tier\":\"web\"},"
	"\"layers\":[{\"instruction\":\"ADD\",\"value\":\"file:abc in /\"},"
	"{\"instruction\":\"RUN\",\"value\":\"/bin/sh -c apt-get update\"},"
	"{\"instruction\":\"EXPOSE\",\"value\":\"22/tcp\"}]}},"
	"\"scan\":{\"scanTime\":\"2025-11-01T00:00:00Z\",\"operatingSystem\":\"debian:12\",\"components\":["
	"{\"name\":\"log4j\",\"version\":\"2.14.1\",\"vulns\":["
	"{\"cve\":\"CVE-2021-44228\",\"cvss\":10,\"nvdCvss\":10,\"severity\":\"CRITICAL_VULNERABILITY_SEVERITY\","
	"\"fixedBy\":\"2.15.0\",\"publishedOn\":\"2021-12-10T00:00:00Z\",\"firstImageOccurrence\":\"2025-12-25T00:00:00Z\","
	"\"firstSystemOccurrence\":\"2025-01-01T00:00:00Z\"},"
	"{\"cve\":\"CVE-2099-0001\",\"cvss\":5.5,\"severity\":\"MODERATE_VULNERABILITY_SEVERITY\","
	"\"publishedOn\":\"2025-12-30T00:00:00Z\"}]},"
	"{\"name\":\"curl\",\"version\":\"7.88.1\",\"vulns\":["
	"{\"cve\":\"CVE-2023-38545\",\"cvss\":9.8,\"severity\":\"IMPORTANT_VULNERABILITY_SEVERITY\"}]}]}}";

static const char *DEPLOYMENT =
	"{\"id\":\"d1\",\"name\":\"web\",\"namespace\":\"shop\",\"type\":\"Deployment\","
	"\"labels\":{\"app\":\"web\",\"team\":\"blue\"},\"annotations\":{\"owner\":\"alice\"},"
	"\"podLabels\":{\"app\":\"web\"},\"replicas\":3,\"serviceAccount\":\"default\","
	"\"automountServiceAccountToken\":true,\"hostNetwork\":true,\"hostPid\":false,\"hostIpc\":false,"
	"\"containers\":["
	"{\"name\":\"app\",\"image\":{\"name\":{\"registry\":\"docker.io\",\"remote\":\"library/app\","
	"\"tag\":\"latest\",\"fullName\":\"docker.io/library/app:latest\"}},"
	"\"securityContext\":{\"privileged\":true,\"readOnlyRootFilesystem\":false,\"allowPrivilegeEscalation\":true,"
	"\"addCapabilities\":[\"SYS_ADMIN\",\"NET_RAW\"],\"dropCapabilities\":[],"
	"\"seccompProfile\":{\"type\":\"UNCONFINED\"},\"appArmorProfile\":\"unconfined\"},"
	"\"resources\":{\"cpuCoresRequest\":0,\"cpuCoresLimit\":2,\"memoryMbRequest\":128,\"memoryMbLimit\":0},"
	"\"config\":{\"env\":[{\"key\":\"DB_PASSWORD\",\"value\":\"hunter2\",\"envVarSource\":\"RAW\"},"
	"{\"key\":\"API_TOKEN\",\"value\":\"\",\"envVarSource\":\"SECRET_KEY\"}]},"
	"\"volumes\":[{\"name\":\"sock\",\"source\":\"/var/run/docker.sock\",\"destination\":\"/var/run/docker.sock\","
	"\"readOnly\":false,\"type\":\"HostPath\",\"mountPropagation\":\"BIDIRECTIONAL\"},"
	"{\"name\":\"cfg\",\"source\":\"app-config\",\"destination\":\"/etc/app\",\"readOnly\":true,"
	"\"type\":\"ConfigMap\"}],"
	"\"ports\":[{\"containerPort\":22,\"protocol\":\"TCP\",\"exposure\":\"NODE\",\"exposedPort\":30022},"
	"{\"containerPort\":8080,\"protocol\":\"TCP\",\"exposure\":\"EXTERNAL\"}],"
	"\"livenessProbe\":{\"defined\":false},\"readinessProbe\":{\"defined\":true}},"
	"{\"name\":\"sidecar\",\"image\":{\"name\":{\"registry\":\"quay.io\",\"remote\":\"proxy/envoy\","
	"\"tag\":\"v1\",\"fullName\":\"quay.io/proxy/envoy:v1\"}},"
	"\"securityContext\":{\"privileged\":false,\"readOnlyRootFilesystem\":true,\"allowPrivilegeEscalation\":false,"
	"\"dropCapabilities\":[\"ALL\"],\"seccompProfile\":{\"type\":\"RUNTIME_DEFAULT\"}},"
	"\"resources\":{\"cpuCoresRequest\":0.5,\"cpuCoresLimit\":1,\"memoryMbRequest\":64,\"memoryMbLimit\":256},"
	"\"config\":{\"env\":[]},\"volumes\":[],\"ports\":[],"
	"\"livenessProbe\":{\"defined\":true},\"readinessProbe\":{\"defined\":true}}]}";

struct world {
	json_t *image, *deployment, *netpols, *process;
	const json_t *images[2];
	struct policy_input in;
};

static struct world W;

static int setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	W.image = load(IMAGE);
	W.deployment = load(DEPLOYMENT);
	W.netpols = load("[{\"metadata\":{\"namespace\":\"shop\",\"name\":\"deny\"},\"spec\":{\"podSelector\":"
			 "{\"matchLabels\":{\"app\":\"web\"}},\"policyTypes\":[\"Ingress\"]}}]");
	W.process = load("{\"containerName\":\"app\",\"signal\":{\"name\":\"bash\",\"execFilePath\":\"/bin/bash\","
			 "\"args\":\"-c curl http://10.0.0.1:10250/pods\",\"uid\":0,\"lineageInfo\":"
			 "[{\"parentExecFilePath\":\"/usr/bin/java\",\"parentUid\":0}]}}");
	W.images[0] = W.image;
	W.images[1] = NULL; /* the sidecar's image was not scanned */
	W.in.image = W.image;
	W.in.deployment = W.deployment;
	W.in.container_images = W.images;
	W.in.container_image_count = 2;
	W.in.network_policies = W.netpols;
	W.in.process = W.process;
	W.in.cluster = "cluster-1";
	W.in.now = NOW;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(W.image);
	json_decref(W.deployment);
	json_decref(W.netpols);
	json_decref(W.process);
	return 0;
}

#define B "[\"BUILD\"]"
#define D "[\"DEPLOY\"]"
#define BD "[\"BUILD\",\"DEPLOY\"]"
#define R "[\"RUNTIME\"]"

static size_t nb(const char *groups)
{
	return count_groups(B, groups, POLICY_STAGE_BUILD, &W.in);
}

static size_t nd(const char *groups)
{
	return count_groups(D, groups, POLICY_STAGE_DEPLOY, &W.in);
}

static size_t nr(const char *groups)
{
	return count_groups(R, groups, POLICY_STAGE_RUNTIME, &W.in);
}

/* ---- tests ------------------------------------------------------------- */

static void test_field_table(void **state)
{
	size_t n;
	const struct pol_field *f = pol_fields(&n);
	json_t *doc;

	(void)state;
	assert_true(n >= 79);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(f[i - 1].name, f[i].name) < 0);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(pol_field_find(f[i].name), &f[i]);
		/* every example value is a valid value of its field */
		struct pol_value v;
		char why[256];

		assert_int_equal(pol_value_parse(&v, why, sizeof(why), &f[i], f[i].example), ASEC_OK);
		pol_value_clear(&v);
		assert_true((f[i].level == PL_NONE) == (f[i].eval == NULL));
	}
	assert_null(pol_field_find("Image Tags"));
	doc = policy_fields_json();
	assert_int_equal(json_array_size(doc), n);
	/* a not-evaluated field carries its note */
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(doc, i);

		if (strcmp(json_string_value(json_object_get(o, "name")), "Kubernetes API Verb") == 0) {
			assert_true(json_is_false(json_object_get(o, "evaluated")));
			assert_non_null(json_object_get(o, "note"));
		}
	}
	json_decref(doc);
}

static void test_stackrox_default_policies(void **state)
{
	char dir[4096], path[8192];
	DIR *d;
	struct dirent *e;
	size_t count = 0, fired = 0;

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/policies/stackrox-default-policies");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		json_error_t je;
		json_t *j, *errors = NULL;
		struct policy *p = NULL;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		j = json_load_file(path, 0, &je);
		assert_non_null(j);
		assert_int_equal(policy_validate(&errors, j), ASEC_OK);
		if (json_array_size(errors)) {
			char *s = json_dumps(errors, 0);

			fail_msg("%s does not validate: %s", e->d_name, s);
		}
		json_decref(errors);
		if (policy_parse(&p, j) != ASEC_OK)
			fail_msg("%s does not parse: %s", e->d_name, error_last());
		/* evaluate at every stage it has, against our world */
		for (unsigned st = POLICY_STAGE_BUILD; st <= POLICY_STAGE_RUNTIME; st <<= 1) {
			json_t *v = NULL;

			if (!(policy_stages(p) & st))
				continue;
			assert_int_equal(policy_evaluate(&v, p, (enum policy_stage)st, &W.in), ASEC_OK);
			fired += json_array_size(v) > 0;
			json_decref(v);
		}
		policy_free(p);
		json_decref(j);
		count++;
	}
	closedir(d);
	assert_true(count >= 89);
	/* our world violates plenty of them: latest tag, privileged, log4shell... */
	assert_true(fired >= 20);
}

static void test_default_policy_semantics(void **state)
{
	char dir[4096], path[8192];
	static const struct {
		const char *file;
		enum policy_stage stage;
		const char *message;
	} cases[] = {
		{"log4shell.json", POLICY_STAGE_DEPLOY,
		 "Fixable CVE-2021-44228 (CVSS 10) (severity Critical) found in component 'log4j' (version 2.14.1) in "
		 "container 'app', resolved by version 2.15.0"},
		{"latest_tag.json", POLICY_STAGE_BUILD, "Image has tag 'latest'"},
		{"privileged.json", POLICY_STAGE_DEPLOY, "Container 'app' is privileged"},
		{"docker_sock.json", POLICY_STAGE_DEPLOY, NULL},
		{"secret_env.json", POLICY_STAGE_DEPLOY,
		 "Environment variable 'DB_PASSWORD' is present in container 'app' and has a raw value"},
		{"exec-java-shell.json", POLICY_STAGE_RUNTIME,
		 "Binary '/bin/bash' executed with arguments '-c curl http://10.0.0.1:10250/pods' under user ID 0"},
		{"update_instructions.json", POLICY_STAGE_BUILD, "Dockerfile line 'RUN /bin/sh -c apt-get update' found"},
		{"severity_important.json", POLICY_STAGE_BUILD, NULL},
		{"no_scans.json", POLICY_STAGE_DEPLOY, NULL},
		{"deployment_has_ingress_network_policy.json", POLICY_STAGE_DEPLOY, (const char *)1},
		{"deployment_has_egress_network_policy.json", POLICY_STAGE_DEPLOY, NULL},
	};

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/policies/stackrox-default-policies");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t je;
		json_t *j, *v = NULL;
		struct policy *p = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
		j = json_load_file(path, 0, &je);
		assert_non_null(j);
		assert_int_equal(policy_parse(&p, j), ASEC_OK);
		assert_int_equal(policy_evaluate(&v, p, cases[i].stage, &W.in), ASEC_OK);
		if (cases[i].message == (const char *)1) {
			/* the ingress policy selects app=web: "Has Ingress Network Policy: false" does not fire */
			if (json_array_size(v) != 0)
				fail_msg("%s fired: %s", cases[i].file, json_dumps(v, 0));
		} else if (json_array_size(v) == 0) {
			fail_msg("%s did not fire", cases[i].file);
		} else if (cases[i].message && !has_message(v, cases[i].message)) {
			fail_msg("%s: no message '%s' in %s", cases[i].file, cases[i].message, json_dumps(v, 0));
		}
		json_decref(v);
		policy_free(p);
		json_decref(j);
	}
}

static void expect_error(const char *policy_text, const char *path, const char *message_part)
{
	json_t *j = load(policy_text), *errors = NULL;
	struct policy *p = NULL;
	size_t i;
	const json_t *e;
	int found = 0;

	assert_int_equal(policy_validate(&errors, j), ASEC_OK);
	json_array_foreach(errors, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0 &&
		    (!message_part || strstr(json_string_value(json_object_get(e, "message")), message_part)))
			found = 1;
	}
	if (!found)
		fail_msg("expected an error at %s (%s); got %s for %s", path, message_part ? message_part : "",
			 json_dumps(errors, 0), policy_text);
	assert_int_equal(policy_parse(&p, j), ASEC_EINVALID);
	assert_null(p);
	assert_non_null(strstr(error_last(), ": "));
	json_decref(errors);
	json_decref(j);
}

#define HEAD "\"name\":\"Test policy\",\"categories\":[\"Test\"],\"severity\":\"HIGH_SEVERITY\""
#define SEC(g) "\"policySections\":[{\"policyGroups\":[" g "]}]"
#define G(f, v) "{\"fieldName\":\"" f "\",\"values\":[{\"value\":\"" v "\"}]}"

static void test_validation_paths(void **state)
{
	(void)state;
	expect_error("{" HEAD "," SEC(G("Image Tag", "latest")) "}", "lifecycleStages", "at least one");
	expect_error("{" HEAD ",\"lifecycleStages\":[]," SEC(G("Image Tag", "latest")) "}", "lifecycleStages", NULL);
	expect_error("{\"name\":\"Test policy\",\"severity\":\"HIGH_SEVERITY\",\"lifecycleStages\":[\"BUILD\"]," SEC(
			     G("Image Tag", "latest")) "}",
		     "categories", "category");
	expect_error("{\"name\":\"Test policy\",\"categories\":[\"x\"],\"lifecycleStages\":[\"BUILD\"]," SEC(
			     G("Image Tag", "latest")) "}",
		     "severity", "required");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"BUILD\"]," SEC(G("Image Tag", "latest") "," G(
			     "Privileged Container", "true")) "}",
		     "policySections[0].policyGroups[1].fieldName", "BUILD policies use image fields only");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"RUNTIME\"]," SEC(G("Process Name", "bash")) "}", "eventSource",
		     "event source");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"RUNTIME\"],\"eventSource\":\"DEPLOYMENT_EVENT\"," SEC(
			     G("Privileged Container", "true")) "}",
		     "policySections[0]", "runtime field");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Process Name", "bash")) "}",
		     "policySections[0].policyGroups[0].fieldName", "DEPLOY");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"RUNTIME\"],\"eventSource\":\"AUDIT_LOG_EVENT\"," SEC(
			     G("Process Name", "bash")) "}",
		     "policySections[0].policyGroups[0].fieldName", "AUDIT_LOG_EVENT");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Image Tags", "latest")) "}",
		     "policySections[0].policyGroups[0].fieldName", "unknown field");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"colour\":1," SEC(G("Image Tag", "latest")) "}",
		     "colour", "unknown member");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":"
		     "\"Image Tag\",\"value\":[]}]}]}",
		     "policySections[0].policyGroups[0].value", "unknown member");
	/* value forms, one per kind */
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("CVSS", "high")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "number");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("CVSS", "= 7")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "number");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Privileged Container", "yes")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "true or false");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Severity", ">= HIGH")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "severity");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Environment Variable", "RAW=X")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "SOURCE=NAME=VALUE");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Environment Variable", "BOGUS=X=")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "source");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Dockerfile Line", "JUMP=.*")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "instruction");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Required Label", "=x")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "key=value");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Image Tag", "(unclosed")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "regular expression");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Image Tag", "(a)\\\\1")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "back references");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Image Age", ">90")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "days");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Seccomp Profile Type", "OPEN")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "one of");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"]," SEC(G("Image Tag", "   ")) "}",
		     "policySections[0].policyGroups[0].values[0].value", "non-blank");
	/* negation and one-value rules */
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":"
		     "\"CVSS\",\"negate\":true,\"values\":[{\"value\":\"7\"}]}]}]}",
		     "policySections[0].policyGroups[0].negate", "negated");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":"
		     "\"Privileged Container\",\"values\":[{\"value\":\"true\"},{\"value\":\"false\"}]}]}]}",
		     "policySections[0].policyGroups[0].values", "exactly one");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":"
		     "\"Image Tag\",\"booleanOperator\":\"XOR\",\"values\":[{\"value\":\"a\"}]}]}]}",
		     "policySections[0].policyGroups[0].booleanOperator", NULL);
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":"
		     "\"Image Tag\",\"values\":[]}]}]}",
		     "policySections[0].policyGroups[0].values", "at least one value");
	/* exclusions and stages */
	expect_error("{" HEAD ",\"lifecycleStages\":[\"BUILD\"],\"exclusions\":[{\"deployment\":{\"name\":\"x\"}}]," SEC(
			     G("Image Tag", "latest")) "}",
		     "exclusions[0].deployment", "DEPLOY or RUNTIME");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"exclusions\":[{\"image\":{\"name\":\"x\"}}]," SEC(
			     G("Image Tag", "latest")) "}",
		     "exclusions[0].image", "BUILD");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"exclusions\":[{\"name\":\"x\"}]," SEC(
			     G("Image Tag", "latest")) "}",
		     "exclusions[0]", "deployment or an image");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"exclusions\":[{\"deployment\":{\"name\":\"x\","
		     "\"scope\":{\"namespace\":\"a\",\"zone\":1}}}]," SEC(G("Image Tag", "latest")) "}",
		     "exclusions[0].deployment.scope.zone", "unknown member");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"exclusions\":[{\"deployment\":{\"name\":\"x\"},"
		     "\"expiration\":\"tomorrow\"}]," SEC(G("Image Tag", "latest")) "}",
		     "exclusions[0].expiration", "RFC 3339");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"enforcementActions\":[\"FAIL_BUILD_ENFORCEMENT\"]," SEC(
			     G("Image Tag", "latest")) "}",
		     "enforcementActions[0]", "BUILD");
	expect_error("{" HEAD ",\"lifecycleStages\":[\"DEPLOY\"],\"policyVersion\":\"1\"," SEC(G("Image Tag", "latest")) "}",
		     "policyVersion", NULL);
	expect_error("[1]", "", "object");
}

static void test_regex_translation(void **state)
{
	static const struct {
		const char *pattern, *subject;
		int match;
	} cases[] = {
		{"latest", "LATEST", 1},      /* case-insensitive */
		{"latest", "latest-1", 0},    /* whole value */
		{"\\d{1,3}\\.\\d+", "10.25", 1},
		{"\\d+", "1a", 0},
		{"(?:a|b)+c", "abac", 1},
		{"(?i)abc", "ABC", 1},
		{"a.c", "a\nc", 0},
		{"(?s)a.c", "a\nc", 1},
		{"[,\\[\\s]x", "[x", 1},
		{"[,\\[\\s]x", " x", 1},
		{"[,\\[\\s]x", "yx", 0},
		{"[^\\]]+", "abc", 1},
		{"[^\\]]+", "a]c", 0},
		{"a.*?b", "axxb", 1},
		{"\\Qa.b\\E", "a.b", 1},
		{"\\Qa.b\\E", "axb", 0},
		{"\\x41", "a", 1},
		{"x{2}", "xx", 1},
		{"a{", "a{", 1},
		{"[a-c-]+", "a-c", 1},
		{"(?P<n>ab)", "ab", 1},
		{"\\$.?KUBE", "${KUBE", 1},
		{"(?:$|[,\\]\\s])", "", 1},
	};
	/* counted repetitions glibc would expand past its stack or into
	 * seconds of matching: x{101}; (a?){100} three times (300 in all) */
	static const char *const bad[] = {"(a)\\1", "\\pL", "(?-i)a", "a**", "x{1001}", "(x{100}){100}",
					  "x{101}", "(a?){100}(a?){100}(a?){100}", "(x{10}){11}",
					  "[\\D]", "(", ")", "[a", "*a", "\\", "a\\k", "[é]"};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		regex_t *re = NULL;

		if (pol_regex_compile(&re, why, sizeof(why), cases[i].pattern, 0) != ASEC_OK)
			fail_msg("%s did not compile: %s", cases[i].pattern, why);
		if (pol_regex_match(re, cases[i].subject) != cases[i].match)
			fail_msg("%s on '%s': expected %d", cases[i].pattern, cases[i].subject, cases[i].match);
		pol_regex_free(re);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		regex_t *re = NULL;

		if (pol_regex_compile(&re, why, sizeof(why), bad[i], 0) != ASEC_EINVALID)
			fail_msg("%s compiled", bad[i]);
		assert_null(re);
	}
}

static void test_image_criteria(void **state)
{
	(void)state;
	/* CVE, linked with Fixable on the same vulnerability */
	assert_int_equal(nb("[" G("CVE", "CVE-2021-44228") "]"), 1);
	assert_int_equal(nb("[" G("CVE", "CVE-2021-4422") "]"), 0);
	assert_int_equal(nb("[" G("CVE", "CVE-2021-44228") "," G("Fixable", "true") "]"), 1);
	assert_int_equal(nb("[" G("CVE", "CVE-2099-0001") "," G("Fixable", "true") "]"), 0);
	assert_int_equal(nb("[" G("CVE", "CVE-2099-0001") "," G("Fixable", "false") "]"), 1);
	/* CVSS and NVD CVSS */
	assert_int_equal(nb("[" G("CVSS", ">= 9.8") "]"), 2);
	assert_int_equal(nb("[" G("CVSS", ">10") "]"), 0);
	assert_int_equal(nb("[" G("CVSS", "<6") "]"), 1);
	assert_int_equal(nb("[" G("NVD CVSS", ">= 7") "]"), 1); /* only one vuln has nvdCvss */
	assert_int_equal(nb("[" G("NVD CVSS", "< 7") "]"), 0);
	/* Severity comparisons */
	assert_int_equal(nb("[" G("Severity", ">= IMPORTANT") "]"), 2);
	assert_int_equal(nb("[" G("Severity", ">IMPORTANT") "]"), 1);
	assert_int_equal(nb("[" G("Severity", "MODERATE") "]"), 1);
	assert_int_equal(nb("[" G("Severity", "< LOW") "]"), 0);
	/* Fixed By: unfixed vulnerabilities have none, so .* does not match them */
	assert_int_equal(nb("[" G("Fixed By", ".*") "]"), 1);
	assert_int_equal(nb("[" G("Fixed By", "2\\\\.15.*") "]"), 1);
	assert_int_equal(nb("[" G("Fixed By", "3.*") "]"), 0);
	/* Days */
	assert_int_equal(nb("[" G("Days Since CVE Was Published", "30") "]"), 1);
	assert_int_equal(nb("[" G("Days Since CVE Was Published", "3000") "]"), 0);
	assert_int_equal(nb("[" G("Days Since CVE Was First Discovered In Image", "5") "]"), 1);
	assert_int_equal(nb("[" G("Days Since CVE Was First Discovered In Image", "10") "]"), 0);
	assert_int_equal(nb("[" G("Days Since CVE Was First Discovered In System", "300") "]"), 1);
	assert_int_equal(nb("[" G("Days Since CVE Was First Discovered In System", "400") "]"), 0);
	assert_int_equal(nb("[" G("Days Since CVE Fix Was Available", "0") "]"), 0); /* not evaluable */
	/* Component, linked with CVE */
	assert_int_equal(nb("[" G("Image Component", "curl=") "]"), 1);
	assert_int_equal(nb("[" G("Image Component", "curl=8.*") "]"), 0);
	assert_int_equal(nb("[" G("Image Component", "log4j=2\\\\.14\\\\..*") "]"), 1);
	assert_int_equal(nb("[" G("Image Component", "curl=") "," G("CVE", "CVE-2021-44228") "]"), 0);
	assert_int_equal(nb("[" G("Image Component", "log4j=") "," G("CVE", "CVE-2021-44228") "]"), 1);
	/* Dockerfile Line */
	assert_int_equal(nb("[" G("Dockerfile Line", "RUN=(/bin/sh -c)?\\\\s*apt-get update\\\\s*") "]"), 1);
	assert_int_equal(nb("[" G("Dockerfile Line", "CMD=.*") "]"), 0);
	assert_int_equal(nb("[" G("Dockerfile Line", "=22/tcp") "]"), 1);
	assert_int_equal(nb("[" G("Dockerfile Line", "EXPOSE=(22/tcp|\\\\s+22/tcp)") "]"), 1);
	/* image metadata */
	assert_int_equal(nb("[" G("Image Tag", "latest") "]"), 1);
	assert_int_equal(nb("[" G("Image Tag", "v.*") "]"), 0);
	assert_int_equal(nb("[" G("Image Registry", "docker\\\\.io") "]"), 1);
	assert_int_equal(nb("[" G("Image Registry", "quay.io") "]"), 0);
	assert_int_equal(nb("[" G("Image Remote", "library/.*") "]"), 1);
	assert_int_equal(nb("[" G("Image Remote", "library") "]"), 0);
	assert_int_equal(nb("[" G("Image OS", "debian:.*") "]"), 1);
	assert_int_equal(nb("[" G("Image OS", "alpine.*") "]"), 0);
	assert_int_equal(nb("[" G("Image User", "0|root") "]"), 1);
	assert_int_equal(nb("[" G("Image User", "app") "]"), 0);
	assert_int_equal(nb("[" G("Image Age", "90") "]"), 1);
	assert_int_equal(nb("[" G("Image Age", "400") "]"), 0);
	assert_int_equal(nb("[" G("Image Scan Age", "30") "]"), 1);
	assert_int_equal(nb("[" G("Image Scan Age", "90") "]"), 0);
	assert_int_equal(nb("[" G("Required Image Label", "maintainer=.+@example\\\\.com") "]"), 0);
	assert_int_equal(nb("[" G("Required Image Label", "owner=.+") "]"), 1);
	assert_int_equal(nb("[" G("Disallowed Image Label", "tier=web") "]"), 1);
	assert_int_equal(nb("[" G("Disallowed Image Label", "tier=db") "]"), 0);
	assert_int_equal(nb("[" G("Unscanned Image", "true") "]"), 0);
	assert_int_equal(nb("[" G("Unscanned Image", "false") "]"), 1);
	assert_int_equal(nb("[" G("Image Signature Verified By",
				   "io.stackrox.signatureintegration.12a37a37-760e-4388-9e79-d62726c075b2") "]"),
			 0);
}

static void test_image_messages(void **state)
{
	json_t *v;

	(void)state;
	v = eval_groups(B, NULL, "[" G("CVSS", ">= 9") "]", POLICY_STAGE_BUILD, &W.in);
	assert_int_equal(json_array_size(v), 2);
	assert_true(has_message(v, "Fixable CVE-2021-44228 (CVSS 10) (severity Critical) found in component 'log4j' "
				   "(version 2.14.1), resolved by version 2.15.0"));
	assert_true(has_message(v, "CVE-2023-38545 (CVSS 9.8) (severity Important) found in component 'curl' "
				   "(version 7.88.1)"));
	json_decref(v);
	v = eval_groups(B, NULL, "[" G("Image Component", "curl=") "]", POLICY_STAGE_BUILD, &W.in);
	assert_true(has_message(v, "Image includes component 'curl' (version 7.88.1)"));
	json_decref(v);
	v = eval_groups(D, NULL, "[" G("Image Age", "30") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_true(has_message(v, "Container 'app' has image created at 2025-01-01T00:00:00Z (UTC)"));
	json_decref(v);
}

static void test_deploy_criteria(void **state)
{
	(void)state;
	assert_int_equal(nd("[" G("Privileged Container", "true") "]"), 1);
	assert_int_equal(nd("[" G("Privileged Container", "false") "]"), 1); /* the sidecar */
	assert_int_equal(nd("[" G("Add Capabilities", "SYS_ADMIN") "]"), 1);
	assert_int_equal(nd("[" G("Add Capabilities", "SYS_PTRACE") "]"), 0);
	assert_int_equal(nd("[" G("Drop Capabilities", "ALL") "]"), 1); /* app drops nothing */
	assert_int_equal(nd("[" G("Drop Capabilities", "ALL") "," G("Container Name", "sidecar") "]"), 0);
	assert_true(nd("[" G("Allow Privilege Escalation", "true") "," G("Container Name", "app") "]") > 0);
	assert_int_equal(nd("[" G("Allow Privilege Escalation", "true") "," G("Container Name", "sidecar") "]"), 0);
	assert_int_equal(nd("[" G("AppArmor Profile", "unconfined") "]"), 1);
	assert_int_equal(nd("[" G("AppArmor Profile", "runtime/default") "]"), 0);
	assert_int_equal(nd("[" G("Automount Service Account Token", "true") "]"), 1);
	assert_int_equal(nd("[" G("Automount Service Account Token", "false") "]"), 0);
	assert_int_equal(nd("[" G("Container CPU Request", "0") "]"), 1);
	assert_int_equal(nd("[" G("Container CPU Request", "> 1") "]"), 0);
	assert_int_equal(nd("[" G("Container CPU Limit", ">= 2") "]"), 1);
	assert_int_equal(nd("[" G("Container CPU Limit", "> 2") "]"), 0);
	assert_int_equal(nd("[" G("Container Memory Limit", "0") "]"), 1);
	assert_int_equal(nd("[" G("Container Memory Limit", "> 256") "]"), 0);
	assert_int_equal(nd("[" G("Container Memory Request", "< 100") "]"), 1);
	assert_int_equal(nd("[" G("Container Memory Request", "> 128") "]"), 0);
	assert_true(nd("[" G("Container Name", "side.*") "]") > 0);
	assert_int_equal(nd("[" G("Container Name", "db") "]"), 0);
	assert_int_equal(nd("[" G("Required Annotation", "owner=.+") "]"), 0);
	assert_int_equal(nd("[" G("Required Annotation", "email=.+") "]"), 1);
	assert_int_equal(nd("[" G("Disallowed Annotation", "owner=") "]"), 1);
	assert_int_equal(nd("[" G("Disallowed Annotation", "admission.stackrox.io/break-glass=") "]"), 0);
	assert_int_equal(nd("[" G("Required Label", "owner|team=.+") "]"), 0);
	assert_int_equal(nd("[" G("Required Label", "cost-center=.+") "]"), 1);
	/* Environment Variable forms */
	assert_int_equal(nd("[" G("Environment Variable", "RAW=.*PASSWORD.*=") "]"), 1);
	assert_int_equal(nd("[" G("Environment Variable", "RAW=.*PASSWORD.*=other") "]"), 0);
	assert_int_equal(nd("[" G("Environment Variable", "SECRET_KEY==") "]"), 1);
	assert_int_equal(nd("[" G("Environment Variable", "CONFIG_MAP_KEY==") "]"), 0);
	assert_int_equal(nd("[" G("Environment Variable", "=API_TOKEN=") "]"), 1);
	assert_int_equal(nd("[" G("Environment Variable", "SECRET_KEY=DB_PASSWORD=") "]"), 0); /* linked */
	/* ports */
	assert_int_equal(nd("[" G("Exposed Port", "22") "]"), 1);
	assert_int_equal(nd("[" G("Exposed Port", "443") "]"), 0);
	assert_int_equal(nd("[" G("Exposed Port Protocol", "tcp") "]"), 2); /* both ports */
	assert_int_equal(nd("[" G("Exposed Port Protocol", "udp") "]"), 0);
	assert_int_equal(nd("[" G("Exposed Node Port", "> 30000") "]"), 1);
	assert_int_equal(nd("[" G("Exposed Node Port", "< 1024") "]"), 0);
	assert_int_equal(nd("[" G("Port Exposure Method", "EXTERNAL") "]"), 1);
	assert_int_equal(nd("[" G("Port Exposure Method", "ROUTE") "]"), 0);
	assert_int_equal(nd("[" G("Exposed Port", "22") "," G("Port Exposure Method", "EXTERNAL") "]"), 0); /* linked */
	assert_int_equal(nd("[" G("Exposed Port", "8080") "," G("Port Exposure Method", "EXTERNAL") "]"), 1);
	/* host namespaces */
	assert_int_equal(nd("[" G("Host Network", "true") "]"), 1);
	assert_int_equal(nd("[" G("Host PID", "true") "]"), 0);
	assert_int_equal(nd("[" G("Host IPC", "false") "]"), 1);
	assert_int_equal(nd("[" G("Host IPC", "true") "]"), 0);
	/* network policies */
	assert_int_equal(nd("[" G("Has Ingress Network Policy", "false") "]"), 0);
	assert_int_equal(nd("[" G("Has Ingress Network Policy", "true") "]"), 1);
	assert_int_equal(nd("[" G("Has Egress Network Policy", "false") "]"), 1);
	/* probes */
	assert_int_equal(nd("[" G("Liveness Probe Defined", "false") "]"), 1);
	assert_int_equal(nd("[" G("Liveness Probe Defined", "false") "," G("Container Name", "sidecar") "]"), 0);
	assert_int_equal(nd("[" G("Readiness Probe Defined", "false") "]"), 0);
	/* volumes, linked */
	assert_int_equal(nd("[" G("Volume Source", "/var/run/docker.sock") "]"), 1);
	assert_int_equal(nd("[" G("Volume Source", "/var/run/crio.sock") "]"), 0);
	assert_true(nd("[" G("Volume Name", "cfg") "," G("Volume Type", "ConfigMap") "]") > 0);
	assert_int_equal(nd("[" G("Volume Name", "cfg") "," G("Volume Type", "HostPath") "]"), 0);
	assert_int_equal(nd("[" G("Volume Destination", "/etc/.*") "]"), 1);
	assert_int_equal(nd("[" G("Volume Destination", "/opt/.*") "]"), 0);
	assert_int_equal(nd("[" G("Writable Host Mount", "true") "]"), 1);
	assert_int_equal(nd("[" G("Writable Host Mount", "false") "]"), 0);
	assert_int_equal(nd("[" G("Writable Mounted Volume", "true") "," G("Volume Name", "cfg") "]"), 0);
	assert_true(nd("[" G("Writable Mounted Volume", "false") "," G("Volume Name", "cfg") "]") > 0);
	assert_int_equal(nd("[" G("Mount Propagation", "BIDIRECTIONAL") "]"), 1);
	assert_int_equal(nd("[" G("Mount Propagation", "HOSTTOCONTAINER") "]"), 0);
	/* deployment */
	assert_int_equal(nd("[" G("Namespace", "shop") "]"), 1);
	assert_int_equal(nd("[" G("Namespace", "kube-system") "]"), 0);
	assert_int_equal(nd("[" G("Replicas", ">= 3") "]"), 1);
	assert_int_equal(nd("[" G("Replicas", "< 2") "]"), 0);
	assert_int_equal(nd("[" G("Runtime Class", "gvisor") "]"), 0);
	assert_int_equal(nd("[" G("Service Account", "default") "]"), 1);
	assert_int_equal(nd("[" G("Service Account", "builder") "]"), 0);
	assert_int_equal(nd("[" G("Seccomp Profile Type", "UNCONFINED") "]"), 1);
	assert_int_equal(nd("[" G("Seccomp Profile Type", "LOCALHOST") "]"), 0);
	assert_int_equal(nd("[" G("Read-Only Root Filesystem", "false") "]"), 1);
	/* container fields with that container's image: the sidecar's image is unscanned */
	assert_true(nd("[" G("Unscanned Image", "true") "," G("Container Name", "sidecar") "]") > 0);
	assert_int_equal(nd("[" G("Unscanned Image", "true") "," G("Container Name", "app") "]"), 0);
	assert_int_equal(nd("[" G("Image Tag", "latest") "," G("Container Name", "sidecar") "]"), 0);
	assert_true(nd("[" G("Image Tag", "v1") "," G("Container Name", "sidecar") "]") > 0);
	assert_int_equal(nd("[" G("CVE", "CVE-2021-44228") "," G("Privileged Container", "false") "]"), 0);
	assert_int_equal(nd("[" G("CVE", "CVE-2021-44228") "," G("Privileged Container", "true") "]"), 1);
	/* not evaluated here */
	assert_int_equal(nd("[" G("Minimum RBAC Permissions", "DEFAULT") "]"), 0);
}

static void test_deploy_messages(void **state)
{
	json_t *v;

	(void)state;
	v = eval_groups(D, NULL, "[" G("Privileged Container", "true") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_int_equal(json_array_size(v), 1);
	assert_true(has_message(v, "Container 'app' is privileged"));
	json_decref(v);
	v = eval_groups(D, NULL, "[" G("Read-Only Root Filesystem", "false") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_true(has_message(v, "Container 'app' uses a read-write root filesystem"));
	json_decref(v);
	v = eval_groups(D, NULL, "[" G("Host Network", "true") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_true(has_message(v, "Deployment uses host network"));
	json_decref(v);
	v = eval_groups(D, NULL, "[" G("Volume Source", "/var/run/docker.sock") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_true(has_message(v, "Writable host volume 'sock' (source '/var/run/docker.sock') mounted at "
				   "'/var/run/docker.sock' in container 'app'"));
	json_decref(v);
	v = eval_groups(D, NULL, "[" G("Exposed Port", "22") "]", POLICY_STAGE_DEPLOY, &W.in);
	assert_true(has_message(v, "Exposed port 22/TCP is present in container 'app' with exposure NODE"));
	json_decref(v);
}

static void test_operators_and_negation(void **state)
{
	(void)state;
	/* OR (default) and AND inside a group */
	assert_int_equal(nd("[{\"fieldName\":\"Add Capabilities\",\"values\":[{\"value\":\"SYS_ADMIN\"},"
			    "{\"value\":\"SYS_PTRACE\"}]}]"),
			 1);
	assert_int_equal(nd("[{\"fieldName\":\"Add Capabilities\",\"booleanOperator\":\"AND\",\"values\":"
			    "[{\"value\":\"SYS_ADMIN\"},{\"value\":\"SYS_PTRACE\"}]}]"),
			 0);
	assert_int_equal(nd("[{\"fieldName\":\"Add Capabilities\",\"booleanOperator\":\"AND\",\"values\":"
			    "[{\"value\":\"SYS_ADMIN\"},{\"value\":\"NET_RAW\"}]}]"),
			 1);
	assert_int_equal(nd("[{\"fieldName\":\"Exposed Node Port\",\"booleanOperator\":\"AND\",\"values\":"
			    "[{\"value\":\"<= 1024\"},{\"value\":\"> 0\"}]}]"),
			 0);
	/* negate */
	assert_int_equal(nd("[{\"fieldName\":\"Namespace\",\"negate\":true,\"values\":[{\"value\":\"kube-system\"}]}]"),
			 1);
	assert_int_equal(nd("[{\"fieldName\":\"Namespace\",\"negate\":true,\"values\":[{\"value\":\"shop\"}]}]"), 0);
	assert_int_equal(nd("[{\"fieldName\":\"Container Name\",\"negate\":true,\"values\":[{\"value\":\"app\"}]},"
			    "{\"fieldName\":\"Privileged Container\",\"values\":[{\"value\":\"true\"}]}]"),
			 0);
	/* groups of a section AND */
	assert_int_equal(nd("[" G("Namespace", "shop") "," G("Host PID", "true") "]"), 0);
	/* sections OR */
	{
		struct policy *p = mkparsed(D, NULL,
					    "[{\"policyGroups\":[" G("Host PID", "true") "]},{\"policyGroups\":[" G(
						    "Host Network", "true") "]}]");
		json_t *v = NULL;

		assert_int_equal(policy_evaluate(&v, p, POLICY_STAGE_DEPLOY, &W.in), ASEC_OK);
		assert_int_equal(json_array_size(v), 1);
		json_decref(v);
		assert_int_equal(policy_evaluate(&v, p, POLICY_STAGE_BUILD, &W.in), ASEC_EINVALID);
		policy_free(p);
	}
}

static void test_process_criteria(void **state)
{
	(void)state;
	assert_int_equal(nr("[" G("Process Name", "bash|sh") "]"), 1);
	assert_int_equal(nr("[" G("Process Name", "ba") "]"), 0);
	assert_int_equal(nr("[" G("Process Arguments", "10250") "]"), 1); /* found anywhere */
	assert_int_equal(nr("[" G("Process Arguments", "--version") "]"), 0);
	assert_int_equal(nr("[" G("Process Ancestor", ".*java") "]"), 1);
	assert_int_equal(nr("[" G("Process Ancestor", ".*python") "]"), 0);
	assert_int_equal(nr("[" G("Process UID", "0") "]"), 1);
	assert_int_equal(nr("[" G("Process UID", "> 0") "]"), 0);
	/* with deployment fields, on the process's own container */
	assert_true(nr("[" G("Process Name", "bash") "," G("Container Name", "app") "]") > 0);
	assert_int_equal(nr("[" G("Process Name", "bash") "," G("Container Name", "sidecar") "]"), 0);
	assert_int_equal(nr("[" G("Process Name", "bash") "," G("Unexpected Process Executed", "true") "]"), 0);
	/* no process event: process criteria never match */
	{
		struct policy_input in = W.in;
		struct policy *p = mkparsed(R, "DEPLOYMENT_EVENT", "[{\"policyGroups\":[" G("Process Name", "bash") "]}]");
		json_t *v = NULL;

		in.process = NULL;
		assert_int_equal(policy_evaluate(&v, p, POLICY_STAGE_RUNTIME, &in), ASEC_OK);
		assert_int_equal(json_array_size(v), 0);
		json_decref(v);
		policy_free(p);
	}
}

static int applies(const char *extra)
{
	char buf[4096];
	json_t *j;
	struct policy *p = NULL;
	int r;

	snprintf(buf, sizeof(buf), "{" HEAD ",\"lifecycleStages\":[\"BUILD\",\"DEPLOY\"]%s," SEC(G("Image Tag", "latest")) "}",
		 extra);
	j = load(buf);
	if (policy_parse(&p, j) != ASEC_OK)
		fail_msg("%s: %s", buf, error_last());
	r = policy_applies(p, &W.in);
	policy_free(p);
	json_decref(j);
	return r;
}

static void test_scope_and_exclusions(void **state)
{
	(void)state;
	assert_int_equal(applies(""), 1);
	assert_int_equal(applies(",\"scope\":[{\"namespace\":\"sh.*\"}]"), 1);
	assert_int_equal(applies(",\"scope\":[{\"namespace\":\"kube-system\"}]"), 0);
	assert_int_equal(applies(",\"scope\":[{\"namespace\":\"kube-system\"},{\"label\":{\"key\":\"team\","
				 "\"value\":\"blue\"}}]"),
			 1);
	assert_int_equal(applies(",\"scope\":[{\"label\":{\"key\":\"team\",\"value\":\"red\"}}]"), 0);
	assert_int_equal(applies(",\"scope\":[{\"cluster\":\"cluster-1\"}]"), 1);
	assert_int_equal(applies(",\"scope\":[{\"cluster\":\"cluster-2\"}]"), 0);
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"name\":\"we.*\"}}]"), 0);
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"name\":\"db\"}}]"), 1);
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"scope\":{\"namespace\":\"shop\"}}}]"), 0);
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"name\":\"web\",\"scope\":{\"namespace\":"
				 "\"other\"}}}]"),
			 1);
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"name\":\"web\"},\"expiration\":"
				 "\"2025-06-01T00:00:00Z\"}]"),
			 1); /* expired */
	assert_int_equal(applies(",\"exclusions\":[{\"deployment\":{\"name\":\"web\"},\"expiration\":"
				 "\"2027-06-01T00:00:00Z\"}]"),
			 0);
	assert_int_equal(applies(",\"exclusions\":[{\"image\":{\"name\":\"docker.io/library/app:.*\"}}]"), 0);
	assert_int_equal(applies(",\"exclusions\":[{\"image\":{\"name\":\"quay.io/other\"}}]"), 1);
}

static void test_accessors(void **state)
{
	struct policy *p;
	json_t *j = load("{\"id\":\"abc\"," HEAD ",\"lifecycleStages\":[\"BUILD\",\"DEPLOY\"],\"enforcementActions\":"
			 "[\"FAIL_BUILD_ENFORCEMENT\"],\"disabled\":true," SEC(G("Image Tag", "latest")) "}");
	const char *cats_yes[] = {"test", NULL}, *cats_no[] = {"Other", NULL};
	const json_t *norm;

	(void)state;
	assert_int_equal(policy_parse(&p, j), ASEC_OK);
	assert_string_equal(policy_id(p), "abc");
	assert_string_equal(policy_name(p), "Test policy");
	assert_int_equal(policy_stages(p), POLICY_STAGE_BUILD | POLICY_STAGE_DEPLOY);
	assert_true(policy_disabled(p));
	assert_true(policy_enforces(p, POLICY_STAGE_BUILD));
	assert_false(policy_enforces(p, POLICY_STAGE_DEPLOY));
	assert_true(policy_in_categories(p, cats_yes));
	assert_false(policy_in_categories(p, cats_no));
	assert_true(policy_in_categories(p, NULL));
	norm = policy_json(p);
	assert_string_equal(json_string_value(json_object_get(norm, "policyVersion")), "1.1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(
							      json_object_get(norm, "policySections"), 0),
							      "policyGroups"),
						      0),
						      "booleanOperator")),
			    "OR");
	policy_free(p);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_table),
		cmocka_unit_test(test_regex_translation),
		cmocka_unit_test(test_validation_paths),
		cmocka_unit_test(test_image_criteria),
		cmocka_unit_test(test_image_messages),
		cmocka_unit_test(test_deploy_criteria),
		cmocka_unit_test(test_deploy_messages),
		cmocka_unit_test(test_operators_and_negation),
		cmocka_unit_test(test_process_criteria),
		cmocka_unit_test(test_scope_and_exclusions),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_default_policy_semantics),
		cmocka_unit_test(test_stackrox_default_policies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
