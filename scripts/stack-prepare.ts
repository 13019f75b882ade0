// What `npm run up` and `npm run preview` (scripts/stack.sh) do before the Pulumi CLI runs the stack, in
// one process (each start of tsx or npx costs about half a second of every up; issue #14): choose the CLI, select
// the stack (creating it the first time), refuse a namespace move while the stack is awake, and write the
// policy pack's config for it.
// Usage: tsx scripts/stack-prepare.ts <stack>
//   stdout: the CLI to run (a path, or "launcher" for the npm package's launcher), the pack config's path,
//   and a folder to put first on PATH (the npm package's CLI run directly), or an empty line;
//   stderr: "stack.sh: ..." lines for people. Exit 2 when the stack must not go on, 1 for a CLI error it
//   cannot explain (printed as the CLI said it).
import { spawnSync } from "child_process";
import * as path from "path";
import { chooseCli, cliMissing } from "./pulumi-cli";
import { namespaceMoveProblem, stackNamespace, writePackConfig } from "./pack-config";

const ROOT = path.resolve(__dirname, "..");

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
