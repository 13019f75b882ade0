// The night cycle, one word each way:
//   npm run sleep -- <stack>   tear down what costs money, keep the workspace, say what was kept
//   npm run wake -- <stack>    bring the environment back (pulumi up with the policy pack)
// The decisions are pure functions (planSleep) with their own tests; Pulumi is reached only through a
// StackEngine (scripts/engine.ts: the Automation API), which tests replace with a fake.
import { spawnSync } from "child_process";
import { chooseCli } from "./pulumi-cli";
import * as fs from "fs";
import * as path from "path";
import { DestroyOutcome, Diagnostic, EngineUnavailable, StackEngine, StateResource, automationEngine } from "./engine";
import { Fetch, snapshotBeforeSleep, tagVolumes } from "./snapshots";
import { NAME_LABEL, PART_OF_SELECTOR, ROLES, ROLE_LABEL, TYPES, VOLUME_TAGS, environmentTag, environmentTagOf } from "../contract/identity";

export type { StateResource };

export const ROOT = path.resolve(__dirname, "..");

export interface SleepPlan {
    /** Why sleeping would lose code, if it would; nothing is done then. */
    readonly refusal?: string;
    /** What holds the code, described for people. */
    readonly workspace: string[];
    /** Protected resources and what they depend on: kept by `destroy --exclude-protected`. */
    readonly keep: string[];
    /** What a destroy forgets instead of deleting (retainOnDelete): left in the cluster, taken back by the next up. */
    readonly leave: string[];
    /** Everything else that exists in the cloud or the cluster. */
    readonly remove: string[];
}

export function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/**
 * Whether a DigitalOcean volume holds an app's data (else the workspace's code), by its tag. A state
 * written before volumes had tags (they get them at the next `up`) is read by devkube's old names.
 */
export function isAppVolume(r: StateResource): boolean {
    if (r.type !== TYPES.doVolume) {
        return false;
    }
    const tags: unknown = (r.outputs ?? r.inputs)?.tags;
    return Array.isArray(tags) && tags.length > 0 ? tags.includes(VOLUME_TAGS.appData) : nameOf(r.urn).startsWith("app-");
}

function describe(r: StateResource): string {
    return `${r.type.split(":").pop()} ${nameOf(r.urn)}`;
}

/** Where a PersistentVolume's files are, for people: "host path /data/devkube". */
export function volumeSource(spec: any): string {
    return spec.csi
        ? `CSI volume ${spec.csi.volumeHandle}`
        : spec.hostPath
          ? `host path ${spec.hostPath.path}`
          : spec.local
            ? `local path ${spec.local.path}`
            : spec.nfs
              ? `NFS export ${spec.nfs.server}:${spec.nfs.path}`
              : "an unknown source";
}

