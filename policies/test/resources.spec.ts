import * as assert from "assert";
import { maximaPolicy, ratioPolicy, requestsLimitsPolicy } from "../rules/resources";
import { LOCATIONS, T, container, res, withContainer } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

const LISTS = ["containers", "initContainers"] as const;

describe("devkube-resource-requests-limits", () => {
    for (const kind of LOCATIONS) {
        for (const list of LISTS) {
            const label = list === "containers" ? 'container "c"' : 'initContainer "c"';
            it(`${kind} ${list}: passes with all four set, fails naming the missing field`, async () => {
                assert.deepStrictEqual(await runResourcePolicy(requestsLimitsPolicy, withContainer(kind, list, container("c"))), []);
                const missing = withContainer(kind, list, container("c", { resources: res({ cpu: "100m" }, { cpu: "1" }) }));
                const v = await runResourcePolicy(requestsLimitsPolicy, missing);
                assert.strictEqual(v.length, 2, v.join("\n"));
                assert.ok(v[0].startsWith(`${label} in ${kind} devkube/app: resources.requests.memory is missing`), v[0]);
                assert.match(v[1], /resources\.limits\.memory is missing; set it, e.g. "256Mi"/);
            });
        }
    }

    for (const good of ["500m", "0.5", "1", "1e-1", 2]) {
        it(`accepts cpu ${JSON.stringify(good)}`, async () => {
            const w = withContainer("Deployment", "containers", container("c", { resources: res({ cpu: good, memory: "1Gi" }, { cpu: good, memory: "1G" }) }));
            assert.deepStrictEqual(await runResourcePolicy(requestsLimitsPolicy, w), []);
        });
    }

    it('reports "0" as zero', async () => {
        const w = withContainer("Pod", "containers", container("c", { resources: res({ cpu: "0", memory: "128Mi" }, { cpu: "1", memory: "256Mi" }) }));
        assert.deepStrictEqual(await runResourcePolicy(requestsLimitsPolicy, w), [
            'container "c" in Pod devkube/app: resources.requests.cpu "0" is zero; it must be non-zero, e.g. "250m"',
        ]);
    });

    for (const bad of ["", "abc", "10Gx"]) {
        it(`reports ${JSON.stringify(bad)} as unparseable, naming the value`, async () => {
            const w = withContainer("CronJob", "initContainers", container("c", { resources: res({ cpu: "100m", memory: bad }, { cpu: "1", memory: "256Mi" }) }));
            const v = await runResourcePolicy(requestsLimitsPolicy, w);
            assert.strictEqual(v.length, 1);
            assert.ok(v[0].startsWith(`initContainer "c" in CronJob devkube/app: resources.requests.memory: ${JSON.stringify(bad)} is not a Kubernetes quantity`), v[0]);
        });
    }

    it("needs limits.cpu unless requireCpuLimit is false", async () => {
        const w = withContainer("Deployment", "containers", container("c", { resources: res({ cpu: "100m", memory: "128Mi" }, { memory: "256Mi" }) }));
        const v = await runResourcePolicy(requestsLimitsPolicy, w);
        assert.strictEqual(v.length, 1);
        assert.match(v[0], /resources\.limits\.cpu is missing; set it, e\.g\. "250m" \(or set requireCpuLimit under "devkube-resource-requests-limits" .* to false\)/);
        assert.deepStrictEqual(await runResourcePolicy(requestsLimitsPolicy, { ...w, config: { requireCpuLimit: false } }), []);
        const badCpu = withContainer("Deployment", "containers", container("c", { resources: res({ cpu: "100m", memory: "128Mi" }, { cpu: "x", memory: "256Mi" }) }));
        assert.strictEqual((await runResourcePolicy(requestsLimitsPolicy, { ...badCpu, config: { requireCpuLimit: false } })).length, 1);
    });

    it("reports a workload with no resources at all per container", async () => {
        const w = withContainer("Deployment", "containers", { name: "bare", image: "nginx:1.27.3" });
        assert.strictEqual((await runResourcePolicy(requestsLimitsPolicy, w)).length, 4);
    });

    it("is not applicable to other types (and does not crash)", async () => {
        for (const type of [T.service, T.pv, T.configMap, "kubernetes:apps/v1:DeploymentPatch", "kubernetes:core/v1:PodTemplate"]) {
            const r = await runResourcePolicyDetailed(requestsLimitsPolicy, { type, props: { spec: { containers: [{}] } } });
            assert.deepStrictEqual(r.violations, [], type);
            assert.ok(r.notApplicable !== undefined, type);
        }
    });
});

