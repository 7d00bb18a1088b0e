#!/usr/bin/env bash
# Starts the Debian PostgreSQL cluster listening on loopback and on the
# Docker bridge gateway, so a RUN step of a gear build reaches it as
# host.docker.internal. Idempotent: a running cluster is reconfigured only
# when its listen address is wrong.
set -euo pipefail

gateway=$(go run ./scripts/bridgegateway)
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
cluster=main
conf=/etc/postgresql/$version/$cluster

if [ ! -d "$conf" ]; then
  pg_createcluster "$version" "$cluster" >/dev/null
fi

want="listen_addresses = 'localhost,$gateway'"
if ! grep -qxF "$want" "$conf/conf.d/gearimage.conf" 2>/dev/null; then
  mkdir -p "$conf/conf.d"
  echo "$want" > "$conf/conf.d/gearimage.conf"
  pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
fi
pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || pg_ctlcluster "$version" "$cluster" status >/dev/null
echo "==> PostgreSQL $version listens on localhost and $gateway:5432"
