import { strict as assert } from "assert";
import { deleteEverything } from "../scripts/delete-everything";
import { NightError } from "../scripts/night";
import { Fetch } from "../scripts/snapshots";
import { StackEngine, StateResource } from "../scripts/engine";
import { fakeEngine } from "./fake-engine";
import { STACK_RUNS, runFixture, stateOf } from "./harness";
import { fakeDigitalOcean } from "./night.spec";

const root = `${__dirname}/..`;

/** A fake engine over a stack's state, whose destroy fails when told; every call recorded. */
function fakeCli(state: StateResource[], calls: string[], destroyFails = false): StackEngine {
    return fakeEngine({ state, destroys: destroyFails ? [{ ok: false, diagnostics: [], failure: "exit 255" }] : [] }, calls);
}

/** The dev stack with the multi-service example's two app volumes, each volume with its own id. */
async function devWithAppVolumes() {
    let n = 0;
    return stateOf(await runFixture("multi-service.yaml", { on: "dev" })).map((r) =>
        r.type === "digitalocean:index/volume:Volume" ? { ...r, outputs: { ...r.outputs, id: `vol-${++n}` } } : r,
    );
}

const SNAPSHOTS = [
    { id: "snap-a", name: "devkube-dev-20261120t190000z", created_at: "2026-11-20T19:00:00Z" },
    { id: "snap-b", name: "devkube-dev-20261121t190000z", created_at: "2026-11-21T19:00:00Z" },
    { id: "by-hand", name: "my-own-backup", created_at: "2026-11-01T00:00:00Z" },
];

/** Snapshots only of vol-1 (the workspace's), as the DigitalOcean API lists them per volume. */
function snapshotsOfWorkspace(requests: string[], failWith?: number): Fetch {
    const all = fakeDigitalOcean(SNAPSHOTS, requests, failWith);
    const none = fakeDigitalOcean([], []);
    return (url, init) => (url.includes("/volumes/vol-1/") || init?.method === "DELETE" ? all(url, init) : (requests.push(`GET ${url.replace("https://api.digitalocean.com/v2", "")}`), none(url, init)));
}

