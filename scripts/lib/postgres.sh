# shellcheck shell=bash
#
# scripts/lib/postgres.sh - a throwaway PostgreSQL cluster for development and
# tests, sourced by scripts/dev.sh and scripts/test.sh.
#
# The cluster lives entirely inside one folder (data, Unix socket, log) and
# listens on 127.0.0.1 only, with trust authentication: it is never meant to
# hold anything worth protecting, and nothing outside the folder is touched
# (no /var/run, no systemd, no pg_ctlcluster). Every function is idempotent
# and safe under `set -euo pipefail`: failures return non-zero with a message
# on stderr instead of exiting, so the caller decides.
#
# PostgreSQL refuses to run as root. When the caller is root, the server and
# initdb run as the `postgres` system user that Debian's package creates; the
# data folder is handed to it, and its parent folders must be traversable by
# that user (a `mktemp -d` folder is 0700: chmod 755 it first).
#
#   pg_find_bindir                -> prints the newest server bin folder
#   pg_start DATADIR PORT         -> initdb if needed, start, wait until ready
#   pg_create_db PORT NAME        -> create database NAME unless it exists
#   pg_stop DATADIR               -> fast shutdown; no-op when not running
#   pg_url PORT DBNAME            -> libpq URL for that database

# How long pg_start / pg_stop wait for the server, in seconds.
: "${PG_WAIT_SECONDS:=30}"

_pg_err() {
	printf 'postgres.sh: %s\n' "$*" >&2
}

# The role name initdb gives the superuser, which is also the OS user the
# server runs as: postgres when we are root, else whoever we are.
_pg_superuser() {
	if [ "$(id -u)" -eq 0 ]; then
		printf 'postgres\n'
	else
		id -un
	fi
}

