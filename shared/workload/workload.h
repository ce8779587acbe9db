/*
 * workload.h - Kubernetes workload objects as the deployment model policies
 * are evaluated against.
 *
 * roxctl deployment check, POST /v1/detect/deploy/yaml, admission control and
 * sensor all start from Kubernetes objects (YAML or JSON, one document or
 * many, `List`s) and need the same thing: StackRox's Deployment (the JSON of
 * proto storage.Deployment, camelCase, so that POST /v1/detect/deploy
 * accepts what StackRox clients send). This module is that one translation.
 *
 * THE DEPLOYMENT MODEL (JSON; members absent when Kubernetes leaves them
 * unset, except where a default is named):
 *   id                 metadata.uid, else a UUID derived from kind/namespace/name (the same
 *                      object always gets the same id; version 8, SHA-256 bits)
 *   name, namespace    namespace: metadata.namespace, else the default given, else "default"
 *   type               the kind: Deployment, DaemonSet, StatefulSet, ReplicaSet,
 *                      ReplicationController, Job, CronJob, Pod, DeploymentConfig
 *   labels, annotations     the object's own (maps of strings, {} when none; a value
 *                           YAML read as a number or boolean is kept in its text form)
 *   podLabels               the pod template's labels
 *   replicas           spec.replicas (default 1; DaemonSet 0, as StackRox; Job and CronJob
 *                      the job's parallelism, default 1; Pod 1)
 *   serviceAccount     default "default"
 *   automountServiceAccountToken   pod spec's, else true (the Kubernetes default)
 *   hostNetwork, hostPid, hostIpc  booleans, default false
 *   runtimeClass       pod spec runtimeClassName
 *   imagePullSecrets   [names]
 *   tolerations, nodeSelector     as in the pod spec
 *   containers[]       the pod's containers in order, then its init containers, with
 *                      "isInitContainer" false or true:
 *     name
 *     image            {name: {registry, remote, tag, fullName}} parsed as docker
 *                      does (shared/registry reference rules); "id" = the digest when
 *                      the reference has one; notPullable false. A reference that does
 *                      not parse ("${IMAGE}") keeps only {name: {fullName: <as written>}},
 *                      with a remark
 *     securityContext  {privileged, readOnlyRootFilesystem, allowPrivilegeEscalation
 *                      (false unless set true: StackRox's reading, so that its policies fire
 *                      on an explicit true only), addCapabilities[], dropCapabilities[],
 *                      runAsUser, runAsNonRoot, runAsGroup, selinux {user, role, type, level},
 *                      seccompProfile {type: UNCONFINED|RUNTIME_DEFAULT|LOCALHOST,
 *                      localhostProfile}, appArmorProfile} - container settings over pod
 *                      settings. seccomp: container field, container annotation (container.
 *                      seccomp.security.alpha.kubernetes.io/<name>), pod field, pod annotation;
 *                      absent when none is set (the runtime then runs it unconfined, unless the
 *                      kubelet's SeccompDefault says otherwise). appArmorProfile is a string in
 *                      the annotation's form ("runtime/default", "unconfined",
 *                      "localhost/<profile>"): container field (1.30+), the container.apparmor.
 *                      security.beta.kubernetes.io/<name> annotation, pod field; absent when none
 *     resources        {cpuCoresRequest, cpuCoresLimit, memoryMbRequest, memoryMbLimit}: numbers,
 *                      Kubernetes quantities converted ("500m" = 0.5 cores, "1Gi" = 1024 MB);
 *                      0 when unset; a request that is not set takes the limit, as the API
 *                      server defaults it. A quantity Kubernetes would refuse counts as unset,
 *                      with a remark
 *     config           {env[{key, value, envVarSource: RAW|SECRET_KEY|CONFIG_MAP_KEY|FIELD|
 *                      RESOURCE_FIELD|UNKNOWN}] (value "" for valueFrom), command[], args[],
 *                      directory (workingDir)};
 *                      envFrom entries become {key: "", value: <secret or config map name>,
 *                      envVarSource: SECRET_KEY|CONFIG_MAP_KEY}
 *     volumes[]        one per volumeMount: {name, source (hostPath path, secret name, claim
 *                      name, config map name...), destination (mountPath), readOnly, type
 *                      (HostPath, Secret, ConfigMap, PersistentVolumeClaim, EmptyDir, Projected,
 *                      ...: the volume source's member name, capitalised; "" when the mount
 *                      names no volume), mountPropagation (NONE|HOST_TO_CONTAINER|BIDIRECTIONAL)}
 *     ports[]          {name, containerPort, protocol (TCP default), exposure, exposedPort,
 *                      exposureInfos[{level, serviceName, serviceId, serviceClusterIp,
 *                      servicePort, nodePort, externalIps}]}
 *     livenessProbe, readinessProbe   {defined: bool}
 *   ports[]            every container port, with exposure from the Services of the same
 *                      input whose selector matches podLabels: EXTERNAL (LoadBalancer),
 *                      NODE (NodePort, exposedPort = nodePort), INTERNAL (ClusterIP),
 *                      HOST (hostPort, exposedPort = hostPort; StackRox's name), UNSET;
 *                      exposure is the widest (EXTERNAL > NODE > HOST > INTERNAL), and
 *                      "exposureInfos" lists each. A Service selects a pod when it is in the
 *                      same namespace and every pair of its non-empty selector is among
 *                      podLabels; a port matches by targetPort number or name (port when
 *                      targetPort is unset) and protocol
 *
 * Objects that are not workloads (Service, ConfigMap, NetworkPolicy, ...) do
 * not become deployments; they are reported as ignored, with their
 * kind/namespace/name, as StackRox's deploy-time check lists them. Services
 * still decide the exposure of the workloads they select, and
 * NetworkPolicies are also returned apart so that "Has Ingress/Egress
 * Network Policy" can be decided by whoever knows the cluster's others.
 *
 * Reading: YAML 1.2 core schema (shared/yaml), so JSON reads as itself; a
 * duplicate key in a mapping is an error, as in kubectl's strict decoding.
 * Lists ("List", or "<Kind>List" with items) are unwrapped one level; items
 * of a typed List, which carry no kind or apiVersion on the wire, get the
 * List's. A workload kind without a pod template is converted with no
 * containers and a remark. Values of the wrong type are read leniently
 * (a port "8080", privileged "true") rather than refused.
 */
