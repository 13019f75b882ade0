// A plain `pulumi destroy` on DigitalOcean, under mocks of its API: the plan deletes the cluster and
// forgets the volumes; the next `up` finds them by the name and tag devkube gave them and takes them
// back; another stack, or a volume that is not devkube's or is in use elsewhere, is never taken.
import { strict as assert } from "assert";
import { VOLUME_TAGS, environmentTag } from "../contract/identity";
import { KeptVolume, ownClusterDroplets, volumeDecision } from "../targets/digitalocean";
import { DEV_ENVIRONMENT_ID, MOCK_DO_ACCOUNT, MOCK_VOLUME_ID, ProgramRun, ofType, pvByRole, runDev, runFixture, runProgram, stackConfigValues, FAKE_TOKEN } from "./harness";

const DO_VOLUME = "digitalocean:index/volume:Volume";
const CLUSTER = "digitalocean:index/kubernetesCluster:KubernetesCluster";
const KEPT_ID = "7724db7c-e098-11e5-b522-000f53304e51";

/** What a plain `pulumi destroy` does with each resource of a run: forgets what is retainOnDelete, deletes the rest. */
function destroyPlan(run: ProgramRun): { forgets: string[]; deletes: string[] } {
    const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const refused = custom.filter((r) => r.protect);
    assert.deepEqual(refused.map((r) => r.name), [], "nothing is protected, so a plain destroy is not refused");
    return { forgets: custom.filter((r) => r.retainOnDelete).map((r) => r.name), deletes: custom.filter((r) => !r.retainOnDelete).map((r) => r.type) };
}

function withAccount<T>(account: Partial<typeof MOCK_DO_ACCOUNT>, body: () => Promise<T>): Promise<T> {
    MOCK_DO_ACCOUNT.volumes = account.volumes ?? {};
    MOCK_DO_ACCOUNT.clusters = account.clusters ?? {};
    return body().finally(() => {
        MOCK_DO_ACCOUNT.volumes = {};
        MOCK_DO_ACCOUNT.clusters = {};
    });
}

const OURS = environmentTag(DEV_ENVIRONMENT_ID);
const THEIRS = environmentTag("0the1r5");
/** A volume of the dev stack's name as the account holds it; by default one made before volumes had an environment tag. */
const kept = (size = 20, dropletIds: number[] = [], tags: string[] = [VOLUME_TAGS.workspace]) => ({ id: KEPT_ID, region: "fra1", size, tags, dropletIds });
const ours = (size = 20, dropletIds: number[] = []) => kept(size, dropletIds, [VOLUME_TAGS.workspace, OURS]);

