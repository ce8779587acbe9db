# shellcheck shell=bash
#
# scripts/lib/rootfs.sh - a real Debian root file system for the indexer's
# end-to-end test, sourced by scripts/test.sh.
#
#   rootfs_debian_minbase OUTDIR -> OUTDIR/rootfs.tar and OUTDIR/expected.tsv
#   rootfs_debian_mirror RELEASE -> prints the Debian mirror apt uses for RELEASE
#
# rootfs.tar is a `debootstrap --variant=minbase bookworm` tree taken by GNU
# tar (--numeric-owner, entries "./..."); expected.tsv is what dpkg-query says
# about that same tree, one package a line, sorted (LC_ALL=C):
#   Package  Version  Architecture  source:Package  source:Version
# so a test can compare an index report of the tar with dpkg's own answer.
#
# Two ideas:
# - debootstrap costs minutes and a few hundred MB of downloads, so the result
#   is cached per machine in
#   ${ASEC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/alauda-security}/rootfs-bookworm-minbase/
#   (rootfs.tar, expected.tsv and a stamp) and reused while it is younger than
#   ASEC_ROOTFS_MAX_AGE_DAYS (30); ASEC_ROOTFS_REBUILD=1 rebuilds it now.
#   Only the first run on a machine, and one a month, pays for debootstrap. A build happens in a temporary folder beside
#   the cache (same file system, so the final rename is atomic) under a lock,
#   so an interrupted run or two runs at once never leave a half cache that
#   looks complete; what an interrupted run left is removed by the next one.
# - The mirror is never written in the project: it is read at run time from
#   the machine's apt sources (one-line .list files and deb822 .sources files),
#   the first one serving the release, because that is the mirror this
#   machine is known to reach (a proxy or a local mirror included).
#   ASEC_DEBIAN_MIRROR overrides it, e.g. on a host that is not Debian.
#
# debootstrap must run as root (it creates device nodes and chroots): without
# root and without a usable cache, rootfs_debian_minbase fails with a message
# saying so, and the caller decides (scripts/test.sh then leaves
# ASEC_TEST_ROOTFS_DIR unset: the test skips, or fails under CI=true).
#
# Like postgres.sh, the functions are safe under `set -euo pipefail`: a failure
# returns non-zero with a message on stderr instead of exiting. Their bodies
# run in subshells, so their traps, locks and options never leak to the caller.

: "${ASEC_ROOTFS_MAX_AGE_DAYS:=30}"
# How long to wait for another run that is building the same cache, seconds.
: "${ASEC_ROOTFS_LOCK_SECONDS:=3600}"

_rootfs_err() {
	printf 'rootfs.sh: %s\n' "$*" >&2
}

_rootfs_cache_root() {
	printf '%s\n' "${ASEC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/alauda-security}"
}

# The apt source files in the order apt reads them: sources.list, then
# sources.list.d in alphanumeric order, .list and .sources together.
_rootfs_apt_files() {
	local dir f
	dir=${ASEC_APT_SOURCES_DIR:-/etc/apt}
	[ -f "$dir/sources.list" ] && printf '%s\n' "$dir/sources.list"
	for f in "$dir"/sources.list.d/*; do
		case $f in
		*.list | *.sources) [ -f "$f" ] && printf '%s\n' "$f" ;;
		esac
	done | LC_ALL=C sort
}

# Prints the first URI of FILE that serves binary packages of RELEASE, or
# nothing. Only schemes debootstrap can fetch from are taken.
_rootfs_mirror_in() {
	local file=$1 release=$2
	case $file in
	*.sources)
		# deb822: stanzas split by blank lines, "Field: value", continuation
		# lines start with a blank, '#' starts a comment line. Field names are
		# case-insensitive; Types, URIs and Suites are blank-separated lists.
		awk -v release="$release" '
			function has(list, word,   n, i, w) {
				n = split(list, w, /[ \t]+/)
				for (i = 1; i <= n; i++) if (w[i] == word) return 1
				return 0
			}
			function flush(   n, i, u) {
				if (!done && has(f["types"], "deb") && has(f["suites"], release) && tolower(f["enabled"]) != "no") {
					n = split(f["uris"], u, /[ \t]+/)
					for (i = 1; i <= n; i++)
						if (u[i] ~ /^(https?|ftp|file):/) { print u[i]; done = 1; break }
				}
				delete f; last = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { if (last != "") f[last] = f[last] " " $0; next }
			{
				i = index($0, ":"); if (i == 0) next
				last = tolower(substr($0, 1, i - 1))
				v = substr($0, i + 1)
				sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v)
				f[last] = v
			}
			END { flush() }
		' "$file"
		;;
	*)
		# One line a source: "deb [options] URI suite [component...]".
		awk -v release="$release" '
			/^[ \t]*deb[ \t]/ {
				line = $0
				sub(/#.*/, "", line)
				gsub(/\[[^]]*\]/, " ", line)
				n = split(line, w, /[ \t]+/)
				k = 0
				for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
				if (k >= 3 && v[1] == "deb" && v[3] == release && v[2] ~ /^(https?|ftp|file):/) { print v[2]; exit }
			}
		' "$file"
		;;
	esac
}

