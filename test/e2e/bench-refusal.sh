#!/usr/bin/env bash
# npm run bench:refusal: see bench-refusal.ts. Needs the toolchain's Pulumi CLI, not a cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-bench-refusal}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e/bench-refusal}"
export DEVKUBE_E2E_NO_CLUSTER=1
# shellcheck source=test/e2e/env.sh
source test/e2e/env.sh
npx tsx test/e2e/bench-refusal.ts
