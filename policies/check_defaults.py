#!/usr/bin/env python3
"""
check_defaults.py - checks the default policy set (policies/defaults/*.json)
before central embeds it: each file must be a policy central accepts and
StackRox would import, and the set must cover the risks issue 6 lists.

Two ideas carry it:
  * The rules are StackRox's, restated here from its documented model: the 79
    field names, which lifecycle stages and event sources each field belongs
    to, and the form each field's values take. Regular expressions must mean
    the same to RE2 (central's engine and StackRox), POSIX ERE and Python's
    re, so only the subset they read alike is allowed.
  * Checks that can fail on real mistakes: every criterion value is also run
    against sample inputs (SAMPLES) that must or must not match, and every
    family of the issue names the policy and field that covers it (FAMILIES).

Usage: check_defaults.py [--dir DIR] [--readme FILE] [--stackrox-fixtures DIR]
With --stackrox-fixtures (default: ../shared/fixtures/policies/
stackrox-default-policies beside the repository, when present) the set is also
compared with StackRox's own policies: ids, names and texts must be our own.
Exit status 0 when everything holds, 1 with one line per problem otherwise.
Python 3 standard library only.
"""

import argparse
import difflib
import glob
import json
import os
import re
import sys

MIN_POLICIES = 60

# Bounds of shared/policy/policy.h.
MAX_SECTIONS = 64
MAX_GROUPS = 64
MAX_VALUES = 256
MAX_VALUE_BYTES = 1024
MAX_TEXT_BYTES = 16384

# ---------------------------------------------------------------- the format

TOP_LEVEL = {
    "id": str, "name": str, "description": str, "rationale": str, "remediation": str,
    "disabled": bool, "categories": list, "lifecycleStages": list, "eventSource": str,
    "exclusions": list, "scope": list, "severity": str, "enforcementActions": list,
    "notifiers": list, "policyVersion": str, "policySections": list,
    "mitreAttackVectors": list, "criteriaLocked": bool, "mitreVectorsLocked": bool,
    "isDefault": bool,
}
REQUIRED = list(TOP_LEVEL)

STAGES = ("BUILD", "DEPLOY", "RUNTIME")
EVENT_SOURCES = ("NOT_APPLICABLE", "DEPLOYMENT_EVENT", "AUDIT_LOG_EVENT", "NODE_EVENT")
SEVERITIES = ("LOW_SEVERITY", "MEDIUM_SEVERITY", "HIGH_SEVERITY", "CRITICAL_SEVERITY")
ENFORCEMENT_STAGE = {
    "FAIL_BUILD_ENFORCEMENT": "BUILD",
    "SCALE_TO_ZERO_ENFORCEMENT": "DEPLOY",
    "UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT": "DEPLOY",
    "FAIL_DEPLOYMENT_CREATE_ENFORCEMENT": "DEPLOY",
    "FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT": "DEPLOY",
    "KILL_POD_ENFORCEMENT": "RUNTIME",
    "FAIL_KUBE_REQUEST_ENFORCEMENT": "RUNTIME",
}

# The categories the default set uses (the same names central offers).
CATEGORIES = {
    "Anomalous Activity", "Cryptocurrency Mining", "DevOps Best Practices", "Docker CIS",
    "Kubernetes", "Kubernetes Events", "Network Tools", "Package Management", "Privileges",
    "Security Best Practices", "System Modification", "Vulnerability Management", "Zero Trust",
}

# Only these policies may enforce, and only by failing builds: a default set
# must not block deployments or kill pods before a user decides it should.
ENFORCED = {
    "fixable-important-vulnerability", "log4shell", "spring4shell", "apache-struts-rce",
    "xz-utils-backdoor",
}

CAPABILITIES = {
    "ALL", "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN",
    "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL",
    "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
    "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE",
    "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
}

DOCKERFILE_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}
ENV_SOURCES = {"", "RAW", "SECRET_KEY", "CONFIG_MAP_KEY", "FIELD", "RESOURCE_FIELD", "UNKNOWN"}

