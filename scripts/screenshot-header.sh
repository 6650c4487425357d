#!/usr/bin/env bash
# The README screenshots of the sample header (docs/header-light.png,
# docs/header-dark.png): the real JupyterLab in its light and dark themes,
# showing examples/integrated-gradients.json, taken by e2e/theme.test.mjs.
#   bash scripts/screenshot-header.sh          (E2E_SKIP_BUILD=1 to reuse the last build)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run test:e2e -- e2e/theme.test.mjs
for theme in light dark; do
  cp "artifacts/e2e/header-$theme.png" "docs/header-$theme.png"
  echo "wrote docs/header-$theme.png"
done
