#!/usr/bin/env bash
# pg.sh - a throwaway PostgreSQL server for the test suite (loopback only, trust auth).
#
# Usage:
#   eval "$(scripts/pg.sh start)"   # start (or reuse) the server; stdout is ONLY:
#                                   #   export KENNISNET_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:15432/kennisnet_test
#     (eval "" succeeds, so a failed start goes unnoticed even under set -e; in CI prefer:
#        pg_env=$(scripts/pg.sh start) || exit 1; eval "$pg_env")
#   scripts/pg.sh status            # exit 0 = running (prints details), 3 = not running
#   scripts/pg.sh stop              # stop the server and delete its folder
#   scripts/pg.sh url               # print the export line without starting anything
#
# Environment:
#   PGPORT            TCP port (default 15432; below the ephemeral range 32768-60999 on purpose,
#                     so client sockets in TIME_WAIT can never block the bind)
#   KENNISNET_PG_DIR  folder of the server (default /tmp/kennisnet-pg-$PGPORT); it holds data/,
#                     postgres.log, initdb.log and the unix socket. `stop` deletes it.
#
# Behaviour:
#   * Runs as root (CI, developer machines) or as a normal user. As root, initdb/pg_ctl run as the
#     `postgres` OS user (initdb refuses root); the user is created if missing.
#   * Missing PostgreSQL binaries are installed with apt-get (root only).
#   * `start` is idempotent: a running server is reused (the database is created if missing).
#   * A server that died (kill -9, OOM, reboot) is cleaned up, including a zombie postmaster,
#     orphaned children and the leftover SysV shared-memory segment, then started fresh
#     (the data is throwaway: fsync=off etc., and it is wiped on every fresh start).
#   * A port held by something else is reported clearly; a failed start prints the log tail.
#   * All diagnostics go to stderr; exit status is non-zero on failure.
#   * Concurrent invocations for the same port are serialised with flock.
#
# This is for tests only: trust authentication on 127.0.0.1, durability switched off.
set -Eeuo pipefail

# Keep the real stdout on fd 3 and send everything else (including any tool output) to stderr,
# so that `eval "$(scripts/pg.sh start)"` only ever sees the export line.
exec 3>&1 1>&2

PORT="${PGPORT:-15432}"
DBNAME=kennisnet_test
BASE="${KENNISNET_PG_DIR:-/tmp/kennisnet-pg-$PORT}"
DATA="$BASE/data"
LOG="$BASE/postgres.log"
MARKER="$BASE/.kennisnet-pg"
LOCK="/tmp/kennisnet-pg-$PORT.lock"
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DBNAME"
START_TIMEOUT="${KENNISNET_PG_START_TIMEOUT:-60}"

# libpq variables from the caller's environment must not redirect our own client calls.
unset PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS PGSSLMODE PGDATA PGPORT

T0=$(date +%s%N)
say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { printf 'pg.sh: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  die "PGPORT must be a TCP port number, got '$PORT'"
fi
case "$BASE" in
  /*) ;;
  *) die "KENNISNET_PG_DIR must be an absolute path, got '$BASE'" ;;
esac
[[ "$BASE" != "/" && "$BASE" != /tmp && "$BASE" != /tmp/ ]] || die "refusing to use '$BASE' as server folder"

IS_ROOT=0
[[ "$(id -u)" -eq 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------------
BIN=""
find_bindir() {
  local d
  # Debian layout first, PostgreSQL 15 preferred, then the newest other major version.
  local -a dirs=()
  mapfile -t dirs < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
  for d in /usr/lib/postgresql/15/bin "${dirs[@]}"; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then BIN="$d"; return 0; fi
  done
  # Anything on PATH (e.g. symlinks in /usr/local/bin, or a non-Debian install).
  local i c
  i=$(command -v initdb 2>/dev/null || true)
  c=$(command -v pg_ctl 2>/dev/null || true)
  if [[ -n "$i" && -n "$c" ]]; then
    d=$(dirname "$(readlink -f "$i")")
    if [[ -x "$d/pg_ctl" && -x "$d/postgres" ]]; then BIN="$d"; return 0; fi
  fi
  return 1
}

install_postgres() {
  (( IS_ROOT )) || die "PostgreSQL server binaries (initdb, pg_ctl) not found and not running as root; install them with: sudo apt-get install -y postgresql"
  command -v apt-get >/dev/null || die "PostgreSQL binaries not found and apt-get is not available"
  say "PostgreSQL binaries not found; installing with apt-get (this takes a while) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update || die "apt-get update failed"
  apt-get install -y postgresql || die "apt-get install -y postgresql failed"
  find_bindir || die "postgresql was installed but no initdb/pg_ctl found under /usr/lib/postgresql/*/bin"
}

