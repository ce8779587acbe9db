/*
 * workload_test.c - tests of the Kubernetes object to deployment model
 * translation: quantities, every field family on small manifests written
 * here, Lists, JSON, multi-document input, the limits, and every workload of
 * the real manifests in ../shared/fixtures (k8s-manifests, k8s-api), checked
 * against the independent field reads in k8s-manifests/index.json and, for
 * a dozen files, against values read off the YAML by hand.
 *
 * Run with a file argument to print what that file converts to:
 *   build/workload/shared/workload/workload_test some.yaml
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "error/error.h"
#include "testing/testing.h"
#include "workload/workload.h"

/* ---- helpers ---- */

/* A member by a slash path: "containers/0/securityContext/privileged". */
static const json_t *at(const json_t *v, const char *path)
{
	char buf[512], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, "/", &save); part && v; part = strtok_r(NULL, "/", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, strtoul(part, NULL, 10));
		else
			v = json_object_get(v, part);
	}
	return v;
}

static const char *at_str(const json_t *v, const char *path)
{
	const json_t *s = at(v, path);

	return json_is_string(s) ? json_string_value(s) : NULL;
}

static double at_num(const json_t *v, const char *path)
{
	const json_t *n = at(v, path);

	assert_true(json_is_number(n));
	return json_number_value(n);
}

static int at_bool(const json_t *v, const char *path)
{
	const json_t *b = at(v, path);

	if (!json_is_boolean(b))
		fail_msg("%s is not a boolean", path);
	return json_is_true(b);
}

static void convert(struct workload_result *r, const char *text)
{
	int rc = workload_from_text(r, text, strlen(text), NULL);

	if (rc != ASEC_OK)
		fail_msg("workload_from_text: %s", error_last());
}

static const json_t *deployment(const struct workload_result *r, const char *type, const char *name)
{
	const json_t *d;
	size_t i;

	json_array_foreach(r->deployments, i, d) {
		if (strcmp(at_str(d, "type"), type) == 0 && strcmp(at_str(d, "name"), name) == 0)
			return d;
	}
	fail_msg("no %s %s", type, name);
	return NULL;
}

static const json_t *container(const json_t *d, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(d, "containers"), i, c) {
		if (strcmp(at_str(c, "name"), name) == 0)
			return c;
	}
	fail_msg("no container %s", name);
	return NULL;
}

static const json_t *env(const json_t *c, const char *key)
{
	const json_t *e;
	size_t i;

	json_array_foreach(at(c, "config/env"), i, e) {
		if (strcmp(at_str(e, "key"), key) == 0)
			return e;
	}
	fail_msg("no env %s", key);
	return NULL;
}

