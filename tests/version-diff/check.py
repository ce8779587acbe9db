#!/usr/bin/python3
"""check.py - our version comparators against the real implementations.

Reads the pairs written by generate.py ("ECOSYSTEM<TAB>A<TAB>B"), runs
asec-vercmp once over all of them (and once more, with --valid, over every
distinct string), and asks the reference of each ecosystem:

  deb     apt_pkg.version_compare (python3-apt: dpkg's ordering in C), and
          the real `dpkg --compare-versions`, which has the last word, on a
          random sample of pairs, on every pair where we and apt_pkg differ
          and on every pair with a string outside the clean grammar; dpkg
          itself on every string for validity (an error: dpkg will not
          compare it; a warning: dpkg compares it but refuses it in a
          package; only a string with neither is valid).
  rpm     rpm.labelCompare on the (epoch, version, release) that rpm's own
          parser (rpm.ver, i.e. rpmverParse) makes of each string; validity
          is what rpmbuild (rpm.spec, python3-rpm) accepts as Epoch, Version
          and Release tags.
  pypi    packaging.version.Version (python3-packaging); validity is
          whether it parses.
  semver  npm's semver package (pinned in package-lock.json beside this
          file) through semver_ref.mjs: semver.compare and semver.valid.
  npm     the same package in loose mode (semver.compareLoose), as npm
          reads versions; we have no loose validity rule to hold against it.

A pair is compared only when the reference accepts both strings; ours is
total, but outside the reference's domain there is nothing to agree with.
Differences that shared/version documents as deliberate are counted apart
("departures") and do not fail the run; each kind is named where it is
recognised below. Everything else is a disagreement: per ecosystem the
first --show of them are listed, and the run ends with the line
"version-diff: N passed, N failed", one test per ecosystem, exiting 1 when
any failed.

Run it with the python3 that has apt_pkg, rpm and packaging (Debian's
/usr/bin/python3); run.sh does.
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

LABELS = {"deb": "dpkg", "rpm": "rpm", "pypi": "pep440", "semver": "semver", "npm": "semver-loose"}
ORDER = ["deb", "rpm", "pypi", "semver", "npm"]
HERE = os.path.dirname(os.path.abspath(__file__))


def sign(x):
    return (x > 0) - (x < 0)


def show(s):
    return json.dumps(s, ensure_ascii=False)


class Outcome:
    """What one ecosystem's comparison found."""

    def __init__(self, eco, reference):
        self.eco = eco
        self.reference = reference
        self.pairs = 0
        self.refused = 0            # pairs the reference would not order
        self.agree = 0
        self.disagree = []          # (a, b, ours, ref, extra)
        self.departures = {}        # reason -> [(a, b, ours, ref)]
        self.validity_checked = 0
        self.validity_skipped = 0
        self.validity_mismatch = []  # (s, ours, ref, detail)
        self.validity_departures = {}
        self.checks = []            # (name, checked, [failure lines])
        self.notes = []

    def depart(self, table, reason, item):
        table.setdefault(reason, []).append(item)

    def failed(self):
        return bool(self.disagree or self.validity_mismatch or any(f for _, _, f in self.checks))


# --- asec-vercmp -----------------------------------------------------------

def run_vercmp(vercmp, lines, valid=False):
    if not lines:
        return []
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    proc = subprocess.run([vercmp] + (["--valid"] if valid else []), input=data, capture_output=True)
    if proc.returncode != 0:
        sys.exit("check: asec-vercmp failed (exit %d): %s" % (proc.returncode, proc.stderr.decode(errors="replace")))
    out = proc.stdout.decode().split()
    if len(out) != len(lines):
        sys.exit("check: asec-vercmp answered %d lines for %d" % (len(out), len(lines)))
    return [int(x) for x in out]


# --- dpkg ------------------------------------------------------------------

DPKG_ENV = dict(os.environ, LC_ALL="C")


def dpkg_run(a, op, b):
    return subprocess.run(["dpkg", "--compare-versions", "--", a, op, b], capture_output=True, env=DPKG_ENV)


def dpkg_status(s):
    """("ok"|"warning"|"error", message) as dpkg itself parses s."""
    if s == "":
        # dpkg reads an empty argument as "no version", not as a version.
        return "error", "empty"
    proc = dpkg_run(s, "eq", s)
    err = proc.stderr.decode(errors="replace").strip()
    if proc.returncode == 2 or "error" in err:
        return "error", err.split("bad syntax: ")[-1]
    if "warning" in err:
        return "warning", err.split("bad syntax: ")[-1]
    return "ok", ""


