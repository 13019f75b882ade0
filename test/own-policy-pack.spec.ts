// devkube must pass its own policy pack: every resource the program registers for each stack,
// recorded through the mocks, goes through every policy with that stack's pack config.
import { strict as assert } from "assert";
import { runAllPolicies } from "../policies/test/util";
import { STACK_RUNS, packConfig, podSpecs, policyResources, runProgram, stackConfigValues } from "./harness";

describe("devkube passes its own policy pack", function () {
    const cases: Array<[keyof typeof STACK_RUNS, string]> = [
        ["minikube", "minikube"],
        ["dev", "dev"],
        ["homelab", "homelab"],
        ["homelab (existing export)", "homelab"],
        ["cluster", "cluster"],
    ];
    for (const [stack, configName] of cases) {
        it(`${stack} stack: zero mandatory violations (policies/config/${configName}.json)`, async () => {
            const run = await STACK_RUNS[stack]();
            const resources = policyResources(run);
            assert.ok(resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment").length >= 2, "the program registered its workloads");
            const findings = await runAllPolicies(resources, packConfig(configName));
            const mandatory = findings.filter((f) => f.enforcement === "mandatory");
            assert.deepEqual(mandatory.map((f) => `${f.policy}: ${f.message}`), []);
            const advisory = findings.filter((f) => f.enforcement === "advisory");
            assert.deepEqual(advisory.map((f) => `${f.policy}: ${f.message}`), [], "no advisory findings either");
        });
    }

    it("a stack in another namespace passes too: the NFS server's exemption follows devkube:namespace", async () => {
        const run = await runProgram("minikube", { ...stackConfigValues("minikube"), "devkube:namespace": "myenv" });
        const findings = await runAllPolicies(policyResources(run), packConfig("minikube", "myenv"));
        assert.deepEqual(findings.filter((f) => f.enforcement === "mandatory").map((f) => `${f.policy}: ${f.message}`), []);
        // ...and it moved: the same server in the old namespace is no longer exempt.
        const elsewhere = policyResources(run);
        const server = elsewhere.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.props.metadata.name === "nfs-server")!;
        server.props.metadata.namespace = "devkube";
        const refused = (await runAllPolicies(elsewhere, packConfig("minikube", "myenv"))).filter((f) => f.enforcement === "mandatory");
        assert.equal(refused.length, 1, JSON.stringify(refused));
        assert.match(refused[0].message, /container "nfs-server" in Deployment devkube\/nfs-server: securityContext\.capabilities\.add contains "DAC_READ_SEARCH"/);
    });

    it("and the pack really bites: the same minikube resources with one container made privileged are rejected", async () => {
        const run = await STACK_RUNS.minikube();
        const resources = policyResources(run);
        const web = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.props.metadata.name === "web")!;
        const nginx = web.props.spec.template.spec.containers[0];
        nginx.securityContext = { ...nginx.securityContext, privileged: true };
        const findings = await runAllPolicies(resources, packConfig("minikube"));
        const mandatory = findings.filter((f) => f.enforcement === "mandatory");
        assert.equal(mandatory.length, 1, JSON.stringify(mandatory));
        assert.equal(mandatory[0].policy, "devkube-pod-security");
        assert.match(mandatory[0].message, /privileged/);
        assert.match(mandatory[0].message, /web/);
    });
});

describe("devkube's own containers", function () {
    it("every container of every stack and example sets allowPrivilegeEscalation: false", async () => {
        const { RUNS } = await import("./processes/containers");
        let seen = 0;
        for (const [label, load] of Object.entries(RUNS)) {
            for (const { workload, spec } of podSpecs(await load())) {
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    seen++;
                    assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${label}: ${workload.type} ${workload.inputs.metadata?.name}, container ${c.name}`);
                }
            }
        }
        assert.ok(seen >= 15, `only ${seen} containers registered`);
    });
});
