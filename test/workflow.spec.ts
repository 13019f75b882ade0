// The scheduled workflow's state backend: the URL it builds, by running its own step.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { expectedSchedule, inactivity, scheduleProblems } from "../scripts/schedule";
import { ROOT } from "./harness";

const workflow = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "night-cycle.yml"), "utf8"));

/** Runs the workflow's "State backend" step as the runner would, and returns what it put in GITHUB_ENV. */
function stateBackendStep(env: Record<string, string>): { code: number; githubEnv: string; stderr: string } {
    const step = workflow.jobs.cycle.steps.find((s: any) => s.name === "State backend");
    assert.ok(step, "the workflow has a State backend step");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-gh-"));
    const githubEnv = path.join(dir, "env");
    fs.writeFileSync(githubEnv, "");
    try {
        const r = spawnSync("bash", ["-e", "-c", step.run], { cwd: ROOT, env: { PATH: process.env.PATH, ...env, GITHUB_ENV: githubEnv }, encoding: "utf8" });
        return { code: r.status ?? -1, githubEnv: fs.readFileSync(githubEnv, "utf8"), stderr: r.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
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

describe("the night-cycle workflow's schedule", () => {
    it("is the dev stack's awake schedule, in its time zone: wake at the start, sleep at the end", () => {
        assert.deepEqual(scheduleProblems(workflow, expectedSchedule(ROOT, "dev")), []);
        assert.deepEqual(workflow.on.schedule, [
            { cron: "0 8 * * 1-5", timezone: "Etc/UTC" },
            { cron: "0 19 * * 1-5", timezone: "Etc/UTC" },
        ]);
    });
    it("its own check step passes as committed", () => {
        const step = workflow.jobs.cycle.steps.find((s: any) => s.name === "Check the schedule matches the stack");
        assert.ok(step, "the workflow checks its schedule");
        assert.equal(step.if, "always()", "checked even when the night's step failed");
        const r = spawnSync("bash", ["-e", "-c", step.run], { cwd: ROOT, env: { ...process.env, STACK: "dev" }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /matches stack dev's devkube:awakeSchedule "mon-fri 08:00-19:00" in devkube:timeZone "Etc\/UTC"/);
    });
    it("names the lines to write when the stack's schedule or time zone changed", () => {
        const berlin = expectedSchedule(ROOT, "dev", { "devkube:awakeSchedule": "mon,wed,sat-sun 09:30-17:00", "devkube:timeZone": "Europe/Berlin" });
        const problems = scheduleProblems(workflow, berlin);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /does not match stack dev's devkube:awakeSchedule "mon,wed,sat-sun 09:30-17:00" in devkube:timeZone "Europe\/Berlin"/);
        assert.match(problems[0], /- cron: "30 9 \* \* 0,1,3,6"\n\s+timezone: Europe\/Berlin\s+# wake/);
        assert.match(problems[0], /- cron: "0 17 \* \* 0,1,3,6"\n\s+timezone: Europe\/Berlin\s+# sleep/);
        assert.match(problems[0], /"\$EVENT_SCHEDULE" = "30 9 \* \* 0,1,3,6"/);
    });
    it("an always-awake stack has no schedule to run", () => {
        const always = expectedSchedule(ROOT, "dev", { "devkube:awakeSchedule": "always" });
        assert.match(scheduleProblems(workflow, always).join("\n"), /is "always": remove the schedule/);
    });
});

describe("the night-cycle workflow stays enabled", () => {
    const day = 24 * 3600;
    const now = Date.parse("2026-12-02T19:00:00Z") / 1000;
    it("says nothing while the repository is active", () => {
        assert.equal(inactivity(now - 30 * day, now).level, "ok");
    });
    it("warns from day 45, and fails the run (GitHub mails that) in the last week before GitHub disables the schedule", () => {
        const warned = inactivity(now - 46 * day, now);
        assert.equal(warned.level, "warning");
        assert.match(warned.message, /no commit for 46 days: GitHub disables the schedule of a public repository after 60 days without activity, on 2026-12-16/);
        const failing = inactivity(now - 54 * day, now);
        assert.equal(failing.level, "error");
        assert.match(failing.message, /push a commit, or re-enable the workflow in the Actions tab/);
    });
    it("its step runs last, whatever happened before", () => {
        const steps = workflow.jobs.cycle.steps;
        const step = steps[steps.length - 1];
        assert.equal(step.name, "Check the schedule stays enabled");
        assert.equal(step.if, "always()");
        const r = spawnSync("bash", ["-e", "-c", step.run], { cwd: ROOT, env: process.env, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /last commit \d+ days? ago/);
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
