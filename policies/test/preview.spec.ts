// Values unknown during preview, and props with fields missing, as the engine hands them over.
//
// Documented behaviour: a check that reads an unknown value is skipped; all other checks still run and
// report; then the policy throws the SDK's UnknownValueError, which the engine shows as an advisory
// "can't run policy ... during preview" note. A field that is absent is treated as absent (fail closed
// for required fields). No policy crashes on either.
import * as assert from "assert";
import { allPolicies } from "../policies";
import { imageTagPolicy } from "../rules/images";
import { requestsLimitsPolicy } from "../rules/resources";
import { podSecurityPolicy } from "../rules/security";
import { serviceExposurePolicy } from "../rules/services";
import { NFS_EXEMPTION, T, container, goodStack, nfsServer, workload } from "./fixtures";
import { UNKNOWN, isResourcePolicy, runAllPolicies, runResourcePolicyDetailed, runStackPolicyDetailed } from "./util";

describe("preview: unknown and missing values", () => {
    it("checks the known containers and defers the unknown one", async () => {
        const w = workload("Deployment", "web", { containers: [container("a", { image: UNKNOWN.string }), container("b", { image: "nginx:latest" })] });
        const r = await runResourcePolicyDetailed(imageTagPolicy, w);
        assert.strictEqual(r.violations.length, 1);
        assert.match(r.violations[0], /container "b" .* uses the tag "latest"/);
        assert.match(r.unknownDuringPreview ?? "", /string value at \.spec\.template\.spec\.containers\.0\.image can't be known during preview/);
    });

    it("defers the NFS exemption when the namespace is an unknown output, but still flags capabilities outside the list", async () => {
        const w = nfsServer("nfs-server", UNKNOWN.string as string, ["DAC_READ_SEARCH", "SYS_ADMIN"]);
        const r = await runResourcePolicyDetailed(podSecurityPolicy, { ...w, config: { nfsServerExemption: NFS_EXEMPTION } });
        assert.strictEqual(r.violations.length, 1, r.violations.join("\n"));
        assert.match(r.violations[0], /container "nfs-server" in Deployment <computed>\/nfs-server|container "nfs-server" in Deployment nfs-server/);
        assert.match(r.violations[0], /"SYS_ADMIN"/);
        assert.match(r.unknownDuringPreview ?? "", /metadata\.namespace can't be known during preview/);
    });

    it("defers a whole unknown containers list or resources object", async () => {
        const w = workload("Deployment", "web");
        (w.props.spec as any).template.spec.containers = UNKNOWN.array;
        const r = await runResourcePolicyDetailed(requestsLimitsPolicy, w);
        assert.deepStrictEqual(r.violations, []);
        assert.ok(r.unknownDuringPreview);
        const w2 = workload("Deployment", "web", { containers: [container("c", { resources: UNKNOWN.object })] });
        const r2 = await runResourcePolicyDetailed(requestsLimitsPolicy, w2);
        assert.deepStrictEqual(r2.violations, []);
        assert.ok(r2.unknownDuringPreview);
    });

    it("defers an unknown service type", async () => {
        const r = await runResourcePolicyDetailed(serviceExposurePolicy, { type: T.service, props: { spec: { type: UNKNOWN.string } } });
        assert.deepStrictEqual(r.violations, []);
        assert.ok(r.unknownDuringPreview);
    });

    it("no policy crashes on empty props, a missing spec, or a containers entry that is not an object", async () => {
        const shapes = [
            {},
            { metadata: {} },
            { spec: {} },
            { spec: { template: {} } },
            { spec: { template: { spec: { containers: [null, "x", {}] } } } },
            { spec: { jobTemplate: { spec: {} } } },
        ];
        for (const p of allPolicies) {
            for (const props of shapes) {
                for (const type of [T.deployment, T.pod, T.cronJob, T.service, T.namespace, T.pv, T.doVolume]) {
                    if (isResourcePolicy(p)) {
                        await runResourcePolicyDetailed(p, { type, props });
                    } else {
                        await runStackPolicyDetailed(p, [{ type, props, name: "x" }]);
                    }
                }
            }
        }
    });

    it("a Deployment with no pod spec yet is reported as missing resources (fail closed), not crashed on", async () => {
        const r = await runResourcePolicyDetailed(requestsLimitsPolicy, { type: T.deployment, name: "web", props: { metadata: { name: "web", namespace: "devkube" } } });
        assert.deepStrictEqual(r.violations, ["Deployment devkube/web: spec.template.spec is missing, so no container sets resource requests or limits"]);
    });

    it("runAllPolicies reports unknowns as advisory findings, as the engine does", async () => {
        const stack = goodStack();
        const web = stack.find((r) => r.name === "web");
        (web?.props.spec as any).template.spec.containers[0].image = UNKNOWN.string;
        const findings = await runAllPolicies(stack, {});
        const imageNote = findings.filter((f) => f.policy === "devkube-image-tag");
        assert.deepStrictEqual(imageNote.map((f) => f.enforcement), ["advisory"]);
        assert.match(imageNote[0].message, /^can't run policy 'devkube-image-tag' during preview: /);
    });
});