# Field name -> (class, kind[, enum values]). Classes: image (BUILD, DEPLOY,
# RUNTIME), deploy (DEPLOY, RUNTIME), and the runtime classes process,
# network, kube (admission events or audit log), audit, file.
I, DP = "image", "deploy"
FIELDS = {
    # image
    "CVE": (I, "regex"), "CVSS": (I, "decimal"), "NVD CVSS": (I, "decimal"),
    "Severity": (I, "severity"), "Fixable": (I, "bool"), "Fixed By": (I, "regex"),
    "Days Since CVE Was Published": (I, "int"),
    "Days Since CVE Fix Was Available": (I, "int"),
    "Days Since CVE Was First Discovered In Image": (I, "int"),
    "Days Since CVE Was First Discovered In System": (I, "int"),
    "Dockerfile Line": (I, "dockerfile"), "Image Age": (I, "int"),
    "Image Component": (I, "kv"), "Image OS": (I, "regex"), "Image Registry": (I, "regex"),
    "Image Remote": (I, "regex"), "Image Tag": (I, "regex"), "Image User": (I, "regex"),
    "Image Scan Age": (I, "int"), "Image Signature Verified By": (I, "regex"),
    "Required Image Label": (I, "kv"), "Disallowed Image Label": (I, "kv"),
    "Unscanned Image": (I, "bool"),
    # deployment
    "Add Capabilities": (DP, "enum", CAPABILITIES), "Drop Capabilities": (DP, "enum", CAPABILITIES),
    "Allow Privilege Escalation": (DP, "bool"), "AppArmor Profile": (DP, "regex"),
    "Automount Service Account Token": (DP, "bool"),
    "Container CPU Limit": (DP, "decimal"), "Container CPU Request": (DP, "decimal"),
    "Container Memory Limit": (DP, "decimal"), "Container Memory Request": (DP, "decimal"),
    "Container Name": (DP, "regex"), "Required Annotation": (DP, "kv"),
    "Disallowed Annotation": (DP, "kv"), "Required Label": (DP, "kv"),
    "Environment Variable": (DP, "env"), "Exposed Port": (DP, "port"),
    "Exposed Port Protocol": (DP, "regex"), "Exposed Node Port": (DP, "port"),
    "Port Exposure Method": (DP, "enum", {"UNSET", "EXTERNAL", "NODE", "HOST", "INTERNAL", "ROUTE"}),
    "Host IPC": (DP, "bool"), "Host Network": (DP, "bool"), "Host PID": (DP, "bool"),
    "Has Ingress Network Policy": (DP, "bool"), "Has Egress Network Policy": (DP, "bool"),
    "Liveness Probe Defined": (DP, "bool"), "Readiness Probe Defined": (DP, "bool"),
    "Minimum RBAC Permissions": (DP, "enum", {"DEFAULT", "ELEVATED_IN_NAMESPACE",
                                              "ELEVATED_CLUSTER_WIDE", "CLUSTER_ADMIN"}),
    "Mount Propagation": (DP, "enum", {"NONE", "HOST_TO_CONTAINER", "BIDIRECTIONAL"}),
    "Namespace": (DP, "regex"), "Privileged Container": (DP, "bool"),
    "Read-Only Root Filesystem": (DP, "bool"), "Replicas": (DP, "int"),
    "Runtime Class": (DP, "regex"),
    "Seccomp Profile Type": (DP, "enum", {"UNCONFINED", "RUNTIME_DEFAULT", "LOCALHOST"}),
    "Service Account": (DP, "regex"), "Volume Destination": (DP, "regex"),
    "Volume Name": (DP, "regex"), "Volume Source": (DP, "regex"), "Volume Type": (DP, "regex"),
    "Writable Host Mount": (DP, "bool"), "Writable Mounted Volume": (DP, "bool"),
    # runtime: processes
    "Process Name": ("process", "regex"), "Process Arguments": ("process", "regex"),
    "Process Ancestor": ("process", "regex"), "Process UID": ("process", "int"),
    "Unexpected Process Executed": ("process", "bool"),
    # runtime: network baseline
    "Unexpected Network Flow Detected": ("network", "bool"),
    # runtime: Kubernetes events (admission) and audit log
    "Kubernetes Resource": ("kube", "enum", {
        "PODS_EXEC", "PODS_PORTFORWARD", "PODS_ATTACH", "SECRETS", "CONFIGMAPS", "CLUSTER_ROLES",
        "CLUSTER_ROLE_BINDINGS", "NETWORK_POLICIES", "SECURITY_CONTEXT_CONSTRAINTS",
        "EGRESS_FIREWALLS"}),
    "Kubernetes User Name": ("kube", "regex"), "Kubernetes User Groups": ("kube", "regex"),
    "Kubernetes API Verb": ("audit", "enum", {"CREATE", "DELETE", "GET", "PATCH", "UPDATE"}),
    "Kubernetes Resource Name": ("audit", "regex"), "Source IP Address": ("audit", "regex"),
    "User Agent": ("audit", "regex"), "Is Impersonated User": ("audit", "bool"),
    # runtime: file activity
    "File Path": ("file", "regex"), "File Operation": ("file", "enum", {
        "OPEN", "CREATE", "UNLINK", "RENAME", "PERMISSION_CHANGE", "OWNERSHIP_CHANGE"}),
}
RUNTIME_CLASSES = {"process", "network", "kube", "audit", "file"}
# Which runtime classes each event source carries.
EVENT_SOURCE_CLASSES = {
    "DEPLOYMENT_EVENT": {"process", "network", "kube", "file"},
    "NODE_EVENT": {"process", "file"},
    "AUDIT_LOG_EVENT": {"kube", "audit"},
}

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.json$")
NUMBER_RE = re.compile(r"^(<=|>=|<|>|=)?[ ]*(-?[0-9]+(\.[0-9]+)?)$")
SEVERITY_RE = re.compile(r"^(<=|>=|<|>|=)?[ ]*(UNKNOWN|LOW|MODERATE|IMPORTANT|CRITICAL)$", re.I)
TACTIC_RE = re.compile(r"^TA[0-9]{4}$")
TECHNIQUE_RE = re.compile(r"^T[0-9]{4}(\.[0-9]{3})?$")
CVE_RE = re.compile(r"^(CVE-[0-9]{4}-[0-9]{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$", re.I)

# ---------------------------------------------------------------- regular expressions

# Escapes that mean "this character, literally" to RE2, POSIX ERE and Python.
PORTABLE_ESCAPES = set(".^$*+?()[]{}\\")


def regex_problem(rx):
    """Why rx is outside the portable subset, or None."""
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in rx):
        return "control character in regular expression"
    i, n, depth = 0, len(rx), 0
    prev = ""  # last token kind outside brackets: "atom", "quant", "open", "bar", ""
    while i < n:
        c = rx[i]
        if c == "\\":
            if i + 1 >= n:
                return "trailing backslash"
            e = rx[i + 1]
            if e not in PORTABLE_ESCAPES:
                return "escape \\%s is not read alike by RE2, POSIX ERE and Python (use a bracket " \
                       "expression or spell the characters out)" % e
            i += 2
            prev = "atom"
            continue
        if c == "[":
            j = i + 1
            if j < n and rx[j] == "^":
                j += 1
            if j < n and rx[j] == "]":
                j += 1
            while j < n and rx[j] != "]":
                if rx[j] == "\\":
                    return "backslash inside a bracket expression (POSIX ERE reads it literally)"
                if rx[j] == "[" and j + 1 < n and rx[j + 1] in ":.=":
                    return "POSIX class or collating element inside brackets (Python reads it otherwise)"
                j += 1
            if j >= n:
                return "unterminated bracket expression"
            i = j + 1
            prev = "atom"
            continue
        if c == "(":
            if i + 1 < n and rx[i + 1] == "?":
                return "(? groups (non-capturing, flags, lookaround) are not portable; matching is " \
                       "already case-insensitive and whole-value"
            if i + 1 < n and rx[i + 1] in "|)":
                return "empty alternative"
            depth += 1
            prev = "open"
        elif c == ")":
            if prev == "bar":
                return "empty alternative"
            depth -= 1
            if depth < 0:
                return "unbalanced parenthesis"
            prev = "atom"
        elif c == "|":
            if prev in ("", "bar", "open"):
                return "empty alternative"
            prev = "bar"
        elif c in "*+?":
            if prev == "quant":
                return "lazy, possessive or stacked quantifier (%s after a quantifier)" % c
            if prev in ("", "bar", "open"):
                return "quantifier with nothing to repeat"
            prev = "quant"
        elif c == "{":
            m = re.match(r"\{([0-9]+)(,([0-9]*))?\}", rx[i:])
            if not m:
                return "'{' that is not an interval (escape it)"
            lo = int(m.group(1))
            hi = m.group(3)
            if lo > 1000 or (hi and int(hi) > 1000) or (hi and int(hi) < lo):
                return "bad repetition bounds %s" % m.group(0)
            if prev in ("", "bar", "open", "quant"):
                return "interval with nothing to repeat, or stacked on a quantifier"
            i += len(m.group(0))
            prev = "quant"
            continue
        else:
            prev = "atom"
        i += 1
    if depth != 0:
        return "unbalanced parenthesis"
    if prev == "bar":
        return "empty alternative"
    try:
        re.compile(rx)
    except re.error as ex:
        return "does not compile: %s" % ex
    return None


def full_match(rx, text):
    """StackRox's matching: the whole value, case-insensitively."""
    return re.fullmatch(rx, text, re.IGNORECASE) is not None

# ---------------------------------------------------------------- values


