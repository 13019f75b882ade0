// Loads the devkube program under Pulumi mocks with a stack's real config files and records
// every resource it registers, with the options the engine would see (protect, parent, dependencies).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as YAML from "yaml";
import { packConfigFor } from "../scripts/pack-config";

export const ROOT = path.resolve(__dirname, "..");
export const MOCK_CLUSTER_IP = "10.96.123.45";
export const MOCK_NODE_PORT = 31080;
/** The storage classes a mocked cluster has, and their reclaim policies (read with StorageClass.get). */
export const MOCK_STORAGE_CLASSES: Record<string, string> = { "local-path": "Delete", "retained-ssd": "Retain" };
export const MOCK_VOLUME_ID = "506f78a4-e098-11e5-ad9f-000f53306e21";
export const MOCK_DOKS_LATEST = "1.34.1-do.0";

/**
 * The mocked DigitalOcean account as getVolume and getKubernetesCluster see it: empty (a new stack) unless
 * a test puts what a destroy left there. Runs are cached by it, so set it before runProgram.
 */
export const MOCK_DO_ACCOUNT: {
    volumes: Record<string, { id: string; size: number; tags: string[]; dropletIds: number[]; region?: string }>;
    /** A cluster's droplet ids, or its droplet ids and tags. */
    clusters: Record<string, string[] | { droplets: string[]; tags: string[] }>;
} = { volumes: {}, clusters: {} };

/**
 * What the engine does with a volume declared with `import` that is not in the state (one a destroy forgot:
 * detached in the mocked account): fails unless the inputs are the volume's own (size, tags as a set).
 * An attached volume stands for one still in the state, where the engine ignores the import.
 */
function importMustMatch(id: string, inputs: Record<string, any>): void {
    const volume = Object.values(MOCK_DO_ACCOUNT.volumes).find((v) => v.id === id);
    if (!volume || volume.dropletIds.length > 0) {
        return;
    }
    const sameTags = new Set(inputs.tags ?? []).size === new Set(volume.tags).size && (inputs.tags ?? []).every((t: string) => volume.tags.includes(t));
    if (inputs.size !== volume.size || !sameTags) {
        throw new Error(`inputs to import do not match the existing resource: size ${inputs.size} / ${volume.size}, tags ${inputs.tags} / ${volume.tags}`);
    }
}

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly inputs: Record<string, any>;
    readonly state: Record<string, any>;
    readonly custom: boolean;
    readonly protect: boolean;
    readonly parent: string;
    readonly provider: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly ignoreChanges: string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    /** The id the resource is imported from (the `import` option), or "". */
    readonly importId: string;
}

export interface ProgramRun {
    readonly resources: Recorded[];
    /** Stack outputs, unwrapped. */
    readonly outputs: Record<string, unknown>;
    /** Stack outputs as the program returned them (to check secretness). */
    readonly exported: Record<string, pulumi.Output<unknown>>;
    readonly invokes: string[];
}

/** How the mock monitor hands a secret input to newResource. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** The plain value inside a secret input; fails if the input was not a secret. */
export function secretValue(value: unknown): any {
    if (!isSecretValue(value)) {
        throw new Error(`expected a secret, got ${JSON.stringify(value)}`);
    }
    return (value as { value: unknown }).value;
}

/** Inputs with every secret unwrapped, as a policy pack sees them. */
export function plain(value: any): any {
    if (isSecretValue(value)) {
        return plain(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

/** Config of a stack as the CLI hands it to the program: Pulumi.yaml defaults, then Pulumi.<stack>.yaml. */
export function stackConfigValues(stack: string): Record<string, string> {
    const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const values: Record<string, string> = {};
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        if (decl && "default" in decl) {
            values[key] = encode(decl.default);
        }
    }
    const stackFile = path.join(ROOT, `Pulumi.${stack}.yaml`);
    const stackConfig = YAML.parse(fs.readFileSync(stackFile, "utf8"))?.config ?? {};
    for (const [key, value] of Object.entries(stackConfig)) {
        values[key] = encode(value);
    }
    return values;
}

/** A worked example's config lines (test/fixtures/<file>), encoded as the CLI hands them to the program. */
export function fixtureConfig(file: string): Record<string, string> {
    const parsed = YAML.parse(fs.readFileSync(path.join(ROOT, "test", "fixtures", file), "utf8"));
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, encode(value)]));
}

