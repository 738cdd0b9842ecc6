#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install hostprov into it, only when pyproject.toml changed.
# Usage: scripts/venv.sh [extra]   e.g. "test" installs the test tools too.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "hostprov needs Python 3.11 or newer (found: $("$python" --version))" >&2; exit 1; }
    echo "hostprov: first run: creating the virtual environment in .venv …" >&2
    "$python" -m venv .venv
fi
stamp=".venv/.hostprov-installed${extra:+-$extra}"
if [[ ! -f "$stamp" || pyproject.toml -nt "$stamp" ]]; then
    if [[ -f "$stamp" ]]; then what="pyproject.toml changed: updating"; else what="installing"; fi
    echo "hostprov: $what hostprov${extra:+ [$extra]} and its dependencies into .venv" \
        "(about 30 s, once) …" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    spec="."; [[ -n "$extra" ]] && spec=".[$extra]"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
    touch "$stamp" .venv/.hostprov-installed  # an extra's install is the plain install too
    echo "hostprov: .venv is ready." >&2
fi
# Byte-compile hostprov as a regular (non-editable) install would: with PYTHONDONTWRITEBYTECODE
# set, an editable install would otherwise recompile every module on every start.
.venv/bin/python -m compileall -q hostprov_tui >/dev/null