/** What exists in the cloud or the cluster: the state without the stack, components and providers. */
export function realResources(resources: StateResource[]): StateResource[] {
    return resources.filter((r) => r.custom !== false && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
}

/** Where data is, for people, saying whose when it is an app's. */
function holding(where: string, role: string, labels: Record<string, string>): string {
    return role === ROLES.appData ? `${where} (app ${labels[NAME_LABEL] ?? "?"}'s own data)` : where;
}

/** Decides what a sleep keeps and removes, and refuses when the workspace would go with the rest. */
export function planSleep(resources: StateResource[]): SleepPlan {
    const real = realResources(resources);
    const workspace: string[] = [];
    const problems: string[] = [];
    let workspaceFound = false;
    for (const r of real) {
        if (r.type === TYPES.doVolume) {
            const o = r.outputs ?? {};
            workspace.push(`DigitalOcean volume ${o.name ?? nameOf(r.urn)} (id ${o.id ?? "?"}, ${o.region ?? "?"})`);
            workspaceFound ||= !isAppVolume(r);
            if (!r.protect && !r.retainOnDelete) {
                problems.push(
                    `the DigitalOcean volume ${o.name ?? nameOf(r.urn)} that holds your ${isAppVolume(r) ? "app's data" : "code"} would be deleted by a destroy; ` +
                        `run \`npm run wake\` first (devkube marks it retainOnDelete, so every destroy keeps it) or: pulumi state protect '${r.urn}'`,
                );
            }
        }
        const labels = (r.outputs ?? r.inputs)?.metadata?.labels ?? {};
        const role = labels[ROLE_LABEL];
        if (r.type === TYPES.persistentVolumeClaim && (role === ROLES.workspace || role === ROLES.appData)) {
            // A claim from a storage class (devkube labels only those): the class's volume lives as long as the claim.
            workspaceFound ||= role === ROLES.workspace;
            const o = r.outputs ?? r.inputs ?? {};
            const className = o.spec?.storageClassName;
            const where = `claim ${o.metadata?.name ?? nameOf(r.urn)} from ${className ? `storage class ${className}` : "the cluster's default storage class"}`;
            workspace.push(holding(where, role, labels));
            if (!r.protect && !r.retainOnDelete) {
                problems.push(
                    `the ${where} holds your ${role === ROLES.appData ? "app's data" : "code"} and a destroy would delete it (and its class may delete the volume); ` +
                        "run `npm run wake` first (devkube marks it retainOnDelete, so every destroy leaves it)",
                );
            }
        }
        if (r.type === TYPES.persistentVolume && (role === ROLES.workspace || role === ROLES.appData)) {
            workspaceFound ||= role === ROLES.workspace;
            const spec = (r.outputs ?? r.inputs)?.spec ?? {};
            const where = volumeSource(spec);
            if (!spec.csi) {
                workspace.push(holding(where, role, labels));
            }
            if (spec.persistentVolumeReclaimPolicy !== "Retain") {
                problems.push(
                    `the PersistentVolume ${(r.outputs ?? r.inputs)?.metadata?.name} on ${where} has reclaim policy ` +
                        `${JSON.stringify(spec.persistentVolumeReclaimPolicy ?? "(default)")}, not Retain, so deleting it could delete your ${role === ROLES.appData ? "app's data" : "code"}; ` +
                        "run `npm run wake` first (devkube sets Retain)",
                );
            }
        }
    }
    if (real.length > 0 && !workspaceFound) {
        problems.push(`no workspace (a kept DigitalOcean volume, a Retain PersistentVolume or a kept claim labelled ${ROLE_LABEL}=${ROLES.workspace}) is in this stack's state; refusing to tear down what cannot be identified`);
    }
    const kept = keptByExcludeProtected(resources);
    return {
        refusal: problems.length > 0 ? problems.join("\n") : undefined,
        workspace,
        keep: real.filter((r) => kept.has(r.urn)).map(describe),
        leave: real.filter((r) => !kept.has(r.urn) && r.retainOnDelete).map(describe),
        remove: real.filter((r) => !kept.has(r.urn) && !r.retainOnDelete).map(describe),
    };
}

/**
 * What `destroy --exclude-protected` keeps: the protected resources, and, transitively, what they
 * depend on and their parents (e.g. the namespace a protected claim lives in).
 */
export function keptByExcludeProtected(resources: StateResource[]): Set<string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const kept = new Set<string>();
    const queue = resources.filter((r) => r.protect).map((r) => r.urn);
    while (queue.length > 0) {
        const urn = queue.pop()!;
        const r = byUrn.get(urn);
        if (kept.has(urn) || !r) {
            continue;
        }
        kept.add(urn);
        queue.push(...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat(), ...(r.parent ? [r.parent] : []));
    }
    return kept;
}

export function knownStacks(root = ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => Boolean(s))
        .sort();
}

export function fail(message: string): never {
    throw new NightError(message);
}

export class NightError extends Error {}

/** The stack's name if this project has its file; else a NightError that says which it has. */
function knownStack(stack: string | undefined, root: string, usage: string): string {
    const known = knownStacks(root);
    if (!stack || !known.includes(stack)) {
        fail(`unknown stack ${JSON.stringify(stack ?? "")}; known stacks: ${known.join(", ")} (usage: ${usage})`);
    }
    return stack;
}

/** Checks before the engine is used (sleep, sync, delete-everything); returns the stack's name or throws a NightError that says what to do. */
export async function checkStack(stack: string | undefined, engine: StackEngine, root = ROOT, usage = "npm run sleep -- <stack>"): Promise<string> {
    const name = knownStack(stack, root, usage);
    await engine.listStacks();
    return name;
}

// What pulumi-kubernetes says of a cluster it cannot reach (provider/pkg/provider/provider.go, Delete):
// a warning diagnostic with the reason (over several lines), then either an info diagnostic (the object
// is dropped from the state, deleteUnreachable is on) or an error naming PULUMI_K8S_DELETE_UNREACHABLE.
const UNREACHABLE = "configured Kubernetes cluster is unreachable: ";
const DROPPED = "Deleting the unreachable resource from Pulumi state";

/** The reason the provider gave for an unreachable cluster, on one line; undefined when it reached it. */
export function unreachableCluster(diagnostics: Diagnostic[]): string | undefined {
    const warning = diagnostics.find((d) => d.severity === "warning" && d.message.includes(UNREACHABLE));
    if (!warning) {
        return undefined;
    }
    return warning.message
        .slice(warning.message.indexOf(UNREACHABLE) + UNREACHABLE.length)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("•"))
        .join(" ")
        .replace(/\.? Make sure you have:/, ":");
}

