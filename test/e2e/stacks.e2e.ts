// The real Pulumi engine, the real Kubernetes provider and the policy pack against a real API server
// (kwok: nodes and pods become Ready, no container runs). One scratch project, stacks run in order.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { execFileSync, spawn } from "child_process";
import * as editLoop from "./edit-loop";
import { fixtureHeader } from "../harness";
import { NFS_SERVER } from "../../contract/identity";
import type { RunningContainer } from "../processes/pod";
import { nfs41, serveShare } from "../processes/share-server";
import { clientKey } from "../processes/ssh-key";
import {
    exists,
    initStack,
    kubeJson,
    kubectl,
    mustPulumi,
    namespaceData,
    npmUp,
    prepareProject,
    policyFlags,
    pulumi,
    run,
    snapshot,
    stackOutputs,
    tail,
    waitFor,
    CONTEXT,
    KUBECONFIG,
    PROJECT,
    REPO,
    WORK,
} from "./lib";

const NS = "devkube";

interface Observed {
    readonly clusterIP?: string;
    readonly shareServer: string;
    readonly workspaceSource: unknown;
}

/**
 * `pulumi destroy --yes` as a user types it (with its preview): it must succeed, empty the state and
 * remove the namespace and every devkube PersistentVolume (the files stay: Retain, or not devkube's).
 */
async function plainDestroy(stack: string): Promise<void> {
    const destroyed = pulumi(stack, ["destroy", "--yes"]);
    assert.equal(destroyed.code, 0, tail(destroyed.stdout + destroyed.stderr));
    assert.deepEqual(JSON.parse(mustPulumi(stack, ["stack", "export"]).stdout).deployment.resources ?? [], [], "the state is empty");
    await waitFor("the namespace to be gone", () => !exists(["namespace", NS]) || undefined, 120);
    assert.deepEqual(devkubePvs(), [], "the PV objects are gone (the files are not)");
}

/** Stands for the nodes' disks: the files of a PV whose hostPath (or local path) is P are in NODE_DISKS + P. */
const NODE_DISKS = path.join(WORK, "node-disks");

/**
 * The NFS server the cluster holds (its Deployment's pod, the namespace's ConfigMaps and Secrets), run
 * here for real (test/processes/share-server.ts): kwok runs no container, so this is what a node would
 * run, its export on the directory that stands for the disk behind the PV its claim is bound to.
 */
async function serveClusterShare(): Promise<RunningContainer> {
    const pod = kubeJson(["-n", NS, "get", "deployment", NFS_SERVER.name]).spec.template.spec;
    const data = namespaceData(NS);
    const volumeDirs: Record<string, string> = {};
    for (const volume of pod.volumes ?? []) {
        if (volume.persistentVolumeClaim) {
            const claim = kubeJson(["-n", NS, "get", "pvc", volume.persistentVolumeClaim.claimName]);
            const pv = kubeJson(["get", "pv", claim.spec.volumeName]);
            const disk = pv.spec.hostPath?.path ?? pv.spec.local?.path;
            assert.ok(disk, `the PV behind claim ${claim.metadata.name} is on a node's disk: ${JSON.stringify(pv.spec)}`);
            // As the kubelet does for hostPath type DirectoryOrCreate.
            volumeDirs[volume.name] = path.join(NODE_DISKS, disk);
            fs.mkdirSync(volumeDirs[volume.name], { recursive: true });
        } else if (volume.emptyDir) {
            fs.mkdirSync(NODE_DISKS, { recursive: true });
            volumeDirs[volume.name] = fs.mkdtempSync(path.join(NODE_DISKS, `emptydir-${volume.name}-`));
        }
    }
    return serveShare(pod, data, volumeDirs);
}

/**
 * A file written through the cluster's NFS server (run here) before `night`, and read back through the
 * server the cluster holds after it: the data path, not only the PV's source, survives.
 */
async function fileKeptThrough(night: () => Promise<void>): Promise<void> {
    const file = "/kept-through-destroy.txt";
    const written = `written before the destroy at ${new Date().toISOString()}\n`;
    const evening = await serveClusterShare();
    try {
        nfs41(evening.pid, 1000, [{ op: "write", path: file, data: written }]);
    } finally {
        await evening.stop(5);
    }
    await night();
    const morning = await serveClusterShare();
    try {
        assert.equal(await readThroughShare(morning, file), written, "the file, read back through the new NFS server");
    } finally {
        await morning.stop(5);
    }
}