describe("delete-everything", () => {
    it("DigitalOcean: lists the cluster, every volume, the sleeps' snapshots and the objects; after the stack's name, deletes them all", async () => {
        const calls: string[] = [];
        const requests: string[] = [];
        const lines: string[] = [];
        const questions: string[] = [];
        await deleteEverything("dev", fakeCli(await devWithAppVolumes(), calls), (l) => lines.push(l), {
            fetch: snapshotsOfWorkspace(requests),
            env: { DIGITALOCEAN_TOKEN: "t" },
            ask: async (q) => (questions.push(q), "dev"),
        }, root);
        const text = lines.join("\n");
        assert.match(text, /^This deletes everything devkube made for stack dev, your code included:$/m);
        assert.match(text, /- DigitalOcean KubernetesCluster devkube-dev$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube \(id vol-\d, 20 GiB\): your code$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube-db \(id vol-\d, 5 GiB\): an app's own data$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube-cache \(id vol-\d, 1 GiB\): an app's own data$/m);
        assert.match(text, /- DigitalOcean snapshot devkube-dev-20261120t190000z \(snap-a\), taken by a sleep$/m);
        assert.doesNotMatch(text, /my-own-backup/);
        assert.match(text, /- \d+ Kubernetes objects/);
        assert.deepEqual(questions, ["Type the stack's name (dev) to delete all of it: "]);
        assert.ok(calls.indexOf("releaseAll dev") >= 0 && calls.indexOf("releaseAll dev") < calls.indexOf("destroy dev"), "released (protect, retainOnDelete), then destroyed");
        assert.deepEqual(calls.filter((c) => c.startsWith("destroy")), ["destroy dev"], "everything: not excluding the protected");
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE")), ["DELETE /snapshots/snap-a", "DELETE /snapshots/snap-b"]);
        assert.match(text, /stack dev: everything is deleted \(4 DigitalOcean resources, 2 snapshots, \d+ Kubernetes objects\)/);
    });
    it("DigitalOcean after a plain destroy or a sleep: finds the volumes the destroy left by their names, lists them with their snapshots, deletes them", async () => {
        const requests: string[] = [];
        const lines: string[] = [];
        const left = (id: string, name: string, size: number, tag: string) => ({ id, name, size_gigabytes: size, tags: [tag], droplet_ids: [] });
        const account: Record<string, unknown> = {
            "devkube-dev-devkube": left("vol-1", "devkube-dev-devkube", 20, "devkube-role:workspace"),
            "devkube-dev-devkube-db": left("vol-db", "devkube-dev-devkube-db", 5, "devkube-role:app-data"),
            // Not devkube's, though its name is what the cache app's volume would be called: never touched.
            "devkube-dev-devkube-cache": left("vol-x", "devkube-dev-devkube-cache", 1, "backup"),
        };
        const snapshots = snapshotsOfWorkspace(requests);
        const fetch: Fetch = async (url, init) => {
            const name = /\/volumes\?name=([^&]+)/.exec(url)?.[1];
            if (name !== undefined) {
                requests.push(`GET /volumes?name=${name}`);
                const volume = account[decodeURIComponent(name)];
                return { ok: true, status: 200, json: async () => ({ volumes: volume ? [volume] : [] }), text: async () => "" };
            }
            return snapshots(url, init);
        };
        const asleep = (await devWithAppVolumes()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = {
            "devkube:target": "digitalocean",
            "devkube:apps": JSON.stringify([{ preset: "postgres", name: "db" }, { preset: "redis", name: "cache" }]),
        };
        const calls: string[] = [];
        await deleteEverything("dev", fakeEngine({ state: asleep, config }, calls), (l) => lines.push(l), { fetch, env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => "dev" }, root);
        const text = lines.join("\n");
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube \(id vol-1, 20 GiB\): your code \(left by a destroy; not in the state\)$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube-db \(id vol-db, 5 GiB\): an app's own data \(left by a destroy; not in the state\)$/m);
        assert.doesNotMatch(text, /vol-x/);
        assert.match(text, /- DigitalOcean snapshot devkube-dev-20261120t190000z \(snap-a\), taken by a sleep$/m);
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE")), ["DELETE /volumes/vol-1", "DELETE /volumes/vol-db", "DELETE /snapshots/snap-a", "DELETE /snapshots/snap-b"]);
        assert.match(text, /stack dev: everything is deleted \(2 DigitalOcean resources, 2 snapshots, 0 Kubernetes objects\)/);
    });
    it("DigitalOcean: never lists or deletes a volume of the stack's names that carries another environment's id (a teammate's checkout or state backend)", async () => {
        const requests: string[] = [];
        const lines: string[] = [];
        const volume = (id: string, name: string, tags: string[]) => ({ id, name, size_gigabytes: 20, tags, droplet_ids: [] });
        const account: Record<string, unknown> = {
            "devkube-dev-devkube": volume("vol-theirs", "devkube-dev-devkube", ["devkube-role:workspace", "devkube-env:0the1r5"]),
            "devkube-dev-devkube-db": volume("vol-db", "devkube-dev-devkube-db", ["devkube-role:app-data", "devkube-env:5eed1e55a1"]),
        };
        const snapshots = snapshotsOfWorkspace(requests);
        const fetch: Fetch = async (url, init) => {
            const name = /\/volumes\?name=([^&]+)/.exec(url)?.[1];
            if (name !== undefined) {
                const found = account[decodeURIComponent(name)];
                return { ok: true, status: 200, json: async () => ({ volumes: found ? [found] : [] }), text: async () => "" };
            }
            return snapshots(url, init);
        };
        const asleep = (await devWithAppVolumes()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = { "devkube:target": "digitalocean", "devkube:doEnvironmentId": "5eed1e55a1", "devkube:apps": JSON.stringify([{ preset: "postgres", name: "db" }]) };
        await deleteEverything("dev", fakeEngine({ state: asleep, config }, []), (l) => lines.push(l), { fetch, env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => "dev" }, root);
        const text = lines.join("\n");
        assert.match(text, /^Another environment's \(the same names in another checkout or state backend\), so not deleted:\n  - DigitalOcean volume devkube-dev-devkube \(id vol-theirs\) carries devkube-env:0the1r5, and this stack is devkube-env:5eed1e55a1$/m);
        assert.doesNotMatch(text.split("Another environment's")[0], /vol-theirs/, "not in what is deleted");
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube-db \(id vol-db, 20 GiB\): an app's own data/);
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE /volumes")), ["DELETE /volumes/vol-db"]);
        // Only theirs left: nothing to delete, and still said.
        delete account["devkube-dev-devkube-db"];
        const onlyTheirs: string[] = [];
        await deleteEverything("dev", fakeEngine({ state: asleep, config }, []), (l) => onlyTheirs.push(l), { fetch, env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => assert.fail("nothing to ask") }, root);
        assert.match(onlyTheirs.join("\n"), /^stack dev has nothing left to delete\.\nAnother environment's .*, so not deleted:\n  - DigitalOcean volume devkube-dev-devkube \(id vol-theirs\)/);
    });
    it("DigitalOcean with an environment id: also finds the environment's volumes under names the config no longer gives (a removed app, an earlier namespace), and deletes them", async () => {
        const requests: string[] = [];
        const lines: string[] = [];
        const volume = (id: string, name: string, tags: string[]) => ({ id, name, size_gigabytes: 5, tags, droplet_ids: [] });
        const account = [
            volume("vol-ws", "devkube-dev-devkube", ["devkube-role:workspace", "devkube-env:5eed1e55a1"]),
            volume("vol-removed-app", "devkube-dev-devkube-oldapp", ["devkube-role:app-data", "devkube-env:5eed1e55a1"]),
            volume("vol-old-ns", "devkube-dev-oldns", ["devkube-role:workspace", "devkube-env:5eed1e55a1"]),
            volume("vol-theirs", "devkube-dev-elsewhere", ["devkube-role:workspace", "devkube-env:0the1r5"]),
            volume("vol-backup", "my-backup", ["backup"]),
        ];
        const snapshots = snapshotsOfWorkspace(requests);
        const fetch: Fetch = async (url, init) => {
            const reply = (body: unknown) => ({ ok: true, status: 200, json: async () => body, text: async () => "" });
            const name = /\/volumes\?name=([^&]+)/.exec(url)?.[1];
            if (name !== undefined) {
                return reply({ volumes: account.filter((v) => v.name === decodeURIComponent(name)) });
            }
            if (/\/volumes\?per_page=200&page=1$/.test(url)) {
                requests.push("GET /volumes (all)");
                return reply({ volumes: account });
            }
            return snapshots(url, init);
        };
        const asleep = (await devWithAppVolumes()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = { "devkube:target": "digitalocean", "devkube:doEnvironmentId": "5eed1e55a1" };
        await deleteEverything("dev", fakeEngine({ state: asleep, config }, []), (l) => lines.push(l), { fetch, env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => "dev" }, root);
        const text = lines.join("\n");
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube \(id vol-ws, 5 GiB\): your code \(left by a destroy; not in the state\)$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-devkube-oldapp \(id vol-removed-app, 5 GiB\): an app's own data \(this environment's, under a name the config no longer gives: an app removed from devkube:apps, or an earlier namespace; not in the state\)$/m);
        assert.match(text, /- DigitalOcean volume devkube-dev-oldns \(id vol-old-ns, 5 GiB\): your code \(this environment's, under a name/m);
        assert.doesNotMatch(text, /vol-theirs|vol-backup/);
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE /volumes")).sort(), ["DELETE /volumes/vol-old-ns", "DELETE /volumes/vol-removed-app", "DELETE /volumes/vol-ws"]);
    });
    it("a stack whose last destroy left claims in the cluster (the kubeconfig target, an app volume from a class): says so and how to delete them, deletes nothing", async () => {
        const calls: string[] = [];
        const asleep = stateOf(await STACK_RUNS.cluster()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = { "devkube:target": "kubeconfig", "devkube:apps": JSON.stringify([{ preset: "postgres", name: "db" }]) };
        await assert.rejects(
            deleteEverything("cluster", fakeEngine({ state: asleep, config }, calls), () => {}, { fetch: fakeDigitalOcean([], []), env: {}, ask: async () => "cluster" }, root),
            (e: Error) =>
                e instanceof NightError &&
                /stack cluster is asleep, and its last destroy left claims from a storage class in namespace devkube of its cluster \(your code \(claim workspace\), app db's data \(claim db-data\)\).*npm run wake -- cluster \(it takes them back\), then npm run delete-everything -- cluster; nothing was deleted/.test(e.message),
        );
        assert.deepEqual(calls.filter((c) => c.startsWith("releaseAll") || c.startsWith("destroy")), []);
    });
    it("deletes nothing unless the answer is the stack's name", async () => {
        const calls: string[] = [];
        const requests: string[] = [];
        await assert.rejects(
            deleteEverything("dev", fakeCli(await devWithAppVolumes(), calls), () => {}, { fetch: snapshotsOfWorkspace(requests), env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => "yes" }, root),
            (e: Error) => e instanceof NightError && /"yes" is not "dev"; nothing was deleted/.test(e.message),
        );
        assert.deepEqual(calls.filter((c) => c.startsWith("releaseAll") || c.startsWith("destroy")), []);
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE")), []);
    });
    it("keeps the snapshots when the destroy fails, and says what is left", async () => {
        const requests: string[] = [];
        await assert.rejects(
            deleteEverything("dev", fakeCli(await devWithAppVolumes(), [], true), () => {}, { fetch: snapshotsOfWorkspace(requests), env: { DIGITALOCEAN_TOKEN: "t" }, ask: async () => "dev" }, root),
            /pulumi destroy failed for stack dev \(exit 255\).*snapshots were kept/,
        );
        assert.deepEqual(requests.filter((r) => r.startsWith("DELETE")), []);
    });
    it("deletes nothing when the snapshots cannot be listed", async () => {
        const calls: string[] = [];
        await assert.rejects(
            deleteEverything("dev", fakeCli(await devWithAppVolumes(), calls), () => {}, { fetch: snapshotsOfWorkspace([], 401), env: { DIGITALOCEAN_TOKEN: "bad" }, ask: async () => "dev" }, root),
            /cannot list the volumes and snapshots to delete, so nothing was deleted: DigitalOcean API GET \/volumes\/vol-1\/snapshots\?per_page=200: HTTP 401/,
        );
        assert.deepEqual(calls.filter((c) => c.startsWith("releaseAll") || c.startsWith("destroy")), []);
    });
    it("minikube: with --confirm, no question; the host paths it cannot delete are listed to remove by hand", async () => {
        const calls: string[] = [];
        const lines: string[] = [];
        await deleteEverything("minikube", fakeCli(stateOf(await STACK_RUNS.minikube()), calls), (l) => lines.push(l), {
            fetch: async () => assert.fail("no DigitalOcean API call on minikube"),
            env: {},
            ask: async () => assert.fail("no question with --confirm"),
            confirm: "minikube",
        }, root);
        const text = lines.join("\n");
        assert.match(text, /Left on the node's disk .*to remove by hand:\n  - host path \/data\/devkube \(your code\)/);
        assert.ok(calls.some((c) => c.startsWith("destroy")));
        assert.match(text, /still on the node's disk, to remove by hand: host path \/data\/devkube \(your code\)/);
    });
    it("an asleep minikube stack (after a sleep or a plain destroy): lists the host paths its config keeps the code and the apps' data in, to remove by hand", async () => {
        const calls: string[] = [];
        const lines: string[] = [];
        const asleep = stateOf(await STACK_RUNS.minikube()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = { "devkube:minikubeHostPath": "/data/mine", "devkube:apps": JSON.stringify([{ preset: "postgres", name: "db" }]) };
        await deleteEverything("minikube", fakeEngine({ state: asleep, config }, calls), (l) => lines.push(l), {
            fetch: async () => assert.fail("no DigitalOcean API call on minikube"),
            env: {},
            ask: async () => assert.fail("nothing to confirm"),
        }, root);
        assert.deepEqual(lines, [
            "stack minikube has nothing left that devkube deletes. Left on the node's disk (Retain: deleting a PersistentVolume never deletes files; not billed), to remove by hand:",
            "  - host path /data/mine (your code)",
            "  - host path /data/mine-apps/db (app db's data)",
        ]);
        assert.deepEqual(calls.filter((c) => c.startsWith("releaseAll") || c.startsWith("destroy")), []);
    });
    it("a home-lab stack on an existing export: the export is the user's own and never listed; the apps' claims from a class are", async () => {
        const asleep = stateOf(await STACK_RUNS.minikube()).filter((r) => r.type === "pulumi:pulumi:Stack");
        const config = {
            "devkube:target": "baremetal",
            "devkube:baremetalMode": "existing-export",
            "devkube:nfsServer": "192.168.1.20",
            "devkube:nfsPath": "/srv/nfs/devkube",
            "devkube:apps": JSON.stringify([{ preset: "postgres", name: "db", volume: { storageClass: "local-path" } }]),
        };
        await assert.rejects(
            deleteEverything("homelab", fakeEngine({ state: asleep, config }, []), () => {}, { fetch: async () => assert.fail(), env: {}, ask: async () => assert.fail() }, root),
            (e: Error) => /left claims from a storage class in namespace devkube of its cluster \(app db's data \(claim db-data\)\)/.test(e.message) && !/srv/.test(e.message),
        );
    });
    it("a stack whose config does not parse: says which keys are wrong, deletes nothing", async () => {
        const calls: string[] = [];
        const config = { "devkube:target": "minikbe" };
        await assert.rejects(
            deleteEverything("minikube", fakeEngine({ state: stateOf(await STACK_RUNS.minikube()), config }, calls), () => {}, { fetch: async () => assert.fail(), env: {}, ask: async () => "minikube" }, root),
            (e: Error) => e instanceof NightError && /^stack minikube's config says where its data is, and it has problems; nothing was changed\. .*\n  - devkube:target: got "minikbe"; allowed: digitalocean, minikube, baremetal, kubeconfig$/.test(e.message),
        );
        assert.deepEqual(calls.filter((c) => c.startsWith("releaseAll") || c.startsWith("destroy")), []);
    });
    it("a --confirm naming another stack deletes nothing", async () => {
        const calls: string[] = [];
        await assert.rejects(
            deleteEverything("minikube", fakeCli(stateOf(await STACK_RUNS.minikube()), calls), () => {}, { fetch: async () => assert.fail(), env: {}, ask: async () => assert.fail(), confirm: "dev" }, root),
            /"dev" is not "minikube"; nothing was deleted/,
        );
        assert.equal(calls.some((c) => c.startsWith("destroy")), false);
    });
});

describe("delete-everything, run as a command", () => {
    it("with no answer (stdin closed, as in a script without --confirm): deletes nothing, says so, exits 2", async () => {
        const { spawnSync } = require("child_process") as typeof import("child_process");
        const fs = require("fs") as typeof import("fs");
        const os = require("os") as typeof import("os");
        const path = require("path") as typeof import("path");
        // Installed the way the Automation API finds a CLI: <root>/bin/pulumi.
        const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-fake-cli-"));
        const bin = path.join(cliHome, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "state.json"), JSON.stringify({ deployment: { resources: stateOf(await STACK_RUNS.minikube()) } }));
        // A Pulumi CLI that knows the stack and records anything else it is asked.
        fs.writeFileSync(
            path.join(bin, "pulumi"),
            `#!/bin/sh\ncase "$1 $2" in\n  "version "*) echo v3.300.0 ;;\n  "stack ls") echo "[]" ;;\n  "stack select") ;;\n  "stack export") cat "${bin}/state.json" ;;\n  "config --show-secrets") echo "{}" ;;\n  *) echo "$*" >> "${bin}/calls" ;;\nesac\n`,
            { mode: 0o755 },
        );
        const r = spawnSync("npx", ["--no-install", "tsx", "scripts/delete-everything.ts", "minikube"], {
            cwd: root,
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
            input: "",
            encoding: "utf8",
            timeout: 60_000,
        });
        const calls = fs.existsSync(path.join(bin, "calls")) ? fs.readFileSync(path.join(bin, "calls"), "utf8") : "";
        fs.rmSync(cliHome, { recursive: true, force: true });
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stdout, /This deletes everything devkube made for stack minikube/);
        assert.match(r.stderr, /no answer \(standard input closed\); nothing was deleted\. Type the stack.s name when asked, or pass --confirm <stack>/);
        const changes = calls.split("\n").filter((line) => line !== "");
        assert.deepEqual(changes, [], "no unprotect, no destroy");
    });
});
