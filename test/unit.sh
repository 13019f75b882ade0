#!/usr/bin/env bash
# npm test: the type checks and mocha at the same time (they use a core each), failing if either fails.
# The type checks keep incremental state in node_modules/.cache/devkube, so a second run rechecks only
# what changed. If they fail, their errors come after mocha's output, followed by the summary line again
# with the type check counted as one failure (CI reads the last such line).
set -uo pipefail
cd "$(dirname "$0")/.."
cache=node_modules/.cache/devkube
mkdir -p "$cache"
types_log="$(mktemp)" mocha_log="$(mktemp)"
trap 'rm -f "$types_log" "$mocha_log"' EXIT

{
    npx tsc --noEmit -p tsconfig.check.json --incremental --tsBuildInfoFile "$cache/program.tsbuildinfo" &&
        npx tsc --noEmit -p policies --incremental --tsBuildInfoFile "$cache/policies.tsbuildinfo"
} >"$types_log" 2>&1 &
types=$!

npx mocha "$@" 2>&1 | tee "$mocha_log"
mocha_rc=${PIPESTATUS[0]}
wait "$types"
types_rc=$?

if [ "$types_rc" -ne 0 ]; then
    cat "$types_log"
    echo "type check failed (npm run typecheck shows the same errors)"
    line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$mocha_log" | tail -n1)"
    read -r passed _ failed _ <<<"${line:-0 passed, 0 failed}"
    echo "$passed passed, $((${failed%,} + 1)) failed"
    exit 1
fi
exit "$mocha_rc"
