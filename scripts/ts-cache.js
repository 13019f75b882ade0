// The program's and the policy pack's TypeScript, compiled once per change of a file instead of at every start.
// scripts/fast-start.js installs it in place of ts-node when Pulumi's runners ask for ts-node, and
// scripts/ts-run.js for devkube's own scripts (npm run up's stack-prepare). Loading the
// TypeScript compiler is about 0.4 s of each start (the program and the pack each start twice per `up`);
// a file whose compiled JavaScript is in the cache needs no compiler. It compiles as ts-node's
// transpile-only mode does (each file on its own, types erased; syntax errors stop the run with the file,
// line and message), after the type check the runner asked for, if any, when a file has changed.
// Plain JavaScript: it runs before any compiler is loaded.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

/** Where this project keeps compiled TypeScript: its node_modules, as other tools keep their caches. */
const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "devkube-ts");

/** Part of every compiled file's key: a change to how files are compiled here makes every cached file stale. */
const COMPILER_TEXT = sha256(fs.readFileSync(__filename));

/** An entry no start has read for this long (its file deleted or renamed, a scratch copy's) is removed. */
const UNUSED_FOR_MS = 30 * 24 * 3600 * 1000;
/** A read entry's time is set again when older than this: a start that reads it is not a write per file. */
const TOUCH_AFTER_MS = 24 * 3600 * 1000;

/** The last line of a cache entry: the hash of the JavaScript above it (an entry cut short is compiled again). */
const CHECK = "\n//# devkube-ts-cache sha256=";

/**
 * The options under tsconfig.json's own: Pulumi's runners give ts-node target ES2020 (cmd/run/run.js,
 * cmd/run-policy-pack/run.js), and CommonJS, which they choose for a project that is not an ES module.
 */
const RUNNER_DEFAULTS = { target: "ES2020", module: "commonjs", moduleResolution: "node" };

/**
 * Options about where a build writes its files, which mean nothing for one file compiled in memory, and
 * would make the source map name its source relative to an output folder (outDir: stack traces would
 * point at the wrong folder).
 */
const BUILD_LAYOUT = ["outDir", "outFile", "rootDir", "rootDirs", "sourceRoot", "mapRoot", "declaration", "declarationMap", "declarationDir", "emitDeclarationOnly", "composite", "incremental", "tsBuildInfoFile", "noEmit"];

/**
 * The source map given to installed packages' JavaScript: their frames in a stack trace stay as they are,
 * pointing at the files that run. The SDK registers source-map-support, which otherwise parses a package's
 * map for each file in a stack trace, and @pulumi/pulumi takes a stack trace of every resource it
 * registers (0.2 s of each program run); their maps lead to TypeScript sources that are not installed.
 */
const NO_MAPPINGS = JSON.stringify({ version: 3, sources: [], names: [], mappings: "" });

/** What ts-node leaves out of its type check: a file outside rootDir, a tsconfig whose file list is empty or matches nothing. */
const IGNORED_DIAGNOSTICS = [6059, 18002, 18003];

/** The name run.js gives an error whose message already says where (it then prints no stack). */
class TSError extends Error {
    constructor(message) {
        super(message);
        this.name = "TSError";
    }
}

/**
 * A cache entry's file: a prefix per source file, tsconfig.json and type check (the program and the pack share
 * files, each compiled with its own options and checks), then the key. Storing an entry removes the older ones of its prefix.
 */
function entryName(filename, tsconfig, typeCheck, key) {
    return `${sha256(JSON.stringify([filename, tsconfig, typeCheck])).slice(0, 16)}-${key}.js`;
}

/**
 * Compiles `.ts` files as `typescript` (the module path of the compiler) with the options of `tsconfig`
 * (a path), keeping the JavaScript in `cacheDir`. With `typeCheck`, what the run loads is type-checked
 * before anything is compiled when a file is not in the cache, or when any file the last passing check
 * read (types-only files too) or a package-lock.json has changed since; nothing is kept if it fails.
 */
