#!/usr/bin/env bash
# scripts/test.sh - the whole test suite, as CI runs it.
#
#   scripts/test.sh            everything: the release build (what dev.sh runs;
#                              -O2 warns where -O0 does not), unit (debug), unit
#                              (ASan+UBSan), spec lint, contract, contract under
#                              valgrind, the portal in a real browser, fuzz
#   ASEC_FUZZ_SECONDS=N        how long each fuzz target runs (default 10)
#   ASEC_TEST_ONLY="unit lint" run only these stages (release unit asan versiondiff sarif lint contract portal valgrind fuzz)
#
# It installs what it needs (as root; otherwise it prints the apt-get line),
# starts every server the tests need (PostgreSQL on a free loopback port, in a
# temporary folder), stops them at the end whatever happens, and ends with one
# line "N passed, N failed". The exit status is non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/registry.sh
source scripts/lib/registry.sh
# shellcheck source=scripts/lib/rootfs.sh
source scripts/lib/rootfs.sh

stages=${ASEC_TEST_ONLY:-"release unit asan versiondiff sarif lint contract portal valgrind fuzz"}
fuzz_seconds=${ASEC_FUZZ_SECONDS:-10}
jobs=$(nproc 2>/dev/null || echo 2)

asec_require_packages "${ASEC_BUILD_PACKAGES[@]}" "${ASEC_TEST_PACKAGES[@]}"
asec_require_node
asec_check_python_yaml

work=$(mktemp -d "${TMPDIR:-/tmp}/asec-test.XXXXXX")
chmod 755 "$work"  # the PostgreSQL server runs as another user when we are root
pg_dir="$work/postgres"
pg_running=0
registries_running=0

cleanup() {
	local status=$?
	if [ "$registries_running" = 1 ]; then
		registry_stop "$work/registry" >/dev/null 2>&1 || true
		registry_stop "$work/registry-auth" >/dev/null 2>&1 || true
	fi
	if [ "$pg_running" = 1 ]; then
		pg_stop "$pg_dir" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failures=()

# count NAME PASSED FAILED: adds a stage's figures to the totals.
count() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	if [ "$3" -gt 0 ]; then
		failures+=("$1")
	fi
	echo "== $1: $2 passed, $3 failed"
}

