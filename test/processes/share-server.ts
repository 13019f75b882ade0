// The NFS server as a node runs it, here: its pod's initContainers run to completion, then its server
// container starts with this machine's NFS-Ganesha (pod.ts) and turns Ready by its own probe; an NFSv4.1
// client (nfs41-cli.ts, as nfsvers=4.1 mounts speak) talks to it on the pod's loopback. The process suite
// uses the client; the e2e suite serves the pod the real API server holds, on the directory that stands
// for the disk behind its PersistentVolume, to read back a file across a plain destroy.
import * as path from "path";
import { NFS_SERVER } from "../../contract/identity";
import { NamespaceData } from "./kubelet";
import { standIns } from "./images";
import { RunningContainer, run } from "./pod";

/** Runs NFSv4.1 client steps (nfs41-cli.ts) in the pod's network namespace, on its loopback. */
export function nfs41(pid: number, uid: number, steps: object[], options: { abandon?: boolean; timeoutMs?: number } = {}): any[] {
    const r = run("nsenter", ["-t", String(pid), "-n", process.execPath, "--import", "tsx", path.join(__dirname, "nfs41-cli.ts"), JSON.stringify({ uid, steps, ...options })], options.timeoutMs ?? 30000);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    let out: { results?: any[]; error?: string };
    try {
        out = JSON.parse(line);
    } catch {
        throw new Error(`NFSv4.1 client: ${r.stdout}${r.stderr}`);
    }
    if (out.error) {
        throw new Error(`NFSv4.1 client (uid ${uid}): ${out.error}`);
    }
    return out.results!;
}

/**
 * The NFS server pod (a Deployment's pod spec, as plain JSON) started here: initContainers first, then the
 * server, Ready by its own readiness probe. `volumeDirs` stand for its claims and emptyDirs, by volume name.
 */
export async function serveShare(pod: Record<string, any>, data: NamespaceData, volumeDirs: Record<string, string>): Promise<RunningContainer> {
    if (process.getuid?.() !== 0) {
        throw new Error("running the NFS server for real needs root (namespaces, mounts), as npm run test:processes does");
    }
    const profiles = standIns();
    const options = (container: Record<string, any>) => {
        const profile = profiles[container.image];
        if (!profile) {
            throw new Error(`no stand-in for image ${container.image} (test/processes/images.ts)`);
        }
        return { name: NFS_SERVER.name, container, profile, volumes: pod.volumes ?? [], volumeDirs, data, podSecurity: pod.securityContext };
    };
    for (const init of pod.initContainers ?? []) {
        const done = await RunningContainer.runToCompletion(options(init));
        if (done.code !== 0) {
            throw new Error(`initContainer ${init.name} exited ${done.code}: ${done.logs}`);
        }
    }
    const container = (pod.containers ?? []).find((c: Record<string, any>) => c.name === NFS_SERVER.container);
    if (!container) {
        throw new Error(`the pod has no ${NFS_SERVER.container} container`);
    }
    const server = await RunningContainer.start(options(container));
    try {
        await server.waitFor(container.readinessProbe, 60);
    } catch (error) {
        await server.stop(5);
        throw new Error(`the NFS server did not turn Ready: ${error instanceof Error ? error.message : error}\n${server.logs()}`);
    }
    return server;
}
