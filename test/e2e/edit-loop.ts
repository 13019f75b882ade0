// The whole edit loop on the kwok cluster, as far as this machine allows: kwok answers `kubectl exec`
// into the editor with a shell in a local directory that stands for the share (ClusterExec), and
// `kubectl port-forward` to the web pod with the real nginx of the process tests serving that directory
// (ClusterPortForward into its network namespace). The web container is the one the API server holds.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { standIns } from "../processes/images";
import { RunningContainer } from "../processes/pod";
import { kubeJson, kubectl } from "./lib";

const NS = "devkube";

export interface EditLoop {
    readonly share: string;
    stop(): Promise<void>;
}

export async function start(): Promise<EditLoop> {
    const share = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-e2e-share-"));
    fs.chmodSync(share, 0o755);
    const deployment = kubeJson(["-n", NS, "get", "deployment", "web"]);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const configMaps: Record<string, Record<string, string>> = {};
    for (const v of pod.volumes.filter((v: any) => v.configMap)) {
        configMaps[v.configMap.name] = kubeJson(["-n", NS, "get", "configmap", v.configMap.name]).data;
    }
    const web = await RunningContainer.start({
        name: "web",
        container,
        profile: standIns()[container.image],
        volumes: pod.volumes,
        volumeDirs: { share },
        data: { configMaps, secrets: {} },
        podSecurity: pod.securityContext,
    });
    try {
        await web.waitFor(container.readinessProbe, 20);
    } catch (error) {
        await web.stop(5);
        fs.rmSync(share, { recursive: true, force: true });
        throw error;
    }
    const relay = `const s = require("net").connect(80, "127.0.0.1"); process.stdin.pipe(s); s.pipe(process.stdout); s.on("close", () => process.exit(0));`;
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
                forwards: [{ ports: [80], command: ["nsenter", "-t", String(web.pid), "-n", process.execPath, "-e", relay] }],
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
            await web.stop(5);
            fs.rmSync(file, { force: true });
            fs.rmSync(share, { recursive: true, force: true });
        },
    };
}
