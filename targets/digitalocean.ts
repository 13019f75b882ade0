import { createHash } from "crypto";
import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, Size } from "../config/common";
import type { Settings } from "../config/schema";
import { AwakeSchedule, isTimeZone, parseSchedule } from "../config/schedule";
import { awakeHoursPerMonth, monthlyCost } from "./cost";
import { Target, TargetModule } from "./target";
import { environmentNeeds } from "../config/needs";
import { ENVIRONMENT_TAG_PREFIX, VOLUME_TAGS, environmentTag, environmentTagOf, newEnvironmentId } from "../contract/identity";

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
    /** What tells this environment's volumes and cluster from another's of the same names; empty: none set. */
    readonly environmentId: string;
}

const DO_SLUG = /^[a-z0-9][a-z0-9-]*$/;
const KUBE_VERSION = /^[0-9]+\.[0-9]+(\.[0-9]+)?(-do\.[0-9]+)?$/;
const NODE_COUNT_RULE = "use a whole number of nodes from 1 to 100";
const SNAPSHOTS_RULE = "use a whole number from 0 (no snapshot before sleep) to 50";
const ENVIRONMENT_ID = /^[a-z0-9]{6,32}$/;

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
    /** The apps with a volume of their own: looked up before they are declared, to be taken back after a destroy. */
    readonly appVolumes: ReadonlyArray<{ readonly name: string; readonly gib: number; readonly sizeKey: string }>;
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

/** A volume of devkube's name in the account, as DigitalOcean reports it (getVolume). */
export interface FoundVolume {
    readonly id: string;
    readonly region: string;
    readonly size: number;
    readonly tags: readonly string[];
    readonly dropletIds: readonly (number | string)[];
}

/** What the program declares for one of its volumes: a new one, or the one it made before, taken back. */
export type VolumeDecision =
    | { readonly kind: "create"; readonly size: number; readonly tags: readonly string[] }
    | { readonly kind: "take-back"; readonly id: string; readonly size: number; readonly tags: readonly string[]; readonly notes: readonly string[] };

/** One volume devkube keeps: its name, its role tag, its environment's tag, the size config asks and the key that asks it. */
export interface KeptVolume {
    readonly name: string;
    readonly tag: string;
    /** environmentTag(devkube:doEnvironmentId); undefined when the stack has none. */
    readonly environmentTag?: string;
    readonly gib: number;
    readonly sizeKey: string;
}

/** The tags devkube gives a volume it makes: what it holds, and whose it is when the stack has an id. */
function keptVolumeTags(role: string, environment: string | undefined): string[] {
    return environment ? [role, environment] : [role];
}

/**
 * Refuses what carries another environment's tag (a volume or the cluster): the same stack name and
 * namespace in another checkout or state backend of the account. Untagged ones (made before devkube tagged
 * them, or by a stack without an id) are no proof either way and are left to the caller's other checks.
 */
function refuseAnotherEnvironment(what: string, tags: readonly string[], ours: string | undefined, remedy: string): void {
    const owner = environmentTagOf(tags);
    if (owner === undefined || owner === ours) {
        return;
    }
    throw new ConfigError([
        `${what} carries ${owner}, ${ours ? `and this stack is ${ours}` : "and this stack has no devkube:doEnvironmentId"}: it is another environment's ` +
            `(the same stack name in another checkout or state backend of the account), and devkube will not take it. ${remedy} ` +
            `If it is this environment's (a new checkout of it), set its id: pulumi config set devkube:doEnvironmentId ${owner.slice(ENVIRONMENT_TAG_PREFIX.length)} ` +
            "(where CI runs the stack, commit Pulumi.<stack>.yaml with it)",
    ]);
}

/**
 * Whether a kept volume is created, or taken back after a destroy forgot it (retainOnDelete). A volume
 * is taken back only by the name devkube gives it (stack and namespace: unique in a region), only with
 * devkube's role tag and never with another environment's tag; one attached to a droplet outside this
 * stack's cluster is another environment's too, and is refused. Taking back is an import, whose inputs must
 * match the volume: a detached volume keeps its size and tags this once and gets config's on the next `up`.
 * Throws a ConfigError (nothing changes) where devkube must not go on.
 */
