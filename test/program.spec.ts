// Loads the real program with each stack file's config under mocks and asserts the resource graph.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    claimReservedBy,
    MOCK_CLUSTER_IP,
    MOCK_DOKS_LATEST,
    MOCK_NODE_PORT,
    MOCK_VOLUME_ID,
    ProgramRun,
    byName,
    ofType,
    podSpecs,
    pvByRole,
    sharePv,
    secretValue,
    FAKE_TOKEN,
    STACK_RUNS,
    runDev,
    runFixture,
    runProgram,
    stackConfigValues,
} from "./harness";

const PV = "kubernetes:core/v1:PersistentVolume";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";


/** Assertions every stack must pass: the wiring, the claims, the resources. */
function assertCommonWiring(run: ProgramRun, expectedServer: string) {
    const ns = byName(run, "kubernetes:core/v1:Namespace", "devkube");
    assert.ok(ns);
    const quota = ofType(run, "kubernetes:core/v1:ResourceQuota");
    const limits = ofType(run, "kubernetes:core/v1:LimitRange");
    assert.equal(quota.length, 1);
    assert.equal(limits.length, 1);
    assert.equal(quota[0].inputs.metadata.namespace, "devkube");
    assert.equal(limits[0].inputs.metadata.namespace, "devkube");

    const share = sharePv(run);
    assert.equal(share.inputs.spec.nfs.server, expectedServer, "the share PV mounts the NFS server's address");
    assert.deepEqual(share.inputs.spec.accessModes, ["ReadWriteMany"]);
    assert.equal(share.inputs.spec.persistentVolumeReclaimPolicy, "Retain");
    const options: string[] = share.inputs.spec.mountOptions;
    assert.ok(options.some((o) => /^nfsvers=4(\.[0-2])?$/.test(o)), `NFS 4.x in ${options}`);
    assert.ok(options.includes("actimeo=1") && options.includes("lookupcache=positive"), `${options}`);

    const claim = claimReservedBy(run, share);
    assert.equal(claim.inputs.metadata.name, "share");
    assert.equal(share.inputs.metadata.name, undefined, "named by Pulumi, never reused after a teardown");
    assert.equal(claim.inputs.spec.storageClassName, "");
    assert.deepEqual(claim.inputs.spec.accessModes, ["ReadWriteMany"]);

    // Every workload except the NFS server mounts the share claim.
    const workloads = podSpecs(run).filter(({ workload }) => workload.inputs.metadata.name !== "nfs-server");
    assert.ok(workloads.length >= 2, "web server and editor");
    for (const { workload, spec } of workloads) {
        const claims = (spec.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
        assert.deepEqual(claims, ["share"], `${workload.inputs.metadata.name} mounts the share`);
    }

    // Every container: requests and limits; long-running ones: probes; images pinned.
    let containers = 0;
    for (const { workload, spec } of podSpecs(run)) {
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            containers++;
            const where = `${workload.inputs.metadata.name}/${c.name}`;
            for (const field of ["cpu", "memory"]) {
                assert.ok(c.resources?.requests?.[field], `${where} requests.${field}`);
                assert.ok(c.resources?.limits?.[field], `${where} limits.${field}`);
            }
            assert.match(c.image, /:[A-Za-z0-9._-]+$/, `${where} image tag`);
            assert.doesNotMatch(c.image, /:latest$/);
        }
        for (const c of spec.containers) {
            assert.ok(c.readinessProbe || c.livenessProbe, `${workload.inputs.metadata.name}/${c.name} has a probe`);
        }
    }
    assert.ok(containers >= 2);

    assert.equal(run.outputs.namespace, "devkube");
    assert.equal(run.outputs.nfsServer, expectedServer);
    assert.match(String(run.outputs.editorShell), /^kubectl -n devkube exec -it deploy\/editor -c shell -- sh$/);
}

