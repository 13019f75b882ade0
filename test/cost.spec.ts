import { strict as assert } from "assert";
import { BILLING_CAP_HOURS, awakeHoursPerMonth, monthlyCost } from "../targets/cost";
import { parseSchedule } from "../config/schedule";
import { STACK_RUNS, runDev } from "./harness";

describe("cost: awake schedules", () => {
    it("reads day ranges, day lists and always", () => {
        assert.deepEqual(parseSchedule("mon-fri 08:00-19:00"), { text: "mon-fri 08:00-19:00", days: [0, 1, 2, 3, 4], startMinute: 480, endMinute: 1140 });
        assert.deepEqual(parseSchedule("mon,wed,fri 09:00-17:30")?.days, [0, 2, 4]);
        assert.deepEqual(parseSchedule("sat-sun 10:00-14:00")?.days, [5, 6]);
        assert.equal(parseSchedule("always")?.days.length, 7);
    });
    for (const bad of ["weekdays 08:00-19:00", "fri-mon 08:00-10:00", "mon-fri 19:00-08:00", "mon-fri 08:00-25:00", "mon-fri 8-19", ""]) {
        it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseSchedule(bad), undefined));
    }
    it("weekdays 08:00-19:00 is 55 hours a week, about 239 hours in an average month", () => {
        assert.equal(Math.round(awakeHoursPerMonth(parseSchedule("mon-fri 08:00-19:00")!)), 239);
    });
});

describe("cost: monthly figures", () => {
    const pool = { count: 2, priceHourly: 0.03571 };
    it("always on is capped at 672 billed hours, not the 730 hours of a month", () => {
        const cost = monthlyCost({ pools: [pool], awakeHours: 730, volumeGib: 0, loadBalancers: 0, snapshots: 0 });
        assert.equal(cost.alwaysOnUsd, Math.round(2 * 0.03571 * BILLING_CAP_HOURS * 100) / 100);
        assert.equal(cost.alwaysOnUsd, 47.99);
        assert.equal(cost.savedUsd, 0);
    });
    it("weekdays 08:00-19:00 pays about a third, and the volume is paid either way", () => {
        const awake = awakeHoursPerMonth(parseSchedule("mon-fri 08:00-19:00")!);
        const cost = monthlyCost({ pools: [pool], awakeHours: awake, volumeGib: 20, loadBalancers: 0, snapshots: 0 });
        assert.equal(cost.volumeUsd, 2);
        assert.equal(cost.alwaysOnUsd, 49.99);
        assert.equal(cost.scheduledUsd, Math.round((2 * 0.03571 * awake + 2) * 100) / 100);
        assert.equal(cost.scheduledUsd, 19.07);
        assert.equal(cost.savedUsd, 30.92);
    });
    it("adds up several node pools", () => {
        const cost = monthlyCost({ pools: [pool, { count: 1, priceHourly: 0.07143 }], awakeHours: 730, volumeGib: 0, loadBalancers: 0, snapshots: 0 });
        assert.equal(cost.alwaysOnUsd, Math.round((2 * 0.03571 + 0.07143) * 672 * 100) / 100);
    });
    it("caps only nodes that live all month: after a nightly teardown every morning's nodes are new droplets, each far below the cap", () => {
        const nearlyAlways = awakeHoursPerMonth(parseSchedule("mon-sun 00:00-23:00")!);
        assert.ok(nearlyAlways > BILLING_CAP_HOURS);
        const cost = monthlyCost({ pools: [pool], awakeHours: nearlyAlways, volumeGib: 0, loadBalancers: 0, snapshots: 0, nightlyTeardown: true });
        assert.equal(cost.scheduledUsd, Math.round(2 * 0.03571 * nearlyAlways * 100) / 100);
        assert.ok(cost.savedUsd < 0, `sleeping one hour a night costs more than never sleeping: saved ${cost.savedUsd}`);
        const always = monthlyCost({ pools: [pool], awakeHours: 730, volumeGib: 0, loadBalancers: 0, snapshots: 0, nightlyTeardown: false });
        assert.equal(always.scheduledUsd, always.alwaysOnUsd);
    });
    it("bills a load balancer only while the cluster is awake", () => {
        const on = monthlyCost({ pools: [], awakeHours: 730, volumeGib: 0, loadBalancers: 1, snapshots: 0 });
        const half = monthlyCost({ pools: [], awakeHours: 336, volumeGib: 0, loadBalancers: 1, snapshots: 0 });
        assert.equal(on.alwaysOnUsd, 12);
        assert.equal(half.scheduledUsd, 6);
    });
});

describe("cost: the DigitalOcean stack exports its figures from getSizes", () => {
    it("costMonthly for 2 x s-2vcpu-4gb, a 20Gi volume, awake weekdays 08:00-19:00", async () => {
        const run = await STACK_RUNS.dev();
        assert.ok(run.invokes.includes("digitalocean:index/getSizes:getSizes"));
        assert.deepEqual(run.outputs.costMonthly, {
            schedule: "mon-fri 08:00-19:00",
            timeZone: "Etc/UTC",
            alwaysOnUsd: 49.99,
            scheduledUsd: 19.07,
            savedUsd: 30.92,
            awakeHoursPerMonth: 239,
            volumeUsd: 2,
            snapshotsUsdAtMost: 0,
        });
    });
    it("counts kept snapshots at most at the volume's size, awake or asleep", async () => {
        const cost = monthlyCost({ pools: [], awakeHours: 0, volumeGib: 20, loadBalancers: 0, snapshots: 3 });
        assert.equal(cost.snapshotsUsdAtMost, 3.6);
        assert.equal(cost.scheduledUsd, 5.6);
        const run = await runDev({ "devkube:doSnapshotsToKeep": "3" });
        assert.equal((run.outputs.costMonthly as any).snapshotsUsdAtMost, 3.6);
    });
    it("a size DigitalOcean does not offer is a clear error", async () => {
        await assert.rejects(
            runDev({ "devkube:doNodeSize": "s-99vcpu-1tb" }),
            /devkube:doNodeSize: got "s-99vcpu-1tb"; DigitalOcean offers no droplet size with that slug/,
        );
    });
    it("a bad schedule is named with what is allowed", async () => {
        await assert.rejects(
            runDev({ "devkube:awakeSchedule": "9 to 5" }),
            /devkube:awakeSchedule: got "9 to 5"; use days and hours like "mon-fri 08:00-19:00"/,
        );
    });
});
