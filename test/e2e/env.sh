# Sourced by run.sh and bench.sh: the toolchain's environment, the cluster's names and files,
# and a teardown that runs however the caller ends. Caller sets DEVKUBE_E2E_CLUSTER / _WORKDIR defaults.
export DEVKUBE_E2E_KUBECONFIG="$DEVKUBE_E2E_WORKDIR/kubeconfig"
mkdir -p "$DEVKUBE_E2E_WORKDIR"
: >"$DEVKUBE_E2E_WORKDIR/commands.log"

if ! toolchain_env="$(bash test/e2e/toolchain.sh --env)"; then
    echo "e2e: the toolchain could not be provided (see the toolchain: line above)" >&2
    exit 3
fi
eval "$toolchain_env"

# The language host the toolchain could build predates RunPlugin, so it cannot start a policy pack
# folder; the same pack is then started as a binary analyzer (policies/analyzer).
if [ -z "${DEVKUBE_POLICY_PACK:-}" ] && grep -qs fallback "$DEVKUBE_TOOLCHAIN_CACHE"/pulumi-*/language-host-source; then
    export DEVKUBE_POLICY_PACK=policies/analyzer
fi
# DEVKUBE_E2E_NO_CLUSTER=1: the toolchain only (bench-refusal.sh needs no cluster).
if [ "${DEVKUBE_E2E_NO_CLUSTER:-0}" != 1 ]; then
    trap 'bash test/e2e/cluster.sh down' EXIT INT TERM
    bash test/e2e/cluster.sh up >&2
fi
