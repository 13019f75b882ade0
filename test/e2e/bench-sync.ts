// Benchmark (a script, not a test) of npm run sync on the local kwok cluster: the first copy of a
// 10,000-file tree (about 200 MB; random bytes, and slices of real code) against rsync over `kubectl exec`
// of the same tree (and rsync -z for the code; kubectl cp cannot finish here), and the time from a save
// in the folder to the bytes on the share, p50 and p95 over 100 saves. kwok answers `kubectl exec` into
// the editor with a local process in a directory that stands for the share (ClusterExec), with BusyBox's
// tools as the editor image has them, so the transport is the real kubectl and API server, and the share
// is this machine's disk, or memory. Each first copy runs ROUNDS times into a fresh directory, the tools
// taking turns to go first; the table gives the median and every round (single runs on a shared 2-core
// machine vary by half), and the whole machine's CPU time per copy.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { KUBECONFIG, CONTEXT, REPO, WORK, kubectl, kubeJson, median, run as runIn, waitFor } from "./lib";
import { kubectlRemote } from "../../scripts/sync/share";
import { Sync } from "../../scripts/sync/session";
import { inDirectory } from "../../scripts/sync";

const NS = "devkube";
const FILES = Number(process.env.DEVKUBE_BENCH_SYNC_FILES ?? 10000);
const FILE_BYTES = 20_000;
const SAVES = 100;
const ROUNDS = Number(process.env.DEVKUBE_BENCH_SYNC_ROUNDS ?? 5);

/** A command run from the bench's own directory (there is no scratch project here). */
function run(command: string, args: string[]) {
    return runIn(command, args, { cwd: WORK });
}

