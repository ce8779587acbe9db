/*
 * policy-fields.js - the policy criteria the editor offers, and the words
 * a policy's criteria are read out in.
 *
 * The engine's criteria table (shared/policy/fields.c) is the truth; this is
 * a copy of it in the form the portal needs: the field names StackRox
 * policies use, the lifecycle stages and runtime event sources each field
 * may appear at, the form its values take, whether a group of it may be
 * negated or hold more than one value, and a line of description.
 * tests/unit/policy-fields.test.mjs parses fields.c and fails when the two
 * disagree, so a field added to the engine shows up here as a failing test
 * rather than as a criterion the editor silently cannot offer.
 *
 * Stages follow the validator (shared/policy/policy.c): BUILD policies take
 * image fields only, DEPLOY policies no runtime (process, audit, file)
 * fields, RUNTIME policies need an event source that the field fits and a
 * runtime field in every section. fieldProblem() answers those rules for
 * one field so the editor can offer only what the server will accept.
 *
 * Sentences: a policy fires when any section matches, a section when all of
 * its groups do, and a group's values combine with OR (AND when its
 * booleanOperator says so); negate inverts the group. describeGroup() words
 * one group that way ("Image tag matches latest", "CVSS is at least 7").
 */

export const STAGES = ['BUILD', 'DEPLOY', 'RUNTIME'];

export const STAGE_LABELS = { BUILD: 'Build', DEPLOY: 'Deploy', RUNTIME: 'Runtime' };

export const EVENT_SOURCES = [
  { value: 'DEPLOYMENT_EVENT', label: 'Deployment events (processes in containers)' },
  { value: 'AUDIT_LOG_EVENT', label: 'Kubernetes audit log events' },
  { value: 'NODE_EVENT', label: 'Node events (file activity on nodes)' },
];

export const POLICY_SEVERITIES = [
  { value: 'LOW_SEVERITY', label: 'Low' },
  { value: 'MEDIUM_SEVERITY', label: 'Medium' },
  { value: 'HIGH_SEVERITY', label: 'High' },
  { value: 'CRITICAL_SEVERITY', label: 'Critical' },
];

/* Enforcement actions and the stage each needs (policy.c build_enforcement).
 * Audit log policies cannot enforce at all. */
export const ENFORCEMENT_ACTIONS = [
  { value: 'FAIL_BUILD_ENFORCEMENT', stage: 'BUILD', label: 'Fail the build (roxctl image check)' },
  { value: 'SCALE_TO_ZERO_ENFORCEMENT', stage: 'DEPLOY', label: 'Scale the deployment to zero replicas' },
  {
    value: 'UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT',
    stage: 'DEPLOY',
    label: 'Add a node constraint no node satisfies',
  },
  { value: 'FAIL_DEPLOYMENT_CREATE_ENFORCEMENT', stage: 'DEPLOY', label: 'Block creating the deployment' },
  { value: 'FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT', stage: 'DEPLOY', label: 'Block updating the deployment' },
  { value: 'KILL_POD_ENFORCEMENT', stage: 'RUNTIME', label: 'Kill the pod' },
  { value: 'FAIL_KUBE_REQUEST_ENFORCEMENT', stage: 'RUNTIME', label: 'Refuse the Kubernetes request' },
];

export function enforcementLabel(value) {
  const a = ENFORCEMENT_ACTIONS.find((x) => x.value === value);
  return a ? a.label : value;
}

/* The actions a policy of these stages and event source may take. */
export function enforcementActionsFor(stages, eventSource) {
  if (eventSource === 'AUDIT_LOG_EVENT') return [];
  return ENFORCEMENT_ACTIONS.filter((a) => stages.includes(a.stage));
}

export function policySeverityLabel(value) {
  const s = POLICY_SEVERITIES.find((x) => x.value === value);
  return s ? s.label : value || '';
}

export function eventSourceLabel(value) {
  const s = EVENT_SOURCES.find((x) => x.value === value);
  return s ? s.label : 'Not applicable';
}

/* ---- value forms -------------------------------------------------------- */

/* form: how a value is written (value.c pol_value_parse):
 *   regex          a regular expression matched against the whole value
 *   containsRegex  a regular expression found anywhere (Process Arguments)
 *   bool           true | false
 *   number         [< > <= >=] decimal        e.g. ">= 7.0"
 *   uint           [< > <= >=] integer        e.g. "0"
 *   days           whole number of days; matches when older
 *   severity       [< > <= >=] LOW|MODERATE|IMPORTANT|CRITICAL
 *   enum           one of enumValues
 *   keyValue       key=value (key required, either side a regex)
 *   mapRegex       key or key=value (Disallowed Annotation)
 *   envVar         SOURCE=NAME=VALUE
 *   dockerfile     INSTRUCTION=regex
 *   kubeName       Kubernetes user or group name [a-z0-9:-]
 *   ip             IPv4 or IPv6 address
 *   signature      io.stackrox.signatureintegration.<uuid>
 */