def dpkg_compare(a, b):
    """dpkg --compare-versions as -1/0/1."""
    for op, result in (("lt", -1), ("eq", 0)):
        proc = dpkg_run(a, op, b)
        if proc.returncode == 2:
            raise RuntimeError("dpkg refused %s %s: %s" % (show(a), show(b), proc.stderr.decode(errors="replace")))
        if proc.returncode == 0:
            return result
    return 1


def check_dpkg(pairs, ours, our_valid, args, jobs):
    import apt_pkg
    apt_pkg.init_config()
    apt_pkg.init_system()
    out = Outcome("deb", "apt_pkg.version_compare (python3-apt %s) + dpkg --compare-versions" % apt_pkg.VERSION)
    strings = sorted({s for a, b in pairs for s in (a, b)})
    with ThreadPoolExecutor(jobs) as pool:
        status = dict(zip(strings, pool.map(dpkg_status, strings)))

    for s in strings:
        ref_ok = status[s][0] == "ok"
        out.validity_checked += 1
        if bool(our_valid[s]) != ref_ok:
            out.validity_mismatch.append((s, our_valid[s], int(ref_ok), "dpkg: %s%s" % (
                status[s][0], ", " + status[s][1] if status[s][1] else "")))

    domain = []
    for (a, b), o in zip(pairs, ours):
        out.pairs += 1
        if status[a][0] == "error" or status[b][0] == "error":
            out.refused += 1
            continue
        domain.append((a, b, o, sign(apt_pkg.version_compare(a, b))))

    # The binary settles every pair where we and apt_pkg differ, and every
    # pair with a string outside the clean grammar (dpkg warns about it, or
    # our validity rule already parted ways with dpkg's): there apt_pkg's
    # code and dpkg's may part ways too, and agreeing with apt_pkg proves
    # nothing. A random sample of the rest shows that apt_pkg is standing
    # in for dpkg faithfully.
    suspect = {s for s in strings if status[s][0] != "ok" or bool(our_valid[s]) != (status[s][0] == "ok")}
    rng = random.Random(args.seed)
    sample_n = len(domain) if args.dpkg_binary_sample <= 0 else min(args.dpkg_binary_sample, len(domain))
    sample = set(rng.sample(range(len(domain)), sample_n))
    ask = sorted(sample | {i for i, (a, b, o, r) in enumerate(domain) if o != r or a in suspect or b in suspect})
    with ThreadPoolExecutor(jobs) as pool:
        binary = dict(zip(ask, pool.map(lambda i: dpkg_compare(domain[i][0], domain[i][1]), ask)))

    apt_off = []  # (a, b, apt_pkg, dpkg, ours)
    for i, (a, b, o, r) in enumerate(domain):
        real = binary.get(i)
        if real is None:
            # Not asked: ours and apt_pkg agree (every other pair was asked).
            out.agree += 1
            continue
        if r != real:
            apt_off.append((a, b, r, real, o))
        # dpkg itself has the last word; where apt_pkg strays, a note says so.
        if o == real:
            out.agree += 1
        else:
            out.disagree.append((a, b, o, real, "apt_pkg %d" % r if r != real else ""))
    out.checks.append(("dpkg --compare-versions on a random %d of the pairs, every pair where ours and apt_pkg "
                       "differ and every pair with a string dpkg warns about (%d in all)" % (sample_n, len(ask)),
                       len(ask), []))
    if apt_off:
        out.notes.append("apt_pkg differs from the dpkg binary on %d pairs (ours agrees with dpkg on %d of them), e.g. %s" % (
            len(apt_off), sum(1 for *_, d, o in apt_off if o == d),
            "; ".join("%s vs %s: apt_pkg %d, dpkg %d" % (show(a), show(b), r, d) for a, b, r, d, _ in apt_off[:3])))
    warnings = sum(1 for s in strings if status[s][0] == "warning")
    out.notes.append("%d strings dpkg compares with a warning (compared; invalid for version_valid_dpkg)" % warnings)
    return out


# --- rpm -------------------------------------------------------------------