/** Reads a file through the share as the squashed user; a restarted server may answer GRACE for a while. */
async function readThroughShare(server: RunningContainer, file: string): Promise<string> {
    const deadline = Date.now() + 40_000;
    for (;;) {
        try {
            return nfs41(server.pid, 1000, [{ op: "read", path: file }])[0];
        } catch (error) {
            if (Date.now() > deadline) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    }
}

/**
 * `npm run sync` as a user runs it, from a laptop folder, through `kubectl exec` into the editor (kwok's
 * ClusterExec runs it in `share`): the first copy, a save served by `get` on the next request, a rename
 * and a delete on the share; a file only on the share is kept; Ctrl-C stops it with exit 0.
 */
/**
 * The sshPortForward and sshConfig outputs as a user runs them: ssh through kubectl port-forward reaches
 * the editor's sshd (the one the API server holds, run with Debian's OpenSSH) as dev, in the share.
 */
async function sshThroughPortForward(outputs: Record<string, string>, get: () => string): Promise<void> {
    assert.equal(outputs.sshPortForward, "kubectl -n devkube port-forward deploy/editor 2222:2222");
    const host = /^Host (\S+)\n/.exec(outputs.sshConfig)?.[1];
    assert.equal(host, "devkube-minikube", outputs.sshConfig);
    const dir = fs.mkdtempSync(path.join(WORK, "ssh-"));
    const config = path.join(dir, "config");
    const knownHosts = path.join(dir, "known_hosts");
    // The output entry as a user appends it to ~/.ssh/config, plus what keeps this test's ssh to itself.
    fs.writeFileSync(config, `${outputs.sshConfig}\n  IdentityFile ${clientKey().file}\n  UserKnownHostsFile ${knownHosts}\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n`);
    const forward = spawn("sh", ["-c", outputs.sshPortForward], { cwd: PROJECT, env: { ...process.env, KUBECONFIG }, stdio: "ignore", detached: true });
    try {
        const login = await waitFor("a login through the port-forward", () => {
            const r = run("ssh", ["-F", config, host!, "id -un; id -u; pwd; cat html/index.html"]);
            return r.code === 0 ? r : undefined;
        }, 30);
        assert.equal(login.stdout, `dev\n1000\n/workspace\n${get()}`, "the page ssh reads is the page the web server serves");
        assert.match(fs.readFileSync(knownHosts, "utf8"), /^devkube-minikube ssh-ed25519 AAAA/, "known by its alias, not as 127.0.0.1:2222");
        const password = run("ssh", ["-F", config, "-o", "PubkeyAuthentication=no", host!, "true"]);
        assert.match(password.stderr, /Permission denied \(publickey\)/);
    } finally {
        process.kill(-forward.pid!, "SIGTERM");
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function syncFromLaptop(stack: string, share: string, get: () => string): Promise<void> {
    const laptop = fs.mkdtempSync(path.join(WORK, "laptop-"));
    fs.mkdirSync(path.join(laptop, "html"));
    fs.writeFileSync(path.join(laptop, "html", "index.html"), "saved on the laptop\n");
    fs.writeFileSync(path.join(laptop, "notes.txt"), "to be renamed\n");
    fs.writeFileSync(path.join(laptop, ".gitignore"), "node_modules/\n");
    fs.mkdirSync(path.join(laptop, "node_modules"));
    fs.writeFileSync(path.join(laptop, "node_modules", "big.js"), "never sent\n");
    fs.writeFileSync(path.join(share, "made-in-the-editor.txt"), "kept\n");
    let out = "";
    const child = spawn("npm", ["run", "--silent", "sync", "--", stack, laptop], { cwd: PROJECT, env: { ...process.env, KUBECONFIG }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    let code: number | null | undefined;
    // npm itself ends by the signal it was sent (a shell shows ^C); the sync's own line says how it stopped.
    const exited = new Promise<string>((resolve) => child.on("close", (c, signal) => resolve(`${(code = c)} ${signal}`)));
    try {
        await waitFor("the sync's first copy", () => {
            assert.equal(code, undefined, `the sync ended early:\n${out}`);
            return /^watching /m.test(out) ? true : undefined;
        }, 60).catch((error) => assert.fail(`${error.message}\n${out}`));
        assert.equal(get(), "saved on the laptop\n", `the first copy is served:\n${out}`);
        assert.match(out, /^kept 1 file\(s\) that are on the share and not in the folder \(add --delete to delete them\): made-in-the-editor\.txt$/m);
        assert.ok(!fs.existsSync(path.join(share, "node_modules")), "ignored files stay on the laptop");
        fs.writeFileSync(path.join(laptop, "html", "index.html"), "saved again\n");
        await waitFor("the save, served", () => (get() === "saved again\n" ? true : undefined), 20);
        fs.renameSync(path.join(laptop, "notes.txt"), path.join(laptop, "renamed.txt"));
        await waitFor("the rename on the share", () => (fs.existsSync(path.join(share, "renamed.txt")) && !fs.existsSync(path.join(share, "notes.txt")) ? true : undefined), 20);
        fs.rmSync(path.join(laptop, "renamed.txt"));
        await waitFor("the delete on the share", () => (!fs.existsSync(path.join(share, "renamed.txt")) ? true : undefined), 20);
        assert.ok(fs.existsSync(path.join(share, "made-in-the-editor.txt")), "the share's own file is kept");
    } finally {
        // Ctrl-C, as a terminal sends it: to the whole process group (npm, tsx, node).
        process.kill(-child.pid!, "SIGINT");
    }
    const ended = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("still running 20 s after Ctrl-C"), 20_000))]);
    if (code === undefined) {
        process.kill(-child.pid!, "SIGKILL");
    }
    assert.match(String(ended), /^(0 null|null SIGINT)$/, out);
    assert.match(out, /^sync stopped; the share has every change sent so far$/m);
    fs.rmSync(laptop, { recursive: true, force: true });
}

/** devkube's PersistentVolumes are named by Pulumi: find them by what they are. */
function devkubePvs(): any[] {
    return kubeJson(["get", "pv", "-l", "app.kubernetes.io/part-of=devkube"]).items;
}
function sharePv(): any {
    const found = devkubePvs().filter((pv) => pv.spec.nfs);
    assert.equal(found.length, 1, "one NFS share PV");
    return found[0];
}
function workspacePv(): any {
    const found = devkubePvs().filter((pv) => pv.metadata.labels["devkube.dev/role"] === "workspace");
    assert.equal(found.length, 1, "one workspace PV");
    return found[0];
}

/** Checks through the Kubernetes API that the environment is wired as devkube promises. */
async function checkEnvironment(expect: { webType: string; inClusterNfs: boolean; diskNode?: string }): Promise<Observed> {
    const share = sharePv();
    let clusterIP: string | undefined;
    if (expect.inClusterNfs) {
        const service = kubeJson(["-n", NS, "get", "svc", "nfs-server"]);
        clusterIP = service.spec.clusterIP;
        assert.match(String(clusterIP), /^\d+\.\d+\.\d+\.\d+$/, "the NFS Service has a ClusterIP (not headless)");
        assert.equal(share.spec.nfs.server, clusterIP, "the share PV's server is exactly the NFS Service's ClusterIP");
        const claim = kubeJson(["-n", NS, "get", "pvc", "workspace"]);
        assert.equal(claim.status.phase, "Bound");
        assert.equal(claim.spec.volumeName, workspacePv().metadata.name);
        const pods = kubeJson(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/name=nfs-server"]).items;
        assert.equal(pods.length, 1, "one NFS server pod");
        if (expect.diskNode) {
            assert.equal(pods[0].spec.nodeName, expect.diskNode, "the NFS server runs on the node with the disk");
        }
    } else {
        assert.equal(exists(["-n", NS, "deployment", "nfs-server"]), false, "no NFS server when the export exists");
    }
    assert.ok(share.spec.mountOptions.includes("actimeo=1"));
    const shareClaim = await waitFor("the share claim to be Bound", () => {
        const claim = kubeJson(["-n", NS, "get", "pvc", "share"]);
        return claim.status.phase === "Bound" ? claim : undefined;
    });
    assert.equal(shareClaim.spec.volumeName, share.metadata.name);

    for (const name of ["web", "editor"]) {
        const pods = kubeJson(["-n", NS, "get", "pods", "-l", `app.kubernetes.io/name=${name}`]).items;
        assert.ok(pods.length >= 1, `${name} has a pod`);
        for (const pod of pods) {
            const claims = pod.spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
            assert.deepEqual(claims, ["share"], `${pod.metadata.name} mounts the share claim`);
            assert.ok(pod.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True"), `${pod.metadata.name} Ready`);
        }
    }
    assert.ok(exists(["-n", NS, "resourcequota", "devkube-quota"]), "quota");
    assert.ok(exists(["-n", NS, "limitrange", "devkube-limits"]), "limit range");
    assert.equal(kubeJson(["-n", NS, "get", "svc", "web"]).spec.type, expect.webType);

    const workspace = workspacePv();
    assert.equal(workspace.spec.persistentVolumeReclaimPolicy, "Retain");
    return {
        clusterIP,
        shareServer: share.spec.nfs.server,
        workspaceSource: workspace.spec.hostPath ?? workspace.spec.local ?? workspace.spec.nfs,
    };
}

function upOrFail(stack: string, extra: string[] = []) {
    const result = npmUp(stack, extra);
    if (result.code !== 0) {
        let cluster = "";
        try {
            cluster = kubectl(["get", "pv,pvc,pods", "-A", "-o", "wide"]) + kubectl(["get", "events", "-A", "--sort-by=.lastTimestamp"]).split("\n").slice(-25).join("\n");
        } catch (error) {
            cluster = `(kubectl failed: ${error})`;
        }
        assert.fail(`npm run up -- ${stack} failed:\n${tail(result.stdout + result.stderr)}\n--- cluster ---\n${cluster}`);
    }
    return result;
}

before(function () {
    this.timeout(60_000);
    prepareProject();
});

describe(`e2e: minikube stack on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "minikube";
    let first: Observed;

    before(() => initStack(stack, { "devkube:kubeContext": CONTEXT }));
    after(() => pulumi(stack, ["destroy", "--yes", "--skip-preview"]));

    it("goes up with the policy pack, and the NFS ClusterIP reaches the mounts", async () => {
        const result = upOrFail(stack);
        assert.match(result.stderr, /^stack\.sh: using pulumi 3\.259\.0 at \S+\/pulumi-v3\.259\.0\/bin\/pulumi \(on PATH\)$/m, "the toolchain's CLI, found on PATH");
        assert.match(result.stdout, /Policies:|policy|devkube/i);
        first = await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
        assert.deepEqual(first.workspaceSource, { path: "/data/devkube", type: "DirectoryOrCreate" });
        const outputs = stackOutputs(stack);
        assert.equal(outputs.nfsServer, first.clusterIP);
        assert.match(outputs.webUrl, /^http:\/\/\$\(minikube ip\):3\d{4}$/);
    });

    it("changes nothing on a second run (preview --expect-no-changes)", () => {
        const result = pulumi(stack, ["preview", "--expect-no-changes", ...policyFlags("minikube")]);
        assert.equal(result.code, 0, tail(result.stdout + result.stderr));
    });

    it("keeps the Service's ClusterIP, and so every mount, when the NFS server pod is killed", async () => {
        const before = kubeJson(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/name=nfs-server"]).items[0].metadata.name;
        kubectl(["-n", NS, "delete", "pod", before, "--wait=true"]);
        const replacement = await waitFor("a replacement NFS server pod to be Ready", () => {
            const pods = kubeJson(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/name=nfs-server"]).items;
            const ready = pods.filter(
                (p: any) => p.metadata.name !== before && !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
            );
            return ready.length === 1 ? ready[0].metadata.name : undefined;
        });
        assert.notEqual(replacement, before);
        assert.equal(kubeJson(["-n", NS, "get", "svc", "nfs-server"]).spec.clusterIP, first.clusterIP);
        assert.equal(sharePv().spec.nfs.server, first.clusterIP);
    });

    it("refuses bad stack config with a clear error and changes nothing", () => {
        const beforeSnapshot = snapshot();
        for (const [key, value, expected] of [
            ["devkube:target", "aws", /devkube:target: got "aws"; allowed: digitalocean, minikube, baremetal/],
            ["devkube:workspaceSize", "10Gx", /devkube:workspaceSize: got "10Gx"; use a whole number of Gi or Ti/],
            ["devkube:workspaceSzie", "20Gi", /devkube:workspaceSzie: is not a devkube setting \(did you mean devkube:workspaceSize\?\)/],
        ] as const) {
            mustPulumi(stack, ["config", "set", key, value]);
            const result = npmUp(stack);
            mustPulumi(stack, ["config", "rm", key]);
            assert.notEqual(result.code, 0, `${key}=${value} was accepted`);
            assert.match(result.stdout + result.stderr, expected);
            assert.match(result.stdout + result.stderr, /nothing was changed/);
        }
        assert.deepEqual(snapshot(), beforeSnapshot, "the cluster is unchanged");
    });

    it("refuses a program or a policy pack that does not compile, or a pack that does not type-check, with the file, line and message, and changes nothing", () => {
        const beforeSnapshot = snapshot();
        for (const [file, added, expected] of [
            ["components/editor.ts", "const broken = ;", /Running program '.*index\.ts' failed with an unhandled exception:\s+TSError: components\/editor\.ts\(\d+,16\): error TS1109: Expression expected\./],
            ["policies/rules/labels.ts", "const broken = ;", /TSError: rules\/labels\.ts\(\d+,16\): error TS1109: Expression expected\.[\s\S]*policy pack .* failed to start/],
            ["policies/rules/labels.ts", 'export const limit: number = "none";', /TSError: rules\/labels\.ts\(\d+,14\): error TS2322: Type 'string' is not assignable to type 'number'\.[\s\S]*policy pack .* failed to start/],
        ] as const) {
            const source = path.join(PROJECT, file);
            const text = fs.readFileSync(source, "utf8");
            fs.appendFileSync(source, `\n${added}\n`);
            let result;
            try {
                result = npmUp(stack);
            } finally {
                fs.writeFileSync(source, text);
            }
            assert.notEqual(result.code, 0, `${file} with ${added} was accepted`);
            assert.match(result.stdout + result.stderr, expected);
        }
        assert.deepEqual(snapshot(), beforeSnapshot, "the cluster is unchanged");
    });

    it("survives the night: npm run sleep, then npm run wake, finds the same host path, and the new ClusterIP reaches the mounts", async () => {
        const slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
        assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
        assert.match(slept.stdout, /your code is kept in: host path \/data\/devkube/);
        assert.match(slept.stdout, /removed: \d+ resources/);
        await waitFor("the namespace to be gone", () => !exists(["namespace", NS]) || undefined, 120);
        assert.deepEqual(devkubePvs(), [], "the PV objects are gone (the files are not)");
        const again = run("npm", ["run", "--silent", "sleep", "--", stack]);
        assert.match(again.stdout, /already asleep/);
        const woke = run("npm", ["run", "--silent", "wake", "--", stack]);
        assert.equal(woke.code, 0, tail(woke.stdout + woke.stderr));
        const morning = await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
        assert.deepEqual(morning.workspaceSource, first.workspaceSource, "same backing storage");
        assert.equal(morning.shareServer, morning.clusterIP);
    });

    it("a plain pulumi destroy --yes succeeds and removes every object; the next up finds the same host path, and a file written through the NFS server before is read back after", async () => {
        await fileKeptThrough(async () => {
            await plainDestroy(stack);
            upOrFail(stack);
            const morning = await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
            assert.deepEqual(morning.workspaceSource, first.workspaceSource, "same backing storage");
        });
    });

    it("sleeps a stack whose cluster is gone (a deleted minikube): the objects leave the state, and sleep says so", () => {
        // The provider keeps the kubeconfig's path in the state (the SDK defaults it from $KUBECONFIG), so
        // the cluster goes as `minikube delete` takes it: its context leaves that file.
        const saved = fs.readFileSync(KUBECONFIG, "utf8");
        const config = YAML.parse(saved);
        config.contexts = config.contexts.filter((c: any) => c.name !== CONTEXT);
        fs.writeFileSync(KUBECONFIG, YAML.stringify(config));
        let slept;
        try {
            slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
        } finally {
            fs.writeFileSync(KUBECONFIG, saved);
        }
        assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
        assert.match(slept.stdout, /the cluster could not be reached \(.*\): \d+ Kubernetes objects were dropped from the state, not deleted/);
        const left = JSON.parse(mustPulumi(stack, ["stack", "export"]).stdout).deployment.resources ?? [];
        assert.deepEqual(left.filter((r: any) => r.type.startsWith("kubernetes:")), [], "no Kubernetes object left in the state");
        // The cluster is in fact still there: clean it up as the message says, and wake on it again.
        kubectl(["delete", "namespace", NS, "--wait=true"]);
        kubectl(["delete", "pv", "-l", "app.kubernetes.io/part-of=devkube", "--wait=true"]);
        const woke = run("npm", ["run", "--silent", "wake", "--", stack]);
        assert.equal(woke.code, 0, tail(woke.stdout + woke.stderr));
    });

    it("refuses to sleep an unknown stack", () => {
        const result = run("npm", ["run", "--silent", "sleep", "--", "prod"]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, /unknown stack "prod"; known stacks: cluster, dev, homelab, minikube/);
    });

    it("goes up in another namespace (devkube:namespace myenv) with the NFS server exempt there, and no JSON edited", () => {
        mustPulumi(stack, ["destroy", "--yes", "--skip-preview"]);
        mustPulumi(stack, ["config", "set", "devkube:namespace", "myenv"]);
        try {
            upOrFail(stack);
            assert.equal(stackOutputs(stack).namespace, "myenv");
            assert.equal(kubeJson(["-n", "myenv", "get", "deployment", "nfs-server"]).status.readyReplicas, 1);
            assert.deepEqual(sharePv().spec.claimRef && { namespace: sharePv().spec.claimRef.namespace, name: sharePv().spec.claimRef.name }, { namespace: "myenv", name: "share" });
            mustPulumi(stack, ["destroy", "--yes", "--skip-preview"]);
        } finally {
            mustPulumi(stack, ["config", "rm", "devkube:namespace"]);
        }
        for (const file of fs.readdirSync(path.join(REPO, "policies", "config"))) {
            assert.equal(fs.readFileSync(path.join(PROJECT, "policies", "config", file), "utf8"), fs.readFileSync(path.join(REPO, "policies", "config", file), "utf8"), `${file} was not edited`);
        }
    });

    it("refuses to move an awake environment to another namespace, changing nothing; sleep then up moves it to the same host path", async () => {
        upOrFail(stack);
        const before = await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
        const cluster = snapshot();
        mustPulumi(stack, ["config", "set", "devkube:namespace", "moved"]);
        try {
            const refused = npmUp(stack);
            assert.equal(refused.code, 2, tail(refused.stdout + refused.stderr));
            assert.match(refused.stderr, /devkube:namespace is "moved" but stack minikube is awake in namespace "devkube".*npm run sleep -- minikube \(your code stays\), then npm run up -- minikube; nothing was changed/);
            assert.deepEqual(snapshot(), cluster, "the cluster is unchanged");
            const slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
            assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
            upOrFail(stack);
            assert.equal(kubeJson(["-n", "moved", "get", "pvc", "workspace"]).status.phase, "Bound");
            assert.deepEqual(workspacePv().spec.hostPath, before.workspaceSource, "the same host path");
            assert.equal(exists(["namespace", NS]), false, "nothing left in the old namespace");
            mustPulumi(stack, ["destroy", "--yes", "--skip-preview"]);
        } finally {
            mustPulumi(stack, ["config", "rm", "devkube:namespace"]);
        }
        upOrFail(stack);
    });

    it("the edit loop through the outputs: a page written with editorShell, then one saved in a laptop folder with npm run sync, is served through the port-forward command and read over SSH", async () => {
        assert.equal(process.getuid?.(), 0, "the web server runs in a namespace of its own (test/processes/pod.ts), which needs root");
        mustPulumi(stack, ["config", "set", "devkube:webServiceType", "ClusterIP"]);
        mustPulumi(stack, ["config", "set", "--path", "devkube:ssh[0]", clientKey().publicKey]);
        upOrFail(stack);
        const outputs = stackOutputs(stack);
        const forward = /^(kubectl -n devkube port-forward svc\/web (\d+):80), then open (http:\/\/localhost:\d+)$/.exec(outputs.webUrl);
        assert.ok(forward, `webUrl is a port-forward command: ${outputs.webUrl}`);
        const loop = await editLoop.start();
        try {
            const write = (text: string) => {
                // The output command as a user pastes it; its shell reads the edit from standard input.
                const r = run("sh", ["-c", outputs.editorShell], { input: `mkdir -p html && echo '${text}' > html/index.html\nexit\n` });
                assert.equal(r.code, 0, r.stdout + r.stderr);
            };
            write("hello from the editor");
            const portForward = spawn("sh", ["-c", forward[1]], { cwd: PROJECT, env: { ...process.env, KUBECONFIG }, stdio: "ignore", detached: true });
            try {
                const get = () => run("curl", ["-s", "--max-time", "5", `${forward[3]}/`]).stdout;
                await waitFor("the page through the port-forward", () => (get() === "hello from the editor\n" ? true : undefined), 30);
                write("hello, edited");
                assert.equal(get(), "hello, edited\n", "the change, on the very next request");
                await syncFromLaptop(stack, loop.share, get);
                await sshThroughPortForward(outputs, get);
            } finally {
                process.kill(-portForward.pid!, "SIGTERM");
            }
        } finally {
            await loop.stop();
            mustPulumi(stack, ["config", "rm", "devkube:webServiceType"]);
            mustPulumi(stack, ["config", "rm", "devkube:ssh"]);
        }
    });
});

describe(`e2e: homelab stack, USB disk on odroid-1, on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "homelab";
    let first: Observed;

    before(() => initStack(stack, { "devkube:kubeContext": CONTEXT }));
    after(() => pulumi(stack, ["destroy", "--yes", "--skip-preview"]));

    it("reserves the workspace PV for its claim: a stranger's claim made before devkube's stays Pending", async () => {
        // Everything but devkube's claim (and what needs it) goes up first, so a stranger has the whole PV
        // controller resync period to take the PV. Without the pack: it would see the excluded resources empty.
        const claimUrn = `urn:pulumi:${stack}::devkube::devkube:core:Environment$devkube:storage:Workspace$kubernetes:core/v1:PersistentVolumeClaim::devkube-workspace-claim`;
        // The program then stops on the NFS Service's address, which it was told not to create: only the PV matters here.
        pulumi(stack, ["up", "--yes", "--skip-preview", "--exclude", claimUrn, "--exclude-dependents"]);
        assert.equal(workspacePv().status.phase, "Available");
        assert.equal(exists(["-n", NS, "pvc", "workspace"]), false, "devkube's claim is not there yet");
        const stranger = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "stranger", namespace: "default" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "", resources: { requests: { storage: "1Gi" } } } };
        const file = path.join(PROJECT, "stranger-claim.json");
        fs.writeFileSync(file, JSON.stringify(stranger));
        kubectl(["apply", "-f", file]);
        try {
            // The PV controller retries an unbound claim every 15 s (its default sync period): wait longer.
            await new Promise((resolve) => setTimeout(resolve, 20_000));
            assert.equal(kubeJson(["-n", "default", "get", "pvc", "stranger"]).status.phase, "Pending");
            const pv = workspacePv();
            assert.equal(pv.status.phase, "Available");
            assert.deepEqual({ namespace: pv.spec.claimRef.namespace, name: pv.spec.claimRef.name }, { namespace: NS, name: "workspace" });
        } finally {
            kubectl(["delete", "-f", file, "--wait=true"]);
        }
    });

    it("goes up with the NFS server on the disk's node, and the ClusterIP reaches the mounts", async () => {
        upOrFail(stack);
        first = await checkEnvironment({ webType: "NodePort", inClusterNfs: true, diskNode: "odroid-1" });
        assert.deepEqual(first.workspaceSource, { path: "/mnt/usb/devkube" });
        const pv = workspacePv();
        assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ["odroid-1"]);
    });

    it("changes nothing on a second run", () => {
        const result = pulumi(stack, ["preview", "--expect-no-changes", ...policyFlags("homelab")]);
        assert.equal(result.code, 0, tail(result.stdout + result.stderr));
    });

    it("is refused by a mandatory policy when the web server would become a LoadBalancer, and the cluster is unchanged", () => {
        const beforeSnapshot = snapshot();
        mustPulumi(stack, ["config", "set", "devkube:webServiceType", "LoadBalancer"]);
        const result = npmUp(stack);
        mustPulumi(stack, ["config", "rm", "devkube:webServiceType"]);
        assert.notEqual(result.code, 0, "the up was accepted");
        assert.match(result.stdout + result.stderr, /devkube-service-exposure/);
        assert.match(result.stdout + result.stderr, /LoadBalancer/);
        assert.deepEqual(snapshot(), beforeSnapshot, "the cluster is unchanged");
    });

    it("survives a plain pulumi destroy --yes on the same disk path, and a file written through the NFS server before is read back after", async () => {
        await fileKeptThrough(async () => {
            await plainDestroy(stack);
            upOrFail(stack);
            const morning = await checkEnvironment({ webType: "NodePort", inClusterNfs: true, diskNode: "odroid-1" });
            assert.deepEqual(morning.workspaceSource, first.workspaceSource);
            assert.equal(morning.shareServer, morning.clusterIP);
        });
    });
});

