#!/usr/bin/env bash
# Installs Debian's clickhouse-server (18.16 on bookworm), the engine the scale-out tests run a
# two-shard cluster of (scripts/clickhouse-cluster.sh; docs/scale-out.md). Only the binaries are
# used: the tests start their own servers on loopback with configs of their own, so the packaged
# service is neither configured nor needed. Run as root (or with sudo). Safe to run again: it skips
# what is there.
set -euo pipefail
if ! dpkg-query -W -f='${Status}' clickhouse-server 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-clickhouse: installing clickhouse-server"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clickhouse-server >/dev/null
fi
# clickhouse-server 18.16 has no --version; the package's version is the server's.
echo "setup-clickhouse: ok (clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server))"