function droppedUnreachable(outcome: DestroyOutcome): boolean {
    return outcome.diagnostics.some((d) => d.message.includes(DROPPED));
}

export interface SleepDeps {
    readonly fetch: Fetch;
    readonly now: Date;
    readonly env: NodeJS.ProcessEnv;
}

/** The stack's devkube:doSnapshotsToKeep (0 when unset). */
async function snapshotsToKeep(name: string, engine: StackEngine): Promise<number> {
    const value = await engine.config(name, "devkube:doSnapshotsToKeep");
    const keep = Number(value ?? 0);
    if (!Number.isInteger(keep) || keep < 0) {
        fail(`devkube:doSnapshotsToKeep: got ${JSON.stringify(value)}; use a whole number (0 = no snapshot)`);
    }
    return keep;
}

/** The DigitalOcean API token: DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN, else the stack's digitalocean:token ("" if none). */
export async function digitalOceanToken(name: string, engine: StackEngine, env: NodeJS.ProcessEnv): Promise<string> {
    return env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN || (await engine.config(name, "digitalocean:token"))?.trim() || "";
}

async function snapshotIfAsked(name: string, resources: StateResource[], engine: StackEngine, print: (line: string) => void, deps: SleepDeps) {
    // The workspace's volume; apps' own volumes are not snapshotted.
    const volume = resources.find((r) => r.type === TYPES.doVolume && !isAppVolume(r));
    if (!volume) {
        return;
    }
    const keep = await snapshotsToKeep(name, engine);
    if (keep === 0) {
        return;
    }
    const token = await digitalOceanToken(name, engine, deps.env);
    if (!token) {
        fail(`stack ${name} asks for a snapshot before sleep (devkube:doSnapshotsToKeep=${keep}) but no DigitalOcean token is set; nothing was changed`);
    }
    try {
        const result = await snapshotBeforeSleep({ fetch: deps.fetch, token, volumeId: volume.outputs?.id, stack: name, keep, now: deps.now });
        print(`  snapshot ${result.created.name} (${result.created.id}) taken; keeping the newest ${keep}` +
            (result.pruned.length ? `, deleted ${result.pruned.map((p) => p.name).join(", ")}` : ""));
    } catch (error) {
        fail(`the snapshot before sleep failed, so nothing was torn down: ${error instanceof Error ? error.message : error}`);
    }
}

/**
 * Tags the stack's volumes that lack an environment tag (made before devkube tagged them) with the stack's
 * devkube:doEnvironmentId, while they are still in the state: the morning's wake imports each volume as it
 * is, so without this a stack only the night cycle runs would never tag them. Never blocks the sleep: the
 * bill must stop; a failure is said, and the volume stays as it was.
 */
async function tagUntaggedVolumes(name: string, resources: StateResource[], engine: StackEngine, print: (line: string) => void, deps: SleepDeps) {
    const untagged = resources.filter((r) => r.type === TYPES.doVolume && r.outputs?.id && environmentTagOf(r.outputs?.tags ?? []) === undefined);
    const id = untagged.length > 0 ? (await engine.config(name, "devkube:doEnvironmentId"))?.trim() : undefined;
    if (!id) {
        return;
    }
    const token = await digitalOceanToken(name, engine, deps.env);
    const ids = untagged.map((r) => String(r.outputs.id));
    try {
        if (!token) {
            throw new Error("no DigitalOcean token is set (DIGITALOCEAN_TOKEN or the stack's digitalocean:token)");
        }
        await tagVolumes(deps.fetch, token, environmentTag(id), ids);
        print(`  tagged ${environmentTag(id)} on volume ${ids.join(", ")} (made before devkube tagged volumes)`);
    } catch (error) {
        print(`  warning: could not tag volume ${ids.join(", ")} with ${environmentTag(id)} (${error instanceof Error ? error.message : error}); the next up that finds it attached does`);
    }
}

