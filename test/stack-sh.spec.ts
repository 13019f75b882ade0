// scripts/stack.sh (npm run up / preview): what it says before Pulumi runs at all.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chooseCli, cliFits, fastStartNodeOptions, launcherVersion } from "../scripts/pulumi-cli";
import { IdFacts, environmentIdStep } from "../scripts/stack-prepare";
import { ROOT } from "./harness";

/** A copy of what stack.sh reads, with the dev stack file as given; runs `stack.sh up dev` without a passphrase. */
function upDevWithoutPassphrase(devStackFile: string): { code: number; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-stack-sh-"));
    fs.mkdirSync(path.join(dir, "scripts"));
    fs.mkdirSync(path.join(dir, "policies", "config"), { recursive: true });
    fs.mkdirSync(path.join(dir, "policies", "node_modules"));
    fs.copyFileSync(path.join(ROOT, "scripts", "stack.sh"), path.join(dir, "scripts", "stack.sh"));
    fs.copyFileSync(path.join(ROOT, "policies", "config", "dev.json"), path.join(dir, "policies", "config", "dev.json"));
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), devStackFile);
    const env = { ...process.env };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    const r = spawnSync("bash", [path.join(dir, "scripts", "stack.sh"), "up", "dev"], { env, encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: r.status ?? -1, stderr: r.stderr };
}