/** What a fixture's header says: the stack it is written for ("# stack: homelab") and its secret keys ("# secrets: a b"). */
export function fixtureHeader(file: string): { stack: string; secretKeys: string[] } {
    const text = fs.readFileSync(path.join(ROOT, "test", "fixtures", file), "utf8");
    const stack = /^# stack: (\S+)$/m.exec(text)?.[1] ?? "minikube";
    const secretKeys = /^# secrets: (.+)$/m.exec(text)?.[1].trim().split(/\s+/) ?? [];
    return { stack, secretKeys };
}

/** A stand-in for the value a person sets with `pulumi config set --secret <key>`. */
export function fakeSecret(key: string): string {
    return `fake-secret-for-${key.replace(/^.*:/, "")}`;
}

/**
 * A worked example on the stack it is written for (or `on` another), its secrets set (as secrets) to
 * fakeSecret values; the dev stack gets its fake DigitalOcean token as runDev does.
 */
export function runFixture(file: string, options: { preview?: boolean; on?: string } = {}): Promise<ProgramRun> {
    const header = fixtureHeader(file);
    const stack = options.on ?? header.stack;
    const secretKeys = [...header.secretKeys, ...(stack === "dev" ? ["digitalocean:token"] : [])];
    const secrets = Object.fromEntries(header.secretKeys.map((key) => [key, fakeSecret(key)]));
    const token: Record<string, string> = stack === "dev" ? DEV_STACK_SET_BY_UP : {};
    const config = { ...stackConfigValues(stack), ...token, ...fixtureConfig(file), ...secrets };
    return runProgram(stack, config, { secretKeys, preview: options.preview });
}

/** The Kubernetes and cloud resources a worked example adds to a plain run of its stack. */
export async function resourcesAdded(file: string, run: ProgramRun): Promise<Recorded[]> {
    const { stack } = fixtureHeader(file);
    const base = await runProgram(stack, stackConfigValues(stack));
    const known = new Set(base.resources.map((r) => `${r.type}::${r.name}`));
    return run.resources.filter((r) => r.custom && !known.has(`${r.type}::${r.name}`));
}

/** A failed invoke as the engine reports it: the SDK rethrows its gRPC `details`. */
function providerError(message: string): Error {
    return Object.assign(new Error(message), { details: `invocation returned an error: ${message}` });
}

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function computedState(args: pulumi.runtime.MockResourceArgs, preview: boolean): Record<string, any> {
    const inputs = args.inputs ?? {};
    const state: Record<string, any> = { ...inputs };
    if (args.type.startsWith("kubernetes:")) {
        const metadata = { ...(inputs.metadata ?? {}) };
        metadata.name ??= `${args.name}-abc123`;
        if (!args.type.includes("PersistentVolume:") && !args.type.endsWith(":Namespace") && !args.type.includes("StorageClass")) {
            metadata.namespace ??= "default";
        }
        state.metadata = metadata;
    }
    if (args.type === "kubernetes:core/v1:Service") {
        const spec = { ...(inputs.spec ?? {}) };
        spec.type ??= "ClusterIP";
        // Like the API server's dry-run in a preview: no address allocated.
        spec.clusterIP = preview ? "" : MOCK_CLUSTER_IP;
        spec.ports = (spec.ports ?? []).map((p: any) => (spec.type === "ClusterIP" ? p : { ...p, nodePort: MOCK_NODE_PORT }));
        state.spec = spec;
        state.status = spec.type === "LoadBalancer" ? { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } : { loadBalancer: {} };
    }
    if (args.type === "digitalocean:index/kubernetesCluster:KubernetesCluster") {
        state.endpoint = "https://0f5e-mock.k8s.ondigitalocean.com";
        state.kubeConfigs = [{ clusterCaCertificate: "bW9jay1jYQ==", rawConfig: "expires-in-7-days", token: "short-lived" }];
    }
    if (args.type === "digitalocean:index/volume:Volume") {
        state.urn = `do:volume:${MOCK_VOLUME_ID}`;
    }
    return state;
}

type RunOptions = { secretKeys?: string[]; preview?: boolean };

/** Runs already made in this process, by everything the program reads: its stack, config and the token variables. */
const finishedRuns = new Map<string, ProgramRun>();

