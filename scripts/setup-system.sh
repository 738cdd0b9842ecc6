#!/usr/bin/env bash
# Install (only if missing) and verify the system packages hostprov and its tests need:
#   - PostgreSQL server binaries (initdb/pg_ctl) for the throwaway test server
#   - unixODBC + FreeTDS ODBC driver for pyodbc (SQL Server access)
#   - tmux
# Idempotent: when everything is present it changes nothing and runs no apt-get.
set -euo pipefail

readonly PG_WANTED_VERSION=15
readonly PG_WANTED_BIN="/usr/lib/postgresql/${PG_WANTED_VERSION}/bin"

log() { printf 'setup-system: %s\n' "$*"; }
die() { printf 'setup-system: ERROR: %s\n' "$*" >&2; exit 1; }

is_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

# --- privileges ---------------------------------------------------------------
SUDO=()
need_root() {
    # $1: human-readable reason. Sets SUDO or exits.
    if [[ ${EUID} -eq 0 ]]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        if [[ -t 0 ]]; then SUDO=(sudo); else SUDO=(sudo -n); fi
    else
        die "not root and sudo is not available; cannot $1. Run as root: $0"
    fi
}

# --- 1. find what is missing --------------------------------------------------
missing=()
pg_pkg=""
if is_installed "postgresql-${PG_WANTED_VERSION}" || is_installed postgresql; then
    :
else
    pg_pkg="postgresql-${PG_WANTED_VERSION}"  # may fall back to "postgresql" below
    missing+=("${pg_pkg}")
fi
for pkg in unixodbc tdsodbc tmux; do
    is_installed "${pkg}" || missing+=("${pkg}")
done

# --- 2. install only when needed ----------------------------------------------
installed_now=()
if ((${#missing[@]} > 0)); then
    log "missing packages: ${missing[*]}"
    need_root "install ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    if [[ -n ${pg_pkg} ]]; then
        candidate=$(apt-cache policy "${pg_pkg}" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [[ -z ${candidate} || ${candidate} == "(none)" ]]; then
            log "${pg_pkg} is not available from the configured sources; using 'postgresql'"
            for i in "${!missing[@]}"; do
                if [[ ${missing[i]} == "${pg_pkg}" ]]; then missing[i]=postgresql; fi
            done
        fi
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
    installed_now=("${missing[@]}")
fi

# --- 3. verify PostgreSQL server binaries -------------------------------------
pg_bin=""
pg_note=""
if [[ -x ${PG_WANTED_BIN}/initdb && -x ${PG_WANTED_BIN}/pg_ctl ]]; then
    pg_bin=${PG_WANTED_BIN}
else
    # Any other installed major version, newest first.
    shopt -s nullglob
    candidates=(/usr/lib/postgresql/*/bin/initdb)
    shopt -u nullglob
    if ((${#candidates[@]} > 0)); then
        newest=$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)
        pg_bin=$(dirname "${newest}")
        pg_note=" (not ${PG_WANTED_VERSION}: export HOSTPROV_PG_BIN=${pg_bin})"
        log "PostgreSQL ${PG_WANTED_VERSION} not found; tests need:"
        log "    export HOSTPROV_PG_BIN=${pg_bin}"
    fi
fi
[[ -n ${pg_bin} ]] || die "no initdb under /usr/lib/postgresql/*/bin after installation"
[[ -x ${pg_bin}/pg_ctl ]] || die "${pg_bin}/pg_ctl is missing"
pg_version=$("${pg_bin}/initdb" --version | sed -E 's/.*\(PostgreSQL\) ([0-9.]+).*/\1/')

# --- 4. verify (or register) the FreeTDS ODBC driver --------------------------
command -v odbcinst >/dev/null 2>&1 || die "odbcinst not found (package odbcinst/unixodbc)"
freetds_registered() {
    odbcinst -q -d 2>/dev/null | grep -qix '\[FreeTDS\]'
}
odbc_note="FreeTDS registered"
if ! freetds_registered; then
    libs=()
    setups=()
    for dir in /usr/lib/*/odbc /usr/lib/odbc; do
        if [[ -f ${dir}/libtdsodbc.so ]]; then libs+=("${dir}/libtdsodbc.so"); fi
        if [[ -f ${dir}/libtdsS.so ]]; then setups+=("${dir}/libtdsS.so"); fi
    done
    ((${#libs[@]} > 0)) || die "libtdsodbc.so not found under /usr/lib/*/odbc/ (package tdsodbc)"
    template=$(mktemp)
    trap 'rm -f "${template}"' EXIT
    {
        echo "[FreeTDS]"
        echo "Description=FreeTDS ODBC driver (TDS: SQL Server/Sybase)"
        echo "Driver=${libs[0]}"
        if ((${#setups[@]} > 0)); then echo "Setup=${setups[0]}"; fi
        echo "UsageCount=1"
    } >"${template}"
    need_root "register the FreeTDS ODBC driver"
    "${SUDO[@]}" odbcinst -i -d -f "${template}" >/dev/null
    log "registered FreeTDS ODBC driver: ${libs[0]}"
    odbc_note="FreeTDS registered now"
    freetds_registered || die "FreeTDS still not listed by 'odbcinst -q -d'"
fi

# --- 5. summary -----------------------------------------------------------------
if ((${#installed_now[@]} > 0)); then
    installed="installed ${installed_now[*]}"
else
    installed="nothing to install"
fi
log "OK: ${installed}; PostgreSQL ${pg_version} at ${pg_bin}${pg_note}; ODBC ${odbc_note}; tmux $(tmux -V | awk '{print $2}')"
