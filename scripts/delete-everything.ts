// npm run delete-everything -- <stack> [--confirm <stack>]
// The one way to delete a stack's data: lists everything devkube made for the stack (the cluster and
// what runs in it, the volumes that hold the code and the apps' data, the snapshots that sleeps took),
// asks for the stack's name, then removes all of it. `sleep` and a plain destroy never delete data.
import * as readline from "readline";
import {
    NightError,
    ROOT,
    StateResource,
    checkStack,
    destroyReachingWhatIsLeft,
    digitalOceanToken,
    fail,
    isAppVolume,
    nameOf,
    printDropped,
    realResources,
    volumeSource,
} from "./night";
import { EngineUnavailable, StackEngine, automationEngine } from "./engine";
import { chooseCli } from "./pulumi-cli";
import { AccountVolume, Fetch, Snapshot, deleteSnapshot, deleteVolume, sleepSnapshots, volumeNamed, volumesWithTag } from "./snapshots";
import { NAME_LABEL, ROLES, ROLE_LABEL, TYPES, VOLUME_TAGS, environmentTagOf, hasVolumeRole } from "../contract/identity";
import type { KeptData } from "../config/target-config";
import { keptData } from "../targets";
import { checkedConfig } from "./stack-config";

export interface DeletionPlan {
    /** Billed resources outside the cluster (DigitalOcean), with what each holds. */
    readonly cloud: string[];
    /** Kubernetes objects in the state. */
    readonly clusterObjects: number;
    /** Snapshots that sleeps of this stack took, found through the state's volumes. */
    readonly snapshots: Snapshot[];
    /** Files on a node's disk that deleting their PersistentVolume leaves (Retain): not billed, removed by hand. */
    readonly onDisk: string[];
    /** DigitalOcean volumes a destroy left (retainOnDelete), no longer in the state: deleted through the API. */
    readonly leftVolumes: LeftVolume[];
    /** Volumes of this stack's names that carry another environment's tag: said, never deleted. */
    readonly othersVolumes: string[];
}

/** A volume of the stack no longer in its state; `unnamed` when found by the environment's tag alone, under a name the config no longer gives. */
export type LeftVolume = AccountVolume & { readonly unnamed?: boolean };

