#!/usr/bin/env bash
# `npm run image`: builds the unmodified Dockerfile with Debian's buildah, without a Docker engine and
# without a registry: the base image (NODE_IMAGE) is assembled offline from a minimal Debian
# (mmdebstrap) plus Node and npm from the npm registry. Both the base and the image are cached in
# buildah's storage, keyed by their inputs, so a second run with unchanged inputs takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NODE_VERSION=24.21.0 # NB: the same as scripts/run.sh
# NB: the node-linux-* package holds the node binary only; the Dockerfile's build stages run `npm ci`.
NPM_VERSION=11.19.1
SUITE=bookworm
# The Dockerfile's inputs (what it COPYs): a change in any of them is a new image.
INPUTS=(Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json scripts/build.ts bin common operator service charts)
STORAGE=(--storage-driver vfs)
TAG_DEFAULT="localhost/zoom-integration-operator:dev"

say() { printf '[image] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

usage() {
  cat <<EOF
Usage: npm run image -- [--tag NAME] [--print-tag] [--rebuild] [--help]

Builds the Dockerfile with buildah (--isolation chroot, vfs storage) on a base assembled offline:
Debian $SUITE (mmdebstrap --variant=minbase) + node-linux-<arch>@$NODE_VERSION + npm@$NPM_VERSION
from the npm registry. Installs buildah and mmdebstrap with apt-get when missing (needs root).
Cached in buildah's storage: the base by its inputs, the image by the Dockerfile's inputs
(Dockerfile, lockfile, sources); an unchanged tree is not rebuilt. Prints the image's size and layers.

  --tag NAME     also tag the image NAME (default $TAG_DEFAULT)
  --print-tag    print the content-addressed tag on stdout when done (for scripts and tests)
  --rebuild      build the image even when the cached one matches (the base stays cached)
  --help         this text
EOF
}

tag="$TAG_DEFAULT"
print_tag=false
rebuild=false
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || die "--tag needs a value"; tag="$2"; shift 2 ;;
    --print-tag) print_tag=true; shift ;;
    --rebuild) rebuild=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root: buildah's chroot isolation and vfs storage need it here."
case "$(uname -m)" in x86_64) arch=x64 debarch=amd64 ;; aarch64|arm64) arch=arm64 debarch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac

ensure_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and apt-get is not available: install Debian's ${missing[*]}."
  say "installing Debian's ${missing[*]} (apt-get) ..."
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed (see above)."
}

hash_files() { # stdin: paths; stdout: one hash of their names and contents
  LC_ALL=C sort | while read -r f; do printf '%s\n' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-16
}

