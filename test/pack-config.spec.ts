// The pack config `npm run up` passes: the committed file, with the NFS exemption in the stack's namespace.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packConfigFor, stackNamespace, withNamespace } from "../scripts/pack-config";
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
    it("moves only the exemption's namespace; everything else stays as committed", () => {
        const committed = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", "homelab.json"), "utf8"));
        const moved = packConfigFor(ROOT, "homelab", "alice");
        assert.equal(moved["devkube-pod-security"].nfsServerExemption.namespace, "alice");
        moved["devkube-pod-security"].nfsServerExemption.namespace = committed["devkube-pod-security"].nfsServerExemption.namespace;
        assert.deepEqual(moved, committed);
        assert.deepEqual(withNamespace({ "devkube-image-tag": {} }, "alice"), { "devkube-image-tag": {} }, "no exemption, nothing to move");
    });
});
