import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    ALL_CONFIG_KEYS,
    DEFAULT_PACK_CONFIG,
    POLICY_CONFIG_KEYS,
    configSchemaFor,
    parsePackConfig,
    parsePackConfigFile,
} from "../config";
import { allPolicies } from "../policies";
import { NFS_EXEMPTION, goodStack, workload } from "./fixtures";
import { isResourcePolicy, runAllPolicies, runResourcePolicy, runStackPolicy } from "./util";

const CONFIG_DIR = path.join(__dirname, "..", "config");

function readConfig(stack: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${stack}.json`), "utf8"));
}

describe("pack config: parsePackConfig", () => {
    it("fills defaults", () => {
        assert.deepStrictEqual(parsePackConfig(undefined), DEFAULT_PACK_CONFIG);
        assert.deepStrictEqual(parsePackConfig({}), DEFAULT_PACK_CONFIG);
        assert.deepStrictEqual(DEFAULT_PACK_CONFIG.allowedServiceTypes, ["ClusterIP"]);
        assert.strictEqual(DEFAULT_PACK_CONFIG.maxCpu, "2");
        assert.strictEqual(DEFAULT_PACK_CONFIG.maxMemory, "2Gi");
        assert.strictEqual(DEFAULT_PACK_CONFIG.maxLimitToRequestRatio, 4);
        // devkube's own NFS server in the default namespace (contract/identity.ts); npm run up moves it to the stack's.
        assert.deepStrictEqual(DEFAULT_PACK_CONFIG.nfsServerExemption, NFS_EXEMPTION);
    });

    it("accepts a full, valid config", () => {
        const c = parsePackConfig({
            requireCpuLimit: false,
            maxCpu: "1500m",
            maxMemory: "1Gi",
            maxLimitToRequestRatio: 2.5,
            allowedServiceTypes: ["ClusterIP", "NodePort"],
            nfsServerExemption: NFS_EXEMPTION,
        });
        assert.strictEqual(c.requireCpuLimit, false);
        assert.strictEqual(c.maxCpu, "1500m");
        assert.deepStrictEqual(c.nfsServerExemption, NFS_EXEMPTION);
    });

    const bad: [string, unknown, RegExp][] = [
        ["an unparseable max", { maxCpu: "two" }, /maxCpu: "two" is not a Kubernetes quantity/],
        ["a zero max", { maxMemory: "0" }, /maxMemory must be greater than zero, got "0"/],
        ["a negative max", { maxCpu: "-1" }, /maxCpu must be greater than zero, got "-1"/],
        ["a numeric max", { maxCpu: 2 }, /maxCpu must be a string quantity .* got number 2/],
        ["a negative ratio", { maxLimitToRequestRatio: -1 }, /maxLimitToRequestRatio must be at least 1 .* got -1/],
        ["a string ratio", { maxLimitToRequestRatio: "4" }, /maxLimitToRequestRatio must be a number .* got string "4"/],
        ["a misspelled key", { maxCPU: "2" }, /unknown key 'maxCPU'; allowed: requireCpuLimit, maxCpu, maxMemory/],
        ["a non-boolean flag", { requireCpuLimit: "false" }, /requireCpuLimit must be true or false, got string "false"/],
        ["a string for a list", { allowedServiceTypes: "NodePort" }, /allowedServiceTypes must be an array/],
        ["a misspelled service type", { allowedServiceTypes: ["Nodeport"] }, /"Nodeport" is not a service type; allowed: ClusterIP, NodePort, LoadBalancer/],
        ["an array as config", [], /expected an object of settings, got array/],
        ["a string as config", "mandatory", /expected an object of settings, got string/],
        ["an exemption without capabilities", { nfsServerExemption: { ...NFS_EXEMPTION, capabilities: [] } }, /capabilities must be a non-empty array/],
        ["an exemption with a name pattern key", { nfsServerExemption: { ...NFS_EXEMPTION, namePrefix: "nfs" } }, /nfsServerExemption: unknown key 'namePrefix'/],
        ["an exemption missing namespace", { nfsServerExemption: { ...NFS_EXEMPTION, namespace: undefined } }, /nfsServerExemption.namespace must be a non-empty string/],
        ["a lower-case capability", { nfsServerExemption: { ...NFS_EXEMPTION, capabilities: ["sys_admin"] } }, /"sys_admin" is not a capability name/],
    ];
    for (const [what, raw, re] of bad) {
        it(`fails closed on ${what}`, () => {
            assert.throws(() => parsePackConfig(raw), (e: Error) => {
                assert.match(e.message, re);
                assert.match(e.message, /^invalid policy pack config/);
                return true;
            });
        });
    }

    it("restricts a policy's section to the settings it reads, and says where a setting belongs", () => {
        assert.throws(
            () => parsePackConfig({ maxCpu: "2" }, { allowedKeys: POLICY_CONFIG_KEYS["devkube-pod-security"], section: "devkube-pod-security" }),
            /invalid policy pack config for "devkube-pod-security".*unknown key 'maxCpu'; allowed: nfsServerExemption \('maxCpu' belongs under "devkube-resource-maxima"\)/,
        );
        assert.throws(() => parsePackConfig({ x: 1 }, { allowedKeys: [], section: "devkube-probes" }), /unknown key 'x'; allowed: \(none: this policy takes no settings\)/);
    });

    it("ignores enforcementLevel inside a section", () => {
        assert.deepStrictEqual(parsePackConfig({ enforcementLevel: "mandatory" }), DEFAULT_PACK_CONFIG);
    });
});

describe("pack config: schema and files", () => {
    it("lists every policy of the pack, and only those", () => {
        assert.deepStrictEqual(allPolicies.map((p) => p.name).sort(), Object.keys(POLICY_CONFIG_KEYS).sort());
    });

    it("declares on each policy a schema of exactly the settings it reads, with the parser's defaults", () => {
        for (const p of allPolicies) {
            const keys = POLICY_CONFIG_KEYS[p.name];
            assert.deepStrictEqual(Object.keys(p.configSchema?.properties ?? {}), [...keys], p.name);
            assert.deepStrictEqual(p.configSchema, configSchemaFor(p.name));
            for (const k of keys) {
                const s = p.configSchema?.properties[k] as { default?: unknown };
                if ("default" in s) {
                    assert.deepStrictEqual(s.default, DEFAULT_PACK_CONFIG[k], `${p.name}.${k}`);
                }
            }
        }
        // every setting is read by exactly one policy, so a file gives each setting once
        const owners = ALL_CONFIG_KEYS.map((k) => Object.keys(POLICY_CONFIG_KEYS).filter((p) => POLICY_CONFIG_KEYS[p].includes(k)).length);
        assert.deepStrictEqual(owners, ALL_CONFIG_KEYS.map(() => 1));
    });

    const expected: Record<string, { types: string[]; maxCpu: string; maxMemory: string }> = {
        dev: { types: ["ClusterIP"], maxCpu: "2", maxMemory: "2Gi" },
        minikube: { types: ["ClusterIP", "NodePort"], maxCpu: "2", maxMemory: "2Gi" },
        homelab: { types: ["ClusterIP", "NodePort"], maxCpu: "1", maxMemory: "1Gi" },
    };
    for (const stack of Object.keys(expected)) {
        it(`config/${stack}.json parses and has the stack's settings`, () => {
            const file = parsePackConfigFile(readConfig(stack));
            const e = expected[stack];
            assert.deepStrictEqual(file.policies["devkube-service-exposure"].config.allowedServiceTypes, e.types);
            assert.strictEqual(file.policies["devkube-resource-maxima"].config.maxCpu, e.maxCpu);
            assert.strictEqual(file.policies["devkube-resource-maxima"].config.maxMemory, e.maxMemory);
            assert.equal(file.policies["devkube-pod-security"], undefined, "the NFS server's exemption comes from the contract, not the file");
        });

        it(`config/${stack}.json accepts the whole devkube-like stack`, async () => {
            assert.deepStrictEqual(await runAllPolicies(goodStack(), readConfig(stack)), []);
        });
    }

    it("rejects a file with a misspelled policy name, settings under \"all\", or a bad level", () => {
        assert.throws(() => parsePackConfigFile({ "devkube-resource-maximum": { maxCpu: "2" } }), /unknown policy 'devkube-resource-maximum'/);
        assert.throws(() => parsePackConfigFile({ all: { maxCpu: "2" } }), /"all" can only set enforcementLevel/);
        assert.throws(() => parsePackConfigFile({ all: "strict" }), /"strict" is not an enforcement level/);
        assert.throws(() => parsePackConfigFile({ "devkube-resource-maxima": { maxCpu: "two" } }), /maxCpu: "two" is not a Kubernetes quantity/);
        assert.deepStrictEqual(parsePackConfigFile({ all: "mandatory", "devkube-probes": "disabled" }).all, "mandatory");
    });

    it("makes every policy throw, not fall back to defaults, on a bad section", async () => {
        const deployment = workload("Deployment", "web");
        for (const p of allPolicies) {
            const run = isResourcePolicy(p) ? runResourcePolicy(p, { ...deployment, config: { bogus: 1 } }) : runStackPolicy(p, goodStack(), { bogus: 1 });
            await assert.rejects(run, new RegExp(`invalid policy pack config for "${p.name}".*unknown key 'bogus'`), p.name);
        }
    });

    it("makes the whole run fail on a bad value in the file (as the engine would)", async () => {
        await assert.rejects(runAllPolicies(goodStack(), { "devkube-resource-maxima": { maxCpu: "two" } }), /maxCpu: "two" is not a Kubernetes quantity/);
    });
});
