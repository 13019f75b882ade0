// Runs one container the way a node runs it, with this machine's Debian packages for the image's
// software: its own pid, mount, network, UTS and IPC namespaces; a root that is a copy-on-write view of
// this machine (an overlay on /, thrown away after), with tmpfs /run, /tmp and /dev; each volume bound at
// its mountPath (subPath, readOnly); ConfigMap and Secret volumes as files; the kubelet's environment
// and command line; the runtime's capabilities, no_new_privs and the image's user. Nothing is left
// behind: killing the container's PID 1 ends its pid namespace, and the mount namespace goes with it.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Container, ImageDefaults, NamespaceData, commandLine, containerEnv, effectiveCapabilities, noNewPrivileges, processUser } from "./kubelet";

/** How one image is stood in for here. */
export interface ImageProfile extends ImageDefaults {
    /** What runs here instead, with its version, for the README table. */
    readonly software: string;
    /** Shell lines run in the new root ($R) before the container starts (e.g. busybox as /bin/sh). */
    readonly prepare?: string[];
    /** Host directories or files bound read-only into the root: container path -> host path. */
    readonly binds?: Record<string, string>;
}

export interface PodOptions {
    /** The pod's name: its hostname. */
    readonly name: string;
    readonly container: Container;
    readonly profile: ImageProfile;
    /** The pod spec's volumes. */
    readonly volumes: Array<Record<string, any>>;
    /** Host directories that stand for the pod's claims and emptyDirs, by volume name. */
    readonly volumeDirs: Record<string, string>;
    readonly data: NamespaceData;
    readonly podSecurity?: Record<string, any>;
    /** Extra /etc/hosts names, e.g. a Service's DNS name -> 127.0.0.1. */
    readonly hosts?: Record<string, string>;
    /** A program that wraps the container's command (e.g. a seccomp filter): its path in the container, bound from the host. */
    readonly wrapper?: { readonly path: string; readonly host: string };
}

export interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

const started = new Set<number>();

/** Process ids of every container PID 1 started and not yet seen to exit: the suite's leak check. */
export function livePids(): number[] {
    return [...started].filter((pid) => fs.existsSync(`/proc/${pid}`));
}

export function quote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A running container. */
export class RunningContainer {
    private output?: string;
    private exitCode?: number;
    /** Resolves with the container's exit status. */
    readonly exited: Promise<number>;

