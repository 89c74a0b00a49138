#!/usr/bin/env bash
# Installs the Debian packages linkwell needs to build, run and test, if any
# are missing. Needs root or sudo (apt-get). Safe to run again: it installs
# nothing when everything is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
  libpq-dev postgresql
  libcmocka-dev libcurl4-openssl-dev clang-format sqlite3 curl jq
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