class RpmSpecChecker:
    """Whether rpmbuild accepts a string's parts as Epoch, Version, Release.

    rpm.spec() parses a spec file with librpmbuild; its complaints go to
    file descriptor 2, which is pointed at a temporary file for the call so
    the reason can be read back. Strings rpmbuild would treat as macro
    syntax, comments or several tokens are not asked (they are not what a
    spec file would carry)."""

    UNASKABLE = re.compile(r"[%{}#\\\s]|[^\x21-\x7e]")

    def __init__(self, parent):
        import rpm
        self.rpm = rpm
        self.dir = tempfile.mkdtemp(dir=parent)
        self.spec = os.path.join(self.dir, "t.spec")
        self.log = os.path.join(self.dir, "log")

    def check(self, s):
        """True/False, or None when not asked; and rpmbuild's reason."""
        if not s or self.UNASKABLE.search(s):
            return None, ""
        m = re.match(r"([0-9]*):", s)
        epoch = m.group(1) if m else None
        rest = s[m.end():] if m else s
        version, release = rest.rsplit("-", 1) if "-" in rest else (rest, None)
        lines = ["Name: t", "Version: " + version, "Release: " + (release if release is not None else "1")]
        if epoch is not None:
            lines.append("Epoch: " + epoch)
        lines += ["Summary: t", "License: MIT", "%description", "t", ""]
        with open(self.spec, "w") as f:
            f.write("\n".join(lines))
        sys.stderr.flush()
        saved = os.dup(2)
        fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.dup2(fd, 2)
            try:
                self.rpm.spec(self.spec)
                ok = True
            except Exception:  # rpm raises a bare ValueError on any refusal
                ok = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(fd)
        with open(self.log, errors="replace") as f:
            reason = " ".join(line.split(": ", 2)[-1].strip() for line in f if "error" in line)
        return ok, reason


def check_rpm(pairs, ours, our_valid, args):
    import rpm
    out = Outcome("rpm", "rpm.labelCompare on rpm.ver's (e, v, r) (python3-rpm %s); rpmbuild for validity" % rpm.__version__)
    parsed = {}
    for s in {s for a, b in pairs for s in (a, b)}:
        try:
            v = rpm.ver(s)
            parsed[s] = (v.e, v.v, v.r)
        except ValueError:  # rpm.ver refuses the empty string
            parsed[s] = None

    consistency = []
    for (a, b), o in zip(pairs, ours):
        out.pairs += 1
        if parsed[a] is None or parsed[b] is None:
            out.refused += 1
            continue
        try:
            r = sign(rpm.labelCompare(parsed[a], parsed[b]))
        except ValueError:  # labelCompare refuses an empty version part
            out.refused += 1
            continue
        # rpm.ver's own comparison (rpmverCmp, also Lua's rpm.vercmp) skips
        # the release when only one side has one; rpm.c documents that it
        # follows labelCompare instead, for transitivity. Elsewhere the two
        # rpm entry points must agree, or the reference itself is in doubt.
        va, vb = rpm.ver(a), rpm.ver(b)
        rv = (va > vb) - (va < vb)
        one_sided = (parsed[a][2] is None) != (parsed[b][2] is None)
        if rv != r and not one_sided:
            consistency.append("%s vs %s: labelCompare %d, rpm.ver %d" % (show(a), show(b), r, rv))
        if o == r:
            out.agree += 1
            if rv != r:
                out.depart(out.departures, "rpm.vercmp ignores a one-sided release; ours and labelCompare do not",
                           (a, b, o, rv))
        else:
            out.disagree.append((a, b, o, r, ""))
    out.checks.append(("rpm.ver (rpmverCmp) agrees with labelCompare where both or neither have a release",
                       out.pairs - out.refused, consistency))

    if args.rpm_validity:
        strings = sorted(parsed)
        # A few milliseconds a spec file: spread over processes, each with
        # its own checker (and so its own file descriptor 2), writing into a
        # tmpfs where there is one, as a disk makes every small file slow.
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        parent = tempfile.mkdtemp(prefix="asec-version-diff-", dir=shm)
        try:
            with multiprocessing.Pool(args.jobs, initializer=rpm_spec_worker_init, initargs=(parent,)) as pool:
                verdicts = pool.map(rpm_spec_worker_check, strings, chunksize=64)
        finally:
            shutil.rmtree(parent, ignore_errors=True)
        for s, (ok, reason) in zip(strings, verdicts):
            if ok is None:
                out.validity_skipped += 1
                continue
            out.validity_checked += 1
            if bool(our_valid[s]) != ok:
                out.validity_mismatch.append((s, our_valid[s], int(ok), "rpmbuild: " + (reason or "accepts it")))
    return out