describe("DigitalOcean: a plain pulumi destroy stops the bill and keeps the data", () => {
    it("deletes the cluster and every Kubernetes object; forgets (never deletes) the workspace volume and each app's", async () => {
        const plan = destroyPlan(await runFixture("multi-service.yaml", { on: "dev" }));
        assert.deepEqual(plan.forgets.sort(), ["app-cache-volume", "app-db-volume", "workspace-volume"]);
        assert.ok(plan.deletes.includes(CLUSTER));
        assert.ok(plan.deletes.filter((t) => t.startsWith("kubernetes:")).length > 20);
        assert.ok(!plan.deletes.includes(DO_VOLUME));
    });
    it("the next up takes back the same volume by its id (an import), and the PV mounts it", async () => {
        const run = await withAccount({ volumes: { "devkube-dev-devkube": ours() } }, () => runDev());
        const volume = ofType(run, DO_VOLUME)[0];
        assert.equal(volume.importId, KEPT_ID);
        assert.equal(volume.inputs.size, 20);
        assert.deepEqual(volume.inputs.tags, [VOLUME_TAGS.workspace, OURS]);
        assert.equal(pvByRole(run, "workspace").inputs.spec.csi.volumeHandle, KEPT_ID);
        assert.equal(run.outputs.workspaceVolumeId, KEPT_ID);
        assert.ok(run.invokes.includes("digitalocean:index/getVolume:getVolume"));
    });
    it("an app's own volume is taken back the same way, by its own name", async () => {
        const account = { volumes: { "devkube-dev-devkube": ours(), "devkube-dev-devkube-db": { ...kept(5, [], [VOLUME_TAGS.appData, OURS]), id: "db-volume-id" } } };
        const run = await withAccount(account, () => runFixture("multi-service.yaml", { on: "dev" }));
        const byName = Object.fromEntries(ofType(run, DO_VOLUME).map((v) => [v.name, v.importId]));
        assert.deepEqual(byName, { "workspace-volume": KEPT_ID, "app-db-volume": "db-volume-id", "app-cache-volume": "" });
    });
    it("while the environment runs (attached to this stack's cluster), the same id keeps it in place and a bigger workspaceSize grows it", async () => {
        const account = { volumes: { "devkube-dev-devkube": ours(10, [301, 302]) }, clusters: { "devkube-dev": { droplets: ["301", "302"], tags: [OURS] } } };
        const run = await withAccount(account, () => runDev());
        const volume = ofType(run, DO_VOLUME)[0];
        assert.equal(volume.importId, KEPT_ID, "the same id as in the state: Pulumi treats it as no import");
        assert.equal(volume.inputs.size, 20);
    });
    it("a second stack in the same region makes its own volume and never takes the first one's", async () => {
        const config = { ...stackConfigValues("dev"), "digitalocean:token": FAKE_TOKEN, "devkube:doEnvironmentId": "5ec0ndd2" };
        const run = await withAccount({ volumes: { "devkube-dev-devkube": kept() } }, () => runProgram("dev2", config, { secretKeys: ["digitalocean:token"] }));
        const volume = ofType(run, DO_VOLUME)[0];
        assert.equal(volume.inputs.name, "devkube-dev2-devkube");
        assert.equal(volume.importId, "");
        assert.equal(pvByRole(run, "workspace").inputs.spec.csi.volumeHandle, MOCK_VOLUME_ID);
    });
    it("tags its volumes and its cluster with its own id (devkube:doEnvironmentId), which survives a destroy in its stack config", async () => {
        const run = await runFixture("multi-service.yaml", { on: "dev" });
        for (const volume of ofType(run, DO_VOLUME)) {
            assert.ok(volume.inputs.tags.includes(OURS), volume.name);
        }
        assert.deepEqual(ofType(run, CLUSTER)[0].inputs.tags, [OURS]);
        const upgraded = await withAccount({ volumes: { "devkube-dev-devkube": ours(20, [301]) }, clusters: { "devkube-dev": { droplets: ["301"], tags: ["team-a"] } } }, () => runDev());
        assert.deepEqual(ofType(upgraded, CLUSTER)[0].inputs.tags, ["team-a", OURS], "a tag set in the console stays");
    });
    it("never takes a teammate's asleep volume of the same stack name and namespace (another checkout or state backend): refused before any resource changes", async () => {
        const theirs = kept(20, [], [VOLUME_TAGS.workspace, THEIRS]);
        await assert.rejects(
            withAccount({ volumes: { "devkube-dev-devkube": theirs } }, () => runDev()),
            /DigitalOcean volume devkube-dev-devkube \(7724db7c-e098-11e5-b522-000f53304e51\) in fra1 carries devkube-env:0the1r5, and this stack is devkube-env:5eed1e55a1: it is another environment's/,
        );
        await assert.rejects(
            withAccount({ volumes: {}, clusters: { "devkube-dev": { droplets: ["301"], tags: [THEIRS] } } }, () => runDev()),
            /DigitalOcean cluster devkube-dev carries devkube-env:0the1r5, and this stack is devkube-env:5eed1e55a1/,
        );
        await assert.rejects(
            withAccount({ volumes: { "devkube-dev-devkube": theirs } }, () => runDev({ "devkube:doEnvironmentId": "" })),
            /carries devkube-env:0the1r5, and this stack has no devkube:doEnvironmentId/,
            "a stack without an id never takes a tagged volume either",
        );
    });
    it("refuses a new, empty workspace for an environment whose code is on a volume of another name (devkube:namespace changed after a sleep), saying how to go on", async () => {
        const account = { volumes: { "devkube-dev-devkube": ours() } };
        await assert.rejects(
            withAccount(account, () => runDev({ "devkube:namespace": "myenv" })),
            /devkube:namespace: got "myenv"; there is no workspace volume devkube-dev-myenv, but this environment \(devkube-env:5eed1e55a1\) has 1 DigitalOcean volume\(s\) this config does not name\. If the namespace \(or the stack's name\) changed since a sleep, your code is on one of them: set it back/,
        );
        // A first up that made the app's volume but not the workspace's: run again, it goes on.
        const appOnly = { volumes: { "devkube-dev-devkube-db": { ...kept(5, [], [VOLUME_TAGS.appData, OURS]), id: "db-volume-id" } } };
        const retried = await withAccount(appOnly, () => runFixture("multi-service.yaml", { on: "dev" }));
        assert.deepEqual(ofType(retried, DO_VOLUME).map((v) => [v.name, v.importId]).sort(), [["app-cache-volume", ""], ["app-db-volume", "db-volume-id"], ["workspace-volume", ""]]);
        const fresh = await withAccount(account, () => runDev({ "devkube:doEnvironmentId": "n3wenv1" , "devkube:namespace": "myenv" }));
        assert.equal(ofType(fresh, DO_VOLUME)[0].importId, "", "another environment's volumes do not count");
    });
    it("the release before ids: its untagged volume is taken back by name as before, with or without an id set; without one, no new volume is made", async () => {
        const upgraded = await withAccount({ volumes: { "devkube-dev-devkube": kept() } }, () => runDev());
        assert.equal(ofType(upgraded, DO_VOLUME)[0].importId, KEPT_ID);
        const withoutId = await withAccount({ volumes: { "devkube-dev-devkube": kept() } }, () => runDev({ "devkube:doEnvironmentId": "" }));
        assert.deepEqual(ofType(withoutId, DO_VOLUME)[0].inputs.tags, [VOLUME_TAGS.workspace]);
        assert.equal(ofType(withoutId, CLUSTER)[0].inputs.tags, undefined, "its cluster as that release made it");
        await assert.rejects(runDev({ "devkube:doEnvironmentId": "" }), /devkube:doEnvironmentId: not set; the new DigitalOcean volume devkube-dev-devkube must carry this environment's id/);
    });
    it("refuses, before any resource changes, a volume of its name that is in use by another cluster or is not devkube's", async () => {
        await assert.rejects(
            withAccount({ volumes: { "devkube-dev-devkube": kept(20, [999]) }, clusters: { "devkube-dev": ["301"] } }, () => runDev()),
            /DigitalOcean volume devkube-dev-devkube \(7724db7c-e098-11e5-b522-000f53304e51\) in fra1 is attached to droplet 999, which is not a node of this stack's cluster: another environment/,
        );
        await assert.rejects(
            withAccount({ volumes: { "devkube-dev-devkube": kept(20, [], ["backup"]) } }, () => runDev()),
            /exists but has no tag devkube-role:workspace: devkube takes back only volumes it made/,
        );
    });
});

describe("DigitalOcean: what devkube declares for a volume it keeps", () => {
    const workspace: KeptVolume = { name: "devkube-dev-devkube", tag: VOLUME_TAGS.workspace, environmentTag: OURS, gib: 20, sizeKey: "devkube:workspaceSize" };
    const withoutId: KeptVolume = { ...workspace, environmentTag: undefined };
    it("none of that name: a new one of the configured size, tagged with its role and this environment", () => {
        assert.deepEqual(volumeDecision(workspace, "fra1", undefined, []), { kind: "create", size: 20, tags: [VOLUME_TAGS.workspace, OURS] });
    });
    it("none of that name, and the stack has no id: refused, with the command that sets one, since an untagged volume could be taken by anyone's next up", () => {
        assert.throws(
            () => volumeDecision(withoutId, "fra1", undefined, []),
            /^ConfigError: .*devkube:doEnvironmentId: not set; the new DigitalOcean volume devkube-dev-devkube must carry this environment's id.*: npm run up on your machine sets one, or: pulumi config set devkube:doEnvironmentId [0-9a-f]{10} \(where CI runs the stack, commit Pulumi\.<stack>\.yaml with it\)$/s,
        );
    });
    it("detached (after a destroy): takes it back as it is (size and tags), which an import must match, and grows it on the next up", () => {
        const decision = volumeDecision(workspace, "fra1", kept(10, [], [VOLUME_TAGS.workspace, OURS]), []);
        assert.equal(decision.kind, "take-back");
        assert.equal(decision.size, 10);
        assert.deepEqual(decision.tags, [VOLUME_TAGS.workspace, OURS]);
        assert.equal(decision.kind === "take-back" && decision.notes.length, 1);
        assert.match(decision.kind === "take-back" ? decision.notes[0] : "", /is taken back at 10 GiB; it grows to 20 GiB \(devkube:workspaceSize\) on the next up/);
        assert.deepEqual(volumeDecision(workspace, "fra1", kept(20, [], [VOLUME_TAGS.workspace, OURS]), []), { kind: "take-back", id: KEPT_ID, size: 20, tags: [VOLUME_TAGS.workspace, OURS], notes: [] });
    });
    it("attached to this stack's nodes (in the state): grows it, and adds this environment's tag to one made before tags", () => {
        const decision = volumeDecision(workspace, "fra1", kept(10, [301]), ["301"]);
        assert.deepEqual([decision.size, decision.tags], [20, [VOLUME_TAGS.workspace, OURS]]);
    });
    it("another environment's (its tag: a teammate's stack of the same name, in another checkout or state backend): refused, attached or not, saying which id is its", () => {
        for (const dropletIds of [[], [301]]) {
            assert.throws(
                () => volumeDecision(workspace, "fra1", kept(20, dropletIds, [VOLUME_TAGS.workspace, THEIRS]), ["301"]),
                /^ConfigError: .*DigitalOcean volume devkube-dev-devkube \(7724db7c-[^)]+\) in fra1 carries devkube-env:0the1r5, and this stack is devkube-env:5eed1e55a1: it is another environment's .* devkube will not take it\. Give this stack another name or devkube:namespace\. If it is this environment's \(a new checkout of it\), set its id: pulumi config set devkube:doEnvironmentId 0the1r5/s,
            );
        }
        assert.throws(() => volumeDecision(withoutId, "fra1", kept(20, [], [VOLUME_TAGS.workspace, THEIRS]), []), /carries devkube-env:0the1r5, and this stack has no devkube:doEnvironmentId/);
    });
    it("one made before devkube tagged volumes (no environment tag): taken back by name and role as before, saying it is tagged once attached", () => {
        const decision = volumeDecision(workspace, "fra1", kept(20), []);
        assert.deepEqual([decision.kind, decision.tags], ["take-back", [VOLUME_TAGS.workspace]], "an import: the volume's own tags");
        assert.match(decision.kind === "take-back" ? decision.notes.join("\n") : "", /has no environment tag .*: taken back by its name and role tag; it gets devkube-env:5eed1e55a1 on the next up that finds it attached/);
    });
    it("never shrinks: a smaller size than the volume's is refused with the key and the smallest allowed", () => {
        assert.throws(
            () => volumeDecision(workspace, "fra1", kept(50), []),
            /devkube:workspaceSize: got "20Gi"; DigitalOcean volume devkube-dev-devkube .* is 50 GiB and DigitalOcean volumes cannot shrink; set 50Gi or more/,
        );
    });
    it("in another region (doRegion changed): refused, since a new empty volume would take its place and leave the data behind", () => {
        assert.throws(
            () => volumeDecision(workspace, "nyc3", kept(), []),
            /^ConfigError: .*devkube:doRegion: got "nyc3"; DigitalOcean volume devkube-dev-devkube \(7724db7c-[^)]+\) in fra1 holds this stack's data and a volume cannot move regions: set doRegion back to fra1/s,
        );
    });
    it("attached only to this stack's nodes: its own; to any other droplet: refused", () => {
        assert.equal(volumeDecision(workspace, "fra1", kept(20, [301]), ["301", "302"]).kind, "take-back");
        assert.throws(() => volumeDecision(workspace, "fra1", kept(20, [301, 777]), ["301"]), /attached to droplet 777/);
    });
});

describe("DigitalOcean: which cluster of the stack's name is its own", () => {
    it("none: no droplets; its own or one made before tags: its droplets", () => {
        assert.deepEqual(ownClusterDroplets("devkube-dev", undefined, OURS), []);
        assert.deepEqual(ownClusterDroplets("devkube-dev", { droplets: ["301"], tags: [OURS] }, OURS), ["301"]);
        assert.deepEqual(ownClusterDroplets("devkube-dev", { droplets: ["301"], tags: [] }, OURS), ["301"]);
    });
    it("another environment's: refused (cluster names are unique in an account), so its droplets never count as this stack's", () => {
        assert.throws(
            () => ownClusterDroplets("devkube-dev", { droplets: ["301"], tags: [THEIRS] }, OURS),
            /^ConfigError: .*DigitalOcean cluster devkube-dev carries devkube-env:0the1r5, and this stack is devkube-env:5eed1e55a1: it is another environment's .* Cluster names are unique in an account: give this stack another name\./s,
        );
    });
});
