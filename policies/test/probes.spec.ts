import * as assert from "assert";
import { probesPolicy } from "../rules/probes";
import { container, withContainer, workload } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

describe("devkube-probes (advisory)", () => {
    it("is advisory", () => assert.strictEqual(probesPolicy.enforcementLevel, "advisory"));

    for (const kind of ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"] as const) {
        it(`${kind}: flags a container without readiness or liveness probe; either one passes`, async () => {
            const v = await runResourcePolicy(probesPolicy, withContainer(kind, "containers", container("web", { readinessProbe: undefined })));
            assert.strictEqual(v.length, 1);
            assert.match(v[0], new RegExp(`^container "web" in ${kind} devkube/app: no readinessProbe or livenessProbe; add one`));
            const live = container("web", { readinessProbe: undefined, livenessProbe: { httpGet: { path: "/", port: 80 } } });
            assert.deepStrictEqual(await runResourcePolicy(probesPolicy, withContainer(kind, "containers", live)), []);
        });
    }

    it("does not ask init containers for probes", async () => {
        const w = withContainer("Deployment", "initContainers", container("init", { readinessProbe: undefined }));
        assert.deepStrictEqual(await runResourcePolicy(probesPolicy, w), []);
    });

    for (const kind of ["Job", "CronJob"] as const) {
        it(`is not applicable to a ${kind}`, async () => {
            const r = await runResourcePolicyDetailed(probesPolicy, workload(kind, "backup", { containers: [container("c", { readinessProbe: undefined })] }));
            assert.deepStrictEqual(r.violations, []);
            assert.match(r.notApplicable ?? "", /runs to completion/);
        });
    }
});
