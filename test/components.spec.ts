import { strict as assert } from "assert";
import { accessInstructions } from "../components/access";
import { NFS_RECOVERY_ROOT, ganeshaConfig, servingCheckRequest, servingCheckScript, startScript } from "../components/nfs-server";
import { quotaFor } from "../components/namespace";
import { sharedVolumeSpec } from "../components/nfs-share";
import { NGINX_CONF } from "../components/web-server";
import { backingVolumeSpec } from "../components/workspace";
import { IMAGES } from "../components/images";
import { doksKubeconfig, volumeName } from "../targets/digitalocean";

describe("components: decisions", () => {
    it("gives the exact port-forward command for a private service", () => {
        assert.equal(
            accessInstructions({ namespace: "devkube", serviceName: "web", type: "ClusterIP", port: 80, nodeAddress: "", localPort: 8080 }),
            "kubectl -n devkube port-forward svc/web 8080:80, then open http://localhost:8080",
        );
    });
    it("gives a node-port URL with the target's way to find a node", () => {
        assert.equal(
            accessInstructions({ namespace: "d", serviceName: "web", type: "NodePort", port: 80, nodePort: 30001, nodeAddress: "$(minikube ip)", localPort: 8080 }),
            "http://$(minikube ip):30001",
        );
    });
    it("waits for a load balancer's address and then prints it", () => {
        const base = { namespace: "d", serviceName: "web", type: "LoadBalancer" as const, port: 80, nodeAddress: "", localPort: 8080 };
        assert.match(accessInstructions(base), /kubectl -n d get svc web -w/);
        assert.equal(accessInstructions({ ...base, loadBalancerAddress: "203.0.113.9" }), "http://203.0.113.9");
    });
    it("exports NFSv4 only, squashed to one owner, with stable file handles", () => {
        const conf = ganeshaConfig("/export");
        assert.match(conf, /Protocols = 4;/);
        assert.match(conf, /Path = \/export;/);
        assert.match(conf, /Pseudo = \/;/);
        assert.match(conf, /Squash = All_Squash;/);
        assert.match(conf, /fsid_device = false;/);
        assert.doesNotMatch(conf, /Protocols = 3/);
    });
    it("names every path the NFS server writes, keeps recovery state out of the export, no UDP, no Kerberos", () => {
        const conf = ganeshaConfig("/export");
        assert.match(conf, new RegExp(`RecoveryRoot = ${NFS_RECOVERY_ROOT};`));
        assert.match(conf, /Enable_UDP = false;/);
        assert.match(conf, /NFS_KRB5 \{ Active_krb5 = false; \}/);
        const start = startScript();
        assert.match(start, /ganesha\.nfsd -F -L \/dev\/stdout -p \/run\/ganesha\/ganesha\.pid -f \/etc\/ganesha\/devkube\/ganesha\.conf/);
        assert.match(start, /mkdir -p \/run\/ganesha \/var\/lib\/nfs\/ganesha/);
        assert.match(start, /tee \/dev\/termination-log/);
    });
    it("asks the NFS server for its export root in one RPC record: PUTROOTFH, GETFH, NFSv4.0, AUTH_SYS", () => {
        const record = servingCheckRequest();
        assert.equal(record.readUInt32BE(0), 0x80000000 + record.length - 4, "last fragment, its length");
        const words = Array.from({ length: (record.length - 4) / 4 }, (_, i) => record.readUInt32BE(4 + i * 4));
        assert.deepEqual(words.slice(1, 6), [0, 2, 100003, 4, 1], "CALL, RPC 2, NFS, v4, COMPOUND");
        assert.equal(words[6], 1, "AUTH_SYS");
        assert.deepEqual(words.slice(-3), [2, 24, 10], "two operations: PUTROOTFH, GETFH");
        const script = servingCheckScript();
        assert.equal((script.match(/\\x[0-9a-f]{2}/g) ?? []).length, record.length, "the script sends exactly those bytes");
    });
    it("admits node ports and load balancers only when the web server uses them", () => {
        assert.equal(quotaFor({ nodePorts: 0, loadBalancers: 0, maxPods: 40, claims: 2 })["services.nodeports"], "0");
        assert.equal(quotaFor({ nodePorts: 0, loadBalancers: 0, maxPods: 40, claims: 2 })["services.loadbalancers"], "0");
        assert.equal(quotaFor({ nodePorts: 2, loadBalancers: 1, maxPods: 40, claims: 2 })["services.loadbalancers"], "1");
    });
    it("takes the pod quota from config", () => {
        assert.equal(quotaFor({ nodePorts: 0, loadBalancers: 0, maxPods: 80, claims: 2 }).pods, "80");
    });
    it("keeps the default ceilings for a few apps and grows them to fit many", () => {
        const base = quotaFor({ nodePorts: 0, loadBalancers: 0, maxPods: 40, claims: 2 });
        assert.deepEqual([base["limits.cpu"], base["limits.memory"], base["requests.cpu"], base["requests.memory"]], ["8", "16Gi", "4", "8Gi"]);
        // 20 replicas at the app defaults (100m/128Mi, limits 400m/256Mi), plus 5 surge pods.
        const demand = { cpuRequest: 25 * 0.1, cpuLimit: 25 * 0.4, memoryRequest: 25 * 128 * 1024 ** 2, memoryLimit: 25 * 256 * 1024 ** 2 };
        const many = quotaFor({ nodePorts: 0, loadBalancers: 0, maxPods: 40, claims: 2, appDemand: demand });
        // devkube's own containers (SIZES), each twice during a rolling update: 5.08 cores of limits, 1.27 of requests.
        assert.equal(many["limits.cpu"], "16", "10 cores for the apps + 5.08 for the environment");
        assert.equal(many["requests.cpu"], "4", "2.5 cores for the apps + 1.27 for the environment");
    });
    it("keeps the backing disk on Retain with node affinity when it lives on one node", () => {
        const spec: any = backingVolumeSpec({
            size: "10Gi",
            volume: { source: { local: { path: "/mnt/usb" } }, node: "odroid-1", description: "" },
        }, { namespace: "devkube", name: "workspace" });
        assert.deepEqual(spec.claimRef, { namespace: "devkube", name: "workspace" }, "reserved for its claim");
        assert.equal(spec.persistentVolumeReclaimPolicy, "Retain");
        assert.equal(spec.storageClassName, "", "no class: the PV is reserved for its claim");
        assert.deepEqual(spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], {
            key: "kubernetes.io/hostname",
            operator: "In",
            values: ["odroid-1"],
        });
    });
    it("builds the share from the server address with the mount options", () => {
        const spec: any = sharedVolumeSpec({ server: "10.0.0.1", path: "/", size: "1Gi", mountOptions: ["actimeo=1"] }, { namespace: "devkube", name: "share" });
        assert.deepEqual(spec.claimRef, { namespace: "devkube", name: "share" }, "reserved for its claim");
        assert.deepEqual(spec.nfs, { server: "10.0.0.1", path: "/" });
        assert.deepEqual(spec.accessModes, ["ReadWriteMany"]);
        assert.equal(spec.storageClassName, "");
        assert.deepEqual(spec.mountOptions, ["actimeo=1"]);
    });
    it("serves the share with sendfile off", () => {
        assert.match(NGINX_CONF, /sendfile off;/);
    });
    it("pins every image to an explicit tag, never latest", () => {
        for (const image of Object.values(IMAGES)) {
            const tag = image.slice(image.lastIndexOf(":") + 1);
            assert.ok(image.lastIndexOf(":") > image.lastIndexOf("/") && tag !== "latest" && tag !== "", image);
        }
    });
    it("authenticates to DOKS with the API token, not the 7-day kubeconfig token", () => {
        const config = JSON.parse(doksKubeconfig("devkube-dev", "https://x", "Y2E=", "dop_v1_abc"));
        assert.equal(config.users[0].user.token, "dop_v1_abc");
        assert.equal(config.clusters[0].cluster.server, "https://x");
        assert.equal(config.clusters[0].cluster["certificate-authority-data"], "Y2E=");
        assert.equal(config["current-context"], "devkube-dev");
    });
    it("names DigitalOcean volumes within their rules", () => {
        assert.equal(volumeName("dev", "devkube"), "devkube-dev-devkube");
        assert.equal(volumeName("My_Stack", "devkube"), "devkube-my-stack-devkube");
        assert.ok(volumeName("x".repeat(80), "devkube").length <= 64);
        const long = "team-" + "x".repeat(50);
        const [db, cache, workspace] = [volumeName(long, "devkube", "db"), volumeName(long, "devkube", "cache"), volumeName(long, "devkube")];
        assert.ok(db.length <= 64 && cache.length <= 64);
        assert.equal(new Set([db, cache, workspace]).size, 3, "an app's volume never takes the workspace's or another app's name");
        assert.equal(volumeName("dev", "devkube", "db"), "devkube-dev-devkube-db");
    });
});
