#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry. Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund @picocss/pico@2 chart.js@4 axe-core@4 >/dev/null)
nm="$work/node_modules"
cp "$nm/@picocss/pico/css/pico.min.css" "$nm/@picocss/pico/LICENSE.md" static/vendor/pico/
cp "$nm/chart.js/dist/chart.umd.min.js" "$nm/chart.js/LICENSE.md" static/vendor/chartjs/
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" static/vendor/axe-core/
for p in @picocss/pico chart.js axe-core; do
  node -e "console.log('$p', require('$nm/$p/package.json').version)"
done > static/vendor/VERSIONS.txt
cat static/vendor/VERSIONS.txt
