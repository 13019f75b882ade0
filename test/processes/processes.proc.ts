// npm run test:processes: every container devkube defines, as the program registers it, run for real
// with the same software in a pod-shaped namespace (pod.ts), and checked with real clients.
import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NFS_CONFIG_DIR, NFS_RECOVERY_ROOT, SHARE_UID } from "../../components/nfs-server";
import { DefinedContainer, Role, definedContainers } from "./containers";
import { clientKey } from "./ssh-key";
import { SSH_PORT } from "../../components/ssh";
import { CODE_SERVER_MODULES, StandIn, standIns } from "./images";
import { PodOptions, RunningContainer, livePids, quote, run, sleep } from "./pod";
import { nfs41 } from "./share-server";
import { Remote, spawnRun } from "../../scripts/sync/share";
import { Sync } from "../../scripts/sync/session";
import { inDirectory } from "../../scripts/sync";

const HERE = __dirname;
const TOOLS = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-process-tools-"));
const DENY = { path: "/usr/local/bin/deny-name-to-handle-at", host: path.join(TOOLS, "deny-name-to-handle-at") };
const scratch: string[] = [];
/** What ran, by role, for the closing coverage check and the README table. */
const ran = new Map<Role, Set<string>>();

let containers: DefinedContainer[] = [];
let profiles: Record<string, StandIn> = {};

function dirFor(label: string, owner?: { uid: number; gid: number }): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `devkube-${label}-`));
    scratch.push(d);
    // As a fresh ext4 volume's root (mkdtemp makes it 0700).
    fs.chmodSync(d, 0o755);
    if (owner) {
        fs.chownSync(d, owner.uid, owner.gid);
    }
    return d;
}

/** The one container of a role (the same in every run that has it: asserted), with its pod. */
function only(role: Role): DefinedContainer {
    const found = containers.filter((c) => c.role === role);
    assert.ok(found.length > 0, `no run registers a ${role} container`);
    const distinct = new Set(found.map((c) => JSON.stringify(c.container)));
    assert.equal(distinct.size, 1, `${role} differs between runs (${found.map((c) => c.run).join(", ")}): each variant needs its own process test`);
    return found[0];
}

function markRan(c: DefinedContainer): void {
    const key = JSON.stringify(c.container);
    ran.set(c.role, (ran.get(c.role) ?? new Set()).add(key));
}

function podOptions(c: DefinedContainer, volumeDirs: Record<string, string>, extra: Partial<PodOptions> = {}): PodOptions {
    const profile = profiles[c.container.image];
    assert.ok(profile, `no stand-in for image ${c.container.image} (test/processes/images.ts)`);
    return {
        name: c.workload.split("/")[1],
        container: c.container,
        profile,
        volumes: c.pod.volumes ?? [],
        volumeDirs,
        data: c.data,
        podSecurity: c.pod.securityContext,
        ...extra,
    };
}

async function start(c: DefinedContainer, volumeDirs: Record<string, string>, extra: Partial<PodOptions> = {}): Promise<RunningContainer> {
    markRan(c);
    return RunningContainer.start(podOptions(c, volumeDirs, extra));
}

function ownerOf(file: string): string {
    const s = fs.statSync(file);
    return `${s.uid}:${s.gid}`;
}

async function eventually<T>(what: string, seconds: number, attempt: () => T | Promise<T>): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            return await attempt();
        } catch (e) {
            last = e;
            await sleep(200);
        }
    }
    throw new Error(`${what} did not happen within ${seconds} s: ${last instanceof Error ? last.message : String(last)}`);
}