/** What deleting a stack removes, from its state, the volumes a destroy left and their snapshots. */
export function planDeletion(resources: StateResource[], snapshots: Snapshot[], leftVolumes: LeftVolume[] = [], kept: KeptData[] = [], othersVolumes: string[] = []): DeletionPlan {
    const real = realResources(resources);
    const cloud: string[] = leftVolumes.map(
        (v) =>
            `DigitalOcean volume ${v.name} (id ${v.id}, ${v.size_gigabytes} GiB): ${v.tags.includes(VOLUME_TAGS.appData) ? "an app's own data" : "your code"} ` +
            (v.unnamed
                ? "(this environment's, under a name the config no longer gives: an app removed from devkube:apps, or an earlier namespace; not in the state)"
                : "(left by a destroy; not in the state)"),
    );
    const onDisk: string[] = [];
    for (const r of real) {
        const o = r.outputs ?? {};
        if (r.type === TYPES.doVolume) {
            cloud.push(`DigitalOcean volume ${o.name ?? nameOf(r.urn)} (id ${o.id ?? "?"}, ${o.size ?? "?"} GiB): ${isAppVolume(r) ? "an app's own data" : "your code"}`);
        } else if (r.type.startsWith("digitalocean:")) {
            cloud.push(`DigitalOcean ${r.type.split(":").pop()} ${o.name ?? nameOf(r.urn)}`);
        }
        const pv = r.type === TYPES.persistentVolume ? (r.outputs ?? r.inputs) : undefined;
        if (pv && !pv.spec?.csi && !pv.spec?.nfs) {
            const role = pv.metadata?.labels?.[ROLE_LABEL];
            onDisk.push(`${volumeSource(pv.spec ?? {})}${role === ROLES.appData ? ` (app ${pv.metadata?.labels?.[NAME_LABEL] ?? "?"}'s data)` : role === ROLES.workspace ? " (your code)" : ""}`);
        }
    }
    // After a destroy the state has no PersistentVolume left: the config says where their files are.
    for (const disk of kept) {
        if (disk.kind === "disk" && !onDisk.some((d) => d.startsWith(`${disk.where} (`))) {
            onDisk.push(`${disk.where} (${whose(disk)})`);
        }
    }
    return { cloud, clusterObjects: real.filter((r) => r.type.startsWith("kubernetes:")).length, snapshots, onDisk, leftVolumes, othersVolumes };
}

/** Whose data a kept place holds, for people: "your code", "app db's data". */
function whose(kept: KeptData): string {
    return kept.app === undefined ? "your code" : `app ${kept.app}'s data`;
}

/**
 * Where a destroy left the stack's data, as its target says from the stack's config (read once, and
 * checked as `up` checks it: a config that does not parse cannot say where the data is).
 */
async function dataLeftByDestroy(name: string, engine: StackEngine): Promise<KeptData[]> {
    return keptData(await checkedConfig(name, engine, "says where its data is"), name);
}

/** The claims from a storage class a destroy left in the cluster (retainOnDelete), for people. */
function claimsIn(kept: KeptData[]): { namespace: string; claims: string[] } | undefined {
    const claims = kept.flatMap((k) => (k.kind === "claim" ? [k] : []));
    return claims.length === 0 ? undefined : { namespace: claims[0].namespace, claims: claims.map((c) => `${whose(c)} (claim ${c.name})`) };
}

/**
 * The stack's volumes that are in the account but not in its state (devkube-tagged only: never another's),
 * and those of its names that carry another environment's tag, to be said and left alone.
 */
async function volumesLeftByDestroy(kept: KeptData[], resources: StateResource[], fetch: Fetch, token: string): Promise<{ left: LeftVolume[]; others: string[] }> {
    const inState = new Set(resources.filter((r) => r.type === TYPES.doVolume).map((r) => r.outputs?.id));
    const left: LeftVolume[] = [];
    const others: string[] = [];
    for (const volume of kept) {
        if (volume.kind !== "cloud-volume") {
            continue;
        }
        const found = await volumeNamed(fetch, token, volume.name, volume.region);
        if (!found || inState.has(found.id)) {
            continue;
        }
        const devkubes = hasVolumeRole(found.tags);
        // Another checkout's or state backend's volume of the same name is theirs to delete.
        const owner = environmentTagOf(found.tags);
        if (devkubes && (owner === undefined || owner === volume.environmentTag)) {
            left.push(found);
        } else if (devkubes) {
            others.push(`DigitalOcean volume ${found.name} (id ${found.id}) carries ${owner}, and this stack is ${volume.environmentTag ?? "without devkube:doEnvironmentId"}`);
        }
    }
    // With an id, the environment's tag also finds what its config no longer names (a removed app, an earlier namespace).
    const environment = kept.flatMap((k) => (k.kind === "cloud-volume" && k.environmentTag ? [k.environmentTag] : []))[0];
    if (environment) {
        for (const volume of await volumesWithTag(fetch, token, environment)) {
            if (hasVolumeRole(volume.tags) && !inState.has(volume.id) && !left.some((l) => l.id === volume.id)) {
                left.push({ ...volume, unnamed: true });
            }
        }
    }
    return { left, others };
}

const ON_DISK = "Left on the node's disk (Retain: deleting a PersistentVolume never deletes files; not billed)";

function othersLines(plan: DeletionPlan): string[] {
    return plan.othersVolumes.length === 0
        ? []
        : ["Another environment's (the same names in another checkout or state backend), so not deleted:", ...plan.othersVolumes.map((o) => `  - ${o}`)];
}

export function describePlan(name: string, plan: DeletionPlan): string[] {
    return [
        `This deletes everything devkube made for stack ${name}, your code included:`,
        ...plan.cloud.map((c) => `  - ${c}`),
        ...plan.snapshots.map((s) => `  - DigitalOcean snapshot ${s.name} (${s.id}), taken by a sleep`),
        `  - ${plan.clusterObjects} Kubernetes objects (namespace, workloads, services, claims, PersistentVolumes)`,
        ...othersLines(plan),
        ...(plan.onDisk.length > 0
            ? [
                  `${ON_DISK}, to remove by hand:`,
                  ...plan.onDisk.map((d) => `  - ${d}`),
              ]
            : []),
    ];
}

export interface DeleteDeps {
    readonly fetch: Fetch;
    readonly env: NodeJS.ProcessEnv;
    /** Asks a question and returns the answer (the prompt when run by a person). */
    readonly ask: (question: string) => Promise<string>;
    /** The stack name given with --confirm, if any: no question then. */
    readonly confirm?: string;
}

export async function deleteEverything(stack: string | undefined, engine: StackEngine, print: (line: string) => void, deps: DeleteDeps, root = ROOT): Promise<DeletionPlan> {
    const name = await checkStack(stack, engine, root, "npm run delete-everything -- <stack>");
    const resources = await engine.exportState(name);
    const volumes = resources.filter((r) => r.type === TYPES.doVolume && r.outputs?.id);
    const kept = await dataLeftByDestroy(name, engine);
    const onDigitalOcean = volumes.length > 0 || kept.some((k) => k.kind === "cloud-volume");
    const snapshots: Snapshot[] = [];
    let leftVolumes: LeftVolume[] = [];
    let othersVolumes: string[] = [];
    const token = onDigitalOcean ? await digitalOceanToken(name, engine, deps.env) : "";
    if (onDigitalOcean) {
        if (!token) {
            fail(`stack ${name} has DigitalOcean volumes, and finding them and their snapshots needs a token (DIGITALOCEAN_TOKEN or the stack's digitalocean:token); nothing was deleted`);
        }
        try {
            ({ left: leftVolumes, others: othersVolumes } = await volumesLeftByDestroy(kept, resources, deps.fetch, token));
            for (const id of [...volumes.map((v) => v.outputs.id as string), ...leftVolumes.map((v) => v.id)]) {
                snapshots.push(...(await sleepSnapshots(deps.fetch, token, id, name)));
            }
        } catch (error) {
            fail(`cannot list the volumes and snapshots to delete, so nothing was deleted: ${error instanceof Error ? error.message : error}`);
        }
    }
    const plan = planDeletion(resources, snapshots, leftVolumes, kept, othersVolumes);
    if (plan.clusterObjects === 0) {
        // Asleep or destroyed: the claims a destroy left are in the cluster, not in the state, and only an up takes them back.
        const left = claimsIn(kept);
        if (left) {
            fail(
                `stack ${name} is asleep, and its last destroy left claims from a storage class in namespace ${left.namespace} of its cluster ` +
                    `(${left.claims.join(", ")}): they are not in the state, so deleting the stack now would leave them. ` +
                    `Run npm run wake -- ${name} (it takes them back), then npm run delete-everything -- ${name}; nothing was deleted`,
            );
        }
    }
    if (plan.cloud.length === 0 && plan.clusterObjects === 0 && plan.snapshots.length === 0) {
        if (plan.onDisk.length === 0) {
            print(`stack ${name} has nothing left to delete.`);
        } else {
            print(`stack ${name} has nothing left that devkube deletes. ${ON_DISK}, to remove by hand:`);
            plan.onDisk.forEach((d) => print(`  - ${d}`));
        }
        othersLines(plan).forEach((line) => print(line));
        return plan;
    }
    describePlan(name, plan).forEach((line) => print(line));
    const answer = deps.confirm ?? (await deps.ask(`Type the stack's name (${name}) to delete all of it: `));
    if (answer.trim() !== name) {
        fail(`${JSON.stringify(answer.trim())} is not ${JSON.stringify(name)}; nothing was deleted`);
    }
    try {
        await engine.releaseAll(name);
    } catch (error) {
        fail(`removing protect and retainOnDelete from stack ${name}'s state failed (${error instanceof Error ? error.message : error}); nothing was deleted`);
    }
    const destroyed = await destroyReachingWhatIsLeft(name, false, engine, print);
    if (!destroyed.ok) {
        fail(
            `pulumi destroy failed for stack ${name} (${destroyed.failure}); what it did not delete is still in the state (no longer protected or retained), ` +
                "and the snapshots were kept; run npm run delete-everything again",
        );
    }
    printDropped(destroyed, resources, print);
    for (const volume of leftVolumes) {
        try {
            await deleteVolume(deps.fetch, token, volume);
        } catch (error) {
            fail(
                `the stack's resources are deleted, but volume ${volume.name} (${volume.id}) was not: ${error instanceof Error ? error.message : error}; ` +
                    "a volume still attached to a droplet cannot be deleted: detach it, or delete it in the DigitalOcean console; the snapshots were kept",
            );
        }
    }
    for (const snapshot of snapshots) {
        try {
            await deleteSnapshot(deps.fetch, token, snapshot);
        } catch (error) {
            fail(`the stack's resources are deleted, but snapshot ${snapshot.name} (${snapshot.id}) was not: ${error instanceof Error ? error.message : error}; delete it in the DigitalOcean console`);
        }
    }
    print("");
    print(`stack ${name}: everything is deleted (${plan.cloud.length} DigitalOcean resources, ${plan.snapshots.length} snapshots, ${plan.clusterObjects} Kubernetes objects).`);
    if (plan.onDisk.length > 0) {
        print(`  still on the node's disk, to remove by hand: ${plan.onDisk.join("; ")}`);
    }
    print(`  the stack itself (its config and history) is kept: npx pulumi stack rm ${name} removes it`);
    return plan;
}

/** The answer typed; standard input closing first (a script without --confirm) is no answer at all. */
function askOnTerminal(question: string): Promise<string> {
    const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
    return new Promise((resolve, reject) => {
        let answered = false;
        prompt.question(question, (answer) => {
            answered = true;
            prompt.close();
            resolve(answer);
        });
        prompt.on("close", () => {
            if (!answered) {
                reject(new NightError("no answer (standard input closed); nothing was deleted. Type the stack's name when asked, or pass --confirm <stack>"));
            }
        });
    });
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const confirmAt = args.indexOf("--confirm");
    const confirm = confirmAt >= 0 ? (args[confirmAt + 1] ?? "") : undefined;
    const [stack] = args.filter((a, i) => a !== "--confirm" && (confirmAt < 0 || i !== confirmAt + 1));
    const cli = chooseCli();
    console.log(`delete-everything: ${cli.why}`);
    automationEngine(ROOT, cli)
        .then((engine) =>
            deleteEverything(stack, engine, (line) => console.log(line), {
                fetch: globalThis.fetch as unknown as Fetch,
                env: process.env,
                ask: askOnTerminal,
                confirm,
            }),
        )
        .catch((error) => {
            console.error(`delete-everything: ${error instanceof Error ? error.message : error}`);
            process.exit(error instanceof NightError || error instanceof EngineUnavailable ? 2 : 1);
        });
}
