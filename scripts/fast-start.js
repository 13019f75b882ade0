// Preloaded (`node --require`, through NODE_OPTIONS: scripts/pulumi-cli.ts, fastStartNodeOptions) into the
// Node.js processes the Pulumi CLI starts for `npm run up` and `npm run preview`: the program and the
// policy pack. Each `up` starts both twice (preview, then update). Plain JavaScript, because it runs
// before any TypeScript compiler is registered.
//
// @pulumi/pulumi loads npm's @npmcli/arborist (about 450 modules, 0.3-0.4 s of each start) when it starts,
// for one function that serializes JavaScript closures, which devkube never calls. It uses only
// `arborist.Arborist`, so it gets an object whose `Arborist` loads the real module the first time it is read
// (marked as an ES module, so that TypeScript's `import *` helper takes it as it is instead of reading each
// property). (V8's compile cache, `module.enableCompileCache`, was tried here too: no gain measured.)
"use strict";
const Module = require("module");
const path = require("path");

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
