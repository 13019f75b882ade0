// The whole edit loop on the kwok cluster, as far as this machine allows: kwok answers `kubectl exec`
// into the editor with a shell in a local directory that stands for the share (ClusterExec), and
// `kubectl port-forward` to the web pod with the real nginx of the process tests serving that directory
// (ClusterPortForward into its network namespace). The web container is the one the API server holds;
// so is the editor's sshd, when the stack has devkube:ssh, run with Debian's OpenSSH and forwarded the same way.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { standIns } from "../processes/images";
import { RunningContainer } from "../processes/pod";
import { SHARE_UID } from "../../components/nfs-server";
import { SSH_CONTAINER, SSH_PORT } from "../../components/ssh";
import { kubeJson, kubectl, namespaceData } from "./lib";

const NS = "devkube";

export interface EditLoop {
    readonly share: string;
    stop(): Promise<void>;
}

/** One container of a Deployment as the API server holds it, run for real on the share; Ready by its own probe. */
async function runFromCluster(deploymentName: string, containerName: string | undefined, share: string): Promise<RunningContainer | undefined> {
    const pod = kubeJson(["-n", NS, "get", "deployment", deploymentName]).spec.template.spec;
    const container = containerName ? pod.containers.find((c: any) => c.name === containerName) : pod.containers[0];
    if (!container) {
        return undefined;
    }
    const running = await RunningContainer.start({
        name: deploymentName,
        container,
        profile: standIns()[container.image],
        volumes: pod.volumes,
        volumeDirs: { share },
        data: namespaceData(NS),
        podSecurity: pod.securityContext,
    });
    try {
        await running.waitFor(container.readinessProbe, 20);
    } catch (error) {
        await running.stop(5);
        throw error;
    }
    return running;
}

/** A port-forward command for kwok: relays standard input and output to a port in a container's network namespace. */
function relayInto(container: RunningContainer, port: number): string[] {
    const relay = `const s = require("net").connect(${port}, "127.0.0.1"); process.stdin.pipe(s); s.pipe(process.stdout); s.on("close", () => process.exit(0));`;
    return ["nsenter", "-t", String(container.pid), "-n", process.execPath, "-e", relay];
}

export async function start(): Promise<EditLoop> {
    const share = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-e2e-share-"));
    fs.chmodSync(share, 0o755);
    // As the NFS server's own-export leaves the export root: the squashed user's (the sshd runs as it).
    fs.chownSync(share, SHARE_UID, SHARE_UID);
    const started: RunningContainer[] = [];
    let web: RunningContainer;
    let ssh: RunningContainer | undefined;
    try {
        web = (await runFromCluster("web", undefined, share))!;
        started.push(web);
        ssh = await runFromCluster("editor", SSH_CONTAINER, share);
        if (ssh) {
            started.push(ssh);
        }
    } catch (error) {
        for (const c of started) {
            await c.stop(5);
        }
        fs.rmSync(share, { recursive: true, force: true });
        throw error;
    }
    const rules = [
        {
            apiVersion: "kwok.x-k8s.io/v1alpha1",
            kind: "ClusterExec",
            metadata: { name: "devkube-editor-shell" },
            spec: { selector: { matchNamespaces: [NS] }, execs: [{ containers: ["shell"], local: { workDir: share } }] },
        },
        {
            apiVersion: "kwok.x-k8s.io/v1alpha1",
            kind: "ClusterPortForward",
            metadata: { name: "devkube-web" },
            spec: {
                selector: { matchNamespaces: [NS] },
                forwards: [
                    { ports: [80], command: relayInto(web, 80) },
                    ...(ssh ? [{ ports: [SSH_PORT], command: relayInto(ssh, SSH_PORT) }] : []),
                ],
            },
        },
    ];
    const file = path.join(share, "..", `${path.basename(share)}-rules.json`);
    fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: rules }));
    kubectl(["apply", "-f", file]);
    return {
        share,
        async stop() {
            kubectl(["delete", "-f", file, "--ignore-not-found"]);
            for (const c of started) {
                await c.stop(5);
            }
            fs.rmSync(file, { force: true });
            fs.rmSync(share, { recursive: true, force: true });
        },
    };
}