export const COMPARATORS = [
  { value: '', label: 'is', words: 'is', negWords: 'is not' },
  { value: '>=', label: 'at least (>=)', words: 'is at least', negWords: 'is less than' },
  { value: '>', label: 'more than (>)', words: 'is more than', negWords: 'is at most' },
  { value: '<=', label: 'at most (<=)', words: 'is at most', negWords: 'is more than' },
  { value: '<', label: 'less than (<)', words: 'is less than', negWords: 'is at least' },
];

export const VULN_SEVERITIES = ['LOW', 'MODERATE', 'IMPORTANT', 'CRITICAL'];

export const ENV_SOURCES = [
  { value: '', label: 'Any source' },
  { value: 'RAW', label: 'Raw value' },
  { value: 'SECRET_KEY', label: 'Secret key' },
  { value: 'CONFIG_MAP_KEY', label: 'Config map key' },
  { value: 'FIELD', label: 'Field reference' },
  { value: 'RESOURCE_FIELD', label: 'Resource field reference' },
  { value: 'UNKNOWN', label: 'Unknown source' },
  { value: 'UNSET', label: 'No source' },
];

export const DOCKERFILE_INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN',
  'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'HEALTHCHECK', 'SHELL',
];

/* Capabilities as Kubernetes names them, and ALL (fields.c caps_enum). */
const CAPS = [
  'ALL', 'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH',
  'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE',
  'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'SETGID', 'SETFCAP', 'SETPCAP', 'SETUID',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM', 'BPF', 'PERFMON', 'CHECKPOINT_RESTORE',
];

/* ---- the catalogue ------------------------------------------------------ */

const ALL3 = ['BUILD', 'DEPLOY', 'RUNTIME'];
const DR = ['DEPLOY', 'RUNTIME'];
const RT = ['RUNTIME'];
const PROC = ['DEPLOYMENT_EVENT'];
const AUDIT = ['AUDIT_LOG_EVENT'];
const KUBE = ['DEPLOYMENT_EVENT', 'AUDIT_LOG_EVENT'];
const FILE = ['DEPLOYMENT_EVENT', 'NODE_EVENT'];

/*
 * f(name, form, stages, options):
 *   group       where the editor lists it
 *   negate      a group of it may be negated (fields.c: not PF_NO_NEGATE)
 *   multi       it takes more than one value (not PF_ONE_VALUE); AND is
 *               offered only then, since AND over one value means nothing
 *   sources     RUNTIME event sources of a runtime field (PF_RUNTIME)
 *   enumValues  for form enum
 *   evaluated   false for fields this engine knows but never matches
 *   noun        the subject of its sentence (phrase: the noun already holds
 *               the verb, "Container adds capability"); yes/no: a bool's
 *               two sentences
 *   words       a sentence template for forms that need one ({v} = value)
 */
function f(name, form, stages, o) {
  return {
    name,
    form,
    stages,
    group: o.group,
    negate: !!o.negate,
    multi: o.multi !== false,
    runtime: !!o.sources,
    sources: o.sources || null,
    enumValues: o.enumValues || null,
    evaluated: o.evaluated !== false,
    description: o.description,
    example: o.example,
    noun: o.noun || name,
    yes: o.yes,
    no: o.no,
    words: o.words,
    unit: o.unit,
    phrase: !!o.phrase,
  };
}

const G_IMAGE = 'Image contents';
const G_VULN = 'Vulnerabilities';
const G_CONTAINER = 'Container configuration';
const G_DEPLOY = 'Deployment metadata';
const G_NET = 'Networking';
const G_STORAGE = 'Storage';
const G_PROCESS = 'Process activity';
const G_KUBE = 'Kubernetes events';

export const FIELD_GROUPS = [G_IMAGE, G_VULN, G_CONTAINER, G_DEPLOY, G_NET, G_STORAGE, G_PROCESS, G_KUBE];

const NOT_EVALUATED = 'Known so that StackRox policies import; this service has no data for it yet, so it never matches.';

