import * as assert from "assert";
import { namespaceGuardsPolicy } from "../rules/namespaces";
import { T } from "./fixtures";
import { StackResourceInput, UNKNOWN, runStackPolicy, runStackPolicyDetailed } from "./util";

const ns = (name: unknown, pulumiName = "ns"): StackResourceInput => ({ type: T.namespace, name: pulumiName, props: { metadata: { name } } });
const quota = (namespace: unknown, n = "quota"): StackResourceInput => ({ type: T.quota, name: n, props: { metadata: { name: "q", namespace } } });
const limits = (namespace: unknown, n = "limits"): StackResourceInput => ({ type: T.limitRange, name: n, props: { metadata: { name: "l", namespace } } });

describe("devkube-namespace-guards", () => {
    it("passes when each namespace has a ResourceQuota and a LimitRange in it", async () => {
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [ns("devkube"), quota("devkube"), limits("devkube")]), []);
    });

    it("flags a missing LimitRange, and guards that sit in another namespace", async () => {
        const r = await runStackPolicyDetailed(namespaceGuardsPolicy, [ns("devkube"), quota("devkube"), limits("default")]);
        assert.deepStrictEqual(r.violations, [
            'Namespace "devkube" has no LimitRange: no LimitRange in the stack has metadata.namespace "devkube"; create one in it (metadata.namespace: the namespace\'s metadata.name)',
        ]);
        assert.strictEqual(r.reported[0].urn, "urn:pulumi:test::devkube::kubernetes:core/v1:Namespace::ns");
        assert.strictEqual((await runStackPolicy(namespaceGuardsPolicy, [ns("a", "a"), ns("b", "b"), quota("a"), limits("a")])).length, 2);
    });

    it("is not applicable to a stack without namespaces", async () => {
        const r = await runStackPolicyDetailed(namespaceGuardsPolicy, [quota("devkube")]);
        assert.ok(r.notApplicable !== undefined);
    });

    it("preview: a namespace name that is unknown does not crash; judged only when there are no guards at all", async () => {
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [ns(UNKNOWN.string), quota(UNKNOWN.string), limits(UNKNOWN.string)]), []);
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [ns(UNKNOWN.string), quota("x"), limits("y")]), []);
        const v = await runStackPolicy(namespaceGuardsPolicy, [ns(UNKNOWN.string, "devkube-ns")]);
        assert.deepStrictEqual(v, [
            "Namespace devkube-ns (Pulumi name) has no ResourceQuota: the stack creates no ResourceQuota; create one in it",
            "Namespace devkube-ns (Pulumi name) has no LimitRange: the stack creates no LimitRange; create one in it",
        ]);
    });

    it("preview: a guard whose namespace is unknown leaves a known namespace undecided, and a missing name is handled", async () => {
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [ns("devkube"), quota(UNKNOWN.string), limits("devkube")]), []);
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [ns(undefined), quota("devkube"), limits("devkube")]), []);
        assert.deepStrictEqual(await runStackPolicy(namespaceGuardsPolicy, [{ type: T.namespace, name: "n", props: {} }, quota("x"), limits("x")]), []);
    });
});
