// devkube:ssh: the keys it accepts, the sshd it adds beside the editor, and what it leaves closed.
import { strict as assert } from "assert";
import { ConfigError, RawConfig } from "../config";
import { PRIVATE_KEY_PROBLEM, sshKeyProblem } from "../config/ssh";
import { SSH_CONTAINER, SSH_PORT, passwdFile, sshdConfig } from "../components/ssh";
import { SHARE_UID } from "../components/nfs-server";
import { parseConfig } from "../targets";
import { runAllPolicies } from "../policies/test/util";
import { ProgramRun, byName, ofType, packConfig, plain, policyResources, runDev, runProgram, stackConfigValues } from "./harness";

/** A public key (ssh-keygen -t ed25519): nothing secret. */
export const TEST_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIInB9UoQmdH5gNSqEjYJjhJ2vN9eINMqSV7TnC9jbzWf you@laptop";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";

function problems(ssh: string): string[] {
    const raw: RawConfig = { get: (key) => (key === "ssh" ? ssh : undefined), isSecret: () => false, keys: () => ["devkube:ssh"], hasDigitalOceanToken: false };
    try {
        parseConfig(raw);
    } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems;
    }
    return [];
}

describe("ssh: devkube:ssh keys", () => {
    it("takes OpenSSH public key lines, comment or not, and is off by default", () => {
        assert.equal(sshKeyProblem(TEST_PUBLIC_KEY), undefined);
        assert.equal(sshKeyProblem(TEST_PUBLIC_KEY.split(" ").slice(0, 2).join(" ")), undefined);
        assert.deepEqual(problems(JSON.stringify([TEST_PUBLIC_KEY])), []);
        const raw: RawConfig = { get: () => undefined, isSecret: () => false, hasDigitalOceanToken: false };
        assert.deepEqual(parseConfig(raw).ssh, []);
    });

    it("refuses a private key without repeating it", () => {
        const found = problems(JSON.stringify([PRIVATE_KEY]));
        assert.deepEqual(found, [`devkube:ssh[0]: ${PRIVATE_KEY_PROBLEM}`]);
        assert.ok(!found.join("").includes("b3BlbnNz"), "the key is not in the message");
    });

    const bad: Array<[string, string, RegExp]> = [
        ["a file name instead of the key", JSON.stringify(["~/.ssh/id_ed25519.pub"]), /^devkube:ssh\[0\]: got "~\/.ssh\/id_ed25519.pub"; use one OpenSSH public key per entry.*a key starts with its type, one of ssh-ed25519/],
        ["a key cut short", JSON.stringify([TEST_PUBLIC_KEY.slice(0, 40)]), /^devkube:ssh\[0\]: got "ssh-ed25519 AAAA.*"; .*is not that key's base64 \(cut short when pasted\?\)/],
        ["a type that does not match the key", JSON.stringify([TEST_PUBLIC_KEY.replace("ssh-ed25519", "ssh-rsa")]), /is not that key's base64/],
        ["two keys on one line", JSON.stringify([`${TEST_PUBLIC_KEY}\n${TEST_PUBLIC_KEY}`]), /this entry has more than one line/],
        ["one key, not a list", TEST_PUBLIC_KEY, /^devkube:ssh: got "ssh-ed25519 .*"; use a list of public keys, e\.g\. \["ssh-ed25519 AAAAC3Nz\.\.\. you@laptop"\]/],
    ];
    for (const [title, value, expected] of bad) {
        it(`refuses ${title}, naming the entry`, () => {
            const found = problems(value);
            assert.ok(found.some((p) => expected.test(p)), JSON.stringify(found));
        });
    }
});

describe("ssh: the sshd beside the editor", function () {
    let on: ProgramRun;
    let off: ProgramRun;
    before(async () => {
        on = await runProgram("minikube", { ...stackConfigValues("minikube"), "devkube:ssh": JSON.stringify([TEST_PUBLIC_KEY]) });
        off = await runProgram("minikube", stackConfigValues("minikube"));
    });

    const editorPod = (run: ProgramRun) => plain(byName(run, "kubernetes:apps/v1:Deployment", "editor").inputs.spec.template.spec);

    it("runs as the share's user, keys only, no root, no password, no escalation, with probes and limits", () => {
        const pod = editorPod(on);
        assert.deepEqual(pod.containers.map((c: any) => c.name), ["shell", SSH_CONTAINER]);
        const ssh = pod.containers[1];
        assert.equal(ssh.securityContext.runAsUser, SHARE_UID);
        assert.equal(ssh.securityContext.runAsNonRoot, true);
        assert.equal(ssh.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(ssh.securityContext.capabilities.drop, ["ALL"]);
        assert.match(ssh.readinessProbe.exec.command[2], /:08AE /, "port 2222, listening");
        assert.ok(ssh.resources.limits.cpu && ssh.resources.limits.memory);
        const config = sshdConfig();
        for (const line of ["PermitRootLogin no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "AuthenticationMethods publickey", "AllowUsers dev", "UsePAM no"]) {
            assert.ok(config.split("\n").includes(line), line);
        }
        assert.match(passwdFile(), new RegExp(`^dev:x:${SHARE_UID}:${SHARE_UID}:devkube:/workspace:/bin/sh$`, "m"));
    });

    it("reads the keys from a ConfigMap in the namespace, and keeps its host key on the share", () => {
        const ssh = editorPod(on).containers[1];
        const maps = ofType(on, "kubernetes:core/v1:ConfigMap").filter((r) => r.inputs.data?.authorized_keys !== undefined);
        assert.equal(maps.length, 1);
        assert.equal(maps[0].inputs.data.authorized_keys, `${TEST_PUBLIC_KEY}\n`);
        assert.equal(maps[0].inputs.metadata.namespace, "devkube");
        assert.ok(ssh.volumeMounts.some((m: any) => m.name === "share" && m.mountPath === "/workspace"));
        assert.match(ssh.command[2], /ssh-keygen .* -f \/workspace\/\.devkube\/ssh\/new/);
    });

    it("is reached only through kubectl port-forward: no Service has its port, and the outputs say how", async () => {
        for (const service of ofType(on, "kubernetes:core/v1:Service")) {
            assert.ok(!plain(service.inputs.spec.ports).some((p: any) => p.port === SSH_PORT || p.targetPort === SSH_PORT), service.name);
        }
        assert.equal(on.outputs.sshPortForward, "kubectl -n devkube port-forward deploy/editor 2222:2222");
        assert.equal(on.outputs.sshConfig, "Host devkube-minikube\n  HostName 127.0.0.1\n  Port 2222\n  User dev\n  HostKeyAlias devkube-minikube");
        assert.match(String(on.outputs.editorShell), /^kubectl -n devkube exec -it deploy\/editor -c shell -- sh$/);
    });

    it("is not there unless keys are given", () => {
        assert.deepEqual(editorPod(off).containers.map((c: any) => c.name), ["shell"]);
        assert.match(String(off.outputs.sshPortForward), /^disabled: pulumi config set --path 'devkube:ssh\[0\]'/);
    });

    const withSsh = { "devkube:ssh": JSON.stringify([TEST_PUBLIC_KEY]) };
    const stacks: Array<[string, () => Promise<ProgramRun>]> = [
        ["minikube", async () => on],
        ["dev", () => runDev(withSsh)],
        ["homelab", () => runProgram("homelab", { ...stackConfigValues("homelab"), ...withSsh })],
        ["cluster", () => runProgram("cluster", { ...stackConfigValues("cluster"), ...withSsh })],
    ];
    for (const [stack, load] of stacks) {
        it(`passes the ${stack} stack's policy pack, with no finding at all`, async () => {
            const run = await load();
            assert.equal(editorPod(run).containers.length, 2, "the sshd is there");
            const findings = await runAllPolicies(policyResources(run), packConfig(stack));
            assert.deepEqual(findings.map((f) => `${f.enforcement} ${f.policy}: ${f.message}`), []);
        });
    }
});