static int has_string(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

/* ---- quantities ---- */

static void test_quantities(void **state)
{
	static const struct {
		const char *q;
		double cores;
	} good[] = {
		{"1", 1},          {"500m", 0.5},      {"0.5", 0.5},      {".5", 0.5},     {"1.", 1},
		{"+2", 2},         {"1e3", 1000},      {"1E3", 1000},     {"1e-3", 0.001}, {"2.5e+2", 250},
		{"1k", 1000},      {"1M", 1e6},        {"1G", 1e9},       {"1T", 1e12},    {"1P", 1e15},
		{"1E", 1e18},      {"1Ki", 1024},      {"1Mi", 1048576},  {"1.5Gi", 1610612736},
		{"1Ti", 1099511627776.0}, {"1Pi", 1125899906842624.0}, {"1Ei", 1152921504606846976.0},
		{"0", 0},          {"-0", 0},          {"100m", 0.1},     {"2000m", 2},    {"0.1", 0.1},
	};
	static const char *const bad[] = {
		"", "m", "Ki", ".", "1.2.3", "1 ", " 1", "1mi", "1K", "1KI", "1ki", "1e", "1e+", "1e3.5",
		"1ee3", "--1", "+-1", "1Mii", "0x10", "-1", "-500m", "1,5", "abc", "1e99999", "12345678901234567890123456789012345678901234567890123456789012345",
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (workload_cpu_cores(&v, good[i].q) != ASEC_OK)
			fail_msg("%s refused: %s", good[i].q, error_last());
		if (fabs(v - good[i].cores) > 1e-9 * fmax(1, good[i].cores))
			fail_msg("%s = %.17g, want %.17g", good[i].q, v, good[i].cores);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = workload_cpu_cores(&v, bad[i]);

		if (rc == ASEC_OK)
			fail_msg("\"%s\" accepted as %g", bad[i], v);
		assert_true(rc == ASEC_EINVALID || rc == ASEC_ETOOBIG);
		assert_true(error_last()[0] != '\0');
	}
	assert_int_equal(workload_memory_mb(&v, "128Mi"), ASEC_OK);
	assert_true(v == 128);
	assert_int_equal(workload_memory_mb(&v, "1Gi"), ASEC_OK);
	assert_true(v == 1024);
	assert_int_equal(workload_memory_mb(&v, "1G"), ASEC_OK);
	assert_true(fabs(v - 953.674316) < 1e-5);
	assert_int_equal(workload_memory_mb(&v, "512k"), ASEC_OK);
	assert_true(fabs(v - 0.48828125) < 1e-12);
	assert_int_equal(workload_memory_mb(&v, "1e6"), ASEC_OK);
	assert_true(fabs(v - 0.95367431640625) < 1e-12);
	assert_int_equal(workload_memory_mb(&v, "64Mb"), ASEC_EINVALID);
	assert_int_equal(workload_cpu_cores(&v, NULL), ASEC_EINVALID);
}

/* ---- every field family on one manifest ---- */

static const char *const full_manifest =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata: {name: web-np, namespace: shop, uid: svc-uid-1}\n"
	"spec:\n"
	"  type: NodePort\n"
	"  selector: {app: web}\n"
	"  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]\n"
	"---\n"
	"# an empty document, then one holding only a comment\n"
	"---\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: web\n"
	"  namespace: shop\n"
	"  labels: {team: a, version: 1.10, count: 3}\n"
	"  annotations: {note: hello}\n"
	"spec:\n"
	"  replicas: 4\n"
	"  template:\n"
	"    metadata:\n"
	"      labels: {app: web, tier: front}\n"
	"      annotations:\n"
	"        container.apparmor.security.beta.kubernetes.io/app: localhost/my-profile\n"
	"        seccomp.security.alpha.kubernetes.io/pod: runtime/default\n"
	"    spec:\n"
	"      serviceAccountName: web-sa\n"
	"      automountServiceAccountToken: false\n"
	"      hostNetwork: true\n"
	"      hostPID: true\n"
	"      runtimeClassName: gvisor\n"
	"      imagePullSecrets: [{name: regcred}]\n"
	"      nodeSelector: {disk: ssd}\n"
	"      tolerations: [{key: k, operator: Exists}]\n"
	"      securityContext: {runAsUser: 1000, runAsNonRoot: true, seccompProfile: {type: Localhost, localhostProfile: p.json}}\n"
	"      initContainers:\n"
	"      - name: init\n"
	"        image: busybox@sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"        command: [sh, -c, 'echo hi']\n"
	"      containers:\n"
	"      - name: app\n"
	"        image: quay.io/acme/web:1.4\n"
	"        workingDir: /srv\n"
	"        args: [--port, 8080]\n"
	"        securityContext:\n"
	"          privileged: true\n"
	"          runAsUser: 0\n"
	"          readOnlyRootFilesystem: true\n"
	"          capabilities: {add: [NET_ADMIN, SYS_TIME], drop: [ALL]}\n"
	"        resources:\n"
	"          requests: {cpu: 250m, memory: 64Mi}\n"
	"          limits: {cpu: 1, memory: 1Gi}\n"
	"        env:\n"
	"        - {name: PLAIN, value: x}\n"
	"        - {name: NUM, value: '8080'}\n"
	"        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: pw}}}\n"
	"        - {name: CFG, valueFrom: {configMapKeyRef: {name: cm, key: k}}}\n"
	"        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n"
	"        - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory}}}\n"
	"        envFrom:\n"
	"        - secretRef: {name: all-secrets}\n"
	"        - configMapRef: {name: all-config}\n"
	"        ports:\n"
	"        - {name: http, containerPort: 8080}\n"
	"        - {containerPort: 9090, hostPort: 9090, protocol: UDP}\n"
	"        volumeMounts:\n"
	"        - {name: docker, mountPath: /var/run/docker.sock, mountPropagation: Bidirectional}\n"
	"        - {name: creds, mountPath: /creds, readOnly: true}\n"
	"        - {name: data, mountPath: /data}\n"
	"        - {name: nowhere, mountPath: /x}\n"
	"        livenessProbe: {httpGet: {path: /, port: 8080}}\n"
	"      - name: sidecar\n"
	"        image: nginx\n"
	"        securityContext: {seccompProfile: {type: Unconfined}, allowPrivilegeEscalation: false}\n"
	"        readinessProbe: {exec: {command: [true]}}\n"
	"      volumes:\n"
	"      - {name: docker, hostPath: {path: /var/run/docker.sock, type: Socket}}\n"
	"      - {name: creds, secret: {secretName: web-creds}}\n"
	"      - {name: data, persistentVolumeClaim: {claimName: web-data}}\n";

static void test_full_deployment(void **state)
{
	struct workload_result r;
	const json_t *d, *app, *init, *side, *e, *v;

	(void)state;
	convert(&r, full_manifest);
	assert_int_equal(json_array_size(r.deployments), 1);
	/* the Service is used for exposure and listed as no workload */
	assert_int_equal(json_array_size(r.ignored), 1);
	assert_string_equal(at_str(r.ignored, "0/kind"), "Service");
	d = deployment(&r, "Deployment", "web");
	assert_string_equal(at_str(d, "namespace"), "shop");
	assert_int_equal(strlen(at_str(d, "id")), 36);
	assert_int_equal(at_str(d, "id")[14], '8');
	assert_string_equal(at_str(d, "labels/version"), "1.1"); /* a float in YAML 1.2; read as text */
	assert_string_equal(at_str(d, "labels/count"), "3");
	assert_string_equal(at_str(d, "annotations/note"), "hello");
	assert_string_equal(at_str(d, "podLabels/tier"), "front");
	assert_true(at_num(d, "replicas") == 4);
	assert_string_equal(at_str(d, "serviceAccount"), "web-sa");
	assert_false(at_bool(d, "automountServiceAccountToken"));
	assert_true(at_bool(d, "hostNetwork"));
	assert_true(at_bool(d, "hostPid"));
	assert_false(at_bool(d, "hostIpc"));
	assert_string_equal(at_str(d, "runtimeClass"), "gvisor");
	assert_string_equal(at_str(d, "imagePullSecrets/0"), "regcred");
	assert_string_equal(at_str(d, "nodeSelector/disk"), "ssd");
	assert_string_equal(at_str(d, "tolerations/0/operator"), "Exists");

	assert_int_equal(json_array_size(json_object_get(d, "containers")), 3);
	app = container(d, "app");
	assert_false(at_bool(app, "isInitContainer"));
	assert_string_equal(at_str(app, "image/name/registry"), "quay.io");
	assert_string_equal(at_str(app, "image/name/remote"), "acme/web");
	assert_string_equal(at_str(app, "image/name/tag"), "1.4");
	assert_string_equal(at_str(app, "image/name/fullName"), "quay.io/acme/web:1.4");
	assert_null(at(app, "image/id"));
	assert_true(at_bool(app, "securityContext/privileged"));
	assert_true(at_bool(app, "securityContext/readOnlyRootFilesystem"));
	assert_false(at_bool(app, "securityContext/allowPrivilegeEscalation")); /* unset: false, as StackRox reads it */
	assert_true(at_num(app, "securityContext/runAsUser") == 0);            /* container over pod */
	assert_true(at_bool(app, "securityContext/runAsNonRoot"));              /* from the pod */
	assert_true(has_string(at(app, "securityContext/addCapabilities"), "NET_ADMIN"));
	assert_true(has_string(at(app, "securityContext/addCapabilities"), "SYS_TIME"));
	assert_true(has_string(at(app, "securityContext/dropCapabilities"), "ALL"));
	/* pod field over pod annotation */
	assert_string_equal(at_str(app, "securityContext/seccompProfile/type"), "LOCALHOST");
	assert_string_equal(at_str(app, "securityContext/seccompProfile/localhostProfile"), "p.json");
	assert_string_equal(at_str(app, "securityContext/appArmorProfile"), "localhost/my-profile");
	assert_true(at_num(app, "resources/cpuCoresRequest") == 0.25);
	assert_true(at_num(app, "resources/cpuCoresLimit") == 1);
	assert_true(at_num(app, "resources/memoryMbRequest") == 64);
	assert_true(at_num(app, "resources/memoryMbLimit") == 1024);
	assert_string_equal(at_str(app, "config/directory"), "/srv");
	assert_string_equal(at_str(app, "config/args/1"), "8080");
	e = env(app, "PLAIN");
	assert_string_equal(at_str(e, "value"), "x");
	assert_string_equal(at_str(e, "envVarSource"), "RAW");
	assert_string_equal(at_str(env(app, "NUM"), "value"), "8080");
	assert_string_equal(at_str(env(app, "PASSWORD"), "envVarSource"), "SECRET_KEY");
	assert_string_equal(at_str(env(app, "CFG"), "envVarSource"), "CONFIG_MAP_KEY");
	assert_string_equal(at_str(env(app, "NODE"), "envVarSource"), "FIELD");
	assert_string_equal(at_str(env(app, "MEM"), "envVarSource"), "RESOURCE_FIELD");
	assert_string_equal(at_str(app, "config/env/6/value"), "all-secrets");
	assert_string_equal(at_str(app, "config/env/6/envVarSource"), "SECRET_KEY");
	assert_string_equal(at_str(app, "config/env/7/value"), "all-config");
	assert_string_equal(at_str(app, "config/env/7/envVarSource"), "CONFIG_MAP_KEY");

	v = at(app, "volumes");
	assert_int_equal(json_array_size(v), 4);
	assert_string_equal(at_str(v, "0/type"), "HostPath");
	assert_string_equal(at_str(v, "0/source"), "/var/run/docker.sock");
	assert_string_equal(at_str(v, "0/destination"), "/var/run/docker.sock");
	assert_string_equal(at_str(v, "0/mountPropagation"), "BIDIRECTIONAL");
	assert_false(at_bool(v, "0/readOnly"));
	assert_string_equal(at_str(v, "1/type"), "Secret");
	assert_string_equal(at_str(v, "1/source"), "web-creds");
	assert_true(at_bool(v, "1/readOnly"));
	assert_string_equal(at_str(v, "2/type"), "PersistentVolumeClaim");
	assert_string_equal(at_str(v, "2/source"), "web-data");
	assert_string_equal(at_str(v, "2/mountPropagation"), "NONE");
	assert_string_equal(at_str(v, "3/type"), ""); /* a mount of no volume */

	/* 8080 is reached through the NodePort Service by name; 9090 is a host port. */
	assert_string_equal(at_str(app, "ports/0/exposure"), "NODE");
	assert_true(at_num(app, "ports/0/exposedPort") == 30080);
	assert_string_equal(at_str(app, "ports/0/protocol"), "TCP");
	assert_string_equal(at_str(app, "ports/0/exposureInfos/0/serviceName"), "web-np");
	assert_string_equal(at_str(app, "ports/0/exposureInfos/0/serviceId"), "svc-uid-1");
	assert_true(at_num(app, "ports/0/exposureInfos/0/servicePort") == 80);
	assert_string_equal(at_str(app, "ports/1/exposure"), "HOST");
	assert_string_equal(at_str(app, "ports/1/protocol"), "UDP");
	assert_true(at_num(app, "ports/1/exposedPort") == 9090);
	assert_true(at_bool(app, "livenessProbe/defined"));
	assert_false(at_bool(app, "readinessProbe/defined"));
	assert_int_equal(json_array_size(json_object_get(d, "ports")), 2);
	assert_string_equal(at_str(d, "ports/0/exposure"), "NODE");

	side = container(d, "sidecar");
	assert_string_equal(at_str(side, "image/name/fullName"), "docker.io/library/nginx:latest");
	assert_string_equal(at_str(side, "image/name/remote"), "library/nginx");
	assert_string_equal(at_str(side, "securityContext/seccompProfile/type"), "UNCONFINED");
	assert_null(at(side, "securityContext/appArmorProfile")); /* the annotation names "app" only */
	assert_false(at_bool(side, "securityContext/allowPrivilegeEscalation"));
	assert_false(at_bool(side, "securityContext/privileged"));
	assert_true(at_num(side, "securityContext/runAsUser") == 1000);
	assert_true(at_num(side, "resources/cpuCoresLimit") == 0);
	assert_true(at_bool(side, "readinessProbe/defined"));

	init = container(d, "init");
	assert_true(at_bool(init, "isInitContainer"));
	assert_string_equal(at_str(init, "image/id"),
			    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(at_str(init, "config/command/2"), "echo hi");
	workload_result_free(&r);
}

static void test_kinds_and_defaults(void **state)
{
	struct workload_result r;
	const json_t *d, *d2;

	(void)state;
	convert(&r, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\n"
		    "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      parallelism: 3\n"
		    "      template:\n        metadata: {labels: {job: x}}\n        spec:\n"
		    "          containers: [{name: c, image: 'reg:5000/a/b:2', resources: {limits: {cpu: 2, memory: 134217728}}}]\n"
		    "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: kube-system}\n"
		    "spec: {template: {spec: {containers: [{name: c, image: x}]}}}\n"
		    "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
		    "spec: {template: {spec: {containers: [{name: c, image: x}]}}}\n"
		    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: 1234-uid, labels: {a: b}}\n"
		    "spec: {containers: [{name: c, image: x}]}\n"
		    "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ss}\nspec: {}\n");
	assert_int_equal(json_array_size(r.deployments), 5);
	d = deployment(&r, "CronJob", "cj");
	assert_true(at_num(d, "replicas") == 3);
	assert_string_equal(at_str(d, "namespace"), "default");
	assert_string_equal(at_str(d, "podLabels/job"), "x");
	assert_string_equal(at_str(d, "serviceAccount"), "default");
	assert_true(at_bool(d, "automountServiceAccountToken"));
	assert_string_equal(at_str(d, "containers/0/image/name/registry"), "reg:5000");
	assert_true(at_num(d, "containers/0/resources/cpuCoresLimit") == 2);
	assert_true(at_num(d, "containers/0/resources/cpuCoresRequest") == 2); /* defaulted from the limit */
	assert_true(at_num(d, "containers/0/resources/memoryMbLimit") == 128);  /* a plain number is bytes */
	assert_true(at_num(deployment(&r, "DaemonSet", "ds"), "replicas") == 0);
	assert_string_equal(at_str(deployment(&r, "DaemonSet", "ds"), "namespace"), "kube-system");
	assert_true(at_num(deployment(&r, "Job", "j"), "replicas") == 1);
	d = deployment(&r, "Pod", "p");
	assert_string_equal(at_str(d, "id"), "1234-uid");
	assert_string_equal(at_str(d, "podLabels/a"), "b");
	assert_int_equal(json_object_size(json_object_get(d, "annotations")), 0);
	d = deployment(&r, "StatefulSet", "ss");
	assert_int_equal(json_array_size(json_object_get(d, "containers")), 0);
	assert_true(json_array_size(r.remarks) >= 1); /* the pod template that is not there */
	workload_result_free(&r);

	/* The derived id depends on kind/namespace/name only; the namespace
	 * default is the caller's. */
	assert_int_equal(workload_from_text(&r, "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}", 58, "ns1"),
			 ASEC_OK);
	d = json_array_get(r.deployments, 0);
	assert_string_equal(at_str(d, "namespace"), "ns1");
	{
		struct workload_result r2;
		const char *again = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns1\n";

		convert(&r2, again);
		d2 = json_array_get(r2.deployments, 0);
		assert_string_equal(at_str(d, "id"), at_str(d2, "id"));
		workload_result_free(&r2);
		convert(&r2, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns2\n");
		assert_string_not_equal(at_str(d, "id"), at_str(json_array_get(r2.deployments, 0), "id"));
		workload_result_free(&r2);
	}
	workload_result_free(&r);
}

static void test_exposure(void **state)
{
	struct workload_result r;
	const json_t *d;

	(void)state;
	convert(&r, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: n}\n"
		    "spec: {template: {metadata: {labels: {app: a, x: y}}, spec: {containers: [{name: c, image: i,\n"
		    "  ports: [{containerPort: 80}, {containerPort: 81}, {containerPort: 82}, {containerPort: 53, protocol: UDP}]}]}}}\n"
		    "---\napiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: n}\n"
		    "spec: {type: LoadBalancer, selector: {app: a}, ports: [{port: 443, targetPort: 80, nodePort: 31000}]}\n"
		    "---\napiVersion: v1\nkind: Service\nmetadata: {name: in, namespace: n}\n"
		    "spec: {selector: {app: a}, ports: [{port: 81}, {port: 53}]}\n"
		    "---\napiVersion: v1\nkind: Service\nmetadata: {name: other-ns, namespace: m}\n"
		    "spec: {type: NodePort, selector: {app: a}, ports: [{port: 82}]}\n"
		    "---\napiVersion: v1\nkind: Service\nmetadata: {name: other-labels, namespace: n}\n"
		    "spec: {type: NodePort, selector: {app: a, x: z}, ports: [{port: 82}]}\n"
		    "---\napiVersion: v1\nkind: Service\nmetadata: {name: no-selector, namespace: n}\n"
		    "spec: {type: NodePort, ports: [{port: 82}]}\n");
	d = json_array_get(r.deployments, 0);
	assert_string_equal(at_str(d, "ports/0/exposure"), "EXTERNAL");
	assert_true(at_num(d, "ports/0/exposedPort") == 443);
	assert_true(at_num(d, "ports/0/exposureInfos/0/nodePort") == 31000);
	assert_string_equal(at_str(d, "ports/1/exposure"), "INTERNAL");
	assert_string_equal(at_str(d, "ports/1/exposureInfos/0/serviceName"), "in");
	assert_string_equal(at_str(d, "ports/2/exposure"), "UNSET");
	assert_int_equal(json_array_size(at(d, "ports/2/exposureInfos")), 0);
	assert_string_equal(at_str(d, "ports/3/exposure"), "UNSET"); /* UDP 53 vs the TCP service port */
	workload_result_free(&r);
}

/* ---- Lists, JSON, documents, ignored objects ---- */

static void test_lists_json_ignored(void **state)
{
	struct workload_result r;
	const json_t *ig;

	(void)state;
	/* A typed List as the API server sends it: items carry no kind. */
	convert(&r, "{\"apiVersion\": \"apps/v1\", \"kind\": \"DeploymentList\", \"metadata\": {},\n"
		    " \"items\": [{\"metadata\": {\"name\": \"one\", \"namespace\": \"a\"},\n"
		    "   \"spec\": {\"replicas\": 2, \"template\": {\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"x:1\",\n"
		    "   \"securityContext\": {\"privileged\": true}}]}}}},\n"
		    "  {\"metadata\": {\"name\": \"two\"}, \"spec\": {}}]}");
	assert_int_equal(json_array_size(r.deployments), 2);
	assert_true(at_bool(deployment(&r, "Deployment", "one"), "containers/0/securityContext/privileged"));
	assert_true(at_num(deployment(&r, "Deployment", "one"), "replicas") == 2);
	workload_result_free(&r);

	/* A plain List, with items of several kinds, then more documents. */
	convert(&r, "apiVersion: v1\nkind: List\nitems:\n"
		    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: z}}\n"
		    "- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: x}]}}\n"
		    "- {metadata: {name: anonymous}}\n"
		    "---\n"
		    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n"
		    "---\n"
		    "just a string\n"
		    "---\n"
		    "{kind: Deployment}\n"
		    "---\n"
		    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n");
	assert_int_equal(json_array_size(r.deployments), 1);
	assert_int_equal(json_array_size(r.network_policies), 1);
	assert_string_equal(at_str(r.network_policies, "0/metadata/name"), "deny");
	assert_int_equal(json_array_size(r.ignored), 6); /* the NetworkPolicy too */
	ig = json_array_get(r.ignored, 0);
	assert_string_equal(at_str(ig, "kind"), "ConfigMap");
	assert_string_equal(at_str(ig, "namespace"), "z");
	assert_string_equal(at_str(ig, "name"), "cm");
	assert_non_null(strstr(at_str(ig, "reason"), "not a workload"));
	assert_string_equal(at_str(r.ignored, "1/name"), "anonymous");
	assert_non_null(strstr(at_str(r.ignored, "1/reason"), "apiVersion"));
	assert_string_equal(at_str(r.ignored, "2/kind"), "NetworkPolicy");
	assert_non_null(strstr(at_str(r.ignored, "3/reason"), "not a mapping"));
	assert_string_equal(at_str(r.ignored, "4/kind"), "Deployment");
	assert_string_equal(at_str(r.ignored, "5/kind"), "ClusterRole");
	assert_string_equal(at_str(r.ignored, "5/namespace"), "");
	workload_result_free(&r);

	/* NetworkPolicies of a typed List get their kind back. */
	convert(&r, "{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicyList\", \"items\": [{\"metadata\": {\"name\": \"n\"}}]}");
	assert_string_equal(at_str(r.network_policies, "0/kind"), "NetworkPolicy");
	assert_string_equal(at_str(r.network_policies, "0/apiVersion"), "networking.k8s.io/v1");
	workload_result_free(&r);

	/* JSON indented with tabs, as editors write it (tabs cannot indent YAML). */
	convert(&r, "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\n\t\t\"name\": \"t\"\n\t},\n"
		    "\t\"spec\": {\"hostIPC\": true, \"containers\": [{\"name\": \"c\", \"image\": \"x\"}]}\n}\n");
	assert_true(at_bool(deployment(&r, "Pod", "t"), "hostIpc"));
	workload_result_free(&r);

	/* Nothing at all is fine. */
	convert(&r, "");
	assert_int_equal(json_array_size(r.deployments), 0);
	workload_result_free(&r);
	convert(&r, "---\n---\n# c\n");
	assert_int_equal(json_array_size(r.deployments), 0);
	workload_result_free(&r);
}

