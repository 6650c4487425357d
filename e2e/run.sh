#!/usr/bin/env bash
# End-to-end tests in a real JupyterLab 4.6 (lab/) with Debian's Chromium.
#
#   1. checks Debian packages (installs them as root, else prints the command);
#   2. builds what is out of date (scripts/dev-build.js: lib, prebuilt
#      extension in development mode, lab core app);
#   3. builds the wheel and installs it into a per-run prefix, as pip would:
#      the lab server loads the extension from
#      <prefix>/share/jupyter/labextensions/jupyterlab-char-attention;
#   4. runs e2e/*.test.mjs with node --test, one fresh server per test.
#
# Screenshots: artifacts/e2e/*.png; logs: artifacts/e2e/logs/.
# Usage: npm run test:e2e [-- e2e/render.test.mjs ...]
#        E2E_SKIP_BUILD=1 to test the current build as is.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=/usr/bin/python3
ARTIFACTS=$ROOT/artifacts/e2e
RUN=$(mktemp -d "${E2E_TMP:-/tmp}/char-attention-e2e.XXXXXX")
mkdir -p "$RUN/pids" "$RUN/tmp" "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png
SECONDS=0
phase() { echo "[e2e $(date +%T) +${SECONDS}s] $*"; }

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
  mkdir -p "$ARTIFACTS/logs"
  find "$RUN" -name server.log -exec sh -c 'cp "$1" "$2/$(basename "$(dirname "$1")").log"' _ {} "$ARTIFACTS/logs" \; 2>/dev/null || true
  cp "$RUN"/*.log "$ARTIFACTS/logs/" 2>/dev/null || true
  rm -rf "$RUN"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

phase "system packages"
node scripts/system-deps.js --tests || { echo "e2e: missing Debian packages (see above)"; exit 1; }

if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
  phase "build (skips what is up to date)"
  node scripts/dev-build.js
fi
[ -f lab/static/bundle.js ] || { echo "e2e: lab/static/bundle.js is missing: run without E2E_SKIP_BUILD"; exit 1; }

phase "wheel"
# No PyPI: Debian's hatchling and build; dependencies are checked by apt.
$PYTHON -m build --wheel --no-isolation --skip-dependency-check --outdir "$RUN/dist" . >"$RUN/wheel.log" 2>&1 ||
  { cat "$RUN/wheel.log"; echo "e2e: the wheel did not build"; exit 1; }
WHEEL=$(ls "$RUN"/dist/*.whl)
echo "  $(basename "$WHEEL")"
$PYTHON - "$WHEEL" <<'PY' || { echo "e2e: the wheel is incomplete"; exit 1; }
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
data = next(n.split("/")[0] for n in names if ".data/" in n)
required = [
    f"{data}/data/share/jupyter/labextensions/jupyterlab-char-attention/package.json",
    f"{data}/data/share/jupyter/labextensions/jupyterlab-char-attention/install.json",
    "jupyterlab_char_attention/__init__.py",
    "jupyterlab_char_attention/_version.py",
    "jupyterlab_char_attention/colormaps.json",
]
missing = [n for n in required if n not in names]
if missing:
    sys.exit("missing from the wheel: " + ", ".join(missing))
PY

phase "install the wheel into $RUN/prefix"
PREFIX=$RUN/prefix
if $PYTHON -m pip --version >/dev/null 2>&1; then
  $PYTHON -m pip install --quiet --no-deps --no-index --no-warn-script-location --prefix "$PREFIX" "$WHEEL" >"$RUN/pip.log" 2>&1 ||
    { cat "$RUN/pip.log"; echo "e2e: pip could not install the wheel"; exit 1; }
else
  # What pip does for this pure wheel: the package to purelib, the .data/data
  # tree to the prefix.
  $PYTHON - "$WHEEL" "$PREFIX" <<'PY'
import os, sys, sysconfig, zipfile
wheel, prefix = sys.argv[1:]
paths = {"base": prefix, "platbase": prefix}
purelib = sysconfig.get_path("purelib", vars=paths)
data = sysconfig.get_path("data", vars=paths)
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.endswith("/") or ".dist-info/" in name:
            continue
        parts = name.split("/")
        if parts[0].endswith(".data") and parts[1] == "data":
            target = os.path.join(data, *parts[2:])
        elif parts[0].endswith(".data"):
            continue
        else:
            target = os.path.join(purelib, *parts)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(name) as src, open(target, "wb") as dst:
            dst.write(src.read())
PY
fi
# Debian's pip and sysconfig put a prefix install under <prefix>/local: find it.
MANIFEST=$(find "$PREFIX" -path '*/share/jupyter/labextensions/jupyterlab-char-attention/package.json' | head -1)
[ -n "$MANIFEST" ] || { echo "e2e: the wheel did not install share/jupyter/labextensions/jupyterlab-char-attention"; exit 1; }
export E2E_LABEXTENSIONS=$(dirname "$(dirname "$MANIFEST")")
PACKAGE=$(find "$PREFIX" -path '*/jupyterlab_char_attention/__init__.py' | head -1)
# Kernels import the installed package, as after pip install.
export PYTHONPATH=$(dirname "$(dirname "$PACKAGE")")${PYTHONPATH:+:$PYTHONPATH}
echo "  labextensions_path: ${E2E_LABEXTENSIONS#"$RUN"/}"

phase "tests"
export E2E_RUN_DIR=$RUN E2E_ARTIFACTS=$ARTIFACTS TMPDIR=$RUN/tmp
if [ $# -gt 0 ]; then TESTS=("$@"); else TESTS=(e2e/*.test.mjs); fi
node --test --test-concurrency=1 --test-reporter=spec "${TESTS[@]}"
phase "done; screenshots in ${ARTIFACTS#"$ROOT"/}/"
