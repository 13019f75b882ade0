// The Conduit and multi-service worked examples (test/fixtures), under mocks: exactly the objects
// they should add, wired to each other, and passing the policy pack of the stack they are written for.
import { strict as assert } from "assert";
import { runAllPolicies } from "../policies/test/util";
import { planSleep } from "../scripts/night";
import {
    claimReservedBy,
    ProgramRun,
    Recorded,
    byName,
    fakeSecret,
    isSecretValue,
    ofType,
    packConfig,
    policyResources,
    resourcesAdded,
    runDev,
    runFixture,
    runProgram,
    secretValue,
    stackConfigValues,
    stateOf,
} from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
const PV = "kubernetes:core/v1:PersistentVolume";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const DO_VOLUME = "digitalocean:index/volume:Volume";

/** The custom resources a fixture adds to its stack's plain run, as sorted "Kind name" lines. */
async function addedObjects(file: string, run: ProgramRun): Promise<string[]> {
    return (await resourcesAdded(file, run)).map((r) => `${r.type.split(":").pop()} ${r.state.metadata?.name ?? r.name}`).sort();
}

function container(run: ProgramRun, name: string): any {
    return byName(run, DEPLOYMENT, name).inputs.spec.template.spec.containers[0];
}

/** The object of a type whose generated name a reference carries. */
function referenced(run: ProgramRun, type: string, name: string): Recorded {
    const found = ofType(run, type).find((r) => r.state.metadata.name === name);
    assert.ok(found, `no ${type} named ${name}`);
    return found;
}

async function mandatoryFindings(run: ProgramRun, stack: string): Promise<string[]> {
    const findings = await runAllPolicies(policyResources(run), packConfig(stack));
    return findings.filter((f) => f.enforcement === "mandatory").map((f) => `${f.policy}: ${f.message}`);
}

