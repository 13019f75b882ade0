// The share's side of a sync, through the Kubernetes API only: POSIX sh scripts run by `kubectl exec`
// in the editor container, whose working directory is the share's root, with the tools its image
// already has (BusyBox sh, find, stat, dd, tar, gunzip, mv; the process suite runs them there).
import { spawn } from "child_process";
import { StringDecoder } from "string_decoder";
import { promisify } from "util";
import { deflateRawSync, gzip } from "zlib";
import { Step } from "./plan";
import { tarEnd, tarEntry, TarFile } from "./tar";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** What a script reads on standard input: all at once, or in parts as they are made (a first copy's chunks). */
export type Input = Buffer | AsyncIterable<Buffer>;

/** Where the scripts run: the editor (kubectl exec), or a local shell in a directory (tests, as kwok's ClusterExec does). */
export interface Remote {
    /** Runs `sh -c script` in the share's root with `input` on standard input; `output` sees its standard output as it comes. */
    run(script: string, args: readonly string[], input?: Input, output?: (text: string) => void): Promise<RunResult>;
    /** Whether the editor is there at all (not: the stack is asleep or gone). */
    present(): Promise<boolean>;
    /** Where it syncs to, for people. */
    readonly describe: string;
}

const gzipped = promisify(gzip);

/** Ends every script's output, so a cut connection is never read as an answer. */
export const DONE = "devkube-sync: done";
/** Ends the share's answer for one chunk of a batch. */
export const CHUNK_DONE = "devkube-sync: chunk done";
/** Ends the share's list of its files, before the chunks of a catch-up. */
export const MANIFEST_DONE = "devkube-sync: manifest done";

/**
 * The share's files, as `size mtime ./path` lines; the directories the folder ignores by name
 * (node_modules, .git) are not walked at all.
 */
const MANIFEST_PART = `
prune=""
for name in "$@"; do prune="$prune -name $name -prune -o"; done
# shellcheck disable=SC2086
find . $prune -name '.devkube-sync.*' -prune -o -type f -exec stat -c '%s %Y %n' {} + || exit 1
echo "${MANIFEST_DONE}"
`;

/**
 * The block dd copies a frame in: tar unpacks one block while dd reads the next (a frame read whole
 * before it is passed on would stop the stream while tar works).
 */
const DD_BLOCK = 64 * 1024;

/**
 * A batch, in chunks that follow each other on standard input: each is a line "<list bytes>" and its
 * step list, then its tar in frames, each a line "<bytes>" (or "<bytes> gz", gzipped) and that many
 * bytes, a line "0" last; a line "end" ends the batch (kwok's exec never closes standard input). Each
 * step of a list is done only if the share's file is still as the laptop last saw it; a file changed on
 * the share since is a conflict, reported and set aside while the chunk's tar is unpacked in place, then
 * put back. A few processes per chunk whatever its number of files (BusyBox forks for every command, and
 * its tar has no -T or -X), and per frame one or two dd (whole blocks, then the rest) and a gunzip if it
 * is gzipped: dd with fullblock reads exactly a frame's bytes (BusyBox head -c reads ahead), as `read`
 * reads exactly one line. The laptop sends a frame as soon as its files are read, so the tar is unpacked
 * while the rest of the chunk is still being read and sent.
 */
export const APPLY_SCRIPT = `
t=".devkube-sync.$$"
mkdir "$t" || exit 1
trap 'rm -rf "$t"' EXIT
frame() {
  whole=$((framed / ${DD_BLOCK})); rest=$((framed % ${DD_BLOCK}))
  [ "$whole" = 0 ] || dd bs=${DD_BLOCK} count="$whole" iflag=fullblock 2>/dev/null || return 1
  [ "$rest" = 0 ] || dd bs="$rest" count=1 iflag=fullblock 2>/dev/null
}
while IFS=' ' read -r listed; do
[ "$listed" = end ] && break
dd bs="$listed" count=1 iflag=fullblock 2>/dev/null > "$t/.steps" || exit 1
cut -d' ' -f3- "$t/.steps" | tr '\\n' '\\000' | xargs -0 stat -c '%s:%Y %n' -- 2>/dev/null > "$t/.now"
: > "$t/.puts"
: > "$t/.dels"
: > "$t/.kept"
awk -v dir="$t" '
  FILENAME == ARGV[1] { i = index($0, " "); now[substr($0, i + 1)] = substr($0, 1, i - 1); next }
  $0 != "" {
    file = substr($0, length($1) + length($2) + 3)
    state = (file in now) ? now[file] : "absent"
    if ($2 != "any" && state != $2) {
      print "conflict " state " " file
      if ($1 == "put") print state " " file > (dir "/.kept")
      next
    }
    if ($1 == "put") print file > (dir "/.puts"); else print file > (dir "/.dels")
  }' "$t/.now" "$t/.steps" || exit 1
n=0
while IFS=' ' read -r state file; do
  n=$((n + 1))
  [ "$state" = absent ] || cp -p -- "$file" "$t/kept.$n" || exit 1
done < "$t/.kept"
while read -r framed packed && [ "$framed" != 0 ]; do
  if [ "$packed" = gz ]; then frame | gunzip -c || exit 1; else frame || exit 1; fi
done | tar -x -o -f - || exit 1
n=0
while IFS=' ' read -r state file; do
  n=$((n + 1))
  if [ "$state" = absent ]; then rm -f -- "$file"; else mv -f -- "$t/kept.$n" "$file" || exit 1; fi
done < "$t/.kept"
if [ -s "$t/.puts" ]; then
  tr '\\n' '\\000' < "$t/.puts" | xargs -0 stat -c 'ok %s:%Y %n' -- || exit 1
fi
if [ -s "$t/.dels" ]; then
  tr '\\n' '\\000' < "$t/.dels" | xargs -0 rm -f -- || exit 1
  sed 's/^/gone /' "$t/.dels"
  # The directories a delete emptied go too (a renamed directory leaves none behind).
  tr '\\n' '\\000' < "$t/.dels" | xargs -0 -n 1 dirname | grep -vx '[.]' | sort -u | tr '\\n' '\\000' | xargs -0 rmdir -p -- 2>/dev/null
fi
echo "${CHUNK_DONE}"
done
echo "${DONE}"
`;

/**
 * A first copy or a resume in one exec (one connection's set-up, as rsync has): the share lists its
 * files, and the laptop, having planned from that list, sends its chunks on the same standard input.
 */
export const CATCH_UP_SCRIPT = MANIFEST_PART + APPLY_SCRIPT;

/** The step list the apply script reads: one "op expect path" line each. */
export function stepLines(steps: readonly Step[]): string {
    return steps.map((s) => `${s.op} ${s.expect} ${s.path}`).join("\n");
}

/** At most this many bytes of tar in one frame (a whole number of dd blocks): one dd per frame. */
export const TAR_FRAME_BYTES = 64 * DD_BLOCK;

/** A frame smaller than this goes as it is (a save's few bytes are not worth a gzip). */
const PACK_MIN_BYTES = 16 * 1024;
/** How much of a frame is tried first: the whole is gzipped only if this shrinks to PACK_RATIO or less. */
const PACK_SAMPLE_BYTES = 16 * 1024;
const PACK_RATIO = 0.85;

/**
 * Whether a frame is worth gzipping, from a sample of its largest part: text and code shrink to a third
 * or less, so fewer bytes cross the network and the API server; media, archives and random bytes do not
 * shrink, and are not tried whole.
 */
export function worthPacking(parts: readonly Buffer[]): boolean {
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    if (size < PACK_MIN_BYTES) {
        return false;
    }
    const largest = parts.reduce((a, b) => (b.length > a.length ? b : a));
    const start = Math.max(0, Math.floor(largest.length / 2 - PACK_SAMPLE_BYTES / 2));
    const sample = largest.subarray(start, start + PACK_SAMPLE_BYTES);
    return deflateRawSync(sample, { level: 1 }).length <= sample.length * PACK_RATIO;
}

/** Below this many bytes a second on the wire, a compressible frame is gzipped (about 200 Mbit/s). */
export const PACK_BELOW_BYTES_PER_SECOND = 25e6;

/**
 * How fast the command takes its input, from when the parts made ahead filled up: then a part is made
 * only as the command reads one. Over a fast link (a local cluster) gzip would cost more CPU than it
 * saves; over a slow one (a cloud cluster from home) the bytes are the cost.
 */
export class InputRate {
    private bytes = 0;
    private since?: { at: number; bytes: number };

    constructor(private readonly now: () => number = Date.now) {}

    /** Bytes handed to the command. */
    sent(bytes: number): void {
        this.bytes += bytes;
        if (this.since === undefined && this.bytes >= INPUT_AHEAD_BYTES) {
            this.since = { at: this.now(), bytes: this.bytes };
        }
    }

    /** Bytes a second since the read-ahead filled; undefined until another read-ahead's worth has gone. */
    perSecond(): number | undefined {
        if (this.since === undefined || this.bytes - this.since.bytes < INPUT_AHEAD_BYTES) {
            return undefined;
        }
        return ((this.bytes - this.since.bytes) * 1000) / Math.max(1, this.now() - this.since.at);
    }

    /** Whether compressible frames are to be gzipped: the link is known to be slow. */
    slow(): boolean {
        const rate = this.perSecond();
        return rate !== undefined && rate < PACK_BELOW_BYTES_PER_SECOND;
    }
}

/** A frame as the apply script reads it, its line first: gzipped (on libuv's threads) when that pays. */
async function framed(parts: Buffer[], pack: boolean): Promise<Buffer[]> {
    if (pack && worthPacking(parts)) {
        const whole = Buffer.concat(parts);
        const packed = await gzipped(whole, { level: 1 });
        if (packed.length < whole.length) {
            return [Buffer.from(`${packed.length} gz\n`), packed];
        }
    }
    return [Buffer.from(`${parts.reduce((sum, part) => sum + part.length, 0)}\n`), ...parts];
}

/**
 * One chunk of a batch as the apply script reads it: its step list, then its tar in frames, each sent
 * once its bytes are read (the files one at a time), gzipped where it shrinks while `pack()` says so.
 * `sent` hears the chunk's bytes of files before the line that ends it, so they are known before the
 * share's answer can come.
 */
export async function* chunkFrames(
    steps: readonly Step[],
    files: Iterable<TarFile>,
    sent: (bytes: number) => void,
    pack: () => boolean = () => false,
): AsyncGenerator<Buffer> {
    const list = Buffer.from(`${stepLines(steps)}\n`);
    yield Buffer.concat([Buffer.from(`${list.length}\n`), list]);
    const pending: Buffer[] = [];
    let size = 0;
    let archived = 0;
    let data = 0;
    /** The next frame's parts, taken from the front of `pending` (a part cut where the frame ends). */
    const take = (length: number): Buffer[] => {
        const frame: Buffer[] = [];
        let need = length;
        size -= length;
        while (need > 0) {
            const part = pending[0];
            if (part.length <= need) {
                frame.push(part);
                pending.shift();
                need -= part.length;
            } else {
                frame.push(part.subarray(0, need));
                pending[0] = part.subarray(need);
                need = 0;
            }
        }
        return frame;
    };
    const add = (part: Buffer) => {
        pending.push(part);
        size += part.length;
    };
    for (const file of files) {
        for (const part of tarEntry(file)) {
            add(part);
            archived += part.length;
        }
        data += file.data.length;
        while (size >= TAR_FRAME_BYTES) {
            yield* await framed(take(TAR_FRAME_BYTES), pack());
        }
    }
    add(tarEnd(archived));
    while (size > 0) {
        yield* await framed(take(Math.min(size, TAR_FRAME_BYTES)), pack());
    }
    sent(data);
    yield Buffer.from("0\n");
}

/** The line that ends a batch. */
export const BATCH_END = Buffer.from("end\n");

export interface KubectlTarget {
    readonly namespace: string;
    readonly deployment: string;
    readonly container: string;
    /** kubectl's --context and --kubeconfig, when the stack names them. */
    readonly context?: string;
    readonly kubeconfig?: string;
}

/** The editor through `kubectl exec` (and `kubectl get` to see whether it is there). */
export function kubectlRemote(target: KubectlTarget, kubectl = "kubectl"): Remote {
    const base = [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : []), "-n", target.namespace];
    return {
        describe: `deploy/${target.deployment} in namespace ${target.namespace}${target.context ? ` (context ${target.context})` : ""}`,
        run: (script, args, input, output) =>
            spawnRun(kubectl, [...base, "exec", "-i", `deploy/${target.deployment}`, "-c", target.container, "--", "sh", "-c", script, "sh", ...args], input, undefined, output),
        present: async () => (await spawnRun(kubectl, [...base, "get", "deployment", target.deployment, "-o", "name"])).code === 0,
    };
}