rootfs_debian_mirror() (
	if [ $# -ne 1 ]; then
		_rootfs_err "usage: rootfs_debian_mirror RELEASE"
		exit 2
	fi
	release=$1
	if [ -n "${ASEC_DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "$ASEC_DEBIAN_MIRROR"
		exit 0
	fi
	while IFS= read -r file; do
		uri=$(_rootfs_mirror_in "$file" "$release" | head -n 1)
		if [ -n "$uri" ]; then
			printf '%s\n' "$uri"
			exit 0
		fi
	done < <(_rootfs_apt_files)
	_rootfs_err "no Debian mirror for '$release' in this machine's apt sources (${ASEC_APT_SOURCES_DIR:-/etc/apt}/sources.list, sources.list.d/*.list, sources.list.d/*.sources): add a 'deb' source for $release, or set ASEC_DEBIAN_MIRROR=<mirror URL>"
	exit 1
)

# Status 0 when DIR holds a complete cache younger than the allowed age.
_rootfs_cache_fresh() {
	local dir=$1 epoch now
	[ -s "$dir/rootfs.tar" ] && [ -s "$dir/expected.tsv" ] && [ -f "$dir/stamp" ] || return 1
	epoch=$(sed -n 's/^epoch=//p' "$dir/stamp" | head -n 1)
	case $epoch in
	'' | *[!0-9]*) return 1 ;;
	esac
	now=$(date +%s)
	# A stamp from the future (a clock set back) is not trusted either.
	[ "$epoch" -le $((now + 86400)) ] && [ $((now - epoch)) -lt $((ASEC_ROOTFS_MAX_AGE_DAYS * 86400)) ]
}

# Removes a tree debootstrap may have left with proc/sys mounted inside (an
# interrupted run): unmount first, deepest first, then never cross into a mount.
_rootfs_remove_tree() {
	local dir=$1 mnt
	[ -e "$dir" ] || return 0
	dir=$(cd "$dir" && pwd -P) || return 1
	while IFS= read -r mnt; do
		umount -l "$mnt" 2>/dev/null || true
	done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts 2>/dev/null | sort -r)
	rm -rf --one-file-system "$dir"
}

