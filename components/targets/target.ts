import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Size } from "../../config";
import { BackingVolume, WorkspaceStorage } from "../storage";

/** What every target module yields: a Kubernetes provider and the storage behind the workspace. */
export interface Target {
    readonly provider: k8s.Provider;
    readonly storage: WorkspaceStorage;
    /** How a person reaches a node's address on this target (for NodePort URLs). */
    readonly nodeAddress: string;
    /** Where the code lives, for people. */
    readonly workspaceLocation: pulumi.Output<string>;
    /**
     * A disk for one app's own data (a database), kept through the night like the workspace and never
     * on the share; undefined where the target has none (an existing export: config demands a storage class there).
     */
    appDataVolume(appName: string, size: Size): BackingVolume | undefined;
    /** Target-specific stack outputs (e.g. the DOKS kubeconfig, as a secret). */
    readonly outputs: Record<string, pulumi.Output<unknown>>;
}
