#!/usr/bin/env bash
# Makes sure the PostgreSQL server programs (initdb, pg_ctl) are installed, for the tests of
# crates/coldset-store-postgres, which start a throwaway server of their own. Idempotent:
# safe to run before every test run (CI calls it). Installs Debian's `postgresql` package
# only when the programs are missing, and makes sure a non-root `postgres` system user
# exists, because PostgreSQL refuses to run as root and the tests run the server as that
# user when they are root. Prints where the programs are.
set -euo pipefail

find_bin_dir() {
    local initdb dir
    # PATH first (the tests search in the same order), then Debian's versioned directories,
    # newest version first.
    if initdb=$(command -v initdb 2>/dev/null) && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "ensure-postgres: need root to run: $*" >&2
        exit 1
    fi
}

if ! bin_dir=$(find_bin_dir); then
    echo "ensure-postgres: initdb/pg_ctl not found; installing Debian's postgresql package"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    if ! bin_dir=$(find_bin_dir); then
        echo "ensure-postgres: postgresql was installed but initdb/pg_ctl are still not found" >&2
        exit 1
    fi
fi

# The Debian package creates this user; an install made some other way may not have.
if ! id -u postgres >/dev/null 2>&1; then
    echo "ensure-postgres: creating the postgres system user"
    as_root useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
if [ "$(id -u postgres)" -eq 0 ]; then
    echo "ensure-postgres: the postgres user is root; PostgreSQL cannot run as it" >&2
    exit 1
fi

echo "ensure-postgres: $("$bin_dir/pg_ctl" --version)"
echo "ensure-postgres: initdb = $bin_dir/initdb"
echo "ensure-postgres: pg_ctl = $bin_dir/pg_ctl"
echo "ensure-postgres: server user = postgres (uid $(id -u postgres))"
