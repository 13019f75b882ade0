// Helpers for the real-engine tests: a scratch copy of the project, the real Pulumi CLI, kubectl.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { fastStartNodeOptions } from "../../scripts/pulumi-cli";
import type { NamespaceData } from "../processes/kubelet";

export const REPO = path.resolve(__dirname, "../..");
export const WORK = process.env.DEVKUBE_E2E_WORKDIR ?? path.join(REPO, ".e2e");
export const PROJECT = path.join(WORK, "project");
export const KUBECONFIG = process.env.DEVKUBE_E2E_KUBECONFIG ?? path.join(WORK, "kubeconfig");
export const CONTEXT = `kwok-${process.env.DEVKUBE_E2E_CLUSTER ?? "devkube-e2e"}`;
const LOG = path.join(WORK, "commands.log");
/** The policy pack as --policy-pack takes it (run.sh picks policies/analyzer for an old language host). */
export const POLICY_PACK = process.env.DEVKUBE_POLICY_PACK ?? "policies";

export function policyFlags(stack: string): string[] {
    return ["--policy-pack", POLICY_PACK, "--policy-pack-config", `policies/config/${stack}.json`];
}

export interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

function log(text: string) {
    fs.appendFileSync(LOG, text);
}

/**
 * The files of a checkout as git sees them (tracked and new, not ignored), that exist. Not folders: a
 * node_modules that is a link (a worktree sharing another's) is listed by git as a file.
 */
export function projectFiles(repo: string): string[] {
    return execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: repo, encoding: "utf8" })
        .split("\n")
        .filter((f) => f && fs.existsSync(path.join(repo, f)) && !fs.statSync(path.join(repo, f)).isDirectory());
}

/**
 * A copy of the project as git sees it (tracked and new files, not ignored ones), with the installed
 * node_modules linked in, so the tests never touch the repository's own stack files or state.
 */
export function prepareProject(): void {
    fs.rmSync(PROJECT, { recursive: true, force: true });
    fs.mkdirSync(PROJECT, { recursive: true });
    for (const file of projectFiles(REPO)) {
        fs.mkdirSync(path.dirname(path.join(PROJECT, file)), { recursive: true });
        fs.copyFileSync(path.join(REPO, file), path.join(PROJECT, file));
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(PROJECT, "node_modules"));
    fs.symlinkSync(path.join(REPO, "policies", "node_modules"), path.join(PROJECT, "policies", "node_modules"));
}

export function env(): NodeJS.ProcessEnv {
    return {
        ...process.env,
        KUBECONFIG,
        PULUMI_CONFIG_PASSPHRASE: "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The file backend keeps state in the scratch project (Pulumi.yaml backend.url file://.).
        PULUMI_BACKEND_URL: "",
        CI: "true",
        // What devkube's npm scripts hand the CLI, so that plain `pulumi` commands here start as theirs do.
        NODE_OPTIONS: fastStartNodeOptions(PROJECT, process.env.NODE_OPTIONS),
    };
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Result {
    const started = Date.now();
    const result = spawnSync(command, args, {
        cwd: options.cwd ?? PROJECT,
        env: { ...env(), ...options.env },
        encoding: "utf8",
        input: options.input,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 10 * 60 * 1000,
    });
    const seconds = (Date.now() - started) / 1000;
    const out: Result = { code: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? "", seconds };
    log(`\n$ ${command} ${args.join(" ")}  (exit ${out.code}, ${seconds.toFixed(1)} s)\n${out.stdout}\n${out.stderr}\n`);
    return out;
}

export function pulumi(stack: string, args: string[], env: Record<string, string> = {}): Result {
    return run("pulumi", [...args, "--stack", stack, "--non-interactive"], { env });
}

export function mustPulumi(stack: string, args: string[], env: Record<string, string> = {}): Result {
    const result = pulumi(stack, args, env);
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} (stack ${stack}) exited ${result.code}:\n${tail(result.stdout + result.stderr)}`);
    }
    return result;
}

/** `pulumi up` exactly as a user runs it: npm run up -- <stack> (policy pack included). */
export function npmUp(stack: string, extra: string[] = []): Result {
    return run("bash", ["scripts/stack.sh", "up", stack, ...extra]);
}

export function tail(text: string, lines = 40): string {
    return text.trim().split("\n").slice(-lines).join("\n");
}

export function kubectl(args: string[]): string {
    return execFileSync("kubectl", ["--kubeconfig", KUBECONFIG, "--context", CONTEXT, ...args], {
        encoding: "utf8",
        env: env(),
    });
}

export function kubeJson(args: string[]): any {
    return JSON.parse(kubectl([...args, "-o", "json"]));
}

/** The namespace's ConfigMaps and Secrets as the API server holds them, for a container run here (test/processes/pod.ts). */
export function namespaceData(namespace: string): NamespaceData {
    const data: NamespaceData = { configMaps: {}, secrets: {} };
    for (const map of kubeJson(["-n", namespace, "get", "configmaps"]).items) {
        data.configMaps[map.metadata.name] = map.data ?? {};
    }
    for (const secret of kubeJson(["-n", namespace, "get", "secrets"]).items) {
        data.secrets[secret.metadata.name] = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString()]));
    }
    return data;
}

export function exists(args: string[]): boolean {
    const result = spawnSync("kubectl", ["--kubeconfig", KUBECONFIG, "--context", CONTEXT, "get", ...args], { env: env() });
    return result.status === 0;
}

/**
 * Every object devkube may create, with what it declares (spec, data, labels): equal snapshots mean
 * nothing was changed. resourceVersion is not compared: controllers bump it on status updates.
 */
export function snapshot(): string[] {
    const kinds = "namespaces,persistentvolumes,persistentvolumeclaims,deployments,services,configmaps,secrets,resourcequotas,limitranges,storageclasses";
    const list = kubeJson(["get", kinds, "--all-namespaces"]);
    return list.items
        .filter((o: any) => !/^(kube-|default$)/.test(o.metadata.namespace ?? o.metadata.name) || o.kind === "PersistentVolume")
        .map((o: any) => {
            const declared = { labels: o.metadata.labels, spec: o.spec, data: o.data, provisioner: o.provisioner };
            return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name} ${JSON.stringify(declared)}`;
        })
        .sort();
}

export async function waitFor<T>(what: string, probe: () => T | undefined, seconds = 90): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = probe();
            if (value !== undefined && value !== null && (value as unknown) !== false) {
                return value;
            }
        } catch (error) {
            last = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** The benchmarks' middle figure (the upper of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
    return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

export function stackOutputs(stack: string): Record<string, any> {
    return JSON.parse(mustPulumi(stack, ["stack", "output", "--json"]).stdout);
}

export function initStack(stack: string, config: Record<string, string>): void {
    mustPulumi(stack, ["stack", "select", "--create"]);
    for (const [key, value] of Object.entries(config)) {
        mustPulumi(stack, ["config", "set", key, value]);
    }
}
