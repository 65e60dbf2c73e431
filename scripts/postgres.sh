# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# A throw-away PostgreSQL server for the tests (sourced, not run):
# pg_start creates a new cluster in a temporary folder, listening on a free
# port of 127.0.0.1 with trust authentication, and sets PG_URI; pg_stop
# stops it and removes the folder.

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root: run its commands as 'postgres' then
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    local bin
    bin=$(pg_bin)
    PG_DIR=$(mktemp -d /tmp/crm-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    step "starting PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$PG_PORT"
    pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log"; return 1; }
    # durability is not what the tests measure: trade it for speed
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
    PG_URI="postgresql://postgres@127.0.0.1:$PG_PORT/"
    export PG_URI PG_DIR
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop \
        >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
