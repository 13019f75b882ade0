// Which Pulumi CLI devkube runs, and what to say when there is none.
// - chooseCli: the user's own `pulumi` (the first on PATH) when its version fits, else the project's npm
//   launcher (the `pulumi` package), which runs the CLI of its own version.
// - cliMissing: the npm launcher looks for the CLI of its own version under $PULUMI_HOME/versions/<version>/bin
//   and downloads it from get.pulumi.com when it is not there; if that fails it prints one line, "pulumi:
//   <reason>" (e.g. "fetch failed"), which says nothing of what is missing. This turns that line into one that does.
// Used by scripts/stack-prepare.ts (npm run up / preview).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** The CLI version the launcher wants (its own package version, unless PULUMI_VERSION says otherwise). */
export function launcherVersion(root = ROOT, env: NodeJS.ProcessEnv = process.env): string {
    return env.PULUMI_VERSION ?? JSON.parse(fs.readFileSync(path.join(root, "node_modules", "pulumi", "package.json"), "utf8")).version;
}

/** Where the npm launcher keeps the CLI of its version ($PULUMI_HOME/versions/<version>, with bin/ inside), once fetched. */
export function launcherCliRoot(root = ROOT, env: NodeJS.ProcessEnv = process.env): string {
    return path.join(env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"), "versions", launcherVersion(root, env));
}

/** A plain sentence when `output` is the launcher failing to provide the CLI; undefined for anything else. */
export function cliMissing(output: string, root = ROOT, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const line = output.split("\n").find((l) => l.startsWith("pulumi: ") && !l.startsWith("pulumi: failed to start"));
    if (!line) {
        return undefined;
    }
    const version = launcherVersion(root, env);
    const dir = path.join(launcherCliRoot(root, env), "bin");
    return (
        `the Pulumi CLI ${version} is not installed: the npm package "pulumi" looked for it in ${dir} and could not ` +
        `download it from get.pulumi.com (${line.slice("pulumi: ".length)}). Install Pulumi ${version} into that folder ` +
        `(https://www.pulumi.com/docs/iac/download-install/), or run where get.pulumi.com can be reached; nothing was changed`
    );
}

/** "3.259.0" from "v3.259.0" (what `pulumi version` prints), or undefined. */
export function parseVersion(text: string): number[] | undefined {
    const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
    return match ? match.slice(1).map(Number) : undefined;
}

/** An installed CLI fits when it has the launcher's major version and is no older: the SDK and the pack need what that release has. */
export function cliFits(installed: string, wanted: string): boolean {
    const [have, want] = [parseVersion(installed), parseVersion(wanted)];
    if (!have || !want || have[0] !== want[0]) {
        return false;
    }
    for (let i = 1; i < 3; i++) {
        if (have[i] !== want[i]) {
            return have[i] > want[i];
        }
    }
    return true;
}

export interface ChosenCli {
    /** The command to run: a CLI's path, or the npm launcher through npx. */
    readonly command: string[];
    /** The npm package's CLI run directly: its folder, with the language hosts beside it, goes first on PATH, as its launcher does. */
    readonly pathFirst?: string;
    /** Which one, and why, for people. */
    readonly why: string;
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** The first `pulumi` on PATH that is not the npm launcher itself (npm run puts node_modules/.bin first). */
function installedCli(env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, "pulumi");
        if (isExecutable(candidate) && !fs.realpathSync(candidate).includes(`${path.sep}node_modules${path.sep}`)) {
            return candidate;
        }
    }
    return undefined;
}

/**
 * The npm package's CLI: once its launcher has fetched it, run directly (through npx and the launcher,
 * `pulumi version` took 1.0-1.2 s here, directly 0.3-0.4 s); before that, through the launcher, which fetches it.
 */
function packageCli(root: string, env: NodeJS.ProcessEnv): Pick<ChosenCli, "command" | "pathFirst"> {
    const bin = path.join(launcherCliRoot(root, env), "bin");
    return isExecutable(path.join(bin, "pulumi")) ? { command: [path.join(bin, "pulumi")], pathFirst: bin } : { command: ["npx", "--no-install", "pulumi"] };
}

