#!/usr/bin/env bash
# A local PostgreSQL streaming replica, to try read replicas by hand (and for tests/test_replica.py).
#
#   scripts/pg-replica.sh start [PORT]     # a replica of the primary at 127.0.0.1:5432 on PORT (default 5433);
#                                          # prints the DATABASE_REPLICA_URL to use
#   scripts/pg-replica.sh status [PORT]
#   scripts/pg-replica.sh stop [PORT]      # stops it, removes its directory and the hba line (see below)
#   scripts/pg-replica.sh primary PORT     # a throwaway primary (initdb) that accepts replication; the
#                                          # tests replicate one of these, see tests/test_replica.py
#
# `start`: pg_basebackup over loopback into PG_REPLICA_DIR/data (default /tmp/journal-replica-PORT),
# a postgresql.conf of its own (hot_standby = on, standby.signal, primary_conninfo), pg_ctl start,
# then a bounded wait until the primary reports the replica as «streaming». No replication slot is
# created, so a forgotten replica never makes the primary keep WAL. A base backup copies the whole
# cluster (every database on the primary), so it takes as long as the cluster is large.
#
# The primary must accept replication connections from 127.0.0.1. Debian's default pg_hba.conf does;
# if it does not, `start` adds ONE line at the top of the primary's pg_hba.conf, marked with the
# comment «journal-pg-replica:PORT», and reloads the configuration (pg_reload_conf); `stop` removes
# that line and reloads again. On a running PostgreSQL 15 pg_hba.conf cannot be extended any other
# way (hba_file is fixed at server start; ALTER SYSTEM does not reach it). Editing it needs write
# access to the file (root, or the postgres user).
#
# Environment: PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), PRIMARY_USER (postgres), PGPASSWORD (if
# the primary needs one), PG_REPLICA_DIR, PG_BIN (default: the binaries of the primary's major version
# under /usr/lib/postgresql/), PG_REPLICA_TIMEOUT (seconds for each step, default 60).
set -euo pipefail

cmd=${1:-}
port=${2:-5433}
primary_host=${PRIMARY_HOST:-127.0.0.1}
primary_port=${PRIMARY_PORT:-5432}
primary_user=${PRIMARY_USER:-postgres}
dir=${PG_REPLICA_DIR:-/tmp/journal-replica-$port}
data=$dir/data
timeout_s=${PG_REPLICA_TIMEOUT:-60}
marker="journal-pg-replica:$port"
app_name="journal_replica_$port"
hba_lock=/tmp/journal-pg-replica-hba-$(id -u).lock
backup_lock=/tmp/journal-pg-replica-basebackup-$(id -u).lock

die() {
    echo "pg-replica: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start|status|stop|primary [PORT]" >&2
    exit 2
}

case "$cmd" in start | stop | status | primary) ;; *) usage ;; esac
[[ "$port" =~ ^[0-9]+$ ]] || usage

primary_dsn="host=$primary_host port=$primary_port user=$primary_user dbname=postgres connect_timeout=5"

primary_sql() {
    timeout 20 "${PG_BIN:-/usr/bin}/psql" "$primary_dsn" -X -At -v ON_ERROR_STOP=1 -c "$1"
}

# The binaries: PG_BIN, else those of the primary's major version, else the newest installed.
if [ -z "${PG_BIN:-}" ]; then
    if [ "$cmd" != primary ] && num=$(PG_BIN=/usr/bin primary_sql "SHOW server_version_num" 2>/dev/null); then
        PG_BIN=/usr/lib/postgresql/$((num / 10000))/bin
    else
        PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    fi
fi
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] ||
    die "no PostgreSQL binaries found (set PG_BIN, e.g. /usr/lib/postgresql/15/bin)"

# The server refuses to run as root: as root, run it as the «postgres» OS user.
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no «postgres» OS user to run the server"
    as_owner() { runuser -u postgres -- "$@"; }
    owner=postgres
else
    as_owner() { "$@"; }
    owner=$(id -un)
fi

