// What `npm run up` and `npm run preview` (scripts/stack.sh) do before the Pulumi CLI runs the stack, in
// one process (each start of tsx or npx costs about half a second of every up; issue #14): choose the CLI, select
// the stack (creating it the first time), give a DigitalOcean stack its environment id the first time, refuse a
// namespace move while the stack is awake, and write the policy pack's config for it.
// Usage: tsx scripts/stack-prepare.ts <stack>
//   stdout: the CLI to run (a path, or "launcher" for the npm package's launcher), the pack config's path,
//   and a folder to put first on PATH (the npm package's CLI run directly), or an empty line;
//   stderr: "stack.sh: ..." lines for people. Exit 2 when the stack must not go on, 1 for a CLI error it
//   cannot explain (printed as the CLI said it).
import { spawnSync } from "child_process";
import * as path from "path";
import { chooseCli, cliMissing } from "./pulumi-cli";
import { namespaceMoveProblem, stackNamespace, writePackConfig } from "./pack-config";
import { stackSetting } from "./stack-file";
import { newEnvironmentId } from "../contract/identity";

const ROOT = path.resolve(__dirname, "..");

/** What stack-prepare knows of a stack when it decides about its environment id. */
export interface IdFacts {
    readonly target: unknown;
    readonly id: unknown;
    readonly ci: boolean;
    /** Whether the stack's state holds resources (it is awake). */
    readonly awake: boolean;
    /** Whether this state backend has an update of the stack on record (asked only when needed: one CLI call). */
    readonly updatedHere: () => boolean;
}

/**
 * What `npm run up` does about devkube:doEnvironmentId (kept in Pulumi.<stack>.yaml) on a DigitalOcean stack:
 * - none yet: a new one; under CI only said, since one made there would not outlive the checkout;
 * - one the stack has never been up with in this state backend (no update on record, nothing in the state):
 *   it came with the file, from another checkout (a teammate's committed file), so a new one, said with how
 *   to set the old one back if it is yours after all; the other environment's volumes are then refused, not
 *   taken. CI keeps the file's id: its backend is the environment's own.
 */
export function environmentIdStep(stack: string, facts: IdFacts): { set: string; why: string } | { say: string } | undefined {
    if (facts.target !== "digitalocean") {
        return undefined;
    }
    const id = typeof facts.id === "string" ? facts.id : "";
    if (id === "" && facts.ci) {
        return {
            say:
                `devkube:doEnvironmentId is not set in Pulumi.${stack}.yaml, and one made here would not outlive this checkout: ` +
                "run npm run up once on your machine (it sets one) and commit the file; until then, no new volume is made",
        };
    }
    if (id === "") {
        return { set: newEnvironmentId(), why: "the stack had none" };
    }
    if (facts.ci || facts.awake || facts.updatedHere()) {
        return undefined;
    }
    return {
        set: newEnvironmentId(),
        why:
            `Pulumi.${stack}.yaml carried ${id}, but stack ${stack} has never been up in this state backend: that id is another checkout's ` +
            `environment (a teammate's committed file?), whose volumes are not this stack's to take. If it is yours (its state moved here ` +
            `without its history), set it back and run this again: pulumi -s ${stack} config set devkube:doEnvironmentId ${id}`,
    };
}

function main(stack: string): number {
    const cli = chooseCli(ROOT);
    console.error(`stack.sh: ${cli.why}`);
    const env = cli.pathFirst ? { ...process.env, PATH: `${cli.pathFirst}${path.delimiter}${process.env.PATH ?? ""}` } : process.env;
    const pulumi = (args: string[]) => spawnSync(cli.command[0], [...cli.command.slice(1), ...args], { cwd: ROOT, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const selected = pulumi(["stack", "select", "--create", stack]);
    if (selected.status !== 0) {
        // The npm launcher's "pulumi: fetch failed" says nothing of what is missing: say it.
        const hint = cliMissing(selected.stderr ?? "");
        console.error(hint ? `stack.sh: ${hint}` : (selected.stderr ?? selected.error?.message ?? "").trimEnd());
        return hint ? 2 : 1;
    }
    // Refused first when the environment is awake in another namespace (namespaceMoveProblem says why).
    const exported = pulumi(["stack", "export", "--stack", stack]);
    const state = exported.status === 0 && exported.stdout.trim() ? JSON.parse(exported.stdout) : {};
    const problem = namespaceMoveProblem(stack, stackNamespace(ROOT, stack), state);
    if (problem) {
        console.error(`stack.sh: ${problem}`);
        return 2;
    }
    const idStep = environmentIdStep(stack, {
        target: stackSetting(ROOT, stack, "devkube:target"),
        id: stackSetting(ROOT, stack, "devkube:doEnvironmentId"),
        ci: Boolean(process.env.CI),
        awake: (state.deployment?.resources ?? []).length > 0,
        updatedHere: () => {
            const history = pulumi(["stack", "history", "--stack", stack, "--json"]);
            // Unknown counts as updated: the file's id is kept.
            return history.status !== 0 || !/^\s*\[\s*\]\s*$/.test(history.stdout ?? "");
        },
    });
    if (idStep && "say" in idStep) {
        console.error(`stack.sh: ${idStep.say}`);
    } else if (idStep) {
        const set = pulumi(["config", "set", "devkube:doEnvironmentId", idStep.set, "--stack", stack]);
        if (set.status !== 0) {
            console.error((set.stderr ?? set.error?.message ?? "").trimEnd());
            return 1;
        }
        console.error(
            `stack.sh: this environment's id is now ${idStep.set} (devkube:doEnvironmentId in Pulumi.${stack}.yaml; ${idStep.why}): its volumes and cluster ` +
                "carry it, so no other checkout or state backend of the same stack name takes them. Keep it with the file (and commit it if a scheduled workflow runs this stack).",
        );
    }
    console.log(cli.command.length === 1 ? cli.command[0] : "launcher");
    console.log(writePackConfig(ROOT, stack));
    console.log(cli.pathFirst ?? "");
    return 0;
}

if (require.main === module) {
    try {
        process.exitCode = main(process.argv[2]);
    } catch (error) {
        console.error(`stack.sh: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 2;
    }
}