static void test_from_object(void **state)
{
	json_t *obj, *d = NULL, *services;
	char why[128];

	(void)state;
	obj = json_pack("{s:s, s:s, s:{s:s}, s:{s:[{s:s, s:s, s:[{s:i}]}]}}", "apiVersion", "v1", "kind", "Pod",
			"metadata", "name", "p", "spec", "containers", "name", "c", "image", "alpine:3", "ports",
			"containerPort", 8080);
	services = json_pack("[{s:{s:s}, s:{s:s, s:{}, s:[{s:i}]}}]", "metadata", "name", "s", "spec", "type",
			     "LoadBalancer", "selector", "ports", "port", 8080);
	assert_int_equal(workload_from_object(&d, why, sizeof(why), obj, services, "x"), ASEC_OK);
	assert_non_null(d);
	assert_string_equal(at_str(d, "namespace"), "x");
	assert_string_equal(at_str(d, "containers/0/image/name/tag"), "3");
	/* An empty selector selects nothing. */
	assert_string_equal(at_str(d, "containers/0/ports/0/exposure"), "UNSET");
	json_decref(d);
	json_decref(services);
	json_decref(obj);

	obj = json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "Secret");
	assert_int_equal(workload_from_object(&d, why, sizeof(why), obj, NULL, NULL), ASEC_OK);
	assert_null(d);
	assert_non_null(strstr(why, "Secret"));
	json_decref(obj);
	obj = json_pack("{s:s}", "kind", "Pod");
	assert_int_equal(workload_from_object(&d, why, sizeof(why), obj, NULL, NULL), ASEC_OK);
	assert_null(d);
	assert_non_null(strstr(why, "apiVersion"));
	json_decref(obj);
}

