# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
#
# Helpers shared by the scripts (sourced, not run): the project's environment.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG...: installs the Debian packages that are missing.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    step "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

export PATH="$ROOT/.venv/bin:$PATH"
export TRYTOND_CONFIG="$ROOT/config/trytond.conf"
# Absolute paths: trytond takes relative ones from its working directory
export TRYTOND_DATABASE__PATH="$ROOT/.data/db"
export TRYTOND_WEB__ROOT="$ROOT/.data/www"
export TRYTOND_WEB__LISTEN=${TRYTOND_WEB__LISTEN:-127.0.0.1:8000}
