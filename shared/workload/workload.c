/*
 * workload.c - Kubernetes objects (YAML or JSON text, or parsed) turned into
 * the deployment model of workload.h; the readers workload_int.h declares.
 *
 * The input is read in two passes over a flat list of objects (documents,
 * with `List`s unwrapped). The first collects the Services, because a port's
 * exposure depends on Services that may come after the workload in the
 * file; the second converts workloads in input order. Parsed values are
 * never changed: yamljson may share aliased subtrees between places, so
 * everything the model keeps is built new or deep-copied.
 *
 * Where each kind keeps its pod: spec (Pod), spec.jobTemplate.spec.template
 * (CronJob), spec.template (every other workload kind). apiVersion is not
 * checked beyond being present: extensions/v1beta1 Deployments and
 * apps.openshift.io DeploymentConfigs are read the same way.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "registry/registry.h"
#include "workload/workload.h"
#include "workload/workload_int.h"
#include "yaml/yamljson.h"

/* ---- readers ---- */

void wl_remark(json_t *remarks, const char *what, const char *fmt, ...)
{
	char buf[1024];
	json_t *s;
	int n = 0;
	va_list ap;

	if (!remarks || json_array_size(remarks) > WL_MAX_REMARKS)
		return;
	if (json_array_size(remarks) == WL_MAX_REMARKS) {
		json_array_append_new(remarks, json_string("more remarks were left out"));
		return;
	}
	if (what)
		n = snprintf(buf, sizeof(buf), "%s: ", what);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	/* A remark is for people; a cut UTF-8 sequence must not lose it. */
	s = json_string(buf);
	json_array_append_new(remarks, s ? s : json_string("(a remark that is not UTF-8)"));
}

const json_t *wl_object(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_object(v) ? v : NULL;
}

const json_t *wl_array(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_array(v) ? v : NULL;
}

const char *wl_string(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int wl_bool_value(const json_t *v, int dflt)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0)
		return 1;
	if (json_is_string(v) && strcmp(json_string_value(v), "false") == 0)
		return 0;
	return dflt;
}

int wl_bool(const json_t *obj, const char *key, int dflt)
{
	return wl_bool_value(json_is_object(obj) ? json_object_get(obj, key) : NULL, dflt);
}

int wl_int(json_int_t *out, const json_t *v)
{
	const char *s;
	json_int_t n = 0;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != floor(d) || fabs(d) > 9e15)
			return 0;
		*out = (json_int_t)d;
		return 1;
	}
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	if (!*s || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	return 1;
}

json_t *wl_scalar_text(const json_t *v)
{
	char buf[64];

	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_stringn(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(buf);
	case JSON_REAL:
		/* The shortest form that reads back the same: 1.5, not 1.5000000000000000. */
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		if (strtod(buf, NULL) != json_real_value(v))
			snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		return json_string(buf);
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	default:
		return NULL;
	}
}

