// npm run sync: the pure rules (what goes, what stays, what a batch does), the tar it sends, and whole
// sessions against a share that is a local directory run by `sh` exactly as kwok's ClusterExec (and a
// node's `kubectl exec` into the editor) runs the scripts: in the share's root, with the tar on stdin.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IgnoreRules, scanFolder } from "../scripts/sync/folder";
import { batchSteps, initialPlan, parseManifest, parseOutcomes } from "../scripts/sync/plan";
import { INPUT_AHEAD_BYTES, Input, InputRate, Remote, RunResult, TAR_FRAME_BYTES, chunkFrames, spawnRun, worthPacking } from "../scripts/sync/share";
import { Sync, pruneNames } from "../scripts/sync/session";
import { tarOf } from "../scripts/sync/tar";
import { ending, inDirectory, parseSyncArgs } from "../scripts/sync";

const scratch: string[] = [];
function dir(label: string): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `devkube-sync-${label}-`));
    scratch.push(d);
    return d;
}
after(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function write(root: string, file: string, text: string, mtime?: number): void {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
    if (mtime !== undefined) {
        fs.utimesSync(path.join(root, file), mtime, mtime);
    }
}

/** Every file under a directory with its text, skipping what the sync must never leave behind. */
function tree(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    // Read while the sync may be writing: what vanishes between listing and reading is not there.
    const walk = (rel: string) => {
        for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
            const file = rel ? `${rel}/${e.name}` : e.name;
            try {
                if (e.isDirectory()) {
                    walk(file);
                } else {
                    out[file] = fs.readFileSync(path.join(root, file), "utf8");
                }
            } catch {
                // Gone meanwhile.
            }
        }
    };
    walk("");
    return out;
}

/** The share as a local directory: scripts run by sh in it (kwok's ClusterExec does the same); every run counted. */
function localShare(share: string, options: { dropNext?: () => boolean; present?: () => boolean } = {}): Remote & { runs: number } {
    const remote = {
        runs: 0,
        describe: `local directory ${share}`,
        async run(script: string, args: readonly string[], input?: Input, output?: (text: string) => void): Promise<RunResult> {
            remote.runs++;
            if (options.dropNext?.()) {
                return { code: 137, stdout: "", stderr: "error: unable to upgrade connection: container not found (\"shell\")" };
            }
            return spawnRun("sh", ["-c", script, "sh", ...args], input, share, output);
        },
        present: async () => options.present?.() ?? true,
    };
    return remote;
}

/** 2,500 files with paths of about 130 bytes: a step list over 128 KiB, in more than one chunk; returns their directory. */
function longPaths(folder: string): string {
    const deep = "src/components/a-rather-long-directory-name/and-another-one-below-it/then/the/leaf";
    for (let i = 0; i < 2500; i++) {
        write(folder, `${deep}/${String(i).padStart(4, "0")}-component-with-a-long-name.test.tsx`, `${i}`);
    }
    return deep;
}

/** What a session printed last, for the message when `until` gives up (a rare failure says what it saw). */
let lastWords: () => string = () => "";

async function until(what: string, check: () => boolean, seconds = 10): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!check()) {
        if (Date.now() > deadline) {
            assert.fail(`${what} did not happen within ${seconds} s; the session said last: ${lastWords()}`);
        }
        await new Promise((r) => setTimeout(r, 25));
    }
}

