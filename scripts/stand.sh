#!/usr/bin/env bash
# The local two-region S3 stand: Ceph RGW multisite, one realm, one zonegroup, zones za and zb,
# each served by its own radosgw on a loopback port. A bucket created through one zone appears on
# the other; objects replicate asynchronously with preserved version ids and ETags, so za/zb
# behave like a source region and a replica region.
#
# Usage: bash scripts/stand.sh <install|start|ensure|stop|stop-zone Z|start-zone Z|bucket-sync enable|disable B|quiet-logs|status|env>
#
# Environment:
#   STAND_DIR      state dir (cluster data, logs, pid files, admin sockets, env.json); default .stand/
#   STAND_ZA_PORT  port of zone za's radosgw; default 7480
#   STAND_ZB_PORT  port of zone zb's radosgw; default 7481
#   STAND_MON_PORT port of the Ceph monitor; default 3300 (set all three to run a second stand)
#   STAND_OSD_GIB  size of the OSD's sparse block file in GiB, set when the stand is created;
#                  default 10 (the scale benchmark's 2,000,000 objects need more)
#
# Every daemon runs in its own session with stdin from /dev/null and stdout/stderr to files under
# the state dir, so a caller whose output is piped (CI) is never held open by the stand. The stand
# keeps running after the caller exits; `stop` stops it by its pid files.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAND_DIR="${STAND_DIR:-$REPO_ROOT/.stand}"
mkdir -p "$STAND_DIR"
D="$(cd "$STAND_DIR" && pwd)"
CONF="$D/ceph.conf"
RUN="$D/run"
LOG="$D/log"
ZA_PORT="${STAND_ZA_PORT:-7480}"
ZB_PORT="${STAND_ZB_PORT:-7481}"
MON_PORT="${STAND_MON_PORT:-3300}"
OSD_GIB="${STAND_OSD_GIB:-10}"
[[ "$OSD_GIB" =~ ^[1-9][0-9]*$ ]] || { echo "[stand] STAND_OSD_GIB is '$OSD_GIB': give a whole number of GiB, such as 10" >&2; exit 1; }

# Fixed credentials and key: this is a local, loopback-only test stand.
SYSTEM_ACCESS_KEY='STANDSYSTEMACCESSKEY'
SYSTEM_SECRET_KEY='standSystemSecretKeyForMultisiteSync0000'
TEST_ACCESS_KEY='STANDTESTACCESSKEY01'
TEST_SECRET_KEY='standTestSecretKey00000000000000000000000'
KMS_KEY_ID='stand-test-key'
KMS_KEY_MATERIAL='wfTLW1f0C/KslVvEhd/FljHIYV2zXZyls1UP0Aq/XuY='
# The zonegroup's API name is the one region an S3 client signs with and names as its
# LocationConstraint on either zone (both zones are in one zonegroup).
REGION='stand'

PACKAGES=(radosgw ceph-mon ceph-osd ceph-common curl)
BINARIES=(radosgw radosgw-admin ceph ceph-mon ceph-osd ceph-authtool monmaptool curl)

log() { printf '[stand] %s\n' "$*" >&2; }
die() {
  printf '[stand] error: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# install

missing_binaries() {
  local b missing=()
  for b in "${BINARIES[@]}"; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  echo "${missing[*]:-}"
}

cmd_install() {
  local missing
  missing="$(missing_binaries)"
  if [[ -z "$missing" ]]; then
    log "ceph packages already installed"
    return 0
  fi
  local hint="install the Debian packages: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing commands: $missing; no apt-get on this machine: $hint (Ceph 16 or later, radosgw with multisite)"
  fi
  if [[ "$(id -u)" != 0 ]]; then
    die "missing commands: $missing; not root, cannot install: $hint"
  fi
  log "installing ${PACKAGES[*]} (about 40 s)"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >&2
  missing="$(missing_binaries)"
  [[ -z "$missing" ]] || die "still missing after install: $missing"
}

# ---------------------------------------------------------------------------------------------
# daemons

pid_file() { echo "$RUN/$1.pid"; }

# The pid of a live daemon of this stand (its command line names this stand's ceph.conf), or nothing.
live_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -s "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONF"; then
    echo "$pid"
  fi
}

