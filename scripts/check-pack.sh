#!/usr/bin/env bash
# Checks the package as npm would publish it: contents, exports (publint) and types (attw).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.js ] || { echo "dist/ is missing: run npm run build first" >&2; exit 1; }

# Only dist, the README, the LICENSE, the CHANGELOG and package.json may ship.
unexpected=$(npm pack --dry-run --json 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const f of JSON.parse(s)[0].files){if(!/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(f.path))console.log(f.path)}})')
if [ -n "$unexpected" ]; then
  echo "npm pack would ship unexpected files:" >&2
  echo "$unexpected" >&2
  exit 1
fi
echo "pack contents: ok"
npx publint --strict
# attw: 'cjs-resolves-to-esm' would only concern the CLI, which is ESM-only on purpose and not an export.
npx attw --pack . --profile node16