describe("sync: what goes and what stays", () => {
    it("reads the share's find/stat lines, paths with spaces included", () => {
        const m = parseManifest("12 1700000000 ./a b/c.txt\n0 1700000001 ./empty\nnoise\n");
        assert.deepEqual([...m], [["a b/c.txt", { size: 12, mtime: 1700000000 }], ["empty", { size: 0, mtime: 1700000001 }]]);
    });
    it("the first copy sends what is new or different, counts what is the same, and lists the share's own files", () => {
        const local = new Map([["same", { size: 1, mtime: 5 }], ["changed", { size: 2, mtime: 6 }], ["new", { size: 3, mtime: 7 }]]);
        const share = new Map([["same", { size: 1, mtime: 5 }], ["changed", { size: 2, mtime: 1 }], ["theirs", { size: 9, mtime: 9 }]]);
        assert.deepEqual(initialPlan(local, share), { send: ["changed", "new"], shareOnly: ["theirs"], same: 1 });
    });
    it("a batch puts what changed and deletes only what the sync itself put there, a renamed directory included", () => {
        const synced = new Map([["src/a.js", { size: 1, mtime: 1 }], ["src/b.js", { size: 1, mtime: 1 }], ["keep.txt", { size: 1, mtime: 1 }]]);
        const sent = new Map([["src/a.js", "1:1000.5"], ["src/b.js", "1:1000.5"], ["keep.txt", "1:1000.5"]]);
        const local = new Map([["lib/a.js", { version: "1:1000.5" }], ["lib/b.js", { version: "1:1000.5" }]]);
        assert.deepEqual(batchSteps(["src", "lib", "never-synced.txt"], local, sent, synced), [
            { op: "put", path: "lib/a.js", expect: "absent" },
            { op: "put", path: "lib/b.js", expect: "absent" },
            { op: "del", path: "src/a.js", expect: "1:1" },
            { op: "del", path: "src/b.js", expect: "1:1" },
        ]);
        assert.deepEqual(batchSteps(["keep.txt"], new Map([["keep.txt", { version: "1:1000.5" }]]), sent, synced), [], "unchanged: nothing to send");
        // A second save in the same second, with the same size: the nanoseconds tell it apart.
        assert.deepEqual(batchSteps(["keep.txt"], new Map([["keep.txt", { version: "1:1000.75" }]]), sent, synced), [{ op: "put", path: "keep.txt", expect: "1:1" }]);
    });
    it("reads the share's answers: written, deleted, conflict", () => {
        assert.deepEqual(parseOutcomes("ok 5:100 a b.txt\ngone old.txt\nconflict 7:200 x.txt\nconflict absent y.txt\ndevkube-sync: done\n"), [
            { kind: "ok", path: "a b.txt", state: { size: 5, mtime: 100 } },
            { kind: "gone", path: "old.txt" },
            { kind: "conflict", path: "x.txt", share: "7:200" },
            { kind: "conflict", path: "y.txt", share: "absent" },
        ]);
    });
    it("writes a tar that GNU tar unpacks: long paths, modes and mtimes kept", () => {
        const out = dir("tar");
        const long = `${"d".repeat(80)}/${"f".repeat(90)}.txt`;
        const archive = tarOf([
            { path: "run.sh", data: Buffer.from("#!/bin/sh\n"), mtime: 1700000000, mode: 0o755 },
            { path: long, data: Buffer.alloc(1500, 97), mtime: 1700000001, mode: 0o644 },
            { path: "empty", data: Buffer.alloc(0), mtime: 1700000002, mode: 0o644 },
        ]);
        const r = spawnSync("tar", ["-x", "-f", "-", "-C", out], { input: archive });
        assert.equal(r.status, 0, String(r.stderr));
        assert.equal(fs.statSync(path.join(out, "run.sh")).mode & 0o777, 0o755);
        assert.equal(fs.statSync(path.join(out, "run.sh")).mtimeMs, 1700000000_000);
        assert.equal(fs.readFileSync(path.join(out, long), "utf8"), "a".repeat(1500));
        assert.equal(fs.statSync(path.join(out, "empty")).size, 0);
    });
    it("sends a chunk's tar in frames as its files are read, a big file split across them, gzipped where that pays, its bytes before the line that ends it", async () => {
        const text = Buffer.from("export function add(a: number, b: number): number { return a + b; }\n".repeat(30000));
        const noise = randomBytes(TAR_FRAME_BYTES + 5000);
        const files = [
            { path: "small.txt", data: Buffer.from("small"), mtime: 1700000000, mode: 0o644 },
            { path: "src/big.ts", data: Buffer.concat([text, text, text, text, text]), mtime: 1700000001, mode: 0o644 },
            { path: "media/noise.bin", data: noise, mtime: 1700000002, mode: 0o644 },
            { path: "last.txt", data: Buffer.from("last"), mtime: 1700000003, mode: 0o644 },
        ];
        const steps = files.map((f) => ({ op: "put" as const, path: f.path, expect: "absent" }));
        let read = 0;
        const reading = (function* () {
            for (const file of files) {
                read++;
                yield file;
            }
        })();
        const sent: number[] = [];
        const out = chunkFrames(steps, reading, (size) => sent.push(size), () => true);
        const first = (await out.next()).value as Buffer;
        assert.equal(read, 0, "the step list goes before any file is read");
        const newline = first.indexOf("\n");
        assert.equal(first.subarray(newline + 1).toString(), files.map((f) => `put absent ${f.path}\n`).join(""));
        assert.equal(Number(first.subarray(0, newline).toString()), first.length - newline - 1);
        const frames: { raw: Buffer; packed: boolean }[] = [];
        let ended = false;
        // The parts as the share's sh reads them: a frame's line, then that many bytes.
        const stream = [] as Buffer[];
        for await (const part of out) {
            assert.ok(!ended, "nothing after the line that ends the chunk");
            if (part.toString() === "0\n") {
                assert.deepEqual(sent, [files.reduce((sum, f) => sum + f.data.length, 0)], "the chunk's bytes are known before its end");
                ended = true;
                continue;
            }
            stream.push(part);
        }
        let rest = Buffer.concat(stream);
        while (rest.length > 0) {
            const end = rest.indexOf("\n");
            const [length, packing] = rest.subarray(0, end).toString().split(" ");
            const payload = rest.subarray(end + 1, end + 1 + Number(length));
            assert.equal(payload.length, Number(length), "a frame is its length line and that many bytes");
            frames.push({ raw: packing === "gz" ? gunzipSync(payload) : payload, packed: packing === "gz" });
            rest = rest.subarray(end + 1 + Number(length));
        }
        assert.ok(ended);
        frames.slice(0, -1).forEach((f) => assert.equal(f.raw.length, TAR_FRAME_BYTES, "every frame but the last holds a whole frame of tar"));
        assert.ok(Buffer.concat(frames.map((f) => f.raw)).equals(tarOf(files)), "the frames are the chunk's tar, in order");
        assert.ok(frames[0].packed && frames[1].packed, "the code is gzipped");
        assert.ok(frames.some((f) => !f.packed && f.raw.includes(noise.subarray(2 * TAR_FRAME_BYTES, 2 * TAR_FRAME_BYTES + 64))), "random bytes go as they are");
    });
    it("over a fast link sends every frame as it is", async () => {
        const files = [{ path: "src/big.ts", data: Buffer.from("export const a = 1;\n".repeat(500000)), mtime: 1700000000, mode: 0o644 }];
        const parts: Buffer[] = [];
        for await (const part of chunkFrames([{ op: "put", path: "src/big.ts", expect: "absent" }], files, () => {}, () => false)) {
            parts.push(part);
        }
        assert.ok(!Buffer.concat(parts).includes(" gz\n"), "no frame is gzipped");
    });
    it("measures how fast the command reads its input once the parts made ahead fill up, and calls the link slow below 25 MB/s", () => {
        let now = 0;
        const rate = new InputRate(() => now);
        rate.sent(INPUT_AHEAD_BYTES);
        assert.equal(rate.perSecond(), undefined, "the read-ahead filling up says nothing about the link");
        assert.equal(rate.slow(), false, "not known to be slow: frames go as they are");
        now = 1000;
        rate.sent(INPUT_AHEAD_BYTES / 2);
        assert.equal(rate.perSecond(), undefined, "too little yet");
        now = 2000;
        rate.sent(INPUT_AHEAD_BYTES / 2);
        assert.equal(Math.round(rate.perSecond()!), Math.round(INPUT_AHEAD_BYTES / 2));
        assert.equal(rate.slow(), true, "4 MB/s: a home upload");
        const fast = new InputRate(() => now);
        fast.sent(INPUT_AHEAD_BYTES);
        now += 100;
        fast.sent(INPUT_AHEAD_BYTES * 4);
        assert.equal(fast.slow(), false, "335 MB/s: a local cluster");
    });
    it("gzips a frame only when a sample of it shrinks: code does, random bytes and a save's few bytes do not", () => {
        const header = Buffer.alloc(512);
        assert.equal(worthPacking([header, Buffer.from("const x = require('x');\n".repeat(5000))]), true);
        assert.equal(worthPacking([header, randomBytes(1024 * 1024), header]), false);
        assert.equal(worthPacking([header, Buffer.from("const x = 1;\n".repeat(100))]), false, "a small frame goes as it is");
    });
    it("pads the tar to whole records, so GNU tar ends at the archive's end though its standard input stays open", async () => {
        const archive = tarOf([{ path: "a.txt", data: Buffer.from("hi"), mtime: 1700000000, mode: 0o644 }]);
        assert.equal(archive.length % 10240, 0);
        const out = dir("open-stdin");
        const child = require("child_process").spawn("tar", ["-x", "-f", "-", "-C", out]);
        child.stdin.write(archive);
        const code = await new Promise((resolve) => {
            const timer = setTimeout(() => (child.kill(), resolve("still running after 5 s")), 5000);
            child.on("close", (c: number) => (clearTimeout(timer), resolve(c)));
        });
        assert.equal(code, 0);
        assert.equal(fs.readFileSync(path.join(out, "a.txt"), "utf8"), "hi");
    });
    it("ignores what .gitignore (at any level) and .devkubeignore ignore, and .git/ always", () => {
        const folder = dir("rules");
        write(folder, ".gitignore", "node_modules/\n*.log\n");
        write(folder, ".devkubeignore", "secrets.env\n");
        write(folder, "sub/.gitignore", "build/\n");
        for (const f of ["a.js", "x.log", "secrets.env", "node_modules/m/i.js", ".git/HEAD", "sub/b.js", "sub/build/out.js", "build/kept.js"]) {
            write(folder, f, f);
        }
        const files = [...scanFolder(folder, new IgnoreRules(folder)).files.keys()].sort();
        assert.deepEqual(files, [".devkubeignore", ".gitignore", "a.js", "build/kept.js", "sub/.gitignore", "sub/b.js"]);
        assert.deepEqual(pruneNames(folder).sort(), [".git", "node_modules", "secrets.env"].sort());
    });
    it("reads its command line: the folder from where it was typed, --to a directory of the share, --delete", () => {
        assert.deepEqual(parseSyncArgs(["dev", "app", "--to", "hello/", "--delete"], "/home/me"), { stack: "dev", folder: "/home/me/app", to: "hello", delete: true });
        assert.deepEqual(parseSyncArgs(["dev"], "/home/me/app"), { stack: "dev", folder: "/home/me/app", to: "", delete: false });
        assert.throws(() => parseSyncArgs(["dev", "--to", "../etc"], "/"), /--to: got "\.\.\/etc"; name a directory of the share relative to its root/);
        assert.throws(() => parseSyncArgs(["dev", "--force"], "/"), /unknown option --force \(usage: npm run sync -- <stack> \[folder\]/);
    });
    it("says how it ended: stopped (0), the stack asleep (2), the connection given up (1)", () => {
        assert.equal(ending("stopped", "dev").code, 0);
        assert.match(ending("asleep", "dev").line, /stack dev is asleep .*npm run wake -- dev, then run the sync again/);
        assert.equal(ending("gave up", "dev").code, 1);
    });
});

describe("sync: whole sessions against a share run by sh", function () {
    this.timeout(30_000);
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    beforeEach(() => {
        lines.length = 0;
        lastWords = () => lines.slice(-8).join(" | ");
    });

    it("the first copy sends only what differs; a second run sends nothing; ignored files stay home; the share's own files are kept and listed", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, ".gitignore", "node_modules/\n");
        write(folder, "index.html", "<h1>hi</h1>");
        write(folder, "src/app.js", "console.log(1)");
        write(folder, "node_modules/x/index.js", "big");
        write(folder, ".git/config", "[core]");
        write(share, "theirs.txt", "made in the editor");
        write(share, "node_modules/y/index.js", "installed on the share");
        const sync = new Sync(localShare(share), { folder, delete: false, print });
        await sync.catchUp("initial copy");
        assert.deepEqual(tree(share), {
            ".gitignore": "node_modules/\n",
            "index.html": "<h1>hi</h1>",
            "src/app.js": "console.log(1)",
            "theirs.txt": "made in the editor",
            "node_modules/y/index.js": "installed on the share",
        });
        assert.ok(lines.some((l) => /^kept 1 file\(s\) that are on the share and not in the folder \(add --delete to delete them\): theirs\.txt$/.test(l)), lines.join("\n"));
        assert.ok(lines.some((l) => /^initial copy: 3 file\(s\) sent \(\d+ B\) in \d+\.\d s, .*\/s; 0 already the same on the share$/.test(l)), lines.join("\n"));
        lines.length = 0;
        await new Sync(localShare(share), { folder, delete: false, print }).catchUp("initial copy");
        assert.ok(lines.some((l) => /^initial copy: 0 file\(s\) sent .*; 3 already the same on the share$/.test(l)), lines.join("\n"));
    });

    it("a first copy of thousands of files with long paths: a step list far over the kernel's 128 KiB for one argument goes through", async () => {
        const folder = dir("folder");
        const share = dir("share");
        const deep = longPaths(folder);
        const remote = localShare(share);
        await new Sync(remote, { folder, delete: false, print }).catchUp("initial copy");
        assert.ok(lines.some((l) => /^initial copy: 2500 file\(s\) sent /.test(l)), lines.join("\n"));
        // One exec for the whole copy (the share's manifest, then every chunk), its chunks answered one by one: a progress line each.
        assert.equal(remote.runs, 1, "one exec: the share's manifest, then every chunk on its standard input");
        const progress = lines.filter((l) => /^initial copy: \d+\/2500 files, /.test(l));
        assert.ok(progress.length >= 2 && progress[progress.length - 1].startsWith("initial copy: 2500/2500 files"), lines.join("\n"));
        assert.equal(fs.readFileSync(path.join(share, deep, "2499-component-with-a-long-name.test.tsx"), "utf8"), "2499");
    });

    it("a batch whose input ends between two chunks (the laptop's side stopped making it) is not taken as done", async () => {
        const folder = dir("folder");
        const share = dir("share");
        longPaths(folder);
        async function* firstChunkOnly(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
            for await (const part of input) {
                yield part;
                if (part.toString() === "0\n") {
                    return;
                }
            }
        }
        const cut: Remote = {
            describe: "a share whose input ends early",
            run: (script, args, input, output) => spawnRun("sh", ["-c", script, "sh", ...args], input === undefined || Buffer.isBuffer(input) ? input : firstChunkOnly(input), share, output),
            present: async () => true,
        };
        await assert.rejects(new Sync(cut, { folder, delete: false, print }).catchUp("initial copy"), /^Error: the share answered 1 chunk\(s\) of a batch not sent whole$/);
    });

    it("with --delete: says what it deletes, then deletes only the share's files the folder does not have (never ignored ones)", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, ".gitignore", "node_modules/\n");
        write(folder, "a.txt", "a");
        write(share, "old.txt", "old");
        write(share, "node_modules/y/index.js", "installed on the share");
        // devkube's own directory (the sshd's host key) is neither listed nor deleted, and a folder's is not sent.
        write(share, ".devkube/ssh/ssh_host_ed25519_key", "the host key");
        write(folder, ".devkube/ssh/ssh_host_ed25519_key", "another machine's");
        await new Sync(localShare(share), { folder, delete: true, print }).catchUp("initial copy");
        assert.ok(lines.some((l) => l === "deleting 1 file(s) that are on the share and not in the folder (--delete): old.txt"), lines.join("\n"));
        assert.deepEqual(Object.keys(tree(share)).sort(), [".devkube/ssh/ssh_host_ed25519_key", ".gitignore", "a.txt", "node_modules/y/index.js"]);
        assert.equal(fs.readFileSync(path.join(share, ".devkube/ssh/ssh_host_ed25519_key"), "utf8"), "the host key");
    });

    it("watches: saves, creates, renames (a file and a directory) and deletes reach the share; a burst of 1,000 files is one batch", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, "keep.txt", "v1");
        write(folder, "old-name.txt", "renamed");
        write(folder, "dir/x.txt", "x");
        const remote = localShare(share);
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const session = new Sync(remote, { folder, delete: false, print, heartbeatMs: 200 }).run(stopped);
        await until("the first copy", () => lines.some((l) => l.startsWith("watching ")));
        write(folder, "keep.txt", "v2 saved");
        write(folder, "new.txt", "created");
        fs.renameSync(path.join(folder, "old-name.txt"), path.join(folder, "new-name.txt"));
        fs.renameSync(path.join(folder, "dir"), path.join(folder, "moved"));
        await until("the edits on the share", () => JSON.stringify(tree(share)) === JSON.stringify(tree(folder)));
        fs.rmSync(path.join(folder, "new.txt"));
        await until("the delete on the share", () => !fs.existsSync(path.join(share, "new.txt")));
        assert.ok(!fs.existsSync(path.join(share, "dir")), "the old directory is gone from the share, not left empty");
        const before = remote.runs;
        const batchesBefore = lines.filter((l) => / sent \d+ file/.test(l)).length;
        for (let i = 0; i < 1000; i++) {
            write(folder, `burst/f${i}.txt`, `file ${i}`);
        }
        await until("the burst on the share", () => fs.existsSync(path.join(share, "burst")) && fs.readdirSync(path.join(share, "burst")).length === 1000).catch((e) => { console.log(lines.slice(-6), fs.existsSync(path.join(share, "burst")) && fs.readdirSync(path.join(share, "burst")).length); throw e; });
        const batches = lines.filter((l) => / sent \d+ file/.test(l)).length - batchesBefore;
        assert.ok(batches <= 3 && remote.runs - before <= 3, `1,000 files in ${batches} batch(es), ${remote.runs - before} exec(s): ${lines.slice(-5).join(" | ")}`);
        stop();
        assert.equal(await session, "stopped");
    });

    it("a file changed on the share since the last sync is reported as a conflict and kept; saving it again sends it", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, "a.txt", "mine v1");
        const sync = new Sync(localShare(share), { folder, delete: false, print });
        await sync.catchUp("initial copy");
        write(share, "a.txt", "edited in the editor", 1700000000);
        write(folder, "a.txt", "mine v2");
        await sync.sendChanges(new Set(["a.txt"]));
        assert.ok(lines.some((l) => /^conflict: a\.txt was changed on the share since the last sync; the share's version is kept and yours was not sent \(save it again to send it\)$/.test(l)), lines.join("\n"));
        assert.equal(fs.readFileSync(path.join(share, "a.txt"), "utf8"), "edited in the editor");
        write(folder, "a.txt", "mine v3", Math.floor(Date.now() / 1000) + 5);
        await sync.sendChanges(new Set(["a.txt"]));
        assert.equal(fs.readFileSync(path.join(share, "a.txt"), "utf8"), "mine v3");
    });

    it("a dropped connection (the editor pod restarted): says so, reconnects, and resumes with a diff that sends the missed change", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, "a.txt", "v1");
        let drops = 0;
        const remote = localShare(share, { dropNext: () => drops-- > 0 });
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const session = new Sync(remote, { folder, delete: false, print, retryMs: [50, 50, 50] }).run(stopped);
        await until("the first copy", () => lines.some((l) => l.startsWith("watching ")));
        drops = 1;
        write(folder, "a.txt", "v2 while the connection was down");
        await until("the change on the share", () => fs.readFileSync(path.join(share, "a.txt"), "utf8") === "v2 while the connection was down");
        await until("the resume's report", () => lines.includes("reconnected; the share has caught up"));
        assert.ok(lines.some((l) => /^connection to the share lost \(error: unable to upgrade connection: container not found \("shell"\), exit 137\); reconnecting$/.test(l)), lines.join("\n"));
        assert.ok(lines.some((l) => l === "reconnected; the share has caught up"), lines.join("\n"));
        assert.ok(lines.some((l) => /^resumed: 1 file\(s\) sent/.test(l)), lines.join("\n"));
        stop();
        assert.equal(await session, "stopped");
    });

    it("stops with a message when the stack goes to sleep (the editor is gone), while idle or mid-batch", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, "a.txt", "v1");
        let awake = true;
        const idle = new Sync(localShare(share, { present: () => awake }), { folder, delete: false, print, heartbeatMs: 50 }).run(new Promise(() => {}));
        await until("the first copy", () => lines.some((l) => l.startsWith("watching ")));
        awake = false;
        assert.equal(await idle, "asleep");
        let gone = false;
        lines.length = 0;
        const busy = new Sync(localShare(share, { present: () => !gone, dropNext: () => gone }), { folder, delete: false, print, retryMs: [20] }).run(new Promise(() => {}));
        await until("the first copy", () => lines.some((l) => l.startsWith("watching ")));
        gone = true;
        write(folder, "a.txt", "v2");
        assert.equal(await busy, "asleep");
    });

    it("a share that cannot unpack (its disk full) is reported with the share's own error, not the last answer it gave", async () => {
        const folder = dir("folder");
        const share = dir("share");
        const tools = dir("tools");
        write(folder, "a.txt", "a");
        fs.writeFileSync(path.join(tools, "tar"), "#!/bin/sh\ncat > /dev/null\necho 'tar: write error: No space left on device' >&2\nexit 1\n", { mode: 0o755 });
        const full: Remote = {
            describe: "a full share",
            run: (script, args, input, output) => spawnRun("env", [`PATH=${tools}:${process.env.PATH}`, "sh", "-c", script, "sh", ...args], input, share, output),
            present: async () => true,
        };
        await assert.rejects(new Sync(full, { folder, delete: false, print }).catchUp("initial copy"), /^Error: tar: write error: No space left on device, exit 1$/);
    });
    it("hears a script's output as it comes without breaking a UTF-8 character split across two reads", async () => {
        let heard = "";
        const result = await spawnRun("sh", ["-c", "printf '\\303'; sleep 0.2; printf '\\251.txt\\n'"], undefined, undefined, (text) => (heard += text));
        assert.equal(result.code, 0);
        assert.equal(heard, result.stdout);
        assert.equal(heard, "\u00e9.txt\n");
    });
    it("--to: works in a directory of the share, made if need be", async () => {
        const folder = dir("folder");
        const share = dir("share");
        write(folder, "server.js", "listen()");
        write(share, "other/x.txt", "another app's code");
        await new Sync(inDirectory(localShare(share), "hello"), { folder, delete: true, print }).catchUp("initial copy");
        assert.deepEqual(tree(share), { "hello/server.js": "listen()", "other/x.txt": "another app's code" });
    });
});