static void test_odd_values(void **state)
{
	struct workload_result r;
	const json_t *d;

	(void)state;
	convert(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: odd, labels: {a: {b: c}, t: true}}\nspec:\n"
		    "  containers:\n"
		    "  - name: c\n    image: '${IMAGE}'\n"
		    "    resources: {limits: {cpu: lots, memory: -1Gi}, requests: {cpu: '0.5'}}\n"
		    "    ports: [{containerPort: '8080'}]\n"
		    "    securityContext: {privileged: 'true', capabilities: {add: [1]}}\n"
		    "  - {name: noimage}\n");
	d = json_array_get(r.deployments, 0);
	assert_null(at(d, "labels/a"));
	assert_string_equal(at_str(d, "labels/t"), "true");
	assert_string_equal(at_str(d, "containers/0/image/name/fullName"), "${IMAGE}");
	assert_null(at(d, "containers/0/image/name/registry"));
	assert_true(at_num(d, "containers/0/resources/cpuCoresLimit") == 0);
	assert_true(at_num(d, "containers/0/resources/memoryMbLimit") == 0);
	assert_true(at_num(d, "containers/0/resources/cpuCoresRequest") == 0.5);
	assert_true(at_num(d, "containers/0/ports/0/containerPort") == 8080);
	assert_true(at_bool(d, "containers/0/securityContext/privileged"));
	assert_string_equal(at_str(d, "containers/0/securityContext/addCapabilities/0"), "1");
	/* Every oddity is told: the label map, the image, two quantities, the missing image. */
	assert_true(json_array_size(r.remarks) >= 5);
	workload_result_free(&r);
}

