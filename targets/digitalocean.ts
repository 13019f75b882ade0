import { createHash } from "crypto";
import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Size } from "../config/common";
import type { Settings } from "../config/schema";
import { AwakeSchedule, isTimeZone, parseSchedule } from "../config/schedule";
import { awakeHoursPerMonth, monthlyCost } from "./cost";
import { Target, TargetModule } from "./target";
import { environmentNeeds } from "../config/needs";
import { VOLUME_TAGS } from "../contract/identity";

export interface DigitalOceanSettings {
    readonly kind: "digitalocean";
    readonly region: string;
    readonly nodeSize: string;
    readonly nodeCount: number;
    /** Empty means "the latest DOKS version". */
    readonly kubernetesVersion: string;
    /** When the cluster is awake, for the cost figures and the scheduled workflow. */
    readonly awakeSchedule: AwakeSchedule;
    /** The IANA time zone awakeSchedule is in. */
    readonly timeZone: string;
    /** Snapshots `npm run sleep` keeps (0: none). */
    readonly snapshotsToKeep: number;
    /** Create the workspace volume from this snapshot (only when the volume does not exist yet). */
    readonly volumeSnapshotId: string;
}

const DO_SLUG = /^[a-z0-9][a-z0-9-]*$/;
const KUBE_VERSION = /^[0-9]+\.[0-9]+(\.[0-9]+)?(-do\.[0-9]+)?$/;
const NODE_COUNT_RULE = "use a whole number of nodes from 1 to 100";
const SNAPSHOTS_RULE = "use a whole number from 0 (no snapshot before sleep) to 50";

export const DO_CSI_DRIVER = "dobs.csi.digitalocean.com";

export interface DigitalOceanInputs {
    readonly settings: DigitalOceanSettings;
    readonly size: Size;
    readonly stack: string;
    readonly namespace: string;
    /** The DigitalOcean API token, a Pulumi secret. */
    readonly token: pulumi.Output<string>;
    /** How many load balancers the environment asks for (the web server's Service), for the cost. */
    readonly loadBalancers: number;
    /** GiB of the apps' own volumes, for the cost. */
    readonly appVolumeGib: number;
    /** Options every resource takes (its parent). */
    readonly inside: pulumi.CustomResourceOptions;
}