# Builds a complete cache folder in TMP (which must not exist yet).
_rootfs_build() {
	local tmp=$1 release=$2 mirror=$3 tree=$1/tree debootstrap count
	debootstrap=$(command -v debootstrap || true)
	[ -z "$debootstrap" ] && [ -x /usr/sbin/debootstrap ] && debootstrap=/usr/sbin/debootstrap
	if [ -z "$debootstrap" ]; then
		_rootfs_err "debootstrap not found; install it: apt-get install debootstrap"
		return 1
	fi
	if ! command -v dpkg-query >/dev/null 2>&1; then
		_rootfs_err "dpkg-query not found: the expected package list needs dpkg"
		return 1
	fi
	mkdir -p "$tmp" || return 1
	# debootstrap does not read apt.conf; hand it apt's proxy if there is one.
	if [ -z "${http_proxy:-}" ] && command -v apt-config >/dev/null 2>&1; then
		local ASEC_APT_PROXY=""
		eval "$(apt-config shell ASEC_APT_PROXY Acquire::http::Proxy 2>/dev/null)" || true
		[ -n "$ASEC_APT_PROXY" ] && [ "$ASEC_APT_PROXY" != DIRECT ] && export http_proxy=$ASEC_APT_PROXY
	fi
	printf 'rootfs.sh: debootstrap --variant=minbase %s from %s (about a minute; the result is cached)\n' \
		"$release" "$mirror" >&2
	if ! "$debootstrap" --variant=minbase "$release" "$tree" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
		_rootfs_err "debootstrap failed; end of its log:"
		tail -n 25 "$tmp/debootstrap.log" >&2
		[ -f "$tree/debootstrap/debootstrap.log" ] && tail -n 25 "$tree/debootstrap/debootstrap.log" >&2
		return 1
	fi
	if ! dpkg-query --admindir="$tree/var/lib/dpkg" -W \
		-f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' \
		| LC_ALL=C sort >"$tmp/expected.tsv"; then
		_rootfs_err "dpkg-query failed on $tree/var/lib/dpkg"
		return 1
	fi
	count=$(wc -l <"$tmp/expected.tsv")
	if [ "$count" -lt 10 ] || ! grep -q '^base-files	' "$tmp/expected.tsv"; then
		_rootfs_err "dpkg-query listed $count packages and no base-files: the tree is not a Debian system"
		return 1
	fi
	# The downloaded .debs (30 MB) are what `apt-get clean` removes and what
	# no published Debian image carries; they are not part of the system.
	rm -f "$tree"/var/cache/apt/archives/*.deb "$tree"/var/cache/apt/archives/partial/*
	# --sort=name: the same tree gives the same tar, so layer digests are
	# stable for as long as the cache lives.
	if ! tar --numeric-owner --sort=name --one-file-system -C "$tree" -cf "$tmp/rootfs.tar" .; then
		_rootfs_err "tar of $tree failed"
		return 1
	fi
	_rootfs_remove_tree "$tree" || return 1
	{
		printf 'built=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'epoch=%s\n' "$(date +%s)"
		printf 'release=%s\nvariant=minbase\nmirror=%s\n' "$release" "$mirror"
		printf 'arch=%s\n' "$(dpkg --print-architecture 2>/dev/null || uname -m)"
		printf 'debootstrap=%s\n' "$("$debootstrap" --version 2>/dev/null | head -n 1)"
		printf 'packages=%s\n' "$count"
	} >"$tmp/stamp"
	rm -f "$tmp/debootstrap.log"
}

rootfs_debian_minbase() (
	set -uo pipefail
	if [ $# -ne 1 ]; then
		_rootfs_err "usage: rootfs_debian_minbase OUTDIR"
		exit 2
	fi
	outdir=$1
	release=bookworm
	name=rootfs-$release-minbase
	root=$(_rootfs_cache_root)
	cache=$root/$name
	start=$SECONDS

	mkdir -p "$root" "$outdir" || { _rootfs_err "cannot create $root or $outdir"; exit 1; }
	# One builder at a time per cache; a second run waits and then reuses.
	exec 9>"$root/.$name.lock" || { _rootfs_err "cannot open the lock $root/.$name.lock"; exit 1; }
	if ! flock -w "$ASEC_ROOTFS_LOCK_SECONDS" 9; then
		_rootfs_err "another run has held $root/.$name.lock for ${ASEC_ROOTFS_LOCK_SECONDS}s"
		exit 1
	fi

	# Under the lock, temporary folders are leftovers of killed runs (a run
	# that is merely interrupted removes its own).
	for old in "$root/.$name.tmp."*; do
		[ -e "$old" ] && _rootfs_remove_tree "$old"
	done
	if [ "${ASEC_ROOTFS_REBUILD:-0}" != 1 ] && _rootfs_cache_fresh "$cache"; then
		printf 'rootfs.sh: using the cached %s root file system (%s)\n' "$release" \
			"$(sed -n 's/^built=//p' "$cache/stamp")" >&2
	else
		if [ "$(id -u)" -ne 0 ]; then
			_rootfs_err "no usable cache in $cache, and building one needs root (debootstrap creates device nodes and chroots): run scripts/test.sh as root once; later runs, root or not, use the cache for ${ASEC_ROOTFS_MAX_AGE_DAYS} days"
			exit 1
		fi
		mirror=$(rootfs_debian_mirror "$release") || exit 1
		tmp=$(mktemp -d "$root/.$name.tmp.XXXXXX") || { _rootfs_err "cannot create a folder in $root"; exit 1; }
		trap '_rootfs_remove_tree "$tmp"' EXIT
		trap 'exit 130' INT TERM HUP
		_rootfs_build "$tmp" "$release" "$mirror" || exit 1
		# A folder cannot be renamed over a non-empty one: move the stale
		# cache aside first. Readers only look at a cache with a stamp, and
		# the stamp was written last.
		if [ -e "$cache" ]; then
			mv "$cache" "$tmp.stale" && _rootfs_remove_tree "$tmp.stale" || exit 1
		fi
		mv "$tmp" "$cache" || { _rootfs_err "cannot rename $tmp to $cache"; exit 1; }
		trap - EXIT
		printf 'rootfs.sh: built %s (%s packages) in %ss\n' "$cache" \
			"$(sed -n 's/^packages=//p' "$cache/stamp")" $((SECONDS - start)) >&2
	fi

	# A hard link costs nothing when OUTDIR is on the cache's file system; a
	# copy otherwise. Either way OUTDIR never changes when the cache does.
	for f in rootfs.tar expected.tsv; do
		rm -f "$outdir/$f"
		ln "$cache/$f" "$outdir/$f" 2>/dev/null || cp "$cache/$f" "$outdir/$f" || {
			_rootfs_err "cannot copy $cache/$f to $outdir"
			exit 1
		}
	done
)
