// One `npm run sync`: the first copy (only what differs), then every save, create, rename and delete in
// batches, until it is stopped, the connection cannot be had back, or the stack goes to sleep.
import * as fs from "fs";
import * as path from "path";
import { IgnoreRules, LocalFile, isIgnoreFile, scanFolder, tarFiles } from "./folder";
import { FileState, Step, batchSteps, bytes, expectation, initialPlan, parseManifest, parseOutcomes } from "./plan";
import { APPLY_SCRIPT, BATCH_END, CATCH_UP_SCRIPT, CHUNK_DONE, DONE, MANIFEST_DONE, InputRate, Remote, chunkFrames, stepLines } from "./share";

export interface SyncOptions {
    readonly folder: string;
    /** Delete what only the share has (listed first). */
    readonly delete: boolean;
    readonly print: (line: string) => void;
    /** How long the folder must be quiet before a batch goes (a burst is one batch). */
    readonly quietMs?: number;
    /** A batch goes at the latest this long after its first change, however busy the folder is. */
    readonly maxWaitMs?: number;
    /** How often an idle sync checks that the stack is still awake. */
    readonly heartbeatMs?: number;
    /** Waits between reconnection attempts; after the last one, the sync gives up. */
    readonly retryMs?: readonly number[];
    readonly now?: () => Date;
}

/** The connection went away mid-script (or the script could not run): the share's answer is incomplete. */
export class Dropped extends Error {}

/** What one exec sends: the steps, and the folder's files they read. */
interface Planned {
    readonly steps: readonly Step[];
    readonly local: ReadonlyMap<string, LocalFile>;
}

/** How the sync ended. */
export type Ending = "stopped" | "asleep" | "gave up";

/**
 * A batch goes in chunks of at most this many bytes of files and of step list, each answered by the share
 * when it is unpacked: a dropped connection loses at most the chunks not yet answered.
 */
const CHUNK_BYTES = 64 * 1024 * 1024;
const CHUNK_STEP_BYTES = 256 * 1024;
/** A first copy of more files than this (or more bytes than a chunk) prints a line per chunk. */
const PROGRESS_FILES = 1000;

export class Sync {
    /** What the share holds that this sync sent or found equal: the state a change must still find there. */
    private readonly synced = new Map<string, FileState>();
    /** The folder's version of each file when it was last sent (or found equal on the share). */
    private readonly sent = new Map<string, string>();
    private readonly rules: IgnoreRules;
    private warnedSkipped = false;

    constructor(
        private readonly remote: Remote,
        private readonly options: SyncOptions,
    ) {
        this.rules = new IgnoreRules(options.folder);
    }

    /** The first copy, and every resume after a reconnect: only what differs goes; the share's own files stay unless --delete. */
    async catchUp(what: "initial copy" | "resumed"): Promise<void> {
        const started = Date.now();
        let toSend = 0;
        let total = 0;
        let same = 0;
        let sent = 0;
        let sentBytes = 0;
        const plan = async (manifest: Promise<string | undefined>): Promise<Planned | undefined> => {
            // The folder is read while the share lists its files.
            const scan = scanFolder(this.options.folder, this.rules);
            this.warnSkipped(scan.skipped);
            const listing = await manifest;
            if (listing === undefined) {
                return undefined;
            }
            const share = new Map([...parseManifest(listing)].filter(([file]) => !this.rules.ignores(file)));
            const initial = initialPlan(scan.files, share);
            this.synced.clear();
            this.sent.clear();
            const sending = new Set(initial.send);
            for (const [file, state] of share) {
                const local = scan.files.get(file);
                if (local && !sending.has(file)) {
                    this.synced.set(file, state);
                    this.sent.set(file, local.version);
                }
            }
            const steps: Step[] = initial.send.map((file) => ({ op: "put", path: file, expect: expectation(share.get(file)) }));
            if (initial.shareOnly.length > 0) {
                if (this.options.delete) {
                    this.options.print(`deleting ${initial.shareOnly.length} file(s) that are on the share and not in the folder (--delete): ${listed(initial.shareOnly)}`);
                    steps.push(...initial.shareOnly.map((file): Step => ({ op: "del", path: file, expect: expectation(share.get(file)) })));
                } else {
                    this.options.print(
                        `kept ${initial.shareOnly.length} file(s) that are on the share and not in the folder (add --delete to delete them): ${listed(initial.shareOnly)}`,
                    );
                }
            }
            toSend = initial.send.length;
            total = initial.send.reduce((sum, file) => sum + (scan.files.get(file)?.size ?? 0), 0);
            same = initial.same;
            return { steps, local: scan.files };
        };
        await this.exchange(pruneNames(this.options.folder), plan, (files, size) => {
            sent += files;
            sentBytes += size;
            if (toSend > PROGRESS_FILES || total > CHUNK_BYTES) {
                this.options.print(`${what}: ${sent}/${toSend} files, ${bytes(sentBytes)} of ${bytes(total)}, ${rate(sentBytes, started)}`);
            }
        });
        const seconds = (Date.now() - started) / 1000;
        this.options.print(`${what}: ${sent} file(s) sent (${bytes(sentBytes)}) in ${seconds.toFixed(1)} s, ${rate(sentBytes, started)}; ${same} already the same on the share`);
    }