describe("devkube-resource-maxima", () => {
    const w = (cpu: string, memory: string, list: "containers" | "initContainers" = "containers", kind: (typeof LOCATIONS)[number] = "Deployment") =>
        withContainer(kind, list, container("web", { resources: res({ cpu: "100m", memory: "128Mi" }, { cpu, memory }) }), "web");

    it("passes a limit exactly at the maximum (2 / 2Gi, also spelled 2000m / 2048Mi)", async () => {
        assert.deepStrictEqual(await runResourcePolicy(maximaPolicy, w("2", "2Gi")), []);
        assert.deepStrictEqual(await runResourcePolicy(maximaPolicy, w("2000m", "2048Mi")), []);
    });

    it("flags limits above the maximum with the value, the maximum and where to change it", async () => {
        assert.deepStrictEqual(await runResourcePolicy(maximaPolicy, w("2001m", "4Gi")), [
            'container "web" in Deployment devkube/web: limits.cpu "2001m" (2001m) is above the maximum 2 (2000m; maxCpu under "devkube-resource-maxima" in policies/config/<stack>.json); lower it or raise the maximum',
            'container "web" in Deployment devkube/web: limits.memory "4Gi" (4294967296 bytes) is above the maximum 2Gi (2147483648 bytes; maxMemory under "devkube-resource-maxima" in policies/config/<stack>.json); lower it or raise the maximum',
        ]);
    });

    for (const kind of LOCATIONS) {
        it(`checks ${kind} init containers too`, async () => {
            assert.strictEqual((await runResourcePolicy(maximaPolicy, w("3", "1Gi", "initContainers", kind))).length, 1);
        });
    }

    it("uses the stack's maxima (homelab: 1 / 1Gi; 1G < 1Gi passes)", async () => {
        const config = { maxCpu: "1", maxMemory: "1Gi" };
        assert.deepStrictEqual(await runResourcePolicy(maximaPolicy, { ...w("1", "1G"), config }), []);
        assert.strictEqual((await runResourcePolicy(maximaPolicy, { ...w("1100m", "1025Mi"), config })).length, 2);
    });

    it("leaves missing or invalid limits to devkube-resource-requests-limits", async () => {
        assert.deepStrictEqual(await runResourcePolicy(maximaPolicy, w("abc", "")), []);
    });
});

describe("devkube-limit-request-ratio (advisory)", () => {
    const w = (rc: string, lc: string, rm = "128Mi", lm = "256Mi") =>
        withContainer("Deployment", "containers", container("c", { resources: res({ cpu: rc, memory: rm }, { cpu: lc, memory: lm }) }));

    it("is advisory", () => assert.strictEqual(ratioPolicy.enforcementLevel, "advisory"));

    it("passes at exactly the ratio, flags above it", async () => {
        assert.deepStrictEqual(await runResourcePolicy(ratioPolicy, w("100m", "400m")), []);
        const v = await runResourcePolicy(ratioPolicy, w("100m", "1", "100Mi", "1Gi"));
        assert.strictEqual(v.length, 2);
        assert.match(v[0], /limits\.cpu "1" is 10 times requests\.cpu "100m", above 4 \(maxLimitToRequestRatio under "devkube-limit-request-ratio"/);
        assert.match(v[1], /limits\.memory "1Gi" is 10\.24 times requests\.memory "100Mi"/);
    });

    it("uses the configured ratio", async () => {
        assert.deepStrictEqual(await runResourcePolicy(ratioPolicy, { ...w("100m", "1"), config: { maxLimitToRequestRatio: 10 } }), []);
    });
});
