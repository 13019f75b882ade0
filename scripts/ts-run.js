// Starts one of devkube's own TypeScript scripts with plain node: `node scripts/ts-run.js <file.ts> [arguments]`.
// Each .ts file is compiled through scripts/ts-cache.js with tsconfig.json's options, once per change, so a
// start loads no compiler: tsx took about 0.5 s to start here, this about 0.1 s, on every `npm run up`
// (issue #14). Like tsx, it does not type-check: `npm test` and `npm run typecheck` do.
// Plain JavaScript: it runs before any compiler is loaded.
"use strict";
const Module = require("module");
const path = require("path");
const { CACHE_DIR, TypeScriptCache, TSError } = require("./ts-cache");

const ROOT = path.join(__dirname, "..");
const [script, ...args] = process.argv.slice(2);
if (!script) {
    console.error("usage: node scripts/ts-run.js <file.ts> [arguments]");
    process.exit(2);
}
new TypeScriptCache({ typescript: require.resolve("typescript", { paths: [ROOT] }), tsconfig: path.join(ROOT, "tsconfig.json"), cacheDir: CACHE_DIR }).register();
// Stack traces point at the .ts lines, through the inline source maps the cache keeps.
process.setSourceMapsEnabled(true);
const file = path.resolve(script);
process.argv = [process.argv[0], file, ...args];
try {
    // As node starts a main module: `require.main === module` holds in the script.
    Module._load(file, null, true);
} catch (error) {
    // What went wrong in the script, with its stack (mapped to the .ts lines), not a throw of this runner's.
    console.error(error instanceof TSError ? error.message : require("util").inspect(error));
    process.exitCode = 1;
}
