// The night scripts' DigitalOcean API calls: volume snapshots before a sleep, keeping the newest N (config
// devkube:doSnapshotsToKeep), the environment's tag on volumes made before devkube tagged them, and the
// volumes a destroy left, which only delete-everything deletes.
// Talks to the DigitalOcean API directly: the provider has no "snapshot now" verb, and a snapshot
// taken by the sleep must outlive the stack's resources. `fetch` is injected so tests need no network.

export interface Snapshot {
    readonly id: string;
    readonly name: string;
    readonly created_at: string;
}

export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<{
    ok: boolean;
    status: number;
    json(): Promise<any>;
    text(): Promise<string>;
}>;

const API = "https://api.digitalocean.com/v2";

/** The snapshots to delete so that only the newest `keep` remain (oldest first). */
export function snapshotsToPrune(snapshots: Snapshot[], keep: number): Snapshot[] {
    const newestFirst = [...snapshots].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    return newestFirst.slice(Math.max(keep, 0)).reverse();
}

export function snapshotName(stack: string, now: Date): string {
    return `devkube-${stack}-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").toLowerCase()}`;
}

/** Whether `name` is one snapshotName gave for this stack (not another stack's, nor one made by hand). */
export function isSleepSnapshot(name: string, stack: string): boolean {
    return name.startsWith(`devkube-${stack}-`) && /^\d{8}t\d{6}z$/.test(name.slice(`devkube-${stack}-`.length));
}

async function call(fetch: Fetch, token: string, method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${API}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
        throw new Error(`DigitalOcean API ${method} ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    }
    return response.status === 204 ? {} : response.json();
}

export interface SnapshotResult {
    readonly created: Snapshot;
    readonly pruned: Snapshot[];
}

/** Snapshots the volume, then deletes the oldest devkube snapshots of it beyond `keep`. */
export async function snapshotBeforeSleep(args: {
    readonly fetch: Fetch;
    readonly token: string;
    readonly volumeId: string;
    readonly stack: string;
    readonly keep: number;
    readonly now: Date;
}): Promise<SnapshotResult> {
    const { fetch, token, volumeId } = args;
    const created: Snapshot = (
        await call(fetch, token, "POST", `/volumes/${volumeId}/snapshots`, { name: snapshotName(args.stack, args.now), tags: ["devkube"] })
    ).snapshot;
    const ours = await sleepSnapshots(fetch, token, volumeId, args.stack);
    const pruned = snapshotsToPrune(ours, args.keep);
    for (const snapshot of pruned) {
        await deleteSnapshot(fetch, token, snapshot);
    }
    return { created, pruned };
}

/** The snapshots of a volume that sleeps of this stack made. */
export async function sleepSnapshots(fetch: Fetch, token: string, volumeId: string, stack: string): Promise<Snapshot[]> {
    const listed: Snapshot[] = (await call(fetch, token, "GET", `/volumes/${volumeId}/snapshots?per_page=200`)).snapshots ?? [];
    return listed.filter((s) => isSleepSnapshot(s.name, stack));
}

export async function deleteSnapshot(fetch: Fetch, token: string, snapshot: Snapshot): Promise<void> {
    await call(fetch, token, "DELETE", `/snapshots/${snapshot.id}`);
}

/** A volume as the DigitalOcean API lists it. */
export interface AccountVolume {
    readonly id: string;
    readonly name: string;
    readonly size_gigabytes: number;
    readonly tags: string[];
    readonly droplet_ids: number[];
}

/** The account's volume of that name in the region (names are unique there), or undefined. */
export async function volumeNamed(fetch: Fetch, token: string, name: string, region: string): Promise<AccountVolume | undefined> {
    const listed: AccountVolume[] = (await call(fetch, token, "GET", `/volumes?name=${encodeURIComponent(name)}&region=${encodeURIComponent(region)}`)).volumes ?? [];
    return listed.find((v) => v.name === name);
}

/** Every volume of the account that carries the tag (the API lists all volumes; the tag is checked here). */
export async function volumesWithTag(fetch: Fetch, token: string, tag: string): Promise<AccountVolume[]> {
    const found: AccountVolume[] = [];
    for (let page = 1; page <= 100; page++) {
        const listed: AccountVolume[] = (await call(fetch, token, "GET", `/volumes?per_page=200&page=${page}`)).volumes ?? [];
        found.push(...listed.filter((v) => (v.tags ?? []).includes(tag)));
        if (listed.length < 200) {
            break;
        }
    }
    return found;
}

export async function deleteVolume(fetch: Fetch, token: string, volume: AccountVolume): Promise<void> {
    await call(fetch, token, "DELETE", `/volumes/${volume.id}`);
}

/**
 * Puts a tag on volumes (creating the tag first: DigitalOcean tags exist on their own). Used by sleep for
 * the environment's tag, which a wake cannot add: it imports a volume with the tags it has.
 */
export async function tagVolumes(fetch: Fetch, token: string, tag: string, volumeIds: readonly string[]): Promise<void> {
    await call(fetch, token, "POST", "/tags", { name: tag }).catch((error: Error) => {
        // The tag exists already (the cluster carries it): some clients of the API see 409 or 422 then.
        if (!/: HTTP (409|422) /.test(error.message)) {
            throw error;
        }
    });
    await call(fetch, token, "POST", `/tags/${encodeURIComponent(tag)}/resources`, {
        resources: volumeIds.map((id) => ({ resource_id: id, resource_type: "volume" })),
    });
}
