#!/usr/bin/env bash
# Builds the sample gear offline and runs it: installs debootstrap from
# Debian's packages when it is missing, then runs the Mage sample target,
# which builds the offline elixir image, the sample gear on it, and runs it.
# Needs root for apt-get and debootstrap. Extra arguments go to Mage.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v debootstrap >/dev/null; then
  echo "==> installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

exec go run mage.go "$@" sample