function assertInClusterNfs(run: ProgramRun) {
    const server = byName(run, DEPLOYMENT, "nfs-server");
    assert.equal(server.inputs.spec.replicas, 1);
    assert.deepEqual(server.inputs.spec.strategy, { type: "Recreate" });
    const container = server.inputs.spec.template.spec.containers[0];
    assert.equal(container.securityContext.privileged, undefined, "not privileged");
    assert.deepEqual(container.securityContext.capabilities.add, ["DAC_READ_SEARCH"]);
    // Ready means serving (an NFS request), not a listening port; the reason a start failed stays visible.
    assert.deepEqual(container.readinessProbe.exec.command, ["/bin/bash", "/etc/ganesha/devkube/serving.sh"]);
    assert.deepEqual(container.livenessProbe.exec.command, ["/bin/bash", "/etc/ganesha/devkube/serving.sh"]);
    assert.equal(container.terminationMessagePolicy, "FallbackToLogsOnError");
    const recovery = container.volumeMounts.find((m: any) => m.mountPath === "/var/lib/nfs/ganesha");
    assert.deepEqual(
        server.inputs.spec.template.spec.volumes.find((v: any) => v.name === recovery.name),
        { name: recovery.name, emptyDir: {} },
        "recovery state on the pod, not on the share",
    );
    assert.deepEqual(
        server.inputs.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim,
        { claimName: "workspace" },
    );
    const service = byName(run, SERVICE, "nfs-server");
    assert.equal(service.inputs.spec.type, "ClusterIP");
    assert.equal(service.inputs.spec.clusterIP, undefined, "never headless");
    assert.deepEqual(service.inputs.spec.ports.map((p: any) => p.port), [2049]);
    // The share PV's server must come from the Service's output, so the PV depends on the Service.
    const share = sharePv(run);
    assert.ok(share.propertyDependencies.spec?.includes(service.urn), "share PV spec depends on the NFS Service");

    const workspace = pvByRole(run, "workspace");
    assert.equal(workspace.inputs.metadata.labels["devkube.dev/role"], "workspace");
    assert.equal(workspace.inputs.spec.persistentVolumeReclaimPolicy, "Retain");
    const claim = claimReservedBy(run, workspace);
    assert.equal(claim.inputs.metadata.name, "workspace");
    assert.equal(workspace.inputs.metadata.name, undefined, "named by Pulumi, never reused after a teardown");
    assert.equal(claim.inputs.spec.storageClassName, workspace.inputs.spec.storageClassName);
}

describe("program: minikube stack", function () {
    let run: ProgramRun;
    before(async () => (run = await STACK_RUNS.minikube()));

    it("registers the whole environment, and nothing else", () => {
        const kinds = run.resources
            .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
            .map((r) => `${r.type.split(":").pop()}/${r.inputs.metadata?.name ?? "(auto)"}`)
            .sort();
        assert.deepEqual(kinds, [
            "ConfigMap/(auto)",
            "ConfigMap/(auto)",
            "Deployment/editor",
            "Deployment/nfs-server",
            "Deployment/web",
            "LimitRange/devkube-limits",
            "Namespace/devkube",
            "PersistentVolume/(auto)",
            "PersistentVolume/(auto)",
            "PersistentVolumeClaim/share",
            "PersistentVolumeClaim/workspace",
            "ResourceQuota/devkube-quota",
            "Service/nfs-server",
            "Service/web",
        ]);
    });
    it("wires the NFS Service's ClusterIP into every mount", () => {
        assertCommonWiring(run, MOCK_CLUSTER_IP);
        assertInClusterNfs(run);
    });
    it("keeps the code in a hostPath under /data on a Retain PV", () => {
        const workspace = pvByRole(run, "workspace");
        assert.deepEqual(workspace.inputs.spec.hostPath, { path: "/data/devkube", type: "DirectoryOrCreate" });
        assert.equal(workspace.inputs.spec.storageClassName, "");
        assert.equal(workspace.inputs.spec.nodeAffinity, undefined);
    });
    it("uses the minikube context and exposes the web server on a NodePort", () => {
        const provider = ofType(run, "pulumi:providers:kubernetes")[0];
        assert.equal(provider.inputs.context, "minikube");
        assert.equal(byName(run, SERVICE, "web").inputs.spec.type, "NodePort");
        assert.equal(run.outputs.webUrl, `http://$(minikube ip):${MOCK_NODE_PORT}`);
        assert.equal(run.outputs.webServiceType, "NodePort");
    });
    it("sends every Kubernetes resource through that provider", () => {
        const kube = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(kube.length > 0);
        for (const r of kube) {
            assert.match(r.provider, /pulumi:providers:kubernetes::minikube::/, `${r.type} ${r.name}`);
        }
    });
    it("runs no browser IDE unless asked", () => {
        assert.equal(ofType(run, "kubernetes:core/v1:Secret").length, 0);
        assert.match(String(run.outputs.ideUrl), /^disabled/);
    });
});

