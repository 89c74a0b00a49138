#!/usr/bin/env bash
# Installs what linkwell needs that is missing: Debian packages with apt-get
# (needs root or sudo) and the npm packages in package-lock.json (npm ci).
# `scripts/deps.sh` is enough to build and run; `scripts/deps.sh --test` adds
# what the tests need (a PostgreSQL server, Chromium for the browser tests).
# Safe to run again: when nothing is missing it installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libpq-dev
  libcmocka-dev libcurl4-openssl-dev sqlite3 curl jq
)
if [ "${1:-}" = "--test" ]; then
  packages+=(clang-format postgresql chromium)
fi
# Node.js and npm build the web assets; use the machine's own if it has them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "linkwell: installing missing packages: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "linkwell: these packages are missing and installing them needs root: ${missing[*]}" >&2
    echo "linkwell: run 'make' as root, install sudo, or run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, exactly as locked; again only when something changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "linkwell: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
