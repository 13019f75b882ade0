import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runAllPolicies } from "../policies/test/util";
import { isNegative, isZero, tryParseQuantity } from "../contract/quantity";
import { RESTART_ON_CHANGE } from "../components/app";
import { parseApps } from "../config/apps";
import { APP_FIELD_NAMES, AppField, checkField } from "../config/app-fields";
import {
    ProgramRun,
    byName,
    fixtureConfig,
    ofType,
    packConfig,
    policyResources,
    runProgram,
    secretValue,
    runDev,
    stackConfigValues,
} from "./harness";

const STACK_CONFIG_EXPORT = {
    ...stackConfigValues("homelab"),
    "devkube:baremetalMode": "existing-export",
    "devkube:nfsServer": "192.168.1.20",
    "devkube:nfsPath": "/srv/nfs/devkube",
};

const CRONJOB = "kubernetes:batch/v1:CronJob";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("apps: the Express example from stack config alone", function () {
    let run: ProgramRun;
    before(async () => (run = await runProgram("minikube", { ...stackConfigValues("minikube"), ...fixtureConfig("express.yaml") })));

    it("runs hello with two replicas, its settings from a ConfigMap through envFrom, on a NodePort", () => {
        const hello = byName(run, DEPLOYMENT, "hello");
        assert.equal(hello.inputs.spec.replicas, 2);
        const container = hello.inputs.spec.template.spec.containers[0];
        const configMapName = container.envFrom[0].configMapRef.name;
        const configMap = ofType(run, "kubernetes:core/v1:ConfigMap").find((c) => c.state.metadata.name === configMapName);
        assert.deepEqual(configMap?.inputs.data, { MY_NON_SECRET: "foo", MY_OTHER_NON_SECRET: "bar" });
        const service = byName(run, "kubernetes:core/v1:Service", "hello");
        assert.equal(service.inputs.spec.type, "NodePort");
        assert.deepEqual(service.inputs.spec.ports.map((p: any) => [p.port, p.targetPort]), [[3000, 3000]]);
        assert.deepEqual(service.inputs.spec.selector, hello.inputs.spec.selector.matchLabels);
        assert.match(String((run.outputs.apps as any).hello), /^http:\/\/\$\(minikube ip\):\d+$/);
    });
    it("runs the code being edited: the share's hello/ as working directory, package caches on the share", () => {
        const container = byName(run, DEPLOYMENT, "hello").inputs.spec.template.spec.containers[0];
        assert.equal(container.workingDir, "/workspace");
        assert.deepEqual(container.volumeMounts, [{ name: "share", mountPath: "/workspace", subPath: "hello" }]);
        const volumes = byName(run, DEPLOYMENT, "hello").inputs.spec.template.spec.volumes;
        assert.deepEqual(volumes, [{ name: "share", persistentVolumeClaim: { claimName: "share" } }]);
        assert.ok(container.env.some((e: any) => e.name === "npm_config_cache" && e.value === "/workspace/.cache/npm"));
        assert.ok(container.readinessProbe.tcpSocket.port === 3000);
    });
    it("runs the greeting every 5 minutes as a CronJob keeping 2 successful and 2 failed runs", () => {
        const cron = byName(run, CRONJOB, "hello-cron");
        assert.equal(cron.inputs.spec.schedule, "*/5 * * * *");
        assert.equal(cron.inputs.spec.successfulJobsHistoryLimit, 2);
        assert.equal(cron.inputs.spec.failedJobsHistoryLimit, 2);
        const pod = cron.inputs.spec.jobTemplate.spec.template.spec;
        assert.equal(pod.restartPolicy, "OnFailure");
        assert.match(pod.containers[0].command.join(" "), /date; echo "Hello from the devkube cluster"/);
        assert.ok(pod.containers[0].resources.limits.memory);
    });
    it("restarts hello-live when a file changes, by polling (inotify does not cross NFS)", () => {
        const container = byName(run, DEPLOYMENT, "hello-live").inputs.spec.template.spec.containers[0];
        // The script itself is run in sh below ("the restart-on-change wrapper").
        assert.deepEqual(container.command, ["/bin/sh", "-c", RESTART_ON_CHANGE, "restart-on-change", "node", "server.js"]);
    });
    it("opens the node ports the apps need in the namespace quota", () => {
        const quota = ofType(run, "kubernetes:core/v1:ResourceQuota")[0];
        assert.equal(quota.inputs.spec.hard["services.nodeports"], "3");
    });
    it("passes the policy pack with zero mandatory violations", async () => {
        const findings = await runAllPolicies(policyResources(run), packConfig("minikube"));
        assert.deepEqual(findings.filter((f) => f.enforcement === "mandatory").map((f) => f.message), []);
    });
});

