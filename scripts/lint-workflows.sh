#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from the Go module proxy into ~/.cache (once).
# Prints "N passed, N failed" for the workflows it checked.
set -uo pipefail
cd "$(dirname "$0")/.."
version=v1.7.12
bin="${DEVKUBE_CACHE:-$HOME/.cache/devkube}/actionlint-$version/actionlint"
if [ ! -x "$bin" ]; then
    go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
    if ! GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$(dirname "$bin")" "$go" install "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2; then
        echo "lint-workflows: cannot build actionlint $version with $go"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi
passed=0 failed=0
for workflow in .github/workflows/*.yml; do
    if "$bin" -pyflakes= "$workflow"; then
        echo "actionlint: $workflow ok"
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