def split_kv(v):
    if "=" not in v:
        return None
    k, val = v.split("=", 1)
    return k, val


def value_problem(field, kind, v, enum=None):
    """Why value v does not fit field, or None."""
    if not v.strip():
        return "empty value"
    if len(v.encode()) > MAX_VALUE_BYTES:
        return "value longer than %d bytes" % MAX_VALUE_BYTES
    if kind == "regex":
        p = regex_problem(v)
        if p:
            return p
        if field == "CVE" and not re.search(r"[|()*+?\[.]", v) and not CVE_RE.match(v):
            return "'%s' does not look like a CVE or GHSA id" % v
        if field == "Process Name" and not (v.startswith("^") and v.endswith("$")):
            return "process names are written anchored (^...$) in this set"
        return None
    if kind == "bool":
        return None if v in ("true", "false") else "boolean fields take true or false"
    if kind in ("int", "decimal", "port"):
        m = NUMBER_RE.match(v)
        if not m:
            return "numbers take an optional comparator (<, >, <=, >=, =) and a number"
        num = float(m.group(2))
        if kind in ("int", "port") and m.group(3):
            return "integer expected"
        if kind == "port" and not 0 <= num <= 65535:
            return "port out of range"
        if field in ("CVSS", "NVD CVSS") and not 0 <= num <= 10:
            return "CVSS scores are between 0 and 10"
        if kind != "decimal" and num < 0 and field != "Process UID":
            return "negative number"
        return None
    if kind == "severity":
        return None if SEVERITY_RE.match(v) else \
            "severity takes an optional comparator and LOW, MODERATE, IMPORTANT or CRITICAL"
    if kind == "enum":
        return None if v in enum else "'%s' is not one of %s" % (v, ", ".join(sorted(enum)))
    if kind == "kv":
        kv = split_kv(v)
        if not kv:
            return "key=value expected"
        k, val = kv
        if not k and not val:
            return "key=value with both sides empty"
        for part in (k, val):
            if part:
                p = regex_problem(part)
                if p:
                    return p
        return None
    if kind == "env":
        parts = v.split("=", 2)
        if len(parts) != 3:
            return "SOURCE=NAME=VALUE expected"
        src, name, val = parts
        if src not in ENV_SOURCES:
            return "environment variable source '%s' unknown" % src
        if not name and not val and not src:
            return "SOURCE=NAME=VALUE with every part empty"
        for part in (name, val):
            if part:
                p = regex_problem(part)
                if p:
                    return p
        return None
    if kind == "dockerfile":
        kv = split_kv(v)
        if not kv:
            return "INSTRUCTION=regex expected"
        instr, rx = kv
        if instr.upper() not in DOCKERFILE_INSTRUCTIONS:
            return "'%s' is not a Dockerfile instruction" % instr
        if rx:
            return regex_problem(rx)
        return None
    return "unknown value kind %s" % kind


def value_matches(kind, v, sample):
    """Whether criterion value v matches sample, in the sample's own form
    (key=value, SOURCE=NAME=VALUE, INSTRUCTION text)."""
    if kind == "kv":
        k, val = split_kv(v)
        sk, sv = split_kv(sample)
        return (not k or full_match(k, sk)) and (not val or full_match(val, sv))
    if kind == "env":
        src, name, val = v.split("=", 2)
        ssrc, sname, sval = sample.split("=", 2)
        return (not src or src == ssrc) and (not name or full_match(name, sname)) and \
            (not val or full_match(val, sval))
    if kind == "dockerfile":
        instr, rx = split_kv(v)
        sinstr, _, srest = sample.partition(" ")
        return instr.upper() == sinstr.upper() and (not rx or full_match(rx, srest))
    return full_match(v, sample)

# ---------------------------------------------------------------- the set's own tables

# Family of issue 6 -> [(policy file slug, field the policy must use)].
FAMILIES = {
    "fixable severe CVEs": [("fixable-important-vulnerability", "Fixable"),
                            ("fixable-important-vulnerability", "Severity")],
    "Log4Shell": [("log4shell", "CVE")],
    "Spring4Shell": [("spring4shell", "CVE")],
    "Struts": [("apache-struts-rce", "CVE")],
    "latest tag": [("latest-tag", "Image Tag")],
    "old images": [("image-age-90-days", "Image Age")],
    "old scans": [("image-scan-stale", "Image Scan Age")],
    "Dockerfile smells": [("dockerfile-add-remote-url", "Dockerfile Line"),
                          ("dockerfile-update-alone", "Dockerfile Line"),
                          ("dockerfile-secret-in-env", "Dockerfile Line"),
                          ("dockerfile-exposes-ssh", "Dockerfile Line")],
    "package managers in images": [("image-package-manager-apt", "Image Component"),
                                   ("image-package-manager-apk", "Image Component"),
                                   ("image-package-manager-rpm", "Image Component")],
    "network tools in images": [("image-download-tools", "Image Component"),
                                ("image-network-recon-tools", "Image Component")],
    "root user": [("image-runs-as-root", "Image User")],
    "privileged containers": [("privileged-container", "Privileged Container")],
    "escalating containers": [("privilege-escalation-allowed", "Allow Privilege Escalation")],
    "dangerous capabilities": [("capability-sys-admin", "Add Capabilities"),
                               ("capability-host-escape", "Add Capabilities"),
                               ("capability-net-admin", "Add Capabilities")],
    "host namespaces": [("host-network", "Host Network"), ("host-pid", "Host PID"),
                        ("host-ipc", "Host IPC")],
    "host mounts": [("writable-host-mount", "Writable Host Mount"),
                    ("host-root-filesystem-mounted", "Volume Source"),
                    ("bidirectional-mount-propagation", "Mount Propagation")],
    "runtime sockets": [("container-runtime-socket-mounted", "Volume Source")],
    "sensitive host paths": [("sensitive-host-path-mounted", "Volume Source"),
                             ("node-credentials-mounted", "Volume Source")],
    "secrets in env": [("secret-in-environment-variable", "Environment Variable")],
    "missing limits": [("missing-resource-limits", "Container Memory Limit"),
                       ("missing-resource-limits", "Container CPU Request")],
    "missing probes": [("missing-liveness-probe", "Liveness Probe Defined"),
                       ("missing-readiness-probe", "Readiness Probe Defined")],
    "missing network policies": [("no-ingress-network-policy", "Has Ingress Network Policy"),
                                 ("no-egress-network-policy", "Has Egress Network Policy")],
    "SA token automount": [("default-service-account-token", "Automount Service Account Token")],
    "exposed SSH": [("ssh-port-exposed", "Exposed Port")],
    "break-glass annotation": [("break-glass-annotation", "Disallowed Annotation")],
    "runtime: package managers": [("runtime-apt", "Process Name"), ("runtime-apk", "Process Name"),
                                  ("runtime-rpm", "Process Name")],
    "runtime: shells": [("runtime-shell-by-java", "Process Ancestor"),
                        ("runtime-shell-by-web-server", "Process Ancestor")],
    "runtime: network scanners": [("runtime-network-scanner", "Process Name"),
                                  ("runtime-netcat", "Process Name")],
    "runtime: crypto miners": [("runtime-crypto-miner", "Process Name"),
                               ("runtime-mining-pool-arguments", "Process Arguments")],
    "runtime: user changes": [("runtime-user-account-change", "Process Name"),
                              ("runtime-password-change", "Process Name")],
    "runtime: cron changes": [("runtime-cron", "Process Name")],
    "runtime: iptables": [("runtime-iptables", "Process Name")],
    "runtime: sshd": [("runtime-sshd", "Process Name")],
}