# Starts a daemon fully detached: own session, stdin from /dev/null, output to a file. The pid file
# is written before exec, so it holds the daemon's own pid.
spawn() {
  local name="$1"
  shift
  local pidf
  pidf="$(pid_file "$name")"
  rm -f "$pidf"
  # 9>&-: the daemon must not inherit the stand lock (see with_lock), or it would hold it forever.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$LOG/$name.out" 2>&1 9>&- &
  disown || true
  local i
  for i in $(seq 1 50); do
    [[ -s "$pidf" ]] && return 0
    sleep 0.1
  done
  die "$name did not start (see $LOG/$name.out)"
}

stop_daemon() {
  local name="$1" pid i
  pid="$(live_pid "$name")"
  if [[ -z "$pid" ]]; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name ($pid) did not stop in 10 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$name")"
}

ceph_cli() { timeout 60 ceph -c "$CONF" --connect-timeout 15 "$@"; }
rgw_admin() { timeout 120 radosgw-admin -c "$CONF" "$@"; }

# bucket_sync_is ZONE BUCKET 0|1: true when ZONE's copy of the bucket's metadata has sync
# disabled (1) or enabled (0): flag BUCKET_DATASYNC_DISABLED (8) of the bucket instance.
bucket_sync_is() {
  local id flags
  id="$(rgw_admin --rgw-zone="$1" bucket stats --bucket="$2" | sed -n 's/^ *"id": "\(.*\)",$/\1/p' | head -1)"
  [[ -n "$id" ]] || return 1
  flags="$(rgw_admin --rgw-zone="$1" metadata get "bucket.instance:$2:$id" | sed -n 's/^ *"flags": \([0-9]*\),\{0,1\}$/\1/p' | head -1)"
  [[ -n "$flags" ]] || return 1
  (((flags & 8) != 0 ? $3 == 1 : $3 == 0))
}

wait_for() {
  local what="$1" seconds="$2" logf="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what (see $logf)"
    sleep 0.3
  done
}

zone_port() {
  case "$1" in
    za) echo "$ZA_PORT" ;;
    zb) echo "$ZB_PORT" ;;
    *) die "unknown zone '$1': use za or zb" ;;
  esac
}

port_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; }

# Something listens on that loopback port.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Our monitor is alive and answers (a client would talk to any monitor on the port).
mon_ours() { [[ -n "$(live_pid mon.a)" ]] && ceph_cli mon stat; }

# A signed ListBuckets as the test user succeeds on that port.
user_works() {
  curl -sf -o /dev/null --max-time 5 --aws-sigv4 "aws:amz:$REGION:s3" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    --user "$TEST_ACCESS_KEY:$TEST_SECRET_KEY" "http://127.0.0.1:$1/"
}

osd_up() { ceph_cli osd stat 2>/dev/null | grep -q '1 up'; }

# ---------------------------------------------------------------------------------------------
# cluster creation (once per state dir)

write_conf() {
  local fsid="$1"
  cat >"$CONF" <<EOF
# Generated by scripts/stand.sh: a one-monitor, one-OSD Ceph cluster for the local S3 stand.
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:$MON_PORT
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
run_dir = $RUN
admin_socket = $RUN/\$name.asok
pid_file = $RUN/\$name.pid
log_file = $LOG/\$name.log
keyring = $D/keyring
mon_data = $D/mon/\$cluster-\$id
osd_data = $D/osd/\$cluster-\$id
rgw_data = $D/rgw/\$cluster-\$id
crash_dir = $D/crash

[mon]
mon_data_avail_warn = 2
mon_data_avail_crit = 1

[osd]
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $((OSD_GIB * 1073741824))
osd_memory_target = 1073741824

[client]
# Without this a client cannot reach a monitor that runs with auth off (error -13).
ms_mon_client_mode = crc secure
rgw_crypt_s3_kms_backend = testing
rgw_crypt_s3_kms_encryption_keys = $KMS_KEY_ID=$KMS_KEY_MATERIAL
rgw_crypt_require_ssl = false
EOF
}