describe("program: dev stack (DigitalOcean)", function () {
    let run: ProgramRun;
    before(async () => (run = await STACK_RUNS.dev()));

    it("creates a DOKS cluster at the latest version with the configured pool", () => {
        const cluster = ofType(run, "digitalocean:index/kubernetesCluster:KubernetesCluster");
        assert.equal(cluster.length, 1);
        assert.equal(cluster[0].inputs.version, MOCK_DOKS_LATEST);
        assert.equal(cluster[0].inputs.region, "fra1");
        assert.deepEqual(
            { size: cluster[0].inputs.nodePool.size, nodeCount: cluster[0].inputs.nodePool.nodeCount },
            { size: "s-2vcpu-4gb", nodeCount: 2 },
        );
        assert.equal(cluster[0].inputs.destroyAllAssociatedResources, false);
        assert.deepEqual(cluster[0].ignoreChanges, ["version"], "a new DOKS release does not upgrade a running cluster");
        assert.ok(run.invokes.includes("digitalocean:index/getKubernetesVersions:getKubernetesVersions"));
    });
    it("replaces the cluster delete-first (a new node size): never two clusters billing, the volume free to attach to the new one", () => {
        const cluster = ofType(run, "digitalocean:index/kubernetesCluster:KubernetesCluster")[0];
        assert.equal(cluster.deleteBeforeReplace, true);
        const volume = ofType(run, "digitalocean:index/volume:Volume")[0];
        assert.equal(volume.deleteBeforeReplace, false, "the volume is never replaced: what would replace it is ignored");
        assert.deepEqual(volume.ignoreChanges, ["initialFilesystemType", "snapshotId", "description"]);
    });
    it("keeps the workspace on an ext4 volume that every destroy forgets instead of deleting, and that depends on nothing of the cluster", () => {
        const volumes = ofType(run, "digitalocean:index/volume:Volume");
        assert.equal(volumes.length, 1);
        const volume = volumes[0];
        assert.equal(volume.retainOnDelete, true);
        assert.equal(volume.protect, false, "a plain pulumi destroy is not refused");
        assert.equal(volume.importId, "", "a new stack: nothing to take back");
        assert.equal(volume.inputs.size, 20);
        assert.equal(volume.inputs.initialFilesystemType, "ext4");
        assert.equal(volume.inputs.region, "fra1");
        assert.equal(volume.parent.includes("KubernetesCluster"), false);
        const cluster = ofType(run, "digitalocean:index/kubernetesCluster:KubernetesCluster")[0];
        const deps = [...volume.dependencies, ...Object.values(volume.propertyDependencies).flat()];
        assert.ok(cluster.urn);
        assert.ok(!deps.includes(cluster.urn), `volume depends on ${deps}`);
        assert.ok(deps.every((urn) => !urn.includes("kubernetes")), `volume depends on ${deps}`);
    });
    it("attaches that volume through a static CSI PersistentVolume with Retain", () => {
        assertInClusterNfs(run);
        const workspace = pvByRole(run, "workspace");
        assert.deepEqual(workspace.inputs.spec.csi, { driver: "dobs.csi.digitalocean.com", fsType: "ext4", volumeHandle: MOCK_VOLUME_ID });
        assert.equal(workspace.inputs.spec.storageClassName, "", "reserved for its claim: no class, so the claim's await waits for Bound");
        assert.equal(workspace.inputs.metadata.annotations["pv.kubernetes.io/provisioned-by"], "dobs.csi.digitalocean.com");
        assert.equal(workspace.inputs.spec.capacity.storage, "20Gi");
        assert.equal(run.outputs.workspaceVolumeId, MOCK_VOLUME_ID);
    });
    it("wires the ClusterIP into every mount and keeps the web server private", () => {
        assertCommonWiring(run, MOCK_CLUSTER_IP);
        assert.equal(byName(run, SERVICE, "web").inputs.spec.type, "ClusterIP");
        assert.equal(run.outputs.webUrl, "kubectl -n devkube port-forward svc/web 8080:80, then open http://localhost:8080");
        const quota = ofType(run, "kubernetes:core/v1:ResourceQuota")[0];
        assert.equal(quota.inputs.spec.hard["services.nodeports"], "0");
        assert.equal(quota.inputs.spec.hard["services.loadbalancers"], "0");
    });
    it("follows a pinned DOKS version", async () => {
        const pinned = await runDev({ "devkube:doKubernetesVersion": "1.33.5-do.1" });
        const cluster = ofType(pinned, "digitalocean:index/kubernetesCluster:KubernetesCluster")[0];
        assert.equal(cluster.inputs.version, "1.33.5-do.1");
        assert.deepEqual(cluster.ignoreChanges, []);
    });
    it("admits the load balancer's node ports in the quota when the web server is a LoadBalancer", async () => {
        const lb = await runDev({ "devkube:webServiceType": "LoadBalancer" });
        const hard = ofType(lb, "kubernetes:core/v1:ResourceQuota")[0].inputs.spec.hard;
        assert.equal(hard["services.loadbalancers"], "1");
        assert.equal(hard["services.nodeports"], "2", "a LoadBalancer Service allocates node ports too");
        assert.equal(lb.outputs.webUrl, "http://203.0.113.10");
    });
    it("builds the provider's kubeconfig on the API token and exports it as a secret", () => {
        const provider = ofType(run, "pulumi:providers:kubernetes")[0];
        const text: string = secretValue(provider.inputs.kubeconfig);
        const kubeconfig = JSON.parse(text);
        assert.equal(kubeconfig.users[0].user.token, FAKE_TOKEN);
        assert.equal(kubeconfig.clusters[0].cluster.server, "https://0f5e-mock.k8s.ondigitalocean.com");
        assert.doesNotMatch(text, /expires-in-7-days|short-lived/);
        assert.equal(JSON.parse(String(run.outputs.kubeconfig)).users[0].user.token, FAKE_TOKEN);
    });
    it("marks the kubeconfig output and the provider's token secret", async () => {
        assert.equal(await pulumi.isSecret(run.exported.kubeconfig), true);
        const doProvider = ofType(run, "pulumi:providers:digitalocean")[0];
        assert.equal(secretValue(doProvider.inputs.token), FAKE_TOKEN);
    });
});

