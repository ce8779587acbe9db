#!/usr/bin/env bash
# scripts/dev.sh - the whole product on one machine, for development and demos.
#
#   scripts/dev.sh up       install what is missing, build, create the development
#                           PKI and PostgreSQL under .dev/, start every service,
#                           wait until each is ready, print where and how to connect
#   scripts/dev.sh down     stop everything `up` started (nothing is left running)
#   scripts/dev.sh status   what is running, and whether it answers
#   scripts/dev.sh logs [SERVICE]   follow a service's log (default: all)
#
# Everything lives in .dev/ at the top of the checkout: pki/ (CA, service and
# operator certificates), postgres/ (the database cluster, port 55432), logs/,
# run/ (pid files). Delete .dev/ after `down` to start from nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/registry.sh
source scripts/lib/registry.sh
# shellcheck source=scripts/lib/oci-push.sh
source scripts/lib/oci-push.sh
# shellcheck source=scripts/lib/demo-image.sh
source scripts/lib/demo-image.sh

dev="$root/.dev"
pki="$dev/pki"
run="$dev/run"
logs="$dev/logs"
pg_dir="$dev/postgres"
pg_port=${ASEC_DEV_PG_PORT:-55432}
registry_port=${ASEC_DEV_REGISTRY_PORT:-5000}
registry_dir="$dev/registry"
build_dir="$root/build/release"

# name:port of each service started by `up`, in start order.
services=(scanner-indexer:8444 scanner-matcher:8445 central:8443)

# Settings of each service beyond the common ones (listen address, TLS).
service_env() {
	case $1 in
	scanner-indexer) export ROX_SCANNER_DB_URL; ROX_SCANNER_DB_URL=$(pg_url "$pg_port" scanner) ;;
	central)
		export ROX_CENTRAL_DB_URL ROX_CENTRAL_DATA_DIR ROX_CENTRAL_INDEXER_URL ROX_CENTRAL_MATCHER_URL
		export ROX_CENTRAL_PORTAL_DIR=$root/frontend-static/dist
		ROX_CENTRAL_DB_URL=$(pg_url "$pg_port" central)
		ROX_CENTRAL_DATA_DIR=$dev/central
		ROX_CENTRAL_INDEXER_URL=https://127.0.0.1:8444
		ROX_CENTRAL_MATCHER_URL=https://127.0.0.1:8445
		mkdir -p -m 0700 "$ROX_CENTRAL_DATA_DIR"
		;;
	scanner-matcher)
		export ROX_SCANNER_DB_URL ROX_MATCHER_INDEXER_URL ROX_MATCHER_INITIAL_DATA
		ROX_SCANNER_DB_URL=$(pg_url "$pg_port" scanner)
		ROX_MATCHER_INDEXER_URL=https://127.0.0.1:8444
		# the shipped snapshot, imported at the first start (data/VULNERABILITY-SNAPSHOT.md)
		ROX_MATCHER_INITIAL_DATA=$root/data/vulnerability-snapshot.tar.zst
		;;
	esac
}

build() {
	echo "Building (release preset; output in build/release/) ..."
	cmake --preset release >"$dev/build.log" 2>&1 || { tail -30 "$dev/build.log"; exit 1; }
	cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" >>"$dev/build.log" 2>&1 ||
		{ tail -30 "$dev/build.log"; exit 1; }
}

# The portal: npm packages pinned by frontend-static/package-lock.json (installed
# again only when the lock file changed), then the production build into
# frontend-static/dist/, which central serves at / (and reloads when rebuilt).
build_portal() {
	local fe="$root/frontend-static"
	echo "Building the portal (frontend-static/dist/) ..."
	asec_require_node
	if [ ! -f "$fe/node_modules/.package-lock.json" ] || [ "$fe/package-lock.json" -nt "$fe/node_modules/.package-lock.json" ]; then
		(cd "$fe" && npm ci --no-audit --no-fund --loglevel=error) >"$dev/portal-build.log" 2>&1 ||
			{ tail -30 "$dev/portal-build.log"; exit 1; }
	fi
	(cd "$fe" && node build.mjs) >>"$dev/portal-build.log" 2>&1 || { tail -30 "$dev/portal-build.log"; exit 1; }
}

start_service() {
	local name=$1 port=$2
	local short=$name
	# Certificates are named after the identity (asec-pki dev), not the binary.
	case $name in scanner-indexer) short=scanner-v4-indexer ;; scanner-matcher) short=scanner-v4-matcher ;; esac
	export ROX_LISTEN_ADDRESS="127.0.0.1:$port"
	export ROX_TLS_CERT="$pki/$short.crt" ROX_TLS_KEY="$pki/$short.key" ROX_TLS_CA="$pki/ca.crt"
	export ROX_LOG_LEVEL=${ROX_LOG_LEVEL:-info}
	service_env "$name"
	asec_start_daemon "$name" "$run" "$logs" "$build_dir/services/$name/$name"
	# the matcher's first start imports the vulnerability snapshot
	if ! asec_wait_ready "https://127.0.0.1:$port/readyz" "$pki/ca.crt" 180; then
		echo "$name did not become ready; last log lines:" >&2
		tail -20 "$logs/$name.log" >&2
		exit 1
	fi
}