/**
 * Runs the program under fresh mocks. Config keys are full keys ("devkube:target").
 * Throws what the program throws (e.g. a config error).
 * The program is deterministic in its inputs, so a run asked for again is answered from the first one
 * (each caller gets its own copy of the records): the unit suite asks for the committed stacks dozens of times.
 */
export async function runProgram(stack: string, config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    const key = JSON.stringify([
        stack,
        Object.entries(config).sort(),
        [...(options.secretKeys ?? [])].sort(),
        options.preview ?? false,
        process.env.DIGITALOCEAN_TOKEN ?? null,
        process.env.DIGITALOCEAN_ACCESS_TOKEN ?? null,
        MOCK_DO_ACCOUNT,
    ]);
    let run = finishedRuns.get(key);
    if (!run) {
        run = await runUnderMocks(stack, config, options);
        finishedRuns.set(key, run);
    }
    return { ...run, resources: structuredClone(run.resources), outputs: structuredClone(run.outputs), invokes: [...run.invokes] };
}

async function runUnderMocks(stack: string, config: Record<string, string>, options: RunOptions): Promise<ProgramRun> {
    const resources: Recorded[] = [];
    const invokes: string[] = [];
    const pending = new Map<string, Partial<Recorded>>();
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            if (args.type === "kubernetes:storage.k8s.io/v1:StorageClass" && args.id) {
                const reclaimPolicy = MOCK_STORAGE_CLASSES[args.id];
                if (!reclaimPolicy) {
                    throw new Error(`mock cluster: storage class ${args.id} not found`);
                }
                invokes.push(`read StorageClass ${args.id}`);
                return { id: args.id, state: { metadata: { name: args.id }, provisioner: "mock", reclaimPolicy } };
            }
            if (args.type === "digitalocean:index/volume:Volume" && args.id) {
                importMustMatch(args.id, args.inputs);
            }
            const id = args.type === "digitalocean:index/volume:Volume" ? args.id || MOCK_VOLUME_ID : `${args.name}-id`;
            const state = computedState(args, options.preview ?? false);
            const key = `${args.type}::${args.name}`;
            resources.push({
                type: args.type,
                name: args.name,
                inputs: args.inputs,
                state,
                custom: args.custom ?? true,
                provider: args.provider ?? "",
                urn: "",
                protect: false,
                parent: "",
                dependencies: [],
                propertyDependencies: {},
                ignoreChanges: [],
                deleteBeforeReplace: false,
                retainOnDelete: false,
                importId: "",
                ...pending.get(key),
            });
            return { id, state };
        },
        call(args) {
            invokes.push(args.token);
            if (args.token === "digitalocean:index/getSizes:getSizes") {
                const slugs: string[] = args.inputs.filters?.[0]?.values ?? [];
                return { sizes: slugs.filter((s) => s === "s-2vcpu-4gb").map((slug) => ({ slug, priceHourly: 0.03571, priceMonthly: 24 })) };
            }
            if (args.token === "digitalocean:index/getVolume:getVolume") {
                const volume = MOCK_DO_ACCOUNT.volumes[args.inputs.name];
                if (!volume) {
                    throw providerError(`no volumes found with name ${args.inputs.name}`);
                }
                return { region: "fra1", ...volume, name: args.inputs.name };
            }
            if (args.token === "digitalocean:index/getTag:getTag") {
                const volumesCount = Object.values(MOCK_DO_ACCOUNT.volumes).filter((v) => v.tags.includes(args.inputs.name)).length;
                if (volumesCount === 0) {
                    throw providerError(`tag not found: GET https://api.digitalocean.com/v2/tags/${args.inputs.name}: 404`);
                }
                return { name: args.inputs.name, volumesCount, totalResourceCount: volumesCount };
            }
            if (args.token === "digitalocean:index/getKubernetesCluster:getKubernetesCluster") {
                const cluster = MOCK_DO_ACCOUNT.clusters[args.inputs.name];
                if (!cluster) {
                    throw providerError(`Unable to find cluster with name: ${args.inputs.name}`);
                }
                const { droplets, tags } = Array.isArray(cluster) ? { droplets: cluster, tags: [] } : cluster;
                return { name: args.inputs.name, tags, nodePools: [{ nodes: droplets.map((dropletId) => ({ dropletId })) }] };
            }
            if (args.token === "digitalocean:index/getKubernetesVersions:getKubernetesVersions") {
                return { latestVersion: MOCK_DOKS_LATEST, validVersions: [MOCK_DOKS_LATEST, "1.33.5-do.1"] };
            }
            return {};
        },
    };
    await pulumi.runtime.setMocks(mocks, "devkube", stack, options.preview ?? false);
    // Record what the engine would see but MockResourceArgs leaves out (protect, parent, dependencies).
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => (propertyDependencies[key] = deps.getUrnsList()));
        const parent: string = req.getParent();
        const urn = `urn:pulumi:${stack}::devkube::${parent ? `${parent.split("::")[2].split("$").pop()}$` : ""}${req.getType()}::${req.getName()}`;
        pending.set(`${req.getType()}::${req.getName()}`, {
            urn,
            protect: Boolean(req.getProtect()),
            parent,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: Boolean(req.getRetainondelete()),
            importId: req.getImportid(),
        });
        return register(req, callback);
    };
    pulumi.runtime.setAllConfig(config, options.secretKeys ?? []);

    const program: () => Promise<Record<string, pulumi.Input<unknown>>> = require("../index");
    const exported = await program();
    const outputs: Record<string, unknown> = {};
    const exportedOutputs: Record<string, pulumi.Output<unknown>> = {};
    for (const [key, value] of Object.entries(exported)) {
        exportedOutputs[key] = pulumi.output(value);
        outputs[key] = await unwrap(exportedOutputs[key]);
    }
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { resources, outputs, exported: exportedOutputs, invokes };
}

