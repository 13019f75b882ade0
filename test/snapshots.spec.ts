import { strict as assert } from "assert";
import { isSleepSnapshot, snapshotName, snapshotsToPrune } from "../scripts/snapshots";
import { ofType, pvByRole, runDev } from "./harness";

describe("snapshots: retention", () => {
    const s = (id: string, day: number) => ({ id, name: `devkube-dev-${id}`, created_at: `2026-11-${day}T19:00:00Z` });
    it("deletes the oldest beyond the count, oldest first", () => {
        assert.deepEqual(snapshotsToPrune([s("c", 21), s("a", 19), s("b", 20)], 1).map((x) => x.id), ["a", "b"]);
    });
    it("deletes nothing when there are no more than the count", () => {
        assert.deepEqual(snapshotsToPrune([s("a", 19), s("b", 20)], 2), []);
        assert.deepEqual(snapshotsToPrune([], 3), []);
    });
    it("names snapshots by stack and time, within DigitalOcean's rules", () => {
        assert.equal(snapshotName("dev", new Date("2026-11-22T19:00:05.123Z")), "devkube-dev-20261122t190005z");
    });
});

describe("snapshots: starting the workspace from a chosen snapshot", () => {
    it("creates the volume from devkube:doVolumeSnapshotId, with the snapshot's own filesystem", async () => {
        const run = await runDev({ "devkube:doVolumeSnapshotId": "8fa70202-873f-11e6-8b68-000f533176b1" });
        const volume = ofType(run, "digitalocean:index/volume:Volume")[0];
        assert.equal(volume.inputs.snapshotId, "8fa70202-873f-11e6-8b68-000f533176b1");
        assert.equal(volume.inputs.initialFilesystemType, undefined);
        assert.equal(volume.retainOnDelete, true);
        assert.ok(volume.ignoreChanges.includes("snapshotId"), "set on a stack whose volume exists, it never replaces that volume");
        assert.equal(pvByRole(run, "workspace").inputs.spec.csi.fsType, "ext4");
    });
    it("rejects a snapshot id that is not one, and a retention count out of range", async () => {
        await assert.rejects(
            runDev({ "devkube:doVolumeSnapshotId": "my snapshot" }),
            /devkube:doVolumeSnapshotId: got "my snapshot"; use a volume snapshot id/,
        );
        await assert.rejects(
            runDev({ "devkube:doSnapshotsToKeep": "500" }),
            /devkube:doSnapshotsToKeep: got "500"; use a whole number from 0/,
        );
    });
});

describe("snapshots: which are a sleep's", () => {
    it("only the names a sleep of this stack gives: not another stack's, not one made by hand with the same prefix", () => {
        assert.equal(isSleepSnapshot("devkube-dev-20261122t190005z", "dev"), true);
        assert.equal(isSleepSnapshot("devkube-dev-2-20261122t190005z", "dev"), false, "stack dev-2's");
        assert.equal(isSleepSnapshot("devkube-dev-before-upgrade", "dev"), false, "made by hand");
        assert.equal(isSleepSnapshot("devkube-dev-2-20261122t190005z", "dev-2"), true);
    });
});
