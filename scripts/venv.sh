#!/usr/bin/env bash
# Creates (or updates) .venv in the repository with requirements-dev.txt:
# real JupyterLab, Notebook 7, a kernel, TensorFlow/Keras and the test tools.
# Uses whatever package index pip is configured with. Idempotent: a venv
# whose recorded requirements match is left as it is. Writes nothing outside
# the repository (no pip cache).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.requirements-dev.txt"
if [ -x "$VENV/bin/python" ] && cmp -s requirements-dev.txt "$STAMP"; then
  echo ".venv is up to date ($("$VENV/bin/python" --version))"
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# --retries 0: an index that cannot be reached is skipped at once instead of
# being retried for every package.
# Index locations that do not exist on this machine are skipped with one
# warning per package: those lines are left out, everything else is shown.
"$VENV/bin/pip" install --retries 0 --quiet --no-cache-dir --disable-pip-version-check \
  --progress-bar off -r requirements-dev.txt 2>&1 |
  { grep -v "is ignored: it is neither a file nor a directory" || true; }
cp requirements-dev.txt "$STAMP"
echo ".venv ready: $("$VENV/bin/python" --version)"