describe(`e2e: homelab stack, existing NFS export, on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "homelab-export";

    before(() =>
        initStack(stack, {
            "devkube:kubeContext": CONTEXT,
            "devkube:target": "baremetal",
            "devkube:baremetalMode": "existing-export",
            "devkube:nfsServer": "192.0.2.20",
            "devkube:nfsPath": "/srv/nfs/devkube",
        }),
    );
    after(() => pulumi(stack, ["destroy", "--yes", "--skip-preview"]));

    it("mounts the export directly, runs no NFS server, and passes the policy pack", async () => {
        const result = pulumi(stack, ["up", "--yes", ...policyFlags("homelab")]);
        assert.equal(result.code, 0, tail(result.stdout + result.stderr));
        const observed = await checkEnvironment({ webType: "NodePort", inClusterNfs: false });
        assert.deepEqual(observed.workspaceSource, { server: "192.0.2.20", path: "/srv/nfs/devkube" });
        const preview = pulumi(stack, ["preview", "--expect-no-changes", ...policyFlags("homelab")]);
        assert.equal(preview.code, 0, tail(preview.stdout + preview.stderr));
    });

    it("a plain pulumi destroy --yes succeeds (devkube never deletes an export); the next up mounts the same export", async () => {
        await plainDestroy(stack);
        const result = pulumi(stack, ["up", "--yes", ...policyFlags("homelab")]);
        assert.equal(result.code, 0, tail(result.stdout + result.stderr));
        const observed = await checkEnvironment({ webType: "NodePort", inClusterNfs: false });
        assert.deepEqual(observed.workspaceSource, { server: "192.0.2.20", path: "/srv/nfs/devkube" });
    });
});

/**
 * A stack of its own for a worked example: the committed stack file the fixture is written for (its
 * "# stack:" line; not the scratch copy, which earlier tests' `config set` has changed), pointed at the
 * local cluster, plus the fixture's config; and that stack's pack config.
 */
function exampleStack(stack: string, fixture: string): void {
    const text = fs.readFileSync(path.join(PROJECT, "test", "fixtures", fixture), "utf8");
    const base = fixtureHeader(fixture).stack;
    const baseConfig = YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${base}.yaml`), "utf8")).config;
    const config = { ...baseConfig, "devkube:kubeContext": CONTEXT, ...YAML.parse(text) };
    fs.writeFileSync(path.join(PROJECT, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
    fs.copyFileSync(path.join(PROJECT, "policies", "config", `${base}.json`), path.join(PROJECT, "policies", "config", `${stack}.json`));
    mustPulumi(stack, ["stack", "select", "--create"]);
}

describe(`e2e: the Express example from stack config, on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "e2e-apps";

    before(() => {
        exampleStack(stack, "express.yaml");
    });
    after(() => pulumi(stack, ["destroy", "--yes", "--skip-preview"]));

    it("goes up with the policy pack; the CronJob and the NodePort Service are there as configured", async () => {
        upOrFail(stack);
        await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
        const hello = kubeJson(["-n", NS, "get", "deployment", "hello"]);
        assert.equal(hello.spec.replicas, 2);
        assert.equal(hello.status.readyReplicas, 2);
        const pods = kubeJson(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/name=hello"]).items;
        assert.equal(pods.length, 2);
        for (const pod of pods) {
            assert.deepEqual(pod.spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean), ["share"]);
            const configMap = pod.spec.containers[0].envFrom[0].configMapRef.name;
            assert.deepEqual(kubeJson(["-n", NS, "get", "configmap", configMap]).data, { MY_NON_SECRET: "foo", MY_OTHER_NON_SECRET: "bar" });
        }
        const service = kubeJson(["-n", NS, "get", "svc", "hello"]);
        assert.equal(service.spec.type, "NodePort");
        assert.equal(service.spec.ports[0].port, 3000);
        assert.ok(service.spec.ports[0].nodePort >= 30000);
        const cron = kubeJson(["-n", NS, "get", "cronjob", "hello-cron"]);
        assert.equal(cron.spec.schedule, "*/5 * * * *");
        assert.equal(cron.spec.successfulJobsHistoryLimit, 2);
        assert.equal(cron.spec.failedJobsHistoryLimit, 2);
        assert.equal(kubeJson(["-n", NS, "get", "deployment", "hello-live"]).status.readyReplicas, 1);
    });

    it("a plain pulumi destroy --yes succeeds and removes the apps with everything else; the next up brings them back on the same share, the code read back", async () => {
        const workspace = workspacePv().spec.hostPath;
        await fileKeptThrough(async () => {
            await plainDestroy(stack);
            upOrFail(stack);
            await checkEnvironment({ webType: "NodePort", inClusterNfs: true });
        });
        assert.deepEqual(workspacePv().spec.hostPath, workspace, "same host path");
        assert.equal(kubeJson(["-n", NS, "get", "deployment", "hello"]).status.readyReplicas, 2);
        assert.equal(kubeJson(["-n", NS, "get", "cronjob", "hello-cron"]).spec.schedule, "*/5 * * * *");
    });
});

describe(`e2e: the multi-service example (PostgreSQL, Redis, web app, worker), on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "e2e-services";
    const passwords = { "devkube:dbPassword": "db-pw-e2e-7f3k", "devkube:cachePassword": "cache-pw-e2e-q9z2" };

    before(() => {
        exampleStack(stack, "multi-service.yaml");
        for (const [key, value] of Object.entries(passwords)) {
            mustPulumi(stack, ["config", "set", "--secret", key, value]);
        }
    });
    after(() => pulumi(stack, ["destroy", "--yes", "--skip-preview"]));

    const dataSources = () =>
        Object.fromEntries(
            kubeJson(["get", "pv", "-l", "devkube.dev/role=app-data"]).items.map((pv: any) => [pv.metadata.labels["app.kubernetes.io/name"], pv.spec.hostPath.path]),
        );

    it("goes up with the policy pack: each database on its own Bound claim, the apps given their addresses", async () => {
        upOrFail(stack);
        for (const name of ["db", "cache", "shop", "shop-worker"]) {
            assert.equal(kubeJson(["-n", NS, "get", "deployment", name]).status.readyReplicas, 1, name);
        }
        for (const claim of ["db-data", "cache-data"]) {
            assert.equal(kubeJson(["-n", NS, "get", "pvc", claim]).status.phase, "Bound", claim);
        }
        assert.deepEqual(dataSources(), { db: "/data/devkube-apps/db", cache: "/data/devkube-apps/cache" });
        const shop = kubeJson(["-n", NS, "get", "deployment", "shop"]).spec.template.spec.containers[0];
        const settings = shop.envFrom.map((e: any) => kubeJson(["-n", NS, "get", "secret", e.secretRef.name]).data);
        const decoded = settings.map((data: Record<string, string>) =>
            Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()])),
        );
        assert.equal(decoded[0].DATABASE_URL, `postgresql://devkube:${passwords["devkube:dbPassword"]}@db.devkube.svc:5432/db`);
        assert.equal(decoded[1].REDIS_URL, `redis://default:${passwords["devkube:cachePassword"]}@cache.devkube.svc:6379/0`);
    });

    it("keeps the passwords secret: in stack outputs and in the state file", () => {
        const outputs = stackOutputs(stack);
        assert.equal(outputs.connections, "[secret]");
        const shown = JSON.parse(mustPulumi(stack, ["stack", "output", "connections", "--show-secrets", "--json"]).stdout);
        assert.equal(shown.db, `postgresql://devkube:${passwords["devkube:dbPassword"]}@db.devkube.svc:5432/db`);
        const stateDir = path.join(PROJECT, ".pulumi", "stacks");
        const state = fs
            .readdirSync(stateDir, { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(`${stack}.json`))
            .map((f) => fs.readFileSync(path.join(stateDir, f), "utf8"))
            .join("");
        assert.ok(state.length > 1000, "the state file was found");
        for (const password of Object.values(passwords)) {
            assert.ok(!state.includes(password), `${password} is in the state file in clear`);
        }
    });

    it("a plain pulumi destroy --yes succeeds; the next up binds each database to the same data directory", async () => {
        await plainDestroy(stack);
        upOrFail(stack);
        assert.deepEqual(dataSources(), { db: "/data/devkube-apps/db", cache: "/data/devkube-apps/cache" });
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "db-data"]).status.phase, "Bound");
    });

    it("survives the night: sleep removes the claims, wake binds them to the same data directories", async () => {
        const slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
        assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
        assert.match(slept.stdout, /host path \/data\/devkube-apps\/db \(app db's own data\)/);
        await waitFor("the namespace to be gone", () => !exists(["namespace", NS]) || undefined, 120);
        assert.deepEqual(dataSources(), {}, "the PV objects are gone (the directories are not)");
        const woke = run("npm", ["run", "--silent", "wake", "--", stack]);
        assert.equal(woke.code, 0, tail(woke.stdout + woke.stderr));
        assert.deepEqual(dataSources(), { db: "/data/devkube-apps/db", cache: "/data/devkube-apps/cache" });
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "db-data"]).status.phase, "Bound");
        assert.equal(kubeJson(["-n", NS, "get", "deployment", "db"]).status.readyReplicas, 1);
    });
});