create_cluster() {
  log "creating the cluster in $D"
  local fsid osd_uuid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mkdir -p "$RUN" "$LOG" "$D/mon/ceph-a" "$D/osd/ceph-0" "$D/rgw" "$D/crash"
  write_conf "$fsid"
  echo "$ZA_PORT $ZB_PORT" >"$D/ports"
  echo "$MON_PORT" >"$D/mon-port"
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$D/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >>"$LOG/mkfs.out" 2>&1 ||
    die "ceph-mon --mkfs failed (see $LOG/mkfs.out)"
  start_mon
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  local id
  id="$(ceph_cli osd new "$osd_uuid")"
  [[ "$id" == 0 ]] || die "expected osd id 0, got '$id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$LOG/mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs failed (see $LOG/mkfs.out)"
  touch "$D/.cluster-created"
}

configure_multisite() {
  log "configuring multisite: realm, zonegroup, zones za and zb"
  local za="http://127.0.0.1:$ZA_PORT" zb="http://127.0.0.1:$ZB_PORT"
  {
    rgw_admin realm create --rgw-realm=stand --default
    rgw_admin zonegroup create --rgw-realm=stand --rgw-zonegroup="$REGION" --endpoints="$za" --master --default
    rgw_admin zone create --rgw-zonegroup="$REGION" --rgw-zone=za --endpoints="$za" \
      --access-key="$SYSTEM_ACCESS_KEY" --secret="$SYSTEM_SECRET_KEY" --master --default
    rgw_admin zone create --rgw-zonegroup="$REGION" --rgw-zone=zb --endpoints="$zb" \
      --access-key="$SYSTEM_ACCESS_KEY" --secret="$SYSTEM_SECRET_KEY"
    rgw_admin user create --uid=stand-sync --display-name='multisite sync' \
      --access-key="$SYSTEM_ACCESS_KEY" --secret="$SYSTEM_SECRET_KEY" --system
    rgw_admin period update --commit
  } >>"$LOG/multisite.out" 2>&1 || die "multisite configuration failed (see $LOG/multisite.out)"
  touch "$D/.multisite-configured"
}

create_test_user() {
  rgw_admin user create --uid=stand-test --display-name='stand test user' \
    --access-key="$TEST_ACCESS_KEY" --secret="$TEST_SECRET_KEY" >>"$LOG/multisite.out" 2>&1 ||
    die "creating the test user failed (see $LOG/multisite.out)"
  touch "$D/.user-created"
}

write_env() {
  cat >"$D/env.json.tmp" <<EOF
{
  "accessKeyId": "$TEST_ACCESS_KEY",
  "secretAccessKey": "$TEST_SECRET_KEY",
  "kmsKeyId": "$KMS_KEY_ID",
  "zones": {
    "za": { "endpoint": "http://127.0.0.1:$ZA_PORT", "region": "$REGION" },
    "zb": { "endpoint": "http://127.0.0.1:$ZB_PORT", "region": "$REGION" }
  }
}
EOF
  mv "$D/env.json.tmp" "$D/env.json"
}

# ---------------------------------------------------------------------------------------------
# start / stop

start_mon() {
  [[ -n "$(live_pid mon.a)" ]] && return 0
  # Never talk to another cluster's monitor: the ceph CLI does not check the fsid.
  if port_in_use "$MON_PORT"; then
    die "port $MON_PORT (the Ceph monitor) is taken by another process (another stand?): stop it or set STAND_MON_PORT, STAND_ZA_PORT and STAND_ZB_PORT"
  fi
  spawn mon.a ceph-mon -c "$CONF" -i a -f
  wait_for "the monitor" 60 "$LOG/mon.a.log" mon_ours
}

start_osd() {
  if [[ -z "$(live_pid osd.0)" ]]; then
    spawn osd.0 ceph-osd -c "$CONF" -i 0 -f
  fi
  wait_for "the OSD to be up" 90 "$LOG/osd.0.log" osd_up
}

