#!/usr/bin/env bash
# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# Sets everything up, builds the Russian demo database (SQLite, once) and
# serves the web client on http://127.0.0.1:8000. Running it again reuses
# the database; it updates the modules when their code has changed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib.sh

DATABASE=${CRM_DEMO_DATABASE:-crm}
PASSWORD=${CRM_DEMO_PASSWORD:-crm-demo-2026}
db_file=.data/db/$DATABASE.sqlite
done_stamp=.data/db/$DATABASE.demo
modules_hash=$(find addons -type f -not -path '*/__pycache__/*' -print0 \
    | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)

./scripts/setup.sh

# A database whose demo generation did not finish is built again
if [ -f "$db_file" ] && [ ! -f "$done_stamp" ]; then
    rm -f "$db_file" "$db_file"-*
fi
if [ ! -f "$db_file" ]; then
    step "creating the database '$DATABASE' with the CRM modules in Russian"
    touch "$db_file"
    passfile=$(mktemp)
    trap 'rm -f "$passfile"' EXIT
    echo "$PASSWORD" > "$passfile"
    TRYTONPASSFILE=$passfile trytond-admin -d "$DATABASE" --all \
        -u crm_sales crm_marketing crm_service crm_kpi \
        --activate-dependencies -l ru --email admin@example.com
    step "generating the demo data"
    python -m demo --database "$DATABASE" --password "$PASSWORD" \
        | tee ".data/db/$DATABASE.log"
    echo "$modules_hash" > "$done_stamp"
elif [ "$(cat "$done_stamp")" != "$modules_hash" ]; then
    step "updating the modules of '$DATABASE' (their code changed)"
    # a new dependency of our modules is activated as well
    trytond-admin -d "$DATABASE" --all \
        -u crm_sales crm_marketing crm_service crm_kpi --activate-dependencies
    echo "$modules_hash" > "$done_stamp"
fi

salespeople=$(python -c \
    "from demo.company import SALESPEOPLE; print(', '.join(s[-1] for s in SALESPEOPLE))")
cat <<MSG

  CRM demo: http://$TRYTOND_WEB__LISTEN/
  Database: $DATABASE
  Login:    admin / $PASSWORD
            salespeople ($salespeople) / $PASSWORD
  Portal:   http://$TRYTOND_WEB__LISTEN/$DATABASE/portal/
$(sed -n 's/^Portal ([^)]*): /            /p' ".data/db/$DATABASE.log" 2>/dev/null)
  "Pay" on the portal leads to the demo provider's checkout page
  (python -m demo.checkout, http://127.0.0.1:8001), which books the payment.
  Stop with Ctrl+C.

MSG
# the demo provider's checkout page, stopped with the server
python -m demo.checkout --database "$DATABASE" \
    --server "http://$TRYTOND_WEB__LISTEN" &
checkout=$!
trap 'kill $checkout 2>/dev/null; rm -f "${passfile:-}"' EXIT
trytond -d "$DATABASE"
