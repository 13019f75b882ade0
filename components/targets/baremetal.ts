import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BaremetalSettings } from "../../config";
import { Target } from "./target";

export const LOCAL_STORAGE_CLASS = "devkube-local";

/**
 * A home-lab cluster (k3s or similar on Raspberry Pi 4 / Odroid N2+ boards). Either the USB disk on one
 * board holds the workspace and devkube's NFS server runs next to it, or an NFS export already on the LAN
 * is mounted directly.
 */
export function baremetalTarget(settings: BaremetalSettings): Target {
    const provider = new k8s.Provider("baremetal", { context: settings.kubeContext, deleteUnreachable: true });
    const storage = settings.storage;
    if (storage.mode === "existing-export") {
        return {
            provider,
            storage: { kind: "existing-export", server: storage.server, path: storage.path },
            nodeAddress: "<any node's IP>",
            workspaceLocation: pulumi.output(`NFS export ${storage.server}:${storage.path} (devkube never deletes it)`),
            outputs: {},
        };
    }
    // A class of its own, never k3s' default `local-path` (which rm -rf's the directory on delete).
    new k8s.storage.v1.StorageClass(
        "local-disk",
        {
            metadata: { name: LOCAL_STORAGE_CLASS, labels: { "app.kubernetes.io/part-of": "devkube" } },
            provisioner: "kubernetes.io/no-provisioner",
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        },
        { provider },
    );
    return {
        provider,
        storage: {
            kind: "in-cluster",
            volume: {
                source: { local: { path: storage.path } },
                storageClassName: LOCAL_STORAGE_CLASS,
                node: storage.node,
                description: `${storage.path} on node ${storage.node}`,
            },
        },
        nodeAddress: "<any node's IP>",
        workspaceLocation: pulumi.output(`${storage.path} on node ${storage.node} (devkube never deletes it)`),
        outputs: {},
    };
}
