// The pack config `npm run up` passes: the committed file, with the NFS exemption in the stack's namespace.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { namespaceMoveProblem, packConfigFor, stackNamespace, withNamespace } from "../scripts/pack-config";
import { ROOT } from "./harness";

describe("the policy pack config of a stack", () => {
    it("takes the namespace from the stack file, else the project's default", () => {
        assert.equal(stackNamespace(ROOT, "minikube"), "devkube");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-pack-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.team.yaml"), "config:\n  devkube:target: minikube\n  devkube:namespace: alice\n");
        assert.equal(stackNamespace(dir, "team"), "alice");
        fs.rmSync(dir, { recursive: true, force: true });
    });
    it("adds the NFS server's exemption in the stack's namespace, from the contract; everything else stays as committed", () => {
        const committed = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", "homelab.json"), "utf8"));
        assert.equal(committed["devkube-pod-security"], undefined, "no JSON names the NFS server");
        const config = packConfigFor(ROOT, "homelab", "alice");
        assert.deepEqual(config["devkube-pod-security"].nfsServerExemption, {
            kind: "Deployment",
            namespace: "alice",
            name: "nfs-server",
            container: "nfs-server",
            capabilities: ["DAC_READ_SEARCH"],
        });
        delete config["devkube-pod-security"];
        assert.deepEqual(config, committed);
    });
    it("leaves the exemption off where the committed file switches it off (null)", () => {
        const off = { "devkube-pod-security": { nfsServerExemption: null } };
        assert.deepEqual(withNamespace(off, "alice"), off);
    });
});

describe("a namespace change on an awake stack", () => {
    const state = (namespace?: string) => ({
        deployment: {
            resources: [
                { urn: "urn:pulumi:minikube::devkube::pulumi:pulumi:Stack::devkube-minikube", type: "pulumi:pulumi:Stack" },
                ...(namespace ? [{ urn: "urn:pulumi:minikube::devkube::kubernetes:core/v1:Namespace::devkube-namespace", type: "kubernetes:core/v1:Namespace", outputs: { metadata: { name: namespace } } }] : []),
            ],
        },
    });
    it("is refused before anything changes, naming both namespaces and the commands that move it", () => {
        const problem = namespaceMoveProblem("minikube", "moved", state("devkube"));
        assert.match(problem ?? "", /devkube:namespace is "moved" but stack minikube is awake in namespace "devkube"/);
        assert.match(problem ?? "", /npm run sleep -- minikube/);
        assert.match(problem ?? "", /then npm run up -- minikube/);
        assert.match(problem ?? "", /nothing was changed/);
    });
    it("lets the same namespace, a stack asleep and a new stack through", () => {
        assert.equal(namespaceMoveProblem("minikube", "devkube", state("devkube")), undefined);
        assert.equal(namespaceMoveProblem("minikube", "moved", state()), undefined, "asleep: nothing holds the old namespace");
        assert.equal(namespaceMoveProblem("minikube", "moved", {}), undefined, "never up");
    });
});
