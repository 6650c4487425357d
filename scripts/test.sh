#!/usr/bin/env bash
# `npm test`: the unit, property and numerics tests (jest), then the Python
# tests (pytest in .venv). Makes .venv first when it is missing or out of date
# (scripts/venv.sh) and builds the CLI modules the tests run. Both suites run
# even if the first fails; the exit code is non-zero if either failed
# (pytest's "no tests collected" included). Arguments go to jest.
#
# Nothing is written outside the repository: the tests' HOME (Jupyter,
# IPython, Keras and other per-user folders of the kernels and tools they
# start) and temp folder are under .cache/test/, made empty at each run, and
# jest's cache is .cache/jest (jest.config.js).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
bash scripts/venv.sh || exit 1
npm run build:node || exit 1
SANDBOX=$ROOT/.cache/test
rm -rf "$SANDBOX"
mkdir -p "$SANDBOX/home" "$SANDBOX/tmp"
export HOME=$SANDBOX/home TMPDIR=$SANDBOX/tmp
export XDG_CACHE_HOME=$HOME/.cache XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
export JUPYTER_CONFIG_DIR=$HOME/.jupyter JUPYTER_DATA_DIR=$HOME/.local/share/jupyter
export JUPYTER_RUNTIME_DIR=$HOME/.local/share/jupyter/runtime IPYTHONDIR=$HOME/.ipython
export KERAS_HOME=$HOME/.keras MPLCONFIGDIR=$HOME/.config/matplotlib
export PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1
FAILED=()
npx jest --ci "$@" || FAILED+=(jest)
.venv/bin/python -m pytest python/tests -q || FAILED+=(pytest)
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "npm test: failed: ${FAILED[*]}"
  exit 1
fi
