#!/usr/bin/env bash
# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# Sets up what the demo and the tests need, reusing what already exists:
# the virtualenv with the pinned Python packages and our addons, the web
# client (tryton-sao from npm) and the web root trytond serves it from.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib.sh

need_apt=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v npm >/dev/null || need_apt+=(nodejs npm)
apt_install "${need_apt[@]}"

# Python: the virtualenv is rebuilt only when requirements or packaging change.
if [ ! -x .venv/bin/python ]; then
    step "creating the virtualenv .venv"
    python3 -m venv .venv
fi
stamp=.venv/.crm-installed
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    step "installing Python packages (requirements.txt and the addons)"
    .venv/bin/python -m pip install -q --disable-pip-version-check \
        -r requirements.txt
    .venv/bin/python -m pip install -q --disable-pip-version-check -e . \
        >.venv/pip-editable.log 2>&1 || { cat .venv/pip-editable.log; exit 1; }
    echo "$want" > "$stamp"
fi

# Web client: tryton-sao and its dependencies, as pinned by package-lock.json.
want=$(cat web/package.json web/package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat web/node_modules/.crm-installed 2>/dev/null)" != "$want" ]; then
    step "installing the web client (tryton-sao from npm)"
    (cd web && npm ci --no-audit --no-fund --omit=dev --loglevel=error)
    echo "$want" > web/node_modules/.crm-installed
fi

# The web root trytond serves: sao's files plus our custom.js/custom.css,
# and sao's catalogues with our Russian one (sao's own is empty).
www=.data/www
mkdir -p "$www" .data/db
sao=$ROOT/web/node_modules/tryton-sao
for item in index.html dist images sounds; do
    ln -sfn "$sao/$item" "$www/$item"
done
[ -L "$www/locale" ] && rm "$www/locale"
mkdir -p "$www/locale"
for catalogue in "$sao"/locale/*.json; do
    ln -sfn "$catalogue" "$www/locale/$(basename "$catalogue")"
done
rm -f "$www/locale/ru.json"
.venv/bin/python scripts/sao_locale.py l10n/sao/ru.po "$www/locale/ru.json"
# sao asks for the browser's ru_RU first
ln -sfn ru.json "$www/locale/ru_RU.json"
ln -sfn "$ROOT/web/node_modules" "$www/node_modules"
ln -sfn "$ROOT/web/custom.js" "$www/custom.js"
ln -sfn "$ROOT/web/custom.css" "$www/custom.css"