describe("npm run up on a DigitalOcean stack without a passphrase", () => {
    it("with no token yet: says what is needed, in the order to do it", () => {
        const r = upDevWithoutPassphrase(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        assert.equal(r.code, 2);
        assert.doesNotMatch(r.stderr, /holds a DigitalOcean token/);
        const steps = ["export PULUMI_CONFIG_PASSPHRASE=", "npx pulumi stack init dev", "npx pulumi -s dev config set --secret digitalocean:token", "npm run up -- dev"];
        const at = steps.map((step) => r.stderr.indexOf(step));
        assert.ok(at.every((i) => i >= 0), r.stderr);
        assert.deepEqual([...at].sort((a, b) => a - b), at, `in that order:\n${r.stderr}`);
    });
    it("with a token set: asks for the passphrase it was set with", () => {
        const r = upDevWithoutPassphrase("config:\n  devkube:target: digitalocean\n  digitalocean:token:\n    secure: AAABAKx1\n");
        assert.equal(r.code, 2);
        assert.match(r.stderr, /stack 'dev' holds a DigitalOcean token, encrypted with your passphrase; export PULUMI_CONFIG_PASSPHRASE \(the one you set it with\)/);
    });
});

interface UpResult {
    readonly status: number | null;
    readonly stderr: string;
    readonly installedCalls: string[];
    /** What npx was asked to start: each start costs about half a second of every up. */
    readonly npxCalls: string[];
    /** What the npm package's CLI (fetched into PULUMI_HOME) was asked, each with the first entry of its PATH. */
    readonly packageCalls: string[];
    /** NODE_OPTIONS as the pulumi on PATH had it, one line per call: "up: --require ...". */
    readonly nodeOptions: string[];
    readonly bin: string;
}

/**
 * A `pulumi` of `version` that records its arguments in bin/calls (`version` in bin/version-calls) and
 * succeeds. Its `stack select` waits (up to 5 s, else it fails) until a `stack export` has started: they
 * are to run side by side, each CLI start being about 0.35 s of every up.
 */
function fakeCli(bin: string, version: string): string {
    return [
        "#!/bin/sh",
        `[ "$1" = version ] && { echo version >> "${bin}/version-calls"; echo v${version}; exit 0; }`,
        `if [ "$1 $2" = "stack export" ]; then`,
        // bin/new-stack: the stack does not exist until selected with --create (decided, and said, before select may go on).
        `    if [ -e "${bin}/new-stack" ] && [ ! -e "${bin}/selected" ]; then`,
        `        echo "$* (no stack)" >> "${bin}/calls"; touch "${bin}/export-started"; echo "error: no stack named" >&2; exit 255`,
        `    fi`,
        `    touch "${bin}/export-started"`,
        `fi`,
        `if [ "$1 $2" = "stack select" ]; then`,
        `    i=0; while [ ! -e "${bin}/export-started" ]; do i=$((i + 1)); [ $i -gt 50 ] && { echo "select: no export alongside" >&2; exit 7; }; sleep 0.1; done`,
        `    [ -n "$FAKE_SELECT_FAILS" ] && { echo "error: $FAKE_SELECT_FAILS" >&2; exit 255; }`,
        `    touch "${bin}/selected"`,
        `fi`,
        `echo "$*" >> "${bin}/calls"`,
        `echo "$1: $NODE_OPTIONS" >> "${bin}/node-options"`,
        "",
    ].join("\n");
}

/**
 * Runs `stack.sh up minikube` with a `pulumi` of `version` first on PATH (it records its arguments and
 * succeeds) and an npx whose launcher fails as it does offline; every other npx call is the real one.
 * PULUMI_HOME holds the npm package's CLI (fetched before, recording its arguments) only when `fetched`.
 * Asynchronous, so that the runs below go side by side.
 */
function upWithInstalledCli(
    version: string,
    { fetched = false, ci = "", stack = "minikube", env = {}, newStack = false }: { fetched?: boolean; ci?: string; stack?: string; env?: NodeJS.ProcessEnv; newStack?: boolean } = {},
): Promise<UpResult> {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-fake-cli-"));
    if (newStack) {
        fs.writeFileSync(path.join(bin, "new-stack"), "");
    }
    const realNpx = spawnSync("bash", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
    fs.writeFileSync(path.join(bin, "npx"), `#!/bin/sh\necho "$*" >> "${bin}/npx-calls"\n[ "$2" = pulumi ] && { echo "pulumi: fetch failed" >&2; exit 1; }\nexec ${realNpx} "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "pulumi"), fakeCli(bin, version), { mode: 0o755 });
    const home = path.join(bin, "pulumi-home");
    if (fetched) {
        const packageBin = path.join(home, "versions", launcherVersion(), "bin");
        fs.mkdirSync(packageBin, { recursive: true });
        fs.writeFileSync(path.join(packageBin, "pulumi"), `#!/bin/sh\necho "$* (PATH \${PATH%%:*})" >> "${bin}/package-calls"\n`, { mode: 0o755 });
    }
    // DEVKUBE_POLICY_PACK unset, as a user has it (the e2e shell's policies/analyzer must not leak in).
    const child = spawn("bash", [path.join(ROOT, "scripts", "stack.sh"), "up", stack], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_HOME: home, CI: ci, NODE_OPTIONS: "", DEVKUBE_POLICY_PACK: "", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.resume();
    return new Promise((resolve) =>
        child.on("close", (status) => {
            const lines = (file: string) => (fs.existsSync(path.join(bin, file)) ? fs.readFileSync(path.join(bin, file), "utf8").trim().split("\n") : []);
            const [calls, npxCalls, packageCalls, nodeOptions] = [lines("calls"), lines("npx-calls"), lines("package-calls"), lines("node-options")];
            fs.rmSync(bin, { recursive: true, force: true });
            resolve({ status, stderr, installedCalls: calls, npxCalls, packageCalls, nodeOptions, bin });
        }),
    );
}

describe("npm run up: which Pulumi CLI, and what it says when there is none", () => {
    let fits: UpResult;
    let older: UpResult;
    let olderFetched: UpResult;
    let inCi: UpResult;
    let ownNodeOptions: UpResult;
    let newStack: UpResult;
    before(async () =>
        ([fits, older, olderFetched, inCi, ownNodeOptions, newStack] = await Promise.all([
            upWithInstalledCli("3.260.1"),
            upWithInstalledCli("3.100.0"),
            upWithInstalledCli("3.100.0", { fetched: true }),
            upWithInstalledCli("3.260.1", { ci: "true" }),
            upWithInstalledCli("3.260.1", { env: { NODE_OPTIONS: "--max-old-space-size=3072" } }),
            upWithInstalledCli("3.260.1", { newStack: true }),
        ])));

    it("uses the pulumi on PATH when its version fits, and says so", () => {
        assert.equal(fits.status, 0, fits.stderr);
        assert.match(fits.stderr, new RegExp(`^stack\\.sh: using pulumi 3\\.260\\.1 at ${fits.bin}/pulumi \\(on PATH\\)$`, "m"));
        assert.deepEqual(
            fits.installedCalls.slice(0, 2).sort(),
            ["stack export --stack minikube", "stack select --create minikube"],
            "the stack selected and its state read (for the namespace check) side by side",
        );
        assert.match(fits.installedCalls[2], /^up --stack minikube --policy-pack policies --policy-pack-config \S+$/, "asks before changing anything");
        assert.deepEqual(fits.npxCalls, [], "no npx start on the way: one tsx process prepares the stack");
    });
    it("a backend it cannot reach: says the stack could not be selected, with the CLI's reason, and that nothing was changed", async () => {
        const r = await upWithInstalledCli("3.260.1", { env: { FAKE_SELECT_FAILS: "could not reach s3://devkube-state: no such host" } });
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, /^stack\.sh: pulumi stack select minikube failed, so nothing was changed: error: could not reach s3:\/\/devkube-state: no such host$/m);
        assert.deepEqual(r.installedCalls.filter((c) => c.startsWith("up")), []);
    });
    it("a stack that does not exist yet: created, then its state read", () => {
        assert.equal(newStack.status, 0, newStack.stderr);
        assert.deepEqual(newStack.installedCalls.slice(0, 3), ["stack export --stack minikube (no stack)", "stack select --create minikube", "stack export --stack minikube"]);
        assert.match(newStack.installedCalls[3], /^up --stack minikube /);
    });
    it("hands the CLI NODE_OPTIONS that preload scripts/fast-start.js into the program and the policy pack, keeping the user's own", () => {
        assert.equal(fits.nodeOptions[2], `up: ${fastStartNodeOptions(ROOT, "")}`);
        assert.equal(ownNodeOptions.status, 0, ownNodeOptions.stderr);
        assert.equal(ownNodeOptions.nodeOptions[2], `up: ${fastStartNodeOptions(ROOT, "")} --max-old-space-size=3072`);
    });
    it("answers the question itself only under CI, where nobody can", () => {
        assert.equal(inCi.status, 0, inCi.stderr);
        assert.match(inCi.installedCalls[2], /^up --stack minikube --policy-pack policies --policy-pack-config \S+ --yes$/);
    });
    it("passes over an older one for the npm package's CLI, saying why", () => {
        assert.deepEqual(older.installedCalls, []);
        assert.match(older.stderr, /^stack\.sh: using the npm package's Pulumi CLI 3\.259\.0: the pulumi on PATH \(\S+\/pulumi\) is 3\.100\.0, older than 3\.259\.0/m);
    });
    it("runs the npm package's CLI directly once it is fetched, its folder first on PATH as the launcher puts it, with no npx start", () => {
        assert.equal(olderFetched.status, 0, olderFetched.stderr);
        assert.match(olderFetched.stderr, /^stack\.sh: using the npm package's Pulumi CLI 3\.259\.0: the pulumi on PATH/m);
        const folder = `${olderFetched.bin}/pulumi-home/versions/${launcherVersion()}/bin`;
        assert.deepEqual(olderFetched.packageCalls.slice(0, 2).sort(), [`stack export --stack minikube (PATH ${folder})`, `stack select --create minikube (PATH ${folder})`]);
        assert.match(olderFetched.packageCalls[2], new RegExp(`^up --stack minikube --policy-pack policies --policy-pack-config \\S+ \\(PATH ${folder}\\)$`));
        assert.deepEqual([olderFetched.installedCalls, olderFetched.npxCalls], [[], []]);
    });
    it("when the npm package cannot provide its CLI either: says what is missing, where it was looked for and fetched from, instead of 'pulumi: fetch failed'", () => {
        assert.equal(older.status, 2, older.stderr);
        assert.match(older.stderr, /^stack\.sh: the Pulumi CLI 3\.259\.0 is not installed: the npm package "pulumi" looked for it in .*versions\/3\.259\.0\/bin and could not download it from get\.pulumi\.com \(fetch failed\)/m);
    });
});

describe("npm run up on a DigitalOcean stack: its environment id (devkube:doEnvironmentId)", () => {
    const passphrase = { PULUMI_CONFIG_PASSPHRASE: "test" };
    it("the first time: a new id, set in the stack's config before the up, and said with what it is for", async () => {
        const first = await upWithInstalledCli("3.260.1", { stack: "dev", env: passphrase });
        assert.equal(first.status, 0, first.stderr);
        assert.deepEqual(first.installedCalls.slice(0, 2).sort(), ["stack export --stack dev", "stack select --create dev"], "the namespace check first: a refusal changes nothing");
        assert.match(first.installedCalls[2], /^config set devkube:doEnvironmentId [0-9a-f]{10} --stack dev$/);
        assert.match(first.installedCalls[3], /^up --stack dev /);
        const id = first.installedCalls[2].split(" ")[3];
        assert.match(
            first.stderr,
            new RegExp(`^stack\\.sh: this environment's id is ${id} \\(devkube:doEnvironmentId, now in Pulumi\\.dev\\.yaml\\): its volumes and cluster carry it`, "m"),
        );
        const marker = path.join(ROOT, ".pulumi", "devkube-environment-dev");
        assert.equal(fs.readFileSync(marker, "utf8").trim(), id, "this checkout remembers the id it made");
        const again = await upWithInstalledCli("3.260.1", { stack: "dev", env: passphrase });
        assert.notEqual(again.installedCalls[2], first.installedCalls[2], "each new environment its own");
        fs.rmSync(marker);
    });
    it("under CI: none made (it would not outlive the checkout), and said how to keep one", async () => {
        const r = await upWithInstalledCli("3.260.1", { stack: "dev", env: passphrase, ci: "true" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.installedCalls.filter((c) => c.startsWith("config set")), []);
        assert.match(r.stderr, /^stack\.sh: devkube:doEnvironmentId is not set in Pulumi\.dev\.yaml, and one made here would not outlive this checkout: run npm run up once on your machine \(it sets one\) and commit the file/m);
    });
    const facts: IdFacts = { target: "digitalocean", id: "5eed1e55a1", ci: false, known: undefined, keep: undefined, awake: false, updatedHere: () => true };
    const notAsked = () => assert.fail("not asked: known without the CLI");
    it("not on DigitalOcean, under CI, or an id this checkout made or accepted: nothing to do", () => {
        assert.equal(environmentIdStep("minikube", { ...facts, target: "minikube", id: undefined }), undefined);
        assert.equal(environmentIdStep("dev", { ...facts, ci: true, updatedHere: notAsked }), undefined, "CI keeps the file's id: its backend is the environment's own");
        assert.equal(environmentIdStep("dev", { ...facts, known: "5eed1e55a1", updatedHere: notAsked }), undefined);
    });
    it("an id the stack has been up with here (awake, or an update on record): kept, and remembered by the checkout", () => {
        assert.deepEqual(environmentIdStep("dev", { ...facts, awake: true, updatedHere: notAsked }), { accept: "5eed1e55a1" });
        assert.deepEqual(environmentIdStep("dev", facts), { accept: "5eed1e55a1" });
    });
    it("an id that came with the file and was never up here (a teammate's committed file, or your own in a new clone): refused, saying both ways on", () => {
        const step = environmentIdStep("dev", { ...facts, updatedHere: () => false }) as { refuse: string };
        assert.match(
            step.refuse,
            /^Pulumi\.dev\.yaml carries devkube:doEnvironmentId 5eed1e55a1, and stack dev has never been up in this state backend: whose environment is it\? If it is yours .*: DEVKUBE_KEEP_ENVIRONMENT_ID=5eed1e55a1 npm run up -- dev\. If it is someone else's .*: pulumi -s dev config set devkube:doEnvironmentId [0-9a-f]{10} \(or use a stack name of your own\)\. Nothing was changed$/,
        );
        assert.deepEqual(environmentIdStep("dev", { ...facts, keep: "5eed1e55a1", updatedHere: notAsked }), { accept: "5eed1e55a1" }, "once said, kept");
        assert.ok("refuse" in environmentIdStep("dev", { ...facts, keep: "0the1r5", updatedHere: () => false })!, "only for the id it names");
    });
});

describe("pulumi-cli: the pulumi on PATH", () => {
    let bin: string;
    let cache: string;
    let env: NodeJS.ProcessEnv;
    const asked = () => (fs.existsSync(path.join(bin, "version-calls")) ? fs.readFileSync(path.join(bin, "version-calls"), "utf8").trim().split("\n").length : 0);
    /**
     * A native executable named pulumi that prints `version`: a hard link to (or a copy of) node, which
     * preloads a script that answers `pulumi version` as the CLI does.
     */
    const nativeCli = (version: string, how: "link" | "copy") => {
        fs.rmSync(path.join(bin, "pulumi"), { force: true });
        (how === "link" ? fs.linkSync : fs.copyFileSync)(process.execPath, path.join(bin, "pulumi"));
        fs.writeFileSync(path.join(bin, "answer.js"), `require("fs").appendFileSync(${JSON.stringify(path.join(bin, "version-calls"))}, "version\\n"); console.log("v${version}"); process.exit(0);\n`);
    };
    beforeEach(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-cli-version-"));
        cache = path.join(bin, "cache", "cli-version.json");
        env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NODE_OPTIONS: `--require ${path.join(bin, "answer.js")}` };
    });
    afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

    it("Pulumi's own binary: asked its version once, and again only when its file changes (an upgrade)", () => {
        nativeCli("3.260.1", "link");
        assert.match(chooseCli(ROOT, env, cache).why, /using pulumi 3\.260\.1 at /);
        assert.match(chooseCli(ROOT, env, cache).why, /using pulumi 3\.260\.1 at /);
        assert.equal(asked(), 1, "the second time from the cache");
        nativeCli("3.261.0", "copy");
        assert.match(chooseCli(ROOT, env, cache).why, /using pulumi 3\.261\.0 at /);
        assert.equal(asked(), 2, "a new binary is asked again");
        fs.writeFileSync(cache, "{ cut short");
        assert.match(chooseCli(ROOT, env, cache).why, /using pulumi 3\.261\.0 at /);
        assert.equal(asked(), 3, "an unreadable cache is asked past");
    });
    it("a version manager's shim (a script, or a link to a binary of another name): asked every time, as its settings choose the version", () => {
        fs.writeFileSync(path.join(bin, "pulumi"), fakeCli(bin, "3.260.1"), { mode: 0o755 });
        chooseCli(ROOT, env, cache);
        chooseCli(ROOT, env, cache);
        assert.equal(asked(), 2, "a script");
        fs.rmSync(path.join(bin, "pulumi"));
        fs.writeFileSync(path.join(bin, "answer.js"), `require("fs").appendFileSync(${JSON.stringify(path.join(bin, "version-calls"))}, "version\\n"); console.log("v3.260.1"); process.exit(0);\n`);
        fs.symlinkSync(process.execPath, path.join(bin, "pulumi"));
        assert.match(chooseCli(ROOT, env, cache).why, /using pulumi 3\.260\.1 at /);
        chooseCli(ROOT, env, cache);
        assert.equal(asked(), 4, "a link to a binary named otherwise (mise's shims link to mise)");
        assert.equal(fs.existsSync(cache), false);
    });
});

describe("pulumi-cli: which versions fit", () => {
    it("the launcher's major version and no older; anything unparsable does not", () => {
        assert.equal(cliFits("3.259.0", "3.259.0"), true);
        assert.equal(cliFits("3.260.0", "3.259.0"), true);
        assert.equal(cliFits("3.259.1", "3.259.0"), true);
        assert.equal(cliFits("3.258.9", "3.259.0"), false);
        assert.equal(cliFits("4.0.0", "3.259.0"), false);
        assert.equal(cliFits("v3.259.0-dev.0", "3.259.0"), true);
        assert.equal(cliFits("garbage", "3.259.0"), false);
    });
});
