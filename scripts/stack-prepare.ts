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

/**
 * What a stack's first `npm run up` does about devkube:doEnvironmentId: a DigitalOcean stack without one gets a
 * new one, kept in Pulumi.<stack>.yaml, except under CI, where it would not outlive the checkout (and every
 * run would be another environment): there it is only said.
 */
export function environmentIdStep(stack: string, target: unknown, id: unknown, ci: boolean): { set: string } | { say: string } | undefined {
    if (target !== "digitalocean" || (typeof id === "string" && id !== "")) {
        return undefined;
    }
    if (ci) {
        return {
            say:
                `devkube:doEnvironmentId is not set in Pulumi.${stack}.yaml, and one made here would not outlive this checkout: ` +
                "run npm run up once on your machine (it sets one) and commit the file; until then, untagged volumes are taken back by name alone",
        };
    }
    return { set: newEnvironmentId() };
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
    const idStep = environmentIdStep(stack, stackSetting(ROOT, stack, "devkube:target"), stackSetting(ROOT, stack, "devkube:doEnvironmentId"), Boolean(process.env.CI));
    if (idStep && "say" in idStep) {
        console.error(`stack.sh: ${idStep.say}`);
    } else if (idStep) {
        const set = pulumi(["config", "set", "devkube:doEnvironmentId", idStep.set, "--stack", stack]);
        if (set.status !== 0) {
            console.error((set.stderr ?? set.error?.message ?? "").trimEnd());
            return 1;
        }
        console.error(
            `stack.sh: this environment's id is ${idStep.set} (devkube:doEnvironmentId, now in Pulumi.${stack}.yaml): its volumes and cluster carry it, ` +
                "so no other checkout or state backend of the same stack name takes them. Keep it with the file (and commit it if a scheduled workflow runs this stack).",
        );
    }
    // Refused first when the environment is awake in another namespace (namespaceMoveProblem says why).
    const exported = pulumi(["stack", "export", "--stack", stack]);
    const state = exported.status === 0 && exported.stdout.trim() ? JSON.parse(exported.stdout) : {};
    const problem = namespaceMoveProblem(stack, stackNamespace(ROOT, stack), state);
    if (problem) {
        console.error(`stack.sh: ${problem}`);
        return 2;
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