/* ---- limits and errors ---- */

static void test_limits(void **state)
{
	struct workload_result r;
	char *text;
	size_t n, len;
	int rc;

	(void)state;
	/* The billion laughs. */
	text = strdup("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n");
	assert_int_equal(workload_from_text(&r, text, strlen(text), NULL), ASEC_ETOOBIG);
	assert_null(r.deployments);
	free(text);

	/* Deep nesting. */
	text = malloc(20001);
	memset(text, '[', 10000);
	memset(text + 10000, ']', 10000);
	text[20000] = '\0';
	assert_int_equal(workload_from_text(&r, text, 20000, NULL), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "deep"));
	free(text);

	/* Over size: refused before any parsing. */
	assert_int_equal(workload_from_text(&r, "x", (size_t)WORKLOAD_MAX_INPUT_BYTES + 1, NULL), ASEC_ETOOBIG);

	/* Too many objects: as documents, and as List items. */
	len = (WORKLOAD_MAX_OBJECTS + 1) * 20 + 1;
	text = malloc(len);
	n = 0;
	for (unsigned i = 0; i <= WORKLOAD_MAX_OBJECTS; i++)
		n += (size_t)snprintf(text + n, len - n, "---\n{kind: Pod}\n");
	assert_int_equal(workload_from_text(&r, text, n, NULL), ASEC_ETOOBIG);
	n = (size_t)snprintf(text, len, "{kind: List, apiVersion: v1, items: [");
	for (unsigned i = 0; i <= WORKLOAD_MAX_OBJECTS; i++)
		n += (size_t)snprintf(text + n, len - n, "{},");
	n += (size_t)snprintf(text + n, len - n, "]}");
	rc = workload_from_text(&r, text, n, NULL);
	assert_int_equal(rc, ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "objects"));
	free(text);

	/* Too many containers in one workload: ignored, saying why. */
	len = 300 * 40 + 200;
	text = malloc(len);
	n = (size_t)snprintf(text, len, "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n");
	for (unsigned i = 0; i < WORKLOAD_MAX_CONTAINERS + 1; i++)
		n += (size_t)snprintf(text + n, len - n, "  - {name: c%u, image: x}\n", i);
	convert(&r, text);
	assert_int_equal(json_array_size(r.deployments), 0);
	assert_string_equal(at_str(r.ignored, "0/name"), "big");
	assert_non_null(strstr(at_str(r.ignored, "0/reason"), "containers"));
	workload_result_free(&r);
	free(text);

	/* A syntax error fails the whole input, naming where. */
	text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\nkind: [unclosed\n";
	assert_int_equal(workload_from_text(&r, text, strlen(text), NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "line"));
	assert_null(r.deployments);
	/* Duplicate keys, as the API server refuses them. */
	text = "apiVersion: v1\nkind: Pod\nkind: Deployment\n";
	assert_int_equal(workload_from_text(&r, text, strlen(text), NULL), ASEC_EINVALID);
}

/* ---- the real manifests ---- */

struct walk {
	size_t files, deployments, ignored, policies, duplicate_key_files;
	char base[1024];
};

/* Files of the fixtures that repeat a key in one mapping (a copy-paste slip
 * in five upstream examples). shared/yaml refuses them, as kubectl's strict
 * decoding does, so their five workloads are the only ones not converted;
 * reading them would need a last-key-wins mode in shared/yaml. */
static int is_duplicate_key_file(const char *path)
{
	size_t len;
	unsigned char *data = testing_read_file(path, &len);
	struct workload_result r;
	int rc;

	if (!data)
		fail_msg("cannot read %s", path);
	rc = workload_from_text(&r, (const char *)data, len, NULL);
	free(data);
	if (rc == ASEC_OK) {
		workload_result_free(&r);
		return 0;
	}
	if (rc == ASEC_EINVALID && strstr(error_last(), "duplicate key"))
		return 1;
	fail_msg("%s: %s", path, error_last());
	return 0;
}

static json_t *convert_file(struct workload_result *r, const char *path)
{
	size_t len;
	unsigned char *data = testing_read_file(path, &len);
	int rc;

	if (!data)
		fail_msg("cannot read %s", path);
	rc = workload_from_text(r, (const char *)data, len, NULL);
	free(data);
	if (rc != ASEC_OK)
		fail_msg("%s: %s", path, error_last());
	return r->deployments;
}

