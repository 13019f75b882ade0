#!/usr/bin/env bash
# npm run test:e2e: the real Pulumi engine against a local Kubernetes control plane (kwok).
# Builds or reuses the toolchain, starts the cluster, runs the suite, and always tears the cluster down.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-e2e}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e}"
# shellcheck source=test/e2e/env.sh
source test/e2e/env.sh
# Mocha exits with the number of failures; 3 would read as "toolchain failed" (env.sh's exit code).
npx mocha --config test/e2e/.mocharc.json "$@" || exit 1
