// The kubelet's rules that the process tests (test/processes) apply before a container starts.
import { strict as assert } from "assert";
import { commandLine, containerEnv, effectiveCapabilities, expandReferences, noNewPrivileges, processUser } from "./processes/kubelet";

const image = { entrypoint: ["/entry.sh"], cmd: ["serve"], env: { PATH: "/bin", HOME: "/root" }, workingDir: "/", user: { uid: 0, gid: 0 } };
const data = {
    configMaps: { settings: { MODE: "dev", PATH: "/override" } },
    secrets: { pw: { PASSWORD: "s3cret" }, conn: { URL: "redis://x" } },
};

describe("process tests: the kubelet's rules", () => {
    it("expands $(VAR) references like the kubelet: defined names, $$ escapes, the rest verbatim", () => {
        const env = { A: "1", B: "two" };
        assert.equal(expandReferences("--requirepass $(A)", env), "--requirepass 1");
        assert.equal(expandReferences("$(A)$(B)-$(C)", env), "1two-$(C)");
        assert.equal(expandReferences("$$(A) costs $5 $", env), "$(A) costs $5 $");
        assert.equal(expandReferences("$(A", env), "$(A");
    });

    it("builds the environment from the image, envFrom, then env in order; values see earlier ones", () => {
        const env = containerEnv(
            {
                name: "c",
                envFrom: [{ configMapRef: { name: "settings" } }, { secretRef: { name: "conn" } }],
                env: [
                    { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "pw", key: "PASSWORD" } } },
                    { name: "DSN", value: "u:$(PASSWORD)@$(URL)" },
                    { name: "LATER", value: "$(NOT_YET)" },
                ],
            },
            image,
            data,
        );
        assert.deepEqual(env, {
            PATH: "/override",
            HOME: "/root",
            MODE: "dev",
            URL: "redis://x",
            PASSWORD: "s3cret",
            DSN: "u:s3cret@redis://x",
            LATER: "$(NOT_YET)",
        });
    });

    it("refuses a reference to a Secret or key the program did not register", () => {
        assert.throws(() => containerEnv({ name: "c", envFrom: [{ secretRef: { name: "nope" } }] }, image, data), /Secret nope was not registered/);
        assert.throws(
            () => containerEnv({ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "pw", key: "OTHER" } } }] }, image, data),
            /key OTHER is not in pw/,
        );
    });

    it("command replaces ENTRYPOINT and drops CMD; args replace CMD; both expanded", () => {
        assert.deepEqual(commandLine({ name: "c" }, image, {}), ["/entry.sh", "serve"]);
        assert.deepEqual(commandLine({ name: "c", args: ["redis-server", "--requirepass", "$(P)"] }, image, { P: "x" }), ["/entry.sh", "redis-server", "--requirepass", "x"]);
        assert.deepEqual(commandLine({ name: "c", command: ["sh", "-c", "echo $(P)"] }, image, { P: "x" }), ["sh", "-c", "echo x"]);
        assert.deepEqual(commandLine({ name: "c", command: ["sh"], args: ["-c", "true"] }, image, {}), ["sh", "-c", "true"]);
        assert.throws(() => commandLine({ name: "c" }, { ...image, entrypoint: [], cmd: [] }, {}), /neither the spec nor the image gives a command/);
    });

    it("gives the runtime's default capabilities, less drop, plus add", () => {
        const defaults = effectiveCapabilities({});
        assert.ok(defaults.includes("CHOWN") && defaults.includes("NET_BIND_SERVICE") && !defaults.includes("DAC_READ_SEARCH"));
        assert.deepEqual(effectiveCapabilities({ securityContext: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } } }), ["CHOWN"]);
        assert.ok(effectiveCapabilities({ securityContext: { capabilities: { add: ["DAC_READ_SEARCH"] } } }).includes("DAC_READ_SEARCH"));
        assert.ok(!effectiveCapabilities({ securityContext: { capabilities: { drop: ["KILL"] } } }).includes("KILL"));
    });

    it("runs as runAsUser of the container, then of the pod, else the image's user; no_new_privs only when asked", () => {
        assert.deepEqual(processUser({}, undefined, image), { uid: 0, gid: 0 });
        assert.deepEqual(processUser({}, { runAsUser: 1000 }, image), { uid: 1000, gid: 0 }, "no group of its own in the image: 0");
        assert.deepEqual(processUser({ securityContext: { runAsUser: 7, runAsGroup: 8 } }, { runAsUser: 1000 }, image), { uid: 7, gid: 8 });
        assert.equal(noNewPrivileges({ securityContext: { allowPrivilegeEscalation: false } }), true);
        assert.equal(noNewPrivileges({}), false, "unset, Kubernetes allows escalation");
    });
});
