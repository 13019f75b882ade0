import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClaimRef, NO_CLASS, reservedClaimOptions, reservedClaimSpec, reservedFor } from "./workspace";
import { PART_OF, PART_OF_LABEL, ROLE_LABEL } from "../contract/identity";

/** The claim every workload mounts the share through. */
export const SHARE_CLAIM = "share";

export interface NfsShareArgs {
    readonly namespace: pulumi.Input<string>;
    /** An IP address: the NFS Service's ClusterIP, or an existing server on the LAN. */
    readonly server: pulumi.Input<string>;
    readonly path: string;
    readonly size: string;
    readonly mountOptions: string[];
    /** "share" when devkube serves it; "workspace" when the export itself holds the code (existing export). */
    readonly role: "share" | "workspace";
}

export function sharedVolumeSpec(args: Omit<NfsShareArgs, "namespace" | "role">, claim: ClaimRef): k8s.types.input.core.v1.PersistentVolumeSpec {
    return {
        ...reservedFor(claim),
        capacity: { storage: args.size },
        accessModes: ["ReadWriteMany"],
        // Retain: deleting the PV object never touches the exported files.
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: NO_CLASS,
        // Only a PersistentVolume carries mount options; an inline pod nfs: volume cannot.
        mountOptions: args.mountOptions,
        nfs: { server: args.server, path: args.path },
    };
}

/**
 * The share every workload mounts: a ReadWriteMany PersistentVolume on the NFS server's address and a
 * claim it is reserved for (storageClassName "", so no default class ever provisions something else).
 */
export class NfsShare extends pulumi.ComponentResource {
    public readonly claimName: pulumi.Output<string>;
    public readonly volumeName: pulumi.Output<string>;
    public readonly server: pulumi.Output<string>;

    constructor(name: string, args: NfsShareArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:nfs:NfsShare", name, {}, opts);
        const volumeLabels = { [ROLE_LABEL]: args.role, [PART_OF_LABEL]: PART_OF };
        const volume = new k8s.core.v1.PersistentVolume(
            `${name}-volume`,
            {
                // Named by Pulumi, never reused: see Workspace.
                metadata: { labels: volumeLabels },
                spec: sharedVolumeSpec(args, { namespace: args.namespace, name: SHARE_CLAIM }),
            },
            { parent: this },
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: SHARE_CLAIM, namespace: args.namespace },
                spec: reservedClaimSpec({ accessMode: "ReadWriteMany", size: args.size, volumeLabels }),
            },
            reservedClaimOptions(volume, this),
        );
        this.claimName = claim.metadata.name;
        this.volumeName = volume.metadata.name;
        this.server = volume.spec.nfs.server;
        this.registerOutputs({ claimName: this.claimName, volumeName: this.volumeName, server: this.server });
    }
}