    private constructor(
        child: ChildProcess,
        readonly pid: number,
        private readonly dir: string,
        readonly env: Record<string, string>,
        private readonly launcher: string[],
    ) {
        this.exited = new Promise((resolve) => {
            child.on("close", (code, signal) => {
                this.exitCode = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1);
                started.delete(pid);
                this.output = this.logs();
                this.message = this.terminationMessage();
                fs.rmSync(dir, { recursive: true, force: true });
                resolve(this.exitCode);
            });
        });
    }

    /** Everything the container printed so far, as `kubectl logs` shows it. */
    logs(): string {
        return this.output ?? fs.readFileSync(path.join(this.dir, "log"), "utf8");
    }
    private message?: string;

    get running(): boolean {
        return this.exitCode === undefined;
    }

    /** What the container wrote to /dev/termination-log (the kubelet's terminationMessagePath). */
    terminationMessage(): string {
        if (this.message !== undefined) {
            return this.message;
        }
        const file = path.join(this.dir, "termination-log");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    /** `kubectl exec`: a command inside the container, with its root, cwd, env, user and capabilities. */
    exec(command: string[], timeoutMs = 15000, input?: string | Buffer): Result {
        const [program, ...args] = this.execArgv(command);
        return run(program, args, timeoutMs, input);
    }

    /** The command line of `exec`, for a caller that streams its input and output. */
    execArgv(command: string[]): string[] {
        return ["nsenter", "-t", String(this.pid), "-m", "-n", "-p", "-u", "-i", "-r", "-w", "--", ...this.launcher, ...command];
    }

    /** A client beside the container: in its network namespace and root (its /etc/hosts), as root, with a plain env. */
    client(command: string[], timeoutMs = 15000, input?: string): Result {
        return run("nsenter", ["-t", String(this.pid), "-m", "-n", "-r", "--", "/usr/bin/env", "-i", "-C", "/", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", ...command], timeoutMs, input);
    }

    /** Runs a probe from the spec (exec, httpGet, tcpSocket) the way the kubelet does; true when it passes. */
    probe(probe: Record<string, any>): { ok: boolean; detail: string } {
        const timeout = (probe.timeoutSeconds ?? 1) * 1000 + 2000;
        if (probe.exec) {
            const r = this.exec(probe.exec.command, timeout);
            return { ok: r.code === 0, detail: `exit ${r.code} ${r.stdout}${r.stderr}`.trim() };
        }
        if (probe.httpGet) {
            const url = `http://127.0.0.1:${probe.httpGet.port}${probe.httpGet.path ?? "/"}`;
            const r = this.client(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(probe.timeoutSeconds ?? 1), url], timeout);
            const status = Number(r.stdout);
            return { ok: status >= 200 && status < 400, detail: `GET ${url}: ${r.stdout || r.stderr}` };
        }
        if (probe.tcpSocket) {
            const r = this.client(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${probe.tcpSocket.port}`], timeout);
            return { ok: r.code === 0, detail: `TCP ${probe.tcpSocket.port}: ${r.stderr.trim() || "open"}` };
        }
        throw new Error(`a probe the process tests do not model: ${JSON.stringify(probe)}`);
    }

    /** Waits until a probe passes; returns the seconds it took. */
    async waitFor(probe: Record<string, any>, timeoutSeconds = 60): Promise<number> {
        const start = Date.now();
        let last = "";
        while (Date.now() - start < timeoutSeconds * 1000) {
            if (!this.running) {
                throw new Error(`the container exited (${this.exitCode}) before its probe passed; last probe: ${last}\n${this.logs()}`);
            }
            const r = this.probe(probe);
            if (r.ok) {
                return (Date.now() - start) / 1000;
            }
            last = r.detail;
            await sleep(250);
        }
        throw new Error(`probe did not pass within ${timeoutSeconds} s; last: ${last}\n${this.logs()}`);
    }

    /** As the kubelet stops a container: SIGTERM to PID 1, SIGKILL after the grace period. Returns the exit status. */
    async stop(graceSeconds = 10): Promise<number> {
        if (this.running) {
            signal(this.pid, "SIGTERM");
            const timer = setTimeout(() => signal(this.pid, "SIGKILL"), graceSeconds * 1000);
            await this.exited;
            clearTimeout(timer);
        }
        return this.exitCode!;
    }

    static async start(options: PodOptions): Promise<RunningContainer> {
        const { container, profile } = options;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `devkube-pod-${options.name}-`));
        const specEnv = containerEnv(container, { ...profile, env: {} }, options.data);
        const env = { ...profile.env, ...specEnv };
        const argv = commandLine(container, profile, specEnv);
        const user = processUser(container, options.podSecurity, profile);
        const caps = effectiveCapabilities(container);
        const launcher = [
            "/usr/bin/env",
            "-i",
            ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
            "/usr/bin/setpriv",
            ...(user.uid === 0 ? [] : [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups"]),
            "--inh-caps=-all",
            `--bounding-set=-all${caps.map((c) => `,+${c.toLowerCase()}`).join("")}`,
            ...(noNewPrivileges(container) ? ["--no-new-privs"] : []),
        ];
        const workingDir = container.workingDir ?? profile.workingDir;
        const script = setupScript(dir, options, workingDir);
        const full = [...launcher, "/usr/bin/env", "-C", workingDir, "--", ...(options.wrapper ? [options.wrapper.path] : []), ...argv];
        fs.writeFileSync(path.join(dir, "setup.sh"), `${script}\nexec chroot "$R" ${full.map(quote).join(" ")}\n`);
        // A file, not a pipe to this process: `-L /dev/stdout` opens it, as a runtime's log FIFO is opened.
        const log = fs.openSync(path.join(dir, "log"), "a");
        const child = spawn("unshare", ["--pid", "--fork", "--mount", "--net", "--uts", "--ipc", "--propagation", "private", "sh", path.join(dir, "setup.sh")], {
            stdio: ["ignore", log, log],
        });
        fs.closeSync(log);
        const pid = await childOf(child.pid!);
        started.add(pid);
        const running = new RunningContainer(child, pid, dir, env, launcher.concat(["/usr/bin/env", "-C", workingDir, "--"]));
        return running;
    }

    /** Runs a container to completion, as an initContainer runs: returns its status and output. */
    static async runToCompletion(options: PodOptions, timeoutSeconds = 60): Promise<{ code: number; logs: string }> {
        const c = await RunningContainer.start(options);
        const timer = setTimeout(() => signal(c.pid, "SIGKILL"), timeoutSeconds * 1000);
        const code = await c.exited;
        clearTimeout(timer);
        return { code, logs: c.logs() };
    }
}

function setupScript(dir: string, options: PodOptions, workingDir: string): string {
    const lines = [
        "set -eu",
        `P=${quote(dir)}`,
        'R="$P/root"',
        'mkdir -p "$P/layer" "$R"',
        'mount -t tmpfs -o mode=755 tmpfs "$P/layer"',
        'mkdir "$P/layer/upper" "$P/layer/work"',
        'mount -t overlay overlay -o "lowerdir=/,upperdir=$P/layer/upper,workdir=$P/layer/work" "$R"',
        'mount -t proc proc "$R/proc"',
        'mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"',
        'for d in null zero full random urandom tty; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done',
        'mkdir "$R/dev/shm" "$R/dev/pts"; mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"',
        'ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
        // The kubelet bind-mounts a file of its own at terminationMessagePath: here a file the test reads.
        ': > "$P/termination-log"; touch "$R/dev/termination-log"; mount --bind "$P/termination-log" "$R/dev/termination-log"',
        'mount -t tmpfs -o mode=755 tmpfs "$R/run"',
        'mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"',
        `hostname ${quote(options.name)}`,
        `printf '%s\\n' ${["127.0.0.1 localhost", "::1 localhost", `127.0.1.1 ${options.name}`, ...Object.entries(options.hosts ?? {}).map(([h, ip]) => `${ip} ${h}`)].map(quote).join(" ")} > "$R/etc/hosts"`,
        ...(options.profile.prepare ?? []),
    ];
    const binds = { ...options.profile.binds, ...(options.wrapper ? { [options.wrapper.path]: options.wrapper.host } : {}) };
    for (const [target, source] of Object.entries(binds)) {
        const file = !fs.statSync(source).isDirectory();
        lines.push(
            file ? `mkdir -p "$(dirname "$R"${quote(target)})"; touch "$R"${quote(target)}` : `mkdir -p "$R"${quote(target)}`,
            `mount --bind ${quote(source)} "$R"${quote(target)}`,
            `mount -o remount,bind,ro "$R"${quote(target)}`,
        );
    }
    const byName = new Map(options.volumes.map((v) => [v.name, v]));
    let files = 0;
    for (const mount of options.container.volumeMounts ?? []) {
        const volume = byName.get(mount.name);
        if (!volume) {
            throw new Error(`container ${options.container.name} mounts ${mount.name}, which the pod does not define`);
        }
        let source: string;
        if (volume.configMap || volume.secret) {
            // As the kubelet projects them: one file per key.
            const data = volume.configMap ? options.data.configMaps[volume.configMap.name] : options.data.secrets[volume.secret.secretName];
            if (!data) {
                throw new Error(`volume ${mount.name}: its ${volume.configMap ? "ConfigMap" : "Secret"} was not registered by the program`);
            }
            source = path.join(dir, `files-${files++}`);
            fs.mkdirSync(source);
            for (const [key, value] of Object.entries(data)) {
                fs.writeFileSync(path.join(source, key), value);
            }
        } else if (options.volumeDirs[mount.name]) {
            source = options.volumeDirs[mount.name];
        } else {
            throw new Error(`volume ${mount.name} of container ${options.container.name} has no directory standing for it`);
        }
        if (mount.subPath) {
            // The kubelet creates a missing subPath directory; a key of a ConfigMap is a file.
            source = path.join(source, mount.subPath);
            if (!fs.existsSync(source)) {
                fs.mkdirSync(source, { recursive: true });
            }
        }
        const target = `"$R"${quote(mount.mountPath)}`;
        // A file is bound over a file (as /etc/passwd), a directory over a directory.
        const place = fs.statSync(source).isFile() ? `mkdir -p "$(dirname ${target})" && { [ -e ${target} ] || touch ${target}; }` : `mkdir -p ${target}`;
        lines.push(place, `mount --bind ${quote(source)} ${target}`);
        if (mount.readOnly) {
            lines.push(`mount -o remount,bind,ro ${target}`);
        }
    }
    lines.push(`mkdir -p "$R"${quote(workingDir)}`, "ip link set lo up");
    return lines.join("\n");
}

function signal(pid: number, name: NodeJS.Signals): void {
    try {
        process.kill(pid, name);
    } catch {
        // Already gone.
    }
}

/** The pid of unshare's one child: the container's PID 1 (every later exec keeps it). */
async function childOf(parent: number): Promise<number> {
    for (let i = 0; i < 200; i++) {
        const r = spawnSync("pgrep", ["-P", String(parent)], { encoding: "utf8" });
        const pid = Number(r.stdout.trim().split("\n")[0]);
        if (pid > 0) {
            return pid;
        }
        await sleep(10);
    }
    throw new Error("the container's namespace did not start");
}

export function run(command: string, args: string[], timeoutMs = 15000, input?: string | Buffer): Result {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs, input, killSignal: "SIGKILL" });
    return { code: r.status ?? (r.error ? 127 : 128), stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? ` (${r.error.message})` : ""}` };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
