// Preloaded (`node --require`, through NODE_OPTIONS: scripts/pulumi-cli.ts, fastStartNodeOptions) into the
// Node.js processes the Pulumi CLI starts for devkube's commands: the program and the policy pack. Each `up`
// starts both twice (preview, then update), and each start loaded and compiled the same 1,300 modules
// from scratch (README, Benchmarks: "Where the time goes"). Plain JavaScript, because it runs before any
// TypeScript compiler is registered.
"use strict";
const Module = require("module");
const path = require("path");

/** Where V8 keeps the compiled code of the modules, so a later start reuses it (checked against each file's content). */
const COMPILE_CACHE = path.join(__dirname, "..", "node_modules", ".cache", "devkube-compile");

if (typeof Module.enableCompileCache === "function" && !process.env.NODE_DISABLE_COMPILE_CACHE) {
    Module.enableCompileCache(COMPILE_CACHE);
}

/**
 * @pulumi/pulumi loads npm's @npmcli/arborist (about 450 modules, 0.3-0.4 s) when it starts, for one
 * function that serializes JavaScript closures, which devkube never calls. It uses only
 * `arborist.Arborist`, so it gets an object whose `Arborist` loads the real module the first time it is read
 * (marked as an ES module, so that TypeScript's `import *` helper takes it as it is instead of reading each property).
 */
const CODE_PATHS = path.join("@pulumi", "pulumi", "runtime", "closure", "codePaths.js");
const load = Module._load;
Module._load = function (request, parent, isMain) {
    if (request === "@npmcli/arborist" && parent && typeof parent.filename === "string" && parent.filename.endsWith(CODE_PATHS)) {
        return {
            __esModule: true,
            get Arborist() {
                return load.call(Module, request, parent, isMain).Arborist;
            },
        };
    }
    return load.apply(this, arguments);
};
