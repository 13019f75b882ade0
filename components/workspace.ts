import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackingVolume, ClassClaim } from "./storage";
import { CLAIM_NAMES, PART_OF, PART_OF_LABEL, ROLES, ROLE_LABEL } from "../contract/identity";
import { SKIP_AWAIT } from "./kube";

export interface WorkspaceArgs {
    /** Namespace of the claim. */
    readonly namespace: pulumi.Input<string>;
    /** Capacity as a Kubernetes quantity, e.g. "10Gi". */
    readonly size: string;
    /** The disk, from the target, or a claim from one of the cluster's classes. */
    readonly volume: BackingVolume | ClassClaim;
}

/**
 * The claim is bound to a PV reserved for it, so a storage class would only get in the way: with a
 * WaitForFirstConsumer class, pulumi-kubernetes (4.25) counts the claim ready only while it is Pending,
 * and a claim with a PV reserved for it is Bound at once, so `up` could wait its full 5 minutes (seen in e2e). "" also
 * keeps the cluster's default class (minikube `standard`, k3s `local-path`, both Delete) away.
 */
export const NO_CLASS = "";

/** The claim a static PersistentVolume is reserved for. */
export interface ClaimRef {
    readonly namespace: pulumi.Input<string>;
    readonly name: string;
}

/**
 * Reserves a static PV for exactly one claim: no other claim can bind it, and the PV controller binds
 * that claim to it before any other PV (a PV reserved for a claim is matched first, whatever its class).
 */
export function reservedFor(claim: ClaimRef): Pick<k8s.types.input.core.v1.PersistentVolumeSpec, "claimRef"> {
    return { claimRef: { namespace: claim.namespace, name: claim.name } };
}

/**
 * The spec of the claim a static PV is reserved for. It does not name the PV (no volumeName), on purpose:
 * with both sides naming each other, the PV controller's claim worker and volume worker both set the PV's
 * phase to Bound, the claim worker's write loses with a conflict, and the claim waits for the binder's
 * periodic sync (npm run bench:bind: over 2 s in 16 binds of 20, up to 14.7 s). With the PV's claimRef
 * alone, the volume worker leaves the binding to the claim worker. The selector (the PV's own labels)
 * keeps any PV that is not reserved and not devkube's away, should the reserved PV be missing.
 */
export function reservedClaimSpec(args: {
    readonly accessMode: "ReadWriteOnce" | "ReadWriteMany";
    readonly size: string;
    readonly volumeLabels: Record<string, string>;
}): k8s.types.input.core.v1.PersistentVolumeClaimSpec {
    return {
        accessModes: [args.accessMode],
        storageClassName: NO_CLASS,
        selector: { matchLabels: args.volumeLabels },
        resources: { requests: { storage: args.size } },
    };
}

/**
 * The options of that claim: created once its PV is Available (the PV controller then knows it), and a
 * claim an earlier release made, which named its PV, keeps its spec: a claim's spec cannot change, and a
 * replaced claim could never bind its Retain PV again.
 */
export function reservedClaimOptions(volume: k8s.core.v1.PersistentVolume, parent: pulumi.Resource): pulumi.CustomResourceOptions {
    return { parent, dependsOn: [volume], ignoreChanges: ["spec.volumeName", "spec.selector"] };
}

/** The PersistentVolume spec that points at the backing disk; Retain, so deleting it never deletes the disk. */
export function backingVolumeSpec(args: { readonly size: string; readonly volume: BackingVolume }, claim: ClaimRef): k8s.types.input.core.v1.PersistentVolumeSpec {
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
 * A claim from a storage class, which Pulumi forgets instead of deleting on any destroy (retainOnDelete):
 * a plain `pulumi destroy` and the night's teardown leave it, its volume and the data in the cluster, and
 * the next `up` takes the same claim back (pulumi-kubernetes 4.25 creates with server-side apply, which
 * adopts an object of the same name). Only `npm run delete-everything` deletes it.
 * pulumi-kubernetes 4.25 counts a claim of a WaitForFirstConsumer class (k3s local-path) as ready only
 * while Pending, so any later update of the Bound claim would wait its full 5 minutes (seen with the
 * workspace); the await is skipped, and the Deployment that mounts it still reports a claim that never binds.
 */
export function keptClassClaim(
    name: string,
    args: { readonly namespace: pulumi.Input<string>; readonly claimName: string; readonly size: string; readonly claim: ClassClaim; readonly labels: Record<string, string> },
    parent: pulumi.Resource,
): k8s.core.v1.PersistentVolumeClaim {
    return new k8s.core.v1.PersistentVolumeClaim(
        name,
        {
            metadata: { name: args.claimName, namespace: args.namespace, labels: args.labels, annotations: SKIP_AWAIT },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: args.claim.storageClass, resources: { requests: { storage: args.size } } },
        },
        { parent, retainOnDelete: true },
    );
}

/** Whether the target's workspace is a class's claim rather than a disk behind a static PV. */
export function isClassClaim(volume: BackingVolume | ClassClaim): volume is ClassClaim {
    return !("source" in volume);
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
        const backing = args.volume;
        if (isClassClaim(backing)) {
            const claim = keptClassClaim(
                `${name}-claim`,
                { namespace: args.namespace, claimName: CLAIM_NAMES.workspace, size: args.size, claim: backing, labels: { [ROLE_LABEL]: ROLES.workspace, [PART_OF_LABEL]: PART_OF } },
                this,
            );
            this.claimName = claim.metadata.name;
            this.volumeName = claim.spec.volumeName;
            this.registerOutputs({ claimName: this.claimName, volumeName: this.volumeName });
            return;
        }
        const volumeLabels = { [ROLE_LABEL]: ROLES.workspace, [PART_OF_LABEL]: PART_OF };
        const volume = new k8s.core.v1.PersistentVolume(
            `${name}-volume`,
            {
                metadata: {
                    // No fixed name: Pulumi names it once (stable in state) and anew on every re-create,
                    // so a PV deleted at night and created again at once never meets its old self in
                    // the PV controller's cache (which would leave the claim unbound).
                    labels: volumeLabels,
                    annotations: backing.annotations,
                },
                spec: backingVolumeSpec({ size: args.size, volume: backing }, { namespace: args.namespace, name: CLAIM_NAMES.workspace }),
            },
            { parent: this },
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: CLAIM_NAMES.workspace, namespace: args.namespace },
                spec: reservedClaimSpec({ accessMode: "ReadWriteOnce", size: args.size, volumeLabels }),
            },
            reservedClaimOptions(volume, this),
        );
        this.claimName = claim.metadata.name;
        this.volumeName = volume.metadata.name;
        this.registerOutputs({ claimName: this.claimName, volumeName: this.volumeName });
    }
}
