import * as assert from "assert";
import { podSecurityPolicy } from "../rules/security";
import { LOCATIONS, NFS_EXEMPTION, T, container, metadata, nfsServer, withContainer, workload } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

const withExemption = { nfsServerExemption: NFS_EXEMPTION };

describe("devkube-pod-security", () => {
    for (const kind of LOCATIONS) {
        for (const list of ["containers", "initContainers"] as const) {
            it(`${kind} ${list}: flags privileged, privilege escalation, hostPort and non-baseline capabilities`, async () => {
                const bad = container("c", {
                    securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { add: ["NET_BIND_SERVICE", "SYS_ADMIN"] } },
                    ports: [{ containerPort: 80, hostPort: 8080 }],
                });
                const v = await runResourcePolicy(podSecurityPolicy, withContainer(kind, list, bad));
                const who = `${list === "containers" ? "container" : "initContainer"} "c" in ${kind} devkube/app`;
                assert.deepStrictEqual(
                    v.map((m) => m.split(";")[0]),
                    [
                        `${who}: securityContext.privileged is true`,
                        `${who}: securityContext.allowPrivilegeEscalation is true`,
                        `${who}: securityContext.capabilities.add contains "SYS_ADMIN"`,
                        `${who}: ports[0].hostPort is 8080`,
                    ],
                );
                assert.deepStrictEqual(await runResourcePolicy(podSecurityPolicy, withContainer(kind, list, container("c"))), []);
            });

            it(`${kind} ${list}: flags allowPrivilegeEscalation left unset (Kubernetes then allows escalation), with or without a securityContext`, async () => {
                const who = `${list === "containers" ? "container" : "initContainer"} "c" in ${kind} devkube/app`;
                const none = container("c");
                delete none.securityContext;
                for (const c of [none, container("c", { securityContext: { allowPrivilegeEscalation: undefined } }), container("c", { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: undefined } })]) {
                    const v = await runResourcePolicy(podSecurityPolicy, withContainer(kind, list, c));
                    assert.deepStrictEqual(v, [
                        `${who}: securityContext.allowPrivilegeEscalation is not set, and Kubernetes then allows privilege escalation; set it to false`,
                    ]);
                }
            });
        }

        it(`${kind}: flags host namespaces and hostPath volumes`, async () => {
            const w = workload(kind, "app", {
                extra: { hostNetwork: true, hostPID: true, hostIPC: true, volumes: [{ name: "root", hostPath: { path: "/" } }, { name: "ok", emptyDir: {} }] },
            });
            const v = await runResourcePolicy(podSecurityPolicy, w);
            assert.strictEqual(v.length, 4, v.join("\n"));
            assert.match(v[0], /hostNetwork is true/);
            assert.match(v[3], /volume "root" \(.*volumes\[0\]\) is a hostPath volume of "\/"; use a PersistentVolumeClaim instead/);
        });
    }

    it("allows every baseline capability, in either spelling", async () => {
        const caps = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", "CAP_CHOWN"];
        const w = withContainer("Deployment", "containers", container("c", { securityContext: { capabilities: { add: caps } } }));
        assert.deepStrictEqual(await runResourcePolicy(podSecurityPolicy, w), []);
        const sneaky = withContainer("Deployment", "containers", container("c", { securityContext: { capabilities: { add: ["cap_sys_admin", "ALL"] } } }));
        assert.strictEqual((await runResourcePolicy(podSecurityPolicy, sneaky)).length, 2);
    });

    describe("NFS server exemption", () => {
        it("allows DAC_READ_SEARCH on exactly Deployment devkube/nfs-server, container nfs-server", async () => {
            assert.deepStrictEqual(await runResourcePolicy(podSecurityPolicy, { ...nfsServer(), config: withExemption }), []);
        });

        it("by default, exempts devkube's own server in the namespace devkube (contract/identity.ts)", async () => {
            assert.deepStrictEqual(await runResourcePolicy(podSecurityPolicy, nfsServer()), []);
            assert.strictEqual((await runResourcePolicy(podSecurityPolicy, nfsServer("nfs-server", "default"))).length, 1);
        });

        it("is off when the config sets it to null", async () => {
            const v = await runResourcePolicy(podSecurityPolicy, { ...nfsServer(), config: { nfsServerExemption: null } });
            assert.strictEqual(v.length, 1);
            assert.match(v[0], /container "nfs-server" in Deployment devkube\/nfs-server: securityContext\.capabilities\.add contains "DAC_READ_SEARCH"; remove it: .*nfsServerExemption under "devkube-pod-security"/);
        });

        const near: [string, ReturnType<typeof nfsServer>][] = [
            ["a Deployment named nfs-server-2", nfsServer("nfs-server-2")],
            ["a Deployment named nfs", nfsServer("nfs")],
            ["the same name in another namespace", nfsServer("nfs-server", "default")],
            ["a StatefulSet of the same name", nfsServer("nfs-server", "devkube", undefined, "StatefulSet")],
            ["another container name", nfsServer("nfs-server", "devkube", undefined, "Deployment", "nfs-server-sidecar")],
        ];
        for (const [what, w] of near) {
            it(`does not cover ${what}`, async () => {
                assert.strictEqual((await runResourcePolicy(podSecurityPolicy, { ...w, config: withExemption })).length, 1);
            });
        }

        it("does not cover a namespace-less Deployment", async () => {
            const w = nfsServer();
            delete (w.props.metadata as Record<string, unknown>).namespace;
            assert.strictEqual((await runResourcePolicy(podSecurityPolicy, { ...w, config: withExemption })).length, 1);
        });

        it("still flags a capability beyond the list, and everything else, on the exempt container", async () => {
            const w = nfsServer("nfs-server", "devkube", ["DAC_READ_SEARCH", "SYS_RESOURCE", "SYS_ADMIN"]);
            const c = ((w.props.spec as any).template.spec.containers[0]) as Record<string, any>;
            c.securityContext.privileged = true;
            (w.props.spec as any).template.spec.volumes = [{ name: "export", hostPath: { path: "/data" } }];
            const v = await runResourcePolicy(podSecurityPolicy, { ...w, config: withExemption });
            assert.strictEqual(v.length, 4, v.join("\n"));
            assert.match(v[0], /hostPath volume/);
            assert.match(v[1], /privileged is true/);
            assert.match(v[2], /capabilities\.add contains "SYS_RESOURCE"/);
            assert.match(v[3], /capabilities\.add contains "SYS_ADMIN"/);
        });

        it("does not exempt another container in the same pod", async () => {
            const w = workload(
                "Deployment",
                "nfs-server",
                { containers: [container("nfs-server"), container("helper", { securityContext: { capabilities: { add: ["SYS_RESOURCE"] } } })] },
                metadata("nfs-server"),
            );
            assert.strictEqual((await runResourcePolicy(podSecurityPolicy, { ...w, config: withExemption })).length, 1);
        });
    });

    it("is not applicable to a PersistentVolume with spec.local or spec.hostPath", async () => {
        for (const spec of [{ local: { path: "/mnt/usb" } }, { hostPath: { path: "/data/devkube" } }]) {
            const r = await runResourcePolicyDetailed(podSecurityPolicy, { type: T.pv, props: { metadata: { name: "pv" }, spec } });
            assert.deepStrictEqual(r.violations, []);
            assert.ok(r.notApplicable !== undefined);
        }
    });
});
