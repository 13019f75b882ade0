import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_LABEL, isAbsolutePath, isInside } from "../config/common";
import { z } from "zod";
import type { Settings } from "../config/schema";
import { SHARED_SETTINGS, TargetModule } from "./target";

export const BAREMETAL_MODES = ["local-disk", "existing-export"] as const;
export type BaremetalMode = (typeof BAREMETAL_MODES)[number];

export type BaremetalStorage =
    | { readonly mode: "local-disk"; readonly node: string; readonly path: string; readonly appDataPath: string }
    | { readonly mode: "existing-export"; readonly server: string; readonly path: string };

export interface BaremetalSettings {
    readonly kind: "baremetal";
    readonly kubeContext: string;
    readonly storage: BaremetalStorage;
}

const NFS_HOST = /^(([0-9]{1,3}\.){3}[0-9]{1,3}|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)$/;

/**
 * A home-lab cluster (k3s or similar on Raspberry Pi 4 / Odroid N2+ boards). Either the USB disk on one
 * board holds the workspace and devkube's NFS server runs next to it, or an NFS export already on the LAN
 * is mounted directly.
 */
// Which of storageNode/diskPath or nfsServer/nfsPath must be set depends on the mode: parse checks them.
const BAREMETAL_SETTINGS = {
    kubeContext: SHARED_SETTINGS.kubeContext,
    baremetalMode: z
        .enum(BAREMETAL_MODES, `allowed: ${BAREMETAL_MODES.join(", ")}`)
        .default("local-disk")
        .meta({ description: "local-disk (devkube runs an NFS server next to a node's USB disk) or existing-export (mount an NFS export already on the LAN)." }),
    storageNode: z.string().default("").meta({ description: "local-disk mode - node name (kubernetes.io/hostname) of the board with the disk." }),
    diskPath: z.string().default("").meta({ description: "local-disk mode - absolute directory on that disk (create it first)." }),
    appDataPath: SHARED_SETTINGS.appDataPath,
    nfsServer: z.string().default("").meta({ description: "existing-export mode - IP address or host name of the NFS server." }),
    nfsPath: z.string().default("").meta({ description: "existing-export mode - absolute path the server exports." }),
} as const satisfies Settings;

export const baremetal: TargetModule<BaremetalSettings, typeof BAREMETAL_SETTINGS> = {
    name: "baremetal",
    settings: BAREMETAL_SETTINGS,
    defaultWebServiceType: "NodePort",

    parse(values, read): BaremetalSettings {
        const kubeContext = values.kubeContext || "default";
        if (values.baremetalMode === "existing-export") {
            const server = values.nfsServer;
            const path = values.nfsPath;
            if (server === "" || !NFS_HOST.test(server)) {
                read.problem(
                    "nfsServer",
                    server,
                    "devkube:baremetalMode=existing-export mounts an NFS export that already exists; set the server's IP address or host name, e.g. 192.168.1.20",
                );
            }
            if (!isAbsolutePath(path)) {
                read.problem("nfsPath", path, "set the absolute path the server exports, e.g. /srv/nfs/devkube");
            }
            return { kind: "baremetal", kubeContext, storage: { mode: "existing-export", server, path } };
        }
        const node = values.storageNode;
        const path = values.diskPath;
        if (!DNS_LABEL.test(node) && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node)) {
            read.problem(
                "storageNode",
                node,
                "set the node name (kubernetes.io/hostname) of the board the USB disk is plugged into, as `kubectl get nodes` shows it",
            );
        }
        if (!isAbsolutePath(path) || path === "/") {
            read.problem("diskPath", path, "set the absolute directory on that node's disk, e.g. /mnt/usb/devkube");
        }
        const appDataPath = values.appDataPath || `${path}-apps`;
        // A derived path is only as good as diskPath, whose own problem is reported already.
        const checkable = read.isSet("appDataPath") || (isAbsolutePath(path) && path !== "/");
        if (checkable && (!isAbsolutePath(appDataPath) || appDataPath === "/" || isInside(appDataPath, path) || isInside(path, appDataPath))) {
            read.problem(
                "appDataPath",
                appDataPath,
                `set an absolute directory on node ${node || "<storageNode>"}'s disk outside the workspace ${path} (neither inside it nor containing it: apps' databases are not served over NFS), e.g. /mnt/usb/devkube-apps`,
            );
        }
        return { kind: "baremetal", kubeContext, storage: { mode: "local-disk", node, path, appDataPath } };
    },

    appVolumeProblems(volume, field, settings) {
        if (settings.storage.mode === "existing-export" && !volume.storageClass) {
            return [
                `${field}: got ${JSON.stringify({ size: volume.size.quantity, mountPath: volume.mountPath })}; devkube:baremetalMode=existing-export has no disk of its own for app data ` +
                    "(and databases do not belong on NFS); add storageClass: <a storage class of the cluster>, e.g. local-path",
            ];
        }
        return [];
    },

    // An existing export is the user's own, never devkube's to delete; its apps' data comes from a class.
    keptData: ({ storage }, { apps }) =>
        storage.mode === "existing-export"
            ? []
            : [
                  { kind: "disk", where: `local path ${storage.path}` },
                  ...apps.map((app) => ({ kind: "disk" as const, where: `host path ${storage.appDataPath}/${app}`, app })),
              ],

    create(settings, { inside }) {
        const provider = new k8s.Provider("baremetal", { context: settings.kubeContext, deleteUnreachable: true }, inside);
        const storage = settings.storage;
        if (storage.mode === "existing-export") {
            return {
                provider,
                storage: { kind: "existing-export", server: storage.server, path: storage.path },
                nodeAddress: "<any node's IP>",
                workspaceLocation: pulumi.output(`NFS export ${storage.server}:${storage.path} (devkube never deletes it)`),
                appData: () => undefined,
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
            appData: (appName) => ({
                disk: {
                    source: { hostPath: { path: `${storage.appDataPath}/${appName}`, type: "Directory" } },
                    node: storage.node,
                    description: `${storage.appDataPath}/${appName} on node ${storage.node}`,
                },
            }),
            outputs: {},
        };
    },
};
