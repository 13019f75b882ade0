import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkspaceStorage } from "../storage";

/** What every target module yields: a Kubernetes provider and the storage behind the workspace. */
export interface Target {
    readonly provider: k8s.Provider;
    readonly storage: WorkspaceStorage;
    /** How a person reaches a node's address on this target (for NodePort URLs). */
    readonly nodeAddress: string;
    /** Where the code lives, for people. */
    readonly workspaceLocation: pulumi.Output<string>;
    /** Target-specific stack outputs (e.g. the DOKS kubeconfig, as a secret). */
    readonly outputs: Record<string, pulumi.Output<unknown>>;
}