#ifndef ASEC_WORKLOAD_H
#define ASEC_WORKLOAD_H

#include <stddef.h>

#include <jansson.h>

/* Bounds on what one input may hold. */
#define WORKLOAD_MAX_INPUT_BYTES (16u << 20)
#define WORKLOAD_MAX_OBJECTS 10000
#define WORKLOAD_MAX_CONTAINERS 256

struct workload_result {
	json_t *deployments;      /* array of Deployment objects, in input order */
	json_t *network_policies; /* array of the NetworkPolicy objects given, as given */
	/* array of {kind, namespace, name, reason}: objects that are no workload
	 * (or could not be read as one, with why) */
	json_t *ignored;
	/* array of strings "<Kind> <namespace>/<name>: ...": what was read
	 * leniently or left out; at most about 1000 */
	json_t *remarks;
};

/*
 * Reads text (YAML, multi-document, or JSON; `List`s unwrapped) with the
 * limits of shared/yaml against alias bombs, depth (64) and size, and turns
 * every workload object into a Deployment. More than WORKLOAD_MAX_OBJECTS
 * objects (documents and List items together) is ASEC_ETOOBIG. On failure
 * *out is left empty (all NULL). default_namespace (NULL: "default")
 * applies to objects without one. A document that is not a Kubernetes object
 * (no apiVersion/kind) is ignored with a reason; a syntax error fails the
 * whole input: ASEC_EINVALID naming line and column; ASEC_ETOOBIG past the
 * limits; ASEC_ENOMEM.
 */
int workload_from_text(struct workload_result *out, const char *text, size_t len, const char *default_namespace);

/* One object (already parsed). *deployment is NULL, with why filled, when the
 * object is no workload (or has more than WORKLOAD_MAX_CONTAINERS containers).
 * object must carry kind and apiVersion. services (array of Service objects,
 * may be NULL) decide exposure. Remarks are not reported here. */
int workload_from_object(json_t **deployment, char *why, size_t why_size, const json_t *object,
			 const json_t *services, const char *default_namespace);

/* Frees what r holds and zeroes it; NULL and an empty result are fine. */
void workload_result_free(struct workload_result *r);

/* "500m" -> 0.5, "2" -> 2 (cores); "128Mi" -> 128, "1G" -> 953.67 (MB = MiB,
 * as StackRox counts). The full resource.Quantity grammar: decimal SI (m, k,
 * M, G, T, P, E), binary SI (Ki..Ei), exponents (1e3, 2.5E-1), fractions
 * ("1.", ".5"). ASEC_EINVALID for anything Kubernetes would refuse as a
 * quantity or as a request/limit (negative values, "1K", "1mi", spaces, more
 * than 64 characters); ASEC_ETOOBIG when the value overflows a double. */
int workload_cpu_cores(double *out, const char *quantity);
int workload_memory_mb(double *out, const char *quantity);

#endif
