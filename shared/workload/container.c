/*
 * container.c - one Kubernetes container (with what it inherits from its
 * pod) as the model's Container: image, security context, resources, config,
 * volumes, ports and probes.
 *
 * Two ideas. Settings are resolved the way the kubelet resolves them, so
 * that a policy asks one place: the container's securityContext over the
 * pod's, fields over the older annotations (seccomp, AppArmor), a missing
 * request taking the limit (API server defaulting). And port exposure is
 * computed here from the Services given beside the workload, because the
 * exposure of a port is a property of the port: the same number may be
 * internal for one Service and a NodePort for another.
 */
#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "registry/registry.h"
#include "workload/workload_int.h"

/* ---- image ---- */

static int ct_image(json_t *container, const json_t *c, const struct wl_pod *pod, const char *cname)
{
	const char *text = wl_string(c, "image");
	struct registry_ref ref = {0};
	json_t *image = NULL, *name = NULL;
	char *full = NULL;
	int rc;

	if (!text) {
		wl_remark(pod->remarks, pod->what, "container %s has no image", cname);
		text = "";
	}
	if (text[0] && registry_ref_parse(&ref, text) == ASEC_OK && registry_ref_format(&full, &ref) == ASEC_OK) {
		name = json_pack("{s:s, s:s, s:s*, s:s}", "registry", ref.domain, "remote", ref.repository, "tag",
				 ref.tag, "fullName", full);
	} else {
		if (text[0])
			wl_remark(pod->remarks, pod->what, "container %s: image \"%.256s\" is no valid reference (%s)",
				  cname, text, error_last());
		error_clear();
		name = json_pack("{s:s}", "fullName", text);
	}
	if (!name) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	image = json_pack("{s:o, s:b}", "name", name, "notPullable", 0);
	name = NULL;
	if (!image || (ref.digest && wl_set(image, "id", json_string(ref.digest)) != ASEC_OK)) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = wl_set(container, "image", image);
	image = NULL;
out:
	json_decref(image);
	registry_ref_free(&ref);
	free(full);
	return rc;
}

/* ---- security context ---- */

/* A seccomp profile field {type, localhostProfile} in the model's form. */
static json_t *ct_seccomp_field(const json_t *profile)
{
	const char *type = wl_string(profile, "type");

	if (!type)
		return NULL;
	if (strcmp(type, "Unconfined") == 0)
		return json_pack("{s:s}", "type", "UNCONFINED");
	if (strcmp(type, "RuntimeDefault") == 0)
		return json_pack("{s:s}", "type", "RUNTIME_DEFAULT");
	if (strcmp(type, "Localhost") == 0)
		return json_pack("{s:s, s:s}", "type", "LOCALHOST", "localhostProfile",
				 wl_string(profile, "localhostProfile") ? wl_string(profile, "localhostProfile") : "");
	return NULL;
}

/* The pre-1.19 annotation value ("runtime/default", "docker/default",
 * "unconfined", "localhost/<path>") in the model's form. */
static json_t *ct_seccomp_annotation(const char *v)
{
	if (!v)
		return NULL;
	if (strcmp(v, "runtime/default") == 0 || strcmp(v, "docker/default") == 0)
		return json_pack("{s:s}", "type", "RUNTIME_DEFAULT");
	if (strcmp(v, "unconfined") == 0)
		return json_pack("{s:s}", "type", "UNCONFINED");
	if (strncmp(v, "localhost/", 10) == 0)
		return json_pack("{s:s, s:s}", "type", "LOCALHOST", "localhostProfile", v + 10);
	return NULL;
}

/* An appArmorProfile field in the annotation's form, which is what the
 * model carries: "runtime/default", "unconfined", "localhost/<name>". */
static json_t *ct_apparmor_field(const json_t *profile)
{
	const char *type = wl_string(profile, "type");
	const char *local = wl_string(profile, "localhostProfile");
	char buf[512];

	if (!type)
		return NULL;
	if (strcmp(type, "Unconfined") == 0)
		return json_string("unconfined");
	if (strcmp(type, "RuntimeDefault") == 0)
		return json_string("runtime/default");
	if (strcmp(type, "Localhost") == 0) {
		snprintf(buf, sizeof(buf), "localhost/%.400s", local ? local : "");
		return json_string(buf);
	}
	return NULL;
}

