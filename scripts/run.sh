#!/usr/bin/env bash
# The one entry point behind every npm script. It makes a fresh machine ready, then runs the task:
#   1. Node 24 LTS: the machine's node when it is 24, else node-linux-<arch>@24 from the npm registry
#      installed into .tools/ (project-local, nothing global is touched);
#   2. npm dependencies, installed with that Node when package-lock.json changed;
#   3. the Go-built control-plane binaries and Traefik, for tasks that need them (cached outside the work tree);
#   4. for tests, schemathesis (PyPI, pinned) in a venv under .tools/ for the fuzz tier.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
NODE_VERSION=24.21.0
say() { printf '[setup] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

ensure_node() {
  local have=""
  have="$(node --version 2>/dev/null || true)"
  if [[ "$have" == v24.* ]]; then return; fi
  local arch; case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
  local dir="$root/.tools/node-$NODE_VERSION"
  local bin="$dir/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    command -v npm >/dev/null 2>&1 || die "neither Node 24 nor npm is installed: install Node.js 24 LTS (https://nodejs.org) and retry."
    say "node is ${have:-missing}; installing Node $NODE_VERSION from the npm registry into .tools/ ..."
    rm -rf "$dir" && mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_VERSION" >&2 ||
      die "could not install node-linux-$arch@$NODE_VERSION from the npm registry ($(npm config get registry))."
  fi
  export PATH="$bin:$PATH"
  [[ "$(node --version)" == v24.* ]] || die "Node 24 install in $dir does not run."
}

ensure_deps() {
  local stamp="node_modules/.install-stamp" want
  want="$(node --version) $(sha256sum package-lock.json | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "installing npm dependencies (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed (see above)."
  echo "$want" > "$stamp"
}

# The e2e suite drives Debian's Chromium (never a downloaded browser): install it when missing.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  command -v apt-get >/dev/null 2>&1 || die "Chromium is missing and apt-get is not available: install Debian's chromium package."
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing Debian's chromium for the end-to-end tests (apt-get) ..."
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2 ||
    die "apt-get install chromium failed (see above)."
}

# The image preloads Debian's jemalloc (Dockerfile ENV LD_PRELOAD); the operator benchmarks start the
# operator with the image's environment, so this machine needs the library too.
ensure_jemalloc() {
  compgen -G "/usr/lib/*/libjemalloc.so.2" >/dev/null && return
  command -v apt-get >/dev/null 2>&1 || die "libjemalloc.so.2 is missing and apt-get is not available: install Debian's libjemalloc2 package."
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing Debian's libjemalloc2 (the image's allocator, for the operator benchmarks) (apt-get) ..."
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libjemalloc2 >&2 ||
    die "apt-get install libjemalloc2 failed (see above)."
}

# The fuzz tier runs schemathesis (PyPI, pinned) from a project-local venv under .tools/.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local dir="$root/.tools/schemathesis"
  if [ -x "$dir/bin/st" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$SCHEMATHESIS_VERSION" ]; then
    export ZIO_SCHEMATHESIS="$dir/bin/st"; return
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 (3.10 or newer, with venv) is needed for the fuzz tier: install it and retry."
  say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into .tools/schemathesis (fuzz tier) ..."
  rm -rf "$dir"
  python3 -m venv "$dir" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)."
  "$dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2 ||
    die "pip install schemathesis==$SCHEMATHESIS_VERSION failed (see above)."
  echo "$SCHEMATHESIS_VERSION" > "$dir/.version"
  export ZIO_SCHEMATHESIS="$dir/bin/st"
}

ensure_cluster_bins() {
  ZIO_CLUSTER_BIN="$(bash "$root/test/cluster/build-binaries.sh")"
  export ZIO_CLUSTER_BIN
}

# Traefik, the test bed's ingress controller (Ingress + Gateway API), and the Gateway API CRDs (cached likewise).
ensure_traefik() {
  ZIO_TRAEFIK_DIR="$(bash "$root/test/cluster/build-traefik.sh")"
  export ZIO_TRAEFIK_DIR
}

ensure_node
ensure_deps
export PATH="$root/node_modules/.bin:$PATH"
task="${1:-}"; shift || true
case "$task" in
  test)
    ensure_cluster_bins
    ensure_traefik
    ensure_chromium
    ensure_schemathesis
    exec vitest run "$@" ;;
  start)
    ensure_cluster_bins
    ensure_traefik
    exec node scripts/start.ts "$@" ;;
  bench-operator)
    ensure_cluster_bins
    ensure_jemalloc
    exec node test/bench/operator-bench.ts "$@" ;;
  cluster)
    ensure_cluster_bins
    exec node test/cluster/cli.ts "$@" ;;
  lint) exec biome check "$@" . ;;
  format) exec biome format --write "$@" . ;;
  typecheck) exec tsc -p tsconfig.json "$@" ;;
  build) exec node scripts/build.ts "$@" ;;
  generate) exec node scripts/generate.ts "$@" ;;
  check)
    biome check .
    tsc -p tsconfig.json
    node scripts/generate.ts --check ;;
  image) exec bash scripts/image.sh "$@" ;;
  node) exec node "$@" ;;
  *) die "unknown task '$task' (one of: test start bench-operator cluster lint format typecheck build generate check image node)" ;;
esac
