// scripts/fast-start.js, as the Node.js processes of the program and of the policy pack get it
// (NODE_OPTIONS from fastStartNodeOptions): real Node.js processes loading the installed @pulumi/pulumi.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fastStartNodeOptions } from "../scripts/pulumi-cli";
import { ROOT } from "./harness";

interface Started {
    readonly arboristLoaded: boolean;
    readonly modules: number;
    readonly arboristOnUse: string;
}

/** Starts Node.js in `dir` as the CLI would, loads @pulumi/pulumi, then reads `Arborist` as its one user does. */
function start(dir: string, nodeOptions: string): Started {
    const script = `
        const Module = require("module");
        require("@pulumi/pulumi");
        const loaded = Object.keys(require.cache);
        const codePaths = require.cache[require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js")];
        const Arborist = Module._load("@npmcli/arborist", codePaths, false).Arborist;
        console.log(JSON.stringify({
            arboristLoaded: loaded.some((f) => f.includes("@npmcli/arborist")),
            modules: loaded.length,
            arboristOnUse: typeof Arborist === "function" && Arborist === require(require.resolve("@npmcli/arborist", { paths: [codePaths.filename] })).Arborist ? "the real class" : String(Arborist),
        }));`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: dir, env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

describe("fast-start: what the program's and the policy pack's Node.js processes preload", () => {
    const preload = fastStartNodeOptions(ROOT, "");
    for (const [who, dir] of [
        ["the program", ROOT],
        ["the policy pack (its own @pulumi/pulumi)", path.join(ROOT, "policies")],
    ]) {
        it(`${who}: @pulumi/pulumi starts without npm's arborist, which loads when it is used`, () => {
            const plain = start(dir, "");
            const fast = start(dir, preload);
            assert.equal(plain.arboristLoaded, true, "without the preload, @pulumi/pulumi loads it at start");
            assert.equal(fast.arboristLoaded, false);
            assert.ok(fast.modules < plain.modules - 300, `${fast.modules} modules with the preload, ${plain.modules} without`);
            assert.equal(fast.arboristOnUse, "the real class");
        });
    }
    it("NODE_OPTIONS: the preload first, the user's own options kept, never twice", () => {
        assert.equal(preload, `--require ${JSON.stringify(path.join(ROOT, "scripts", "fast-start.js"))}`);
        assert.equal(fastStartNodeOptions(ROOT, "--max-old-space-size=3072"), `${preload} --max-old-space-size=3072`);
        assert.equal(fastStartNodeOptions(ROOT, `${preload} --max-old-space-size=3072`), `${preload} --max-old-space-size=3072`);
    });

    describe("TypeScript: the runners compile through scripts/ts-cache.js instead of ts-node", () => {
        let dir: string;
        /** The preload as a copy in `dir`, so that its cache (dir/node_modules/.cache) is the test's own. */
        let copied: string;
        const PACK_RUNNER = path.join(ROOT, "policies", "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        const REPORT = `console.log("@@" + JSON.stringify({
            typed: typeof (globalThis as any).__typed,
            compilerLoaded: Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib/.test(f)),
        }));
        process.exit(0);`;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-fast-start-"));
            fs.mkdirSync(path.join(dir, "scripts"));
            for (const file of ["fast-start.js", "ts-cache.js"]) {
                fs.copyFileSync(path.join(ROOT, "scripts", file), path.join(dir, "scripts", file));
            }
            copied = fastStartNodeOptions(dir, "");
            fs.mkdirSync(path.join(dir, "pack"));
            fs.copyFileSync(path.join(ROOT, "policies", "tsconfig.json"), path.join(dir, "pack", "tsconfig.json"));
            // A type error the compiler's type check would refuse; the pack's runner otherwise type-checks.
            fs.writeFileSync(path.join(dir, "pack", "index.ts"), `const n: number = "not a number" as unknown as string;\n(globalThis as any).__typed = n;\n${REPORT}\n`);
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        /** Starts the real policy pack runner (cmd/run-policy-pack) on the pack in dir/pack. */
        function startPack(nodeOptions: string, env: Record<string, string> = {}) {
            const r = spawnSync(process.execPath, [PACK_RUNNER, "127.0.0.1:1", "."], {
                cwd: path.join(dir, "pack"),
                env: { ...process.env, NODE_OPTIONS: nodeOptions, ...env },
                encoding: "utf8",
            });
            const line = r.stdout.split("\n").find((l) => l.startsWith("@@"));
            return { status: r.status, output: r.stdout + r.stderr, ...(line ? JSON.parse(line.slice(2)) : {}) };
        }

        it("the policy pack's runner: type-checked as it asks, compiled once, then started without the compiler", () => {
            const plain = startPack("");
            assert.notEqual(plain.status, 0, "without the preload ts-node type-checks the pack and refuses it");
            assert.match(plain.output, /TS2322: Type 'string' is not assignable to type 'number'/);
            const refused = startPack(copied);
            assert.notEqual(refused.status, 0, "the same type check refuses it");
            assert.match(refused.output, /TSError: index\.ts\(1,7\): error TS2322: Type 'string' is not assignable to type 'number'/);
            assert.ok(!fs.existsSync(path.join(dir, "node_modules", ".cache", "devkube-ts")), "nothing cached");
            fs.writeFileSync(path.join(dir, "pack", "index.ts"), `declare const require: any, process: any, console: any;\n(globalThis as any).__typed = 1 as number;\n${REPORT}\n`);
            const first = startPack(copied);
            assert.equal(first.status, 0, first.output);
            assert.deepEqual([first.typed, first.compilerLoaded], ["number", true]);
            const second = startPack(copied);
            assert.equal(second.status, 0, second.output);
            assert.deepEqual([second.typed, second.compilerLoaded], ["number", false]);
        });

        it("PULUMI_NODEJS_TRANSPILE_ONLY=false (any value but true) leaves the runners to ts-node", () => {
            for (const value of ["false", "0"]) {
                const checked = startPack(copied, { PULUMI_NODEJS_TRANSPILE_ONLY: value });
                assert.notEqual(checked.status, 0, value);
                assert.match(checked.output, /Unable to compile TypeScript[\s\S]*TS2322/, value);
            }
            const cached = startPack(copied, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
            assert.notEqual(cached.status, 0);
            assert.doesNotMatch(cached.output, /Unable to compile TypeScript/);
            assert.match(cached.output, /TSError: index\.ts\(1,7\): error TS2322/);
        });

        it("the program's runner asks for TypeScript as the pack's does, and gets the cache", () => {
            // cmd/run needs a live engine before it loads the program, so this replays what its run.js
            // asks for, in its order, from run.js's own place; the e2e suite runs the real one.
            const runner = require.resolve("@pulumi/pulumi/cmd/run/run.js", { paths: [ROOT] });
            const source = fs.readFileSync(runner, "utf8");
            for (const call of ['require("../../tsutils")', "tsutils.typeScriptRequireStrings()", "require(typescriptRequire)", "require(tsnodeRequire)", "tsn.register(options)"]) {
                assert.ok(source.includes(call), `cmd/run/run.js no longer has ${call}: check scripts/fast-start.js against it`);
            }
            fs.writeFileSync(path.join(dir, "pack", "program.ts"), `import { strict } from "assert";\nstrict.ok(true);\n(globalThis as any).__typed = 1 as number;\n${REPORT}\n`);
            const replay = `
                const Module = require("module");
                const runner = new Module(${JSON.stringify(runner)});
                runner.filename = ${JSON.stringify(runner)};
                runner.paths = Module._nodeModulePaths(require("path").dirname(runner.filename));
                const tsutils = Module._load("../../tsutils", runner, false);
                tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
                const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
                if (!/^\\d+\\.\\d+/.test(Module._load(typescriptRequire, runner, false).version)) throw new Error("no compiler version");
                Module._load(tsnodeRequire, runner, false).register({ transpileOnly: true, project: "tsconfig.json", compilerOptions: {} });
                require(require("path").resolve("program.ts"));`;
            for (const round of ["compiled", "cached"]) {
                const r = spawnSync(process.execPath, ["-e", replay], { cwd: path.join(dir, "pack"), env: { ...process.env, NODE_OPTIONS: copied }, encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr);
                const reported = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("@@"))!.slice(2));
                assert.deepEqual([reported.typed, reported.compilerLoaded], ["number", round === "compiled"], round);
            }
        });
    });

    it("@pulumi/pulumi loads without the TypeScript compiler, which closure serialization loads on use", () => {
        const script = `
            const pulumi = require("@pulumi/pulumi");
            const loaded = (part) => Object.keys(require.cache).some((f) => f.includes(part));
            const atStart = loaded("typescript/lib");
            pulumi.runtime.serializeFunction(() => 42).then((fn) => console.log(JSON.stringify({ atStart, onUse: loaded("typescript/lib"), text: fn.text.includes("42") })));`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: preload }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { atStart: false, onUse: true, text: true });
    });

    it("the runners start without V8's debugger, which the closure serializer turns on when it needs it, knowing every script", () => {
        const script = `
            const pulumi = require("@pulumi/pulumi");
            // What both runners do before they load the program or the pack.
            const hooks = require("@pulumi/pulumi/runtime/closure/v8Hooks");
            hooks.isInitializedAsync().then(async () => {
                const debuggerAtStart = Object.keys(require.cache).some((f) => f.endsWith("v8Hooks.js"));
                const session = await hooks.getSessionAsync();
                globalThis.__fn = pulumi.output;
                const url = await new Promise((resolve, reject) =>
                    session.post("Runtime.evaluate", { expression: "globalThis.__fn" }, (err, evaluated) =>
                        err ? reject(err) : session.post("Runtime.getProperties", { objectId: evaluated.result.objectId }, (err2, props) =>
                            err2 ? reject(err2) : resolve(hooks.getScriptUrl(props.internalProperties.find((p) => p.name === "[[FunctionLocation]]").value.value.scriptId)))));
                const serialized = await pulumi.runtime.serializeFunction(() => pulumi.output(42));
                console.log(JSON.stringify({ debuggerAtStart, url, serialized: serialized.text.includes("42") }));
            });`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: preload }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), {
            debuggerAtStart: false,
            url: `file://${require.resolve("@pulumi/pulumi/output.js", { paths: [ROOT] })}`,
            serialized: true,
        });
    });

    for (const [who, dir] of [
        ["the program", ROOT],
        ["the policy pack", path.join(ROOT, "policies")],
    ]) {
        it(`${who}: a promise's debug stack (for the SDK's leak message) is taken when the promise is made and formatted only when read`, () => {
            const script = `
                const debuggable = require("@pulumi/pulumi/runtime/debuggable");
                let formatted = 0;
                Error.prepareStackTrace = (error, frames) => { formatted++; return "Error\\n" + frames.map((f) => "    at " + f.getFunctionName()).join("\\n"); };
                const promise = Promise.resolve(42);
                function registerSomething() { return debuggable.debuggablePromise(promise, "a context"); }
                registerSomething();
                const atCreation = formatted;
                const text = debuggable.promiseDebugString(promise);
                const limit = Error.stackTraceLimit;
                console.log(JSON.stringify({ atCreation, onRead: formatted, frames: text.split("\\n").slice(3, 5), context: text.split("\\n")[0], limit }));`;
            const r = spawnSync(process.execPath, ["-e", script], { cwd: dir, env: { ...process.env, NODE_OPTIONS: preload }, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), {
                atCreation: 0,
                onRead: 1,
                frames: ["    at debuggablePromise", "    at registerSomething"],
                context: "CONTEXT(0): a context",
                limit: 10,
            });
        });
    }

    it("the program's tracing module loads without OpenTelemetry's tracer and exporter, which start when asked", () => {
        const tracing = require.resolve("@pulumi/pulumi/cmd/run/tracing.js", { paths: [ROOT] });
        const script = `
            const tracing = require(${JSON.stringify(tracing)});
            const loaded = () => ["sdk-trace-node", "exporter-zipkin", "instrumentation-grpc"].filter((m) => Object.keys(require.cache).some((f) => f.includes("@opentelemetry/" + m)));
            const atStart = loaded();
            tracing.start("http://127.0.0.1:9/api/v2/spans");
            tracing.newSpan("a span").end();
            tracing.stop();
            console.log(JSON.stringify({ atStart, started: loaded() }));`;
        const r = spawnSync(process.execPath, ["--no-deprecation", "--no-warnings", "-e", script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: preload }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { atStart: [], started: ["sdk-trace-node", "exporter-zipkin", "instrumentation-grpc"] });
        // Every name tracing.js takes from those modules is one it calls or constructs.
        const source = fs.readFileSync(tracing, "utf8");
        for (const [, names, module] of source.matchAll(/const \{([^}]+)\} = require\("(@opentelemetry\/[^"]+)"\)/g)) {
            const real = require(require.resolve(module, { paths: [path.dirname(tracing)] }));
            for (const name of names.split(",").map((n) => n.trim())) {
                assert.equal(typeof real[name], "function", `${module}.${name}`);
            }
        }
    });
});
