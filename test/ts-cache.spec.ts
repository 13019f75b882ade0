// scripts/ts-cache.js: the program's and the policy pack's TypeScript compiled once per change, in real
// Node.js processes with the installed TypeScript compiler and source-map-support.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** How many files this process compiled (the rest came from the cache). */
    readonly compiled: number;
    readonly compilerLoaded: boolean;
}

/** Runs `program` (a .ts file) in a new Node.js process through a TypeScriptCache, as the runners do. */
function run(dir: string, program: string, tsconfig = path.join(dir, "tsconfig.json"), typeCheck = false): Run {
    const script = `
        const { TypeScriptCache } = require(${JSON.stringify(path.join(ROOT, "scripts", "ts-cache.js"))});
        const cache = new TypeScriptCache({
            typescript: require.resolve("typescript"),
            tsconfig: ${JSON.stringify(tsconfig)},
            cacheDir: ${JSON.stringify(path.join(dir, "cache"))},
            typeCheck: ${typeCheck},
        });
        cache.register(require("source-map-support"));
        const report = () => console.log("@@" + JSON.stringify({
            compiled: cache.compiled,
            compilerLoaded: Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib/.test(f)),
        }));
        try { require(${JSON.stringify(program)}); } catch (e) { console.error(e.name + ": " + e.message); console.error(e.stack); report(); process.exit(3); }
        report();`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    const line = r.stdout.split("\n").find((l) => l.startsWith("@@"));
    const reported = line ? JSON.parse(line.slice(2)) : { compiled: -1, compilerLoaded: undefined };
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ...reported };
}

function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-ts-cache-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", esModuleInterop: true, noCheck: true } });
const entries = (dir: string) => (fs.existsSync(path.join(dir, "cache")) ? fs.readdirSync(path.join(dir, "cache")).sort() : []);
const pattern = (file: string) => file.replace(/[.\\/]/g, "\\$&");