json_t *wl_string_array(const json_t *arr)
{
	json_t *out = json_array(), *v;
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach(arr, i, v) {
		json_t *s;

		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
			continue;
		s = wl_scalar_text(v);
		if (!s || json_array_append_new(out, s) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int wl_set(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return ASEC_ENOMEM;
	return json_object_set_new(obj, key, value) == 0 ? ASEC_OK : ASEC_ENOMEM;
}

int wl_append(json_t *arr, json_t *value)
{
	if (!value)
		return ASEC_ENOMEM;
	return json_array_append_new(arr, value) == 0 ? ASEC_OK : ASEC_ENOMEM;
}

/* ---- objects ---- */

static const char *const wl_kinds[] = {
	"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController",
	"Job",        "CronJob",   "Pod",         "DeploymentConfig",
};

static int wl_is_workload(const char *kind)
{
	for (size_t i = 0; i < sizeof(wl_kinds) / sizeof(wl_kinds[0]); i++) {
		if (kind && strcmp(kind, wl_kinds[i]) == 0)
			return 1;
	}
	return 0;
}

/* A map of strings from labels or annotations as written: other scalars in
 * their text form, collections left out with a remark. */
static json_t *wl_string_map(const json_t *map, const char *what, const char *which, json_t *remarks)
{
	json_t *out = json_object(), *value;
	const char *key;

	if (!out)
		return NULL;
	json_object_foreach((json_t *)map, key, value) {
		json_t *s = wl_scalar_text(value);

		if (!s) {
			if (!json_is_null(value))
				wl_remark(remarks, what, "%s %.200s is no string; left out", which, key);
			continue;
		}
		if (json_object_set_new(out, key, s) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* An id for an object without metadata.uid: the same object (kind,
 * namespace, name) always gets the same one, written as a UUID (version 8,
 * the RFC 9562 version for ids made some other way) whose bits are the
 * first of SHA-256 over the three names. */
static int wl_derived_id(char out[37], const char *kind, const char *ns, const char *name)
{
	char digest[REGISTRY_DIGEST_BUF], buf[1024];
	const char *hex;
	int n = snprintf(buf, sizeof(buf), "%s/%s/%s", kind, ns, name);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	rc = registry_digest_compute(digest, "sha256", buf, (size_t)n);
	if (rc != ASEC_OK)
		return rc;
	hex = digest + 7;
	snprintf(out, 37, "%.8s-%.4s-8%.3s-%c%.3s-%.12s", hex, hex + 8, hex + 13,
		 "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3], hex + 17, hex + 20);
	return ASEC_OK;
}

static int wl_pod_template(const json_t **pod_meta, const json_t **pod_spec, json_int_t *replicas, const char *kind,
			   const json_t *obj)
{
	const json_t *spec = wl_object(obj, "spec"), *tmpl, *job = NULL;

	*replicas = 1;
	if (strcmp(kind, "Pod") == 0) {
		*pod_meta = wl_object(obj, "metadata");
		*pod_spec = spec;
		return ASEC_OK;
	}
	if (strcmp(kind, "CronJob") == 0)
		job = wl_object(wl_object(spec, "jobTemplate"), "spec");
	else if (strcmp(kind, "Job") == 0)
		job = spec;
	tmpl = wl_object(job ? job : spec, "template");
	*pod_meta = wl_object(tmpl, "metadata");
	*pod_spec = wl_object(tmpl, "spec");
	if (strcmp(kind, "DaemonSet") == 0)
		*replicas = 0;
	else if (job)
		(void)wl_int(replicas, json_object_get(job, "parallelism"));
	else if (spec)
		(void)wl_int(replicas, json_object_get(spec, "replicas"));
	return ASEC_OK;
}

static int wl_pod_fields(json_t *d, const json_t *ps)
{
	const char *sa = wl_string(ps, "serviceAccountName");
	const json_t *v;
	json_t *secrets;
	size_t i;

	if (!sa || !sa[0])
		sa = wl_string(ps, "serviceAccount"); /* the deprecated alias */
	if (wl_set(d, "serviceAccount", json_string(sa && sa[0] ? sa : "default")) ||
	    wl_set(d, "automountServiceAccountToken", json_boolean(wl_bool(ps, "automountServiceAccountToken", 1))) ||
	    wl_set(d, "hostNetwork", json_boolean(wl_bool(ps, "hostNetwork", 0))) ||
	    wl_set(d, "hostPid", json_boolean(wl_bool(ps, "hostPID", 0))) ||
	    wl_set(d, "hostIpc", json_boolean(wl_bool(ps, "hostIPC", 0))))
		return ASEC_ENOMEM;
	if (wl_string(ps, "runtimeClassName") && wl_set(d, "runtimeClass", json_string(wl_string(ps, "runtimeClassName"))))
		return ASEC_ENOMEM;
	secrets = json_array();
	if (wl_set(d, "imagePullSecrets", secrets))
		return ASEC_ENOMEM;
	json_array_foreach(wl_array(ps, "imagePullSecrets"), i, v) {
		if (wl_string(v, "name") && wl_append(secrets, json_string(wl_string(v, "name"))))
			return ASEC_ENOMEM;
	}
	if ((v = wl_array(ps, "tolerations")) && wl_set(d, "tolerations", json_deep_copy(v)))
		return ASEC_ENOMEM;
	if ((v = wl_object(ps, "nodeSelector")) && wl_set(d, "nodeSelector", json_deep_copy(v)))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

static int wl_containers(json_t *d, const struct wl_pod *pod)
{
	json_t *containers = json_array(), *ports = json_array(), *c, *p;
	const char *lists[] = {"containers", "initContainers"};
	const json_t *item;
	size_t i, j;
	int rc = ASEC_ENOMEM;

	if (!containers || !ports)
		goto out;
	for (int l = 0; l < 2; l++) {
		json_array_foreach(wl_array(pod->spec, lists[l]), i, item) {
			if (!json_is_object(item))
				continue;
			rc = wl_container(&c, item, l == 1, pod);
			if (rc == ASEC_OK)
				rc = wl_append(containers, c);
			if (rc != ASEC_OK)
				goto out;
			rc = ASEC_ENOMEM;
			json_array_foreach(json_object_get(c, "ports"), j, p) {
				if (wl_append(ports, json_deep_copy(p)) != ASEC_OK)
					goto out;
			}
		}
	}
	rc = wl_set(d, "containers", containers);
	containers = NULL;
	if (rc == ASEC_OK)
		rc = wl_set(d, "ports", ports);
	ports = NULL;
out:
	json_decref(containers);
	json_decref(ports);
	return rc;
}

static int wl_convert(json_t **out, char *why, size_t why_size, const json_t *obj, const char *kind,
		      const json_t *services, const char *default_ns, json_t *remarks)
{
	const json_t *meta = wl_object(obj, "metadata"), *pod_meta = NULL, *pod_spec = NULL;
	const char *name = wl_string(meta, "name"), *ns = wl_string(meta, "namespace"), *uid = wl_string(meta, "uid");
	const json_t *empty_spec;
	json_t *d = NULL, *empty = NULL, *pod_labels = NULL;
	struct wl_pod pod;
	char what[600], id[37];
	json_int_t replicas;
	size_t count;
	int rc = ASEC_ENOMEM;

	*out = NULL;
	if (why && why_size)
		why[0] = '\0';
	if (!name || !name[0])
		name = wl_string(meta, "generateName") ? wl_string(meta, "generateName") : "";
	if (!ns || !ns[0])
		ns = default_ns && default_ns[0] ? default_ns : "default";
	snprintf(what, sizeof(what), "%s %.250s/%.250s", kind, ns, name);
	wl_pod_template(&pod_meta, &pod_spec, &replicas, kind, obj);
	if (!pod_spec) {
		wl_remark(remarks, what, "no pod template; read as a pod without containers");
		empty = json_object();
		if (!empty)
			goto out;
	}
	empty_spec = pod_spec ? pod_spec : empty;
	count = json_array_size(wl_array(empty_spec, "containers")) + json_array_size(wl_array(empty_spec, "initContainers"));
	if (count > WORKLOAD_MAX_CONTAINERS) {
		snprintf(why, why_size, "%zu containers, more than the %u a workload may have here", count,
			 (unsigned)WORKLOAD_MAX_CONTAINERS);
		rc = ASEC_OK;
		goto out;
	}
	if (!uid || !uid[0]) {
		rc = wl_derived_id(id, kind, ns, name);
		if (rc != ASEC_OK)
			goto out;
		rc = ASEC_ENOMEM;
		uid = id;
	}
	d = json_pack("{s:s, s:s, s:s, s:s}", "id", uid, "name", name, "namespace", ns, "type", kind);
	pod_labels = wl_string_map(wl_object(pod_meta, "labels"), what, "pod label", remarks);
	if (!d || !pod_labels ||
	    wl_set(d, "labels", wl_string_map(wl_object(meta, "labels"), what, "label", remarks)) ||
	    wl_set(d, "annotations", wl_string_map(wl_object(meta, "annotations"), what, "annotation", remarks)) ||
	    wl_set(d, "podLabels", json_incref(pod_labels)) || wl_set(d, "replicas", json_integer(replicas)))
		goto out;
	if (wl_pod_fields(d, empty_spec) != ASEC_OK)
		goto out;
	pod = (struct wl_pod){
		.spec = empty_spec,
		.annotations = wl_object(pod_meta, "annotations"),
		.labels = pod_labels,
		.services = json_is_array(services) ? services : NULL,
		.namespace = ns,
		.what = what,
		.remarks = remarks,
	};
	rc = wl_containers(d, &pod);
	if (rc != ASEC_OK)
		goto out;
	*out = d;
	d = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory converting %s", what);
	json_decref(d);
	json_decref(empty);
	json_decref(pod_labels);
	return rc;
}

int workload_from_object(json_t **deployment, char *why, size_t why_size, const json_t *object,
			 const json_t *services, const char *default_namespace)
{
	const char *kind = wl_string(object, "kind");
	char dummy[1];

	if (!why || !why_size) {
		why = dummy;
		why_size = sizeof(dummy);
	}
	why[0] = '\0';
	if (!deployment) {
		error_set("workload_from_object: no place for the result");
		return ASEC_EINVALID;
	}
	*deployment = NULL;
	if (!json_is_object(object)) {
		snprintf(why, why_size, "not a mapping");
		return ASEC_OK;
	}
	if (!kind || !wl_string(object, "apiVersion")) {
		snprintf(why, why_size, "no apiVersion/kind: not a Kubernetes object");
		return ASEC_OK;
	}
	if (!wl_is_workload(kind)) {
		snprintf(why, why_size, "a %.100s is not a workload", kind);
		return ASEC_OK;
	}
	return wl_convert(deployment, why, why_size, object, kind, services, default_namespace, NULL);
}

/* ---- text ---- */

/* One object of the input, with the kind and apiVersion it has or, for an
 * item of a typed List (items carry neither on the wire), inherits. */
struct wl_item {
	const json_t *obj;
	const char *kind;
	const char *api;
};

static int wl_push(struct wl_item **items, size_t *n, size_t *cap, const json_t *obj, const char *kind,
		   const char *api)
{
	if (*n == WORKLOAD_MAX_OBJECTS) {
		error_set("more than %u objects in one input", (unsigned)WORKLOAD_MAX_OBJECTS);
		return ASEC_ETOOBIG;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct wl_item *p = realloc(*items, ncap * sizeof(**items));

		if (!p) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		*items = p;
		*cap = ncap;
	}
	(*items)[(*n)++] = (struct wl_item){obj, kind, api};
	return ASEC_OK;
}

/* Documents into items, Lists (kind "List" or "<Kind>List" with items)
 * unwrapped one level: the API server never nests them. */
static int wl_flatten(struct wl_item **items, size_t *n, const json_t *docs)
{
	size_t cap = 0, i, j;
	const json_t *doc, *item;
	int rc;

	*items = NULL;
	*n = 0;
	json_array_foreach(docs, i, doc) {
		const char *kind = wl_string(doc, "kind"), *api = wl_string(doc, "apiVersion");
		const json_t *list = wl_array(doc, "items");
		size_t klen = kind ? strlen(kind) : 0;

		if (!list || klen < 4 || strcmp(kind + klen - 4, "List") != 0) {
			rc = wl_push(items, n, &cap, doc, kind, api);
			if (rc != ASEC_OK)
				return rc;
			continue;
		}
		json_array_foreach(list, j, item) {
			const char *ikind = wl_string(item, "kind"), *iapi = wl_string(item, "apiVersion");

			/* "DeploymentList" items are Deployments; "List" items say what they are. */
			if (!ikind && klen > 4) {
				ikind = kind; /* cut below, without copying: see wl_kind_of */
				iapi = iapi ? iapi : api;
			}
			rc = wl_push(items, n, &cap, item, ikind, iapi);
			if (rc != ASEC_OK)
				return rc;
		}
	}
	return ASEC_OK;
}

/* The kind of an item: a typed List's name without "List" (written into
 * buf), or the item's own. */
static const char *wl_kind_of(char *buf, size_t size, const struct wl_item *it)
{
	const char *own = wl_string(it->obj, "kind");
	size_t len;

	if (!it->kind || (own && it->kind == own))
		return it->kind;
	len = strlen(it->kind);
	if (len > 4 && strcmp(it->kind + len - 4, "List") == 0 && len - 4 < size) {
		memcpy(buf, it->kind, len - 4);
		buf[len - 4] = '\0';
		return buf;
	}
	return it->kind;
}

static int wl_ignore(json_t *ignored, const char *kind, const json_t *obj, const char *reason)
{
	const json_t *meta = wl_object(obj, "metadata");
	const char *ns = wl_string(meta, "namespace"), *name = wl_string(meta, "name");

	return wl_append(ignored, json_pack("{s:s, s:s, s:s, s:s}", "kind", kind ? kind : "", "namespace",
					    ns ? ns : "", "name", name ? name : "", "reason", reason));
}

void workload_result_free(struct workload_result *r)
{
	if (!r)
		return;
	json_decref(r->deployments);
	json_decref(r->network_policies);
	json_decref(r->ignored);
	json_decref(r->remarks);
	memset(r, 0, sizeof(*r));
}

int workload_from_text(struct workload_result *out, const char *text, size_t len, const char *default_namespace)
{
	const struct yamljson_limits limits = {
		.max_input_bytes = WORKLOAD_MAX_INPUT_BYTES,
		.max_documents = WORKLOAD_MAX_OBJECTS,
	};
	struct wl_item *items = NULL;
	json_t *docs = NULL, *services = NULL, *d;
	char kbuf[256], why[256];
	size_t n = 0;
	int rc;

	if (!out) {
		error_set("workload_from_text: no place for the result");
		return ASEC_EINVALID;
	}
	memset(out, 0, sizeof(*out));
	if (!text && len) {
		error_set("workload_from_text: no text");
		return ASEC_EINVALID;
	}
	if (len > WORKLOAD_MAX_INPUT_BYTES) {
		error_set("input of %zu bytes, more than the %u allowed", len, (unsigned)WORKLOAD_MAX_INPUT_BYTES);
		return ASEC_ETOOBIG;
	}
	rc = yamljson_parse_all(&docs, text ? text : "", len, YAMLJSON_CORE_SCHEMA, &limits);
	if (rc != ASEC_OK)
		goto out;
	rc = wl_flatten(&items, &n, docs);
	if (rc != ASEC_OK)
		goto out;
	rc = ASEC_ENOMEM;
	out->deployments = json_array();
	out->network_policies = json_array();
	out->ignored = json_array();
	out->remarks = json_array();
	services = json_array();
	if (!out->deployments || !out->network_policies || !out->ignored || !out->remarks || !services)
		goto out;

	for (size_t i = 0; i < n; i++) {
		const char *kind = wl_kind_of(kbuf, sizeof(kbuf), &items[i]);

		if (kind && strcmp(kind, "Service") == 0 && json_is_object(items[i].obj) &&
		    wl_append(services, json_incref((json_t *)items[i].obj)))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *obj = items[i].obj;
		const char *kind = wl_kind_of(kbuf, sizeof(kbuf), &items[i]);

		if (!json_is_object(obj)) {
			rc = wl_ignore(out->ignored, NULL, NULL, "not a mapping");
		} else if (!kind || !items[i].api) {
			rc = wl_ignore(out->ignored, kind, obj, "no apiVersion/kind: not a Kubernetes object");
		} else if (strcmp(kind, "Service") == 0) {
			/* no deployment of its own; it decided the exposure above */
			rc = wl_ignore(out->ignored, kind, obj,
				       "a Service is not a workload (it sets the exposure of the workloads it selects)");
		} else if (strcmp(kind, "NetworkPolicy") == 0) {
			json_t *copy = json_deep_copy(obj);

			/* As given, but saying what it is when a typed List left that out. */
			rc = copy ? ASEC_OK : ASEC_ENOMEM;
			if (rc == ASEC_OK && !json_object_get(copy, "kind"))
				rc = wl_set(copy, "kind", json_string(kind));
			if (rc == ASEC_OK && !json_object_get(copy, "apiVersion"))
				rc = wl_set(copy, "apiVersion", json_string(items[i].api));
			if (rc == ASEC_OK)
				rc = wl_append(out->network_policies, copy);
			else
				json_decref(copy);
			if (rc == ASEC_OK)
				rc = wl_ignore(out->ignored, kind, obj,
					       "a NetworkPolicy is not a workload (it is returned apart, for the network policy criteria)");
		} else if (!wl_is_workload(kind)) {
			snprintf(why, sizeof(why), "a %.100s is not a workload", kind);
			rc = wl_ignore(out->ignored, kind, obj, why);
		} else {
			rc = wl_convert(&d, why, sizeof(why), obj, kind, services, default_namespace, out->remarks);
			if (rc == ASEC_OK)
				rc = d ? wl_append(out->deployments, d) : wl_ignore(out->ignored, kind, obj, why);
		}
		if (rc != ASEC_OK)
			goto out;
	}
	rc = ASEC_OK;
out:
	if (rc == ASEC_ENOMEM && !error_last()[0])
		error_set("out of memory reading workloads");
	if (rc != ASEC_OK)
		workload_result_free(out);
	free(items);
	json_decref(services);
	json_decref(docs);
	return rc;
}
