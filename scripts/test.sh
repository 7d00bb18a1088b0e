#!/usr/bin/env bash
# Runs every test on a Debian machine with a running Docker Engine: installs
# the Debian packages the tests use, starts PostgreSQL where the gear builds
# reach it (the engine bridge's gateway, which is host.docker.internal inside
# builds), then runs go test. Needs root for apt-get and debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git openssh-client debootstrap postgresql ca-certificates shellcheck)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash scripts/start-postgres.sh

echo "==> go test"
exec go test -count=1 -timeout 80m "$@" ./...