    /**
     * Sends a batch for the paths the folder reported, as the folder has them now; returns false when
     * nothing was to be done.
     */
    async sendChanges(touched: ReadonlySet<string>): Promise<boolean> {
        if ([...touched].some(isIgnoreFile)) {
            this.rules.reload();
        }
        const local = new Map<string, LocalFile>();
        for (const file of touched) {
            for (const [found, state] of scanFolder(this.options.folder, this.rules, file).files) {
                local.set(found, state);
            }
        }
        const steps = batchSteps(touched, local, this.sent, this.synced);
        if (steps.length === 0) {
            return false;
        }
        const started = Date.now();
        let sent = 0;
        let size = 0;
        const deleted = steps.filter((s) => s.op === "del").length;
        await this.exchange(undefined, async () => ({ steps, local }), (files, chunkBytes) => {
            sent += files;
            size += chunkBytes;
        });
        const time = (this.options.now ?? (() => new Date()))().toTimeString().slice(0, 8);
        this.options.print(`${time} sent ${sent} file(s) (${bytes(size)})${deleted ? `, deleted ${deleted}` : ""} in ${Date.now() - started} ms`);
        return true;
    }

    /**
     * One exec: with `prune` (a catch-up) the share first lists its files, not walking the directories
     * named, and `plan` makes the steps from that list; without, `plan` has them already. The steps go
     * chunk after chunk on its standard input, made as it reads them, and each chunk's answer is taken as
     * it comes, so a dropped connection loses at most the chunks not yet answered. Reports each chunk's
     * files sent and bytes; conflicts are printed, never overwritten.
     */
    private async exchange(
        prune: readonly string[] | undefined,
        plan: (manifest: Promise<string | undefined>) => Promise<Planned | undefined>,
        chunkDone: (files: number, bytes: number) => void,
    ): Promise<void> {
        const sizes: number[] = [];
        const folder = this.options.folder;
        let listed: (text: string | undefined) => void = () => {};
        const manifest = new Promise<string | undefined>((resolve) => (listed = resolve));
        let listing = prune !== undefined;
        let local: ReadonlyMap<string, LocalFile> = new Map();
        let failed: { error: unknown } | undefined;
        let chunksSent = 0;
        let answeredChunks = 0;
        let batchEnded = false;
        async function* frames(): AsyncGenerator<Buffer> {
            let planned: Planned | undefined;
            try {
                planned = await plan(manifest);
            } catch (error) {
                failed = { error };
            }
            if (planned !== undefined) {
                local = planned.local;
                const rate = new InputRate();
                for (const chunk of chunks(planned.steps, planned.local)) {
                    const files = tarFiles(folder, chunk.filter((s) => s.op === "put").map((s) => s.path), planned.local);
                    chunksSent++;
                    for await (const part of chunkFrames(chunk, files, (size) => sizes.push(size), () => rate.slow())) {
                        rate.sent(part.length);
                        yield part;
                    }
                }
            }
            batchEnded = true;
            yield BATCH_END;
        }
        let pending = "";
        const answered = (text: string) => {
            // A list of many files comes in many reads: each is searched once for its end.
            const from = Math.max(0, pending.length - MANIFEST_DONE.length);
            pending += text;
            if (listing) {
                const end = pending.indexOf(`${MANIFEST_DONE}\n`, from);
                if (end < 0) {
                    return;
                }
                listing = false;
                listed(pending.slice(0, end));
                pending = pending.slice(end + MANIFEST_DONE.length + 1);
            }
            for (let end = pending.indexOf(`${CHUNK_DONE}\n`); end >= 0; end = pending.indexOf(`${CHUNK_DONE}\n`)) {
                answeredChunks++;
                chunkDone(this.takeOutcomes(pending.slice(0, end), local), sizes.shift() ?? 0);
                pending = pending.slice(end + CHUNK_DONE.length + 1);
            }
        };
        const result = await this.remote.run(prune === undefined ? APPLY_SCRIPT : CATCH_UP_SCRIPT, prune ?? [], frames(), answered);
        // The exec ended before the share's list: nothing is planned on half a list.
        listed(undefined);
        if (failed) {
            throw failed.error;
        }
        if (!result.stdout.includes(DONE)) {
            throw new Dropped(lastLine(result));
        }
        if (!batchEnded || answeredChunks < chunksSent) {
            // The share saw its input end early (the laptop's side stopped making it): not every chunk is in.
            throw new Dropped(`the share answered ${answeredChunks} chunk(s) of a batch not sent whole${result.stderr.trim() ? `: ${lastLine(result)}` : ""}`);
        }
    }

