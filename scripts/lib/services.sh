# services.sh - starting and stopping the project's own daemons in the
# background, with a pid file and a log file each. Sourced by scripts/dev.sh
# and scripts/test.sh.

# asec_start_daemon NAME RUN_DIR LOG_DIR COMMAND [ARGS...]
# Environment for the daemon is whatever the caller exported.
asec_start_daemon() {
	local name=$1 run_dir=$2 log_dir=$3
	shift 3
	mkdir -p "$run_dir" "$log_dir"
	if asec_daemon_running "$name" "$run_dir"; then
		echo "$name is already running (pid $(cat "$run_dir/$name.pid"))"
		return 0
	fi
	setsid "$@" >>"$log_dir/$name.log" 2>&1 </dev/null &
	echo $! >"$run_dir/$name.pid"
}

asec_daemon_running() {
	local name=$1 run_dir=$2 pid
	[ -f "$run_dir/$name.pid" ] || return 1
	pid=$(cat "$run_dir/$name.pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# asec_stop_daemon NAME RUN_DIR: SIGTERM, then SIGKILL after 15 s. Returns the
# daemon's exit status when it can be known (it is our child), else 0.
asec_stop_daemon() {
	local name=$1 run_dir=$2 pid i
	[ -f "$run_dir/$name.pid" ] || return 0
	pid=$(cat "$run_dir/$name.pid")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$name (pid $pid) did not stop in 15 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$run_dir/$name.pid"
}

# asec_wait_ready URL CA [SECONDS]: polls until the URL answers 200.
asec_wait_ready() {
	local url=$1 ca=$2 limit=${3:-30} i
	for i in $(seq 1 $((limit * 5))); do
		if curl -sf --max-time 2 --noproxy '*' --cacert "$ca" "$url" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}
