// Preloaded (`node --require`, through NODE_OPTIONS: scripts/pulumi-cli.ts, fastStartNodeOptions) into the
// Node.js processes the Pulumi CLI starts for `npm run up` and `npm run preview`: the program and the
// policy pack. Each `up` starts both twice (preview, then update). Plain JavaScript, because it runs
// before any TypeScript compiler is registered.
//
// It changes what a few of @pulumi/pulumi's own modules get when they load a module (and nothing else):
// - the TypeScript runners (cmd/run for the program, cmd/run-policy-pack for the pack) get, instead of
//   ts-node and the compiler, scripts/ts-cache.js: each .ts file is compiled once per change, so a start
//   loads no compiler (0.4 s). The type check a runner asks for (the pack's always; the program's unless
//   tsconfig.json says noCheck, as devkube's does) runs when something it read has changed, not at every
//   start; `PULUMI_NODEJS_TRANSPILE_ONLY=false` (any value but "true") leaves both runners to ts-node.
// - what serves features devkube does not use is loaded or started the first time it is used: npm's
//   arborist (about 450 modules) and the TypeScript compiler, both for serializing JavaScript closures;
//   V8's debugger, which the runners turn on before the program loads for the same feature (0.1 s of
//   each start, and the debugger then hears of every script parsed); OpenTelemetry's tracer and exporter
//   (only when `--tracing` is given).
// (V8's compile cache, `module.enableCompileCache`, was tried here too: no gain measured.)
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");

const sdk = (file) => path.join("@pulumi", "pulumi", ...file.split("/"));
const CODE_PATHS = sdk("runtime/closure/codePaths.js");
const PARSE_FUNCTION = sdk("runtime/closure/parseFunction.js");
const TRACING = sdk("cmd/run/tracing.js");
const V8_HOOKS = sdk("runtime/closure/v8Hooks.js");
const DEBUGGABLE = sdk("runtime/debuggable.js");
const RUNNERS = { program: sdk("cmd/run/run.js"), pack: sdk("cmd/run-policy-pack/run.js") };

const load = Module._load;
Module._load = function (request, parent, isMain) {
    const from = parent && typeof parent.filename === "string" ? parent.filename : "";
    const real = () => load.call(Module, request, parent, isMain);
    if (from.endsWith(CODE_PATHS) && request === "@npmcli/arborist") {
        // Marked as an ES module, so that TypeScript's `import *` helper takes it as it is.
        return { __esModule: true, get Arborist() { return real().Arborist; } };
    }
    if (from.endsWith(PARSE_FUNCTION) && request === "../../typescript-shim") {
        return onUse(real);
    }
    if (from.endsWith(TRACING) && request.startsWith("@opentelemetry/") && request !== "@opentelemetry/api") {
        return functionsOnUse(real);
    }
    if (/v8Hooks(\.js)?$/.test(request) && (resolveFrom(request, from) ?? "").endsWith(V8_HOOKS)) {
        return (debuggerOnUse ??= v8HooksOnUse());
    }
    if (/debuggable(\.js)?$/.test(request)) {
        const exports = load.apply(this, arguments);
        // Once it has its export: a require from within its own loading (a cycle) gets it half-made.
        const original = exports && exports.debuggablePromise;
        const writable = exports && Object.getOwnPropertyDescriptor(exports, "debuggablePromise")?.writable === true;
        // Only as the SDK has it now (a plain export): another shape runs as the SDK made it.
        if (writable && typeof original === "function" && !lazyStacks.has(original) && (resolveFrom(request, from) ?? "").endsWith(DEBUGGABLE)) {
            exports.debuggablePromise = stackOnRead(original);
            lazyStacks.add(exports.debuggablePromise);
        }
        return exports;
    }
    const runner = from.endsWith(RUNNERS.program) ? "program" : from.endsWith(RUNNERS.pack) ? "pack" : undefined;
    if (runner) {
        const replaced = forRunner(runner, request, from);
        if (replaced) {
            return replaced;
        }
    }
    return load.apply(this, arguments);
};

let debuggerOnUse;
const lazyStacks = new WeakSet();

/**
 * runtime/debuggable's debuggablePromise, which the SDK calls for every promise of every registration,
 * with the stack it keeps on the promise for its leak message taken as it was (V8 records the frames
 * when the Error is made) but formatted when the message reads it, not at once: formatting each one
 * through source-map-support was 0.2-0.5 s of CPU in every program run. Until then the frames keep
 * their functions and receivers alive, as long as the promise lives.
 */
