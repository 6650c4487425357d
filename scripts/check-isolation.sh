#!/usr/bin/env bash
# `npm test`, checked for writing only inside the repository: it runs with
# HOME and TMPDIR pointed at empty folders (and no XDG_*, JUPYTER_* or
# IPYTHONDIR of the caller, so per-user folders follow HOME), then fails if
# anything appeared in those folders or if `git status` changed (a tracked
# file modified, an untracked file not ignored). CI runs its `npm test` phase
# through this script. Arguments go to `npm test` (jest).
#
# The two folders are under .cache/isolation/ (git-ignored): the check itself
# writes nothing outside the repository either. npm keeps a log of every
# command in its cache folder; that folder is pointed into the repository too,
# since it is npm's own and not the tests'.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WATCHED=$ROOT/.cache/isolation
rm -rf "$WATCHED"
mkdir -p "$WATCHED/home" "$WATCHED/tmp"
BEFORE=$(git status --porcelain --untracked-files=all)

env -u XDG_CACHE_HOME -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME \
  -u JUPYTER_CONFIG_DIR -u JUPYTER_DATA_DIR -u JUPYTER_RUNTIME_DIR -u JUPYTER_PATH \
  -u IPYTHONDIR -u KERAS_HOME -u MPLCONFIGDIR \
  HOME="$WATCHED/home" TMPDIR="$WATCHED/tmp" npm_config_cache="$ROOT/.cache/npm" \
  npm test -- "$@"
TESTS=$?

PROBLEMS=()
for dir in home tmp; do
  written=$(cd "$WATCHED/$dir" && find . -mindepth 1 | sort | head -20)
  if [ -n "$written" ]; then
    PROBLEMS+=("written into the empty ${dir^^} folder ($WATCHED/$dir):"$'\n'"$written")
  fi
done
AFTER=$(git status --porcelain --untracked-files=all)
if [ "$AFTER" != "$BEFORE" ]; then
  PROBLEMS+=("git status changed:"$'\n'"$(diff <(echo "$BEFORE") <(echo "$AFTER") | grep '^[<>]')")
fi

if [ ${#PROBLEMS[@]} -gt 0 ]; then
  printf 'check-isolation: %s\n' "${PROBLEMS[@]}"
  exit 1
fi
echo "check-isolation: nothing written to HOME or TMPDIR, git status unchanged"
exit $TESTS