/**
 * kwok runs no provisioner: a StorageClass and one PV of it stand in for a provisioned volume, so a claim
 * of that class binds the way a provisioned one would.
 */
function standInClass(className: string, provisioner: string, pvName: string, size: string, hostPath: string): unknown[] {
    return [
        { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: className }, provisioner, reclaimPolicy: "Delete", volumeBindingMode: "Immediate" },
        {
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: pvName },
            spec: { storageClassName: className, capacity: { storage: size }, accessModes: ["ReadWriteOnce"], hostPath: { path: hostPath } },
        },
    ];
}
/**
 * A test's cleanup: a destroy leaves the claims from a class and their namespace in the cluster (that is
 * the point), so they are deleted by hand here, and the stand-in class and PV with them.
 */
function leaveNothing(stack: string, storage: unknown[]): void {
    pulumi(stack, ["destroy", "--yes", "--skip-preview"]);
    kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
    kubectlInput(["delete", "--ignore-not-found"], storage);
}
const kubectlInput = (verb: string[], objects: unknown[]) =>
    run("kubectl", ["--kubeconfig", KUBECONFIG, "--context", CONTEXT, ...verb, "-f", "-"], { input: objects.map((o) => JSON.stringify(o)).join("\n") });

describe(`e2e: the Conduit example (a claim from a named storage class, an Ingress with TLS), on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "e2e-conduit";
    // Named like k3s's class, which the example names.
    const storage = standInClass("local-path", "rancher.io/local-path", "e2e-local-path-50gi", "50Gi", "/var/lib/rancher/k3s/storage/e2e");

    before(() => {
        const applied = kubectlInput(["apply"], storage);
        assert.equal(applied.code, 0, applied.stderr);
        exampleStack(stack, "conduit.yaml");
        mustPulumi(stack, ["config", "set", "--secret", "devkube:conduitRegistrationToken", "e2e-registration-token-5d1c"]);
    });
    after(() => leaveNothing(stack, storage));

    it("goes up with the home lab's policy pack: claim Bound on local-path, 8448 -> 6167, two TLS hosts to that port", () => {
        upOrFail(stack);
        const claim = kubeJson(["-n", NS, "get", "pvc", "conduit-data"]);
        assert.deepEqual([claim.status.phase, claim.spec.storageClassName, claim.spec.volumeName], ["Bound", "local-path", "e2e-local-path-50gi"]);
        const deployment = kubeJson(["-n", NS, "get", "deployment", "conduit"]);
        assert.deepEqual([deployment.spec.replicas, deployment.spec.strategy.type, deployment.status.readyReplicas], [1, "Recreate", 1]);
        const service = kubeJson(["-n", NS, "get", "svc", "conduit"]);
        assert.deepEqual([service.spec.type, service.spec.ports[0].port, service.spec.ports[0].targetPort], ["ClusterIP", 8448, 6167]);
        const ingress = kubeJson(["-n", NS, "get", "ingress", "conduit"]);
        assert.deepEqual(ingress.spec.tls, [{ hosts: ["matrix.example.org", "example.org"], secretName: "conduit-tls" }]);
        assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
        for (const rule of ingress.spec.rules) {
            assert.deepEqual(rule.http.paths[0].backend.service, { name: "conduit", port: { number: 8448 } });
        }
    });

    it("survives the night: sleep leaves the claim (and its namespace) in the cluster, wake takes the same claim back", async () => {
        const slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
        assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
        assert.match(slept.stdout, /left in place \(retainOnDelete: forgotten, not deleted; the next up takes them back\): Namespace devkube-namespace, PersistentVolumeClaim devkube-app-conduit-data-claim/);
        await waitFor("the Deployment to be gone", () => !exists(["-n", NS, "deployment", "conduit"]) || undefined, 120);
        const claim = kubeJson(["-n", NS, "get", "pvc", "conduit-data"]);
        assert.deepEqual([claim.status.phase, claim.spec.volumeName], ["Bound", "e2e-local-path-50gi"]);
        const woke = run("npm", ["run", "--silent", "wake", "--", stack]);
        assert.equal(woke.code, 0, tail(woke.stdout + woke.stderr));
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "conduit-data"]).spec.volumeName, "e2e-local-path-50gi");
        assert.equal(kubeJson(["-n", NS, "get", "deployment", "conduit"]).status.readyReplicas, 1);
    });

    it("a plain pulumi destroy --yes succeeds and leaves only the claim and its namespace; the next up takes the same claim back", () => {
        const destroyed = pulumi(stack, ["destroy", "--yes"]);
        assert.equal(destroyed.code, 0, tail(destroyed.stdout + destroyed.stderr));
        assert.deepEqual(JSON.parse(mustPulumi(stack, ["stack", "export"]).stdout).deployment.resources ?? [], [], "the state is empty");
        const left = kubeJson(["-n", NS, "get", "deployments,services,configmaps,secrets,ingresses,persistentvolumeclaims"]).items.map((o: any) => `${o.kind}/${o.metadata.name}`);
        assert.deepEqual(left.filter((o: string) => !o.startsWith("ConfigMap/kube-root-ca")), ["PersistentVolumeClaim/conduit-data"]);
        upOrFail(stack);
        const claim = kubeJson(["-n", NS, "get", "pvc", "conduit-data"]);
        assert.deepEqual([claim.status.phase, claim.spec.volumeName], ["Bound", "e2e-local-path-50gi"]);
        mustPulumi(stack, ["preview", "--expect-no-changes"]);
    });

    it("npm run delete-everything: lists the kept claim, deletes nothing on a wrong name, everything on the stack's name", async () => {
        const refused = run("npm", ["run", "--silent", "delete-everything", "--", stack], { input: "yes\n" });
        assert.equal(refused.code, 2, tail(refused.stdout + refused.stderr));
        assert.match(refused.stdout, /This deletes everything devkube made for stack e2e-conduit, your code included:/);
        assert.match(refused.stderr, /"yes" is not "e2e-conduit"; nothing was deleted/);
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "conduit-data"]).status.phase, "Bound", "nothing was deleted");
        const deleted = run("npm", ["run", "--silent", "delete-everything", "--", stack], { input: `${stack}\n` });
        assert.equal(deleted.code, 0, tail(deleted.stdout + deleted.stderr));
        assert.match(deleted.stdout, /stack e2e-conduit: everything is deleted \(0 DigitalOcean resources, 0 snapshots, \d+ Kubernetes objects\)/);
        await waitFor("the namespace, and with it the protected claim, to be gone", () => !exists(["namespace", NS]) || undefined, 120);
        const left = JSON.parse(mustPulumi(stack, ["stack", "export"]).stdout).deployment.resources ?? [];
        assert.deepEqual(left, [], "nothing left in the state");
    });
});

describe(`e2e: the cluster stack (the kubeconfig target: a cluster devkube did not make), on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    const stack = "e2e-cluster";
    // With the Delete policy most clusters' default classes have.
    const storage = standInClass("e2e-standard", "e2e.example/standard", "e2e-standard-20gi", "20Gi", "/var/lib/e2e/standard");

    before(() => {
        const applied = kubectlInput(["apply"], storage);
        assert.equal(applied.code, 0, applied.stderr);
        const base = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.cluster.yaml"), "utf8")).config;
        const config = { ...base, "devkube:kubeContext": CONTEXT, "devkube:storageClass": "e2e-standard" };
        fs.writeFileSync(path.join(PROJECT, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
        fs.copyFileSync(path.join(PROJECT, "policies", "config", "cluster.json"), path.join(PROJECT, "policies", "config", `${stack}.json`));
        mustPulumi(stack, ["stack", "select", "--create"]);
    });
    after(() => leaveNothing(stack, storage));

    it("goes up with its policy pack: the workspace a Bound claim of the named class, served by the NFS server, a warning about Delete", async () => {
        const result = upOrFail(stack);
        assert.match(result.stdout + result.stderr, /storage class e2e-standard has reclaimPolicy Delete: a destroy \(plain, or the night's\) leaves devkube's claims in the cluster/);
        const claim = kubeJson(["-n", NS, "get", "pvc", "workspace"]);
        assert.deepEqual([claim.status.phase, claim.spec.storageClassName, claim.spec.volumeName], ["Bound", "e2e-standard", "e2e-standard-20gi"]);
        const service = kubeJson(["-n", NS, "get", "svc", "nfs-server"]);
        assert.equal(sharePv().spec.nfs.server, service.spec.clusterIP, "the share PV's server is the NFS Service's ClusterIP");
        const server = kubeJson(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/name=nfs-server"]).items;
        assert.equal(server.length, 1);
        assert.deepEqual(server[0].spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean), ["workspace"]);
        assert.equal(kubeJson(["-n", NS, "get", "svc", "web"]).spec.type, "ClusterIP", "nothing exposed on someone else's cluster");
        assert.equal(stackOutputs(stack).workspace, "a claim from storage class e2e-standard (kept by every destroy; reclaim policy Delete)");
    });

    it("survives the night: sleep leaves the claim (and its namespace) in the cluster, wake serves the same volume", async () => {
        const slept = run("npm", ["run", "--silent", "sleep", "--", stack]);
        assert.equal(slept.code, 0, tail(slept.stdout + slept.stderr));
        assert.match(slept.stdout, /left in place \(retainOnDelete: forgotten, not deleted; the next up takes them back\): Namespace devkube-namespace, PersistentVolumeClaim devkube-workspace-claim/);
        await waitFor("the NFS server to be gone", () => !exists(["-n", NS, "deployment", "nfs-server"]) || undefined, 120);
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "workspace"]).spec.volumeName, "e2e-standard-20gi");
        const woke = run("npm", ["run", "--silent", "wake", "--", stack]);
        assert.equal(woke.code, 0, tail(woke.stdout + woke.stderr));
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "workspace"]).spec.volumeName, "e2e-standard-20gi");
        assert.equal(kubeJson(["-n", NS, "get", "deployment", "nfs-server"]).status.readyReplicas, 1);
    });

    it("a plain pulumi destroy --yes succeeds and leaves only the workspace claim and its namespace; the next up serves the same volume", () => {
        const destroyed = pulumi(stack, ["destroy", "--yes"]);
        assert.equal(destroyed.code, 0, tail(destroyed.stdout + destroyed.stderr));
        const left = kubeJson(["-n", NS, "get", "deployments,services,persistentvolumeclaims"]).items.map((o: any) => `${o.kind}/${o.metadata.name}`);
        assert.deepEqual(left, ["PersistentVolumeClaim/workspace"]);
        assert.equal(devkubePvs().length, 0, "the share's PV is gone too");
        upOrFail(stack);
        assert.equal(kubeJson(["-n", NS, "get", "pvc", "workspace"]).spec.volumeName, "e2e-standard-20gi");
        mustPulumi(stack, ["preview", "--expect-no-changes"]);
    });
});