have_image() { buildah "${STORAGE[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# The base: Debian minbase with node in /usr/local/bin and npm in /usr/local/lib/node_modules, the
# layout of the official node images (the Dockerfile's last stage removes npm from exactly there).
build_base() {
  local base="$1" work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  say "base: fetching node-linux-$arch@$NODE_VERSION and npm@$NPM_VERSION from the npm registry ..."
  (cd "$work" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ||
    die "npm pack node-linux-$arch@$NODE_VERSION npm@$NPM_VERSION failed (npm registry: $(npm config get registry))."
  mkdir -p "$work/node" "$work/npm"
  tar -xzf "$work/node-linux-$arch-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/npm" --strip-components=1
  [ -x "$work/node/bin/node" ] || die "node-linux-$arch@$NODE_VERSION has no bin/node"
  say "base: mmdebstrap --variant=minbase $SUITE (about a minute) ..."
  # NB: documentation, man pages and locales are not needed by node: excluded at unpack time.
  mmdebstrap --quiet --variant=minbase --architectures="$debarch" --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
    --customize-hook="install -m 0755 '$work/node/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$work/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    "$SUITE" "$work/rootfs.tar" >&2 || die "mmdebstrap failed (see above; it needs Debian's archive)."
  say "base: importing into buildah's storage as $base ..."
  local ctr
  ctr="$(buildah "${STORAGE[@]}" from scratch)"
  buildah "${STORAGE[@]}" add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah "${STORAGE[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd node --label "org.opencontainers.image.description=Debian $SUITE minbase + Node $NODE_VERSION + npm $NPM_VERSION" "$ctr"
  buildah "${STORAGE[@]}" commit --quiet --rm "$ctr" "$base" >/dev/null
}

# The build stages' `npm ci` uses this machine's npm settings: its registry and, behind a
# TLS-inspecting proxy, its CA bundle. Mounted for the RUN steps only (buildah -v): nothing of it is
# committed to a layer, so the image does not carry the build machine's trust store.
npm_mounts() {
  local dir="$1" cafile registry
  cafile="$(npm config get cafile 2>/dev/null || true)"
  [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ] || cafile="${NODE_EXTRA_CA_CERTS:-}"
  registry="$(npm config get registry)"
  printf 'registry=%s\nupdate-notifier=false\nfund=false\naudit=false\n' "$registry" >"$dir/npmrc"
  if [ -n "$cafile" ] && [ -f "$cafile" ]; then
    cp "$cafile" "$dir/ca.crt"
    printf 'cafile=/usr/local/etc/zio-build-ca.crt\n' >>"$dir/npmrc"
    printf '%s\n' -v "$dir/ca.crt:/usr/local/etc/zio-build-ca.crt:ro"
  fi
  printf '%s\n' -v "$dir/npmrc:/usr/local/etc/npmrc:ro"
}

# vfs keeps full copies: older content-addressed builds (and dangling stage images) would fill the disk.
prune_old() {
  local keep="$1" old
  for old in $(buildah "${STORAGE[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/zoom-integration-operator:src-' | grep -vxF "$keep"); do
    buildah "${STORAGE[@]}" rmi "$old" >/dev/null 2>&1 || true
  done
  buildah "${STORAGE[@]}" rmi --prune >/dev/null 2>&1 || true
}

report() {
  local image="$1" layers size
  layers="$(buildah "${STORAGE[@]}" inspect --type image --format '{{len .OCIv1.RootFS.DiffIDs}}' "$image")"
  # NB: no `| head -1`: with pipefail, buildah's SIGPIPE would fail the run.
  size="$(buildah "${STORAGE[@]}" images --format '{{.Size}}' "$image")"
  size="${size%%$'\n'*}"
  say "image $image: $size, $layers layers"
}

ensure_tools
command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node from the npm registry: run through 'npm run image'."
started=$SECONDS
# NB: keyed by the recipe (build_base's own text), not this whole file: other edits keep the base.
base_key="$( (printf '%s\n' "$NODE_VERSION" "$NPM_VERSION" "$SUITE" "$arch"; declare -f build_base) | sha256sum | cut -c1-16)"
base="localhost/zio-node-base:$base_key"
if have_image "$base"; then say "base $base: cached"; else build_base "$base"; say "base ready after $((SECONDS - started)) s"; fi

src_key="$(git ls-files -co --exclude-standard -- "${INPUTS[@]}" | grep -v -e '\.test\.ts$' -e '__snapshots__' | while read -r f; do [ -f "$f" ] && echo "$f"; done | hash_files)"
image="localhost/zoom-integration-operator:src-$src_key-$base_key"
if ! $rebuild && have_image "$image"; then
  say "image $image: cached (Dockerfile, lockfile and sources unchanged)"
else
  say "building the Dockerfile with NODE_IMAGE=$base ..."
  npmdir="$(mktemp -d)"
  mapfile -t mounts < <(npm_mounts "$npmdir")
  # NB: no --layers: with vfs every committed step is a full copy of the root filesystem, which cost
  # more than re-running npm ci; the content-addressed tag above is the cache that matters.
  buildah "${STORAGE[@]}" bud --isolation chroot --layers=false --quiet "${mounts[@]}" --build-arg "NODE_IMAGE=$base" -t "$image" . >&2 ||
    { rm -rf "$npmdir"; die "buildah bud failed (see above)."; }
  rm -rf "$npmdir"
fi
buildah "${STORAGE[@]}" tag "$image" "$tag"
prune_old "$image"
say "done in $((SECONDS - started)) s"
report "$image"
if $print_tag; then echo "$image"; fi
