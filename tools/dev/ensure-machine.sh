#!/usr/bin/env bash
# Makes this machine ready for the stack and its tests, doing only what is missing: the Debian packages
# (bubblewrap runs the simulated containers' exec — the file manager, rcon-cli — as real processes), then
# PostgreSQL and NATS with JetStream, started with the machine's own commands. Used by `npm start` and `npm test`.
set -euo pipefail

if ! command -v bwrap >/dev/null; then
  echo "Installing bubblewrap …"
  apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 100); do port_open "$1" && return 0; sleep 0.1; done
  echo "$2 did not come up on 127.0.0.1:$1" >&2
  return 1
}

if ! port_open 5432; then
  echo "Starting PostgreSQL …"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432 PostgreSQL
fi

if ! port_open 4222; then
  echo "Starting NATS …"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222 NATS
fi
