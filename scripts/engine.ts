// The night scripts' one boundary to Pulumi: the Automation API of @pulumi/pulumi (stacks, state,
// config, destroy), with the CLI that chooseCli picks. Tests hand the scripts a fake StackEngine instead.
import { spawnSync } from "child_process";
import * as path from "path";
import { CommandError, EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { ChosenCli, chooseCli, cliMissing, launcherCliRoot } from "./pulumi-cli";

/** A resource as the stack's state (`pulumi stack export`) lists it. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly protect?: boolean;
    /** A destroy forgets it instead of deleting it: it stays in the cluster or the cloud. */
    readonly retainOnDelete?: boolean;
    readonly inputs?: any;
    readonly outputs?: any;
    readonly parent?: string;
    readonly dependencies?: string[];
    readonly propertyDependencies?: Record<string, string[]>;
}

/** What the engine said about a resource or the run (a diagnostic event). */
export interface Diagnostic {
    readonly severity: "info" | "info#err" | "warning" | "error";
    readonly message: string;
    readonly urn?: string;
}

export interface DestroyOutcome {
    readonly ok: boolean;
    /** Every diagnostic the engine sent, in order. */
    readonly diagnostics: Diagnostic[];
    /** Why it failed, in the CLI's last words. */
    readonly failure?: string;
}

export interface DestroyOptions {
    readonly excludeProtected: boolean;
    /** Let pulumi-kubernetes drop from the state what it cannot reach (PULUMI_K8S_DELETE_UNREACHABLE). */
    readonly dropUnreachable?: boolean;
}

/** Thrown when the backend or the CLI cannot be used at all; the message says why. */
export class EngineUnavailable extends Error {}

export interface StackEngine {
    /** Which CLI runs, and why (for people). */
    readonly why: string;
    /** The names of the stacks the backend holds. */
    listStacks(): Promise<string[]>;
    /** The stack's resources (none for a stack that never went up); throws when there is no such stack. */
    exportState(stack: string): Promise<StateResource[]>;
    /** A config value of the stack (secrets decrypted), or undefined. */
    config(stack: string, key: string): Promise<string | undefined>;
    /** Every config value of the stack by its full key (secrets decrypted, and marked); throws when it cannot be read. */
    allConfig(stack: string): Promise<Record<string, { readonly value: string; readonly secret: boolean }>>;
    /** The stack's outputs (secrets in plain, for the script's own use: a kubeconfig); none for a stack that is not up. */
    outputs(stack: string): Promise<Record<string, unknown>>;
    /** `pulumi destroy --yes`, shown as it runs. */
    destroy(stack: string, options: DestroyOptions): Promise<DestroyOutcome>;
    /**
     * Removes `protect` and `retainOnDelete` from every resource in the stack's state, so the next destroy
     * deletes all of it (`pulumi state unprotect --all` knows only protect).
     */
    releaseAll(stack: string): Promise<void>;
}

/** The directory `PulumiCommand.get` wants: the one whose bin/ holds the chosen CLI. */
export function cliRoot(cli: ChosenCli, root: string, env: NodeJS.ProcessEnv = process.env): string {
    if (cli.command.length === 1) {
        return path.dirname(path.dirname(cli.command[0]));
    }
    // The npm launcher runs the CLI of its version from $PULUMI_HOME/versions/<version>, fetching it first.
    const printed = spawnSync(cli.command[0], [...cli.command.slice(1), "version"], { cwd: root, encoding: "utf8", env });
    if (printed.status !== 0) {
        throw new EngineUnavailable(cliMissing(printed.stderr ?? "", root, env) ?? `the Pulumi CLI did not start: ${(printed.stderr ?? "").trim() || `exit ${printed.status}`}`);
    }
    return launcherCliRoot(root, env);
}