export const POLICY_FIELDS = [
  f('Add Capabilities', 'enum', DR, {
    group: G_CONTAINER, enumValues: CAPS, example: 'SYS_ADMIN', noun: 'Container adds capability', phrase: true,
    description: 'A Linux capability the container adds in its security context.',
  }),
  f('Allow Privilege Escalation', 'bool', DR, {
    group: G_CONTAINER, multi: false, example: 'true',
    yes: 'Container allows privilege escalation', no: 'Container does not allow privilege escalation',
    description: 'Whether the container may gain more privileges than its parent process (true when unset).',
  }),
  f('AppArmor Profile', 'regex', DR, {
    group: G_CONTAINER, negate: true, example: 'unconfined', noun: 'AppArmor profile',
    description: 'The AppArmor profile of the container.',
  }),
  f('Automount Service Account Token', 'bool', DR, {
    group: G_DEPLOY, multi: false, example: 'true',
    yes: 'Deployment mounts the service account token', no: 'Deployment does not mount the service account token',
    description: 'Whether pods mount the service account token (true when unset).',
  }),
  f('CVE', 'regex', ALL3, {
    group: G_VULN, negate: true, example: 'CVE-2021-44228', noun: 'CVE',
    description: 'The identifier of a vulnerability found in the image.',
  }),
  f('CVSS', 'number', ALL3, {
    group: G_VULN, example: '>= 7.0', noun: 'CVSS',
    description: 'The CVSS score of a vulnerability found in the image.',
  }),
  f('Container CPU Limit', 'number', DR, {
    group: G_CONTAINER, example: '0', noun: 'Container CPU limit', unit: 'cores',
    description: 'The CPU limit of the container, in cores (0 when unset).',
  }),
  f('Container CPU Request', 'number', DR, {
    group: G_CONTAINER, example: '0', noun: 'Container CPU request', unit: 'cores',
    description: 'The CPU request of the container, in cores (0 when unset).',
  }),
  f('Container Memory Limit', 'number', DR, {
    group: G_CONTAINER, example: '0', noun: 'Container memory limit', unit: 'MB',
    description: 'The memory limit of the container, in MB (0 when unset).',
  }),
  f('Container Memory Request', 'number', DR, {
    group: G_CONTAINER, example: '0', noun: 'Container memory request', unit: 'MB',
    description: 'The memory request of the container, in MB (0 when unset).',
  }),
  f('Container Name', 'regex', DR, {
    group: G_CONTAINER, negate: true, example: 'sidecar-.*', noun: 'Container name',
    description: 'The name of the container.',
  }),
  f('Days Since CVE Fix Was Available', 'days', ALL3, {
    group: G_VULN, multi: false, example: '30',
    words: 'A fix for the CVE has been available for more than {v} days',
    description: 'Days since a fix became available. Central records no such time, so it never matches.',
  }),
  f('Days Since CVE Was First Discovered In Image', 'days', ALL3, {
    group: G_VULN, multi: false, example: '30',
    words: 'CVE was first found in the image more than {v} days ago',
    description: 'Days since the vulnerability was first seen in this image.',
  }),
  f('Days Since CVE Was First Discovered In System', 'days', ALL3, {
    group: G_VULN, multi: false, example: '30',
    words: 'CVE was first found in the system more than {v} days ago',
    description: 'Days since the vulnerability was first seen in any image.',
  }),
  f('Days Since CVE Was Published', 'days', ALL3, {
    group: G_VULN, multi: false, example: '30', words: 'CVE was published more than {v} days ago',
    description: 'Days since the vulnerability was published.',
  }),
  f('Disallowed Annotation', 'mapRegex', DR, {
    group: G_DEPLOY, example: 'admission.stackrox.io/break-glass=', noun: 'Deployment has an annotation matching',
    description: 'Matches when one of the deployment\'s annotations matches key or key=value.',
  }),
  f('Disallowed Image Label', 'keyValue', ALL3, {
    group: G_IMAGE, example: 'maintainer=.*evil.*', noun: 'Image has a label matching',
    description: 'Matches when one of the image\'s labels matches key=value.',
  }),
  f('Dockerfile Line', 'dockerfile', ALL3, {
    group: G_IMAGE, example: 'RUN=.*apt-get update.*', noun: 'Dockerfile line',
    description: 'A line of the Dockerfile the image was built from: an instruction and a regex for its text.',
  }),
  f('Drop Capabilities', 'enum', DR, {
    group: G_CONTAINER, enumValues: CAPS, example: 'ALL', noun: 'Container does not drop capability', phrase: true,
    description: 'Matches when the container does NOT drop this capability (dropping ALL drops every one).',
  }),
  f('Environment Variable', 'envVar', DR, {
    group: G_CONTAINER, example: 'RAW=.*PASSWORD.*=', noun: 'Environment variable',
    description: 'An environment variable of the container: its source, a regex for its name and one for its value.',
  }),
  f('Exposed Node Port', 'number', DR, {
    group: G_NET, negate: true, example: '> 0', noun: 'Exposed node port',
    description: 'The node port of a container port exposed with a NodePort service.',
  }),
  f('Exposed Port', 'number', DR, {
    group: G_NET, negate: true, example: '22', noun: 'Exposed port',
    description: 'A port the container exposes.',
  }),
  f('Exposed Port Protocol', 'regex', DR, {
    group: G_NET, negate: true, example: 'tcp', noun: 'Exposed port protocol',
    description: 'The protocol of a port the container exposes (TCP when unset).',
  }),
  f('File Operation', 'regex', RT, {
    group: G_PROCESS, negate: true, sources: FILE, evaluated: false, example: 'OPEN', noun: 'File operation',
    description: 'The operation of a file activity event. ' + NOT_EVALUATED,
  }),
  f('File Path', 'regex', RT, {
    group: G_PROCESS, negate: true, sources: FILE, evaluated: false, example: '/etc/shadow', noun: 'File path',
    description: 'The path of a file activity event. ' + NOT_EVALUATED,
  }),
  f('Fixable', 'bool', ALL3, {
    group: G_VULN, multi: false, example: 'true', yes: 'Vulnerability is fixable', no: 'Vulnerability is not fixable',
    description: 'Whether a fixed version of the vulnerable component exists.',
  }),
  f('Fixed By', 'regex', ALL3, {
    group: G_VULN, negate: true, example: '.*', noun: 'Fixed-by version',
    description: 'The version that fixes the vulnerability (never matches when there is no fix).',
  }),
  f('Has Egress Network Policy', 'bool', DR, {
    group: G_NET, negate: true, multi: false, example: 'false',
    yes: 'Deployment has an egress network policy', no: 'Deployment has no egress network policy',
    description: 'Whether a NetworkPolicy of the namespace selects the pods for egress.',
  }),
  f('Has Ingress Network Policy', 'bool', DR, {
    group: G_NET, negate: true, multi: false, example: 'false',
    yes: 'Deployment has an ingress network policy', no: 'Deployment has no ingress network policy',
    description: 'Whether a NetworkPolicy of the namespace selects the pods for ingress.',
  }),
  f('Host IPC', 'bool', DR, {
    group: G_DEPLOY, multi: false, example: 'true',
    yes: 'Deployment uses the host\'s IPC namespace', no: 'Deployment does not use the host\'s IPC namespace',
    description: 'Whether the pods share the host\'s IPC namespace.',
  }),
  f('Host Network', 'bool', DR, {
    group: G_NET, multi: false, example: 'true',
    yes: 'Deployment uses the host network', no: 'Deployment does not use the host network',
    description: 'Whether the pods use the host\'s network namespace.',
  }),
  f('Host PID', 'bool', DR, {
    group: G_DEPLOY, multi: false, example: 'true',
    yes: 'Deployment uses the host\'s process ID namespace',
    no: 'Deployment does not use the host\'s process ID namespace',
    description: 'Whether the pods share the host\'s process ID namespace.',
  }),
  f('Image Age', 'days', ALL3, {
    group: G_IMAGE, multi: false, example: '90', words: 'Image was created more than {v} days ago',
    description: 'Days since the image was created.',
  }),
  f('Image Component', 'keyValue', ALL3, {
    group: G_IMAGE, example: 'curl=', noun: 'Image contains component',
    description: 'A component (package) of the image: a regex for its name and one for its version.',
  }),
  f('Image OS', 'regex', ALL3, {
    group: G_IMAGE, negate: true, example: 'debian:.*', noun: 'Image OS',
    description: 'The operating system the scanner found in the image.',
  }),
  f('Image Registry', 'regex', ALL3, {
    group: G_IMAGE, negate: true, example: 'docker.io', noun: 'Image registry',
    description: 'The registry of the image name.',
  }),
  f('Image Remote', 'regex', ALL3, {
    group: G_IMAGE, negate: true, example: 'library/.*', noun: 'Image repository',
    description: 'The repository path of the image name (without registry and tag).',
  }),
  f('Image Scan Age', 'days', ALL3, {
    group: G_IMAGE, multi: false, example: '30', words: 'Image was last scanned more than {v} days ago',
    description: 'Days since the image was last scanned.',
  }),
  f('Image Signature Verified By', 'signature', ALL3, {
    group: G_IMAGE, evaluated: false, example: 'io.stackrox.signatureintegration.12a37a37-760e-4388-9e79-d62726c075b2',
    noun: 'Image signature is verified by',
    description: 'A signature integration that verified the image. ' + NOT_EVALUATED,
  }),
  f('Image Tag', 'regex', ALL3, {
    group: G_IMAGE, negate: true, example: 'latest', noun: 'Image tag',
    description: 'The tag of the image name.',
  }),
  f('Image User', 'regex', ALL3, {
    group: G_IMAGE, negate: true, example: 'root|0', noun: 'Image user',
    description: 'The user the image runs as (empty when unset).',
  }),
  f('Is Impersonated User', 'bool', RT, {
    group: G_KUBE, multi: false, sources: AUDIT, evaluated: false, example: 'true',
    yes: 'Request is made by an impersonated user', no: 'Request is not made by an impersonated user',
    description: 'Whether a Kubernetes API request impersonates another user. ' + NOT_EVALUATED,
  }),
  f('Kubernetes API Verb', 'enum', RT, {
    group: G_KUBE, sources: AUDIT, evaluated: false, enumValues: ['CREATE', 'DELETE', 'GET', 'PATCH', 'UPDATE'],
    example: 'GET', noun: 'Kubernetes API verb',
    description: 'The verb of a Kubernetes API request. ' + NOT_EVALUATED,
  }),
  f('Kubernetes Resource', 'enum', RT, {
    group: G_KUBE, sources: KUBE, evaluated: false,
    enumValues: [
      'PODS_EXEC', 'PODS_PORTFORWARD', 'PODS_ATTACH', 'SECRETS', 'CONFIGMAPS', 'CLUSTER_ROLES',
      'CLUSTER_ROLE_BINDINGS', 'NETWORK_POLICIES', 'SECURITY_CONTEXT_CONSTRAINTS', 'EGRESS_FIREWALLS',
    ],
    example: 'PODS_EXEC', noun: 'Kubernetes resource',
    description: 'The resource of a Kubernetes event or API request (exec, port-forward, secrets...). ' + NOT_EVALUATED,
  }),
  f('Kubernetes Resource Name', 'regex', RT, {
    group: G_KUBE, negate: true, sources: AUDIT, evaluated: false, example: 'my-secret',
    noun: 'Kubernetes resource name',
    description: 'The name of the resource a Kubernetes API request touches. ' + NOT_EVALUATED,
  }),
  f('Kubernetes User Groups', 'kubeName', RT, {
    group: G_KUBE, negate: true, sources: KUBE, evaluated: false, example: 'system:masters',
    noun: 'Kubernetes user group',
    description: 'A group of the user behind a Kubernetes event or request. ' + NOT_EVALUATED,
  }),
  f('Kubernetes User Name', 'kubeName', RT, {
    group: G_KUBE, negate: true, sources: KUBE, evaluated: false, example: 'system:admin',
    noun: 'Kubernetes user name',
    description: 'The user behind a Kubernetes event or request. ' + NOT_EVALUATED,
  }),
  f('Liveness Probe Defined', 'bool', DR, {
    group: G_CONTAINER, multi: false, example: 'false',
    yes: 'Container has a liveness probe', no: 'Container has no liveness probe',
    description: 'Whether the container defines a liveness probe.',
  }),
  f('Minimum RBAC Permissions', 'enum', DR, {
    group: G_DEPLOY, negate: true, multi: false, evaluated: false,
    enumValues: ['DEFAULT', 'ELEVATED_IN_NAMESPACE', 'ELEVATED_CLUSTER_WIDE', 'CLUSTER_ADMIN'],
    example: 'ELEVATED_CLUSTER_WIDE', noun: 'Service account permission level is at least', phrase: true,
    description: 'The permission level of the deployment\'s service account. ' + NOT_EVALUATED,
  }),
  f('Mount Propagation', 'enum', DR, {
    group: G_STORAGE, negate: true, enumValues: ['NONE', 'HOSTTOCONTAINER', 'HOST_TO_CONTAINER', 'BIDIRECTIONAL'],
    example: 'BIDIRECTIONAL', noun: 'Volume mount propagation',
    description: 'The mount propagation of a volume mount (NONE when unset).',
  }),
  f('NVD CVSS', 'number', ALL3, {
    group: G_VULN, example: '>= 7.0', noun: 'NVD CVSS',
    description: 'The CVSS score NVD gives a vulnerability found in the image.',
  }),
  f('Namespace', 'regex', DR, {
    group: G_DEPLOY, negate: true, example: 'default', noun: 'Namespace',
    description: 'The namespace of the deployment.',
  }),
  f('Port Exposure Method', 'enum', DR, {
    group: G_NET, negate: true, enumValues: ['UNSET', 'EXTERNAL', 'NODE', 'HOST', 'INTERNAL', 'ROUTE'],
    example: 'EXTERNAL', noun: 'Port exposure method',
    description: 'How a container port is exposed: a load balancer (EXTERNAL), a node port, a host port...',
  }),
  f('Privileged Container', 'bool', DR, {
    group: G_CONTAINER, multi: false, example: 'true',
    yes: 'Container is privileged', no: 'Container is not privileged',
    description: 'Whether the container runs privileged.',
  }),
  f('Process Ancestor', 'regex', RT, {
    group: G_PROCESS, negate: true, sources: PROC, example: '.*java', noun: 'Process ancestor',
    description: 'The executable path of a parent of the process.',
  }),
  f('Process Arguments', 'containsRegex', RT, {
    group: G_PROCESS, negate: true, sources: PROC, example: '--privileged', noun: 'Process arguments contain',
    description: 'The arguments of the process (the regex may match anywhere in them).',
  }),
  f('Process Name', 'regex', RT, {
    group: G_PROCESS, negate: true, sources: PROC, example: 'bash|sh', noun: 'Process name',
    description: 'The name of the process executed in a container.',
  }),
  f('Process UID', 'uint', RT, {
    group: G_PROCESS, negate: true, sources: PROC, example: '0', noun: 'Process user ID',
    description: 'The user ID the process runs as.',
  }),
  f('Read-Only Root Filesystem', 'bool', DR, {
    group: G_CONTAINER, multi: false, example: 'false',
    yes: 'Container\'s root filesystem is read-only', no: 'Container\'s root filesystem is writable',
    description: 'Whether the container\'s root filesystem is mounted read-only.',
  }),
  f('Readiness Probe Defined', 'bool', DR, {
    group: G_CONTAINER, negate: true, multi: false, example: 'false',
    yes: 'Container has a readiness probe', no: 'Container has no readiness probe',
    description: 'Whether the container defines a readiness probe.',
  }),
  f('Replicas', 'number', DR, {
    group: G_DEPLOY, negate: true, example: '< 2', noun: 'Replica count',
    description: 'The number of replicas of the deployment.',
  }),
  f('Required Annotation', 'keyValue', DR, {
    group: G_DEPLOY, example: 'owner=.+', noun: 'Deployment lacks an annotation matching',
    description: 'Matches when none of the deployment\'s annotations matches key=value.',
  }),
  f('Required Image Label', 'keyValue', ALL3, {
    group: G_IMAGE, example: 'maintainer=.+', noun: 'Image lacks a label matching',
    description: 'Matches when none of the image\'s labels matches key=value.',
  }),
  f('Required Label', 'keyValue', DR, {
    group: G_DEPLOY, example: 'team=.+', noun: 'Deployment lacks a label matching',
    description: 'Matches when none of the deployment\'s labels matches key=value.',
  }),
  f('Runtime Class', 'regex', DR, {
    group: G_DEPLOY, negate: true, example: 'gvisor', noun: 'Runtime class',
    description: 'The runtime class of the pods (empty when unset).',
  }),
  f('Seccomp Profile Type', 'enum', DR, {
    group: G_CONTAINER, negate: true, multi: false, enumValues: ['UNCONFINED', 'RUNTIME_DEFAULT', 'LOCALHOST'],
    example: 'UNCONFINED', noun: 'Seccomp profile type',
    description: 'The seccomp profile type of the container (never matches when unset).',
  }),
  f('Service Account', 'regex', DR, {
    group: G_DEPLOY, negate: true, example: 'default', noun: 'Service account',
    description: 'The service account of the pods ("default" when unset).',
  }),
  f('Severity', 'severity', ALL3, {
    group: G_VULN, example: '>= IMPORTANT', noun: 'Vulnerability severity',
    description: 'The severity of a vulnerability found in the image (LOW < MODERATE < IMPORTANT < CRITICAL).',
  }),
  f('Source IP Address', 'ip', RT, {
    group: G_KUBE, negate: true, sources: AUDIT, evaluated: false, example: '10.0.0.1', noun: 'Source IP address',
    description: 'The address a Kubernetes API request came from. ' + NOT_EVALUATED,
  }),
  f('Unexpected Network Flow Detected', 'bool', RT, {
    group: G_NET, multi: false, sources: PROC, evaluated: false, example: 'true',
    yes: 'An unexpected network flow is detected', no: 'No unexpected network flow is detected',
    description: 'Whether the deployment made a connection outside its network baseline. ' + NOT_EVALUATED,
  }),
  f('Unexpected Process Executed', 'bool', RT, {
    group: G_PROCESS, multi: false, sources: PROC, evaluated: false, example: 'true',
    yes: 'An unexpected process is executed', no: 'No unexpected process is executed',
    description: 'Whether a process outside the deployment\'s process baseline ran. ' + NOT_EVALUATED,
  }),
  f('Unscanned Image', 'bool', ALL3, {
    group: G_IMAGE, multi: false, example: 'true', yes: 'Image is not scanned', no: 'Image is scanned',
    description: 'Whether the image has no scan.',
  }),
  f('User Agent', 'regex', RT, {
    group: G_KUBE, negate: true, sources: AUDIT, evaluated: false, example: 'kubectl/.*', noun: 'User agent',
    description: 'The user agent of a Kubernetes API request. ' + NOT_EVALUATED,
  }),
  f('Volume Destination', 'regex', DR, {
    group: G_STORAGE, negate: true, example: '/host.*', noun: 'Volume mount path',
    description: 'The path in the container a volume is mounted at.',
  }),
  f('Volume Name', 'regex', DR, {
    group: G_STORAGE, negate: true, example: 'docker-sock', noun: 'Volume name',
    description: 'The name of a volume mounted in the container.',
  }),
  f('Volume Source', 'regex', DR, {
    group: G_STORAGE, negate: true, example: '/var/run/docker.sock', noun: 'Volume source',
    description: 'The source of a volume mounted in the container (a host path, a claim...).',
  }),
  f('Volume Type', 'regex', DR, {
    group: G_STORAGE, negate: true, example: 'HostPath', noun: 'Volume type',
    description: 'The type of a volume mounted in the container (HostPath, Secret, ConfigMap...).',
  }),
  f('Writable Host Mount', 'bool', DR, {
    group: G_STORAGE, multi: false, example: 'true',
    yes: 'A host path is mounted writable', no: 'Host paths are mounted read-only',
    description: 'Whether a HostPath volume is mounted without readOnly.',
  }),
  f('Writable Mounted Volume', 'bool', DR, {
    group: G_STORAGE, multi: false, example: 'true',
    yes: 'A volume is mounted writable', no: 'Volumes are mounted read-only',
    description: 'Whether a volume is mounted without readOnly.',
  }),
];