describe("apps: the Conduit Matrix homeserver example (home lab)", function () {
    let run: ProgramRun;
    before(async () => (run = await runFixture("conduit.yaml")));

    it("adds exactly a ConfigMap, a Secret, a protected claim, a Deployment, a Service and an Ingress", async () => {
        assert.deepEqual(await addedObjects("conduit.yaml", run), [
            "ConfigMap devkube-app-conduit-env-abc123",
            "Deployment conduit",
            "Ingress conduit",
            "PersistentVolumeClaim conduit-data",
            "Secret devkube-app-conduit-secret-abc123",
            "Service conduit",
        ]);
    });
    it("keeps its 50Gi claim on the named storage class, left in the cluster by every destroy (and its namespace), mounted at the database path", () => {
        const claim = byName(run, CLAIM, "conduit-data");
        assert.equal(claim.inputs.spec.storageClassName, "local-path");
        assert.equal(claim.inputs.spec.resources.requests.storage, "50Gi");
        assert.deepEqual([claim.retainOnDelete, claim.protect], [true, false], "a plain destroy succeeds and leaves the claim");
        assert.equal(byName(run, "kubernetes:core/v1:Namespace", "devkube").retainOnDelete, true, "deleting the namespace would delete the claim");
        const pod = byName(run, DEPLOYMENT, "conduit").inputs.spec.template.spec;
        assert.deepEqual(pod.volumes, [{ name: "data", persistentVolumeClaim: { claimName: "conduit-data" } }]);
        assert.deepEqual(pod.containers[0].volumeMounts, [{ name: "data", mountPath: "/var/lib/matrix-conduit" }]);
        const plan = planSleep(stateOf(run));
        assert.deepEqual(plan.keep, []);
        assert.deepEqual(plan.leave, ["Namespace devkube-namespace", "PersistentVolumeClaim devkube-app-conduit-data-claim"], "the claim, and the namespace it lives in");
        assert.ok(!plan.remove.includes("Namespace devkube-namespace"));
    });
    it("runs one replica with Recreate, its CONDUIT_* settings from the ConfigMap and the registration token from the Secret", () => {
        const deployment = byName(run, DEPLOYMENT, "conduit");
        assert.equal(deployment.inputs.spec.replicas, 1);
        assert.deepEqual(deployment.inputs.spec.strategy, { type: "Recreate" });
        const c = container(run, "conduit");
        assert.deepEqual(c.ports, [{ name: "port-0", containerPort: 6167 }]);
        const settings = referenced(run, CONFIGMAP, c.envFrom[0].configMapRef.name).inputs.data;
        assert.ok(Object.keys(settings).every((key) => key.startsWith("CONDUIT_")));
        assert.equal(settings.CONDUIT_PORT, "6167");
        assert.equal(settings.CONDUIT_DATABASE_PATH, "/var/lib/matrix-conduit/");
        const ref = c.env.find((e: any) => e.name === "CONDUIT_REGISTRATION_TOKEN").valueFrom.secretKeyRef;
        const secret = referenced(run, SECRET, ref.name);
        assert.deepEqual(secretValue(secret.inputs.stringData), { CONDUIT_REGISTRATION_TOKEN: fakeSecret("devkube:conduitRegistrationToken") });
        const inClear = JSON.stringify(run.resources.filter((r) => r !== secret).map((r) => r.inputs));
        assert.ok(!inClear.includes(fakeSecret("devkube:conduitRegistrationToken")));
        assert.equal(c.readinessProbe.httpGet.path, "/_matrix/client/versions");
    });
    it("serves port 6167 behind a ClusterIP Service on 8448", () => {
        const service = byName(run, SERVICE, "conduit");
        assert.equal(service.inputs.spec.type, "ClusterIP");
        assert.deepEqual(service.inputs.spec.ports, [{ name: "port-0", port: 8448, targetPort: 6167 }]);
    });
    it("routes two hosts through an Ingress to the Service's port, with TLS from the cert-manager issuer", () => {
        const ingress = byName(run, INGRESS, "conduit");
        const service = byName(run, SERVICE, "conduit");
        assert.equal(ingress.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
        assert.equal(ingress.inputs.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"], "websecure", "no plain HTTP on k3s");
        assert.equal(ingress.inputs.metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
        assert.equal(ingress.inputs.spec.ingressClassName, undefined, "the cluster's default ingress class");
        assert.deepEqual(ingress.inputs.spec.tls, [{ hosts: ["matrix.example.org", "example.org"], secretName: "conduit-tls" }]);
        assert.deepEqual(
            ingress.inputs.spec.rules.map((rule: any) => [rule.host, rule.http.paths[0].backend.service.name, rule.http.paths[0].backend.service.port.number]),
            [
                ["matrix.example.org", service.state.metadata.name, service.inputs.spec.ports[0].port],
                ["example.org", service.state.metadata.name, service.inputs.spec.ports[0].port],
            ],
        );
        assert.equal((run.outputs.apps as any).conduit, "https://matrix.example.org/ https://example.org/ (Ingress; certificate from cert-manager ClusterIssuer letsencrypt)");
    });
    it("passes the home lab's policy pack", async () => {
        assert.deepEqual(await mandatoryFindings(run, "homelab"), []);
    });
});

describe("apps: the multi-service example (PostgreSQL, Redis, a web app and a worker)", function () {
    let run: ProgramRun;
    before(async () => (run = await runFixture("multi-service.yaml")));

    it("adds exactly the objects of two presets (with their own volumes) and two apps", async () => {
        const added = (await addedObjects("multi-service.yaml", run)).map((line) => line.replace(/-abc123$/, ""));
        assert.deepEqual(added, [
            "ConfigMap devkube-app-db-env",
            "Deployment cache",
            "Deployment db",
            "Deployment shop",
            "Deployment shop-worker",
            "PersistentVolume devkube-app-cache-data-volume",
            "PersistentVolume devkube-app-db-data-volume",
            "PersistentVolumeClaim cache-data",
            "PersistentVolumeClaim db-data",
            "Secret devkube-app-cache-connection",
            "Secret devkube-app-cache-secret",
            "Secret devkube-app-db-connection",
            "Secret devkube-app-db-secret",
            "Service cache",
            "Service db",
            "Service shop",
        ]);
    });
    for (const [name, image, mountPath, hostPath, size] of [
        ["db", "postgres:17.2-alpine", "/var/lib/postgresql/data", "/data/devkube-apps/db", "5Gi"],
        ["cache", "redis:7.4.1-alpine", "/data", "/data/devkube-apps/cache", "1Gi"],
    ]) {
        it(`runs ${name} from ${image}, one replica, Recreate, on its own retained claim (not on NFS), with an exec probe`, () => {
            const deployment = byName(run, DEPLOYMENT, name);
            assert.equal(deployment.inputs.spec.replicas, 1);
            assert.deepEqual(deployment.inputs.spec.strategy, { type: "Recreate" });
            const c = container(run, name);
            assert.equal(c.image, image);
            assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath }]);
            assert.ok(c.readinessProbe.exec.command.length > 0 && c.livenessProbe.exec.command.length > 0);
            const pv = ofType(run, PV).find((r) => r.inputs.spec.claimRef?.name === `${name}-data`)!;
            claimReservedBy(run, pv);
            assert.equal(pv.inputs.metadata.labels["devkube.dev/role"], "app-data");
            assert.equal(pv.inputs.spec.persistentVolumeReclaimPolicy, "Retain");
            assert.deepEqual(pv.inputs.spec.hostPath, { path: hostPath, type: "DirectoryOrCreate" });
            assert.equal(pv.inputs.spec.nfs, undefined);
            assert.equal(pv.inputs.spec.capacity.storage, size);
        });
    }
    it("takes each password from a Pulumi secret into a Secret read by secretKeyRef", () => {
        for (const [name, variable, key] of [["db", "POSTGRES_PASSWORD", "devkube:dbPassword"], ["cache", "REDIS_PASSWORD", "devkube:cachePassword"]]) {
            const ref = container(run, name).env.find((e: any) => e.name === variable).valueFrom.secretKeyRef;
            assert.deepEqual(secretValue(referenced(run, SECRET, ref.name).inputs.stringData), { [variable]: fakeSecret(key) });
        }
        const cache = container(run, "cache");
        assert.equal(cache.command, undefined, "the image's entrypoint runs, and drops root for the redis user");
        assert.deepEqual(cache.args.slice(-2), ["--requirepass", "$(REDIS_PASSWORD)"]);
    });
    it("gives the web app and the worker the addresses from env (the presets' connection Secrets)", () => {
        for (const name of ["shop", "shop-worker"]) {
            const refs = container(run, name).envFrom.map((e: any) => e.secretRef.name);
            const [db, cache] = refs.map((ref: string) => secretValue(referenced(run, SECRET, ref).inputs.stringData));
            assert.equal(db.DATABASE_URL, `postgresql://devkube:${fakeSecret("devkube:dbPassword")}@db.devkube.svc:5432/db`);
            assert.deepEqual([db.PGHOST, db.PGPORT, db.PGUSER, db.PGDATABASE], ["db.devkube.svc", "5432", "devkube", "db"]);
            assert.equal(cache.REDIS_URL, `redis://default:${fakeSecret("devkube:cachePassword")}@cache.devkube.svc:6379/0`);
            assert.deepEqual([cache.REDIS_HOST, cache.REDIS_PORT], ["cache.devkube.svc", "6379"]);
        }
        assert.equal(container(run, "shop").workingDir, "/workspace");
    });
    it("exports the connection strings as secret stack outputs", async () => {
        assert.ok(await (run.exported.connections as any).isSecret);
        assert.deepEqual(run.outputs.connections, {
            db: `postgresql://devkube:${fakeSecret("devkube:dbPassword")}@db.devkube.svc:5432/db`,
            cache: `redis://default:${fakeSecret("devkube:cachePassword")}@cache.devkube.svc:6379/0`,
        });
        assert.equal((run.outputs.apps as any).db, "kubectl -n devkube port-forward svc/db 5432:5432, then connect to localhost:5432");
    });
    it("passes the minikube policy pack, and sleep keeps both apps' data paths", async () => {
        assert.deepEqual(await mandatoryFindings(run, "minikube"), []);
        const plan = planSleep(stateOf(run));
        assert.equal(plan.refusal, undefined);
        assert.deepEqual(plan.workspace.slice(1).sort(), [
            "host path /data/devkube-apps/cache (app cache's own data)",
            "host path /data/devkube-apps/db (app db's own data)",
        ]);
    });
    it("on DigitalOcean: each preset's data on its own volume that every destroy keeps and that does not depend on the cluster, priced in", async () => {
        const dev = await runFixture("multi-service.yaml", { on: "dev" });
        const volumes = ofType(dev, DO_VOLUME).filter((v) => v.name.startsWith("app-"));
        assert.deepEqual(volumes.map((v) => [v.name, v.inputs.name, v.inputs.size, v.retainOnDelete, v.protect]), [
            ["app-db-volume", "devkube-dev-devkube-db", 5, true, false],
            ["app-cache-volume", "devkube-dev-devkube-cache", 1, true, false],
        ]);
        const pv = ofType(dev, PV).find((r) => r.inputs.metadata.labels?.["app.kubernetes.io/name"] === "db")!;
        assert.equal(pv.inputs.spec.csi.driver, "dobs.csi.digitalocean.com");
        assert.deepEqual(await mandatoryFindings(dev, "dev"), []);
        const base = await runDev();
        const cost = (r: ProgramRun) => (r.outputs.costMonthly as any).alwaysOnUsd;
        assert.ok(Math.abs(cost(dev) - cost(base) - 0.6) < 0.01, `6 GiB more at $0.10/GiB: ${cost(base)} -> ${cost(dev)}`);
    });
    it("on the home lab: each preset's data in a directory beside the workspace on the storage node", async () => {
        const config = { ...stackConfigValues("homelab"), "devkube:apps": JSON.stringify([{ preset: "postgres" }]), "devkube:postgresPassword": "pw-123456" };
        const lab = await runProgram("homelab", config, { secretKeys: ["devkube:postgresPassword"] });
        const pv = ofType(lab, PV).find((r) => r.inputs.metadata.labels?.["devkube.dev/role"] === "app-data")!;
        // Directory, not DirectoryOrCreate: with the USB disk unmounted the pod waits instead of a
        // database starting empty on the SD card.
        assert.deepEqual(pv.inputs.spec.hostPath, { path: "/mnt/usb/devkube-apps/postgres", type: "Directory" });
        assert.deepEqual(pv.inputs.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ["odroid-1"]);
        assert.ok(isSecretValue(byName(lab, SECRET, ofType(lab, SECRET).find((s) => s.name.endsWith("-connection"))!.state.metadata.name).inputs.stringData));
        assert.deepEqual(await mandatoryFindings(lab, "homelab"), []);
    });
});