/** Volume names: lowercase, letters, digits and dashes, unique per region, at most 64 characters. */
export function volumeName(stack: string, namespace: string, appName?: string): string {
    const name = `devkube-${stack}-${namespace}${appName ? `-${appName}` : ""}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    if (appName && name.length > 64) {
        // Cut, an app's volume could take the workspace's name or another app's: keep it unique.
        const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
        return `${name.slice(0, 55).replace(/-+$/, "")}-${hash}`;
    }
    return name.slice(0, 64).replace(/-+$/, "");
}

/**
 * A kubeconfig that authenticates with the DigitalOcean API token as bearer token. The kubeconfig
 * DigitalOcean hands out carries a token that expires after 7 days (pulumi-digitalocean#77, #312);
 * this one keeps working for as long as the API token does.
 */
export function doksKubeconfig(name: string, endpoint: string, caCertificate: string, token: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": caCertificate } }],
        users: [{ name: `${name}-token`, user: { token } }],
        contexts: [{ name, context: { cluster: name, user: `${name}-token` } }],
        "current-context": name,
    });
}

/**
 * DigitalOcean Kubernetes. The workspace is a DigitalOcean Volume that is `protect`ed and depends on
 * nothing of the cluster, so `pulumi destroy --exclude-protected` removes the cluster (and the bill) and
 * keeps the volume; the next `pulumi up` builds a new cluster and attaches the same volume by its id.
 */
export function digitalOceanTarget(inputs: DigitalOceanInputs): Target {
    const { settings, token } = inputs;
    const { inside } = inputs;
    const doProvider = new digitalocean.Provider("digitalocean", { token }, inside);
    const version =
        settings.kubernetesVersion !== "" && /-do\.[0-9]+$/.test(settings.kubernetesVersion)
            ? pulumi.output(settings.kubernetesVersion)
            : digitalocean
                  .getKubernetesVersionsOutput({ versionPrefix: settings.kubernetesVersion || undefined }, { provider: doProvider })
                  .latestVersion;
    const cluster = new digitalocean.KubernetesCluster(
        "cluster",
        {
            name: `devkube-${inputs.stack}`,
            region: settings.region,
            version,
            nodePool: { name: "default", size: settings.nodeSize, nodeCount: settings.nodeCount },
            // Never let a cluster deletion take volumes with it.
            destroyAllAssociatedResources: false,
        },
        {
            ...inside,
            provider: doProvider,
            // "Latest" moves: without a pinned version, a new DOKS release would turn every daytime `up`
            // into a cluster upgrade. The nightly rebuild picks up the latest version anyway.
            ignoreChanges: settings.kubernetesVersion === "" ? ["version"] : [],
            // A new node size (or region, or stack name) replaces the cluster. Created first, the new
            // cluster's NFS pod could not attach the volume still attached to the old droplets, the `up`
            // would time out and two clusters would bill; deleted first, the workloads go with the old
            // cluster, the volume detaches, and the new cluster attaches it.
            deleteBeforeReplace: true,
        },
    );
    const name = volumeName(inputs.stack, inputs.namespace);
    // Deliberately built from config values only: nothing of the cluster may become its dependency,
    // or --exclude-protected would have to keep the cluster too.
    const volume = new digitalocean.Volume(
        "workspace-volume",
        {
            name,
            region: settings.region,
            size: inputs.size.gib,
            // A snapshot brings its own filesystem; a new volume gets ext4.
            snapshotId: settings.volumeSnapshotId || undefined,
            initialFilesystemType: settings.volumeSnapshotId ? undefined : "ext4",
            description: "devkube workspace: your code. Protected; survives the nightly teardown.",
            tags: [VOLUME_TAGS.workspace],
        },
        { ...inside, provider: doProvider, protect: true },
    );
    const kubeconfig = pulumi.secret(
        pulumi
            .all([cluster.name, cluster.endpoint, cluster.kubeConfigs, token])
            .apply(([clusterName, endpoint, configs, apiToken]) =>
                doksKubeconfig(clusterName, endpoint, configs[0]?.clusterCaCertificate ?? "", apiToken),
            ),
    );
    const provider = new k8s.Provider("doks", { kubeconfig }, inside);
    // Prices from DigitalOcean itself, for the size this stack runs.
    const sizes = digitalocean.getSizesOutput({ filters: [{ key: "slug", values: [settings.nodeSize] }] }, { provider: doProvider }).sizes;
    const cost = sizes.apply((found) => {
        const size = found.find((s) => s.slug === settings.nodeSize);
        if (!size) {
            throw new Error(`devkube:doNodeSize: got ${JSON.stringify(settings.nodeSize)}; DigitalOcean offers no droplet size with that slug`);
        }
        return {
            schedule: settings.awakeSchedule.text,
            timeZone: settings.timeZone,
            ...monthlyCost({
                pools: [{ count: settings.nodeCount, priceHourly: size.priceHourly }],
                awakeHours: awakeHoursPerMonth(settings.awakeSchedule),
                volumeGib: inputs.size.gib,
                appVolumeGib: inputs.appVolumeGib,
                loadBalancers: inputs.loadBalancers,
                snapshots: settings.snapshotsToKeep,
                nightlyTeardown: settings.awakeSchedule.text !== "always",
            }),
        };
    });
    return {
        provider,
        storage: {
            kind: "in-cluster",
            volume: {
                source: { csi: { driver: DO_CSI_DRIVER, fsType: "ext4", volumeHandle: volume.id } },
                annotations: { "pv.kubernetes.io/provisioned-by": DO_CSI_DRIVER },
                description: pulumi.interpolate`DigitalOcean volume ${volume.name} (${volume.id})`,
            },
        },
        nodeAddress: "<a node's public IP>",
        workspaceLocation: pulumi.interpolate`DigitalOcean volume ${volume.name} (id ${volume.id}, ${settings.region}), protected`,
        appData: (appName, size) => {
            // Like the workspace volume: protected, and built from config values only.
            const appVolume = new digitalocean.Volume(
                `app-${appName}-volume`,
                {
                    name: volumeName(inputs.stack, inputs.namespace, appName),
                    region: settings.region,
                    size: size.gib,
                    initialFilesystemType: "ext4",
                    description: `devkube app ${appName}: its own data. Protected; survives the nightly teardown.`,
                    tags: [VOLUME_TAGS.appData],
                },
                { ...inside, provider: doProvider, protect: true },
            );
            return {
                disk: {
                    source: { csi: { driver: DO_CSI_DRIVER, fsType: "ext4", volumeHandle: appVolume.id } },
                    annotations: { "pv.kubernetes.io/provisioned-by": DO_CSI_DRIVER },
                    description: pulumi.interpolate`DigitalOcean volume ${appVolume.name} (${appVolume.id})`,
                },
            };
        },
        outputs: { kubeconfig, workspaceVolumeId: volume.id, costMonthly: cost },
    };
}

/** DigitalOcean Kubernetes: its settings (doRegion, doNodeSize, ...), their rules and the cloud resources. */
const DIGITALOCEAN_SETTINGS = {
    doRegion: z
        .string()
        .regex(DO_SLUG, "use a DigitalOcean region slug, e.g. fra1, nyc3, sgp1")
        .default("fra1")
        .meta({ description: "DigitalOcean region slug of the cluster and the volume." }),
    doNodeSize: z
        .string()
        .regex(DO_SLUG, "use a DigitalOcean droplet size slug, e.g. s-2vcpu-4gb")
        .default("s-2vcpu-4gb")
        .meta({ description: "DigitalOcean droplet size slug of the worker nodes." }),
    doNodeCount: z
        .int(NODE_COUNT_RULE)
        .min(1, NODE_COUNT_RULE)
        .max(100, NODE_COUNT_RULE)
        .default(2)
        .meta({ description: "Number of worker nodes (at least 1)." }),
    doKubernetesVersion: z
        .string()
        .refine((version) => version === "" || KUBE_VERSION.test(version), "use a DOKS version prefix such as 1.33 or 1.33.1-do.0, or leave empty for the latest")
        .default("")
        .meta({ description: "DOKS version or prefix (e.g. 1.33); empty means the latest." }),
    awakeSchedule: z
        .string()
        .refine((text) => parseSchedule(text) !== undefined, 'use days and hours like "mon-fri 08:00-19:00" or "mon,wed,fri 09:00-17:30" (24 h clock), or "always"')
        .default("mon-fri 08:00-19:00")
        .meta({ description: 'When the DigitalOcean cluster is awake (npm run wake / sleep), for the costMonthly output - e.g. "mon-fri 08:00-19:00", or "always".' }),
    timeZone: z
        .string()
        .refine(isTimeZone, "use an IANA time zone such as Europe/Berlin or America/New_York (the default is Etc/UTC)")
        .default("Etc/UTC")
        .meta({
            description:
                "The IANA time zone awakeSchedule is in (e.g. Europe/Berlin); the scheduled workflow's cron lines must use it too (scripts/schedule.ts checks).",
        }),
    doSnapshotsToKeep: z
        .int(SNAPSHOTS_RULE)
        .min(0, SNAPSHOTS_RULE)
        .max(50, SNAPSHOTS_RULE)
        .default(0)
        .meta({ description: "DigitalOcean - `npm run sleep` snapshots the workspace volume first and keeps this many devkube snapshots (0 = no snapshot)." }),
    doVolumeSnapshotId: z
        .string()
        .refine(
            (id) => id === "" || /^[0-9a-f][0-9a-f-]{5,63}$/.test(id),
            "use a volume snapshot id as DigitalOcean lists it (e.g. 8fa70202-873f-11e6-8b68-000f533176b1), or leave empty",
        )
        .default("")
        .meta({ description: "DigitalOcean - create the workspace volume from this volume snapshot (only when the volume does not exist yet, e.g. a new stack)." }),
} as const satisfies Settings;

export const digitalOcean: TargetModule<DigitalOceanSettings, typeof DIGITALOCEAN_SETTINGS> = {
    name: "digitalocean",
    settings: DIGITALOCEAN_SETTINGS,
    // Private in the cloud: a LoadBalancer only when the stack asks.
    defaultWebServiceType: "ClusterIP",

    parse(values, read): DigitalOceanSettings {
        if (!read.hasDigitalOceanToken) {
            read.report(
                "digitalocean:token: not set; the digitalocean target needs an API token: " +
                    "pulumi config set --secret digitalocean:token <token> (or export DIGITALOCEAN_TOKEN)",
            );
        }
        const { doRegion: region, doNodeSize: nodeSize, doNodeCount: nodeCount, doKubernetesVersion: kubernetesVersion, timeZone } = values;
        const awakeSchedule = parseSchedule(values.awakeSchedule) ?? { text: values.awakeSchedule, days: [], startMinute: 0, endMinute: 0 };
        const { doSnapshotsToKeep: snapshotsToKeep, doVolumeSnapshotId: volumeSnapshotId } = values;
        return { kind: "digitalocean", region, nodeSize, nodeCount, kubernetesVersion, awakeSchedule, timeZone, snapshotsToKeep, volumeSnapshotId };
    },

    appVolumeProblems(volume, field) {
        if (volume.storageClass) {
            return [
                `${field}.storageClass: got ${JSON.stringify(volume.storageClass)}; the digitalocean target deletes the cluster every night, ` +
                    "and a claim from a storage class would lose its data with it; leave storageClass out and devkube keeps the data on a protected DigitalOcean volume",
            ];
        }
        return [];
    },

    create(settings, context) {
        const { config } = context;
        const needs = environmentNeeds(config.webServiceType, config.apps);
        return digitalOceanTarget({
            settings,
            size: config.workspaceSize,
            stack: context.stack,
            namespace: config.namespace,
            token: context.digitalOceanToken(),
            loadBalancers: needs.loadBalancers,
            appVolumeGib: needs.appVolumeGib,
            inside: context.inside,
        });
    },
};
