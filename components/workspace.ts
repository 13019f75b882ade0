import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackingVolume, WORKSPACE_ROLE_LABEL } from "./storage";

export interface WorkspaceArgs {
    /** Namespace of the claim. */
    readonly namespace: pulumi.Input<string>;
    /** The PersistentVolume's cluster-wide name. */
    readonly volumeName: string;
    /** Capacity as a Kubernetes quantity, e.g. "10Gi". */
    readonly size: string;
    /** The disk, from the target. */
    readonly volume: BackingVolume;
}

/** The PersistentVolume spec that points at the backing disk; Retain, so deleting it never deletes the disk. */
export function backingVolumeSpec(args: Pick<WorkspaceArgs, "size" | "volume">): k8s.types.input.core.v1.PersistentVolumeSpec {
    const { volume } = args;
    return {
        ...volume.source,
        capacity: { storage: args.size },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: volume.storageClassName,
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
                    name: args.volumeName,
                    labels: { [WORKSPACE_ROLE_LABEL]: "workspace", "app.kubernetes.io/part-of": "devkube" },
                    annotations: args.volume.annotations,
                },
                spec: backingVolumeSpec(args),
            },
            { parent: this },
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: "workspace", namespace: args.namespace },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: args.volume.storageClassName,
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
