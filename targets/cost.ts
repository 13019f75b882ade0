// What a DigitalOcean environment costs a month, always on and with an awake schedule.
// Droplet prices come from DigitalOcean itself (getSizes); the few prices its API does not publish
// are named constants with their source.
import { AwakeSchedule } from "../config/schedule";

/** Average hours in a month (365 * 24 / 12). */
export const HOURS_PER_MONTH = 730;
/**
 * DigitalOcean bills droplets (and so DOKS nodes) per second since 2026-01-01, at most 672 h a month per
 * droplet (docs.digitalocean.com, Kubernetes pricing: "At most, we charge for 28 days of usage per month").
 * Load balancers are prorated by the hour up to their monthly price.
 */
export const BILLING_CAP_HOURS = 672;
/** Volumes: $0.10 per GiB-month (docs.digitalocean.com, Volumes pricing); getSizes lists droplets only. */
export const VOLUME_USD_PER_GIB_MONTH = 0.1;
/** Snapshots: $0.06 per GiB-month of used size (docs.digitalocean.com, Snapshots pricing). */
export const SNAPSHOT_USD_PER_GIB_MONTH = 0.06;
/** A one-node load balancer: $12 a month (docs.digitalocean.com, Load Balancers pricing). */
export const LOAD_BALANCER_USD_MONTH = 12;

/** Awake hours in an average month. */
export function awakeHoursPerMonth(schedule: AwakeSchedule): number {
    const perWeek = (schedule.days.length * (schedule.endMinute - schedule.startMinute)) / 60;
    return (perWeek * HOURS_PER_MONTH) / (7 * 24);
}

export interface NodePoolPrice {
    readonly count: number;
    /** USD per hour of one node, from getSizes. */
    readonly priceHourly: number;
}

export interface CostInputs {
    readonly pools: NodePoolPrice[];
    readonly awakeHours: number;
    readonly volumeGib: number;
    /** Apps' own volumes (databases); not in the snapshots. */
    readonly appVolumeGib?: number;
    readonly loadBalancers: number;
    /** Snapshots kept (devkube:doSnapshotsToKeep). */
    readonly snapshots: number;
    /**
     * Whether the schedule tears the cluster down every night. The monthly cap counts each droplet on
     * its own: after a teardown each morning's nodes are new droplets, so the cap never applies to them.
     */
    readonly nightlyTeardown?: boolean;
}

export interface MonthlyCost {
    readonly alwaysOnUsd: number;
    readonly scheduledUsd: number;
    readonly savedUsd: number;
    readonly awakeHoursPerMonth: number;
    /** The volumes keep your code and apps' data and are billed whether the cluster sleeps or not. */
    readonly volumeUsd: number;
    /** At most: snapshots are billed by used size, here counted as the whole volume. */
    readonly snapshotsUsdAtMost: number;
}

function billedHours(hours: number): number {
    return Math.min(hours, BILLING_CAP_HOURS);
}

function round(usd: number): number {
    return Math.round(usd * 100) / 100;
}

export function monthlyCost(inputs: CostInputs): MonthlyCost {
    const volumeUsd = (inputs.volumeGib + (inputs.appVolumeGib ?? 0)) * VOLUME_USD_PER_GIB_MONTH;
    const snapshotsUsd = inputs.snapshots * inputs.volumeGib * SNAPSHOT_USD_PER_GIB_MONTH;
    const hourly = (hours: number, capped: boolean) => {
        const billed = capped ? billedHours(hours) : hours;
        return (
            inputs.pools.reduce((sum, pool) => sum + pool.count * pool.priceHourly * billed, 0) +
            (inputs.loadBalancers * LOAD_BALANCER_USD_MONTH * billed) / BILLING_CAP_HOURS
        );
    };
    const alwaysOnUsd = round(hourly(HOURS_PER_MONTH, true) + volumeUsd + snapshotsUsd);
    const scheduledUsd = round(hourly(inputs.awakeHours, !inputs.nightlyTeardown) + volumeUsd + snapshotsUsd);
    return {
        alwaysOnUsd,
        scheduledUsd,
        // From the rounded figures, so the three numbers people see add up.
        savedUsd: round(alwaysOnUsd - scheduledUsd),
        awakeHoursPerMonth: Math.round(inputs.awakeHours * 10) / 10,
        volumeUsd: round(volumeUsd),
        snapshotsUsdAtMost: round(snapshotsUsd),
    };
}