static const char *ct_annotation(const struct wl_pod *pod, const char *prefix, const char *cname)
{
	char key[512];

	if (!pod->annotations)
		return NULL;
	if (cname)
		snprintf(key, sizeof(key), "%s/%.300s", prefix, cname);
	else
		snprintf(key, sizeof(key), "%s", prefix);
	return wl_string(pod->annotations, key);
}

/* A pod-level setting the container may override. */
static const json_t *ct_inherited(const json_t *csc, const json_t *psc, const char *key)
{
	const json_t *v = csc ? json_object_get(csc, key) : NULL;

	if (v && !json_is_null(v))
		return v;
	v = psc ? json_object_get(psc, key) : NULL;
	return v && !json_is_null(v) ? v : NULL;
}

static int ct_security(json_t *container, const json_t *c, const struct wl_pod *pod, const char *cname)
{
	const json_t *csc = wl_object(c, "securityContext");
	const json_t *psc = wl_object(pod->spec, "securityContext");
	const json_t *caps = wl_object(csc, "capabilities");
	const json_t *v;
	json_t *sc, *x = NULL;
	json_int_t n;
	int rc = ASEC_ENOMEM;

	sc = json_pack("{s:b, s:b, s:b}", "privileged", wl_bool(csc, "privileged", 0), "readOnlyRootFilesystem",
		       wl_bool(csc, "readOnlyRootFilesystem", 0), "allowPrivilegeEscalation",
		       wl_bool(csc, "allowPrivilegeEscalation", 0));
	if (!sc)
		goto out;
	if (wl_set(sc, "addCapabilities", wl_string_array(wl_array(caps, "add"))) != ASEC_OK ||
	    wl_set(sc, "dropCapabilities", wl_string_array(wl_array(caps, "drop"))) != ASEC_OK)
		goto out;
	if ((v = ct_inherited(csc, psc, "runAsUser")) && wl_int(&n, v) && wl_set(sc, "runAsUser", json_integer(n)))
		goto out;
	if ((v = ct_inherited(csc, psc, "runAsGroup")) && wl_int(&n, v) && wl_set(sc, "runAsGroup", json_integer(n)))
		goto out;
	if ((v = ct_inherited(csc, psc, "runAsNonRoot")) && wl_bool_value(v, -1) >= 0 &&
	    wl_set(sc, "runAsNonRoot", json_boolean(wl_bool_value(v, 0))))
		goto out;
	if ((v = ct_inherited(csc, psc, "seLinuxOptions")) && json_is_object(v) &&
	    wl_set(sc, "selinux", json_deep_copy(v)))
		goto out;

	/* seccomp: container field, container annotation, pod field, pod annotation. */
	x = ct_seccomp_field(wl_object(csc, "seccompProfile"));
	if (!x)
		x = ct_seccomp_annotation(ct_annotation(pod, "container.seccomp.security.alpha.kubernetes.io", cname));
	if (!x)
		x = ct_seccomp_field(wl_object(psc, "seccompProfile"));
	if (!x)
		x = ct_seccomp_annotation(ct_annotation(pod, "seccomp.security.alpha.kubernetes.io/pod", NULL));
	if (x && wl_set(sc, "seccompProfile", x) != ASEC_OK) {
		x = NULL;
		goto out;
	}
	/* AppArmor: container field, annotation (per container only), pod field. */
	x = ct_apparmor_field(wl_object(csc, "appArmorProfile"));
	if (!x) {
		const char *a = ct_annotation(pod, "container.apparmor.security.beta.kubernetes.io", cname);

		x = a ? json_string(a) : NULL;
	}
	if (!x)
		x = ct_apparmor_field(wl_object(psc, "appArmorProfile"));
	if (x && wl_set(sc, "appArmorProfile", x) != ASEC_OK) {
		x = NULL;
		goto out;
	}
	rc = wl_set(container, "securityContext", sc);
	sc = NULL;
out:
	json_decref(sc);
	return rc;
}

