#!/usr/bin/env bash
# npm run bench:sync: see bench-sync.ts. Uses its own kwok cluster and always tears it down.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v rsync >/dev/null || ! command -v busybox >/dev/null; then
    echo "bench-sync: installing Debian's rsync (the baseline it compares with) and busybox-static (the editor image's tools)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rsync busybox-static >/dev/null
fi
export DEVKUBE_E2E_CLUSTER="${DEVKUBE_E2E_CLUSTER:-devkube-bench-sync}"
export DEVKUBE_E2E_WORKDIR="${DEVKUBE_E2E_WORKDIR:-$PWD/.e2e/bench-sync}"
# shellcheck source=test/e2e/env.sh
source test/e2e/env.sh
npx tsx test/e2e/bench-sync.ts
