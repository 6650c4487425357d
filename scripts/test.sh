#!/usr/bin/env bash
# `npm test`: the unit, property and numerics tests (jest), then the Python
# tests (pytest in .venv). Makes .venv first when it is missing or out of date
# (scripts/venv.sh) and builds the CLI modules the tests run. Both suites run
# even if the first fails; the exit code is non-zero if either failed
# (pytest's "no tests collected" included). Arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh || exit 1
npm run build:node || exit 1
FAILED=()
npx jest --ci "$@" || FAILED+=(jest)
.venv/bin/python -m pytest python/tests -q || FAILED+=(pytest)
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "npm test: failed: ${FAILED[*]}"
  exit 1
fi