const BY_NAME = new Map(POLICY_FIELDS.map((x) => [x.name, x]));

/* The field of that fieldName (exact, as the engine looks it up), or undefined. */
export function fieldByName(name) {
  return BY_NAME.get(name);
}

/*
 * Why a field cannot be used in a policy of these stages and event source
 * (the validator's rules), or '' when it can. eventSource '' or
 * NOT_APPLICABLE means not chosen yet: any runtime field is offered.
 */
export function fieldProblem(field, stages, eventSource) {
  if (!field) return 'unknown field';
  const es = eventSource && eventSource !== 'NOT_APPLICABLE' ? eventSource : '';
  if (stages.includes('BUILD') && !field.stages.includes('BUILD'))
    return `${field.name} is not an image field; Build policies use image fields only`;
  if (stages.includes('DEPLOY') && field.runtime)
    return `${field.name} is a runtime field; Deploy policies cannot use it`;
  if (stages.includes('RUNTIME') && es) {
    if (es === 'AUDIT_LOG_EVENT' && !(field.sources || []).includes('AUDIT_LOG_EVENT'))
      return `${field.name} cannot be used with audit log events`;
    if (es === 'DEPLOYMENT_EVENT' && field.runtime && !field.sources.includes('DEPLOYMENT_EVENT'))
      return `${field.name} cannot be used with deployment events`;
    if (es === 'NODE_EVENT' && !(field.sources || []).includes('NODE_EVENT'))
      return `${field.name} cannot be used with node events`;
  }
  return '';
}