describe("apps: secrets only through Pulumi secrets", () => {
    const app = (secretEnv: Record<string, string>) =>
        JSON.stringify([{ name: "api", image: "node:22.12.0-alpine", ports: [8080], secretEnv }]);

    it("puts a secret config value into a Secret, referenced by secretKeyRef", async () => {
        const run = await runProgram(
            "minikube",
            { ...stackConfigValues("minikube"), "devkube:apps": app({ API_TOKEN: "devkube:apiToken" }), "devkube:apiToken": "s3cr3t-t0ken" },
            { secretKeys: ["devkube:apiToken"] },
        );
        const secret = ofType(run, "kubernetes:core/v1:Secret")[0];
        assert.deepEqual(secretValue(secret.inputs.stringData), { API_TOKEN: "s3cr3t-t0ken" });
        const container = byName(run, DEPLOYMENT, "api").inputs.spec.template.spec.containers[0];
        assert.deepEqual(container.env.find((e: any) => e.name === "API_TOKEN").valueFrom.secretKeyRef, { name: secret.state.metadata.name, key: "API_TOKEN" });
        assert.ok(!JSON.stringify(byName(run, DEPLOYMENT, "api").inputs).includes("s3cr3t-t0ken"));
    });
});

describe("apps: bad entries fail with the app, the field, the value and what is allowed", () => {
    const base = { name: "hello", image: "node:22.12.0-alpine" };
    const cases: Array<[string, unknown, RegExp, Record<string, string>?, string[]?]> = [
        ["duplicate names", [base, base], /devkube:apps\[1\] \(hello\)\.name: got "hello"; each app needs a name of its own/],
        ["missing image", [{ name: "hello" }], /devkube:apps\[0\] \(hello\)\.image: got undefined; set an image with an explicit tag/],
        ["latest tag", [{ ...base, image: "node:latest" }], /\.image: got "node:latest"; pin an explicit tag other than latest/],
        ["no tag", [{ ...base, image: "localhost:5000/app" }], /\.image: got "localhost:5000\/app"; pin an explicit tag/],
        ["port out of range", [{ ...base, ports: [70000] }], /\.ports: got \[70000\]; use a list of port numbers from 1 to 65535/],
        ["schedule that is not cron", [{ ...base, schedule: "every 5 minutes" }], /\.schedule: got "every 5 minutes"; use a cron expression of five fields/],
        ["secret env given in plain config", [{ ...base, secretEnv: { TOKEN: "hunter2" } }], /\.secretEnv\.TOKEN: got "hunter2"; name a Pulumi config key/],
        [
            "secret env pointing at a plain config value",
            [{ ...base, secretEnv: { TOKEN: "devkube:token" } }],
            /\.secretEnv\.TOKEN: got "devkube:token"; that config key is stored in plain text; set it again with: pulumi config set --secret devkube:token/,
            { "devkube:token": "plain" },
        ],
        ["unknown field", [{ ...base, replica: 2 }], /devkube:apps\[0\] \(hello\): unknown field "replica"; allowed: name, preset, image/],
        ["a name devkube uses", [{ ...base, name: "web" }], /\.name: got "web"; each app needs a name of its own/],
        ["exposed without ports", [{ ...base, expose: "NodePort" }], /\.expose: got "NodePort"; exposing an app needs at least one entry in ports/],
        ["zero memory", [{ ...base, resources: { memory: "0" } }], /\.resources\.memory: got "0"; use non-zero Kubernetes quantities/],
        ["an unknown preset", [{ preset: "mysql" }], /devkube:apps\[0\] \(mysql\)\.preset: got "mysql"; allowed: postgres, redis/],
        [
            "a preset whose password is not set",
            [{ preset: "postgres" }],
            /devkube:apps\[0\] \(postgres\)\.secretEnv\.POSTGRES_PASSWORD: got "devkube:postgresPassword"; that config key is not set: pulumi config set --secret devkube:postgresPassword <value>/,
        ],
        [
            "a preset whose password is plain config",
            [{ name: "db", preset: "postgres" }],
            /\(db\)\.secretEnv\.POSTGRES_PASSWORD: got "devkube:dbPassword"; that config key is stored in plain text/,
            { "devkube:dbPassword": "plain" },
        ],
        ["a preset with two replicas", [{ preset: "redis", replicas: 2 }], /\(redis\)\.replicas: got 2; an app with its own volume is a single writer/, { "devkube:redisPassword": "s" }, ["devkube:redisPassword"]],
        [
            "an own volume with rolling updates",
            [{ ...base, volume: { size: "1Gi", mountPath: "/data" }, strategy: "RollingUpdate" }],
            /\.strategy: got "RollingUpdate"; an app with its own volume is a single writer \(the disk attaches to one pod\): use replicas 0 or 1 and strategy Recreate/,
        ],
        [
            "an own volume inside the share",
            [{ ...base, volume: { size: "1Gi", mountPath: "/workspace/db" } }],
            /\.volume\.mountPath: got "\/workspace\/db"; use an absolute directory in the container other than \/ and \/workspace/,
        ],
        ["an own volume without a size", [{ ...base, volume: { mountPath: "/data" } }], /\.volume\.size: got undefined; use a whole number of Gi or Ti/],
        [
            "an Ingress without TLS",
            [{ ...base, ports: [3000], ingress: { hosts: ["app.example.org"] } }],
            /\.ingress: got \{"hosts":\["app.example.org"\]\}; set exactly one of clusterIssuer or issuer: the cert-manager issuer/,
        ],
        [
            "an Ingress host that is not a DNS name",
            [{ ...base, ports: [3000], ingress: { hosts: ["App_Example"], clusterIssuer: "letsencrypt" } }],
            /\.ingress\.hosts: got \["App_Example"\]; use a list of one or more lowercase DNS names/,
        ],
        [
            "an Ingress for an app that is not exposed",
            [{ ...base, ports: [3000], expose: "none", ingress: { hosts: ["app.example.org"], clusterIssuer: "letsencrypt" } }],
            /\.expose: got "none"; an Ingress sends traffic to the app's Service/,
        ],
        [
            "two apps serving one host",
            [
                { ...base, ports: [3000], ingress: { hosts: ["app.example.org"], clusterIssuer: "le" } },
                { ...base, name: "other", ports: [3000], ingress: { hosts: ["app.example.org"], clusterIssuer: "le" } },
            ],
            /devkube:apps\[1\] \(other\)\.ingress\.hosts: got "app.example.org"; app hello serves that host already/,
        ],
        [
            "uses an app that is not a preset",
            [base, { ...base, name: "worker", uses: ["hello"] }],
            /devkube:apps\[1\] \(worker\)\.uses: got "hello"; name a preset app of this stack \(there is none: add e.g. \{ preset: postgres \}\)/,
        ],
        [
            "uses a preset that is not exposed",
            [{ preset: "redis", expose: "none" }, { ...base, uses: ["redis"] }],
            /devkube:apps\[1\] \(hello\)\.uses: got "redis"; redis has expose: none, so nothing can reach it/,
            { "devkube:redisPassword": "s" },
            ["devkube:redisPassword"],
        ],
        [
            "a preset that uses another preset",
            [{ preset: "redis", name: "cache", uses: ["db"] }, { preset: "postgres", name: "db" }],
            /\(cache\)\.uses: got \["db"\]; a redis preset needs no other app's address/,
            { "devkube:cachePassword": "s", "devkube:dbPassword": "s" },
            ["devkube:cachePassword", "devkube:dbPassword"],
        ],
        [
            "a preset's data moved away from where its image keeps it",
            [{ preset: "postgres", volume: { mountPath: "/pg" } }],
            /\(postgres\)\.volume\.mountPath: got "\/pg"; a postgres preset keeps its data at \/var\/lib\/postgresql\/data/,
            { "devkube:postgresPassword": "s" },
            ["devkube:postgresPassword"],
        ],
        ["restartOnChange without a command", [{ ...base, workspace: {}, restartOnChange: true }], /\.restartOnChange: got true; restarting needs a command to restart/],
        ["workingDir that is not a boolean", [{ ...base, workspace: { workingDir: "no" } }], /\.workspace: got \{"workingDir":"no"\}; use \{ subPath: "hello", workingDir: true \}/],
        ["an env name with a space", [{ ...base, env: { "MY VAR": "x" } }], /\.env: got \{"MY VAR":"x"\}; use a map of variable names to strings/],
        ["an env value that is a number", [{ ...base, env: { PORT: 3000 } }], /\.env: got \{"PORT":3000\}; use a map of variable names to strings/],
        // Before the schema, a misspelled subPath was ignored and the app mounted the whole share.
        ["a misspelled workspace field", [{ ...base, workspace: { subpath: "hello" } }], /\.workspace: got \{"subpath":"hello"\}; unknown field "subpath"; use \{ subPath: "hello", workingDir: true \}/],
        ["a misspelled resources field", [{ ...base, resources: { cpuLimt: "1" } }], /\.resources: got \{"cpuLimt":"1"\}; unknown field "cpuLimt"; use \{ cpu: "100m", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" \}/],
        ["a cron minute out of range", [{ ...base, schedule: "60 9 * * *" }], /\.schedule: got "60 9 \* \* \*"; use a cron expression/],
        ["a request above its limit", [{ ...base, resources: { cpu: "2", cpuLimit: "1" } }], /\.resources\.cpu: got "2"; a request cannot exceed its limit \(cpuLimit is "1"\)/],
        ["an unknown key in a port", [{ ...base, ports: [{ port: 80, name: "http" }] }], /\.ports: got \[\{"port":80,"name":"http"\}\]; use a list of port numbers/],
        ["an Ingress without ports", [{ ...base, ingress: { hosts: ["a.example.org"], clusterIssuer: "le" } }], /\.ingress: got .*; an Ingress needs at least one entry in ports/],
        ["more pods than the pod quota", [{ ...base, replicas: 20 }, { ...base, name: "b", replicas: 20 }], /devkube:maxPods: got "40"; the apps can run up to 50 pods at once .* raise it to at least 58/],
        [
            "a service port out of range",
            [{ ...base, ports: [{ port: 6167, servicePort: 70000 }] }],
            /\.ports: got \[\{"port":6167,"servicePort":70000\}\]; use a list of port numbers from 1 to 65535, or \{ port: 6167, servicePort: 8448 \} entries/,
        ],
        [
            "an app data path inside the workspace",
            [],
            /devkube:appDataPath: got "\/data\/devkube\/db"; use a directory under one that minikube keeps .* and outside the workspace \/data\/devkube/,
            { "devkube:appDataPath": "/data/devkube/db" },
        ],
    ];
    for (const [title, apps, expected, extra, secretKeys] of cases) {
        it(title, async () => {
            await assert.rejects(
                runProgram("minikube", { ...stackConfigValues("minikube"), "devkube:apps": JSON.stringify(apps), ...(extra ?? {}) }, { secretKeys }),
                (error: Error) => {
                    assert.match(error.message, expected);
                    assert.match(error.message, /nothing was changed/);
                    return true;
                },
            );
        });
    }
});

describe("apps: own volumes the target cannot keep through the night", () => {
    const volumeApp = (volume: Record<string, string>) => JSON.stringify([{ name: "db", image: "postgres:17.2-alpine", volume }]);

    it("refuses a storage class on DigitalOcean, where the cluster (and every claim in it) goes each night", async () => {
        await assert.rejects(
            runDev({ "devkube:apps": volumeApp({ size: "5Gi", mountPath: "/var/lib/postgresql/data", storageClass: "do-block-storage" }) }),
            /devkube:apps\[0\] \(db\)\.volume\.storageClass: got "do-block-storage"; the digitalocean target deletes the cluster every night.*leave storageClass out/,
        );
    });
    it("asks for a storage class on a home lab that mounts an existing export (no disk of its own; databases do not belong on NFS)", async () => {
        await assert.rejects(
            runProgram("homelab", {
                ...STACK_CONFIG_EXPORT,
                "devkube:apps": volumeApp({ size: "5Gi", mountPath: "/var/lib/postgresql/data" }),
            }),
            /devkube:apps\[0\] \(db\)\.volume: got \{"size":"5Gi","mountPath":"\/var\/lib\/postgresql\/data"\}; devkube:baremetalMode=existing-export has no disk of its own for app data .* add storageClass/,
        );
        const run = await runProgram("homelab", {
            ...STACK_CONFIG_EXPORT,
            "devkube:apps": volumeApp({ size: "5Gi", mountPath: "/var/lib/postgresql/data", storageClass: "local-path" }),
        });
        assert.equal(byName(run, "kubernetes:core/v1:PersistentVolumeClaim", "db-data").inputs.spec.storageClassName, "local-path");
    });
});

describe("apps: the restart-on-change wrapper, run in sh", function () {
    const fs = require("fs") as typeof import("fs");
    const os = require("os") as typeof import("os");
    const path = require("path") as typeof import("path");
    const { spawn } = require("child_process") as typeof import("child_process");

    /**
     * The wrapper around `sh -c 'echo started; exec sleep 60'` in a scratch watch directory, with its
     * `sleep` replaced by a pause that says "pause <seconds>" and waits for the test's `tick()`: each
     * poll happens when the test says so, never on the clock.
     */
    function startWrapper() {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-watch-"));
        const dir = path.join(scratch, "code");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "server.js"), "// v1\n");
        const pause = path.join(scratch, "pause");
        fs.writeFileSync(pause, '#!/bin/sh\necho "pause $1" >&2\nread -r _\n', { mode: 0o755 });
        const child = spawn("sh", ["-c", RESTART_ON_CHANGE, "restart-on-change", "sh", "-c", "echo started; exec sleep 60"], {
            env: { ...process.env, DEVKUBE_WATCH_DIR: dir, DEVKUBE_PAUSE: pause },
            detached: true,
        });
        let log = "";
        const waiters: Array<() => void> = [];
        const record = (chunk: Buffer) => {
            log += chunk;
            waiters.forEach((check) => check());
        };
        child.stdout.on("data", record);
        child.stderr.on("data", record);
        const count = (line: string) => log.split("\n").filter((l) => l === line).length;
        return {
            dir,
            count,
            /** Resolves once `line` has been printed `times` times; fails with the log after 10 s. */
            printed(line: string, times: number): Promise<void> {
                return new Promise((resolve, reject) => {
                    const timer = setTimeout(() => reject(new Error(`expected ${times} x "${line}", got:\n${log}`)), 10_000);
                    const check = () => {
                        if (count(line) >= times) {
                            clearTimeout(timer);
                            resolve();
                        }
                    };
                    waiters.push(check);
                    check();
                });
            },
            tick: () => child.stdin.write("\n"),
            stop() {
                process.kill(-child.pid!, "SIGKILL");
                fs.rmSync(scratch, { recursive: true, force: true });
            },
        };
    }
    let wrapper: ReturnType<typeof startWrapper>;
    beforeEach(async () => {
        wrapper = startWrapper();
        await wrapper.printed("started", 1);
        await wrapper.printed("pause 2", 1);
    });
    afterEach(() => wrapper.stop());

    /** One poll that finds a change: the wrapper stops the command, pauses, and starts it again. */
    async function expectRestart() {
        wrapper.tick();
        await wrapper.printed("pause 1", 1);
        wrapper.tick();
        await wrapper.printed("started", 2);
        await wrapper.printed("pause 2", 2);
        assert.equal(wrapper.count("devkube: files changed, restarting"), 1);
    }

    it("restarts the command when a file under the watched directory changes", async () => {
        fs.writeFileSync(path.join(wrapper.dir, "server.js"), "// v2\n");
        await expectRestart();
    });
    it("restarts the command when a file is deleted", async () => {
        fs.rmSync(path.join(wrapper.dir, "server.js"));
        await expectRestart();
    });
    it("leaves it running while nothing changes, and ignores node_modules and .cache", async () => {
        fs.mkdirSync(path.join(wrapper.dir, "node_modules"));
        fs.writeFileSync(path.join(wrapper.dir, "node_modules", "x.js"), "");
        fs.mkdirSync(path.join(wrapper.dir, ".cache"));
        fs.writeFileSync(path.join(wrapper.dir, ".cache", "y"), "");
        wrapper.tick();
        await wrapper.printed("pause 2", 2);
        wrapper.tick();
        await wrapper.printed("pause 2", 3);
        assert.equal(wrapper.count("started"), 1);
        assert.equal(wrapper.count("devkube: files changed, restarting"), 0);
    });
});