function seconds(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * A tree like a project's code, 10,000 files of 20 kB: slices of the JavaScript, TypeScript, JSON and
 * Markdown in this repository's node_modules, one after another (deflate looks back 32 kB only, so the
 * repetition past the corpus's end does not make it shrink more).
 */
function codeTree(dir: string): void {
    const texts: Buffer[] = [];
    let size = 0;
    const walk = (at: string) => {
        for (const entry of fs.readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const file = path.join(at, entry.name);
            if (entry.isDirectory()) {
                walk(file);
            } else if (entry.isFile() && /\.(js|ts|json|md)$/.test(entry.name) && size < 64e6) {
                const text = fs.readFileSync(file);
                texts.push(text);
                size += text.length;
            }
        }
    };
    walk(path.join(REPO, "node_modules"));
    const corpus = Buffer.concat(texts);
    for (let i = 0; i < FILES; i++) {
        const sub = path.join(dir, `src${Math.floor(i / 100)}`);
        fs.mkdirSync(sub, { recursive: true });
        const at = (i * FILE_BYTES) % (corpus.length - FILE_BYTES);
        fs.writeFileSync(path.join(sub, `m${i}.js`), corpus.subarray(at, at + FILE_BYTES));
    }
}

/**
 * The editor image's tools for the share's side: BusyBox's (tar, dd, stat, find, awk, as in the editor's
 * Alpine image; the exec's sh is this machine's), and rsync for the baseline's far end.
 */
function shareTools(): string {
    const dir = path.join(WORK, "share-tools");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const installed = run("busybox", ["--install", "-s", dir]);
    if (installed.code !== 0) {
        throw new Error(`busybox --install: ${installed.stderr}`);
    }
    fs.symlinkSync(run("sh", ["-c", "command -v rsync"]).stdout.trim(), path.join(dir, "rsync"));
    return dir;
}

/** CPU seconds the whole machine has spent (user, nice, system, irq), from /proc/stat. */
function machineCpuSeconds(): number {
    const [, user, nice, system, , , irq, softirq] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq) / 100;
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function apply(name: string, object: object): void {
    const file = path.join(WORK, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(object));
    kubectl(["apply", "-f", file]);
}

async function main(): Promise<void> {
    const share = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-bench-share-"));
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-bench-folder-"));
    // 200 MB and its copies: gone however the bench ends.
    process.on("exit", () => {
        fs.rmSync(folder, { recursive: true, force: true });
        fs.rmSync(share, { recursive: true, force: true });
    });
    const base = ["--kubeconfig", KUBECONFIG, "--context", CONTEXT];
    // The exec rule first, then the editor (in one apply, kwok did not answer the pod's exec).
    apply("bench-namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    apply("bench-exec", {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "ClusterExec",
        metadata: { name: "bench-editor" },
        spec: { selector: { matchNamespaces: [NS] }, execs: [{ containers: ["shell"], local: { workDir: share, envs: [{ name: "PATH", value: shareTools() }] } }] },
    });
    apply("bench-editor", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "editor", namespace: NS },
        spec: {
            selector: { matchLabels: { app: "editor" } },
            template: { metadata: { labels: { app: "editor" } }, spec: { containers: [{ name: "shell", image: "alpine:3.21.3" }] } },
        },
    });
    const pod = await waitFor("the editor pod", () => kubeJson(["-n", NS, "get", "pods", "-l", "app=editor"]).items.find((p: any) => p.status.phase === "Running")?.metadata.name, 120);
    await waitFor("kwok's exec rule", () => (run("kubectl", [...base, "-n", NS, "exec", pod, "-c", "shell", "--", "true"]).code === 0 ? true : undefined), 60);

    for (let i = 0; i < FILES; i++) {
        const dir = path.join(folder, `d${Math.floor(i / 100)}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `f${i}.txt`), randomBytes(FILE_BYTES));
    }
    const code = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-bench-code-"));
    process.on("exit", () => fs.rmSync(code, { recursive: true, force: true }));
    codeTree(code);
    const total = FILES * FILE_BYTES;
    const rows: string[][] = [];
    const remote = kubectlRemote({ namespace: NS, deployment: "editor", container: "shell", context: CONTEXT, kubeconfig: KUBECONFIG });
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);

    const rsh = path.join(WORK, "krsync");
    fs.writeFileSync(rsh, `#!/bin/sh\nshift\nexec kubectl ${base.join(" ")} -n ${NS} exec -i ${pod} -c shell -- "$@"\n`, { mode: 0o755 });
    const cpuTimes: Record<string, number[]> = {};
    const timed = async (work: () => Promise<void> | void, label?: string): Promise<number> => {
        // What an earlier round left to write back to the disk is written first, not during this round.
        run("sync", []);
        const cpu = machineCpuSeconds();
        const start = process.hrtime.bigint();
        await work();
        const wall = seconds(start);
        if (label) {
            (cpuTimes[label] ??= []).push(machineCpuSeconds() - cpu);
        }
        return wall;
    };
    const row = (name: string, times: number[]) => [name, `${median(times).toFixed(1)} (${times.map((t) => t.toFixed(1)).join(", ")})`, (total / 1e6 / median(times)).toFixed(1)];
    // On this machine's disk, creating 10,000 files takes 1.4-5.7 s from one run to the next (it discards
    // freed blocks), which decides more than either tool; a share in memory leaves the tools' own costs.
    const media: [string, string][] = [["disk", ""]];
    if (fs.existsSync("/dev/shm")) {
        const memory = fs.mkdtempSync("/dev/shm/devkube-bench-share-");
        process.on("exit", () => fs.rmSync(memory, { recursive: true, force: true }));
        fs.symlinkSync(memory, path.join(share, "memory"));
        media.push(["memory", "memory/"]);
    }
    // Random bytes (nothing shrinks: the transport's own cost) and code (npm run sync gzips what
    // shrinks, so rsync -z is the fair baseline there too).
    const trees: { name: string; dir: string; tools: string[] }[] = [
        { name: "random bytes", dir: folder, tools: ["sync", "rsync -a"] },
        { name: "code", dir: code, tools: ["sync", "rsync -a", "rsync -az"] },
    ];
    const ratios: string[] = [];
    let copies = 0;
    for (const tree of trees) {
        for (const [medium, prefix] of media) {
            const times: Record<string, number[]> = {};
            for (let round = 0; round < ROUNDS; round++) {
                // The tools take turns to go first.
                const order = [...tree.tools.slice(round % tree.tools.length), ...tree.tools.slice(0, round % tree.tools.length)];
                for (const tool of order) {
                    const dir = `${prefix}copy-${copies++}`;
                    const label = `${tool}, ${tree.name}, ${medium}`;
                    (times[tool] ??= []).push(
                        await timed(async () => {
                            if (tool === "sync") {
                                await new Sync(inDirectory(remote, dir), { folder: tree.dir, delete: false, print }).catchUp("initial copy");
                                return;
                            }
                            const rsync = run("rsync", [tool.split(" ")[1], "--blocking-io", "-e", rsh, `${tree.dir}/`, `editor:${dir}/`]);
                            if (rsync.code !== 0) {
                                throw new Error(`rsync: ${rsync.stderr}`);
                            }
                        }, label),
                    );
                }
            }
            const name = (tool: string) => (tool === "sync" ? "npm run sync, first copy" : `${tool} over kubectl exec`);
            for (const tool of tree.tools) {
                rows.push(row(`${name(tool)} (${tree.name}, share on ${medium}), CPU ${median(cpuTimes[`${tool}, ${tree.name}, ${medium}`]).toFixed(1)} s`, times[tool]));
            }
            const fastest = Math.min(...tree.tools.filter((t) => t !== "sync").map((t) => median(times[t])));
            ratios.push(`${tree.name} on ${medium} ${(median(times.sync) / fastest).toFixed(2)}`);
        }
    }
    const again = await timed(() => new Sync(inDirectory(remote, "copy-0"), { folder, delete: false, print }).catchUp("initial copy"));
    rows.push(["npm run sync, again (nothing differs)", again.toFixed(1), "-"]);

    // kubectl cp cannot finish here: its tar stream ends without padding to a whole record, and kwok's exec
    // never closes the local tar's standard input, so GNU tar waits for the rest (npm run sync pads its own).
    rows.push(["kubectl cp", "cannot finish on kwok", "-"]);
    console.log(`first copy / the faster rsync, median of ${ROUNDS} rounds: ${ratios.join("; ")}`);

    // Save to share: a running sync, one save at a time, the share polled every 2 ms.
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const watched = "copy-0";
    const session = new Sync(inDirectory(remote, watched), { folder, delete: false, print }).run(stopped);
    await waitFor("the watch", () => (lines.some((l) => l.startsWith("watching ")) ? true : undefined), 300);
    const latencies: number[] = [];
    for (let i = 0; i < SAVES; i++) {
        const text = `save ${i} ${Date.now()}\n`;
        const saved = process.hrtime.bigint();
        fs.writeFileSync(path.join(folder, "d0", "edited.txt"), text);
        for (;;) {
            try {
                if (fs.readFileSync(path.join(share, watched, "d0", "edited.txt"), "utf8") === text) {
                    break;
                }
            } catch {
                // Not there yet.
            }
            await new Promise((resolve) => setTimeout(resolve, 2));
        }
        latencies.push(seconds(saved) * 1000);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop();
    await session;
    latencies.sort((a, b) => a - b);

    console.log(`\n${FILES} files, ${(total / 1e6).toFixed(0)} MB, on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${new Date().toISOString().slice(0, 10)}\n`);
    console.log(`| first copy | seconds: median (each round) | MB/s (median) |`);
    console.log("|---|---|---|");
    rows.forEach((r) => console.log(`| ${r.join(" | ")} |`));
    console.log(`\nsave to share over ${SAVES} saves: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms`);
}

main().catch((error) => {
    console.error(`bench-sync: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
});