_rpm_spec_checker = None


def rpm_spec_worker_init(parent):
    global _rpm_spec_checker
    _rpm_spec_checker = RpmSpecChecker(parent)


def rpm_spec_worker_check(s):
    return _rpm_spec_checker.check(s)


# --- PEP 440 ---------------------------------------------------------------

def check_pep440(pairs, ours, our_valid):
    import packaging
    from packaging.version import InvalidVersion, Version
    out = Outcome("pypi", "packaging.version.Version (python3-packaging %s)" % packaging.__version__)
    parsed = {}
    for s in {s for a, b in pairs for s in (a, b)}:
        try:
            parsed[s] = Version(s)
        except InvalidVersion:
            parsed[s] = None
        out.validity_checked += 1
        if bool(our_valid[s]) != (parsed[s] is not None):
            out.validity_mismatch.append((s, our_valid[s], int(parsed[s] is not None), "packaging"))
    for (a, b), o in zip(pairs, ours):
        out.pairs += 1
        if parsed[a] is None or parsed[b] is None:
            out.refused += 1
            continue
        r = (parsed[a] > parsed[b]) - (parsed[a] < parsed[b])
        if o == r:
            out.agree += 1
        else:
            out.disagree.append((a, b, o, r, ""))
    return out


# --- node-semver -----------------------------------------------------------

def run_semver_ref(node, lines):
    if not lines:
        return []
    proc = subprocess.run([node, os.path.join(HERE, "semver_ref.mjs")], input="".join(l + "\n" for l in lines).encode(),
                          capture_output=True, cwd=HERE)
    if proc.returncode != 0:
        sys.exit("check: semver_ref.mjs failed (exit %d): %s" % (proc.returncode, proc.stderr.decode(errors="replace")))
    out = [line.split(" ") for line in proc.stdout.decode().splitlines()]
    if len(out) != len(lines):
        sys.exit("check: semver_ref.mjs answered %d lines for %d" % (len(out), len(lines)))
    return out


def check_semver(eco, pairs, ours, our_valid, ref):
    loose = eco == "npm"
    out = Outcome(eco, "npm semver %s (%s)" % (semver_version(), "compareLoose" if loose else "compare"))
    why_invalid = {}
    for (a, b), o, (va, vb, cmp, exact, wa, wb) in zip(pairs, ours, ref):
        out.pairs += 1
        why_invalid[a], why_invalid[b] = wa, wb
        if cmp == "x":
            out.refused += 1
            continue
        r = int(cmp)
        if o == r:
            out.agree += 1
        elif exact != "-" and o == int(exact):
            # semver.c: numbers of any length compare exactly; node-semver
            # compares prerelease numbers past 2^53 as floating point, and
            # this pair differs by that rounding alone.
            out.depart(out.departures, "prerelease number past 2^53 (node-semver compares it as a float)", (a, b, o, r))
        else:
            out.disagree.append((a, b, o, r, "node-semver without float rounding: %s" % exact if exact != "-" else ""))
    if not loose:
        for s, why in sorted(why_invalid.items()):
            ref_ok = why == "ok"
            out.validity_checked += 1
            if bool(our_valid[s]) == ref_ok:
                continue
            if our_valid[s] and why == "range":
                # semver.c accepts major/minor/patch of any size; node-semver
                # refuses those past Number.MAX_SAFE_INTEGER.
                out.depart(out.validity_departures, "major/minor/patch past 2^53-1 (node-semver refuses it)", s)
            else:
                out.validity_mismatch.append((s, our_valid[s], int(ref_ok), "semver: " + why))
    return out