running() {
    [ -f "$data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# A fresh directory of ours: the marker file says `stop` may remove it whatever is left inside.
fresh_dir() {
    [ ! -e "$dir" ] || [ -f "$dir/.journal-pg-replica" ] || die "$dir exists and was not made by this script"
    rm -rf "$dir"
    mkdir -p "$dir"
    touch "$dir/.journal-pg-replica"
    chmod 700 "$dir"
    chown -R "$owner" "$dir"
    as_owner test -w "$dir" || die "$owner cannot write to $dir (is its parent directory private?)"
}

server_start() {
    as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t "$timeout_s" start >/dev/null || {
        tail -n 20 "$dir/server.log" >&2 || true
        die "the server did not start (log: $dir/server.log)"
    }
}

replication_allowed() {
    timeout 10 "$PG_BIN/psql" "host=$primary_host port=$primary_port user=$primary_user \
        replication=true dbname=replication connect_timeout=5" -X -At -c "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

# Edit the primary's pg_hba.conf in place (same inode, owner and mode), under a lock, then reload.
hba_edit() { # add|remove
    local hba tmp
    hba=$(primary_sql "SHOW hba_file") || die "cannot read hba_file from the primary"
    [ -w "$hba" ] || die "the primary refuses replication connections from 127.0.0.1 and $hba is not
writable by $(id -un). Add this line at the top of it and reload PostgreSQL:
    host replication $primary_user 127.0.0.1/32 trust"
    tmp=$(mktemp)
    (
        flock -w 30 9 || die "could not lock $hba_lock"
        if [ "$1" = add ]; then
            {
                echo "host replication $primary_user 127.0.0.1/32 trust  # $marker (temporary, scripts/pg-replica.sh)"
                grep -v -F "# $marker " "$hba" || true
            } >"$tmp"
        else
            grep -v -F "# $marker " "$hba" >"$tmp" || true
        fi
        cat "$tmp" >"$hba"
        primary_sql "SELECT pg_reload_conf()" >/dev/null
    ) 9>"$hba_lock"
    rm -f "$tmp"
}

start() {
    if running; then
        echo "pg-replica: already running in $data on port $port"
        return 0
    fi
    primary_sql "SELECT 1" >/dev/null || die "the primary does not answer at $primary_host:$primary_port"
    fresh_dir

    # Replication connections: use what pg_hba.conf allows, else a marked line of our own. Another
    # replica's marked line does not count: its `stop` would take it away from under this one.
    if ! replication_allowed || grep -q -F "# journal-pg-replica:" "$(primary_sql "SHOW hba_file")" 2>/dev/null; then
        hba_edit add
        local waited=0
        until replication_allowed; do
            [ $waited -lt 50 ] || die "the primary still refuses replication connections after pg_reload_conf"
            sleep 0.1
            waited=$((waited + 1))
        done
    fi

    # One base backup at a time from this machine (two at once make two forced checkpoints race),
    # and a retry: on a busy primary a checkpoint can cut the backup's temporary slot off.
    echo "pg-replica: pg_basebackup from $primary_host:$primary_port into $data"
    local attempt
    for attempt in 1 2 3; do
        if (
            flock -w "$timeout_s" 8 || exit 1
            as_owner timeout "$timeout_s" "$PG_BIN/pg_basebackup" -h "$primary_host" -p "$primary_port" \
                -U "$primary_user" -D "$data" -X stream -c fast --no-sync
        ) 8>"$backup_lock"; then
            break
        fi
        as_owner rm -rf "$data"
        [ $attempt -lt 3 ] || die "pg_basebackup failed"
        echo "pg-replica: pg_basebackup failed, trying again" >&2
        sleep 1
    done

    # The primary's limits: a hot standby must allow at least as much as its primary.
    local limits=""
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
        max_locks_per_transaction; do
        limits+="$setting = $(primary_sql "SHOW $setting")"$'\n'
    done
    local conninfo="host=$primary_host port=$primary_port user=$primary_user application_name=$app_name"
    [ -z "${PGPASSWORD:-}" ] || conninfo+=" password=$PGPASSWORD"
    as_owner tee "$data/postgresql.conf" >/dev/null <<CONF
# A throwaway streaming replica made by scripts/pg-replica.sh (removed by «stop»).
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
cluster_name = '$app_name'
hba_file = '$data/pg_hba.conf'
ident_file = '$data/pg_ident.conf'
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
primary_conninfo = '$conninfo'
shared_buffers = 32MB
fsync = off
$limits
CONF
    as_owner tee "$data/postgresql.auto.conf" </dev/null >/dev/null
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$data/pg_hba.conf" >/dev/null
    as_owner touch "$data/pg_ident.conf" "$data/standby.signal"
    server_start

    local deadline=$((SECONDS + timeout_s)) state=""
    until [ "$state" = streaming ]; do
        [ $SECONDS -lt $deadline ] || die "the replica did not catch up within ${timeout_s}s (log: $dir/server.log)"
        sleep 0.2
        state=$(primary_sql "SELECT state FROM pg_stat_replication WHERE application_name = '$app_name'") || true
    done
    echo "pg-replica: streaming from $primary_host:$primary_port, answering on 127.0.0.1:$port"
    echo "DATABASE_REPLICA_URL=postgres://$primary_user@127.0.0.1:$port/journal"
}

primary() {
    if running; then
        echo "pg-replica: a primary is already running in $data on port $port"
        return 0
    fi
    fresh_dir
    # initdb's pg_hba.conf trusts local and 127.0.0.1 connections, replication included.
    as_owner "$PG_BIN/initdb" -D "$data" -U "$primary_user" --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || die "initdb failed (log: $dir/initdb.log)"
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF

# A throwaway primary made by scripts/pg-replica.sh (removed by «stop»).
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 5
max_connections = 50
shared_buffers = 32MB
fsync = off
CONF
    server_start
    echo "pg-replica: a primary answering on 127.0.0.1:$port"
}

stop() {
    if running; then
        as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null ||
            as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null || true
    fi
    if hba=$(primary_sql "SHOW hba_file" 2>/dev/null) && grep -q -F "# $marker " "$hba" 2>/dev/null; then
        hba_edit remove
    fi
    if [ -f "$dir/.journal-pg-replica" ]; then
        rm -rf "$dir"
    fi
    echo "pg-replica: stopped (port $port)"
}

status() {
    if running; then
        echo "running in $data on port $port; the primary sees:"
        primary_sql "SELECT application_name, state, replay_lsn, replay_lag FROM pg_stat_replication
            WHERE application_name = '$app_name'"
    else
        echo "not running (port $port)"
        return 3
    fi
}

"$cmd"
