#!/usr/bin/env bash
# tests/version-diff/run.sh BUILD_DIR - differential tests of shared/version.
#
# Generates seeded version pairs (generate.py) and holds asec-vercmp's answers
# against the real implementations (check.py): dpkg and python3-apt,
# python3-rpm (and rpmbuild), python3-packaging, and npm's semver package.
# One test per ecosystem (dpkg, rpm, pep440, semver, semver-loose); the last
# line is "version-diff: N passed, N failed" and the exit status is non-zero
# on any failure.
#
# It installs no Debian package (scripts/lib/deps.sh does): a missing tool is
# named and counted as a failure, never skipped. The one thing it fetches is
# npm's semver at the version package-lock.json pins, with `npm ci`, when
# node_modules does not already hold exactly that.
#
#   ASEC_VERSION_DIFF_SEED=N          seed of the pairs (default 1: the same
#                                     pairs every run; pick another to explore)
#   ASEC_VERSION_DIFF_COUNT=N         pairs per ecosystem (default 3000)
#   ASEC_VERSION_DIFF_DPKG_SAMPLE=N   pairs also run through the dpkg binary
#                                     (default 200; 0 means all)
#   ASEC_VERCMP=PATH                  the asec-vercmp binary, if not in BUILD_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seed=${ASEC_VERSION_DIFF_SEED:-1}
count=${ASEC_VERSION_DIFF_COUNT:-3000}
dpkg_sample=${ASEC_VERSION_DIFF_DPKG_SAMPLE:-200}

fail() {
	echo "version-diff: $*" >&2
	echo "version-diff: 0 passed, 1 failed"
	exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1

vercmp=${ASEC_VERCMP:-}
if [ -z "$vercmp" ]; then
	for candidate in "$build/tools/vercmp/asec-vercmp" "$build/asec-vercmp"; do
		if [ -x "$candidate" ]; then
			vercmp=$candidate
			break
		fi
	done
fi
[ -n "$vercmp" ] && [ -x "$vercmp" ] || fail "no asec-vercmp in $build/tools/vercmp (build the asec-vercmp target)"

# Debian's python3 carries apt_pkg, rpm and packaging; a python3 from a
# version manager earlier on PATH does not.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
missing=()
command -v dpkg >/dev/null 2>&1 || missing+=("dpkg (package dpkg)")
"$python" -c 'import apt_pkg' 2>/dev/null || missing+=("apt_pkg (package python3-apt)")
"$python" -c 'import rpm' 2>/dev/null || missing+=("rpm (package python3-rpm)")
"$python" -c 'import packaging.version' 2>/dev/null || missing+=("packaging (package python3-packaging)")
command -v node >/dev/null 2>&1 || missing+=("node (package nodejs)")
command -v npm >/dev/null 2>&1 || missing+=("npm (package npm)")
[ ${#missing[@]} -eq 0 ] || fail "missing: ${missing[*]}"

pinned=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/semver"]["version"])' \
	"$here/package-lock.json")
installed=$(node -p 'require(process.argv[1]).version' "$here/node_modules/semver/package.json" 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
	echo "== installing npm semver $pinned (pinned by package-lock.json)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in $here"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/asec-version-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== version-diff: seed $seed, $count pairs per ecosystem, $vercmp"
"$python" "$here/generate.py" --seed "$seed" --count "$count" --out "$work/pairs.tsv" || fail "generate.py failed"
status=0
"$python" "$here/check.py" --vercmp "$vercmp" --pairs "$work/pairs.tsv" --seed "$seed" \
	--dpkg-binary-sample "$dpkg_sample" 2>&1 | tee "$work/check.log" || status=$?
# check.py ends with the summary line unless it stopped on the way.
if ! tail -n 1 "$work/check.log" | grep -qE '^version-diff: [0-9]+ passed, [0-9]+ failed$'; then
	fail "check.py stopped (exit $status) before its summary"
fi
exit "$status"
