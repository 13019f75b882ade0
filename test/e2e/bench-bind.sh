#!/usr/bin/env bash
# npm run bench:bind: see bench-bind.ts. Uses its own kwok cluster and always tears it down.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-bench-bind}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e/bench-bind}"
# shellcheck source=test/e2e/env.sh
source test/e2e/env.sh
npx tsx test/e2e/bench-bind.ts