/** The value of an Output, or undefined when it is unknown (a preview): apply never runs then. */
export async function unwrap<T>(output: pulumi.Output<T>): Promise<T | undefined> {
    const known = await (output as unknown as { isKnown: Promise<boolean> }).isKnown;
    return known ? new Promise<T>((resolve) => output.apply((value) => resolve(value))) : undefined;
}

export function ofType(run: ProgramRun, type: string): Recorded[] {
    return run.resources.filter((r) => r.type === type);
}

export function byName(run: ProgramRun, type: string, metadataName: string): Recorded {
    const found = ofType(run, type).find((r) => r.state.metadata?.name === metadataName);
    if (!found) {
        throw new Error(`no ${type} named ${metadataName}; registered: ${run.resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
    }
    return found;
}

/** The PersistentVolume with label devkube.dev/role=<role> ("workspace" or "share"). */
export function pvByRole(run: ProgramRun, role: "workspace" | "share"): Recorded {
    const found = ofType(run, "kubernetes:core/v1:PersistentVolume").filter((r) => r.inputs.metadata?.labels?.["devkube.dev/role"] === role);
    if (found.length !== 1) {
        throw new Error(`expected one PersistentVolume with role ${role}, found ${found.length}`);
    }
    return found[0];
}

/** The share: the one PersistentVolume with an NFS source (its role is "workspace" for an existing export). */
export function sharePv(run: ProgramRun): Recorded {
    const found = ofType(run, "kubernetes:core/v1:PersistentVolume").filter((r) => r.inputs.spec?.nfs);
    if (found.length !== 1) {
        throw new Error(`expected one NFS PersistentVolume, found ${found.length}`);
    }
    return found[0];
}

/**
 * The claim a static PersistentVolume is reserved for (its claimRef), with what makes it bind that PV and no
 * other, at once (components/workspace.ts reservedClaimSpec): no volumeName, the PV's labels as its selector,
 * no class, created after the PV; an older claim's spec is left as it is (ignoreChanges).
 */
export function claimReservedBy(run: ProgramRun, pv: Recorded): Recorded {
    const ref = pv.inputs.spec.claimRef;
    const claim = ofType(run, "kubernetes:core/v1:PersistentVolumeClaim").find(
        (c) => c.inputs.metadata.name === ref?.name && c.inputs.metadata.namespace === ref?.namespace,
    );
    if (!claim) {
        throw new Error(`no claim ${JSON.stringify(ref)} for PersistentVolume ${pv.name}`);
    }
    const binding = {
        volumeName: claim.inputs.spec.volumeName,
        selector: claim.inputs.spec.selector,
        storageClassName: claim.inputs.spec.storageClassName,
        afterItsVolume: claim.dependencies.includes(pv.urn),
        ignoreChanges: claim.ignoreChanges,
    };
    const expected = {
        volumeName: undefined,
        selector: { matchLabels: pv.inputs.metadata.labels },
        storageClassName: "",
        afterItsVolume: true,
        ignoreChanges: ["spec.volumeName", "spec.selector"],
    };
    if (JSON.stringify(binding) !== JSON.stringify(expected)) {
        throw new Error(`claim ${claim.name} for ${pv.name}: got ${JSON.stringify(binding)}, expected ${JSON.stringify(expected)}`);
    }
    return claim;
}

/** Every pod spec a workload carries, with the workload it belongs to. */
export function podSpecs(run: ProgramRun): Array<{ workload: Recorded; spec: any }> {
    const result: Array<{ workload: Recorded; spec: any }> = [];
    for (const r of run.resources) {
        const spec =
            r.type === "kubernetes:core/v1:Pod"
                ? r.inputs.spec
                : r.type === "kubernetes:batch/v1:CronJob"
                  ? r.inputs.spec?.jobTemplate?.spec?.template?.spec
                  : /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:Job)$/.test(r.type)
                    ? r.inputs.spec?.template?.spec
                    : undefined;
        if (spec) {
            result.push({ workload: r, spec });
        }
    }
    return result;
}

export const FAKE_TOKEN = "dop_v1_fake_token_for_tests";

/** The dev stack's id, as the first `npm run up` sets it (devkube:doEnvironmentId). */
export const DEV_ENVIRONMENT_ID = "5eed1e55a1";

/** What the dev stack holds beside Pulumi.dev.yaml once a user has set its token and run `npm run up`. */
const DEV_STACK_SET_BY_UP: Record<string, string> = { "digitalocean:token": FAKE_TOKEN, "devkube:doEnvironmentId": DEV_ENVIRONMENT_ID };

/** The dev (DigitalOcean) stack file with a fake token and its id, plus overrides. */
export function runDev(overrides: Record<string, string> = {}): Promise<ProgramRun> {
    return runProgram("dev", { ...stackConfigValues("dev"), ...DEV_STACK_SET_BY_UP, ...overrides }, { secretKeys: ["digitalocean:token"] });
}

/** The resources of a run as `pulumi stack export` would list them after an up (for planSleep). */
export function stateOf(run: ProgramRun): Array<{
    urn: string;
    type: string;
    custom: boolean;
    protect: boolean;
    retainOnDelete?: boolean;
    inputs: any;
    outputs: any;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}> {
    return [
        { urn: `urn:pulumi:s::devkube::pulumi:pulumi:Stack::devkube-s`, type: "pulumi:pulumi:Stack", custom: false, protect: false, inputs: {}, outputs: {}, dependencies: [], propertyDependencies: {} },
        ...run.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            custom: r.custom,
            protect: r.protect,
            // As `pulumi stack export` writes it: only when set.
            ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            inputs: plain(r.inputs),
            outputs: { ...plain(r.state), id: r.type.includes("volume:Volume") ? "vol-1" : undefined },
            parent: r.parent || undefined,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
        })),
    ];
}

/** A recorded Kubernetes resource as the plain manifest kubectl would apply (its generated name filled in). */
export function asManifest(r: Recorded): any {
    const manifest = plain(r.inputs);
    manifest.metadata = { ...manifest.metadata, name: r.state.metadata.name };
    return manifest;
}

/** Every recorded resource as the policy pack's test helpers take it (inputs for custom resources). */
export function policyResources(run: ProgramRun) {
    return run.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plain(r.custom ? r.inputs : r.state),
        opts: { protect: r.protect },
        parent: r.parent || undefined,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    }));
}

/** The pack config `npm run up` passes for a stack (policies/config/<stack>.json in the stack's namespace). */
export function packConfig(stack: string, namespace?: string): unknown {
    return packConfigFor(ROOT, stack, namespace);
}

/** The program loaded with each committed stack file (and the home lab's second mode). */
export const STACK_RUNS = {
    minikube: () => runProgram("minikube", stackConfigValues("minikube")),
    dev: () => runDev(),
    homelab: () => runProgram("homelab", stackConfigValues("homelab")),
    "homelab (existing export)": () =>
        runProgram("homelab", {
            ...stackConfigValues("homelab"),
            "devkube:baremetalMode": "existing-export",
            "devkube:nfsServer": "192.168.1.20",
            "devkube:nfsPath": "/srv/nfs/devkube",
        }),
    cluster: () => runProgram("cluster", stackConfigValues("cluster")),
};
