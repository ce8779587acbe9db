#!/usr/bin/env python3
"""generate.py - seeded version pairs for the differential tests.

Writes lines "ECOSYSTEM<TAB>A<TAB>B" (the input format of asec-vercmp) for
the ecosystems that have a real implementation to compare against: deb
(dpkg), rpm, pypi (PEP 440), semver (strict SemVer) and npm (node-semver
loose).

Random versions seldom sit close enough together to find a comparator bug:
two independent strings usually differ in their first number. So most pairs
are built to be near each other - one version and a few edits of it, two
spellings of the same version, a shared prefix with different tails - from
grammar pieces each ecosystem really has (epochs, "~" and "^", pre/post/dev
releases, local labels, build metadata, leading zeros, numbers past 64 bits)
and from edits of the upstream vectors in ../shared/fixtures/version-vectors
when that folder is there. Edits are character level too, so every pair set
also holds strings the ecosystem rejects; the checker compares those only
where the reference accepts both sides, and holds our validity rule against
the reference's.

Every ecosystem draws from its own generator seeded with "SEED:ECOSYSTEM",
so changing one ecosystem's count leaves the others' pairs as they were.
Strings stay below VERSION_MAX_LEN (256) and hold no tab or newline; dpkg
strings are ASCII without blanks (see DPKG_ALPHABET for why).
"""

import argparse
import os
import random
import sys

ECOSYSTEMS = ("deb", "rpm", "pypi", "semver", "npm")
DEFAULT_COUNT = 3000
MAX_LEN = 200

# Fixture files mutated for each ecosystem (see SOURCES.md beside them).
FIXTURES = {
    "deb": ["dpkg.tsv"],
    "rpm": ["rpm.tsv"],
    "pypi": ["pep440.tsv"],
    "semver": ["semver.tsv"],
    "npm": ["semver.tsv", "semver-loose.tsv"],
}

# Numbers at the edges where implementations overflow or switch to floating
# point: int32/uint32 (dpkg and rpm epochs), 2^53 (JavaScript), 2^63/2^64.
EDGE_NUMBERS = [
    "2147483647", "2147483648", "4294967295", "4294967296",
    "9007199254740990", "9007199254740991", "9007199254740992", "9007199254740993",
    "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "18446744073709551617",
]

# Characters the edits insert. dpkg gets no bytes above 0x7f: dpkg orders
# them through a plain char, whose sign differs between platforms, so there
# is no one right answer; and no blanks, which dpkg trims but apt does not.
DPKG_ALPHABET = "0123456789012345abzAZ.+~-:.~_@"
RPM_ALPHABET = "0123456789012345abzAZ._+~^-:.~^@%,\u00e9"
PEP440_ALPHABET = "0123456789abcdeprstvlACRV.-_+! "
SEMVER_ALPHABET = "0123456789abzAZ.-+v= x"

WORDS = ["a", "b", "rc", "alpha", "beta", "pre", "dev", "git", "svn", "dfsg", "ds",
         "really", "bpo", "deb", "ubuntu", "build", "nmu", "el", "fc", "post", "p", "z"]


def number(r, huge=0.06):
    """A decimal string: mostly small, sometimes zero-padded, or (with
    probability huge) at an overflow edge or past 64 bits."""
    x = r.random()
    if x < huge:
        return r.choice(EDGE_NUMBERS) if x < huge / 2 else (
            str(r.randint(1, 9)) + "".join(r.choice("0123456789") for _ in range(r.randint(19, 40))))
    x = r.random()
    if x < 0.15:
        return "0"
    if x < 0.55:
        return str(r.randint(1, 9))
    if x < 0.74:
        return str(r.randint(10, 99))
    if x < 0.84:
        return str(r.randint(100, 99999))
    return "0" * r.randint(1, 3) + str(r.randint(0, 99))


def plain_number(r, huge=0.06):
    """A number without leading zeros (what strict grammars want)."""
    return str(int(number(r, huge)))


def word(r):
    return r.choice(WORDS)


