#!/bin/sh
# asec_pki_test.sh - asec-pki end to end: usage and exit codes, init refusing
# to replace a CA, issue with SANs, dev idempotent (second run changes no
# byte), dev repairing a broken pair, show. Run as: sh asec_pki_test.sh PATH/TO/asec-pki
set -u
tool=${1:?usage: asec_pki_test.sh PATH/TO/asec-pki}
command -v sha256sum >/dev/null 2>&1 || exit 77

dir=$(mktemp -d "${TMPDIR:-/tmp}/asec_pki_tool.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE CMD...: run, keep output in $dir/out, check the exit code.
expect() {
	want=$1; shift
	"$@" >"$dir/out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || { fail "'$*' exited $got, wanted $want"; cat "$dir/out"; }
}

contains() { grep -q -- "$1" "$dir/out" || { fail "output lacks '$1'"; cat "$dir/out"; }; }

# Usage errors: exit 2 with the usage text.
expect 2 "$tool"
contains "usage:"
expect 2 "$tool" frobnicate
contains "unknown command"
expect 2 "$tool" init
expect 2 "$tool" init "$dir/a" --days nope
expect 2 "$tool" init "$dir/a" --bogus
expect 2 "$tool" dev "$dir/a" --dns x
expect 0 "$tool" --help
contains "asec-pki dev DIR"

# init: makes a CA once, refuses the second time (exit 1, message).
expect 0 "$tool" init "$dir/a" --days 30
[ -f "$dir/a/ca.crt" ] && [ -f "$dir/a/ca.key" ] || fail "init made no CA"
[ "$(stat -c %a "$dir/a/ca.key")" = 600 ] || fail "ca.key is not mode 600"
before=$(sha256sum "$dir/a/ca.crt" "$dir/a/ca.key")
expect 1 "$tool" init "$dir/a"
contains "refusing"
[ "$before" = "$(sha256sum "$dir/a/ca.crt" "$dir/a/ca.key")" ] || fail "refused init changed the CA"

# issue: known identity by default name, custom one with --name.
expect 0 "$tool" issue "$dir/a" CENTRAL_SERVICE --dns central.stackrox.svc --ip 10.1.2.3 --days 7
[ -f "$dir/a/central.crt" ] && [ -f "$dir/a/central.key" ] || fail "issue made no central pair"
expect 0 "$tool" show "$dir/a/central.crt"
contains "common name:        CENTRAL_SERVICE"
contains "DNS names:          central.stackrox.svc"
contains "IP addresses:       10.1.2.3"
contains "serverAuth, clientAuth"
expect 1 "$tool" issue "$dir/a" SOMETHING_ELSE
contains "give a file name"
expect 0 "$tool" issue "$dir/a" SOMETHING_ELSE --name something
expect 1 "$tool" issue "$dir/a" SENSOR_SERVICE --dns "bad_name"
expect 1 "$tool" show "$dir/a/central.key"
expect 1 "$tool" show "$dir/nonexistent.crt"

# dev: everything created, then a second run keeps every byte.
expect 0 "$tool" dev "$dir/b/pki"
for f in ca central scanner-v4-indexer scanner-v4-matcher sensor admission-control collector operator; do
	[ -f "$dir/b/pki/$f.crt" ] && [ -f "$dir/b/pki/$f.key" ] || fail "dev made no $f pair"
	[ "$(stat -c %a "$dir/b/pki/$f.key")" = 600 ] || fail "$f.key is not mode 600"
done
[ "$(grep -c '^created' "$dir/out")" -eq 8 ] || { fail "dev did not create 8"; cat "$dir/out"; }
sums=$(cd "$dir/b/pki" && sha256sum ./*)
expect 0 "$tool" dev "$dir/b/pki"
[ "$(grep -c '^kept' "$dir/out")" -eq 8 ] || { fail "second dev did not keep 8"; cat "$dir/out"; }
[ "$sums" = "$(cd "$dir/b/pki" && sha256sum ./*)" ] || fail "second dev changed files"

# dev repairs what is broken and nothing else.
echo garbage >"$dir/b/pki/sensor.crt"
expect 0 "$tool" dev "$dir/b/pki"
[ "$(grep -c '^replaced' "$dir/out")" -eq 1 ] || { fail "dev did not replace exactly one"; cat "$dir/out"; }
contains "^replaced.*sensor.crt"
expect 0 "$tool" show "$dir/b/pki/sensor.crt"
contains "SENSOR_SERVICE"
contains "sensor.stackrox.svc"
contains "IP addresses:       127.0.0.1, ::1"
expect 0 "$tool" show "$dir/b/pki/operator.crt"
contains "common name:        OPERATOR"

# dev on a directory holding half a CA stops.
rm "$dir/b/pki/ca.key"
expect 1 "$tool" dev "$dir/b/pki"
contains "ca.key"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "asec-pki tool test passed"
