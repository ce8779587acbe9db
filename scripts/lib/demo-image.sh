# scripts/lib/demo-image.sh - the demo image, pushed to a local registry by
# scripts/dev.sh and by the portal's browser tests.
#
# It is made from this machine's own package databases (dpkg status,
# os-release, Python packages), so that there is something real to index and
# scan right away, plus a layer of older application packages
# (data/demo-image/) that the shipped vulnerability snapshot knows to be
# vulnerable. Needs scripts/lib/oci-push.sh sourced.

# demo_image_push ROOT REGISTRY_URL [REPOSITORY [TAG]]
#   REGISTRY_URL as oci_push takes it (http://127.0.0.1:5000). Prints the
#   pushed image's name (127.0.0.1:5000/library/demo:latest); returns non-zero
#   when nothing could be pushed.
demo_image_push() {
	local root=$1 registry=$2 repo=${3:-library/demo} tag=${4:-latest}
	local tmp paths=() p rc=0
	for p in etc/os-release usr/lib/os-release var/lib/dpkg/status usr/lib/python3/dist-packages; do
		[ -e "/$p" ] && paths+=("$p")
	done
	[ ${#paths[@]} -gt 0 ] || return 1
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/asec-demo.XXXXXX")
	tar -C / -czf "$tmp/layer.tar.gz" --exclude='*.pyc' --exclude='__pycache__' "${paths[@]}" 2>/dev/null || true
	tar -C "$root/data/demo-image" -czf "$tmp/app.tar.gz" . 2>/dev/null || true
	if oci_push "$registry" "$repo" "$tag" "$tmp/layer.tar.gz" "$tmp/app.tar.gz" >/dev/null; then
		echo "${registry#http://}/$repo:$tag"
	else
		rc=1
	fi
	rm -rf "$tmp"
	return $rc
}