describe("apps: resource quantities, read by the one parser the policy pack uses", () => {
    const keys = { isSecret: () => false, exists: () => false };
    const withResources = (resources: Record<string, string>) => parseApps([{ name: "hello", image: "node:22.12.0-alpine", resources }], keys);
    // Kubernetes spellings (k8s.io/apimachinery resource.Quantity) and non-quantities.
    const spellings = ["100m", "0.5", "2", "1e3m", "1E-1", "1Ti", "1T", "1Pi", "512Mi", "1.5Gi", ".5", "0", "0Mi", "-1", "1x", "1 Gi", "1.2.3", ""];
    for (const text of spellings) {
        it(`${JSON.stringify(text)}: devkube and its policy pack agree`, () => {
            const parsed = tryParseQuantity(text);
            const packAccepts = parsed.ok && !isZero(parsed.quantity) && !isNegative(parsed.quantity);
            const problems = withResources({ cpu: text, cpuLimit: text, memory: "64Mi", memoryLimit: "2Ti" }).problems;
            assert.equal(problems.length === 0, packAccepts, `devkube says ${JSON.stringify(problems)}, the pack ${packAccepts ? "accepts" : "refuses"} it`);
        });
    }
    it("compares a request with its limit exactly, whatever the spellings", () => {
        assert.deepEqual(withResources({ cpu: "1e0", cpuLimit: "1000m" }).problems, [], "1e0 = 1000m = 1 core");
        assert.match(withResources({ memory: "1Ti", memoryLimit: "1000Gi" }).problems.join("\n"), /resources\.memory: got "1Ti"; a request cannot exceed its limit/);
    });
});

