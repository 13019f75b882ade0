// The policy pack's config for a stack, as `npm run up` and `npm run preview` pass it: the committed
// policies/config/<stack>.json (thresholds), plus the NFS server's exemption (contract/identity.ts) in the
// stack's own namespace (devkube:namespace), so no JSON names the server and a stack in another
// namespace needs no edit and exempts nothing else.
// Usage: tsx scripts/pack-config.ts <stack>   (writes .pulumi/policy-config-<stack>.json, prints its path)
import * as fs from "fs";
import * as path from "path";
import { stackSetting } from "./stack-file";
import { NFS_SERVER } from "../contract/identity";

/** The namespace a stack's environment lives in: its stack file, else the project's default. */
export function stackNamespace(root: string, stack: string): string {
    const namespace = stackSetting(root, stack, "devkube:namespace");
    if (typeof namespace !== "string" || namespace === "") {
        throw new Error(`pack-config: no devkube:namespace for stack ${stack} (Pulumi.${stack}.yaml, or its default in Pulumi.yaml)`);
    }
    return namespace;
}

/**
 * A pack config with devkube's NFS server exempted in `namespace` (contract/identity.ts says which server
 * and which capabilities), unless the committed file switches the exemption off (null).
 */
export function withNamespace(config: Record<string, any>, namespace: string): Record<string, any> {
    const security = config["devkube-pod-security"] ?? {};
    if (security.nfsServerExemption === null) {
        return config;
    }
    const nfsServerExemption = { ...NFS_SERVER, capabilities: [...NFS_SERVER.capabilities], namespace };
    return { ...config, "devkube-pod-security": { ...security, nfsServerExemption } };
}

export function packConfigFor(root: string, stack: string, namespace = stackNamespace(root, stack)): Record<string, any> {
    const committed = JSON.parse(fs.readFileSync(path.join(root, "policies", "config", `${stack}.json`), "utf8"));
    return withNamespace(committed, namespace);
}

if (require.main === module) {
    const stack = process.argv[2];
    const root = path.resolve(__dirname, "..");
    try {
        const out = path.join(root, ".pulumi", `policy-config-${stack}.json`);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, `${JSON.stringify(packConfigFor(root, stack), null, 2)}\n`);
        console.log(path.relative(root, out));
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(2);
    }
}