describe("ts-cache: TypeScript compiled once per change of a file", () => {
    let dir: string;
    beforeEach(() => {
        dir = project({
            "tsconfig.json": TSCONFIG,
            "index.ts": `import { twice } from "./lib";\nconst n: number = twice(21);\nconsole.log("answer", n);\n`,
            "lib.ts": `export interface Unused { a: string }\nexport function twice(n: number): number {\n    return n * 2;\n}\n`,
        });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a second start takes every file from the cache and never loads the compiler", () => {
        const first = run(dir, path.join(dir, "index.ts"));
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout, /answer 42/);
        assert.deepEqual([first.compiled, first.compilerLoaded], [2, true]);
        const second = run(dir, path.join(dir, "index.ts"));
        assert.equal(second.status, 0, second.stderr);
        assert.match(second.stdout, /answer 42/);
        assert.deepEqual([second.compiled, second.compilerLoaded], [0, false]);
        assert.equal(entries(dir).length, 2);
    });

    it("an edit recompiles that file alone and replaces its entry; a tsconfig.json change recompiles all", () => {
        run(dir, path.join(dir, "index.ts"));
        const before = entries(dir);
        fs.appendFileSync(path.join(dir, "index.ts"), `console.log("edited");\n`);
        const edited = run(dir, path.join(dir, "index.ts"));
        assert.match(edited.stdout, /answer 42\nedited/);
        assert.equal(edited.compiled, 1);
        const after = entries(dir);
        assert.equal(after.length, 2, "the older entry of index.ts is gone");
        assert.equal(after.filter((e) => before.includes(e)).length, 1, "lib.ts's entry is kept");
        fs.writeFileSync(path.join(dir, "tsconfig.json"), TSCONFIG.replace("ES2022", "ES2020"));
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 2);
    });

    it("the program and the pack share a file, each with its own tsconfig.json: both stay cached", () => {
        fs.writeFileSync(path.join(dir, "pack.json"), TSCONFIG.replace("ES2022", "ES2020"));
        run(dir, path.join(dir, "index.ts"));
        run(dir, path.join(dir, "index.ts"), path.join(dir, "pack.json"));
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 0);
        assert.equal(run(dir, path.join(dir, "index.ts"), path.join(dir, "pack.json")).compiled, 0);
    });

    it("a syntax error stops the run as a TSError with the file, line and message, and nothing is cached for it", () => {
        fs.writeFileSync(path.join(dir, "lib.ts"), `export function twice(n: number): number {\n    return n * ;\n}\n`);
        const broken = run(dir, path.join(dir, "index.ts"));
        assert.equal(broken.status, 3);
        assert.match(broken.stderr, /^TSError: .*lib\.ts\(2,16\): error TS1109: Expression expected\./m);
        assert.ok(!entries(dir).some((e) => fs.readFileSync(path.join(dir, "cache", e), "utf8").includes("n * ;")));
    });

    it("a stack trace points at the line in the .ts file, from the cache too", () => {
        fs.writeFileSync(path.join(dir, "lib.ts"), `type Unused = string;\n\nexport function twice(n: number): number {\n    throw new Error("at line four " + n);\n}\n`);
        for (const attempt of ["compiled", "cached"]) {
            const failed = run(dir, path.join(dir, "index.ts"));
            assert.equal(failed.status, 3, attempt);
            assert.match(failed.stderr, /at line four 21/);
            assert.match(failed.stderr, new RegExp(`at twice \\(${pattern(path.join(dir, "lib.ts"))}:4:11\\)`), `${attempt}: ${failed.stderr}`);
        }
    });

    it("with tsconfig.json's outDir (as devkube's has), a stack trace names the .ts file where it is, at any depth", () => {
        fs.writeFileSync(path.join(dir, "tsconfig.json"), TSCONFIG.replace('"noCheck":true', '"noCheck":true,"outDir":"bin","declaration":true'));
        fs.mkdirSync(path.join(dir, "components", "deep"), { recursive: true });
        fs.writeFileSync(path.join(dir, "components", "deep", "lib.ts"), `type Unused = string;\nexport function twice(n: number): number {\n    throw new Error("deep " + n);\n}\n`);
        fs.writeFileSync(path.join(dir, "index.ts"), `import { twice } from "./components/deep/lib";\n\nexport const n: number = twice(21);\n`);
        for (const attempt of ["compiled", "cached"]) {
            const failed = run(dir, path.join(dir, "index.ts"));
            assert.equal(failed.status, 3, attempt);
            assert.match(failed.stderr, new RegExp(`at twice \\(${pattern(path.join(dir, "components", "deep", "lib.ts"))}:3:11\\)`), `${attempt}: ${failed.stderr}`);
            assert.match(failed.stderr, new RegExp(`\\(${pattern(path.join(dir, "index.ts"))}:3:`), `${attempt}: ${failed.stderr}`);
        }
    });

    it("an entry cut short (a crash while it was written) is compiled again, never run", () => {
        run(dir, path.join(dir, "index.ts"));
        for (const entry of entries(dir)) {
            const file = path.join(dir, "cache", entry);
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 40));
        }
        const again = run(dir, path.join(dir, "index.ts"));
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stdout, /answer 42/);
        assert.equal(again.compiled, 2);
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 0, "and stored whole again");
    });

    it("JavaScript that Node.js refuses to load (an error TypeScript's parser lets through) is not cached", () => {
        fs.writeFileSync(path.join(dir, "lib.ts"), `export function twice(n: number): number {\n    const unset;\n    return n * 2;\n}\n`);
        const refused = run(dir, path.join(dir, "index.ts"));
        assert.equal(refused.status, 3);
        assert.match(refused.stderr, /SyntaxError: Missing initializer in const declaration/);
        assert.equal(entries(dir).length, 1, "index.ts's alone");
        fs.writeFileSync(path.join(dir, "lib.ts"), `export function twice(n: number): number {\n    return n * 2;\n}\n`);
        assert.match(run(dir, path.join(dir, "index.ts")).stdout, /answer 42/);
    });

    it("with the type check a runner asks for: a type error anywhere stops the first start after a change, and nothing is kept", () => {
        fs.writeFileSync(path.join(dir, "types.ts"), `export type Answer = number;\n`);
        fs.writeFileSync(path.join(dir, "index.ts"), `declare const console: any;\nimport type { Answer } from "./types";\nimport { twice } from "./lib";\nconst n: Answer = twice(21);\nconsole.log("answer", n);\n`);
        const checked = () => run(dir, path.join(dir, "index.ts"), path.join(dir, "tsconfig.json"), true);
        const first = checked();
        assert.equal(first.status, 0, first.stderr);
        assert.deepEqual([first.compiled, first.compilerLoaded], [2, true]);
        const again = checked();
        assert.deepEqual([again.status, again.compiled, again.compilerLoaded], [0, 0, false], "nothing changed: no check, no compiler");
        // types.ts is never loaded at run time (types only): every loaded file is in the cache, and still checked.
        fs.writeFileSync(path.join(dir, "types.ts"), `export type Answer = string;\n`);
        const refused = checked();
        assert.equal(refused.status, 3);
        assert.match(refused.stderr, /^TSError: .*index\.ts\(4,7\): error TS2322: Type 'number' is not assignable to type 'string'\./m);
        assert.equal(checked().status, 3, "refused until it is fixed");
        fs.writeFileSync(path.join(dir, "types.ts"), `export type Answer = number;\n`);
        assert.deepEqual([checked().status, checked().compilerLoaded], [0, false], "back as it was when last checked");
        // Installed packages (what the check read in node_modules) changed: checked again.
        fs.writeFileSync(path.join(dir, "package-lock.json"), `{"lockfileVersion": 3}\n`);
        const reinstalled = checked();
        assert.deepEqual([reinstalled.status, reinstalled.compiled, reinstalled.compilerLoaded], [0, 0, true]);
        // A file compiled without the check is not taken by a checked run.
        fs.appendFileSync(path.join(dir, "lib.ts"), `export const unchecked = true;\n`);
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 2);
        const after = checked();
        assert.deepEqual([after.compiled, after.compilerLoaded, checked().compiled], [1, true, 0]);
    });

    it("a frame in an installed package stays at the JavaScript that runs, not at the TypeScript its map names", () => {
        fs.mkdirSync(path.join(dir, "node_modules", "thrower"), { recursive: true });
        fs.writeFileSync(path.join(dir, "node_modules", "thrower", "index.js"), `"use strict";\nexports.fail = function fail() {\n    throw new Error("from a package");\n};\n//# sourceMappingURL=index.js.map\n`);
        fs.writeFileSync(path.join(dir, "node_modules", "thrower", "index.js.map"), JSON.stringify({ version: 3, file: "index.js", sources: ["index.ts"], names: [], mappings: "AAAA;AACA;AAAA,MAAM;AACN" }));
        fs.writeFileSync(path.join(dir, "index.ts"), `import { fail } from "thrower";\nfail();\n`);
        const failed = run(dir, path.join(dir, "index.ts"));
        assert.equal(failed.status, 3);
        assert.match(failed.stderr, /at fail \(.*[\\/]node_modules[\\/]thrower[\\/]index\.js:3:11\)/, failed.stderr);
        assert.doesNotMatch(failed.stderr, /index\.ts:\d+:\d+\)[\s\S]*thrower|thrower[\\/]index\.ts/);
        assert.match(failed.stderr, new RegExp(`${pattern(path.join(dir, "index.ts"))}:2:`), "the program's own frame is mapped");
    });

    it("entries no start has read for 30 days (a deleted file's, a scratch copy's) are removed when something is compiled; those in use are kept", () => {
        run(dir, path.join(dir, "index.ts"));
        const cacheDir = path.join(dir, "cache");
        const day = 24 * 3600;
        const age = (name: string, days: number) => {
            const at = Date.now() / 1000 - days * day;
            fs.utimesSync(path.join(cacheDir, name), at, at);
        };
        const inUse = entries(dir).filter((e) => e.endsWith(".js"));
        assert.equal(inUse.length, 2);
        fs.writeFileSync(path.join(cacheDir, "0123456789abcdef-deadbeef.js"), "// a deleted file's entry\n");
        age("0123456789abcdef-deadbeef.js", 40);
        fs.writeFileSync(path.join(cacheDir, "fedcba9876543210-beefdead.js"), "// a file's entry from last week\n");
        age("fedcba9876543210-beefdead.js", 7);
        // Entries of files still in use, last read long ago: the next start reads them, and that counts.
        for (const entry of inUse) {
            age(entry, 40);
        }
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 0);
        fs.writeFileSync(path.join(dir, "other.ts"), `export const x = 1;\n`);
        assert.equal(run(dir, path.join(dir, "other.ts")).compiled, 1);
        const after = entries(dir);
        assert.ok(!after.includes("0123456789abcdef-deadbeef.js"), "the old one is gone");
        assert.ok(after.includes("fedcba9876543210-beefdead.js"), "a week-old one stays");
        assert.ok(inUse.every((e) => after.includes(e)), "those read at the last start stay");
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 0);
    });

    it("the sweep comes after the run's own reads: an old entry of an unchanged import is still taken when only the root changed", () => {
        run(dir, path.join(dir, "index.ts"));
        const at = Date.now() / 1000 - 40 * 24 * 3600;
        for (const entry of entries(dir)) {
            fs.utimesSync(path.join(dir, "cache", entry), at, at);
        }
        fs.appendFileSync(path.join(dir, "index.ts"), `console.log("edited");\n`);
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 1, "lib.ts from the cache");
        assert.equal(run(dir, path.join(dir, "index.ts")).compiled, 0);
    });

    it("a cache that cannot be written: each start compiles, and the program runs", () => {
        fs.writeFileSync(path.join(dir, "cache"), "not a folder");
        for (let i = 0; i < 2; i++) {
            const r = run(dir, path.join(dir, "index.ts"));
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /answer 42/);
            assert.equal(r.compiled, 2);
        }
    });
});