static void walk_dir(struct walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[2048];
		size_t l = strlen(e->d_name);
		struct workload_result r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			walk_dir(w, path);
			continue;
		}
		/* index.json and the expected-*.json files are no manifests. */
		if (strcmp(e->d_name, "index.json") == 0 || strcmp(e->d_name, "expected.json") == 0 ||
		    strncmp(e->d_name, "expected-", 9) == 0)
			continue;
		if (!(l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0) && !(l > 4 && strcmp(e->d_name + l - 4, ".yml") == 0) &&
		    !(l > 5 && strcmp(e->d_name + l - 5, ".json") == 0))
			continue;
		if (is_duplicate_key_file(path)) {
			w->duplicate_key_files++;
			continue;
		}
		convert_file(&r, path);
		w->files++;
		w->deployments += json_array_size(r.deployments);
		w->ignored += json_array_size(r.ignored);
		w->policies += json_array_size(r.network_policies);
		/* Whatever came out must serialize. */
		{
			char *s = json_dumps(r.deployments, JSON_COMPACT);

			assert_non_null(s);
			free(s);
		}
		workload_result_free(&r);
	}
	closedir(d);
}

static void test_fixtures_all_convert(void **state)
{
	char buf[1024];
	struct walk w = {0};

	(void)state;
	walk_dir(&w, testing_shared_path(buf, sizeof(buf), "fixtures/k8s-manifests"));
	printf("k8s-manifests: %zu files, %zu deployments, %zu ignored, %zu network policies\n", w.files,
	       w.deployments, w.ignored, w.policies);
	/* index.json: 440 workloads in 456 files (DeploymentConfigs included),
	 * 33 NetworkPolicies; 5 workloads sit in files with a duplicate key. */
	assert_int_equal(w.duplicate_key_files, 5);
	assert_int_equal(w.deployments, 440 - 5);
	assert_int_equal(w.policies, 33);
	assert_true(w.files >= 450);
	memset(&w, 0, sizeof(w));
	walk_dir(&w, testing_shared_path(buf, sizeof(buf), "fixtures/k8s-api"));
	printf("k8s-api: %zu files, %zu deployments, %zu ignored\n", w.files, w.deployments, w.ignored);
	assert_true(w.deployments >= 8);
}

/* Compares one workload with the field reads index.json made of it. */
static void check_facts(const json_t *d, const json_t *facts, const char *where, size_t *hostpaths)
{
	const json_t *fc, *c, *v;
	const char *sa = at_str(facts, "serviceAccountName");
	size_t i, j;

	if (at_bool(d, "hostNetwork") != at_bool(facts, "hostNetwork") || at_bool(d, "hostPid") != at_bool(facts, "hostPID") ||
	    at_bool(d, "hostIpc") != at_bool(facts, "hostIPC"))
		fail_msg("%s: host namespaces differ", where);
	if (strcmp(at_str(d, "serviceAccount"), sa && sa[0] ? sa : "default") != 0)
		fail_msg("%s: service account %s", where, at_str(d, "serviceAccount"));
	/* Both list containers first, then init containers. */
	if (json_array_size(json_object_get(d, "containers")) != json_array_size(json_object_get(facts, "containers")))
		fail_msg("%s: %zu containers", where, json_array_size(json_object_get(d, "containers")));
	json_array_foreach(json_object_get(facts, "containers"), i, fc) {
		const json_t *sc;
		const char *tag = at_str(fc, "imageTag");
		int fcpu = at_bool(fc, "hasCpuLimit"), fmem = at_bool(fc, "hasMemoryLimit");

		c = json_array_get(json_object_get(d, "containers"), i);
		sc = json_object_get(c, "securityContext");
		if (strcmp(at_str(c, "name"), at_str(fc, "name")) != 0)
			fail_msg("%s: container %zu is %s", where, i, at_str(c, "name"));
		if (tag && at_str(c, "image/name/tag") && !at(c, "image/id") && strcmp(tag, at_str(c, "image/name/tag")) != 0)
			fail_msg("%s/%s: tag %s", where, at_str(fc, "name"), at_str(c, "image/name/tag"));
		if (at_bool(fc, "usesLatestOrNoTag") && !at(c, "image/id") && at_str(c, "image/name/tag") &&
		    strcmp(at_str(c, "image/name/tag"), "latest") != 0)
			fail_msg("%s/%s: latest image with tag %s", where, at_str(fc, "name"), at_str(c, "image/name/tag"));
		if (at_bool(sc, "privileged") != at_bool(fc, "privileged"))
			fail_msg("%s/%s: privileged", where, at_str(fc, "name"));
		v = at(fc, "allowPrivilegeEscalation");
		if (at_bool(sc, "allowPrivilegeEscalation") != (json_is_null(v) ? 0 : json_is_true(v)))
			fail_msg("%s/%s: allowPrivilegeEscalation", where, at_str(fc, "name"));
		v = at(fc, "readOnlyRootFilesystem");
		if (at_bool(sc, "readOnlyRootFilesystem") != json_is_true(v))
			fail_msg("%s/%s: readOnlyRootFilesystem", where, at_str(fc, "name"));
		v = at(fc, "runAsUser");
		if (json_is_integer(v) && (!json_is_integer(at(sc, "runAsUser")) ||
					   json_integer_value(v) != json_integer_value(at(sc, "runAsUser"))))
			fail_msg("%s/%s: runAsUser", where, at_str(fc, "name"));
		v = at(fc, "runAsNonRoot");
		if (json_is_boolean(v) && at_bool(sc, "runAsNonRoot") != json_is_true(v))
			fail_msg("%s/%s: runAsNonRoot", where, at_str(fc, "name"));
		json_array_foreach(at(fc, "capabilitiesAdd"), j, v) {
			if (!has_string(at(sc, "addCapabilities"), json_string_value(v)))
				fail_msg("%s/%s: capability %s", where, at_str(fc, "name"), json_string_value(v));
		}
		if (json_array_size(at(fc, "capabilitiesAdd")) != json_array_size(at(sc, "addCapabilities")))
			fail_msg("%s/%s: capability count", where, at_str(fc, "name"));
		if (fcpu != (at_num(c, "resources/cpuCoresLimit") > 0) || fmem != (at_num(c, "resources/memoryMbLimit") > 0))
			fail_msg("%s/%s: limits", where, at_str(fc, "name"));
		json_array_foreach(at(fc, "envFromSecretKeyRef"), j, v) {
			if (strcmp(at_str(env(c, json_string_value(v)), "envVarSource"), "SECRET_KEY") != 0)
				fail_msg("%s/%s: env %s", where, at_str(fc, "name"), json_string_value(v));
		}
		if (json_array_size(at(fc, "ports")) != json_array_size(at(c, "ports")))
			fail_msg("%s/%s: ports", where, at_str(fc, "name"));
		json_array_foreach(at(fc, "ports"), j, v) {
			if (json_integer_value(v) != json_integer_value(at(json_array_get(at(c, "ports"), j), "containerPort")))
				fail_msg("%s/%s: port %zu", where, at_str(fc, "name"), j);
		}
		json_array_foreach(at(c, "volumes"), j, v) {
			if (strcmp(at_str(v, "type"), "HostPath") != 0)
				continue;
			if (!has_string(at(facts, "hostPathVolumes"), at_str(v, "source")))
				fail_msg("%s/%s: host path %s", where, at_str(fc, "name"), at_str(v, "source"));
			(*hostpaths)++;
		}
	}
}

