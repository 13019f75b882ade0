// What `npm run up` and `npm run preview` (scripts/stack.sh) do before the Pulumi CLI runs the stack, in
// one process (each start of tsx or npx costs about half a second of every up; issue #14): choose the CLI, select
// the stack (creating it the first time), give a DigitalOcean stack its environment id the first time, refuse a
// namespace move while the stack is awake, and write the policy pack's config for it.
// Usage: node scripts/ts-run.js scripts/stack-prepare.ts <stack>
//   stdout: the CLI to run (a path, or "launcher" for the npm package's launcher), the pack config's path,
//   a folder to put first on PATH (the npm package's CLI run directly), or an empty line, and the
//   NODE_OPTIONS to run the CLI with (fastStartNodeOptions);
//   stderr: "stack.sh: ..." lines for people. Exit 2 when the stack must not go on, 1 for a CLI error it
//   cannot explain (printed as the CLI said it).
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chooseCli, cliMissing, fastStartNodeOptions } from "./pulumi-cli";
import { namespaceMoveProblem, stackNamespace, writePackConfig } from "./pack-config";
import { stackSetting } from "./stack-file";
import { newEnvironmentId } from "../contract/identity";

const ROOT = path.resolve(__dirname, "..");

/** What stack-prepare knows of a stack when it decides about its environment id. */
export interface IdFacts {
    readonly target: unknown;
    /** devkube:doEnvironmentId in Pulumi.<stack>.yaml. */
    readonly id: unknown;
    readonly ci: boolean;
    /** The id this checkout made or accepted for the stack before (its marker under .pulumi/), if any. */
    readonly known: string | undefined;
    /** DEVKUBE_KEEP_ENVIRONMENT_ID: the id a person said is this environment's. */
    readonly keep: string | undefined;
    /** Whether the stack's state holds resources (it is awake). */
    readonly awake: boolean;
    /** Whether this state backend has an update of the stack on record (asked only when needed: one CLI call). */
    readonly updatedHere: () => boolean;
}

export type IdStep = { readonly set: string } | { readonly accept: string } | { readonly say: string } | { readonly refuse: string };

/**
 * What `npm run up` does about devkube:doEnvironmentId on a DigitalOcean stack:
 * - none yet: a new one (set), except under CI, where one would not outlive the checkout (say);
 * - one this checkout made or accepted, or one the stack has been up with in this state backend: kept
 *   (accept: remembered in the checkout, so the question is never asked again);
 * - one that came with the file and was never up here (a teammate's committed file, or your own
 *   environment in a new clone or a moved state: only a person can tell): refused, saying both ways on,
 *   unless DEVKUBE_KEEP_ENVIRONMENT_ID names it. CI keeps the file's id: its backend is the environment's own.
 */
export function environmentIdStep(stack: string, facts: IdFacts): IdStep | undefined {
    if (facts.target !== "digitalocean") {
        return undefined;
    }
    const id = typeof facts.id === "string" ? facts.id : "";
    if (id === "") {
        return facts.ci
            ? {
                  say:
                      `devkube:doEnvironmentId is not set in Pulumi.${stack}.yaml, and one made here would not outlive this checkout: ` +
                      "run npm run up once on your machine (it sets one) and commit the file; until then, no new volume is made",
              }
            : { set: newEnvironmentId() };
    }
    if (facts.ci || facts.known === id) {
        return undefined;
    }
    if (facts.keep === id || facts.awake || facts.updatedHere()) {
        return { accept: id };
    }
    return {
        refuse:
            `Pulumi.${stack}.yaml carries devkube:doEnvironmentId ${id}, and stack ${stack} has never been up in this state backend: whose environment is it? ` +
            `If it is yours (a new clone, or its state moved here), the next up takes its volumes back: DEVKUBE_KEEP_ENVIRONMENT_ID=${id} npm run up -- ${stack}. ` +
            `If it is someone else's (a teammate's committed file), give this stack its own: pulumi -s ${stack} config set devkube:doEnvironmentId ${newEnvironmentId()} ` +
            "(or use a stack name of your own). Nothing was changed",
    };
}

/** Where this checkout remembers the environment id it made or accepted for a stack (.pulumi/ is git-ignored). */
function idMarker(stack: string): string {
    return path.join(ROOT, ".pulumi", `devkube-environment-${stack}`);
}

function rememberId(marker: string, id: string): void {
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, `${id}\n`);
}

interface CliResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly error?: Error;
}