class TypeScriptCache {
    constructor({ typescript, tsconfig, cacheDir, typeCheck = false }) {
        this.typescript = typescript;
        this.tsconfig = tsconfig;
        this.cacheDir = cacheDir;
        this.typeCheck = typeCheck;
        this.version = require(require.resolve("typescript/package.json", { paths: [path.dirname(typescript)] })).version;
        this.tsconfigText = fs.existsSync(tsconfig) ? fs.readFileSync(tsconfig, "utf8") : "";
        /** Compiled JavaScript by file name, for source-map-support (stack traces point into the .ts files). */
        this.outputs = new Map();
        this.compiled = 0;
    }

    key(filename, source) {
        return sha256(JSON.stringify([COMPILER_TEXT, this.version, this.tsconfigText, this.typeCheck, filename]) + source);
    }

    /** What the last passing type check read is recorded in, with their hashes. */
    get checkedFile() {
        return path.join(this.cacheDir, `${sha256(this.tsconfig).slice(0, 16)}.checked.json`);
    }

    /** What a check's record must match besides the files: the compiler, the options, the root, the installed packages. */
    checkKey() {
        return sha256(JSON.stringify([COMPILER_TEXT, this.version, this.tsconfigText, this.entry, lockfiles(path.dirname(this.tsconfig)).map((f) => [f, fileHash(f)])]));
    }

    /** Whether every file of the last passing check is as it was then. */
    unchangedSinceCheck() {
        try {
            const record = JSON.parse(fs.readFileSync(this.checkedFile, "utf8"));
            return record.key === this.checkKey() && Object.entries(record.files).every(([file, hash]) => fileHash(file) === hash);
        } catch {
            return false;
        }
    }

    /** Called as each .ts file starts loading, before it is compiled: the first is the run's root. */
    loading(filename, cached) {
        this.entry ??= filename;
        if (!this.typeCheck || this.checked || (cached && (this.unchanged ??= this.unchangedSinceCheck()))) {
            return;
        }
        this.check(filename);
        this.checked = true;
    }

    /** The JavaScript of one file: from the cache, or compiled and cached once V8 has parsed it. */
    compile(filename, source) {
        const name = entryName(filename, this.tsconfig, this.typeCheck, this.key(filename, source));
        let js = this.read(name);
        this.loading(filename, js !== undefined);
        if (js === undefined) {
            js = this.transpile(filename, source);
            // What TypeScript's parser lets through and V8 refuses (`const x;`) throws here, and is not kept.
            vm.compileFunction(js, ["exports", "require", "module", "__filename", "__dirname"], { filename });
            this.store(name, js);
        }
        this.outputs.set(filename, js);
        return js;
    }

    /** An entry's JavaScript, if it is there whole; its time says it is in use. */
    read(name) {
        const file = path.join(this.cacheDir, name);
        let text;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
        const at = text.lastIndexOf(CHECK);
        const js = at < 0 ? "" : text.slice(0, at);
        if (at < 0 || text.slice(at + CHECK.length) !== sha256(js)) {
            return undefined;
        }
        try {
            if (Date.now() - fs.statSync(file).mtimeMs > TOUCH_AFTER_MS) {
                const now = new Date();
                fs.utimesSync(file, now, now);
            }
        } catch {
            // A cache that cannot be written: kept as it is.
        }
        return js;
    }

    /** Removes the entries no start has read for UNUSED_FOR_MS, and writes a crash left half done. */
    sweep() {
        let names;
        try {
            names = fs.readdirSync(this.cacheDir);
        } catch {
            return; // No cache folder.
        }
        for (const name of names.filter((n) => /^[0-9a-f]{16}-[0-9a-f]+\.js$|\.partial$/.test(n))) {
            const file = path.join(this.cacheDir, name);
            try {
                if (Date.now() - fs.statSync(file).mtimeMs > UNUSED_FOR_MS) {
                    fs.rmSync(file, { force: true });
                }
            } catch {
                // Gone already (another run's sweep or rename), or not ours to remove.
            }
        }
    }