start_rgw() {
  local zone="$1" port
  port="$(zone_port "$zone")"
  if [[ -z "$(live_pid "client.rgw.$zone")" ]]; then
    if port_in_use "$port"; then
      die "port $port (zone $zone) is taken by another process: stop it or set STAND_Z${zone#z}_PORT"
    fi
    # tcp_nodelay: with Nagle's algorithm on (beast's default), a response on a reused connection
    # waits for the client's delayed ACK: measured 60-70 ms per ListObjectsV2 page instead of
    # about 20 ms, for every client. S3 does not stall like this, so the stand should not either.
    # rgw_sync_lease_period: each sync shard is a RADOS lock held for this long (default 120 s) and
    # renewed while the daemon runs. A stopped zone cannot release its locks, so after a restart
    # replication waited for the old ones to expire: measured 111 s from start-zone until both
    # directions worked again, 1.6 s with 20 s leases. Outage tests restart a zone several times.
    spawn "client.rgw.$zone" radosgw -c "$CONF" -n "client.rgw.$zone" -f --rgw-zone="$zone" \
      --rgw-frontends="beast endpoint=127.0.0.1:$port tcp_nodelay=1" --rgw-sync-lease-period=20
  fi
  wait_for "zone $zone's radosgw on port $port" 90 "$LOG/client.rgw.$zone.log" port_answers "$port"
}

check_ports() {
  # A half-created stand is recreated from scratch by do_start: its ports do not matter.
  [[ -f "$D/.cluster-created" && -f "$D/ports" ]] || return 0
  local want mon=3300
  want="$(cat "$D/ports")"
  [[ -f "$D/mon-port" ]] && mon="$(cat "$D/mon-port")"
  [[ "$want $mon" == "$ZA_PORT $ZB_PORT $MON_PORT" ]] ||
    die "this stand was created with ports '$want $mon' (za zb mon), not '$ZA_PORT $ZB_PORT $MON_PORT': unset STAND_ZA_PORT/STAND_ZB_PORT/STAND_MON_PORT, or stop it and remove $D to recreate it"
}

do_start() {
  local t0=$SECONDS
  [[ -z "$(missing_binaries)" ]] || die "ceph is not installed: run 'bash scripts/stand.sh install' (missing: $(missing_binaries))"
  if [[ ! -f "$D/.cluster-created" ]]; then
    # A half-created cluster (interrupted earlier) cannot be repaired: start over.
    stop_all
    rm -rf "$D/ceph.conf" "$D/keyring" "$D/monmap" "$D/ports" "$D/mon-port" "$D/env.json" "$D/mon" "$D/osd" "$D/rgw" \
      "$D/crash" "$RUN" "$D/.multisite-configured" "$D/.user-created"
    create_cluster
  fi
  check_ports
  mkdir -p "$RUN" "$LOG"
  start_mon
  start_osd
  [[ -f "$D/.multisite-configured" ]] || configure_multisite
  start_rgw za
  start_rgw zb
  [[ -f "$D/.user-created" ]] || create_test_user
  wait_for "the test user to work on za" 60 "$LOG/client.rgw.za.log" user_works "$ZA_PORT"
  # zb learns the user through metadata sync.
  wait_for "the test user to work on zb" 90 "$LOG/client.rgw.zb.log" user_works "$ZB_PORT"
  write_env
  log "stand ready in $((SECONDS - t0))s: za http://127.0.0.1:$ZA_PORT, zb http://127.0.0.1:$ZB_PORT (state in $D)"
}

stop_all() {
  stop_daemon client.rgw.zb
  stop_daemon client.rgw.za
  stop_daemon osd.0
  stop_daemon mon.a
}

healthy() {
  local n
  for n in mon.a osd.0 client.rgw.za client.rgw.zb; do
    [[ -n "$(live_pid "$n")" ]] || return 1
  done
  [[ -f "$D/env.json" ]] && user_works "$ZA_PORT" && user_works "$ZB_PORT"
}

# Serializes start/ensure/stop across processes (test runners start concurrently-ish).
with_lock() {
  exec 9>"$D/lock"
  flock -w 600 9 || die "another stand.sh process held $D/lock for 10 minutes (see its output; 'fuser $D/lock' names it)"
  "$@"
}

