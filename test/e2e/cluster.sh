#!/usr/bin/env bash
# usage: test/e2e/cluster.sh up|down
# A local Kubernetes control plane without containers: kwokctl runs etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (which plays the kubelet: nodes and pods become
# Ready, nothing runs) as plain processes from the binaries test/e2e/toolchain.sh built.
# Needs the toolchain's environment (eval "$(bash test/e2e/toolchain.sh --env)").
set -euo pipefail

NAME="${DEVKUBE_E2E_CLUSTER:-devkube-e2e}"
KUBECONFIG_FILE="${DEVKUBE_E2E_KUBECONFIG:?set DEVKUBE_E2E_KUBECONFIG to the kubeconfig file the tests use}"
CONTEXT="kwok-$NAME"

# Fake nodes labelled like the real targets: the minikube node, and two arm64 boards of which
# odroid-1 holds the USB disk (Pulumi.homelab.yaml's devkube:storageNode).
node() { # name arch extra-label
    cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $1
    kubernetes.io/os: linux
    kubernetes.io/arch: $2
    type: kwok
    $3
status:
  allocatable: { cpu: "4", memory: 8Gi, pods: "110" }
  capacity: { cpu: "4", memory: 8Gi, pods: "110" }
  nodeInfo: { architecture: $2, operatingSystem: linux, kubeletVersion: fake }
---
YAML
}

up() {
    kwokctl delete cluster --name "$NAME" --kubeconfig "$KUBECONFIG_FILE" >/dev/null 2>&1 || true
    # Every binary as an explicit local path: kwokctl would otherwise try to download it.
    kwokctl create cluster --name "$NAME" --runtime binary --kubeconfig "$KUBECONFIG_FILE" --wait 2m \
        --kube-apiserver-binary "${KWOK_KUBE_APISERVER_BINARY:?}" \
        --kube-controller-manager-binary "${KWOK_KUBE_CONTROLLER_MANAGER_BINARY:?}" \
        --kube-scheduler-binary "${KWOK_KUBE_SCHEDULER_BINARY:?}" \
        --kwok-controller-binary "${KWOK_CONTROLLER_BINARY:?}" \
        --etcd-binary "${KWOK_ETCD_BINARY:?}" \
        --enable-crds=ClusterExec,ClusterPortForward >&2
    { node minikube amd64 "minikube.k8s.io/primary: \"true\""; node odroid-1 arm64 "devkube.dev/disk: usb"; node pi-2 arm64 "devkube.dev/board: pi4"; } |
        kubectl --kubeconfig "$KUBECONFIG_FILE" --context "$CONTEXT" apply -f - >/dev/null
    kubectl --kubeconfig "$KUBECONFIG_FILE" --context "$CONTEXT" wait --for=condition=Ready node --all --timeout=60s >/dev/null
    # The default ServiceAccount must exist before pods can be created in a new namespace.
    echo "cluster $NAME up: context $CONTEXT in $KUBECONFIG_FILE, nodes: $(kubectl --kubeconfig "$KUBECONFIG_FILE" --context "$CONTEXT" get nodes -o name | tr '\n' ' ')"
}

down() {
    kwokctl delete cluster --name "$NAME" --kubeconfig "$KUBECONFIG_FILE" >/dev/null 2>&1 || true
    # Leave no process behind, even if kwokctl itself was interrupted.
    local workdir="${KWOK_WORKDIR:-$HOME/.kwok}/clusters/$NAME"
    pkill -f -- "$workdir" 2>/dev/null || true
    sleep 1
    pkill -9 -f -- "$workdir" 2>/dev/null || true
    if pgrep -f -- "$workdir" >/dev/null; then
        echo "cluster.sh: processes of $NAME are still running:" >&2
        pgrep -af -- "$workdir" >&2
        return 1
    fi
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
