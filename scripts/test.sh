#!/usr/bin/env bash
# The test command (npm test): unit tests, then integration tests on a real engine.
# Sets up what it needs first: Debian packages, dockerd, test images (cached).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/test-deps.sh
bash scripts/engine-up.sh
bash scripts/test-images.sh
mkdir -p test-artifacts
files=$(find test/unit test/integration -name '*.test.ts' | sort)
# shellcheck disable=SC2086
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=900000 $files