def semver_version():
    try:
        with open(os.path.join(HERE, "node_modules", "semver", "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


# --- report ------------------------------------------------------------------

def report(o, nshow):
    label = LABELS[o.eco]
    compared = o.pairs - o.refused
    departed = sum(len(v) for v in o.departures.values())
    print("== %s (%s): %d pairs, %d compared (the rest refused by the reference), %d agree, %d disagree, %d departures"
          % (label, o.eco, o.pairs, compared, o.agree, len(o.disagree), departed))
    print("   reference: %s" % o.reference)
    for a, b, ours, ref, extra in o.disagree[:nshow]:
        print("   DISAGREE %s vs %s: ours %d, reference %d%s" % (show(a), show(b), ours, ref, " (%s)" % extra if extra else ""))
    if len(o.disagree) > nshow:
        print("   ... and %d more" % (len(o.disagree) - nshow))
    for reason, items in sorted(o.departures.items()):
        a, b, ours, ref = items[0]
        print("   departure (documented, not a failure): %s: %d pairs, e.g. %s vs %s: ours %d, reference %d"
              % (reason, len(items), show(a), show(b), ours, ref))
    if o.validity_checked or o.validity_mismatch:
        print("   validity: %d strings checked%s, %d disagree" % (
            o.validity_checked, " (%d not askable)" % o.validity_skipped if o.validity_skipped else "",
            len(o.validity_mismatch)))
        for s, ours, ref, detail in o.validity_mismatch[:nshow]:
            print("   VALIDITY %s: ours %s, reference %s (%s)" % (show(s), "valid" if ours else "invalid",
                                                                 "valid" if ref else "invalid", detail))
        if len(o.validity_mismatch) > nshow:
            print("   ... and %d more" % (len(o.validity_mismatch) - nshow))
    for reason, items in sorted(o.validity_departures.items()):
        print("   validity departure (documented, not a failure): %s: %d strings, e.g. %s" % (reason, len(items), show(items[0])))
    for name, checked, failures in o.checks:
        print("   check: %s: %s" % (name, "ok" if not failures else "%d FAILED" % len(failures)))
        for line in failures[:nshow]:
            print("   CHECK FAILED %s" % line)
    for note in o.notes:
        print("   note: %s" % note)
    print("   %s: %s" % (label, "FAILED" if o.failed() else "passed"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vercmp", required=True, help="the asec-vercmp binary")
    p.add_argument("--pairs", required=True, help="pairs from generate.py")
    p.add_argument("--node", default="node")
    p.add_argument("--seed", type=int, default=1, help="seed of the dpkg binary sample")
    p.add_argument("--dpkg-binary-sample", type=int, default=200,
                   help="pairs also run through the dpkg binary (0: all of them; default %(default)s)")
    p.add_argument("--no-rpm-validity", dest="rpm_validity", action="store_false",
                   help="skip asking rpmbuild about every rpm string")
    p.add_argument("--show", type=int, default=20, help="disagreements listed per ecosystem")
    p.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    args = p.parse_args()

    by_eco = {}
    with open(args.pairs, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0] not in LABELS:
                sys.exit("check: %s:%d: not ECOSYSTEM<TAB>A<TAB>B with a known ecosystem" % (args.pairs, n))
            by_eco.setdefault(fields[0], []).append((fields[1], fields[2]))

    lines = ["%s\t%s\t%s" % (eco, a, b) for eco in ORDER for a, b in by_eco.get(eco, [])]
    answers = iter(run_vercmp(args.vercmp, lines))
    ours = {eco: [next(answers) for _ in by_eco.get(eco, [])] for eco in ORDER}

    # Our validity for each distinct string, where we have a rule.
    vlines = sorted({(eco, s) for eco in ("deb", "rpm", "pypi", "semver") for a, b in by_eco.get(eco, []) for s in (a, b)})
    valid = dict(zip(vlines, run_vercmp(args.vercmp, ["%s\t%s" % v for v in vlines], valid=True)))
    our_valid = {eco: {s: v for (e, s), v in valid.items() if e == eco} for eco in ORDER}

    semver_lines = ["%s\t%s\t%s" % (eco, a, b) for eco in ("semver", "npm") for a, b in by_eco.get(eco, [])]
    semver_answers = iter(run_semver_ref(args.node, semver_lines))
    semver_ref = {eco: [next(semver_answers) for _ in by_eco.get(eco, [])] for eco in ("semver", "npm")}

    outcomes = []
    for eco in ORDER:
        pairs = by_eco.get(eco)
        if not pairs:
            continue
        if eco == "deb":
            o = check_dpkg(pairs, ours[eco], our_valid[eco], args, args.jobs)
        elif eco == "rpm":
            o = check_rpm(pairs, ours[eco], our_valid[eco], args)
        elif eco == "pypi":
            o = check_pep440(pairs, ours[eco], our_valid[eco])
        else:
            o = check_semver(eco, pairs, ours[eco], our_valid.get(eco, {}), semver_ref[eco])
        report(o, args.show)
        outcomes.append(o)

    failed = sum(1 for o in outcomes if o.failed())
    print("version-diff: %d passed, %d failed" % (len(outcomes) - failed, failed))
    sys.exit(1 if failed or not outcomes else 0)


if __name__ == "__main__":
    main()
