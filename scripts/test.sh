#!/usr/bin/env bash
# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# Sets everything up and runs every test on SQLite and on a real PostgreSQL
# server, which it installs (apt) if missing and starts for the run.
# Extra arguments select tests by name, e.g.: ./scripts/test.sh scenario
# Each backend is run by TEST_WORKERS workers (1 by default) sharing its
# tests, each PostgreSQL worker with a server of its own.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib.sh
source scripts/postgres.sh

started=$(date +%s)
./scripts/setup.sh

# The database server, and the browser of the browser test (Debian's own:
# no browser is downloaded), plus fonts to render Cyrillic on screenshots
[ -n "$(pg_bin)" ] || apt_install postgresql
apt_install chromium fonts-dejavu-core

trap pg_stop EXIT
backends=()
for _ in $(seq "${TEST_WORKERS:-1}"); do
    pg_start
    backends+=(--backend "sqlite=sqlite://" --backend "postgresql=$PG_URI")
done

only=()
for pattern in "$@"; do only+=(--only "$pattern"); done
status=0
python tests/run.py "${backends[@]}" "${only[@]}" || status=$?
echo "whole test command: $(( $(date +%s) - started )) s"
exit $status