/* ---- resources ---- */

static double ct_quantity(const json_t *map, const char *key, int memory, const struct wl_pod *pod,
			  const char *cname, const char *which)
{
	const json_t *v = map ? json_object_get(map, key) : NULL;
	double d;

	if (!v || json_is_null(v))
		return -1;
	if (wl_quantity(&d, v) != ASEC_OK) {
		wl_remark(pod->remarks, pod->what, "container %s: %s.%s: %s (taken as unset)", cname, which, key,
			  error_last());
		error_clear();
		return -1;
	}
	return memory ? d / (1024.0 * 1024.0) : d;
}

static int ct_resources(json_t *container, const json_t *c, const struct wl_pod *pod, const char *cname)
{
	const json_t *res = wl_object(c, "resources");
	const json_t *req = wl_object(res, "requests"), *lim = wl_object(res, "limits");
	double cpu_req = ct_quantity(req, "cpu", 0, pod, cname, "requests");
	double cpu_lim = ct_quantity(lim, "cpu", 0, pod, cname, "limits");
	double mem_req = ct_quantity(req, "memory", 1, pod, cname, "requests");
	double mem_lim = ct_quantity(lim, "memory", 1, pod, cname, "limits");

	/* The API server sets a missing request to the limit. */
	if (cpu_req < 0)
		cpu_req = cpu_lim;
	if (mem_req < 0)
		mem_req = mem_lim;
	return wl_set(container, "resources",
		      json_pack("{s:f, s:f, s:f, s:f}", "cpuCoresRequest", cpu_req < 0 ? 0.0 : cpu_req,
				"cpuCoresLimit", cpu_lim < 0 ? 0.0 : cpu_lim, "memoryMbRequest",
				mem_req < 0 ? 0.0 : mem_req, "memoryMbLimit", mem_lim < 0 ? 0.0 : mem_lim));
}

/* ---- config ---- */