function lastWords(error: unknown): string {
    const text = error instanceof CommandError || error instanceof Error ? error.message : String(error);
    const stderr = /stderr:\s*([\s\S]*?)(\n\s*err\?:|$)/.exec(text)?.[1] ?? text;
    return stderr.trim().split("\n").filter(Boolean).pop() ?? "no output";
}

/** The real engine: a LocalWorkspace over the project in `root`, with local state and no update check. */
export async function automationEngine(root: string, cli: ChosenCli = chooseCli(root)): Promise<StackEngine> {
    const pulumiCommand = await PulumiCommand.get({ root: cliRoot(cli, root) }).catch((error) => {
        throw new EngineUnavailable(`the Pulumi CLI cannot be used (${lastWords(error)}); nothing was changed`);
    });
    const workspace = await LocalWorkspace.create({
        workDir: root,
        pulumiCommand,
        envVars: {
            PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
            PULUMI_SKIP_UPDATE_CHECK: process.env.PULUMI_SKIP_UPDATE_CHECK ?? "true",
        },
    });
    // Stack.select runs `pulumi stack select` (a CLI start, about 0.35 s): once per stack, not per question.
    const selected = new Map<string, Promise<Stack>>();
    const select = (name: string): Promise<Stack> => {
        let stack = selected.get(name);
        if (!stack) {
            stack = Stack.select(name, workspace);
            selected.set(name, stack);
            stack.catch(() => selected.delete(name));
        }
        return stack;
    };
    return {
        why: cli.why,
        async listStacks() {
            try {
                return (await workspace.listStacks()).map((s) => s.name);
            } catch (error) {
                throw new EngineUnavailable(`the state backend cannot be reached (pulumi stack ls: ${lastWords(error)}); nothing was changed`);
            }
        },
        async exportState(name) {
            try {
                const exported = await (await select(name)).exportStack();
                return exported.deployment?.resources ?? [];
            } catch (error) {
                throw new EngineUnavailable(`stack ${name} has no state (pulumi stack export: ${lastWords(error)}); nothing was changed`);
            }
        },
        async config(name, key) {
            try {
                return (await (await select(name)).getConfig(key)).value;
            } catch {
                return undefined;
            }
        },
        async allConfig(name) {
            try {
                const all = await (await select(name)).getAllConfig();
                return Object.fromEntries(Object.entries(all).map(([key, { value, secret }]) => [key, { value, secret: Boolean(secret) }]));
            } catch (error) {
                throw new EngineUnavailable(`stack ${name}'s config cannot be read (pulumi config: ${lastWords(error)}); nothing was changed`);
            }
        },
        async outputs(name) {
            try {
                return Object.fromEntries(Object.entries(await (await select(name)).outputs()).map(([key, { value }]) => [key, value]));
            } catch (error) {
                throw new EngineUnavailable(`stack ${name}'s outputs cannot be read (pulumi stack output: ${lastWords(error)}); nothing was changed`);
            }
        },
        async destroy(name, options) {
            const diagnostics: Diagnostic[] = [];
            const onEvent = (event: EngineEvent) => {
                const d = event.diagnosticEvent;
                if (d) {
                    diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn });
                }
            };
            if (options.dropUnreachable) {
                workspace.envVars.PULUMI_K8S_DELETE_UNREACHABLE = "true";
            }
            try {
                await (await select(name)).destroy({
                    excludeProtected: options.excludeProtected,
                    onOutput: (out) => process.stdout.write(out),
                    onEvent,
                });
                return { ok: true, diagnostics };
            } catch (error) {
                return { ok: false, diagnostics, failure: lastWords(error) };
            } finally {
                delete workspace.envVars.PULUMI_K8S_DELETE_UNREACHABLE;
            }
        },
        async releaseAll(name) {
            const stack = await select(name);
            const state = await stack.exportStack();
            const resources = (state.deployment?.resources ?? []).map((r: StateResource) => ({ ...r, protect: false, retainOnDelete: false }));
            await stack.importStack({ ...state, deployment: { ...state.deployment, resources } });
        },
    };
}