# (policy slug, field, sample in the field's form, whether some value of that
# field in the policy must match it). Samples are what the engine would see:
# process names are basenames, Dockerfile lines "INSTRUCTION argument" with
# the shell prefix already removed from RUN, components "name=version".
SAMPLES = [
    ("log4shell", "CVE", "CVE-2021-44228", True),
    ("log4shell", "CVE", "cve-2021-45046", True),
    ("log4shell", "CVE", "CVE-2021-4422", False),
    ("spring4shell", "CVE", "CVE-2022-22965", True),
    ("apache-struts-rce", "CVE", "CVE-2017-5638", True),
    ("xz-utils-backdoor", "CVE", "CVE-2024-3094", True),
    ("latest-tag", "Image Tag", "latest", True),
    ("latest-tag", "Image Tag", "latest-alpine", False),
    ("image-runs-as-root", "Image User", "root", True),
    ("image-runs-as-root", "Image User", "0:0", True),
    ("image-runs-as-root", "Image User", "", True),
    ("image-runs-as-root", "Image User", ":1000", True),
    ("image-runs-as-root", "Image User", "1000", False),
    ("image-runs-as-root", "Image User", "rootless", False),
    ("image-runs-as-root", "Image User", "nobody:nogroup", False),
    ("end-of-life-base-os", "Image OS", "debian:10", True),
    ("end-of-life-base-os", "Image OS", "debian:12", False),
    ("end-of-life-base-os", "Image OS", "ubuntu:18.04", True),
    ("end-of-life-base-os", "Image OS", "ubuntu:22.04", False),
    ("end-of-life-base-os", "Image OS", "ubuntu:23.10", True),
    ("end-of-life-base-os", "Image OS", "centos:7", True),
    ("end-of-life-base-os", "Image OS", "centos:9", False),
    ("end-of-life-base-os", "Image OS", "alpine:3.16.2", True),
    ("end-of-life-base-os", "Image OS", "alpine:3.20", False),
    ("end-of-life-base-os", "Image OS", "alpine:3.2", True),
    ("end-of-life-base-os", "Image OS", "rhel:7.9", True),
    ("end-of-life-base-os", "Image OS", "rhel:8.10", False),
    ("end-of-life-base-os", "Image OS", "fedora:38", True),
    ("end-of-life-base-os", "Image OS", "fedora:40", False),
    ("kubernetes-dashboard", "Image Remote", "kubernetesui/dashboard", True),
    ("kubernetes-dashboard", "Image Remote", "library/nginx", False),
    ("dockerfile-add-remote-url", "Dockerfile Line", "ADD https://example.com/app.tar.gz /opt/", True),
    ("dockerfile-add-remote-url", "Dockerfile Line", "ADD file:4b03b5f551e3fbdf47ec609712007 in / ", False),
    ("dockerfile-add-remote-url", "Dockerfile Line", "COPY https://example.com/x /x", False),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "RUN curl -k https://x/a -o a", True),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "RUN curl -fsSL --insecure https://x/a", True),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "RUN curl -fsSLk https://x/a", False),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "RUN curl -fsSL https://x/keys -o k", False),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "ENV NODE_TLS_REJECT_UNAUTHORIZED=0", True),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line", "ENV NODE_TLS_REJECT_UNAUTHORIZED=1", True),
    ("dockerfile-tls-verification-disabled", "Dockerfile Line",
     "RUN git config --global http.sslVerify false", True),
    ("dockerfile-exposes-ssh", "Dockerfile Line", "EXPOSE 22", True),
    ("dockerfile-exposes-ssh", "Dockerfile Line", "EXPOSE map[22/tcp:{}]", True),
    ("dockerfile-exposes-ssh", "Dockerfile Line", "EXPOSE 80 22/tcp", True),
    ("dockerfile-exposes-ssh", "Dockerfile Line", "EXPOSE 2222", False),
    ("dockerfile-exposes-ssh", "Dockerfile Line", "EXPOSE 8022", False),
    ("dockerfile-update-alone", "Dockerfile Line", "RUN apt-get update", True),
    ("dockerfile-update-alone", "Dockerfile Line", "RUN apt-get -y upgrade", True),
    ("dockerfile-update-alone", "Dockerfile Line", "RUN /bin/sh -c apk update", True),
    ("dockerfile-update-alone", "Dockerfile Line",
     "RUN apt-get update && apt-get install -y curl", False),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV DB_PASSWORD=hunter2", True),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV GITHUB_TOKEN ghp_abc", True),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV A=1 SECRET_KEY_BASE=xyz", True),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ARG NPM_TOKEN=abc", True),
    ("dockerfile-secret-in-env", "Dockerfile Line", "RUN |1 NPM_TOKEN=abc npm ci", True),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV POSTGRES_PASSWORD_FILE=/run/secrets/pg", False),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV TOKENIZERS_PARALLELISM=false", False),
    ("dockerfile-secret-in-env", "Dockerfile Line", "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", False),
    ("dockerfile-pipe-to-shell", "Dockerfile Line", "RUN curl -fsSL https://get.example.sh | sh", True),
    ("dockerfile-pipe-to-shell", "Dockerfile Line", "RUN wget -qO- https://x/install | bash -s -- -y", True),
    ("dockerfile-pipe-to-shell", "Dockerfile Line", "RUN curl -fsSL https://x/key | gpg --dearmor -o k", False),
    ("image-package-manager-apt", "Image Component", "dpkg=1.21.22", True),
    ("image-package-manager-apt", "Image Component", "apt=2.6.1", True),
    ("image-package-manager-apt", "Image Component", "apt-transport-https=2.6.1", False),
    ("image-package-manager-apk", "Image Component", "apk-tools=2.14.0-r2", True),
    ("image-package-manager-rpm", "Image Component", "microdnf=3.9.1", True),
    ("image-package-manager-rpm", "Image Component", "rpm-libs=4.16.1", False),
    ("image-download-tools", "Image Component", "curl=7.88.1-10", True),
    ("image-download-tools", "Image Component", "libcurl4=7.88.1-10", False),
    ("image-network-recon-tools", "Image Component", "netcat-openbsd=1.219", True),
    ("image-network-recon-tools", "Image Component", "nmap-ncat=7.92", True),
    ("image-network-recon-tools", "Image Component", "libpcap0.8=1.10.3", False),
    ("image-ssh-server", "Image Component", "openssh-server=9.2p1", True),
    ("image-ssh-server", "Image Component", "openssh-client=9.2p1", False),
    ("container-runtime-socket-mounted", "Volume Source", "/var/run/docker.sock", True),
    ("container-runtime-socket-mounted", "Volume Source", "/run/containerd/containerd.sock", True),
    ("container-runtime-socket-mounted", "Volume Source", "/var/run/crio/crio.sock", True),
    ("container-runtime-socket-mounted", "Volume Source", "/var/run", True),
    ("container-runtime-socket-mounted", "Volume Source", "/var/run/secrets", False),
    ("container-runtime-socket-mounted", "Volume Source", "/var/run/dockerXsock", False),
    ("host-root-filesystem-mounted", "Volume Source", "/", True),
    ("host-root-filesystem-mounted", "Volume Source", "/data", False),
    ("node-credentials-mounted", "Volume Source", "/etc/kubernetes/pki", True),
    ("node-credentials-mounted", "Volume Source", "/var/lib/kubelet/pki", True),
    ("node-credentials-mounted", "Volume Source", "/var/lib/kubelet/pods", False),
    ("sensitive-host-path-mounted", "Volume Source", "/etc", True),
    ("sensitive-host-path-mounted", "Volume Source", "/proc/sys/net", True),
    ("sensitive-host-path-mounted", "Volume Source", "/var/lib/containerd", True),
    ("sensitive-host-path-mounted", "Volume Source", "/usr/local/bin", True),
    ("sensitive-host-path-mounted", "Volume Source", "/var/log", False),
    ("sensitive-host-path-mounted", "Volume Source", "/etcd-data", False),
    ("sensitive-host-path-mounted", "Volume Source", "/data/etc", False),
    ("secret-in-environment-variable", "Environment Variable", "RAW=DB_PASSWORD=hunter2", True),
    ("secret-in-environment-variable", "Environment Variable", "RAW=aws_secret_access_key=abc", True),
    ("secret-in-environment-variable", "Environment Variable", "RAW=API_KEY=abc", True),
    ("secret-in-environment-variable", "Environment Variable", "RAW=PASSWORD_FILE=/run/secrets/x", False),
    ("secret-in-environment-variable", "Environment Variable", "RAW=DB_PASSWORD=$(PASSWORD)", False),
    ("secret-in-environment-variable", "Environment Variable", "SECRET_KEY=DB_PASSWORD=", False),
    ("secret-in-environment-variable", "Environment Variable", "RAW=PASSENGER_APP_ENV=production", False),
    ("secret-in-environment-variable", "Environment Variable", "RAW=TOKENIZERS_PARALLELISM=false", False),
    ("secret-as-environment-variable", "Environment Variable", "SECRET_KEY=DB_PASSWORD=", True),
    ("secret-as-environment-variable", "Environment Variable", "RAW=DB_PASSWORD=x", False),
    ("break-glass-annotation", "Disallowed Annotation", "admission.stackrox.io/break-glass=INC-1234", True),
    ("break-glass-annotation", "Disallowed Annotation", "admission.stackrox.io/other=x", False),
    ("missing-owner-label", "Required Label", "example.com/owner=payments", True),
    ("missing-owner-label", "Required Label", "owner=", False),
    ("runtime-apt", "Process Name", "apt-get", True),
    ("runtime-apt", "Process Name", "dpkg", True),
    ("runtime-apt", "Process Name", "dpkg-query", False),
    ("runtime-apk", "Process Name", "apk", True),
    ("runtime-rpm", "Process Name", "microdnf", True),
    ("runtime-rpm", "Process Name", "rpmbuild", False),
    ("runtime-shell-by-java", "Process Name", "bash", True),
    ("runtime-shell-by-java", "Process Name", "sh", True),
    ("runtime-shell-by-java", "Process Name", "ssh", False),
    ("runtime-shell-by-java", "Process Ancestor", "/usr/lib/jvm/java-17-openjdk/bin/java", True),
    ("runtime-shell-by-java", "Process Ancestor", "/usr/bin/javac", False),
    ("runtime-shell-by-web-server", "Process Ancestor", "/usr/sbin/php-fpm8.2", True),
    ("runtime-shell-by-web-server", "Process Ancestor", "/usr/sbin/nginx", True),
    ("runtime-network-scanner", "Process Name", "nmap", True),
    ("runtime-network-scanner", "Process Name", "masscan", True),
    ("runtime-netcat", "Process Name", "nc.openbsd", True),
    ("runtime-netcat", "Process Name", "ncurses", False),
    ("runtime-network-configuration", "Process Name", "ip", True),
    ("runtime-network-configuration", "Process Name", "ipcalc", False),
    ("runtime-crypto-miner", "Process Name", "xmrig", True),
    ("runtime-crypto-miner", "Process Name", "cpuminer-multi", True),
    ("runtime-crypto-miner", "Process Name", "miner", False),
    ("runtime-mining-pool-arguments", "Process Arguments",
     "-o stratum+tcp://pool.example.org:3333 -u wallet", True),
    ("runtime-mining-pool-arguments", "Process Arguments", "-o gulf.moneroocean.stream:10128", True),
    ("runtime-mining-pool-arguments", "Process Arguments", "--port 3333", False),
    ("runtime-user-account-change", "Process Name", "useradd", True),
    ("runtime-user-account-change", "Process Name", "addgroup", True),
    ("runtime-password-change", "Process Name", "chpasswd", True),
    ("runtime-cron", "Process Name", "crontab", True),
    ("runtime-cron", "Process Name", "cronjob-runner", False),
    ("runtime-iptables", "Process Name", "iptables-restore", True),
    ("runtime-iptables", "Process Name", "nft", True),
    ("runtime-iptables", "Container Name", "istio-init", True),
    ("runtime-sshd", "Process Name", "sshd", True),
    ("runtime-sshd", "Process Name", "ssh", False),
    ("runtime-kubelet-or-etcd-contact", "Process Arguments", "-k https://10.0.0.1:10250/pods", True),
    ("runtime-kubelet-or-etcd-contact", "Process Arguments", "http://etcd-0:2379/v2/keys", True),
    ("runtime-kubelet-or-etcd-contact", "Process Arguments", "--listen :102500", False),
    ("runtime-cloud-metadata-access", "Process Arguments",
     "-s http://169.254.169.254/latest/meta-data/iam/", True),
    ("runtime-service-account-token-read", "Process Arguments",
     "/var/run/secrets/kubernetes.io/serviceaccount/token", True),
    ("runtime-service-account-token-read", "Process Arguments",
     "/var/run/secrets/kubernetes.io/serviceaccount/namespace", False),
    ("runtime-compiler", "Process Name", "g++", True),
    ("runtime-compiler", "Process Name", "llvm-link", True),
    ("runtime-compiler", "Process Name", "makefile", False),
    ("runtime-privilege-switch", "Process Name", "pkexec", True),
    ("runtime-privilege-switch", "Process Name", "gosu", False),
    ("runtime-service-manager", "Process Arguments", "--version", True),
    ("runtime-kernel-module", "Process Name", "modprobe", True),
    ("runtime-namespace-entry", "Process Name", "nsenter", True),
    ("runtime-container-admin-client", "Process Name", "kubectl", True),
    ("runtime-container-admin-client", "Process Name", "dockerd", False),
]