    /**
     * The type check of what the run loads (its root, `filename`, and all they import, types included), with
     * tsconfig.json's options: its errors stop the run; passing, it records the project's files it read.
     */
    check(filename) {
        const ts = require(this.typescript);
        const fail = (diagnostics) => {
            throw new TSError(formatDiagnostics(ts, diagnostics));
        };
        const options = this.tsconfigText
            ? ts.getParsedCommandLineOfConfigFile(this.tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) }).options
            : (this.options ??= compilerOptions(ts, this.tsconfig, this.tsconfigText));
        const program = ts.createProgram({ rootNames: [...new Set([this.entry, filename])], options: { ...options, noEmit: true, noCheck: false } });
        const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error && !IGNORED_DIAGNOSTICS.includes(d.code));
        if (errors.length > 0) {
            fail(errors);
        }
        const files = program
            .getSourceFiles()
            .map((f) => path.resolve(f.fileName))
            .filter((f) => !f.split(path.sep).includes("node_modules"));
        this.write(this.checkedFile, JSON.stringify({ key: this.checkKey(), files: Object.fromEntries(files.map((f) => [f, fileHash(f)])) }));
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

    /** Writes one entry and removes the same file's older ones. */
    store(name, js) {
        const prefix = name.slice(0, name.indexOf("-") + 1);
        try {
            for (const old of fs.readdirSync(this.cacheDir)) {
                if (old.startsWith(prefix) && old !== name) {
                    fs.rmSync(path.join(this.cacheDir, old), { force: true });
                }
            }
        } catch {
            // No cache folder yet.
        }
        this.write(path.join(this.cacheDir, name), js + CHECK + sha256(js));
        // When something was compiled, and at the run's end: after this run has read (and so kept) what it loads.
        if (!this.sweepAtExit) {
            this.sweepAtExit = true;
            process.once("exit", () => this.sweep());
        }
    }

    /** Writes a file whole or not at all (synced, then renamed). */
    write(file, text) {
        try {
            fs.mkdirSync(this.cacheDir, { recursive: true });
            const partial = `${file}.${process.pid}.partial`;
            const fd = fs.openSync(partial, "w");
            try {
                fs.writeFileSync(fd, text);
                fs.fsyncSync(fd);
            } finally {
                fs.closeSync(fd);
            }
            fs.renameSync(partial, file);
        } catch {
            // A cache that cannot be written (read-only node_modules): every start compiles, as ts-node did.
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
    for (const option of BUILD_LAYOUT) {
        delete json[option];
    }
    const converted = ts.convertCompilerOptionsFromJson(json, path.dirname(tsconfig), tsconfig);
    if (converted.errors.length > 0) {
        throw new TSError(formatDiagnostics(ts, converted.errors));
    }
    return converted.options;
}

/** A file's content hash, or "missing". */
function fileHash(file) {
    try {
        return sha256(fs.readFileSync(file));
    } catch {
        return "missing";
    }
}

/** The package-lock.json files from `dir` up: what the type check read in node_modules is what they installed. */
function lockfiles(dir) {
    const found = [];
    for (let at = dir; ; at = path.dirname(at)) {
        if (fs.existsSync(path.join(at, "package-lock.json"))) {
            found.push(path.join(at, "package-lock.json"));
        }
        if (path.dirname(at) === at) {
            return found;
        }
    }
}

function sha256(text) {
    return crypto.createHash("sha256").update(text).digest("hex");
}

function formatDiagnostics(ts, diagnostics) {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => process.cwd(),
        getNewLine: () => "\n",
    }).trim();
}

module.exports = { CACHE_DIR, TypeScriptCache, TSError };