# Client tools: prefer the ones next to the server, fall back to PATH (Debian's pg_wrapper).
tool() {
  if [[ -x "$BIN/$1" ]]; then echo "$BIN/$1"
  elif command -v "$1" >/dev/null 2>&1; then command -v "$1"
  else die "PostgreSQL tool '$1' not found"
  fi
}

# ---------------------------------------------------------------------------------------------
# Running things as the owner of the cluster
# ---------------------------------------------------------------------------------------------
ensure_postgres_user() {
  (( IS_ROOT )) || return 0
  if ! id -u postgres >/dev/null 2>&1; then
    say "creating OS user 'postgres'"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash --comment "PostgreSQL administrator" postgres \
      || die "could not create OS user 'postgres'"
  fi
}

# as_owner CMD...: run CMD as the user owning the cluster (root -> postgres or the data dir owner).
# Every fd above 2 is closed first: otherwise the postmaster would inherit (and keep open for its
# whole life) the caller's stdout pipe on fd 3 -- making `$(pg.sh start)` hang -- our flock fd,
# and any pipe of a CI runner.
as_owner() {
  local u="" f fd
  if (( IS_ROOT )); then
    u=postgres
    if [[ -d "$DATA" ]]; then u=$(stat -c %U "$DATA"); fi
    if [[ "$u" == root ]]; then u=postgres; fi
    command -v runuser >/dev/null || die "runuser (util-linux) is needed to run PostgreSQL as root"
  fi
  (
    cd /
    for f in /proc/self/fd/*; do
      fd=${f##*/}
      if [[ "$fd" =~ ^[0-9]+$ ]] && (( fd > 2 )); then exec {fd}>&-; fi
    done
    if [[ -n "$u" ]]; then exec runuser -u "$u" -- "$@"; else exec "$@"; fi
  )
}

# ---------------------------------------------------------------------------------------------
# State inspection
# ---------------------------------------------------------------------------------------------
proc_state() {  # prints the one-letter state of a pid, or nothing if it is gone
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  echo "${s%% *}"
}

# pid of a live (non-zombie) postmaster from postmaster.pid, or nothing.
live_postmaster_pid() {
  local pid st comm
  [[ -r "$DATA/postmaster.pid" ]] || return 0
  pid=$(head -n1 "$DATA/postmaster.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  st=$(proc_state "$pid")
  [[ -n "$st" && "$st" != Z && "$st" != X ]] || return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  case "$comm" in postgres|postmaster) echo "$pid" ;; esac   # guard against pid reuse
}

is_ready() { "$(tool pg_isready)" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1; }

port_in_use() {  # true if something accepts TCP connections on 127.0.0.1:$PORT
  timeout 3 bash -c "exec 9<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
}

