#!/usr/bin/env bash
# npm run test:processes: every container devkube defines, run for real in a pod-shaped namespace.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "processes: cannot run: the process tests need root (namespaces, mounts, other users)"
    exit 3
fi
if ! unshare --pid --fork --mount --net true 2>/dev/null; then
    echo "processes: cannot run: unshare cannot create pid, mount and network namespaces here"
    exit 3
fi
mkdir -p "${DEVKUBE_CACHE:-$HOME/.cache/devkube}"
bash test/processes/install.sh || exit 3
npx mocha --config test/processes/.mocharc.json "$@" || exit 1
