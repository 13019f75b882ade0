import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DestroyOutcome, Diagnostic, EngineUnavailable, automationEngine, cliRoot } from "../scripts/engine";
import { NightError, planSleep, sleep, unreachableCluster, wake } from "../scripts/night";
import { Fetch } from "../scripts/snapshots";
import { fakeEngine } from "./fake-engine";
import { DEV_ENVIRONMENT_ID, STACK_RUNS, runFixture, stateOf } from "./harness";

describe("night: planning a sleep", () => {
    it("DigitalOcean: leaves the volume (retainOnDelete), removes the cluster and everything in it", async () => {
        const plan = planSleep(stateOf(await STACK_RUNS.dev()));
        assert.equal(plan.refusal, undefined);
        assert.deepEqual(plan.keep, []);
        assert.deepEqual(plan.leave, ["Volume workspace-volume"]);
        assert.ok(plan.remove.includes("KubernetesCluster cluster"));
        assert.ok(plan.remove.includes("Deployment devkube-nfs-deployment"));
        assert.match(plan.workspace[0], /^DigitalOcean volume devkube-dev-devkube \(id vol-1, fra1\)$/);
    });
    it("DigitalOcean, a state from the release before (the volume protected, not retainOnDelete): keeps it", async () => {
        const state = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, protect: true, retainOnDelete: false } : r));
        const plan = planSleep(state);
        assert.equal(plan.refusal, undefined);
        assert.deepEqual(plan.keep, ["Volume workspace-volume"]);
        assert.deepEqual(plan.leave, []);
    });
    it("refuses when a destroy would delete the DigitalOcean volume (neither retainOnDelete nor protected)", async () => {
        const state = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, protect: false, retainOnDelete: false } : r));
        const plan = planSleep(state);
        assert.match(plan.refusal ?? "", /volume devkube-dev-devkube that holds your code would be deleted by a destroy; run `npm run wake` first.*pulumi state protect/);
    });
    it("minikube and home lab: the Retain PV's path is the workspace; everything is removed", async () => {
        for (const [stack, where] of [["minikube", "host path /data/devkube"], ["homelab", "local path /mnt/usb/devkube"]] as const) {
            const plan = planSleep(stateOf(await STACK_RUNS[stack]()));
            assert.equal(plan.refusal, undefined);
            assert.deepEqual(plan.workspace, [where]);
            assert.deepEqual(plan.keep, []);
            assert.ok(plan.remove.length >= 14);
        }
    });
    it("any cluster (kubeconfig target): the claim from a class is the workspace, left in the cluster with its namespace", async () => {
        const plan = planSleep(stateOf(await STACK_RUNS.cluster()));
        assert.equal(plan.refusal, undefined);
        assert.deepEqual(plan.workspace, ["claim workspace from the cluster's default storage class"]);
        assert.deepEqual(plan.keep, []);
        assert.deepEqual(plan.leave, ["Namespace devkube-namespace", "PersistentVolumeClaim devkube-workspace-claim"]);
        assert.ok(plan.remove.includes("Deployment devkube-nfs-deployment"));
        const deletable = stateOf(await STACK_RUNS.cluster()).map((r) => (r.type.endsWith("PersistentVolumeClaim") ? { ...r, retainOnDelete: false } : r));
        assert.match(planSleep(deletable).refusal ?? "", /the claim workspace from the cluster's default storage class holds your code and a destroy would delete it/);
    });
    it("refuses when the workspace PV would not be retained", async () => {
        const state = stateOf(await STACK_RUNS.minikube()).map((r) =>
            r.outputs?.metadata?.labels?.["devkube.dev/role"] === "workspace"
                ? { ...r, outputs: { ...r.outputs, spec: { ...r.outputs.spec, persistentVolumeReclaimPolicy: "Delete" } } }
                : r,
        );
        assert.match(planSleep(state).refusal ?? "", /reclaim policy "Delete", not Retain/);
    });
    it("refuses when it cannot find any workspace in a non-empty state", () => {
        const plan = planSleep([{ urn: "urn:pulumi:s::devkube::kubernetes:core/v1:Namespace::ns", type: "kubernetes:core/v1:Namespace", custom: true }]);
        assert.match(plan.refusal ?? "", /no workspace/);
    });
});