async function main(stack: string): Promise<number> {
    const cli = chooseCli(ROOT);
    console.error(`stack.sh: ${cli.why}`);
    const env = cli.pathFirst ? { ...process.env, PATH: `${cli.pathFirst}${path.delimiter}${process.env.PATH ?? ""}` } : process.env;
    const options = { cwd: ROOT, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 } as const;
    const [file, ...before] = cli.command;
    const pulumi = (args: string[]): CliResult => spawnSync(file, [...before, ...args], options);
    const pulumiAsync = (args: string[]) =>
        new Promise<CliResult>((resolve) =>
            execFile(file, [...before, ...args], options, (error, stdout, stderr) =>
                resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr, error: error ?? undefined }),
            ),
        );
    // The stack selected (created the first time) and its state read side by side, as each CLI start is
    // about 0.35 s of every up; a stack that did not exist yet is read again once it does. Through the npm
    // launcher, one after the other: the first call may be fetching the CLI.
    const select = ["stack", "select", "--create", stack];
    const exportState = ["stack", "export", "--stack", stack];
    const [selected, firstExport] =
        cli.command.length === 1 ? await Promise.all([pulumiAsync(select), pulumiAsync(exportState)]) : [await pulumiAsync(select), undefined];
    if (selected.status !== 0) {
        // The npm launcher's "pulumi: fetch failed" says nothing of what is missing: say it.
        const hint = cliMissing(selected.stderr ?? "");
        const reason = (selected.stderr || selected.error?.message || `exit ${selected.status}`).trim().split("\n").join(" ");
        console.error(`stack.sh: ${hint ?? `pulumi stack select ${stack} failed, so nothing was changed: ${reason}`}`);
        return hint ? 2 : 1;
    }
    // Refused first when the environment is awake in another namespace (namespaceMoveProblem says why).
    const exported = firstExport?.status === 0 ? firstExport : await pulumiAsync(exportState);
    const state = exported.status === 0 && exported.stdout.trim() ? JSON.parse(exported.stdout) : {};
    const problem = namespaceMoveProblem(stack, stackNamespace(ROOT, stack), state);
    if (problem) {
        console.error(`stack.sh: ${problem}`);
        return 2;
    }
    const marker = idMarker(stack);
    const idStep = environmentIdStep(stack, {
        target: stackSetting(ROOT, stack, "devkube:target"),
        id: stackSetting(ROOT, stack, "devkube:doEnvironmentId"),
        ci: Boolean(process.env.CI),
        known: fs.existsSync(marker) ? fs.readFileSync(marker, "utf8").trim() : undefined,
        keep: process.env.DEVKUBE_KEEP_ENVIRONMENT_ID,
        awake: (state.deployment?.resources ?? []).length > 0,
        updatedHere: () => {
            const history = pulumi(["stack", "history", "--stack", stack, "--json"]);
            // Unknown counts as updated: the file's id is kept.
            return history.status !== 0 || !/^\s*\[\s*\]\s*$/.test(history.stdout ?? "");
        },
    });
    if (idStep && "say" in idStep) {
        console.error(`stack.sh: ${idStep.say}`);
    } else if (idStep && "refuse" in idStep) {
        console.error(`stack.sh: ${idStep.refuse}`);
        return 2;
    } else if (idStep && "set" in idStep) {
        const set = pulumi(["config", "set", "devkube:doEnvironmentId", idStep.set, "--stack", stack]);
        if (set.status !== 0) {
            console.error((set.stderr ?? set.error?.message ?? "").trimEnd());
            return 1;
        }
        rememberId(marker, idStep.set);
        console.error(
            `stack.sh: this environment's id is ${idStep.set} (devkube:doEnvironmentId, now in Pulumi.${stack}.yaml): its volumes and cluster carry it, ` +
                "so no other checkout or state backend of the same stack name takes them. Keep it with the file (and commit it if a scheduled workflow runs this stack).",
        );
    } else if (idStep) {
        rememberId(marker, idStep.accept);
    }
    console.log(cli.command.length === 1 ? cli.command[0] : "launcher");
    console.log(writePackConfig(ROOT, stack));
    console.log(cli.pathFirst ?? "");
    console.log(fastStartNodeOptions(ROOT));
    return 0;
}

if (require.main === module) {
    main(process.argv[2]).then(
        (code) => (process.exitCode = code),
        (error) => {
            console.error(`stack.sh: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = 2;
        },
    );
}
