// The share's side of a sync, through the Kubernetes API only: POSIX sh scripts run by `kubectl exec`
// in the editor container, whose working directory is the share's root, with the tools its image
// already has (BusyBox sh, find, stat, tar, mv; the process suite runs them there).
import { spawn } from "child_process";
import { Step } from "./plan";
import { RECORD, tarOf, TarFile } from "./tar";

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

/** Ends every script's output, so a cut connection is never read as an answer. */
export const DONE = "devkube-sync: done";
/** Ends the share's answer for one chunk of a batch. */
export const CHUNK_DONE = "devkube-sync: chunk done";

/**
 * The share's files, as `size mtime ./path` lines; the directories the folder ignores by name
 * (node_modules, .git) are not walked at all.
 */
export const MANIFEST_SCRIPT = `
prune=""
for name in "$@"; do prune="$prune -name $name -prune -o"; done
# shellcheck disable=SC2086
find . $prune -name '.devkube-sync.*' -prune -o -type f -exec stat -c '%s %Y %n' {} + || exit 1
echo "${DONE}"
`;

/**
 * A batch, in chunks that follow each other on standard input, each framed as a line "<list bytes>
 * <tar bytes>", its step list, then its tar; a line "end" ends the batch (kwok's exec never closes
 * standard input). Each step of a list is done only if the share's file is still as the laptop last saw
 * it; a file changed on the share since is a conflict, reported and set aside while the chunk's tar is
 * unpacked in place, then put back. A few processes per chunk whatever its size (BusyBox forks for every
 * command, and its tar has no -T or -X): two dd, one stat, one awk, one tar, one rm. dd with fullblock
 * reads exactly a frame's bytes (BusyBox head -c reads ahead), as `read` reads exactly one line; the tar
 * goes through in whole tar records, so unpacking keeps pace with the transfer.
 */
export const APPLY_SCRIPT = `
t=".devkube-sync.$$"
mkdir "$t" || exit 1
trap 'rm -rf "$t"' EXIT
while IFS=' ' read -r listed archived; do
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
dd bs=${RECORD} count=$((archived / ${RECORD})) iflag=fullblock 2>/dev/null | tar -x -f - || exit 1
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

/** The step list the apply script reads: one "op expect path" line each. */
export function stepLines(steps: readonly Step[]): string {
    return steps.map((s) => `${s.op} ${s.expect} ${s.path}`).join("\n");
}

/** One chunk of a batch as the apply script reads it: its frame line, its step list, its tar. */
export function chunkFrame(steps: readonly Step[], files: readonly TarFile[]): Buffer[] {
    const list = Buffer.from(`${stepLines(steps)}\n`);
    const tar = tarOf(files);
    return [Buffer.from(`${list.length} ${tar.length}\n`), list, tar];
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

/** Runs a command to its end with `input` on standard input; never throws (a missing command is code 127). */
export function spawnRun(command: string, args: readonly string[], input?: Input, cwd?: string, output?: (text: string) => void): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let closed = false;
        child.stdout.on("data", (chunk: Buffer) => {
            out.push(chunk);
            output?.(chunk.toString());
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
        // Parts as they are made, each only once the pipe has room: one chunk in memory at a time.
        void (async () => {
            try {
                for await (const part of input) {
                    if (closed) {
                        return;
                    }
                    if (!child.stdin.write(part)) {
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
