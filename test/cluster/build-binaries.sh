#!/usr/bin/env bash
# Builds the real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok) and helm (to lint the generated chart)
# from the Go module proxy, pinned by the go.mod/go.sum files under
# test/cluster/go/. Binaries are cached outside the work tree, keyed by a hash of those files and the
# Go version, so only the first run on a machine pays. Prints the cache directory on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBE_VERSION=v1.36.3
BUILD_REV=1 # bump when the way binaries are built changes (the cache key includes it)

say() { printf '[cluster-build] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed (need Go >= 1.26 on PATH). Install it from https://go.dev/dl or your distribution, then retry."
# NB: -mod=readonly: the committed go.sum must be complete, so no checksum-database lookups happen.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
gover="$(go env GOVERSION)"
case "$gover" in go1.2[6-9]*|go1.[3-9][0-9]*) ;; *) die "Go $gover is too old: the pinned modules need Go >= 1.26." ;; esac

key="$( (echo "$gover $KUBE_VERSION $BUILD_REV"; cat "$here"/go/*/go.mod "$here"/go/*/go.sum "$here"/go/etcd/main.go) | sha256sum | cut -c1-16)"
cache="${ZIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zoom-integration-operator}/cluster-bin/$key"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)
complete=1
for b in "${bins[@]}"; do [ -x "$cache/$b" ] || complete=0; done
[ -f "$cache/kwok-stages.yaml" ] || complete=0
if [ "$complete" = 1 ]; then echo "$cache"; exit 0; fi

mkdir -p "$cache.tmp"
minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
start=$(date +%s)
# NB: a missing proxy shows up as a download error; say what to check instead of a bare Go trace.
build() { # name dir packages...
  local name="$1" dir="$2"; shift 2
  local t0=$(date +%s)
  say "building $name (cold builds take minutes on 2 cores; progress every 30 s)..."
  ( while sleep 30; do say "  still building $name ($(( $(date +%s) - t0 )) s)"; done ) & local ticker=$!
  if ! (cd "$here/go/$dir" && go build -trimpath -ldflags "$ldflags" -o "$cache.tmp/" "$@") >"$cache.tmp/$name.log" 2>&1; then
    kill "$ticker" 2>/dev/null || true
    tail -20 "$cache.tmp/$name.log" >&2
    grep -qiE 'dial tcp|proxy|lookup|i/o timeout|connection refused' "$cache.tmp/$name.log" &&
      die "building $name could not download modules: check that GOPROXY ($(go env GOPROXY)) is reachable."
    die "building $name failed (full log: $cache.tmp/$name.log)."
  fi
  kill "$ticker" 2>/dev/null || true
  say "built $name in $(( $(date +%s) - t0 )) s"
}
build etcd etcd .
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
build helm helm helm.sh/helm/v3/cmd/helm
build kubernetes kube k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
[ -x "$cache.tmp/main" ] && mv "$cache.tmp/main" "$cache.tmp/etcd" # a module-root main package is named after the module
[ -x "$cache.tmp/etcd" ] || mv "$cache.tmp/"etcd* "$cache.tmp/etcd" 2>/dev/null || true
for b in "${bins[@]}"; do [ -x "$cache.tmp/$b" ] || die "build finished but $b is missing in $cache.tmp"; done
# kwok v0.8.0 exits with "no stages found" without Stage documents: take the ones its own module
# ships (the "fast" set: nodes Ready at once, pods Running/Ready once scheduled) for the pinned version.
kwokdir="$(cd "$here/go/kwok" && go mod download -json sigs.k8s.io/kwok | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$kwokdir/kustomize/stage" ] || die "cannot find kwok's stage files in the module cache ($kwokdir)"
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  printf -- '---\n'; cat "$kwokdir/kustomize/stage/$f"; printf '\n'
done > "$cache.tmp/kwok-stages.yaml"
rm -f "$cache.tmp"/*.log
rm -rf "$cache" && mv "$cache.tmp" "$cache"
say "control-plane binaries ready in $(( $(date +%s) - start )) s: $cache"
echo "$cache"