# ---------------------------------------------------------------- checking one policy


class Report:
    def __init__(self):
        self.problems = []

    def add(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))


def check_text(rep, where, p, key):
    v = p.get(key)
    if isinstance(v, str):
        if not v.strip():
            rep.add(where, "%s is empty" % key)
        elif len(v.encode()) > MAX_TEXT_BYTES:
            rep.add(where, "%s longer than %d bytes" % (key, MAX_TEXT_BYTES))


def check_policy(rep, where, slug, p):
    if not isinstance(p, dict):
        rep.add(where, "not a JSON object")
        return
    for key in sorted(set(p) - set(TOP_LEVEL)):
        rep.add(where, "unknown member %s" % key)
    for key in REQUIRED:
        if key not in p:
            rep.add(where, "missing member %s" % key)
        elif not isinstance(p[key], TOP_LEVEL[key]):
            rep.add(where, "%s must be %s" % (key, TOP_LEVEL[key].__name__))
    if any(k not in p or not isinstance(p[k], TOP_LEVEL[k]) for k in REQUIRED):
        return

    if not UUID_RE.match(p["id"]):
        rep.add(where, "id %r is not a lower-case UUID" % p["id"])
    for key in ("name", "description", "rationale", "remediation"):
        check_text(rep, where, p, key)
    if len(p["name"]) > 128:
        rep.add(where, "name longer than 128 characters")
    if not (p["isDefault"] and p["criteriaLocked"] and p["mitreVectorsLocked"]):
        rep.add(where, "default policies are isDefault, criteriaLocked and mitreVectorsLocked")
    if p["policyVersion"] != "1.1":
        rep.add(where, "policyVersion must be \"1.1\"")
    if p["disabled"] and "Disabled by default" not in p["description"]:
        rep.add(where, "a disabled policy says why in its description (\"Disabled by default: ...\")")
    if p["notifiers"]:
        rep.add(where, "default policies have no notifiers")
    if p["scope"]:
        rep.add(where, "default policies apply everywhere (scope [])")

    cats = p["categories"]
    if not cats:
        rep.add(where, "at least one category")
    for c in cats:
        if c not in CATEGORIES:
            rep.add(where, "category %r is not one of the set's categories" % c)
    if len(set(cats)) != len(cats):
        rep.add(where, "repeated category")

    stages = p["lifecycleStages"]
    if not stages:
        rep.add(where, "at least one lifecycle stage")
    if any(s not in STAGES for s in stages) or len(set(stages)) != len(stages):
        rep.add(where, "lifecycleStages must be distinct values of %s" % (STAGES,))
        return
    runtime = "RUNTIME" in stages
    es = p["eventSource"]
    if es not in EVENT_SOURCES:
        rep.add(where, "eventSource %r unknown" % es)
        return
    if runtime and es == "NOT_APPLICABLE":
        rep.add(where, "RUNTIME policies need an eventSource")
    if not runtime and es != "NOT_APPLICABLE":
        rep.add(where, "eventSource is NOT_APPLICABLE outside RUNTIME")
    if runtime and len(stages) > 1:
        rep.add(where, "RUNTIME policies have that stage alone")

    if p["severity"] not in SEVERITIES:
        rep.add(where, "severity %r unknown" % p["severity"])

    for a in p["enforcementActions"]:
        if a not in ENFORCEMENT_STAGE:
            rep.add(where, "enforcement action %r unknown" % a)
        elif ENFORCEMENT_STAGE[a] not in stages:
            rep.add(where, "%s needs stage %s" % (a, ENFORCEMENT_STAGE[a]))
        elif a != "FAIL_BUILD_ENFORCEMENT" or slug not in ENFORCED:
            rep.add(where, "%s is not among the enforcements the default set ships (%s)"
                    % (a, ", ".join(sorted(ENFORCED))))
    if slug in ENFORCED and p["enforcementActions"] != ["FAIL_BUILD_ENFORCEMENT"]:
        rep.add(where, "this policy ships with FAIL_BUILD_ENFORCEMENT")
    if es == "AUDIT_LOG_EVENT" and p["enforcementActions"]:
        rep.add(where, "audit log policies cannot enforce")

    for i, ex in enumerate(p["exclusions"]):
        w = "%s: exclusions[%d]" % (where, i)
        if not isinstance(ex, dict) or not isinstance(ex.get("name"), str) or not ex["name"].strip():
            rep.add(w, "an exclusion is an object with a name")
            continue
        for key in set(ex) - {"name", "deployment", "image", "expiration"}:
            rep.add(w, "unknown member %s" % key)
        dep, img = ex.get("deployment"), ex.get("image")
        if dep is None and img is None:
            rep.add(w, "names neither a deployment nor an image")
        if dep is not None:
            if not ("DEPLOY" in stages or runtime):
                rep.add(w, "deployment exclusions need the DEPLOY or RUNTIME stage")
            if not isinstance(dep, dict) or set(dep) - {"name", "scope"}:
                rep.add(w, "deployment is {name, scope}")
            else:
                sc = dep.get("scope", {})
                if not isinstance(sc, dict) or set(sc) - {"cluster", "namespace", "label"}:
                    rep.add(w, "scope is {cluster, namespace, label}")
                else:
                    for k in ("cluster", "namespace"):
                        if k in sc and (not isinstance(sc[k], str) or regex_problem(sc[k])):
                            rep.add(w, "scope.%s must be a portable regular expression" % k)
                if not dep.get("name") and not dep.get("scope"):
                    rep.add(w, "deployment exclusion names nothing")
        if img is not None:
            if "BUILD" not in stages:
                rep.add(w, "image exclusions need the BUILD stage")
            if not isinstance(img, dict) or not isinstance(img.get("name"), str):
                rep.add(w, "image is {name}")

    sections = p["policySections"]
    if not sections:
        rep.add(where, "at least one policy section")
    if len(sections) > MAX_SECTIONS:
        rep.add(where, "more than %d sections" % MAX_SECTIONS)
    names = set()
    for si, s in enumerate(sections):
        ws = "%s: policySections[%d]" % (where, si)
        if not isinstance(s, dict) or set(s) - {"sectionName", "policyGroups"}:
            rep.add(ws, "a section is {sectionName, policyGroups}")
            continue
        sn = s.get("sectionName", "")
        if not isinstance(sn, str) or not sn.strip():
            rep.add(ws, "sections are named in this set")
        elif sn in names:
            rep.add(ws, "section name %r repeated" % sn)
        names.add(sn)
        groups = s.get("policyGroups")
        if not isinstance(groups, list) or not groups:
            rep.add(ws, "a section needs at least one policy group")
            continue
        if len(groups) > MAX_GROUPS:
            rep.add(ws, "more than %d groups" % MAX_GROUPS)
        classes, seen_fields = set(), set()
        for gi, g in enumerate(groups):
            wg = "%s.policyGroups[%d]" % (ws, gi)
            if not isinstance(g, dict) or set(g) - {"fieldName", "booleanOperator", "negate", "values"}:
                rep.add(wg, "a group is {fieldName, booleanOperator, negate, values}")
                continue
            field = g.get("fieldName")
            if field not in FIELDS:
                rep.add(wg, "unknown fieldName %r" % field)
                continue
            if field in seen_fields:
                rep.add(wg, "field %r appears twice in one section" % field)
            seen_fields.add(field)
            spec = FIELDS[field]
            cls, kind = spec[0], spec[1]
            enum = spec[2] if len(spec) > 2 else None
            classes.add(cls)
            if g.get("booleanOperator", "OR") not in ("OR", "AND"):
                rep.add(wg, "booleanOperator is OR or AND")
            if not isinstance(g.get("negate", False), bool):
                rep.add(wg, "negate is a boolean")
            if g.get("negate") and kind == "bool":
                rep.add(wg, "boolean fields cannot be negated (use the other value)")
            if cls == I and stages == ["RUNTIME"]:
                pass  # image fields may narrow a runtime section
            if cls in RUNTIME_CLASSES and not runtime:
                rep.add(wg, "%r is a runtime field, but the policy has no RUNTIME stage" % field)
            if cls == DP and "BUILD" in stages:
                rep.add(wg, "%r is a deployment field; BUILD policies use image fields only" % field)
            if runtime and cls in RUNTIME_CLASSES and es in EVENT_SOURCE_CLASSES \
                    and cls not in EVENT_SOURCE_CLASSES[es]:
                rep.add(wg, "%r does not come with event source %s" % (field, es))
            vals = g.get("values")
            if not isinstance(vals, list) or not vals:
                rep.add(wg, "a group needs at least one value")
                continue
            if len(vals) > MAX_VALUES:
                rep.add(wg, "more than %d values" % MAX_VALUES)
            if kind == "bool" and len(vals) != 1:
                rep.add(wg, "a boolean group has one value")
            for vi, v in enumerate(vals):
                wv = "%s.values[%d].value" % (wg, vi)
                if not isinstance(v, dict) or set(v) != {"value"} or not isinstance(v["value"], str):
                    rep.add(wv, "a value is {\"value\": string}")
                    continue
                prob = value_problem(field, kind, v["value"], enum)
                if prob:
                    rep.add(wv, "%s: %s" % (field, prob))
        if runtime and not classes & RUNTIME_CLASSES:
            rep.add(ws, "a RUNTIME section needs a runtime field (process, network, Kubernetes "
                        "event, audit or file)")
        if es == "AUDIT_LOG_EVENT" and classes - {"kube", "audit"}:
            rep.add(ws, "audit log policies use audit log fields only")

    for mi, m in enumerate(p["mitreAttackVectors"]):
        wm = "%s: mitreAttackVectors[%d]" % (where, mi)
        if not isinstance(m, dict) or set(m) != {"tactic", "techniques"}:
            rep.add(wm, "a vector is {tactic, techniques}")
            continue
        if not isinstance(m["tactic"], str) or not TACTIC_RE.match(m["tactic"]):
            rep.add(wm, "tactic %r is not an ATT&CK tactic id (TAnnnn)" % m["tactic"])
        if not isinstance(m["techniques"], list) or not m["techniques"]:
            rep.add(wm, "techniques is a non-empty list")
            continue
        for t in m["techniques"]:
            if not isinstance(t, str) or not TECHNIQUE_RE.match(t):
                rep.add(wm, "technique %r is not an ATT&CK technique id (Tnnnn[.nnn])" % t)