describe("devkube's containers, run for real", function () {
    before(async function () {
        if (process.getuid?.() !== 0) {
            throw new Error("the process tests need root (namespaces, mounts, other users)");
        }
        const cc = run("cc", ["-O2", "-o", DENY.host, path.join(HERE, "deny-syscall.c")]);
        assert.equal(cc.code, 0, `cannot build the seccomp helper: ${cc.stderr}`);
        profiles = standIns();
        containers = await definedContainers();
    });

    after(function () {
        for (const d of scratch) {
            fs.rmSync(d, { recursive: true, force: true });
        }
        fs.rmSync(TOOLS, { recursive: true, force: true });
    });

    describe("NFS server (NFS-Ganesha) and its initContainer", function () {
        let disk: string;
        let recovery: string;
        let server: RunningContainer;
        let handle: string;
        const volumes = () => ({ export: disk, recovery });

        before(function () {
            disk = dirFor("disk");
            recovery = dirFor("recovery");
        });
        after(async function () {
            await server?.stop(5);
        });

        it("own-export gives the export root to the squashed user, with only CHOWN", async function () {
            const init = only("own-export");
            markRan(init);
            const r = await RunningContainer.runToCompletion(podOptions(init, volumes()));
            assert.equal(r.code, 0, r.logs);
            assert.equal(ownerOf(disk), `${SHARE_UID}:${SHARE_UID}`);
        });

        it("starts as registered, and turns Ready only once the export is served", async function () {
            server = await start(only("nfs-server"), volumes());
            const seconds = await server.waitFor(only("nfs-server").container.readinessProbe, 60);
            await eventually("the server's own ready line", 5, () => assert.match(server.logs(), /devkube: NFS server ready: \/export is served/));
            assert.doesNotMatch(server.logs(), /FATAL/);
            console.log(`      ready after ${seconds.toFixed(1)} s`);
        });

        it("NFSv4.0 (libnfs): writes as root, 1000 and 4242 land as 1000:1000, and read back", function () {
            for (const uid of [0, 1000, 4242]) {
                const url = `nfs://127.0.0.1//v40-${uid}.txt?version=4&uid=${uid}&gid=${uid}`;
                const w = server.client(["sh", "-c", 'printf "%s" "$1" > /tmp/src && nfs-cp /tmp/src "$2"', "-", `written as ${uid}\n`, url]);
                assert.equal(w.code, 0, w.stdout + w.stderr);
                assert.equal(ownerOf(path.join(disk, `v40-${uid}.txt`)), "1000:1000");
                const r = server.client(["nfs-cat", url]);
                assert.equal(r.stdout, `written as ${uid}\n`);
            }
            const ls = server.client(["nfs-ls", "nfs://127.0.0.1//?version=4"]);
            assert.match(ls.stdout, /v40-4242\.txt/);
        });

        it("NFSv4.1 (a session client, as nfsvers=4.1 mounts): write, read, list, rename, delete; owner 1000", function () {
            for (const uid of [0, 1000, 4242]) {
                const file = `/v41-${uid}.txt`;
                const [fh, data, attrs] = nfs41(server.pid, uid, [
                    { op: "write", path: file, data: `session write as ${uid}` },
                    { op: "read", path: file },
                    { op: "stat", path: file },
                ]);
                handle = uid === 1000 ? fh : handle;
                assert.equal(data, `session write as ${uid}`);
                assert.equal(attrs.owner, "1000");
                assert.equal(attrs.group, "1000");
                assert.equal(ownerOf(path.join(disk, file)), "1000:1000");
            }
            const [, , , , names] = nfs41(server.pid, 0, [
                { op: "write", path: "/to-rename.txt", data: "x" },
                { op: "rename", from: "/to-rename.txt", to: "/renamed.txt" },
                { op: "write", path: "/to-delete.txt", data: "y" },
                { op: "remove", path: "/to-delete.txt" },
                { op: "list", path: "/" },
            ]);
            assert.ok(names.includes("renamed.txt") && !names.includes("to-rename.txt") && !names.includes("to-delete.txt"), names.join(" "));
            assert.ok(fs.existsSync(path.join(disk, "renamed.txt")) && !fs.existsSync(path.join(disk, "to-delete.txt")));
        });

        it("keeps its NFSv4 recovery state out of the share", function () {
            const shared = fs.readdirSync(disk);
            assert.deepEqual(shared.filter((n) => /^v4(recov|old)$/.test(n)), [], `the share holds ${shared.join(", ")}`);
            assert.ok(fs.readdirSync(recovery).length > 0, `nothing under the recovery emptyDir (${NFS_RECOVERY_ROOT})`);
        });

        it("after a container restart: old handles still valid, writes refused during grace and accepted within its bound", async function () {
            // A client that holds state and then vanishes stays on record, as a node's kernel client does.
            nfs41(server.pid, 1000, [{ op: "write", path: "/held.txt", data: "held" }], { abandon: true });
            assert.equal(await server.stop(10), 0, `a clean stop on SIGTERM\n${server.logs()}`);
            server = await start(only("nfs-server"), volumes());
            await server.waitFor(only("nfs-server").container.readinessProbe, 60);
            const grace = Number(/Grace_Period = (\d+)/.exec(only("nfs-server").data.configMaps[configMapOf(only("nfs-server"))]["ganesha.conf"])![1]);
            const [attrs, accepted] = nfs41(
                server.pid,
                0,
                [
                    { op: "statHandle", handle },
                    { op: "writeAfterGrace", path: "/after-grace.txt", data: "after grace", timeoutSeconds: grace + 20 },
                ],
                { timeoutMs: (grace + 30) * 1000 },
            );
            assert.equal(attrs.owner, "1000", "a file handle from before the restart is still valid");
            console.log(`      writes refused ${accepted.refused} times (NFS4ERR_GRACE), accepted after ${accepted.seconds.toFixed(1)} s of trying (Grace_Period ${grace} s)`);
            assert.ok(accepted.refused > 0, "writes during the grace period are refused");
            assert.ok(accepted.seconds <= grace + 2, `accepted within the grace period's bound (${accepted.seconds} s)`);
            assert.equal(fs.readFileSync(path.join(disk, "after-grace.txt"), "utf8"), "after grace");
        });

        it("stops at once on SIGTERM", async function () {
            const t = Date.now();
            assert.equal(await server.stop(10), 0);
            assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
        });

        it("its serving check gives up on a server that accepts and never answers, instead of hanging", function () {
            const script = only("nfs-server").data.configMaps[configMapOf(only("nfs-server"))]["serving.sh"];
            const silent = `require("net").createServer(() => {}).listen(2049, "127.0.0.1")`;
            const t = Date.now();
            const r = run("unshare", ["--net", "bash", "-c", `ip link set lo up; ${quote(process.execPath)} -e ${quote(silent)} & sleep 0.5; bash -c ${quote(script)}; echo "exit $?"; kill %1`], 20000);
            assert.match(r.stdout, /no NFS reply on 2049\nexit 1$/m, r.stdout + r.stderr);
            assert.ok(Date.now() - t < 10000, `took ${Date.now() - t} ms`);
        });

        it("under a runtime that refuses name_to_handle_at: never Ready, exits, and says why", async function () {
            const c = only("nfs-server");
            const broken = await start(c, { export: disk, recovery: dirFor("recovery-broken") }, { wrapper: DENY });
            // Its own readiness probe, polled while it runs, never passes.
            const deadline = Date.now() + 45000;
            let probes = 0;
            while (broken.running && Date.now() < deadline) {
                const probe = broken.probe(c.container.readinessProbe);
                if (broken.running) {
                    probes++;
                    assert.equal(probe.ok, false, `Ready while not serving: ${probe.detail}`);
                }
                await sleep(300);
            }
            const code = broken.running ? -1 : await broken.exited;
            await broken.stop(5);
            assert.notEqual(code, -1, `still running after 45 s\n${broken.logs()}`);
            assert.notEqual(code, 0);
            assert.ok(probes > 0, "the probe ran while the server was up");
            assert.match(broken.logs(), /Could not get handle for path \/export, error Operation not permitted/);
            assert.match(broken.logs(), /devkube: the NFS server answers PUTROOTFH .* is not served\. .*seccomp profile refuses name_to_handle_at/);
            assert.match(broken.terminationMessage(), /seccomp profile refuses name_to_handle_at: devkube's NFS server needs containerd 1\.6\.22/);
        });
    });

    describe("web server (nginx) and editor on the share", function () {
        let share: string;
        let web: RunningContainer;
        let editor: RunningContainer;
        before(function () {
            share = dirFor("share", { uid: SHARE_UID, gid: SHARE_UID });
        });
        after(async function () {
            await web?.stop(5);
            await editor?.stop(5);
        });

        it("editor: stays up, its probes pass, and the README's command writes the page", async function () {
            const c = only("editor");
            editor = await start(c, { share });
            await editor.waitFor(c.container.readinessProbe, 10);
            assert.ok(editor.probe(c.container.livenessProbe).ok);
            const w = editor.exec(["sh", "-c", "mkdir -p html && echo hello > html/index.html"]);
            assert.equal(w.code, 0, w.stderr);
            assert.equal(fs.readFileSync(path.join(share, "html", "index.html"), "utf8"), "hello\n");
            const env = editor.exec(["sh", "-c", 'echo "$npm_config_cache"']);
            assert.equal(env.stdout.trim(), "/workspace/.cache/npm");
        });

        it("web: serves the bytes just written, and a change on the very next request", async function () {
            const c = only("web");
            web = await start(c, { share });
            await web.waitFor(c.container.readinessProbe, 15);
            const get = () => {
                const [headers, body] = web.client(["curl", "-s", "-i", "http://127.0.0.1/"]).stdout.split("\r\n\r\n");
                return { headers, body };
            };
            const first = get();
            assert.equal(first.body, "hello\n");
            assert.match(first.headers, /Cache-Control: no-store/i);
            const w = editor.exec(["sh", "-c", "echo 'hello, edited' > html/index.html"]);
            assert.equal(w.code, 0);
            assert.equal(get().body, "hello, edited\n");
            assert.ok(web.probe(c.container.livenessProbe).ok);
        });

        it("editor: npm run sync's scripts run in it (BusyBox sh, find, stat, tar, awk, xargs): first copy, save, rename, delete, conflict", async function () {
            const folder = dirFor("laptop");
            const write = (file: string, text: string) => {
                fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
                fs.writeFileSync(path.join(folder, file), text);
            };
            write("app/server.js", "listen(3000)");
            write("app/a file with spaces.txt", "spaces");
            write(`app/${"long-".repeat(25)}name.txt`, "a path over 100 bytes");
            write(".gitignore", "node_modules/\n");
            write("node_modules/dep/index.js", "never sent");
            // Over several of the tar's frames, split across them, the last not a whole number of dd's
            // blocks; sent over a slow link (8 MB/s), so once the sync has measured it, the part that
            // shrinks goes gzipped (BusyBox's gunzip unpacks it) and the random part as it is.
            const patterned = Buffer.alloc(8 * 1024 * 1024 + 12345);
            for (let i = 0; i < patterned.length; i++) {
                patterned[i] = (i * 7919) % 251;
            }
            const big = Buffer.concat([randomBytes(16 * 1024 * 1024), patterned]);
            fs.writeFileSync(path.join(folder, "assets-big.bin"), big);
            // As kubectl exec runs it: in the editor's working directory (the share), its standard input and
            // output streamed (a catch-up's chunks are planned from the share's list on its output).
            let gzipped = 0;
            async function* slowLink(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
                const start = Date.now();
                let sent = 0;
                for await (const part of input) {
                    await sleep(Math.max(0, start + sent / 8e3 - Date.now()));
                    sent += part.length;
                    gzipped += /^\d+ gz\n$/.test(part.subarray(0, 24).toString()) ? 1 : 0;
                    yield part;
                }
            }
            const remote: Remote = {
                describe: "the editor container",
                run: (script, args, input, output) => {
                    const [program, ...argv] = editor.execArgv(["sh", "-c", script, "sh", ...args]);
                    return spawnRun(program, argv, input === undefined || Buffer.isBuffer(input) ? input : slowLink(input), undefined, output);
                },
                present: async () => true,
            };
            const lines: string[] = [];
            const sync = new Sync(inDirectory(remote, "synced"), { folder, delete: false, print: (l) => lines.push(l) });
            await sync.catchUp("initial copy");
            const onShare = (file: string) => path.join(share, "synced", file);
            assert.equal(fs.readFileSync(onShare("app/server.js"), "utf8"), "listen(3000)", lines.join("\n"));
            assert.equal(fs.readFileSync(onShare("app/a file with spaces.txt"), "utf8"), "spaces");
            assert.equal(fs.readFileSync(onShare(`app/${"long-".repeat(25)}name.txt`), "utf8"), "a path over 100 bytes");
            assert.ok(!fs.existsSync(onShare("node_modules")), "ignored files stay on the laptop");
            assert.ok(fs.readFileSync(onShare("assets-big.bin")).equals(big), "a file over several tar frames arrives whole");
            assert.ok(gzipped >= 2, `${gzipped} frame(s) gzipped over the slow link`);
            assert.equal(fs.statSync(onShare("app/server.js")).mtimeMs, Math.floor(fs.statSync(path.join(folder, "app/server.js")).mtimeMs / 1000) * 1000);
            write("app/server.js", "listen(8080)");
            fs.renameSync(path.join(folder, "app"), path.join(folder, "src"));
            await sync.sendChanges(new Set(["app", "src"]));
            assert.equal(fs.readFileSync(onShare("src/server.js"), "utf8"), "listen(8080)");
            assert.ok(!fs.existsSync(onShare("app")), "the renamed directory is gone from the share");
            fs.writeFileSync(onShare("src/a file with spaces.txt"), "edited in the editor");
            write("src/a file with spaces.txt", "edited on the laptop too");
            await sync.sendChanges(new Set(["src/a file with spaces.txt"]));
            assert.equal(fs.readFileSync(onShare("src/a file with spaces.txt"), "utf8"), "edited in the editor");
            assert.ok(lines.some((l) => l.startsWith("conflict: src/a file with spaces.txt was changed on the share")), lines.join("\n"));
            fs.rmSync(path.join(folder, "src/server.js"));
            await sync.sendChanges(new Set(["src/server.js"]));
            assert.ok(!fs.existsSync(onShare("src/server.js")));
            assert.deepEqual(fs.readdirSync(path.join(share, "synced")).filter((n) => n.startsWith(".devkube-sync")), [], "no scratch left on the share");
        });

        it("editor stops at once on SIGTERM (its trap, as PID 1)", async function () {
            const t = Date.now();
            assert.equal(await editor.stop(10), 0);
            assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
        });
    });

    describe("sshd beside the editor (OpenSSH), for desktop IDEs", function () {
        let share: string;
        let sshd: RunningContainer;
        let c: DefinedContainer;
        const key = () => clientKey().file;
        /** An ssh client on this machine, in the pod's network namespace (where port-forward lands). */
        const ssh = (args: string[], input?: string) =>
            run("nsenter", ["-t", String(sshd.pid), "-n", "--", "ssh", "-F", "/dev/null", "-p", String(SSH_PORT), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", ...args], 15000, input);
        const hostKey = () => run("nsenter", ["-t", String(sshd.pid), "-n", "--", "ssh-keyscan", "-t", "ed25519", "-p", String(SSH_PORT), "127.0.0.1"]).stdout.trim();
        before(async function () {
            c = only("ssh");
            share = dirFor("ssh-share", { uid: SHARE_UID, gid: SHARE_UID });
        });
        after(async function () {
            await sshd?.stop(5);
        });

        it("makes its host key on the share, as the share's user, and turns Ready", async function () {
            sshd = await start(c, { share });
            await sshd.waitFor(c.container.readinessProbe, 20);
            const file = path.join(share, ".devkube", "ssh", "ssh_host_ed25519_key");
            assert.equal(ownerOf(file), `${SHARE_UID}:${SHARE_UID}`);
            assert.equal(fs.statSync(file).mode & 0o777, 0o600);
            assert.ok(sshd.probe(c.container.livenessProbe).ok);
            assert.doesNotMatch(sshd.logs(), /kex_exchange_identification/, "the probes leave no failed connections in the log");
        });

        it("logs in with the key from devkube:ssh, as dev (uid 1000) in the share, with the caches' environment; files land as 1000", function () {
            const r = ssh(["-i", key(), "dev@127.0.0.1", 'id -u; pwd; echo "$npm_config_cache"; echo from-ssh > from-ssh.txt']);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(r.stdout.trim().split("\n"), [String(SHARE_UID), "/workspace", "/workspace/.cache/npm"]);
            assert.equal(fs.readFileSync(path.join(share, "from-ssh.txt"), "utf8"), "from-ssh\n");
            assert.equal(ownerOf(path.join(share, "from-ssh.txt")), `${SHARE_UID}:${SHARE_UID}`);
        });

        it("serves sftp and forwards to a port in the pod, as desktop IDEs use them", function () {
            const sftp = run("nsenter", ["-t", String(sshd.pid), "-n", "--", "sftp", "-F", "/dev/null", "-P", String(SSH_PORT), "-i", key(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-b", "-", "dev@127.0.0.1"], 15000, "ls -1 from-ssh.txt\n");
            assert.equal(sftp.code, 0, sftp.stderr);
            assert.match(sftp.stdout, /from-ssh\.txt/);
            // Local forwarding (what VS Code's tunnel to its server is): here, to the sshd's own port.
            const forward = ssh(["-i", key(), "-W", `127.0.0.1:${SSH_PORT}`, "dev@127.0.0.1"], "");
            assert.match(forward.stdout, /^SSH-2\.0-OpenSSH/);
        });

        it("refuses passwords, root, other users and other keys", function () {
            const offered = ssh(["-v", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "dev@127.0.0.1", "true"]);
            assert.equal(offered.code, 255);
            assert.match(offered.stderr, /Authentications that can continue: publickey\r?\n/);
            assert.doesNotMatch(offered.stderr, /can continue: [^\n]*password/);
            for (const user of ["root", "nobody"]) {
                const r = ssh(["-i", key(), `${user}@127.0.0.1`, "true"]);
                assert.equal(r.code, 255, `${user}: ${r.stdout}`);
                assert.match(r.stderr, /Permission denied \(publickey\)/);
            }
            const other = path.join(dirFor("ssh-other-key"), "id");
            assert.equal(run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]).code, 0);
            const r = ssh(["-i", other, "dev@127.0.0.1", "true"]);
            assert.equal(r.code, 255);
            assert.match(r.stderr, /Permission denied \(publickey\)/);
            assert.match(sshd.logs(), /User root not allowed/);
            assert.doesNotMatch(sshd.logs(), /Accepted \w+ for (root|nobody)/);
        });

        it("stops at once on SIGTERM, and comes back with the same host key (the night cycle)", async function () {
            const before = hostKey();
            assert.match(before, /ssh-ed25519 AAAA/);
            const t = Date.now();
            await sshd.stop(10);
            assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
            sshd = await start(c, { share });
            await sshd.waitFor(c.container.readinessProbe, 20);
            assert.equal(hostKey(), before);
            assert.equal(ssh(["-i", key(), "dev@127.0.0.1", "true"]).code, 0);
        });
    });

    describe("IDE (code-server)", function () {
        let ide: RunningContainer;
        after(async function () {
            await ide?.stop(5);
        });

        it("answers its login page and accepts the password from its Secret, and no other", async function () {
            assert.ok(fs.existsSync(CODE_SERVER_MODULES), `code-server is not installed at ${CODE_SERVER_MODULES} (test/processes/install.sh)`);
            const c = only("ide");
            const share = dirFor("ide-share", { uid: SHARE_UID, gid: SHARE_UID });
            ide = await start(c, { share });
            await ide.waitFor(c.container.readinessProbe, 60);
            const password = ide.env.PASSWORD;
            assert.ok(password && password.length > 8, "PASSWORD comes from the Secret");
            const login = ide.client(["curl", "-s", "http://127.0.0.1:8080/login"]);
            assert.match(login.stdout, /<title>code-server login/);
            const post = (pw: string) =>
                ide.client(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %header{set-cookie}", "--data-urlencode", `password=${pw}`, "http://127.0.0.1:8080/login"]);
            const wrong = post("not-the-password");
            assert.doesNotMatch(wrong.stdout, /^302|code-server-session/, wrong.stdout);
            const right = post(password);
            assert.match(right.stdout, /^302 code-server-session=/);
            assert.match(ide.logs(), /Using password from \$PASSWORD/);
        });
    });

    describe("database presets", function () {
        it("postgres initialises in its data subdirectory and accepts the connection string from its Secret", async function () {
            const c = only("postgres");
            const volume = dirFor("pgdata");
            // A fresh ext4 volume: lost+found at its root, which initdb refuses.
            fs.mkdirSync(path.join(volume, "lost+found"));
            const db = await start(c, { data: volume }, { hosts: hostsFor(c) });
            try {
                await db.waitFor(c.container.readinessProbe, 90);
                assert.ok(fs.existsSync(path.join(volume, "pgdata", "PG_VERSION")), fs.readdirSync(volume).join(" "));
                const url = connectionOf(c, "DATABASE_URL");
                const q = db.client(["psql", url, "-tAc", "select current_user || ' ' || current_database()"]);
                assert.equal(q.code, 0, q.stderr + db.logs());
                assert.match(q.stdout.trim(), /^devkube \S+$/);
                const wrong = db.client(["psql", url.replace(/:[^:@/]+@/, ":wrong@"), "-tAc", "select 1"]);
                assert.notEqual(wrong.code, 0);
                assert.match(wrong.stderr, /password authentication failed/);
            } finally {
                await db.stop(10);
            }
        });

        it("redis answers PING with its password and refuses without it; appendonly on its volume", async function () {
            const c = only("redis");
            const volume = dirFor("redis");
            const cache = await start(c, { data: volume }, { hosts: hostsFor(c) });
            try {
                await cache.waitFor(c.container.readinessProbe, 30);
                const url = connectionOf(c, "REDIS_URL");
                assert.equal(cache.client(["redis-cli", "-u", url, "--no-auth-warning", "ping"]).stdout.trim(), "PONG");
                const host = new URL(url);
                const anonymous = cache.client(["redis-cli", "-h", host.hostname, "-p", host.port, "ping"]);
                assert.match(anonymous.stdout + anonymous.stderr, /NOAUTH/);
                assert.ok(fs.readdirSync(volume).some((n) => n.startsWith("appendonly")), fs.readdirSync(volume).join(" "));
                assert.equal(fs.statSync(volume).uid, Number(run("id", ["-u", "redis"]).stdout), "the entrypoint gave /data to redis");
            } finally {
                await cache.stop(10);
            }
        });
    });

    describe("an app's restart-on-change wrapper", function () {
        it("restarts the app after a file on the share changes, even one that keeps its old mtime", async function () {
            const c = only("restart-on-change");
            const share = dirFor("app-share", { uid: SHARE_UID, gid: SHARE_UID });
            const subPath = c.container.volumeMounts.find((m: any) => m.name === "share").subPath;
            const dir = path.join(share, subPath);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "server.js"), serverJs("first"));
            fs.writeFileSync(path.join(dir, "notes.txt"), "to be deleted");
            const app = await start(c, { share });
            try {
                await app.waitFor(c.container.readinessProbe, 20);
                const get = () => app.client(["curl", "-s", `http://127.0.0.1:${c.container.ports[0].containerPort}/`]).stdout;
                assert.equal(get(), "first");
                // Same size, and the old mtime restored (as tar, rsync -a or cp -p leave it): only the ctime tells.
                const { atime, mtime } = fs.statSync(path.join(dir, "server.js"));
                fs.writeFileSync(path.join(dir, "server.js"), serverJs("again"));
                fs.utimesSync(path.join(dir, "server.js"), atime, mtime);
                await eventually("the restarted app's answer", 15, () => assert.equal(get(), "again"));
                // A delete alone.
                fs.rmSync(path.join(dir, "notes.txt"));
                await eventually("a restart after a delete", 15, () => assert.equal(app.logs().match(/devkube: files changed, restarting/g)?.length, 2));
                await eventually("the app back after it", 10, () => assert.equal(get(), "again"));
            } finally {
                await app.stop(5);
            }
        });
    });

    describe("coverage", function () {
        it("ran every devkube-defined container of every stack and example (the user's own are listed)", function () {
            const missing = containers.filter((c) => c.role !== "user" && !ran.get(c.role)?.has(JSON.stringify(c.container)));
            assert.deepEqual(
                missing.map((c) => `${c.run}: ${c.workload} ${c.container.name}`),
                [],
                "devkube-defined containers that no process test ran",
            );
            const users = [...new Set(containers.filter((c) => c.role === "user").map((c) => `${c.workload} (${c.container.image})`))];
            console.log(`      not devkube's to run (the user's own image and command): ${users.join(", ")}`);
            for (const [role, variants] of ran) {
                console.log(`      ${role}: ${variants.size} variant(s), ${profiles[JSON.parse([...variants][0]).image]?.software}`);
            }
        });

        it("left no process, mount or namespace behind", async function () {
            await sleep(500);
            assert.deepEqual(livePids(), []);
            assert.equal(run("pgrep", ["-x", "ganesha.nfsd"]).stdout, "");
            assert.equal(run("pgrep", ["-x", "unshare"]).stdout, "");
            const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes("devkube-pod-"));
            assert.deepEqual(mounts, []);
        });
    });
});

function configMapOf(c: DefinedContainer): string {
    return c.pod.volumes.find((v: any) => v.configMap && c.container.volumeMounts.some((m: any) => m.name === v.name && m.mountPath === NFS_CONFIG_DIR)).configMap.name;
}

function hostsFor(c: DefinedContainer): Record<string, string> {
    const name = c.workload.split("/")[1];
    return { [`${name}.devkube.svc`]: "127.0.0.1" };
}

/** A value of the preset's connection Secret (what apps that `uses` it load). */
function connectionOf(c: DefinedContainer, key: string): string {
    const found = Object.values(c.data.secrets).find((s) => key in s);
    assert.ok(found, `no connection Secret with ${key}`);
    return found[key];
}

function serverJs(answer: string): string {
    return `require("http").createServer((q, s) => s.end(${JSON.stringify(answer)})).listen(3000);\n`;
}