/* The fields a policy of these stages and event source may use. */
export function fieldsFor(stages, eventSource) {
  return POLICY_FIELDS.filter((x) => !fieldProblem(x, stages, eventSource));
}

/* ---- values: text <-> parts ---------------------------------------------- */

const CMP_RE = /^(<=|>=|<|>)?\s*(.*)$/s;

/* Splits a stored value into the parts the editor's inputs hold. */
export function parseValue(field, text) {
  const t = text == null ? '' : String(text);
  switch (field && field.form) {
    case 'number':
    case 'uint':
    case 'severity': {
      const m = CMP_RE.exec(t);
      let v = m[2];
      if (field.form === 'severity') v = v.toUpperCase().replace(/_VULNERABILITY_SEVERITY$/, '');
      return { cmp: m[1] || '', value: v };
    }
    case 'keyValue':
    case 'mapRegex': {
      const i = t.indexOf('=');
      return i < 0 ? { key: t, value: '', hasValue: false } : { key: t.slice(0, i), value: t.slice(i + 1), hasValue: true };
    }
    case 'envVar': {
      const i = t.indexOf('=');
      const j = i < 0 ? -1 : t.indexOf('=', i + 1);
      if (i < 0 || j < 0) return { source: '', key: t, value: '' };
      return { source: t.slice(0, i).toUpperCase(), key: t.slice(i + 1, j), value: t.slice(j + 1) };
    }
    case 'dockerfile': {
      const i = t.indexOf('=');
      return i < 0 ? { instruction: '', value: t } : { instruction: t.slice(0, i).toUpperCase(), value: t.slice(i + 1) };
    }
    case 'bool':
      return { value: t.toLowerCase() === 'false' ? 'false' : t.toLowerCase() === 'true' ? 'true' : t };
    case 'enum': {
      const canon = (field.enumValues || []).find((e) => e.toLowerCase() === t.toLowerCase());
      return { value: canon || t };
    }
    default:
      return { value: t };
  }
}