def hexid(r):
    return "".join(r.choice("0123456789abcdef") for _ in range(r.randint(4, 10)))


# --- dpkg: [epoch:]upstream[-revision] ------------------------------------

def dpkg_upstream(r):
    parts = [number(r) if r.random() < 0.95 else word(r)]
    for _ in range(r.randint(0, 5)):
        x = r.random()
        if x < 0.40:
            parts.append("." + number(r))
        elif x < 0.52:
            parts.append("~" + r.choice(["", "~", word(r), word(r) + number(r)]))
        elif x < 0.64:
            parts.append("+" + r.choice([word(r), word(r) + number(r), "git" + "2023" + number(r) + "." + hexid(r)]))
        elif x < 0.76:
            parts.append(word(r) + r.choice(["", number(r)]))
        elif x < 0.84:
            parts.append("-" + number(r))
        elif x < 0.88:
            parts.append(":" + number(r))
        else:
            parts.append(r.choice(["~", "+", ".", "~~", "+~", "~+"]))
    return "".join(parts)


def dpkg_revision(r):
    n = number(r)
    return r.choice([
        n, n, "0ubuntu" + number(r), n + "+deb" + number(r) + "u" + number(r),
        n + "~bpo" + number(r) + "+" + number(r), "0." + n, n + "build" + number(r),
        n + "." + number(r), n + "~" + word(r) + number(r), word(r) + n, "~" + n,
    ])


def dpkg_version(r):
    epoch = ""
    if r.random() < 0.35:
        epoch = r.choice(["0", "1", "2", "00", "01", number(r), number(r)])
        if r.random() < 0.1:
            # dpkg reads the epoch with strtol(): "+1" and "-0" are epochs too.
            epoch = r.choice(["+1", "-0", "+0", "-00", "-1", "+", "+" + number(r)])
        epoch += ":"
    rev = ""
    if r.random() < 0.6:
        rev = "-" + dpkg_revision(r)
    return epoch + dpkg_upstream(r) + rev


def dpkg_variant(r, v):
    """Another spelling that dpkg may or may not see as equal."""
    x = r.random()
    if x < 0.3 and ":" not in v:
        return "0:" + v
    if x < 0.5 and "-" not in v:
        return v + r.choice(["-0", "-00", "-0~", "-"])
    if x < 0.7:
        return v + r.choice(["~", "~~", "+", ".0", "0", "a", "~a", ".", "+0"])
    return zero_pad(r, v)


# --- rpm: [epoch:]version[-release] --------------------------------------

def rpm_version_part(r):
    parts = [number(r) if r.random() < 0.9 else word(r)]
    for _ in range(r.randint(0, 5)):
        x = r.random()
        if x < 0.40:
            parts.append("." + number(r))
        elif x < 0.50:
            parts.append("~" + r.choice(["", word(r), word(r) + number(r), number(r)]))
        elif x < 0.60:
            parts.append("^" + r.choice(["", "git" + hexid(r), "post" + number(r), number(r), "20230101git" + hexid(r)]))
        elif x < 0.70:
            parts.append(word(r) + r.choice(["", number(r)]))
        elif x < 0.78:
            parts.append(r.choice(["_", "+", "."]) + r.choice([number(r), word(r)]))
        elif x < 0.86:
            parts.append(r.choice(["..", "._", "~~", "^^", "~^", "^~", ".", "_", "+", "~", "^"]))
        elif x < 0.92:
            parts.append(r.choice(["@", ",", "%", "\u00e9", "=", "!"]) + number(r))
        else:
            parts.append(number(r))
    return "".join(parts)


def rpm_release(r):
    n = number(r)
    return r.choice([
        n, n, n + ".el" + number(r), n + ".fc" + number(r), n + ".el9_" + number(r),
        "0." + n + "." + word(r) + number(r), n + ".module+el8." + number(r) + ".0+" + number(r) + "+" + hexid(r),
        n + "~" + word(r), n + "^" + word(r) + number(r), rpm_version_part(r),
    ])


