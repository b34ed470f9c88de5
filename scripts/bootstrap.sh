#!/usr/bin/env bash
# Create .venv and install the project with its development tools. Idempotent and quick when
# nothing changed: the install is skipped while pyproject.toml's hash matches the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "[bootstrap] Python 3.11 or newer is needed; found: $("$PY" --version 2>&1)." >&2
  echo "[bootstrap] Install it (Debian: apt-get install python3.11 python3.11-venv) or set PYTHON=." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] Creating .venv with $("$PY" --version)..." >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.installed
want=$(cat pyproject.toml $([ -f constraints.txt ] && echo constraints.txt) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[bootstrap] Installing the project and its tools into .venv..." >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  if [ -f constraints.txt ]; then
    .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]' >&2
  else
    .venv/bin/python -m pip install -q -e '.[dev]' >&2
  fi
  echo "$want" > "$stamp"
fi