export function volumeDecision(volume: KeptVolume, region: string, found: FoundVolume | undefined, clusterDroplets: readonly string[]): VolumeDecision {
    const ours = keptVolumeTags(volume.tag, volume.environmentTag);
    if (!found && !volume.environmentTag) {
        // Untagged, a new volume could be taken by the next up of any checkout with the same stack name.
        throw new ConfigError([
            `devkube:doEnvironmentId: not set; the new DigitalOcean volume ${volume.name} must carry this environment's id, so that no other checkout ` +
                `or state backend with the same stack name ever takes it: npm run up on your machine sets one, or: pulumi config set devkube:doEnvironmentId ${newEnvironmentId()} ` +
                "(where CI runs the stack, commit Pulumi.<stack>.yaml with it)",
        ]);
    }
    if (!found) {
        return { kind: "create", size: volume.gib, tags: ours };
    }
    const where = `DigitalOcean volume ${volume.name} (${found.id}) in ${found.region}`;
    if (!found.tags.includes(volume.tag)) {
        throw new ConfigError([
            `${where} exists but has no tag ${volume.tag}: devkube takes back only volumes it made. ` +
                "Rename or delete that volume (it is not devkube's), or choose another devkube:namespace.",
        ]);
    }
    refuseAnotherEnvironment(where, found.tags, volume.environmentTag, "Give this stack another name or devkube:namespace.");
    if (found.region !== region) {
        // Declared in the new region, a new empty volume would take the stack's name there and leave the data behind.
        throw new ConfigError([
            `devkube:doRegion: got ${JSON.stringify(region)}; ${where} holds this stack's data and a volume cannot move regions: ` +
                `set doRegion back to ${found.region}, or snapshot the volume, copy the snapshot to ${region} and start a new stack from it (devkube:doVolumeSnapshotId)`,
        ]);
    }
    const foreign = found.dropletIds.map(String).filter((id) => !clusterDroplets.includes(id));
    if (foreign.length > 0) {
        throw new ConfigError([
            `${where} is attached to droplet ${foreign.join(", ")}, which is not a node of this stack's cluster: another environment ` +
                "(the same stack name in another checkout or state backend?) is using it, and devkube will not take it from there. " +
                "Give this stack another name or devkube:namespace, or stop the other environment (npm run sleep there) first.",
        ]);
    }
    if (volume.gib < found.size) {
        throw new ConfigError([
            `${volume.sizeKey}: got "${volume.gib}Gi"; ${where} is ${found.size} GiB and DigitalOcean volumes cannot shrink; set ${found.size}Gi or more`,
        ]);
    }
    if (found.dropletIds.length > 0) {
        // Attached to this stack's cluster: in the state already, so an update grows and tags it.
        return { kind: "take-back", id: found.id, size: volume.gib, tags: [...new Set([...found.tags, ...ours])], notes: [] };
    }
    // An import: the declared inputs must be the volume's own, so it is taken back as it is this once.
    const notes: string[] = [];
    if (volume.gib > found.size) {
        notes.push(`${where} is taken back at ${found.size} GiB; it grows to ${volume.gib} GiB (${volume.sizeKey}) on the next up`);
    }
    if (volume.environmentTag && !found.tags.includes(volume.environmentTag)) {
        notes.push(
            `${where} has no environment tag (made before devkube tagged volumes, or by this stack before it had devkube:doEnvironmentId): ` +
                `taken back by its name and role tag; it gets ${volume.environmentTag} on the next up that finds it attached`,
        );
    }
    return { kind: "take-back", id: found.id, size: Math.min(volume.gib, found.size), tags: found.tags, notes };
}

/**
 * Refuses a new workspace volume for an environment whose tag counts volumes this config does not name
 * (`unnamed`: the tag's count less the app volumes found by their names): its code is most likely on one
 * of them, so devkube:namespace (or the stack's name) changed since; a DigitalOcean volume cannot be
 * renamed, and a new, empty workspace would look like lost code.
 */
export function newWorkspaceProblem(volume: KeptVolume, namespace: string, unnamed: number): string | undefined {
    if (!volume.environmentTag || unnamed <= 0) {
        return undefined;
    }
    return (
        `devkube:namespace: got ${JSON.stringify(namespace)}; there is no workspace volume ${volume.name}, but this environment (${volume.environmentTag}) ` +
        `has ${unnamed} DigitalOcean volume(s) this config does not name. If the namespace (or the stack's name) changed since a sleep, your code is on ` +
        "one of them: set it back (a DigitalOcean volume cannot be renamed, and devkube would start on a new, empty one). If they are the volumes of apps " +
        "removed from devkube:apps (every destroy keeps them), delete them in the DigitalOcean console first. To start over on an empty workspace, use a new stack name."
    );
}

/** A cluster of devkube's name in the account, as DigitalOcean reports it (getKubernetesCluster). */
export interface FoundCluster {
    readonly droplets: readonly string[];
    readonly tags: readonly string[];
}

/**
 * The droplets of this stack's cluster (none before its first up or after a destroy), which its volumes may
 * be attached to. A cluster of the same name with another environment's tag is refused: cluster names are
 * unique in an account, and its droplets must never count as this stack's.
 */
export function ownClusterDroplets(name: string, found: FoundCluster | undefined, environment: string | undefined): readonly string[] {
    if (!found) {
        return [];
    }
    refuseAnotherEnvironment(`DigitalOcean cluster ${name}`, found.tags, environment, "Cluster names are unique in an account: give this stack another name.");
    return found.droplets;
}

