import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClassClaim } from "../components/storage";
import { z } from "zod";
import type { Settings } from "../config/schema";
import { SHARED_SETTINGS, TargetModule } from "./target";
import { CLAIM_NAMES } from "../contract/identity";

export interface KubeconfigSettings {
    readonly kind: "kubeconfig";
    /** The kubeconfig context; empty: the kubeconfig's current context. */
    readonly kubeContext: string;
    /** The class the workspace's (and apps') claims come from; empty: the cluster's default class. */
    readonly storageClass: string;
}

/** What a class does with a volume whose claim is deleted, and what devkube tells the user about it. */
export function retentionNote(className: string, reclaimPolicy: string | undefined): { readonly kept: boolean; readonly text: string } {
    if (reclaimPolicy === "Retain") {
        return { kept: true, text: `storage class ${className} retains the volume even if its claim is deleted` };
    }
    return {
        kept: false,
        text:
            `storage class ${className} has reclaimPolicy ${reclaimPolicy ?? "Delete"}: a destroy (plain, or the night's) leaves devkube's ` +
            "claims in the cluster, and your code with them, but deleting a claim by hand (or its namespace) deletes its volume; " +
            "to keep it even then, name a class with reclaimPolicy Retain (devkube:storageClass) or, once bound: " +
            `kubectl patch pv <volume> -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`,
    };
}

/**
 * Any cluster devkube did not make (kind, k3d, GKE, EKS, a company cluster), from a kube context. devkube
 * cannot know its disks, so the workspace is a claim from one of its storage classes that every destroy
 * leaves in the cluster (and its volume); the class's reclaim policy is read and a Delete policy is warned about.
 */
const KUBECONFIG_SETTINGS = {
    kubeContext: SHARED_SETTINGS.kubeContext,
    storageClass: z
        .string()
        .refine(
            (name) => name === "" || (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) && name.length <= 253),
            "use the name of a storage class of the cluster as `kubectl get storageclass` lists it (e.g. standard, gp3, local-path), or leave empty for the cluster's default",
        )
        .default("")
        .meta({
            description:
                "The kubeconfig target's storage class for the workspace's and apps' claims (kept by every destroy; a class with reclaimPolicy Retain keeps a volume even if its claim is deleted by hand); empty means the cluster's default class.",
        }),
} as const satisfies Settings;

export const kubeconfig: TargetModule<KubeconfigSettings, typeof KUBECONFIG_SETTINGS> = {
    name: "kubeconfig",
    settings: KUBECONFIG_SETTINGS,
    // Someone else's cluster: nothing is exposed unless the stack asks.
    defaultWebServiceType: "ClusterIP",

    parse: ({ kubeContext, storageClass }) => ({ kind: "kubeconfig", kubeContext, storageClass }),

    keptData: (_, { namespace, apps }) => [
        { kind: "claim", namespace, name: CLAIM_NAMES.workspace },
        ...apps.map((app) => ({ kind: "claim" as const, namespace, name: CLAIM_NAMES.appData(app), app })),
    ],

    create(settings, { inside }) {
        const provider = new k8s.Provider("kubeconfig", { context: settings.kubeContext || undefined }, inside);
        let description: pulumi.Output<string>;
        if (settings.storageClass === "") {
            description = pulumi.output(
                "a claim from the cluster's default storage class (kept by every destroy; `kubectl get storageclass` shows its reclaim policy: with Delete, deleting the claim by hand deletes the code)",
            );
        } else {
            const storageClass = k8s.storage.v1.StorageClass.get("workspace-storage-class", settings.storageClass, { ...inside, provider });
            description = storageClass.reclaimPolicy.apply((policy) => {
                const note = retentionNote(settings.storageClass, policy);
                if (!note.kept) {
                    pulumi.log.warn(note.text);
                }
                return `a claim from storage class ${settings.storageClass} (kept by every destroy; reclaim policy ${policy ?? "Delete"})`;
            });
        }
        const claim = (what: string): ClassClaim => ({ storageClass: settings.storageClass || undefined, description: pulumi.interpolate`${what}: ${description}` });
        return {
            provider,
            storage: { kind: "in-cluster", volume: claim("workspace") },
            nodeAddress: "<a node's IP>",
            workspaceLocation: description,
            appData: (appName) => ({ claim: claim(`app ${appName}`) }),
            outputs: {},
        };
    },
};
