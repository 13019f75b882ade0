#!/usr/bin/env bash
# usage: test/e2e/bench.sh [bind|start]: npm run bench (bench.ts), bench:bind (bench-bind.ts) or
# bench:start (bench-start.ts). Each uses its own kwok cluster and always tears it down.
set -euo pipefail
cd "$(dirname "$0")/../.."
name="bench${1:+-$1}"
if [ ! -f "test/e2e/$name.ts" ]; then
    echo "usage: test/e2e/bench.sh [bind|start] (there is no test/e2e/$name.ts)" >&2
    exit 2
fi
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-$name}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e/$name}"
# shellcheck source=test/e2e/env.sh
source test/e2e/env.sh
npx tsx "test/e2e/$name.ts"
