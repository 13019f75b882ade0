import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackingVolume } from "./storage";
import { PART_OF, PART_OF_LABEL, ROLES, ROLE_LABEL } from "../contract/identity";

export interface WorkspaceArgs {
    /** Namespace of the claim. */
    readonly namespace: pulumi.Input<string>;
    /** Capacity as a Kubernetes quantity, e.g. "10Gi". */
    readonly size: string;
    /** The disk, from the target. */
    readonly volume: BackingVolume;
}

/**
 * The claim is pre-bound to its PV (volumeName), so a storage class would only get in the way: with a
 * WaitForFirstConsumer class, pulumi-kubernetes (4.25) counts the claim ready only while it is Pending,
 * and a pre-bound claim is Bound at once, so `up` could wait its full 5 minutes (seen in e2e). "" also
 * keeps the cluster's default class (minikube `standard`, k3s `local-path`, both Delete) away.
 */
export const NO_CLASS = "";

/** The claim a static PersistentVolume is reserved for. */
export interface ClaimRef {
    readonly namespace: pulumi.Input<string>;
    readonly name: string;
}

/**
 * Reserves a static PV for exactly one claim. The claim's volumeName binds it from one side only: until
 * that claim exists, any other claim without a class that fits could bind the PV first.
 */
export function reservedFor(claim: ClaimRef): Pick<k8s.types.input.core.v1.PersistentVolumeSpec, "claimRef"> {
    return { claimRef: { namespace: claim.namespace, name: claim.name } };
}

/** The workspace's claim. */
export const WORKSPACE_CLAIM = "workspace";

/** The PersistentVolume spec that points at the backing disk; Retain, so deleting it never deletes the disk. */
export function backingVolumeSpec(args: Pick<WorkspaceArgs, "size" | "volume">, claim: ClaimRef): k8s.types.input.core.v1.PersistentVolumeSpec {
    const { volume } = args;
    return {
        ...volume.source,
        ...reservedFor(claim),
        capacity: { storage: args.size },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: NO_CLASS,
        volumeMode: "Filesystem",
        nodeAffinity: volume.node
            ? {
                  required: {
                      nodeSelectorTerms: [
                          { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [volume.node] }] },
                      ],
                  },
              }
            : undefined,
    };
}

/**
 * The workspace: a static PersistentVolume on the target's disk and the claim the NFS server mounts.
 * Static (not dynamically provisioned) so the same disk is found again after the nightly teardown.
 */
export class Workspace extends pulumi.ComponentResource {
    public readonly claimName: pulumi.Output<string>;
    public readonly volumeName: pulumi.Output<string>;

    constructor(name: string, args: WorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:storage:Workspace", name, {}, opts);
        const volume = new k8s.core.v1.PersistentVolume(
            `${name}-volume`,
            {
                metadata: {
                    // No fixed name: Pulumi names it once (stable in state) and anew on every re-create,
                    // so a PV deleted at night and created again at once never meets its old self in
                    // the PV controller's cache (which would leave the claim unbound).
                    labels: { [ROLE_LABEL]: ROLES.workspace, [PART_OF_LABEL]: PART_OF },
                    annotations: args.volume.annotations,
                },
                spec: backingVolumeSpec(args, { namespace: args.namespace, name: WORKSPACE_CLAIM }),
            },
            { parent: this },
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: WORKSPACE_CLAIM, namespace: args.namespace },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: NO_CLASS,
                    volumeName: volume.metadata.name,
                    resources: { requests: { storage: args.size } },
                },
            },
            { parent: this },
        );
        this.claimName = claim.metadata.name;
        this.volumeName = volume.metadata.name;
        this.registerOutputs({ claimName: this.claimName, volumeName: this.volumeName });
    }
}
