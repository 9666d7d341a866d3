#!/usr/bin/env bash
# Builds Traefik (the test bed's ingress controller: Ingress + Gateway API providers) and collects the
# standard-channel Gateway API CRDs, both pinned by test/cluster/go/traefik/module/go.{mod,sum}. Cached outside
# the work tree, keyed by a hash of those files and the Go version (a separate key from
# build-binaries.sh's, so the control plane is not rebuilt). Prints the cache directory on stdout:
# <dir>/traefik and <dir>/gateway-api-crds.yaml.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAEFIK_VERSION=v3.6.12
BUILD_REV=1 # bump when the way Traefik is built changes (the cache key includes it)

say() { printf '[traefik-build] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed (need Go >= 1.26 on PATH). Install it from https://go.dev/dl or your distribution, then retry."
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
gover="$(go env GOVERSION)"
case "$gover" in go1.2[6-9]*|go1.[3-9][0-9]*) ;; *) die "Go $gover is too old: the pinned modules need Go >= 1.26." ;; esac

# NB: one level deeper than go/*/ so build-binaries.sh (which hashes go/*/go.mod) keeps its cache key.
mod="$here/go/traefik/module"
key="$( (echo "$gover $TRAEFIK_VERSION $BUILD_REV"; cat "$mod/go.mod" "$mod/go.sum") | sha256sum | cut -c1-16)"
cache="${ZIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zoom-integration-operator}/traefik/$key"
if [ -x "$cache/traefik" ] && [ -f "$cache/gateway-api-crds.yaml" ]; then echo "$cache"; exit 0; fi

moddir() { # module -> its directory in the module cache, verified against the pinned go.sum
  local out
  out="$(cd "$mod" && go mod download -json "$1" 2>&1)" || {
    echo "$out" | tail -5 >&2
    echo "$out" | grep -qiE 'dial tcp|proxy|lookup|i/o timeout|connection refused' &&
      die "downloading $1 failed: check that GOPROXY ($(go env GOPROXY)) is reachable."
    die "downloading $1 failed."
  }
  echo "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

start=$(date +%s)
rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
gwdir="$(moddir sigs.k8s.io/gateway-api)"
[ -d "$gwdir/config/crd/standard" ] || die "cannot find the Gateway API CRDs in the module cache ($gwdir)"
for f in "$gwdir"/config/crd/standard/*.yaml; do printf -- '---\n'; cat "$f"; printf '\n'; done > "$cache.tmp/gateway-api-crds.yaml"

src="$(moddir github.com/traefik/traefik/v3)"
[ -d "$src/cmd/traefik" ] || die "cannot find cmd/traefik in the module cache ($src)"
# NB: `go install module@version` refuses modules with replace directives (Traefik has some), and the
# module cache is read-only: build from a writable copy so Traefik's own go.mod/go.sum apply.
work="$cache.tmp/src"
cp -r "$src" "$work" && chmod -R u+w "$work"
say "building traefik $TRAEFIK_VERSION (a cold build takes 12-25 minutes on 2 cores; progress every 60 s)..."
( while sleep 60; do say "  still building traefik ($(( $(date +%s) - start )) s)"; done ) & ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
if ! (cd "$work" && go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$cache.tmp/traefik" ./cmd/traefik) >"$cache.tmp/build.log" 2>&1; then
  tail -20 "$cache.tmp/build.log" >&2
  grep -qiE 'dial tcp|proxy|lookup|i/o timeout|connection refused' "$cache.tmp/build.log" &&
    die "building traefik could not download modules: check that GOPROXY ($(go env GOPROXY)) is reachable."
  die "building traefik failed (full log: $cache.tmp/build.log)."
fi
rm -rf "$work" "$cache.tmp/build.log"
[ -x "$cache.tmp/traefik" ] || die "build finished but traefik is missing in $cache.tmp"
rm -rf "$cache" && mv "$cache.tmp" "$cache"
say "traefik ready in $(( $(date +%s) - start )) s: $cache"
echo "$cache"