/* The stored text of the editor's parts (inverse of parseValue). */
export function formatValue(field, parts) {
  const p = parts || {};
  switch (field && field.form) {
    case 'number':
    case 'uint':
    case 'severity': {
      const v = (p.value || '').trim();
      return p.cmp ? `${p.cmp} ${v}` : v;
    }
    case 'keyValue':
      return `${p.key || ''}=${p.value || ''}`;
    case 'mapRegex':
      return p.value ? `${p.key || ''}=${p.value}` : `${p.key || ''}=`;
    case 'envVar':
      return `${p.source || ''}=${p.key || ''}=${p.value || ''}`;
    case 'dockerfile':
      return `${p.instruction || ''}=${p.value || ''}`;
    default:
      return p.value == null ? '' : String(p.value);
  }
}

/*
 * A quick check of one value as the engine will parse it: '' when it looks
 * right, else what is wrong. The server stays the judge (regular
 * expressions, for one, are only checked there).
 */
export function checkValue(field, text) {
  const t = text == null ? '' : String(text);
  if (!field) return 'Choose a criterion';
  if (t.length > 1024) return 'At most 1024 characters';
  switch (field.form) {
    case 'regex':
    case 'containsRegex':
      return t.trim() ? '' : 'Enter a regular expression';
    case 'bool':
      return t === 'true' || t === 'false' ? '' : 'Choose true or false';
    case 'number':
      return /^(<=|>=|<|>)?\s*(\d*\.?\d+)$/.test(t) ? '' : 'Enter a number, e.g. 7 or 7.5';
    case 'uint':
      return /^(<=|>=|<|>)?\s*\d{1,10}$/.test(t) ? '' : 'Enter a whole number, e.g. 0';
    case 'days':
      return /^\d{1,6}$/.test(t) ? '' : 'Enter a whole number of days';
    case 'severity':
      return /^(<=|>=|<|>)?\s*(UNKNOWN|LOW|MODERATE|IMPORTANT|CRITICAL)$/i.test(t) ? '' : 'Choose a severity';
    case 'enum':
      return (field.enumValues || []).some((e) => e.toLowerCase() === t.toLowerCase()) ? '' : 'Choose a value';
    case 'keyValue': {
      const i = t.indexOf('=');
      return i > 0 ? '' : 'Enter a key (the value may stay empty)';
    }
    case 'mapRegex':
      return t.replace(/=$/, '').trim() ? '' : 'Enter a key';
    case 'envVar':
      return (t.match(/=/g) || []).length >= 2 ? '' : 'Enter a name or a value';
    case 'dockerfile':
      return t.includes('=') ? '' : 'Enter an instruction or a line';
    case 'kubeName':
      return /^[A-Za-z0-9]([A-Za-z0-9:-]*[A-Za-z0-9])?$/.test(t) ? '' : 'Letters, digits, ":" and "-" only';
    case 'ip':
      return /^[0-9.]+$|^[0-9A-Fa-f:.]+$/.test(t) && t.length >= 2 ? '' : 'Enter an IPv4 or IPv6 address';
    case 'signature':
      return /^io\.stackrox\.signatureintegration\.[0-9a-fA-F-]{36}$/.test(t)
        ? ''
        : 'Enter io.stackrox.signatureintegration.<uuid>';
    default:
      return '';
  }
}

