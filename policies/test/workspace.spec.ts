import * as assert from "assert";
import { workspaceRetainedPolicy } from "../rules/workspace";
import { T } from "./fixtures";
import { StackResourceInput, UNKNOWN, runStackPolicy, runStackPolicyDetailed } from "./util";

const volume = (protect: boolean, extra: Partial<StackResourceInput> = {}): StackResourceInput => ({
    type: T.doVolume,
    name: "workspace",
    props: { name: "devkube-workspace", region: "fra1", size: 10, initialFilesystemType: "ext4" },
    opts: { protect },
    ...extra,
});
const cluster: StackResourceInput = { type: T.doCluster, name: "cluster", props: { region: "fra1" } };
const pv = (reclaim: unknown, protect = false, role = "workspace"): StackResourceInput => ({
    type: T.pv,
    name: "workspace-pv",
    props: { metadata: { name: "devkube-workspace", labels: { "devkube.dev/role": role } }, spec: { persistentVolumeReclaimPolicy: reclaim, nfs: { server: "10.96.0.10", path: "/" } } },
    opts: { protect },
});

describe("devkube-workspace-retained", () => {
    it("passes a protected DigitalOcean volume with no dependencies (or only the DO provider / components)", async () => {
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [volume(true), cluster]), []);
        const deps: StackResourceInput[] = [
            { type: T.doProvider, name: "do", props: {} },
            { type: "devkube:storage:Workspace", name: "ws", props: {} },
            volume(true, { dependencies: ["do", "ws"] }),
        ];
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, deps), []);
    });

    it("passes a DigitalOcean volume without protect: every destroy forgets it (retainOnDelete, asserted by the program's tests)", async () => {
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [volume(false)]), []);
    });

    it("flags a volume that depends on the cluster, directly, through propertyDependencies, or transitively — even a protected cluster", async () => {
        for (const deps of [
            [cluster, volume(true, { dependencies: ["cluster"] })],
            [{ ...cluster, opts: { protect: true } }, volume(true, { propertyDependencies: { region: ["cluster"] } })],
        ]) {
            const v = await runStackPolicy(workspaceRetainedPolicy, deps);
            assert.ok(v.some((m) => /depends on the Kubernetes cluster cluster; every destroy deletes the cluster/.test(m)), v.join("\n"));
        }
        const chain = [
            cluster,
            { type: "random:index/randomPet:RandomPet", name: "suffix", props: {}, opts: { protect: true }, dependencies: ["cluster"] },
            volume(true, { propertyDependencies: { name: ["suffix"] } }),
        ];
        const v = await runStackPolicy(workspaceRetainedPolicy, chain);
        assert.deepStrictEqual(v.length, 1, v.join("\n"));
        assert.match(v[0], /depends on the Kubernetes cluster cluster \(via suffix\)/);
    });

    it("flags a dependency on any unprotected custom resource, but not on a parent", async () => {
        const v = await runStackPolicy(workspaceRetainedPolicy, [{ type: "random:index/randomPet:RandomPet", name: "pet", props: {} }, volume(true, { dependencies: ["pet"] })]);
        assert.strictEqual(v.length, 1);
        assert.match(v[0], /depends on random:index\/randomPet:RandomPet pet, which is not protected; a destroy deletes it and the next up makes it anew/);
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [cluster, volume(true, { parent: "cluster" })]), []);
    });

    it("passes a workspace PV with Retain, or a protected one without a reclaim policy", async () => {
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [pv("Retain")]), []);
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [pv(undefined, true)]), []);
    });

    it("flags a workspace PV with reclaim Delete even when protected, and one with neither", async () => {
        const v = await runStackPolicy(workspaceRetainedPolicy, [pv("Delete", true)]);
        assert.deepStrictEqual(v, [
            'PersistentVolume workspace-pv (the workspace): spec.persistentVolumeReclaimPolicy is "Delete", which wipes it when its claim is deleted; set it to "Retain"',
        ]);
        assert.match((await runStackPolicy(workspaceRetainedPolicy, [pv(undefined)]))[0], /is not set and the resource is not protected/);
    });

    it("holds an app's own volume (PV labelled app-data, DigitalOcean volume tagged devkube-role:app-data) to the same rules", async () => {
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [pv("Retain", false, "app-data")]), []);
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [pv("Delete", false, "app-data")]), [
            'PersistentVolume workspace-pv (an app\'s own data): spec.persistentVolumeReclaimPolicy is "Delete", which wipes it when its claim is deleted; set it to "Retain"',
        ]);
        const tagged = { name: "devkube-dev-devkube-db", region: "fra1", size: 5, initialFilesystemType: "ext4", tags: ["devkube-role:app-data"] };
        assert.deepStrictEqual(await runStackPolicy(workspaceRetainedPolicy, [volume(false, { name: "app-db-volume", props: tagged })]), []);
        const v = await runStackPolicy(workspaceRetainedPolicy, [cluster, volume(false, { name: "app-db-volume", props: tagged, dependencies: ["cluster"] })]);
        assert.strictEqual(v.length, 1, v.join("\n"));
        assert.match(v[0], /^DigitalOcean Volume app-db-volume \(an app's own data\) depends on the Kubernetes cluster cluster/);
    });

    it("ignores PVs not labelled as the workspace; not applicable without a workspace", async () => {
        const r = await runStackPolicyDetailed(workspaceRetainedPolicy, [pv("Delete", false, "cache")]);
        assert.deepStrictEqual(r.violations, []);
        assert.ok(r.notApplicable !== undefined);
    });

    it("preview: an unknown reclaim policy is deferred, not a crash", async () => {
        const r = await runStackPolicyDetailed(workspaceRetainedPolicy, [pv(UNKNOWN.string)]);
        assert.deepStrictEqual(r.violations, []);
        assert.match(r.unknownDuringPreview ?? "", /persistentVolumeReclaimPolicy/);
    });
});