static int ct_env(json_t *env, const json_t *c)
{
	const json_t *list = wl_array(c, "env"), *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const json_t *from = wl_object(e, "valueFrom");
		const char *source = "RAW";
		json_t *value = NULL;

		if (!json_is_object(e))
			continue;
		if (from) {
			source = wl_object(from, "secretKeyRef")       ? "SECRET_KEY"
				 : wl_object(from, "configMapKeyRef")  ? "CONFIG_MAP_KEY"
				 : wl_object(from, "fieldRef")         ? "FIELD"
				 : wl_object(from, "resourceFieldRef") ? "RESOURCE_FIELD"
								       : "UNKNOWN";
			value = json_string("");
		} else {
			value = wl_scalar_text(json_object_get(e, "value"));
			if (!value)
				value = json_string("");
		}
		if (!value)
			return ASEC_ENOMEM;
		if (wl_append(env, json_pack("{s:s, s:o, s:s}", "key",
					     wl_string(e, "name") ? wl_string(e, "name") : "", "value", value,
					     "envVarSource", source)) != ASEC_OK)
			return ASEC_ENOMEM;
	}
	list = wl_array(c, "envFrom");
	json_array_foreach(list, i, e) {
		const json_t *ref = wl_object(e, "secretRef");
		const char *source = "SECRET_KEY";

		if (!ref) {
			ref = wl_object(e, "configMapRef");
			source = "CONFIG_MAP_KEY";
		}
		if (!ref)
			continue;
		if (wl_append(env, json_pack("{s:s, s:s, s:s}", "key", "", "value",
					     wl_string(ref, "name") ? wl_string(ref, "name") : "", "envVarSource",
					     source)) != ASEC_OK)
			return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static int ct_config(json_t *container, const json_t *c)
{
	json_t *config = json_object(), *env = json_array();
	const char *dir = wl_string(c, "workingDir");
	int rc = ASEC_ENOMEM;

	if (!config || !env)
		goto out;
	if (ct_env(env, c) != ASEC_OK)
		goto out;
	rc = wl_set(config, "env", env);
	env = NULL;
	if (rc != ASEC_OK)
		goto out;
	rc = ASEC_ENOMEM;
	if (wl_set(config, "command", wl_string_array(wl_array(c, "command"))) != ASEC_OK ||
	    wl_set(config, "args", wl_string_array(wl_array(c, "args"))) != ASEC_OK)
		goto out;
	if (dir && wl_set(config, "directory", json_string(dir)) != ASEC_OK)
		goto out;
	rc = wl_set(container, "config", config);
	config = NULL;
out:
	json_decref(env);
	json_decref(config);
	return rc;
}

/* ---- volumes ---- */

/* Where a volume's data comes from, for the source kinds people meet. */
static json_t *ct_volume_source(const char *kind, const json_t *src)
{
	static const struct {
		const char *kind;
		const char *field;
	} fields[] = {
		{"hostPath", "path"},          {"secret", "secretName"},
		{"configMap", "name"},         {"persistentVolumeClaim", "claimName"},
		{"gcePersistentDisk", "pdName"}, {"awsElasticBlockStore", "volumeID"},
		{"azureDisk", "diskName"},     {"azureFile", "shareName"},
		{"csi", "driver"},             {"flexVolume", "driver"},
		{"glusterfs", "path"},         {"iscsi", "targetPortal"},
		{"cinder", "volumeID"},        {"rbd", "image"},
		{"gitRepo", "repository"},     {"vsphereVolume", "volumePath"},
	};
	char buf[1024];

	if (strcmp(kind, "nfs") == 0 && wl_string(src, "server") && wl_string(src, "path")) {
		snprintf(buf, sizeof(buf), "%.500s:%.500s", wl_string(src, "server"), wl_string(src, "path"));
		return json_string(buf);
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(kind, fields[i].kind) == 0)
			return json_string(wl_string(src, fields[i].field) ? wl_string(src, fields[i].field) : "");
	}
	return json_string("");
}

static int ct_volume(json_t **out, const json_t *mount, const struct wl_pod *pod)
{
	const char *name = wl_string(mount, "name"), *prop = wl_string(mount, "mountPropagation");
	const json_t *volumes = wl_array(pod->spec, "volumes"), *v, *found = NULL;
	const char *kind = NULL;
	json_t *source = NULL;
	char type[128] = "";
	const char *key;
	json_t *member;
	size_t i;

	json_array_foreach(volumes, i, v) {
		if (name && wl_string(v, "name") && strcmp(wl_string(v, "name"), name) == 0) {
			found = v;
			break;
		}
	}
	/* A volume is its name and one source member named after its kind. */
	json_object_foreach((json_t *)found, key, member) {
		if (strcmp(key, "name") != 0 && json_is_object(member)) {
			kind = key;
			break;
		}
	}
	if (kind) {
		snprintf(type, sizeof(type), "%.120s", kind);
		if (type[0] >= 'a' && type[0] <= 'z')
			type[0] = (char)(type[0] - 'a' + 'A');
		source = ct_volume_source(kind, json_object_get(found, kind));
	} else {
		source = json_string("");
	}
	if (!source)
		return ASEC_ENOMEM;
	*out = json_pack("{s:s, s:o, s:s, s:b, s:s, s:s}", "name", name ? name : "", "source", source, "destination",
			 wl_string(mount, "mountPath") ? wl_string(mount, "mountPath") : "", "readOnly",
			 wl_bool(mount, "readOnly", 0), "type", type, "mountPropagation",
			 !prop                                   ? "NONE"
			 : strcmp(prop, "HostToContainer") == 0 ? "HOST_TO_CONTAINER"
			 : strcmp(prop, "Bidirectional") == 0   ? "BIDIRECTIONAL"
								 : "NONE");
	return *out ? ASEC_OK : ASEC_ENOMEM;
}