export async function sleep(
    stack: string | undefined,
    engine: StackEngine,
    print: (line: string) => void,
    root = ROOT,
    deps: SleepDeps = { fetch: globalThis.fetch as unknown as Fetch, now: new Date(), env: process.env },
): Promise<SleepPlan> {
    const name = await checkStack(stack, engine, root);
    const resources = await engine.exportState(name);
    const plan = planSleep(resources);
    if (plan.refusal) {
        fail(`refusing to sleep stack ${name}; nothing was changed:\n${plan.refusal}`);
    }
    if (plan.remove.length === 0 && plan.leave.length === 0) {
        print(`stack ${name} is already asleep; kept: ${plan.keep.join(", ") || "nothing billable"}`);
        return plan;
    }
    await snapshotIfAsked(name, resources, engine, print, deps);
    await tagUntaggedVolumes(name, resources, engine, print, deps);
    const destroyed = await destroyReachingWhatIsLeft(name, true, engine, print);
    if (!destroyed.ok) {
        fail(`pulumi destroy failed for stack ${name} (${destroyed.failure}); your workspace was protected from it, run npm run sleep again`);
    }
    print("");
    print(`stack ${name} is asleep.`);
    const kept = keptByExcludeProtected(resources);
    printDropped(destroyed, resources.filter((r) => !kept.has(r.urn)), print);
    print(`  your code is kept in: ${plan.workspace.join("; ")}`);
    if (plan.keep.length > 0) {
        // A stack of the release that protected its volumes, until its next up.
        print(`  kept (protected): ${plan.keep.join(", ")}`);
    }
    if (plan.leave.length > 0) {
        print(`  left in place (retainOnDelete: forgotten, not deleted; the next up takes them back): ${plan.leave.join(", ")}`);
    }
    print(`  removed: ${plan.remove.length} resources (${plan.remove.join(", ")})`);
    print(`  wake it with: npm run wake -- ${name}`);
    return plan;
}

/**
 * `pulumi destroy --yes` (keeping what is protected, or not), shown as it runs. When the provider says the
 * cluster cannot be reached (deleted in the console, a deleted minikube), nothing is left to delete there
 * and its objects would block every later destroy: only then is it run once more with
 * PULUMI_K8S_DELETE_UNREACHABLE.
 */
export async function destroyReachingWhatIsLeft(name: string, excludeProtected: boolean, engine: StackEngine, print: (line: string) => void): Promise<DestroyOutcome> {
    const destroyed = await engine.destroy(name, { excludeProtected });
    if (destroyed.ok || !unreachableCluster(destroyed.diagnostics) || droppedUnreachable(destroyed)) {
        return destroyed;
    }
    print(`night: the cluster of stack ${name} cannot be reached; destroying again with PULUMI_K8S_DELETE_UNREACHABLE=true`);
    const again = await engine.destroy(name, { excludeProtected, dropUnreachable: true });
    // What the first run said of the cluster belongs to the story too.
    return { ...again, diagnostics: [...destroyed.diagnostics, ...again.diagnostics] };
}

/** Says so when a destroy dropped Kubernetes objects from the state instead of deleting them. */
export function printDropped(destroyed: DestroyOutcome, destroyedResources: StateResource[], print: (line: string) => void): void {
    if (!droppedUnreachable(destroyed)) {
        return;
    }
    const objects = destroyedResources.filter((r) => r.type.startsWith("kubernetes:")).length;
    print(
        `  the cluster could not be reached (${unreachableCluster(destroyed.diagnostics)}): ${objects} Kubernetes objects were dropped from the state, not deleted; ` +
            `if that cluster comes back, delete them there (kubectl delete namespace <namespace>, and the PersistentVolumes labelled ${PART_OF_SELECTOR})`,
    );
}

/**
 * `npm run up` with --yes. Its script chooses the CLI, selects the stack and reads its state itself (a
 * backend it cannot reach is said there, before any change), so no engine is started here first.
 */
export async function wake(stack: string | undefined, root = ROOT): Promise<void> {
    const name = knownStack(stack, root, "npm run wake -- <stack>");
    const result = spawnSync("bash", [path.join(root, "scripts", "stack.sh"), "up", name, "--yes"], { stdio: "inherit", cwd: root });
    if (result.status !== 0) {
        // Its script may have stopped before the CLI ran (no CLI, no passphrase, the backend): it said why.
        fail(`npm run up -- ${name} stopped (exit ${result.status}); the reason is above`);
    }
}

async function main(verb: string | undefined, stack: string | undefined): Promise<void> {
    if (verb !== "sleep" && verb !== "wake") {
        fail("usage: npm run sleep -- <stack>   or   npm run wake -- <stack>");
    }
    if (verb === "wake") {
        return wake(stack);
    }
    const cli = chooseCli();
    console.log(`night: ${cli.why}`);
    await sleep(stack, await automationEngine(ROOT, cli), (line) => console.log(line));
}

if (require.main === module) {
    const [verb, stack] = process.argv.slice(2);
    main(verb, stack).catch((error) => {
        console.error(`night: ${error instanceof Error ? error.message : error}`);
        process.exit(error instanceof NightError || error instanceof EngineUnavailable ? 2 : 1);
    });
}