# ---------------------------------------------------------------- the set


def field_values(p, field):
    """(kind, [values]) of every non-negated group of field in p."""
    out = []
    for s in p.get("policySections", []):
        for g in s.get("policyGroups", []):
            if g.get("fieldName") == field:
                out += [v["value"] for v in g.get("values", []) if isinstance(v, dict)]
    return out


def check_set(rep, policies, readme):
    if len(policies) < MIN_POLICIES:
        rep.add("policies", "%d policies, at least %d wanted" % (len(policies), MIN_POLICIES))
    ids, names = {}, {}
    for slug, p in policies.items():
        if not isinstance(p, dict):
            continue
        pid, name = p.get("id"), p.get("name")
        if isinstance(pid, str):
            if pid in ids:
                rep.add(slug, "id %s also used by %s" % (pid, ids[pid]))
            ids[pid] = slug
        if isinstance(name, str):
            key = name.strip().lower()
            if key in names:
                rep.add(slug, "name %r also used by %s" % (name, names[key]))
            names[key] = slug

    for family, needs in FAMILIES.items():
        for slug, field in needs:
            p = policies.get(slug)
            if p is None:
                rep.add("coverage", "%s: policy %s.json is missing" % (family, slug))
            elif not field_values(p, field):
                rep.add("coverage", "%s: %s no longer uses %r" % (family, slug, field))

    for slug, field, sample, want in SAMPLES:
        p = policies.get(slug)
        if p is None:
            rep.add("samples", "policy %s.json is missing" % slug)
            continue
        kind = FIELDS[field][1]
        vals = field_values(p, field)
        if not vals:
            rep.add("samples", "%s has no %r values" % (slug, field))
            continue
        if any(value_problem(field, kind, v, FIELDS[field][2] if len(FIELDS[field]) > 2 else None)
               for v in vals):
            continue  # reported already
        got = any(value_matches(kind, v, sample) for v in vals)
        if got != want:
            rep.add("samples", "%s: %s %r should %smatch" % (slug, field, sample, "" if want else "not "))

    if readme is not None:
        for slug, p in policies.items():
            if isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"] not in readme:
                rep.add("README", "does not list %r (%s.json)" % (p["name"], slug))


