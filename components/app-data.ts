import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DataSource } from "./storage";
import { backingVolumeSpec, keptClassClaim, reservedClaimOptions, reservedClaimSpec } from "./workspace";
import { CLAIM_NAMES, NAME_LABEL, PART_OF, PART_OF_LABEL, ROLES, ROLE_LABEL } from "../contract/identity";

export interface AppDataArgs {
    readonly namespace: pulumi.Input<string>;
    readonly appName: string;
    /** Capacity as a Kubernetes quantity, e.g. "5Gi". */
    readonly size: string;
    /** The target's disk for it (static, kept like the workspace), or a claim from a storage class of the cluster. */
    readonly source: DataSource;
}

/**
 * An app's own claim for single-writer data (a database), never on the NFS share. Either a static
 * PV on Retain over a disk the target keeps (the workspace's pattern: the claim is deleted at night and
 * bound again to the same disk in the morning), or a claim from a named storage class that every destroy
 * leaves in the cluster (retainOnDelete), with the data, and the next `up` takes back.
 */
export class AppData extends pulumi.ComponentResource {
    public readonly claimName: pulumi.Output<string>;

    constructor(name: string, args: AppDataArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:storage:AppData", name, {}, opts);
        const labels = { [NAME_LABEL]: args.appName, [PART_OF_LABEL]: PART_OF };
        const claimName = CLAIM_NAMES.appData(args.appName);
        let claim: k8s.core.v1.PersistentVolumeClaim;
        if ("disk" in args.source) {
            const volumeLabels = { ...labels, [ROLE_LABEL]: ROLES.appData };
            const volume = new k8s.core.v1.PersistentVolume(
                `${name}-volume`,
                {
                    metadata: { labels: volumeLabels, annotations: args.source.disk.annotations },
                    spec: backingVolumeSpec({ size: args.size, volume: args.source.disk }, { namespace: args.namespace, name: claimName }),
                },
                { parent: this },
            );
            claim = new k8s.core.v1.PersistentVolumeClaim(
                `${name}-claim`,
                {
                    metadata: { name: claimName, namespace: args.namespace, labels },
                    spec: reservedClaimSpec({ accessMode: "ReadWriteOnce", size: args.size, volumeLabels }),
                },
                reservedClaimOptions(volume, this),
            );
        } else {
            claim = keptClassClaim(`${name}-claim`, { namespace: args.namespace, claimName, size: args.size, claim: args.source.claim, labels: { ...labels, [ROLE_LABEL]: ROLES.appData } }, this);
        }
        this.claimName = claim.metadata.name;
        this.registerOutputs({ claimName: this.claimName });
    }
}
