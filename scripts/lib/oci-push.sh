# oci-push.sh - push an image made of local tar.gz layers to a registry with
# curl only (monolithic blob uploads, then the manifest). Sourced by
# scripts/dev.sh (the demo image) and scripts/bench-indexer.

# oci_push REGISTRY_URL REPO TAG LAYER.tar.gz... ; REGISTRY_URL is http://host:port
# The config names each layer's diff_id and has one history entry per layer
# ("COPY <layer file name> /", as BuildKit writes it), so that scanners can
# say which layer brought a package.
oci_push() {
	local reg=$1 repo=$2 tag=$3 work config config_digest layer_json="" d l now diff_ids="" history=""
	shift 3
	work=$(mktemp -d "${TMPDIR:-/tmp}/oci-push.XXXXXX")
	config="$work/config.json"
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for l in "$@"; do
		diff_ids="$diff_ids${diff_ids:+,}\"sha256:$(gzip -dc "$l" | sha256sum | cut -d' ' -f1)\""
		history="$history${history:+,}{\"created\":\"$now\",\"created_by\":\"COPY $(basename "$l" .tar.gz) / # buildkit\",\"comment\":\"buildkit.dockerfile.v0\"}"
	done
	printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"User":"0"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
		"$now" "$diff_ids" "$history" >"$config"
	config_digest=$(_oci_push_blob "$reg" "$repo" "$config") || { rm -rf "$work"; return 1; }
	for l in "$@"; do
		d=$(_oci_push_blob "$reg" "$repo" "$l") || { rm -rf "$work"; return 1; }
		layer_json="$layer_json${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$d\",\"size\":$(stat -c %s "$l")}"
	done
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
		"$config_digest" "$(stat -c %s "$config")" "$layer_json" >"$work/manifest.json"
	curl -sf --noproxy '*' -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary "@$work/manifest.json" "$reg/v2/$repo/manifests/$tag" >/dev/null
	local rc=$?
	rm -rf "$work"
	return $rc
}

_oci_push_blob() {
	local reg=$1 repo=$2 file=$3 digest loc
	digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
	loc=$(curl -sf --noproxy '*' -X POST -D - -o /dev/null "$reg/v2/$repo/blobs/uploads/" | tr -d '\r' |
		awk -F': ' 'tolower($1)=="location"{print $2}') || return 1
	[ -n "$loc" ] || return 1
	case $loc in http*) ;; *) loc="$reg$loc" ;; esac
	case $loc in *\?*) loc="$loc&digest=$digest" ;; *) loc="$loc?digest=$digest" ;; esac
	curl -sf --noproxy '*' -X PUT -H 'Content-Type: application/octet-stream' -T "$file" "$loc" >/dev/null || return 1
	echo "$digest"
}
