// scripts/fast-start.js, as the Node.js processes of the program and of the policy pack get it
// (NODE_OPTIONS from fastStartNodeOptions): real Node.js processes loading the installed @pulumi/pulumi.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
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
});