/** How far the parts of a streamed input may run ahead of the command reading them. */
export const INPUT_AHEAD_BYTES = 8 * 1024 * 1024;

/** Runs a command to its end with `input` on standard input; never throws (a missing command is code 127). */
export function spawnRun(command: string, args: readonly string[], input?: Input, cwd?: string, output?: (text: string) => void): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let closed = false;
        // A read can end inside a UTF-8 character (a path's é): the decoder keeps its first bytes for the next.
        const decoder = new StringDecoder("utf8");
        child.stdout.on("data", (chunk: Buffer) => {
            out.push(chunk);
            output?.(decoder.write(chunk));
        });
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", (error) => resolve({ code: 127, stdout: "", stderr: error.message }));
        child.on("close", (code) => {
            closed = true;
            resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
        });
        child.stdin.on("error", () => {
            // The far end closed early (a dropped connection): the exit code says so.
            closed = true;
        });
        if (input === undefined || Buffer.isBuffer(input)) {
            child.stdin.end(input ?? Buffer.alloc(0));
            return;
        }
        // Parts as they are made, up to INPUT_AHEAD_BYTES ahead of what the command has read: the next
        // part is made while the pipe still has bytes to give, and never more than that in memory.
        void (async () => {
            try {
                for await (const part of input) {
                    if (closed) {
                        return;
                    }
                    if (!child.stdin.write(part) && child.stdin.writableLength >= INPUT_AHEAD_BYTES) {
                        await new Promise<void>((drained) => {
                            const done = () => {
                                child.stdin.off("drain", done);
                                child.off("close", done);
                                drained();
                            };
                            child.stdin.on("drain", done);
                            child.on("close", done);
                        });
                    }
                }
                child.stdin.end();
            } catch (error) {
                // A part could not be made (a file read failed): the script stops short and says so.
                err.push(Buffer.from(`devkube-sync: ${error instanceof Error ? error.message : String(error)}\n`));
                child.stdin.destroy();
            }
        })();
    });
}
