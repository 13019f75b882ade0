// What a sync sends, keeps and deletes: pure functions of the folder's files, the share's files and
// what the last sync wrote, so each rule has its own test (test/sync.spec.ts).

/** A file as the sync compares it: size in bytes and mtime in whole seconds (what tar keeps). */
export interface FileState {
    readonly size: number;
    readonly mtime: number;
}

/** Relative path ("/"-separated) -> state. */
export type Manifest = ReadonlyMap<string, FileState>;

export function sameState(a: FileState | undefined, b: FileState | undefined): boolean {
    return a !== undefined && b !== undefined && a.size === b.size && a.mtime === b.mtime;
}

/** `stat -c '%s %Y %n'` lines from `find .` on the share, as a manifest (paths without the leading "./"). */
export function parseManifest(text: string): Map<string, FileState> {
    const files = new Map<string, FileState>();
    for (const line of text.split("\n")) {
        const match = /^(\d+) (\d+) \.\/(.+)$/.exec(line);
        if (match) {
            files.set(match[3], { size: Number(match[1]), mtime: Number(match[2]) });
        }
    }
    return files;
}

export interface InitialPlan {
    /** Files to send: new in the folder, or different from the share's copy. */
    readonly send: string[];
    /** Files only on the share: kept unless the sync was asked to delete (then listed first, then deleted). */
    readonly shareOnly: string[];
    /** Already the same on both sides. */
    readonly same: number;
}

/** The first copy (and every resume after a reconnect): only what differs goes, nothing of the share's own goes away. */
export function initialPlan(local: Manifest, share: Manifest): InitialPlan {
    const send: string[] = [];
    let same = 0;
    for (const [file, state] of local) {
        if (sameState(state, share.get(file))) {
            same++;
        } else {
            send.push(file);
        }
    }
    const shareOnly = [...share.keys()].filter((file) => !local.has(file));
    return { send: send.sort(), shareOnly: shareOnly.sort(), same };
}

/** One step the share runs for a batch: put a file, or delete one; `expect` is the share's state it must still have. */
export interface Step {
    readonly op: "put" | "del";
    readonly path: string;
    /** "size:mtime", "absent", or "any" (the first copy, which was just compared). */
    readonly expect: string;
}

export function expectation(state: FileState | undefined): string {
    return state ? `${state.size}:${state.mtime}` : "absent";
}

/** A folder file as a batch compares it with what was sent: size and mtime to the nanosecond ("size:mtimeMs"). */
export interface Versioned {
    readonly version: string;
}

/**
 * A batch of changes seen in the folder since the last one: each touched path as the folder has it now
 * (a file, a directory's files, or nothing). A file goes when its version differs from the one last
 * sent (a save in the same second with the same size included), expecting the share's state the last
 * sync left; a path gone from the folder deletes only what the sync itself put there (seen locally).
 */
export function batchSteps(touched: Iterable<string>, local: ReadonlyMap<string, Versioned>, sent: ReadonlyMap<string, string>, synced: Manifest): Step[] {
    const steps = new Map<string, Step>();
    for (const touchedPath of touched) {
        const under = (file: string) => file === touchedPath || file.startsWith(`${touchedPath}/`);
        for (const [file, state] of local) {
            if (under(file) && state.version !== sent.get(file)) {
                steps.set(file, { op: "put", path: file, expect: expectation(synced.get(file)) });
            }
        }
        for (const [file, state] of synced) {
            if (under(file) && !local.has(file)) {
                steps.set(file, { op: "del", path: file, expect: expectation(state) });
            }
        }
    }
    return [...steps.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What the share answered for one step: written with its new state, deleted, or a conflict with the share's state. */
export type Outcome =
    | { readonly kind: "ok"; readonly path: string; readonly state: FileState }
    | { readonly kind: "gone"; readonly path: string }
    | { readonly kind: "conflict"; readonly path: string; readonly share: string };

export function parseOutcomes(text: string): Outcome[] {
    const outcomes: Outcome[] = [];
    for (const line of text.split("\n")) {
        let match = /^ok (\d+):(\d+) (.+)$/.exec(line);
        if (match) {
            outcomes.push({ kind: "ok", path: match[3], state: { size: Number(match[1]), mtime: Number(match[2]) } });
            continue;
        }
        match = /^gone (.+)$/.exec(line);
        if (match) {
            outcomes.push({ kind: "gone", path: match[1] });
            continue;
        }
        match = /^conflict (\S+) (.+)$/.exec(line);
        if (match) {
            outcomes.push({ kind: "conflict", path: match[2], share: match[1] });
        }
    }
    return outcomes;
}

/** A byte count for people: 812 B, 4.1 kB, 213.7 MB. */
export function bytes(n: number): string {
    return n < 1000 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`;
}
