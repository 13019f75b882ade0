// The test helpers themselves: they must behave like the @pulumi/policy analyzer, or passing tests mean little.
import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType, validateStackResourcesOfType } from "@pulumi/policy";
import { allPolicies } from "../policies";
import { T, goodStack, workload } from "./fixtures";
import { NotApplicable, fakeResourceClass, resourceArgs, runAllPolicies, runResourcePolicyDetailed, runStackPolicyDetailed, stackResources } from "./util";

describe("test helpers", () => {
    it("isType really compares the type token", () => {
        const args = resourceArgs({ type: T.deployment, props: {} });
        assert.strictEqual(args.isType(fakeResourceClass(T.deployment)), true);
        assert.strictEqual(args.isType(fakeResourceClass(T.statefulSet)), false);
        assert.ok(args.asType(fakeResourceClass(T.deployment)) !== undefined);
        assert.strictEqual(args.asType(fakeResourceClass(T.service)), undefined);
    });

    it("notApplicable throws a detectable NotApplicable; stackTags and getConfig are present", () => {
        const args = resourceArgs({ type: T.service, props: {}, config: { a: 1 }, stackTags: { env: "dev" } });
        assert.throws(() => args.notApplicable("nope"), (e: unknown) => e instanceof NotApplicable && e.reason === "nope");
        assert.strictEqual(args.stackTags.get("env"), "dev");
        assert.deepStrictEqual(args.getConfig(), { a: 1 });
    });

    it("a policy written for the wrong type is caught as not applicable (SDK >= 1.18 behaviour)", async () => {
        const wrong: ResourceValidationPolicy = {
            name: "wrong-type",
            description: "checks Deployments",
            validateResource: validateResourceOfType(fakeResourceClass(T.statefulSet) as never, (_props, _args, report) => report("ran")),
        };
        const r = await runResourcePolicyDetailed(wrong, workload("Deployment", "web"));
        assert.deepStrictEqual(r.violations, []);
        assert.match(r.notApplicable ?? "", /kubernetes:apps\/v1:StatefulSet/);
        const stack: StackValidationPolicy = {
            name: "wrong-stack",
            description: "x",
            validateStack: validateStackResourcesOfType(fakeResourceClass(T.doVolume) as never, (_rs, _args, report) => report("ran")),
        };
        assert.ok((await runStackPolicyDetailed(stack, [{ type: T.pv, name: "pv", props: {} }])).notApplicable !== undefined);
    });

    it("resolves dependencies, propertyDependencies and parent by name or URN, and rejects dangling ones", () => {
        const rs = stackResources([
            { type: T.doCluster, name: "c", props: {} },
            { type: T.doVolume, name: "v", props: {}, dependencies: ["urn:pulumi:test::devkube::digitalocean:index/kubernetesCluster:KubernetesCluster::c"], propertyDependencies: { region: ["c"] }, parent: "c" },
        ]);
        assert.strictEqual(rs[1].dependencies[0], rs[0]);
        assert.strictEqual(rs[1].propertyDependencies.region[0], rs[0]);
        assert.strictEqual(rs[1].parent, rs[0]);
        assert.throws(() => stackResources([{ type: T.doVolume, name: "v", props: {}, dependencies: ["missing"] }]), /depends on "missing"/);
    });

    it("runAllPolicies applies enforcement levels like the engine: policy, then all, then the file's entry; disabled skips", async () => {
        const stack = [...goodStack(), workload("Deployment", "bad", { containers: [{ name: "c", image: "nginx" }] })];
        const findings = await runAllPolicies(stack, {});
        const byPolicy = (p: string) => findings.filter((f) => f.policy === p);
        assert.ok(byPolicy("devkube-image-tag").every((f) => f.enforcement === "mandatory"));
        assert.ok(byPolicy("devkube-probes").every((f) => f.enforcement === "advisory") && byPolicy("devkube-probes").length === 1);
        assert.strictEqual(byPolicy("devkube-image-tag")[0].urn, "urn:pulumi:test::devkube::kubernetes:apps/v1:Deployment::bad");
        const strict = await runAllPolicies(stack, { all: "mandatory", "devkube-image-tag": "disabled" });
        assert.strictEqual(strict.filter((f) => f.policy === "devkube-image-tag").length, 0);
        assert.ok(strict.every((f) => f.enforcement === "mandatory"));
        const withObject = await runAllPolicies(stack, { "devkube-probes": { enforcementLevel: "mandatory" } });
        assert.ok(withObject.filter((f) => f.policy === "devkube-probes").every((f) => f.enforcement === "mandatory"));
    });

    it("runAllPolicies runs every policy of the pack", async () => {
        const seen = new Set<string>();
        const logging = allPolicies.map((p) => {
            const copy = { ...p } as ResourceValidationPolicy & StackValidationPolicy;
            if ("validateStack" in p) {
                copy.validateStack = (a, r) => (seen.add(p.name), p.validateStack(a, r));
            } else {
                const v = p.validateResource as NonNullable<ResourceValidationPolicy["validateResource"]>;
                copy.validateResource = (a, r) => (seen.add(p.name), (Array.isArray(v) ? v[0] : v)(a, r));
            }
            return copy;
        });
        await runAllPolicies(goodStack(), {}, logging);
        assert.deepStrictEqual([...seen].sort(), allPolicies.map((p) => p.name).sort());
    });
});
