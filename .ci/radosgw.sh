#!/usr/bin/env bash
# A one-node Ceph cluster with a RADOS Gateway on 127.0.0.1, so the S3 blob store is
# tested against a real S3 implementation (see shared TESTING.md, "S3").
#
#   eval "$(.ci/radosgw.sh start)"   # installs if needed, starts, prints `export` lines
#   .ci/radosgw.sh env               # prints the `export` lines of a running gateway
#   .ci/radosgw.sh stop              # stops every daemon it started and removes its data
#
# Progress goes to stderr; stdout carries only the `export` lines. State lives under
# SLIPWAY_RADOSGW_DIR (default /tmp/slipway-radosgw). The OSD keeps objects in memory
# (memstore), so nothing survives a stop.
set -euo pipefail

STATE_DIR="${SLIPWAY_RADOSGW_DIR:-/tmp/slipway-radosgw}"
ACCESS_KEY="slipwaytestaccesskey"
SECRET_KEY="slipwaytestsecretkey0123456789abcdefghij"
BUCKET="slipway-test"
DEADLINE_SECONDS="${SLIPWAY_RADOSGW_DEADLINE:-90}"

say() { printf '[radosgw] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! port_in_use "$port"; then echo "$port"; return 0; fi
  done
  die "no free port found"
}

# Prints the HTTP status line's code of GET / (bash only: curl may be missing).
http_status() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 5 line <&3 || true
  exec 3<&- 3>&-
  line="${line%$'\r'}"
  echo "${line#* }" | cut -d' ' -f1
}

print_env() {
  local port
  port="$(cat "$STATE_DIR/rgw.port")"
  cat <<EOF
export SLIPWAY_TEST_S3_ENDPOINT=http://127.0.0.1:${port}
export SLIPWAY_TEST_S3_BUCKET=${BUCKET}
export SLIPWAY_TEST_S3_REGION=us-east-1
export SLIPWAY_TEST_S3_ACCESS_KEY_ID=${ACCESS_KEY}
export SLIPWAY_TEST_S3_SECRET_ACCESS_KEY=${SECRET_KEY}
EOF
}

install_if_missing() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    return 0
  fi
  say "installing radosgw ceph-mon ceph-osd (about 20 s)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >&2
}

running() {
  [[ -f "$STATE_DIR/rgw.port" ]] && [[ "$(http_status "$(cat "$STATE_DIR/rgw.port")" 2>/dev/null)" == "200" ]]
}

start() {
  if running; then
    say "already running on port $(cat "$STATE_DIR/rgw.port")"
    print_env
    return 0
  fi
  stop_daemons
  local started=$SECONDS
  install_if_missing

  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR"/{run,log,mon,osd,rgw}
  local d="$STATE_DIR" fsid mon_port rgw_port osd_uuid conf
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(free_port)"
  rgw_port="$(free_port)"
  while [[ "$rgw_port" == "$mon_port" ]]; do rgw_port="$(free_port)"; done
  conf="$d/ceph.conf"
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon initial members = a
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms client mode = crc
ms mon client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 2147483648
run dir = $d/run
pid file = $d/run/\$name.pid
admin socket = $d/run/\$name.asok
log file = $d/log/\$name.log
mon data = $d/mon/\$cluster-\$id
osd data = $d/osd/\$cluster-\$id
keyring = $d/keyring

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $d/rgw
EOF
  export CEPH_CONF="$conf"

  say "creating monitor (port $mon_port)"
  ceph-authtool --create-keyring "$d/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$d/monmap" >/dev/null
  mkdir -p "$d/mon/ceph-a"
  ceph-mon -c "$conf" --mkfs -i a --monmap "$d/monmap" --keyring "$d/keyring"
  ceph-mon -c "$conf" -i a 2>>"$d/log/daemon-start.log"

  say "creating OSD"
  local osd_id
  osd_id="$(timeout 60 ceph -c "$conf" osd new "$osd_uuid")"
  mkdir -p "$d/osd/ceph-$osd_id"
  ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
  ceph-osd -c "$conf" -i "$osd_id" 2>>"$d/log/daemon-start.log"

  say "starting radosgw (port $rgw_port)"
  echo "$rgw_port" >"$d/rgw.port"
  radosgw -c "$conf" -n client.rgw.a 2>>"$d/log/daemon-start.log"

  local deadline=$((SECONDS + DEADLINE_SECONDS))
  until [[ "$(http_status "$rgw_port" 2>/dev/null)" == "200" ]]; do
    if ((SECONDS > deadline)); then
      tail -n 20 "$d/log/client.rgw.a.log" >&2 || true
      die "radosgw did not answer HTTP 200 on 127.0.0.1:$rgw_port within ${DEADLINE_SECONDS}s (logs: $d/log)"
    fi
    sleep 0.5
  done

  say "creating S3 user"
  timeout 60 radosgw-admin -c "$conf" user create --uid=slipway --display-name=slipway \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  say "ready on http://127.0.0.1:$rgw_port after $((SECONDS - started))s"
  print_env
}

stop_daemons() {
  local pidfile pid
  [[ -d "$STATE_DIR/run" ]] || return 0
  for pidfile in "$STATE_DIR"/run/*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

stop() {
  stop_daemons
  rm -rf "$STATE_DIR"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running || die "not running; use: $0 start"; print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