static void test_fixtures_match_index(void **state)
{
	char buf[1024], path[2048];
	size_t len, i, checked = 0, hostpaths = 0, skipped = 0;
	int skip_file = 0;
	unsigned char *data;
	json_t *index, *objects, *o;
	const char *file = NULL;
	struct workload_result r = {0};
	json_t *used = NULL;

	(void)state;
	testing_shared_path(buf, sizeof(buf), "fixtures/k8s-manifests");
	snprintf(path, sizeof(path), "%s/index.json", buf);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	index = json_loadb((const char *)data, len, 0, NULL);
	free(data);
	assert_non_null(index);
	objects = json_object_get(index, "objects");
	/* Objects of one file are consecutive; a file is converted once, its
	 * workloads matched by kind/namespace/name in order of appearance. */
	json_array_foreach(objects, i, o) {
		const json_t *facts = json_object_get(o, "podSpecFacts"), *d;
		json_t *cand;
		const char *ns = at_str(o, "namespace");
		size_t k;
		char where[1024];

		if (!file || strcmp(file, at_str(o, "file")) != 0) {
			workload_result_free(&r);
			json_decref(used);
			file = at_str(o, "file");
			snprintf(path, sizeof(path), "%s/%s", buf, file);
			skip_file = is_duplicate_key_file(path);
			if (!skip_file)
				convert_file(&r, path);
			used = json_array();
		}
		if (!facts)
			continue;
		if (skip_file) {
			skipped++;
			continue;
		}
		snprintf(where, sizeof(where), "%s %s/%s", file, at_str(o, "kind"), at_str(o, "name"));
		d = NULL;
		json_array_foreach(r.deployments, k, cand) {
			int taken = 0;
			size_t u;
			const json_t *x;

			json_array_foreach(used, u, x) {
				if (json_integer_value(x) == (json_int_t)k)
					taken = 1;
			}
			if (!taken && strcmp(at_str(cand, "type"), at_str(o, "kind")) == 0 &&
			    (!at_str(o, "name") || strcmp(at_str(cand, "name"), at_str(o, "name")) == 0) &&
			    strcmp(at_str(cand, "namespace"), ns ? ns : "default") == 0) {
				d = cand;
				json_array_append_new(used, json_integer((json_int_t)k));
				break;
			}
		}
		if (!d)
			fail_msg("%s: not converted", where);
		check_facts(d, facts, where, &hostpaths);
		checked++;
	}
	workload_result_free(&r);
	json_decref(used);
	json_decref(index);
	printf("checked %zu workloads against index.json (%zu host path mounts)\n", checked, hostpaths);
	assert_int_equal(checked, 440 - 5);
	assert_int_equal(skipped, 5);
	assert_true(hostpaths >= 13);
}