    /** Takes in the share's answer for one chunk; returns how many files it wrote. */
    private takeOutcomes(answer: string, local: ReadonlyMap<string, LocalFile>): number {
        let sent = 0;
        for (const outcome of parseOutcomes(answer)) {
            if (outcome.kind === "ok") {
                this.synced.set(outcome.path, outcome.state);
                this.sent.set(outcome.path, local.get(outcome.path)?.version ?? "");
                sent++;
            } else if (outcome.kind === "gone") {
                this.synced.delete(outcome.path);
                this.sent.delete(outcome.path);
            } else {
                const share = outcome.share === "absent" ? "deleted on the share" : "changed on the share";
                this.options.print(
                    `conflict: ${outcome.path} was ${share} since the last sync; the share's version is kept and yours was not sent (save it again to send it)`,
                );
                // Seen now: the next save of this file goes, over the share's version.
                this.sent.set(outcome.path, local.get(outcome.path)?.version ?? "");
                if (outcome.share === "absent") {
                    this.synced.delete(outcome.path);
                } else {
                    const [size, mtime] = outcome.share.split(":").map(Number);
                    this.synced.set(outcome.path, { size, mtime });
                }
            }
        }
        return sent;
    }

    /** The first copy, then every change until Ctrl-C (`stop`), a dropped connection it cannot get back, or sleep. */
    async run(stop: Promise<void>): Promise<Ending> {
        if (!(await this.remote.present())) {
            return "asleep";
        }
        // Watching from before the first copy: a save during it is in the first batch after it.
        const touched = new Set<string>();
        let wake: () => void = () => {};
        const watcher = fs.watch(this.options.folder, { recursive: true }, (_event, name) => {
            if (name) {
                touched.add(String(name).split(path.sep).join("/"));
                wake();
            }
        });
        const first = await this.connected(() => this.catchUp("initial copy"));
        if (first !== undefined) {
            watcher.close();
            return first;
        }
        this.options.print(`watching ${this.options.folder}: every save goes to the share (Ctrl-C stops)`);
        let stopped = false;
        stop.then(() => {
            stopped = true;
            wake();
        });
        try {
            for (;;) {
                await this.quietOrHeartbeat(touched, (resume) => (wake = resume), () => stopped);
                if (stopped) {
                    return "stopped";
                }
                if (touched.size === 0) {
                    if (!(await this.remote.present())) {
                        return "asleep";
                    }
                    continue;
                }
                const batch = new Set(touched);
                touched.clear();
                const ending = await this.connected(() => this.sendChanges(batch), () => this.catchUp("resumed"));
                if (ending !== undefined) {
                    return ending;
                }
            }
        } finally {
            watcher.close();
        }
    }

