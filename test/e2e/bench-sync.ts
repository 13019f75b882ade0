// Benchmark (a script, not a test) of npm run sync on the local kwok cluster: the first copy of a
// 10,000-file tree (about 200 MB) against rsync over `kubectl exec` of the same tree (kubectl cp cannot finish here), and
// the time from a save in the folder to the bytes on the share, p50 and p95 over 100 saves. kwok answers
// `kubectl exec` into the editor with a local process in a directory that stands for the share
// (ClusterExec), so the transport is the real kubectl and API server, and the share is this machine's disk.
// Each first copy runs ROUNDS times into a fresh directory, the two tools taking turns to go first; the
// table gives the median and every round (single runs on a shared 2-core machine vary by half).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { KUBECONFIG, CONTEXT, WORK, kubectl, kubeJson, run as runIn, waitFor } from "./lib";
import { kubectlRemote } from "../../scripts/sync/share";
import { Sync } from "../../scripts/sync/session";
import { inDirectory } from "../../scripts/sync";

const NS = "devkube";
const FILES = Number(process.env.DEVKUBE_BENCH_SYNC_FILES ?? 10000);
const FILE_BYTES = 20_000;
const SAVES = 100;
const ROUNDS = Number(process.env.DEVKUBE_BENCH_SYNC_ROUNDS ?? 3);

/** A command run from the bench's own directory (there is no scratch project here). */
function run(command: string, args: string[]) {
    return runIn(command, args, { cwd: WORK });
}

function seconds(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e9;
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
        spec: { selector: { matchNamespaces: [NS] }, execs: [{ containers: ["shell"], local: { workDir: share } }] },
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
    const total = FILES * FILE_BYTES;
    const rows: string[][] = [];
    const remote = kubectlRemote({ namespace: NS, deployment: "editor", container: "shell", context: CONTEXT, kubeconfig: KUBECONFIG });
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);

    const rsh = path.join(WORK, "krsync");
    fs.writeFileSync(rsh, `#!/bin/sh\nshift\nexec kubectl ${base.join(" ")} -n ${NS} exec -i ${pod} -c shell -- "$@"\n`, { mode: 0o755 });
    const timed = async (work: () => Promise<void> | void): Promise<number> => {
        const start = process.hrtime.bigint();
        await work();
        return seconds(start);
    };
    const syncRound = (round: number) => timed(() => new Sync(inDirectory(remote, `sync-${round}`), { folder, delete: false, print }).catchUp("initial copy"));
    const rsyncRound = (round: number) =>
        timed(() => {
            const rsync = run("rsync", ["-a", "--blocking-io", "-e", rsh, `${folder}/`, `editor:rsync-${round}/`]);
            if (rsync.code !== 0) {
                throw new Error(`rsync: ${rsync.stderr}`);
            }
        });
    const syncTimes: number[] = [];
    const rsyncTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
            syncTimes.push(await syncRound(round));
            rsyncTimes.push(await rsyncRound(round));
        } else {
            rsyncTimes.push(await rsyncRound(round));
            syncTimes.push(await syncRound(round));
        }
    }
    const row = (name: string, times: number[]) => {
        const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
        return [name, `${median.toFixed(1)} (${times.map((t) => t.toFixed(1)).join(", ")})`, (total / 1e6 / median).toFixed(1)];
    };
    rows.push(row("npm run sync, first copy", syncTimes));
    const again = await timed(() => new Sync(inDirectory(remote, `sync-${ROUNDS - 1}`), { folder, delete: false, print }).catchUp("initial copy"));
    rows.push(["npm run sync, again (nothing differs)", again.toFixed(1), "-"]);

    // kubectl cp cannot finish here: its tar stream ends without padding to a whole record, and kwok's exec
    // never closes the local tar's standard input, so GNU tar waits for the rest (npm run sync pads its own).
    rows.push(["kubectl cp", "cannot finish on kwok", "-"]);
    rows.push(row("rsync -a over kubectl exec", rsyncTimes));
    console.log(`first copy / rsync, median of ${ROUNDS} rounds: ${(Number(rows[0][1].split(" ")[0]) / Number(rows[3][1].split(" ")[0])).toFixed(2)}`);

    // Save to share: a running sync, one save at a time, the share polled every 2 ms.
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const watched = `sync-${ROUNDS - 1}`;
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