# Runs a command as the cluster owner. The working directory is / so that a
# root caller's home (unreadable to postgres) does not produce warnings.
_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_find_bindir() {
	local dir candidate best=""

	# pg_config (libpq-dev) names the bin folder of its own major, which
	# holds the server only when that major's server package is installed.
	if command -v pg_config >/dev/null 2>&1; then
		dir=$(pg_config --bindir 2>/dev/null || true)
		if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
			best=$dir
		fi
	fi
	# Otherwise the newest major in Debian's layout, /usr/lib/postgresql/<major>/bin.
	if [ -z "$best" ]; then
		best=$(
			for candidate in /usr/lib/postgresql/*/bin; do
				if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
					printf '%s\n' "$candidate"
				fi
			done | sort -V | tail -n 1
		)
	fi
	# Other layouts (source builds, distributions that put initdb on PATH).
	if [ -z "$best" ]; then
		candidate=$(command -v initdb 2>/dev/null || true)
		if [ -n "$candidate" ]; then
			candidate=$(dirname "$(readlink -f "$candidate")")
			if [ -x "$candidate/pg_ctl" ]; then
				best=$candidate
			fi
		fi
	fi
	if [ -z "$best" ]; then
		_pg_err "no PostgreSQL server found (initdb, pg_ctl); install it: apt-get install postgresql"
		return 1
	fi
	printf '%s\n' "$best"
}

# Replaces FILE with standard input, owned by the cluster owner and private.
_pg_write_owned() {
	cat >"$1"
	chmod 600 "$1"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$1"
	fi
}

# Folders that the cluster owner must be able to traverse to reach DATADIR.
_pg_check_reachable() {
	local datadir=$1 parent
	[ "$(id -u)" -eq 0 ] || return 0
	parent=$(dirname "$datadir")
	if ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
		_pg_err "the postgres user cannot reach $parent; make every folder above the data folder traversable (chmod o+x), e.g. chmod 755 on a mktemp -d folder"
		return 1
	fi
}

_pg_init_cluster() {
	local bindir=$1 datadir=$2 su out
	su=$(_pg_superuser)

	mkdir -p "$datadir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$datadir"
	fi
	chmod 700 "$datadir"
	if ! out=$(_pg_as_owner "$bindir/initdb" -D "$datadir" -U "$su" -E UTF8 \
		--locale=C --auth=trust 2>&1); then
		_pg_err "initdb failed for $datadir:"
		printf '%s\n' "$out" >&2
		return 1
	fi

	# Only the local socket and 127.0.0.1, never ::1 or replication, so the
	# trust rule covers exactly the two ways in that we listen on.
	_pg_write_owned "$datadir/pg_hba.conf" <<'EOF'
# Written by scripts/lib/postgres.sh: development and test cluster only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF
	printf "\ninclude_if_exists = 'asec_dev.conf'\n" >>"$datadir/postgresql.conf"
}

# The settings that depend on how pg_start was called are rewritten on every
# start, so a cluster can be restarted on another port.
_pg_write_settings() {
	local datadir=$1 port=$2 sockdir quoted
	sockdir=$datadir
	# A Unix socket path is limited to 107 bytes; past that, TCP only.
	if [ $((${#sockdir} + 20)) -gt 107 ]; then
		_pg_err "note: $datadir is too long for a Unix socket; TCP on 127.0.0.1 only"
		sockdir=""
	fi
	quoted=${sockdir//\'/\'\'}
	_pg_write_owned "$datadir/asec_dev.conf" <<EOF
# Written by scripts/lib/postgres.sh on every start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$quoted'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
}

_pg_is_running() {
	local bindir=$1 datadir=$2
	[ -f "$datadir/postmaster.pid" ] || return 1
	_pg_as_owner "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1
}

_pg_wait_ready() {
	local bindir=$1 port=$2 i
	for ((i = 0; i < PG_WAIT_SECONDS * 5; i++)); do
		if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

pg_start() {
	if [ $# -ne 2 ]; then
		_pg_err "usage: pg_start DATADIR PORT"
		return 2
	fi
	local datadir=$1 port=$2 bindir running_port
	case $port in
	'' | *[!0-9]*)
		_pg_err "pg_start: port must be a number, got '$port'"
		return 2
		;;
	esac
	bindir=$(pg_find_bindir) || return 1
	if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
		_pg_err "running as root needs the 'postgres' system user (apt-get install postgresql creates it)"
		return 1
	fi
	mkdir -p "$datadir"
	datadir=$(cd "$datadir" && pwd -P)
	_pg_check_reachable "$datadir" || return 1

	if [ ! -f "$datadir/PG_VERSION" ]; then
		if [ -n "$(ls -A "$datadir")" ]; then
			_pg_err "$datadir is not empty and holds no PostgreSQL cluster"
			return 1
		fi
		_pg_init_cluster "$bindir" "$datadir" || return 1
	elif [ "$(id -u)" -eq 0 ]; then
		chown -R postgres: "$datadir"
	fi

	if _pg_is_running "$bindir" "$datadir"; then
		# Line 4 of postmaster.pid is the port the running server uses.
		running_port=$(sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
		if [ "$running_port" = "$port" ] && _pg_wait_ready "$bindir" "$port"; then
			return 0
		fi
		_pg_err "a server already runs on $datadir (port ${running_port:-unknown}) but does not answer on 127.0.0.1:$port; stop it with pg_stop"
		return 1
	fi

	_pg_write_settings "$datadir" "$port"
	if ! _pg_as_owner "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" \
		-w -t "$PG_WAIT_SECONDS" start >/dev/null; then
		_pg_err "PostgreSQL did not start on 127.0.0.1:$port; end of $datadir/server.log:"
		tail -n 20 "$datadir/server.log" >&2 || true
		return 1
	fi
	if ! _pg_wait_ready "$bindir" "$port"; then
		_pg_err "PostgreSQL started but 127.0.0.1:$port did not answer within ${PG_WAIT_SECONDS}s"
		return 1
	fi
}

pg_create_db() {
	if [ $# -ne 2 ]; then
		_pg_err "usage: pg_create_db PORT NAME"
		return 2
	fi
	local port=$1 name=$2 bindir su exists
	bindir=$(pg_find_bindir) || return 1
	su=$(_pg_superuser)
	# psql's :'name' quotes the value as a literal, so any name is safe here.
	exists=$("$bindir/psql" -X -q -t -A -h 127.0.0.1 -p "$port" -U "$su" -d postgres \
		-v ON_ERROR_STOP=1 -v name="$name" \
		<<<"SELECT 1 FROM pg_database WHERE datname = :'name';") || {
		_pg_err "cannot query the server on 127.0.0.1:$port"
		return 1
	}
	if [ "$exists" = "1" ]; then
		return 0
	fi
	"$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$su" -E UTF8 -T template0 -- "$name" || {
		_pg_err "createdb $name failed"
		return 1
	}
}

pg_stop() {
	if [ $# -ne 1 ]; then
		_pg_err "usage: pg_stop DATADIR"
		return 2
	fi
	local datadir=$1 bindir pid i
	[ -f "$datadir/PG_VERSION" ] || return 0
	bindir=$(pg_find_bindir) || return 1
	_pg_is_running "$bindir" "$datadir" || return 0
	pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)

	if ! _pg_as_owner "$bindir/pg_ctl" -D "$datadir" -m fast -w -t "$PG_WAIT_SECONDS" \
		stop >/dev/null; then
		_pg_err "fast shutdown timed out; trying immediate"
		_pg_as_owner "$bindir/pg_ctl" -D "$datadir" -m immediate -w -t "$PG_WAIT_SECONDS" \
			stop >/dev/null || true
	fi
	# pg_ctl returns once postmaster.pid is gone; make sure the postmaster
	# itself (and so every backend, which it reaps) has exited too.
	case $pid in
	'' | *[!0-9]*) return 0 ;;
	esac
	for ((i = 0; i < PG_WAIT_SECONDS * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	_pg_err "postmaster $pid still running after stop"
	return 1
}

pg_url() {
	if [ $# -ne 2 ]; then
		_pg_err "usage: pg_url PORT DBNAME"
		return 2
	fi
	printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$(_pg_superuser)" "$1" "$2"
}
