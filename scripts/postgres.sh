# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# A throw-away PostgreSQL server for the tests (sourced, not run):
# pg_start creates a new cluster in a temporary folder, listening on a free
# port of 127.0.0.1 with trust authentication, and sets PG_URI; called again
# it starts another one (a server per test worker: their databases and
# cached templates cannot clash); pg_stop stops them all and removes their
# folders.
PG_DIRS=()

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root: run its commands as 'postgres' then
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    local bin dir
    bin=$(pg_bin)
    dir=$(mktemp -d /tmp/crm-pg.XXXXXX)
    PG_DIRS+=("$dir")
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    step "starting PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$PG_PORT"
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; return 1; }
    # durability is not what the tests measure: trade it for speed
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log"; return 1; }
    PG_URI="postgresql://postgres@127.0.0.1:$PG_PORT/"
    export PG_URI
}

pg_stop() {
    local dir
    for dir in "${PG_DIRS[@]}"; do
        [ -d "$dir/data" ] && pg_as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" \
            -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$dir"
    done
    PG_DIRS=()
}