describe("program: homelab stack (USB disk on one board)", function () {
    let run: ProgramRun;
    before(async () => (run = await STACK_RUNS.homelab()));

    it("wires the ClusterIP into every mount", () => {
        assertCommonWiring(run, MOCK_CLUSTER_IP);
        assertInClusterNfs(run);
    });
    it("puts the workspace on a local Retain PV pinned to the disk's node, reserved for its claim, without a class", () => {
        const workspace = pvByRole(run, "workspace");
        assert.deepEqual(workspace.inputs.spec.local, { path: "/mnt/usb/devkube" });
        assert.deepEqual(workspace.inputs.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions, [
            { key: "kubernetes.io/hostname", operator: "In", values: ["odroid-1"] },
        ]);
        assert.equal(workspace.inputs.spec.persistentVolumeReclaimPolicy, "Retain");
        assert.equal(workspace.inputs.spec.storageClassName, "");
        assert.equal(ofType(run, "kubernetes:storage.k8s.io/v1:StorageClass").length, 0);
    });
    it("pins the NFS server to that node", () => {
        const server = byName(run, DEPLOYMENT, "nfs-server");
        assert.deepEqual(server.inputs.spec.template.spec.nodeSelector, { "kubernetes.io/hostname": "odroid-1" });
    });
    it("uses the k3s default context and a NodePort", () => {
        assert.equal(ofType(run, "pulumi:providers:kubernetes")[0].inputs.context, "default");
        assert.equal(byName(run, SERVICE, "web").inputs.spec.type, "NodePort");
    });
});