describe(`e2e: upgrading stacks the previous release made, on ${CONTEXT}`, function () {
    this.timeout(10 * 60_000);
    // main as it last landed: a target's provider at the top, class claims protected.
    const PREVIOUS = "93db3e0";
    const previous = path.join(WORK, "previous");
    const inPrevious = (stack: string, args: string[]) => run("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: previous });
    const storage = standInClass("local-path", "rancher.io/local-path", "e2e-local-path-upgrade", "50Gi", "/var/lib/rancher/k3s/storage/upgrade");

    before(() => {
        fs.rmSync(previous, { recursive: true, force: true });
        fs.mkdirSync(previous, { recursive: true });
        execFileSync("bash", ["-c", `git -C "${REPO}" archive ${PREVIOUS} | tar -x -C "${previous}"`]);
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(previous, "node_modules"));
        const applied = kubectlInput(["apply"], storage);
        assert.equal(applied.code, 0, applied.stderr);
    });
    after(() => fs.rmSync(previous, { recursive: true, force: true }));

    /** What a preview plans must never be for an upgrade: a resource deleted or replaced. */
    const LOSSY = /^(delete|replace|create-replacement|delete-replaced|discard)/;

    /**
     * Brings `stack` up with the previous release, moves its state to today's project and returns the
     * steps today's preview plans that are not "same".
     */
    function upgrade(stack: string, config: Record<string, unknown>, secrets: Record<string, string> = {}): string[] {
        fs.writeFileSync(path.join(previous, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
        for (const args of [["stack", "select", "--create"], ...Object.entries(secrets).map(([k, v]) => ["config", "set", "--secret", k, v]), ["up", "--yes", "--skip-preview"]]) {
            const result = inPrevious(stack, args);
            assert.equal(result.code, 0, tail(result.stdout + result.stderr));
        }
        // The stack file (its encryption salt and secrets included) and the state move as they are.
        fs.copyFileSync(path.join(previous, `Pulumi.${stack}.yaml`), path.join(PROJECT, `Pulumi.${stack}.yaml`));
        const file = path.join(WORK, `${stack}.state.json`);
        fs.writeFileSync(file, inPrevious(stack, ["stack", "export"]).stdout);
        mustPulumi(stack, ["stack", "select", "--create"]);
        mustPulumi(stack, ["stack", "import", "--file", file]);
        const plan = JSON.parse(mustPulumi(stack, ["preview", "--json"]).stdout);
        return plan.steps.filter((step: any) => step.op !== "same").map((step: any) => `${step.op} ${step.urn.split("::").slice(-2).join("::")}`);
    }

    it("minikube: the first up after the upgrade moves the provider under the component, replacing and deleting nothing", () => {
        const stack = "e2e-upgrade";
        fs.copyFileSync(path.join(PROJECT, "policies", "config", "minikube.json"), path.join(PROJECT, "policies", "config", `${stack}.json`));
        const config = { ...YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.minikube.yaml"), "utf8")).config, "devkube:kubeContext": CONTEXT };
        try {
            const changed = upgrade(stack, config);
            const hostPath = workspacePv().spec.hostPath;
            assert.deepEqual(changed.filter((step) => LOSSY.test(step)), [], "no replace, no delete");
            assert.deepEqual(changed.filter((step) => step.startsWith("create")), ["create devkube:target:Target::minikube"], "only the new component is created");
            upOrFail(stack);
            assert.deepEqual(workspacePv().spec.hostPath, hostPath, "the same host path");
            mustPulumi(stack, ["preview", "--expect-no-changes"]);
        } finally {
            pulumi(stack, ["destroy", "--yes", "--skip-preview"]);
            inPrevious(stack, ["destroy", "--yes", "--skip-preview"]);
        }
    });

    it("Conduit: its protected claim becomes one every destroy leaves, in place; a plain destroy then succeeds and keeps it", () => {
        const stack = "e2e-upgrade-conduit";
        fs.copyFileSync(path.join(PROJECT, "policies", "config", "homelab.json"), path.join(PROJECT, "policies", "config", `${stack}.json`));
        const config = {
            ...YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.homelab.yaml"), "utf8")).config,
            "devkube:kubeContext": CONTEXT,
            ...YAML.parse(fs.readFileSync(path.join(PROJECT, "test", "fixtures", "conduit.yaml"), "utf8")),
        };
        try {
            const changed = upgrade(stack, config, { "devkube:conduitRegistrationToken": "e2e-registration-token-5d1c" });
            const before = kubeJson(["-n", NS, "get", "pvc", "conduit-data"]).metadata.uid;
            assert.deepEqual(changed.filter((step) => LOSSY.test(step)), [], "no replace, no delete");
            assert.deepEqual(changed.filter((step) => step.startsWith("create")), ["create devkube:target:Target::baremetal"], "only the new component is created");
            // In place: the claim gains its role label (devkube.dev/role: app-data); protect and retainOnDelete change in the state only.
            assert.ok(changed.includes("update devkube:core:Environment$devkube:apps:App$devkube:storage:AppData$kubernetes:core/v1:PersistentVolumeClaim::devkube-app-conduit-data-claim"), changed.join("\n"));
            upOrFail(stack);
            const state = JSON.parse(mustPulumi(stack, ["stack", "export"]).stdout).deployment.resources;
            const claim = state.find((r: any) => r.urn.endsWith("::devkube-app-conduit-data-claim"));
            assert.deepEqual([claim.protect ?? false, claim.retainOnDelete], [false, true]);
            const destroyed = pulumi(stack, ["destroy", "--yes"]);
            assert.equal(destroyed.code, 0, tail(destroyed.stdout + destroyed.stderr));
            assert.equal(kubeJson(["-n", NS, "get", "pvc", "conduit-data"]).metadata.uid, before, "the same claim, never deleted");
        } finally {
            inPrevious(stack, ["state", "unprotect", "--all", "--yes"]);
            inPrevious(stack, ["destroy", "--yes", "--skip-preview"]);
            leaveNothing(stack, storage);
        }
    });
});
