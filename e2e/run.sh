#!/usr/bin/env bash
# End-to-end tests in the real JupyterLab 4.6 and Notebook 7 of .venv
# (scripts/venv.sh), with Debian's Chromium.
#
#   1. builds the production extension (npm run build:prod) and the wheel;
#   2. installs the wheel into a prefix (pip install --prefix, no
#      dependencies): JupyterLab finds the extension in
#      <prefix>/share/jupyter/labextensions (JUPYTER_PATH) and kernels import
#      the package from <prefix>/lib/.../site-packages (PYTHONPATH); checks
#      that `jupyter labextension list` shows it enabled from there;
#   3. runs e2e/*.test.mjs with node --test, one fresh server per test.
#
# Everything is written inside the repository: the run folder (servers'
# config, data, runtime, HOME, temp) is artifacts/e2e/run, screenshots are
# artifacts/e2e/*.png, server logs artifacts/e2e/logs/.
# Usage: npm run test:e2e [-- e2e/render.test.mjs ...]
#        E2E_SKIP_BUILD=1 to test the current build (lib/, labextension) as is.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=$ROOT/.venv/bin/python
ARTIFACTS=$ROOT/artifacts/e2e
RUN=${E2E_RUN_DIR:-$ARTIFACTS/run}
SECONDS=0
phase() { echo "[e2e $(date +%T) +${SECONDS}s] $*"; }

[ -x "$PYTHON" ] || { echo "e2e: $PYTHON is missing: run \`bash scripts/venv.sh\` first"; exit 1; }
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || { echo "e2e: Chromium is missing (Debian: apt-get install chromium)"; exit 1; }

rm -rf "$RUN" "$ARTIFACTS/logs"
rm -f "$ARTIFACTS"/*.png
mkdir -p "$RUN/pids" "$RUN/tmp" "$RUN/home" "$ARTIFACTS/logs"
# Nothing goes to the real HOME or /tmp: pip, build, Jupyter and Chromium
# write below the run folder.
export HOME=$RUN/home TMPDIR=$RUN/tmp
export XDG_CACHE_HOME=$HOME/.cache XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
export JUPYTER_CONFIG_DIR=$RUN/config JUPYTER_DATA_DIR=$RUN/data JUPYTER_RUNTIME_DIR=$RUN/runtime
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Servers are started by the tests; each writes its PID here. Stop any left
# behind (process group: the server and its kernels), then keep the logs.
cleanup() {
  local status=$?
  for file in "$RUN"/pids/*.pid; do
    [ -e "$file" ] || continue
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null && sleep 1
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  find "$RUN" -name server.log -exec sh -c 'cp "$1" "$2/$(basename "$(dirname "$1")").log"' _ {} "$ARTIFACTS/logs" \; 2>/dev/null || true
  cp "$RUN"/*.log "$ARTIFACTS/logs/" 2>/dev/null || true
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
  phase "build (npm run build:prod)"
  npm run build:prod >"$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; echo "e2e: npm run build:prod failed"; exit 1; }
fi
[ -f jupyterlab_char_attention/labextension/package.json ] ||
  { echo "e2e: jupyterlab_char_attention/labextension is missing: run without E2E_SKIP_BUILD"; exit 1; }

phase "wheel"
"$PYTHON" -m build --wheel --no-isolation --outdir "$RUN/dist" . >"$RUN/wheel.log" 2>&1 ||
  { cat "$RUN/wheel.log"; echo "e2e: the wheel did not build"; exit 1; }
WHEEL=$(ls "$RUN"/dist/*.whl)
echo "  $(basename "$WHEEL")"

phase "install the wheel into ${RUN#"$ROOT"/}/prefix"
PREFIX=$RUN/prefix
"$PYTHON" -m pip install --quiet --no-deps --no-index --no-warn-script-location --prefix "$PREFIX" "$WHEEL" >"$RUN/pip.log" 2>&1 ||
  { cat "$RUN/pip.log"; echo "e2e: pip could not install the wheel"; exit 1; }
PURELIB=$("$PYTHON" -c 'import sys, sysconfig; print(sysconfig.get_path("purelib", vars={"base": sys.argv[1], "platbase": sys.argv[1]}))' "$PREFIX")
[ -f "$PURELIB/jupyterlab_char_attention/__init__.py" ] || { echo "e2e: the wheel did not install the Python package into $PURELIB"; exit 1; }
export E2E_JUPYTER_PATH=$PREFIX/share/jupyter E2E_PYTHONPATH=$PURELIB E2E_PYTHON=$PYTHON
EXTENSION_DIR=$E2E_JUPYTER_PATH/labextensions/jupyterlab-char-attention
[ -f "$EXTENSION_DIR/package.json" ] || { echo "e2e: the wheel did not install $EXTENSION_DIR"; exit 1; }

# JupyterLab itself must see the installed extension, enabled, from the prefix.
LIST=$(JUPYTER_PATH=$E2E_JUPYTER_PATH "$PYTHON" -m jupyterlab.labextensions list 2>&1)
echo "$LIST" | sed 's/\x1b\[[0-9;]*m//g' | awk -v dir="$E2E_JUPYTER_PATH/labextensions" '
  /^[^ \t]/ { section = $0 }
  /jupyterlab-char-attention/ { print "  " section ": " $0; if (section == dir && /enabled/ && /OK/) found = 1 }
  END { exit !found }' ||
  { echo "$LIST"; echo "e2e: jupyter labextension list does not show jupyterlab-char-attention enabled from $E2E_JUPYTER_PATH/labextensions"; exit 1; }

phase "tests"
export E2E_RUN_DIR=$RUN E2E_ARTIFACTS=$ARTIFACTS
if [ $# -gt 0 ]; then TESTS=("$@"); else TESTS=(e2e/*.test.mjs); fi
node --test --test-concurrency=1 --test-reporter=spec "${TESTS[@]}"
phase "done; screenshots in ${ARTIFACTS#"$ROOT"/}/"
