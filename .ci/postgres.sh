# Sourced by .ci/run: a throwaway PostgreSQL cluster on loopback for the review store's tests.
# Installs Debian's postgresql when absent (quiet, idempotent), starts a cluster in a temporary
# folder, exports MEDCITE_TEST_POSTGRES_URL, and stops and deletes the cluster at exit.
# Locally: `source .ci/postgres.sh && start_test_postgres` (then `stop_test_postgres`).

_pg_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "postgres: need root or sudo to install postgresql" >&2; return 1; fi
}

_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

install_test_postgres() {
    if [ -z "$(_pg_bin)" ] || [ ! -x "$(_pg_bin)/initdb" ]; then
        export DEBIAN_FRONTEND=noninteractive
        _pg_as_root apt-get update -qq >/dev/null
        _pg_as_root apt-get install -y -qq postgresql >/dev/null
    fi
}

# Run a command as the cluster's owner: initdb and postgres refuse to run as root.
_pg_run() {
    # from /, which the postgres user can always enter (the checkout may be private)
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_test_postgres() {
    install_test_postgres
    local bin port
    bin="$(_pg_bin)"
    port="${MEDCITE_TEST_POSTGRES_PORT:-54329}"
    while (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((port + 1)); done  # in use
    MEDCITE_PG_DIR="$(mktemp -d /tmp/medcite-pg.XXXXXX)"
    export MEDCITE_PG_DIR
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$MEDCITE_PG_DIR"; fi
    _pg_run "$bin/initdb" -D "$MEDCITE_PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
    _pg_run "$bin/pg_ctl" -D "$MEDCITE_PG_DIR/data" -l "$MEDCITE_PG_DIR/log" -w -s \
        -o "-k $MEDCITE_PG_DIR -p $port -h 127.0.0.1 -c fsync=off" start
    export MEDCITE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    trap stop_test_postgres EXIT
    echo "postgres: test cluster on 127.0.0.1:$port ($MEDCITE_PG_DIR)"
}

stop_test_postgres() {
    if [ -n "${MEDCITE_PG_DIR:-}" ] && [ -d "$MEDCITE_PG_DIR/data" ]; then
        _pg_run "$(_pg_bin)/pg_ctl" -D "$MEDCITE_PG_DIR/data" -m fast -w -s stop || true
        rm -rf "$MEDCITE_PG_DIR"
    fi
    unset MEDCITE_PG_DIR
}