# All processes of this cluster: postgres chdir()s into its data directory, children inherit it.
cluster_pids() {
  local real p
  real=$(readlink -f "$DATA" 2>/dev/null || echo "$DATA")
  for p in /proc/[0-9]*; do
    if [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$real" ]]; then echo "${p#/proc/}"; fi
  done
}

log_tail() {
  if [[ -r "$LOG" ]]; then
    say "---- last lines of $LOG ----"
    tail -n 40 "$LOG" >&2 || true
    say "----"
  fi
}

# ---------------------------------------------------------------------------------------------
# Cleanup of a dead or dying cluster
# ---------------------------------------------------------------------------------------------
reap_leftovers() {
  local pid st i shm_id=""
  local -a pids=()
  if [[ -r "$DATA/postmaster.pid" ]]; then
    pid=$(head -n1 "$DATA/postmaster.pid" 2>/dev/null || true)
    shm_id=$(sed -n '7p' "$DATA/postmaster.pid" 2>/dev/null | awk '{print $2}' || true)
    # A postmaster killed with SIGKILL stays a zombie (seen for 1-3 s) until its parent, usually
    # PID 1, reaps it; meanwhile `pg_ctl status` still calls it running. A zombie holds no port,
    # socket or memory, and the folder is recreated below, so there is no need to wait for it.
    if [[ "$pid" =~ ^[0-9]+$ ]]; then
      st=$(proc_state "$pid")
      if [[ "$st" == Z ]]; then say "old postmaster $pid is a zombie (harmless, not waiting for it)"; fi
    fi
  fi
  # Children of a killed postmaster notice its death and exit on their own; give them a moment,
  # then kill whatever is left.
  for ((i = 0; i < 50; i++)); do
    mapfile -t pids < <(cluster_pids)
    (( ${#pids[@]} == 0 )) && break
    if (( i == 30 )); then
      say "killing leftover server processes: ${pids[*]}"
      kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    sleep 0.1
  done
  mapfile -t pids < <(cluster_pids)
  (( ${#pids[@]} == 0 )) || die "server processes ${pids[*]} of $DATA do not go away"
  # The small SysV segment PostgreSQL uses as an interlock survives a crash; remove it if unused.
  if [[ "$shm_id" =~ ^[0-9]+$ ]] && command -v ipcrm >/dev/null; then
    ipcrm -m "$shm_id" 2>/dev/null || true
  fi
}

remove_base() {
  [[ -e "$BASE" ]] || return 0
  [[ -d "$BASE" ]] || die "$BASE exists and is not a directory"
  if [[ ! -e "$MARKER" && -n "$(ls -A "$BASE" 2>/dev/null)" ]]; then
    die "refusing to delete $BASE: it was not created by pg.sh (no $MARKER)"
  fi
  rm -rf -- "$BASE" || die "could not delete $BASE (created by another user? try: sudo rm -rf $BASE)"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
print_export() { printf 'export KENNISNET_TEST_PG_URL=%s\n' "$URL" >&3; }

ensure_database() {
  local psql have
  psql=$(tool psql)
  have=$("$psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
         "select 1 from pg_database where datname = '$DBNAME'" 2>&1) \
    || die "cannot query the server on 127.0.0.1:$PORT: $have"
  if [[ "$have" != 1 ]]; then
    "$(tool createdb)" -h 127.0.0.1 -p "$PORT" -U postgres "$DBNAME" || die "createdb $DBNAME failed"
    say "created database $DBNAME"
  fi
}

wait_ready() {  # wait_ready SECONDS
  local deadline=$(( $(date +%s) + $1 ))
  while (( $(date +%s) < deadline )); do
    is_ready && return 0
    [[ -n "$(live_postmaster_pid)" ]] || return 1   # it died
    sleep 0.1
  done
  return 1
}

cmd_start() {
  local pid
  find_bindir || install_postgres
  ensure_postgres_user

  pid=$(live_postmaster_pid)
  if [[ -n "$pid" ]]; then
    # Alive: either running, or still starting up / recovering. Give it a moment.
    if is_ready || wait_ready 15; then
      ensure_database
      say "already running (pid $pid, port $PORT, $BASE) [$(elapsed)]"
      print_export
      return 0
    fi
    say "server pid $pid in $DATA is alive but does not accept connections; stopping it"
    kill -CONT "$pid" 2>/dev/null || true   # in case it was stopped with SIGSTOP
    as_owner "$BIN/pg_ctl" -D "$DATA" stop -m immediate -w -t 10 >/dev/null 2>&1 || true
    kill -KILL "$pid" 2>/dev/null || true
  elif [[ -e "$DATA/postmaster.pid" ]]; then
    say "found a stale postmaster.pid (server died); cleaning up"
  fi
  if [[ -d "$DATA" ]]; then reap_leftovers; fi

  if port_in_use; then
    local who=""
    if command -v ss >/dev/null; then who=$(ss -Hltnp "sport = :$PORT" 2>/dev/null | head -n 3 || true); fi
    if "$(tool pg_isready)" -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1; then
      who="${who:+$who; }it answers as a PostgreSQL server that pg.sh does not manage (not in $BASE)"
    fi
    die "port 127.0.0.1:$PORT is already in use by another program${who:+ ($who)}. Stop it or choose another port, e.g. PGPORT=$((PORT + 1)) $0 start"
  fi

  # Fresh, empty folder for the throwaway cluster.
  remove_base
  mkdir -p "$BASE" || die "cannot create $BASE"
  touch "$MARKER"
  if (( IS_ROOT )); then chown -R postgres: "$BASE"; fi
  chmod 0755 "$BASE"   # data/ itself is 0700 (initdb)

  say "initdb in $DATA ($("$BIN/postgres" --version))"
  if ! as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >"$BASE/initdb.log" 2>&1; then
    cat "$BASE/initdb.log" >&2 || true
    die "initdb failed"
  fi

  # Settings go into postgresql.conf (no quoting trouble with pg_ctl -o).
  cat >>"$DATA/postgresql.conf" <<EOF

# ---- added by scripts/pg.sh: throwaway test server, NOT for real data ----
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BASE'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

  if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
    log_tail
    die "pg_ctl start failed (port $PORT, folder $BASE)"
  fi
  if ! wait_ready "$START_TIMEOUT"; then
    log_tail
    die "server started but does not accept connections on 127.0.0.1:$PORT"
  fi
  if ! "$(tool createdb)" -h 127.0.0.1 -p "$PORT" -U postgres "$DBNAME"; then
    log_tail
    die "createdb $DBNAME failed"
  fi
  say "started PostgreSQL on 127.0.0.1:$PORT (pid $(live_postmaster_pid), folder $BASE) [$(elapsed)]"
  print_export
}

cmd_stop() {
  local pid
  if [[ ! -e "$BASE" ]]; then
    say "not running (no $BASE)"
    return 0
  fi
  find_bindir || true
  pid=$(live_postmaster_pid)
  if [[ -n "$pid" ]]; then
    if [[ -n "$BIN" ]]; then
      as_owner "$BIN/pg_ctl" -D "$DATA" stop -m fast -w -t 30 >/dev/null 2>&1 \
        || as_owner "$BIN/pg_ctl" -D "$DATA" stop -m immediate -w -t 10 >/dev/null 2>&1 \
        || true
    fi
    if [[ -n "$(live_postmaster_pid)" ]]; then
      kill -KILL "$pid" 2>/dev/null || die "cannot stop postmaster $pid (owned by another user?)"
    fi
  fi
  if [[ -d "$DATA" ]]; then reap_leftovers; fi
  remove_base
  say "stopped${pid:+ (pid $pid)} and removed $BASE [$(elapsed)]"
}

cmd_status() {
  local pid
  pid=$(live_postmaster_pid)
  if [[ -n "$pid" ]] && find_bindir && is_ready; then
    printf 'running: pid %s, 127.0.0.1:%s, folder %s, %s\n' "$pid" "$PORT" "$BASE" \
      "$("$BIN/postgres" --version)" >&3
    return 0
  elif [[ -n "$pid" ]]; then
    printf 'starting or stuck: pid %s alive but not accepting connections on 127.0.0.1:%s (%s)\n' \
      "$pid" "$PORT" "$BASE" >&3
    return 3
  elif [[ -e "$DATA/postmaster.pid" ]]; then
    printf 'not running: stale folder %s (server died; pg.sh start cleans it up)\n' "$BASE" >&3
    return 3
  else
    printf 'not running (port %s, folder %s)\n' "$PORT" "$BASE" >&3
    return 3
  fi
}

with_lock() {
  if command -v flock >/dev/null; then
    [[ -e "$LOCK" ]] || { ( umask 000; : >"$LOCK" ) 2>/dev/null || true; }
    if [[ -r "$LOCK" ]]; then
      exec 8<"$LOCK"   # read-only open works for any user; flock does not need write access
      flock -w 180 8 || die "timed out waiting for another pg.sh on port $PORT ($LOCK)"
    fi
  fi
  "$@"
}

case "${1:-}" in
  start)  with_lock cmd_start ;;
  stop)   with_lock cmd_stop ;;
  status) cmd_status ;;
  url)    print_export ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