/** The account's volume of that name in any region, or undefined (DigitalOcean's "no volumes found"). */
async function findVolume(name: string, provider: digitalocean.Provider): Promise<FoundVolume | undefined> {
    try {
        const found = await digitalocean.getVolume({ name }, { provider });
        return { id: found.id, region: found.region ?? "", size: found.size, tags: found.tags ?? [], dropletIds: found.dropletIds ?? [] };
    } catch (error) {
        if (/no volumes found with name/.test(String(error))) {
            return undefined;
        }
        throw error;
    }
}

/** How many volumes carry the tag (0 when the tag does not exist yet: a new environment). */
async function volumesTagged(tag: string, provider: digitalocean.Provider): Promise<number> {
    try {
        return (await digitalocean.getTag({ name: tag }, { provider })).volumesCount;
    } catch (error) {
        if (/tag not found/i.test(String(error))) {
            return 0;
        }
        throw error;
    }
}

/** The account's cluster of that name, or undefined (no such cluster: before the first up, after a destroy). */
async function findCluster(name: string, provider: digitalocean.Provider): Promise<FoundCluster | undefined> {
    try {
        const cluster = await digitalocean.getKubernetesCluster({ name }, { provider });
        return { droplets: cluster.nodePools.flatMap((pool) => pool.nodes.map((node) => String(node.dropletId))), tags: cluster.tags ?? [] };
    } catch (error) {
        if (/Unable to find cluster with name|No clusters found/.test(String(error))) {
            return undefined;
        }
        throw error;
    }
}

/**
 * Inputs DigitalOcean sets only at creation and never reports back (initialFilesystemType) or that a
 * person may edit in the console: an import compares them with the volume, and a change to one would
 * replace the volume, which must never happen to data.
 */
const KEPT_VOLUME_IGNORES = ["initialFilesystemType", "snapshotId", "description"];

/** Resource options of a kept volume: forgotten, never deleted, by every destroy; taken back by its id. */
function keptVolumeOptions(decision: VolumeDecision, inside: pulumi.CustomResourceOptions, provider: digitalocean.Provider): pulumi.CustomResourceOptions {
    if (decision.kind === "take-back") {
        decision.notes.forEach((note) => pulumi.log.warn(note));
    }
    return {
        ...inside,
        provider,
        retainOnDelete: true,
        ignoreChanges: KEPT_VOLUME_IGNORES,
        import: decision.kind === "take-back" ? decision.id : undefined,
    };
}

/**
 * DigitalOcean Kubernetes. The workspace (and each app's own data) is a DigitalOcean Volume that every
 * destroy forgets instead of deleting (retainOnDelete) and that depends on nothing of the cluster, so a
 * plain `pulumi destroy` removes the cluster (and the bill) and keeps the data; the next `pulumi up`
 * finds the volume by its name and tag, takes it back (import) and attaches it to a new cluster.
 */
