// test/e2e/lib.ts: what the real-engine tests and the benchmarks copy into their scratch project.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectFiles } from "./e2e/lib";

describe("e2e scratch project: the files copied", () => {
    it("tracked and new files, not ignored ones, and never a folder (a worktree's node_modules is a link)", () => {
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-project-files-"));
        const shared = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-shared-modules-"));
        try {
            execFileSync("git", ["init", "-q"], { cwd: repo });
            fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules/\n.pulumi/\n");
            fs.writeFileSync(path.join(repo, "index.ts"), "");
            execFileSync("git", ["add", "."], { cwd: repo });
            fs.writeFileSync(path.join(repo, "new.ts"), "");
            fs.mkdirSync(path.join(repo, ".pulumi"));
            fs.writeFileSync(path.join(repo, ".pulumi", "state.json"), "{}");
            fs.symlinkSync(shared, path.join(repo, "node_modules"));
            assert.deepEqual(projectFiles(repo).sort(), [".gitignore", "index.ts", "new.ts"]);
        } finally {
            fs.rmSync(repo, { recursive: true, force: true });
            fs.rmSync(shared, { recursive: true, force: true });
        }
    });
});