/* ---- sentences ------------------------------------------------------------ */

function list(items, conj) {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conj} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

function numberText(v) {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? String(n) : v;
}

function cmpWords(cmp, negate) {
  const c = COMPARATORS.find((x) => x.value === (cmp || '')) || COMPARATORS[0];
  return negate ? c.negWords : c.words;
}

function severityWord(s) {
  const u = (s || '').toUpperCase();
  return u ? u[0] + u.slice(1).toLowerCase() : u;
}

function kvText(field, parts) {
  if (field.name === 'Image Component') {
    const name = parts.key || 'any name';
    return parts.value ? `${name} at version ${parts.value}` : name;
  }
  if (!parts.hasValue || parts.value === '') return parts.key;
  return `${parts.key || 'any key'}=${parts.value}`;
}

function envText(parts) {
  const src = ENV_SOURCES.find((s) => s.value === parts.source);
  const bits = [];
  bits.push(parts.key ? `named ${parts.key}` : 'with any name');
  if (parts.value) bits.push(`with value ${parts.value}`);
  const from = parts.source && src ? ` (${src.label.toLowerCase()})` : '';
  return `${bits.join(' ')}${from}`;
}

/*
 * One group in words. Values of one group combine with OR ("or"), or AND
 * when booleanOperator is AND; a negated group says "not".
 */