describe("night: the sleep command", () => {
    const root = `${__dirname}/..`;
    it("refuses an unknown stack before touching the backend", async () => {
        const calls: string[] = [];
        await assert.rejects(sleep("prod", fakeEngine({}, calls), () => {}, root), (e: Error) => {
            assert.ok(e instanceof NightError);
            assert.match(e.message, /unknown stack "prod"; known stacks: cluster, dev, homelab, minikube/);
            return true;
        });
        assert.deepEqual(calls, []);
    });
    it("says the Pulumi CLI is missing, where it was looked for and fetched from, when the npm launcher cannot provide it", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-launcher-"));
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho 'pulumi: fetch failed' >&2\nexit 1\n", { mode: 0o755 });
        assert.throws(
            () => cliRoot({ command: [path.join(bin, "pulumi"), "--launcher"], why: "" }, root, { ...process.env, PULUMI_HOME: "/nowhere" }),
            (e: Error) => {
                assert.ok(e instanceof EngineUnavailable);
                assert.doesNotMatch(e.message, /state backend/);
                assert.match(e.message, /the Pulumi CLI 3\.259\.0 is not installed: the npm package "pulumi" looked for it in \/nowhere\/versions\/3\.259\.0\/bin and could not download it from get\.pulumi\.com \(fetch failed\)/);
                assert.match(e.message, /nothing was changed/);
                return true;
            },
        );
        fs.rmSync(bin, { recursive: true, force: true });
    });
    it("hands the Automation API the CLI it chose: the installation root of a pulumi on PATH", () => {
        assert.equal(cliRoot({ command: ["/opt/pulumi-v3.260.1/bin/pulumi"], why: "" }, root), "/opt/pulumi-v3.260.1");
    });
    it("wake: npm run up's own script at once (it selects the stack and reads its state itself, as every up does); an unknown stack refused first", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-wake-"));
        try {
            fs.mkdirSync(path.join(dir, "scripts"));
            fs.writeFileSync(path.join(dir, "Pulumi.minikube.yaml"), "config: {}\n");
            fs.writeFileSync(path.join(dir, "scripts", "stack.sh"), `echo "$*" >> ${path.join(dir, "calls")}\n`);
            await wake("minikube", dir);
            assert.equal(fs.readFileSync(path.join(dir, "calls"), "utf8"), "up minikube --yes\n");
            await assert.rejects(wake("prod", dir), (e: Error) => e instanceof NightError && /unknown stack "prod"; known stacks: minikube \(usage: npm run wake -- <stack>\)/.test(e.message));
            fs.writeFileSync(path.join(dir, "scripts", "stack.sh"), "exit 3\n");
            await assert.rejects(wake("minikube", dir), /^Error: npm run up -- minikube stopped \(exit 3\); the reason is above$/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("selects a stack once for all it asks of it (each CLI start is about 0.35 s of a sleep)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-engine-"));
        try {
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: devkube\nruntime: nodejs\n");
            const calls = path.join(dir, "calls");
            fs.writeFileSync(
                path.join(dir, "bin", "pulumi"),
                [
                    "#!/bin/sh",
                    `echo "$*" >> ${calls}`,
                    `case "$1 $2" in`,
                    `  "version "*) echo v3.259.0 ;;`,
                    `  "stack export") echo '{"version":3,"deployment":{"resources":[{"urn":"u","type":"pulumi:pulumi:Stack"}]}}' ;;`,
                    `  "stack output") echo '{"url":"http://x"}' ;;`,
                    `  "config get") echo '{"value":"v","secret":false}' ;;`,
                    `esac`,
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
            const engine = await automationEngine(dir, { command: [path.join(dir, "bin", "pulumi")], why: "" });
            assert.deepEqual(await engine.exportState("dev"), [{ urn: "u", type: "pulumi:pulumi:Stack" }]);
            assert.deepEqual(await engine.outputs("dev"), { url: "http://x" });
            assert.equal(await engine.config("dev", "devkube:target"), "v");
            await engine.exportState("minikube");
            const selects = fs.readFileSync(calls, "utf8").split("\n").filter((c) => c.startsWith("stack select"));
            assert.deepEqual(selects, ["stack select --stack dev --non-interactive", "stack select --stack minikube --non-interactive"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("refuses when the state backend cannot be reached", async () => {
        const calls: string[] = [];
        const engine = fakeEngine({ unavailable: "the state backend cannot be reached (pulumi stack ls: error: could not reach s3://devkube-state: dial tcp: no such host); nothing was changed" }, calls);
        await assert.rejects(sleep("dev", engine, () => {}, root), /state backend cannot be reached .*no such host.*nothing was changed/);
        assert.equal(calls.some((c) => c.startsWith("destroy")), false);
    });
    it("refuses, and destroys nothing, when the workspace would go with the rest", async () => {
        const state = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, protect: false, retainOnDelete: false } : r));
        const calls: string[] = [];
        await assert.rejects(sleep("dev", fakeEngine({ state }, calls), () => {}, root), /refusing to sleep stack dev; nothing was changed/);
        assert.equal(calls.some((c) => c.startsWith("destroy")), false);
    });
    it("destroys all but the workspace volume, which it leaves in place, and says so", async () => {
        const state = stateOf(await STACK_RUNS.dev());
        const calls: string[] = [];
        const lines: string[] = [];
        await sleep("dev", fakeEngine({ state }, calls), (l) => lines.push(l), root);
        assert.deepEqual(calls.filter((c) => c.startsWith("destroy")), ["destroy dev excludeProtected"]);
        const text = lines.join("\n");
        assert.match(text, /your code is kept in: DigitalOcean volume devkube-dev-devkube/);
        assert.match(text, /left in place \(retainOnDelete: forgotten, not deleted; the next up takes them back\): Volume workspace-volume/);
        assert.match(text, /removed: \d+ resources \(.*KubernetesCluster cluster/);
        assert.match(text, /npm run wake -- dev/);
    });
    it("does nothing when the stack is already asleep", async () => {
        const state = stateOf(await STACK_RUNS.dev()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const calls: string[] = [];
        const lines: string[] = [];
        await sleep("dev", fakeEngine({ state }, calls), (l) => lines.push(l), root);
        assert.equal(calls.some((c) => c.startsWith("destroy")), false);
        assert.match(lines.join("\n"), /already asleep; kept: nothing billable/);
    });
});

/** A fake DigitalOcean API: volume snapshots in memory, every request recorded. */
export function fakeDigitalOcean(existing: Array<{ id: string; name: string; created_at: string }>, requests: string[], failWith?: number): Fetch {
    const snapshots = [...existing];
    return async (url, init = {}) => {
        const method = init.method ?? "GET";
        requests.push(`${method} ${url.replace("https://api.digitalocean.com/v2", "")}`);
        const reply = (status: number, body: unknown) => ({ ok: status < 300, status, json: async () => body, text: async () => JSON.stringify(body) });
        if (failWith) {
            return reply(failWith, { id: "unauthorized", message: "Unable to authenticate you" });
        }
        if (method === "POST") {
            const created = { id: `snap-${snapshots.length + 1}`, name: JSON.parse(init.body ?? "{}").name, created_at: "2026-11-22T19:00:00Z" };
            snapshots.push(created);
            return reply(201, { snapshot: created });
        }
        if (method === "DELETE") {
            return reply(204, {});
        }
        return reply(200, { snapshots });
    };
}

describe("night: snapshot before sleep (DigitalOcean)", () => {
    const root = `${__dirname}/..`;
    const old = [
        { id: "snap-a", name: "devkube-dev-20261119t190000z", created_at: "2026-11-19T19:00:00Z" },
        { id: "snap-b", name: "devkube-dev-20261120t190000z", created_at: "2026-11-20T19:00:00Z" },
        { id: "snap-c", name: "devkube-dev-20261121t190000z", created_at: "2026-11-21T19:00:00Z" },
        { id: "other", name: "made-by-hand", created_at: "2026-01-01T00:00:00Z" },
    ];
    const keeping = (n: number) => ({ "devkube:doSnapshotsToKeep": String(n) });

    it("snapshots the volume, keeps the newest N devkube snapshots, then destroys", async () => {
        const calls: string[] = [];
        const requests: string[] = [];
        const lines: string[] = [];
        const engine = fakeEngine({ state: stateOf(await STACK_RUNS.dev()), config: keeping(2) }, calls);
        await sleep("dev", engine, (l) => lines.push(l), root, {
            fetch: fakeDigitalOcean(old, requests),
            now: new Date("2026-11-22T19:00:00Z"),
            env: { DIGITALOCEAN_TOKEN: "t" },
        });
        assert.deepEqual(requests, [
            "POST /volumes/vol-1/snapshots",
            "GET /volumes/vol-1/snapshots?per_page=200",
            "DELETE /snapshots/snap-a",
            "DELETE /snapshots/snap-b",
        ]);
        assert.ok(calls.findIndex((c) => c.startsWith("destroy")) > 0, "destroyed after the snapshot");
        assert.match(lines.join("\n"), /snapshot devkube-dev-20261122t190000z \(snap-5\) taken; keeping the newest 2, deleted devkube-dev-20261119t190000z, devkube-dev-20261120t190000z/);
    });

    it("snapshots the workspace's volume, not an app's own volume listed before it: each is known by its tag, not its name", async () => {
        const state = stateOf(await runFixture("multi-service.yaml", { on: "dev" }));
        const workspace = state.find((r) => r.urn.endsWith("::workspace-volume"))!;
        const db = state.find((r) => r.urn.endsWith("::app-db-volume"))!;
        const env = `devkube-env:${DEV_ENVIRONMENT_ID}`;
        assert.deepEqual([workspace.outputs.tags, db.outputs.tags], [["devkube-role:workspace", env], ["devkube-role:app-data", env]]);
        // Named like neither: only the tag says it holds an app's data.
        const appVolume = { ...db, urn: db.urn.replace("::app-db-volume", "::renamed-volume"), outputs: { ...db.outputs, id: "vol-app" } };
        const requests: string[] = [];
        const engine = fakeEngine({ state: [appVolume, ...state], config: keeping(2) }, []);
        await sleep("dev", engine, () => {}, root, { fetch: fakeDigitalOcean([], requests), now: new Date("2026-11-22T19:00:00Z"), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.equal(requests[0], "POST /volumes/vol-1/snapshots");
    });

    it("never prunes a snapshot made by hand whose name starts like a sleep's", async () => {
        const requests: string[] = [];
        const byHand = { id: "by-hand", name: "devkube-dev-before-upgrade", created_at: "2026-01-01T00:00:00Z" };
        const engine = fakeEngine({ state: stateOf(await STACK_RUNS.dev()), config: keeping(3) }, []);
        await sleep("dev", engine, () => {}, root, { fetch: fakeDigitalOcean([byHand, ...old], requests), now: new Date("2026-11-22T19:00:00Z"), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE")), ["DELETE /snapshots/snap-a"]);
    });
    it("reads a state written before volumes had tags by devkube's old names (the next up adds the tags in place)", async () => {
        const untagged = stateOf(await runFixture("multi-service.yaml", { on: "dev" })).map((r) =>
            r.type.endsWith("volume:Volume") ? { ...r, inputs: { ...r.inputs, tags: undefined }, outputs: { ...r.outputs, tags: undefined, id: r.urn.endsWith("::workspace-volume") ? "vol-ws" : "vol-app" } } : r,
        );
        const appFirst = [...untagged].sort((a, b) => Number(b.urn.includes("::app-")) - Number(a.urn.includes("::app-")));
        const requests: string[] = [];
        const engine = fakeEngine({ state: appFirst, config: keeping(2) }, []);
        await sleep("dev", engine, () => {}, root, { fetch: fakeDigitalOcean([], requests), now: new Date("2026-11-22T19:00:00Z"), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.equal(requests[0], "POST /volumes/vol-ws/snapshots");
    });
    it("tags volumes made before devkube tagged them with the stack's environment id, before the destroy forgets them (a wake imports them as they are)", async () => {
        const untagged = stateOf(await runFixture("multi-service.yaml", { on: "dev" })).map((r) =>
            r.type.endsWith("volume:Volume") ? { ...r, outputs: { ...r.outputs, tags: ["devkube-role:x"], id: r.urn.endsWith("::workspace-volume") ? "vol-ws" : `vol-${r.urn.split("::").pop()}` } } : r,
        );
        const requests: string[] = [];
        const bodies: string[] = [];
        const lines: string[] = [];
        const calls: string[] = [];
        const fetch: Fetch = async (url, init) => {
            bodies.push(init?.body ?? "");
            return fakeDigitalOcean([], requests)(url, init);
        };
        const engine = fakeEngine({ state: untagged, config: { "devkube:doEnvironmentId": DEV_ENVIRONMENT_ID } }, calls);
        await sleep("dev", engine, (l) => lines.push(l), root, { fetch, now: new Date(), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.deepEqual(requests, ["POST /tags", `POST /tags/devkube-env%3A${DEV_ENVIRONMENT_ID}/resources`]);
        assert.deepEqual(JSON.parse(bodies[0]), { name: `devkube-env:${DEV_ENVIRONMENT_ID}` });
        assert.deepEqual(JSON.parse(bodies[1]).resources.map((r: { resource_id: string; resource_type: string }) => `${r.resource_type} ${r.resource_id}`).sort(), [
            "volume vol-app-cache-volume",
            "volume vol-app-db-volume",
            "volume vol-ws",
        ]);
        assert.match(lines.join("\n"), /tagged devkube-env:5eed1e55a1 on volume .*vol-ws/);
        assert.ok(calls.some((c) => c.startsWith("destroy")));
        // Tagged already (every volume this release makes): no call at all.
        const tagged: string[] = [];
        await sleep("dev", fakeEngine({ state: stateOf(await STACK_RUNS.dev()), config: { "devkube:doEnvironmentId": DEV_ENVIRONMENT_ID } }, []), () => {}, root, {
            fetch: fakeDigitalOcean([], tagged),
            now: new Date(),
            env: { DIGITALOCEAN_TOKEN: "t" },
        });
        assert.deepEqual(tagged, []);
    });
    it("tags all the same when DigitalOcean answers that the tag exists already", async () => {
        const untagged = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, outputs: { ...r.outputs, tags: ["devkube-role:workspace"] } } : r));
        const requests: string[] = [];
        const lines: string[] = [];
        const fetch: Fetch = async (url, init) => {
            requests.push(`${init?.method} ${url.replace("https://api.digitalocean.com/v2", "")}`);
            const status = url.endsWith("/tags") ? 422 : 204;
            return { ok: status < 300, status, json: async () => ({}), text: async () => JSON.stringify({ id: "unprocessable_entity", message: "tag exists" }) };
        };
        await sleep("dev", fakeEngine({ state: untagged, config: { "devkube:doEnvironmentId": DEV_ENVIRONMENT_ID } }, []), (l) => lines.push(l), root, { fetch, now: new Date(), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.deepEqual(requests, ["POST /tags", `POST /tags/devkube-env%3A${DEV_ENVIRONMENT_ID}/resources`]);
        assert.match(lines.join("\n"), /tagged devkube-env:5eed1e55a1 on volume vol-1/);
    });
    it("sleeps all the same when the tagging fails (the bill must stop), saying so", async () => {
        const untagged = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, outputs: { ...r.outputs, tags: ["devkube-role:workspace"] } } : r));
        const lines: string[] = [];
        const calls: string[] = [];
        const engine = fakeEngine({ state: untagged, config: { "devkube:doEnvironmentId": DEV_ENVIRONMENT_ID } }, calls);
        await sleep("dev", engine, (l) => lines.push(l), root, { fetch: fakeDigitalOcean([], [], 403), now: new Date(), env: { DIGITALOCEAN_TOKEN: "t" } });
        assert.ok(calls.some((c) => c.startsWith("destroy")));
        assert.match(lines.join("\n"), /warning: could not tag volume vol-1 with devkube-env:5eed1e55a1 \(DigitalOcean API POST \/tags: HTTP 403 .*\); the next up that finds it attached does/);
    });
    it("takes no snapshot when doSnapshotsToKeep is 0", async () => {
        const requests: string[] = [];
        const calls: string[] = [];
        await sleep("dev", fakeEngine({ state: stateOf(await STACK_RUNS.dev()) }, calls), () => {}, root, {
            fetch: fakeDigitalOcean(old, requests),
            now: new Date(),
            env: { DIGITALOCEAN_TOKEN: "t" },
        });
        assert.deepEqual(requests, []);
        assert.ok(calls.some((c) => c.startsWith("destroy")));
    });

    it("destroys nothing when the snapshot fails", async () => {
        const calls: string[] = [];
        const engine = fakeEngine({ state: stateOf(await STACK_RUNS.dev()), config: keeping(3) }, calls);
        await assert.rejects(
            sleep("dev", engine, () => {}, root, { fetch: fakeDigitalOcean(old, [], 401), now: new Date(), env: { DIGITALOCEAN_TOKEN: "bad" } }),
            /snapshot before sleep failed, so nothing was torn down: DigitalOcean API POST \/volumes\/vol-1\/snapshots: HTTP 401/,
        );
        assert.equal(calls.some((c) => c.startsWith("destroy")), false);
    });
});

describe("night: a cluster that is already gone", () => {
    const root = `${__dirname}/..`;
    // What pulumi-kubernetes says (provider/pkg/provider/provider.go, Delete) of an unreachable cluster,
    // as diagnostic events: the warning's reason runs over several lines.
    const unreachable = (reason: string): Diagnostic => ({ severity: "warning", message: `configured Kubernetes cluster is unreachable: ${reason}\n`, urn: "urn:x" });
    const DROPPED: Diagnostic = { severity: "info", message: "configured Kubernetes cluster is unreachable and the `deleteUnreachable` option is enabled. Deleting the unreachable resource from Pulumi state\n" };
    const REFUSED: Diagnostic = {
        severity: "error",
        message: 'configured Kubernetes cluster is unreachable. If the cluster was deleted, you can remove this resource from Pulumi state by rerunning the operation with the PULUMI_K8S_DELETE_UNREACHABLE environment variable set to "true"\n',
    };
    const NO_HOST = "failed to parse kubeconfig data: dial tcp: lookup 0f5e-mock.k8s.ondigitalocean.com: no such host";

    it("DigitalOcean, the cluster deleted in the console: destroys again letting the provider drop what it cannot reach, and says so", async () => {
        const state = stateOf(await STACK_RUNS.dev());
        const calls: string[] = [];
        const lines: string[] = [];
        const engine = fakeEngine(
            { state, destroys: [{ ok: false, diagnostics: [unreachable(NO_HOST), REFUSED], failure: "exit 255" }, { ok: true, diagnostics: [unreachable(NO_HOST), DROPPED] }] },
            calls,
        );
        await sleep("dev", engine, (l) => lines.push(l), root);
        assert.deepEqual(calls.filter((c) => c.startsWith("destroy")), ["destroy dev excludeProtected", "destroy dev excludeProtected dropUnreachable"], "the first try deletes for real");
        const kubernetesObjects = state.filter((r) => r.type.startsWith("kubernetes:")).length;
        const text = lines.join("\n");
        assert.match(text, new RegExp(`the cluster could not be reached \\(.*no such host\\): ${kubernetesObjects} Kubernetes objects were dropped from the state, not deleted`));
        assert.match(text, /stack dev is asleep/);
    });
    it("minikube deleted: the provider already drops what it cannot reach; sleep says so", async () => {
        const state = stateOf(await STACK_RUNS.minikube());
        const calls: string[] = [];
        const lines: string[] = [];
        await sleep("minikube", fakeEngine({ state, destroys: [{ ok: true, diagnostics: [unreachable(NO_HOST), DROPPED] }] }, calls), (l) => lines.push(l), root);
        assert.equal(calls.filter((c) => c.startsWith("destroy")).length, 1);
        assert.match(lines.join("\n"), /the cluster could not be reached .*Kubernetes objects were dropped from the state, not deleted; if that cluster comes back, delete them there/);
    });
    it("reads the provider's reason whole from its warning, on one line", () => {
        const reason = [
            "unable to load Kubernetes client configuration from kubeconfig file. Make sure you have:",
            "",
            " \t • set up the provider as per https://www.pulumi.com/registry/packages/kubernetes/installation-configuration/",
            "",
            ' context "minikube" does not exist',
        ].join("\n");
        assert.equal(
            unreachableCluster([{ severity: "info", message: "deleting\n" }, unreachable(reason), DROPPED]),
            'unable to load Kubernetes client configuration from kubeconfig file: context "minikube" does not exist',
        );
        assert.equal(unreachableCluster([{ severity: "warning", message: "some other warning\n" }]), undefined);
    });
    it("a destroy that fails for another reason is not retried", async () => {
        const state = stateOf(await STACK_RUNS.dev());
        const calls: string[] = [];
        const forbidden: DestroyOutcome = { ok: false, diagnostics: [{ severity: "error", message: "403 Forbidden: unable to delete cluster\n" }], failure: "error: update failed" };
        await assert.rejects(sleep("dev", fakeEngine({ state, destroys: [forbidden] }, calls), () => {}, root), /pulumi destroy failed for stack dev \(error: update failed\)/);
        assert.equal(calls.filter((c) => c.startsWith("destroy")).length, 1);
    });
});
