import { strict as assert } from "assert";
import { Exec, NightError, StateResource, planSleep, sleep } from "../scripts/night";
import { ProgramRun, STACK_RUNS, plain } from "./harness";

/** The state `pulumi stack export` would hold after an up of this run. */
function stateOf(run: ProgramRun): StateResource[] {
    return [
        { urn: "urn:pulumi:s::devkube::pulumi:pulumi:Stack::devkube-s", type: "pulumi:pulumi:Stack", custom: false },
        ...run.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            custom: r.custom,
            protect: r.protect,
            inputs: plain(r.inputs),
            outputs: { ...plain(r.state), id: r.type.includes("volume:Volume") ? "vol-1" : undefined },
        })),
    ];
}

/** A fake CLI: answers by the first argument, records every call. */
function fakeExec(answers: Record<string, { code: number; stdout?: string; stderr?: string }>, calls: string[][]): Exec {
    return (args) => {
        calls.push(args);
        const answer = answers[args[0] === "stack" ? `stack ${args[1]}` : args[0]] ?? { code: 0 };
        return { code: answer.code, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
    };
}

describe("night: planning a sleep", () => {
    it("DigitalOcean: keeps the protected volume, removes the cluster and everything in it", async () => {
        const plan = planSleep(stateOf(await STACK_RUNS.dev()));
        assert.equal(plan.refusal, undefined);
        assert.deepEqual(plan.keep, ["Volume workspace-volume"]);
        assert.ok(plan.remove.includes("KubernetesCluster cluster"));
        assert.ok(plan.remove.includes("Deployment devkube-nfs-deployment"));
        assert.match(plan.workspace[0], /^DigitalOcean volume devkube-dev-devkube \(id vol-1, fra1\)$/);
    });
    it("refuses when the DigitalOcean volume is not protected", async () => {
        const state = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, protect: false } : r));
        const plan = planSleep(state);
        assert.match(plan.refusal ?? "", /volume devkube-dev-devkube that holds your code is not protected.*pulumi state protect/);
    });
    it("minikube and home lab: the Retain PV's path is the workspace; everything is removed", async () => {
        for (const [stack, where] of [["minikube", "host path /data/devkube"], ["homelab", "local path /mnt/usb/devkube"]] as const) {
            const plan = planSleep(stateOf(await STACK_RUNS[stack]()));
            assert.equal(plan.refusal, undefined);
            assert.deepEqual(plan.workspace, [where]);
            assert.deepEqual(plan.keep, []);
            assert.ok(plan.remove.length >= 14);
        }
    });
    it("refuses when the workspace PV would not be retained", async () => {
        const state = stateOf(await STACK_RUNS.minikube()).map((r) =>
            r.outputs?.metadata?.name === "devkube-workspace"
                ? { ...r, outputs: { ...r.outputs, spec: { ...r.outputs.spec, persistentVolumeReclaimPolicy: "Delete" } } }
                : r,
        );
        assert.match(planSleep(state).refusal ?? "", /reclaim policy "Delete", not Retain/);
    });
    it("refuses when it cannot find any workspace in a non-empty state", () => {
        const plan = planSleep([{ urn: "urn:pulumi:s::devkube::kubernetes:core/v1:Namespace::ns", type: "kubernetes:core/v1:Namespace", custom: true }]);
        assert.match(plan.refusal ?? "", /no workspace/);
    });
});

describe("night: the sleep command", () => {
    const root = `${__dirname}/..`;
    it("refuses an unknown stack before touching the backend", () => {
        const calls: string[][] = [];
        assert.throws(() => sleep("prod", fakeExec({}, calls), () => {}, root), (e: Error) => {
            assert.ok(e instanceof NightError);
            assert.match(e.message, /unknown stack "prod"; known stacks: dev, homelab, minikube/);
            return true;
        });
        assert.deepEqual(calls, []);
    });
    it("refuses when the state backend cannot be reached", () => {
        const calls: string[][] = [];
        const exec = fakeExec({ "stack ls": { code: 255, stderr: "error: could not reach s3://devkube-state: dial tcp: no such host" } }, calls);
        assert.throws(() => sleep("dev", exec, () => {}, root), /state backend cannot be reached .*no such host.*nothing was changed/);
        assert.equal(calls.some((c) => c[0] === "destroy"), false);
    });
    it("refuses, and destroys nothing, when the workspace would go with the rest", async () => {
        const state = stateOf(await STACK_RUNS.dev()).map((r) => (r.type.endsWith("volume:Volume") ? { ...r, protect: false } : r));
        const calls: string[][] = [];
        const exec = fakeExec({ "stack export": { code: 0, stdout: JSON.stringify({ deployment: { resources: state } }) } }, calls);
        assert.throws(() => sleep("dev", exec, () => {}, root), /refusing to sleep stack dev; nothing was changed/);
        assert.equal(calls.some((c) => c[0] === "destroy"), false);
    });
    it("destroys all but the protected workspace and says what was kept", async () => {
        const state = stateOf(await STACK_RUNS.dev());
        const calls: string[][] = [];
        const lines: string[] = [];
        const exec = fakeExec({ "stack export": { code: 0, stdout: JSON.stringify({ deployment: { resources: state } }) } }, calls);
        sleep("dev", exec, (l) => lines.push(l), root);
        assert.deepEqual(calls.find((c) => c[0] === "destroy"), ["destroy", "--yes", "--exclude-protected", "--stack", "dev"]);
        const text = lines.join("\n");
        assert.match(text, /your code is kept in: DigitalOcean volume devkube-dev-devkube/);
        assert.match(text, /kept \(protected\): Volume workspace-volume/);
        assert.match(text, /removed: \d+ resources \(.*KubernetesCluster cluster/);
        assert.match(text, /npm run wake -- dev/);
    });
    it("does nothing when the stack is already asleep", async () => {
        const state = stateOf(await STACK_RUNS.dev()).filter((r) => r.type === "pulumi:pulumi:Stack" || r.protect);
        const calls: string[][] = [];
        const lines: string[] = [];
        const exec = fakeExec({ "stack export": { code: 0, stdout: JSON.stringify({ deployment: { resources: state } }) } }, calls);
        sleep("dev", exec, (l) => lines.push(l), root);
        assert.equal(calls.some((c) => c[0] === "destroy"), false);
        assert.match(lines.join("\n"), /already asleep; kept: Volume workspace-volume/);
    });
});