want() { [[ " $stages " == *" $1 "* ]]; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

build() {
	local preset=$1
	cmake --preset "$preset" >"$work/configure-$preset.log" 2>&1 || { cat "$work/configure-$preset.log"; return 1; }
	cmake --build --preset "$preset" -j "$jobs" >"$work/build-$preset.log" 2>&1 || { tail -50 "$work/build-$preset.log"; return 1; }
}

# run_ctest PRESET: builds and runs the unit tests, counting ctest's results.
run_ctest() {
	local preset=$1 log="$work/ctest-$1.log" summary total bad
	echo "== building ($preset)"
	if ! build "$preset"; then
		count "build ($preset)" 0 1
		return
	fi
	echo "== unit tests ($preset)"
	ctest --preset "$preset" -j "$jobs" --timeout 600 2>&1 | tee "$log" || true
	summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -1 || true)
	if [ -z "$summary" ]; then
		count "unit ($preset)" 0 1
		return
	fi
	total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
	bad=$(sed -E 's/.*, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
	count "unit ($preset)" $((total - bad)) "$bad"
}

# Contract runs print "contract: N passed, N failed" as their last line.
run_contract() {
	local label=$1 log="$work/$1.log" line p f
	shift  # then: the harness part to run (all, services), and environment assignments
	(cd tests/contract && env "${@:2}" npm test --silent -- ${1:+"$1"}) 2>&1 | tee "$log" || true
	line=$(grep -E '^contract: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
	if [ -z "$line" ]; then
		count "$label" 0 1
		return
	fi
	p=$(sed -E 's/contract: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	count "$label" "$p" "$f"
}

if want unit || want asan || want contract || want portal || want valgrind; then
	pg_port=$(free_port)
	pg_running=1  # before the start: pg_stop is a no-op when nothing runs
	pg_start "$pg_dir" "$pg_port" >/dev/null
	# one database per suite that starts its own central, so that no suite
	# reads rows another sealed with its own keys
	for db in asec_test asec_roles asec_valgrind asec_portal; do pg_create_db "$pg_port" "$db" >/dev/null; done
	export ASEC_TEST_DATABASE_URL
	ASEC_TEST_DATABASE_URL=$(pg_url "$pg_port" asec_test)
fi

# Two real OCI registries (Debian's docker-registry): anonymous, and with
# htpasswd basic auth; the registry and indexer tests push images to them.
if want unit || want asan || want portal; then
	registries_running=1
	reg_port=$(free_port)
	reg_auth_port=$(free_port)
	export ASEC_TEST_REGISTRY="127.0.0.1:$reg_port" ASEC_TEST_REGISTRY_AUTH="127.0.0.1:$reg_auth_port"
	export ASEC_TEST_REGISTRY_USER ASEC_TEST_REGISTRY_PASSWORD
	ASEC_TEST_REGISTRY_USER="robot-$(od -An -N4 -tx1 /dev/urandom | tr -d " \\n")"
	ASEC_TEST_REGISTRY_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	registry_start "$work/registry" "$reg_port" >/dev/null
	registry_start "$work/registry-auth" "$reg_auth_port" "$ASEC_TEST_REGISTRY_USER" "$ASEC_TEST_REGISTRY_PASSWORD" >/dev/null
fi

# A real Debian root file system (debootstrap minbase; about a minute the first
# time, then cached per machine for 30 days) for the indexer's rootfs_e2e_test.
if want unit || want asan; then
	if rootfs_debian_minbase "$work/rootfs"; then
		export ASEC_TEST_ROOTFS_DIR="$work/rootfs"
	else
		echo "== no Debian root file system: rootfs_e2e_test will skip (and fail under CI=true)"
	fi
fi

if want release; then
	echo "== building (release)"
	if build release; then count "build (release)" 1 0; else count "build (release)" 0 1; fi
fi
want unit && run_ctest debug
if want asan; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_ctest asan
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# Version ordering against the real implementations: dpkg (and apt_pkg), rpm's
# own Python bindings, python3-packaging and npm's semver, on generated pairs.
run_version_diff() {
	local log="$work/version-diff.log" line
	bash tests/version-diff/run.sh build/debug 2>&1 | tee "$log" || true
	line=$(grep -E '^version-diff: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
	if [ -z "$line" ]; then
		count "version-diff" 0 1
		return
	fi
	count "version-diff" "$(sed -E 's/version-diff: ([0-9]+) passed.*/\1/' <<<"$line")" \
		"$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
}
if want versiondiff; then
	echo "== version ordering against dpkg, rpm, python3-packaging and npm semver"
	[ -x build/debug/tools/vercmp/asec-vercmp ] || build debug || count "build (debug)" 0 1
	run_version_diff
fi

# roxctl's SARIF output against the SARIF 2.1.0 schema (npm packages pinned in
# tests/sarif/package-lock.json) and the rules GitHub code scanning applies.
run_sarif() {
	local log="$work/sarif.log" line
	bash tests/sarif/run.sh build/debug 2>&1 | tee "$log" || true
	line=$(grep -E '^sarif: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
	if [ -z "$line" ]; then
		count "sarif" 0 1
		return
	fi
	count "sarif" "$(sed -E 's/sarif: ([0-9]+) passed.*/\1/' <<<"$line")" "$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
}
if want sarif; then
	echo "== roxctl SARIF against the SARIF 2.1.0 schema"
	[ -x build/debug/services/roxctl/scan-output-dump ] || build debug || count "build (debug)" 0 1
	run_sarif
fi

if want lint || want contract || want valgrind; then
	echo "== installing the contract suite's npm packages (pinned by package-lock.json)"
	(cd tests/contract && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 || { cat "$work/npm.log"; count "npm ci" 0 1; stages=""; }
fi

if want lint; then
	echo "== OpenAPI lint"
	if (cd tests/contract && npm run --silent lint); then count "spec lint" 1 0; else count "spec lint" 0 1; fi
fi

if want contract || want portal || want valgrind; then
	[ -x build/debug/services/central/central ] || build debug || count "build (debug)" 0 1
fi
want contract && { echo "== contract tests"; run_contract contract "" ASEC_BUILD_DIR="$root/build/debug"; }
if want contract; then
	echo "== central's role matrix: every operation x every role x missing or bad credentials"
	if (cd tests/contract && ASEC_BUILD_DIR="$root/build/debug" \
		ASEC_TEST_DATABASE_URL="$(pg_url "$pg_port" asec_roles)" node role-matrix.mjs); then
		count "role matrix" 1 0
	else
		count "role matrix" 0 1
	fi
fi
# The portal (frontend-static/): its npm packages pinned by package-lock.json,
# the production build (which fails over the 300 KB first-load budget), its
# unit tests, then the browser suite: Debian's chromium driven by
# playwright-core against the real central, indexer, matcher, PostgreSQL and
# registry. Screenshots and accessibility reports go to
# frontend-static/test-artifacts/.
run_portal() {
	local log="$work/portal.log" line
	echo "== portal: npm ci, build, unit tests"
	if ! (cd frontend-static && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm-portal.log" 2>&1; then
		cat "$work/npm-portal.log"
		count "portal npm ci" 0 1
		return
	fi
	if (cd frontend-static && node build.mjs); then count "portal build" 1 0; else count "portal build" 0 1; return; fi
	if (cd frontend-static && node --test tests/unit/); then count "portal unit" 1 0; else count "portal unit" 0 1; fi
	echo "== portal: end to end in chromium"
	(cd frontend-static && ASEC_BUILD_DIR="$root/build/debug" \
		ASEC_TEST_DATABASE_URL="$(pg_url "$pg_port" asec_portal)" node tests/e2e.mjs) 2>&1 | tee "$log" || true
	line=$(grep -E '^portal-e2e: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
	if [ -z "$line" ]; then
		count "portal e2e" 0 1
		return
	fi
	count "portal e2e" "$(sed -E 's/portal-e2e: ([0-9]+) passed.*/\1/' <<<"$line")" \
		"$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
}
want portal && run_portal
if want valgrind; then
	echo "== contract tests with every service under valgrind"
	run_contract contract-valgrind services ASEC_BUILD_DIR="$root/build/debug" \
		ASEC_TEST_DATABASE_URL="$(pg_url "$pg_port" asec_valgrind)" \
		ASEC_CONTRACT_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite"
fi

if want fuzz; then
	echo "== fuzz targets, ${fuzz_seconds}s each"
	if build fuzz; then
		while IFS= read -r target; do
			name=$(basename "$target")
			corpus="$work/corpus-$name"
			mkdir -p "$corpus"
			[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
			if "$target" -max_total_time="$fuzz_seconds" -seed="${ASEC_FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
				-artifact_prefix="$work/" "$corpus" >"$work/fuzz-$name.log" 2>&1; then
				count "fuzz $name" 1 0
			else
				tail -40 "$work/fuzz-$name.log"
				count "fuzz $name" 0 1
			fi
		done < <(find build/fuzz -type f -name '*_fuzz' -perm -u+x | sort)
	else
		count "build (fuzz)" 0 1
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed stages: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
