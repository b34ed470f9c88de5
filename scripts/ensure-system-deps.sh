#!/usr/bin/env bash
# Install the Debian packages the tests and the sandbox build need, when missing:
# debootstrap (offline sandbox base image), chromium + chromium-driver (browser tests),
# postgresql + redis-server (distributed mode tests).
set -euo pipefail

need=()
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[system-deps] Missing: ${need[*]}. Install them with your package manager (Debian: apt-get install ${need[*]})." >&2
  exit 1
fi
echo "[system-deps] Installing Debian packages: ${need[*]} (a minute or two)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# policy-rc.d keeps the packages from starting their own services; tests start them on loopback.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.harness
chmod +x /usr/sbin/policy-rc.d.harness
had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
[ "$had_policy" = 1 ] || cp /usr/sbin/policy-rc.d.harness /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
[ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.harness
