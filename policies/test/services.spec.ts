import * as assert from "assert";
import { serviceExposurePolicy } from "../rules/services";
import { T, workload } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

function service(spec: Record<string, unknown>) {
    return { type: T.service, name: "web", props: { metadata: { name: "web", namespace: "devkube" }, spec: { ports: [{ port: 80 }], ...spec } } };
}

describe("devkube-service-exposure", () => {
    it("allows ClusterIP (explicit or default)", async () => {
        assert.deepStrictEqual(await runResourcePolicy(serviceExposurePolicy, service({ type: "ClusterIP" })), []);
        assert.deepStrictEqual(await runResourcePolicy(serviceExposurePolicy, service({})), []);
    });

    it("flags NodePort by default and says which config to change", async () => {
        assert.deepStrictEqual(await runResourcePolicy(serviceExposurePolicy, service({ type: "NodePort" })), [
            'Service devkube/web: spec.type is "NodePort", which exposes it outside the cluster and is not allowed for this stack (allowed: ClusterIP); ' +
                'use ClusterIP, or add "NodePort" to allowedServiceTypes under "devkube-service-exposure" in policies/config/<stack>.json',
        ]);
    });

    it("allows NodePort where the stack lists it (minikube, homelab), still not LoadBalancer", async () => {
        const config = { allowedServiceTypes: ["ClusterIP", "NodePort"] };
        assert.deepStrictEqual(await runResourcePolicy(serviceExposurePolicy, { ...service({ type: "NodePort" }), config }), []);
        assert.strictEqual((await runResourcePolicy(serviceExposurePolicy, { ...service({ type: "LoadBalancer" }), config })).length, 1);
    });

    it("never allows externalIPs", async () => {
        const config = { allowedServiceTypes: ["ClusterIP", "NodePort", "LoadBalancer"] };
        const v = await runResourcePolicy(serviceExposurePolicy, { ...service({ externalIPs: ["203.0.113.7"] }), config });
        assert.deepStrictEqual(v, ['Service devkube/web: spec.externalIPs is set (["203.0.113.7"]); remove it (externalIPs are never allowed)']);
    });

    it("is not applicable to a Deployment", async () => {
        assert.ok((await runResourcePolicyDetailed(serviceExposurePolicy, workload("Deployment", "web"))).notApplicable !== undefined);
    });
});
