// The program's and the policy pack's TypeScript, compiled once per change of a file instead of at every start.
// scripts/fast-start.js installs it in place of ts-node when Pulumi's runners ask for ts-node. Loading the
// TypeScript compiler is about 0.4 s of each start (the program and the pack each start twice per `up`);
// a file whose compiled JavaScript is in the cache needs no compiler. What it does matches ts-node's
// transpile-only mode, which the program already ran in (tsconfig.json says noCheck): each file on its
// own, types erased, no type check (`npm test` and `npm run typecheck` check both), syntax errors still
// stop the run with the file, line and message. Plain JavaScript: it runs before any compiler is loaded.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

/** Raised with every compiled file's key, so that a change here makes every cached file stale. */
const FORMAT = 1;

/**
 * What Pulumi's runners give ts-node before tsconfig.json's own options (cmd/run/run.js,
 * cmd/run-policy-pack/run.js), as a CommonJS project compiles them, one file at a time.
 */
const RUNNER_DEFAULTS = { target: "ES2020", module: "commonjs", moduleResolution: "node" };

/**
 * The source map given to installed packages' JavaScript: their frames in a stack trace stay as they are,
 * pointing at the files that run. The SDK registers source-map-support, which otherwise parses a package's
 * map for each file in a stack trace, and @pulumi/pulumi takes a stack trace of every resource it
 * registers (0.2 s of each program run); their maps lead to TypeScript sources that are not installed.
 */
const NO_MAPPINGS = JSON.stringify({ version: 3, sources: [], names: [], mappings: "" });

/** The name run.js gives an error whose message already says where (it then prints no stack). */
class TSError extends Error {
    constructor(message) {
        super(message);
        this.name = "TSError";
    }
}

/**
 * A cache entry's file: a prefix per source file and tsconfig.json (the program and the pack share files, each
 * compiled with its own options), then the key. Storing an entry removes the older ones of its prefix.
 */
function entryName(filename, tsconfig, key) {
    return `${crypto.createHash("sha256").update(JSON.stringify([filename, tsconfig])).digest("hex").slice(0, 16)}-${key}.js`;
}

/**
 * Compiles `.ts` files as `typescript` (the module path of the compiler) with the options of `tsconfig`
 * (a path), keeping the JavaScript in `cacheDir`.
 */
class TypeScriptCache {
    constructor({ typescript, tsconfig, cacheDir }) {
        this.typescript = typescript;
        this.tsconfig = tsconfig;
        this.cacheDir = cacheDir;
        this.version = JSON.parse(fs.readFileSync(path.join(packageDir(typescript), "package.json"), "utf8")).version;
        this.tsconfigText = fs.existsSync(tsconfig) ? fs.readFileSync(tsconfig, "utf8") : "";
        /** Compiled JavaScript by file name, for source-map-support (stack traces point into the .ts files). */
        this.outputs = new Map();
        this.compiled = 0;
    }

    key(filename, source) {
        return crypto.createHash("sha256").update(JSON.stringify([FORMAT, this.version, this.tsconfigText, filename])).update(source).digest("hex");
    }

    /** The JavaScript of one file: from the cache, or compiled (and then cached). */
    compile(filename, source) {
        const name = entryName(filename, this.tsconfig, this.key(filename, source));
        let js;
        try {
            js = fs.readFileSync(path.join(this.cacheDir, name), "utf8");
        } catch {
            js = this.transpile(filename, source);
            this.store(name, js);
        }
        this.outputs.set(filename, js);
        return js;
    }

    transpile(filename, source) {
        const ts = require(this.typescript);
        this.options ??= compilerOptions(ts, this.tsconfig, this.tsconfigText);
        const out = ts.transpileModule(source, { fileName: filename, compilerOptions: this.options, reportDiagnostics: true });
        const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
        if (errors.length > 0) {
            throw new TSError(formatDiagnostics(ts, errors));
        }
        this.compiled++;
        return out.outputText;
    }

    /** Writes one entry (whole or not at all) and removes the same file's older ones; a cache that cannot be written is skipped. */
    store(name, js) {
        try {
            fs.mkdirSync(this.cacheDir, { recursive: true });
            const prefix = name.slice(0, name.indexOf("-") + 1);
            for (const old of fs.readdirSync(this.cacheDir)) {
                if (old.startsWith(prefix) && old !== name) {
                    fs.rmSync(path.join(this.cacheDir, old), { force: true });
                }
            }
            const partial = path.join(this.cacheDir, `${name}.${process.pid}.partial`);
            fs.writeFileSync(partial, js);
            fs.renameSync(partial, path.join(this.cacheDir, name));
        } catch {
            // Read-only node_modules: every start compiles, as ts-node did.
        }
    }

    /** `require()` of a `.ts` file compiles it through this cache, and stack traces are mapped back to it. */
    register(sourceMapSupport) {
        Module._extensions[".ts"] = (module, filename) => {
            module._compile(this.compile(filename, fs.readFileSync(filename, "utf8")), filename);
        };
        sourceMapSupport?.install({
            environment: "node",
            handleUncaughtExceptions: false,
            retrieveFile: (file) => this.outputs.get(file) ?? null,
            retrieveSourceMap: (file) => (file.includes(`${path.sep}node_modules${path.sep}`) ? { url: file, map: NO_MAPPINGS } : null),
        });
    }
}

/**
 * tsconfig.json's compiler options over the runners' defaults; the JavaScript carries its source map.
 * Its own options only: devkube's tsconfig.json files extend none (an `extends` would not be followed, and
 * the base file's text is not part of the cache key).
 */
function compilerOptions(ts, tsconfig, text) {
    const parsed = text ? ts.parseConfigFileTextToJson(tsconfig, text) : { config: {} };
    if (parsed.error) {
        throw new TSError(formatDiagnostics(ts, [parsed.error]));
    }
    const json = { ...RUNNER_DEFAULTS, ...(parsed.config?.compilerOptions ?? {}), sourceMap: false, inlineSourceMap: true };
    const converted = ts.convertCompilerOptionsFromJson(json, path.dirname(tsconfig), tsconfig);
    if (converted.errors.length > 0) {
        throw new TSError(formatDiagnostics(ts, converted.errors));
    }
    return converted.options;
}

function formatDiagnostics(ts, diagnostics) {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => process.cwd(),
        getNewLine: () => "\n",
    }).trim();
}

/** The folder of the package a module file belongs to (the nearest one up with a package.json). */
function packageDir(file) {
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no package.json above ${file}`);
        }
    }
}

module.exports = { TypeScriptCache, TSError, FORMAT };