/** Where the version the pulumi on PATH printed is remembered, with what identifies its file. */
const VERSION_CACHE = path.join(ROOT, "node_modules", ".cache", "devkube-cli-version.json");

/** Whether a file starts as a native executable does (ELF, Mach-O, PE), not as a script. */
function isNativeExecutable(file: string): boolean {
    const head = Buffer.alloc(4);
    const fd = fs.openSync(file, "r");
    try {
        fs.readSync(fd, head, 0, 4, 0);
    } finally {
        fs.closeSync(fd);
    }
    const macho = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe];
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || macho.includes(head.readUInt32BE(0)) || head.subarray(0, 2).toString("latin1") === "MZ";
}

/**
 * What `cli version` prints: asked (0.3-0.4 s, on every `npm run up`) and remembered in `cacheFile` with
 * what identifies the file (path, inode, size, times), and taken from there while the file is the same one
 * (an upgrade replaces it). Only for Pulumi's own binary: a version manager's shim (asdf's script, mise's
 * link to mise itself) runs the version its settings choose, so it is asked every time.
 */
function printedVersion(cli: string, env: NodeJS.ProcessEnv, cacheFile: string): string {
    const ask = () => spawnSync(cli, ["version"], { encoding: "utf8", env, timeout: 30_000 }).stdout ?? "";
    const real = fs.realpathSync(cli);
    if (!path.basename(real).startsWith("pulumi") || !isNativeExecutable(real)) {
        return ask();
    }
    const stat = fs.statSync(real);
    const identity = JSON.stringify([real, stat.dev, stat.ino, stat.size, stat.mtimeMs, stat.ctimeMs]);
    try {
        const cached = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
        if (cached.identity === identity && typeof cached.printed === "string") {
            return cached.printed;
        }
    } catch {
        // None yet, or unreadable: ask.
    }
    const printed = ask();
    if (parseVersion(printed)) {
        try {
            fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
            const partial = `${cacheFile}.${process.pid}`;
            fs.writeFileSync(partial, JSON.stringify({ identity, printed }));
            fs.renameSync(partial, cacheFile);
        } catch {
            // Not writable: asked every time.
        }
    }
    return printed;
}

export function chooseCli(root = ROOT, env: NodeJS.ProcessEnv = process.env, versionCache = VERSION_CACHE): ChosenCli {
    const wanted = launcherVersion(root, env);
    const installed = installedCli(env);
    if (!installed) {
        return { ...packageCli(root, env), why: `using the npm package's Pulumi CLI ${wanted} (no pulumi on PATH)` };
    }
    const printed = printedVersion(installed, env, versionCache);
    const version = parseVersion(printed)?.join(".");
    if (version && cliFits(version, wanted)) {
        return { command: [installed], why: `using pulumi ${version} at ${installed} (on PATH)` };
    }
    const reason = version ? `is ${version}, older than ${wanted} or of another major version` : `did not print a version (${JSON.stringify(printed.trim().slice(0, 60))})`;
    return { ...packageCli(root, env), why: `using the npm package's Pulumi CLI ${wanted}: the pulumi on PATH (${installed}) ${reason}` };
}

/**
 * NODE_OPTIONS for the CLI that `npm run up` and `npm run preview` run (and `npm run wake`, through them):
 * the Node.js processes it starts, the program's and the policy pack's, preload scripts/fast-start.js.
 * An environment variable, because the CLI hands its own environment to both and no project or pack
 * setting reaches the pack. The user's own options are kept, after it.
 */
export function fastStartNodeOptions(root = ROOT, current = process.env.NODE_OPTIONS ?? ""): string {
    const preload = `--require ${JSON.stringify(path.join(root, "scripts", "fast-start.js"))}`;
    return current.includes(preload) ? current : [preload, current].filter(Boolean).join(" ");
}
