// The policy pack's config for a stack, as `npm run up` and `npm run preview` pass it: the committed
// policies/config/<stack>.json (thresholds), plus the NFS server's exemption (contract/identity.ts) in the
// stack's own namespace (devkube:namespace), so no JSON names the server and a stack in another
// namespace needs no edit and exempts nothing else.
// scripts/stack-prepare.ts writes it (writePackConfig) for scripts/stack.sh.
import * as fs from "fs";
import * as path from "path";
import { stackSetting } from "./stack-file";
import { NFS_SERVER, TYPES } from "../contract/identity";

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

/**
 * Why `up` must not run: the stack's environment is awake in another namespace than devkube:namespace now
 * says. Its claims cannot move while their volumes stay bound to the old ones: the new workspace claim
 * would wait 5 minutes and fail, half the objects moved. Sleep first (the code stays), then up.
 */
export function namespaceMoveProblem(stack: string, configured: string, exported: any): string | undefined {
    const namespaces = (exported?.deployment?.resources ?? []).filter((r: any) => r.type === TYPES.namespace);
    const awakeIn: string | undefined = namespaces[0]?.outputs?.metadata?.name;
    if (awakeIn === undefined || awakeIn === configured) {
        return undefined;
    }
    return (
        `devkube:namespace is ${JSON.stringify(configured)} but stack ${stack} is awake in namespace ${JSON.stringify(awakeIn)}; ` +
        "its claims cannot move while their volumes are bound to the old ones. Move it with npm run sleep -- " +
        `${stack} (your code stays), then npm run up -- ${stack}; nothing was changed`
    );
}

/** Writes the stack's pack config to .pulumi/policy-config-<stack>.json and returns that path, relative to root. */
export function writePackConfig(root: string, stack: string): string {
    const out = path.join(root, ".pulumi", `policy-config-${stack}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(packConfigFor(root, stack), null, 2)}\n`);
    return path.relative(root, out);
}
