#!/usr/bin/env bash
# Run the whole test suite. pytest's exit code 5 (no tests collected) is a failure here.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "[run-tests] pytest collected no tests: treating that as a failure." >&2
  exit 1
fi
exit "$rc"
