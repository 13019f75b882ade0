import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BaremetalSettings } from "../../config";
import { Target } from "./target";

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
            appDataVolume: () => undefined,
            outputs: {},
        };
    }
    return {
        provider,
        storage: {
            kind: "in-cluster",
            volume: {
                source: { local: { path: storage.path } },
                node: storage.node,
                description: `${storage.path} on node ${storage.node}`,
            },
        },
        nodeAddress: "<any node's IP>",
        workspaceLocation: pulumi.output(`${storage.path} on node ${storage.node} (devkube never deletes it)`),
        // type Directory, never DirectoryOrCreate: with the USB disk unmounted, a created directory
        // would sit on the SD card and a database would start empty there. The PV's node affinity
        // puts the app on the board whose disk holds it.
        appDataVolume: (appName) => ({
            source: { hostPath: { path: `${storage.appDataPath}/${appName}`, type: "Directory" } },
            node: storage.node,
            description: `${storage.appDataPath}/${appName} on node ${storage.node}`,
        }),
        outputs: {},
    };
}
