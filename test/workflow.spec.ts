// The scheduled workflow's state backend: the URL it builds, by running its own step.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "./harness";

const workflow = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "night-cycle.yml"), "utf8"));

/** Runs the workflow's "State backend" step as the runner would, and returns what it put in GITHUB_ENV. */
function stateBackendStep(env: Record<string, string>): { code: number; githubEnv: string; stderr: string } {
    const step = workflow.jobs.cycle.steps.find((s: any) => s.name === "State backend");
    assert.ok(step, "the workflow has a State backend step");
    const githubEnv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "devkube-gh-")), "env");
    fs.writeFileSync(githubEnv, "");
    const r = spawnSync("bash", ["-e", "-c", step.run], { cwd: ROOT, env: { PATH: process.env.PATH, ...env, GITHUB_ENV: githubEnv }, encoding: "utf8" });
    return { code: r.status ?? -1, githubEnv: fs.readFileSync(githubEnv, "utf8"), stderr: r.stderr };
}

describe("the night-cycle workflow's state backend", () => {
    it("builds the Spaces URL with an https:// endpoint from the bucket and region variables", () => {
        assert.deepEqual(workflow.jobs.cycle.env.SPACES_BUCKET, "${{ vars.SPACES_BUCKET }}");
        const r = stateBackendStep({ SPACES_BUCKET: "my-devkube-state", SPACES_REGION: "fra1" });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.githubEnv, "PULUMI_BACKEND_URL=s3://my-devkube-state?endpoint=https://fra1.digitaloceanspaces.com&region=us-east-1&s3ForcePathStyle=true\n");
        const url = new URL(r.githubEnv.trim().slice("PULUMI_BACKEND_URL=".length));
        assert.equal(new URL(url.searchParams.get("endpoint")!).protocol, "https:");
    });
    it("fails the run, saying why, when a variable is missing or malformed", () => {
        for (const [env, expected] of [
            [{ SPACES_BUCKET: "", SPACES_REGION: "fra1" }, /bucket "": use 3-63 lowercase letters/],
            [{ SPACES_BUCKET: "my-devkube-state", SPACES_REGION: "fra1.digitaloceanspaces.com" }, /region "fra1\.digitaloceanspaces\.com": use a Spaces region such as fra1/],
        ] as const) {
            const r = stateBackendStep(env);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, expected);
        }
    });
});

describe("files the README tells users to write", () => {
    it("keeps the kubeconfig written from the stack output out of git", () => {
        // README, DigitalOcean: npx pulumi -s dev stack output kubeconfig --show-secrets > kubeconfig
        assert.match(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"), /stack output kubeconfig --show-secrets > kubeconfig/);
        const r = spawnSync("git", ["check-ignore", "-q", "kubeconfig"], { cwd: ROOT });
        assert.equal(r.status, 0, "kubeconfig is git-ignored");
    });
});
