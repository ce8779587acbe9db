# deps.sh - the Debian packages the project needs, installed on demand.
# Sourced by scripts/dev.sh and scripts/test.sh.
#
# As root, missing packages are installed with apt-get; otherwise the one
# command that would install them is printed and the caller stops.

# What building and running the services needs.
ASEC_BUILD_PACKAGES=(
	cmake make gcc pkg-config
	libulfius-dev libjansson-dev liborcania-dev libyder-dev libmicrohttpd-dev
	libgnutls28-dev libcurl4-gnutls-dev libpq-dev libyaml-dev libcrypt-dev
	zlib1g-dev libzstd-dev libisal-dev libarchive-dev libsqlite3-dev
	python3 python3-yaml
	postgresql curl ca-certificates
)
# What the test suite needs on top: unit tests, fuzzing, valgrind, contract tests.
ASEC_TEST_PACKAGES=(
	libcmocka-dev clang libclang-rt-dev valgrind procps openssl
	docker-registry apache2-utils debootstrap zstd jq
	python3-apt python3-rpm python3-packaging
	chromium fonts-liberation
)

# Node.js and npm run the contract suite and the spec linter. A machine may
# have them from elsewhere than Debian (whose nodejs conflicts with other
# builds' bundled npm), so the commands are what is checked, not packages.
asec_require_node() {
	if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
		return 0
	fi
	asec_require_packages nodejs npm
}

asec_missing_packages() {
	local pkg missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	echo "${missing[@]}"
}

# asec_require_packages PKG... : installs (root) or explains (non-root).
asec_require_packages() {
	local missing
	missing=$(asec_missing_packages "$@")
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "Missing Debian packages. Install them with:" >&2
		echo "  sudo apt-get install -y $missing" >&2
		return 1
	fi
	echo "Installing Debian packages: $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || apt-get install -y --no-install-recommends $missing
}

# asec_python_with_yaml: the first python3 that can import yaml (the generator
# needs PyYAML; a python3 from a version manager may not have it).
asec_check_python_yaml() {
	python3 -c 'import yaml' 2>/dev/null && return 0
	[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null && return 0
	echo "python3 cannot import yaml: install python3-yaml" >&2
	return 1
}
