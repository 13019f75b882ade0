import * as assert from "assert";
import { ingressTlsPolicy, serviceExposurePolicy } from "../rules/services";
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

describe("devkube-ingress-tls", () => {
    const ingress = (spec: Record<string, unknown>) => ({
        type: "kubernetes:networking.k8s.io/v1:Ingress",
        name: "conduit",
        props: { metadata: { name: "conduit", namespace: "devkube" }, spec },
    });
    const rule = (host?: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "conduit", port: { number: 8448 } } } }] } });

    it("passes when every host is under spec.tls", async () => {
        const spec = { rules: [rule("matrix.example.org"), rule("example.org")], tls: [{ hosts: ["matrix.example.org", "example.org"], secretName: "conduit-tls" }] };
        assert.deepStrictEqual(await runResourcePolicy(ingressTlsPolicy, ingress(spec)), []);
    });
    it("flags a host served over plain HTTP, and says how to fix it", async () => {
        const spec = { rules: [rule("matrix.example.org"), rule("example.org")], tls: [{ hosts: ["matrix.example.org"], secretName: "conduit-tls" }] };
        assert.deepStrictEqual(await runResourcePolicy(ingressTlsPolicy, ingress(spec)), [
            'Ingress devkube/conduit: host "example.org" is served over plain HTTP; list it under spec.tls with a certificate ' +
                "(devkube does this when the app's ingress names a cert-manager clusterIssuer or issuer)",
        ]);
    });
    it("flags catch-all rules and default backends", async () => {
        const v = await runResourcePolicy(ingressTlsPolicy, ingress({ rules: [rule()], tls: [] }));
        assert.match(v[0], /a rule has no host, so it answers for any host/);
        const d = await runResourcePolicy(ingressTlsPolicy, ingress({ defaultBackend: { service: { name: "x", port: { number: 80 } } } }));
        assert.match(d[0], /has a default backend or no rules/);
    });
    it("is not applicable to a Service", async () => {
        assert.ok((await runResourcePolicyDetailed(ingressTlsPolicy, service({}))).notApplicable !== undefined);
    });
});