/* Values read off the YAML by hand, one file per field family. */
static void test_fixtures_by_hand(void **state)
{
	char buf[1024], path[2048];
	struct workload_result r;
	const json_t *d, *c;

	(void)state;
	testing_shared_path(buf, sizeof(buf), "fixtures/k8s-manifests");
#define FIXTURE(rel) (snprintf(path, sizeof(path), "%s/%s", buf, rel), convert_file(&r, path))

	/* privileged, hostPath, host namespaces, capabilities, m/Mi, pod runAsUser */
	FIXTURE("kubernetes-goat/scenarios/docker-bench-security/deployment.yaml");
	d = deployment(&r, "DaemonSet", "docker-bench-security");
	assert_true(at_num(d, "replicas") == 0);
	assert_true(at_bool(d, "hostNetwork") && at_bool(d, "hostPid") && at_bool(d, "hostIpc"));
	c = container(d, "docker-bench");
	assert_string_equal(at_str(c, "image/name/fullName"), "docker.io/madhuakula/hacker-container:latest");
	assert_true(at_bool(c, "securityContext/privileged"));
	assert_string_equal(at_str(c, "securityContext/addCapabilities/0"), "AUDIT_CONTROL");
	assert_true(at_num(c, "securityContext/runAsUser") == 0);
	assert_true(fabs(at_num(c, "resources/cpuCoresRequest") - 0.02) < 1e-12);
	assert_true(fabs(at_num(c, "resources/cpuCoresLimit") - 0.05) < 1e-12);
	assert_true(at_num(c, "resources/memoryMbRequest") == 50);
	assert_true(at_num(c, "resources/memoryMbLimit") == 80);
	assert_int_equal(json_array_size(at(c, "volumes")), 7);
	assert_string_equal(at_str(c, "volumes/6/type"), "HostPath");
	assert_string_equal(at_str(c, "volumes/6/source"), "/var/run/docker.sock");
	assert_true(at_bool(c, "volumes/6/readOnly"));
	assert_string_equal(at_str(c, "volumes/3/source"), "/lib/systemd/system");
	assert_string_equal(at_str(c, "config/command/2"), "sleep infinity");
	workload_result_free(&r);

	/* limits only: requests take the limits (200m, 1Gi) */
	FIXTURE("kube-score/score/testdata/pod-test-resources-only-limits.yaml");
	c = container(deployment(&r, "Pod", "pod-test-1"), "foobar");
	assert_true(at_num(c, "resources/cpuCoresLimit") == 0.2);
	assert_true(at_num(c, "resources/cpuCoresRequest") == 0.2);
	assert_true(at_num(c, "resources/memoryMbLimit") == 1024);
	workload_result_free(&r);

	/* NodePort Service exposure (the Service comes first), env value */
	FIXTURE("examples/web/guestbook/all-in-one/frontend.yaml");
	d = deployment(&r, "Deployment", "frontend");
	assert_true(at_num(d, "replicas") == 3);
	c = container(d, "php-redis");
	assert_string_equal(at_str(c, "image/name/registry"), "gcr.io");
	assert_string_equal(at_str(c, "image/name/remote"), "google-samples/gb-frontend");
	assert_string_equal(at_str(c, "ports/0/exposure"), "NODE");
	assert_string_equal(at_str(c, "ports/0/exposureInfos/0/serviceName"), "frontend");
	assert_string_equal(at_str(env(c, "GET_HOSTS_FROM"), "value"), "dns");
	assert_true(at_num(c, "resources/memoryMbRequest") == 100);
	workload_result_free(&r);

	/* LoadBalancer wins over ClusterIP; drop ALL; pod security context; probes */
	FIXTURE("microservices-demo/kubernetes-manifests/frontend.yaml");
	d = deployment(&r, "Deployment", "frontend");
	assert_string_equal(at_str(d, "serviceAccount"), "frontend");
	c = container(d, "server");
	assert_string_equal(at_str(c, "ports/0/exposure"), "EXTERNAL");
	assert_true(at_num(c, "ports/0/exposedPort") == 80);
	assert_int_equal(json_array_size(at(c, "ports/0/exposureInfos")), 2);
	assert_string_equal(at_str(c, "securityContext/dropCapabilities/0"), "ALL");
	assert_false(at_bool(c, "securityContext/allowPrivilegeEscalation"));
	assert_true(at_bool(c, "securityContext/readOnlyRootFilesystem"));
	assert_true(at_num(c, "securityContext/runAsUser") == 1000);
	assert_true(at_num(c, "securityContext/runAsGroup") == 1000);
	assert_true(at_bool(c, "securityContext/runAsNonRoot"));
	assert_true(at_bool(c, "livenessProbe/defined") && at_bool(c, "readinessProbe/defined"));
	assert_string_equal(at_str(env(c, "ENABLE_PROFILER"), "value"), "0");
	assert_true(at_num(c, "resources/cpuCoresLimit") == 0.2);
	assert_true(at_num(c, "resources/memoryMbLimit") == 128);
	assert_int_equal(json_array_size(r.ignored), 3); /* the ServiceAccount and two Services */
	{
		size_t accounts = 0, services = 0;
		for (size_t k = 0; k < 3; k++) {
			const char *kind = json_string_value(json_object_get(json_array_get(r.ignored, k), "kind"));
			accounts += kind && !strcmp(kind, "ServiceAccount");
			services += kind && !strcmp(kind, "Service");
		}
		assert_int_equal(accounts, 1);
		assert_int_equal(services, 2);
	}
	workload_result_free(&r);

	/* env secretKeyRef, emptyDir */
	FIXTURE("examples/AI/vllm-deployment/vllm-deployment.yaml");
	c = container(deployment(&r, "Deployment", "vllm-gemma-deployment"), "inference-server");
	assert_string_equal(at_str(env(c, "HUGGING_FACE_HUB_TOKEN"), "envVarSource"), "SECRET_KEY");
	assert_string_equal(at_str(env(c, "HUGGING_FACE_HUB_TOKEN"), "value"), "");
	assert_string_equal(at_str(c, "volumes/0/type"), "EmptyDir");
	assert_string_equal(at_str(c, "volumes/0/destination"), "/dev/shm");
	assert_string_equal(at_str(c, "image/name/tag"), "v0.11.0");
	workload_result_free(&r);

	/* CronJob */
	FIXTURE("kube-score/score/testdata/cronjob-batchv1.yaml");
	d = deployment(&r, "CronJob", "cronjob-test");
	assert_string_equal(at_str(container(d, "foo"), "image/name/fullName"), "docker.io/library/bar:latest");
	workload_result_free(&r);

	/* AppArmor annotation naming the regular container, init container beside it */
	FIXTURE("kubeaudit/auditors/apparmor/fixtures/apparmor-annotation-init-container-missing.yml");
	d = deployment(&r, "Pod", "pod");
	assert_string_equal(at_str(d, "namespace"), "apparmor-annotation-init-container-missing");
	assert_string_equal(at_str(container(d, "container"), "securityContext/appArmorProfile"), "localhost/someval");
	assert_true(at_bool(container(d, "init-container"), "isInitContainer"));
	assert_null(at(container(d, "init-container"), "securityContext/appArmorProfile"));
	workload_result_free(&r);

	/* seccomp per container; YAML 1.2 "False"/"True" */
	FIXTURE("kube-score/score/testdata/pod-seccomp-container-securecontext-warning.yaml");
	d = deployment(&r, "Pod", "pod-test-1");
	assert_string_equal(at_str(container(d, "foobar"), "securityContext/seccompProfile/type"), "RUNTIME_DEFAULT");
	assert_null(at(container(d, "foobaz"), "securityContext/seccompProfile"));
	assert_true(at_bool(container(d, "foobaz"), "securityContext/readOnlyRootFilesystem"));
	assert_false(at_bool(container(d, "foobaz"), "securityContext/privileged"));
	assert_true(at_num(container(d, "foozed"), "securityContext/runAsGroup") == 30000);
	workload_result_free(&r);

	/* init containers of a StatefulSet */
	FIXTURE("examples/_archived/cockroachdb/cockroachdb-statefulset.yaml");
	d = deployment(&r, "StatefulSet", "cockroachdb");
	assert_true(at_bool(container(d, "bootstrap"), "isInitContainer"));
	assert_false(at_bool(container(d, "cockroachdb"), "isInitContainer"));
	workload_result_free(&r);

	/* A List from kube-score: the Deployment inside it */
	FIXTURE("kube-score/score/testdata/list.yaml");
	d = deployment(&r, "Deployment", "list-deployment-test");
	assert_string_equal(at_str(container(d, "nginx"), "image/name/fullName"), "docker.io/library/nginx:latest");
	workload_result_free(&r);

	/* JSON from the API server: kubectl get -o json, and a typed List */
	testing_shared_path(buf, sizeof(buf), "fixtures/k8s-api");
	FIXTURE("kubectl-neat/pod1-raw.json");
	assert_int_equal(json_array_size(r.deployments), 1);
	d = json_array_get(r.deployments, 0);
	assert_string_equal(at_str(d, "type"), "Pod");
	assert_true(strchr(at_str(d, "id"), '-') != NULL);
	workload_result_free(&r);
	FIXTURE("synthesized/deployment-list.json");
	d = deployment(&r, "Deployment", "icx-db");
	assert_string_equal(at_str(d, "namespace"), "icx");
	workload_result_free(&r);
	FIXTURE("synthesized/cronjob-list.json");
	d = deployment(&r, "CronJob", "hello");
	assert_int_equal(json_array_size(json_object_get(d, "containers")), 1);
	workload_result_free(&r);
#undef FIXTURE
}

static int dump(const char *path)
{
	struct workload_result r;
	size_t len;
	unsigned char *data = testing_read_file(path, &len);
	int rc;

	if (!data) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	rc = workload_from_text(&r, (const char *)data, len, NULL);
	free(data);
	if (rc != ASEC_OK) {
		fprintf(stderr, "%s: %s\n", error_code_name(rc), error_last());
		return 1;
	}
	json_t *all = json_pack("{s:O, s:O, s:O, s:O}", "deployments", r.deployments, "networkPolicies",
				r.network_policies, "ignored", r.ignored, "remarks", r.remarks);
	json_dumpf(all, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(all);
	workload_result_free(&r);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantities),
		cmocka_unit_test(test_full_deployment),
		cmocka_unit_test(test_kinds_and_defaults),
		cmocka_unit_test(test_exposure),
		cmocka_unit_test(test_lists_json_ignored),
		cmocka_unit_test(test_from_object),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fixtures_all_convert),
		cmocka_unit_test(test_fixtures_match_index),
		cmocka_unit_test(test_fixtures_by_hand),
	};

	if (argc == 2)
		return dump(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