static int ct_volumes(json_t *container, const json_t *c, const struct wl_pod *pod)
{
	const json_t *mounts = wl_array(c, "volumeMounts"), *m;
	json_t *volumes = json_array(), *v;
	size_t i;
	int rc;

	if (!volumes)
		return ASEC_ENOMEM;
	json_array_foreach(mounts, i, m) {
		if (!json_is_object(m))
			continue;
		rc = ct_volume(&v, m, pod);
		if (rc == ASEC_OK)
			rc = wl_append(volumes, v);
		if (rc != ASEC_OK) {
			json_decref(volumes);
			return rc;
		}
	}
	return wl_set(container, "volumes", volumes);
}

/* ---- ports and exposure ---- */

enum { LEVEL_UNSET, LEVEL_INTERNAL, LEVEL_HOST, LEVEL_NODE, LEVEL_EXTERNAL };
static const char *const level_names[] = {"UNSET", "INTERNAL", "HOST", "NODE", "EXTERNAL"};

/* Whether a Service's selector picks the pod: every pair present in the pod
 * labels; an empty or missing selector selects nothing (such a Service's
 * endpoints are managed by hand). */
static int ct_selects(const json_t *service, const struct wl_pod *pod)
{
	const json_t *selector = wl_object(wl_object(service, "spec"), "selector");
	const char *ns = wl_string(wl_object(service, "metadata"), "namespace");
	const char *key;
	json_t *value;

	if (!selector || json_object_size(selector) == 0)
		return 0;
	if (ns && strcmp(ns, pod->namespace) != 0)
		return 0;
	json_object_foreach((json_t *)selector, key, value) {
		json_t *want = wl_scalar_text(value);
		const char *have = wl_string(pod->labels, key);
		int same = want && have && strcmp(json_string_value(want), have) == 0;

		json_decref(want);
		if (!same)
			return 0;
	}
	return 1;
}

/* Whether a Service port sends to the container port number/name. */
static int ct_targets(const json_t *sport, json_int_t number, const char *name)
{
	const json_t *target = json_object_get(sport, "targetPort");
	json_int_t n;

	if (!target || json_is_null(target))
		target = json_object_get(sport, "port");
	if (wl_int(&n, target))
		return n == number;
	return json_is_string(target) && name && strcmp(json_string_value(target), name) == 0;
}

static int ct_info(json_t *infos, int level, const json_t *service, const json_t *sport, json_int_t node_port)
{
	const json_t *meta = wl_object(service, "metadata"), *spec = wl_object(service, "spec");
	json_t *info = json_pack("{s:s}", "level", level_names[level]);
	json_int_t n;

	if (!info)
		return ASEC_ENOMEM;
	if (service) {
		const char *s;

		if ((s = wl_string(meta, "name")) && wl_set(info, "serviceName", json_string(s)))
			goto nomem;
		if ((s = wl_string(meta, "uid")) && wl_set(info, "serviceId", json_string(s)))
			goto nomem;
		if ((s = wl_string(spec, "clusterIP")) && wl_set(info, "serviceClusterIp", json_string(s)))
			goto nomem;
		if (wl_int(&n, json_object_get(sport, "port")) && wl_set(info, "servicePort", json_integer(n)))
			goto nomem;
		if (wl_array(spec, "externalIPs") &&
		    wl_set(info, "externalIps", wl_string_array(wl_array(spec, "externalIPs"))))
			goto nomem;
	}
	if (node_port > 0 && wl_set(info, "nodePort", json_integer(node_port)))
		goto nomem;
	return wl_append(infos, info);
nomem:
	json_decref(info);
	return ASEC_ENOMEM;
}