# A build check of the demo image, so that the portal opens on something real:
# the image with its CVEs, and the violations of the default build policies.
# The password goes to curl on stdin, never on a command line.
check_demo_image() {
	local password
	password=${ROX_ADMIN_PASSWORD:-$(cat "$dev/central/admin-password" 2>/dev/null || true)}
	[ -n "$password" ] || return 0
	echo "Checking the demo image against the build policies ..."
	printf 'user = "admin:%s"\n' "$password" |
		curl -sS -o /dev/null -K - --cacert "$pki/ca.crt" -H 'Content-Type: application/json' \
			-d "{\"imageName\":\"$1\"}" https://127.0.0.1:8443/v1/detect/build ||
		echo "(the demo image's build check failed; see scripts/dev.sh logs central)" >&2
}

cmd_up() {
	asec_require_packages "${ASEC_BUILD_PACKAGES[@]}"
	asec_check_python_yaml
	mkdir -p "$dev" "$run" "$logs"
	chmod 755 "$dev"
	build
	build_portal
	"$build_dir/tools/pki/asec-pki" dev "$pki" >/dev/null
	if ! pg_start "$pg_dir" "$pg_port" >"$logs/postgres-start.log" 2>&1; then
		cat "$logs/postgres-start.log" >&2
		exit 1
	fi
	pg_create_db "$pg_port" central >/dev/null
	pg_create_db "$pg_port" scanner >/dev/null
	if ! registry_start "$registry_dir" "$registry_port" >"$logs/registry-start.log" 2>&1; then
		cat "$logs/registry-start.log" >&2
		exit 1
	fi
	local entry
	for entry in "${services[@]}"; do
		start_service "${entry%%:*}" "${entry##*:}"
	done
	demo_image=$(demo_image_push "$root" "http://127.0.0.1:$registry_port") || demo_image=
	[ -n "$demo_image" ] && check_demo_image "$demo_image"
	cat <<EOF

Alauda Security Service is running.

  Portal          https://127.0.0.1:8443/  (log in as admin; the certificate is the development CA's, below)
  Admin login     user admin, password $(cat "$dev/central/admin-password" 2>/dev/null || echo "from ROX_ADMIN_PASSWORD")

  Central API     https://127.0.0.1:8443/v1/ping
  Indexer API     https://127.0.0.1:8444/v4/index-reports  (mutual TLS: --cert .dev/pki/operator.crt --key .dev/pki/operator.key)
  Matcher API     https://127.0.0.1:8445/v4/vulnerability-reports, /v4/metadata  (mutual TLS, as above)
  OCI registry    127.0.0.1:$registry_port  (plain HTTP, for local images: http://127.0.0.1:$registry_port/<repo>:<tag>)
  CA certificate  $pki/ca.crt   (trust it, or pass --cacert)
  Operator cert   $pki/operator.crt + operator.key (mutual TLS to any service)
  PostgreSQL      $(pg_url "$pg_port" central)
  Logs            scripts/dev.sh logs    Status: scripts/dev.sh status    Stop: scripts/dev.sh down

  Try: curl --cacert .dev/pki/ca.crt https://127.0.0.1:8443/v1/ping
EOF
	if [ -n "${demo_image:-}" ]; then
		# What a CI job runs: the CLI, the admin password (or an API token
		# in ROX_API_TOKEN) and central's CA.
		cat <<EOF

  Scan the demo image with roxctl (real CVEs in its npm and Python packages):
       ROX_ADMIN_PASSWORD=\$(cat .dev/central/admin-password) \\
       build/release/services/roxctl/roxctl -e 127.0.0.1:8443 --ca .dev/pki/ca.crt \\
            image scan -i $demo_image
  The same through the API:
       curl --cacert .dev/pki/ca.crt -u admin:\$(cat .dev/central/admin-password) \\
            -H 'Content-Type: application/json' -d '{"imageName":"$demo_image"}' \\
            https://127.0.0.1:8443/v1/images/scan
EOF
	fi
}

cmd_down() {
	local i entry
	for ((i = ${#services[@]} - 1; i >= 0; i--)); do
		entry=${services[$i]}
		asec_stop_daemon "${entry%%:*}" "$run"
	done
	registry_stop "$registry_dir" >/dev/null 2>&1 || true
	if [ -d "$pg_dir" ]; then
		pg_stop "$pg_dir" >/dev/null 2>&1 || true
	fi
	echo "Stopped."
}

cmd_status() {
	local entry name port state
	for entry in "${services[@]}"; do
		name=${entry%%:*}
		port=${entry##*:}
		if asec_daemon_running "$name" "$run"; then
			if curl -sf --max-time 2 --noproxy '*' --cacert "$pki/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
				state="ready"
			else
				state="running, not ready"
			fi
			echo "$name: $state (pid $(cat "$run/$name.pid"), https://127.0.0.1:$port)"
		else
			echo "$name: stopped"
		fi
	done
	if registry_running "$registry_dir" 2>/dev/null; then
		echo "registry: running (127.0.0.1:$registry_port)"
	else
		echo "registry: stopped"
	fi
	if [ -d "$pg_dir" ] && pg_isready -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1; then
		echo "postgres: ready (127.0.0.1:$pg_port)"
	else
		echo "postgres: stopped"
	fi
}

cmd_logs() {
	local which=${1:-}
	if [ -n "$which" ]; then
		[ -f "$logs/$which.log" ] || { echo "no log for $which in $logs" >&2; exit 1; }
		exec tail -n 100 -F "$logs/$which.log"
	fi
	exec tail -n 50 -F "$logs"/*.log
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
logs) shift; cmd_logs "$@" ;;
*)
	echo "usage: scripts/dev.sh up|down|status|logs [SERVICE]" >&2
	exit 2
	;;
esac