export async function digitalOceanTarget(inputs: DigitalOceanInputs): Promise<Target> {
    const { settings, token } = inputs;
    const { inside } = inputs;
    const environment = settings.environmentId ? environmentTag(settings.environmentId) : undefined;
    if (!environment) {
        // A stack of the release before ids: its volumes exist (a new one is refused in volumeDecision).
        pulumi.log.warn(
            "devkube:doEnvironmentId is not set: this stack's volumes and cluster carry no id of their own, and a destroy's next up takes back " +
                "untagged volumes by their name alone (a teammate's of the same stack name and namespace in this account too). " +
                `npm run up on your machine sets one; or: pulumi config set devkube:doEnvironmentId ${newEnvironmentId()} (where CI runs the stack, commit Pulumi.<stack>.yaml with it)`,
        );
    }
    const doProvider = new digitalocean.Provider("digitalocean", { token }, inside);
    // What the account holds, decided before the first cloud resource is declared: a refusal then changes
    // nothing even under `pulumi up --skip-preview`.
    const name = volumeName(inputs.stack, inputs.namespace);
    const clusterName = `devkube-${inputs.stack}`;
    const foundCluster = await findCluster(clusterName, doProvider);
    const droplets = ownClusterDroplets(clusterName, foundCluster, environment);
    let namedAndOurs = 0;
    const decide = async (volume: KeptVolume) => {
        const found = await findVolume(volume.name, doProvider);
        namedAndOurs += found && environment && found.tags.includes(environment) ? 1 : 0;
        return volumeDecision(volume, settings.region, found, droplets);
    };
    const keptWorkspace: KeptVolume = { name, tag: VOLUME_TAGS.workspace, environmentTag: environment, gib: inputs.size.gib, sizeKey: "devkube:workspaceSize" };
    const workspace = await decide(keptWorkspace);
    const appDecisions = new Map<string, VolumeDecision>();
    for (const app of inputs.appVolumes) {
        const kept = { name: volumeName(inputs.stack, inputs.namespace, app.name), tag: VOLUME_TAGS.appData, environmentTag: environment, gib: app.gib, sizeKey: app.sizeKey };
        appDecisions.set(app.name, await decide(kept));
    }
    if (workspace.kind === "create" && environment) {
        const problem = newWorkspaceProblem(keptWorkspace, inputs.namespace, (await volumesTagged(environment, doProvider)) - namedAndOurs);
        if (problem) {
            throw new ConfigError([problem]);
        }
    }
    const version =
        settings.kubernetesVersion !== "" && /-do\.[0-9]+$/.test(settings.kubernetesVersion)
            ? pulumi.output(settings.kubernetesVersion)
            : digitalocean
                  .getKubernetesVersionsOutput({ versionPrefix: settings.kubernetesVersion || undefined }, { provider: doProvider })
                  .latestVersion;
    const cluster = new digitalocean.KubernetesCluster(
        "cluster",
        {
            name: clusterName,
            region: settings.region,
            // Tags set in the console stay (DOKS's own k8s tags are not read back, so never removed).
            tags: environment ? [...new Set([...(foundCluster?.tags ?? []), environment])] : undefined,
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
    // Deliberately built from config values only: nothing of the cluster may become its dependency,
    // or a destroy would have to wait for (and an import would need) the cluster.
    const volume = new digitalocean.Volume(
        "workspace-volume",
        {
            name,
            region: settings.region,
            size: workspace.size,
            // A snapshot brings its own filesystem; a new volume gets ext4.
            snapshotId: settings.volumeSnapshotId || undefined,
            initialFilesystemType: settings.volumeSnapshotId ? undefined : "ext4",
            description: "devkube workspace: your code. Kept by every destroy; the next up takes it back.",
            tags: [...workspace.tags],
        },
        keptVolumeOptions(workspace, inside, doProvider),
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
        workspaceLocation: pulumi.interpolate`DigitalOcean volume ${volume.name} (id ${volume.id}, ${settings.region}), kept by every destroy`,
        appData: (appName, size) => {
            // Like the workspace volume: kept by every destroy, taken back by the next up, built from config values only.
            const decision = appDecisions.get(appName) ?? { kind: "create", size: size.gib, tags: keptVolumeTags(VOLUME_TAGS.appData, environment) };
            const appVolume = new digitalocean.Volume(
                `app-${appName}-volume`,
                {
                    name: volumeName(inputs.stack, inputs.namespace, appName),
                    region: settings.region,
                    size: decision.size,
                    initialFilesystemType: "ext4",
                    description: `devkube app ${appName}: its own data. Kept by every destroy; the next up takes it back.`,
                    tags: [...decision.tags],
                },
                keptVolumeOptions(decision, inside, doProvider),
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
    doEnvironmentId: z
        .string()
        .refine((id) => id === "" || ENVIRONMENT_ID.test(id), "use 6 to 32 lowercase letters and digits (npm run up sets a new one when it is empty)")
        .default("")
        .meta({
            description:
                "DigitalOcean - this environment's own id, tagged on its volumes and cluster so that no other checkout or state backend with the same stack name takes them; npm run up sets one the first time.",
        }),
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
        const { doSnapshotsToKeep: snapshotsToKeep, doVolumeSnapshotId: volumeSnapshotId, doEnvironmentId: environmentId } = values;
        return { kind: "digitalocean", region, nodeSize, nodeCount, kubernetesVersion, awakeSchedule, timeZone, snapshotsToKeep, volumeSnapshotId, environmentId };
    },

    keptData: ({ region, environmentId }, { stack, namespace, apps }) => {
        const tagged = environmentId ? { environmentTag: environmentTag(environmentId) } : {};
        return [
            { kind: "cloud-volume", name: volumeName(stack, namespace), region, ...tagged },
            ...apps.map((app) => ({ kind: "cloud-volume" as const, name: volumeName(stack, namespace, app), region, ...tagged, app })),
        ];
    },

    appVolumeProblems(volume, field) {
        if (volume.storageClass) {
            return [
                `${field}.storageClass: got ${JSON.stringify(volume.storageClass)}; the digitalocean target deletes the cluster every night, ` +
                    "and a claim from a storage class would lose its data with it; leave storageClass out and devkube keeps the data on a DigitalOcean volume that every destroy keeps",
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
            appVolumes: config.apps.flatMap((app, index) =>
                app.volume ? [{ name: app.name, gib: app.volume.size.gib, sizeKey: `devkube:apps[${index}] (${app.name}).volume.size` }] : [],
            ),
            inside: context.inside,
        });
    },
};