SHINGLE = 7


def word_runs(text):
    """Every run of SHINGLE consecutive words of text, lower-cased."""
    words = re.findall(r"[a-z0-9_./-]+", text.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def compare_with_stackrox(rep, policies, fixtures):
    """Our ids, names and texts must be our own, not StackRox's."""
    theirs = []
    for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
        try:
            with open(path, encoding="utf-8") as f:
                theirs.append(json.load(f))
        except (OSError, ValueError):
            continue
    if not theirs:
        return 0
    their_ids = {t.get("id") for t in theirs}
    their_names = {str(t.get("name", "")).strip().lower() for t in theirs}
    # Copied prose shows as runs of words in common: any run of SHINGLE words
    # shared with one of their texts is reported (ordinary phrases are shorter).
    shingles = {}
    for t in theirs:
        for k in ("description", "rationale", "remediation"):
            for sh in word_runs(str(t.get(k) or "")):
                shingles.setdefault(sh, (t.get("name"), k))
    for slug, p in policies.items():
        if not isinstance(p, dict):
            continue
        if p.get("id") in their_ids:
            rep.add(slug, "id is one of StackRox's")
        name = str(p.get("name", "")).strip().lower()
        if name in their_names:
            rep.add(slug, "name %r is one of StackRox's policy names" % p.get("name"))
        else:
            for tn in their_names:
                if difflib.SequenceMatcher(None, name, tn, autojunk=False).ratio() >= 0.8:
                    rep.add(slug, "name %r reads like StackRox's %r" % (p.get("name"), tn))
        for k in ("description", "rationale", "remediation"):
            for sh in word_runs(str(p.get(k) or "")):
                if sh in shingles:
                    tname, tk = shingles[sh]
                    rep.add(slug, "%s shares the words \"%s\" with StackRox's %s of %r"
                            % (k, " ".join(sh), tk, tname))
                    break
    return len(theirs)


# The checker's own rules, so that a loosened rule fails too:
# (field, value, whether the value is acceptable).
SELF_TESTS = [
    ("Process Name", "^(apt|dpkg)$", True),
    ("Process Name", "apt", False),                  # this set anchors process names
    ("Process Name", "^\\d+$", False),               # \d: RE2 and Python only
    ("Process Name", "^[\\w]+$", False),             # backslash in brackets
    ("Process Name", "^[[:alpha:]]+$", False),       # POSIX class: Python differs
    ("Process Name", "^(?:a|b)$", False),            # non-capturing group
    ("Process Name", "^(?i)a$", False),              # inline flag
    ("Process Name", "^a.*?$", False),               # lazy quantifier
    ("Process Name", "^(|a)$", False),               # empty alternative
    ("Process Name", "^(a)\\1$", False),             # back reference
    ("Process Name", "^a{2,1}$", False),
    ("Process Name", "^a{1,3}$", True),
    ("Process Name", "^g[+][+]$", True),
    ("Process Name", "^nc\\.openbsd$", True),
    ("Image Tag", "(latest", False),
    ("CVE", "CVE-2021-44228", True),
    ("CVE", "log4shell", False),
    ("CVSS", ">= 7.0", True),
    ("CVSS", ">= 11", False),
    ("Image Age", "90", True),
    ("Image Age", "90.5", False),
    ("Exposed Port", "70000", False),
    ("Severity", ">= IMPORTANT", True),
    ("Severity", ">= HIGH", False),
    ("Fixable", "yes", False),
    ("Image Component", "curl=", True),
    ("Image Component", "curl", False),
    ("Image Component", "=", False),
    ("Environment Variable", "RAW=.*PASSWORD.*=.+", True),
    ("Environment Variable", "PLAIN=X=Y", False),
    ("Environment Variable", "RAW=X", False),
    ("Dockerfile Line", "RUN=.*curl.*", True),
    ("Dockerfile Line", "BUILD=.*", False),
    ("Add Capabilities", "SYS_ADMIN", True),
    ("Add Capabilities", "CAP_SYS_ADMIN", False),
    ("Port Exposure Method", "HOSTPORT", False),
]


def self_test():
    bad = 0
    for field, value, ok in SELF_TESTS:
        spec = FIELDS[field]
        prob = value_problem(field, spec[1], value, spec[2] if len(spec) > 2 else None)
        if (prob is None) != ok:
            print("self-test: %s %r should be %s (%s)" % (field, value, "accepted" if ok else "refused",
                                                         prob or "accepted"))
            bad += 1
    if not full_match("^(apt)$", "APT") or full_match("apt", "apt-get"):
        print("self-test: matching must be whole-value and case-insensitive")
        bad += 1
    return bad


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_fixtures = os.path.join(here, "..", "..", "shared", "fixtures", "policies",
                                    "stackrox-default-policies")
    ap = argparse.ArgumentParser(description="Checks the default policy set.")
    ap.add_argument("--dir", default=os.path.join(here, "defaults"))
    ap.add_argument("--readme", default=os.path.join(here, "README.md"),
                    help="README whose table must list every policy ('' to skip)")
    ap.add_argument("--stackrox-fixtures", default=default_fixtures,
                    help="StackRox's shipped policies, to prove ours are our own ('' to skip)")
    args = ap.parse_args()

    if self_test():
        print("check_defaults: the checker's own rules are broken")
        return 1
    rep = Report()
    policies = {}
    files = sorted(glob.glob(os.path.join(args.dir, "*")))
    for path in files:
        base = os.path.basename(path)
        if not base.endswith(".json"):
            rep.add(base, "only policy files (*.json) belong in %s" % args.dir)
            continue
        if not SLUG_RE.match(base):
            rep.add(base, "file names are lower-case slugs")
        try:
            with open(path, encoding="utf-8") as f:
                p = json.load(f)
        except (OSError, ValueError) as ex:
            rep.add(base, "does not parse: %s" % ex)
            continue
        slug = base[:-5]
        policies[slug] = p
        check_policy(rep, base, slug, p)

    readme = None
    if args.readme:
        try:
            with open(args.readme, encoding="utf-8") as f:
                readme = f.read()
        except OSError as ex:
            rep.add("README", "cannot read: %s" % ex)
    check_set(rep, policies, readme)

    compared = 0
    if args.stackrox_fixtures and os.path.isdir(args.stackrox_fixtures):
        compared = compare_with_stackrox(rep, policies, args.stackrox_fixtures)

    for line in rep.problems:
        print(line)
    if rep.problems:
        print("check_defaults: %d problems in %d policies" % (len(rep.problems), len(policies)))
        return 1
    stages = {}
    for p in policies.values():
        k = "+".join(p["lifecycleStages"])
        stages[k] = stages.get(k, 0) + 1
    print("check_defaults: %d policies OK (%s; %d disabled), %d families covered, %d samples%s" % (
        len(policies), ", ".join("%s %d" % kv for kv in sorted(stages.items())),
        sum(1 for p in policies.values() if p["disabled"]), len(FAMILIES), len(SAMPLES),
        ", compared with %d StackRox policies" % compared if compared else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
