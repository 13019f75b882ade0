import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DevkubeConfig, TargetConfig } from "../config";
import type { Size } from "../config/common";
import type { DataSource, WorkspaceStorage } from "../components/storage";
import { z } from "zod";
import type { Settings } from "../config/schema";

/** Keys more than one target reads: declared once here, named by each of them. */
export const SHARED_SETTINGS = {
    kubeContext: z.string().default("").meta({
        description:
            'kubeconfig context to deploy to (minikube, baremetal, kubeconfig); empty means "minikube" on minikube, "default" (k3s) on baremetal, and the kubeconfig\'s current context on kubeconfig.',
    }),
    appDataPath: z.string().default("").meta({
        description:
            'minikube and local-disk mode - directory for apps\' own volumes (one subdirectory per app), outside the workspace; empty means the workspace path + "-apps".',
    }),
} as const satisfies Settings;

/** What every target yields: a Kubernetes provider and the storage behind the workspace. */
export interface Target {
    readonly provider: k8s.Provider;
    readonly storage: WorkspaceStorage;
    /** How a person reaches a node's address on this target (for NodePort URLs). */
    readonly nodeAddress: string;
    /** Where the code lives, for people. */
    readonly workspaceLocation: pulumi.Output<string>;
    /**
     * Where one app's own data (a database) lives when the app names no storage class: kept through the
     * night like the workspace and never on the share; undefined where the target has no place for it
     * (an existing export: its config rule demands a storage class there).
     */
    appData(appName: string, size: Size): DataSource | undefined;
    /** Target-specific stack outputs (e.g. the DOKS kubeconfig, as a secret). */
    readonly outputs: Record<string, pulumi.Output<unknown>>;
}

/** What a target may read besides its own settings. */
export interface TargetContext {
    /** Options every resource of the target takes: its component as parent (targets/index.ts). */
    readonly inside: pulumi.CustomResourceOptions;
    readonly stack: string;
    /** The whole config (namespace, sizes, apps), for what the target bills or names. */
    readonly config: DevkubeConfig;
    /** Read only by the target that needs it, so other stacks never ask for a token. */
    readonly digitalOceanToken: () => pulumi.Output<string>;
}

/**
 * A target: one module that owns its config slice (keys, defaults, rules) and its resources. The
 * registry (targets/index.ts) lists them; adding a target is one file and one line there.
 */
export interface TargetModule<S extends { readonly kind: string }, K extends Settings = Settings> extends TargetConfig<S, K> {
    /** Its resources; may ask the cloud first (a DigitalOcean volume to take back), before declaring them. */
    create(settings: S, context: TargetContext): Target | Promise<Target>;
}