static int ct_port(json_t **out, const json_t *p, const struct wl_pod *pod)
{
	const char *name = wl_string(p, "name"), *proto = wl_string(p, "protocol");
	json_int_t number = 0, host = 0, exposed = 0;
	const json_t *service;
	json_t *port = NULL, *infos = json_array();
	int best = LEVEL_UNSET;
	size_t i;

	if (!proto)
		proto = "TCP";
	(void)wl_int(&number, json_object_get(p, "containerPort"));
	if (!infos)
		goto nomem;
	if (wl_int(&host, json_object_get(p, "hostPort")) && host > 0) {
		if (ct_info(infos, LEVEL_HOST, NULL, NULL, host))
			goto nomem;
		best = LEVEL_HOST;
		exposed = host;
	}
	json_array_foreach(pod->services, i, service) {
		const json_t *spec = wl_object(service, "spec"), *sport;
		const char *type = wl_string(spec, "type");
		size_t j;

		if (!ct_selects(service, pod))
			continue;
		json_array_foreach(wl_array(spec, "ports"), j, sport) {
			const char *sproto = wl_string(sport, "protocol");
			json_int_t node_port = 0, service_port = 0;
			int level = LEVEL_INTERNAL;

			if (strcmp(sproto ? sproto : "TCP", proto) != 0 || !ct_targets(sport, number, name))
				continue;
			(void)wl_int(&node_port, json_object_get(sport, "nodePort"));
			(void)wl_int(&service_port, json_object_get(sport, "port"));
			if (type && strcmp(type, "LoadBalancer") == 0)
				level = LEVEL_EXTERNAL;
			else if (type && strcmp(type, "NodePort") == 0)
				level = LEVEL_NODE;
			if (ct_info(infos, level, service, sport, level == LEVEL_INTERNAL ? 0 : node_port))
				goto nomem;
			if (level > best) {
				best = level;
				exposed = level == LEVEL_NODE ? node_port : service_port;
			}
		}
	}
	port = json_pack("{s:s, s:I, s:s, s:s, s:I, s:o}", "name", name ? name : "", "containerPort", number,
			 "protocol", proto, "exposure", level_names[best], "exposedPort", exposed, "exposureInfos",
			 infos);
	infos = NULL;
	if (!port)
		goto nomem;
	*out = port;
	return ASEC_OK;
nomem:
	json_decref(infos);
	return ASEC_ENOMEM;
}

static int ct_ports(json_t *container, const json_t *c, const struct wl_pod *pod)
{
	const json_t *list = wl_array(c, "ports"), *p;
	json_t *ports = json_array(), *port;
	size_t i;
	int rc = ASEC_ENOMEM;

	if (!ports)
		return rc;
	json_array_foreach(list, i, p) {
		if (!json_is_object(p))
			continue;
		rc = ct_port(&port, p, pod);
		if (rc == ASEC_OK)
			rc = wl_append(ports, port);
		if (rc != ASEC_OK) {
			json_decref(ports);
			return rc;
		}
	}
	return wl_set(container, "ports", ports);
}

/* ---- the container ---- */

int wl_container(json_t **out, const json_t *c, int is_init, const struct wl_pod *pod)
{
	const char *cname = wl_string(c, "name");
	json_t *container;
	int rc = ASEC_ENOMEM;

	*out = NULL;
	if (!cname)
		cname = "";
	container = json_pack("{s:s, s:b}", "name", cname, "isInitContainer", is_init);
	if (!container)
		goto out;
	if ((rc = ct_image(container, c, pod, cname)) != ASEC_OK ||
	    (rc = ct_security(container, c, pod, cname)) != ASEC_OK ||
	    (rc = ct_resources(container, c, pod, cname)) != ASEC_OK || (rc = ct_config(container, c)) != ASEC_OK ||
	    (rc = ct_volumes(container, c, pod)) != ASEC_OK || (rc = ct_ports(container, c, pod)) != ASEC_OK)
		goto out;
	rc = ASEC_ENOMEM;
	if (wl_set(container, "livenessProbe", json_pack("{s:b}", "defined", wl_object(c, "livenessProbe") != NULL)) ||
	    wl_set(container, "readinessProbe", json_pack("{s:b}", "defined", wl_object(c, "readinessProbe") != NULL)))
		goto out;
	*out = container;
	container = NULL;
	rc = ASEC_OK;
out:
	json_decref(container);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory converting container %s", cname);
	return rc;
}