def rpm_version(r):
    epoch = ""
    if r.random() < 0.3:
        epoch = r.choice(["0", "1", "2", "00", "", number(r)]) + ":"
    rel = ""
    if r.random() < 0.6:
        rel = "-" + rpm_release(r)
    return epoch + rpm_version_part(r) + rel


def rpm_variant(r, v):
    x = r.random()
    if x < 0.25 and ":" not in v:
        return r.choice(["0:", ":", "00:"]) + v
    if x < 0.45:
        return v + r.choice(["~", "^", ".", "_", "-", "-0", "-~", "-^", ".0", "a", "~rc1", "^1"])
    if x < 0.65:
        # Different separators between the same segments.
        return "".join(r.choice("._+") if c in "._+" else c for c in v)
    return zero_pad(r, v)


# --- PEP 440 -------------------------------------------------------------

def pep440_sep(r):
    return r.choice(["", "", "", ".", "-", "_"])


def pep440_version(r):
    s = ""
    if r.random() < 0.08:
        s += r.choice(["v", "V"])
    if r.random() < 0.15:
        s += r.choice(["0", "1", "2", "00", number(r)]) + "!"
    s += ".".join(number(r) for _ in range(r.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 5])))
    if r.random() < 0.35:
        kw = r.choice(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Beta"])
        s += pep440_sep(r) + kw + pep440_sep(r) + (number(r) if r.random() < 0.8 else "")
    if r.random() < 0.25:
        if r.random() < 0.3:
            s += "-" + number(r)
        else:
            kw = r.choice(["post", "rev", "r", "POST", "Rev"])
            s += pep440_sep(r) + kw + pep440_sep(r) + (number(r) if r.random() < 0.8 else "")
    if r.random() < 0.25:
        s += pep440_sep(r) + r.choice(["dev", "DEV", "Dev"]) + pep440_sep(r) + (number(r) if r.random() < 0.8 else "")
    if r.random() < 0.2:
        segs = [r.choice([number(r), word(r), word(r) + number(r), hexid(r), "ubuntu", "Local"]) for _ in range(r.randint(1, 4))]
        s += "+" + "".join(seg + (r.choice(".-_") if i + 1 < len(segs) else "") for i, seg in enumerate(segs))
    if r.random() < 0.04:
        s = r.choice([" ", "  "]) + s + r.choice(["", " "])
    return s


def pep440_variant(r, v):
    x = r.random()
    if x < 0.2:
        return v.upper() if r.random() < 0.5 else v.lower()
    if x < 0.35:
        return v + r.choice([".0", ".0.0", "0", ".post0", ".dev0", "a0", "+0", "+a", "-0"])
    if x < 0.5 and "!" not in v:
        return r.choice(["0!", "00!", "1!"]) + v
    if x < 0.65:
        return "".join(r.choice(".-_") if c in ".-_" and i > 0 and not v[i - 1].isdigit() else c
                       for i, c in enumerate(v))
    return zero_pad(r, v)


# --- SemVer (strict) and node-semver loose --------------------------------

def semver_ident(r, loose):
    x = r.random()
    if x < 0.35:
        return r.choice(["alpha", "beta", "rc", "pre", "x", "a", "b", "Z", "SNAPSHOT", "dev"])
    if x < 0.65:
        return number(r) if loose or r.random() < 0.2 else plain_number(r)
    if x < 0.80:
        return r.choice(["alpha-1", "1a", "a1", "-", "--", "-1", "0a", "x-y-z", "01a", "a.b"])
    return word(r) + number(r)


def semver_version(r, loose=False):
    # node-semver refuses a major, minor or patch past 2^53, so those are rarer
    # here than elsewhere: enough to see, few enough to leave pairs to compare.
    num = (lambda: number(r, 0.02)) if loose else (lambda: plain_number(r, 0.02) if r.random() < 0.95 else number(r, 0.02))
    s = ""
    if loose:
        s += r.choice(["", "", "", "v", "=", "v=", "=v", " ", " v", "= ", "v ", "==", "vv"])
    elif r.random() < 0.15:
        s += "v"
    s += num() + "." + num() + "." + num()
    if r.random() < 0.5:
        hyphen = "-" if not loose or r.random() < 0.7 else ""
        s += hyphen + ".".join(semver_ident(r, loose) for _ in range(r.randint(1, 4)))
    if r.random() < 0.2:
        s += "+" + ".".join(r.choice(["build", "001", "sha", hexid(r), number(r), "exp-1"]) for _ in range(r.randint(1, 3)))
    return s


def semver_variant(r, v):
    x = r.random()
    if x < 0.3:
        return v + "+" + r.choice(["build.1", "0", "meta", "x-y"])
    if x < 0.45:
        return ("v" + v) if not v.startswith("v") else v[1:]
    if x < 0.6:
        return v + r.choice([".0", "-0", "-a", ".a", "-1", ".1"]) if "-" in v else v + r.choice(["-0", "-a", "-1", "-alpha"])
    return zero_pad(r, v)


# --- edits shared by all -------------------------------------------------

def digit_runs(s):
    runs, i = [], 0
    while i < len(s):
        if s[i].isdigit() and s[i].isascii():
            j = i
            while j < len(s) and s[j].isdigit() and s[j].isascii():
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def zero_pad(r, v):
    runs = digit_runs(v)
    if not runs:
        return v + "0"
    i, _ = r.choice(runs)
    return v[:i] + "0" * r.randint(1, 3) + v[i:]


def bump(r, v):
    runs = digit_runs(v)
    if not runs:
        return v + number(r)
    i, j = r.choice(runs)
    n = int(v[i:j])
    new = r.choice([str(n + 1), str(max(n - 1, 0)), "0" + v[i:j], number(r), v[i:j] + "0", str(n * 10 + 9)])
    return v[:i] + new + v[j:]


def mutate(r, v, alphabet, pieces):
    """One to three edits: characters, numbers, segments or whole pieces."""
    for _ in range(r.randint(1, 3)):
        x = r.random()
        pos = r.randint(0, len(v))
        if x < 0.18:
            v = v[:pos] + r.choice(alphabet) + v[pos:]
        elif x < 0.30 and v:
            pos = min(pos, len(v) - 1)
            v = v[:pos] + v[pos + 1:]
        elif x < 0.42 and v:
            pos = min(pos, len(v) - 1)
            v = v[:pos] + r.choice(alphabet) + v[pos + 1:]
        elif x < 0.62:
            v = bump(r, v)
        elif x < 0.80:
            v = v + pieces(r)
        elif x < 0.88 and len(v) > 1:
            pos = min(pos, len(v) - 2)
            v = v[:pos] + v[pos + 1] + v[pos] + v[pos + 2:]
        elif x < 0.94 and v:
            v = v[:pos] if pos else v[:-1]
        else:
            cut = r.randint(0, len(v))
            v = v[:cut] + v[r.randint(0, cut):]  # repeat a stretch
    return v


def dpkg_piece(r):
    return r.choice(["~", "~rc" + number(r), "+b" + number(r), ".0", "." + number(r), "-" + number(r),
                     "+dfsg", "a", "0", "~~", "+really" + number(r), ":" + number(r)])


def rpm_piece(r):
    return r.choice(["~", "~rc" + number(r), "^", "^git" + hexid(r), ".0", "." + number(r), "-" + number(r),
                     "_" + number(r), "a", "0", "~~", "^^", ".el8", "+" + word(r)])


def pep440_piece(r):
    return r.choice([".0", "." + number(r), "a" + number(r), "b", "rc" + number(r), ".post" + number(r),
                     "-" + number(r), ".dev" + number(r), "dev", "+local", "+" + number(r), ".1.2", "r", "c"])


def semver_piece(r):
    return r.choice(["-alpha", "-" + number(r), "." + number(r), "+build", "+" + number(r), "-rc.1",
                     ".a", "-0", "--", "a"])


GRAMMAR = {
    "deb": (dpkg_version, dpkg_variant, DPKG_ALPHABET, dpkg_piece),
    "rpm": (rpm_version, rpm_variant, RPM_ALPHABET, rpm_piece),
    "pypi": (pep440_version, pep440_variant, PEP440_ALPHABET, pep440_piece),
    "semver": (lambda r: semver_version(r, False), semver_variant, SEMVER_ALPHABET, semver_piece),
    "npm": (lambda r: semver_version(r, True), semver_variant, SEMVER_ALPHABET, semver_piece),
}


def fits(s, ecosystem):
    if len(s.encode()) >= MAX_LEN or "\t" in s or "\n" in s or "\r" in s:
        return False
    if ecosystem == "deb" and (not s.isascii() or " " in s):
        return False
    return True


def load_fixture_strings(fixture_dir, names):
    """Rows (a, b) of the named vector files; a missing file gives none."""
    rows = []
    for name in names:
        path = os.path.join(fixture_dir, name) if fixture_dir else ""
        if not path or not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 3 and fields[:2] != ["a", "b"]:
                    rows.append((fields[0], fields[1]))
    return rows


def make_pair(r, ecosystem, rows):
    gen, variant, alphabet, pieces = GRAMMAR[ecosystem]
    mut = lambda v: mutate(r, v, alphabet, pieces)  # noqa: E731
    x = r.random()
    if rows and x < 0.30:
        fa, fb = r.choice(rows)
        return r.choice([(mut(fa), fb), (fa, mut(fa)), (mut(fa), mut(fb)), (mut(fa), mut(fa)),
                         (fa, variant(r, fa)), (mut(fb), gen(r))])
    if x < 0.50:
        return gen(r), gen(r)
    if x < 0.75:
        a = gen(r)
        return a, mut(a)
    if x < 0.88:
        a = gen(r)
        return a, variant(r, a)
    a, b = gen(r), gen(r)
    cut = r.randint(0, len(a))
    return a, a[:cut] + b[r.randint(0, len(b)):]


def generate(ecosystem, count, seed, fixture_dir):
    r = random.Random("%d:%s" % (seed, ecosystem))
    rows = load_fixture_strings(fixture_dir, FIXTURES[ecosystem])
    pairs = []
    while len(pairs) < count:
        a, b = make_pair(r, ecosystem, rows)
        if fits(a, ecosystem) and fits(b, ecosystem):
            pairs.append((a, b) if r.random() < 0.5 else (b, a))
    return pairs, len(rows)


def default_fixture_dir():
    shared = os.environ.get("ASEC_SHARED_DIR")
    if not shared:
        shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
    return os.path.normpath(os.path.join(shared, "fixtures", "version-vectors"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=DEFAULT_COUNT, help="pairs per ecosystem (default %(default)s)")
    for eco in ECOSYSTEMS:
        p.add_argument("--count-" + eco, type=int, default=None, help="pairs for %s (default: --count)" % eco)
    p.add_argument("--only", default=",".join(ECOSYSTEMS), help="comma-separated ecosystems (default: all)")
    p.add_argument("--fixtures", default=default_fixture_dir(), help="the version-vectors folder (default %(default)s)")
    p.add_argument("--out", default="-", help="output file (default: standard output)")
    args = p.parse_args()

    only = [e for e in args.only.split(",") if e]
    for eco in only:
        if eco not in ECOSYSTEMS:
            p.error("unknown ecosystem %r (known: %s)" % (eco, " ".join(ECOSYSTEMS)))
    if not os.path.isdir(args.fixtures):
        print("generate: no fixtures at %s; grammar pairs only" % args.fixtures, file=sys.stderr)

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    try:
        for eco in only:
            count = getattr(args, "count_" + eco)
            if count is None:
                count = args.count
            pairs, nrows = generate(eco, count, args.seed, args.fixtures)
            for a, b in pairs:
                out.write("%s\t%s\t%s\n" % (eco, a, b))
            print("generate: %s: %d pairs (seed %d, %d fixture rows to mutate)" % (eco, len(pairs), args.seed, nrows),
                  file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