describe("scripts/ts-run.js: devkube's own TypeScript scripts started by plain node, through the cache (npm run up's stack-prepare)", () => {
    let dir: string;
    beforeEach(() => {
        dir = project({
            "main.ts": [
                `import { twice } from "./lib";`,
                `const n: number = twice(21);`,
                `console.log(JSON.stringify({ n, main: require.main === module, args: process.argv.slice(2),`,
                `    compiler: Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib/.test(f)) }));`,
                `if (process.argv[2] === "throw") { twice(Number.NaN); }`,
                ``,
            ].join("\n"),
            "lib.ts": `type Unused = string;\n\nexport function twice(n: number): number {\n    if (Number.isNaN(n)) throw new Error("not a number");\n    return n * 2;\n}\n`,
        });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const tsRun = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "scripts", "ts-run.js"), ...args], { cwd: dir, encoding: "utf8" });

    it("runs a .ts file as the main module with its arguments; a second start loads no compiler", () => {
        for (const start of ["first", "second"]) {
            const r = tsRun("main.ts", "a", "--b");
            assert.equal(r.status, 0, r.stderr);
            const out = JSON.parse(r.stdout);
            assert.deepEqual([out.n, out.main, out.args], [42, true, ["a", "--b"]], start);
            if (start === "second") {
                assert.equal(out.compiler, false, "taken from the cache");
            }
        }
    });
    it("an error's stack trace points at the .ts line", () => {
        const r = tsRun("main.ts", "throw");
        assert.equal(r.status, 1);
        assert.match(r.stderr, new RegExp(`at twice \\(${pattern(path.join(dir, "lib.ts"))}:4:`), r.stderr);
        assert.match(r.stderr.split("\n")[0], /^Error: not a number$/, "the script's error first, not a line of the runner");
    });
    it("a syntax error: the file, the line and TypeScript's message, exit 1; no file: usage, exit 2", () => {
        fs.writeFileSync(path.join(dir, "lib.ts"), `export function twice(n: number): number {\n    return n * ;\n}\n`);
        const broken = tsRun("main.ts");
        assert.equal(broken.status, 1);
        assert.match(broken.stderr, /^.*lib\.ts\(2,16\): error TS1109: Expression expected\.$/m);
        assert.doesNotMatch(broken.stderr, /ts-cache\.js|ts-run\.js/, "no stack of the runner itself");
        const usage = tsRun();
        assert.equal(usage.status, 2);
        assert.match(usage.stderr, /^usage: node scripts\/ts-run\.js <file\.ts> \[arguments\]/);
    });
});