export function describeGroup(group) {
  const name = group && group.fieldName;
  const field = fieldByName(name);
  const values = ((group && group.values) || []).map((v) => (v && typeof v === 'object' ? v.value : v));
  const neg = !!(group && group.negate);
  const conj = group && group.booleanOperator === 'AND' ? 'and' : 'or';
  if (!field) return `${name || 'Unknown criterion'} ${neg ? 'does not match' : 'matches'} ${list(values, conj)}`;
  const parts = values.map((v) => parseValue(field, v));

  switch (field.form) {
    case 'bool': {
      const truthy = parts.map((p) => p.value === 'true');
      const on = neg ? !truthy[0] : truthy[0];
      return on ? field.yes : field.no;
    }
    case 'regex':
    case 'kubeName':
    case 'ip':
      return `${field.noun} ${neg ? 'does not match' : 'matches'} ${list(values, conj)}`;
    case 'containsRegex':
      return `${neg ? field.noun.replace(/ contain$/, ' do not contain') : field.noun} ${list(values, conj)}`;
    case 'number':
    case 'uint': {
      const unit = field.unit ? ` ${field.unit}` : '';
      if (neg && parts.length > 1)
        return `${field.noun} is none of ${list(parts.map((p) => `${p.cmp ? p.cmp + ' ' : ''}${numberText(p.value)}`), 'or')}${unit}`;
      const words = parts.map((p, i) => `${i === 0 ? '' : cmpWords(p.cmp, neg) + ' '}${numberText(p.value)}${unit}`);
      return `${field.noun} ${cmpWords(parts[0] && parts[0].cmp, neg)} ${list(words, conj)}`;
    }
    case 'days':
      return (neg ? 'Not: ' : '') + field.words.replace('{v}', values[0] || '?');
    case 'severity': {
      const words = parts.map((p, i) => `${i === 0 ? '' : cmpWords(p.cmp, neg) + ' '}${severityWord(p.value)}`);
      return `${field.noun} ${cmpWords(parts[0] && parts[0].cmp, neg)} ${list(words, conj)}`;
    }
    case 'enum':
      if (field.phrase)
        return `${neg ? 'Not: ' : ''}${field.noun} ${list(values, conj)}`;
      return `${field.noun} ${neg ? 'is not' : 'is'} ${list(values, conj)}`;
    case 'signature':
      return `${field.noun} ${list(values, conj)}`;
    case 'keyValue':
    case 'mapRegex':
      return `${neg ? 'Not: ' : ''}${field.noun} ${list(parts.map((p) => kvText(field, p)), conj)}`;
    case 'envVar':
      return `${neg ? 'Not: ' : ''}Container has an environment variable ${list(parts.map(envText), conj)}`;
    case 'dockerfile': {
      const lines = parts.map((p) =>
        p.instruction ? `${/^[AEO]/.test(p.instruction) ? 'an' : 'a'} ${p.instruction} line matching ${p.value || 'anything'}` : `a line matching ${p.value || 'anything'}`);
      return `${neg ? 'Not: ' : ''}Dockerfile has ${list(lines, conj)}`;
    }
    default:
      return `${field.noun} ${neg ? 'does not match' : 'matches'} ${list(values, conj)}`;
  }
}

/* A policy's sections in words: [{name, sentences[]}]. A policy fires when
 * any section matches; a section when all its sentences hold. */
export function describeSections(policySections) {
  return (policySections || []).map((s, i) => ({
    name: (s && s.sectionName) || `Policy section ${i + 1}`,
    sentences: ((s && s.policyGroups) || []).map(describeGroup),
  }));
}
