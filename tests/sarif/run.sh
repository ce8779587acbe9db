#!/usr/bin/env bash
# tests/sarif/run.sh BUILD_DIR - roxctl's SARIF output against the SARIF
# 2.1.0 JSON schema and GitHub code scanning's rules.
#
# scan-output-dump (built from services/roxctl) prints the SARIF that
# `roxctl image scan -o sarif` prints, for the hand-written Image fixtures in
# services/roxctl/testdata: all findings, a severity filter, hostile strings,
# and an image without findings. validate.mjs checks each log and then checks
# that broken logs are refused. The last line is
# "sarif: N passed, N failed"; the exit status is non-zero on any failure.
#
# It installs no Debian package: a missing node or npm is named and counted
# as a failure. The one thing it fetches is the npm packages at the versions
# package-lock.json pins, with `npm ci`, when node_modules does not already
# hold exactly those.
#
# check-output-dump does the same for `roxctl image check -o sarif` and
# `roxctl deployment check -o sarif`, from the hand-written detection answers
# services/roxctl/testdata/check-*.json: an image with failing and warning
# policies, a deployment answer with two runs, hostile strings, and an
# image without alerts.
#
#   ASEC_SCAN_OUTPUT_DUMP=PATH   the scan-output-dump binary, if not in BUILD_DIR
#   ASEC_CHECK_OUTPUT_DUMP=PATH  the check-output-dump binary, if not in BUILD_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fixtures="$root/services/roxctl/testdata"

fail() {
	echo "sarif: $*" >&2
	echo "sarif: 0 passed, 1 failed"
	exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1

dump=${ASEC_SCAN_OUTPUT_DUMP:-$build/services/roxctl/scan-output-dump}
[ -x "$dump" ] || fail "no scan-output-dump at $dump (build the scan-output-dump target)"
check_dump=${ASEC_CHECK_OUTPUT_DUMP:-$build/services/roxctl/check-output-dump}
[ -x "$check_dump" ] || fail "no check-output-dump at $check_dump (build the check-output-dump target)"
command -v node >/dev/null 2>&1 || fail "node is missing (package nodejs)"
command -v npm >/dev/null 2>&1 || fail "npm is missing (package npm)"

# npm ci only when an installed package differs from the lock (or is absent).
stale=$(node -e '
	const fs = require("fs"), path = require("path");
	const dir = process.argv[1];
	const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
	for (const [where, meta] of Object.entries(lock.packages)) {
		if (!where) continue;
		let have = null;
		try { have = JSON.parse(fs.readFileSync(path.join(dir, where, "package.json"), "utf8")).version; } catch {}
		if (have !== meta.version) { console.log(where); break; }
	}' "$here")
if [ -n "$stale" ]; then
	echo "== installing the npm packages package-lock.json pins ($stale is not there)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in $here"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/asec-sarif.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf '{"id":"sha256:%064d","name":{"fullName":"registry.example:5000/clean/app:1"},"scan":{"components":[{"name":"musl","version":"1.2.5-r0","vulns":[]}]}}\n' 0 \
	>"$work/empty.json"

"$dump" -o sarif --tool-version 0.0.0-test "$fixtures/image-scan.json" >"$work/all.sarif" ||
	fail "scan-output-dump failed on image-scan.json"
"$dump" -o sarif --severity CRITICAL,IMPORTANT "$fixtures/image-scan.json" >"$work/critical-important.sarif" ||
	fail "scan-output-dump --severity failed on image-scan.json"
"$dump" -o sarif "$fixtures/image-scan-hostile.json" >"$work/hostile.sarif" ||
	fail "scan-output-dump failed on image-scan-hostile.json"
"$dump" -o sarif --image "nginx@sha256:$(printf '%064d' 1)" "$work/empty.json" >"$work/no-findings.sarif" ||
	fail "scan-output-dump failed on an image without findings"

"$check_dump" image -o sarif --tool-version 0.0.0-test --name nginx:1.25 "$fixtures/check-image-alerts.json" \
	>"$work/check-image.sarif" || fail "check-output-dump failed on check-image-alerts.json"
"$check_dump" deployment -o sarif --name "k8s/word press.yaml" "$fixtures/check-deploy-response.json" \
	>"$work/check-deploy.sarif" || fail "check-output-dump failed on check-deploy-response.json"
"$check_dump" image -o sarif --name "10.0.0.1:5000/x y@sha256:$(printf '%064d' 2)" "$fixtures/check-hostile-alerts.json" \
	>"$work/check-hostile.sarif" || fail "check-output-dump failed on check-hostile-alerts.json"
echo '{"alerts":[]}' >"$work/check-clean.json"
"$check_dump" image -o sarif --name nginx:1.25 "$work/check-clean.json" >"$work/check-clean.sarif" ||
	fail "check-output-dump failed on an image without alerts"

echo "== SARIF 2.1.0 schema ($(cd "$here" && node -p 'require("@microsoft/jest-sarif/package.json").version') of @microsoft/jest-sarif) and GitHub's rules"
cd "$here"
node validate.mjs "$work/all.sarif=17" "$work/critical-important.sarif=9" "$work/hostile.sarif=5" \
	"$work/no-findings.sarif=0" "$work/check-image.sarif=6" "$work/check-deploy.sarif=3" \
	"$work/check-hostile.sarif=4" "$work/check-clean.sarif=0"
