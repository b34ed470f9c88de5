#!/usr/bin/env bash
# Make sure a Docker engine answers before anything needs it.
#   1. an engine that answers is used as it is;
#   2. an installed but stopped engine is started;
#   3. as root on Debian with none installed, Debian's docker.io is installed and dockerd started;
#   4. otherwise we stop with a message that says what to install.
set -euo pipefail

log() { printf '[ensure-docker] %s\n' "$*" >&2; }

answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

wait_for_engine() {
  for _ in $(seq 1 60); do
    answers && return 0
    sleep 1
  done
  return 1
}

if command -v docker >/dev/null 2>&1 && answers; then
  log "Docker engine answers (server $(docker info --format '{{.ServerVersion}}'))."
  exit 0
fi

is_root() { [ "$(id -u)" = "0" ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1; then
  if is_root && is_debian; then
    log "No Docker engine installed: installing Debian's docker.io (this takes a minute)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # The docker.io package may ship a client older than one already on PATH; keep both working.
    apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >&2
  else
    log "No Docker engine found. Install Docker Engine (https://docs.docker.com/engine/install/)"
    log "or, on Debian/Ubuntu as root: apt-get install docker.io; then run this again."
    exit 1
  fi
fi

log "Starting the Docker engine..."
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl start docker >&2 || true
elif [ -x /etc/init.d/docker ]; then
  service docker start >&2 2>&1 || true
fi
sleep 1
if ! answers && ! pgrep -x dockerd >/dev/null 2>&1; then
  if ! is_root; then
    log "dockerd is installed but not running, and starting it needs root. Ask an administrator"
    log "to start it (systemctl start docker), or add yourself to the docker group."
    exit 1
  fi
  nohup dockerd >/var/log/dockerd.log 2>&1 &
fi
if ! wait_for_engine; then
  log "The Docker engine did not answer within 60 s. See /var/log/dockerd.log for why."
  tail -n 20 /var/log/dockerd.log >&2 2>/dev/null || true
  exit 1
fi
log "Docker engine answers (server $(docker info --format '{{.ServerVersion}}'))."