    /**
     * Runs `work`; when the connection drops, says so, waits, and resumes with `resume` (a diff) once the
     * editor answers again. Returns how the sync ends, or undefined to go on.
     */
    private async connected(work: () => Promise<unknown>, resume: () => Promise<unknown> = work): Promise<Ending | undefined> {
        try {
            await work();
            return undefined;
        } catch (error) {
            if (!(error instanceof Dropped)) {
                throw error;
            }
            this.options.print(`connection to the share lost (${error.message}); reconnecting`);
        }
        for (const wait of this.options.retryMs ?? [1000, 2000, 5000, 10000, 20000]) {
            await new Promise((resolve) => setTimeout(resolve, wait));
            if (!(await this.remote.present())) {
                return "asleep";
            }
            try {
                await resume();
                this.options.print("reconnected; the share has caught up");
                return undefined;
            } catch (error) {
                if (!(error instanceof Dropped)) {
                    throw error;
                }
                this.options.print(`still no connection (${error.message}); retrying`);
            }
        }
        return "gave up";
    }

    /** Waits until the folder has been quiet for quietMs (at most maxWaitMs after the first change), a heartbeat, or a stop. */
    private async quietOrHeartbeat(touched: ReadonlySet<string>, onChange: (resume: () => void) => void, stopped: () => boolean): Promise<void> {
        const quiet = this.options.quietMs ?? 40;
        const maxWait = this.options.maxWaitMs ?? 300;
        const heartbeat = this.options.heartbeatMs ?? 15000;
        if (touched.size === 0) {
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, heartbeat);
                onChange(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
        const first = Date.now();
        while (!stopped() && touched.size > 0) {
            const changed = await new Promise<boolean>((resolve) => {
                const timer = setTimeout(() => resolve(false), quiet);
                onChange(() => {
                    clearTimeout(timer);
                    resolve(true);
                });
            });
            if (!changed || Date.now() - first >= maxWait) {
                return;
            }
        }
    }

    private warnSkipped(skipped: readonly string[]): void {
        if (skipped.length > 0 && !this.warnedSkipped) {
            this.warnedSkipped = true;
            this.options.print(`not synced (symbolic links and names with a newline are not sent): ${listed(skipped)}`);
        }
    }
}

/** Steps in execs of at most CHUNK_BYTES bytes of files and CHUNK_STEP_BYTES of step list. */
function chunks(steps: readonly Step[], local: ReadonlyMap<string, LocalFile>): Step[][] {
    const out: Step[][] = [];
    let current: Step[] = [];
    let size = 0;
    let listed = 0;
    for (const step of steps) {
        const stepSize = step.op === "put" ? (local.get(step.path)?.size ?? 0) : 0;
        const line = Buffer.byteLength(stepLines([step])) + 1;
        if (current.length > 0 && (size + stepSize > CHUNK_BYTES || listed + line > CHUNK_STEP_BYTES)) {
            out.push(current);
            current = [];
            size = 0;
            listed = 0;
        }
        current.push(step);
        size += stepSize;
        listed += line;
    }
    if (current.length > 0) {
        out.push(current);
    }
    return out;
}

/**
 * Directory names the folder ignores wherever they are (a plain name in its root .gitignore or
 * .devkubeignore, such as node_modules/): the share's `find` does not walk them at all.
 */
export function pruneNames(folder: string): string[] {
    const names = new Set([".git"]);
    for (const file of [".gitignore", ".devkubeignore"]) {
        let text = "";
        try {
            text = fs.readFileSync(path.join(folder, file), "utf8");
        } catch {
            continue;
        }
        const lines = text.split("\n").map((l) => l.trim());
        if (lines.some((l) => l.startsWith("!"))) {
            // A negation can bring back a file inside an ignored directory: walk everything then.
            return [".git"];
        }
        for (const line of lines) {
            const name = line.replace(/\/$/, "");
            if (/^[A-Za-z0-9._-]+$/.test(name) && !/^\.+$/.test(name)) {
                names.add(name);
            }
        }
    }
    return [...names];
}

function listed(files: readonly string[]): string {
    return files.length <= 5 ? files.join(", ") : `${files.slice(0, 5).join(", ")} and ${files.length - 5} more`;
}

function rate(sentBytes: number, started: number): string {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return `${bytes(Math.round(sentBytes / seconds))}/s`;
}

/** What a script that stopped short said last: its error if it wrote one, else its last answer. */
function lastLine(result: { code: number; stdout: string; stderr: string }): string {
    const last = (text: string) => text.trim().split("\n").filter(Boolean).pop();
    const text = last(result.stderr) ?? last(result.stdout);
    return text ? `${text.trim()}, exit ${result.code}` : `exit ${result.code}`;
}
