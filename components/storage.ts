// What a target hands the components about where the code lives. Components never ask which
// target they run on; a new target is a new file in targets/ that returns one of these.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A disk the in-cluster NFS server exports, described as the source of a static PersistentVolume. */
export interface BackingVolume {
    /** Exactly one of csi (a cloud disk), hostPath or local. */
    readonly source: Pick<k8s.types.input.core.v1.PersistentVolumeSpec, "csi" | "hostPath" | "local">;
    readonly annotations?: Record<string, string>;
    /** For disks that live on one node (USB disk on a board): the PV's node affinity and the NFS server's node. */
    readonly node?: string;
    /** Where the bytes are, for people: printed as a stack output. */
    readonly description: pulumi.Input<string>;
}

/**
 * A claim from one of the cluster's storage classes, for a cluster devkube did not make (the kubeconfig
 * target): every destroy leaves it in the cluster (retainOnDelete), and its volume with the data.
 */
export interface ClassClaim {
    /** undefined: the cluster's default class. */
    readonly storageClass: string | undefined;
    readonly description: pulumi.Input<string>;
}

/** Where an app's own data lives: a disk of the target's behind a static PV, or a claim from a class. */
export type DataSource = { readonly disk: BackingVolume } | { readonly claim: ClassClaim };

export type WorkspaceStorage =
    /** devkube runs an NFS server in the cluster that exports the backing volume (or a class's claim). */
    | { readonly kind: "in-cluster"; readonly volume: BackingVolume | ClassClaim }
    /** An NFS export that already exists on the network is mounted directly; no NFS server pod. */
    | { readonly kind: "existing-export"; readonly server: string; readonly path: string };

