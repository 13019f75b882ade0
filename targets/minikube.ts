import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isAbsolutePath, isInside } from "../config/common";
import { z } from "zod";
import type { Settings } from "../config/schema";
import { SHARED_SETTINGS, TargetModule } from "./target";

export interface MinikubeSettings {
    readonly kind: "minikube";
    readonly kubeContext: string;
    readonly hostPath: string;
    /** Where apps' own volumes live (a directory per app), beside the workspace, not in it. */
    readonly appDataPath: string;
}

/** Directories minikube keeps across `minikube stop/start` (minikube docs, persistent volumes). */
export const MINIKUBE_PERSISTENT_DIRS = ["/data", "/var/lib/minikube", "/tmp/hostpath_pv", "/tmp/hostpath-provisioner"];

const kept = (path: string) => isAbsolutePath(path) && MINIKUBE_PERSISTENT_DIRS.some((dir) => path.startsWith(`${dir}/`));

/**
 * A laptop's minikube. The workspace is a hostPath under /data, which minikube keeps across restarts,
 * on a static Retain PV: minikube's default class (`standard`) would delete the directory with the claim.
 */
const MINIKUBE_SETTINGS = {
    kubeContext: SHARED_SETTINGS.kubeContext,
    minikubeHostPath: z
        .string()
        .refine(kept, `use a directory under one that minikube keeps across restarts (${MINIKUBE_PERSISTENT_DIRS.join(", ")}), e.g. /data/devkube`)
        .default("/data/devkube")
        .meta({ description: "Directory inside the minikube node that holds the code; must be under /data (kept across restarts)." }),
    appDataPath: SHARED_SETTINGS.appDataPath,
} as const satisfies Settings;

export const minikube: TargetModule<MinikubeSettings, typeof MINIKUBE_SETTINGS> = {
    name: "minikube",
    settings: MINIKUBE_SETTINGS,
    defaultWebServiceType: "NodePort",
    webServiceTypeProblem: (type) =>
        type === "LoadBalancer"
            ? "minikube gives a LoadBalancer no address without `minikube tunnel`, so `pulumi up` would wait for it; use NodePort or ClusterIP"
            : undefined,

    parse(values, read) {
        const kubeContext = values.kubeContext || "minikube";
        const hostPath = values.minikubeHostPath;
        const appDataPath = values.appDataPath || `${hostPath}-apps`;
        // A derived path is only as good as minikubeHostPath, whose own problem is reported already.
        const checkable = read.isSet("appDataPath") || read.valid("minikubeHostPath");
        if (checkable && (!kept(appDataPath) || isInside(appDataPath, hostPath) || isInside(hostPath, appDataPath))) {
            read.problem(
                "appDataPath",
                appDataPath,
                `use a directory under one that minikube keeps (${MINIKUBE_PERSISTENT_DIRS.join(", ")}) and outside the workspace ${hostPath} (neither inside it nor containing it), e.g. /data/devkube-apps`,
            );
        }
        return { kind: "minikube", kubeContext, hostPath, appDataPath };
    },

    keptData: (settings, { apps }) => [
        { kind: "disk", where: `host path ${settings.hostPath}` },
        ...apps.map((app) => ({ kind: "disk" as const, where: `host path ${settings.appDataPath}/${app}`, app })),
    ],

    create(settings, { inside }) {
        const provider = new k8s.Provider(
            "minikube",
            {
                context: settings.kubeContext,
                // A deleted minikube must not make `pulumi destroy` fail forever.
                deleteUnreachable: true,
            },
            inside,
        );
        return {
            provider,
            storage: {
                kind: "in-cluster",
                volume: {
                    source: { hostPath: { path: settings.hostPath, type: "DirectoryOrCreate" } },
                    description: `hostPath ${settings.hostPath} inside the minikube node`,
                },
            },
            nodeAddress: "$(minikube ip)",
            workspaceLocation: pulumi.output(`${settings.hostPath} inside the minikube node (kept by minikube stop/start; removed by minikube delete)`),
            appData: (appName) => ({
                disk: {
                    source: { hostPath: { path: `${settings.appDataPath}/${appName}`, type: "DirectoryOrCreate" } },
                    description: `hostPath ${settings.appDataPath}/${appName} inside the minikube node`,
                },
            }),
            outputs: {},
        };
    },
};