function stackOnRead(original) {
    return function debuggablePromise(p, ctx) {
        const trace = new Error();
        // Defined first, so that the SDK's own definition (a plain value) cannot make it permanent.
        Object.defineProperty(p, "_debugStackTrace", { configurable: true, writable: true, value: undefined });
        // The SDK's own `new Error().stack`, made and dropped here: no frames, nothing formatted.
        const [limit, prepare] = [Error.stackTraceLimit, Error.prepareStackTrace];
        Error.stackTraceLimit = 0;
        Error.prepareStackTrace = () => "";
        try {
            return original(p, ctx);
        } finally {
            [Error.stackTraceLimit, Error.prepareStackTrace] = [limit, prepare];
            Object.defineProperty(p, "_debugStackTrace", { configurable: true, get: () => trace.stack });
        }
    };
}

/**
 * runtime/closure/v8Hooks as the closure serializer uses it, with V8's debugger turned on when first asked
 * for rather than when the runner starts. Enabled late, the debugger reports every script already parsed;
 * the listener is added before it is enabled, so they all get their URLs.
 */
function v8HooksOnUse() {
    require("v8").setFlagsFromString("--allow-natives-syntax");
    const urls = new Map();
    let session;
    const getSessionAsync = () =>
        (session ??= (async () => {
            const inspectorSession = new (require("inspector").Session)();
            inspectorSession.connect();
            inspectorSession.addListener("Debugger.scriptParsed", (event) => urls.set(event.params.scriptId, event.params.url));
            await new Promise((resolve, reject) => inspectorSession.post("Debugger.enable", (err) => (err ? reject(err) : resolve())));
            return inspectorSession;
        })());
    return { __esModule: true, getSessionAsync, isInitializedAsync: async () => {}, getScriptUrl: (id) => urls.get(id) };
}

/** A module's stand-in whose every property read loads the real module. */
function onUse(loadReal) {
    let module;
    const target = () => (module ??= loadReal());
    return new Proxy({}, {
        get: (_, key) => target()[key],
        has: (_, key) => key in target(),
        ownKeys: () => Reflect.ownKeys(target()),
        getOwnPropertyDescriptor: (_, key) => {
            const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
            return descriptor && { ...descriptor, configurable: true };
        },
    });
}

/**
 * A module's stand-in for a caller that only calls its exports or `new`s them (tracing.js destructures
 * them when it loads): each export is a function that loads the real module when called.
 */
function functionsOnUse(loadReal) {
    let module;
    return new Proxy({}, {
        get: (_, name) =>
            function (...args) {
                const real = (module ??= loadReal())[name];
                return new.target ? Reflect.construct(real, args) : real.apply(this, args);
            },
    });
}

/**
 * What a TypeScript runner gets in place of tsutils (which loads the compiler to find it), ts-node and
 * the compiler: the runner asks for their names, the compiler's version, and registers "ts-node".
 */
function forRunner(runner, request, from) {
    const transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
    if (!["../../tsutils", "typescript", "ts-node"].includes(request) || (transpileOnly && transpileOnly !== "true")) {
        return undefined; // Asked for a type check, as cmd/run/run.js reads any other value.
    }
    const typescript = resolveFrom("typescript", from);
    const typescriptPackage = resolveFrom("typescript/package.json", from);
    if (!typescript || !typescriptPackage) {
        return undefined; // Pulumi's own vendored compiler, through ts-node.
    }
    switch (request) {
        case "../../tsutils":
            return {
                typeScriptRequireStrings: () => ({ tsnodeRequire: "ts-node", typescriptRequire: "typescript" }),
                // What run.js needs of them is noCheck (transpile only); a tsconfig.json that is not plain JSON
                // (comments) gives none, and so a type check, as ts-node's default is.
                loadTypeScriptCompilerOptions: (file) => {
                    try {
                        return JSON.parse(fs.readFileSync(file, "utf8")).compilerOptions ?? {};
                    } catch {
                        return {};
                    }
                },
            };
        case "typescript":
            return { version: require(typescriptPackage).version };
        default:
            return {
                // What the runner asks ts-node for: the pack's, a type check; the program's, transpile only when
                // tsconfig.json says noCheck. ts-node 7's rule for the two options.
                register(options = {}) {
                    const typeCheck = options.typeCheck === true || options.transpileOnly !== true;
                    const { CACHE_DIR, TypeScriptCache } = require("./ts-cache");
                    // The runner has moved to the project's folder: its tsconfig.json, as ts-node reads it.
                    const tsconfig = runner === "program" ? (process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json") : "tsconfig.json";
                    const sourceMapSupport = resolveFrom("source-map-support", from);
                    new TypeScriptCache({ typescript, tsconfig: path.resolve(tsconfig), cacheDir: CACHE_DIR, typeCheck }).register(sourceMapSupport && require(sourceMapSupport));
                },
            };
    }
}

function resolveFrom(request, from) {
    try {
        return require.resolve(request, { paths: [path.dirname(from)] });
    } catch {
        return undefined;
    }
}