describe("apps: the entry's schema (config/app-fields.ts)", () => {
    // A few bad values for every field: each must be answered in devkube's words, never zod's defaults.
    const BAD: Record<AppField, unknown[]> = {
        name: [1, "Bad", "x".repeat(41), "web", undefined],
        preset: ["mysql", 1],
        image: [undefined, "", 1, "node"],
        command: ["x", [1]],
        args: [{}],
        probeCommand: [[], [1], "x"],
        ports: ["80", [0], [{ port: "80" }], [{ port: 80, name: "x" }], [null]],
        replicas: ["1", -1, 21, 1.5],
        env: [[], { "A B": "x" }, { A: 1 }],
        secretEnv: [[], "x"],
        workspace: ["x", { subPath: "/a" }, { subPath: "../a" }, { workingDir: 1 }, { x: 1 }],
        restartOnChange: ["yes"],
        expose: ["Public"],
        ingress: ["x", { hosts: [] }, { hosts: ["A"] }, { hosts: "a.b" }, { hosts: ["a.b", "a.b"] }, { hosts: ["a.b"], className: 1, clusterIssuer: 1, path: "x" }, { hosts: ["a.b"], foo: 1 }],
        volume: ["x", {}, { size: "5G", mountPath: "/" }, { size: 5, mountPath: 1, storageClass: 2 }, { size: "5Gi", mountPath: "/d", x: 1 }],
        strategy: ["x"],
        schedule: [1, "x"],
        successfulJobsHistoryLimit: ["1", 21],
        failedJobsHistoryLimit: [-1],
        resources: ["x", { cpu: "0" }, { cpu: 1 }, { memory: "lots" }, { gpu: "1" }],
        probePath: [1, "x"],
        uses: ["db", [1]],
    };
    it("answers every bad value of every field with the field's own rule, never a default text of the schema library", () => {
        assert.deepEqual(Object.keys(BAD).sort(), [...APP_FIELD_NAMES].sort(), "a bad value for every field");
        for (const [field, values] of Object.entries(BAD) as Array<[AppField, unknown[]]>) {
            for (const value of values) {
                const problems: string[] = [];
                assert.equal(checkField(field, value, (where, got, allowed) => problems.push(`${where}: got ${JSON.stringify(got)}; ${allowed}`)), undefined, `${field} ${JSON.stringify(value)} refused`);
                assert.ok(problems.length > 0, `${field} ${JSON.stringify(value)} is reported`);
                for (const problem of problems) {
                    assert.match(problem, new RegExp(`^${field}(\\.[a-zA-Z]+)?: got `), problem);
                    assert.doesNotMatch(problem, /Invalid|expected|received|Unrecognized/, problem);
                }
            }
        }
    });
    it("the README's Fields section names every field", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("### Fields"), readme.indexOf("A bad entry stops the run"));
        assert.ok(section.length > 100, "the README has a Fields section");
        for (const field of APP_FIELD_NAMES) {
            assert.match(section, new RegExp(`\`${field}\``), `README Fields names ${field}`);
        }
    });
    it("fills the defaults a user leaves out", () => {
        const none = () => assert.fail("no problem");
        assert.deepEqual(checkField("resources", { cpu: "1" }, none), { cpu: "1", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" });
        assert.deepEqual(checkField("workspace", {}, none), { subPath: "", workingDir: true });
        assert.deepEqual(checkField("ports", [80, { port: 6167, servicePort: 8448 }], none), [{ port: 80, servicePort: 80 }, { port: 6167, servicePort: 8448 }]);
        assert.deepEqual(checkField("volume", { size: "1Ti", mountPath: "/data" }, none), { size: { quantity: "1Ti", gib: 1024 }, mountPath: "/data" });
    });
});