describe("program: homelab stack (existing NFS export)", function () {
    let run: ProgramRun;
    before(async () => (run = await STACK_RUNS["homelab (existing export)"]()));

    it("mounts the existing export directly, with no NFS server pod", () => {
        assertCommonWiring(run, "192.168.1.20");
        const share = sharePv(run);
        assert.deepEqual(share.inputs.spec.nfs, { server: "192.168.1.20", path: "/srv/nfs/devkube" });
        assert.equal(share.inputs.metadata.labels["devkube.dev/role"], "workspace");
        assert.equal(podSpecs(run).filter(({ workload }) => workload.inputs.metadata.name === "nfs-server").length, 0);
        assert.equal(ofType(run, SERVICE).filter((s) => s.inputs.metadata.name === "nfs-server").length, 0);
        assert.equal(ofType(run, PV).length, 1);
    });
});

describe("program: cluster stack (the kubeconfig target: any existing cluster)", function () {
    let run: ProgramRun;
    before(async () => (run = await STACK_RUNS.cluster()));
    const withClass = (storageClass: string, extra: Record<string, string> = {}) =>
        runProgram("cluster", { ...stackConfigValues("cluster"), "devkube:storageClass": storageClass, ...extra });

    it("keeps the code on a protected claim from the cluster's default class, served by devkube's NFS server", () => {
        assertCommonWiring(run, MOCK_CLUSTER_IP);
        const claim = byName(run, PVC, "workspace");
        assert.equal(claim.inputs.spec.storageClassName, undefined, "no class named: the cluster's default");
        assert.equal(claim.inputs.spec.volumeName, undefined, "provisioned by the class, no static PV");
        assert.deepEqual([claim.retainOnDelete, claim.protect], [true, false], "every destroy leaves it in the cluster, a plain one included");
        assert.equal(byName(run, "kubernetes:core/v1:Namespace", "devkube").retainOnDelete, true, "and its namespace, whose deletion would delete it");
        assert.equal(claim.inputs.metadata.labels["devkube.dev/role"], "workspace");
        assert.equal(ofType(run, PV).filter((pv) => pv.inputs.metadata.labels?.["devkube.dev/role"] === "workspace").length, 0, "no static PV");
        const server = byName(run, DEPLOYMENT, "nfs-server");
        assert.deepEqual(server.inputs.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim, { claimName: "workspace" });
        assert.equal(server.inputs.spec.template.spec.nodeSelector, undefined, "no node is chosen for it");
        assert.match(String(run.outputs.workspace), /cluster's default storage class \(kept by every destroy; .*reclaim policy/);
    });
    it("uses the kubeconfig's current context and exposes nothing", () => {
        const provider = ofType(run, "pulumi:providers:kubernetes")[0];
        assert.equal(provider.name, "kubeconfig");
        assert.equal(provider.inputs.context, undefined);
        assert.equal(byName(run, SERVICE, "web").inputs.spec.type, "ClusterIP");
        for (const r of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.match(r.provider, /pulumi:providers:kubernetes::kubeconfig::/, `${r.type} ${r.name}`);
        }
    });
    it("claims from the class the stack names, reads its reclaim policy, and says what it means", async () => {
        const retained = await withClass("retained-ssd", { "devkube:kubeContext": "kind-devkube" });
        assert.equal(byName(retained, PVC, "workspace").inputs.spec.storageClassName, "retained-ssd");
        assert.equal(ofType(retained, "pulumi:providers:kubernetes")[0].inputs.context, "kind-devkube");
        assert.ok(retained.invokes.includes("read StorageClass retained-ssd"), "the class is read through the provider");
        assert.equal(retained.outputs.workspace, "a claim from storage class retained-ssd (kept by every destroy; reclaim policy Retain)");
        const deleting = await withClass("local-path");
        assert.equal(deleting.outputs.workspace, "a claim from storage class local-path (kept by every destroy; reclaim policy Delete)");
    });
    it("puts an app's own volume on a protected claim from the same class unless the app names another", async () => {
        const apps = JSON.stringify([
            { name: "db", image: "postgres:17.6-bookworm", volume: { size: "2Gi", mountPath: "/var/lib/postgresql/data" }, ports: [5432] },
            { name: "cache", image: "redis:8.2.1-bookworm", volume: { size: "1Gi", mountPath: "/data", storageClass: "local-path" }, ports: [6379] },
        ]);
        const withApps = await withClass("retained-ssd", { "devkube:apps": apps });
        const db = byName(withApps, PVC, "db-data");
        assert.deepEqual([db.inputs.spec.storageClassName, db.retainOnDelete, db.inputs.metadata.labels["devkube.dev/role"]], ["retained-ssd", true, "app-data"]);
        assert.equal(byName(withApps, PVC, "cache-data").inputs.spec.storageClassName, "local-path");
        assert.equal(ofType(withApps, PV).length, 1, "only the share's PV: no static PV for app data");
    });
});

describe("program: a Service waits only for what its Deployment has not awaited already", function () {
    it("ClusterIP and NodePort Services skip the provider's await (10 s of endpoint settling each); a LoadBalancer waits for its address", async () => {
        const services = (run: ProgramRun) => Object.fromEntries(ofType(run, SERVICE).map((s) => [s.inputs.metadata.name, s.inputs.metadata.annotations?.["pulumi.com/skipAwait"]]));
        assert.deepEqual(services(await STACK_RUNS.minikube()), { "nfs-server": "true", web: "true" });
        assert.deepEqual(services(await runDev({ "devkube:webServiceType": "LoadBalancer" })), { "nfs-server": "true", web: undefined });
        for (const s of ofType(await STACK_RUNS.minikube(), SERVICE)) {
            assert.ok(s.dependencies.some((d) => d.includes("apps/v1:Deployment")), `${s.inputs.metadata.name} is created after its Deployment is ready`);
        }
    });
});

describe("program: a target's resources sit under one component", function () {
    for (const [stack, load] of Object.entries(STACK_RUNS)) {
        it(`${stack}: the providers${stack === "dev" ? ", the cluster and the volume" : ""} have the target's component as parent`, async () => {
            const run = await load();
            const components = run.resources.filter((r) => r.type === "devkube:target:Target");
            assert.equal(components.length, 1);
            const own = run.resources.filter((r) => r.type.startsWith("pulumi:providers:") || r.type.startsWith("digitalocean:"));
            assert.ok(own.length >= 1);
            for (const r of own) {
                assert.match(r.parent, /devkube:target:Target::/, `${r.type} ${r.name}`);
            }
        });
    }
});

describe("program: the browser IDE", function () {
    let run: ProgramRun;
    before(
        async () =>
            (run = await runProgram(
                "minikube",
                { ...stackConfigValues("minikube"), "devkube:ide": "true", "devkube:idePassword": "s3cret-pass" },
                { secretKeys: ["devkube:idePassword"] },
            )),
    );
    it("runs code-server on the share with its password from a Secret, behind a private Service", () => {
        const secret = ofType(run, "kubernetes:core/v1:Secret");
        assert.equal(secret.length, 1);
        assert.equal(secretValue(secret[0].inputs.stringData).PASSWORD, "s3cret-pass");
        const ide = byName(run, DEPLOYMENT, "ide");
        const container = ide.inputs.spec.template.spec.containers[0];
        assert.deepEqual(container.env[0].valueFrom.secretKeyRef.key, "PASSWORD");
        assert.ok(!JSON.stringify(ide.inputs).includes("s3cret-pass"), "password never in the Deployment");
        assert.equal(byName(run, SERVICE, "ide").inputs.spec.type, "ClusterIP");
        assert.match(String(run.outputs.ideUrl), /port-forward svc\/ide 8080:8080/);
    });
});

describe("program: preview", function () {
    it("passes the NFS address on as unknown while the Service is only dry-run, never as an empty server", async () => {
        const run = await runProgram("minikube", stackConfigValues("minikube"), { preview: true });
        const share = sharePv(run);
        assert.equal(pulumi.isUnknown(share.inputs.spec.nfs.server), true, `unknown in the preview, got ${JSON.stringify(share.inputs.spec.nfs.server)}`);
        assert.equal(share.inputs.spec.nfs.path, "/");
        assert.equal(run.outputs.nfsServer, undefined);
    });
});

describe("program: bad stack config fails before any resource is registered", function () {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
        ["unknown target", { "devkube:target": "aws" }, /devkube:target: got "aws"; allowed: digitalocean, minikube, baremetal/],
        ["malformed size", { "devkube:workspaceSize": "10Gx" }, /devkube:workspaceSize: got "10Gx"/],
        ["node count < 1", { "devkube:target": "digitalocean", "devkube:doNodeCount": "0", "digitalocean:token": "t" }, /devkube:doNodeCount: got "0"/],
        ["missing DigitalOcean token", { "devkube:target": "digitalocean" }, /digitalocean:token: not set/],
        ["missing storage node", { "devkube:target": "baremetal", "devkube:diskPath": "/mnt/usb" }, /devkube:storageNode: got ""/],
        ["missing disk path", { "devkube:target": "baremetal", "devkube:storageNode": "pi-1" }, /devkube:diskPath: got ""/],
        [
            "NFS export without a server",
            { "devkube:target": "baremetal", "devkube:baremetalMode": "existing-export", "devkube:nfsPath": "/srv" },
            /devkube:nfsServer: got ""/,
        ],
        [
            "a misspelled key",
            { "devkube:workspaceSzie": "20Gi" },
            /devkube:workspaceSzie: is not a devkube setting \(did you mean devkube:workspaceSize\?\)/,
        ],
    ];
    const savedEnv = { ...process.env };
    before(() => {
        delete process.env.DIGITALOCEAN_TOKEN;
        delete process.env.DIGITALOCEAN_ACCESS_TOKEN;
    });
    after(() => Object.assign(process.env, savedEnv));
    for (const [title, overrides, expected] of cases) {
        it(title, async () => {
            const config = { ...stackConfigValues("minikube"), ...overrides };
            let registered = -1;
            await assert.rejects(
                async () => {
                    try {
                        await runProgram("test", config);
                    } finally {
                        registered = (pulumi.runtime.getMonitor() as any).resources.size;
                    }
                },
                (error: Error) => {
                    assert.ok(error instanceof pulumi.RunError, `a RunError (printed without a stack trace), got ${error}`);
                    // With a stack, the SDK's handler formats it through the source maps: 26 s instead of 6 (npm run bench:refusal).
                    assert.equal(error.stack, undefined, "no stack for the SDK's error handler to format");
                    assert.match(error.message, expected);
                    assert.match(error.message, /nothing was changed/);
                    return true;
                },
            );
            assert.equal(registered, 0, "no resource registered");
        });
    }
});

describe("program: every PersistentVolume is reserved for its own claim", function () {
    const runs = { ...STACK_RUNS, "multi-service example": () => runFixture("multi-service.yaml") };
    for (const [label, load] of Object.entries(runs)) {
        it(`${label}: claimRef names the claim that binds it, so no other claim can take it`, async () => {
            const run = await load();
            const pvs = ofType(run, "kubernetes:core/v1:PersistentVolume");
            assert.ok(pvs.length >= 1, "the program registered its volumes");
            for (const pv of pvs) {
                const claim = claimReservedBy(run, pv);
                assert.deepEqual(pv.inputs.spec.claimRef, { namespace: claim.inputs.metadata.namespace, name: claim.inputs.metadata.name }, pv.name);
            }
        });
    }
});
