// The share's side of a sync, through the Kubernetes API only: POSIX sh scripts run by `kubectl exec`
// in the editor container, whose working directory is the share's root, with the tools its image
// already has (BusyBox sh, find, stat, tar, mv; the process suite runs them there).
import { spawn } from "child_process";
import { Step } from "./plan";
import { tarOf, TarFile } from "./tar";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Where the scripts run: the editor (kubectl exec), or a local shell in a directory (tests, as kwok's ClusterExec does). */
export interface Remote {
    /** Runs `sh -c script` in the share's root with `input` on standard input. */
    run(script: string, args: readonly string[], input?: Buffer): Promise<RunResult>;
    /** Whether the editor is there at all (not: the stack is asleep or gone). */
    present(): Promise<boolean>;
    /** Where it syncs to, for people. */
    readonly describe: string;
}

/** Ends every script's output, so a cut connection is never read as an answer. */
export const DONE = "devkube-sync: done";

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
 * A batch. Each step of the list (the first argument) is done only if the share's file is still as the
 * laptop last saw it; a file changed on the share since is a conflict, reported and set aside while the
 * tar on standard input is unpacked in place, then put back. A few processes per batch whatever its size
 * (BusyBox forks for every command, and its tar has no -T or -X): one stat, one awk, one tar, one rm.
 */
export const APPLY_SCRIPT = `
t=".devkube-sync.$$"
mkdir "$t" || exit 1
trap 'rm -rf "$t"' EXIT
printf '%s\\n' "$1" > "$t/.steps"
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
tar -x -f - || exit 1
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
echo "${DONE}"
`;

/** The step list the apply script reads: one "op expect path" line each. */
export function stepLines(steps: readonly Step[]): string {
    return steps.map((s) => `${s.op} ${s.expect} ${s.path}`).join("\n");
}

export async function applyBatch(remote: Remote, steps: readonly Step[], files: readonly TarFile[]): Promise<RunResult> {
    return remote.run(APPLY_SCRIPT, [stepLines(steps)], tarOf(files));
}

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
        run: (script, args, input) => spawnRun(kubectl, [...base, "exec", "-i", `deploy/${target.deployment}`, "-c", target.container, "--", "sh", "-c", script, "sh", ...args], input),
        present: async () => (await spawnRun(kubectl, [...base, "get", "deployment", target.deployment, "-o", "name"])).code === 0,
    };
}

/** Runs a command to its end with `input` on standard input; never throws (a missing command is code 127). */
export function spawnRun(command: string, args: readonly string[], input?: Buffer, cwd?: string): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", (error) => resolve({ code: 127, stdout: "", stderr: error.message }));
        child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
        child.stdin.on("error", () => {
            // The far end closed early (a dropped connection): the exit code says so.
        });
        child.stdin.end(input ?? Buffer.alloc(0));
    });
}