cmd_ensure() {
  if [[ -n "$(missing_binaries)" ]]; then
    cmd_install
  fi
  check_ports
  if healthy; then
    log "stand already running and healthy (state in $D)"
    return 0
  fi
  with_lock ensure_locked
}

ensure_locked() {
  if healthy; then
    log "stand already running and healthy (state in $D)"
    return 0
  fi
  do_start
}

cmd_status() {
  local n pid state=0
  for n in mon.a osd.0 client.rgw.za client.rgw.zb; do
    pid="$(live_pid "$n")"
    if [[ -n "$pid" ]]; then echo "$n: running (pid $pid)"; else
      echo "$n: stopped"
      state=1
    fi
  done
  local z port
  for z in za zb; do
    port="$(zone_port "$z")"
    if user_works "$port"; then echo "zone $z: http://127.0.0.1:$port answers"; else
      echo "zone $z: http://127.0.0.1:$port does not answer"
      state=1
    fi
  done
  return $state
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    install) cmd_install ;;
    start)
      cmd_install
      with_lock do_start
      ;;
    ensure) cmd_ensure ;;
    stop)
      with_lock stop_all
      log "stand stopped (state kept in $D)"
      ;;
    stop-zone)
      [[ $# -eq 2 ]] || die "usage: stand.sh stop-zone za|zb"
      zone_port "$2" >/dev/null
      stop_daemon "client.rgw.$2"
      log "zone $2 stopped"
      ;;
    start-zone)
      [[ $# -eq 2 ]] || die "usage: stand.sh start-zone za|zb"
      zone_port "$2" >/dev/null
      [[ -f "$D/.user-created" ]] || die "the stand was never started: run 'bash scripts/stand.sh ensure'"
      [[ -n "$(live_pid osd.0)" ]] || die "the cluster is not running: run 'bash scripts/stand.sh ensure'"
      start_rgw "$2"
      wait_for "the test user to work on $2" 60 "$LOG/client.rgw.$2.log" user_works "$(zone_port "$2")"
      log "zone $2 started"
      ;;
    bucket-sync)
      # Per-bucket replication switch (no period commit, so it does not stall sync): once both
      # zones have the flag (waited for below), writes through either zone stay in that zone (a
      # durable planted difference, or a restore target that needs no copy). Enabling it again
      # catches up in about 15 s.
      [[ $# -eq 3 && ("$2" == enable || "$2" == disable) ]] || die "usage: stand.sh bucket-sync enable|disable BUCKET"
      [[ -f "$CONF" ]] || die "the stand was never started: run 'bash scripts/stand.sh ensure'"
      rgw_admin bucket sync "$2" --bucket="$3" >/dev/null
      # The switch is bucket metadata, set on za (the metadata master); zb keeps replicating the
      # bucket until metadata sync brings it the flag. Wait for both zones to have it.
      local want=0 z
      [[ "$2" == disable ]] && want=1
      for z in za zb; do
        wait_for "zone $z to see bucket sync $2d for $3" 60 "$LOG/client.rgw.$z.log" bucket_sync_is "$z" "$3" "$want"
      done
      ;;
    quiet-logs)
      # radosgw logs three lines a request at its default level (1/5). At hundreds of requests a
      # second on two cores that costs a third of the throughput: planting measured about 260
      # PUTs/s before and 410 after. Level 0 still logs errors. Lasts until the daemon restarts.
      local z
      for z in za zb; do
        [[ -n "$(live_pid "client.rgw.$z")" ]] || continue
        ceph --admin-daemon "$RUN/client.rgw.$z.asok" config set debug_rgw 0/0 >/dev/null
      done
      log "radosgw logs only errors until it restarts"
      ;;
    status) cmd_status ;;
    env)
      [[ -f "$D/env.json" ]] || die "no $D/env.json: run 'bash scripts/stand.sh ensure' first"
      cat "$D/env.json"
      ;;
    *) die "usage: stand.sh install|start|ensure|stop|stop-zone za|zb|start-zone za|zb|bucket-sync enable|disable BUCKET|quiet-logs|status|env" ;;
  esac
}

main "$@"
