# shellcheck shell=bash
#
# scripts/lib/registry.sh - throwaway OCI registries for development and tests,
# sourced by scripts/dev.sh and scripts/test.sh.
#
# Each registry is Debian's docker-registry (the CNCF distribution project,
# package `docker-registry`) living entirely inside one folder: its generated
# config, its filesystem storage, its log and its pid file. It listens on
# 127.0.0.1 only and speaks plain HTTP, which is all a loopback test needs
# (clients must be told the registry is insecure). Given a user and a
# password, it demands HTTP basic auth checked against a bcrypt htpasswd file
# (`htpasswd -B`, package apache2-utils).
#
# Token (bearer) auth is not offered: docker-registry's token mode needs a
# separate issuer signing JWTs with a key the registry trusts, which is out of
# scope here; the registry client's unit test runs its own small token server
# in front of a fake registry instead.
#
# Like postgres.sh, every function is safe under `set -euo pipefail`: failures
# return non-zero with a message on stderr instead of exiting.
#
#   registry_start DIR PORT [USER PASSWORD]  -> config, start, wait until /v2/ answers
#   registry_stop DIR                        -> stop it; no-op when not running
#   registry_running DIR                     -> status 0 when it runs

: "${ASEC_REGISTRY_BIN:=/usr/bin/docker-registry}"
# How long registry_start / registry_stop wait, in seconds.
: "${ASEC_REGISTRY_WAIT_SECONDS:=30}"

_registry_err() {
	printf 'registry.sh: %s\n' "$*" >&2
}

# The pid in DIR/registry.pid, printed only when that process is still the
# registry started on DIR (a stale pid file may name a reused pid).
_registry_pid() {
	local dir=$1 pid cmdline
	[ -f "$dir/registry.pid" ] || return 1
	pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
	case $pid in
	'' | *[!0-9]*) return 1 ;;
	esac
	kill -0 "$pid" 2>/dev/null || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	[[ $cmdline == *"$dir/config.yml"* ]] || return 1
	printf '%s\n' "$pid"
}

registry_running() {
	[ $# -eq 1 ] || { _registry_err "usage: registry_running DIR"; return 2; }
	[ -d "$1" ] || return 1
	_registry_pid "$(cd "$1" && pwd -P)" >/dev/null
}

# The status code of GET http://127.0.0.1:PORT/v2/, or 000 when nothing answers.
_registry_probe() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/v2/" 2>/dev/null || true
}

registry_start() {
	if [ $# -ne 2 ] && [ $# -ne 4 ]; then
		_registry_err "usage: registry_start DIR PORT [USER PASSWORD]"
		return 2
	fi
	local dir=$1 port=$2 user=${3:-} password=${4:-} auth="" secret pid code i unset_env
	case $port in
	'' | *[!0-9]*)
		_registry_err "registry_start: port must be a number, got '$port'"
		return 2
		;;
	esac
	if [ ! -x "$ASEC_REGISTRY_BIN" ]; then
		_registry_err "$ASEC_REGISTRY_BIN not found; install it: apt-get install docker-registry"
		return 1
	fi
	mkdir -p "$dir/storage"
	dir=$(cd "$dir" && pwd -P)

	if pid=$(_registry_pid "$dir"); then
		if grep -q "addr: 127.0.0.1:$port\$" "$dir/config.yml" 2>/dev/null; then
			return 0
		fi
		_registry_err "a registry already runs on $dir (pid $pid) on another port; stop it with registry_stop"
		return 1
	fi
	code=$(_registry_probe "$port")
	if [ "$code" != "000" ]; then
		_registry_err "something already answers on 127.0.0.1:$port (HTTP $code)"
		return 1
	fi

	if [ -n "$user" ]; then
		if ! command -v htpasswd >/dev/null 2>&1; then
			_registry_err "htpasswd not found; install it: apt-get install apache2-utils"
			return 1
		fi
		# -i reads the password from stdin, so it never shows in ps.
		if ! printf '%s' "$password" | htpasswd -iBc "$dir/htpasswd" "$user" 2>/dev/null; then
			_registry_err "htpasswd failed for $dir/htpasswd"
			return 1
		fi
		chmod 600 "$dir/htpasswd"
		auth="auth:
  htpasswd:
    realm: asec-test-registry
    path: $dir/htpasswd"
	fi
	# The secret signs upload state; any random value will do for a test registry.
	secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	cat >"$dir/config.yml" <<EOF
# Written by scripts/lib/registry.sh on every start.
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $secret
  headers:
    X-Content-Type-Options: [nosniff]
$auth
EOF
	chmod 600 "$dir/config.yml"

	# setsid: the registry gets its own session, so a Ctrl-C meant for the
	# caller's foreground job does not reach it; registry_stop ends it. The
	# inner shell writes its own pid before exec'ing the registry, so the pid
	# file names the registry whether or not setsid had to fork. REGISTRY_*
	# variables in the caller's environment would override the config, so
	# they are cleared.
	unset_env=()
	while IFS= read -r i; do
		[ -n "$i" ] && unset_env+=(-u "$i")
	done < <(env | sed -n 's/^\(REGISTRY_[A-Za-z0-9_]*\)=.*/\1/p')
	rm -f "$dir/registry.pid"
	# shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
	setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' registry-start "$dir/registry.pid" \
		env ${unset_env[@]+"${unset_env[@]}"} "$ASEC_REGISTRY_BIN" serve "$dir/config.yml" \
		>>"$dir/registry.log" 2>&1 </dev/null &

	for ((i = 0; i < ASEC_REGISTRY_WAIT_SECONDS * 10; i++)); do
		code=$(_registry_probe "$port")
		# 200 anonymous, 401 with auth: either way the API is up.
		if [ "$code" = "200" ] || [ "$code" = "401" ]; then
			return 0
		fi
		# Exited means: the pid file names a process and it is gone. The
		# file can exist still empty for a moment (the inner shell's
		# redirection creates it before echo writes), which is not an exit.
		pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
		if [[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then
			_registry_err "docker-registry exited; end of $dir/registry.log:"
			tail -n 20 "$dir/registry.log" >&2 || true
			return 1
		fi
		sleep 0.1
	done
	_registry_err "docker-registry did not answer on 127.0.0.1:$port within ${ASEC_REGISTRY_WAIT_SECONDS}s"
	registry_stop "$dir" || true
	return 1
}

registry_stop() {
	[ $# -eq 1 ] || { _registry_err "usage: registry_stop DIR"; return 2; }
	local dir=$1 pid i
	[ -d "$dir" ] || return 0
	dir=$(cd "$dir" && pwd -P)
	pid=$(_registry_pid "$dir") || { rm -f "$dir/registry.pid"; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < ASEC_REGISTRY_WAIT_SECONDS * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$dir/registry.pid"
			return 0
		fi
		sleep 0.1
	done
	_registry_err "docker-registry $pid ignored SIGTERM; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/registry.pid"
}
