#!/usr/bin/env bash
# npm run bench:test [-- runs]: the wall time of `npm test`, once cold (no type-check state, no tsx
# transpile cache) and then `runs` times warm (default 3), with the median of the warm runs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
seconds() { date +%s.%N; }
once() {
    local start end
    start="$(seconds)"
    npm test >/tmp/devkube-bench-unit.log 2>&1 || { tail -n 30 /tmp/devkube-bench-unit.log; echo "bench: npm test failed"; exit 1; }
    end="$(seconds)"
    echo "$end - $start" | bc
}
echo "npm test, wall time: $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), node $(node --version)"
rm -rf node_modules/.cache/devkube "$(node -p 'require("os").tmpdir()')/tsx-$(id -u)"
printf 'cold: %.1f s\n' "$(once)"
warm=()
for i in $(seq "$runs"); do
    warm+=("$(once)")
    printf 'warm %d: %.1f s\n' "$i" "${warm[-1]}"
done
median="$(printf '%s\n' "${warm[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
printf 'median warm: %.1f s (%s)\n' "$median" "$(grep -E '^[0-9]+ passed' /tmp/devkube-bench-unit.log | tail -n1)"
