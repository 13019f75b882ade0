#!/usr/bin/env bash
# npm run bench: see bench.ts. Uses its own kwok cluster and always tears it down.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-bench}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e/bench}"
export DEVKUBE_E2E_KUBECONFIG="$DEVKUBE_E2E_WORKDIR/kubeconfig"
mkdir -p "$DEVKUBE_E2E_WORKDIR"
eval "$(bash test/e2e/toolchain.sh --env)"
# The language host the toolchain could build predates RunPlugin, so it cannot start a policy pack
# folder; the same pack is then started as a binary analyzer (policies/analyzer).
if [ -z "${DEVKUBE_POLICY_PACK:-}" ] && grep -qs fallback "$DEVKUBE_TOOLCHAIN_CACHE"/pulumi-*/language-host-source; then
    export DEVKUBE_POLICY_PACK=policies/analyzer
fi
trap 'bash test/e2e/cluster.sh down' EXIT INT TERM
bash test/e2e/cluster.sh up >&2
npx tsx test/e2e/bench.ts
