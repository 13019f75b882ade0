// npm run sync -- <stack> [folder] [--to <dir on the share>] [--delete]
// A folder on your laptop, kept in step with the share: the first copy sends only what differs, then
// every save, create, rename and delete goes in batches, through `kubectl exec` into the editor (the
// Kubernetes API only: no port is opened), until Ctrl-C or the stack goes to sleep.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EDITOR_CONTAINER, WORKLOAD_NAMES } from "../contract/identity";
import { EngineUnavailable, StackEngine, automationEngine } from "./engine";
import { NightError, ROOT, checkStack, fail } from "./night";
import { chooseCli } from "./pulumi-cli";
import { checkedConfig } from "./stack-config";
import { Remote, kubectlRemote } from "./sync/share";
import { Ending, Sync } from "./sync/session";

export interface SyncArgs {
    readonly stack?: string;
    readonly folder: string;
    /** A directory of the share, relative to its root ("" for the root itself). */
    readonly to: string;
    readonly delete: boolean;
}

const USAGE = "npm run sync -- <stack> [folder] [--to <dir on the share>] [--delete]";

/** The command line; a relative folder is the one the command was typed in (npm runs scripts from the project root). */
export function parseSyncArgs(argv: readonly string[], typedIn: string): SyncArgs {
    const rest: string[] = [];
    let to = "";
    let remove = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--delete") {
            remove = true;
        } else if (argv[i] === "--to") {
            to = argv[++i] ?? "";
            if (to === "" || to.startsWith("/") || to.split("/").includes("..")) {
                fail(`--to: got ${JSON.stringify(to)}; name a directory of the share relative to its root, e.g. --to hello (usage: ${USAGE})`);
            }
        } else if (argv[i].startsWith("--")) {
            fail(`unknown option ${argv[i]} (usage: ${USAGE})`);
        } else {
            rest.push(argv[i]);
        }
    }
    if (rest.length > 2) {
        fail(`too many arguments: ${rest.slice(2).join(" ")} (usage: ${USAGE})`);
    }
    return { stack: rest[0], folder: path.resolve(typedIn, rest[1] ?? "."), to: to.replace(/\/+$/, ""), delete: remove };
}

/** Runs the scripts in a directory of the share, made if need be. */
export function inDirectory(remote: Remote, dir: string): Remote {
    if (dir === "") {
        return remote;
    }
    const quoted = `'${dir.replace(/'/g, `'\\''`)}'`;
    return { ...remote, describe: `${remote.describe}, directory ${dir}`, run: (script, args, input, output) => remote.run(`mkdir -p -- ${quoted} && cd -- ${quoted} || exit 1\n${script}`, args, input, output) };
}

/** The editor of the stack, from its config (namespace, kube context) and the kubeconfig output of a target that makes its cluster. */
export async function editorOf(name: string, engine: StackEngine): Promise<{ remote: Remote; cleanup: () => void }> {
    const config = await checkedConfig(name, engine, "says where its editor is");
    const settings = config.target as { kubeContext?: string };
    // A target that makes its cluster (DigitalOcean) hands out its kubeconfig as an output.
    const { kubeconfig: made } = await engine.outputs(name);
    let kubeconfig: string | undefined;
    let dir: string | undefined;
    if (typeof made === "string") {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-sync-"));
        kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, made, { mode: 0o600 });
    }
    const remote = kubectlRemote({
        namespace: config.namespace,
        deployment: WORKLOAD_NAMES.editor,
        container: EDITOR_CONTAINER,
        context: settings.kubeContext || undefined,
        kubeconfig,
    });
    return { remote, cleanup: () => dir && fs.rmSync(dir, { recursive: true, force: true }) };
}

/** What the sync says when it ends, and its exit code. */
export function ending(how: Ending, stack: string): { line: string; code: number } {
    switch (how) {
        case "stopped":
            return { line: "sync stopped; the share has every change sent so far", code: 0 };
        case "asleep":
            return { line: `stack ${stack} is asleep (no editor in its namespace): sync stopped. npm run wake -- ${stack}, then run the sync again`, code: 2 };
        case "gave up":
            return { line: "the share could not be reached again: sync stopped (run it again; it resumes with a diff)", code: 1 };
    }
}

export async function sync(args: SyncArgs, engine: StackEngine, print: (line: string) => void, stop: Promise<void>, root = ROOT): Promise<number> {
    const name = await checkStack(args.stack, engine, root, USAGE);
    if (!fs.existsSync(args.folder) || !fs.statSync(args.folder).isDirectory()) {
        fail(`${args.folder} is not a folder (usage: ${USAGE})`);
    }
    const editor = await editorOf(name, engine);
    try {
        const remote = inDirectory(editor.remote, args.to);
        print(`sync: ${args.folder} -> the share of stack ${name} (${remote.describe})`);
        const how = await new Sync(remote, { folder: args.folder, delete: args.delete, print }).run(stop);
        const end = ending(how, name);
        print(end.line);
        return end.code;
    } finally {
        editor.cleanup();
    }
}

if (require.main === module) {
    // Ctrl-C stops after the batch in flight; signals within a second are that one Ctrl-C (a terminal
    // sends it to npm and node alike, and npm passes it on), a later one stops at once.
    let first = 0;
    const stop = new Promise<void>((resolve) =>
        process.on("SIGINT", () => {
            if (first === 0) {
                first = Date.now();
                resolve();
            } else if (Date.now() - first > 1000) {
                process.exit(130);
            }
        }),
    );
    Promise.resolve()
        .then(async () => {
            const args = parseSyncArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
            const engine = await automationEngine(ROOT, chooseCli());
            process.exitCode = await sync(args, engine, (line) => console.log(line), stop);
        })
        .catch((error) => {
            console.error(`sync: ${error instanceof Error ? error.message : error}`);
            process.exitCode = error instanceof NightError || error instanceof EngineUnavailable ? 2 : 1;
        })
        .finally(() => process.exit());
}
